"""The eager autograd engine: accumulation, the walk, retain/create graph, hooks, grad modes, in-place checks,
user-defined Functions, gradcheck and anomaly detection."""
import warnings

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.autograd import Function, GradcheckError, detect_anomaly, gradcheck, gradgradcheck


def test_a_value_used_twice_sums_its_gradients():
    x = T.tensor(1.0, requires_grad=True)
    a = x
    b = a + a
    c = b + b
    c.backward()
    assert x.grad.item() == 4.0


def test_a_chain_of_100000_ops_backprops_without_recursion():
    x = T.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward(T.ones(1))
    assert x.grad.tolist() == [1.0]


def test_gradients_accumulate_until_zeroed():
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    x.grad.zero_()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_second_backward_without_retain_graph_names_retain_graph():
    x = T.tensor([1.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_backward_on_a_non_scalar_needs_a_gradient():
    x = T.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"grad can be implicitly created only for scalar outputs .*\[3\]"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(T.ones(2))


def test_backward_of_a_tensor_without_history_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        T.ones(1).backward()


def test_autograd_grad_returns_without_touching_dot_grad():
    x = T.tensor([3.0], requires_grad=True)
    y = T.tensor([4.0], requires_grad=True)
    z = (x * y).sum()
    gx, gy = T.autograd.grad(z, (x, y))
    assert gx.tolist() == [4.0] and gy.tolist() == [3.0]
    assert x.grad is None and y.grad is None


def test_grad_and_backward_take_any_iterable_of_tensors():
    """As PyTorch's ``tuple(inputs)``: a generator (``model.parameters()``) or a dict's values (MAML's
    ``grad(loss, params.values(), create_graph=True)``) for inputs, outputs and their gradients."""
    w, b = T.tensor([[1.0, 2.0]], requires_grad=True), T.tensor([0.5], requires_grad=True)
    params = {"w": w, "b": b}
    x = T.tensor([[3.0, 4.0], [5.0, 6.0]])
    loss = ((x @ params["w"].t() + params["b"]) ** 2).sum()  # outputs 11.5 and 17.5
    gw, gb = T.autograd.grad(loss, params.values(), create_graph=True)
    assert gw.tolist() == [[2 * (11.5 * 3 + 17.5 * 5), 2 * (11.5 * 4 + 17.5 * 6)]] and gb.tolist() == [58.0]
    assert gw.requires_grad
    (second,) = T.autograd.grad(iter([gb.sum()]), (p for p in [b]), grad_outputs=iter([T.tensor(1.0)]))
    assert second.tolist() == [4.0]  # d/db of 2·Σ(out) = 2·2
    (w.sum() * 3 + b.sum()).backward(inputs=(p for p in params.values()))
    assert w.grad.tolist() == [[3.0, 3.0]] and b.grad.tolist() == [1.0]
    T.autograd.backward((t for t in [b.sum() * 2]), grad_tensors=iter([T.tensor(2.0)]), inputs=iter([b]))
    assert b.grad.tolist() == [5.0]


def test_autograd_grad_unused_input():
    x = T.tensor([1.0], requires_grad=True)
    unused = T.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        T.autograd.grad((x * 2).sum(), (x, unused))
    gx, gu = T.autograd.grad((x * 2).sum(), (x, unused), allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_create_graph_gives_higher_derivatives():
    x = T.tensor(2.0, requires_grad=True)
    y = x ** 4
    (dy,) = T.autograd.grad(y, x, create_graph=True)
    (d2y,) = T.autograd.grad(dy, x, create_graph=True)
    (d3y,) = T.autograd.grad(d2y, x)
    assert (dy.item(), d2y.item(), d3y.item()) == (32.0, 48.0, 48.0)


def test_only_nodes_between_outputs_and_inputs_are_visited():
    calls = []

    class Recorder(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return g
    leaf = T.ones(2, requires_grad=True)
    middle = Recorder.apply(leaf) * 2
    out = (middle * 3).sum()
    (g,) = T.autograd.grad(out, middle)
    assert g.tolist() == [3.0, 3.0]
    assert calls == [], "the walk went below the requested input"


def test_grad_modes_decorate_bare_and_hold_inside_generators_only():
    x = T.ones(1, requires_grad=True)

    @T.no_grad
    def bare():
        return (x * 2).requires_grad

    @T.inference_mode
    def bare_inference():
        return (x * 2).requires_grad

    @T.no_grad()
    def batches():
        seen = yield (x * 2).requires_grad
        yield seen, (x * 3).requires_grad

    assert bare() is False and bare_inference() is False and T.is_grad_enabled()
    stream = batches()
    assert next(stream) is False
    assert (x * 4).requires_grad, "between yields the caller's mode holds"
    assert stream.send("sent") == ("sent", False)
    with T.no_grad():
        stream = batches()
        next(stream)
        with pytest.raises(KeyError):  # thrown in, raised in the body, out again; the mode restored
            stream.throw(KeyError("stop"))
        assert not T.is_grad_enabled()
    assert T.is_grad_enabled()


def test_grad_modes_are_context_managers_and_decorators_that_restore():
    x = T.ones(1, requires_grad=True)
    with T.no_grad():
        assert not (x * 2).requires_grad
        with T.enable_grad():
            assert (x * 2).requires_grad
        assert not T.is_grad_enabled()
    assert T.is_grad_enabled()

    @T.no_grad()
    def frozen():
        return x * 2
    assert not frozen().requires_grad and T.is_grad_enabled()

    with pytest.raises(ValueError):
        with T.no_grad():
            raise ValueError
    assert T.is_grad_enabled()

    with T.set_grad_enabled(False):
        assert not T.is_grad_enabled()
    assert T.is_grad_enabled()

    @T.set_grad_enabled(False)
    def also_frozen():
        return x * 2
    assert T.is_grad_enabled(), "decorating must not change the mode"
    assert not also_frozen().requires_grad


def test_hooks_see_and_replace_gradients():
    x = T.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 3
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[30.0, 30.0]]
    assert x.grad.tolist() == [30.0, 30.0]


def test_retain_grad_keeps_non_leaf_gradients():
    x = T.tensor([1.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * 5).sum().backward()
    assert y.grad.tolist() == [5.0] and y.retains_grad


@pytest.mark.parametrize("retain_first", [True, False])
def test_retained_grad_is_what_the_tensors_hooks_made_of_it_whatever_the_order(retain_first):
    """PyTorch 2: the retains-grad hook runs after the tensor's other hooks, registered before or after it."""
    x = T.ones(3, requires_grad=True)
    h = x * 1
    if retain_first:
        h.retain_grad()
    h.register_hook(lambda g: g * 2)
    if not retain_first:
        h.retain_grad()
    h.sum().backward()
    assert h.grad.tolist() == [2.0, 2.0, 2.0] and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_in_place_change_of_a_saved_tensor_is_detected():
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y           # saves y
    y.add_(1)           # ... which is then changed
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_in_place_on_a_leaf_that_requires_grad_is_an_error():
    w = T.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        w.add_(1)
    with T.no_grad():
        w.sub_(0.5)     # fine: the classic parameter update
    assert w.tolist() == [0.5, 0.5] and w.is_leaf


def test_in_place_ops_stay_differentiable():
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.mul_(3)
    y.add_(x)
    y.sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]
    assert y.grad_fn.name() == "AddBackward0"


def test_in_place_shares_memory_with_numpy():
    a = np.zeros(3, dtype=np.float32)
    t = T.from_numpy(a)
    t.add_(1)
    t += 1
    assert a.tolist() == [2.0, 2.0, 2.0]


def test_grad_fn_and_next_functions():
    x = T.ones(2, requires_grad=True)
    y = x * 2
    assert y.grad_fn.name() == "MulBackward0" and not y.is_leaf and x.is_leaf
    (producer, index), (constant, _) = y.grad_fn.next_functions
    assert producer.name() == "AccumulateGrad" and producer.variable is x and constant is None
    assert "grad_fn=<MulBackward0>" in repr(y)


# ------------------------------------------------------------------------------------------- Function

class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


def test_function_forward_backward_and_gradcheck(device):
    x = T.tensor([0.5, -1.5, 2.0], dtype=T.float64, requires_grad=True, device=device)
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"  # a Function's node: no 0, as in PyTorch
    y.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), 3 * np.array([0.5, -1.5, 2.0]) ** 2)
    assert gradcheck(Cube.apply, (x,))
    assert gradgradcheck(Cube.apply, (x,))


def test_gradcheck_catches_a_wrong_backward(device):
    x = T.tensor([0.5, 2.0], dtype=T.float64, requires_grad=True, device=device)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(WrongCube.apply, (x,))
    assert gradcheck(WrongCube.apply, (x,), raise_exception=False) is False


class ComplexSquare(Function):
    """z² for complex z, with PyTorch's convention for the backward: g · conj(dy/dz)."""
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z * z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * (2 * z).conj()


class ComplexSquareWithoutConjugate(ComplexSquare):
    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * 2 * z


@pytest.mark.parametrize("lib", ["minidl", "torch"])
def test_gradcheck_of_complex_functions_in_real_coordinates(lib, device):
    """Complex inputs and outputs are checked as real and imaginary parts, so a backward without the conjugate
    (right for real numbers only) fails, as it does in PyTorch."""
    if lib == "torch" and device != "cpu":
        pytest.skip("PyTorch runs here on the CPU")
    L = pytest.importorskip("torch") if lib == "torch" else T
    z = L.tensor([0.5 + 1j, -1.5 - 0.25j], dtype=L.complex128, requires_grad=True, device=device)
    x = L.tensor([0.3, -0.7], dtype=L.float64, requires_grad=True, device=device)
    assert L.autograd.gradcheck(lambda z, x: (z * x.exp(), (z.abs() * x).sum(), z.conj() * z), (z, x))
    assert L.autograd.gradgradcheck(lambda z, x: z * z.exp() * x, (z, x))
    if L is T:
        assert gradcheck(ComplexSquare.apply, (z,)) and gradgradcheck(ComplexSquare.apply, (z,))
        assert gradcheck(ComplexSquareWithoutConjugate.apply, (z,), raise_exception=False) is False


@pytest.mark.parametrize("lib", ["minidl", "torch"])
def test_gradcheck_warns_about_float32_and_checks_anyway(lib):
    lib = pytest.importorskip("torch") if lib == "torch" else T
    x = lib.tensor([0.5, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="is not a double precision floating point"):
        assert lib.autograd.gradcheck(lambda a: a ** 3, (x,), eps=1e-2, atol=1e-1, rtol=1e-2)
    with pytest.warns(UserWarning, match="is not a double precision"):
        # the default step is lost in float32 rounding: the numerical derivative is wrong
        assert not lib.autograd.gradcheck(lambda a: a ** 3, (x,), raise_exception=False)


def test_function_ctx_features():
    class SplitSign(Function):
        @staticmethod
        def forward(ctx, x, scale):
            assert ctx.needs_input_grad == (True, False)
            mask = x > 0
            ctx.mark_non_differentiable(mask)
            return x * scale, mask

        @staticmethod
        def backward(ctx, g, g_mask):
            return g * 2.0, None

    x = T.tensor([1.0, -1.0], requires_grad=True)
    y, mask = SplitSign.apply(x, 2.0)
    assert y.requires_grad and not mask.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_function_saved_tensor_modified_in_place_is_detected():
    x = T.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1.0
    y = Cube.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_function_backward_with_wrong_number_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g
    a, b = T.ones(1, requires_grad=True), T.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(a, b).sum().backward()


# ------------------------------------------------------------------------------------------- anomaly

def test_detect_anomaly_names_the_forward_op_that_made_a_nan():
    x = T.tensor([-1.0, 1.0], requires_grad=True)
    with detect_anomaly():
        with pytest.warns(RuntimeWarning, match="Function 'Log' returned nan"):
            T.log(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        T.log(x)  # outside the block: no check
    assert not [w for w in caught if "returned nan" in str(w.message)]


def test_anomaly_mode_lets_a_program_handle_the_infinities_it_makes():
    """The graph-convolution idiom deg^-1/2, with the infinities of isolated nodes replaced by 0, runs forward
    under anomaly mode, as in PyTorch; its backward is NaN at the isolated node (0 times pow's infinite slope), and
    anomaly mode names the op. set_detect_anomaly works as a call and as a with block."""
    degree = T.tensor([0.0, 4.0], requires_grad=True)
    with T.autograd.set_detect_anomaly(True):
        assert T.autograd.is_anomaly_enabled()
        with pytest.warns(RuntimeWarning, match="Function 'Pow' returned nan or inf"):
            d = degree.pow(-0.5)
        d = T.where(T.isinf(d), T.zeros_like(d), d)
        assert d.tolist() == [0.0, 0.5]
        with pytest.raises(RuntimeError, match="Function 'PowBackward0' returned nan values in its 0th output"):
            d.sum().backward(retain_graph=True)
    assert not T.autograd.is_anomaly_enabled()
    d.sum().backward()
    assert np.isnan(degree.grad[0].item()) and degree.grad[1].item() == -0.0625  # PyTorch's numbers too
    T.autograd.set_detect_anomaly(True)
    try:
        assert T.autograd.is_anomaly_enabled()
    finally:
        T.autograd.set_detect_anomaly(False)
    assert not T.autograd.is_anomaly_enabled()


@pytest.mark.parametrize("lib", ["minidl", "torch"])
def test_detect_anomaly_checks_backward_for_nan_not_for_inf(lib):
    """sqrt's slope at 0 is infinite: a value, not an anomaly; 0 times it is NaN, which is."""
    lib = pytest.importorskip("torch") if lib == "torch" else T
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # (PyTorch warns that anomaly mode is slow)
        with lib.autograd.detect_anomaly():
            lib.sqrt(x).sum().backward()
            assert x.grad.tolist() == [float("inf"), 0.5]
            with pytest.raises(RuntimeError, match="returned nan values in its 0th output"):
                (lib.sqrt(x) * 0).sum().backward()


class NumpyBackwardCube(Cube):
    """A backward computed outside the tape: right first derivative, but no second derivative."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return T.tensor(3 * x.detach().numpy() ** 2, dtype=T.float64) * g


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    x = T.tensor([0.5, 2.0], dtype=T.float64, requires_grad=True)
    assert gradcheck(NumpyBackwardCube.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(NumpyBackwardCube.apply, (x,))


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = T.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


def test_function_saved_output_is_attached_to_its_node():
    x = T.tensor([0.0, 1.0], dtype=T.float64, requires_grad=True)
    (g,) = T.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
    (gg,) = T.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp([0.0, 1.0]))
    y = Exp.apply(x)
    y.add_(100)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_function_saving_its_output_leaves_no_reference_cycle():
    """A forward without backward (evaluation without no_grad) frees the output, node and ctx at once, as
    PyTorch does: no cycle is left for the cycle collector."""
    import gc
    import weakref
    x = T.ones(3, requires_grad=True)
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    try:
        y = Exp.apply(x)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
        assert gc.collect() == 0
    finally:
        if collecting:
            gc.enable()


def test_copy_under_no_grad_does_not_join_the_graph():
    target = T.zeros(3)
    source = T.ones(3, requires_grad=True) * 2
    with T.no_grad():
        target.copy_(source)
    assert not target.requires_grad and target.grad_fn is None and target.tolist() == [2.0, 2.0, 2.0]


def test_views_share_the_version_counter_of_their_base():
    x = T.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x.exp()                      # saves its output y
    with T.no_grad():
        y[0:2].zero_()              # changes y's memory through a view
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_accumulating_into_grad_is_an_in_place_change_a_saved_grad_sees():
    """backward adds into an existing .grad in place: a node that saved the old .grad (y = w * x.grad) must refuse
    to run, as PyTorch's does; it silently used the new values (w.grad [5, 5, 5], not [2, 2, 2])."""
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = T.tensor([1.0, 1.0, 1.0], requires_grad=True)
    (x * 2).sum().backward()
    y = (w * x.grad).sum()
    (x * 3).sum().backward()
    assert x.grad._version == 1 and x.grad.tolist() == [5.0, 5.0, 5.0]
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


IN_PLACE_THROUGH_VIEWS = {  # each returns a loss built from the leaf ``a`` (a minidl or a torch tensor)
    "slice +=": lambda a: _then(lambda b: b[:, 0].__iadd__(1), a * 2, lambda b: (b * b).sum()),
    "row mul_": lambda a: _then(lambda b: b[0].mul_(3), a * 2, lambda b: (b * a).sum()),
    "view of a view": lambda a: _then(lambda b: b[1][1:].zero_(), a * 2, lambda b: (b * b).sum()),
    "setitem on a view": lambda a: _then(lambda b: b[0].__setitem__(2, b[1, 2] * 5), a * 2,
                                              lambda b: (b ** 3).sum()),
    "python's b[i] += v": lambda a: _augmented(a * 2, a[1] * a[0]),
}


def _then(change, b, loss):
    change(b)
    return loss(b)


def _augmented(b, v):
    b[0] += v  # Python: t = b[0]; t += v (in place, through the view); b[0] = t
    return (b * b).sum()


@pytest.mark.parametrize("case", IN_PLACE_THROUGH_VIEWS)
def test_in_place_through_an_indexing_view_is_recorded_as_a_change_of_its_base(case):
    """PyTorch's CopySlices: the base becomes index_put(base, index, new value), so gradients reach both."""
    start = np.arange(1.0, 7.0).reshape(2, 3)
    a = T.tensor(start, requires_grad=True)
    IN_PLACE_THROUGH_VIEWS[case](a).backward()
    # the same gradient by central differences of the (recomputed) loss
    def loss_at(values):
        with T.no_grad():
            return IN_PLACE_THROUGH_VIEWS[case](T.tensor(values)).item()
    numeric = np.zeros_like(start)
    for i in np.ndindex(*start.shape):
        step = np.zeros_like(start)
        step[i] = 1e-6
        numeric[i] = (loss_at(start + step) - loss_at(start - step)) / 2e-6
    np.testing.assert_allclose(a.grad.numpy(), numeric, rtol=1e-6, atol=1e-6)
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(start, requires_grad=True)
    IN_PLACE_THROUGH_VIEWS[case](theirs).backward()
    np.testing.assert_allclose(a.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_in_place_through_views_of_leaves_is_refused_and_allowed_without_recording():
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0].mul_(2.0)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x.t().mul_(2.0)
    with T.no_grad():
        x[0].mul_(2.0)  # nothing recorded: allowed, as in PyTorch
    assert x.tolist() == [[2.0, 4.0], [3.0, 4.0]]


# an in-place change through a view made by reshaping, transposing or taking a diagonal (no index to replay): the
# base's new value is its old one with the view's new values at their places in memory
VIEW_CHANGES = {
    "transpose": lambda y: y.t().mul_(2.0),
    "view_then_slice": lambda y: y.view(-1)[2:5].mul_(3.0),
    "diagonal": lambda y: y.diagonal().mul_(3.0),
    "offset_diagonal": lambda y: y.diagonal(1).add_(1.5),
    "flip_of_reshape": lambda y: y.reshape(3, 2).flip(0).relu_(),
    "batched_diagonal": lambda y: y.reshape(1, 2, 3)[..., :2].diagonal(dim1=-2, dim2=-1).exp_(),
}


@pytest.mark.parametrize("change", VIEW_CHANGES.values(), ids=VIEW_CHANGES.keys())
def test_in_place_through_other_views_is_recorded_as_a_change_of_the_base(change):
    def f(x):
        y = x * x           # a non-leaf base
        change(y)           # changed through a view
        return (y * T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=T.float64)).sum()
    x = T.tensor([[0.5, -1.0, 2.0], [1.5, -0.5, 1.0]], dtype=T.float64, requires_grad=True)
    assert T.autograd.gradcheck(f, (x,))
    f(x).backward()
    try:
        import torch as real
    except ImportError:
        return
    ours = x.grad.numpy()
    xt = real.tensor(x.detach().numpy(), requires_grad=True)
    yt = xt * xt
    change(yt)
    (yt * real.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=real.float64)).sum().backward()
    np.testing.assert_allclose(ours, xt.grad.numpy(), rtol=1e-12)


def test_in_place_activations_after_layers_whose_output_is_a_view_or_whose_indices_are_saved():
    """ReLU(inplace=True) after max pooling (whose gradient reads only its indices) and after conv1d (whose output
    is a reshaped view), as PyTorch programs write it; the matrix diagonal is a view (the GP jitter idiom)."""
    for layer in (T.nn.MaxPool2d(2), T.nn.Conv1d(1, 2, 3), T.nn.AdaptiveMaxPool2d(1)):
        x = T.randn(1, 1, 4, 4, requires_grad=True) if not isinstance(layer, T.nn.Conv1d) else \
            T.randn(1, 1, 8, requires_grad=True)
        out = T.nn.ReLU(inplace=True)(layer(x))
        out.sum().backward()
        assert x.grad is not None and out.min().item() >= 0
    values, _ = T.tensor([3.0, 1.0, 2.0], requires_grad=True).sort()
    values.mul_(2.0).sum().backward()   # sort's gradient reads only where each value came from
    K = T.zeros(3, 3)
    K.diagonal().add_(1e-3)
    np.testing.assert_allclose(K.numpy(), np.eye(3) * 1e-3)


@pytest.mark.parametrize("use", [lambda x, i: x[i], lambda x, i: x.gather(0, i)])
def test_an_index_tensor_changed_in_place_before_backward_is_reported(use):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = T.tensor([0, 2])
    loss = use(x, index).sum()
    index.add_(1)                    # the VJP would scatter into the wrong (or out-of-range) places
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[a int64\[2\] tensor"):
        loss.backward()


def test_slicing_and_assigning_through_an_index_do_not_save_the_indexed_tensor():
    y = T.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) * 1.0
    part = y[1:3].sum()
    y.add_(1)                        # slicing reads y's shape only: no error, as in PyTorch
    part.backward()
    value = T.ones(2, requires_grad=True)
    w = T.zeros(4, requires_grad=True) * 1.0
    w[T.tensor([0, 1])] = value      # y[i] = v changes w right after the index op used it
    w.sum().backward()
    assert value.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("pick", [lambda x: x.max(1).values, lambda x: x.min(1)[0], lambda x: x.median(1).values])
def test_a_gradient_of_another_dtype_flows_through_max_min_and_median_along_a_dim(pick):
    x = T.tensor([[1.0, 3.0, 2.0], [4.0, 2.0, 0.0]], dtype=T.float64, requires_grad=True)
    pick(x).backward(T.ones(2, dtype=T.float32))
    assert x.grad.sum().item() == 2.0 and sorted(x.grad.flatten().tolist()) == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize("p", [0.5, 3.0])
def test_norm_gradient_is_zero_at_zero_entries_also_for_p_below_one(p):
    """d/dx (Σ|x|^p)^(1/p) = sign(x)|x|^(p-1) / y^(p-1): at x = 0 that is 0 · inf for p < 1; PyTorch gives 0."""
    x = T.tensor([0.0, 1.0, -2.0], dtype=T.float64, requires_grad=True)
    T.norm(x, p=p).backward()
    y = (1 + 2 ** p) ** (1 / p)
    expected = [0.0, 1 / y ** (p - 1), -(2 ** (p - 1)) / y ** (p - 1)]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


class CubeWithSetupContext(Function):
    """PyTorch's second way to write a Function: forward without ctx, and setup_context saving for backward."""

    @staticmethod
    def forward(x):
        return x ** 3

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * g


def test_a_function_written_with_setup_context():
    x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
    y = CubeWithSetupContext.apply(x)
    assert y.tolist() == [1.0, 8.0] and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]
    assert gradcheck(CubeWithSetupContext.apply, (x,)) and gradgradcheck(CubeWithSetupContext.apply, (x,))


def test_post_accumulate_grad_hooks_see_the_finished_gradient():
    """PyTorch's way to step each parameter as soon as its gradient is complete."""
    w = T.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (w * 3).sum().backward()
    (w * 2).sum().backward()
    assert seen == [[3.0, 3.0], [5.0, 5.0]]
    handle.remove()
    (w * 2).sum().backward()
    assert len(seen) == 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        (w * 1).register_post_accumulate_grad_hook(print)


class NumpyCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    @T.autograd.function.once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return T.tensor(3 * x.detach().numpy() ** 2) * g


def test_once_differentiable_gives_the_first_derivative_and_refuses_the_second():
    x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
    (g,) = T.autograd.grad(NumpyCube.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [3.0, 12.0] and not g.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        g.sum().backward()


def test_apply_and_map_run_python_on_each_entry():
    x = T.tensor([[1.0, -2.0], [3.0, 0.5]])
    assert x.apply_(lambda v: v * v + 1) is x and x.tolist() == [[2.0, 5.0], [10.0, 1.25]]
    x.map_(T.tensor([1.0, 2.0]), lambda a, b: a - b)
    assert x.tolist() == [[1.0, 3.0], [9.0, -0.75]] and x._version == 2
    with pytest.raises(RuntimeError, match="autograd cannot record"):
        T.ones(2, requires_grad=True).apply_(abs)


def test_a_leafs_first_grad_shares_memory_with_nothing_else():
    """PyTorch's AccumulateGrad takes an incoming gradient as .grad only when nothing else refers to it: the same
    gradient handed to two leaves, the caller's own, or one a hook or retain_grad() kept is copied — the next
    in-place accumulation or clip_grad_norm_ must reach only this .grad."""
    a, b = T.zeros(3, requires_grad=True), T.ones(3, requires_grad=True)
    ((a + b - T.tensor([1.0, 2.0, 3.0])) ** 2).mean().backward()  # Add hands one gradient to both
    T.nn.utils.clip_grad_norm_([a, b], 0.1)
    assert np.allclose(a.grad.tolist(), [0.0, -0.0316228, -0.0632456]) and b.grad.tolist() == a.grad.tolist()
    x, z = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
    (x + z).mean().backward()
    (x * 10).sum().backward()
    assert z.grad.tolist() == [0.5, 0.5] and x.grad.tolist() == [10.5, 10.5]
    x, g = T.ones(2, requires_grad=True), T.ones(2)
    x.backward(g)
    x.backward(g)
    assert g.tolist() == [1.0, 1.0] and x.grad.tolist() == [2.0, 2.0]
    x, seen = T.ones(2, requires_grad=True), []
    x.register_hook(seen.append)
    for _ in range(2):
        (x * 3).sum().backward()
    assert seen[0].tolist() == [3.0, 3.0] and x.grad.tolist() == [6.0, 6.0]
    x = T.ones(2, requires_grad=True)
    y = x + 0
    y.retain_grad()
    y.sum().backward()
    (x * 5).sum().backward()
    assert y.grad.tolist() == [1.0, 1.0] and x.grad.tolist() == [6.0, 6.0]


def test_a_gradient_nothing_else_holds_becomes_the_grad_without_a_copy():
    """The other half of PyTorch's rule: a fresh gradient (a weight's, from a matmul) is taken as it is, so that
    a training step does not copy every parameter's gradient."""
    import weakref

    class Fresh(T.autograd.Function):
        made = None

        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            array = np.full(3, 5.0, np.float32)
            Fresh.made = weakref.ref(array)
            return T.from_numpy(array)

    x = T.ones(3, requires_grad=True)
    Fresh.apply(x).sum().backward()
    assert Fresh.made() is not None and x.grad._data is Fresh.made()


def test_gradcheck_with_check_forward_ad_checks_the_jvps():
    """PyTorch's option checks forward mode against central differences too — a Function's own ``jvp`` among
    them (minidl accepted it and checked nothing: a wrong jvp passed); ``check_backward_ad=False`` checks only
    forward mode, for a Function with a jvp and no backward (PyTorch's forward-AD tutorial)."""
    class Square(Function):
        wrong = False

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.save_for_forward(x)
            return x ** 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return (3 if Square.wrong else 2) * x * t

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.result = x.exp()
            return ctx.result

        @staticmethod
        def jvp(ctx, t):
            return t * ctx.result

    x = T.tensor([0.5, 1.0, 2.0], dtype=T.float64, requires_grad=True)
    assert gradcheck(Square.apply, (x,), check_forward_ad=True)
    Square.wrong = True
    assert gradcheck(Square.apply, (x,))  # (reverse mode alone never calls the jvp)
    assert not gradcheck(Square.apply, (x,), check_forward_ad=True, raise_exception=False)
    with pytest.raises(GradcheckError, match=r"Jacobian mismatch \(forward AD\) for output 0 with respect to input 0"):
        gradcheck(Square.apply, (x,), check_forward_ad=True)
    assert gradcheck(Exp.apply, (x,), check_forward_ad=True, check_backward_ad=False)
    z = T.tensor([0.5 + 1j, 1.0 - 2j], dtype=T.complex128, requires_grad=True)
    assert gradcheck(lambda a: (a * a).sin(), (z,), check_forward_ad=True)
