"""LBFGS (with and without its strong Wolfe line search), RAdam, and the schedulers MultiplicativeLR, SequentialLR
and ChainedScheduler: trajectories and learning rates step by step against PyTorch, against their formulas and
hand-computed values without it, and their state_dict round trips."""
import math
import warnings

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager import optim
from minidl.eager.optim.line_search import cubic_minimizer

START = np.array([[0.5, -1.0], [2.0, 0.25]])


def _torch():
    return pytest.importorskip("torch")


# -------------------------------------------------------------------------------------------------- RAdam

RADAM_CONFIGS = [
    {},
    dict(lr=0.1),
    dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
]


def _radam_steps(lib, kwargs, steps=8):
    """Minimize Σ w³ + 3w from START; after the first ~5 steps RAdam switches on its adaptive rate."""
    w = lib.tensor(START, requires_grad=True)
    opt = lib.optim.RAdam([w], **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        ((w * w * w).sum() + (w * 3.0).sum()).backward()
        opt.step()
    return w.detach().numpy(), opt


@pytest.mark.parametrize("kwargs", RADAM_CONFIGS, ids=str)
def test_radam_matches_pytorch(kwargs):
    torch = _torch()
    ours, opt = _radam_steps(T, kwargs)
    theirs, topt = _radam_steps(torch, kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    assert sorted(opt.param_groups[0]) == sorted(topt.param_groups[0])


def test_radam_matches_its_formula_and_minimizes_a_quadratic():
    got, _ = _radam_steps(T, dict(lr=0.1), steps=7)
    w, m, v, beta1, beta2 = START.copy(), 0.0, 0.0, 0.9, 0.999
    rho_inf = 2 / (1 - beta2) - 1
    for t in range(1, 8):
        g = 3 * w * w + 3
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
        rho = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
        step = m / (1 - beta1 ** t)
        if rho > 5:  # t >= 6 here: the rectified adaptive step
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            step = step * r * math.sqrt(1 - beta2 ** t) / (np.sqrt(v) + 1e-8)
        w = w - 0.1 * step
    np.testing.assert_allclose(got, w, rtol=1e-12)
    x = T.tensor([3.0, -2.0], requires_grad=True)
    opt = optim.RAdam([x], lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        ((x - T.tensor([1.0, 0.5])) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 0.5], atol=1e-2)
    with pytest.raises(ValueError, match="Invalid beta parameters"):
        optim.RAdam([x], betas=(0.9, 1.0))


# ------------------------------------------------------------------------------------------- Rprop, ASGD

def _steps(lib, name, kwargs, dtype, steps=6):
    """Six steps on Σ (X w)³ from a fixed start: gradients whose signs flip for some weights (Rprop's case)."""
    rng = np.random.default_rng(0)
    w = lib.tensor(rng.standard_normal((3, 2)).astype(dtype), requires_grad=True)
    x = lib.tensor(rng.standard_normal((5, 3)).astype(dtype))
    opt = getattr(lib.optim, name)([w], **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        ((x @ w) ** 3).sum().backward()
        opt.step()
    return w.detach().numpy(), opt.state[w]


SIGN_AND_AVERAGE = [("Rprop", {}), ("Rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
                    ("ASGD", {}), ("ASGD", dict(lr=0.05, t0=3, lambd=0.01, weight_decay=0.1))]


@pytest.mark.parametrize("name, kwargs", SIGN_AND_AVERAGE, ids=str)
def test_rprop_and_asgd_match_pytorch(name, kwargs):
    torch = _torch()
    # float32: PyTorch keeps ASGD's step size η as a float32 number even for float64 weights
    (ours, state), (theirs, torch_state) = (_steps(lib, name, kwargs, np.float32) for lib in (T, torch))
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-6)
    if name == "ASGD":
        np.testing.assert_allclose(state["ax"].numpy(), torch_state["ax"].numpy(), rtol=2e-6, atol=1e-6)


def test_rprop_follows_its_rule_by_hand():
    """Signs only: a weight's step size grows ×1.2 while its gradient keeps its sign; on a flip it shrinks ×0.5
    and the weight stays put for that step. A zero gradient neither moves the weight nor changes its step."""
    w = T.tensor([1.0, -3.0], dtype=T.float64, requires_grad=True)
    opt = optim.Rprop([w], lr=1.0)
    positions = []
    for _ in range(4):
        opt.zero_grad()
        (w * w).sum().backward()   # gradient 2w
        opt.step()
        positions.append(w.detach().numpy().copy())
    # w0 reaches 0 in one step and stays; w1 moves 1, 1.2, 1.44 toward 0, crosses it, and then holds still
    np.testing.assert_allclose(positions, [[0.0, -2.0], [0.0, -0.8], [0.0, 0.64], [0.0, 0.64]], rtol=1e-12)
    np.testing.assert_allclose(opt.state[w]["step_size"].numpy(), [1.0, 0.72], rtol=1e-12)


def test_asgd_averages_the_weights_after_t0():
    w = T.tensor([4.0], dtype=T.float64, requires_grad=True)
    opt = optim.ASGD([w], lr=0.5, lambd=0.0, t0=2)
    seen = []
    for _ in range(6):
        opt.zero_grad()
        (w * w / 2).sum().backward()   # gradient w: with λ = 0 each step multiplies w by 1 - 0.5
        opt.step()
        seen.append(w.item())
    np.testing.assert_allclose(seen, [4.0 * 0.5 ** k for k in range(1, 7)], rtol=1e-12)
    # μ = 1 / max(1, t - t0) from the step before: ax = p until step t0 + 2, then the mean of the weights since
    # (μ kept in float32, as PyTorch keeps it: 1/3 is not exact there)
    np.testing.assert_allclose(opt.state[w]["ax"].item(), np.mean(seen[3:]), rtol=1e-7)
    assert opt.state[w]["eta"].dtype is T.float32 and opt.state[w]["mu"].item() == np.float32(1 / 4)


# -------------------------------------------------------------------------------------------------- LBFGS

def rosenbrock(w):
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] * w[0]) ** 2


def two_tensor_loss(a, b):
    """A smooth convex loss of two parameters of different shapes (LBFGS treats them as one flat vector)."""
    return ((a - 1.0) ** 2).sum() + (a * a * a * a).sum() / 4 + ((b * 2.0 + a.sum()) ** 2).sum()


def complex_loss(z, w):
    """A complex parameter and a real one: LBFGS moves the real and imaginary parts as real numbers."""
    target = z.new_tensor([0.3 - 1j, 2 + 0.5j])
    return ((z - target).abs() ** 2).sum() + ((w - 1) ** 4).sum() + (z.real * w).sum()


def _lbfgs_steps(lib, problem, kwargs, steps):
    if problem == "rosenbrock":
        params = [lib.tensor(np.array([-1.5, 2.0]), requires_grad=True)]
        loss_fn = rosenbrock
    elif problem == "complex":
        params = [lib.tensor(np.array([1 + 2j, -0.5 + 0.3j]), requires_grad=True),
                  lib.tensor(np.array([0.5, 1.5]), requires_grad=True)]
        loss_fn = complex_loss
    else:
        params = [lib.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True),
                  lib.tensor(np.array([[0.3], [-0.7]]), requires_grad=True)]
        loss_fn = two_tensor_loss
    opt = lib.optim.LBFGS(params, **kwargs)

    def closure():
        opt.zero_grad()
        loss = loss_fn(*params)
        loss.backward()
        return loss
    losses, trajectory = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
        trajectory.append(np.concatenate([p.detach().numpy().reshape(-1) for p in params]))
    return np.array(trajectory), losses, opt


LBFGS_CONFIGS = [
    ("rosenbrock", dict(line_search_fn="strong_wolfe"), 3),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", history_size=2, max_iter=5), 3),
    ("two_tensors", {}, 3),
    ("two_tensors", dict(lr=0.5, max_iter=4, history_size=2), 3),
    ("two_tensors", dict(line_search_fn="strong_wolfe", max_iter=3, max_eval=5), 3),
    # the line search gets what is left of max_eval (max_iter=1: max_eval = 1, nothing left)
    ("rosenbrock", dict(line_search_fn="strong_wolfe", max_iter=1), 3),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", max_iter=3), 3),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", max_iter=1, max_eval=2), 3),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", max_iter=10, max_eval=7), 3),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", max_iter=20, max_eval=12), 3),
    ("complex", dict(lr=0.5, max_iter=10), 3),
    ("complex", dict(lr=0.5, max_iter=10, line_search_fn="strong_wolfe"), 3),
]


@pytest.mark.parametrize("problem, kwargs, steps", LBFGS_CONFIGS, ids=[f"{p}-{k}" for p, k, _ in LBFGS_CONFIGS])
def test_lbfgs_matches_pytorch(problem, kwargs, steps):
    torch = _torch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (PyTorch warns about float() of a tensor that requires grad)
        ours, our_losses, opt = _lbfgs_steps(T, problem, kwargs, steps)
        theirs, their_losses, topt = _lbfgs_steps(torch, problem, kwargs, steps)
    np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-8, atol=1e-12)
    ours_state, their_state = (o.state[o.param_groups[0]["params"][0]] for o in (opt, topt))
    assert (ours_state["func_evals"], ours_state["n_iter"]) == (their_state["func_evals"], their_state["n_iter"])
    assert sorted(opt.param_groups[0]) == sorted(topt.param_groups[0])


def test_lbfgs_with_strong_wolfe_minimizes_rosenbrock_in_a_few_steps():
    trajectory, losses, opt = _lbfgs_steps(T, "rosenbrock", dict(line_search_fn="strong_wolfe"), steps=3)
    assert losses[0] == pytest.approx(rosenbrock(np.array([-1.5, 2.0])))  # step() returns the loss before it
    assert rosenbrock(trajectory[-1]) < 1e-6
    np.testing.assert_allclose(trajectory[-1], [1.0, 1.0], atol=1e-3)
    state = opt.state[opt.param_groups[0]["params"][0]]
    assert 0 < len(state["old_dirs"]) <= 100 and state["func_evals"] > state["n_iter"]


def test_lbfgs_state_dict_round_trip_continues_the_same_trajectory():
    _, _, opt = _lbfgs_steps(T, "two_tensors", dict(max_iter=3), steps=1)
    a, b = (p.detach().clone() for p in opt.param_groups[0]["params"])
    a.requires_grad_(), b.requires_grad_()
    fresh = optim.LBFGS([a, b], max_iter=3)
    fresh.load_state_dict(opt.state_dict())
    saved = opt.state[opt.param_groups[0]["params"][0]]
    assert fresh.state[a]["old_dirs"][0] is not saved["old_dirs"][0]  # copies, not shared buffers
    for o, params in ((opt, opt.param_groups[0]["params"]), (fresh, [a, b])):
        def closure():
            o.zero_grad()
            loss = two_tensor_loss(*params)
            loss.backward()
            return loss
        o.step(closure)
    for p, q in zip(opt.param_groups[0]["params"], (a, b)):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12)


def test_lbfgs_stops_at_a_stationary_point_and_checks_its_arguments():
    w = T.tensor([1.0, 1.0], requires_grad=True)
    opt = optim.LBFGS([w])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = rosenbrock(w)
        loss.backward()
        return loss
    assert opt.step(closure).item() == 0.0 and len(calls) == 1 and w.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [w]}, {"params": [T.zeros(1, requires_grad=True)]}])
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        opt.add_param_group({"params": [T.zeros(1, requires_grad=True)]})  # its parameters would never move
    assert optim.LBFGS([w], max_iter=8).param_groups[0]["max_eval"] == 10


@pytest.mark.parametrize("lib", ["minidl", "torch"])
def test_lbfgs_refuses_an_unknown_line_search_only_when_stepping(lib):
    module = T if lib == "minidl" else _torch()
    w = module.tensor([-1.5, 2.0], requires_grad=True)
    opt = module.optim.LBFGS([w], line_search_fn="armijo")  # accepted here, as PyTorch

    def closure():
        opt.zero_grad()
        loss = rosenbrock(w)
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="^only 'strong_wolfe' is supported$"):
        opt.step(closure)
    assert w.tolist() == [-1.5, 2.0]


@pytest.mark.parametrize("kwargs, start, evaluations", [
    # max_iter=1 makes max_eval 1: the line search may only try its first step, which raises the loss, so
    # the parameters stay where they are
    (dict(max_iter=1), [-1.5, 2.0], 2),
    (dict(max_iter=1, max_eval=2), [-1.4172552, 2.0266919], 3),
    (dict(max_iter=10, max_eval=7), [-1.4142309, 1.9949020], 7),
    (dict(max_iter=5, max_eval=30), [-1.4142309, 1.9949020], 7),
])
def test_lbfgs_line_search_keeps_to_max_eval(kwargs, start, evaluations):
    """The positions and evaluation counts PyTorch gives after one step (rounded)."""
    trajectory, _, opt = _lbfgs_steps(T, "rosenbrock", dict(line_search_fn="strong_wolfe", **kwargs), steps=1)
    np.testing.assert_allclose(trajectory[0], start, atol=1e-7)
    assert opt.state[opt.param_groups[0]["params"][0]]["func_evals"] == evaluations


def test_cubic_minimizer_finds_the_minimum_of_a_cubic():
    # φ(t) = (t - 1)³/3 - (t - 1)·4 has a local minimum at t = 3; φ' = (t - 1)² - 4
    phi, slope = (lambda t: (t - 1) ** 3 / 3 - 4 * (t - 1)), (lambda t: (t - 1) ** 2 - 4)
    for a, b in ((0.0, 4.0), (4.0, 0.5)):
        assert cubic_minimizer(a, phi(a), slope(a), b, phi(b), slope(b)) == pytest.approx(3.0)
    assert cubic_minimizer(0.0, phi(0.0), slope(0.0), 4.0, phi(4.0), slope(4.0), bounds=(0.0, 2.0)) == 2.0


# --------------------------------------------------------------------------------------------- schedulers

def _lrs(lib, build, steps=12):
    """Both groups' rates before each of ``steps`` optimizer + scheduler steps, and the scheduler."""
    opt = lib.optim.SGD([{"params": [lib.zeros(1, requires_grad=True)]},
                         {"params": [lib.zeros(1, requires_grad=True)], "lr": 0.5}], lr=1.0)
    scheduler = build(lib.optim.lr_scheduler, opt)
    seen = []
    for _ in range(steps):
        seen.append([group["lr"] for group in opt.param_groups])
        assert scheduler.get_last_lr() == pytest.approx(seen[-1])
        opt.step()
        scheduler.step()
    return np.array(seen), scheduler


SCHEDULES = {
    "multiplicative": lambda L, o: L.MultiplicativeLR(o, lambda epoch: 0.9),
    "multiplicative_per_group": lambda L, o: L.MultiplicativeLR(o, [lambda e: 0.5 + e / 20, lambda e: 1.1]),
    "sequential_warmup_then_decay": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, 0.1, total_iters=3), L.ExponentialLR(o, 0.9)], milestones=[3]),
    "sequential_three": lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, 0.5, total_iters=2), L.CosineAnnealingLR(o, T_max=4, eta_min=0.05), L.StepLR(o, 2, 0.5)],
        milestones=[2, 7]),
    "sequential_warm_restarts": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, 0.2, total_iters=2), L.CosineAnnealingWarmRestarts(o, T_0=3)], milestones=[4]),
    "chained": lambda L, o: L.ChainedScheduler([L.ConstantLR(o, 0.5, total_iters=2), L.ExponentialLR(o, 0.9)]),
    "chained_three": lambda L, o: L.ChainedScheduler(
        [L.LinearLR(o, 0.25, total_iters=4), L.MultiStepLR(o, [3, 6], 0.5), L.PolynomialLR(o, 10, 2.0)]),
    "chained_multiplicative": lambda L, o: L.ChainedScheduler(
        [L.MultiplicativeLR(o, lambda e: 0.8), L.StepLR(o, 3, 0.1)], optimizer=o),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedulers_match_pytorch(name):
    torch = _torch()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither warns when the optimizer steps first
        ours, _ = _lrs(T, SCHEDULES[name])
        theirs, _ = _lrs(torch, SCHEDULES[name])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_schedulers_match_hand_computed_rates():
    ours, _ = _lrs(T, SCHEDULES["multiplicative"], steps=4)
    assert ours[:, 0] == pytest.approx([1.0, 0.9, 0.81, 0.729])
    ours, _ = _lrs(T, SCHEDULES["sequential_warmup_then_decay"], steps=7)
    assert ours[:, 0] == pytest.approx([0.1, 0.4, 0.7, 1.0, 0.9, 0.81, 0.729])  # the decay starts at its epoch 0
    ours, _ = _lrs(T, SCHEDULES["chained"], steps=4)
    assert ours[:, 1] == pytest.approx([0.25, 0.225, 0.405, 0.3645])  # 0.5 · (0.5 for 2 epochs) · 0.9^epoch


@pytest.mark.parametrize("name", ["multiplicative_per_group", "sequential_three", "chained_three"])
def test_scheduler_state_dict_round_trip(name):
    build = SCHEDULES[name]
    expected, _ = _lrs(T, build, steps=10)
    _, scheduler = _lrs(T, build, steps=5)
    saved = scheduler.state_dict()
    assert "optimizer" not in saved and all(fn is None for fn in saved.get("lr_lambdas", []))  # functions: no state
    if "_schedulers" in saved:
        assert all("optimizer" not in s for s in saved["_schedulers"])
    opt = optim.SGD([{"params": [T.zeros(1, requires_grad=True)]},
                     {"params": [T.zeros(1, requires_grad=True)], "lr": 0.5}], lr=1.0)
    resumed = build(optim.lr_scheduler, opt)
    resumed.load_state_dict(saved)
    for group, lr in zip(opt.param_groups, resumed.get_last_lr()):
        group["lr"] = lr  # (PyTorch's load_state_dict also leaves the optimizer's rates alone)
    rest = []
    for _ in range(5):
        rest.append([group["lr"] for group in opt.param_groups])
        opt.step()
        resumed.step()
    np.testing.assert_allclose(np.array(rest), expected[5:], rtol=1e-12)


@pytest.mark.parametrize("make, error, message", [
    (lambda L, o, other: L.SequentialLR(o, [L.ExponentialLR(o, 0.9), L.ExponentialLR(other, 0.9)], [2]),
     ValueError, "SequentialLR expects all schedulers to belong to the same optimizer, but got scheduler "
                 "ExponentialLR at index 1"),
    (lambda L, o, other: L.SequentialLR(o, [L.ExponentialLR(o, 0.9)] * 2, [2, 3]), ValueError,
     "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, "
     "but got number of schedulers 2 and the number of milestones to be equal to 2"),
    (lambda L, o, other: L.SequentialLR(o, [], []), ValueError, "SequentialLR expects at least one scheduler"),
    (lambda L, o, other: L.ChainedScheduler([L.ExponentialLR(o, 0.9), 3]), TypeError,
     "ChainedScheduler at index 1 should have `optimizer` as its attribute"),
    (lambda L, o, other: L.ChainedScheduler([L.ExponentialLR(o, 0.9)], optimizer=other), ValueError,
     "ChainedScheduler expects all schedulers to belong to the same optimizer"),
    (lambda L, o, other: L.MultiplicativeLR(o, 3), TypeError, "lr_lambda should be a function, but got int"),
    (lambda L, o, other: L.MultiplicativeLR(o, [lambda e: 1.0] * 2), ValueError, "Expected 1 lr_lambdas, but got 2"),
])
def test_scheduler_errors(make, error, message):
    def sgd():
        return optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(optim.lr_scheduler, sgd(), sgd())
