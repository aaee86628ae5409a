"""One training step of a small CNN (the MNIST-sized "conv, conv, pool, fc, fc") on a batch of 64.

The step, identical for every contestant (PyTorch's layout: NCHW activations, OIHW conv weights, ``out × in``
linear weights; contestants that prefer another layout store the same numbers re-arranged, see below):

    x: 64×1×28×28 float32, labels: 64 ints in [0, 10)
    h1 = relu(conv2d(x, W1 [32×1×3×3]) + b1)        64×32×26×26
    h2 = relu(conv2d(h1, W2 [64×32×3×3]) + b2)      64×64×24×24
    p = maxpool2d(h2, 2)                            64×64×12×12, flattened (c, h, w) to 64×9216
    h3 = relu(p @ W3.T + b3)                        W3: 128×9216
    logits = h3 @ W4.T + b4                         W4: 10×128
    loss = cross_entropy(logits, labels)            mean over the batch
    backward; SGD: p -= lr * p.grad

About 4.6 GFLOP a step, nearly all in conv2's three matrix products (forward, weight gradient, input gradient:
36864×288 by 288×64 each) — so the row asks how close each contestant gets to those products alone. The
"(timed alongside) the step's matrix products alone" line runs exactly the ten matmuls the numpy step does, at
the same shapes, into preallocated outputs, nothing else; the CNN target compares the step with it.

Contestants:

* ``eager``: an ``nn.Module`` (``nn.Conv2d``, ``nn.Linear``, ``F.max_pool2d``, ``F.cross_entropy``) and
  ``optim.SGD``; ``torch``: the same code, line for line, in PyTorch;
* ``graph``: NCHW — ``minidl.ops.conv2d`` / ``max_pool2d`` / ``cross_entropy`` applied to graph tensors (the ops
  eager runs, recorded into the graph), Variables, ``GradientDescentOptimizer(lr).minimize(loss)``; a step is
  ``sess.run(train_op, feed)``. Chosen over NHWC ``tf.nn.conv2d`` because minidl's conv kernels are NCHW and
  ``tf.nn.conv2d(data_format="NHWC")`` adds two transposes per conv and one per pool (the NHWC build is timed
  alongside as "graph NHWC (tf.nn.conv2d) step", so the choice is measured, not assumed);
* ``tf``: TF1 code (``tf.nn.conv2d``, NHWC — what TensorFlow runs on a CPU — HWIO filters, the fc1 weight's
  rows permuted to the NHWC flatten order); the same code is the "graph NHWC" line above when run on minidl;
* ``numpy``: by hand. NHWC inside (the im2col layout: the product of the column matrix with the weights *is*
  the next NHWC activation, no transpose), im2col by ``as_strided`` + one copy into a preallocated buffer,
  the input gradient of conv2 by col2im (nine strided adds), max-pool's backward by the "equals the max"
  mask, fused softmax cross-entropy gradient, every buffer allocated once. Its weights are the same numbers,
  re-arranged once at build time (conv weights as (kh·kw·c_in)×c_out matrices, fc1 rows in NHWC order);
  ``result()`` maps them back.

Every contestant's ``result()`` is read after one step: the loss and each parameter's change (``lr × grad``),
in PyTorch's layout, checked against numpy before anybody is timed.
"""
import numpy

from . import CPU_ONLY, Contestant, host, session_config, session_contestant, step_result, target

KEY = "cnn_step"
TITLE = "CNN step"
UNIT = "ms/step"
UNIT_SCALE = 1e3
PER_STEP = 1
BATCH = 64
LR = 0.01
C1, C2, HIDDEN, CLASSES = 32, 64, 128, 10
H0, H1, H2, HP = 28, 26, 24, 12            # input, after conv1, after conv2, after the pool
FLAT = C2 * HP * HP                         # 9216
PARAM_NAMES = ["W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4"]
MATMULS_LABEL = "the step's matrix products alone"
NHWC_LABEL = "graph NHWC (tf.nn.conv2d) step"
PEAK_MEMORY = True  # benchmarks.memory measures this workload's contestants
DEVICES = ("cpu", "cuda")


def targets(row):
    times, extras = row["times"], row["extras"]

    def fastest_reference():
        refs = [times[n] for n in ("torch", "tf") if n in times]
        if not refs:
            raise KeyError("torch/tf")
        return min(refs)

    def vs_matmuls(name):
        return target(f"{name} step / its matrix products alone (issue: torch/TF ≈ 1.1–1.3×, numpy ≈ 2.2×)",
                      lambda: (times[name] / (extras[MATMULS_LABEL] / 1e3), None), lambda v: f"{v:.2f}x")

    out = [
        target("eager ≤ the faster of torch and TF",
               lambda: (times["eager"] / fastest_reference(), times["eager"] <= fastest_reference()),
               lambda v: f"{v:.2f}x the faster"),
        target("graph ≤ the faster of torch and TF",
               lambda: (times["graph"] / fastest_reference(), times["graph"] <= fastest_reference()),
               lambda v: f"{v:.2f}x the faster"),
    ]
    for name in ("eager", "graph", "numpy", "torch", "tf"):
        if name in times and MATMULS_LABEL in extras:
            t = vs_matmuls(name)
            t.met = None  # information, not a target
            out.append(t)
    return out


def initial_state(seed=0):
    """Input, labels and parameters (PyTorch's layout and default init) as float32 numpy arrays."""
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((BATCH, 1, H0, H0)).astype(numpy.float32)
    labels = rng.integers(0, CLASSES, BATCH)
    params = []
    for shape, fan_in in (((C1, 1, 3, 3), 9), ((C2, C1, 3, 3), C1 * 9), ((HIDDEN, FLAT), FLAT),
                          ((CLASSES, HIDDEN), HIDDEN)):
        bound = 1 / numpy.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, shape).astype(numpy.float32))
        params.append(rng.uniform(-bound, bound, shape[0]).astype(numpy.float32))
    return x, labels, params


def _result(loss, params):
    return step_result(float(loss), initial_state()[2], [host(p) for p in params], PARAM_NAMES)


# --------------------------------------------------------------------------------------- eager and PyTorch

def _module_contestant(lib, device):
    """The step as a PyTorch user writes it; ``lib`` is minidl.eager or torch."""
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, C1, 3)
            self.conv2 = nn.Conv2d(C1, C2, 3)
            self.fc1 = nn.Linear(FLAT, HIDDEN)
            self.fc2 = nn.Linear(HIDDEN, CLASSES)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            return self.fc2(x)

    x_np, labels_np, params_np = initial_state()
    model = Net().to(device)
    with lib.no_grad():
        for p, value in zip(model.parameters(), params_np):
            p.copy_(lib.tensor(value, device=device))
    x, labels = lib.tensor(x_np, device=device), lib.tensor(labels_np, device=device)
    optimizer = lib.optim.SGD(model.parameters(), lr=LR)
    last = {}

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        optimizer.step()
        last["loss"] = loss

    def result():
        return _result(last["loss"].item(), list(model.parameters()))
    return Contestant(step, result)


def make_eager(device="cpu"):
    import minidl.eager as torchlike
    return _module_contestant(torchlike, device)


def make_torch(torch, device="cpu"):
    return _module_contestant(torch, device)


# ---------------------------------------------------------------------------------------------- graph mode

def make_graph(device="cpu"):
    """NCHW: minidl's conv/pool/cross-entropy ops on graph tensors (see the module docstring)."""
    import minidl.graph as tf
    from minidl import ops

    x_np, labels_np, params_np = initial_state()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, (None, 1, H0, H0), name="x")
        labels = tf.placeholder(tf.int64, (None,), name="labels")
        params = [tf.Variable(p, name=name) for p, name in zip(params_np, PARAM_NAMES)]
        W1, b1, W2, b2, W3, b3, W4, b4 = params
        h = tf.nn.relu(ops.conv2d(x, W1, b1))
        h = tf.nn.relu(ops.conv2d(h, W2, b2))
        h = ops.flatten(ops.max_pool2d(h, 2), 1)
        h = tf.nn.relu(tf.matmul(h, W3, transpose_b=True) + b3)
        logits = tf.matmul(h, W4, transpose_b=True) + b4
        loss = ops.cross_entropy(logits, labels)
        train_op = tf.train.GradientDescentOptimizer(LR).minimize(loss)
        init = tf.global_variables_initializer()
    feed = {x: x_np, labels: labels_np}
    return session_contestant(tf.Session(graph=graph, config=session_config(device)), init, train_op, loss, feed,
                              lambda first_loss, sess: _result(first_loss, sess.run(params)))


def _nhwc_params(params_np):
    """PyTorch-layout parameters re-arranged for NHWC code: HWIO filters, fc1 as in×out with NHWC-ordered rows,
    fc2 as in×out."""
    W1, b1, W2, b2, W3, b3, W4, b4 = params_np
    W3_nhwc = W3.reshape(HIDDEN, C2, HP, HP).transpose(2, 3, 1, 0).reshape(FLAT, HIDDEN)
    return [numpy.ascontiguousarray(a) for a in
            (W1.transpose(2, 3, 1, 0), b1, W2.transpose(2, 3, 1, 0), b2, W3_nhwc, b3, W4.T, b4)]


def _torch_layout(nhwc):
    """Back from ``_nhwc_params``'s layout to PyTorch's."""
    W1, b1, W2, b2, W3, b3, W4, b4 = nhwc
    W3_t = W3.reshape(HP, HP, C2, HIDDEN).transpose(3, 2, 0, 1).reshape(HIDDEN, FLAT)
    return [W1.transpose(3, 2, 0, 1), b1, W2.transpose(3, 2, 0, 1), b2, W3_t, b3, W4.T, b4]


def make_tf(tf, config=None):
    """TF1 code, NHWC (``tf`` is tensorflow.compat.v1, or minidl.graph: then it is the NHWC graph line)."""
    x_np, labels_np, params_np = initial_state()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, (None, H0, H0, 1), name="x")
        labels = tf.placeholder(tf.int64, (None,), name="labels")
        params = [tf.Variable(p, name=name) for p, name in zip(_nhwc_params(params_np), PARAM_NAMES)]
        W1, b1, W2, b2, W3, b3, W4, b4 = params
        h = tf.nn.relu(tf.nn.conv2d(x, W1, strides=[1, 1, 1, 1], padding="VALID") + b1)
        h = tf.nn.relu(tf.nn.conv2d(h, W2, strides=[1, 1, 1, 1], padding="VALID") + b2)
        h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
        h = tf.reshape(h, [-1, FLAT])
        h = tf.nn.relu(tf.matmul(h, W3) + b3)
        logits = tf.matmul(h, W4) + b4
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        train_op = tf.train.GradientDescentOptimizer(LR).minimize(loss)
        init = tf.global_variables_initializer()
    feed = {x: x_np.transpose(0, 2, 3, 1), labels: labels_np}
    return session_contestant(tf.Session(graph=graph, config=config), init, train_op, loss, feed,
                              lambda first_loss, sess: _result(first_loss, _torch_layout(sess.run(params))))


# ------------------------------------------------------------------------------------------- numpy by hand

class _NumpyCNN:
    """The buffers and the step of the hand-written version; ``matmuls()`` runs its matrix products alone.
    ``xp``: numpy, or cupy for the same step on the GPU."""

    def __init__(self, xp=numpy):
        f32 = numpy.float32
        x, labels, params_np = initial_state()
        n = BATCH
        self.xp = xp
        self.params = [xp.asarray(p) for p in _nhwc_params(params_np)]
        W1, b1, W2, b2, W3, b3, W4, b4 = self.params
        self.W1m, self.W2m = W1.reshape(9, C1), W2.reshape(9 * C1, C2)  # views: updated with the params
        self.x = xp.ascontiguousarray(xp.asarray(x).transpose(0, 2, 3, 1))  # NHWC
        self.labels, self.rows = xp.asarray(labels), xp.arange(n)
        e = xp.empty
        self.cols1 = e((n * H1 * H1, 9), f32)
        self.h1 = e((n, H1, H1, C1), f32)
        self.cols2 = e((n * H2 * H2, 9 * C1), f32)
        self.h2 = e((n, H2, H2, C2), f32)
        self.pooled = e((n, HP, HP, C2), f32)
        self.h3, self.logits, self.probs = e((n, HIDDEN), f32), e((n, CLASSES), f32), e((n, CLASSES), f32)
        self.row_max, self.row_sum = e((n, 1), f32), e((n, 1), f32)
        self.dh3, self.dflat = e((n, HIDDEN), f32), e((n, FLAT), f32)
        self.mask_pool = e((n, HP, 2, HP, 2, C2), bool)
        self.dh2 = e((n, H2, H2, C2), f32)
        self.dcols2 = e((n * H2 * H2, 9 * C1), f32)
        self.dh1 = e((n, H1, H1, C1), f32)
        self.mask3, self.mask1 = e((n, HIDDEN), bool), e((n, H1, H1, C1), bool)
        self.grads = [e(p.shape, f32) for p in self.params]
        # strided views, made once: the im2col windows and the col2im targets
        self.win1 = self._windows(self.x, H1)                      # n, 26, 26, 3, 3, 1
        self.win2 = self._windows(self.h1, H2)                     # n, 24, 24, 3, 3, 32
        self.dwin = self.dcols2.reshape(n, H2, H2, 3, 3, C1)
        self.last = {}

    def _windows(self, a, out):
        """The 3x3 windows of ``a`` as a view (read only: they overlap)."""
        n, _, _, c = a.shape
        s = a.strides
        return self.xp.lib.stride_tricks.as_strided(a, (n, out, out, 3, 3, c), (s[0], s[1], s[2], s[1], s[2], s[3]))

    def step(self):
        xp = self.xp
        mm, add, mul, maximum, greater = xp.matmul, xp.add, xp.multiply, xp.maximum, xp.greater
        n = BATCH
        W1, b1, W2, b2, W3, b3, W4, b4 = self.params
        dW1, db1, dW2, db2, dW3, db3, dW4, db4 = self.grads
        h1f, h2f = self.h1.reshape(-1, C1), self.h2.reshape(-1, C2)
        # forward: im2col (one copy), matmul = the NHWC activation
        xp.copyto(self.cols1.reshape(self.win1.shape), self.win1)
        mm(self.cols1, self.W1m, out=h1f)
        add(h1f, b1, out=h1f)
        maximum(h1f, 0, out=h1f)
        xp.copyto(self.cols2.reshape(self.win2.shape), self.win2)
        mm(self.cols2, self.W2m, out=h2f)
        add(h2f, b2, out=h2f)
        maximum(h2f, 0, out=h2f)
        h2w = self.h2.reshape(n, HP, 2, HP, 2, C2)
        h2w.max(axis=(2, 4), out=self.pooled)
        flat = self.pooled.reshape(n, FLAT)
        mm(flat, W3, out=self.h3)
        add(self.h3, b3, out=self.h3)
        maximum(self.h3, 0, out=self.h3)
        mm(self.h3, W4, out=self.logits)
        add(self.logits, b4, out=self.logits)
        # softmax cross-entropy, fused gradient (softmax - onehot) / n
        logits, probs = self.logits, self.probs
        logits.max(axis=1, keepdims=True, out=self.row_max)
        xp.subtract(logits, self.row_max, out=logits)
        xp.exp(logits, out=probs)
        probs.sum(axis=1, keepdims=True, out=self.row_sum)
        self.last["loss"] = (xp.log(self.row_sum[:, 0]) - logits[self.rows, self.labels]).mean()
        xp.divide(probs, self.row_sum, out=probs)
        probs[self.rows, self.labels] -= 1
        mul(probs, numpy.float32(1 / n), out=probs)
        # backward
        mm(self.h3.T, probs, out=dW4)
        probs.sum(axis=0, out=db4)
        mm(probs, W4.T, out=self.dh3)
        mul(self.dh3, greater(self.h3, 0, out=self.mask3), out=self.dh3)
        mm(flat.T, self.dh3, out=dW3)
        self.dh3.sum(axis=0, out=db3)
        mm(self.dh3, W3.T, out=self.dflat)
        # max-pool backward: to the positions equal to their window's max (a tie means max 0 = relu's zeros,
        # whose gradient relu's mask drops anyway), fused with relu's mask (h2 > 0)
        xp.equal(h2w, self.pooled[:, :, None, :, None, :], out=self.mask_pool)
        mask = self.mask_pool.reshape(self.h2.shape)
        xp.logical_and(mask, greater(self.h2, 0), out=mask)
        dh2w = self.dh2.reshape(n, HP, 2, HP, 2, C2)
        mul(self.mask_pool, self.dflat.reshape(n, HP, 1, HP, 1, C2), out=dh2w)
        dh2f = self.dh2.reshape(-1, C2)
        mm(self.cols2.T, dh2f, out=dW2.reshape(9 * C1, C2))
        dh2f.sum(axis=0, out=db2)
        mm(dh2f, self.W2m.T, out=self.dcols2)
        # col2im: the nine windows' gradients added into dh1
        dh1 = self.dh1
        dh1.fill(0)
        for p in range(3):
            for q in range(3):
                add(dh1[:, p:p + H2, q:q + H2, :], self.dwin[:, :, :, p, q, :], out=dh1[:, p:p + H2, q:q + H2, :])
        mul(dh1, greater(self.h1, 0, out=self.mask1), out=dh1)
        dh1f = dh1.reshape(-1, C1)
        mm(self.cols1.T, dh1f, out=dW1.reshape(9, C1))
        dh1f.sum(axis=0, out=db1)
        minus_lr = numpy.float32(-LR)
        for p, g in zip(self.params, self.grads):
            mul(g, minus_lr, out=g)
            add(p, g, out=p)

    def matmuls(self):
        """The step's ten matrix products, same shapes and layouts, into the same buffers: nothing else."""
        mm = self.xp.matmul
        W1, b1, W2, b2, W3, b3, W4, b4 = self.params
        dW1, db1, dW2, db2, dW3, db3, dW4, db4 = self.grads
        flat = self.pooled.reshape(BATCH, FLAT)
        mm(self.cols1, self.W1m, out=self.h1.reshape(-1, C1))
        mm(self.cols2, self.W2m, out=self.h2.reshape(-1, C2))
        mm(flat, W3, out=self.h3)
        mm(self.h3, W4, out=self.logits)
        mm(self.h3.T, self.probs, out=dW4)
        mm(self.probs, W4.T, out=self.dh3)
        mm(flat.T, self.dh3, out=dW3)
        mm(self.dh3, W3.T, out=self.dflat)
        mm(self.cols2.T, self.dh2.reshape(-1, C2), out=dW2.reshape(9 * C1, C2))
        mm(self.dh2.reshape(-1, C2), self.W2m.T, out=self.dcols2)
        mm(self.cols1.T, self.dh1.reshape(-1, C1), out=dW1.reshape(9, C1))


def make_numpy(xp=numpy):
    """Forward, backward and SGD by hand (see the module docstring): the fastest honest numpy we know."""
    net = _NumpyCNN(xp)
    return Contestant(net.step, lambda: _result(net.last["loss"], _torch_layout([host(p) for p in net.params])))


def make_extras(tf, config=None):
    """The matrix products alone (the target's yardstick), and minidl's graph mode in NHWC (the layout TF uses)."""
    net = _NumpyCNN()
    net.step()  # realistic contents in every buffer
    extras = {MATMULS_LABEL: (net.matmuls, 1)}
    import minidl.graph as minidl_tf
    extras[NHWC_LABEL] = (make_tf(minidl_tf, CPU_ONLY).step, 1)
    return extras
