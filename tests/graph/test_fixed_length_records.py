"""tf.data.FixedLengthRecordDataset: the records of binary files (CIFAR-10's format), decoded with tf.decode_raw;
compressed files, byte counts as tensors, and TF's errors for a body that is not a whole number of records."""
import gzip
import zlib

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import drain, elements

HEADER, FOOTER = b"CIFAR10", b"\xff\xfe"   # 7 and 2 bytes around the records
PIXELS = 3 * 4 * 4                         # a 4x4 RGB image, stored channel by channel as CIFAR-10 does


def cifar_like(tmp_path, name="data_batch.bin", count=5):
    """A file of ``count`` records (a label byte, then the image's bytes) between HEADER and FOOTER; returns its
    path, the labels and the images (height, width, channels)."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=count, dtype=np.uint8)
    planes = rng.integers(0, 256, size=(count, 3, 4, 4), dtype=np.uint8)
    body = b"".join(bytes([label]) + image.tobytes() for label, image in zip(labels, planes))
    path = tmp_path / name
    path.write_bytes(HEADER + body + FOOTER)
    return str(path), labels.astype(np.int32), planes.transpose(0, 2, 3, 1)


def parse(record):
    """One record (a scalar tf.string) as (image, label), the way CIFAR-10 programs decode it."""
    values = tf.decode_raw(record, tf.uint8)
    label = tf.cast(values[0], tf.int32)
    image = tf.transpose(tf.reshape(values[1:], [3, 4, 4]), [1, 2, 0])
    return image, label


def test_cifar_like_file_decoded_and_batched(tmp_path):
    path, labels, images = cifar_like(tmp_path)
    records = tf.data.FixedLengthRecordDataset([path], 1 + PIXELS, header_bytes=len(HEADER), footer_bytes=len(FOOTER))
    assert records.output_types == tf.string and records.output_shapes == tf.TensorShape([])
    dataset = records.map(parse).batch(2)
    assert dataset.output_shapes == (tf.TensorShape([None, 4, 4, 3]), tf.TensorShape([None]))
    batches = elements(dataset)
    assert [len(y) for _, y in batches] == [2, 2, 1]
    got_images = np.concatenate([x for x, _ in batches])
    got_labels = np.concatenate([y for _, y in batches])
    assert got_images.dtype == np.uint8 and got_labels.dtype == np.int32
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_the_legacy_reader_hands_out_the_same_records(tmp_path):
    # TF 1.x's CIFAR-10 tutorial: string_input_producer + FixedLengthRecordReader
    path, labels, images = cifar_like(tmp_path)
    files = tf.train.string_input_producer([path], num_epochs=1, shuffle=False)
    reader = tf.FixedLengthRecordReader(1 + PIXELS, header_bytes=len(HEADER), footer_bytes=len(FOOTER))
    _, value = reader.read(files)
    from_reader = []
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())  # the epoch counter of num_epochs
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        from_reader = drain(value, sess)
        coord.request_stop()
        coord.join(threads)
    dataset = tf.data.FixedLengthRecordDataset(path, 1 + PIXELS, len(HEADER), len(FOOTER))
    assert elements(dataset) == from_reader
    assert [r[0] for r in from_reader] == list(labels)


def test_files_in_order_header_and_footer_skipped(tmp_path):
    first, second = tmp_path / "fixed_length0.bin", tmp_path / "fixed_length1.bin"
    first.write_bytes(b"HEADER012345FOOTER")
    second.write_bytes(b"HEADER6789abFOOTER")
    dataset = tf.data.FixedLengthRecordDataset([str(first), str(second)], record_bytes=2, header_bytes=6,
                                               footer_bytes=6)
    assert elements(dataset) == [b"01", b"23", b"45", b"67", b"89", b"ab"]
    (tmp_path / "empty.bin").write_bytes(b"HEADERFOOTER")   # a body of no records
    assert elements(tf.data.FixedLengthRecordDataset(str(tmp_path / "empty.bin"), 2, 6, 6)) == []
    assert elements(tf.data.FixedLengthRecordDataset(str(second), 9)) == [b"HEADER678", b"9abFOOTER"]


def test_compressed_files(tmp_path):
    (tmp_path / "a.gz").write_bytes(gzip.compress(b"HEAD" + b"abcdef" + b"F"))
    (tmp_path / "a.z").write_bytes(zlib.compress(b"HEAD" + b"uvwxyz" + b"F"))
    gzipped = tf.data.FixedLengthRecordDataset(str(tmp_path / "a.gz"), 3, 4, 1, compression_type="GZIP")
    assert elements(gzipped) == [b"abc", b"def"]
    zlibbed = tf.data.FixedLengthRecordDataset(str(tmp_path / "a.z"), 2, 4, 1, compression_type="ZLIB")
    assert elements(zlibbed) == [b"uv", b"wx", b"yz"]


def test_byte_counts_fed_when_the_pass_starts(tmp_path):
    path = tmp_path / "records.bin"
    path.write_bytes(b"H" + b"abcdef")
    record_bytes, header_bytes = tf.placeholder(tf.int64, []), tf.placeholder(tf.int64, [])
    iterator = tf.data.FixedLengthRecordDataset(str(path), record_bytes, header_bytes).make_initializable_iterator()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {record_bytes: 3, header_bytes: 1})
        assert drain(iterator.get_next(), sess) == [b"abc", b"def"]
        sess.run(iterator.initializer, {record_bytes: 2, header_bytes: 1})
        assert drain(iterator.get_next(), sess) == [b"ab", b"cd", b"ef"]
        sess.run(iterator.initializer, {record_bytes: 0, header_bytes: 1})
        with pytest.raises(errors.InvalidArgumentError, match="`record_bytes` must be >= 1, got 0"):
            sess.run(iterator.get_next())


def first_error(dataset, kind):
    """The records read before the first ``get_next`` that fails, and its message."""
    got = []
    next_record = tf.data.make_one_shot_iterator(dataset).get_next()
    with tf.Session() as sess, pytest.raises(kind) as info:
        while True:
            got.append(sess.run(next_record))
    return got, str(info.value)


def test_a_ragged_body_fails_as_in_tf(tmp_path):
    path = tmp_path / "fixed_length_record.0.txt"
    path.write_bytes(b"HEADR" + b"x" * 21 + b"FT")
    # uncompressed: the length is known on opening, so no record comes out
    got, message = first_error(tf.data.FixedLengthRecordDataset(str(path), 4, 5, 2), errors.InvalidArgumentError)
    assert got == []
    assert message.startswith(f'Excluding the header (5 bytes) and footer (2 bytes), input file "{path}" has body '
                              f'length 21 bytes, which is not an exact multiple of the record length (4 bytes).')
    # compressed: the whole records first, then the error at the end of the stream
    packed = tmp_path / "ragged.gz"
    packed.write_bytes(gzip.compress(b"HEADR" + b"abcdefg" + b"FT"))
    got, message = first_error(tf.data.FixedLengthRecordDataset(str(packed), 3, 5, 2, compression_type="GZIP"),
                               errors.DataLossError)
    assert got == [b"abc", b"def"]
    assert "has body length 7 bytes, which is not an exact multiple of the record length (3 bytes)" in message
    # shorter than its header and footer
    got, message = first_error(tf.data.FixedLengthRecordDataset(str(path), 4, 30), errors.InvalidArgumentError)
    assert "has body length -2 bytes: the file is shorter than its header and footer together" in message


def test_missing_and_damaged_files(tmp_path):
    missing = str(tmp_path / "missing.bin")
    _, message = first_error(tf.data.FixedLengthRecordDataset(missing, 4), errors.NotFoundError)
    assert "missing.bin; No such file or directory" in message
    damaged = tmp_path / "damaged.gz"
    damaged.write_bytes(gzip.compress(b"abcdefgh")[:-6])   # cut short
    _, message = first_error(tf.data.FixedLengthRecordDataset(str(damaged), 4, compression_type="GZIP"),
                             errors.DataLossError)
    assert "damaged.gz: the GZIP data does not decompress" in message
    (tmp_path / "bad.z").write_bytes(b"not zlib")
    _, message = first_error(tf.data.FixedLengthRecordDataset(str(tmp_path / "bad.z"), 4, compression_type="ZLIB"),
                             errors.DataLossError)
    assert "bad.z: the ZLIB data does not decompress" in message


def test_arguments_are_checked_while_building():
    with pytest.raises(ValueError, match="`record_bytes` must be >= 1, got 0"):
        tf.data.FixedLengthRecordDataset("a.bin", 0)
    with pytest.raises(ValueError, match="`header_bytes` must be >= 0, got -1"):
        tf.data.FixedLengthRecordDataset("a.bin", 4, header_bytes=-1)
    with pytest.raises(ValueError, match="`footer_bytes` must be >= 0, got -2"):
        tf.data.FixedLengthRecordDataset("a.bin", 4, footer_bytes=-2)
    with pytest.raises(TypeError, match="`record_bytes` must be an integer"):
        tf.data.FixedLengthRecordDataset("a.bin", None)
    with pytest.raises(TypeError, match="must be a `tf.Tensor` of `tf.string`"):
        tf.data.FixedLengthRecordDataset(3, 4)
    with pytest.raises(ValueError, match="compression_type"):
        tf.data.FixedLengthRecordDataset("a.bin", 4, compression_type="BZIP2")


def test_tf_contrib_data_name():
    assert tf.contrib.data.FixedLengthRecordDataset is tf.data.FixedLengthRecordDataset
