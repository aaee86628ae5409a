"""PyTorch behaviours a sweep of tutorial-style programs found missing or different (session 17)."""
import warnings

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.autograd import gradcheck

RNG = np.random.default_rng(17)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "AdamW"])
def test_an_optimizer_steps_a_zero_dim_complex_parameter(name):
    def step(lib):
        w = lib.zeros((), dtype=lib.cfloat, requires_grad=True)
        optimizer = getattr(lib.optim, name)([w], lr=0.1)
        (w - (1 + 2j)).abs().pow(2).backward()
        optimizer.step()
        return complex(w.detach().numpy())
    ours = step(T)
    assert ours != 0  # it moved
    if name == "SGD":
        assert ours == pytest.approx(0.2 + 0.4j)  # w - lr * 2 (w - target)
    torch = pytest.importorskip("torch")
    assert ours == pytest.approx(step(torch), abs=1e-6)


def test_nn_buffer_assigned_to_a_module_is_registered_as_a_buffer():
    class Model(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = T.nn.Linear(2, 2)
            self.mean = T.nn.Buffer(T.zeros(2))
            self.scratch = T.nn.Buffer(T.ones(3), persistent=False)

    model = Model()
    assert [name for name, _ in model.named_buffers()] == ["mean", "scratch"]
    assert list(model.state_dict()) == ["mean", "linear.weight", "linear.bias"]  # own state, then children's
    assert [name for name, _ in model.named_parameters()] == ["linear.weight", "linear.bias"]
    assert isinstance(model.mean, T.nn.Buffer) and not model.mean.requires_grad
    assert (model.mean + 1).tolist() == [1.0, 1.0]
    model.double()
    assert model.mean.dtype == T.float64 and "mean" in dict(model.named_buffers())


def test_range_includes_its_end_and_warns_as_deprecated():
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        values = T.range(1, 4)
    assert values.tolist() == [1.0, 2.0, 3.0, 4.0] and values.dtype == T.float32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert T.range(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
        assert T.range(3, 1, -1).tolist() == [3.0, 2.0, 1.0]
        assert T.range(0, 1, 0.3, dtype=T.float64).tolist() == pytest.approx([0.0, 0.3, 0.6, 0.9])
        assert T.range(2, 2).tolist() == [2.0]
        with pytest.raises(RuntimeError, match="inconsistent with step sign"):
            T.range(5, 4.5, 1)


def test_small_names_diagflat_split_with_sizes_cumsum_in_place_histogram_and_conjugation_marks():
    assert T.diagflat(T.tensor([[1, 2], [3, 4]]), 1).tolist() == np.diagflat([[1, 2], [3, 4]], 1).tolist()
    x = T.arange(6.0)
    assert [p.tolist() for p in x.split_with_sizes([2, 4])] == [[0.0, 1.0], [2.0, 3.0, 4.0, 5.0]]
    assert [p.tolist() for p in T.split_with_sizes(x, [5, 1])] == [[0.0, 1.0, 2.0, 3.0, 4.0], [5.0]]
    assert x.resolve_conj() is x and not x.is_conj() and not T.is_conj(T.tensor([1j]))
    y = T.tensor([1.0, 2.0, 3.0], requires_grad=True).clone()
    y.cumsum_(0)
    assert y.tolist() == [1.0, 3.0, 6.0] and y.grad_fn.name() == "CumsumBackward0"
    hist, edges = x.histogram(3)
    assert hist.tolist() == [2.0, 2.0, 2.0] and edges.tolist() == pytest.approx([0, 5 / 3, 10 / 3, 5])


def test_distributed_sampler_gives_each_replica_its_share():
    data = list(range(10))
    shares = [list(T.utils.data.DistributedSampler(data, num_replicas=3, rank=r, shuffle=False))
              for r in range(3)]
    assert shares == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]  # padded with the first indices
    dropped = [list(T.utils.data.distributed.DistributedSampler(data, 3, r, shuffle=False, drop_last=True))
               for r in range(3)]
    assert dropped == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
    replicas = [T.utils.data.DistributedSampler(data, num_replicas=2, rank=r, seed=5) for r in range(2)]
    first = [list(s) for s in replicas]
    assert sorted(first[0] + first[1]) == data and len(replicas[0]) == 5  # one shuffled order, split in two
    for s in replicas:
        s.set_epoch(1)
    assert [list(s) for s in replicas] != first
    loader = T.utils.data.DataLoader(T.utils.data.TensorDataset(T.arange(10.0)), batch_size=2,
                                     sampler=T.utils.data.DistributedSampler(data, 2, 1, shuffle=False))
    assert [b.tolist() for (b,) in loader] == [[1.0, 3.0], [5.0, 7.0], [9.0]]
    with pytest.raises(ValueError, match="Invalid rank 2"):
        T.utils.data.DistributedSampler(data, num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="Default process group has not been initialized"):  # as PyTorch
        T.utils.data.DistributedSampler(data)


@pytest.mark.parametrize("kwargs", [{}, {"spacing": 0.5, "edge_order": 2}, {"dim": (0, 2), "spacing": [2.0, 3.0]},
                                    {"dim": 1, "coordinates": True, "edge_order": 2}, {"dim": -1, "edge_order": 1}])
def test_gradient_estimates_derivatives_from_samples_as_numpy_and_pytorch_do(kwargs):
    x = RNG.standard_normal((4, 5, 6))
    kwargs = dict(kwargs)
    coordinates = np.cumsum(RNG.uniform(0.2, 1.0, 5))
    numpy_spacing = ()
    if kwargs.pop("coordinates", False):
        kwargs["spacing"] = (T.tensor(coordinates),)
        numpy_spacing = (coordinates,)
    elif isinstance(kwargs.get("spacing"), list):
        numpy_spacing = tuple(kwargs["spacing"])
    elif "spacing" in kwargs:
        numpy_spacing = (kwargs["spacing"],)
    ours = T.gradient(T.tensor(x), **kwargs)
    axis = kwargs.get("dim")
    expected = np.gradient(x, *numpy_spacing, axis=axis, edge_order=kwargs.get("edge_order", 1))
    expected = [expected] if isinstance(expected, np.ndarray) else expected
    assert len(ours) == len(expected)
    for a, b in zip(ours, expected):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-12, atol=1e-12)
    torch = pytest.importorskip("torch")
    torch_kwargs = {k: tuple(torch.tensor(s.numpy()) for s in v) if k == "spacing" and isinstance(v, tuple) else v
                    for k, v in kwargs.items()}
    for a, b in zip(ours, torch.gradient(torch.tensor(x), **torch_kwargs)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)


def test_gradient_is_differentiable_and_checks_its_arguments():
    x = T.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda t: T.gradient(t, spacing=0.7, edge_order=2), (x,))
    assert T.gradient(T.tensor([1, 2, 4, 7]))[0].dtype == T.float32  # integers give floating point slopes
    with pytest.raises(RuntimeError, match="at least edge_order\\+1"):
        T.gradient(T.tensor([1.0, 2.0]), edge_order=2)
    with pytest.raises(RuntimeError, match="same length"):
        T.gradient(T.ones(3, 3), spacing=[1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="edge_order"):
        T.gradient(T.ones(3), edge_order=3)


def test_fusing_batch_norm_into_the_layer_before_it_gives_the_same_outputs():
    T.manual_seed(0)
    conv, bn = T.nn.Conv2d(3, 4, 3), T.nn.BatchNorm2d(4)
    with T.no_grad():
        bn.running_mean.copy_(T.tensor([0.1, -0.2, 0.3, 0.0]))
        bn.running_var.copy_(T.tensor([1.5, 0.5, 2.0, 1.0]))
        bn.weight.copy_(T.tensor([1.0, 2.0, 0.5, 1.0]))
        bn.bias.copy_(T.tensor([0.0, 0.1, 0.2, 0.3]))
    with pytest.raises(AssertionError, match="only for eval"):
        T.nn.utils.fuse_conv_bn_eval(conv, bn)
    with pytest.raises(AssertionError, match="running_mean and running_var must not be None"):
        T.nn.utils.fuse_conv_bn_eval(conv.eval(), T.nn.BatchNorm2d(4, track_running_stats=False).eval())
    conv.eval(), bn.eval()
    x = T.randn(2, 3, 6, 6)
    fused = T.nn.utils.fuse_conv_bn_eval(conv, bn)
    np.testing.assert_allclose(fused(x).detach().numpy(), bn(conv(x)).detach().numpy(), atol=2e-6)
    assert fused is not conv and isinstance(fused.weight, T.nn.Parameter)
    up, bn_up = T.nn.ConvTranspose2d(3, 4, 2).eval(), T.nn.BatchNorm2d(4).eval()
    with T.no_grad():
        bn_up.running_var.fill_(4.0)
    np.testing.assert_allclose(T.nn.utils.fuse_conv_bn_eval(up, bn_up, transpose=True)(x).detach().numpy(),
                               bn_up(up(x)).detach().numpy(), atol=2e-6)
    linear, bn1 = T.nn.Linear(5, 4).eval(), T.nn.BatchNorm1d(4).eval()
    with T.no_grad():
        bn1.running_mean.fill_(0.5)
    v = T.randn(3, 5)
    np.testing.assert_allclose(T.nn.utils.fuse_linear_bn_eval(linear, bn1)(v).detach().numpy(),
                               bn1(linear(v)).detach().numpy(), atol=2e-6)


def test_skip_init_and_linearize():
    layer = T.nn.utils.skip_init(T.nn.Linear, 3, 2)
    assert tuple(layer.weight.shape) == (2, 3)
    x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64)
    output, jvp_fn = T.func.linearize(lambda t: T.sin(t) * t, x)
    tangent = T.tensor([1.0, 0.0, -2.0], dtype=T.float64)
    expected = (np.cos(x.numpy()) * x.numpy() + np.sin(x.numpy())) * tangent.numpy()  # (x sin x)' = sin x + x cos x
    np.testing.assert_allclose(jvp_fn(tangent).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(output.numpy(), np.sin(x.numpy()) * x.numpy())


def test_gradient_on_every_device_and_its_corner_cases(device):
    x = RNG.standard_normal((3, 5))
    coordinates = np.cumsum(RNG.uniform(0.5, 1.0, 5))
    ours = T.gradient(T.tensor(x, device=device), spacing=(T.tensor(coordinates, device=device),), dim=1,
                      edge_order=2)[0]
    np.testing.assert_allclose(ours.cpu().numpy(), np.gradient(x, coordinates, axis=1, edge_order=2), rtol=1e-12)
    assert T.gradient(T.tensor([1.0, 2.0, 4.0]), spacing=0.0)[0].tolist() == [np.inf] * 3  # as PyTorch
    assert T.gradient(T.tensor([1.0, 2.0, 4.0]), spacing=T.tensor(2.0))[0].tolist() == [0.5, 0.75, 1.0]
    wide = T.gradient(T.tensor([1.0, 2.0, 4.0]), spacing=(T.tensor([0.0, 1.0, 2.0], dtype=T.float64),))[0]
    assert wide.dtype == T.float64
    with pytest.raises(RuntimeError, match="appears multiple times"):
        T.gradient(T.ones(3, 3), dim=(0, 0))


def test_a_batch_norm_state_dict_without_its_batch_count_loads_as_in_pytorch():
    old = {k: v for k, v in T.nn.BatchNorm1d(3).state_dict().items() if k != "num_batches_tracked"}
    layer = T.nn.BatchNorm1d(3)
    assert not layer.load_state_dict(old).missing_keys and int(layer.num_batches_tracked) == 0
    from minidl.eager.nn.modules.utils import _pair, consume_prefix_in_state_dict_if_present
    assert _pair(3) == (3, 3) and _pair((1, 2)) == (1, 2)
    saved = T.nn.DataParallel(T.nn.Linear(2, 2)).state_dict()
    consume_prefix_in_state_dict_if_present(saved, "module.")
    assert list(saved) == ["weight", "bias"] and not T.nn.Linear(2, 2).load_state_dict(saved).missing_keys


def test_cpu_amp_custom_fwd_and_bwd_and_norm_layers_on_float16_inputs():
    with pytest.warns(FutureWarning, match="torch.cpu.amp.autocast"):
        context = T.cpu.amp.autocast(dtype=T.float16)
    with context:
        assert T.is_autocast_enabled("cpu") and T.nn.Linear(2, 2)(T.ones(1, 2)).dtype == T.float16
    assert T.cpu.is_available() and T.cpu.device_count() == 1

    class Doubled(T.autograd.Function):
        @staticmethod
        @T.amp.custom_fwd(device_type="cpu", cast_inputs=T.float32)
        def forward(ctx, x):
            assert not T.is_autocast_enabled("cpu")  # the forward handles its own precision
            return x * 2

        @staticmethod
        @T.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            return g * 2

    x = T.ones(2, dtype=T.float16, requires_grad=True)
    with T.autocast("cpu", dtype=T.float16):
        y = Doubled.apply(x)
    assert y.dtype == T.float32  # its input was cast to float32
    y.sum().backward()
    assert x.grad.dtype == T.float16 and x.grad.tolist() == [2.0, 2.0]
    # a float16 input of float32 norm layers comes back float16, as PyTorch's mixed-dtype CPU kernels give it
    half = T.randn(2, 4, 3, 3).half()
    for layer in (T.nn.LayerNorm(3), T.nn.GroupNorm(2, 4), T.nn.BatchNorm2d(4), T.nn.BatchNorm2d(4).eval()):
        out = layer(half)
        assert out.dtype == T.float16
        np.testing.assert_allclose(out.float().detach().numpy(), layer.float()(half.float()).detach().numpy(),
                                   atol=5e-3)


def test_packed_sequences_convert_and_gamma_refuses_a_negative_shape_by_name():
    packed = T.nn.utils.rnn.pack_sequence([T.ones(3, 2), T.ones(2, 2)])
    assert packed.double().data.dtype == T.float64 and packed.cpu().data.dtype == T.float32
    assert packed.half().data.dtype == T.float16 and not packed.is_cuda
    with pytest.raises(ValueError, match="concentration must be positive"):
        T.distributions.Gamma(T.tensor([-1.0]), T.tensor([1.0]), validate_args=False).rsample()
