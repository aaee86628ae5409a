"""tf.nn's training functions: conv2d and the pools (NHWC, TF's SAME rule), dropout, the cross-entropies, moments,
batch_normalization and embedding_lookup — values and gradients against PyTorch and numpy, and TF's errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run


torch = pytest.importorskip("torch")
F = torch.nn.functional


def same_pads(n, k, s, d=1):
    """TF's SAME padding (before, after) along one axis, written out independently of the code under test."""
    out = -(-n // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def torch_padded(x_nchw, pads_h, pads_w, value=0.0):
    return F.pad(x_nchw, (pads_w[0], pads_w[1], pads_h[0], pads_h[1]), value=value)


RNG = np.random.default_rng(0)


# ================================================================================================ conv2d

@pytest.mark.parametrize("h, w, k, stride, dilation, padding", [
    (7, 6, 3, 2, 1, "SAME"),     # odd total padding: the extra row/column goes at the bottom/right
    (8, 8, 3, 2, 1, "SAME"),
    (9, 7, 3, 3, 2, "SAME"),
    (6, 6, 4, 1, 1, "SAME"),     # even kernel at stride 1: 1 before, 2 after
    (7, 6, 3, 2, 1, "VALID"),
    (8, 9, 2, 1, 2, "VALID"),
])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_conv2d_matches_torch_with_gradients(h, w, k, stride, dilation, padding, data_format):
    x = RNG.standard_normal((2, h, w, 3))
    f = RNG.standard_normal((k, k, 3, 4))
    x_in = x if data_format == "NHWC" else x.transpose(0, 3, 1, 2)
    xt = tf.placeholder(tf.float64, x_in.shape)
    ft = tf.constant(f)
    strides = [1, stride, stride, 1] if data_format == "NHWC" else [1, 1, stride, stride]
    dilations = [1, dilation, dilation, 1] if data_format == "NHWC" else [1, 1, dilation, dilation]
    y = tf.nn.conv2d(xt, ft, strides=strides, padding=padding, data_format=data_format, dilations=dilations)
    upstream = tf.constant(RNG.standard_normal(y.shape.as_list()))
    gx, gf = tf.gradients(tf.reduce_sum(y * upstream), [xt, ft])
    out, gx_v, gf_v, up = run([y, gx, gf, upstream], {xt: x_in})

    x_t = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    f_t = torch.tensor(f.transpose(3, 2, 0, 1), requires_grad=True)
    pads = (same_pads(h, k, stride, dilation), same_pads(w, k, stride, dilation)) if padding == "SAME" \
        else ((0, 0), (0, 0))
    ref = F.conv2d(torch_padded(x_t, *pads), f_t, stride=stride, dilation=dilation)
    if padding == "SAME":
        assert ref.shape[2:] == (-(-h // stride), -(-w // stride))
    to_ours = (lambda a: a.transpose(0, 2, 3, 1)) if data_format == "NHWC" else (lambda a: a)
    (ref * torch.tensor(up if data_format == "NCHW" else up.transpose(0, 3, 1, 2))).sum().backward()
    np.testing.assert_allclose(out, to_ours(ref.detach().numpy()), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gx_v, to_ours(x_t.grad.numpy()), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gf_v, f_t.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10, atol=1e-10)


def test_conv2d_static_shapes_and_stride_spellings():
    x = tf.placeholder(tf.float32, (None, 28, 28, 1))
    f = tf.zeros((5, 5, 1, 32))
    assert tf.nn.conv2d(x, f, [1, 1, 1, 1], "SAME").shape.as_list() == [None, 28, 28, 32]
    assert tf.nn.conv2d(x, f, [1, 1, 1, 1], "VALID").shape.as_list() == [None, 24, 24, 32]
    assert tf.nn.conv2d(x, f, [1, 2, 2, 1], "SAME").shape.as_list() == [None, 14, 14, 32]
    assert tf.nn.conv2d(x, f, 3, "SAME").shape.as_list() == [None, 10, 10, 32]  # ceil(28 / 3)
    assert tf.nn.conv2d(x, f, [2, 3], "VALID").shape.as_list() == [None, 12, 8, 32]
    assert tf.nn.conv2d(x, filters=f, strides=1, padding="SAME").shape.as_list() == [None, 28, 28, 32]
    named = tf.nn.conv2d(x, f, 1, "SAME", name="conv_a")
    assert named.name == "conv_a:0" and named.dtype == tf.float32


def test_conv2d_unknown_spatial_size_works_at_stride_one():
    x = tf.placeholder(tf.float32, (None, None, None, 2))
    f = np.ones((3, 3, 2, 1), np.float32)
    y = tf.nn.conv2d(x, f, 1, "SAME")
    assert y.shape.as_list() == [None, None, None, 1]
    value = np.ones((1, 4, 5, 2), np.float32)
    out = run(y, {x: value})
    assert out.shape == (1, 4, 5, 1) and out[0, 1, 1, 0] == 18 and out[0, 0, 0, 0] == 8
    assert run(tf.nn.conv2d(x, f, 2, "SAME"), {x: value}).shape == (1, 2, 3, 1)  # stride 2: padded at run time
    volumes = tf.placeholder(tf.float32, (None, None, None, None, 2))  # 3-D convolutions too
    out = run(tf.nn.conv3d(volumes, np.ones((3, 3, 3, 2, 1), np.float32), [1, 2, 2, 2, 1], "SAME"),
              {volumes: np.ones((1, 4, 5, 6, 2), np.float32)})
    # the first window: depth and width padded only after (odd totals), height by 1 before: 3·2·3 voxels, 2 channels
    assert out.shape == (1, 2, 3, 3, 1) and out[0, 0, 0, 0, 0] == 36


def test_conv2d_explicit_padding_and_groups():
    x = RNG.standard_normal((1, 5, 5, 4)).astype(np.float32)
    f = RNG.standard_normal((3, 3, 2, 6)).astype(np.float32)  # input depth 4 = 2 x filter depth 2: 2 groups
    y = tf.nn.conv2d(tf.constant(x), f, 1, [[0, 0], [1, 0], [2, 1], [0, 0]])
    assert y.shape.as_list() == [1, 4, 6, 6]
    ref = F.conv2d(F.pad(torch.tensor(x).permute(0, 3, 1, 2), (2, 1, 1, 0)), torch.tensor(f).permute(3, 2, 0, 1),
                   groups=2)
    np.testing.assert_allclose(run(y), ref.permute(0, 2, 3, 1).numpy(), rtol=1e-5, atol=1e-5)


def test_conv2d_errors_read_like_tensorflow():
    x = tf.placeholder(tf.float32, (None, 8, 8, 3))
    f = tf.zeros((3, 3, 3, 4))
    with pytest.raises(ValueError, match="Value for attr 'padding' of \"same\" is not in the list of allowed "
                                         "values: \"SAME\", \"VALID\", \"EXPLICIT\""):
        tf.nn.conv2d(x, f, 1, "same")
    with pytest.raises(ValueError, match="does not yet support strides in the batch and depth dimensions"):
        tf.nn.conv2d(x, f, [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="strides should be of length 1, 2 or 4 but was 3"):
        tf.nn.conv2d(x, f, [1, 1, 1], "SAME")
    with pytest.raises(ValueError, match=r"Depth of input \(3\) is not a multiple of input depth of filter \(2\)"):
        tf.nn.conv2d(x, tf.zeros((3, 3, 2, 4)), 1, "SAME")
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.nn.conv2d(tf.zeros((8, 8, 3)), f, 1, "SAME")
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 9 from 8"):
        tf.nn.conv2d(x, tf.zeros((9, 9, 3, 4)), 1, "VALID")
    with pytest.raises(ValueError, match="Value for attr 'data_format' of \"NWHC\""):
        tf.nn.conv2d(x, f, 1, "SAME", data_format="NWHC")
    with pytest.raises(TypeError, match="Input 'filter' of 'Conv2D' Op has type float64 that does not match"):
        tf.nn.conv2d(x, tf.zeros((3, 3, 3, 4), tf.float64), 1, "SAME")
    with pytest.raises(TypeError, match="parameter 'input' has DataType int32"):
        tf.nn.conv2d(tf.zeros((1, 8, 8, 3), tf.int32), tf.zeros((3, 3, 3, 4), tf.int32), 1, "SAME")
    with pytest.raises(ValueError, match="When padding is a list, it must be of size 4"):
        tf.nn.conv2d(x, f, 1, [[1, 1], [1, 1]])
    with pytest.raises(ValueError, match="Nonzero explicit padding in the batch or depth dimensions"):
        tf.nn.conv2d(x, f, 1, [[1, 1], [1, 1], [1, 1], [0, 0]])


# =============================================================================================== pooling

@pytest.mark.parametrize("h, w, k, stride, padding", [
    (7, 6, 3, 2, "SAME"), (8, 8, 2, 2, "SAME"), (5, 5, 2, 1, "SAME"), (6, 6, 4, 1, "SAME"), (9, 7, 3, 3, "SAME"),
    (7, 6, 3, 2, "VALID"), (8, 8, 2, 2, "VALID")])
def test_pools_match_torch_with_gradients(h, w, k, stride, padding):
    x = RNG.standard_normal((2, h, w, 3))
    xt = tf.placeholder(tf.float64, x.shape)
    mp = tf.nn.max_pool(xt, [1, k, k, 1], [1, stride, stride, 1], padding)
    ap = tf.nn.avg_pool(xt, [1, k, k, 1], [1, stride, stride, 1], padding)
    up_m = tf.constant(RNG.standard_normal(mp.shape.as_list()))
    up_a = tf.constant(RNG.standard_normal(ap.shape.as_list()))
    gm, ga = tf.gradients(tf.reduce_sum(mp * up_m), xt)[0], tf.gradients(tf.reduce_sum(ap * up_a), xt)[0]
    mp_v, ap_v, gm_v, ga_v, um, ua = run([mp, ap, gm, ga, up_m, up_a], {xt: x})

    pads = (same_pads(h, k, stride), same_pads(w, k, stride)) if padding == "SAME" else ((0, 0), (0, 0))
    x_t = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    ref_max = F.max_pool2d(torch_padded(x_t, *pads, value=-np.inf), k, stride)
    # TF's SAME average: the sum over the real pixels of each window / how many there are
    ones = torch_padded(torch.ones(1, 1, h, w, dtype=torch.float64), *pads)
    ref_avg = F.avg_pool2d(torch_padded(x_t, *pads), k, stride) / F.avg_pool2d(ones, k, stride)
    ((ref_max * torch.tensor(um.transpose(0, 3, 1, 2))).sum()
     + (ref_avg * torch.tensor(ua.transpose(0, 3, 1, 2))).sum()).backward()
    nhwc = (lambda a: a.detach().numpy().transpose(0, 2, 3, 1))
    np.testing.assert_allclose(mp_v, nhwc(ref_max), rtol=1e-12)
    np.testing.assert_allclose(ap_v, nhwc(ref_avg), rtol=1e-12)
    np.testing.assert_allclose(gm_v + ga_v, nhwc(x_t.grad), rtol=1e-10, atol=1e-12)


def test_same_average_pool_divides_by_the_real_pixels():
    # a 3x3 image of ones: every SAME window average is exactly 1, even the corner ones (4 real pixels)
    y = tf.nn.avg_pool(tf.ones((1, 3, 3, 1)), ksize=3, strides=1, padding="SAME")
    np.testing.assert_array_equal(run(y), np.ones((1, 3, 3, 1), np.float32))
    # 4x4 image, 2x2 windows with stride 3: SAME pads 1 at the end; the last window sees 1 row/column only
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    out = run(tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 3, 3, 1], "SAME"))[0, :, :, 0]
    np.testing.assert_allclose(out, [[(0 + 1 + 4 + 5) / 4, (3 + 7) / 2], [(12 + 13) / 2, 15]])


def test_pool_shapes_aliases_and_nchw():
    x = tf.placeholder(tf.float32, (None, 28, 28, 8))
    assert tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME").shape.as_list() == [None, 14, 14, 8]
    assert tf.nn.max_pool2d(x, 3, 2, "VALID").shape.as_list() == [None, 13, 13, 8]
    assert tf.nn.avg_pool2d(x, 3, 2, "SAME").shape.as_list() == [None, 14, 14, 8]
    assert tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME", name="pool").name == "pool:0"
    value = RNG.standard_normal((2, 3, 5, 5)).astype(np.float32)
    nchw = tf.nn.max_pool(value, [1, 1, 2, 2], [1, 1, 2, 2], "SAME", data_format="NCHW")
    assert nchw.shape.as_list() == [2, 3, 3, 3]
    ref = F.max_pool2d(F.pad(torch.tensor(value), (0, 1, 0, 1), value=-np.inf), 2)
    np.testing.assert_array_equal(run(nchw), ref.numpy())
    ints = tf.nn.max_pool(tf.constant(np.arange(16).reshape(1, 4, 4, 1)), 3, 2, "SAME")  # integers pool too
    assert run(ints)[0, :, :, 0].tolist() == [[10, 11], [14, 15]]


def test_pool_errors():
    x = tf.placeholder(tf.float32, (None, 8, 8, 3))
    with pytest.raises(ValueError, match="Value for attr 'padding' of \"valid\" is not in the list of allowed "
                                         "values: \"SAME\", \"VALID\"$"):
        tf.nn.max_pool(x, 2, 2, "valid")
    with pytest.raises(ValueError, match="does not yet support ksize in the batch and depth dimensions"):
        tf.nn.max_pool(x, [1, 2, 2, 2], [1, 2, 2, 1], "SAME")
    with pytest.raises(TypeError, match="parameter 'input' has DataType int32"):
        tf.nn.avg_pool(tf.zeros((1, 4, 4, 1), tf.int32), 2, 2, "SAME")
    with pytest.raises(ValueError, match="Cannot specify both 'input' and 'value'"):
        tf.nn.max_pool(x, 2, 2, "SAME", input=x)


# =============================================================================================== dropout

def test_dropout_keeps_and_scales_with_rate_or_keep_prob():
    x = tf.ones((200, 100))
    for y, rate in ((tf.nn.dropout(x, rate=0.3), 0.3), (tf.nn.dropout(x, keep_prob=0.75), 0.25),
                    (tf.nn.dropout(x, 0.75), 0.25)):
        out = run(y)
        kept = out != 0
        np.testing.assert_allclose(out[kept], 1 / (1 - rate), rtol=1e-6)
        assert abs(kept.mean() - (1 - rate)) < 0.02
    assert run(tf.nn.dropout(x, rate=0.0)).min() == 1


def test_dropout_with_a_fed_keep_prob_and_rate():
    keep_prob = tf.placeholder(tf.float32)
    x = tf.ones((100, 100))
    y = tf.nn.dropout(x, keep_prob)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {keep_prob: 1.0}), np.ones((100, 100)))  # evaluation
        train = sess.run(y, {keep_prob: 0.5})
    assert set(np.unique(train)) == {0.0, 2.0} and abs((train == 0).mean() - 0.5) < 0.03
    rate = tf.placeholder(tf.float32, ())
    assert set(np.unique(run(tf.nn.dropout(x, rate=rate), {rate: 0.75}))) == {0.0, 4.0}


def test_dropout_masks_are_seeded_fresh_per_run_and_shared_by_the_gradient():
    def build():
        tf.set_random_seed(7)
        x = tf.placeholder(tf.float32, (None, 50))
        y = tf.nn.dropout(x, rate=0.5)
        return x, y, tf.gradients(tf.reduce_sum(y * 3.0), x)[0]
    x, y, g = build()
    value = np.ones((4, 50), np.float32)
    with tf.Session() as sess:
        first, grad = sess.run([y, g], {x: value})
        second = sess.run(y, {x: value})
    np.testing.assert_array_equal(grad, 3 * first)           # the gradient used the forward's mask
    assert (first != second).any()                            # each run draws a new mask
    with tf.Graph().as_default():                             # the same program, the same seed: the same masks
        x2, y2, _ = build()
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y2, {x2: value}), first)


def test_dropout_noise_shape_shares_decisions():
    y = run(tf.nn.dropout(tf.ones((3, 40, 5)), rate=0.5, noise_shape=[3, 40, 1]))
    assert (y == y[:, :, :1]).all() and 0 < (y == 0).mean() < 1
    x = tf.placeholder(tf.float32, [None, 40, 5])  # a None stands for the input's size there, as in TF
    y = run(tf.nn.dropout(x, rate=0.5, noise_shape=[None, 1, 5]), {x: np.ones((3, 40, 5))})
    assert y.shape == (3, 40, 5) and (y == y[:, :1]).all() and 0 < (y == 0).mean() < 1


def test_dropout_errors():
    x = tf.ones((2, 2))
    with pytest.raises(ValueError, match="Cannot specify both 'keep_prob' and 'rate'"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="You must provide a rate to dropout"):
        tf.nn.dropout(x)
    with pytest.raises(ValueError, match=r"rate must be a scalar tensor or a float in the range \[0, 1\), got 1"):
        tf.nn.dropout(x, rate=1)
    with pytest.raises(ValueError, match=r"keep_prob must be a scalar tensor or a float in the range \(0, 1\], got 0"):
        tf.nn.dropout(x, keep_prob=0.0)
    with pytest.raises(ValueError, match="x has to be a floating point tensor since it's going to be scaled. Got "
                                         "a int32 tensor instead."):
        tf.nn.dropout(tf.ones((2, 2), tf.int32), rate=0.5)


# ======================================================================================== cross-entropies

LOGITS = RNG.standard_normal((4, 5))
PROBS = np.exp(RNG.standard_normal((4, 5)))
PROBS /= PROBS.sum(-1, keepdims=True)


def torch_soft_xent(logits, labels, dim=-1):
    return -(labels * torch.log_softmax(logits, dim)).sum(dim)


def test_softmax_cross_entropy_v2_matches_torch_and_differentiates_labels():
    logits, labels = tf.constant(LOGITS), tf.constant(PROBS)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert loss.shape.as_list() == [4]
    g_logits, g_labels = tf.gradients(tf.reduce_sum(loss), [logits, labels])
    lt, yt = torch.tensor(LOGITS, requires_grad=True), torch.tensor(PROBS, requires_grad=True)
    ref = torch_soft_xent(lt, yt)
    ref.sum().backward()
    out, gl, gy = run([loss, g_logits, g_labels])
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gl, lt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gy, yt.grad.numpy(), rtol=1e-10)   # -log_softmax(logits)


def test_softmax_cross_entropy_v1_stops_the_labels_gradient():
    logits, labels = tf.constant(LOGITS), tf.constant(PROBS)
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    g_logits, g_labels = tf.gradients(tf.reduce_sum(loss), [logits, labels])
    assert g_labels is None
    np.testing.assert_allclose(run(g_logits), np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True) - PROBS,
                               rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match=r"Only call `softmax_cross_entropy_with_logits` with named arguments "
                                         r"\(labels=..., logits=..., ...\)"):
        tf.nn.softmax_cross_entropy_with_logits(labels, logits)


def test_softmax_cross_entropy_along_other_axes():
    x3 = RNG.standard_normal((2, 3, 5))
    p3 = np.exp(RNG.standard_normal((2, 3, 5)))
    p3 /= p3.sum(1, keepdims=True)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=p3, logits=x3, axis=1)
    assert loss.shape.as_list() == [2, 5]
    ref = torch_soft_xent(torch.tensor(x3), torch.tensor(p3), dim=1)
    np.testing.assert_allclose(run(loss), ref.numpy(), rtol=1e-12)
    p_last = p3 / p3.sum(-1, keepdims=True)
    np.testing.assert_allclose(run(tf.nn.softmax_cross_entropy_with_logits(labels=p_last, logits=x3, dim=-1)),
                               torch_soft_xent(torch.tensor(x3), torch.tensor(p_last)).numpy(), rtol=1e-12)


def test_softmax_cross_entropy_shape_errors():
    with pytest.raises(ValueError, match=r"logits and labels must be broadcastable: logits_size=\[4,5\] "
                                         r"labels_size=\[4,3\]"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=np.ones((4, 3)), logits=LOGITS)
    with pytest.raises(TypeError, match="Input 'labels' of 'SoftmaxCrossEntropyWithLogits' Op has type float32"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.ones((4, 5)), logits=tf.constant(LOGITS))


def test_sparse_softmax_cross_entropy_matches_torch():
    labels = np.array([0, 4, 2, 2])
    logits = tf.constant(LOGITS)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.shape.as_list() == [4] and loss.dtype == tf.float64
    lt = torch.tensor(LOGITS, requires_grad=True)
    ref = F.cross_entropy(lt, torch.tensor(labels), reduction="none")
    ref.sum().backward()
    out, grad = run([loss, tf.gradients(tf.reduce_sum(loss), logits)[0]])
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(grad, lt.grad.numpy(), rtol=1e-10, atol=1e-12)
    # more dims: the classes are the last one
    x3 = RNG.standard_normal((2, 3, 5)).astype(np.float32)
    y3 = RNG.integers(0, 5, (2, 3)).astype(np.int32)
    loss3 = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y3, logits=x3)
    ref3 = F.cross_entropy(torch.tensor(x3).permute(0, 2, 1), torch.tensor(y3).long(), reduction="none")
    np.testing.assert_allclose(run(loss3), ref3.numpy(), rtol=1e-5)


def test_sparse_softmax_cross_entropy_errors():
    logits = tf.placeholder(tf.float32, (None, 4))
    with pytest.raises(ValueError, match=r"Rank mismatch: Rank of labels \(received 2\) should equal rank of "
                                         r"logits minus 1 \(received 2\)."):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros((3, 4), tf.int32), logits=logits)
    with pytest.raises(ValueError, match=r"Shape mismatch: The shape of labels \(received \(3,\)\) should equal the "
                                         r"shape of logits except for the last dimension \(received \(2, 4\)\)."):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, 2], logits=tf.zeros((2, 4)))
    with pytest.raises(TypeError, match="parameter 'labels' has DataType float32"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros((3,)), logits=tf.zeros((3, 4)))
    with pytest.raises(ValueError, match="Only call `sparse_softmax_cross_entropy_with_logits` with named"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0], logits)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 5], logits=logits)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Received a label value of 5 which is outside the valid range of \[0, 4\)"):
        run(loss, {logits: np.zeros((2, 4), np.float32)})


def test_sigmoid_cross_entropy_matches_torch_and_is_stable():
    z = RNG.uniform(0, 1, (3, 4))
    x = RNG.standard_normal((3, 4)) * 3
    logits, labels = tf.constant(x), tf.constant(z)
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    g_logits, g_labels = tf.gradients(tf.reduce_sum(loss), [logits, labels])
    xt, zt = torch.tensor(x, requires_grad=True), torch.tensor(z, requires_grad=True)
    ref = F.binary_cross_entropy_with_logits(xt, zt, reduction="none")
    ref.sum().backward()
    out, gl, gz = run([loss, g_logits, g_labels])
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gl, xt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(gz, zt.grad.numpy(), rtol=1e-10)   # -x: the labels get a gradient too
    big = run(tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[-200.0, -200.0]))
    np.testing.assert_allclose(big, [200.0, 0.0])
    with pytest.raises(ValueError, match=r"logits and labels must have the same shape \(\(3, 4\) vs \(3, 2\)\)"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=np.zeros((3, 2)), logits=x)


# ============================================================================== moments, batch norm, embedding

def test_moments_match_numpy():
    x = RNG.standard_normal((4, 3, 5))
    mean, variance = tf.nn.moments(tf.constant(x), axes=[0, 2])
    assert mean.shape.as_list() == [3] and variance.shape.as_list() == [3]
    m, v = run([mean, variance])
    np.testing.assert_allclose(m, x.mean((0, 2)), rtol=1e-12)
    np.testing.assert_allclose(v, x.var((0, 2)), rtol=1e-12)   # biased: divided by N
    mean_k, var_k = tf.nn.moments(tf.constant(x), [1], keepdims=True)
    assert mean_k.shape.as_list() == [4, 1, 5]
    np.testing.assert_allclose(run(var_k), x.var(1, keepdims=True), rtol=1e-12)
    assert tf.nn.moments(tf.constant(x), [0], keep_dims=True)[0].shape.as_list() == [1, 3, 5]


def test_batch_normalization_composed_with_moments_matches_torch_batch_norm():
    x = RNG.standard_normal((6, 4, 4, 3))
    gamma, beta = RNG.standard_normal(3), RNG.standard_normal(3)
    xt, gt_, bt = tf.constant(x), tf.constant(gamma), tf.constant(beta)
    mean, variance = tf.nn.moments(xt, [0, 1, 2])
    y = tf.nn.batch_normalization(xt, mean, variance, bt, gt_, 1e-3)
    up = RNG.standard_normal(x.shape)
    grads = tf.gradients(tf.reduce_sum(y * tf.constant(up)), [xt, gt_, bt])
    x_t, g_t, b_t = (torch.tensor(a, requires_grad=True) for a in (x.transpose(0, 3, 1, 2), gamma, beta))
    ref = F.batch_norm(x_t, None, None, g_t, b_t, training=True, eps=1e-3)
    (ref * torch.tensor(up.transpose(0, 3, 1, 2))).sum().backward()
    out, gx, gg, gb = run([y] + grads)
    np.testing.assert_allclose(out, ref.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gx, x_t.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(gg, g_t.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(gb, b_t.grad.numpy(), rtol=1e-10)


def test_batch_normalization_without_offset_and_scale():
    y = tf.nn.batch_normalization(tf.constant([1.0, 3.0]), 2.0, 4.0, None, None, 0.0)
    np.testing.assert_allclose(run(y), [-0.5, 0.5])


def test_embedding_lookup_rows_and_scatter_added_gradient():
    params = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3))
    ids = tf.constant([[3, 0], [3, 1]])
    rows = tf.nn.embedding_lookup(params, ids)
    assert rows.shape.as_list() == [2, 2, 3]
    slices = tf.gradients(tf.reduce_sum(rows), params)[0]   # an IndexedSlices, as in TF (test_indexed_slices.py)
    out, grad = run([rows, tf.convert_to_tensor(slices)])
    np.testing.assert_array_equal(out, np.arange(12).reshape(4, 3)[[[3, 0], [3, 1]]])
    np.testing.assert_array_equal(grad[:, 0], [1, 1, 0, 2])   # row 3 looked up twice
    np.testing.assert_array_equal(run(tf.nn.embedding_lookup([params], [2])), [[6, 7, 8]])
    with pytest.raises(TypeError, match="parameter 'ids' has DataType float32"):
        tf.nn.embedding_lookup(params, [1.0])
    with pytest.raises(ValueError, match="partition_strategy must be 'mod' or 'div'"):
        tf.nn.embedding_lookup([params, params], [1], partition_strategy="hash")


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_embedding_lookup_over_partitioned_params(strategy):
    """TF1's partitioned variables: with "mod", id p is row p // P of part p % P (7 ids in 3 parts of 3, 2, 2
    rows); with "div" the parts hold consecutive ids. The gradient reaches each part's own rows."""
    table = np.arange(14, dtype=np.float32).reshape(7, 2)
    rows_of_part = [table[i::3] for i in range(3)] if strategy == "mod" else [table[:3], table[3:5], table[5:]]
    parts = [tf.Variable(rows) for rows in rows_of_part]
    ids = [[6, 0], [4, 4]]
    looked_up = tf.nn.embedding_lookup(parts, tf.constant(ids), partition_strategy=strategy)
    grads = tf.gradients(tf.reduce_sum(looked_up), parts)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, got = sess.run([looked_up, grads])
    np.testing.assert_array_equal(out, table[ids])
    counts = np.bincount(np.ravel(ids), minlength=7)[:, None] * np.ones(2)
    expected = [counts[i::3] for i in range(3)] if strategy == "mod" else [counts[:3], counts[3:5], counts[5:]]
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


def test_embedding_lookup_max_norm_clips_each_looked_up_row():
    params = tf.constant([[3.0, 4.0], [0.3, 0.4]])
    np.testing.assert_allclose(run(tf.nn.embedding_lookup(params, [0, 1], max_norm=1.0)), [[0.6, 0.8], [0.3, 0.4]],
                               rtol=1e-6)


@pytest.mark.parametrize("bad_label", [-100, -1, 2])
def test_sparse_cross_entropy_has_no_ignored_class(bad_label):
    """PyTorch skips targets of -100; TensorFlow has no such class: every label outside [0, C) is an error."""
    logits = tf.placeholder(tf.float64, [3, 2])
    labels = tf.placeholder(tf.int32, [3])
    per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    mean_loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    with tf.Session() as sess:
        for loss in (per_example, mean_loss):
            with pytest.raises(tf.errors.InvalidArgumentError, match=f"Received a label value of {bad_label} which "
                                                                     r"is outside the valid range of \[0, 2\)"):
                sess.run(loss, {logits: np.zeros((3, 2)), labels: [0, 1, bad_label]})


def test_pooling_windows_larger_than_an_input_known_only_at_run_time():
    images = tf.placeholder(tf.float32, [None, None, None, 1])
    for pool in (tf.nn.max_pool, tf.nn.avg_pool):
        pooled = pool(images, [1, 3, 3, 1], [1, 1, 1, 1], "VALID")
        with tf.Session() as sess:
            assert sess.run(pooled, {images: np.ones((1, 4, 3, 1))}).shape == (1, 2, 1, 1)
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"the window \(3, 3\).*does not fit the input"):
                sess.run(pooled, {images: np.ones((1, 2, 2, 1))})  # (numpy would give an empty result)
