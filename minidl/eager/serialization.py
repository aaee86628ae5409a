"""``save(obj, path)`` / ``load(path)``: tensors and nested containers of them, without pickle.

PyTorch pickles, so ``torch.load`` of an untrusted file can run arbitrary code. Here the structure is written
as JSON (dicts, lists, tuples, numbers, strings, None) with each tensor replaced by a reference into the
arrays stored by ``minidl.io`` — loading parses JSON and copies bytes, so it can never execute anything. A
tensor that appears twice (shared) is stored once and comes back shared. So does memory: a view (``w[0]``,
``w.t()``) is stored as its base's array — once, whichever of them are saved — plus where the view lies in it
(offset and strides, in elements), and comes back as a view of the loaded base, as PyTorch's shared storages do.
A sparse COO tensor is stored as its indices and values tensors, its size and whether it is coalesced; a sparse CSR
tensor as its crow_indices, col_indices and values tensors and its size.
"""
from collections import OrderedDict

import numpy

from ..backend import Device, cuda_is_available, device as parse_device, get_array_module, to_device
from ..io import ArrayFileError, read_arrays, write_arrays
from . import element_types
from .sparse_coo_tensors import SparseCooTensor, sparse_coo_tensor
from .sparse_csr_tensors import SparseCompressedTensor, SparseCscTensor, SparseCsrTensor, _compressed_tensor
from .tensor import Size, Tensor

_KIND = "minidl-eager-save"


def _place_in(view, base):
    """``(offset, strides)`` in elements of the tensor ``view``'s array inside the contiguous array of the tensor
    ``base`` (same dtype), or None where the view's elements do not all lie in ``base``'s memory."""
    offset, remainder = divmod(view.data_ptr() - base.data_ptr(), view._data.itemsize)
    view, base = view._data, base._data
    itemsize = view.itemsize
    strides = [s // itemsize for s in view.strides]
    if remainder or any(s % itemsize for s in view.strides):
        return None
    if view.size:
        lowest = offset + sum((n - 1) * s for n, s in zip(view.shape, strides) if s < 0)
        highest = offset + sum((n - 1) * s for n, s in zip(view.shape, strides) if s > 0)
        if lowest < 0 or highest >= base.size:
            return None
    return offset, strides


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Write ``obj`` (tensors, numbers, strings, None, and dicts/lists/tuples of them) to ``f``, a path or a binary
    file object (``io.BytesIO``). PyTorch's pickling options are accepted, so that its programs run, and mean
    nothing here: nothing is pickled."""
    arrays, memo, objects = {}, {}, {}

    def object_key(t):
        """One key per tensor object: two saved tensors sharing memory (``p`` and ``p.detach()``) load as two
        tensors on one array, each with its own flags; the same object saved twice loads as one object."""
        key = objects.get(id(t))
        if key is None:
            key = objects[id(t)] = (f"o{len(objects)}", t)   # (t kept: its id must not be reused meanwhile)
        return key[0]

    def array_key(t):
        """The key under which ``t``'s own array is stored: once for all tensors that hold the same memory in the
        same layout (``w`` and ``w.detach()``; a tied weight in a state_dict), which load as one array again."""
        data = t._data
        same = (t.data_ptr(), data.shape, data.strides, data.dtype.str, str(t.device))
        key = memo.get(same)
        if key is None:
            key = memo[same] = f"t{len(memo)}"
            arrays[key] = to_device(data, parse_device("cpu"))
        return key

    def encode(x):
        if isinstance(x, SparseCooTensor):  # its two parts, and what makes them one tensor
            return {"__sparse_coo__": {"indices": encode(x._indices()), "values": encode(x._sparse_values),
                                       "size": list(x.shape), "coalesced": x.is_coalesced()}}
        if isinstance(x, SparseCompressedTensor):  # "__sparse_csr__" or "__sparse_csc__", its parts by name
            compressed_name, plain_name = x._part_names
            return {f"__{x.layout._name}__": {compressed_name: encode(x._compressed_indices),
                                              plain_name: encode(x._plain_indices),
                                              "values": encode(x._sparse_values), "size": list(x.shape)}}
        if isinstance(x, Tensor):
            from .nn.parameter import Parameter
            entry = {"requires_grad": x.requires_grad, "device": str(x.device), "parameter": isinstance(x, Parameter)}
            base = x._base
            if base is not None and base._data.flags.c_contiguous and base._data.dtype == x._data.dtype:
                place = _place_in(x, base)
                if place is not None:  # (a base whose memory was replaced since, by .data = or resize_: a copy)
                    entry.update(__view__=array_key(base), offset=place[0], shape=list(x._data.shape),
                                 strides=place[1], __tensor__=f"v{id(x)}")
                    return entry
            entry["__tensor__"], entry["__object__"] = array_key(x), object_key(x)
            return entry
        if isinstance(x, numpy.ndarray):
            key = f"a{len(arrays)}"
            arrays[key] = x
            return {"__ndarray__": key}
        if isinstance(x, dict):  # (an OrderedDict, what state_dict() returns, comes back as one; a dict as a dict)
            kind = "__ordered_dict__" if isinstance(x, OrderedDict) else "__dict__"
            encoded = {kind: [[encode(k), encode(v)] for k, v in x.items()]}
            if hasattr(x, "_metadata"):  # a state_dict's versions per module (Module.state_dict), kept as PyTorch does
                encoded["_metadata"] = encode(x._metadata)
            return encoded
        if isinstance(x, Size):
            return {"__size__": list(x)}
        if isinstance(x, tuple):
            return {"__tuple__": [encode(v) for v in x]}
        if isinstance(x, list):
            return {"__list__": [encode(v) for v in x]}
        if isinstance(x, (set, frozenset)):
            return {"__set__" if isinstance(x, set) else "__frozenset__": [encode(v) for v in x]}
        if isinstance(x, (bytes, bytearray)):  # (as hex digits: the structure is JSON text)
            return {"__bytes__" if isinstance(x, bytes) else "__bytearray__": x.hex()}
        if isinstance(x, complex):
            return {"__complex__": [x.real, x.imag]}
        if isinstance(x, element_types.dtype):
            return {"__dtype__": x.name}
        if isinstance(x, Device):
            return {"__device__": str(x)}
        if isinstance(x, numpy.generic):
            return encode(x.item())
        if x is None or isinstance(x, (bool, int, float, str)):
            return x
        hint = ""
        if hasattr(x, "state_dict"):  # torch.save(model) pickles the whole object; here only its values can go
            hint = (f". To save a {type(x).__name__}, save its values, save(obj.state_dict(), path), and load them "
                    "into a newly built one with obj.load_state_dict(load(path))")
        raise TypeError(f"save: cannot store an object of type {type(x).__name__}; only tensors, numpy arrays, "
                        f"numbers, strings, bytes, dtypes, devices, None and dicts/lists/tuples/sets of them are "
                        f"saved (never pickled code){hint}")

    structure = encode(obj)
    write_arrays(f, arrays, {"kind": _KIND, "structure": structure})


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Read what ``save`` wrote, from a path or a binary file object. ``map_location`` ("cpu", "cuda", a device)
    moves every tensor there; a dict (``{"cuda:0": "cpu"}``) moves the tensors saved from each device it names; a
    function is called as PyTorch calls it, ``map_location(tensor, "cuda:0")`` with each stored tensor (on the CPU)
    and the device it was saved from, and what it returns is used (``lambda storage, loc: storage`` keeps it on the
    CPU, ``... storage.cuda(rank)`` moves it; None: where it was saved). The file is read whole (``mmap`` is
    accepted and ignored); loading never runs code, so it is always what PyTorch calls ``weights_only``, and the
    unpickler's options (``pickle_module``, ``encoding``) have nothing to apply to."""
    arrays, metadata = read_arrays(f)
    if not isinstance(metadata, dict) or metadata.get("kind") != _KIND:
        raise ValueError(f"{f}: not a file written by minidl.eager.save")
    try:
        return _decoded(metadata["structure"], arrays, _placement(map_location))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as error:  # (crafted)
        raise ArrayFileError(f"{f}: damaged structure ({type(error).__name__}: {error})") from error


def _placement(map_location):
    """``place(array, saved_on)``: the array of a loaded tensor, moved as ``map_location`` says."""
    if callable(map_location) and not isinstance(map_location, (str, Device)):
        def place(array, saved_on):
            mapped = map_location(Tensor._make(array), saved_on)
            return _on_device(array, saved_on) if mapped is None else mapped._data
        return place
    if isinstance(map_location, dict):
        moved = {str(parse_device(a)): str(parse_device(b)) for a, b in map_location.items()}
        return lambda array, saved_on: _on_device(array, moved.get(saved_on, saved_on))
    if map_location is None:
        return _on_device
    target = str(parse_device(map_location))
    return lambda array, saved_on: _on_device(array, target)


def _on_device(array, name):
    """``array`` moved to the device called ``name``; PyTorch's words where that is a GPU this machine lacks."""
    device = parse_device(name)
    if device.type == "cuda" and not cuda_is_available():
        raise RuntimeError(f"Attempting to deserialize object on a CUDA device ({name}) but cuda.is_available() "
                           f"is False. If you are running on a CPU-only machine, please use load with "
                           f"map_location='cpu' to map your storages to the CPU.")
    return to_device(array, device)


def _decoded(structure, arrays, place):
    """The saved object, from the JSON ``structure`` and the arrays it refers to, each tensor's array placed by
    ``place(array, saved_on)``."""
    on_array, made, saved_as = {}, {}, {}
    _tensor_entries(structure, saved_as)

    def tensor(key, info):
        """A tensor on the array stored under ``key`` (moved where it goes once), with what ``info`` says: the
        first one made on it is the base of the views saved from it."""
        if key not in on_array:
            saved_on = str(parse_device(saved_as.get(key, info).get("device", "cpu")))
            on_array[key] = _as_saved(Tensor._make(place(arrays[key], saved_on)), info)
            return on_array[key]
        return _as_saved(Tensor._make(on_array[key]._data), info)

    def stored(entry):
        """The tensor object a saved entry names, made once (files of earlier versions: one object per array)."""
        key = entry.get("__object__", entry["__tensor__"])
        if key not in made:
            made[key] = tensor(entry["__tensor__"], entry)
        return made[key]

    def base_of_views(key):
        """The tensor the views saved from array ``key`` look into: the first tensor made on it — the object
        saved with it, if one was, else one made for the views."""
        if key not in on_array:
            entry = saved_as[key]
            return stored(entry) if "__tensor__" in entry else tensor(key, entry)
        return on_array[key]

    def decode(x):
        if isinstance(x, dict):
            if "__view__" in x:
                key = x["__tensor__"]
                if key not in made:
                    made[key] = _make_view(base_of_views(x["__view__"]), x)
                return made[key]
            if "__tensor__" in x:
                return stored(x)
            if "__sparse_coo__" in x:
                return _sparse_from(x["__sparse_coo__"], decode)
            if "__sparse_csr__" in x:
                return _sparse_compressed_from(SparseCsrTensor, x["__sparse_csr__"], decode)
            if "__sparse_csc__" in x:
                return _sparse_compressed_from(SparseCscTensor, x["__sparse_csc__"], decode)
            if "__ndarray__" in x:
                return arrays[x["__ndarray__"]]
            if "__dict__" in x:
                return {_hashable(decode(k)): decode(v) for k, v in x["__dict__"]}
            if "__ordered_dict__" in x:
                ordered = OrderedDict((_hashable(decode(k)), decode(v)) for k, v in x["__ordered_dict__"])
                if "_metadata" in x:
                    ordered._metadata = decode(x["_metadata"])
                return ordered
            if "__size__" in x:
                return Size(x["__size__"])
            if "__tuple__" in x:
                return tuple(decode(v) for v in x["__tuple__"])
            if "__list__" in x:
                return [decode(v) for v in x["__list__"]]
            if "__set__" in x:
                return {_hashable(decode(v)) for v in x["__set__"]}
            if "__frozenset__" in x:
                return frozenset(_hashable(decode(v)) for v in x["__frozenset__"])
            if "__bytes__" in x:
                return bytes.fromhex(x["__bytes__"])
            if "__bytearray__" in x:
                return bytearray.fromhex(x["__bytearray__"])
            if "__device__" in x:
                return parse_device(x["__device__"])
            if "__complex__" in x:
                return complex(*x["__complex__"])
            if "__dtype__" in x:
                return element_types.by_name(x["__dtype__"])
            raise KeyError(f"unknown entry {sorted(x)}")
        return x
    return decode(structure)


def _tensor_entries(x, found):
    """Collect ``{key: entry}`` of every stored (non-view) tensor in the decoded JSON structure ``x``. A base that
    only views were saved from gets the device of its views: it lives where they do."""
    stack, view_devices = [x], {}
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if "__view__" in x:
                view_devices.setdefault(x["__view__"], x.get("device", "cpu"))
            elif "__tensor__" in x:
                found.setdefault(x["__tensor__"], x)
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    for key, device in view_devices.items():
        found.setdefault(key, {"device": device})


def _as_saved(t, info):
    """``t`` as the saved entry describes it: a Parameter, or a tensor that requires grad, or a plain one."""
    if info.get("parameter"):
        from .nn.parameter import Parameter
        return Parameter(t, requires_grad=info.get("requires_grad", True))
    if info.get("requires_grad"):
        t.requires_grad_(True)
    return t


def _make_view(base, info):
    """A tensor looking into ``base``'s memory at ``offset`` with ``shape`` and ``strides`` (in elements), sharing
    its version counter, as the view that was saved did."""
    data = base._data
    xp = get_array_module(data)
    itemsize = data.itemsize
    flat = data.reshape(-1)
    offset, shape, strides = info["offset"], info["shape"], info["strides"]
    # a file must never make us read outside the base: every element the view reaches has to lie inside it
    numbers = [offset] + list(shape) + list(strides)
    if not (all(isinstance(n, int) and not isinstance(n, bool) for n in numbers) and len(shape) == len(strides)
            and all(n >= 0 for n in shape)):
        raise ValueError(f"load: a view with a malformed offset/shape/strides ({offset}, {shape}, {strides})")
    if 0 not in shape:
        lowest = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s < 0)
        highest = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s > 0)
        if lowest < 0 or highest >= flat.size:
            raise ValueError(f"load: a view reaches elements {lowest}..{highest} of a base of {flat.size}: the file "
                             f"is corrupt or was not written by minidl.eager.save")
    view = xp.lib.stride_tricks.as_strided(flat[offset:] if 0 not in shape else flat[:0], tuple(shape),
                                           tuple(s * itemsize for s in strides))
    t = Tensor._make(view)
    t._base, t._version_counter = base, base._counter()
    return _as_saved(t, info)


def _sparse_from(entry, decode):
    """A saved sparse COO tensor, its parts checked as ``sparse_coo_tensor`` checks them (a file may lie)."""
    indices, values = decode(entry["indices"]), decode(entry["values"])
    loaded = sparse_coo_tensor(indices, values.detach(), entry["size"], is_coalesced=entry["coalesced"])
    return loaded.requires_grad_(True) if values.requires_grad else loaded


def _sparse_compressed_from(cls, entry, decode):
    """A saved sparse CSR or CSC tensor (``cls``), its parts checked as ``sparse_csr_tensor`` /
    ``sparse_csc_tensor`` check them (a file may lie)."""
    compressed, plain, values = (decode(entry[name]) for name in cls._part_names + ("values",))
    loaded = _compressed_tensor(cls, compressed, plain, values.detach(), entry["size"], None, None, False, None)
    return loaded.requires_grad_(True) if values.requires_grad else loaded


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


# ------------------------------------------------------------------------- PyTorch's allow-list for unpickling
# PyTorch's weights-only ``load`` unpickles, and rebuilds only the classes and functions a program allowed with
# ``torch.serialization.add_safe_globals``. This ``load`` unpickles nothing, so there is nothing to allow: the list
# is kept, for ``get_safe_globals``, only so that programs written for PyTorch 2.4+ run unchanged.
_safe_globals = []


def add_safe_globals(safe_globals):
    """Add classes/functions to the allow-list (which this ``load``, never unpickling, does not need)."""
    _safe_globals.extend(safe_globals)


def get_safe_globals():
    return list(_safe_globals)


def clear_safe_globals():
    _safe_globals.clear()


class safe_globals:
    """``with safe_globals([...]):``: the allow-list grows by these for the block only."""

    def __init__(self, safe_globals):
        self._added = list(safe_globals)

    def __enter__(self):
        _safe_globals.extend(self._added)

    def __exit__(self, *exc):
        for item in self._added:
            _safe_globals.remove(item)
