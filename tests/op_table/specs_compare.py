"""Op table entries for comparisons, logic and selection (``minidl.ops.compare``)."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, broadcastable, fixed, floats_array, shapes, unary

# Values that must never tie with another operand are kept off this grid; the other operand lives on it.
_GRID = tuple(k / 2 for k in range(-6, 7))


def _on_grid(a):
    return np.round(a * 2) / 2


def _broadcast_arrays(makers):
    """One array per maker (``maker(shape) -> strategy``), with mutually broadcastable shapes."""
    return shapes().flatmap(
        lambda base: hnp.mutually_broadcastable_shapes(num_shapes=len(makers), base_shape=base, max_dims=3,
                                                       min_side=0)
        .flatmap(lambda bs: st.tuples(*(make(s) for make, s in zip(makers, bs.input_shapes)))))


def _mask(shape):
    return hnp.arrays(np.bool_, shape)


def _off_grid(shape):
    return floats_array(shape, avoid=_GRID)


def _grid(shape):
    return floats_array(shape).map(_on_grid)


def _negative_grid(shape):
    return _grid(shape).map(lambda a: -np.abs(a) - 0.5)


def _positive_grid(shape):
    return _grid(shape).map(lambda a: np.abs(a) + 0.5)


def _with_ties(n=2):
    """Broadcastable arrays of half-integers, so equal elements (and zeros) are common."""
    return broadcastable(n).map(lambda arrays: tuple(_on_grid(a) for a in arrays))


def _comparison(name, reference):
    return [
        OpSpec(name, lambda m, a, b: getattr(m, name)(a, b), reference, _with_ties(), grad_inputs=()),
        OpSpec(f"{name}_scalar", lambda m, a: getattr(m, name)(a, 0.5), lambda a: reference(a, a.dtype.type(0.5)),
               unary().map(lambda t: (_on_grid(t[0]),)), grad_inputs=()),
    ]


def _logical(name, reference):
    return OpSpec(name, lambda m, a, b: getattr(m, name)(a, b), reference, _with_ties(), grad_inputs=())


def _where(cond, x, y):
    return np.where(cond, x, y)


SPECS = [
    *_comparison("eq", np.equal),
    *_comparison("ne", np.not_equal),
    *_comparison("lt", np.less),
    *_comparison("le", np.less_equal),
    *_comparison("gt", np.greater),
    *_comparison("ge", np.greater_equal),

    _logical("logical_and", np.logical_and),
    _logical("logical_or", np.logical_or),
    _logical("logical_xor", np.logical_xor),
    OpSpec("logical_not", lambda m, a: m.logical_not(a), np.logical_not, unary().map(lambda t: (_on_grid(t[0]),)),
           grad_inputs=()),
    OpSpec("logical_and_mask", lambda m, a, b: m.logical_and(m.gt(a, 0), b),
           lambda a, b: np.logical_and(a > 0, b), _with_ties(), grad_inputs=(), notes="bool with float"),

    OpSpec("maximum", lambda m, a, b: m.maximum(a, b), np.maximum, _broadcast_arrays([_off_grid, _grid]),
           grad_inputs=(0, 1), notes="operands never tie (ties are kinks)"),
    OpSpec("minimum", lambda m, a, b: m.minimum(a, b), np.minimum, _broadcast_arrays([_grid, _off_grid]),
           grad_inputs=(0, 1), notes="operands never tie (ties are kinks)"),
    OpSpec("maximum_ties", lambda m, a, b: m.maximum(a, b), np.maximum, fixed([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]),
           grad_inputs=(), notes="values only; the half/half split on ties is tested against PyTorch"),

    OpSpec("clamp", lambda m, a: m.clamp(a, -1.0, 1.5), lambda a: np.clip(a, a.dtype.type(-1), a.dtype.type(1.5)),
           unary(avoid=(-1.0, 1.5)), notes="kinks at the bounds avoided"),
    OpSpec("clamp_min", lambda m, a: m.clamp(a, min=0.5), lambda a: np.maximum(a, a.dtype.type(0.5)),
           unary(avoid=(0.5,))),
    OpSpec("clamp_max", lambda m, a: m.clamp(a, max=-0.5), lambda a: np.minimum(a, a.dtype.type(-0.5)),
           unary(avoid=(-0.5,))),
    OpSpec("clamp_crossed_bounds", lambda m, a: m.clamp(a, 1.0, -1.0), lambda a: np.full_like(a, -1.0), unary(),
           notes="min > max: everything becomes max, as in PyTorch"),
    OpSpec("clip", lambda m, a: m.clip(a, -2.0, 2.0), lambda a: np.clip(a, a.dtype.type(-2), a.dtype.type(2)),
           unary(avoid=(-2.0, 2.0))),
    OpSpec("clamp_tensor_bounds", lambda m, a, lo, hi: m.clamp(a, lo, hi),
           lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi),
           _broadcast_arrays([_off_grid, _negative_grid, _positive_grid]), grad_inputs=(0, 1, 2),
           # PyTorch 2.13's clamp backward fails when x is smaller than the bounds' broadcast shape
           torch_fn=lambda t, a, lo, hi: t.clamp(a + 0 * (lo + hi), lo, hi),
           notes="bounds are half-integers, x is kept off them"),
    OpSpec("clamp_tensor_min", lambda m, a, lo: m.clamp(a, min=lo), np.maximum,
           _broadcast_arrays([_off_grid, _grid]), grad_inputs=(0, 1)),

    OpSpec("clamp_max_tensor", lambda m, a, hi: m.clamp_max(a, hi), np.minimum, _broadcast_arrays([_off_grid, _grid]),
           grad_inputs=(0, 1), second_order=False),

    OpSpec("isclose", lambda m, a, b: m.isclose(a, b, rtol=0.1, atol=0.05), lambda a, b: np.isclose(a, b, 0.1, 0.05),
           _with_ties().map(lambda t: (t[0], t[1] * 1.04)), grad_inputs=(),
           notes="b is 1.04 times a grid value: no pair sits on the tolerance's edge, where rounding decides"),

    OpSpec("where", lambda m, c, a, b: m.where(c, a, b), _where, _broadcast_arrays([_mask, floats_array,
                                                                                    floats_array]),
           grad_inputs=(1, 2), raw_inputs=(0,)),
    OpSpec("where_scalar", lambda m, c, a: m.where(c, a, 0.0), lambda c, a: np.where(c, a, a.dtype.type(0)),
           _broadcast_arrays([_mask, floats_array]), grad_inputs=(1,), raw_inputs=(0,)),
    OpSpec("where_from_comparison", lambda m, a, b: m.where(m.gt(a, b), a * 2.0, b),
           lambda a, b: np.where(a > b, a * a.dtype.type(2), b), _broadcast_arrays([_off_grid, _grid]),
           grad_inputs=(0, 1)),

    OpSpec("masked_fill", lambda m, a, mask: m.masked_fill(a, mask, -1.5),
           lambda a, mask: np.where(mask, a.dtype.type(-1.5), a), _broadcast_arrays([floats_array, _mask]),
           raw_inputs=(1,)),
    OpSpec("masked_fill_tensor_value", lambda m, a, mask, v: m.masked_fill(a, mask, v),
           lambda a, mask, v: np.where(mask, v, a),
           _broadcast_arrays([floats_array, _mask, lambda s: floats_array(())]), grad_inputs=(0, 2),
           raw_inputs=(1,), notes="the 0-d value receives the sum of the gradients of the elements it filled"),
]
