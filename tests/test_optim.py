"""Eager optimizers and schedulers, step by step against PyTorch (and against their formulas without it)."""
import math

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager import optim

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.1)),
    ("Adam", dict(lr=0.1, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
]
START = np.array([[0.5, -1.0], [2.0, 0.25]])


def _run_minidl(name, kwargs, steps=5, device="cpu"):
    w = T.tensor(START, requires_grad=True, device=device)
    opt = getattr(optim, name)([w], **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        ((w * w * w).sum() + (w * 3.0).sum()).backward()
        opt.step()
    return w.detach().cpu().numpy()


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_steps_match_pytorch(name, kwargs, device):
    torch = pytest.importorskip("torch")
    w = torch.tensor(START, requires_grad=True)
    opt = getattr(torch.optim, name)([w], **kwargs)
    for _ in range(5):
        opt.zero_grad()
        ((w * w * w).sum() + (w * 3.0).sum()).backward()
        opt.step()
    np.testing.assert_allclose(_run_minidl(name, kwargs, device=device), w.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam",
                                  "Adadelta", "Rprop", "ASGD"])
def test_pytorchs_update_switches_are_accepted_kept_and_change_nothing(name):
    """foreach/fused/capturable say how PyTorch computes an update, not what it is: the same steps, and the
    param groups keep them (as PyTorch's do); differentiable=True is refused."""
    switches = dict(foreach=True, fused=False) if name in ("SGD", "Adam", "AdamW", "Adagrad") else dict(foreach=True)
    if name != "SGD" and name != "Adagrad":
        switches["capturable"] = False
    np.testing.assert_array_equal(_run_minidl(name, dict(lr=0.1, **switches)), _run_minidl(name, dict(lr=0.1)))
    w = T.zeros(2, requires_grad=True)
    group = getattr(optim, name)([w], lr=0.1, **switches, differentiable=False).param_groups[0]
    assert group["foreach"] is True and group["differentiable"] is False
    assert group.get("weight_decay", 0) == (0.01 if name == "AdamW" else 0)
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        getattr(optim, name)([w], differentiable=True)


def test_step_hooks_see_the_steps_arguments_optimizer_first_and_a_stateless_rule_keeps_no_state():
    w = T.zeros(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre", args, kwargs)))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", args, kwargs)))
    w.grad = T.ones(2)
    closure = lambda: 0.0  # noqa: E731
    opt.step(closure)
    assert seen == [("pre", (opt, closure), {}), ("post", (opt, closure), {})]  # PyTorch's (self, *args)
    assert len(opt.state) == 0 and opt.state_dict()["state"] == {}  # SGD without momentum: nothing to keep
    # a pre-hook may replace the arguments: here it drops the closure
    opt.register_step_pre_hook(lambda o, args, kwargs: (args[:1], kwargs))
    assert opt.step(closure) is None
    two_groups = optim.SGD([{"params": [w]}, {"params": [T.zeros(1, requires_grad=True)], "lr": 0.5}], lr=0.1)
    assert repr(two_groups).startswith("SGD (\nParameter Group 0\n    dampening: 0\n")
    assert "    weight_decay: 0\n\nParameter Group 1\n" in repr(two_groups) and repr(two_groups).endswith(": 0\n)")


def test_sgd_momentum_matches_its_formula():
    got = _run_minidl("SGD", dict(lr=0.1, momentum=0.9), steps=3)
    w, b = START.copy(), None
    for _ in range(3):
        g = 3 * w * w + 3
        b = g if b is None else 0.9 * b + g
        w = w - 0.1 * b
    np.testing.assert_allclose(got, w)


def test_adam_matches_its_formula():
    got = _run_minidl("Adam", dict(lr=0.1), steps=3)
    w, m, v = START.copy(), 0, 0
    for t in range(1, 4):
        g = 3 * w * w + 3
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        w = w - 0.1 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    np.testing.assert_allclose(got, w)


def test_param_groups_have_their_own_options_and_zero_grad():
    a, b = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    (a.sum() + b.sum()).backward()
    opt.step()
    assert a.tolist() == pytest.approx([0.9, 0.9]) and b.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None
    (a.sum()).backward()
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adam([a], lr=-1)


def test_optimizer_state_dict_round_trip():
    w = T.tensor(START, requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0] and saved["state"][0]["step"] == 2
    w2 = T.tensor(w.detach().numpy().copy(), requires_grad=True)
    opt2 = optim.Adam([w2], lr=0.5)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == 0.1
    for o, p in ((opt, w), (opt2, w2)):
        o.zero_grad()
        (p * p).sum().backward()
        o.step()
    np.testing.assert_allclose(w.detach().numpy(), w2.detach().numpy())


def test_a_resumed_asgd_takes_the_uninterrupted_runs_steps_exactly(tmp_path):
    """Loaded for a float64 parameter, ASGD's eta and mu are float64 tensors; they are still filled with the values
    rounded as the step count (float32) computes them, as PyTorch does, so resuming changes nothing."""
    def run(resume_at=None):
        w = T.nn.Parameter(T.tensor(np.array([1.5, -0.7])))
        opt = optim.ASGD([w], lr=0.05, lambd=0.01, t0=3)
        for i in range(10):
            if i == resume_at:
                T.save({"w": w.detach(), "opt": opt.state_dict()}, tmp_path / "checkpoint")
                checkpoint = T.load(tmp_path / "checkpoint")
                w = T.nn.Parameter(checkpoint["w"].clone())
                opt = optim.ASGD([w], lr=0.05, lambd=0.01, t0=3)
                opt.load_state_dict(checkpoint["opt"])
            opt.zero_grad()
            (w ** 3).sum().backward()
            opt.step()
        return w.detach().numpy()
    assert run().tolist() == run(resume_at=5).tolist()


def test_loaded_optimizer_state_takes_its_parameters_float_dtype():
    w = T.tensor(START, requires_grad=True)  # float32 state, saved...
    opt = optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    wide = T.tensor(START, dtype=T.float64, requires_grad=True)  # ...loaded for a float64 parameter, as PyTorch does
    opt2 = optim.Adam([wide], lr=0.1)
    opt2.load_state_dict(opt.state_dict())
    state = opt2.state[wide]
    assert state["exp_avg"].dtype is T.float64 and state["exp_avg_sq"].dtype is T.float64 and state["step"] == 1
    (wide * wide).sum().backward()
    opt2.step()
    assert wide.dtype is T.float64 and state["exp_avg"].dtype is T.float64


SCHEDULES = {  # each made for an optimizer of two groups, lr 0.1 and 0.3
    "StepLR": lambda S, o: S.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[1, 3, 3], gamma=0.1),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=4, eta_min=0.01),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.3, total_iters=4),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=7),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=10, power=2.0),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda epoch: 0.95),
    "SequentialLR of Constant and Multiplicative": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, 0.5, total_iters=1), S.MultiplicativeLR(o, lambda epoch: 0.5)], milestones=[2]),
    "SequentialLR of Linear and Cosine": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, 0.1, total_iters=5), S.CosineAnnealingLR(o, 20)], milestones=[5]),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedulers_give_pytorchs_rates_to_the_bit(name):
    """Code that compares rates with == (or prints them) sees PyTorch's numbers: each chained step multiplies by
    PyTorch's expression for the change, not by a ratio of closed forms (which differs in the last bit)."""
    torch = pytest.importorskip("torch")
    rates = []
    for lib in (torch, T):
        opt = lib.optim.SGD([{"params": [lib.zeros(1, requires_grad=True)]},
                             {"params": [lib.zeros(1, requires_grad=True)], "lr": 0.3}], lr=0.1, momentum=0.9)
        scheduler = SCHEDULES[name](lib.optim.lr_scheduler, opt)
        rates.append([])
        for _ in range(25):
            opt.step()
            scheduler.step()
            rates[-1].append(scheduler.get_last_lr())
    assert rates[1] == rates[0]


def test_a_multiplicative_schedule_jumped_to_an_epoch_multiplies_once():
    """MultiplicativeLR has no closed form: ``step(epoch)`` multiplies the current rate by lr_lambda(epoch)."""
    opt = optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = optim.lr_scheduler.MultiplicativeLR(opt, lambda epoch: 0.5 if epoch < 5 else 0.1)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(4)
    assert scheduler.get_last_lr() == [0.5] and scheduler.last_epoch == 4
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(7)
    assert scheduler.get_last_lr() == [0.05]


STACKED = {  # schedulers stepped one after another on one optimizer (lr=1), and PyTorch 2.13's rates
    "exp+multistep": (lambda S, o: [S.ExponentialLR(o, 0.9), S.MultiStepLR(o, [2, 4], 0.1)], 6, None,
                      [0.9, 0.081, 0.0729, 0.006561, 0.0059049, 0.00531441]),
    "linear warm-up+cosine with eta_min": (
        lambda S, o: [S.LinearLR(o, 0.1, total_iters=3), S.CosineAnnealingLR(o, T_max=4, eta_min=0.05)], 12, None,
        [0.3487436867, 0.3782169914, 0.1936084705, 0.05, 0.1891242789, 0.525, 0.8608757211, 1.0, 0.8608757211, 0.525,
         0.1891242789, 0.05]),
    "step, then a rate set by hand": (lambda S, o: [S.StepLR(o, 2, 0.5)], 6, 2, [1.0, 0.5, 0.3, 0.15, 0.15, 0.075]),
    "constant+polynomial": (lambda S, o: [S.ConstantLR(o, 0.5, total_iters=2), S.PolynomialLR(o, total_iters=4,
                                                                                               power=2.0)],
                            7, None, [0.28125, 0.25, 0.0625, 0.0, 0.0, 0.0, 0.0]),
    "multiplicative+lambda": (lambda S, o: [S.MultiplicativeLR(o, lambda e: 0.9), S.LambdaLR(o, lambda e: 1 / (e + 1))],
                              5, None, [0.5, 0.3333333333, 0.25, 0.2, 0.1666666667]),
}


@pytest.mark.parametrize("name", STACKED)
def test_schedulers_stepped_one_after_another_multiply_as_in_pytorch(name):
    """PyTorch's chainable schedules move the rate a group has now: stacked schedulers multiply their effects and a
    rate set by hand carries on (LambdaLR sets it afresh). Expected values: PyTorch 2.13's."""
    make, steps, set_by_hand, expected = STACKED[name]
    opt = optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
    schedulers = make(optim.lr_scheduler, opt)
    got = []
    for epoch in range(steps):
        opt.step()
        for scheduler in schedulers:
            scheduler.step()
        if epoch == set_by_hand:
            opt.param_groups[0]["lr"] = 0.3
        got.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-10)


def test_lambda_and_plateau_schedulers():
    opt = optim.SGD([T.zeros(1, requires_grad=True)], lr=2.0)
    sched = optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1 / (epoch + 1))
    for _ in range(2):
        opt.step()  # (before the scheduler's step, or PyTorch's warning says the first lr was skipped)
        sched.step()
    assert sched.get_last_lr() == [pytest.approx(2.0 / 3)]
    assert sched.state_dict()["lr_lambdas"] == [None]  # a function is not state
    opt = optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    for loss in [1.0, 0.5, 0.6, 0.6, 0.6, 0.6]:
        plateau.step(loss)
    assert opt.param_groups[0]["lr"] == 0.25
    assert math.isclose(plateau.best, 0.5)


def test_a_callable_objects_state_travels_with_a_lambda_schedulers_state_dict():
    class Warmup:
        def __init__(self):
            self.scale = 1.0

        def __call__(self, epoch):
            return self.scale * min(1.0, (epoch + 1) / 3)

    fn = Warmup()
    opt = optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = optim.lr_scheduler.LambdaLR(opt, fn)
    fn.scale = 0.5
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"scale": 0.5}]
    other = Warmup()
    resumed = optim.lr_scheduler.LambdaLR(optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0), other)
    resumed.load_state_dict(state)
    assert other.scale == 0.5 and resumed.last_epoch == scheduler.last_epoch


def test_plateau_floors_per_group_and_for_groups_added_later():
    a, b, c = (T.zeros(1, requires_grad=True) for _ in range(3))
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=1.0)
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.01])
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=0.05)
    assert plateau.mode_worse == math.inf and not plateau.in_cooldown and plateau.is_better(0.5, 1.0)
    opt.add_param_group({"params": [c]})
    for _ in range(4):
        plateau.step(1.0)
    assert [group["lr"] for group in opt.param_groups] == [0.05, 0.05, 0.05]  # the one floor serves the new group
    listed = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0, 0.0])
    opt.add_param_group({"params": [T.zeros(1, requires_grad=True)]})
    with pytest.raises(RuntimeError, match="differs from when `ReduceLROnPlateau` was initialized"):
        for _ in range(3):
            listed.step(1.0)


@pytest.mark.parametrize("lib", ["minidl", "torch"])
@pytest.mark.parametrize("name", ["Adam", "NAdam", "ASGD", "Adagrad"])
def test_step_counts_follow_the_default_dtype(lib, name):
    """PyTorch keeps state["step"] (and NAdam's mu_product, ASGD's eta and mu) in float64 when that is the default
    dtype, else in float32."""
    lib = pytest.importorskip("torch") if lib == "torch" else T
    previous = lib.get_default_dtype()
    try:
        for default in (lib.float64, lib.float32):
            lib.set_default_dtype(default)
            p = lib.nn.Parameter(lib.ones(2))
            opt = getattr(lib.optim, name)([p])
            p.grad = lib.ones(2)
            opt.step()
            assert all(v.dtype == default for k, v in opt.state[p].items() if k in ("step", "mu_product", "eta", "mu"))
    finally:
        lib.set_default_dtype(previous)
