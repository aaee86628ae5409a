"""Cells written by users the way TF 1.x code writes them: ``RNNCell.__init__`` called with TF 1.15's arguments
(``_reuse``, ``trainable``), old-style cells that override ``__call__`` and make their variables with
``get_variable`` (shared across ``static_rnn``'s steps by the reuse TF turns on after the first step), cells that
never call ``RNNCell.__init__``; ``RNNCell.get_initial_state``; and the op types of ``tf.py_func``. Expected values
are numpy loops over the same weights."""
import numpy as np
import pytest

import minidl.graph as tf

RNG = np.random.default_rng(7)
N, L, D, H = 2, 3, 3, 4        # batch, time, input depth, units
KERNEL = RNG.standard_normal((D + H, H)).astype(np.float32) * 0.5
X = RNG.standard_normal((N, L, D)).astype(np.float32)


def numpy_rnn(x, kernel, h=None):
    """h_t = tanh([x_t, h_(t-1)] @ kernel) over the steps of batch-major ``x``: every step's output, and the last."""
    h = np.zeros((len(x), kernel.shape[1]), np.float32) if h is None else h
    outputs = []
    for t in range(x.shape[1]):
        h = np.tanh(np.concatenate([x[:, t], h], 1) @ kernel)
        outputs.append(h)
    return np.stack(outputs, 1), h


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


def steps_of(x):
    return [tf.constant(x[:, t]) for t in range(x.shape[1])]


# ======================================================================= RNNCell.__init__ with TF 1.15's arguments

class LayerStyleCell(tf.nn.rnn_cell.RNNCell):
    """h' = tanh([x, h] @ kernel), written as TF 1.15's own cells are: ``_reuse`` passed to the base class."""

    def __init__(self, units, reuse=None, name=None, dtype=None, trainable=True):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, trainable=trainable)
        self.units = units

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, inputs_shape):
        self.kernel = self.add_variable("kernel", [inputs_shape[-1] + self.units, self.units],
                                        initializer=tf.constant_initializer(KERNEL))

    def call(self, inputs, state):
        h = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), self.kernel))
        return h, h


def test_rnn_cell_init_takes_tf_1_15s_reuse_name_dtype_and_trainable():
    x = tf.constant(X[:, 0].astype(np.float64))
    h0 = tf.zeros([N, H], tf.float64)
    with tf.variable_scope("model"):
        first = LayerStyleCell(H, name="shared", dtype=tf.float64)
        out_first, _ = first(x, h0)
    assert first.dtype == tf.float64 and [v.name for v in first.variables] == ["model/shared/kernel:0"]
    assert first.variables[0].dtype.base_dtype == tf.float64
    with tf.variable_scope("model"):
        again = LayerStyleCell(H, name="shared", dtype=tf.float64, reuse=True)    # _reuse=True: the same variables
        out_again, _ = again(x, h0)
    assert again.variables == first.variables and len(tf.global_variables()) == 1
    with pytest.raises(ValueError, match="model/shared/kernel already exists"):    # without reuse: TF's error
        with tf.variable_scope("model"):
            LayerStyleCell(H, name="shared", dtype=tf.float64)(x, h0)
    expected = np.tanh(np.concatenate([X[:, 0], np.zeros((N, H))], 1).astype(np.float64) @ KERNEL)
    values = run([out_first, out_again])
    np.testing.assert_allclose(values[0], expected, rtol=1e-6)
    np.testing.assert_allclose(values[1], expected, rtol=1e-6)


def test_a_cell_made_with_trainable_false_makes_variables_that_do_not_train():
    frozen = LayerStyleCell(H, trainable=False, name="frozen")
    trained = LayerStyleCell(H, name="trained")
    for cell in (frozen, trained):
        tf.nn.static_rnn(cell, steps_of(X), dtype=tf.float32, scope=cell.name)
    assert [v.name for v in tf.trainable_variables()] == ["trained/trained/kernel:0"]
    assert frozen.trainable_variables == [] and [v.name for v in frozen.variables] == ["frozen/frozen/kernel:0"]
    assert trained.trainable_variables == trained.variables


# ============================================================================================ old-style cells

class OldStyleCell(tf.nn.rnn_cell.RNNCell):
    """A TF 1.0-era cell: ``__call__`` overridden, its variable made with ``get_variable`` in its own scope at every
    call — so from the second call on, only an enclosing scope's reuse lets it find the variable again."""

    def __init__(self, units):
        super().__init__()
        self.units = units

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def __call__(self, inputs, state, scope=None):
        with tf.variable_scope(scope or "my_cell"):
            kernel = tf.get_variable("w", [inputs.shape[1] + self.units, self.units],
                                     initializer=tf.constant_initializer(KERNEL))
            h = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), kernel))
        return h, h


def test_static_rnn_shares_an_old_style_cells_variables_across_its_steps():
    outputs, final = tf.nn.static_rnn(OldStyleCell(H), steps_of(X), dtype=tf.float32)
    assert [v.name for v in tf.global_variables()] == ["rnn/my_cell/w:0"]
    expected_outputs, expected_final = numpy_rnn(X, KERNEL)
    values = run([outputs, final])
    np.testing.assert_allclose(np.stack(values[0], 1), expected_outputs, rtol=1e-5)
    np.testing.assert_allclose(values[1], expected_final, rtol=1e-5)
    # the reuse was the "rnn" scope's alone: the scope around it still makes new variables
    tf.get_variable("after", [1])
    tf.nn.static_rnn(OldStyleCell(H), steps_of(X), dtype=tf.float32, scope="second")
    assert [v.name for v in tf.global_variables()] == ["rnn/my_cell/w:0", "after:0", "second/my_cell/w:0"]


def test_static_bidirectional_rnn_gives_each_old_style_cell_its_own_variables():
    outputs, final_fw, final_bw = tf.nn.static_bidirectional_rnn(OldStyleCell(H), OldStyleCell(H), steps_of(X),
                                                                 dtype=tf.float32)
    assert [v.name for v in tf.global_variables()] == ["bidirectional_rnn/fw/my_cell/w:0",
                                                       "bidirectional_rnn/bw/my_cell/w:0"]
    forward, last_fw = numpy_rnn(X, KERNEL)
    backward, last_bw = numpy_rnn(X[:, ::-1], KERNEL)
    values = run([outputs, final_fw, final_bw])
    np.testing.assert_allclose(np.stack(values[0], 1), np.concatenate([forward, backward[:, ::-1]], 2), rtol=1e-5)
    np.testing.assert_allclose(values[1], last_fw, rtol=1e-5)
    np.testing.assert_allclose(values[2], last_bw, rtol=1e-5)


# =================================================================== cells that never call RNNCell.__init__

class NoInitOldStyleCell(OldStyleCell):
    """Old code's minimal cell: state_size, output_size and ``__call__``, and no call to ``RNNCell.__init__``."""

    def __init__(self, units):
        self.units = units


class NoInitLayerStyleCell(LayerStyleCell):
    """A cell with ``build`` and ``call`` whose ``__init__`` forgets ``RNNCell.__init__``."""

    def __init__(self, units):
        self.units = units


def rnn_over(function, cell, x):
    """``(outputs [N, L, units], final_state)`` of ``static_rnn`` or ``dynamic_rnn`` over batch-major ``x``."""
    if function == "static_rnn":
        outputs, final = tf.nn.static_rnn(cell, steps_of(x), dtype=tf.float32)
        return tf.stack(outputs, 1), final
    return tf.nn.dynamic_rnn(cell, tf.constant(x), dtype=tf.float32)


@pytest.mark.parametrize("function", ["static_rnn", "dynamic_rnn"])
@pytest.mark.parametrize("cell_class, variable", [(NoInitOldStyleCell, "rnn/my_cell/w:0"),
                                                  (NoInitLayerStyleCell, "rnn/no_init_layer_style_cell/kernel:0")])
def test_a_cell_that_never_calls_rnn_cell_init_runs_in_static_and_dynamic_rnn(function, cell_class, variable):
    outputs, final = rnn_over(function, cell_class(H), X)
    assert [v.name for v in tf.global_variables()] == [variable]
    expected_outputs, expected_final = numpy_rnn(X, KERNEL)
    values = run([outputs, final])
    np.testing.assert_allclose(values[0], expected_outputs, rtol=1e-5)
    np.testing.assert_allclose(values[1], expected_final, rtol=1e-5)


def test_cells_without_rnn_cell_init_keep_their_variables_apart():
    first, second = NoInitLayerStyleCell(H), NoInitLayerStyleCell(H)
    x, h0 = tf.constant(X[:, 0]), tf.zeros([N, H])
    first(x, h0)
    second(x, h0)
    assert [v.name for v in first.variables] == ["no_init_layer_style_cell/kernel:0"]
    assert [v.name for v in second.variables] == ["no_init_layer_style_cell_1/kernel:0"]
    assert tf.nn.rnn_cell.RNNCell.built is False and NoInitLayerStyleCell(H).variables == []


# ============================================================================================ get_initial_state

def test_get_initial_state_is_zeros_for_the_batch_of_inputs_or_batch_size():
    cell = tf.nn.rnn_cell.BasicLSTMCell(H)
    known = cell.get_initial_state(inputs=tf.constant(X[:, 0]))
    assert isinstance(known, tf.nn.rnn_cell.LSTMStateTuple) and known.c.shape.as_list() == [N, H]
    assert known.c.dtype == tf.float32
    x = tf.placeholder(tf.float64, [None, D])
    from_run = cell.get_initial_state(x)
    assert from_run.h.shape.as_list() == [None, H] and from_run.h.dtype == tf.float64
    sized = tf.nn.rnn_cell.BasicRNNCell(H).get_initial_state(batch_size=3, dtype=tf.float16)
    assert sized.shape.as_list() == [3, H] and sized.dtype == tf.float16
    values = run([known, from_run, sized], {x: np.ones((5, D))})
    np.testing.assert_array_equal(values[0].c, np.zeros((N, H)))
    np.testing.assert_array_equal(values[0].h, np.zeros((N, H)))
    np.testing.assert_array_equal(values[1].c, np.zeros((5, H)))
    np.testing.assert_array_equal(values[2], np.zeros((3, H)))


def test_get_initial_state_says_what_it_is_missing_or_what_disagrees():
    cell = tf.nn.rnn_cell.BasicRNNCell(H)
    with pytest.raises(ValueError, match="get_initial_state: batch_size and dtype cannot be None .* "
                                         "batch_size=None, dtype=float32"):
        cell.get_initial_state(dtype=tf.float32)
    with pytest.raises(ValueError, match="batch_size=2, dtype=None"):
        cell.get_initial_state(batch_size=2)
    x = tf.constant(X[:, 0])
    with pytest.raises(ValueError, match="batch size from input tensor is different .* Input tensor batch: 2, "
                                         "batch_size: 3"):
        cell.get_initial_state(x, batch_size=3)
    with pytest.raises(ValueError, match="dtype from input tensor is different .* Input tensor dtype: float32, "
                                         "dtype: float64"):
        cell.get_initial_state(x, dtype=tf.float64)
    assert cell.get_initial_state(x, batch_size=tf.constant(N), dtype="float32").shape.as_list() == [N, H]


# ============================================================================================== py_func's types

@pytest.mark.parametrize("stateful, op_type", [(True, "PyFunc"), (False, "PyFuncStateless")])
def test_py_func_is_a_pyfunc_op_or_a_stateless_one(stateful, op_type):
    y = tf.py_func(lambda a: a * 2, [tf.constant([1.0, 2.5])], tf.float32, stateful=stateful)
    assert y.op.type == op_type
    np.testing.assert_array_equal(run(y), [2.0, 5.0])


def test_numpy_function_and_py_function_make_tfs_op_types():
    assert tf.numpy_function(lambda a: a, [tf.constant(1.0)], tf.float32).op.type == "PyFunc"
    doubled = tf.py_function(lambda a: a * 2, [tf.constant([1.0, 2.5])], tf.float32)
    assert doubled.op.type == "EagerPyFunc"
    np.testing.assert_array_equal(run(doubled), [2.0, 5.0])


def test_a_stateless_py_func_takes_a_gradient_mapped_to_its_type():
    @tf.RegisterGradient("TripleThroughStatelessPyFunc")
    def triple(op, grad):
        return grad * 3

    x = tf.constant([1.0, 2.0])
    with tf.get_default_graph().gradient_override_map({"PyFuncStateless": "TripleThroughStatelessPyFunc"}):
        y = tf.py_func(lambda a: a * 3, [x], tf.float32, stateful=False)
    (grad,) = tf.gradients(tf.reduce_sum(y * y), [x])
    np.testing.assert_allclose(run(grad), 2 * 3 * np.array([3.0, 6.0]))    # d/dx (3x)^2 = 2 * 3 * 3x
