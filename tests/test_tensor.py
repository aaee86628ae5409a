"""The eager Tensor's PyTorch-style surface: attributes, conversion, repr, operators, creation, randomness."""
import copy
import pickle

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.tensor_methods import missing_methods


def test_every_method_in_the_table_is_bound():
    assert missing_methods() == []


def test_attributes():
    x = T.zeros(2, 3)
    assert x.shape == (2, 3) and x.size() == (2, 3) and x.size(1) == 3 and repr(x.shape) == "minidl.Size([2, 3])"
    assert isinstance(x.size()[1:], T.Size) and repr(x.shape[::-1]) == "minidl.Size([3, 2])"  # as torch.Size's
    assert x.shape[-1] == 3 and type(x.shape[0]) is int
    assert x.ndim == 2 and x.dim() == 2 and x.numel() == 6 and x.dtype == T.float32
    assert x.device == "cpu" and not x.requires_grad and x.grad is None and x.is_leaf and x.grad_fn is None
    assert isinstance(x.device, T.device) and x.device is T.device("cpu") and repr(x.device) == "device(type='cpu')"


def test_devices_are_made_as_pytorch_makes_them():
    """torch.device is a type: "cuda:1", ("cuda", 1) and 1 are one device; copies keep the index."""
    assert T.device("cuda:1") == T.device("cuda", 1) == T.device(1) == "cuda:1"
    assert repr(T.device("cuda")) == "device(type='cuda', index=0)" and T.device(T.device("cuda:2")).index == 2
    assert copy.deepcopy(T.device("cuda:1")) == "cuda:1" and pickle.loads(pickle.dumps(T.device("cpu"))) == "cpu"
    with pytest.raises(ValueError, match="unknown device type 'tpu'"):
        T.device("tpu")
    with pytest.raises(ValueError, match="the cpu device has no index 1"):
        T.device("cpu", 1)


def test_repr_like_pytorch():
    assert repr(T.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    assert repr(T.tensor([1.5, 2.25])) == "tensor([1.5000, 2.2500])"
    assert repr(T.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(T.tensor([1.0], dtype=T.float64)) == "tensor([1.], dtype=minidl.float64)"
    assert repr(T.tensor(3.0)) == "tensor(3.)"
    # zeros, nan and inf do not widen the column (PyTorch's widths come from the non-zero finite values)
    inf, nan = float("inf"), float("nan")
    assert repr(T.tensor([[0.0, -inf], [0.0, 0.0]])) == "tensor([[0., -inf],\n        [0., 0.]])"
    assert repr(T.tensor([nan, 1.0, inf])) == "tensor([nan, 1., inf])"
    assert repr(T.tensor([0.0, -0.0])) == "tensor([0., -0.])"
    assert repr(T.tensor([1.5, -2.25, nan])) == "tensor([ 1.5000, -2.2500,     nan])"
    # a summarized print: " ..." within a row, and the number format chosen from the values shown
    long = np.linspace(1.0, 50.0, 2000)
    long[1000] = 1e-7  # elided: it must not switch the print to e-notation
    assert repr(T.tensor(long, dtype=T.float32)) == \
        "tensor([ 1.0000,  1.0245,  1.0490,  ..., 49.9510, 49.9755, 50.0000])"


def test_complex_repr_like_pytorch():
    """Real and imaginary parts each in the format PyTorch picks for them; only the real parts are aligned; the
    default float's complex (complex64) goes without saying unless the tensor is empty."""
    assert repr(T.tensor([1 + 0j, -1 - 2.5j, 10.25 + 3j])) == \
        "tensor([ 1.0000+0.0000j, -1.0000-2.5000j, 10.2500+3.0000j])"
    assert repr(T.tensor([1 + 0j, -1 - 2j, 3 + 100j])) == "tensor([ 1.+0.j, -1.-2.j,  3.+100.j])"
    assert repr(T.tensor([1e-5 + 1j, 1 + 1e5j])) == "tensor([1.0000e-05+1.0000e+00j, 1.0000e+00+1.0000e+05j])"
    assert repr(T.tensor([[1 + 1j, 2 - 2j], [-3.5 + 0.5j, 4 + 0j]], dtype=T.complex128)) == \
        "tensor([[ 1.0000+1.0000j,  2.0000-2.0000j],\n" \
        "        [-3.5000+0.5000j,  4.0000+0.0000j]], dtype=minidl.complex128)"
    assert repr(T.tensor([complex("nan+1j"), complex("nan+infj")])) == "tensor([nan+1.j, nan+infj])"
    assert repr(T.zeros(0, dtype=T.complex64)) == "tensor([], dtype=minidl.complex64)"


def test_numpy_refuses_a_tensor_that_requires_grad():
    x = T.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Use tensor.detach\(\).numpy\(\)"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 1.0]


def test_conversions():
    x = T.tensor([[1.5, -2.0]])
    assert x.tolist() == [[1.5, -2.0]] and T.tensor(2.5).item() == 2.5 and float(T.tensor([4.0])) == 4.0
    assert x.long().dtype == T.int64 and x.int().dtype == T.int32 and x.double().dtype == T.float64
    assert x.bool().tolist() == [[True, True]] and x.to(T.float64).float().dtype == T.float32
    assert x.to("cpu") is x
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        x.item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(T.ones(2))
    assert len(T.zeros(4, 2)) == 4 and [t.shape for t in T.zeros(2, 3)] == [(3,), (3,)]
    with pytest.raises(TypeError, match="0-d"):
        len(T.tensor(1.0))


def test_detach_clone_and_requires_grad():
    x = T.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and np.shares_memory(d.numpy(), x.detach().numpy())
    c = x.clone()
    assert c.requires_grad and not c.is_leaf
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    y = x * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)
    z = T.zeros(2).requires_grad_()
    assert z.requires_grad and z.is_leaf


def test_operators_and_reflected_operators():
    x = T.tensor([1.0, 2.0, 4.0])
    assert (x + 1).tolist() == [2, 3, 5] and (1 + x).tolist() == [2, 3, 5]
    assert (10 - x).tolist() == [9, 8, 6] and (2 * x).tolist() == [2, 4, 8] and (4 / x).tolist() == [4, 2, 1]
    assert (2 ** x).tolist() == [2, 4, 16] and (x ** 2).tolist() == [1, 4, 16] and (-x).tolist() == [-1, -2, -4]
    assert (x // 3).tolist() == [0, 0, 1] and (x % 3).tolist() == [1, 2, 1] and abs(-x).tolist() == [1, 2, 4]
    assert (x > 1.5).tolist() == [False, True, True] and (x == 2).tolist() == [False, True, False]
    assert ((x > 1) & (x < 3)).tolist() == [False, True, False] and (~(x > 1)).tolist() == [True, False, False]
    m = T.ones(2, 3)
    assert (m @ T.ones(3)).tolist() == [3.0, 3.0]
    assert np.float32(2) * x is not None and isinstance(np.float32(2) * x, T.Tensor)


def test_in_place_operators():
    x = T.ones(3)
    x += 1
    x *= 3
    x -= T.ones(3)
    x /= 5
    assert x.tolist() == [1.0, 1.0, 1.0] and x._version == 4
    x.fill_(7).zero_()
    assert x.tolist() == [0.0, 0.0, 0.0]
    x[1] = 5
    assert x.tolist() == [0.0, 5.0, 0.0]
    x.copy_(T.tensor([1, 2, 3]))
    assert x.tolist() == [1.0, 2.0, 3.0] and x.dtype == T.float32
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        T.ones(3).add_(T.ones(2, 3))


@pytest.mark.parametrize("recording", [False, True], ids=["no_grad", "recording"])
def test_scaled_in_place_updates_give_the_out_of_place_results(recording):
    """The optimizers' updates: without recording they are computed into the tensor's own memory (a ufunc with
    ``out=``), while recording through ``_inplace``; both give what the out-of-place op gives, in the same memory."""
    rng = np.random.default_rng(0)
    x_np, a_np, b_np = (rng.standard_normal(s).astype(np.float32) for s in ((2, 3), (2, 3), (3,)))
    b_np = np.abs(b_np) + 0.5
    updates = [
        ("add_", (T.tensor(a_np),), {"alpha": -0.3}, lambda x: x + -0.3 * a_np),
        ("sub_", (T.tensor(b_np),), {"alpha": 2}, lambda x: x - 2 * b_np),
        ("addcmul_", (T.tensor(a_np), T.tensor(b_np)), {"value": 0.5}, lambda x: x + 0.5 * a_np * b_np),
        ("addcdiv_", (T.tensor(a_np), T.tensor(b_np)), {"value": -2.0}, lambda x: x + -2.0 * a_np / b_np),
        ("lerp_", (T.tensor(a_np), 0.25), {}, lambda x: x + 0.25 * (a_np - x)),
        ("mul_", (T.tensor(b_np),), {}, lambda x: x * b_np),
    ]
    for name, args, kwargs, expected in updates:
        x = T.tensor(x_np, requires_grad=recording) * 1 if recording else T.tensor(x_np)
        memory, version = x.data_ptr(), x._version
        with T.set_grad_enabled(recording):
            assert getattr(x, name)(*args, **kwargs) is x
        assert x.data_ptr() == memory and x._version == version + 1, name
        np.testing.assert_allclose(x.detach().numpy(), expected(x_np), rtol=1e-6, atol=1e-6, err_msg=name)
        assert x.requires_grad == recording


def test_in_place_updates_refuse_what_the_op_refuses_without_recording():
    with T.no_grad():
        with pytest.raises(RuntimeError, match="result type float32 can't be cast to the desired output type int64"):
            T.ones(3, dtype=T.int64).add_(T.ones(3), alpha=2)
        with pytest.raises(RuntimeError, match="For integral input tensors, argument alpha must not be a floating"):
            T.ones(3, dtype=T.int64).add_(T.ones(3, dtype=T.int64), alpha=0.5)
        with pytest.raises(TypeError, match="alpha"):  # mul takes no alpha: the op says so, not a helper
            T.ones(3).mul_(T.ones(3), alpha=2)
        with pytest.raises(TypeError, match="argument 'tensor1' must be a tensor"):
            T.ones(3).addcmul_(2.0, T.ones(3))
        with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
            T.ones(3).addcmul_(T.ones(2, 3), T.ones(3))
        with pytest.raises(RuntimeError, match=r"in-place add on a tensor of shape \[3\] with float32\[4\]"):
            T.ones(3).add_(T.ones(4), alpha=2)
        with pytest.raises(RuntimeError, match=r"refers to the same memory location \(an expand\(\)ed tensor"):
            T.ones(3).expand(2, 3).add_(1)


def test_setitem_is_differentiable():
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1.0
    y[0] = 0.0
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]


def test_creation_functions():
    assert T.zeros(2, 3).shape == (2, 3) and T.zeros((2, 3)).shape == (2, 3) and T.ones([4]).tolist() == [1] * 4
    assert T.full((2,), 1.5).tolist() == [1.5, 1.5] and T.empty(0, 2).shape == (0, 2)
    assert T.arange(4).tolist() == [0, 1, 2, 3] and T.arange(1, 2, 0.5).tolist() == [1.0, 1.5]
    assert T.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0] and T.eye(2).tolist() == [[1, 0], [0, 1]]
    x = T.ones(2, 3, dtype=T.float64)
    for like in (T.zeros_like, T.ones_like, T.empty_like, T.rand_like, T.randn_like):
        y = like(x)
        assert y.shape == x.shape and y.dtype == T.float64
    assert T.full_like(x, 2).tolist() == [[2.0] * 3] * 2
    assert T.randint(0, 5, (100,)).min().item() >= 0 and T.randint(5, (10,)).max().item() < 5
    assert sorted(T.randperm(5).tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="negative dimension"):
        T.zeros(-1)
    with pytest.raises(TypeError, match="size must be a sequence of ints"):
        T.zeros(2.5)


def test_from_numpy_shares_memory_and_tensor_copies():
    a = np.arange(3.0)
    shared, copied = T.from_numpy(a), T.tensor(a)
    a[0] = 10
    assert shared.tolist()[0] == 10 and copied.tolist()[0] == 0


def test_manual_seed_and_generators_are_reproducible():
    T.manual_seed(0)
    a = T.randn(5)
    T.manual_seed(0)
    b = T.randn(5)
    assert a.tolist() == b.tolist()
    g1, g2 = T.Generator().manual_seed(3), T.Generator().manual_seed(3)
    assert T.rand(4, generator=g1).tolist() == T.rand(4, generator=g2).tolist()
    assert T.rand(3).dtype == T.float32 and T.randn(2, dtype=T.float64).dtype == T.float64


SEQUENCES = [  # a list given to torch.tensor, and the dtype PyTorch 2.13 infers for it
    (lambda: [T.tensor(0.1, dtype=T.float64), T.tensor(0.2, dtype=T.float64)], "float64"),
    (lambda: [T.tensor(1.0, dtype=T.float64), 2.0], "float64"),
    (lambda: [1.0, np.float32(2)], "float32"),
    (lambda: [np.float64(1), 1], "float64"),
    (lambda: [np.int32(1), 1], "int64"),
    (lambda: [np.int32(1), 2.5], "float32"),
    (lambda: [T.tensor(1, dtype=T.int32), 1], "int64"),
    (lambda: [np.float16(1), np.float64(2)], "float64"),
    (lambda: [T.tensor(1.0, dtype=T.float16), 1.0], "float32"),
    (lambda: [np.array([0.1]), np.array([0.2])], "float64"),
    (lambda: [True, np.int8(1)], "int8"),
    (lambda: [[np.float64(1)], [2.0]], "float64"),
    (lambda: [np.uint8(3)], "uint8"),
    (lambda: [1, 2.0 + 1j], "complex64"),
    (lambda: [[1, 2], [3, 4]], "int64"),
    (lambda: [], "float32"),
]


@pytest.mark.parametrize("make, dtype", SEQUENCES, ids=[str(i) for i in range(len(SEQUENCES))])
def test_a_lists_dtype_is_the_promotion_of_its_elements_types(make, dtype):
    """Tensors, numpy arrays and scalars in a list keep their dtype (0.1 in float64 stays exact); Python numbers
    count as int64, the default float or its complex, as in PyTorch."""
    assert T.tensor(make()).dtype == getattr(T, dtype)
    assert T.tensor([T.tensor(0.1, dtype=T.float64)]).item() == 0.1  # no detour through float32


def test_random_factories_draw_complex_numbers_as_pytorch_does():
    """randn: E|z|^2 = 1, each part N(0, 1/2); rand: each part uniform on [0, 1); integer dtypes refused."""
    T.manual_seed(0)
    z = T.randn(200_000, dtype=T.complex64)
    assert z.dtype == T.complex64 and z.shape == (200_000,)
    assert abs(z.real.var().item() - 0.5) < 0.01 and abs(z.imag.var().item() - 0.5) < 0.01
    assert abs(z.real.mean().item()) < 0.01 and abs((z.abs() ** 2).mean().item() - 1) < 0.02
    u = T.rand(3, 4, dtype=T.complex128)
    assert u.dtype == T.complex128 and u.shape == (3, 4)
    parts = np.concatenate([u.real.numpy().ravel(), u.imag.numpy().ravel()])
    assert (parts >= 0).all() and (parts < 1).all() and len(set(parts)) == 24
    assert T.randn_like(z[:2]).dtype == T.complex64
    with pytest.raises(TypeError, match="rand: expected a floating point or complex dtype, got int64"):
        T.rand(2, dtype=T.int64)


def test_tensors_are_hashable_by_identity_and_not_pickled():
    x, y = T.ones(1), T.ones(1)
    assert len({x, y}) == 2
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(x)
    z = copy.deepcopy(T.ones(2, requires_grad=True))
    assert z.requires_grad and z.is_leaf


def test_numpy_arrays_beside_tensors_convert_but_lists_do_not():
    assert (T.ones(2) + np.ones(2)).tolist() == [2.0, 2.0]
    with pytest.raises(TypeError, match="add: expected a tensor or a number, got list"):
        T.ones(2) + [1.0, 2.0]


def test_storage_offset_counts_elements_into_the_base():
    x = T.arange(12.0).reshape(3, 4)
    assert x.storage_offset() == 0 and x[1].storage_offset() == 4 and x[1:, 2:].storage_offset() == 6
    assert x.t()[2].storage_offset() == 2 and x.clone().storage_offset() == 0


@pytest.mark.parametrize("shape, permutation, expected", [
    ((1, 3, 4, 4), None, False), ((2, 1, 4, 4), None, True), ((2, 3, 1, 1), None, True),
    ((2, 4, 4, 3), (0, 3, 1, 2), True), ((2, 3, 4), None, False)])
def test_is_contiguous_in_channels_last_order_reads_the_layout(shape, permutation, expected):
    """``is_contiguous(memory_format=channels_last)``: are the channels innermost in memory (an NHWC array seen
    as NCHW)? Dims of size 1 do not count, as in PyTorch; only 4-D tensors can be (5-D for channels_last_3d)."""
    x = T.ones(*shape)
    x = x if permutation is None else x.permute(*permutation)
    assert x.is_contiguous(memory_format=T.channels_last) is expected
    assert x.is_contiguous(memory_format=T.preserve_format) is x.is_contiguous()
    assert T.ones(2, 4, 4, 4, 3).permute(0, 4, 1, 2, 3).is_contiguous(memory_format=T.channels_last_3d)
    assert not T.ones(2, 3, 4, 4, 4).is_contiguous(memory_format=T.channels_last_3d)
