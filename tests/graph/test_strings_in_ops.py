"""String tensors through the ops that only move elements (reshape, concat, gather, slicing, where...), equality,
``+`` (TF's ``Add`` joins strings) and ``tf.reduce_join`` — on each device: strings live on the host, so in a GPU
session these ops run there, their numeric inputs (positions, masks) copied over."""
import numpy as np
import pytest

import minidl.graph as tf

from .sessions import session_on

NAMES = ["cat", "dog", "eel", "fox"]


def _moved(names):
    """Each element-moving op on a (4,) string tensor, with the numpy function that computes the same on bytes."""
    grid = tf.reshape(names, [2, 2])
    return {
        "reshape": (grid, lambda a: a.reshape(2, 2)),
        "transpose": (tf.transpose(grid), lambda a: a.reshape(2, 2).T),
        "concat": (tf.concat([names, names[:1]], 0), lambda a: np.concatenate([a, a[:1]])),
        "stack": (tf.stack([names, names], axis=1), lambda a: np.stack([a, a], 1)),
        "slice": (names[1::2], lambda a: a[1::2]),
        "gather": (tf.gather(names, [3, 0, 3]), lambda a: a[[3, 0, 3]]),
        "boolean_mask": (tf.boolean_mask(names, [True, False, False, True]), lambda a: a[[0, 3]]),
        "where": (tf.where([True, False, True, False], names, tf.fill([4], "-")),
                  lambda a: np.where([True, False, True, False], a, b"-")),
        "tile": (tf.tile(names, [2]), lambda a: np.tile(a, 2)),
        "expand_dims": (tf.expand_dims(names, 0), lambda a: a[None]),
        "squeeze": (tf.squeeze(tf.reshape(names, [1, 4, 1])), lambda a: a),
        "reverse": (tf.reverse(names, [0]), lambda a: a[::-1]),
        "unique": (tf.unique(tf.concat([names, names[::-1]], 0))[0], lambda a: a),
        "unstack": (tf.unstack(grid)[1], lambda a: a[2:]),
    }


@pytest.mark.parametrize("op", list(_moved(tf.constant(NAMES))))
def test_string_tensors_go_through_the_ops_that_move_elements(op, device):
    names = tf.placeholder(tf.string, [4])
    moved, expected = _moved(names)[op]
    with session_on(device) as sess:
        got = sess.run(moved, {names: NAMES})
    want = expected(np.array([n.encode() for n in NAMES], dtype=object))
    assert got.dtype == object and got.shape == want.shape and got.tolist() == want.tolist()
    assert moved.dtype == tf.string and moved.shape.is_compatible_with(want.shape)


def test_equality_plus_and_a_filter_by_label_as_tf1_pipelines_write_them(device):
    labels = tf.constant(["cat", "dog", "cat"])
    is_cat, not_cat = tf.equal(labels, "cat"), tf.not_equal(labels, tf.constant("cat"))
    paths = "/data/" + labels + tf.constant([".png"])  # TF's Add joins, broadcasting a scalar and a (1,) vector
    files = tf.data.Dataset.from_tensor_slices((["a.png", "b.png", "c.png"], ["cat", "dog", "cat"])).filter(
        lambda name, label: tf.equal(label, "cat")).batch(5).make_one_shot_iterator().get_next()
    with session_on(device) as sess:
        assert sess.run(is_cat).tolist() == [True, False, True] and sess.run(not_cat).tolist() == [False, True, False]
        assert sess.run(paths).tolist() == [b"/data/cat.png", b"/data/dog.png", b"/data/cat.png"]
        assert sess.run(tf.add(labels, "s")).tolist() == [b"cats", b"dogs", b"cats"]
        assert [v.tolist() for v in sess.run(files)] == [[b"a.png", b"c.png"], [b"cat", b"cat"]]


@pytest.mark.parametrize("axis, keep_dims, separator, expected", [
    (None, False, "", b"abcd"),
    (0, False, "", [b"ac", b"bd"]),
    (1, False, "", [b"ab", b"cd"]),
    (-2, True, ".", [[b"a.c", b"b.d"]]),
    (1, True, "", [[b"ab"], [b"cd"]]),
    ([0, 1], False, "", b"acbd"),   # one reduction after the other: axis 0 first
    ([1, 0], False, "", b"abcd"),
    ([], False, "", [[b"a", b"b"], [b"c", b"d"]]),
])
def test_reduce_join_joins_along_the_axes_in_the_order_given(axis, keep_dims, separator, expected, device):
    """The examples of TF1's ``tf.reduce_join`` documentation."""
    joined = tf.reduce_join([["a", "b"], ["c", "d"]], axis, keep_dims=keep_dims, separator=separator)
    with session_on(device) as sess:
        got = sess.run(joined)
    assert (got if isinstance(got, bytes) else got.tolist()) == expected
    assert tuple(joined.shape) == np.shape(np.array(expected, dtype=object))
    assert tf.strings.reduce_join is tf.reduce_join


def test_arithmetic_order_and_bad_axes_on_strings_are_clear_errors():
    words = tf.constant(["a", "b"])
    for build in (lambda: words * 2, lambda: tf.reduce_max(words), lambda: tf.less(words, "b"),
                  lambda: words + 1):
        with pytest.raises(TypeError, match="string"):
            build()
    with pytest.raises(ValueError, match=r"reduce_join: axis \[0, -1\] must be distinct axes in \[-1, 1\)"):
        tf.reduce_join(words, [0, -1])
    with pytest.raises(TypeError, match="`inputs` must be a string tensor, got float32"):
        tf.reduce_join(tf.constant([1.0]))
