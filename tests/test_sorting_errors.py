"""Sorting, searching and counting (sorting.py, searching.py, statistics.py, and isclose/allclose/equal in
compare.py): bad inputs raise clear errors naming the op and the shapes/dtypes; plus the conventions the op table
cannot express (NaN order, ties, Python-bool results, data-dependent shapes in graph mode)."""
import math

import numpy as np
import pytest

import minidl.eager as md
from minidl import ops
from minidl.ops import OpError


def t(values, dtype=None, requires_grad=False):
    return md.tensor(values, dtype=dtype, requires_grad=requires_grad)


# ----------------------------------------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("name", ["sort", "argsort", "topk", "kthvalue", "median", "unique", "nonzero", "argwhere",
                                  "masked_select", "count_nonzero", "bincount"])
def test_non_tensor_input_is_a_type_error(name):
    args = {"topk": (1,), "kthvalue": (1,), "masked_select": (t([True]),)}.get(name, ())
    with pytest.raises(TypeError, match=rf"{name}\(?\)?: expected a tensor as input, got list"):
        getattr(md, name)([1.0, 2.0], *args)


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.topk(4), OpError, r"topk: selected index k out of range: k=4, but dimension 1 of float32\[2, 3\]"),
    (lambda x: x.topk(-1), OpError, r"topk: selected index k out of range: k=-1"),
    (lambda x: x.topk(1.5), TypeError, r"topk\(\): argument 'k' must be int, not float"),
    (lambda x: x.topk(1, dim=2), OpError, r"topk\(\) of float32\[2, 3\]: dimension out of range"),
    (lambda x: x.kthvalue(0), OpError, r"kthvalue: selected number k out of range for dimension 1: k=0"),
    (lambda x: x.kthvalue(3, 0), OpError, r"kthvalue: .* k=3, but float32\[2, 3\] has 2 entries"),
    (lambda x: x.sort(dim=(0, 1)), TypeError, r"sort\(\): dim must be an int, got \(0, 1\)"),
    (lambda x: x.median(-3), OpError, r"median\(\) of float32\[2, 3\]: dimension out of range"),
    (lambda x: x.unique(dim=2), OpError, r"unique\(\) of float32\[2, 3\]: dimension out of range"),
    (lambda x: x[:, :0].unique(dim=0), OpError, r"There are 0 sized dimensions, and they aren't selected"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call(md.zeros(2, 3))


@pytest.mark.parametrize("name, args", [("sort", ()), ("topk", (1,)), ("argsort", ()), ("unique", ())])
def test_complex_tensors_have_no_order(name, args):
    with pytest.raises(TypeError, match=rf"{name}: not implemented for complex64 tensors \(got complex64\[2\]\)"):
        getattr(md, name)(md.tensor([1 + 1j, 2]), *args)


@pytest.mark.parametrize("name, args", [("median", ()), ("kthvalue", (1,))])
def test_order_statistics_refuse_bool(name, args):
    with pytest.raises(TypeError, match=rf"{name}: not implemented for bool tensors .*cast bool tensors"):
        getattr(md, name)(t([True, False]), *args)


def test_median_along_an_empty_dim_is_an_error_but_of_nothing_is_nan():
    with pytest.raises(IndexError, match=r"median\(\): Expected reduction dim 0 to have non-zero size"):
        md.median(md.zeros(0, 2), 0)
    assert math.isnan(md.median(md.zeros(0)).item())


def test_masked_select_needs_a_bool_mask_that_broadcasts():
    with pytest.raises(TypeError, match=r"masked_select: expected mask to be a bool tensor, but got int64\[2\]"):
        md.masked_select(md.zeros(2), t([1, 0]))
    with pytest.raises(OpError, match=r"masked_select: shapes \(3,\) and \(2,\) cannot be broadcast"):
        md.masked_select(md.zeros(3), t([True, False]))


@pytest.mark.parametrize("x, kwargs, error, message", [
    ([1.0, 2.0], {}, TypeError, r"bincount: only supports 1-d non-negative integral inputs, got float32\[2\]"),
    ([[1, 2]], {}, OpError, r"bincount: only supports 1-d non-negative integral inputs, got int64\[1, 2\]"),
    ([1, -1], {}, OpError, r"bincount: only supports 1-d non-negative integral inputs, but got the value -1"),
    ([1, 2], {"minlength": -1}, OpError, r"bincount: minlength should be an int >= 0, got -1"),
    ([1, 2], {"weights": md.ones(3)}, OpError, r"bincount: weights should be 1-d and have the same length as "
                                               r"input, got weights float32\[3\] for input int64\[2\]"),
])
def test_bincount_errors(x, kwargs, error, message):
    with pytest.raises(error, match=message):
        md.bincount(t(x), **kwargs)


def test_where_needs_both_x_and_y_or_neither():
    with pytest.raises(TypeError, match=r"where: expected both input and other .* or neither"):
        md.where(t([True]), md.ones(1))


def test_var_mean_refuses_integers():
    with pytest.raises(TypeError, match=r"var_mean\(\): .*floating point.*Got: int64"):
        md.var_mean(t([1, 2]))


# ------------------------------------------------------------------------------- closeness and equality

def test_isclose_wants_tensors_of_one_dtype_and_non_negative_tolerances():
    with pytest.raises(TypeError, match=r"isclose\(\): argument 'other' must be a tensor, not float"):
        md.isclose(md.ones(2), 1.0)
    with pytest.raises(TypeError, match=r"isclose\(\): expected both tensors to have the same dtype, got "
                                        r"float32\[2\] and int64\[2\]"):
        md.allclose(md.ones(2), t([1, 1]))
    with pytest.raises(OpError, match=r"isclose\(\): rtol must be greater than or equal to zero, but got -1"):
        md.isclose(md.ones(2), md.ones(2), rtol=-1)


def test_allclose_and_equal_answer_with_python_bools():
    a = t([1.0, float("inf"), 3.0])
    assert md.allclose(a, t([1.000001, float("inf"), 3.0])) is True
    assert md.allclose(a, t([1.0, float("-inf"), 3.0])) is False
    assert md.allclose(t([float("nan")]), t([float("nan")])) is False
    assert md.allclose(t([float("nan")]), t([float("nan")]), equal_nan=True) is True
    assert a.allclose(a + 1e-3, atol=1e-2) is True
    assert md.equal(t([1.0, 2.0]), t([1, 2])) is True  # values compare across dtypes, as in PyTorch
    assert md.equal(t([1.0, 2.0]), t([[1.0, 2.0]])) is False  # but shapes must match exactly
    assert md.equal(t([float("nan")]), t([float("nan")])) is False
    with pytest.raises(TypeError, match=r"equal\(\): argument 'other' must be a tensor, not float"):
        md.equal(md.ones(1), 1.0)


def test_isclose_without_inf_minus_inf_warnings():
    with np.errstate(all="raise"):  # inf - inf would raise here
        close = md.isclose(t([np.inf, -np.inf, np.nan, 1.0]), t([np.inf, np.inf, 1.0, np.inf]), rtol=0.0)
    assert close.tolist() == [True, False, False, False]


# ------------------------------------------------------------------------------------------ conventions

def test_nan_is_the_largest_value():
    x = t([2.0, float("nan"), 1.0])
    assert md.sort(x).indices.tolist() == [2, 0, 1]
    assert md.sort(x, descending=True).indices.tolist() == [1, 0, 2]
    assert md.topk(x, 1).indices.tolist() == [1] and md.topk(x, 1, largest=False).indices.tolist() == [2]
    assert md.argsort(x).tolist() == [2, 0, 1]
    values, indices = md.median(t([[1.0, float("nan"), 2.0], [3.0, 1.0, 2.0]]), 1)
    assert np.isnan(values[0].item()) and values[1].item() == 2.0 and indices.tolist() == [1, 2]


def test_results_are_named_tuples_like_pytorchs():
    x = t([3.0, 1.0, 2.0])
    for result, name in ((md.sort(x), "sort"), (md.topk(x, 2), "topk"), (md.kthvalue(x, 2), "kthvalue"),
                         (md.median(x, 0), "median")):
        assert type(result).__name__ == name and result._fields == ("values", "indices")
    assert md.kthvalue(x, 2).values.item() == 2.0 and md.median(t([1.0, 4.0, 2.0, 3.0])).item() == 2.0


def test_gradient_goes_to_the_picked_entries():
    x = t([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], requires_grad=True)
    (md.topk(x, 2).values * t([[1.0, 10.0]])).sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 10.0], [0.0, 1.0, 10.0]]
    x.grad = None
    md.median(x).backward()  # the lower median of 0..5 is 2
    assert x.grad.tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    assert md.sort(x).indices.requires_grad is False


def test_unique_flags_and_no_gradient():
    x = t([[3.0, 1.0], [3.0, 2.0]], requires_grad=True)
    values, inverse, counts = md.unique(x, return_inverse=True, return_counts=True)
    assert values.tolist() == [1.0, 2.0, 3.0] and inverse.tolist() == [[2, 0], [2, 1]] and counts.tolist() == [1, 1, 2]
    assert not values.requires_grad
    values, counts = x.unique(return_counts=True)
    assert counts.tolist() == [1, 1, 2]
    assert md.unique(t([float("nan"), float("nan"), 1.0])).numel() == 3  # each NaN is a value of its own


def test_nonzero_where_and_count_nonzero():
    x = t([[1, 0], [0, 2]])
    assert md.nonzero(x).tolist() == [[0, 0], [1, 1]] and md.argwhere(x).tolist() == [[0, 0], [1, 1]]
    rows, cols = md.where(x)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]
    assert [p.tolist() for p in md.nonzero(t(5.0), as_tuple=True)] == [[0]]  # 0-d counts as 1-d
    assert tuple(md.nonzero(t(0.0)).shape) == (0, 0) and tuple(md.nonzero(t(5.0)).shape) == (1, 0)
    assert md.count_nonzero(t([[1.0, float("nan")], [0.0, 2.0]]), -1).tolist() == [2, 1]
    assert md.count_nonzero(x).item() == 2


def test_bincount_counts_and_weights():
    assert md.bincount(t([1, 1, 3])).tolist() == [0, 2, 0, 1]
    assert md.bincount(t([1, 1, 3]), minlength=6).tolist() == [0, 2, 0, 1, 0, 0]
    weighted = md.bincount(t([1, 1, 3]), t([0.5, 1.0, 2.0]))
    assert weighted.dtype == md.float32 and weighted.tolist() == [0.0, 1.5, 0.0, 2.0]
    assert md.bincount(t([0]), t([1])).dtype == md.float64  # non-float weights sum as float64
    assert md.bincount(t([], dtype=md.int64)).tolist() == []


def test_var_mean_and_std_mean_return_both_moments():
    x = t([[1.0, 2.0], [3.0, 5.0]])
    v, m = md.var_mean(x, False)  # unbiased=False in dim's place, as PyTorch allows
    assert math.isclose(v.item(), 2.1875) and m.item() == 2.75
    s, m = md.std_mean(x, dim=1, unbiased=False)
    assert s.tolist() == [0.5, 1.0] and m.tolist() == [1.5, 4.0]


# ------------------------------------------------------------------------------------------- graph mode

def test_data_dependent_shapes_are_unknown_in_graph_mode():
    import minidl.graph as tf
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        top = ops.topk(x, 2)
        found = ops.nonzero(x)
        picked = ops.masked_select(x, ops.gt(x, 0))
        assert tuple(top.values.shape.as_list()) == (None, 2) and tuple(found.shape.as_list()) == (None, 2)
        assert tuple(picked.shape.as_list()) == (None,)
        grad = tf.gradients(ops.sum(top.values), x)[0]
    with tf.Session(graph=graph) as session:
        values, rows, g = session.run([top.values, found, grad], {x: [[1.0, -2.0, 3.0]]})
    assert values.tolist() == [[3.0, 1.0]] and rows.tolist() == [[0, 0], [0, 1], [0, 2]]
    assert g.tolist() == [[1.0, 0.0, 1.0]]
