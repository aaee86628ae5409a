"""tf.nn.conv3d, tf.nn.max_pool3d and tf.nn.avg_pool3d (NDHWC and NCDHW, TF's SAME rule on three axes): values and
gradients against PyTorch on explicitly padded input, and TF's errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run

torch = pytest.importorskip("torch")
F = torch.nn.functional
RNG = np.random.default_rng(0)


def same_pads(n, k, s, d=1):
    """TF's SAME padding (before, after) along one axis, written out independently of the code under test."""
    total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def torch_padded(x_ncdhw, pads, value=0.0):
    return F.pad(x_ncdhw, tuple(a for pair in reversed(pads) for a in pair), value=value)


@pytest.mark.parametrize("sizes, k, stride, dilation, padding, data_format", [
    ((5, 6, 4), (3, 2, 3), (2, 1, 2), (1, 1, 1), "SAME", "NDHWC"),   # odd totals: the extra one at the end
    ((4, 5, 5), (2, 3, 2), (1, 1, 1), (2, 1, 1), "SAME", "NCDHW"),
    ((5, 6, 4), (2, 3, 2), (1, 2, 1), (1, 1, 2), "VALID", "NDHWC"),
])
def test_conv3d_matches_torch_with_gradients(sizes, k, stride, dilation, padding, data_format):
    x = RNG.standard_normal((2, *sizes, 3))
    f = RNG.standard_normal((*k, 3, 4))
    last = data_format == "NDHWC"
    x_in = x if last else x.transpose(0, 4, 1, 2, 3)
    xt, ft = tf.placeholder(tf.float64, x_in.shape), tf.constant(f)
    strides, dilations = ([1, *v, 1] if last else [1, 1, *v] for v in (stride, dilation))
    y = tf.nn.conv3d(xt, ft, strides=strides, padding=padding, data_format=data_format, dilations=dilations)
    upstream = tf.constant(RNG.standard_normal(y.shape.as_list()))
    gx, gf = tf.gradients(tf.reduce_sum(y * upstream), [xt, ft])
    out, gx_v, gf_v, up = run([y, gx, gf, upstream], {xt: x_in})

    x_t = torch.tensor(x.transpose(0, 4, 1, 2, 3), requires_grad=True)
    f_t = torch.tensor(f.transpose(4, 3, 0, 1, 2), requires_grad=True)
    pads = [same_pads(*args) if padding == "SAME" else (0, 0) for args in zip(sizes, k, stride, dilation)]
    ref = F.conv3d(torch_padded(x_t, pads), f_t, stride=stride, dilation=dilation)
    to_ours = (lambda a: a.transpose(0, 2, 3, 4, 1)) if last else (lambda a: a)
    (ref * torch.tensor(up.transpose(0, 4, 1, 2, 3) if last else up)).sum().backward()
    np.testing.assert_allclose(out, to_ours(ref.detach().numpy()), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gx_v, to_ours(x_t.grad.numpy()), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gf_v, f_t.grad.numpy().transpose(2, 3, 4, 1, 0), rtol=1e-10, atol=1e-10)


def test_conv3d_static_shape_and_groups():
    x = tf.placeholder(tf.float32, (None, 8, 9, 7, 4))
    y = tf.nn.conv3d(x, tf.zeros((3, 3, 3, 2, 6)), strides=[1, 2, 2, 2, 1], padding="SAME")
    assert y.shape.as_list() == [None, 4, 5, 4, 6]
    assert y.op.name == "Conv3D"
    # 4 input channels, a filter for 2: two groups, each seeing its own half of the channels
    values = RNG.standard_normal((1, 3, 3, 3, 4)).astype(np.float32)
    f = RNG.standard_normal((1, 1, 1, 2, 2)).astype(np.float32)
    out = run(tf.nn.conv3d(values, f, [1, 1, 1, 1, 1], "VALID"))
    np.testing.assert_allclose(out[..., 0], values[..., :2] @ f[0, 0, 0, :, 0], rtol=1e-5)
    np.testing.assert_allclose(out[..., 1], values[..., 2:] @ f[0, 0, 0, :, 1], rtol=1e-5)


@pytest.mark.parametrize("sizes, k, stride, padding", [
    ((5, 6, 4), (3, 2, 3), (2, 2, 1), "SAME"), ((4, 4, 4), (2, 2, 2), (2, 2, 2), "VALID"),
    ((3, 5, 4), (2, 3, 2), (1, 2, 2), "SAME")])
def test_pools3d_match_torch_with_gradients(sizes, k, stride, padding):
    x = RNG.standard_normal((2, *sizes, 3))
    xt = tf.placeholder(tf.float64, x.shape)
    mp = tf.nn.max_pool3d(xt, [1, *k, 1], [1, *stride, 1], padding)
    ap = tf.nn.avg_pool3d(xt, [1, *k, 1], [1, *stride, 1], padding)
    up_m, up_a = (tf.constant(RNG.standard_normal(p.shape.as_list())) for p in (mp, ap))
    gm, ga = tf.gradients(tf.reduce_sum(mp * up_m), xt)[0], tf.gradients(tf.reduce_sum(ap * up_a), xt)[0]
    mp_v, ap_v, gm_v, ga_v, um, ua = run([mp, ap, gm, ga, up_m, up_a], {xt: x})

    pads = [same_pads(n, kk, s) if padding == "SAME" else (0, 0) for n, kk, s in zip(sizes, k, stride)]
    x_t = torch.tensor(x.transpose(0, 4, 1, 2, 3), requires_grad=True)
    ref_max = F.max_pool3d(torch_padded(x_t, pads, value=-np.inf), k, stride)
    ones = torch_padded(torch.ones(1, 1, *sizes, dtype=torch.float64), pads)  # TF's SAME mean: real values only
    ref_avg = F.avg_pool3d(torch_padded(x_t, pads), k, stride) / F.avg_pool3d(ones, k, stride)
    ((ref_max * torch.tensor(um.transpose(0, 4, 1, 2, 3))).sum()
     + (ref_avg * torch.tensor(ua.transpose(0, 4, 1, 2, 3))).sum()).backward()
    ndhwc = (lambda a: a.detach().numpy().transpose(0, 2, 3, 4, 1))
    np.testing.assert_allclose(mp_v, ndhwc(ref_max), rtol=1e-12)
    np.testing.assert_allclose(ap_v, ndhwc(ref_avg), rtol=1e-12)
    np.testing.assert_allclose(gm_v + ga_v, ndhwc(x_t.grad), rtol=1e-10, atol=1e-12)


def test_pools3d_ncdhw_and_names():
    x = np.arange(2 * 3 * 4 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4, 4)
    y = tf.nn.max_pool3d(x, 2, 2, "VALID", data_format="NCDHW", name="pool")
    assert y.op.name == "pool" and y.shape.as_list() == [2, 3, 2, 2, 2]
    np.testing.assert_array_equal(run(y), x[:, :, 1::2, 1::2, 1::2])
    assert tf.nn.avg_pool3d(x, 2, 2, "VALID", data_format="NCDHW").op.name == "AvgPool3D"


@pytest.mark.parametrize("call, error, message", [
    (lambda: tf.nn.conv3d(tf.zeros((1, 4, 4, 4)), tf.zeros((2, 2, 2, 1, 1)), [1] * 5, "SAME"), ValueError,
     r"Shape must be rank 5 but is rank 4 for 'Conv3D'"),
    (lambda: tf.nn.conv3d(tf.zeros((1, 4, 4, 4, 3)), tf.zeros((2, 2, 2, 2, 1)), [1] * 5, "SAME"), ValueError,
     r"Depth of input \(3\) is not a multiple of input depth of filter \(2\)"),
    (lambda: tf.nn.conv3d(tf.zeros((1, 4, 4, 4, 1)), tf.zeros((2, 2, 2, 1, 1)), [2, 1, 1, 1, 1], "SAME"),
     ValueError, r"strides in the batch and depth dimensions must be 1"),
    (lambda: tf.nn.conv3d(tf.zeros((1, 4, 4, 4, 1)), tf.zeros((2, 2, 2, 1, 1)), [1, 1], "SAME"), ValueError,
     r"strides should be of length 1, 3 or 5 but was 2"),
    (lambda: tf.nn.conv3d(tf.zeros((1, 4, 4, 4, 1)), tf.zeros((2, 2, 2, 1, 1)), 1, "FULL"), ValueError,
     r"Value for attr 'padding' of \"FULL\""),
    (lambda: tf.nn.conv3d(tf.zeros((1, 4, 4, 4, 1)), tf.zeros((2, 2, 2, 1, 1)), 1, "SAME", data_format="NHWC"),
     ValueError, r"'data_format' of \"NHWC\" is not in the list of allowed values: \"NDHWC\", \"NCDHW\""),
    (lambda: tf.nn.conv3d(tf.zeros((1, 4, 4, 4, 1)), tf.zeros((2, 2, 2, 1, 1), tf.float64), 1, "SAME"), TypeError,
     r"Input 'filter' of 'Conv3D' Op has type float64 that does not match type float32"),
    (lambda: tf.nn.max_pool3d(tf.zeros((1, 2, 4, 4, 1)), [1, 3, 3, 3, 1], 1, "VALID"), ValueError,
     r"Negative dimension size caused by subtracting 3 from 2"),
    (lambda: tf.nn.avg_pool3d(tf.zeros((1, 4, 4, 4, 1), tf.int32), 2, 2, "VALID"), TypeError,
     r"DataType int32 not in list of allowed values"),
])
def test_errors_read_like_tensorflow(call, error, message):
    with pytest.raises(error, match=message):
        call()
