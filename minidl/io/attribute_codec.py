"""Op attributes as JSON and back: what a saved program — a meta graph (``graph/meta_graph.py``), a traced module
(``eager/jit.py``) — records of each op's attributes (a stride, a dtype, an index, a constant's value).

JSON has numbers, strings, lists and objects; an attribute may be a tuple, a numpy dtype, a slice, an array. So a
value JSON cannot keep as it is becomes an object with one *tag* saying what it was: ``{"tuple": [...]}``,
``{"numpy_dtype": "<f4"}``, ``{"slice": [1, null, 2]}``, ``{"float": "inf"}``, ``{"array": "3"}`` (arrays are
stored beside the JSON, in the same array file, under that name). Plain values: None, bools, ints, floats, strings,
complex numbers, tuples, lists, dicts with int or str keys, numpy dtypes and scalars, arrays of numbers or of byte
strings, slices, Ellipsis, and minidl's own namedtuples. A front end adds its types (graph mode: shapes, TF
dtypes, references to operations) through ``other``.

Decoding builds only those types — a dtype string that is not a number type, a namedtuple that is not minidl's,
an unknown tag, are refused — so reading a file never executes code from it.
"""
import base64
import builtins
import math
import sys

import numpy

__all__ = ["NotEncodable", "decode", "encode"]


class NotEncodable(ValueError):
    """A value a saved program cannot describe (Python code, an arbitrary object)."""


def encode(value, arrays, other=None, where="an attribute"):
    """The JSON form of ``value``; arrays go into the dict ``arrays`` (name -> array). ``other(value, encode)``,
    if given, is asked first: it returns the JSON form of a front end's own types, or NotImplemented."""
    def again(item):
        return encode(item, arrays, other, where)
    if other is not None:
        special = other(value, again)
        if special is not NotImplemented:
            return special
    if value is None or isinstance(value, (bool, str)):
        return value
    if value.__class__ is int:
        return value
    if value.__class__ is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, tuple) and _is_minidl_namedtuple(type(value)):  # (a resize's Rule): its type matters
        return {"namedtuple": f"{type(value).__module__}:{type(value).__qualname__}",
                "fields": [again(v) for v in value]}
    if isinstance(value, tuple):
        return {"tuple": [again(v) for v in value]}
    if isinstance(value, list):
        return {"list": [again(v) for v in value]}
    if isinstance(value, dict) and all(k.__class__ in (int, str) for k in value):
        return {"dict": [[k, again(v)] for k, v in value.items()]}
    if isinstance(value, numpy.dtype):
        return {"numpy_dtype": value.str}
    if isinstance(value, numpy.generic) and value.dtype.kind in "biufc":
        return {"scalar": value.dtype.str, "value": again(value.item())}
    if isinstance(value, complex):
        return {"complex": [value.real, value.imag]}
    if isinstance(value, numpy.ndarray):
        return _encode_array(value, arrays, where)
    if isinstance(value, slice):
        return {"slice": [again(v) for v in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"ellipsis": True}
    raise NotEncodable(f"{where} holds a {type(value).__name__}, which a saved program cannot describe (Python code "
                       f"and Python objects are not saved)")


def _encode_array(value, arrays, where):
    if value.dtype.kind in "biufc":
        name = f"{len(arrays)}"
        arrays[name] = value
        return {"array": name}
    if value.dtype.kind == "O" and all(isinstance(v, bytes) for v in value.flat):  # a string tensor
        return {"strings": [base64.b64encode(v).decode("ascii") for v in value.flat], "shape": list(value.shape)}
    raise NotEncodable(f"{where} is an array of dtype {value.dtype}, which a saved program cannot describe")


def decode(value, arrays, other=None, where="decode"):
    """The value ``encode`` described, with the arrays it stored. ``other(tag, value, decode)``, if given, builds a
    front end's own tagged values, or returns NotImplemented."""
    def again(item):
        return decode(item, arrays, other, where)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if not (isinstance(value, dict) and value):
        raise ValueError(f"{where}: malformed attribute value {value!r}")
    tag = next(iter(value))
    if other is not None:
        special = other(tag, value, again)
        if special is not NotImplemented:
            return special
    if tag == "float":
        return float(value["float"])
    if tag == "tuple":
        return tuple(again(v) for v in value["tuple"])
    if tag == "namedtuple":
        return _minidl_namedtuple(value["namedtuple"], where)(*(again(v) for v in value["fields"]))
    if tag == "list":
        return [again(v) for v in value["list"]]
    if tag == "dict":
        return {k: again(v) for k, v in value["dict"]}
    if tag == "numpy_dtype":
        return _plain_dtype(value["numpy_dtype"], where)
    if tag == "scalar":
        return _plain_dtype(value["scalar"], where).type(again(value["value"]))
    if tag == "complex":
        return builtins.complex(*value["complex"])
    if tag == "array":
        if value["array"] not in arrays:
            raise ValueError(f"{where}: the file lacks array {value['array']!r}")
        return arrays[value["array"]]
    if tag == "strings":
        flat = [base64.b64decode(s) for s in value["strings"]]
        strings = numpy.empty(len(flat), dtype=object)
        strings[:] = flat
        return strings.reshape(value["shape"])
    if tag == "slice":
        return slice(*(again(v) for v in value["slice"]))
    if tag == "ellipsis":
        return Ellipsis
    raise ValueError(f"{where}: unknown attribute tag {tag!r}")


def _is_minidl_namedtuple(cls):
    return hasattr(cls, "_fields") and cls.__module__.startswith("minidl.")


def _minidl_namedtuple(key, where):
    """The namedtuple class that ``key`` ("module:name") names — only one of minidl's own, in a module already
    imported: a file names it, and looking it up must run nothing (importing a module runs its code)."""
    module, _, name = key.partition(":")
    cls = None
    if module.startswith("minidl.") and "." not in name:
        cls = getattr(sys.modules.get(module), name, None)
    if not (isinstance(cls, type) and issubclass(cls, tuple) and _is_minidl_namedtuple(cls)):
        raise ValueError(f"{where}: the file names {key!r}, which is not one of minidl's attribute types")
    return cls


def _plain_dtype(text, where):
    """A numpy dtype from the file's string, refused unless it is a plain number/bool type (never ``object``)."""
    dtype = numpy.dtype(text)
    if dtype.kind not in "biufc":
        raise ValueError(f"{where}: dtype {text!r} is not a number type")
    return dtype
