"""``tf.keras.layers``: the layers of ``tf.layers`` with Keras' conventions, plus Keras' own few.

A Keras layer is a ``tf.layers`` layer object (``layer_classes.py``: configured once, called on tensors, building
its variables on the first call) that also

- takes names where TF1 takes functions: ``activation="relu"``, ``kernel_initializer="he_normal"``,
  ``kernel_regularizer="l2"`` (``activations.py``, ``initializers.py``, ``regularizers.py``);
- takes ``input_shape=(784,)`` (or ``input_dim=784``) on the first layer of a ``Sequential`` model: the shape of
  one sample, without the batch dim;
- gets a name unique in the graph when made (``dense``, ``dense_1`` ...), the name of its variable scope;
- follows the *learning phase* (``backend.learning_phase()``) when called without ``training=``: ``Dropout`` and
  ``BatchNormalization`` train inside ``fit`` and infer inside ``evaluate`` and ``predict``;
- remembers its first call: ``layer.input``, ``layer.output``, ``layer.output_shape`` (what ``model.summary()``
  prints), and the tensor it made knows its layer (how ``Model(inputs, outputs)`` finds its layers).
"""
import inspect
import itertools
import math

import numpy

from .. import basics, dtypes
from .. import layers as tf_layers
from .. import math_ops
from ..array_ops import concat, reshape, shape
from ..core import GraphKeys, get_default_graph
from ..layer_classes import Layer as TFLayer, _as_items, _snake_case, held_layers
from ..nn_training import embedding_lookup
from ..variable_scope import get_variable, layer_scope
from . import activations, backend, constraints, initializers, masking, regularizers
from .functional import record_call
from .serialization import deserialize_keras_object, serialize_keras_object

_calls = itertools.count()  # numbers the layers' first calls: a functional model lists its layers in that order
# the modules that turn an argument's name or configuration into its object (``get``) and back (``serialize``), by
# how the argument's name ends: kernel_initializer, recurrent_activation, bias_regularizer, kernel_constraint ...
_KINDS = {"activation": activations, "regularizer": regularizers, "initializer": initializers,
          "constraint": constraints}
# a layer function's arguments that are not its configuration: what each call gives, and what the config has anyway
_PER_CALL = {"inputs", "name", "reuse", "trainable", "training", "mask", "initial_state", "state_variables"}


def _kind(key):
    return next((module for suffix, module in _KINDS.items() if key.endswith(suffix)), None)


def _resolved(key, value):
    """A name (or configuration) given for an activation, initializer, regularizer or constraint argument, as the
    object TF1's layers take."""
    kind = _kind(key)
    if kind is not None:
        return kind.get(value)
    if key == "data_format" and value is None:  # Keras' "the configured one": channels last
        return "channels_last"
    return value


def _serialized(key, value):
    """An argument as a layer's config holds it: resolved, then an activation by name, an initializer, regularizer
    or constraint as ``{"class_name", "config"}``."""
    kind = _kind(key)
    value = _resolved(key, value)
    return value if kind is None else kind.serialize(value)


def _sample_shape(input_shape, input_dim, batch_input_shape):
    """The batch input shape given to a first layer (``(None, ...)``), or None."""
    if batch_input_shape is not None:
        return tuple(batch_input_shape)
    if input_shape is not None:
        return (None,) + tuple(input_shape)
    if input_dim is not None:
        return (None, int(input_dim))
    return None


class Layer(TFLayer):
    """A ``tf.layers`` layer object with Keras' conventions (see the module docstring) — or, subclassed with
    ``build(input_shape)`` (making weights with ``add_weight``) and ``call(inputs)``, a layer of one's own::

        class Scale(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight("scale", [input_shape[-1]], initializer="ones")

            def call(self, inputs):
                return inputs * self.scale

    Layers it holds as attributes (``self.dense = Dense(4)``, in lists and dicts too), models too, are part of it
    (``layer_classes.py``): their weights, losses and updates are its, and a model trains them.
    """
    _unique_scope = True  # (layer_classes.Layer._claim_scope)
    #: what the layer does with a mask that reaches it: ``masking.PASSES``, ``masking.CONSUMES`` or None (refuse)
    mask_handling = None
    #: arguments of the layer's function that TF 1.15's config of the layer leaves out unless they are set (TF's
    #: own extensions, such as batch normalization's ``renorm``, and minidl's): there only when not the default
    _config_extras = ()

    def __init__(self, *args, input_shape=None, input_dim=None, batch_input_shape=None, batch_size=None,
                 name=None, trainable=True, dtype=None, **kwargs):
        name = name or backend.unique_name(_snake_case(type(self).__name__))
        # Keras divides an activity penalty by the batch size (its strength then does not depend on it)
        self._activity_regularizer = regularizers.get(kwargs.pop("activity_regularizer", None))
        # ``weights=[...]``: the weights' first values, put in once the first call has made them (pretrained
        # embeddings: ``Embedding(vocab, 100, weights=[glove_matrix], trainable=False)``)
        self._initial_weights = kwargs.pop("weights", None)
        if self.function is not None:
            if input_dim is not None and "input_dim" in inspect.signature(self.function).parameters:
                kwargs["input_dim"], input_dim = input_dim, None  # the layer's own argument (Embedding's)
            kwargs = {key: _resolved(key, value) for key, value in kwargs.items()}
        super().__init__(*args, name=name, trainable=trainable, dtype=dtype, **kwargs)
        self.dtype = dtypes.as_dtype(dtype).name if dtype is not None else backend.floatx()
        call = self.function or type(self).call  # (a layer of one's own: TFLayer's build / add_weight / call)
        self.batch_input_shape = _sample_shape(input_shape, input_dim, batch_input_shape)
        if self.batch_input_shape is not None and batch_size is not None:
            self.batch_input_shape = (int(batch_size),) + self.batch_input_shape[1:]
        parameters = inspect.signature(call).parameters
        self._follows_learning_phase, self._takes_mask = "training" in parameters, "mask" in parameters
        self.input = self.output = self.first_call = None

    def __call__(self, inputs, training=None, **kwargs):
        given = dict(kwargs, training=training) if training is not None else dict(kwargs)  # what a replay repeats
        mask = masking.mask_of(inputs)
        masking.check_accepted(self, mask)
        if mask is not None and self._takes_mask and "mask" not in kwargs:
            kwargs["mask"] = mask
        if self._follows_learning_phase:
            kwargs["training"] = backend.learning_phase() if training is None else training
        graph = get_default_graph()
        with self._collecting():  # (the penalties and moving-average updates fit runs)
            outputs = self._apply(inputs, **kwargs)
            if outputs is inputs:  # an input passed through is a new tensor of this layer, as in Keras (which
                outputs = basics.identity(outputs)  # then finds the layer, and its losses, between input and output)
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None
            if self._activity_regularizer is not None:
                for output in outputs if isinstance(outputs, list) else [outputs]:
                    batch = math_ops.cast(shape(output)[0], output.dtype)
                    graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES,
                                            self._activity_regularizer(output) / batch)
        if self.input is None:
            self.input, self.output, self.first_call = inputs, outputs, next(_calls)
        masking.carry_on(self, mask, outputs)
        record_call(self, inputs, given, outputs)
        return outputs

    def add_weight(self, name, shape=(), dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None, **unused):
        """A variable ``<layer>/<name>`` of the layer (initializer, regularizer and constraint: names, as Keras
        takes them, or objects; default Glorot uniform; default dtype the layer's), counted in its ``weights``.
        The constraint is applied after each optimizer step, ``fit``'s too."""
        return super().add_weight(name, shape, dtype or self.dtype, initializers.get(initializer),
                                  regularizers.get(regularizer), trainable, constraints.get(constraint))

    apply = __call__

    @property
    def input_shape(self):
        return _shape_tuple(self.input, self.name)

    @property
    def output_shape(self):
        return _shape_tuple(self.output, self.name)

    def count_params(self):
        """How many numbers the layer's weights hold."""
        return sum(math.prod(v.shape.as_list()) for v in self.weights)

    def get_config(self):
        """TF 1.15's configuration of the layer: plain data (``json.dumps`` writes it) from which ``from_config``
        makes a twin — ``name``, ``trainable``, ``dtype``, ``batch_input_shape`` where the layer declares its
        input, and every argument of its constructor, defaults too, each as ``_serialized`` says (``"relu"``,
        ``{"class_name": "GlorotUniform", "config": {...}}``).

        One rule makes every built-in layer's: the arguments are those of the layer's function (its signature less
        ``_PER_CALL``), with the values it was given, else the defaults. A built-in layer written as a class keeps
        its arguments in ``_arguments``; a layer of one's own adds its own (``config = super().get_config();
        config.update(units=self.units)``) — Keras refuses one whose constructor takes arguments its config
        lacks, since ``from_config`` could not make it again."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.batch_input_shape is not None:
            config["batch_input_shape"] = self.batch_input_shape
        arguments = self._arguments if self.function is None else self._function_arguments()
        config.update((key, _serialized(key, value)) for key, value in arguments.items())
        if type(self).get_config is Layer.get_config:
            own = set(inspect.signature(Layer.__init__).parameters)
            missing = [key for key in inspect.signature(type(self).__init__).parameters
                       if key not in config and key not in own]
            if missing:
                raise NotImplementedError(f"Layer {type(self).__name__} has arguments in `__init__` "
                                          f"({', '.join(missing)}) and therefore must override `get_config`.")
        return config

    def _function_arguments(self):
        """The layer function's configuration arguments (``get_config``), as given or by default."""
        arguments = {}
        for key, parameter in inspect.signature(self.function).parameters.items():
            value = self._activity_regularizer if key == "activity_regularizer" else \
                self._arguments.get(key, parameter.default)
            if key not in _PER_CALL and value is not parameter.empty and not (
                    key in self._config_extras and value == parameter.default):
                arguments[key] = value
        return arguments

    @classmethod
    def from_config(cls, config):
        """The layer that ``config`` (``get_config``'s) describes, made anew (its weights too)."""
        return cls(**config)

    def add_loss(self, losses, inputs=None):
        """Add a loss tensor (or a list) that training minimizes with the model's loss (a layer of one's own
        calls it in ``call``: an activity penalty, a VAE's KL term). Unlike a ``tf.layers`` layer's, it stays out
        of the graph's collections, as in Keras."""
        self._own_losses += _as_items(losses)

    def add_update(self, updates, inputs=None):
        """Add an update op (or a list) that each training step runs (``fit`` runs the layers' ``updates``); kept
        out of the graph's collections, as in Keras."""
        self._own_updates += _as_items(updates)

    def _held_layers(self):
        """The layers, and models, this layer holds as attributes (``tf.layers.Layer``'s, models too)."""
        from .training import Model  # (here: training.py imports this module)
        return held_layers(self, (TFLayer, Model))

    def inner_layers(self):
        """What a functional model must not count again beside this layer: the layers it holds."""
        return self._held_layers()

    def get_weights(self):
        """The weights' values, as numpy arrays, in the order of ``weights``."""
        return backend.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Put numpy arrays (one per weight, each of its shape) into the layer's weights."""
        _set_weights(self.weights, weights, f"Layer {self.name}")

    def __repr__(self):
        return f"<tf.keras.layers.{type(self).__name__} '{self.name}'>"


class Wrapper(Layer):
    """A layer around another layer (``TimeDistributed``, ``Bidirectional``); its config holds the inner layer's
    (``{"layer": {"class_name": ..., "config": ...}}``), from which ``from_config`` makes the inner layer first."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def get_config(self):
        return dict(super().get_config(), layer=serialize(self.layer))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        return cls(deserialize(config.pop("layer"), custom_objects), **config)


def _shape_tuple(tensor, name):
    if tensor is None:
        raise AttributeError(f"The layer {name} has never been called and thus has no defined shape.")
    return tuple(tensor.shape.as_list())


def _set_weights(variables, values, who):
    values = list(values)
    if len(values) != len(variables):
        raise ValueError(f"{who} expects {len(variables)} weights, but the given weights list has {len(values)}: "
                         f"{[tuple(v.shape.as_list()) for v in variables]}")
    pairs = []
    for variable, value in zip(variables, values):
        value = numpy.asarray(value)
        if tuple(value.shape) != tuple(variable.shape.as_list()):
            raise ValueError(f"{who}: weight {variable.op.name} has shape {tuple(variable.shape.as_list())}, "
                             f"the value given has shape {value.shape}")
        pairs.append((variable, value))
    backend.batch_set_value(pairs)


def _layer(class_name, function, defaults=None, doc=""):
    """A Keras layer class applying the ``tf.layers`` (or local) ``function``; ``defaults`` are Keras' defaults
    where they differ from the function's."""
    parameters = [name for name in inspect.signature(function).parameters if name != "inputs"]

    def __init__(self, *args, **kwargs):
        if defaults:
            kwargs.update(zip(parameters, args))
            args = ()
            for key, value in defaults.items():
                if kwargs.get(key) is None:
                    kwargs[key] = value(kwargs) if callable(value) else value
        Layer.__init__(self, *args, **kwargs)
    return type(class_name, (Layer,), {"function": staticmethod(function), "__init__": __init__,
                                       "__doc__": doc or f"Keras' {class_name}: ``tf.layers.{function.__name__}`` "
                                                         f"as a layer.\n\n{function.__doc__}"})


_GLOROT = {"kernel_initializer": "glorot_uniform"}
_POOL = {"pool_size": (2, 2), "strides": lambda kwargs: kwargs.get("pool_size", (2, 2)) or (2, 2)}
_POOL1D = {"pool_size": 2, "strides": lambda kwargs: kwargs.get("pool_size", 2) or 2}

Dense = _layer("Dense", tf_layers.dense, _GLOROT)
Conv1D = _layer("Conv1D", tf_layers.conv1d, _GLOROT)
Conv2D = _layer("Conv2D", tf_layers.conv2d, _GLOROT)
Conv2DTranspose = _layer("Conv2DTranspose", tf_layers.conv2d_transpose, _GLOROT)
MaxPooling1D = _layer("MaxPooling1D", tf_layers.max_pooling1d, _POOL1D)
MaxPooling2D = _layer("MaxPooling2D", tf_layers.max_pooling2d, _POOL)
AveragePooling1D = _layer("AveragePooling1D", tf_layers.average_pooling1d, _POOL1D)
AveragePooling2D = _layer("AveragePooling2D", tf_layers.average_pooling2d, _POOL)
Flatten = _layer("Flatten", tf_layers.flatten)
Dropout = _layer("Dropout", tf_layers.dropout)
BatchNormalization = _layer("BatchNormalization", tf_layers.batch_normalization)
Masking = _layer("Masking", masking.masking, doc=masking.masking.__doc__)
Dropout.mask_handling = BatchNormalization.mask_handling = Dense.mask_handling = masking.PASSES
# TF 1.15 saves these only when set; ``fused`` it never saves, nor ``adjustment`` (a function)
BatchNormalization._config_extras = ("renorm", "renorm_clipping", "renorm_momentum", "fused", "virtual_batch_size",
                                     "adjustment")


# ---------------------------------------------------------------------------------- Keras' own layers

def activation(inputs, activation, name=None):
    """``activation(inputs)``, the function given by name or as a callable."""
    with basics.name_scope(name or "activation"):
        out = activations.get(activation)(inputs)
        # a new tensor even for "linear"; but a softmax stays the Softmax op, so that the loss finds its logits
        return basics.identity(out) if out is inputs else out


def reshape_layer(inputs, target_shape, name=None):
    """``inputs`` reshaped to ``(batch,) + target_shape``; one -1 in ``target_shape`` stands for what is left.
    The sizes are checked against one sample's size where it is known: a wrong size must never borrow from the
    batch dim."""
    x = math_ops.to_tensor(inputs)
    dims = [int(d) for d in target_shape]
    if dims.count(-1) > 1 or any(d < -1 or d == 0 for d in dims):
        raise ValueError(f"Reshape: target_shape {tuple(target_shape)} may hold positive sizes and one -1")
    sample = x.shape.as_list()[1:] if x.shape.rank_known else [None]
    known = -math.prod(dims)  # the product of the given sizes (dims holds at most one -1)
    if None not in sample:
        size = math.prod(sample)
        if -1 in dims:
            if size % known:
                raise ValueError(f"Reshape: total size of new array must be unchanged: {tuple(sample)} into "
                                 f"{tuple(target_shape)}")
            dims[dims.index(-1)] = size // known
        elif size != math.prod(dims):
            raise ValueError(f"Reshape: total size of new array must be unchanged: {tuple(sample)} ({size} values) "
                             f"into {tuple(target_shape)} ({math.prod(dims)} values)")
        return reshape(x, [-1] + dims, name=name or "reshape")
    return reshape(x, concat([shape(x)[:1], dims], 0), name=name or "reshape")  # the batch dim read at run time


def _global_pooling_class(class_name, reduce, spatial_dims):
    """A global pooling layer: the mean (or max, by ``reduce``) over the ``spatial_dims``-D positions of each
    channel, (batch, ..., channels) -> (batch, channels); the input's rank is checked, as Keras does."""
    rank = spatial_dims + 2

    def pool(inputs, data_format="channels_last", keepdims=False, name=None, mask=None):
        x = math_ops.to_tensor(inputs)
        if x.shape.rank != rank:
            raise ValueError(f"Input 0 of layer {class_name} is incompatible with the layer: expected ndim={rank}, "
                             f"found ndim={x.shape.rank}. Full shape received: {x.shape}")
        if mask is not None and data_format == "channels_last":  # (only GlobalAveragePooling1D takes a mask)
            mean = masking.masked_mean(x, mask)
            return mean[:, None] if keepdims else mean
        spatial = list(range(1, rank - 1)) if data_format == "channels_last" else list(range(2, rank))
        return reduce(x, axis=spatial, keepdims=keepdims, name=name or _snake_case(class_name))
    what = "mean" if reduce is math_ops.reduce_mean else "max"
    layer_class = _layer(class_name, pool, doc=f"The {what} over the {spatial_dims}-D positions of each channel.")
    layer_class._config_extras = ("keepdims",)  # (TF 1.15's global pooling has no keepdims)
    return layer_class


def embedding(inputs, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
              activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None,
              trainable=True, name=None, reuse=None):
    """Row ``i`` of an ``embeddings`` variable [input_dim, output_dim] for each integer ``i`` in the inputs (a
    learned lookup table: word ids to vectors)."""
    ids = math_ops.to_tensor(inputs)
    if ids.dtype.is_floating:  # Keras feeds its inputs as float32: the ids are whole numbers in a float tensor
        ids = math_ops.cast(ids, dtypes.int64)
    with layer_scope(name, "embedding", reuse):
        table = get_variable("embeddings", [int(input_dim), int(output_dim)], dtypes.float32,
                             initializers.get(embeddings_initializer), embeddings_regularizer, trainable,
                             constraint=embeddings_constraint)
        out = embedding_lookup(table, ids)
        if activity_regularizer is not None:
            out = tf_layers._finish(out, None, activity_regularizer)
        if mask_zero:  # id 0 is padding: the layers after it learn which steps are real (``masking.py``)
            out._keras_mask = math_ops.not_equal(ids, 0)
        return out


Activation = _layer("Activation", activation, doc="Applies an activation function (``Activation('relu')``).")
Reshape = _layer("Reshape", reshape_layer, doc="Reshapes each sample to ``target_shape`` (the batch dim stays).")
GlobalAveragePooling1D = _global_pooling_class("GlobalAveragePooling1D", math_ops.reduce_mean, 1)
GlobalAveragePooling2D = _global_pooling_class("GlobalAveragePooling2D", math_ops.reduce_mean, 2)
GlobalMaxPooling1D = _global_pooling_class("GlobalMaxPooling1D", math_ops.reduce_max, 1)
GlobalMaxPooling2D = _global_pooling_class("GlobalMaxPooling2D", math_ops.reduce_max, 2)
Activation.mask_handling = masking.PASSES
GlobalAveragePooling1D.mask_handling = masking.CONSUMES


class Embedding(_layer("Embedding", embedding, doc=embedding.__doc__)):
    """Keras' Embedding: as a first layer it declares its input, (batch, input_length) — (batch, any length)
    without ``input_length`` — so a ``Sequential`` that starts with it is built (and summarized) at once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.batch_input_shape is None:
            self.batch_input_shape = (None, self._arguments.get("input_length"))
MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
Convolution1D, Convolution2D, Convolution2DTranspose = Conv1D, Conv2D, Conv2DTranspose


def Input(shape=None, batch_size=None, name=None, dtype=None, batch_shape=None):
    """A placeholder for a model's input: ``shape`` is one sample's (the batch dim is added, None unless
    ``batch_size``). Start of a functional model: ``x = Input((784,)); y = Dense(10)(x); Model(x, y)``."""
    if batch_shape is None:
        if shape is None:
            raise ValueError("Please provide to Input either a `shape` or a `batch_shape` argument.")
        batch_shape = (batch_size,) + tuple(shape)
    layer = InputLayer(batch_input_shape=batch_shape, dtype=dtype, name=name)
    tensor = basics.placeholder(dtype or backend.floatx(), batch_shape, name=layer.name)
    # the placeholder knows its InputLayer, which a functional model lists first, as Keras does
    layer.input = layer.output = tensor
    tensor._keras_layer = layer
    return tensor


class InputLayer:
    """A model's input as a layer: what ``Input(...)`` makes beside its placeholder (``model.layers[0]`` of a
    functional model, as in Keras), or the explicit first layer of a ``Sequential`` model,
    ``InputLayer(input_shape=(784,))``, which only declares the input's shape. It has no weights."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, name=None, batch_input_shape=None,
                 sparse=False, ragged=False):
        self.batch_input_shape = _sample_shape(input_shape, None, batch_input_shape)
        if self.batch_input_shape is None:
            raise ValueError("InputLayer needs `input_shape` or `batch_input_shape`")
        if sparse or ragged:
            raise NotImplementedError("InputLayer: sparse and ragged inputs are not supported by minidl's Keras")
        if batch_size is not None:
            self.batch_input_shape = (int(batch_size),) + self.batch_input_shape[1:]
        self.dtype = dtypes.as_dtype(dtype).name if dtype is not None else backend.floatx()
        self.name = name or f"input_{backend.get_uid('input')}"  # Keras numbers every unnamed input: input_1, ...
        self.weights = self.trainable_weights = self.non_trainable_weights = []
        self.losses, self.updates, self.trainable = [], [], True
        self.input = self.output = None
        self.first_call = next(_calls)

    def __call__(self, inputs):
        self.input = self.output = inputs
        return inputs

    output_shape = property(lambda self: self.batch_input_shape)
    input_shape = output_shape

    def count_params(self):
        return 0

    def get_weights(self):
        return []

    def __repr__(self):
        return f"<tf.keras.layers.InputLayer '{self.name}'>"

    def set_weights(self, weights):
        _set_weights([], weights, f"Layer {self.name}")

    def get_config(self):
        """TF 1.15's: the input's shape with the batch dim, its dtype, ``sparse``, ``ragged`` and the name."""
        return {"batch_input_shape": self.batch_input_shape, "dtype": self.dtype, "sparse": False, "ragged": False,
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def serialize(layer):
    """``{"class_name": "Dense", "config": layer.get_config()}``: a layer (or a model) as plain data."""
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """The layer — or model, ``{"class_name": "Sequential", ...}`` — that a configuration (``serialize``'s)
    describes; a class of one's own is found in ``custom_objects``."""
    from .training import Model, Sequential  # (here: training.py imports this module)
    classes = {name: value for name, value in globals().items()
               if isinstance(value, type) and issubclass(value, (Layer, InputLayer))}
    classes.update(Model=Model, Sequential=Sequential)
    return deserialize_keras_object(config, classes, custom_objects, "layer", "a layer class of your own")


# the recurrent, merge and spatial layers, built on the machinery above (imported last: those modules import this one)
from .recurrent import GRU, LSTM, Bidirectional, SimpleRNN  # noqa: E402,F401
from .merging import (Add, Average, Concatenate, Dot, Lambda, LeakyReLU, Maximum, Minimum,  # noqa: E402,F401
                      Multiply, ReLU, Softmax, Subtract, add, average, concatenate, maximum, minimum, multiply,
                      subtract)
from .spatial import Cropping2D, TimeDistributed, UpSampling2D, ZeroPadding2D  # noqa: E402,F401
from .more_layers import (ELU, Cropping1D, GaussianDropout, GaussianNoise,  # noqa: E402,F401
                          LayerNormalization, Permute, PReLU, RepeatVector, SpatialDropout1D, SpatialDropout2D,
                          UpSampling1D, ZeroPadding1D)
from .conv_layers import (AveragePooling3D, AvgPool3D, Conv3D, Conv3DTranspose,  # noqa: E402,F401
                          Convolution3D, Convolution3DTranspose, DepthwiseConv2D, GlobalAveragePooling3D,
                          GlobalAvgPool3D, GlobalMaxPool3D, GlobalMaxPooling3D, MaxPool3D, MaxPooling3D,
                          SeparableConv1D, SeparableConv2D, SeparableConvolution1D, SeparableConvolution2D)
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells  # noqa: E402,F401
from .rnn_layer import RNN  # noqa: E402,F401
from .attention import AdditiveAttention, Attention  # noqa: E402,F401
from .regularization_layers import ActivityRegularization, AlphaDropout  # noqa: E402,F401
