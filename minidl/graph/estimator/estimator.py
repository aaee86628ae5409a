"""``tf.estimator.Estimator``: TF 1.x's training program packaged as an object — the graph, the session, the
checkpoints and the loop are the Estimator's; the user writes two functions::

    def input_fn():                                     # where the data comes from: a tf.data.Dataset
        return tf.data.Dataset.from_tensor_slices(({"x": x_train}, y_train)).shuffle(1000).repeat().batch(32)

    def model_fn(features, labels, mode, params):       # the model, for one of three modes
        logits = tf.layers.dense(tf.layers.dense(features["x"], 64, tf.nn.relu), 10)
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"class": tf.argmax(logits, 1)})
        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        if mode == tf.estimator.ModeKeys.EVAL:
            accuracy = tf.metrics.accuracy(labels, tf.argmax(logits, 1))
            return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops={"accuracy": accuracy})
        train_op = tf.train.AdamOptimizer().minimize(loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    estimator = tf.estimator.Estimator(model_fn, model_dir="model")
    estimator.train(input_fn, steps=1000)              # a fresh graph, restored from model/ if it holds a checkpoint
    estimator.evaluate(eval_input_fn)                  # {"accuracy": ..., "loss": ..., "global_step": 1000}
    for prediction in estimator.predict(predict_input_fn): ...

Every call builds a **new graph** from the two functions, in the mode it needs, and talks to the others only
through the checkpoints in ``model_dir``: ``train`` runs a ``MonitoredTrainingSession`` (restore or initialize,
hooks, a checkpoint at the end), ``evaluate`` and ``predict`` restore the latest checkpoint into their own graph.
So a model is trained in one process and evaluated in another, and training resumes where it stopped.

``train`` adds its hooks: ``StopAtStepHook`` (``steps`` more, or up to ``max_steps``; neither: until the input
ends), ``NanTensorHook`` on the loss, ``LoggingTensorHook`` (loss and step every ``log_step_count_steps``) and
``CheckpointSaverHook`` (as ``RunConfig`` says), and a ``loss`` summary. ``evaluate`` runs every metric's update
op over the evaluation data (all of it, or ``steps`` batches), adds the mean loss, and reports the metrics' values
at the end, also as summaries in ``model_dir/eval``. ``predict`` yields one prediction per example.
"""
import collections
import copy
import inspect
import os
import tempfile

from .. import metrics
from ..basics import group
from ..compat import logging
from ..core import Graph, GraphKeys, Operation, Tensor, get_default_graph
from ..data import Dataset
from ..iterator_ops import make_one_shot_iterator
from ..random_ops import set_random_seed
from ..variables import Variable
from ..summary import FileWriterCache, Summary, scalar
from ..train.basic_hooks import (CheckpointSaverHook, CheckpointSaverListener, FinalOpsHook, LoggingTensorHook,
                                 NanTensorHook, StopAtStepHook)
from ..train.monitored_session import ChiefSessionCreator, MonitoredSession, MonitoredTrainingSession, Scaffold
from ..train.init_from_checkpoint import init_from_checkpoint
from ..train.saver import Saver, latest_checkpoint, list_variables, load_variable
from ..train.schedules import get_or_create_global_step
from ..train.session_run_hook import SessionRunHook
from .export_outputs import export_outputs_for_predict

__all__ = ["Estimator", "EstimatorSpec", "ModeKeys", "RunConfig", "WarmStartSettings"]


class ModeKeys:
    """What ``model_fn`` is asked to build: the training graph, the evaluation graph or the prediction graph."""
    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


_MODES = (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT)


class EstimatorSpec(collections.namedtuple("EstimatorSpec", [
        "mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs", "training_chief_hooks",
        "training_hooks", "scaffold", "evaluation_hooks", "prediction_hooks"])):
    """What ``model_fn`` returns: for TRAIN a ``loss`` (0-d) and a ``train_op``; for EVAL a ``loss`` and
    optionally ``eval_metric_ops`` ({name: (value, update_op)}, e.g. from ``tf.metrics``); for PREDICT
    ``predictions`` (a tensor, or a dict of tensors whose first dim is the batch). Hooks per mode, and a
    ``Scaffold``, may come along. ``export_outputs`` ({signature key: ``tf.estimator.export.PredictOutput`` ...},
    for ``export_saved_model``) defaults in PREDICT mode to ``{"serving_default": PredictOutput(predictions)}``."""

    def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None, export_outputs=None,
                training_chief_hooks=None, training_hooks=None, scaffold=None, evaluation_hooks=None,
                prediction_hooks=None):
        if mode not in _MODES:
            raise ValueError(f"EstimatorSpec: mode must be one of tf.estimator.ModeKeys (train, eval, infer), got "
                             f"{mode!r}")
        if mode in (ModeKeys.TRAIN, ModeKeys.EVAL) and loss is None:
            raise ValueError("Missing loss.")
        if mode == ModeKeys.TRAIN and train_op is None:
            raise ValueError("Missing train_op.")
        if mode == ModeKeys.PREDICT and predictions is None:
            raise ValueError("Missing predictions.")
        if loss is not None:
            if not isinstance(loss, Tensor):
                raise TypeError(f"loss must be Tensor, given: {loss!r}")
            if loss.shape.rank_known and loss.shape.num_elements() not in (None, 1):
                raise ValueError(f"Loss must be scalar, given: {loss}")
            if loss.shape.rank not in (None, 0):
                from ..array_ops import reshape
                loss = reshape(loss, [])
        if train_op is not None:
            if not isinstance(train_op, (Operation, Tensor)):
                raise TypeError(f"train_op must be Operation or Tensor, given: {train_op!r}")
        for name, value in (predictions.items() if isinstance(predictions, dict) else
                            ([("predictions", predictions)] if predictions is not None else [])):
            if not isinstance(value, Tensor):
                raise TypeError(f"predictions[{name!r}] must be Tensor, given: {value!r}")
        eval_metric_ops = dict(eval_metric_ops or {})
        for key, value in eval_metric_ops.items():
            if not (isinstance(value, tuple) and len(value) == 2):
                raise TypeError(f"Values of eval_metric_ops must be (metric_value, update_op) tuples, given: {value!r} "
                                f"for key: {key}")
        hook_lists = [list(hooks or ()) for hooks in (training_chief_hooks, training_hooks, evaluation_hooks,
                                                      prediction_hooks)]
        for hook in (h for hooks in hook_lists for h in hooks):
            if not isinstance(hook, SessionRunHook):
                raise TypeError(f"All hooks must be SessionRunHook instances, given: {hook!r}")
        if scaffold is not None and not isinstance(scaffold, Scaffold):
            raise TypeError(f"scaffold must be tf.train.Scaffold. Given: {scaffold!r}")
        if mode == ModeKeys.PREDICT:
            export_outputs = export_outputs_for_predict(export_outputs, predictions)
        return super().__new__(cls, mode, predictions, loss, train_op, eval_metric_ops, export_outputs,
                               hook_lists[0], hook_lists[1], scaffold or Scaffold(), hook_lists[2], hook_lists[3])


class RunConfig:
    """How an Estimator runs: ``model_dir``, the graph-level seed ``tf_random_seed``, summaries every
    ``save_summary_steps`` steps, checkpoints every ``save_checkpoints_steps`` steps or ``save_checkpoints_secs``
    seconds (default 600 s; not both), ``keep_checkpoint_max`` kept, the loss logged every
    ``log_step_count_steps`` steps, and the ``session_config`` (a ``ConfigProto``). Read-only; ``replace``
    makes a changed copy. Distribution settings are accepted and unused (one process)."""

    def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100, save_checkpoints_steps=None,
                 save_checkpoints_secs=None, session_config=None, keep_checkpoint_max=5,
                 keep_checkpoint_every_n_hours=10000, log_step_count_steps=100, train_distribute=None, device_fn=None,
                 protocol=None, eval_distribute=None, experimental_distribute=None,
                 experimental_max_worker_delay_secs=None, session_creation_timeout_secs=7200):
        if save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError("Can not provide both save_checkpoints_steps and save_checkpoints_secs.")
        if save_checkpoints_steps is None and save_checkpoints_secs is None:
            save_checkpoints_secs = 600
        self._settings = dict(
            model_dir=model_dir, tf_random_seed=tf_random_seed, save_summary_steps=save_summary_steps,
            save_checkpoints_steps=save_checkpoints_steps, save_checkpoints_secs=save_checkpoints_secs,
            session_config=session_config, keep_checkpoint_max=keep_checkpoint_max,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours, log_step_count_steps=log_step_count_steps)

    def __getattr__(self, name):
        settings = self.__dict__.get("_settings", {})
        if name in settings:
            return settings[name]
        raise AttributeError(f"'RunConfig' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name != "_settings":  # a setting assigned here would be ignored by the Estimator's copy
            raise AttributeError(f"can't set attribute {name!r}: RunConfig is read-only; use "
                                 f"config.replace({name}=...)")
        object.__setattr__(self, name, value)

    def replace(self, **changes):
        unknown = set(changes) - set(self._settings)
        if unknown:
            raise ValueError(f"RunConfig.replace: unknown settings {sorted(unknown)}")
        settings = dict(self._settings, **changes)
        for given, other in (("save_checkpoints_steps", "save_checkpoints_secs"),
                             ("save_checkpoints_secs", "save_checkpoints_steps")):
            if changes.get(given) is not None:  # the one replaced wins over the other
                settings[other] = None
        return RunConfig(**settings)


class WarmStartSettings(collections.namedtuple("WarmStartSettings", [
        "ckpt_to_initialize_from", "vars_to_warm_start", "var_name_to_vocab_info", "var_name_to_prev_var_name"])):
    """Start a new model from another model's checkpoint (``ckpt_to_initialize_from``: a prefix or a directory).
    ``vars_to_warm_start`` picks the variables, as TF1's: a regular expression matched against the trainable
    variables' names (default ``".*"``: all of them), a list of such expressions matched against all global
    variables (batch norm's moving statistics too), a list of Variables, or None (none). Each one picked must be
    in the checkpoint under its name, with its shape (``init_from_checkpoint`` says otherwise); the others are
    initialized as usual. ``var_name_to_prev_var_name`` ({variable name: its name in the checkpoint}) loads a
    variable that was renamed since. It applies while ``model_dir`` holds no checkpoint of its own, in training,
    evaluation and prediction alike. (``var_name_to_vocab_info``, for remapped vocabularies, is not supported.)"""

    def __new__(cls, ckpt_to_initialize_from, vars_to_warm_start=".*", var_name_to_vocab_info=None,
                var_name_to_prev_var_name=None):
        if var_name_to_vocab_info:
            raise NotImplementedError("WarmStartSettings: var_name_to_vocab_info is not supported by minidl")
        if not isinstance(ckpt_to_initialize_from, (str, os.PathLike)) or not os.fspath(ckpt_to_initialize_from):
            raise ValueError(f"ckpt_to_initialize_from must be a path, got {ckpt_to_initialize_from!r}")
        if not (vars_to_warm_start is None or isinstance(vars_to_warm_start, str) or
                (isinstance(vars_to_warm_start, (list, tuple)) and
                 all(isinstance(v, (str, Variable)) for v in vars_to_warm_start))):
            raise ValueError(f"vars_to_warm_start must be a regular expression, a list of them or of Variables, or "
                             f"None; got {vars_to_warm_start!r}")
        return super().__new__(cls, os.fspath(ckpt_to_initialize_from), vars_to_warm_start, None,
                               dict(var_name_to_prev_var_name or {}))


class Estimator:
    """A model defined by ``model_fn(features, labels, mode, params, config)`` (``labels``, ``mode``, ``params``
    and ``config`` only if the function takes them), trained, evaluated and used for predictions with checkpoints
    in ``model_dir`` (a temporary directory if none is given). See the module docstring."""

    def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
        if not callable(model_fn):
            raise ValueError("model_fn must be provided to Estimator.")
        config = RunConfig() if config is None else config
        if not isinstance(config, RunConfig):
            raise ValueError(f"config must be an instance of `RunConfig`, but provided {config!r}.")
        if model_dir is not None and config.model_dir is not None and \
                os.path.abspath(model_dir) != os.path.abspath(config.model_dir):
            raise ValueError(f"`model_dir` are set both in constructor and `RunConfig`, but with different values. "
                             f"In constructor: '{model_dir}', in `RunConfig`: '{config.model_dir}' ")
        model_dir = model_dir or config.model_dir
        if model_dir is None:
            model_dir = tempfile.mkdtemp()
            logging.warning("Using temporary folder as model directory: %s", model_dir)
        self._config = config.replace(model_dir=os.fspath(model_dir))
        self._model_fn_args = _arguments(model_fn)
        if "features" not in self._model_fn_args:
            raise ValueError(f"model_fn ({model_fn}) must include features argument.")
        unexpected = sorted(self._model_fn_args - {"features", "labels", "mode", "params", "config"})
        if unexpected:
            raise ValueError(f"model_fn ({model_fn}) has following not expected args: {unexpected}")
        if params is not None and "params" not in self._model_fn_args:
            raise ValueError(f"model_fn ({model_fn}) does not include params argument, but params ({params}) is "
                             f"passed to Estimator.")
        self._model_fn = model_fn
        self._params = copy.deepcopy(params or {})
        if isinstance(warm_start_from, (str, os.PathLike)):
            warm_start_from = WarmStartSettings(warm_start_from)
        if warm_start_from is not None and not isinstance(warm_start_from, WarmStartSettings):
            raise ValueError(f"warm_start_from must be a string or a WarmStartSettings, instead got "
                             f"{type(warm_start_from).__name__}")
        self._warm_start = warm_start_from

    model_fn = property(lambda self: self._model_fn)
    model_dir = property(lambda self: self._config.model_dir)
    config = property(lambda self: self._config)
    params = property(lambda self: copy.deepcopy(self._params))

    # ------------------------------------------------------------------------------------------ checkpoints
    def latest_checkpoint(self):
        return latest_checkpoint(self.model_dir)

    def get_variable_names(self):
        return [name for name, _ in list_variables(self._required_checkpoint())]

    def get_variable_value(self, name):
        return load_variable(self._required_checkpoint(), name)

    def _checkpoint_to_read(self, checkpoint_path, purpose):
        """``checkpoint_path``, or the latest; None (the variables are initialized instead) is said in the log."""
        checkpoint_path = checkpoint_path or self.latest_checkpoint()
        if checkpoint_path is None:
            logging.info("Could not find trained model in model_dir: %s, running initialization to %s.",
                         self.model_dir, purpose)
        return checkpoint_path

    def _required_checkpoint(self):
        checkpoint = self.latest_checkpoint()
        if checkpoint is None:
            raise ValueError(f"Could not find trained model in model_dir: {self.model_dir}.")
        return checkpoint

    # ------------------------------------------------------------------------------------------- training
    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        """Train for ``steps`` more steps, up to global step ``max_steps``, or (neither) until ``input_fn``'s data
        ends. Returns the Estimator."""
        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        for name, value in (("steps", steps), ("max_steps", max_steps)):
            if value is not None and value <= 0:
                raise ValueError(f"Must specify {name} > 0, given: {value}")
        if max_steps is not None and max_steps <= self._saved_global_step():
            logging.info("Skipping training since max_steps has already saved.")
            return self
        hooks = _checked_hooks(hooks)
        saving_listeners = _checked_hooks(saving_listeners, CheckpointSaverListener, "saving_listeners")
        config = self._config
        with Graph().as_default() as graph:
            global_step = self._new_graph()
            features, labels = self._input(input_fn, ModeKeys.TRAIN)
            spec = self._call_model_fn(features, labels, ModeKeys.TRAIN)
            if not any(s.op.name == "loss" for s in graph.get_collection(GraphKeys.SUMMARIES)):
                scalar("loss", spec.loss)  # (unless the model_fn wrote one itself)
            self._add_saver(spec.scaffold)
            self._maybe_warm_start(self.latest_checkpoint())
            hooks = hooks + spec.training_hooks + [NanTensorHook(spec.loss)]
            if config.log_step_count_steps is not None:
                hooks.append(LoggingTensorHook({"loss": spec.loss, "step": global_step},
                                               every_n_iter=config.log_step_count_steps))
            if steps is not None or max_steps is not None:
                hooks.insert(0, StopAtStepHook(num_steps=steps, last_step=max_steps))
            chief_hooks = spec.training_chief_hooks + [CheckpointSaverHook(
                self.model_dir, save_secs=config.save_checkpoints_secs, save_steps=config.save_checkpoints_steps,
                scaffold=spec.scaffold, listeners=saving_listeners)]
            loss = None
            with MonitoredTrainingSession(checkpoint_dir=self.model_dir, scaffold=spec.scaffold, hooks=hooks,
                                          chief_only_hooks=chief_hooks, save_checkpoint_secs=0,
                                          save_summaries_steps=config.save_summary_steps,
                                          config=config.session_config,
                                          log_step_count_steps=config.log_step_count_steps) as session:
                while not session.should_stop():
                    _, loss = session.run([spec.train_op, spec.loss])
        logging.info("Loss for final step: %s.", loss)
        return self

    def _saved_global_step(self):
        checkpoint = self.latest_checkpoint()
        if checkpoint is None:
            return 0
        return int(load_variable(checkpoint, GraphKeys.GLOBAL_STEP))

    def _add_saver(self, scaffold):
        """The Saver of the checkpoints, keeping ``keep_checkpoint_max`` of them (unless the model brought one)."""
        graph = get_default_graph()
        if scaffold.saver is None and not graph.get_collection(GraphKeys.SAVERS):
            graph.add_to_collection(GraphKeys.SAVERS, Saver(max_to_keep=self._config.keep_checkpoint_max,
                                                            allow_empty=True))

    def _maybe_warm_start(self, checkpoint_path):
        """Without a checkpoint of its own (``checkpoint_path`` None), start the variables ``WarmStartSettings``
        picks from the warm-start checkpoint (``init_from_checkpoint``: each must be there, with its shape)."""
        settings = self._warm_start
        if settings is None or checkpoint_path is not None:
            return
        picked = settings.vars_to_warm_start
        graph = get_default_graph()
        if picked is None:
            chosen = []
        elif isinstance(picked, str):
            chosen = graph.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope=picked)
        else:
            chosen = [v for v in picked if isinstance(v, Variable)]
            for scope in (v for v in picked if isinstance(v, str)):
                chosen += graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=scope)
        logging.info("Warm-starting from: %s (%d variables)", settings.ckpt_to_initialize_from, len(chosen))
        if chosen:
            renamed = settings.var_name_to_prev_var_name
            init_from_checkpoint(settings.ckpt_to_initialize_from,
                                 {renamed.get(v.op.name, v.op.name): v for v in chosen})

    # ----------------------------------------------------------------------------------------- evaluation
    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        """Run the EVAL graph over ``input_fn``'s data (all of it, or ``steps`` batches) with the weights of
        ``checkpoint_path`` (default: the latest); return ``{metric: value, "loss": mean loss, "global_step": n}``
        and write them as summaries to ``model_dir/eval`` (``eval_<name>``)."""
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        checkpoint_path = self._checkpoint_to_read(checkpoint_path, "evaluate")
        hooks = _checked_hooks(hooks)
        with Graph().as_default():
            global_step = self._new_graph()
            features, labels = self._input(input_fn, ModeKeys.EVAL)
            spec = self._call_model_fn(features, labels, ModeKeys.EVAL)
            for reserved in ("loss", GraphKeys.GLOBAL_STEP):
                if reserved in spec.eval_metric_ops:
                    raise ValueError(f'Metric with name "{reserved}" is not allowed, because Estimator already '
                                     f'defines a default metric with the same name.')
            self._maybe_warm_start(checkpoint_path)
            metric_ops = dict(spec.eval_metric_ops, loss=metrics.mean(spec.loss))
            update_op = group(*[update for _, update in metric_ops.values()])
            values = {name_: value for name_, (value, _) in metric_ops.items()}
            values[GraphKeys.GLOBAL_STEP] = global_step
            final = FinalOpsHook(values)
            all_hooks = hooks + spec.evaluation_hooks + [final]
            if steps is not None:
                all_hooks.append(_StopAfterNRunsHook(steps))
            creator = ChiefSessionCreator(scaffold=spec.scaffold, config=self._config.session_config,
                                          checkpoint_filename_with_path=checkpoint_path)
            with MonitoredSession(session_creator=creator, hooks=all_hooks) as session:
                while not session.should_stop():
                    session.run(update_op)
        results = final.final_ops_values
        step = int(results[GraphKeys.GLOBAL_STEP])
        logging.info("Saving dict for global step %d: %s", step,
                     ", ".join(f"{key} = {results[key]!s}" for key in sorted(results)))
        self._write_eval_summaries(results, step, name)
        return results

    def eval_dir(self, name=None):
        """Where ``evaluate(name=name)`` writes its summaries: ``model_dir/eval`` or ``model_dir/eval_<name>``."""
        return os.path.join(self.model_dir, "eval" if not name else f"eval_{name}")

    def _write_eval_summaries(self, results, step, name):
        writer = FileWriterCache.get(self.eval_dir(name))
        values = [Summary.Value(tag=key, simple_value=float(value)) for key, value in sorted(results.items())
                  if key != GraphKeys.GLOBAL_STEP and getattr(value, "ndim", 0) == 0]
        writer.add_summary(Summary(value=values), step)
        writer.flush()

    # ----------------------------------------------------------------------------------------- prediction
    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None, yield_single_examples=True):
        """Yield the PREDICT graph's predictions over ``input_fn``'s data, one example at a time (a dict, or the
        array of a single-tensor prediction), or one batch at a time (``yield_single_examples=False``), with the
        weights of ``checkpoint_path`` (default: the latest). ``predict_keys`` picks some of a dict's entries."""
        checkpoint_path = self._checkpoint_to_read(checkpoint_path, "predict")
        hooks = _checked_hooks(hooks)
        with Graph().as_default():
            self._new_graph()
            features, _ = self._input(input_fn, ModeKeys.PREDICT)
            spec = self._call_model_fn(features, None, ModeKeys.PREDICT)
            self._maybe_warm_start(checkpoint_path)
            predictions = _picked(spec.predictions, predict_keys)
            creator = ChiefSessionCreator(scaffold=spec.scaffold, config=self._config.session_config,
                                          checkpoint_filename_with_path=checkpoint_path)
            with MonitoredSession(session_creator=creator, hooks=hooks + spec.prediction_hooks) as session:
                while not session.should_stop():
                    batch = session.run(predictions)
                    if not yield_single_examples:
                        yield batch
                    elif isinstance(batch, dict):
                        yield from _examples(batch)
                    else:
                        yield from batch

    # --------------------------------------------------------------------------------------------- export
    def export_saved_model(self, export_dir_base, serving_input_receiver_fn, assets_extra=None, as_text=False,
                           checkpoint_path=None, experimental_mode=ModeKeys.PREDICT):
        """Write the PREDICT graph, fed by ``serving_input_receiver_fn``, with the weights of ``checkpoint_path``
        (default: the latest) as a SavedModel in a new subdirectory of ``export_dir_base`` named by the time;
        return its path (bytes). See saved_model_export.py. (Only the PREDICT graph is exported.)"""
        if experimental_mode != ModeKeys.PREDICT:
            raise NotImplementedError(f"export_saved_model: minidl exports the PREDICT graph only, got "
                                      f"experimental_mode={experimental_mode!r}")
        from .saved_model_export import export_saved_model  # (it imports this module)
        return export_saved_model(self, export_dir_base, serving_input_receiver_fn, assets_extra, as_text,
                                  checkpoint_path)

    def export_savedmodel(self, export_dir_base, serving_input_receiver_fn, assets_extra=None, as_text=False,
                          checkpoint_path=None, strip_default_attrs=False):
        """TF 1.x's earlier name of ``export_saved_model``."""
        from .saved_model_export import export_saved_model
        return export_saved_model(self, export_dir_base, serving_input_receiver_fn, assets_extra, as_text,
                                  checkpoint_path, strip_default_attrs)

    # ---------------------------------------------------------------------------------------- graph building
    def _new_graph(self):
        """Seed the new default graph and give it its global step."""
        if self._config.tf_random_seed is not None:
            set_random_seed(self._config.tf_random_seed)
        return get_or_create_global_step()

    def _input(self, input_fn, mode):
        """``(features, labels)`` from ``input_fn`` (called with the ``params``/``mode``/``config`` it takes): a
        Dataset is read through a one-shot iterator; a 2-tuple is (features, labels); anything else is features."""
        args = _arguments(input_fn)
        kwargs = {key: value for key, value in (("params", self.params), ("mode", mode), ("config", self._config))
                  if key in args}
        result = input_fn(**kwargs)
        if isinstance(result, Dataset):
            result = make_one_shot_iterator(result).get_next()
        if isinstance(result, (list, tuple)):
            if len(result) != 2:
                raise ValueError("input_fn should return (features, labels) as a len 2 tuple.")
            return result[0], result[1]
        return result, None

    def _call_model_fn(self, features, labels, mode):
        kwargs = {}
        if "labels" in self._model_fn_args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise ValueError("model_fn does not take labels, but input_fn returns labels.")
        for key, value in (("mode", mode), ("params", self.params), ("config", self._config)):
            if key in self._model_fn_args:
                kwargs[key] = value
        spec = self._model_fn(features=features, **kwargs)
        if not isinstance(spec, EstimatorSpec):
            raise ValueError(f"model_fn should return an EstimatorSpec, got {type(spec).__name__}.")
        return spec


class _StopAfterNRunsHook(SessionRunHook):
    """Requests a stop after ``n`` runs (``evaluate(steps=n)``: n batches)."""

    def __init__(self, n):
        self._n, self._runs = n, 0

    def after_run(self, run_context, run_values):
        self._runs += 1
        if self._runs >= self._n:
            run_context.request_stop()


def _checked_hooks(hooks, kind=SessionRunHook, what="Hooks"):
    """``hooks`` as a list, each an instance of ``kind`` (a class given instead of an instance is the usual slip)."""
    hooks = list(hooks or ())
    for hook in hooks:
        if not isinstance(hook, kind):
            raise TypeError(f"{what} must be a {kind.__name__}, given: {hook!r}")
    return hooks


def _arguments(fn):
    """The names of ``fn``'s named parameters (a functools.partial's remaining ones; a callable object's
    ``__call__``'s), not ``*args``/``**kwargs``."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return set()
    return {p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


def _picked(predictions, keys):
    """``predictions`` restricted to ``keys`` (a dict's entries); all of them when ``keys`` is None."""
    if not keys:
        return predictions
    if not isinstance(predictions, dict):
        raise ValueError("predict_keys argument is not valid in case of non-dict predictions.")
    keys = [keys] if isinstance(keys, str) else list(keys)
    picked = {key: predictions[key] for key in keys if key in predictions}
    if not picked:
        raise ValueError(f"Expected to run at least one output from {sorted(predictions)}, provided {keys}.")
    return picked


def _examples(batch):
    """One dict per example of a dict of batched arrays (all with the same first dim)."""
    sizes = {key: len(value) for key, value in batch.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"Batch length of predictions should be same. {sizes}")
    for i in range(next(iter(sizes.values()), 0)):
        yield {key: value[i] for key, value in batch.items()}

