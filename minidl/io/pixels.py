"""The last step of every image decoder here (``png_decode.py``, ``bmp.py``, ``gif.py``): the image in the number of
channels and the sample type that were asked for, converted the way TF's decoders convert (TF reads PNG files with
libpng and asks it for these conversions, so these are libpng's rules).

A decoder hands over the *colour*, (..., 1) grey or (..., 3) RGB, and the *alpha*, (..., 1) or None, both uint8 or
both uint16. Then:

* 1 or 2 channels from RGB: the luma ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601, JPEG's) in libpng's fixed
  point — weights 9797, 19234 and 3737 out of 32768, the weighted sum shifted right by 15 (truncated, not rounded);
* 3 or 4 channels from grey: the grey value in all three;
* an even number of channels (2 or 4: the last is alpha) from an image without alpha: fully opaque, the largest
  value; an odd number: the alpha is dropped (not blended with any background);
* uint16 -> uint8 keeps the high byte (``v >> 8``, libpng's ``png_set_strip_16``); uint8 -> uint16 multiplies by
  257 (0xAB -> 0xABAB), so black stays 0 and white becomes 65535.
"""
import numpy

LUMA = numpy.array([9797, 19234, 3737])  # 0.299, 0.587 as libpng's fixed point x 32768, truncated; blue the rest


def convert(colour, alpha, channels, dtype):
    """``colour`` and ``alpha`` (see the module docstring) as one array of ``channels`` (1 to 4) channels of
    ``dtype`` (uint8 or uint16)."""
    if channels in (1, 2) and colour.shape[-1] == 3:
        colour = ((colour.astype(numpy.int64) @ LUMA) >> 15)[..., None].astype(colour.dtype)
    elif channels in (3, 4) and colour.shape[-1] == 1:
        colour = numpy.repeat(colour, 3, axis=-1)
    if channels % 2 == 0:
        if alpha is None:
            alpha = numpy.full(colour.shape[:-1] + (1,), numpy.iinfo(colour.dtype).max, colour.dtype)
        colour = numpy.concatenate([colour, alpha], axis=-1)
    dtype = numpy.dtype(dtype)
    if colour.dtype == dtype:
        return colour
    if dtype == numpy.uint8:
        return (colour >> 8).astype(numpy.uint8)
    return colour.astype(numpy.uint16) * numpy.uint16(257)
