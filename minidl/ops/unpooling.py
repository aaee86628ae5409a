"""Max unpooling (``max_unpool1d/2d/3d``) and power-average pooling (``lp_pool1d/2d/3d``), layout NCHW (NCDHW in
3-D, NCL in 1-D).

**Max unpooling** is a partial inverse of max pooling: given the pooled values and the ``indices`` that
``max_pool*(return_indices=True)`` returned (the flat position h*W + w of each maximum within its channel), it
writes every value back at its position in a plane of zeros. Everything that was not a maximum stays 0::

    y = zeros(N, C, *output_size);  y[n, c].flat[indices[n, c, i]] = x[n, c, i]

Its gradient reads g back at the same positions, a gather: dL/dx[n, c, i] = g[n, c].flat[indices[n, c, i]]
(``gather``, whose own gradient is a ``scatter_add``, so second order works). Where two entries share an index
(overlapping pooling windows can pick the same pixel), which value lands there is unspecified, as in PyTorch
(here: the last), but both gather the gradient there, as PyTorch's do.

The output size defaults to what the max pooling shrank: ``(in - 1) * stride - 2 * padding + kernel_size`` per
spatial dim. A pooling that floored away some rows or columns cannot be undone by that formula, so
``output_size`` may ask for any size strictly between that default minus and plus the stride.

**Power-average pooling** of order p is the p-norm of each window::

    y = (sum over the window of x^p) ^ (1/p)

PyTorch computes it as ``(sign(a) * relu(|a|) * K) ^ (1/p)`` from the average ``a = avg_pool(x^p)`` of a window
of K pixels. ``sign(a) * relu(|a|)`` is ``a`` itself, but its gradient is 0 where a == 0 (relu's gradient at 0),
which cancels the infinite slope of ``^(1/p)`` there: a window of zeros gets gradient 0, not NaN. A negative
``a`` (odd or fractional p with negative inputs) gives NaN unless 1/p is an integer, and with ``ceil_mode`` the
last, partial window is its mean times K, not its sum — both exactly as PyTorch does. p = inf is the max pooling
of |x|, p = -inf minus the max pooling of -|x|. Made of existing ops, so the gradients come from them.
"""
import math
import numbers

from ..backend import dtypes
from .activations import relu
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor
from .conv_checks import batched, ntuple
from .gather import gather
from .pooling import _check_dtype, _checked_avg_pool, _checked_max_pool, _one, _unbatch
from .shape import flatten, reshape_like, squeeze, unsqueeze
from .unary import abs, sign

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d"]

#: per number of spatial dims: the batched input's layout
_LAYOUTS = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}


# ---------------------------------------------------------------------------------------------- unpooling

class MaxUnpool2d(Op):
    """Zeros of shape (N, C, *output_size) with each entry of ``x`` written at its flat position in
    ``indices``. VJP: gather g at ``indices``. It unpools any number of spatial dims; ``MaxUnpool3d`` differs
    only in the name PyTorch gives the grad_fn."""
    name = "MaxUnpool2D"
    saves_inputs = (1,)  # the indices; x is only copied
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, x, indices, output_size):
        n, c = x.shape[:2]
        plane, planes, per_plane = math.prod(output_size), n * c, math.prod(x.shape[2:])
        if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= plane):
            bad = indices[(indices < 0) | (indices >= plane)].reshape(-1)[0]
            raise OpError(f"max_unpool: Found an invalid max index: {int(bad)} (output volumes are of size "
                          f"{'x'.join(map(str, output_size))}); an index counts the positions of its output plane")
        # every plane flattened into one array: a flat index per entry scatters faster than (plane, position) pairs
        out = xp.zeros(planes * plane, dtype=x.dtype)
        at = indices.reshape(planes, per_plane) + xp.arange(0, planes * plane, plane).reshape(-1, 1)
        out[at.reshape(-1)] = x.reshape(-1)
        return out.reshape((n, c) + tuple(output_size))

    @staticmethod
    def vjp(ctx, g):
        indices = ctx.inputs[1]
        return reshape_like(gather(flatten(g, 2), 2, flatten(indices, 2)), indices), None

    @staticmethod
    def infer(x, indices, output_size):
        return Spec(None if x.shape is None else tuple(x.shape[:2]) + tuple(output_size), x.dtype)


class MaxUnpool3d(MaxUnpool2d):
    name = "MaxUnpool3D"


def _output_size(op_name, sizes, kernel, stride, padding, output_size):
    """The spatial output size: the default ``(in - 1) * stride - 2 * padding + kernel``, or ``output_size``
    (the spatial sizes, or (N, C, *spatial) whose first two are ignored), which must lie strictly within a
    stride of the default."""
    dims = len(kernel)
    default = [None if n is None else (n - 1) * s - 2 * p + k for n, k, s, p in zip(sizes, kernel, stride, padding)]
    if output_size is None:
        if None in default:
            raise OpError(f"{op_name}: the input's spatial sizes {list(sizes)} must be known to compute the default "
                          "output size; give output_size")
        wanted = default
    else:
        if not isinstance(output_size, (tuple, list)):
            raise TypeError(f"{op_name}: output_size must be a sequence of {dims} or {dims + 2} ints, got "
                            f"{output_size!r}")
        wanted = list(output_size)[2:] if len(output_size) == dims + 2 else list(output_size)
        if len(wanted) != dims:
            raise ValueError(f"{op_name}: output_size should be a sequence containing {dims} or {dims + 2} elements, "
                             f"but it has a length of '{len(output_size)}'")
        if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in wanted):
            raise TypeError(f"{op_name}: output_size must hold ints, got {output_size!r}")
        for d, (v, size, s) in enumerate(zip(wanted, default, stride)):
            if size is not None and not size - s < v < size + s:
                raise ValueError(f'{op_name}: invalid output_size "{output_size}" (dim {d} must be between '
                                 f"{size - s} and {size + s}, exclusive, for input {list(sizes)}, "
                                 f"kernel_size={kernel}, stride={stride}, padding={padding})")
    for d, v in enumerate(wanted):
        if v < 0:
            raise ValueError(f"{op_name}: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={v}")
    return tuple(int(v) for v in wanted)


def _max_unpool_nd(op_name, dims, input, indices, kernel_size, stride, padding, output_size):
    x, unbatched = batched(op_name, input, _LAYOUTS[dims], dims + 2)
    if not is_tensor(indices):
        raise TypeError(f"{op_name}: expected indices to be a tensor, got {type(indices).__name__}")
    if indices.dtype != dtypes.int64:
        raise DtypeError(f"{op_name}: elements in indices should be type int64 (as max_pool{dims}d's "
                         f"return_indices=True gives them) but got {describe(indices)}")
    if len(indices.shape) != len(input.shape) or any(
            None not in (a, b) and a != b for a, b in zip(indices.shape, input.shape)):
        raise OpError(f"{op_name}: Expected shape of indices to be same as that of the input tensor "
                      f"({describe(input)}) but got indices tensor {describe(indices)}")
    if x.dtype.kind != "f":
        raise DtypeError(f"{op_name}: expected a floating point input, got {describe(input)}")
    if any(n == 0 for n in x.shape[1:]):
        raise OpError(f"{op_name}: Expected input to have non-zero size for non-batch dimensions, but got "
                      f"{describe(input)}")
    kernel = ntuple(op_name, kernel_size, "kernel_size", 1, dims)
    stride = kernel if stride is None else ntuple(op_name, stride, "stride", 1, dims)
    padding = ntuple(op_name, padding, "padding", 0, dims)
    sizes = _output_size(op_name, x.shape[2:], kernel, stride, padding, output_size)
    indices = unsqueeze(indices, 0) if unbatched else indices
    if dims == 1:  # a sequence is an image of width 1: position l is l*1 + 0
        y = squeeze(apply(MaxUnpool2d, unsqueeze(x, -1), unsqueeze(indices, -1), output_size=sizes + (1,)), -1)
    else:
        y = apply(MaxUnpool3d if dims == 3 else MaxUnpool2d, x, indices, output_size=sizes)
    return _unbatch(unbatched, y)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Undo ``max_pool1d`` partially: ``input`` (N, C, L) or (C, L) written at ``indices`` (from
    ``max_pool1d(..., return_indices=True)``) into zeros of length ``(L - 1) * stride - 2 * padding +
    kernel_size`` (or ``output_size``). ``stride`` defaults to ``kernel_size``."""
    return _max_unpool_nd("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Undo ``max_pool2d`` partially: ``input`` (N, C, H, W) or (C, H, W) written at ``indices`` (h*W + w in the
    output plane) into zeros of size ``(in - 1) * stride - 2 * padding + kernel_size`` per dim (or
    ``output_size``); everything else is 0."""
    return _max_unpool_nd("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """``max_unpool2d`` for ``input`` (N, C, D, H, W) or (C, D, H, W) and the indices of ``max_pool3d``."""
    return _max_unpool_nd("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)


# ------------------------------------------------------------------------------------------ power-average

def _lp_pool_nd(op_name, dims, input, norm_type, kernel_size, stride, ceil_mode):
    x, unbatched = batched(op_name, input, _LAYOUTS[dims], dims + 2)
    _check_dtype(op_name, x, allow_integers=False)
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real):
        raise TypeError(f"{op_name}: norm_type must be a real number, got {norm_type!r}")
    if norm_type == 0:
        raise ZeroDivisionError(f"{op_name}: norm_type must not be 0 (the result is a power 1/norm_type)")
    if dims == 1:  # a sequence is an image of height 1; its kernel size is a number, as in PyTorch
        if isinstance(kernel_size, bool) or not isinstance(kernel_size, numbers.Integral):
            raise TypeError(f"{op_name}: kernel_size must be an int, got {kernel_size!r}")
        x = unsqueeze(x, 2)
        kernel_size, stride = _one(op_name, kernel_size, "kernel_size"), _one(op_name, stride, "stride")
    if norm_type == math.inf:  # the largest |x| of each window
        y = _checked_max_pool(op_name, abs(x), kernel_size, stride, 0, 1, ceil_mode)[0]
    elif norm_type == -math.inf:  # the smallest
        y = -_checked_max_pool(op_name, -abs(x), kernel_size, stride, 0, 1, ceil_mode)[0]
    else:
        window = math.prod(ntuple(op_name, kernel_size, "kernel_size", 1, x.ndim - 2))
        mean = _checked_avg_pool(op_name, x ** norm_type, kernel_size, stride, 0, ceil_mode, True)
        y = (sign(mean) * relu(abs(mean)) * window) ** (1.0 / norm_type)
    return _unbatch(unbatched, squeeze(y, 2) if dims == 1 else y)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The ``norm_type``-norm of each window of ``input`` (N, C, L) or (C, L): ``(sum x^p)^(1/p)`` (see the
    module docstring for PyTorch's formula and its edge cases). ``stride`` defaults to ``kernel_size``."""
    return _lp_pool_nd("lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The ``norm_type``-norm of each window of ``input`` (N, C, H, W) or (C, H, W): ``(sum x^p)^(1/p)``;
    p = 1 is sum pooling, p = inf max pooling of |x|."""
    return _lp_pool_nd("lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``lp_pool2d`` over the last three dims of ``input`` (N, C, D, H, W) or (C, D, H, W)."""
    return _lp_pool_nd("lp_pool3d", 3, input, norm_type, kernel_size, stride, ceil_mode)
