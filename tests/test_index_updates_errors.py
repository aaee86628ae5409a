"""index_add, index_copy, index_fill, masked_scatter, take, take_along_dim, put (index_updates.py), the scaled
products (scaled_products.py), cummax/cummin (running_extrema.py) and diagonal/diag_embed (matrix.py): bad inputs
raise clear errors naming the op and the shapes/dtypes; and the tensor methods, in place ones included, behave as
PyTorch's."""
import numpy as np
import pytest

import minidl.eager as md
from minidl.ops import OpError
from minidl.ops.base import DtypeError


def t(values, dtype=None, requires_grad=False):
    return md.tensor(values, dtype=dtype, requires_grad=requires_grad)


X = md.zeros(3, 4)
I = t([0, 2])


@pytest.mark.parametrize("call, error, message", [
    # ------------------------------------------------------------------------ index_add, index_copy, index_fill
    (lambda: md.index_add(X, 0, t([0.0, 1.0]), md.ones(2, 4)), DtypeError,
     r"index_add_\(\): Expected dtype int32/int64 for index, but got Float \(float32\[2\]\)"),
    (lambda: md.index_copy(X, 0, I.int(), md.ones(2, 4)), DtypeError,
     r"index_copy_\(\): Expected dtype int64 for index, but got Int"),
    (lambda: md.index_fill(X, 0, I.int(), 1.0), DtypeError, r"index_fill_\(\): Expected dtype int64 for index"),
    (lambda: md.index_add(X, 0, [0, 2], md.ones(2, 4)), TypeError, r"index_add_\(\): index must be a tensor"),
    (lambda: md.index_add(X, 0, t([[0, 1]]), md.ones(2, 4)), IndexError,
     r"index_add_\(\): Index is supposed to be a vector, but got int64\[1, 2\]"),
    (lambda: md.index_add(X, 2, I, md.ones(2, 4)), OpError,
     r"index_add_\(\) of float32\[3, 4\]: dimension out of range"),
    (lambda: md.index_add(X, 0, I, md.ones(2, 3)), OpError,
     r"index_add_\(\): source tensor shape must match self tensor shape, excluding the specified dimension. Got "
     r"self.shape = \[3, 4\] source.shape = \[2, 3\]"),
    (lambda: md.index_copy(X, 0, I, md.ones(2, 4, 1)), OpError, r"index_copy_\(\): source tensor shape must match"),
    (lambda: md.index_add(X, 0, I, md.ones(3, 4)), IndexError,
     r"index_add_\(\): Number of indices \(2\) should be equal to source.size\(dim\) \(3\), for dim: 0"),
    (lambda: md.index_add(X, 0, I, md.ones(2, 4, dtype=md.float64)), DtypeError,
     r"index_add_\(\): self \(Float\) and source \(Double\) must have the same scalar type"),
    (lambda: md.index_add(X.long(), 0, I, md.ones(2, 4).long(), alpha=0.5), TypeError,
     r"index_add_\(\): for integral input tensors, argument alpha must not be a floating point number"),
    (lambda: md.index_add(X, 0, t([0, 3]), md.ones(2, 4)), IndexError,
     r"index_add_\(\): index 3 is out of bounds for dimension 0 with size 3"),
    (lambda: md.index_add(X, 0, t([0, -1]), md.ones(2, 4)), IndexError,
     r"index_add_\(\): index -1 is out of bounds for dimension 0 with size 3"),
    (lambda: md.index_copy(X, 1, t([4]), md.ones(3, 1)), IndexError,
     r"index_copy_\(\): index 4 is out of bounds for dimension 1 with size 4"),
    (lambda: md.index_fill(X, 0, t([-4]), 1.0), IndexError,
     r"index_fill_\(\): index -4 is out of bounds for dimension 0 with size 3"),
    (lambda: md.index_fill(X, 0, I, t([1.0, 2.0])), OpError,
     r"index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension\(s\)"),
    # ---------------------------------------------------------------------------------------- masked_scatter
    (lambda: md.masked_scatter(X, X == 0, md.ones(3)), OpError,
     r"masked_scatter_\(\): Number of elements of source < number of ones in mask \(3 < 12\)"),
    (lambda: md.masked_scatter(X, md.ones(3, 4, dtype=md.uint8), md.ones(12)), DtypeError,
     r"masked_scatter_ only supports boolean masks, but got mask with dtype Byte"),
    (lambda: md.masked_scatter(X, X == 0, md.ones(12, dtype=md.float64)), DtypeError,
     r"masked_scatter: expected self and source to have same dtypes but got Float and Double"),
    (lambda: md.masked_scatter(X, md.ones(2, 4, dtype=md.bool), md.ones(12)), OpError,
     r"masked_scatter: shapes \(3, 4\) and \(2, 4\) cannot be broadcast"),
    (lambda: md.masked_scatter(X, X == 0, [1.0]), TypeError, r"masked_scatter\(\): argument 'source' must be a tensor"),
    # --------------------------------------------------------------------------------- take, take_along_dim, put
    (lambda: md.take(X, I.int()), DtypeError, r"take\(\): Expected a long tensor for index, but got Int"),
    (lambda: md.take(X, t([12])), IndexError, r"index 12 is out of bounds for axis 0 with size 12"),
    (lambda: md.take_along_dim(X, t([[0]]).int(), 1), DtypeError,
     r"torch.take_along_dim\(\): dtype of indices should be Long but got Int"),
    (lambda: md.take_along_dim(X, I, 1), OpError,
     r"torch.take_along_dim\(\): input and indices should have the same number of dimensions, but got 2 "
     r"dimensions for input, and 1 dimensions for indices"),
    (lambda: md.take_along_dim(X, t([[0], [1]]), 1), OpError, r"take_along_dim: shapes .* cannot be broadcast"),
    (lambda: md.take_along_dim(X, t([[4]]), 1), RuntimeError, r"index 4 is out of bounds"),
    (lambda: md.put(X, I, md.ones(3)), IndexError,
     r"put_\(\): Expected source and index to have the same number of elements, but got source.numel\(\) = 3, "
     r"index.numel\(\) = 2"),
    (lambda: md.put(X, I, md.ones(2, dtype=md.float64)), DtypeError,
     r"put_\(\): self and source expected to have the same dtype, but got self.dtype = Float and source.dtype = "
     r"Double"),
    (lambda: md.put(X, I.int(), md.ones(2)), DtypeError, r"put_\(\): Expected a long tensor for index, but got Int"),
    (lambda: md.put(X, t([-13]), md.ones(1)), IndexError, r"index -13 is out of bounds"),
    # ------------------------------------------------------------------------------------ diagonal, diag_embed
    (lambda: md.diagonal(md.zeros(2, 3, 4), 0, 1, 1), OpError, r"diagonal dimensions cannot be identical 1, 1"),
    (lambda: md.diagonal(md.zeros(2, 3, 4), 0, 1, 3), OpError, r"diagonal\(\) of float32\[2, 3, 4\]: dimension "
                                                              r"out of range \(expected to be in range of \[-3, 2\]"),
    (lambda: md.diagonal(md.zeros(3)), OpError, r"dimension out of range"),
    (lambda: md.diagonal(md.zeros(3, 3), 1.0), TypeError, r"diagonal\(\): argument 'offset' must be int, not float"),
    (lambda: md.diag_embed(md.zeros(2, 3), 0, 1, 1), OpError, r"diagonal dimensions cannot be identical"),
    (lambda: md.diag_embed(t(2.0)), OpError, r"diag_embed\(\) of float32\[\]: dimension out of range"),
    # ------------------------------------------------------------------------------------- scaled products
    (lambda: md.addcmul(md.ones(3), md.ones(2), md.ones(3)), OpError,
     r"size of tensor a \(2\) must match the size of tensor b \(3\)"),
    (lambda: md.addcmul(md.ones(3), [1.0], md.ones(3)), TypeError, r"addcmul\(\): argument 'tensor1' must be a tensor"),
    (lambda: md.addcdiv(md.ones(3), md.ones(3).long(), md.ones(3).long()), DtypeError,
     r"addcdiv: Integer division with addcdiv is no longer supported"),
    (lambda: md.baddbmm(md.ones(2, 3, 5), md.ones(2, 3, 4), md.ones(2, 4, 3)), OpError,
     r"baddbmm: shapes \(2, 3, 5\) and \(2, 3, 3\) cannot be broadcast"),
    (lambda: md.baddbmm(md.ones(2, 3, 3), md.ones(3, 4), md.ones(2, 4, 3)), OpError,
     r"bmm: batch1 must be a 3D tensor, got float32\[3, 4\]"),
    (lambda: md.baddbmm(md.ones(3, dtype=md.float64), md.ones(2, 3, 4), md.ones(2, 4, 3)), DtypeError,
     r"expected m1 and m2 to have the same dtype, but got: double != float \(baddbmm"),
    (lambda: md.addbmm(md.ones(3, 3, 1), md.ones(2, 3, 4), md.ones(2, 4, 3)), OpError,
     r"addbmm: input float32\[3, 3, 1\] cannot be broadcast to the shape of the summed products batch1 @ batch2, "
     r"\[3, 3\]"),
    (lambda: md.addmv(md.ones(2), md.ones(3, 4), md.ones(4)), OpError, r"addmv: shapes \(2,\) and \(3,\) cannot be"),
    (lambda: md.addmv(md.ones(3), md.ones(3, 4), md.ones(5)), OpError, r"addmv: size mismatch, got input float32\[3\], "
                                                                      r"mat float32\[3, 4\], vec float32\[5\]"),
    (lambda: md.addmv(md.ones(3), md.ones(3, 4), md.ones(4, 1)), OpError, r"addmv: vector \+ matrix @ vector expected"),
    (lambda: md.addr(md.ones(3, 1), md.ones(3, 1), md.ones(4)), OpError, r"addr: Expected 1-D argument vec1, but got "
                                                                        r"float32\[3, 1\]"),
    (lambda: md.addr(md.ones(3, 4).long(), md.ones(3).long(), md.ones(4).long(), alpha=0.5), TypeError,
     r"addr: for integral input tensors, arguments alpha and beta must not be floating point numbers"),
    # ----------------------------------------------------------------------------------------- cummax, cummin
    (lambda: md.cummax(X, 2), OpError, r"cummax\(\) of float32\[3, 4\]: dimension out of range"),
    (lambda: md.cummin(X, None), TypeError, r"cummin\(\): dim must be an int, got None"),
    (lambda: md.cummax([1.0, 2.0], 0), TypeError, r"cummax\(\): expected a tensor as input, got list"),
])
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------------------------------------------- the conventions

def test_index_updates_match_pytorch_on_a_worked_example():
    torch = pytest.importorskip("torch")
    x = np.arange(12.0).reshape(3, 4)
    index, source = np.array([2, 0, 2]), np.arange(12.0, 24.0).reshape(3, 4)
    pairs = [
        (lambda m, a, s: m.index_add(a, 0, m.tensor(index), s, alpha=-2)),
        (lambda m, a, s: m.index_copy(a, 1, m.tensor([3, 0]), s[:, :2])),
        (lambda m, a, s: m.index_fill(a, 1, m.tensor([-1, 1, -1]), -7.5)),
        (lambda m, a, s: m.masked_scatter(a, a > 4, s)),
        (lambda m, a, s: m.take(a, m.tensor([[11, -12], [5, 5]]))),
        (lambda m, a, s: m.take_along_dim(a, m.tensor([[3, -1]]), 1)),
        (lambda m, a, s: m.take_along_dim(a, m.tensor([0, 11, 4]))),
        (lambda m, a, s: m.put(a, m.tensor([1, 1, -1]), s[0, :3], accumulate=True)),
        (lambda m, a, s: m.diagonal(a, -1)),
        (lambda m, a, s: m.diag_embed(a, 1, 0, 2)),
        (lambda m, a, s: m.cummax(a - a.round(), 1).indices),
        (lambda m, a, s: m.cummin(m.tensor([3.0, float("nan"), 1.0, float("nan"), 2.0]), 0).indices),
    ]
    for f in pairs:
        ours, theirs = f(md, md.tensor(x), md.tensor(source)), f(torch, torch.tensor(x), torch.tensor(source))
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_index_fill_value_tensor_gets_the_gradient_of_each_filled_place_once():
    x, v = md.zeros(3, 4, requires_grad=True), t(2.0, requires_grad=True)
    md.index_fill(x, 1, t([0, 0, 2]), v).sum().backward()
    assert v.grad.item() == 6.0 and x.grad.sum().item() == 6.0


def test_cummax_gives_a_named_tuple_and_its_gradient_goes_to_the_positions():
    x = t([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    result = md.cummax(x, 0)
    assert type(result).__name__ == "cummax" and result.indices.tolist() == [0, 1, 2, 2]
    values, indices = result
    values.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 2.0, 0.0]
    assert md.cummin(t(5.0), 0).indices.item() == 0


def test_addbmm_and_friends_ignore_input_with_beta_zero():
    nan = md.full((3, 3), float("nan"))
    out = md.addbmm(nan, md.ones(2, 3, 1), md.ones(2, 1, 3), beta=0)
    assert out.tolist() == [[2.0] * 3] * 3


# --------------------------------------------------------------------------------------- tensor methods

def test_in_place_index_updates_write_into_the_tensor_and_record_the_gradient():
    w = md.ones(3, 2, requires_grad=True)
    y = w * 1
    memory = y.data_ptr()
    y.index_add_(0, t([2, 2]), md.ones(2, 2), alpha=3).index_fill_(1, t([0]), 0.0)
    y.index_copy_(0, t([1]), md.full((1, 2), 5.0)).masked_scatter_(t([[True, False]] * 3), t([9.0, 8.0, 7.0]))
    y.put_(t([1]), t([4.0]), accumulate=True).addcmul_(md.ones(2), md.full((3, 1), 2.0), value=0.5)
    assert y.data_ptr() == memory and y._version == 6
    assert y.tolist() == [[10.0, 6.0], [9.0, 6.0], [8.0, 8.0]]
    y.sum().backward()
    assert w.grad.tolist() == [[0.0, 1.0], [0.0, 0.0], [0.0, 1.0]]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        w.index_fill_(0, t([0]), 1.0)
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
        md.ones(3).addcdiv_(md.ones(2, 3), md.ones(3))


def test_in_place_shape_methods_change_this_tensor():
    x = md.arange(6.0).reshape(2, 3, 1)
    assert x.squeeze_(2) is x and x.shape == (2, 3)
    assert x.unsqueeze_(0).shape == (1, 2, 3) and x.transpose_(0, 2).shape == (3, 2, 1)
    assert x.swapaxes_(0, 1).shape == (2, 3, 1) and x.swapdims_(1, 2).squeeze_().t_().shape == (3, 2)
    assert x.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]] and x._version == 7
    w = md.ones(2, 1, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w.squeeze_()
    y = w * 2
    y.squeeze_().unsqueeze_(0)
    assert y.shape == (1, 2) and y.grad_fn.name() == "UnsqueezeBackward0"
    (y * t([[1.0, 2.0]])).sum().backward()
    assert w.grad.tolist() == [[2.0], [4.0]]


def test_fill_diagonal_matches_pytorch():
    torch = pytest.importorskip("torch")
    for shape, wrap in [((3, 3), False), ((7, 3), True), ((7, 3), False), ((3, 7), True), ((3, 3, 3), False)]:
        ours, theirs = md.zeros(*shape).fill_diagonal_(2.0, wrap), torch.zeros(*shape).fill_diagonal_(2.0, wrap)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x = md.ones(2, 2, requires_grad=True) * 3
    x.fill_diagonal_(0.0).sum().backward()
    with pytest.raises(RuntimeError, match="fill_diagonal_\\(\\): all dimensions of input must be of equal length"):
        md.zeros(2, 3, 2).fill_diagonal_(1.0)
    with pytest.raises(RuntimeError, match="fill_diagonal_\\(\\): dimensions must larger than 1"):
        md.zeros(3).fill_diagonal_(1.0)


def test_methods_exist_with_pytorch_signatures():
    x = md.arange(6.0).reshape(2, 3)
    assert x.take(t([0, 5])).tolist() == [0.0, 5.0] and x.diagonal(1).tolist() == [1.0, 5.0]
    assert x.take_along_dim(t([[2], [0]]), dim=1).tolist() == [[2.0], [3.0]]
    assert x.cummax(1).values.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert md.zeros(2).addmv(md.ones(2, 3), md.ones(3)).tolist() == [3.0, 3.0]
    assert md.zeros(2, 2).addr_(t([1.0, 2.0]), t([1.0, 1.0])).tolist() == [[1.0, 1.0], [2.0, 2.0]]
    assert md.zeros(1, 2, 2).baddbmm_(md.ones(1, 2, 3), md.ones(1, 3, 2), alpha=2).tolist() == [[[6.0] * 2] * 2]
    assert md.zeros(2, 2).addbmm_(md.ones(3, 2, 1), md.ones(3, 1, 2)).tolist() == [[3.0] * 2] * 2
    assert md.ones(2).addcdiv_(md.ones(2), md.full((2,), 4.0), value=2).tolist() == [1.5, 1.5]
    assert t([2.0, 3.0]).diag_embed().tolist() == [[2.0, 0.0], [0.0, 3.0]]


def test_special_functions_and_decompositions_are_methods():
    x = t([[2.0, 0.5], [0.5, 1.0]])
    for name, args in [("lgamma", ()), ("digamma", ()), ("cholesky", ()), ("slogdet", ()), ("logdet", ()),
                       ("pinverse", ()), ("matrix_power", (3,)), ("qr", ()), ("svd", ())]:
        ours, expected = getattr(x, name)(*args), getattr(md, name)(x, *args)
        for a, b in zip(ours if isinstance(ours, tuple) else (ours,), expected if isinstance(expected, tuple)
                        else (expected,)):
            np.testing.assert_allclose(a.numpy(), b.numpy(), err_msg=name)
    assert (x / 4).erfinv().tolist() == md.erfinv(x / 4).tolist()
    assert x.polygamma(1).tolist() == md.polygamma(1, x).tolist()
    y = t([0.5, 2.0])
    y.polygamma_(1).lgamma_().digamma_()
    assert y.tolist() == md.digamma(md.lgamma(md.polygamma(1, t([0.5, 2.0])))).tolist() and y._version == 3


def test_more_math_functions_are_methods_with_in_place_twins():
    x, y = t([[0.25, 0.5], [0.75, 2.0]]), t([[2.0, 3.0], [0.5, 4.0]])
    for name, args in [("sgn", ()), ("logit", ()), ("xlogy", (y,)), ("fmod", (y,)), ("hypot", (y,)),
                       ("logaddexp", (y,)), ("logaddexp2", (y,)), ("copysign", (-y,)), ("frac", ()),
                       ("deg2rad", ()), ("rad2deg", ()), ("sinc", ()), ("heaviside", (y,)), ("logcumsumexp", (1,)),
                       ("kron", (y,)), ("rot90", ()), ("select", (1, 0)), ("dist", (y,)), ("histc", (4,))]:
        ours, expected = getattr(x, name)(*args), getattr(md, name)(x, *args)
        np.testing.assert_allclose(ours.numpy(), expected.numpy(), err_msg=name)
    for name, args in [("sgn", ()), ("xlogy", (y,)), ("fmod", (y,)), ("frac", ()), ("heaviside", (y,))]:
        z = x.clone()
        getattr(z, name + "_")(*args)
        np.testing.assert_allclose(z.numpy(), getattr(md, name)(x, *args).numpy(), err_msg=name + "_")
    assert t([1.0, 2, 3, 4, 5]).unfold(0, 2, 2).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert [p.tolist() for p in t([1.0, 2, 3]).tensor_split(2)] == [[1.0, 2.0], [3.0]]
    w = md.tensor([2.0, 3.0], dtype=md.float64)
    assert w.float_power_(2).tolist() == [4.0, 9.0]
    with pytest.raises(RuntimeError, match="float_power_ has dtype float32 but the operation's result requires "
                                           "dtype float64"):
        t([2.0]).float_power_(2)


def test_index_put_with_and_without_accumulate_and_its_gradient():
    x = md.tensor(np.arange(12.0).reshape(3, 4), dtype=md.float64, requires_grad=True)
    rows, cols = md.tensor([0, 2, 0]), md.tensor([1, 1, -3])   # (0, 1) twice: -3 is column 1
    v = md.tensor([1.0, 2.0, 3.0], dtype=md.float64, requires_grad=True)
    out = x.index_put((rows, cols), v, accumulate=True)
    expected = np.arange(12.0).reshape(3, 4)
    expected[0, 1] += 1.0 + 3.0
    expected[2, 1] += 2.0
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    (out ** 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * expected)
    np.testing.assert_array_equal(v.grad.numpy(), 2 * expected[[0, 2, 0], [1, 1, 1]])
    whole_rows = md.zeros(3, 2).index_put((md.tensor([1, 1]),), md.tensor([1.0, 2.0]), accumulate=True)
    assert whole_rows.tolist() == [[0.0, 0.0], [2.0, 4.0], [0.0, 0.0]]
    y = md.zeros(2, 2)
    assert y.index_put_((md.tensor([0, 1]), md.tensor([1, 0])), md.tensor(5.0)) is y
    assert y.tolist() == [[0.0, 5.0], [5.0, 0.0]]
    with pytest.raises(IndexError, match="out of range for a dim of size 2"):
        y.index_put((md.tensor([2]),), md.tensor(1.0), accumulate=True)
    with pytest.raises(TypeError, match="integer index tensors"):
        y.index_put((md.tensor([0.5]),), md.tensor(1.0), accumulate=True)


def test_renorm_caps_the_norm_of_each_slice():
    x = md.tensor([[3.0, 4.0], [0.3, 0.4]])
    out = x.renorm(2, 0, 1.0)
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    x.renorm_(1, 1, 1.0)   # columns: |3| + |0.3| and |4| + |0.4| are both above 1
    np.testing.assert_allclose(x.numpy(), [[3 / 3.3, 4 / 4.4], [0.3 / 3.3, 0.4 / 4.4]], rtol=1e-6)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        md.renorm(md.ones(3), 2, 0, 1.0)
    with pytest.raises(RuntimeError, match="maxnorm to be >= 0"):
        md.renorm(md.ones(2, 2), 2, 0, -1.0)


def test_more_in_place_samplers_and_top_level_detach():
    md.manual_seed(0)
    g = md.empty(20000).geometric_(0.25)
    assert g.min().item() >= 1 and abs(g.mean().item() - 4.0) < 0.1           # mean 1/p
    logn = md.empty(20000).log_normal_(0.0, 0.5)
    assert abs(logn.log().mean().item()) < 0.02 and abs(logn.log().std().item() - 0.5) < 0.02
    c = md.empty(20000).cauchy_(2.0, 0.5)
    assert abs(c.median().item() - 2.0) < 0.03                                  # the median, not the mean
    with pytest.raises(RuntimeError, match=r"p to be in \(0, 1\]"):
        md.empty(2).geometric_(0.0)
    x = md.ones(2, requires_grad=True)
    assert not md.detach(x * 2).requires_grad
