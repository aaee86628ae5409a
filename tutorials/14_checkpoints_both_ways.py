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
# # Chapter 14 — Saving, resuming and shipping a model, both ways
#
# A model that lives only in a Python process dies with it. Checkpoints do three different jobs, and this
# chapter does each of them in both styles, on the digits MLP of chapter 7:
#
# 1. **Keep the result**: write the trained weights to a file and read them back later.
# 2. **Resume**: a run that was interrupted (a crash, a time limit, Ctrl-C) continues where it stopped — and, if
#    everything that shapes the rest of the run was saved, continues *exactly* as if nothing had happened.
# 3. **Ship**: hand the model to another program that should run it.
#
# | | PyTorch style (`minidl.eager`) | TF1 style (`minidl.graph`) |
# |---|---|---|
# | what is saved | whatever you pass to `save`: usually `state_dict()`s | every variable, by `tf.train.Saver` |
# | optimizer state | its own `state_dict()`, saved by you | slot variables: saved with the others |
# | where you are | a `step` you put in the dict | the `global_step` variable |
# | resuming | `load` + `load_state_dict`, by you | `MonitoredTrainingSession` does it |
# | shipping | the values, plus the code that builds the model | the values, plus the graph in a `.meta` file |

# %%
import os
import pickle
import shutil
import struct
import tempfile
from types import SimpleNamespace
from unittest import mock

import numpy as np

import minidl.eager as torchlike
import minidl.graph as tf
from minidl.datasets import load_digits
from minidl.eager import nn, optim
from minidl.io.png import encode_png

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="minidl-chapter-14-")  # the checkpoints of this chapter; removed at its end

tf.reset_default_graph()  # start from an empty graph, also when this notebook is run a second time

# %% [markdown]
# ## The data, and one batch order
#
# As in chapter 7, the order of the mini-batches is drawn once, from a seed, before any training. That matters
# more here than there: a run that is resumed at step 60 must see, at step 60, the batch the uninterrupted run
# sees. With the whole order fixed in advance, the step number *is* the position in the data. (A `DataLoader`
# with `shuffle=True` draws its order from a generator as it goes; resuming it exactly means saving that
# generator's state too — chapter 8.)

# %%
x_train, y_train, x_test, y_test = load_digits()
EPOCHS, BATCH, LR, MOMENTUM = 3, 32, 0.1, 0.9
order = np.random.default_rng(0)
batches = [perm[start:start + BATCH]
           for perm in (order.permutation(len(x_train)) for _ in range(EPOCHS))
           for start in range(0, len(x_train), BATCH)]
STEPS = len(batches)
print(f"train {x_train.shape}, test {x_test.shape}; {STEPS} steps of training")

# %% [markdown]
# ## 1. PyTorch style: `state_dict`, `save`, `load`
#
# The model is chapter 7's, with one addition: a `Dropout` layer, so that training draws random numbers. That
# makes the run depend on one more piece of state — the random generator — and we shall see that it too has to
# be saved.

# %%
def make_model():
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 10))


def make_optimizer(model):
    return optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)


loss_fn = nn.CrossEntropyLoss()


def train_steps(model, optimizer, steps, trace=None):
    """Train on ``batches[step]`` for each step in ``steps``; returns the losses. With a list ``trace``, appends
    all the weights, as one flat vector, after every step (for the picture below)."""
    model.train()
    losses = []
    for step in steps:
        x, y = torchlike.tensor(x_train[batches[step]]), torchlike.tensor(y_train[batches[step]])
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if trace is not None:
            trace.append(np.concatenate([p.detach().numpy().ravel() for p in model.parameters()]))
    return losses


def predict(model, images):
    model.eval()
    with torchlike.no_grad():
        return model(torchlike.tensor(images)).numpy()


# %% [markdown]
# First the reference: one uninterrupted run of all the steps.

# %%
torchlike.manual_seed(0)
model = make_model()
optimizer = make_optimizer(model)
uninterrupted_trace = []
uninterrupted_losses = np.array(train_steps(model, optimizer, range(STEPS), uninterrupted_trace))
uninterrupted_state = {name: value.numpy().copy() for name, value in model.state_dict().items()}
uninterrupted_accuracy = float((predict(model, x_test).argmax(1) == y_test).mean())
print(f"uninterrupted: last loss {uninterrupted_losses[-1]:.4f}, test accuracy {uninterrupted_accuracy:.3f}")

# %% [markdown]
# ### Saving the weights
#
# `model.state_dict()` is an ordered dict from each parameter's (and buffer's) dotted name to its tensor.
# `torchlike.save(obj, path)` writes it; `torchlike.load(path)` reads it back; `load_state_dict` copies the
# values into a model that **the code has built again**: the file holds numbers, not a model.

# %%
weights_path = os.path.join(WORK, "digits_mlp.pt")
torchlike.save(model.state_dict(), weights_path)
print(f"{weights_path}: {os.path.getsize(weights_path)} bytes")

reloaded = make_model()                                   # new random weights...
print(reloaded.load_state_dict(torchlike.load(weights_path)))   # ...replaced by the saved ones
same_predictions = np.array_equal(predict(reloaded, x_test), predict(model, x_test))
print("same predictions after reloading:", same_predictions)

# %% [markdown]
# ### Resuming: everything that shapes the rest of the run
#
# For *resuming* the weights are not enough. The rest of the run also depends on
#
# * the **optimizer's state**: SGD with momentum keeps a velocity per parameter (`momentum_buffer`), Adam two
#   moving averages and a step count. A fresh optimizer starts them from zero, and the next steps differ;
# * **where we are**: the step, which here says which batch comes next;
# * the **random generator**: the dropout masks of the coming steps. A restarted program runs its first lines
#   again — `manual_seed(0)`, building the model — so its generator is where it was at step 0, not at step 60.
#
# PyTorch's recipe is a dict of all of it, saved in one file: `optimizer.state_dict()` beside the model's, the
# step, and `torchlike.get_rng_state()` (a byte tensor, as in PyTorch: here the 37 bytes of the state of numpy's
# PCG64 generator behind `manual_seed`). We interrupt the run after 60 steps:

# %%
CUT = 60
torchlike.manual_seed(0)
model = make_model()
optimizer = make_optimizer(model)
before_cut = train_steps(model, optimizer, range(CUT))

checkpoint_path = os.path.join(WORK, "checkpoint.pt")
torchlike.save({"step": CUT,
                "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(),
                "rng_state": torchlike.get_rng_state()}, checkpoint_path)
del model, optimizer                                      # the program dies here

saved = torchlike.load(checkpoint_path)
print("in the checkpoint:", list(saved))
print("optimizer state:", {index: {key: tuple(value.shape) for key, value in state.items()}
                           for index, state in saved["optimizer_state_dict"]["state"].items()})
group = saved["optimizer_state_dict"]["param_groups"][0]
print("its hyper-parameters:", {key: group[key] for key in ("lr", "momentum", "params")})

# %% [markdown]
# The optimizer's state is keyed by the parameter's *position* (0 to 3), in the order `model.parameters()` gave
# them; `param_groups` keeps the hyper-parameters. That is why the optimizer must be built on the new model's
# parameters, in the same order, *before* `load_state_dict` fills it.
#
# Now the restarted program: the same first lines, then the checkpoint laid over them. We run it three times —
# restoring everything, forgetting the optimizer's state, forgetting the generator's — and compare each with the
# uninterrupted run.

# %%
def resume(path, restore_optimizer=True, restore_rng=True):
    """What the restarted program does: build as before, load the checkpoint, train the remaining steps."""
    torchlike.manual_seed(0)
    model = make_model()
    optimizer = make_optimizer(model)
    checkpoint = torchlike.load(path)
    model.load_state_dict(checkpoint["model_state_dict"])
    if restore_optimizer:
        optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    if restore_rng:
        torchlike.set_rng_state(checkpoint["rng_state"])
    trace = []
    losses = train_steps(model, optimizer, range(checkpoint["step"], STEPS), trace)
    # how far the weights are from the uninterrupted run's after each step (0: the very same numbers)
    distances = [np.linalg.norm(w - uninterrupted_trace[step]) for step, w in enumerate(trace, checkpoint["step"])]
    return model, np.array(before_cut + losses), np.array(distances)


variants = {"everything": resume(checkpoint_path),
            "no optimizer state": resume(checkpoint_path, restore_optimizer=False),
            "no generator state": resume(checkpoint_path, restore_rng=False)}

print(f"{'restored':20} {'losses equal':>13} {'weights equal':>14} {'largest loss gap':>17} {'weight distance':>16}")
identical = {}
for name, (resumed, losses, distances) in variants.items():
    weights_equal = all(np.array_equal(value.numpy(), uninterrupted_state[key])
                        for key, value in resumed.state_dict().items())
    identical[name] = (np.array_equal(losses, uninterrupted_losses), weights_equal)
    print(f"{name:20} {identical[name][0]!s:>13} {identical[name][1]!s:>14} "
          f"{np.abs(losses - uninterrupted_losses).max():17.2e} {distances[-1]:16.2e}")

# %% [markdown]
# With everything restored, the resumed run is the uninterrupted run **bit for bit**: every loss and every
# weight equal, not merely close. That is the test a resume should pass. Leave out either piece and the run
# goes on fine — but it is a different run. Nothing warns you; the loss looks just as healthy.
#
# ### The picture
#
# `14_resumed_runs.png`, two panels, both against the training step (0 to 135 across), a grey line at the
# interruption (step 60):
#
# * left, the **loss** of each step: the uninterrupted run thick in blue, the run resumed with everything thin in
#   orange on top of it (where you see orange inside blue, they agree), light grey lines every 0.5 of loss;
# * right, the **distance** between each resumed run's weights and the uninterrupted run's after the same step
#   (the length of the difference of all 4810 weights as one vector): resumed with everything in orange, without
#   the optimizer's state in green, without the generator's in purple; light grey lines every quarter of the
#   largest distance.
#
# The loss curves of the runs that forgot something look just as healthy as the others (they are not drawn on
# the left: they would hide under the blue); the right panel shows that they are different runs from the very
# first step after the interruption, while the complete resume stays on zero. The chart is an array of pixels
# written with `encode_png`, as in chapters 11–13.

# %%
BLUE, ORANGE, GREEN, PURPLE = (31, 119, 180), (255, 127, 14), (44, 160, 44), (148, 103, 189)
GREY, LIGHT = (150, 150, 150), (225, 225, 225)
W_PX, H_PX, MARGIN = 400, 260, 16


def panel(series, y_top, y_grid):
    """A chart as an (H_PX, W_PX, 3) uint8 array: each series (steps, values, colour, thickness) a polyline."""
    canvas = np.full((H_PX, W_PX, 3), 255, np.uint8)

    def col(step):
        return np.round(MARGIN + np.asarray(step) * (W_PX - 2 * MARGIN) / (STEPS - 1)).astype(int)

    def row(value):
        return np.round(H_PX - MARGIN - np.asarray(value) * (H_PX - 2 * MARGIN) / y_top).astype(int)

    for level in np.arange(y_grid, y_top + 1e-9, y_grid):
        canvas[row(level), MARGIN:W_PX - MARGIN] = LIGHT
    canvas[MARGIN:H_PX - MARGIN, col(CUT)] = GREY                       # the interruption
    canvas[H_PX - MARGIN, MARGIN:W_PX - MARGIN] = 0                     # x axis (value 0)
    canvas[MARGIN:H_PX - MARGIN + 1, MARGIN] = 0                        # y axis
    for steps, values, color, thickness in series:
        cols, rows = col(steps), row(values)
        for c0, r0, c1, r1 in zip(cols[:-1], rows[:-1], cols[1:], rows[1:]):
            n = max(abs(c1 - c0), abs(r1 - r0)) + 1                     # one dot per pixel along the segment
            for c, r in zip(np.linspace(c0, c1, n).round().astype(int), np.linspace(r0, r1, n).round().astype(int)):
                canvas[r - thickness:r + thickness + 1, c - thickness:c + thickness + 1] = color
    return canvas


all_steps, after_cut = np.arange(STEPS), np.arange(CUT, STEPS)
loss_panel = panel([(all_steps, uninterrupted_losses, BLUE, 2), (all_steps, variants["everything"][1], ORANGE, 0)],
                   y_top=0.5 * np.ceil(uninterrupted_losses.max() / 0.5), y_grid=0.5)
largest_distance = max(distances.max() for _, _, distances in variants.values())
distance_panel = panel([(after_cut, variants["no optimizer state"][2], GREEN, 1),
                        (after_cut, variants["no generator state"][2], PURPLE, 1),
                        (after_cut, variants["everything"][2], ORANGE, 1)],
                       y_top=1.1 * largest_distance, y_grid=largest_distance / 4)
chart = np.concatenate([loss_panel, np.full((H_PX, 12, 3), 255, np.uint8), distance_panel], axis=1)
chart_png = os.path.join(OUT, "14_resumed_runs.png")
with open(chart_png, "wb") as file:
    file.write(encode_png(chart))
print("wrote", chart_png, chart.shape, os.path.getsize(chart_png), "bytes")

# %% [markdown]
# ### What is in the file, and why it is not a pickle
#
# `torch.save` pickles, and unpickling runs whatever code the file's author chose: loading an untrusted
# checkpoint could run anything. (PyTorch 2.6 made `torch.load` default to `weights_only=True`, a restricted
# unpickler, for this reason.) minidl's file cannot hold code at all: after a magic string comes a JSON header
# that describes the structure (dicts, lists, numbers, strings) and names each array's dtype, shape and byte
# range, then the arrays' raw bytes. Loading parses JSON and copies bytes; nothing is executed. The first bytes
# of our checkpoint show it: the magic `MINIDL\x00\x02` (format version 2), the header's length in 8 bytes, a
# CRC-32 checksum of the header in 4 bytes, then the JSON. The header also holds a CRC-32 of every array, so a
# damaged file is an error rather than different numbers. (Files of version 1, `MINIDL\x00\x01`, had no header
# checksum; minidl still reads them.)

# %%
with open(checkpoint_path, "rb") as file:
    head = file.read(120)
print(head)

# %% [markdown]
# To see the difference, we write a pickle that *runs code* when it is loaded: its `__reduce__` tells pickle to
# rebuild the object by calling `open(".../code_ran.txt", "w")`, which creates a file. A real attack would call
# something worse. minidl refuses the file, and says what it looks like; Python's own `pickle.load` obeys it.

# %%
proof_path = os.path.join(WORK, "code_ran.txt")


class Booby:
    def __reduce__(self):
        return (open, (proof_path, "w"))           # "to rebuild me, call open(proof_path, 'w')"


trap_path = os.path.join(WORK, "innocent_weights.pt")
with open(trap_path, "wb") as file:
    pickle.dump({"weight": Booby()}, file)

try:
    torchlike.load(trap_path)
    trap_error = None
except ValueError as error:
    trap_error = error
    print(f"{type(error).__name__}: {error}")
code_ran_on_minidl_load = os.path.exists(proof_path)

with open(trap_path, "rb") as file:
    unpickled = pickle.load(file)                 # pickle runs the call...
code_ran_on_pickle_load = os.path.exists(proof_path)
unpickled["weight"].close()
os.remove(proof_path)
print(f"file created by minidl's load: {code_ran_on_minidl_load}; by pickle.load: {code_ran_on_pickle_load}")

# %% [markdown]
# Other files of the wrong kind are refused the same way: a numpy `.npy` file is not a minidl file. And what
# PyTorch users often write, `torch.save(model, path)` — the whole module, which PyTorch pickles together with a
# reference to its class — is refused with a pointer to the `state_dict` way:

# %%
npy_path = os.path.join(WORK, "weights.npy")
np.save(npy_path, uninterrupted_state["0.weight"])
try:
    torchlike.load(npy_path)
    npy_error = None
except ValueError as error:
    npy_error = error
    print(f"{type(error).__name__}: {error}")

try:
    torchlike.save(reloaded, os.path.join(WORK, "whole_model.pt"))
    module_error = None
except TypeError as error:
    module_error = error
    print(f"TypeError: {error}")

# %% [markdown]
# ### Written aside, then renamed
#
# The worst time for a crash is while the checkpoint is being written: a program that opens `checkpoint.pt`
# for writing has already destroyed the previous checkpoint, and a crash half-way leaves half a file. So
# minidl's `save` writes to a temporary file in the same directory, flushes it to the disk (`os.fsync`), and only
# then *renames* it over the old one — a rename that replaces a file is atomic: at every moment the path holds
# either the old checkpoint or the new one, whole. (This is minidl's guarantee, not PyTorch's: `torch.save`
# opens the path and writes in place, so a PyTorch program that wants this saves to a temporary name in the same
# directory and `os.replace`s it over the old file itself.)
#
# We pull the plug at the worst moment: Ctrl-C (a `KeyboardInterrupt`) arrives while `save` waits for the disk
# (`unittest.mock` makes `os.fsync` raise it). The old checkpoint survives, byte for byte, and the half-written
# temporary file is cleaned up. (A `kill -9` or a power cut gives the program no chance to clean up, and may
# leave a `.tmp-…` file behind — but never a damaged checkpoint.)

# %%
with open(checkpoint_path, "rb") as file:
    bytes_before = file.read()
with mock.patch("os.fsync", side_effect=KeyboardInterrupt):
    try:
        torchlike.save({"step": STEPS, "model_state_dict": reloaded.state_dict()}, checkpoint_path)
    except KeyboardInterrupt:
        print("interrupted while saving")
with open(checkpoint_path, "rb") as file:
    old_checkpoint_intact = file.read() == bytes_before
leftovers = [name for name in os.listdir(WORK) if name.startswith(".tmp")]
print("old checkpoint intact:", old_checkpoint_intact, " left-over temporary files:", leftovers,
      " it still loads, step", torchlike.load(checkpoint_path)["step"])

# %% [markdown]
# And a file that *was* cut short — copied half-way, or written by a tool without this care — is reported, not
# misread: the header says how many bytes must follow, and each array carries a checksum.

# %%
half_path = os.path.join(WORK, "half.pt")
with open(half_path, "wb") as file:
    file.write(bytes_before[:len(bytes_before) // 2])
try:
    torchlike.load(half_path)
    truncated_error = None
except ValueError as error:
    truncated_error = error
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# ## 2. TensorFlow 1 style: `tf.train.Saver`
#
# In a graph the state is the variables, and their values live in the session (chapter 4). `tf.train.Saver`
# moves them between a session and files: `saver.save(sess, prefix, global_step=step)` writes every variable's
# value to a checkpoint named `prefix-<step>`, and `saver.restore(sess, path)` assigns them back — *instead of*
# running the initializers.
#
# The model is chapter 7's MLP (without dropout), built by a function, because we shall build it more than once.
# Two details prepare the later sections: the logits get a name of their own (`tf.identity(..., name="logits")`)
# and join a collection, so that a program without this code can find them; and `minimize` is given the
# **global step**, an int64 variable that every run of `train_op` increments — the graph's own "where we are".

# %%
def build_model():
    """The digits MLP, its loss and training op, in the default graph."""
    tf.set_random_seed(0)                        # the same initial weights every time the graph is built
    x = tf.placeholder(tf.float32, shape=(None, 64), name="x")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    hidden = tf.layers.dense(x, 64, activation=tf.nn.relu, name="hidden")
    logits = tf.identity(tf.layers.dense(hidden, 10, name="output"), name="logits")
    tf.add_to_collection("logits", logits)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    tf.summary.scalar("loss", loss)
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.MomentumOptimizer(LR, MOMENTUM).minimize(loss, global_step=global_step)
    return SimpleNamespace(x=x, y=y, logits=logits, loss=loss, global_step=global_step, train_op=train_op)


def feed(g, step):
    return {g.x: x_train[batches[step]], g.y: y_train[batches[step]]}


LAST_STEP, SAVE_EVERY = 120, 20
g = build_model()
print("variables:", [v.op.name for v in tf.global_variables()])

# %% [markdown]
# The variables include the optimizer's momentum **slots** (`hidden/kernel/Momentum`, ...) and the global step.
# They are variables like the weights, so the saver saves them too: in graph mode the optimizer's state and the
# step come with every checkpoint, without a thought.
#
# We train 120 steps and save every 20. `max_to_keep=3` keeps the three newest checkpoints and deletes older
# ones as new ones arrive (the default keeps five), and the saver maintains a small text file, `checkpoint`,
# that lists them; `tf.train.latest_checkpoint(directory)` reads the newest from it.

# %%
saver_dir = os.path.join(WORK, "saver")
os.makedirs(saver_dir)
saver = tf.train.Saver(max_to_keep=3)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
for step in range(LAST_STEP):
    _, global_step = sess.run([g.train_op, g.global_step], feed_dict=feed(g, step))
    if global_step % SAVE_EVERY == 0:
        saved_prefix = saver.save(sess, os.path.join(saver_dir, "model.ckpt"), global_step=g.global_step)
plain_weights = sess.run(tf.trainable_variables())
plain_predictions = sess.run(g.logits, feed_dict={g.x: x_test})
sess.close()

print("last save:", saved_prefix)
print("files:", sorted(os.listdir(saver_dir)))
with open(os.path.join(saver_dir, "checkpoint")) as file:
    state_text = file.read()
print(state_text, end="")
latest = tf.train.latest_checkpoint(saver_dir)
print("latest_checkpoint:", latest)

# %% [markdown]
# Each checkpoint is two files. `model.ckpt-120.index` holds the values (TensorFlow writes a small `.index` and
# the values in `.data-00000-of-00001`; minidl's one file takes the first name, which programs look for to tell
# whether a checkpoint exists); `model.ckpt-120.meta` holds the graph, for section 4. To look inside
# without a graph or a session, `tf.train.list_variables(path)` lists the names and shapes and
# `tf.train.load_variable(path, name)` reads one value; either takes a prefix or a directory (its latest).
# The values file is the same container as `torchlike.save`'s — names, arrays, a JSON header — but a different
# layout inside, so `torchlike.load` refuses it.

# %%
listed = tf.train.list_variables(saver_dir)
for name, shape in listed:
    print(f"  {name:26} {shape}")
print("global_step in the latest checkpoint:", tf.train.load_variable(saver_dir, "global_step"))
try:
    torchlike.load(latest + ".index")
    kind_error = None
except ValueError as error:
    kind_error = error
    print(f"ValueError: {error}")

# %% [markdown]
# ### Restoring into the same graph, built again
#
# The program that restores builds the graph with the same code — in a fresh graph, the way a new process
# would — and restores instead of initializing. The saver matches variables **by name**, so this works because
# the names come out the same.

# %%
tf.reset_default_graph()
g = build_model()
with tf.Session() as sess:
    tf.train.Saver().restore(sess, latest)
    restored_weights = sess.run(tf.trainable_variables())
    restored_step = sess.run(g.global_step)
    restored_predictions = sess.run(g.logits, feed_dict={g.x: x_test})
print("restored at global step", restored_step, "; predictions equal the trained graph's:",
      np.array_equal(restored_predictions, plain_predictions))

# %% [markdown]
# The classic mistake is to build the model a second time *in the same graph* — in a notebook, by running the
# cell again. Names are unique in a graph. `tf.layers.dense(..., name="hidden")` makes its variables with
# `tf.get_variable`, which refuses a second `hidden/kernel` at once. (Layers left unnamed would quietly become
# `dense_2`, `dense_3`, ..., and it is the restore that would fail: the checkpoint has no such names.)

# %%
try:
    build_model()
    names_error = None
except ValueError as error:
    names_error = error
    print(f"ValueError: {str(error).split(' Originally defined at')[0]}")
tf.reset_default_graph()

# %% [markdown]
# ## 3. `MonitoredTrainingSession`: a loop that survives a crash
#
# A long TF1 training job did the same chores in every program: restore the latest checkpoint or else
# initialize, save every so often, log the loss, stop at the right step. `tf.train.MonitoredTrainingSession`
# does them, each chore a **hook** called around every `run`:
#
# * on entering, it **restores the latest checkpoint** in `checkpoint_dir` if there is one, otherwise it runs
#   the initializers — so the same program, started again after a crash, continues where it was;
# * `save_checkpoint_steps=40` adds a `CheckpointSaverHook`: a checkpoint when the session starts, every 40
#   global steps, and at a normal end (it also writes the graph, and a `SummarySaverHook` the summaries, to the
#   same directory);
# * `tf.train.StopAtStepHook(last_step=120)` makes `should_stop()` true once the global step reaches 120;
# * `tf.train.LoggingTensorHook({...}, every_n_iter=40)` logs tensors through `tf.logging` (turned up to
#   `INFO` here: TF1's default shows only warnings).
#
# Each `sess.run` carries the hooks' fetches along in the *same* `Session.run` as ours. Two consequences. The
# logged loss and the summaries are computed from our feed — which also means that **every run must be fed**:
# even a run that fetches only the global step carries the logging hook's loss along, which needs `x`. And
# since minidl's `Session.run` returns a fetched variable's value *after* the run's assignments, fetching the
# global step with `train_op` gives the step just reached — the index of the next batch. (TF1 left the order of
# that read and the increment open.)
#
# The loop needs to know the step it starts from, to feed the right batch, and a fetch through the monitored
# session would need a feed. The cleanest place to read it is a hook of our own: `after_create_session`
# receives the plain session, once, right after the restore or initialization. This one keeps the step and the
# weights it finds there.
#
# The training program below is what a real one looks like, plus two experiments once the session is open —
# adding an op, and a run without a feed — whose errors it keeps; we look at them after the restart. The crash
# is an exception we raise after step 100.

# %%
tf.logging.set_verbosity(tf.logging.INFO)


class StartingPoint(tf.train.SessionRunHook):
    """Notes the global step and the weights the session starts from (restored, or freshly initialized)."""

    def after_create_session(self, session, coord):
        self.step = int(session.run(tf.train.get_global_step()))
        self.weights = session.run(tf.trainable_variables())


class SimulatedCrash(Exception):
    pass


monitored_dir = os.path.join(WORK, "monitored")
CRASH_AT = 100


def monitored_training(run, crash_at=None):
    """One start of the training program: builds the graph, trains until step LAST_STEP (or crashes); notes
    in ``run`` where it started, the loss of each step it did, and the errors of two things it tried."""
    tf.reset_default_graph()                    # every start is a new program: a new graph
    g = build_model()
    start = StartingPoint()
    hooks = [start, tf.train.StopAtStepHook(last_step=LAST_STEP),
             tf.train.LoggingTensorHook({"step": g.global_step, "loss": g.loss}, every_n_iter=40)]
    run.start, run.losses, run.finalized_error, run.unfed_error = start, {}, None, None
    with tf.train.MonitoredTrainingSession(checkpoint_dir=monitored_dir, hooks=hooks,
                                           save_checkpoint_steps=40) as sess:
        try:
            tf.constant(0.0)                    # a new op while the session is open
        except RuntimeError as error:
            run.finalized_error = error
        try:
            sess.run(g.global_step)             # a run without a feed
        except tf.errors.InvalidArgumentError as error:
            run.unfed_error = error
        step = start.step
        while not sess.should_stop():
            _, loss_value, step = sess.run([g.train_op, g.loss, g.global_step], feed_dict=feed(g, step))
            run.losses[step - 1] = loss_value
            if step == crash_at:
                raise SimulatedCrash(f"the machine went down after global step {step}")
    run.last_step = step


first, second = SimpleNamespace(), SimpleNamespace()
try:
    monitored_training(first, crash_at=CRASH_AT)
except SimulatedCrash as crash:
    print("crash:", crash)

after_crash = tf.train.latest_checkpoint(monitored_dir)
print("checkpoints after the crash:", sorted(f for f in os.listdir(monitored_dir) if f.endswith(".index")))
print("latest:", os.path.basename(after_crash))

# %% [markdown]
# The exception left the `with` block, so the hooks' `end()` did not run: there is no final checkpoint, just as
# after a real crash. The newest checkpoint is from step 80; steps 81 to 100 are lost and will be done again.
#
# Restart the program: a fresh graph built by the same code, the same call. In the log, the saver hook first
# saves step 80 again (it saves whenever a session starts), and the logging hook's first line is the very line
# the first run logged at step 81 — the same step, redone with the same numbers. (The line shows the step
# *after* the run, as explained above.)

# %%
monitored_training(second)
print(f"the second run started at global step {second.start.step} and ended at {second.last_step}")
print("while the session was open, adding an op failed:", second.finalized_error)
print("a run without a feed failed:", str(second.unfed_error).splitlines()[0])

# %% [markdown]
# Two more things to notice. While the monitored session is open, the graph is **finalized**: adding an
# operation is an error. A TF1 loop that builds ops at every step (`sess.run(tf.assign(...))` inside the loop)
# grows the graph forever and slows down, the classic TF1 memory leak; finalizing turns it into an immediate
# error. The graph is unfinalized when the session closes.
#
# And the proof of the resume. The second run started from the checkpoint of step 80, with exactly its weights;
# it did steps 81 to 120, and the weights it ended with equal — bit for bit — those of the plain-session run of
# section 2, which trained the same 120 steps without interruption. (Its momentum slots were restored too, or
# this could not hold.)

# %%
names = [v.op.name for v in tf.trainable_variables()]
start_equals_checkpoint = all(np.array_equal(value, tf.train.load_variable(after_crash, name))
                              for name, value in zip(names, second.start.weights))
final = tf.train.latest_checkpoint(monitored_dir)
monitored_equals_plain = all(np.array_equal(tf.train.load_variable(final, name), value)
                             for name, value in zip(names, plain_weights))
print("the second run started with the weights of", os.path.basename(after_crash), ":", start_equals_checkpoint)
print("final weights equal the uninterrupted run's:", monitored_equals_plain, "  latest:", os.path.basename(final))

# %% [markdown]
# ## 4. Shipping a graph: the `.meta` file
#
# Every `saver.save` also wrote `<prefix>.meta`: the graph itself. In graph mode the program *is* data — a list
# of operations, each an op of the shared library with its inputs and a few attributes (chapter 4); even loops
# and branches are operations with subgraph bodies (chapter 6). Data can be written to a file. So a second
# program can run the trained model **without the code that built it**:
#
# 1. `tf.train.import_meta_graph(path)` rebuilds the graph in the default graph, and returns a `Saver` for it;
# 2. `saver.restore(sess, prefix)` fills in the values;
# 3. tensors are found by name (`get_tensor_by_name("logits:0")`, feeds keyed by `"x:0"`) or through the
#    collections the first program filled (`tf.get_collection("logits")`).
#
# Here the "second program" is a new `tf.Graph()`; `build_model` is never called.

# %%
with tf.Graph().as_default() as shipped:
    imported_saver = tf.train.import_meta_graph(final + ".meta")
    logits_by_name = shipped.get_tensor_by_name("logits:0")
    (logits_from_collection,) = tf.get_collection("logits")
    with tf.Session() as sess:
        imported_saver.restore(sess, final)
        shipped_predictions = sess.run(logits_by_name, feed_dict={"x:0": x_test})
        from_collection = sess.run(logits_from_collection, feed_dict={"x:0": x_test})
    print(f"imported {len(shipped.get_operations())} operations; logits {logits_by_name}")
print("predictions equal the original program's:", np.array_equal(shipped_predictions, plain_predictions))
print("shipped test accuracy:", float((shipped_predictions.argmax(1) == y_test).mean()))

# %% [markdown]
# Like the values, the graph file never runs code from the file: each operation's op class is looked up by name
# among the ones minidl already has, and attributes can only be numbers, strings, dtypes, shapes and arrays.
# The flip side: **an operation that runs Python code cannot be saved** — `tf.py_func` (a Python function called
# at run time), a `tf.data` pipeline whose `map` runs Python, `tf.custom_gradient`. The file could only name the
# function, and loading would then have to run code. So the `.meta` file gets a **stand-in** for each such
# operation, with the same outputs, and a warning lists them. In the imported graph the stand-in's outputs are
# *fed* — which is how an imported training graph is used anyway: its input pipeline is replaced by the data to
# predict on. Running a stand-in without feeding it is an error that says what to feed.

# %%
with tf.Graph().as_default():
    a = tf.placeholder(tf.float32, shape=(None,), name="a")
    doubled = tf.py_func(lambda values: 2 * values, [a], tf.float32, name="doubled")
    plus_one = tf.add(doubled, 1.0, name="plus_one")
    scale = tf.Variable(1.0, name="scale")                  # something for the Saver to save
    py_dir = os.path.join(WORK, "py_func")
    os.makedirs(py_dir)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        doubled_value = sess.run(doubled, feed_dict={a: [1.0, 2.0]})   # in this program it runs fine
        print("py_func ran:", doubled_value)
        py_prefix = tf.train.Saver().save(sess, os.path.join(py_dir, "model"))   # logs the warning
    print("files:", sorted(os.listdir(py_dir)))

with tf.Graph().as_default():                               # the second program
    py_saver = tf.train.import_meta_graph(py_prefix + ".meta")
    with tf.Session() as sess:
        py_saver.restore(sess, py_prefix)
        fed_value = sess.run("plus_one:0", feed_dict={"doubled:0": [10.0]})   # the stand-in's output, fed
        print("with doubled:0 fed:", fed_value)
        try:
            sess.run("plus_one:0", feed_dict={"a:0": [1.0]})
            stand_in_error = None
        except tf.errors.InvalidArgumentError as error:
            stand_in_error = error
            print(str(error).splitlines()[0])

# %% [markdown]
# ### Freezing: one file, no variables
#
# A `.meta` file plus a checkpoint is still a *training* setup: variables to restore, the optimizer's slots, the
# loss and its gradients. To serve predictions, TF1 programs **freeze** the graph instead:
# `tf.graph_util.convert_variables_to_constants(sess, graph_def, ["logits"])` keeps only the operations that the
# named outputs need, and turns every variable among them into a constant holding its value in `sess`. What is
# left is a `GraphDef` — the graph as data, values included — that `SerializeToString()` makes bytes of, and
# that a serving program parses and imports with `tf.import_graph_def` (under the name scope `"frozen"` here),
# with nothing to restore or initialize.

# %%
with tf.Graph().as_default(), tf.Session() as sess:          # the trained model, as section 4 loaded it
    tf.train.import_meta_graph(final + ".meta").restore(sess, final)
    full_graph_def = sess.graph_def
    frozen = tf.graph_util.convert_variables_to_constants(sess, full_graph_def, ["logits"])
frozen_path = os.path.join(WORK, "frozen.pb")
with tf.gfile.GFile(frozen_path, "wb") as file:
    file.write(frozen.SerializeToString())
print(f"{len(full_graph_def.node)} operations in the training graph, {len(frozen.node)} frozen:")
print("  ", ", ".join(f"{node.name} ({node.op})" for node in frozen.node))

serving_graph_def = tf.GraphDef()                           # the serving program
with tf.gfile.GFile(frozen_path, "rb") as file:
    serving_graph_def.ParseFromString(file.read())
with tf.Graph().as_default() as serving:
    tf.import_graph_def(serving_graph_def, name="frozen")
with tf.Session(graph=serving) as sess:
    frozen_predictions = sess.run("frozen/logits:0", feed_dict={"frozen/x:0": x_test})
print("frozen predictions equal the original program's:", np.array_equal(frozen_predictions, plain_predictions))

# %% [markdown]
# ### And in eager mode?
#
# There is no graph to ship. The model *is* Python code: `Sequential.forward` calls its layers in a Python loop,
# and a custom module's `forward` can do anything Python can. The state dict holds the values only — look at its
# names: nothing says that a ReLU and a dropout sit between layers 0 and 3 (the gap in the numbering is all that
# betrays them), nor what function they compute. The receiving program must have the code that builds the
# model, and then loads the values into it, as at the start of this chapter.

# %%
eager_keys = list(torchlike.load(weights_path))
print("the eager file's names:", eager_keys)

# %% [markdown]
# PyTorch bridges this gap by turning the code into a graph — in effect, moving to graph mode for shipping:
# `torch.jit.trace` records the ops that one call runs, `torch.jit.script` compiles the Python source, and
# `torch.export` captures a whole program. minidl has the first of these: chapter 7's `jit.trace`, with
# `jit.save` and `jit.load` to ship the recording (in the same code-free file format as above) and rebuild it
# where the model's Python code is absent. It has no `torch.export`, and its `jit.script` only raises an error
# that points to `trace`. A trace keeps what the example call did: in `eval()` mode the dropout does nothing,
# so the recording is just the two linear layers and the ReLU.

# %%
traced_path = os.path.join(WORK, "digits_mlp_traced.pt")
torchlike.jit.save(torchlike.jit.trace(reloaded.eval(), torchlike.tensor(x_test[:2])), traced_path)
from_trace = torchlike.jit.load(traced_path)                # no make_model() needed to run it
with torchlike.no_grad():
    trace_predictions = from_trace(torchlike.tensor(x_test)).numpy()
print(f"{type(from_trace).__name__} loaded from {os.path.basename(traced_path)}; predictions equal the eager "
      f"model's: {np.array_equal(trace_predictions, predict(reloaded, x_test))}")

# %% [markdown]
# ## Summary
#
# * Eager: `torchlike.save(model.state_dict(), path)`, then `model.load_state_dict(torchlike.load(path))` into a
#   model built by the same code. To resume, save a dict of everything that shapes the rest of the run — the
#   model's and the optimizer's `state_dict()`, the step, the random generator's state — and restore all of it:
#   the resumed run is then the uninterrupted one, bit for bit.
# * Graph: `tf.train.Saver` saves every variable, optimizer slots and global step included; `save(...,
#   global_step=)`, the `checkpoint` file, `latest_checkpoint` and `max_to_keep` manage a directory of them;
#   `restore` into the graph built again (in a fresh graph: names must match).
# * `MonitoredTrainingSession(checkpoint_dir=...)` restores or initializes, saves periodically and runs hooks;
#   a program restarted after a crash continues from the latest checkpoint and redoes only the steps since.
# * minidl's files hold only numbers and JSON, never pickled code, and are written aside then renamed: loading
#   cannot run code, and a crash while saving leaves the previous checkpoint whole.
# * A graph can be shipped as data (`.meta` + values, `import_meta_graph`); what runs Python code comes back as
#   a stand-in whose outputs are fed. Frozen (`tf.graph_util.convert_variables_to_constants`), it is one
#   `GraphDef` of just what the outputs need, values as constants, for `tf.import_graph_def`. An eager model ships
#   as code plus its state dict, or traced into a program of ops (`jit.trace`, then `jit.save` / `jit.load`).
#
# ## Checks

# %%
# eager: the saved weights reload into a rebuilt model
assert same_predictions and uninterrupted_accuracy >= 0.9
assert list(saved) == ["step", "model_state_dict", "optimizer_state_dict", "rng_state"] and saved["step"] == CUT
assert sorted(saved["optimizer_state_dict"]["state"]) == [0, 1, 2, 3]
assert all(set(state) == {"momentum_buffer"} for state in saved["optimizer_state_dict"]["state"].values())

# resuming with everything restored is the uninterrupted run, bit for bit; leaving a piece out is not
assert identical["everything"] == (True, True)
assert identical["no optimizer state"] == (False, False) and identical["no generator state"] == (False, False)
for _, losses, distances in variants.values():
    assert np.array_equal(losses[:CUT], uninterrupted_losses[:CUT]) and len(distances) == STEPS - CUT
assert not variants["everything"][2].any()                                   # distance 0 at every step
assert variants["no optimizer state"][2][0] > 0 and variants["no generator state"][2][0] > 0   # apart at once

# the file: no pickle, nothing executed; wrong kinds refused; written aside then renamed; truncation detected
assert head.startswith(b"MINIDL") and b'"kind": "minidl-eager-save"' in head
assert "looks like a pickle" in str(trap_error) and not code_ran_on_minidl_load and code_ran_on_pickle_load
assert "not a minidl array file" in str(npy_error)
assert "state_dict" in str(module_error)
assert old_checkpoint_intact and leftovers == []
assert "truncated" in str(truncated_error)

# graph: the Saver's files, the state file, restoring into the rebuilt graph
assert saved_prefix.endswith("model.ckpt-120") and latest == saved_prefix
assert sorted(os.listdir(saver_dir)) == ["checkpoint"] + sorted(f"model.ckpt-{step}.{ext}" for step in (100, 120, 80)
                                                                for ext in ("meta", "index"))
assert state_text.splitlines()[0] == 'model_checkpoint_path: "model.ckpt-120"'
assert {"hidden/kernel/Momentum", "output/bias/Momentum", "global_step"} <= {name for name, _ in listed}
assert dict(listed)["hidden/kernel"] == [64, 64] and dict(listed)["global_step"] == []
assert int(tf.train.load_variable(latest, "global_step")) == 120 == restored_step
assert all(np.array_equal(a, b) for a, b in zip(restored_weights, plain_weights))
assert np.array_equal(restored_predictions, plain_predictions)
assert "not a file written by minidl.eager.save" in str(kind_error)
assert "Variable hidden/kernel already exists" in str(names_error)

# the monitored session: crash after step 100, resume from 80, finish at 120 equal to the uninterrupted run
assert os.path.basename(after_crash) == "model.ckpt-80" and sorted(first.losses) == list(range(CRASH_AT))
assert second.start.step == 80 and start_equals_checkpoint and second.last_step == LAST_STEP
assert sorted(second.losses) == list(range(80, LAST_STEP))
assert all(first.losses[step] == second.losses[step] for step in range(80, CRASH_AT))   # redone, identically
assert monitored_equals_plain and os.path.basename(final) == "model.ckpt-120"
assert "finalized" in str(second.finalized_error)
assert "You must feed a value for placeholder tensor 'x'" in str(second.unfed_error)
assert not tf.get_default_graph().finalized

# shipping: the imported graph predicts what the original did; Python code is not exportable (a trace is)
assert np.array_equal(shipped_predictions, plain_predictions) and np.array_equal(from_collection, plain_predictions)
assert logits_by_name.name == "logits:0"
assert py_prefix == os.path.join(py_dir, "model")
assert sorted(os.listdir(py_dir)) == ["checkpoint", "model.index", "model.meta"]
assert doubled_value.tolist() == [2.0, 4.0] and fed_value.tolist() == [11.0]
assert "'doubled' (PyFunc) was imported from a meta graph" in str(stand_in_error)
assert eager_keys == ["0.weight", "0.bias", "3.weight", "3.bias"]
assert np.array_equal(trace_predictions, predict(reloaded, x_test))   # the traced program ships the eager model
# freezing: just the operations the logits need, the variables as constants; the imported copy predicts the same
assert {node.op for node in frozen.node} >= {"Placeholder", "Const", "MatMul"}
assert not {"VariableV2", "Assign"} & {node.op for node in frozen.node}
assert len(frozen.node) < len(full_graph_def.node) / 4
assert np.array_equal(frozen_predictions, plain_predictions)

# the picture
with open(chart_png, "rb") as file:
    png = file.read()
assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (2 * W_PX + 12, H_PX)

shutil.rmtree(WORK)
print("chapter 14: all checks passed")
