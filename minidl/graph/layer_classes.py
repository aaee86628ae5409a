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

A layer of one's own may hold other layers as attributes (``self.dense = Dense(4)``, or in a list, tuple or dict):
as in TF 1.15 they are part of it. Its ``weights``, ``losses`` and ``updates`` are its own followed by those of the
layers it holds, in the order the attributes were set; ``trainable=False`` on it freezes them too (setting it sets
theirs). ``weights`` is ``trainable_weights + non_trainable_weights``, TF's order. A layer that is not trainable has
no ``updates`` either — a frozen batch norm keeps its moving statistics — unless it is ``stateful`` (an RNN that
carries its states over), as in TF 1.15.
"""
import contextlib
import inspect
import re

import numpy

from ..backend import dtypes
from .basics import placeholder
from .core import Graph, GraphKeys, get_default_graph
from .dtypes import as_dtype
from .frontend import convert_to_tensor
from .layers import (average_pooling1d, average_pooling2d, average_pooling3d, batch_normalization, conv1d, conv2d,
                     conv2d_transpose, conv3d, dense, dropout, flatten, max_pooling1d, max_pooling2d, max_pooling3d)
from .variable_scope import get_variable, layer_scope, variable_scope


class Layer:
    """A configured call of ``function`` (a class attribute: a tf.layers function). ``name`` names the layer's
    scope; ``trainable`` (for layers with variables) whether its variables train; ``dtype`` (a name, ``layer.dtype``)
    is the default dtype of the variables ``add_weight`` makes — when not given, the first call's inputs' dtype, as
    in TF 1.15 (a built-in layer's variables always take the inputs' dtype).

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
        self._trainable, self._given_name = trainable, name  # (no layers held yet: nothing to pass it on to)
        self.dtype = None if dtype is None else as_dtype(dtype).name
        self._scope, self._weights, self.built = None, [], False
        self._declared_trainable = {}  # variable -> the trainable its layer asked for (see add_weight)
        self._own_losses, self._own_updates = [], []  # (``losses`` and ``updates`` add the held layers')
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
        and UPDATE_OPS collections (but what the layers it holds have already: they report their own)."""
        graph = get_default_graph()
        penalties, updates = (graph.get_collection_ref(key) for key in (GraphKeys.REGULARIZATION_LOSSES,
                                                                         GraphKeys.UPDATE_OPS))
        before = len(penalties), len(updates)
        yield
        known = {id(item) for item in self.losses + self._every_update()}
        self._own_losses += [p for p in penalties[before[0]:] if id(p) not in known]
        new = [u for u in updates[before[1]:] if id(u) not in known]
        self._own_updates += new
        if new and not (self.trainable or getattr(self, "stateful", False)):
            # TF 1.15 puts a layer's ``updates`` into UPDATE_OPS, and a frozen layer's are none: its batch norm
            # averages stay put under the usual control_dependencies(UPDATE_OPS) training step
            made_here = {id(u) for u in new}
            updates[:] = [u for u in updates if id(u) not in made_here]

    def _apply(self, inputs, **kwargs):
        if self.dtype is None:  # TF 1.15: a layer without a dtype takes its first inputs'
            first = inputs[0] if isinstance(inputs, (list, tuple)) and inputs else inputs
            self.dtype = as_dtype(first.dtype if hasattr(first, "dtype") else convert_to_tensor(first).dtype).name
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
        arguments = self._arguments
        if "trainable" in arguments:  # made as the function declares them; a frozen layer then holds them still
            arguments = dict(arguments, trainable=True)
        outputs = self.function(inputs, **arguments, **kwargs, name=self._scope, reuse=True if self.built else None)
        if not self.built:
            self._weights = [store[key] for key in store if key not in before]
            for variable in self._weights:
                setattr(self, variable.op.name.split("/")[-1], variable)
                self._declared_trainable[variable] = variable.trainable
                if not self.trainable:
                    hold_still(variable)
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

    def compute_output_shape(self, input_shape):
        """The shape of the outputs for inputs of ``input_shape`` (the batch dim may be None), as a TensorShape. A
        built-in layer applies its function to a placeholder in a scratch graph (its own variables are untouched);
        a layer of one's own must define it, as in TF 1.15."""
        if self.function is None:
            raise NotImplementedError(f"{type(self).__name__}.compute_output_shape: a layer of one's own must define "
                                      f"compute_output_shape(self, input_shape) to be asked its output shape")
        with Graph().as_default():
            outputs = self.function(placeholder(self.dtype or dtypes.float32, input_shape), **self._arguments)
        return [t.shape for t in outputs] if isinstance(outputs, (list, tuple)) else outputs.shape

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None, **unused):
        """A variable ``<layer>/<name>`` of the layer (default initializer: ``get_variable``'s, Glorot uniform;
        default dtype: the layer's), counted in its ``weights``. ``constraint(variable)`` is put into the variable
        after each optimizer step (``tf.train`` optimizers apply a variable's ``constraint``)."""
        variable = get_variable(name, list(shape), dtype or self.dtype or dtypes.float32, initializer, regularizer,
                                trainable and self.trainable, constraint=constraint)
        self._weights.append(variable)
        # as in TF 1.15: the variable trains (joins TRAINABLE_VARIABLES) only if the layer is trainable now, but it
        # counts among the layer's trainable_weights by what was asked here, so unfreezing the layer (``layer.
        # trainable = True``) gives it to a Keras model's training step
        self._declared_trainable[variable] = bool(trainable)
        return variable

    add_variable = add_weight  # TF 1's older name

    def add_loss(self, losses, inputs=None):
        """Add a loss tensor (or a list) to the layer's ``losses``; a ``tf.layers`` layer also adds it to the
        REGULARIZATION_LOSSES collection, as TF 1.15 does (``tf.losses.get_total_loss()`` counts it). ``inputs``
        is accepted for compatibility."""
        new = _as_items(losses)
        self._own_losses += new
        for loss in new:
            get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def add_update(self, updates, inputs=None):
        """Add an update op (or a list: a moving average's assign) to the layer's ``updates``; a ``tf.layers``
        layer also adds it to the UPDATE_OPS collection, as TF 1.15 does. ``inputs`` is accepted for
        compatibility."""
        new = _as_items(updates)
        self._own_updates += new
        for update in new:
            get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, update)

    # ---------------------------------------------------------------------------- what the layer holds
    def _held_layers(self):
        """The layers this layer holds as attributes."""
        return held_layers(self, Layer)

    @property
    def losses(self):
        """Its penalties (variables' regularizers, ``add_loss``), then those of the layers it holds."""
        return _each_once(self._own_losses + [loss for layer in self._held_layers() for loss in layer.losses])

    @property
    def trainable(self):
        """Whether its weights train, and its updates run, in a model's training step."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """Set it for the layer and for every layer it holds, as TF 1.15's setter does (a held layer can then be
        unfrozen alone)."""
        self._trainable = value
        for layer in self._held_layers():
            layer.trainable = value

    @property
    def updates(self):
        """Its updates (batch norm's moving averages, ``add_update``), then those of the layers it holds — as TF
        1.15's ``Layer.updates``, each layer's own only while it is trainable or stateful: what a training step
        runs."""
        own = self._own_updates if self.trainable or getattr(self, "stateful", False) else []
        return _each_once(own + [u for layer in self._held_layers() for u in layer.updates])

    def _every_update(self):
        """Its updates and those of the layers it holds, trainable or not (which of a new call's updates they
        have already)."""
        return _each_once(self._own_updates + [u for layer in self._held_layers() for u in layer._every_update()])

    @property
    def trainable_weights(self):
        """Its trainable variables, then those of the layers it holds (none if the layer is not trainable)."""
        if not self.trainable:
            return []
        held = [v for layer in self._held_layers() for v in layer.trainable_weights]
        return _each_once([v for v in self._weights if self._declared_trainable[v]] + held)

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        """Its variables that do not train, then the held layers' (all of them, when the layer is not trainable)."""
        declared = self._declared_trainable
        if self.trainable:
            own = [v for v in self._weights if not declared[v]]
            held = [v for layer in self._held_layers() for v in layer.non_trainable_weights]
        else:
            own = [v for v in self._weights if declared[v]] + [v for v in self._weights if not declared[v]]
            held = [v for layer in self._held_layers() for v in layer.weights]
        return _each_once(own + held)

    non_trainable_variables = non_trainable_weights

    @property
    def weights(self):
        """``trainable_weights + non_trainable_weights`` (empty until its first call)."""
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    def count_params(self):
        """The number of numbers in its weights."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self.name}, but the layer isn't built. You can "
                             f"build it manually via: `{self.name}.build(batch_input_shape)`.")
        return sum(int(numpy.prod(v.shape.as_list())) for v in self.weights)

    def get_weights(self):
        """Its weights' values (numpy arrays), read in the default session (else Keras' session for the graph)."""
        return _weights_session().run(self.weights)

    def set_weights(self, weights):
        """Load values into its weights, in the default session (else Keras' session for the graph)."""
        variables = self.weights
        if len(weights) != len(variables):
            raise ValueError(f"You called `set_weights(weights)` on layer {self.name} with a weight list of length "
                             f"{len(weights)}, but the layer was expecting {len(variables)} weights.")
        session = _weights_session()
        for variable, value in zip(variables, weights):
            variable.load(value, session)

    def __repr__(self):
        return f"<tf.layers.{type(self).__name__} '{self.name}'>"


def held_layers(owner, kinds):
    """The objects of ``kinds`` (layer classes) that ``owner`` holds as attributes — directly, or in lists, tuples
    and dicts (their values) — in the order the attributes were set, each once: the layers TF 1.15 tracks."""
    found = []
    for value in vars(owner).values():
        items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
        found += [item for item in items if isinstance(item, kinds) and item is not owner]
    return _each_once(found)


def hold_still(variable):
    """Keep a layer's new variable out of training, as the layer is frozen: out of TRAINABLE_VARIABLES, with
    ``trainable`` False (what TF 1.15 makes it when a frozen layer adds it)."""
    variable._trainable = False
    trainable = get_default_graph().get_collection_ref(GraphKeys.TRAINABLE_VARIABLES)
    trainable[:] = [v for v in trainable if v is not variable]


def _each_once(items):
    """``items`` in order, each object once (by identity: tensors compare elementwise)."""
    return list({id(item): item for item in items}.values())


def _as_items(given):
    """What ``add_loss`` and ``add_update`` take — one item or a list — as a list; a function of no arguments is
    called for its tensor, as TF allows."""
    return [item() if callable(item) and not hasattr(item, "op") else item
            for item in (given if isinstance(given, (list, tuple)) else [given])]


def _weights_session():
    """The session ``get_weights``/``set_weights`` read and write: the default one, else Keras' session for the
    graph (``tf.keras.backend.get_session``, which TF 1.15's layers use too: a ``tf.layers`` layer is a Keras
    layer there)."""
    from .keras.backend import get_session  # (Keras is built on this module)
    return get_session()


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
