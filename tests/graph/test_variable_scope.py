"""variable_scope / get_variable sharing and its errors, and the initializers get_variable uses."""
import math

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph.initializers import compute_fans

from .helpers import run


def op_names(graph):
    return [op.name for op in graph.get_operations()]


# ---------------------------------------------------------------------------------------------- sharing

def test_get_variable_names_by_variable_scope_and_ignores_name_scopes(graph):
    with tf.variable_scope("foo") as scope:
        with tf.name_scope("bar"):
            v = tf.get_variable("v", [2, 3])
            c = tf.constant(1.0, name="c")
    assert (scope.name, scope.original_name_scope) == ("foo", "foo/")
    assert v.name == "foo/v:0" and v.op.name == "foo/v" and c.name == "foo/bar/c:0"
    assert {"foo/v/Assign", "foo/v/read", "foo/v/Initializer/random_uniform/RandomUniform"} <= set(op_names(graph))
    assert tf.get_variable_scope().name == "" and tf.global_variables() == [v]


def test_reuse_true_returns_the_same_variable_in_a_new_name_scope(graph):
    def layer():
        w = tf.get_variable("w", [3], initializer=tf.ones_initializer())
        return w, tf.identity(w, name="out")
    with tf.variable_scope("layer"):
        w1, out1 = layer()
    with tf.variable_scope("layer", reuse=True) as again:
        w2, out2 = layer()
    assert w1 is w2 and again.reuse is True and again.original_name_scope == "layer_1/"
    assert (out1.name, out2.name) == ("layer/out:0", "layer_1/out:0")
    assert tf.global_variables() == [w1]


def test_creating_an_existing_variable_without_reuse_is_an_error(graph):
    with tf.variable_scope("foo"):
        tf.get_variable("v", [1])
    with pytest.raises(ValueError) as info:
        with tf.variable_scope("foo"):
            tf.get_variable("v", [1])
    message = str(info.value)
    assert message.startswith("Variable foo/v already exists, disallowed. Did you mean to set reuse=True or "
                              "reuse=tf.AUTO_REUSE in VarScope?")
    assert "Originally defined at" in message and "test_variable_scope.py" in message


def test_reusing_a_missing_variable_is_an_error(graph):
    with tf.variable_scope("foo", reuse=True):
        with pytest.raises(ValueError) as info:
            tf.get_variable("v", [1])
    assert str(info.value) == ("Variable foo/v does not exist, or was not created with tf.get_variable(). Did you "
                               "mean to set reuse=tf.AUTO_REUSE in VarScope?")
    with tf.variable_scope("bar"):
        tf.Variable(1.0, name="v")   # tf.Variable does not register for sharing
    with tf.variable_scope("bar", reuse=True), pytest.raises(ValueError, match="does not exist"):
        tf.get_variable("v", [])


def test_shape_and_dtype_mismatch_on_reuse(graph):
    with tf.variable_scope("s"):
        tf.get_variable("w", [2, 3])
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError, match=r"Trying to share variable s/w, but specified shape \(3, 2\) and found "
                                             r"shape \(2, 3\)"):
            tf.get_variable("w", [3, 2])
        with pytest.raises(ValueError, match="specified dtype float64 and found dtype float32"):
            tf.get_variable("w", [2, 3], dtype=tf.float64)
        assert tf.get_variable("w").shape == (2, 3)   # no shape: take the existing one


def test_auto_reuse_creates_once_then_shares(graph):
    def counter():
        with tf.variable_scope("state", reuse=tf.AUTO_REUSE):
            return tf.get_variable("count", [], dtype=tf.int32)
    first, second = counter(), counter()
    assert first is second and first.dtype == tf.int32
    assert run(first, initialize_variables=True) == 0   # integers default to zeros


def test_reuse_is_inherited_and_cannot_be_switched_off_inside(graph):
    with tf.variable_scope("outer"):
        with tf.variable_scope("inner"):
            v = tf.get_variable("v", [1])
    with tf.variable_scope("outer", reuse=True):
        with tf.variable_scope("inner", reuse=False) as inner:
            assert inner.reuse is True and tf.get_variable("v", [1]) is v


def test_reuse_variables_and_the_root_scope(graph):
    with tf.variable_scope("model") as scope:
        a = tf.get_variable("a", [2])
        scope.reuse_variables()
        assert tf.get_variable("a", [2]) is a
        with tf.variable_scope("sub") as sub:
            assert sub.reuse is True
    root = tf.get_variable_scope()
    assert root.name == "" and root.reuse is False and tf.get_variable_scope() is root
    top = tf.get_variable("top", [1])
    root.reuse_variables()
    assert tf.get_variable("top", [1]) is top and tf.get_variable_scope().reuse is True


def test_reentering_a_captured_scope(graph):
    with tf.variable_scope("net") as net:
        w = tf.get_variable("w", [1])
    with tf.variable_scope("elsewhere"):
        with tf.variable_scope(net, reuse=True) as again:
            assert again.name == "net" and again.original_name_scope == "net/"
            assert tf.get_variable("w", [1]) is w
            assert tf.constant(0.0, name="c").name == "elsewhere/net/c:0"
            with tf.name_scope(again.original_name_scope):
                assert tf.constant(0.0, name="c").name == "net/c:0"


def test_default_names_are_made_unique(graph):
    names = []
    for _ in range(3):
        with tf.variable_scope(None, default_name="dense") as scope:
            names.append(scope.name)
            tf.get_variable("kernel", [1])
    assert names == ["dense", "dense_1", "dense_2"]
    with pytest.raises(TypeError, match="name_or_scope is required"):
        with tf.variable_scope(None):
            pass
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        with tf.variable_scope(None, default_name="x", reuse=True):
            pass


def test_scope_initializer_and_dtype_are_inherited(graph):
    with tf.variable_scope("s", initializer=tf.constant_initializer(0.5), dtype=tf.float64):
        with tf.variable_scope("t"):
            v = tf.get_variable("v", [2])
        w = tf.get_variable("w", [2], initializer=tf.zeros_initializer())
    assert v.dtype == tf.float64
    values = run([v, w], initialize_variables=True)
    np.testing.assert_array_equal(values[0], [0.5, 0.5])
    np.testing.assert_array_equal(values[1], [0.0, 0.0])


def test_initializer_forms_and_shape_errors(graph):
    from_class = tf.get_variable("a", [2], initializer=tf.ones_initializer)
    from_value = tf.get_variable("b", initializer=np.array([1.0, 2.0]))
    from_tensor = tf.get_variable("c", initializer=tf.constant([[3]]))
    typed = tf.get_variable("d", dtype=tf.float64, initializer=[1.0])
    assert from_value.dtype == tf.float64 and from_tensor.shape == (1, 1) and typed.dtype == tf.float64
    values = run([from_class, from_value, from_tensor], initialize_variables=True)
    np.testing.assert_array_equal(values[0], [1.0, 1.0])
    np.testing.assert_array_equal(values[2], [[3]])
    with pytest.raises(ValueError, match=r"Shape of a new variable \(e\) must be fully defined, but instead was "
                                         r"<unknown>"):
        tf.get_variable("e")
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("e", [None, 3])
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape"):
        tf.get_variable("e", [2], initializer=tf.constant([1.0, 2.0]))


def test_trainable_collections_and_regularizer(graph):
    frozen = tf.get_variable("frozen", [1], trainable=False)
    local = tf.get_variable("local", [1], collections=[tf.GraphKeys.LOCAL_VARIABLES])
    w = tf.get_variable("w", [2], regularizer=lambda v: tf.identity(v, name="penalty"))
    assert tf.trainable_variables() == [local, w] and tf.global_variables() == [frozen, w]
    assert tf.local_variables() == [local]
    # (TF names a penalty after its variable)
    assert [t.name for t in graph.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)] == ["w/Regularizer/penalty:0"]


# --------------------------------------------------------------------------------------------- initializers

def test_compute_fans():
    assert compute_fans([]) == (1, 1)
    assert compute_fans([7]) == (7, 7)
    assert compute_fans([3, 5]) == (3, 5)
    assert compute_fans([3, 3, 16, 32]) == (3 * 3 * 16, 3 * 3 * 32)   # receptive field x channels


def test_glorot_uniform_is_the_default_with_tf_limit(graph):
    w = tf.get_variable("w", [200, 300])
    kernel = tf.get_variable("kernel", [5, 5, 8, 16])
    values = run([w, kernel], initialize_variables=True)
    limit = math.sqrt(6 / (200 + 300))
    assert np.abs(values[0]).max() <= limit and np.abs(values[0]).max() > 0.95 * limit
    assert abs(values[0].std() - limit / math.sqrt(3)) < 0.01 * limit
    conv_limit = math.sqrt(6 / (25 * 8 + 25 * 16))
    assert np.abs(values[1]).max() <= conv_limit and np.abs(values[1]).max() > 0.95 * conv_limit


def test_glorot_normal_and_variance_scaling(graph):
    fan_in, fan_out = 400, 100
    shape = [fan_in, fan_out]
    glorot = tf.glorot_normal_initializer(seed=1)(shape)
    he = tf.variance_scaling_initializer(scale=2.0, mode="fan_in", distribution="untruncated_normal", seed=2)(shape)
    lecun = tf.variance_scaling_initializer(mode="fan_out", distribution="uniform", seed=3)(shape)
    g, h, u = run([glorot, he, lecun], initialize_variables=True)
    # the truncation's .8796 correction restores the wanted stddev
    assert abs(g.std() - math.sqrt(2 / (fan_in + fan_out))) < 0.03 * g.std()
    assert np.abs(g).max() <= 2 * math.sqrt(2 / (fan_in + fan_out)) / .87962566103423978 + 1e-6
    assert abs(h.std() - math.sqrt(2 / fan_in)) < 0.03 * h.std()
    assert np.abs(u).max() <= math.sqrt(3 / fan_out)
    with pytest.raises(ValueError, match="`scale` must be positive"):
        tf.variance_scaling_initializer(scale=0.0)
    with pytest.raises(ValueError, match="Invalid `mode`"):
        tf.variance_scaling_initializer(mode="fan_sideways")
    with pytest.raises(ValueError, match="Invalid `distribution`"):
        tf.variance_scaling_initializer(distribution="cauchy")


def test_uniform_unit_scaling_counts_every_dim_but_the_last(graph):
    dense = tf.uniform_unit_scaling_initializer(factor=1.5, seed=4)([400, 30])
    conv = tf.initializers.uniform_unit_scaling(seed=5)([3, 3, 20, 10])  # n = 3 * 3 * 20
    d, c = run([dense, conv], initialize_variables=True)
    for values, limit in ((d, 1.5 * math.sqrt(3 / 400)), (c, math.sqrt(3 / 180))):
        assert np.abs(values).max() <= limit and np.abs(values).max() > 0.95 * limit
        assert abs(values.std() - limit / math.sqrt(3)) < 0.05 * limit


def test_constant_zeros_ones_initializers(graph):
    padded = tf.constant_initializer([1.0, 2.0])([2, 2])
    full = tf.constant_initializer(np.arange(6))([2, 3], dtype=tf.int64)
    scalar = tf.constant_initializer(7)([3])
    zeros = tf.zeros_initializer()([2, 2], dtype=tf.int32)
    ones = tf.ones_initializer(dtype=tf.float64)([2])
    assert zeros.op.name == "zeros" and ones.dtype == tf.float64 and full.dtype == tf.int64
    values = run([padded, full, scalar, zeros, ones], initialize_variables=True)
    np.testing.assert_array_equal(values[0], [[1.0, 2.0], [2.0, 2.0]])   # TF 1 pads with the last value
    np.testing.assert_array_equal(values[1], [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(values[2], [7.0, 7.0, 7.0])
    assert values[3].dtype == np.int32 and not values[3].any()
    np.testing.assert_array_equal(values[4], [1.0, 1.0])
    with pytest.raises(ValueError, match="Too many elements provided. Needed at most 2, but received 3"):
        tf.constant_initializer([1, 2, 3])([2])
    with pytest.raises(ValueError, match="Expected a value of 4 elements"):
        tf.constant_initializer([1, 2], verify_shape=True)([2, 2])


def test_random_initializers_and_seeds(graph):
    normal = tf.random_normal_initializer(mean=1.0, stddev=0.1, seed=1)([1000])
    same = tf.random_normal_initializer(mean=1.0, stddev=0.1, seed=1)([1000])
    truncated = tf.truncated_normal_initializer(stddev=0.1, seed=2)([1000])
    uniform = tf.random_uniform_initializer(-0.5, 0.5, seed=3)([1000])
    n, s, t, u = run([normal, same, truncated, uniform], initialize_variables=True)
    np.testing.assert_array_equal(n, s)
    assert abs(n.mean() - 1.0) < 0.02 and np.abs(t).max() <= 0.2 and -0.5 <= u.min() and u.max() < 0.5


def test_orthogonal_initializer(graph):
    tall = tf.orthogonal_initializer(seed=1)([6, 4])
    wide = tf.orthogonal_initializer(gain=2.0, seed=2)([3, 5])
    conv = tf.orthogonal_initializer(seed=3)([2, 2, 3, 12])
    t, w, c = run([tall, wide, conv], initialize_variables=True)
    np.testing.assert_allclose(t.T @ t, np.eye(4), atol=1e-5)
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(3), atol=1e-5)
    flat = c.reshape(-1, 12)
    np.testing.assert_allclose(flat.T @ flat, np.eye(12), atol=1e-5)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        tf.orthogonal_initializer()([3])


def test_initializers_namespace(graph):
    assert tf.initializers.zeros is tf.zeros_initializer and tf.initializers.glorot_uniform is \
        tf.glorot_uniform_initializer
    v = tf.get_variable("v", [2], initializer=tf.initializers.constant(3.0))
    init = tf.initializers.global_variables()
    with tf.Session() as sess:
        sess.run(init)
        np.testing.assert_array_equal(sess.run(v), [3.0, 3.0])
    with pytest.raises(ValueError, match="fully defined shape"):
        tf.zeros_initializer()([None, 2])


def test_an_op_named_after_its_name_scope_takes_the_scopes_name():
    """TF's rule for a name ending in "/" (the string ``name_scope`` gives): it is used as it is, less the "/"."""
    with tf.name_scope("accuracy") as scope:
        accuracy = tf.identity(tf.constant(0.5), name=scope)
    with tf.name_scope("inputs") as scope:
        images = tf.placeholder(tf.float32, [None, 2], name=scope)
    with tf.name_scope(None, "MyOp") as scope:
        total = tf.add(1.0, 2.0, name=scope)
    assert [accuracy.name, images.name, total.name] == ["accuracy:0", "inputs:0", "MyOp:0"]
    graph = tf.get_default_graph()
    assert graph.get_tensor_by_name("accuracy:0") is accuracy
    assert run(graph.get_tensor_by_name("accuracy:0")) == 0.5
    with pytest.raises(ValueError, match="'accuracy' already exists"):
        tf.constant(1.0, name="accuracy/")


def test_a_penalty_is_named_after_its_variable_so_a_scope_selects_it():
    with tf.variable_scope("conv1"):
        tf.get_variable("weights", [2, 2], regularizer=tf.contrib.layers.l2_regularizer(0.1))
    tf.layers.dense(tf.ones([1, 2]), 3, kernel_regularizer=tf.contrib.layers.l2_regularizer(0.5), name="fc")
    assert [t.name for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)] == [
        "conv1/weights/Regularizer/l2_regularizer:0", "fc/kernel/Regularizer/l2_regularizer:0"]
    assert [t.name for t in tf.losses.get_regularization_losses(scope="conv1/weights")] == [
        "conv1/weights/Regularizer/l2_regularizer:0"]


def test_get_variable_beside_an_op_of_the_same_name_gets_a_unique_op_name():
    """TF1 keeps the store's name (``reuse`` finds the variable by it) and makes the operation's name unique."""
    tf.placeholder(tf.float32, name="x")
    x = tf.get_variable("x", [2])
    assert x.op.name == "x_1"
    with tf.variable_scope("", reuse=True):
        assert tf.get_variable("x") is x
