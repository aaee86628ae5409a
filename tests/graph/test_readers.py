"""TF1's readers (TextLineReader, WholeFileReader, TFRecordReader, FixedLengthRecordReader, IdentityReader) fed by a
queue of file names; decode_raw; read_file, write_file, matching_files and match_filenames_once."""
import gzip
import threading

import numpy as np
import pytest

import minidl.graph as tf


def write(path, data):
    path.write_bytes(data)
    return str(path)


def file_names(names):
    """A queue of file names, and the op that fills it with ``names`` and closes it (run it first)."""
    queue = tf.FIFOQueue(10, tf.string)
    with tf.control_dependencies([queue.enqueue_many([list(names)])]):
        return queue, queue.close()


def read_all(sess, fetches):
    """Run ``fetches`` until the reader finds the file name queue closed and empty."""
    got = []
    while True:
        try:
            got.append(sess.run(fetches))
        except tf.errors.OutOfRangeError:
            return got


def record_keys(name, *suffixes):
    return [f"{name}:{s}".encode() for s in suffixes]


# ------------------------------------------------------------------------------------------- TextLineReader

def test_text_lines_keys_and_files_in_order(tmp_path):
    a = write(tmp_path / "a.txt", b"alpha\nbeta\r\n\nx\ry\ngamma")  # no "\n" at the end; a "\r" inside is kept
    empty = write(tmp_path / "empty.txt", b"")
    c = write(tmp_path / "c.txt", b"one\n")
    queue, start = file_names([a, empty, c])
    reader = tf.TextLineReader()
    key, value = reader.read(queue)
    assert key.dtype == tf.string and value.dtype == tf.string and key.shape == tf.TensorShape([])
    produced, completed = reader.num_records_produced(), reader.num_work_units_completed()
    with tf.Session() as sess:
        sess.run(start)
        got = read_all(sess, [key, value])
        assert [k for k, _ in got] == record_keys(a, 1, 2, 3, 4, 5) + record_keys(c, 1)
        assert [v for _, v in got] == [b"alpha", b"beta", b"", b"x\ry", b"gamma", b"one"]
        assert sess.run([produced, completed]) == [6, 3]
        with pytest.raises(tf.errors.OutOfRangeError, match="is closed"):  # and it stays at the end
            sess.run(key)


def test_skip_header_lines_count_in_the_line_numbers(tmp_path):
    table = write(tmp_path / "table.csv", b"x,y\n# units\n1,2\n3,4\n")
    short = write(tmp_path / "short.csv", b"x,y\n")  # nothing but a header: no records
    queue, start = file_names([short, table, table])
    key, value = tf.TextLineReader(skip_header_lines=2).read(queue)
    with tf.Session() as sess:
        sess.run(start)
        got = read_all(sess, [key, value])
    assert [tuple(pair) for pair in got] == list(zip(record_keys(table, 3, 4) * 2, [b"1,2", b"3,4"] * 2))


def test_read_up_to_stops_at_the_end_of_each_file(tmp_path):
    five = write(tmp_path / "five.txt", b"1\n2\n3\n4\n5\n")
    two = write(tmp_path / "two.txt", b"6\n7\n")
    queue, start = file_names([five, two])
    reader = tf.TextLineReader()
    keys, values = reader.read_up_to(queue, 3)
    none_keys, _ = reader.read_up_to(queue, 0)
    assert keys.shape.as_list() == [None] and values.dtype == tf.string
    with tf.Session() as sess:
        sess.run(start)
        assert sess.run(none_keys).shape == (0,)  # asks for no record: takes no file either
        batches = read_all(sess, [keys, values])
        assert sess.run(reader.num_records_produced()) == 7
    assert [list(k) for k, _ in batches] == [record_keys(five, 1, 2, 3), record_keys(five, 4, 5),
                                             record_keys(two, 1, 2)]
    assert [list(v) for _, v in batches] == [[b"1", b"2", b"3"], [b"4", b"5"], [b"6", b"7"]]
    assert all(isinstance(k, np.ndarray) and k.dtype == object for k, _ in batches)


def test_counts_and_reset(tmp_path):
    a = write(tmp_path / "a.txt", b"a1\na2\na3\n")
    b = write(tmp_path / "b.txt", b"b1\n")
    queue, start = file_names([a, b])
    reader = tf.TextLineReader()
    key, _ = reader.read(queue)
    counts = [reader.num_records_produced(), reader.num_work_units_completed()]
    reset = reader.reset()
    with tf.Session() as sess:
        sess.run(start)
        assert sess.run(counts) == [0, 0]
        assert sess.run(key) == record_keys(a, 1)[0]
        assert sess.run(counts) == [1, 0]
        sess.run(reset)  # forgets a.txt, half read, and the counts
        assert sess.run(counts) == [0, 0]
        assert sess.run(key) == record_keys(b, 1)[0]
        assert sess.run(counts) == [1, 0]  # b.txt is complete only once a read finds it exhausted
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(key)
        assert sess.run(counts) == [1, 1]


def test_sessions_read_independently(tmp_path):
    a = write(tmp_path / "a.txt", b"1\n2\n")
    queue, start = file_names([a])
    key, value = tf.TextLineReader().read(queue)
    first, second = tf.Session(), tf.Session()
    for sess in (first, second):
        sess.run(start)  # each session has a queue of its own, too
    assert [second.run(value), first.run(value), first.run(value), second.run(value)] == [b"1", b"1", b"2", b"2"]
    first.close()
    second.close()


def test_a_read_waits_for_a_file_name(tmp_path):
    a = write(tmp_path / "a.txt", b"line\n")
    queue = tf.FIFOQueue(10, tf.string)
    name = tf.placeholder(tf.string, [])
    put = queue.enqueue(name)
    key, value = tf.TextLineReader().read(queue)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(value, options=tf.RunOptions(timeout_in_ms=50))
        sess.run(put, {name: a})
        assert sess.run(value) == b"line"


def test_concurrent_reads_hand_out_every_record_once(tmp_path):
    names = [write(tmp_path / f"part{i}.txt", b"".join(b"%d-%d\n" % (i, n) for n in range(60))) for i in range(3)]
    queue, start = file_names(names)
    key, value = tf.TextLineReader().read(queue)
    got = [[] for _ in range(4)]
    ready = threading.Barrier(4)

    def reader_thread(out):
        ready.wait()
        out.extend(read_all(sess, [key, value]))

    with tf.Session() as sess:
        sess.run(start)
        threads = [threading.Thread(target=reader_thread, args=(out,)) for out in got]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    records = [tuple(pair) for out in got for pair in out]
    expected = [(b"%s:%d" % (name.encode(), n + 1), b"%d-%d" % (i, n)) for i, name in enumerate(names)
                for n in range(60)]
    assert len(records) == len(expected) and sorted(records) == sorted(expected)


# ---------------------------------------------------------------------------------- other kinds of reader

def test_whole_file_reader(tmp_path):
    blob = write(tmp_path / "blob.bin", bytes(range(256)) + b"\x00")
    text = write(tmp_path / "text.txt", b"two\nlines\n")
    queue, start = file_names([blob, text])
    reader = tf.WholeFileReader()
    key, value = reader.read(queue)
    completed = reader.num_work_units_completed()
    with tf.Session() as sess:
        sess.run(start)
        assert sess.run([key, value]) == [blob.encode(), bytes(range(256)) + b"\x00"]
        assert sess.run(completed) == 1  # the one record of a file is its end
        assert sess.run([key, value]) == [text.encode(), b"two\nlines\n"]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(key)


def test_identity_reader_hands_out_the_work(tmp_path):
    queue, start = file_names(["first", "second"])
    keys, values = tf.IdentityReader().read_up_to(queue, 5)
    with tf.Session() as sess:
        sess.run(start)
        got = read_all(sess, [keys, values])
    assert [(list(k), list(v)) for k, v in got] == [([b"first"], [b"first"]), ([b"second"], [b"second"])]


@pytest.mark.parametrize("compression", [None, "GZIP"])
def test_tfrecord_reader_keys_are_byte_offsets(tmp_path, compression):
    options = tf.python_io.TFRecordOptions(compression)
    first, second = str(tmp_path / "first.tfrecord"), str(tmp_path / "second.tfrecord")
    for path, records in ((first, [b"first", b"", b"x" * 300]), (second, [b"last"])):
        with tf.python_io.TFRecordWriter(path, options) as writer:
            for r in records:
                writer.write(r)
    queue, start = file_names([first, second])
    key, value = tf.TFRecordReader(options=options).read(queue)
    with tf.Session() as sess:
        sess.run(start)
        got = read_all(sess, [key, value])
    # each record takes 8 (length) + 4 (its CRC) + data + 4 (data CRC) bytes, in the uncompressed stream
    assert [k for k, _ in got] == record_keys(first, 0, 21, 37) + record_keys(second, 0)
    assert [v for _, v in got] == [b"first", b"", b"x" * 300, b"last"]


def test_damaged_tfrecord_and_missing_file(tmp_path):
    damaged = str(tmp_path / "damaged.tfrecord")
    with tf.python_io.TFRecordWriter(damaged) as writer:
        for r in (b"good", b"bad", b"never"):
            writer.write(r)
    data = bytearray(open(damaged, "rb").read())
    data[20 + 12] ^= 1  # the first byte of the second record's data: its checksum fails
    open(damaged, "wb").write(bytes(data))
    fine = str(tmp_path / "fine.tfrecord")
    with tf.python_io.TFRecordWriter(fine) as writer:
        writer.write(b"fine")
    missing = str(tmp_path / "missing.tfrecord")
    queue, start = file_names([damaged, missing, fine])
    key, value = tf.TFRecordReader().read(queue)
    with tf.Session() as sess:
        sess.run(start)
        assert sess.run(value) == b"good"  # the records before the damage are read
        with pytest.raises(tf.errors.DataLossError, match="corrupted record at 20"):
            sess.run(value)
        with pytest.raises(tf.errors.NotFoundError, match="missing.tfrecord") as error:
            sess.run(value)
        assert error.value.op is value.op
        assert sess.run([key, value]) == [f"{fine}:0".encode(), b"fine"]  # each read went on to the next file


def test_fixed_length_records_of_a_cifar_like_file(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.array([3, 7, 0], dtype=np.uint8)
    images = rng.integers(0, 256, size=(3, 3, 32, 32), dtype=np.uint8)  # stored channel by channel, as CIFAR-10
    body = b"".join(bytes([label]) + image.tobytes() for label, image in zip(labels, images))
    # a 5-byte header, the records, a partial record (ignored, as TF does), then a 3-byte footer
    path = write(tmp_path / "data_batch.bin", b"HEAD!" + body + b"\x01" * 100 + b"END")
    queue, start = file_names([path])
    reader = tf.FixedLengthRecordReader(record_bytes=1 + 3072, header_bytes=5, footer_bytes=3)
    key, value = reader.read(queue)
    record = tf.decode_raw(value, tf.uint8)
    label = tf.cast(tf.slice(record, [0], [1]), tf.int32)
    image = tf.transpose(tf.reshape(tf.slice(record, [1], [3072]), [3, 32, 32]), [1, 2, 0])
    with tf.Session() as sess:
        sess.run(start)
        got = read_all(sess, [key, label, image])
        assert sess.run(reader.num_records_produced()) == 3
    assert [k for k, _, _ in got] == record_keys(path, 0, 1, 2)
    assert [int(y[0]) for _, y, _ in got] == [3, 7, 0]
    for (_, _, x), expected in zip(got, images):
        assert x.dtype == np.uint8 and x.shape == (32, 32, 3)
        np.testing.assert_array_equal(x, expected.transpose(1, 2, 0))


def test_fixed_length_hop_bytes_and_gzip(tmp_path):
    path = str(tmp_path / "hops.bin.gz")
    with gzip.open(path, "wb") as f:
        f.write(b"abcdefghij")
    queue, start = file_names([path])
    keys, values = tf.FixedLengthRecordReader(4, hop_bytes=2, encoding="GZIP").read_up_to(queue, 10)
    with tf.Session() as sess:
        sess.run(start)
        got = read_all(sess, [keys, values])
    # records start every 2 bytes while 4 bytes remain: they overlap
    assert [(list(k), list(v)) for k, v in got] == [(record_keys(path, 0, 1, 2, 3),
                                                     [b"abcd", b"cdef", b"efgh", b"ghij"])]


def test_reader_arguments_are_checked():
    with pytest.raises(TypeError, match="single string component"):
        tf.TextLineReader().read(tf.FIFOQueue(3, tf.int32))
    with pytest.raises(TypeError, match="queue of file names"):
        tf.WholeFileReader().read(tf.constant("a.txt"))
    with pytest.raises(ValueError, match="record_bytes"):
        tf.FixedLengthRecordReader(0)
    with pytest.raises(ValueError, match="footer_bytes"):
        tf.FixedLengthRecordReader(4, footer_bytes=-1)
    with pytest.raises(ValueError, match="skip_header_lines"):
        tf.TextLineReader(skip_header_lines=-1)
    reader = tf.TFRecordReader(name="records")
    assert reader.reader_ref.name == "records" and not reader.supports_serialize
    assert isinstance(reader, tf.ReaderBase)


# ---------------------------------------------------------------------------------------------- decode_raw

@pytest.mark.parametrize("little_endian", [True, False])
@pytest.mark.parametrize("dtype", [tf.uint8, tf.int8, tf.int16, tf.uint16, tf.int32, tf.int64, tf.float16,
                                   tf.float32, tf.float64, tf.complex64])
def test_decode_raw_against_numpy(dtype, little_endian):
    rng = np.random.default_rng(1)
    numpy_type = np.dtype(dtype.as_numpy_dtype)
    stored = numpy_type.newbyteorder("<" if little_endian else ">")
    values = (rng.integers(-100, 100, size=(2, 3, 4)) + (1j if numpy_type.kind == "c" else 0)).astype(numpy_type)
    strings = np.empty((2, 3), dtype=object)
    for index in np.ndindex(2, 3):
        strings[index] = values[index].astype(stored).tobytes()
    decoded = tf.decode_raw(strings, dtype, little_endian=little_endian)
    assert decoded.dtype == dtype and decoded.shape.as_list() == [2, 3, None]
    got = tf.Session().run(decoded)
    assert got.dtype == numpy_type and got.shape == (2, 3, 4)
    np.testing.assert_array_equal(got, values)
    np.testing.assert_array_equal(got[1, 2], np.frombuffer(strings[1, 2], dtype=stored))


def test_decode_raw_errors_and_empty_strings():
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="DecodeRaw requires input strings to all be the same size, but element 2 has size "
                                 "4 != 6"):
            sess.run(tf.decode_raw([b"abcd", b"efgh", b"ijklmn"], tf.int16))
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Input to DecodeRaw has length 6 that is not a multiple of 4, the size of float"):
            sess.run(tf.decode_raw(b"abcdef", tf.float32))
        assert sess.run(tf.decode_raw([b"", b""], tf.int32)).shape == (2, 0)
        fed = tf.placeholder(tf.string)
        assert tf.decode_raw(fed, tf.uint8).shape == tf.TensorShape(None)
        np.testing.assert_array_equal(sess.run(tf.io.decode_raw(fed, tf.uint8), {fed: b"\x01\x02"}), [1, 2])
    with pytest.raises(TypeError, match="tf.string"):
        tf.decode_raw(tf.constant([1, 2]), tf.uint8)
    with pytest.raises(TypeError, match="not in the list of allowed values"):
        tf.decode_raw(b"ab", tf.string)


# ----------------------------------------------------------------------------------------- whole-file ops

def test_read_file_write_file_and_matching_files(tmp_path):
    target = str(tmp_path / "new" / "dir" / "out.bin")
    contents = tf.placeholder(tf.string, [])
    with tf.Session() as sess:
        sess.run(tf.write_file(target, contents), {contents: b"\x00raw\xff"})  # makes the directories
        assert sess.run(tf.io.read_file(target)) == b"\x00raw\xff"
        assert list(sess.run(tf.matching_files([str(tmp_path / "new/*/*.bin"), str(tmp_path / "*")]))) == \
            [str(tmp_path / "new").encode(), target.encode()]
        with pytest.raises(tf.errors.NotFoundError, match="absent.txt; No such file"):
            sess.run(tf.read_file(str(tmp_path / "absent.txt")))
        with pytest.raises(tf.errors.InvalidArgumentError, match="must be scalar"):
            sess.run(tf.read_file(tf.placeholder_with_default(["a", "b"], None)))


def test_match_filenames_once_is_a_local_variable(tmp_path):
    for name in ("b.txt", "a.txt", "skip.csv"):
        write(tmp_path / name, f"{name} 1\n{name} 2\n".encode())
    files = tf.train.match_filenames_once(str(tmp_path / "*.txt"))
    assert [v is files for v in tf.local_variables()] == [True] and not tf.global_variables()
    assert files.op.name == "matching_filenames" and tf.io.match_filenames_once is tf.train.match_filenames_once
    queue = tf.FIFOQueue(10, tf.string)
    with tf.control_dependencies([queue.enqueue_many([files])]):
        start = queue.close()
    key, value = tf.TextLineReader().read(queue)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="matching_filenames"):
            sess.run(files)
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.FailedPreconditionError):  # the global initializer leaves it out
            sess.run(files)
        sess.run(tf.local_variables_initializer())
        a, b = str(tmp_path / "a.txt"), str(tmp_path / "b.txt")
        assert list(sess.run(files)) == [a.encode(), b.encode()]  # sorted
        write(tmp_path / "c.txt", b"later\n")
        assert len(sess.run(files)) == 2  # matched once, when initialized
        sess.run(start)
        assert [v for _, v in read_all(sess, [key, value])] == [b"a.txt 1", b"a.txt 2", b"b.txt 1", b"b.txt 2"]
