"""TF1's two splits of strings into tokens, ``tf.string_split`` and ``tf.strings.split``, each returning a
``SparseTensor`` (sparse_tensor.py): one row per input string, entry ``[i, j]`` the j-th token of string i, the
rows as long as the most tokens any string has. For ``["hello world", "a b c"]``::

    indices = [[0, 0], [0, 1], [1, 0], [1, 1], [1, 2]]   values = [b"hello", b"world", b"a", b"b", b"c"]
    dense_shape = [2, 3]

The two differ in what a separator is:

* ``tf.string_split(source, sep=" ", skip_empty=True)`` splits at *each character* of ``sep`` (``",;"`` splits at
  commas and at semicolons) and drops empty tokens unless ``skip_empty=False``; ``sep=""`` splits into single
  bytes. An empty string has no tokens, even with ``skip_empty=False``.
* ``tf.strings.split(input, sep=None, maxsplit=-1)`` follows Python's ``str.split``: at the whole string ``sep``,
  keeping empty tokens (``"1<>2<><>3"`` → ``1, 2, "", 3``; ``""`` → one empty token), or for ``sep`` None or
  ``""`` at runs of ASCII whitespace, with no empty tokens at either end. With ``maxsplit`` > 0 it splits that
  many times at most, the rest of the string being the last token. Two details follow TF's kernel rather than
  Python: ``maxsplit=0`` gives the whole string, untouched, as the one token; and on whitespace, a string with
  exactly ``maxsplit`` tokens gets one more, empty (``"a "`` with ``maxsplit=1`` → ``a, ""``). Its input may have
  any rank N >= 1; the SparseTensor then has rank N + 1.

minidl has no RaggedTensor, so ``result_type="RaggedTensor"`` is refused. To get a padded dense tensor of tokens
(what the feature columns read), use ``tf.sparse.to_dense(tokens, default_value="")``:
``string_sparse_to_dense`` below is what it runs for string values. Strings are split on the host; nothing here
has a gradient.
"""
import re

import numpy

from ..backend import host_array
from ..ops.base import Spec
from . import errors
from .core import get_default_graph
from .dtypes import int64, string
from .graph_ops import GraphOp
from .sparse_tensor import SparseTensor, sparse_value_of_lists
from .string_functions import _strings, _text_attr
from .string_ops import strings

__all__ = ["string_split"]


def _split_at_characters(value, characters, skip_empty):
    """``tf.string_split``'s tokens of one string (module docstring)."""
    if not value:
        return []
    if not characters:
        return [value[i:i + 1] for i in range(len(value))]
    tokens = re.split(b"[" + re.escape(characters) + b"]", value)
    return [t for t in tokens if t] if skip_empty else tokens


def _split_like_str_split(value, sep, maxsplit):
    """``tf.strings.split``'s tokens of one string (module docstring)."""
    if maxsplit == 0:
        return [value]
    if sep:
        return value.split(sep, maxsplit)
    tokens = value.split(None, maxsplit)  # bytes.split knows the same whitespace as C's isspace
    # TF's kernel adds the (empty) rest after the maxsplit-th token where Python's split leaves it out
    return tokens + [b""] if len(tokens) == maxsplit else tokens


class StringSplit(GraphOp):
    """Split each string of the input into tokens: with attr ``characters`` (a str) like ``tf.string_split``, else
    like ``tf.strings.split`` with attrs ``sep`` and ``maxsplit``. Outputs: the SparseTensor's indices, values and
    dense_shape (its first dims the input's shape). Attr ``rank``: the input rank the graph was built for."""
    n_outputs = 3

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        source = host_array(arrays[0])
        if source.ndim != attrs["rank"]:
            raise errors.InvalidArgumentError(None, operation, f"{operation.type}: input must be of rank "
                                                               f"{attrs['rank']}, got shape {list(source.shape)}")
        if attrs["characters"] is not None:
            characters = attrs["characters"].encode("utf-8")
            rows = [_split_at_characters(v, characters, attrs["skip_empty"]) for v in source.reshape(-1)]
        else:
            sep = (attrs["sep"] or "").encode("utf-8")
            rows = [_split_like_str_split(v, sep, attrs["maxsplit"]) for v in source.reshape(-1)]
        indices, values, dense_shape = sparse_value_of_lists(rows, source.shape, object)
        return session.on_device(indices), values, session.on_device(dense_shape)


def _split(source, attrs, fn_name, argument, name):
    source = _strings(source, argument)
    rank = source.shape.rank if source.shape.rank_known else 1  # an unknown rank is taken to be 1, as TF does
    if fn_name == "string_split" and rank != 1:
        raise ValueError(f"string_split: {argument} must be a vector (rank 1), got shape {source.shape}")
    if rank == 0:
        raise ValueError(f"{fn_name}: {argument} must have rank >= 1 (a vector of strings, or more), got a scalar")
    specs = [Spec((None, rank + 1), int64), Spec((None,), string), Spec((rank + 1,), int64)]
    outputs = get_default_graph().create_op(StringSplit, [source], {**attrs, "rank": rank}, specs, name=name).outputs
    return SparseTensor(*outputs)


def _check_result_type(fn_name, result_type):
    if result_type == "RaggedTensor":
        raise NotImplementedError(f"{fn_name}: result_type='RaggedTensor' is not supported: minidl has no "
                                  f"RaggedTensor; use the default 'SparseTensor' (tf.sparse.to_dense pads it)")
    if result_type != "SparseTensor":
        raise ValueError(f"{fn_name}: result_type must be 'RaggedTensor' or 'SparseTensor', got {result_type!r}")


def string_split(source, sep=None, skip_empty=True, delimiter=None, result_type="SparseTensor", name=None):
    """``tf.string_split``: each string of the vector ``source`` split at every occurrence of any character of
    ``sep`` (default ``" "``; ``delimiter`` is its older name), as a SparseTensor (module docstring)."""
    _check_result_type("string_split", result_type)
    if sep is not None and delimiter is not None:
        raise ValueError("string_split: cannot specify both 'sep' and 'delimiter' (delimiter is sep's older name)")
    characters = sep if sep is not None else delimiter if delimiter is not None else " "
    if not isinstance(characters, (str, bytes)):
        raise ValueError(f"string_split: sep must be a string, got {type(characters).__name__}")
    return _split(source, {"sep": None, "maxsplit": -1, "characters": _text_attr(characters),
                           "skip_empty": bool(skip_empty)}, "string_split", "source", name or "StringSplit")


def split(input=None, sep=None, maxsplit=-1, result_type="SparseTensor", source=None, name=None):
    """``tf.strings.split``: each string of ``input`` (``source`` is its older name) split like Python's
    ``str.split(sep, maxsplit)``, as a SparseTensor one rank higher than ``input`` (module docstring)."""
    _check_result_type("strings.split", result_type)
    if input is not None and source is not None:
        raise ValueError("strings.split: cannot specify both 'input' and 'source' (source is input's older name)")
    if sep is not None and not isinstance(sep, (str, bytes)):
        raise ValueError(f"strings.split: sep must be a string, got {type(sep).__name__}")
    return _split(input if input is not None else source,
                  {"sep": _text_attr(sep), "maxsplit": int(maxsplit), "characters": None, "skip_empty": False},
                  "strings.split", "input", name or "StringSplitV2")


class StringSparseToDense(GraphOp):
    """A SparseTensor of strings (inputs: its indices, values and dense_shape) as a dense string tensor, the missing
    entries ``default_value`` (a 0-d string input). The op library's scatter computes on numbers only."""

    @staticmethod
    def execute(session, operation, arrays):
        indices, values, dense_shape, default = (host_array(a) for a in arrays)
        shape = tuple(int(d) for d in dense_shape.reshape(-1))
        if indices.ndim != 2 or indices.shape != (len(values), len(shape)):
            raise errors.InvalidArgumentError(None, operation, f"SparseToDense: indices must be [{len(values)}, "
                                                               f"{len(shape)}], got {list(indices.shape)}")
        if ((indices < 0) | (indices >= numpy.asarray(shape, dtype=numpy.int64))).any():
            raise errors.InvalidArgumentError(None, operation, f"SparseToDense: an index is out of bounds of the "
                                                               f"dense shape {list(shape)}")
        out = numpy.full(shape, default[()], dtype=object)
        out[tuple(indices.T)] = values
        return (out,)


def string_sparse_to_dense(sp, default_value, shape, name):
    """The dense string tensor of the string SparseTensor ``sp`` (``tf.sparse.to_dense`` of strings), the missing
    entries ``default_value`` (None or 0: ``b""``, the zero of strings). ``shape``: its static shape."""
    default = _strings(b"" if default_value is None or default_value == 0 else default_value, "default_value")
    operation = get_default_graph().create_op(StringSparseToDense, [*sp.components, default], {},
                                              [Spec(shape, string)], name=name or "SparseToDense")
    return operation.outputs[0]


strings.split = split
