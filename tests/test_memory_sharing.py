"""Tensors sharing memory with others: DLPack with numpy (and PyTorch), ``frombuffer``, and ``share_memory_``
with a forked process. Each test writes on both sides and checks that the other sees it."""
import multiprocessing
import warnings

import numpy as np
import pytest

import minidl.eager as T


def test_from_dlpack_shares_memory_with_numpy_both_ways():
    array = np.arange(4.0)
    tensor = T.from_dlpack(array)
    assert tensor.dtype == T.float64 and tensor.shape == (4,)
    tensor[0] = 7.0
    array[1] = 9.0
    np.testing.assert_array_equal(array, [7.0, 9.0, 2.0, 3.0])
    np.testing.assert_array_equal(tensor.numpy(), array)


def test_numpy_reads_a_tensor_through_dlpack():
    tensor = T.zeros(2, 3)
    array = np.from_dlpack(tensor)
    array[1, 2] = 5.0
    assert tensor[1, 2].item() == 5.0
    tensor[0, 0] = -1.0
    assert array[0, 0] == -1.0


def test_to_dlpack_capsule_round_trip_is_writable():
    tensor = T.arange(3.0)
    again = T.utils.dlpack.from_dlpack(T.utils.dlpack.to_dlpack(tensor))
    again[2] = 10.0
    assert tensor[2].item() == 10.0
    assert T.from_dlpack(tensor) is tensor


def test_dlpack_with_torch():
    torch = pytest.importorskip("torch")
    ours = T.from_dlpack(torch.arange(4))
    assert ours.dtype == T.int64
    theirs = torch.utils.dlpack.from_dlpack(T.utils.dlpack.to_dlpack(ours))
    theirs[0] = 42
    assert ours[0].item() == 42
    assert T.to_dlpack is T.utils.dlpack.to_dlpack and torch.to_dlpack is torch.utils.dlpack.to_dlpack
    mine = T.from_dlpack(torch.to_dlpack(torch.arange(3.0)))  # the top-level spelling, both ways
    np.testing.assert_array_equal(torch.from_dlpack(T.to_dlpack(mine)).numpy(), [0.0, 1.0, 2.0])


def test_dlpack_errors():
    with pytest.raises(RuntimeError, match="Can't export tensors that require gradient"):
        T.utils.dlpack.to_dlpack(T.zeros(2, requires_grad=True))
    with pytest.raises(TypeError, match="from_dlpack: expected an object with __dlpack__"):
        T.from_dlpack([1, 2])
    with pytest.raises(TypeError, match="to_dlpack: expected a Tensor"):
        T.utils.dlpack.to_dlpack(np.zeros(2))


def test_frombuffer_shares_memory():
    buffer = bytearray(8)
    tensor = T.frombuffer(buffer, dtype=T.int16, count=2, offset=2)
    assert tensor.shape == (2,) and tensor.dtype == T.int16
    tensor[0] = 5
    assert buffer == bytearray(b"\x00\x00\x05\x00\x00\x00\x00\x00")
    buffer[7] = 1
    assert T.frombuffer(buffer, dtype=T.int16)[3].item() == 256
    assert T.frombuffer(buffer, dtype=T.float32, requires_grad=True).requires_grad


def test_frombuffer_of_read_only_bytes_warns_and_refuses_writes():
    with pytest.warns(UserWarning, match="not writable"):
        tensor = T.frombuffer(b"abcd", dtype=T.uint8)
    assert tensor.tolist() == [97, 98, 99, 100]
    with pytest.raises(RuntimeError, match="read-only"):
        tensor[0] = 1


@pytest.mark.parametrize("kwargs, match", [
    (dict(dtype=T.int16), "both buffer length \\(0\\) and count \\(-1\\) must not be 0"),
])
def test_frombuffer_empty(kwargs, match):
    with pytest.raises(ValueError, match=match):
        T.frombuffer(bytearray(0), **kwargs)


@pytest.mark.parametrize("size, kwargs, match", [
    (3, dict(dtype=T.int16), r"buffer length \(3 bytes\) after offset \(0 bytes\) must be a multiple of element "
                             r"size \(2\)"),
    (4, dict(dtype=T.int16, offset=4), r"offset \(4 bytes\) must be non-negative and no greater than buffer length"),
    (4, dict(dtype=T.int16, count=3), r"requested buffer length \(3 \* 2 bytes\) after offset \(0 bytes\) must not "
                                      r"be greater than actual buffer length \(4 bytes\)"),
])
def test_frombuffer_errors_as_torch(size, kwargs, match):
    with pytest.raises(ValueError, match=match):
        T.frombuffer(bytearray(size), **kwargs)


def _write_in_child(tensor):
    tensor[0] = 5.0


def test_share_memory_reaches_a_forked_process():
    tensor = T.zeros(3)
    assert not tensor.is_shared()
    assert tensor.share_memory_() is tensor and tensor.is_shared()
    assert tensor[1:].is_shared()  # a view taken afterwards shares it too
    with warnings.catch_warnings():  # (Python 3.12 warns about forking a process with threads)
        warnings.simplefilter("ignore", DeprecationWarning)
        child = multiprocessing.get_context("fork").Process(target=_write_in_child, args=(tensor,))
        child.start()
        child.join(30)
    assert child.exitcode == 0
    assert tensor.tolist() == [5.0, 0.0, 0.0]


def test_memory_that_is_not_shared_stays_private_in_a_child():
    tensor = T.zeros(3)
    child = multiprocessing.get_context("fork").Process(target=_write_in_child, args=(tensor,))
    child.start()
    child.join(30)
    assert tensor.tolist() == [0.0, 0.0, 0.0]


def test_share_memory_keeps_values_and_gradients():
    tensor = T.tensor([1.0, 2.0], requires_grad=True)
    tensor.share_memory_()
    (tensor * tensor).sum().backward()
    assert tensor.is_shared() and tensor.grad.tolist() == [2.0, 4.0]
