"""tf.nn.conv1d_transpose, conv3d_transpose, atrous_conv2d_transpose, depthwise_conv2d_native and its two
backprops: each against its definition (the gradient of the forward convolution, through tf.gradients) and, where
torch has the function, against torch; gradients against central differences; TF's errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(7)


def _is_the_gradient(forward, transpose, y_shape, w):
    """transpose(v) == d<forward(y), v>/dy for a y of ``y_shape``: TF's definition of a transposed convolution."""
    y = tf.constant(RNG.standard_normal(y_shape))
    out = forward(y, w)
    v = tf.constant(RNG.standard_normal(out.shape.as_list()))
    expected = tf.gradients(out, y, grad_ys=v)[0]
    got = transpose(v, w)
    assert got.shape.as_list() == list(y_shape)
    np.testing.assert_allclose(*run([got, expected]), rtol=1e-10, atol=1e-12)


# ======================================================================================= conv3d_transpose

@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("out_dhw, k, stride", [((5, 6, 7), 3, 2), ((4, 5, 4), 2, 2), ((4, 4, 5), 3, 1)])
def test_conv3d_transpose_is_the_gradient_of_conv3d(out_dhw, k, stride, padding):
    w = tf.constant(RNG.standard_normal((k, 2, k, 3, 2)))
    strides = [1, stride, stride, stride, 1]
    _is_the_gradient(lambda y, w: tf.nn.conv3d(y, w, strides, padding),
                     lambda v, w: tf.nn.conv3d_transpose(v, w, [2, *out_dhw, 3], strides, padding),
                     (2, *out_dhw, 3), w)


@pytest.mark.parametrize("stride, output_padding", [(1, 0), (2, 0), (2, 1), (3, 2)])
def test_conv3d_transpose_valid_matches_torch_in_both_layouts(stride, output_padding):
    x, w = RNG.standard_normal((2, 3, 2, 4, 4)), RNG.standard_normal((2, 3, 2, 5, 4))  # NDHWC; [d, h, w, out, in]
    expected = F.conv_transpose3d(torch.from_numpy(x.transpose(0, 4, 1, 2, 3)),
                                  torch.from_numpy(w.transpose(4, 3, 0, 1, 2)), stride=stride,
                                  output_padding=output_padding).numpy()
    out_shape = [2, *expected.shape[2:], 5]
    got = tf.nn.conv3d_transpose(x, w, out_shape, [1, stride, stride, stride, 1], "VALID")
    np.testing.assert_allclose(run(got), expected.transpose(0, 2, 3, 4, 1), rtol=1e-10)
    channels_first = tf.nn.conv3d_transpose(x.transpose(0, 4, 1, 2, 3), w, [2, 5, *expected.shape[2:]],
                                            [1, 1, stride, stride, stride], "VALID", data_format="NCDHW")
    np.testing.assert_allclose(run(channels_first), expected, rtol=1e-10)


def test_conv3d_transpose_dilation_batch_tensor_and_gradients():
    x, w = RNG.standard_normal((1, 3, 3, 3, 2)), RNG.standard_normal((2, 2, 2, 1, 2))
    expected = F.conv_transpose3d(torch.from_numpy(x.transpose(0, 4, 1, 2, 3)),
                                  torch.from_numpy(w.transpose(4, 3, 0, 1, 2)), dilation=2).numpy()
    value = tf.placeholder(tf.float64, [None, 3, 3, 3, 2])
    got = tf.nn.conv3d_transpose(value, w, tf.stack([tf.shape(value)[0], 5, 5, 5, 1]), 1, "VALID", dilations=2)
    assert got.shape.as_list() == [None, 5, 5, 5, 1]
    np.testing.assert_allclose(run(got, {value: x}), expected.transpose(0, 2, 3, 4, 1), rtol=1e-10)
    check_gradients(lambda a, b: tf.nn.conv3d_transpose(a, b, [1, 3, 4, 3, 1], [1, 2, 2, 2, 1], "SAME"),
                    RNG.standard_normal((1, 2, 2, 2, 2)), RNG.standard_normal((2, 2, 2, 1, 2)))


def test_conv3d_transpose_errors():
    x, w = np.ones((1, 2, 2, 2, 2)), np.ones((2, 2, 2, 3, 2))
    with pytest.raises(ValueError, match="output_shape does not match filter's output channels, 4 != 3"):
        tf.nn.conv3d_transpose(x, w, [1, 4, 4, 4, 4], [1, 2, 2, 2, 1])
    with pytest.raises(ValueError, match=r"output_shape must have shape \(5,\)"):
        tf.nn.conv3d_transpose(x, w, [1, 4, 4, 3], [1, 2, 2, 2, 1])
    with pytest.raises(ValueError, match="Conv3DCustomBackpropInput: Size of out_backprop doesn't match"):
        tf.nn.conv3d_transpose(x, w, [1, 6, 6, 6, 3], [1, 2, 2, 2, 1])
    with pytest.raises(ValueError, match="rank 5"):
        tf.nn.conv3d_transpose(np.ones((1, 2, 2, 2)), w, [1, 4, 4, 4, 3], 2)
    with pytest.raises(ValueError, match="padding"):
        tf.nn.conv3d_transpose(x, w, [1, 4, 4, 4, 3], 2, padding="FULL")
    with pytest.raises(ValueError, match="NDHWC"):
        tf.nn.conv3d_transpose(x, w, [1, 4, 4, 4, 3], 2, data_format="NHWC")


# ======================================================================================= conv1d_transpose

@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("width, k, stride", [(9, 3, 2), (8, 2, 2), (7, 3, 1), (10, 4, 3)])
def test_conv1d_transpose_is_the_gradient_of_conv1d(width, k, stride, padding):
    w = tf.constant(RNG.standard_normal((k, 3, 2)))
    _is_the_gradient(lambda y, w: tf.nn.conv1d(y, w, stride, padding),
                     lambda v, w: tf.nn.conv1d_transpose(v, w, [2, width, 3], stride, padding), (2, width, 3), w)


def test_conv1d_transpose_ncw_matches_torch_and_gradients():
    x, w = RNG.standard_normal((2, 3, 5)), RNG.standard_normal((3, 4, 3))  # NCW; [width, out, in]
    expected = F.conv_transpose1d(torch.from_numpy(x), torch.from_numpy(w.transpose(2, 1, 0)), stride=2,
                                  dilation=2).numpy()
    got = tf.nn.conv1d_transpose(x, w, [2, 4, expected.shape[2]], [1, 1, 2], "VALID", data_format="NCW",
                                 dilations=2)
    np.testing.assert_allclose(run(got), expected, rtol=1e-10)
    check_gradients(lambda a, b: tf.nn.conv1d_transpose(a, b, [1, 7, 2], 2, "SAME"), RNG.standard_normal((1, 4, 2)),
                    RNG.standard_normal((3, 2, 2)))
    with pytest.raises(ValueError, match="rank 3"):
        tf.nn.conv1d_transpose(np.ones((1, 4, 4, 2)), np.ones((3, 2, 2)), [1, 7, 2], 2)
    with pytest.raises(ValueError, match="output_shape does not match filter's output channels, 3 != 2"):
        tf.nn.conv1d_transpose(np.ones((1, 4, 2)), np.ones((3, 2, 2)), [1, 7, 3], 2)


# ================================================================================ atrous_conv2d_transpose

@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("rate", [1, 2, 3])
def test_atrous_conv2d_transpose_is_the_gradient_of_atrous_conv2d(rate, padding):
    w = tf.constant(RNG.standard_normal((3, 2, 4, 2)))
    _is_the_gradient(lambda y, w: tf.nn.atrous_conv2d(y, w, rate, padding),
                     lambda v, w: tf.nn.atrous_conv2d_transpose(v, w, [2, 9, 8, 4], rate, padding), (2, 9, 8, 4), w)


def test_atrous_conv2d_transpose_gradients_and_errors():
    check_gradients(lambda a, b: tf.nn.atrous_conv2d_transpose(a, b, [1, 5, 5, 1], 2, "SAME"),
                    RNG.standard_normal((1, 5, 5, 2)), RNG.standard_normal((2, 2, 1, 2)))
    with pytest.raises(ValueError, match="rate 0 cannot be less than one"):
        tf.nn.atrous_conv2d_transpose(np.ones((1, 5, 5, 2)), np.ones((2, 2, 1, 2)), [1, 5, 5, 1], 0, "SAME")
    with pytest.raises(ValueError, match="Size of out_backprop doesn.t match computed: actual = 5, computed = 2"):
        tf.nn.atrous_conv2d_transpose(np.ones((1, 5, 5, 2)), np.ones((2, 2, 1, 2)), [1, 5, 5, 1], 3, "VALID")


# ========================================================================== depthwise and its two backprops

@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("stride, dilation, padding", [(1, 1, "SAME"), (2, 1, "SAME"), (2, 1, "VALID"),
                                                       (1, 2, "SAME"), (1, 2, "VALID")])
def test_depthwise_backprops_are_the_gradients_of_depthwise_conv2d(stride, dilation, padding, data_format):
    x = RNG.standard_normal((2, 7, 6, 3))
    if data_format == "NCHW":
        x = x.transpose(0, 3, 1, 2)
    w = RNG.standard_normal((3, 2, 3, 2))
    strides = [1, stride, stride, 1] if data_format == "NHWC" else [1, 1, stride, stride]
    dilations = [1, dilation, dilation, 1] if data_format == "NHWC" else [1, 1, dilation, dilation]
    xt, wt = tf.constant(x), tf.constant(w)
    y = tf.nn.depthwise_conv2d_native(xt, wt, strides, padding, data_format, dilations)
    g = tf.constant(RNG.standard_normal(y.shape.as_list()))
    dx, dw = tf.gradients(y, [xt, wt], grad_ys=g)
    got_dx = tf.nn.depthwise_conv2d_native_backprop_input(list(x.shape), w, g, strides, padding, data_format,
                                                          dilations)
    got_dw = tf.nn.depthwise_conv2d_native_backprop_filter(x, tf.constant([3, 2, 3, 2]), g, strides, padding,
                                                           data_format, dilations)
    assert got_dx.shape.as_list() == list(x.shape) and got_dw.shape.as_list() == [3, 2, 3, 2]
    np.testing.assert_allclose(*run([got_dx, dx]), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(*run([got_dw, dw]), rtol=1e-10, atol=1e-12)


def test_depthwise_conv2d_native_matches_torch_grouped_convolution():
    x, w = RNG.standard_normal((2, 6, 5, 3)), RNG.standard_normal((3, 3, 3, 2))
    got = tf.nn.depthwise_conv2d_native(x, w, [1, 1, 1, 1], "VALID")
    weight = torch.from_numpy(w.reshape(3, 3, 6).transpose(2, 0, 1)[:, None])  # (C * M, 1, kh, kw)
    expected = F.conv2d(torch.from_numpy(x.transpose(0, 3, 1, 2)), weight, groups=3).numpy()
    np.testing.assert_allclose(run(got), expected.transpose(0, 2, 3, 1), rtol=1e-10)


def test_depthwise_backprop_gradients_and_errors():
    w = RNG.standard_normal((2, 2, 2, 2))
    check_gradients(lambda g, f: tf.nn.depthwise_conv2d_native_backprop_input([1, 5, 4, 2], f, g, [1, 2, 2, 1],
                                                                              "SAME"),
                    RNG.standard_normal((1, 3, 2, 4)), w)
    check_gradients(lambda x, g: tf.nn.depthwise_conv2d_native_backprop_filter(x, [2, 2, 2, 2], g, [1, 2, 2, 1],
                                                                               "SAME"),
                    RNG.standard_normal((1, 5, 4, 2)), RNG.standard_normal((1, 3, 2, 4)))
    with pytest.raises(ValueError, match="input_sizes has 3 channels, the filter 2"):
        tf.nn.depthwise_conv2d_native_backprop_input([1, 5, 4, 3], w, np.ones((1, 3, 2, 4)), [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match=r"out_backprop depth 5 does not match filter_sizes \[2, 2, 2, 2\]"):
        tf.nn.depthwise_conv2d_native_backprop_filter(np.ones((1, 5, 4, 2)), [2, 2, 2, 2], np.ones((1, 3, 2, 5)),
                                                      [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="filter_sizes must be 4 ints"):
        tf.nn.depthwise_conv2d_native_backprop_filter(np.ones((1, 5, 4, 2)), [2, 2, 2], np.ones((1, 3, 2, 4)),
                                                      [1, 2, 2, 1], "SAME")
