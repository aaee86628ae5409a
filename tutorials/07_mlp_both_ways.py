# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 7 — One network, two programs
#
# The previous chapters took the two styles apart piece by piece. Now we put each back together into the
# program that thousands of people wrote as their first neural network: a small multi-layer perceptron (MLP)
# that reads handwritten digits. We write it twice, once as a **PyTorch** program (eager: `nn`, `optim`, a
# Python training loop) and once as a **TensorFlow 1** program (graph: placeholders, layers, an optimizer's
# `minimize`, `Session.run`) — and we make the two compute *the same numbers*.
#
# | | PyTorch style (`minidl.eager`) | TF1 style (`minidl.graph`) |
# |---|---|---|
# | inputs | a tensor per batch | `tf.placeholder`, fed per run |
# | layers | `nn.Linear` modules in `nn.Sequential` | `tf.layers.dense` calls that create variables |
# | loss | `nn.CrossEntropyLoss()(logits, y)` | `tf.losses.sparse_softmax_cross_entropy(y, logits)` |
# | gradients | `loss.backward()` walks the tape | `minimize` added gradient ops to the graph |
# | one step | `zero_grad()`, `backward()`, `step()` | `sess.run(train_op, feed_dict)` |
#
# The network: 64 pixels in, a hidden layer of 64 ReLU units, 10 scores out (one per digit),
# $\text{logits} = W_2\,\mathrm{relu}(W_1 x + b_1) + b_2$.

# %%
import os
import shutil
import struct
import time
import zlib

import numpy as np

import minidl.eager as torchlike
import minidl.graph as tf
from minidl.datasets import load_digits
from minidl.eager import nn, optim

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")

tf.reset_default_graph()  # start from an empty graph, also when this notebook is run a second time
torchlike.manual_seed(0)

# %% [markdown]
# ## The data, and one batch order for both
#
# The bundled digits: 8×8 grey images flattened to 64 numbers in [0, 1], 1438 for training and 359 for testing.
# Both programs will see **the same mini-batches in the same order**, so we draw the order once, here, instead
# of letting each framework shuffle on its own. (Chapter 8 is about loading data properly.)

# %%
x_train, y_train, x_test, y_test = load_digits()
print("train:", x_train.shape, x_train.dtype, y_train.shape, y_train.dtype, "  test:", x_test.shape)

EPOCHS, BATCH, LR, MOMENTUM = 5, 32, 0.1, 0.9
order = np.random.default_rng(0)
batches = [perm[start:start + BATCH]
           for perm in (order.permutation(len(x_train)) for _ in range(EPOCHS))
           for start in range(0, len(x_train), BATCH)]
print(f"{len(batches)} steps: {EPOCHS} epochs of {len(batches) // EPOCHS} batches (the last one of each "
      f"epoch has {len(batches[len(batches) // EPOCHS - 1])} images)")

# %% [markdown]
# ## The PyTorch program
#
# The model is a stack of modules. `nn.Linear(64, 64)` owns a weight of shape **(out, in)** = (64, 64) and a
# bias, both initialised randomly (uniform in $\pm 1/\sqrt{\text{in}}$, PyTorch's default), and computes
# `x @ weight.T + bias`.

# %%
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
print(model)
for name, p in model.named_parameters():
    print(f"  {name:9} {tuple(p.shape)}")

# keep a copy of the starting point: the graph program will start from exactly these numbers
initial = {name: value.numpy().copy() for name, value in model.state_dict().items()}

loss_fn = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

# %% [markdown]
# The training loop is the part everybody knows by heart. Per batch:
#
# 1. `optimizer.zero_grad()` — clear the gradients (`backward` *adds* into `.grad`, chapter 2);
# 2. forward: `loss = loss_fn(model(x), y)` — recorded on the tape as it runs;
# 3. `loss.backward()` — gradients of every parameter;
# 4. `optimizer.step()` — update the parameters (here SGD with momentum: $v \leftarrow \mu v + g$,
#    $p \leftarrow p - \eta v$).

# %%
def eager_accuracy(images, labels):
    model.eval()
    with torchlike.no_grad():                          # evaluation records nothing
        predicted = model(torchlike.tensor(images)).argmax(dim=1).numpy()
    model.train()
    return float((predicted == labels).mean())


eager_losses = []
start = time.perf_counter()
for idx in batches:
    x, y = torchlike.tensor(x_train[idx]), torchlike.tensor(y_train[idx])
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    eager_losses.append(loss.item())
eager_seconds = time.perf_counter() - start
eager_acc = eager_accuracy(x_test, y_test)
print(f"eager: {eager_seconds:.2f} s, first loss {eager_losses[0]:.4f}, last {eager_losses[-1]:.4f}, "
      f"test accuracy {eager_acc:.3f}")

# %% [markdown]
# ## The TensorFlow 1 program
#
# Now the same network as a graph. Inputs are placeholders with an open batch dimension. `tf.layers.dense`
# creates its variables — `dense/kernel` and `dense/bias` — and returns the layer's output tensor.
#
# One detail matters for starting from the same weights: TF stores a dense layer's kernel as **(in, out)** and
# computes `x @ kernel`, while PyTorch stores **(out, in)** and computes `x @ weight.T`. Same numbers, transposed
# storage. So we hand each layer `kernel_initializer=tf.constant_initializer(weight.T)` with the eager model's
# initial values.

# %%
x_ph = tf.placeholder(tf.float32, shape=(None, 64), name="x")
y_ph = tf.placeholder(tf.int64, shape=(None,), name="y")

hidden = tf.layers.dense(x_ph, 64, activation=tf.nn.relu,
                         kernel_initializer=tf.constant_initializer(initial["0.weight"].T),
                         bias_initializer=tf.constant_initializer(initial["0.bias"]))
logits = tf.layers.dense(hidden, 10,
                         kernel_initializer=tf.constant_initializer(initial["2.weight"].T),
                         bias_initializer=tf.constant_initializer(initial["2.bias"]))
graph_loss = tf.losses.sparse_softmax_cross_entropy(labels=y_ph, logits=logits)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y_ph), tf.float32))

print(logits, graph_loss)
for v in tf.trainable_variables():
    print(f"  {v.name:16} {v.shape}")

# %% [markdown]
# `minimize` is where graph mode does what `backward()` and `step()` do in eager mode — but *ahead of time*. It
# calls `tf.gradients(loss, variables)`, which **adds gradient operations to the graph** (chapter 5), then adds a
# momentum slot per variable and the update operations, and groups the updates into one op, `train_op`.
# Nothing has run yet; we only count what was added.

# %%
before = len(tf.get_default_graph().get_operations())
train_op = tf.train.MomentumOptimizer(LR, MOMENTUM).minimize(graph_loss)
added = len(tf.get_default_graph().get_operations()) - before
print(f"minimize added {added} operations; train_op is {train_op.name!r} of type {train_op.type}")

# %% [markdown]
# TF1 programs watch their training with **summaries**. `tf.summary.scalar("loss", graph_loss)` is one more op:
# its value is a small record holding the loss, serialized as a *protocol buffer* (TensorFlow's binary message
# format). A `FileWriter` appends such records, each tagged with the step, to an *event file* in a log directory,
# and TensorBoard (`tensorboard --logdir <that directory>`) draws them as curves. Given the graph, the writer
# also records its operations, which TensorBoard's graph tab shows. minidl writes the same file format.

# %%
loss_summary = tf.summary.scalar("loss", graph_loss)
log_dir = os.path.join(OUT, "07_logs")
shutil.rmtree(log_dir, ignore_errors=True)  # one event file per run of this notebook
writer = tf.summary.FileWriter(log_dir, tf.get_default_graph())

# %% [markdown]
# The training loop is one line per batch: run `train_op` (and fetch the loss and its summary, which the same
# run computes anyway) with the batch fed to the placeholders. There is no `zero_grad`: gradients in a graph are
# ordinary tensors, computed afresh each run, never accumulated anywhere.

# %%
sess = tf.Session()
sess.run(tf.global_variables_initializer())

graph_losses = []
start = time.perf_counter()
for step, idx in enumerate(batches):
    _, loss_value, summary = sess.run([train_op, graph_loss, loss_summary],
                                      feed_dict={x_ph: x_train[idx], y_ph: y_train[idx]})
    graph_losses.append(float(loss_value))
    writer.add_summary(summary, step)
graph_seconds = time.perf_counter() - start
writer.close()
graph_acc = float(sess.run(accuracy, feed_dict={x_ph: x_test, y_ph: y_test}))
print(f"graph: {graph_seconds:.2f} s, first loss {graph_losses[0]:.4f}, last {graph_losses[-1]:.4f}, "
      f"test accuracy {graph_acc:.3f}")

# %% [markdown]
# ## Side by side
#
# Same initial weights, same batches, same update rule: the two programs should trace the same path. The first
# losses agree to float32 precision (about 7 significant digits). Later steps agree a little less tightly:
# each framework sums in its own order, and rounding differences of $10^{-7}$ are fed back into the weights and
# carried along — but the two curves stay on top of each other.

# %%
eager_losses, graph_losses = np.array(eager_losses), np.array(graph_losses)
print(" step   eager loss   graph loss   difference")
for step in (0, 1, 2, 3, 4, 50, 100, len(batches) - 1):
    print(f"{step:5} {eager_losses[step]:12.7f} {graph_losses[step]:12.7f} "
          f"{abs(eager_losses[step] - graph_losses[step]):12.1e}")
print(f"largest difference over all {len(batches)} steps: {np.abs(eager_losses - graph_losses).max():.1e}")
print(f"test accuracy: eager {eager_acc:.3f}, graph {graph_acc:.3f}")

# the trained weights are the same too (compare the first layer's: eager (out, in) against TF's (in, out))
kernel_0 = sess.run(tf.trainable_variables()[0])
weight_gap = np.abs(model[0].weight.detach().numpy().T - kernel_0).max()
print(f"trained first-layer weights differ by at most {weight_gap:.1e}")

# %% [markdown]
# ## Drawing the loss curves without a plotting library
#
# minidl does not depend on matplotlib, so we draw the picture ourselves. A picture is an array of pixels; a
# PNG file is that array, compressed, with a small header. Two short functions do it:
#
# * `draw_polyline` puts a line through points onto an RGB array, by stepping along each segment one pixel at a
#   time and colouring a small square around each point (a crude but honest rasterizer);
# * `write_png` writes the file: an 8-byte signature, then *chunks* — `IHDR` (width, height, 8 bits per
#   channel, colour type 2 = RGB), `IDAT` (every row prefixed with a 0 byte, "no filter", all of it
#   zlib-compressed) and an empty `IEND` — each chunk being length, tag, data and a CRC-32 checksum.

# %%
def draw_polyline(canvas, xs, ys, color, thickness=1):
    """Colour the pixels along the line through the points (xs[i], ys[i]) (pixel coordinates, y downwards)."""
    height, width, _ = canvas.shape
    for x0, y0, x1, y1 in zip(xs[:-1], ys[:-1], xs[1:], ys[1:]):
        n = int(max(abs(x1 - x0), abs(y1 - y0))) + 1           # one sample per pixel along the segment
        for x, y in zip(np.linspace(x0, x1, n).round().astype(int), np.linspace(y0, y1, n).round().astype(int)):
            canvas[max(y - thickness, 0):min(y + thickness + 1, height),
                   max(x - thickness, 0):min(x + thickness + 1, width)] = color


def write_png(path, canvas):
    """Write an (H, W, 3) uint8 array as an RGB PNG file."""
    height, width, _ = canvas.shape

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(b"\x00" + canvas[row].tobytes() for row in range(height))   # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)             # 8-bit RGB, no interlace
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
                + chunk(b"IEND", b""))


# %% [markdown]
# The chart: steps along x, loss along y from 0 (bottom) to the largest loss (top), light grey lines at every
# 0.5 of loss and at every epoch boundary. The eager curve is drawn thick in blue, the graph curve thin in orange
# on top of it: where you see orange inside blue, the programs agree.

# %%
W_PX, H_PX, MARGIN = 640, 320, 20
canvas = np.full((H_PX, W_PX, 3), 255, np.uint8)
top = max(eager_losses.max(), graph_losses.max())


def to_x(step):
    return MARGIN + step * (W_PX - 2 * MARGIN) / (len(batches) - 1)


def to_y(value):
    return H_PX - MARGIN - value * (H_PX - 2 * MARGIN) / top


for level in np.arange(0.5, top, 0.5):                                             # horizontal grid
    canvas[int(round(to_y(level))), MARGIN:W_PX - MARGIN] = 220
for epoch in range(1, EPOCHS):                                                     # epoch boundaries
    canvas[MARGIN:H_PX - MARGIN, int(round(to_x(epoch * len(batches) / EPOCHS)))] = 220
canvas[H_PX - MARGIN, MARGIN:W_PX - MARGIN] = 0                                    # x axis (loss = 0)
canvas[MARGIN:H_PX - MARGIN + 1, MARGIN] = 0                                       # y axis
steps = np.arange(len(batches))
draw_polyline(canvas, to_x(steps), to_y(eager_losses), (31, 119, 180), thickness=2)   # blue: eager
draw_polyline(canvas, to_x(steps), to_y(graph_losses), (255, 127, 14), thickness=0)   # orange: graph

os.makedirs(OUT, exist_ok=True)
curve_path = os.path.join(OUT, "07_loss_curves.png")
write_png(curve_path, canvas)
print("wrote", curve_path, os.path.getsize(curve_path), "bytes")

# %% [markdown]
# ## Where the time goes
#
# Each framework comes with a profiler, and minidl has both. In eager mode, `torch.profiler.profile` turns every
# op into an *event* with a start and an end; `backward()` adds one event per tape node it runs (`AddmmBackward0`),
# holding the ops its VJP ran; `record_function("name")` wraps any block; the optimizer's step is an event of its
# own. An event's **total** time includes the events inside it, its **self** time does not: self times add up to
# the whole step. In graph mode, a run with `RunOptions(trace_level=FULL_TRACE)` fills `run_metadata.step_stats`:
# one entry per executed operation, with its start and duration, and `timeline.Timeline` writes them as a Chrome
# trace (both profilers' `.json` traces open in `chrome://tracing` or Perfetto). Here: one more training step of
# each program, profiled.

# %%
from minidl.eager.profiler import profile, record_function   # noqa: E402  (torch.profiler)
from minidl.graph.python.client import timeline                # noqa: E402  (tensorflow.python.client.timeline)

idx = batches[0]
x, y = torchlike.tensor(x_train[idx]), torchlike.tensor(y_train[idx])
with profile(record_shapes=True) as prof:
    with record_function("train_step"):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=8))

run_metadata = tf.RunMetadata()
sess.run(train_op, feed_dict={x_ph: x_train[idx], y_ph: y_train[idx]},
         options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=run_metadata)
graph_nodes = run_metadata.step_stats.dev_stats[0].node_stats
for node in sorted(graph_nodes, key=lambda n: -n.all_end_rel_nanos)[:6]:
    print(f"{node.all_end_rel_nanos / 1000:8.1f} µs  {node.timeline_label}")
graph_trace = timeline.Timeline(run_metadata.step_stats).generate_chrome_trace_format()

# %% [markdown]
# A picture of the same two steps, time running to the right (each on its own scale). Top, the eager step as a
# *flame chart*: an event is a bar under the event it ran inside — `train_step` on the first row, the forward ops,
# the backward nodes and the optimizer's step below it, the VJPs' ops below their nodes. Bottom, the graph run:
# one row, since a plan's operations run one after another and none runs inside another. Blue bars are forward
# ops, red ones backward work, green ones the update, grey the rest.

# %%
KIND_COLOURS = {"forward": (31, 119, 180), "backward": (214, 39, 40), "update": (44, 160, 44), "other": (150,) * 3}


def eager_kind(event):
    """What part of the step an eager event belongs to, from the events it ran inside."""
    names = []
    while event is not None:
        names.append(event.name)
        event = event.cpu_parent
    if any(n.startswith("Optimizer.") for n in names):
        return "update"
    if any(n.endswith("Backward0") for n in names):
        return "backward"
    return "forward" if len(names) > 1 else "other"


def graph_kind(node):
    if node.node_name.startswith("gradients/"):
        return "backward"
    return "update" if node.node_name.startswith("Momentum") else "forward"


def depth(event):
    return 0 if event.cpu_parent is None else 1 + depth(event.cpu_parent)


ROW, GAP = 14, 4
eager_events = list(prof.events())
eager_rows = 1 + max(depth(e) for e in eager_events)
T_PX, T_H = 640, MARGIN * 3 + (eager_rows + 1) * (ROW + GAP)
flame = np.full((T_H, T_PX, 3), 255, np.uint8)


def draw_bar(canvas, top, start, end, first, last, colour):
    """A bar for [start, end] on a time axis from ``first`` to ``last``, at least a pixel wide."""
    scale = (T_PX - 2 * MARGIN) / (last - first)
    left = MARGIN + int((start - first) * scale)
    right = max(left + 1, MARGIN + int((end - first) * scale) - 1)   # a pixel of white between neighbours
    canvas[top:top + ROW, left:right] = colour


# minidl's event.time_range is a plain (start, end) tuple in µs. (PyTorch's is an Interval object: there, read
# event.time_range.start and event.time_range.end instead of unpacking it.)
spans = [event.time_range for event in eager_events]
first, last = min(start for start, _ in spans), max(end for _, end in spans)
for event in eager_events:
    start, end = event.time_range
    draw_bar(flame, MARGIN + depth(event) * (ROW + GAP), start, end, first, last, KIND_COLOURS[eager_kind(event)])
graph_top = MARGIN * 2 + eager_rows * (ROW + GAP)
first = min(n.all_start_nanos for n in graph_nodes)
last = max(n.all_start_nanos + n.all_end_rel_nanos for n in graph_nodes)
for node in graph_nodes:
    draw_bar(flame, graph_top, node.all_start_nanos, node.all_start_nanos + node.all_end_rel_nanos, first, last,
             KIND_COLOURS[graph_kind(node)])
flame_path = os.path.join(OUT, "07_step_timelines.png")
write_png(flame_path, flame)
print("wrote", flame_path, f"({len(eager_events)} eager events on {eager_rows} rows, {len(graph_nodes)} graph ops)")

# %% [markdown]
# What to look for (the numbers depend on the machine): at this size — 32 digits of 64 pixels, layers of 64 —
# no op is big. The loss, the two layers and their gradients each take some tens of microseconds, and a good part
# of the eager step is `train_step`'s own *self* time: the framework's Python between the ops (calling modules,
# recording the tape, walking it), the gaps between the bars of the first row. The graph run has fewer gaps: its
# plan was compiled once. With bigger layers the matrix products grow and take over — `benchmarks/` measures both
# regimes, and `python -m benchmarks.profile` takes them apart further.
#
# ## From the eager program to a graph: `torch.jit.trace`
#
# The two paradigms meet in a *trace*: run the eager model once on an example while every op it applies is noted
# — the op, its attributes, and where each argument came from (the input, a parameter, an earlier op) — and
# keep that list as a program. `torch.jit.trace` returns it as a module that replays the ops on new inputs. Its
# graph reads like the TF1 program's, because it is the same kind of thing: a fixed list of operations built from
# one library. What a trace cannot see it cannot replay — a Python `if` on the data is frozen at the branch the
# example took — so PyTorch and minidl alike check the trace by replaying the example.

# %%
traced = torchlike.jit.trace(model.eval(), torchlike.tensor(x_test[:2]))
print(traced.graph)
traced_out = traced(torchlike.tensor(x_test)).detach().numpy()
eager_out = model(torchlike.tensor(x_test)).detach().numpy()
print("traced vs eager on the whole test set: largest difference", float(np.abs(traced_out - eager_out).max()))
model.train()

# %% [markdown]
# ## What differs, and what does not
#
# * **The math is the same.** Both programs run ops from the one shared library, with the same VJPs: `Relu`, the
#   fused `SoftmaxCrossEntropy`, the matrix products. (Not always the very same op: eager's `nn.Linear` uses the
#   fused `Addmm`, $b + xW^T$ in one op, where `tf.layers.dense` adds `Mm` and then `Add` — one source of the
#   last-bit differences above; in the graph, the `Mm` operation shows TF's type for it, `MatMul`.) What differs
#   is *when* they run.
# * **Eager** records a fresh tape on every forward pass and walks it in `backward()`. You can put a `print` or a
#   debugger anywhere in the loop, and the loop may change from step to step.
# * **Graph** builds forward, gradient and update operations once; each `sess.run` executes a compiled plan of
#   them. The program is data that can be inspected, saved and optimized, but you debug it through the session.
# * Conventions differ in small ways you must know when moving weights between the two: the kernel's layout
#   (out, in) versus (in, out); who owns the state (modules and the optimizer object versus variables and
#   slot variables in a session); `zero_grad` versus nothing to clear.
#
# ## Checks

# %%
# the same start: first losses equal to float32 precision, the curves stay together
assert abs(eager_losses[0] - graph_losses[0]) < 1e-5, (eager_losses[0], graph_losses[0])
assert np.allclose(eager_losses[:5], graph_losses[:5], rtol=1e-5, atol=1e-6)
assert np.abs(eager_losses - graph_losses).max() < 1e-3
assert weight_gap < 1e-3

# both programs learned
assert eager_losses[-BATCH:].mean() < 0.3 * eager_losses[:5].mean()
assert eager_acc >= 0.9 and graph_acc >= 0.9 and abs(eager_acc - graph_acc) <= 0.01

# the graph program's pieces
assert [v.shape.as_list() for v in tf.trainable_variables()] == [[64, 64], [64], [64, 10], [10]]
assert added > 10 and str(logits.shape) == "(?, 10)"

# the event file: a TFRecord per event (8-byte length, 4-byte checksum, the record, 4-byte checksum) — the
# file's version, the graph, then one summary per step
(event_file,) = os.listdir(log_dir)
with open(os.path.join(log_dir, event_file), "rb") as f:
    data = f.read()
records, at = 0, 0
while at < len(data):
    at += 8 + 4 + struct.unpack("<Q", data[at:at + 8])[0] + 4
    records += 1
assert event_file.startswith("events.out.tfevents.") and records == 2 + len(batches)

# the picture is a PNG of the right size
with open(curve_path, "rb") as f:
    png = f.read()
assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (W_PX, H_PX)
# the profiles: nested events whose self times add up to the step; a graph op per executed operation
events = prof.events()
(step_event,) = [e for e in events if e.name == "train_step"]
assert {"Optimizer.step#SGD.step", "AddmmBackward0", "NllLoss"} <= {e.name for e in step_event.cpu_children}
assert abs(events.self_cpu_time_total - step_event.cpu_time_total) < 1e-6 * step_event.cpu_time_total + 1e-6
graph_types = {n.timeline_label.split(" = ")[1].split("(")[0] for n in graph_nodes}
assert {"MatMul", "Relu", "NllLoss", "SoftmaxCrossEntropyGrad"} <= graph_types
assert any(n.node_name.startswith("Momentum/") for n in graph_nodes)  # the update's operations ran too
assert '"traceEvents"' in graph_trace
with open(flame_path, "rb") as f:
    assert f.read(8) == b"\x89PNG\r\n\x1a\n"
# the trace: the model's own ops on its own parameters, the same numbers
assert "Addmm(%input0, %self.0.weight, %self.0.bias)" in traced.graph and "Relu" in traced.graph
assert np.allclose(traced_out, eager_out, atol=1e-6)
print("chapter 7: all checks passed")
