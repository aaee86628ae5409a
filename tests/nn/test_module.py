"""The ``nn.Module`` API: registration in order, walks, modes, zero_grad, dtype/device moves that keep the
Parameter objects, state_dict / load_state_dict and their errors, apply, hooks, repr (as PyTorch prints it)."""
import copy

import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from tests.torch_version import since_mirrored_torch


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.scale = nn.Parameter(torchlike.ones(4))
        self.register_buffer("steps", torchlike.zeros(1))
        self.register_buffer("scratch", torchlike.zeros(2), persistent=False)
        self.norm = nn.BatchNorm1d(4)

    def forward(self, x):
        return self.norm(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.layers = nn.ModuleList([nn.Linear(4, 4), nn.ReLU()])
        self.head = nn.Linear(4, 2, bias=False)
        self.shared = self.head  # the same module twice: its parameters are listed once

    def forward(self, x):
        x = self.block(x)
        for layer in self.layers:
            x = layer(x)
        return self.head(x)


def test_registration_order_and_names():
    net = Net()
    assert [name for name, _ in net.named_parameters()] == [
        "block.scale", "block.fc.weight", "block.fc.bias", "block.norm.weight", "block.norm.bias",
        "layers.0.weight", "layers.0.bias", "head.weight"]
    assert [name for name, _ in net.named_buffers()] == [
        "block.steps", "block.scratch", "block.norm.running_mean", "block.norm.running_var",
        "block.norm.num_batches_tracked"]
    assert [name for name, _ in net.named_modules()] == ["", "block", "block.fc", "block.norm", "layers",
                                                         "layers.0", "layers.1", "head"]
    assert [name for name, _ in net.named_children()] == ["block", "layers", "head"]
    assert len(list(net.parameters())) == 8 and len(list(net.parameters(recurse=False))) == 0
    assert net.get_submodule("layers.0") is net.layers[0]
    assert net.get_parameter("block.fc.bias") is net.block.fc.bias
    assert "fc" in dir(net.block)


def test_reassigning_and_deleting_attributes():
    block = Block()
    replacement = nn.Linear(3, 4, bias=False)
    block.fc = replacement
    assert block.fc is replacement and dict(block.named_children())["fc"] is replacement
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        block.scale = torchlike.ones(4)
    block.scale = None
    assert "scale" not in dict(block.named_parameters())
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'norm'"):
        block.norm = 3
    del block.norm
    assert not hasattr(block, "norm")
    with pytest.raises(TypeError, match="buffer"):
        block.steps = 1.0
    with pytest.raises(KeyError, match="contain"):
        block.register_buffer("a.b", torchlike.zeros(1))
    with pytest.raises(KeyError, match="already exists"):
        block.some_attribute = 1
        block.register_parameter("some_attribute", None)

    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)
    with pytest.raises(AttributeError, match="cannot assign module before Module.__init__"):
        Early()

    class PlainFirst(nn.Module):  # a plain value may come before Module.__init__, as in PyTorch
        def __init__(self, width):
            self.width = width
            super().__init__()
            self.fc = nn.Linear(1, width)
    assert PlainFirst(3).width == 3 and [n for n, _ in PlainFirst(3).named_parameters()] == ["fc.weight", "fc.bias"]
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


def test_replacing_a_submodule_or_parameter_keeps_its_place():
    block = Block()
    block.fc = nn.Linear(3, 4, bias=False)
    block.scale = nn.Parameter(torchlike.zeros(4))
    assert [n for n, _ in block.named_children()] == ["fc", "norm"]
    assert list(block.state_dict())[:2] == ["scale", "steps"]


def test_train_eval_and_requires_grad():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert net.block.norm.training
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    with pytest.raises(ValueError, match="boolean"):
        net.train("no")


def test_zero_grad():
    net = Net()
    net(torchlike.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_dtype_moves_keep_the_parameter_objects():
    net = Net()
    params = list(net.parameters())
    net(torchlike.randn(5, 3)).sum().backward()
    assert net.double() is net
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert all(isinstance(p, nn.Parameter) and p.dtype == torchlike.float64 for p in net.parameters())
    assert all(p.grad.dtype == torchlike.float64 for p in net.parameters())
    assert net.block.norm.running_mean.dtype == torchlike.float64
    assert net.block.norm.num_batches_tracked.dtype == torchlike.int64  # integer buffers are left alone
    net.to(torchlike.float32)
    assert all(p.dtype == torchlike.float32 for p in net.parameters())
    net.float().to("cpu").cpu()
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert net(torchlike.randn(2, 3)).dtype == torchlike.float32


def test_state_dict_keys_sharing_and_persistence():
    net = Net()
    state = net.state_dict()
    assert list(state) == ["block.scale", "block.steps", "block.fc.weight", "block.fc.bias", "block.norm.weight",
                           "block.norm.bias", "block.norm.running_mean", "block.norm.running_var",
                           "block.norm.num_batches_tracked", "layers.0.weight", "layers.0.bias", "head.weight",
                           "shared.weight"]  # the module registered twice is saved under both names, as in PyTorch
    assert "block.scratch" not in state  # a non-persistent buffer
    assert not any(v.requires_grad for v in state.values())
    state["head.weight"].fill_(3.0)  # shares memory with the parameter
    assert (net.head.weight.detach().numpy() == 3).all()
    assert all(v.requires_grad for k, v in net.state_dict(keep_vars=True).items() if "weight" in k)


def test_state_dict_matches_pytorchs_layout():
    torch = pytest.importorskip("torch")

    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.BatchNorm2d(2), lib.nn.ReLU(), lib.nn.Flatten(),
                                 lib.nn.Linear(8, 3), lib.nn.LSTM(3, 2))
    mine, theirs = build(torchlike).state_dict(), build(torch).state_dict()
    assert list(mine) == list(theirs)
    assert [tuple(v.shape) for v in mine.values()] == [tuple(v.shape) for v in theirs.values()]
    assert [str(v.dtype).split(".")[-1] for v in mine.values()] == [str(v.dtype).split(".")[-1]
                                                                    for v in theirs.values()]


def test_load_state_dict_copies_values():
    a, b = Net(), Net()
    a.block.norm.running_mean.fill_(5.0)
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = torchlike.randn(4, 3)
    a.eval(), b.eval()
    numpy.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    a.head.weight.detach().fill_(0.0)  # b holds copies, not the same arrays
    assert b.head.weight.detach().numpy().any()


def test_load_state_dict_errors_list_missing_unexpected_and_mismatched_keys():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    state = model.state_dict()
    del state["0.bias"]
    state["extra"] = torchlike.zeros(1)
    state["1.weight"] = torchlike.zeros(4)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    assert str(error.value) == (
        'Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "0.bias". \n\t'
        'Unexpected key(s) in state_dict: "extra". \n\tsize mismatch for 1.weight: copying a param with shape [4] '
        'from checkpoint, the shape in current model is [3].')
    state["1.weight"] = torchlike.zeros(3)
    result = model.load_state_dict(state, strict=False)  # key differences are reported, not raised
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["extra"]
    assert not model[1].weight.detach().numpy().any()


def test_load_state_dict_from_pytorch_and_back():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    mine = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = numpy.random.default_rng(0).standard_normal((5, 3)).astype(numpy.float32)
    numpy.testing.assert_allclose(mine(torchlike.tensor(x)).detach().numpy(),
                                  theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.state_dict().items()})


def test_save_and_load_a_state_dict(tmp_path):
    net = Net()
    path = tmp_path / "net.mdl"
    torchlike.save(net.state_dict(), path)
    other = Net()
    other.load_state_dict(torchlike.load(path))
    for (k, v), (_, w) in zip(net.state_dict().items(), other.state_dict().items()):
        numpy.testing.assert_array_equal(v.numpy(), w.numpy(), err_msg=k)


def test_apply_calls_fn_on_every_module():
    net = Net()

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
    assert net.apply(init_weights) is net
    assert all((m.weight.detach().numpy() == 0.5).all() for m in net.modules() if isinstance(m, nn.Linear))


def test_apply_visits_modules_in_pytorchs_order():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(m))
    expected = [net.block.fc, net.block.norm, net.block, net.layers[0], net.layers[1], net.layers, net.head, net]
    assert [id(m) for m in seen] == [id(m) for m in expected]


def test_forward_hooks():
    layer = nn.Linear(2, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    y = layer(torchlike.ones(3, 2))
    numpy.testing.assert_allclose(y.detach().numpy(), numpy.broadcast_to(layer.bias.detach().numpy() + 1, (3, 2)),
                                  rtol=1e-6)
    assert calls == [torchlike.Size([3, 2])]
    pre.remove()
    post.remove()
    x = torchlike.ones(3, 2)
    numpy.testing.assert_allclose(layer(x).detach().numpy(), (x @ layer.weight.T + layer.bias).detach().numpy())
    assert len(calls) == 1
    with layer.register_forward_hook(lambda m, args, out: calls.append(1)):
        layer(x)
    layer(x)
    assert len(calls) == 2


@since_mirrored_torch
def test_repr_like_pytorch():
    torch = pytest.importorskip("torch")

    def build(lib):
        nn_ = lib.nn
        return nn_.Sequential(nn_.Conv2d(1, 32, 3, padding=1), nn_.BatchNorm2d(32), nn_.ReLU(), nn_.MaxPool2d(2),
                              nn_.Sequential(nn_.Conv2d(32, 64, 3), nn_.ReLU()), nn_.Dropout(0.25), nn_.Flatten(),
                              nn_.ModuleList([nn_.Linear(9216, 128), nn_.Identity()]),
                              nn_.ModuleDict({"out": nn_.Linear(128, 10), "act": nn_.LogSoftmax(dim=1)}),
                              nn_.LSTM(10, 20, 2, batch_first=True), nn_.CrossEntropyLoss())
    assert repr(build(torchlike)) == repr(build(torch))
    assert repr(nn.Module()) == "Module()"


def test_parameter_basics_and_deepcopy():
    p = nn.Parameter(torchlike.ones(2))
    assert p.requires_grad and p.is_leaf and repr(p).startswith("Parameter containing:\n")
    assert not nn.Parameter(torchlike.ones(2), requires_grad=False).requires_grad
    net = Net()
    clone = copy.deepcopy(net)
    assert all(isinstance(p, nn.Parameter) for p in clone.parameters())
    clone.head.weight.detach().fill_(0)
    assert net.head.weight.detach().numpy().any()


@since_mirrored_torch
def test_a_module_list_prints_runs_of_identical_layers_once_as_pytorch_does():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3), nn.Linear(2, 3),
                            nn.Linear(2, 3)])
    assert repr(layers) == ("ModuleList(\n"
                            "  (0-1): 2 x Linear(in_features=2, out_features=2, bias=True)\n"
                            "  (2): ReLU()\n"
                            "  (3-5): 3 x Linear(in_features=2, out_features=3, bias=True)\n"
                            ")")
    try:
        import torch
    except ImportError:
        return
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16), 3, enable_nested_tensor=False)
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 3, enable_nested_tensor=False)
    assert repr(ours) == repr(theirs)


def _hooked_calls(L):
    """Forward hooks with keyword arguments and prepend, as transformer libraries register them."""
    class Scale(L.nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor
    module, calls = Scale(), []
    module.register_forward_pre_hook(lambda m, args: calls.append("plain pre") or None)
    module.register_forward_pre_hook(lambda m, args, kwargs: (calls.append(f"kwargs pre {kwargs}"),
                                                              (args, {"factor": kwargs["factor"] * 10}))[1],
                                     with_kwargs=True)
    module.register_forward_pre_hook(lambda m, args: calls.append("first pre") or None, prepend=True)
    module.register_forward_hook(lambda m, args, kwargs, out: (calls.append(f"after {kwargs}"), out + 1)[1],
                                 with_kwargs=True)
    module.register_forward_hook(lambda m, args, out: calls.append("first after") or None, prepend=True)
    out = module(L.tensor([1.0, 2.0]), factor=2.0)
    return out.tolist(), calls


def test_forward_hooks_with_kwargs_and_prepend_run_as_in_pytorch():
    out, calls = _hooked_calls(torchlike)
    assert out == [21.0, 41.0]
    assert calls == ["first pre", "plain pre", "kwargs pre {'factor': 2.0}", "first after", "after {'factor': 20.0}"]
    try:
        import torch
    except ImportError:
        return
    assert _hooked_calls(torch) == (out, calls)


def test_extra_state_is_saved_and_loaded_with_the_state_dict():
    """A module's get_extra_state() is stored under <prefix>_extra_state, and set_extra_state() gets it back;
    a state_dict without it reports the key missing."""
    class Counter(nn.Module):
        def __init__(self):
            super().__init__()
            self.seen, self.lin = 3, nn.Linear(2, 2)

        def get_extra_state(self):
            return {"seen": self.seen}

        def set_extra_state(self, state):
            self.seen = state["seen"]

    state = nn.Sequential(Counter()).state_dict()
    assert list(state) == ["0._extra_state", "0.lin.weight", "0.lin.bias"]
    fresh = nn.Sequential(Counter())
    fresh[0].seen = 0
    result = fresh.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == [] and fresh[0].seen == 3
    without = {k: v for k, v in state.items() if k != "0._extra_state"}
    assert fresh.load_state_dict(without, strict=False).missing_keys == ["0._extra_state"]
    assert "_extra_state" not in nn.Linear(2, 2).state_dict()


def test_type_converts_every_parameter_and_buffer_as_pytorch_does():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    assert model.type(torchlike.DoubleTensor) is model and model[0].weight is weight  # (optimizers hold it)
    assert weight.dtype == torchlike.float64 and isinstance(weight, nn.Parameter)
    assert model[1].num_batches_tracked.dtype == torchlike.float64  # every buffer, integer ones too, as PyTorch
    model.type(torchlike.float32)
    assert model[1].running_mean.dtype == torchlike.float32
