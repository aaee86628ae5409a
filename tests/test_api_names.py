"""PyTorch's spellings that programs use besides the usual ones: keyword forms (``torch.add(x, other=y)``,
``x.view(size=...)``), longer names (``torch.greater``), in-place spellings (``x.eq_(y)``, ``torch.exp_(x)``,
``F.relu_(x)``), and the layout / memory-format / device arguments that factories and conversions take.

Each check runs on minidl and, where it is installed, on PyTorch with the same code, and the results must agree;
without PyTorch the values are checked against numpy."""
import pickle

import numpy as np
import pytest

import minidl.eager as torchlike
import minidl.eager.nn.functional as F
from minidl.eager.aliases import IN_PLACE_METHODS

try:
    import torch as real_torch
except ImportError:  # the comparisons with PyTorch are skipped without it
    real_torch = None

needs_torch = pytest.mark.skipif(real_torch is None, reason="PyTorch is not installed")
LIBRARIES = [torchlike] + ([real_torch] if real_torch is not None else [])

X = [[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]]
Y = [[2.0, 2.0, -2.5], [0.5, -3.0, 1.5]]
I, J = [[6, -3, 5], [1, 12, 7]], [[3, 2, 1], [1, 4, 2]]


def _flat(value):
    """A tensor (of either library), or a nested tuple/list of them, as a flat list of numpy arrays."""
    if isinstance(value, (tuple, list)):
        return [array for v in value for array in _flat(v)]
    return [value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)]


def _agree(fn):
    """``fn(library)`` on every library; the results agree (values and dtypes), and minidl's (flattened to a list
    of arrays) is returned. The small absolute tolerance admits round-off in results that should be zero (an
    inverse FFT's ``-2e-17`` against ``-3e-17``), which depends on the FFT library's build."""
    results = [_flat(fn(lib)) for lib in LIBRARIES]
    for theirs in results[1:]:
        assert len(theirs) == len(results[0])
        for ours, other in zip(results[0], theirs):
            assert ours.dtype == other.dtype and ours.shape == other.shape, (ours, other)
            np.testing.assert_allclose(ours, other, rtol=1e-6, atol=1e-12)
    return results[0]


# ------------------------------------------------------------------------ input= / other= / exponent= keywords

BINARY = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide", "remainder",
          "fmod", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
          "less_equal", "not_equal", "logical_and", "logical_or", "logical_xor", "atan2", "hypot"]
BITWISE = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift"]
NO_NUMBER = {"maximum", "minimum", "logical_and", "logical_or", "logical_xor", "atan2", "hypot"}  # tensors only


@pytest.mark.parametrize("name", BINARY + BITWISE)
def test_binary_functions_take_input_and_other_by_keyword(name):
    a, b = (I, J) if name in BITWISE else (X, Y)

    def forms(lib):
        x, y = lib.tensor(a), lib.tensor(b)
        f = getattr(lib, name)
        number = [] if name in NO_NUMBER else [f(x, other=2)]
        return [f(x, y), f(input=x, other=y), f(x, other=y), getattr(x, name)(other=y), *number]
    ours = _agree(forms)
    for form in ours[1:4]:
        np.testing.assert_array_equal(form, ours[0])


def test_alpha_and_rounding_mode_are_keyword_only_as_in_pytorch():
    for lib in LIBRARIES:
        x, y = lib.tensor(X), lib.tensor(Y)
        with pytest.raises(TypeError):
            lib.add(x, y, 2)
        with pytest.raises(TypeError):
            lib.div(x, y, "floor")
    np.testing.assert_allclose(_agree(lambda lib: lib.sub(input=lib.tensor(X), other=lib.tensor(Y), alpha=2))[0],
                               np.subtract(X, 2 * np.array(Y), dtype=np.float32))
    _agree(lambda lib: lib.tensor(X).div(other=lib.tensor(Y), rounding_mode="floor"))


def test_pow_takes_exponent_by_keyword():
    ours = _agree(lambda lib: [lib.pow(input=lib.tensor(X), exponent=2), lib.tensor(X).pow(exponent=3),
                               lib.pow(2, exponent=lib.tensor(X)), lib.pow(lib.tensor(X), exponent=lib.tensor(J))])
    np.testing.assert_allclose(ours[0], np.square(np.float32(X)))


def test_unary_and_selection_functions_take_input_by_keyword():
    def forms(lib):
        x, y = lib.tensor(X), lib.tensor(Y)
        return [lib.neg(input=x), lib.negative(input=x), lib.logical_not(input=x), lib.bitwise_not(input=lib.tensor(I)),
                lib.where(x > 1, input=x, other=y), lib.clamp(input=x, min=0), lib.clamp_min(input=x, min=0.5),
                lib.clamp_max(input=x, max=0.5), lib.masked_fill(input=x, mask=x > 1, value=0.0),
                lib.exp(input=x), lib.tanh(input=x), lib.sqrt(input=x.abs()), lib.sigmoid(input=x),
                lib.relu(input=x), lib.softmax(input=x, dim=1), lib.sum(input=x, dim=1), lib.mean(input=x),
                lib.std(input=x, dim=0), lib.logsumexp(input=x, dim=1), lib.cumsum(input=x, dim=0)]
    _agree(forms)


def test_methods_that_live_elsewhere_in_the_library():
    def forms(lib):
        x, signal = lib.tensor(X), lib.sin(lib.arange(48.0, dtype=lib.float64) * 0.3)
        window = lib.hann_window(16, dtype=lib.float64)
        spectrum = signal.stft(16, hop_length=4, window=window, return_complex=True)
        return [x.hardshrink(), x.hardshrink(lambd=1.6), spectrum.abs(),
                spectrum.istft(16, hop_length=4, window=window, length=48)]
    ours = _agree(forms)
    np.testing.assert_allclose(ours[-1], np.sin(np.arange(48.0) * 0.3), atol=1e-12)  # istft undoes stft


@pytest.mark.parametrize("call", [
    lambda lib, x, y: lib.add(input=x, other=y, alpha=3),
    lambda lib, x, y: x.sub(other=y),
    lambda lib, x, y: lib.mul(x, other=y),
    lambda lib, x, y: x.div(other=y),
    lambda lib, x, y: lib.pow(input=x.abs(), exponent=y),
    lambda lib, x, y: x.maximum(other=y),
    lambda lib, x, y: lib.atan2(input=x, other=y),
    lambda lib, x, y: lib.where(x > y, input=x, other=y),
    lambda lib, x, y: lib.clamp(input=x, min=y),
])
def test_gradients_flow_through_the_keyword_forms(call):
    def gradients(lib):
        x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
        y = lib.tensor(Y, dtype=lib.float64, requires_grad=True)
        (call(lib, x, y) * lib.tensor(Y, dtype=lib.float64)).sum().backward()
        return [x.grad, y.grad]
    ours = _agree(gradients)
    assert np.abs(ours[0]).sum() > 0


def test_an_in_place_update_records_an_operand_given_by_keyword():
    """``a.add_(other=w)`` with ``w`` requiring grad must be recorded, not computed straight into ``a``'s memory."""
    def gradient(lib):
        w = lib.tensor(Y, requires_grad=True)
        a = lib.tensor(X) * 1
        a.add_(other=w, alpha=2).mul_(other=w).sum().backward()
        return w.grad
    np.testing.assert_allclose(_agree(gradient)[0], np.float32(X) + 4 * np.float32(Y), rtol=1e-6)


# -------------------------------------------------------------------------------- shape methods' keywords

def test_shape_methods_take_their_sizes_by_keyword():
    def forms(lib):
        x = lib.arange(6.0).reshape(2, 3)
        return [x.view(size=(3, 2)), x.reshape(shape=(3, 2)), x.permute(dims=(1, 0)), x.expand(size=(2, 2, 3)),
                x.repeat(repeats=(2, 1)), x.tile(dims=(2,)), x.flip(dims=(0,)), *x.split(split_size=1),
                *x.split(split_size=[2, 1], dim=1), *lib.split(x, split_size_or_sections=2, dim=1)]
    ours = _agree(forms)
    np.testing.assert_array_equal(ours[0], np.arange(6.0).reshape(3, 2))


def test_a_shape_given_both_ways_is_refused():
    for lib in LIBRARIES:
        x = lib.ones(2, 3)
        with pytest.raises(TypeError):
            x.view(3, 2, size=(3, 2))
        with pytest.raises(TypeError):
            x.reshape(size=(3, 2))  # PyTorch calls it shape= here


def test_gradients_flow_through_the_shape_keywords():
    def gradient(lib):
        x = lib.arange(6.0, requires_grad=True)
        y = x.view(size=(2, 3)).permute(dims=(1, 0)).reshape(shape=(6,)).expand(size=(2, 6)).repeat(repeats=(1, 2))
        (y * lib.arange(24.0).reshape(2, 12)).sum().backward()
        return x.grad
    assert np.abs(_agree(gradient)[0]).sum() > 0


# --------------------------------------------------------------------------------------- names and aliases

def test_longer_comparison_names_are_the_comparisons():
    for long, short in [("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"), ("less_equal", "le"),
                        ("not_equal", "ne")]:
        x, y = torchlike.tensor(X), torchlike.tensor(Y)
        np.testing.assert_array_equal(getattr(torchlike, long)(x, y).numpy(), getattr(torchlike, short)(x, y).numpy())
        np.testing.assert_array_equal(getattr(x, long)(y).numpy(), getattr(x, short)(y).numpy())


def test_absolute_and_ravel():
    def forms(lib):
        x = lib.tensor(X)
        y = x.clone()
        return [lib.absolute(input=x), x.absolute(), y.absolute_(), y, lib.ravel(input=x), x.t().ravel()]
    ours = _agree(forms)
    np.testing.assert_array_equal(ours[0], np.abs(np.float32(X)))
    x = torchlike.tensor(X)
    assert x.ravel().data_ptr() == x.data_ptr()  # a view where the memory allows it
    y = torchlike.tensor(X)
    assert y.absolute_() is y


@pytest.mark.parametrize("indices, shape", [(4, (2, 3)), ([4, 1, 0], (2, 3)), ([[4, 1]], [2, 3]), (5, 6),
                                            ([-1, -7, 13], (2, 3)), ([7, 23], (2, 3, 4)), (0, ())])
def test_unravel_index(indices, shape):
    ours = _agree(lambda lib: lib.unravel_index(lib.tensor(indices), shape))
    assert all(c.dtype == np.int64 for c in ours)
    if shape:  # numpy refuses positions out of range; minidl, like PyTorch, wraps them around
        wrapped = np.asarray(indices) % int(np.prod(shape))
        np.testing.assert_array_equal(ours, np.unravel_index(wrapped, shape))


def test_unravel_index_refuses_what_pytorch_refuses():
    for lib in LIBRARIES:
        with pytest.raises(TypeError, match="integer dtype"):
            lib.unravel_index(lib.tensor(1.0), (2, 3))
        with pytest.raises(TypeError, match="integer dtype"):
            lib.unravel_index(lib.tensor(True), (2, 3))
        with pytest.raises(ValueError, match="negative"):
            lib.unravel_index(lib.tensor(4), (2, -3))
        with pytest.raises(RuntimeError):
            lib.unravel_index(lib.tensor(4), (2, 0))


def test_top_level_distances():
    def forms(lib):
        a, b = lib.tensor(X), lib.tensor(Y)
        return [lib.cosine_similarity(a, b), lib.cosine_similarity(x1=a, x2=b, dim=0),
                lib.pairwise_distance(a, b), lib.pairwise_distance(a, b, p=1.0, keepdim=True)]
    _agree(forms)


def test_device_questions():
    for lib in LIBRARIES:
        x = lib.ones(2)
        assert x.is_cpu is True and x.get_device() == -1 and lib.get_device(x) == -1
        assert x.layout is lib.strided


def test_float32_matmul_precision_is_validated_and_remembered():
    for lib in LIBRARIES:
        assert lib.get_float32_matmul_precision() == "highest"
        try:
            lib.set_float32_matmul_precision("medium")
            assert lib.get_float32_matmul_precision() == "medium"
            with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
                lib.set_float32_matmul_precision("low")
            assert lib.get_float32_matmul_precision() == "medium"
            with pytest.raises(RuntimeError, match="expects a str"):
                lib.set_float32_matmul_precision(3)
        finally:
            lib.set_float32_matmul_precision("highest")


def test_cuda_synchronize_returns_when_nothing_is_pending():
    assert torchlike.cuda.synchronize() is None
    if torchlike.cuda.is_available():
        (torchlike.ones(100, device="cuda") * 2).sum()
        assert torchlike.cuda.synchronize(0) is None and torchlike.cuda.synchronize("cuda:0") is None


# ------------------------------------------------------------------------------- layouts and memory formats

FACTORIES = [
    lambda lib, **kw: lib.zeros(2, 3, **kw), lambda lib, **kw: lib.ones(2, **kw), lambda lib, **kw: lib.empty(2, **kw),
    lambda lib, **kw: lib.full((2,), 1.5, **kw), lambda lib, **kw: lib.arange(3, **kw),
    lambda lib, **kw: lib.linspace(0, 1, 3, **kw), lambda lib, **kw: lib.logspace(0, 1, 3, **kw),
    lambda lib, **kw: lib.eye(2, **kw), lambda lib, **kw: lib.rand(2, **kw), lambda lib, **kw: lib.randn(2, **kw),
    lambda lib, **kw: lib.randint(3, (2,), **kw), lambda lib, **kw: lib.randperm(3, **kw),
    lambda lib, **kw: lib.normal(0.0, 1.0, (2,), **kw), lambda lib, **kw: lib.zeros_like(lib.ones(2), **kw),
    lambda lib, **kw: lib.ones_like(lib.ones(2), **kw), lambda lib, **kw: lib.empty_like(lib.ones(2), **kw),
    lambda lib, **kw: lib.full_like(lib.ones(2), 3, **kw), lambda lib, **kw: lib.rand_like(lib.ones(2), **kw),
    lambda lib, **kw: lib.randn_like(lib.ones(2), **kw), lambda lib, **kw: lib.randint_like(lib.ones(2), 3, **kw),
    lambda lib, **kw: lib.ones(2).new_zeros(2, **kw), lambda lib, **kw: lib.ones(2).new_full((2,), 1, **kw),
]


@pytest.mark.parametrize("factory", FACTORIES)
def test_factories_take_a_strided_layout_and_pin_memory_false(factory):
    for lib in LIBRARIES:
        assert factory(lib, layout=lib.strided, pin_memory=False).layout is lib.strided
    assert tuple(factory(torchlike, pin_memory=True).shape) == tuple(factory(torchlike).shape)  # a paging hint
    with pytest.raises(NotImplementedError, match="layout=torch.sparse_coo is not supported"):
        factory(torchlike, layout=torchlike.sparse_coo)
    with pytest.raises(TypeError, match="must be torch.layout, not str"):
        factory(torchlike, layout="strided")


def test_tensor_takes_pin_memory():
    for lib in LIBRARIES:
        assert lib.tensor([1.0], pin_memory=False).tolist() == [1.0]


def test_layouts_and_memory_formats_are_named_constants():
    assert repr(torchlike.strided) == "torch.strided" and isinstance(torchlike.strided, torchlike.layout)
    assert repr(torchlike.channels_last) == "torch.channels_last"
    for name in ("contiguous_format", "preserve_format", "channels_last", "channels_last_3d"):
        assert isinstance(getattr(torchlike, name), torchlike.memory_format)
    assert pickle.loads(pickle.dumps(torchlike.strided)) is torchlike.strided
    assert pickle.loads(pickle.dumps(torchlike.contiguous_format)) is torchlike.contiguous_format
    if real_torch is not None:
        for name in ("strided", "sparse_coo", "contiguous_format", "preserve_format", "channels_last"):
            assert repr(getattr(torchlike, name)) == repr(getattr(real_torch, name))


def test_conversions_take_a_memory_format():
    for lib in LIBRARIES:
        x = lib.arange(6.0).reshape(2, 3)
        t = x.t()
        for fmt in (lib.contiguous_format, lib.preserve_format):
            assert x.contiguous(memory_format=lib.contiguous_format) is x
            assert x.clone(memory_format=fmt).tolist() == x.tolist()
            assert x.float(memory_format=fmt) is x and x.to(memory_format=fmt) is x  # nothing to convert
            assert x.cpu(memory_format=fmt) is x
            assert lib.zeros_like(t, memory_format=fmt).shape == t.shape
        assert t.contiguous(memory_format=lib.contiguous_format).is_contiguous()
        assert t.double(memory_format=lib.contiguous_format).is_contiguous()
        assert t.to(lib.float64, memory_format=lib.contiguous_format).is_contiguous()
        assert t.clone(memory_format=lib.contiguous_format).is_contiguous()
        with pytest.raises(RuntimeError, match="preserve memory format is unsupported by the contiguous operator"):
            t.contiguous(memory_format=lib.preserve_format)
        assert x.contiguous(memory_format=lib.preserve_format) is x  # nothing to do
        with pytest.raises(RuntimeError):
            lib.empty(2, memory_format=lib.preserve_format)
        with pytest.raises(TypeError, match="must be torch.memory_format, not str"):
            x.contiguous(memory_format="x")


@pytest.mark.parametrize("call", [lambda x, f: x.contiguous(memory_format=f), lambda x, f: x.clone(memory_format=f),
                                  lambda x, f: x.to(memory_format=f), lambda x, f: x.half(memory_format=f),
                                  lambda x, f: torchlike.empty_like(x, memory_format=f),
                                  lambda x, f: torchlike.empty(2, 3, 4, 5, memory_format=f),
                                  lambda x, f: torchlike.nn.Conv2d(3, 4, 3).to(memory_format=f)])
def test_channels_last_is_refused_clearly(call):
    with pytest.raises(NotImplementedError, match="memory_format=torch.channels_last is not supported"):
        call(torchlike.ones(2, 3, 4, 5), torchlike.channels_last)


# ----------------------------------------------------------------------------------------- in-place spellings

IN_PLACE_COMPARISONS = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_",
                        "less_equal_", "not_equal_", "logical_and_", "logical_or_", "logical_xor_"]


@pytest.mark.parametrize("name", IN_PLACE_COMPARISONS)
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_in_place_comparisons_write_into_self_in_its_dtype(name, dtype):
    def run(lib):
        x = lib.tensor(X).to(getattr(lib, dtype))
        address = x.data_ptr()
        result = getattr(x, name)(lib.tensor(Y))
        assert result is x and x.data_ptr() == address and x.dtype == getattr(lib, dtype)
        return x
    ours = _agree(run)
    expected = getattr(torchlike, name[:-1])(torchlike.tensor(X).to(getattr(torchlike, dtype)), torchlike.tensor(Y))
    np.testing.assert_array_equal(ours[0], expected.numpy().astype(dtype))


def test_logical_not_in_place_and_shape_errors():
    def run(lib):
        x = lib.tensor(X)
        assert x.logical_not_() is x
        return x
    np.testing.assert_array_equal(_agree(run)[0], np.zeros((2, 3), np.float32))
    for lib in LIBRARIES:
        with pytest.raises(RuntimeError, match=r"output with shape \[2\] doesn't match the broadcast shape \[2, 2\]"):
            lib.ones(2).eq_(lib.ones(2, 2))


def test_top_level_in_place_functions_are_the_tensor_methods():
    for name in IN_PLACE_METHODS:
        assert callable(getattr(torchlike, name)), name
        if real_torch is not None:
            assert hasattr(real_torch, name), name

    def run(lib):
        x, y, z = lib.tensor(X), lib.tensor(X), lib.tensor(X)
        assert lib.exp_(x) is x and lib.clamp_(y, min=0) is y and lib.tanh_(input=z) is z
        w = lib.tensor(X)
        lib.relu_(w), lib.selu_(lib.tensor(X)), lib.threshold_(lib.tensor(X), 1.0, 0.0)
        return [x, y, z, w, lib.sigmoid_(lib.tensor(X)), lib.sqrt_(lib.tensor(X).abs()), lib.zero_(lib.tensor(X)),
                lib.celu_(lib.tensor(X), 0.5), lib.rrelu_(lib.tensor(X)), lib.dropout_(lib.tensor(X), 0.5, False)]
    _agree(run)


@pytest.mark.parametrize("name, args", [("relu_", ()), ("leaky_relu_", (0.2,)), ("elu_", (0.5,)),
                                        ("hardtanh_", (-0.5, 0.5)), ("selu_", ()), ("celu_", (2.0,)),
                                        ("threshold_", (1.0, -1.0)), ("rrelu_", (0.1, 0.3, False))])
def test_functional_in_place_activations(name, args):
    def run(lib):
        functional = lib.nn.functional
        x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
        y = x * 1
        address = y.data_ptr()
        out = getattr(functional, name)(y, *args)
        assert out is y and y.data_ptr() == address
        np.testing.assert_allclose(_flat(y)[0], _flat(getattr(functional, name[:-1])(x, *args))[0])
        (y * lib.tensor(Y, dtype=lib.float64)).sum().backward()
        return [y, x.grad]
    _agree(run)
    assert name in F.__all__


def test_to_copy_module_to_integer_and_autocast_dtypes():
    x = torchlike.ones(2)
    copied = x.to(torchlike.float32, copy=True)
    copied.add_(1)  # a copy, even when nothing else changes
    assert x.tolist() == [1.0, 1.0] and x.to(torchlike.float32) is x
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes"):
        torchlike.nn.Linear(2, 2).to(torchlike.int64)
    with torchlike.autocast("cpu", dtype=torchlike.float16) as context:
        assert context.fast_dtype is torchlike.float16 and torchlike.is_autocast_enabled("cpu")
        wide = torchlike.ones(2, 2, dtype=torchlike.float64)
        assert (wide @ wide).dtype is torchlike.float64  # float64 is not lowered, as in PyTorch
        assert (torchlike.ones(2, 2) @ torchlike.ones(2, 2)).dtype is torchlike.float16
    assert not torchlike.is_autocast_enabled("cpu")
    assert torchlike.tensor([1]).is_signed() and not torchlike.tensor([1], dtype=torchlike.uint8).is_signed()


def test_python_types_as_dtypes_mean_what_they_mean_in_pytorch():
    # dtype=float asks for Python's precision: float64, as in PyTorch and numpy
    for lib in LIBRARIES:
        assert str(lib.zeros(2, dtype=float).dtype).split(".")[-1] == "float64"
        assert str(lib.ones(2).to(float).dtype).split(".")[-1] == "float64"
        assert str(lib.arange(3, dtype=float).dtype).split(".")[-1] == "float64"
        assert str(lib.tensor([1], dtype=int).dtype).split(".")[-1] == "int64"
        assert str(lib.tensor([1.0], dtype=complex).dtype).split(".")[-1] == "complex128"
    import minidl.graph as tf  # while TensorFlow reads float as float32
    assert tf.constant(1.0, dtype=float).dtype == tf.float32 and tf.zeros([2], dtype=float).dtype == tf.float32
