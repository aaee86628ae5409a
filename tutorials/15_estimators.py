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
# # Chapter 15 — Estimators: the TF1 training program, packaged
#
# Chapter 7's TF1 program and chapter 14's monitored version did the same chores every time: build a graph,
# open a session, initialize the variables or restore them, loop over the batches, save checkpoints — and, in
# another piece of code, evaluate on held-out data, which needs the same model again but without the training
# op. TensorFlow 1.x packaged those chores in **`tf.estimator`**; its getting-started guide and most of its
# official models were written with it. What is left to the user is two functions:
#
# * `input_fn()` — *where the data comes from*: it returns a `tf.data.Dataset` of `(features, labels)`, the
#   features a dict of tensors;
# * `model_fn(features, labels, mode, params)` — *the model*, built for one of three **modes**: `TRAIN` (a loss
#   and a training op), `EVAL` (a loss and metrics) or `PREDICT` (predictions), returned as an `EstimatorSpec`.
#
# | chore | chapters 7 and 14 | `tf.estimator` |
# |---|---|---|
# | the graph | built once by the script | a **new graph** in every call, built by calling `input_fn` and `model_fn` |
# | the data | placeholders, `feed_dict` | `input_fn` returns a `Dataset`, read inside the graph |
# | initialize or restore | initializers, `Saver.restore`, `MonitoredTrainingSession` | done, from `model_dir` |
# | the loop | `for step ...: sess.run(train_op, feed_dict)` | `estimator.train(input_fn, steps=100)` |
# | saving | `Saver.save`, `CheckpointSaverHook` | `RunConfig(save_checkpoints_steps=...)` |
# | evaluation | `sess.run(accuracy, feed_dict={x: x_test, ...})` | `estimator.evaluate(input_fn)`, `tf.metrics` |
# | predictions | `sess.run(logits, feed_dict={x: ...})` | `estimator.predict(input_fn)`, one dict per example |
#
# The model is again the digits MLP. Everything the Estimator writes goes to a temporary directory, removed at
# the end of the chapter; the one picture goes to the figures folder.

# %%
import os
import shutil
import struct
import tempfile

import numpy as np

import minidl.graph as tf
from minidl.datasets import load_digits
from minidl.io.png import encode_png

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="minidl-chapter-15-")  # every model_dir of this chapter; removed at its end

tf.reset_default_graph()  # start from an empty graph, also when this notebook is run a second time

# %% [markdown]
# ## The data, and the input functions
#
# The bundled digits, as in chapter 7: 1438 training and 359 test images of 64 pixels each. An `input_fn` does
# not return arrays: it returns a `Dataset` (chapter 8), which the Estimator turns into tensors *inside the
# graph it is building* — that is why it is a function, called anew for each graph, and not a dataset made
# once. The features are a **dict**, `{"pixels": ...}`: a model reads its inputs by name, which is what lets
# the premade models of section 3 take any data.
#
# For training, the data is shuffled and repeated without end: `train` stops by counting steps, not at the end
# of the data. For evaluation it is the test set once, in order: `evaluate` runs until the data ends. An
# `input_fn` may take `params` (the Estimator's, below), `mode` or `config`; the Estimator passes those it
# names.

# %%
x_train, y_train, x_test, y_test = load_digits()
print("train:", x_train.shape, x_train.dtype, y_train.shape, y_train.dtype, "  test:", x_test.shape)


def train_input_fn(params):
    """Training batches: shuffled, repeated without end."""
    data = tf.data.Dataset.from_tensor_slices(({"pixels": x_train}, y_train))
    return data.shuffle(1000, seed=0).repeat().batch(params["batch_size"])


def eval_input_fn():
    """The test set, once, in order (batches of 128, 128 and 103)."""
    return tf.data.Dataset.from_tensor_slices(({"pixels": x_test}, y_test)).batch(128)


def predict_input_fn():
    """The test images without their labels."""
    return tf.data.Dataset.from_tensor_slices({"pixels": x_test}).batch(128)


# %% [markdown]
# What the Estimator does with a `Dataset` is what we would do by hand: make a one-shot iterator and take its
# `get_next()` — here in a graph of our own, to look at one small batch.

# %%
with tf.Graph().as_default():
    features, labels = tf.data.make_one_shot_iterator(train_input_fn({"batch_size": 4})).get_next()
    print("features:", features, "\nlabels:  ", labels)
    with tf.Session() as sess:
        peek_pixels, peek_labels = sess.run([features["pixels"], labels])
print("one batch:", peek_pixels.shape, "labels", peek_labels)

# %% [markdown]
# ## 1. A custom Estimator: `model_fn`, `train`, `evaluate`, `predict`
#
# The `model_fn` builds the MLP and then, depending on `mode`, returns an `EstimatorSpec` with what that mode
# needs:
#
# * **PREDICT** (`labels` is None: there are none): `predictions`, a dict of tensors whose first dimension is
#   the batch;
# * **EVAL**: the `loss`, and `eval_metric_ops`, a dict of `tf.metrics` — each a pair `(value, update_op)`:
#   the update op accumulates counts over the batches in local variables, the value reads the total (this is
#   how an accuracy over *all* the test set is computed one batch at a time);
# * **TRAIN**: the `loss` and the `train_op`, which must increment the **global step**: the Estimator counts
#   steps, and names checkpoints, by it. `tf.train.get_global_step()` finds the one the Estimator created.
#
# The layers are named, `hidden` and `logits`: the variables are `hidden/kernel`, `hidden/bias`, ... in *every*
# graph built from this function, and names are how a checkpoint finds its variables. `params` carries the
# hyper-parameters; the Estimator hands the same dict (a copy) to every call.

# %%
def model_fn(features, labels, mode, params):
    """The digits MLP, for the three modes."""
    hidden = tf.layers.dense(features["pixels"], params["hidden"], activation=tf.nn.relu, name="hidden")
    logits = tf.layers.dense(hidden, 10, name="logits")
    class_ids = tf.argmax(logits, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        predictions = {"class_id": class_ids, "probabilities": tf.nn.softmax(logits)}
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)

    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": tf.metrics.accuracy(labels=labels, predictions=class_ids)}
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)

    optimizer = tf.train.MomentumOptimizer(params["learning_rate"], 0.9)
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


PARAMS = {"hidden": 32, "learning_rate": 0.1, "batch_size": 32}

# %% [markdown]
# To watch the Estimator at work, we hand it `model_fn` through a thin wrapper that notes the mode and the graph
# of each call. (The Estimator looks at the names of `model_fn`'s arguments to decide what to pass, so the
# wrapper has the same four.)
#
# `RunConfig` says how to run: `tf_random_seed` seeds every graph (the same initial weights and shuffling in
# each run of this notebook), a checkpoint every 50 steps, the loss logged every 50 steps. We turn the log up to
# `INFO` for the first training, to see what it reports.

# %%
graphs_built = []


def traced_model_fn(features, labels, mode, params):
    graphs_built.append((mode, tf.get_default_graph()))
    return model_fn(features, labels, mode, params)


mlp_dir = os.path.join(WORK, "mlp")
config = tf.estimator.RunConfig(tf_random_seed=0, save_checkpoints_steps=50, log_step_count_steps=50)
estimator = tf.estimator.Estimator(traced_model_fn, model_dir=mlp_dir, config=config, params=PARAMS)

tf.logging.set_verbosity(tf.logging.INFO)
estimator.train(train_input_fn, steps=100)
tf.logging.set_verbosity(tf.logging.WARN)

# %% [markdown]
# That one line did chapter 14's section 3: a new graph (`input_fn`, then `model_fn` in TRAIN mode), a
# `MonitoredTrainingSession` over it that found no checkpoint in `model_dir` and so ran the initializers, hooks
# that stopped after 100 steps, logged the loss and saved checkpoints — at the start, at step 50 and at the end.
# (The one warning is chapter 14's too: the `.meta` file written beside each checkpoint cannot hold the
# `tf.data` pipeline, which runs Python code.) Here is `model_dir`:

# %%
mlp_files = sorted(os.listdir(mlp_dir))
for name in mlp_files:
    print(f"  {name:36} {os.path.getsize(os.path.join(mlp_dir, name)):8} bytes")
print("latest checkpoint:", os.path.basename(estimator.latest_checkpoint()))

# %% [markdown]
# The checkpoints (`model.ckpt-<global step>`, values and graph), the `checkpoint` file that names the latest,
# the graph as text (`graph.pbtxt`) and an event file of training summaries (the loss, steps per second) for
# TensorBoard. Each `.meta` is twenty times the size of the values beside it: `from_tensor_slices` put the
# training images into the graph as a constant, and the graph is saved with every checkpoint. (Fine for 370 KB
# of digits; for real data sets TF1 programs read files, or a generator, instead: a graph is capped at 2 GB.)
#
# **This directory is the model.** The Estimator object itself holds no weights: `train`'s graph and session are
# gone. `get_variable_names()` and `get_variable_value(name)` read the latest checkpoint.

# %%
print(estimator.get_variable_names())
print("global_step:", estimator.get_variable_value("global_step"))

# %% [markdown]
# ### `evaluate`: a new graph, the latest checkpoint
#
# `evaluate` builds another graph — `model_fn` in EVAL mode — restores the latest checkpoint into it, runs every
# metric's update op over all of `eval_input_fn`'s data, and returns the values, with the mean loss and the
# global step of the checkpoint. It shares nothing with `train` but the files.
#
# To see that it is the checkpoint that is evaluated, we compute the same numbers in numpy from the weights that
# `get_variable_value` reads out of the file. One detail: the `loss` reported is the **mean of the batches'
# mean losses** (`tf.metrics.mean` of the loss tensor, one value per batch), so the short last batch of 103
# counts as much as the full ones — TF1's definition, not quite the mean over all 359 examples.
# `checkpoint_path=` evaluates an older checkpoint instead; we do the same check for step 50.

# %%
def mlp_logits(weights, images):
    """The MLP in numpy: relu(x W1 + b1) W2 + b2."""
    hidden = np.maximum(images @ weights["hidden/kernel"] + weights["hidden/bias"], 0)
    return hidden @ weights["logits/kernel"] + weights["logits/bias"]


def cross_entropies(logits, labels):
    """-log softmax(logits)[label], per example."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probabilities[np.arange(len(labels)), labels]


def numpy_metrics(weights):
    logits = mlp_logits(weights, x_test)
    losses = cross_entropies(logits, y_test)
    batch_means = [losses[start:start + 128].mean() for start in range(0, len(losses), 128)]
    return float((logits.argmax(1) == y_test).mean()), float(np.mean(batch_means)), float(losses.mean())


LAYER_NAMES = ["hidden/kernel", "hidden/bias", "logits/kernel", "logits/bias"]
step_50 = os.path.join(mlp_dir, "model.ckpt-50")
evaluations = {"latest": estimator.evaluate(eval_input_fn),
               "model.ckpt-50": estimator.evaluate(eval_input_fn, checkpoint_path=step_50)}
recomputed = {"latest": numpy_metrics({name: estimator.get_variable_value(name) for name in LAYER_NAMES}),
              "model.ckpt-50": numpy_metrics({name: tf.train.load_variable(step_50, name) for name in LAYER_NAMES})}
print(evaluations["latest"])
print(f"{'checkpoint':14} {'step':>5} {'accuracy':>9} {'numpy':>9} {'loss':>9} {'numpy':>9} {'per example':>12}")
for which, result in evaluations.items():
    accuracy, loss, loss_per_example = recomputed[which]
    print(f"{which:14} {result['global_step']:5} {result['accuracy']:9.4f} {accuracy:9.4f} "
          f"{result['loss']:9.5f} {loss:9.5f} {loss_per_example:12.5f}")

# %% [markdown]
# ### `predict`: one dict per example
#
# `predict` builds a third graph (PREDICT mode; the `input_fn` gives features only) and returns a **generator**:
# it yields one dict per example, taken apart from the batches as they are computed, until the data ends.
# (`predict_keys="class_id"` would keep one entry, `yield_single_examples=False` yield whole batches. And an
# `input_fn` that repeats without end makes a generator without end: take what you need, with `itertools.islice`
# or `next`.)

# %%
predictions = list(estimator.predict(predict_input_fn))
print(len(predictions), "predictions; the first:", {key: np.round(value, 3) for key, value in predictions[0].items()})
predicted_ids = np.array([p["class_id"] for p in predictions])
latest_logits = mlp_logits({name: estimator.get_variable_value(name) for name in LAYER_NAMES}, x_test)
print("class ids equal numpy's argmax:", np.array_equal(predicted_ids, latest_logits.argmax(1)),
      "  test accuracy:", float((predicted_ids == y_test).mean()))

# %% [markdown]
# ### Training again continues; `steps` versus `max_steps`
#
# A second `train` builds yet another graph — and its monitored session finds the checkpoint of step 100 and
# restores it, global step, momentum slots and all: training continues where it stopped, in this program or in
# another one started tomorrow. `steps=50` means *50 more*; `max_steps=200` means *up to global step 200*, and
# does nothing once the model is there — so a job whose training call says `max_steps` can be rerun safely.

# %%
def global_step():
    return int(estimator.get_variable_value("global_step"))


steps_seen = [global_step()]
estimator.train(train_input_fn, steps=50)        # 100 -> 150
steps_seen.append(global_step())
estimator.train(train_input_fn, max_steps=200)   # 150 -> 200
steps_seen.append(global_step())
estimator.train(train_input_fn, max_steps=150)   # already past 150: nothing to do, no graph built
steps_seen.append(global_step())
print("global step after each call:", steps_seen)
kept = sorted((f for f in os.listdir(mlp_dir) if f.endswith(".index")),
              key=lambda f: int(f[len("model.ckpt-"):-len(".index")]))           # by step
print("checkpoints kept (keep_checkpoint_max=5 by default):", kept)

# %% [markdown]
# And the calls so far, as the wrapper saw them: one graph per call — never the notebook's own default graph,
# which is still empty.

# %%
calls_so_far = list(graphs_built)
modes_so_far = [mode for mode, _ in calls_so_far]
distinct_graphs = len({id(graph) for _, graph in calls_so_far})
print(modes_so_far)
print(f"{len(calls_so_far)} calls of model_fn, {distinct_graphs} different graphs; the notebook's graph has "
      f"{len(tf.get_default_graph().get_operations())} operations")

# %% [markdown]
# ## 2. `train_and_evaluate`: an evaluation after every checkpoint
#
# A long training job wants to know, as it goes, how the model does on data it does not train on.
# `tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec)` trains as `TrainSpec` says (here up to
# global step 200) and evaluates as `EvalSpec` says **each time a checkpoint is written** — how often is
# `RunConfig`'s `save_checkpoints_steps` (here 20). Each evaluation is a plain `evaluate` of the checkpoint just
# saved, in its own graph: exactly what was saved is measured. The checkpoint written when training starts is
# not evaluated (nothing is trained yet), and the last one always is.
#
# Two settings of `EvalSpec` matter for a small job: `steps=None` evaluates all the data (the default, 100,
# would stop after 100 batches), and `throttle_secs=0` evaluates every checkpoint (the default, 600, skips
# checkpoints until ten minutes have passed since the last evaluation — in a job of a few seconds that leaves
# the first and the last).
#
# The evaluations also go, as summaries, to `model_dir/eval` for TensorBoard; to draw them here we read that
# event file back with `tf.train.summary_iterator`, as a TF1 program would. For the training loss of every step —
# to draw beside the evaluations — a hook, as in chapter 14, passed in `TrainSpec(hooks=...)`. It did not build
# the model, so in `begin()` (called once the graph is built, before it is finalized) it looks up the tensors it
# needs: the loss in the `LOSSES` collection, where `tf.losses` functions put it, and the global step.

# %%
class TrainingLosses(tf.train.SessionRunHook):
    """Notes the training loss of every step, by global step."""

    def __init__(self):
        self.losses = {}

    def begin(self):
        (self._loss,) = tf.losses.get_losses()
        self._step = tf.train.get_global_step()

    def before_run(self, run_context):
        return tf.train.SessionRunArgs([self._loss, self._step])

    def after_run(self, run_context, run_values):
        loss, step = run_values.results
        self.losses[int(step)] = float(loss)   # the step reached by this run


MAX_STEPS, SAVE_EVERY = 200, 20
tae_config = tf.estimator.RunConfig(tf_random_seed=0, save_checkpoints_steps=SAVE_EVERY, log_step_count_steps=None)
monitored = tf.estimator.Estimator(model_fn, model_dir=os.path.join(WORK, "train_and_evaluate"), config=tae_config,
                                   params=PARAMS)
training_losses = TrainingLosses()
train_spec = tf.estimator.TrainSpec(train_input_fn, max_steps=MAX_STEPS, hooks=[training_losses])
eval_spec = tf.estimator.EvalSpec(eval_input_fn, steps=None, throttle_secs=0)
final_metrics, exports = tf.estimator.train_and_evaluate(monitored, train_spec, eval_spec)

(eval_event_file,) = os.listdir(monitored.eval_dir())
eval_events = list(tf.train.summary_iterator(os.path.join(monitored.eval_dir(), eval_event_file)))
eval_summaries = {event.step: {value.tag: value.simple_value for value in event.summary.value}
                  for event in eval_events if event.HasField("summary")}
eval_steps = np.array(sorted(eval_summaries))
eval_accuracy = np.array([eval_summaries[step]["accuracy"] for step in eval_steps])
eval_loss = np.array([eval_summaries[step]["loss"] for step in eval_steps])
print(" step  accuracy  loss")
for step, accuracy, loss in zip(eval_steps, eval_accuracy, eval_loss):
    print(f"{step:5} {accuracy:9.4f} {loss:6.3f}")
print("returned:", final_metrics, exports)

# %% [markdown]
# The evaluation summaries are in their own directory, one event file: the file's version, the graph of the first
# evaluation, then an event per evaluation, each a `Summary` of the metrics at that global step.

# %%
print(monitored.eval_dir(), ":", eval_event_file, len(eval_events), "events;",
      "the first two:", eval_events[0].file_version, "and", "a graph" if eval_events[1].HasField("graph_def") else "?")

# %% [markdown]
# ### The picture
#
# `15_train_and_evaluate.png`, two panels against the global step (0 to 200 across), a light grey line at every
# checkpoint:
#
# * left, the **loss**: the training loss of each step, thin in blue — one batch of 32 at a time, so it jumps
#   about — and the evaluation loss at each checkpoint in orange, dots joined by lines; light grey lines every
#   0.5 of loss;
# * right, the **test accuracy** at each checkpoint in green, from 0.75 (bottom) to 1 (top), light grey lines
#   every 0.05.
#
# The evaluation curves are what the held-out data says about the model, at the only moments it can be asked:
# when a checkpoint exists.

# %%
BLUE, ORANGE, GREEN, LIGHT = (31, 119, 180), (255, 127, 14), (44, 160, 44), (225, 225, 225)
W_PX, H_PX, MARGIN = 400, 260, 16


def panel(series, y_bottom, y_top, y_grid):
    """A chart as an (H_PX, W_PX, 3) uint8 array: each series (steps, values, colour, thickness, dots) a polyline,
    with a square dot at each point if ``dots``."""
    canvas = np.full((H_PX, W_PX, 3), 255, np.uint8)

    def col(step):
        return np.round(MARGIN + np.asarray(step) * (W_PX - 2 * MARGIN) / MAX_STEPS).astype(int)

    def row(value):
        return np.round(H_PX - MARGIN - (np.asarray(value) - y_bottom) * (H_PX - 2 * MARGIN)
                        / (y_top - y_bottom)).astype(int)

    for level in np.arange(y_bottom + y_grid, y_top + 1e-9, y_grid):
        canvas[row(level), MARGIN:W_PX - MARGIN] = LIGHT
    for step in range(SAVE_EVERY, MAX_STEPS + 1, SAVE_EVERY):           # the checkpoints
        canvas[MARGIN:H_PX - MARGIN, col(step)] = LIGHT
    canvas[H_PX - MARGIN, MARGIN:W_PX - MARGIN] = 0                     # x axis (y_bottom)
    canvas[MARGIN:H_PX - MARGIN + 1, MARGIN] = 0                        # y axis
    for steps, values, color, thickness, dots in series:
        cols, rows = col(steps), row(values)
        for c0, r0, c1, r1 in zip(cols[:-1], rows[:-1], cols[1:], rows[1:]):
            n = max(abs(c1 - c0), abs(r1 - r0)) + 1                     # one dot per pixel along the segment
            for c, r in zip(np.linspace(c0, c1, n).round().astype(int), np.linspace(r0, r1, n).round().astype(int)):
                canvas[r - thickness:r + thickness + 1, c - thickness:c + thickness + 1] = color
        if dots:
            for c, r in zip(cols, rows):
                canvas[r - 3:r + 4, c - 3:c + 4] = color
    return canvas


train_steps = np.array(sorted(training_losses.losses))
train_loss = np.array([training_losses.losses[step] for step in train_steps])
loss_top = 0.5 * np.ceil(train_loss.max() / 0.5)
loss_panel = panel([(train_steps, train_loss, BLUE, 0, False), (eval_steps, eval_loss, ORANGE, 1, True)],
                   y_bottom=0.0, y_top=loss_top, y_grid=0.5)
accuracy_panel = panel([(eval_steps, eval_accuracy, GREEN, 1, True)], y_bottom=0.75, y_top=1.0, y_grid=0.05)
chart = np.concatenate([loss_panel, np.full((H_PX, 12, 3), 255, np.uint8), accuracy_panel], axis=1)
chart_png = os.path.join(OUT, "15_train_and_evaluate.png")
with open(chart_png, "wb") as file:
    file.write(encode_png(chart))
print("wrote", chart_png, chart.shape, os.path.getsize(chart_png), "bytes")

# %% [markdown]
# ## 3. A premade Estimator: `DNNClassifier` and feature columns
#
# For the common models TF1 shipped the `model_fn` too: `tf.estimator.DNNClassifier` is a fully connected
# network with a classification head, and the user writes only the `input_fn`. Since it cannot know the
# data, it is told what to read by **feature columns**: `tf.feature_column.numeric_column(key, shape=...)` says
# "the feature `key` holds `shape` numbers per example", and inside the model `tf.feature_column.input_layer`
# reads every column from the features dict and joins them into the first layer's `[batch, width]` input.
#
# `input_layer` is an ordinary function; we try it on a dict of two features. Note the order of the result:
# columns are joined in the order of their **names**, not of the list (so the input's layout does not depend on
# how the list was written), each flattened to its width and cast to float32.

# %%
with tf.Graph().as_default():
    two_features = {"pixels": tf.constant(x_test[:2]), "ink": tf.constant(x_test[:2].sum(1))}
    columns = [tf.feature_column.numeric_column("pixels", shape=64), tf.feature_column.numeric_column("ink")]
    dense_input = tf.feature_column.input_layer(two_features, columns)
    with tf.Session() as sess:
        joined = sess.run(dense_input)
print(dense_input, "— column 0 is 'ink':", joined[:, 0], "=", x_test[:2].sum(1))

# %% [markdown]
# The getting-started guide makes one column per key of its data, `[tf.feature_column.numeric_column(key) for key
# in train_x.keys()]`; our data has one key, 64 numbers wide. The rest is the guide's code: `hidden_units=[32]`
# (one hidden layer of 32 ReLU units), `n_classes=10`, and the default optimizer (Adagrad, learning rate 0.05).
# The same `input_fn`s serve: the premade model reads `"pixels"`, and the labels as class ids.

# %%
pixel_columns = [tf.feature_column.numeric_column("pixels", shape=64)]
classifier = tf.estimator.DNNClassifier(hidden_units=[32], feature_columns=pixel_columns, n_classes=10,
                                        model_dir=os.path.join(WORK, "dnn"),
                                        config=tf.estimator.RunConfig(tf_random_seed=0))
classifier.train(input_fn=lambda: train_input_fn({"batch_size": 32}), steps=200)
dnn_names = classifier.get_variable_names()
for name in dnn_names:
    print(f"  {name:34} {list(np.shape(classifier.get_variable_value(name)))}")

# %% [markdown]
# The variables carry TF's names: `dnn/hiddenlayer_0/...`, `dnn/logits/...`, each with its Adagrad slot — a
# program that warm-starts from a `DNNClassifier`, or reads its weights, relies on them. With them, the network
# in numpy is two lines, and we check the evaluation against it. The premade **head** reports `accuracy`,
# `average_loss` (the mean cross-entropy per example) and `loss` — which is much larger: the loss a premade
# model trains and reports is the **sum** over each batch (TF 1.x's `loss_reduction=SUM` default), averaged over
# the batches.

# %%
def dnn_logits(estimator, images, layers):
    value = estimator.get_variable_value
    net = images
    for i in range(layers):
        net = np.maximum(net @ value(f"dnn/hiddenlayer_{i}/kernel") + value(f"dnn/hiddenlayer_{i}/bias"), 0)
    return net @ value("dnn/logits/kernel") + value("dnn/logits/bias")


dnn_results = classifier.evaluate(input_fn=eval_input_fn)
print(dnn_results)
dnn_test_logits = dnn_logits(classifier, x_test, 1)
dnn_losses = cross_entropies(dnn_test_logits, y_test)
dnn_numpy = {"accuracy": float((dnn_test_logits.argmax(1) == y_test).mean()),
             "average_loss": float(dnn_losses.mean()),
             "loss": float(np.mean([dnn_losses[start:start + 128].sum() for start in range(0, 359, 128)]))}
print("numpy:", dnn_numpy)

# %% [markdown]
# Its predictions are a dict with more entries than ours: the `logits`, `probabilities`, the predicted
# `class_ids` (a one-element array per example) and `classes` (the same as a string — the premade heads can be
# served to programs that expect text labels), and every class's id and name.

# %%
first_prediction = next(classifier.predict(input_fn=predict_input_fn))
for key, value in first_prediction.items():
    print(f"  {key:14} {np.round(value, 3) if value.dtype.kind == 'f' else value}")

# %% [markdown]
# ### Two classes: one logit, and the binary metrics
#
# With `n_classes=2` (the default) the network has **one** logit, the log-odds of class 1, and a sigmoid
# instead of a softmax. We ask "is this an 8?" — about 10% of the digits — and the head adds the binary
# metrics: precision, recall, `accuracy_baseline` (always answering the more frequent class: here "no", 90%
# right, which is why accuracy alone says little here) and the **AUC**, the area under the ROC curve:
# the probability that a random 8 gets a higher score than a random other digit. `tf.metrics.auc` computes it
# from counts at 200 thresholds, so we compare it with the exact fraction of (8, other) pairs put in the right
# order, computed in numpy from the saved weights.

# %%
def eights_input_fn(images, digits, training):
    data = tf.data.Dataset.from_tensor_slices(({"pixels": images}, (digits == 8).astype(np.int64)))
    return data.shuffle(1000, seed=0).repeat().batch(32) if training else data.batch(128)


detector = tf.estimator.DNNClassifier(hidden_units=[16], feature_columns=pixel_columns,
                                      model_dir=os.path.join(WORK, "eights"),
                                      config=tf.estimator.RunConfig(tf_random_seed=0))
detector.train(input_fn=lambda: eights_input_fn(x_train, y_train, True), steps=150)
binary_results = detector.evaluate(input_fn=lambda: eights_input_fn(x_test, y_test, False))
for key, value in binary_results.items():
    print(f"  {key:20} {value if key == 'global_step' else f'{value:.4f}'}")

score = dnn_logits(detector, x_test, 1)[:, 0]          # the logit: a monotone function of the probability
is_eight = y_test == 8
exact_auc = float((score[is_eight][:, None] > score[~is_eight][None, :]).mean())
print(f"logit kernel {detector.get_variable_value('dnn/logits/kernel').shape}; AUC {binary_results['auc']:.4f}, "
      f"exact {exact_auc:.4f}")

# %% [markdown]
# ## 4. Warm starting: a trained body under a new head
#
# The MLP of section 1 learned, in its hidden layer, 32 features of the digits that make them easy to tell
# apart. A new task — here "is the digit odd?" — can start from them instead of from random weights: a new
# model with the same hidden layer under a different head. `warm_start_from` does it:
# `tf.estimator.WarmStartSettings(ckpt_to_initialize_from, vars_to_warm_start)` names the checkpoint (a
# directory: its latest) and which variables to take from it — a regular expression matched against the new
# model's trainable variables' names, here `"hidden"`. The others, the new head `parity/*`, start as usual.
#
# The warm start replaces the chosen variables' initializers, so it acts only while the new `model_dir` has no
# checkpoint of its own; from then on the model's own checkpoints take over, as always. We train the new model
# 20 steps twice over, warm and cold (from random weights), and compare.

# %%
def parity_model_fn(features, labels, mode, params):
    """The same hidden layer, a new head: two classes, even and odd."""
    hidden = tf.layers.dense(features["pixels"], params["hidden"], activation=tf.nn.relu, name="hidden")
    logits = tf.layers.dense(hidden, 2, name="parity")
    class_ids = tf.argmax(logits, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"odd": class_ids})
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": tf.metrics.accuracy(labels=labels, predictions=class_ids)}
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)
    train_op = tf.train.MomentumOptimizer(params["learning_rate"], 0.9).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def parity_input_fn(images, digits, training):
    data = tf.data.Dataset.from_tensor_slices(({"pixels": images}, digits % 2))
    return data.shuffle(1000, seed=1).repeat().batch(32) if training else data.batch(128)


PARITY_STEPS = 20
warm_settings = tf.estimator.WarmStartSettings(ckpt_to_initialize_from=mlp_dir, vars_to_warm_start="hidden")
parity = {}
for start, warm_start_from in (("cold", None), ("warm", warm_settings)):
    parity[start] = tf.estimator.Estimator(parity_model_fn, model_dir=os.path.join(WORK, f"parity_{start}"),
                                           config=tf.estimator.RunConfig(tf_random_seed=0), params=PARAMS,
                                           warm_start_from=warm_start_from)
    parity[start].train(lambda: parity_input_fn(x_train, y_train, True), steps=PARITY_STEPS)
parity_accuracy = {start: float(e.evaluate(lambda: parity_input_fn(x_test, y_test, False))["accuracy"])
                   for start, e in parity.items()}
print(f"odd or even after {PARITY_STEPS} steps: from random weights {parity_accuracy['cold']:.3f}, "
      f"warm-started {parity_accuracy['warm']:.3f}")

# %% [markdown]
# The proof is in the warm model's first checkpoint, written when its training session started, before any
# step: its hidden layer *is* the source's latest, its head is not in the source at all.

# %%
warm_step_0 = os.path.join(parity["warm"].model_dir, "model.ckpt-0")
hidden_loaded = np.array_equal(tf.train.load_variable(warm_step_0, "hidden/kernel"),
                               estimator.get_variable_value("hidden/kernel"))
print("step 0: hidden/kernel equals the source's:", hidden_loaded,
      " variables:", [name for name, _ in tf.train.list_variables(warm_step_0)])

# %% [markdown]
# Left at its default, `vars_to_warm_start=".*"` picks every trainable variable — and every one picked must be
# in the checkpoint, with its shape. The new head is not, and the mistake is caught when the graph is built:

# %%
all_of_it = tf.estimator.Estimator(parity_model_fn, model_dir=os.path.join(WORK, "parity_all"), params=PARAMS,
                                   warm_start_from=mlp_dir)        # a path: WarmStartSettings(path, ".*")
try:
    all_of_it.train(lambda: parity_input_fn(x_train, y_train, True), steps=1)
    warm_all_error = None
except ValueError as error:
    warm_all_error = error
    print(f"ValueError: {str(error)[:110]}...")

# %% [markdown]
# ### Under other names: `tf.train.init_from_checkpoint`
#
# The warm start matches variables by name. When the new model names them differently — here its hidden layer
# lives under a `body` scope — the tool underneath, `tf.train.init_from_checkpoint`, takes an **assignment
# map** from names in the checkpoint to names in the graph:
# `{"hidden/": "body/hidden/"}` starts every variable under `body/hidden/` from the checkpoint's variable of the
# same name under `hidden/`. Called inside `model_fn`, it changes the initializers of the graph being built,
# so it matters only when the session initializes instead of restoring — the first time.

# %%
def body_model_fn(features, labels, mode, params):
    """The parity model with its hidden layer under "body" (no PREDICT branch: we only train and evaluate it)."""
    with tf.variable_scope("body"):
        hidden = tf.layers.dense(features["pixels"], params["hidden"], activation=tf.nn.relu, name="hidden")
    tf.train.init_from_checkpoint(params["pretrained"], {"hidden/": "body/hidden/"})
    logits = tf.layers.dense(hidden, 2, name="parity")
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": tf.metrics.accuracy(labels=labels, predictions=tf.argmax(logits, 1))}
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)
    train_op = tf.train.MomentumOptimizer(params["learning_rate"], 0.9).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


renamed = tf.estimator.Estimator(body_model_fn, model_dir=os.path.join(WORK, "parity_body"),
                                 config=tf.estimator.RunConfig(tf_random_seed=0),
                                 params=dict(PARAMS, pretrained=mlp_dir))
renamed.train(lambda: parity_input_fn(x_train, y_train, True), steps=PARITY_STEPS)
renamed_accuracy = float(renamed.evaluate(lambda: parity_input_fn(x_test, y_test, False))["accuracy"])
body_step_0 = os.path.join(renamed.model_dir, "model.ckpt-0")
body_loaded = np.array_equal(tf.train.load_variable(body_step_0, "body/hidden/kernel"),
                             estimator.get_variable_value("hidden/kernel"))
print("variables:", [name for name in renamed.get_variable_names() if not name.endswith("Momentum")])
print("step 0: body/hidden/kernel equals the source's hidden/kernel:", body_loaded,
      f"  accuracy after {PARITY_STEPS} steps: {renamed_accuracy:.3f}")

# %% [markdown]
# ## 5. What to watch for
#
# Each mistake below stops with an error — better than a model that quietly is not the one you think.
#
# * **Names.** Every call rebuilds the model from the code and restores by name. Rename a layer between two
#   calls, and the checkpoint has no such variable; widen it, and the shapes differ. (Unnamed layers become
#   `dense`, `dense_1`, ... in each fresh graph — consistent, but fragile as soon as a layer is added.)
# * **The graph is finalized** while the session runs (chapter 14): a hook that builds an op when it runs — here
#   a mean of a weight in `after_create_session` — fails. Build what a hook needs in `begin()`.
# * **Feature widths.** `numeric_column("pixels")` reads *one* number per example by default; our feature has 64.
# * **Build the data inside `input_fn`.** A dataset made outside, in the notebook's graph, cannot be read from
#   the Estimator's new graph.

# %%
def error_of(action):
    try:
        action()
    except Exception as error:     # whatever it is: we want to see it
        print(f"{type(error).__name__}: {str(error).splitlines()[0][:140]}")
        return error
    return None


def renamed_layer_model_fn(features, labels, mode, params):
    """model_fn after a tidy-up that renamed its hidden layer (an EVAL graph is all we need of it)."""
    hidden = tf.layers.dense(features["pixels"], params["hidden"], activation=tf.nn.relu, name="hidden_layer")
    logits = tf.layers.dense(hidden, 10, name="logits")
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    return tf.estimator.EstimatorSpec(mode, loss=loss)


class MeanWeightHook(tf.train.SessionRunHook):
    def after_create_session(self, session, coord):
        print("mean weight:", session.run(tf.reduce_mean(tf.trainable_variables()[0])))


name_error = error_of(lambda: tf.estimator.Estimator(renamed_layer_model_fn, model_dir=mlp_dir, params=PARAMS)
                      .evaluate(eval_input_fn))
shape_error = error_of(lambda: tf.estimator.Estimator(model_fn, model_dir=mlp_dir, params=dict(PARAMS, hidden=64))
                       .evaluate(eval_input_fn))
finalized_error = error_of(lambda: estimator.train(train_input_fn, steps=1, hooks=[MeanWeightHook()]))
narrow = tf.estimator.DNNClassifier([8], [tf.feature_column.numeric_column("pixels")], n_classes=10,
                                    model_dir=os.path.join(WORK, "narrow"))
width_error = error_of(lambda: narrow.train(lambda: train_input_fn({"batch_size": 32}), steps=1))
notebook_operations = len(tf.get_default_graph().get_operations())   # still none, before the next line
made_outside = eval_input_fn()                                       # ... which builds into the notebook's graph
outside_error = error_of(lambda: estimator.evaluate(lambda: made_outside))
print("global step still", global_step())

# %% [markdown]
# ## Summary
#
# * An Estimator is chapter 14's monitored training program as an object. The user writes `input_fn` (a
#   `Dataset` of a features dict and labels) and `model_fn(features, labels, mode, params)`, which returns an
#   `EstimatorSpec` for TRAIN (loss, `train_op` incrementing the global step), EVAL (loss, `tf.metrics` in
#   `eval_metric_ops`) or PREDICT (a dict of `predictions`).
# * `train`, `evaluate` and `predict` each build a **new graph** from the two functions and talk to each other
#   only through the checkpoints in `model_dir`: training restores the latest and continues (`steps` more, or
#   up to `max_steps`), evaluation and prediction read the latest (or `checkpoint_path`). `RunConfig` sets the
#   seed, how often to save, and how many checkpoints to keep.
# * `train_and_evaluate(estimator, TrainSpec, EvalSpec)` evaluates every new checkpoint (`throttle_secs` allowing),
#   each in its own graph, and writes the results to `model_dir/eval`.
# * `DNNClassifier` brings its own `model_fn`: feature columns and `input_layer` turn the features dict into
#   the first layer's input; variables `dnn/hiddenlayer_<i>/...` and `dnn/logits/...`; predictions with
#   `class_ids`, `probabilities` and more; `loss` summed over each batch, `average_loss` per example; with two
#   classes, one logit and the binary metrics, `auc` among them.
# * `warm_start_from` / `WarmStartSettings` start a new model's chosen variables from another model's checkpoint,
#   by name; `tf.train.init_from_checkpoint` in `model_fn` maps names across.
# * The names in the code must match the checkpoints; the graph is finalized while a session runs; the data is
#   built inside `input_fn`.
#
# ## Checks

# %%
# the input function's batches
assert peek_pixels.shape == (4, 64) and peek_labels.shape == (4,) and peek_labels.dtype == np.int64

# section 1: the files of model_dir after 100 steps with a checkpoint every 50
assert [f for f in mlp_files if f.endswith(".index")] == ["model.ckpt-0.index", "model.ckpt-100.index",
                                                          "model.ckpt-50.index"]
assert {"checkpoint", "graph.pbtxt", "model.ckpt-100.meta"} <= set(mlp_files)
assert any(f.startswith("events.out.tfevents.") for f in mlp_files)

# evaluate reads the checkpoint: its numbers are numpy's from the saved weights, for the latest and for step 50
for which, result in evaluations.items():
    accuracy, loss, loss_per_example = recomputed[which]
    assert abs(result["accuracy"] - accuracy) < 1e-6 and abs(result["loss"] - loss) < 1e-4 * loss
assert evaluations["latest"]["global_step"] == 100 and evaluations["model.ckpt-50"]["global_step"] == 50
assert evaluations["latest"]["accuracy"] > 0.9 and set(evaluations["latest"]) == {"accuracy", "loss", "global_step"}

# predict: one dict per example, the class of the latest weights
assert len(predictions) == len(x_test) and set(predictions[0]) == {"class_id", "probabilities"}
assert np.array_equal(predicted_ids, latest_logits.argmax(1))
assert np.allclose([p["probabilities"].sum() for p in predictions], 1.0, atol=1e-5)

# training continues from the checkpoints; max_steps counts globally
assert steps_seen == [100, 150, 200, 200]
assert kept[-1] == "model.ckpt-200.index" and len(kept) <= 5

# one new graph per call, none of them the notebook's
assert modes_so_far == ["train", "eval", "eval", "infer", "train", "train"]
assert distinct_graphs == len(calls_so_far)
assert all(graph is not tf.get_default_graph() for _, graph in graphs_built)

# section 2: an evaluation after each checkpoint but the first, of the checkpoint just written
assert list(eval_steps) == list(range(SAVE_EVERY, MAX_STEPS + 1, SAVE_EVERY))
assert abs(final_metrics["accuracy"] - eval_summaries[MAX_STEPS]["accuracy"]) < 1e-6 and exports == []
last_weights = {name: monitored.get_variable_value(name) for name in LAYER_NAMES}
assert abs(final_metrics["accuracy"] - numpy_metrics(last_weights)[0]) < 1e-6
assert eval_accuracy[-1] > 0.9 and eval_loss[-1] < eval_loss[0]
assert sorted(training_losses.losses) == list(range(1, MAX_STEPS + 1))
assert len(eval_events) == 2 + len(eval_steps)

# section 3: the premade classifier's names, metrics and predictions
assert {"dnn/hiddenlayer_0/kernel", "dnn/hiddenlayer_0/bias", "dnn/logits/kernel", "dnn/logits/bias",
        "dnn/hiddenlayer_0/kernel/Adagrad", "global_step"} <= set(dnn_names)
assert classifier.get_variable_value("dnn/logits/kernel").shape == (32, 10)
assert set(dnn_results) == {"accuracy", "average_loss", "loss", "global_step"}
assert abs(dnn_results["accuracy"] - dnn_numpy["accuracy"]) < 1e-6 and dnn_results["accuracy"] > 0.9
assert abs(dnn_results["average_loss"] - dnn_numpy["average_loss"]) < 1e-4 * dnn_numpy["average_loss"]
assert abs(dnn_results["loss"] - dnn_numpy["loss"]) < 1e-4 * dnn_numpy["loss"]
assert set(first_prediction) == {"logits", "probabilities", "class_ids", "classes", "all_class_ids", "all_classes"}
assert first_prediction["classes"][0] == str(first_prediction["class_ids"][0]).encode()
assert joined.shape == (2, 65) and np.allclose(joined[:, 0], x_test[:2].sum(1)) and str(dense_input.shape) == "(2, 65)"

# the binary head: one logit, the binary metrics, the AUC near the exact pair count
assert detector.get_variable_value("dnn/logits/kernel").shape == (16, 1)
assert {"precision", "recall", "auc", "auc_precision_recall", "accuracy_baseline"} <= set(binary_results)
assert abs(binary_results["accuracy_baseline"] - (1 - is_eight.mean())) < 1e-6
assert abs(binary_results["auc"] - exact_auc) < 1e-2 and exact_auc > 0.9

# section 4: warm starts take the hidden layer from the source, the head is new
assert hidden_loaded and body_loaded
assert parity_accuracy["warm"] > parity_accuracy["cold"] and renamed_accuracy > parity_accuracy["cold"]
assert "parity/kernel" not in dict(tf.train.list_variables(mlp_dir))
assert "not found in" in str(warm_all_error)

# section 5: the mistakes are errors
assert isinstance(name_error, tf.errors.NotFoundError) and "hidden_layer/kernel not found" in str(name_error)
assert isinstance(shape_error, tf.errors.InvalidArgumentError) and "shape" in str(shape_error)
assert isinstance(finalized_error, RuntimeError) and "finalized" in str(finalized_error)
assert isinstance(width_error, ValueError) and "reads 1 value(s) per example" in str(width_error)
assert notebook_operations == 0 and isinstance(outside_error, ValueError)
assert global_step() == 200

# the picture
with open(chart_png, "rb") as file:
    png = file.read()
assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (2 * W_PX + 12, H_PX)

tf.summary.FileWriterCache.clear()   # close the event files the Estimators keep open, before removing them
shutil.rmtree(WORK)
print("chapter 15: all checks passed")
