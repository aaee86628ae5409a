"""``optim.swa_utils``: AveragedModel (SWA running mean, EMA, custom averaging functions, buffers), SWALR's
learning rates, update_bn's recomputed batch norm statistics — checked against the formulas, and against PyTorch
where it is installed (same weights, same steps)."""
import warnings

import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.optim.swa_utils import (SWALR, AveragedModel, get_ema_avg_fn, get_ema_multi_avg_fn,
                                          get_swa_avg_fn, get_swa_multi_avg_fn, update_bn)
from tests.torch_version import since_mirrored_torch

RNG = np.random.default_rng(0)


def make_net(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(), lib.nn.Linear(4, 2)).double()


def same_nets():
    """The same network in both libraries (our weights copied from PyTorch's)."""
    torch = pytest.importorskip("torch")
    theirs = make_net(torch)
    mine = make_net(torchlike)
    mine.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return mine, theirs


def train_step(model, optimizer, lib, x):
    optimizer.zero_grad()
    (model(lib.tensor(x)) ** 2).sum().backward()
    optimizer.step()


def snapshot(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


# ============================================================================================ AveragedModel

def test_default_average_is_the_mean_of_the_models_seen():
    model = make_net(torchlike)
    averaged = AveragedModel(model)
    assert averaged.module is not model and averaged.n_averaged.dtype == torchlike.int64
    assert int(averaged.n_averaged) == 0
    optimizer = torchlike.optim.SGD(model.parameters(), lr=0.1)
    seen = []
    for _ in range(4):
        train_step(model, optimizer, torchlike, RNG.standard_normal((8, 3)))
        averaged.update_parameters(model)
        seen.append(snapshot(model))
    assert int(averaged.n_averaged) == 4
    mine = snapshot(averaged.module)
    for name, _ in model.named_parameters():
        np.testing.assert_allclose(mine[name], np.mean([s[name] for s in seen], axis=0), rtol=1e-12, atol=1e-14)
    for name, _ in model.named_buffers():  # not averaged: copied from the model
        np.testing.assert_array_equal(mine[name], seen[-1][name])
    assert list(averaged.state_dict()) == ["n_averaged"] + [f"module.{k}" for k in model.state_dict()]
    x = torchlike.tensor(RNG.standard_normal((5, 3)))
    model.eval(), averaged.eval()
    np.testing.assert_array_equal(averaged(x).detach().numpy(), averaged.module(x).detach().numpy())
    assert not np.allclose(averaged(x).detach().numpy(), model(x).detach().numpy())


def test_ema_functions_follow_the_recurrence_and_buffers_can_be_averaged():
    decay = 0.6
    for kwargs in ({"avg_fn": get_ema_avg_fn(decay)}, {"multi_avg_fn": get_ema_multi_avg_fn(decay)}):
        model = make_net(torchlike)
        averaged = AveragedModel(model, use_buffers=True, **kwargs)
        optimizer = torchlike.optim.SGD(model.parameters(), lr=0.1)
        expected = None
        for _ in range(3):
            train_step(model, optimizer, torchlike, RNG.standard_normal((8, 3)))
            averaged.update_parameters(model)
            now = snapshot(model)
            expected = now if expected is None else {k: decay * expected[k] + (1 - decay) * now[k] for k in now}
        mine = snapshot(averaged.module)
        for name in ("0.weight", "3.bias", "1.running_mean", "1.running_var"):  # buffers averaged too
            np.testing.assert_allclose(mine[name], expected[name], rtol=1e-12, atol=1e-14)
        # the integer batch counter: averaged in floating point, stored truncated (1; 0.6·1 + 0.4·2 -> 1; 1.8 -> 1)
        assert int(mine["1.num_batches_tracked"]) == 1


def test_swa_multi_avg_fn_groups_tensors_by_dtype_and_averages_in_place():
    model = nn.Sequential(nn.Linear(2, 2).double(), nn.Linear(2, 1))  # float64, then float32 parameters
    calls = []
    swa_multi = get_swa_multi_avg_fn()

    def recording(averaged, current, n):
        calls.append(([a.dtype for a in averaged], int(n)))
        swa_multi(averaged, current, n)

    averaged = AveragedModel(model, multi_avg_fn=recording)
    values = []
    for step in range(3):
        with torchlike.no_grad():
            for p in model.parameters():
                p.add_(1.0)
        averaged.update_parameters(model)
        values.append(model[1].weight.detach().numpy().copy())
    assert calls == [([torchlike.float64] * 2, 1), ([torchlike.float32] * 2, 1),
                     ([torchlike.float64] * 2, 2), ([torchlike.float32] * 2, 2)]  # none at the first (a copy)
    np.testing.assert_allclose(averaged.module[1].weight.detach().numpy(), np.mean(values, axis=0), rtol=1e-6)
    # integer buffers too (PyTorch's version fails on them): the running mean, truncated
    norm = nn.BatchNorm1d(2)
    averaged = AveragedModel(norm, multi_avg_fn=swa_multi, use_buffers=True)
    means = []
    for _ in range(3):
        norm(torchlike.randn(4, 2))
        averaged.update_parameters(norm)
        means.append(norm.running_mean.numpy().copy())
    np.testing.assert_allclose(averaged.module.running_mean.numpy(), np.mean(means, axis=0), rtol=1e-6)
    assert int(averaged.module.num_batches_tracked) == 1  # 1; 1 + (2 - 1)/2 -> 1; 1 + (3 - 1)/3 -> 1
    # the single-tensor function gives the same running mean
    a, b = torchlike.tensor([1.0, 3.0]), torchlike.tensor([4.0, 9.0])
    np.testing.assert_allclose(get_swa_avg_fn()(a, b, torchlike.tensor(2)).numpy(), [2.0, 5.0])


@pytest.mark.parametrize("averaging", ["swa", "ema", "ema_multi", "swa_multi", "custom"])
@pytest.mark.parametrize("use_buffers", [False, True])
@since_mirrored_torch
def test_averaged_model_matches_pytorch(averaging, use_buffers):
    torch = pytest.importorskip("torch")
    if averaging == "swa_multi" and use_buffers:
        pytest.skip("PyTorch's get_swa_multi_avg_fn fails on integer buffers (addcdiv); ours averages them")
    functions = {
        "swa": lambda lib: {},
        "ema": lambda lib: {"avg_fn": lib.optim.swa_utils.get_ema_avg_fn(0.9)},
        "ema_multi": lambda lib: {"multi_avg_fn": lib.optim.swa_utils.get_ema_multi_avg_fn(0.8)},
        "swa_multi": lambda lib: {"multi_avg_fn": lib.optim.swa_utils.get_swa_multi_avg_fn()},
        "custom": lambda lib: {"avg_fn": lambda avg, new, n: avg + (new - avg) * 0.25},
    }[averaging]
    mine, theirs = same_nets()
    my_average = AveragedModel(mine, use_buffers=use_buffers, **functions(torchlike))
    their_average = torch.optim.swa_utils.AveragedModel(theirs, use_buffers=use_buffers, **functions(torch))
    my_sgd, their_sgd = torchlike.optim.SGD(mine.parameters(), lr=0.05), torch.optim.SGD(theirs.parameters(), lr=0.05)
    for _ in range(4):
        x = RNG.standard_normal((6, 3))
        train_step(mine, my_sgd, torchlike, x)
        train_step(theirs, their_sgd, torch, x)
        my_average.update_parameters(mine)
        their_average.update_parameters(theirs)
    ours, reference = my_average.state_dict(), their_average.state_dict()
    assert list(ours) == list(reference)
    for key in ours:
        assert ours[key].dtype == getattr(torchlike, str(reference[key].dtype).split(".")[1]), key
        np.testing.assert_allclose(ours[key].numpy(), reference[key].numpy(), rtol=1e-10, atol=1e-12, err_msg=key)
    assert repr(my_average) == repr(their_average)


def test_averaged_model_errors_and_device():
    model = nn.Linear(2, 2)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn should be provided"):
        AveragedModel(model, avg_fn=get_swa_avg_fn(), multi_avg_fn=get_swa_multi_avg_fn())
    for make in (get_ema_avg_fn, get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided. Please provide a value in \[0,1\]"):
            make(1.5)
    averaged = AveragedModel(model, device="cpu")
    assert averaged.n_averaged.device.type == "cpu" and averaged.module.weight.device.type == "cpu"
    with pytest.raises(ValueError, match="the model has 1 parameters, the averaged copy 2; expected a model of "
                                         "the same architecture"):
        averaged.update_parameters(nn.Linear(2, 2, bias=False))
    with torchlike.no_grad():
        model.weight.fill_(3.0)
    assert not np.allclose(averaged.module.weight.detach().numpy(), 3.0)  # a deep copy, not the model itself


# ==================================================================================================== SWALR

def swalr_rates(lib, swa_lr, anneal_epochs, anneal_strategy, steps=14):
    """Each group's learning rate before every epoch (two groups: lr 1.0 and 0.3)."""
    weights = [lib.nn.Parameter(lib.zeros(1)), lib.nn.Parameter(lib.zeros(1))]
    optimizer = lib.optim.SGD([{"params": [weights[0]]}, {"params": [weights[1]], "lr": 0.3}], lr=1.0)
    scheduler = lib.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs=anneal_epochs,
                                          anneal_strategy=anneal_strategy)
    rates = []
    for _ in range(steps):
        rates.append([group["lr"] for group in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    return rates, scheduler


def test_swalr_anneals_to_swa_lr():
    rates, scheduler = swalr_rates(torchlike, 0.05, 4, "linear")
    # linear: lr_s = lr0 + (swa_lr - lr0) · s / 4, then swa_lr
    expected = [[1.0 + (0.05 - 1.0) * min(s, 4) / 4, 0.3 + (0.05 - 0.3) * min(s, 4) / 4] for s in range(14)]
    np.testing.assert_allclose(rates, expected, rtol=1e-12)
    assert scheduler.get_last_lr() == pytest.approx([0.05, 0.05])
    rates, _ = swalr_rates(torchlike, [0.1, 0.2], 4, "cos")
    alphas = [(1 - np.cos(np.pi * min(s, 4) / 4)) / 2 for s in range(14)]
    np.testing.assert_allclose(rates, [[0.1 * a + 1.0 * (1 - a), 0.2 * a + 0.3 * (1 - a)] for a in alphas],
                               rtol=1e-12)
    rates, _ = swalr_rates(torchlike, 0.05, 0, "cos")
    assert rates == [[0.05, 0.05]] * 14  # no annealing: swa_lr from the start
    state = scheduler.state_dict()
    assert state["anneal_epochs"] == 4 and state["_anneal_strategy"] == "linear" and "optimizer" not in state
    _, other = swalr_rates(torchlike, 0.05, 9, "cos", steps=1)
    other.load_state_dict(state)
    assert other.anneal_epochs == 4 and other.anneal_func(0.5) == 0.5  # linear once loaded


@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 3, 10])
@pytest.mark.parametrize("swa_lr", [0.05, [0.05, 0.5]])
def test_swalr_rates_are_pytorchs_exactly(anneal_strategy, anneal_epochs, swa_lr):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, _ = swalr_rates(torch, swa_lr, anneal_epochs, anneal_strategy)
    ours, _ = swalr_rates(torchlike, swa_lr, anneal_epochs, anneal_strategy)
    assert ours == theirs  # the same arithmetic, to the last bit


def test_swalr_errors():
    optimizer = torchlike.optim.SGD([nn.Parameter(torchlike.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got exp"):
        SWALR(optimizer, 0.05, anneal_strategy="exp")
    for bad in (-1, 2.5):
        with pytest.raises(ValueError, match=f"anneal_epochs must be equal or greater than 0, got {bad}"):
            SWALR(optimizer, 0.05, anneal_epochs=bad)
    with pytest.raises(ValueError, match="swa_lr must have the same length as optimizer.param_groups. swa_lr has 2 "
                                         "values, param_groups has 1."):
        SWALR(optimizer, [0.1, 0.2])


# ================================================================================================ update_bn

class NetWithNorms(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4, momentum=0.3)
        self.instance_norm = nn.InstanceNorm1d(4, track_running_stats=True)  # not batch norm, for update_bn

    def forward(self, x):
        return self.bn(self.fc(x))


def test_update_bn_recomputes_the_statistics_as_a_cumulative_average():
    model = NetWithNorms().eval()
    with torchlike.no_grad():
        model.bn.running_mean.fill_(7.0)  # stale statistics: thrown away
        model.instance_norm.running_mean.fill_(7.0)  # left alone
    batches = [RNG.standard_normal((6, 3)).astype(np.float32) for _ in range(4)]
    update_bn([(torchlike.tensor(b), "label") for b in batches], model)
    with torchlike.no_grad():
        features = [model.fc(torchlike.tensor(b)).numpy() for b in batches]
    # equal batches: the cumulative average of the batch means is the mean of all features
    np.testing.assert_allclose(model.bn.running_mean.numpy(), np.concatenate(features).mean(axis=0), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(model.bn.running_var.numpy(), np.mean([f.var(axis=0, ddof=1) for f in features],
                                                                      axis=0), rtol=1e-5)
    assert int(model.bn.num_batches_tracked) == 4
    assert model.bn.momentum == 0.3 and not model.training and not model.bn.training  # restored
    np.testing.assert_array_equal(model.instance_norm.running_mean.numpy(), 7.0)
    assert model.instance_norm.momentum == 0.1

    def failing_loader():
        yield torchlike.tensor(batches[0])
        raise RuntimeError("the loader broke")

    with pytest.raises(RuntimeError, match="the loader broke"):
        update_bn(failing_loader(), model, device="cpu")
    assert model.bn.momentum == 0.3 and not model.training  # restored even so

    def untouched_loader():
        raise AssertionError("a model without batch norm does not read the loader")
        yield

    update_bn(untouched_loader(), nn.Linear(2, 2))


def test_update_bn_matches_pytorch():
    torch = pytest.importorskip("torch")
    mine, theirs = same_nets()
    batches = [RNG.standard_normal((5, 3)) for _ in range(3)]
    update_bn([torchlike.tensor(b) for b in batches], mine)
    torch.optim.swa_utils.update_bn([[torch.tensor(b)] for b in batches], theirs)
    for (name, ours), (_, reference) in zip(mine.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_allclose(ours.numpy(), reference.numpy(), rtol=1e-12, atol=1e-14, err_msg=name)


def test_swa_utils_is_reachable_as_in_pytorch():
    assert torchlike.optim.swa_utils.AveragedModel is AveragedModel
    assert torchlike.optim.swa_utils.update_bn is update_bn
