"""Helpers for graph-mode tests: a session on a test's device, and fetches run once in a new session, its variables
initialized."""
import minidl.graph as tf


def run_initialized(fetches, feed=None):
    """``Session.run(fetches, feed)`` in a new session, after ``global_variables_initializer()``."""
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def session_on(device):
    """A session on ``device`` (the ``device`` fixture's "cpu" or "cuda"): the GPU when asked (and there), else the
    CPU."""
    return tf.Session(config=None if device == "cuda" else tf.ConfigProto(device_count={"GPU": 0}))
