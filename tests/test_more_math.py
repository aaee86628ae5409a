"""more_math.py and special_more.py against PyTorch: values far into the ranges the op table keeps to small numbers,
dtypes (integer and bool inputs, promotion), gradients at the special points the op table steps around (ties,
x = 0, y = -1), the named tuples, the Tensor methods and in-place twins, and the errors; plus the dtype helpers
``result_type``, ``promote_types`` and ``can_cast``."""
import math

import numpy as np
import pytest

import minidl.eager as m
from tests.gradient_checks import check_gradient
from tests.torch_version import since_mirrored_torch

try:
    import torch
except ImportError:  # the comparisons with PyTorch are skipped
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

nan, inf = math.nan, math.inf
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
          "complex128"]


def _same(ours, theirs, rtol=1e-12, atol=0.0):
    """Same shape, dtype and values (NaN where PyTorch has NaN)."""
    theirs = theirs.detach()
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).removeprefix("minidl.") == str(theirs.dtype).removeprefix("torch."), (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.numpy(), rtol=rtol, atol=atol, equal_nan=True)


def _grads(m_out, t_out, m_inputs, t_inputs, rtol=1e-12):
    """Gradients of sum(output · cotangent) in minidl and in torch, for a fixed cotangent."""
    cotangent = np.linspace(0.5, 1.5, max(t_out.numel(), 1)).reshape(tuple(t_out.shape))
    ours = m.autograd.grad(m_out, m_inputs, m.tensor(cotangent, dtype=m_out.dtype), allow_unused=True)
    theirs = torch.autograd.grad(t_out, t_inputs, torch.tensor(cotangent, dtype=t_out.dtype), allow_unused=True)
    for a, b, x in zip(ours, theirs, m_inputs):
        a = np.zeros(x.shape) if a is None else a.numpy()
        b = np.zeros(x.shape) if b is None else b.numpy()
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-300)


def _pair(data, dtype=None, requires_grad=False):
    data = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
    return m.tensor(data, requires_grad=requires_grad), torch.tensor(data, requires_grad=requires_grad)


# ---------------------------------------------------------------------------------------------- dtype helpers

@needs_torch
def test_promote_types_and_can_cast_match_torch_for_every_pair():
    for a in DTYPES:
        for b in DTYPES:
            ours = m.promote_types(getattr(m, a), getattr(m, b))
            assert isinstance(ours, m.dtype)  # a dtype object, printed as PyTorch's but for the prefix
            assert str(ours).removeprefix("minidl.") == \
                str(torch.promote_types(getattr(torch, a), getattr(torch, b))).removeprefix("torch.")
            assert m.can_cast(getattr(m, a), getattr(m, b)) == torch.can_cast(getattr(torch, a), getattr(torch, b))


@needs_torch
@pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")
def test_result_type_matches_torch():
    """Tensors with dims outrank 0-d tensors, which outrank numbers, unless those are of a higher category."""
    operands = [([1, 2], "int8"), ([1, 2], "uint8"), ([1.0], "float16"), (3, "int64"), (2.5, "float32"),
                (1, "uint8"), ([True], "bool"), ([1j], "complex64")]
    numbers = [2, 2.5, True, 1j]
    ours = [m.tensor(v, dtype=getattr(m, d)) for v, d in operands] + numbers
    theirs = [torch.tensor(v, dtype=getattr(torch, d)) for v, d in operands] + numbers
    for a, ta in zip(ours, theirs):
        for b, tb in zip(ours, theirs):
            if {getattr(ta, "dtype", None), getattr(tb, "dtype", None)} == {torch.float16, None} and 1j in (ta, tb):
                continue  # PyTorch's answer is complex32, a dtype numpy (and so minidl) does not have
            assert str(m.result_type(a, b)).removeprefix("minidl.") == \
                str(torch.result_type(ta, tb)).removeprefix("torch."), (ta, tb)


# ------------------------------------------------------------------------------------- questions about numbers

@needs_torch
@pytest.mark.parametrize("name", ["signbit", "isneginf", "isposinf", "isreal"])
def test_questions_match_torch_for_every_real_dtype(name):
    data = {"float": [-1.5, -0.0, 0.0, 2.0, inf, -inf, nan], "int": [-3, 0, 5], "bool": [True, False]}
    for values in data.values():
        ours, theirs = _pair(values)
        _same(getattr(m, name)(ours), getattr(torch, name)(theirs))
        _same(getattr(ours, name)(), getattr(theirs, name)())


def test_questions_about_complex_numbers():
    z = m.tensor([1 + 0j, 2 + 1j, nan + 0j])
    assert m.isreal(z).tolist() == [True, False, True]
    with pytest.raises(NotImplementedError, match="signbit is not implemented for complex tensors"):
        m.signbit(z)
    with pytest.raises(RuntimeError, match="isneginf does not support complex inputs"):
        m.isneginf(z)
    with pytest.raises(TypeError, match=r"isposinf\(\): argument 'input' must be a tensor"):
        m.isposinf(1.0)


# ---------------------------------------------------------------------------------------------------- gcd, lcm

@needs_torch
def test_gcd_lcm_match_torch_with_signs_zeros_and_promotion():
    a, ta = _pair([[12, -18, 0, -4, 7]])
    b, tb = _pair([[8], [12], [0]])
    _same(m.gcd(a, b), torch.gcd(ta, tb))
    _same(m.lcm(a, b), torch.lcm(ta, tb))
    small, t_small = _pair([100, 12], "int8")
    wide, t_wide = _pair([3, 8], "int32")
    _same(m.gcd(small, wide), torch.gcd(t_small, t_wide))  # int8 with int32: int32
    _same(small.lcm(small + 1), t_small.lcm(t_small + 1))  # int8 overflow wraps around, as in PyTorch
    c, tc = _pair([12, 18])
    _same(c.gcd_(m.tensor([8, 4])), tc.gcd_(torch.tensor([8, 4])))
    _same(c.lcm_(m.tensor([3, 5])), tc.lcm_(torch.tensor([3, 5])))


def test_gcd_lcm_errors():
    with pytest.raises(NotImplementedError, match="gcd: \"gcd_cpu\" not implemented for 'Float'"):
        m.gcd(m.tensor([1.0]), m.tensor([2.0]))
    with pytest.raises(NotImplementedError, match="lcm.*'Bool'"):
        m.lcm(m.tensor([True]), m.tensor([True]))
    with pytest.raises(TypeError, match=r"gcd\(\): argument 'other' \(position 2\) must be Tensor, not int"):
        m.gcd(m.tensor([4]), 2)


# ---------------------------------------------------------------------------------- the floating point format

@needs_torch
@since_mirrored_torch
def test_nextafter_values_gradients_and_promotion_match_torch():
    a, ta = _pair([0.0, 1.0, 3.0, 2.0, -1.0], "float64", requires_grad=True)
    b, tb = _pair([0.0, 2.0, 0.0, 2.0, 5.0], "float64", requires_grad=True)
    _same(m.nextafter(a, b), torch.nextafter(ta, tb), rtol=0)
    _grads(m.nextafter(a, b), torch.nextafter(ta, tb), [a, b], [ta, tb])  # 0 where a == b, and for b
    x32, t32 = _pair([1.0], "float32")
    _same(m.nextafter(x32, m.tensor([2.0], dtype=m.float64)), torch.nextafter(t32, torch.tensor([2.0],
                                                                                             dtype=torch.float64)))
    _same(x32.nextafter(m.tensor([0.0])), t32.nextafter(torch.tensor([0.0])), rtol=0)
    with pytest.raises(NotImplementedError, match="nextafter: not implemented for int64"):
        m.nextafter(m.tensor([1]), m.tensor([2]))
    with pytest.raises(TypeError, match="argument 'other'.*must be Tensor, not float"):
        m.nextafter(x32, 2.0)


@needs_torch
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_frexp_matches_torch(dtype):
    values = [3.0, -0.1, 0.0, -0.0, 1e-3, 1024.0, inf, -inf, nan]
    x, tx = _pair(values, dtype)
    ours, theirs = m.frexp(x), torch.frexp(tx)
    assert type(ours).__name__ == "frexp" and ours.exponent.dtype == m.int32
    _same(ours.mantissa, theirs.mantissa, rtol=0)
    _same(ours.exponent, theirs.exponent, rtol=0)
    _same(x.frexp()[0], tx.frexp()[0], rtol=0)
    np.testing.assert_array_equal(m.ldexp(*ours).numpy(), x.numpy())  # ldexp undoes frexp


@needs_torch
def test_frexp_gradient_matches_torch():
    x, tx = _pair([3.0, -0.1, 0.0, 1e-5], "float64", requires_grad=True)
    _grads(m.frexp(x).mantissa, torch.frexp(tx).mantissa, [x], [tx])  # 2^(-exponent)
    assert not m.frexp(x).exponent.requires_grad
    with pytest.raises(RuntimeError, match=r"frexp\(\) only supports floating-point dtypes"):
        m.frexp(m.tensor([1, 2]))


def test_frexp_gradient_of_large_exponents():
    """2^(-exponent) is formed in the gradient's dtype: for float64 beyond float32's range (PyTorch forms it in
    float32 and gets 0 and inf there)."""
    x = m.tensor([1e300, 1e-300], dtype=m.float64, requires_grad=True)
    m.frexp(x).mantissa.sum().backward()
    assert m.frexp(x).exponent.tolist() == [997, -996]
    np.testing.assert_allclose(x.grad.numpy(), [2.0 ** -997, 2.0 ** 996], rtol=1e-15)


@needs_torch
@pytest.mark.parametrize("a_dtype, b_dtype", [("float32", "int64"), ("int64", "int64"), ("bool", "bool"),
                                              ("float16", "int64"), ("float32", "float64"), ("int32", "float16")])
def test_ldexp_dtypes_match_torch(a_dtype, b_dtype):
    a, ta = _pair([1, -3, 0, 5], a_dtype)
    b, tb = _pair([3, 0, -2, 1], b_dtype)
    _same(m.ldexp(a, b), torch.ldexp(ta, tb))
    _same(a.ldexp(b[:1]), ta.ldexp(tb[:1]))


@needs_torch
def test_ldexp_gradients_and_in_place():
    x, tx = _pair([3.0, -0.5], "float64", requires_grad=True)
    e, te = _pair([1.5, -2.0], "float64", requires_grad=True)
    _grads(m.ldexp(x, e), torch.ldexp(tx, te), [x, e], [tx, te])
    # integer exponents: d/dx = 2^e. PyTorch computes 2^e in integers for its gradient, so it gets 0 for e < 0.
    ints = m.tensor([2, -1])
    assert m.autograd.grad(m.ldexp(x, ints).sum(), x)[0].tolist() == [4.0, 0.5]
    y = m.tensor([1.0, 2.0])
    assert y.ldexp_(m.tensor([2, -1])) is y and y.tolist() == [4.0, 1.0]
    with pytest.raises(TypeError, match=r"ldexp\(\): argument 'other' \(position 2\) must be Tensor, not int"):
        m.ldexp(y, 3)


# ------------------------------------------------------------------------------------------------- aliases

def test_positive_and_fix():
    x = m.tensor([-1.5, 0.5, 2.7], requires_grad=True)
    assert m.positive(x) is x and x.positive() is x
    assert m.positive(m.tensor([1, 2])).dtype == m.int64
    with pytest.raises(RuntimeError, match="The `\\+` operator, on a bool tensor is not supported"):
        m.positive(m.tensor([True]))
    assert m.fix(x).tolist() == [-1.0, 0.0, 2.0] and x.fix().tolist() == [-1.0, 0.0, 2.0]
    assert m.fix(m.tensor([-3, 4])).dtype == m.int64
    y = m.tensor([-2.5, 3.5])
    assert y.fix_() is y and y.tolist() == [-2.0, 3.0]
    m.fix(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]  # piecewise constant, as trunc


# ------------------------------------------------------------------------------------------- Bessel functions

BESSEL = ["i0", "i0e", "i1", "i1e"]


@needs_torch
@pytest.mark.parametrize("name", BESSEL)
def test_bessel_values_match_torch_over_a_wide_range(name):
    """Both expansions (|x| <= 20 and beyond), overflow of the unscaled ones past ~709.8, ±inf and NaN."""
    magnitudes = np.concatenate([np.logspace(-12, math.log10(700), 400), [19.999, 20.0, 20.001, 800.0, 1e300]])
    x, tx = _pair(np.concatenate([-magnitudes, [0.0], magnitudes, [inf, -inf, nan]]), "float64")
    _same(getattr(m.special, name)(x), getattr(torch.special, name)(tx), rtol=2e-14)
    x32, t32 = _pair(np.linspace(-30, 30, 301), "float32")
    _same(getattr(m.special, name)(x32), getattr(torch.special, name)(t32), rtol=1e-6)
    for values in ([1, 0, -2], [True, False]):  # the default float dtype
        ours, theirs = _pair(values)
        _same(getattr(m.special, name)(ours), getattr(torch.special, name)(theirs), rtol=1e-6)


def test_bessel_known_values_and_symmetry():
    x = m.tensor([0.0, 1.0, -1.0], dtype=m.float64)
    np.testing.assert_allclose(m.i0(x).numpy(), [1.0, 1.2660658777520082, 1.2660658777520082], rtol=1e-15)
    np.testing.assert_allclose(m.special.i1(x).numpy(), [0.0, 0.5651591039924851, -0.5651591039924851], rtol=1e-15)
    assert m.special.i0(x).tolist() == x.i0().tolist() == m.i0(x).tolist()
    y = m.tensor([0.0, 2.0])
    assert y.i0_() is y and y.tolist() == pytest.approx([1.0, 2.2795853])
    with pytest.raises(TypeError, match="i1e: not defined for complex tensors"):
        m.special.i1e(m.tensor([1j]))


@pytest.mark.parametrize("name", BESSEL)
@pytest.mark.parametrize("start", [[-4.0, -0.4, 0.3, 2.0, 4.5], [-25.0, -3.0, 21.0], [0.0]])
def test_bessel_gradients_against_central_differences_and_torch(name, start):
    """d/dx i1 and i1e are 1/2 at 0 (the limit of I_0(x) - I_1(x)/x), i0e's is 0 there (sign(0) = 0). Past the
    switch to the asymptotic expansion (|x| > 20) the scaled functions are checked: i0(25) ~ 5e9 would leave
    central differences few digits."""
    if abs(start[0]) > 20 and not name.endswith("e"):
        start = [s / 5 for s in start]
    check_gradient(lambda L, x: getattr(L.special, name)(x).sum(), np.array(start))
    if start == [0.0]:
        x = m.tensor(start, dtype=m.float64, requires_grad=True)
        getattr(m.special, name)(x).sum().backward()
        assert x.grad.tolist() == [0.5 if name.startswith("i1") else 0.0]


@needs_torch
@pytest.mark.parametrize("name", BESSEL + ["erfcx", "log_ndtr"])
def test_special_second_derivatives_match_torch(name):
    x, tx = _pair([-30.0, -3.0, -0.5, 0.0, 0.7, 2.0, 25.0], "float64", requires_grad=True)
    first, = m.autograd.grad(getattr(m.special, name)(x).sum(), x, create_graph=True)
    t_first, = torch.autograd.grad(getattr(torch.special, name)(tx).sum(), tx, create_graph=True)
    _same(first, t_first, rtol=1e-12)
    _grads(first, t_first, [x], [tx], rtol=1e-8)  # sums of nearly cancelling terms: a few digits go


# ----------------------------------------------------------------------------------- xlog1py, erfcx, log_ndtr

@needs_torch
def test_xlog1py_matches_torch_at_special_points():
    x, tx = _pair([0.0, 0.0, 0.0, 0.0, 2.0, 1.0, 0.0, 3.0], "float64", requires_grad=True)
    y, ty = _pair([-1.0, -2.0, nan, inf, 3.0, -1.0, 0.5, 1e-10], "float64", requires_grad=True)
    _same(m.special.xlog1py(x, y), torch.special.xlog1py(tx, ty))
    keep = [0, 1, 4, 6, 7]  # the gradients where they are numbers (PyTorch's NaN at x = 0, y = -1 included)
    _grads(m.special.xlog1py(x, y)[keep], torch.special.xlog1py(tx, ty)[keep], [x, y], [tx, ty])
    ints, t_ints = _pair([1, 0, 2])
    _same(m.special.xlog1py(ints, 2), torch.special.xlog1py(t_ints, 2), rtol=1e-6)
    _same(m.special.xlog1py(2, ints.double()), torch.special.xlog1py(2, t_ints.double()))
    with pytest.raises(TypeError, match="expected at least one minidl tensor"):
        m.special.xlog1py(2.0, 3.0)
    with pytest.raises(TypeError, match="xlog1py: not implemented for complex"):
        m.special.xlog1py(m.tensor([1j]), 2.0)


@needs_torch
def test_erfcx_and_log_ndtr_match_torch_far_into_the_tails():
    x, tx = _pair(np.concatenate([np.linspace(-26, 30, 2001), [1e10, 1e300, inf, -inf, nan, -30.0]]), "float64")
    _same(m.special.erfcx(x), torch.special.erfcx(tx), rtol=1e-13)
    x, tx = _pair(np.concatenate([np.linspace(-60, 33, 3001), [-1e10, -1e200, 40.0, inf, -inf, nan]]), "float64")
    _same(m.special.log_ndtr(x), torch.special.log_ndtr(tx), rtol=5e-13)  # erfc's tail: both lose ~1e-13 there
    for name in ("erfcx", "log_ndtr"):
        ints, t_ints = _pair([-1, 0, 3])
        _same(getattr(m.special, name)(ints), getattr(torch.special, name)(t_ints), rtol=1e-6)


@pytest.mark.parametrize("name", ["erfcx", "log_ndtr"])
def test_erfcx_and_log_ndtr_gradients(name):
    start = [-25.0, -4.0, -1.5, -0.9, 0.0, 2.0, 9.0] if name == "log_ndtr" else [-2.0, -0.9, 0.0, 2.0, 9.0, 25.0]
    check_gradient(lambda L, x: getattr(L.special, name)(x).sum(), np.array(start))


# ------------------------------------------------------------------------------------------------ inner, vdot

@needs_torch
def test_inner_matches_torch():
    a, ta = _pair(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b, tb = _pair(np.arange(12.0).reshape(2, 2, 3) - 5, requires_grad=True)
    _same(m.inner(a, b), torch.inner(ta, tb))
    _grads(a.inner(b), ta.inner(tb), [a, b], [ta, tb])
    s, ts = _pair(3)
    _same(m.inner(s, m.tensor([1.5, 2.0])), torch.inner(ts, torch.tensor([1.5, 2.0])))  # 0-d: a product
    i, ti = _pair([1, 2])
    _same(m.inner(i, i), torch.inner(ti, ti))
    _same(m.inner(m.zeros(0), m.zeros(0)), torch.inner(torch.zeros(0), torch.zeros(0)))


def test_inner_errors():
    with pytest.raises(RuntimeError, match="inner: both inputs should have same dtype"):
        m.inner(m.tensor([1, 2]), m.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match=r"inner\(\) the last dimension must match .* \[2, 3\] and \[2\]"):
        m.inner(m.ones(2, 3), m.ones(2))
    with pytest.raises(TypeError, match="argument 'other' \\(position 2\\) must be Tensor, not float"):
        m.inner(m.ones(2), 2.0)


@needs_torch
def test_vdot_conjugates_the_first_like_torch():
    a, ta = _pair([1 + 2j, 3j, -1 + 0.5j], requires_grad=True)
    b, tb = _pair([2 + 0j, 1j, 4 - 1j], requires_grad=True)
    _same(m.vdot(a, b), torch.vdot(ta, tb))
    ours = m.autograd.grad(m.real(a.vdot(b) * (0.5 - 2j)), [a, b])
    theirs = torch.autograd.grad(torch.real(ta.vdot(tb) * (0.5 - 2j)), [ta, tb])
    for g, tg in zip(ours, theirs):
        _same(g, tg)
    _same(m.vdot(m.tensor([1, 2]), m.tensor([3, 4])), torch.vdot(torch.tensor([1, 2]), torch.tensor([3, 4])))
    with pytest.raises(RuntimeError, match="vdot: 1D tensors expected, but got 1D and 2D tensors"):
        m.vdot(m.ones(2), m.ones(2, 1))
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        m.vdot(m.ones(2), m.ones(3))


# ------------------------------------------------------------------------------------------- trapezoid rules

@needs_torch
@pytest.mark.parametrize("name", ["trapezoid", "cumulative_trapezoid"])
def test_trapezoid_rules_match_torch(name):
    y, ty = _pair([[1.0, 2, 4], [3, 5, 7]])
    ours, theirs = getattr(m, name), getattr(torch, name)
    for kwargs in ({}, {"dx": 0.5}, {"dim": 0}, {"dx": 2, "dim": -2}):
        _same(ours(y, **kwargs), theirs(ty, **kwargs), rtol=1e-6)
    for positions, kwargs in (([0.0, 1, 3], {}), ([0.0, 1], {"dim": 0}), ([[0.0, 1, 3], [1, 2, 5]], {}),
                              (np.ones((2, 3, 1)), {})):
        x, tx = _pair(positions, "float32")
        _same(ours(y, x, **kwargs), theirs(ty, tx, **kwargs), rtol=1e-6)
    ints, t_ints = _pair([1, 2, 4])
    _same(ours(ints), theirs(t_ints))  # integer samples: float32
    _same(ours(ints, ints), theirs(t_ints, t_ints))
    _same(ours(ints, m.tensor([0.0, 1, 2], dtype=m.float64)), theirs(t_ints, torch.tensor([0.0, 1, 2],
                                                                                          dtype=torch.float64)))
    _same(ours(ints, dx=m.tensor(2.0)), theirs(t_ints, dx=torch.tensor(2.0)))
    for shape, dtype in (((0,), "float32"), ((1,), "float32"), ((0,), "int64"), ((2, 0), "float32")):
        empty, t_empty = _pair(np.ones(shape), dtype)
        _same(ours(empty), theirs(t_empty))  # no samples (trapezoid: 0 of y's dtype) or one (0)


@needs_torch
def test_trapezoid_gradients_match_torch():
    y, ty = _pair([[1.0, 2, 4], [3, 5, 7]], "float64", requires_grad=True)
    x, tx = _pair([0.0, 1, 3], "float64", requires_grad=True)
    _grads(m.trapezoid(y, x), torch.trapezoid(ty, tx), [y, x], [ty, tx])
    _grads(m.cumulative_trapezoid(y, dx=0.3, dim=0), torch.cumulative_trapezoid(ty, dx=0.3, dim=0), [y], [ty])


def test_trapezoid_errors():
    y = m.ones(3)
    with pytest.raises(IndexError, match="trapezoid: Dimension specified as -1 but tensor has no dimensions"):
        m.trapezoid(m.tensor(2.0))
    with pytest.raises(IndexError, match="cumulative_trapezoid: Dimension specified"):
        m.cumulative_trapezoid(m.tensor(2.0))
    with pytest.raises(RuntimeError, match="trapezoid: received a bool input for `x` or `y`"):
        m.trapezoid(m.tensor([True, False]))
    with pytest.raises(RuntimeError, match="There must be one `x` value for each sample point"):
        m.cumulative_trapezoid(y, m.ones(2))
    with pytest.raises(TypeError, match="x or a constant spacing dx, not both"):
        m.trapezoid(y, m.ones(3), dx=1.0)
    with pytest.raises(TypeError, match=r"trapezoid\(\): argument 'x' must be Tensor, not float"):
        m.trapezoid(y, 2.0)
    with pytest.raises(RuntimeError, match="dimension out of range"):
        m.trapezoid(y, dim=1)


# ---------------------------------------------------------------------------------------------- nanmedian, mode

@needs_torch
def test_nanmedian_matches_torch():
    data = [[1.0, nan, 3.0, 2.0], [5.0, 5.0, nan, 1.0], [2.0, 1.0, 2.5, 0.5], [nan, 4.0, nan, nan]]
    x, tx = _pair(data, "float64", requires_grad=True)
    _same(m.nanmedian(x), torch.nanmedian(tx))
    ours, theirs = x.nanmedian(1, keepdim=True), tx.nanmedian(1, keepdim=True)
    assert type(ours).__name__ == "nanmedian"
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)
    _grads(m.nanmedian(x, 0).values, torch.nanmedian(tx, 0).values, [x], [tx])
    ints, t_ints = _pair([[3, 1, 2, 2]])
    _same(m.nanmedian(ints, -1).values, torch.nanmedian(t_ints, -1).values)
    _same(m.nanmedian(m.zeros(0)), torch.nanmedian(torch.zeros(0)))
    _same(m.nanmedian(m.zeros(0, 2), 1).values, torch.nanmedian(torch.zeros(0, 2), 1).values)
    _same(m.nanmedian(m.tensor(3.0), 0).values, torch.nanmedian(torch.tensor(3.0), 0).values)


@needs_torch
def test_nanmedian_without_dim_shares_the_gradient_among_ties_like_torch():
    for data in ([2.0, 1.0, 2.0, nan, 2.0], [nan, nan], [[1.0, nan], [0.5, 1.0]]):
        x, tx = _pair(data, "float64", requires_grad=True)
        _grads(m.nanmedian(x), torch.nanmedian(tx), [x], [tx])


def test_nanmedian_errors():
    with pytest.raises(TypeError, match="nanmedian: not implemented for bool"):
        m.nanmedian(m.tensor([True]))
    with pytest.raises(IndexError, match=r"nanmedian\(\): Expected reduction dim 1 to have non-zero size"):
        m.nanmedian(m.zeros(2, 0), 1)
    with pytest.raises(TypeError, match=r"nanmedian\(\): dim must be an int"):
        m.nanmedian(m.ones(2), (0,))


@needs_torch
def test_mode_matches_torch_with_ties():
    """The smallest of the most frequent values, at the last position where it occurs."""
    for data, dtype in (([1.0, 2, 2, 3, 3], "float64"), ([[5, 1, 5, 1, 2], [4, 4, 3, 3, 3]], "int64"),
                        ([True, False, True], "bool"), ([7.0, 1, 7, 1, 7, 1], "float32"), ([-0.0, 0.0, 1.0], None)):
        x, tx = _pair(data, dtype)
        for ours, theirs in ((m.mode(x), torch.mode(tx)), (x.mode(0, keepdim=True), tx.mode(0, keepdim=True))):
            assert type(ours).__name__ == "mode"
            _same(ours.values, theirs.values)
            _same(ours.indices, theirs.indices)
    _same(m.mode(m.tensor(3.0)).indices, torch.mode(torch.tensor(3.0)).indices)
    _same(m.mode(m.zeros(0, 2)).values, torch.mode(torch.zeros(0, 2)).values)


@needs_torch
def test_mode_gradient_goes_to_the_index_like_torch():
    x, tx = _pair([[1.0, 2, 2, 1], [4, 4, 3, 3]], "float64", requires_grad=True)
    _grads(m.mode(x, 1).values, torch.mode(tx, 1).values, [x], [tx])
    _grads(m.mode(x, 0, True).values, torch.mode(tx, 0, True).values, [x], [tx])


def test_mode_errors():
    with pytest.raises(IndexError, match=r"mode\(\): Expected reduction dim 1 to have non-zero size"):
        m.mode(m.zeros(2, 0))
    with pytest.raises(TypeError, match="mode: not implemented for complex64"):
        m.mode(m.tensor([1j]))
    with pytest.raises(RuntimeError, match="dimension out of range"):
        m.mode(m.ones(2), 1)


# ------------------------------------------------------------------------------------------------- sum_to_size

@needs_torch
def test_sum_to_size_matches_torch():
    x, tx = _pair(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    for size in ((4,), (3, 1), (1, 4), ((1, 3, 1),), (2, 1, 4), ([3, 4],)):
        _same(x.sum_to_size(*size), tx.sum_to_size(*size))
    _grads(x.sum_to_size(3, 1), tx.sum_to_size(3, 1), [x], [tx])
    assert x.sum_to_size(2, 3, 4) is x
    flags, t_flags = _pair([True, True, False])
    _same(flags.sum_to_size(1), t_flags.sum_to_size(1))  # bool sums to int64
    with pytest.raises(RuntimeError, match=r"size \{\[2\]\} is not expandable to size \{\[2, 3, 4\]\}"):
        x.sum_to_size(2)
    with pytest.raises(RuntimeError, match="is not expandable"):
        x.sum_to_size(1, 2, 3, 4)
    with pytest.raises(TypeError, match="expected the size as ints"):
        x.sum_to_size()


def test_graph_mode_builds_the_new_ops_with_static_shapes():
    import minidl.graph as tf
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(m.float64, (None, 3))
        values, indices = m.mode(x, 1)
        total = m.trapezoid(m.special.i0e(x)) + values
        assert tuple(indices.shape) == (None,)
        (gradient,) = tf.gradients(m.sum(total), [x])
    data = np.array([[1.0, 2.0, 2.0], [0.5, -1.0, 0.5]])
    with tf.Session(graph=graph) as session:
        out, grad = session.run([total, gradient], {x: data})
    eager = m.tensor(data, requires_grad=True)
    expected = m.trapezoid(m.special.i0e(eager)) + m.mode(eager, 1).values
    expected.sum().backward()
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(grad, eager.grad.numpy(), rtol=1e-14)
