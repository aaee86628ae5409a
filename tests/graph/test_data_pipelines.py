"""tf.data beyond the basics: from_generator, TextLineDataset, list_files, padded_batch, unbatch, concatenate,
enumerate, shard, cache, flat_map, interleave, window, reduce, apply, feedable iterators — and a TF1 program that
reads a text file, parses it, pads batches and trains on them, switching between training and validation data."""
import gzip
import zlib

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import drain, elements

Dataset = tf.data.Dataset


def as_lists(values):
    return [v.tolist() if isinstance(v, np.ndarray) else v for v in values]


def first_error(dataset, kind):
    """The error of the first ``get_next`` that fails."""
    with pytest.raises(kind) as info:
        elements(dataset)
    return str(info.value)


# ------------------------------------------------------------------------------------------- from_generator

def test_from_generator_structure_values_and_static_shapes():
    def pairs():
        for n in range(1, 4):
            yield np.arange(n, dtype=np.float32), n * 10

    dataset = Dataset.from_generator(pairs, (tf.float32, tf.int64), ([None], []))
    assert dataset.output_types == (tf.float32, tf.int64)
    assert dataset.output_shapes == (tf.TensorShape([None]), tf.TensorShape([]))
    got = elements(dataset)
    assert [(x.tolist(), y) for x, y in got] == [([0.0], 10), ([0.0, 1.0], 20), ([0.0, 1.0, 2.0], 30)]
    assert got[0][1].dtype == np.int64 and got[0][0].dtype == np.float32

    unknown = Dataset.from_generator(lambda: iter([[1, 2]]), tf.int32)   # shapes default to unknown
    assert not unknown.output_shapes.rank_known
    assert as_lists(elements(unknown)) == [[1, 2]]                        # a list is one value
    records = Dataset.from_generator(lambda: iter([{"x": 1.5, "name": "a"}]), {"x": tf.float64, "name": tf.string},
                                     {"x": [], "name": []})
    assert elements(records) == [{"x": 1.5, "name": b"a"}]


def test_from_generator_calls_the_generator_anew_for_every_pass(graph):
    calls = []

    def counting():
        calls.append(1)
        yield from range(3)

    iterator = Dataset.from_generator(counting, tf.int64).repeat(2).make_initializable_iterator()
    nxt = iterator.get_next()
    with tf.Session() as sess:
        for _ in range(2):
            sess.run(iterator.initializer)
            assert drain(nxt, sess) == [0, 1, 2, 0, 1, 2]
    assert len(calls) == 4   # two passes, two epochs each


def test_from_generator_args_are_read_when_the_pass_starts(graph):
    count, name = tf.placeholder(tf.int64, []), tf.placeholder(tf.string, [])
    seen = []

    def numbered(n, label):
        seen.append(label)
        for i in range(n):
            yield i

    iterator = Dataset.from_generator(numbered, tf.int64, [], args=(count, name)).make_initializable_iterator()
    nxt = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {count: 2, name: "first"})
        assert drain(nxt, sess) == [0, 1]
        sess.run(iterator.initializer, {count: 4, name: "second"})
        assert drain(nxt, sess) == [0, 1, 2, 3]
    assert seen == [b"first", b"second"]   # a string scalar arrives as bytes, as in TF


def test_from_generator_errors(graph):
    def values(*items):
        return lambda: iter(items)

    message = first_error(Dataset.from_generator(values(1, "abc"), tf.int64), errors.InvalidArgumentError)
    assert "could not be converted to the expected type. The expected type was int64, but the yielded element " \
           "was 'abc'" in message
    message = first_error(Dataset.from_generator(values((1, 2, 3)), (tf.int64, tf.int64)), errors.InvalidArgumentError)
    assert "did not match the expected structure. The expected structure was (tf.int64, tf.int64)" in message
    message = first_error(Dataset.from_generator(values([1, 2, 3]), tf.int64, [2]), errors.InvalidArgumentError)
    assert "yielded an element of shape (3,) where an element of shape (2,) was expected" in message
    assert "could not be converted" in first_error(Dataset.from_generator(values(5), tf.string),
                                                   errors.InvalidArgumentError)
    with pytest.raises(TypeError, match="must be callable"):
        Dataset.from_generator([1, 2], tf.int64)
    with pytest.raises(TypeError, match="Cannot convert value"):
        Dataset.from_generator(values(1), [tf.int64, tf.int64])   # a structure is a tuple, not a list
    with pytest.raises(ValueError, match="same nested structure"):
        Dataset.from_generator(values(1), (tf.int64, tf.int64), [[]])


# ----------------------------------------------------------------------------------- TextLineDataset, list_files

def test_text_line_dataset_reads_lines_file_after_file(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_bytes(b"one\ntwo words\r\n\nlast without newline")
    second.write_bytes(b"x\n")
    dataset = tf.data.TextLineDataset([str(first), str(second)])
    assert dataset.output_types == tf.string and dataset.output_shapes == tf.TensorShape([])
    assert elements(dataset) == [b"one", b"two words", b"", b"last without newline", b"x"]
    assert elements(tf.data.TextLineDataset(str(second))) == [b"x"]


def test_text_line_dataset_compressed_and_fed_file_names(tmp_path, graph):
    (tmp_path / "a.gz").write_bytes(gzip.compress(b"g1\ng2\n"))
    (tmp_path / "a.z").write_bytes(zlib.compress(b"z1\nz2"))
    assert elements(tf.data.TextLineDataset(str(tmp_path / "a.gz"), compression_type="GZIP")) == [b"g1", b"g2"]
    assert elements(tf.data.TextLineDataset(str(tmp_path / "a.z"), compression_type="ZLIB")) == [b"z1", b"z2"]
    names = tf.placeholder(tf.string, [None])
    iterator = tf.data.TextLineDataset(names, compression_type="GZIP").make_initializable_iterator()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {names: [str(tmp_path / "a.gz")] * 2})
        assert drain(iterator.get_next(), sess) == [b"g1", b"g2", b"g1", b"g2"]


def test_text_line_dataset_errors(tmp_path):
    missing = str(tmp_path / "missing.txt")
    assert "missing.txt; No such file or directory" in first_error(tf.data.TextLineDataset(missing),
                                                                   errors.NotFoundError)
    with pytest.raises(TypeError, match="must be a `tf.Tensor` of `tf.string`"):
        tf.data.TextLineDataset(3)
    with pytest.raises(ValueError, match="compression_type"):
        tf.data.TextLineDataset("a.txt", compression_type="BZIP2")


def test_list_files(tmp_path):
    for name in ["b.csv", "a.csv", "c.txt"]:
        (tmp_path / name).write_text("")
    pattern = str(tmp_path / "*.csv")
    assert elements(Dataset.list_files(pattern, shuffle=False)) == [str(tmp_path / n).encode() for n in
                                                                     ["a.csv", "b.csv"]]
    assert sorted(elements(Dataset.list_files([pattern, str(tmp_path / "*.txt")]))) == \
        sorted(str(tmp_path / n).encode() for n in ["a.csv", "b.csv", "c.txt"])
    assert "No files matched pattern" in first_error(Dataset.list_files(str(tmp_path / "*.json")),
                                                     errors.InvalidArgumentError)


# ------------------------------------------------------------------------------------------ padded_batch

def ragged(n=4):
    """Elements [0], [0 1], [0 1 2], ... (int32 vectors of lengths 1 .. n)."""
    return Dataset.range(1, n + 1).map(lambda k: tf.range(tf.cast(k, tf.int32)))


def test_padded_batch_pads_to_the_longest_or_to_a_given_size():
    longest = ragged().padded_batch(2, padded_shapes=[None], padding_values=-1)
    assert longest.output_shapes == tf.TensorShape([None, None])
    assert as_lists(elements(longest)) == [[[0, -1], [0, 1]], [[0, 1, 2, -1], [0, 1, 2, 3]]]
    fixed = ragged(3).padded_batch(2, padded_shapes=[5], drop_remainder=True)
    assert fixed.output_shapes == tf.TensorShape([2, 5])
    assert as_lists(elements(fixed)) == [[[0, 0, 0, 0, 0], [0, 1, 0, 0, 0]]]
    default = ragged(3).padded_batch(3)                           # no padded_shapes: the longest in the batch
    assert as_lists(elements(default)) == [[[0, 0, 0], [0, 1, 0], [0, 1, 2]]]
    matrices = Dataset.range(1, 3).map(lambda k: tf.ones(tf.stack([k, 2])))   # (k, 2) matrices
    (batch,) = elements(matrices.padded_batch(2, padded_shapes=[-1, 2]))
    assert batch.shape == (2, 2, 2) and batch[0].tolist() == [[1, 1], [0, 0]]


def test_padded_batch_of_tuples_and_strings():
    pairs = Dataset.range(1, 4).map(lambda k: (tf.range(k), k * 10))
    dataset = pairs.padded_batch(3, padded_shapes=([None], []), padding_values=(tf.constant(-1, tf.int64), None))
    assert dataset.output_shapes == (tf.TensorShape([None, None]), tf.TensorShape([None]))
    ((seqs, labels),) = elements(dataset)
    assert seqs.tolist() == [[0, -1, -1], [0, 1, -1], [0, 1, 2]] and labels.tolist() == [10, 20, 30]

    words = Dataset.from_generator(lambda: iter([["a"], ["b", "c"]]), tf.string, [None])
    assert as_lists(elements(words.padded_batch(2))) == [[[b"a", b""], [b"b", b"c"]]]
    assert as_lists(elements(words.padded_batch(2, padding_values="<pad>"))) == [[[b"a", b"<pad>"], [b"b", b"c"]]]


def test_padded_batch_errors():
    with pytest.raises(ValueError, match=r"The padded shape \(\?, \?\) is not compatible"):
        ragged().padded_batch(2, padded_shapes=[None, None])
    with pytest.raises(ValueError, match="is not compatible"):
        Dataset.from_tensor_slices(np.zeros((4, 3))).padded_batch(2, padded_shapes=[2])   # 3 does not fit in 2
    with pytest.raises(TypeError, match="does not match output type: tf.int32"):
        ragged().padded_batch(2, [None], padding_values=tf.constant(0.5))
    with pytest.raises(ValueError, match="should be a scalar"):
        ragged().padded_batch(2, [None], padding_values=[1, 2])
    with pytest.raises(ValueError, match="unknown rank"):
        Dataset.from_generator(lambda: iter([1]), tf.int64).padded_batch(2)
    with pytest.raises(ValueError, match="Batch size must be greater than zero"):
        ragged().padded_batch(0, [None])
    too_long = ragged().padded_batch(2, padded_shapes=[3])
    assert "Attempted to pad to a smaller size than the input element." in first_error(
        too_long, errors.InvalidArgumentError)


# ------------------------------------------------------------------------- unbatch, concatenate, enumerate, shard

def test_unbatch_inverts_batch():
    x = np.arange(10.0).reshape(5, 2)
    dataset = Dataset.from_tensor_slices((x, np.arange(5))).batch(2).unbatch()
    assert dataset.output_shapes == (tf.TensorShape([2]), tf.TensorShape([]))
    got = elements(dataset)
    assert [(a.tolist(), b) for a, b in got] == [(list(row), i) for i, row in enumerate(x)]
    strings = Dataset.from_tensors(np.array(["a", "b"])).unbatch()
    assert elements(strings) == [b"a", b"b"]
    with pytest.raises(ValueError, match="Cannot unbatch an input with scalar components"):
        Dataset.range(3).unbatch()
    uneven = Dataset.from_generator(lambda: iter([([1, 2], [3])]), (tf.int64, tf.int64)).unbatch()
    assert "Component 0 had size 2 but component 1 had size 1" in first_error(uneven, errors.InvalidArgumentError)


def test_concatenate_enumerate_shard_apply():
    a = Dataset.from_tensor_slices(np.zeros((2, 3), np.float32))
    b = Dataset.from_tensor_slices(np.ones((1, 4), np.float32))
    joined = a.concatenate(b)
    assert joined.output_shapes == tf.TensorShape([None])          # (3,) and (4,) have only the rank in common
    assert as_lists(elements(joined)) == [[0, 0, 0], [0, 0, 0], [1, 1, 1, 1]]
    with pytest.raises(TypeError, match="different types"):
        Dataset.range(2).concatenate(b)

    numbered = Dataset.from_tensor_slices(np.array([7.0, 8.0])).enumerate(start=5)
    assert numbered.output_types == (tf.int64, tf.float64)
    assert elements(numbered) == [(5, 7.0), (6, 8.0)]

    assert elements(Dataset.range(10).shard(3, 1)) == [1, 4, 7]
    assert elements(Dataset.range(10).apply(lambda d: d.shard(5, 0))) == [0, 5]
    with pytest.raises(ValueError, match=r"Index must be between 0 and 2 \(currently index = 3\)"):
        Dataset.range(10).shard(3, 3)
    with pytest.raises(ValueError, match="Number of shards must be greater than zero"):
        Dataset.range(10).shard(0, 0)
    with pytest.raises(TypeError, match="must return a Dataset"):
        Dataset.range(3).apply(lambda d: 5)


def test_the_fused_experimental_steps_are_their_two_steps():
    shuffled = Dataset.range(6).apply(tf.data.experimental.shuffle_and_repeat(6, count=2, seed=3))
    values = elements(shuffled)
    assert sorted(values[:6]) == sorted(values[6:]) == list(range(6)) and values[:6] != values[6:]  # a new order
    assert values == elements(Dataset.range(6).shuffle(6, seed=3).repeat(2))
    batched = Dataset.range(7).apply(tf.data.experimental.map_and_batch(lambda x: x * 10, 3, drop_remainder=True))
    assert as_lists(elements(batched)) == [[0, 10, 20], [30, 40, 50]] and batched.output_shapes == (3,)
    rows = Dataset.from_tensor_slices(np.arange(4).reshape(2, 2)).apply(tf.data.experimental.unbatch())
    assert elements(rows) == [0, 1, 2, 3]


def test_shard_index_fed_at_initialization(graph):
    index = tf.placeholder(tf.int64, [])
    iterator = Dataset.range(6).shard(2, index).make_initializable_iterator()
    nxt = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {index: 1})
        assert drain(nxt, sess) == [1, 3, 5]
        with pytest.raises(errors.InvalidArgumentError, match="Index must be between 0 and 1"):
            sess.run(iterator.initializer, {index: 2})
            sess.run(nxt)


# ---------------------------------------------------------------------------------------------------- cache

def counted(calls, values=(1, 2, 3), dtype=tf.int64):
    """A dataset of ``values`` that counts its passes in ``calls``."""
    def generator():
        calls.append(1)
        yield from values
    return Dataset.from_generator(generator, dtype, [])


def test_cache_in_memory_replays_later_epochs_of_a_pass(graph):
    calls = []
    iterator = counted(calls).cache().repeat(3).make_initializable_iterator()
    nxt = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.initializer)
        assert drain(nxt, sess) == [1, 2, 3] * 3
        assert len(calls) == 1                 # computed once, replayed twice
        sess.run(iterator.initializer)         # a new pass starts an empty cache, as in TF1
        assert drain(nxt, sess) == [1, 2, 3] * 3
    assert len(calls) == 2
    partial = []
    assert elements(counted(partial).cache().take(2).repeat(2)) == [1, 2, 1, 2]
    assert len(partial) == 2                   # an epoch that stopped halfway cached nothing


def test_cache_to_a_file_is_reused_by_later_sessions(tmp_path, graph):
    calls, path = [], str(tmp_path / "cache")
    dataset = counted(calls, [1.5, 2.5], tf.float32).map(lambda x: x * 2)
    nxt = dataset.cache(path).make_initializable_iterator()
    for _ in range(2):
        with tf.Session() as sess:
            sess.run(nxt.initializer)
            assert drain(nxt.get_next(), sess) == [3.0, 5.0]
    assert len(calls) == 1 and (tmp_path / "cache").exists()
    with open(path, "rb") as f:
        assert f.read(6) == b"MINIDL"          # minidl's array file, no pickle
    with pytest.raises(TypeError, match="numbers only"):
        Dataset.from_tensor_slices(np.array(["a"])).cache(path)


def test_a_fetched_cached_array_cannot_change_the_cache():
    first = tf.data.make_one_shot_iterator(Dataset.from_tensors(np.zeros(2)).cache().repeat(2)).get_next()
    with tf.Session() as sess:
        value = sess.run(first)
        if value.flags.writeable:  # a copy (fetched from a GPU): writing it cannot reach the cache
            value[0] = 1.0
        else:  # the cache's own array, read-only
            with pytest.raises(ValueError):
                value[0] = 1.0
        assert sess.run(first).tolist() == [0.0, 0.0]


# ------------------------------------------------------------------------------------- flat_map, interleave

def test_flat_map():
    dataset = Dataset.range(4).flat_map(lambda n: Dataset.from_tensors(n).repeat(n))
    assert dataset.output_types == tf.int64
    assert elements(dataset) == [1, 2, 2, 3, 3, 3]
    rows = Dataset.from_tensor_slices(np.arange(6).reshape(3, 2)).batch(2).flat_map(Dataset.from_tensor_slices)
    assert as_lists(elements(rows)) == [[0, 1], [2, 3], [4, 5]]
    offset = tf.constant(100, tf.int64)
    pairs = Dataset.range(2).flat_map(lambda i: Dataset.zip((Dataset.range(i + 1), Dataset.from_tensors(i + offset)
                                                             .repeat())))
    assert elements(pairs) == [(0, 100), (0, 101), (1, 101)]
    with pytest.raises(TypeError, match="must return a `Dataset` object"):
        Dataset.range(2).flat_map(lambda i: i)


def test_flat_map_reads_a_fed_tensor_when_the_pass_starts(graph):
    step = tf.placeholder(tf.int64, [])
    dataset = Dataset.range(2).flat_map(lambda i: Dataset.range(i * 10, i * 10 + 5, step))
    with pytest.raises(ValueError, match="placeholder"):
        dataset.make_one_shot_iterator()
    iterator = dataset.make_initializable_iterator()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {step: 2})
        assert drain(iterator.get_next(), sess) == [0, 2, 4, 10, 12, 14]


def test_interleave_follows_tf_documented_order():
    dataset = Dataset.range(1, 6).interleave(lambda x: Dataset.from_tensors(x).repeat(6), cycle_length=2,
                                             block_length=4)
    assert elements(dataset) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4,
                                 5, 5, 5, 5, 5, 5]
    short = Dataset.range(1, 6).interleave(lambda x: Dataset.from_tensors(x).repeat(3), cycle_length=4,
                                           block_length=2)
    assert elements(short) == [1, 1, 2, 2, 3, 3, 4, 4, 1, 2, 3, 4, 5, 5, 5]
    mixed = Dataset.range(3).interleave(lambda x: Dataset.range(x * 10, x * 10 + 3), cycle_length=3)
    assert elements(mixed) == [0, 10, 20, 1, 11, 21, 2, 12, 22]
    autotuned = Dataset.range(3).interleave(lambda x: Dataset.from_tensors(x))   # cycle_length=AUTOTUNE
    assert sorted(elements(autotuned)) == [0, 1, 2]
    with pytest.raises(ValueError, match="block_length must be greater than zero"):
        Dataset.range(3).interleave(lambda x: Dataset.from_tensors(x), cycle_length=2, block_length=0)


def test_interleave_lines_of_several_files(tmp_path):
    for name, lines in [("a.txt", "a1\na2\na3\n"), ("b.txt", "b1\n")]:
        (tmp_path / name).write_text(lines)
    files = Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
    assert elements(files.interleave(tf.data.TextLineDataset, cycle_length=2)) == [b"a1", b"b1", b"a2", b"a3"]


# ------------------------------------------------------------------------------------------------- window

def test_window_and_flat_map_make_sliding_windows():
    def windows(dataset):
        return as_lists(elements(dataset.flat_map(lambda w: w.batch(3))))

    assert windows(Dataset.range(7).window(3, shift=2)) == [[0, 1, 2], [2, 3, 4], [4, 5, 6], [6]]
    assert windows(Dataset.range(7).window(3, 1, 2, drop_remainder=True)) == [[0, 2, 4], [1, 3, 5], [2, 4, 6]]
    assert windows(Dataset.range(7).window(2, shift=4)) == [[0, 1], [4, 5]]
    pairs = Dataset.zip((Dataset.range(4), Dataset.range(4).map(lambda i: -i))).window(2, drop_remainder=True)
    zipped = pairs.flat_map(lambda xs, ys: Dataset.zip((xs.batch(2), ys.batch(2))))
    assert [(a.tolist(), b.tolist()) for a, b in elements(zipped)] == [([0, 1], [0, -1]), ([2, 3], [-2, -3])]


def test_window_datasets_are_only_read_through_flat_map():
    windows = Dataset.range(4).window(2)
    with pytest.raises(TypeError, match="are datasets"):
        windows.make_one_shot_iterator()
    with pytest.raises(TypeError, match="flat_map"):
        windows.map(lambda w: w)
    with pytest.raises(ValueError, match="Window size must be greater than zero, but got 0"):
        Dataset.range(4).window(0)


# ------------------------------------------------------------------------------------------------- reduce

def test_reduce_folds_a_dataset_into_tensors():
    total = Dataset.range(5).reduce(np.int64(0), lambda state, x: state + x)
    count_and_sum = Dataset.from_tensor_slices(np.array([1.5, 2.5], np.float32)).reduce(
        (np.int64(0), 0.0), lambda state, x: (state[0] + 1, state[1] + x))
    grown = Dataset.range(3).reduce(tf.zeros([0], tf.int64), lambda acc, x: tf.concat([acc, [x * x]], 0))
    assert total.shape == tf.TensorShape([]) and grown.shape == tf.TensorShape([None])   # shapes relaxed
    with tf.Session() as sess:
        assert sess.run(total) == 10 and sess.run(total) == 10   # each run is a new pass
        assert sess.run(count_and_sum) == (2, 4.0)
        assert sess.run(grown).tolist() == [0, 1, 4]
    with pytest.raises(TypeError, match="element types for the new state must match"):
        Dataset.range(3).reduce(np.int64(0), lambda s, x: tf.cast(s, tf.float32))
    with pytest.raises(ValueError, match="same nested structure"):
        Dataset.range(3).reduce(np.int64(0), lambda s, x: (s, x))


def test_reduce_of_a_fed_dataset(graph):
    values = tf.placeholder(tf.float32, [None])
    mean = Dataset.from_tensor_slices(values).reduce((0.0, 0.0), lambda s, x: (s[0] + x, s[1] + 1.0))
    with tf.Session() as sess:
        total, count = sess.run(mean, {values: [1.0, 2.0, 6.0]})
    assert (total, count) == (9.0, 3.0)


# -------------------------------------------------------------------------------------- feedable iterators

def test_feedable_iterator_switches_between_datasets_keeping_each_position(graph):
    train = Dataset.range(100).repeat()
    validation = Dataset.range(1000, 1003)
    handle = tf.placeholder(tf.string, shape=[])
    iterator = tf.data.Iterator.from_string_handle(handle, train.output_types, train.output_shapes)
    nxt = iterator.get_next()
    assert nxt.dtype == tf.int64 and iterator.string_handle() is handle
    train_iterator = train.make_one_shot_iterator()
    validation_iterator = validation.make_initializable_iterator()
    with tf.Session() as sess:
        train_handle, validation_handle = sess.run([train_iterator.string_handle(),
                                                    validation_iterator.string_handle()])
        assert isinstance(train_handle, bytes)
        assert [sess.run(nxt, {handle: train_handle}) for _ in range(3)] == [0, 1, 2]
        for _ in range(2):   # validate twice: each time from the start
            sess.run(validation_iterator.initializer)
            assert drain(nxt, sess, {handle: validation_handle}) == [1000, 1001, 1002]
            assert sess.run(nxt, {handle: train_handle}) in (3, 4)   # training goes on where it stopped
        with pytest.raises(errors.InvalidArgumentError, match="Could not parse string_handle"):
            sess.run(nxt, {handle: b"not a handle"})
    with pytest.raises(ValueError, match="from_string_handle"):
        iterator.make_initializer(validation)


def test_feedable_iterator_checks_the_fed_iterator(graph):
    handle = tf.placeholder(tf.string, shape=[])
    floats = tf.data.Iterator.from_string_handle(handle, tf.float32, [None]).get_next()
    vectors = tf.data.Iterator.from_string_handle(handle, tf.int64, [3]).get_next()
    pairs = tf.data.Iterator.from_string_handle(handle, (tf.int64, tf.int64)).get_next()
    ints = Dataset.from_tensors(np.arange(2)).make_one_shot_iterator()   # int64 vectors of length 2
    with tf.Session() as sess:
        ints_handle = sess.run(ints.string_handle())
        with pytest.raises(errors.InvalidArgumentError, match="Data type mismatch at component 0: expected float32 "
                                                              "but got int64"):
            sess.run(floats, {handle: ints_handle})
        with pytest.raises(errors.InvalidArgumentError, match="Incompatible shapes at component 0"):
            sess.run(vectors, {handle: ints_handle})
        with pytest.raises(errors.InvalidArgumentError, match="expected 2 types but got 1"):
            sess.run(pairs, {handle: ints_handle})
        with tf.Graph().as_default():   # an iterator of the same name in another graph is another iterator
            foreign = tf.Session().run(Dataset.from_tensors(np.arange(2)).make_one_shot_iterator().string_handle())
        with pytest.raises(errors.InvalidArgumentError, match="Could not parse string_handle"):
            sess.run(floats, {handle: foreign})
    with pytest.raises(TypeError, match="scalar tf.string"):
        tf.data.Iterator.from_string_handle(tf.placeholder(tf.int32, []), tf.int64)


def test_constants_and_compat_names():
    assert tf.data.AUTOTUNE == tf.data.experimental.AUTOTUNE == -1
    dataset = Dataset.from_generator(lambda: iter([]), (tf.int64, tf.string), ([2], []))
    assert tf.data.get_output_types(dataset) == (tf.int64, tf.string)
    assert tf.data.get_output_shapes(dataset) == (tf.TensorShape([2]), tf.TensorShape([]))
    assert tf.data.get_output_classes(dataset) == (tf.Tensor, tf.Tensor)
    assert repr(dataset) == "<GeneratorDataset shapes: ((2,), ()), types: (tf.int64, tf.string)>"


# ------------------------------------------------------------------------------------------- a TF1 program

def write_lines(path, rows):
    """Lines ``"y | x1 x2 ..."``, the kind of text file a TF1 tutorial parses."""
    path.write_text("".join(f"{y:.4f} | {' '.join(f'{v:.4f}' for v in xs)}\n" for y, xs in rows))
    return str(path)


def test_a_text_file_program_trains_with_padded_batches_and_a_validation_switch(tmp_path, graph):
    rng = np.random.default_rng(0)
    make = lambda n: [(2.0 * xs.sum() + 1.0, xs) for xs in (rng.uniform(-1, 1, rng.integers(1, 6))
                                                            for _ in range(n))]
    train_file, validation_file = write_lines(tmp_path / "train.txt", make(64)), \
        write_lines(tmp_path / "validation.txt", make(16))

    def parse(line):   # string split and to-number, in Python, as TF1 programs did with py_func
        def split(text):   # a string scalar arrives as bytes, as in TF
            label, values = text.decode().split("|")
            return np.float32(label), np.array(values.split(), dtype=np.float32)
        label, values = tf.py_func(split, [line], [tf.float32, tf.float32])
        label.set_shape([])
        values.set_shape([None])
        return values, label

    def pipeline(path):
        return tf.data.TextLineDataset(path).map(parse).padded_batch(16, padded_shapes=([None], []))

    train = pipeline(train_file).shuffle(4, seed=1).repeat()
    validation = pipeline(validation_file)
    handle = tf.placeholder(tf.string, shape=[])
    iterator = tf.data.Iterator.from_string_handle(handle, train.output_types, train.output_shapes)
    values, labels = iterator.get_next()
    assert values.shape == tf.TensorShape([None, None]) and labels.shape == tf.TensorShape([None])
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    prediction = w * tf.reduce_sum(values, axis=1) + b    # padding zeros add nothing to the sum
    loss = tf.reduce_mean(tf.squared_difference(prediction, labels))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    train_iterator, validation_iterator = train.make_one_shot_iterator(), validation.make_initializable_iterator()

    def validation_loss(sess, validation_handle):
        sess.run(validation_iterator.initializer)
        losses = drain(loss, sess, {handle: validation_handle})
        assert len(losses) == 1   # 16 lines: one batch
        return losses[0]

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        train_handle, validation_handle = sess.run([train_iterator.string_handle(),
                                                    validation_iterator.string_handle()])
        before = validation_loss(sess, validation_handle)
        for _ in range(150):
            sess.run(train_op, {handle: train_handle})
        after = validation_loss(sess, validation_handle)
        np.testing.assert_allclose(sess.run([w, b]), [2.0, 1.0], atol=0.01)
    assert after < 1e-4 < before
