"""``tf.layers.Dense``, ``Conv2D``, ``MaxPooling2D``, ``Flatten``, ``Dropout`` ...: the layers of layers.py as
objects. A layer object is configured once and then called on tensors, as often as needed, always with the same
variables::

    layer = tf.layers.Dense(10, activation=tf.nn.relu)
    train_logits = layer(train_x)          # creates dense/kernel and dense/bias
    test_logits = layer(test_x)            # the same dense/kernel and dense/bias
    layer.trainable_variables              # [dense/kernel, dense/bias]; also layer.kernel, layer.bias

Each class applies its function from layers.py: the constructor takes that function's arguments (all but
``inputs``), a call takes the inputs plus what varies from call to call (``training=`` for ``Dropout`` and
``BatchNormalization``). The first call of a layer with variables picks its variable scope — ``name``, or the
function's name made unique (``dense``, ``dense_1`` ...), as the function would — and keeps it; later calls
re-enter it with ``reuse=True``, so ``get_variable`` hands back the variables the first call created. Those
variables are the layer's ``weights``, and each is also an attribute named after its last name component
(``kernel``, ``bias``, ``gamma``, ``moving_mean`` ...).
"""
import contextlib
import inspect
import re

import numpy

from ..backend import dtypes
from .core import GraphKeys, get_default_graph
from .frontend import convert_to_tensor
from .layers import (average_pooling1d, average_pooling2d, average_pooling3d, batch_normalization, conv1d, conv2d,
                     conv2d_transpose, conv3d, dense, dropout, flatten, max_pooling1d, max_pooling2d, max_pooling3d)
from .variable_scope import get_variable, layer_scope, variable_scope


class Layer:
    """A configured call of ``function`` (a class attribute: a tf.layers function). ``name`` names the layer's
    scope; ``trainable`` (for layers with variables) whether its variables train; ``dtype`` is accepted for
    compatibility (the variables take the inputs' dtype).

    Subclassed without a function, it is a layer of one's own, as ``tf.layers.Layer`` is in TF 1.x: ``build``
    makes the weights (``add_weight``) at the first call, in the layer's variable scope, and ``call`` computes::

        class Scale(tf.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight("scale", [input_shape[-1]], initializer=tf.ones_initializer())

            def call(self, inputs):
                return inputs * self.scale
    """
    _unique_scope = False
    function = None

    def __init__(self, *args, name=None, trainable=True, dtype=None, **kwargs):
        self.trainable, self._given_name = trainable, name
        self._scope, self._weights, self.built = None, [], False
        self.losses, self.updates = [], []
        if self.function is None:  # a layer of one's own
            if args or kwargs:
                raise TypeError(f"{type(self).__name__}: unexpected argument(s) to Layer.__init__: "
                                f"{', '.join([*map(repr, args), *kwargs])}")
            self._arguments, self._has_variables = {}, True
            self.name = name or _snake_case(type(self).__name__)
            return
        parameters = inspect.signature(self.function).parameters
        if "trainable" in parameters:
            kwargs["trainable"] = trainable
        # binding now reports a wrong argument when the layer is made, not when it is first called
        self._arguments = inspect.signature(self.function).bind_partial(None, *args, **kwargs).arguments
        del self._arguments["inputs"]
        # the configuration as attributes, the defaults too: layer.units, layer.rate, layer.momentum ...
        for key, parameter in parameters.items():
            if key not in ("inputs", "name", "reuse") and not isinstance(getattr(type(self), key, None), property):
                setattr(self, key, self._arguments.get(key, parameter.default))
        self.name = name or self.function.__name__
        self._has_variables = "reuse" in parameters

    def __call__(self, inputs, **kwargs):
        """Apply the layer to ``inputs``; ``kwargs`` are the function's per-call arguments (``training``). What the
        call adds to the UPDATE_OPS and REGULARIZATION_LOSSES collections is also the layer's ``updates`` and
        ``losses`` (``with tf.control_dependencies(bn.updates)``)."""
        with self._collecting():
            outputs = self._apply(inputs, **kwargs)
        if not hasattr(self, "output"):  # the first call's tensors (TF1: an error before any call)
            self.input, self.output = inputs, outputs
        return outputs

    @contextlib.contextmanager
    def _collecting(self):
        """Add to the layer's ``losses`` and ``updates`` what the block adds to the graph's REGULARIZATION_LOSSES
        and UPDATE_OPS collections."""
        graph = get_default_graph()
        penalties, updates = (graph.get_collection_ref(key) for key in (GraphKeys.REGULARIZATION_LOSSES,
                                                                         GraphKeys.UPDATE_OPS))
        before = len(penalties), len(updates)
        yield
        self.losses += penalties[before[0]:]
        self.updates += updates[before[1]:]

    def _apply(self, inputs, **kwargs):
        if self.function is None:
            return self._call_own(inputs, **kwargs)
        if not self._has_variables:
            return self.function(inputs, **self._arguments, **kwargs, name=self.name)
        if self._scope is None:
            # claim the variable scope (a unique one when unnamed) and its name scope: every call re-enters both
            # (``layer_scope``), so the ops of each call go to ``dense/...``, as TF1's layer objects do
            self._claim_scope(self.function.__name__)
        store = get_default_graph()._variable_store
        before = set(store)
        outputs = self.function(inputs, **self._arguments, **kwargs, name=self._scope,
                                reuse=True if self.built else None)
        if not self.built:
            self._weights = [store[key] for key in store if key not in before]
            for variable in self._weights:
                setattr(self, variable.op.name.split("/")[-1], variable)
            self.built = True
        return outputs

    apply = __call__

    def _call_own(self, inputs, **kwargs):
        """A layer of one's own: ``build`` at the first call, in the layer's variable scope, then ``call``."""
        if self._scope is None:
            self._claim_scope(self.name)
        with layer_scope(self._scope, None, reuse=True if self.built else None):
            if not self.built:
                self.build(convert_to_tensor(inputs).shape if not isinstance(inputs, (list, tuple)) else
                           [convert_to_tensor(x).shape for x in inputs])
                self.built = True
            return self.call(inputs, **kwargs)

    def _claim_scope(self, default_name):
        """Take the layer's variable scope: its given name (a second layer of that name is TF1's "already exists"
        error), or ``default_name`` made unique, which becomes the layer's name. A Keras layer
        (``_unique_scope``) makes a given name unique too and keeps it as its name: TF 1.15's Keras calls the
        weights of a second layer named "hidden" ``hidden_1/kernel``."""
        given = self._given_name
        if given is not None and self._unique_scope:
            with variable_scope(None, default_name=given) as scope:
                self._scope = scope
            return
        with variable_scope(given, default_name=default_name) as scope:
            self._scope = scope
        self.name = scope.name.split("/")[-1]

    def build(self, input_shape):
        """Make the layer's weights (``add_weight``) for inputs of ``input_shape``; called by the first call."""

    def call(self, inputs):
        """The layer's computation (a layer of one's own writes it)."""
        raise NotImplementedError(f"{type(self).__name__} must define call(self, inputs)")

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True, **unused):
        """A variable ``<layer>/<name>`` of the layer (default initializer: ``get_variable``'s, Glorot uniform),
        counted in its ``weights``."""
        variable = get_variable(name, list(shape), dtype or dtypes.float32, initializer, regularizer,
                                trainable and self.trainable)
        self._weights.append(variable)
        return variable

    add_variable = add_weight  # TF 1's older name

    @property
    def weights(self):
        """The variables the layer created (empty until its first call)."""
        return list(self._weights)

    variables = weights

    @property
    def trainable_weights(self):
        return [v for v in self._weights if v.trainable] if self.trainable else []

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        return [v for v in self._weights if not v.trainable or not self.trainable]

    non_trainable_variables = non_trainable_weights

    def count_params(self):
        """The number of numbers in its weights."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self.name}, but the layer isn't built. You can "
                             f"build it manually via: `{self.name}.build(batch_input_shape)`.")
        return sum(int(numpy.prod(v.shape.as_list())) for v in self._weights)

    def get_weights(self):
        """Its weights' values (numpy arrays), read in the default session."""
        return _default_session(self, "get_weights").run(self.weights)

    def set_weights(self, weights):
        """Load values into its weights, in the default session."""
        if len(weights) != len(self._weights):
            raise ValueError(f"You called `set_weights(weights)` on layer {self.name} with a weight list of length "
                             f"{len(weights)}, but the layer was expecting {len(self._weights)} weights.")
        session = _default_session(self, "set_weights")
        for variable, value in zip(self._weights, weights):
            variable.load(value, session)

    def __repr__(self):
        return f"<tf.layers.{type(self).__name__} '{self.name}'>"


def _default_session(layer, what):
    from .session import get_default_session
    session = get_default_session()
    if session is None:
        raise ValueError(f"{layer.name}.{what}: the values of variables live in a session; call it inside `with "
                         f"sess.as_default():` (or `with tf.Session() as sess:`)")
    return session


def _snake_case(class_name):
    """The default name of a layer class's layers: ``MaxPooling2D`` -> ``max_pooling2d``."""
    return re.sub("([a-z])([A-Z])", r"\1_\2", re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)).lower()


def _layer_class(class_name, function):
    doc = (f"``tf.layers.{function.__name__}`` as a layer object: ``{class_name}(...)`` takes the function's "
           f"arguments but ``inputs``; ``layer(inputs)`` applies it.\n\n{function.__doc__}")
    return type(class_name, (Layer,), {"function": staticmethod(function), "__doc__": doc})


Dense = _layer_class("Dense", dense)
Conv1D = _layer_class("Conv1D", conv1d)
Conv2D = _layer_class("Conv2D", conv2d)
Conv2DTranspose = _layer_class("Conv2DTranspose", conv2d_transpose)
MaxPooling1D = _layer_class("MaxPooling1D", max_pooling1d)
MaxPooling2D = _layer_class("MaxPooling2D", max_pooling2d)
AveragePooling1D = _layer_class("AveragePooling1D", average_pooling1d)
AveragePooling2D = _layer_class("AveragePooling2D", average_pooling2d)
Conv3D = _layer_class("Conv3D", conv3d)
MaxPooling3D = _layer_class("MaxPooling3D", max_pooling3d)
AveragePooling3D = _layer_class("AveragePooling3D", average_pooling3d)
Flatten = _layer_class("Flatten", flatten)
Dropout = _layer_class("Dropout", dropout)
BatchNormalization = _layer_class("BatchNormalization", batch_normalization)

# Keras' short names, also in tf.layers
Convolution1D, Convolution2D, Convolution2DTranspose = Conv1D, Conv2D, Conv2DTranspose
MaxPool1D, MaxPool2D, AveragePool1D, AveragePool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D
Convolution3D, MaxPool3D, AveragePool3D = Conv3D, MaxPooling3D, AveragePooling3D
