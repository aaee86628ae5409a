"""Adafactor and Muon: trajectories step by step against PyTorch (float64), against their formulas by hand,
state_dict round trips that continue the same trajectory, and the errors for bad options."""
import math
from unittest import mock

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager import optim
from minidl.eager.optim.muon import orthogonalized

SHAPES = [(3, 4), (5,), (2, 3, 4), (4, 2)]


def _torch():
    return pytest.importorskip("torch")


def _make(lib, name, kwargs, shapes):
    rng = np.random.default_rng(1)
    params = [lib.tensor(rng.standard_normal(shape), requires_grad=True) for shape in shapes]
    return params, getattr(lib.optim, name)(params, **kwargs)


def _run(params, opt, steps, first=0):
    """``steps`` steps on Σ p³ + k·p (the gradients change from step to step)."""
    for k in range(first, first + steps):
        opt.zero_grad()
        sum((p * p * p).sum() + (p * float(k + 1)).sum() for p in params).backward()
        opt.step()
    return [p.detach().numpy().copy() for p in params]


def _steps(lib, name, kwargs, shapes, steps=6):
    params, opt = _make(lib, name, kwargs, shapes)
    return _run(params, opt, steps), opt


def _assert_same(ours, theirs, tol):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


# ---------------------------------------------------------------------------------------------- Adafactor

ADAFACTOR_CONFIGS = [
    {},
    dict(lr=0.5, weight_decay=0.1),
    dict(lr=0.2, beta2_decay=-0.5, eps=(1e-3, 1e-2), d=2.0, maximize=True),
    dict(lr=0.05, eps=(0.0, 0.0), foreach=True),
]


@pytest.mark.parametrize("kwargs", ADAFACTOR_CONFIGS, ids=str)
def test_adafactor_matches_pytorch(kwargs):
    torch = _torch()
    ours, opt = _steps(T, "Adafactor", kwargs, SHAPES + [()])
    theirs, topt = _steps(torch, "Adafactor", kwargs, SHAPES + [()])
    _assert_same(ours, theirs, 1e-12)
    assert sorted(opt.param_groups[0]) == sorted(topt.param_groups[0])
    for p, tp in zip(opt.param_groups[0]["params"], topt.param_groups[0]["params"]):
        assert sorted(opt.state[p]) == sorted(topt.state[tp])
        for key, value in opt.state[p].items():
            np.testing.assert_allclose(value.numpy(), topt.state[tp][key].numpy(), rtol=1e-12)


def test_adafactor_matches_its_formulas_by_hand():
    """Two steps on a matrix (factored second moments) and a vector, from the algorithm's description."""
    rng = np.random.default_rng(3)
    start, vector = rng.standard_normal((3, 4)), rng.standard_normal(5)
    grads = [(rng.standard_normal((3, 4)), rng.standard_normal(5)) for _ in range(2)]
    w, v = T.tensor(start, requires_grad=True), T.tensor(vector, requires_grad=True)
    opt = optim.Adafactor([w, v], lr=0.3, weight_decay=0.2)
    for gw, gv in grads:
        w.grad, v.grad = T.tensor(gw), T.tensor(gv)
        opt.step()
    eps1, rms = np.finfo(np.float64).eps, (lambda a: np.sqrt(np.mean(a * a)))
    R, C, V, x, y = np.zeros((3, 1)), np.zeros((1, 4)), np.zeros(5), start.copy(), vector.copy()
    for t, (gw, gv) in enumerate(grads, start=1):
        weight, rho = t ** -0.8, min(0.3, 1 / math.sqrt(t))
        R += weight * ((gw * gw).mean(1, keepdims=True) - R)
        C += weight * ((gw * gw).mean(0, keepdims=True) - C)
        V += weight * (gv * gv - V)
        for p, g, estimate in ((x, gw, R @ C / max(R.mean(), eps1)), (y, gv, V)):
            alpha = max(1e-3, rms(p)) * rho
            p *= 1 - 0.3 * 0.2
            u = g / np.maximum(np.sqrt(estimate), eps1)
            p -= alpha * u / max(1.0, rms(u))
    np.testing.assert_allclose(w.detach().numpy(), x, rtol=1e-12)
    np.testing.assert_allclose(v.detach().numpy(), y, rtol=1e-12)
    assert opt.state[w]["row_var"].shape == (3, 1) and opt.state[w]["col_var"].shape == (1, 4)
    assert "variance" in opt.state[v] and float(opt.state[v]["step"]) == 2.0


def test_adafactor_minimizes_a_quadratic():
    x = T.tensor([[3.0, -2.0], [1.0, 4.0]], requires_grad=True)
    opt = optim.Adafactor([x], lr=0.1)
    for _ in range(400):
        opt.zero_grad()
        ((x - 1.0) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(x.detach().numpy(), np.ones((2, 2)), atol=5e-2)


# ---------------------------------------------------------------------------------------------------- Muon

MUON_SHAPES = [(3, 4), (5, 2), (4, 4)]
MUON_CONFIGS = [
    {},
    dict(lr=0.1, nesterov=False, weight_decay=0.0),
    dict(lr=0.05, momentum=0.5, adjust_lr_fn="match_rms_adamw", ns_steps=7),
    dict(lr=0.02, adjust_lr_fn="original", ns_coefficients=(2.0, -1.5, 0.5), eps=1e-5),
]


@pytest.mark.parametrize("kwargs", MUON_CONFIGS, ids=str)
def test_muon_matches_pytorch_iterating_in_full_precision(kwargs):
    """PyTorch runs Newton–Schulz in bfloat16; with that cast switched off its steps are minidl's exactly."""
    torch = _torch()
    ours, opt = _steps(T, "Muon", kwargs, MUON_SHAPES)
    with mock.patch.object(torch.Tensor, "bfloat16", lambda self: self.clone()):
        theirs, topt = _steps(torch, "Muon", kwargs, MUON_SHAPES)
    _assert_same(ours, theirs, 1e-12)
    assert sorted(opt.param_groups[0]) == sorted(topt.param_groups[0])
    assert sorted(opt.state[opt.param_groups[0]["params"][0]]) == ["momentum_buffer"]


def test_muon_agrees_with_pytorchs_bfloat16_steps_to_their_precision():
    torch = _torch()
    ours, _ = _steps(T, "Muon", dict(lr=0.01), MUON_SHAPES)
    theirs, _ = _steps(torch, "Muon", dict(lr=0.01), MUON_SHAPES)
    _assert_same(ours, theirs, 1e-3)


def test_newton_schulz_orthogonalizes_roughly():
    matrix = T.tensor(np.random.default_rng(0).standard_normal((6, 10)))
    for m in (matrix, matrix.T):
        singular_values = np.linalg.svd(orthogonalized(m).numpy(), compute_uv=False)
        assert np.all((singular_values > 0.5) & (singular_values < 1.5)), singular_values
    exact = np.linalg.svd(matrix.numpy(), full_matrices=False)
    polar = exact[0] @ exact[2]
    approximate = orthogonalized(matrix, steps=30, coefficients=(1.5, -0.5, 0.0)).numpy()  # the cubic converges
    np.testing.assert_allclose(approximate, polar, atol=1e-6)


def test_muon_step_by_hand():
    rng = np.random.default_rng(4)
    start, grad = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    w = T.tensor(start, requires_grad=True)
    opt = optim.Muon([w], lr=0.1, weight_decay=0.2, momentum=0.9, nesterov=True)
    w.grad = T.tensor(grad)
    opt.step()
    buf = 0.1 * grad
    direction = grad + 0.9 * (buf - grad)
    x = direction.T / np.linalg.norm(direction)
    for _ in range(5):
        gram = x @ x.T
        x = 3.4445 * x + (-4.7750 * gram + 2.0315 * gram @ gram) @ x
    expected = start * (1 - 0.1 * 0.2) - 0.1 * math.sqrt(5 / 3) * x.T
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(opt.state[w]["momentum_buffer"].numpy(), buf, rtol=1e-12)


# --------------------------------------------------------------------------------------- state_dict, errors

@pytest.mark.parametrize("name, kwargs, shapes", [
    ("Adafactor", dict(lr=0.2, weight_decay=0.1), SHAPES),
    ("Muon", dict(lr=0.05), MUON_SHAPES),
])
def test_state_dict_round_trip_continues_the_same_trajectory(name, kwargs, shapes):
    straight, _ = _steps(T, name, kwargs, shapes, steps=6)
    params, opt = _make(T, name, kwargs, shapes)
    _run(params, opt, 3)
    saved = opt.state_dict()
    copies = [T.tensor(p.detach().numpy(), requires_grad=True) for p in params]
    resumed = getattr(optim, name)(copies, **kwargs)
    resumed.load_state_dict(saved)
    _run(params, opt, 1, first=3)  # the loaded state is a copy: stepping the first optimizer leaves it alone
    _assert_same(_run(copies, resumed, 3, first=3), straight, 1e-13)


@pytest.mark.parametrize("lib_name", ["minidl", "torch"])
@pytest.mark.parametrize("make, error, message", [
    (lambda o, w: o.Adafactor([w], lr=-1.0), ValueError, "Learning rate should be >= 0"),
    (lambda o, w: o.Adafactor([w], beta2_decay=0.5), ValueError, "beta2_decay should be <= 0"),
    (lambda o, w: o.Adafactor([w], eps=(-1.0, 1e-3)), ValueError, "epsilon1 should be >= 0"),
    (lambda o, w: o.Adafactor([w], eps=(None, -1.0)), ValueError, "epsilon2 should be >= 0"),
    (lambda o, w: o.Adafactor([w], d=0.5), ValueError, "Clipping threshold d should be >= 1"),
    (lambda o, w: o.Adafactor([w], weight_decay=-0.1), ValueError, "weight_decay should be >= 0"),
    (lambda o, w: o.Muon([w], lr=-1.0), ValueError, "Learning rate should be >= 0"),
    (lambda o, w: o.Muon([w], momentum=-0.5), ValueError, "momentum should be >= 0"),
    (lambda o, w: o.Muon([w], weight_decay=-0.5), ValueError, "weight decay should be >= 0"),
    (lambda o, w: o.Muon([w], adjust_lr_fn="sqrt"), ValueError, "Adjust learning rate function sqrt"),
    (lambda o, w: o.Muon([w.detach().sum(0).requires_grad_()]), ValueError, "Muon only supports 2D parameters"),
])
def test_bad_options_are_refused(lib_name, make, error, message):
    lib = T if lib_name == "minidl" else _torch()
    w = lib.ones(2, 3, requires_grad=True)
    with pytest.raises(error, match=message):
        make(lib.optim, w)


@pytest.mark.parametrize("lib_name", ["minidl", "torch"])
def test_bad_parameters_are_refused_when_stepping(lib_name):
    lib = T if lib_name == "minidl" else _torch()
    for name in ("Adafactor", "Muon"):
        z = lib.ones(2, 2, dtype=lib.complex128, requires_grad=True)
        opt = getattr(lib.optim, name)([z])
        z.grad = lib.ones(2, 2, dtype=lib.complex128)
        with pytest.raises(RuntimeError, match=f"{name} does not support complex parameters"):
            opt.step()
    w = lib.ones(2, 3, requires_grad=True)
    opt = lib.optim.Muon([w], ns_steps=100)
    w.grad = lib.ones(2, 3)
    with pytest.raises(ValueError, match="Number of steps must be less than 100"):
        opt.step()
    opt = lib.optim.Muon([w])
    opt.add_param_group({"params": [lib.ones(3, requires_grad=True)]})
    opt.param_groups[1]["params"][0].grad = lib.ones(3)
    with pytest.raises(ValueError, match="Param gradient must be a 2D matrix"):
        opt.step()
