"""``tf.keras.models.clone_model``: the same architecture with new layers, hence new weights (the clone starts
from fresh initial values; ``clone.set_weights(model.get_weights())`` copies them over)::

    twin = tf.keras.models.clone_model(model)                 # a Sequential or a functional model
    twin = tf.keras.models.clone_model(model, input_tensors=[tf.keras.Input((28, 28))])

Each layer is copied by ``clone_function`` — by default ``layer.__class__.from_config(layer.get_config())``, a
layer of the same configuration — once, however often the model calls it, so that a shared layer stays shared in
the clone. A Sequential model's clone is the Sequential of the copies; a functional model's makes the model's layer
calls again (``functional.replay``) with the copies, from new ``Input``s (or ``input_tensors``). A subclassed
model's architecture is its code: it cannot be cloned, as in TF.
"""
from .functional import replay
from .layers import Input, InputLayer
from .training import Model, Sequential


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """A model of ``model``'s architecture with new layers (``clone_function(layer)``, default: a layer made from
    the layer's config) — new weights. ``input_tensors``: the tensors the clone starts from (``Input`` tensors, or
    other tensors, which are given an input layer), instead of new ``Input``s."""
    clone_function = clone_function or _clone_layer
    inputs = None if input_tensors is None else \
        [_keras_input(t) for t in (input_tensors if isinstance(input_tensors, (list, tuple)) else [input_tensors])]
    if isinstance(model, Sequential):
        if inputs is not None and len(inputs) != 1:
            raise ValueError("To clone a `Sequential` model, we expect at most one tensor as part of "
                             "`input_tensors`.")
        layers = [clone_function(layer) for layer in model.layers]
        if inputs is not None:
            layers.insert(0, inputs[0]._keras_layer)
        elif model._batch_input_shape is not None and not getattr(layers[0], "batch_input_shape", None):
            layers.insert(0, InputLayer(batch_input_shape=model._batch_input_shape))  # (an InputLayer started it)
        return Sequential(layers, name=model.name)
    if type(model).call is not Model.call or model.inputs is None:
        raise ValueError(f"Expected `model` argument to be a functional `Model` instance, but got a subclass model "
                         f"instead ({type(model).__name__}): its architecture is its code")
    if inputs is None:
        inputs = [Input(batch_shape=t.shape.as_list(), dtype=t.dtype, name=t._keras_layer.name)
                  for t in model.inputs]
    elif len(inputs) != len(model.inputs):
        raise ValueError(f"clone_model: model {model.name} has {len(model.inputs)} input(s), input_tensors gives "
                         f"{len(inputs)}")
    copies = {}  # id(layer) -> its copy: a shared layer is copied once

    def copy_of(layer):
        if id(layer) not in copies:
            copies[id(layer)] = clone_function(layer)
        return copies[id(layer)]
    return Model(inputs, replay(model.inputs, model.outputs, inputs, layer_for=copy_of), name=model.name)


def _keras_input(tensor):
    """``tensor`` with an input layer: an ``Input`` tensor as it is, a plain tensor given one (TF's
    ``Input(tensor=...)``), so that a model can start from it."""
    made_by = getattr(tensor, "_keras_layer", None)
    if made_by is not None and not isinstance(made_by, InputLayer):
        raise ValueError(f"clone_model: input tensor {tensor.name} comes from layer {made_by.name}, not from an "
                         f"Input: a clone starts from Input tensors (or plain tensors)")
    if made_by is None:
        layer = InputLayer(batch_input_shape=tuple(tensor.shape.as_list()), dtype=tensor.dtype,
                           name=f"input_wrapper_for_{tensor.op.name}")
        layer(tensor)
        tensor._keras_layer = layer
    return tensor
