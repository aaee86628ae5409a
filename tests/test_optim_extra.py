"""The optimizers and schedulers added for beginner PyTorch programs — Adadelta, Adamax, NAdam; LinearLR,
ConstantLR, PolynomialLR, OneCycleLR, CosineAnnealingWarmRestarts, CyclicLR — step by step against PyTorch, and
the schedulers' ``step(epoch)`` and call-order warnings."""
import warnings

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager import optim

START = np.array([[0.5, -1.0], [2.0, 0.25]])

CONFIGS = [
    ("Adadelta", {}),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("Adamax", dict(lr=0.1)),
    ("Adamax", dict(lr=0.1, betas=(0.8, 0.9), weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.1)),
    ("NAdam", dict(lr=0.1, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.8, 0.99))),
]


def _steps(lib, name, kwargs, steps=6):
    """Minimize Σ w³ + 3w from START: the gradient 3w² + 3 changes with every step."""
    w = lib.tensor(START, requires_grad=True)
    opt = getattr(lib.optim, name)([w], **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        ((w * w * w).sum() + (w * 3.0).sum()).backward()
        opt.step()
    return w.detach().numpy(), opt


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_optimizers_match_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours, opt = _steps(T, name, kwargs)
    theirs, topt = _steps(torch, name, kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    assert sorted(opt.param_groups[0]) == sorted(topt.param_groups[0])


def test_nadam_and_adadelta_match_their_formulas():
    got, _ = _steps(T, "Adadelta", dict(lr=1.0, rho=0.9, eps=1e-6), steps=3)
    w, v, u = START.copy(), 0.0, 0.0
    for _ in range(3):
        g = 3 * w * w + 3
        v = 0.9 * v + 0.1 * g * g
        delta = np.sqrt(u + 1e-6) / np.sqrt(v + 1e-6) * g
        u = 0.9 * u + 0.1 * delta * delta
        w = w - delta
    np.testing.assert_allclose(got, w, rtol=1e-12)
    got, _ = _steps(T, "NAdam", dict(lr=0.1), steps=3)
    w, m, v, product = START.copy(), 0.0, 0.0, 1.0
    for t in range(1, 4):
        g = 3 * w * w + 3
        mu, mu_next = (0.9 * (1 - 0.5 * 0.96 ** (k * 0.004)) for k in (t, t + 1))
        product = float(np.float32(product) * np.float32(mu))  # kept in float32, as PyTorch keeps it
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        d = np.sqrt(v / (1 - 0.999 ** t)) + 1e-8
        w = w - 0.1 * (1 - mu) / (1 - product) * g / d - 0.1 * mu_next / (1 - product * mu_next) * m / d
    np.testing.assert_allclose(got, w, rtol=1e-12)


def test_new_optimizers_state_dict_round_trip_and_errors():
    for name in ("Adadelta", "Adamax", "NAdam"):
        w, opt = _steps(T, name, {}, steps=2)
        p = T.tensor(w.copy(), requires_grad=True)
        fresh = getattr(optim, name)([p])
        fresh.load_state_dict(opt.state_dict())
        assert fresh.state[p]["step"] == 2
        param = opt.param_groups[0]["params"][0]
        for o, q in ((opt, param), (fresh, p)):
            o.zero_grad()
            (q * q).sum().backward()
            o.step()
        np.testing.assert_allclose(param.detach().numpy(), p.detach().numpy())
    w = T.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid rho value"):
        optim.Adadelta([w], rho=1.5)
    with pytest.raises(ValueError, match="Invalid beta parameters"):
        optim.Adamax([w], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="Invalid momentum_decay value"):
        optim.NAdam([w], momentum_decay=-1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.NAdam([w], lr=-0.1)


# ------------------------------------------------------------------------------------------------ schedulers

SCHEDULES = [
    ("SGD", dict(lr=1.0), "LinearLR", {}),
    ("SGD", dict(lr=1.0), "LinearLR", dict(start_factor=0.5, end_factor=0.1, total_iters=7)),
    ("SGD", dict(lr=1.0), "ConstantLR", dict(factor=0.5, total_iters=3)),
    ("SGD", dict(lr=1.0), "PolynomialLR", dict(total_iters=10, power=2.0)),
    ("SGD", dict(lr=0.1, momentum=0.9), "OneCycleLR", dict(max_lr=1.0, total_steps=25)),
    ("Adam", dict(lr=0.1), "OneCycleLR", dict(max_lr=1.0, epochs=5, steps_per_epoch=5)),
    ("SGD", dict(lr=0.1), "OneCycleLR", dict(max_lr=0.5, total_steps=25, three_phase=True,
                                             anneal_strategy="linear", pct_start=0.25)),
    ("AdamW", dict(lr=0.1), "OneCycleLR", dict(max_lr=0.5, total_steps=25, cycle_momentum=False)),
    ("SGD", dict(lr=1.0), "CosineAnnealingWarmRestarts", dict(T_0=3)),
    ("SGD", dict(lr=1.0), "CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=2, eta_min=0.01)),
    ("SGD", dict(lr=1.0, momentum=0.9), "CyclicLR", dict(base_lr=0.1, max_lr=1.0, step_size_up=4)),
    ("SGD", dict(lr=1.0, momentum=0.5), "CyclicLR", dict(base_lr=0.1, max_lr=1.0, step_size_up=3, step_size_down=5,
                                                         mode="triangular2")),
    ("Adam", dict(lr=1.0), "CyclicLR", dict(base_lr=0.1, max_lr=1.0, step_size_up=3, mode="exp_range", gamma=0.9)),
    ("SGD", dict(lr=1.0), "CyclicLR", dict(base_lr=0.1, max_lr=1.0, step_size_up=3, cycle_momentum=False,
                                           scale_fn=lambda x: 0.5 ** x, scale_mode="iterations")),
]


def _schedule(lib, opt_name, opt_kwargs, name, kwargs, steps=25, epochs=None):
    """(lr, momentum, beta1) of the first group before each of ``steps`` optimizer+scheduler steps."""
    w = lib.zeros(1, requires_grad=True)
    opt = getattr(lib.optim, opt_name)([w], **opt_kwargs)
    scheduler = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # step(epoch) is deprecated in both
        for i in range(steps):
            group = opt.param_groups[0]
            seen.append((group["lr"], group.get("momentum"), group.get("betas", (None,))[0]))
            assert scheduler.get_last_lr() == [g["lr"] for g in opt.param_groups]
            opt.step()
            scheduler.step() if epochs is None else scheduler.step(epochs[i])
    return seen


@pytest.mark.parametrize("opt_name, opt_kwargs, name, kwargs", SCHEDULES,
                         ids=[f"{s[2]}-{i}" for i, s in enumerate(SCHEDULES)])
def test_schedulers_match_pytorch(opt_name, opt_kwargs, name, kwargs):
    torch = pytest.importorskip("torch")
    ours = _schedule(T, opt_name, opt_kwargs, name, kwargs)
    theirs = _schedule(torch, opt_name, opt_kwargs, name, kwargs)
    np.testing.assert_allclose(np.array(ours, dtype=float), np.array(theirs, dtype=float), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, kwargs, epochs", [
    ("StepLR", dict(step_size=2, gamma=0.5), [3, 1, 7, 2]),
    ("MultiStepLR", dict(milestones=[2, 5]), [6, 1, 3]),
    ("ExponentialLR", dict(gamma=0.9), [4, 0, 9]),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.1), [3, 8, 1]),
    ("LinearLR", {}, [2, 9, 1]),
    ("LambdaLR", dict(lr_lambda=lambda e: 1 / (e + 1)), [4, 2]),
    ("CosineAnnealingWarmRestarts", dict(T_0=3), [0.5, 1.2, 2.7, 3.0, 5.5, 7.0]),
    ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=2), [0.5, 1.2, 2.7, 13.9, 14.0, 20.3]),
])
def test_step_with_an_explicit_epoch_matches_pytorch(name, kwargs, epochs):
    torch = pytest.importorskip("torch")
    ours = _schedule(T, "SGD", dict(lr=1.0), name, kwargs, len(epochs), epochs)
    theirs = _schedule(torch, "SGD", dict(lr=1.0), name, kwargs, len(epochs), epochs)
    np.testing.assert_allclose(np.array(ours, dtype=float), np.array(theirs, dtype=float), rtol=1e-12)


def test_step_with_an_epoch_warns_except_for_warm_restarts():
    opt = optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=2)
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary") as record:
        scheduler.step(4)
    assert record[0].filename == __file__
    assert scheduler.last_epoch == 4 and opt.param_groups[0]["lr"] == pytest.approx(0.01)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.warns(UserWarning, match="The epoch parameter"):
        plateau.step(1.0, 3)
    assert plateau.last_epoch == 3
    restarts = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restarts.step(0.5)  # fractional epochs are its documented use: no warning


def test_scheduler_step_before_optimizer_step_warns_once():
    opt = optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`") \
            as record:
        scheduler.step()
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()  # only the first call is checked
        good = optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
        in_order = optim.lr_scheduler.StepLR(good, step_size=1)
        good.step()
        in_order.step()  # the right order: no warning
    replaced = optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
    later = optim.lr_scheduler.StepLR(replaced, step_size=1)
    replaced.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="Seems like `optimizer.step\\(\\)` has been overridden"):
        later.step()


def test_cyclic_schedules_set_the_momentum_and_save_their_state():
    opt = optim.SGD([T.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    one_cycle = optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    group = opt.param_groups[0]
    assert group["lr"] == pytest.approx(0.04) and group["momentum"] == 0.95
    assert (group["initial_lr"], group["max_lr"], group["min_lr"]) == pytest.approx((0.04, 1.0, 4e-6))
    for _ in range(2):  # the peak is at step pct_start · total_steps - 1 = 2
        opt.step()
        one_cycle.step()
    assert group["lr"] == pytest.approx(1.0) and group["momentum"] == pytest.approx(0.85)
    saved = one_cycle.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 2
    for _ in range(7):
        opt.step()
        one_cycle.step()
    assert group["lr"] == pytest.approx(4e-6) and group["momentum"] == pytest.approx(0.95)  # the last step
    one_cycle.step()  # PyTorch allows one more (past the end of the cosine)
    with pytest.raises(ValueError, match="Tried to step 11 times. The specified number of total steps is 10"):
        one_cycle.step()
    adam = optim.Adam([T.zeros(1, requires_grad=True)], lr=1.0)
    cyclic = optim.lr_scheduler.CyclicLR(adam, 0.1, 1.0, step_size_up=2, scale_fn=lambda x: 1.0)
    assert adam.param_groups[0]["betas"] == (0.9, 0.999) and "scale_fn_custom" not in cyclic.state_dict()
    adam.step()
    cyclic.step()
    assert adam.param_groups[0]["lr"] == pytest.approx(0.55) and adam.param_groups[0]["betas"][0] == \
        pytest.approx(0.85)


@pytest.mark.parametrize("make, error, message", [
    (lambda opt: optim.lr_scheduler.OneCycleLR(opt, 1.0), ValueError, "You must define either total_steps OR"),
    (lambda opt: optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=0), ValueError, "positive integer total_steps"),
    (lambda opt: optim.lr_scheduler.OneCycleLR(opt, 1.0, epochs=2, steps_per_epoch=1.5), ValueError,
     "positive integer steps_per_epoch"),
    (lambda opt: optim.lr_scheduler.OneCycleLR(opt, 1.0, 10, pct_start=1), ValueError, "Expected float between 0"),
    (lambda opt: optim.lr_scheduler.OneCycleLR(opt, 1.0, 10, anneal_strategy="exp"), ValueError,
     "anneal_strategy must be one of"),
    (lambda opt: optim.lr_scheduler.OneCycleLR(opt, [1.0, 2.0], 10), ValueError,
     "max_lr must have the same length as optimizer.param_groups"),
    (lambda opt: optim.lr_scheduler.OneCycleLR(optim.Adagrad([T.zeros(1, requires_grad=True)]), 1.0, 10),
     ValueError, "optimizer must support momentum or beta1"),
    (lambda opt: optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0, mode="square"), ValueError,
     "mode is invalid and scale_fn is None"),
    (lambda opt: optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0), ValueError, "positive integer T_0"),
    (lambda opt: optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=1.5), ValueError,
     "integer T_mult >= 1"),
    (lambda opt: optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 2).step(-1), ValueError,
     "Expected non-negative epoch"),
    (lambda opt: optim.lr_scheduler.LinearLR(opt, start_factor=0), ValueError, "Starting multiplicative factor"),
    (lambda opt: optim.lr_scheduler.LinearLR(opt, end_factor=2), ValueError, "Ending multiplicative factor"),
    (lambda opt: optim.lr_scheduler.StepLR("sgd", 2), TypeError, "str is not an Optimizer"),
])
def test_scheduler_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0, momentum=0.9))


RESUMED = [("ExponentialLR", dict(gamma=0.5)), ("CosineAnnealingLR", dict(T_max=10)),
           ("LinearLR", dict(start_factor=0.5, total_iters=8)), ("PolynomialLR", dict(total_iters=8, power=2.0)),
           ("MultiplicativeLR", dict(lr_lambda=lambda epoch: 0.9)), ("StepLR", dict(step_size=5)),
           ("ConstantLR", dict(factor=0.5, total_iters=5)), ("LambdaLR", dict(lr_lambda=lambda epoch: 0.9 ** epoch)),
           ("CosineAnnealingWarmRestarts", dict(T_0=2))]  # (epoch 4 is two periods in: the cycle wraps around)


def _resumed_rates(lib, name, kwargs):
    """A scheduler made to resume at epoch 4 of an optimizer whose rate is 0.25 (started at 1.0), then 3 steps."""
    weight = lib.nn.Parameter(lib.ones(1))
    optimizer = lib.optim.SGD([weight], lr=0.25)
    optimizer.param_groups[0]["initial_lr"] = 1.0
    scheduler = getattr(lib.optim.lr_scheduler, name)(optimizer, last_epoch=4, **kwargs)
    rates = [optimizer.param_groups[0]["lr"]]
    for _ in range(3):
        optimizer.step()
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    return [float(r) for r in rates]


@pytest.mark.parametrize("name, kwargs", RESUMED, ids=[name for name, _ in RESUMED])
def test_a_scheduler_made_to_resume_leaves_the_rate_it_finds(name, kwargs):
    rates = _resumed_rates(T, name, kwargs)
    if name in ("ExponentialLR", "CosineAnnealingLR", "LinearLR", "PolynomialLR", "MultiplicativeLR"):
        assert rates[0] == 0.25  # the rate already is epoch 4's: the constructor's step keeps it
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(rates, _resumed_rates(torch, name, kwargs), rtol=1e-12)


def test_reduce_lr_on_plateau_is_an_lr_scheduler_with_pytorchs_last_lr():
    weight = T.nn.Parameter(T.ones(1))
    opt = optim.SGD([weight], lr=1.0)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
    assert isinstance(plateau, optim.lr_scheduler.LRScheduler) and plateau.get_last_lr() == [1.0]
    for metric in (3.0, 3.0, 3.0):
        plateau.step(metric)
    assert plateau.get_last_lr() == [0.25] == [opt.param_groups[0]["lr"]]
    state = plateau.state_dict()
    assert "optimizer" not in state and state["_last_lr"] == [0.25]


def test_the_step_count_is_a_float32_tensor_as_in_pytorch():
    weight = T.nn.Parameter(T.ones(2))
    adam = optim.Adam([weight], lr=0.1)
    for _ in range(3):
        weight.grad = T.ones(2)
        adam.step()
    step = adam.state[weight]["step"]
    assert step.dtype == T.float32 and step.ndim == 0 and step.item() == 3.0
    resumed = optim.Adam([weight], lr=0.1)
    resumed.load_state_dict(adam.state_dict())
    assert resumed.state[weight]["step"].item() == 3.0 and resumed.state[weight]["step"] is not step


def test_adagrad_starts_every_accumulator_from_the_constructors_value():
    """As PyTorch: a param group's own ``initial_accumulator_value`` (or one added later) is ignored, and a complex
    parameter starts at v + vi. Two steps with gradient g from w = 1: w -= lr·g/sqrt(s0 + g²), then ... + 2g²."""
    a, b = T.tensor(np.ones(2), requires_grad=True), T.tensor(np.ones(2), requires_grad=True)
    c = T.tensor(np.array([1 + 1j, 2 - 1j]), requires_grad=True)
    opt = optim.Adagrad([{"params": [a]}, {"params": [b], "initial_accumulator_value": 0.0}], lr=0.1,
                        initial_accumulator_value=0.5)
    opt.add_param_group({"params": [c], "initial_accumulator_value": 2.0})
    g_c = np.array([0.5 - 1j, 1 + 2j])
    for _ in range(2):
        a.grad, b.grad, c.grad = T.ones(2, dtype=T.float64), T.ones(2, dtype=T.float64), T.tensor(g_c)
        opt.step()
    expected = 1 - 0.1 / (np.sqrt(1.5) + 1e-10) - 0.1 / (np.sqrt(2.5) + 1e-10)
    np.testing.assert_allclose(a.detach().numpy(), [expected] * 2, rtol=1e-12)
    np.testing.assert_allclose(b.detach().numpy(), [expected] * 2, rtol=1e-12)
    # complex: the real and imaginary parts are two real parameters, each with its accumulator from 0.5
    parts = []
    for part in (np.real, np.imag):
        w, s = part(np.array([1 + 1j, 2 - 1j])), 0.5
        for _ in range(2):
            s = s + part(g_c) ** 2
            w = w - 0.1 * part(g_c) / (np.sqrt(s) + 1e-10)
        parts.append(w)
    np.testing.assert_allclose(c.detach().numpy(), parts[0] + 1j * parts[1], rtol=1e-12)


def test_adagrad_has_every_accumulator_from_the_start_and_can_share_them():
    """As PyTorch's: the state_dict shows a parameter that never had a gradient; share_memory() shares the sums."""
    a, b = T.nn.Parameter(T.ones(2)), T.nn.Parameter(T.ones(2))
    opt = optim.Adagrad([a, b], lr=0.1, initial_accumulator_value=0.5)
    a.grad = T.ones(2)
    opt.step()
    state = opt.state_dict()["state"]
    assert sorted(state) == [0, 1] and state[1]["sum"].tolist() == [0.5, 0.5] and float(state[1]["step"]) == 0
    assert state[0]["sum"].tolist() == [1.5, 1.5] and float(state[0]["step"]) == 1
    opt.share_memory()
    assert all(opt.state[p]["sum"].is_shared() for p in (a, b))


def test_sequential_lr_takes_a_chained_scheduler_and_no_plateau():
    w = T.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    S = optim.lr_scheduler
    chained = S.ChainedScheduler([S.ConstantLR(opt, 0.5, total_iters=5), S.ExponentialLR(opt, 0.9)])
    schedule = S.SequentialLR(opt, [chained, S.StepLR(opt, 2)], milestones=[4])
    rates = []
    for _ in range(8):
        opt.step()
        schedule.step()
        rates.append(opt.param_groups[0]["lr"])
    # the chain: half the rate, decayed by 0.9 a step; from epoch 4, StepLR from the initial rate, /10 every 2
    np.testing.assert_allclose(rates, [0.045, 0.0405, 0.03645, 0.1, 0.1, 0.01, 0.01, 0.001], rtol=1e-12)
    for make in (lambda: S.ChainedScheduler([S.ConstantLR(opt, 0.5), S.ReduceLROnPlateau(opt)]),
                 lambda: S.SequentialLR(opt, [S.ConstantLR(opt, 0.5), S.ReduceLROnPlateau(opt)], milestones=[2])):
        with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
            make()


def test_multistep_milestones_are_counted_as_in_pytorch(tmp_path):
    """A Counter (a milestone given twice decays twice there), which a state_dict saved by PyTorch holds; it loads
    back from minidl's file (a plain dict there) and from a list (minidl's older state)."""
    w = T.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    schedule = optim.lr_scheduler.MultiStepLR(opt, [2, 5, 2], gamma=0.5)
    assert schedule.milestones == {2: 2, 5: 1} and schedule.state_dict()["milestones"] == {2: 2, 5: 1}
    T.save(schedule.state_dict(), tmp_path / "schedule.pt")
    for saved in (T.load(tmp_path / "schedule.pt"), dict(schedule.state_dict(), milestones=[2, 2, 5])):
        resumed = optim.lr_scheduler.MultiStepLR(opt, [1])
        resumed.load_state_dict(saved)
        assert resumed.milestones == {2: 2, 5: 1}
    rates = []
    for _ in range(6):
        opt.step()
        schedule.step()
        rates.append(opt.param_groups[0]["lr"])
    assert rates == [1.0, 0.25, 0.25, 0.25, 0.125, 0.125]


@pytest.mark.parametrize("name, kwargs", [("OneCycleLR", dict(max_lr=0.1, total_steps=10)),
                                          ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3)),
                                          ("StepLR", dict(step_size=2)),
                                          ("ReduceLROnPlateau", dict(patience=0, factor=0.37))])
def test_a_tensor_learning_rate_stays_the_same_tensor_as_in_pytorch(name, kwargs):
    """PyTorch writes a scheduled rate into a tensor ``lr`` in place (a compiled step may hold it)."""
    def rates(lib):
        weight = lib.nn.Parameter(lib.ones(2))
        optimizer = lib.optim.SGD([weight], lr=lib.tensor(0.05), momentum=0.9)
        lr = optimizer.param_groups[0]["lr"]
        scheduler = getattr(lib.optim.lr_scheduler, name)(optimizer, **kwargs)
        values = []
        for _ in range(4):
            optimizer.step()
            scheduler.step(1.0) if name == "ReduceLROnPlateau" else scheduler.step()
            assert optimizer.param_groups[0]["lr"] is lr
            values.append(float(lr))
        return values
    ours = rates(T)
    torch = pytest.importorskip("torch")
    assert ours == rates(torch)
