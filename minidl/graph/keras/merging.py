"""Keras' merge layers — ``Concatenate``, ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``,
``Minimum`` and their functions ``concatenate([a, b])``, ``add([a, b])`` ... — plus ``Lambda`` (a layer made of a
function) and ``LeakyReLU``/``ReLU``/``Softmax`` as layers: what functional models put between their layers.

A merge layer is called on a *list* of tensors (of one shape, but for ``Concatenate``'s axis) and makes one.
"""
import sys
from functools import reduce as fold

from .. import math_ops
from ..array_ops import concat
from ..nn_ops import nn
from . import backend_math, lookup
from .layers import Layer, _layer
from .masking import PASSES


def _merge(kind, combine, minimum=2):
    def merge(inputs, name=None):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < minimum:
            raise ValueError(f"A merge layer ({kind}) should be called on a list of at least {minimum} inputs, got "
                             f"{inputs!r}")
        tensors = [math_ops.to_tensor(t) for t in inputs]
        shapes = [t.shape.as_list()[1:] for t in tensors]
        # sizes must agree, or be 1 (broadcast), dim by dim
        if any(len(s) != len(shapes[0]) or any(None not in (a, b) and a != b and 1 not in (a, b)
                                               for a, b in zip(s, shapes[0])) for s in shapes):
            raise ValueError(f"Operands could not be merged ({kind}) with shapes {[tuple(s) for s in shapes]} "
                             f"(the batch dim aside)")
        return combine(tensors)
    merge.__name__ = kind
    return merge


def _subtract(tensors):
    if len(tensors) != 2:
        raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs, got {len(tensors)}")
    return tensors[0] - tensors[1]


Add = _layer("Add", _merge("add", lambda ts: fold(lambda a, b: a + b, ts)), doc="The sum of the inputs.")
Subtract = _layer("Subtract", _merge("subtract", _subtract), doc="The first input minus the second.")
Multiply = _layer("Multiply", _merge("multiply", lambda ts: fold(lambda a, b: a * b, ts)),
                  doc="The elementwise product of the inputs.")
Average = _layer("Average", _merge("average", lambda ts: fold(lambda a, b: a + b, ts) / len(ts)),
                 doc="The elementwise mean of the inputs.")
Maximum = _layer("Maximum", _merge("maximum", lambda ts: fold(math_ops.maximum, ts)), doc="The elementwise max.")
Minimum = _layer("Minimum", _merge("minimum", lambda ts: fold(math_ops.minimum, ts)), doc="The elementwise min.")


def dot_product(inputs, axes, normalize=False, name=None):
    """The per-sample dot product of two inputs along ``axes`` (one int for both, or one per input;
    ``K.batch_dot``): (batch, n)·(batch, n) -> (batch, 1), (batch, t, d)·(batch, d, u) with axes (2, 1) ->
    (batch, t, u). ``normalize`` first scales both to unit length along those axes: the cosine similarity."""
    if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
        raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs, got {inputs!r}")
    a, b = (math_ops.to_tensor(t) for t in inputs)
    axes = (axes, axes) if isinstance(axes, int) else tuple(axes)
    axes = tuple(axis % t.shape.rank for axis, t in zip(axes, (a, b)))
    if normalize:
        a, b = nn.l2_normalize(a, axis=axes[0]), nn.l2_normalize(b, axis=axes[1])
    return backend_math.batch_dot(a, b, axes)


def concatenation(inputs, axis=-1, name=None):
    """The inputs joined along ``axis`` (default the last: the features); the other dims must agree."""
    if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
        raise ValueError(f"A `Concatenate` layer should be called on a list of at least 2 inputs, got {inputs!r}")
    tensors = [math_ops.to_tensor(t) for t in inputs]
    rank = tensors[0].shape.rank
    shapes = [t.shape.as_list() for t in tensors]
    cut = axis % rank if rank else 0
    if any(len(s) != rank or any(None not in (a, b) and a != b for i, (a, b) in enumerate(zip(s, shapes[0]))
                                 if i not in (0, cut)) for s in shapes):
        raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the concat axis. "
                         f"Got inputs shapes: {[tuple(s) for s in shapes]}")
    return concat(tensors, axis, name=name or "concatenate")


Concatenate = _layer("Concatenate", concatenation, doc=concatenation.__doc__)
Dot = _layer("Dot", dot_product, doc=dot_product.__doc__)


def leaky_relu(inputs, alpha=0.3, name=None):
    """x where x > 0, else ``alpha`` x (Keras' default slope 0.3; ``tf.nn.leaky_relu``'s is 0.2)."""
    return nn.leaky_relu(inputs, alpha=alpha)


def relu_layer(inputs, max_value=None, negative_slope=0.0, threshold=0.0, name=None):
    """max(x, 0), capped at ``max_value``; below ``threshold`` the slope ``negative_slope`` (``K.relu``)."""
    return backend_math.relu(inputs, negative_slope, max_value, threshold)


def softmax_layer(inputs, axis=-1, name=None):
    return nn.softmax(inputs, axis=axis)




class Lambda(Layer):
    """``Lambda(function, arguments=None)``: ``function(inputs, **arguments)``, any computation on tensors, as a
    layer (one that makes no variables).

    Its config names its functions — ``"function": "double", "function_type": "function", "module": "__main__"`` —
    and ``from_config`` finds them again by name, in ``custom_objects`` or in their (imported) module. TF 1.15 saves
    the function's bytecode instead, which minidl never does: loading would run code from a file. A ``lambda`` has
    no name to find it by: its config holds the function itself (enough for ``clone_model``), which ``to_json``
    refuses."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda needs a function, got {function!r}")
        self._lambda, self.arguments = function, dict(arguments or {})
        self._output_shape, self._mask = output_shape, mask

    def call(self, inputs):
        return self._lambda(inputs, **self.arguments)

    # each function's three entries in the config, as TF names them: the function, its type, its module
    _FUNCTION_KEYS = {"function": ("function", "function_type", "module"),
                      "output_shape": ("output_shape", "output_shape_type", "output_shape_module"),
                      "mask": ("mask", "mask_type", "mask_module")}

    def get_config(self):
        config = super().get_config()
        for argument, value in (("function", self._lambda), ("output_shape", self._output_shape),
                                ("mask", self._mask)):
            if argument == "function" or value is not None:
                config.update(zip(self._FUNCTION_KEYS[argument], _function_config(value)))
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config, found = dict(config), {}
        for argument, (key, type_key, module_key) in cls._FUNCTION_KEYS.items():
            if key in config:
                found[argument] = _function_from_config(config.pop(key), config.pop(type_key, "function"),
                                                        config.pop(module_key, None), custom_objects)
        return cls(found.pop("function"), **found, **config)


def _function_config(value):
    """``(what the config holds, its type, its module)`` for a Lambda's function (or output shape, or mask): a
    named function by name, a lambda as itself (see ``Lambda``), a shape as it is ("raw")."""
    if not callable(value):
        return value, "raw", None
    name = getattr(value, "__name__", "<lambda>")
    return (value if name == "<lambda>" else name), ("lambda" if name == "<lambda>" else "function"), \
        getattr(value, "__module__", None)


def _function_from_config(value, kind, module, custom_objects):
    """The function a Lambda config names (``_function_config``'s forms)."""
    if kind == "raw" or callable(value):
        return value
    if kind == "function":
        # a module already imported is only looked into: no code runs
        found = (custom_objects or {}).get(value) or lookup.get_custom_objects().get(value) or \
            getattr(sys.modules.get(module), value, None)
        if found is None:
            raise ValueError(f"Lambda.from_config: unknown function {value!r} (of module {module}): give it in "
                             f"custom_objects")
        return found
    raise ValueError(f"Lambda.from_config: a function saved as {kind} code is not loaded: minidl runs no code from a "
                     f"configuration; save the model with a named function and give it in custom_objects")


LeakyReLU = _layer("LeakyReLU", leaky_relu, doc=leaky_relu.__doc__)
ReLU = _layer("ReLU", relu_layer, doc=relu_layer.__doc__)
Softmax = _layer("Softmax", softmax_layer, doc="The softmax along ``axis`` as a layer.")
LeakyReLU.mask_handling = ReLU.mask_handling = Softmax.mask_handling = PASSES


def _functional(layer_class):
    def apply(inputs, **kwargs):
        return layer_class(**kwargs)(inputs)
    apply.__name__ = layer_class.__name__.lower()
    apply.__doc__ = f"``{layer_class.__name__}(**kwargs)(inputs)``."
    return apply


concatenate, add, subtract, multiply, average, maximum, minimum = (
    _functional(c) for c in (Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum))
