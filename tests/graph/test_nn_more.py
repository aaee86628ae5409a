"""``tf.nn.sufficient_statistics`` / ``normalize_moments`` / ``weighted_moments``, ``log_poisson_loss``,
``convolution``, ``atrous_conv2d``, ``conv2d_backprop_input`` / ``_filter``, ``pool``, ``fused_batch_norm``,
``ctc_loss`` and ``ctc_greedy_decoder``: values against numpy written from TF's definitions (and PyTorch where it
has the same function), gradients against central differences (float64), and TF's errors."""
import itertools
import math

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)


# ============================================================================================ moments

def test_sufficient_statistics_and_normalize_moments():
    x = RNG.standard_normal((3, 4, 5)) + 10
    count, mean_ss, var_ss, shift = tf.nn.sufficient_statistics(x, [0, 2], shift=10.0)
    got = run([count, mean_ss, var_ss, shift])
    np.testing.assert_allclose(got[0], 15)
    np.testing.assert_allclose(got[1], (x - 10).sum((0, 2)))
    np.testing.assert_allclose(got[2], ((x - 10) ** 2).sum((0, 2)))
    assert got[3] == 10
    mean, variance = run(tf.nn.normalize_moments(count, mean_ss, var_ss, shift))
    np.testing.assert_allclose(mean, x.mean((0, 2)), rtol=1e-12)
    np.testing.assert_allclose(variance, x.var((0, 2)), rtol=1e-10)
    # no shift: plain sums, and shift comes back None; keep_dims keeps the reduced dims
    count, mean_ss, var_ss, shift = tf.nn.sufficient_statistics(x, [1], keep_dims=True)
    assert shift is None and mean_ss.shape == (3, 1, 5)
    np.testing.assert_allclose(run(var_ss), (x ** 2).sum(1, keepdims=True))
    # a batch unknown until run time: the count is read from the fed shape
    fed = tf.placeholder(tf.float64, [None, 4, 5])
    np.testing.assert_allclose(run(tf.nn.sufficient_statistics(fed, [0, 2])[0], {fed: x}), 15)
    check_gradients(lambda t: tf.nn.normalize_moments(*tf.nn.sufficient_statistics(t, [0], shift=0.3))[1],
                    RNG.standard_normal((3, 2)))


def test_weighted_moments():
    x, w = RNG.standard_normal((4, 3)), RNG.random((4, 1)) + 0.1
    mean, variance = run(tf.nn.weighted_moments(x, [0], w))
    weights = np.broadcast_to(w, x.shape)
    expected_mean = np.average(x, 0, weights)
    np.testing.assert_allclose(mean, expected_mean)
    np.testing.assert_allclose(variance, np.average((x - expected_mean) ** 2, 0, weights))
    kept = tf.nn.weighted_moments(x, [0, 1], w, keep_dims=True)
    assert kept[0].shape == (1, 1)
    np.testing.assert_allclose(run(kept[0]), [[np.average(x, weights=weights)]])
    half = tf.nn.weighted_moments(x.astype(np.float16), [1], np.ones(3, np.float16))
    assert half[1].dtype == tf.float16
    np.testing.assert_allclose(run(half[1]), x.astype(np.float16).astype(np.float32).var(1), rtol=2e-3)
    check_gradients(lambda a, b: tf.nn.weighted_moments(a, [0], b)[1], x, w)


# ========================================================================================= Poisson loss

def test_log_poisson_loss():
    targets = np.array([0.0, 0.5, 1.0, 2.5, 7.0, 40.0])
    log_input = RNG.standard_normal(6)
    partial = np.exp(log_input) - targets * log_input
    np.testing.assert_allclose(run(tf.nn.log_poisson_loss(targets, log_input)), partial)
    full = run(tf.nn.log_poisson_loss(targets, log_input, compute_full_loss=True))
    stirling = targets * np.log(np.maximum(targets, 1)) - targets + 0.5 * np.log(2 * np.pi * np.maximum(targets, 1))
    np.testing.assert_allclose(full, partial + np.where(targets <= 1, 0, stirling))
    # Stirling's formula is log(t!) up to about 1 / (12 t)
    exact = partial + np.array([math.lgamma(t + 1) for t in targets])
    np.testing.assert_allclose(full[3:], exact[3:], atol=1 / (12 * 2.5))
    check_gradients(lambda t, z: tf.nn.log_poisson_loss(t, z, compute_full_loss=True),
                    np.array([0.25, 0.5, 2.5, 4.0]), RNG.standard_normal(4))  # not at 0, 1: kinks
    with pytest.raises(ValueError, match=r"must have the same shape \(\(3,\) vs \(2,\)\)"):
        tf.nn.log_poisson_loss(np.ones(2), np.ones(3))


# ============================================================================================ convolution

def conv_reference(x, w, strides, rates, padding):
    """Channels-last N-D cross-correlation with TF's SAME rule, summed over the filter's taps."""
    n = w.ndim - 2
    extents = [(k - 1) * r + 1 for k, r in zip(w.shape[:n], rates)]
    sizes = x.shape[1:-1]
    if padding == "SAME":
        outs = [-(-size // s) for size, s in zip(sizes, strides)]
        totals = [max((o - 1) * s + e - size, 0) for o, s, e, size in zip(outs, strides, extents, sizes)]
        x = np.pad(x, [(0, 0)] + [(t // 2, t - t // 2) for t in totals] + [(0, 0)])
    else:
        outs = [(size - e) // s + 1 for size, e, s in zip(sizes, extents, strides)]
    out = np.zeros((x.shape[0], *outs, w.shape[-1]))
    for taps in np.ndindex(*w.shape[:n]):
        window = tuple(slice(z * r, z * r + (o - 1) * s + 1, s) for z, r, o, s in zip(taps, rates, outs, strides))
        out += x[(slice(None),) + window] @ w[taps]
    return out


@pytest.mark.parametrize("x_shape, w_shape, strides, rates, padding", [
    ((2, 9, 3), (3, 3, 4), [2], [1], "SAME"),
    ((2, 9, 3), (3, 3, 4), [1], [3], "VALID"),
    ((2, 7, 6, 2), (3, 2, 2, 3), [2, 1], [1, 1], "SAME"),
    ((2, 7, 6, 2), (3, 2, 2, 3), [1, 1], [2, 3], "SAME"),
    ((1, 5, 6, 4, 2), (2, 3, 2, 2, 3), [1, 2, 1], [1, 1, 1], "VALID"),
])
def test_convolution_against_loops(x_shape, w_shape, strides, rates, padding):
    x, w = RNG.standard_normal(x_shape), RNG.standard_normal(w_shape)
    y = tf.nn.convolution(x, w, padding, strides=strides, dilation_rate=rates)
    expected = conv_reference(x, w, strides, rates, padding)
    assert y.shape == expected.shape
    np.testing.assert_allclose(run(y), expected, rtol=1e-10, atol=1e-12)


def test_convolution_channels_first_atrous_and_gradients():
    x, w = RNG.standard_normal((2, 8, 7, 3)), RNG.standard_normal((3, 3, 3, 2))
    expected = conv_reference(x, w, [1, 1], [2, 2], "SAME")
    np.testing.assert_allclose(run(tf.nn.atrous_conv2d(x, w, 2, "SAME")), expected, atol=1e-12)
    nchw = tf.nn.convolution(x.transpose(0, 3, 1, 2), w, "SAME", dilation_rate=2, data_format="NCHW")
    np.testing.assert_allclose(run(nchw).transpose(0, 2, 3, 1), expected, atol=1e-12)
    ncw = tf.nn.convolution(x[:, 0].transpose(0, 2, 1), w[0], "VALID", data_format="NCW")
    np.testing.assert_allclose(run(ncw).transpose(0, 2, 1), conv_reference(x[:, 0], w[0], [1], [1], "VALID"),
                               atol=1e-12)
    check_gradients(lambda a, b: tf.nn.convolution(a, b, "SAME", dilation_rate=[2]),
                    RNG.standard_normal((1, 6, 2)), RNG.standard_normal((2, 2, 2)))
    check_gradients(lambda a, b: tf.nn.atrous_conv2d(a, b, 2, "VALID"),
                    RNG.standard_normal((1, 5, 5, 1)), RNG.standard_normal((2, 2, 1, 2)))


def test_convolution_errors():
    x, w = tf.zeros([1, 8, 8, 3]), tf.zeros([3, 3, 3, 2])
    with pytest.raises(ValueError, match=r"number of input channels does not match .*, 4 != 3"):
        tf.nn.convolution(tf.zeros([1, 8, 8, 4]), w, "SAME")
    with pytest.raises(ValueError, match="strides > 1 not supported in conjunction with dilation_rate > 1"):
        tf.nn.convolution(x, w, "SAME", strides=[2, 2], dilation_rate=[2, 2])
    with pytest.raises(ValueError, match=r"input tensor must have rank 4, got shape \[8,8,3\]"):
        tf.nn.convolution(tf.zeros([8, 8, 3]), w, "SAME")
    with pytest.raises(ValueError, match=r"len\(strides\)=3 but should be 2"):
        tf.nn.convolution(x, w, "SAME", strides=[1, 1, 1])
    with pytest.raises(ValueError, match="the filter must have rank 3, 4 or 5"):
        tf.nn.convolution(tf.zeros([1, 2, 2, 2, 2, 1]), tf.zeros([1, 1, 1, 1, 1, 1]), "SAME")
    with pytest.raises(ValueError, match="Value for attr 'padding' of \"FULL\""):
        tf.nn.convolution(x, w, "FULL")
    with pytest.raises(ValueError, match="all values of dilation_rate must be positive"):
        tf.nn.atrous_conv2d(x, w, 0, "SAME")


# ================================================================================= the convolution's VJPs

@pytest.mark.parametrize("strides, padding", [([1, 2, 2, 1], "SAME"), ([1, 1, 2, 1], "VALID"), (1, "SAME")])
def test_conv2d_backprop_input_and_filter_are_the_gradients(strides, padding):
    x, w = RNG.standard_normal((2, 7, 6, 3)), RNG.standard_normal((3, 2, 3, 4))
    inputs, filters = tf.constant(x), tf.constant(w)
    y = tf.nn.conv2d(inputs, filters, strides, padding)
    g = RNG.standard_normal(y.shape)
    d_input, d_filter = run(tf.gradients(tf.reduce_sum(y * g), [inputs, filters]))
    backprop_input = tf.nn.conv2d_backprop_input([2, 7, 6, 3], w, g, strides, padding)
    backprop_filter = tf.nn.conv2d_backprop_filter(x, [3, 2, 3, 4], g, strides, padding)
    assert backprop_input.shape == x.shape and backprop_filter.shape == w.shape
    np.testing.assert_allclose(run(backprop_input), d_input, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run(backprop_filter), d_filter, rtol=1e-10, atol=1e-12)


def test_conv2d_backprops_against_torch_nchw_and_gradients():
    torch = pytest.importorskip("torch")
    x, w = RNG.standard_normal((2, 3, 8, 7)), RNG.standard_normal((3, 3, 3, 2))  # NCHW input, HWIO filter
    g = RNG.standard_normal((2, 2, 3, 3))  # VALID, stride 2, dilation 1 -> 3 x 3
    torch_w = torch.tensor(w.transpose(3, 2, 0, 1))
    expected_input = torch.nn.grad.conv2d_input(x.shape, torch_w, torch.tensor(g), stride=2)
    expected_filter = torch.nn.grad.conv2d_weight(torch.tensor(x), torch_w.shape, torch.tensor(g), stride=2)
    got_input = tf.nn.conv2d_backprop_input(list(x.shape), w, g, [1, 1, 2, 2], "VALID", data_format="NCHW")
    got_filter = tf.nn.conv2d_backprop_filter(x, tf.shape(tf.constant(w)), g, [1, 1, 2, 2], "VALID",
                                              data_format="NCHW")
    np.testing.assert_allclose(run(got_input), expected_input.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run(got_filter), expected_filter.numpy().transpose(2, 3, 1, 0), rtol=1e-10, atol=1e-12)
    check_gradients(lambda b, c: tf.nn.conv2d_backprop_input([1, 5, 5, 2], b, c, [1, 2, 2, 1], "SAME"),
                    RNG.standard_normal((2, 2, 2, 3)), RNG.standard_normal((1, 3, 3, 3)))
    check_gradients(lambda a, c: tf.nn.conv2d_backprop_filter(a, [2, 2, 2, 3], c, [1, 2, 2, 1], "SAME"),
                    RNG.standard_normal((1, 5, 5, 2)), RNG.standard_normal((1, 3, 3, 3)))


def test_conv2d_backprop_errors():
    x, w, g = tf.zeros([1, 6, 6, 2]), tf.zeros([3, 3, 2, 4]), tf.zeros([1, 3, 3, 4])
    with pytest.raises(ValueError, match="Conv2DCustomBackpropFilter: Size of out_backprop doesn't match computed: "
                                         "actual = 3, computed = 6"):
        tf.nn.conv2d_backprop_filter(x, [3, 3, 2, 4], g, [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match=r"out_backprop depth 4 does not match filter_sizes \[3, 3, 2, 5\]"):
        tf.nn.conv2d_backprop_filter(x, [3, 3, 2, 5], g, [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="filter_sizes must be 4 ints"):
        tf.nn.conv2d_backprop_filter(x, [3, 3, 2], g, [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: "
                                         "actual = 3, computed = 6"):
        tf.nn.conv2d_backprop_input([1, 6, 6, 2], w, g, [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="must be rank 4"):
        tf.nn.conv2d_backprop_filter(tf.zeros([6, 6, 2]), [3, 3, 2, 4], g, [1, 2, 2, 1], "SAME")


# ================================================================================================ pooling

def pool_reference(x, window, strides, rates, padding, reduce):
    """Channels-last N-D pooling: SAME pads with NaN, which the nan-reductions leave out (TF does not count
    padding)."""
    extents = [(k - 1) * r + 1 for k, r in zip(window, rates)]
    sizes = x.shape[1:-1]
    if padding == "SAME":
        outs = [-(-size // s) for size, s in zip(sizes, strides)]
        totals = [max((o - 1) * s + e - size, 0) for o, s, e, size in zip(outs, strides, extents, sizes)]
        x = np.pad(x, [(0, 0)] + [(t // 2, t - t // 2) for t in totals] + [(0, 0)], constant_values=np.nan)
    else:
        outs = [(size - e) // s + 1 for size, e, s in zip(sizes, extents, strides)]
    taps = [x[(slice(None),) + tuple(slice(z * r, z * r + (o - 1) * s + 1, s)
                                     for z, r, o, s in zip(tap, rates, outs, strides))]
            for tap in np.ndindex(*window)]
    return reduce(np.stack(taps, -1), -1)


@pytest.mark.parametrize("pooling_type, reduce", [("MAX", np.nanmax), ("AVG", np.nanmean)])
@pytest.mark.parametrize("x_shape, window, strides, rates, padding", [
    ((2, 9, 3), [3], [2], [1], "SAME"),
    ((2, 9, 3), [3], [1], [2], "VALID"),
    ((2, 7, 6, 2), [3, 2], [2, 2], [1, 1], "SAME"),
    ((2, 7, 6, 2), [2, 2], [1, 1], [3, 2], "VALID"),
    ((1, 5, 4, 4, 2), [2, 2, 2], [1, 2, 2], [1, 1, 1], "SAME"),
])
def test_pool_against_numpy(pooling_type, reduce, x_shape, window, strides, rates, padding):
    x = RNG.standard_normal(x_shape)
    y = tf.nn.pool(x, window, pooling_type, padding, dilation_rate=rates, strides=strides)
    expected = pool_reference(x, window, strides, rates, padding, reduce)
    assert y.shape == expected.shape
    np.testing.assert_allclose(run(y), expected, rtol=1e-12)


def test_pool_channels_first_gradients_and_errors():
    x = RNG.standard_normal((2, 7, 6, 3))
    nchw = tf.nn.pool(x.transpose(0, 3, 1, 2), [2, 2], "AVG", "VALID", dilation_rate=[2, 2], data_format="NCHW")
    np.testing.assert_allclose(run(nchw).transpose(0, 2, 3, 1),
                               pool_reference(x, [2, 2], [1, 1], [2, 2], "VALID", np.mean), rtol=1e-12)
    for pooling_type in ("MAX", "AVG"):
        check_gradients(lambda t: tf.nn.pool(t, [2, 2], pooling_type, "VALID", dilation_rate=[2, 1]),
                        RNG.standard_normal((1, 5, 4, 2)))
        check_gradients(lambda t: tf.nn.pool(t, [3], pooling_type, "SAME", strides=[2]), RNG.standard_normal((2, 7, 2)))
    with pytest.raises(ValueError, match='2-D MIN pooling is not supported'):
        tf.nn.pool(x, [2, 2], "MIN", "VALID")
    with pytest.raises(ValueError, match="pooling with SAME padding is not implemented for dilation_rate > 1"):
        tf.nn.pool(x, [2, 2], "MAX", "SAME", dilation_rate=[2, 2])
    with pytest.raises(ValueError, match="strides > window_shape not supported"):
        tf.nn.pool(x, [2, 2], "MAX", "VALID", strides=[3, 1])
    with pytest.raises(ValueError, match=r"Shape must be rank 3 but is rank 4 .*window_shape \[2\]"):
        tf.nn.pool(x, [2], "MAX", "VALID")
    with pytest.raises(ValueError, match="It is required that 1 <= num_spatial_dims <= 3"):
        tf.nn.pool(x, [], "MAX", "VALID")
    with pytest.raises(TypeError, match="DataType int32 not in list"):
        tf.nn.pool(tf.zeros([1, 4, 4, 1], tf.int32), [2, 2], "AVG", "VALID")


# ==================================================================================== fused batch norm

def test_fused_batch_norm_training_returns_the_unbiased_variance():
    x = RNG.standard_normal((2, 3, 4, 3)) * 2 + 1
    scale, offset = RNG.standard_normal(3), RNG.standard_normal(3)
    y, mean, variance = run(tf.nn.fused_batch_norm(x, scale, offset, epsilon=0.01))
    biased = x.var((0, 1, 2))
    np.testing.assert_allclose(y, (x - x.mean((0, 1, 2))) / np.sqrt(biased + 0.01) * scale + offset, rtol=1e-10)
    np.testing.assert_allclose(mean, x.mean((0, 1, 2)), rtol=1e-12)
    np.testing.assert_allclose(variance, x.var((0, 1, 2), ddof=1), rtol=1e-12)
    nchw = run(tf.nn.fused_batch_norm(x.transpose(0, 3, 1, 2), scale, offset, epsilon=0.01, data_format="NCHW"))
    np.testing.assert_allclose(nchw[0].transpose(0, 2, 3, 1), y, rtol=1e-10)
    np.testing.assert_allclose(nchw[2], variance, rtol=1e-12)
    # a batch unknown until run time; one value per channel has variance factor 1 (no division by 0)
    fed = tf.placeholder(tf.float32, [None, 1, 1, 2])
    single = run(tf.nn.fused_batch_norm(fed, np.ones(2, np.float32), np.zeros(2, np.float32))[2],
                 {fed: np.ones((1, 1, 1, 2))})
    np.testing.assert_array_equal(single, [0, 0])
    check_gradients(lambda a, s, o: tf.nn.fused_batch_norm(a, s, o)[0], RNG.standard_normal((2, 2, 2, 3)),
                    RNG.standard_normal(3), RNG.standard_normal(3), rtol=1e-4)


def test_fused_batch_norm_inference_half_and_errors():
    x = RNG.standard_normal((2, 2, 2, 3)).astype(np.float32)
    mean, variance = RNG.standard_normal(3).astype(np.float32), RNG.random(3).astype(np.float32)
    ones, zeros = np.ones(3, np.float32), np.zeros(3, np.float32)
    y, batch_mean, batch_var = run(tf.nn.fused_batch_norm(x, ones, zeros, mean, variance, epsilon=0.0,
                                                          is_training=False))
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(variance + 1.001e-5), rtol=1e-5)  # epsilon raised
    np.testing.assert_array_equal(batch_mean, mean)
    np.testing.assert_array_equal(batch_var, variance)
    half = tf.nn.fused_batch_norm(x.astype(np.float16), ones, zeros)
    assert half[0].dtype == tf.float16 and half[2].dtype == tf.float32
    with pytest.raises(ValueError, match="Both 'mean' and 'variance' must be None if is_training is True"):
        tf.nn.fused_batch_norm(x, ones, zeros, mean, variance)
    with pytest.raises(ValueError, match="must be given if is_training is False"):
        tf.nn.fused_batch_norm(x, ones, zeros, is_training=False)
    with pytest.raises(ValueError, match=r"Shape must be rank 4 but is rank 3 .*\(x shape \[2,2,3\]\)"):
        tf.nn.fused_batch_norm(x[0], ones, zeros)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2 .* scale has shape"):
        tf.nn.fused_batch_norm(x, ones[:2], zeros)
    with pytest.raises(TypeError, match="'offset' has DataType float64"):
        tf.nn.fused_batch_norm(x, ones, tf.zeros([3], tf.float64))


# ==================================================================================================== CTC

def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def ctc_by_enumeration(logits, labels, steps):
    """-log p(labels) for one sample [time, classes] by summing over every path of ``steps`` classes whose
    collapse (merge repeats, drop the blank, the last class) is ``labels``."""
    probs, blank = softmax(logits[:steps]), logits.shape[-1] - 1
    total = 0.0
    for path in itertools.product(range(logits.shape[-1]), repeat=steps):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        if [c for c in merged if c != blank] == list(labels):
            total += np.prod(probs[np.arange(steps), path])
    return -np.log(total)


def test_ctc_loss_against_enumeration_with_fed_labels_and_lengths():
    logits = RNG.standard_normal((5, 3, 4))  # time-major, blank = 3
    labels = [[0, 1, -1], [2, 2, -1], [1, 0, 1]]
    lengths = [5, 4, 5]
    expected = [ctc_by_enumeration(logits[:, b], [v for v in labels[b] if v >= 0], lengths[b]) for b in range(3)]
    np.testing.assert_allclose(run(tf.nn.ctc_loss(np.array(labels), logits, lengths)), expected, rtol=1e-10)
    label_feed, length_feed = tf.placeholder(tf.int32, [None, None]), tf.placeholder(tf.int32, [None])
    logit_feed = tf.placeholder(tf.float64, [None, None, 4])
    loss = tf.nn.ctc_loss(label_feed, logit_feed, length_feed)
    assert loss.shape.as_list() == [None]
    fed = run(loss, {label_feed: labels, length_feed: lengths, logit_feed: logits})
    np.testing.assert_allclose(fed, expected, rtol=1e-10)
    batch_major = tf.nn.ctc_loss(np.array(labels), logits.transpose(1, 0, 2), lengths, time_major=False)
    np.testing.assert_allclose(run(batch_major), expected, rtol=1e-10)
    # a sparse (indices, values, dense_shape) triple is densified
    indices = [[b, j] for b, row in enumerate(labels) for j, v in enumerate(row) if v >= 0]
    values = np.array([v for row in labels for v in row if v >= 0], np.int64)
    np.testing.assert_allclose(run(tf.nn.ctc_loss((indices, values, [3, 3]), logits, lengths)), expected, rtol=1e-10)


def test_ctc_loss_against_torch_with_the_blank_moved():
    torch = pytest.importorskip("torch")
    logits = RNG.standard_normal((6, 2, 5))
    labels, lengths = np.array([[3, 1, 1], [0, 2, -1]]), [6, 5]
    inputs = tf.constant(logits)
    loss = tf.nn.ctc_loss(labels, inputs, lengths)
    got_loss, got_grad = run([loss, tf.gradients(tf.reduce_sum(loss * [1.0, 2.0]), inputs)[0]])
    # PyTorch's blank is class 0: move TF's last class to the front and shift the labels by one
    torch_logits = torch.tensor(np.concatenate([logits[..., -1:], logits[..., :-1]], -1), requires_grad=True)
    expected = torch.nn.functional.ctc_loss(torch_logits.log_softmax(2), torch.tensor(np.maximum(labels, 0) + 1),
                                            torch.tensor(lengths), torch.tensor([3, 2]), reduction="none")
    (expected * torch.tensor([1.0, 2.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(got_loss, expected.detach().numpy(), rtol=1e-10)
    grad = torch_logits.grad.numpy()
    np.testing.assert_allclose(got_grad, np.concatenate([grad[..., 1:], grad[..., :1]], -1), atol=1e-10)
    assert not got_grad[5, 1].any()  # past sample 1's length


def test_ctc_loss_options_gradients_and_errors():
    logits = RNG.standard_normal((4, 2, 3))
    collapsed = run(tf.nn.ctc_loss(np.array([[0, 0, 1], [1, 1, -1]]), logits, [4, 4],
                                   preprocess_collapse_repeated=True))
    np.testing.assert_allclose(collapsed, run(tf.nn.ctc_loss(np.array([[0, 1], [1, -1]]), logits, [4, 4])))
    # a label >= num_classes - 1 ends the labels
    np.testing.assert_allclose(run(tf.nn.ctc_loss(np.array([[0, 2], [1, 2]]), logits, [4, 4])),
                               run(tf.nn.ctc_loss(np.array([[0], [1]]), logits, [4, 4])))
    # more labels than steps: an error, or loss and gradient 0 when told to ignore it
    too_long = np.array([[0, 1, 0], [1, -1, -1]])
    inputs = tf.constant(logits)
    loss = tf.nn.ctc_loss(too_long, inputs, [2, 4], ignore_longer_outputs_than_inputs=True)
    got_loss, got_grad = run([loss, tf.gradients(loss, inputs)[0]])
    assert got_loss[0] == 0 and not got_grad[:, 0].any() and got_grad[:, 1].any()
    np.testing.assert_allclose(got_loss[1], ctc_by_enumeration(logits[:, 1], [1], 4), rtol=1e-10)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Not enough time for target transition sequence "
                                                             r"\(required: 3, available: 2\), batch 0"):
        run(tf.nn.ctc_loss(too_long, logits, [2, 4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Labels length is zero in batch 1"):
        run(tf.nn.ctc_loss(np.array([[0], [-1]]), logits, [4, 4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Saw a non-null label .* following a null label"):
        run(tf.nn.ctc_loss(np.array([[2, 0], [0, 1]]), logits, [4, 4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"sequence_length\(1\) = 5 must be in \[0, max_time"):
        run(tf.nn.ctc_loss(np.array([[0], [1]]), logits, [4, 5]))
    with pytest.raises(NotImplementedError, match="ctc_merge_repeated=False"):
        tf.nn.ctc_loss(np.array([[0], [1]]), logits, [4, 4], ctc_merge_repeated=False)
    with pytest.raises(ValueError, match="Shape must be rank 3 but is rank 2 for 'CTCLoss.*' \\(inputs shape"):
        tf.nn.ctc_loss(np.array([[0]]), logits[:, 0], [4])
    with pytest.raises(ValueError, match="len\\(sequence_length\\) != batch_size.  len\\(sequence_length\\):  3"):
        tf.nn.ctc_loss(np.array([[0], [1]]), logits, [4, 4, 4])
    with pytest.raises(TypeError, match="'labels' has DataType float64"):
        tf.nn.ctc_loss(np.zeros((2, 1)), logits, [4, 4])
    check_gradients(lambda z: tf.nn.ctc_loss(np.array([[0, 1], [1, 1]]), z, [4, 3]), logits, rtol=1e-4)


def greedy_reference(logits, lengths, merge_repeated):
    """TF's kernel, as a loop: each step's likeliest class, repeats merged, blanks dropped."""
    blank, decoded = logits.shape[-1] - 1, []
    for b, length in enumerate(lengths):
        sequence, previous = [], -1
        for t in range(length):
            best = int(logits[t, b].argmax())
            if best != blank and not (merge_repeated and best == previous):
                sequence.append(best)
            previous = best
        decoded.append(sequence)
    width = max(map(len, decoded))
    return np.array([s + [-1] * (width - len(s)) for s in decoded]).reshape(len(lengths), width)


@pytest.mark.parametrize("merge_repeated", [True, False])
def test_ctc_greedy_decoder(merge_repeated):
    logits = RNG.standard_normal((12, 4, 3))  # few classes: repeats and blanks are common
    lengths = [12, 7, 0, 10]
    (decoded,), neg_sum_logits = tf.nn.ctc_greedy_decoder(logits, lengths, merge_repeated)
    assert isinstance(decoded, tf.SparseTensor)  # as TF returns it
    got, sums = run([tf.sparse.to_dense(decoded, default_value=-1), neg_sum_logits])
    np.testing.assert_array_equal(got, greedy_reference(logits, lengths, merge_repeated))
    assert got.dtype == np.int64 and sums.shape == (4, 1)
    np.testing.assert_allclose(sums[:, 0], [-logits[:n, b].max(-1).sum() for b, n in enumerate(lengths)])
    # "a - a" stays "a a": the blank between separates the repeats
    spelled = np.full((3, 1, 3), -5.0)
    spelled[[0, 1, 2], 0, [0, 2, 0]] = 5.0
    np.testing.assert_array_equal(run(tf.sparse.to_dense(tf.nn.ctc_greedy_decoder(spelled, [3])[0][0])), [[0, 0]])


def test_ctc_greedy_decoder_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"sequence_length\(b\) <= max_time"):
        fed = tf.placeholder(tf.int32, [2])
        run(tf.nn.ctc_greedy_decoder(np.zeros((3, 2, 4)), fed)[1], {fed: [3, 4]})
    with pytest.raises(ValueError, match="sequence_length must be a vector"):
        tf.nn.ctc_greedy_decoder(np.zeros((3, 2, 4)), [[3, 3]])
