"""tf.make_template, tf.py_function, and arguments TF1 also takes as tensors computed at run time: top_k's k, the
reduce_* functions' axis, the resizes' size (each checked against the same op with Python ints)."""
import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph.functional_ops import EagerTensor

from .helpers import elements, run

RNG = np.random.default_rng(0)


# ============================================================================================== make_template

def scaled(x, scalar_name):
    return x * tf.get_variable(scalar_name, shape=[], initializer=tf.constant_initializer(3.0))


def dummy(trainable=True):
    return tf.get_variable("dummy", shape=[1], trainable=trainable, initializer=tf.zeros_initializer())


def test_a_template_creates_its_variables_on_the_first_call_and_shares_them_after(graph):
    scale = tf.make_template("scale_by_y", scaled, scalar_name="y")   # kwargs are bound into the function
    assert scale.variables == [] and scale.variable_scope is None and scale.variable_scope_name is None
    x = tf.placeholder(tf.float32, [None])
    first, second = scale(x), scale(x + 1.0)
    y, = tf.global_variables()
    assert y.name == "scale_by_y/y:0" and scale.variable_scope.name == "scale_by_y"
    assert scale.variable_scope_name == "scale_by_y/" and scale.name == "scale_by_y"
    assert scale.variables == scale.trainable_variables == [y] and scale.non_trainable_variables == []
    assert (first.name, second.name) == ("scale_by_y/mul:0", "scale_by_y_1/mul:0")  # a fresh name scope per call
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(y, 2.0))
        a, b = sess.run([first, second], {x: [1.0, 2.0]})
    np.testing.assert_allclose(a, [2.0, 4.0])
    np.testing.assert_allclose(b, [4.0, 6.0])   # the same y, assigned once


def test_training_through_one_call_of_a_template_changes_what_the_other_call_computes(graph):
    line = tf.make_template("line", lambda x: x * tf.get_variable("w", [], initializer=tf.zeros_initializer())
                            + tf.get_variable("b", [], initializer=tf.zeros_initializer()))
    train_x, test_x = np.float32([1, 2, 3, 4]), np.float32([5, 6, 7, 8])
    train_loss = tf.reduce_mean(tf.square(line(train_x) - 2.0 * train_x - 1.0))
    test_loss = tf.reduce_mean(tf.square(line(test_x) - 2.0 * test_x - 1.0))
    step = tf.train.GradientDescentOptimizer(0.05).minimize(train_loss)
    assert len(tf.trainable_variables()) == 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(test_loss)
        for _ in range(20):
            sess.run(step)
        assert sess.run(test_loss) < 0.1 * before


def test_two_templates_of_one_name_get_unique_scopes_and_keep_them_wherever_called(graph):
    first, second = tf.make_template("s1", dummy), tf.make_template("s1", dummy)
    with tf.variable_scope("scope"):
        v1, v3 = first(), second()
    with tf.variable_scope("scope2"):
        v2 = first()     # the template's scope, not scope2
    assert v1 is v2 and v1 is not v3
    assert (v1.name, v3.name) == ("scope/s1/dummy:0", "scope/s1_1/dummy:0")
    assert first.variables == [v1] and second.variables == [v3]   # "s1/" does not match "s1_1/..."


def test_templates_nest_and_each_shares_only_its_own_variables(graph):
    def outer():
        inner1, inner2 = tf.make_template("nested", dummy), tf.make_template("nested", dummy)
        return inner1(), inner2()
    t1, t2 = tf.make_template("s1", outer), tf.make_template("s1", outer)
    v1, v2 = t1()
    v3, v4 = t1()
    v5, v6 = t2()
    assert [v1, v2] == [v3, v4] and t1.variables == [v1, v2]
    assert [v.name for v in (v1, v2, v5, v6)] == ["s1/nested/dummy:0", "s1/nested_1/dummy:0",
                                                  "s1_1/nested/dummy:0", "s1_1/nested_1/dummy:0"]


def test_create_scope_now_fixes_the_scope_at_construction_and_names_ops_as_tf_does(graph):
    def linear(x, output_size):
        w = tf.get_variable("w", shape=[x.shape[1], output_size], initializer=tf.zeros_initializer())
        b = tf.get_variable("b", shape=[output_size], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b, w

    inputs = tf.ones((3, 4))
    linear1 = tf.make_template("foo", linear, create_scope_now_=True, output_size=2)
    assert linear1.variable_scope.name == "foo" and linear1.variables == []   # the scope exists, no variables yet
    outputs_a, w1 = linear1(inputs)
    outputs_b, w1_again = linear1(inputs)
    linear2 = tf.make_template("foo", linear, create_scope_now_=True, output_size=2)
    outputs_c, w2 = linear2(inputs)
    outputs_d, _ = linear2(inputs)
    assert w1 is w1_again and w1.name == "foo/w:0" and w2.name == "foo_1/w:0"
    assert linear2.variable_scope.name == "foo_1"
    # TF 1.15's template_test.py, test_name_scopes_for_variable_scopes
    assert [t.name for t in (outputs_a, outputs_b, outputs_c, outputs_d)] == \
        ["foo/add:0", "foo_1/add:0", "foo_1_1/add:0", "foo_1_2/add:0"]


def test_a_trainable_tf_variable_made_on_a_later_call_is_an_error_a_non_trainable_one_is_not(graph):
    def with_side_variable(trainable):
        tf.Variable(0.0, trainable=trainable)
        return dummy()
    strict = tf.make_template("s", with_side_variable, trainable=True)
    strict()
    with pytest.raises(ValueError, match="Trainable variable created when calling a template after the first time"):
        strict()
    lenient = tf.make_template("t", with_side_variable, trainable=False)
    assert lenient() is lenient()


def test_the_first_call_counts_as_the_creating_one_even_when_it_created_nothing(graph):
    def maybe_create(create):
        return dummy() if create else tf.constant(0.0)
    template = tf.make_template("lazy", maybe_create)
    template(False)
    with pytest.raises(ValueError, match="lazy/dummy does not exist"):   # get_variable under reuse=True
        template(True)

    def tf_variable():
        return tf.Variable(1.0)
    late = tf.make_template("late", lambda create: tf_variable() if create else tf.constant(0.0))
    late(False)
    with pytest.raises(ValueError, match="Trainable variable created when calling a template after the first time"):
        late(True)


def test_a_first_call_that_raised_can_be_retried_as_the_first(graph):
    def fails_once(state=[]):
        if not state:
            state.append(1)
            raise RuntimeError("not yet")
        return dummy()
    template = tf.make_template("retry", fails_once)
    with pytest.raises(RuntimeError):
        template()
    assert template().name.endswith("/dummy:0") and template.variables


def test_unique_name_is_used_as_given_name_none_is_refused_and_custom_getters_apply(graph):
    first = tf.make_template("_", dummy, unique_name_="s1")
    assert first().name == "s1/dummy:0"
    second = tf.make_template("_", dummy, unique_name_="s1")
    with pytest.raises(ValueError, match="Variable s1/dummy already exists"):
        second()
    with pytest.raises(ValueError, match="name cannot be None"):
        tf.make_template(None, dummy)
    asked = []
    getter = tf.make_template("g", dummy, custom_getter_=lambda get, name, *a, **k: asked.append(name) or get(
        name, *a, **k))
    getter()
    getter()  # the second call re-enters the scope, and its getter
    assert asked == ["g/dummy", "g/dummy"]
    assert tf.compat.v1.make_template is tf.make_template


# ================================================================================================ py_function

def test_py_function_hands_func_eager_tensors_and_takes_back_tensors_arrays_and_numbers(graph):
    seen = {}

    def func(a, b):
        seen.update(shape=a.shape, dtype=a.dtype, ndim=a.ndim, length=len(a), type=type(a * 2), first=float(a[0]))
        total = np.sum(a)   # numpy functions take them as arrays
        return a * b + 1, float(total), 7, a.numpy()

    x = tf.placeholder(tf.float32, [None])
    y, total, seven, same = tf.py_function(func, [x, tf.constant(2.0)], [tf.float32, tf.float32, tf.int64,
                                                                          tf.float32])
    assert y.shape == tf.TensorShape(None) and y.op.name == "EagerPyFunc"
    values = run([y, total, seven, same], {x: [1.0, 2.0, 3.0]})
    np.testing.assert_allclose(values[0], [3.0, 5.0, 7.0])
    assert values[1] == np.float32(6.0) and values[1].dtype == np.float32   # a Python float becomes float32
    assert values[2] == 7 and values[2].dtype == np.int64
    np.testing.assert_allclose(values[3], [1.0, 2.0, 3.0])
    assert seen["shape"] == tf.TensorShape([3]) and seen["dtype"] == tf.float32 and seen["ndim"] == 1
    assert seen["length"] == 3 and seen["type"] is EagerTensor and seen["first"] == 1.0


def test_py_function_with_one_dtype_returns_one_tensor_and_strings_arrive_as_bytes(graph):
    text = tf.constant(b"hello")
    upper = tf.py_function(lambda s: s.numpy().upper(), [text], tf.string)
    length = tf.py_function(lambda s: len(s.numpy()), [text], tf.int32)
    assert run([upper, length]) == [b"HELLO", 5]


def test_py_function_refuses_results_tf_would_not_convert_with_an_error_naming_the_op(graph):
    x = tf.constant([1.0, 2.0])
    wrong_tensor = tf.py_function(lambda a: a, [x], tf.float64, name="keeps_float32")
    with pytest.raises(tf.errors.InvalidArgumentError, match="requested dtype float64 for Tensor with dtype float32"):
        run(wrong_tensor)
    float_for_int = tf.py_function(lambda a: 2.5, [x], tf.int32, name="float_for_int")
    with pytest.raises(tf.errors.InvalidArgumentError, match="float_for_int is double, but expects int32"):
        run(float_for_int)
    too_many = tf.py_function(lambda a: (a, a), [x], [tf.float32])
    with pytest.raises(tf.errors.InvalidArgumentError, match="returns 2 values, but expects to see 1 values"):
        run(too_many)


def test_py_function_without_outputs_is_an_op_to_run_and_has_no_gradient(graph):
    calls = []
    x = tf.placeholder(tf.float32, [2])
    op = tf.py_function(lambda a: calls.append(a.numpy().tolist()), [x], [])
    assert isinstance(op, tf.Operation)
    run(op, {x: [1.0, 2.0]})
    assert calls == [[1.0, 2.0]]
    y = tf.py_function(lambda a: a * a, [x], tf.float32)
    assert tf.gradients(tf.reduce_sum(y), x) == [None]
    assert isinstance(tf.py_func(lambda a: None, [x], []), tf.Operation)   # py_func's TF rule too


def test_py_function_works_in_a_dataset_map(graph):
    dataset = tf.data.Dataset.range(4).map(lambda n: tf.py_function(lambda v: v * v + 1, [n], tf.int64))
    assert elements(dataset) == [1, 2, 5, 10]


# ========================================================================================= top_k with tensor k

def top_k_reference(values):
    with tf.Graph().as_default():
        x = tf.constant(values)
        top, indices = tf.nn.top_k(x, values.shape[1] // 2)
        grad, = tf.gradients(tf.reduce_sum(top * top), x)
        return run([top, indices, grad])


def test_top_k_with_k_a_tensor_matches_top_k_with_the_int_for_each_fed_size(graph):
    x = tf.placeholder(tf.float32, [None, None])
    top, indices = tf.nn.top_k(x, tf.shape(x)[1] // 2)
    assert top.shape.as_list() == [None, None] and indices.dtype == tf.int32
    grad, = tf.gradients(tf.reduce_sum(top * top), x)
    with tf.Session() as sess:
        for shape in [(3, 6), (2, 9)]:
            values = RNG.standard_normal(shape).astype(np.float32)
            got = sess.run([top, indices, grad], {x: values})
            for a, b in zip(got, top_k_reference(values)):
                np.testing.assert_array_equal(a, b)
            assert got[0].shape == (shape[0], shape[1] // 2)


def test_top_k_keeps_the_known_dims_and_checks_k_when_it_runs(graph):
    x = tf.placeholder(tf.float32, [4, None])
    k = tf.placeholder(tf.int32, [])
    top, _ = tf.nn.top_k(x, k)
    assert top.shape.as_list() == [4, None]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(top, {x: np.arange(12.0).reshape(4, 3), k: 0}), np.zeros((4, 0)))
        with pytest.raises(tf.errors.InvalidArgumentError, match="at least k columns. Had 3, needed 4") as error:
            sess.run(top, {x: np.zeros((4, 3)), k: 4})
        assert "TopKV2" in error.value.op.name
        with pytest.raises(tf.errors.InvalidArgumentError, match="Need k >= 0, got -1"):
            sess.run(top, {x: np.zeros((4, 3)), k: -1})
    with pytest.raises(TypeError, match="'k' has DataType float32"):
        tf.nn.top_k(x, tf.placeholder(tf.float32, []))
    with pytest.raises(ValueError, match="must be rank 0"):
        tf.nn.top_k(x, tf.placeholder(tf.int32, [1]))


# ===================================================================================== reductions with tensor axis

REDUCTIONS = [tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_min, tf.reduce_prod, tf.reduce_logsumexp]


def reduction_reference(reduce, values, axis, keepdims):
    with tf.Graph().as_default():
        x = tf.constant(values)
        y = reduce(x, axis=axis, keepdims=keepdims)
        grad, = tf.gradients(tf.reduce_sum(y * y), x)
        return run([y, grad])


@pytest.mark.parametrize("reduce", REDUCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("keepdims", [False, True])
def test_a_reduction_over_a_tensor_axis_matches_the_same_with_python_ints(graph, reduce, keepdims):
    x = tf.placeholder(tf.float32, [None, None, None])
    axis = tf.placeholder(tf.int32)
    y = reduce(x, axis=axis, keepdims=keepdims)
    if keepdims:
        assert y.shape.as_list() == [None, None, None]
    else:
        assert y.shape.rank is None   # TF's static shape: unknown unless keepdims
    grad, = tf.gradients(tf.reduce_sum(y * y), x)
    with tf.Session() as sess:
        for shape, axes in [((2, 3, 4), 1), ((2, 3, 4), [0, 2]), ((3, 1, 5), [-1, 0]), ((2, 2, 3), [])]:
            values = RNG.uniform(0.5, 1.5, shape).astype(np.float32)
            got = sess.run([y, grad], {x: values, axis: axes})
            for a, b in zip(got, reduction_reference(reduce, values, axes, keepdims)):
                assert a.shape == b.shape
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_tensor_axes_of_any_kind_reduce_bools_and_ints_and_keep_tf_names(graph):
    x = tf.constant(np.arange(24, dtype=np.int32).reshape(2, 3, 4))
    last = tf.rank(x) - 1
    flags = tf.constant(np.arange(24).reshape(2, 3, 4) % 5 == 0)
    total = tf.reduce_sum(x, axis=last, name="total")
    mixed = tf.reduce_mean(x, axis=[0, last])            # a list holding a tensor
    any_, all_ = tf.reduce_any(flags, axis=last), tf.reduce_all(flags, axis=tf.constant([1]) + 0)
    assert total.name == "total:0" and total.dtype == tf.int32
    got = run([total, mixed, any_, all_])
    values = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    np.testing.assert_array_equal(got[0], values.sum(-1))
    np.testing.assert_array_equal(got[1], values.sum((0, 2)) // 8)   # TF's integer mean truncates
    np.testing.assert_array_equal(got[2], (values % 5 == 0).any(-1))
    np.testing.assert_array_equal(got[3], (values % 5 == 0).all(1))


def test_a_max_over_an_empty_tensor_axis_is_the_identity_as_with_an_int_axis(graph):
    x = tf.placeholder(tf.float32, [None, None])
    axis = tf.placeholder(tf.int32, [])
    got = run(tf.reduce_max(x, axis=axis), {x: np.zeros((3, 0)), axis: 1})
    np.testing.assert_array_equal(got, [-np.inf] * 3)


def test_tensor_axes_are_checked_when_the_graph_runs(graph):
    x = tf.placeholder(tf.float32, [None, None])
    axis = tf.placeholder(tf.int32)
    total = tf.reduce_sum(x, axis=axis)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Invalid reduction dimension \(2 for input with 2 dimension\(s\)") as error:
            sess.run(total, {x: np.zeros((2, 3)), axis: 2})
        assert error.value.op.name.startswith("Sum")
        with pytest.raises(tf.errors.InvalidArgumentError, match="Axes contains duplicate dimension: 1"):
            sess.run(total, {x: np.zeros((2, 3)), axis: [1, -1]})
    with pytest.raises(TypeError, match="'reduction_indices' has DataType float32"):
        tf.reduce_sum(x, axis=tf.placeholder(tf.float32))
    with pytest.raises(ValueError, match="at most rank 1"):
        tf.reduce_sum(x, axis=tf.placeholder(tf.int32, [1, 1]))


# ======================================================================================= resizes with tensor size

def resize_reference(resize, values, size):
    with tf.Graph().as_default():
        x = tf.constant(values)
        y = resize(x, size)
        grad, = tf.gradients(tf.reduce_sum(y * y), x)
        return run([y, grad])


RESIZES = {
    "bilinear": lambda images, size: tf.image.resize_images(images, size),
    "nearest": lambda images, size: tf.image.resize_images(images, size, tf.image.ResizeMethod.NEAREST_NEIGHBOR),
    "bicubic": lambda images, size: tf.image.resize(images, size, method=tf.image.ResizeMethod.BICUBIC),
    "bilinear_aligned": lambda images, size: tf.image.resize_bilinear(images, size, align_corners=True),
    "nearest_half_pixel": lambda images, size: tf.image.resize_nearest_neighbor(images, size,
                                                                                half_pixel_centers=True),
}


@pytest.mark.parametrize("method", sorted(RESIZES))
def test_a_resize_to_a_tensor_size_matches_the_same_with_python_ints(graph, method):
    resize = RESIZES[method]
    images = tf.placeholder(tf.float32, [None, None, None, 2])
    other = tf.placeholder(tf.float32, [None, None, None, 1])
    y = resize(images, tf.shape(other)[1:3])
    assert y.shape.as_list() == [None, None, None, 2]
    grad, = tf.gradients(tf.reduce_sum(y * y), images)
    with tf.Session() as sess:
        for in_shape, size in [((2, 5, 7, 2), (3, 9)), ((1, 4, 4, 2), (8, 2))]:
            values = RNG.standard_normal(in_shape).astype(np.float32)
            got = sess.run([y, grad], {images: values, other: np.zeros((1,) + size + (1,))})
            for a, b in zip(got, resize_reference(resize, values, list(size))):
                assert a.shape == b.shape
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_one_image_resizes_to_a_size_held_in_a_placeholder(graph):
    values = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    size = tf.placeholder(tf.int32, [2])
    got = run(tf.image.resize_images(tf.constant(values), size), {size: [4, 6]})
    np.testing.assert_allclose(got, resize_reference(tf.image.resize_images, values, [4, 6])[0])


def test_a_tensor_size_is_checked_when_the_graph_runs_and_unsupported_uses_are_refused(graph):
    images = tf.placeholder(tf.float32, [1, None, None, 1])
    size = tf.placeholder(tf.int32, [2])
    y = tf.image.resize_bilinear(images, size)
    with pytest.raises(tf.errors.InvalidArgumentError, match="output dimensions must be positive, got -2") as error:
        run(y, {images: np.zeros((1, 3, 3, 1)), size: [4, -2]})
    assert error.value.op.name.startswith("ResizeBilinear")
    with pytest.raises(NotImplementedError, match="'area' method needs the output size"):
        tf.image.resize_area(images, size)
    with pytest.raises(NotImplementedError, match="preserve_aspect_ratio"):
        tf.image.resize_images(images, size, preserve_aspect_ratio=True)
    with pytest.raises(ValueError, match="1-D Tensor of 2 elements"):
        tf.image.resize_images(images, tf.placeholder(tf.int32, [3]))


def test_transpose_by_a_permutation_computed_at_run_time():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, None, None])
        perm = tf.placeholder(tf.int32, [3])
        y = tf.transpose(x, perm)
        weights = tf.constant(np.arange(24.0).reshape(4, 2, 3))
        loss = tf.reduce_sum(y * weights)
        (grad,) = tf.gradients(loss, [x])
        value = np.random.default_rng(0).standard_normal((2, 3, 4))
        with tf.Session() as sess:
            got, got_grad = sess.run([y, grad], {x: value, perm: [2, 0, 1]})
    np.testing.assert_array_equal(got, value.transpose(2, 0, 1))
    np.testing.assert_array_equal(got_grad, np.arange(24.0).reshape(4, 2, 3).transpose(1, 2, 0))  # permuted back
