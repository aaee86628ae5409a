"""A ``VarLenFeature`` parses into a ``tf.SparseTensor`` (TF 1.15's parsing_ops), and a SparseTensor whose rank the
graph does not know (``tf.sparse_placeholder`` without a shape) is densified and reduced with the shape fed."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import elements, run


def example(**features):
    """An Example from keyword features: a list of floats, ints or bytes each; None for a Feature with no kind."""
    def feature(values):
        if values is None:
            return tf.train.Feature()
        if values and all(isinstance(v, bytes) for v in values):
            return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        if values and all(isinstance(v, int) for v in values):
            return tf.train.Feature(int64_list=tf.train.Int64List(value=values))
        return tf.train.Feature(float_list=tf.train.FloatList(value=values))
    return tf.train.Example(features=tf.train.Features(feature={k: feature(v) for k, v in features.items()}))


# ------------------------------------------------------------------------------------------ VarLenFeature

def test_parse_single_example_var_len_is_a_sparse_tensor_of_the_values():
    serialized = tf.constant(example(tokens=[4, 5, 6]).SerializeToString())
    tokens = tf.parse_single_example(serialized, {"tokens": tf.VarLenFeature(tf.int64)})["tokens"]
    assert isinstance(tokens, tf.SparseTensor) and tokens.dtype == tf.int64
    assert tokens.indices.shape.as_list() == [None, 1] and tokens.dense_shape.shape.as_list() == [1]
    value, values, dense = run([tokens, tokens.values, tf.sparse_tensor_to_dense(tokens)])
    assert value.indices.tolist() == [[0], [1], [2]] and value.dense_shape.tolist() == [3]
    assert value.indices.dtype == value.dense_shape.dtype == np.int64
    assert values.tolist() == [4, 5, 6] and dense.tolist() == [4, 5, 6]


def test_parse_example_matches_tf_docstring_layout():
    # parsing_ops.parse_example's docstring: ft = [1.0, 2.0], (absent), [3.0]
    records = [example(ft=[1.0, 2.0]), example(), example(ft=[3.0])]
    ft = tf.io.parse_example(tf.constant([r.SerializeToString() for r in records]),
                             {"ft": tf.io.VarLenFeature(tf.float32)})["ft"]
    assert ft.shape.as_list() == [None, None]
    value = run(ft)
    assert value.indices.tolist() == [[0, 0], [0, 1], [2, 0]] and value.dense_shape.tolist() == [3, 2]
    assert value.values.dtype == np.float32 and value.values.tolist() == [1.0, 2.0, 3.0]
    # ... and its kw / dank / gps example: an empty list and a Feature of no kind have no entries
    records = [example(kw=[b"knit", b"big"], gps=[]), example(kw=[b"emmy"], dank=[42], gps=None)]
    spec = {"kw": tf.VarLenFeature(tf.string), "dank": tf.VarLenFeature(tf.int64), "gps": tf.VarLenFeature(tf.float32)}
    parsed = run(tf.parse_example([r.SerializeToString() for r in records], spec))
    assert parsed["kw"].indices.tolist() == [[0, 0], [0, 1], [1, 0]]
    assert parsed["kw"].values.tolist() == [b"knit", b"big", b"emmy"] and parsed["kw"].dense_shape.tolist() == [2, 2]
    assert parsed["dank"].indices.tolist() == [[1, 0]] and parsed["dank"].values.tolist() == [42]
    assert parsed["dank"].dense_shape.tolist() == [2, 1]
    assert parsed["gps"].indices.shape == (0, 2) and parsed["gps"].values.shape == (0,)
    assert parsed["gps"].dense_shape.tolist() == [2, 0]


def test_parse_example_of_a_fed_batch_including_an_empty_one():
    serialized = tf.placeholder(tf.string, [None])
    ids = tf.parse_example(serialized, {"ids": tf.VarLenFeature(tf.int64)})["ids"]
    dense = tf.sparse.to_dense(ids, default_value=-1)
    with tf.Session() as sess:
        padded = sess.run(dense, {serialized: [example(ids=[0, 3]).SerializeToString(),
                                               example(ids=[9]).SerializeToString()]})
        empty = sess.run(ids, {serialized: []})
    assert padded.tolist() == [[0, 3], [9, -1]]  # -1 where an example has no value: 0 is a real id here
    assert empty.indices.shape == (0, 2) and empty.dense_shape.tolist() == [0, 0]


def test_parsed_ids_feed_sparse_ops_per_example():
    records = [example(ids=[0, 2]), example(ids=[1]), example()]
    ids = tf.parse_example([r.SerializeToString() for r in records], {"ids": tf.VarLenFeature(tf.int64)})["ids"]
    params = tf.constant([[1.0, 10.0], [2.0, 20.0], [4.0, 40.0]])
    embedded = tf.nn.embedding_lookup_sparse(params, ids, None, combiner="sum")
    counts = tf.sparse_reduce_sum(tf.SparseTensor(ids.indices, tf.ones_like(ids.values), ids.dense_shape), axis=1)
    summed, per_example = run([embedded, counts])
    # rows 0 + 2, row 1, nothing: by hand
    np.testing.assert_allclose(summed, [[5.0, 50.0], [2.0, 20.0], [0.0, 0.0]])
    assert per_example.tolist() == [2, 1, 0]


def test_dataset_map_densifies_var_len_features_before_batching():
    records = [example(ids=[4, 5, 6], label=[1]).SerializeToString(), example(label=[0]).SerializeToString()]
    spec = {"ids": tf.VarLenFeature(tf.int64), "label": tf.FixedLenFeature([], tf.int64)}

    def parse(record):
        features = tf.parse_single_example(record, spec)
        return tf.sparse.to_dense(features["ids"]), tf.size(features["ids"].values), features["label"]

    dataset = tf.data.Dataset.from_tensor_slices(records).map(parse).padded_batch(2, ([None], [], []))
    ((ids, sizes, labels),) = elements(dataset)
    assert ids.tolist() == [[4, 5, 6], [0, 0, 0]] and sizes.tolist() == [3, 0] and labels.tolist() == [1, 0]


RECORDS = [example(ids=[4, 5, 6], label=[1]).SerializeToString(), example(label=[0]).SerializeToString(),
           example(ids=[7], label=[2]).SerializeToString()]
SPEC = {"ids": tf.VarLenFeature(tf.int64), "label": tf.FixedLenFeature([], tf.int64)}


def parsed_dataset():
    return tf.data.Dataset.from_tensor_slices(RECORDS).map(lambda record: tf.parse_single_example(record, SPEC))


def test_dataset_of_parsed_examples_has_sparse_components():
    dataset = parsed_dataset()
    assert dataset.output_classes == {"ids": tf.SparseTensor, "label": tf.Tensor}
    assert dataset.output_types == {"ids": tf.int64, "label": tf.int64}
    assert dataset.output_shapes == {"ids": tf.TensorShape([None]), "label": tf.TensorShape([])}
    first, second, _ = elements(dataset)
    assert first["ids"].indices.tolist() == [[0], [1], [2]] and first["ids"].values.tolist() == [4, 5, 6]
    assert second["ids"].indices.shape == (0, 1) and second["ids"].dense_shape.tolist() == [0]


def test_batch_of_sparse_components_is_a_sparse_tensor_with_a_batch_dim():
    dataset = parsed_dataset().batch(2)
    assert dataset.output_shapes["ids"] == tf.TensorShape([None, None])
    features = tf.data.make_one_shot_iterator(dataset).get_next()
    ids = features["ids"]
    assert isinstance(ids, tf.SparseTensor) and ids.indices.shape.as_list() == [None, 2]
    dense = tf.sparse_tensor_to_dense(ids, default_value=-1)
    with tf.Session() as sess:
        (first, padded), (last, last_padded) = sess.run([ids, dense]), sess.run([ids, dense])
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(dense)
    # as TF batches SparseTensors: [i] + each index, dense shape [batch] + the largest dims
    assert first.indices.tolist() == [[0, 0], [0, 1], [0, 2]] and first.dense_shape.tolist() == [2, 3]
    assert padded.tolist() == [[4, 5, 6], [-1, -1, -1]]
    assert last.indices.tolist() == [[0, 0]] and last.dense_shape.tolist() == [1, 1] and last_padded.tolist() == [[7]]


def test_functions_after_the_parse_receive_sparse_tensors():
    dataset = parsed_dataset().cache().filter(lambda features: tf.size(features["ids"].values) > 0)
    dataset = dataset.map(lambda features: (tf.sparse.reduce_sum(features["ids"]), features["ids"]))
    assert dataset.output_classes == (tf.Tensor, tf.SparseTensor)
    values = elements(dataset.repeat(2))  # the second epoch replays the cache
    assert [total for total, _ in values] == [15, 7, 15, 7]
    assert values[0][1].values.tolist() == [4, 5, 6] and values[3][1].values.tolist() == [7]
    single = tf.data.experimental.get_single_element(dataset.skip(1))
    assert isinstance(single[1], tf.SparseTensor) and run(single)[1].values.tolist() == [7]


def test_reinitializable_iterator_declares_sparse_components_by_output_classes():
    dataset = parsed_dataset().batch(3)
    iterator = tf.data.Iterator.from_structure(dataset.output_types, dataset.output_shapes,
                                               output_classes=dataset.output_classes)
    features = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.make_initializer(dataset))
        assert sess.run(features["ids"]).values.tolist() == [4, 5, 6, 7]
    dense_only = tf.data.Iterator.from_structure(dataset.output_types, dataset.output_shapes)
    with pytest.raises(TypeError, match="Expected output classes"):
        dense_only.make_initializer(dataset)


def test_padded_batch_says_it_cannot_take_sparse_components():
    with pytest.raises(TypeError, match="padded sparse tensors"):
        parsed_dataset().padded_batch(2, {"ids": [None], "label": []})


def test_unbatch_inverts_batch_for_sparse_components():
    batched = parsed_dataset().batch(2)
    # each row keeps the dense shape of its batch (the largest of the batch's elements), as in TF
    assert [(e["ids"].values.tolist(), e["ids"].dense_shape.tolist(), e["label"])
            for e in elements(batched.unbatch())] == [([4, 5, 6], [3], 1), ([], [3], 0), ([7], [1], 2)]
    assert batched.unbatch().output_classes == {"ids": tf.SparseTensor, "label": tf.Tensor}


SPARSE = tf.SparseTensorValue(indices=[[0, 0], [2, 1], [1, 2], [2, 3]], values=[1.0, 2.0, 3.0, 4.0],
                              dense_shape=[3, 4])


@pytest.mark.parametrize("as_value", [False, True])
def test_sources_slice_and_hold_sparse_tensors(as_value):
    """from_tensor_slices gives each row's entries (in the order given) without the row index, as TF slices a
    SparseTensor; from_tensors holds it whole; both take a SparseTensorValue too."""
    sparse = SPARSE if as_value else tf.SparseTensor(*SPARSE)
    rows = tf.data.Dataset.from_tensor_slices((sparse, np.arange(3)))
    assert rows.output_classes == (tf.SparseTensor, tf.Tensor) and rows.output_shapes[0].as_list() == [4]
    got = [(s.indices.tolist(), s.values.tolist(), s.dense_shape.tolist(), int(n)) for s, n in elements(rows)]
    assert got == [([[0]], [1.0], [4], 0), ([[2]], [3.0], [4], 1), ([[1], [3]], [2.0, 4.0], [4], 2)]
    (whole,) = elements(tf.data.Dataset.from_tensors(sparse))
    assert whole.indices.tolist() == SPARSE.indices and whole.values.tolist() == SPARSE.values
    dense = tf.sparse.to_dense(tf.data.make_one_shot_iterator(rows.batch(3)).get_next()[0], validate_indices=False)
    np.testing.assert_array_equal(run(dense), [[1, 0, 0, 0], [0, 0, 3, 0], [0, 2, 0, 4]])


# ------------------------------------------------------------------------------------- unknown rank

FEED = (np.array([[0, 1], [1, 1], [1, 2]], np.int64), np.array([3.0, -1.0, 2.0], np.float32),
        np.array([2, 3], np.int64))


def test_to_dense_of_a_shapeless_sparse_placeholder_matches_torch():
    torch = pytest.importorskip("torch")
    sp = tf.sparse_placeholder(tf.float32)  # no shape: the rank is known only when fed
    dense = tf.sparse_tensor_to_dense(sp, validate_indices=False)
    filled = tf.sparse.to_dense(sp, default_value=7.0)
    assert not dense.shape.rank_known and not filled.shape.rank_known
    got, got_filled = run([dense, filled], {sp: FEED})
    expected = torch.sparse_coo_tensor(torch.tensor(FEED[0].T), torch.tensor(FEED[1]), tuple(FEED[2]),
                                       check_invariants=True).to_dense()
    np.testing.assert_array_equal(got, expected.numpy())
    np.testing.assert_array_equal(got_filled, [[7.0, 3.0, 7.0], [7.0, -1.0, 2.0]])
    # the rank comes from each feed: a rank-3 value through the same graph
    cube = run(dense, {sp: (np.array([[1, 0, 1]], np.int64), np.array([5.0], np.float32), [2, 1, 2])})
    np.testing.assert_array_equal(cube, [[[0.0, 0.0]], [[0.0, 5.0]]])


def test_reductions_and_gradient_of_a_shapeless_sparse_placeholder():
    sp = tf.sparse_placeholder(tf.float32)
    total, rows, kept = tf.sparse_reduce_sum(sp), tf.sparse_reduce_sum(sp, axis=1), \
        tf.sparse_reduce_sum(sp, keepdims=True)
    largest = tf.sparse_reduce_max(sp, axis=1)
    grad, = tf.gradients(tf.reduce_sum(tf.sparse.to_dense(sp) * tf.constant([[1.0, 2.0, 3.0]])), sp.values)
    values = run([total, rows, kept, largest, grad], {sp: FEED})
    assert values[0] == 4.0 and values[1].tolist() == [3.0, 1.0] and values[2].tolist() == [[4.0]]
    assert values[3].tolist() == [3.0, 2.0]  # the max of the stored entries of each row
    assert values[4].tolist() == [2.0, 2.0, 3.0]  # each value's column weight


def test_to_dense_of_a_shapeless_string_sparse_placeholder():
    sp = tf.sparse_placeholder(tf.string)
    dense = run(tf.sparse.to_dense(sp), {sp: (np.array([[0, 1]], np.int64), np.array([b"x"], object), [1, 2])})
    assert dense.tolist() == [[b"", b"x"]]


def test_ops_that_need_the_rank_still_say_so_naming_themselves():
    with pytest.raises(ValueError, match="sparse.transpose: the rank of the SparseTensor is unknown"):
        tf.sparse.transpose(tf.sparse_placeholder(tf.float32))
