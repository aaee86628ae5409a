"""Autograd extras against PyTorch: ``autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp — values,
nesting of tuple inputs/outputs, create_graph, strict mode, errors), the legacy ``autograd.Variable``, and
``Module.register_full_backward_hook`` / ``register_full_backward_pre_hook`` (what the hooks see, when they fire,
what their return values do)."""
import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.autograd import Variable, functional as AF

rng = numpy.random.default_rng(3)
A, B = rng.standard_normal(3), rng.standard_normal((2, 3))


def torch_or_skip():
    return pytest.importorskip("torch")


def _same(ours, theirs, rtol=1e-12, atol=1e-14):
    """Equal values and the same tuple nesting."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t, rtol, atol)
        return
    assert not isinstance(ours, tuple)
    assert tuple(ours.shape) == tuple(theirs.shape)
    numpy.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)


def _args(lib, arrays):
    tensors = tuple(lib.tensor(a) for a in arrays)
    return tensors if len(tensors) > 1 else tensors[0]


def _pair_fn(lib):
    return lambda a, b: (lib.tanh(a) * b, (a ** 3).sum() + (b * b).sum())


FUNCTIONS = [  # (function of the library, input arrays, v for vjp, v for jvp); one array = a plain tensor input
    (lambda lib: lambda a: lib.sin(a) * a, [A], A * 2, A - 1),
    (lambda lib: lambda a: (lib.exp(a) * a).sum(), [A], numpy.array(1.5), A),
    (_pair_fn, [A, B], (B, numpy.array(2.0)), (A, B)),
    (lambda lib: lambda a, b: (a * b).sum(1), [B, B[::-1].copy()], A[:2], (B, B)),
    (lambda lib: lambda a, b: (a ** 2,), [A, A], (A,), (A, A)),   # a one-element tuple out; b unused
]


@pytest.mark.parametrize("make, arrays, v_out, v_in", FUNCTIONS)
def test_jacobian_vjp_jvp_match_pytorch(make, arrays, v_out, v_in):
    torch = torch_or_skip()
    TF = torch.autograd.functional
    ours, theirs = make(torchlike), make(torch)
    x, tx = _args(torchlike, arrays), _args(torch, arrays)
    _same(AF.jacobian(ours, x), TF.jacobian(theirs, tx))
    _same(AF.jacobian(ours, x, vectorize=True), TF.jacobian(theirs, tx, vectorize=True))
    conv = (lambda lib, v: tuple(lib.tensor(a) for a in v) if isinstance(v, tuple) else lib.tensor(v))
    _same(AF.vjp(ours, x, conv(torchlike, v_out)), TF.vjp(theirs, tx, conv(torch, v_out)))
    _same(AF.jvp(ours, x, conv(torchlike, v_in)), TF.jvp(theirs, tx, conv(torch, v_in)))


HESSIAN_FUNCTIONS = [
    (lambda lib: lambda a: (a ** 3).sum() * lib.sin(a).sum(), [A]),
    (lambda lib: lambda a, b: (lib.sin(a) * b).sum() * (a ** 2).sum(), [A, A[::-1].copy()]),
    (lambda lib: lambda a, b: (a * a).sum() + 0 * b.sum(), [A, B]),  # a zero block
]


@pytest.mark.parametrize("make, arrays", HESSIAN_FUNCTIONS)
def test_hessian_hvp_vhp_match_pytorch(make, arrays):
    torch = torch_or_skip()
    TF = torch.autograd.functional
    ours, theirs = make(torchlike), make(torch)
    x, tx = _args(torchlike, arrays), _args(torch, arrays)
    _same(AF.hessian(ours, x), TF.hessian(theirs, tx), atol=1e-13)
    v = [rng.standard_normal(a.shape) for a in arrays]
    v, tv = _args(torchlike, v), _args(torch, v)
    _same(AF.hvp(ours, x, v), TF.hvp(theirs, tx, tv), atol=1e-13)
    _same(AF.vhp(ours, x, v), TF.vhp(theirs, tx, tv), atol=1e-13)


def test_create_graph_results_are_differentiable():
    x = torchlike.tensor(A, requires_grad=True)
    jac = AF.jacobian(lambda t: t ** 3, x, create_graph=True)
    assert jac.requires_grad
    jac.sum().backward()  # d/dx sum(diag(3 x²)) = 6 x
    numpy.testing.assert_allclose(x.grad.numpy(), 6 * A, rtol=1e-12)
    out, product = AF.jvp(lambda t: torchlike.sin(t), x, torchlike.tensor(numpy.ones(3)), create_graph=True)
    assert out.requires_grad and product.requires_grad
    assert not AF.jacobian(lambda t: t ** 3, x).requires_grad  # detached without create_graph
    out, product = AF.vjp(lambda t: t ** 2, x, torchlike.tensor(numpy.ones(3)))
    assert not out.requires_grad and not product.requires_grad
    hess = AF.hessian(lambda t: (t ** 4).sum(), x, create_graph=True)
    numpy.testing.assert_allclose(hess.detach().numpy(), numpy.diag(12 * A ** 2), rtol=1e-12)
    assert hess.requires_grad


def test_independent_outputs_give_zeros_or_strict_errors():
    x = torchlike.tensor(A)
    numpy.testing.assert_array_equal(AF.jacobian(lambda a: torchlike.ones(2), x).numpy(), numpy.zeros((2, 3)))
    jac = AF.jacobian(lambda a, b: a * 2, (x, x))
    assert not jac[1].numpy().any()
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is independent of input 1"):
        AF.jacobian(lambda a, b: a * 2, (x, x), strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not require gradients"):
        AF.vjp(lambda a: torchlike.ones(3), x, x, strict=True)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with respect to input 0 is "
                                           "independent"):
        AF.hessian(lambda a: a.sum() * 2, x, strict=True)
    out, product = AF.jvp(lambda a: torchlike.ones(3, dtype=torchlike.float64), x, x)
    assert not product.numpy().any()


@pytest.mark.parametrize("call, match, error", [
    (lambda x: AF.jacobian(lambda a: a * 2, [x]), "must be either a Tensor or a tuple of Tensors but the given "
                                                   "inputs has type <class 'list'>", TypeError),
    (lambda x: AF.jacobian(lambda a: a * 2, (x, 3)), "the value at index 1 has type", TypeError),
    (lambda x: AF.jacobian(lambda a: 3, x), "outputs of the user-provided function given to jacobian", TypeError),
    (lambda x: AF.jacobian(lambda a: a, x, strategy="sideways"), "forward-mode\" or \"reverse-mode", AssertionError),
    (lambda x: AF.jacobian(lambda a: a, x, strategy="forward-mode"), "only implemented for `vectorize=True`",
     NotImplementedError),
    (lambda x: AF.jacobian(lambda a: a, x, strategy="forward-mode", vectorize=True, create_graph=True),
     "are not supported together", NotImplementedError),
    (lambda x: AF.jacobian(lambda a: a, x, strict=True, vectorize=True), "are not supported together",
     RuntimeError),
    (lambda x: AF.hessian(lambda a: a ** 3, x), "should contain a single element", RuntimeError),
    (lambda x: AF.hessian(lambda a: (a.sum(), a.sum()), x), "should return a single Tensor", RuntimeError),
    (lambda x: AF.vjp(lambda a: a ** 2, x), "v can only be None if the user-provided function returns a single "
                                            "Tensor with a single element", RuntimeError),
    (lambda x: AF.jvp(lambda a: a ** 2, x), "v can only be None if the input", RuntimeError),
    (lambda x: AF.vjp(lambda a: a ** 2, x, torchlike.ones(4)), "v has invalid size", RuntimeError),
    (lambda x: AF.jvp(lambda a, b: a * b, (x, x), (x,)), "v is a tuple of invalid length: should be 2 but got 1",
     RuntimeError),
    (lambda x: AF.jvp(lambda a, b: a * b, (x, x), (x, x[:2])), "Entry 1 in v has invalid size", RuntimeError),
    (lambda x: AF.hvp(lambda a: a ** 2, x, x), "should contain a single element", RuntimeError),
])
def test_functional_errors(call, match, error):
    with pytest.raises(error, match=match):
        call(torchlike.tensor(A))


def test_scalar_input_and_output_need_no_v():
    x = torchlike.tensor(1.5, dtype=torchlike.float64)
    out, grad = AF.vjp(lambda a: a ** 3, x)
    assert float(out) == pytest.approx(3.375) and float(grad) == pytest.approx(6.75)
    out, tangent = AF.jvp(lambda a: a ** 3, x)
    assert float(tangent) == pytest.approx(6.75)


# ----------------------------------------------------------------------------------------------- Variable

def test_variable_is_the_legacy_wrapper():
    t = torchlike.ones(3)
    v = Variable(t, requires_grad=True)
    assert isinstance(v, torchlike.Tensor) and v is not t and v.is_leaf and v.requires_grad and not t.requires_grad
    assert v.data_ptr() == t.data_ptr()  # shares the memory
    assert isinstance(t, Variable) and isinstance(v, Variable) and not isinstance(3, Variable)
    y = torchlike.ones(2, requires_grad=True) * 2
    detached = Variable(y)
    assert detached.grad_fn is None and not detached.requires_grad
    assert tuple(Variable().shape) == (0,)
    (v * 2).sum().backward()
    numpy.testing.assert_array_equal(v.grad.numpy(), [2.0, 2.0, 2.0])
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got int"):
        Variable(3)
    assert torchlike.autograd.Variable is Variable


# ---------------------------------------------------------------------------------- module backward hooks

def _two(lib):
    """A module with two tensor inputs, a number and a keyword tensor input, and two or three outputs."""
    class Two(lib.nn.Module):
        def forward(self, a, b, scale=1.0, c=None):
            out = (a * 2 * scale, b * 3 + a)
            return out if c is None else out + (c * a,)
    return Two()


def _record(store):
    def hook(module, grad_input, grad_output):
        store.append(("post", type(module).__name__,
                      [None if g is None else g.detach().numpy().copy() for g in grad_input],
                      [None if g is None else g.detach().numpy().copy() for g in grad_output]))
    return hook


def _same_records(ours, theirs):
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert o[:2] == t[:2]
        for a, b in zip(o[2:], t[2:]):
            assert len(a) == len(b)
            for x, y in zip(a, b):
                assert (x is None) == (y is None)
                if x is not None:
                    numpy.testing.assert_allclose(x, y, rtol=1e-12)


SCENARIOS = [  # (build(lib) -> module, run(lib, module, tensors) -> loss, arrays, which arrays require grad)
    (lambda lib: lib.nn.Linear(3, 2).double(), lambda lib, m, x: (m(x) ** 2).sum(), [B], [True]),
    (lambda lib: lib.nn.Linear(3, 2).double(), lambda lib, m, x: (m(x) ** 2).sum(), [B], [False]),
    (_two, lambda lib, m, a, b: m(a, b)[0].sum(), [A, A[::-1].copy()], [True, False]),
    (_two, lambda lib, m, a, b: (m(a, b, 2.0)[1] ** 2).sum(), [A, A[::-1].copy()], [True, True]),
    (_two, lambda lib, m, a, b: sum(o.sum() for o in m(a, a, c=b)), [A, A], [True, True]),
    (lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh(), lib.nn.Linear(2, 1)).double(),
     lambda lib, m, x: m(x).sum(), [B], [True]),
    (lambda lib: lib.nn.Identity(), lambda lib, m, x: (m(x) * 3).sum(), [A], [True]),
    (lambda lib: lib.nn.Linear(3, 2).double(),  # double backward: the hooks fire in both passes
     lambda lib, m, x: lib.autograd.grad((lib.tanh(m(x)) ** 2).sum(), x, create_graph=True)[0].sum(), [B], [True]),
]


def _hooked_run(lib, module, run, arrays, needs):
    """Hook the module and every child (pre-hooks and hooks), run the loss backward; returns what the hooks saw
    and the inputs' gradients."""
    seen = []
    for m in module.modules():
        m.register_full_backward_hook(_record(seen))
        m.register_full_backward_pre_hook(lambda m, go: seen.append(
            ("pre", type(m).__name__, [], [None if g is None else g.detach().numpy().copy() for g in go])))
    tensors = [lib.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
    run(lib, module, *tensors).backward()
    return seen, [None if t.grad is None else t.grad.numpy() for t in tensors]


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("build, run, arrays, needs", SCENARIOS)
def test_full_backward_hook_sees_what_pytorch_sees(build, run, arrays, needs):
    torch = torch_or_skip()
    theirs, mine = build(torch), build(torchlike)
    mine.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    ours_seen, ours_grads = _hooked_run(torchlike, mine, run, arrays, needs)
    theirs_seen, theirs_grads = _hooked_run(torch, theirs, run, arrays, needs)
    _same_records(ours_seen, theirs_seen)
    for o, t in zip(ours_grads, theirs_grads):
        assert (o is None) == (t is None)
        if o is not None:
            numpy.testing.assert_allclose(o, t, rtol=1e-12)


def test_full_backward_hook_can_replace_grad_input_and_is_removable():
    lin = nn.Linear(3, 2).double()
    handle = lin.register_full_backward_hook(lambda m, gi, go: (torchlike.ones_like(gi[0]),))
    x = torchlike.tensor(B, requires_grad=True)
    lin(x).sum().backward()
    numpy.testing.assert_array_equal(x.grad.numpy(), numpy.ones((2, 3)))
    assert lin.weight.grad is not None  # the parameters' gradients are not affected
    handle.remove()
    x.grad = None
    lin(x).sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), numpy.tile(lin.weight.detach().numpy().sum(0), (2, 1)))


def test_backward_pre_hook_replaces_grad_output_and_prepend_orders_hooks():
    lin = nn.Linear(3, 2).double()
    order = []
    lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 0,))
    lin.register_full_backward_hook(lambda m, gi, go: order.append("first"))
    lin.register_full_backward_hook(lambda m, gi, go: order.append("prepended"), prepend=True)
    x = torchlike.tensor(B, requires_grad=True)
    lin(x).sum().backward()
    assert order == ["prepended", "first"]
    assert not x.grad.numpy().any() and not lin.weight.grad.numpy().any()


def test_a_grad_output_a_pre_hook_replaces_by_none_is_zero_from_there():
    lin = nn.Linear(3, 2).double()
    lin.register_full_backward_pre_hook(lambda m, go: (None,))
    x = torchlike.tensor(B, requires_grad=True)
    lin(x).sum().backward()
    assert x.grad is not None and not x.grad.numpy().any()   # PyTorch's zeros, not None


def test_backward_hook_errors_and_warning_like_pytorch():
    lin = nn.Linear(3, 2).double()
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, got 2, but "
                                           "expected 1"):
        lin(torchlike.tensor(B, requires_grad=True)).sum().backward()
    lin = nn.Linear(3, 2).double()
    lin.register_full_backward_hook(lambda m, gi, go: (torchlike.ones(2, 3),))
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are computed with respect to "
                                         "module outputs since no inputs require gradients"):
        with pytest.raises(RuntimeError, match="no input requires gradient should always return None"):
            lin(torchlike.tensor(B)).sum().backward()
    lin = nn.Linear(3, 2).double()
    lin.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
    with pytest.raises(RuntimeError, match="Backward pre hook returned an invalid number of grad_output"):
        lin(torchlike.tensor(B, requires_grad=True)).sum().backward()


def test_backward_hooks_fire_per_call_and_survive_retain_graph_and_no_grad():
    lin = nn.Linear(3, 2).double()
    calls = []
    lin.register_full_backward_hook(lambda m, gi, go: calls.append(gi[0].detach().numpy().copy()))
    x = torchlike.tensor(B, requires_grad=True)
    y = lin(x).sum() + (lin(x * 2) ** 2).sum()  # the module used twice: two calls, two reports
    y.backward(retain_graph=True)
    assert len(calls) == 2
    y.backward()
    assert len(calls) == 4
    with torchlike.no_grad():
        out = lin(x)
    assert out.grad_fn is None and len(calls) == 4
    # higher order: the hooked module inside a create_graph gradient; the second backward goes through the
    # module's forward graph again, so the hook fires again (PyTorch's count too)
    x2 = torchlike.tensor(B, requires_grad=True)
    (g,) = torchlike.autograd.grad((torchlike.tanh(lin(x2)) ** 2).sum(), x2, create_graph=True)
    assert len(calls) == 5
    g.sum().backward()
    assert x2.grad is not None and len(calls) == 6


def test_forward_mode_jacobian_of_complex_functions_is_df_dz_and_reverse_mode_refuses_complex_outputs():
    """Column by column (jvp), as PyTorch's forward mode: ∂f/∂z for a holomorphic f, and a complex column for a
    real input; rows (reverse mode) would give the conjugate, so a complex output is refused there."""
    z = torchlike.tensor([1 + 2j, 3j], dtype=torchlike.complex128)
    square, modulus = torchlike.autograd.functional.jacobian(lambda v: (v * v, v.abs()), (z,), vectorize=True,
                                                         strategy="forward-mode")
    numpy.testing.assert_allclose(square[0].numpy(), numpy.diag([2 + 4j, 6j]))
    numpy.testing.assert_allclose(modulus[0].numpy(), numpy.diag([1 / numpy.sqrt(5), 0.0]), atol=1e-15)  # d|z|/d(Re z)
    x = torchlike.tensor([0.5], dtype=torchlike.float64)
    rotation = torchlike.autograd.functional.jacobian(lambda t: torchlike.exp(1j * t), x, vectorize=True,
                                                  strategy="forward-mode")
    numpy.testing.assert_allclose(rotation.numpy(), [[1j * numpy.exp(0.5j)]])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for real scalar outputs"):
        torchlike.autograd.functional.jacobian(lambda v: v * v, z)
