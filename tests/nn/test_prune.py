"""``nn.utils.prune``: masks, pruned weights, state_dict keys, forward outputs and gradients against PyTorch on the
same weights (values without ties, so that both pick the same entries); repeated, structured and global pruning,
``remove``; the random methods by their counts (their random numbers differ from PyTorch's); errors."""
import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.nn.utils import prune
from tests.nn.torch_compare import pair, run_both, torch_or_skip

RNG = np.random.default_rng(0)


def torch_prune():
    """PyTorch's ``torch.nn.utils.prune`` (a submodule that ``import torch`` does not load), or skip."""
    torch_or_skip()
    return pytest.importorskip("torch.nn.utils.prune")


def prune_both(name, mine, theirs, *args, **kwargs):
    """Apply the pruning function ``name`` to both modules (tensor keyword arguments given as numpy arrays)."""
    torch = torch_or_skip()

    def convert(make, value):
        return make(value) if isinstance(value, np.ndarray) else value
    getattr(prune, name)(mine, *args, **{k: convert(torchlike.tensor, v) for k, v in kwargs.items()})
    getattr(torch_prune(), name)(theirs, *args, **{k: convert(torch.tensor, v) for k, v in kwargs.items()})


def assert_same_pruning(mine, theirs, name="weight"):
    """The same mask, pruned weight, original and state_dict keys (in order)."""
    for suffix in ("_mask", "", "_orig"):
        np.testing.assert_array_equal(getattr(mine, name + suffix).detach().numpy(),
                                      getattr(theirs, name + suffix).detach().numpy(), err_msg=name + suffix)
    assert list(mine.state_dict()) == list(theirs.state_dict())


def linear_input(layer):
    return RNG.standard_normal((3, layer.in_features))


@pytest.mark.parametrize("amount", [0.3, 7, 0, 0.0, 1.0, 20])
def test_l1_unstructured_matches_torch(amount):
    mine, theirs = pair("Linear", 5, 4)
    prune_both("l1_unstructured", mine, theirs, "weight", amount)
    assert_same_pruning(mine, theirs)
    assert list(mine.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    assert isinstance(mine.weight_orig, nn.Parameter) and not isinstance(mine.weight, nn.Parameter)
    run_both(mine, theirs, linear_input(mine))  # outputs, gradients of weight_orig and bias, the mask buffer
    pruned = mine.weight_mask.numpy() == 0
    assert not mine.weight_orig.grad.numpy()[pruned].any()  # pruned entries get no gradient


def test_amount_rounds_as_python():
    torch = torch_or_skip()
    for amount, size, pruned in [(0.5, 5, 2), (0.5, 7, 4), (0.25, 6, 2), (0.1, 4, 0)]:
        w = np.arange(1.0, size + 1)
        ours = prune.L1Unstructured(amount).compute_mask(torchlike.tensor(w), torchlike.ones(size))
        theirs = torch_prune().L1Unstructured(amount).compute_mask(torch.tensor(w), torch.ones(size))
        assert int((ours.numpy() == 0).sum()) == pruned == round(amount * size)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("n", [1, 2, 3, float("inf"), float("-inf"), "fro"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_ln_structured_matches_torch(n, dim):
    conv = "Conv1d" if n == "fro" else "Conv2d"  # (PyTorch's "fro" takes the norm over at most two dims)
    mine, theirs = pair(conv, 3, 6, 3)
    prune_both("ln_structured", mine, theirs, "weight", amount=0.5, n=n, dim=dim)
    assert_same_pruning(mine, theirs)
    mask = np.moveaxis(mine.weight_mask.numpy(), dim, 0).reshape(mine.weight.shape[dim], -1)
    assert all(row.all() or not row.any() for row in mask)  # whole channels pruned
    run_both(mine, theirs, RNG.standard_normal((2, 3, 5) if n == "fro" else (2, 3, 5, 5)))


def test_importance_scores_decide():
    mine, theirs = pair("Linear", 6, 4)
    scores = RNG.standard_normal((4, 6))
    prune_both("l1_unstructured", mine, theirs, "weight", 0.4, importance_scores=scores)
    np.testing.assert_array_equal(mine.weight_mask.numpy() == 0, np.abs(scores) <= np.sort(np.abs(scores), None)[9])
    prune_both("ln_structured", mine, theirs, "weight", 1, 2, 0, importance_scores=scores)
    assert_same_pruning(mine, theirs)


def test_repeated_pruning_combines_masks_as_torch():
    mine, theirs = pair("Linear", 6, 5)
    steps = [("l1_unstructured", ("weight", 0.4), {}),
             ("ln_structured", ("weight", 0.5, 1, 0), {}),  # only the rows not yet all zero count
             ("l1_unstructured", ("weight", 3), {}),  # 3 of the entries still unpruned
             ("custom_from_mask", ("weight",), {"mask": RNG.random((5, 6)) > 0.3}),
             ("identity", ("weight",), {})]
    kinds = [prune.L1Unstructured, prune.LnStructured, prune.L1Unstructured, prune.CustomFromMask, prune.Identity]
    before = np.ones((5, 6))
    for i, (name, args, kwargs) in enumerate(steps):
        prune_both(name, mine, theirs, *args, **kwargs)
        assert_same_pruning(mine, theirs)
        mask = mine.weight_mask.numpy()
        assert not mask[before == 0].any()  # once pruned, always pruned
        before = mask
        hooks = [h for h in mine._forward_pre_hooks.values() if isinstance(h, prune.BasePruningMethod)]
        assert len(hooks) == 1
        if i:  # the methods so far, in order, in one container
            assert isinstance(hooks[0], prune.PruningContainer)
            assert [type(m) for m in hooks[0]] == kinds[:i + 1]
    run_both(mine, theirs, linear_input(mine))


def test_repeated_fraction_counts_from_what_is_left():
    layer = nn.Linear(10, 10)
    prune.l1_unstructured(layer, "weight", 0.5)
    prune.l1_unstructured(layer, "weight", 0.5)
    assert int((layer.weight_mask.numpy() == 0).sum()) == 50 + 25


def test_state_dict_order_with_two_pruned_tensors_as_torch():
    mine, theirs = pair("Linear", 4, 3)
    prune_both("l1_unstructured", mine, theirs, "weight", 0.3)
    prune_both("l1_unstructured", mine, theirs, "bias", 1)
    prune_both("l1_unstructured", mine, theirs, "weight", 2)  # the mask buffer keeps its place
    assert_same_pruning(mine, theirs)
    assert_same_pruning(mine, theirs, "bias")
    assert list(mine.state_dict()) == ["weight_orig", "bias_orig", "weight_mask", "bias_mask"]
    run_both(mine, theirs, linear_input(mine))


def test_global_unstructured_matches_torch():
    torch = torch_or_skip()
    (a, ta), (b, tb) = pair("Linear", 6, 4), pair("Linear", 4, 3)
    prune_both("l1_unstructured", a, ta, "weight", 5)  # a tensor pruned before: only its unpruned entries count
    scores = RNG.standard_normal((3, 4))
    prune.global_unstructured([(a, "weight"), (b, "weight"), (b, "bias")], prune.L1Unstructured, amount=0.4,
                              importance_scores={(b, "weight"): torchlike.tensor(scores)})
    torch_prune().global_unstructured([(ta, "weight"), (tb, "weight"), (tb, "bias")],
                                      torch_prune().L1Unstructured, amount=0.4,
                                      importance_scores={(tb, "weight"): torch.tensor(scores)})
    for mine, theirs in [(a, ta), (b, tb)]:
        assert_same_pruning(mine, theirs)
    assert_same_pruning(b, tb, "bias")
    left = 24 + 12 + 3 - 5
    assert int((a.weight_mask.numpy() == 0).sum() + (b.weight_mask.numpy() == 0).sum()
               + (b.bias_mask.numpy() == 0).sum()) == 5 + round(0.4 * left)
    run_both(a, ta, linear_input(a))
    run_both(b, tb, linear_input(b))


def test_global_random_unstructured_counts():
    a, b = nn.Linear(5, 4), nn.Linear(3, 2)
    prune.global_unstructured(((m, "weight") for m in (a, b)), prune.RandomUnstructured, amount=10)
    assert int((a.weight_mask.numpy() == 0).sum() + (b.weight_mask.numpy() == 0).sum()) == 10


@pytest.mark.parametrize("then_prune_again", [False, True])
def test_remove_matches_torch(then_prune_again):
    mine, theirs = pair("Conv1d", 2, 4, 3)
    prune_both("ln_structured", mine, theirs, "weight", 1, 1, 0)
    if then_prune_again:
        prune_both("l1_unstructured", mine, theirs, "weight", 0.25)
    orig = mine.weight_orig
    pruned = mine.weight.detach().numpy()
    prune.remove(mine, "weight")
    torch_prune().remove(theirs, "weight")
    assert mine.weight is orig and isinstance(mine.weight, nn.Parameter)  # the same object: an optimizer keeps it
    np.testing.assert_array_equal(mine.weight.detach().numpy(), pruned)
    np.testing.assert_array_equal(mine.weight.detach().numpy(), theirs.weight.detach().numpy())
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ["bias", "weight"]
    assert not prune.is_pruned(mine) and not mine._forward_pre_hooks
    assert not hasattr(mine, "weight_orig") and not hasattr(mine, "weight_mask")
    run_both(mine, theirs, RNG.standard_normal((2, 2, 6)))


def test_hook_recomputes_weight_and_training_keeps_zeros():
    layer = nn.Linear(4, 3)
    prune.l1_unstructured(layer, "weight", 0.5)
    mask = layer.weight_mask.numpy()
    optimizer = torchlike.optim.SGD(layer.parameters(), lr=0.5)
    x = torchlike.tensor(RNG.standard_normal((5, 4)), dtype=torchlike.float32)
    for _ in range(3):
        optimizer.zero_grad()
        layer(x).square().sum().backward()
        optimizer.step()
    layer(x)  # the pre-hook has recomputed the weight from the trained weight_orig
    np.testing.assert_allclose(layer.weight.detach().numpy(), layer.weight_orig.detach().numpy() * mask)
    assert not layer.weight.detach().numpy()[mask == 0].any()


def test_is_pruned_looks_into_submodules():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert not prune.is_pruned(model)
    prune.identity(model[2], "bias")
    assert prune.is_pruned(model) and not prune.is_pruned(model[0])
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias_orig", "2.bias_mask"]
    np.testing.assert_array_equal(model[2].bias_mask.numpy(), np.ones(1))


def test_random_unstructured_counts():
    layer = nn.Linear(5, 4)
    prune.random_unstructured(layer, "weight", 0.3)
    first = layer.weight_mask.numpy().copy()
    assert int((first == 0).sum()) == 6
    prune.random_unstructured(layer, "weight", 0.5)  # half of the 14 left
    mask = layer.weight_mask.numpy()
    assert int((mask == 0).sum()) == 6 + 7 and not mask[first == 0].any()
    np.testing.assert_array_equal(layer.weight.detach().numpy(), layer.weight_orig.detach().numpy() * mask)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_random_structured_counts(dim):
    conv = nn.Conv2d(4, 6, (2, 3))
    prune.random_structured(conv, "weight", 0.5, dim)
    prune.random_structured(conv, "weight", 1, dim)  # one more of the channels left
    channels = conv.weight.shape[dim]
    per_channel = np.moveaxis(conv.weight_mask.numpy(), dim, 0).reshape(channels, -1)
    kept = per_channel.all(axis=1)
    assert (kept | ~per_channel.any(axis=1)).all()  # each channel all kept or all pruned
    assert int((~kept).sum()) == round(0.5 * channels) + 1


def test_prune_without_a_module_matches_torch():
    torch = torch_or_skip()
    t, default = RNG.standard_normal((4, 5)), (RNG.random((4, 5)) > 0.2).astype(np.float64)
    custom = default[::-1].copy()
    for lib, tensor in [(prune, torchlike.tensor), (torch_prune(), torch.tensor)]:
        methods = [lib.L1Unstructured(0.5), lib.LnStructured(2, 1, dim=1), lib.CustomFromMask(tensor(custom))]
        results = [m.prune(tensor(t), tensor(default)).numpy() for m in methods]
        results.append(lib.L1Unstructured(3).prune(tensor(t), importance_scores=tensor(-t)).numpy())
        if lib is prune:
            ours = results
    for mine, theirs in zip(ours, results):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(prune.Identity().prune(torchlike.tensor(t)).numpy(), t)


def test_ties_prune_the_lowest_index_first():
    """Documented tie behaviour (PyTorch's choice among equal values is unspecified)."""
    mask = prune.L1Unstructured(3).compute_mask(torchlike.ones(6), torchlike.ones(6))
    np.testing.assert_array_equal(mask.numpy(), [0, 0, 0, 1, 1, 1])
    mask = prune.LnStructured(2, 1, dim=0).compute_mask(torchlike.ones(4, 2), torchlike.ones(4, 2))
    np.testing.assert_array_equal(mask.numpy()[:, 0], [1, 1, 0, 0])  # the lower-numbered channels are kept


ERROR_CASES = {
    "negative amount": lambda p, m: p.l1_unstructured(m, "weight", -1),
    "fraction above 1": lambda p, m: p.random_unstructured(m, "weight", 1.5),
    "amount as a string": lambda p, m: p.l1_unstructured(m, "weight", "0.3"),
    "count above size": lambda p, m: p.l1_unstructured(m, "weight", 13),
    "channels above size": lambda p, m: p.ln_structured(m, "weight", 5, 2, 0),
    "structured on 1-D": lambda p, m: p.ln_structured(m, "bias", 1, 2, 0),
    "random structured on 1-D": lambda p, m: p.random_structured(m, "bias", 1, 0),
    "dim out of range": lambda p, m: p.ln_structured(m, "weight", 1, 2, 2),
    "remove unpruned": lambda p, m: p.remove(m, "weight"),
    "scores of another shape": lambda p, m: p.l1_unstructured(m, "weight", 1, importance_scores=m.bias),
    "global structured method": lambda p, m: p.global_unstructured([(m, "weight")], p.LnStructured, amount=1, n=1),
    "global parameters not iterable": lambda p, m: p.global_unstructured(m, p.L1Unstructured, amount=1),
    "global scores not a dict": lambda p, m: p.global_unstructured([(m, "weight")], p.L1Unstructured,
                                                                   importance_scores=[m.weight], amount=1),
    "custom mask of another shape": lambda p, m: p.custom_from_mask(m, "weight", m.bias),
    "container of another tensor": lambda p, m: p.PruningContainer(p.Identity.apply(m, "weight"))
    .add_pruning_method(p.Identity.apply(m, "bias")),
    "container of a non-method": lambda p, m: p.PruningContainer(p.Identity.apply(m, "weight"))
    .add_pruning_method("l1"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_as_torch(case):
    theirs_prune = torch_prune()
    mine, theirs = pair("Linear", 3, 4)
    with pytest.raises(Exception) as theirs_error:
        ERROR_CASES[case](theirs_prune, theirs)
    with pytest.raises(theirs_error.type):
        ERROR_CASES[case](prune, mine)


def test_remove_of_a_method_never_applied():
    with pytest.raises(AssertionError, match="has to be pruned"):
        prune.L1Unstructured(1).remove(nn.Linear(2, 2))


@pytest.mark.parametrize("case", ["count above size", "channels above size", "dim out of range"])
def test_failed_pruning_leaves_the_module_unchanged(case):
    layer = nn.Linear(3, 4)
    prune.l1_unstructured(layer, "weight", 2)
    mask, keys = layer.weight_mask.numpy().copy(), list(layer.state_dict())
    hooks = list(layer._forward_pre_hooks.values())
    with pytest.raises((ValueError, IndexError)):
        ERROR_CASES[case](prune, layer)
    assert list(layer.state_dict()) == keys and list(layer._forward_pre_hooks.values()) == hooks
    np.testing.assert_array_equal(layer.weight_mask.numpy(), mask)
    fresh = nn.Linear(3, 4)
    with pytest.raises((ValueError, IndexError)):
        ERROR_CASES[case](prune, fresh)
    assert list(fresh.state_dict()) == ["weight", "bias"] and not prune.is_pruned(fresh)
