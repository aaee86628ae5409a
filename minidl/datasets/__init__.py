"""Data sets bundled with minidl, loadable offline (nothing here ever downloads).

- ``load_digits``: 8x8 handwritten digits (UCI, CC BY 4.0), flat (n, 64) images; ``load_digits_images`` gives
  them as (n, 1, 8, 8). See ``README.md`` in this folder for the source and licence.
"""
from .digits import load_digits, load_digits_images

__all__ = ["load_digits", "load_digits_images"]
