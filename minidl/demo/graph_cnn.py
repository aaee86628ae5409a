"""The CNN trained the TensorFlow 1 way: ``import minidl.graph as tf`` and write a TF1 program.

What it shows — the same network as ``eager_cnn``, but in two phases instead of one:

1. **Build a graph, once.** ``tf.placeholder`` stands for the data that will be fed later (``None``: any batch
   size); ``tf.layers.conv2d`` / ``max_pooling2d`` / ``dense`` create variables and add ops to the graph;
   ``tf.losses.sparse_softmax_cross_entropy`` adds the loss; ``optimizer.minimize(loss)`` adds the *gradient*
   ops (the same VJPs eager mode runs, here as new graph nodes) and the update ops, and returns one op that does
   a whole training step. Nothing is computed while building: every call returns a symbolic ``Tensor``.
2. **Run it in a Session.** ``sess.run(init)`` gives the variables their initial values (they live in the
   session, not in the graph); then every step is one ``sess.run([train_op, loss, correct], feed_dict=...)``
   that feeds a numpy batch into the placeholders, runs only the part of the graph those fetches need, and
   returns numpy values.

TF's conventions differ from PyTorch's, so the shared initial weights are converted (``to_tf_layout``):
images are NHWC (batch, height, width, channels), a conv kernel is (kh, kw, in, out), a dense kernel is
(in, out) and multiplies from the right (``x @ kernel``), and ``flatten`` of an NHWC activation walks
(row, column, channel) where PyTorch's walks (channel, row, column) — so the rows of the dense kernel are
permuted too. With that, the graph computes exactly the function the eager model computes.

The batches are fed from a numpy shuffle, as TF1 programs usually did: a ``PCG64`` generator seeded with
``--seed`` — the very generator ``minidl.eager.Generator().manual_seed(seed)`` wraps, so both programs see the
same batches in the same order.

Checkpoints: ``tf.train.Saver().save(sess, prefix)`` writes every variable (also the optimizer's momentum
slots); restoring into a freshly built graph in a new session must give the same predictions.
"""
import os
import time

import numpy

import minidl.graph as tf

from . import common
from .report import ProgressBar


def to_tf_layout(weights):
    """The shared initial weights (PyTorch layouts, ``common.initial_weights``) in TF's layouts and names."""
    side = common.IMAGE_SIZE // 4  # the activation entering the dense layer is side x side x CONV2_CHANNELS
    fc = weights["fc.weight"].reshape(common.N_CLASSES, common.CONV2_CHANNELS, side, side)  # (out, c, h, w)
    return {
        "conv1/kernel": weights["conv1.weight"].transpose(2, 3, 1, 0),  # (out, in, kh, kw) -> (kh, kw, in, out)
        "conv1/bias": weights["conv1.bias"],
        "conv2/kernel": weights["conv2.weight"].transpose(2, 3, 1, 0),
        "conv2/bias": weights["conv2.bias"],
        "fc/kernel": fc.transpose(2, 3, 1, 0).reshape(common.FLAT_FEATURES, common.N_CLASSES),  # (h, w, c) x out
        "fc/bias": weights["fc.bias"],
    }


def build_model(images, weights=None):
    """Add the CNN to the default graph; return its logits. ``images``: (batch, 8, 8, 1) float32.

    ``weights`` (from ``to_tf_layout``) become the variables' initializers; without it the layers use their
    own defaults (Glorot-uniform kernels, zero biases) — as when a model is built only to restore a checkpoint.
    """
    def initializers(layer):
        if weights is None:
            return {}
        return {"kernel_initializer": tf.constant_initializer(weights[f"{layer}/kernel"]),
                "bias_initializer": tf.constant_initializer(weights[f"{layer}/bias"])}

    x = tf.layers.conv2d(images, common.CONV1_CHANNELS, common.KERNEL_SIZE, padding="same",
                         activation=tf.nn.relu, name="conv1", **initializers("conv1"))   # (batch, 8, 8, 16)
    x = tf.layers.max_pooling2d(x, pool_size=2, strides=2, name="pool1")                 # (batch, 4, 4, 16)
    x = tf.layers.conv2d(x, common.CONV2_CHANNELS, common.KERNEL_SIZE, padding="same",
                         activation=tf.nn.relu, name="conv2", **initializers("conv2"))   # (batch, 4, 4, 32)
    x = tf.layers.max_pooling2d(x, pool_size=2, strides=2, name="pool2")                 # (batch, 2, 2, 32)
    x = tf.layers.flatten(x)                                                             # (batch, 128)
    return tf.layers.dense(x, common.N_CLASSES, name="fc", **initializers("fc"))         # (batch, 10)


def to_nhwc(images):
    """(n, 1, 8, 8) NCHW arrays -> (n, 8, 8, 1) NHWC, contiguous."""
    return numpy.ascontiguousarray(images.transpose(0, 2, 3, 1))


def session_config(device):
    """A session takes the GPU whenever there is one, as TensorFlow's did; ``device_count={"GPU": 0}`` keeps it on
    the CPU (the TF1 idiom), so ``--device`` decides for both programs."""
    return tf.ConfigProto(device_count={"GPU": 0 if device == "cpu" else 1})


def train(sess, nodes, x_train, y_train, config, step_losses=None):
    """The canonical feed_dict loop; returns one summary dict per epoch (loss, accuracy, seconds, samples/s).

    ``nodes`` names the graph's placeholders and the tensors a step fetches; ``step_losses``, if given, is a list
    that receives every step's loss (the tests compare them).
    """
    rng = numpy.random.Generator(numpy.random.PCG64(config.seed))
    n = len(x_train)
    history = []
    for epoch in range(1, config.epochs + 1):
        bar = ProgressBar(f"graph epoch {epoch:2d}/{config.epochs}", n)
        rng.integers(0, 2 ** 62)    # (what each pass of eager's DataLoader draws first: its workers' base seed)
        order = rng.permutation(n)  # a new batch order every epoch
        for start in range(0, n, config.batch_size):
            batch = order[start:start + config.batch_size]
            _, loss, correct = sess.run([nodes["train_op"], nodes["loss"], nodes["correct"]],
                                        feed_dict={nodes["images"]: x_train[batch], nodes["labels"]: y_train[batch]})
            bar.update(len(batch), float(loss), int(correct))
            if step_losses is not None:
                step_losses.append(float(loss))
        history.append(bar.close())
    return history


def run(config, checkpoint_dir):
    """Build, train from ``common.initial_weights(config.seed)``, test, save, restore into a new graph and compare;
    return the results."""
    setup_start = time.perf_counter()
    x_train, y_train, x_test, y_test = common.load_data()
    x_train, x_test = to_nhwc(x_train), to_nhwc(x_test)
    size = common.IMAGE_SIZE

    # --- phase 1: build the graph -------------------------------------------------------------------------------
    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, [None, size, size, 1], name="images")
        labels = tf.placeholder(tf.int64, [None], name="labels")
        logits = build_model(images, to_tf_layout(common.initial_weights(config.seed)))
        loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, axis=1), labels), tf.int32))
        optimizer = tf.train.MomentumOptimizer(config.learning_rate, config.momentum)
        train_op = optimizer.minimize(loss)
        init = tf.global_variables_initializer()
        saver = tf.train.Saver()
        parameters = sum(int(numpy.prod(v.shape.as_list())) for v in tf.trainable_variables())
    nodes = {"images": images, "labels": labels, "loss": loss, "correct": correct, "train_op": train_op}

    # --- phase 2: run it ----------------------------------------------------------------------------------------
    with tf.Session(graph=graph, config=session_config(config.device)) as sess:
        sess.run(init)
        setup_seconds = time.perf_counter() - setup_start
        step_losses = []
        history = train(sess, nodes, x_train, y_train, config, step_losses)
        test_logits = sess.run(logits, feed_dict={images: x_test})
        prefix = saver.save(sess, os.path.join(checkpoint_dir, "graph_cnn.ckpt"))
    accuracy = float((test_logits.argmax(axis=1) == y_test).mean())

    # --- restore into a new graph and a new session, and compare predictions ------------------------------------
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, size, size, 1], name="images")
        logits = build_model(images)
        with tf.Session(config=session_config(config.device)) as sess:
            tf.train.Saver().restore(sess, prefix)  # restoring also initializes the restored variables
            reload_ok = common.predictions_agree(sess.run(logits, feed_dict={images: x_test}), test_logits)

    return common.summary(history, len(x_train), accuracy=accuracy, setup_seconds=setup_seconds,
                          parameters=parameters, step_losses=step_losses, test_logits=test_logits,
                          reload_ok=reload_ok, checkpoint=prefix)
