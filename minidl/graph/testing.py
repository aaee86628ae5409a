"""``tf.test.TestCase`` and ``tf.test.main``: the unittest base class of TF1 programs' own tests.

A TF1 test builds a small graph and compares what a session computes with numpy::

    class SquareTest(tf.test.TestCase):
        def testSquare(self):
            with self.session():
                x = tf.square([2, 3])
                self.assertAllEqual(self.evaluate(x), [4, 9])

    if __name__ == "__main__":
        tf.test.main()

What the base class adds to ``unittest.TestCase``:

* a fresh default graph for every test (from ``setUp`` to ``tearDown``), with TF's fixed graph seed (87654321)
  and the same seed for Python's and numpy's generators, so random ops give the same numbers on every run;
* ``session()`` (a new session on the test's graph, installed as the default), ``cached_session()`` and the older
  ``test_session()`` (one session kept for the whole test), and ``evaluate(tensors)`` (runs them in the default
  session, or in a cached one);
* array assertions that compare element by element with a tolerance, and say where they differ:
  ``assertAllClose`` (also nested lists, tuples and dicts of arrays), ``assertAllEqual``, ``assertNear``,
  ``assertArrayNear``, ``assertAllGreater``/``Less``/``InRange``, ``assertShapeEqual``, and
  ``assertRaisesOpError`` for a run that must fail with an op error;
* ``get_temp_dir()``, a directory of the test's own, removed afterwards.

Nothing is GPU-specific: ``use_gpu``/``force_gpu`` are accepted, and a session runs where minidl's sessions run.
"""
import contextlib
import random
import shutil
import tempfile
import unittest

import numpy

from . import errors
from .core import Graph, Tensor, get_default_graph
from .random_ops import set_random_seed
from .session import Session, get_default_session

__all__ = ["TestCase", "main", "get_temp_dir"]

DEFAULT_GRAPH_SEED = 87654321  # TF's random_seed.DEFAULT_GRAPH_SEED


class TestCase(unittest.TestCase):
    """``unittest.TestCase`` with TF1's graph, session and array helpers (module docstring)."""

    def setUp(self):
        super().setUp()
        random.seed(DEFAULT_GRAPH_SEED)
        numpy.random.seed(DEFAULT_GRAPH_SEED)
        # a new graph, the default until tearDown (TF resets the global default graph, which fails when a test
        # runner has already entered a graph of its own; entering one works in both cases)
        self._graph_context = Graph().as_default()
        self._graph_context.__enter__()
        set_random_seed(DEFAULT_GRAPH_SEED)
        self._cached = None
        self._temp_dir = None

    def tearDown(self):
        self._graph_context.__exit__(None, None, None)
        if self._cached is not None:
            self._cached.close()
            self._cached = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
        super().tearDown()

    # ------------------------------------------------------------------------------------------- sessions
    @contextlib.contextmanager
    def session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """A new session on ``graph`` (default: the default graph), itself the default session inside."""
        graph = graph or get_default_graph()
        with Session(graph=graph, config=config) as sess, graph.as_default():
            yield sess

    @contextlib.contextmanager
    def cached_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """The session of this test (made on first use, closed when the test ends), the default inside."""
        graph = graph or get_default_graph()
        if self._cached is None or self._cached.graph is not graph:
            if self._cached is not None:
                self._cached.close()
            self._cached = Session(graph=graph, config=config)
        with self._cached.as_default(), graph.as_default():
            yield self._cached

    def test_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """``cached_session`` by TF1's older name. Test runners collect it, by its name, as a test: then it skips,
        as TF's does."""
        if self.id().endswith(".test_session"):
            self.skipTest("Not a test.")
        return self.cached_session(graph, config)

    def evaluate(self, tensors):
        """The values of ``tensors`` (a nest of them) in the default session, or in this test's cached one."""
        session = get_default_session()
        if session is not None:
            return session.run(tensors)
        with self.cached_session() as sess:
            return sess.run(tensors)

    def get_temp_dir(self):
        """A directory for this test's files, removed when the test ends."""
        if self._temp_dir is None:
            self._temp_dir = tempfile.mkdtemp(prefix=f"minidl-{self.id().rsplit('.', 1)[-1]}-")
        return self._temp_dir

    # ----------------------------------------------------------------------------------------- assertions
    def _values(self, value):
        """A value to compare: a tensor is run, anything else becomes an array."""
        return numpy.asarray(self.evaluate(value) if isinstance(value, Tensor) else value)

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802 (TF's names)
        """``a`` and ``b`` (arrays, tensors, numbers, or the same nest of lists/tuples/dicts of them) agree within
        ``atol + rtol * |b|`` element by element; NaNs match NaNs."""
        if isinstance(a, dict) or isinstance(b, dict):
            self.assertEqual(set(a), set(b), msg)
            for key in a:
                self.assertAllClose(a[key], b[key], rtol, atol, msg=f"{msg or ''} [key {key!r}]")
            return
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and not (_regular(a) and _regular(b)):
            self.assertEqual(len(a), len(b), msg)
            for i, (x, y) in enumerate(zip(a, b)):
                self.assertAllClose(x, y, rtol, atol, msg=f"{msg or ''} [index {i}]")
            return
        a, b = self._values(a), self._values(b)
        self.assertEqual(a.shape, b.shape, f"{msg or ''} shapes differ: {a.shape} vs {b.shape}")
        numpy.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=msg or "")

    def assertAllCloseAccordingToType(self, a, b, rtol=1e-6, atol=1e-6, float_rtol=1e-6, float_atol=1e-6,  # noqa: N802
                                      half_rtol=1e-3, half_atol=1e-3):
        """``assertAllClose`` with the tolerance loosened for the lower of the two precisions."""
        kinds = {self._values(a).dtype, self._values(b).dtype}
        if numpy.dtype(numpy.float16) in kinds:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        elif kinds & {numpy.dtype(numpy.float32), numpy.dtype(numpy.complex64)}:
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol)

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        a, b = self._values(a), self._values(b)
        self.assertEqual(a.shape, b.shape, f"{msg or ''} shapes differ: {a.shape} vs {b.shape}")
        numpy.testing.assert_array_equal(a, b, err_msg=msg or "")

    def assertNear(self, f1, f2, err, msg=None):  # noqa: N802
        self.assertTrue(abs(f1 - f2) <= err, f"{f1} != {f2} +/- {err}" + (f" ({msg})" if msg else ""))

    def assertArrayNear(self, farray1, farray2, err, msg=None):  # noqa: N802
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        self.assertGreater(numpy.min(self._values(a)), comparison_target)

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        self.assertLess(numpy.max(self._values(a)), comparison_target)

    def assertAllInRange(self, target, lower_bound, upper_bound, open_lower_bound=False,  # noqa: N802
                         open_upper_bound=False):
        values = self._values(target)
        below = values <= lower_bound if open_lower_bound else values < lower_bound
        above = values >= upper_bound if open_upper_bound else values > upper_bound
        outside = numpy.flatnonzero(below | above)
        self.assertEqual(outside.size, 0, f"{outside.size} of {values.size} values are outside the range "
                                          f"[{lower_bound}, {upper_bound}], e.g. {values.reshape(-1)[outside[:3]]}")

    def assertShapeEqual(self, np_array, tf_tensor, msg=None):  # noqa: N802
        """The numpy array's shape equals the tensor's static shape."""
        self.assertEqual(list(numpy.shape(np_array)), tf_tensor.shape.as_list(), msg)

    def assertRaisesOpError(self, expected_err_re_or_predicate):  # noqa: N802
        """A context in which an op error (``tf.errors.OpError``) whose message matches must be raised."""
        if callable(expected_err_re_or_predicate):
            return self._raises_with_predicate(expected_err_re_or_predicate)
        return self.assertRaisesRegex(errors.OpError, expected_err_re_or_predicate)

    @contextlib.contextmanager
    def _raises_with_predicate(self, predicate):
        try:
            yield
        except errors.OpError as error:
            if not predicate(error):
                raise AssertionError(f"the op error does not satisfy the predicate: {error}") from error
        else:
            raise AssertionError("expected an op error (tf.errors.OpError), none was raised")


def _regular(sequence):
    """Whether a list/tuple is one array's worth of numbers (else: compare item by item — tensors, nests, ragged)."""
    if any(isinstance(v, (Tensor, dict)) for v in sequence):
        return False
    try:
        return numpy.asarray(sequence).dtype != object
    except ValueError:  # (numpy refuses ragged nests outright)
        return False


def get_temp_dir():
    """A temporary directory (TF's ``tf.test.get_temp_dir()``), made on each call."""
    return tempfile.mkdtemp(prefix="minidl-test-")


def main(argv=None):
    """Run the ``tf.test.TestCase`` tests of the ``__main__`` module (``unittest.main``)."""
    return unittest.main(argv=argv)
