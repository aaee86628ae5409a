"""TF1's ``tf.DType`` objects: every attribute against TF 1.15's values, TF's equality and printing, ``tf.as_dtype``,
DTypes accepted wherever a dtype is, every graph tensor's ``.dtype`` a DType — and a DType still usable as a numpy
dtype, by numpy and by minidl's op library (the eager mode keeps numpy's dtypes)."""
import copy
import pickle
import re
import warnings

import numpy as np
import pytest

import minidl
import minidl.eager as torch
import minidl.graph as tf

from .helpers import drain, run

ALL = [tf.float16, tf.float32, tf.float64, tf.complex64, tf.complex128, tf.int8, tf.int16, tf.int32, tf.int64,
       tf.uint8, tf.uint16, tf.uint32, tf.uint64, tf.bool, tf.string]


# ------------------------------------------------------------------------------------------ TF's attributes

@pytest.mark.parametrize("dtype, name, enum, numpy_type, size", [
    (tf.float32, "float32", 1, np.float32, 4), (tf.float64, "float64", 2, np.float64, 8),
    (tf.int32, "int32", 3, np.int32, 4), (tf.uint8, "uint8", 4, np.uint8, 1), (tf.int16, "int16", 5, np.int16, 2),
    (tf.int8, "int8", 6, np.int8, 1), (tf.string, "string", 7, object, 8), (tf.complex64, "complex64", 8,
                                                                           np.complex64, 8),
    (tf.int64, "int64", 9, np.int64, 8), (tf.bool, "bool", 10, np.bool_, 1), (tf.uint16, "uint16", 17, np.uint16, 2),
    (tf.complex128, "complex128", 18, np.complex128, 16), (tf.float16, "float16", 19, np.float16, 2),
    (tf.uint32, "uint32", 22, np.uint32, 4), (tf.uint64, "uint64", 23, np.uint64, 8)])
def test_name_enum_numpy_type_and_size_are_tf_s(dtype, name, enum, numpy_type, size):
    assert dtype.name == name and dtype.as_datatype_enum == enum and dtype.size == size
    assert dtype.as_numpy_dtype is numpy_type
    assert dtype.base_dtype is dtype and dtype.is_numpy_compatible and not dtype.is_quantized
    assert tf.DType(enum) == dtype and getattr(tf.dtypes, name) is dtype


def test_aliases_are_the_same_objects():
    assert tf.half is tf.float16 and tf.double is tf.float64 and tf.dtypes.half is tf.float16
    assert tf.dtypes.DType is tf.DType and tf.dtypes.as_dtype is tf.as_dtype


@pytest.mark.parametrize("dtype, floating, integer, complex_, bool_, unsigned", [
    (tf.float16, True, False, False, False, False), (tf.float32, True, False, False, False, False),
    (tf.float64, True, False, False, False, False), (tf.int8, False, True, False, False, False),
    (tf.int64, False, True, False, False, False), (tf.uint8, False, True, False, False, True),
    (tf.uint16, False, True, False, False, True), (tf.complex64, False, False, True, False, False),
    (tf.complex128, False, False, True, False, False), (tf.bool, False, False, False, True, False),
    (tf.string, False, False, False, False, False)])
def test_kind_predicates(dtype, floating, integer, complex_, bool_, unsigned):
    assert (dtype.is_floating, dtype.is_integer, dtype.is_complex, dtype.is_bool, dtype.is_unsigned) == \
        (floating, integer, complex_, bool_, unsigned)


def test_real_dtype():
    assert tf.complex64.real_dtype is tf.float32 and tf.complex128.real_dtype is tf.float64
    assert tf.float16.real_dtype is tf.float16 and tf.int32.real_dtype is tf.int32


def test_min_max_and_limits():
    assert (tf.int8.min, tf.int8.max) == (-128, 127) and (tf.uint8.min, tf.uint8.max) == (0, 255)
    assert (tf.int64.min, tf.int64.max) == (-2 ** 63, 2 ** 63 - 1) and tf.uint64.max == 2 ** 64 - 1
    assert tf.float32.max == np.finfo(np.float32).max and tf.float32.min == -np.finfo(np.float32).max
    assert tf.float16.max == 65504 and tf.float64.min == np.finfo(np.float64).min
    # the intensity range TF's image ops use: from 0 (clip_negative) to 1 for floats, to max for integers
    assert tf.float32.limits == (0, 1) and tf.float64.limits == (0, 1) and tf.bool.limits == (0, True)
    assert tf.uint8.limits == (0, 255) and tf.int16.limits == (0, 32767)
    with pytest.raises(KeyError):
        tf.float16.limits


@pytest.mark.parametrize("dtype", [tf.bool, tf.string, tf.complex64, tf.complex128])
def test_min_and_max_of_non_numbers_are_type_errors(dtype):
    with pytest.raises(TypeError, match=f"Cannot find minimum value of <dtype: '{dtype.name}'>."):
        dtype.min
    with pytest.raises(TypeError, match=f"Cannot find maximum value of <dtype: '{dtype.name}'>."):
        dtype.max


def test_is_compatible_with():
    assert tf.float32.is_compatible_with(tf.float32) and tf.float32.is_compatible_with(np.float32)
    assert tf.float32.is_compatible_with("float") and tf.int64.is_compatible_with(np.dtype("int64"))
    assert not tf.float32.is_compatible_with(tf.float64) and not tf.int32.is_compatible_with("int64")
    with pytest.raises(TypeError, match="Cannot convert value 'nonsense' to a TensorFlow DType."):
        tf.float32.is_compatible_with("nonsense")


def test_unknown_enum_is_a_type_error():
    with pytest.raises(TypeError, match="14 does not correspond to a DataType"):  # bfloat16: not in minidl
        tf.DType(14)


# ------------------------------------------------------------------------------------ equality, hash, printing

def test_equal_to_what_as_dtype_converts_to_it_both_ways():
    for other in (tf.float32, np.float32, np.dtype("float32"), "float32", "float", 1, float):
        assert tf.float32 == other and not tf.float32 != other
    for other in (np.float32, np.dtype("float32")):
        assert other == tf.float32 and not other != tf.float32
    assert tf.string == np.dtype(object) and np.dtype(object) == tf.string and tf.string == "string"
    assert tf.bool == bool and tf.bool == np.bool_


def test_unequal_to_other_dtypes_and_to_anything_else_without_errors():
    assert tf.float32 != tf.float64 and tf.float32 != np.float64 and tf.float32 != "float64"
    assert np.dtype("float64") != tf.float32 and tf.int32 != tf.int64
    for other in (None, "nonsense", [1], int, object()):
        assert tf.float32 != other and not tf.float32 == other


def test_hash_is_the_numpy_dtype_s_so_dicts_keyed_either_way_find_it():
    assert all(hash(d) == hash(np.dtype(d)) for d in ALL)
    by_numpy = {np.dtype("float32"): "f", np.dtype("int64"): "i"}
    assert by_numpy[tf.float32] == "f" and by_numpy.get(tf.int64) == "i" and tf.int64 in by_numpy
    by_dtype = {tf.float32: "f"}
    assert by_dtype[np.dtype("float32")] == "f" and by_dtype[tf.DType(1)] == "f"
    assert len({tf.float32, tf.DType(1), np.dtype("float32")}) == 1


def test_prints_as_tf_1_15():
    assert repr(tf.float32) == "tf.float32" and repr(tf.string) == "tf.string"
    assert str(tf.float32) == "<dtype: 'float32'>" and f"{tf.bool}" == "<dtype: 'bool'>"
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    assert str(x.dtype) == "<dtype: 'float32'>" and repr([x.dtype]) == "[tf.float32]"
    assert repr(x) == "<tf.Tensor 'x:0' shape=(?, 3) dtype=float32>"


def test_pickle_and_deepcopy_give_back_the_shared_object():
    for dtype in ALL:
        assert pickle.loads(pickle.dumps(dtype)) is dtype and copy.deepcopy(dtype) is dtype


# --------------------------------------------------------------------------------------------- tf.as_dtype

@pytest.mark.parametrize("value, expected", [
    (tf.int16, tf.int16), (np.float32, tf.float32), (np.dtype(">f4"), tf.float32), (np.longlong, tf.int64),
    (np.intc, tf.int32), (np.bool_, tf.bool), (np.dtype(object), tf.string), (np.str_, tf.string),
    (np.dtype("S5"), tf.string), ("float32", tf.float32), ("float", tf.float32), ("double", tf.float64),
    ("half", tf.float16), ("string", tf.string), ("uint16", tf.uint16), (float, tf.float32), (bool, tf.bool),
    (object, tf.string), (9, tf.int64), (18, tf.complex128)])
def test_as_dtype_accepts_what_tf_accepts(value, expected):
    assert tf.as_dtype(value) is expected


@pytest.mark.parametrize("value", [int, "int", np.floating, np.dtype("M8[s]"), 14, None, [1], "bfloat16"])
def test_as_dtype_refuses_the_rest_as_tf_does(value):
    with pytest.raises(TypeError, match=re.escape(f"Cannot convert value {value!r} to a TensorFlow DType.")):
        tf.as_dtype(value)


# ------------------------------------------------------------------------------ a DType is also a numpy dtype

def test_numpy_takes_a_dtype_wherever_it_takes_a_numpy_dtype_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.dtype(tf.float16) == np.float16 and np.zeros(2, dtype=tf.int64).dtype == np.int64
        assert np.asarray([1, 2], dtype=tf.float32).dtype == np.float32
        assert np.ones(2).astype(tf.uint8).dtype == np.uint8
        assert np.array([b"a"], dtype=tf.string).dtype == object
        assert np.promote_types(tf.int32, tf.float32) == np.float64
        assert np.issubdtype(tf.float32, np.floating) and not np.issubdtype(tf.int8, np.floating)
    assert (tf.float32.kind, tf.float32.itemsize, tf.float32.char, tf.float32.type, tf.float32.str) == \
        ("f", 4, "f", np.float32, "<f4")
    assert tf.string.kind == "O" and tf.string.dtype == np.dtype(object)


def test_as_numpy_dtype_makes_feed_values():
    x = tf.placeholder(tf.float64, [2])
    value = run(x * 2, {x: np.array([1, 2], dtype=x.dtype.as_numpy_dtype)})
    assert value.dtype == np.float64 and value.tolist() == [2, 4]


def test_the_eager_mode_has_its_own_dtype_objects_that_stand_for_numpy_dtypes():
    assert torch.zeros(2).dtype is torch.float32 and isinstance(torch.float32, torch.dtype)
    assert torch.float32 == np.float32 and np.dtype(torch.float32) == np.float32 and torch.float32 != tf.float64
    assert torch.tensor([1, 2]).dtype is torch.int64 and repr(torch.int64) == "minidl.int64"


# ---------------------------------------------------------------- every graph tensor's dtype is a DType ...

def _graph_values():
    """The placeholder x, and tensors from many corners of graph mode, most built with a DType argument."""
    x = tf.placeholder(tf.float64, [None, 3])
    tensors = [
        x, tf.constant([1, 2], dtype=tf.float16), tf.constant("text"), tf.zeros([2], dtype=tf.int64),
        tf.ones([2], tf.uint8), tf.zeros_like(x, dtype=tf.int32), tf.fill([2], tf.constant(1, tf.int64)),
        tf.random_normal([2], dtype=tf.float64), tf.random_uniform([2], maxval=5, dtype=tf.int32),
        tf.truncated_normal([2], dtype=tf.float64), tf.multinomial(tf.zeros([1, 3]), 2, output_dtype=tf.int32),
        tf.Variable([1, 2], dtype=tf.float64), tf.get_variable("w", [3, 2], dtype=tf.float64),
        tf.cast(x, tf.int32), tf.one_hot([1], 3, dtype=tf.float64), tf.range(3, dtype=tf.float32),
        tf.py_func(lambda a: a * 2, [tf.constant([1.0])], tf.float32),
        tf.map_fn(lambda a: tf.cast(a, tf.int64), tf.constant([1.0, 2.0]), dtype=tf.int64),
        tf.TensorArray(tf.float64, size=1).write(0, tf.constant([1.0], tf.float64)).read(0),
        tf.layers.dense(x, 2), tf.eye(2, dtype=tf.float64), tf.argmax(x, 1, output_type=tf.int32),
        tf.complex(tf.constant([1.0]), tf.constant([2.0])), tf.shape(x), tf.equal(x, 1.0),
        tf.random_normal_initializer(dtype=tf.float64)([2]), tf.gradients(tf.reduce_sum(x * x), x)[0],
        tf.data.Dataset.from_generator(lambda: iter([1, 2]), tf.int32).make_one_shot_iterator().get_next(),
    ]
    return x, tensors


def test_every_graph_tensor_s_dtype_is_a_dtype_and_its_values_have_that_dtype():
    x, tensors = _graph_values()
    assert all(isinstance(t.dtype, tf.DType) for t in tensors)
    assert [t.dtype for t in tensors[:5]] == [tf.float64, tf.float16, tf.string, tf.int64, tf.uint8]
    numeric = [t for t in tensors[1:] if t.dtype != tf.string]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(numeric, {x: np.ones((2, 3))})
    assert [np.asarray(v).dtype for v in values] == [t.dtype for t in numeric]


def test_the_other_dtypes_a_program_reads_are_dtypes_too():
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((4, 2), np.float32), np.arange(4))).batch(2)
    assert ds.output_types == (tf.float32, tf.int64) and all(isinstance(d, tf.DType) for d in ds.output_types)
    iterator = tf.data.Iterator.from_structure(ds.output_types, ds.output_shapes)
    assert isinstance(iterator.output_types[0], tf.DType)
    assert isinstance(tf.TensorArray(tf.int32, size=2).dtype, tf.DType)
    assert repr(tf.zeros_initializer().dtype) == "tf.float32"
    with tf.variable_scope("scope", dtype=tf.float64) as scope:
        assert scope.dtype is tf.float64 and tf.get_variable("v", [2]).dtype is tf.float64
    assert tf.Variable(1.0).dtype is tf.float32


def test_a_string_tensor_s_dtype_is_tf_string():
    t = tf.constant(["a", "bc"])
    assert t.dtype is tf.string and t.dtype.as_numpy_dtype is object
    assert run(tf.identity(t)).tolist() == [b"a", b"bc"]


# ------------------------------------------------------------------------------------------ ... in TF1 code

def test_a_cast_to_another_tensor_s_base_dtype():
    x = tf.placeholder(tf.float32, [3])
    count = tf.constant([1, 2, 3])
    mean = tf.reduce_sum(x) / tf.cast(tf.size(count), x.dtype.base_dtype)
    assert mean.dtype is tf.float32 and run(mean, {x: [1.0, 2.0, 6.0]}) == 3.0
    assert tf.dtypes.cast(count, tf.float64).dtype is tf.float64


def test_a_dtype_s_limits_as_tf1_code_uses_them():
    x = tf.constant([1e30, -1e30, 5.0])
    clipped = tf.clip_by_value(x, tf.int16.min, tf.int16.max)
    assert run(tf.cast(clipped, tf.int16)).tolist() == [32767, -32768, 5]
    image = tf.constant([[0, 128, 255]], tf.uint8)
    scaled = tf.cast(image, tf.float32) / image.dtype.max   # convert_image_dtype's scale
    np.testing.assert_allclose(run(scaled), [[0, 128 / 255, 1]], rtol=1e-6)


def dense(inputs, units):
    """A TF1-style helper that reads its input's dtype: integers are cast to float32, and the variables take the
    (float) input's ``base_dtype``."""
    if not inputs.dtype.is_floating:
        inputs = tf.cast(inputs, tf.float32)
    dtype = inputs.dtype.base_dtype
    w = tf.get_variable("w", [inputs.shape[-1].value, units], dtype=dtype, initializer=tf.zeros_initializer())
    b = tf.get_variable("b", [units], dtype=dtype, initializer=tf.zeros_initializer())
    return tf.matmul(inputs, w) + b, w


def test_a_small_tf1_program_that_reads_dtypes_trains():
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.int32, [None, 2], name="x")
    y = tf.placeholder(tf.float32, [None], name="y")
    assert x.dtype.is_integer and y.dtype.is_floating
    prediction, w = dense(x, 1)
    assert prediction.dtype is tf.float32 and w.dtype.base_dtype is tf.float32
    loss = tf.reduce_mean(tf.square(tf.squeeze(prediction, 1) - y))
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    inputs = rng.integers(-3, 4, (64, 2)).astype(x.dtype.as_numpy_dtype)   # feeds in the placeholders' dtypes
    targets = (inputs @ np.array([2.0, -3.0]) + 0.5).astype(y.dtype.as_numpy_dtype)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            _, final = sess.run([train, loss], {x: inputs, y: targets})
        np.testing.assert_allclose(sess.run(w).ravel(), [2.0, -3.0], atol=1e-3)
    assert final < 1e-5


def test_dataset_dtypes_from_a_generator_are_checked_against_the_declared_dtype():
    ds = tf.data.Dataset.from_generator(lambda: iter([[1, 2], [3, 4]]), tf.dtypes.int64, tf.TensorShape([2]))
    values = drain(ds.make_one_shot_iterator().get_next())
    assert [v.dtype for v in values] == [np.int64, np.int64] and values[1].tolist() == [3, 4]


@pytest.mark.parametrize("build, op_type", [
    (lambda a, b: a + b, "add"), (lambda a, b: a * b, "mul"), (lambda a, b: a - b, "sub"), (lambda a, b: -a, "Neg"),
    (lambda a, b: a / b, "truediv"), (lambda a, b: True + b, "add"), (tf.add, "AddV2"), (tf.maximum, "Maximum"),
    (tf.pow, "Pow"), (tf.truediv, "RealDiv"),
])
def test_arithmetic_on_bools_is_a_type_error_as_in_tf(build, op_type):
    """TF's Add, Mul, Maximum ... have no bool kernels (numpy would give True + True = True)."""
    with pytest.raises(TypeError, match=f"parameter 'x' of '{op_type}' Op has DataType bool"):
        build(tf.constant([True, False]), tf.constant([True, True]))


def test_logic_and_comparisons_take_bools():
    a, b = tf.constant([True, False]), tf.constant([True, True])
    assert [v.tolist() for v in run([a & b, a | b, ~a, tf.equal(a, b)])] == [
        [True, False], [True, True], [False, True], [True, False]]
