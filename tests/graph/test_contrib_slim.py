"""tf.contrib.framework's arg_scope and tf.contrib.slim: scoped defaults, repeat/stack's scopes, the losses,
create_train_op and the variables helpers."""
import numpy as np
import pytest

import minidl.graph as tf

slim = tf.contrib.slim
arg_scope = tf.contrib.framework.arg_scope


def _value(name):
    return tf.get_default_graph().get_tensor_by_name(name)


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        yield


# ------------------------------------------------------------------------------------------------ arg_scope

def test_scope_defaults_apply_and_the_call_arguments_win():
    x = tf.ones([2, 3])
    with arg_scope([slim.fully_connected], weights_initializer=tf.constant_initializer(0.5), activation_fn=None):
        scoped = slim.fully_connected(x, 4, scope="scoped")
        explicit = slim.fully_connected(x, 4, weights_initializer=tf.constant_initializer(-2.0), scope="explicit")
    default = slim.fully_connected(x, 4, weights_initializer=tf.constant_initializer(-2.0), scope="default")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        scoped, explicit, default = sess.run([scoped, explicit, default])
    np.testing.assert_allclose(scoped, np.full([2, 4], 1.5))
    np.testing.assert_allclose(explicit, np.full([2, 4], -6.0))  # activation_fn=None still from the scope
    np.testing.assert_allclose(default, np.zeros([2, 4]))  # outside the scope: the default ReLU again


def test_scopes_nest_and_a_stored_scope_can_be_entered_again():
    images = tf.ones([1, 8, 8, 3])
    with arg_scope([slim.conv2d, slim.max_pool2d], padding="VALID"):
        with arg_scope([slim.conv2d], stride=2) as stored:
            assert slim.conv2d(images, 4, [3, 3]).shape.as_list() == [1, 3, 3, 4]  # VALID and stride 2
            assert slim.max_pool2d(images, [3, 3], stride=1).shape.as_list() == [1, 6, 6, 3]
        assert slim.conv2d(images, 4, [3, 3]).shape.as_list() == [1, 6, 6, 4]  # the inner scope is over
    assert tf.contrib.framework.current_arg_scope() == {}
    assert slim.conv2d(images, 4, [3, 3]).shape.as_list() == [1, 8, 8, 4]
    with arg_scope(stored):
        assert slim.conv2d(images, 4, [3, 3]).shape.as_list() == [1, 3, 3, 4]
        with pytest.raises(ValueError, match="kwargs must be empty"):
            with arg_scope(stored, padding="SAME"):
                pass
    assert slim.conv2d(images, 4, [3, 3], padding="VALID").shape.as_list() == [1, 6, 6, 4]


def test_a_scoped_argument_passed_by_position_is_given_twice():
    # as in TF: the scope passes its defaults by keyword
    with arg_scope([slim.conv2d], kernel_size=[3, 3]):
        assert slim.conv2d(tf.ones([1, 4, 4, 1]), 2).shape.as_list() == [1, 4, 4, 2]
        with pytest.raises(TypeError, match="multiple values"):
            slim.conv2d(tf.ones([1, 4, 4, 1]), 2, [1, 1])


def test_has_arg_scope_and_arg_scoped_arguments():
    framework = tf.contrib.framework
    assert framework.has_arg_scope(slim.conv2d) and framework.has_arg_scope(tf.contrib.layers.batch_norm)
    assert framework.has_arg_scope(tf.contrib.conv2d)  # the undecorated function names the same entry
    assert not framework.has_arg_scope(tf.nn.relu)
    assert framework.arg_scoped_arguments(slim.max_pool2d) == ["stride", "padding", "data_format",
                                                                 "outputs_collections", "scope"]
    with pytest.raises(ValueError, match="not decorated with @add_arg_scope"):
        with arg_scope([tf.nn.relu], name="x"):
            pass
    with pytest.raises(TypeError, match="list/tuple"):
        with arg_scope(slim.conv2d, padding="SAME"):
            pass

    @framework.add_arg_scope
    def scale(x, factor=1.0):
        return x * factor

    with arg_scope([scale], factor=3.0):
        assert scale(2.0) == 6.0 and scale(2.0, factor=5.0) == 10.0
    assert scale(2.0) == 2.0 and scale.__name__ == "scale"


# ------------------------------------------------------------------------------------------ a slim network

def _vgg_like(images):
    with arg_scope([slim.conv2d, slim.fully_connected], weights_regularizer=slim.l2_regularizer(0.01)):
        net = slim.repeat(images, 2, slim.conv2d, 4, [3, 3], scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        net = slim.flatten(net)
        net = slim.stack(net, slim.fully_connected, [8, 6], scope="fc")
        return slim.fully_connected(net, 3, activation_fn=None, scope="logits")


def test_repeat_and_stack_name_their_scopes_and_the_regularizers_join_the_total_loss():
    images = tf.constant(np.random.RandomState(0).randn(2, 8, 8, 3).astype(np.float32))
    logits = _vgg_like(images)
    assert logits.shape.as_list() == [2, 3]
    names = [v.name for v in slim.get_model_variables()]
    assert names == ["conv1/conv1_1/weights:0", "conv1/conv1_1/biases:0", "conv1/conv1_2/weights:0",
                     "conv1/conv1_2/biases:0", "fc/fc_1/weights:0", "fc/fc_1/biases:0", "fc/fc_2/weights:0",
                     "fc/fc_2/biases:0", "logits/weights:0", "logits/biases:0"]
    assert _value("conv1/conv1_2/weights:0").shape.as_list() == [3, 3, 4, 4]
    assert _value("fc/fc_1/weights:0").shape.as_list() == [64, 8]  # 4 x 4 x 4 after the pool
    assert _value("fc/fc_2/weights:0").shape.as_list() == [8, 6]
    assert len(slim.losses.get_regularization_losses()) == 5  # one per weights

    labels = tf.one_hot([0, 2], 3)
    data_loss = slim.losses.softmax_cross_entropy(logits, labels)  # contrib.losses: logits first
    total = slim.losses.get_total_loss()
    weights = slim.get_model_variables(suffix="weights")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        data_loss, total, weights, logits = sess.run([data_loss, total, weights, logits])
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    assert data_loss == pytest.approx(-(log_softmax[0, 0] + log_softmax[1, 2]) / 2, rel=1e-5)
    assert total == pytest.approx(data_loss + sum(0.01 * (w ** 2).sum() / 2 for w in weights), rel=1e-5)


def test_repeat_without_a_scope_and_stack_with_tuples():
    x = tf.ones([1, 4, 4, 2])
    assert slim.repeat(x, 2, slim.conv2d, 3, [1, 1]).shape.as_list() == [1, 4, 4, 3]
    y = slim.stack(x, slim.conv2d, [(5, [3, 3]), (6, [1, 1], 2)], padding="VALID")
    assert y.shape.as_list() == [1, 1, 1, 6]
    assert [v.name for v in slim.get_variables(suffix="weights")] == [
        "Repeat/conv2d_1/weights:0", "Repeat/conv2d_2/weights:0", "Stack/conv2d_1/weights:0",
        "Stack/conv2d_2/weights:0"]
    with pytest.raises(ValueError, match="list or tuple"):
        slim.stack(x, slim.conv2d, 3)


# ------------------------------------------------------------------------------------------ create_train_op

def test_create_train_op_gives_the_loss_before_its_update_and_trains():
    rng = np.random.RandomState(1)
    x = rng.randn(16, 3).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    predictions = slim.fully_connected(tf.constant(x), 1, activation_fn=None)
    loss = slim.losses.mean_squared_error(predictions, tf.constant(y))  # predictions first
    train_op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.1))
    assert train_op in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = []
        for _ in range(5):
            before = sess.run(loss)
            values.append(sess.run(train_op))
            assert values[-1] == pytest.approx(before)  # what the step computed its gradients from
        assert sess.run(loss) < values[-1] < values[0]
        assert all(a > b for a, b in zip(values, values[1:]))
        assert sess.run(tf.train.get_global_step()) == 5


def test_create_train_op_runs_the_update_ops_and_clips_each_gradient():
    counter = tf.Variable(0.0, trainable=False)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(counter, 1.0))
    w = tf.Variable(0.0)
    loss = 100.0 * w
    train_op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(1.0), global_step=None,
                                             clip_gradient_norm=2.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(train_op) == 0.0
        assert sess.run([w, counter]) == [-2.0, 1.0]  # the gradient 100 clipped to the norm 2
    assert tf.train.get_global_step() is None


# -------------------------------------------------------------------------------------------- variables

def test_variables_to_restore_and_model_variables():
    with tf.variable_scope("net"):
        slim.model_variable("w", [2])
        slim.variable("step", [], trainable=False)
        with tf.variable_scope("head"):
            slim.model_variable("w", [2])
    other = slim.variable("other", [1])
    restore = slim.get_variables_to_restore
    assert [v.name for v in restore()] == ["net/w:0", "net/step:0", "net/head/w:0", "other:0"]
    assert [v.name for v in restore(exclude=["net/head"])] == ["net/w:0", "net/step:0", "other:0"]
    assert [v.name for v in restore(include=["net"], exclude=["net/head", "net/step"])] == ["net/w:0"]
    with pytest.raises(TypeError, match="not a list or a tuple"):
        restore(include="net")
    assert [v.name for v in slim.get_model_variables()] == ["net/w:0", "net/head/w:0"]
    assert [v.name for v in slim.get_trainable_variables("net")] == ["net/w:0", "net/head/w:0"]
    assert other in tf.trainable_variables() and other not in slim.get_model_variables()


def test_one_hot_encoding():
    encoded = slim.one_hot_encoding(tf.constant([2, 0]), 3)
    assert encoded.dtype == tf.float32 and encoded.op.name.startswith("OneHotEncoding/")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(encoded), [[0, 0, 1], [1, 0, 0]])


def test_flatten_has_contribs_signature():
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    flat = tf.contrib.slim.flatten(x, scope="flatten")
    assert flat.shape.as_list() == [None, 32] and flat.name.startswith("flatten/")


def test_slim_reexports_all_of_contrib_layers():
    """TF's slim re-exports tf.contrib.layers: slim.conv2d_transpose (a slim DCGAN's generator), layer_norm,
    l1_l2_regularizer, optimize_loss were missing."""
    for name in ("conv2d_transpose", "convolution2d_transpose", "layer_norm", "l1_l2_regularizer",
                 "xavier_initializer_conv2d", "apply_regularization", "optimize_loss", "embed_sequence"):
        assert getattr(slim, name) is getattr(tf.contrib.layers, name)
    with arg_scope([slim.conv2d_transpose], activation_fn=tf.nn.relu):
        up = slim.conv2d_transpose(tf.ones([1, 4, 4, 3]), 2, 3, stride=2)
    assert up.shape.as_list() == [1, 8, 8, 2] and up.op.type == "Relu"
