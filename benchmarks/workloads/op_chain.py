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
"""
import numpy

KEY = "op_chain"
TITLE = "op chain"
UNIT = "µs/op"
UNIT_SCALE = 1e6
N_BLOCKS = 250
OPS_PER_BLOCK = 4
PER_STEP = N_BLOCKS * OPS_PER_BLOCK  # 1000 ops
SIZE = 16
SCALE, SHIFT = 0.999, 0.001

TARGET_US = 10.0
TARGET = f"minidl ≤ {TARGET_US:g} µs/op"


def target_met(times):
    return times["minidl"] <= TARGET_US


def initial_values(seed=0):
    return numpy.random.default_rng(seed).uniform(-1, 1, SIZE).astype(numpy.float32)


def make_minidl():
    import minidl.eager as torchlike

    from . import Contestant
    x0 = torchlike.tensor(initial_values(), requires_grad=True)
    ones = torchlike.ones(SIZE)
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

    return Contestant(step, lambda: {"output": last["output"].detach().numpy(), "grad": x0.grad.numpy()})


def make_torch(torch):
    from . import Contestant
    x0 = torch.tensor(initial_values(), requires_grad=True)
    ones = torch.ones(SIZE)
    last = {}

    def step():  # the same code as minidl's, line for line
        x0.grad = None
        x = x0
        for _ in range(N_BLOCKS):
            x = x * SCALE
            x = x + SHIFT
            x = x.tanh()
            x = -x
        x.backward(ones)
        last["output"] = x

    return Contestant(step, lambda: {"output": last["output"].detach().numpy(), "grad": x0.grad.numpy()})


def make_numpy():
    """The same chain by hand, as fast as honest numpy goes.

    Honest: every op of the chain is one numpy call forward, and its derivative is applied backward one op at a
    time (no algebra across ops, e.g. no folding ``* 0.999`` and ``-x`` into one ``* -0.999``) — the same work
    an eager framework must do. Fast: no allocation at all. The work buffer is updated in place (``out=``),
    only tanh's outputs are kept (its derivative needs them), the scalars are float32 already, and the
    derivative of ``+ 0.001`` is the identity, so the backward does nothing for it.
    """
    from . import Contestant
    x0 = initial_values()
    scale, shift, one = numpy.float32(SCALE), numpy.float32(SHIFT), numpy.float32(1)
    x = numpy.empty(SIZE, numpy.float32)                   # the running value
    tanh_outputs = numpy.empty((N_BLOCKS, SIZE), numpy.float32)
    saved = list(tanh_outputs)                             # row views, made once
    grad = numpy.empty(SIZE, numpy.float32)
    tmp = numpy.empty(SIZE, numpy.float32)
    multiply, add, tanh, negative, subtract = numpy.multiply, numpy.add, numpy.tanh, numpy.negative, numpy.subtract

    def step():
        numpy.copyto(x, x0)
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

    return Contestant(step, lambda: {"output": x.copy(), "grad": grad.copy()})
