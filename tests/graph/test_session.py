"""Graph construction and Session.run: names, scopes, collections, fetch structures, feeds, pruning, plan
caching, gradients as graph nodes, and every error path."""
import collections
import sys

import numpy as np
import pytest

import minidl.graph as tf
import minidl.ops as ops


def test_names_scopes_and_lookups(graph):
    a = tf.constant(1.0, name="a")
    with tf.name_scope("layer"):
        b = tf.add(a, 2.0, name="b")
        c = a * 3.0
    with tf.name_scope("layer"):
        d = a * 4.0
    assert a.name == "a:0" and b.name == "layer/b:0" and c.name.startswith("layer/") and d.name.startswith("layer_1/")
    assert graph.get_tensor_by_name("a:0") is a
    assert graph.get_operation_by_name(c.op.name) is c.op
    assert c.op in graph.get_operations() and a.consumers()[0].graph is graph
    with pytest.raises(KeyError, match="does not exist"):
        graph.get_tensor_by_name("nope:0")
    with pytest.raises(ValueError, match="appears to refer to a Tensor"):
        graph.get_operation_by_name("a:0")


def test_as_default_restores_the_previous_graph_even_on_errors():
    outer = tf.get_default_graph()
    other = tf.Graph()
    with pytest.raises(RuntimeError):
        with other.as_default():
            assert tf.get_default_graph() is other
            raise RuntimeError
    assert tf.get_default_graph() is outer


def test_collections(graph):
    tf.get_default_graph().add_to_collection("mine", 1)
    graph.add_to_collection(tf.GraphKeys.UPDATE_OPS, "op")
    assert graph.get_collection("mine") == [1] and graph.get_collection(tf.GraphKeys.UPDATE_OPS) == ["op"]


def test_static_shapes_and_construction_errors():
    x = tf.placeholder(tf.float32, (None, 784), name="x")
    w = tf.constant(np.zeros((784, 10), np.float32))
    y = ops.matmul(x, w)
    assert y.get_shape().as_list() == [None, 10] and str(y.shape) == "(?, 10)"
    with pytest.raises(ValueError):
        ops.add(tf.placeholder(tf.float32, (3, 4)), tf.placeholder(tf.float32, (5, 4)))
    unknown = tf.placeholder(tf.float32)
    assert not unknown.shape.rank_known and (unknown * 2.0).dtype == tf.float32


def test_run_fetch_structures_and_operations():
    a, b = tf.constant(1.0), tf.constant(2.0)
    Pair = collections.namedtuple("Pair", "first second")
    with tf.Session() as sess:
        out = sess.run({"sum": a + b, "list": [a, (b, a)], "pair": Pair(a, b), "noop": tf.no_op()})
        assert out["sum"] == 3.0 and out["list"][0] == 1.0 and out["list"][1] == (2.0, 1.0)
        assert out["pair"] == Pair(1.0, 2.0) and out["noop"] is None
        assert sess.run(a.name) == 1.0 and sess.run([a, a]) == [1.0, 1.0]


def test_a_session_context_manager_is_not_re_entrant_as_in_tf1():
    sess = tf.Session()
    with sess:
        with pytest.raises(RuntimeError, match="not re-entrant. Use `Session.as_default"):
            with sess:
                pass
        with sess.as_default():  # the way to enter it again
            assert tf.get_default_session() is sess


def test_each_op_runs_once_per_call(capsys):
    x = tf.Print(tf.constant(1.0), [tf.constant(7.0)], message="ran ")
    with tf.Session() as sess:
        sess.run([x + 1.0, x * 2.0, x])
    assert capsys.readouterr().err.count("ran ") == 1


def test_tf_print_writes_its_inputs_in_order_as_tf1_does(capsys):
    """Strings as they are, scalars bare, long tensors summarized with "...", structures with their tensors
    written inside; to stderr unless output_stream says otherwise; the op fetches as None."""
    t = tf.constant([1, 2, 3])
    printing = [tf.print("scalar:", tf.constant(3), "vec:", tf.range(12)), tf.print("hello"),
                tf.print("tensors:", t, {2: t * 2}), tf.print(tf.constant([1.5, 2.0])),
                tf.print(tf.reshape(tf.range(4), (2, 2))), tf.print("x", [1, t], (t,), sep="|", end="!\n"),
                tf.print(tf.range(12), summarize=-1)]
    with tf.Session() as sess:
        assert [sess.run(p) for p in printing] == [None] * len(printing)
        sess.run(tf.print("to stdout", output_stream=sys.stdout))
    out, err = capsys.readouterr()
    assert out == "to stdout\n"
    assert err.splitlines() == ["scalar: 3 vec: [0 1 2 ... 9 10 11]", "hello", "tensors: [1 2 3] {2: [2 4 6]}",
                                "[1.5 2]", "[[0 1]", " [2 3]]", "x|[1, [1 2 3]]|([1 2 3],)!",
                                "[0 1 2 3 4 5 6 7 8 9 10 11]"]


def test_tf_print_writes_to_a_logging_function_or_a_file_and_refuses_other_streams(tmp_path):
    logged = []
    path = tmp_path / "printed.txt"
    with tf.Session() as sess:
        sess.run(tf.print("loss:", tf.constant(0.5), output_stream=logged.append))
        for _ in range(2):
            sess.run(tf.print("step", tf.constant(1), output_stream=f"file://{path}"))
    assert logged == ["loss: 0.5"]
    assert path.read_text() == "step 1\nstep 1\n"
    with pytest.raises(ValueError, match="Unsupported output stream or logging level nowhere"):
        tf.print("x", output_stream="nowhere")


def test_tf_Print_passes_its_input_through_and_logs_its_data_as_tf1_does(capsys):
    x = tf.Print(tf.constant(1.0), [tf.constant(2.0), tf.range(5)], message="data: ")
    with tf.Session() as sess:
        assert sess.run(x) == 1.0
    assert capsys.readouterr().err == "data: [2][0 1 2...]\n"


def test_pruning_skips_unneeded_placeholders_and_feeds_cut_the_graph():
    p = tf.placeholder(tf.float32, (), name="unused")
    q = tf.placeholder(tf.float32, (), name="q")
    c = tf.constant(3.0)
    both = p + c
    with tf.Session() as sess:
        assert sess.run(c * 2.0) == 6.0
        assert sess.run(both, {p: 1.0}) == 4.0
        assert sess.run(both, {both: 10.0}) == 10.0, "any tensor can be fed"
        assert sess.run(q * c, feed_dict={"q:0": 2.0}) == 6.0, "feeds keyed by name"


def test_feed_errors():
    x = tf.placeholder(tf.float32, (None, 784), name="x")
    y = x * 2.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"You must feed a value for placeholder tensor 'x' with dtype float32 and shape "
                                 r"\[\?,784\]"):
            sess.run(y)
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(50, 2352\) for Tensor 'x:0', which has "
                                             r"shape '\(\?, 784\)'"):
            sess.run(y, {x: np.zeros((50, 2352))})
        with pytest.raises(TypeError, match="cannot be a tf.Tensor"):
            sess.run(y, {x: x})


def test_runtime_errors_name_the_op_and_the_line_that_created_it():
    idx = tf.placeholder(tf.int64, (None,), name="idx")
    table = tf.constant(np.arange(3.0))
    picked = ops.index_select(table, 0, idx)  # the line a learner must find
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(picked, {idx: [5]})
    message = str(info.value)
    assert "Caused by op" in message and "test_session.py" in message and "ops.index_select(table, 0, idx)" in message


def test_fetch_from_another_graph_and_closed_session():
    mine = tf.constant(1.0)
    with tf.Graph().as_default():
        other = tf.constant(2.0)
    sess = tf.Session()
    with pytest.raises(ValueError, match="is not an element of this graph"):
        sess.run(other)
    with pytest.raises(TypeError, match="Fetch argument None"):
        sess.run(None)
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(mine)


def test_plans_are_cached_per_fetches_and_feeds():
    x = tf.placeholder(tf.float32, ())
    y = x * 2.0
    with tf.Session() as sess:
        sess.run(y, {x: 1.0})
        sess.run(y, {x: 2.0})
        assert len(sess._plans) == 1
        sess.run([y, x], {x: 2.0})
        assert len(sess._plans) == 2


def test_intermediates_are_released_after_their_last_use():
    x = tf.placeholder(tf.float32, (3,))
    h = x * 2.0
    out = h + 1.0
    with tf.Session() as sess:
        sess.run(out, {x: np.ones(3)})
        plan = next(iter(sess._plans.values()))
        released = {slot for _, frees in plan.steps for slot in frees}
        assert plan.target_slots[0] not in released and len(released) >= 1


def test_interactive_session_eval_and_run():
    sess = tf.InteractiveSession()
    try:
        a = tf.constant([1.0, 2.0])
        assert (a * 2.0).eval().tolist() == [2.0, 4.0]
        tf.no_op().run()
        assert tf.get_default_session() is sess
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_gradients_add_named_nodes_and_second_order_works(graph):
    x = tf.placeholder(tf.float64, (), name="x")
    y = x * x * x
    before = len(graph.get_operations())
    (dy,) = tf.gradients(y, [x])
    added = graph.get_operations()[before:]
    assert added and all(op.name.startswith("gradients/") for op in added)
    (d2y,) = tf.gradients(dy, [x])
    unrelated = tf.placeholder(tf.float64, ())
    assert tf.gradients(y, [unrelated]) == [None]
    with tf.Session() as sess:
        assert sess.run([dy, d2y], {x: 2.0}) == [12.0, 12.0]


def test_gradients_with_grad_ys_stop_gradients_and_hessians(graph):
    a = tf.placeholder(tf.float64, (2,))
    b = a * 2.0
    c = ops.sum(b * a)
    (g,) = tf.gradients(c, [a], stop_gradients=[b])
    (h,) = tf.hessians(ops.sum(a * a * a), [a])
    (weighted,) = tf.gradients(b, [a], grad_ys=[tf.constant([1.0, 10.0], dtype=tf.float64)])
    with tf.Session() as sess:
        got_g, got_h, got_w = sess.run([g, h, weighted], {a: [1.0, 2.0]})
    np.testing.assert_allclose(got_g, [2.0, 4.0])        # b treated as a constant: d(b·a)/da = b
    np.testing.assert_allclose(got_h, np.diag([6.0, 12.0]))
    np.testing.assert_allclose(got_w, [2.0, 20.0])


def test_a_stopped_tensor_still_gets_its_own_gradient_as_in_tf1():
    """TF1's docstring example: with stop_gradients=[a, b], d(a + b)/da and d(a + b)/db are the partial
    derivatives [1, 1] (b = 2a is not followed back into a); without it, the total derivatives [3, 1]."""
    a = tf.constant(0.0)
    b = 2 * a
    partial = tf.gradients(a + b, [a, b], stop_gradients=[a, b])
    total = tf.gradients(a + b, [a, b])
    x = tf.constant(2.0)
    (own,) = tf.gradients(x * 3.0, [x], stop_gradients=[x])
    c = tf.constant(3.0)
    d = c * c
    (through_c_only,) = tf.gradients(d * c, [c], stop_gradients=[d])   # d(d·c)/dc with d held constant: d
    with tf.Session() as sess:
        assert sess.run([partial, total, own, through_c_only]) == [[1.0, 1.0], [3.0, 1.0], 3.0, 9.0]


def test_control_dependencies_and_group_order_side_effects():
    v = tf.Variable(0.0)
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        read = tf.identity(v)
    both = tf.group(inc, tf.no_op())
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(read) == 1.0
        sess.run(both)
        assert sess.run(v) == 2.0


def test_group_takes_nests_of_tensors_and_operations_and_refuses_anything_else():
    a, b = tf.Variable(0.0, name="a"), tf.Variable(0.0, name="b")
    updates = tf.group(a.assign_add(1.0), [b.assign_add(2.0), {"again": a.assign_add(10.0).op}])
    assert sorted(op.type for op in updates.control_inputs) == ["AssignAdd"] * 3
    with tf.Session() as sess:
        sess.run([a.initializer, b.initializer])
        sess.run(updates)
        assert sess.run([a, b]) == [11.0, 2.0]
    with pytest.raises(TypeError, match="zero or more \\(nested\\) Tensors. Received 'None'"):
        tf.group(a.assign(1.0), None)          # e.g. a function that forgot its return
    with pytest.raises(TypeError, match="Received '3'"):
        tf.group([a.assign(1.0), 3])
    paired = tf.tuple([a.read_value(), None], control_inputs=[b.assign(5.0)])   # tf.tuple keeps its Nones
    assert paired[1] is None


def test_print_passes_the_gradient_through():
    x = tf.placeholder(tf.float32, ())
    (g,) = tf.gradients(tf.Print(x * x, [x], message="x="), [x])
    with tf.Session() as sess:
        assert sess.run(g, {x: 3.0}) == 6.0


def test_arrays_and_lists_beside_graph_tensors_become_constants():
    a = tf.constant(np.ones(3, np.float32))
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(a + np.ones(3, np.float32)), [2.0, 2.0, 2.0])
        np.testing.assert_array_equal(sess.run(a * [1.0, 2.0, 3.0]), [1.0, 2.0, 3.0])


def test_gradients_refuse_grad_ys_of_another_shape_and_unknown_unconnected_modes():
    x = tf.placeholder(tf.float64, [3])
    y = x * 2.0
    with pytest.raises(ValueError, match=r"grad_ys\[0\] has shape \(2,\), which is incompatible with the shape "
                                         r"\(3,\) of ys\[0\]"):
        tf.gradients(y, x, grad_ys=tf.constant([1.0, 2.0], tf.float64))
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'bogus'"):
        tf.gradients(y, x, unconnected_gradients="bogus")
    other = tf.Variable([1.0, 2.0], dtype=tf.float64)
    (zero,) = tf.gradients(y, other, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert tf.gradients(y, other, unconnected_gradients=tf.UnconnectedGradients.NONE) == [None]
    with tf.Session() as sess:
        sess.run(other.initializer)
        np.testing.assert_array_equal(sess.run(zero), [0.0, 0.0])


def test_feeds_and_constants_never_change_a_value_silently():
    """TF refuses a Python float for an integer tensor and an integer that does not fit the fed dtype (numpy would
    truncate 1.5 to 1 and wrap 2**40 around to 0)."""
    with pytest.raises(TypeError, match="Expected int32, got 1.5 of type 'float' instead"):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(TypeError, match=r"Expected int32, got \[0.5, 0.5\] of type 'list' instead"):
        tf.Variable([1, 2]).assign_add([0.5, 0.5])
    scalar, pixels = tf.placeholder(tf.int32, []), tf.placeholder(tf.uint8, [2])
    with tf.Session() as sess:
        for feed, value in (({scalar: 2 ** 40}, "1099511627776"), ({pixels: [300, 1]}, r"\[300   1\]"),
                            ({pixels: [-1, 2]}, r"\[-1  2\]")):
            with pytest.raises(TypeError, match=f"Type of feed value {value} is not compatible with Tensor type"):
                sess.run(list(feed)[0], feed)
        np.testing.assert_array_equal(sess.run(pixels, {pixels: np.array([3.0, 255.0])}), [3, 255])


def test_feed_keys_and_layer_inputs_are_named_in_tf_terms():
    p = tf.placeholder(tf.float32, [2])
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: 5 is a int"):
            sess.run(p * 2, {5: [1.0, 1.0]})
    with pytest.raises(ValueError, match="keep_prob must be a scalar tensor or a float in the range"):
        tf.nn.dropout(tf.ones([3]), keep_prob=1.5)
    with pytest.raises(ValueError, match="expected min_ndim=1, found ndim=0"):
        tf.layers.batch_normalization(tf.ones([]))


def test_run_time_errors_name_the_arrays_the_op_was_given():
    a, b = tf.placeholder(tf.float32, [None, None]), tf.placeholder(tf.float32, [None, None])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"in op 'MatMul' \(MatMul\) with inputs \(float32\[2, 3\], float32\[2, 3\]\)"):
            sess.run(tf.matmul(a, b), {a: np.ones((2, 3)), b: np.ones((2, 3))})


def test_a_tuple_of_tensors_is_fed_with_a_tuple_of_values():
    cell = tf.nn.rnn_cell.BasicLSTMCell(4)
    x = tf.placeholder(tf.float32, [1, 1, 2])
    initial = cell.zero_state(1, tf.float32)
    out, state = tf.nn.dynamic_rnn(cell, x, initial_state=initial)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        inputs = np.ones((1, 1, 2), np.float32)
        first_state = sess.run(state, {x: inputs})
        fed = sess.run(out, {x: inputs, initial: first_state})  # an LSTMStateTuple as the key
        again = sess.run(out, {x: inputs, initial.c: first_state.c, initial.h: first_state.h})
        np.testing.assert_array_equal(fed, again)
        assert not np.array_equal(fed, sess.run(out, {x: inputs}))  # the fed state made a difference
        with pytest.raises(ValueError, match="must be a tuple of as many values"):
            sess.run(out, {x: inputs, initial: first_state.c})


def test_gradients_fed_through_placeholders_reach_the_optimizer():
    """The policy-gradient recipe: gradients computed in numpy over several runs are fed through placeholders to
    apply_gradients, which waits for its gradients with control dependencies: a fed placeholder satisfies them."""
    v = tf.Variable([1.0, 2.0])
    grad = tf.placeholder(tf.float32, [2])
    train = tf.train.GradientDescentOptimizer(0.5).apply_gradients([(grad, v)])
    with tf.control_dependencies([grad]):
        doubled = tf.identity(grad * 2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {grad: np.array([1.0, -2.0])})
        assert sess.run(v).tolist() == [0.5, 3.0]
        assert sess.run(doubled, {grad: [1.0, 3.0]}).tolist() == [2.0, 6.0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value for placeholder"):
            sess.run(doubled)  # not fed: the placeholder runs, and says so


def _each_way_to_fetch_a_variable_or_constant():
    weights = tf.Variable(np.ones((2, 2), np.float32))
    constant = tf.constant([1.0, 2.0])
    element = tf.data.Dataset.from_tensor_slices(np.ones((3, 2), np.float32)).make_one_shot_iterator().get_next()
    return {"variable": weights, "read_value": weights.read_value(), "identity": tf.identity(weights),
            "assign": weights.assign(np.full((2, 2), 2.0, np.float32)), "slice": weights[0:1],
            "constant": constant, "identity_of_constant": tf.identity(constant),
            "cond": tf.cond(tf.constant(True), lambda: weights, lambda: weights * 2.0), "dataset_element": element}


@pytest.mark.parametrize("name", list(_each_way_to_fetch_a_variable_or_constant()))
def test_fetched_values_are_the_callers_to_change_as_in_tf1(name):
    """TF1 returns ordinary writable arrays: ``w = sess.run(W); w[abs(w) < t] = 0`` (pruning by hand) works, and
    changes neither the variable nor what the next run fetches."""
    fetch = _each_way_to_fetch_a_variable_or_constant()[name]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value = sess.run(fetch)
        expected = value.copy()
        value[...] = -7.0
        assert value.flags.writeable and (value == -7.0).all()
        if name != "dataset_element":  # the next element of a dataset is the next row: nothing to compare
            np.testing.assert_array_equal(sess.run(fetch), expected)


@pytest.mark.parametrize("make_view", [
    lambda x: x, tf.identity, lambda x: tf.reshape(x, [4]), tf.transpose, lambda x: x[0], tf.stop_gradient,
    lambda x: tf.expand_dims(x, 0), lambda x: tf.cast(x, tf.float32)],
    ids=["placeholder", "identity", "reshape", "transpose", "getitem", "stop_gradient", "expand_dims", "cast"])
def test_a_fetched_view_of_a_feed_does_not_share_the_callers_array(make_view):
    """Deep MNIST's ``tf.reshape(x, [-1, 28, 28, 1])`` fetched with ``{x: images}`` and normalised in place must
    not change ``images``."""
    x = tf.placeholder(tf.float32, [2, 2])
    images = np.arange(4, dtype=np.float32).reshape(2, 2)
    with tf.Session() as sess:
        result = sess.run(make_view(x), {x: images})
        result -= 1.0
    np.testing.assert_array_equal(images, [[0.0, 1.0], [2.0, 3.0]])
