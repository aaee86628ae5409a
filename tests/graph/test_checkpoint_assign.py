"""``tf.contrib.framework.assign_from_checkpoint_fn`` / ``assign_from_checkpoint`` (also in ``tf.contrib.slim``):
a pre-trained model's variables restored selectively, as fine-tuning does."""
import numpy as np
import pytest

import minidl.graph as tf


def _saved_model(directory):
    """A checkpoint holding conv1/w (2, 3) and fc/w (3,), written from its own graph; returns its prefix."""
    with tf.Graph().as_default():
        with tf.variable_scope("conv1"):
            tf.get_variable("w", initializer=np.arange(6.0).reshape(2, 3))
        with tf.variable_scope("fc"):
            tf.get_variable("w", initializer=np.array([7.0, 8.0, 9.0]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return tf.train.Saver().save(sess, str(directory / "model"))


def _fresh_model(fc_shape=(3,)):
    with tf.variable_scope("conv1"):
        conv = tf.get_variable("w", initializer=np.zeros((2, 3)))
    with tf.variable_scope("fc"):
        fc = tf.get_variable("w", initializer=-np.ones(fc_shape))
    with tf.variable_scope("head"):
        head = tf.get_variable("w", initializer=np.ones(2))
    return conv, fc, head


@pytest.mark.parametrize("namespace", ["framework", "slim"])
def test_the_function_restores_the_chosen_variables_only(tmp_path, namespace):
    path = _saved_model(tmp_path)
    with tf.Graph().as_default():
        conv, fc, head = _fresh_model()
        api = getattr(tf.contrib, namespace)
        init_fn = api.assign_from_checkpoint_fn(path, api.get_variables_to_restore(exclude=["fc", "head"]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            init_fn(sess)
            got_conv, got_fc, got_head = sess.run([conv, fc, head])
    np.testing.assert_array_equal(got_conv, np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(got_fc, -np.ones(3))          # excluded: keeps its initial value
    np.testing.assert_array_equal(got_head, np.ones(2))


def test_missing_variables_are_an_error_or_ignored(tmp_path):
    path = _saved_model(tmp_path)
    with tf.Graph().as_default():
        conv, _, head = _fresh_model()
        with pytest.raises(ValueError, match=r"Checkpoint is missing variable \[head/w\]"):
            tf.contrib.framework.assign_from_checkpoint_fn(path, [conv, head])
        init_fn = tf.contrib.framework.assign_from_checkpoint_fn(path, [conv, head], ignore_missing_vars=True)
        assert tf.contrib.framework.assign_from_checkpoint_fn(path, [head], ignore_missing_vars=True) is None
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            init_fn(sess)
            np.testing.assert_array_equal(sess.run(conv), np.arange(6.0).reshape(2, 3))


def test_names_in_a_dict_and_reshaping(tmp_path):
    path = _saved_model(tmp_path)
    with tf.Graph().as_default():
        _, fc, _ = _fresh_model(fc_shape=(1, 3))
        renamed = {"fc/w": fc}
        with pytest.raises(ValueError, match=r"holds shape \[3\], the variable has shape \[1, 3\]"):
            with tf.Session() as sess:
                tf.contrib.framework.assign_from_checkpoint_fn(path, renamed)(sess)
        with tf.Session() as sess:
            tf.contrib.framework.assign_from_checkpoint_fn(path, renamed, reshape_variables=True)(sess)
            np.testing.assert_array_equal(sess.run(fc), [[7.0, 8.0, 9.0]])


def test_assign_op_and_feed_dict(tmp_path):
    path = _saved_model(tmp_path)
    with tf.Graph().as_default():
        conv, fc, _ = _fresh_model()
        assign_op, feed_dict = tf.contrib.slim.assign_from_checkpoint(path, {"conv1/w": conv, "fc/w": fc})
        assert len(feed_dict) == 2
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(assign_op, feed_dict)
            np.testing.assert_array_equal(sess.run(fc), [7.0, 8.0, 9.0])
            np.testing.assert_array_equal(sess.run(conv), np.arange(6.0).reshape(2, 3))
