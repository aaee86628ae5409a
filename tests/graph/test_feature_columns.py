"""tf.feature_column beyond numeric_column: bucketized, categorical (identity, vocabulary list, hash bucket,
crossed), indicator and embedding columns, input_layer, linear_model, tables_initializer — each column's dense
output against a numpy reference, and a premade Estimator trained on such columns."""
import hashlib

import numpy
import pytest

import minidl.graph as tf

fc = tf.feature_column


def run(fetches, init=False):
    with tf.Session() as sess:
        if init:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        return sess.run(fetches)


def one_hot(ids, depth):
    """numpy: multi-hot counts of the ids of each row (ids < 0 count nothing)."""
    out = numpy.zeros((len(ids), depth), numpy.float32)
    for row, values in enumerate(ids):
        for value in values:
            if value >= 0:
                out[row, value] += 1
    return out


def blake_bucket(value, size):
    """The documented hash, computed independently: 8-byte BLAKE2b of the value's bytes, little-endian, mod size."""
    data = value.encode() if isinstance(value, str) else str(value).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little") % size


# ============================================================================================= bucketized

def test_bucketized_column_puts_a_value_equal_to_a_boundary_in_the_upper_bucket():
    x = numpy.array([-1.0, 0.0, 0.5, 1.0, 1.999, 2.0, 7.0], numpy.float32)
    column = fc.bucketized_column(fc.numeric_column("x"), [0, 1, 2])
    assert column.name == "x_bucketized" and column.num_buckets == 4
    for feature in (x, x[:, None]):  # [batch] and [batch, 1]
        value = run(fc.input_layer({"x": tf.constant(feature)}, [column]))
        numpy.testing.assert_array_equal(value, numpy.eye(4)[[0, 1, 1, 2, 2, 3, 3]])


def test_bucketized_column_of_a_two_value_source_and_its_ids():
    x = numpy.array([[5.0, 30.0], [18.0, 17.9]], numpy.float32)
    column = fc.bucketized_column(fc.numeric_column("x", shape=2), [18.0, 25.0])
    buckets = numpy.searchsorted([18.0, 25.0], x, side="right")  # numpy's "right": x == boundary goes up
    dense, ids = run([fc.input_layer({"x": tf.constant(x)}, [column]), column.ids({"x": tf.constant(x)})])
    numpy.testing.assert_array_equal(dense, numpy.eye(3)[buckets].reshape(2, 6))
    numpy.testing.assert_array_equal(ids, buckets + [0, 3])  # the second value's ids come after the first's
    assert column.num_buckets == 6


def test_bucketized_column_checks_its_arguments():
    with pytest.raises(ValueError, match="must be a column generated with numeric_column"):
        fc.bucketized_column("x", [1])
    with pytest.raises(ValueError, match="one-dimensional"):
        fc.bucketized_column(fc.numeric_column("x", shape=(2, 2)), [1])
    for boundaries in ([2, 1], [1, 1], 3):
        with pytest.raises(ValueError, match="boundaries must be a sorted list"):
            fc.bucketized_column(fc.numeric_column("x"), boundaries)
    with pytest.raises(ValueError, match="boundaries must not be empty"):
        fc.bucketized_column(fc.numeric_column("x"), [])


# ============================================================================================= identity

def test_identity_column_with_missing_entries_and_a_default_for_out_of_range_ids():
    n = numpy.array([[0, 2], [4, -1], [-1, -1], [7, -3]])
    with_default = fc.categorical_column_with_identity("n", 5, default_value=1)
    dense = run(fc.input_layer({"n": tf.constant(n, tf.int32)}, [fc.indicator_column(with_default)]))
    numpy.testing.assert_array_equal(dense, one_hot([[0, 2], [4, -1], [-1, -1], [1, 1]], 5))
    strict = fc.categorical_column_with_identity("n", 5)
    dense = run(fc.input_layer({"n": tf.constant([3, -1, 0])}, [fc.indicator_column(strict)]))  # [batch]
    numpy.testing.assert_array_equal(dense, one_hot([[3], [-1], [0]], 5))
    for bad in ([5], [-2]):  # TF: an id out of range fails the run when there is no default
        with pytest.raises(tf.errors.InvalidArgumentError, match="ids must be in"):
            run(fc.input_layer({"n": tf.constant(bad)}, [fc.indicator_column(strict)]))


def test_identity_column_checks_its_arguments_and_input():
    with pytest.raises(ValueError, match="num_buckets 0 < 1"):
        fc.categorical_column_with_identity("n", 0)
    with pytest.raises(ValueError, match=r"default_value 5 not in range \[0, 5\)"):
        fc.categorical_column_with_identity("n", 5, default_value=5)
    with pytest.raises(ValueError, match="key must be a string"):
        fc.categorical_column_with_identity(1, 5)
    column = fc.indicator_column(fc.categorical_column_with_identity("n", 5))
    with pytest.raises(ValueError, match="dtype must be compatible"):
        fc.input_layer({"n": tf.constant(["a"])}, [column])
    with pytest.raises(ValueError, match="must be string or integer"):
        fc.input_layer({"n": tf.constant([1.0])}, [column])
    with pytest.raises(ValueError, match=r"must be \[batch\] or \[batch, n\]"):
        fc.input_layer({"n": tf.zeros([2, 2, 2], tf.int64)}, [column])
    with pytest.raises(ValueError, match="'m' of categorical_column_with_identity is not in the features"):
        fc.input_layer({"n": tf.constant([1])}, [fc.indicator_column(fc.categorical_column_with_identity("m", 2))])


# ============================================================================================= vocabulary list

def test_vocabulary_list_with_oov_buckets_default_value_and_missing_entries():
    words = numpy.array([["b", "zebra"], ["", "a"], ["c", "yak"]])
    plain = fc.categorical_column_with_vocabulary_list("w", ["a", "b", "c"])  # OOV -> -1: counts nothing
    defaulted = fc.categorical_column_with_vocabulary_list("w", ["a", "b", "c"], default_value=0)
    hashed = fc.categorical_column_with_vocabulary_list("w", ("a", "b", "c"), num_oov_buckets=4)
    assert hashed.num_buckets == 7 and plain.num_buckets == 3
    features = {"w": tf.constant(words)}
    ids = run([plain.ids(features), defaulted.ids(features), hashed.ids(features)], init=True)
    numpy.testing.assert_array_equal(ids[0], [[1, -1], [-1, 0], [2, -1]])
    numpy.testing.assert_array_equal(ids[1], [[1, 0], [-1, 0], [2, 0]])
    numpy.testing.assert_array_equal(ids[2], [[1, 3 + blake_bucket("zebra", 4)], [-1, 0],
                                              [2, 3 + blake_bucket("yak", 4)]])
    dense = run(fc.input_layer(features, [fc.indicator_column(hashed)]))
    numpy.testing.assert_array_equal(dense, one_hot(ids[2], 7))


def test_integer_vocabulary_and_a_fed_string_feature():
    ints = fc.categorical_column_with_vocabulary_list("n", [10, 20, 30], dtype=tf.int32)
    numpy.testing.assert_array_equal(run(ints.ids({"n": tf.constant([30, 10, 11, -1])})), [[2], [0], [-1], [-1]])
    words = tf.placeholder(tf.string, [None])
    column = fc.indicator_column(fc.categorical_column_with_vocabulary_list("w", [b"x", "y"]))
    layer = fc.input_layer({"w": words}, [column])
    assert layer.shape.as_list() == [None, 2]
    with tf.Session() as sess:
        value = sess.run(layer, {words: numpy.array(["y", "x", "q"], object)})
    numpy.testing.assert_array_equal(value, [[0, 1], [1, 0], [0, 0]])


def test_vocabulary_list_checks_its_arguments_and_input():
    with pytest.raises(ValueError, match="must be non-empty"):
        fc.categorical_column_with_vocabulary_list("w", [])
    with pytest.raises(ValueError, match="Duplicate keys in vocabulary_list"):
        fc.categorical_column_with_vocabulary_list("w", ["a", "a"])
    with pytest.raises(ValueError, match="Can't specify both default_value 0 and num_oov_buckets 2"):
        fc.categorical_column_with_vocabulary_list("w", ["a"], default_value=0, num_oov_buckets=2)
    with pytest.raises(ValueError, match="Invalid num_oov_buckets -1"):
        fc.categorical_column_with_vocabulary_list("w", ["a"], num_oov_buckets=-1)
    with pytest.raises(ValueError, match="do not match"):
        fc.categorical_column_with_vocabulary_list("w", ["a"], dtype=tf.int64)
    with pytest.raises(ValueError, match="vocabulary dtype must be string or integer"):
        fc.categorical_column_with_vocabulary_list("w", [1.5, 2.5])
    column = fc.categorical_column_with_vocabulary_list("w", ["a"])
    with pytest.raises(ValueError, match="Column dtype and SparseTensors dtype must be compatible"):
        column.ids({"w": tf.constant([1])})


# ============================================================================================= hash bucket

def test_hash_bucket_is_a_stable_hash_of_strings_and_integers():
    column = fc.categorical_column_with_hash_bucket("w", 10)
    words = [["cat", "dog"], ["7", ""]]
    ids = run(column.ids({"w": tf.constant(words)}))
    numpy.testing.assert_array_equal(ids, [[blake_bucket("cat", 10), blake_bucket("dog", 10)],
                                           [blake_bucket("7", 10), -1]])
    numbers = fc.categorical_column_with_hash_bucket("n", 10, dtype=tf.int64)
    number_ids = run(numbers.ids({"n": tf.constant([7, -1, 123456789])}))
    # an integer hashes through its decimal digits, as TF hashes it through as_string
    numpy.testing.assert_array_equal(number_ids, [[ids[1, 0]], [-1], [blake_bucket(123456789, 10)]])
    with pytest.raises(ValueError, match="hash_bucket_size must be at least 1"):
        fc.categorical_column_with_hash_bucket("w", 0)
    with pytest.raises(ValueError, match="dtype must be string or integer"):
        fc.categorical_column_with_hash_bucket("w", 5, dtype=tf.float32)
    with pytest.raises(ValueError, match="must be compatible"):
        numbers.ids({"n": tf.constant(["a"])})


# ============================================================================================= crossed

def test_crossed_column_hashes_each_combination():
    age = fc.bucketized_column(fc.numeric_column("age"), [30])
    crossed = fc.crossed_column(["job", age], 1000)
    assert crossed.name == "age_bucketized_X_job" and crossed.num_buckets == 1000
    features = {"job": tf.constant([["dev", "ops"], ["dev", ""], ["", ""]]), "age": tf.constant([40.0, 50.0, 1.0])}
    ids = run(crossed.ids(features))
    assert ids.shape == (3, 2)
    assert ids[0, 0] == ids[1, 0] != ids[0, 1]  # the same (dev, 30+) combination, and a different one
    numpy.testing.assert_array_equal(ids[1:, 1], -1)  # a combination with a missing value is missing
    numpy.testing.assert_array_equal(ids[2], -1)
    assert numpy.all((ids[:2, :1] >= 0) & (ids[:2, :1] < 1000))
    dense = run(fc.input_layer(features, [fc.indicator_column(crossed)]))
    numpy.testing.assert_array_equal(dense.sum(1), [2, 1, 0])
    with pytest.raises(ValueError, match="keys must be a list with length > 1"):
        fc.crossed_column(["job"], 10)
    with pytest.raises(ValueError, match="hash_bucket_size must be > 1"):
        fc.crossed_column(["a", "b"], 0)
    with pytest.raises(ValueError, match="hash_bucket is not supported for crossing"):
        fc.crossed_column(["a", fc.categorical_column_with_hash_bucket("b", 5)], 10)


# ============================================================================================= embedding

IDS = numpy.array([[1, 2, 2], [3, -1, -1], [-1, -1, -1], [4, 1, -1]])


@pytest.mark.parametrize("combiner", ["mean", "sum", "sqrtn"])
def test_embedding_column_combines_the_rows_of_its_variable(combiner):
    column = fc.embedding_column(fc.categorical_column_with_identity("n", 5), 3, combiner=combiner)
    assert column.name == "n_embedding"
    layer = fc.input_layer({"n": tf.constant(IDS)}, [column])
    (table,) = tf.global_variables()
    assert table.name == "input_layer/n_embedding/embedding_weights:0" and table.shape.as_list() == [5, 3]
    assert table in tf.trainable_variables() and table in tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)
    value, weights = run([layer, table], init=True)
    expected = numpy.zeros((4, 3), numpy.float32)
    for row, ids in enumerate(IDS):
        ids = ids[ids >= 0]
        if len(ids):  # an example without ids stays zero
            scale = {"sum": 1, "mean": len(ids), "sqrtn": numpy.sqrt(len(ids))}[combiner]
            expected[row] = weights[ids].sum(0) / scale
    numpy.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-7)
    assert 0 < numpy.abs(weights).max() < 2 / numpy.sqrt(3)  # truncated normal, stddev 1/sqrt(dimension)


def test_gradient_reaches_only_the_rows_looked_up():
    initial = numpy.arange(18, dtype=numpy.float32).reshape(6, 3)
    column = fc.embedding_column(fc.categorical_column_with_identity("n", 6), 3, combiner="sum",
                                 initializer=tf.constant_initializer(initial))
    layer = fc.input_layer({"n": tf.constant(IDS)}, [column])  # ids 1..4 (row 0 is read for missing entries)
    (table,) = tf.global_variables()
    loss = tf.reduce_sum(layer)
    (grad,) = tf.gradients(loss, [table])
    step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gradient = sess.run(tf.convert_to_tensor(grad))  # (an IndexedSlices: the lookup's gradient)
        sess.run(step)
        after = sess.run(table)
    counts = numpy.bincount(IDS[IDS >= 0], minlength=6)[:, None]  # d(sum)/d(row) = how often it is used
    numpy.testing.assert_array_equal(gradient, numpy.broadcast_to(counts, (6, 3)))
    numpy.testing.assert_allclose(after, initial - 0.5 * counts)
    numpy.testing.assert_array_equal(after[[0, 5]], initial[[0, 5]])


def test_embedding_column_checks_its_arguments():
    ids = fc.categorical_column_with_identity("n", 5)
    with pytest.raises(ValueError, match="Invalid dimension 0"):
        fc.embedding_column(ids, 0)
    with pytest.raises(ValueError, match="combiner must be one of"):
        fc.embedding_column(ids, 2, combiner="max")
    with pytest.raises(ValueError, match="initializer must be callable"):
        fc.embedding_column(ids, 2, initializer=3)
    with pytest.raises(ValueError, match="Must specify both"):
        fc.embedding_column(ids, 2, ckpt_to_load_from="x")
    for wrapper in (fc.embedding_column, fc.indicator_column):
        with pytest.raises(ValueError, match="takes a categorical column"):
            wrapper(fc.numeric_column("x"), *([2] if wrapper is fc.embedding_column else []))


# ============================================================================================= input_layer

def test_input_layer_orders_the_dense_columns_by_name_and_refuses_bare_categorical_ones():
    features = {"z": tf.constant([1.0, 2.0]), "a": tf.constant([["p"], ["q"]])}
    words = fc.categorical_column_with_vocabulary_list("a", ["p", "q"])
    outputs = {}
    columns = [fc.numeric_column("z"), fc.indicator_column(words)]
    layer = fc.input_layer(features, columns, cols_to_output_tensors=outputs)
    numpy.testing.assert_array_equal(run(layer), [[1, 0, 1], [0, 1, 2]])  # a_indicator before z
    assert set(outputs) == set(columns)
    with pytest.raises(ValueError, match="Items of feature_columns must be a _DenseColumn. You can wrap"):
        fc.input_layer(features, [words])
    with pytest.raises(ValueError, match="features must be a dict"):
        fc.input_layer([1.0], columns)


def test_linear_model_weights_each_column_and_id():
    features = {"x": numpy.array([[1.0], [4.0]], numpy.float32), "w": numpy.array([["p", "q"], ["q", ""]])}
    bucketized = fc.bucketized_column(fc.numeric_column("x"), [2.0])
    words = fc.categorical_column_with_vocabulary_list("w", ["p", "q"])
    variables = {}
    for combiner in ("sum", "mean"):
        with tf.Graph().as_default():
            logits = fc.linear_model(features, [words, fc.numeric_column("x"), bucketized], units=2,
                                     sparse_combiner=combiner, cols_to_vars=variables)
            names = sorted(v.name for v in tf.global_variables())
            assert names == ["linear_model/bias_weights:0", "linear_model/w/weights:0", "linear_model/x/weights:0",
                             "linear_model/x_bucketized/weights:0"]
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                numpy.testing.assert_array_equal(sess.run(logits), numpy.zeros((2, 2)))  # all weights start at 0
                values = {}
                for column, (var,) in variables.items():
                    values[column] = numpy.random.RandomState(0).rand(*var.shape.as_list()).astype(numpy.float32)
                    var.load(values[column], sess)
                got = sess.run(logits)
        word_part = values[words][[0, 1]].sum(0) / (2 if combiner == "mean" else 1), values[words][1]
        expected = (numpy.array([[1.0], [4.0]]) @ values[fc.numeric_column("x")] + values[bucketized][[0, 1]] +
                    numpy.stack(word_part) + values["bias"])
        numpy.testing.assert_allclose(got, expected, rtol=1e-5)


# ============================================================================================= estimator

def test_dnn_classifier_trains_on_bucketized_indicator_and_embedding_columns(tmp_path):
    rng = numpy.random.RandomState(0)
    age = rng.uniform(0, 60, 200).astype(numpy.float32)
    color = rng.choice(["red", "green", "blue", "teal"], 200)  # "teal": out of the vocabulary
    label = ((age > 30) ^ (color == "red")).astype(numpy.int64)
    colors = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"], num_oov_buckets=1)
    columns = [fc.bucketized_column(fc.numeric_column("age"), [15, 30, 45]), fc.indicator_column(colors),
               fc.embedding_column(colors, 2)]

    def input_fn(repeat):
        data = tf.data.Dataset.from_tensor_slices(({"age": age, "color": color}, label))
        return (data.shuffle(200).repeat() if repeat else data).batch(50)
    classifier = tf.estimator.DNNClassifier([8], columns, model_dir=str(tmp_path),
                                            config=tf.estimator.RunConfig(tf_random_seed=0))
    classifier.train(lambda: input_fn(True), steps=200)
    assert classifier.evaluate(lambda: input_fn(False))["accuracy"] > 0.95
    assert classifier.get_variable_value(
        "dnn/input_from_feature_columns/input_layer/color_embedding/embedding_weights").shape == (4, 2)
