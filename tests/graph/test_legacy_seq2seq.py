"""tf.contrib.legacy_seq2seq's decoders (values against numpy, TF's variable names), and the tf.contrib.data and
tf.contrib.layers names of steps that live elsewhere."""
import numpy as np
import pytest

import minidl.graph as tf

legacy = tf.contrib.legacy_seq2seq
BATCH, FEATURES, UNITS = 2, 3, 4


def _numpy_rnn(kernel, bias, inputs, state):
    """BasicRNNCell by hand: h = tanh([x, h] @ kernel + bias) per step; returns the outputs."""
    outputs = []
    for x in inputs:
        state = np.tanh(np.concatenate([x, state], 1) @ kernel + bias)
        outputs.append(state)
    return outputs


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_rnn_decoder_shares_one_cell_over_the_steps(graph):
    steps = [tf.placeholder(tf.float32, [BATCH, FEATURES]) for _ in range(3)]
    start = tf.placeholder(tf.float32, [BATCH, UNITS])
    outputs, state = legacy.rnn_decoder(steps, start, tf.nn.rnn_cell.BasicRNNCell(UNITS))
    assert [v.name for v in tf.trainable_variables()] == ["rnn_decoder/basic_rnn_cell/kernel:0",
                                                          "rnn_decoder/basic_rnn_cell/bias:0"]
    rng = np.random.default_rng(0)
    values = [rng.standard_normal((BATCH, FEATURES)).astype(np.float32) for _ in steps]
    h0 = rng.standard_normal((BATCH, UNITS)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(outputs + [state], {**dict(zip(steps, values)), start: h0})
        kernel, bias = sess.run(tf.trainable_variables())
    expected = _numpy_rnn(kernel, bias, values, h0)
    for g, e in zip(got, expected + [expected[-1]]):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_loop_function_feeds_each_step_the_previous_output(graph):
    steps = [tf.placeholder(tf.float32, [BATCH, UNITS]) for _ in range(3)]
    calls = []

    def loop(previous, i):  # generating: the next input is made from the last output
        calls.append(i)
        return previous * 2.0

    outputs, _ = legacy.rnn_decoder(steps, tf.zeros([BATCH, UNITS]), tf.nn.rnn_cell.BasicRNNCell(UNITS),
                                    loop_function=loop)
    assert calls == [1, 2]
    rng = np.random.default_rng(1)
    first = rng.standard_normal((BATCH, UNITS)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feeds = {steps[0]: first, steps[1]: first, steps[2]: first}
        got = sess.run(outputs, feeds)
        kernel, bias = sess.run(tf.trainable_variables())
    h = np.zeros((BATCH, UNITS), np.float32)
    x = first
    for step_output in got:  # the later steps' placeholders are ignored: they run on 2 * the previous output
        h = np.tanh(np.concatenate([x, h], 1) @ kernel + bias)
        np.testing.assert_allclose(step_output, h, rtol=1e-5, atol=1e-6)
        x = 2 * h


def test_basic_and_tied_seq2seq_decode_from_the_encoders_last_state(graph):
    encoder = [tf.placeholder(tf.float32, [BATCH, FEATURES]) for _ in range(4)]
    decoder = [tf.placeholder(tf.float32, [BATCH, FEATURES]) for _ in range(2)]
    basic, _ = legacy.basic_rnn_seq2seq(encoder, decoder, tf.nn.rnn_cell.BasicRNNCell(UNITS))
    tied, _ = legacy.tied_rnn_seq2seq(encoder, decoder, tf.nn.rnn_cell.BasicRNNCell(UNITS))
    names = [v.name for v in tf.trainable_variables()]
    assert names == ["basic_rnn_seq2seq/rnn/basic_rnn_cell/kernel:0", "basic_rnn_seq2seq/rnn/basic_rnn_cell/bias:0",
                     "basic_rnn_seq2seq/rnn_decoder/basic_rnn_cell/kernel:0",
                     "basic_rnn_seq2seq/rnn_decoder/basic_rnn_cell/bias:0",
                     "combined_tied_rnn_seq2seq/tied_rnn_seq2seq/basic_rnn_cell/kernel:0",
                     "combined_tied_rnn_seq2seq/tied_rnn_seq2seq/basic_rnn_cell/bias:0"]
    rng = np.random.default_rng(2)
    values = [rng.standard_normal((BATCH, FEATURES)).astype(np.float32) for _ in encoder + decoder]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_basic, got_tied = sess.run([basic, tied], dict(zip(encoder + decoder, values)))
        (enc_k, enc_b, dec_k, dec_b, tied_k, tied_b) = sess.run(tf.trainable_variables())
    zero = np.zeros((BATCH, UNITS), np.float32)
    for got, (k1, b1), (k2, b2) in ((got_basic, (enc_k, enc_b), (dec_k, dec_b)),
                                    (got_tied, (tied_k, tied_b), (tied_k, tied_b))):
        encoded = _numpy_rnn(k1, b1, values[:4], zero)[-1]
        for g, e in zip(got, _numpy_rnn(k2, b2, values[4:], encoded)):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_contrib_data_and_contrib_layers_names(graph):
    batches = tf.data.Dataset.range(10).apply(tf.contrib.data.batch_and_drop_remainder(4))
    rows = tf.data.Dataset.from_tensor_slices(np.arange(6).reshape(3, 2)).apply(tf.contrib.data.unbatch())
    padded = tf.data.Dataset.range(1, 6).map(lambda n: tf.fill([n], n)).apply(
        tf.contrib.data.padded_batch_and_drop_remainder(2, [None]))
    assert tf.contrib.data.AUTOTUNE == tf.data.experimental.AUTOTUNE
    get = [d.make_one_shot_iterator().get_next() for d in (batches, rows, padded)]
    with tf.Session() as sess:
        assert [sess.run(get[0]).tolist() for _ in range(2)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
        assert [sess.run(get[1]).tolist() for _ in range(6)] == [0, 1, 2, 3, 4, 5]
        assert sess.run(get[2]).tolist() == [[1, 0], [2, 2]]
        assert sess.run(get[2]).tolist() == [[3, 3, 3, 0], [4, 4, 4, 4]]
        for step in get[0], get[2]:  # the short last batch is dropped
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run(step)
    assert tf.contrib.layers.repeat is tf.contrib.slim.repeat and tf.contrib.layers.stack is tf.contrib.slim.stack


def test_tf_1_2_pipelines_import_the_dataset_from_contrib_data(graph, tmp_path):
    """``from tensorflow.contrib.data import Dataset, Iterator`` (TF 1.2-1.3) and ``tf.contrib.signal`` (TF 1.x's
    tf.signal) build the same pipelines and transforms."""
    (tmp_path / "lines.txt").write_text("a\nb\n")
    Dataset, Iterator = tf.contrib.data.Dataset, tf.contrib.data.Iterator
    numbers = Dataset.from_tensor_slices(np.arange(4)).batch(2)
    iterator = Iterator.from_structure(numbers.output_types, numbers.output_shapes)
    batch, lines = iterator.get_next(), tf.contrib.data.TextLineDataset(str(tmp_path / "lines.txt"))
    line = lines.make_one_shot_iterator().get_next()
    frames = tf.contrib.signal.frame(tf.range(6), frame_length=2, frame_step=2)
    with tf.Session() as sess:
        sess.run(iterator.make_initializer(numbers))
        assert sess.run(batch).tolist() == [0, 1] and sess.run(batch).tolist() == [2, 3]
        assert [sess.run(line) for _ in range(2)] == [b"a", b"b"]
        assert sess.run(frames).tolist() == [[0, 1], [2, 3], [4, 5]]
    assert tf.contrib.data.TFRecordDataset is tf.data.TFRecordDataset
