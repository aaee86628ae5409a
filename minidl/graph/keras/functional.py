"""Calling a functional model on new tensors: its layer calls, made again.

``Model(inputs, outputs)`` holds no program of its own: it is the record of the layer calls that lead from its
inputs to its outputs. Every tensor a layer makes remembers the call that made it (``LayerCall``: the layer, what it
took, its keyword arguments, all that it returned). Calling the model on other tensors::

    encoder = Model(images, Dense(32, activation="relu")(images))
    codes = encoder(other_images)                 # the same Dense, on other_images
    left, right = base(image_a), base(image_b)    # a siamese net: one model, its weights shared

walks back from the outputs to the inputs and makes each call again, on the new tensors. The layers keep their
variables (a layer called a second time reuses them), so the new outputs share the model's weights, as in Keras.
A tensor made by a plain op between layers (``x + 1`` on a layer's output) has no call to replay: such
computations belong in a ``Lambda`` layer.

The same record serves the model's configuration (``model_config.py``: each layer's calls are its "inbound nodes")
and ``clone_model``, which makes the calls again with a copy of each layer.
"""
import itertools

_numbers = itertools.count()  # numbers the calls in the order they were made


class LayerCall:
    """One call of a layer (or of a model used as one): ``inputs`` (a tensor or a list of them), ``kwargs`` as the
    caller gave them, ``outputs`` (a tensor or a list) as the call returned them, and its ``number`` (calls made
    later have larger ones)."""
    __slots__ = ("layer", "inputs", "kwargs", "outputs", "number")

    def __init__(self, layer, inputs, kwargs, outputs):
        self.layer, self.inputs, self.kwargs, self.outputs = layer, inputs, kwargs, outputs
        self.number = next(_numbers)


def record_call(layer, inputs, kwargs, outputs):
    """Mark each tensor ``layer`` returned with the layer and the call (a tensor passed through unchanged keeps the
    layer that made it)."""
    call = LayerCall(layer, inputs, dict(kwargs), outputs)
    for output in flat_tensors(outputs):
        if output is not inputs:
            output._keras_layer = layer
            output._keras_call = call


def calls_between(model_inputs, model_outputs):
    """The layer calls on the way from ``model_inputs`` to ``model_outputs``, each once, in the order they were
    made (so every call comes after the calls that made its inputs). Walks back from the outputs, call by call."""
    reached = {id(t) for t in model_inputs}  # the tensors whose making call is found (or that are inputs)
    found, stack = {}, list(model_outputs)
    while stack:
        tensor = stack.pop()
        if id(tensor) in reached:
            continue
        call = getattr(tensor, "_keras_call", None)
        if call is None:
            raise NotImplementedError(
                f"the layer calls of a functional model are made again (calling it on new tensors, cloning it) or "
                f"saved (get_config), but {tensor.name} was made by a plain {tensor.op.type} op between layers, not "
                f"by a layer: put that computation in a tf.keras.layers.Lambda layer")
        reached.update(id(t) for t in flat_tensors(call.outputs))
        found[id(call)] = call
        stack.extend(flat_tensors(call.inputs) + _tensors_in(call.kwargs))
    return sorted(found.values(), key=lambda call: call.number)


def replay(model_inputs, model_outputs, new_inputs, training=None, layer_for=None):
    """The tensors the calls between ``model_inputs`` and ``model_outputs`` give when they start from
    ``new_inputs`` instead (one per model input). ``training`` (if not None) is passed to every call that was not
    given one explicitly when the model was built (``Dropout(0.5)(x, training=True)`` stays on). ``layer_for``
    (if given) says which layer makes each call instead of the one that made it (``clone_model``'s copies)."""
    made = {id(old): new for old, new in zip(model_inputs, new_inputs)}  # old tensor's id -> its replacement
    for call in calls_between(model_inputs, model_outputs):
        kwargs = {key: _substituted(value, made) for key, value in call.kwargs.items()}
        if training is not None:
            kwargs.setdefault("training", training)
        layer = call.layer if layer_for is None else layer_for(call.layer)
        outputs = layer(_substituted(call.inputs, made), **kwargs)
        for old, new in zip(flat_tensors(call.outputs), flat_tensors(outputs)):
            made[id(old)] = new
    return [made[id(t)] for t in model_outputs]


def flat_tensors(value):
    """A call's tensors as a list: the one tensor, or the items of a list/tuple."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _tensors_in(kwargs):
    """The tensors among keyword arguments (``initial_state=``, ``mask=``), which must be replaced too."""
    return [item for value in kwargs.values() for item in flat_tensors(value) if hasattr(item, "op")]


def _substituted(value, made):
    """``value`` (a tensor, a list/tuple of them, or anything else) with each recorded tensor replaced."""
    if isinstance(value, (list, tuple)):
        return type(value)(_substituted(item, made) for item in value)
    return made.get(id(value), value) if hasattr(value, "op") else value
