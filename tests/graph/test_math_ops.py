"""tf.math, tf.linalg and tf.signal: the TF-named wrappers translate TF's conventions (names, axis/keepdims,
transpose flags, defaults, no dtype promotion) onto the op library. The op library's own maths is tested elsewhere."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients


rng = np.random.default_rng(0)
A = rng.standard_normal((2, 3)).astype(np.float32)
B = rng.standard_normal((3,)).astype(np.float32) + 3  # positive: safe for pow, log, mod


# ---------------------------------------------------------------------------------------------------- naming

def test_name_argument_names_the_op_and_default_names_are_tf_s():
    a, b = tf.constant(A), tf.constant(B)
    assert tf.add(a, b, name="total").name == "total:0"
    assert tf.add(a, b).name == "Add:0" and tf.add(a, b).name == "Add_1:0"
    assert tf.matmul(a, tf.constant(A.T)).op.name == "MatMul"
    assert tf.reduce_sum(a).name == "Sum:0"
    with tf.name_scope("layer"):
        out = tf.multiply(a, 2.0, name="scaled")
    assert out.name == "layer/scaled:0"
    assert tf.get_default_graph().get_tensor_by_name("total:0").op.type == "Add"
    # helper ops (the constant 2.0) live under the op's name
    assert "layer/scaled/Const" in [op.name for op in tf.get_default_graph().get_operations()]


def test_python_operators_name_their_operations_as_tf1_does():
    """TF1 builds each operator in a name scope of its own name: print(a + b) shows Tensor("add:0", ...)."""
    a, b = tf.constant(A), tf.constant(B)
    named = {"add": a + b, "add_1": 1.0 + a, "sub": a - b, "mul": a * 2.0, "truediv": a / b, "floordiv": a // b,
             "mod": a % b, "pow": a ** 2.0, "Neg": -a, "Abs": abs(a), "Greater": a > b, "Less": a < b,
             "GreaterEqual": a >= b, "LessEqual": a <= b, "strided_slice": a[0], "matmul": a @ tf.constant(A.T)}
    assert {name: t.op.name for name, t in named.items()} == {name: name for name in named}
    assert named["add"].op.type == "Add" and named["mul"].op.type == "Mul"
    with tf.name_scope("model"):
        total = a + b
    assert tf.get_default_graph().get_tensor_by_name("model/add:0") is total
    assert str(total) == 'Tensor("model/add:0", shape=(2, 3), dtype=float32)'
    assert str(tf.placeholder(tf.float32, (None, 3), name="x")) == 'Tensor("x:0", shape=(?, 3), dtype=float32)'
    assert str(tf.placeholder(tf.float32, name="any")) == 'Tensor("any:0", dtype=float32)'
    np.testing.assert_allclose(run([named["truediv"], named["pow"]]), [A / B, A ** 2], rtol=1e-6)


def test_operations_show_tf1s_op_types():
    """The op library names ops as PyTorch's grad_fn; a graph operation's type is TF's name for it."""
    a, b = tf.placeholder(tf.float32, (2, 3)), tf.placeholder(tf.float32, (3, 2))
    typed = {"MatMul": tf.matmul(a, b), "Reshape": tf.reshape(a, (3, 2)), "Transpose": tf.transpose(a),
             "ConcatV2": tf.concat([a, a], 0), "Pack": tf.stack([a, a]), "ArgMax": tf.argmax(a, 1),
             "Cast": tf.cast(a, tf.int32), "Max": tf.reduce_max(a), "ExpandDims": tf.expand_dims(a, 0),
             "StridedSlice": a[0], "Equal": tf.equal(a, a), "Greater": a > 1.0, "RealDiv": a / 2.0,
             "Conv2D": tf.nn.conv2d(tf.zeros((1, 4, 4, 1)), tf.zeros((3, 3, 1, 2)), [1, 1, 1, 1], "SAME")}
    assert typed["Conv2D"].op.type == "Transpose"  # NHWC: the NCHW convolution sits between two transposes
    typed["Conv2D"] = typed["Conv2D"].op.inputs[0]
    assert {kind: t.op.type for kind, t in typed.items()} == {kind: kind for kind in typed}


def test_slash_divides_integers_in_float64_as_tf1_truediv_does():
    """int32/int64 operands divide in float64 (no digits lost), 8- and 16-bit ones in float32."""
    big = tf.constant([16777217, 123456789])
    halves = run([big / 1, 7 / tf.constant(2), big / big, tf.constant(7, tf.int8) / 2])
    assert halves[0].dtype == np.float64 and halves[0].tolist() == [16777217.0, 123456789.0]
    assert halves[1] == 3.5 and halves[2].dtype == np.float64 and halves[3].dtype == np.float32
    with pytest.raises(TypeError, match="Expected int32, got 1.5 of type 'float' instead"):
        big / 1.5  # TF converts the number to the tensor's dtype first


def test_repeated_names_are_made_unique_and_wrappers_work_inside_control_flow():
    a = tf.constant(A)
    assert tf.add(a, 1.0, name="x").name == "x:0" and tf.add(a, 1.0, name="x").name == "x_1:0"
    i, total = tf.while_loop(lambda i, t: tf.less(i, 3), lambda i, t: (tf.add(i, 1), tf.multiply(t, 2.0)),
                             [tf.constant(0), tf.constant(1.5)])
    picked = tf.cond(tf.less(i, 5), lambda: tf.reduce_sum(a, axis=1), lambda: tf.zeros([2]))
    values = run([total, picked])
    assert values[0] == 12.0
    np.testing.assert_allclose(values[1], A.sum(1), rtol=1e-6)


def test_lists_holding_tensors_are_packed():
    a = tf.constant(1.0)
    assert run(tf.reduce_max([a, 3.0, tf.constant(2.0)])) == 3.0
    with pytest.raises(TypeError, match="'Pack' Op have types"):
        tf.reduce_max([a, tf.constant(2)])


def test_name_given_positionally_and_on_a_composite_and_on_a_no_op():
    x = tf.placeholder(tf.float32, (None, 3))
    assert tf.subtract(x, 1.0, "diff").name == "diff:0"
    loss = tf.nn.l2_loss(x, name="loss")  # several ops: the last one carries the name
    assert loss.name == "loss:0"
    same = tf.cast(x, tf.float32, name="same")  # nothing to do: an Identity makes the name fetchable
    assert same.name == "same:0" and same.op.type == "Identity"
    assert tf.cast(x, tf.float32) is x


# ------------------------------------------------------------------------------------------ binary arithmetic

@pytest.mark.parametrize("fn, reference", [
    (tf.add, np.add), (tf.subtract, np.subtract), (tf.multiply, np.multiply), (tf.divide, np.divide),
    (tf.truediv, np.true_divide), (tf.floordiv, np.floor_divide), (tf.mod, np.mod), (tf.pow, np.power),
    (tf.maximum, np.maximum), (tf.minimum, np.minimum), (tf.squared_difference, lambda a, b: (a - b) ** 2),
    (tf.math.floormod, np.mod)])
def test_binary_ops_broadcast_like_numpy(fn, reference):
    out = fn(tf.constant(np.abs(A) + 0.5), tf.constant(B))
    assert out.shape == (2, 3) and out.dtype == tf.float32
    np.testing.assert_allclose(run(out), reference(np.abs(A) + 0.5, B), rtol=1e-5)


def test_no_promotion_between_tensors_tf_s_type_error():
    with pytest.raises(TypeError, match=r"^Input 'y' of 'AddV2' Op has type float32 that does not match type int32 "
                                        r"of argument 'x'\.$"):
        tf.add(tf.constant(1), tf.constant(2.0))
    with pytest.raises(TypeError, match="Input 'y' of 'Mul' Op has type float64"):
        tf.multiply(tf.constant(A), tf.constant(B.astype(np.float64)))


def test_python_numbers_take_the_tensor_s_dtype_when_they_fit():
    x = tf.constant(A)
    assert tf.add(x, 2).dtype == tf.float32 and tf.add(2, x).dtype == tf.float32
    assert tf.multiply(tf.constant([1, 2], dtype=tf.int64), 3).dtype == tf.int64
    assert tf.add(x, np.ones(3)).dtype == tf.float32  # numpy arrays are converted, as TF does
    np.testing.assert_allclose(run(tf.subtract(1.5, x)), 1.5 - A)
    with pytest.raises(TypeError, match=r"Expected int32, got 2\.5 of type 'float' instead\."):
        tf.add(tf.constant([1, 2]), 2.5)
    with pytest.raises(TypeError, match="Expected bool, got 1"):
        tf.logical_and(tf.constant([True]), 1)


def test_truediv_turns_integers_into_floats_with_tf_s_widths():
    assert run(tf.truediv(tf.constant([7, -7]), 2)).tolist() == [3.5, -3.5]
    assert tf.truediv(tf.constant([7]), 2).dtype == tf.float64
    assert tf.divide(tf.constant([7], dtype=tf.int16), tf.constant([2], dtype=tf.int16)).dtype == tf.float32
    assert run(tf.div(tf.constant([7, -7]), 2)).tolist() == [3, -4]  # TF1's Python 2 division
    assert run(tf.floordiv(tf.constant([7.0, -7.0]), 2.0)).tolist() == [3.0, -4.0]
    assert run(tf.mod(tf.constant([7, -7]), 3)).tolist() == [1, 2]  # sign of the divisor


def test_add_n_sums_a_list_and_refuses_mixed_dtypes():
    np.testing.assert_allclose(run(tf.add_n([tf.constant(A), A, tf.constant(2 * A)])), 4 * A, rtol=1e-6)
    assert run(tf.add_n([tf.constant(B)])).tolist() == B.tolist()
    with pytest.raises(TypeError, match=r"Tensors in list passed to 'inputs' of 'AddN' Op have types "
                                        r"\[float32, int32\] that don't all match"):
        tf.add_n([tf.constant(1.0), tf.constant(1)])


# ------------------------------------------------------------------------------------------------ unary math

@pytest.mark.parametrize("fn, reference", [
    (tf.sqrt, np.sqrt), (tf.rsqrt, lambda x: 1 / np.sqrt(x)), (tf.exp, np.exp), (tf.log, np.log),
    (tf.log1p, np.log1p), (tf.sin, np.sin), (tf.cos, np.cos), (tf.tanh, np.tanh), (tf.square, np.square),
    (tf.sigmoid, lambda x: 1 / (1 + np.exp(-x))), (tf.reciprocal, np.reciprocal), (tf.negative, np.negative),
    (tf.abs, np.abs), (tf.sign, np.sign), (tf.floor, np.floor), (tf.ceil, np.ceil),
    (tf.math.softplus, lambda x: np.log1p(np.exp(x))), (tf.math.log_sigmoid, lambda x: -np.log1p(np.exp(-x)))])
def test_unary_math_matches_numpy(fn, reference):
    np.testing.assert_allclose(run(fn(tf.constant(B))), reference(B), rtol=1e-5)


def test_float_only_math_refuses_integers_as_tf_does():
    with pytest.raises(TypeError, match=r"Value passed to parameter 'x' has DataType int32 not in list of allowed "
                                        r"values: float16, float32"):
        tf.sqrt(tf.constant([4]))
    with pytest.raises(TypeError, match="DataType int32"):
        tf.math.is_nan(tf.constant([1]))
    assert run(tf.abs(tf.constant([-3, 2]))).tolist() == [3, 2]  # abs and square keep integers
    assert tf.square(tf.constant([3])).dtype == tf.int32


def test_is_nan_inf_finite_and_round_half_to_even():
    x = tf.constant([np.nan, np.inf, -1.0, 2.5])
    assert run(tf.is_nan(x)).tolist() == [True, False, False, False]
    assert run(tf.math.is_inf(x)).tolist() == [False, True, False, False]
    assert run(tf.is_finite(x)).tolist() == [False, False, True, True]
    assert run(tf.round(tf.constant([0.5, 1.5, 2.5, -2.5]))).tolist() == [0.0, 2.0, 2.0, -2.0]


def test_complex_parts():
    z = tf.complex(tf.constant([3.0, 0.0]), tf.constant([4.0, -1.0]))
    assert z.dtype == tf.complex64
    assert [v.tolist() for v in run([tf.real(z), tf.imag(z), tf.abs(z)])] == [[3, 0], [4, -1], [5, 1]]
    np.testing.assert_allclose(run(tf.conj(z)), [3 - 4j, 1j])
    assert run(tf.imag(tf.constant([1.0]))).tolist() == [0.0]


def test_sigmoid_of_complex_numbers_and_its_gradient():
    """TF's Sigmoid kernel takes complex64/128; its gradient multiplies by conj(y(1 - y)) (math_grad's conj(y))."""
    values = np.array([1 + 1j, 0.5 - 2j])
    z = tf.constant(values)
    y = tf.sigmoid(z)
    (grad,) = tf.gradients(tf.reduce_sum(tf.abs(y) ** 2), z)
    expected = 1 / (1 + np.exp(-values))
    y_value, grad_value = run([y, grad])
    np.testing.assert_allclose(y_value, expected, rtol=1e-12)
    # d|y|²/dz̄ · 2 = 2 y · conj(y'), PyTorch's and TF's convention for the gradient of a real loss
    np.testing.assert_allclose(grad_value, 2 * expected * np.conj(expected * (1 - expected)), rtol=1e-12)


def test_cast_truncates_and_keeps_its_name():
    x = tf.constant([1.7, -1.7])
    assert run(tf.cast(x, tf.int32)).tolist() == [1, -1]
    assert tf.to_float(tf.constant([1])).dtype == tf.float32 and tf.to_int64(x).dtype == tf.int64
    assert run(tf.cast(tf.constant([0.0, 2.0]), tf.bool)).tolist() == [False, True]
    assert tf.cast([1, 2], tf.float64).dtype == tf.float64


def test_clip_by_value_clips_and_passes_the_gradient_inside_only():
    x = tf.constant([-2.0, 0.5, 3.0])
    y = tf.clip_by_value(x, -1, 1)
    (grad,) = tf.gradients(tf.reduce_sum(y), x)
    assert [v.tolist() for v in run([y, grad])] == [[-1.0, 0.5, 1.0], [0.0, 1.0, 0.0]]
    assert tf.clip_by_value(tf.constant([5]), 0, 3).dtype == tf.int32


# ------------------------------------------------------------------------------------------- comparisons, logic

def test_comparisons_and_logic():
    a, b = tf.constant([1, 2, 3]), tf.constant([3, 2, 1])
    assert run(tf.equal(a, b)).tolist() == [False, True, False]
    assert run(tf.not_equal(a, 2)).tolist() == [True, False, True]
    assert [v.tolist() for v in run([tf.less(a, b), tf.less_equal(a, b), tf.greater(a, b),
                                     tf.greater_equal(a, b)])] == [[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]]
    p, q = tf.constant([True, True, False]), tf.constant([True, False, False])
    assert [v.tolist() for v in run([tf.logical_and(p, q), tf.logical_or(p, q), tf.logical_xor(p, q),
                                     tf.logical_not(p)])] == [[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]]
    with pytest.raises(TypeError, match="Input 'y' of 'Equal' Op has type float32 that does not match type int32"):
        tf.equal(a, tf.constant([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="Input 'x' of 'LogicalAnd' Op has type float32 that does not match expected "
                                        "type of bool"):
        tf.logical_and(tf.constant([1.0]), q[:1])


# ------------------------------------------------------------------------------------------------ reductions

def test_reductions_translate_axis_and_keepdims():
    x = tf.placeholder(tf.float32, (None, 3))
    assert tf.reduce_sum(x, axis=0).shape == (3,)
    assert tf.reduce_sum(x, 1, keepdims=True).shape.as_list() == [None, 1]
    assert tf.reduce_mean(x).shape == ()
    feed = {x: A}
    np.testing.assert_allclose(run(tf.reduce_sum(x, axis=0), feed), A.sum(0), rtol=1e-6)
    np.testing.assert_allclose(run(tf.reduce_mean(x, [0, 1]), feed), A.mean(), rtol=1e-6)
    np.testing.assert_allclose(run(tf.reduce_max(x, -1, keepdims=True), feed), A.max(-1, keepdims=True))
    np.testing.assert_allclose(run(tf.reduce_min(x, 1), feed), A.min(1))
    np.testing.assert_allclose(run(tf.reduce_prod(x, 0), feed), A.prod(0), rtol=1e-6)
    np.testing.assert_allclose(run(tf.reduce_logsumexp(x, 1), feed), np.log(np.exp(A).sum(1)), rtol=1e-6)
    np.testing.assert_allclose(run(tf.math.reduce_std(x, 0), feed), A.std(0), rtol=1e-5)
    np.testing.assert_allclose(run(tf.math.reduce_variance(x), feed), A.var(), rtol=1e-5)


def test_tf1_deprecated_reduction_arguments():
    x = tf.constant(A)
    np.testing.assert_allclose(run(tf.reduce_sum(x, reduction_indices=[1], keep_dims=True)),
                               A.sum(1, keepdims=True), rtol=1e-6)
    with pytest.raises(ValueError, match="Cannot specify both 'axis' and 'reduction_indices'"):
        tf.reduce_sum(x, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="Cannot specify both 'keepdims' and 'keep_dims'"):
        tf.reduce_sum(x, keepdims=True, keep_dims=True)


def test_integer_reductions_keep_their_dtype_and_mean_truncates():
    x = tf.constant([[1, 2], [-1, -2]])
    assert tf.reduce_sum(x).dtype == tf.int32 and run(tf.reduce_sum(x, 1)).tolist() == [3, -3]
    assert run(tf.reduce_mean(x, 1)).tolist() == [1, -1]  # 1.5 and -1.5 truncated toward zero
    assert tf.reduce_mean(x).dtype == tf.int32
    assert run(tf.reduce_sum(tf.constant(A), axis=[])).shape == (2, 3)  # no axes: nothing is reduced


def test_any_all_need_bools_and_count_nonzero():
    b = tf.constant([[True, False], [True, True]])
    assert run(tf.reduce_any(b, 1)).tolist() == [True, True] and run(tf.reduce_all(b, 1)).tolist() == [False, True]
    with pytest.raises(TypeError, match="parameter 'input' has DataType float32 not in list of allowed values: bool"):
        tf.reduce_any(tf.constant(A))
    counted = tf.count_nonzero(tf.constant([[0.0, 1.0], [2.0, 3.0]]), axis=1)
    assert counted.dtype == tf.int64 and run(counted).tolist() == [1, 2]


def test_argmax_defaults_to_axis_0_and_int64():
    x = tf.constant(A)
    assert tf.argmax(x).dtype == tf.int64
    assert run(tf.argmax(x)).tolist() == A.argmax(0).tolist()
    assert run(tf.argmin(x, axis=1, output_type=tf.int32)).tolist() == A.argmin(1).tolist()
    assert tf.argmax(x, 1, output_type=tf.int32).dtype == tf.int32
    assert run(tf.argmax(x, dimension=1)).tolist() == A.argmax(1).tolist()


def test_cumsum_exclusive_and_reverse():
    x = tf.constant([1, 2, 3])
    assert run(tf.cumsum(x)).tolist() == [1, 3, 6] and tf.cumsum(x).dtype == tf.int32
    assert run(tf.cumsum(x, exclusive=True)).tolist() == [0, 1, 3]
    assert run(tf.cumsum(x, reverse=True)).tolist() == [6, 5, 3]
    assert run(tf.cumsum(x, exclusive=True, reverse=True)).tolist() == [5, 3, 0]
    assert run(tf.cumsum(tf.constant([[1, 2], [3, 4]]), axis=1)).tolist() == [[1, 3], [3, 7]]


# -------------------------------------------------------------------------------------------------- products

@pytest.mark.parametrize("transpose_a, transpose_b", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_transpose_flags(transpose_a, transpose_b):
    a = rng.standard_normal((4, 3) if transpose_a else (3, 4))
    b = rng.standard_normal((5, 4) if transpose_b else (4, 5))
    out = tf.matmul(tf.constant(a), tf.constant(b), transpose_a=transpose_a, transpose_b=transpose_b)
    assert out.shape == (3, 5)
    np.testing.assert_allclose(run(out), (a.T if transpose_a else a) @ (b.T if transpose_b else b))


def test_matmul_static_shapes_errors_and_gradient():
    x = tf.placeholder(tf.float32, (None, 784))
    w = tf.constant(np.ones((784, 10), np.float32))
    assert tf.matmul(x, w).shape.as_list() == [None, 10]
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 784 and 10 for 'MatMul_1' \(op: "
                                         r"'MatMul'\) with input shapes: \[\?,784\], \[10,10\]"):
        tf.matmul(x, tf.constant(np.ones((10, 10), np.float32)))
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.matmul(tf.constant(B), tf.constant(B))
    with pytest.raises(TypeError, match="Input 'b' of 'MatMul' Op has type float64 that does not match type float32 "
                                        "of argument 'a'"):
        tf.matmul(x, tf.constant(np.ones((784, 10))))
    with pytest.raises(ValueError, match="Only one of transpose_a and adjoint_a"):
        tf.matmul(x, w, transpose_a=True, adjoint_a=True)
    a, b = tf.constant(A.astype(np.float64)), tf.constant(rng.standard_normal((2, 3)))
    (grad_b,) = tf.gradients(tf.reduce_sum(tf.matmul(a, b, transpose_b=True)), b)
    np.testing.assert_allclose(run(grad_b), np.ones((2, 2)).T @ A.astype(np.float64))


def test_namespaces_hold_the_same_functions():
    assert tf.math.reduce_sum is tf.reduce_sum and tf.math.is_nan is tf.is_nan and tf.math.floormod is tf.mod
    assert tf.nn.sigmoid is tf.sigmoid and tf.math.softplus is tf.nn.softplus
    assert tf.signal.rfft is tf.spectral.rfft and tf.signal.fft is tf.fft
    assert tf.linalg.einsum is tf.einsum and tf.linalg.transpose is tf.matrix_transpose


def test_batched_matmul_adjoint_and_linalg_namespace():
    a = rng.standard_normal((2, 3, 4)) + 1j * rng.standard_normal((2, 3, 4))
    out = tf.matmul(tf.constant(a), tf.constant(a), adjoint_a=True)
    np.testing.assert_allclose(run(out), np.conj(a.transpose(0, 2, 1)) @ a)
    assert tf.linalg.transpose(tf.constant(a)).shape == (2, 4, 3)
    assert tf.linalg.matmul is tf.matmul
    np.testing.assert_allclose(run(tf.linalg.adjoint(tf.constant(a))), np.conj(a.transpose(0, 2, 1)))


def test_rounded_divisions_have_no_gradient_as_in_tf():
    """TF registers None as the gradient of FloorDiv and TruncateDiv (eager mode gives zeros, as PyTorch)."""
    x = tf.placeholder(tf.float32, [2])
    assert tf.gradients(tf.floordiv(x, 2.0), [x]) == [None]
    assert tf.gradients(tf.truncatediv(x, 2.0), [x]) == [None]
    assert tf.gradients(x // 2.0 + x, [x])[0] is not None   # the sum still reaches x


def test_linalg_matvec_is_matmul_with_a_vector_broadcast_over_batches():
    a, v = rng.standard_normal((2, 3, 4)), rng.standard_normal(3)
    np.testing.assert_allclose(run(tf.linalg.matvec(tf.constant(a), tf.constant(v), transpose_a=True)),
                               np.einsum("bij,i->bj", a, v))
    vectors = rng.standard_normal((2, 4))                  # one per matrix of the batch
    product = tf.linalg.matvec(tf.constant(a), vectors)
    assert product.shape == (2, 3)
    np.testing.assert_allclose(run(product), np.einsum("bij,bj->bi", a, vectors))
    check_gradients(lambda m, x: tf.linalg.matvec(m, x), rng.standard_normal((3, 4)), rng.standard_normal(4))
    with pytest.raises(ValueError, match="matvec: b must have rank >= 1"):
        tf.linalg.matvec(tf.constant(a), 2.0)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 4 and 3"):
        tf.linalg.matvec(tf.constant(a), tf.constant(v))


def test_einsum_tensordot_and_norm():
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 3, 5))
    np.testing.assert_allclose(run(tf.einsum("ijk,kjl->il", tf.constant(a), tf.constant(b))),
                               np.einsum("ijk,kjl->il", a, b))
    np.testing.assert_allclose(run(tf.tensordot(tf.constant(a), tf.constant(b), [[1, 2], [1, 0]])),
                               np.tensordot(a, b, [[1, 2], [1, 0]]))
    m = rng.standard_normal((4, 4))
    np.testing.assert_allclose(run(tf.tensordot(tf.constant(m), tf.constant(m), 1)), m @ m)
    np.testing.assert_allclose(run(tf.norm(tf.constant(a))), np.linalg.norm(a.ravel()))
    np.testing.assert_allclose(run(tf.norm(tf.constant(a), ord=1, axis=2)), np.abs(a).sum(2))
    with pytest.raises(TypeError, match="have types"):
        tf.einsum("ij,jk", tf.constant(m), tf.constant(m.astype(np.float32)))


def test_gradients_through_wrappers():
    x = tf.placeholder(tf.float64, (None, 3))
    y = tf.constant(A.astype(np.float64))
    loss = tf.reduce_mean(tf.square(tf.subtract(x, y)))
    (grad,) = tf.gradients(loss, x)
    value = rng.standard_normal((2, 3))
    np.testing.assert_allclose(run(grad, {x: value}), 2 * (value - A) / 6, rtol=1e-6)


# ------------------------------------------------------------------------------------------------ tf.signal

def test_fft_takes_complex_input_on_the_innermost_dim():
    signal = rng.standard_normal((2, 8)) + 1j * rng.standard_normal((2, 8))
    z = tf.constant(signal.astype(np.complex64))
    np.testing.assert_allclose(run(tf.signal.fft(z)), np.fft.fft(signal, axis=-1), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(run(tf.spectral.ifft(tf.fft(z))), signal, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(run(tf.signal.fft2d(z)), np.fft.fft2(signal), rtol=1e-4, atol=1e-4)
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: complex64, complex128"):
        tf.signal.fft(tf.constant(A))


def test_rfft_fft_length_and_irfft():
    x = rng.standard_normal((3, 10)).astype(np.float32)
    spectrum = tf.signal.rfft(tf.constant(x))
    assert spectrum.shape == (3, 6) and spectrum.dtype == tf.complex64
    np.testing.assert_allclose(run(spectrum), np.fft.rfft(x), rtol=1e-4, atol=1e-4)
    padded = tf.signal.rfft(tf.constant(x), fft_length=[16])
    np.testing.assert_allclose(run(padded), np.fft.rfft(x, 16), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(run(tf.signal.irfft(spectrum)), x, rtol=1e-4, atol=1e-5)
    assert tf.spectral.irfft(spectrum, fft_length=[9]).shape == (3, 9)


def _frames(x, length, step):
    """numpy's frames of the last dim: [..., frames, length]."""
    starts = range(0, x.shape[-1] - length + 1, step)
    return np.stack([x[..., s:s + length] for s in starts], axis=-2)


def test_frame_and_windows():
    x = rng.standard_normal((2, 11))
    np.testing.assert_allclose(run(tf.signal.frame(tf.constant(x), 4, 3)), _frames(x, 4, 3))
    padded = run(tf.signal.frame(tf.constant(x), 4, 3, pad_end=True, pad_value=-1.0))
    assert padded.shape == (2, 4, 4)  # ceil(11 / 3) frames
    np.testing.assert_allclose(padded, _frames(np.concatenate([x, -np.ones((2, 2))], axis=1), 4, 3))
    along_first = run(tf.signal.frame(tf.constant(x.T), 4, 3, axis=0))  # frames, then samples, then the rest
    np.testing.assert_allclose(along_first, _frames(x, 4, 3).transpose(1, 2, 0))
    n = np.arange(8)
    np.testing.assert_allclose(run(tf.signal.hann_window(8)), 0.5 - 0.5 * np.cos(2 * np.pi * n / 8), atol=1e-7)
    np.testing.assert_allclose(run(tf.signal.hamming_window(8, periodic=False, dtype=tf.float64)),
                               0.54 - 0.46 * np.cos(2 * np.pi * n / 7))
    assert tf.signal.hann_window(8).dtype == tf.float32


@pytest.mark.parametrize("pad_end", [False, True])
def test_frame_of_a_signal_whose_length_shows_when_the_graph_runs(pad_end):
    """A [None, None] placeholder (audio of any length): the padding and the frame count are computed when the
    graph runs; a signal shorter than a frame has no frames, as in TF."""
    x = rng.standard_normal((2, 11))
    signal = tf.placeholder(tf.float64, (None, None))
    framed = tf.signal.frame(signal, 4, 3, pad_end=pad_end, pad_value=-1.0)
    assert framed.shape.as_list() == [None, None, 4]
    padded = np.concatenate([x, -np.ones((2, 2))], axis=1) if pad_end else x
    np.testing.assert_allclose(run(framed, {signal: x}), _frames(padded, 4, 3))
    (grad,) = tf.gradients(tf.reduce_sum(tf.square(framed)), signal)
    covered = np.zeros(11)  # how many frames hold each sample: the gradient of the sum of squares is 2x times that
    for start in range(0, padded.shape[1] - 3, 3):
        covered[start:start + 4] += 1
    np.testing.assert_allclose(run(grad, {signal: x}), 2 * x * covered)
    short = run(framed, {signal: x[:, :2]})
    assert short.shape == ((2, 1, 4) if pad_end else (2, 0, 4))
    assert run(tf.signal.frame(tf.constant(x[:, :2]), 4, 3)).shape == (2, 0, 4)


def test_stft_frames_windows_and_transforms_with_a_gradient():
    x = rng.standard_normal((2, 40))
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(12) / 12)
    expected = np.fft.rfft(_frames(x, 12, 5) * window, 16)  # fft_length: the power of 2 that holds a frame
    signal = tf.placeholder(tf.float64, (2, 40))
    spectrum = tf.signal.stft(signal, frame_length=12, frame_step=5)
    assert spectrum.shape == (2, 6, 9) and spectrum.dtype == tf.complex128
    np.testing.assert_allclose(run(spectrum, {signal: x}), expected, atol=1e-12)
    power = tf.reduce_sum(tf.square(tf.abs(spectrum)))
    (grad,) = tf.gradients(power, signal)
    eps, numeric = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        f = [np.sum(np.abs(np.fft.rfft(_frames(v, 12, 5) * window, 16)) ** 2) for v in (x + step, x - step)]
        numeric[i] = (f[0] - f[1]) / (2 * eps)
    np.testing.assert_allclose(run(grad, {signal: x}), numeric, rtol=1e-6, atol=1e-6)
    no_window = tf.signal.stft(tf.constant(x), 8, 8, fft_length=8, window_fn=None)
    np.testing.assert_allclose(run(no_window), np.fft.rfft(_frames(x, 8, 8)), atol=1e-12)


def test_rfft2d_and_shifts():
    x = rng.standard_normal((3, 6, 8)).astype(np.float32)
    spectrum = tf.signal.rfft2d(tf.constant(x))
    np.testing.assert_allclose(run(spectrum), np.fft.rfft2(x), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(run(tf.signal.irfft2d(spectrum)), x, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(run(tf.signal.rfft2d(tf.constant(x), fft_length=[4, 10])),
                               np.fft.rfft2(x, s=(4, 10)), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(run(tf.signal.fftshift(tf.constant(x), axes=[1, 2])), np.fft.fftshift(x, axes=(1, 2)))
    np.testing.assert_allclose(run(tf.signal.ifftshift(tf.signal.fftshift(tf.constant(x)))), x)


def test_reduce_max_and_min_over_an_empty_axis_give_tfs_identity():
    """-inf/+inf (the lowest/highest integer) over an empty axis, as TF; an axis known only at run time too."""
    x = tf.placeholder(tf.float32, (None, 3))
    biggest = tf.reduce_max(x, axis=0)
    got = run([tf.reduce_max(tf.zeros([0])), tf.reduce_min(tf.zeros([0, 3]), axis=0),
               tf.reduce_max(tf.zeros([0], tf.int32))])
    assert got[0] == -np.inf and got[1].tolist() == [np.inf] * 3 and got[2] == np.iinfo(np.int32).min
    assert run(biggest, {x: np.zeros((0, 3))}).tolist() == [-np.inf] * 3
    values, (grad,) = run([biggest, tf.gradients(tf.reduce_sum(biggest), x)], {x: [[1, 5, 3], [4, 2, 6]]})
    assert values.tolist() == [4, 5, 6] and grad.tolist() == [[0, 1, 0], [1, 0, 1]]


def test_operators_follow_tf_one_dtype_rule_in_programs():
    """TF never promotes: a Python number takes the tensor's dtype and must fit its kind; two tensors must match.
    (Inside minidl the op library's compositions still promote: nanmean divides a float sum by an int64 count.)"""
    ints, floats = tf.constant([1, 2]), tf.constant([1.0, 2.0])
    for build, message in ((lambda: ints * 0.5, "Expected int32, got 0.5 of type 'float' instead"),
                           (lambda: 0.5 * ints, "Expected int32, got 0.5 of type 'float' instead"),
                           (lambda: ints + floats, "Input 'y' of 'add' Op has type float32 that does not match type "
                                                   "int32 of argument 'x'"),
                           (lambda: floats - tf.constant([1.0], tf.float64), "has type float64 that does not match"),
                           (lambda: ints < 0.5, "Expected int32, got 0.5")):
        with pytest.raises(TypeError, match=message):
            build()
    values = run([ints * 2, ints + np.array([1.9, 2.2]), tf.nn.relu(floats) ** 2])
    assert values[0].dtype == np.int32 and values[1].tolist() == [2, 4]  # a numpy array is cast as TF casts it
    np.testing.assert_allclose(values[2], [1.0, 4.0])
    (grad,) = tf.gradients(tf.reduce_sum(tf.sqrt(floats) * 3.0), [floats])  # VJPs mix dtypes freely inside
    np.testing.assert_allclose(run(grad), 1.5 / np.sqrt([1.0, 2.0]), rtol=1e-6)


def test_norm_orders_like_numpy():
    x, v = np.array([[1.0, -4.0], [2.0, 3.0]]), np.array([3.0, -4.0, 1.0])
    cases = [(tf.norm(x, ord=1, axis=[0, 1]), np.linalg.norm(x, 1)),
             (tf.norm(x, ord=np.inf, axis=[-2, -1]), np.linalg.norm(x, np.inf)),
             (tf.norm(x, ord=1, axis=[0, 1], keepdims=True), [[np.linalg.norm(x, 1)]]),
             (tf.norm(v, ord=3), np.linalg.norm(v, 3)), (tf.norm(v, ord=np.inf), 4.0), (tf.norm(x), np.sqrt(30.0))]
    for got, expected in zip(run([c[0] for c in cases]), [c[1] for c in cases]):
        np.testing.assert_allclose(got, expected)
    for bad, message in ((lambda: tf.norm(v, ord=0), "supported vector norm"),
                         (lambda: tf.norm(x, ord=2, axis=[0, 1]), r"matrix norm in \['euclidean', 'fro', 1, inf\]")):
        with pytest.raises(ValueError, match=message):
            bad()
