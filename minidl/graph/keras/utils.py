"""``tf.keras.utils``: ``to_categorical`` (labels to one-hot rows), ``Sequence`` (a data set served batch by
batch), ``Progbar`` (the progress line of ``fit``), ``get_file`` (a file in Keras' cache folder: ``data_utils.py``)
and the registry of names of one's own for saved configurations (``custom_object_scope``: ``lookup.py``).
"""
import sys
import time

import numpy

from .data_utils import get_file
from .lookup import CustomObjectScope, custom_object_scope, get_custom_objects

__all__ = ["CustomObjectScope", "Progbar", "Sequence", "custom_object_scope", "get_custom_objects", "get_file",
           "to_categorical"]


class Sequence:
    """A data set served batch by batch, for ``fit`` (and ``evaluate``, ``predict``): a subclass writes
    ``__len__`` (batches per epoch) and ``__getitem__(index)`` (batch ``index``, as ``(x, y)``), and may write
    ``on_epoch_end`` (called after each epoch: reshuffle there). ``fit`` asks for the batches in a new order each
    epoch when shuffling."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(self, index)")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__(self)")

    def on_epoch_end(self):
        """Called after every epoch."""

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows for integer class labels: ``to_categorical([1, 0], 3)`` is ``[[0, 1, 0], [1, 0, 0]]``. A
    trailing dim of size 1 in ``y`` is dropped; ``num_classes`` defaults to the largest label + 1."""
    y = numpy.asarray(y)
    if y.dtype.kind not in "iub" and not (y.dtype.kind == "f" and numpy.all(numpy.mod(y, 1) == 0)):
        raise ValueError(f"to_categorical needs integer class labels, got {y.dtype} values")
    y = y.astype(numpy.int64)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {y.min()}")
    num_classes = int(y.max()) + 1 if num_classes is None else int(num_classes)
    if y.size and y.max() >= num_classes:
        raise ValueError(f"to_categorical: label {y.max()} is out of range for num_classes={num_classes}")
    return numpy.eye(num_classes, dtype=dtype)[y]


class Progbar:
    """``target``/``target [=====>....] - 3s 50us/sample - loss: 0.3012 - acc: 0.9120``: redrawn in place on a
    terminal (``verbose=1``), else written once when done; ``verbose=2`` writes only the final line, without the
    bar. With ``target=None`` (a dataset of unknown length) it counts without a bar."""

    def __init__(self, target, width=30, verbose=1, unit_name="sample"):
        self.target, self.width, self.verbose, self.unit_name = target, width, verbose, unit_name
        self._start = time.time()
        self._last_drawn = 0.0
        self._live = verbose == 1 and hasattr(sys.stdout, "isatty") and sys.stdout.isatty()

    def update(self, current, values=(), finalize=None):
        done = (self.target is not None and current >= self.target) if finalize is None else finalize
        now = time.time()
        if not done and not (self._live and now - self._last_drawn > 0.05):
            return
        self._last_drawn = now
        elapsed = now - self._start
        if self.target is None:
            line = f"{current}"
        else:
            line = f"{current:{len(str(self.target))}d}/{self.target}"
        if self.verbose == 1 and self.target is not None:
            filled = int(self.width * current / self.target) if self.target else self.width
            bar = "=" * filled
            if current < self.target:
                bar = bar[:-1] + ">" if bar else ">"
            line += f" [{bar:.<{self.width}}]"
        if done:
            per_unit = elapsed / max(current, 1)
            speed = f"{per_unit * 1e6:.0f}us" if per_unit < 1e-3 else f"{per_unit * 1e3:.0f}ms"
            line += f" - {elapsed:.0f}s" + (f" {speed}/{self.unit_name}" if self.verbose == 1 else "")
        elif self.target is not None:
            line += f" - ETA: {elapsed / max(current, 1) * (self.target - current):.0f}s"
        for name, value in values:  # (an array: a metric's value at each of its thresholds)
            line += f" - {name}: {value:.4f}" if numpy.ndim(value) == 0 else f" - {name}: {numpy.round(value, 4)}"
        if self._live:
            sys.stdout.write("\r" + line + ("\n" if done else ""))
        else:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
