"""``tf.keras.callbacks``: code that ``fit`` calls at the edges of training, epochs and batches.

A callback gets ``self.model`` and ``self.params`` (epochs, samples, batch size, verbosity, metric names) before
training, then ``on_train_begin``, ``on_epoch_begin(epoch)``, ``on_batch_begin(batch)``/``on_batch_end(batch,
logs)`` (logs: the batch's loss and metrics), ``on_epoch_end(epoch, logs)`` (logs: the epoch's averages, and the
validation scores as ``val_loss``, ``val_acc`` ...) and ``on_train_end``. Setting ``model.stop_training = True``
ends training after the current epoch.
"""
import numpy


class Callback:
    def __init__(self):
        self.model = None
        self.params = {}

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


class LambdaCallback(Callback):
    """A callback made of functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: print(logs))``."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None):
        super().__init__()
        for name, function in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                               ("on_batch_begin", on_batch_begin), ("on_batch_end", on_batch_end),
                               ("on_train_begin", on_train_begin), ("on_train_end", on_train_end)):
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
            raise KeyError(f"EarlyStopping is watching {self.monitor!r}, which fit does not report; it reports "
                           f"{', '.join(logs or {})} (val_* need validation_data or validation_split)")
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
    """Save the model's weights after each epoch (``save_weights_only=True``: minidl cannot save whole Keras
    models) to ``filepath``, which may name the epoch and the logs: ``"ckpt-{epoch:02d}-{val_loss:.2f}"``. With
    ``save_best_only`` only when ``monitor`` improved."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", period=1):
        super().__init__()
        if not save_weights_only:
            raise NotImplementedError("ModelCheckpoint: minidl saves weights only (the model is your code): pass "
                                      "save_weights_only=True")
        self.filepath, self.monitor, self.verbose = filepath, monitor, verbose
        self.save_best_only, self.period = save_best_only, int(period)
        self._better, self.best = _improves(mode, monitor)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if (epoch + 1) % self.period:
            return
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None or not self._better(current, self.best):
                return
            self.best = current
        if self.verbose:
            print(f"Epoch {epoch + 1:05d}: saving model to {path}")
        self.model.save_weights(path)
