"""One training step of a tanh RNN: input 64, hidden 128, 32 time steps, batch 32, a linear classifier on the
last hidden state.

The step, identical for every contestant (PyTorch's ``nn.RNN`` layout, time-major input):

    x: 32 steps × 32 batch × 64 float32; h_0 = 0; labels: 32 ints in [0, 10)
    h_t = tanh(x_t @ W_ih.T + b_ih + h_(t-1) @ W_hh.T + b_hh)       W_ih: 128×64, W_hh: 128×128
    logits = h_32 @ W_fc.T + b_fc                                    W_fc: 10×128
    loss = cross_entropy(logits, labels)                             mean over the batch
    backward through time; SGD: p -= lr * p.grad

Small matrices (32×128 by 128×128) in a 32-step sequential loop: the arithmetic is ~70 MFLOP, so what a step costs
is mostly per-op overhead × ~200 ops — the row shows whether the framework's fixed costs stay small beside numpy
doing the same loop by hand.

Contestants:

* ``eager``: ``nn.RNN`` + ``nn.Linear`` + ``F.cross_entropy`` + ``optim.SGD``; ``torch``: the same code in PyTorch;
* ``graph``: ``tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(128), x, time_major=True, initial_state=zeros)``,
  the classifier on the final state, then ``GradientDescentOptimizer(lr).minimize(loss)``; a step is
  ``sess.run(train_op, feed)``. minidl builds the BasicRNNCell's recurrence as ONE fused ``rnn_sequence`` op
  after one input projection for all steps, as ``nn.RNN`` does. ``tf``: the same code in TensorFlow's
  ``compat.v1`` where installed (there ``dynamic_rnn`` is a while loop over cell calls). TF's cell keeps ONE
  kernel, ``[W_ih.T; W_hh.T]`` (input rows on top of the state rows), and ONE bias, started at ``b_ih + b_hh``;
  its result maps the kernel's change back to the two blocks. The one bias gets the gradient that ``b_ih`` and
  ``b_hh`` each get in ``nn.RNN``, so its change after a step is what each of theirs is, and it is reported as
  both (only one step is compared: after more steps they part, as PyTorch's sum ``b_ih + b_hh`` moves twice as
  far per step);
* ``numpy``: forward loop and backpropagation through time by hand: one matmul for all steps' input projection,
  one ``h @ W_hh.T`` + add + tanh per step (into a preallocated 33×32×128 history; W_hh.T is copied to a
  contiguous array once per training step, as ``rnn_sequence`` does: OpenBLAS multiplies the transposed view about
  2x slower at this size), the backward loop keeps only ``dz_t = dh * (1 - h_t²)`` and ``dh = dz_t @ W_hh`` per
  step, and the weight gradients are each ONE matmul over the stacked ``dz`` (1024×128) afterwards; fused softmax
  cross-entropy gradient; all buffers allocated once.

Every contestant's ``result()`` (read after one step) is the loss and each parameter's change, checked against numpy.
"""
import numpy

from . import Contestant, eager_and_graph_targets, host, session_config, session_contestant, step_result

KEY = "rnn_step"
TITLE = "RNN step"
UNIT = "ms/step"
UNIT_SCALE = 1e3
PER_STEP = 1
STEPS, BATCH, INPUT, HIDDEN, CLASSES = 32, 32, 64, 128, 10
LR = 0.01
TARGET_RATIO = 1.2
PARAM_NAMES = ["W_ih", "W_hh", "b_ih", "b_hh", "W_fc", "b_fc"]
PEAK_MEMORY = True
DEVICES = ("cpu", "cuda")


def targets(row):
    return eager_and_graph_targets(row, TARGET_RATIO)


def initial_state(seed=0):
    """Input, labels and parameters ``[W_ih, W_hh, b_ih, b_hh, W_fc, b_fc]`` (PyTorch's init), float32."""
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((STEPS, BATCH, INPUT)).astype(numpy.float32)
    labels = rng.integers(0, CLASSES, BATCH)
    k, kf = 1 / numpy.sqrt(HIDDEN), 1 / numpy.sqrt(HIDDEN)
    shapes = [((HIDDEN, INPUT), k), ((HIDDEN, HIDDEN), k), ((HIDDEN,), k), ((HIDDEN,), k),
              ((CLASSES, HIDDEN), kf), ((CLASSES,), kf)]
    params = [rng.uniform(-b, b, s).astype(numpy.float32) for s, b in shapes]
    return x, labels, params


def _result(loss, params):
    return step_result(float(loss), initial_state()[2], [host(p) for p in params], PARAM_NAMES)


# --------------------------------------------------------------------------------------- eager and PyTorch

def _module_contestant(lib, device):
    nn, F = lib.nn, lib.nn.functional
    x_np, labels_np, params_np = initial_state()
    rnn, fc = nn.RNN(INPUT, HIDDEN).to(device), nn.Linear(HIDDEN, CLASSES).to(device)
    params = [rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0, fc.weight, fc.bias]
    with lib.no_grad():
        for p, value in zip(params, params_np):
            p.copy_(lib.tensor(value, device=device))
    x, labels = lib.tensor(x_np, device=device), lib.tensor(labels_np, device=device)
    optimizer = lib.optim.SGD(params, lr=LR)
    last = {}

    def step():
        optimizer.zero_grad()
        _, h_n = rnn(x)
        loss = F.cross_entropy(fc(h_n[0]), labels)
        loss.backward()
        optimizer.step()
        last["loss"] = loss

    return Contestant(step, lambda: _result(last["loss"].item(), params))


def make_eager(device="cpu"):
    import minidl.eager as torchlike
    return _module_contestant(torchlike, device)


def make_torch(torch, device="cpu"):
    return _module_contestant(torch, device)


# ---------------------------------------------------------------------------------------------- graph mode

def _graph_contestant(tf, config):
    """``tf.nn.dynamic_rnn`` over a ``BasicRNNCell`` in a TF1 graph; ``tf`` is minidl.graph or
    tensorflow.compat.v1."""
    x_np, labels_np, params_np = initial_state()
    W_ih, W_hh, b_ih, b_hh, W_fc, b_fc = params_np
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, (STEPS, None, INPUT), name="x")
        labels = tf.placeholder(tf.int64, (None,), name="labels")
        cell = tf.nn.rnn_cell.BasicRNNCell(HIDDEN)
        _, h = tf.nn.dynamic_rnn(cell, x, time_major=True, initial_state=tf.zeros([BATCH, HIDDEN]))
        kernel, bias = cell.trainable_variables
        fc = [tf.Variable(p, name=name) for p, name in zip((W_fc, b_fc), PARAM_NAMES[4:])]
        logits = tf.matmul(h, fc[0], transpose_b=True) + fc[1]
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        train_op = tf.train.GradientDescentOptimizer(LR).minimize(loss)
        # the cell made its own variables; start them where the other contestants start: the kernel's input rows
        # W_ih.T on top of its state rows W_hh.T, and bias = b_ih + b_hh
        with tf.control_dependencies([tf.global_variables_initializer()]):
            init = tf.group(kernel.assign(numpy.concatenate([W_ih.T, W_hh.T])), bias.assign(b_ih + b_hh))
    feed = {x: x_np, labels: labels_np}

    def read_result(first_loss, sess):
        kernel_now, bias_now, *fc_now = sess.run([kernel, bias] + fc)
        # the cell has ONE bias where nn.RNN has two; it gets the gradient that b_ih and b_hh each get, so its
        # change after a step is each of theirs (see the module docstring), reported for both
        bias_change = (b_ih + b_hh).astype(numpy.float64) - bias_now
        return _result(first_loss, [kernel_now[:INPUT].T, kernel_now[INPUT:].T, b_ih - bias_change,
                                    b_hh - bias_change] + fc_now)

    return session_contestant(tf.Session(graph=graph, config=config), init, train_op, loss, feed, read_result)


def make_graph(device="cpu"):
    import minidl.graph as tf
    return _graph_contestant(tf, session_config(device))


def make_tf(tf, config=None):
    return _graph_contestant(tf, config)


# ------------------------------------------------------------------------------------------- numpy by hand

def make_numpy(xp=numpy):
    """Forward loop and BPTT by hand (see the module docstring); ``xp``: numpy, or cupy."""
    x, labels, params = initial_state()
    x, labels, params = xp.asarray(x), xp.asarray(labels), [xp.asarray(p) for p in params]
    W_ih, W_hh, b_ih, b_hh, W_fc, b_fc = params
    f32 = numpy.float32
    e = xp.empty
    rows = xp.arange(BATCH)
    x2 = x.reshape(-1, INPUT)
    hs = xp.zeros((STEPS + 1, BATCH, HIDDEN), f32)        # hs[0] = h_0 = 0, hs[t + 1] = h_t
    xw = e((STEPS, BATCH, HIDDEN), f32)
    W_hh_T = e((HIDDEN, HIDDEN), f32)
    tmp = e((BATCH, HIDDEN), f32)
    b = e(HIDDEN, f32)
    logits, probs = e((BATCH, CLASSES), f32), e((BATCH, CLASSES), f32)
    row_max, row_sum = e((BATCH, 1), f32), e((BATCH, 1), f32)
    dz = e((STEPS, BATCH, HIDDEN), f32)
    dh = e((BATCH, HIDDEN), f32)
    grads = [e(p.shape, f32) for p in params]
    dW_ih, dW_hh, db_ih, db_hh, dW_fc, db_fc = grads
    mm, add, mul, sub = xp.matmul, xp.add, xp.multiply, xp.subtract
    minus_lr = f32(-LR)
    last = {}

    def step():
        add(b_ih, b_hh, out=b)
        mm(x2, W_ih.T, out=xw.reshape(-1, HIDDEN))
        add(xw, b, out=xw)
        xp.copyto(W_hh_T, W_hh.T)  # h @ W_hh.T with a transposed W_hh.T view is up to 2x slower (OpenBLAS)
        for t in range(STEPS):
            mm(hs[t], W_hh_T, out=tmp)
            add(tmp, xw[t], out=tmp)
            xp.tanh(tmp, out=hs[t + 1])
        h = hs[STEPS]
        mm(h, W_fc.T, out=logits)
        add(logits, b_fc, out=logits)
        logits.max(axis=1, keepdims=True, out=row_max)
        sub(logits, row_max, out=logits)
        xp.exp(logits, out=probs)
        probs.sum(axis=1, keepdims=True, out=row_sum)
        last["loss"] = (xp.log(row_sum[:, 0]) - logits[rows, labels]).mean()
        xp.divide(probs, row_sum, out=probs)
        probs[rows, labels] -= 1
        mul(probs, f32(1 / BATCH), out=probs)
        mm(probs.T, h, out=dW_fc)
        probs.sum(axis=0, out=db_fc)
        mm(probs, W_fc, out=dh)
        for t in range(STEPS - 1, -1, -1):   # dz_t = dh * (1 - h_t²); dh_(t-1) = dz_t @ W_hh
            ht, d = hs[t + 1], dz[t]
            mul(ht, ht, out=d)
            sub(f32(1), d, out=d)
            mul(d, dh, out=d)
            if t:
                mm(d, W_hh, out=dh)
        dz2 = dz.reshape(-1, HIDDEN)
        mm(dz2.T, hs[:-1].reshape(-1, HIDDEN), out=dW_hh)
        mm(dz2.T, x2, out=dW_ih)
        dz2.sum(axis=0, out=db_ih)
        db_hh[...] = db_ih
        for p, g in zip(params, grads):
            mul(g, minus_lr, out=g)
            add(p, g, out=p)

    return Contestant(step, lambda: _result(last["loss"], params))
