"""What ``fit``, ``evaluate`` and ``predict`` walk over: numpy arrays cut into batches, or a ``tf.data`` dataset.

Either way an epoch is a sequence of batches ``(xs, ys, sample_weights)``: a list of numpy arrays per input, one
per output (None for ``predict``), and one weight per sample, fed to the model's placeholders:

- ``ArrayBatches``: batches of ``batch_size`` rows, in a new random order each epoch when shuffling (numpy's
  global generator, as Keras);
- ``DatasetBatches``: the elements of a dataset that yields ``(x, y)`` or ``(x, y, sample_weights)`` batches
  (``predict`` also takes plain ``x``), read with an initializable iterator that each epoch restarts — or, with
  ``steps``, continues, as TF 1's Keras does for a repeated dataset (``fit(dataset.repeat(), steps_per_epoch=50)``);
- ``GeneratorBatches``: the same tuples, of numpy arrays, from a Python generator (``steps`` of them per epoch,
  the generator running on across epochs, as ``fit_generator`` draws them) or from a ``keras.utils.Sequence``
  (its ``len`` batches per epoch, by index, shuffled when asked; its ``on_epoch_end`` is called after each).
"""
import numpy

from .. import errors
from ..compat import logging
from ..iterator_ops import make_initializable_iterator
from .utils import Sequence


def is_dataset(x):
    return hasattr(x, "_structure") and hasattr(x, "make_initializable_iterator")


class ArrayBatches:
    def __init__(self, xs, ys, weights, batch_size, shuffle=False):
        self.xs, self.ys, self.weights = xs, ys, weights
        self.batch_size, self.shuffle = batch_size, shuffle
        self.samples = len(weights)

    def epoch(self, session=None):
        order = numpy.random.permutation(self.samples) if self.shuffle else numpy.arange(self.samples)
        for start in range(0, self.samples, self.batch_size):
            rows = order[start:start + self.batch_size]
            yield ([x[rows] for x in self.xs], None if self.ys is None else [y[rows] for y in self.ys],
                   self.weights[rows])


class DatasetBatches:
    def __init__(self, dataset, graph, steps, what, to_batch, restart=False, training=False):
        """``to_batch(element) -> (xs, ys, weights)`` reads each element (as ``GeneratorBatches``'). With
        ``steps``, a pass goes on where the last one stopped (a repeated training dataset), unless ``restart``
        (validation data: TF 1.15 starts it again each epoch). A ``training`` dataset that runs out before
        ``steps`` ends the training with TF's warning (``exhausted``); any other is an error."""
        if steps is not None and (not isinstance(steps, (int, numpy.integer)) or steps < 1):
            raise ValueError(f"{what}: steps must be a positive integer, got {steps!r}")
        with graph.as_default():
            self._iterator = make_initializable_iterator(dataset)
            self._next = self._iterator.get_next()
        self._steps, self._what, self._to_batch = steps, what, to_batch
        self._started, self._restart, self._training = False, restart, training
        self.samples, self.exhausted = None, False

    def epoch(self, session):
        if self._steps is None or not self._started or self._restart:
            session.run(self._iterator.initializer)
            self._started = True
        step = 0
        while self._steps is None or step < self._steps:
            try:
                element = session.run(self._next)
            except errors.OutOfRangeError:
                if self._steps is not None and self._training:
                    logging.warning("Your dataset ran out of data; interrupting training. Make sure that your "
                                    "dataset can generate at least `steps_per_epoch * epochs` batches. You may need "
                                    "to use the repeat() function when building your dataset.")
                    self.exhausted = True
                    return
                if self._steps is not None:
                    raise ValueError(f"{self._what}: the dataset ran out after {step} of steps={self._steps} steps "
                                     f"(repeat() it, or ask for fewer steps)") from None
                return
            yield self._to_batch(element)
            step += 1


def is_generator(x):
    """A Python generator or iterator, or a ``Sequence`` (``len`` and indexing), that is not an array or list."""
    if isinstance(x, (numpy.ndarray, list, tuple, dict)) or x is None or is_dataset(x):
        return False
    return hasattr(x, "__next__") or (hasattr(x, "__getitem__") and hasattr(x, "__len__"))


class GeneratorBatches:
    def __init__(self, source, steps, what, to_batch, shuffle=False):
        """``to_batch(element) -> (xs, ys, weights)``. The first element is drawn now: the model may need its
        shapes to be built."""
        # a Sequence is walked by index, also one that is an endless iterator too (ImageDataGenerator's)
        is_sequence = isinstance(source, Sequence) or not hasattr(source, "__next__")
        if not is_sequence and steps is None:
            raise ValueError(f"{what}: steps (steps_per_epoch) must be given for a generator, which has no length: "
                             f"how many batches are one epoch?")
        if steps is not None and (not isinstance(steps, (int, numpy.integer)) or steps < 1):
            raise ValueError(f"{what}: steps must be a positive integer, got {steps!r}")
        self._sequence, self._iterator = (source, None) if is_sequence else (None, source)
        self._steps = steps if steps is not None else len(source)
        self._what, self._to_batch, self._shuffle = what, to_batch, shuffle
        self.samples = None
        self._first = to_batch(self._draw(0))  # handed out at its turn: index 0, or a generator's first step

    def _draw(self, index):
        if self._sequence is not None:
            return self._sequence[index]
        try:
            return next(self._iterator)
        except StopIteration:
            raise ValueError(f"{self._what}: the generator ran out; it must yield batches for as long as training "
                             f"asks (loop forever inside it)") from None

    def epoch(self, session=None):
        indices = range(self._steps)
        if self._sequence is not None and self._shuffle:
            indices = numpy.random.permutation(len(self._sequence))[:self._steps]
        for index in indices:
            if self._first is not None and (self._sequence is None or index == 0):
                batch, self._first = self._first, None
                yield batch
            else:
                yield self._to_batch(self._draw(index))
        if self._sequence is not None and hasattr(self._sequence, "on_epoch_end"):
            self._sequence.on_epoch_end()
