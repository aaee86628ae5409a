"""The boilerplate of TF1 programs: dtype names, ConfigProto/GPUOptions/device, tf.compat.v1, tf.logging, the
clipping functions, and the values ``Session.run`` hands back."""
import logging

import numpy as np
import pytest

import minidl.backend
import minidl.graph as tf
from minidl.backend import cuda_is_available

from .helpers import run


# ------------------------------------------------------------------------------------------------- dtypes

@pytest.mark.parametrize("name, expected", [("float", np.float32), ("double", np.float64), ("half", np.float16),
                                            ("float64", np.float64), ("int32", np.int32)])
def test_dtype_names_mean_what_they_mean_in_tensorflow(name, expected):
    assert tf.as_dtype(name) == expected
    assert tf.placeholder(name, [None, 2]).dtype == expected


def test_the_mnist_tutorial_float_placeholder_multiplies_float32_weights():
    x = tf.placeholder("float", [None, 3])
    w = tf.Variable(tf.zeros([3, 2]) + 1)
    y = run(tf.matmul(x, w), {x: np.ones((4, 3))}, initialize_variables=True)
    assert y.dtype == np.float32 and y.tolist() == [[3.0, 3.0]] * 4
    assert tf.cast(tf.constant([1, 2]), "float").dtype == np.float32
    assert (tf.double, tf.half) == (np.float64, np.float16)


# ------------------------------------------------------------------------------- configuration and devices

def test_a_notebooks_first_cell_asks_for_the_gpu_and_the_version():
    assert tf.test.is_gpu_available() == cuda_is_available()
    assert tf.test.gpu_device_name() == ("/device:GPU:0" if cuda_is_available() else "")
    assert tf.VERSION == tf.__version__


def test_the_gpu_setup_of_tf_1_14_on_lists_the_devices_and_keeps_memory_growth():
    """``tf.config.experimental``'s device listing and memory growth, as scripts from TF 1.14 on open."""
    gpus = tf.config.experimental.list_physical_devices("GPU")
    assert gpus == tf.config.list_physical_devices("gpu") and len(gpus) == minidl.backend.cuda_device_count()
    assert [d.name for d in tf.config.list_physical_devices()] == \
        ["/physical_device:CPU:0"] + [f"/physical_device:GPU:{i}" for i in range(len(gpus))]
    assert tf.config.list_logical_devices("CPU")[0].name == "/device:CPU:0"
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, True)
        assert tf.config.experimental.get_memory_growth(gpu)
    with pytest.raises(ValueError, match="Cannot set memory growth on non-GPU devices"):
        tf.config.experimental.set_memory_growth(tf.config.list_physical_devices("CPU")[0], True)
    assert tf.test.is_built_with_cuda() == (minidl.backend.cupy_or_none() is not None)
    options = tf.OptimizerOptions(do_constant_folding=False)
    config = tf.ConfigProto(graph_options=tf.GraphOptions(optimizer_options=options))
    config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1  # XLA's line: kept
    assert config.graph_options.optimizer_options.global_jit_level == 1
    assert tf.ConfigProto().graph_options.optimizer_options.global_jit_level == tf.OptimizerOptions.DEFAULT


def test_a_device_function_places_each_op_and_the_model_still_saves(tmp_path):
    """The multi-GPU examples' ``assign_to_device``: a function given to ``tf.device`` is called with each op (it
    reads ``op.node_def.op``) and its answer is the op's device."""
    def assign_to_device(device, ps_device="/cpu:0"):
        def assign(op):
            node_def = op if isinstance(op, tf.NodeDef) else op.node_def
            return ps_device if node_def.op in ("Variable", "VariableV2") else device
        return assign
    with tf.device(assign_to_device("/gpu:0")):
        w = tf.Variable(tf.ones([2, 2]))
        y = tf.matmul(w, w)
    assert (w.op.device, y.op.device, y.op.node_def.op, y.op.node_def.name) == ("/device:CPU:0", "/device:GPU:0",
                                                                                "MatMul", y.op.name)
    with tf.device(lambda op: None):
        assert tf.constant(1.0).op.device == ""
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y).tolist() == [[2.0, 2.0], [2.0, 2.0]]
        tf.train.Saver().save(sess, str(tmp_path / "model"))


def test_the_devices_are_listed_and_gpus_can_be_hidden(monkeypatch):
    """``sess.list_devices()``, ``device_lib.list_local_devices()`` and ``set_visible_devices([], "GPU")``."""
    from minidl.graph import config
    from minidl.graph.python.client import device_lib
    gpus = minidl.backend.cuda_device_count()
    local = device_lib.list_local_devices()
    assert [d.name for d in local] == ["/device:CPU:0"] + [f"/device:GPU:{i}" for i in range(gpus)]
    assert all(d.memory_limit > 0 for d in local) and local[0].device_type == "CPU"
    listed = tf.Session().list_devices()
    assert listed[0].name == "/job:localhost/replica:0/task:0/device:CPU:0" and listed[0].memory_limit_bytes > 0
    monkeypatch.setattr(config, "_hidden_types", set())  # (the setting is the process's: restored after the test)
    tf.config.experimental.set_visible_devices([], "GPU")
    assert tf.config.experimental.get_visible_devices("GPU") == [] and len(device_lib.list_local_devices()) == 1
    assert tf.Session()._device.type == "cpu"
    tf.config.experimental.set_visible_devices(tf.config.list_physical_devices())
    assert len(tf.config.experimental.get_visible_devices("GPU")) == gpus


def test_log_device_placement_logs_each_operation_once_as_tf1(capsys):
    """The first snippet of TF's "Using GPUs" guide: the device mapping, then each op's device, to stderr."""
    a, b = tf.constant([1.0, 2.0], name="a"), tf.constant([3.0, 4.0], name="b")
    c = tf.multiply(a, b, name="c")
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        assert sess.run(c).tolist() == [3.0, 8.0] and sess.run(c).tolist() == [3.0, 8.0]
    log = capsys.readouterr().err.splitlines()
    device = "GPU" if cuda_is_available() else "CPU"
    assert log[0].startswith("Device mapping:") and log[-3:] == [
        f"{name}: ({kind}): /job:localhost/replica:0/task:0/device:{device}:0"
        for name, kind in (("a", "Const"), ("b", "Const"), ("c", "Mul"))]
    with tf.Session() as sess:
        sess.run(c)
    assert capsys.readouterr().err == ""


def test_tf_layers_take_an_activation_by_name():
    x = tf.placeholder(tf.float32, [None, 3])
    assert tf.layers.dense(x, 2, activation="relu").op.type == "Relu"
    out = run(tf.layers.dense(x, 2, activation="tanh", kernel_initializer=tf.ones_initializer()), {x: [[1, 2, 3]]},
              initialize_variables=True)
    np.testing.assert_allclose(out, np.tanh([[6.0, 6.0]]), rtol=1e-6)
    with pytest.raises(ValueError, match="Unknown activation function: 'relux'"):
        tf.layers.dense(x, 2, activation="relux")

def test_config_proto_keeps_the_options_tf_programs_pass():
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False,
                            gpu_options=tf.GPUOptions(allow_growth=True, per_process_gpu_memory_fraction=0.5),
                            intra_op_parallelism_threads=2)
    assert config.allow_soft_placement and config.gpu_options.allow_growth
    assert config.gpu_options.per_process_gpu_memory_fraction == 0.5 and config.intra_op_parallelism_threads == 2
    assert config.allows_gpu and not tf.ConfigProto(device_count={"GPU": 0}).allows_gpu
    with tf.Session(config=config) as sess:
        assert sess.run(tf.constant(2.0) * 3) == 6.0


@pytest.mark.parametrize("config, on_cpu", [(None, not cuda_is_available()),
                                            (tf.ConfigProto(device_count={"GPU": 0}), True)])
def test_device_count_gpu_0_keeps_the_session_on_the_cpu(config, on_cpu):
    with tf.Session(config=config) as sess:
        assert (sess._xp is np) == on_cpu


def test_tf_device_records_the_device_on_the_ops_made_inside(graph):
    """In TF1's spelling ("/cpu:0" reads "/device:CPU:0"), the inner scope's fields replacing the outer's."""
    with tf.device("/cpu:0"):
        a = tf.constant(1.0)
        with tf.device("/gpu:0"):
            b = a + 1
    c = b * 2
    assert (a.op.device, b.op.device, c.op.device) == ("/device:CPU:0", "/device:GPU:0", "")
    with tf.device("/job:ps/task:1"), tf.device("cpu:0"):
        assert tf.constant(1.0).op.device == "/job:ps/task:1/device:CPU:0"
    with tf.device("/device:GPU:1"), tf.device(None):
        assert tf.constant(1.0).op.device == ""
    assert run(c) == 4.0  # placement is recorded, and the program still runs on the one device there is


# -------------------------------------------------------------------------------- compat.v1 and logging

def test_compat_v1_is_the_module_and_the_v2_switches_are_accepted():
    v1 = tf.compat.v1
    assert v1 is tf and v1.placeholder is tf.placeholder
    assert v1.disable_v2_behavior() is None and v1.disable_eager_execution() is None
    assert tf.executing_eagerly() is False
    assert isinstance(tf.__version__, str)
    with pytest.raises(NotImplementedError, match="static graphs only .* use minidl.eager"):
        tf.enable_eager_execution()  # (the first line of TF 1.x's eager tutorials: an AttributeError before)


def test_tf_logging_writes_through_python_logging(caplog):
    tf.logging.set_verbosity(tf.logging.INFO)
    assert tf.logging.get_verbosity() == logging.INFO
    with caplog.at_level(logging.INFO, logger="minidl.graph"):
        tf.logging.info("step %d", 7)
        tf.logging.debug("not shown at INFO")
    assert [r.getMessage() for r in caplog.records] == ["step 7"]
    tf.logging.set_verbosity(tf.logging.WARN)


def test_tf_logging_prints_each_line_once_with_or_without_a_logging_setup():
    """Unconfigured, tf.logging prints by itself (as TF1 did); once the program calls basicConfig, the root's
    handler prints the line and ours stays quiet, so no line appears twice."""
    import subprocess
    import sys
    script = ("import minidl.graph as tf, logging\n"
              "tf.logging.set_verbosity(tf.logging.INFO)\n"
              "tf.logging.info('before setup')\n"
              "logging.basicConfig(level=logging.INFO, format='root: %(message)s')\n"
              "tf.logging.info('after setup')\n")
    run_ = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run_.returncode == 0, run_.stderr
    assert run_.stderr.splitlines() == ["before setup", "root: after setup"]


# --------------------------------------------------------------------------------------------- clipping

def _norm(*arrays):
    return float(np.sqrt(sum(np.sum(np.square(a, dtype=np.float64)) for a in arrays)))


def test_clip_by_global_norm_scales_every_tensor_by_one_factor():
    a, b = np.array([[3.0, 0.0], [0.0, 4.0]], np.float32), np.array([12.0], np.float32)  # global norm 13
    (ca, cb, none), norm = tf.clip_by_global_norm([tf.constant(a), tf.constant(b), None], 6.5)
    assert none is None
    ca, cb, norm = run([ca, cb, norm])
    assert norm == pytest.approx(13.0)
    np.testing.assert_allclose(ca, a / 2, rtol=1e-6)
    np.testing.assert_allclose(cb, b / 2, rtol=1e-6)
    unchanged, _ = tf.clip_by_global_norm([tf.constant(a)], 100.0)
    np.testing.assert_array_equal(run(unchanged[0]), a)


def test_clip_by_global_norm_of_an_infinite_norm_is_nan_as_in_tensorflow():
    clipped, norm = tf.clip_by_global_norm([tf.constant([np.inf, 1.0], dtype=tf.float32)], 1.0)
    values, norm = run([clipped[0], norm])
    assert np.isinf(norm) and np.isnan(values).all()


def test_clip_by_norm_over_all_entries_and_along_axes():
    t = np.array([[3.0, 4.0], [0.3, 0.4]], np.float32)
    whole, rows = run([tf.clip_by_norm(t, 2.5), tf.clip_by_norm(t, 2.5, axes=[1])])
    assert _norm(whole) == pytest.approx(2.5, rel=1e-6)
    np.testing.assert_allclose(rows, [[1.5, 2.0], [0.3, 0.4]], rtol=1e-6)  # only the long row shrinks


def test_global_norm_and_the_clipped_gradients_match_numpy_and_central_differences():
    rng = np.random.default_rng(0)
    w0, x0 = rng.standard_normal((3, 2)), rng.standard_normal((4, 3))
    w = tf.Variable(w0)
    loss = tf.reduce_sum(tf.square(tf.matmul(tf.constant(x0), w)))
    (grad,) = tf.gradients(loss, [w])
    (clipped,), norm = tf.clip_by_global_norm([grad], 1.0)
    # the clipped gradient's own gradient: d/dw sum(clipped * v) must match central differences
    v = rng.standard_normal((3, 2))
    (second,) = tf.gradients(tf.reduce_sum(clipped * v), [w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        g, c, n, s = sess.run([grad, clipped, norm, second])
        np.testing.assert_allclose(g, 2 * x0.T @ (x0 @ w0), rtol=1e-10)
        assert n == pytest.approx(_norm(g)) and _norm(c) == pytest.approx(1.0)
        assert sess.run(tf.global_norm([grad, grad])) == pytest.approx(np.sqrt(2) * _norm(g))
        numeric = np.zeros_like(w0)
        for index in np.ndindex(*w0.shape):
            values = []
            for step in (1e-6, -1e-6):
                moved = w0.copy()
                moved[index] += step
                w.load(moved, sess)
                values.append(float(np.sum(sess.run(clipped) * v)))
            numeric[index] = (values[0] - values[1]) / 2e-6
        np.testing.assert_allclose(s, numeric, rtol=1e-5, atol=1e-8)


def test_clipping_refuses_what_tensorflow_refuses():
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        tf.clip_by_global_norm(tf.constant([1.0]), 1.0)
    with pytest.raises(ValueError, match="holds no tensors"):
        tf.global_norm([None, None])
    with pytest.raises(TypeError, match="DataType int32 not in list"):
        tf.clip_by_norm(tf.constant([1, 2]), 1)


# ------------------------------------------------------------------------------------ what run() returns

def test_run_returns_numpy_scalars_for_0d_values_and_arrays_otherwise():
    v = tf.Variable(2.0)
    scalar, product, vector = run([tf.constant(1.5), v * 1, tf.constant([1.0, 2.0])], initialize_variables=True)
    assert isinstance(scalar, np.float32) and isinstance(product, np.float32)
    assert (scalar, product) == (1.5, 2.0)
    assert isinstance(vector, np.ndarray) and vector.shape == (2,)


def test_static_dims_answer_value_as_tf1_dimensions_do():
    x = tf.placeholder(tf.float32, [None, 3])
    depth = x.get_shape()[-1]
    assert isinstance(depth, tf.Dimension) and depth.value == 3 and depth == 3 and depth * 2 == 6
    assert x.get_shape()[0] is None and tf.compat.dimension_value(x.get_shape()[0]) is None
    assert tf.compat.dimension_value(depth) == 3
    assert [type(d) for d in x.get_shape().as_list()] == [type(None), int]


def test_an_array_beside_a_tensor_takes_the_tensors_dtype_as_tf_converts_it():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(tf.ones([3, 2]))
    centered = x - np.array([0.5, 0.5, 0.5])  # numpy's float64 mean: still float32, so the matmul accepts it
    product = tf.matmul(centered, w)
    assert centered.dtype == tf.float32 and (x * [1, 2, 3]).dtype == tf.float32
    assert (tf.constant([1, 2]) + np.array([3, 4])).dtype == tf.int32
    assert run(product, {x: np.ones((1, 3))}, initialize_variables=True).tolist() == [[1.5, 1.5]]


def test_shape_slices_saver_steps_and_string_refusals(tmp_path):
    x = tf.placeholder(tf.float32, [None, 4, 5])
    tail = x.get_shape()[1:]
    assert isinstance(tail, tf.TensorShape) and tail.num_elements() == 20 and tail.as_list() == [4, 5]
    with pytest.raises(TypeError, match="has DataType string not in list of allowed values"):
        tf.less(tf.placeholder(tf.string, [None]), "pos")
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "model"), global_step=sess.run(step))  # a numpy integer step
    assert path.endswith("model-0") and tf.train.latest_checkpoint(str(tmp_path)) == path
