"""``save(obj, path)`` / ``load(path)``: tensors and nested containers of them, without pickle.

PyTorch pickles, so ``torch.load`` of an untrusted file can run arbitrary code. Here the structure is written
as JSON (dicts, lists, tuples, numbers, strings, None) with each tensor replaced by a reference into the
arrays stored by ``minidl.io`` — loading parses JSON and copies bytes, so it can never execute anything. A
tensor that appears twice (shared) is stored once and comes back shared.
"""
from collections import OrderedDict

import numpy

from ..backend import device as parse_device, to_device
from ..io import read_arrays, write_arrays
from .tensor import Tensor

_KIND = "minidl-eager-save"


def save(obj, f):
    """Write ``obj`` (tensors, numbers, strings, None, and dicts/lists/tuples of them) to ``f``, a path or a binary
    file object (``io.BytesIO``)."""
    arrays, memo = {}, {}

    def encode(x):
        if isinstance(x, Tensor):
            key = memo.get(id(x))
            if key is None:
                key = memo[id(x)] = f"t{len(memo)}"
                arrays[key] = to_device(x._data, parse_device("cpu"))
            from .nn.parameter import Parameter
            return {"__tensor__": key, "requires_grad": x.requires_grad, "device": str(x.device),
                    "parameter": isinstance(x, Parameter)}
        if isinstance(x, numpy.ndarray):
            key = f"a{len(arrays)}"
            arrays[key] = x
            return {"__ndarray__": key}
        if isinstance(x, dict):
            return {"__dict__": [[encode(k), encode(v)] for k, v in x.items()]}
        if isinstance(x, tuple):
            return {"__tuple__": [encode(v) for v in x]}
        if isinstance(x, list):
            return {"__list__": [encode(v) for v in x]}
        if isinstance(x, complex):
            return {"__complex__": [x.real, x.imag]}
        if isinstance(x, numpy.generic):
            return encode(x.item())
        if x is None or isinstance(x, (bool, int, float, str)):
            return x
        raise TypeError(f"save: cannot store an object of type {type(x).__name__}; only tensors, numpy arrays, "
                        "numbers, strings, None and dicts/lists/tuples of them are saved (never pickled code)")

    structure = encode(obj)
    write_arrays(f, arrays, {"kind": _KIND, "structure": structure})


def load(f, map_location=None, weights_only=True):
    """Read what ``save`` wrote, from a path or a binary file object. ``map_location`` ("cpu", "cuda", a device)
    moves every tensor there."""
    arrays, metadata = read_arrays(f)
    if not isinstance(metadata, dict) or metadata.get("kind") != _KIND:
        raise ValueError(f"{f}: not a file written by minidl.eager.save")
    # old code passes ``lambda storage, loc: storage`` ("leave it where it is", i.e. on the CPU)
    target = None if map_location is None else parse_device("cpu" if callable(map_location) else map_location)
    made = {}

    def decode(x):
        if isinstance(x, dict):
            if "__tensor__" in x:
                key = x["__tensor__"]
                if key not in made:
                    made[key] = _make_tensor(arrays[key], x, target)
                return made[key]
            if "__ndarray__" in x:
                return arrays[x["__ndarray__"]]
            if "__dict__" in x:
                return OrderedDict((_hashable(decode(k)), decode(v)) for k, v in x["__dict__"])
            if "__tuple__" in x:
                return tuple(decode(v) for v in x["__tuple__"])
            if "__list__" in x:
                return [decode(v) for v in x["__list__"]]
            if "__complex__" in x:
                return complex(*x["__complex__"])
            raise ValueError(f"{f}: unknown entry {sorted(x)}")
        return x
    return decode(metadata["structure"])


def _make_tensor(array, info, target):
    device = target or parse_device(info.get("device", "cpu"))
    data = to_device(array, device)
    if info.get("parameter"):
        from .nn.parameter import Parameter
        return Parameter(Tensor._make(data), requires_grad=info.get("requires_grad", True))
    t = Tensor._make(data)
    if info.get("requires_grad"):
        t.requires_grad_(True)
    return t


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key
