"""Bad inputs to the elementwise ops (unary math, activations, comparisons and selection) raise clear errors
naming the op and the shapes/dtypes involved; plus the behaviours the op table cannot express (integer and bool
dtypes, ties, complex abs, numerical tails), checked against PyTorch where it is installed."""
import math
import warnings

import numpy as np
import pytest

import minidl.eager as tl
import minidl.ops as ops
from minidl.ops.activations import _erfc
from minidl.ops.base import OpError


def f32(*values):
    return tl.tensor(np.array(values, dtype=np.float32))


# ------------------------------------------------------------------------------------------ unary math

@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "tanh", "abs", "floor", "sign", "isnan"])
def test_unary_ops_want_a_tensor(name):
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'input' must be a tensor, not float"):
        getattr(ops, name)(2.0)


def test_sign_of_complex_points_to_the_magnitude_quotient():
    with pytest.raises(TypeError, match=r"sign: not defined for complex tensors \(got complex64\[2\]\)"):
        ops.sign(tl.tensor(np.array([1 + 1j, 2j], dtype=np.complex64)))


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "abs"])
def test_rounding_and_abs_refuse_bool(name):
    with pytest.raises(TypeError, match=rf"{name}: not implemented for bool tensors \(got bool\[2\]\)"):
        getattr(ops, name)(tl.tensor([True, False]))


def test_round_decimals_must_be_an_int_and_needs_floats():
    with pytest.raises(TypeError, match="round: decimals must be an int, got float"):
        ops.round(f32(1.25), decimals=1.5)
    with pytest.raises(OpError, match=r"round: decimals=1 is only supported for floating point tensors "
                                      r"\(got int64\[1\]\)"):
        ops.round(tl.tensor([3]), decimals=1)


def test_integer_and_bool_dtypes_follow_pytorch():
    ints = tl.tensor([3, -2, 0])
    assert ops.exp(ints).dtype == tl.float32 and ops.sqrt(tl.tensor([True])).dtype == tl.float32
    for name in ("floor", "ceil", "round", "trunc", "abs", "sign", "square"):
        out = getattr(ops, name)(ints)
        assert out.dtype == tl.int64, name
    assert ops.floor(ints).tolist() == [3, -2, 0] and ops.abs(ints).tolist() == [3, 2, 0]
    assert ops.sign(tl.tensor([True, False])).tolist() == [True, False]
    assert ops.square(tl.tensor([True, False])).dtype == tl.int64
    assert ops.isnan(ints).tolist() == [False] * 3 and ops.isfinite(tl.tensor([True])).tolist() == [True]


def test_rounding_gives_zero_gradients_instead_of_cutting_the_graph():
    x = tl.tensor([1.5, -0.5, 2.25], requires_grad=True)
    for name in ("floor", "ceil", "round", "trunc", "sign"):
        y = getattr(ops, name)(x)
        assert y.requires_grad and y.grad_fn.name() == f"{name.capitalize()}Backward0"
        (g,) = tl.autograd.grad(ops.sum(y), [x])
        assert g.tolist() == [0.0, 0.0, 0.0]


def test_complex_abs_matches_pytorch():
    torch = pytest.importorskip("torch")
    z = np.array([3 + 4j, 0j, -1 + 0.5j])
    x = tl.tensor(z, requires_grad=True)
    y = ops.abs(x)
    assert y.dtype == tl.float64
    (g,) = tl.autograd.grad(ops.sum(y * tl.tensor([1.0, 2.0, -1.0], dtype=tl.float64)), [x])
    tx = torch.tensor(z, requires_grad=True)
    (tg,) = torch.autograd.grad((torch.abs(tx) * torch.tensor([1.0, 2.0, -1.0], dtype=torch.float64)).sum(), [tx])
    np.testing.assert_allclose(y.detach().numpy(), torch.abs(tx).detach().numpy())
    np.testing.assert_allclose(g.numpy(), tg.numpy())


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "reciprocal", "rsqrt",
                                  "square", "expm1", "log1p"])
def test_complex_gradients_are_conjugated_like_pytorch(name):
    torch = pytest.importorskip("torch")
    z = np.array([0.5 + 0.3j, 1.2 - 0.7j])
    v = np.array([1.0 - 2.0j, 0.5 + 0.25j])
    x = tl.tensor(z, requires_grad=True)
    (g,) = tl.autograd.grad([getattr(ops, name)(x)], [x], [tl.tensor(v)])
    tx = torch.tensor(z, requires_grad=True)
    (tg,) = torch.autograd.grad([getattr(torch, name)(tx)], [tx], [torch.tensor(v)])
    np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-12)


# ----------------------------------------------------------------------------------------- activations

@pytest.mark.parametrize("name", ["leaky_relu", "elu", "gelu", "silu", "softplus"])
def test_activations_refuse_integers_like_pytorch(name):
    with pytest.raises(TypeError, match=rf"{name}: expected a floating point tensor, got int64\[2\]"):
        getattr(ops, name)(tl.tensor([1, -2]))


def test_relu_refuses_bool_but_keeps_integers():
    with pytest.raises(TypeError, match=r"relu: expected a floating point tensor, got bool\[1\]"):
        ops.relu(tl.tensor([True]))
    out = ops.relu(tl.tensor([3, -2]))
    assert out.dtype == tl.int64 and out.tolist() == [3, 0]
    assert ops.sigmoid(tl.tensor([0])).dtype == tl.float32


def test_activations_refuse_complex_and_non_tensors():
    with pytest.raises(TypeError, match=r"relu: complex tensors are not supported \(got complex64\[1\]\)"):
        ops.relu(tl.tensor([1j]))
    with pytest.raises(TypeError, match=r"relu\(\): argument 'input' must be a tensor, not list"):
        ops.relu([1.0, -1.0])


def test_activation_parameters_are_checked():
    x = f32(1.0, -1.0)
    with pytest.raises(OpError, match="gelu: approximate must be 'none' or 'tanh', got 'erf'"):
        ops.gelu(x, approximate="erf")
    with pytest.raises(OpError, match="softplus: beta must be nonzero"):
        ops.softplus(x, beta=0)
    with pytest.raises(TypeError, match="leaky_relu: expected a number for the parameter, got Tensor"):
        ops.leaky_relu(x, negative_slope=f32(0.1))
    with pytest.raises(TypeError, match="elu: expected a number for the parameter, got str"):
        ops.elu(x, alpha="1")


def test_relu_backward_is_one_relu_grad_op():
    x = tl.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = ops.relu(x)
    assert y.grad_fn.name() == "ReluBackward0"
    (g,) = tl.autograd.grad(ops.sum(y), [x], create_graph=True)
    assert g.grad_fn.name() == "ReluGradBackward0" and g.tolist() == [1.0, 0.0, 1.0]


def test_large_inputs_neither_overflow_nor_warn():
    x = tl.tensor(np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0]))
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        s = ops.sigmoid(x).numpy()
        sp = ops.softplus(x).numpy()
        e = ops.elu(x).numpy()
        gl = ops.gelu(x).numpy()
    np.testing.assert_allclose(s, [0.0, 9.357622968840175e-14, 0.5, 1 - 9.357622968840175e-14, 1.0], rtol=1e-12)
    np.testing.assert_allclose(sp, [0.0, 9.357622968840175e-14, math.log(2), 30.0, 1000.0], rtol=1e-12)
    np.testing.assert_allclose(e, [-1.0, -1.0 + math.exp(-30), 0.0, 30.0, 1000.0], rtol=1e-12)
    np.testing.assert_allclose(gl, [0.0, -30 * 0.5 * math.erfc(30 / math.sqrt(2)), 0.0, 30.0, 1000.0], rtol=1e-12)


def test_erfc_is_accurate_in_float64_over_both_branches():
    z = np.concatenate([np.linspace(-6.0, 6.0, 2401), np.linspace(6.0, 26.0, 401), [1.9999999, 2.0]])
    expected = np.array([math.erfc(v) for v in z])
    relative = np.abs(_erfc(np, z) - expected) / expected
    assert relative.max() < 1e-12
    assert _erfc(np, np.array([np.inf, -np.inf])).tolist() == [0.0, 2.0]
    assert np.isnan(_erfc(np, np.array([np.nan]))).all()
    assert _erfc(np, np.zeros((0, 2))).shape == (0, 2) and _erfc(np, np.array(0.5)).shape == ()


# ---------------------------------------------------------------------------------- comparisons, logic

@pytest.mark.parametrize("name", ["eq", "lt", "logical_and", "maximum"])
def test_elementwise_shapes_must_broadcast(name):
    with pytest.raises(OpError, match=r"(?i)" + name.replace("_", "") + r": The size of tensor a \(2\) must match the "
                                      r"size of tensor b \(3\) at non-singleton dimension 0 \(arguments: float32\[2\], "
                                      r"float32\[3\]"):
        getattr(ops, name)(f32(1, 2), f32(1, 2, 3))


def test_shapes_are_checked_when_a_graph_is_built():
    tf = pytest.importorskip("minidl.graph")
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [2])
        b = tf.placeholder(tf.float32, [3])
        with pytest.raises(OpError, match=r"lt: shapes \(2,\) and \(3,\) cannot be broadcast together"):
            ops.lt(a, b)
        with pytest.raises(OpError, match=r"where: shapes \(2,\) and \(2,\) and \(3,\) cannot be broadcast"):
            ops.where(ops.gt(a, 0.0), a, b)


@pytest.mark.parametrize("name", ["lt", "le", "gt", "ge", "maximum", "minimum"])
def test_complex_numbers_have_no_order(name):
    with pytest.raises(TypeError, match=rf"{name}: complex numbers have no order \(got complex64\[1\]"):
        getattr(ops, name)(tl.tensor(np.array([1j], dtype=np.complex64)), 0.5)


def test_operands_must_be_tensors_or_numbers():
    with pytest.raises(TypeError, match="eq: expected a tensor or a number, got str"):
        ops.eq(f32(1.0), "1")
    with pytest.raises(TypeError, match="logical_or: expected a tensor or a number, got list"):
        ops.logical_or(f32(1.0), [1])
    with pytest.raises(TypeError, match=r"logical_not\(\): argument 'input' must be a tensor, not int"):
        ops.logical_not(1)


def test_comparisons_promote_like_pytorch():
    ints = tl.tensor([1, 2])
    assert ops.lt(ints, 1.5).tolist() == [True, False]
    assert ops.eq(ints, 1.0).tolist() == [True, False]
    assert ops.eq(tl.tensor(np.array([1 + 1j])), 1 + 1j).tolist() == [True]
    assert ops.logical_xor(tl.tensor([1.0, 0.0]), tl.tensor([1, 1])).tolist() == [False, True]
    assert ops.logical_not(tl.tensor([1.0, 0.0, float("nan")])).tolist() == [False, True, False]


@pytest.mark.parametrize("lib", ["minidl", "torch"])
def test_equality_with_what_is_not_a_number_is_pythons(lib):
    """``t == "auto"`` is False and ``t != "auto"`` True, as for any two unrelated Python objects, so that
    ``t in (None, "auto")`` works; ordering them is a TypeError."""
    lib = pytest.importorskip("torch") if lib == "torch" else tl
    x = lib.tensor([1.0, 2.0])
    for other in ("a", object(), [1.0, 2.0], None):
        assert (x == other) is False and (x != other) is True
    assert x not in (None, "auto")
    assert (x == 1.0).tolist() == [True, False] and (x == np.float64(2.0)).tolist() == [False, True]
    with pytest.raises(TypeError):
        x < "a"


@pytest.mark.parametrize("lib", ["minidl", "torch"])
def test_rounded_division_passes_zero_gradients(lib):
    """Like floor, a rounded quotient is flat between jumps: its gradient is zeros, not a cut graph."""
    lib = pytest.importorskip("torch") if lib == "torch" else tl
    x, y = lib.tensor([1.5, -2.5], requires_grad=True), lib.tensor([2.0, 0.0], requires_grad=True)
    # (x // y too, in minidl; PyTorch's floor_divide has no derivative and raises in backward)
    for quotient in (lambda: lib.div(x, y, rounding_mode="floor"), lambda: lib.div(x, y, rounding_mode="trunc")):
        result = quotient()
        assert result.requires_grad
        gx, gy = lib.autograd.grad(result.sum(), (x, y), allow_unused=True, materialize_grads=True)
        assert gx.tolist() == [0.0, 0.0] and gy.tolist() == [0.0, 0.0]


def test_maximum_and_minimum_split_ties_like_pytorch():
    a = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = tl.tensor([1.0, 3.0, 2.0], requires_grad=True)
    assert [g.tolist() for g in tl.autograd.grad(ops.sum(ops.maximum(a, b)), [a, b])] == \
        [[0.5, 0.0, 1.0], [0.5, 1.0, 0.0]]
    assert [g.tolist() for g in tl.autograd.grad(ops.sum(ops.minimum(a, b)), [a, b])] == \
        [[0.5, 1.0, 0.0], [0.5, 0.0, 1.0]]
    assert ops.maximum(tl.tensor([1, 2]), tl.tensor([1.5])).dtype == tl.float32


# ------------------------------------------------------------------------------------- clamp and where

def test_clamp_needs_a_bound_and_real_numbers():
    with pytest.raises(OpError, match="clamp: at least one of 'min' or 'max' must not be None"):
        ops.clamp(f32(1.0))
    with pytest.raises(TypeError, match=r"clamp: complex numbers have no order \(got complex64\[1\]\)"):
        ops.clamp(tl.tensor([1j]), 0.0)
    with pytest.raises(TypeError, match="clamp: expected a tensor or a number, got str"):
        ops.clamp(f32(1.0), "0")
    with pytest.raises(TypeError, match=r"clamp\(\): argument 'input' must be a tensor, not float"):
        ops.clamp(1.0, 0.0)


def test_clamp_gradients_and_dtypes_match_pytorch():
    x = tl.tensor([-1.0, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    (g,) = tl.autograd.grad(ops.sum(ops.clamp(x, 0, 1)), [x])
    assert g.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]  # the bounds themselves belong to the inside, as in PyTorch
    lo = tl.tensor([0.0, 0.0, 0.0, 0.0, 3.0], requires_grad=True)
    hi = tl.tensor([1.0, 1.0, 1.0, 1.0, 1.0], requires_grad=True)
    y = ops.clamp(x, lo, hi)
    assert y.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]  # min > max: max wins
    assert [t.tolist() for t in tl.autograd.grad(ops.sum(y), [x, lo, hi])] == \
        [[0.0, 1.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]]
    ints = tl.tensor([1, 2, 3])
    assert ops.clamp(ints, min=1).dtype == tl.int64 and ops.clamp(ints, min=1.5).dtype == tl.float32
    assert np.isnan(ops.clamp(f32(float("nan"), 1.0), 0.0, 0.5).numpy()[0])


def test_where_wants_a_bool_condition():
    with pytest.raises(TypeError, match=r"where: expected condition to be a bool tensor, but got float32\[2\]"):
        ops.where(f32(1.0, 0.0), 1.0, 0.0)
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, not list"):
        ops.where([True, False], 1.0, 0.0)
    with pytest.raises(TypeError, match="where: expected a tensor or a number, got str"):
        ops.where(tl.tensor([True]), "a", 0.0)
    with pytest.raises(OpError, match=r"Where: The size of tensor a \(2\) must match the size of tensor b \(3\)"):
        ops.where(tl.tensor([True, False]), f32(1, 2, 3), 0.0)


def test_where_with_numbers_takes_pytorchs_dtypes():
    cond = tl.tensor([True, False])
    assert ops.where(cond, 1.0, 0.0).dtype == tl.float32
    assert ops.where(cond, 1, 0).dtype == tl.int64
    assert ops.where(cond, tl.tensor([1, 2]), 0.5).tolist() == [1.0, 0.5]


def test_masked_fill_checks_mask_and_value():
    x = f32(0.0, 0.0, 0.0)
    with pytest.raises(TypeError, match=r"masked_fill: expected mask to be a bool tensor, but got int64\[3\]"):
        ops.masked_fill(x, tl.tensor([1, 0, 1]), 2.5)
    with pytest.raises(OpError, match=r"masked_fill: only supports a 0-dimensional value tensor, but got "
                                      r"float32\[3\]"):
        ops.masked_fill(x, tl.tensor([True, False, True]), f32(1, 2, 3))
    with pytest.raises(TypeError, match=r"masked_fill: cannot fill float32\[3\] with the complex value 1j"):
        ops.masked_fill(x, tl.tensor([True, False, True]), 1j)
    with pytest.raises(TypeError, match=r"masked_fill\(\): argument 'input' must be a tensor, not list"):
        ops.masked_fill([0.0], tl.tensor([True]), 1.0)


def test_masked_fill_keeps_the_dtype_and_broadcasts_like_pytorch():
    filled = ops.masked_fill(tl.tensor([0, 0, 0]), tl.tensor([True, False, True]), 2.5)
    assert filled.dtype == tl.int64 and filled.tolist() == [2, 0, 2]
    assert ops.masked_fill(f32(0, 0, 0), tl.tensor(np.ones((2, 3), bool)), 1.0).shape == (2, 3)
    x = tl.tensor([0.0, 0.0, 0.0], requires_grad=True)
    v = tl.tensor(2.0, dtype=tl.float64, requires_grad=True)
    y = ops.masked_fill(x, tl.tensor([True, False, True]), v)
    assert y.dtype == tl.float32 and y.grad_fn.name() == "MaskedFillBackward0"
    gx, gv = tl.autograd.grad(ops.sum(y * f32(1, 2, 3)), [x, v])
    assert gx.tolist() == [0.0, 2.0, 0.0] and gv.item() == 4.0 and gv.dtype == tl.float64


def test_erf_keeps_full_relative_precision_near_zero_and_in_the_tails():
    z = np.concatenate([np.geomspace(1e-300, 1.0, 400), np.linspace(1.0, 7.0, 601), [1.9999999, 2.0]])
    z = np.concatenate([z, -z])
    expected = np.array([math.erf(v) for v in z])
    relative = np.abs(ops.erf(tl.tensor(z)).numpy() - expected) / np.abs(expected)
    assert relative.max() < 1e-14  # 1 - erfc(z) would keep only ~8 digits of erf(1e-8)
    assert ops.erf(tl.tensor([0.0, np.inf, -np.inf])).tolist() == [0.0, 1.0, -1.0]


def test_truncating_division_and_in_place_floor_division_refuse_bool_and_complex_by_name():
    """Rounding a quotient has no meaning for complex numbers, and PyTorch has no kernel for two bools: the same
    errors as floor division, where truncating division of bools gave float64 with a NaN."""
    flags = tl.tensor([True, False])
    with pytest.raises(NotImplementedError, match="div \\(rounding_mode='trunc'\\): not implemented for bool"):
        tl.div(flags, flags, rounding_mode="trunc")
    with pytest.raises(TypeError, match="div \\(rounding_mode='trunc'\\): not implemented for complex"):
        tl.div(tl.tensor([1 + 1j]), 3, rounding_mode="trunc")
    with pytest.raises(TypeError, match="floor_divide: not implemented for complex"):
        tl.tensor([1 + 1j]).floor_divide_(2)
