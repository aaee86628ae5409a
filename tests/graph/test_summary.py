"""tf.string tensors, tf.summary ops and FileWriter's TensorBoard event files.

Summaries and event files are decoded here with a small protobuf/TFRecord reader of the test's own (bit-by-bit
CRC32C, a generic wire-format parser), not with the module's encoder, so the two check each other.
"""
import os
import warnings

import numpy
import pytest

import minidl.graph as tf
from minidl.graph import errors
from minidl.io import event_file, protobuf
from tests.event_reader import crc32c, event_files, masked, parse, read_events, summary_values

SESSION_DEVICE = tf.test.gpu_device_name() or "/device:CPU:0"  # sessions take the GPU when there is one, as TF's


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


# ======================================================================================== string tensors

def test_hello_world_fetches_bytes():
    hello = tf.constant("Hello, TensorFlow!")
    assert hello.dtype == tf.string and hello.shape == ()
    with tf.Session() as sess:
        value = sess.run(hello)
    assert type(value) is bytes and value == b"Hello, TensorFlow!"


def test_string_constants_encode_str_as_utf8_and_keep_bytes_whole():
    words = tf.constant(["héllo", "wörld"])
    raw = tf.constant(b"ab\x00\x00")  # trailing NULs survive (numpy's "S" dtype would drop them)
    typed = tf.constant(["a", b"b"], dtype=tf.string)
    filled = tf.constant("x", shape=[2, 2])
    w, r, t, f = run([words, raw, typed, filled])
    assert w.dtype == object and list(w) == ["héllo".encode(), "wörld".encode()]
    assert r == b"ab\x00\x00"
    assert list(t) == [b"a", b"b"]
    assert f.shape == (2, 2) and all(x == b"x" for x in f.flat)


def test_string_constant_refuses_non_strings():
    with pytest.raises(TypeError, match="Expected string, got 3 of type 'int'"):
        tf.constant(3, dtype=tf.string)
    with pytest.raises(TypeError, match="Failed to convert object of type dict"):
        tf.constant({"a": 1})


def test_string_placeholder_fed_with_str_bytes_and_lists():
    p = tf.placeholder(tf.string)
    v = tf.placeholder(tf.string, shape=[None])
    echoed = tf.identity(p)
    number = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        assert sess.run(echoed, {p: "héllo"}) == "héllo".encode()
        assert sess.run(echoed, {p: b"\x00raw\x00"}) == b"\x00raw\x00"
        assert list(sess.run(v, {v: ["a", b"b", numpy.str_("c")]})) == [b"a", b"b", b"c"]
        assert list(sess.run(v, {v: numpy.array([b"x", b"yz"])})) == [b"x", b"yz"]
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            sess.run(v, {v: "scalar"})
        with pytest.raises(TypeError, match="Expected string"):
            sess.run(p, {p: 1.5})
        with pytest.raises(ValueError, match="Cannot convert a feed value"):  # TF: could not convert string to float
            sess.run(number, {number: "x"})


@pytest.mark.parametrize("build", [
    lambda s, m: s + 1,
    lambda s, m: s * s,
    lambda s, m: tf.matmul(m, m),
    lambda s, m: m @ m,
    lambda s, m: tf.cast(s, tf.float32),
    lambda s, m: -s,
    lambda s, m: tf.less(s, s),
], ids=["plus-number", "times", "matmul", "matmul-operator", "cast", "neg", "less"])
def test_math_on_strings_is_a_type_error(build):
    s, m = tf.constant("a"), tf.constant([["a", "b"], ["c", "d"]])
    with pytest.raises(TypeError, match="DataType string|Expected string, got 1 of type 'int'"):
        build(s, m)


@pytest.mark.parametrize("reduce", [tf.reduce_sum, tf.reduce_mean, tf.reduce_max])
def test_reductions_on_strings_are_type_errors(reduce):
    with pytest.raises(TypeError, match="not in list of allowed values"):
        reduce(tf.constant(["a", "b"]))


# =============================================================================================== encoding

def test_crc32c_known_vector():
    assert crc32c(b"123456789") == 0xE3069283          # the reader's own
    assert event_file.crc32c(b"123456789") == 0xE3069283
    data = bytes(range(256)) * 3
    assert event_file.crc32c(data) == crc32c(data)
    assert event_file.masked_crc32c(data) == masked(crc32c(data))


# ============================================================================================ summary ops

def test_scalar_summary_value_and_naming():
    x = tf.placeholder(tf.float32, shape=[])
    s1 = tf.summary.scalar("loss", x)
    s2 = tf.summary.scalar("loss", x * 2)
    with tf.name_scope("train"):
        s3 = tf.summary.scalar("acc", 0.5)
    s4 = tf.summary.scalar("lr", 0.1, family="opt")
    s5 = tf.summary.scalar("rate (%)", 3)  # int input; invalid tag characters become _
    assert [s.op.name for s in (s1, s2, s3, s4, s5)] == ["loss", "loss_1", "train/acc", "opt/lr", "rate____"]
    assert s1.dtype == tf.string and s1.shape == ()
    with tf.Session() as sess:
        out = sess.run([s1, s2, s3, s4, s5], {x: 1.25})
    assert all(type(o) is bytes for o in out)
    decoded = [summary_values(o) for o in out]
    assert decoded == [[{"tag": "loss", "simple_value": 1.25}], [{"tag": "loss_1", "simple_value": 2.5}],
                       [{"tag": "train/acc", "simple_value": 0.5}],
                       [{"tag": "opt/opt/lr", "simple_value": pytest.approx(0.1)}],
                       [{"tag": "rate____", "simple_value": 3.0}]]
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [s1, s2, s3, s4, s5]


def test_scalar_summary_collections_and_errors():
    own = tf.summary.scalar("mine", 1.0, collections=["custom"])
    assert tf.get_collection("custom") == [own] and tf.get_collection(tf.GraphKeys.SUMMARIES) == []
    with pytest.raises(ValueError, match="not the same shape"):
        tf.summary.scalar("vec", tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.summary.scalar("flag", tf.constant(True))
    unknown = tf.placeholder(tf.float32)
    s = tf.summary.scalar("unknown", unknown)
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match=r"not the same shape: \[\] != \[3\]"):
            sess.run(s, {unknown: [1.0, 2.0, 3.0]})


def test_merge_all_is_none_without_summaries():
    tf.constant(1.0)
    assert tf.summary.merge_all() is None
    tf.summary.scalar("elsewhere", 1.0, collections=["other"])
    assert tf.summary.merge_all() is None
    assert tf.summary.merge_all(key="other") is not None


def test_merge_concatenates_summaries():
    a = tf.summary.scalar("a", 1.0)
    b = tf.summary.histogram("b", [1.0, 2.0])
    c = tf.summary.scalar("c", 3.0, collections=[])
    merged = tf.summary.merge_all()
    both = tf.summary.merge([merged, c], name="everything")
    assert merged.op.name == "Merge/MergeSummary" and merged.dtype == tf.string
    m, e, parts = run([merged, both, [a, b, c]])
    assert m == parts[0] + parts[1]
    assert [v["tag"] for v in summary_values(e)] == ["a", "b", "c"]
    with pytest.raises(TypeError, match="expected type of string"):
        tf.summary.merge([tf.constant(1.0)])


def test_histogram_summary_buckets():
    values = numpy.random.default_rng(0).normal(size=(40, 25)) * 3
    values[0, :3] = [0.0, 1e-13, -5e-13]  # around zero: the buckets next to 0
    h = tf.summary.histogram("weights", tf.constant(values, dtype=tf.float64))
    (item,) = summary_values(run(h))
    histo = item["histo"]
    assert item["tag"] == "weights"
    assert histo["num"] == values.size and sum(histo["bucket"]) == values.size
    assert histo["min"] == values.min() and histo["max"] == values.max()
    assert histo["sum"] == pytest.approx(values.sum()) and histo["sum_squares"] == pytest.approx((values ** 2).sum())
    limits, counts = histo["bucket_limit"], histo["bucket"]
    assert limits == sorted(limits) and len(limits) == len(set(limits)) and limits[-1] == numpy.finfo(float).max
    # bucket i holds the values in [limits[i-1], limits[i]) (TensorBoard's left edge is the previous limit)
    lefts = [-numpy.inf] + limits[:-1]
    flat = values.reshape(-1)
    assert counts == [float(((flat >= lo) & (flat < hi)).sum()) for lo, hi in zip(lefts, limits)]
    # no two empty buckets in a row: runs of empty buckets are collapsed into one (as TF)
    assert not any(x == 0 and y == 0 for x, y in zip(counts, counts[1:]))
    assert 0.0 in limits and any(abs(x - 1e-12) < 1e-24 for x in limits)  # TF's edges: 0, 1e-12 * 1.1**k ...
    assert len(limits) < 200


def test_histogram_of_empty_and_non_finite_values():
    empty = tf.summary.histogram("empty", tf.zeros([0]))
    x = tf.placeholder(tf.float32, shape=[None])
    h = tf.summary.histogram("x", x)
    with tf.Session() as sess:
        (item,) = summary_values(sess.run(empty))
        assert item["histo"]["num"] == 0 and item["histo"]["bucket"] == [0.0]
        with pytest.raises(errors.InvalidArgumentError, match="Nan in summary histogram for: x"):
            sess.run(h, {x: [1.0, numpy.nan]})
        with pytest.raises(errors.InvalidArgumentError, match="Nan in summary histogram"):
            sess.run(h, {x: [numpy.inf]})


def test_text_summary():
    t = tf.summary.text("notes", tf.constant([["*hi*", "b"]]))
    (item,) = summary_values(run(t))
    assert item["tag"] == "notes" and item["plugin"] == "text"
    assert item["tensor"] == {"dtype": 7, "string_val": [b"*hi*", b"b"], "dims": [1, 2]}
    with pytest.raises(ValueError, match="to have dtype string"):
        tf.summary.text("bad", tf.constant(1.0))


# ============================================================================================= FileWriter

def test_training_loop_writes_scalar_events(tmp_path):
    logdir = tmp_path / "runs" / "first"   # nested and missing: created
    w = tf.Variable(4.0)
    loss = tf.square(w - 1.0)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    tf.summary.scalar("loss", loss)
    with tf.name_scope("params"):
        tf.summary.scalar("w", w)
    merged = tf.summary.merge_all()
    expected = []
    with tf.Session() as sess, tf.summary.FileWriter(str(logdir)) as writer:
        sess.run(tf.global_variables_initializer())
        for step in range(5):
            s, l, wv = sess.run([merged, loss, w])
            writer.add_summary(s, global_step=step)
            expected.append((step, float(l), float(wv)))
            sess.run(train)
    (path,) = event_files(logdir)
    name = os.path.basename(path).split(".")
    assert name[:3] == ["events", "out", "tfevents"] and name[3].isdigit()
    events = read_events(path)
    assert events[0]["file_version"] == "brain.Event:2"
    got = [(e["step"], e["summary"][0]["simple_value"], e["summary"][1]["simple_value"]) for e in events[1:]]
    assert [tuple(e["summary"][i]["tag"] for i in (0, 1)) for e in events[1:]] == [("loss", "params/w")] * 5
    assert got == [(s, pytest.approx(l), pytest.approx(v)) for s, l, v in expected]
    assert expected[-1][1] < expected[0][1]
    assert all(e["wall_time"] > 1e9 for e in events)


def test_file_writer_with_graph_writes_graph_def(tmp_path):
    x = tf.placeholder(tf.float32, shape=[None, 3], name="x")
    w = tf.Variable(tf.ones([3, 1]), name="w")
    y = tf.matmul(x, w, name="y")
    with tf.control_dependencies([y]):
        done = tf.no_op(name="done")
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(str(tmp_path), sess.graph, filename_suffix=".mine", session=None)
        writer.close()
    (path,) = event_files(tmp_path)
    assert path.endswith(".mine")
    events = read_events(path)
    assert [("file_version" in e, "graph_def" in e) for e in events] == [(True, False), (False, True)]
    nodes = {}
    for raw in parse(events[1]["graph_def"])[1]:
        node = parse(raw)
        nodes[node[1][0].decode()] = (node[2][0].decode(), [i.decode() for i in node.get(3, [])])
    assert set(nodes) == {op.name for op in tf.get_default_graph().get_operations()}
    assert nodes["x"] == ("Placeholder", [])
    assert nodes["y"][1] == ["x", "w"] and nodes["w/Assign"] == ("Assign", ["ones"])
    assert nodes["done"][1] == ["^y"]
    assert done.type == nodes["done"][0]


def test_run_options_and_run_metadata_as_word2vec_basic_uses_them(tmp_path):
    """sess.run(options=, run_metadata=) then add_run_metadata: the tagged metadata written is the run's step
    statistics (RunMetadata field 1: StepStats, its device, a node per op run), as in TF1."""
    x = tf.multiply(tf.constant(2.0), 3.0, name="product")
    options, metadata = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), tf.RunMetadata()
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path)) as writer:
        assert sess.run(x, options=options, run_metadata=metadata) == 6.0
        writer.add_run_metadata(metadata, "step7", global_step=7)
    (path,) = event_files(tmp_path)
    last = read_events(path)[-1]
    tag, data = last["tagged_run_metadata"]
    assert tag == "step7" and last["step"] == 7 and data == metadata.SerializeToString()
    ((field, step_stats),) = protobuf.fields(data)
    ((field_dev, device_stats),) = protobuf.fields(step_stats)
    device = dict(protobuf.fields(device_stats))
    node = dict(protobuf.fields(device[2]))
    assert (field, field_dev) == (1, 1) and device[1].decode().endswith(SESSION_DEVICE)
    assert node[1] == b"product" and node[8].startswith(b"product = Mul(Const, ")
    event = list(tf.train.summary_iterator(path))[-1]  # mnist_with_summaries reads it back so
    assert event.HasField("tagged_run_metadata") and event.tagged_run_metadata.tag == "step7"


def test_closed_writer_warns_and_writes_nothing_until_reopened(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path))
    s = run(tf.summary.scalar("x", 1.0))
    writer.add_summary(s, 0)
    writer.close()
    writer.close()  # closing twice is fine
    (first,) = event_files(tmp_path)
    size = os.path.getsize(first)
    with pytest.warns(UserWarning, match="closed FileWriter"):
        writer.add_summary(s, 1)
    with pytest.warns(UserWarning, match="closed FileWriter"):
        writer.flush()
    assert os.path.getsize(first) == size and len(read_events(first)) == 2
    writer.reopen()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        writer.add_summary(s, 2)
    writer.close()
    files = event_files(tmp_path)
    assert len(files) == 2 and [e["step"] for e in read_events(files[1])] == [0, 2]


def test_events_reach_the_disk_on_flush_or_after_flush_secs(tmp_path):
    summary = tf.Summary(value=[tf.Summary.Value(tag="x", simple_value=1.0)])
    eager = tf.summary.FileWriter(str(tmp_path / "eager"), flush_secs=0)
    eager.add_summary(summary, 1)
    assert len(read_events(event_files(tmp_path / "eager")[0])) == 2  # not closed, already on disk
    lazy = tf.summary.FileWriter(str(tmp_path / "lazy"))
    lazy.add_summary(summary, 1)
    lazy.flush()
    assert len(read_events(event_files(tmp_path / "lazy")[0])) == 2
    eager.close()
    lazy.close()


def test_writers_never_overwrite_existing_files(tmp_path):
    writers = [tf.summary.FileWriter(str(tmp_path)) for _ in range(3)]  # same second, same host
    for i, writer in enumerate(writers):
        writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag="i", simple_value=i)]), global_step=i)
        writer.close()
    files = event_files(tmp_path)
    assert len(files) == 3
    assert sorted(read_events(f)[1]["step"] for f in files) == [0, 1, 2]


def test_python_built_summary_and_add_event(tmp_path):
    manual = tf.Summary()
    manual.value.add(tag="val/acc", simple_value=0.75)
    with tf.summary.FileWriter(tmp_path) as writer:
        writer.add_summary(manual, 7)
        writer.add_event(event_file.event(123.0, step=8, summary=manual.SerializeToString()))
        writer.flush()
        with pytest.raises(TypeError, match="must be a serialized Summary"):
            writer.add_summary(1.5)
        with pytest.raises(TypeError, match="expects a tf.Graph"):
            writer.add_graph("graph")
    events = read_events(event_files(tmp_path)[0])
    value = [{"tag": "val/acc", "simple_value": 0.75}]
    assert [(e["step"], e["summary"]) for e in events[1:]] == [(7, value), (8, value)]
    assert events[2]["wall_time"] == 123.0


def test_file_writer_cache(tmp_path):
    a = tf.summary.FileWriterCache.get(str(tmp_path))
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is a
    tf.summary.FileWriterCache.clear()
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is not a
    tf.summary.FileWriterCache.clear()
    assert all("graph_def" in read_events(f)[1] for f in event_files(tmp_path))


def test_image_summary_tags_scaling_and_bad_pixels():
    from tests.event_reader import decode_png
    positive = numpy.array([[[[0.0], [0.5]], [[1.0], [2.0]]]], numpy.float32)  # v·255/max, truncated: 2 -> 255
    signed = numpy.array([[[[-1.0, 0, 2], [0.0, 0, 0]]]], numpy.float32)       # 128 + v·127/max|v|: 0 -> 128
    bad = numpy.array([[[[numpy.nan, 0.5, 1.0], [1.0, 1.0, 1.0]]]], numpy.float32)
    raw = numpy.arange(2 * 2 * 2 * 3, dtype=numpy.uint8).reshape(2, 2, 2, 3)
    ops = [tf.summary.image("pos", tf.constant(positive), max_outputs=1), tf.summary.image("signed", signed),
           tf.summary.image("bad", bad), tf.summary.image("raw", tf.constant(raw), max_outputs=5)]
    values = {v["tag"]: v["image"] for op in ops for v in summary_values(run(op))}
    assert sorted(values) == ["bad/image/0", "pos/image", "raw/image/0", "raw/image/1", "signed/image/0"]
    assert decode_png(values["pos/image"]["png"])[..., 0].tolist() == [[0, 63], [127, 255]]
    assert decode_png(values["signed/image/0"]["png"]).tolist() == [[[64, 128, 255], [128, 128, 128]]]
    assert decode_png(values["bad/image/0"]["png"]).tolist() == [[[255, 0, 0], [255, 255, 255]]]
    assert (decode_png(values["raw/image/1"]["png"]) == raw[1]).all()
    assert (values["raw/image/1"]["height"], values["raw/image/1"]["width"]) == (2, 2)
    assert values["raw/image/1"]["colorspace"] == 3
    with pytest.raises(ValueError, match="4-D with last dim 1, 3, or 4"):
        tf.summary.image("x", tf.zeros([2, 3, 4]))
    with pytest.raises(TypeError, match="DataType int32 not in list"):
        tf.summary.image("x", tf.zeros([1, 2, 2, 1], tf.int32))


def test_summary_iterator_reads_back_what_a_writer_wrote(tmp_path):
    x = tf.placeholder(tf.float32, [None])
    tf.summary.scalar("mean", tf.reduce_mean(x))
    tf.summary.histogram("values", x)
    tf.summary.image("picture", tf.zeros([1, 2, 3, 1]))
    merged = tf.summary.merge_all()
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path), sess.graph) as writer:
        for step in range(3):
            writer.add_summary(sess.run(merged, {x: [step, step + 2.0]}), global_step=step)
        writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag="accuracy", simple_value=0.75)]), 9)
    (path,) = event_files(str(tmp_path))
    events = list(tf.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2" and events[1].HasField("graph_def")
    # the docstring's loop: an event without a summary (the file version, the graph) has an empty one
    assert events[0].summary.value == () and not events[0].HasField("summary")
    assert events[2].summary.value[0].histo.bucket == ()  # an unset message field is an empty message
    scalars = [(e.step, v.simple_value) for e in events for v in e.summary.value if v.HasField("simple_value")]
    assert scalars == [(0, 1.0), (1, 2.0), (2, 3.0), (9, 0.75)]
    histos = [v.histo for e in events for v in e.summary.value if v.HasField("histo")]
    assert [(h.min, h.max, h.num, h.sum) for h in histos] == [(0, 2, 2, 2), (1, 3, 2, 4), (2, 4, 2, 6)]
    assert sum(histos[0].bucket) == 2 and len(histos[0].bucket) == len(histos[0].bucket_limit)
    image = next(v.image for e in events for v in e.summary.value if v.HasField("image"))
    assert (image.height, image.width, image.colorspace) == (2, 3, 1)
    assert image.encoded_image_string.startswith(b"\x89PNG")
    assert not events[2].summary.value[0].HasField("image")
    with pytest.raises(ValueError, match='has no singular "nope" field'):
        events[0].HasField("nope")
    damaged = tmp_path / "damaged.tfevents"
    data = open(path, "rb").read()
    damaged.write_bytes(data[:40] + bytes([data[40] ^ 1]) + data[41:])
    with pytest.raises(tf.errors.DataLossError, match="damaged|truncated"):
        list(tf.train.summary_iterator(str(damaged)))


def test_the_events_before_a_cut_short_record_are_read_then_a_data_loss_error(tmp_path):
    """A writer that crashed, or is still writing, leaves a last record cut short: the events before it are
    handed out, as TF's iterator hands them out, and reaching it is a DataLossError."""
    writer = tf.summary.FileWriter(str(tmp_path))
    for step in range(4):
        writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag="loss", simple_value=float(step))]), step)
    writer.close()
    (path,) = tmp_path.glob("events*")
    path.write_bytes(path.read_bytes()[:-3])
    steps = []
    with pytest.raises(tf.errors.DataLossError, match="truncated record"):
        for event in tf.train.summary_iterator(str(path)):
            steps.append(event.step)
    assert steps == [0, 0, 1, 2]  # the file_version event, then the summaries of steps 0-2


def test_the_projector_config_is_written_in_protobuf_text_format_beside_the_events(tmp_path):
    """word2vec_basic.py's last lines: the embedding projector finds its variable, labels and thumbnails in
    projector_config.pbtxt, written (whole, replacing an earlier one) into the FileWriter's directory."""
    from minidl.graph.contrib.tensorboard.plugins import projector
    embeddings = tf.Variable(tf.zeros([5, 3]), name="embeddings")
    writer = tf.summary.FileWriter(str(tmp_path))
    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = embeddings.name
    embedding.metadata_path = 'labels "one" per row.tsv'
    embedding.sprite.image_path = "sprite.png"
    embedding.sprite.single_image_dim.extend([28, 28])
    config.embeddings.add(tensor_name="other")
    for _ in range(2):
        projector.visualize_embeddings(writer, config)
    writer.close()
    assert (tmp_path / "projector_config.pbtxt").read_text() == (
        'embeddings {\n  tensor_name: "embeddings:0"\n  metadata_path: "labels \\"one\\" per row.tsv"\n'
        '  sprite {\n    image_path: "sprite.png"\n    single_image_dim: 28\n    single_image_dim: 28\n  }\n}\n'
        'embeddings {\n  tensor_name: "other"\n}\n')
    assert sorted(p.name.split(".")[0] for p in tmp_path.iterdir()) == ["events", "projector_config"]
    with pytest.raises(ValueError, match='has no "tensor" field'):
        projector.EmbeddingInfo(tensor="x")
    with pytest.raises(TypeError, match="must be a projector.ProjectorConfig"):
        projector.visualize_embeddings(writer, {"embeddings": []})
