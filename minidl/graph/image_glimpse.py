"""``tf.image.extract_glimpse`` (TF1's ``ExtractGlimpse``): fixed-size windows cut from each image of a batch at
a given position, with noise where a window reaches past the image (the "glimpses" of recurrent attention
models).

Where glimpse ``i`` starts, as TF1's kernel computes it from ``offsets[i] = (y, x)`` for an image of
``height x width`` and a glimpse of ``size = (gh, gw)``::

    normalized:  y *= height,  x *= width                      (a fraction of the image -> pixels)
    centered:    y = y / 2 + height / 2,  x = x / 2 + width / 2   (-1 .. 1 around the centre -> 0 .. size)
    then         top = int(y - gh / 2),  left = int(x - gw / 2)  (the offset is the glimpse's centre; C's int()
                                                                  truncates toward zero)

``out[i, r, c, :] = input[i, top + r, left + c, :]`` where that pixel exists. Pixels outside the image are noise:
``noise="uniform"`` (the default, which ``uniform_noise=False`` turns into "gaussian") draws uniformly between the
image's smallest and largest value; "gaussian" draws from a normal with each channel's mean and standard
deviation; "zero" fills zeros. TF2's ``ExtractGlimpseV2`` rounds the offset instead of truncating: this is TF1's.

It is composed of ops: two ``batch_gather``s of clamped rows and columns, and a ``where`` that puts the noise at
the positions outside the image — so the glimpse has a gradient with respect to the input image where it copied
pixels (TF1 defines none; the positions, integers, and the noise have none).
"""
from .. import ops
from ..backend import dtypes
from .array_ops import shape as shape_of
from .basics import stop_gradient
from .image_boxes import _shaped
from .math_ops import check_dtype, constant_value, tf_op, to_tensor
from .random_ops import random_normal, random_uniform

_NOISES = ("uniform", "gaussian", "zero")


def _dim(x, axis):
    """A dim of ``x`` as a number where the graph knows it, else a 0-d tensor read at run time."""
    return x.shape[axis] if x.shape[axis] is not None else shape_of(x)[axis]


def _starts(offset, extent, window, centered, normalized):
    """The first pixel of each glimpse along one axis: ``offset`` (one per image) mapped to pixels, the glimpse's
    half size removed, truncated toward zero (int32)."""
    extent = ops.cast(to_tensor(extent), dtypes.float32) if not isinstance(extent, int) else float(extent)
    if normalized:
        offset = offset * extent
    if centered:
        offset = offset / 2.0 + extent / 2.0
    return ops.cast(offset - window / 2.0, dtypes.int32)


def _read(images, starts, window, extent):
    """``images[i, starts[i] + k]`` along dim 1 for k < window (clamped into the image), and whether each position
    lies inside: ``([batch, window, ...], [batch, window] bool)``."""
    positions = ops.unsqueeze(starts, 1) + to_tensor(list(range(window)), dtypes.int32)
    inside = ops.logical_and(ops.ge(positions, 0), ops.lt(positions, extent))
    clamped = ops.minimum(ops.maximum(positions, 0), extent - 1)
    return ops.batch_gather(images, ops.cast(clamped, dtypes.int64)), inside


def _noise(x, noise, glimpse_shape):
    """"uniform" or "gaussian" noise of ``glimpse_shape`` for the positions outside the image (module
    docstring)."""
    if noise == "uniform":
        low, high = ops.amin(x, dim=(1, 2, 3), keepdim=True), ops.amax(x, dim=(1, 2, 3), keepdim=True)
        return low + random_uniform(glimpse_shape) * (high - low)
    mean = ops.mean(x, dim=(1, 2), keepdim=True)
    deviation = ops.sqrt(ops.mean(ops.square(x - mean), dim=(1, 2), keepdim=True))
    return mean + random_normal(glimpse_shape) * deviation


@tf_op("ExtractGlimpse")
def extract_glimpse(input, size, offsets, centered=True, normalized=True, uniform_noise=True, name=None,
                    noise="uniform"):
    """Glimpses ``[batch, glimpse_height, glimpse_width, channels]`` of ``input`` [batch, height, width, channels]
    (float32), of ``size`` = (glimpse_height, glimpse_width), centred at ``offsets`` [batch, 2] = (y, x) read as
    ``centered`` / ``normalized`` say; positions outside the image hold noise (module docstring)."""
    x = check_dtype(to_tensor(input, dtypes.float32), ("float32",), "input")
    _shaped(x, 4, "input", "ExtractGlimpse")
    offsets = check_dtype(to_tensor(offsets, dtypes.float32), ("float32",), "offsets")
    _shaped(offsets, 2, "offsets", "ExtractGlimpse", last=2)
    if None not in (x.shape[0], offsets.shape[0]) and x.shape[0] != offsets.shape[0]:
        raise ValueError(f"extract_glimpse: offsets must have one (y, x) row per image: {offsets.shape[0]} rows for "
                         f"a batch of {x.shape[0]} (input {x.shape}, offsets {offsets.shape})")
    window = constant_value(size, "size")
    if not isinstance(window, (list, tuple)) or len(window) != 2 or any(
            isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in window):
        raise ValueError(f"extract_glimpse: size must be 2 positive ints (glimpse_height, glimpse_width), got "
                         f"{window!r}")
    if noise not in _NOISES:
        raise ValueError(f"extract_glimpse: noise must be one of {_NOISES}, got {noise!r}")
    if uniform_noise and noise != "uniform":
        raise ValueError(f"extract_glimpse: uniform_noise=True and noise={noise!r} should not be given together "
                         "(pass uniform_noise=False)")
    if noise == "uniform" and not uniform_noise:
        noise = "gaussian"
    (glimpse_height, glimpse_width), height, width = window, _dim(x, 1), _dim(x, 2)
    tops = _starts(offsets[:, 0], height, glimpse_height, centered, normalized)
    lefts = _starts(offsets[:, 1], width, glimpse_width, centered, normalized)
    rows, rows_inside = _read(x, tops, glimpse_height, height)                # [batch, gh, width, channels]
    columns, columns_inside = _read(ops.transpose(rows, 1, 2), lefts, glimpse_width, width)
    glimpse = ops.transpose(columns, 1, 2)                                   # [batch, gh, gw, channels]
    inside = ops.unsqueeze(ops.logical_and(ops.unsqueeze(rows_inside, 2), ops.unsqueeze(columns_inside, 1)), -1)
    glimpse_shape = [_dim(x, 0), glimpse_height, glimpse_width, _dim(x, 3)]
    if noise == "zero":
        return ops.where(inside, glimpse, ops.zeros_like(glimpse))
    # the noise is drawn from the image's statistics but is no function of it to differentiate
    return ops.where(inside, glimpse, stop_gradient(_noise(x, noise, glimpse_shape)))
