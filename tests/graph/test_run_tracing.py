"""A traced Session.run (RunOptions' trace_level, RunMetadata) and timeline.Timeline: each op's time, as TF1
reports it."""
import json
import time

import pytest

import minidl.graph as tf
from minidl.graph.python.client import timeline

from .sessions import session_on

SESSION_DEVICE = tf.test.gpu_device_name() or "/device:CPU:0"  # sessions take the GPU when there is one, as TF's


def _training_graph():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([3, 2]), name="w")
    loss = tf.reduce_sum(tf.nn.relu(tf.matmul(x, w, name="product")), name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    return x, loss, train


def test_a_traced_run_times_every_op_it_runs_in_order(device):
    x, loss, train = _training_graph()
    options, metadata = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), tf.RunMetadata()
    with session_on(device) as sess:
        sess.run(tf.global_variables_initializer())
        before = time.time()
        value, _ = sess.run([loss, train], {x: [[1.0, 2.0, 3.0]]}, options=options, run_metadata=metadata)
        after = time.time()
    assert value == pytest.approx(12.0)
    (device_stats,) = metadata.step_stats.dev_stats
    assert device_stats.device == f"/job:localhost/replica:0/task:0/device:{'GPU' if device == 'cuda' else 'CPU'}:0"
    nodes = device_stats.node_stats
    names = [n.node_name for n in nodes]
    assert names.index("product") < names.index("loss") < names.index("GradientDescent")
    assert len(names) == len(set(names))  # each op once
    starts = [n.all_start_micros for n in nodes]
    assert starts == sorted(starts) and before * 1e6 - 1e3 <= starts[0] <= starts[-1] <= after * 1e6 + 1e3
    for n in nodes:
        assert 0 <= n.op_start_rel_micros <= n.op_end_rel_micros == n.all_end_rel_micros
        assert n.all_end_rel_micros == n.all_end_rel_nanos // 1000
    product = nodes[names.index("product")]
    assert product.timeline_label == "product = MatMul(x, w)"
    gradient_step = nodes[names.index("GradientDescent")]
    assert gradient_step.timeline_label.startswith("GradientDescent = NoOp(^")  # control inputs only


def test_an_untraced_run_leaves_the_metadata_empty():
    x, loss, _ = _training_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for options in (None, tf.RunOptions(), tf.RunOptions(trace_level=tf.RunOptions.NO_TRACE)):
            metadata = tf.RunMetadata()
            assert sess.run(loss, {x: [[1.0, 1.0, 1.0]]}, options=options, run_metadata=metadata) == 6.0
            assert metadata.step_stats.dev_stats == [] and metadata.SerializeToString() == b""
        # a trace level without a RunMetadata to fill is fine too
        assert sess.run(loss, {x: [[1.0, 1.0, 1.0]]}, options=tf.RunOptions(trace_level=3)) == 6.0


def test_the_timeline_is_a_chrome_trace_with_an_event_per_op():
    x, loss, train = _training_graph()
    options, metadata = tf.RunOptions(trace_level=tf.RunOptions.SOFTWARE_TRACE), tf.RunMetadata()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: [[1.0, 2.0, 3.0]]}, options=options, run_metadata=metadata)
    trace = json.loads(timeline.Timeline(metadata.step_stats).generate_chrome_trace_format())
    events = trace["traceEvents"]
    (process,) = [e for e in events if e["ph"] == "M"]
    assert process["args"]["name"].endswith(f"{SESSION_DEVICE} Compute")
    ops = [e for e in events if e["ph"] == "X"]
    nodes = metadata.step_stats.dev_stats[0].node_stats
    assert [e["args"]["name"] for e in ops] == [n.node_name for n in nodes]
    product = next(e for e in ops if e["args"]["name"] == "product")
    assert product["name"] == "MatMul" and product["cat"] == "Op"
    assert (product["args"]["input0"], product["args"]["input1"]) == ("x", "w")
    assert all(e["dur"] >= 0 and e["pid"] == process["pid"] for e in ops)
