"""The fixed cost of ``Session.run``: a one-op graph, run again and again.

A graph-mode step pays, on top of its ops, a fixed price per ``run`` call: flattening the fetches, resolving and
checking the feeds, looking up the cached plan, setting up the slots, copying the fetched values out and
rebuilding the fetch structure. With a tiny graph that price is all there is. One step here is

    sess.run(y, {x: values})       y = x * 0.999, x a placeholder of 16 float32 numbers

— one op, one feed, one fetch, its plan compiled by an earlier run — next to the same single multiply in eager
mode, in PyTorch and in plain numpy (``numpy.multiply(values, 0.999)``, the floor). Its graph − numpy difference is
the fixed overhead with one feed. Timed in the same run, as extras: ``sess.run(c)`` for a constant ``c`` (one
``Const`` op, no feed: the bare minimum a ``run`` costs) in minidl.graph (and in TensorFlow when installed).
"""
import numpy

from . import CPU_ONLY, Contestant, host, session_config, target

KEY = "session_run"
TITLE = "Session.run"
UNIT = "µs/call"
UNIT_SCALE = 1e6
PER_STEP = 1
SIZE = 16
SCALE = 0.999

TARGET_US = 30.0
DEVICES = ("cpu", "cuda")
CONSTANT_FETCH = "graph: run(constant)"
TF_CONSTANT_FETCH = "tf: run(constant)"


def targets(row):
    times, extras = row["times"], row["extras"]
    return [
        target(f"graph run(constant) ≤ {TARGET_US:g} µs", lambda: (extras[CONSTANT_FETCH],
                                                             extras[CONSTANT_FETCH] <= TARGET_US),
               lambda v: f"{v:.1f} µs"),
        target(f"graph run(1 op, 1 feed) − numpy ≤ {TARGET_US:g} µs",
               lambda: (times["graph"] - times["numpy"], times["graph"] - times["numpy"] <= TARGET_US),
               lambda v: f"{v:.1f} µs"),
    ]


def initial_values(seed=0):
    return numpy.random.default_rng(seed).uniform(-1, 1, SIZE).astype(numpy.float32)


def _contestant(compute):
    last = {}

    def step():
        last["y"] = compute()
    return Contestant(step, lambda: {"y": host(last["y"])})


def make_numpy(xp=numpy):
    values, multiply = xp.asarray(initial_values()), xp.multiply
    return _contestant(lambda: multiply(values, SCALE))


def make_eager(device="cpu"):
    import minidl.eager as torchlike
    return _tensor_contestant(torchlike, device)


def make_torch(torch, device="cpu"):
    return _tensor_contestant(torch, device)


def _tensor_contestant(lib, device):
    x = lib.tensor(initial_values(), device=device)
    return _contestant(lambda: x * SCALE)


def _graph(tf):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, (SIZE,), name="x")
        y = x * SCALE
        c = tf.constant(initial_values(), name="c")
    return graph, x, y, c


def _graph_contestant(tf, sess, x, y):
    feed = {x: initial_values()}
    sess.run(y, feed)  # compile the plan: what we time is the cached path
    return _contestant(lambda: sess.run(y, feed))


def make_graph(device="cpu"):
    import minidl.graph as tf
    graph, x, y, _ = _graph(tf)
    return _graph_contestant(tf, tf.Session(graph=graph, config=session_config(device)), x, y)


def make_tf(tf, config=None):
    graph, x, y, _ = _graph(tf)
    return _graph_contestant(tf, tf.Session(graph=graph, config=config), x, y)


def make_extras(tf=None, config=None):
    """``sess.run(c)`` of a constant: minidl.graph's bare ``run``, and TensorFlow's when ``tf`` is given."""
    import minidl.graph as minidl_graph
    extras = {}
    for label, module, make_session in (
            (CONSTANT_FETCH, minidl_graph, lambda m, g: m.Session(graph=g, config=CPU_ONLY)),
            (TF_CONSTANT_FETCH, tf, lambda m, g: m.Session(graph=g, config=config))):
        if module is None:
            continue
        graph, _, _, c = _graph(module)
        sess = make_session(module, graph)
        sess.run(c)

        def fetch_constant(sess=sess, c=c):
            sess.run(c)
        extras[label] = (fetch_constant, 1)
    return extras
