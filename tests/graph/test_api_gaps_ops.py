"""TF1 functions added by the compatibility sweep: tf.eye and the diagonals, arg_max, reverse_sequence, the run-time
asserts and check_numerics, map_fn and py_func, sorting (sort, argsort, top_k, in_top_k, unique), segment sums,
atan/erf/cumprod and meshgrid — values against numpy, gradients against central differences, TF's errors."""
import math

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)


# ================================================================================================ eye, diagonals

def test_eye_shapes_dtypes_and_batches():
    np.testing.assert_array_equal(run(tf.eye(3)), np.eye(3, dtype=np.float32))
    rect = tf.eye(2, num_columns=3, dtype=tf.int32)
    assert rect.dtype == tf.int32 and run(rect).tolist() == [[1, 0, 0], [0, 1, 0]]
    batched = run(tf.eye(2, batch_shape=[4, 1]))
    assert batched.shape == (4, 1, 2, 2) and (batched == np.eye(2)).all()
    assert tf.linalg.eye is tf.eye
    with pytest.raises(ValueError, match="non-negative"):
        tf.eye(-1)


def test_diag_and_diag_part_are_tf1s_tensor_diagonals():
    v = RNG.standard_normal((2, 3))
    d = tf.diag(v)
    assert d.shape == (2, 3, 2, 3)
    expected = np.zeros((2, 3, 2, 3))
    for i, j in np.ndindex(2, 3):
        expected[i, j, i, j] = v[i, j]
    np.testing.assert_array_equal(run(d), expected)
    np.testing.assert_array_equal(run(tf.diag_part(d)), v)
    with pytest.raises(ValueError, match="even"):
        tf.diag_part(tf.zeros([2, 3, 4]))


def test_linalg_diag_diag_part_and_trace_are_batched():
    v = RNG.standard_normal((2, 3))
    np.testing.assert_array_equal(run(tf.linalg.diag(v)), np.stack([np.diag(r) for r in v]))
    m = RNG.standard_normal((2, 3, 4))
    np.testing.assert_array_equal(run(tf.linalg.diag_part(m)), np.diagonal(m, axis1=1, axis2=2))
    np.testing.assert_allclose(run(tf.trace(m)), np.trace(m, axis1=1, axis2=2))
    assert run(tf.trace(np.arange(9).reshape(3, 3))).dtype == np.int64  # TF keeps the dtype
    inf_off_diagonal = np.array([[1.0, np.inf], [2.0, 3.0]])
    assert run(tf.linalg.diag_part(inf_off_diagonal)).tolist() == [1.0, 3.0]  # no inf * 0 = NaN
    check_gradients(tf.linalg.diag, RNG.standard_normal((2, 3)))
    check_gradients(tf.trace, RNG.standard_normal((2, 3, 3)))


def test_matrix_inverse_and_determinant():
    a = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    np.testing.assert_allclose(run(tf.matrix_inverse(a)), np.linalg.inv(a), rtol=1e-10)
    np.testing.assert_allclose(run(tf.linalg.inv(a, adjoint=True)), np.linalg.inv(a.transpose(0, 2, 1)), rtol=1e-10)
    np.testing.assert_allclose(run(tf.matrix_determinant(a)), np.linalg.det(a), rtol=1e-10)
    check_gradients(tf.matrix_inverse, a[0])
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.matrix_inverse(np.eye(2, dtype=np.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="singular"):
        run(tf.matrix_inverse(np.zeros((2, 2))))


# ================================================================================================ math additions

def test_arg_max_and_arg_min_take_a_dimension():
    x = np.array([[1, 5, 2], [7, 0, 7]])
    assert run(tf.arg_max(x, 1)).tolist() == [1, 0] and tf.arg_max(x, 0).dtype == tf.int64
    assert run(tf.arg_min(x, dimension=1, output_type=tf.int32)).tolist() == [0, 1]
    assert tf.arg_max(x, 1, name="best").name == "best:0"


def test_atan_erf_and_their_gradients():
    x = np.linspace(-2, 2, 7)
    np.testing.assert_allclose(run(tf.atan(x)), np.arctan(x), rtol=1e-12)
    np.testing.assert_allclose(run(tf.math.erf(x)), [math.erf(v) for v in x], rtol=1e-12)
    check_gradients(tf.atan, x)
    check_gradients(tf.erf, x)
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.erf(np.array([1, 2]))


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumprod_exclusive_and_reverse(exclusive, reverse):
    x = RNG.uniform(0.5, 2.0, (3, 4))
    flipped = x[:, ::-1] if reverse else x
    expected = np.cumprod(flipped, axis=1)
    if exclusive:
        expected = np.concatenate([np.ones((3, 1)), expected[:, :-1]], axis=1)
    expected = expected[:, ::-1] if reverse else expected
    np.testing.assert_allclose(run(tf.cumprod(x, axis=1, exclusive=exclusive, reverse=reverse)), expected)
    check_gradients(lambda t: tf.cumprod(t, 1, exclusive, reverse), x)


def test_cumsum_still_pads_with_zero():
    assert run(tf.cumsum([1, 2, 3], exclusive=True)).tolist() == [0, 1, 3]


# ================================================================================================ array additions

def test_newaxis_and_meshgrid():
    x = tf.constant([1.0, 2.0, 3.0])
    assert tf.newaxis is None and x[:, tf.newaxis].shape == (3, 1)
    a, b = np.arange(3), np.arange(10, 14)
    for indexing in ("xy", "ij"):
        got = run(tf.meshgrid(a, b, indexing=indexing))
        for g, e in zip(got, np.meshgrid(a, b, indexing=indexing)):
            np.testing.assert_array_equal(g, e)
    assert run(tf.meshgrid(a, b)[0]).shape == (4, 3)  # TF's default is "xy"
    with pytest.raises(ValueError, match="'xy' or 'ij'"):
        tf.meshgrid(a, b, indexing="yx")


def reverse_sequence_reference(x, lengths, seq_axis, batch_axis):
    out = np.array(x)
    for b, n in enumerate(lengths):
        index = [slice(None)] * x.ndim
        index[batch_axis] = b
        part = np.moveaxis(x[tuple(index)], seq_axis - (seq_axis > batch_axis), 0)
        target = np.moveaxis(out[tuple(index)], seq_axis - (seq_axis > batch_axis), 0)
        target[:n] = part[:n][::-1]
    return out


@pytest.mark.parametrize("shape, seq_axis, batch_axis, lengths", [
    ((3, 5, 2), 1, 0, [5, 2, 0]),
    ((4, 3, 2), 0, 1, [1, 4, 3]),
    ((2, 2, 4), 2, 0, [3, 4]),
])
def test_reverse_sequence_against_numpy_with_gradient(shape, seq_axis, batch_axis, lengths):
    x = RNG.standard_normal(shape)
    got = run(tf.reverse_sequence(x, lengths, seq_axis=seq_axis, batch_axis=batch_axis))
    np.testing.assert_array_equal(got, reverse_sequence_reference(x, lengths, seq_axis, batch_axis))
    check_gradients(lambda t: tf.reverse_sequence(t, np.array(lengths, np.int64), seq_axis, batch_axis), x)


def test_reverse_sequence_old_names_and_errors():
    x = np.arange(6.0).reshape(2, 3)
    assert run(tf.reverse_sequence(x, [2, 3], seq_dim=1)).tolist() == [[1, 0, 2], [5, 4, 3]]
    with pytest.raises(TypeError, match="seq_dim"):
        tf.reverse_sequence(x, [2, 3])
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.reverse_sequence(x, [1, 2, 3], seq_axis=1)
    with pytest.raises(ValueError, match="Invalid seq_dim"):
        tf.reverse_sequence(x, [1, 2], seq_axis=0, batch_axis=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"seq_lens > input.dims\(1\)"):
        run(tf.reverse_sequence(x, [4, 1], seq_axis=1))


# ============================================================================================== asserts, numerics

def test_assert_equal_runs_in_control_dependencies():
    x = tf.placeholder(tf.int32, [None])
    with tf.control_dependencies([tf.assert_equal(tf.size(x), 3, message="need three")]):
        doubled = tf.identity(x * 2)
    with tf.Session() as sess:
        assert sess.run(doubled, {x: [1, 2, 3]}).tolist() == [2, 4, 6]
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(doubled, {x: [1, 2]})
    message = info.value.message
    assert message.startswith("assertion failed: [need three] [Condition x == y did not hold element-wise:]")
    assert "[2]" in message and "[3]" in message


def test_asserts_on_constants_fail_while_building():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y"):
        tf.debugging.assert_equal([1, 2], [1, 3])
    assert isinstance(tf.assert_equal([1, 2], [1, 2]), tf.Operation)  # passes: an op that does nothing wrong
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x < y"):
        tf.assert_less(2.0, 1.0)


@pytest.mark.parametrize("check, good, bad", [
    (tf.assert_less, ([1, 2], [2, 3]), ([1, 3], [2, 3])),
    (tf.assert_greater_equal, ([2, 3], [2, 2]), ([1, 3], [2, 3])),
    (tf.assert_none_equal, ([1, 2], [2, 1]), ([1, 2], [1, 3])),
])
def test_binary_asserts_at_run_time(check, good, bad):
    x, y = tf.placeholder(tf.int32, [2]), tf.placeholder(tf.int32, [2])
    op = check(x, y)
    with tf.Session() as sess:
        sess.run(op, {x: good[0], y: good[1]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="did not hold"):
            sess.run(op, {x: bad[0], y: bad[1]})


def test_sign_asserts_and_tf_Assert():
    x = tf.placeholder(tf.float32, [None])
    with tf.Session() as sess:
        sess.run(tf.assert_positive(x), {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="x > 0"):
            sess.run(tf.assert_positive(x), {x: [1.0, 0.0]})
        sess.run(tf.assert_non_positive(x), {x: [-1.0, 0.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"assertion failed: \[x is\] \[-1 5\]"):
            sess.run(tf.Assert(tf.reduce_all(x > 0), ["x is", x]), {x: [-1.0, 5.0]})


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, for the log(0) the check is meant to catch
def test_check_numerics_passes_values_and_checks_gradients():
    x = tf.placeholder(tf.float64, [2])
    checked = tf.check_numerics(x, "inputs")
    assert checked.shape == (2,)
    grad = tf.gradients(tf.reduce_sum(tf.log(checked)), x)[0]
    with tf.Session() as sess:
        assert sess.run(checked, {x: [1.0, 2.0]}).tolist() == [1.0, 2.0]
        for value, problem in ((np.nan, "NaN"), (np.inf, "Inf")):
            with pytest.raises(tf.errors.InvalidArgumentError, match=f"inputs : Tensor had {problem} values"):
                sess.run(checked, {x: [1.0, value]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="detected in gradient. inputs"):
            sess.run(grad, {x: [1.0, 0.0]})  # d log(x) = 1/0
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.check_numerics(tf.constant([1, 2]), "ints")


def test_add_check_numerics_ops_names_the_first_tensor_to_go_bad_and_its_aliases():
    x = tf.placeholder(tf.float32, [None], name="x")
    total = tf.reduce_sum(tf.log(x, name="log") * 2.0)
    checks = tf.add_check_numerics_ops()
    with tf.Session() as sess:
        assert sess.run([total, checks], {x: [1.0, np.e]})[0] == pytest.approx(2.0)
        with pytest.raises(tf.errors.InvalidArgumentError, match="log:0 : Tensor had Inf values"):
            sess.run(checks, {x: [1.0, 0.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="x:0 : Tensor had NaN values"):
            sess.run(checks, {x: [np.nan]})
        checked = tf.verify_tensor_all_finite(x, "input")
        with pytest.raises(tf.errors.InvalidArgumentError, match="input : Tensor had Inf"):
            sess.run(checked, {x: [np.inf]})
    assert tf.debugging.assert_all_finite is tf.verify_tensor_all_finite


def test_assert_type_is_decided_while_building():
    assert tf.assert_type(tf.constant(1.0), tf.float32).type == "NoOp"
    with pytest.raises(TypeError, match="labels: Const.*:0 must be of type int64, not int32"):
        tf.debugging.assert_type(tf.constant([1, 2]), tf.int64, message="labels: ")


def test_is_numeric_tensor():
    numeric = [tf.constant(1), tf.constant(1.5), tf.Variable([1.0]), tf.constant(1j)]
    other = [tf.constant([True]), tf.constant("text"), 3, [1.0]]
    assert all(map(tf.is_numeric_tensor, numeric)) and not any(map(tf.debugging.is_numeric_tensor, other))


# ================================================================================================ map_fn

def test_map_fn_static_length_with_gradients():
    x = RNG.standard_normal((4, 3))
    np.testing.assert_allclose(run(tf.map_fn(lambda r: r * r + 1.0, tf.constant(x))), x * x + 1.0)
    assert tf.map_fn(lambda r: r * 2, tf.constant(x)).shape == (4, 3)
    check_gradients(lambda t: tf.map_fn(lambda r: tf.reduce_sum(tf.sin(r) * r), t), x)


def test_map_fn_dynamic_length_variables_and_nests():
    rows = tf.placeholder(tf.float64, [None, 2])
    w = tf.Variable(RNG.standard_normal((2, 3)))
    out = tf.map_fn(lambda r: tf.matmul(tf.expand_dims(r, 0), w)[0], rows)
    pair = tf.map_fn(lambda t: (t[0] * 2.0, tf.argmax(t[1])), (rows, rows), dtype=(tf.float64, tf.int64))
    grad = tf.gradients(tf.reduce_sum(out), w)[0]
    x = RNG.standard_normal((5, 2))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w_value = sess.run(w)
        got, (doubled, best), g = sess.run([out, pair, grad], {rows: x})
    assert out.shape.as_list() == [None, 3]
    np.testing.assert_allclose(got, x @ w_value)
    np.testing.assert_allclose(doubled, 2 * x)
    assert best.tolist() == np.argmax(x, 1).tolist()
    np.testing.assert_allclose(g, np.repeat(x.sum(0)[:, None], 3, 1))


def test_map_fn_result_of_run_time_shape():
    x = tf.placeholder(tf.float64, [3, None])
    out = tf.map_fn(lambda r: r[1:] * 2.0, x)
    assert out.shape.as_list() == [3, None]
    assert run(out, {x: np.ones((3, 4))}).shape == (3, 3)


def test_map_fn_errors():
    x = tf.constant([1, 2, 3])
    with pytest.raises(TypeError, match="dtype="):
        tf.map_fn(lambda v: tf.cast(v, tf.float32), x)
    with pytest.raises(ValueError, match="structure"):
        tf.map_fn(lambda v: (v, v), x)
    with pytest.raises(ValueError, match="1\\+ dimensional"):
        tf.map_fn(lambda v: v, tf.constant(1.0))


# ================================================================================================ py_func

def test_py_func_calls_python_with_numpy_arrays():
    seen = []

    def median_and_count(values, k):
        seen.append((type(values), values.dtype))
        return np.median(values).astype(np.float32), np.int64(k + values.size)

    x = tf.placeholder(tf.float32, [None])
    median, count = tf.py_func(median_and_count, [x, 10], [tf.float32, tf.int64])
    assert median.dtype == tf.float32 and not median.shape.rank_known
    assert run([median, count], {x: [3.0, 1.0, 2.0]}) == [2.0, 13]
    assert seen == [(np.ndarray, np.float32)]
    single = tf.py_func(lambda v: v * 2, [x], tf.float32, stateful=False)
    assert isinstance(single, tf.Tensor) and run(single, {x: [1.0]}).tolist() == [2.0]
    assert tf.gradients(single, x) == [None]  # no gradient through Python code
    assert tf.numpy_function(lambda v: v + 1, [x], tf.float32) is not None


def test_py_func_hands_a_string_scalar_over_as_bytes():
    seen = []
    out = tf.py_func(lambda name, names: seen.append((name, names)) or np.int64(len(name.decode())),
                     [tf.constant("hello"), tf.constant(["a", "bc"])], tf.int64)
    assert run(out) == 5
    (name, names), = seen
    assert name == b"hello" and isinstance(names, np.ndarray) and names.tolist() == [b"a", b"bc"]


def test_py_func_may_return_bytes_or_str_for_a_string_output():
    """TF converts a returned bytes or str (alone or in a numpy array) to a string tensor, str as UTF-8."""
    outs = [tf.py_func(lambda: b"ab", [], tf.string), tf.py_func(lambda: "ab", [], tf.string),
            tf.py_func(lambda: np.array(["x", "\u00e9"]), [], tf.string)]
    got = run(outs)
    assert got[0] == b"ab" and got[1] == b"ab" and got[2].tolist() == [b"x", "\u00e9".encode()]


@pytest.mark.parametrize("func, tout, error, message", [
    (lambda v: np.float64(1.0), tf.float32, tf.errors.InvalidArgumentError, "0-th value returned by .* is double, "
                                                                          "but expects float"),
    (lambda v: (v, v), [tf.float32], tf.errors.InvalidArgumentError, "returns 2 values, but expects to see 1"),
    (lambda v: None, tf.float32, tf.errors.InvalidArgumentError, "returns 0 values, but expects to see 1"),
    (lambda v: int("x"), tf.float32, tf.errors.InvalidArgumentError, "ValueError"),
    (lambda v: 1 / 0, tf.float32, tf.errors.UnknownError, "ZeroDivisionError"),
    (lambda v: next(iter([])), tf.float32, tf.errors.OutOfRangeError, "StopIteration"),
])
def test_py_func_errors(func, tout, error, message):
    with pytest.raises(error, match=message):
        run(tf.py_func(func, [np.float32(1.0)], tout))


def test_a_py_func_run_for_its_side_effect_may_return_none():
    """``tf.py_func(log, [x], [])``: None is no value, as ``Tout=[]`` expects (TF's rule)."""
    seen = []
    logging = tf.py_func(lambda v: seen.append(float(v)), [tf.constant(2.5)], [])
    with tf.Session() as sess:
        sess.run(logging)
        sess.run(logging)
    assert seen == [2.5, 2.5]


# ================================================================================================ sorting

def test_sort_and_argsort():
    x = np.array([[3.0, 1.0, 2.0, 1.0], [0.5, -1.0, 4.0, 0.5]])
    np.testing.assert_array_equal(run(tf.sort(x)), np.sort(x))
    np.testing.assert_array_equal(run(tf.sort(x, axis=0, direction="DESCENDING")), -np.sort(-x, axis=0))
    indices = tf.argsort(x)
    assert indices.dtype == tf.int32
    np.testing.assert_array_equal(run(indices), np.argsort(x, kind="stable"))
    with pytest.raises(ValueError, match="should be one of ASCENDING, DESCENDING"):
        tf.sort(x, direction="UP")
    check_gradients(tf.sort, RNG.standard_normal((2, 5)))


def test_top_k_ties_take_the_lower_index_first():
    values, indices = tf.nn.top_k([[1.0, 3.0, 3.0, 2.0]], k=3)
    assert run(values).tolist() == [[3.0, 3.0, 2.0]] and run(indices).tolist() == [[1, 2, 3]]
    assert indices.dtype == tf.int32 and tf.math.top_k is tf.nn.top_k
    assert run(tf.nn.top_k([5.0, 7.0]).values).tolist() == [7.0]  # k=1 by default
    check_gradients(lambda t: tf.nn.top_k(t, 2).values, RNG.standard_normal((3, 4)))
    with pytest.raises(ValueError, match="input must have at least k columns. Had 2, needed 3"):
        tf.nn.top_k([1.0, 2.0], 3)


def test_in_top_k_counts_ties_as_in_and_cannot_rank_a_row_with_a_nan_or_inf():
    predictions = np.array([[0.1, 0.3, 0.3, 0.2], [0.5, np.nan, 0.1, 0.1], [0.2, 0.1, 0.4, np.inf],
                            [0.5, 0.2, 0.1, 0.1]], np.float32)
    cases = [([2, 0, 2, 0], 1, [True, False, False, True]),  # a tie at the top is in; rows with NaN or inf never
             ([3, 0, 2, 2], 2, [False, False, False, False]),
             ([3, 0, 2, 2], 3, [True, False, False, True]),  # class 3 ties with the target 2 in row 3: both in
             ([4, -1, 2, 3], 3, [False, False, False, True])]  # out-of-range targets are never in
    for targets, k, expected in cases:
        assert run(tf.nn.in_top_k(predictions, targets, k)).tolist() == expected
    with pytest.raises(TypeError, match="float32"):
        tf.nn.in_top_k(predictions.astype(np.float64), [0, 0, 0], 1)


def test_unique_keeps_the_order_of_first_appearance():
    y, idx = tf.unique([4, 1, 4, 2, 1, 7])
    assert run(y).tolist() == [4, 1, 2, 7] and run(idx).tolist() == [0, 1, 0, 2, 1, 3]
    assert idx.dtype == tf.int32 and tf.unique([1.0], out_idx=tf.int64).idx.dtype == tf.int64
    y, idx, count = run(tf.unique_with_counts(np.array([3.0, 3.0, -1.0, 3.0])))
    assert y.tolist() == [3.0, -1.0] and idx.tolist() == [0, 0, 1, 0] and count.tolist() == [3, 1]
    with pytest.raises(ValueError, match="1D vector"):
        tf.unique([[1, 2]])


# ================================================================================================ segment sums

def test_unsorted_segment_sum_any_order_drops_negative_ids():
    data = RNG.standard_normal((5, 2))
    ids = [2, 0, 2, -1, 0]
    expected = np.zeros((4, 2))
    for row, j in zip(data, ids):
        if j >= 0:
            expected[j] += row
    out = tf.unsorted_segment_sum(data, ids, 4)
    assert out.shape == (4, 2)
    np.testing.assert_allclose(run(out), expected)
    check_gradients(lambda t: tf.math.unsorted_segment_sum(t, ids, 4), data)
    two_d = run(tf.unsorted_segment_sum(np.ones((2, 2, 3)), [[0, 1], [1, 1]], tf.constant(2)))
    np.testing.assert_array_equal(two_d, [[1, 1, 1], [3, 3, 3]])
    with pytest.raises(ValueError, match="does not prefix"):
        tf.unsorted_segment_sum(data, [0, 1], 2)
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.unsorted_segment_sum(data, [0, 1, 2, 3, 4], 3))


def test_segment_sum_needs_sorted_ids():
    data = np.arange(8.0).reshape(4, 2)
    np.testing.assert_array_equal(run(tf.segment_sum(data, [0, 0, 1, 3])), [[2, 4], [4, 5], [0, 0], [6, 7]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not increasing"):
        run(tf.segment_sum(data, tf.constant([1, 0, 1, 3])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment ids must be >= 0"):
        run(tf.segment_max(data, tf.constant([-1, 0, 1, 3])))  # the unsorted reductions drop such rows instead
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment ids must be < num_segments"):
        run(tf.math.unsorted_segment_sum(data, [0, 5, 1, 1], 3))


@pytest.mark.parametrize("kind, reduce, unsorted_empty", [
    ("sum", np.sum, 0.0), ("prod", np.prod, 1.0), ("max", np.max, np.finfo(np.float64).min),
    ("min", np.min, np.finfo(np.float64).max), ("mean", np.mean, 0.0)])
def test_segment_reductions_against_numpy(kind, reduce, unsorted_empty):
    """Each segment reduced as numpy reduces its rows; an empty segment gets TF's value (the unsorted max/min:
    the dtype's lowest/highest finite value, so that masking it with 0 gives 0; the sorted ones 0); negative ids
    are dropped; gradients by central differences."""
    data = RNG.standard_normal((6, 2)) + 2.0  # (away from 0: prod's gradient divides by nothing small)
    ids = [3, 0, -1, 3, 0, 3]
    unsorted = run(getattr(tf, f"unsorted_segment_{kind}")(data, ids, 5))
    for j in range(5):
        rows = [row for row, i in zip(data, ids) if i == j]
        np.testing.assert_allclose(unsorted[j], reduce(rows, axis=0) if rows else [unsorted_empty] * 2, rtol=1e-12)
    sorted_ids = [0, 0, 2, 2, 2, 4]
    ordered = run(getattr(tf.math, f"segment_{kind}")(data, sorted_ids))
    empty = 0.0 if kind in ("max", "min", "mean", "sum") else 1.0
    for j in range(5):
        rows = [row for row, i in zip(data, sorted_ids) if i == j]
        np.testing.assert_allclose(ordered[j], reduce(rows, axis=0) if rows else [empty] * 2, rtol=1e-12)
    check_gradients(lambda t: getattr(tf, f"unsorted_segment_{kind}")(t, [1, 0, -1, 1, 0, 1], 2), data)
    check_gradients(lambda t: getattr(tf, f"segment_{kind}")(t, sorted_ids), data)


def test_integer_segment_means_truncate_as_tf():
    ids = [0, 0, 1, 1, 1]
    data = np.array([-1, -2, 7, 2, 0], np.int32)
    assert run(tf.segment_mean(data, ids)).tolist() == [-1, 3]          # -3/2 and 9/3, toward zero
    assert run(tf.math.unsorted_segment_mean(data, ids, 3)).tolist() == [-1, 3, 0]
    masked = run(tf.unsorted_segment_max(np.array([1.0, 2.0], np.float32), [0, 0], 2) * [1.0, 0.0])
    assert masked.tolist() == [2.0, 0.0]   # the empty segment's lowest float32, times 0: 0, not NaN


@pytest.mark.parametrize("shape", [(2, 3, 3), (3, 2), (2, 4)])
def test_set_diag_replaces_the_main_diagonal(shape):
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    k = min(shape[-2:])
    diagonal = -np.arange(1.0, k + 1) * np.ones(shape[:-2] + (k,))
    expected = x.copy()
    for i in range(k):
        expected[..., i, i] = diagonal[..., i]
    np.testing.assert_array_equal(run(tf.linalg.set_diag(x, diagonal)), expected)
    assert tf.matrix_set_diag is tf.linalg.set_diag
    check_gradients(lambda a, d: tf.linalg.set_diag(a, d), x, diagonal)
    with pytest.raises(ValueError, match="diagonal must have shape"):
        tf.linalg.set_diag(x, np.ones(k + 1))
