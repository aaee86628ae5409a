"""tf.Variable, assignment, initialization and the variable collections."""
import numpy as np
import pytest

import minidl.graph as tf
import minidl.ops as ops
from minidl.graph import errors
from minidl.graph.graph_ops import NoOp


def op_names(graph):
    return [op.name for op in graph.get_operations()]


# ---------------------------------------------------------------------------------------------- structure

def test_variable_builds_tf_named_ops_and_is_its_ops_output(graph):
    w = tf.Variable(np.ones((2, 3), np.float32), name="W")
    assert op_names(graph) == ["W/initial_value", "W", "W/Assign", "W/read"]
    assert isinstance(w, tf.Tensor) and w.op.outputs[0] is w
    assert (w.name, w.op.name, w.op.type) == ("W:0", "W", "VariableV2")
    assert w.initializer is graph.get_operation_by_name("W/Assign")
    assert w.value() is graph.get_tensor_by_name("W/read:0")
    assert w.initial_value is graph.get_tensor_by_name("W/initial_value:0")
    assert w.shape == (2, 3) and w.dtype == tf.float32 and w.trainable
    assert graph.get_tensor_by_name("W:0") is w and w._as_graph_element() is w
    assert repr(w) == "<tf.Variable 'W:0' shape=(2, 3) dtype=float32_ref>"


def test_taken_names_get_suffixes_and_name_scopes_apply(graph):
    a = tf.Variable(1.0, name="W")
    b = tf.Variable(2.0, name="W")
    c = tf.Variable(3.0)
    with tf.name_scope("layer"):
        d = tf.Variable(4.0, name="W")
    assert [v.name for v in (a, b, c, d)] == ["W:0", "W_1:0", "Variable:0", "layer/W:0"]
    assert "W_1/Assign" in op_names(graph) and "layer/W/read" in op_names(graph)


def test_initial_value_kinds_and_dtypes(graph):
    from_list = tf.Variable([1.0, 2.0])
    from_int = tf.Variable(3)
    from_array = tf.Variable(np.arange(4.0))
    converted = tf.Variable([1, 2], dtype=tf.float64)
    from_tensor = tf.Variable(tf.constant([5.0, 6.0]) * 2)
    from_callable = tf.Variable(lambda: tf.constant([7.0]), name="lazy")
    assert [v.dtype for v in (from_list, from_int, from_array, converted, from_tensor)] == \
        [tf.float32, tf.int32, tf.float64, tf.float64, tf.float32]
    assert "lazy/Initializer/Const" in op_names(graph)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(from_tensor), [10.0, 12.0])
        np.testing.assert_array_equal(sess.run(converted), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(from_callable), [7.0])
        np.testing.assert_array_equal(sess.run(from_int), 3)


def test_bad_initial_values(graph):
    with pytest.raises(ValueError, match="initial_value must be specified"):
        tf.Variable()
    with pytest.raises(ValueError, match="requested dtype float64"):
        tf.Variable(tf.constant([1.0]), dtype=tf.float64)
    with pytest.raises(ValueError, match="must have a shape specified"):
        tf.Variable(tf.placeholder(tf.float32, [None, 3]) * 1)
    with pytest.raises(ValueError, match="not compatible with the explicitly supplied `shape`"):
        tf.Variable([1.0, 2.0], shape=[3])


def test_validate_shape_false_and_explicit_shape(graph):
    x = tf.placeholder(tf.float32, [None])
    free = tf.Variable(x, validate_shape=False)
    assert not free.shape.rank_known
    rows = tf.Variable(np.zeros((2, 3), np.float32), shape=[None, 3])
    assert rows.shape.as_list() == [None, 3]
    with tf.Session() as sess:
        sess.run(free.initializer, {x: [1.0, 2.0]})
        sess.run(tf.assign(free, [1.0, 2.0, 3.0], validate_shape=False))
        np.testing.assert_array_equal(sess.run(free), [1.0, 2.0, 3.0])
        sess.run(rows.initializer)
        sess.run(rows.assign(np.ones((4, 3), np.float32)))
        assert sess.run(rows).shape == (4, 3)


# ------------------------------------------------------------------------------------------ initialization

def test_reading_before_initialization_names_the_variable_and_where_it_was_made(graph):
    w = tf.Variable(np.ones((2, 2), np.float32), name="W")
    y = ops.matmul(w, w)
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError) as info:
            sess.run(y)
    message = str(info.value)
    assert "Attempting to use uninitialized value W" in message
    assert "Caused by op 'W', defined at:" in message and "test_variables.py" in message
    assert "w = tf.Variable(np.ones((2, 2), np.float32), name=\"W\")" in message
    assert info.value.op is w.op


def test_global_variables_initializer_and_values_live_in_the_session(graph):
    w = tf.Variable([1.0, 2.0], name="W")
    step = w.assign_add([1.0, 1.0])
    init = tf.global_variables_initializer()
    assert init.name == "init" and init.op is NoOp
    with tf.Session() as first, tf.Session() as second:
        first.run(init)
        second.run(init)
        first.run(step)
        first.run(step)
        np.testing.assert_array_equal(first.run(w), [3.0, 4.0])
        np.testing.assert_array_equal(second.run(w), [1.0, 2.0])  # another session, another model
    with tf.Session() as fresh:
        with pytest.raises(errors.FailedPreconditionError):
            fresh.run(w)


def test_initialize_all_variables_alias_and_second_init_name(graph):
    tf.Variable(1.0)
    assert tf.initialize_all_variables().name == "init"
    assert tf.global_variables_initializer().name == "init_1"


def test_variables_initializer_subset_and_report_uninitialized(graph):
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    tf.Variable(3.0, name="c", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    report = tf.report_uninitialized_variables()
    assert report.shape.as_list() == [None]
    with tf.Session() as sess:
        assert list(sess.run(report)) == [b"a", b"b", b"c"]
        sess.run(tf.variables_initializer([a]))
        assert list(sess.run(report)) == [b"b", b"c"]
        assert list(sess.run(tf.report_uninitialized_variables([a]))) == []
        assert sess.run(tf.is_variable_initialized(a)) and not sess.run(b.is_initialized())
        sess.run(tf.local_variables_initializer())
        sess.run(tf.global_variables_initializer())
        assert sess.run(report).shape == (0,)
    empty = tf.variables_initializer([], name="nothing")
    assert empty.op is NoOp and empty.name == "nothing"


def test_collections(graph):
    w = tf.Variable(1.0, name="w")
    frozen = tf.Variable(2.0, name="frozen", trainable=False)
    local = tf.Variable(0, name="count", collections=[tf.GraphKeys.LOCAL_VARIABLES], trainable=False)
    with tf.name_scope("layer"):
        inner = tf.Variable(3.0, name="w")
    assert tf.global_variables() == [w, frozen, inner]
    assert tf.trainable_variables() == [w, inner]
    assert tf.local_variables() == [local]
    assert tf.global_variables(scope="layer") == [inner]
    assert not frozen.trainable


def test_initializer_ops_ignore_surrounding_control_dependencies(graph):
    gate = tf.no_op(name="gate")
    with tf.control_dependencies([gate]):
        v = tf.Variable(1.0)
        after = v * 2
    assert v.initializer.control_inputs == () and v.op.control_inputs == ()
    assert after.op.control_inputs == (gate,)


# -------------------------------------------------------------------------------------------- assignment

def test_assign_methods_and_functions_return_the_new_value(graph):
    v = tf.Variable(10.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.assign(4.0)) == 4.0
        assert sess.run(v.assign_add(3.0)) == 7.0
        assert sess.run(v.assign_sub(2.0)) == 5.0
        assert sess.run(tf.assign(v, 1.0)) == 1.0
        assert sess.run(tf.assign_add(v, 1.0)) == 2.0
        assert sess.run(tf.assign_sub(v, 0.5)) == 1.5
        assert sess.run(v) == 1.5
    assert v.assign(1.0, read_value=False).type == "Assign"
    assert v.assign_add(1.0).op.type == "AssignAdd" and tf.assign_sub(v, 1.0).op.type == "AssignSub"
    assert v.assign_add(1.0, name="bump").op.name == "bump"


def test_assign_converts_python_values_to_the_variable_dtype(graph):
    counter = tf.Variable(0, name="counter")
    vec = tf.Variable(np.zeros(3))  # float64
    inc = counter.assign_add(1)
    fill = vec.assign([1, 2, 3])
    assert inc.dtype == tf.int32 and fill.dtype == tf.float64
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(inc)
        assert sess.run(inc) == 2 and sess.run(counter).dtype == np.int32
        assert sess.run(fill).dtype == np.float64
    with pytest.raises(ValueError, match="requested dtype int32"):
        counter.assign(tf.constant(1.5))


def test_assign_add_broadcasts_a_scalar_and_rejects_other_shapes(graph):
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v.assign_add(1.0)), [2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="incompatible"):
        v.assign_add([1.0, 2.0])
    unknown = tf.placeholder(tf.float32)
    add = v.assign_add(unknown)
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(errors.InvalidArgumentError, match=r"Cannot update variable with shape \[3\] using a Tensor "
                                                              r"with shape \[2\]"):
            sess.run(add, {unknown: [1.0, 2.0]})


def test_assign_shape_errors(graph):
    v = tf.Variable(np.zeros((2, 3), np.float32), name="v")
    with pytest.raises(ValueError, match=r"Shapes \(2, 3\) and \(3,\) are incompatible"):
        v.assign([1.0, 2.0, 3.0])
    x = tf.placeholder(tf.float32)
    set_x = v.assign(x)
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match=r"lhs shape= \[2,3\] rhs shape= \[3\]") as info:
            sess.run(set_x, {x: [1.0, 2.0, 3.0]})
        assert "Caused by op 'Assign'" in str(info.value)


def test_assign_to_an_uninitialized_variable_add_fails_but_set_works(graph):
    v = tf.Variable(1.0, name="v")
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError, match="Attempting to use uninitialized value v"):
            sess.run(v.assign_add(1.0))
        assert sess.run(v.assign(5.0)) == 5.0
        assert sess.run(v) == 5.0


def test_assign_needs_a_variable(graph):
    with pytest.raises(TypeError, match="needs a tf.Variable"):
        tf.assign(tf.constant(1.0), 2.0)


def test_assigned_values_are_private_copies(graph):
    source = np.array([1.0, 2.0])
    a = tf.Variable(source)
    b = tf.Variable(a.value())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(a.assign_add([10.0, 10.0]))
        np.testing.assert_array_equal(sess.run(b), [1.0, 2.0])
        sess.run(tf.assign(b, a))
        sess.run(a.assign([0.0, 0.0]))
        np.testing.assert_array_equal(sess.run(b), [11.0, 12.0])
        sess.run(a.initializer)
        np.testing.assert_array_equal(sess.run(a), [1.0, 2.0])  # the initial-value constant was not changed


def test_read_after_assign_under_control_dependencies(graph):
    v = tf.Variable(1.0)
    bump = v.assign_add(1.0)
    with tf.control_dependencies([bump]):
        after = v.read_value()
    u = tf.Variable(0.0)
    with tf.control_dependencies([u.assign(5.0)]):
        first_read = u.read_value()
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(after) == 2.0
        assert sess.run(first_read) == 5.0


# ------------------------------------------------------------------------------------- reading, eval, load

def test_variable_in_ops_gradients_and_fetches(graph):
    w = tf.Variable([[1.0], [2.0]], name="w")
    x = tf.placeholder(tf.float32, [None, 2])
    loss = ops.sum(ops.matmul(x, w) * ops.matmul(x, w.value()))
    grad_w, = tf.gradients(loss, [w])
    feed = {x: [[1.0, 1.0]]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(grad_w, feed), [[6.0], [6.0]])  # d/dw (x·w)² = 2(x·w)x
        out = sess.run({"w": w, "pair": (w.value(), loss)}, feed)
        np.testing.assert_array_equal(out["w"], [[1.0], [2.0]])
        assert out["pair"][1] == 9.0
        np.testing.assert_array_equal(sess.run(w, {w: [[0.0], [0.0]]}), [[0.0], [0.0]])  # a variable can be fed
        assert sess.run(loss, {w: [[1.0], [1.0]], x: [[1.0, 1.0]]}) == 4.0


def test_eval_and_load(graph):
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="default session"):
        v.load([0.0, 0.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(v.eval(session=sess), [1.0, 2.0])
        v.load([5.0, 6.0], sess)
        np.testing.assert_array_equal(sess.run(v), [5.0, 6.0])
        with pytest.raises(ValueError, match="Cannot load value of shape"):
            v.load([1.0, 2.0, 3.0], sess)
    with tf.Session().as_default() as sess:
        v.load([7.0, 8.0])   # an uninitialized variable can be loaded
        np.testing.assert_array_equal(v.eval(), [7.0, 8.0])
        sess.close()
    with tf.Graph().as_default(), tf.Session() as other:
        with pytest.raises(ValueError, match="not an element"):
            v.load([1.0, 1.0], other)


def test_a_reader_made_to_run_after_an_assign_sees_the_new_value(graph):
    v = tf.Variable(0.0)
    update = tf.assign(v, v + 1.0)
    with tf.control_dependencies([update]):
        after, scaled = tf.identity(v), v * 10
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(1.0)
    train = tf.train.GradientDescentOptimizer(0.5).minimize(w * w, global_step=step)
    average = tf.train.ExponentialMovingAverage(0.5)
    with tf.control_dependencies([train]):  # the TF1 recipe: average the weights after each update
        train_and_average = average.apply([w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run([after, scaled]) == [1.0, 10.0] and sess.run(v) == 1.0  # one update, both saw it
        sess.run(train_and_average)
        assert sess.run([w, average.average(w)]) == [0.0, 0.5]  # w: 1 - 0.5·2; average: 0.5·1 + 0.5·0
        assert sess.run([train, step])[1] == 2  # a fetched variable shows its value after the run's updates
        assert sess.run(v, {v: 5.0}) == 5.0 and sess.run(scaled, {v: 5.0}) == 50.0  # a fed variable is the feed
