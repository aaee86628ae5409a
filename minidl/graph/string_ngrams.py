"""``tf.strings.ngrams``: the n-grams of token sequences — each window of ``n`` adjacent strings along the last
axis, joined with ``separator``.

For a sequence of L tokens padded with p copies of ``left_pad`` before and of ``right_pad`` after, the windows of
width n are the L + 2p - n + 1 runs of n adjacent padded tokens (none if that is not positive)::

    ngrams(["a", "b", "c"], 2, pad_values=("<s>", "</s>"))  ->  ["<s> a", "a b", "b c", "c </s>"]

The padding p for width n is ``padding_width`` (default n - 1: every token starts and ends a window) capped at
n - 1. With several widths, all the n-grams of the first width come first, then those of the next. With
``preserve_short_sequences``, a non-empty sequence too short for any window gives one n-gram anyway: the whole
sequence with its padding.

minidl has no RaggedTensor, so ``data`` is a dense string tensor of rank >= 1: every sequence along the last axis has
the same length, hence the same number of n-grams, and the result is dense too — ``data.shape[:-1] + [count]``, as
TF returns it for a dense input. The strings are ``bytes``, joined on the host; nothing here has a gradient.
"""
import math

import numpy

from ..backend import host_array
from ..ops.base import Spec
from .core import get_default_graph
from .dtypes import string
from .graph_ops import GraphOp
from .string_functions import _strings, _text_attr
from .string_ops import strings



def _pad_for(width, padding_width):
    """The padding on each side of a sequence for n-grams of ``width`` (``padding_width`` -1: width - 1)."""
    return width - 1 if padding_width < 0 else min(padding_width, width - 1)


def _ngram_count(length, attrs):
    """How many n-grams a sequence of ``length`` tokens gives."""
    count = sum(max(0, length + 2 * _pad_for(w, attrs["padding_width"]) - w + 1) for w in attrs["widths"])
    return 1 if count == 0 and length > 0 and attrs["preserve_short_sequences"] else count


def _sequence_ngrams(tokens, attrs):
    """The n-grams of one sequence (a list of bytes), in the order the module docstring gives."""
    separator, left, right = (attrs[k].encode("utf-8") for k in ("separator", "left_pad", "right_pad"))
    out = []
    for width in attrs["widths"]:
        pad = _pad_for(width, attrs["padding_width"])
        padded = [left] * pad + tokens + [right] * pad
        out += [separator.join(padded[i:i + width]) for i in range(len(padded) - width + 1)]
    if not out and tokens and attrs["preserve_short_sequences"]:
        # (reached only with a fixed padding_width: the default padding gives every token a window)
        pad = attrs["padding_width"]
        out = [separator.join([left] * pad + tokens + [right] * pad)]
    return out


class StringNGrams(GraphOp):
    """The n-grams along the last axis of a string tensor (attrs: ``widths``, ``separator``, ``left_pad``,
    ``right_pad``, ``padding_width``, ``preserve_short_sequences``; see the module docstring)."""

    @staticmethod
    def execute(session, operation, arrays):
        data, attrs = host_array(arrays[0]), operation.attrs
        rows = data.reshape(math.prod(data.shape[:-1]), data.shape[-1]).tolist()
        grams = [gram for row in rows for gram in _sequence_ngrams(row, attrs)]
        shape = data.shape[:-1] + (_ngram_count(data.shape[-1], attrs),)
        return (numpy.array(grams, dtype=object).reshape(shape),)


def _pad_values(pad_values):
    """(left_pad, right_pad) from TF's ``pad_values``: None, one string, or a pair of strings."""
    if pad_values is None:
        return "", ""
    if isinstance(pad_values, (list, tuple)):
        if len(pad_values) == 2 and all(isinstance(v, (str, bytes)) for v in pad_values):
            return _text_attr(pad_values[0]), _text_attr(pad_values[1])
    elif isinstance(pad_values, (str, bytes)):
        return _text_attr(pad_values), _text_attr(pad_values)
    raise TypeError(f"ngrams: pad_values must be a string, tuple of strings, or None, got {pad_values!r}")


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None, preserve_short_sequences=False,
           name=None):
    """The n-grams of width ``ngram_width`` (an int, or a list of ints: all of those widths) along the last axis of
    the string tensor ``data``, joined with ``separator``; ``pad_values`` (a string, or a (left, right) pair) pads
    each sequence on both sides, ``padding_width`` times (default: width - 1). See the module docstring."""
    left_pad, right_pad = _pad_values(pad_values)
    if padding_width is not None and padding_width < 1:
        raise ValueError(f"ngrams: padding_width must be greater than 0, got {padding_width}")
    if padding_width is not None and pad_values is None:
        raise ValueError("ngrams: pad_values must be provided if padding_width is set")
    data = _strings(data, "data")
    if not data.shape.rank_known:
        raise ValueError("ngrams: Rank of data must be known (minidl's ngrams takes dense tensors)")
    if data.shape.rank == 0:
        raise ValueError("ngrams: Data must have rank>0, got a scalar")
    widths = tuple(ngram_width) if isinstance(ngram_width, (list, tuple)) else (ngram_width,)
    if not widths or any(not isinstance(w, int) or isinstance(w, bool) or w < 1 for w in widths):
        raise ValueError(f"ngrams: All ngram_widths must be greater than 0 (ints). Got {ngram_width!r}")
    attrs = {"widths": widths, "separator": _text_attr(separator), "left_pad": left_pad, "right_pad": right_pad,
             "padding_width": 0 if pad_values is None else -1 if padding_width is None else int(padding_width),
             "preserve_short_sequences": bool(preserve_short_sequences)}
    length = data.shape[-1]
    static = tuple(data.shape)[:-1] + (None if length is None else _ngram_count(length, attrs),)
    operation = get_default_graph().create_op(StringNGrams, [data], attrs, [Spec(static, string)],
                                              name=name or "StringNGrams")
    return operation.outputs[0]


strings.ngrams = ngrams
