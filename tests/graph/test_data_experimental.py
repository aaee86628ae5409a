"""tf.data.experimental: group_by_window, bucket_by_sequence_length, choose_from_datasets, sample_from_datasets,
parallel_interleave, get_single_element, ignore_errors, take_while, scan, Counter, enumerate_dataset and
cardinality — each checked on the exact elements an iterator hands out, most through ``Dataset.apply``."""
import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import drain, elements

Dataset = tf.data.Dataset
E = tf.data.experimental


def values(dataset):
    """The elements as plain Python values (nested lists for arrays, tuples kept)."""
    def plain(v):
        if isinstance(v, tuple):
            return tuple(plain(x) for x in v)
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v.tolist() if isinstance(v, np.ndarray) else v
    return [plain(v) for v in elements(dataset)]


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def sequences(rows, dtype=tf.int64):
    """A dataset of int vectors of different lengths."""
    return Dataset.from_generator(lambda: iter(rows), dtype, [None])


def length(x):
    return tf.shape(x)[0]


# --------------------------------------------------------------------------------------------- group_by_window

def test_group_by_window_emits_full_windows_then_flushes_the_rest_by_increasing_key():
    parity = Dataset.range(10).apply(E.group_by_window(lambda x: x % 2, lambda key, window: window.batch(3), 3))
    assert parity.output_shapes == tf.TensorShape([None]) and parity.output_types == tf.int64
    assert values(parity) == [[0, 2, 4], [1, 3, 5], [6, 8], [7, 9]]
    # no group fills up: all are flushed at the end in key order (0, 1, 2), not in the order keys first came (1, 2, 0)
    mixed = Dataset.from_tensor_slices(np.array([7, 2, 4, 9, 1], np.int64))
    flushed = mixed.apply(E.group_by_window(lambda x: x % 3, lambda key, window: window.batch(5), window_size=5))
    assert values(flushed) == [[9], [7, 4, 1], [2]]
    # keys are signed int64s, flushed in numeric order
    signed = mixed.apply(E.group_by_window(lambda x: 5 - x, lambda key, window: window.map(lambda x: x * 10), 9))
    assert values(signed) == [90, 70, 40, 20, 10]


def test_group_by_window_passes_the_key_and_takes_window_sizes_per_key():
    def reduce_func(key, window):
        return window.batch(10).map(lambda batch: (key, batch))

    dataset = Dataset.range(10).apply(E.group_by_window(lambda x: x % 3, reduce_func,
                                                        window_size_func=lambda key: key + 2))
    assert dataset.output_types == (tf.int64, tf.int64)
    assert values(dataset) == [(0, [0, 3]), (1, [1, 4, 7]), (0, [6, 9]), (2, [2, 5, 8])]


def test_group_by_window_of_pairs_repeats_and_fed_window_size():
    pairs = Dataset.zip((Dataset.range(6), Dataset.range(6).map(lambda x: x * x)))
    grouped = pairs.apply(E.group_by_window(lambda i, square: square % 2,   # a tuple element: two arguments
                                            lambda key, window: window.batch(2), window_size=2))
    assert grouped.output_shapes == (tf.TensorShape([None]), tf.TensorShape([None]))
    assert values(grouped) == [([0, 2], [0, 4]), ([1, 3], [1, 9]), ([4], [16]), ([5], [25])]
    # every epoch starts with empty groups
    twice = Dataset.range(3).apply(E.group_by_window(lambda x: x % 2, lambda k, w: w.batch(2), 2)).repeat(2)
    assert values(twice) == [[0, 2], [1], [0, 2], [1]]
    size = tf.placeholder(tf.int64, [])
    fed = Dataset.range(5).apply(E.group_by_window(lambda x: x * 0, lambda k, w: w.batch(5), window_size=size))
    iterator = tf.data.make_initializable_iterator(fed)
    with tf.Session() as sess:
        sess.run(iterator.initializer, {size: 2})
        assert [b.tolist() for b in drain(iterator.get_next(), sess)] == [[0, 1], [2, 3], [4]]


def test_group_by_window_errors():
    numbers = Dataset.range(4)
    with pytest.raises(ValueError, match="either window_size or window_size_func"):
        E.group_by_window(lambda x: x, lambda k, w: w)
    with pytest.raises(ValueError, match="either window_size or window_size_func"):
        E.group_by_window(lambda x: x, lambda k, w: w, 2, lambda k: k)
    with pytest.raises(ValueError, match="`key_func` must return a single tf.int64 tensor"):
        numbers.apply(E.group_by_window(lambda x: tf.cast(x, tf.int32), lambda k, w: w, 2))
    with pytest.raises(TypeError, match="`reduce_func` must return a `Dataset` object"):
        numbers.apply(E.group_by_window(lambda x: x, lambda k, w: k, 2))
    with pytest.raises(ValueError, match="Window size must be greater than zero, but got 0"):
        numbers.apply(E.group_by_window(lambda x: x, lambda k, w: w, 0))
    with pytest.raises(ValueError, match="`window_size_func` must return a single tf.int64 scalar"):
        numbers.apply(E.group_by_window(lambda x: x, lambda k, w: w, window_size_func=lambda k: [k, k]))
    zero = numbers.apply(E.group_by_window(lambda x: x, lambda k, w: w, window_size_func=lambda k: k - k))
    with pytest.raises(errors.InvalidArgumentError, match="Window size must be greater than zero, but got 0"):
        elements(zero)


# ----------------------------------------------------------------------------------- bucket_by_sequence_length

ROWS = [[1], [1, 2, 3], [1, 2], [1, 2, 3, 4, 5], [7], [1, 2, 3, 4], [8, 8], [9]]


def test_bucket_by_sequence_length_batches_each_bucket_and_pads_to_the_longest():
    # buckets: lengths [0, 2), [2, 4), [4, inf); two elements a batch
    dataset = sequences(ROWS).apply(E.bucket_by_sequence_length(length, [2, 4], [2, 2, 2]))
    assert dataset.output_shapes == tf.TensorShape([None, None]) and dataset.output_types == tf.int64
    assert values(dataset) == [[[1, 2, 3], [1, 2, 0]], [[1], [7]], [[1, 2, 3, 4, 5], [1, 2, 3, 4, 0]],
                               [[9]], [[8, 8]]]   # the short batches at the end, in bucket order
    sizes = sequences(ROWS).apply(E.bucket_by_sequence_length(length, [2, 4], [3, 1, 2], padding_values=-1))
    assert values(sizes) == [[[1, 2, 3]], [[1, 2]], [[1, 2, 3, 4, 5], [1, 2, 3, 4, -1]], [[8, 8]],
                             [[1], [7], [9]]]


def test_bucket_by_sequence_length_pads_to_the_bucket_boundary():
    dataset = sequences(ROWS).apply(E.bucket_by_sequence_length(length, [2, 4, 6], [2, 2, 2, 2],
                                                                pad_to_bucket_boundary=True))
    assert dataset.output_shapes == tf.TensorShape([None, None])
    assert values(dataset) == [[[1, 2, 3], [1, 2, 0]], [[1], [7]], [[1, 2, 3, 4, 5], [1, 2, 3, 4, 0]],
                               [[9]], [[8, 8, 0]]]   # bucket [2, 4) pads to 3, even a batch of [8 8]
    too_long = sequences(ROWS).apply(E.bucket_by_sequence_length(length, [2, 4], [2, 2, 2],
                                                                 pad_to_bucket_boundary=True))
    with pytest.raises(errors.InvalidArgumentError, match="elements must have length < max"):
        elements(too_long)


def test_bucket_by_sequence_length_of_pairs_with_padded_shapes_no_padding_and_drop_remainder():
    pairs = sequences(ROWS).map(lambda seq: (seq, tf.reduce_sum(seq)))
    padded = pairs.apply(E.bucket_by_sequence_length(lambda seq, total: length(seq), [3], [3, 3],
                                                     padded_shapes=([6], []), padding_values=(-1, None)))
    assert padded.output_shapes == (tf.TensorShape([None, 6]), tf.TensorShape([None]))
    assert values(padded) == [([[1, -1, -1, -1, -1, -1], [1, 2, -1, -1, -1, -1], [7, -1, -1, -1, -1, -1]],
                               [1, 3, 7]),
                              ([[1, 2, 3, -1, -1, -1], [1, 2, 3, 4, 5, -1], [1, 2, 3, 4, -1, -1]], [6, 15, 10]),
                              ([[8, 8, -1, -1, -1, -1], [9, -1, -1, -1, -1, -1]], [16, 9])]
    dropped = sequences(ROWS).apply(E.bucket_by_sequence_length(length, [2, 4], [2, 2, 2], drop_remainder=True))
    assert values(dropped) == [[[1, 2, 3], [1, 2, 0]], [[1], [7]], [[1, 2, 3, 4, 5], [1, 2, 3, 4, 0]]]
    scalars = Dataset.range(7).apply(E.bucket_by_sequence_length(lambda x: x, [3], [2, 3], no_padding=True))
    assert values(scalars) == [[0, 1], [3, 4, 5], [2], [6]]


def test_bucket_by_sequence_length_errors():
    with pytest.raises(ValueError, match=r"len\(bucket_batch_sizes\) must equal len\(bucket_boundaries\) \+ 1"):
        E.bucket_by_sequence_length(length, [2, 4], [2, 2])
    with pytest.raises(ValueError, match="sorted in increasing order"):
        E.bucket_by_sequence_length(length, [4, 2], [2, 2, 2])


# ------------------------------------------------------------------------------------ choose and sample

def test_choose_from_datasets_follows_the_choices_and_skips_exhausted_datasets():
    choices = Dataset.from_tensor_slices(np.array([0, 1, 1, 1, 0, 0, 0, 1], np.int64))
    chosen = E.choose_from_datasets([Dataset.range(3), Dataset.range(10, 12)], choices)
    # the fourth choice (1) finds the second dataset exhausted and is skipped; the pass ends once both are
    assert values(chosen) == [0, 10, 11, 1, 2]
    assert values(E.choose_from_datasets([Dataset.range(5), Dataset.range(10, 15)],
                                         Dataset.range(2).repeat(2))) == [0, 10, 1, 11]   # the choices end first
    vectors = E.choose_from_datasets([Dataset.from_tensors([1, 2]), Dataset.from_tensors([3, 4, 5])],
                                     Dataset.range(2))
    assert vectors.output_shapes == tf.TensorShape([None]) and values(vectors) == [[1, 2], [3, 4, 5]]


def test_choose_from_datasets_errors():
    with pytest.raises(TypeError, match="`choice_dataset` must be a dataset of scalar `tf.int64` tensors"):
        E.choose_from_datasets([Dataset.range(2)], Dataset.from_tensor_slices(np.array([0], np.int32)))
    with pytest.raises(TypeError, match="All datasets must have the same type"):
        E.choose_from_datasets([Dataset.range(2), Dataset.from_tensors(1.0)], Dataset.range(2))
    with pytest.raises(TypeError, match="non-empty list of datasets"):
        E.choose_from_datasets([], Dataset.range(2))
    out_of_range = E.choose_from_datasets([Dataset.range(2), Dataset.range(2)], Dataset.range(3))
    with pytest.raises(errors.InvalidArgumentError, match="Selector index out of range: 2 >= 2"):
        elements(out_of_range)


def test_sample_from_datasets_keeps_each_order_takes_every_element_and_repeats_with_a_seed():
    a, b = Dataset.range(20), Dataset.range(100, 120)
    got = values(E.sample_from_datasets([a, b], [0.5, 0.5], seed=7))
    assert sorted(got) == list(range(20)) + list(range(100, 120))          # every element once ...
    assert [x for x in got if x < 100] == list(range(20))                  # ... each dataset's in its order
    assert [x for x in got if x >= 100] == list(range(100, 120))
    assert got != sorted(got)                                               # and mixed
    assert values(E.sample_from_datasets([a, b], [0.5, 0.5], seed=7)) == got   # the same seed, the same draws
    uniform = E.sample_from_datasets([a, b], seed=7)
    assert sorted(values(uniform)) == sorted(got)
    iterator = tf.data.make_initializable_iterator(uniform.take(10))
    with tf.Session() as sess:   # every pass starts its draws from the seed again
        sess.run(iterator.initializer)
        first = [int(x) for x in drain(iterator.get_next(), sess)]
        sess.run(iterator.initializer)
        assert [int(x) for x in drain(iterator.get_next(), sess)] == first


def test_sample_from_datasets_follows_the_weights():
    zeros, ones = Dataset.from_tensors(np.int64(0)).repeat(), Dataset.from_tensors(np.int64(1)).repeat()
    draws = np.array(values(E.sample_from_datasets([zeros, ones], [0.8, 0.2], seed=1).take(4000)))
    assert abs(draws.mean() - 0.2) < 0.03
    only_first = E.sample_from_datasets([Dataset.range(4).repeat(), Dataset.range(100, 104)], [1.0, 0.0])
    assert values(only_first.take(6)) == [0, 1, 2, 3, 0, 1]   # weight 0: never chosen
    # weights from a dataset, one vector per element: three from the first, then two from the second, then the end
    weights = Dataset.from_tensors([1.0, 0.0]).repeat(3).concatenate(Dataset.from_tensors([0.0, 1.0]).repeat(2))
    assert values(E.sample_from_datasets([Dataset.range(10), Dataset.range(100, 110)], weights)) == \
        [0, 1, 2, 100, 101]
    single = Dataset.range(3)
    assert E.sample_from_datasets([single], [1.0]) is single


def test_sample_from_datasets_errors():
    pair = [Dataset.range(2), Dataset.range(2)]
    with pytest.raises(TypeError, match="`tf.float32` or `tf.float64`"):
        E.sample_from_datasets(pair, [1, 2])
    with pytest.raises(ValueError, match="vector of length `len\\(datasets\\)`"):
        E.sample_from_datasets(pair, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="float vectors of length 2"):
        E.sample_from_datasets(pair, Dataset.from_tensors([1, 2]))
    with pytest.raises(errors.InvalidArgumentError, match="finite non-negative"):
        elements(E.sample_from_datasets(pair, [1.0, -1.0]))


# ---------------------------------------------------------------------------------------- parallel_interleave

def test_parallel_interleave_gives_interleave_order():
    def repeated(x):
        return Dataset.from_tensors(x).repeat(x)

    for cycle, block in [(2, 1), (2, 2), (3, 1), (1, 3)]:
        numbers = Dataset.range(1, 5)
        expected = values(numbers.interleave(repeated, cycle, block))
        assert values(numbers.apply(E.parallel_interleave(repeated, cycle, block))) == expected
        assert values(numbers.apply(E.parallel_interleave(repeated, cycle, block, sloppy=True))) == expected
    assert values(Dataset.range(1, 5).apply(E.parallel_interleave(repeated, 2, 2))) == \
        [1, 2, 2, 3, 3, 3, 4, 4, 4, 4]
    sixes = Dataset.range(1, 6).apply(E.parallel_interleave(lambda x: Dataset.from_tensors(x).repeat(6), 2, 4))
    assert values(sixes) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4,
                             5, 5, 5, 5, 5, 5]   # the example of TF's interleave documentation
    with pytest.raises(ValueError, match="`cycle_length` must be greater than 0"):
        E.parallel_interleave(repeated, 0)
    with pytest.raises(ValueError, match="`prefetch_input_elements` must be at least 0"):
        E.parallel_interleave(repeated, 2, prefetch_input_elements=-1)


# ----------------------------------------------------------------------------------------- get_single_element

def test_get_single_element():
    pair = E.get_single_element(Dataset.from_tensors((np.int32(3), np.array([1.0, 2.0], np.float32))))
    assert pair[1].shape.as_list() == [2] and pair[1].dtype == tf.float32
    got = run(pair)
    assert got[0] == 3 and got[1].tolist() == [1.0, 2.0]
    x = tf.placeholder(tf.int64, [None])
    total = E.get_single_element(Dataset.from_tensor_slices(x).batch(10).map(lambda b: {"sum": tf.reduce_sum(b)}))
    assert run(total, {x: [1, 2, 3]}) == {"sum": 6}
    with pytest.raises(errors.InvalidArgumentError, match="Dataset was empty"):
        run(E.get_single_element(Dataset.range(0)))
    with pytest.raises(errors.InvalidArgumentError, match="Dataset had more than one element"):
        run(E.get_single_element(Dataset.range(2)))
    with pytest.raises(TypeError, match="must be a `tf.data.Dataset` object"):
        E.get_single_element(tf.constant(1))


# ------------------------------------------------------------------------------ ignore_errors, take_while

def test_ignore_errors_drops_the_elements_that_raised():
    inverses = Dataset.from_tensor_slices([1.0, 2.0, 0.0, 4.0]).map(lambda x: tf.check_numerics(1.0 / x, "error"))
    with pytest.raises(errors.InvalidArgumentError):
        elements(inverses)
    assert values(inverses.apply(E.ignore_errors())) == [1.0, 0.5, 0.25]
    assert values(inverses.apply(E.ignore_errors()).batch(2)) == [[1.0, 0.5], [0.25]]
    with pytest.raises(errors.UnimplementedError, match="right after the map that fails"):
        elements(inverses.batch(2).apply(E.ignore_errors()))


def test_take_while_stops_at_the_first_refused_element():
    assert values(Dataset.range(10).apply(E.take_while(lambda x: x < 4))) == [0, 1, 2, 3]
    assert values(Dataset.from_tensor_slices([1, 2, 5, 1]).apply(E.take_while(lambda x: x < 3))) == [1, 2]
    pairs = Dataset.zip((Dataset.range(5), Dataset.range(5).map(lambda x: 2 * x)))
    assert values(pairs.apply(E.take_while(lambda a, b: a + b < 7))) == [(0, 0), (1, 2), (2, 4)]
    assert values(E.Counter().apply(E.take_while(lambda x: x < 3))) == [0, 1, 2]   # an endless input stops
    with pytest.raises(ValueError, match="`predicate` return type must be convertible to a scalar boolean"):
        Dataset.range(3).apply(E.take_while(lambda x: x))


# ------------------------------------------------------------------------------- scan, Counter, enumerate

def test_scan_carries_a_state_from_element_to_element():
    sums = Dataset.range(5).apply(E.scan(tf.constant(0, tf.int64), lambda total, x: (total + x, total + x)))
    assert sums.output_types == tf.int64 and values(sums) == [0, 1, 3, 6, 10]
    assert values(sums.repeat(2)) == [0, 1, 3, 6, 10, 0, 1, 3, 6, 10]   # each pass starts from the initial state
    fibonacci = Dataset.range(7).apply(E.scan((np.int64(0), np.int64(1)),
                                              lambda state, _: ((state[1], state[0] + state[1]), {"f": state[0]})))
    assert values(fibonacci) == [{"f": 0}, {"f": 1}, {"f": 1}, {"f": 2}, {"f": 3}, {"f": 5}, {"f": 8}]
    # a growing state: its shape is relaxed to (?,), as for Dataset.reduce
    prefixes = Dataset.range(1, 4).apply(E.scan(tf.zeros([0], tf.int64),
                                                lambda seen, x: (tf.concat([seen, [x]], 0), tf.size(seen))))
    assert values(prefixes) == [0, 1, 2]


def test_scan_errors():
    numbers = Dataset.range(3)
    with pytest.raises(TypeError, match="must return a pair comprising the new state and the output value"):
        numbers.apply(E.scan(np.int64(0), lambda s, x: s + x))
    with pytest.raises(TypeError, match="element types for the new state must match the initial state"):
        numbers.apply(E.scan(np.int64(0), lambda s, x: (tf.cast(s, tf.float32), x)))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        numbers.apply(E.scan(np.int64(0), lambda s, x: ((s, s), x)))


def test_counter_and_enumerate_dataset():
    assert values(E.Counter().take(4)) == [0, 1, 2, 3]
    assert values(E.Counter(10, -3).take(3)) == [10, 7, 4]
    halves = E.Counter(0.5, 0.25, dtype=tf.float32)
    assert halves.output_types == tf.float32 and values(halves.take(3)) == [0.5, 0.75, 1.0]
    letters = Dataset.from_tensor_slices(np.array([b"a", b"b"], dtype=object))
    assert values(letters.apply(E.enumerate_dataset(start=5))) == [(5, b"a"), (6, b"b")]


# ------------------------------------------------------------------------------------------------ cardinality

def test_cardinality_counts_from_the_recipe():
    filtered = Dataset.range(5).filter(lambda _: True)
    cases = [
        (Dataset.range(5).batch(2, drop_remainder=True), 2), (Dataset.range(5).batch(2), 3),
        (filtered.batch(2), E.UNKNOWN_CARDINALITY), (Dataset.range(5).repeat().batch(2), E.INFINITE_CARDINALITY),
        (Dataset.range(5).cache(), 5), (Dataset.range(5).concatenate(Dataset.range(5)), 10),
        (filtered.concatenate(Dataset.range(5)), -2), (Dataset.range(5).repeat().concatenate(filtered), -1),
        (Dataset.range(5).flat_map(lambda _: Dataset.from_tensors(0)), -2), (filtered, -2),
        (Dataset.from_tensors((0, 1)), 1), (Dataset.from_tensor_slices(([0, 0, 0], [1, 1, 1])), 3),
        (Dataset.range(5).interleave(lambda _: Dataset.from_tensors(0), cycle_length=1), -2),
        (Dataset.range(5).map(lambda x: x), 5), (Dataset.range(5).padded_batch(2, []), 3),
        (Dataset.range(5).prefetch(1), 5), (Dataset.range(0), 0), (Dataset.range(10, 5), 0),
        (Dataset.range(5, 10, 2), 3), (Dataset.range(10, 5, -2), 3),
        (Dataset.range(0).repeat(), 0), (Dataset.range(1).repeat(0), 0), (Dataset.range(1).repeat(5), 5),
        (Dataset.range(1).repeat(), -1), (Dataset.range(5).shuffle(1), 5), (Dataset.range(5).shard(2, 0), 3),
        (Dataset.range(5).shard(8, 7), 0), (Dataset.range(5).repeat().shard(2, 0), -1),
        (Dataset.range(5).skip(2), 3), (Dataset.range(5).skip(8), 0), (Dataset.range(5).repeat().skip(2), -1),
        (Dataset.range(5).take(2), 2), (Dataset.range(5).take(8), 5), (filtered.take(2), -2),
        (Dataset.range(5).repeat().take(2), 2), (Dataset.range(5).window(2, 2, drop_remainder=True), 2),
        (Dataset.range(5).window(2, 2), 3), (Dataset.zip((Dataset.range(5), Dataset.range(3))), 3),
        (Dataset.zip((Dataset.range(5), Dataset.range(3).repeat())), 5),
        (Dataset.zip((Dataset.range(5).repeat(), Dataset.range(3).repeat())), -1),
        (Dataset.zip((Dataset.range(5), filtered)), -2),
        (Dataset.range(5).apply(E.enumerate_dataset()), 5), (E.Counter(), -1),
        (Dataset.range(5).apply(E.scan(np.int64(0), lambda s, x: (s, x))), 5),
        (Dataset.range(5).apply(E.group_by_window(lambda x: x, lambda k, w: w, 2)), -2),
        (sequences([[1]]), -2), (Dataset.range(4).batch(2).unbatch(), -2),
    ]
    counts = run([E.cardinality(dataset) for dataset, _ in cases])
    assert list(counts) == [expected for _, expected in cases]
    assert (E.INFINITE_CARDINALITY, E.UNKNOWN_CARDINALITY) == (-1, -2)


def test_cardinality_of_windows_matches_their_number_and_reads_fed_values():
    for size, shift, stride, drop in [(3, 1, 1, True), (3, 2, 2, True), (2, 4, 1, False), (4, 1, 3, True)]:
        windows = Dataset.range(11).window(size, shift, stride, drop)
        count = len(values(windows.flat_map(lambda w: w.batch(size))))
        assert run(E.cardinality(windows)) == count
    batch_size, rows = tf.placeholder(tf.int64, []), tf.placeholder(tf.float32, [None, 2])
    total = E.cardinality(Dataset.from_tensor_slices(rows).batch(batch_size))
    assert run(total, {batch_size: 4, rows: np.zeros((10, 2))}) == 3
    with pytest.raises(TypeError, match="must be a `tf.data.Dataset` object"):
        E.cardinality([1, 2])


# ---------------------------------------------------------------------------- padded_batch with tensor dims

def test_padded_batch_pads_to_a_dim_given_as_a_tensor():
    width = tf.placeholder(tf.int64, [])
    padded = sequences([[1], [2, 3]]).padded_batch(2, padded_shapes=[width], padding_values=np.int64(-1))
    assert padded.output_shapes == tf.TensorShape([None, None])
    iterator = tf.data.make_initializable_iterator(padded)
    with tf.Session() as sess:
        sess.run(iterator.initializer, {width: 4})
        assert [b.tolist() for b in drain(iterator.get_next(), sess)] == [[[1, -1, -1, -1], [2, 3, -1, -1]]]
        sess.run(iterator.initializer, {width: -1})   # -1: the longest in the batch
        assert [b.tolist() for b in drain(iterator.get_next(), sess)] == [[[1, -1], [2, 3]]]
    constant = sequences([[1]]).padded_batch(1, padded_shapes=[tf.constant(3)])
    assert constant.output_shapes == tf.TensorShape([None, 3]) and values(constant) == [[[1, 0, 0]]]


def test_the_functions_are_also_in_tf_contrib_data():
    assert tf.contrib.data.group_by_window is E.group_by_window and tf.contrib.data.scan is E.scan
    assert tf.contrib.data.sample_from_datasets is E.sample_from_datasets
