"""A model's configuration — its architecture, without the weights — as TF 1.15's Keras writes it, and the model
made again from it: ``model.get_config()`` and ``Model.from_config(config)``, or as JSON ``model.to_json()`` and
``tf.keras.models.model_from_json(text, custom_objects)``. The weights travel apart (``get_weights`` /
``set_weights``, ``save_weights`` / ``load_weights``)::

    text = model.to_json()
    twin = tf.keras.models.model_from_json(text)     # new layers, new weights
    twin.set_weights(model.get_weights())            # now it predicts what the model predicts

A ``Sequential`` model's config is its layers' configs in order, ``{"name", "layers": [{"class_name",
"config"}, ...]}``; the first layer's config holds ``batch_input_shape`` when the model declares its input, else
``"build_input_shape"`` says the input of a model built from its first data.

A functional model's is a graph: ``{"name", "layers", "input_layers", "output_layers"}``. Each entry of
``"layers"`` is ``{"name", "class_name", "config", "inbound_nodes"}``, where ``inbound_nodes`` lists the layer's
calls in this model (its *nodes*, in the order they were made: a layer shared by two branches has two), each call
as the list of its inputs, an input as ``[layer name, node index, tensor index, kwargs]``: the call that made it
(node ``node index`` of that layer) and which of that call's outputs it is. ``input_layers`` and
``output_layers`` name the model's inputs and outputs the same way, without the kwargs. A tensor among a call's
keyword arguments (an RNN's ``initial_state``) is written ``{"__keras_tensor__": [layer name, node index, tensor
index]}`` — minidl's form: TF 1.15 folds such tensors into the call's inputs.

``from_config`` makes each layer from its config (classes of one's own come from ``custom_objects``), an ``Input``
for each input layer, then the calls: again and again every node whose inputs are made, until none is left.

Nothing in a configuration is code: an activation is a name, a ``Lambda``'s function too (``merging.py``).
"""
import json

from .functional import calls_between, flat_tensors
from .layers import Input, InputLayer, Layer, deserialize, serialize
from .serialization import json_value

KERAS_VERSION = "2.2.4-tf"  # what TF 1.15's tf.keras calls itself (``tf.keras.__version__``), saved with a model
_TENSOR = "__keras_tensor__"


# ------------------------------------------------------------------------------------------------ Sequential

def sequential_config(model):
    """``{"name", "layers"}`` (and ``"build_input_shape"``) of a Sequential model."""
    layers = [serialize(layer) for layer in model.layers]
    config = {"name": model.name, "layers": layers}
    first = layers[0]["config"] if layers else {}
    if "batch_input_shape" not in first:
        if model._batch_input_shape is not None and isinstance(model.layers[0], Layer):  # (an InputLayer started it)
            first["batch_input_shape"] = model._batch_input_shape
        elif model.built:  # built from its first data, or starting with a model
            config["build_input_shape"] = model.inputs[0].shape.as_list()
    return config


def sequential_from_config(cls, config, custom_objects=None):
    """The Sequential model of ``config`` (or of a bare list of layer configs, Keras' older form)."""
    layers = config["layers"] if isinstance(config, dict) else config
    model = cls(name=config.get("name") if isinstance(config, dict) else None)
    for layer in layers:
        model.add(deserialize(layer, custom_objects))
    build_input_shape = config.get("build_input_shape") if isinstance(config, dict) else None
    if not model.built and build_input_shape:
        model.build(tuple(build_input_shape))
    return model


# ------------------------------------------------------------------------------------------------ functional

def functional_config(model):
    """``{"name", "layers", "input_layers", "output_layers"}`` of a functional model (the module docstring)."""
    names = [layer.name for layer in model.layers]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"get_config: all layer names should be unique, but {repeated} name several layers of "
                         f"model {model.name}: a config refers to layers by name")
    nodes = {}  # id(layer) -> the layer's calls in this model, in the order they were made
    for call in calls_between(model.inputs, model.outputs):
        nodes.setdefault(id(call.layer), []).append(call)

    def where(tensor):
        """``[layer name, node index, tensor index]`` of a tensor of the model."""
        layer = getattr(tensor, "_keras_layer", None)
        if isinstance(layer, InputLayer):
            return [layer.name, 0, 0]
        call = getattr(tensor, "_keras_call", None)
        if call is None or id(call.layer) not in nodes:
            raise ValueError(f"get_config: the tensor {tensor.name} was not made by a layer of model {model.name}, "
                             f"nor is it a tf.keras.Input: a config can only refer to those")
        index = next(i for i, output in enumerate(flat_tensors(call.outputs)) if output is tensor)
        return [call.layer.name, next(i for i, c in enumerate(nodes[id(call.layer)]) if c is call), index]

    def node(call):
        kwargs = {key: _with_tensors_named(value, where) for key, value in call.kwargs.items()}
        return [where(tensor) + [kwargs] for tensor in flat_tensors(call.inputs)]

    layers = [{"name": layer.name, "class_name": type(layer).__name__, "config": layer.get_config(),
               "inbound_nodes": [node(call) for call in nodes.get(id(layer), [])]} for layer in model.layers]
    return {"name": model.name, "layers": layers, "input_layers": [where(t) for t in model.inputs],
            "output_layers": [where(t) for t in model.outputs]}


def functional_from_config(cls, config, custom_objects=None):
    """The functional model of ``config`` (``functional_config``'s), its layers and weights new."""
    layers, made, waiting = {}, {}, []  # name -> layer; (name, node index) -> the node's outputs; nodes to make
    for entry in config["layers"]:
        name = entry["name"]
        if entry["class_name"] == "InputLayer":  # an Input: the layer with its placeholder
            options = entry["config"]
            tensor = Input(batch_shape=options["batch_input_shape"], dtype=options.get("dtype"), name=name)
            layers[name], made[(name, 0)] = tensor._keras_layer, [tensor]
        else:
            layers[name] = deserialize(entry, custom_objects)
            waiting.extend((name, index, node) for index, node in enumerate(entry["inbound_nodes"]))

    def tensor_at(where):
        name, node_index, tensor_index = where[:3]
        return made[(name, node_index)][tensor_index]

    while waiting:
        left = []
        for name, index, node in waiting:
            kwargs = node[0][3] if node and len(node[0]) > 3 else {}
            needed = [tuple(entry[:2]) for entry in node] + [tuple(where[:2]) for where in _tensors_named(kwargs)]
            if (index and (name, index - 1) not in made) or any(key not in made for key in needed):
                left.append((name, index, node))  # (a layer's nodes are made in their order)
                continue
            inputs = [tensor_at(entry) for entry in node]
            kwargs = {key: _with_tensors_found(value, tensor_at) for key, value in kwargs.items()}
            made[(name, index)] = flat_tensors(layers[name](inputs[0] if len(inputs) == 1 else inputs, **kwargs))
        if len(left) == len(waiting):
            raise ValueError(f"Model.from_config: the calls of layers {sorted({name for name, _, _ in left})} need "
                             f"tensors that no layer of the config makes")
        waiting = left
    return cls([tensor_at(where) for where in config["input_layers"]],
               [tensor_at(where) for where in config["output_layers"]], name=config.get("name"))


def _with_tensors_named(value, where):
    """A keyword argument with each tensor in it replaced by ``{"__keras_tensor__": where(tensor)}``."""
    if isinstance(value, (list, tuple)):
        return [_with_tensors_named(item, where) for item in value]
    return {_TENSOR: where(value)} if hasattr(value, "op") else value


def _tensors_named(value):
    """The ``[layer name, node index, tensor index]`` of every tensor that a keyword argument's config names."""
    if isinstance(value, dict):
        return [value[_TENSOR]] if _TENSOR in value else [w for item in value.values() for w in _tensors_named(item)]
    if isinstance(value, list):
        return [where for item in value for where in _tensors_named(item)]
    return []


def _with_tensors_found(value, tensor_at):
    """A keyword argument's config with each named tensor found again."""
    if isinstance(value, list):
        return [_with_tensors_found(item, tensor_at) for item in value]
    return tensor_at(value[_TENSOR]) if isinstance(value, dict) and _TENSOR in value else value


# ------------------------------------------------------------------------------------------------ JSON

def to_json(model, **kwargs):
    """``model``'s config as JSON text, as TF 1.15 writes it: ``{"class_name", "config", "keras_version",
    "backend"}``; ``kwargs`` go to ``json.dumps`` (``indent=2``)."""
    envelope = {"class_name": type(model).__name__, "config": model.get_config(), "keras_version": KERAS_VERSION,
                "backend": "tensorflow"}
    return json.dumps(envelope, default=json_value, **kwargs)


def model_from_config(config, custom_objects=None):
    """The model (or layer) of a ``{"class_name", "config"}`` configuration."""
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. Maybe you meant to use "
                        "`Sequential.from_config(config)`?")
    return deserialize(config, custom_objects)


def model_from_json(json_string, custom_objects=None):
    """The model that ``to_json`` wrote (new weights: ``set_weights`` puts the old ones in); classes and
    functions of one's own are given in ``custom_objects``, by the names the text uses."""
    return model_from_config(json.loads(json_string), custom_objects)
