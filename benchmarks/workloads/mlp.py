"""One training step of an MLP 784-512-256-10 on a batch of 128: the everyday workload of a small framework.

The step, identical for every contestant:

    h1 = relu(x @ W1 + b1)                      x: 128×784 float32, W1: 784×512
    h2 = relu(h1 @ W2 + b2)                     W2: 512×256
    logits = h2 @ W3 + b3                       W3: 256×10
    loss = -mean(log_softmax(logits)[i, y_i])   softmax cross-entropy: log_softmax, pick the labels, mean
    backward
    p -= lr * p.grad for every parameter, in place and without recording (plain SGD); then p.grad = None

Here the arithmetic (three matmuls forward, six backward: about 0.4 GFLOP) dominates, so a framework's
per-op overhead matters little — what matters is not doing extra work: no needless copies, no re-computation,
no slow fallback for a transposed matmul. The targets compare eager with hand-written numpy, and graph with eager.
The weights are stored ``in × out`` (``x @ W``) in every version, so the matmuls are exactly the same.
Random data, fixed seed; every contestant starts from the same weights.

Graph mode (minidl.graph, and TensorFlow's compat.v1 when installed) builds the model once — Variables,
placeholders for the batch and the labels, the same loss, ``GradientDescentOptimizer(lr).minimize(loss)`` — and
one step is ``sess.run(train_op, feed)``. The feed is the same arrays every step (fed anew on every run, as a
training loop does).
"""
import numpy

from . import Contestant, eager_and_graph_targets, host, session_config, session_contestant, step_result

KEY = "mlp_step"
TITLE = "MLP step"
UNIT = "ms/step"
UNIT_SCALE = 1e3
PER_STEP = 1
BATCH = 128
SIZES = (784, 512, 256, 10)
LR = 0.01

TARGET_RATIO = 1.15
DEVICES = ("cpu", "cuda")


def targets(row):
    return eager_and_graph_targets(row, TARGET_RATIO)


def initial_state(seed=0):
    """Inputs, labels and parameters ``[W1, b1, W2, b2, W3, b3]`` as float32 numpy arrays (PyTorch's init)."""
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(numpy.float32)
    labels = rng.integers(0, SIZES[-1], BATCH)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / numpy.sqrt(fan_in)  # nn.Linear's default: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(numpy.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(numpy.float32))
    return x, labels, params


PARAM_NAMES = ["W1", "b1", "W2", "b2", "W3", "b3"]


def _mlp_contestant(lib, device):
    """The step as a PyTorch user writes it; ``lib`` is minidl.eager or torch (the same code runs on both)."""
    x_np, labels_np, params_np = initial_state()
    x = lib.tensor(x_np, device=device)
    labels = lib.tensor(labels_np[:, None], device=device)  # gather wants an index with the same number of dims
    params = [lib.tensor(p, requires_grad=True, device=device) for p in params_np]
    W1, b1, W2, b2, W3, b3 = params
    last = {}

    def step():
        h1 = (x @ W1 + b1).relu()
        h2 = (h1 @ W2 + b2).relu()
        logits = h2 @ W3 + b3
        loss = -logits.log_softmax(dim=1).gather(1, labels).mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        last["loss"] = loss

    return Contestant(step, lambda: _result(last["loss"].item(), params))


def make_eager(device="cpu"):
    import minidl.eager as torchlike
    return _mlp_contestant(torchlike, device)


def make_torch(torch, device="cpu"):
    return _mlp_contestant(torch, device)


def make_numpy(xp=numpy):
    """Forward, backward and SGD by hand: the fastest honest numpy.

    Fast: every array the step needs is allocated once, before timing, and written with ``out=`` — allocating
    fresh arrays each step (a 1.6 MB gradient for W1) costs page faults that a careful numpy programmer avoids
    (a few percent of the step on our machine). Cross-entropy is done the fused way: the gradient of the loss
    w.r.t. the logits is ``(softmax - onehot) / batch``. ReLU's backward multiplies by the mask ``h > 0`` (faster than masked
    assignment). Honest: it computes the same loss and the same updated weights as the others (checked).
    ``xp``: numpy, or cupy for the same step on the GPU.
    """
    x, labels, params = initial_state()
    x, labels, params = xp.asarray(x), xp.asarray(labels), [xp.asarray(p) for p in params]
    W1, b1, W2, b2, W3, b3 = params
    n = BATCH
    rows = xp.arange(n)
    f32 = numpy.float32
    # activations, and their gradients, allocated once
    h1, h2 = xp.empty((n, SIZES[1]), f32), xp.empty((n, SIZES[2]), f32)
    logits, probs = xp.empty((n, SIZES[3]), f32), xp.empty((n, SIZES[3]), f32)
    row_max, row_sum = xp.empty((n, 1), f32), xp.empty((n, 1), f32)
    dh1, dh2 = xp.empty_like(h1), xp.empty_like(h2)
    mask1, mask2 = xp.empty(h1.shape, bool), xp.empty(h2.shape, bool)
    grads = [xp.empty_like(p) for p in params]
    dW1, db1, dW2, db2, dW3, db3 = grads
    minus_lr = f32(-LR)
    matmul, add, maximum, subtract, multiply, greater = xp.matmul, xp.add, xp.maximum, xp.subtract, xp.multiply, \
        xp.greater
    last = {}

    def step():
        # forward
        matmul(x, W1, out=h1)
        add(h1, b1, out=h1)
        maximum(h1, 0, out=h1)                   # relu, in place: only its output is needed later
        matmul(h1, W2, out=h2)
        add(h2, b2, out=h2)
        maximum(h2, 0, out=h2)
        matmul(h2, W3, out=logits)
        add(logits, b3, out=logits)
        # log_softmax = shifted - log(sum(exp(shifted))) with shifted = logits - max (no overflow)
        logits.max(axis=1, keepdims=True, out=row_max)
        subtract(logits, row_max, out=logits)    # logits now hold the shifted values
        xp.exp(logits, out=probs)
        probs.sum(axis=1, keepdims=True, out=row_sum)
        last["loss"] = (xp.log(row_sum[:, 0]) - logits[rows, labels]).mean()  # -mean(log_softmax[i, y_i])
        # backward: d loss / d logits = (softmax - onehot(labels)) / n
        xp.divide(probs, row_sum, out=probs)
        probs[rows, labels] -= 1
        multiply(probs, f32(1 / n), out=probs)
        matmul(h2.T, probs, out=dW3)
        probs.sum(axis=0, out=db3)
        matmul(probs, W3.T, out=dh2)
        multiply(dh2, greater(h2, 0, out=mask2), out=dh2)   # relu: pass the gradient where h > 0
        matmul(h1.T, dh2, out=dW2)
        dh2.sum(axis=0, out=db2)
        matmul(dh2, W2.T, out=dh1)
        multiply(dh1, greater(h1, 0, out=mask1), out=dh1)
        matmul(x.T, dh1, out=dW1)
        dh1.sum(axis=0, out=db1)
        # SGD, in place: p += -lr * g
        for p, g in zip(params, grads):
            multiply(g, minus_lr, out=g)
            add(p, g, out=p)

    return Contestant(step, lambda: _result(last["loss"].item(), params))


def make_graph(device="cpu"):
    import minidl.graph as tf
    from minidl import ops

    def pick(logp, labels):  # the same Gather op the eager version runs, on graph tensors
        return ops.gather(logp, 1, labels)
    return _graph_contestant(tf, lambda graph: tf.Session(graph=graph, config=session_config(device)), pick,
                             labels_column=True)


def make_tf(tf, config=None):
    def pick(logp, labels):  # TF1's way to take logp[i, labels[i]]
        return tf.reduce_sum(logp * tf.one_hot(labels, SIZES[-1], dtype=logp.dtype), axis=1)
    return _graph_contestant(tf, lambda graph: tf.Session(graph=graph, config=config), pick, labels_column=False)


def _graph_contestant(tf, session, pick, labels_column):
    """The MLP step in a TF1-style graph; ``tf`` is minidl.graph or tensorflow.compat.v1."""
    x_np, labels_np, params_np = initial_state()
    labels_np = labels_np[:, None] if labels_column else labels_np
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, (None, SIZES[0]), name="x")
        labels = tf.placeholder(tf.int64, (None,) + labels_np.shape[1:], name="labels")
        params = [tf.Variable(p, name=name) for p, name in zip(params_np, PARAM_NAMES)]
        W1, b1, W2, b2, W3, b3 = params
        h1 = tf.nn.relu(tf.matmul(x, W1) + b1)
        h2 = tf.nn.relu(tf.matmul(h1, W2) + b2)
        logits = tf.matmul(h2, W3) + b3
        loss = -tf.reduce_mean(pick(tf.nn.log_softmax(logits, axis=1), labels))
        train_op = tf.train.GradientDescentOptimizer(LR).minimize(loss)
        init = tf.global_variables_initializer()
    feed = {x: x_np, labels: labels_np}
    return session_contestant(session(graph), init, train_op, loss, feed,
                              lambda first_loss, sess: _result(first_loss, sess.run(params)))


def _result(loss, params):
    return step_result(float(loss), initial_state()[2], [host(p) for p in params], PARAM_NAMES)
