"""``tf.test.compute_gradient`` and ``compute_gradient_error``: a graph's symbolic Jacobian beside a numeric one.

The check every op's gradient needs: for ``y = f(x)``, build the Jacobian ``dy/dx`` two ways and compare.

* **theoretical** — from the graph's own gradient: for each entry j of y, ``tf.gradients(y, x, grad_ys=e_j)``
  with the one-hot ``e_j`` is ``d y_j / d x``. TF lays the Jacobian out with one row per entry of x and one
  column per entry of y (``[x.size, y.size]``), so that is column j;
* **numerical** — central differences: entry i of x moved by ±``delta`` changes y by
  ``(y(x + delta e_i) - y(x - delta e_i)) / (2 delta)``, row i of the same matrix.

Central differences are off by O(delta²) — in float32 the rounding of y adds O(eps / delta) — so check in float64
when the error is to be small, as minidl's own tests do. ``compute_gradient_error`` is the largest absolute entry
of the difference, what a TF1 test asserts to be small. The values run in the default session, with
``extra_feed_dict`` for the placeholders the graph needs besides x.
"""
import numpy

from .basics import placeholder
from .frontend import convert_to_tensor
from .gradients import gradients
from .indexed_slices import as_dense
from .session import get_default_session

__all__ = ["compute_gradient", "compute_gradient_error"]


def _session():
    session = get_default_session()
    if session is None:
        raise ValueError("compute_gradient runs in the default session: call it inside `with tf.Session():` (or a "
                         "tf.test.TestCase's `with self.session():`)")
    return session


def _jacobians(x, x_shape, y, y_shape, x_init_value, delta, extra_feed_dict):
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    session, feeds = _session(), dict(extra_feed_dict or {})
    x_value = numpy.array(x_init_value if x_init_value is not None else
                          numpy.random.default_rng(0).random(x_shape), dtype=x.dtype.as_numpy_dtype)
    if x_value.shape != tuple(x_shape):
        raise ValueError(f"compute_gradient: x_init_value has shape {x_value.shape}, but x_shape is {tuple(x_shape)}")
    x_size, y_size = int(numpy.prod(x_shape)), int(numpy.prod(y_shape))
    direction = placeholder(y.dtype, y_shape, name="compute_gradient_direction")  # the e_j of the module docstring
    dx = as_dense(gradients(y, [x], grad_ys=direction)[0])
    theoretical = numpy.zeros((x_size, y_size))
    for j in range(y_size):
        e_j = numpy.zeros(y_size, y.dtype.as_numpy_dtype)
        e_j[j] = 1
        if dx is not None:
            theoretical[:, j] = numpy.ravel(session.run(dx, {**feeds, x: x_value, direction: e_j.reshape(y_shape)}))
    numerical = numpy.zeros((x_size, y_size))
    flat = x_value.reshape(-1)
    for i in range(x_size):
        saved = flat[i]
        flat[i] = saved + delta
        above = numpy.ravel(session.run(y, {**feeds, x: x_value})).astype(numpy.float64)
        flat[i] = saved - delta
        below = numpy.ravel(session.run(y, {**feeds, x: x_value})).astype(numpy.float64)
        flat[i] = saved
        numerical[i] = (above - below) / (2 * delta)
    return theoretical, numerical


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                     extra_feed_dict=None):
    """``(theoretical, numerical)`` Jacobians of ``y`` w.r.t. ``x``, each ``[x.size, y.size]`` (module docstring).
    ``x`` is fed ``x_init_value`` (default: uniform [0, 1) numbers); ``init_targets`` are run first (variable
    initializers). A list of xs (with a list of shapes) gives a list of pairs."""
    if isinstance(x, (list, tuple)):
        values = x_init_value if x_init_value is not None else [None] * len(x)
        return [compute_gradient(xi, si, y, y_shape, vi, delta, init_targets, extra_feed_dict)
                for xi, si, vi in zip(x, x_shape, values)]
    if init_targets is not None:
        _session().run(init_targets)
    return _jacobians(x, x_shape, y, y_shape, x_init_value, delta, extra_feed_dict)


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                           extra_feed_dict=None):
    """The largest absolute difference between the theoretical and the numerical Jacobian (over all xs)."""
    pairs = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets, extra_feed_dict)
    pairs = pairs if isinstance(pairs, list) else [pairs]
    return max(float(numpy.max(numpy.abs(t - n))) if t.size else 0.0 for t, n in pairs)
