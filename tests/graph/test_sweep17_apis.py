"""TF 1.15 APIs added in sweep 17: tf.is_tensor, tf.nest, tf.dimension_value, shape broadcasting, assert_integer /
assert_scalar / assert_near, get_local_variable, tf.compat.as_bytes/as_text, tf.get_static_value, space_to_depth /
depth_to_space, accumulate_n and tf.contrib.training.HParams."""
import collections
import json

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

Point = collections.namedtuple("Point", "x y")


# ------------------------------------------------------------------------------------------------ is_tensor

def test_is_tensor_tells_graph_tensors_and_variables_from_values_ops_would_convert():
    assert tf.is_tensor(tf.constant(1.0)) and tf.is_tensor(tf.placeholder(tf.float32, [None]))
    assert tf.is_tensor(tf.Variable(1.0))
    assert not any(tf.is_tensor(v) for v in (np.ones(3), 1.0, [1, 2], "text", None))


# ------------------------------------------------------------------------------------------------ tf.nest

def test_flatten_gives_leaves_depth_first_with_dict_values_in_sorted_key_order():
    structure = (1, {"b": [2, 3], "a": Point(4, 5)}, "leaf", None)
    assert tf.nest.flatten(structure) == [1, 4, 5, 2, 3, "leaf", None]
    assert tf.nest.flatten("text") == ["text"] and tf.nest.flatten(None) == [None]
    shape = tf.TensorShape([2, 3])
    assert tf.nest.flatten([shape]) == [shape]  # a TensorShape is one value, not a sequence of dims
    array = np.zeros(3)
    assert tf.nest.flatten(array)[0] is array


def test_pack_sequence_as_inverts_flatten_and_keeps_every_sequence_type():
    structure = {"z": Point(0, [0, 0]), "a": (0,)}
    packed = tf.nest.pack_sequence_as(structure, [1, 2, 3, 4])
    assert packed == {"z": Point(2, [3, 4]), "a": (1,)}
    assert list(packed) == ["z", "a"]  # the dict keeps its own key order, though filled in sorted order
    assert isinstance(packed["z"], Point) and isinstance(packed["z"].y, list)
    assert tf.nest.pack_sequence_as(0, [7]) == 7
    with pytest.raises(ValueError, match="Structure had 3 elements, but flat_sequence had 2"):
        tf.nest.pack_sequence_as([0, (0, 0)], [1, 2])
    with pytest.raises(ValueError, match="scalar"):
        tf.nest.pack_sequence_as(0, [1, 2])
    with pytest.raises(TypeError):
        tf.nest.pack_sequence_as([0], 5)


def test_map_structure_applies_a_function_across_structures_and_checks_them():
    result = tf.nest.map_structure(lambda a, b: a * 10 + b, (1, {"k": [2]}), (3, {"k": [4]}))
    assert result == (13, {"k": [24]})
    tensors = tf.nest.map_structure(tf.constant, Point(1.0, [2.0]))
    assert isinstance(tensors, Point) and all(map(tf.is_tensor, tf.nest.flatten(tensors)))
    np.testing.assert_allclose(run(tf.nest.flatten(tensors)), [1.0, 2.0])
    with pytest.raises(TypeError):  # a list is not a tuple ...
        tf.nest.map_structure(lambda a, b: a, [1], (1,))
    assert tf.nest.map_structure(lambda a, b: a + b, [1], (2,), check_types=False) == [3]  # ... unless told so
    with pytest.raises(ValueError, match="check_types"):
        tf.nest.map_structure(lambda a: a, [1], typo=True)
    with pytest.raises(ValueError):
        tf.nest.map_structure(lambda: 0)
    with pytest.raises(TypeError):
        tf.nest.map_structure("not callable", [1])


def test_assert_same_structure_raises_value_errors_for_shape_and_type_errors_for_sequence_kinds():
    tf.nest.assert_same_structure((1, [2, {"a": 3}]), ("x", ["y", {"a": "z"}]))
    with pytest.raises(ValueError, match="same number of elements"):
        tf.nest.assert_same_structure([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="nested structure"):
        tf.nest.assert_same_structure([1, [2]], [[1], 2])
    with pytest.raises(ValueError, match="same set of keys"):
        tf.nest.assert_same_structure({"a": 1}, {"b": 1})
    with pytest.raises(TypeError):
        tf.nest.assert_same_structure([1, 2], (1, 2))
    tf.nest.assert_same_structure([1, 2], (1, 2), check_types=False)
    tf.nest.assert_same_structure({"a": 1}, collections.OrderedDict(a=2))  # any two dicts are one kind
    OtherPoint = collections.namedtuple("Point", "x y")
    tf.nest.assert_same_structure(Point(1, 2), OtherPoint(3, 4))  # same name and fields: alike
    with pytest.raises(TypeError):
        tf.nest.assert_same_structure(Point(1, 2), (1, 2))


def test_is_nested_and_the_contrib_framework_nest_names():
    assert tf.nest.is_nested([1]) and tf.nest.is_nested({}) and tf.nest.is_nested(Point(1, 2))
    assert not any(tf.nest.is_nested(v) for v in ("ab", 1, np.ones(2), {1, 2}, tf.constant(1)))
    nest = tf.contrib.framework.nest
    assert nest.is_sequence([1]) and not nest.is_sequence("ab")
    assert nest.flatten({"b": 1, "a": 2}) == [2, 1]
    assert nest.flatten_up_to([0, 0], [[1, 2], 3]) == [[1, 2], 3]


# ------------------------------------------------------------------------------------- shapes and broadcasting

def test_dimension_value_reads_a_dim_of_a_static_shape():
    shape = tf.placeholder(tf.float32, [None, 3]).shape
    assert tf.dimension_value(shape[0]) is None and tf.dimension_value(shape[1]) == 3
    assert tf.dimension_value is tf.compat.dimension_value


@pytest.mark.parametrize("x, y, expected", [([8, 1, 6], [7, 1], [8, 7, 6]), ([2, 3], [], [2, 3]),
                                            ([None, 3], [4, 1], [4, 3]), ([None], [1], [None]),
                                            ([None, 1], [None, 5], [None, 5]), ([0], [1], [0])])
def test_broadcast_static_shape_follows_numpy_with_unknown_dims(x, y, expected):
    result = tf.broadcast_static_shape(tf.TensorShape(x), tf.TensorShape(y))
    assert isinstance(result, tf.TensorShape) and result.as_list() == expected
    if None not in x + y:
        assert list(np.broadcast_shapes(tuple(x), tuple(y))) == expected


def test_broadcast_static_shape_errors_and_unknown_rank():
    with pytest.raises(ValueError, match="broadcast_static_shape"):
        tf.broadcast_static_shape(tf.TensorShape([2, 3]), tf.TensorShape([4]))
    assert not tf.broadcast_static_shape(tf.TensorShape(None), tf.TensorShape([2])).rank_known


def test_broadcast_dynamic_shape_computes_the_shape_when_the_graph_runs():
    a, b = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    shape = tf.broadcast_dynamic_shape(tf.shape(a), tf.shape(b))
    assert shape.dtype == tf.int32 and shape.shape.rank == 1
    with tf.Session() as sess:
        for sa, sb in [((8, 1, 6), (7, 1)), ((3,), (2, 1)), ((1,), (0,)), ((), (2, 2))]:
            got = sess.run(shape, {a: np.zeros(sa), b: np.zeros(sb)})
            assert got.tolist() == list(np.broadcast_shapes(sa, sb))
        with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
            sess.run(shape, {a: np.zeros((2, 3)), b: np.zeros((4,))})
    known = tf.broadcast_dynamic_shape(tf.constant([2, 1, 3], tf.int64), tf.constant([4, 1], tf.int64))
    assert known.dtype == tf.int64 and known.shape.as_list() == [3]
    assert run(known).tolist() == [2, 4, 3]


def test_broadcast_dynamic_shape_refuses_bad_shape_tensors():
    with pytest.raises(ValueError, match="1-D"):
        tf.broadcast_dynamic_shape(tf.constant([[1, 2]]), tf.constant([2]))
    with pytest.raises(TypeError):
        tf.broadcast_dynamic_shape(tf.constant([1.0]), tf.constant([2.0]))
    with pytest.raises(TypeError):  # one dtype for both
        tf.broadcast_dynamic_shape(tf.constant([1], tf.int64), tf.constant([2], tf.int32))


# --------------------------------------------------------------------------------------------- assertions

def test_assert_integer_is_decided_when_the_graph_is_built():
    check = tf.assert_integer(tf.constant([1, 2], tf.int64))
    assert isinstance(check, tf.Operation)
    run(check)
    for dtype in (tf.float32, tf.bool):
        with pytest.raises(TypeError, match="integer"):
            tf.assert_integer(tf.placeholder(dtype, [2]), message="ids:")
    assert tf.debugging.assert_integer is tf.assert_integer


def test_assert_scalar_returns_the_tensor_or_raises_value_error():
    s = tf.constant(3.0)
    assert tf.assert_scalar(s) is s
    assert tf.assert_scalar(2).shape.rank == 0  # a Python number becomes a 0-d tensor
    with pytest.raises(ValueError, match="scalar"):
        tf.assert_scalar(tf.constant([3.0]))
    with pytest.raises(ValueError, match="scalar"):  # an unknown rank is not known to be 0
        tf.assert_scalar(tf.placeholder(tf.float32))
    assert tf.debugging.assert_scalar is tf.assert_scalar


@pytest.mark.parametrize("dtype, eps", [(np.float32, 1.1920929e-07), (np.float64, 2.220446049250313e-16),
                                        (np.float16, 0.0009765625)])
def test_assert_near_uses_ten_eps_of_the_dtype_by_default(dtype, eps):
    x = tf.placeholder(dtype, [2])
    check = tf.assert_near(x, np.ones(2, dtype))
    with tf.Session() as sess:
        sess.run(check, {x: np.array([1, 1 + 8 * eps], dtype)})  # within 10 eps (+ 10 eps * |y|)
        with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance"):
            sess.run(check, {x: np.array([1, 1 + 40 * eps], dtype)})


def test_assert_near_with_given_tolerances_is_strict_and_guards_a_computation():
    x, y = tf.placeholder(tf.float64, [3]), tf.placeholder(tf.float64, [3])
    with tf.control_dependencies([tf.debugging.assert_near(x, y, rtol=0.1, atol=0.5, message="far apart:")]):
        total = tf.reduce_sum(x)
    with tf.Session() as sess:
        ys = np.array([10.0, -10.0, 0.0])
        assert sess.run(total, {x: ys + [1.4, -1.4, 0.4], y: ys}) == pytest.approx(0.4)  # |x-y| < 0.5 + 0.1|y|
        with pytest.raises(tf.errors.InvalidArgumentError, match="far apart"):
            sess.run(total, {x: ys + [1.5, 0, 0], y: ys})  # 1.5 is not < 1.5
    with pytest.raises(TypeError):
        tf.assert_near(tf.constant([1, 2]), tf.constant([1, 2]))  # integers have no eps


# --------------------------------------------------------------------------------------- get_local_variable

def test_get_local_variable_is_local_untrainable_and_shared_by_name():
    with tf.variable_scope("counters"):
        count = tf.get_local_variable("count", [], tf.int32, initializer=tf.zeros_initializer(), trainable=True)
    assert count.name == "counters/count:0"
    assert count in tf.local_variables() and count not in tf.global_variables()
    assert count not in tf.trainable_variables()
    extra = tf.get_local_variable("extra", [2], collections=["mine"])
    assert extra in tf.get_collection("mine") and extra in tf.local_variables()
    with tf.variable_scope("counters", reuse=True):
        assert tf.get_local_variable("count", [], tf.int32) is count
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(tf.assign_add(count, 5))
        assert sess.run(count) == 5


# ------------------------------------------------------------------------------------------ tf.compat text

def test_compat_converts_between_text_and_bytes():
    assert tf.compat.as_bytes("héllo") == "héllo".encode("utf-8")
    assert tf.compat.as_bytes(b"ab") == b"ab" and tf.compat.as_bytes(bytearray(b"ab")) == b"ab"
    assert tf.compat.as_bytes("é", encoding="latin-1") == b"\xe9"
    assert tf.compat.as_text(b"h\xc3\xa9") == "hé" and tf.compat.as_text("x") == "x"
    assert tf.compat.as_str(b"abc") == "abc" and tf.compat.as_str_any(12) == "12"
    for convert in (tf.compat.as_bytes, tf.compat.as_text):
        with pytest.raises(TypeError, match="binary or unicode"):
            convert(12)


# ------------------------------------------------------------------------------------------ get_static_value

def test_get_static_value_reads_constants_and_fully_known_shapes():
    value = tf.get_static_value(tf.constant([[1, 2], [3, 4]]))
    assert isinstance(value, np.ndarray) and value.tolist() == [[1, 2], [3, 4]] and value.dtype == np.int32
    value[0, 0] = 9  # a copy: the graph's constant is untouched
    x = tf.placeholder(tf.float32, [None, 3])
    shape = tf.shape(x)
    assert tf.get_static_value(shape) is None  # the batch size is only known at run time
    x.set_shape([5, 3])
    assert tf.get_static_value(shape).tolist() == [5, 3]
    assert tf.contrib.util.constant_value is tf.get_static_value


def test_get_static_value_folds_what_tf_folds_and_nothing_else():
    a, b = tf.constant(2), tf.constant([3, 4])
    assert tf.get_static_value(tf.stack([a, a * 0 + 1])) is None  # a multiplication is not folded (TF 1.15)
    assert tf.get_static_value(tf.add(a, a)) is None
    assert tf.get_static_value(tf.stack([a, tf.constant(5)])).tolist() == [2, 5]
    assert tf.get_static_value(tf.concat([b, b], 0)).tolist() == [3, 4, 3, 4]
    cast = tf.get_static_value(tf.cast(b, tf.float32))
    assert cast.dtype == np.float32 and cast.tolist() == [3.0, 4.0]
    assert tf.get_static_value(tf.identity(tf.stop_gradient(b))).tolist() == [3, 4]
    assert tf.get_static_value(tf.equal(b, 4)).tolist() == [False, True]
    assert tf.get_static_value(tf.range(3)).tolist() == [0, 1, 2]
    assert tf.get_static_value(tf.fill([2], 7)).tolist() == [7, 7]


def test_get_static_value_gives_none_for_what_a_run_decides():
    assert tf.get_static_value(tf.Variable(3.0)) is None
    assert tf.get_static_value(tf.placeholder(tf.float32, [2])) is None
    default = tf.placeholder_with_default(tf.constant(False), [])  # may be fed True: not a known value
    assert tf.get_static_value(default) is None
    array = np.arange(3)
    assert tf.get_static_value(array) is array and tf.get_static_value(7) == 7  # not tensors: unchanged
    n = tf.placeholder(tf.int32, [])
    packed = tf.stack([n, tf.constant(4)])
    assert tf.get_static_value(packed) is None
    assert tf.get_static_value(packed, partial=True).tolist() == [None, 4]


# ---------------------------------------------------------------------------------- space_to_depth and back

def _space_to_depth_reference(x, bs):
    """TF's definition, entry by entry (NHWC): out[b, i, j, (dy * bs + dx) * c + k] = x[b, i*bs + dy, j*bs + dx, k]."""
    n, h, w, c = x.shape
    out = np.zeros((n, h // bs, w // bs, bs * bs * c), x.dtype)
    for b, i, j, dy, dx, k in np.ndindex(n, h // bs, w // bs, bs, bs, c):
        out[b, i, j, (dy * bs + dx) * c + k] = x[b, i * bs + dy, j * bs + dx, k]
    return out


def test_space_to_depth_matches_tf_channel_order_and_depth_to_space_inverts_it():
    x = np.random.default_rng(0).standard_normal((2, 4, 6, 3))
    expected = _space_to_depth_reference(x, 2)
    y = tf.space_to_depth(tf.constant(x), 2)
    assert y.shape.as_list() == [2, 2, 3, 12]
    np.testing.assert_array_equal(run(y), expected)
    back = tf.depth_to_space(tf.constant(expected), 2)
    assert back.shape.as_list() == [2, 4, 6, 3]
    np.testing.assert_array_equal(run(back), x)
    assert run(tf.depth_to_space(tf.constant([[[[1, 2, 3, 4]]]]), 2)).tolist() == [[[[1], [2]], [[3], [4]]]]
    assert tf.nn.space_to_depth is tf.space_to_depth and tf.nn.depth_to_space is tf.depth_to_space


def test_nchw_keeps_the_same_channel_order_with_channels_second():
    x = np.random.default_rng(1).standard_normal((1, 6, 3, 2))
    nchw = np.transpose(x, (0, 3, 1, 2))
    y = tf.space_to_depth(tf.constant(nchw), 3, data_format="NCHW")
    assert y.shape.as_list() == [1, 18, 2, 1]
    np.testing.assert_array_equal(run(y), np.transpose(_space_to_depth_reference(x, 3), (0, 3, 1, 2)))
    np.testing.assert_array_equal(run(tf.depth_to_space(y, 3, data_format="NCHW")), nchw)


def test_unknown_dims_are_read_and_checked_when_the_graph_runs():
    x = tf.placeholder(tf.float32, [None, None, None, 2])
    y = tf.space_to_depth(x, 2)
    assert y.shape.as_list() == [None, None, None, 8]
    data = np.arange(3 * 4 * 2 * 2, dtype=np.float32).reshape(3, 4, 2, 2)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: data}), _space_to_depth_reference(data, 2))
        with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 2"):
            sess.run(y, {x: np.zeros((1, 3, 4, 2), np.float32)})
    d = tf.placeholder(tf.float32, [1, 1, 1, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 4"):
        run(tf.depth_to_space(d, 2), {d: np.zeros((1, 1, 1, 6), np.float32)})


def test_space_to_depth_and_depth_to_space_refuse_bad_arguments_when_built():
    with pytest.raises(ValueError, match="must be evenly divisible by 2, but is 3"):
        tf.space_to_depth(tf.zeros([1, 3, 4, 1]), 2)
    with pytest.raises(ValueError, match="must be evenly divisible by 4, but is 6"):
        tf.depth_to_space(tf.zeros([1, 1, 1, 6]), 2)
    with pytest.raises(ValueError, match="at least minimum 2"):
        tf.space_to_depth(tf.zeros([1, 2, 2, 1]), 1)
    with pytest.raises(ValueError, match="4-D"):
        tf.depth_to_space(tf.zeros([2, 2, 4]), 2)
    with pytest.raises(ValueError, match="data_format"):
        tf.space_to_depth(tf.zeros([1, 2, 2, 1]), 2, data_format="NCHW_VECT_C")


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_space_to_depth_and_depth_to_space_gradients_match_central_differences(data_format):
    rng = np.random.default_rng(2)
    image = rng.standard_normal((1, 4, 2, 2) if data_format == "NHWC" else (1, 2, 4, 2))
    check_gradients(lambda t: tf.space_to_depth(t, 2, data_format=data_format), image)
    deep = rng.standard_normal((1, 2, 1, 8) if data_format == "NHWC" else (1, 8, 2, 1))
    check_gradients(lambda t: tf.depth_to_space(t, 2, data_format=data_format) ** 2, deep)


# -------------------------------------------------------------------------------------------- accumulate_n

def test_accumulate_n_sums_like_add_n_and_checks_shape_and_dtype():
    a, b = np.array([[1, 2], [3, 4]], np.int32), np.array([[5, 0], [0, 6]], np.int32)
    total = tf.accumulate_n([tf.constant(a), tf.constant(b), tf.constant(a)], shape=[2, 2], tensor_dtype=tf.int32)
    assert run(total).tolist() == (a + b + a).tolist()
    p = tf.placeholder(tf.float32, [None, 3])
    refined = tf.math.accumulate_n([p, p], shape=[4, 3])
    assert refined.shape.as_list() == [4, 3]  # the shape argument tells the graph the batch size
    alone = tf.constant([1.0])
    assert tf.accumulate_n([alone]) is alone
    assert run(tf.accumulate_n([alone], name="named")).tolist() == [1.0]
    with pytest.raises(ValueError):
        tf.accumulate_n([])
    with pytest.raises(ValueError):
        tf.accumulate_n([tf.constant([1.0]), tf.constant([1.0], tf.float64)])
    with pytest.raises(ValueError, match="shape"):
        tf.accumulate_n([tf.constant([1.0, 2.0])], shape=[3])
    with pytest.raises(TypeError, match="tensor_dtype"):
        tf.accumulate_n([tf.constant([1.0])], tensor_dtype=tf.float64)


def test_accumulate_n_gradient_reaches_each_input():
    check_gradients(lambda u, v: tf.accumulate_n([u, v, u]) ** 2, np.array([0.5, -1.0]), np.array([2.0, 0.25]))


# -------------------------------------------------------------------------------------------------- HParams

def test_hparams_hold_typed_values_as_attributes():
    hp = tf.contrib.training.HParams(learning_rate=0.1, num_layers=2, activation="relu", sizes=[64, 32])
    assert (hp.learning_rate, hp.num_layers, hp.activation, hp.sizes) == (0.1, 2, "relu", [64, 32])
    assert hp.values() == {"learning_rate": 0.1, "num_layers": 2, "activation": "relu", "sizes": [64, 32]}
    assert "num_layers" in hp and "momentum" not in hp
    hp.add_hparam("momentum", 0.9)
    assert hp.momentum == 0.9 and hp.get("momentum") == 0.9 and hp.get("missing", 5) == 5
    hp.set_hparam("learning_rate", 1)  # an int fits a float hyperparameter ...
    assert hp.learning_rate == 1.0 and isinstance(hp.learning_rate, float)
    with pytest.raises(ValueError, match="Could not cast"):
        hp.set_hparam("num_layers", 2.5)  # ... a float does not fit an int one
    with pytest.raises(ValueError):
        hp.set_hparam("sizes", 3)  # a multi-valued hyperparameter takes a list
    with pytest.raises(KeyError):
        hp.set_hparam("nothing", 1)
    with pytest.raises(ValueError, match="reserved"):
        hp.add_hparam("values", 1)
    with pytest.raises(ValueError, match="reserved"):
        hp.add_hparam("num_layers", 3)
    with pytest.raises(ValueError, match="empty"):
        hp.add_hparam("layers", [])
    hp.del_hparam("momentum")
    assert "momentum" not in hp and not hasattr(hp, "momentum")


def test_hparams_parse_a_command_line_string_with_each_hyperparameters_type():
    hp = tf.contrib.training.HParams(lr=0.1, steps=10, name="a", on=False, sizes=[1, 2], rates=[0.5])
    assert hp.parse("lr=1, steps=20,name=resnet 50,on=true,sizes=[3, 4,5],rates=[1]") is hp
    assert hp.values() == {"lr": 1.0, "steps": 20, "name": "resnet 50", "on": True, "sizes": [3, 4, 5],
                           "rates": [1.0]}
    assert isinstance(hp.lr, float) and isinstance(hp.rates[0], float)
    hp.parse("on=0")
    assert hp.on is False
    for bad, match in [("steps=2.5", "Could not parse"), ("nope=1", "Unknown hyperparameter"),
                       ("steps=1,steps=2", "Multiple assignments"), ("=3", "Malformed"),
                       ("on=maybe", "Could not parse"), ("steps=[1,2]", "single-valued")]:
        with pytest.raises(ValueError, match=match):
            hp.parse(bad)


def test_hparams_to_json_parse_json_and_override_from_dict():
    hp = tf.contrib.training.HParams(lr=0.1, sizes=[1, 2], act="relu")
    assert json.loads(hp.to_json()) == {"lr": 0.1, "sizes": [1, 2], "act": "relu"}
    assert hp.to_json(sort_keys=True, separators=(",", ":")) == '{"act":"relu","lr":0.1,"sizes":[1,2]}'
    other = tf.contrib.training.HParams(lr=0.0, sizes=[0], act="")
    assert other.parse_json(hp.to_json()).values() == hp.values()
    assert hp.override_from_dict({"lr": 3, "act": "tanh"}) is hp
    assert (hp.lr, hp.act) == (3.0, "tanh")
    with pytest.raises(ValueError):
        hp.override_from_dict({"act": 1})  # a number is not made into a string
    assert str(tf.contrib.training.HParams(b=1, a=2)) == "[('a', 2), ('b', 1)]"
