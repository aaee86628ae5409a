"""What session 20's sweeps against PyTorch 2.13 found (torch.fft/special/complex, nn.functional, nn.utils, init,
Module, utils.data), each fixed: the expected values are PyTorch's."""
import math
from collections import OrderedDict

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.utils.data import BatchSampler, DataLoader, RandomSampler, WeightedRandomSampler, random_split

inf, nan = math.inf, math.nan


def test_the_gradient_of_a_complex_product_is_conjugated():
    """PyTorch's convention: d Re(f) / dz is conj(df/dz); for a product, conj(the product of the others)."""
    z = T.tensor([1 + 2j, 3 - 1j, 0.5j], requires_grad=True)
    T.real(z.prod()).backward()
    values = np.array([1 + 2j, 3 - 1j, 0.5j])
    others = np.array([values[1] * values[2], values[0] * values[2], values[0] * values[1]])
    np.testing.assert_allclose(z.grad.numpy(), np.conj(others), rtol=1e-6)
    w = T.tensor([[1 + 2j, 0j], [3 - 1j, 2 + 0j]], requires_grad=True)
    T.imag(w.prod(0)).sum().backward()  # a zero in a column: only it gets the others' product
    np.testing.assert_allclose(w.grad.numpy(), [[-1 + 3j, 2j], [2 + 1j, 0]], rtol=1e-6)


@pytest.mark.parametrize("row", [[inf, 1.0, 2.0], [-inf, -inf, -inf], [inf, inf, 1.0]])
def test_softmax_of_a_slice_with_an_infinite_max_is_nan(row):
    x = T.tensor(row, requires_grad=True)
    assert np.isnan(T.softmax(x, 0).detach().numpy()).all() and np.isnan(T.log_softmax(x, 0).detach().numpy()).all()
    T.softmax(x, 0)[1].backward()
    assert np.isnan(x.grad.numpy()).all()
    assert T.logsumexp(T.tensor(row), 0).item() == max(row)  # logsumexp keeps its infinite limits


def test_softmax_with_minus_infinity_beside_finite_logits_is_finite():
    x = T.tensor([-inf, 0.0, 1.0])
    np.testing.assert_allclose(T.softmax(x, 0).numpy(), [0, 0.2689414, 0.7310586], rtol=1e-6)
    assert T.nn.functional.cross_entropy(T.tensor([[-inf, 0.0, 1.0]]), T.tensor([0])).item() == inf
    assert math.isnan(T.nn.functional.cross_entropy(T.tensor([[inf, 0.0, 1.0]]), T.tensor([1])).item())


def test_logit_outside_its_domain_and_with_a_large_eps():
    x = T.tensor([-1.0, 0.5, 2.0, 0.0, 1.0], dtype=T.float64, requires_grad=True)
    y = T.special.logit(x)
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), [nan, 0, nan, -inf, inf])
    np.testing.assert_array_equal(x.grad.numpy(), [nan, 4, nan, inf, inf])
    x = T.tensor([0.1, 0.5, 0.55, 0.7, nan], dtype=T.float64, requires_grad=True)
    y = T.logit(x, eps=0.6)  # eps > 1/2: below eps goes to eps, else above 1 - eps to 1 - eps
    y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), [math.log(1.5)] * 3 + [-math.log(1.5), nan], rtol=1e-12)
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 0, 0, nan])


def test_entr_gradient_at_its_edges():
    x = T.tensor([-0.5, 0.0, 1.5, inf, nan], dtype=T.float64, requires_grad=True)
    y = T.special.entr(x)
    y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), [-inf, 0, -1.5 * math.log(1.5), -inf, nan])
    np.testing.assert_allclose(x.grad.numpy(), [nan, inf, -math.log(1.5) - 1, -inf, nan])


def test_conj_physical_and_resolve_neg():
    x = T.tensor([1.0, 2.0])
    assert T.conj_physical(x) is x and x.resolve_neg() is x and T.resolve_neg(x) is x and not T.is_neg(x)
    z = T.tensor([1 + 1j])
    assert T.conj_physical(z).tolist() == [1 - 1j] and z.conj_physical_() is z and z.tolist() == [1 - 1j]


def test_train_calls_each_childs_own_train():
    class KeepsNormFrozen(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.norm, self.drop = T.nn.BatchNorm1d(2), T.nn.Dropout()

        def train(self, mode=True):
            super().train(mode)
            self.norm.eval()
            return self

    net = T.nn.Sequential(T.nn.Linear(2, 2), KeepsNormFrozen())
    assert net.train() is net and not net[1].norm.training and net[1].drop.training and net[1].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train(1)


def test_weight_norm_of_a_vector_normalizes_each_entry():
    layer = T.nn.Linear(2, 3)
    with T.no_grad():
        layer.bias.copy_(T.tensor([1.0, -2.0, 3.0]))
        layer.weight.copy_(T.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    T.nn.utils.weight_norm(layer, name="bias")
    (layer(T.tensor([[1.0, 2.0]])) * T.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert layer.bias_g.tolist() == [1, 2, 3] and layer.bias_g.grad.tolist() == [1, -2, 3]
    assert layer.bias_v.grad.tolist() == [0, 0, 0]
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        T.nn.utils.weight_norm(T.nn.Linear(2, 3), dim=2)


def test_load_from_state_dict_overrides_and_the_state_dict_hooks():
    class Renamed(T.nn.Module):
        """Loads checkpoints that called its layer "linear", as a module written for PyTorch does."""
        def __init__(self):
            super().__init__()
            self.lin, self.norm = T.nn.Linear(2, 2), T.nn.BatchNorm1d(2)

        def _load_from_state_dict(self, state_dict, prefix, *rest):
            for key in [k for k in state_dict if k.startswith(prefix + "linear.")]:
                state_dict[prefix + "lin." + key[len(prefix + "linear."):]] = state_dict.pop(key)
            super()._load_from_state_dict(state_dict, prefix, *rest)

    model, seen = Renamed(), []
    old = OrderedDict((k.replace("lin.", "linear."), v + 1) for k, v in model.state_dict().items())
    model.register_load_state_dict_pre_hook(lambda module, state_dict, prefix, *rest: seen.append(prefix))
    result = model.load_state_dict(old)
    assert not result.missing_keys and not result.unexpected_keys and seen == [""]
    np.testing.assert_array_equal(model.lin.bias.detach().numpy(), old["linear.bias"].numpy())
    assert "linear.bias" in old  # the caller's dict is left alone
    model.register_state_dict_pre_hook(lambda module, prefix, keep_vars: seen.append("pre " + prefix))
    model.register_state_dict_post_hook(lambda module, state_dict, prefix, metadata: seen.append(len(state_dict)))
    assert list(model.state_dict(prefix="m"))[:2] == ["mlin.weight", "mlin.bias"] and seen[1:] == ["pre m", 7]


def test_named_modules_takes_a_memo_of_modules():
    net = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.Sequential(T.nn.ReLU(), T.nn.Tanh()))
    assert [name for name, _ in net.named_modules(memo={net[1]})] == ["", "0"]


def test_zero_grad_without_set_to_none_keeps_the_gradient_tensor():
    layer = T.nn.Linear(2, 2)
    layer(T.ones(1, 2)).sum().backward()
    grad = layer.weight.grad
    layer.zero_grad(set_to_none=False)
    T.optim.SGD(layer.parameters(), lr=0.1).zero_grad(set_to_none=False)
    assert layer.weight.grad is grad and grad.abs().sum().item() == 0


def test_data_arguments_are_checked_as_pytorch_checks_them():
    with pytest.raises(ValueError, match="prefetch_factor option should be a positive"):
        DataLoader(range(4), num_workers=1, prefetch_factor=0)
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(range(10), [1.5, -0.5])
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=1"):
        WeightedRandomSampler([1.0, 2.0], 2, replacement=1)
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 2, drop_last=1)


def test_init_arguments_are_checked_as_pytorch_checks_them():
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        T.nn.init.calculate_gain("leaky_relu", True)
    with pytest.raises(ValueError, match="negative_slope a not a valid number"):
        T.nn.init.calculate_gain("leaky_relu", "a")
    weight = T.nn.init.kaiming_uniform_(T.empty(300, 400), mode="FAN_OUT")  # fan_out 300: std sqrt(2 / 300)
    assert math.isclose(weight.std().item(), math.sqrt(2 / 300), rel_tol=0.05)


def test_a_fused_layer_made_without_a_bias_gets_one_that_needs_no_gradient():
    fused = T.nn.utils.fuse_conv_bn_eval(T.nn.Conv2d(2, 3, 1, bias=False).eval(), T.nn.BatchNorm2d(3).eval())
    assert fused.weight.requires_grad and not fused.bias.requires_grad


def test_hardtanh_and_relu6_pass_the_gradient_at_nan():
    x = T.tensor([nan, -2.0, 0.5, 1.0, -1.0], requires_grad=True)
    T.nn.functional.hardtanh(x).sum().backward()
    assert x.grad.tolist() == [1, 0, 1, 0, 0]  # 0 on the bounds and beyond them
    y = T.tensor([nan, 7.0, 3.0, 6.0], requires_grad=True)
    T.nn.functional.relu6(y).sum().backward()
    assert y.grad.tolist() == [1, 0, 1, 0]


def test_kl_div_of_a_negative_target_is_nan():
    log_q = T.tensor([[-1.0, -2.0, -0.5]])
    assert math.isnan(T.nn.functional.kl_div(log_q, T.tensor([[0.5, 0.0, -0.2]]), reduction="sum").item())
    loss = T.nn.functional.kl_div(log_q, T.tensor([[0.5, 0.0, 0.5]]), reduction="sum")  # a zero target counts 0
    assert math.isclose(loss.item(), 2 * 0.5 * math.log(0.5) + 0.5 + 0.25, rel_tol=1e-6)


def test_gaussian_nll_loss_takes_a_variance_shared_along_any_one_dim():
    images, targets = T.randn(4, 3, 5, 5), T.randn(4, 3, 5, 5)
    shared = T.rand(4, 1, 5, 5) + 0.5  # one variance for the three channels
    loss = T.nn.functional.gaussian_nll_loss(images, targets, shared, reduction="none")
    full = T.nn.functional.gaussian_nll_loss(images, targets, shared.expand(4, 3, 5, 5), reduction="none")
    np.testing.assert_allclose(loss.numpy(), full.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="var is of incorrect size"):
        T.nn.functional.gaussian_nll_loss(images, targets, T.ones(4, 1, 1, 5))  # two dims differ


def test_one_hot_takes_its_tensor_by_pytorchs_name():
    assert T.nn.functional.one_hot(input=T.tensor([1, 0]), num_classes=3).tolist() == [[0, 1, 0], [1, 0, 0]]


def test_anomaly_mode_without_nan_checks_and_materialized_gradients_need_unused_allowed():
    with T.autograd.detect_anomaly(check_nan=False):
        assert T.is_anomaly_enabled() and not T.is_anomaly_check_nan_enabled()
        x = T.zeros(2, requires_grad=True)
        (x / x).sum().backward()  # no checks: NaN gradients pass, as in PyTorch
        assert np.isnan(x.grad.numpy()).all()
    assert not T.is_anomaly_enabled() and T.is_anomaly_check_nan_enabled()
    x, unused = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="Expected allow_unused to be True or not passed when materialize_grads"):
        T.autograd.grad((x * 2).sum(), (x, unused), allow_unused=False, materialize_grads=True)
    assert T.autograd.grad((x * 2).sum(), (x, unused), materialize_grads=True)[1].tolist() == [0, 0]


@pytest.mark.parametrize("lib", ["minidl", "torch"])
@pytest.mark.parametrize("with_module", [False, True])
def test_the_private_load_state_dict_pre_hook_renames_keys(lib, with_module):
    """The older private hook (libraries rename checkpoint keys with it): the module is passed only with_module."""
    lib = pytest.importorskip("torch") if lib == "torch" else T
    model = lib.nn.Sequential(lib.nn.Linear(2, 2))
    old = OrderedDict((k.replace("0.", "layer."), v + 1) for k, v in model.state_dict().items())

    def rename(*arguments):
        assert (arguments[0] is model) == with_module
        state_dict, prefix = arguments[1 if with_module else 0:][:2]
        for key in [k for k in state_dict if k.startswith(prefix + "layer.")]:
            state_dict[prefix + "0." + key[len(prefix + "layer."):]] = state_dict.pop(key)
    model._register_load_state_dict_pre_hook(rename, with_module=with_module)
    model.load_state_dict(old)
    np.testing.assert_array_equal(model[0].bias.detach().numpy(), old["layer.bias"].numpy())
