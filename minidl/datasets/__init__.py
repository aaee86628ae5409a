"""Data sets bundled with minidl, and readers for data you supply (nothing here ever downloads).

- ``load_digits``: 8x8 handwritten digits (UCI, CC BY 4.0), flat (n, 64) images; ``load_digits_images`` gives
  them as (n, 1, 8, 8). See ``README.md`` in this folder for the source and licence.
- ``read_idx``, ``load_mnist``: MNIST-style IDX files (gzip-compressed or not) from a folder of yours.
- ``DigitsDataset``, ``MNIST``: the same data as PyTorch map-style datasets (torchvision's interface). They need
  ``minidl.eager``, which is imported only when one of them is first used.
"""
from .digits import load_digits, load_digits_images
from .mnist import load_mnist, read_idx

__all__ = ["load_digits", "load_digits_images", "read_idx", "load_mnist", "DigitsDataset", "MNIST"]

_TORCH_STYLE = ("DigitsDataset", "MNIST")


def __getattr__(name):
    """Import the PyTorch-style classes (and with them ``minidl.eager``) on first use (PEP 562)."""
    if name in _TORCH_STYLE:
        from . import torch_style
        return getattr(torch_style, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
