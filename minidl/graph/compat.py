"""The lines TF1 programs carry for TensorFlow 2: ``tf.compat.v1``, ``tf.disable_v2_behavior()``, ``tf.logging``.

A TF1 program ported to TensorFlow 2 starts ::

    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()

and older ones log with ``tf.logging.set_verbosity(tf.logging.INFO)``. ``minidl.graph`` *is* the v1 behaviour,
so the switches do nothing and ``tf.compat.v1`` is the module itself; ``tf.logging`` writes through Python's
``logging`` (logger ``"minidl.graph"``), which is what TensorFlow 1's own logging module did.
"""
import logging as _python_logging
import sys
from types import SimpleNamespace


def disable_v2_behavior():
    """Nothing to disable: graph mode is TensorFlow 1's behaviour already."""


def disable_eager_execution():
    """Nothing to disable: graph mode builds graphs; eager execution is ``minidl.eager``."""


def executing_eagerly():
    """False: ops on graph tensors add nodes to a graph, they do not run."""
    return False


def _logging_namespace():
    logger = _python_logging.getLogger("minidl.graph")
    levels = dict(DEBUG=_python_logging.DEBUG, INFO=_python_logging.INFO, WARN=_python_logging.WARNING,
                  ERROR=_python_logging.ERROR, FATAL=_python_logging.CRITICAL)
    if not logger.handlers:  # TF printed its log lines without any set-up by the program...
        handler = _python_logging.StreamHandler()
        # ...but once the program configures logging (basicConfig), the lines reach the root's handlers by
        # propagation, and printing them here too would show each twice
        handler.addFilter(lambda record: not _python_logging.getLogger().handlers)
        logger.addHandler(handler)
    return SimpleNamespace(**levels, set_verbosity=logger.setLevel, get_verbosity=logger.getEffectiveLevel,
                           debug=logger.debug, info=logger.info, warn=logger.warning, warning=logger.warning,
                           error=logger.error, fatal=logger.critical, log=logger.log)


logging = _logging_namespace()


def dimension_value(dimension):
    """``tf.compat.dimension_value``: a dim of a static shape as an int, or None when unknown."""
    return None if dimension is None else int(dimension)


# ``tf.compat.v1`` is the package itself (being imported when this module runs, so already in sys.modules)
compat = SimpleNamespace(v1=sys.modules[__package__], dimension_value=dimension_value)
