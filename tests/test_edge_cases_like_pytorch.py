"""Edge cases where PyTorch picks a definite answer and a naive formula gives NaN, an error or a wrong number:
zero exponents, constant slices under std, norms of negative order with a zero entry, integer wraparound and
integer powers, a vector as linear's weight, a dim out of range. Each is checked against the numbers PyTorch
gives (worked out by hand here, and compared with torch itself where it is installed)."""
import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import central_differences


def _grad(build, start, lib=T):
    x = lib.tensor(np.array(start, dtype=np.float64), requires_grad=True)
    build(lib, x).backward()
    return x.grad.numpy()


GRADIENTS = {
    # d/dx x^0 = 0, also at x = 0 (0 * x^-1 would be NaN)
    "x ** 0": (lambda lib, x: (x ** 0.0).sum(), [0.0, 2.0], [0.0, 0.0]),
    "x ** int 0": (lambda lib, x: (x ** 0).sum(), [0.0, -1.5], [0.0, 0.0]),
    # polynomial features 1 + x + x^2 over points including 0: d/dx = 1 + 2x
    "powers by a tensor of exponents": (
        lambda lib, x: (x.unsqueeze(1) ** lib.arange(3.0, dtype=lib.float64)).sum(), [-1.0, 0.0, 1.0],
        [-1.0, 1.0, 3.0]),
    # std of a constant row: 0, not NaN; the other row's gradient is (x - mean) / ((n - 1) std)
    "std with a constant row": (lambda lib, x: x.reshape(2, 3).std(dim=1).sum(), [5.0, 5.0, 5.0, 1.0, 2.0, 4.0],
                                None),
    "std_mean of a constant": (lambda lib, x: lib.std_mean(x)[0], [1.0, 1.0], [0.0, 0.0]),
    # (sum |x|^-1)^-1 is 0 when an entry is 0, and so is its gradient
    "vector norm of order -1 with a zero entry": (lambda lib, x: lib.linalg.vector_norm(x, ord=-1),
                                                  [-1.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]),
}


@pytest.mark.parametrize("case", GRADIENTS)
def test_gradients_that_pytorch_defines_at_the_edge(case):
    build, start, expected = GRADIENTS[case]
    ours = _grad(build, start)
    assert np.all(np.isfinite(ours))
    if expected is not None:
        np.testing.assert_allclose(ours, expected, atol=1e-12)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(ours, _grad(build, start, torch), rtol=1e-12, atol=1e-12)


def test_std_gradient_away_from_the_edge_is_the_central_difference():
    start = np.array([5.0, 5.0, 5.0, 1.0, 2.0, 4.0])
    ours = _grad(GRADIENTS["std with a constant row"][0], start)
    np.testing.assert_allclose(ours[3:], central_differences(lambda v: v.reshape(2, 3).std(dim=1)[1], start)[3:],
                               rtol=1e-6)
    np.testing.assert_allclose(ours[:3], 0.0)


def test_pow_gradients_elsewhere_are_unchanged():
    start = np.array([0.5, 1.5, 2.0])
    for exponent in (0.0, 1.0, 2.5, -1.5):
        build = lambda lib, x: (x ** exponent * lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64)).sum()  # noqa: E731
        np.testing.assert_allclose(_grad(build, start), central_differences(lambda v: build(T, v), start),
                                   rtol=1e-6, atol=1e-9)


def test_small_integers_wrap_around_like_pytorch():
    assert (T.tensor([250, 5], dtype=T.uint8) + 300).tolist() == [38, 49]
    assert (T.tensor([100], dtype=T.int8) + 1000).tolist() == [76]
    assert (T.tensor([1], dtype=T.uint8) - 300).tolist() == [213]
    assert (T.tensor([2], dtype=T.uint8) * 256).tolist() == [0]


def test_integers_to_a_tensor_of_negative_powers_truncate():
    bases, exponents = [2, 3, -2, 1, -1, 0, -1], [-1, 2, -1, -3, -3, -1, -2]
    assert (T.tensor(bases) ** T.tensor(exponents)).tolist() == [0, 9, 0, 1, -1, 0, 1]
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        T.tensor([2]) ** -1  # a number as the negative exponent is refused, as in PyTorch


def test_linear_with_a_vector_of_weights_drops_the_output_dim():
    x = T.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]], requires_grad=True)
    w = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = T.nn.functional.linear(x, w, T.tensor(1.0))
    assert y.shape == (2,) and y.tolist() == [5.5, 4.0]
    y.sum().backward()
    assert x.grad.tolist() == [[0.5, -1.0, 2.0]] * 2 and w.grad.tolist() == [1.0, 1.0, 4.0]


@pytest.mark.parametrize("call", [
    lambda x: x.sum(dim=3), lambda x: x.softmax(dim=-3), lambda x: T.cat([x, x], dim=2),
    lambda x: x.transpose(0, 5), lambda x: x.cumsum(2), lambda x: x.unsqueeze(4), lambda x: x.argmax(dim=2),
])
def test_a_dim_out_of_range_is_an_index_error_as_in_pytorch(call):
    with pytest.raises(IndexError, match="dimension out of range"):
        call(T.zeros(2, 3))
    with pytest.raises(RuntimeError):  # and still the RuntimeError (OpError) minidl raised before
        call(T.zeros(2, 3))


def test_slices_go_forwards_only_as_in_pytorch():
    x = T.arange(5)
    for index in (slice(None, None, -1), (slice(None), slice(4, 0, -2))):
        with pytest.raises(ValueError, match="step must be greater than zero"):
            T.zeros(3, 5)[index]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1] = 0
    assert x.flip(0).tolist() == [4, 3, 2, 1, 0] and x[::2].tolist() == [0, 2, 4]


def test_det_of_a_singular_matrix_has_its_adjugate_as_gradient_to_second_order():
    """The derivative of det at a singular matrix of rank n - 1 is its (transposed) adjugate, not 0: what central
    differences give, and PyTorch when the gradient is to be differentiated again (its first-order shortcut gives
    0). The second derivative too: d/dA of <adj(A)^T, V>."""
    a = T.tensor([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 3.0]]], dtype=T.float64, requires_grad=True)
    (grad,) = T.autograd.grad(T.linalg.det(a).sum(), a, create_graph=True)
    assert np.allclose(grad.tolist(), [[[4.0, -2.0], [-2.0, 1.0]], [[3.0, 0.0], [0.0, 2.0]]], rtol=1e-12)
    (second,) = T.autograd.grad((grad * T.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=T.float64)).sum(), a)
    # det of 2x2 is a d - b c: the gradient [[d, -c], [-b, a]]; weighted by [[1, 0], [0, 2]] its derivative
    assert np.allclose(second.tolist(), [[[2.0, 0.0], [0.0, 1.0]]] * 2, rtol=1e-12)
    singular = np.arange(1.0, 10.0).reshape(3, 3)  # rank 2
    x = T.tensor(singular, requires_grad=True)
    T.linalg.det(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), central_differences(T.linalg.det, singular), atol=1e-8)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_det_second_derivative_at_a_matrix_singular_to_working_precision(dtype):
    """[[.1, .2, .3], [.4, .5, .6], [.7, .8, .9]] is singular, but its float det is ~7e-18, not 0: d·A^-1 is then
    right to first order and rounding noise to second (wrong by ~40%). Below PyTorch's cut-off |d| < eps·‖A‖_F the
    adjugate comes from the SVD. The cofactors of a 3x3 are quadratic, so central differences of the gradient
    give its derivative exactly."""
    start = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])
    weights = np.arange(9.0).reshape(3, 3) / 10
    x = T.tensor(start, dtype=getattr(T, dtype), requires_grad=True)
    (grad,) = T.autograd.grad(T.linalg.det(x), x, create_graph=True)
    (second,) = T.autograd.grad((grad * T.tensor(weights, dtype=x.dtype)).sum(), x)

    def weighted_cofactors(a):
        y = T.tensor(a, requires_grad=True)
        T.linalg.det(y).backward()
        return float((y.grad.numpy() * weights).sum())

    step = 0.01  # exact for a quadratic at any step, and far enough from singular for the first derivative
    expected = np.zeros_like(start)
    for i in np.ndindex(3, 3):
        h = np.zeros_like(start)
        h[i] = step
        expected[i] = (weighted_cofactors(start + h) - weighted_cofactors(start - h)) / (2 * step)
    np.testing.assert_allclose(second.numpy(), expected, atol=1e-6 if dtype == "float64" else 1e-4)


def test_slogdet_of_a_batch_with_a_singular_matrix_keeps_the_others_gradients():
    """One singular matrix made the whole batch's backward an error (its inverse, named linalg.inv); PyTorch gives
    the others their gradients and the singular one an infinite gradient (NaN where its cotangent is 0)."""
    for take in (lambda a: T.linalg.slogdet(a).logabsdet, T.logdet):
        x = T.tensor([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [1.0, 2.0]]], dtype=T.float64, requires_grad=True)
        take(x)[1].backward()
        np.testing.assert_allclose(x.grad[1].numpy(), np.linalg.inv([[2.0, 1.0], [1.0, 2.0]]).T, rtol=1e-12)
        assert np.isnan(x.grad[0].numpy()).all()
        x.grad = None
        take(x).sum().backward()
        assert np.isposinf(x.grad[0].numpy()).all() and np.isfinite(x.grad[1].numpy()).all()
    regular = T.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=T.float64, requires_grad=True)
    assert T.autograd.gradgradcheck(lambda a: T.linalg.slogdet(a).logabsdet, (regular,))


def test_gradgradcheck_of_a_0d_complex_output():
    """Its random 0-d complex cotangent was a Python number, which the finite differences could not move: every
    0-d complex function (a complex logdet, (a * a).sum()) failed gradgradcheck."""
    x = T.tensor([[2.0, 1j], [-1j, 2.0]], dtype=T.complex128, requires_grad=True)
    assert T.autograd.gradgradcheck(lambda a: (a * a).sum(), (x,))
    assert T.autograd.gradgradcheck(T.logdet, (x,))


def test_relu_passes_the_gradient_at_nan_and_leaky_relu_scales_it_as_pytorch():
    nan = float("nan")
    x = T.tensor([1.0, nan, -1.0, 0.0], requires_grad=True)
    T.relu(x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0, 0.0]
    y = T.tensor([1.0, nan, -1.0, 0.0], requires_grad=True)
    T.nn.functional.leaky_relu(y, 0.5).sum().backward()
    assert y.grad.tolist() == [1.0, 0.5, 0.5, 0.5]


def test_a_gradient_penalty_gives_the_biases_before_a_relu_zero_gradients_not_none():
    """WGAN-GP: the penalty depends on the first layer's bias only through relu's piecewise-constant slope, so
    its gradient is 0 — a tensor of zeros, as in PyTorch, which an optimizer's weight decay still acts on."""
    T.manual_seed(0)
    for activation in (T.nn.ReLU(), T.nn.LeakyReLU(0.2)):
        net = T.nn.Sequential(T.nn.Linear(2, 3), activation, T.nn.Linear(3, 1))
        x = T.ones(4, 2, requires_grad=True)
        (g,) = T.autograd.grad(net(x).sum(), x, create_graph=True)
        ((g.norm(2, dim=1) - 1) ** 2).mean().backward()
        assert net[0].bias.grad is not None and net[0].bias.grad.tolist() == [0.0, 0.0, 0.0]
        assert net[0].weight.grad.abs().sum().item() > 0
    a, b = T.tensor([1.0, -2.0], requires_grad=True), T.tensor([1.0, -1.0], requires_grad=True)
    T.copysign(a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [0.0, 0.0]


def test_mistakes_that_numpy_answers_quietly_are_errors_as_in_pytorch():
    for divide in (lambda a, b: a // b, lambda a, b: a % b, T.fmod):
        with pytest.raises(ZeroDivisionError, match="ZeroDivisionError"):
            divide(T.tensor([5, -3]), T.tensor([2, 0]))
        with pytest.raises(RuntimeError):  # PyTorch's error is a RuntimeError saying ZeroDivisionError
            divide(T.tensor([5, -3]), 0)
    assert (T.tensor([5.0, -3.0]) // 0).tolist() == [float("inf"), float("-inf")]  # floats have an answer
    with pytest.raises(RuntimeError, match="can not be smaller than number of dimensions"):
        T.zeros(2, 3).repeat(2)
    assert T.zeros(2, 3).repeat(2, 1, 2).shape == (2, 2, 6)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        T.arange(0, 5, -1)
    assert T.arange(5, 5).tolist() == [] and T.arange(0, 0, -1).tolist() == []
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        T.linspace(0, 1, -2)


def test_operands_that_do_not_broadcast_are_described_in_pytorchs_words():
    with pytest.raises(RuntimeError, match=r"Add: The size of tensor a \(3\) must match the size of tensor b \(2\) "
                                           r"at non-singleton dimension 1 \(arguments: float32\[2, 3\], "
                                           r"float32\[3, 2\]\)"):
        T.ones(2, 3) + T.ones(3, 2)
    with pytest.raises(RuntimeError, match=r"tensor a \(4\) must match the size of tensor b \(5\) at non-singleton "
                                           r"dimension 0"):
        T.ones(4, 2, 3) * T.ones(5, 1, 3)


def test_the_zero_norm_counts_non_zeros_and_stays_in_the_graph_with_gradient_zero():
    z = T.tensor([0.0, 1.0, -2.0], requires_grad=True)
    count = T.linalg.vector_norm(z, ord=0)
    assert count.item() == 2.0 and count.requires_grad
    count.backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]
    assert T.norm(T.tensor([[0.0, 3.0], [2.0, 0.0]]), 0, dim=1).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("view", [lambda x: x[:], lambda x: x[...], lambda x: x.t(), lambda x: T.t(x),
                                  lambda x: x.transpose(0, 0), lambda x: T.transpose(x, 0, 0),
                                  lambda x: x.swapaxes(0, 0), lambda x: x.swapdims(0, 0), lambda x: x.expand(3),
                                  lambda x: x.expand_as(x), lambda x: x.broadcast_to((3,)),
                                  lambda x: T.broadcast_to(x, (3,)), lambda x: x.unflatten(0, (3,)),
                                  lambda x: x.reshape(3), lambda x: x.view(3)],
                         ids=["[:]", "[...]", "t", "torch.t", "transpose", "torch.transpose", "swapaxes", "swapdims",
                              "expand", "expand_as", "broadcast_to", "torch.broadcast_to", "unflatten", "reshape",
                              "view"])
def test_a_view_that_changes_nothing_is_still_a_new_tensor_as_in_pytorch(view):
    x = T.zeros(3)
    v = view(x)
    assert v is not x
    v.requires_grad_()
    assert not x.requires_grad  # flags set through the view do not reach the original...
    with T.no_grad():
        v[0] = 5.0
    assert x[0].item() == 5.0  # ...but the memory is shared
    w = T.ones(3, requires_grad=True)
    w_view = view(w)
    assert not w_view.is_leaf and w_view.grad_fn is not None
    (w_view * 2).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]


def test_an_infinite_error_gets_the_linear_slope_of_huber_and_smooth_l1():
    """The quadratic piece, not taken there, must not put 0·inf = NaN into the gradient: clipping the gradient
    of large errors is why one uses these losses. (PyTorch: ±delta, ±1.)"""
    for loss, slope in ((lambda x: T.nn.functional.huber_loss(x, T.zeros(4), reduction="sum", delta=2.0), 2.0),
                        (lambda x: T.nn.functional.smooth_l1_loss(x, T.zeros(4), reduction="sum", beta=0.5), 1.0)):
        x = T.tensor([float("inf"), -float("inf"), 3.0, 0.2], requires_grad=True)
        loss(x).backward()
        near = 0.2 if slope == 2.0 else 0.2 / 0.5
        np.testing.assert_allclose(x.grad.numpy(), [slope, -slope, slope, near], rtol=1e-6)


def test_gaussian_nll_loss_of_an_infinite_variance_is_infinite_with_a_zero_gradient():
    var = T.tensor([float("inf"), 1.0, 1e-9], requires_grad=True)
    loss = T.nn.functional.gaussian_nll_loss(T.tensor([0.0, 0.0, 0.5]), T.ones(3), var, reduction="none")
    loss.sum().backward()
    assert loss[0].item() == float("inf") and var.grad[0].item() == 0.0
    # below eps the variance is clamped but its gradient is var's own, as PyTorch's in-place clamp under no_grad
    np.testing.assert_allclose(var.grad[2].item(), 0.5 / 1e-6 - 0.5 * 0.25 / 1e-12, rtol=1e-5)
