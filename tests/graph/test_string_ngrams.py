"""tf.strings.ngrams on dense string tensors: TF's documented examples and the cases of TF's own tests that a dense
tensor can express (padding, its cap, several widths, short sequences kept), static shapes, and the errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run


def _ngrams(data, width, **kwargs):
    return run(tf.strings.ngrams(data, width, **kwargs)).tolist()


def test_the_documented_examples(graph):
    assert _ngrams(["A", "B", "C", "D"], 2) == [b"A B", b"B C", b"C D"]
    assert _ngrams(["TF", "and", "keras"], 1) == [b"TF", b"and", b"keras"]


def test_a_matrix_gives_one_row_of_ngrams_per_sequence(graph):
    data = [["a", "z"], ["b", ""], ["e", "f"]]
    out = tf.strings.ngrams(data, 3, separator="|", pad_values=("LP", "RP"))
    assert out.dtype == tf.string and out.shape.as_list() == [3, 4]
    assert run(out).tolist() == [[b"LP|LP|a", b"LP|a|z", b"a|z|RP", b"z|RP|RP"],
                                 [b"LP|LP|b", b"LP|b|", b"b||RP", b"|RP|RP"],
                                 [b"LP|LP|e", b"LP|e|f", b"e|f|RP", b"f|RP|RP"]]
    rank_3 = [[["a", "z"], ["b", ""]], [["b", ""], ["e", "f"]]]
    assert np.array(_ngrams(rank_3, 3, separator="|", pad_values=("LP", "RP"))).shape == (2, 2, 4)
    assert _ngrams(["a", "z"], 3, separator="|", pad_values=("LP", "RP")) == [b"LP|LP|a", b"LP|a|z", b"a|z|RP",
                                                                              b"z|RP|RP"]


def test_several_widths_come_in_the_order_given(graph):
    data = [["a", "b", "c", "d"], ["e", "f", "g", "h"]]
    assert _ngrams(data, (1, 2, 3), separator="|") == [
        [b"a", b"b", b"c", b"d", b"a|b", b"b|c", b"c|d", b"a|b|c", b"b|c|d"],
        [b"e", b"f", b"g", b"h", b"e|f", b"f|g", b"g|h", b"e|f|g", b"f|g|h"]]
    assert _ngrams(["aa", "bb", "cc", "dd"], [3, 2], separator="|") == [b"aa|bb|cc", b"bb|cc|dd", b"aa|bb",
                                                                         b"bb|cc", b"cc|dd"]


def test_padding_width_is_capped_and_a_short_sequence_gives_nothing_unless_preserved(graph):
    capped = _ngrams(["b", "c", "d"], 3, separator="|", pad_values=("LP", "RP"), padding_width=10)
    assert capped == [b"LP|LP|b", b"LP|b|c", b"b|c|d", b"c|d|RP", b"d|RP|RP"]  # padding at most width - 1
    assert _ngrams(["b", "c", "d"], 5, separator="|", pad_values="[PAD]", padding_width=1) == [
        b"[PAD]|b|c|d|[PAD]"]
    assert _ngrams([["e", "f"]], 5, separator="|", pad_values=("LP", "RP"), padding_width=1) == [[]]
    short = tf.strings.ngrams([["e", "f"]], 5, separator="|", pad_values=("LP", "RP"), padding_width=1,
                              preserve_short_sequences=True)
    assert short.shape.as_list() == [1, 1] and run(short).tolist() == [[b"LP|e|f|RP"]]
    assert _ngrams(["a"], 5, separator="|", pad_values=("LP", "RP"), padding_width=2) == [b"LP|LP|a|RP|RP"]
    assert _ngrams(["e", "f"], (1, 5), separator="|", pad_values=("LP", "RP"), padding_width=1) == [b"e", b"f"]
    assert _ngrams(["aa", "bb"], 3, separator="|", preserve_short_sequences=True) == [b"aa|bb"]
    assert _ngrams(["aa", "bb"], 3, separator="|") == []


def test_the_width_may_be_known_only_at_run_time(graph):
    data = tf.placeholder(tf.string, [2, None])
    out = tf.strings.ngrams(data, 2, separator="")
    assert out.shape.as_list() == [2, None]
    assert run(out, {data: [["x", "y", "z"], ["p", "q", "r"]]}).tolist() == [[b"xy", b"yz"], [b"pq", b"qr"]]
    import minidl.graph.compat.v1 as tf_v1
    assert tf_v1.strings.ngrams is tf.strings.ngrams


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(pad_values=5), TypeError, "pad_values must be a string, tuple of strings, or None"),
    (dict(pad_values=[5, 3]), TypeError, "pad_values must be a string, tuple of strings, or None"),
    (dict(padding_width=0, pad_values="X"), ValueError, "padding_width must be greater than 0"),
    (dict(padding_width=1), ValueError, "pad_values must be provided if padding_width is set"),
    (dict(ngram_width=[1, 2, -1]), ValueError, r"All ngram_widths must be greater than 0.*\[1, 2, -1\]"),
    (dict(data="hello"), ValueError, "Data must have rank>0"),
    (dict(data=[1, 2]), TypeError, "`data` must be a string tensor, got int32"),
])
def test_bad_arguments(graph, kwargs, error, message):
    arguments = dict(data=["a", "z"], ngram_width=2)
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        tf.strings.ngrams(**arguments)
    with pytest.raises(ValueError, match="Rank of data must be known"):
        tf.strings.ngrams(tf.placeholder(tf.string), 2)
