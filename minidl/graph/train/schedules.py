"""The global step and learning-rate schedules, as graph ops that read the step.

A schedule is an ordinary tensor computed from ``global_step`` (a variable the optimizer increments), so the
learning rate changes as training goes on without any Python code running between steps::

    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.1, step, decay_steps=1000, decay_rate=0.5)
    train_op = tf.train.GradientDescentOptimizer(lr).minimize(loss, global_step=step)

The decays are computed in the learning rate's dtype (float32 for a Python number), with the progress
``p = global_step / decay_steps`` (rounded down with ``staircase=True``, so the rate drops in steps).
"""
import math

from ... import ops
from ...backend import dtypes
from ..array_ops import shape
from ..basics import name_scope
from ..core import GraphKeys, get_default_graph
from ..frontend import convert_to_tensor
from ..random_ops import random_normal


def get_global_step(graph=None):
    """The global step: the one variable of the GLOBAL_STEP collection, or else — as older programs made it,
    ``tf.Variable(0, name="global_step", trainable=False)`` — an integer scalar named ``global_step:0``; None if
    there is neither."""
    graph = graph or get_default_graph()
    steps = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(steps) > 1:
        raise TypeError("There are multiple items in collection global_step; there should be only one.")
    if steps:
        return steps[0]
    try:
        step = graph.get_tensor_by_name("global_step:0")
    except KeyError:
        return None
    if not (step.dtype.is_integer and step.shape.rank == 0):
        raise TypeError(f"Existing \"global_step\" does not have integer type: {step.dtype.name}" if not
                        step.dtype.is_integer else f"Existing \"global_step\" is not a scalar: {step.shape}")
    return step


def create_global_step(graph=None):
    """An int64 scalar variable ``global_step`` (not trainable) that optimizers increment."""
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError("\"global_step\" already exists.")
    from ..variable_scope import get_variable
    from ..initializers import zeros_initializer
    from ... import backend
    with graph.as_default(), graph.name_scope(None):
        return get_variable("global_step", shape=(), dtype=backend.dtypes.int64, initializer=zeros_initializer(),
                            trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    step = get_global_step(graph)
    return create_global_step(graph) if step is None else step


def global_step(sess, global_step_tensor):
    """The current value of ``global_step_tensor`` in ``sess``, as a Python int."""
    return int(sess.run(global_step_tensor))


def _progress(learning_rate, global_step, decay_steps, staircase, fn):
    """(learning rate tensor, global_step / decay_steps in its dtype, floored if ``staircase``)."""
    if global_step is None:
        raise ValueError(f"global_step is required for {fn}.")
    lr = convert_to_tensor(learning_rate, name="learning_rate")
    progress = ops.cast(convert_to_tensor(global_step), lr.dtype) / ops.cast(convert_to_tensor(decay_steps), lr.dtype)
    return lr, ops.floor(progress) if staircase else progress


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """``learning_rate * decay_rate ** p``."""
    with name_scope(name or "ExponentialDecay"):
        lr, progress = _progress(learning_rate, global_step, decay_steps, staircase, "exponential_decay")
        return lr * ops.pow(convert_to_tensor(decay_rate, lr.dtype), progress)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """``learning_rate * exp(-decay_rate * p)``."""
    with name_scope(name or "NaturalExpDecay"):
        lr, progress = _progress(learning_rate, global_step, decay_steps, staircase, "natural_exp_decay")
        return lr * ops.exp(progress * -float(decay_rate))


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """``learning_rate / (1 + decay_rate * p)``."""
    with name_scope(name or "InverseTimeDecay"):
        lr, progress = _progress(learning_rate, global_step, decay_steps, staircase, "inverse_time_decay")
        return lr / (progress * float(decay_rate) + 1.0)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                     name=None):
    """From ``learning_rate`` down to ``end_learning_rate`` over ``decay_steps`` steps along ``(1 - p) ** power``
    (power 1: a straight line), then constant; with ``cycle`` the descent starts again after every multiple of
    ``decay_steps``, each time over a span that ends at the next multiple."""
    if global_step is None:
        raise ValueError("global_step is required for polynomial_decay.")
    with name_scope(name or "PolynomialDecay"):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        step = ops.cast(convert_to_tensor(global_step), lr.dtype)
        steps = ops.cast(convert_to_tensor(decay_steps), lr.dtype)
        if cycle:  # the span ends at the first multiple of decay_steps not below the step (step 0: decay_steps)
            steps = steps * ops.maximum(ops.ceil(step / steps), ops.ones_like(step))
        else:
            step = ops.minimum(step, steps)
        end = ops.cast(convert_to_tensor(end_learning_rate), lr.dtype)
        return (lr - end) * ops.pow(1.0 - step / steps, float(power)) + end


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """``learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * p)) + alpha)`` with p stopping at 1: half a cosine
    wave from ``learning_rate`` down to ``alpha * learning_rate`` over ``decay_steps`` steps (SGDR, Loshchilov
    and Hutter 2017, without restarts)."""
    if global_step is None:
        raise ValueError("cosine decay requires global_step")
    with name_scope(name or "CosineDecay"):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        steps = ops.cast(convert_to_tensor(decay_steps), lr.dtype)
        progress = ops.minimum(ops.cast(convert_to_tensor(global_step), lr.dtype), steps) / steps
        cosine = (ops.cos(progress * math.pi) + 1.0) * 0.5
        return lr * (cosine * (1.0 - alpha) + alpha)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                          name=None):
    """Cosine decay with warm restarts (SGDR, Loshchilov and Hutter 2017): the ``cosine_decay`` wave, started again
    each time it ends, each period ``t_mul`` times longer than the last and starting ``m_mul`` times lower.

    With f = step / first_decay_steps, the periods end at f = 1, 1 + t, 1 + t + t², ... (t = ``t_mul``), so the
    period i now running is ⌊log(1 - f (1 - t)) / log t⌋ (⌊f⌋ when t = 1), and the fraction of it done is
    (f - (1 - tⁱ) / (1 - t)) / tⁱ. The rate is ``learning_rate * ((1 - alpha) * m_mulⁱ * (1 + cos(π·done)) / 2
    + alpha)``."""
    if global_step is None:
        raise ValueError("cosine decay restarts requires global_step")
    with name_scope(name or "SGDRDecay"):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        fraction = ops.cast(convert_to_tensor(global_step), lr.dtype) / ops.cast(
            convert_to_tensor(first_decay_steps), lr.dtype)
        if t_mul == 1.0:
            restart = ops.floor(fraction)
            done = fraction - restart
        else:
            restart = ops.floor(ops.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            scale = ops.pow(t_mul, restart)
            done = (fraction - (1.0 - scale) / (1.0 - t_mul)) / scale
        cosine = ops.pow(m_mul, restart) * ((ops.cos(done * math.pi) + 1.0) * 0.5)
        return lr * (cosine * (1.0 - alpha) + alpha)


def _linear_cosine(learning_rate, global_step, decay_steps, num_periods, alpha, beta, noise, name):
    """``learning_rate * ((alpha + linear + noise(step, linear)) * cosine + beta)``: a line falling from 1 to 0 over
    ``decay_steps`` (then staying there) times ``num_periods`` cosine waves; Bello et al. 2017 (Neural
    Optimizer Search)."""
    if global_step is None:
        raise ValueError("linear cosine decay requires global_step")
    with name_scope(name):
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        steps = ops.cast(convert_to_tensor(decay_steps), lr.dtype)
        step = ops.minimum(ops.cast(convert_to_tensor(global_step), lr.dtype), steps)
        linear = (steps - step) / steps
        cosine = (ops.cos(step / steps * (2.0 * num_periods * math.pi)) + 1.0) * 0.5
        return lr * ((linear + noise(step, linear) + alpha) * cosine + beta)


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0, beta=0.001, name=None):
    """See ``_linear_cosine``: ``learning_rate * ((alpha + linear) * cosine + beta)``."""
    return _linear_cosine(learning_rate, global_step, decay_steps, num_periods, alpha, beta,
                          lambda step, linear: 0.0, name or "LinearCosineDecay")


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps, initial_variance=1.0, variance_decay=0.55,
                              num_periods=0.5, alpha=0.0, beta=0.001, name=None):
    """``linear_cosine_decay`` with Gaussian noise added to the line, of variance ``initial_variance / (1 +
    step) ** variance_decay`` (fresh noise every run)."""
    def noise(step, linear):
        std = ops.sqrt(initial_variance / ops.pow(step + 1.0, variance_decay))
        return random_normal(shape(linear), dtype=linear.dtype) * std
    return _linear_cosine(learning_rate, global_step, decay_steps, num_periods, alpha, beta, noise,
                          name or "NoisyLinearCosineDecay")


def piecewise_constant(x, boundaries, values, name=None):
    """``values[0]`` while ``x <= boundaries[0]``, ``values[i]`` while ``boundaries[i-1] < x <= boundaries[i]``,
    and ``values[-1]`` after the last boundary (``x``: e.g. the global step; the boundaries increase). There is one
    value more than boundaries; they share one dtype, and the boundaries have x's (integer boundaries are cast
    to an integer x's type)."""
    if len(values) != len(boundaries) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with name_scope(name or "PiecewiseConstant"):
        x = convert_to_tensor(x)
        tensors = []
        for b in boundaries:
            b = convert_to_tensor(b)
            if b.dtype != x.dtype:
                if not (b.dtype.kind in "iu" and x.dtype.kind in "iu"):
                    raise ValueError(f"Boundaries ({b.dtype.name}) must have the same dtype as x ({x.dtype.name}).")
                b = ops.cast(b, x.dtype)
            tensors.append(b)
        values = [convert_to_tensor(v) for v in values]
        for v in values[1:]:
            if v.dtype != values[0].dtype:
                raise ValueError(f"Values must have elements all with the same dtype ({values[0].dtype.name} vs "
                                 f"{v.dtype.name}).")
        if not tensors:
            return ops.clone(values[0])
        # the interval x is in: how many boundaries it has passed
        index = ops.sum(ops.stack([ops.cast(ops.gt(x, b), dtypes.int64) for b in tensors]))
        return ops.getitem(ops.stack(values), index)
