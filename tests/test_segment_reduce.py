"""``torch.segment_reduce``: values and gradients against PyTorch (every reduction, lengths and offsets, N-D
segments along a later axis, empty segments, ``initial``, ties, zeros and NaNs), gradients of the first and second
order against float64 central differences, and PyTorch's errors. The op table (specs_segment_reduce.py) adds drawn
inputs in every mode."""
import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import central_differences

try:
    import torch
except ImportError:  # the comparisons with PyTorch are skipped without it
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
REDUCTIONS = ["sum", "mean", "max", "min", "prod"]
RNG = np.random.default_rng(7)

# (data shape, keyword arguments): segments with empty ones, gaps before and after the offsets, N-D bounds
CASES = {
    "lengths": ((6,), dict(lengths=[2, 0, 3, 1])),
    "lengths_rows": ((5, 3), dict(lengths=[1, 4, 0])),
    "offsets_gaps": ((7, 2), dict(offsets=[1, 3, 3, 6])),
    "lengths_2d_axis1": ((2, 5, 3), dict(lengths=[[2, 0, 3], [5, 0, 0]], axis=1)),
    "offsets_2d_axis_minus2": ((3, 4, 2), dict(offsets=[[0, 1, 4], [0, 4, 4], [0, 0, 4]], axis=-2)),
    "lengths_3d_axis2": ((2, 2, 4), dict(lengths=[[[1, 3], [4, 0]], [[0, 4], [2, 2]]], axis=2)),
    "initial": ((5, 2), dict(lengths=[2, 0, 3], initial=1.5)),
}


def _call(lib, x, reduce, kwargs, bounds_dtype="int64"):
    kwargs = {k: lib.tensor(v, dtype=getattr(lib, bounds_dtype)) if k in ("lengths", "offsets") else v
              for k, v in kwargs.items()}
    return lib.segment_reduce(x, reduce, **kwargs)


def _compare(values, reduce, kwargs, dtype="float64", cotangent=None, bounds_dtype="int64", rtol=1e-12):
    """Values and gradients (for ``cotangent``: an array, "positive" or None for a random one) of minidl and
    PyTorch, which must agree."""
    ours_x = T.tensor(values, dtype=getattr(T, dtype), requires_grad=True)
    theirs_x = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)
    ours, theirs = _call(T, ours_x, reduce, kwargs, bounds_dtype), _call(torch, theirs_x, reduce, kwargs, bounds_dtype)
    assert ours.dtype.itemsize == theirs.dtype.itemsize and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=0, equal_nan=True)
    if cotangent is None:
        cotangent = RNG.standard_normal(tuple(ours.shape))
    elif cotangent == "positive":  # (PyTorch shares only a positive gradient among ties)
        cotangent = RNG.uniform(0.5, 1.5, tuple(ours.shape))
    g = np.asarray(cotangent, np.float64)
    ours.backward(T.tensor(g, dtype=ours.dtype))
    theirs.backward(torch.tensor(g, dtype=theirs.dtype))
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=rtol, atol=1e-15, equal_nan=True)
    return ours_x.grad.numpy()


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_values_and_gradients_match_pytorch(reduce, case, dtype):
    shape, kwargs = CASES[case]
    _compare(RNG.uniform(0.5, 2, shape) * RNG.choice([-1, 1], shape), reduce, kwargs, dtype,
             rtol=1e-12 if dtype == "float64" else 2e-6)


@needs_torch
@pytest.mark.parametrize("reduce", ["max", "min", "amax", "amin"])
def test_ties_share_the_gradient_as_pytorch(reduce):
    values = [3.0, 3.0, 1.0, 2.0, 2.0, 2.0, 5.0, -1.0]
    kwargs = dict(lengths=[3, 3, 2])
    grad = _compare(values, reduce, kwargs, cotangent=[1.0, 2.0, 0.5])
    if reduce in ("max", "amax"):
        np.testing.assert_allclose(grad, [0.5, 0.5, 0, 2 / 3, 2 / 3, 2 / 3, 0.5, 0])


def test_ties_share_a_negative_gradient_too():
    """PyTorch 2.13 divides only a positive gradient among ties (a negative one goes whole to each tied row); an
    even share for any sign keeps the VJP linear in the gradient."""
    x = T.tensor([3.0, 3.0, 1.0], requires_grad=True)
    T.segment_reduce(x, "max", lengths=T.tensor([3])).backward(T.tensor([-1.0]))
    np.testing.assert_allclose(x.grad.numpy(), [-0.5, -0.5, 0])


@needs_torch
@pytest.mark.parametrize("reduce", ["max", "min"])
def test_initial_takes_no_share_of_a_tie(reduce):
    _compare([10.0, 5.0, 10.0, -3.0, 4.0], reduce, dict(lengths=[3, 2], initial=10.0), cotangent=[1.5, 2.0])


@needs_torch
@pytest.mark.parametrize("values", [[0.0, 3.0, 2.0], [0.0, 0.0, 2.0], [0.0, np.nan, 2.0], [np.nan, 3.0, 2.0],
                                    [np.nan, np.nan, 2.0]], ids=["zero", "two_zeros", "zero_nan", "nan", "two_nans"])
@pytest.mark.parametrize("initial", [None, 2.5])
def test_prod_with_zeros_and_nans_matches_pytorch(values, initial):
    _compare(values + [4.0, 0.0], "prod", dict(lengths=[3, 2], initial=initial))


@needs_torch
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_nan_wins_as_in_pytorch(reduce):
    _compare([1.0, np.nan, 3.0, np.nan, 2.0, 4.0], reduce, dict(lengths=[5, 1]), cotangent=[1.0, 1.0])


@needs_torch
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_float16_and_int32_lengths_match_pytorch(reduce):
    values = RNG.uniform(0.5, 2, (9, 2))
    _compare(values, reduce, dict(lengths=[4, 0, 5]), "float16", bounds_dtype="int32", rtol=2e-3)


@needs_torch
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_unsafe_lengths_leave_the_last_rows_out(reduce):
    grad = _compare(RNG.uniform(0.5, 2, (6, 2)), reduce, dict(lengths=[1, 0, 2], unsafe=True))
    assert not grad[3:].any()


@needs_torch
def test_offsets_win_over_lengths_as_in_pytorch():
    _compare(np.arange(1.0, 7.0), "sum", dict(lengths=[2, 4], offsets=[0, 1, 5]))


@needs_torch
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("shape, lengths", [((0,), [0, 0]), ((2, 0), [1, 1]), ((3,), [3])], ids=str)
def test_empty_data_and_single_segments_match_pytorch(reduce, shape, lengths):
    _compare(np.ones(shape) * 1.5, reduce, dict(lengths=lengths), cotangent="positive")


# -------------------------------------------------------------------------------- against central differences

def _loss(reduce, kwargs, weights):
    def loss(L, x):
        return (_call(L, x, reduce, kwargs) * L.tensor(weights)).sum()
    return loss


def _gradient(build, x, create_graph=False):
    (grad,) = T.autograd.grad(build(T, x), x, create_graph=create_graph)
    return grad


# distinct values away from 0 (max/min: no ties; prod: no division by a tiny value); and for prod a lone zero
GRADIENT_CASES = {
    "rows": ((5, 2), dict(lengths=[2, 0, 3], initial=0.7)),
    "axis1_nd": ((2, 4, 2), dict(offsets=[[0, 3, 4], [1, 2, 4]], axis=1)),
}


@pytest.mark.parametrize("case", GRADIENT_CASES)
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_first_and_second_order_gradients_match_central_differences(reduce, case):
    shape, kwargs = GRADIENT_CASES[case]
    start = (RNG.permutation(int(np.prod(shape))).reshape(shape) + 3) / 4 * RNG.choice([-1, 1], shape)
    if reduce == "prod":
        start.flat[2] = 0.0  # a lone zero: its gradient is the product of the others, not result / value
    weights = RNG.standard_normal(tuple(_call(T, T.tensor(start), reduce, kwargs).shape))
    build = _loss(reduce, kwargs, weights)
    x = T.tensor(start, requires_grad=True)
    np.testing.assert_allclose(_gradient(build, x).numpy(), central_differences(lambda v: build(T, v), start),
                               rtol=1e-6, atol=1e-7)
    # the Hessian along a direction u: the gradient of <gradient, u>, against differences of the gradient
    u = RNG.standard_normal(shape)
    gradient = _gradient(build, x, create_graph=True)
    # (sum, mean, max and min are piecewise linear: their gradient does not depend on x)
    hessian_u = T.autograd.grad((gradient * T.tensor(u)).sum(), x)[0] if gradient.requires_grad else None
    numeric = np.zeros(shape)
    for i in np.ndindex(*shape):
        h = np.zeros(shape)
        h[i] = 1e-6
        moved = [(_gradient(build, T.tensor(start + sign * h, requires_grad=True)).numpy() * u).sum()
                 for sign in (1, -1)]
        numeric[i] = (moved[0] - moved[1]) / 2e-6
    actual = np.zeros(shape) if hessian_u is None else hessian_u.numpy()
    np.testing.assert_allclose(actual, numeric, rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------------------------------------------- errors

def _ones(lib):
    return lib.ones(2, 3, dtype=lib.float64)


ERRORS = {  # name: (call on a library, the exception PyTorch raises)
    "bad_reduce": (lambda L: L.segment_reduce(_ones(L), "average", lengths=L.tensor([2])), RuntimeError),
    "neither_lengths_nor_offsets": (lambda L: L.segment_reduce(_ones(L), "sum"), RuntimeError),
    "indices": (lambda L: L.segment_reduce(_ones(L), "sum", indices=L.tensor([0, 1])), RuntimeError),
    "lengths_not_summing_to_the_axis": (lambda L: L.segment_reduce(_ones(L), "sum", lengths=L.tensor([1])),
                                        RuntimeError),
    "rows_of_lengths_not_summing": (lambda L: L.segment_reduce(_ones(L), "max", lengths=L.tensor([[1, 2], [2, 0]]),
                                                               axis=1), RuntimeError),
    "negative_lengths": (lambda L: L.segment_reduce(_ones(L), "sum", lengths=L.tensor([3, -1])), RuntimeError),
    "float_lengths": (lambda L: L.segment_reduce(_ones(L), "sum", lengths=L.tensor([1.0, 1.0])),
                      NotImplementedError),
    "int16_offsets": (lambda L: L.segment_reduce(_ones(L), "sum", offsets=L.tensor([0, 2], dtype=L.int16)),
                      NotImplementedError),
    "integer_data": (lambda L: L.segment_reduce(L.tensor([1, 2]), "sum", lengths=L.tensor([2])),
                     NotImplementedError),
    "axis_not_the_last_dim_of_lengths": (lambda L: L.segment_reduce(_ones(L), "sum", lengths=L.tensor([3]), axis=1),
                                         RuntimeError),
    "more_dims_in_lengths_than_data": (lambda L: L.segment_reduce(L.ones(3), "sum", lengths=L.tensor([[3]])),
                                       RuntimeError),
    "axis_out_of_range": (lambda L: L.segment_reduce(_ones(L), "sum", lengths=L.tensor([2]), axis=2), IndexError),
    "lengths_as_a_list": (lambda L: L.segment_reduce(_ones(L), "sum", lengths=[2]), TypeError),
    "initial_as_a_string": (lambda L: L.segment_reduce(_ones(L), "sum", lengths=L.tensor([2]), initial="0"),
                            TypeError),
    "initial_overflowing_float16": (lambda L: L.segment_reduce(_ones(L).half(), "sum", lengths=L.tensor([2]),
                                                               initial=1e6), RuntimeError),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_are_pytorchs(name):
    call, expected = ERRORS[name]
    with pytest.raises(expected):
        call(T)
    if torch is not None:
        with pytest.raises(expected):
            call(torch)


@pytest.mark.parametrize("kwargs", [
    dict(lengths=[[2, 1]], axis=1),  # leading dims that are not data's (PyTorch reads past its lengths)
    dict(lengths=[1, 2], unsafe=True),  # past the end of the axis
    dict(offsets=[0, 2, 1]),  # out of order
    dict(offsets=[1, 3]),  # past the end
    dict(offsets=np.zeros(0, np.int64)),  # no segments at all need one offset
], ids=["leading_dims", "unsafe_past_the_end", "offsets_out_of_order", "offsets_past_the_end", "no_offsets"])
def test_segments_outside_the_data_are_refused(kwargs):
    """Where PyTorch reads memory that is not data's (or fails in its kernel), a clear error."""
    with pytest.raises(RuntimeError, match="segment_reduce"):
        _call(T, _ones(T), "sum", kwargs)


def test_grad_fn_is_named_as_pytorchs():
    out = T.segment_reduce(T.ones(3, requires_grad=True), "sum", lengths=T.tensor([3]))
    assert type(out.grad_fn).__name__ == "SegmentReduceBackward0"
