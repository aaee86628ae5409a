"""Container surgery (``del``/``pop``/``insert``/``extend``/``+`` on Sequential and ModuleList, renumbering the
names), ``load_state_dict`` (its result, post hooks, ``assign=True``), the global forward hooks and the
``nn.modules`` paths; and the layers RMSNorm, Hardshrink, Softshrink, RReLU, FeatureAlphaDropout,
TripletMarginWithDistanceLoss with ``F.rms_norm``, ``F.pdist`` ... — against PyTorch where it is installed, by
float64 central differences for the gradients, and by their formulas otherwise."""
import math
from collections import OrderedDict

import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.nn import functional as F
from tests.gradient_checks import check_gradient
from tests.nn.torch_compare import check_repr_and_state, pair, run_both

rng = numpy.random.default_rng(7)


def widths(container):
    """The in_features of a container's Linear layers and the container's names for them."""
    return [m.in_features for m in container], list(container._modules)


def linears(*sizes):
    return [nn.Linear(n, n) for n in sizes]


# ------------------------------------------------------------------------------------------------ containers

def test_deleting_from_a_sequential_renumbers_its_modules():
    seq = nn.Sequential(*linears(1, 2, 3, 4))
    del seq[1]
    assert widths(seq) == ([1, 3, 4], ["0", "1", "2"])
    assert list(seq.state_dict())[2:4] == ["1.weight", "1.bias"]  # was "2.weight": the names are the positions
    del seq[-2:]
    assert widths(seq) == ([1], ["0"])
    named = nn.Sequential(OrderedDict(a=nn.Linear(1, 1), b=nn.Linear(2, 2), c=nn.Linear(3, 3)))
    del named[0]
    assert widths(named) == ([2, 3], ["0", "1"])  # renumbered, as PyTorch does
    with pytest.raises(IndexError, match="index 2 is out of range"):
        del named[2]
    with pytest.raises(TypeError, match="'str' object cannot be interpreted as an integer"):
        del named["a"]


def test_sequential_insert_pop_extend_and_add():
    seq = nn.Sequential(*linears(1, 2, 3))
    assert seq.insert(-1, nn.Linear(9, 9)) is seq and widths(seq) == ([1, 2, 9, 3], ["0", "1", "2", "3"])
    assert seq.insert(4, nn.Linear(8, 8)) is seq and widths(seq)[0] == [1, 2, 9, 3, 8]
    with pytest.raises(IndexError, match="Index out of range: 6"):
        seq.insert(6, nn.Linear(1, 1))
    with pytest.raises(IndexError, match="Index out of range: -6"):
        seq.insert(-6, nn.Linear(1, 1))
    with pytest.raises(AssertionError, match="module should be of type"):
        seq.insert(0, 3)
    assert seq.pop(2).in_features == 9 and widths(seq) == ([1, 2, 3, 8], ["0", "1", "2", "3"])
    popped = seq.pop(slice(1, 3))  # a slice keeps its names in the popped Sequential
    assert widths(popped) == ([2, 3], ["1", "2"]) and widths(seq) == ([1, 8], ["0", "1"])
    assert seq.extend(linears(5, 6)) is seq and widths(seq) == ([1, 8, 5, 6], ["0", "1", "2", "3"])
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        seq.extend([3])
    both = seq + nn.Sequential(nn.Linear(7, 7))
    assert widths(both)[0] == [1, 8, 5, 6, 7] and both[0] is seq[0] and len(seq) == 4
    seq += nn.Sequential(nn.Linear(4, 4))
    assert widths(seq) == ([1, 8, 5, 6, 4], ["0", "1", "2", "3", "4"])
    for bad in ([nn.Linear(1, 1)], nn.ModuleList()):
        with pytest.raises(ValueError, match="add operator supports only objects of Sequential class"):
            seq + bad
    x = torchlike.randn(3, 1)
    small = nn.Sequential(nn.Linear(1, 2), nn.Tanh(), nn.Linear(2, 2))
    small.insert(1, nn.ReLU())
    numpy.testing.assert_allclose(small(x).detach().numpy(),
                                  small[3](small[2](small[1](small[0](x)))).detach().numpy())


def test_module_list_delete_pop_insert_and_add():
    layers = nn.ModuleList(linears(1, 2, 3, 4, 5))
    del layers[::2]
    assert widths(layers) == ([2, 4], ["0", "1"])
    layers = nn.ModuleList(linears(1, 2, 3, 4))
    assert layers.pop(-1).in_features == 4 and widths(layers) == ([1, 2, 3], ["0", "1", "2"])
    assert widths(layers.pop(slice(0, 2))) == ([1, 2], ["0", "1"]) and widths(layers) == ([3], ["0"])
    with pytest.raises(IndexError, match="index 1 is out of range"):
        layers.pop(1)
    # insert follows list.insert (PyTorch's own fails on negative indices; its documentation says "as list")
    layers.insert(0, nn.Linear(7, 7))
    layers.insert(-1, nn.Linear(8, 8))
    layers.insert(10, nn.Linear(9, 9))
    assert widths(layers) == ([7, 8, 3, 9], ["0", "1", "2", "3"])
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        layers.insert(0, 3)
    combined = layers + [nn.Linear(6, 6)]
    assert isinstance(combined, nn.ModuleList) and widths(combined)[0] == [7, 8, 3, 9, 6] and len(layers) == 4
    layers += (nn.Linear(5, 5),)
    assert widths(layers) == ([7, 8, 3, 9, 5], ["0", "1", "2", "3", "4"])
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable, but got int"):
        layers += 3
    with pytest.raises(TypeError, match="'int' object is not iterable"):
        layers + 3


def _container_script(lib):
    """The same container surgery in either library: what each step leaves (widths, names, state_dict keys)."""
    def make(kind, *sizes):
        modules = [lib.nn.Linear(n, n) for n in sizes]
        return lib.nn.Sequential(*modules) if kind == "seq" else lib.nn.ModuleList(modules)

    def outcome(step):
        try:
            container = step()
        except Exception as error:  # the error's type and message are part of the behaviour
            return type(error).__name__, str(error).split(" <class")[0]
        return widths(container), list(container.state_dict())

    def run(kind, action):
        def step():
            container = make(kind, 1, 2, 3, 4)
            action(container)
            return container
        return outcome(step)
    results = []
    for kind in ("seq", "list"):
        for index in (0, 2, -1, -4, 4, slice(1, 3), slice(None, None, 2), slice(-2, None), slice(6, 9), True, 1.5):
            results.append(run(kind, lambda c: c.__delitem__(index)))
            results.append(run(kind, lambda c: c.pop(index)))
        for index in (0, 2, 4) + ((-1, -4, -5, 5) if kind == "seq" else ()):
            results.append(run(kind, lambda c: c.insert(index, lib.nn.Linear(9, 9))))
        results.append(run(kind, lambda c: c.extend([lib.nn.Linear(7, 7)])))
        results.append(run(kind, lambda c: c.extend(3)))
        results.append(run(kind, lambda c: c.__iadd__(make("seq", 5, 6))))
        results.append(outcome(lambda: make(kind, 1) + make("seq", 8)))
        results.append(outcome(lambda: make(kind, 1) + [lib.nn.Linear(8, 8)]))
    return results


def test_container_surgery_matches_pytorch():
    torch = pytest.importorskip("torch")
    assert _container_script(torchlike) == _container_script(torch)


# ------------------------------------------------------------------------------------------ load_state_dict

def test_load_state_dict_result_is_a_namedtuple_printed_as_pytorch():
    layer = nn.Linear(2, 3)
    result = layer.load_state_dict(layer.state_dict())
    assert repr(result) == str(result) == "<All keys matched successfully>"
    assert isinstance(result, tuple) and result._fields == ("missing_keys", "unexpected_keys")
    state = {"weight": layer.weight.detach(), "extra": torchlike.ones(1)}
    result = layer.load_state_dict(state, strict=False)
    assert repr(result) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['extra'])"
    assert result == (["bias"], ["extra"]) and result.missing_keys == ["bias"]


def test_post_hooks_run_after_each_subtree_and_may_forgive_keys():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 2)), nn.Linear(2, 2))
    calls = []
    for name, module in net.named_modules():
        module.register_load_state_dict_post_hook(
            lambda m, keys, name=name: calls.append((name, list(keys.missing_keys), list(keys.unexpected_keys))))
    state = net.state_dict()
    for key in ("0.bias", "2.bias", "1.0.weight"):
        del state[key]
    state = {"2.junk": torchlike.ones(1), **state, "0.junk": torchlike.ones(1), "extra": torchlike.ones(1),
             "7.weight": torchlike.ones(1), "0.weight.x": torchlike.ones(1)}
    result = net.load_state_dict(state, strict=False)
    unexpected = ["extra", "7.weight", "0.junk", "0.weight.x"]  # each module's keys, in the modules' order
    assert calls == [("0", ["0.bias"], unexpected),  # (PyTorch's order and partial lists)
                     ("1.0", ["0.bias", "1.0.weight"], unexpected),
                     ("1", ["0.bias", "1.0.weight"], unexpected),
                     ("2", ["0.bias", "1.0.weight", "2.bias"], unexpected + ["2.junk"]),
                     ("", ["0.bias", "1.0.weight", "2.bias"], unexpected + ["2.junk"])]
    assert result == (["0.bias", "1.0.weight", "2.bias"], unexpected + ["2.junk"])

    layer = nn.Linear(2, 2)
    handle = layer.register_load_state_dict_post_hook(lambda m, keys: keys.missing_keys.clear())
    assert repr(layer.load_state_dict({"weight": torchlike.ones(2, 2)})) == "<All keys matched successfully>"
    handle.remove()
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
        layer.load_state_dict({"weight": torchlike.ones(2, 2)})
    layer.register_load_state_dict_post_hook(lambda m, keys: keys)
    with pytest.raises(AssertionError, match="not expected to return new values"):
        layer.load_state_dict(layer.state_dict())


def test_load_state_dict_loads_what_fits_before_raising():
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 3))
    state = {"0.weight": torchlike.ones(2, 2), "0.bias": torchlike.ones(2), "1.weight": torchlike.ones(2, 2),
             "1.bias": torchlike.ones(3)}
    with pytest.raises(RuntimeError, match="size mismatch for 1.weight"):
        net.load_state_dict(state)
    assert (net[0].weight.detach().numpy() == 1).all() and (net[1].bias.detach().numpy() == 1).all()
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        net.load_state_dict([1, 2])


def test_load_state_dict_assign_makes_the_module_hold_the_given_tensors():
    layer = nn.Linear(2, 3)
    old_weight = layer.weight
    layer.bias.requires_grad_(False)
    weight, bias = torchlike.ones(3, 2, dtype=torchlike.float64), torchlike.zeros(3)
    assert repr(layer.load_state_dict({"weight": weight, "bias": bias}, assign=True)) == \
        "<All keys matched successfully>"
    assert isinstance(layer.weight, nn.Parameter) and layer.weight is not old_weight
    assert layer.weight.requires_grad and not layer.bias.requires_grad  # the replaced parameters' flags
    assert layer.weight.dtype == torchlike.float64  # the given tensor's dtype, not the module's
    weight.add_(5)  # the same memory: a change of the source shows in the module
    assert (layer.weight.detach().numpy() == 6).all()
    frozen = nn.Parameter(torchlike.ones(3), requires_grad=False)
    layer.load_state_dict({"weight": weight, "bias": frozen}, assign=True)
    assert layer.bias is frozen and not frozen.requires_grad
    norm = nn.BatchNorm1d(2)
    running_mean = torchlike.ones(2)
    norm.load_state_dict({**norm.state_dict(), "running_mean": running_mean}, assign=True)
    assert norm.running_mean is running_mean
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        nn.Linear(2, 3).load_state_dict({"weight": torchlike.ones(2, 2), "bias": torchlike.zeros(3)}, assign=True)


def test_load_state_dict_assign_against_pytorch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (torchlike, torch):
        layer = lib.nn.Linear(2, 3)
        layer.weight.requires_grad_(False)
        source = lib.ones(3, 2, dtype=lib.float64)
        layer.load_state_dict({"weight": source, "bias": lib.zeros(3, requires_grad=True)}, assign=True)
        source.mul_(3)
        results.append((type(layer.weight).__name__, layer.weight.requires_grad, layer.bias.requires_grad,
                        layer.weight.detach().numpy().tolist(), str(layer.weight.dtype).split(".")[-1]))
    assert results[0] == results[1]


# ----------------------------------------------------------------------------- global hooks, nn.modules paths

def test_global_forward_hooks_run_before_each_modules_own():
    order = []
    layer = nn.Linear(2, 2)
    layer.register_forward_pre_hook(lambda m, args: order.append("pre"))
    layer.register_forward_hook(lambda m, args, out: order.append("post"))
    module_hooks = nn.modules.module
    handles = [module_hooks.register_module_forward_pre_hook(lambda m, args: order.append(("all pre", type(m)))),
               module_hooks.register_module_forward_hook(lambda m, args, out: order.append(("all post", type(m))))]
    nn.Sequential(layer)(torchlike.ones(2))
    for handle in handles:
        handle.remove()
    assert order == [("all pre", nn.Sequential), ("all pre", nn.Linear), "pre", ("all post", nn.Linear), "post",
                     ("all post", nn.Sequential)]
    with module_hooks.register_module_forward_hook(lambda m, args, out: out * 0):
        assert not layer(torchlike.ones(2)).detach().numpy().any()
    with module_hooks.register_module_forward_pre_hook(lambda m, args: (args[0] * 0,)):
        numpy.testing.assert_array_equal(layer(torchlike.ones(2)).detach().numpy(), layer.bias.detach().numpy())
    seen = []
    with module_hooks.register_module_forward_hook(lambda m, args, kwargs, out: seen.append(kwargs),
                                                   with_kwargs=True):
        layer(torchlike.ones(2))
    assert seen == [{}] and order[6:] == ["pre", "post"] * 3  # the removed global hooks ran no more


def test_nn_modules_paths_hold_minidls_classes():
    from minidl.eager.nn.modules.batchnorm import _BatchNorm
    from minidl.eager.nn.modules.conv import _ConvNd, _ConvTransposeNd
    from minidl.eager.nn.modules.loss import _Loss, _WeightedLoss
    import minidl.eager.nn.modules.activation as activation
    assert isinstance(nn.BatchNorm1d(2), _BatchNorm) and not isinstance(nn.LayerNorm(2), _BatchNorm)
    assert isinstance(nn.BatchNorm3d(2), nn.modules.batchnorm._NormBase)
    assert isinstance(nn.Conv1d(1, 1, 1), _ConvNd) and isinstance(nn.ConvTranspose2d(1, 1, 1), _ConvTransposeNd)
    assert isinstance(nn.MSELoss(), _Loss) and isinstance(nn.NLLLoss(), _WeightedLoss)
    assert isinstance(nn.TripletMarginWithDistanceLoss(), nn.modules.loss._Loss)
    assert activation.ReLU is nn.ReLU and activation.MultiheadAttention is nn.MultiheadAttention
    assert nn.modules.module.Module is nn.Module is nn.modules.Module
    assert nn.modules.container.Sequential is nn.Sequential and nn.modules.linear.Linear is nn.Linear
    assert nn.modules.normalization.RMSNorm is nn.RMSNorm and nn.modules.dropout.FeatureAlphaDropout is \
        nn.FeatureAlphaDropout
    assert nn.modules.Linear is nn.Linear and nn.modules.Hardshrink is nn.Hardshrink


# ----------------------------------------------------------------------------------------------------- RMSNorm

X = rng.standard_normal((3, 4, 5))


@pytest.mark.parametrize("args, kwargs, x", [
    ((5,), {}, X),
    (([4, 5],), {"eps": 1e-3}, X),
    ((5,), {"elementwise_affine": False}, X[0]),
    ((5,), {"eps": 0.5}, X),
])
def test_rms_norm_matches_pytorch(args, kwargs, x):
    check_repr_and_state("RMSNorm", args, kwargs)
    mine, theirs = pair("RMSNorm", *args, **kwargs)
    if mine.weight is not None:  # a weight other than ones, so its gradient and product are tested
        w = rng.standard_normal(tuple(mine.weight.shape))
        with torchlike.no_grad():
            mine.weight.copy_(torchlike.tensor(w))
        theirs.weight.data.copy_(theirs.weight.data.new_tensor(w))
    run_both(mine, theirs, x, rtol=1e-10, atol=1e-12)


def test_rms_norm_formula_eps_and_errors():
    x = torchlike.tensor(X.astype("float32"))
    expected = X / numpy.sqrt((X ** 2).mean(-1, keepdims=True) + numpy.finfo(numpy.float32).eps)
    numpy.testing.assert_allclose(F.rms_norm(x, (5,)).numpy(), expected, rtol=1e-5)
    assert F.rms_norm(x, [5], torchlike.ones(5, dtype=torchlike.float64)).dtype == torchlike.float32
    layer = nn.RMSNorm(5)
    assert repr(layer) == "RMSNorm((5,), eps=None, elementwise_affine=True)" and list(layer.state_dict()) == ["weight"]
    zero = torchlike.zeros(2, 3, requires_grad=True)
    F.rms_norm(zero, (3,)).sum().backward()  # at x = 0 the gradient is 1/sqrt(eps), finite
    numpy.testing.assert_allclose(zero.grad.numpy(), 1 / math.sqrt(numpy.finfo(numpy.float32).eps), rtol=1e-6)
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 4\]"):
        F.rms_norm(x, (4,))
    with pytest.raises(RuntimeError, match="Expected weight to be of same shape as normalized_shape"):
        F.rms_norm(x, (5,), torchlike.ones(4))
    with pytest.raises(RuntimeError, match="at least 1-dimensional"):
        F.rms_norm(x, [])
    with pytest.raises(TypeError, match="rms_norm: expected a floating point input"):
        F.rms_norm(torchlike.ones(2, 5, dtype=torchlike.int64), (5,))


def test_rms_norm_gradients():
    g = rng.standard_normal((3, 4))
    w = rng.standard_normal(4)
    check_gradient(lambda L, x: (L.nn.functional.rms_norm(x, (4,), L.tensor(w), 1e-6) * L.tensor(g)).sum(),
                   rng.standard_normal((3, 4)))
    x0 = rng.standard_normal((3, 4))
    check_gradient(lambda L, weight: (L.nn.functional.rms_norm(L.tensor(x0), [4], weight) * L.tensor(g)).sum(), w)


# -------------------------------------------------------------------------------------- shrink and RReLU

def _off_kinks(shape, kinks, gap=0.05):
    """Normal samples moved away from the points where a piecewise function has a kink."""
    x = rng.standard_normal(shape)
    for k in kinks:
        x = numpy.where(abs(x - k) < gap, k + gap * numpy.sign(x - k + 1e-12), x)
    return x


def test_shrink_functions_formulas_and_layers():
    values = numpy.array([-1.0, -0.5, -0.3, 0.0, 0.3, 0.5, 1.0, numpy.nan, numpy.inf])
    x = torchlike.tensor(values, requires_grad=True)
    hard = F.hardshrink(x)
    numpy.testing.assert_array_equal(hard.detach().numpy(), [-1, 0, 0, 0, 0, 0, 1, numpy.nan, numpy.inf])
    hard[:7].sum().backward()
    numpy.testing.assert_array_equal(x.grad.numpy(), [1, 0, 0, 0, 0, 0, 1, 0, 0])
    x.grad = None
    soft = F.softshrink(x, 0.25)
    numpy.testing.assert_allclose(soft.detach().numpy(), [-0.75, -0.25, -0.05, 0, 0.05, 0.25, 0.75, numpy.nan,
                                                          numpy.inf])
    soft[:7].sum().backward()
    numpy.testing.assert_array_equal(x.grad.numpy(), [1, 1, 1, 0, 1, 1, 1, 0, 0])
    assert repr(nn.Hardshrink()) == "Hardshrink(0.5)" and repr(nn.Softshrink(0.3)) == "Softshrink(0.3)"
    numpy.testing.assert_array_equal(nn.Hardshrink(-1)(x).detach().numpy(), values)  # every |x| > -1
    with pytest.raises(RuntimeError, match="lambda must be greater or equal to 0"):
        nn.Softshrink(-1)(x)
    with pytest.raises(TypeError, match="hardshrink: expected a floating point input"):
        F.hardshrink(torchlike.tensor([1, 2]))


@pytest.mark.parametrize("name, lambd", [("hardshrink", 0.5), ("softshrink", 0.5), ("softshrink", 0.0)])
def test_shrink_gradients(name, lambd):
    g = rng.standard_normal((4, 5))
    check_gradient(lambda L, x: (getattr(L.nn.functional, name)(x, lambd) * L.tensor(g)).sum(),
                   _off_kinks((4, 5), (-lambd, lambd)))


@pytest.mark.parametrize("name, args", [("Hardshrink", ()), ("Softshrink", (0.3,)), ("RReLU", ()),
                                        ("RReLU", (0.1, 0.2, True)), ("FeatureAlphaDropout", (0.2, True))])
def test_new_layers_print_as_pytorch(name, args):
    check_repr_and_state(name, args, {})


@pytest.mark.parametrize("name, args", [("Hardshrink", (0.7,)), ("Softshrink", ()), ("RReLU", ()),
                                        ("RReLU", (0.05, 0.9)), ("FeatureAlphaDropout", (0.4,))])
def test_layers_in_eval_mode_match_pytorch(name, args):
    mine, theirs = pair(name, *args)
    mine.eval(), theirs.eval()
    run_both(mine, theirs, _off_kinks((2, 3, 4), (0, -0.7, 0.7, -0.5, 0.5)), rtol=1e-12, atol=1e-12)


def test_rrelu_training_draws_a_slope_per_element():
    torchlike.manual_seed(3)
    x = torchlike.tensor(-rng.uniform(0.5, 2.0, (50, 40)), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = (y / x).detach().numpy()
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3 and slopes.std() > 0.05  # U(0.1, 0.3): std 0.058
    y.sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), slopes, rtol=1e-12)  # the gradient is the slope used
    positive = torchlike.tensor([0.5, 2.0], requires_grad=True)
    layer = nn.RReLU()
    assert layer(positive).detach().numpy().tolist() == [0.5, 2.0]
    zero = torchlike.tensor([0.0], requires_grad=True)
    layer.eval()(zero).sum().backward()  # x = 0 takes the negative side, as in PyTorch
    numpy.testing.assert_allclose(zero.grad.numpy(), [(1 / 8 + 1 / 3) / 2])
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal to the upper bound"):
        F.rrelu(x, 0.5, 0.1)
    buffer = torchlike.tensor([-2.0, 3.0])
    assert F.rrelu(buffer, 0.2, 0.2, training=True, inplace=True) is buffer
    numpy.testing.assert_allclose(buffer.numpy(), [-0.4, 3.0])


def test_rrelu_eval_gradient():
    g = rng.standard_normal((3, 5))
    check_gradient(lambda L, x: (L.nn.functional.rrelu(x, 0.1, 0.4) * L.tensor(g)).sum(), _off_kinks((3, 5), (0,)))


# ------------------------------------------------------------------------------------ feature alpha dropout

def test_feature_alpha_dropout_drops_whole_channels_with_the_affine_correction():
    x = torchlike.zeros(6, 7, 3, 2)
    assert F.feature_alpha_dropout(x, 0.5, False) is x and nn.FeatureAlphaDropout().eval()(x) is x
    torchlike.manual_seed(1)
    p = 0.3
    y = F.feature_alpha_dropout(x, p, True).numpy()
    saturation = 1.0507009873554805 * 1.6732632423543772  # SELU's -α'
    a = 1 / math.sqrt((1 + p * saturation ** 2) * (1 - p))
    b = a * saturation * p
    per_channel = y.reshape(6, 7, -1)
    assert (per_channel == per_channel[:, :, :1]).all()  # one value per (sample, channel)
    kept = numpy.isclose(per_channel[:, :, 0], b)
    assert (kept | numpy.isclose(per_channel[:, :, 0], -a * saturation + b)).all() and 0 < kept.sum() < 42
    two_d = F.feature_alpha_dropout(torchlike.zeros(40, 50), 0.5, True).numpy()  # (N, C): single values
    assert len(numpy.unique(two_d.round(6))) == 2 and (two_d != two_d[:, :1]).any()
    leaf = torchlike.tensor(rng.standard_normal((4, 5, 3)), requires_grad=True)
    out = F.feature_alpha_dropout(leaf, p, True)
    out.sum().backward()
    kept = numpy.isclose(out.detach().numpy(), a * leaf.detach().numpy() + b)
    numpy.testing.assert_allclose(leaf.grad.numpy(), numpy.where(kept, a, 0.0))
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
        F.feature_alpha_dropout(torchlike.ones(5), 0.5, True)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        nn.FeatureAlphaDropout(1.5)
    assert not F.feature_alpha_dropout(torchlike.ones(2, 3), 1.0, True).numpy().any()


def test_feature_alpha_dropout_keeps_mean_and_variance_of_selu_activations():
    torchlike.manual_seed(0)
    activations = F.selu(torchlike.randn(4000, 500, 1))  # near mean 0, variance 1
    dropped = F.feature_alpha_dropout(activations, 0.3, True).numpy()
    before = activations.numpy()
    assert abs(dropped.mean() - before.mean()) < 0.01 and abs(dropped.var() - before.var()) < 0.02


# ----------------------------------------------------------------------------------------------------- pdist

@pytest.mark.parametrize("p", [0, 0.5, 1, 2, 3, math.inf])
def test_pdist_matches_the_distance_matrix_and_pytorch(p):
    x = rng.standard_normal((5, 3))
    rows, cols = numpy.triu_indices(5, 1)
    differences = x[rows] - x[cols]
    expected = (numpy.count_nonzero(differences, axis=1) if p == 0
                else numpy.linalg.norm(differences, ord=p, axis=1))
    numpy.testing.assert_allclose(F.pdist(torchlike.tensor(x), p).numpy(), expected, rtol=1e-12)
    torch = pytest.importorskip("torch")
    numpy.testing.assert_allclose(F.pdist(torchlike.tensor(x), p).numpy(),
                                  torch.nn.functional.pdist(torch.tensor(x), p).numpy(), rtol=1e-12)


@pytest.mark.parametrize("p", [0.5, 1, 2, 3, math.inf])
def test_pdist_gradients(p):
    g = rng.standard_normal(6)
    check_gradient(lambda L, x: (L.nn.functional.pdist(x, p) * L.tensor(g)).sum(), rng.standard_normal((4, 3)))


def test_pdist_edge_cases_and_errors():
    same = torchlike.tensor([[1.0, 2.0], [1.0, 2.0], [0.0, 2.0]], requires_grad=True)
    F.pdist(same).sum().backward()  # a zero distance has gradient 0 (not NaN), as in PyTorch
    numpy.testing.assert_array_equal(same.grad.numpy(), [[1, 0], [1, 0], [-2, 0]])
    assert tuple(F.pdist(torchlike.ones(1, 3)).shape) == (0,) and tuple(F.pdist(torchlike.ones(0, 3)).shape) == (0,)
    assert F.pdist(torchlike.ones(3, 0)).numpy().tolist() == [0, 0, 0]
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 3D"):
        F.pdist(torchlike.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match="pdist only supports non-negative p values"):
        F.pdist(torchlike.ones(3, 2), -1)
    with pytest.raises(TypeError, match="pdist only supports floating-point dtypes"):
        F.pdist(torchlike.ones(3, 2, dtype=torchlike.int64))


# ----------------------------------------------------------------------------------- triplet margin losses

A, P, N = (rng.standard_normal((4, 3)) for _ in range(3))


def _cosine_distance(lib):
    return lambda x, y: 1 - lib.nn.functional.cosine_similarity(x, y)


@pytest.mark.parametrize("distance, kwargs", [
    (None, {}), (None, {"swap": True, "margin": 2.0, "reduction": "sum"}),
    ("cosine", {"swap": True, "reduction": "none"}), ("l1", {"margin": 0.5})])
def test_triplet_margin_with_distance_loss_matches_pytorch(distance, kwargs):
    torch = pytest.importorskip("torch")

    def build(lib):
        fn = {None: None, "cosine": _cosine_distance(lib), "l1": lib.nn.PairwiseDistance(p=1)}[distance]
        return lib.nn.TripletMarginWithDistanceLoss(distance_function=fn, **kwargs)
    mine, theirs = build(torchlike), build(torch)
    assert repr(mine) == repr(theirs)
    run_both(mine, theirs, A, P, N, rtol=1e-12, atol=1e-12)


def test_triplet_margin_with_distance_loss_defaults_and_errors():
    a, p, n = (torchlike.tensor(v) for v in (A, P, N))
    numpy.testing.assert_allclose(F.triplet_margin_with_distance_loss(a, p, n).item(),
                                  F.triplet_margin_loss(a, p, n).item(), rtol=1e-14)
    loss = nn.TripletMarginWithDistanceLoss()
    assert isinstance(loss.distance_function, nn.PairwiseDistance) and list(loss.state_dict()) == []
    assert repr(nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: x)) == \
        "TripletMarginWithDistanceLoss()"
    with pytest.raises(ValueError, match="expected margin to be greater than 0, got 0 instead"):
        nn.TripletMarginWithDistanceLoss(margin=0)
    with pytest.raises(ValueError, match="margin must be greater than 0, got -1"):
        F.triplet_margin_with_distance_loss(a, p, n, margin=-1)
    with pytest.raises(RuntimeError, match="anchor 2D, positive 1D, and negative 2D inputs"):
        F.triplet_margin_with_distance_loss(a, p[0], n)
    with pytest.raises(TypeError):
        F.triplet_margin_with_distance_loss(a, p, n, None)  # the options are keyword-only
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.triplet_margin_with_distance_loss(a, p, n, reduction="foo")


def test_triplet_margin_with_distance_loss_gradient():
    check_gradient(lambda L, anchor: L.nn.functional.triplet_margin_with_distance_loss(
        anchor, L.tensor(P), L.tensor(N), distance_function=_cosine_distance(L), margin=0.8, swap=True), A)
