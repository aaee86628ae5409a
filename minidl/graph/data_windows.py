"""``window()``: a dataset of windows — each window itself a dataset of consecutive elements. The sliding windows
of a time series are its usual use::

    series = tf.data.Dataset.range(7)
    windows = series.window(3, shift=1, drop_remainder=True)        # {0 1 2} {1 2 3} ... {4 5 6}
    batches = windows.flat_map(lambda window: window.batch(3))      # [0 1 2] [1 2 3] ... [4 5 6]

A window's element has the input's structure, but each of its components is a *dataset* (of that component's
values): for pairs, ``flat_map(lambda xs, ys: tf.data.Dataset.zip((xs.batch(3), ys.batch(3))))``. Since its
elements are datasets, not tensors, a window dataset can only be read by ``flat_map`` or ``interleave``, whose
function turns each window into ordinary elements; an iterator, ``map`` or ``batch`` refuse it.

How it runs: ``flat_map``'s function is built once, with a ``WindowContents`` dataset standing for each
component (data_functions.py). In a pass, a window is a list — one per component — of that component's
elements; each window starts a pass over the dataset the function returned, in which each ``WindowContents``
finds its part of the window in the pass's state.
"""
import itertools

from . import errors
from .data import Dataset, _positive, _positive_argument, _Step
from .function_graph import pack


class WindowDataset(_Step):
    """``window(size, shift=None, stride=1, drop_remainder=False)``: windows of ``size`` elements. Window ``i``
    holds the input elements at ``i * shift + j * stride`` for ``j = 0 .. size - 1`` (``shift`` defaults to
    ``size``: windows side by side). Near the end a window may hold fewer (while it holds any), unless
    ``drop_remainder``: ``range(7).window(3, 2)`` gives {0 1 2} {2 3 4} {4 5 6} {6}."""
    _nested = True

    def __init__(self, dataset, size, shift, stride, drop_remainder):
        self._size = _positive_argument(size, "size", "Window size must be greater than zero, but got {}.")
        self._shift = self._size if shift is None else \
            _positive_argument(shift, "shift", "Window shift must be greater than zero, but got {}.")
        self._stride = _positive_argument(stride, "stride", "Window stride must be greater than zero, but got {}.")
        self._drop_remainder = bool(drop_remainder)
        super().__init__(dataset, [self._size, self._shift, self._stride])

    def _elements(self, run):
        size = _positive(run, self._size, "Window size must be greater than zero, but got {}.")
        shift = _positive(run, self._shift, "Window shift must be greater than zero, but got {}.")
        stride = _positive(run, self._stride, "Window stride must be greater than zero, but got {}.")
        span = (size - 1) * stride + 1   # how many input elements one window reaches over
        source, buffer = self._input._elements(run), []
        while True:
            buffer.extend(itertools.islice(source, span - len(buffer)))
            window = buffer[::stride]
            if not window or (self._drop_remainder and len(window) < size):
                return
            yield [[[element[k]] for element in window] for k in range(len(self._types))]
            if shift < len(buffer):
                del buffer[:shift]
            else:   # the next window starts past what was read: skip to it
                for _ in itertools.islice(source, shift - len(buffer)):
                    pass
                buffer = []

    def _window_datasets(self):
        """A window as the function of ``flat_map`` receives it: the element's structure, one ``WindowContents``
        dataset per component."""
        return pack(self._structure, [WindowContents(t, s) for t, s in zip(self._types, self._shapes)])


class WindowContents(Dataset):
    """One component of a window: a dataset whose elements are the window's values of that component, found in
    the state of the pass (``run.state[self]``) that ``flat_map`` starts for the window."""

    def __init__(self, dtype, shape):
        super().__init__((), None, [dtype], [shape])

    def _elements(self, run):
        if self not in run.state:
            raise errors.UnimplementedError(None, None, "A window's dataset can only be read by the dataset that the "
                                                        "function of flat_map or interleave returns.")
        return iter(run.state[self])
