"""``tf.keras.backend``: the session Keras runs its graphs in, and the learning phase.

In TensorFlow 1, ``tf.keras`` builds ordinary graph ops — a layer called on a tensor adds its variables and ops to
the default graph — and ``fit``/``evaluate``/``predict`` run them with ``Session.run``. The session is
``get_session()``: the default session if one is open (``with tf.Session() as sess:``), else one Keras makes for
the default graph and keeps. Variables need no initializer call: the first time Keras meets a variable it
initializes it if the session has no value for it (a value loaded from a checkpoint stays). Only the first time,
as in TF 1: a trained model used in *another* session finds its weights uninitialized there — an error, not a
fresh random start.

The *learning phase* says whether a run trains: ``Dropout`` drops and ``BatchNormalization`` uses the batch's
statistics only when it is 1. It is a boolean ``placeholder_with_default(False)``, one per graph, that ``fit``
feeds True; ``set_learning_phase(0 or 1)`` fixes it as a constant for the layers built afterwards.
"""
import weakref

import numpy

from .. import basics
from ..core import GraphKeys, get_default_graph, reset_default_graph
from ..session import Session, get_default_session

_sessions = weakref.WeakKeyDictionary()  # graph -> the session Keras made for it
_learning_phases = weakref.WeakKeyDictionary()  # graph -> its learning-phase placeholder
_fixed_learning_phase = {}  # graph -> 0 or 1, set by set_learning_phase
_uids = weakref.WeakKeyDictionary()  # graph -> {layer-name prefix: how many layers took it}
_cleared = weakref.WeakSet()  # graphs given up by clear_session
_met = weakref.WeakSet()  # the variables Keras has seen (and initialized where they had no value)
_tracked = weakref.WeakKeyDictionary()  # graph -> variables in no collection that Keras initializes too (metrics')


def get_session():
    """The session Keras runs in: the default session if one is open, else Keras' own for the default graph.
    Variables of the graph that have no value in it yet are initialized first."""
    session = get_default_session()
    if session is None:
        graph = get_default_graph()
        if graph in _cleared:  # a new session would give the old model fresh random weights without a word
            raise RuntimeError("This model's graph was given up by tf.keras.backend.clear_session(): its session "
                               "and weights are gone. Build the model again (and load its weights).")
        session = _sessions.get(graph)
        if session is None or session._closed:
            session = _sessions[graph] = Session(graph=graph)
    _initialize_new_variables(session)
    return session


def set_session(session):
    """Make ``session`` the one Keras uses for its graph."""
    _sessions[session.graph] = session


def clear_session():
    """Forget the Keras session and start a fresh default graph (layer names start again at ``dense``)."""
    graph = get_default_graph()
    session = _sessions.pop(graph, None)
    if session is not None:
        session.close()
    reset_default_graph()
    _cleared.add(graph)


def track_variable(variable):
    """Have ``get_session`` initialize ``variable`` though it is in no collection (a metric's state)."""
    _tracked.setdefault(variable.graph, []).append(variable)


def _initialize_new_variables(session):
    graph = session.graph
    new = [v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(
        GraphKeys.LOCAL_VARIABLES) + _tracked.get(graph, []) if v not in _met]
    _met.update(new)
    fresh = [v for v in new if not session.is_initialized(v.op)]
    if fresh:
        with graph.as_default():
            session.run([v.initializer for v in fresh])


def learning_phase():
    """The learning phase of the default graph: a bool tensor (False unless fed), or the 0/1 fixed by
    ``set_learning_phase``."""
    graph = get_default_graph()
    if graph in _fixed_learning_phase:
        return _fixed_learning_phase[graph]
    phase = _learning_phases.get(graph)
    if phase is None:
        with graph.name_scope(None):
            phase = _learning_phases[graph] = basics.placeholder_with_default(False, (), name="keras_learning_phase")
    return phase


def set_learning_phase(value):
    """Fix the learning phase to 0 (inference) or 1 (training) for the layers built from now on."""
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    _fixed_learning_phase[get_default_graph()] = value


def get_uid(prefix=""):
    """1, 2, 3 ... on successive calls with ``prefix``, counted per default graph (Keras' ``K.get_uid``)."""
    counts = _uids.setdefault(get_default_graph(), {})
    counts[prefix] = counts.get(prefix, 0) + 1
    return counts[prefix]


def unique_name(prefix):
    """``prefix``, then ``prefix_1``, ``prefix_2`` ...: a layer's default name, unique in the default graph."""
    count = get_uid(prefix) - 1
    return prefix if count == 0 else f"{prefix}_{count}"


_config = {"epsilon": 1e-7, "floatx": "float32"}  # what set_epsilon / set_floatx change, for the whole process


def epsilon():
    """The fuzz factor Keras adds to keep logs and divisions finite: 1e-7 (``set_epsilon`` changes it)."""
    return _config["epsilon"]


def set_epsilon(value):
    """Make ``value`` the fuzz factor of the losses, metrics and constraints built from now on."""
    _config["epsilon"] = float(value)


def floatx():
    """The default float type of Keras' inputs and weights: ``"float32"`` (``set_floatx`` changes it)."""
    return _config["floatx"]


def set_floatx(value):
    """Make ``value`` ("float16", "float32" or "float64") the type of the inputs and weights of the layers built
    from now on (``set_floatx("float64")`` for a gradient check)."""
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value!r} (expected 'float16', 'float32' or 'float64')")
    _config["floatx"] = value


def get_value(x):
    """The value of a variable (or any tensor) in the Keras session of its graph, as a numpy array."""
    with x.graph.as_default():
        return get_session().run(x)


def set_value(x, value):
    """Put ``value`` into the variable ``x`` in the Keras session of its graph."""
    with x.graph.as_default():
        x.load(numpy.asarray(value, dtype=x.dtype.as_numpy_dtype), get_session())


def batch_get_value(tensors):
    tensors = list(tensors)
    if not tensors:
        return []
    with tensors[0].graph.as_default():
        return get_session().run(tensors)


def batch_set_value(pairs):
    for x, value in pairs:
        set_value(x, value)


def function(inputs, outputs, updates=None, name=None):
    """A callable that runs ``outputs`` (and ``updates``: ops, or ``(variable, new value)`` pairs, as Keras takes
    them) in the Keras session with ``inputs`` fed from a list of values:
    ``K.function([model.input], [layer.output])([x])``."""
    inputs = list(inputs)
    updates = [update[0].assign(update[1]) if isinstance(update, (tuple, list)) else update
               for update in updates or []]
    one = not isinstance(outputs, (list, tuple))  # a single output comes back alone
    outputs = [outputs] if one else list(outputs)

    def run(values):
        if len(values) != len(inputs):
            raise ValueError(f"K.function expects {len(inputs)} input values, got {len(values)}")
        results = get_session().run(outputs + updates, dict(zip(inputs, values)))[:len(outputs)]
        return results[0] if one else results
    return run


# the tensor functions (K.mean, K.square ...), as this module exports them in Keras
from .backend_math import *  # noqa: E402,F401,F403
from .backend_nn import *  # noqa: E402,F401,F403
from .backend_rnn import rnn  # noqa: E402,F401
