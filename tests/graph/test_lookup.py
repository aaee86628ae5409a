"""tf.lookup (and tf.contrib.lookup): hash tables from tensors and text files, vocabulary tables with hashed
out-of-vocabulary buckets, id -> string tables, tables_initializer and the monitored session's local init op, the
per-session contents, and TF's errors. Expected ids are worked out by hand; the buckets by an independent BLAKE2b."""
import hashlib

import numpy
import pytest

import minidl.graph as tf


def blake_bucket(value, size):
    """The documented hash, computed independently: 8-byte BLAKE2b of the key's bytes (an integer's decimal
    digits), little-endian, mod size."""
    data = value.encode() if isinstance(value, str) else str(value).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little") % size


def initialized_run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.tables_initializer())
        return sess.run(fetches, feed_dict)


def write(tmp_path, text, name="vocab.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


# ============================================================================================ StaticHashTable

def test_static_hash_table_maps_keys_of_any_shape_and_gives_the_default_for_missing_ones():
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(["a", "b", "c"], numpy.array([10, 20, 30], numpy.int64)), -1)
    assert (table.key_dtype, table.value_dtype, table.name) == (tf.string, tf.int64, "hash_table")
    assert table.init is table.initializer and table.initializer.type == "InitializeTableV2"
    keys = tf.constant([["b", "zz"], ["a", "c"]])
    values = table.lookup(keys)
    assert values.dtype == tf.int64 and values.shape.as_list() == [2, 2]
    looked_up, size = initialized_run([values, table.size()])
    numpy.testing.assert_array_equal(looked_up, [[20, -1], [10, 30]])
    assert size == 3


def test_integer_keys_to_string_values_and_python_lists_as_keys():
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer([3, 7], ["three", "seven"], key_dtype=tf.int64), "?")
    from_tensor = table.lookup(tf.constant([7, 3, 5], tf.int64))
    from_list = table.lookup([[5], [3]])  # made a constant of the key dtype
    got_tensor, got_list = initialized_run([from_tensor, from_list])
    assert list(got_tensor) == [b"seven", b"three", b"?"]
    assert got_list.tolist() == [[b"?"], [b"three"]]


def test_int32_keys_and_values_and_a_fed_key():
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer([1, 2], [3, 4]), -1)
    assert (table.key_dtype, table.value_dtype) == (tf.int32, tf.int32)
    keys = tf.placeholder(tf.int32, [None])
    got = initialized_run(table.lookup(keys), {keys: [2, 9, 1]})
    assert got.dtype == numpy.int32 and list(got) == [4, -1, 3]


def test_a_key_repeated_with_the_same_value_is_one_entry():
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a", "a", "b"], [1, 1, 2]), 0)
    assert initialized_run(table.size()) == 2


# ================================================================================= vocabularies from tensors

def test_index_table_from_tensor_gives_positions_and_the_default_value():
    vocabulary = ["emerson", "lake", "palmer"]
    words = tf.constant(["emerson", "lake", "and", "palmer"])
    minus_one = tf.lookup.index_table_from_tensor(vocabulary).lookup(words)
    seven = tf.lookup.index_table_from_tensor(vocabulary, default_value=7).lookup(words)
    got_minus_one, got_seven = initialized_run([minus_one, seven])
    assert list(got_minus_one) == [0, 1, -1, 2]
    assert list(got_seven) == [0, 1, 7, 2]


def test_out_of_vocabulary_buckets_follow_the_vocabulary_and_use_the_documented_hash():
    table = tf.lookup.index_table_from_tensor(["emerson", "lake", "palmer"], num_oov_buckets=2)
    words = ["emerson", "lake", "and", "palmer", "king", "crimson"]
    ids = table.lookup(tf.constant(words))
    got, size = initialized_run([ids, table.size()])
    assert list(got) == [0, 1, 3 + blake_bucket("and", 2), 2, 3 + blake_bucket("king", 2),
                         3 + blake_bucket("crimson", 2)]
    assert size == 5


def test_out_of_vocabulary_buckets_are_stable_across_sessions_and_in_range():
    table = tf.lookup.index_table_from_tensor(["a", "b"], num_oov_buckets=7)
    words = [f"word{i}" for i in range(50)]
    ids = table.lookup(tf.constant(words))
    first, second = initialized_run(ids), initialized_run(ids)
    numpy.testing.assert_array_equal(first, second)
    assert ((first >= 2) & (first < 9)).all()
    assert len(set(first.tolist())) > 1  # they spread over the buckets


def test_out_of_vocabulary_buckets_agree_with_the_feature_columns():
    vocabulary, words = ["a", "b", "c"], ["b", "x", "yy", "zzz", "a", "hello"]
    table = tf.lookup.index_table_from_tensor(vocabulary, num_oov_buckets=5)
    column = tf.feature_column.categorical_column_with_vocabulary_list("w", vocabulary, num_oov_buckets=5)
    hashed = tf.feature_column.categorical_column_with_hash_bucket("w", 5)
    everything_oov = tf.lookup.StaticVocabularyTable(None, 5)
    features = {"w": tf.constant(words)}
    from_table, from_column, from_hashing, from_buckets = initialized_run(
        [table.lookup(tf.constant(words)), column.ids(features), hashed.ids(features),
         everything_oov.lookup(tf.constant(words))])
    numpy.testing.assert_array_equal(from_table, from_column[:, 0])
    numpy.testing.assert_array_equal(from_buckets, from_hashing[:, 0])
    assert list(from_buckets) == [blake_bucket(w, 5) for w in words]


def test_integer_vocabularies_hash_integers_through_their_digits():
    table = tf.lookup.index_table_from_tensor(numpy.array([10, 20, 30], numpy.int64), num_oov_buckets=4,
                                              dtype=tf.int64)
    narrow = tf.lookup.index_table_from_tensor([10, 20], num_oov_buckets=1, dtype=tf.int32)
    got, got_narrow = initialized_run([table.lookup(tf.constant([20, 99, 30], tf.int64)),
                                       narrow.lookup(tf.constant([20, 5], tf.int32))])
    assert list(got) == [1, 3 + blake_bucket(99, 4), 2]
    assert list(got_narrow) == [1, 2]


def test_static_vocabulary_table_over_an_initializer():
    initializer = tf.lookup.KeyValueTensorInitializer(["x", "y"], numpy.array([5, 0], numpy.int64))
    table = tf.lookup.StaticVocabularyTable(initializer, num_oov_buckets=3)
    assert (table.key_dtype, table.value_dtype) == (tf.string, tf.int64)
    got, size = initialized_run([table.lookup(tf.constant(["y", "x", "w"])), table.size()])
    assert list(got) == [0, 5, 2 + blake_bucket("w", 3)]  # the table's size (2) starts the buckets
    assert size == 5


def test_a_vocabulary_list_may_be_fed():
    vocabulary = tf.placeholder(tf.string, [None])
    table = tf.lookup.index_table_from_tensor(vocabulary)
    ids = table.lookup(tf.constant(["c", "a", "q"]))
    with tf.Session() as sess:
        sess.run(tf.tables_initializer(), {vocabulary: ["a", "b", "c"]})
        assert list(sess.run(ids)) == [2, 0, -1]
        sess.run(tf.tables_initializer(), {vocabulary: ["a", "b", "c"]})  # the same contents again: nothing
        with pytest.raises(tf.errors.FailedPreconditionError, match="already initialized with different data"):
            sess.run(tf.tables_initializer(), {vocabulary: ["a", "b"]})


def test_index_to_string_table_from_tensor():
    table = tf.lookup.index_to_string_table_from_tensor(["a", "b", "c"])
    other = tf.lookup.index_to_string_table_from_tensor(["a"], default_value="UNKNOWN")
    words, unknown = initialized_run([table.lookup(tf.constant([[2, 0], [5, -1]], tf.int64)),
                                      other.lookup(tf.constant([1], tf.int64))])
    assert words.tolist() == [[b"c", b"a"], [b"UNK", b"UNK"]]
    assert unknown.tolist() == [b"UNKNOWN"]


# ======================================================================================= tables from files

def test_index_tables_from_a_vocabulary_file(tmp_path):
    path = write(tmp_path, "emerson\nlake\npalmer\n")
    ids = tf.lookup.index_table_from_file(path, num_oov_buckets=1).lookup(tf.constant(["emerson", "lake", "and",
                                                                                     "palmer"]))
    plain = tf.lookup.index_table_from_file(vocabulary_file=path, default_value=0).lookup(tf.constant(["lake", "x"]))
    words = tf.lookup.index_to_string_table_from_file(path, default_value="UNKNOWN").lookup(
        tf.constant([1, 5], tf.int64))
    got_ids, got_plain, got_words = initialized_run([ids, plain, words])
    assert list(got_ids) == [0, 1, 3, 2]  # TF's documented example: one bucket, id 3
    assert list(got_plain) == [1, 0]
    assert list(got_words) == [b"lake", b"UNKNOWN"]


def test_text_file_initializer_columns_whole_line_and_line_number(tmp_path):
    path = write(tmp_path, "emerson 10\nlake 20\npalmer 30\n")
    index = tf.lookup.TextFileIndex
    assert (index.WHOLE_LINE, index.LINE_NUMBER) == (-2, -1)
    by_column = tf.lookup.StaticHashTable(
        tf.lookup.TextFileInitializer(path, tf.string, 0, tf.int64, 1, delimiter=" "), -1)
    by_line = tf.lookup.StaticHashTable(
        tf.lookup.TextFileInitializer(path, tf.string, index.WHOLE_LINE, tf.int64, index.LINE_NUMBER,
                                      delimiter=" "), -1)
    line_to_word = tf.lookup.StaticHashTable(
        tf.lookup.TextFileInitializer(path, tf.int64, index.LINE_NUMBER, tf.string, 0, delimiter=" "), "?")
    number_to_float = tf.lookup.StaticHashTable(
        tf.lookup.TextFileInitializer(path, tf.int64, 1, tf.float32, 1, delimiter=" "), -1.0)
    got = initialized_run([by_column.lookup(tf.constant(["lake", "palmer", "x"])),
                           by_line.lookup(tf.constant(["lake 20", "lake"])),
                           line_to_word.lookup(tf.constant([2, 0, 3], tf.int64)),
                           number_to_float.lookup(tf.constant([30, 11], tf.int64))])
    assert list(got[0]) == [20, 30, -1]
    assert list(got[1]) == [1, -1]
    assert list(got[2]) == [b"palmer", b"emerson", b"?"]
    assert got[3].dtype == numpy.float32 and list(got[3]) == [30.0, -1.0]


def test_tab_is_the_default_delimiter_and_crlf_or_a_missing_final_newline_do_not_matter(tmp_path):
    path = write(tmp_path, "a\t1\r\nb c\t2\r\nd\t3")
    table = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(path, tf.string, 0, tf.int64, 1), 0)
    got, size = initialized_run([table.lookup(tf.constant(["b c", "d", "a"])), table.size()])
    assert list(got) == [2, 3, 1] and size == 3


def test_integer_keys_from_a_file(tmp_path):
    path = write(tmp_path, "5\n9\n")
    table = tf.lookup.index_table_from_file(path, key_dtype=tf.int64)
    assert list(initialized_run(table.lookup(tf.constant([9, 4, 5], tf.int64)))) == [1, -1, 0]


def test_vocab_size_reads_only_the_first_lines_and_more_than_the_file_has_is_an_error(tmp_path):
    path = write(tmp_path, "a\nb\nc\n")
    table = tf.lookup.index_table_from_file(path, vocab_size=2)
    got, size = initialized_run([table.lookup(tf.constant(["a", "b", "c"])), table.size()])
    assert list(got) == [0, 1, -1] and size == 2
    tf.lookup.index_table_from_file(path, vocab_size=4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid vocab_size .*expected 4 but got 3"):
        initialized_run(tf.no_op())


def test_the_file_name_may_be_fed(tmp_path):
    first, second = write(tmp_path, "a\nb\n", "first.txt"), write(tmp_path, "b\na\n", "second.txt")
    filename = tf.placeholder(tf.string, [])
    table = tf.lookup.index_table_from_file(filename)
    ids = table.lookup(tf.constant(["a", "b"]))
    for path, expected in ((first, [0, 1]), (second, [1, 0])):
        with tf.Session() as sess:
            sess.run(table.initializer, {filename: path})
            assert list(sess.run(ids)) == expected


# ================================================================================ initialization, sessions

def test_a_lookup_before_the_initializer_ran_fails_and_the_size_is_zero():
    table = tf.lookup.index_table_from_tensor(["a"], num_oov_buckets=2)
    ids = table.lookup(tf.constant(["a", "b"]))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Table not initialized"):
            sess.run(ids)
        assert sess.run(table.size()) == 2  # nothing in the table yet, plus the buckets
        sess.run(table.initializer)
        assert list(sess.run(ids)) == [0, 1 + blake_bucket("b", 2)]


def test_tables_initializer_groups_every_table_initializer(tmp_path):
    path = write(tmp_path, "x\ny\n")
    tables = [tf.lookup.index_table_from_tensor(["a", "b"]), tf.lookup.index_table_from_file(path),
              tf.lookup.index_to_string_table_from_tensor(["p", "q"])]
    initializers = tf.get_collection(tf.GraphKeys.TABLE_INITIALIZERS)
    assert initializers == [t.initializer for t in tables]
    init = tf.tables_initializer()
    assert init.name == "init_all_tables" and set(init.control_inputs) == set(initializers)
    fetches = [tables[0].lookup(tf.constant(["b"])), tables[1].lookup(tf.constant(["y"])),
               tables[2].lookup(tf.constant([0], tf.int64))]
    with tf.Session() as sess:
        sess.run(init)
        assert [list(v) for v in sess.run(fetches)] == [[1], [1], [b"p"]]


def test_tables_initializer_without_tables_runs_and_does_nothing():
    with tf.Session() as sess:
        assert sess.run(tf.tables_initializer()) is None


def test_a_table_initializer_fills_only_its_own_table():
    first = tf.lookup.index_table_from_tensor(["a"])
    second = tf.lookup.index_table_from_tensor(["b"])
    with tf.Session() as sess:
        sess.run(first.initializer)
        assert list(sess.run(first.lookup(tf.constant(["a"])))) == [0]
        with pytest.raises(tf.errors.FailedPreconditionError, match="Table not initialized"):
            sess.run(second.lookup(tf.constant(["b"])))


def test_two_sessions_keep_their_own_tables():
    table = tf.lookup.index_table_from_tensor(["a", "b"])
    ids = table.lookup(tf.constant(["b"]))
    with tf.Session() as one, tf.Session() as two:
        one.run(table.initializer)
        assert list(one.run(ids)) == [1]
        with pytest.raises(tf.errors.FailedPreconditionError):
            two.run(ids)
        two.run(table.initializer)
        assert list(two.run(ids)) == [1]


def test_monitored_training_session_initializes_the_tables_itself():
    table = tf.lookup.index_table_from_tensor(["a", "b", "c"], num_oov_buckets=1)
    ids = table.lookup(tf.constant(["c", "zz"]))
    tf.train.get_or_create_global_step()
    with tf.train.MonitoredTrainingSession() as sess:
        assert list(sess.run(ids)) == [2, 3]


def test_tables_survive_a_meta_graph_export(tmp_path, graph):
    table = tf.lookup.index_table_from_tensor(["a", "b"], num_oov_buckets=3)
    tf.identity(table.lookup(tf.constant(["b", "q"])), name="ids")
    path = str(tmp_path / "model.meta")
    tf.train.export_meta_graph(path)
    with tf.Graph().as_default() as imported:
        tf.train.import_meta_graph(path)
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            got = sess.run(imported.get_tensor_by_name("ids:0"))
    assert list(got) == [1, 2 + blake_bucket("q", 3)]


# ================================================================================================== errors

def test_duplicate_keys_with_different_values_fail_the_initializer(tmp_path):
    tf.lookup.index_table_from_tensor(["a", "b", "a"])
    with pytest.raises(tf.errors.FailedPreconditionError,
                       match="HashTable has different value for same key. Key a has 0 and trying to add value 2"):
        initialized_run(tf.no_op())


def test_a_vocabulary_file_with_a_repeated_line_fails_the_initializer(tmp_path):
    tf.lookup.index_table_from_file(write(tmp_path, "a\nb\na\n"))
    with pytest.raises(tf.errors.FailedPreconditionError, match="different value for same key"):
        initialized_run(tf.no_op())


def test_a_missing_file_is_not_found_when_the_initializer_runs(tmp_path):
    table = tf.lookup.index_table_from_file(str(tmp_path / "nowhere.txt"))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match="nowhere.txt"):
            sess.run(table.initializer)


@pytest.mark.parametrize("text, key_index, message", [
    ("a\n\nb\n", -2, "empty line"),
    ("a 1\nb\n", 1, "Invalid number of columns .* line 1 \\(b\\) : expected 1 got 1"),
    ("a 1\nb x\n", 1, "Field x in line 1 is not a valid int64"),
])
def test_malformed_files_fail_the_initializer(tmp_path, text, key_index, message):
    value_index = tf.lookup.TextFileIndex.LINE_NUMBER
    key_dtype = tf.string if key_index == -2 else tf.int64
    table = tf.lookup.StaticHashTable(
        tf.lookup.TextFileInitializer(write(tmp_path, text), key_dtype, key_index, tf.int64, value_index,
                                      delimiter=" "), -1)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            sess.run(table.initializer)


def test_keys_of_another_dtype_are_a_type_error_when_the_lookup_is_built():
    strings = tf.lookup.index_table_from_tensor(["a"])
    with pytest.raises(TypeError, match="Signature mismatch. Keys must be dtype string, got int64"):
        strings.lookup(tf.constant([1], tf.int64))
    int64_keys = tf.lookup.index_table_from_tensor([1, 2], dtype=tf.int64)
    with pytest.raises(TypeError, match="Keys must be dtype int64, got int32"):
        int64_keys.lookup(tf.constant([1], tf.int32))
    vocabulary = tf.lookup.index_table_from_tensor(["a"], num_oov_buckets=1)
    with pytest.raises(TypeError, match="Keys must be dtype string, got float32"):
        vocabulary.lookup(tf.constant([1.0]))


def test_arguments_refused_when_the_table_is_built(tmp_path):
    with pytest.raises(ValueError, match="Signature mismatch. Keys must be dtype int64, got string"):
        tf.lookup.TextFileInitializer("v.txt", tf.string, tf.lookup.TextFileIndex.LINE_NUMBER, tf.string, -2)
    with pytest.raises(ValueError, match="Values must be dtype string, got int64"):
        tf.lookup.TextFileInitializer("v.txt", tf.int64, -1, tf.int64, -2)
    with pytest.raises(ValueError, match="Invalid vocab_size 0"):
        tf.lookup.TextFileInitializer("v.txt", tf.string, -2, tf.int64, -1, vocab_size=0)
    with pytest.raises(ValueError, match="vocabulary_file must be specified"):
        tf.lookup.index_table_from_file("")
    with pytest.raises(ValueError, match="num_oov_buckets must be greater or equal than 0"):
        tf.lookup.index_table_from_tensor(["a"], num_oov_buckets=-1)
    with pytest.raises(ValueError, match="vocabulary_list must be specified"):
        tf.lookup.index_table_from_tensor(None)
    with pytest.raises(ValueError, match="oov_buckets must be > 0"):
        tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(["a"], numpy.array([0], numpy.int64)), 0)
    with pytest.raises(TypeError, match="Invalid value dtype, expected int64 but got int32"):
        tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(["a"], [0]), 1)
    with pytest.raises(TypeError, match="Only integer and string keys"):
        tf.lookup.index_table_from_tensor([1.0], dtype=tf.float32)
    with pytest.raises(ValueError, match="default_value must be a scalar"):
        tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a"], [0]), [1, 2])


def test_the_namespaces():
    assert tf.contrib.lookup is tf.lookup and tf.compat.v1.lookup is tf.lookup
    assert tf.contrib.lookup.HashTable is tf.lookup.StaticHashTable
    assert tf.lookup.tables_initializer is tf.tables_initializer
