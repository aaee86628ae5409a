"""Storages (``minidl/eager/storage.py``): ``Tensor.untyped_storage()``, the deprecated ``Tensor.storage()``,
``UntypedStorage`` / ``TypedStorage``. Each behaviour runs on minidl and, where it is installed, on PyTorch with the
same code, and the two must agree: sizes, bytes, which tensors share a storage, writes seen through the tensor,
errors and their messages, the deprecation warning."""
import warnings

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager import storage as storage_module

try:
    import torch
except ImportError:  # the comparisons with PyTorch are skipped without it
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
LIBRARIES = [T] + ([torch] if torch is not None else [])


def _agree(fn):
    """``fn(library)`` for every library: the results must be equal; minidl's is returned."""
    if torch is None:
        pytest.skip("PyTorch is not installed: nothing to compare with")
    results = [fn(lib) for lib in LIBRARIES]
    for theirs in results[1:]:
        assert theirs == results[0]
    return results[0]


def _error(fn):
    """The type and message of what ``fn()`` raises."""
    try:
        fn()
    except Exception as error:  # noqa: BLE001  (the test compares whatever is raised)
        return type(error), str(error)
    raise AssertionError(f"{fn} raised nothing")


def _same_error(fn, expected_type, agree_on_message=True):
    """``fn(library)`` raises ``expected_type`` in every library, with the same message unless told otherwise."""
    errors = [_error(lambda lib=lib: fn(lib)) for lib in LIBRARIES]
    for kind, message in errors:
        assert issubclass(kind, expected_type), (kind, message)
    if agree_on_message:
        assert len({message for _, message in errors}) == 1, errors
    return errors[0][1]


@pytest.fixture(autouse=True)
def quiet_typed_storage_warning():
    """The deprecation warning is given once per process in both libraries; the tests of it ask for it again."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "TypedStorage is deprecated")
        yield


# --------------------------------------------------------------------------------------------- sizes and bytes

TENSORS = {
    "contiguous": lambda lib: lib.arange(6, dtype=lib.float32),
    "slice": lambda lib: lib.arange(6, dtype=lib.float32)[2:],
    "transposed view": lambda lib: lib.arange(6, dtype=lib.int16).reshape(2, 3).t(),
    "column": lambda lib: lib.arange(12, dtype=lib.float64).reshape(3, 4)[:, 1],
    "0-d": lambda lib: lib.tensor(3.5),
    "expanded": lambda lib: lib.tensor([7], dtype=lib.int32).expand(4),
    "empty": lambda lib: lib.zeros(0),
    "bool": lambda lib: lib.tensor([True, False, True]),
    "complex": lambda lib: lib.tensor([1 + 2j, -3j], dtype=lib.complex64),
    "view(dtype) of a slice": lambda lib: lib.arange(4, dtype=lib.float32)[2:].view(lib.int16),
    "row of a clone": lambda lib: lib.arange(6.0).reshape(2, 3).clone()[1],
}


@needs_torch
@pytest.mark.parametrize("name", TENSORS)
def test_untyped_storage_is_the_bytes_of_the_whole_base(name):
    make = TENSORS[name]
    _agree(lambda lib: (make(lib).untyped_storage().nbytes(), make(lib).untyped_storage().size(),
                        len(make(lib).untyped_storage()), make(lib).untyped_storage().element_size(),
                        make(lib).untyped_storage().tolist(), str(make(lib).untyped_storage().device)))


@needs_torch
@pytest.mark.parametrize("name", TENSORS)
def test_typed_storage_is_the_whole_base_in_the_tensors_dtype(name):
    make = TENSORS[name]
    assert _agree(lambda lib: (make(lib).storage().dtype.itemsize, make(lib).storage().size(),
                               len(make(lib).storage()), make(lib).storage().element_size(),
                               make(lib).storage().nbytes(), make(lib).storage().tolist())) is not None
    assert str(make(T).storage().dtype) == str(make(torch).storage().dtype).replace("torch.", "minidl.")


def test_storage_starts_where_the_base_starts():
    x = T.arange(12, dtype=T.float32).reshape(3, 4)
    base = x.untyped_storage()
    assert base.data_ptr() == x.data_ptr()
    for view in (x[1:], x[:, 2], x[2, 1:3], x.t(), x.reshape(12)[5:]):
        storage = view.untyped_storage()
        assert storage.data_ptr() == x.data_ptr() and storage.nbytes() == x.nbytes == 48
        assert view.data_ptr() - storage.data_ptr() == view.storage_offset() * view.element_size()
    assert x[1:].storage().data_ptr() == x.data_ptr() and x[1:].storage().size() == 12


# (first, second) made from one tensor x of library lib: whether PyTorch puts them on one storage
SHARING = {
    "view": lambda lib, x: (x, x.view(2, 3)),
    "slice": lambda lib, x: (x, x[3:]),
    "element": lambda lib, x: (x, x[4]),
    "transpose": lambda lib, x: (x, x.view(2, 3).t()),
    "detach": lambda lib, x: (x, x.detach()),
    "data": lambda lib, x: (x, x.data),
    "view(dtype)": lambda lib, x: (x, x.view(lib.int32)),
    "view(smaller dtype) of a slice": lambda lib, x: (x, x[2:].view(lib.int16)),
    "clone": lambda lib, x: (x, x.clone()),
    "contiguous of a transpose": lambda lib, x: (x, x.view(2, 3).t().contiguous()),
    "arithmetic": lambda lib, x: (x, x + 0),
    "two slices": lambda lib, x: (x[:2], x[4:]),
    "unbind pieces": lambda lib, x: x.view(2, 3).unbind(0),
    "split pieces of a sum": lambda lib, x: (x + 1).split(3),
}


@needs_torch
@pytest.mark.parametrize("name", SHARING)
def test_same_storage_exactly_where_pytorch_shares(name):
    def shared(lib):
        first, second = SHARING[name](lib, lib.arange(6, dtype=lib.float32))
        return first.untyped_storage().data_ptr() == second.untyped_storage().data_ptr()
    _agree(shared)


def test_storages_of_the_same_memory_are_equal():
    x = T.arange(4.0)
    assert x.untyped_storage() == x[1:].untyped_storage() == x.detach().untyped_storage()
    assert x.untyped_storage() != x.clone().untyped_storage()
    assert len({x.untyped_storage(), x[2:].untyped_storage()}) == 1
    assert x.untyped_storage()[0:8] != x.untyped_storage()  # a part of a storage is not the storage


# ------------------------------------------------------------------------------------------ untyped reading

@needs_torch
def test_untyped_storage_indexing_as_in_pytorch():
    make = TENSORS["contiguous"]
    _agree(lambda lib: [make(lib).untyped_storage()[i] for i in (0, 6, 7, 23, -1, -24)])
    _agree(lambda lib: [type(make(lib).untyped_storage()[7]).__name__])
    for index in (24, -25):
        message = _same_error(lambda lib: make(lib).untyped_storage()[index], IndexError)
        assert "out of range for storage of size 24" in message
    _same_error(lambda lib: make(lib).untyped_storage()[1.0], TypeError, agree_on_message=False)
    _same_error(lambda lib: make(lib).untyped_storage()[0:8:2], RuntimeError)


@needs_torch
def test_a_slice_of_an_untyped_storage_is_a_storage_on_those_bytes():
    def part(lib):
        x = lib.arange(4, dtype=lib.int32)
        whole = x.untyped_storage()
        piece = whole[4:12]
        piece[0] = 9
        return (piece.nbytes(), piece.tolist(), piece.data_ptr() - whole.data_ptr(), x.tolist(),
                type(piece).__name__)
    assert _agree(part)[-1] == "UntypedStorage"


# ------------------------------------------------------------------------------------------ untyped writing

@needs_torch
def test_untyped_writes_are_seen_by_the_tensor_as_in_pytorch():
    def written(lib):
        x = lib.zeros(4, dtype=lib.int16)
        storage = x[1:].untyped_storage()  # (the base's storage: byte 0 is x[0]'s)
        storage[0] = 300  # wraps to 44
        storage[1] = -3  # 253
        storage[2:4] = 7
        storage[4:6] = 1
        before = x.tolist()
        storage.fill_(-1)
        filled = x.tolist()
        storage.copy_(lib.tensor([1, 2, 3, 4], dtype=lib.int16).untyped_storage())
        return before, filled, x.tolist()
    _agree(written)


@needs_torch
def test_untyped_write_errors_as_in_pytorch():
    storage = lambda lib: lib.arange(6, dtype=lib.float32).untyped_storage()  # noqa: E731
    _same_error(lambda lib: storage(lib).__setitem__(0, 1.5), RuntimeError)
    _same_error(lambda lib: storage(lib).fill_(1.5), RuntimeError)
    _same_error(lambda lib: storage(lib).__setitem__(slice(0, 8, 2), 1), RuntimeError)
    for index in (24, -1):  # a write takes no negative index in PyTorch
        _same_error(lambda lib: storage(lib).__setitem__(index, 1), RuntimeError, agree_on_message=False)
    _same_error(lambda lib: storage(lib).copy_(lib.arange(3, dtype=lib.float32).untyped_storage()), RuntimeError)
    _same_error(lambda lib: storage(lib).copy_(lib.arange(6, dtype=lib.float32)), TypeError,
                agree_on_message=False)


def test_untyped_storage_refuses_to_write_read_only_memory():
    array = np.arange(3.0)
    array.flags.writeable = False
    storage = T.from_numpy(array).untyped_storage()
    assert storage[8] == np.arange(3.0).view(np.uint8)[8]
    with pytest.raises(RuntimeError, match="read-only"):
        storage.fill_(0)
    np.testing.assert_array_equal(array, [0.0, 1.0, 2.0])


# -------------------------------------------------------------------------------------------- typed storages

@needs_torch
def test_typed_storage_reading_as_in_pytorch():
    make = lambda lib: lib.arange(6, dtype=lib.float32).reshape(2, 3)[1]  # noqa: E731
    _agree(lambda lib: [make(lib).storage()[i] for i in (0, 1, 5, -1, -6)])
    for dtype, values in (("bool", [True, False]), ("int64", [5, -2]), ("complex128", [1 + 2j, 3j]),
                          ("float64", [0.1, 2.5]), ("uint8", [255, 0])):
        _agree(lambda lib: [(value, type(value).__name__) for value in
                            lib.tensor(values, dtype=getattr(lib, dtype)).storage()])
    for index in (6, -7):
        _same_error(lambda lib: make(lib).storage()[index], IndexError)
    _same_error(lambda lib: make(lib).storage()[1:3], RuntimeError)
    _same_error(lambda lib: make(lib).storage()["a"], RuntimeError, agree_on_message=False)


@needs_torch
def test_typed_writes_convert_as_tensor_writes_and_are_seen_by_the_tensor():
    def written(lib):
        x = lib.arange(6, dtype=lib.float32)
        storage = x[2:].storage()
        storage[1] = 10
        storage[-1] = 7
        storage[2:4] = -1.5
        first = x.tolist()
        storage.fill_(True)
        ints = lib.tensor([1, 2, 3])
        ints[1:].storage()[0] = 4.75  # truncated
        ints.storage()[2] = lib.tensor(9)
        return first, x.tolist(), ints.tolist()
    _agree(written)


@needs_torch
def test_typed_write_errors_as_in_pytorch():
    storage = lambda lib: lib.arange(6, dtype=lib.float32).storage()  # noqa: E731
    for index in (6, -7):
        message = _same_error(lambda lib: storage(lib).__setitem__(index, 1.0), IndexError, agree_on_message=False)
        assert f"index {index} is out of bounds for dimension 0 with size 6" in message
    _same_error(lambda lib: storage(lib).__setitem__(1.0, 1.0), RuntimeError, agree_on_message=False)
    _same_error(lambda lib: storage(lib).__setitem__(0, storage(lib)), RuntimeError, agree_on_message=False)


@needs_torch
def test_typed_copy_copies_bytes_not_values():
    def copied(lib):
        x = lib.zeros(3, dtype=lib.float32)
        x.storage().copy_(lib.tensor([1, 2, 3], dtype=lib.int32).storage())  # the int's bits, read as floats
        y = lib.zeros(2, dtype=lib.float64)
        y.storage().copy_(lib.tensor([1.5, -2.0], dtype=lib.float64).untyped_storage())
        return x.tolist(), y.tolist()
    _agree(copied)
    _same_error(lambda lib: lib.zeros(3).storage().copy_(lib.zeros(6, dtype=lib.int64).storage()), RuntimeError)


@needs_torch
def test_typed_and_untyped_views_of_one_memory():
    def views(lib):
        x = lib.arange(3, dtype=lib.float32)
        typed = x.storage()
        untyped = typed.untyped()
        untyped[3] = 0x40  # the high byte of x[0]: 2.0
        return (typed.data_ptr() == untyped.data_ptr() == x.data_ptr(), typed._untyped_storage.nbytes(),
                typed[0], x.tolist(), type(untyped).__name__)
    _agree(views)


# ---------------------------------------------------------------------------------------- warning, printing

@needs_torch
def test_typed_storage_deprecation_warning_as_in_pytorch_once(monkeypatch):
    def warnings_of(fn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fn()
        return [(w.category, str(w.message)) for w in caught]
    torch.storage._reset_warn_typed_storage_removal()
    monkeypatch.setitem(storage_module._warned, "TypedStorage is deprecated", False)
    ours, theirs = (warnings_of(lambda: lib.zeros(2).storage()) for lib in (T, torch))
    assert ours == theirs and len(ours) == 1 and ours[0][0] is UserWarning
    assert warnings_of(lambda: T.zeros(2).storage()) == []  # once per process, as PyTorch
    monkeypatch.setitem(storage_module._warned, "TypedStorage is deprecated", False)
    assert warnings_of(lambda: T.TypedStorage(2)) == theirs


def test_the_deprecation_warning_points_at_the_caller(monkeypatch):
    monkeypatch.setitem(storage_module._warned, "TypedStorage is deprecated", False)
    with pytest.warns(UserWarning, match="TypedStorage is deprecated") as caught:
        T.zeros(2).storage()
    assert caught[0].filename == __file__


@needs_torch
@pytest.mark.parametrize("kind", ["untyped", "typed"])
def test_repr_as_in_pytorch(kind):
    def printed(lib):
        x = lib.tensor([1.5, -2.0], dtype=lib.float32)
        return repr(x.untyped_storage() if kind == "untyped" else x.storage())
    ours, theirs = printed(T), printed(torch)
    assert ours.replace("minidl.eager.storage", "torch.storage").replace("minidl.", "torch.") == theirs
    assert repr(T.UntypedStorage(0)).replace("minidl.eager", "torch") == repr(torch.UntypedStorage(0))


# ---------------------------------------------------------------------------------------------- constructors

@needs_torch
def test_constructors_as_in_pytorch():
    _agree(lambda lib: (lib.UntypedStorage(5).nbytes(), lib.UntypedStorage().nbytes(),
                        lib.UntypedStorage([1, 300, 255]).tolist(),
                        lib.TypedStorage(3).size(), str(lib.TypedStorage(3).dtype).split(".")[-1],
                        lib.TypedStorage([1, 2], dtype=lib.int32).tolist(),
                        lib.TypedStorage(wrap_storage=lib.UntypedStorage(5), dtype=lib.int32).size(),
                        lib.TypedStorage(wrap_storage=lib.tensor([1.0]).untyped_storage(), dtype=lib.int32).tolist(),
                        lib.is_storage(lib.UntypedStorage(1)), lib.is_storage(lib.TypedStorage(1)),
                        lib.is_storage(lib.zeros(1)), isinstance(lib.zeros(1).untyped_storage(), lib.UntypedStorage),
                        isinstance(lib.zeros(1).storage(), lib.TypedStorage)))
    _same_error(lambda lib: lib.UntypedStorage([1, 2.5]), RuntimeError, agree_on_message=False)


# ------------------------------------------------------------------------------------- autograd and sharing

def test_a_write_through_a_storage_bumps_the_version_so_backward_refuses():
    """PyTorch lets such a write pass unseen (and the gradient is then silently wrong); minidl refuses."""
    for write in (lambda t: t.untyped_storage().__setitem__(0, 0), lambda t: t[1:].storage().__setitem__(0, 5.0),
                  lambda t: t.storage().fill_(1.0), lambda t: t.untyped_storage()[4:].fill_(0)):
        leaf = T.tensor([1.0, 2.0], requires_grad=True)
        hidden = leaf * 1
        out = hidden.sin()  # saves ``hidden`` for its derivative
        version = hidden._version
        write(hidden)
        assert hidden._version > version
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()
    leaf = T.tensor([1.0, 2.0], requires_grad=True)
    hidden = leaf * 1
    out = hidden.sin()
    out.sum().backward()  # untouched, the same graph gives its gradient
    np.testing.assert_allclose(leaf.grad.numpy(), np.cos([1.0, 2.0]))


def test_is_shared_clone_and_cpu():
    x = T.arange(4.0)
    assert not x.untyped_storage().is_shared() and not x.storage().is_shared()
    x.share_memory_()
    assert x.untyped_storage().is_shared() and x[1:].storage().is_shared()
    storage = x.untyped_storage()
    assert storage.cpu() is storage
    copy = storage.clone()
    assert copy.tolist() == storage.tolist() and copy.data_ptr() != storage.data_ptr()
    copy.fill_(0)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    typed = x.storage().clone()
    typed[0] = 5.0
    assert x[0].item() == 0.0 and typed.dtype == T.float32 and typed.cpu().data_ptr() == typed.data_ptr()


def test_storage_on_every_device(device):
    x = T.arange(6, dtype=T.float32, device=device)
    storage = x[2:].untyped_storage()
    assert storage.device == x.device and storage.is_cuda == (device == "cuda")
    assert storage.data_ptr() == x.data_ptr() and storage.nbytes() == 24
    assert storage.tolist() == np.arange(6, dtype=np.float32).view(np.uint8).tolist()
    storage[4:8] = 0
    x.storage()[5] = 9.0
    assert x.tolist() == [0.0, 0.0, 2.0, 3.0, 4.0, 9.0] and x.storage()[5] == 9.0
    host = storage.cpu()
    assert host.device.type == "cpu" and host.tolist() == storage.tolist()
    back = T.zeros(6, dtype=T.float32, device=device)
    back.untyped_storage().copy_(host)  # (across devices on a GPU)
    assert back.tolist() == x.tolist()
    assert x.untyped_storage().is_shared() == (device == "cuda")
