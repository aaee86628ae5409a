"""Bad inputs to the fused recurrence (recurrent.py): each mistake is a clear error naming the op and the shapes or
dtypes involved. Plus what the op table cannot see: graph mode with unknown dims, dtype promotion, and that
gradients skip the weight product when the weight needs none."""
import numpy as np
import pytest

import minidl.eager as md
import minidl.graph as tf
from minidl import ops
from minidl.ops import OpError

L, N, H = 3, 2, 4


def t(*shape, dtype="float32"):
    return md.tensor(np.ones(shape, dtype=dtype))


def test_arguments_must_be_tensors_of_the_right_rank():
    with pytest.raises(TypeError, match="rnn_sequence: expected hx to be a tensor, got ndarray"):
        ops.rnn_sequence(t(L, N, H), np.zeros((N, H)), t(H, H))
    with pytest.raises(OpError, match=r"rnn_sequence: expected xw to be 3-D \(L, N, H\), got float32\[2, 4\]"):
        ops.rnn_sequence(t(N, H), t(N, H), t(H, H))
    with pytest.raises(OpError, match=r"rnn_weight_grad: expected hx to be 2-D \(N, H\), got float32\[2\]"):
        ops.rnn_weight_grad(t(L, N, H), t(L, N, H), t(N))


def test_sizes_must_agree():
    with pytest.raises(OpError, match=r"rnn_sequence: sizes do not agree on N: xw \(L, N, H\) = \[3, 2, 4\], "
                                      r"hx \(N, H\) = \[5, 4\], weight_hh \(H, H\) = \[4, 4\]"):
        ops.rnn_sequence(t(L, N, H), t(5, H), t(H, H))
    with pytest.raises(OpError, match="rnn_sequence: sizes do not agree on H"):
        ops.rnn_sequence(t(L, N, H), t(N, H), t(H, H + 1))
    with pytest.raises(OpError, match="rnn_sequence_grad: sizes do not agree on L"):
        ops.rnn_sequence_grad(t(L, N, H), t(L + 1, N, H), t(H, H))


def test_empty_sequence_is_refused():
    with pytest.raises(OpError, match="rnn_sequence: expected a sequence length larger than 0"):
        ops.rnn_sequence(t(0, N, H), t(N, H), t(H, H))


def test_attributes():
    with pytest.raises(OpError, match="rnn_sequence: unknown nonlinearity 'sigmoid'; select from 'tanh' or 'relu'"):
        ops.rnn_sequence(t(L, N, H), t(N, H), t(H, H), nonlinearity="sigmoid")
    with pytest.raises(TypeError, match="rnn_sequence_grad: reverse must be a bool, got 1"):
        ops.rnn_sequence_grad(t(L, N, H), t(L, N, H), t(H, H), reverse=1)


def test_dtypes_promote_and_must_be_floating_point():
    with pytest.raises(TypeError, match=r"rnn_sequence: expected floating point tensors, got xw int64\[3, 2, 4\]"):
        ops.rnn_sequence(t(L, N, H, dtype="int64"), t(N, H, dtype="int64"), t(H, H, dtype="int64"))
    output, h_n = ops.rnn_sequence(t(L, N, H), t(N, H, dtype="float64"), t(H, H))
    assert output.dtype == h_n.dtype == md.float64


def test_weight_product_only_when_the_weight_needs_a_gradient():
    xw, h0 = md.randn(L, N, H, requires_grad=True), md.randn(N, H, requires_grad=True)
    out, _ = ops.rnn_sequence(xw, h0, md.randn(H, H))
    names = [node.name() for node, _ in out.grad_fn.next_functions if node is not None]
    assert names == ["AccumulateGrad", "AccumulateGrad"]
    grads = md.autograd.grad(out.sum(), (xw, h0), create_graph=True)
    assert [g.grad_fn.name() for g in grads] == ["RnnSequenceGradBackward0", "RnnSequenceGradBackward0"]


def test_graph_mode_with_unknown_length_and_batch():
    rng = np.random.default_rng(0)
    arrays = rng.standard_normal((L, N, H)), rng.standard_normal((N, H)), rng.standard_normal((H, H)) * 0.5
    graph = tf.Graph()
    with graph.as_default():
        xw, h0 = tf.placeholder(tf.float64, (None, None, H)), tf.placeholder(tf.float64, (None, H))
        w = tf.constant(arrays[2])
        out, h_n = ops.rnn_sequence(xw, h0, w, nonlinearity="relu", reverse=True)
        assert (tuple(out.shape), tuple(h_n.shape)) == ((None, None, H), (None, H))
        grads = tf.gradients(ops.sum(out * out), [xw, h0, w])
        assert [tuple(g.shape) for g in grads] == [(None, None, H), (None, H), (H, H)]
        last_grads = tf.gradients(ops.sum(h_n * h_n), [xw, h0, w])  # backpropagation from h_n alone
        with pytest.raises(OpError, match="unbind: the size of dimension 0 .* must be known"):
            tf.gradients(ops.sum(grads[0]), [xw])  # second order loops over the steps: it needs their number
    with tf.Session(graph=graph) as session:
        values = session.run([out] + grads + last_grads, {xw: arrays[0], h0: arrays[1]})
    xs = [md.tensor(a, requires_grad=True) for a in arrays]
    eager_out, eager_h_n = ops.rnn_sequence(*xs, nonlinearity="relu", reverse=True)
    eager_grads = md.autograd.grad(ops.sum(eager_out * eager_out), xs, retain_graph=True)
    eager_last_grads = md.autograd.grad(ops.sum(eager_h_n * eager_h_n), xs)
    for got, expected in zip(values, [eager_out] + list(eager_grads) + list(eager_last_grads)):
        np.testing.assert_allclose(got, expected.detach().numpy(), rtol=1e-12)
