"""``tf.keras.callbacks``: code that ``fit`` calls at the edges of training, epochs and batches.

A callback gets ``self.model`` and ``self.params`` (epochs, samples, batch size, verbosity, metric names) before
training, then ``on_train_begin``, ``on_epoch_begin(epoch)``, ``on_batch_begin(batch)``/``on_batch_end(batch,
logs)`` (logs: the batch's loss and metrics), ``on_epoch_end(epoch, logs)`` (logs: the epoch's averages, and the
validation scores as ``val_loss``, ``val_acc`` ...) and ``on_train_end``. Setting ``model.stop_training = True``
ends training after the current epoch. ``evaluate`` — and ``fit``'s validation — calls ``on_test_begin``,
``on_test_batch_begin``/``end`` and ``on_test_end``; ``predict`` the ``on_predict_...`` methods.
``on_train_batch_begin``/``end`` are TF 1.14's names for ``on_batch_begin``/``end``: fit calls them, and they call
the older ones.
"""
import numpy

from .. import summary
from ..compat import logging
from .backend import get_value, set_value
from .utils import Progbar


class Callback:
    def __init__(self):
        self.model = None
        self.params = {}
        self.validation_data = None  # (TF 1.15: "Deprecated. Do not use."; fit leaves it None)

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    # TF 1.14's names for the same moments of fit
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    # evaluate (and fit's validation) and predict call these, as TF 1.14 does
    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass


class History(Callback):
    """What ``fit`` returns: ``history.history`` maps each log name (``loss``, ``acc``, ``val_loss`` ...) to its
    value after every epoch; ``history.epoch`` lists the epochs."""

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class _RunningMeans(Callback):
    """What BaseLogger and ProgbarLogger share: over each epoch, the mean of each batch log so far, weighted by
    ``_weight(logs)`` — except the ``stateful_metrics``, whose latest value stands (a metric's batch log is
    already its value over the epoch so far)."""

    def __init__(self, stateful_metrics=None):
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def set_model(self, model):
        super().set_model(model)
        # TF 1.15's fit sets this on every BaseLogger and ProgbarLogger it is given: every log but the loss
        self.stateful_metrics = set(model.metrics_names[1:])

    def on_epoch_begin(self, epoch, logs=None):
        self.seen, self.totals = 0, {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        weight = self._weight(logs)
        self.seen += weight
        for name, value in logs.items():
            self.totals[name] = value if name in self.stateful_metrics else self.totals.get(name, 0) + value * weight

    def _means(self, names):
        """[(name, its mean so far)] for those of ``names`` the batches logged."""
        return [(name, self.totals[name] if name in self.stateful_metrics else self.totals[name] / self.seen)
                for name in names if name in self.totals]


class BaseLogger(_RunningMeans):
    """Put in the epoch's logs the mean of each batch log over the epoch, weighted by the batches' sizes (the
    model's metrics: their last value). TF 1.15's ``fit`` adds one to every run; minidl's ``fit`` makes the epoch's
    logs itself, so this is for the programs that name it."""

    def _weight(self, logs):
        return logs.get("size", 0)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs.update(self._means(self.params["metrics"]))


class ProgbarLogger(_RunningMeans):
    """Print ``Epoch 3/10`` (when there is more than one epoch), then a progress bar for each epoch, counting
    samples (``count_mode="samples"``) or steps (``"steps"``), with the mean of each log over the batches so far
    (weighted by their samples or steps; the model's metrics as they are); at the end of the epoch, the epoch's
    logs. It prints when ``fit``'s ``verbose`` is 1 (a live bar) or 2 (one line per epoch)."""

    def __init__(self, count_mode="samples", stateful_metrics=None):
        super().__init__(stateful_metrics)
        if count_mode not in ("samples", "steps"):
            raise ValueError(f"ProgbarLogger: unknown count_mode {count_mode!r}: use 'samples' or 'steps'")
        self.use_steps = count_mode == "steps"

    def _weight(self, logs):
        return 1 if self.use_steps else logs.get("size", 0)

    def on_train_begin(self, logs=None):
        self.verbose, self.epochs = self.params["verbose"], self.params["epochs"]

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")
        target = self.params["steps"] if self.use_steps else self.params["samples"]
        self._bar = Progbar(target, verbose=self.verbose, unit_name="step" if self.use_steps else "sample")

    def on_batch_end(self, batch, logs=None):
        super().on_batch_end(batch, logs)
        if self.verbose:
            self._bar.update(self.seen, self._means(self.params["metrics"]), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose:
            logs = logs or {}
            self._bar.update(self.seen, [(name, logs[name]) for name in self.params["metrics"] if name in logs],
                             finalize=True)


class LambdaCallback(Callback):
    """A callback made of functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: print(logs))``. Any other
    hook is given by name too: ``on_test_end=lambda logs: ...``, ``on_predict_batch_end=lambda batch, logs: ...``."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **other_hooks):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_batch_begin=on_batch_begin,
                     on_batch_end=on_batch_end, on_train_begin=on_train_begin, on_train_end=on_train_end)
        for name in other_hooks:
            if not (name.startswith("on_") and callable(getattr(Callback, name, None))):
                known = sorted(n for n in vars(Callback) if n.startswith("on_"))
                raise TypeError(f"LambdaCallback: {name!r} is not a callback hook; the hooks are {known}")
        hooks.update(other_hooks)
        for name, function in hooks.items():
            if function is not None:
                setattr(self, name, function)


def _improves(mode, monitor):
    """``(better(current, best), worst start value)`` for watching ``monitor``: "min" for losses and errors,
    "max" for accuracies ("auto" decides by the name)."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode {mode!r} is unknown: use 'auto', 'min' or 'max'")
    if mode == "max" or (mode == "auto" and "acc" in monitor):
        return numpy.greater, -numpy.inf
    return numpy.less, numpy.inf


class EarlyStopping(Callback):
    """Stop when ``monitor`` (default ``val_loss``) has not improved by more than ``min_delta`` for ``patience``
    epochs; ``restore_best_weights`` puts back the weights of the best epoch."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self._better, self._worst = _improves(mode, monitor)
        self.min_delta = abs(min_delta) if self._better is numpy.greater else -abs(min_delta)
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = self._worst if self.baseline is None else self.baseline
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            logging.warning("Early stopping conditioned on metric `%s` which is not available. Available metrics "
                            "are: %s (val_* need validation_data or validation_split)", self.monitor,
                            ",".join(logs or {}))
            return
        if self._better(current - self.min_delta, self.best):
            self.best, self.wait = current, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")


class ModelCheckpoint(Callback):
    """Save the model's weights to ``filepath``, which may name the epoch and the logs:
    ``"ckpt-{epoch:02d}-{val_loss:.2f}"``. ``save_freq="epoch"``: after each epoch (``period=n``: every n epochs);
    an int: after the batch at which that many samples have been seen since the last save. With
    ``save_best_only`` only when ``monitor`` improved.

    minidl saves weights, not whole models: a subclassed model's weights are saved whatever
    ``save_weights_only`` says (TF 1.15 does that too); for a functional or Sequential model, where TF 1.15 would
    write a whole model to an HDF5 file, ``fit`` asks for ``save_weights_only=True``."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", **kwargs):
        super().__init__()
        from .training import _refuse_hdf5  # (training imports this module)
        _refuse_hdf5(filepath, None)  # now, not at the end of the first epoch
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"ModelCheckpoint: unrecognized save_freq {save_freq!r}: use 'epoch' or a number of "
                             f"samples")
        if "period" in kwargs:  # (TF 1.13's argument: save every that many epochs)
            logging.warning("`period` argument is deprecated. Please use `save_freq` to specify the frequency in "
                            "number of samples seen.")
        self.period = int(kwargs.pop("period", 1))
        if kwargs:
            raise TypeError(f"ModelCheckpoint: unexpected arguments {sorted(kwargs)}")
        self.filepath, self.monitor, self.verbose = filepath, monitor, verbose
        self.save_best_only, self.save_weights_only, self.save_freq = save_best_only, save_weights_only, save_freq
        self._better, self.best = _improves(mode, monitor)
        self.epochs_since_last_save = 0
        self._samples_since_last_save = 0
        self._current_epoch = 0

    def set_model(self, model):
        super().set_model(model)
        if self.save_weights_only:
            return
        from .training import Model, Sequential  # (training imports this module)
        if isinstance(model, Sequential) or type(model).call is Model.call:
            raise NotImplementedError(f"ModelCheckpoint: minidl saves weights only, not whole models (TF 1.15 writes "
                                      f"{model.name} to an HDF5 file here, which needs h5py): pass "
                                      f"save_weights_only=True")
        self.save_weights_only = True  # a subclassed model: its architecture is its code (TF 1.15 does the same)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        logs = logs or {}
        self._samples_since_last_save += logs.get("size", 1)
        if self._samples_since_last_save >= self.save_freq:
            self._save(self._current_epoch, logs)
            self._samples_since_last_save = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_since_last_save += 1
        if self.save_freq == "epoch" and self.epochs_since_last_save >= self.period:
            self.epochs_since_last_save = 0
            self._save(epoch, logs or {})

    def _save(self, epoch, logs):
        """Save now (unless ``save_best_only`` and ``monitor`` did not improve), to ``filepath`` filled in with
        the epoch (from 1) and ``logs`` (the epoch's, or with ``save_freq`` a number, the batch's)."""
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                logging.warning("Can save best model only with %s available, skipping.", self.monitor)
                return
            if not self._better(current, self.best):
                if self.verbose:
                    print(f"\nEpoch {epoch + 1:05d}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose:
                print(f"\nEpoch {epoch + 1:05d}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
        elif self.verbose:
            print(f"\nEpoch {epoch + 1:05d}: saving model to {path}")
        self.model.save_weights(path)


def _rate_variable(model):
    if not hasattr(model.optimizer, "lr"):
        raise ValueError('Optimizer must have a "lr" attribute (a tf.keras optimizer; a tf.train optimizer\'s '
                         'rate is fixed when its update is built).')
    return model.optimizer.lr


def _get_rate(model):
    return float(get_value(_rate_variable(model)))


def _set_rate(model, value):
    set_value(_rate_variable(model), value)


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to ``schedule(epoch, lr)`` (or ``schedule(epoch)``);
    the rate of each epoch is logged as ``lr``."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        try:
            rate = self.schedule(epoch, _get_rate(self.model))
        except TypeError:  # a schedule of the epoch alone (the older signature)
            rate = self.schedule(epoch)
        if not isinstance(rate, (float, int, numpy.floating, numpy.integer)):
            raise ValueError('The output of the "schedule" function should be float.')
        _set_rate(self.model, rate)
        if self.verbose:
            print(f"\nEpoch {epoch + 1:05d}: LearningRateScheduler reducing learning rate to {rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = _get_rate(self.model)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` (not below ``min_lr``) when ``monitor`` has not improved by
    ``min_delta`` for ``patience`` epochs; then wait ``cooldown`` epochs before counting again."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0, **kwargs):
        super().__init__()
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0.")
        self.monitor, self.factor, self.patience, self.verbose = monitor, float(factor), int(patience), verbose
        self.min_delta, self.cooldown, self.min_lr = float(kwargs.pop("epsilon", min_delta)), int(cooldown), min_lr
        self._better, self._worst = _improves(mode, monitor)

    def on_train_begin(self, logs=None):
        self.best, self.wait, self.cooldown_counter = self._worst, 0, 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["lr"] = _get_rate(self.model)
        current = logs.get(self.monitor)
        if current is None:
            logging.warning("Reduce LR on plateau conditioned on metric `%s` which is not available. Available "
                            "metrics are: %s", self.monitor, ",".join(logs))
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        delta = -self.min_delta if self._better is numpy.less else self.min_delta
        if self._better(current, self.best + delta):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = logs["lr"]
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    _set_rate(self.model, new)
                    if self.verbose:
                        print(f"\nEpoch {epoch + 1:05d}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not numpy.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class TensorBoard(Callback):
    """Write what ``fit`` reports to a TensorBoard event file in ``log_dir``, with TF 1.15's tags and steps:

    - each epoch's logs as ``epoch_loss``, ``epoch_val_loss`` ..., at step ``epoch`` (from 0);
    - with ``update_freq="batch"``, or a number of samples: the batch logs as ``batch_loss`` ... after each batch
      (or once that many samples have been seen since the last write), at the count of batches seen before
      that batch (from 0, across epochs) — and then the epoch logs at the count of samples seen;
    - the graph (``write_graph``), and every ``histogram_freq`` epochs a histogram of each weight.
    """

    def __init__(self, log_dir="./logs", histogram_freq=0, write_graph=True, update_freq="epoch", **ignored):
        super().__init__()
        if update_freq not in ("epoch", "batch") and not (isinstance(update_freq, int) and update_freq > 0):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a number of samples (> 0), "
                             f"got {update_freq!r}")
        self.log_dir, self.histogram_freq, self.write_graph = log_dir, int(histogram_freq), write_graph
        self.update_freq = 1 if update_freq == "batch" else update_freq  # (as TF 1.15 keeps it)
        self._samples_seen = self._samples_seen_at_last_write = self._total_batches_seen = 0

    def on_train_begin(self, logs=None):
        graph = self.model._graph
        self.writer = summary.FileWriter(self.log_dir, graph if self.write_graph else None)
        self._histograms = None
        if self.histogram_freq:
            with graph.as_default():
                # named as Keras names them: "dense/kernel_0"
                self._histograms = summary.merge([summary.histogram(v.name.replace(":", "_"), v)
                                                  for v in self.model.weights])

    def _scalars(self, prefix, logs, step):
        """``logs`` but the batch's number and size, as scalars ``<prefix><name>`` at ``step``."""
        values = [summary.Summary.Value(tag=prefix + name, simple_value=float(value))
                  for name, value in logs.items() if name not in ("batch", "size")]
        self.writer.add_summary(summary.Summary(value=values), step)

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self._samples_seen += logs.get("size", 1)
        if self.update_freq != "epoch" and self._samples_seen - self._samples_seen_at_last_write >= self.update_freq:
            self._scalars("batch_", logs, self._total_batches_seen)
            self._samples_seen_at_last_write = self._samples_seen
        self._total_batches_seen += 1

    def on_epoch_end(self, epoch, logs=None):
        self._scalars("epoch_", logs or {}, epoch if self.update_freq == "epoch" else self._samples_seen)
        if self._histograms is not None and epoch % self.histogram_freq == 0:
            self.writer.add_summary(self.model._session().run(self._histograms), epoch)
        self.writer.flush()

    def on_train_end(self, logs=None):
        self.writer.close()


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file (``epoch`` first, then the log names in sorted order);
    ``append=True`` continues an existing file."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.separator, self.append = filename, separator, append
        self._file = None

    def on_train_begin(self, logs=None):
        import os
        exists = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", encoding="utf-8")
        self._header_written = exists
        self._keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            if not self._header_written:
                self._file.write(self.separator.join(["epoch"] + self._keys) + "\n")
        self._file.write(self.separator.join([str(epoch)] + [str(logs.get(k, "NA")) for k in self._keys]) + "\n")
        self._file.flush()

    def on_train_end(self, logs=None):
        self._file.close()
