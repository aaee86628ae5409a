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

def tanh_step(inputs, state, units, scope):
    """An old-style cell's step: ``get_variable("w")`` in ``scope`` at every call, then h = tanh([x, h] @ w)."""
    with tf.variable_scope(scope):
        kernel = tf.get_variable("w", [inputs.shape[1] + units, units], initializer=tf.constant_initializer(KERNEL))
        h = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), kernel))
    return h, h


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
        return tanh_step(inputs, state, self.units, scope or "my_cell")


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


# ================================================================= objects that are only like cells (TF 1.15)

class LikeACell:
    """A cell that does not subclass RNNCell, as TF 1.15 takes one (its ``assert_like_rnncell``): ``output_size``,
    ``state_size`` and a ``__call__`` that makes its variable with ``get_variable``; subclasses add ``zero_state``
    or ``get_initial_state``, each starting from a state of 0.5s, so that the tests see which one ran."""

    def __init__(self, units):
        self.units = units

    @property
    def output_size(self):
        return self.units

    @property
    def state_size(self):
        return self.units

    def __call__(self, inputs, state, scope=None):
        return tanh_step(inputs, state, self.units, scope or "like_a_cell")


class LikeACellWithZeroState(LikeACell):
    def zero_state(self, batch_size, dtype):
        return tf.fill([batch_size, self.units], tf.constant(0.5, dtype))


class LikeACellWithGetInitialState(LikeACell):
    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        return tf.fill([batch_size, self.units], tf.constant(0.5, dtype))


HALF = np.full((N, H), 0.5, np.float32)


@pytest.mark.parametrize("cell_class", [LikeACellWithZeroState, LikeACellWithGetInitialState])
@pytest.mark.parametrize("function", ["static_rnn", "dynamic_rnn"])
def test_static_and_dynamic_rnn_run_an_object_that_is_only_like_a_cell(function, cell_class):
    outputs, final = rnn_over(function, cell_class(H), X)
    assert [v.name for v in tf.global_variables()] == ["rnn/like_a_cell/w:0"]
    expected_outputs, expected_final = numpy_rnn(X, KERNEL, HALF)     # from the cell's own initial state
    values = run([outputs, final])
    np.testing.assert_allclose(values[0], expected_outputs, rtol=1e-5)
    np.testing.assert_allclose(values[1], expected_final, rtol=1e-5)


def test_raw_rnn_and_a_basic_decoder_run_an_object_that_is_only_like_a_cell():
    """(TF 1.15's raw_rnn, BasicDecoder and AttentionWrapper check cells with assert_like_rnncell too.)"""
    expected_outputs, expected_final = numpy_rnn(X, KERNEL, HALF)
    cell = LikeACellWithZeroState(H)
    steps = tf.TensorArray(tf.float32, size=L).unstack(tf.transpose(tf.constant(X), [1, 0, 2]))

    def loop_fn(time, output, state, loop_state):
        finished = tf.fill([N], time >= L)
        next_input = tf.cond(time >= L, lambda: tf.zeros([N, D]), lambda: steps.read(tf.minimum(time, L - 1)))
        return (finished, next_input, cell.zero_state(N, tf.float32) if output is None else state,
                None if output is None else output, None)

    emitted, raw_final, _ = tf.nn.raw_rnn(cell, loop_fn)
    helper = tf.contrib.seq2seq.TrainingHelper(tf.constant(X), tf.fill([N], L))
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(N, tf.float32))
    with tf.variable_scope("decoder"):
        decoded, decoded_final, _ = tf.contrib.seq2seq.dynamic_decode(decoder)
    values = run([tf.transpose(emitted.stack(), [1, 0, 2]), raw_final, decoded.rnn_output, decoded_final])
    for outputs, final in (values[:2], values[2:]):
        np.testing.assert_allclose(outputs, expected_outputs, rtol=1e-5)
        np.testing.assert_allclose(final, expected_final, rtol=1e-5)


def test_bidirectional_rnns_run_objects_that_are_only_like_cells():
    (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(LikeACellWithZeroState(H), LikeACellWithZeroState(H),
                                                          tf.constant(X), dtype=tf.float32)
    static_outputs, _, _ = tf.nn.static_bidirectional_rnn(LikeACellWithZeroState(H), LikeACellWithZeroState(H),
                                                          steps_of(X), dtype=tf.float32, scope="static")
    assert [v.name for v in tf.global_variables()] == [
        "bidirectional_rnn/fw/like_a_cell/w:0", "bidirectional_rnn/bw/like_a_cell/w:0",
        "static/fw/like_a_cell/w:0", "static/bw/like_a_cell/w:0"]
    forward, _ = numpy_rnn(X, KERNEL, HALF)
    backward, _ = numpy_rnn(X[:, ::-1], KERNEL, HALF)
    values = run([out_fw, out_bw, static_outputs])
    np.testing.assert_allclose(values[0], forward, rtol=1e-5)
    np.testing.assert_allclose(values[1], backward[:, ::-1], rtol=1e-5)
    np.testing.assert_allclose(np.stack(values[2], 1), np.concatenate([forward, backward[:, ::-1]], 2), rtol=1e-5)


def test_multi_rnn_cell_and_dropout_wrapper_take_an_object_that_is_only_like_a_cell():
    like = LikeACellWithZeroState(H)
    top = tf.nn.rnn_cell.BasicRNNCell(H, name="top")
    stack = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.DropoutWrapper(like, output_keep_prob=1.0), top])
    outputs, (final_like, final_top) = tf.nn.dynamic_rnn(stack, tf.constant(X), dtype=tf.float32)
    assert [v.name for v in tf.global_variables()] == ["rnn/multi_rnn_cell/cell_1/top/kernel:0",    # built first
                                                       "rnn/multi_rnn_cell/cell_1/top/bias:0",
                                                       "rnn/multi_rnn_cell/cell_0/like_a_cell/w:0"]
    assert stack.variables == top.variables       # the object like a cell lists none
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        top_kernel = sess.run(top.kernel)
        values = sess.run([outputs, final_like, final_top])
    # each layer starts from its own zero_state: 0.5s for the first, zeros for the BasicRNNCell (whose bias is 0)
    first, first_final = numpy_rnn(X, KERNEL, HALF)
    second, second_final = numpy_rnn(first, top_kernel)
    np.testing.assert_allclose(values[0], second, rtol=1e-5)
    np.testing.assert_allclose(values[1], first_final, rtol=1e-5)
    np.testing.assert_allclose(values[2], second_final, rtol=1e-5)


def test_an_object_that_is_not_like_a_cell_is_refused_with_what_it_lacks():
    x = tf.constant(X)
    with pytest.raises(TypeError, match="dynamic_rnn: cell must be an instance of RNNCell, got object, or an object "
                                        "like one, which it is not: 'output_size' property is missing, 'state_size' "
                                        "property is missing, either 'zero_state' or 'get_initial_state' method is "
                                        "required, it is not callable"):
        tf.nn.dynamic_rnn(object(), x, dtype=tf.float32)
    with pytest.raises(TypeError, match="static_bidirectional_rnn: cell_bw must be an instance of RNNCell, got "
                                        r"LikeACell, or an object like one, which it is not: either 'zero_state' or "
                                        r"'get_initial_state' method is required$"):
        tf.nn.static_bidirectional_rnn(LikeACellWithZeroState(H), LikeACell(H), steps_of(X), dtype=tf.float32)
    with pytest.raises(TypeError, match=r"MultiRNNCell: every cell must be an RNNCell or an object like one, and "
                                        r"cells\[1\] \(3\) is not: 'output_size' property is missing"):
        tf.nn.rnn_cell.MultiRNNCell([LikeACellWithZeroState(H), 3])
    with pytest.raises(TypeError, match="The parameter cell is not a RNNCell. DropoutWrapper takes an RNNCell or an "
                                        "object like one, and .* is not: either 'zero_state'"):
        tf.nn.rnn_cell.DropoutWrapper(LikeACell(H))


# ============================================================ the built-in cells' base-layer arguments (TF 1.15)

def test_built_in_cells_take_trainable_name_and_dtype_for_the_base_layer():
    frozen = tf.nn.rnn_cell.BasicRNNCell(H, trainable=False)
    frozen_outputs, _ = tf.nn.dynamic_rnn(frozen, tf.constant(X), dtype=tf.float32, scope="frozen")
    top = tf.nn.rnn_cell.GRUCell(H, name="gru", trainable=True)
    top_outputs, _ = tf.nn.dynamic_rnn(top, frozen_outputs, dtype=tf.float32, scope="top")
    assert [v.name for v in tf.trainable_variables()] == ["top/gru/gates/kernel:0", "top/gru/gates/bias:0",
                                                          "top/gru/candidate/kernel:0", "top/gru/candidate/bias:0"]
    assert frozen.trainable_variables == [] and len(frozen.variables) == 2
    train = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(top_outputs ** 2))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, gru_kernel, outputs = sess.run([frozen.kernel, top.gate_kernel, frozen_outputs])
        sess.run(train)
        kernel_after, gru_kernel_after = sess.run([frozen.kernel, top.gate_kernel])
    np.testing.assert_allclose(outputs, numpy_rnn(X, kernel)[0], rtol=1e-5, atol=1e-6)  # (the bias is zeros)
    np.testing.assert_array_equal(kernel_after, kernel)                          # the optimizer left it alone
    assert np.abs(gru_kernel_after - gru_kernel).max() > 1e-4
    lstm = tf.nn.rnn_cell.LSTMCell(H, dtype=tf.float64, trainable=False)
    lstm(tf.constant(X[:, 0], tf.float64), lstm.zero_state(N, tf.float64))
    assert [v.dtype.base_dtype for v in lstm.variables] == [tf.float64, tf.float64]
    assert lstm.trainable_variables == [] and not set(lstm.variables) & set(tf.trainable_variables())
    with pytest.raises(TypeError, match="unexpected keyword argument 'activaton'"):
        tf.nn.rnn_cell.BasicLSTMCell(H, activaton=tf.nn.relu)


def test_built_in_cells_take_reuse_in_tf_1_15s_position():
    x, h0 = tf.constant(X[:, 0]), tf.zeros([N, H])
    zero = tf.nn.rnn_cell.LSTMStateTuple(h0, h0)
    with tf.variable_scope("model"):
        first_gru, first_lstm = tf.nn.rnn_cell.GRUCell(H), tf.nn.rnn_cell.BasicLSTMCell(H)
        first = [first_gru(x, h0)[0], first_lstm(x, zero)[0]]
    with tf.variable_scope("model"):
        gru = tf.nn.rnn_cell.GRUCell(H, None, True)                     # (num_units, activation, reuse)
        lstm = tf.nn.rnn_cell.BasicLSTMCell(H, 1.0, True, None, True)   # (..., state_is_tuple, activation, reuse)
        again = [gru(x, h0)[0], lstm(x, zero)[0]]
    assert gru.variables == first_gru.variables and lstm.variables == first_lstm.variables
    assert len(tf.global_variables()) == 6
    values = run(first + again)
    np.testing.assert_array_equal(values[0], values[2])
    np.testing.assert_array_equal(values[1], values[3])


# ======================================================== unique scopes for cells of one name (TF 1.15's Layer)

def test_two_cells_of_one_name_in_one_scope_get_unique_scopes_as_in_tf():
    x, h0 = tf.constant(X[:, 0]), tf.zeros([N, H])
    with tf.variable_scope("model"):
        first, second = tf.nn.rnn_cell.BasicRNNCell(H, name="shared"), tf.nn.rnn_cell.BasicRNNCell(H, name="shared")
        out_first, out_second = first(x, h0)[0], second(x, h0)[0]
        user_cells = [LayerStyleCell(H, name="mine"), LayerStyleCell(H, name="mine")]
        for cell in user_cells:
            cell(x, h0)
        exact = tf.nn.rnn_cell.BasicRNNCell(H, name="shared", reuse=True)      # reuse: the name as it is
        out_exact = exact(x, h0)[0]
        auto = tf.nn.rnn_cell.BasicRNNCell(H, name="shared", reuse=tf.AUTO_REUSE)
        auto(x, h0)
    assert [first.name, second.name, exact.name, auto.name] == ["shared", "shared_1", "shared", "shared"]
    assert [v.name for v in second.variables] == ["model/shared_1/kernel:0", "model/shared_1/bias:0"]
    assert [v.name for cell in user_cells for v in cell.variables] == ["model/mine/kernel:0", "model/mine_1/kernel:0"]
    assert exact.variables == first.variables and auto.variables == first.variables
    assert len(tf.global_variables()) == 6
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernels = sess.run([first.kernel, second.kernel])
        values = sess.run([out_first, out_second, out_exact])
    for kernel, value in zip(kernels + kernels[:1], values):
        np.testing.assert_allclose(value, np.tanh(np.concatenate([X[:, 0], np.zeros((N, H))], 1) @ kernel),
                                   rtol=1e-5)


def test_a_default_named_cell_with_auto_reuse_finds_the_variables_of_the_first():
    x, h0 = tf.constant(X[:, 0]), tf.zeros([N, H])
    with tf.variable_scope("model"):
        first = tf.nn.rnn_cell.GRUCell(H)
        first(x, h0)
        auto = tf.nn.rnn_cell.GRUCell(H, reuse=tf.AUTO_REUSE)
        auto(x, h0)
    assert auto.variables == first.variables and auto.name == "gru_cell"
