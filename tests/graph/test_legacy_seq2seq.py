"""tf.contrib.legacy_seq2seq's decoders (values against numpy, TF's variable names), and the tf.contrib.data and
tf.contrib.layers names of steps that live elsewhere."""
import numpy as np
import pytest

import minidl.graph as tf

from .numeric_gradients import check_gradients

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


# ============================================================================ embedding and attention models

def _variables(sess):
    """Every global variable's value by name (without ":0")."""
    variables = tf.global_variables()
    return {v.name[:-2]: value for v, value in zip(variables, sess.run(variables))}


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_embedding_rnn_seq2seq_feed_previous_decodes_greedily(graph):
    """Encoder: the ids embedded by EmbeddingWrapper; decoder: logits from an OutputProjectionWrapper, each step
    after the first fed the embedding of the previous step's argmax — whatever the later decoder inputs say."""
    symbols, size = 5, 3
    encoder = [tf.placeholder(tf.int32, [None]) for _ in range(3)]
    decoder = [tf.placeholder(tf.int32, [None]) for _ in range(4)]
    outputs, state = legacy.embedding_rnn_seq2seq(encoder, decoder, tf.nn.rnn_cell.BasicRNNCell(UNITS), symbols,
                                                  symbols, size, feed_previous=True)
    assert len(outputs) == 4 and outputs[0].shape.as_list() == [None, symbols]
    prefix = "embedding_rnn_seq2seq/"
    wrapper = "embedding_rnn_decoder/rnn_decoder/output_projection_wrapper/"
    assert sorted(v.name for v in tf.trainable_variables()) == [prefix + name + ":0" for name in (
        "embedding_rnn_decoder/embedding", wrapper + "basic_rnn_cell/bias", wrapper + "basic_rnn_cell/kernel",
        wrapper + "bias", wrapper + "kernel", "rnn/embedding_wrapper/basic_rnn_cell/bias",
        "rnn/embedding_wrapper/basic_rnn_cell/kernel", "rnn/embedding_wrapper/embedding")]
    rng = np.random.default_rng(3)
    encoder_ids = rng.integers(0, symbols, (3, BATCH))
    go = np.array([0, 1])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feeds = {**dict(zip(encoder, encoder_ids)), decoder[0]: go}
        feeds.update({d: rng.integers(0, symbols, BATCH) for d in decoder[1:]})   # ignored
        got = sess.run(outputs + [state], feeds)
        w = _variables(sess)
    h = np.zeros((BATCH, UNITS), np.float32)
    for ids in encoder_ids:
        h = np.tanh(np.concatenate([w[prefix + "rnn/embedding_wrapper/embedding"][ids], h], 1)
                    @ w[prefix + "rnn/embedding_wrapper/basic_rnn_cell/kernel"]
                    + w[prefix + "rnn/embedding_wrapper/basic_rnn_cell/bias"])
    cell = prefix + wrapper
    ids = go
    for step_output in got[:-1]:
        h = np.tanh(np.concatenate([w[prefix + "embedding_rnn_decoder/embedding"][ids], h], 1)
                    @ w[cell + "basic_rnn_cell/kernel"] + w[cell + "basic_rnn_cell/bias"])
        logits = h @ w[cell + "kernel"] + w[cell + "bias"]
        np.testing.assert_allclose(step_output, logits, rtol=1e-5, atol=1e-5)
        ids = logits.argmax(1)
    np.testing.assert_allclose(got[-1], h, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("update", [True, False])
def test_update_embedding_for_previous_decides_which_rows_learn(graph, update):
    """The fed symbols' embedding rows get a gradient only with update_embedding_for_previous=True; the GO
    symbol's row always does. The output projection (W, B) turns outputs into logits before the argmax."""
    symbols = 6
    decoder = [tf.placeholder(tf.int32, [None]) for _ in range(3)]
    # (the biases make symbol 1 the one fed back, whatever the random weights: not GO, the last symbol)
    projection = (tf.constant(0.1 * np.random.default_rng(4).standard_normal((UNITS, symbols)), tf.float32),
                  tf.constant([0, 3, 0, 0, 0, -3], tf.float32))
    outputs, _ = legacy.embedding_rnn_decoder(decoder, tf.zeros([BATCH, UNITS]), tf.nn.rnn_cell.GRUCell(UNITS),
                                              symbols, 3, output_projection=projection, feed_previous=True,
                                              update_embedding_for_previous=update)
    assert outputs[0].shape.as_list() == [BATCH, UNITS]   # the cell's outputs: projecting is the caller's business
    embedding = [v for v in tf.global_variables() if v.name == "embedding_rnn_decoder/embedding:0"][0]
    grad = tf.convert_to_tensor(tf.gradients(tf.add_n([tf.reduce_sum(o) for o in outputs]), embedding)[0])
    go = np.array([symbols - 1] * BATCH)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_outputs, got_grad = sess.run([outputs, grad], {d: go for d in decoder})
        W, B = sess.run(projection)
    fed = {int(i) for o in got_outputs[:-1] for i in (o @ W + B).argmax(1)}
    assert fed == {1}
    learning = {int(i) for i in np.flatnonzero(np.abs(got_grad).sum(1))}
    assert learning == ({symbols - 1} | fed if update else {symbols - 1})


def _numpy_attention(w, prefix, heads, states, query, first_step_reuse=False):
    """Each head's context for ``query``: softmax_j(v · tanh(h_j W1 + q W2 + b)) weighted sum of the h_j."""
    size = states.shape[2]
    contexts = []
    for a in range(heads):
        keys = states @ w[f"{prefix}AttnW_{a}"].reshape(size, size)
        projected = query @ w[f"{prefix}Attention_{a}/kernel"] + w[f"{prefix}Attention_{a}/bias"]
        weights = _softmax((w[f"{prefix}AttnV_{a}"] * np.tanh(keys + projected[:, None, :])).sum(2))
        contexts.append((weights[:, :, None] * states).sum(1))
    return contexts


@pytest.mark.parametrize("initial_state_attention", [False, True])
def test_attention_decoder_against_numpy(graph, initial_state_attention):
    heads, length, size, out = 2, 3, 5, 6
    steps = [tf.placeholder(tf.float32, [None, FEATURES]) for _ in range(3)]
    start = tf.placeholder(tf.float32, [None, UNITS])
    states = tf.placeholder(tf.float32, [None, length, size])
    outputs, state = legacy.attention_decoder(steps, start, states, tf.nn.rnn_cell.BasicRNNCell(UNITS),
                                              output_size=out, num_heads=heads,
                                              initial_state_attention=initial_state_attention)
    assert [o.shape.as_list() for o in outputs] == [[None, out]] * 3
    prefix = "attention_decoder/"
    assert sorted(v.name[:-2] for v in tf.global_variables()) == sorted(prefix + name for name in (
        "AttnW_0", "AttnV_0", "AttnW_1", "AttnV_1", "kernel", "bias", "basic_rnn_cell/kernel", "basic_rnn_cell/bias",
        "Attention_0/kernel", "Attention_0/bias", "Attention_1/kernel", "Attention_1/bias",
        "AttnOutputProjection/kernel", "AttnOutputProjection/bias"))
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal((BATCH, FEATURES)).astype(np.float32) for _ in steps]
    h = rng.standard_normal((BATCH, UNITS)).astype(np.float32)
    hs = rng.standard_normal((BATCH, length, size)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(outputs + [state], {**dict(zip(steps, xs)), start: h, states: hs})
        w = _variables(sess)
    contexts = (_numpy_attention(w, prefix, heads, hs, h) if initial_state_attention
                else [np.zeros((BATCH, size))] * heads)
    for x, step_output in zip(xs, got):
        x = np.concatenate([x] + contexts, 1) @ w[prefix + "kernel"] + w[prefix + "bias"]
        h = np.tanh(np.concatenate([x, h], 1) @ w[prefix + "basic_rnn_cell/kernel"] + w[prefix + "basic_rnn_cell/bias"])
        contexts = _numpy_attention(w, prefix, heads, hs, h)
        expected = (np.concatenate([h] + contexts, 1) @ w[prefix + "AttnOutputProjection/kernel"]
                    + w[prefix + "AttnOutputProjection/bias"])
        np.testing.assert_allclose(step_output, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[-1], h, rtol=1e-4, atol=1e-5)


def test_attention_decoder_gradients(graph):
    """Through the inputs, an LSTM's tuple state (the query is its parts joined) and the attention states."""
    def decode(x0, x1, c, h, states):
        outputs, state = legacy.attention_decoder([x0, x1], tf.nn.rnn_cell.LSTMStateTuple(c, h), states,
                                                  tf.nn.rnn_cell.BasicLSTMCell(3), num_heads=2, dtype=tf.float64,
                                                  initial_state_attention=True)
        return tf.concat(outputs + list(state), 1)

    rng = np.random.default_rng(6)
    check_gradients(decode, rng.standard_normal((BATCH, 2)), rng.standard_normal((BATCH, 2)),
                    rng.standard_normal((BATCH, 3)), rng.standard_normal((BATCH, 3)),
                    rng.standard_normal((BATCH, 3, 2)))


def test_attention_decoder_checks_its_arguments(graph):
    cell, states = tf.nn.rnn_cell.BasicRNNCell(UNITS), tf.zeros([BATCH, 3, 2])
    step, start = tf.zeros([BATCH, 2]), tf.zeros([BATCH, UNITS])
    with pytest.raises(ValueError, match="at least 1 input"):
        legacy.attention_decoder([], start, states, cell)
    with pytest.raises(ValueError, match="less than 1 heads"):
        legacy.attention_decoder([step], start, states, cell, num_heads=0)
    with pytest.raises(ValueError, match="Shape\\[2\\] of attention_states must be known"):
        legacy.attention_decoder([step], start, tf.placeholder(tf.float32, [BATCH, 3, None]), cell)


def test_tied_and_one2many_models(graph):
    encoder = [tf.placeholder(tf.int32, [BATCH]) for _ in range(2)]
    decoder = [tf.placeholder(tf.int32, [BATCH]) for _ in range(3)]
    tied, _ = legacy.embedding_tied_rnn_seq2seq(encoder, decoder, tf.nn.rnn_cell.GRUCell(UNITS), 7, 3,
                                                num_decoder_symbols=4)
    outputs, states = legacy.one2many_rnn_seq2seq(
        encoder, {"parse": decoder, "tag": decoder[:2]}, tf.nn.rnn_cell.GRUCell(UNITS),
        {"parse": tf.nn.rnn_cell.GRUCell(UNITS), "tag": tf.nn.rnn_cell.GRUCell(UNITS)}, 7,
        {"parse": 5, "tag": 2}, 3)
    assert [o.shape.as_list() for o in tied] == [[BATCH, 4]] * 3
    assert [o.shape.as_list() for o in outputs["parse"]] == [[BATCH, 5]] * 3
    assert [o.shape.as_list() for o in outputs["tag"]] == [[BATCH, 2]] * 2
    assert states["tag"].shape.as_list() == states["parse"].shape.as_list() == [BATCH, UNITS]
    names = {v.name for v in tf.trainable_variables()}
    # one embedding for both sides of the tied model, encoder and decoder one cell
    assert {n for n in names if n.startswith("embedding_tied")} == {
        "embedding_tied_rnn_seq2seq/embedding:0",
        *(f"embedding_tied_rnn_seq2seq/combined_tied_rnn_seq2seq/tied_rnn_seq2seq/output_projection_wrapper/{n}:0"
          for n in ("kernel", "bias", "gru_cell/gates/kernel", "gru_cell/gates/bias", "gru_cell/candidate/kernel",
                    "gru_cell/candidate/bias"))}
    assert {"one2many_rnn_seq2seq/rnn/embedding_wrapper/embedding:0",
            "one2many_rnn_seq2seq/one2many_decoder_parse/embedding_rnn_decoder/embedding:0",
            "one2many_rnn_seq2seq/one2many_decoder_tag/embedding_rnn_decoder/embedding:0"} <= names
    with pytest.raises(ValueError, match="keys of dec_cells_dict"):
        legacy.one2many_rnn_seq2seq(encoder, {"a": decoder}, tf.nn.rnn_cell.GRUCell(UNITS), {}, 7, {}, 3)
    with pytest.raises(TypeError, match="enc_cell is not an RNNCell"):
        legacy.one2many_rnn_seq2seq(encoder, {}, "gru", {}, 7, {}, 3)


def test_embedding_wrapper_draws_unit_variance_embeddings(graph):
    cell = tf.contrib.rnn.EmbeddingWrapper(tf.nn.rnn_cell.BasicRNNCell(UNITS), embedding_classes=400,
                                           embedding_size=5)
    ids = tf.constant([[3], [7]])
    output, _ = cell(ids, tf.zeros([BATCH, UNITS]))
    assert output.shape.as_list() == [BATCH, UNITS] and cell.output_size == UNITS
    assert [v.name for v in cell.variables] == ["embedding_wrapper/embedding:0",
                                                "embedding_wrapper/basic_rnn_cell/kernel:0",
                                                "embedding_wrapper/basic_rnn_cell/bias:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        table = sess.run(cell.embedding)
    assert np.abs(table).max() <= np.sqrt(3) and 0.85 < table.var() < 1.15   # U[-√3, √3], not Glorot's narrow one
    with pytest.raises(ValueError, match="greater than 0"):
        tf.contrib.rnn.EmbeddingWrapper(tf.nn.rnn_cell.BasicRNNCell(UNITS), 0, 5)


def _legacy_loss(logits, targets, weights):
    """legacy sequence_loss in numpy: Σ_t w·ce / (Σ_t w + 1e-12) per example, averaged over the batch."""
    ce = [np.log(np.exp(l).sum(1)) - l[np.arange(len(t)), t] for l, t in zip(logits, targets)]
    per_example = sum(w * c for w, c in zip(weights, ce)) / (sum(weights) + 1e-12)
    return per_example, per_example.mean()


@pytest.mark.parametrize("per_example_loss", [False, True])
def test_model_with_buckets_shares_the_model_across_buckets(graph, per_example_loss):
    symbols, length = 6, 3
    encoder = [tf.placeholder(tf.int32, [BATCH]) for _ in range(length)]
    decoder = [tf.placeholder(tf.int32, [BATCH]) for _ in range(length)]
    targets = [tf.placeholder(tf.int32, [BATCH]) for _ in range(length)]
    weights = [tf.placeholder(tf.float32, [BATCH]) for _ in range(length)]

    def seq2seq(x, y):  # (a fresh cell each time: deep-copying a built cell fails, as in TF)
        return legacy.embedding_attention_seq2seq(x, y, tf.nn.rnn_cell.GRUCell(UNITS), symbols, symbols, 2)

    # both buckets read the whole encoder input: the short one's outputs are the long one's first ones
    outputs, losses = legacy.model_with_buckets(encoder, decoder, targets, weights, [(3, 2), (3, 3)], seq2seq,
                                                per_example_loss=per_example_loss)
    assert [len(o) for o in outputs] == [2, 3]
    assert [loss.shape.as_list() for loss in losses] == [[BATCH] if per_example_loss else []] * 2
    # one model's variables: embeddings 2, GRUs 2 × 4, AttnW_0 and AttnV_0, the decoder's input and output linear
    # maps 2 × 2, Attention_0 2, the OutputProjectionWrapper 2
    assert len(tf.trainable_variables()) == 20
    rng = np.random.default_rng(7)
    values = [rng.integers(0, symbols, (length, BATCH)) for _ in range(3)] + [rng.random((length, BATCH))]
    values[3][2, 0] = 0.0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_outputs, got_losses = sess.run([outputs, losses], {
            p: v for ps, vs in zip((encoder, decoder, targets, weights), values) for p, v in zip(ps, vs)})
    np.testing.assert_allclose(got_outputs[0], got_outputs[1][:2], rtol=1e-5, atol=1e-6)
    for bucket_outputs, loss in zip(got_outputs, got_losses):
        n = len(bucket_outputs)
        per_example, mean = _legacy_loss(bucket_outputs, values[2][:n], values[3][:n])
        np.testing.assert_allclose(loss, per_example if per_example_loss else mean, rtol=1e-5)
    with pytest.raises(ValueError, match="Length of targets"):
        legacy.model_with_buckets(encoder, decoder, targets[:2], weights, [(3, 3)], seq2seq)


def test_embedding_attention_seq2seq_learns_to_reverse(graph):
    """Teacher forcing for training, greedy decoding (the same graph, feed_previous a tensor) to test: a few
    hundred Adam steps learn to reverse 4 symbols."""
    tf.set_random_seed(0)
    steps, symbols, batch = 4, 6, 32
    encoder = [tf.placeholder(tf.int32, [None]) for _ in range(steps)]
    decoder = [tf.placeholder(tf.int32, [None]) for _ in range(steps + 1)]   # GO (0), then the answer
    feed_previous = tf.placeholder_with_default(False, [])
    outputs, _ = legacy.embedding_attention_seq2seq(encoder, decoder, tf.nn.rnn_cell.GRUCell(24), symbols, symbols,
                                                    8, feed_previous=feed_previous)
    targets = decoder[1:] + [tf.zeros_like(decoder[0])]
    weights = [tf.ones([batch])] * steps + [tf.zeros([batch])]   # the last step predicts nothing
    loss = legacy.sequence_loss(outputs, targets, weights)
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    rng = np.random.default_rng(8)

    def feeds():
        x = rng.integers(1, symbols, (batch, steps))
        answer = np.concatenate([np.zeros((batch, 1), int), x[:, ::-1]], 1)
        return {**dict(zip(encoder, x.T)), **dict(zip(decoder, answer.T))}, x[:, ::-1]

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, feeds()[0])
        for _ in range(300):
            last, _ = sess.run([loss, train], feeds()[0])
        test_feeds, reversed_x = feeds()
        test_feeds.update({d: np.full(batch, 5) for d in decoder[1:]})   # the answer is not there to copy
        generated = sess.run(outputs[:steps], {**test_feeds, feed_previous: True})
    assert first > 1.5 and last < 0.02
    assert (np.stack([o.argmax(1) for o in generated], 1) == reversed_x).all(1).mean() >= 0.95   # whole sequences
