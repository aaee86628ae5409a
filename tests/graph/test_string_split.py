"""tf.string_split and tf.strings.split: SparseTensor results (TF's documented example, dtypes and static shapes),
the tokens checked against Python's str.split and re.split, the edge cases of TF's kernels (empty strings,
skip_empty, maxsplit=0, a whitespace split that ends at maxsplit), higher ranks, tf.sparse.to_dense of strings,
and the errors."""
import re

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import run


def rows_of(value):
    """A 2-D SparseTensorValue as its rows of tokens (a list of lists of str), checking its row-major layout."""
    n_rows, width = value.dense_shape.tolist()
    rows = [[] for _ in range(n_rows)]
    for (i, j), token in zip(value.indices.tolist(), value.values.tolist()):
        assert j == len(rows[i]), "the entries of a row come in order, with no gaps"
        rows[i].append(token.decode())
    assert width == max(map(len, rows), default=0)
    return rows


LINES = ["hello world", "a  b c", "", " lead and trail ", "tab\tand\nnewline", "x"]


def test_string_split_returns_the_documented_sparse_tensor(graph):
    tokens = tf.string_split(["hello world", "a b c"])
    assert isinstance(tokens, tf.SparseTensor) and tokens.dtype == tf.string
    assert tokens.indices.dtype == tf.int64 and tokens.indices.shape.as_list() == [None, 2]
    assert tokens.values.shape.as_list() == [None] and tokens.dense_shape.shape.as_list() == [2]
    value = run(tokens)
    assert isinstance(value, tf.SparseTensorValue)
    assert value.indices.dtype == np.int64 and value.dense_shape.dtype == np.int64
    assert value.indices.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1], [1, 2]]
    assert value.values.tolist() == [b"hello", b"world", b"a", b"b", b"c"]
    assert value.dense_shape.tolist() == [2, 3]


def test_string_split_splits_at_each_delimiter_character(graph):
    assert rows_of(run(tf.string_split(LINES))) == [[t for t in s.split(" ") if t] for s in LINES]
    assert rows_of(run(tf.string_split(LINES, delimiter=" \t"))) == [[t for t in re.split("[ \t]", s) if t]
                                                                     for s in LINES]
    assert rows_of(run(tf.string_split(["a,b;c", ";;"], sep=",;"))) == [["a", "b", "c"], []]
    kept = ["a,,b", ",a,", ",", ""]   # an empty string has no tokens at all, even with skip_empty=False
    assert rows_of(run(tf.string_split(kept, delimiter=",", skip_empty=False))) == [["a", "", "b"], ["", "a", ""],
                                                                                    ["", ""], []]
    single_bytes = run(tf.string_split(["abc", "", "é"], delimiter=""))   # "" splits into bytes, UTF-8 too
    assert single_bytes.values.tolist() == [b"a", b"b", b"c", b"\xc3", b"\xa9"]
    assert single_bytes.indices.tolist() == [[0, 0], [0, 1], [0, 2], [2, 0], [2, 1]]


def test_no_tokens_at_all_gives_an_empty_sparse_tensor(graph):
    value = run(tf.string_split(["", "   "]))
    assert value.indices.shape == (0, 2) and value.values.shape == (0,) and value.dense_shape.tolist() == [2, 0]
    value = run(tf.string_split(tf.constant([], tf.string)))
    assert value.indices.shape == (0, 2) and value.dense_shape.tolist() == [0, 0]


def test_strings_split_follows_python_str_split(graph):
    assert rows_of(run(tf.strings.split(LINES))) == [s.split() for s in LINES]
    assert rows_of(run(tf.strings.split(LINES, sep=""))) == [s.split() for s in LINES]   # "" is None here
    cases = ["1<>2<><>3", "", "<>", "no separator", "<>a<>"]
    assert rows_of(run(tf.strings.split(cases, sep="<>"))) == [s.split("<>") for s in cases]
    for maxsplit in (1, 2):
        assert rows_of(run(tf.strings.split(cases, sep="<>", maxsplit=maxsplit))) == \
            [s.split("<>", maxsplit) for s in cases]
    spaced = ["  a  b   c  ", "a b", "a b c "]
    assert rows_of(run(tf.strings.split(spaced, maxsplit=1))) == [s.split(None, 1) for s in spaced]
    assert rows_of(run(tf.strings.split(source=["a b c"], maxsplit=-5))) == [["a", "b", "c"]]


def test_strings_split_edge_cases_of_tfs_kernel(graph):
    # maxsplit=0 keeps each string whole, whitespace and all (Python would strip it, and drop "")
    assert rows_of(run(tf.strings.split([" a b ", ""], maxsplit=0))) == [[" a b "], [""]]
    # a whitespace split that reaches maxsplit adds the (empty) rest, where Python's leaves it out
    assert rows_of(run(tf.strings.split(["a ", "a", "a b", "", "  "], maxsplit=1))) == [["a", ""], ["a", ""],
                                                                                        ["a", "b"], [], []]


def test_strings_split_of_higher_rank_adds_a_dim(graph):
    lines = tf.placeholder(tf.string, [None, 2])
    tokens = tf.strings.split(lines, sep=",")
    assert tokens.indices.shape.as_list() == [None, 3] and tokens.dense_shape.shape.as_list() == [3]
    value = run(tokens, {lines: [["a,b", ""], ["c", "d,e,f"]]})
    assert value.dense_shape.tolist() == [2, 2, 3]
    assert value.indices.tolist() == [[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1], [1, 1, 2]]
    assert value.values.tolist() == [b"a", b"b", b"", b"c", b"d", b"e", b"f"]


def test_sparse_to_dense_pads_the_tokens(graph):
    lines = tf.placeholder(tf.string, [None])
    tokens = tf.string_split(lines)
    feed = {lines: ["a b c", "", "d"]}
    assert run(tf.sparse.to_dense(tokens), feed).tolist() == [[b"a", b"b", b"c"], [b"", b"", b""],
                                                              [b"d", b"", b""]]
    padded = tf.sparse_tensor_to_dense(tokens, default_value="<pad>")
    assert padded.dtype == tf.string and padded.shape.as_list() == [None, None]
    assert run(padded, feed).tolist() == [[b"a", b"b", b"c"], [b"<pad>"] * 3, [b"d", b"<pad>", b"<pad>"]]
    fixed = tf.SparseTensor([[0, 1]], tf.constant(["x"]), [1, 2])
    assert run(tf.sparse.to_dense(fixed)).tolist() == [[b"", b"x"]]
    outside = tf.SparseTensor([[0, 5]], tf.constant(["x"]), [1, 2])
    with pytest.raises(errors.InvalidArgumentError, match="out of bounds"):
        run(tf.sparse.to_dense(outside))


def test_split_errors(graph):
    with pytest.raises(NotImplementedError, match="RaggedTensor"):
        tf.string_split(["a"], result_type="RaggedTensor")
    with pytest.raises(NotImplementedError, match="RaggedTensor"):
        tf.strings.split(["a"], result_type="RaggedTensor")
    with pytest.raises(ValueError, match="result_type must be"):
        tf.strings.split(["a"], result_type="dense")
    with pytest.raises(ValueError, match="string_split: source must be a vector"):
        tf.string_split([["a"]])
    with pytest.raises(ValueError, match="strings.split: input must have rank >= 1"):
        tf.strings.split("a b")
    with pytest.raises(ValueError, match="both 'sep' and 'delimiter'"):
        tf.string_split(["a"], sep=",", delimiter=";")
    with pytest.raises(ValueError, match="sep must be a string"):
        tf.strings.split(["a"], sep=1)
    with pytest.raises(TypeError, match="must be a string tensor"):
        tf.strings.split([1, 2])
    unknown_rank = tf.placeholder(tf.string)   # taken to be a vector, as TF does
    with pytest.raises(errors.InvalidArgumentError, match="input must be of rank 1, got shape"):
        run(tf.string_split(unknown_rank), {unknown_rank: [["a"]]})


def test_zeros_fill_and_zeros_like_make_string_tensors_as_tf_does():
    names = tf.placeholder(tf.string, [None])
    empty, filled, like = tf.zeros([2], tf.string), tf.fill([2, 1], "a"), tf.zeros_like(names)
    assert empty.dtype == tf.string and filled.shape.as_list() == [2, 1]
    with tf.Session() as sess:
        got = sess.run([empty, filled, like], {names: ["p", "q", "r"]})
    assert got[0].tolist() == [b"", b""] and got[1].tolist() == [[b"a"], [b"a"]] and got[2].tolist() == [b""] * 3
    with pytest.raises(TypeError, match="strings have no 1"):
        tf.ones([2], tf.string)
