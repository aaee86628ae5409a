"""``tf.contrib.slim``: one short namespace over contrib's layers, ``arg_scope`` and variables helpers, plus
``repeat``/``stack``, its losses, its training loop and its evaluation — the way TF 1's model zoo (VGG, Inception,
ResNet in ``slim.nets``) was written::

    slim = tf.contrib.slim
    with slim.arg_scope([slim.conv2d, slim.fully_connected], weights_regularizer=slim.l2_regularizer(5e-4)):
        net = slim.repeat(images, 2, slim.conv2d, 64, [3, 3], scope="conv1")  # conv1/conv1_1, conv1/conv1_2
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        net = slim.stack(slim.flatten(net), slim.fully_connected, [128, 64], scope="fc")  # fc/fc_1, fc/fc_2
        logits = slim.fully_connected(net, 10, activation_fn=None, scope="logits")
    slim.losses.softmax_cross_entropy(logits, onehot_labels)
    train_op = slim.learning.create_train_op(slim.losses.get_total_loss(), tf.train.GradientDescentOptimizer(.1))
    sess.run(train_op)  # one step; gives the loss, as computed before the step's update

The layers are those of ``tf.contrib.layers`` (contrib.py), the variables helpers and ``arg_scope`` those of
``tf.contrib.framework`` (contrib_framework.py). ``slim.losses`` is TF's old ``tf.contrib.losses``: the same
functions as ``tf.losses``, but **logits or predictions come first** (``softmax_cross_entropy(logits,
onehot_labels)``, ``mean_squared_error(predictions, labels)``), as slim's programs call them.

The other parts: ``slim.learning`` (``create_train_op`` and the ``train`` loop, contrib_slim_learning.py),
``slim.evaluation`` (``evaluate_once``, ``evaluation_loop``: contrib_slim_evaluation.py), ``slim.metrics`` (that
is ``tf.contrib.metrics``, contrib_metrics.py) and ``slim.prefetch_queue.prefetch_queue`` (below).
"""
import types

from ..backend import dtypes
from . import contrib_slim_evaluation, contrib_slim_learning, summary
from . import losses as tf_losses
from .array_ops import one_hot
from .basics import name_scope
from .contrib import _collect, l1_regularizer, l2_regularizer, layers, metrics, variance_scaling_initializer
from .contrib import xavier_initializer
from .contrib_checkpoint_assign import assign_from_checkpoint, assign_from_checkpoint_fn
from .contrib_framework import (add_arg_scope, arg_scope, arg_scoped_arguments, current_arg_scope, get_model_variables,
                                get_trainable_variables, get_variables, get_variables_to_restore, has_arg_scope,
                                model_variable, variable)
from .frontend import convert_to_tensor
from .math_ops import cast
from .queues import FIFOQueue, PaddingFIFOQueue
from .train.queue_runner import QueueRunner, add_queue_runner
from .variable_scope import variable_scope


def _layer_name(layer):
    """The name ``repeat``/``stack`` give the scopes of their layers: the function's (``conv2d``), also through a
    ``functools.partial``."""
    return getattr(layer, "__name__", None) or getattr(getattr(layer, "func", None), "__name__", None)


def repeat(inputs, repetitions, layer, *args, **kwargs):
    """``layer(layer(... layer(inputs, *args, **kwargs)))``, ``repetitions`` times, in the variable scope
    ``scope`` (a keyword argument; default "Repeat", made unique), the n-th call in the scope ``<scope>_<n>``
    (or ``<layer's name>_<n>`` without ``scope``): ``repeat(x, 2, conv2d, 64, [3, 3], scope="conv1")`` makes
    ``conv1/conv1_1/weights`` and ``conv1/conv1_2/weights``."""
    scope = kwargs.pop("scope", None)
    with variable_scope(scope, default_name="Repeat", values=[inputs]):
        outputs = convert_to_tensor(inputs)
        prefix = scope or _layer_name(layer) or "repeat"
        for i in range(repetitions):
            outputs = layer(outputs, *args, **kwargs, scope=f"{prefix}_{i + 1}")
        return outputs


def stack(inputs, layer, stack_args, **kwargs):
    """``layer`` applied once per entry of ``stack_args`` (a list), each output the next call's input, the n-th
    with the arguments ``stack_args[n]`` (one value or a tuple of them) and ``kwargs``; scopes as ``repeat``'s
    (default "Stack"): ``stack(x, fully_connected, [32, 64], scope="fc")`` makes ``fc/fc_1`` (32 outputs) and
    ``fc/fc_2`` (64)."""
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    with variable_scope(scope, default_name="Stack", values=[inputs]):
        outputs = convert_to_tensor(inputs)
        prefix = scope or _layer_name(layer) or "stack"
        for i, layer_args in enumerate(stack_args):
            layer_args = layer_args if isinstance(layer_args, (list, tuple)) else [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs, scope=f"{prefix}_{i + 1}")
        return outputs


@add_arg_scope
def one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0, outputs_collections=None, scope=None):
    """``tf.one_hot(labels, num_classes)`` (float32 with the default values) in the name scope ``scope``
    (default "OneHotEncoding")."""
    with name_scope(scope, "OneHotEncoding", [labels]):
        return _collect(outputs_collections, one_hot(labels, num_classes, on_value=on_value, off_value=off_value))


# ==================================================================================================== losses
# tf.contrib.losses: tf.losses with the logits/predictions first

def softmax_cross_entropy(logits, onehot_labels, weights=1.0, label_smoothing=0, scope=None):
    """``tf.losses.softmax_cross_entropy(onehot_labels, logits, ...)``: the mean over the batch, added to
    LOSSES."""
    return tf_losses.softmax_cross_entropy(onehot_labels, logits, weights, label_smoothing, scope)


def sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None):
    """``tf.losses.sparse_softmax_cross_entropy(labels, logits, ...)``: labels are class indices."""
    return tf_losses.sparse_softmax_cross_entropy(labels, logits, weights, scope)


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """``tf.losses.mean_squared_error(labels, predictions, ...)``."""
    return tf_losses.mean_squared_error(labels, predictions, weights, scope)


losses = types.SimpleNamespace(
    softmax_cross_entropy=softmax_cross_entropy, sparse_softmax_cross_entropy=sparse_softmax_cross_entropy,
    mean_squared_error=mean_squared_error, add_loss=tf_losses.add_loss, get_losses=tf_losses.get_losses,
    get_regularization_losses=tf_losses.get_regularization_losses, get_total_loss=tf_losses.get_total_loss)


# ============================================================================================ prefetch_queue

def prefetch_queue(tensors, capacity=8, num_threads=1, dynamic_pad=False, shared_name=None, name=None):
    """A FIFO queue of ``capacity`` elements that a queue runner (``num_threads`` threads) fills with runs of
    ``tensors`` (a list, or a dict: the queue then has their names, sorted, and ``dequeue()`` gives a dict), so
    that the training step dequeues a batch assembled beforehand instead of waiting for it::

        images, labels = tf.train.batch([image, label], batch_size=32)
        images, labels = slim.prefetch_queue.prefetch_queue([images, labels]).dequeue()

    The element shapes are those of ``tensors`` and must be fully defined, unless ``dynamic_pad`` (a
    ``PaddingFIFOQueue``). How full the queue is goes to the summary ``<scope>/fraction_of_<capacity>_full``."""
    if isinstance(tensors, dict):
        names = sorted(tensors)
        tensor_list = [tensors[n] for n in names]
    else:
        names, tensor_list = None, tensors
    with name_scope(name, "prefetch_queue", tensor_list):
        tensor_list = [convert_to_tensor(t) for t in tensor_list]
        queue_class = PaddingFIFOQueue if dynamic_pad else FIFOQueue
        queue = queue_class(capacity, [t.dtype for t in tensor_list], shapes=[t.shape for t in tensor_list],
                            names=names, shared_name=shared_name)
        enqueue_op = queue.enqueue(dict(zip(names, tensor_list)) if names is not None else tensor_list)
        add_queue_runner(QueueRunner(queue, [enqueue_op] * num_threads))
        summary.scalar(f"fraction_of_{capacity}_full", cast(queue.size(), dtypes.float32) * (1. / capacity))
        return queue


# slim re-exports all of tf.contrib.layers (its layers, initializers, regularizers, optimize_loss), as TF's does
slim = types.SimpleNamespace(**vars(layers))
vars(slim).update(
    arg_scope=arg_scope, add_arg_scope=add_arg_scope, current_arg_scope=current_arg_scope,
    has_arg_scope=has_arg_scope, arg_scoped_arguments=arg_scoped_arguments, repeat=repeat, stack=stack,
    one_hot_encoding=one_hot_encoding, l1_regularizer=l1_regularizer, l2_regularizer=l2_regularizer,
    xavier_initializer=xavier_initializer, variance_scaling_initializer=variance_scaling_initializer,
    variable=variable, model_variable=model_variable, get_variables=get_variables,
    get_model_variables=get_model_variables, get_trainable_variables=get_trainable_variables,
    get_variables_to_restore=get_variables_to_restore, assign_from_checkpoint=assign_from_checkpoint,
    assign_from_checkpoint_fn=assign_from_checkpoint_fn, losses=losses,
    learning=types.SimpleNamespace(**{name: getattr(contrib_slim_learning, name)
                                      for name in contrib_slim_learning.__all__}),
    evaluation=types.SimpleNamespace(**{name: getattr(contrib_slim_evaluation, name)
                                        for name in contrib_slim_evaluation.__all__}),
    metrics=metrics,  # tf.contrib.metrics: the streaming_* metrics and aggregate_metric_map
    prefetch_queue=types.SimpleNamespace(prefetch_queue=prefetch_queue))
layers.repeat, layers.stack = repeat, stack  # tf.contrib.layers has them too
