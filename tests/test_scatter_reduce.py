"""scatter_reduce and scatter(..., reduce=) (scatter_reduce.py, gather.py): hand-computed values and gradients
(ties, zeros, include_self=False, positions nothing is sent to), the tensor methods in place and out of place,
bad inputs, and — where PyTorch is installed — the same calls in PyTorch. (Random inputs against numpy, central
differences and PyTorch: tests/op_table/specs_scatter_reduce.py.)"""
import warnings

import numpy as np
import pytest

import minidl.eager as md
from minidl.ops import OpError

X = [1.0, 5.0, 3.0, 0.0]
INDEX = [0, 0, 1, 1, 2]


def t(values, dtype=None, requires_grad=False):
    return md.tensor(values, dtype=dtype, requires_grad=requires_grad)


def _run(lib, x, index, src, reduce, include_self, g):
    """The result and the gradients for x and src of ``scatter_reduce`` under cotangent g (float64)."""
    x = lib.tensor(np.array(x), requires_grad=True)
    src = lib.tensor(np.array(src), requires_grad=True)
    out = lib.scatter_reduce(x, 0, lib.tensor(np.array(index)), src, reduce, include_self=include_self)
    out.backward(lib.tensor(np.array(g)))
    return out.detach().numpy(), x.grad.numpy(), src.grad.numpy()


@pytest.mark.parametrize("reduce, include_self, out, grad_x, grad_src", [
    # position 0 gets 5, 5 (and x 1); 1 gets 5, 2 (x 5); 2 gets 3 (x 3); nothing goes to 3
    ("sum", True, [11, 12, 6, 0], [1, 2, 3, 4], [1, 1, 2, 2, 3]),
    ("sum", False, [10, 7, 3, 0], [0, 0, 0, 4], [1, 1, 2, 2, 3]),
    ("mean", True, [11 / 3, 4, 3, 0], [1 / 3, 2 / 3, 1.5, 4], [1 / 3, 1 / 3, 2 / 3, 2 / 3, 1.5]),
    ("mean", False, [5, 3.5, 3, 0], [0, 0, 0, 4], [0.5, 0.5, 1, 1, 3]),
    ("prod", True, [25, 50, 9, 0], [25, 20, 9, 4], [5, 5, 20, 50, 9]),
    ("prod", False, [25, 10, 3, 0], [0, 0, 0, 4], [5, 5, 4, 10, 3]),
    # ties share g: three 5s at position 0 (x excluded: two), x and the 5 at position 1, x and the 3 at 2
    ("amax", True, [5, 5, 3, 0], [0, 1, 1.5, 4], [0.5, 0.5, 1, 0, 1.5]),
    ("amax", False, [5, 5, 3, 0], [0, 0, 0, 4], [0.5, 0.5, 2, 0, 3]),
    ("amin", True, [1, 2, 3, 0], [1, 0, 1.5, 4], [0, 0, 0, 2, 1.5]),
    ("amin", False, [5, 2, 3, 0], [0, 0, 0, 4], [0.5, 0.5, 0, 2, 3]),
])
def test_values_and_gradients_by_hand(reduce, include_self, out, grad_x, grad_src):
    ours = _run(md, X, INDEX, [5.0, 5.0, 5.0, 2.0, 3.0], reduce, include_self, [1.0, 2.0, 3.0, 4.0])
    for got, wanted in zip(ours, (out, grad_x, grad_src)):
        np.testing.assert_allclose(got, wanted, rtol=1e-12)


def test_prod_gradient_with_zeros():
    """g times the product of the other values: nonzero only for a value whose position has no other zero."""
    x, index = [2.0, 0.0, 3.0, 0.0, 4.0], [0, 0, 1, 1, 2, 2, 3, 3, 4]
    src = [0.0, 5.0, 2.0, 7.0, 0.0, 0.0, 2.0, 3.0, 0.0]
    out, grad_x, grad_src = _run(md, x, index, src, "prod", True, [1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(out, 0)
    np.testing.assert_allclose(grad_x, [0, 28, 0, 24, 0])  # the zero x of positions 1 and 3: 2·7·2, 2·3·4
    np.testing.assert_allclose(grad_src, [10, 0, 0, 0, 0, 0, 0, 0, 20])  # 2·5·1 and 4·5
    out, grad_x, grad_src = _run(md, x, index, src, "prod", False, [1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(out, [0, 14, 0, 6, 0])
    np.testing.assert_allclose(grad_src, [5, 0, 14, 4, 0, 0, 12, 8, 5])  # a lone value's "others": the empty product


def test_second_order_of_prod_with_a_lone_zero():
    """d/dsrc of the gradient, where one src value is 0: the products of all but two values."""
    x = t([2.0], dtype=md.float64, requires_grad=True)
    src = t([0.0, 3.0, 5.0], dtype=md.float64, requires_grad=True)
    out = md.scatter_reduce(x, 0, t([0, 0, 0]), src, "prod")
    (grad_src,) = md.autograd.grad(out, [src], create_graph=True)
    np.testing.assert_allclose(grad_src.detach().numpy(), [30, 0, 0])
    (hessian_row,) = md.autograd.grad(grad_src[1], [src])  # d²out / dsrc₁ dsrcⱼ = product of the rest
    np.testing.assert_allclose(hessian_row.numpy(), [10, 0, 0])


def test_dtypes_nan_and_shapes():
    ints = md.scatter_reduce(t([1, 2, 3, 4]), 0, t([0, 0, 2]), t([5, 6, 8]), "mean")
    assert ints.dtype == md.int64 and ints.tolist() == [4, 2, 5, 4]  # (1+5+6)/3, (3+8)/2 rounded down
    assert md.scatter_reduce(-t([1, 2, 3, 4]), 0, t([0, 0, 2]), -t([5, 6, 8]), "mean").tolist() == [-4, -2, -6, -4]
    assert md.scatter_reduce(t([1, 2], dtype=md.uint8), 0, t([0, 0]), t([3, 4], dtype=md.uint8), "amax",
                             include_self=False).tolist() == [4, 2]
    assert md.scatter_reduce(t([True, False]), 0, t([0, 0]), t([True, True]), "prod").tolist() == [True, False]
    nan = float("nan")
    out = md.scatter_reduce(t([1.0, nan, 3.0]), 0, t([0, 1, 2, 2]), t([nan, 2.0, 1.0, 5.0]), "amax")
    np.testing.assert_array_equal(out.numpy(), [nan, nan, 5.0])
    assert md.scatter_reduce(t(2.0), 0, t(0), t(5.0), "prod").item() == 10.0
    x = md.zeros(2, 3)
    out = md.scatter_reduce(x, -1, t([[0, 0], [2, 1]]), md.arange(6.0).reshape(2, 3), "sum", include_self=False)
    assert out.tolist() == [[1.0, 0.0, 0.0], [0.0, 4.0, 3.0]] and x.tolist() == [[0.0] * 3] * 2
    out = md.scatter_reduce(t([1.0, 2.0]), 0, t([1, 1, 1]), t([3.0, 4.0, 5.0]), "mean")
    assert out.grad_fn is None and out.tolist() == [1.0, 3.5]


def test_methods_and_scatter_with_reduce():
    x, index, src = t([1.0, 2.0, 3.0, 4.0]), t([0, 0, 2]), t([5.0, 6.0, 7.0])
    assert x.scatter_reduce(0, index, src, "amax", include_self=False).tolist() == [6.0, 2.0, 7.0, 4.0]
    y = x.clone()
    assert y.scatter_reduce_(0, index, src, reduce="sum") is y and y.tolist() == [12.0, 2.0, 10.0, 4.0]
    with pytest.warns(UserWarning, match="The reduce argument of torch.scatter with Tensor src is deprecated"):
        assert md.scatter(x, 0, index, src, reduce="multiply").tolist() == [30.0, 2.0, 21.0, 4.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a number with reduce is not deprecated
        assert x.scatter(0, index, 3.0, reduce="multiply").tolist() == [9.0, 2.0, 9.0, 4.0]
        assert x.scatter(0, index, value=2.0, reduce="add").tolist() == [5.0, 2.0, 5.0, 4.0]
        y = x.clone()
        assert y.scatter_(0, index, 0.5, reduce="multiply") is y and y.tolist() == [0.25, 2.0, 1.5, 4.0]
    assert x.tolist() == [1.0, 2.0, 3.0, 4.0]
    w = t([1.0, 2.0, 3.0], requires_grad=True)
    out = w.scatter_reduce(0, t([0, 0]), t([4.0, 5.0]), "prod")
    assert out.grad_fn.name() == "ScatterReduceBackward0"
    out.sum().backward()
    assert w.grad.tolist() == [20.0, 1.0, 1.0]


@pytest.mark.parametrize("call, error, message", [
    (lambda: md.scatter_reduce(md.zeros(4), 0, t([0, 1]), md.ones(2), "max"), OpError,
     r"scatter_reduce: reduce argument must be either sum, prod, mean, amax or amin, got 'max'"),
    (lambda: md.scatter_reduce(md.zeros(4), 0, t([0, -1]), md.ones(2), "sum"), IndexError,
     r"index -1 is out of bounds for dimension 0 with size 4"),
    (lambda: md.scatter_reduce(md.zeros(2, 4), 1, t([[0, 4]]), md.ones(1, 2), "sum"), IndexError,
     r"index 4 is out of bounds for dimension 1 with size 4"),
    (lambda: md.scatter_reduce(md.zeros(4), 0, t([0, 1]), md.ones(2, dtype=md.float64), "sum"), TypeError,
     r"scatter_reduce: expected src to have the dtype of self"),
    (lambda: md.scatter_reduce(md.zeros(4), 0, t([0.0]), md.ones(1), "sum"), TypeError,
     r"scatter_reduce: expected an integer \(int64\) tensor for index"),
    (lambda: md.scatter_reduce(md.zeros(4), 0, t([[0]]), md.ones(1, 1), "sum"), OpError,
     r"scatter_reduce: index tensor must have the same number of dimensions as self tensor"),
    (lambda: md.scatter_reduce(md.zeros(4), 0, t([0, 1, 2]), md.ones(2), "sum"), OpError,
     r"scatter_reduce: size does not match at dimension 0: expected index \[3\] to be no larger than src \[2\]"),
    (lambda: md.scatter_reduce(md.zeros(4), 1, t([0]), md.ones(1), "sum"), OpError,
     r"scatter_reduce: dimension out of range"),
    (lambda: md.scatter_reduce(t([True]), 0, t([0]), t([True]), "mean"), NotImplementedError,
     r"scatter_reduce: reduce='mean' is not implemented for bool\[1\]"),
    (lambda: md.scatter_reduce(t([1j]), 0, t([0]), t([2j]), "amax"), NotImplementedError,
     r"reduce='amax' is not implemented for complex64\[1\]"),
    (lambda: md.scatter(md.zeros(4), 0, t([0]), 1.0, reduce="mean"), OpError,
     r"scatter: reduce argument must be either add or multiply, got 'mean'"),
    (lambda: md.scatter(md.zeros(4), 0, t([0]), md.ones(1), value=1.0), TypeError,
     r"scatter: give the values to write as src or as value, not both or neither"),
])
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_no_gradient_for_complex():
    x = t([1 + 1j, 2.0], requires_grad=True)
    out = md.scatter_reduce(x, 0, t([0]), t([3j]), "sum")
    with pytest.raises(NotImplementedError, match="scatter_reduce: no gradient for complex tensors"):
        out.abs().sum().backward()


# -------------------------------------------------------------------------------------------------- PyTorch

CASES = [
    (X, INDEX, [5.0, 5.0, 5.0, 2.0, 3.0]),  # ties, x among them
    ([2.0, 0.0, 3.0, 0.0, 4.0], [0, 0, 1, 1, 2, 3, 3, 4], [0.0, 5.0, 2.0, 7.0, 0.0, 2.0, 3.0, 0.0]),  # lone zeros
    ([0.3, -1.2, 2.5, 0.7], [3, 0, 3, 1, 3], [1.1, -0.4, 0.9, 2.2, -1.7]),
]


@pytest.mark.parametrize("x, index, src", CASES)
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_values_and_gradients_match_pytorch(x, index, src, reduce, include_self):
    """Except for amax/amin with include_self=False where an x left out equals the result (the first case): there
    PyTorch still counts that x among the ties and hands it a share, which it then drops."""
    torch = pytest.importorskip("torch")
    g = [0.5, -1.0, 2.0, 1.5, 3.0][:len(x)]
    ours, theirs = _run(md, x, index, src, reduce, include_self, g), _run(torch, x, index, src, reduce, include_self, g)
    pytorch_counts_left_out_x = reduce in ("amax", "amin") and not include_self and x is X
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if i == 2 and pytorch_counts_left_out_x:
            assert not np.allclose(a, b)
            continue
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_scatter_with_reduce_matches_pytorch():
    torch = pytest.importorskip("torch")
    for lib in (md, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
            index = lib.tensor([[1, 0, 1], [1, 1, 0]])
            results = [x.scatter(0, index, lib.tensor([[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]]), reduce=r).tolist()
                       for r in ("add", "multiply")]
            results += [x.scatter(1, index, 1.5, reduce=r).tolist() for r in ("add", "multiply")]
        if lib is md:
            ours = results
    assert ours == results


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax"])
@pytest.mark.parametrize("index, src", [([0, 0], [5.0, 7.0]), ([0], [5.0]), (0, 5.0), ([], [])])
def test_a_0d_self_takes_a_1d_index_as_pytorch(reduce, index, src):
    """A 0-d self counts as 1-d of one element (as scatter and scatter_add read it); the result is 0-d again."""
    x = md.tensor(1.0, requires_grad=True)
    values = md.tensor(src, requires_grad=True)
    out = md.scatter_reduce(x, 0, md.tensor(index, dtype=md.int64), values, reduce)
    sent = np.atleast_1d(src)
    by_hand = {"sum": 1 + sent.sum(), "prod": np.prod(sent), "mean": (1 + sent.sum()) / (1 + sent.size),
               "amax": max([1.0, *sent])}[reduce]
    assert out.shape == () and out.item() == pytest.approx(by_hand)
    out.backward()
    if reduce == "sum":  # x and every value sent pass the gradient on as it is
        assert x.grad.item() == 1.0 and values.grad.tolist() == np.ones_like(sent).reshape(np.shape(src)).tolist()
