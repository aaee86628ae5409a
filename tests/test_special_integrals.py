"""torch.special.airy_ai and TF's tf.math.special.dawsn / expint / fresnel_cos / fresnel_sin / spence beyond the op
table: float64 values from tiny to huge arguments against mpmath (and airy_ai against PyTorch), the values at 0,
±inf, NaN and outside the domains, first and second derivatives against central differences and closed forms,
graph mode through a Session and tf.gradients, and the dtype rules."""
import math

import numpy as np
import pytest

import minidl.eager as torchlike
import minidl.graph as tf
from tests.gradient_checks import central_differences

mpmath = pytest.importorskip("mpmath")

INTEGRALS = {"dawsn": lambda x: mpmath.sqrt(mpmath.pi) / 2 * mpmath.exp(-x * x) * mpmath.erfi(x),
             "expint": mpmath.ei, "fresnel_cos": mpmath.fresnelc, "fresnel_sin": mpmath.fresnels,
             "spence": lambda x: mpmath.polylog(2, 1 - x)}
#: arguments across every switch between formulas, far out, and near the zeros (Ei's at 0.3725, spence's at 1)
ARGUMENTS = {
    "dawsn": np.concatenate([np.linspace(-9, 9, 121), [6.4999999, 6.5, 6.5000001, 1e-300, 1e-8, 30, 1e5, 1e200]]),
    "expint": np.concatenate([np.linspace(0.02, 60, 101), [1e-300, 1e-8, 0.3725074107813666, 0.37250741078,
                              0.3725, 0.3226, 0.3227, 0.42, 43.99999, 44, 44.00001, 300, 716]]),
    "fresnel_cos": np.concatenate([np.linspace(-6, 6, 121), [1.4999999, 1.5, 1.5000001, 1e-300, 1e-5, 1e3,
                                   12345.678, 1e8, 1e15]]),
    "fresnel_sin": np.concatenate([np.linspace(-6, 6, 121), [1.4999999, 1.5, 1.5000001, 1e-100, 1e-5, 1e3,
                                   12345.678, 1e8, 1e15]]),
    "spence": np.concatenate([np.linspace(0.01, 8, 101), [1e-300, 1e-8, 0.4999999, 0.5, 0.5000001, 1 - 1e-12,
                              1 + 1e-12, 1.9999999, 2, 2.0000001, 1e3, 1e300]]),
}


def _mpmath_values(function, xs, digits=40):
    with mpmath.workdps(digits):
        return np.array([float(function(mpmath.mpf(float(x)))) for x in xs])


def _tensor(xs, requires_grad=False):
    return torchlike.tensor(xs, dtype=torchlike.float64, requires_grad=requires_grad)


def _derivatives(function, xs):
    """(f(x), f'(x), f''(x)) of an eager function, the derivatives by autograd (create_graph for the second)."""
    x = _tensor(xs, requires_grad=True)
    y = function(x)
    (first,) = torchlike.autograd.grad(y.sum(), x, create_graph=True)
    (second,) = torchlike.autograd.grad(first.sum(), x)
    return y.detach().numpy(), first.detach().numpy(), second.numpy()


# ------------------------------------------------------------------------------------------------- airy_ai

def _airy_scale(xs, power):
    """The size against which errors count: |x|^(power)/√π, the amplitude of Ai (power -1/4) or Ai' (power 1/4)
    where they oscillate (x < 0; near their zeros only absolute errors are small), 0 elsewhere."""
    return np.where(xs < 0, np.abs(np.minimum(xs, -1e-300)) ** power / math.sqrt(math.pi), 0.0)


def test_airy_ai_and_its_derivative_against_mpmath():
    """Ai and Ai' (the gradient) across the Taylor nodes' range and its ends (±10), out to x = -1e10 (where the
    phase ⅔|x|^(3/2) = 7e14 needs more than a float64's digits) and to the underflow beyond x = 100."""
    xs = np.concatenate([np.linspace(-12, 12, 97), [-10.0000001, -10, -9.9999999, 9.9999999, 10, 10.0000001, -0.0,
                         1e-300, 2.0801, 50, 100, 104, -50, -1000, -98765.4321, -1e7, -1e10]])
    x = _tensor(xs, requires_grad=True)
    value = torchlike.special.airy_ai(x)
    value.sum().backward()
    expected = _mpmath_values(mpmath.airyai, xs)
    expected_slope = _mpmath_values(lambda v: mpmath.airyai(v, derivative=1), xs)
    for ours, theirs, power in ((value.detach().numpy(), expected, -0.25), (x.grad.numpy(), expected_slope, 0.25)):
        scale = np.maximum(np.abs(theirs), _airy_scale(xs, power))
        np.testing.assert_array_less(np.abs(ours - theirs) / scale, 1e-15)


def test_airy_ai_against_pytorch():
    """PyTorch's values to its accuracy: about 1e-13, and 5e-12 by x = -1000, where its phase is rounded. Between
    -6 and -2.09 PyTorch's formula loses digits (6e-6 at x = -2.28: there mpmath's values above are the check).
    Beyond x = 103.9, PyTorch gives 0 where Ai(x) is still a subnormal number; both give 0 from 107 on."""
    torch = pytest.importorskip("torch")
    xs = np.concatenate([np.linspace(-1000, -200, 41), np.linspace(-200, -6, 389), np.linspace(-2.09, 103.8, 425)])
    theirs = torch.special.airy_ai(torch.tensor(xs)).numpy()
    ours = torchlike.special.airy_ai(_tensor(xs)).numpy()
    error = np.abs(ours - theirs) / np.maximum(np.abs(theirs), _airy_scale(xs, -0.25))
    assert np.max(error) < 1e-11 and np.max(error[xs > -200]) < 1e-12
    special = [-math.inf, -0.0, 0.0, 1e-300, 108.0, 1e300, math.inf, math.nan]
    np.testing.assert_array_equal(torchlike.special.airy_ai(_tensor(special)).numpy(),
                                  torch.special.airy_ai(torch.tensor(special, dtype=torch.float64)).numpy())
    subnormal = torchlike.special.airy_ai(_tensor([103.95, 105.0])).numpy()
    assert np.all((subnormal > 0) & (subnormal < np.finfo(np.float64).tiny))


def test_airy_ai_derivatives_of_higher_order():
    """Ai'' = x·Ai (Airy's equation), and Ai''' = Ai + x·Ai', each against central differences of the order below."""
    xs = np.array([-12.5, -9.9, -3.3, -0.7, 0.0, 0.4, 2.5, 9.8, 10.7])
    ai, first, second = _derivatives(torchlike.special.airy_ai, xs)
    np.testing.assert_allclose(second, xs * ai, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(first, central_differences(lambda v: torchlike.special.airy_ai(v).sum(), xs),
                               rtol=1e-6, atol=1e-8)

    def first_derivative_sum(values):
        with torchlike.enable_grad():
            v = values.detach().requires_grad_()
            return torchlike.autograd.grad(torchlike.special.airy_ai(v).sum(), v)[0].sum()
    np.testing.assert_allclose(second, central_differences(first_derivative_sum, xs), rtol=1e-6, atol=1e-8)
    x = _tensor(xs, requires_grad=True)
    derivative = torchlike.special.airy_ai(x)
    for _ in range(3):
        (derivative,) = torchlike.autograd.grad(derivative.sum(), x, create_graph=True)
    np.testing.assert_allclose(derivative.detach().numpy(), ai + xs * first, rtol=1e-13, atol=1e-15)


def test_airy_ai_dtypes_and_bad_input():
    torch = pytest.importorskip("torch")
    x32 = torchlike.tensor([-3.0, 0.5, 4.0])
    assert torchlike.special.airy_ai(x32).dtype == torchlike.float32
    np.testing.assert_array_equal(torchlike.special.airy_ai(x32).numpy(),
                                  torchlike.special.airy_ai(_tensor([-3.0, 0.5, 4.0])).numpy().astype(np.float32))
    np.testing.assert_allclose(torchlike.special.airy_ai(x32).numpy(),
                               torch.special.airy_ai(torch.tensor([-3.0, 0.5, 4.0])).numpy(), rtol=1e-6)
    assert torchlike.special.airy_ai(torchlike.tensor([1, 2])).dtype == torchlike.float32  # as PyTorch
    with pytest.raises(TypeError, match="airy_ai: not defined for complex tensors"):
        torchlike.special.airy_ai(torchlike.tensor([1 + 1j]))
    with pytest.raises(TypeError, match="airy_ai"):
        torchlike.special.airy_ai([1.0])


# ------------------------------------------------------------------------------ Dawson, Ei, Fresnel, Spence

@pytest.mark.parametrize("name", sorted(INTEGRALS))
def test_integrals_against_mpmath(name):
    xs = ARGUMENTS[name]
    expected = _mpmath_values(INTEGRALS[name], xs)
    ours = getattr(torchlike, name)(_tensor(xs)).numpy()
    np.testing.assert_allclose(ours, expected, rtol=5e-15, atol=0)


def test_values_at_the_edges():
    nan, inf = math.nan, math.inf
    cases = {  # name: (arguments, values)
        "dawsn": ([0.0, -0.0, inf, -inf, nan], [0.0, -0.0, 0.0, -0.0, nan]),
        "expint": ([0.0, -0.0, -1e-300, -2.0, -inf, inf, 717.0, nan], [-inf, -inf, nan, nan, nan, inf, inf, nan]),
        "fresnel_cos": ([0.0, -0.0, inf, -inf, nan], [0.0, -0.0, 0.5, -0.5, nan]),
        "fresnel_sin": ([0.0, -0.0, inf, -inf, nan], [0.0, -0.0, 0.5, -0.5, nan]),
        "spence": ([0.0, -0.0, 5e-324, 1.0, -1e-300, -3.0, -inf, inf, nan],
                   [math.pi ** 2 / 6, math.pi ** 2 / 6, math.pi ** 2 / 6, 0.0, nan, nan, nan, -inf, nan]),
    }
    for name, (xs, expected) in cases.items():
        ours = getattr(torchlike, name)(_tensor(xs)).numpy()
        np.testing.assert_array_equal(ours, expected, err_msg=name)
        zeros = np.array(expected) == 0
        np.testing.assert_array_equal(np.signbit(ours[zeros]), np.signbit(np.array(expected)[zeros]), err_msg=name)


#: (f'(x), f''(x)) in closed form, from the float64 value f(x)
CLOSED_FORMS = {
    "dawsn": lambda x, d: (1 - 2 * x * d, -2 * d - 2 * x * (1 - 2 * x * d)),
    "expint": lambda x, _: (np.exp(x) / x, np.exp(x) * (x - 1) / x ** 2),
    "fresnel_cos": lambda x, _: (np.cos(np.pi / 2 * x * x), -np.pi * x * np.sin(np.pi / 2 * x * x)),
    "fresnel_sin": lambda x, _: (np.sin(np.pi / 2 * x * x), np.pi * x * np.cos(np.pi / 2 * x * x)),
    "spence": lambda x, _: (np.log(x) / (1 - x), 1 / (x * (1 - x)) + np.log(x) / (1 - x) ** 2),
}
GRADIENT_POINTS = {"dawsn": [-7.0, -2.2, -0.3, 0.0, 0.9, 3.0, 6.0, 11.0], "expint": [0.1, 0.3725, 0.9, 3.0, 30.0, 50.0],
                   "fresnel_cos": [-2.5, -1.2, 0.0, 0.6, 1.7, 4.2], "fresnel_sin": [-2.5, -1.2, 0.0, 0.6, 1.7, 4.2],
                   "spence": [0.05, 0.4, 0.7, 1.3, 2.5, 9.0]}


@pytest.mark.parametrize("name", sorted(INTEGRALS))
def test_first_and_second_derivatives(name):
    xs = np.array(GRADIENT_POINTS[name])
    function = getattr(torchlike, name)
    value, first, second = _derivatives(function, xs)
    expected_first, expected_second = CLOSED_FORMS[name](xs, value)
    np.testing.assert_allclose(first, expected_first, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(second, expected_second, rtol=1e-13, atol=1e-15)
    weights = 1 / np.maximum(np.abs(value), 1)  # (in a plain sum, Ei(50) = 1e20 would drown the others)
    numeric = central_differences(lambda v: (function(v) * _tensor(weights)).sum(), xs)
    np.testing.assert_allclose(first * weights, numeric, rtol=1e-6, atol=1e-8)


def test_spence_derivative_at_1():
    """ln x / (1 - x) is 0/0 at x = 1: -1 there, the limit, as TF gives it; close by, no loss of digits."""
    x = _tensor([1.0, 1 + 2 ** -40, 1 - 2 ** -40], requires_grad=True)
    torchlike.spence(x).sum().backward()
    with mpmath.workdps(40):
        expected = [-1.0] + [float(mpmath.log(v) / (1 - v)) for v in map(mpmath.mpf, [1 + 2 ** -40, 1 - 2 ** -40])]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-15)


def test_float32_and_bad_input():
    for name in INTEGRALS:
        function = getattr(torchlike, name)
        x32 = torchlike.tensor([0.25, 1.75, 3.0])
        assert function(x32).dtype == torchlike.float32
        np.testing.assert_array_equal(function(x32).numpy(),
                                      function(_tensor([0.25, 1.75, 3.0])).numpy().astype(np.float32))
        with pytest.raises(TypeError, match=f"{name}: not defined for complex tensors"):
            function(torchlike.tensor([1 + 1j]))


# -------------------------------------------------------------------------------------------------- graph mode

@pytest.fixture
def graph():
    with tf.Graph().as_default() as fresh:
        yield fresh


@pytest.mark.parametrize("name", sorted(INTEGRALS))
def test_graph_mode_values_and_gradients(name, graph):
    """tf.math.special's functions through a Session: values, and tf.gradients of the first and second order."""
    xs = np.array(GRADIENT_POINTS[name])
    x = tf.placeholder(tf.float64, [None])
    y = getattr(tf.math.special, name)(x)
    (first,) = tf.gradients(y, x)
    (second,) = tf.gradients(first, x)
    with tf.Session() as session:
        value, first_value, second_value = session.run([y, first, second], {x: xs})
    np.testing.assert_allclose(value, _mpmath_values(INTEGRALS[name], xs), rtol=5e-15)
    expected_first, expected_second = CLOSED_FORMS[name](xs, value)
    np.testing.assert_allclose(first_value, expected_first, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(second_value, expected_second, rtol=1e-13, atol=1e-15)


def test_graph_mode_names_and_dtypes(graph):
    names = {"dawsn": "Dawsn", "expint": "Expint", "fresnel_cos": "FresnelCos", "fresnel_sin": "FresnelSin",
             "spence": "Spence"}
    for name, op_name in names.items():
        function = getattr(tf.math.special, name)
        assert function(tf.constant([1.0])).op.name == op_name
        assert function(tf.constant([1.0]), name=f"my_{name}").op.name == f"my_{name}"
        assert function(tf.constant([1.0])).dtype == tf.float32
        assert function(tf.constant([1.0], tf.float16)).dtype == tf.float16
        with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
            function(tf.constant([1], tf.int32))
    with tf.Session() as session:
        half = session.run(tf.math.special.fresnel_sin(tf.constant([1.0, 2.0], tf.float16)))
    np.testing.assert_allclose(half, _mpmath_values(INTEGRALS["fresnel_sin"], [1.0, 2.0]), rtol=1e-3)
