"""tf.nn.dilation2d and tf.nn.erosion2d: values against a numpy loop over TF's formulas (SAME and VALID, strides,
rates), max pooling as the all-zero-filter case, gradients against central differences and where they go on a
tie (the first maximum), TF's errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(3)


def _same_pads(size, k, s, r):
    extent = (k - 1) * r + 1
    total = max((-(-size // s) - 1) * s + extent - size, 0)
    return total // 2, total - total // 2


def reference_dilation(x, f, stride, rate, padding):
    """TF's dilation2d, one output pixel at a time: max over the taps inside x of x + f."""
    _, height, width, _ = x.shape
    kh, kw, _ = f.shape
    if padding == "SAME":
        (top, _), (left, _) = _same_pads(height, kh, stride[0], rate[0]), _same_pads(width, kw, stride[1], rate[1])
        out_h, out_w = -(-height // stride[0]), -(-width // stride[1])
    else:
        top = left = 0
        out_h = (height - (kh - 1) * rate[0] - 1) // stride[0] + 1
        out_w = (width - (kw - 1) * rate[1] - 1) // stride[1] + 1
    y = np.full((x.shape[0], out_h, out_w, x.shape[3]), -np.inf)
    for i, j, p, q in np.ndindex(out_h, out_w, kh, kw):
        h, w = i * stride[0] + p * rate[0] - top, j * stride[1] + q * rate[1] - left
        if 0 <= h < height and 0 <= w < width:
            y[:, i, j] = np.maximum(y[:, i, j], x[:, h, w] + f[p, q])
    return y


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride, rate", [((1, 1), (1, 1)), ((2, 2), (1, 1)), ((1, 2), (2, 1)), ((2, 3), (2, 2))])
def test_dilation2d_matches_tfs_formula(stride, rate, padding):
    x, f = RNG.standard_normal((2, 7, 8, 3)), RNG.standard_normal((3, 2, 3))
    got = tf.nn.dilation2d(x, f, [1, *stride, 1], [1, *rate, 1], padding)
    expected = reference_dilation(x, f, stride, rate, padding)
    assert got.shape.as_list() == list(expected.shape)
    np.testing.assert_allclose(run(got), expected, rtol=1e-12)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_erosion2d_is_the_min_of_value_minus_the_reflected_kernel(padding):
    x, k = RNG.standard_normal((1, 6, 7, 2)), RNG.standard_normal((3, 2, 2))
    got = run(tf.nn.erosion2d(x, k, [1, 2, 1, 1], [1, 1, 2, 1], padding))
    np.testing.assert_allclose(got, -reference_dilation(-x, k[::-1, ::-1], (2, 1), (1, 2), padding), rtol=1e-12)
    if padding == "VALID":  # spelled out: out[y, x] = min over dy, dx of x[y*s + (K-1-dy)*r] - k[dy, dx]
        expected = np.full(got.shape, np.inf)
        for i, j, p, q in np.ndindex(got.shape[1], got.shape[2], 3, 2):
            h, w = i * 2 + (2 - p), j + (1 - q) * 2
            expected[:, i, j] = np.minimum(expected[:, i, j], x[:, h, w] - k[p, q])
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_a_zero_filter_is_max_pooling():
    x = RNG.standard_normal((2, 6, 5, 3))
    got = tf.nn.dilation2d(x, np.zeros((3, 3, 3)), [1, 2, 2, 1], [1, 1, 1, 1], "SAME")
    np.testing.assert_allclose(*run([got, tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")]))


def test_gradients_against_central_differences():
    check_gradients(lambda x, f: tf.nn.dilation2d(x, f, [1, 2, 1, 1], [1, 1, 2, 1], "SAME"),
                    RNG.standard_normal((2, 5, 6, 2)), RNG.standard_normal((2, 3, 2)))
    check_gradients(lambda x, k: tf.nn.erosion2d(x, k, [1, 1, 2, 1], [1, 2, 1, 1], "VALID"),
                    RNG.standard_normal((1, 6, 5, 2)), RNG.standard_normal((2, 2, 2)))


def test_gradient_goes_to_the_first_maximum_and_adds_up_on_the_filter():
    x = tf.constant(np.ones((1, 3, 3, 1)))
    f = tf.constant(np.zeros((2, 2, 1)))
    y = tf.nn.dilation2d(x, f, [1, 1, 1, 1], [1, 1, 1, 1], "VALID")  # 4 windows, all ties: each takes its top-left
    dx, df = run(tf.gradients(y, [x, f]))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(df[:, :, 0], [[4, 0], [0, 0]])


def test_unknown_batch_and_sizes_with_valid_padding():
    x = tf.placeholder(tf.float64, [None, None, None, 2])
    y = tf.nn.dilation2d(x, np.zeros((2, 2, 2)), [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
    assert y.shape.as_list() == [None, None, None, 2]
    value = RNG.standard_normal((1, 4, 3, 2))
    np.testing.assert_allclose(run(y, {x: value}), reference_dilation(value, np.zeros((2, 2, 2)), (1, 1), (1, 1),
                                                                      "VALID"))


def test_errors():
    x, f = np.ones((1, 4, 4, 2)), np.ones((2, 2, 2))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.nn.dilation2d(x, np.ones((2, 2, 3)), [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="strides must specify 4 dimensions"):
        tf.nn.dilation2d(x, f, [1, 1], [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="does not yet support rates in the batch and depth"):
        tf.nn.dilation2d(x, f, [1, 1, 1, 1], [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="rank 3"):
        tf.nn.erosion2d(x, np.ones((2, 2, 2, 1)), [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="rank 4"):
        tf.nn.dilation2d(np.ones((4, 4, 2)), f, [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="padding"):
        tf.nn.dilation2d(x, f, [1, 1, 1, 1], [1, 1, 1, 1], "FULL")
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 5 from 4"):
        tf.nn.dilation2d(x, f, [1, 1, 1, 1], [1, 4, 1, 1], "VALID")
    with pytest.raises(TypeError, match="DataType bool not in list of allowed values"):
        tf.nn.dilation2d(np.ones((1, 4, 4, 2), dtype=bool), f.astype(bool), [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    depth_unknown = tf.placeholder(tf.float64, [1, 4, 4, None])
    y = tf.nn.dilation2d(depth_unknown, f, [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(y, {depth_unknown: np.ones((1, 4, 4, 3))})
