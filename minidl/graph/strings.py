"""``tf.string``: tensors whose elements are byte strings (TF1's hello world; serialized summaries).

A string tensor's value is a numpy array of dtype ``object`` whose elements are Python ``bytes`` — the same
representation TF1 hands out (its ``tf.string.as_numpy_dtype`` is ``object``): ``sess.run`` of a scalar string gives
``b'Hello, TensorFlow!'``, of a vector an object array of bytes. A ``str`` becomes its UTF-8 encoding, as in TF.

Why not numpy's fixed-width bytes dtype (``S``)? It drops trailing NUL bytes whenever an element is read
(``numpy.array(b"a\\0")[()] == b"a"``), which corrupts binary strings such as a serialized protocol buffer ending
in a float 0.0; and its item size would make a tensor's dtype depend on its longest string, so ``t.dtype ==
tf.string`` could not hold for every string tensor.

The op library computes on numbers, but its ops that only move elements (reshape, concat, stack, slicing, gather,
tile, where, unique...) do on an object array of bytes what they do on numbers, and so do equality tests: those
take string tensors (``STRING_SAFE_OPS``), as TF's do. The string functions (string_functions.py) compute on
strings; arithmetic on them is a TypeError, except ``+``, which joins them as TF's ``Add`` does.
"""
import numpy

from ..ops.combine import Cat, Split, Stack, Tile, Unbind
from ..ops.compare import Eq, Ne, Where
from ..ops.gather import Gather, InBounds
from ..ops.indexing import Index, Slice
from ..ops.shape import BroadcastTo, Flatten, Flip, Permute, Reshape, Roll, Squeeze, Transpose, Unsqueeze
from ..ops.sorting import Unique
from .dtypes import string  # tf.string: the DType whose numpy dtype is object

#: the library ops that take string tensors: numpy runs them on an object array of bytes as on numbers
STRING_SAFE_OPS = frozenset({Cat, Split, Stack, Tile, Unbind, Eq, Ne, Where, Gather, InBounds, Index, Slice,
                             BroadcastTo, Flatten, Flip, Permute, Reshape, Roll, Squeeze, Transpose, Unsqueeze, Unique})

_TEXT = (str, bytes)  # numpy.str_ and numpy.bytes_ are subclasses


def is_text(value):
    """True for a str or bytes, or a (nested) list/tuple/array of them: the values ``tf.constant`` makes strings."""
    if isinstance(value, _TEXT):
        return True
    if isinstance(value, numpy.ndarray):
        return value.dtype.kind in "SU" or (value.dtype == string and value.size > 0 and
                                             all(isinstance(x, _TEXT) for x in value.flat))
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(is_text(v) for v in value)
    return False


def as_string_array(value):
    """``value`` (str, bytes, or a nest of lists/arrays of them) as a string tensor's value: an object array of
    bytes, each str encoded as UTF-8. Anything else is TF's "Expected string" TypeError."""
    if isinstance(value, numpy.ndarray) and value.dtype.kind == "S":
        value = value.astype(object)  # bytes elements, without going through str
    items = numpy.array(value, dtype=object)  # dtype=object keeps each bytes object whole (NULs included)
    out = numpy.empty(items.shape, dtype=object)
    for index, item in numpy.ndenumerate(items):
        if isinstance(item, str):
            out[index] = item.encode("utf-8")
        elif isinstance(item, bytes):
            out[index] = bytes(item)  # a numpy.bytes_ becomes plain bytes, as TF returns
        else:
            raise TypeError(f"Expected string, got {item!r} of type '{type(item).__name__}' instead.")
    return out


def refuse_strings(op, tensors):
    """The TypeError for a library op that computes on numbers (arithmetic, matmul, reductions...) given a string
    tensor."""
    if op in STRING_SAFE_OPS or getattr(op, "takes_strings", False):
        return
    for i, t in enumerate(tensors):
        if t.dtype == string:
            raise TypeError(f"Value passed to input {i} of '{op.name}' Op has DataType string, not in list of allowed "
                            f"values (bool and numeric types): {t.name} is a string tensor, and strings take only "
                            "the ops that move elements (reshape, concat, gather, slicing...), equality and the "
                            "tf.strings functions")
