"""``tf.TensorArray``: values and static shapes, TF1's errors, use as a ``tf.while_loop`` variable, and gradients
through writes and reads (against float64 central differences)."""
import collections

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients


def floats(n=3, **kw):
    return tf.TensorArray(tf.float32, size=n, **kw)


# ----------------------------------------------------------------------------------------- values and shapes

def test_write_read_stack():
    ta = floats().write(0, [1.0, 2.0]).write(2, tf.constant([5.0, 6.0]))
    stacked, first, unwritten, size = run([ta.stack(), ta.read(0), ta.read(1), ta.size()])
    np.testing.assert_array_equal(stacked, [[1, 2], [0, 0], [5, 6]])   # an element never written is zeros
    np.testing.assert_array_equal(first, [1, 2])
    np.testing.assert_array_equal(unwritten, [0, 0])
    assert size == 3
    assert ta.stack().shape == (3, 2) and ta.read(1).shape == (2,) and ta.element_shape == (2,)
    assert ta.dtype == tf.float32 and not ta.dynamic_size and "TensorArray" in repr(ta)


def test_each_write_is_a_new_value():
    empty = floats(2)
    one = empty.write(0, 1.0)
    two = one.write(1, 2.0)
    a, b = run([one.stack(), two.stack()])
    np.testing.assert_array_equal(a, [1, 0])     # writing to `one` left it as it was
    np.testing.assert_array_equal(b, [1, 2])


def test_unstack_scatter_gather_concat_split():
    x = np.arange(8, dtype=np.float32).reshape(4, 2)
    ta = floats(4).unstack(x)
    np.testing.assert_array_equal(run(ta.stack()), x)
    np.testing.assert_array_equal(run(ta.gather([3, 0, 3])), x[[3, 0, 3]])
    np.testing.assert_array_equal(run(ta.concat()), x.reshape(-1))
    assert ta.concat().shape == (8,)
    part = floats(5).unstack(x[:2])                       # fewer rows than the size: the rest stay unwritten
    np.testing.assert_array_equal(run(part.stack()), np.vstack([x[:2], np.zeros((3, 2))]))
    scattered = floats(4).scatter([3, 1], x[:2])
    np.testing.assert_array_equal(run(scattered.stack()), [[0, 0], x[1], [0, 0], x[0]])
    split = floats(2).split(np.arange(6, dtype=np.float32), [3, 3])
    np.testing.assert_array_equal(run(split.stack()), [[0, 1, 2], [3, 4, 5]])


def test_dynamic_size_grows_on_writes_past_the_end():
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(0, 1.0).write(3, 4.0)
    stacked, size = run([ta.stack(), ta.size()])
    np.testing.assert_array_equal(stacked, [1, 0, 0, 4])
    assert size == 4 and ta.stack().shape.as_list() == [None]


def test_a_known_element_shape_gives_zeros_before_any_write():
    ta = floats(2, element_shape=[3])
    np.testing.assert_array_equal(run(ta.read(1)), np.zeros(3))
    assert run(tf.TensorArray(tf.float32, size=0, element_shape=[2]).stack()).shape == (0, 2)


def test_reading_twice_identity_and_close():
    ta = floats(1).write(0, 7.0)
    same = ta.identity()
    assert run([ta.read(0), ta.read(0), same.read(0)]) == [7, 7, 7]   # reads never clear the element here
    assert ta.close().type == "NoOp"
    assert same.flow.op.type == "Identity"


def test_size_known_at_run_time():
    n = tf.placeholder(tf.int32, [])
    ta = tf.TensorArray(tf.float32, size=n).write(1, [2.0])
    assert ta.stack().shape.as_list() == [None, 1]
    np.testing.assert_array_equal(run(ta.stack(), {n: 3}), [[0], [2], [0]])


# ------------------------------------------------------------------------------------------------ errors

def test_writing_an_element_twice():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not write to TensorArray index 0 because it has "
                                                             "already been written to"):
        run(floats().write(0, 1.0).write(0, 2.0).stack())
    with pytest.raises(tf.errors.InvalidArgumentError, match="index 1 because it has already been written"):
        run(floats().scatter([1, 1], [1.0, 2.0]).stack())


def test_out_of_range():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tried to write to index 3 but array is not resizeable "
                                                             "and size is: 3"):
        run(floats().write(3, 1.0).stack())
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tried to write to index -1"):
        run(floats(dynamic_size=True).write(-1, 1.0).stack())
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tried to write to index 2 .* size is: 2"):
        run(floats(2).unstack(np.zeros((3, 1), np.float32)).stack())
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tried to read from index 3 but array size is: 3"):
        run(floats().write(0, 1.0).read(3))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tried to read from index -1"):
        run(floats().write(0, 1.0).gather([0, -1]))
    n = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match="size must be non-negative, got -1"):
        run(tf.TensorArray(tf.float32, size=n).size(), {n: -1})
    with pytest.raises(ValueError, match="size must be non-negative, got -2"):
        tf.TensorArray(tf.float32, size=-2)


def test_reading_before_the_element_shape_is_known():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not read from TensorArray index 1.  Furthermore, "
                                                             "the element shape is not fully defined"):
        run(floats().read(1))
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorArray has size zero, but element shape <unknown> "
                                                             "is not fully defined"):
        run(tf.TensorArray(tf.float32, size=0).stack())


def test_element_shapes_must_agree():
    with pytest.raises(ValueError, match=r"Inconsistent shapes: saw \(3,\) but expected \(2,\)"):
        floats().write(0, [1.0, 2.0]).write(1, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Inconsistent shapes"):
        floats(element_shape=[2]).unstack(np.zeros((3, 3), np.float32))
    # without infer_shape only the run time sees it: one array holds all the elements
    v = tf.placeholder(tf.float32, [None])
    ta = floats(infer_shape=False).write(0, v).write(1, v[:1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Could not write to TensorArray index 1 because the "
                                                             r"value shape is \[1\] which is incompatible with the "
                                                             r"TensorArray's inferred element shape: \[2\]"):
        run(ta.stack(), {v: [1.0, 2.0]})
    w = tf.placeholder(tf.float32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"value shape is \[2\] .* element shape: \[3\]"):
        run(floats(element_shape=[None]).write(0, w).write(1, w[:2] * 2).stack(), {w: [1.0, 2.0, 3.0]})


def test_bad_arguments():
    with pytest.raises(TypeError, match="TensorArray dtype is float32 but Op is trying to write dtype int32"):
        floats().write(0, tf.constant(1))
    with pytest.raises(ValueError, match="Size must be provided"):
        tf.TensorArray(tf.float32)
    with pytest.raises(NotImplementedError, match="handle or flow"):
        tf.TensorArray(tf.float32, size=1, flow=tf.constant(0.0))
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        floats().write([0], 1.0)
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 0"):
        floats().gather(0)
    with pytest.raises(TypeError, match="'index' has DataType float32"):
        floats().read(tf.constant(0.0))
    with pytest.raises(ValueError, match="2 indices but 3 values"):
        floats().scatter([0, 1], np.zeros((3, 1), np.float32))
    with pytest.raises(ValueError, match="at least rank 1"):
        floats().unstack(1.0)
    with pytest.raises(NotImplementedError, match="equal lengths"):
        floats(2).split(np.zeros(3, np.float32), [1, 2])
    with pytest.raises(ValueError, match="Concat saw a scalar shape"):
        floats().write(0, 1.0).concat()


# --------------------------------------------------------------------------------------- in a while_loop

def test_the_tf1_loop_pattern():
    x = tf.placeholder(tf.float32, [None, 2])
    n = tf.shape(x)[0]
    inputs = tf.TensorArray(tf.float32, size=n).unstack(x)

    def body(t, total, out):
        total = total + inputs.read(t)
        return t + 1, total, out.write(t, total * 10.0)
    _, total, out = tf.while_loop(lambda t, total, out: t < n, body,
                                  [0, tf.zeros([2]), tf.TensorArray(tf.float32, size=n)])
    assert isinstance(out, tf.TensorArray) and out.element_shape == (2,)   # learned inside the body
    result = out.stack()
    assert result.shape.as_list() == [None, 2]
    values = np.arange(8, dtype=np.float32).reshape(4, 2)
    np.testing.assert_allclose(run(result, {x: values}), 10 * np.cumsum(values, 0))


def test_nested_single_and_dynamic_tensor_arrays_as_loop_vars():
    State = collections.namedtuple("State", "count arrays")

    def body(t, state):
        squares, cubes = state.arrays["squares"], state.arrays["cubes"]
        f = tf.cast(t, tf.float32)
        return t + 1, State(state.count + 1, {"squares": squares.write(t, f * f), "cubes": cubes.write(t, f ** 3)})
    start = State(tf.constant(0), {"squares": floats(4), "cubes": tf.TensorArray(tf.float32, 0, dynamic_size=True)})
    _, end = tf.while_loop(lambda t, s: t < 4, body, [0, start],
                           shape_invariants=[tf.TensorShape([]), State(tf.TensorShape([]), {"squares": None,
                                                                                              "cubes": None})])
    count, squares, cubes = run([end.count, end.arrays["squares"].stack(), end.arrays["cubes"].stack()])
    assert count == 4
    np.testing.assert_array_equal(squares, [0, 1, 4, 9])
    np.testing.assert_array_equal(cubes, [0, 1, 8, 27])
    assert end.arrays["squares"].stack().shape == (4,)

    only = tf.while_loop(lambda ta: ta.size() < 3, lambda ta: ta.write(ta.size(), 1.0),
                         tf.TensorArray(tf.float32, size=0, dynamic_size=True))
    assert isinstance(only, tf.TensorArray)
    np.testing.assert_array_equal(run(only.stack()), [1, 1, 1])


def test_a_tensor_array_must_stay_one():
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.while_loop(lambda t, ta: t < 2, lambda t, ta: (t + 1, ta.stack()), [0, floats(2, element_shape=[])])


# ------------------------------------------------------------------------------------------------ gradients

def test_gradients_through_writes_and_reads_in_a_loop():
    def recurrence(x, w):
        """h_t = tanh(w * h_(t-1) + x_t), collected in a TensorArray; x's rows reach the body through another."""
        inputs = tf.TensorArray(tf.float64, size=4).unstack(x)

        def body(t, h, out):
            h = tf.tanh(w * h + inputs.read(t))
            return t + 1, h, out.write(t, h)
        _, h, out = tf.while_loop(lambda t, h, out: t < 4, body, [0, tf.zeros([3], tf.float64),
                                                                  tf.TensorArray(tf.float64, size=4)])
        return out.stack() * 2.0 + h
    rng = np.random.default_rng(0)
    check_gradients(recurrence, rng.standard_normal((4, 3)), rng.standard_normal(3))


def test_gradients_of_reading_what_the_same_iteration_wrote():
    def fn(x):
        def body(t, out):
            out = out.write(t, tf.sin(x[t]))
            return t + 1, out.write(t + 3, out.read(t) ** 2)        # read back, then squared
        _, out = tf.while_loop(lambda t, out: t < 3, body, [0, tf.TensorArray(tf.float64, size=6)])
        return out.stack()
    check_gradients(fn, np.array([0.3, -1.1, 2.0]))


def test_gradients_outside_loops_and_of_second_order():
    def fn(x):
        ta = tf.TensorArray(tf.float64, size=5).unstack(x)
        picked = ta.gather([2, 0, 2])                                   # element 2 read twice
        grown = tf.TensorArray(tf.float64, size=0, dynamic_size=True).scatter([4, 1], picked[:2] ** 3)
        pieces = tf.TensorArray(tf.float64, size=2).split(x[:4], [2, 2])
        return tf.concat([grown.concat(), ta.read(3) * picked[2], tf.reshape(pieces.concat() ** 2, [-1])], 0)
    check_gradients(fn, np.random.default_rng(1).standard_normal((5, 2)))

    x = tf.placeholder(tf.float64, [3])
    ta = tf.TensorArray(tf.float64, size=3).unstack(x)
    y = ta.read(0) ** 3 + ta.read(1) * ta.read(2) + tf.reduce_sum(tf.TensorArray(tf.float64, size=2)
                                                                  .write(1, x * x).stack() ** 2)
    hessian = run(tf.hessians(y, x)[0], {x: [0.5, -1.0, 2.0]})
    expected = np.diag(12 * np.array([0.5, -1.0, 2.0]) ** 2) + np.array([[3, 0, 0], [0, 0, 1], [0, 1, 0]])
    np.testing.assert_allclose(hessian, expected)


def test_training_a_weight_used_in_the_loop():
    w = tf.Variable(0.5, dtype=tf.float64)

    def body(t, out):
        return t + 1, out.write(t, w * tf.cast(t, tf.float64))
    _, out = tf.while_loop(lambda t, out: t < 3, body, [0, tf.TensorArray(tf.float64, size=3)])
    loss = tf.reduce_sum(out.stack() ** 2)                      # = w² (0 + 1 + 4), d/dw = 10 w
    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(tf.gradients(loss, w)[0]) == pytest.approx(5.0)
        sess.run(step)
        assert sess.run(w) == pytest.approx(0.0, abs=1e-7)   # 0.5 - 0.1 * 5
