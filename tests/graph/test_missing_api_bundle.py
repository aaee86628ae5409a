"""TF 1.15 API that classic programs use and minidl.graph lacked (sweep P, section C): tf.summary.audio and
tensor_summary, tf.metrics.average_precision_at_k, identity_n, parallel_stack, colocate_with, container,
assert_variables_initialized, initialize_all_tables, get_logger and tf.logging's counting helpers, required flags,
the tf.math functions and names.

Summaries are read back from the event file with the tests' own protobuf reader (tests/event_reader.py) and the
WAV files with Python's ``wave`` module; every other expected number is worked out by hand in the test."""
import io
import logging
import struct
import wave

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors
from minidl.graph import flags as flags_module
from tests.event_reader import event_files, parse, read_records
from tests.graph.numeric_gradients import check_gradients


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        return sess.run(fetches, feed_dict)


def written_values(tmp_path, summary_op, feed_dict=None):
    """``summary_op`` run, written by a FileWriter and read back from its event file: each Summary.Value as its
    parsed fields ({field number: [values]})."""
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_summary(run(summary_op, feed_dict), global_step=7)
    (path,) = event_files(tmp_path)
    event = parse(read_records(path)[-1])
    assert event[2] == [7]
    return [parse(raw) for raw in parse(event[5][0])[1]]


def read_wav(data):
    """(sample rate, channels, frames as an int16 array (frames, channels)) of a WAV file."""
    with wave.open(io.BytesIO(data)) as w:
        assert w.getsampwidth() == 2 and w.getcomptype() == "NONE"
        frames = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())
        return w.getframerate(), w.getnchannels(), frames


# ================================================================================================ tf.summary

def test_audio_summary_writes_wav_clips_with_tf_rounding(tmp_path):
    # one stereo clip of 4 frames, chosen for the conversion x * 32768, rounded half away from zero, clamped
    clips = np.array([[[0.0, 0.5], [-1.0, 1.0], [1.5 / 32768, -2.5 / 32768], [-3.0, 2.0]]], np.float32)
    audio = tf.summary.audio("speech", tf.constant(clips), 16000.4, max_outputs=1)
    assert audio.op.type == "AudioSummaryV2" and tf.get_collection(tf.GraphKeys.SUMMARIES) == [audio]
    (value,) = written_values(tmp_path, audio)
    assert value[1] == [b"speech/audio"]  # max_outputs=1: no index
    fields = parse(value[6][0])
    assert struct.unpack("<f", fields[1][0])[0] == np.float32(16000.4)  # the Summary keeps the rate as given
    assert fields[2] == [2] and fields[3] == [4] and fields[5] == [b"audio/wav"]
    rate, channels, frames = read_wav(fields[4][0])
    assert rate == 16000 and channels == 2  # the WAV header: the rate rounded to an integer
    np.testing.assert_array_equal(frames, [[0, 16384], [-32768, 32767], [2, -3], [-32768, 32767]])
    assert fields[4][0][:4] == b"RIFF" and len(fields[4][0]) == 44 + 4 * 2 * 2


def test_audio_summary_of_mono_batches_tags_each_clip(tmp_path):
    x = tf.placeholder(tf.float32, [None, 3])  # (batch, frames): one channel
    audio = tf.summary.audio("noise", x, tf.constant(8000.0), family="inputs")
    clips = np.array([[0.25, 0, 0], [0, 0.5, 0], [0, 0, -0.25], [1, 1, 1]], np.float32)
    values = written_values(tmp_path, audio, {x: clips})
    assert [v[1][0] for v in values] == [b"inputs/inputs/noise/audio/0", b"inputs/inputs/noise/audio/1",
                                         b"inputs/inputs/noise/audio/2"]  # the first max_outputs=3 of 4
    for clip, value in zip(clips, values):
        fields = parse(value[6][0])
        assert fields[2] == [1] and fields[3] == [3]
        rate, channels, frames = read_wav(fields[4][0])
        assert (rate, channels) == (8000, 1)
        np.testing.assert_array_equal(frames[:, 0], clip * 32768)


def test_audio_summary_refuses_bad_input():
    with pytest.raises(ValueError, match="3-D or 2-D"):
        tf.summary.audio("a", tf.zeros([2, 3, 4, 1]), 100)
    with pytest.raises(TypeError, match="float64"):
        tf.summary.audio("a", tf.zeros([2, 3], tf.float64), 100)
    with pytest.raises(ValueError, match="max_outputs"):
        tf.summary.audio("a", tf.zeros([2, 3]), 100, max_outputs=0)
    with pytest.raises(ValueError, match="sample_rate must be a scalar"):
        tf.summary.audio("a", tf.zeros([2, 3]), [100.0, 200.0])
    rate = tf.placeholder(tf.float32)
    with pytest.raises(errors.InvalidArgumentError, match="sample_rate must be > 0"):
        run(tf.summary.audio("a", tf.zeros([2, 3]), rate), {rate: 0.0})
    with pytest.raises(errors.InvalidArgumentError, match=r"sample_rate must be a scalar, got shape \[1\]"):
        run(tf.summary.audio("a", tf.zeros([2, 3]), rate), {rate: [100.0]})
    with pytest.raises(errors.InvalidArgumentError, match="at least one frame"):
        run(tf.summary.audio("b", tf.zeros([2, 0]), 100.0))


def test_tensor_summary_holds_the_tensor_and_its_metadata(tmp_path):
    values = np.array([[1.5, -2.0, 3.25], [0.0, 7.0, -1.0]], np.float32)
    s = tf.summary.tensor_summary("weights", tf.constant(values), summary_description="the *weights*",
                                  display_name="Weights")
    assert s.op.type == "TensorSummaryV2"
    (value,) = written_values(tmp_path, s)
    assert value[1] == [b"weights"]
    tensor = parse(value[8][0])
    assert tensor[1] == [1]  # DT_FLOAT
    assert [parse(d)[1][0] for d in parse(tensor[2][0])[2]] == [2, 3]
    np.testing.assert_array_equal(np.frombuffer(tensor[4][0], "<f4").reshape(2, 3), values)
    metadata = parse(value[9][0])
    assert metadata[2] == [b"Weights"] and metadata[3] == [b"the *weights*"] and 1 not in metadata


def test_tensor_summary_of_other_dtypes_and_given_metadata():
    plugin = struct.pack("BB", 0x0A, 6) + struct.pack("BB", 0x0A, 4) + b"pr_c"  # PluginData{plugin_name: "pr_c"}
    ints = tf.summary.tensor_summary("counts", tf.constant([3, -1], tf.int64), summary_metadata=plugin)
    flags = tf.summary.tensor_summary("flags", tf.constant([[True], [False]]), display_name="d")
    words = tf.summary.tensor_summary("words", tf.constant(["a", "bc"]))
    (i,), (f,), (w,) = [[parse(v) for v in parse(run(t))[1]] for t in (ints, flags, words)]
    t = parse(i[8][0])
    assert t[1] == [9] and struct.unpack("<2q", t[4][0]) == (3, -1)  # DT_INT64, raw little-endian
    assert parse(parse(i[9][0])[1][0])[1] == [b"pr_c"]
    t = parse(f[8][0])
    assert t[1] == [10] and t[4] == [b"\x01\x00"]  # DT_BOOL, one byte each
    assert parse(f[9][0]) == {2: [b"d"]}
    t = parse(w[8][0])
    assert t[1] == [7] and t[8] == [b"a", b"bc"] and 4 not in t  # strings go one by one into string_val
    assert w[9] == [b""]  # an empty SummaryMetadata, as TF writes it


def test_text_summary_is_a_tensor_summary_for_the_text_plugin():
    t = tf.summary.text("notes", tf.constant(["hi"]))
    assert t.op.type == "TensorSummaryV2" and t.op.name == "notes"
    (value,) = [parse(v) for v in parse(run(t))[1]]
    assert parse(parse(value[9][0])[1][0])[1] == [b"text"]


# ================================================================================================ tf.metrics

def test_average_precision_at_k_on_tf_documentation_example():
    # labels 0..4; the classes ranked by score: 5, 3, 6, 0, 1 -> relevant at ranks 2 and 4
    labels = np.array([[0, 1, 2, 3, 4]], np.int64)
    predictions = np.array([[0.2, 0.1, 0.0, 0.4, 0.0, 0.5, 0.3]], np.float32)
    expected = {1: 0.0, 2: (1 / 2) / 2, 3: (1 / 2) / 3, 4: (1 / 2 + 2 / 4) / 4}
    for k, ap in expected.items():
        with tf.Graph().as_default():
            value, update = tf.metrics.average_precision_at_k(labels, predictions, k)
            assert sorted(v.op.name for v in tf.local_variables()) == [f"average_precision_at_{k}/max",
                                                                       f"average_precision_at_{k}/total"]
            with tf.Session() as sess:
                sess.run(tf.local_variables_initializer())
                assert sess.run(value) == 0.0  # nothing seen yet: 0, not NaN
                assert sess.run(update) == pytest.approx(ap) and sess.run(value) == pytest.approx(ap)
                assert value.dtype == tf.float64


def test_average_precision_at_k_streams_weighted_rows_and_ignores_out_of_range_labels():
    labels = tf.placeholder(tf.int64, [None, 5])
    scores = tf.placeholder(tf.float32, [None, 7])
    weights = tf.placeholder(tf.float32, [None])
    value, update = tf.metrics.sparse_average_precision_at_k(labels, scores, 3, weights=weights)
    row_a = [0.2, 0.1, 0.0, 0.4, 0.0, 0.5, 0.3]  # top 3: classes 5, 3, 6
    row_b = [0.0, 0.5, 0.3, 0.0, 0.4, 0.0, 0.0]  # top 3: classes 1, 4, 2
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        # A: labels 0..4, hit at rank 2 -> (1/2) / min(3, 5) = 1/6
        # B: labels {2, 4} (-1 is padding), hits at ranks 2 and 3 -> (1/2 + 2/3) / min(3, 2) = 7/12
        first = sess.run(update, {labels: [[0, 1, 2, 3, 4], [2, 4, -1, -1, -1]], scores: [row_a, row_b],
                                  weights: [2.0, 1.0]})
        assert first == pytest.approx((2 * (1 / 6) + 7 / 12) / 3)
        # C: label 9 is outside the 7 classes, so only {1} counts: hit at rank 1 -> 1 / min(3, 1) = 1
        second = sess.run(update, {labels: [[1, 9, -1, -1, -1]], scores: [row_b], weights: [1.0]})
        assert second == pytest.approx((2 * (1 / 6) + 7 / 12 + 1) / 4)
        assert sess.run(value) == pytest.approx(second)


def test_average_precision_at_k_with_one_label_per_row_and_a_row_without_labels():
    scores = np.array([[0.2, 0.1, 0.0, 0.4, 0.0, 0.5, 0.3]] * 2, np.float32)  # top 2: classes 5, 3
    _, update = tf.metrics.average_precision_at_k(np.array([5, 3]), scores, 2)
    assert run(update) == pytest.approx((1 / 1 + (1 / 2) / 1) / 2)
    _, update = tf.metrics.average_precision_at_k(np.array([[-1, -1]]), scores[:1], 2)
    assert np.isnan(run(update))  # 0 relevant labels: 0 / 0, as TF
    with pytest.raises(ValueError, match="Invalid k=0"):
        tf.metrics.average_precision_at_k(np.array([1]), scores[:1], 0)


def test_the_new_names_are_in_tf_summary_and_tf_metrics():
    assert {"audio", "tensor_summary", "scalar"} <= set(dir(tf.summary))
    assert {"average_precision_at_k", "sparse_average_precision_at_k", "auc"} <= set(dir(tf.metrics))


# ================================================================================================ graph items

def test_identity_n_is_one_op_passing_values_and_gradients():
    a, b = tf.constant([1.0, 2.0]), tf.constant(3, tf.int32)
    outs = tf.identity_n([a, b], name="both")
    assert [t.name for t in outs] == ["both:0", "both:1"] and outs[0].op.type == "IdentityN"
    assert [t.dtype for t in outs] == [tf.float32, tf.int32] and outs[0].shape == (2,)
    first, second = run(outs)
    np.testing.assert_array_equal(first, [1.0, 2.0])
    assert second == 3
    rng = np.random.default_rng(1)
    check_gradients(lambda x, y: (lambda o: o[0] * 3.0 + o[1] * o[1])(tf.identity_n([x, y])),
                    rng.standard_normal((2, 3)), rng.standard_normal((2, 3)))


def test_identity_n_gives_an_overriding_gradient_all_output_gradients_at_once(graph):
    seen = []

    @tf.RegisterGradient("MissingApiBundleSwapIdentityN")
    def _swap(op, *grads):
        seen.append(len(grads))
        return [grads[1], grads[0]]  # each input gets the other output's gradient

    x, y = tf.constant([1.0, 2.0]), tf.constant([5.0, 7.0])
    with graph.gradient_override_map({"IdentityN": "MissingApiBundleSwapIdentityN"}):
        p, q = tf.identity_n([x, y])
    gx, gy = run(tf.gradients(p * 2.0 + q * 10.0, [x, y]))
    np.testing.assert_array_equal(gx, [10.0, 10.0])
    np.testing.assert_array_equal(gy, [2.0, 2.0])
    assert seen == [2]
    with pytest.raises(ValueError, match="at least one tensor"):
        tf.identity_n([])


def test_parallel_stack_stacks_known_shapes_and_has_no_gradient():
    x, y, z = tf.constant([1, 4]), tf.constant([2, 5]), tf.constant([3, 6])
    stacked = tf.parallel_stack([x, y, z])
    assert stacked.op.type == "ParallelConcat" and stacked.op.name == "parallel_stack" and stacked.shape == (3, 2)
    np.testing.assert_array_equal(run(stacked), [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(run(tf.parallel_stack([1.5, tf.constant(2.5)])), [1.5, 2.5])
    v = tf.placeholder(tf.float32, [2])
    with pytest.raises(LookupError, match="No gradient defined .* ParallelConcat"):
        tf.gradients(tf.reduce_sum(tf.parallel_stack([v, v])), v)
    with pytest.raises(ValueError, match="must be known"):
        tf.parallel_stack([tf.placeholder(tf.float32, [None])])
    with pytest.raises(ValueError, match="one shape"):
        tf.parallel_stack([tf.zeros([2]), tf.zeros([3])])
    with pytest.raises(TypeError, match="don't all match"):
        tf.parallel_stack([tf.zeros([2]), tf.zeros([2], tf.int32)])


def test_colocate_with_and_container_change_nothing():
    v = tf.Variable([1.0, 2.0], name="v")
    with tf.colocate_with(v):
        with tf.colocate_with(v.op):
            doubled = tf.multiply(v, 2.0, name="doubled")
    with tf.container("experiment") as name:
        w = tf.Variable(3.0, name="w")
    assert name == "experiment" and doubled.name == "doubled:0" and w.op.name == "w"
    with tf.colocate_with(None, ignore_existing=True):
        pass
    np.testing.assert_array_equal(run(doubled), [2.0, 4.0])
    with pytest.raises(ValueError, match="ignore_existing"):
        with tf.colocate_with(None):
            pass
    with pytest.raises(TypeError, match="colocate_with"):
        with tf.colocate_with("v"):
            pass


def test_assert_variables_initialized_reads_every_variable():
    assert tf.assert_variables_initialized() is None
    tf.Variable(np.zeros((2, 3)), name="weights")
    tf.Variable(0.0, name="bias")
    tf.Variable(1, name="steps", trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    check = tf.assert_variables_initialized()
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError, match="uninitialized value"):
            sess.run(check)
        sess.run(tf.global_variables_initializer())
        with pytest.raises(errors.FailedPreconditionError, match="steps"):  # local variables are checked too
            sess.run(check)
        sess.run(tf.local_variables_initializer())
        np.testing.assert_array_equal(sess.run(check), [2, 0, 0])  # the ranks
        assert sess.run(tf.assert_variables_initialized(tf.global_variables()[:1])) == 2


def test_initialize_all_tables_is_tables_initializer():
    table = tf.lookup.index_table_from_tensor(tf.constant(["a", "b"]), default_value=-1)
    ids = table.lookup(tf.constant(["b", "z"]))
    init = tf.initialize_all_tables()
    assert init.name == "init_all_tables"
    with tf.Session() as sess:
        sess.run(init)
        np.testing.assert_array_equal(sess.run(ids), [1, -1])


# ================================================================================================ logging and flags

def test_get_logger_and_the_counting_log_helpers(caplog):
    assert tf.get_logger() is logging.getLogger("minidl.graph")
    caplog.set_level(logging.DEBUG, logger="minidl.graph")
    for i in range(7):
        tf.logging.log_every_n(tf.logging.INFO, "every %d", 3, i)  # runs 0, 3, 6 log
        tf.logging.log_first_n(tf.logging.WARN, "first %d", 2, i)  # runs 0, 1 log
    for i in range(2):
        tf.logging.log_every_n(tf.logging.INFO, "other line %d", 3, i)  # a line of its own: counted apart
    tf.logging.vlog(tf.logging.DEBUG, "v %s", "x")
    tf.logging.log_if(tf.logging.ERROR, "no", False)
    tf.logging.log_if(tf.logging.ERROR, "yes", True)
    messages = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "minidl.graph"]
    assert messages == [(logging.INFO, "every 0"), (logging.WARNING, "first 0"), (logging.WARNING, "first 1"),
                        (logging.INFO, "every 3"), (logging.INFO, "every 6"), (logging.INFO, "other line 0"),
                        (logging.DEBUG, "v x"), (logging.ERROR, "yes")]


def test_required_flags():
    fv = flags_module.FlagValues()
    tf.flags.DEFINE_string("data_dir", None, "where the data is", flag_values=fv)
    tf.flags.DEFINE_integer("steps", None, "how many", flag_values=fv)
    tf.flags.DEFINE_boolean("fast", False, "hurry", flag_values=fv)
    tf.flags.mark_flags_as_required(["data_dir", "steps"], flag_values=fv)
    with pytest.raises(tf.flags.IllegalFlagValueError, match="flag --data_dir=None: Flag --data_dir must have a "
                                                            "value other than None"):
        fv(["prog", "--steps=3"])
    assert fv(["prog", "--data_dir=/d", "--steps", "0", "x"]) == ["prog", "x"]  # 0 is a value
    assert (fv.data_dir, fv.steps) == ("/d", 0)
    with pytest.raises(tf.flags.IllegalFlagValueError, match="--steps"):
        fv.steps = None
    with pytest.warns(UserWarning, match="non-None default"):
        tf.flags.mark_flag_as_required("fast", flag_values=fv)
    with pytest.raises(AttributeError, match="no flag named 'nope'"):
        tf.flags.mark_flag_as_required("nope", flag_values=fv)
    assert tf.app.flags.mark_flag_as_required is tf.flags.mark_flag_as_required


# ================================================================================================ tf.math

def test_tf_math_names_of_nn_functions():
    assert tf.math.l2_normalize is tf.nn.l2_normalize and tf.math.zero_fraction is tf.nn.zero_fraction
    assert run(tf.math.zero_fraction(tf.constant([0.0, 1.0, 0.0, 2.0]))) == pytest.approx(0.5)


def test_reciprocal_no_nan_values_and_gradient():
    x = tf.constant([0.0, 2.0, -4.0, 0.5])
    y = tf.math.reciprocal_no_nan(x)
    assert y.op.name == "reciprocal_no_nan"
    np.testing.assert_array_equal(run(y), [0.0, 0.5, -0.25, 2.0])
    np.testing.assert_array_equal(run(tf.gradients(y, x)[0]), [0.0, -0.25, -1 / 16, -4.0])  # -1/x², 0 at 0
    check_gradients(tf.math.reciprocal_no_nan, np.array([[0.7, -1.3], [2.0, -0.4]]))
    with pytest.raises(TypeError, match="int32"):
        tf.math.reciprocal_no_nan(tf.constant([1, 2]))


def test_polyval_values_and_gradients():
    x = np.array([[-1.5, 0.0], [0.5, 2.0]])
    y = tf.math.polyval([2.0, tf.constant(-3.0, tf.float64), 0.5], tf.constant(x))  # 2x² - 3x + 0.5
    np.testing.assert_allclose(run(y), 2 * x ** 2 - 3 * x + 0.5)
    np.testing.assert_array_equal(run(tf.math.polyval([], tf.constant([1.0, 2.0]))), [0.0, 0.0])
    assert run(tf.math.polyval([4.0], tf.constant([1.0, 2.0]))) == 4.0  # a constant: its own shape, as TF
    rng = np.random.default_rng(2)
    check_gradients(lambda c0, c1, c2, t: tf.math.polyval([c0, c1, c2], t),
                    rng.standard_normal(2), rng.standard_normal(2), rng.standard_normal(2),
                    rng.standard_normal((3, 2)))
    with pytest.raises(ValueError, match="list"):
        tf.math.polyval((1.0, 2.0), tf.constant(1.0))


def test_is_non_decreasing_and_is_strictly_increasing():
    cases = {(1, 2, 2, 5): (True, False), (1, 3, 2): (False, False), (-2, 0, 7): (True, True), (4,): (True, True),
             (): (True, True)}
    for values, (non_decreasing, increasing) in cases.items():
        x = tf.constant(np.array(values, np.float32))
        assert run(tf.is_non_decreasing(x)) == non_decreasing
        assert run(tf.math.is_strictly_increasing(x)) == increasing
    # row-major order across the rows of a matrix: 1 2 | 3 3 is non-decreasing, not strictly increasing
    m = tf.constant([[1, 2], [3, 3]])
    assert run(tf.debugging.is_non_decreasing(m)) and not run(tf.is_strictly_increasing(m))
    assert run(tf.is_strictly_increasing(tf.constant([0, 200], tf.uint8)))
    assert not run(tf.is_non_decreasing(tf.constant([200, 0], tf.uint8)))  # compared, not subtracted
    with pytest.raises(TypeError, match="numeric"):
        tf.is_non_decreasing(tf.constant(["a", "b"]))


def test_a_variable_scope_lists_its_variables_as_gan_code_asks_it():
    """``g_vars = scope.trainable_variables()``: the variables made inside the scope (its name followed by "/", so
    "gen_other/w" is not among "gen"'s)."""
    with tf.variable_scope("gen") as gen:
        weight = tf.get_variable("w", [1])
        counter = tf.get_variable("count", [1], trainable=False)
    with tf.variable_scope("gen_other") as other:
        tf.get_variable("w", [1])
    assert gen.trainable_variables() == [weight] and gen.global_variables() == [weight, counter]
    assert [v.name for v in other.trainable_variables()] == ["gen_other/w:0"] and gen.local_variables() == []
    assert gen.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [weight]
    assert tf.GraphKeys.VARIABLES == tf.GraphKeys.GLOBAL_VARIABLES and tf.GraphKeys.RESOURCES == "resources"
    assert (gen.use_resource, gen.caching_device, gen.partitioner) == (None, None, None)


def test_a_variables_scatter_methods_and_reads():
    v = tf.Variable([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    added = v.scatter_add(tf.IndexedSlices(tf.constant([[10.0, 10.0]]), tf.constant([1])))
    set_one = v.scatter_nd_update(tf.constant([[0, 1]]), tf.constant([7.0]))
    rows, entry = v.sparse_read([2]), v.gather_nd([[1, 0]])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(added).tolist() == [[1.0, 1.0], [12.0, 12.0], [3.0, 3.0]]
        assert sess.run(set_one).tolist() == [[1.0, 7.0], [12.0, 12.0], [3.0, 3.0]]
        assert sess.run(rows).tolist() == [[3.0, 3.0]] and sess.run(entry).tolist() == [12.0]
    with pytest.raises(TypeError, match="sparse_delta must be an IndexedSlices"):
        v.scatter_update([1.0, 2.0])


def test_tf_attribute_names_convert_to_tensor_hints_and_nested_scope_names():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y, as_int = x + 1.0, tf.cast(x, tf.int32)
    assert y.op.get_attr("T") == tf.float32 and x.op.get_attr("dtype") == tf.float32
    assert x.op.get_attr("shape").as_list() == [None, 3] and as_int.op.get_attr("DstT") == tf.int32
    assert as_int.op.get_attr("SrcT") == tf.float32 and y.op.values() == (y,)
    with pytest.raises(ValueError, match="Operation 'add' has no attr named 'nope'"):
        y.op.get_attr("nope")
    assert tf.convert_to_tensor(1, preferred_dtype=tf.float32).dtype == tf.float32
    assert tf.convert_to_tensor(1.5, preferred_dtype=tf.int32).dtype == tf.float32  # (it does not convert: ignored)
    assert tf.convert_to_tensor([1, 2], dtype_hint=tf.int64).dtype == tf.int64
    with tf.name_scope("outer"):
        with tf.name_scope("_inner") as scope:  # (only a root scope must start as an op name does)
            assert scope == "outer/_inner/"
    with pytest.raises(ValueError, match="'_top' is not a valid scope name"):
        with tf.name_scope("_top"):
            pass
    v = tf.get_variable("v", [2], synchronization=tf.VariableSynchronization.ON_READ,
                        aggregation=tf.VariableAggregation.ONLY_FIRST_TOWER)
    assert v.name == "v:0" and tf.VariableAggregation.ONLY_FIRST_TOWER is tf.VariableAggregation.ONLY_FIRST_REPLICA
