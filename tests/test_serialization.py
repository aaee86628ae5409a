"""minidl.eager.save / load: round trips of state dicts and optimizer state, and refusing unsafe files."""
import io
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager import nn, optim
from minidl.io import ArrayFileError


def test_nested_containers_round_trip(tmp_path):
    shared = T.tensor([1.0, 2.0])
    obj = {"a": shared, "b": [shared, 3, 2.5, "text", None, True], "c": (T.tensor([1, 2]), {"z": 1j}),
           4: T.zeros(0, 3, dtype=T.float64), "arr": np.arange(3)}
    path = tmp_path / "obj.mdl"
    T.save(obj, path)
    back = T.load(path)
    assert list(back) == ["a", "b", "c", 4, "arr"]
    assert back["a"] is back["b"][0], "a tensor saved twice comes back shared"
    assert back["a"].tolist() == [1.0, 2.0] and back["b"][1:] == [3, 2.5, "text", None, True]
    assert isinstance(back["c"], tuple) and back["c"][0].dtype == T.int64 and back["c"][1] == {"z": 1j}
    assert back[4].shape == (0, 3) and back[4].dtype == T.float64 and back["arr"].tolist() == [0, 1, 2]


def test_tensors_load_on_the_device_they_were_saved_from_or_where_map_location_says(tmp_path, device):
    """As PyTorch's: a tensor comes back on its own device unless ``map_location`` moves it; a view comes back a
    view of its base there too."""
    base = T.arange(6.0, device=device)
    T.save({"w": base.reshape(2, 3), "row": base[3:], "step": 3}, tmp_path / "w.mdl")
    for map_location, expected in ((None, device), ("cpu", "cpu"), ({device: "cpu"}, "cpu"), (device, device)):
        back = T.load(tmp_path / "w.mdl", map_location=map_location)
        assert back["w"].device == expected and back["row"].device == expected, map_location
        assert back["w"].tolist() == [[0, 1, 2], [3, 4, 5]] and back["step"] == 3
        back["row"][0] = 30  # the view writes through to the base it came back with
        assert back["w"][1, 0].item() == 30


def test_requires_grad_and_parameters_survive(tmp_path):
    p = nn.Parameter(T.ones(2))
    T.save({"p": p, "t": T.ones(1, requires_grad=True)}, tmp_path / "p.mdl")
    back = T.load(tmp_path / "p.mdl", map_location="cpu")
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad and back["t"].requires_grad


@pytest.mark.parametrize("order", ["parameter first", "detached first"])
def test_tensors_sharing_memory_keep_their_own_flags(order):
    """``p`` and ``p.detach()`` hold one array; they load as two tensors on one array, each as it was saved (they
    used to load as one object, flags from whichever came first). The same object saved twice is one object."""
    lin = nn.Linear(2, 2)
    p = lin.weight
    saved = {"p": p, "frozen": p.detach()} if order == "parameter first" else {"frozen": p.detach(), "p": p}
    saved.update(again=p, state=lin.state_dict(), params=list(lin.parameters()))
    buffer = io.BytesIO()
    T.save(saved, buffer)
    buffer.seek(0)
    back = T.load(buffer)
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad and back["again"] is back["p"]
    assert not isinstance(back["frozen"], nn.Parameter) and not back["frozen"].requires_grad
    assert all(not isinstance(v, nn.Parameter) and not v.requires_grad for v in back["state"].values())
    assert all(isinstance(v, nn.Parameter) and v.requires_grad for v in back["params"])
    back["frozen"].mul_(2)   # a plain tensor: allowed, and seen through the memory the others share
    assert T.equal(back["p"].detach(), back["frozen"]) and T.equal(back["state"]["weight"], back["frozen"])


def test_module_and_optimizer_state_round_trip(tmp_path):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(T.randn(3, 2))
            self.register_buffer("steps", T.zeros(1))
    net = Net()
    opt = optim.Adam(net.parameters(), lr=0.1)
    (net.w * net.w).sum().backward()
    opt.step()
    T.save({"model": net.state_dict(), "opt": opt.state_dict()}, tmp_path / "ckpt.mdl")
    state = T.load(tmp_path / "ckpt.mdl")
    fresh = Net()
    fresh.load_state_dict(state["model"])
    np.testing.assert_array_equal(fresh.w.detach().numpy(), net.w.detach().numpy())
    opt2 = optim.Adam(fresh.parameters(), lr=0.5)
    opt2.load_state_dict(state["opt"])
    assert opt2.param_groups[0]["lr"] == 0.1 and opt2.state[fresh.w]["step"] == 1


def test_unsupported_objects_are_refused(tmp_path):
    with pytest.raises(TypeError, match="cannot store an object of type object"):
        T.save({"x": object()}, tmp_path / "x.mdl")
    # torch.save(model) pickles the module; here the message says what to save instead
    with pytest.raises(TypeError, match=r"save\(obj.state_dict\(\), path\).*load_state_dict"):
        T.save(T.nn.Linear(2, 3), tmp_path / "model.pth")
    assert not (tmp_path / "model.pth").exists()


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_loading_a_pickle_never_executes_it(tmp_path, monkeypatch):
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": Exploit()}))
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    with pytest.raises(ArrayFileError):
        T.load(path)
    assert calls == []


def test_truncated_and_foreign_files_are_clear_errors(tmp_path):
    path = tmp_path / "m.mdl"
    T.save({"w": T.ones(100)}, path)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ArrayFileError, match="truncated"):
        T.load(path)
    from minidl.io import write_arrays
    write_arrays(tmp_path / "other.mdl", {"x": np.ones(1)}, {"kind": "something else"})
    with pytest.raises(ValueError, match="not a file written by minidl.eager.save"):
        T.load(tmp_path / "other.mdl")


def test_a_crash_while_saving_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "keep.mdl"
    T.save({"w": T.tensor([1.0])}, path)
    import minidl.io.array_file as array_file
    monkeypatch.setattr(array_file.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("power cut")))
    with pytest.raises(OSError):
        T.save({"w": T.tensor([2.0])}, path)
    monkeypatch.undo()
    assert T.load(path)["w"].tolist() == [1.0]


def test_save_and_load_through_a_binary_file_object():
    buffer = io.BytesIO()
    state = {"weight": T.arange(6.0).reshape(2, 3), "step": 7, "name": "net"}
    T.save(state, buffer)
    buffer.seek(0)
    loaded = T.load(buffer)
    assert loaded["weight"].tolist() == state["weight"].tolist() and (loaded["step"], loaded["name"]) == (7, "net")
    with pytest.raises(ValueError, match="not a minidl array file"):
        T.load(io.BytesIO(b"\x80\x04 a pickle"))


def test_views_come_back_sharing_memory_with_their_base(tmp_path):
    """As PyTorch's storages: a view and its base are stored once, and stay one memory after loading."""
    weight = nn.Parameter(T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    base = T.arange(10.0)
    path = tmp_path / "views.pt"
    # the views come first in the file: the parameter's own entry must still decide what it loads as
    T.save({"column": weight[:, 1], "transposed": weight.t(), "weight": weight, "every_other": base[2:9:3],
            "tail": base.view(2, 5)[1, 1:4]}, path)
    loaded = T.load(path)
    assert isinstance(loaded["weight"], nn.Parameter) and loaded["weight"].requires_grad
    assert loaded["column"]._base is loaded["weight"] and loaded["transposed"]._base is loaded["weight"]
    with T.no_grad():
        loaded["weight"][0, 1] = 100.0
    assert loaded["column"].tolist() == [100.0, 5.0]
    assert loaded["transposed"].tolist() == [[1.0, 4.0], [100.0, 5.0], [3.0, 6.0]]
    assert loaded["every_other"].tolist() == [2.0, 5.0, 8.0] and loaded["tail"].tolist() == [6.0, 7.0, 8.0]
    loaded["every_other"].mul_(2)   # the base was saved only through its views: they still share it
    assert loaded["tail"].tolist() == [6.0, 7.0, 16.0]


def test_a_view_that_reaches_outside_its_base_is_refused(tmp_path):
    """A crafted file must not make load() read memory outside the array it stored."""
    path = tmp_path / "view.pt"
    T.save({"v": T.arange(6.0)[1:3]}, path)
    from minidl.io import read_arrays, write_arrays
    arrays, metadata = read_arrays(path)
    entry = metadata["structure"]["__dict__"][0][1]
    entry["strides"] = [1000]
    write_arrays(path, arrays, metadata)
    with pytest.raises(ValueError, match="reaches elements 1..1001 of a base of 6"):
        T.load(path)


def test_dtypes_round_trip_and_a_crafted_dtype_name_is_refused(tmp_path):
    path = tmp_path / "config.mdl"
    T.save({"dtype": T.float16, "more": [T.int64, T.bool]}, path)
    back = T.load(path)
    assert back["dtype"] is T.float16 and back["more"] == [T.int64, T.bool]
    from minidl.io import read_arrays, write_arrays
    arrays, metadata = read_arrays(path)
    metadata["structure"]["__dict__"][0][1] = {"__dtype__": "object"}  # numpy would make an object dtype of it
    write_arrays(path, arrays, metadata)
    with pytest.raises(ValueError, match="not a dtype minidl has: 'object'"):
        T.load(path)


def test_containers_come_back_as_the_types_saved(tmp_path):
    """A dict is loaded as a dict and an OrderedDict (what state_dict() returns) as one, a torch.Size as a Size,
    as torch.load gives them back."""
    path = tmp_path / "mixed.pt"
    T.save({"w": T.ones(2), "size": T.Size([2, 3]), "ordered": OrderedDict(a=1), "state": nn.Linear(2, 1).state_dict(),
            "nested": {"t": (1, [2.5, "x"])}}, path)
    loaded = T.load(path)
    assert type(loaded) is dict and type(loaded["nested"]) is dict and type(loaded["ordered"]) is OrderedDict
    assert type(loaded["state"]) is OrderedDict and list(loaded["state"]) == ["weight", "bias"]
    assert type(loaded["size"]) is T.Size and loaded["size"] == (2, 3) and loaded["nested"]["t"] == (1, [2.5, "x"])


def test_rng_state_is_a_byte_tensor_that_saves_and_restores(tmp_path):
    T.manual_seed(3)
    state = T.get_rng_state()
    assert state.dtype == T.uint8 and state.shape == (37,)
    first = T.rand(4)
    T.save({"rng": state.clone()}, tmp_path / "rng.mdl")
    T.rand(10)
    T.set_rng_state(T.load(tmp_path / "rng.mdl", map_location={"cuda:0": "cpu"})["rng"])
    assert T.equal(T.rand(4), first)
    with pytest.raises(RuntimeError, match="expected a uint8 tensor of 37 bytes"):
        T.set_rng_state(T.zeros(3, dtype=T.uint8))


def test_pytorchs_pickling_options_are_accepted_and_change_nothing(tmp_path):
    path = tmp_path / "w.pt"
    T.save({"w": T.ones(2)}, path, pickle_protocol=4, _use_new_zipfile_serialization=True)
    loaded = T.load(path, map_location="cpu", weights_only=True, mmap=False, encoding="latin1")
    assert loaded["w"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("structure", [
    {"__tensor__": "t9"},                                    # an array the file does not hold
    {"__dict__": [[1, 2, 3]]},                               # a key-value pair of three
    {"__dict__": [[{"__list__": [{"__list__": []}]}, 1]]},   # a key that cannot be hashed
    {"__view__": "t0", "shape": [1], "strides": [1], "__tensor__": "v"},  # a view without its offset
    {"__list__": 5},
    {"__mystery__": 1},
])
def test_a_damaged_structure_is_a_clear_error_naming_the_file(tmp_path, structure):
    """The header is under a checksum, so damage is caught before this; a crafted structure is still an error
    that names the file, not a KeyError or TypeError from deep inside load()."""
    from minidl.io import read_arrays, write_arrays
    path = tmp_path / "crafted.pt"
    T.save({"w": T.ones(2)}, path)
    arrays, metadata = read_arrays(path)
    metadata["structure"] = structure
    write_arrays(path, arrays, metadata)
    with pytest.raises(ArrayFileError, match=f"^{path}: damaged structure"):
        T.load(path)


def test_a_map_location_function_is_called_for_each_stored_tensor_and_its_result_used(tmp_path):
    """As torch.load calls it: ``map_location(storage, location)`` once per stored array (a view shares its
    base's), with the device it was saved from; what it returns is loaded, None meaning "where it was"."""
    base = T.arange(4.0)
    T.save({"w": base, "view": base[1:3], "b": T.ones(2)}, tmp_path / "m.pt")
    calls = []

    def doubled(storage, location):
        calls.append((storage.tolist(), location))
        return storage * 2

    back = T.load(tmp_path / "m.pt", map_location=doubled)
    assert calls == [([0.0, 1.0, 2.0, 3.0], "cpu"), ([1.0, 1.0], "cpu")]
    assert back["w"].tolist() == [0.0, 2.0, 4.0, 6.0] and back["view"].tolist() == [2.0, 4.0]
    back["view"][0] = 10.0  # still a view of the loaded base
    assert back["w"][1].item() == 10.0
    back = T.load(tmp_path / "m.pt", map_location=lambda storage, location: None)
    assert back["b"].tolist() == [1.0, 1.0] and back["b"].device.type == "cpu"


@pytest.mark.skipif(T.cuda.is_available(), reason="the error of a machine without a GPU")
def test_a_tensor_saved_on_a_gpu_names_map_location_on_a_machine_without_one(tmp_path):
    from minidl.io import read_arrays, write_arrays
    path = tmp_path / "gpu.pt"
    T.save({"w": T.ones(2)}, path)
    arrays, metadata = read_arrays(path)
    metadata["structure"]["__dict__"][0][1]["device"] = "cuda:0"  # as a GPU machine writes it
    write_arrays(path, arrays, metadata)
    with pytest.raises(RuntimeError, match=r"CUDA device \(cuda:0\) but cuda.is_available\(\) is False.*"
                                           r"map_location='cpu'"):
        T.load(path)
    assert T.load(path, map_location="cpu")["w"].tolist() == [1.0, 1.0]
    assert T.load(path, map_location={"cuda:0": "cpu"})["w"].tolist() == [1.0, 1.0]
