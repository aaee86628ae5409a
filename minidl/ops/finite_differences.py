"""``gradient``: the derivative of a function known only by its samples, along each dim (numpy's and PyTorch's
``gradient``) — finite differences, not autograd.

With samples f_i at coordinates x_i, and h_l = x_i - x_(i-1), h_r = x_(i+1) - x_i around an interior sample,
the second-order accurate central difference is ::

    f'_i ≈ (h_l² f_(i+1) + (h_r² - h_l²) f_i - h_r² f_(i-1)) / (h_l h_r (h_l + h_r))

which for evenly spaced samples (h_l = h_r = h) is (f_(i+1) - f_(i-1)) / 2h. At the two ends there is a
neighbour on one side only: ``edge_order=1`` takes the one-sided first difference, (f_1 - f_0) / h_1;
``edge_order=2`` fits a parabola through the first (last) three samples, for the first sample ::

    f'_0 ≈ -(2h_1 + h_2) / (h_1 (h_1 + h_2)) f_0 + (h_1 + h_2) / (h_1 h_2) f_1 - h_1 / (h_2 (h_1 + h_2)) f_2

(-3f_0 + 4f_1 - f_2) / 2h for even spacing). The coordinates are constants; the result is a weighted sum of
samples, so it is differentiable in them.
"""
import numbers

import numpy

from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .cast import cast
from .combine import cat
from .shape_helpers import narrow

__all__ = ["gradient"]


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative of ``input`` along each dim in ``dim`` (all by default), as a tuple of tensors shaped like
    it. ``spacing``: one number for every dim, one per dim, or one 1-D tensor of coordinates per dim."""
    if not is_tensor(input):
        raise TypeError(f"gradient(): argument 'input' must be a tensor, not {type(input).__name__}")
    if edge_order not in (1, 2):
        raise OpError(f"torch.gradient only supports edge_order=1 and edge_order=2, got {edge_order}")
    dims = list(range(input.ndim)) if dim is None else [dim] if isinstance(dim, numbers.Integral) else list(dim)
    dims = [d % input.ndim if -input.ndim <= d < input.ndim else _bad_dim(d, input) for d in dims]
    for d in dims:
        if dims.count(d) > 1:
            raise OpError(f"dim {d} appears multiple times in the list of dims")
    spacings = list(spacing) if isinstance(spacing, (list, tuple)) else [spacing] * len(dims)
    if len(spacings) != len(dims):
        raise OpError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                      f"arguments to have the same length, but got a spacing argument of length {len(spacings)} "
                      f"and a dim argument of length {len(dims)}")
    # a 0-d tensor is a number; coordinates of a wider floating dtype widen the result, as in PyTorch
    spacings = [s.item() if is_tensor(s) and s.ndim == 0 else s for s in spacings]
    dtype = dtypes.result_type(*[input.dtype] + [s.dtype for s in spacings if is_tensor(s)])
    values = cast(input, dtype if dtype.kind in "fc" else dtypes.get_default_dtype())
    return tuple(_along(values, d, _steps(s, input.shape[d], d), edge_order) for d, s in zip(dims, spacings))


def _bad_dim(d, input):
    raise OpError(f"gradient: dim {d} is out of range for {describe(input)}")


def _steps(spacing, size, dim):
    """The distances between neighbouring samples along a dim of ``size``: (size - 1,) floats, or one float for
    even spacing."""
    if is_tensor(spacing):
        coordinates = numpy.asarray(spacing.tolist(), dtype=numpy.float64)
        if coordinates.shape != (size,):
            raise OpError(f"torch.gradient expected each tensor to be on the same device and to have {size} "
                          f"coordinates along dim {dim}, got spacing of shape {list(coordinates.shape)}")
        return numpy.diff(coordinates)
    return float(spacing)


def _along(f, dim, h, edge_order):
    n = f.shape[dim]
    if n < edge_order + 1:
        raise OpError(f"torch.gradient expected each dimension size to be at least edge_order+1: dim {dim} of "
                      f"{describe(f)} has {n}")
    if isinstance(h, float):  # even spacing: the differences over 2h (h = 0 gives ±inf, as in PyTorch)
        interior = (narrow(f, dim, 2, n - 2) - narrow(f, dim, 0, n - 2)) / (2 * h)
        if edge_order == 1:
            first = (narrow(f, dim, 1, 1) - narrow(f, dim, 0, 1)) / h
            last = (narrow(f, dim, n - 1, 1) - narrow(f, dim, n - 2, 1)) / h
        else:
            first = (-3 * narrow(f, dim, 0, 1) + 4 * narrow(f, dim, 1, 1) - narrow(f, dim, 2, 1)) / (2 * h)
            last = (3 * narrow(f, dim, n - 1, 1) - 4 * narrow(f, dim, n - 2, 1) + narrow(f, dim, n - 3, 1)) / (2 * h)
        return cat([first, interior, last], dim)
    h_l, h_r = h[:-1], h[1:]
    interior = _weighted(f, dim, 0, [-h_r ** 2, h_r ** 2 - h_l ** 2, h_l ** 2] / (h_l * h_r * (h_l + h_r)))
    if edge_order == 1:
        first = _weighted(f, dim, 0, [[-1 / h[0]], [1 / h[0]]])
        last = _weighted(f, dim, n - 2, [[-1 / h[-1]], [1 / h[-1]]])
    else:
        (h1, h2), (g1, g2) = h[:2], h[-2:]
        first = _weighted(f, dim, 0, [[-(2 * h1 + h2) / (h1 * (h1 + h2))], [(h1 + h2) / (h1 * h2)],
                                      [-h1 / (h2 * (h1 + h2))]])
        last = _weighted(f, dim, n - 3, [[g2 / (g1 * (g1 + g2))], [-(g1 + g2) / (g1 * g2)],
                                         [(2 * g2 + g1) / (g2 * (g1 + g2))]])
    return cat([first, interior, last], dim)


def _weighted(f, dim, start, weights):
    """Σ_k weights[k] * f[start + k : start + k + m] along ``dim``: each row of ``weights`` (k, m) multiplies
    the samples k places on, position by position."""
    weights = numpy.asarray(weights, dtype=numpy.float64)
    m = weights.shape[1]
    along_dim = (m,) + (1,) * (f.ndim - dim - 1)
    total = 0
    for k, row in enumerate(weights):
        total = total + narrow(f, dim, start + k, m) * apply(Coefficients, f, values=tuple(row.tolist()),
                                                             shape=along_dim)
    return total


class Coefficients(Op):
    """The constant ``values`` shaped ``shape``, in ``like``'s dtype and on its device (weights that multiply it)."""
    differentiable = False

    @staticmethod
    def forward(xp, like, values, shape):
        return xp.asarray(numpy.array(values).reshape(shape), dtype=like.dtype)

    @staticmethod
    def infer(like, values, shape):
        return Spec(shape, like.dtype)
