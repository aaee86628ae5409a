"""``tf.contrib.slim``: one short namespace over contrib's layers, ``arg_scope`` and variables helpers, plus
``repeat``/``stack``, its losses and ``learning.create_train_op`` — the way TF 1's model zoo (VGG, Inception,
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
``slim.learning.train`` (a whole training loop with a Supervisor) is not provided: run ``create_train_op``'s
tensor in a ``tf.train.MonitoredTrainingSession`` or a plain session loop.
"""
import types

from . import losses as tf_losses
from .array_ops import one_hot
from .basics import control_dependencies, identity, name_scope, no_op
from .check_ops import check_numerics as check_numerics_op
from .clip_ops import clip_by_norm
from .contrib import _collect, l1_regularizer, l2_regularizer, layers, variance_scaling_initializer
from .contrib import xavier_initializer
from .contrib_checkpoint_assign import assign_from_checkpoint, assign_from_checkpoint_fn
from .contrib_framework import (add_arg_scope, arg_scope, arg_scoped_arguments, current_arg_scope, get_model_variables,
                                get_trainable_variables, get_variables, get_variables_to_restore, has_arg_scope,
                                model_variable, variable)
from .core import GraphKeys, get_default_graph
from .frontend import convert_to_tensor
from .train.schedules import get_or_create_global_step
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


# ================================================================================================== learning

def clip_gradient_norms(gradients_to_variables, max_norm):
    """The (gradient, variable) pairs with each gradient clipped to the norm ``max_norm`` on its own
    (``tf.clip_by_norm``; not ``tf.clip_by_global_norm``, which scales all of them together)."""
    return [(None if grad is None else clip_by_norm(grad, max_norm), var) for grad, var in gradients_to_variables]


_USE_GLOBAL_STEP = object()  # create_train_op's default: the graph's global step, created if missing


def create_train_op(total_loss, optimizer, global_step=_USE_GLOBAL_STEP, update_ops=None, variables_to_train=None,
                    clip_gradient_norm=0, gate_gradients=1, aggregation_method=None, check_numerics=True):
    """One training step as a tensor: running it runs ``update_ops`` (default: UPDATE_OPS, batch norm's moving
    averages), computes the gradients of ``total_loss`` for ``variables_to_train`` (default: the trainable
    variables), clips each to the norm ``clip_gradient_norm`` if above 0, applies them with ``optimizer`` and
    increments ``global_step`` (default: the graph's, created if missing; None: none) — and gives ``total_loss``
    as computed in that run, that is **before** the update (the forward pass the gradients came from).

    With ``check_numerics`` a loss that is inf or NaN fails the run. TF's ``summarize_gradients``,
    ``gradient_multipliers`` and ``colocate_gradients_with_ops`` are not supported."""
    if global_step is _USE_GLOBAL_STEP:
        global_step = get_or_create_global_step()
    graph = get_default_graph()
    # the update ops run before the loss (so before the gradients too): a train step without them would
    # leave batch norm's moving averages at their initial values
    update_ops = list(dict.fromkeys(graph.get_collection(GraphKeys.UPDATE_OPS) if update_ops is None else update_ops))
    if update_ops:
        with control_dependencies(update_ops):
            barrier = no_op(name="update_barrier")
        with control_dependencies([barrier]):
            total_loss = identity(total_loss)
    grads = optimizer.compute_gradients(total_loss, variables_to_train, gate_gradients=gate_gradients,
                                        aggregation_method=aggregation_method)
    if clip_gradient_norm > 0:
        with name_scope("clip_grads"):
            grads = clip_gradient_norms(grads, clip_gradient_norm)
    grad_updates = optimizer.apply_gradients(grads, global_step=global_step)
    with name_scope("train_op"):
        if check_numerics:
            total_loss = check_numerics_op(total_loss, "LossTensor is inf or nan")
        # the loss, read only once the update ran: running train_op runs the whole step
        with control_dependencies([grad_updates]):
            train_op = identity(total_loss, name="control_dependency")
    graph.add_to_collection(GraphKeys.TRAIN_OP, train_op)
    return train_op


learning = types.SimpleNamespace(create_train_op=create_train_op, clip_gradient_norms=clip_gradient_norms)

slim = types.SimpleNamespace(
    arg_scope=arg_scope, add_arg_scope=add_arg_scope, current_arg_scope=current_arg_scope,
    has_arg_scope=has_arg_scope, arg_scoped_arguments=arg_scoped_arguments,
    conv2d=layers.conv2d, convolution2d=layers.convolution2d, fully_connected=layers.fully_connected,
    max_pool2d=layers.max_pool2d, avg_pool2d=layers.avg_pool2d, dropout=layers.dropout,
    batch_norm=layers.batch_norm, flatten=layers.flatten, repeat=repeat, stack=stack,
    one_hot_encoding=one_hot_encoding, l1_regularizer=l1_regularizer, l2_regularizer=l2_regularizer,
    xavier_initializer=xavier_initializer, variance_scaling_initializer=variance_scaling_initializer,
    variable=variable, model_variable=model_variable, get_variables=get_variables,
    get_model_variables=get_model_variables, get_trainable_variables=get_trainable_variables,
    get_variables_to_restore=get_variables_to_restore, assign_from_checkpoint=assign_from_checkpoint,
    assign_from_checkpoint_fn=assign_from_checkpoint_fn, losses=losses, learning=learning)
layers.repeat, layers.stack = repeat, stack  # tf.contrib.layers has them too
