"""TFRecord files (writer, tf_record_iterator, TFRecordDataset), tf.train.Example messages and their wire bytes,
and parse_single_example / parse_example with FixedLen and VarLen features."""
import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import elements, run


def example(**features):
    """An Example from keyword features: a list of floats, ints or bytes each."""
    def feature(values):
        if all(isinstance(v, bytes) for v in values) and values:
            return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        if all(isinstance(v, int) for v in values) and values:
            return tf.train.Feature(int64_list=tf.train.Int64List(value=values))
        return tf.train.Feature(float_list=tf.train.FloatList(value=values))
    return tf.train.Example(features=tf.train.Features(feature={k: feature(v) for k, v in features.items()}))


def write(path, records, options=None):
    with tf.python_io.TFRecordWriter(str(path), options) as writer:
        for r in records:
            writer.write(r)
    return str(path)


# ------------------------------------------------------------------------------------------ files

@pytest.mark.parametrize("compression", [None, "GZIP", "ZLIB"])
def test_records_round_trip_through_iterator_and_dataset(tmp_path, compression):
    records = [b"first", b"", b"\x00\xff" * 100]
    path = write(tmp_path / "data.tfrecord", records, tf.python_io.TFRecordOptions(compression))
    assert list(tf.python_io.tf_record_iterator(path, compression)) == records
    dataset = tf.data.TFRecordDataset([path, path], compression_type=compression)
    assert dataset.output_types == tf.string and dataset.output_shapes == tf.TensorShape([])
    assert elements(dataset) == records * 2


def test_writer_names_the_file_only_when_closed(tmp_path):
    path = tmp_path / "data.tfrecord"
    writer = tf.io.TFRecordWriter(str(path))
    writer.write(b"a")
    writer.flush()
    assert not path.exists()  # still written aside
    writer.close()
    writer.close()
    assert list(tf.io.tf_record_iterator(str(path))) == [b"a"]
    assert [p.name for p in tmp_path.iterdir()] == ["data.tfrecord"]


def test_corrupted_and_missing_files_are_errors(tmp_path):
    path = write(tmp_path / "data.tfrecord", [b"good", b"bad"])
    data = bytearray(open(path, "rb").read())
    data[-6] ^= 1  # in the second record's data (the record starts at byte 20 = 12 + 4 + 4): its checksum fails
    open(path, "wb").write(bytes(data))
    records = tf.python_io.tf_record_iterator(path)
    assert next(records) == b"good"  # the records before the damage are read
    with pytest.raises(errors.DataLossError, match="corrupted record at 20"):
        next(records)
    next_element = tf.data.make_one_shot_iterator(tf.data.TFRecordDataset(path)).get_next()
    with tf.Session() as sess:
        assert sess.run(next_element) == b"good"
        with pytest.raises(errors.DataLossError):
            sess.run(next_element)
    open(path, "wb").write(bytes(data[:-2]))  # cut short
    with pytest.raises(errors.DataLossError, match="truncated record at 20"):
        list(tf.python_io.tf_record_iterator(path))
    with pytest.raises(errors.NotFoundError):
        elements(tf.data.TFRecordDataset(str(tmp_path / "missing.tfrecord")))


# ------------------------------------------------------------------------------------------ Example messages

def test_example_bytes_match_feature_proto_encoding():
    one = tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0]))}))
    # FloatList{value=1: packed, 1.0f} in Feature{float_list=2} in the map entry {key=1: "x", value=2} in
    # Features{feature=1} in Example{features=1}: every one of them a length-delimited field (wire type 2)
    float_list = bytes([0x0A, 4, 0x00, 0x00, 0x80, 0x3F])
    entry = bytes([0x0A, 1]) + b"x" + bytes([0x12, 8, 0x12, 6]) + float_list
    assert one.SerializeToString() == bytes([0x0A, 15, 0x0A, 13]) + entry
    two = example(b=[b"hi"], a=[1, 300])
    # map entries in sorted key order; 300 is the varint ac 02; Int64List is Feature field 3, BytesList field 1
    a = bytes([0x0A, 12, 0x0A, 1]) + b"a" + bytes([0x12, 7, 0x1A, 5, 0x0A, 3, 0x01, 0xAC, 0x02])
    b = bytes([0x0A, 11, 0x0A, 1]) + b"b" + bytes([0x12, 6, 0x0A, 4, 0x0A, 2]) + b"hi"
    assert two.SerializeToString() == bytes([0x0A, 27]) + a + b


def test_example_round_trip_and_unpacked_numbers():
    original = example(f=[0.5, -2.25], i=[0, -1, 2 ** 62], s=[b"a", b""], empty=[])
    parsed = tf.train.Example.FromString(original.SerializeToString())
    assert parsed == original
    feature = parsed.features.feature
    assert feature["f"].float_list.value == [0.5, -2.25]
    assert feature["i"].int64_list.value == [0, -1, 2 ** 62]
    assert feature["s"].bytes_list.value == [b"a", b""]
    assert feature["i"].WhichOneof("kind") == "int64_list" and not feature["i"].HasField("float_list")
    assert feature["empty"].HasField("float_list") and feature["empty"].float_list.value == []
    again = tf.train.Example()
    again.ParseFromString(original.SerializeToString())
    assert again == original and again.HasField("features")
    # unpacked repeated fields (how older writers wrote them) read the same: fixed32 floats, varint int64s
    assert tf.train.FloatList.FromString(bytes([0x0D, 0, 0, 0x80, 0x3F, 0x0D, 0, 0, 0, 0x40])).value == [1.0, 2.0]
    assert tf.train.Int64List.FromString(bytes([0x08, 1, 0x08]) + b"\xff" * 9 + b"\x01").value == [1, -1]
    with pytest.raises(TypeError, match="expected one of: bytes"):
        tf.train.BytesList(value=["text"])
    with pytest.raises(ValueError, match="no \"floats\" field"):
        tf.train.Feature(floats=tf.train.FloatList())


# ------------------------------------------------------------------------------------------ parsing

FEATURES = {"label": tf.FixedLenFeature([], tf.int64),
            "xy": tf.io.FixedLenFeature([2], tf.float32, default_value=[-1.0, -1.0]),
            "tags": tf.VarLenFeature(tf.string),
            "ids": tf.io.VarLenFeature(tf.int64)}
RECORDS = [example(label=[1], xy=[0.5, 1.5], tags=[b"a", b"b"], ids=[7]).SerializeToString(),
           example(label=[0], tags=[b"c"]).SerializeToString(),
           example(label=[2], xy=[3.0, 4.0], ids=[5, 6, 8]).SerializeToString()]


def test_parse_single_example_fixed_var_len_and_defaults():
    serialized = tf.placeholder(tf.string, [])
    parsed = tf.parse_single_example(serialized, FEATURES)
    assert parsed["xy"].shape.as_list() == [2] and isinstance(parsed["tags"], tf.SparseTensor)
    assert parsed["tags"].shape.as_list() == [None] and parsed["tags"].indices.shape.as_list() == [None, 1]
    values = run(parsed, {serialized: RECORDS[1]})
    assert values["label"] == 0 and values["label"].dtype == np.int64
    np.testing.assert_array_equal(values["xy"], [-1.0, -1.0])  # the default
    tags, ids = values["tags"], values["ids"]  # VarLen: SparseTensorValues without the batch column
    assert tags.indices.tolist() == [[0]] and list(tags.values) == [b"c"] and tags.dense_shape.tolist() == [1]
    assert ids.indices.shape == (0, 1) and ids.values.shape == (0,) and ids.dense_shape.tolist() == [0]  # absent


def test_parse_example_batch_var_len_features_are_sparse():
    parsed = tf.io.parse_example(tf.constant(RECORDS), FEATURES)
    assert parsed["label"].shape.as_list() == [3] and parsed["ids"].shape.as_list() == [None, None]
    values = run(parsed)
    np.testing.assert_array_equal(values["label"], [1, 0, 2])
    np.testing.assert_array_equal(values["xy"], [[0.5, 1.5], [-1.0, -1.0], [3.0, 4.0]])
    ids, tags = values["ids"], values["tags"]  # entry [i, j]: value j of example i; dense_shape [batch, max_len]
    assert ids.indices.tolist() == [[0, 0], [2, 0], [2, 1], [2, 2]] and ids.values.tolist() == [7, 5, 6, 8]
    assert ids.dense_shape.tolist() == [3, 3] and ids.indices.dtype == ids.dense_shape.dtype == np.int64
    assert tags.indices.tolist() == [[0, 0], [0, 1], [1, 0]] and tags.values.tolist() == [b"a", b"b", b"c"]
    assert tags.dense_shape.tolist() == [3, 2]
    padded = run(tf.sparse.to_dense(parsed["ids"]))
    np.testing.assert_array_equal(padded, [[7, 0, 0], [0, 0, 0], [5, 6, 8]])


def test_parse_errors_missing_wrong_size_and_wrong_type():
    serialized = tf.placeholder(tf.string, [None])
    required = tf.parse_example(serialized, {"xy": tf.FixedLenFeature([2], tf.float32)})["xy"]
    with pytest.raises(errors.InvalidArgumentError, match="Feature: xy .* is required but could not be found"):
        run(required, {serialized: [example(xy=[1.0, 2.0]).SerializeToString(), RECORDS[1]]})
    with pytest.raises(errors.InvalidArgumentError, match="Values size: 3 but output shape: \\[2\\]"):
        run(required, {serialized: [example(xy=[1.0, 2.0, 3.0]).SerializeToString()]})
    with pytest.raises(errors.InvalidArgumentError, match="Data types don't match"):
        run(required, {serialized: [example(xy=[1, 2]).SerializeToString()]})
    with pytest.raises(errors.InvalidArgumentError, match="Could not parse example input"):
        run(required, {serialized: [b"\xff"]})
    with pytest.raises(ValueError, match="has 1 values"):
        tf.parse_example(serialized, {"xy": tf.FixedLenFeature([2], tf.float32, default_value=0.0)})


def test_tfrecord_dataset_map_parse_batch_pipeline(tmp_path):
    path = write(tmp_path / "train.tfrecord", RECORDS)

    def parse_fn(record):
        parsed = tf.parse_single_example(record, FEATURES)
        return parsed["xy"], parsed["label"]

    dataset = tf.data.TFRecordDataset(path).map(parse_fn).batch(2)
    assert dataset.output_shapes == (tf.TensorShape([None, 2]), tf.TensorShape([None]))
    (xy0, label0), (xy1, label1) = elements(dataset)
    np.testing.assert_array_equal(xy0, [[0.5, 1.5], [-1.0, -1.0]])
    np.testing.assert_array_equal(label0, [1, 0])
    np.testing.assert_array_equal(xy1, [[3.0, 4.0]])
    np.testing.assert_array_equal(label1, [2])
