"""Feature columns fed SparseTensors — what ``tf.parse_example`` makes of a ``VarLenFeature`` — as in TF 1.15:
every categorical column reads one like the dense feature padded with -1 / "" (the columns' missing markers);
``make_parse_example_spec`` of the columns parses examples into what ``input_layer`` reads; and an Estimator
trains on such features and exports a parsing receiver whose sparse features pass on to ``model_fn``."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run

fc = tf.feature_column


def example(**features):
    """A serialized Example from keyword features: a list of bytes, ints or floats each."""
    def feature(values):
        if all(isinstance(v, bytes) for v in values):
            return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        if all(isinstance(v, int) for v in values):
            return tf.train.Feature(int64_list=tf.train.Int64List(value=values))
        return tf.train.Feature(float_list=tf.train.FloatList(value=values))
    features = tf.train.Features(feature={key: feature(values) for key, values in features.items()})
    return tf.train.Example(features=features).SerializeToString()


# ============================================================================ SparseTensor features

def test_parsed_var_len_features_through_indicator_and_embedding_columns():
    color = fc.categorical_column_with_vocabulary_list("color", ["r", "g", "b"])
    ids = fc.categorical_column_with_identity("ids", 5)
    spec = {"color": tf.VarLenFeature(tf.string), "ids": tf.VarLenFeature(tf.int64),
            "x": tf.FixedLenFeature([1], tf.float32)}
    serialized = [example(color=[b"g"], ids=[1, 3], x=[2.0]), example(color=[b"b", b"r"], ids=[4], x=[-1.0])]
    features = tf.parse_example(tf.constant(serialized), spec)
    assert isinstance(features["ids"], tf.SparseTensor)
    net = fc.input_layer(features, [fc.indicator_column(color), fc.indicator_column(ids), fc.numeric_column("x")])
    summed = fc.input_layer(features, [fc.embedding_column(ids, 2, combiner="sum", initializer=tf.ones_initializer())])
    net, summed = run([net, summed], initialize_variables=True)
    # by hand: color one-hot (r, g, b), ids multi-hot (0..4), then x
    np.testing.assert_array_equal(net, [[0, 1, 0, 0, 1, 0, 1, 0, 2], [1, 0, 1, 0, 0, 0, 0, 1, -1]])
    np.testing.assert_array_equal(summed, [[2, 2], [1, 1]])  # two ids, then one: no padding id counts


def sparse_and_dense_features():
    """The same features as SparseTensors and as their dense padded form. 0 is a real id here."""
    words = tf.SparseTensorValue(np.array([[0, 0], [0, 1], [2, 0]], np.int64),
                                 np.array([b"a", b"zz", b"c"], dtype=object), np.array([3, 2], np.int64))
    ids = tf.SparseTensorValue(np.array([[0, 0], [1, 0], [1, 1]], np.int64), np.array([2, 0, 4], np.int64),
                               np.array([3, 2], np.int64))
    sparse = {"w": tf.SparseTensor.from_value(words), "i": tf.SparseTensor.from_value(ids)}
    dense = {"w": np.array([[b"a", b"zz"], [b"", b""], [b"c", b""]], dtype=object),
             "i": np.array([[2, -1], [0, 4], [-1, -1]], np.int64)}
    return sparse, dense, {"w": words, "i": ids}


def test_every_categorical_column_reads_a_sparse_tensor_as_its_dense_padded_form():
    words = fc.categorical_column_with_vocabulary_list("w", ["a", "b", "c"], num_oov_buckets=2)
    ids = fc.categorical_column_with_identity("i", 5)
    columns = [fc.indicator_column(words), fc.indicator_column(ids),
               fc.indicator_column(fc.categorical_column_with_hash_bucket("w", 7)),
               fc.indicator_column(fc.categorical_column_with_hash_bucket("i", 6, dtype=tf.int64)),
               fc.indicator_column(fc.categorical_column_with_vocabulary_list("i", [4, 0, 9])),
               fc.indicator_column(fc.crossed_column(["w", ids], 11)),
               fc.embedding_column(ids, 2, combiner="sqrtn",
                                   initializer=tf.constant_initializer(np.array([[i, 10 * i] for i in range(5)])))]
    sparse, dense, values = sparse_and_dense_features()
    from_sparse, from_dense, from_values = run([fc.input_layer(sparse, columns), fc.input_layer(dense, columns),
                                                fc.input_layer(values, columns)], initialize_variables=True)
    np.testing.assert_allclose(from_sparse, from_dense)
    np.testing.assert_allclose(from_values, from_dense)
    layer_of = {}
    run([fc.input_layer(sparse, columns, cols_to_output_tensors=layer_of)], initialize_variables=True)
    identity, embedded = run([layer_of[columns[1]], layer_of[columns[6]]], initialize_variables=True)
    np.testing.assert_array_equal(identity, [[0, 0, 1, 0, 0], [1, 0, 0, 0, 1], [0, 0, 0, 0, 0]])
    # sqrtn: the rows of ids 2; 0 and 4, divided by sqrt(2); nothing
    np.testing.assert_allclose(embedded, [[2, 20], [4 / np.sqrt(2), 40 / np.sqrt(2)], [0, 0]], rtol=1e-6)


def test_linear_model_of_sparse_features_matches_the_dense_padded_ones():
    columns = [fc.categorical_column_with_vocabulary_list("w", ["a", "b", "c"]),
               fc.crossed_column(["w", fc.categorical_column_with_identity("i", 5)], 13)]
    sparse, dense, _ = sparse_and_dense_features()
    outputs = []
    for features in (sparse, dense):
        cols_to_vars = {}
        outputs.append(fc.linear_model(features, columns, sparse_combiner="sum", cols_to_vars=cols_to_vars))
        word_weights = cols_to_vars[columns[0]][0]
        cross_weights = cols_to_vars[columns[1]][0]
        outputs.append(tf.group(tf.assign(word_weights, [[1.0], [10.0], [100.0]]),
                                tf.assign(cross_weights, np.arange(13, dtype=np.float32).reshape(13, 1) * 1000)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(outputs[1::2])
        from_sparse, from_dense = sess.run(outputs[0::2])
    np.testing.assert_allclose(from_sparse, from_dense)
    # the words' part by hand: "a" (and "zz", out of the vocabulary); nothing; "c"
    np.testing.assert_allclose(from_sparse % 1000, [[1], [0], [100]])


def test_sparse_features_a_column_cannot_take_are_clear_errors():
    sparse, _, _ = sparse_and_dense_features()
    with pytest.raises(ValueError, match="SparseTensor is not supported. key: i"):
        fc.input_layer(sparse, [fc.numeric_column("i")])
    with pytest.raises(ValueError, match="Column dtype and SparseTensors dtype must be compatible. key: w"):
        fc.input_layer(sparse, [fc.indicator_column(fc.categorical_column_with_identity("w", 3))])
    vector = tf.SparseTensor([[0], [2]], tf.constant([1, 2], tf.int64), [4])
    with pytest.raises(ValueError, match=r"a SparseTensor feature must be \[batch, n\]"):
        fc.input_layer({"i": vector}, [fc.indicator_column(fc.categorical_column_with_identity("i", 3))])


# ============================================================================ make_parse_example_spec

def test_make_parse_example_spec_is_each_columns_parse_spec_merged():
    age = fc.numeric_column("age", default_value=30)
    position = fc.numeric_column("position", shape=2, dtype=tf.int64)
    city = fc.categorical_column_with_vocabulary_list("city", ["paris", "rome"])
    codes = fc.categorical_column_with_vocabulary_list("codes", [3, 1, 4])
    ids = fc.categorical_column_with_identity("ids", 10)
    age_buckets = fc.bucketized_column(age, [18, 65])
    columns = [position, age_buckets, fc.indicator_column(city), fc.embedding_column(ids, 3),
               fc.categorical_column_with_hash_bucket("h", 5, dtype=tf.int64), codes,
               fc.crossed_column(["job", age_buckets, city], 20), age]
    assert fc.make_parse_example_spec(columns) == {
        "age": tf.FixedLenFeature((1,), tf.float32, (30,)),
        "position": tf.FixedLenFeature((2,), tf.int64, None),
        "city": tf.VarLenFeature(tf.string),
        "codes": tf.VarLenFeature(tf.int64),
        "ids": tf.VarLenFeature(tf.int64),
        "h": tf.VarLenFeature(tf.int64),
        "job": tf.VarLenFeature(tf.string)}
    with pytest.raises(ValueError, match="feature_columns contain different parse_spec for key ids"):
        fc.make_parse_example_spec([ids, fc.crossed_column(["ids", "city"], 4)])  # a name crossed is a string
    with pytest.raises(ValueError, match="All feature_columns must be _FeatureColumn instances. Given: 'age'"):
        fc.make_parse_example_spec(["age"])


def test_numeric_default_value_is_kept_as_tuples_of_the_shape():
    assert fc.numeric_column("x", shape=(2, 2), default_value=1).default_value == ((1, 1), (1, 1))
    assert fc.numeric_column("x", shape=2, default_value=np.array([0.5, 2.0])).default_value == (0.5, 2.0)
    column = fc.numeric_column("x", shape=(1, 2), default_value=[[3, 4]])
    assert column.default_value == ((3, 4),) and {column: 1}[column] == 1  # hashable: a dict key (cols_to_vars)
    with pytest.raises(ValueError, match=r"The shape of default_value must be equal to given shape. default_value: "
                                         r"\[1, 2, 3\], shape: \(2,\), key: x"):
        fc.numeric_column("x", shape=2, default_value=[1, 2, 3])
    with pytest.raises(ValueError, match="The shape of default_value must be equal to given shape"):
        fc.numeric_column("x", shape=(2, 2), default_value=[[1, 2], [3]])
    with pytest.raises(TypeError, match="default_value must be compatible with dtype. default_value: 0.5"):
        fc.numeric_column("x", default_value=0.5, dtype=tf.int64)
    with pytest.raises(TypeError, match="default_value must be compatible with dtype"):
        fc.numeric_column("x", default_value="7")


def test_examples_parsed_by_the_columns_spec_feed_input_layer():
    age_buckets = fc.bucketized_column(fc.numeric_column("age", default_value=30.0), [18, 65])
    city = fc.categorical_column_with_vocabulary_list("city", ["paris", "rome"])
    columns = [age_buckets, fc.indicator_column(city), fc.numeric_column("pos", shape=2)]
    serialized = tf.placeholder(tf.string, [None])
    net = fc.input_layer(tf.parse_example(serialized, fc.make_parse_example_spec(columns)), columns)
    with tf.Session() as sess:
        got = sess.run(net, {serialized: [example(age=[70.0], city=[b"rome", b"rome"], pos=[1.0, 2.0]),
                                          example(city=[b"oslo"], pos=[3.0, 4.0]),   # no age: 30
                                          example(age=[5.0], pos=[5.0, 6.0])]})      # no city
        empty = sess.run(net, {serialized: []})
    # by hand, in the order of the names: age_bucketized (3 buckets), city_indicator (2), pos (2)
    np.testing.assert_array_equal(got, [[0, 0, 1, 0, 2, 1, 2], [0, 1, 0, 0, 0, 3, 4], [1, 0, 0, 0, 0, 5, 6]])
    assert empty.shape == (0, 7)


# ============================================================================ Estimator

def test_estimator_trains_on_parsed_sparse_features_and_exports_a_parsing_receiver(tmp_path):
    rng = np.random.RandomState(0)
    vocabulary = ["good", "bad", "meh"]
    records, inputs = [], []
    for _ in range(60):  # the label: "good" without "bad"; x is noise
        words = [vocabulary[j] for j in rng.choice(3, rng.randint(0, 3), replace=False)]
        x = float(rng.randn())
        inputs.append(example(words=[w.encode() for w in words], x=[x]))
        records.append(example(words=[w.encode() for w in words], x=[x], label=[int("good" in words and
                                                                                   "bad" not in words)]))
    columns = [fc.categorical_column_with_vocabulary_list("words", vocabulary), fc.numeric_column("x")]
    spec = fc.make_parse_example_spec(columns)

    def train_input_fn():
        def parse(serialized):
            features = tf.parse_example(serialized, dict(spec, label=tf.FixedLenFeature([1], tf.int64)))
            return features, features.pop("label")
        return tf.data.Dataset.from_tensor_slices(np.array(records, dtype=object)).repeat().batch(10).map(parse)

    def predict_input_fn():
        data = tf.data.Dataset.from_tensor_slices(np.array(inputs[:6], dtype=object)).batch(6)
        return data.map(lambda serialized: tf.parse_example(serialized, spec))

    estimator = tf.estimator.LinearClassifier(columns, model_dir=str(tmp_path / "model"),
                                              optimizer=tf.train.FtrlOptimizer(1.0))
    estimator.train(train_input_fn, steps=60)
    good, bad, _ = estimator.get_variable_value("linear/linear_model/words/weights")[:, 0]
    assert good > 0 > bad
    expected = np.array([p["logits"] for p in estimator.predict(predict_input_fn)])

    receiver_fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(spec)
    path = estimator.export_saved_model(str(tmp_path / "export"), receiver_fn)
    with tf.Session(graph=tf.Graph()) as sess:
        signature = tf.saved_model.loader.load(sess, ["serve"], path).signature_def["predict"]
        assert list(signature.inputs) == ["examples"]  # the serialized examples, not the parsed sparse feature
        got = sess.run(signature.outputs["logits"].name,
                       {signature.inputs["examples"].name: np.array(inputs[:6], dtype=object)})
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_serving_input_receiver_takes_sparse_features_but_dense_receiver_tensors():
    serialized = tf.placeholder(tf.string, [None])
    ids = tf.parse_example(serialized, {"ids": tf.VarLenFeature(tf.int64)})["ids"]
    receiver = tf.estimator.export.ServingInputReceiver({"ids": ids}, {"examples": serialized})
    assert receiver.features["ids"] is ids
    assert tf.estimator.export.TensorServingInputReceiver(ids, serialized).features is ids
    with pytest.raises(ValueError, match=r"receiver_tensor ids must be a Tensor \(signature inputs are dense in "
                                         r"minidl\), got SparseTensor"):
        tf.estimator.export.ServingInputReceiver({"ids": ids}, {"ids": ids})
    with pytest.raises(ValueError, match="feature ids must be a Tensor or SparseTensor, got list"):
        tf.estimator.export.ServingInputReceiver({"ids": [1, 2]}, serialized)
