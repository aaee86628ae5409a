"""A helper for graph-mode tests: run fetches once in a new session, its variables initialized."""
import minidl.graph as tf


def run_initialized(fetches, feed=None):
    """``Session.run(fetches, feed)`` in a new session, after ``global_variables_initializer()``."""
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)
