"""Reductions and softmax: bad inputs raise clear errors; and targeted checks of the conventions the op table
cannot express (ties, zeros in prod, the norm at 0, huge logits, empty inputs)."""
import math

import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.ops import OpError


def t(values, requires_grad=False, dtype=None):
    return torchlike.tensor(values, dtype=dtype, requires_grad=requires_grad)


def grad_of(fn, values):
    x = t(values, requires_grad=True, dtype=torchlike.float64)
    fn(x).sum().backward()
    return x.grad.numpy()


# --------------------------------------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("name", ["sum", "mean", "prod", "amax", "argmax", "var", "all", "norm"])
def test_non_tensor_input_is_a_type_error(name):
    with pytest.raises(TypeError, match=rf"{name}\(\): expected a tensor as input, got ndarray"):
        getattr(torchlike, name)(np.ones(3))


def test_dim_out_of_range_names_op_and_shape():
    with pytest.raises(OpError, match=r"sum\(\) of float32\[2, 3\]: dimension out of range .*got 2"):
        torchlike.zeros(2, 3).sum(2)
    with pytest.raises(OpError, match=r"max\(\) of float32\[2, 3\]: dimension out of range .*got -3"):
        torchlike.zeros(2, 3).max(-3)
    with pytest.raises(OpError, match=r"cumsum\(\) of float32\[2\]: dimension out of range"):
        torchlike.zeros(2).cumsum(1)


def test_repeated_dim_is_an_error():
    with pytest.raises(OpError, match=r"mean\(\): dim 0 appears multiple times .*\(0, -2\).*float32\[2, 3\]"):
        torchlike.zeros(2, 3).mean((0, -2))


@pytest.mark.parametrize("call, message", [
    (lambda x: x.sum(1.5), r"sum\(\): dim must be None, an int or a tuple of ints, got 1.5"),
    (lambda x: x.amax("0"), r"amax\(\): dim must be None, an int or a tuple of ints"),
    (lambda x: x.max((0, 1)), r"max\(\): dim must be an int, got \(0, 1\)"),
    (lambda x: x.argmin([0]), r"argmin\(\): dim must be an int"),
    (lambda x: x.cumsum(None), r"cumsum\(\): dim must be an int, got None"),
])
def test_wrong_dim_type(call, message):
    with pytest.raises(TypeError, match=message):
        call(torchlike.zeros(2, 3))


@pytest.mark.parametrize("name", ["mean", "var", "std", "norm"])
def test_float_only_reductions_refuse_integers_naming_the_dtype(name):
    with pytest.raises(TypeError, match=rf"{name}\(\): .*floating point.*Got: int64"):
        getattr(torchlike, name)(t([1, 2, 3]))


def test_mean_of_integers_with_dtype_is_fine():
    assert torchlike.mean(t([1, 2]), dtype=torchlike.float32).item() == 1.5


def test_var_correction_given_twice():
    x = t([1.0, 2.0, 4.0])
    with pytest.raises(TypeError, match=r"var\(\): pass either unbiased or correction, not both"):
        x.var(0, True, correction=1)
    with pytest.raises(TypeError, match=r"std\(\): got unbiased twice"):
        torchlike.std(x, False, unbiased=False)
    with pytest.raises(TypeError, match=r"var\(\): correction must be a number"):
        x.var(correction="1")


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_extremum_of_empty_tensor(name):
    with pytest.raises(RuntimeError, match=rf"{name}\(\): Expected reduction dim to be specified .*float32\[0, 3\]"):
        getattr(torchlike, name)(torchlike.zeros(0, 3))
    with pytest.raises(IndexError, match=rf"{name}\(\): Expected reduction dim 0 to have non-zero size"):
        getattr(torchlike, name)(torchlike.zeros(0, 3), 0)
    result = getattr(torchlike, name)(torchlike.zeros(0, 3), 1)  # other dims may be empty
    assert getattr(result, "values", result).shape == (0,)


def test_argmax_of_empty_tensor():
    with pytest.raises(IndexError, match=r"argmax\(\): Expected reduction dim to be specified"):  # (PyTorch's class)
        torchlike.argmax(torchlike.zeros(2, 0))
    with pytest.raises(IndexError, match=r"argmin\(\): Expected reduction dim 1 to have non-zero size"):
        torchlike.argmin(torchlike.zeros(2, 0), -1)


@pytest.mark.parametrize("p, message", [("abc", "got 'abc'"), (True, "got True")])  # (None: the default, as in PyTorch)
def test_norm_bad_p(p, message):
    with pytest.raises(TypeError, match=rf"norm\(\): p must be a number.*{message}"):
        torchlike.norm(torchlike.ones(2, 2), p)


def test_norm_nuc_is_the_matrix_nuclear_norm():
    a = np.array([[3.0, 0.0], [0.0, -4.0]])  # singular values 4 and 3
    assert torchlike.norm(torchlike.tensor(a), p="nuc").item() == pytest.approx(7.0)
    batch = torchlike.tensor(np.stack([a, 2 * a]))  # (2, 2, 2): the matrices are spanned by dims 1 and 2
    assert torchlike.norm(batch, "nuc", dim=(1, 2), keepdim=True).shape == (2, 1, 1)
    np.testing.assert_allclose(torchlike.norm(batch, "nuc", dim=(1, 2)).numpy(), [7.0, 14.0], rtol=1e-6)
    with pytest.raises(OpError, match=r"linalg.matrix_norm: dim must be a 2-tuple, got \(0, 1, 2\)"):
        torchlike.norm(batch, "nuc")


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_errors(name):
    fn = getattr(torchlike, name)
    with pytest.raises(TypeError, match=rf"{name}\(\): dim must be an int .*got None"):
        fn(torchlike.zeros(3), None)
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'dim'"):
        fn(torchlike.zeros(3))
    with pytest.raises(TypeError, match=rf"{name}\(\): expected a floating point tensor, got int64\[3\]"):
        fn(t([1, 2, 3]), 0)
    with pytest.raises(OpError, match=rf"{name}\(\) of float32\[3\]: dimension out of range"):
        fn(torchlike.zeros(3), 1)
    assert fn(t([1, 2, 3]), 0, dtype=torchlike.float64).dtype == torchlike.float64


# --------------------------------------------------------------------------------------- conventions

def test_ties_share_the_gradient_evenly():
    values = [1.0, 3.0, 3.0, 2.0]
    np.testing.assert_array_equal(grad_of(lambda x: x.amax(), values), [0, 0.5, 0.5, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.max(), values), [0, 0.5, 0.5, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.amin(1), [[2.0, 1.0, 1.0], [1.0, 5.0, 7.0]]),
                                  [[0, 0.5, 0.5], [1, 0, 0]])
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(float("inf")), [-3.0, 1.0, 3.0, 2.0]),
                                  [-0.5, 0, 0.5, 0])


def test_max_with_dim_sends_the_gradient_to_the_index():
    result = torchlike.max(t([[1.0, 3.0, 3.0], [4.0, 0.0, 4.0]]), 1)
    assert result.values.tolist() == [3.0, 4.0] and result.indices.tolist() == [1, 0]
    assert result.indices.dtype == torchlike.int64 and not result.indices.requires_grad
    np.testing.assert_array_equal(grad_of(lambda x: x.max(1).values, [[1.0, 3.0, 3.0], [4.0, 0.0, 4.0]]),
                                  [[0, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(grad_of(lambda x: x.min(0, keepdim=True)[0], [[1.0, 3.0], [0.0, 4.0]]),
                                  [[0, 1], [1, 0]])


def test_max_of_two_tensors_is_maximum():
    assert torchlike.max(t([1.0, 5.0]), t([3.0, 2.0])).tolist() == [3.0, 5.0]
    assert torchlike.min(t([1.0, 5.0]), t([3.0, 2.0])).tolist() == [1.0, 2.0]


def test_prod_gradient_with_zeros():
    np.testing.assert_array_equal(grad_of(lambda x: x.prod(), [2.0, 0.0, 3.0]), [0, 6, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.prod(1), [[2.0, 0.0, 0.0], [2.0, 5.0, 3.0]]),
                                  [[0, 0, 0], [15, 6, 10]])
    # second order at a zero, as PyTorch: d/dx of d(prod)/dx_1 at x = (2, 0, 3) is (3, 0, 2)
    x = t([2.0, 0.0, 3.0], requires_grad=True, dtype=torchlike.float64)
    (g,) = torchlike.autograd.grad(x.prod(), x, create_graph=True)
    (h,) = torchlike.autograd.grad(g[1], x)
    np.testing.assert_array_equal(h.numpy(), [3, 0, 2])
    (h0,) = torchlike.autograd.grad(torchlike.autograd.grad(x.prod(), x, create_graph=True)[0][0], x)
    np.testing.assert_array_equal(h0.numpy(), [0, 3, 0])
    # two zeros: the first derivative is 0 everywhere, the second is not (d²/dx_1 dx_3 = 1.5·2·(-1))
    x = t([1.5, 0.0, 2.0, 0.0, -1.0], requires_grad=True, dtype=torchlike.float64)
    (g,) = torchlike.autograd.grad(x.prod(), x, create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), [0, 0, 0, 0, 0])
    np.testing.assert_array_equal(torchlike.autograd.grad(g.sum(), x)[0].numpy(), [0, -3, 0, -3, 0])


def test_norm_gradient_at_zero_is_zero():
    for p in (2, 3, 1.5, "fro"):
        np.testing.assert_array_equal(grad_of(lambda x: x.norm(p), [0.0, 0.0]), [0, 0])
    np.testing.assert_allclose(grad_of(lambda x: x.norm(dim=1), [[0.0, 0.0], [3.0, -4.0]]),
                               [[0, 0], [0.6, -0.8]])


def test_large_logits_do_not_overflow():
    x = t([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 1000.0]], requires_grad=True)
    s, ls, lse = torchlike.softmax(x, 1), torchlike.log_softmax(x, 1), torchlike.logsumexp(x, 1)
    np.testing.assert_allclose(s.detach().numpy(), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    np.testing.assert_allclose(ls.detach().numpy(), [[0, -1000, -2000], [-math.log(3)] * 3], rtol=1e-6)
    np.testing.assert_allclose(lse.detach().numpy(), [1000, 1000 + math.log(3)], rtol=1e-6)
    (s.sum() + ls.sum() + lse.sum()).backward()
    assert np.isfinite(x.grad.numpy()).all()
    assert torchlike.logsumexp(t([-math.inf, -math.inf]), 0).item() == -math.inf
    assert torchlike.logsumexp(t([math.inf, 1.0]), 0).item() == math.inf


def test_empty_reductions():
    empty = torchlike.zeros(0, 3)
    assert empty.sum().item() == 0 and empty.prod().item() == 1
    assert empty.all().item() is True and empty.any().item() is False
    assert empty.norm().item() == 0 and empty.sum(0).tolist() == [0, 0, 0]
    assert torchlike.logsumexp(empty, 0).tolist() == [-math.inf] * 3
    assert empty.cumsum(0).shape == (0, 3) and torchlike.softmax(empty, 0).shape == (0, 3)


def test_dtypes_follow_pytorch():
    assert t([True, False]).sum().dtype == torchlike.int64
    assert t([1, 2], dtype=torchlike.int32).prod().dtype == torchlike.int64
    assert t([1, 2], dtype=torchlike.int32).cumsum(0).dtype == torchlike.int64
    assert t([1.0, 0.0]).all().dtype == torchlike.bool
    assert torchlike.argmax(t([[1.0, 5.0], [7.0, 2.0]]), keepdim=True).tolist() == [[2]]
    assert t([[1.0, 2.0, 4.0]]).var(1, True, True).shape == (1, 1)  # positional dim, unbiased, keepdim
    assert t([1.0, 2.0, 4.0]).var(False).item() == pytest.approx(14 / 9)  # var(x, unbiased)
