"""Idioms of beginner PyTorch programs, run with only the import changed: the legacy constructors, the first
lines of a notebook, in-place sampling, hooks with handles, printing, and the errors and warnings PyTorch gives."""
import sys
import warnings

import numpy as np
import pytest

import minidl.eager as torch
from minidl.eager import nn

try:
    import torch as real_torch
except ImportError:  # the comparisons with PyTorch's own output are skipped without it
    real_torch = None

needs_torch = pytest.mark.skipif(real_torch is None, reason="PyTorch is not installed")


# ------------------------------------------------------------------------------------- errors and warnings

def test_shape_errors_are_runtime_errors_as_in_pytorch_and_value_errors_as_in_tensorflow():
    with pytest.raises(RuntimeError, match=r"shape '\[4, -1\]' is invalid for input of size 6"):
        torch.ones(6).view(4, -1)
    with pytest.raises(ValueError):
        torch.ones(2, 3) @ torch.ones(2, 3)


def test_reading_grad_of_a_non_leaf_warns_as_pytorch_does():
    w = torch.ones(2, requires_grad=True)
    y = w * 2
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None
    y.retain_grad()
    y.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad.tolist() == [1.0, 1.0] and w.grad.tolist() == [2.0, 2.0]


def test_register_hook_returns_a_handle_that_removes_the_hook():
    x = torch.ones(3, requires_grad=True)
    handle = x.register_hook(lambda g: g * 2)
    (x * 3).sum().backward()
    assert x.grad.tolist() == [6.0] * 3
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0] * 3
    y = x * 2
    with y.register_hook(lambda g: g * 10):  # a handle is also a context manager
        x.grad = None
        y.sum().backward()
    assert x.grad.tolist() == [20.0] * 3


def test_a_function_may_return_none_for_arguments_left_at_their_default():
    class Linear(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b=None):
            ctx.save_for_backward(x, w)
            return x @ w.T

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return g @ w, g.T @ x, None

    x, w = torch.ones(1, 2, requires_grad=True), torch.full((3, 2), 2.0, requires_grad=True)
    Linear.apply(x, w).sum().backward()
    assert x.grad.tolist() == [[6.0, 6.0]] and w.grad.tolist() == [[1.0, 1.0]] * 3

    class TooMany(Linear):
        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return g @ w, g.T @ x, g
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        TooMany.apply(x, w).sum().backward()


# ------------------------------------------------------------------------------ legacy constructors and types

def test_the_legacy_tensor_constructor():
    assert torch.Tensor([1, 2]).dtype == torch.float32
    assert torch.Tensor(np.array([1.0, 2.0])).dtype == torch.float32  # the default dtype, whatever the data's
    assert tuple(torch.Tensor(3, 2).shape) == (3, 2) and tuple(torch.Tensor().shape) == (0,)
    assert tuple(torch.Tensor(torch.Size([2, 1])).shape) == (2, 1)
    weight = nn.Parameter(torch.Tensor(4, 3))
    nn.init.kaiming_uniform_(weight)
    assert weight.requires_grad and tuple(weight.shape) == (4, 3)
    with pytest.raises(TypeError, match="expected sizes"):
        torch.Tensor(2.5)
    # a plain tuple is data, only a Size is sizes (the tuple made an uninitialised (1, 2, 3) tensor)
    assert torch.Tensor((1, 2, 3)).tolist() == [1.0, 2.0, 3.0] and torch.LongTensor((4, 5)).tolist() == [4, 5]
    assert torch.ones(2).new((4, 5)).tolist() == [4.0, 5.0] and tuple(torch.Tensor(()).shape) == (0,)


@pytest.mark.parametrize("dtype", ["U3", "S2", object, "datetime64[s]", np.longdouble])
def test_a_dtype_no_tensor_holds_is_refused(dtype):
    """numpy's strings, bytes, objects and dates made tensors of them (``ones(2, dtype='U3')``, a str tensor)."""
    with pytest.raises(TypeError, match="invalid dtype"):
        torch.ones(2, dtype=dtype)
    with pytest.raises(TypeError, match="invalid dtype"):
        torch.zeros_like(torch.ones(2), dtype=dtype)


def test_type_to_the_tensor_class_is_the_default_float_type():
    assert torch.tensor([1, 2]).type(torch.Tensor).tolist() == [1.0, 2.0]  # (it made an object tensor)
    assert torch.tensor([1, 2]).type(torch.Tensor).dtype == torch.get_default_dtype()


def test_typed_tensor_classes_construct_check_and_convert():
    assert torch.FloatTensor([1, 2]).tolist() == [1.0, 2.0] and torch.LongTensor([1.7]).tolist() == [1]
    assert torch.ByteTensor([3]).dtype == torch.uint8 and torch.BoolTensor([1, 0]).tolist() == [True, False]
    x = torch.ones(2)
    assert isinstance(x, torch.FloatTensor) and not isinstance(x, torch.LongTensor)
    assert x.type() == "torch.FloatTensor" and torch.arange(3).type() == "torch.LongTensor"
    assert x.type(torch.LongTensor).dtype == torch.int64
    assert x.type("torch.DoubleTensor").dtype == torch.float64 and x.type(torch.int32).dtype == torch.int32
    assert repr(torch.FloatTensor) == "<class 'torch.FloatTensor'>"


# ------------------------------------------------------------------------------------ a notebook's first lines

def test_the_settings_and_constants_a_notebook_starts_with():
    assert isinstance(torch.__version__, str)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    assert torch.backends.mps.is_available() is False
    assert torch.accelerator.is_available() == torch.cuda.is_available()
    expected = torch.device("cuda") if torch.cuda.is_available() else None
    assert torch.accelerator.current_accelerator() == expected
    torch.set_num_threads(2)
    assert torch.get_num_threads() == 2
    torch.use_deterministic_algorithms(True)
    assert torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(False)
    torch.cuda.empty_cache()
    assert (torch.pi, torch.e) == (np.pi, np.e) and np.isinf(torch.inf) and np.isnan(torch.nan)
    assert torch.finfo(torch.float32).eps == np.finfo(np.float32).eps
    assert torch.iinfo(torch.int64).max == 2 ** 63 - 1
    # Python numbers, as PyTorch gives (numpy's would print as np.float16(...)); no argument: the default dtype
    half = torch.finfo(torch.float16)
    assert (type(half.eps), half.max, half.resolution, half.dtype, half.bits) == (float, 65504.0, 0.001, "float16", 16)
    assert torch.finfo().eps == np.finfo(np.float32).eps and type(torch.iinfo(torch.uint8).max) is int
    assert repr(torch.iinfo(torch.int8)) == "iinfo(min=-128, max=127, dtype=int8)"
    for facts, dtype, message in ((torch.iinfo, torch.float32, "requires an integer input type"),
                                  (torch.iinfo, torch.bool, "requires an integer input type"),
                                  (torch.finfo, torch.int32, "requires a floating point input type")):
        with pytest.raises(TypeError, match=message):   # (numpy's own ValueError was leaking)
            facts(dtype)


def test_real_and_imag_are_attributes_as_in_pytorch():
    z = torch.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    assert z.real.tolist() == [1.0, 3.0] and z.imag.tolist() == [2.0, -1.0]
    (z.real ** 2 + z.imag).sum().backward()
    assert z.grad.tolist() == [2 + 1j, 6 + 1j]
    assert torch.tensor([1.5]).real.tolist() == [1.5] and torch.real(z).tolist() == [1.0, 3.0]


def test_compile_hands_back_the_module_or_function_which_trains_as_before():
    model = torch.nn.Linear(3, 1)
    compiled = torch.compile(model, mode="reduce-overhead")
    assert compiled is model
    x = torch.ones(2, 3)
    compiled(x).sum().backward()
    assert model.weight.grad.tolist() == [[2.0, 2.0, 2.0]]

    @torch.compile
    def double(t):
        return t * 2

    @torch.compile(fullgraph=True)
    def triple(t):
        return t * 3
    assert double(x).sum().item() == 12.0 and triple(x).sum().item() == 18.0
    with pytest.raises(RuntimeError, match="expected a module or a function"):
        torch.compile(3)


def test_inference_mode_records_nothing_and_inference_mode_false_records_again():
    x = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        assert not (x * 2).requires_grad
        with torch.inference_mode(False):
            assert (x * 2).requires_grad

    @torch.inference_mode()
    def predict(v):
        return v * 2
    assert not predict(x).requires_grad


def test_factories_take_size_as_a_keyword():
    assert tuple(torch.zeros(size=(2, 3)).shape) == (2, 3) and tuple(torch.rand(size=[4]).shape) == (4,)
    assert tuple(torch.randn(size=(1, 2)).shape) == (1, 2) and tuple(torch.ones(size=(3,)).shape) == (3,)
    with pytest.raises(TypeError, match="got the size twice"):
        torch.empty(2, size=(3,))


# ------------------------------------------------------------------------------------------------ sampling

def test_in_place_samplers_fill_with_the_right_distribution():
    torch.manual_seed(0)
    x = torch.empty(20000)
    assert abs(float(x.normal_(1.0, 0.5).mean()) - 1.0) < 0.02 and abs(float(x.std()) - 0.5) < 0.02
    x.uniform_(-2, 3)
    assert float(x.min()) >= -2 and float(x.max()) < 3 and abs(float(x.mean()) - 0.5) < 0.05
    assert abs(float(x.exponential_(4.0).mean()) - 0.25) < 0.01
    assert abs(float(x.bernoulli_(0.3).mean()) - 0.3) < 0.02 and set(x.tolist()) == {0.0, 1.0}
    ints = torch.zeros(5000, dtype=torch.int64).random_(2, 5)
    assert set(ints.tolist()) == {2, 3, 4}
    assert set(torch.zeros(1000, dtype=torch.int64).random_(3).tolist()) == {0, 1, 2}


def test_samplers_are_reproducible_and_refuse_a_leaf_that_requires_grad():
    torch.manual_seed(7)
    first = torch.empty(5).normal_()
    torch.manual_seed(7)
    assert torch.empty(5).normal_().tolist() == first.tolist()
    weight = nn.Parameter(torch.ones(3))
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        weight.normal_()
    version = weight._version
    weight.data.normal_(0, 0.02)  # the DCGAN weights_init idiom
    with torch.no_grad():
        weight.uniform_(-1, 1)
    assert weight._version > version and weight.requires_grad


def test_gpu_setup_lines_import_and_set_as_in_pytorch():
    """The lines GPU-ready scripts open with: modules imported by name, switches set (and kept)."""
    import minidl.eager.backends.cudnn as cudnn
    from minidl.eager.backends import cudnn as same_cudnn
    from minidl.eager.cuda.amp import GradScaler, autocast
    assert cudnn is same_cudnn is torch.backends.cudnn and cudnn.version() is None and not cudnn.is_available()
    cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True  # nanoGPT's second line
    assert torch.backends.cudnn.benchmark and torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
    assert torch.backends.cuda.is_built() == (__import__("minidl").backend.cupy_or_none() is not None)
    with pytest.warns(FutureWarning, match="torch.cuda.amp.autocast"):
        context = autocast(enabled=False)
    with context:
        assert not torch.is_autocast_enabled()
    assert callable(GradScaler)
    assert repr(torch.cuda.FloatTensor) == "<class 'torch.cuda.FloatTensor'>"


def test_the_default_device_and_tensor_type_steer_the_factories(device):
    """``set_default_device``: factories without a device make their tensors there (not ``from_numpy``, which
    shares the array; not ``*_like``, which follow their input); ``set_default_tensor_type`` sets the float dtype
    and, for a torch.cuda type, the device (deprecated: PyTorch's warning)."""
    try:
        torch.set_default_device(device)
        assert torch.get_default_device() == torch.device(device)
        for made in (torch.tensor([1.0]), torch.zeros(2), torch.randn(2), torch.arange(3), torch.eye(2),
                     torch.empty(1), torch.nn.Linear(2, 2).weight):
            assert made.device.type == torch.device(device).type, made
        assert torch.from_numpy(np.ones(2)).device.type == "cpu"
        assert torch.FloatTensor([1.0]).device.type == "cpu"  # a CPU type, whatever the default
        assert torch.zeros_like(torch.ones(2, device="cpu")).device.type == "cpu"
        with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
            torch.set_default_tensor_type(torch.DoubleTensor)
        assert torch.get_default_dtype() == torch.float64 and torch.get_default_device().type == "cpu"
        with pytest.warns(UserWarning), pytest.raises(TypeError, match="only floating-point types"):
            torch.set_default_tensor_type("torch.LongTensor")
    finally:
        torch.set_default_device(None)
        torch.set_default_dtype(torch.float32)
    assert torch.zeros(1).device.type == "cpu" and torch.zeros(1).dtype == torch.float32


def test_bernoulli_of_a_model_output_on_every_device(device):
    """Probabilities computed by a model (they require grad) and living on any device: the draws come out there."""
    torch.manual_seed(0)
    logits = torch.tensor([-50.0, 50.0, 50.0], device=device, requires_grad=True)
    draws = torch.bernoulli(torch.sigmoid(logits))
    assert draws.device == torch.device(device) and draws.tolist() == [0.0, 1.0, 1.0]
    mask = torch.zeros(3, device=device).bernoulli_(torch.sigmoid(logits))
    assert mask.device == torch.device(device) and mask.tolist() == [0.0, 1.0, 1.0]


def test_bernoulli_and_multinomial():
    torch.manual_seed(0)
    probabilities = torch.tensor([0.0, 1.0, 0.25])
    draws = torch.stack([torch.bernoulli(probabilities) for _ in range(2000)])
    assert draws[:, 0].sum().item() == 0 and draws[:, 1].sum().item() == 2000
    assert abs(float(draws[:, 2].mean()) - 0.25) < 0.03 and draws.dtype == torch.float32
    picks = torch.multinomial(torch.tensor([1.0, 0.0, 3.0]), 2000, replacement=True)
    assert picks.dtype == torch.int64 and set(picks.tolist()) == {0, 2}
    assert abs(float((picks == 2).float().mean()) - 0.75) < 0.03
    rows = torch.multinomial(torch.tensor([[1.0, 1.0, 1.0], [0.0, 5.0, 1.0]]), 2)
    assert tuple(rows.shape) == (2, 2) and all(len(set(r)) == 2 for r in rows.tolist())
    assert torch.tensor([0.2, 0.8]).multinomial(1).shape == (1,)
    with pytest.raises(RuntimeError, match="cannot sample 2 samples without replacement: a row has only 1 categ"):
        torch.multinomial(torch.tensor([0.0, 1.0]), 2)
    from minidl.eager.utils.data import WeightedRandomSampler
    assert sorted(WeightedRandomSampler([1.0, 0.0, 2.0], 2, replacement=False)) == [0, 2]
    with pytest.raises(RuntimeError, match="only 2 weights are non-zero"):
        WeightedRandomSampler([1.0, 0.0, 2.0], 3, replacement=False)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(1, 2\)"):
        WeightedRandomSampler([[1.0, 2.0]], 2)
    with pytest.raises(RuntimeError, match="element < 0"):
        torch.multinomial(torch.tensor([-1.0, 1.0]), 1)
    with pytest.raises(RuntimeError, match=r"in \[0, 1\]"):
        torch.bernoulli(torch.tensor([1.5]))


# ---------------------------------------------------------------------------------------------- printing

REPRS = [  # (values, dtype, PyTorch's repr with "torch." as it prints it)
    ([[2104.0, 3.0], [1600.0, 1.0]], "float32",
     "tensor([[2.1040e+03, 3.0000e+00],\n        [1.6000e+03, 1.0000e+00]])"),
    ([1.0, 1500.0], "float32", "tensor([1.0000e+00, 1.5000e+03])"),
    ([2104.0, 3.0], "float32", "tensor([2104.,    3.])"),
    ([0.5, 1e-5], "float32", "tensor([5.0000e-01, 1.0000e-05])"),
    ([0.0, 0.0], "float32", "tensor([0., 0.])"),
    ([1.5, 2000.0], "float32", "tensor([1.5000e+00, 2.0000e+03])"),
    ([7012345.0, 16777216.0], "float32", "tensor([ 7012345., 16777216.])"),
    ([0.1, 0.25], "float32", "tensor([0.1000, 0.2500])"),
    ([1.0, 2.0], "float16", "tensor([1., 2.], dtype=torch.float16)"),
    ([1e-8, -3.0, 20.0], "float32", "tensor([ 1.0000e-08, -3.0000e+00,  2.0000e+01])"),   # sign padding
    ([[i / 10 - 0.8 for i in range(16)]] * 2, "float32",                               # 8 to a line
     "tensor([[-0.8000, -0.7000, -0.6000, -0.5000, -0.4000, -0.3000, -0.2000, -0.1000,\n"
     "          0.0000,  0.1000,  0.2000,  0.3000,  0.4000,  0.5000,  0.6000,  0.7000],\n"
     "        [-0.8000, -0.7000, -0.6000, -0.5000, -0.4000, -0.3000, -0.2000, -0.1000,\n"
     "          0.0000,  0.1000,  0.2000,  0.3000,  0.4000,  0.5000,  0.6000,  0.7000]])"),
    ([True], "bool", "tensor([True])"),                                                # no padding without False
    ([[True, True], [True, True]], "bool", "tensor([[True, True],\n        [True, True]])"),
    ([True, False], "bool", "tensor([ True, False])"),
    ([list(range(20))], "int64",                                                       # 18 to a line
     "tensor([[ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
     "         18, 19]])"),
]


@pytest.mark.parametrize("values, dtype, expected", REPRS, ids=[r[2][:24] for r in REPRS])
def test_tensors_print_as_pytorch_prints_them(values, dtype, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning for float16, either
        text = repr(torch.tensor(values, dtype=getattr(torch, dtype)))
    assert text == expected.replace("torch.", "minidl.")
    if real_torch is not None:
        assert repr(real_torch.tensor(values, dtype=getattr(real_torch, dtype))) == expected


def test_a_suffix_that_does_not_fit_goes_on_its_own_line():
    x = torch.linspace(-0.9, 0.9, 8).requires_grad_()
    expected = ("tensor([-0.9000, -0.6429, -0.3857, -0.1286,  0.1286,  0.3857,  0.6429,  0.9000],\n"
                "       requires_grad=True)")
    assert repr(x) == expected
    if real_torch is not None:
        assert repr(real_torch.linspace(-0.9, 0.9, 8).requires_grad_()) == expected
    assert repr(torch.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"


def test_empty_tensors_print_their_size():
    assert repr(torch.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(torch.zeros(0, dtype=torch.int64)) == "tensor([], dtype=minidl.int64)"


def test_set_printoptions():
    try:
        torch.set_printoptions(precision=2)
        assert repr(torch.tensor([1.23456, 2.5])) == "tensor([1.23, 2.50])"
        torch.set_printoptions(profile="default", sci_mode=True)
        assert repr(torch.tensor([2.0, 4.0])) == "tensor([2.0000e+00, 4.0000e+00])"
        torch.set_printoptions(sci_mode=False)
        assert repr(torch.tensor([1e-5, 1.0])) == "tensor([0.0000, 1.0000])"
        torch.set_printoptions(threshold=5, edgeitems=2)
        summarised = repr(torch.arange(10.0))  # PyTorch puts two spaces before the dots, numpy one
        assert summarised.startswith("tensor([0., 1.,") and summarised.endswith("..., 8., 9.])")
    finally:
        torch.set_printoptions(profile="default")
    assert repr(torch.tensor([1.23456])) == "tensor([1.2346])"


def test_float64_data_into_a_float32_layer_is_pytorchs_dtype_error_not_a_silent_promotion():
    layer = nn.Linear(3, 2)
    data = torch.from_numpy(np.ones((4, 3)))  # numpy's default: float64
    with pytest.raises(TypeError, match=r"expected input and weight to have the same dtype, but got: double != "
                                        r"float \(linear of float64\[4, 3\] and float32\[2, 3\]"):
        layer(data)
    assert layer(data.float()).dtype == torch.float32
    with pytest.raises(TypeError, match="same dtype"):
        nn.Conv2d(1, 2, 3)(torch.from_numpy(np.ones((1, 1, 5, 5))))


def test_view_refuses_what_would_need_a_copy_and_strides_tell_why():
    x = torch.arange(6.0).view(2, 3)
    assert x.is_contiguous() and x.stride() == (3, 1) and x.stride(0) == 3
    xt = x.t()
    assert not xt.is_contiguous() and xt.stride() == (1, 3) and xt.data_ptr() == x.data_ptr()
    with pytest.raises(RuntimeError, match=r"view size is not compatible with input tensor's size and stride.*"
                                           r"Use \.reshape\(\.\.\.\) instead"):
        xt.view(6)
    assert xt.reshape(6).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0] == xt.contiguous().view(6).tolist()
    assert x.contiguous() is x and xt.contiguous().is_contiguous()
    assert x.view(3, 2).data_ptr() == x.data_ptr() and (x.nbytes, x.itemsize) == (24, 4)


def test_numpy_argument_names_axis_and_keepdims_are_accepted_as_in_pytorch():
    x = torch.arange(6.0).reshape(2, 3)
    assert x.sum(axis=1).tolist() == [3.0, 12.0] and x.mean(axis=0, keepdims=True).shape == (1, 3)
    assert torch.max(x, axis=1).values.tolist() == [2.0, 5.0] and torch.sum(x, axis=1, keepdims=True).shape == (2, 1)
    assert torch.cat([x, x], axis=0).shape == (4, 3) and x.softmax(axis=1).shape == (2, 3)
    assert x.sum(dim=1).tolist() == x.sum(axis=1).tolist()


def test_view_to_the_same_shape_is_fine():
    x = torch.randn(4)
    assert x.view(-1).shape == (4,) and torch.randn(2, 3).view(2, 3).shape == (2, 3)
    assert torch.cat([p.detach().view(-1) for p in nn.Linear(3, 2).parameters()]).shape == (8,)


def test_more_idioms_from_copied_code():
    x = torch.ones(2)
    assert x.add_(1, alpha=2).tolist() == [3.0, 3.0] and torch.sub(torch.ones(2), 1, alpha=3).tolist() == [-2.0] * 2
    assert torch.arange(6).reshape(2, 3).flip(dims=[1]).tolist() == [[2, 1, 0], [5, 4, 3]]
    assert (x.short().dtype, x.char().dtype, x.byte().dtype) == (torch.int16, torch.int8, torch.uint8)
    assert torch.normal(mean=torch.zeros(3), std=torch.ones(3)).shape == (3,)
    assert torch.normal(torch.zeros(2, 1), 1.0).shape == (2, 1) and torch.normal(2.0, 3.0, size=(2, 2)).shape == (2, 2)
    assert torch.is_floating_point(x) and not torch.is_complex(x)
    signal = torch.randn(8)
    np.testing.assert_allclose(torch.fft.irfft(torch.fft.rfft(signal)).numpy(), signal.numpy(), atol=1e-6)
    w = torch.ones(2, requires_grad=True)
    (g,) = torch.autograd.grad((w * w).sum(), w, create_graph=True, retain_graph=True, only_inputs=True)
    assert g.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError):  # the dtype error is a RuntimeError too, as in PyTorch
        nn.Linear(3, 2)(torch.from_numpy(np.ones((2, 3))))


def test_load_accepts_the_old_map_location_function(tmp_path):
    path = tmp_path / "state.pt"
    torch.save({"w": torch.ones(2)}, path)
    assert torch.load(path, map_location=lambda storage, loc: storage)["w"].tolist() == [1.0, 1.0]


def test_the_one_hot_scatter_idiom():
    labels = torch.tensor([2, 0, 1])
    one_hot = torch.zeros(3, 4).scatter_(1, labels[:, None], 1)
    assert one_hot.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]


INDEXES = {  # the index (given a module that has ``tensor``), and what it picks of arange(12).view(3, 4)
    "range and list": (lambda lib: (range(3), [0, 1, 2]), [0.0, 5.0, 10.0]),
    "range alone": (lambda lib: range(2), [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]),
    # a short list holding a tensor, a sequence, a slice, None or Ellipsis is a tuple of items (PyTorch 2's reading)
    "list of 0-d tensors": (lambda lib: [lib.tensor(0), lib.tensor(2)], 2.0),
    "list of lists": (lambda lib: [[0, 1], [2, 0]], [2.0, 4.0]),
    "list with a slice": (lambda lib: [0, slice(1, 3)], [1.0, 2.0]),
    "list with None": (lambda lib: [None, 0], [[0.0, 1.0, 2.0, 3.0]]),
    "list with Ellipsis": (lambda lib: [0, ...], [0.0, 1.0, 2.0, 3.0]),
    "list of ints": (lambda lib: [0, 2], [[0.0, 1.0, 2.0, 3.0], [8.0, 9.0, 10.0, 11.0]]),  # an index array
}


@pytest.mark.parametrize("name", INDEXES)
def test_the_indexes_of_tutorials_read_as_pytorch_reads_them(name):
    """``input[range(n), target]`` ("What is torch.nn really?"), and the lists PyTorch reads as tuples."""
    index, expected = INDEXES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's deprecation warning for the list-as-tuple reading
        assert torch.arange(12.0).view(3, 4)[index(torch)].tolist() == expected
        if real_torch is not None:
            assert real_torch.arange(12.0).view(3, 4)[index(real_torch)].tolist() == expected
    if name.startswith("list") and name != "list of ints":
        with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional indexing"):
            torch.arange(12.0).view(3, 4)[index(torch)]
    y = torch.zeros(3, 4)
    y[range(3), [0, 1, 2]] = 1.0
    assert y.tolist() == np.eye(3, 4).tolist()


def test_scalar_of_a_tensor_that_requires_grad_warns_once_as_pytorch_does(monkeypatch):
    tensor_module = sys.modules["minidl.eager.tensor"]  # (minidl.eager.tensor is the factory function)
    monkeypatch.setitem(tensor_module._warned, "scalar of a tensor that requires grad", False)
    t = torch.tensor([5.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True to a scalar"):
        assert float(t) == 5.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert int(t) == 5 and float(torch.tensor([2.0])) == 2.0  # once only; and never without requires_grad


def test_variance_with_no_degrees_of_freedom_warns_in_pytorchs_words_not_numpys():
    with pytest.warns(UserWarning, match=r"std\(\): degrees of freedom is <= 0") as caught:
        value = torch.tensor([5.0], requires_grad=True).std()
    assert np.isnan(value.item()) and not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert torch.ones(3, 2).var(1).tolist() == [0.0, 0.0, 0.0]


def test_the_version_module_of_an_environment_check():
    assert torch.version.__version__ == torch.__version__ and torch.version.hip is None
    assert torch.version.cuda is None or torch.version.cuda.count(".") == 1


def test_out_argument_as_the_first_tutorial_uses_it():
    """torch.matmul(a, b, out=y) writes into y and returns it; PyTorch's rules for dtype, shape and grad."""
    a, b = torch.ones(2, 3), torch.ones(3, 2)
    y = torch.empty(2, 2)
    assert torch.matmul(a, b, out=y) is y and y.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    grown = torch.empty(0)
    torch.mul(a, 2.0, out=grown)  # an empty out is resized silently
    assert grown.shape == (2, 3) and grown.tolist() == [[2.0] * 3] * 2
    with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
        torch.add(a, a, out=torch.zeros(5))
    doubled = torch.zeros(2, dtype=torch.float64)
    torch.add(torch.ones(2), 1, out=doubled)  # float32 into float64: fine
    assert doubled.dtype == torch.float64 and doubled.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to the desired output type int64"):
        torch.add(torch.ones(2), 0.5, out=torch.zeros(2, dtype=torch.long))
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        torch.mul(torch.ones(2, requires_grad=True), 2, out=torch.empty(2))
    values, indices = torch.empty(0), torch.empty(0, dtype=torch.long)
    result = torch.max(torch.tensor([[1.0, 3.0], [2.0, 0.0]]), 1, out=(values, indices))
    assert result.values is values and values.tolist() == [3.0, 2.0] and indices.tolist() == [1, 0]


def test_resize_keeps_the_first_entries_in_memory_order():
    x = torch.arange(6.0)
    assert x.resize_(2, 2) is x and x.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert x.resize_((3, 2)).tolist()[:2] == [[0.0, 1.0], [2.0, 3.0]]
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        torch.ones(2, requires_grad=True).resize_(3)
    with pytest.raises(RuntimeError, match="a view of another's memory"):
        torch.ones(4)[:2].resize_(3)


def test_creation_corner_cases_as_pytorch_has_them():
    assert torch.full((2,), torch.tensor(2.0)).tolist() == [2.0, 2.0]  # a 0-d tensor as the fill value
    steps = torch.linspace(0, 1j, 3)  # complex ends: complex steps, not a silently dropped imaginary part
    assert steps.dtype == torch.complex64 and steps.tolist() == [0j, 0.5j, 1j]
    assert torch.scalar_tensor(3).dtype == torch.float32 and torch.scalar_tensor(2, dtype=torch.int64).item() == 2
    values = np.arange(3.0)
    shared = torch.asarray(values)
    values[0] = 9.0
    assert shared.tolist() == [9.0, 1.0, 2.0] and torch.asarray(values, copy=True).data_ptr() != shared.data_ptr()
    with pytest.raises(ValueError, match="copy=False, but the data cannot be used without a copy"):
        torch.asarray([1, 2], copy=False)
    read_only = np.arange(3.0)
    read_only.setflags(write=False)
    with pytest.raises(RuntimeError, match="memory is read-only: it shares it with a numpy array"):
        torch.from_numpy(read_only).add_(1)
    with pytest.raises(RuntimeError, match="more than one element of this tensor refers to the same memory"):
        torch.ones(3).expand(2, 3).add_(1)


def test_matrix_power_zero_is_the_identity_still_connected_to_its_input():
    a = torch.ones(2, 2, requires_grad=True)
    identity = torch.linalg.matrix_power(a, 0)
    assert identity.tolist() == [[1.0, 0.0], [0.0, 1.0]] and identity.requires_grad
    assert torch.autograd.grad(identity.sum(), a)[0].tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_iterable_datasets_chain_with_plus():
    class Stream(torch.utils.data.IterableDataset):
        def __init__(self, items):
            self.items = items

        def __iter__(self):
            return iter(self.items)

    assert list(Stream([1, 2]) + Stream([3])) == [1, 2, 3]


def test_integer_division_toward_zero_is_exact():
    """div(rounding_mode='trunc') of integers stays in integers: large values are not rounded through floats."""
    got = torch.div(torch.tensor([16777217, -7, 7, -7, -6]), torch.tensor([1, 2, -2, -2, 3]), rounding_mode="trunc")
    assert got.tolist() == [16777217, -3, -3, 3, -2] and got.dtype == torch.int64
    assert torch.div(-7, torch.tensor([2, -2]), rounding_mode="trunc").tolist() == [-3, 3]
    assert torch.div(torch.tensor([-7.0, 7.5]), 2, rounding_mode="trunc").tolist() == [-3.0, 3.0]


def test_numpy_functions_on_tensors_and_numpy_operands_beside_them():
    t = torch.tensor([0.0, 1.0, 4.0])
    for result, expected in ((np.exp(t), np.exp([0.0, 1.0, 4.0])), (np.sqrt(t), [0.0, 1.0, 2.0]),
                             (np.maximum(t, 0.5), [0.5, 1.0, 4.0])):
        assert isinstance(result, torch.Tensor) and result.dtype == torch.float32
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        np.exp(w)  # as in PyTorch: numpy cannot record the operation for backward
    # numpy's operators defer to the tensor's, which record them: the gradient reaches w
    loss = (np.array([3.0, 4.0], np.float32) * w + np.float32(2) * w).sum()
    loss.backward()
    assert w.grad.tolist() == [5.0, 6.0]


def test_small_names_of_older_programs():
    x, i = torch.ones(2, dtype=torch.float64), torch.tensor([1, 2])
    assert x.new(2, 3).shape == (2, 3) and x.new(2, 3).dtype == torch.float64
    assert x.new([1, 2]).tolist() == [1.0, 2.0] and i.new([1.5]).dtype == torch.int64
    assert torch.row_stack([x, x]).shape == (2, 2) and torch.is_same_size(x, x) and not torch.is_same_size(x, i[:1])
    names = torch.typename(x), torch.typename(i), torch.typename(3)
    assert names == ("torch.DoubleTensor", "torch.LongTensor", "int")
    assert x[:, torch.newaxis].shape == (2, 1)
    assert torch.nn.Sequential(torch.nn.BatchNorm1d(3)).get_buffer("0.running_var").tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(AttributeError, match="has no buffer `nope`"):
        torch.nn.Linear(2, 2).get_buffer("nope")


def test_poisson_draws_counts_with_the_given_rates():
    generator = torch.Generator().manual_seed(0)
    counts = torch.poisson(torch.tensor([0.5, 4.0, 20.0]).repeat(4000, 1), generator=generator)
    assert counts.dtype == torch.float32 and not counts.requires_grad
    assert (counts == counts.round()).all() and (counts >= 0).all()
    np.testing.assert_allclose(counts.mean(0).numpy(), [0.5, 4.0, 20.0], rtol=0.05)
    np.testing.assert_allclose(counts.var(0).numpy(), [0.5, 4.0, 20.0], rtol=0.1)  # a Poisson's variance is its mean
    with pytest.raises(RuntimeError, match="expected rate to be non-negative"):
        torch.poisson(torch.tensor([-1.0]))


def test_utils_benchmark_times_a_statement_as_pytorch_recipes_do(device):
    from minidl.eager.utils import benchmark
    x = torch.ones(32, 32, device=device)
    timer = benchmark.Timer(stmt="x @ x", setup="y = 2", globals={"x": x}, label="matmul")
    once = timer.timeit(50)
    assert once.number_per_run == 50 and len(once.times) == 1 and once.median == once.mean > 0
    assert "matmul" in repr(once) and "1 measurement, 50 runs" in repr(once)
    blocks = []
    measured = timer.blocked_autorange(callback=lambda number, seconds: blocks.append((number, seconds)),
                                       min_run_time=0.02)
    assert sum(measured.raw_times) >= 0.02 and len(blocks) == len(measured.times) >= 1
    assert all(number * t == pytest.approx(seconds) for (number, seconds), t in zip(blocks, measured.times))
    adaptive = timer.adaptive_autorange(threshold=10.0, min_run_time=0.01, max_run_time=1.0)
    assert 3 <= len(adaptive.times) and adaptive.iqr >= 0
    with pytest.raises(NameError):
        benchmark.Timer(stmt="z + 1").timeit(1)


# --------------------------------------------------------------------------- names from newer and older PyTorch

def test_names_of_newer_pytorch_programs_and_the_warning_of_older_ones():
    """``torch.GradScaler``, ``torch.OutOfMemoryError``, ``@torch.compiler.disable``; a Generator's device is a
    device, as PyTorch's; ``Variable(x, volatile=True)`` runs with PyTorch's warning (no_grad replaced it)."""
    assert torch.GradScaler is torch.amp.GradScaler
    assert issubclass(torch.OutOfMemoryError, Exception) and torch.OutOfMemoryError is torch.cuda.OutOfMemoryError

    @torch.compiler.disable
    def plain(x):
        return x + 1

    @torch.compiler.disable(recursive=False)
    def other(x):
        return x * 2
    assert plain(1) == 2 and other(2) == 4 and torch.compiler.is_compiling() is False
    import minidl.eager.compiler  # noqa: F401  (``import torch.compiler`` works too)
    generator = torch.Generator()
    assert isinstance(generator.device, torch.device) and repr(generator.device) == "device(type='cpu')"
    assert generator.device == "cpu"
    from minidl.eager.autograd import Variable
    with pytest.warns(UserWarning, match="volatile was removed and now has no effect"):
        v = Variable(torch.ones(2), volatile=True)
    assert v.tolist() == [1.0, 1.0] and not v.requires_grad


def test_legacy_reduction_name_and_dropout_of_integers_where_it_changes_nothing():
    """'elementwise_mean' is PyTorch's deprecated name of 'mean' (a warning, then the mean); dropout in evaluation
    or with p=0 hands an integer tensor back (p=1 gives zeros), and refuses it only where it would scale it."""
    with pytest.warns(UserWarning, match="elementwise_mean' is deprecated"):
        loss = nn.functional.mse_loss(torch.tensor([1.0, 3.0]), torch.zeros(2), reduction="elementwise_mean")
    assert loss.item() == 5.0
    ids = torch.arange(4)
    assert nn.functional.dropout(ids, 0.5, training=False) is ids and nn.Dropout(0.5).eval()(ids) is ids
    assert nn.functional.dropout(ids, 0.0) is ids and nn.functional.dropout(ids, 1.0).tolist() == [0, 0, 0, 0]
    with pytest.raises(RuntimeError, match="dropout: expected a floating point input, got int64"):
        nn.functional.dropout(ids, 0.5)
    q, kv = torch.randn(1, 4, 3, 8), torch.randn(1, 2, 3, 8)
    with pytest.raises(RuntimeError, match=r"batch and head dims .* query float32\[1, 4, 3, 8\], key float32\[1, 2, "
                                           r"3, 8\].*enable_gqa=True"):
        nn.functional.scaled_dot_product_attention(q, kv, kv)
    assert nn.functional.scaled_dot_product_attention(q, kv, kv, enable_gqa=True).shape == (1, 4, 3, 8)


def test_import_paths_that_code_copied_from_pytorch_projects_uses():
    """Hand-written optimizers (RAdam, Lookahead from blog posts) start with ``from torch.optim.optimizer import
    Optimizer, required``; layer code annotates with ``torch.nn.common_types``; custom collate functions import
    ``torch.utils.data._utils.collate``. Each path raised an ImportError."""
    import importlib
    for path in ("optim.sgd", "optim.adam", "optim.adamw", "optim.rmsprop", "nn.common_types", "types",
                 "nn.modules.lazy", "utils.data._utils.collate"):
        importlib.import_module(f"minidl.eager.{path}")
    from minidl.eager.optim.adamw import AdamW
    from minidl.eager.optim.optimizer import Optimizer, required
    from minidl.eager.utils.data._utils.collate import default_collate
    assert AdamW is torch.optim.AdamW and default_collate([1, 2]).tolist() == [1, 2]
    assert torch.jit.Final is not None and repr(required) == "<required parameter>"

    class PlainSGD(Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, dict(lr=lr))

    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        PlainSGD([torch.ones(2, requires_grad=True)])
    assert PlainSGD([torch.ones(2, requires_grad=True)], lr=0.1).param_groups[0]["lr"] == 0.1
    with pytest.raises(TypeError, match="param_group must be a dict, but got list"):
        torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1).add_param_group([torch.ones(1)])


@pytest.mark.parametrize("index, name", [
    ((0,), "SelectBackward0"), ((slice(None), 0), "SelectBackward0"), ((0, slice(None)), "SelectBackward0"),
    ((slice(0, 2),), "SliceBackward0"), ((0, slice(1, None)), "SliceBackward0"), ((None,), "UnsqueezeBackward0"),
    ((0, None), "UnsqueezeBackward0"), (([0, 1],), "IndexBackward0")])
def test_indexing_nodes_are_named_as_pytorch_names_them(index, name):
    """PyTorch applies an index's entries one by one and names the node after the last: print(x[0]) shows
    grad_fn=<SelectBackward0> (it was SliceBackward0 for every basic index)."""
    x = torch.ones(3, 4, requires_grad=True)
    y = x[index]
    assert y.grad_fn.name() == name and f"grad_fn=<{name}>" in repr(y)
    y.sum().backward()
    assert x.grad.sum().item() == y.numel()
