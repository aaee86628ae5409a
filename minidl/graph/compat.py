"""The lines TF1 programs carry for TensorFlow 2: ``tf.compat.v1``, ``tf.disable_v2_behavior()``, ``tf.logging``;
and the rest of ``tf.compat``: ``dimension_value`` and the text/bytes conversions ``as_bytes``, ``as_text``.

A TF1 program ported to TensorFlow 2 starts ::

    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()

and older ones log with ``tf.logging.set_verbosity(tf.logging.INFO)``. ``minidl.graph`` *is* the v1 behaviour,
so the switches do nothing and ``tf.compat.v1`` is the module itself; ``tf.logging`` writes through Python's
``logging`` (logger ``"minidl.graph"``, which ``tf.get_logger()`` returns), which is what TensorFlow 1's own logging
module did.
"""
import collections
import logging as _python_logging
import sys
from types import SimpleNamespace


def disable_v2_behavior():
    """Nothing to disable: graph mode is TensorFlow 1's behaviour already."""


def disable_eager_execution():
    """Nothing to disable: graph mode builds graphs; eager execution is ``minidl.eager``."""


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """TF 1.7-1.15's switch to eager execution, the first line of its eager tutorials. This module builds graphs
    only; the eager paradigm is ``minidl.eager`` (PyTorch's names), so the switch is refused, saying so."""
    raise NotImplementedError("tf.enable_eager_execution: minidl.graph builds static graphs only (TF1's graph "
                              "mode, run by Session.run). For eager execution use minidl.eager, PyTorch's "
                              "paradigm, or write the program as a graph")


def executing_eagerly():
    """False: ops on graph tensors add nodes to a graph, they do not run."""
    return False


def get_logger():
    """The Python logger that ``tf.logging`` writes to (TF's is named "tensorflow"; minidl's "minidl.graph")."""
    return _python_logging.getLogger("minidl.graph")


_calls_at = collections.Counter()  # (file, line) of a log_every_n / log_first_n call -> how often it ran


def _count_call():
    """How many times the line calling into this module ran before (0 the first time): TF counts each call site
    of ``log_every_n`` and ``log_first_n`` apart."""
    frame = sys._getframe(1)
    while frame.f_code.co_filename == __file__:
        frame = frame.f_back
    site = (frame.f_code.co_filename, frame.f_lineno)
    _calls_at[site] += 1
    return _calls_at[site] - 1


def _logging_namespace():
    logger = get_logger()
    levels = dict(DEBUG=_python_logging.DEBUG, INFO=_python_logging.INFO, WARN=_python_logging.WARNING,
                  ERROR=_python_logging.ERROR, FATAL=_python_logging.CRITICAL)
    if not logger.handlers:  # TF printed its log lines without any set-up by the program...
        handler = _python_logging.StreamHandler()
        # ...but once the program configures logging (basicConfig), the lines reach the root's handlers by
        # propagation, and printing them here too would show each twice
        handler.addFilter(lambda record: not _python_logging.getLogger().handlers)
        logger.addHandler(handler)

    def log_if(level, msg, condition, *args):
        """``log(level, msg % args)`` if ``condition``."""
        if condition:
            logger.log(level, msg, *args)

    def log_every_n(level, msg, n, *args):
        """Log from this line on its 1st, (n+1)-th, (2n+1)-th ... run."""
        log_if(level, msg, _count_call() % n == 0, *args)

    def log_first_n(level, msg, n, *args):
        """Log from this line on its first ``n`` runs only."""
        log_if(level, msg, _count_call() < n, *args)

    return SimpleNamespace(**levels, set_verbosity=logger.setLevel, get_verbosity=logger.getEffectiveLevel,
                           debug=logger.debug, info=logger.info, warn=logger.warning, warning=logger.warning,
                           error=logger.error, fatal=logger.critical, log=logger.log, vlog=logger.log, log_if=log_if,
                           log_every_n=log_every_n, log_first_n=log_first_n)


logging = _logging_namespace()


def dimension_value(dimension):
    """``tf.compat.dimension_value``: a dim of a static shape as an int, or None when unknown."""
    return None if dimension is None else int(dimension)


# ------------------------------------------------------------------------------ text and bytes
# TF hands strings around as bytes (a tf.string tensor's values come back from Session.run as bytes); these
# convert between the two, and refuse anything that is neither.

def as_bytes(bytes_or_text, encoding="utf-8"):
    """``bytes_or_text`` as ``bytes``: text is encoded (UTF-8 by default), bytes and bytearrays pass as bytes."""
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    raise TypeError(f"as_bytes: expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding="utf-8"):
    """``bytes_or_text`` as ``str``: bytes are decoded (UTF-8 by default), text passes unchanged."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"as_text: expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text  # (Python 3's str is text; TF kept the name from Python 2)


def as_str_any(value):
    """``value`` as ``str``: bytes are decoded, anything else goes through ``str()``."""
    return as_str(value) if isinstance(value, bytes) else str(value)


# ``tf.compat.v1`` is the package itself (being imported when this module runs, so already in sys.modules)
compat = SimpleNamespace(v1=sys.modules[__package__], dimension_value=dimension_value, as_bytes=as_bytes,
                         as_text=as_text, as_str=as_str, as_str_any=as_str_any)
