"""``torch.func`` (``minidl.eager.func``): each transform against PyTorch's on the same functions and inputs, against
float64 central differences, composed (nesting, vmap of grad, grad through vmap, with plain autograd), the
per-sample-gradient and ensembling recipes, ``functional_call``'s swapping and restoring, and PyTorch's errors."""
import numpy
import pytest

import minidl.eager as torchlike
import minidl.eager.func as ourfunc
from minidl.eager import nn
from minidl.eager.func import (functional_call, grad, grad_and_value, hessian, jacfwd, jacrev, jvp,
                               stack_module_state, vjp, vmap)
from minidl.eager.func.pytree import tree_flatten, tree_unflatten
from tests.gradient_checks import central_differences

rng = numpy.random.default_rng(7)
A, B, C = rng.standard_normal(3), rng.standard_normal((2, 3)), rng.standard_normal((4, 3))


def torch_or_skip():
    return pytest.importorskip("torch")


def _numpy(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else numpy.asarray(value)


def _same(ours, theirs, rtol=1e-12, atol=1e-13):
    """Equal values in the same nesting of tuples, lists and dicts."""
    if isinstance(theirs, (tuple, list, dict)):
        assert type(ours) is type(theirs), (type(ours), type(theirs))
        assert len(ours) == len(theirs)
        if isinstance(theirs, dict):
            assert list(ours) == list(theirs)
            ours, theirs = ours.values(), theirs.values()
        for o, t in zip(ours, theirs):
            _same(o, t, rtol, atol)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    numpy.testing.assert_allclose(_numpy(ours), _numpy(theirs), rtol=rtol, atol=atol)


def _tensors(lib, tree):
    """The arrays of a nest of arrays as tensors of ``lib``."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([lib.tensor(a) if isinstance(a, (numpy.ndarray, numpy.generic)) else a for a in leaves], spec)


def _jacobian_by_differences(f, x):
    """d f(x) / d x for an array ``x``, one output element at a time: shape f(x).shape + x.shape."""
    with torchlike.no_grad():
        out_shape = tuple(f(torchlike.tensor(x)).shape)
    rows = [central_differences(lambda v: f(v).reshape(-1)[i], x) for i in range(int(numpy.prod(out_shape)))]
    return numpy.stack(rows).reshape(out_shape + x.shape)


# ------------------------------------------------------------------------------------------ grad, vjp, jvp

GRAD_CASES = [  # (function of the library, argument arrays (pytrees), argnums)
    (lambda lib: lambda x: (lib.sin(x) * x).sum(), [A], 0),
    (lambda lib: lambda x, y: (x * lib.tanh(y)).sum() + (x ** 2).sum(), [B, B[::-1].copy()], 1),
    (lambda lib: lambda x, y: (x * lib.tanh(y)).sum() + (x ** 2).sum(), [B, B[::-1].copy()], (0, 1)),
    (lambda lib: lambda x, y: (x * lib.tanh(y)).sum() + (x ** 2).sum(), [B, B[::-1].copy()], -2),
    (lambda lib: lambda d: (d["w"] @ d["b"][0]).exp().sum() * d["b"][1], [{"w": B, "b": (A, numpy.array(0.5))}], 0),
    (lambda lib: lambda xs, y: (xs[0] * xs[1] * y).sum(), [[A, A + 1], A], (0, 1)),
    (lambda lib: lambda x, unused: (x ** 3).mean(), [A, B], (0, 1)),  # an unused argument: zeros
]


@pytest.mark.parametrize("make, arrays, argnums", GRAD_CASES)
def test_grad_and_grad_and_value_match_pytorch(make, arrays, argnums):
    torch = torch_or_skip()
    ours, theirs = make(torchlike), make(torch)
    args, targs = _tensors(torchlike, arrays), _tensors(torch, arrays)
    _same(grad(ours, argnums)(*args), torch.func.grad(theirs, argnums)(*targs))
    _same(grad_and_value(ours, argnums)(*args), torch.func.grad_and_value(theirs, argnums)(*targs))


def test_grad_matches_central_differences():
    f = lambda x: (torchlike.sin(x) * x ** 2).sum() / (1 + (x ** 2).sum())  # noqa: E731
    numpy.testing.assert_allclose(grad(f)(torchlike.tensor(B)).numpy(), central_differences(f, B), rtol=1e-6,
                                  atol=1e-8)


def test_grad_has_aux_and_kwargs():
    torch = torch_or_skip()

    def make(lib):
        return lambda x, scale=1.0: ((x * scale).sin().sum(), {"double": x * 2, "list": [x.sum()]})
    args = (torchlike.tensor(A),), (torch.tensor(A),)
    _same(grad(make(torchlike), has_aux=True)(*args[0], scale=3.0),
          torch.func.grad(make(torch), has_aux=True)(*args[1], scale=3.0))
    _same(grad_and_value(make(torchlike), has_aux=True)(*args[0], scale=3.0),
          torch.func.grad_and_value(make(torch), has_aux=True)(*args[1], scale=3.0))


VJP_CASES = [  # (function, primal arrays, cotangent arrays)
    (lambda lib: lambda a: lib.sin(a) * a, [A], A * 2),
    (lambda lib: lambda a, b: (a * 2, {"s": b.sum(), "p": a @ b.T}), [A, B], (A, {"s": numpy.array(1.5),
                                                                                 "p": A[:2].copy()})),
    (lambda lib: lambda d: [d["x"] ** 2], [{"x": B}], [B + 1]),
]


@pytest.mark.parametrize("make, arrays, cotangents", VJP_CASES)
def test_vjp_matches_pytorch_and_can_be_called_again(make, arrays, cotangents):
    torch = torch_or_skip()
    out, vjp_fn = vjp(make(torchlike), *_tensors(torchlike, arrays))
    tout, tvjp_fn = torch.func.vjp(make(torch), *_tensors(torch, arrays))
    _same(out, tout)
    _same(vjp_fn(_tensors(torchlike, cotangents)), tvjp_fn(_tensors(torch, cotangents)))
    doubled = tree_unflatten([a * 2 for a in tree_flatten(cotangents)[0]], tree_flatten(cotangents)[1])
    _same(vjp_fn(_tensors(torchlike, doubled)), tvjp_fn(_tensors(torch, doubled)))


def test_vjp_has_aux_and_unused_primal():
    torch = torch_or_skip()
    make = lambda lib: lambda a, b: (a.exp(), a.sum())  # noqa: E731
    out, fn, aux = vjp(make(torchlike), torchlike.tensor(A), torchlike.tensor(B), has_aux=True)
    tout, tfn, taux = torch.func.vjp(make(torch), torch.tensor(A), torch.tensor(B), has_aux=True)
    _same((out, aux, fn(torchlike.tensor(A))), (tout, taux, tfn(torch.tensor(A))))


JVP_CASES = [  # (function, primal arrays, tangent arrays)
    (lambda lib: lambda a: lib.sin(a) * a, (A,), (A - 1,)),
    (lambda lib: lambda a, b: (a * b.sum(), (a ** 2).sum()), (A, B), (A * 3, B - 2)),
    (lambda lib: lambda d: d["w"] @ d["x"], ({"w": B, "x": A},), ({"w": B * 0 + 1, "x": A * 2},)),
    (lambda lib: lambda a: (lib.sin(a), (a > 0).long()), (A,), (A - 1,)),   # an integer output: tangent 0
    (lambda lib: lambda a: (a > 0).long(), (A,), (A,)),
]


@pytest.mark.parametrize("make, primals, tangents", JVP_CASES)
def test_jvp_matches_pytorch(make, primals, tangents):
    torch = torch_or_skip()
    _same(jvp(make(torchlike), _tensors(torchlike, primals), _tensors(torchlike, tangents)),
          torch.func.jvp(make(torch), _tensors(torch, primals), _tensors(torch, tangents)))


def test_jvp_has_aux_and_agrees_with_the_jacobian():
    torch = torch_or_skip()
    make = lambda lib: lambda a: (lib.tanh(a) * a.sum(), a + 1)  # noqa: E731
    ours = jvp(make(torchlike), (torchlike.tensor(A),), (torchlike.tensor(A * 2),), has_aux=True)
    _same(ours, torch.func.jvp(make(torch), (torch.tensor(A),), (torch.tensor(A * 2),), has_aux=True))
    jac = _jacobian_by_differences(lambda a: make(torchlike)(a)[0], A)
    numpy.testing.assert_allclose(ours[1].numpy(), jac @ (A * 2), rtol=1e-6)


# ------------------------------------------------------------------------------------ Jacobians and Hessians

JACOBIAN_CASES = [  # (function, argument arrays, argnums)
    (lambda lib: lambda a: lib.sin(a) * a.sum(), [A], 0),
    (lambda lib: lambda a, b: (a @ b.T, (b ** 2).sum()), [A, B], (0, 1)),
    (lambda lib: lambda a, b: {"p": a * 2, "q": (a * b).sum(1)}, [A, B], 1),
    (lambda lib: lambda d: d["a"].exp() * d["b"], [{"a": A[:2].copy(), "b": A[1:].copy()}], 0),
    (lambda lib: lambda a: a[:0] * 2, [A], 0),  # an output without elements
]


@pytest.mark.parametrize("make, arrays, argnums", JACOBIAN_CASES)
def test_jacrev_and_jacfwd_match_pytorch(make, arrays, argnums):
    torch = torch_or_skip()
    args, targs = _tensors(torchlike, arrays), _tensors(torch, arrays)
    expected = torch.func.jacrev(make(torch), argnums)(*targs)
    _same(jacrev(make(torchlike), argnums)(*args), expected)
    _same(jacfwd(make(torchlike), argnums)(*args), torch.func.jacfwd(make(torch), argnums)(*targs))


def test_jacobians_match_central_differences_and_keep_aux():
    f = lambda x: torchlike.tanh(x) * (x ** 2).sum()  # noqa: E731
    for transform in (jacrev, jacfwd):
        jac, aux = transform(lambda x: (f(x), x.sum()), has_aux=True)(torchlike.tensor(A))
        numpy.testing.assert_allclose(jac.numpy(), _jacobian_by_differences(f, A), rtol=1e-6, atol=1e-8)
        assert float(aux) == pytest.approx(A.sum()) and not aux.requires_grad


HESSIAN_CASES = [
    (lambda lib: lambda a: (a ** 3).sum() * lib.sin(a).sum(), [A], 0),
    (lambda lib: lambda a: lib.tanh(a) * a.sum(), [A], 0),  # a vector output: one Hessian per element
    (lambda lib: lambda a, b: (lib.sin(a) * b).sum() * (a ** 2).sum(), [A, A[::-1].copy()], (0, 1)),
]


@pytest.mark.parametrize("make, arrays, argnums", HESSIAN_CASES)
def test_hessian_matches_pytorch(make, arrays, argnums):
    torch = torch_or_skip()
    _same(hessian(make(torchlike), argnums)(*_tensors(torchlike, arrays)),
          torch.func.hessian(make(torch), argnums)(*_tensors(torch, arrays)))


def test_hessian_matches_central_differences_of_the_gradient():
    f = lambda x: (x ** 3).sum() * torchlike.sin(x).sum()  # noqa: E731
    numeric = _jacobian_by_differences(grad(f), A)  # (grad runs here under no_grad: it still records inside)
    numpy.testing.assert_allclose(hessian(f)(torchlike.tensor(A)).numpy(), numeric, rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------------------------------------------ composing

def test_nested_grads_match_pytorch():
    torch = torch_or_skip()
    make = lambda lib: lambda x: lib.sin(x) * x ** 3  # noqa: E731
    x, tx = torchlike.tensor(0.7, dtype=torchlike.float64), torch.tensor(0.7, dtype=torch.float64)
    for depth in (2, 3):
        ours, theirs = make(torchlike), make(torch)
        for _ in range(depth):
            ours, theirs = grad(ours), torch.func.grad(theirs)
        _same(ours(x), theirs(tx))


def test_no_perturbation_confusion():
    """d/dx [d/dy (x y)] at y = x is d/dx x = 1, not d/dx 2x = 2: the inner grad must not see the outer x."""
    def f(lib, transform):
        def outer(x):
            return transform(lambda y: (x * y).sum())(x).sum()
        return outer
    x = torchlike.tensor(A)
    numpy.testing.assert_array_equal(grad(f(torchlike, grad))(x).numpy(), numpy.ones(3))
    torch = torch_or_skip()
    _same(grad(f(torchlike, grad))(x), torch.func.grad(f(torch, torch.func.grad))(torch.tensor(A)))


def test_jvp_and_vjp_inside_grad():
    torch = torch_or_skip()

    def make(lib, func):
        def f(x):
            _, tangent = func.jvp(lambda a: lib.sin(a) * a, (x,), (x * 2,))
            out, vjp_fn = func.vjp(lambda a: a.exp() * x, x)
            return (tangent * vjp_fn(out)[0]).sum()
        return f
    _same(grad(make(torchlike, ourfunc))(torchlike.tensor(A)), torch.func.grad(make(torch, torch.func))(
        torch.tensor(A)))
    _same(jacrev(grad(make(torchlike, ourfunc)))(torchlike.tensor(A)),
          torch.func.jacrev(torch.func.grad(make(torch, torch.func)))(torch.tensor(A)))


def _requires_grad_flags(lib, func):
    """Which results of each transform require grad, for a plain input x and a leaf p that requires grad."""
    x, p = lib.tensor(A), lib.tensor(A, requires_grad=True)
    f, g = (lambda a: (lib.sin(a) * a).sum()), (lambda a: lib.sin(a) * a)
    out, vjp_fn = func.vjp(g, x)
    out_p, vjp_fn_p = func.vjp(g, p)
    return {
        "jvp": [[t.requires_grad for t in func.jvp(g, (a,), (b,))] for a, b in ((x, x), (p, x), (x, p))],
        "vjp": [out.requires_grad, vjp_fn(x)[0].requires_grad, vjp_fn(p)[0].requires_grad],
        "vjp p": [out_p.requires_grad, vjp_fn_p(x)[0].requires_grad],
        "jacrev": [func.jacrev(g)(a).requires_grad for a in (x, p)],
        "hessian": [func.hessian(f)(a).requires_grad for a in (x, p)],
        "grad_and_value": [[t.requires_grad for t in func.grad_and_value(f)(a)] for a in (x, p)],
        "vmap grad": [func.vmap(func.grad(f))(a.reshape(3, 1)).requires_grad for a in (x, p)],
    }


def test_results_require_grad_as_in_pytorch():
    torch = torch_or_skip()
    assert _requires_grad_flags(torchlike, ourfunc) == _requires_grad_flags(torch, torch.func)
    third = []
    for lib, func in ((torchlike, ourfunc), (torch, torch.func)):
        p = lib.tensor(A, requires_grad=True)
        func.hessian(lambda a: (lib.sin(a) * a).sum())(p).sum().backward()  # a third derivative, by backward
        third.append(p.grad)
    _same(third[0], third[1])


def test_results_require_grad_only_when_someone_outside_can_differentiate():
    f = lambda x: (x ** 3).sum()  # noqa: E731
    assert not grad(f)(torchlike.tensor(A)).requires_grad
    p = torchlike.tensor(A, requires_grad=True)
    g = grad(f)(p)  # composes with plain autograd: d/dp sum(3 p²) = 6 p
    assert g.requires_grad
    g.sum().backward()
    numpy.testing.assert_allclose(p.grad.numpy(), 6 * A, rtol=1e-12)
    w = torchlike.tensor(A, requires_grad=True)
    g, aux = grad(lambda x: ((w * x).sum(), x * 2), has_aux=True)(torchlike.tensor(A))
    assert g.requires_grad and not aux.requires_grad  # g = w; aux depends only on the level's own input
    with torchlike.no_grad():
        assert not grad(lambda x: (w * x).sum())(torchlike.tensor(A)).requires_grad


def test_outer_no_grad_is_ignored_and_inner_no_grad_respected():
    """PyTorch's documented cases: grad ignores a no_grad around it, and honours one inside the function."""
    def f(x):
        with torchlike.no_grad():
            c = x ** 2
        return (x - c).sum()
    x = torchlike.tensor(A)
    with torchlike.no_grad():
        numpy.testing.assert_array_equal(grad(f)(x).numpy(), numpy.ones(3))
        numpy.testing.assert_allclose(grad(lambda x: (x ** 2).sum())(x).numpy(), 2 * A)


def test_grad_of_integer_output_is_zero():
    numpy.testing.assert_array_equal(grad(lambda x: (x > 0).sum())(torchlike.tensor(A)).numpy(), numpy.zeros(3))


# ------------------------------------------------------------------------------------------------------ vmap

VMAP_CASES = [  # (function of the library, argument arrays (pytrees), vmap keyword arguments)
    (lambda lib: lambda a: a.sum(), [C], {}),
    (lambda lib: lambda a: a * 2, [C], {"in_dims": 1}),
    (lambda lib: lambda a: a * 2, [C], {"in_dims": -1, "out_dims": 1}),
    (lambda lib: lambda a, b: a @ b, [C, A], {"in_dims": (0, None)}),
    (lambda lib: lambda a, b: (a * b, (a - b).sum()), [C, C[::-1].copy()], {"out_dims": (1, 0)}),
    (lambda lib: lambda a: (a * 2, lib.ones(2, dtype=lib.float64)), [C], {"out_dims": (0, None)}),
    (lambda lib: lambda a: lib.ones(2, dtype=lib.float64) * 3, [C], {}),  # an output not depending on the batch
    (lambda lib: lambda t: t[0] + t[1], [(C, A)], {"in_dims": ((0, None),)}),
    (lambda lib: lambda d: {"s": d["a"] * d["b"]}, [{"a": C, "b": A}], {"in_dims": ({"a": 0, "b": None},)}),
    (lambda lib: lambda t: [t[0] - t[1]], [[C, C.T.copy()]], {"in_dims": ([0, 1],)}),
    (lambda lib: lambda a: a.sum(), [C], {"out_dims": (0,)}),
    (lambda lib: lambda a, n: a * n, [C, 3.0], {"in_dims": (0, None)}),  # a number, not mapped
]


@pytest.mark.parametrize("make, arrays, kwargs", VMAP_CASES)
def test_vmap_matches_pytorch(make, arrays, kwargs):
    torch = torch_or_skip()
    _same(vmap(make(torchlike), **kwargs)(*_tensors(torchlike, arrays)),
          torch.func.vmap(make(torch), **kwargs)(*_tensors(torch, arrays)))


def test_vmap_is_the_loop_it_replaces():
    x, w = torchlike.tensor(C), torchlike.tensor(B)
    f = lambda row, scale: torchlike.tanh(w @ row) * scale  # noqa: E731
    expected = torchlike.stack([f(row, 2.0) for row in x])
    _same(vmap(f, in_dims=(0, None))(x, 2.0), expected)
    _same(vmap(f, chunk_size=2)(x, scale=2.0), expected)  # keyword arguments are not mapped


def test_nested_vmap_matches_pytorch():
    torch = torch_or_skip()
    make = lambda lib: lambda a, b: (a * b).sum()  # noqa: E731
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((5, 3))
    ours = vmap(vmap(make(torchlike), in_dims=(None, 0)), in_dims=(0, None))(torchlike.tensor(x), torchlike.tensor(y))
    theirs = torch.func.vmap(torch.func.vmap(make(torch), in_dims=(None, 0)), in_dims=(0, None))(
        torch.tensor(x), torch.tensor(y))
    _same(ours, theirs)
    numpy.testing.assert_allclose(ours.numpy(), x @ y.T, rtol=1e-12)


def test_gradients_flow_through_vmap():
    torch = torch_or_skip()
    results = []
    for lib, func in ((torchlike, ourfunc), (torch, torch.func)):
        x, w = lib.tensor(C, requires_grad=True), lib.tensor(A, requires_grad=True)
        out = func.vmap(lambda row: lib.sin(row * w).sum())(x)
        (out ** 2).sum().backward()
        results.append((out, x.grad, w.grad))
    _same(results[0], results[1])
    _same(grad(lambda x: vmap(lambda r: (r ** 3).sum())(x).sum())(torchlike.tensor(C)), torchlike.tensor(3 * C ** 2))


def test_per_sample_jacobians_and_jacobian_of_jacobian_match_pytorch():
    torch = torch_or_skip()
    make = lambda lib: lambda w, x: lib.tanh(w @ x)  # noqa: E731
    _same(vmap(jacrev(make(torchlike)), in_dims=(None, 0))(torchlike.tensor(B), torchlike.tensor(C)),
          torch.func.vmap(torch.func.jacrev(make(torch)), in_dims=(None, 0))(torch.tensor(B), torch.tensor(C)))
    f = lambda lib: lambda x: (lib.sin(x) * x.sum()).sum()  # noqa: E731
    _same(jacrev(jacrev(f(torchlike)))(torchlike.tensor(A)), torch.func.hessian(f(torch))(torch.tensor(A)))


def test_vmap_randomness():
    x = torchlike.tensor(C)
    with pytest.raises(RuntimeError, match="vmap: called random operation while in randomness error mode"):
        vmap(lambda a: a * torchlike.rand(()))(x)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        vmap(lambda a: nn.functional.dropout(a, 0.5))(x)
    with pytest.raises(RuntimeError, match="randomness error mode"):  # the outer vmap's "error" also counts
        vmap(vmap(lambda a: a * torchlike.rand(()), randomness="different"))(x)
    draws = vmap(lambda a: torchlike.rand(2), randomness="same")(x)
    assert all(torchlike.equal(draws[0], row) for row in draws)
    draws = vmap(lambda a: torchlike.rand(2), randomness="different")(x)
    assert len({tuple(row.tolist()) for row in draws}) == 4
    nested = vmap(vmap(lambda a: torchlike.rand(()), randomness="same"), randomness="different")(
        torchlike.zeros(3, 2))
    assert all(torchlike.equal(row[0], row[1]) for row in nested) and len(set(nested[:, 0].tolist())) == 3
    vmap(lambda a: nn.functional.dropout(a, 0.5, training=False))(x)  # no draw, no error


def test_vmap_refuses_to_update_a_shared_tensor_in_place():
    """PyTorch's vmap calls the function once: ``c.add_(a)`` with ``c`` unbatched fails there (the result would need
    the batch dim). minidl's loop would add every sample into the one ``c``; it refuses instead."""
    shared = torchlike.zeros(3, dtype=torchlike.float64)
    batch = torchlike.ones(4, 3, dtype=torchlike.float64)
    with pytest.raises(RuntimeError, match="modified in place a tensor that is not batched"):
        vmap(lambda a, c: c.add_(a), in_dims=(0, None))(batch, shared)
    with pytest.raises(RuntimeError, match="modified in place a tensor that is not batched"):
        vmap(lambda a, c=None: c.mul_(2) + a)(batch, c=shared)
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.vmap(lambda a, c: c.add_(a), in_dims=(0, None))(torch.ones(4, 3), torch.zeros(3))
    doubled = vmap(lambda a: a.mul_(2))(batch.clone())   # a batched argument may be updated in place
    assert doubled.tolist() == [[2.0] * 3] * 4


# ----------------------------------------------------------------------------- per-sample gradients, ensembles

def _linear_model(lib, seed=0):
    model = lib.nn.Linear(3, 2).double()
    weights = numpy.random.default_rng(seed)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(weights.standard_normal((2, 3))))
        model.bias.copy_(lib.tensor(weights.standard_normal(2)))
    return model


def _per_sample_gradients(lib, func, model, x, y):
    """The torch.func recipe: vmap over the gradient of one sample's loss, the parameters unmapped."""
    def loss_fn(params, sample, target):
        prediction = func.functional_call(model, params, (sample.unsqueeze(0),))
        return lib.nn.functional.mse_loss(prediction, target.unsqueeze(0))
    params = {name: p.detach() for name, p in model.named_parameters()}
    return func.vmap(func.grad(loss_fn), in_dims=(None, 0, 0))(params, x, y)


def test_per_sample_gradients_match_a_loop_and_pytorch(device):
    model = _linear_model(torchlike).to(device)
    x, y = torchlike.tensor(C, device=device), torchlike.tensor(rng.standard_normal((4, 2)), device=device)
    ours = _per_sample_gradients(torchlike, ourfunc, model, x, y)
    assert list(ours) == ["weight", "bias"] and tuple(ours["weight"].shape) == (4, 2, 3)
    for i in range(4):
        loss = nn.functional.mse_loss(model(x[i:i + 1]), y[i:i + 1])
        for (name, p), g in zip(model.named_parameters(), torchlike.autograd.grad(loss, list(model.parameters()))):
            numpy.testing.assert_allclose(_numpy(ours[name][i]), _numpy(g), rtol=1e-12)
    torch = torch_or_skip()
    theirs = _per_sample_gradients(torch, torch.func, _linear_model(torch), torch.tensor(C), torch.tensor(_numpy(y)))
    _same(ours, theirs)


def test_ensemble_with_stack_module_state_matches_each_model_and_pytorch(device):

    def ensemble(lib, func, seeds, x):
        models = [_linear_model(lib, seed) for seed in seeds]
        params, buffers = func.stack_module_state(models)
        assert tuple(params["weight"].shape) == (3, 2, 3) and params["weight"].requires_grad and buffers == {}
        call = lambda p, b, data: func.functional_call(models[0], (p, b), (data,))  # noqa: E731
        return models, func.vmap(call, in_dims=(0, 0, None))(params, buffers, x)
    x = torchlike.tensor(C)
    models, ours = ensemble(torchlike, ourfunc, (1, 2, 3), x)
    for model, out in zip(models, ours):
        _same(out, model(x))
    torch = torch_or_skip()
    _same(ours, ensemble(torch, torch.func, (1, 2, 3), torch.tensor(C))[1])


def test_stack_module_state_stacks_buffers_and_checks_the_models():
    norms = [nn.BatchNorm1d(3) for _ in range(2)]
    params, buffers = stack_module_state(norms)
    assert list(buffers) == ["running_mean", "running_var", "num_batches_tracked"]
    assert tuple(buffers["running_var"].shape) == (2, 3) and not buffers["running_var"].requires_grad
    assert params["weight"].is_leaf and params["weight"].requires_grad
    with pytest.raises(RuntimeError, match="Expected at least one model, got 0"):
        stack_module_state([])
    with pytest.raises(RuntimeError, match="Expected all models to be of the same class"):
        stack_module_state([nn.Linear(3, 2), nn.Sequential(nn.Linear(3, 2))])
    with pytest.raises(RuntimeError, match="Expected all models to have the same training/eval mode"):
        stack_module_state([nn.Linear(3, 2), nn.Linear(3, 2).eval()])
    frozen = nn.Linear(3, 2)
    frozen.weight.requires_grad_(False)
    with pytest.raises(RuntimeError, match="Expected weight from each model to have the same .requires_grad"):
        stack_module_state([nn.Linear(3, 2), frozen])


# --------------------------------------------------------------------------------------------- functional_call

class _Peek(nn.Module):
    """A linear layer and a buffer; records what it sees during forward."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2).double()
        self.register_buffer("shift", torchlike.zeros(2, dtype=torchlike.float64))
        self.seen = []

    def forward(self, x, fail=False):
        self.seen.append(sorted(name for name, _ in self.named_parameters()))
        if fail:
            raise ValueError("boom")
        return self.lin(x) + self.shift


def test_functional_call_swaps_and_restores():
    module = _Peek()
    weight, bias, shift = module.lin.weight, module.lin.bias, module.shift
    new_weight, new_shift = torchlike.tensor(B, requires_grad=True), torchlike.ones(2, dtype=torchlike.float64)
    x = torchlike.tensor(C)
    out = functional_call(module, ({"lin.weight": new_weight}, {"shift": new_shift}), x)
    _same(out, x @ new_weight.T + bias + 1)
    out.sum().backward()  # the gradient reaches the given tensor
    numpy.testing.assert_allclose(new_weight.grad.numpy(), numpy.tile(C.sum(0), (2, 1)), rtol=1e-12)
    assert module.lin.weight is weight and module.lin.bias is bias and module.shift is shift
    assert isinstance(module.lin.weight, nn.Parameter) and module.lin.weight.grad is None
    with pytest.raises(ValueError, match="boom"):
        functional_call(module, {"lin.weight": new_weight}, (x,), {"fail": True})
    assert module.lin.weight is weight and module.seen[-1] == ["lin.bias", "lin.weight"]


def test_functional_call_updates_given_buffers_in_place_and_sets_unknown_names():
    norm = nn.BatchNorm1d(3)
    running_mean = torchlike.zeros(3)
    functional_call(norm, {"running_mean": running_mean}, (torchlike.tensor(C, dtype=torchlike.float32),))
    numpy.testing.assert_allclose(running_mean.numpy(), 0.1 * C.mean(0), rtol=1e-5)
    assert not norm.running_mean.numpy().any()
    lin = nn.Linear(3, 2)
    functional_call(lin, {"extra": torchlike.ones(1)}, (torchlike.ones(3),))  # not strict: set for the call only
    assert not hasattr(lin, "extra")


def test_functional_call_tied_weights():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 3, bias=False).double(), nn.Linear(3, 3, bias=False).double()
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))
    module, x, eye = Tied(), torchlike.tensor(C), torchlike.eye(3, dtype=torchlike.float64)
    _same(functional_call(module, {"a.weight": eye}, (x,)), x)  # both names get the identity
    _same(functional_call(module, {"b.weight": eye}, (x,)), x)
    _same(functional_call(module, {"a.weight": eye}, (x,), tie_weights=False), module.b(x))
    _same(functional_call(module, {"a.weight": eye, "b.weight": eye}, (x,)), x)  # the same tensor twice is fine
    with pytest.raises(ValueError, match=r"got multiple values for keys \['a.weight', 'b.weight'\], which are tied"):
        functional_call(module, {"a.weight": eye, "b.weight": eye * 2}, (x,))
    with pytest.raises(RuntimeError, match="Missing key\\(s\\): 'b.weight'"):
        functional_call(module, {"a.weight": eye}, (x,), tie_weights=False, strict=True)
    functional_call(module, {"a.weight": eye}, (x,), strict=True)  # the tied name counts as given


def test_functional_call_matches_pytorch_with_grad():
    torch = torch_or_skip()
    results = []
    for lib, func in ((torchlike, ourfunc), (torch, torch.func)):
        model = lib.nn.Sequential(_linear_model(lib), lib.nn.Tanh())
        loss = lambda w: (func.functional_call(model, {"0.weight": w}, (lib.tensor(C),)) ** 2).sum()  # noqa: E731
        results.append(func.grad(loss)(lib.tensor(B)))
    _same(results[0], results[1])


@pytest.mark.parametrize("call, error, match", [
    (lambda m, x: functional_call(m, {"weight": torchlike.ones(2, 3), "foo": x, "zap": x}, (x,), strict=True),
     RuntimeError, "Error\\(s\\) in reparametrizing for Linear:\n\tUnexpected key\\(s\\): 'foo', 'zap'.\n\tMissing "
                   "key\\(s\\): 'bias'."),
    (lambda m, x: functional_call(m, {}, (x,), strict=True), RuntimeError, "Missing key\\(s\\): 'bias', 'weight'."),
    (lambda m, x: functional_call(m, ({"weight": x}, {"weight": x}), (x,)), ValueError,
     "\\['weight'\\] appeared in multiple dictionaries; behavior of functional call is ambiguous"),
    (lambda m, x: functional_call(m, [x], (x,)), ValueError, "Expected all elements of parameter_and_buffer_dicts to "
                                                               "be dictionaries"),
    (lambda m, x: functional_call(m, x, (x,)), ValueError, "Expected parameter_and_buffer_dicts to be a dict"),
    (lambda m, x: functional_call(m, {"weight": 3.0}, (x,)), TypeError, "3.0 is not an instance of Tensor"),
    (lambda m, x: functional_call(nn.Sequential(m), {"1.weight": x}, (x,)), AttributeError,
     "Sequential has no attribute `1`"),
])
def test_functional_call_errors(call, error, match):
    module = nn.Linear(3, 2)
    weight = module.weight
    with pytest.raises(error, match=match):
        call(module, torchlike.ones(3))
    assert module.weight is weight


# ------------------------------------------------------------------------------------------------------ errors

x3 = torchlike.tensor(A)


@pytest.mark.parametrize("call, error, match", [
    (lambda: grad(lambda x: x * 2)(x3), RuntimeError, "grad_and_value\\(f\\)\\(\\*args\\): Expected f\\(\\*args\\) to "
     "return a scalar Tensor, got tensor with 1 dims. Maybe you wanted to use the vjp or jacrev APIs instead?"),
    (lambda: grad(lambda x: x.sum().reshape(1))(x3), RuntimeError, "return a scalar Tensor, got tensor with 1 dims"),
    (lambda: grad(lambda x: 3.0)(x3), RuntimeError, "Expected f\\(\\*args\\) to return a Tensor, got <class 'float'>"),
    (lambda: grad(lambda x: x.sum(), has_aux=True)(x3), RuntimeError, "output of function f should be a tuple: "
     "\\(output, aux\\) if has_aux is True"),
    (lambda: grad(lambda x: (x.sum(), 1), has_aux=True)(x3), RuntimeError, "Expected tensors, got unsupported type "
     "<class 'int'>"),
    (lambda: grad(lambda x: x.sum(), argnums=1)(x3), RuntimeError, "Got argnum=1, but only 1 positional inputs"),
    (lambda: grad(lambda x, y: x.sum(), argnums=(0, 0))(x3, x3), RuntimeError, "argnums elements must be unique, "
     "got \\(0, 0\\)"),
    (lambda: grad(lambda x, y: x.sum(), argnums=())(x3, x3), RuntimeError, "argnums must be non-empty"),
    (lambda: grad(lambda x: x.sum(), argnums=[0])(x3), RuntimeError, "argnums must be int or Tuple\\[int, ...\\], got: "
     "<class 'list'>"),
    (lambda: grad(lambda x: x.sum(), argnums=(0, 1.0))(x3), RuntimeError, "argnum must be int, got: <class 'float'>"),
    (lambda: grad(lambda x: x.sum())(3.0), ValueError, "Thing passed to transform API must be Tensor, got <class "
     "'float'>"),
    (lambda: grad(lambda x: x.sum())(torchlike.arange(3)), RuntimeError, "only Tensors of floating point"),
    (lambda: vjp(lambda x: 3, x3), RuntimeError, "vjp\\(f, \\*primals\\): expected f\\(\\*primals\\) to return only "
     "tensors, got unsupported type <class 'int'>"),
    (lambda: vjp(lambda x: (x > 0).long(), x3), RuntimeError, "All outputs of f must be floating-point or complex "
     "Tensors, got Tensor with dtype"),
    (lambda: jacrev(lambda x: (x > 0).long())(x3), RuntimeError, "All outputs of f must be floating-point"),
    (lambda: vjp(lambda x: x * 2, x3, has_aux=True), RuntimeError, "vjp\\(f, \\*primals\\): output of function f "
     "should be a tuple"),
    (lambda: vjp(lambda x: x * 2, x3)[1]((x3,)), RuntimeError, "Expected pytree structure of cotangents to be the "
     "same as pytree structure of outputs to the function. cotangents: \\(\\*,\\), primal output: \\*"),
    (lambda: vjp(lambda x: (x, {"s": x.sum()}), x3)[1]((x3, x3)), RuntimeError, "cotangents: \\(\\*, \\*\\), primal "
     "output: \\(\\*, {'s': \\*}\\)"),
    (lambda: vjp(lambda x: x * 2, x3)[1](x3[:2]), RuntimeError, "Mismatch in shape"),
    (lambda: jvp(lambda x: x * 2, x3, x3), RuntimeError, "jvp\\(f, primals, tangents\\): Expected primals to be a "
     "tuple. E.g. it should be valid to call f\\(\\*primals\\)."),
    (lambda: jvp(lambda x: x * 2, (x3,), [x3]), RuntimeError, "Expected primals and tangents to have the same python "
     "structure"),
    (lambda: jvp(lambda x: x * 2, (x3,), (x3[:2],)), RuntimeError, "Trying to set a forward gradient that has a "
     "different size than that of the original Tensor, this is not supported. Tensor is of size \\[3\\] while the "
     "given forward gradient is of size \\[2\\]."),
    (lambda: jvp(lambda x: x * 2, (3.0,), (3.0,)), RuntimeError, "Expected primals to only contain Tensors, got "
     "<class 'float'>"),
    (lambda: jvp(lambda x: 3, (x3,), (x3,)), RuntimeError, "jvp\\(f, primals, tangents\\): expected f\\(\\*primals\\) "
     "to return only tensors"),
    (lambda: jvp(lambda x: x, (x3,), (x3,), has_aux=True), RuntimeError, "should be a tuple: \\(output, aux\\)"),
    (lambda: jacrev(lambda x: 3)(x3), RuntimeError, "vjp\\(f, \\*primals\\): expected f\\(\\*primals\\) to return only "
     "tensors"),
    (lambda: jacfwd(lambda x: 3)(x3), RuntimeError, "jvp\\(f, primals, tangents\\): expected f\\(\\*primals\\) to "
     "return only tensors"),
    (lambda: jacrev(lambda x: x, has_aux=True)(x3), RuntimeError, "vjp\\(f, \\*primals\\): output of function f should "
     "be a tuple"),
    (lambda: jacrev(lambda x: x, chunk_size=0)(x3), ValueError, "jacrev: `chunk_size` should be greater than 0."),
    (lambda: jacrev(lambda x: x, argnums=2)(x3), RuntimeError, "Got argnum=2, but only 1 positional inputs"),
    (lambda: vmap(lambda a, b: a + b)(torchlike.ones(4, 3), torchlike.ones(5, 3)), ValueError, "vmap: Expected all "
     "tensors to have the same size in the mapped dimension, got sizes \\[4, 5\\] for the mapped dimension"),
    (lambda: vmap(lambda a: a, in_dims=None)(x3), ValueError, "vmap\\(<lambda>, in_dims=None, ...\\)\\(<inputs>\\): "
     "expected `in_dims` to be int or a \\(potentially nested\\) tuple matching the structure of inputs, got: <class "
     "'NoneType'>."),
    (lambda: vmap(lambda a, b: a, in_dims=(0,))(x3, x3), ValueError, "in_dims is not compatible with the structure "
     "of `inputs`. in_dims has structure \\(\\*,\\) but inputs has structure \\(\\*, \\*\\)."),
    (lambda: vmap(lambda t: t[0], in_dims=((0, None),))([x3, x3]), ValueError, "in_dims is not compatible"),
    (lambda: vmap(lambda a: a, in_dims=1)(x3), ValueError, "Got in_dim=1 for some input, but that input is a Tensor "
     "of dimensionality 1 so expected in_dim to satisfy -1 <= in_dim < 1."),
    (lambda: vmap(lambda a: a, in_dims=(1.5,))(x3), ValueError, "Got in_dim=1.5 for an input but in_dim must be "
     "either an integer dimension or None."),
    (lambda: vmap(lambda a, b: a * b)(x3, 3.0), ValueError, "Got in_dim=0 for an input but the input is of type "
     "<class 'float'>. We cannot vmap over non-Tensor arguments, please use None as the respective in_dim"),
    (lambda: vmap(lambda a: a, in_dims=(None,))(x3), ValueError, "vmap: Expected at least one Tensor to vmap over"),
    (lambda: vmap(lambda: x3)(), ValueError, "vmap\\(<lambda>\\)\\(<inputs>\\): got no inputs."),
    (lambda: vmap(lambda a: a, randomness="foo"), RuntimeError, "Only allowed values for randomness are 'error', "
     "'different', or 'same'. Got foo"),
    (lambda: vmap(lambda a: a, chunk_size=0), ValueError, "vmap: chunk_size should be None or greater than 0. "
     "\\(got 0\\)"),
    (lambda: vmap(lambda a: 3)(x3), ValueError, "vmap\\(<lambda>, ...\\): `<lambda>` must only return Tensors, got "
     "type <class 'int'>. Did you mean to set out_dims= to None for output\\?"),
    (lambda: vmap(lambda a: a * 2, out_dims=None)(x3), ValueError, "`<lambda>` can not return a BatchedTensor when "
     "out_dim is None"),
    (lambda: vmap(lambda a: (a, a), out_dims=(0, 0, 0))(x3), ValueError, "out_dims is not compatible with the "
     "structure of `outputs`"),
    (lambda: vmap(lambda a: a, out_dims=1.0)(x3), ValueError, "`out_dims` must be an int, None or a python "
     "collection of ints"),
    (lambda: vmap(lambda a: a, out_dims=2)(x3), IndexError, "out of range"),
    (lambda: vmap(lambda a: a)(torchlike.ones(0, 3)), ValueError, "cannot map over a batch of size 0"),
    (lambda: vmap(lambda a: a[:int(a[0] > 0) + 1])(torchlike.tensor([[1.0, 2.0], [-1.0, 2.0]])), ValueError,
     "returned an output of different shapes for different samples \\(\\[2\\], \\[1\\]\\): vmap needs one shape"),
    (lambda: grad(lambda z: (z * z).sum())(torchlike.tensor([1 + 2j])), RuntimeError, "Expected f\\(\\*args\\) "
     "to return a real-valued scalar Tensor, got one of dtype complex64"),
])
def test_errors_like_pytorch(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_pytree_round_trip_and_spec_repr():
    from collections import OrderedDict, namedtuple
    Pair = namedtuple("Pair", "a b")
    tree = {"x": (1, [2, Pair(3, 4)]), "y": OrderedDict(z=5), "n": None}
    leaves, spec = tree_flatten(tree)
    assert leaves == [1, 2, 3, 4, 5, None] and tree_unflatten(leaves, spec) == tree
    assert repr(spec) == "{'x': (*, [*, Pair(*, *)]), 'y': {'z': *}, 'n': *}"
    assert spec.num_leaves == 6 and spec != tree_flatten({"x": (1, [2, (3, 4)]), "y": {"z": 5}, "n": None})[1]


def test_jacfwd_of_an_integer_output_is_zeros_of_its_dtype():
    x = torchlike.tensor([1.0, 3.0, 2.0])
    doubled, index = jacfwd(lambda t: (t * 2, t.argmax()))(x)
    assert doubled.dtype == torchlike.float32 and index.dtype == torchlike.int64 and index.tolist() == [0, 0, 0]


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
def test_jacobian_transforms_take_and_give_real_tensors_only_as_in_pytorch(transform):
    jacobian_of = getattr(torchlike.func, transform)
    with pytest.raises(RuntimeError, match=f"{transform}: Expected all inputs to be real"):
        jacobian_of(lambda z: z * z)(torchlike.tensor([1 + 2j]))
    with pytest.raises(RuntimeError, match=f"{transform}: Expected all outputs to be real"):
        jacobian_of(lambda t: torchlike.exp(1j * t))(torchlike.tensor([0.5]))
    assert jacobian_of(lambda t: t * t)(torchlike.tensor([3.0])).tolist() == [[6.0]]


def test_functional_call_with_a_value_for_a_parametrized_weight_computes_with_it():
    """``{'weight': W}`` for a weight_norm'ed (parametrized) Linear: the call computes with W and gradients flow
    to W (minidl ignored W and used the module's own weight); the module is left as it was."""
    import minidl.eager as torchlike
    model = torchlike.nn.utils.parametrizations.weight_norm(torchlike.nn.Linear(3, 2).double())
    before = model.weight.tolist()
    weight = torchlike.ones(2, 3, dtype=torchlike.float64, requires_grad=True)
    x = torchlike.ones(1, 3, dtype=torchlike.float64)
    out = torchlike.func.functional_call(model, {"weight": weight, "bias": torchlike.zeros(2, dtype=torchlike.float64)},
                                         (x,))
    assert out.tolist() == [[3.0, 3.0]]
    out.sum().backward()
    assert weight.grad.tolist() == [[1.0] * 3] * 2 and model.weight.tolist() == before
    gradient = torchlike.func.grad(lambda w: torchlike.func.functional_call(model, {"weight": w}, (x,)).sum())(
        weight.detach() * 2)
    assert gradient.tolist() == [[1.0] * 3] * 2


def test_vmap_of_a_module_refuses_updating_its_running_statistics_per_sample_and_dropout_p0_draws_nothing():
    """A batch norm in training mode mapped by vmap would update its shared running statistics once per sample
    (PyTorch refuses); dropout with p = 0 keeps everything and draws no random number, so the default
    randomness="error" lets it through, as in PyTorch."""
    import minidl.eager as torchlike
    norm = torchlike.nn.BatchNorm1d(3).double()
    with pytest.raises(RuntimeError, match="modified in place a tensor that is not batched"):
        torchlike.func.vmap(norm)(torchlike.randn(4, 5, 3, dtype=torchlike.float64))
    norm.eval()
    assert torchlike.func.vmap(norm)(torchlike.randn(4, 5, 3, dtype=torchlike.float64)).shape == (4, 5, 3)
    for dropout, shape in ((torchlike.nn.functional.dropout1d, (4, 2, 3)),
                           (torchlike.nn.functional.dropout2d, (4, 1, 2, 3, 3)),
                           (torchlike.nn.functional.dropout3d, (4, 1, 2, 3, 3, 3))):
        x = torchlike.ones(*shape)
        assert torchlike.func.vmap(lambda sample: dropout(sample, 0.0, training=True))(x).tolist() == x.tolist()
