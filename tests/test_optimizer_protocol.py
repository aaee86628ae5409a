"""The optimizer protocol that user code relies on, checked on minidl and, where it is installed, on PyTorch with
the same assertions: step hooks run once per ``opt.step()`` (a subclass's ``step`` calling ``super().step()``
too) and every optimizer runs the global ones; ``state_dict`` keeps state under keys that are not parameters;
``__getstate__`` / ``__setstate__`` (copies, and the subclass boilerplate that ``load_state_dict`` runs); the
state-dict hooks; parameters given with their names; a scheduler that only defines ``get_lr`` (and maybe
``_get_closed_form_lr``) in ``step(epoch)`` and in ``SequentialLR``."""
import copy
import importlib
import warnings

import numpy as np
import pytest

import minidl.eager as T


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


def _sgd_with_grads(lib, **options):
    p = lib.nn.Parameter(lib.ones(2))
    p.grad = lib.ones(2)
    return p, lib.optim.SGD([p], lr=0.5, **options)


# ---------------------------------------------------------------------------------------------- step hooks

def test_step_hooks_run_once_when_a_subclass_step_calls_super(lib):
    class PlainSGD(lib.optim.Optimizer):
        def __init__(self, params, lr):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p.data.add_(p.grad, alpha=-group["lr"])

    class CountingSGD(PlainSGD):
        def step(self, closure=None):
            self.calls = getattr(self, "calls", 0) + 1
            return super().step(closure)

    p = lib.nn.Parameter(lib.ones(2))
    p.grad = lib.ones(2)
    opt = CountingSGD([p], lr=0.5)
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: seen.append("pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append("post"))
    opt.step()
    assert seen == ["pre", "post"] and opt.calls == 1
    np.testing.assert_allclose(p.detach().numpy(), [0.5, 0.5])


def test_step_hooks_run_once_for_a_subclass_of_a_built_in_optimizer():
    # (not compared with PyTorch: once SGD itself has been used, its step is wrapped too, and PyTorch runs the
    # hooks of a subclass that calls super().step() twice)
    class MySGD(T.optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    p = T.nn.Parameter(T.ones(2))
    p.grad = T.ones(2)
    opt, seen = MySGD([p], lr=0.5), []
    opt.register_step_pre_hook(lambda o, args, kwargs: seen.append("pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append("post"))
    opt.step()
    opt.step()
    assert seen == ["pre", "post"] * 2
    np.testing.assert_allclose(p.detach().numpy(), [0.0, 0.0])


def test_global_step_hooks_run_around_every_optimizers_own(lib):
    p, opt = _sgd_with_grads(lib)
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: seen.append("own pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append("own post"))
    optimizer_module = importlib.import_module(f"{lib.__name__}.optim.optimizer")  # (torch.optim doesn't import it)
    handles = [optimizer_module.register_optimizer_step_pre_hook(lambda o, a, k: seen.append(("pre", o is opt))),
               optimizer_module.register_optimizer_step_post_hook(lambda o, a, k: seen.append(("post", o is opt)))]
    try:
        opt.step()
        lib.optim.Adam([lib.nn.Parameter(lib.ones(1))]).step()  # another optimizer (no gradient: no update)
    finally:
        for handle in handles:
            handle.remove()
    opt.step()
    assert seen == [("pre", True), "own pre", "own post", ("post", True), ("pre", False), ("post", False),
                    "own pre", "own post"]
    np.testing.assert_allclose(p.detach().numpy(), [0.0, 0.0])


def test_a_step_pre_hook_must_return_none_or_args_and_kwargs(lib):
    _, opt = _sgd_with_grads(lib)
    opt.register_step_pre_hook(lambda o, args, kwargs: "oops")
    with pytest.raises(RuntimeError, match="must return None or a tuple of"):
        opt.step()


# ---------------------------------------------------------------------------------------------- state dict

def test_state_dict_keeps_state_whose_key_is_not_a_parameter(lib):
    p, opt = _sgd_with_grads(lib, momentum=0.9)
    opt.step()
    opt.state["schedule"] = {"warmup_done": True}
    opt.state["global_step"] = 7  # (not even a dict)
    saved = opt.state_dict()
    assert set(saved["state"]) == {0, "schedule", "global_step"}
    assert saved["state"]["schedule"] == {"warmup_done": True} and saved["state"]["global_step"] == 7
    fresh = lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.1, momentum=0.9)
    fresh.load_state_dict(saved)
    assert fresh.state["schedule"] == {"warmup_done": True} and fresh.state["global_step"] == 7
    momentum = fresh.state[fresh.param_groups[0]["params"][0]]["momentum_buffer"]
    np.testing.assert_allclose(momentum.numpy(), [1.0, 1.0])


def test_state_dict_hooks(lib):
    _, opt = _sgd_with_grads(lib)
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append("pre") or "ignored")
    opt.register_state_dict_pre_hook(lambda o: seen.append("first pre"), prepend=True)
    opt.register_state_dict_post_hook(lambda o, sd: sd["param_groups"][0].update(tag="in place"))
    handle = opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    saved = opt.state_dict()
    assert seen == ["first pre", "pre"]
    assert saved["extra"] == 1 and saved["param_groups"][0]["tag"] == "in place"
    handle.remove()
    assert "extra" not in opt.state_dict()


def test_load_state_dict_hooks(lib):
    _, opt = _sgd_with_grads(lib)
    saved, seen = opt.state_dict(), []

    def halve_lr(o, state_dict):
        seen.append("pre")
        assert state_dict is not saved  # a shallow copy, free to change
        state_dict["param_groups"] = [{**g, "lr": g["lr"] / 2} for g in state_dict["param_groups"]]

    opt.register_load_state_dict_pre_hook(halve_lr)
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("first pre"), prepend=True)
    opt.register_load_state_dict_post_hook(lambda o: seen.append(("post", o.param_groups[0]["lr"])))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("first post"), prepend=True)
    opt.load_state_dict(saved)
    assert seen == ["first pre", "pre", "first post", ("post", 0.25)]
    assert saved["param_groups"][0]["lr"] == 0.5

    replacing = lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.5)
    replacing.register_load_state_dict_pre_hook(
        lambda o, sd: {**sd, "param_groups": [{**sd["param_groups"][0], "lr": 3.0}]})
    replacing.load_state_dict(saved)
    assert replacing.param_groups[0]["lr"] == 3.0


# ------------------------------------------------------------------------------------ __getstate__ / __setstate__

def _legacy_sgd(lib):
    """An optimizer with the usual ``__setstate__`` of an optimizer that gained an option."""
    class LegacySGD(lib.optim.SGD):
        def __setstate__(self, state):
            super().__setstate__(state)
            for group in self.param_groups:
                group.setdefault("legacy_flag", False)

    return LegacySGD


def test_load_state_dict_runs_a_subclasses_setstate(lib):
    opt = _legacy_sgd(lib)([lib.nn.Parameter(lib.ones(2))], lr=0.5)
    assert "legacy_flag" not in opt.param_groups[0]
    opt.load_state_dict(opt.state_dict())
    assert opt.param_groups[0]["legacy_flag"] is False


def test_deepcopy_of_an_optimizer(lib):
    p = lib.nn.Parameter(lib.ones(2))
    opt = _legacy_sgd(lib)([p], lr=0.5, momentum=0.9)
    p.grad = lib.ones(2)
    opt.step()
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: seen.append("hook"))
    twin = copy.deepcopy(opt)
    twin_p = twin.param_groups[0]["params"][0]
    assert twin_p is not p and twin.param_groups[0]["legacy_flag"] is False
    twin_p.grad = lib.ones(2)
    twin.step()  # the copy's state is its own, and the hooks stay with the original, as in PyTorch
    assert seen == []
    np.testing.assert_allclose(twin_p.detach().numpy(), [0.5 - 0.5 * 1.9] * 2)
    np.testing.assert_allclose(p.detach().numpy(), [0.5, 0.5])
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), [1.0, 1.0])


def test_deepcopy_of_an_lbfgs_optimizer_steps():
    # (PyTorch's copy loses LBFGS's own attributes, and fails in step; minidl's copy keeps them)
    x = T.nn.Parameter(T.tensor([3.0]))
    twin = copy.deepcopy(T.optim.LBFGS([x]))
    y = twin.param_groups[0]["params"][0]

    def closure():
        twin.zero_grad()
        loss = ((y - 1) ** 2).sum()
        loss.backward()
        return loss

    twin.step(closure)
    np.testing.assert_allclose(y.detach().numpy(), [1.0], atol=1e-5)
    np.testing.assert_allclose(x.detach().numpy(), [3.0])


# ------------------------------------------------------------------------------------------ named parameters

def test_parameters_given_with_their_names(lib):
    model = lib.nn.Linear(2, 1)
    opt = lib.optim.SGD(model.named_parameters(), lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"][0] is model.weight
    model(lib.ones(1, 2)).sum().backward()
    opt.step()
    saved = opt.state_dict()
    assert saved["param_groups"][0]["param_names"] == ["weight", "bias"]
    assert saved["param_groups"][0]["params"] == [0, 1] and sorted(saved["state"]) == [0, 1]

    unnamed = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    unnamed.load_state_dict(saved)  # the saved names come along
    assert unnamed.param_groups[0]["param_names"] == ["weight", "bias"]
    named = lib.optim.SGD(model.named_parameters(), lr=0.1)
    named.load_state_dict(lib.optim.SGD(model.parameters(), lr=0.5).state_dict())  # its names stay
    assert named.param_groups[0]["param_names"] == ["weight", "bias"] and named.param_groups[0]["lr"] == 0.5

    groups = lib.optim.SGD([{"params": [("w", model.weight)]}, {"params": [("b", model.bias)], "lr": 1.0}], lr=0.1)
    assert [g["param_names"] for g in groups.param_groups] == [["w"], ["b"]]


def test_names_are_given_for_every_parameter_or_none(lib):
    model = lib.nn.Linear(2, 1)
    with pytest.raises(ValueError, match="Some param names are missing"):
        lib.optim.SGD([("weight", model.weight), model.bias], lr=0.1)
    with pytest.raises(ValueError, match="cannot add param group with names to the optimizer"):
        lib.optim.SGD([model.weight], lr=0.1).add_param_group({"params": [("bias", model.bias)]})
    with pytest.raises(ValueError, match="cannot add param group without names to the optimizer"):
        lib.optim.SGD([("weight", model.weight)], lr=0.1).add_param_group({"params": [model.bias]})


# ------------------------------------------------------------------------------------- users' schedulers

def _halving(lib, closed_form=False):
    """A scheduler written for PyTorch: ``get_lr`` starts at the base rate, then halves the rate a group has;
    ``_get_closed_form_lr``, when there is one, gives ``base / 2^epoch``."""
    class Halving(lib.optim.lr_scheduler.LRScheduler):
        def get_lr(self):
            if self.last_epoch == 0:
                return list(self.base_lrs)
            return [group["lr"] / 2 for group in self.optimizer.param_groups]

    class HalvingInClosedForm(Halving):
        def _get_closed_form_lr(self):
            return [base / 2 ** self.last_epoch for base in self.base_lrs]

    return HalvingInClosedForm if closed_form else Halving


@pytest.mark.parametrize("closed_form, expected", [(False, [8.0, 4.0, 2.0]), (True, [8.0, 1.0, 0.5])])
def test_step_with_an_epoch_on_a_users_scheduler(lib, closed_form, expected):
    _, opt = _sgd_with_grads(lib)
    opt.param_groups[0]["lr"] = 8.0
    scheduler, lrs = _halving(lib, closed_form)(opt), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (step(epoch) is deprecated)
        for epoch in (0, 3, 4):
            scheduler.step(epoch)
            lrs.append(opt.param_groups[0]["lr"])
    assert lrs == expected
    assert scheduler.last_epoch == 4


def test_sequential_lr_runs_a_users_scheduler(lib):
    _, opt = _sgd_with_grads(lib)
    opt.param_groups[0]["lr"] = 8.0
    warmup = lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
    sequence = lib.optim.lr_scheduler.SequentialLR(opt, [warmup, _halving(lib)(opt)], milestones=[2])
    lrs = [opt.param_groups[0]["lr"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (scheduler.step() before optimizer.step())
        for _ in range(4):
            sequence.step()
            lrs.append(opt.param_groups[0]["lr"])
    assert lrs == [4.0, 4.0, 8.0, 4.0, 2.0]


def test_get_lr_warns_when_called_outside_step_and_a_copied_scheduler_reads_the_flag(lib):
    """PyTorch's schedulers (and user ones copied from them) check ``_get_lr_called_within_step`` in ``get_lr``."""
    class WarmUp(lib.optim.lr_scheduler.LRScheduler):
        def get_lr(self):
            if not self._get_lr_called_within_step:
                warnings.warn("get_lr called outside step", UserWarning)
            return [base * min(1.0, (self.last_epoch + 1) / 4) for base in self.base_lrs]

    p, opt = _sgd_with_grads(lib)
    step_lr = lib.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        opt.step()
        step_lr.step()
        assert caught == []
        assert step_lr.get_last_lr() == [0.25]
        step_lr.get_lr()
    assert [str(w.message) for w in caught] == [
        "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."]

    p, opt = _sgd_with_grads(lib)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warm_up = WarmUp(opt)
        opt.step()
        warm_up.step()
        assert opt.param_groups[0]["lr"] == 0.25 and caught == []
        warm_up.get_lr()
    assert [str(w.message) for w in caught] == ["get_lr called outside step"]
