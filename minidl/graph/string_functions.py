"""TF1's string functions: ``tf.strings.to_number`` (``tf.string_to_number``), ``length``, ``lower``, ``upper``,
``join`` (``tf.string_join``), ``reduce_join`` (``tf.reduce_join``), ``strip`` (``tf.string_strip``), ``regex_replace``
(``tf.regex_replace``) and ``substr`` (``tf.substr``). The splits into tokens are in string_split.py.

A string tensor's value is an object array of ``bytes`` (strings.py); these ops run Python's own ``bytes``
methods on each element, on the CPU. Strings are not differentiable, so none of these ops has a gradient.
"""
import re

import numpy

from ..backend import host_array
from ..ops.base import Spec
from . import errors
from .core import get_default_graph
from .dtypes import as_dtype, float32, float64, int32, int64, string
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .string_ops import strings

__all__ = ["reduce_join", "regex_replace", "string_join", "string_strip", "string_to_number", "substr"]


def parse_number(text, dtype):
    """``text`` (bytes) as a number of numpy ``dtype`` (an integer or float type), or None if it is not one.

    TF parses with C's rules: surrounding whitespace and a sign are fine, an integer must have no decimal point and
    fit its type, a float may be ``inf`` or ``nan``, and a float too large for float32 becomes inf. Python's
    ``int``/``float`` follow the same rules, except that they accept ``_`` between digits, which is refused here.
    """
    try:
        text = text.decode("ascii")
    except UnicodeDecodeError:
        return None
    if "_" in text:
        return None
    dtype = numpy.dtype(dtype)
    try:
        value = int(text) if dtype.kind == "i" else float(text)
    except ValueError:
        return None
    if dtype.kind == "i":
        limits = numpy.iinfo(dtype)
        return dtype.type(value) if limits.min <= value <= limits.max else None
    with numpy.errstate(over="ignore"):  # 1e40 as float32 is inf, as in C's strtof
        return dtype.type(value)


class _EachElement(GraphOp):
    """Base of the ops that compute one output element from the elements at the same position of their inputs,
    which broadcast like numpy's (a scalar ``pos`` against a vector of strings). A subclass defines
    ``each(operation, *values)``; the output's dtype is the op's output dtype (``object`` for strings)."""

    @classmethod
    def execute(cls, session, operation, arrays):
        inputs = numpy.broadcast_arrays(*[host_array(a) for a in arrays])
        dtype = operation.outputs[0].dtype
        out = numpy.empty(inputs[0].shape, dtype=dtype.as_numpy_dtype)
        for index in numpy.ndindex(out.shape):
            out[index] = cls.each(operation, *[a[index] for a in inputs])
        return (session.on_device(out),)


def _each_element(op, inputs, attrs, dtype, name):
    """Add an ``_EachElement`` op to the default graph; its output has the broadcast shape of ``inputs``."""
    shapes = [t.shape for t in inputs]
    shape = None
    if all(s.rank_known and None not in tuple(s) for s in shapes):
        shape = numpy.broadcast_shapes(*[tuple(s) for s in shapes])
    elif len(inputs) == 1 and shapes[0].rank_known:
        shape = tuple(shapes[0])
    operation = get_default_graph().create_op(op, inputs, attrs, [Spec(shape, dtype)], name=name)
    return operation.outputs[0]


def _strings(value, argument):
    """``value`` as a string tensor; a TypeError naming ``argument`` for any other dtype."""
    tensor = convert_to_tensor(value)
    if tensor.dtype != string:
        raise TypeError(f"`{argument}` must be a string tensor, got {tensor.dtype.name}")
    return tensor


def _text_attr(value):
    """A str or bytes argument kept as str in the op's attrs, so that an exported graph can store it."""
    return value.decode("utf-8") if isinstance(value, bytes) else value


# ================================================================================================ to_number

class StringToNumber(_EachElement):
    @staticmethod
    def each(operation, value):
        number = parse_number(value, operation.outputs[0].dtype.as_numpy_dtype)
        if number is None:
            raise errors.InvalidArgumentError(None, operation, "StringToNumberOp could not correctly convert string: "
                                                               + value.decode("utf-8", "replace"))
        return number


def string_to_number(string_tensor, out_type=float32, name=None):
    """Each string parsed as a number of ``out_type`` (float32, float64, int32 or int64): ``b"3.5"`` → 3.5. A
    string that is not such a number (``b""``, ``b"1.5"`` for an int type, ``b"abc"``) is an
    ``InvalidArgumentError`` when the op runs."""
    out_type = as_dtype(out_type)
    if out_type not in (float32, float64, int32, int64):
        raise TypeError(f"out_type must be float32, float64, int32 or int64, got {out_type.name}")
    return _each_element(StringToNumber, [_strings(string_tensor, "string_tensor")], {}, out_type,
                         name or "StringToNumber")


# ========================================================================== length, lower, upper, strip

_UNITS = ("BYTE", "UTF8_CHAR")


def _check_unit(unit):
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {_UNITS}, got {unit!r}")


class StringLength(_EachElement):
    @staticmethod
    def each(operation, value):
        # a UTF8_CHAR length counts characters; an invalid byte counts as one, as TF counts it
        return len(value) if operation.attrs["unit"] == "BYTE" else len(value.decode("utf-8", "replace"))


def length(input, name=None, unit="BYTE"):
    """The length of each string, int32: in bytes (``unit="BYTE"``) or in UTF-8 characters (``"UTF8_CHAR"``)."""
    _check_unit(unit)
    return _each_element(StringLength, [_strings(input, "input")], {"unit": unit}, int32, name or "StringLength")


class StringMethod(_EachElement):
    """``bytes.<attr method>()`` of each string (``lower``, ``upper``, ``strip``); with attr ``encoding`` "utf-8"
    the string is decoded first, so that non-ASCII letters change case too."""

    @staticmethod
    def each(operation, value):
        method, encoding = operation.attrs["method"], operation.attrs["encoding"]
        if encoding:
            return getattr(value.decode(encoding), method)().encode(encoding)
        return getattr(value, method)()  # bytes methods: ASCII letters and whitespace only, like TF's


def _string_method(input, method, encoding, name):
    if encoding not in ("", "utf-8"):
        raise ValueError(f"encoding must be '' (ASCII) or 'utf-8', got {encoding!r}")
    return _each_element(StringMethod, [_strings(input, "input")], {"method": method, "encoding": encoding}, string,
                         name)


def lower(input, encoding="", name=None):
    """Each string in lower case: ASCII letters only, unless ``encoding="utf-8"``."""
    return _string_method(input, "lower", encoding, name or "StringLower")


def upper(input, encoding="", name=None):
    """Each string in upper case: ASCII letters only, unless ``encoding="utf-8"``."""
    return _string_method(input, "upper", encoding, name or "StringUpper")


def string_strip(input, name=None):
    """Each string without its leading and trailing ASCII whitespace (space, ``\\t\\n\\r\\v\\f``)."""
    return _string_method(input, "strip", "", name or "StringStrip")


# ============================================================================================= join, substr

class StringJoin(_EachElement):
    @staticmethod
    def each(operation, *values):
        return operation.attrs["separator"].encode("utf-8").join(values)


def string_join(inputs, separator="", name=None):
    """The strings of ``inputs`` (a list of string tensors of one shape, or scalars, which broadcast) joined
    element by element with ``separator``: ``string_join([["a", "b"], "!"])`` is ``[b"a!", b"b!"]``."""
    if not inputs:
        raise ValueError("string_join needs at least one input")
    tensors = [_strings(t, f"inputs[{i}]") for i, t in enumerate(inputs)]
    return _each_element(StringJoin, tensors, {"separator": _text_attr(separator)}, string, name or "StringJoin")


class Substr(_EachElement):
    @staticmethod
    def each(operation, value, pos, size):
        utf8 = operation.attrs["unit"] == "UTF8_CHAR"
        text = value.decode("utf-8") if utf8 else value
        pos, size = int(pos), int(size)
        if not -len(text) <= pos <= len(text):  # pos == len gives b""; a negative pos counts from the end
            raise errors.InvalidArgumentError(None, operation, f"pos {pos} out of range for string b'"
                                                               f"{value.decode('utf-8', 'replace')}'")
        if size < 0:
            raise errors.InvalidArgumentError(None, operation, f"len {size} must be non-negative")
        start = pos % len(text) if pos < 0 else pos
        part = text[start:start + size]  # a len past the end stops at the end
        return part.encode("utf-8") if utf8 else part


def substr(input, pos, len, name=None, unit="BYTE"):
    """``len`` bytes (or UTF-8 characters, ``unit="UTF8_CHAR"``) of each string, starting at ``pos`` (negative:
    from the end); fewer where the string ends first. ``pos`` and ``len`` are integers or integer tensors that
    broadcast against ``input``. A ``pos`` outside the string is an ``InvalidArgumentError`` when the op runs."""
    _check_unit(unit)
    positions, sizes = convert_to_tensor(pos), convert_to_tensor(len)
    if not (positions.dtype.is_integer and sizes.dtype.is_integer):
        raise TypeError("substr: pos and len must be integers")
    return _each_element(Substr, [_strings(input, "input"), positions, sizes], {"unit": unit}, string,
                         name or "Substr")


# ============================================================================================= reduce_join

class ReduceJoin(GraphOp):
    """The strings of ``input`` joined along ``axes``, one reduction after the other in the order given: the first
    axis listed varies fastest in each joined string."""

    @staticmethod
    def execute(session, operation, arrays):
        values = host_array(arrays[0])
        axes, separator = operation.attrs["axes"], operation.attrs["separator"].encode("utf-8")
        # the last axis listed becomes the slowest of the trailing dims, the first the fastest: row-major order
        moved = numpy.moveaxis(values, axes[::-1], range(values.ndim - len(axes), values.ndim))
        kept = moved.shape[:values.ndim - len(axes)]
        rows = moved.reshape(kept + (-1,))
        out = numpy.empty(kept, dtype=object)
        for index in numpy.ndindex(kept):
            out[index] = separator.join(rows[index])
        if operation.attrs["keepdims"]:
            out = out.reshape([1 if d in axes else n for d, n in enumerate(values.shape)])
        return (out,)


def reduce_join(inputs, axis=None, keep_dims=None, separator="", name=None, reduction_indices=None, keepdims=None):
    """The strings of ``inputs`` joined with ``separator`` along ``axis`` (an int or a list; all axes if None):
    for ``a = [["a", "b"], ["c", "d"]]``, ``reduce_join(a, 0)`` is ``[b"ac", b"bd"]``, ``reduce_join(a, 1)`` is
    ``[b"ab", b"cd"]`` and ``reduce_join(a)`` is ``b"abcd"``. Several axes are joined one after the other in the
    order listed (``reduce_join(a, [0, 1])`` is ``b"acbd"``); with ``keep_dims`` they stay, as size 1."""
    tensor = _strings(inputs, "inputs")
    axis = reduction_indices if axis is None else axis
    keepdims = bool(keep_dims if keepdims is None else keepdims)
    rank = tensor.shape.rank
    if rank is None:
        raise ValueError("reduce_join needs the rank of its input to be known")
    axes = list(range(rank))[::-1] if axis is None else [axis] if isinstance(axis, int) else list(axis)
    if any(not -rank <= a < rank for a in axes) or len({a % rank for a in axes}) != len(axes):
        raise ValueError(f"reduce_join: axis {axis} must be distinct axes in [{-rank}, {rank}) for an input of rank "
                         f"{rank}")
    axes = [a % rank for a in axes]
    dims = tuple(tensor.shape)
    shape = tuple(1 if d in axes else n for d, n in enumerate(dims)) if keepdims else \
        tuple(n for d, n in enumerate(dims) if d not in axes)
    operation = get_default_graph().create_op(ReduceJoin, [tensor], {"axes": axes, "keepdims": keepdims,
                                                                     "separator": _text_attr(separator)},
                                              [Spec(shape, string)], name=name or "ReduceJoin")
    return operation.outputs[0]


# ============================================================================================= regex_replace

_REWRITE_REFERENCE = re.compile(rb"\\(\d|\\)")  # RE2's rewrite strings know only \0 .. \9 and \\


class RegexReplace(_EachElement):
    @staticmethod
    def each(operation, value):
        attrs = operation.attrs
        try:
            pattern = re.compile(attrs["pattern"].encode("utf-8"))
        except re.error as error:
            raise errors.InvalidArgumentError(None, operation, f"Invalid pattern: {attrs['pattern']}, error: "
                                                               f"{error}") from None
        rewrite = attrs["rewrite"].encode("utf-8")

        def expand(match):  # the rewrite for one match: \N is group N (\0 the whole match), \\ a backslash
            return _REWRITE_REFERENCE.sub(
                lambda ref: b"\\" if ref.group(1) == b"\\" else match.group(int(ref.group(1))) or b"", rewrite)
        return pattern.sub(expand, value, count=0 if attrs["replace_global"] else 1)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):
    """Each string with the matches of regular expression ``pattern`` replaced by ``rewrite``, in which ``\\1``
    stands for the first group (``\\0`` the whole match); only the first match unless ``replace_global``.

    ``pattern`` and ``rewrite`` are Python strings here (TF also takes tensors). TF's regular expressions are
    RE2's; minidl uses Python's ``re``, which agrees with RE2 on the common syntax (classes, groups, ``+*?``,
    anchors) but also has backreferences and lookarounds that RE2 refuses.
    """
    attrs = {"pattern": _text_attr(pattern), "rewrite": _text_attr(rewrite), "replace_global": bool(replace_global)}
    return _each_element(RegexReplace, [_strings(input, "input")], attrs, string, name or "StaticRegexReplace")


# tf.strings.* names (TF 1.15); the top-level tf.* names are this module's __all__
for _name, _function in [("to_number", string_to_number), ("length", length), ("lower", lower), ("upper", upper),
                         ("join", string_join), ("strip", string_strip), ("regex_replace", regex_replace),
                         ("substr", substr), ("reduce_join", reduce_join)]:
    setattr(strings, _name, _function)
