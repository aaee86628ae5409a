"""Per-op overhead: a chain of 1000 cheap elementwise ops on 16 numbers, forward and backward.

With only 16 float32 values the arithmetic is almost free, so the time is what a framework spends *around*
each op: Python calls, type promotion, creating the result tensor, recording the tape node, and walking the
tape backwards calling one VJP per op.

What is counted. The chain repeats this block of 4 ops 250 times (1000 ops):

    x = x * 0.999      mul by a Python number (promotion of the scalar; the VJP multiplies by it)
    x = x + 0.001      add a Python number     (the VJP passes the gradient through)
    x = x.tanh()       a unary op that saves its output for the backward (dx = g * (1 - y²))
    x = -x             a unary op that saves nothing

then one ``backward()`` from the 16-element result with an all-ones gradient (given, so no extra ``sum`` op).
The reported figure is (time of forward + backward) / 1000: one forward op *and* its share of the backward.
The chain starts from a fresh leaf every step (its ``.grad`` is reset), so every step does the same work.

Graph mode (minidl.graph, and TensorFlow's compat.v1 when installed) builds the same chain ONCE from a
placeholder, plus ``tf.gradients(tf.reduce_sum(y), [x0])`` (the gradient of the sum is the all-ones backward);
one step is ``sess.run([y, grad], {x0: values})`` of that already-compiled fetch set. The graph runs more ops
than the chain has — every Python number becomes a ``Const`` node, and the gradient has nodes of its own (2253
executed ops in all when this was written; ``make_graph`` counts them from the compiled plan) — so besides the
per-chain-op figure (comparable with eager's) the targets also quote the time per *executed* graph op, which is
what "the per-op cost of ``Session.run``" means; next to it, the cost of one raw numpy ufunc call on 16 numbers
on this machine (the floor for any executed op).
"""
import numpy

from . import Contestant, host, session_config, target

KEY = "op_chain"
TITLE = "op chain"
UNIT = "µs/op"
UNIT_SCALE = 1e6
N_BLOCKS = 250
OPS_PER_BLOCK = 4
PER_STEP = N_BLOCKS * OPS_PER_BLOCK  # 1000 ops
SIZE = 16
SCALE, SHIFT = 0.999, 0.001

EAGER_TARGET_US = 10.0        # µs per chain op (forward + backward), eager
GRAPH_TARGET_US = 3.5         # µs per executed graph op (the reference machine's raw ufunc call: ~2.3 µs)
REFERENCE_UFUNC_US = 2.3
RAW_UFUNC = "raw numpy ufunc call"
DEVICES = ("cpu", "cuda")


def targets(row):
    """eager's own target, graph ≤ eager, and the graph's cost per executed op: ≤ 3.5 µs as the issue states it
    (measured where a raw ufunc call took ~2.3 µs), and the same bound as a multiple of this machine's raw ufunc
    call (3.5 / 2.3 ≈ 1.5×), which travels between machines — a fast machine meets the absolute number easily."""
    times, extras, info = row["times"], row["extras"], row["info"]
    ratio = GRAPH_TARGET_US / REFERENCE_UFUNC_US

    def per_executed_op():
        return times["graph"] * PER_STEP / info["graph"]["executed ops per step"]

    ufunc = extras.get(RAW_UFUNC)
    beside = f" (a raw ufunc call here: {ufunc:.2f} µs; on the reference machine ≈{REFERENCE_UFUNC_US:g})" \
        if ufunc else ""
    return [
        target(f"eager ≤ {EAGER_TARGET_US:g} µs/op", lambda: (times["eager"], times["eager"] <= EAGER_TARGET_US),
               lambda v: f"{v:.2f} µs/op"),
        target("graph ≤ eager", lambda: (times["graph"] / times["eager"], times["graph"] <= times["eager"]),
               lambda v: f"{v:.2f}x eager"),
        target(f"graph ≤ {GRAPH_TARGET_US:g} µs per executed op",
               lambda: (per_executed_op(), per_executed_op() <= GRAPH_TARGET_US),
               lambda v: f"{v:.2f} µs{beside}"),
        target(f"graph per executed op ≤ {ratio:.2f}× a raw ufunc call",
               lambda: (per_executed_op() / extras[RAW_UFUNC], per_executed_op() <= ratio * extras[RAW_UFUNC]),
               lambda v: f"{v:.2f}x"),
    ]


def initial_values(seed=0):
    return numpy.random.default_rng(seed).uniform(-1, 1, SIZE).astype(numpy.float32)


def _chain_contestant(lib, device):
    """The chain as a PyTorch user writes it; ``lib`` is minidl.eager or torch (the same code runs on both)."""
    x0 = lib.tensor(initial_values(), requires_grad=True, device=device)
    ones = lib.ones(SIZE, device=device)
    last = {}

    def step():
        x0.grad = None
        x = x0
        for _ in range(N_BLOCKS):
            x = x * SCALE
            x = x + SHIFT
            x = x.tanh()
            x = -x
        x.backward(ones)
        last["output"] = x

    return Contestant(step, lambda: {"output": host(last["output"]), "grad": host(x0.grad)})


def make_eager(device="cpu"):
    import minidl.eager as torchlike
    return _chain_contestant(torchlike, device)


def make_torch(torch, device="cpu"):
    return _chain_contestant(torch, device)


def make_numpy(xp=numpy):
    """The same chain by hand, as fast as honest numpy goes.

    Honest: every op of the chain is one numpy call forward, and its derivative is applied backward one op at a
    time (no algebra across ops, e.g. no folding ``* 0.999`` and ``-x`` into one ``* -0.999``) — the same work
    an eager framework must do. Fast: no allocation at all. The work buffer is updated in place (``out=``),
    only tanh's outputs are kept (its derivative needs them), the scalars are float32 already, and the
    derivative of ``+ 0.001`` is the identity, so the backward does nothing for it. ``xp``: numpy, or cupy.
    """
    x0 = xp.asarray(initial_values())
    scale, shift, one = numpy.float32(SCALE), numpy.float32(SHIFT), numpy.float32(1)
    x = xp.empty(SIZE, numpy.float32)                      # the running value
    tanh_outputs = xp.empty((N_BLOCKS, SIZE), numpy.float32)
    saved = list(tanh_outputs)                             # row views, made once
    grad = xp.empty(SIZE, numpy.float32)
    tmp = xp.empty(SIZE, numpy.float32)
    multiply, add, tanh, negative, subtract = xp.multiply, xp.add, xp.tanh, xp.negative, xp.subtract

    def step():
        xp.copyto(x, x0)
        for y in saved:                # forward
            multiply(x, scale, out=x)  # x * 0.999
            add(x, shift, out=x)       # + 0.001
            tanh(x, out=y)             # tanh, kept for the backward
            negative(y, out=x)         # -x
        grad.fill(1)                   # backward, last op first
        for y in reversed(saved):
            negative(grad, out=grad)   # d(-x) = -g
            multiply(y, y, out=tmp)    # d tanh = g * (1 - y²)
            subtract(one, tmp, out=tmp)
            multiply(grad, tmp, out=grad)
            # d(x + c) = g: nothing to do
            multiply(grad, scale, out=grad)  # d(x * c) = g * c

    return Contestant(step, lambda: {"output": host(x).copy(), "grad": host(grad).copy()})


# ------------------------------------------------------------------------------------------------ graph mode

def build_graph(tf):
    """The chain and its gradient as a graph, in ``tf`` — minidl.graph or tensorflow.compat.v1 (the same code)."""
    graph = tf.Graph()
    with graph.as_default():
        x0 = tf.placeholder(tf.float32, (SIZE,), name="x0")
        x = x0
        for _ in range(N_BLOCKS):
            x = x * SCALE
            x = x + SHIFT
            x = tf.tanh(x)
            x = -x
        (grad,) = tf.gradients(tf.reduce_sum(x), [x0])
    return graph, x0, x, grad


def _graph_contestant(tf, session):
    graph, x0, y, grad = build_graph(tf)
    sess = session(graph)
    feed = {x0: initial_values()}
    fetches = [y, grad]
    last = {}

    def step():
        last["values"] = sess.run(fetches, feed)

    step()  # compile (and cache) the plan now, so info can count its steps
    return sess, Contestant(step, lambda: {"output": last["values"][0], "grad": last["values"][1]})


def make_graph(device="cpu"):
    import minidl.graph as tf
    sess, contestant = _graph_contestant(tf, lambda graph: tf.Session(graph=graph, config=session_config(device)))
    plans = list(getattr(sess, "_plans", {}).values())  # minidl's compiled plans (private, read for the report)
    if len(plans) == 1:
        contestant.info["executed ops per step"] = len(plans[0].steps)
    return contestant


def make_tf(tf, config=None):
    return _graph_contestant(tf, lambda graph: tf.Session(graph=graph, config=config))[1]


def make_extras(tf=None, config=None):
    """A raw numpy ufunc call on 16 float32 numbers (allocating its result, as a graph op does), for scale."""
    a, b = initial_values(), initial_values(1)
    multiply = numpy.multiply
    calls = 100

    def ufunc_calls():
        for _ in range(calls):
            multiply(a, b)
    return {RAW_UFUNC: (ufunc_calls, calls)}
