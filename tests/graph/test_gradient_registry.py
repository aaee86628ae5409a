"""tf.RegisterGradient and gradient_override_map: an op's gradient replaced by a registered function."""
import itertools

import numpy as np
import pytest

import minidl.graph as tf

_names = itertools.count()


def unique(name):
    """The registry is the process's, as in TF: each test registers under names of its own."""
    return f"{name}_{next(_names)}"


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        yield


def test_guided_relu_replaces_relu_gradient_only_inside_the_block():
    name = unique("GuidedRelu")

    @tf.RegisterGradient(name)
    def guided(op, grad):
        return tf.where(grad > 0, grad, tf.zeros_like(grad)) * tf.cast(op.outputs[0] > 0, grad.dtype)

    x = tf.constant([-1.0, 2.0, 3.0, 4.0])
    upstream = tf.constant([1.0, -1.0, 2.0, 0.5])
    with tf.get_default_graph().gradient_override_map({"Relu": name}):
        guided_y = tf.nn.relu(x)
    plain_y = tf.nn.relu(x)
    assert guided_y.op.gradient_override == name and plain_y.op.gradient_override is None
    (guided_grad,) = tf.gradients(guided_y * upstream, [x])
    (plain_grad,) = tf.gradients(plain_y * upstream, [x])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(guided_grad), [0.0, 0.0, 2.0, 0.5])  # negative gradients dropped
        np.testing.assert_array_equal(sess.run(plain_grad), [0.0, -1.0, 2.0, 0.5])


def test_a_py_func_gets_a_gradient_that_agrees_with_central_differences():
    name = unique("CubeGrad")

    @tf.RegisterGradient(name)
    def cube_grad(op, grad):
        return grad * 3 * tf.square(op.inputs[0])

    x = tf.placeholder(tf.float64, [3])
    with tf.get_default_graph().gradient_override_map({"PyFunc": name}):
        y = tf.py_func(lambda a: a ** 3, [x], tf.float64)
    loss = tf.reduce_sum(tf.sin(y))
    (grad,) = tf.gradients(loss, [x])
    value = np.array([0.3, -0.7, 1.1])
    with tf.Session() as sess:
        analytic = sess.run(grad, {x: value})
        eps = 1e-6
        numeric = [(sess.run(loss, {x: value + eps * e}) - sess.run(loss, {x: value - eps * e})) / (2 * eps)
                   for e in np.eye(3)]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)


def test_a_two_input_op_gets_a_list_and_none_means_no_gradient():
    name = unique("OnlyFirst")

    @tf.RegisterGradient(name)
    def only_first(op, grad):
        return [grad * 10.0, None]

    a, b = tf.constant(2.0), tf.constant(3.0)
    with tf.get_default_graph().gradient_override_map({"Mul": name}):
        product = a * b
    grad_a, grad_b = tf.gradients(product, [a, b])
    assert grad_b is None
    with tf.Session() as sess:
        assert sess.run(grad_a) == 10.0


def test_not_differentiable_and_the_mistakes():
    stop = unique("Stop")
    tf.NotDifferentiable(stop)
    with pytest.raises(KeyError, match="Registering two gradient with name"):
        tf.NotDifferentiable(stop)
    x = tf.constant(1.0)
    with tf.get_default_graph().gradient_override_map({"Square": stop}):
        y = tf.square(x)
    assert tf.gradients(y, [x]) == [None]
    with tf.get_default_graph().gradient_override_map({"Square": unique("NeverRegistered")}):
        z = tf.square(x)
    with pytest.raises(LookupError, match="No gradient defined"):
        tf.gradients(z, [x])
    wrong = unique("WrongCount")
    tf.RegisterGradient(wrong)(lambda op, grad: [grad, grad])
    with tf.get_default_graph().gradient_override_map({"Square": wrong}):
        w = tf.square(x)
    with pytest.raises(ValueError, match="Num gradients 2 generated .* do not match num inputs 1"):
        tf.gradients(w, [x])
    with pytest.raises(TypeError, match="dict of op type strings"):
        with tf.get_default_graph().gradient_override_map({"Square": 3}):
            pass


def test_the_override_survives_a_meta_graph_round_trip(tmp_path):
    name = unique("Doubled")
    tf.RegisterGradient(name)(lambda op, grad: grad * 2.0)
    x = tf.placeholder(tf.float32, [2], name="x")
    with tf.get_default_graph().gradient_override_map({"Identity": name}):
        tf.identity(x, name="y")
    path = str(tmp_path / "g.meta")
    tf.train.export_meta_graph(path)
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(path)
        x, y = graph.get_tensor_by_name("x:0"), graph.get_tensor_by_name("y:0")
        (grad,) = tf.gradients(tf.reduce_sum(y), [x])
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(grad, {x: [1.0, 5.0]}), [2.0, 2.0])
