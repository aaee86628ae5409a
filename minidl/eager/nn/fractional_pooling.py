"""Fractional max pooling for eager mode: ``F.fractional_max_pool2d/3d`` (and their ``_with_indices`` forms) and the
layers ``nn.FractionalMaxPool2d/3d``.

The op (``minidl/ops/fractional_pooling.py``, with the window formula) is pure, so its pseudo-random draws come
from here: one number in [0, 1) per (sample, channel, spatial dim), from the eager default generator
(``manual_seed`` reproduces them), unless the caller passes them as ``_random_samples``. With the same samples
the windows, values and indices are PyTorch's.
"""
import numbers

from ... import ops
from ...ops.base import OpError, describe, is_tensor
from ..creation import rand
from ..random import default_generator
from .module import Module

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices", "FractionalMaxPool2d", "FractionalMaxPool3d"]


def _expand(name, value, count, what):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * count
    if len(values) != count:
        raise ValueError(f"{name}: expected {what} to be a single value or a tuple of {count}, got {value!r}")
    return values


def _fractional_max_pool(spatial, input, kernel_size, output_size, output_ratio, return_indices, _random_samples):
    name = f"fractional_max_pool{spatial}d"
    if not is_tensor(input):
        raise TypeError(f"{name}(): argument 'input' must be a tensor, not {type(input).__name__}")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise OpError(f"{name}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) input, got "
                      f"{describe(input)}")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    kernel = _expand(name, kernel_size, spatial, "kernel_size")
    if output_size is None:
        ratios = _expand(name, output_ratio, spatial, "output_ratio")
        output_size = [int(size * ratio) for size, ratio in zip(input.shape[-spatial:], ratios)]
    output_size = _expand(name, output_size, spatial, "output_size")
    for v in kernel + output_size:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name}: kernel_size and output_size must be ints, got {kernel_size!r} and "
                            f"{output_size!r}")
    batched = input.ndim == spatial + 2
    x = input if batched else ops.unsqueeze(input, 0)
    if _random_samples is None:
        _random_samples = rand(x.shape[0], x.shape[1], spatial, generator=default_generator, dtype=x.dtype,
                               device=x.device)
    values, indices = ops.fractional_max_pool(x, _random_samples, kernel, output_size)
    if not batched:
        values, indices = ops.squeeze(values, 0), ops.squeeze(indices, 0)
    return (values, indices) if return_indices else values


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max over ``kernel_size`` windows placed pseudo-randomly so that ``input`` (N, C, H, W) or (C, H, W) shrinks
    to ``output_size``, or to ``int(size * output_ratio)``. ``_random_samples`` (N, C, 2) in [0, 1) fixes the
    placement (column 0 the width's, column 1 the height's)."""
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """The 3-D ``fractional_max_pool2d``: ``input`` (N, C, T, H, W) or (C, T, H, W), ``_random_samples``
    (N, C, 3), one column per dim T, H, W."""
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool2d`` returning (values, indices) always."""
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool3d`` returning (values, indices) always."""
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio, True, _random_samples)


class _FractionalMaxPoolNd(Module):
    spatial = None

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        name = type(self).__name__
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if output_ratio is not None:
            ratios = _expand(name, output_ratio, self.spatial, "output_ratio")
            if not all(0 < r < 1 for r in ratios):
                raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")
        self.kernel_size, self.output_size, self.output_ratio = kernel_size, output_size, output_ratio
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)

    def forward(self, input):
        return _fractional_max_pool(self.spatial, input, self.kernel_size, self.output_size, self.output_ratio,
                                    self.return_indices, self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """``F.fractional_max_pool2d`` as a layer; fresh windows on every call unless ``_random_samples`` is given."""
    spatial = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """``F.fractional_max_pool3d`` as a layer."""
    spatial = 3
