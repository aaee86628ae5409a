"""What many graph-mode tests do: run fetches in a new Session of the default graph."""
import minidl.graph as tf


def run(fetches, feed_dict=None, initialize_variables=False):
    """``Session().run(fetches, feed_dict)``, first running the variables' initializers if asked."""
    with tf.Session() as sess:
        if initialize_variables:
            sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)
