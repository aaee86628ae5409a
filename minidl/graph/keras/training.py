"""``tf.keras.Model`` and ``tf.keras.Sequential``: a stack of layers with ``compile``, ``fit``, ``evaluate`` and
``predict`` — TensorFlow 1's Keras, which is graph mode underneath::

    model = tf.keras.Sequential([
        tf.keras.layers.Dense(64, activation="relu", input_shape=(64,)),
        tf.keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5, batch_size=32)
    loss, accuracy = model.evaluate(x_test, y_test)

Three ways to make a model, one machinery:

- ``Sequential(layers)``: each layer is called on the previous one's output;
- functional: ``inputs = Input((64,)); outputs = Dense(10)(Dense(64)(inputs)); Model(inputs, outputs)`` — with
  lists of inputs and outputs for a model with several (data then comes as lists, or dicts by input name and by
  output layer name; a loss per output, weighed by ``loss_weights``); called on other tensors, such a model makes
  its layer calls again on them (``functional.py``);
- subclassing: ``class Net(Model)`` sets layers as attributes in ``__init__`` and writes ``call(self, x)``.

*Building* puts the forward pass into the graph: an input placeholder (its shape from ``input_shape`` or from the
first data given), the layers' ops and variables, the output tensor. *Compiling* (at the first ``fit`` or
``evaluate``) adds a placeholder for the targets, the loss — the batch mean of the per-sample losses plus the
layers' regularization penalties — the metrics, and the optimizer's update op. A training step is then one
``Session.run`` of the update op, the layers' own updates (batch norm's moving averages), the loss and the
metrics, with a batch fed and the learning phase set to True. ``evaluate`` and ``predict`` run the loss or the
output with the learning phase False. The session is ``backend.get_session()``.

Sample weights (``sample_weight``, ``class_weight``) weigh each sample's loss, and the ``weighted_metrics``
(logged as ``weighted_acc`` ...), not the plain ``metrics``; ``compile(sample_weight_mode="temporal")`` takes
(samples, steps) weights, one per time step of a sequence output's loss (``_compiled_for``).

An epoch's loss is the sample-weighted mean of its batches' losses — but for a ``tf.data`` dataset (and a
generator being evaluated), which TF 1.15 runs step by step, the plain mean over the steps; every other figure is
a ``Metric`` object (``metrics.py``: a metric given by name or as a function becomes the running mean of its
values; an output's loss, the plain mean of its batch losses) that ``fit`` and ``evaluate`` reset when they start
an epoch, so it reports its value over all the epoch's samples — ``Precision()`` the precision of the epoch, not a
mean of batch precisions — as TF 1.15 does. Batches are drawn in a new order each epoch with numpy's global random
generator (``numpy.random.seed`` makes a run repeatable), and ``validation_split`` takes the *last* fraction of the
samples, before shuffling.

A model with a *stateful* recurrent layer (``LSTM(..., stateful=True)``, ``recurrent.py``) needs a fixed batch
size, which its input declares (``batch_input_shape``, ``Input(batch_shape=...)``): ``fit``, ``evaluate`` and
``predict`` then use it as their batch size and take only a whole number of batches. Their runs carry the layer's
final states over to the next batch (``predict`` and ``evaluate`` too, as in Keras); ``reset_states()`` sets them
back to zeros.
"""
import inspect
import math
import os

import numpy

from .. import basics, math_ops
from ..array_ops import expand_dims, reshape
from ..compat import logging
from ..core import Tensor, TensorShape, get_default_graph
from ..layer_classes import Layer as TFLayer, held_layers
from ..train.saver import NewCheckpointReader, Saver, checkpoint_exists
from . import backend, callbacks as callbacks_module, losses, metrics as metrics_module, model_config, optimizers
from .data_adapter import ArrayBatches, DatasetBatches, GeneratorBatches, is_dataset, is_generator
from .functional import calls_between, flat_tensors, record_call, replay
from .layers import InputLayer, Layer, _calls as _layer_calls, _set_weights
from .utils import Progbar


class Model:
    """A model: ``Model(inputs, outputs)`` (functional) or a subclass with ``call``; see the module docstring."""

    def __init__(self, inputs=None, outputs=None, name=None):
        self.name = name or backend.unique_name(_snake(type(self)))
        self.stop_training = False
        self._trainable = True  # (the ``trainable`` property: set it before compile, as in Keras)
        self.first_call = None  # when it was first called as a layer of another model
        self.optimizer = self.loss = None
        self._graph = None
        self._inputs = self._outputs = None  # lists of tensors, once built
        # what compile collects for training (the trainable weights; the updates of the trainable layers)
        self._compiled = self._train_op = self._collected_trainable = self._collected_updates = None
        self._added_losses = []  # add_loss's
        self._metric_objects = []  # what the logs report beside the loss, as Metric objects (once compiled)
        self._compile_metrics = []  # those of them that compile's metrics made (``metrics``)
        self._weighted_metric_spec, self._sample_weight_mode = [], None  # (compile's)
        self._pending_optimizer_state = {}  # {checkpoint key: value} load_weights read for variables not made yet
        self._target_specs = None  # the shape of one sample's targets, per output with a loss, from the first data
        self._layers = None  # a subclass's layers are the ones it holds (``layers``)
        if (inputs is None) != (outputs is None):
            raise ValueError("Model: give both `inputs` and `outputs` (a functional model), or neither (a subclass "
                             "with a `call` method)")
        if inputs is not None:
            self._inputs, self._outputs = _tensors(inputs, "inputs"), _tensors(outputs, "outputs")
            self._graph = self._outputs[0].graph
            self._layers = _layers_between(self._inputs, self._outputs)

    # ------------------------------------------------------------------------------------------ the layers
    @property
    def layers(self):
        return _held_layers(self) if self._layers is None else list(self._layers)

    @property
    def weights(self):
        return _unique(v for layer in self.layers for v in layer.weights)

    variables = weights

    @property
    def trainable(self):
        """Whether its weights train and its layers' updates run (a frozen base model in transfer learning). Keras
        reads it at ``compile``: set it before."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """Set it for the model and for each of its layers (and theirs), as TF 1.15's setter does: after
        ``model.trainable = False``, ``model.layers[0].trainable`` is False too, and one layer can then be unfrozen
        alone."""
        self._trainable = value
        for layer in self.layers:
            layer.trainable = value

    @property
    def trainable_weights(self):
        return _unique(v for layer in self.layers for v in layer.trainable_weights) if self.trainable else []

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        trainable = set(self.trainable_weights)
        return [v for v in self.weights if v not in trainable]

    @property
    def updates(self):
        """The updates a training step runs: those of the trainable (or stateful) layers — batch norm's moving
        averages, which a frozen batch norm keeps as they are — that this model's own inputs feed, as TF 1.15's
        ``get_updates_for(model.inputs)``: a layer called elsewhere too — a model nested in another, a layer
        shared with another model — also holds updates built on those other inputs, which a step of this model
        cannot run (it does not feed their placeholders)."""
        trained = self._trained_updates()
        inputs = getattr(self, "inputs", None)
        if not inputs:  # (a subclassed model before its first call)
            return trained
        mine = {id(t.op) for t in (inputs if isinstance(inputs, (list, tuple)) else [inputs])}
        return [u for u in trained if _placeholders_feeding(u) <= mine]

    def _trained_updates(self):
        """The updates of the trainable or stateful layers (TF 1.15's ``Layer.updates``, which asks each layer
        on its own), nested models' layers included, whatever inputs they were built on."""
        return [u for layer in self.layers for u in (layer._trained_updates() if isinstance(layer, Model) else
                                                       getattr(layer, "updates", []))]

    def _every_update(self):
        """All the updates of the layers, trainable or not, nested models' layers included, whatever inputs they
        were built on."""
        return [u for layer in self.layers for u in (layer._every_update() if hasattr(layer, "_every_update") else
                                                       layer.updates)]

    @property
    def state_updates(self):
        """The updates of the stateful layers (an RNN's final states kept for the next batch): what ``predict`` and
        ``evaluate`` run beside the outputs, as training runs all ``updates``."""
        return [u for layer in self.layers if getattr(layer, "stateful", False)
                for u in (layer.state_updates if isinstance(layer, Model) else layer.updates)]

    @property
    def stateful(self):
        return any(getattr(layer, "stateful", False) for layer in self.layers)

    def reset_states(self):
        """Zeros into the states of the stateful layers (a new sequence starts)."""
        for layer in self.layers:
            if getattr(layer, "stateful", False):
                layer.reset_states()

    def reset_metrics(self):
        """Start the compiled metrics again from zero (``fit`` and ``evaluate`` do, at the start of each epoch)."""
        for metric in self._metric_objects:
            metric.reset_states()

    @property
    def losses(self):
        """The layers' penalties and the losses given to ``add_loss``: what training adds to the loss (each once: a
        layer may be held twice, or by a layer it also holds)."""
        every = [p for layer in self.layers for p in getattr(layer, "losses", [])] + list(self._added_losses)
        return list({id(p): p for p in every}.values())

    def add_loss(self, losses, inputs=None):
        """Add a loss tensor (or a list) built on the model's tensors to what training minimizes: a VAE's KL
        term, or its whole loss (then ``compile(optimizer)`` with no ``loss``, and ``fit(x)`` with no targets)."""
        self._added_losses.extend(losses if isinstance(losses, (list, tuple)) else [losses])
        self._compiled = self._train_op = None

    inputs = property(lambda self: None if self._inputs is None else list(self._inputs))
    outputs = property(lambda self: None if self._outputs is None else list(self._outputs))
    # one tensor (or shape) for a model with one input (output), else a list, as in Keras
    input = property(lambda self: _one_or_list(self._inputs))
    output = property(lambda self: _one_or_list(self._outputs))
    input_shape = property(lambda self: _one_or_list([tuple(t.shape.as_list()) for t in self._inputs]))
    output_shape = property(lambda self: _one_or_list([tuple(t.shape.as_list()) for t in self._outputs]))
    built = property(lambda self: self._outputs is not None)

    @property
    def batch_input_shape(self):
        """What a Sequential reads of its first layer: a built model with one input declares that input's shape
        (a model inside a model)."""
        return self.input_shape if self._inputs is not None and len(self._inputs) == 1 else None

    @property
    def input_names(self):
        return [t.op.name for t in self._inputs]

    @property
    def output_names(self):
        """The names of the layers that make the outputs (how ``fit``'s target dicts and the logs name them)."""
        names = [getattr(getattr(t, "_keras_layer", None), "name", None) or f"output_{i + 1}"
                 for i, t in enumerate(self._outputs)]
        return _made_unique(names)

    def get_layer(self, name=None, index=None):
        """A layer by ``name`` or by position ``index``."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}.")

    def call(self, inputs, training=None):
        raise NotImplementedError("A subclass of Model must define call(self, inputs)")

    def __call__(self, inputs, training=None):
        """Apply the model to a tensor, or a list of them (its layers keep their variables: the weights are
        shared). A functional model makes its layer calls again on them (``functional.py``). In the model that
        calls it, it is one layer: its weights are this model's (none trainable when ``trainable`` is False).
        ``training`` overrides the learning phase for its layers."""
        if type(self).call is Model.call:
            if self._inputs is None:
                raise NotImplementedError("A subclass of Model must define call(self, inputs)")
            given = _tensors(inputs, "inputs")
            if len(given) != len(self._inputs):
                raise ValueError(f"Layer {self.name} expects {len(self._inputs)} input(s), but it received "
                                 f"{len(given)} input tensor(s)")
            outputs = _one_or_list(replay(self._inputs, self._outputs, given, training))
        else:
            if self._graph is None:
                self._graph = get_default_graph()
            takes_training = "training" in inspect.signature(self.call).parameters
            outputs = self.call(inputs, training=training) if training is not None and takes_training else \
                self.call(inputs)
        if self.first_call is None:
            self.first_call = next(_layer_calls)
        record_call(self, inputs, {} if training is None else {"training": training}, outputs)
        return outputs

    def inner_layers(self):
        """What a model used as a layer holds: the layers the caller must not count again."""
        return self.layers

    def build(self, input_shape):
        """Put the forward pass into the graph for inputs of ``input_shape`` (the batch dim may be None) — or, a
        list of shapes, for a subclassed model whose ``call`` takes a list of inputs (``input_1``, ``input_2``...)."""
        if _several_shapes(input_shape):
            self._build_on([basics.placeholder(backend.floatx(), tuple(shape), name=f"input_{i + 1}")
                            for i, shape in enumerate(input_shape)])
            return
        # a Sequential's input is named after its first layer (``dense_input``, predict({"dense_input": x})), as
        # in Keras
        first = self._layers[0] if isinstance(self, Sequential) and self._layers else None
        name = f"{first.name}_input" if first is not None else "input"
        self._build_on(basics.placeholder(backend.floatx(), tuple(input_shape), name=name))

    def _build_on(self, inputs):
        """Put the forward pass into the graph, starting from the tensor ``inputs`` (or a list of them)."""
        self._graph = (inputs[0] if isinstance(inputs, list) else inputs).graph
        self._inputs = list(inputs) if isinstance(inputs, list) else [inputs]
        # a call(inputs, training=False) runs with the learning phase, as TF 1.15 builds it: fit feeds it True, so
        # dropout and batch norm train (its default would keep them in inference mode for good)
        takes_training = "training" in inspect.signature(self.call).parameters
        outputs = self.call(inputs, training=backend.learning_phase()) if takes_training else self.call(inputs)
        self._outputs = _tensors(outputs, "call's result")

    # --------------------------------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, sample_weight_mode=None,
                weighted_metrics=None, target_tensors=None, **kwargs):
        """Choose the optimizer (a name or an object), the loss (a name, a ``Loss`` or a function
        ``(y_true, y_pred)``) and the metrics to report (names such as ``"accuracy"``, or functions). A model with
        several outputs takes one loss for all, or a list or a dict (by output name) of them, with
        ``loss_weights`` (list or dict; an output it leaves out weighs 1) to weigh them in the total; ``metrics``
        is a list for every output, or a dict of lists by output name. An output left out of the loss dict (or
        None in the list) has no loss: it is not trained, and fit and evaluate take no targets for it.

        ``weighted_metrics`` (given as ``metrics`` are) are reported as ``weighted_<name>`` (TF 1's name:
        ``weighted_acc``) and weigh each sample's (or step's) value by its ``sample_weight`` and ``class_weight``:
        sum(w · value) / sum(w); ``metrics`` ignore those weights. ``sample_weight_mode="temporal"`` (one for all
        outputs, or a list or dict of ``None``/``"temporal"`` per output) makes ``sample_weight`` a 2-D array
        (samples, timesteps) that weighs each time step's loss of a sequence output (targets at least 3-D:
        (samples, timesteps, 1) class labels) — see ``_compiled_for`` for the loss it makes."""
        if target_tensors is not None:
            raise NotImplementedError("compile: target_tensors is not supported")
        if kwargs:
            raise TypeError(f"compile: unexpected keyword argument(s) {', '.join(sorted(kwargs))}")
        for option, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value is not None and not isinstance(value, (list, tuple, dict)):
                raise TypeError(f"Type of `{option}` argument not understood. Expected a list or dictionary, found: "
                                f"{value!r}")
        _check_modes(sample_weight_mode)
        # every name is checked now, not at the first fit, and before anything changes
        new_optimizer = optimizers.get(optimizer)
        for identifier in loss.values() if isinstance(loss, dict) else loss if isinstance(loss, (list, tuple)) \
                else [] if loss is None else [loss]:
            if identifier is not None:  # (an output without a loss: no targets, not trained)
                losses.get(identifier)
                _reduction(identifier)
        for spec in (metrics, weighted_metrics):
            for group in spec.values() if isinstance(spec, dict) else (spec or []):
                for identifier in group if isinstance(group, (list, tuple)) else [group]:
                    metrics_module.get(identifier)
        if self._outputs is not None:  # built: the per-output entries are checked now
            for spec, what in ((loss, "loss"), (loss_weights, "loss_weights"), (metrics or [], "metrics"),
                               (weighted_metrics or [], "weighted_metrics")):
                if spec is not None:
                    _per_output(spec, self.output_names, what)
            if sample_weight_mode is not None:
                _modes_of(sample_weight_mode, self.output_names, _per_output(loss, self.output_names, "loss"))
        self.optimizer, self.loss = new_optimizer, loss
        _give_home(new_optimizer, self._graph)
        self._metric_spec, self._loss_weights = metrics or [], loss_weights
        self._weighted_metric_spec, self._sample_weight_mode = weighted_metrics or [], sample_weight_mode
        self._compiled = self._train_op = self._target_specs = None  # new targets' placeholders at the next use
        self._compile_metrics = []
        # the weights training will update, and the layers' updates it runs, are those of the layers trainable
        # *now*, as Keras collects them at compile: the GAN recipe compiles the discriminator, then sets its
        # trainable to False for the combined model, and the discriminator's own training still updates it (a
        # model built later collects them when it is built)
        self._collected_trainable = self._collected_updates = None
        if self._outputs is not None:
            self._collected_trainable, self._collected_updates = list(self.trainable_weights), self.updates
        self._put_optimizer_state()  # (a checkpoint loaded before compile: its state goes to this optimizer)

    def _compiled_for(self):
        """(([targets per output], sample weights) placeholders, loss, {name: tensor} of what the logs report
        beside the loss): built once, at the first use.

        An output's loss is the batch mean of its per-sample losses, each times its sample's weight (TF 1.x Keras'
        "sum over batch size", or the sum for a ``Loss`` object whose ``reduction`` is SUM; the weights are ones
        unless ``sample_weight``/``class_weight`` say otherwise); the total is their ``loss_weights``-weighted sum
        plus the layers' penalties. With several outputs the logs also report each output's loss and metrics as
        ``<output>_loss``, ``<output>_<metric>``; ``<output>_loss`` is the plain mean of its batch losses (TF 1.15's
        ``Mean`` metric, given no weights: each batch counts once, whatever its size). An output without a loss
        (left out of a loss dict, or None in a loss list) takes no targets, and has no loss or metrics.

        A model with one output to score, compiled without a ``sample_weight_mode``, has one placeholder of
        per-sample weights. Otherwise each output with a loss has its own (one array given for all is fed to each):
        (samples,) weights, or for a "temporal" output (samples,
        steps) weights, one per time step of the loss (a loss per step: a sequence output). As TF 1.15's
        ``compute_weighted_loss`` with SUM_OVER_BATCH_SIZE, such an output's loss is
        sum over samples and steps of w[n, t] · mask[n, t] · loss[n, t], divided by the *number* of losses
        (samples × steps; not by the sum of the weights), the mask that of a masked sequence (ones without one).
        ``weighted_metrics`` take the same weights (times the mask); ``metrics`` the mask only."""
        if self.optimizer is None:
            raise RuntimeError("You must compile your model before training/testing. Use `model.compile(optimizer, "
                               "loss)`.")
        if self._compiled is None:
            names = self.output_names
            with self._graph.as_default():
                loss_ids = _per_output(self.loss, names, "loss")
                per_output = self._sample_weight_mode is not None or sum(loss is not None for loss in loss_ids) > 1
                if not per_output:  # one placeholder, the model's one output with a loss
                    weights = basics.placeholder(backend.floatx(), (None,), name="sample_weights")
                    modes, fed_weights = [None] * len(names), weights
                else:  # one per output with a loss: (samples,) weights, or (samples, steps) for "temporal"
                    modes = _modes_of(self._sample_weight_mode, names, loss_ids)
                    fed_weights = [basics.placeholder(backend.floatx(), (None,) if mode is None else (None, None),
                                                      name=f"{name}_sample_weights")
                                   for name, mode, loss in zip(names, modes, loss_ids) if loss is not None]
                    output_weights = iter(fed_weights)
                factors = _per_output(1.0 if self._loss_weights is None else self._loss_weights, names,
                                      "loss_weights")
                metric_ids = _per_output(self._metric_spec, names, "metrics")
                weighted_ids = _per_output(self._weighted_metric_spec, names, "weighted_metrics")
                total, output_losses, metrics, all_targets, objects, loss_means = 0.0, {}, {}, [], [], []
                if all(loss is None for loss in loss_ids) and not self.losses:
                    raise ValueError("The model cannot be compiled because it has no loss to optimize: give "
                                     "compile a loss, or the model one with add_loss")
                target_specs = iter(self._target_specs or [])  # (one per output with a loss)
                for i, (output, name) in enumerate(zip(self._outputs, names)):
                    if loss_ids[i] is None:  # (no targets: trained on add_loss's losses, or not trained)
                        if isinstance(self.loss, dict):
                            logging.warning(f'Output "{name}" missing from loss dictionary. We assume this was done '
                                            f'on purpose. The fit and evaluate APIs will not be expecting any data '
                                            f'to be passed to "{name}".')
                        continue
                    mask = getattr(output, "_keras_mask", None)  # padded steps of a sequence output count 0
                    mask = None if mask is None else math_ops.cast(mask, output.dtype)
                    function = losses.get(loss_ids[i])
                    kind = type(loss_ids[i]).function if isinstance(loss_ids[i], losses.Loss) else function
                    target_spec = next(target_specs)
                    _check_targets(target_spec, output.shape.as_list(), kind)
                    # targets are fed as the output's dtype, as in TF 1's Keras (the sparse losses cast them)
                    targets = basics.placeholder(output.dtype, (None,) + target_spec, name=f"{name}_target")
                    all_targets.append(targets)
                    per_sample = function(targets, output)
                    if mask is not None:  # as TF 1's Keras: the mask weighs each step's loss (the mean still
                        per_sample = per_sample * mask  # counts every step, as its "sum over batch size" does)
                    rank = per_sample.shape.rank
                    if per_output:
                        weights = next(output_weights)
                    if modes[i] == "temporal":  # a weight per step: (samples, steps) against the losses
                        if rank is not None and rank < 2:
                            raise ValueError(f'sample_weight_mode="temporal" weighs each time step\'s loss, but '
                                             f'the loss of output "{name}" gives one loss per sample (output shape '
                                             f'{tuple(output.shape.as_list())}); it needs a loss per time step')
                        sample_weights = weights
                        for _ in range((rank or 2) - 2):  # (losses with more dims: each step's all weigh w)
                            sample_weights = expand_dims(sample_weights, -1)
                    else:
                        # a sample's weight weighs each of its losses (a loss per time step, say), then the Loss
                        # object's reduction makes one number of them (a function's: the mean)
                        sample_weights = reshape(weights, [-1] + [1] * (rank - 1)) if rank and rank > 1 else weights
                    output_loss = losses.compute_weighted_loss(per_sample * sample_weights,
                                                               reduction=_reduction(loss_ids[i]))
                    total = total + float(factors[i]) * output_loss
                    prefix = f"{name}_" if len(names) > 1 else ""
                    if prefix:  # (the plain mean of the batch losses)
                        loss_means.append(metrics_module.Mean(name=f"{name}_loss"))
                        output_losses[f"{name}_loss"] = loss_means[-1](output_loss)
                    # the metrics, then the weighted metrics (TF 1.15's order), these with the sample weights
                    # times the mask (the weights shaped as the mask: a sample's weight for each of its steps)
                    weighted_by = _times_mask(weights, mask) if weighted_ids[i] else None
                    for metric_ids_i, weighing, weighted in ((metric_ids[i], mask, False),
                                                             (weighted_ids[i], weighted_by, True)):
                        for metric_name, metric in _metrics_by_name(metric_ids_i, kind, output.shape.as_list(),
                                                                    weighted).items():
                            if not isinstance(metric, metrics_module.Metric):  # a function: its running mean
                                metric = metrics_module.MeanMetricWrapper(metric, name=metric_name)
                            elif any(metric is other for other in objects):  # its totals would mix two outputs
                                raise ValueError(f"compile: the metric object {metric.name!r} is given twice (for "
                                                 f"several outputs, or weighted and not?); give each its own object")
                            objects.append(metric)
                            metrics[len(metrics)] = (prefix + metric_name,
                                                     metric(targets, output, sample_weight=weighing))
                for penalty in self.losses:
                    total = total + penalty
                # what the logs report beside the loss, in metrics_names' order: the outputs' losses, then the
                # metrics (a repeated name gets _1, _2 ..., as in Keras)
                names = _made_unique(["loss"] + list(output_losses) + [n for n, _ in metrics.values()])[1:]
                reported = dict(zip(names, list(output_losses.values()) + [t for _, t in metrics.values()]))
                self._compiled = (all_targets, fed_weights), total, reported
                self._metric_objects, self._compile_metrics = loss_means + objects, objects
                self._train_op = None
        return self._compiled

    def _training_for(self):
        """``_compiled_for``'s tensors and the training op: the optimizer's update and the layers' own updates
        (built at the first training step: a model that is only evaluated needs no optimizer slots)."""
        targets, loss, metrics = self._compiled_for()
        if self._train_op is None:
            _give_home(self.optimizer, self._graph)
            with self._graph.as_default():
                if self._collected_trainable is None:
                    self._collected_trainable, self._collected_updates = list(self.trainable_weights), self.updates
                if self._collected_trainable:
                    steps = [self.optimizer.minimize(loss, var_list=self._collected_trainable)]
                else:  # as Keras: a frozen model still runs the updates of its stateful layers
                    logging.warning("The list of trainable weights is empty. Make sure that you are not setting "
                                    "model.trainable to False before compiling the model.")
                    steps = []
                self._train_op = basics.group(*steps, *self._collected_updates)
            self._put_optimizer_state()  # (into the slots the step has just made)
        return targets, loss, metrics, self._train_op

    @property
    def metrics_names(self):
        """``["loss", <metric names>]``: what ``evaluate``'s list holds, in order (known once the model is built
        and compiled)."""
        if self._outputs is None or self.optimizer is None:
            return ["loss"]
        names = self.output_names
        metric_ids = _per_output(self._metric_spec, names, "metrics")
        weighted_ids = _per_output(self._weighted_metric_spec, names, "weighted_metrics")
        scored = [loss is not None for loss in _per_output(self.loss, names, "loss")]  # (the others: no targets)
        prefix = [f"{name}_" if len(names) > 1 else "" for name in names]
        return _made_unique(["loss"] + [f"{name}_loss" for name, s in zip(names, scored) if s and len(names) > 1] + [
            prefix[i] + metric_name for i in range(len(names)) if scored[i]
            for ids, weighted in ((metric_ids[i], False), (weighted_ids[i], True))
            for metric_name in _metrics_by_name(ids, weighted=weighted)])

    @property
    def metrics(self):
        """The ``Metric`` objects of compile's ``metrics`` and ``weighted_metrics`` (a name or function given there
        as its ``MeanMetricWrapper``), as TF 1.15 lists them: made with the loss, at the first ``fit``, ``evaluate`` or
        ``train_on_batch`` (the targets' shapes come from the data), so empty before."""
        return list(self._compile_metrics)

    # ------------------------------------------------------------------------------------------- config
    def get_config(self):
        """The architecture of a functional model as TF 1.15 saves it (``model_config.py``): its layers' configs
        and the calls between them. A subclassed model has none: its architecture is its Python code."""
        if type(self).call is not Model.call or self._inputs is None:
            raise NotImplementedError(f"get_config: {type(self).__name__} is a subclassed model, whose architecture is "
                                      f"its Python code: it has no config (save its weights with save_weights and "
                                      f"make it again in code)")
        return model_config.functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The model ``get_config`` describes, with new weights (classes of one's own from ``custom_objects``)."""
        return model_config.functional_from_config(cls, config, custom_objects)

    def to_json(self, **kwargs):
        """The model's config as JSON text (``tf.keras.models.model_from_json`` reads it); ``kwargs`` go to
        ``json.dumps``."""
        return model_config.to_json(self, **kwargs)

    # --------------------------------------------------------------------------------- the loops
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_freq=1, **kwargs):
        """Train for ``epochs`` passes over (x, y) — numpy arrays in batches of ``batch_size`` (32), a ``tf.data``
        dataset of (x, y) batches (``steps_per_epoch`` of them per epoch, default: until it ends), or a Python
        generator (``steps_per_epoch`` needed) or ``keras.utils.Sequence`` of them; returns a ``History``.
        ``validation_freq``: validate every that many epochs, or (a list) after the epochs it names, from 1."""
        _unsupported("fit", **kwargs)
        _check_validation_freq(validation_freq)
        if is_generator(x):
            _no_arrays_with_dataset("fit", y=y, batch_size=batch_size, sample_weight=sample_weight,
                                    validation_split=validation_split or None)
            train = self._generator_batches(x, steps_per_epoch, "fit", class_weight, shuffle=shuffle)
        elif is_dataset(x):
            _no_arrays_with_dataset("fit", y=y, batch_size=batch_size, sample_weight=sample_weight,
                                    class_weight=class_weight, validation_split=validation_split or None)
            train = self._dataset_batches(x, steps_per_epoch, "fit", training=True)
        else:
            _unsupported("fit", steps_per_epoch=steps_per_epoch)
            xs, ys = self._arrays(x, y, "fit")
            w = self._weights_for(xs, ys, sample_weight, class_weight, "fit")
            if validation_split and validation_data is None:
                if not 0.0 < validation_split < 1.0:
                    raise ValueError(f"validation_split must be in (0, 1), got {validation_split}")
                split = int(len(w) * (1.0 - validation_split))  # the last samples, as Keras takes them
                validation_data = ([a[split:] for a in xs], [a[split:] for a in ys], w[split:])
                xs, ys, w = [a[:split] for a in xs], [a[:split] for a in ys], w[:split]
            train = self._array_batches(xs, ys, w, batch_size, shuffle)
        validation = None
        if is_generator(validation_data):
            validation = self._generator_batches(validation_data, validation_steps, "fit's validation_data")
        elif validation_data is not None:
            validation = self._dataset_batches(validation_data, validation_steps, "fit's validation_data",
                                                restart=True) \
                if is_dataset(validation_data) else self._array_batches(
                    *self._validation_arrays(validation_data), batch_size, False)
        placeholders, loss, metrics, train_op = self._training_for()
        fetches = [train_op, loss] + list(metrics.values())
        names = ["loss"] + list(metrics)
        history = self.history = callbacks_module.History()  # (Keras keeps it: model.history.history)
        hooks = list(callbacks or []) + [history]  # history last: it records what the others added (lr)
        if verbose:  # counting steps for a dataset run steps_per_epoch at a time
            hooks.append(callbacks_module.ProgbarLogger(
                "steps" if train.samples is None and steps_per_epoch is not None else "samples"))
        params = {"epochs": epochs, "samples": train.samples, "steps": steps_per_epoch,
                  "batch_size": getattr(train, "batch_size", None), "verbose": verbose,
                  "metrics": names + ([f"val_{n}" for n in names] if validation is not None else []),
                  "do_validation": validation is not None}
        for hook in hooks:
            hook.set_model(self)
            hook.set_params(params)
        if verbose and train.samples is not None:
            print(f"Train on {train.samples} samples" + (
                f", validate on {validation.samples} samples" if validation is not None else ""))
        session = self._session()
        self.stop_training = False
        _call(hooks, "on_train_begin", None)  # (logs, as Keras passes them)
        for epoch in range(initial_epoch, epochs):
            if self.stop_training:  # (set by a callback, on_train_begin's too: TF 1.15 asks before each epoch)
                break
            _call(hooks, "on_epoch_begin", epoch, {})
            self.reset_metrics()
            loss_sum, seen, values = 0.0, 0, []
            for batch, (xb, yb, wb) in enumerate(train.epoch(session)):
                size = _logged_size(train, wb)  # (also what the batch's loss weighs in the epoch's)
                _call(hooks, "on_train_batch_begin", batch, {"batch": batch, "size": size})
                values = [_figure(v) for v in self._run(fetches, xb, placeholders, yb, wb, training=True)[1:]]
                loss_sum += values[0] * size
                seen += size
                # the batch's loss; the metrics so far this epoch
                logs = dict(zip(names, values), batch=batch, size=size)
                _call(hooks, "on_train_batch_end", batch, logs)
                if self.stop_training:
                    break
            if getattr(train, "exhausted", False):  # a dataset shorter than steps_per_epoch * epochs (TF warned)
                self.stop_training = True
                if not seen:
                    break
            if not seen:
                raise ValueError("Empty training data.")
            logs = dict(zip(names, [loss_sum / seen] + values[1:]))
            if validation is not None and _validates_after(epoch, validation_freq) and not self.stop_training:
                logs.update((f"val_{n}", s) for n, s in zip(names, self._evaluate(validation, hooks=hooks)))
            _call(hooks, "on_epoch_end", epoch, logs)
        _call(hooks, "on_train_end", None)
        return history

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None, callbacks=None):
        """The loss (and the metrics: then a list ``[loss, metric ...]``) over (x, y) — arrays, or a dataset of
        (x, y) batches (``steps`` of them, default: all) — in inference mode."""
        if is_generator(x):
            _no_arrays_with_dataset("evaluate", y=y, batch_size=batch_size, sample_weight=sample_weight)
            source = self._generator_batches(x, steps, "evaluate")
        elif is_dataset(x):
            _no_arrays_with_dataset("evaluate", y=y, batch_size=batch_size, sample_weight=sample_weight)
            source = self._dataset_batches(x, steps, "evaluate")
        else:
            _unsupported("evaluate", steps=steps)
            xs, ys = self._arrays(x, y, "evaluate")
            source = self._array_batches(xs, ys, self._weights_for(xs, ys, sample_weight, None, "evaluate"),
                                         batch_size)
        progress = Progbar(source.samples, verbose=verbose) if verbose else None
        scores = self._evaluate(source, progress, hooks=self._hooked(callbacks, verbose, source))
        return scores[0] if len(scores) == 1 else scores

    def _hooked(self, callbacks, verbose, source):
        """``callbacks`` given the model and the run's parameters, as ``evaluate`` and ``predict`` hand them over."""
        hooks = list(callbacks or [])
        for hook in hooks:
            hook.set_model(self)
            hook.set_params({"verbose": verbose, "samples": source.samples, "steps": getattr(source, "steps", None)})
        return hooks

    def _evaluate(self, source, progress=None, reset_metrics=True, hooks=()):
        """[the loss, the metrics] over the batches of ``source``: the mean of the batch losses — weighted by their
        sizes for arrays, a plain mean over the steps for a dataset or a generator, which TF 1.15 evaluates step
        by step — and the metrics' values after the last batch (from zero, unless ``reset_metrics`` is False).
        ``hooks``: the callbacks told of the test and of each batch."""
        placeholders, loss, metrics = self._compiled_for()
        fetches = [loss] + list(metrics.values()) + self.state_updates
        names = ["loss"] + list(metrics)
        if reset_metrics:
            self.reset_metrics()
        _call(hooks, "on_test_begin", {})
        loss_sum, seen, values = 0.0, 0, []
        for batch, (xb, yb, wb) in enumerate(source.epoch(self._session())):
            size = _logged_size(source, wb)
            _call(hooks, "on_test_batch_begin", batch, {"batch": batch, "size": size})
            values = self._run(fetches, xb, placeholders, yb, wb, training=False)[:len(metrics) + 1]
            values = [_figure(v) for v in values]
            weight = len(wb) if isinstance(source, ArrayBatches) else 1
            loss_sum += values[0] * weight
            seen += weight
            _call(hooks, "on_test_batch_end", batch, dict(zip(names, values), batch=batch, size=size))
            if progress is not None:
                progress.update(seen, list(zip(names, [loss_sum / seen] + values[1:])), finalize=False)
        if not seen:
            raise ValueError("Empty evaluation data: nothing to score.")
        scores = [loss_sum / seen] + values[1:]
        _call(hooks, "on_test_end", dict(zip(names, scores)))
        if progress is not None:
            progress.update(seen, list(zip(names, scores)), finalize=True)
        return scores

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None):
        """The model's output for every sample of ``x`` (a numpy array — a list or dict of them for several
        inputs —, or a dataset of input batches), computed in batches, in inference mode; a list of arrays for a
        model with several outputs."""
        if is_generator(x):
            _no_arrays_with_dataset("predict", batch_size=batch_size)
            source = self._generator_batches(x, steps, "predict", needs_targets=False)
        elif is_dataset(x):
            _no_arrays_with_dataset("predict", batch_size=batch_size)
            source = self._dataset_batches(x, steps, "predict", needs_targets=False)
        else:
            _unsupported("predict", steps=steps)
            xs = self._inputs_as_list(x, "predict")
            source = self._array_batches(xs, None, numpy.ones(len(xs[0]), numpy.float32), batch_size)
        fetches = self._outputs + self.state_updates
        hooks = self._hooked(callbacks, verbose, source)
        _call(hooks, "on_predict_begin", {})
        parts = []
        for batch, (xb, _, wb) in enumerate(source.epoch(self._session())):
            _call(hooks, "on_predict_batch_begin", batch, {"batch": batch, "size": len(wb)})
            parts.append(self._run(fetches, xb, training=False))
            _call(hooks, "on_predict_batch_end", batch, {"batch": batch, "size": len(wb),
                                                         "outputs": _one_or_list(parts[-1][:len(self._outputs)])})
        _call(hooks, "on_predict_end", {})
        return _one_or_list([numpy.concatenate([part[i] for part in parts]) if parts else numpy.zeros(
            (0,) + tuple(d or 0 for d in output.shape.as_list()[1:]), output.dtype.as_numpy_dtype)
            for i, output in enumerate(self._outputs)])

    def predict_proba(self, x, batch_size=32, verbose=0):
        """``predict``, under the name old Keras programs use for probability outputs."""
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """The predicted class of each sample: the argmax of the outputs, or for one output unit, 1 where it
        exceeds 0.5."""
        p = self.predict(x, batch_size=batch_size, verbose=verbose)
        return p.argmax(axis=-1) if p.shape[-1] > 1 else (p > 0.5).astype("int32")

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None, reset_metrics=True):
        """One update on one batch; the loss (and metrics) of that batch before the update — the metrics over the
        batches since the last reset when ``reset_metrics`` is False."""
        xs, ys = self._arrays(x, y, "train_on_batch")
        w = self._weights_for(xs, ys, sample_weight, class_weight, "train_on_batch")
        self._built_for(xs, ys)
        placeholders, loss, metrics, train_op = self._training_for()
        if reset_metrics:
            self.reset_metrics()
        values = self._run([train_op, loss] + list(metrics.values()), xs, placeholders, ys, w, training=True)[1:]
        values = [_figure(v) for v in values]
        return values[0] if len(values) == 1 else values

    def test_on_batch(self, x, y, sample_weight=None, reset_metrics=True):
        xs, ys = self._arrays(x, y, "test_on_batch")
        w = self._weights_for(xs, ys, sample_weight, None, "test_on_batch")
        scores = self._evaluate(self._array_batches(xs, ys, w, max(len(w), 1)), reset_metrics=reset_metrics)
        return scores[0] if len(scores) == 1 else scores

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=max(len(self._inputs_as_list(x, "predict_on_batch")[0]), 1))

    # ------------------------------------------------------------------------ batches and the session
    def _inputs_as_list(self, x, what):
        """``x`` as one numpy array per input: an array, or a list or a dict (by input name) of them."""
        if is_dataset(x):
            raise NotImplementedError(f"{what}: pass a dataset as the first argument, alone")
        if self._inputs is None:  # not built yet: a subclassed model takes the list of arrays it is given
            several = isinstance(x, (list, tuple)) and len(x) > 1 and not isinstance(self, Sequential) and \
                all(isinstance(a, numpy.ndarray) for a in x)
            names = [f"input_{i + 1}" for i in range(len(x))] if several else ["input"]
            return _arrays_of(x, names, what, "inputs")
        return _arrays_of(x, self.input_names, what, "inputs")

    def _arrays(self, x, y, what):
        """(arrays per input, arrays per output with a loss) with as many samples each; one target per sample
        becomes a column, as in Keras, to line up with a (batch, 1) output."""
        xs = self._inputs_as_list(x, what)
        if y is None and self._without_targets():
            return xs, []
        names = self._target_names() if self._outputs is not None else ["output"]
        if isinstance(y, dict):  # (data for an output without a loss is not needed, and is left alone, as in TF)
            y = {name: a for name, a in y.items() if name in names or name not in self.output_names}
        elif self._outputs is not None and isinstance(y, (list, tuple)) and len(names) < len(y) == len(self._outputs):
            raise ValueError(f"{what}: only the outputs with a loss take targets ({', '.join(names)}): pass "
                             f"{len(names)} target array(s), not one for each of the {len(y)} outputs")
        ys = [a[:, None] if a.ndim == 1 else a for a in _arrays_of(y, names, what, "targets")]
        counts = [len(a) for a in xs], [len(a) for a in ys]
        if len(set(counts[0] + counts[1])) > 1:
            shown = [c[0] if len(c) == 1 else c for c in counts]
            raise ValueError(f"{what}: Input arrays should have the same number of samples as target arrays. Found "
                             f"{shown[0]} input samples and {shown[1]} target samples.")
        return xs, ys

    def _without_targets(self):
        """Compiled with no loss: it trains on ``add_loss``'s losses, and takes no targets."""
        return self.optimizer is not None and self.loss is None

    def _target_names(self):
        """The names of the outputs that take targets: once compiled, those with a loss (TF 1.15 expects no data
        for the others)."""
        names = self.output_names
        if self.optimizer is None:  # (not compiled yet: fit and evaluate will say so)
            return names
        return [name for name, loss in zip(names, _per_output(self.loss, names, "loss")) if loss is not None]

    def _weights_for(self, xs, ys, sample_weight, class_weight, what):
        """The weights fed with a batch: for a model with one output to score, compiled without a
        ``sample_weight_mode``, one per sample (``_sample_weights``); otherwise a ``_PerOutput`` of weights per
        output with a loss, each checked against its mode (``_output_weights``)."""
        if (self._sample_weight_mode is None and len(ys or ()) < 2) or not ys:
            return _sample_weights(xs, ys, sample_weight, class_weight, what)
        self._built_for(xs, ys)  # (the outputs' names and losses are needed)
        names = self.output_names
        loss_ids = _per_output(self.loss, names, "loss")
        modes = [mode for mode, loss in zip(_modes_of(self._sample_weight_mode, names, loss_ids), loss_ids)
                 if loss is not None]
        return _output_weights(ys, sample_weight, class_weight, modes, self._target_names(), what)

    def _validation_arrays(self, validation_data):
        """(inputs, targets, sample weights) from fit's ``validation_data`` tuple."""
        if len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weights), or a "
                             "dataset")
        xs, ys = self._arrays(*validation_data[:2], "fit's validation_data")
        weights = validation_data[2] if len(validation_data) == 3 else None
        return xs, ys, self._weights_for(xs, ys, weights, None, "fit's validation_data")

    def _built_for(self, xs, ys=None, sample_shape=None, target_shapes=None):
        """Build the model (if not built yet) for inputs like ``xs`` (arrays) or of one sample's ``sample_shape``,
        and note the shape one sample's targets have per output (from ``ys``, or given), for the targets'
        placeholders."""
        if self._outputs is None:
            if xs is not None and len(xs) != 1:  # a subclassed model's call takes the list
                self.build([(None,) + tuple(x.shape[1:]) for x in xs])
            else:
                self.build((None,) + tuple(xs[0].shape[1:] if xs is not None else sample_shape))
        if ys is not None and not self._without_targets():
            target_shapes = [y.shape[1:] for y in ys]
        if target_shapes is not None and self._target_specs is None:
            names = self._target_names()
            if len(target_shapes) != len(names):
                raise ValueError(f"The model takes targets for {len(names)} output(s) ({', '.join(names)}), but "
                                 f"{len(target_shapes)} target arrays were given")
            self._target_specs = [tuple(shape) for shape in target_shapes]

    def _array_batches(self, xs, ys, w, batch_size, shuffle=False):
        self._built_for(xs, ys)
        batch_size = self._batch_size_for(batch_size)
        if self.stateful and len(w) % batch_size:  # a last, smaller batch would not fit the states' batch size
            raise ValueError(f"In a stateful network, you should only pass inputs with a number of samples that can "
                             f"be divided by the batch size. Found: {len(w)} samples")
        return ArrayBatches(xs, ys, w, batch_size, shuffle)

    def _batch_size_for(self, batch_size):
        """The batch size: the one the first input declares (``batch_input_shape``; a stateful RNN needs one),
        which ``batch_size`` may only repeat, else ``batch_size`` (default 32) — TF's
        ``_validate_or_infer_batch_size``."""
        declared = self._inputs[0].shape.as_list()[0] if self._inputs[0].shape.rank_known else None
        if declared is None:
            return _batch_size(batch_size)
        if batch_size is not None and batch_size != declared:
            raise ValueError(f"The `batch_size` argument value {batch_size} is incompatible with the specified batch "
                             f"size of your Input Layer: {declared}")
        return declared

    def _batch_reader(self, what, class_weight=None, needs_targets=True, source="a generator"):
        """``element -> (xs, ys, weights)`` for the elements a generator or a dataset yields: (x, y) or (x, y,
        sample_weights) tuples of numpy arrays — x (and y) an array, a list, or a dict by input (output) name —
        or, for ``predict``, x alone; the first one builds the model if it is not built yet."""
        def to_batch(element):
            parts = list(element) if isinstance(element, tuple) else [element]
            if len(parts) > 3 or (needs_targets and len(parts) < 2):
                raise ValueError(f"{what}: {source} must yield (inputs, targets) or (inputs, targets, "
                                 f"sample_weights) tuples, got {len(parts)} component(s)")
            x, y, weights = (parts + [None, None])[:3]
            if not needs_targets:
                xs = self._inputs_as_list(x, what)
                self._built_for(xs)
                return xs, None, numpy.ones(len(xs[0]), numpy.float32)
            xs, ys = self._arrays(x, y, what)
            self._built_for(xs, ys)
            return xs, ys, self._weights_for(xs, ys, weights, class_weight, what)
        return to_batch

    def _generator_batches(self, source, steps, what, class_weight=None, needs_targets=True, shuffle=False):
        """Batches from a Python generator or a ``Sequence`` (``_batch_reader``'s elements)."""
        return GeneratorBatches(source, steps, what, self._batch_reader(what, class_weight, needs_targets), shuffle)

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """``fit`` on batches a generator (or a ``Sequence``) yields, Keras' older spelling (the batches are
        drawn in this process, one after another: ``workers`` and the queue are accepted and not needed)."""
        return self.fit(generator, epochs=epochs, verbose=verbose, callbacks=callbacks,
                        validation_data=validation_data, class_weight=class_weight, initial_epoch=initial_epoch,
                        steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                        validation_freq=validation_freq, shuffle=shuffle)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def _dataset_batches(self, dataset, steps, what, needs_targets=True, restart=False, training=False):
        """Batches of a ``tf.data`` dataset (``_batch_reader``'s elements: dicts of inputs too). A model not built
        yet is built from the static shape of the dataset's one input."""
        if self._graph is not None and dataset._graph is not self._graph:
            raise ValueError(f"{what}: the dataset belongs to another graph than the model (make it while the "
                             f"model's graph is the default)")
        shapes = dataset.output_shapes  # the element's structure, with each component's static shape
        if self._outputs is None:
            inputs = shapes[0] if isinstance(shapes, tuple) and not isinstance(shapes, TensorShape) else shapes
            if not isinstance(inputs, TensorShape):
                raise ValueError(f"{what}: a model built from its first data takes one input, got a dataset of "
                                 f"{type(inputs).__name__}")
            self._built_for(None, sample_shape=inputs.as_list()[1:])
        if needs_targets and isinstance(shapes, tuple) and not isinstance(shapes, TensorShape) and len(shapes) >= 2:
            targets = shapes[1]
            targets = [targets[name] for name in self._target_names()] if isinstance(targets, dict) else \
                [targets] if isinstance(targets, TensorShape) else list(targets)  # (a TensorShape is a tuple too)
            self._built_for(None, target_shapes=[t.as_list()[1:] or [1] for t in targets])
        return DatasetBatches(dataset, self._graph, steps, what,
                              self._batch_reader(what, needs_targets=needs_targets, source="a dataset"),
                              restart=restart, training=training)

    def _session(self):
        with self._graph.as_default():
            return backend.get_session()

    def _run(self, fetches, xs, placeholders=None, ys=None, w=None, training=False):
        """``Session.run`` of ``fetches`` with a batch fed: the inputs ``xs`` (one array per input), and with
        ``placeholders`` (targets per output, sample weights) the targets ``ys`` and the weights ``w``."""
        with self._graph.as_default():
            session = backend.get_session()
            feed = {t: x.astype(t.dtype.as_numpy_dtype, copy=False) for t, x in zip(self._inputs, xs)}
            if placeholders is not None:
                all_targets, weights = placeholders
                for targets, y in zip(all_targets, ys):
                    wanted = tuple(targets.shape.as_list()[1:])
                    if None not in wanted and y[0].size != math.prod(wanted):
                        raise ValueError(f"Error when checking target: expected targets of shape (None,) + {wanted} "
                                         f"(as the model was first trained or evaluated with), got {y.shape}")
                    feed[targets] = y.astype(targets.dtype.as_numpy_dtype, copy=False).reshape((len(y),) + wanted)
                if isinstance(weights, list):  # one placeholder per output (compiled with a sample_weight_mode)
                    feed.update(zip(weights, w.arrays if isinstance(w, _PerOutput) else [w] * len(weights)))
                else:
                    feed[weights] = w
            phase = backend.learning_phase()
            if not isinstance(phase, int):
                feed[phase] = training
            return session.run(fetches, feed)

    # ------------------------------------------------------------------------------------- weights
    def get_weights(self):
        """The values of all weights (numpy arrays), in the order of ``model.weights`` (none before it is built)."""
        if self._outputs is None:
            return []
        with self._graph.as_default():
            return backend.batch_get_value(self.weights)

    def set_weights(self, weights):
        self._require_built("set_weights")
        with self._graph.as_default():
            _set_weights(self.weights, weights, f"Model {self.name}")

    def _require_built(self, what):
        if self._outputs is None:
            raise ValueError(f"{what}: build the model first (give the first layer an input_shape, or call "
                             "fit/predict once) so that its weights exist")

    def save_weights(self, filepath, overwrite=True, save_format=None):
        """Write the weights to a checkpoint at prefix ``filepath`` (``tf.train.Saver``'s format). Weights are
        matched by position, not by name, so a freshly built copy of the model (whose layers may be named
        ``dense_2`` ...) loads them. The compiled optimizer's state goes with them, as TF 1.15's checkpoint of a
        model holds its optimizer: its step count, learning rate and slots (Adam's moments), those training has
        made so far — so that training resumed after ``load_weights`` goes on as if it had not stopped."""
        _refuse_hdf5(filepath, save_format)
        self._require_built("save_weights")
        if not overwrite and checkpoint_exists(filepath):
            raise FileExistsError(f"save_weights: {filepath} exists and overwrite=False")
        os.makedirs(os.path.dirname(os.path.abspath(filepath)), exist_ok=True)  # as Keras does: "ckpts/cp-01"
        with self._graph.as_default():
            Saver({**self._positional_names(), **self._optimizer_variables()}, max_to_keep=None).save(
                backend.get_session(), filepath, write_meta_graph=False)

    def load_weights(self, filepath):
        """Load weights written by ``save_weights`` (the model must be built), and the optimizer state the
        checkpoint holds: now into the optimizer's variables that exist, and into those not made yet (the slots
        of a model not trained yet) when the first training step makes them — as TF 1.15 restores an optimizer's
        variables when they are created."""
        _refuse_hdf5(filepath, None)
        self._require_built("load_weights")
        with self._graph.as_default():
            Saver(self._positional_names()).restore(backend.get_session(), filepath)
        reader = NewCheckpointReader(filepath)
        self._pending_optimizer_state = {key: reader.get_tensor(key) for key in reader.get_variable_to_shape_map()
                                         if key.startswith(_OPTIMIZER_KEY) or _SLOT_KEY in key}
        self._put_optimizer_state()

    def _put_optimizer_state(self):
        """Load the optimizer state ``load_weights`` read into the optimizer's variables, each once: a Keras
        optimizer's step count and learning rate at once (made now if need be: a learning rate set afterwards
        stays as set), the slots when the first training step makes them."""
        if not self._pending_optimizer_state or self.optimizer is None or self._graph is None:
            return
        with self._graph.as_default():
            if isinstance(self.optimizer, optimizers.Optimizer):
                self.optimizer.iterations, self.optimizer.learning_rate  # (reading them makes them)
            variables = self._optimizer_variables()
            ready = [key for key in self._pending_optimizer_state if key in variables]
            backend.batch_set_value([(variables[key], self._pending_optimizer_state.pop(key)) for key in ready])

    def _optimizer_variables(self):
        """{checkpoint key: variable} of the compiled optimizer's state in this model's graph, those made so far,
        named as TF 1.15's checkpoints name them: a Keras optimizer's step count and learning rate,
        ``optimizer/iter`` and ``optimizer/learning_rate``, and each weight's slots,
        ``layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m``."""
        optimizer = self.optimizer
        if optimizer is None:
            return {}
        state = {f"{_OPTIMIZER_KEY}{name}": optimizer._get_non_slot_variable(f"{optimizer.get_name()}/{name}",
                                                                            self._graph)
                 for name in ("iter", "learning_rate")}
        state.update((f"{key}{_SLOT_KEY}{name}", optimizer.get_slot(variable, name))
                     for key, variable in self._positional_names().items() for name in optimizer.get_slot_names())
        return {key: variable for key, variable in state.items() if variable is not None}

    def _positional_names(self):
        names, position = {}, 0
        for layer in self.layers:
            if layer.weights:
                for variable in layer.weights:
                    names[f"layer_with_weights-{position}/{variable.op.name.split('/')[-1]}"] = variable
                position += 1
        return names

    def save(self, filepath, *args, **kwargs):
        raise NotImplementedError("Model.save writes HDF5 or SavedModel files, which minidl does not: the model is "
                                  "your code; save its weights with model.save_weights(path)")

    def count_params(self):
        return sum(math.prod(v.shape.as_list()) for v in self.weights)

    def _connections(self):
        """{layer: ["inbound[call][output]", ...]} for a functional model whose layers are not one chain (Keras
        prints a "Connected to" column then), else None: the tensors each call of a layer took, named by the layer
        that made them, which of its calls in the model, and which of its outputs."""
        if type(self).call is not Model.call or isinstance(self, Sequential):
            return None
        calls = calls_between(self._inputs, self._outputs)
        made_by = {}  # id(tensor) -> (layer, call index of that layer, output index)
        counts = {}
        for call in calls:
            index = counts.get(call.layer, 0)
            counts[call.layer] = index + 1
            for k, tensor in enumerate(flat_tensors(call.outputs)):
                made_by[id(tensor)] = (call.layer, index, k)
        for tensor in self._inputs:
            made_by[id(tensor)] = (tensor._keras_layer, 0, 0)
        inbound = [[made_by[id(t)] for t in flat_tensors(call.inputs)] for call in calls]
        chain = len(self._inputs) == 1 and all(n == 1 for n in counts.values()) and all(
            len(ins) == 1 and (ins[0][0] is (calls[k - 1].layer if k else self._inputs[0]._keras_layer))
            for k, ins in enumerate(inbound))
        if chain:
            return None
        connections = {}
        for call, ins in zip(calls, inbound):
            connections.setdefault(call.layer, []).extend(f"{layer.name}[{node}][{k}]" for layer, node, k in ins)
        return connections

    def summary(self, line_length=None, print_fn=print):
        """A table of the layers: name (type), output shape, number of parameters — and, for a functional model
        that is not one chain of layers, what each layer's calls take (``layer[call][output]``, as Keras prints
        them); then the totals."""
        if self._outputs is None:
            raise ValueError("This model has not yet been built. Build the model first by calling `build()` or "
                             "calling `fit()` with some data, or specify an `input_shape` argument in the first "
                             "layer(s) for automatic build.")
        connections = self._connections()
        headers = ("Layer (type)", "Output Shape", "Param #") + (("Connected to",) if connections else ())
        line_length = line_length or (98 if connections else 65)
        # Keras' column positions, as fractions of the line
        ends = [int(line_length * p) for p in ((.33, .55, .67, 1.) if connections else (.45, .85, 1.))]
        columns = [end - start for start, end in zip([0] + ends, ends)]
        print_fn(f'Model: "{self.name}"')
        print_fn("_" * line_length)
        print_fn(_row(headers, columns))
        print_fn("=" * line_length)
        for i, layer in enumerate(self.layers):
            shape = _shape_text([layer.output] if isinstance(layer, InputLayer) else layer.output)  # Keras: [(..)]
            fields = (f"{layer.name} ({type(layer).__name__})", shape, layer.count_params())
            inbound = connections.get(layer, []) if connections else None
            print_fn(_row(fields + ((inbound[0] if inbound else "",) if connections else ()), columns))
            for more in (inbound or [])[1:]:
                print_fn(_row(("", "", "", more), columns))
            print_fn(("=" if i == len(self.layers) - 1 else "_") * line_length)
        trainable = sum(math.prod(v.shape.as_list()) for v in self.trainable_weights)
        print_fn(f"Total params: {self.count_params():,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {self.count_params() - trainable:,}")
        print_fn("_" * line_length)


# how a checkpoint of save_weights names the optimizer's variables (TF 1.15's object-graph keys, less their
# "/.ATTRIBUTES/VARIABLE_VALUE" ending)
_OPTIMIZER_KEY, _SLOT_KEY = "optimizer/", "/.OPTIMIZER_SLOT/optimizer/"


def load_model(filepath, custom_objects=None, compile=True):
    """Refused: a Keras model file holds the model's code as configuration, which minidl does not save."""
    raise NotImplementedError(f"load_model({filepath!r}): minidl saves no whole models (HDF5/SavedModel); build the "
                              f"model in code and call model.load_weights(path) with a file from save_weights")


class Sequential(Model):
    """Layers applied one after another: ``Sequential([Dense(64, input_shape=(64,)), Dense(10)])``, or
    ``model.add(layer)`` one at a time. Built as soon as the first layer knows its input shape, else at the first
    ``fit``/``predict`` from the data."""

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._layers = []
        self._batch_input_shape = None
        self._input_tensor = None  # the tensor of an ``Input`` that starts the model, if one does
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        if isinstance(layer, InputLayer) or (not self._layers and getattr(layer, "batch_input_shape", None)):
            if self._layers:
                raise ValueError("Sequential: an InputLayer (or input_shape) can only start the model")
            self._batch_input_shape = layer.batch_input_shape
            if isinstance(layer, InputLayer):  # the layer of an Input() tensor: the model starts from that tensor
                self._input_tensor = layer.output
        if not isinstance(layer, InputLayer):
            if not isinstance(layer, (Layer, Model)):
                raise TypeError(f"The added layer must be an instance of class Layer. Found: {layer!r}")
            self._layers.append(layer)
        if self._outputs is not None:  # already built: the new layer joins the graph at once
            with self._graph.as_default():
                self._outputs = [layer(self._outputs[0])]
            self._compiled = None
        elif self._batch_input_shape is not None and self._layers:
            self.build(self._batch_input_shape)

    def pop(self):
        """Remove the last layer: the model's output becomes the one before (already in the graph, from the
        build); the compiled loss and training op are made again at the next use."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        self._layers.pop()
        if self._outputs is not None:
            self._outputs = [self._layers[-1].output] if self._layers else None
            self._compiled = self._train_op = None

    def build(self, input_shape=None):
        """Put the layers into the graph: from the ``Input`` tensor that starts the model, else from a new
        placeholder of ``input_shape``."""
        if self._input_tensor is not None:
            self._build_on(self._input_tensor)
        else:
            super().build(input_shape)

    def get_config(self):
        """``{"name", "layers": [{"class_name", "config"}, ...]}``, as TF 1.15 saves a Sequential model."""
        return model_config.sequential_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return model_config.sequential_from_config(cls, config, custom_objects)

    @property
    def layers(self):
        return list(self._layers)

    def call(self, inputs, training=None):
        for layer in self._layers:
            inputs = layer(inputs)
        return inputs


# ------------------------------------------------------------------------------------------------ helpers

def _logged_size(source, weights):
    """A batch's ``size`` in the callbacks' logs, as TF 1.15 gives it: its number of samples (``weights`` has one
    each) — but 1 for a batch of a ``tf.data`` dataset, which TF 1.15 runs as one step (so ``fit``'s loss on a
    dataset is the plain mean over its steps)."""
    return 1 if isinstance(source, DatasetBatches) else len(weights)


def _figure(value):
    """A figure for the logs: a float, or an array (a metric with several thresholds has a value for each)."""
    return float(value) if numpy.ndim(value) == 0 else numpy.asarray(value)


def _call(hooks, method, *args):
    for hook in hooks:
        getattr(hook, method)(*args)


def _snake(cls):
    name = cls.__name__
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _tensors(tensors, what):
    """A model's inputs or outputs as a list of tensors (one tensor, or a list/tuple of them)."""
    tensors = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    if not tensors:
        raise ValueError(f"Model: {what} must hold at least one tensor")
    for tensor in tensors:
        if not hasattr(tensor, "op"):
            raise TypeError(f"Model: {what} must be tensors (from tf.keras.Input or a layer), got {tensor!r}")
    return tensors


def _one_or_list(items):
    """Keras' convention for a model's inputs, outputs and their shapes: the one item, or the list of them."""
    if items is None:
        return None
    return items[0] if len(items) == 1 else list(items)


# what an output left out of a dict of ``compile``'s gets, as in TF 1.15: no loss (it takes no targets), a loss
# weight of 1, no metrics
_LEFT_OUT = {"loss": None, "loss_weights": 1.0, "metrics": [], "weighted_metrics": [], "sample_weight_mode": None}


def _per_output(spec, names, what):
    """``compile``'s ``spec`` (one thing for all outputs, a list in output order, or a dict by output name) as one
    entry per output (``what`` — "loss", "loss_weights", "metrics", "weighted_metrics" or "sample_weight_mode" —
    says what a dict's left-out outputs get)."""
    if isinstance(spec, dict):
        unknown = set(spec) - set(names)
        if unknown:
            raise ValueError(f"Unknown entries in {what} dictionary: {sorted(unknown)}. Only expected following keys: "
                             f"{names}")
        return [spec.get(name, _LEFT_OUT[what]) for name in names]
    # a list is one entry per output — but metrics=["acc"] is a list of metrics for every output, and only a list
    # of lists is metrics per output
    lists_of_metrics = what in ("metrics", "weighted_metrics")
    per_output = isinstance(spec, (list, tuple)) and (not lists_of_metrics or bool(spec) and all(
        isinstance(group, (list, tuple)) for group in spec))
    if per_output:
        if len(spec) != len(names):
            raise ValueError(f"When passing a list as {what}, it should have one entry per model output. The model "
                             f"has {len(names)} outputs, but you passed {what}={spec!r}")
        return list(spec)
    return [spec] * len(names)


def _metrics_by_name(identifiers, loss_function=None, output_shape=None, weighted=False):
    """``{name: function or Metric}`` of one output's ``compile`` metrics (a name, function or ``Metric``, or a list
    of them), keyed by name as TF 1.15's ``collect_per_output_metric_info`` keys them: a second metric of a name
    already there (``"accuracy"`` after ``"acc"``) takes its place, and is reported once. ``weighted`` (those of
    ``weighted_metrics``): the names start with ``weighted_``, as TF 1's ``get_metric_name`` makes them
    (``weighted_acc``)."""
    found = {}
    for identifier in [identifiers] if isinstance(identifiers, str) else identifiers:
        name, metric = metrics_module.get(identifier, loss_function, output_shape)
        found["weighted_" + name if weighted else name] = metric
    return found


_TEMPORAL = "temporal"


def _check_modes(sample_weight_mode):
    """``compile``'s ``sample_weight_mode``: None, "temporal", or a list or dict of them (per output)."""
    if isinstance(sample_weight_mode, dict):
        modes = list(sample_weight_mode.values())
    elif isinstance(sample_weight_mode, (list, tuple)):
        modes = list(sample_weight_mode)
    else:
        modes = [sample_weight_mode]
    for mode in modes:
        if mode is not None and mode != _TEMPORAL:
            raise ValueError(f'"sample_weight_mode should be None or "temporal". Found: {mode}')


def _modes_of(sample_weight_mode, names, loss_ids):
    """The weight mode of each output (None or "temporal"), as TF 1.15's ``prepare_sample_weight_modes`` reads
    ``sample_weight_mode``: one for all, a list of one per output, or a dict by output name, which must name every
    output with a loss."""
    if isinstance(sample_weight_mode, dict):
        for name, loss in zip(names, loss_ids):
            if loss is not None and name not in sample_weight_mode:
                raise ValueError(f"Output {name} missing from `_sample_weight_modes` dictionary")
    elif isinstance(sample_weight_mode, (list, tuple)) and len(sample_weight_mode) != len(names):
        raise ValueError(f"When passing a list as sample_weight_mode, it should have one entry per model output. The "
                         f"model has {len(names)} outputs, but you passed {len(sample_weight_mode)}"
                         f"_sample_weight_modes.")
    return _per_output(sample_weight_mode, names, "sample_weight_mode")


def _times_mask(weights, mask):
    """The sample weights times an output's mask (a masked sequence's: padded steps weigh 0), shaped as the mask
    — one sample's weight for each of its steps — as TF 1.15's ``call_metric_function`` combines them."""
    if mask is None:
        return weights
    if weights.shape.rank == mask.shape.rank - 1:
        weights = expand_dims(weights, -1)
    return weights * mask


def _reduction(loss):
    """How ``fit`` reduces an output's weighted per-sample losses: a ``Loss`` object's ``reduction`` (TF 1.15
    honours it), the mean for a loss given by name or as a function."""
    reduction = loss.reduction if isinstance(loss, losses.Loss) else losses.Reduction.AUTO
    if reduction == losses.Reduction.NONE:
        raise NotImplementedError(f"compile: the loss {loss.name or type(loss).__name__} has reduction NONE, which "
                                  f"leaves one loss per sample; training needs one number: give it SUM or "
                                  f"SUM_OVER_BATCH_SIZE")
    return reduction


def _give_home(optimizer, graph):
    """Tell a Keras optimizer the graph of the model it now serves, where its learning-rate variable belongs."""
    if graph is not None and hasattr(optimizer, "home_graph"):
        optimizer.home_graph = graph


def _unique(variables):
    """The variables in order, each once (a layer can be reached twice)."""
    return list(dict.fromkeys(variables))


def _made_unique(names):
    """``names`` with repeats numbered as Keras numbers them: ``shared``, ``shared_1`` ..."""
    seen, out = {}, []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}_{count}")
    return out


def _shape_text(output):
    """What ``summary`` shows of a layer's output: its shape, a list of shapes, or "multiple"."""
    if output is None:
        return "multiple"
    if isinstance(output, (list, tuple)):
        return str([tuple(t.shape.as_list()) for t in output])
    return str(tuple(output.shape.as_list()))


def _layers_between(inputs, outputs):
    """The Keras layers whose calls lie on the way from ``inputs`` to ``outputs`` (every op between them is
    visited: a layer called twice, or plain ops between layers, hide nothing), in the order of their first
    calls. Every input must be used, and no other placeholder may be needed."""
    found, seen, stack = {}, set(), list(outputs)
    while stack:
        tensor = stack.pop()
        if tensor in seen:
            continue
        seen.add(tensor)
        layer = getattr(tensor, "_keras_layer", None)
        if layer is not None:
            found[id(layer)] = layer
        if not any(tensor is t for t in inputs):
            if tensor.op.type == "Placeholder":
                raise ValueError(f"Graph disconnected: cannot obtain value for tensor {tensor.name}: the outputs "
                                 f"need it, and it is not among the model's inputs")
            stack.extend(tensor.op.inputs)
    for tensor in inputs:
        if tensor not in seen:
            raise ValueError(f"Model: the outputs were not computed from the input {tensor.name} (Graph "
                             f"disconnected)")
    # a wrapper (TimeDistributed, Bidirectional, a model used as a layer) stands for the layers inside it
    inside = set()
    for layer in found.values():
        stack = list(getattr(layer, "inner_layers", list)())
        while stack:
            inner = stack.pop()
            inside.add(id(inner))
            stack.extend(getattr(inner, "inner_layers", list)())
    return sorted((layer for key, layer in found.items() if key not in inside), key=lambda layer: layer.first_call)


def _held_layers(model):
    """The layers a subclassed model holds as attributes (directly, or in lists, tuples and dicts), in the order
    they were set — Keras layers, and ``tf.layers`` ones, which TF 1.15 builds on Keras' — a model held is one layer
    (its trainable flag counts)."""
    return held_layers(model, (TFLayer, Model))


def _several_shapes(input_shape):
    """Whether ``input_shape`` is a list of shapes (one per input) rather than one shape."""
    return isinstance(input_shape, list) and bool(input_shape) and \
        all(isinstance(shape, (list, tuple)) for shape in input_shape)


def _arrays_of(data, names, what, kind):
    """``data`` as one numpy array per name (of the model's inputs or outputs): an array (one input/output), a
    list in order, or a dict by name."""
    if data is None:
        raise ValueError(f"{what}: {kind} are needed")
    if isinstance(data, dict):
        missing, unknown = [n for n in names if n not in data], sorted(set(data) - set(names))
        if missing or unknown:
            raise ValueError(f"{what}: No data provided for {missing or unknown}. Need data for each key in: {names}")
        data = [data[name] for name in names]
    elif len(names) > 1:
        if not isinstance(data, (list, tuple)) or len(data) != len(names):
            raise ValueError(f"{what}: the model has {len(names)} {kind} ({', '.join(names)}): pass a list (or a dict "
                             f"by name) of {len(names)} arrays")
    elif isinstance(data, (list, tuple)) and data and isinstance(data[0], numpy.ndarray):
        if len(data) != 1:  # Keras reads a list of arrays as one array per input, never as rows to stack
            raise ValueError(f"{what}: the model has 1 {kind[:-1]} ({names[0]}), but a list of {len(data)} arrays was "
                             f"passed; pass the one array (stack the rows with numpy.stack first if they are samples)")
        data = [data[0]]  # [x], as functional-API code passes the one input
    else:
        data = [data]
    arrays = [numpy.asarray(a) for a in data]
    for a in arrays:
        if a.dtype == object:
            raise ValueError(f"{what}: the {kind} are not rectangular arrays (ragged rows, or more arrays than the "
                             f"model has {kind}?)")
        if a.ndim == 0:
            raise ValueError(f"{what}: {kind} must have a batch dim, got a scalar")
    return arrays


_SAME_SHAPE_LOSSES = ("mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy")


def _check_targets(target_shape, output_shape, loss_function):
    """The target shapes Keras' built-in losses accept (TF 1's check_loss_and_target_compatibility): the output's
    for the losses that compare elementwise, one class index per sample for the sparse cross-entropy."""
    name = getattr(loss_function, "__name__", "")
    if name == "sparse_categorical_crossentropy":
        steps = output_shape[1:-1]  # (a sequence of unknown length: its labels are counted when fed)
        if None not in steps and math.prod(target_shape) != math.prod(steps):
            raise ValueError(f"sparse_categorical_crossentropy expects one integer class label per sample (targets "
                             f"of shape (samples,) or (samples, 1)), got targets of shape (samples,) + "
                             f"{target_shape} for an output of shape {tuple(output_shape)}; one-hot rows go with "
                             f"loss='categorical_crossentropy'")
    elif name == "categorical_crossentropy" and target_shape and target_shape[-1] == 1:
        # one "class" per sample: the softmax of one unit is 1, so the loss is 0 from the start and nothing learns
        raise ValueError(f"You are passing a target array of shape (samples,) + {target_shape} while using as loss "
                         f"`categorical_crossentropy`, which expects one-hot rows of shape (samples, classes). For "
                         f"integer classes use loss='sparse_categorical_crossentropy' (or to_categorical); for a "
                         f"yes/no target and one sigmoid unit, loss='binary_crossentropy'.")
    elif name in _SAME_SHAPE_LOSSES and any(t != o for t, o in zip(target_shape, output_shape[1:]) if o is not None) \
            or name in _SAME_SHAPE_LOSSES and len(target_shape) != len(output_shape) - 1:
        hint = (" If your targets are integer classes, convert them with to_categorical or use "
                "loss='sparse_categorical_crossentropy'.") if name == "categorical_crossentropy" else ""
        raise ValueError(f"A target array with shape (samples,) + {target_shape} was passed for an output of shape "
                         f"{tuple(output_shape)} while using as loss `{name}`. This loss expects targets to have the "
                         f"same shape as the output.{hint}")


def _sample_weights(xs, ys, sample_weight, class_weight, what):
    """One float32 weight per sample, for a model with at most one output to score: ``sample_weight`` (an array,
    one per sample) times the ``class_weight`` of the sample's class (a dict class -> weight; the class is the
    label, or the argmax of a one-hot row)."""
    y = ys[0] if ys else xs[0]  # (no targets: a model trained on add_loss's losses)
    if class_weight is not None and not ys:
        raise ValueError(f"{what}: class_weight needs targets")
    weights = numpy.ones(len(y), numpy.float32)
    if sample_weight is not None:
        if isinstance(sample_weight, dict):
            raise NotImplementedError(f"{what}: sample weights by output name for a model with one output to score; "
                                      f"give the array of weights itself")
        sample_weight = numpy.asarray(sample_weight, numpy.float32)
        _check_rank(sample_weight, None)
        if sample_weight.shape != (len(y),):
            raise ValueError(f"{what}: sample_weight must hold one weight per sample, shape ({len(y)},); got shape "
                             f"{sample_weight.shape}")
        weights *= sample_weight
    if class_weight is not None:
        weights *= _class_weights(y, class_weight, what)
    return weights


def _class_weights(y, class_weight, what):
    """The ``class_weight`` of each sample's class (the label, or the argmax of a one-hot row), float32."""
    if y.ndim > 2:  # (a sequence's labels: TF 1.15 has no class weights per time step)
        raise ValueError("`class_weight` not supported for 3+ dimensional targets.")
    classes = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    missing = set(numpy.unique(classes).tolist()) - set(class_weight)
    if missing:
        raise ValueError(f"{what}: class_weight has no weight for class(es) {sorted(missing)}")
    return numpy.array([class_weight[c] for c in classes.tolist()], numpy.float32)


def _check_rank(sample_weight, mode):
    """TF 1.15's errors for weights whose rank does not fit the output's ``sample_weight_mode``."""
    if mode == _TEMPORAL and sample_weight.ndim != 2:
        raise ValueError(f"Found a sample_weight array with shape {sample_weight.shape}. In order to use timestep-wise "
                         f"sample weighting, you should pass a 2D sample_weight array.")
    if mode is None and sample_weight.ndim != 1:
        raise ValueError(f'Found a sample_weight array with shape {sample_weight.shape}. In order to use '
                         f'timestep-wise sample weights, you should specify sample_weight_mode="temporal" in '
                         f'compile(). If you just mean to use sample-wise weights, make sure your sample_weight '
                         f'array is 1D.')


class _PerOutput:
    """Sample weights per output with a loss — (samples,) or, for a "temporal" output, (samples, steps) arrays —
    cut into batches as one array is (``len``, and rows by index or slice)."""

    def __init__(self, arrays):
        self.arrays = list(arrays)

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, rows):
        return _PerOutput([a[rows] for a in self.arrays])


def _output_weights(ys, sample_weight, class_weight, modes, names, what):
    """The weights of each output with a loss (``names``, their targets ``ys``, their ``modes``) for a model
    compiled with a ``sample_weight_mode``, as TF 1.15's ``standardize_weights`` makes them: ``sample_weight`` is
    one array for every output (minidl's, as without a mode), a list of one per output, or a dict by output name
    (an output left out, or given None, weighs 1); a "temporal" output needs targets of at least 3 dims and takes
    (samples, steps) weights, any other (samples,) weights. ``class_weight`` (one output only, not "temporal")
    multiplies them."""
    if sample_weight is None:
        given = [None] * len(names)
    elif isinstance(sample_weight, _PerOutput):  # (made already: fit's validation_split passes on its part)
        given = sample_weight.arrays
    elif isinstance(sample_weight, dict):
        unknown = sorted(set(sample_weight) - set(names))
        if unknown:
            raise ValueError(f"Unknown entries in sample_weight dictionary: {unknown}. Only expected following keys: "
                             f"{names}")
        given = [sample_weight.get(name) for name in names]
    elif isinstance(sample_weight, (list, tuple)) and (len(names) > 1 or len(sample_weight) == 1 and (
            sample_weight[0] is None or numpy.ndim(sample_weight[0]) >= 1)):
        if len(sample_weight) != len(names):
            raise ValueError(f"Provided `sample_weight` was a list of {len(sample_weight)} elements, but the model "
                             f"has {len(names)} outputs. You should provide one `sample_weight`array per model "
                             f"output.")
        given = list(sample_weight)
    else:
        given = [sample_weight] * len(names)
    if class_weight is not None and len(ys) > 1:
        raise NotImplementedError(f"{what}: class_weight with several outputs; give sample_weight")
    arrays = []
    for y, w, mode in zip(ys, given, modes):
        if mode == _TEMPORAL and y.ndim < 3:
            raise ValueError(f'Found a sample_weight array for an input with shape {y.shape}. Timestep-wise sample '
                             f'weighting (use of sample_weight_mode="temporal") is restricted to outputs that are at '
                             f'least 3D, i.e. that have a time dimension.')
        weights = numpy.ones(y.shape[:2] if mode == _TEMPORAL else y.shape[:1], numpy.float32)
        if w is not None:
            w = numpy.asarray(w, numpy.float32)
            _check_rank(w, mode)
            if w.shape != weights.shape:
                raise ValueError(f"{what}: sample_weight must hold one weight per sample, shape ({len(y)},); got "
                                 f"shape {w.shape}" if mode is None else
                                 f"Found a sample_weight array with shape {w.shape} for an input with shape "
                                 f"{y.shape}. sample_weight cannot be broadcast.")
            weights *= w
        if class_weight is not None:
            weights *= _class_weights(y, class_weight, what)
        arrays.append(weights)
    return _PerOutput(arrays)


def _batch_size(batch_size):
    if batch_size is None:
        return 32
    if not isinstance(batch_size, (int, numpy.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def _no_arrays_with_dataset(what, **options):
    given = [name for name, value in options.items() if value is not None]
    if given:
        raise ValueError(f"{what}: with a dataset as x, {', '.join(given)} must not be given (the dataset yields "
                         f"the batches, with their targets and weights)")


def _check_validation_freq(validation_freq):
    if isinstance(validation_freq, int):
        if validation_freq < 1:
            raise ValueError("`validation_freq` can not be less than 1.")
    elif not isinstance(validation_freq, (list, tuple, set, range)):
        raise ValueError(f"`validation_freq` must be an Integer or `collections_abc.Container` (e.g. list, tuple, "
                         f"etc.), got {validation_freq!r}")


def _validates_after(epoch, validation_freq):
    """Whether fit validates after ``epoch`` (from 0): every ``validation_freq``-th epoch, or those listed."""
    return (epoch + 1) % validation_freq == 0 if isinstance(validation_freq, int) else epoch + 1 in validation_freq


def _unsupported(what, **options):
    given = [name for name, value in options.items() if value is not None]
    if given:
        raise NotImplementedError(f"{what}: {', '.join(given)} not supported by minidl's Keras")


def _refuse_hdf5(filepath, save_format):
    if save_format == "h5" or str(filepath).endswith((".h5", ".hdf5", ".keras")):
        raise NotImplementedError(f"{filepath}: HDF5 files need h5py, which minidl does not use; give a path "
                                  f"without the .h5 ending (a TensorFlow-style checkpoint is written)")


def _row(fields, widths):
    """The fields in columns of ``widths`` characters (a field too long for its column is cut, and keeps one
    space before the next)."""
    line, end = "", 0
    for field, width in zip(fields, widths):
        if line:
            line = line[:-1] + " "
        end += width
        line = (line + str(field))[:end].ljust(end)
    return line


def _placeholders_feeding(update):
    """The ids of the placeholders (without a default) that ``update`` (a tensor or an operation) depends on."""
    found, seen = set(), set()
    stack = [update.op if isinstance(update, Tensor) else update]
    while stack:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        if op.type == "Placeholder":
            found.add(id(op))
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return found
