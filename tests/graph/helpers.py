"""What many graph-mode tests do: run fetches in a new Session of the default graph; drain a tf.data iterator."""
import minidl.graph as tf


def run(fetches, feed_dict=None, initialize_variables=False):
    """``Session().run(fetches, feed_dict)``, first running the variables' initializers if asked."""
    with tf.Session() as sess:
        if initialize_variables:
            sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


def drain(next_element, session=None, feed_dict=None):
    """Every element left, the TF1 way: run until OutOfRangeError."""
    sess = session or tf.Session()
    values = []
    while True:
        try:
            values.append(sess.run(next_element, feed_dict))
        except tf.errors.OutOfRangeError:
            break
    if session is None:
        sess.close()
    return values


def elements(dataset):
    return drain(tf.data.make_one_shot_iterator(dataset).get_next())
