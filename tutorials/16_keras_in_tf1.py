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
# # Chapter 16 — Keras inside TensorFlow 1: the short program, and the graph under it
#
# Chapter 7 wrote the digits MLP as a TensorFlow 1 program: placeholders, `tf.layers.dense`, a loss, an
# optimizer's `minimize`, an initializer run, and a Python loop of `sess.run(train_op, feed_dict)`. Chapter 15
# packaged that program as an Estimator. TensorFlow 1.x shipped a third way, which became the one most new users
# met first: **`tf.keras`**. A model is a list of layer objects; `compile` says which loss, optimizer and
# metrics to use; `fit` trains; `evaluate` scores.
#
# The point of this chapter is that nothing new runs underneath. In TF 1.x, Keras is a *graph builder*: every
# layer you add puts ordinary ops and variables into the default graph, and `fit`, `evaluate` and `predict`
# call `Session.run` on them. We write the short program first, then open it up and find chapter 7's pieces
# inside.
#
# | chore | chapter 7's TF1 program | `tf.keras` in TF 1.x |
# |---|---|---|
# | inputs | `tf.placeholder` for images and labels | from the first layer's `input_shape`; the labels' in `fit` |
# | layers | `tf.layers.dense(x, 64, activation=tf.nn.relu)` | `tf.keras.layers.Dense(64, activation="relu")` |
# | loss and optimizer | `tf.losses...`, `optimizer.minimize(loss)` | `model.compile(optimizer, loss, metrics)` |
# | initialization | `sess.run(tf.global_variables_initializer())` | done by Keras' session when needed |
# | the loop | `for batch ...: sess.run(train_op, feed_dict)` | `model.fit(x, y, epochs=..., batch_size=...)` |
# | scoring | `sess.run(accuracy, feed_dict=...)` | `model.evaluate(x, y)`, `model.predict(x)` |
# | dropout on or off | a `training` placeholder, fed by hand | the *learning phase*, fed by `fit` |
#
# The sections: (1) the beginner program; (2) the graph it built; (3) the learning phase and dropout; (4) the
# functional API and a subclassed model; (5) a small convolutional network; (6) callbacks, early stopping and a
# picture of the loss curves; (7) saving and loading weights; (8) sentences: a tokenizer, padding and masks, and
# a model called as a layer; then the checks.

# %%
import os
import shutil
import struct
import tempfile

import numpy as np

import minidl.graph as tf
from minidl.datasets import load_digits, load_digits_images
from minidl.io.png import encode_png

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="minidl-chapter-16-")  # the weight files of this chapter; removed at its end

tf.keras.backend.clear_session()  # a fresh default graph (also when this notebook is run a second time)
np.random.seed(0)                 # fit shuffles the samples with numpy's global generator
tf.set_random_seed(0)             # the graph seed: initial weights and dropout masks

# %% [markdown]
# ## The data
#
# The bundled digits once more: 8×8 grey images flattened to 64 numbers in [0, 1], with labels 0 to 9 — 1438
# for training and 359 for testing. Keras takes numpy arrays as they are: no `Dataset`, no placeholders to
# write.

# %%
x_train, y_train, x_test, y_test = load_digits()
print("train:", x_train.shape, x_train.dtype, y_train.shape, y_train.dtype, "  test:", x_test.shape)

# %% [markdown]
# ## 1. The beginner program: `Sequential`, `compile`, `fit`, `evaluate`
#
# A `Sequential` model applies its layers one after the other. Ours is chapter 7's MLP with one addition, common
# in TF 1.x beginner programs: a `Dropout` layer, which during training zeroes a random 20% of the hidden units
# (section 3 looks at it closely):
#
# * `Dense(64, activation="relu", input_shape=(64,))` — a fully connected layer. `input_shape` is the shape of
#   *one* sample (the batch dimension is left out); only the first layer needs it.
# * `Dropout(0.2)`.
# * `Dense(10, activation="softmax")` — ten probabilities, one per digit.
#
# The layers' settings are given by name: `"relu"`, `"softmax"`; the kernels start from Keras' default, the
# Glorot-uniform initializer (TF1's `tf.layers.dense` used the same). We wrap the model in a function because
# section 7 will build it again.

# %%
def build_mlp():
    return tf.keras.Sequential([
        tf.keras.layers.Dense(64, activation="relu", input_shape=(64,)),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])


model = build_mlp()
model.summary()
variables_before_compile = [v.name for v in tf.global_variables()]

# %% [markdown]
# The summary lists the layers with the names Keras gave them (`dense`, `dropout`, `dense_1`: a counter per
# kind of layer), the shape of each output — `None` is the batch, unknown until data arrives — and the number
# of parameters: 64·64 weights + 64 biases = 4160, then 64·10 + 10 = 650. Dropout has no parameters.
#
# `compile` chooses the rest:
#
# * `optimizer="adam"` — Adam with Keras' defaults (learning rate 0.001); an object such as
#   `tf.keras.optimizers.SGD(0.1, momentum=0.9)` works as well.
# * `loss="sparse_categorical_crossentropy"` — the cross-entropy of probabilities against *integer* labels
#   (with one-hot labels it would be `"categorical_crossentropy"`). Our output is a softmax, yet the loss is
#   computed from the softmax's input, the logits, with the stable fused formula: what chapter 7 wrote by hand as
#   `sparse_softmax_cross_entropy(labels, logits)`.
# * `metrics=["accuracy"]` — reported beside the loss, as `acc` (TF 1's Keras shortens the name); with this loss
#   "accuracy" means argmax against the label.
#
# Then `fit`: 15 passes over the training set (**epochs**) in shuffled batches of 32. `verbose=2` prints one
# line per epoch: the mean loss and accuracy *over the batches of that epoch*, while the weights were changing.

# %%
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=15, batch_size=32, verbose=2)

# %% [markdown]
# `evaluate` runs the model over data it did not train on and returns `[loss, accuracy]` (the order of
# `model.metrics_names`); `predict` returns the ten probabilities of every image.

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
probabilities = model.predict(x_test)
print(model.metrics_names, "->", f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}")
print("predict:", probabilities.shape, " first image:", np.round(probabilities[0], 3), "label", y_test[0])
print("accuracy from predict:", float((probabilities.argmax(axis=1) == y_test).mean()))
print("history keys:", list(history.history), " epochs:", history.epoch[0], "...", history.epoch[-1])

# %% [markdown]
# That is the whole program: build, compile, fit, evaluate — no session, no placeholder, no initializer in
# sight. `fit` returned a `History` object: `history.history` holds each reported number for every epoch,
# which section 6 will draw.

# %% [markdown]
# ## 2. Keras in TF1 *is* graph mode
#
# Where did the model go? Into the default graph, as chapter 4's ops always did. Building the `Sequential`
# (which happened as soon as the first layer knew its input shape) created a placeholder for the input and,
# for each `Dense`, a kernel and a bias variable — *before* `compile`, before any data. Training added the
# optimizer's variables: Adam's two moving averages per weight (slots, as in chapter 7's momentum) and a step
# counter.

# %%
graph = tf.get_default_graph()
variables_after_fit = [v.name for v in tf.global_variables()]
print("variables after building:", variables_before_compile)
print("variables after fit:     ", variables_after_fit[len(variables_before_compile):])
print("trainable:", [v.name for v in tf.trainable_variables()])
print("the model's input: ", model.input)
print("the model's output:", model.output)
print(len(graph.get_operations()), "operations in the graph; the first Dense layer's forward pass:",
      [op.type for op in graph.get_operations() if op.name in ("dense/MatMul", "dense/BiasAdd", "dense/Relu")])

# %% [markdown]
# `model.input` is a `tf.placeholder` of shape (?, 64), `model.output` the tensor made by the last layer's
# `Softmax` op. The variables are named after the layers, `dense/kernel` and so on, exactly like chapter 7's
# `tf.layers.dense` variables — the Keras layers here are TF1's layers with Keras' conventions on top.
#
# And the session? `tf.keras.backend.get_session()` returns the one Keras runs everything in: an ordinary
# `tf.Session` over the default graph, made at the first `fit`. Before each use Keras initializes the variables
# that have no value in it yet — and only those — so nobody had to run an initializer. We can use it
# ourselves. Feeding the input placeholder and running the output tensor is what `predict` does — batch by
# batch, 32 images at a time:

# %%
sess = tf.keras.backend.get_session()
by_hand = sess.run(model.output, feed_dict={model.input: x_test})
by_predict = model.predict(x_test)
print(type(sess).__name__, "over the default graph:", sess.graph is graph)
print("predict vs sess.run: largest difference", np.abs(by_hand - by_predict).max())

# %% [markdown]
# We did not feed the dropout switch; it defaults to "not training", so dropout was off in both — section 3
# explains.
#
# The weights are ordinary variables: `model.get_weights()` is `sess.run(model.weights)`, numpy arrays in the
# order kernel, bias, kernel, bias. With them the model is three lines of numpy (dropout does nothing at
# inference), and they agree with the graph:

# %%
kernel_1, bias_1, kernel_2, bias_2 = model.get_weights()
print("shapes:", [w.shape for w in (kernel_1, bias_1, kernel_2, bias_2)])
print("get_weights()[0] is the variable dense/kernel:", np.array_equal(kernel_1, sess.run(model.weights[0])))
logits = np.maximum(x_test @ kernel_1 + bias_1, 0) @ kernel_2 + bias_2
numpy_probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
numpy_probabilities /= numpy_probabilities.sum(axis=1, keepdims=True)
print("numpy vs predict: largest difference", np.abs(numpy_probabilities - by_predict).max())

# %% [markdown]
# Because the model is graph ops, plain TF1 code can build on it: `tf.argmax(model.output, 1)` is one more op
# on top of the Keras output, run in the same session. (The other way round works too: Keras layers are
# graph builders, so a chapter-7-style program or an Estimator's `model_fn` can call them on its own
# tensors.)

# %%
predicted_class = tf.argmax(model.output, axis=1)
first_ten = sess.run(predicted_class, {model.input: x_test[:10]})
print("tf.argmax on the Keras output:", first_ten, " labels:", y_test[:10])

# %% [markdown]
# ## 3. The learning phase: dropout trains, prediction does not
#
# Dropout must be on while training and off when the model is used. Chapter 7's style would need a boolean
# placeholder, fed by hand in every run. Keras has exactly that, once per graph: the **learning phase**,
# `tf.keras.backend.learning_phase()`, a boolean `placeholder_with_default(False)`. Each layer that behaves
# differently in training (here `Dropout`; also `BatchNormalization`) was built with a `tf.cond` on it — the
# `dropout/cond` op (chapter 6's control flow). `fit` feeds it `True`; `evaluate` and `predict` feed `False`;
# and our own `sess.run` above fed nothing, so it took the default, `False`.
#
# Feeding `True` ourselves shows what training sees. We run the dropout layer's input and output together, and
# the whole model twice:

# %%
phase = tf.keras.backend.learning_phase()
print("learning phase:", phase)
dropout = model.layers[1]
training_feed = {model.input: x_test, phase: True}
hidden_in, hidden_out = sess.run([dropout.input, dropout.output], training_feed)
active = hidden_in > 0                          # ReLU units that fired
dropped = active & (hidden_out == 0)
kept = active & (hidden_out != 0)
dropped_fraction = dropped.sum() / active.sum()
kept_scale = float(np.median(hidden_out[kept] / hidden_in[kept]))
print(f"training mode: {dropped_fraction:.3f} of the active units zeroed; the others multiplied by {kept_scale:.4f}")

train_mode_a = sess.run(model.output, training_feed)
train_mode_b = sess.run(model.output, training_feed)
predict_a, predict_b = model.predict(x_test), model.predict(x_test)
print("two runs in training mode equal:", np.array_equal(train_mode_a, train_mode_b),
      "  two predicts equal:", np.array_equal(predict_a, predict_b))
print(f"test accuracy in training mode {float((train_mode_a.argmax(1) == y_test).mean()):.4f}, "
      f"with predict {float((predict_a.argmax(1) == y_test).mean()):.4f}")

# %% [markdown]
# In training mode about a fifth of the units are zeroed, a new random fifth in every run, and the survivors are
# multiplied by 1/(1 − 0.2) = 1.25 so that the next layer receives, on average, what it will receive at
# inference with every unit on ("inverted dropout"). Inference needs no correction then: `predict` is
# deterministic, and a little more accurate than any single noisy training-mode pass.
#
# (`tf.keras.backend.set_learning_phase(0)` would instead *fix* the phase as a constant for the layers built
# afterwards — what TF1 programs did before exporting a model for serving.)

# %% [markdown]
# ## 4. Two more ways to make a model
#
# `Sequential` covers a chain of layers. For anything else TF 1.x Keras had two more ways, both ending in the
# same `Model` with the same `compile`/`fit`/`evaluate`.
#
# ### The functional API: layers called on tensors
#
# `tf.keras.Input(shape=(64,))` makes the input placeholder (and an `InputLayer`, the model's first layer); calling
# a layer on a tensor returns its output tensor; `tf.keras.Model(inputs, outputs)` collects the layers that lie
# between the two. The intermediate
# results are ordinary tensors with names of their own, and that is the point: a second `Model` can start or end
# anywhere in between. Below, `features` ends at the last hidden layer. It shares that part of the classifier —
# the same layers, the same variables — so once the classifier is trained, `features.predict` gives the 64
# numbers the classifier's last layer reads for each image, with no training of its own and no copy.
#
# A `BatchNormalization` layer sits between the two hidden layers: like dropout it follows the learning phase —
# the batch's statistics in `fit`, its moving averages in `predict` — and the moving averages are
# **non-trainable** weights, updated by `fit` alongside the gradient step (`model.updates`).

# %%
inputs = tf.keras.Input(shape=(64,))
hidden = tf.keras.layers.Dense(64, activation="relu")(inputs)
hidden = tf.keras.layers.BatchNormalization()(hidden)
hidden = tf.keras.layers.Dense(64, activation="relu")(hidden)
outputs = tf.keras.layers.Dense(10, activation="softmax")(hidden)
functional = tf.keras.Model(inputs, outputs)
features = tf.keras.Model(inputs, hidden)           # the same layers, up to the last hidden one
functional.summary()
print("non-trainable:", [v.name for v in functional.non_trainable_weights])
print("updates run by fit:", [u.op.name for u in functional.updates])

functional.compile(optimizer=tf.keras.optimizers.SGD(0.1, momentum=0.9), loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"])
functional.fit(x_train, y_train, epochs=10, verbose=0)
functional_accuracy = functional.evaluate(x_test, y_test, verbose=0)[1]
test_features = features.predict(x_test)
last_kernel, last_bias = functional.layers[-1].get_weights()
from_features = (test_features @ last_kernel + last_bias).argmax(axis=1)
functional_classes = functional.predict(x_test).argmax(axis=1)
print(f"functional model: test accuracy {functional_accuracy:.4f}")
print("features:", test_features.shape, "shared layers:", [layer.name for layer in features.layers],
      " classes from them:", np.array_equal(from_features, functional_classes))

# %% [markdown]
# The names went on counting: `dense_2`, `dense_3`, ... — all the models of this chapter so far live in one
# graph, so a layer's default name must be unique in it. The last Dense layer applied to `features`' output
# picks the same class as the whole model: the two models are one graph.
#
# ### Subclassing `Model`: the forward pass as Python
#
# The third way will look familiar from chapter 7's PyTorch half: subclass `tf.keras.Model`, create the layers
# in `__init__`, and write the forward pass in `call`. Nothing is built when the object is made — there is no
# input shape yet. The first `fit` builds the graph: a placeholder shaped like the data, then `call` on it,
# once. (`call` is *graph construction*: it runs one time, not once per batch as `forward` does in eager mode.)

# %%
class DigitNet(tf.keras.Model):
    """Hidden layer, dropout, classifier: the section-1 MLP written as a class."""

    def __init__(self, hidden_units=64, rate=0.2):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.dropout = tf.keras.layers.Dropout(rate)
        self.classify = tf.keras.layers.Dense(10, activation="softmax")

    def call(self, inputs, training=None):
        return self.classify(self.dropout(self.hidden(inputs)))


subclassed = DigitNet()
built_at_first = subclassed.built
weights_at_first = len(subclassed.weights)
print(f"'{subclassed.name}' before fit: built {built_at_first}, {weights_at_first} weights")
subclassed.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
subclassed.fit(x_train, y_train, epochs=15, verbose=0)
subclassed_accuracy = subclassed.evaluate(x_test, y_test, verbose=0)[1]
print(f"after fit: built {subclassed.built}, input {subclassed.input}; test accuracy {subclassed_accuracy:.4f}")
subclassed.summary()

# %% [markdown]
# The model found its layers among its attributes, in the order they were set. `call` takes a `training`
# argument, as Keras' signature has it, but need not pass it on: each layer that cares reads the learning phase
# by itself. Nothing else differs — the subclassed model builds the same kind of graph as section 1's, only
# later, when the data's shape is known.

# %% [markdown]
# ## 5. A small convolutional network on the 8×8 images
#
# `load_digits_images()` gives the same digits as images, shaped (n, 1, 8, 8): channels first, PyTorch's
# layout. TF's convolutions default to **channels last**, (n, height, width, channels) — `data_format=
# "channels_last"`. With a single channel, moving it last is just a reshape to (n, 8, 8, 1).
#
# The network is chapter 9's idea in Keras: two 3×3 convolutions with 16 and 32 filters (`padding="same"` keeps
# the size), each followed by 2×2 max pooling (8×8 → 4×4 → 2×2), then `Flatten` and the classifier. A
# convolution's kernel holds (height, width, in channels, out channels) numbers — 3·3·1·16 + 16 = 160 for the
# first.

# %%
images_train, _, images_test, _ = load_digits_images()
images_train = images_train.reshape(-1, 8, 8, 1)
images_test = images_test.reshape(-1, 8, 8, 1)
print("channels last:", images_train.shape)

cnn = tf.keras.Sequential([
    tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu", input_shape=(8, 8, 1)),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(10, activation="softmax"),
])
cnn.summary()
cnn.compile(optimizer=tf.keras.optimizers.Adam(0.003), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
cnn.fit(images_train, y_train, epochs=8, verbose=0)
cnn_accuracy = cnn.evaluate(images_test, y_test, verbose=0)[1]
conv_kernel_shape = tuple(cnn.layers[0].weights[0].shape.as_list())
print(f"conv kernel {cnn.layers[0].weights[0].name} {conv_kernel_shape}; CNN test accuracy {cnn_accuracy:.4f}")

# %% [markdown]
# An 8×8 image leaves little room for convolutions to shine; what matters here is that Conv2D, pooling and
# Flatten slot into the same `Sequential`, and that the summary tracks the shapes for you.

# %% [markdown]
# ## 6. Callbacks: watching, stopping, keeping the best
#
# How many epochs? Too few and the model is undertrained; too many and it starts to memorize the training set.
# The usual answer is to hold out some data, score it after every epoch, and stop when that score stops
# improving. `fit` does the first two with `validation_split=0.2` — it keeps the **last** 20% of the arrays
# aside (before any shuffling; our digits come shuffled) and reports `val_loss` and `val_acc` after each
# epoch. The third is a **callback**: an object whose methods `fit` calls at the edges of training, epochs and
# batches, with the numbers of the moment in `logs`.
#
# * `EarlyStopping(monitor="val_loss", patience=4, restore_best_weights=True)` stops once the validation loss
#   has not improved for 4 epochs in a row, and puts back the weights of the best epoch.
# * `ModelCheckpoint(path, save_best_only=True, save_weights_only=True)` writes the weights each time the
#   validation loss improves; `{epoch:02d}` in the path is filled in. (minidl writes weights only: the model
#   itself is your code.)
# * `LambdaCallback(on_epoch_end=...)` turns a function into a callback; ours keeps a copy of every epoch's
#   logs and prints one line in five.
#
# The model: a wider MLP without dropout, with a larger learning rate, so that it learns fast and then stalls;
# `epochs=100` is only a ceiling.

# %%
def build_wide_mlp():
    return tf.keras.Sequential([
        tf.keras.layers.Dense(128, activation="relu", input_shape=(64,)),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])


def report(epoch, logs):
    seen_logs.append(dict(logs))
    if epoch % 5 == 0:
        print(f"epoch {epoch + 1:3}: loss {logs['loss']:.4f}  val_loss {logs['val_loss']:.4f}  "
              f"val_acc {logs['val_acc']:.4f}")


CHECKPOINTS = os.path.join(WORK, "best")  # made by the first save, as Keras does
seen_logs = []
early_stopping = tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=4, restore_best_weights=True,
                                                  verbose=1)
checkpoint = tf.keras.callbacks.ModelCheckpoint(os.path.join(CHECKPOINTS, "weights-{epoch:02d}"),
                                                monitor="val_loss", save_best_only=True, save_weights_only=True)
watcher = tf.keras.callbacks.LambdaCallback(on_epoch_end=report)

wide = build_wide_mlp()
wide.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
             metrics=["accuracy"])
wide_history = wide.fit(x_train, y_train, epochs=100, validation_split=0.2, verbose=0,
                        callbacks=[early_stopping, checkpoint, watcher])

epochs_run = len(wide_history.epoch)
val_losses = np.array(wide_history.history["val_loss"])
train_losses = np.array(wide_history.history["loss"])
best_epoch = int(val_losses.argmin()) + 1            # counted from 1, as the files are
print(f"ran {epochs_run} of 100 epochs; best validation loss {val_losses.min():.4f} at epoch {best_epoch}")

# %% [markdown]
# The restored weights should score the best epoch's validation loss again. The validation samples are the last
# fifth of `x_train`; `evaluate` on them (with nothing trained since) must give `min(val_loss)`:

# %%
split = int(len(x_train) * 0.8)
x_val, y_val = x_train[split:], y_train[split:]
restored_val_loss = wide.evaluate(x_val, y_val, verbose=0)[0]
checkpoint_files = sorted(f for f in os.listdir(CHECKPOINTS) if f.endswith(".index"))
latest = tf.train.latest_checkpoint(CHECKPOINTS)
wide_test_accuracy = wide.evaluate(x_test, y_test, verbose=0)[1]
print(f"val_loss of the restored weights {restored_val_loss:.6f} (history's best {val_losses.min():.6f})")
print(f"{len(checkpoint_files)} checkpoints written, one per improvement; the latest: {os.path.basename(latest)}")
print(f"test accuracy of the restored model {wide_test_accuracy:.4f}")

# %% [markdown]
# ### The picture: loss curves from `History`
#
# `16_keras_loss_curves.png` draws `wide_history.history`, one point per epoch (epoch 1 at the left, the last
# one run at the right):
#
# * **blue**, the training loss `loss`;
# * **orange**, the validation loss `val_loss`;
# * a **grey** vertical line at the best epoch, whose weights `EarlyStopping` put back.
#
# The loss axis is **logarithmic** — from the power of ten just below the smallest loss at the bottom to the one
# just above the largest at the top (the cell prints the range it chose: 0.01 to 1 in our run), with a light grey
# line at each power of ten above the bottom (there, 0.1 and 1) — because the interesting part happens at small
# losses, which a linear axis would squash against the bottom.
#
# Two things to read in it. The training loss keeps falling, by well over a factor of ten (the cell prints the
# factor: some 70 in our run), while the validation loss flattens out: after some epochs the model still
# improves on the data it sees and no longer on data it does not — the moment to stop. And in the first epoch
# the blue point lies *above* the orange one: the training loss of an epoch is the mean over its batches, taken
# while the weights were still poor, while the validation loss is measured at the end of the epoch.
#
# No plotting library: a white array of pixels, lines drawn one pixel at a time, and `encode_png`.

# %%
WIDTH, HEIGHT, MARGIN = 480, 280, 20
BLUE, ORANGE, GREY, LIGHT = (31, 119, 180), (255, 127, 14), (150, 150, 150), (228, 228, 228)


def draw_segment(canvas, start, end, colour, half_width=1):
    """A straight line between two (column, row) points, a square of 2 half_width + 1 pixels at each step."""
    steps = int(max(abs(end[0] - start[0]), abs(end[1] - start[1]))) + 1
    for col, row in zip(np.linspace(start[0], end[0], steps).round().astype(int),
                        np.linspace(start[1], end[1], steps).round().astype(int)):
        canvas[row - half_width:row + half_width + 1, col - half_width:col + half_width + 1] = colour


def loss_chart(curves, marked_epoch, lowest_decade, highest_decade):
    """An (HEIGHT, WIDTH, 3) uint8 picture: each curve (values per epoch, colour) as a polyline with dots, the
    loss on a log scale from 10**lowest_decade (bottom) to 10**highest_decade (top)."""
    canvas = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    n_epochs = len(curves[0][0])

    def col(epoch):                       # epoch counted from 1
        return MARGIN + (epoch - 1) * (WIDTH - 2 * MARGIN) / max(n_epochs - 1, 1)

    def row(loss):
        height = (np.log10(loss) - lowest_decade) / (highest_decade - lowest_decade)
        return HEIGHT - MARGIN - np.clip(height, 0.0, 1.0) * (HEIGHT - 2 * MARGIN)

    for decade in range(lowest_decade + 1, highest_decade + 1):
        canvas[int(round(row(10.0 ** decade))), MARGIN:WIDTH - MARGIN] = LIGHT
    canvas[MARGIN:HEIGHT - MARGIN, int(round(col(marked_epoch)))] = GREY
    canvas[HEIGHT - MARGIN, MARGIN:WIDTH - MARGIN + 1] = 0         # the x axis
    canvas[MARGIN:HEIGHT - MARGIN + 1, MARGIN] = 0                 # the y axis
    for values, colour in curves:
        points = [(col(epoch), row(value)) for epoch, value in enumerate(values, start=1)]
        for start, end in zip(points[:-1], points[1:]):
            draw_segment(canvas, start, end, colour)
        for point in points:
            draw_segment(canvas, point, point, colour, half_width=3)
    return canvas


all_losses = np.concatenate([train_losses, val_losses])
decades = int(np.floor(np.log10(all_losses.min()))), int(np.ceil(np.log10(all_losses.max())))
chart = loss_chart([(train_losses, BLUE), (val_losses, ORANGE)], best_epoch, *decades)
chart_png = os.path.join(OUT, "16_keras_loss_curves.png")
with open(chart_png, "wb") as file:
    file.write(encode_png(chart))
print("wrote", chart_png, chart.shape, os.path.getsize(chart_png), "bytes; loss axis from",
      10.0 ** decades[0], "to", 10.0 ** decades[1])
train_loss_fall = train_losses[0] / train_losses.min()
print(f"training loss from {train_losses[0]:.3f} (epoch 1) down to {train_losses.min():.4f}: a factor of "
      f"{train_loss_fall:.0f}; validation loss never below {val_losses.min():.4f}")

# %% [markdown]
# ## 7. Saving and loading weights
#
# `model.save_weights(path)` writes every weight to a checkpoint — `tf.train.Saver`'s format from chapter 14,
# without the `.meta` graph: the model is your code, and you build it again. The weights are stored by
# **position** (`layer_with_weights-0/kernel`, ...), not by layer name, so they load into any model of the
# same architecture, whatever its layers happen to be called. A compiled model's optimizer goes in too, as in TF
# 1.15: its step count (`optimizer/iter`), its learning rate and each weight's slots (Adam's `m` and `v`, under
# `.OPTIMIZER_SLOT`), so that training resumed from the file goes on exactly where it stopped.
#
# To show that nothing survives but the file, we first throw the whole graph away:
# `tf.keras.backend.clear_session()` closes Keras' session and starts a fresh default graph, and the layer
# names start again at `dense`. (Every model built so far belonged to the old graph: using one afterwards is an
# error — its session and weights are gone —, so we keep only numpy results. The new graph has no seed, so we
# set one again.)

# %%
weights_path = os.path.join(WORK, "mlp_weights")
model.save_weights(weights_path)
saved_names = [name for name, _ in tf.train.list_variables(weights_path)]
print("in the file:", saved_names)

tf.keras.backend.clear_session()
tf.set_random_seed(1)
print("after clear_session:", len(tf.get_default_graph().get_operations()), "operations,",
      len(tf.global_variables()), "variables")

reloaded = build_mlp()
reloaded.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
before_loading = reloaded.predict(x_test)            # fresh random weights
reloaded.load_weights(weights_path)
after_loading = reloaded.predict(x_test)
reloaded_loss, reloaded_accuracy = reloaded.evaluate(x_test, y_test, verbose=0)
print("layers of the new model:", [layer.name for layer in reloaded.layers])
print("predictions before loading match the saved model's:", np.allclose(before_loading, by_predict),
      "  after loading, equal:", np.array_equal(after_loading, by_predict))
print(f"test accuracy after loading {reloaded_accuracy:.4f} (before saving {test_accuracy:.4f})")

# %% [markdown]
# The checkpoints that `ModelCheckpoint` wrote in section 6 are the same kind of file, so the best epoch of
# the wide MLP loads the same way — here into a fresh copy of that architecture, which then scores the best
# validation loss once more.

# %%
wide_again = build_wide_mlp()
wide_again.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
wide_again.load_weights(latest)
wide_again_val_loss = wide_again.evaluate(x_val, y_val, verbose=0)
print(f"{os.path.basename(latest)} in a fresh model: val_loss {wide_again_val_loss:.6f}")

# %% [markdown]
# ## 8. Sentences: words to ids, padding, masks — and one model inside another
#
# Text models start with bookkeeping. `tf.keras.preprocessing.text.Tokenizer` counts the words of the training
# texts and numbers them, the most frequent first, from 1 (0 is kept for padding; `oov_token` gets 1 and stands
# for any word it has not seen). `texts_to_sequences` turns sentences into lists of ids of different lengths,
# and `pad_sequences` makes them one array by putting zeros *in front* (its default).
#
# Padding changes the data: an `LSTM` would read the zeros as words. `Embedding(..., mask_zero=True)` marks id 0
# as padding; the mask travels with the tensor to the `LSTM`, which carries its state over a padded step
# unchanged — so a padded sentence gets exactly the answer it gets on its own. `dropout`/`recurrent_dropout`
# drop inputs and state units while `fit` trains (the same units at every step of a sentence).
#
# The sentences below are made up: a review is positive when it says "good" or "great" more often than "bad" or
# "awful", with filler words between. Last, the trained `encoder` — a model from ids to the LSTM's state — is
# *called like a layer* on a new input: Keras makes its layer calls again on the new tensor, with the same
# weights, which is how models are stacked and shared.

# %%
rng = np.random.default_rng(0)
FILLER = ["the", "movie", "was", "plot", "and", "acting", "really", "quite", "a", "film"]


def review(positive):
    words = list(rng.choice(FILLER, rng.integers(2, 7)))
    words += list(rng.choice(["good", "great"] if positive else ["bad", "awful"], rng.integers(1, 3)))
    rng.shuffle(words)
    return " ".join(words) + "."


review_labels = rng.integers(0, 2, 400)
reviews = [review(bool(label)) for label in review_labels]
tokenizer = tf.keras.preprocessing.text.Tokenizer(oov_token="<unk>")
tokenizer.fit_on_texts(reviews[:300])
ids = tf.keras.preprocessing.sequence.pad_sequences(tokenizer.texts_to_sequences(reviews), maxlen=10)
print(reviews[0], "->", tokenizer.texts_to_sequences(reviews[:1])[0], "->", ids[0])
print("the five most frequent words:", list(tokenizer.word_index.items())[:5])

words_in = tf.keras.Input((None,), dtype="int32")
state = tf.keras.layers.LSTM(16, dropout=0.1, recurrent_dropout=0.1)(
    tf.keras.layers.Embedding(len(tokenizer.word_index) + 1, 8, mask_zero=True)(words_in))
encoder = tf.keras.Model(words_in, state)
sentiment = tf.keras.Sequential([encoder, tf.keras.layers.Dense(1, activation="sigmoid")])
sentiment.compile(tf.keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
sentiment.fit(ids[:300], review_labels[:300], epochs=15, batch_size=32, verbose=0)
sentiment_accuracy = sentiment.evaluate(ids[300:], review_labels[300:], verbose=0)[1]
print(f"sentiment: test accuracy {sentiment_accuracy:.4f}")

one = tokenizer.texts_to_sequences(["a great film and really good acting."])
alone, padded = (sentiment.predict(np.array(x)) for x in (one, tf.keras.preprocessing.sequence.pad_sequences(one, 12)))
print(f"one review on its own {alone[0, 0]:.6f}, padded to 12 steps {padded[0, 0]:.6f}")

other_words = tf.keras.Input((None,), dtype="int32")
reused_state = encoder(other_words)  # the encoder's layer calls made again on a new input: the same weights
sess = tf.keras.backend.get_session()
reused = sess.run(reused_state, {other_words: ids[300:305]})
print("the encoder called on a new input gives its own answers:", np.allclose(reused, encoder.predict(ids[300:305])))

# %% [markdown]
# ## Summary
#
# * `tf.keras.Sequential([...layers...])`, `compile(optimizer, loss, metrics)`, `fit(x, y, epochs, batch_size)`,
#   `evaluate`, `predict`: the whole training program in five calls, on numpy arrays.
# * Underneath it is TF1 graph mode: building the model adds a placeholder (`model.input`), variables named
#   after the layers (`tf.global_variables()`) and the ops up to `model.output`; `compile` and the first `fit`
#   add the loss, the metrics and the optimizer's update op and slots. Everything runs with `Session.run` in
#   `tf.keras.backend.get_session()`, and `predict(x)` is `sess.run(model.output, {model.input: x})`.
# * The **learning phase** is a boolean placeholder, default False, that `fit` feeds True: `Dropout` and
#   `BatchNormalization` switch on it through a `tf.cond`. `predict` and `evaluate` are deterministic.
# * Three ways to make a model — `Sequential`, the functional API (`Input`, layers called on tensors,
#   `Model(inputs, outputs)`, several models over the same layers) and subclassing (`__init__` + `call`, built
#   at the first `fit`) — with one `compile`/`fit`/`evaluate`.
# * Callbacks hook into `fit`: `validation_split` plus `EarlyStopping` decides when to stop,
#   `ModelCheckpoint` keeps the best weights on disk, `LambdaCallback` runs your code; `fit` returns the
#   `History` of every reported number.
# * `save_weights`/`load_weights` write and read a checkpoint by position; `clear_session()` starts a fresh
#   graph (and a graph seed must then be set again).
# * Text: `Tokenizer` numbers words, `pad_sequences` pads in front, `Embedding(mask_zero=True)` makes recurrent
#   layers step over the padding; a model is called like a layer on new tensors, sharing its weights.
#
# ## Checks

# %%
# section 1: the beginner program learns the digits
assert test_accuracy >= 0.9, test_accuracy
assert history.epoch == list(range(15)) and set(history.history) == {"loss", "acc"}
assert history.history["loss"][-1] < history.history["loss"][0]
assert abs(float((probabilities.argmax(axis=1) == y_test).mean()) - test_accuracy) < 1e-6  # (kept in float32)
assert model.count_params() == 64 * 64 + 64 + 64 * 10 + 10

# section 2: the model is graph ops and variables; predict is sess.run of the output
assert variables_before_compile == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0", "dense_1/bias:0"]
assert any(name.endswith("/Adam:0") for name in variables_after_fit) and len(variables_after_fit) > 4
assert model.output.op.type == "Softmax" and model.input.op.type == "Placeholder"
assert np.allclose(by_predict, by_hand, rtol=0, atol=1e-6)
assert np.array_equal(by_predict.argmax(axis=1), by_hand.argmax(axis=1))
assert np.allclose(numpy_probabilities, by_predict, atol=1e-5)
assert np.array_equal(first_ten, by_predict[:10].argmax(axis=1))

# section 3: dropout acts in training mode only; predict is deterministic
assert np.array_equal(predict_a, predict_b) and np.array_equal(predict_a, by_predict)
assert not np.array_equal(train_mode_a, train_mode_b)
assert 0.15 < dropped_fraction < 0.25 and abs(kept_scale - 1.25) < 1e-4

# section 4: the functional and the subclassed models
assert [type(layer).__name__ for layer in functional.layers] == ["InputLayer", "Dense", "BatchNormalization",
                                                                 "Dense", "Dense"]
assert features.layers == functional.layers[:-1] and test_features.shape == (len(x_test), 64)
assert np.array_equal(from_features, functional_classes)
assert len(functional.non_trainable_weights) == 2 and len(functional.updates) == 2
assert functional_accuracy >= 0.9 and subclassed_accuracy >= 0.9
assert not built_at_first and weights_at_first == 0 and subclassed.built and len(subclassed.weights) == 4

# section 5: the CNN
assert conv_kernel_shape == (3, 3, 1, 16) and cnn.count_params() == 160 + 4640 + 128 * 10 + 10
assert cnn_accuracy >= 0.9

# section 6: early stopping stopped early, restored the best epoch, which the last checkpoint holds
assert epochs_run < 100 and early_stopping.stopped_epoch == epochs_run - 1
assert epochs_run == best_epoch + early_stopping.patience
assert abs(restored_val_loss - val_losses.min()) < 1e-5
assert os.path.basename(latest) == f"weights-{best_epoch:02d}" and len(checkpoint_files) >= 2
assert [logs["val_loss"] for logs in seen_logs] == wide_history.history["val_loss"]
assert set(wide_history.history) == {"loss", "acc", "val_loss", "val_acc"}
assert wide_test_accuracy >= 0.9

# the picture, and what its text says: the training loss falls more than tenfold, from above the validation loss
with open(chart_png, "rb") as file:
    png = file.read()
assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (WIDTH, HEIGHT)
assert train_loss_fall > 10 and train_losses[0] > val_losses[0]

# section 7: the weights come back, by position, into a model of a fresh graph
weight_names = [f"layer_with_weights-{i}/{kind}" for i in (0, 1) for kind in ("bias", "kernel")]
assert saved_names == sorted(weight_names + [f"{name}/.OPTIMIZER_SLOT/optimizer/{slot}" for name in weight_names
                                             for slot in "mv"] + ["optimizer/iter", "optimizer/learning_rate"])
assert [layer.name for layer in reloaded.layers] == ["dense", "dropout", "dense_1"]
assert not np.allclose(before_loading, by_predict)
assert np.array_equal(after_loading, by_predict)
assert reloaded_accuracy == test_accuracy and abs(reloaded_loss - test_loss) < 1e-9
assert abs(wide_again_val_loss - val_losses.min()) < 1e-5

# section 8: words to ids, masked padding, a model reused as a layer
assert tokenizer.word_index["<unk>"] == 1 and ids.shape == (400, 10) and (ids[:, 0] == 0).any()
assert sentiment_accuracy >= 0.9, sentiment_accuracy
assert abs(alone[0, 0] - padded[0, 0]) < 1e-5
assert np.allclose(reused, encoder.predict(ids[300:305]), atol=1e-6)

shutil.rmtree(WORK)
print("chapter 16: all checks passed")
