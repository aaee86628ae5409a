"""TF1 APIs a sweep of classic TF1 programs found missing or different (session 18)."""
import math

import numpy
import pytest

import minidl.graph as tf

from .numeric_gradients import check_gradients


def test_print_first_n_prints_only_the_first_runs_of_each_session(capsys):
    x = tf.constant([1.0, 2.0])
    y = tf.Print(x, [x], message="x: ", first_n=2)
    always = tf.Print(x, [x], message="always: ")
    with tf.Session() as sess:
        for _ in range(4):
            numpy.testing.assert_array_equal(sess.run([y, always])[0], [1.0, 2.0])
    err = capsys.readouterr().err
    assert err.count("x: [1 2]") == 2 and err.count("always: [1 2]") == 4
    with tf.Session() as sess:  # a new session counts again
        sess.run(y)
    assert capsys.readouterr().err.count("x: ") == 1


def test_make_callable_runs_fetches_with_positional_feeds():
    a, b = tf.placeholder(tf.float32, []), tf.placeholder(tf.float32, [])
    with tf.Session() as sess:
        add = sess.make_callable(a + b, [a, b])
        assert add(1.0, 2.0) == 3.0 and add(5.0, -1.0) == 4.0
        both = sess.make_callable([a * 2, b], feed_list=[a, b], accept_options=True)
        assert both(2.0, 7.0, options=tf.RunOptions()) == [4.0, 7.0]
        with pytest.raises(TypeError, match="2 feeds was given 1"):
            add(1.0)


def test_checkpoint_utilities(tmp_path):
    with tf.variable_scope("net"):
        tf.get_variable("w", initializer=numpy.arange(6.0, dtype=numpy.float32).reshape(2, 3))
    saver = tf.train.Saver(write_version=tf.train.SaverDef.V2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "model"), global_step=3)
    reader = tf.train.load_checkpoint(str(tmp_path))  # a directory: its latest checkpoint
    numpy.testing.assert_array_equal(reader.get_tensor("net/w"), numpy.arange(6.0).reshape(2, 3))
    assert tf.contrib.framework.list_variables(str(tmp_path)) == [("net/w", [2, 3])]
    numpy.testing.assert_array_equal(tf.contrib.framework.load_variable(str(tmp_path), "net/w"), reader.get_tensor(
        "net/w"))
    assert tf.contrib.framework.init_from_checkpoint is tf.train.init_from_checkpoint


def test_he_and_lecun_initializers_have_their_variance():
    shape = [400, 300]
    with tf.Session() as sess:
        he = sess.run(tf.initializers.he_normal(seed=1)(shape))
        lecun = sess.run(tf.initializers.lecun_uniform(seed=2)(shape))
    assert he.std() == pytest.approx(math.sqrt(2 / 400), rel=0.03)
    assert numpy.abs(lecun).max() <= math.sqrt(3 / 400) and lecun.std() == pytest.approx(math.sqrt(1 / 400), rel=0.03)
    assert tf.keras.initializers.he_uniform is tf.initializers.he_uniform


def test_special_functions_and_their_gradients():
    a, x = numpy.array([0.5, 2.0, 3.0]), numpy.array([1.0, 1.5, 4.0])
    with tf.Session() as sess:
        lower, upper, xlogy, lbeta, i0e = sess.run([
            tf.igamma(a, x), tf.math.igammac(a, x), tf.math.xlogy([0.0, 2.0], [0.0, 3.0]),
            tf.lbeta([[1.0, 2.0], [0.5, 0.5]]), tf.math.bessel_i0e([0.0, 1.0])])
    assert lower[0] == pytest.approx(math.erf(1.0), rel=1e-6)  # P(1/2, x) = erf(√x)
    assert lower[1] == pytest.approx(1 - math.exp(-1.5) * 2.5, rel=1e-6)  # P(2, x) = 1 - e^-x (1 + x)
    numpy.testing.assert_allclose(lower + upper, 1.0, rtol=1e-6)
    numpy.testing.assert_allclose(xlogy, [0.0, 2 * math.log(3.0)], rtol=1e-6)
    numpy.testing.assert_allclose(lbeta, [math.log(0.5), math.log(math.pi)], rtol=1e-6)  # B(1,2)=1/2, B(½,½)=π
    assert i0e[0] == 1.0 and i0e[1] == pytest.approx(0.4657596, rel=1e-6)
    check_gradients(lambda v: tf.igamma(tf.constant(a), v), x)
    check_gradients(lambda v: tf.lbeta(v), numpy.array([[1.5, 2.0, 0.7]]))


def test_array_helpers_on_tensorflows_documented_examples():
    with tf.Session() as sess:
        shapes = sess.run(tf.shape_n([tf.zeros([2, 3]), tf.zeros([4])]))
        assert [s.tolist() for s in shapes] == [[2, 3], [4]]
        saturated = sess.run(tf.saturate_cast(tf.constant([300.0, -5.0, 3.7]), tf.uint8))
        assert saturated.tolist() == [255, 0, 3]  # a plain cast would wrap 300 to 44
        assert sess.run(tf.invert_permutation([3, 4, 0, 2, 1])).tolist() == [2, 4, 3, 0, 1]
        assert sess.run(tf.unravel_index([22, 41, 37], [7, 6])).tolist() == [[3, 6, 6], [4, 5, 1]]
        assert sess.run(tf.unravel_index(22, [7, 6])).tolist() == [3, 4]
        clipped = sess.run(tf.clip_by_average_norm(tf.constant([[3.0, 4.0]]), 1.0))  # average norm 5 / 2 = 2.5
        numpy.testing.assert_allclose(clipped, [[1.2, 1.6]], rtol=1e-6)
        layer = tf.nn.relu_layer(tf.constant([[1.0, -2.0], [2.0, 1.0]]), tf.constant([[1.0], [1.0]]), [0.5])
        assert sess.run(layer).tolist() == [[0.0], [3.5]]


def test_tf_layers_objects_have_the_layer_api():
    x = tf.placeholder(tf.float32, [None, 3])
    norm = tf.layers.BatchNormalization()
    y = norm(x, training=True)
    dense = tf.layers.Dense(2, kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1))
    z = dense(y)
    assert len(norm.updates) == 2 and dense.updates == []  # the moving mean and variance
    assert len(dense.losses) == 1 and dense.count_params() == 8
    assert dense.input is y and dense.output is z
    with pytest.raises(AttributeError):
        tf.layers.Dense(1).input
    with tf.control_dependencies(norm.updates):
        train = tf.identity(z)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = dense.get_weights()
        assert kernel.shape == (3, 2) and bias.tolist() == [0.0, 0.0]
        dense.set_weights([numpy.ones((3, 2)), numpy.full(2, 0.5)])
        sess.run(train, {x: numpy.ones((4, 3))})
        assert sess.run(dense.bias).tolist() == [0.5, 0.5]
        assert sess.run(norm.moving_mean).tolist() == pytest.approx([0.01, 0.01, 0.01])  # momentum 0.99 toward 1


def test_indexed_slices_densify_where_a_tensor_is_expected():
    rows = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), tf.constant([0, 2, 0]),
                            tf.constant([4, 2]))
    assert rows.dtype == tf.float32
    with tf.Session() as sess:
        assert sess.run(tf.convert_to_tensor(rows)).tolist() == [[6.0, 8.0], [0.0, 0.0], [3.0, 4.0], [0.0, 0.0]]
    with pytest.raises(ValueError, match="dense_shape is unknown"):
        tf.convert_to_tensor(tf.IndexedSlices(tf.ones([1, 2]), [0]))


def test_the_mnist_tutorials_input_data_reads_local_files_and_batches_across_epochs(tmp_path):
    from tests.test_mnist_idx import idx_bytes, write
    rng = numpy.random.default_rng(0)
    for kind, count in (("train", 12), ("t10k", 4)):
        write(tmp_path / f"{kind}-images-idx3-ubyte.gz", idx_bytes(rng.integers(0, 256, (count, 28, 28),
                                                                                  dtype=numpy.uint8)), True)
        write(tmp_path / f"{kind}-labels-idx1-ubyte.gz", idx_bytes(numpy.arange(count, dtype=numpy.uint8) % 10),
              True)
    scope = {}
    exec("from minidl.graph.examples.tutorials.mnist import input_data", scope)
    mnist = scope["input_data"].read_data_sets(str(tmp_path), one_hot=True, validation_size=2, seed=3)
    assert mnist.train.num_examples == 10 and mnist.validation.num_examples == 2 and mnist.test.num_examples == 4
    assert mnist.train.images.shape == (10, 784) and mnist.train.images.dtype == numpy.float32
    assert mnist.train.images.max() <= 1.0 and mnist.train.labels.shape == (10, 10)
    seen = []
    for _ in range(3):  # 4 + 4, then 2 left in the epoch and 2 from the next one
        images, labels = mnist.train.next_batch(4)
        assert images.shape == (4, 784) and labels.shape == (4, 10)
        seen.append(labels.argmax(1))
    assert sorted(numpy.concatenate(seen)[:10].tolist()) == sorted((numpy.arange(2, 12) % 10).tolist())
    assert mnist.train.epochs_completed == 1
    with pytest.raises(FileNotFoundError, match="never downloads"):
        scope["input_data"].read_data_sets(str(tmp_path / "missing"))


def test_app_run_passes_unknown_flags_on():
    from minidl.graph.flags import FlagValues, UnrecognizedFlagError
    flags = FlagValues()  # (tf.app.run parses the program's own FLAGS this way)
    flags._define("steps", 1, "", int, "int")
    assert flags(["prog", "--steps=4", "--unknown=1", "x"], known_only=True) == ["prog", "--unknown=1", "x"]
    assert flags.steps == 4
    with pytest.raises(UnrecognizedFlagError, match="Unknown command line flag"):
        flags(["prog", "--unknown=1"])


def test_padded_batch_of_scalar_strings_gives_bytes():
    dataset = tf.data.Dataset.from_tensor_slices([b"a", b"bb"]).padded_batch(2, padded_shapes=[])
    with tf.Session() as sess:
        batch = sess.run(dataset.make_one_shot_iterator().get_next())
    assert batch.tolist() == [b"a", b"bb"] and batch[0].decode() == "a"


def test_tf_layers_conv3d_and_3d_pooling():
    rng = numpy.random.default_rng(0)
    volumes = rng.standard_normal((2, 4, 5, 6, 2)).astype(numpy.float32)
    x = tf.placeholder(tf.float32, [None, 4, 5, 6, 2])
    same = tf.layers.conv3d(x, 3, 2, strides=(1, 2, 1), padding="same", activation=tf.nn.relu)
    valid = tf.layers.Conv3D(3, 2, use_bias=False, name="valid3d")(x)
    pooled, averaged = tf.layers.max_pooling3d(same, 2, 2), tf.layers.AveragePooling3D(2, 1)(same)
    assert same.shape.as_list() == [None, 4, 3, 6, 3] and valid.shape.as_list() == [None, 3, 4, 5, 3]
    assert pooled.shape.as_list() == [None, 2, 1, 3, 3] and averaged.shape.as_list() == [None, 3, 2, 5, 3]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, kernel, maxima = sess.run([valid, tf.get_default_graph().get_tensor_by_name("valid3d/kernel:0"),
                                        pooled], {x: volumes})
        features = sess.run(same, {x: volumes})
    expected = numpy.zeros((2, 3, 4, 5, 3), numpy.float32)  # the cross-correlation, by hand
    for d, h, w in numpy.ndindex(2, 2, 2):
        expected += numpy.einsum("bdhwc,cf->bdhwf", volumes[:, d:d + 3, h:h + 4, w:w + 5], kernel[d, h, w])
    numpy.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    assert maxima[1, 0, 0, 1, 2] == features[1, :2, :2, 2:4, 2].max()


def test_an_rnn_cell_has_its_name_before_and_after_its_first_call():
    named, default = tf.nn.rnn_cell.LSTMCell(3, name="enc"), tf.nn.rnn_cell.GRUCell(2)
    assert named.name == "enc" and default.name == "gru_cell"
    inputs = tf.zeros([1, 4])
    tf.nn.rnn_cell.GRUCell(2)(inputs, tf.zeros([1, 2]))
    default(inputs, tf.zeros([1, 2]))  # the second GRU cell's scope is made unique
    assert default.name == "gru_cell_1"


def test_custom_getters_change_what_get_variable_returns_and_nest():
    def as_float16(getter, name, *args, **kwargs):
        return tf.cast(getter(name, *args, **kwargs), tf.float16)

    with tf.variable_scope("half", custom_getter=as_float16):
        weights = tf.get_variable("w", [2], initializer=tf.ones_initializer())
    assert weights.dtype == tf.float16 and [v.name for v in tf.global_variables()] == ["half/w:0"]
    # the EMA-evaluation idiom: the same variables, read through their moving averages
    with tf.variable_scope("model"):
        v = tf.get_variable("v", initializer=1.0)
    ema = tf.train.ExponentialMovingAverage(0.5)
    update = ema.apply([v])
    with tf.variable_scope("model", reuse=True, custom_getter=lambda get, name, *a, **k: ema.average(
            get(name, *a, **k))):
        averaged = tf.get_variable("v")
    assert averaged.name == "model/v/ExponentialMovingAverage:0"
    order = []

    def tracer(label):
        def getter(get, name, *args, **kwargs):
            order.append(label)
            return get(name, *args, **kwargs)
        return getter

    with tf.variable_scope("outer", custom_getter=tracer("outer")):
        with tf.variable_scope("inner", custom_getter=tracer("inner")):
            tf.get_variable("z", [1])
    assert order == ["inner", "outer"]  # the inner getter wraps the outer one, as in TF
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(weights).tolist() == [1.0, 1.0]
        sess.run(update)
        assert sess.run(averaged) == 1.0


def test_keras_trains_a_model_nested_in_another_with_its_batch_norm_updates():
    keras = tf.keras
    base = keras.Sequential([keras.layers.Dense(4, input_dim=3), keras.layers.BatchNormalization()])
    model = keras.Sequential([base, keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(numpy.ones((8, 3)), numpy.ones((8, 1)), epochs=2, verbose=0)  # fed: the outer input only
    assert len(history.history["loss"]) == 2
    assert len(model.updates) == 2 and len(base.updates) == 2  # each model's own moving-average updates
    moving_mean = keras.backend.get_value(base.layers[1].moving_mean)
    assert numpy.abs(moving_mean).sum() > 0  # the nested layer's statistics moved during training
    K = keras.backend
    assert K.variable(numpy.array([0.5, 2.0])).dtype == tf.float32 and K.constant(1).dtype == tf.float32
    assert K.variable(numpy.ones(2), dtype="float64").dtype == tf.float64
    assert K.expand_dims(tf.zeros([2, 3])).shape.as_list() == [2, 3, 1]


def test_keras_validation_data_starts_again_each_epoch():
    keras = tf.keras
    x = numpy.random.default_rng(0).standard_normal((40, 3)).astype(numpy.float32)
    y = x.sum(1, keepdims=True)
    train = tf.data.Dataset.from_tensor_slices((x, y)).batch(10)
    validation = tf.data.Dataset.from_tensor_slices((x[:20], y[:20])).batch(10)  # exactly validation_steps
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    history = model.fit(train.repeat(), steps_per_epoch=4, epochs=3, validation_data=validation,
                        validation_steps=2, verbose=0)
    assert len(history.history["val_loss"]) == 3 and model.history is history


def test_keras_optimizers_older_interface_trains_a_k_function_loop():
    keras = tf.keras
    K = keras.backend
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    x, y = K.placeholder((None, 3)), K.placeholder((None, 1))
    loss = K.mean(K.square(model(x) - y))
    optimizer = keras.optimizers.Adam(0.1)
    train = K.function([x, y], [loss], updates=optimizer.get_updates(loss=loss, params=model.trainable_weights))
    data = numpy.random.default_rng(0).standard_normal((16, 3)).astype(numpy.float32)
    losses = [train([data, data.sum(1, keepdims=True)])[0] for _ in range(30)]
    assert losses[-1] < 0.1 * losses[0]
    assert len(optimizer.get_gradients(loss, model.trainable_weights)) == 2
    assert len(optimizer.get_weights()) == len(optimizer.weights) > 2  # two moments per weight, the step, the rate
    config = optimizer.get_config()
    assert config["name"] == "Adam" and keras.optimizers.Adam.from_config(config).get_config() == config


def test_keras_bidirectional_returns_both_directions_states_and_merges_to_a_list():
    keras = tf.keras
    inputs = keras.layers.Input((5, 3))
    output, forward_h, forward_c, backward_h, backward_c = keras.layers.Bidirectional(
        keras.layers.LSTM(4, return_state=True))(inputs)
    assert output.shape.as_list() == [None, 8] and backward_c.shape.as_list() == [None, 4]
    first, second = keras.layers.Bidirectional(keras.layers.GRU(2, return_sequences=True), merge_mode=None)(inputs)
    assert first.shape.as_list() == [None, 5, 2] == second.shape.as_list()
    x = numpy.random.default_rng(0).standard_normal((3, 5, 3)).astype(numpy.float32)
    run = keras.backend.function([inputs], [output, forward_h, backward_h])
    merged, h_forward, h_backward = run([x])
    # an LSTM's output is its last h: the concatenated output is the two directions' final h
    numpy.testing.assert_allclose(merged, numpy.concatenate([h_forward, h_backward], 1), rtol=1e-6)
