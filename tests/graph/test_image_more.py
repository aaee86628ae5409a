"""tf.image's colour spaces, image quality, edges, patches and boxes: values against numpy references written here
(Python's colorsys for HSV), gradients against float64 central differences, seeds, and TF's errors."""
import colorsys
import math

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import run
from .numeric_gradients import check_gradients
from .test_image_ops import check_float32_gradient

rng = np.random.default_rng(1)
RGB = rng.random((2, 4, 5, 3))  # a batch of two 4x5 RGB images, float64 in [0, 1)


# ============================================================================================== HSV

def ref_hsv(images, change=lambda h, s, v: (h, s, v)):
    """Each pixel through colorsys: RGB -> HSV, ``change``d, -> RGB (or the HSV itself when ``change`` is None)."""
    out = np.empty_like(images)
    for index in np.ndindex(*images.shape[:-1]):
        hsv = colorsys.rgb_to_hsv(*images[index])
        out[index] = hsv if change is None else colorsys.hsv_to_rgb(*change(*hsv))
    return out


def test_hsv_of_known_colours(graph):
    colours = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0.5, 0.5, 0.5], [0, 0, 0],
                        [0.5, 0.25, 0.25]], np.float32)
    expected = np.array([[0, 1, 1], [1 / 3, 1, 1], [2 / 3, 1, 1], [1 / 6, 1, 1], [5 / 6, 1, 1], [0, 0, 0.5],
                         [0, 0, 0], [0, 0.5, 0.5]], np.float32)
    image = tf.constant(colours)
    hsv = tf.image.rgb_to_hsv(image)
    hsv, back, grad = run([hsv, tf.image.hsv_to_rgb(expected), tf.gradients(tf.reduce_sum(hsv), image)[0]])
    np.testing.assert_allclose(hsv, expected, atol=1e-6)   # pure red is hue 0, a gray has no hue nor saturation
    np.testing.assert_allclose(back, colours, atol=1e-6)
    assert np.isfinite(grad).all()   # also for the gray and black pixels, whose hue and saturation are set to 0


def test_hsv_matches_colorsys_and_round_trips(graph):
    hsv = tf.image.rgb_to_hsv(RGB)
    values = run([hsv, tf.image.hsv_to_rgb(hsv), tf.image.hsv_to_rgb(ref_hsv(RGB, None))])
    assert hsv.dtype == tf.float64 and hsv.shape == RGB.shape
    np.testing.assert_allclose(values[0], ref_hsv(RGB, None), atol=1e-12)
    np.testing.assert_allclose(values[1], RGB, atol=1e-12)
    np.testing.assert_allclose(values[2], RGB, atol=1e-12)
    check_gradients(tf.image.rgb_to_hsv, RGB[0, :2])
    check_gradients(tf.image.hsv_to_rgb, ref_hsv(RGB[0, :2], None))


def test_adjust_hue_and_saturation(graph):
    x = RGB.astype(np.float32)
    uint8 = (RGB * 255).astype(np.uint8)
    hue, saturation, hue_uint8 = run([tf.image.adjust_hue(x, 0.3), tf.image.adjust_saturation(x, 1.7),
                                      tf.image.adjust_hue(uint8, -0.2)])
    np.testing.assert_allclose(hue, ref_hsv(RGB, lambda h, s, v: ((h + 0.3) % 1, s, v)), atol=1e-5)
    np.testing.assert_allclose(saturation, ref_hsv(RGB, lambda h, s, v: (h, min(s * 1.7, 1), v)), atol=1e-5)
    expected = (ref_hsv(uint8 / 255, lambda h, s, v: ((h - 0.2) % 1, s, v)) * 255.5).astype(np.uint8)
    assert hue_uint8.dtype == np.uint8 and np.abs(hue_uint8.astype(int) - expected).max() <= 1
    check_float32_gradient(lambda t: tf.image.adjust_saturation(t, 0.6),
                           lambda a: ref_hsv(a, lambda h, s, v: (h, s * 0.6, v)), RGB[0, :2], rtol=1e-3, atol=1e-4)
    check_float32_gradient(lambda t: tf.image.adjust_hue(t, 0.25),
                           lambda a: ref_hsv(a, lambda h, s, v: ((h + 0.25) % 1, s, v)), RGB[0, :2], rtol=1e-3,
                           atol=1e-4)


def test_random_hue_and_saturation(graph):
    image = RGB[0].astype(np.float32)
    hue = tf.image.random_hue(image, 0.2, seed=3)
    saturation = tf.image.random_saturation(image, 0.5, 0.9, seed=4)
    base = ref_hsv(RGB[0], None)
    shifts, factors = [], []
    with tf.Session() as sess:
        for _ in range(10):
            turned, scaled = (ref_hsv(v.astype(np.float64), None) for v in sess.run([hue, saturation]))
            shift = (turned[..., 0] - base[..., 0] + 0.5) % 1 - 0.5   # one delta for the whole image
            factor = scaled[..., 1] / base[..., 1]
            assert np.ptp(shift) < 1e-4 and np.ptp(factor) < 1e-3
            shifts.append(shift.mean())
            factors.append(factor.mean())
    assert all(-0.2 - 1e-4 <= d <= 0.2 + 1e-4 for d in shifts) and len(set(np.round(shifts, 4))) > 5
    assert all(0.5 - 1e-3 <= f <= 0.9 + 1e-3 for f in factors) and len(set(np.round(factors, 4))) > 5
    first, second = run([hue, tf.image.random_hue(image, 0.2, seed=3)])   # the same op seed: the same delta
    np.testing.assert_array_equal(first, second)
    for call, message in [(lambda: tf.image.random_hue(image, 0.6), "max_delta must be <= 0.5."),
                          (lambda: tf.image.random_hue(image, -0.1), "max_delta must be non-negative."),
                          (lambda: tf.image.random_saturation(image, 0.5, 0.5), "upper must be > lower."),
                          (lambda: tf.image.random_saturation(image, -0.5, 0.5), "lower must be non-negative.")]:
        with pytest.raises(ValueError, match=message):
            call()


def test_colour_conversions_reject_bad_images(graph):
    with pytest.raises(ValueError, match="Dimension must be 3 but is 4 for 'RGBToHSV'"):
        tf.image.rgb_to_hsv(np.zeros((2, 2, 4), np.float32))
    with pytest.raises(ValueError, match="Dimension must be 3 but is 2 for 'rgb_to_yiq'"):
        tf.image.rgb_to_yiq(np.zeros((2, 2), np.float32))
    with pytest.raises(TypeError, match="DataType uint8 not in list of allowed values"):
        tf.image.rgb_to_hsv(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ValueError, match="Dimension must be 3 but is 1 for 'RGBToHSV'"):
        tf.image.adjust_hue(np.zeros((2, 2, 1), np.float32), 0.1)


# ===================================================================================== gamma, YIQ, YUV

def test_adjust_gamma(graph):
    x = RGB.astype(np.float32)
    uint8 = np.array([[[0], [64], [200]]], np.uint8)
    gamma = tf.placeholder(tf.float32, [])
    values = run([tf.image.adjust_gamma(x, 2.2, 0.8), tf.image.adjust_gamma(uint8, 0.5, 2),
                  tf.image.adjust_gamma(x, gamma)], {gamma: 0.5})
    np.testing.assert_allclose(values[0], 0.8 * x ** 2.2, rtol=1e-5)
    expected = np.minimum(2 * np.sqrt(uint8 / 255) * 255.5, 255).astype(np.uint8)   # clipped at 255
    assert values[1].dtype == np.uint8 and np.abs(values[1].astype(int) - expected).max() <= 1
    np.testing.assert_allclose(values[2], np.sqrt(x), rtol=1e-6)
    check_float32_gradient(lambda t: tf.image.adjust_gamma(t, 1.7, 1.3), lambda a: 1.3 * a ** 1.7, RGB[0, :2] + 0.1)
    with pytest.raises(ValueError, match="Gamma should be a non-negative real number."):
        tf.image.adjust_gamma(x, -1.0)
    with pytest.raises(errors.InvalidArgumentError, match="Gamma should be a non-negative real number."):
        run(tf.image.adjust_gamma(x, gamma), {gamma: -1.0})


def test_yiq_and_yuv(graph):
    r, g, b = RGB[..., 0], RGB[..., 1], RGB[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b   # textbook coefficients (TF's matrices hold more digits)
    yiq_expected = np.stack([y, 0.596 * r - 0.274 * g - 0.322 * b, 0.211 * r - 0.523 * g + 0.312 * b], -1)
    yuv_expected = np.stack([y, 0.492 * (b - y), 0.877 * (r - y)], -1)
    yiq, yuv = tf.image.rgb_to_yiq(RGB), tf.image.rgb_to_yuv(RGB)
    values = run([yiq, yuv, tf.image.yiq_to_rgb(yiq), tf.image.yuv_to_rgb(yuv), tf.image.rgb_to_yuv(np.ones(3))])
    np.testing.assert_allclose(values[0], yiq_expected, atol=2e-3)
    np.testing.assert_allclose(values[1], yuv_expected, atol=2e-3)
    np.testing.assert_allclose(values[2], RGB, atol=2e-4)   # TF's YIQ matrices are each other's inverse to 1e-4
    np.testing.assert_allclose(values[3], RGB, atol=1e-6)
    np.testing.assert_allclose(values[4], [1, 0, 0], atol=1e-7)   # white: full luma, no colour
    check_gradients(tf.image.rgb_to_yiq, RGB[0, :2])
    check_gradients(tf.image.yuv_to_rgb, RGB[0, :2])


# ================================================================================= PSNR and SSIM

def test_psnr_of_a_known_error(graph):
    a = RGB.astype(np.float32)
    uint8 = (RGB * 200).astype(np.uint8)
    one = tf.image.psnr(a, a + 0.1, 1.0)
    assert one.dtype == tf.float32 and one.shape == (2,)
    values = run([one, tf.image.psnr(uint8, uint8 + np.uint8(10), 255), tf.image.psnr(a[0], a[0], 1.0),
                  tf.image.psnr(a, a[:1] * 0.5, 2.0)])
    np.testing.assert_allclose(values[0], [20, 20], rtol=1e-5)            # MSE 0.01: -10 log10(0.01)
    np.testing.assert_allclose(values[1], 20 * math.log10(25.5), rtol=1e-5)   # MSE (10/255)²
    assert values[2] == np.inf
    mse = ((a - a[:1] * 0.5) ** 2).mean(axis=(1, 2, 3))                    # batch dims broadcast
    np.testing.assert_allclose(values[3], 20 * math.log10(2) - 10 * np.log10(mse), rtol=1e-5)
    b = RGB[1, :2] * 0.7
    check_float32_gradient(lambda t: tf.image.psnr(t, b, 1.0), lambda t: -10 * np.log10(((t - b) ** 2).mean()),
                           RGB[0, :2], rtol=1e-3)
    with pytest.raises(ValueError, match="must have rank at least 3"):
        tf.image.psnr(a[0, 0], a[0, 0], 1.0)
    with pytest.raises(ValueError, match="are incompatible"):
        tf.image.psnr(a, a[:, :3], 1.0)
    with pytest.raises(ValueError, match="Two images are not compatible"):
        tf.image.psnr(np.zeros((2, 3, 3, 3)), np.zeros((4, 3, 3, 3)), 1.0)


def ref_ssim(x, y, max_val, size=11, sigma=1.5, k1=0.01, k2=0.03):
    """SSIM with the 2-D Gaussian window as TF makes it (a softmax over the grid), on every full window."""
    d = np.arange(size) - (size - 1) / 2
    window = np.exp(-(d[:, None] ** 2 + d[None, :] ** 2) / (2 * sigma ** 2))
    window /= window.sum()

    def local_mean(z):   # (..., h, w, c) -> (..., h - size + 1, w - size + 1, c)
        patches = np.lib.stride_tricks.sliding_window_view(z, (size, size), axis=(-3, -2))
        return np.einsum("...ij,ij->...", patches, window)
    mx, my = local_mean(x), local_mean(y)
    vx, vy, cov = local_mean(x * x) - mx ** 2, local_mean(y * y) - my ** 2, local_mean(x * y) - mx * my
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    ssim_map = (2 * mx * my + c1) * (2 * cov + c2) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    return ssim_map.mean(axis=(-3, -2, -1))


def test_ssim(graph):
    x = rng.random((2, 16, 14, 3))
    y = np.clip(x + rng.normal(0, 0.1, x.shape), 0, 1)
    uint8 = (x * 255).astype(np.uint8)
    same = tf.image.ssim(x.astype(np.float32), x.astype(np.float32), 1.0)
    assert same.dtype == tf.float32 and same.shape == (2,)
    values = run([same, tf.image.ssim(x, y, 1.0), tf.image.ssim(x[0], y[0] * 2, 2.0, filter_size=5, filter_sigma=0.8,
                                                                 k1=0.02, k2=0.05),
                  tf.image.ssim(uint8, (y * 255).astype(np.uint8), 255)])
    np.testing.assert_allclose(values[0], [1, 1], rtol=1e-6)
    np.testing.assert_allclose(values[1], ref_ssim(x, y, 1.0), rtol=1e-5)
    np.testing.assert_allclose(values[2], ref_ssim(x[0], y[0] * 2, 2.0, 5, 0.8, 0.02, 0.05), rtol=1e-5)
    np.testing.assert_allclose(values[3], ref_ssim(uint8 / 255, (y * 255).astype(np.uint8) / 255, 1.0), rtol=1e-5)
    b = rng.random((1, 4, 4, 1))
    check_float32_gradient(lambda t: tf.image.ssim(t, b, 1.0, filter_size=3), lambda t: ref_ssim(t, b, 1.0, 3),
                           rng.random((1, 4, 4, 1)), rtol=2e-3, atol=1e-4)
    with pytest.raises(ValueError, match="height and width must be at least filter_size = 11"):
        tf.image.ssim(RGB, RGB, 1.0)
    images = tf.placeholder(tf.float32, [None, None, None, 3])
    with pytest.raises(errors.InvalidArgumentError, match="must be at least filter_size = 11"):
        run(tf.image.ssim(images, images, 1.0), {images: RGB})


# ============================================================================================ edges

def ref_sobel(images):
    padded = np.pad(images, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
    kernels = [np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]), np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])]
    n, h, w, d = images.shape
    out = np.zeros((n, h, w, d, 2))
    for i in range(h):
        for j in range(w):
            for k, kernel in enumerate(kernels):
                out[:, i, j, :, k] = np.einsum("nabd,ab->nd", padded[:, i:i + 3, j:j + 3], kernel)
    return out


def test_sobel_edges(graph):
    ramp = (2 * np.arange(5)[:, None] + 3 * np.arange(6)[None, :]).astype(np.float32).reshape(1, 5, 6, 1)
    edges, values = run([tf.image.sobel_edges(ramp), tf.image.sobel_edges(RGB)])
    assert edges.shape == (1, 5, 6, 1, 2)
    np.testing.assert_array_equal(edges[0, 1:-1, 1:-1, 0, 0], 16)   # 4 · (2 per row) · 2 rows apart
    np.testing.assert_array_equal(edges[0, 1:-1, 1:-1, 0, 1], 24)   # 4 · (3 per column) · 2 columns apart
    np.testing.assert_array_equal(edges[0, 0, :, 0, 0], 0)          # the reflected row above equals the one below
    np.testing.assert_allclose(edges, ref_sobel(ramp))
    np.testing.assert_allclose(values, ref_sobel(RGB), atol=1e-12)
    check_gradients(tf.image.sobel_edges, RGB[:1, :3, :4, :2])
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3 for 'sobel_edges'"):
        tf.image.sobel_edges(RGB[0])


# ========================================================================================== patches

def ref_patches(images, sizes, strides, rates, padding):
    """Every window by explicit slicing, TF's SAME padding computed here."""
    (kh, kw), (sh, sw), (rh, rw) = sizes, strides, rates
    n, h, w, d = images.shape
    eh, ew = (kh - 1) * rh + 1, (kw - 1) * rw + 1
    if padding == "SAME":
        oh, ow = -(-h // sh), -(-w // sw)
        ph, pw = max((oh - 1) * sh + eh - h, 0), max((ow - 1) * sw + ew - w, 0)
        images = np.pad(images, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)])
    else:
        oh, ow = (h - eh) // sh + 1, (w - ew) // sw + 1
    out = np.zeros((n, oh, ow, kh * kw * d), images.dtype)
    for i in range(oh):
        for j in range(ow):
            window = images[:, i * sh:i * sh + eh:rh, j * sw:j * sw + ew:rw]   # (n, kh, kw, d)
            out[:, i, j] = window.reshape(n, -1)
    return out


@pytest.mark.parametrize("sizes, strides, rates", [((2, 3), (1, 1), (1, 1)), ((2, 2), (2, 3), (1, 1)),
                                                   ((2, 3), (1, 2), (2, 1)), ((1, 1), (3, 2), (1, 1))])
@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_extract_patches_match_slicing(graph, sizes, strides, rates, padding):
    x = rng.random((2, 7, 6, 2))
    four = [[1, *v, 1] for v in (sizes, strides, rates)]
    patches = tf.image.extract_patches(x, *four, padding)
    value, old_name = run([patches, tf.extract_image_patches(x, four[0], four[1], four[2], padding)])
    expected = ref_patches(x, sizes, strides, rates, padding)
    assert patches.shape == expected.shape
    np.testing.assert_array_equal(value, expected)
    np.testing.assert_array_equal(old_name, expected)


def test_extract_patches_dtypes_gradients_and_errors(graph):
    ints = np.arange(2 * 5 * 4 * 3, dtype=np.int32).reshape(2, 5, 4, 3)
    out = tf.image.extract_image_patches(ints, sizes=[1, 2, 2, 1], strides=[1, 2, 1, 1], rates=[1, 1, 1, 1],
                                         padding="SAME")
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(run(out), ref_patches(ints, (2, 2), (2, 1), (1, 1), "SAME"))
    check_gradients(lambda t: tf.image.extract_patches(t, [1, 2, 2, 1], [1, 1, 2, 1], [1, 2, 1, 1], "SAME"),
                    rng.random((1, 4, 5, 2)))
    good = [1, 2, 2, 1]
    for args, error, message in [
        (([1, 2, 2], good, good, "VALID"), ValueError, "ksizes attribute to contain 4 values"),
        (([2, 2, 2, 1], good, good, "VALID"), ValueError, "Only support ksizes across space."),
        ((good, [1, 1, 1, 2], good, "VALID"), ValueError, "Only support strides across space."),
        ((good, good, good, "FULL"), ValueError, "is not in the list of allowed values"),
        (([1, 9, 2, 1], good, good, "VALID"), ValueError, "Negative dimension size"),
    ]:
        with pytest.raises(error, match=message):
            tf.image.extract_patches(ints, *args)
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3 for 'ExtractImagePatches'"):
        tf.image.extract_patches(ints[0], good, good, good, "VALID")


# ============================================================================================== NMS

def ref_iou(a, b):
    (ay1, ay2), (ax1, ax2), (by1, by2), (bx1, bx2) = (sorted(p) for p in (a[0::2], a[1::2], b[0::2], b[1::2]))
    area_a, area_b = (ay2 - ay1) * (ax2 - ax1), (by2 - by1) * (bx2 - bx1)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter = max(min(ay2, by2) - max(ay1, by1), 0) * max(min(ax2, bx2) - max(ax1, bx1), 0)
    return inter / (area_a + area_b - inter)


def ref_nms(boxes, scores, limit, iou_threshold, score_threshold=-np.inf, sigma=0.0):
    """The plain greedy loop: take the best remaining box (ties: the lower index); with sigma, decay every other
    remaining score by exp(-IoU² / 2σ) instead of dropping the overlapping ones."""
    current = {i: float(s) for i, s in enumerate(scores) if s > score_threshold}
    kept, kept_scores = [], []
    while current and len(kept) < limit:
        best = min(current, key=lambda i: (-current[i], i))
        kept.append(best)
        kept_scores.append(current.pop(best))
        for i in list(current):
            iou = ref_iou(boxes[best], boxes[i])
            if sigma > 0:
                current[i] *= math.exp(-iou * iou / (2 * sigma))
                if current[i] <= score_threshold:
                    del current[i]
            elif iou > iou_threshold:
                del current[i]
    return kept, kept_scores


def random_boxes(n):
    corners = rng.random((n, 2, 2)) * 10
    sizes = rng.random((n, 2, 2)) * 4
    boxes = np.concatenate([corners[:, 0], corners[:, 0] + sizes[:, 0] * rng.choice([-1, 1], (n, 2))], axis=1)
    return boxes.astype(np.float32)   # some boxes have their corners the other way round


@pytest.mark.parametrize("limit, iou_threshold, score_threshold", [(30, 0.5, -np.inf), (5, 0.3, -np.inf),
                                                                    (30, 0.1, 0.45), (30, 0.0, -np.inf),
                                                                    (0, 0.5, -np.inf)])
def test_non_max_suppression_matches_the_greedy_loop(graph, limit, iou_threshold, score_threshold):
    boxes = random_boxes(40)
    scores = np.round(rng.random(40), 1).astype(np.float32)   # rounded: many ties
    selected = tf.image.non_max_suppression(boxes, scores, limit, iou_threshold, score_threshold)
    assert selected.dtype == tf.int32 and selected.shape.as_list() == [None]
    indices, kept_scores = run(tf.image.non_max_suppression_with_scores(boxes, scores, limit, iou_threshold,
                                                                        score_threshold))
    expected, expected_scores = ref_nms(boxes.astype(np.float64), scores, limit, iou_threshold, score_threshold)
    np.testing.assert_array_equal(run(selected), expected)
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_allclose(kept_scores, expected_scores)


def test_non_max_suppression_ties_and_degenerate_boxes(graph):
    boxes = np.array([[0, 0, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0.5, 1, 1.5]], np.float32)
    scores = np.array([0.5, 0.9, 0.9, 0.95, 0.9], np.float32)
    # box 3 has no area (IoU 0 with all); 1 and 2 are the same box with the same score: the lower index wins;
    # box 4 overlaps box 1 by IoU 1/3
    out = run([tf.image.non_max_suppression(boxes, scores, 10, 0.5), tf.image.non_max_suppression(boxes, scores, 10,
                                                                                                   0.3)])
    np.testing.assert_array_equal(out[0], [3, 1, 4])
    np.testing.assert_array_equal(out[1], [3, 1])
    count = tf.placeholder(tf.int32, [])
    fed = tf.image.non_max_suppression(tf.placeholder_with_default(boxes, [None, 4]), scores, count)
    np.testing.assert_array_equal(run(fed, {count: 2}), [3, 1])


def test_soft_non_max_suppression(graph):
    boxes = random_boxes(25)
    scores = rng.random(25).astype(np.float32)
    for sigma, score_threshold in [(0.5, -np.inf), (0.3, 0.2)]:
        indices, kept_scores = run(tf.image.non_max_suppression_with_scores(boxes, scores, 20, 1.0, score_threshold,
                                                                            soft_nms_sigma=sigma))
        expected, expected_scores = ref_nms(boxes.astype(np.float64), scores, 20, 1.0, score_threshold, sigma)
        np.testing.assert_array_equal(indices, expected)
        np.testing.assert_allclose(kept_scores, expected_scores, rtol=1e-5)


def test_non_max_suppression_errors(graph):
    boxes, scores = np.zeros((3, 4), np.float32), np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 3"):
        tf.image.non_max_suppression(boxes[None], scores, 2)
    with pytest.raises(ValueError, match="Dimension must be 4 but is 3"):
        tf.image.non_max_suppression(boxes[:, :3], scores, 2)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.image.non_max_suppression(boxes, scores[:2], 2)
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.image.non_max_suppression(boxes, scores, [2])
    with pytest.raises(errors.InvalidArgumentError, match=r"iou_threshold must be in \[0, 1\]"):
        run(tf.image.non_max_suppression(boxes, scores, 2, iou_threshold=1.5))
    with pytest.raises(errors.InvalidArgumentError, match="max_output_size must be non-negative"):
        run(tf.image.non_max_suppression(boxes, scores, -1))


# ================================================================================== crop_and_resize

def ref_crop_and_resize(image, boxes, box_ind, size, method="bilinear", extrapolation_value=0.0):
    """TF's CropAndResize kernel, one output pixel at a time."""
    _, h, w, d = image.shape
    out = np.full((len(boxes), *size, d), extrapolation_value)

    def source(start, end, i, count, n):
        return start * (n - 1) + i * (end - start) * (n - 1) / (count - 1) if count > 1 else \
            0.5 * (start + end) * (n - 1)
    for k, (y1, x1, y2, x2) in enumerate(boxes):
        picture = image[box_ind[k]]
        for i in range(size[0]):
            y = source(y1, y2, i, size[0], h)
            for j in range(size[1]):
                x = source(x1, x2, j, size[1], w)
                if not (0 <= y <= h - 1 and 0 <= x <= w - 1):
                    continue
                if method == "nearest":
                    out[k, i, j] = picture[math.floor(y + 0.5), math.floor(x + 0.5)]
                    continue
                top, bottom, left, right = math.floor(y), math.ceil(y), math.floor(x), math.ceil(x)
                upper = picture[top, left] + (picture[top, right] - picture[top, left]) * (x - left)
                lower = picture[bottom, left] + (picture[bottom, right] - picture[bottom, left]) * (x - left)
                out[k, i, j] = upper + (lower - upper) * (y - top)
    return out


# (chosen so that no point of a crop is read within float32 rounding of a half pixel, where nearest could go
# either way, except exactly, as box 0's)
BOXES = np.array([[0, 0, 1, 1], [0.12, 0.2, 0.74, 0.9], [0.8, 0.9, 0.14, 0.3],    # the third one flipped
                  [-0.3, 0.15, 0.55, 1.4], [0.25, 0.5, 0.75, 0.5]], np.float32)    # past the edges; zero width
BOX_IND = np.array([0, 1, 1, 0, 1], np.int32)


@pytest.mark.parametrize("size", [(3, 4), (1, 1), (5, 2)])
@pytest.mark.parametrize("method", ["bilinear", "nearest"])
def test_crop_and_resize_matches_the_kernel(graph, size, method):
    image = rng.random((2, 6, 7, 3)).astype(np.float32)
    crops = tf.image.crop_and_resize(image, BOXES, BOX_IND, size, method=method, extrapolation_value=-1.0)
    assert crops.dtype == tf.float32 and crops.shape == (5, *size, 3)
    np.testing.assert_allclose(run(crops), ref_crop_and_resize(image.astype(np.float64), BOXES.astype(np.float64),
                                                               BOX_IND, size, method, -1.0), rtol=1e-5, atol=1e-6)


def test_crop_and_resize_of_unknown_sizes_integers_and_its_gradient(graph):
    image = rng.random((2, 6, 7, 3))
    uint8 = (image * 255).astype(np.uint8)
    images = tf.placeholder(tf.uint8, [None, None, None, 3])
    boxes = tf.placeholder(tf.float32, [None, 4])
    crops = tf.image.crop_and_resize(images, boxes, box_indices=BOX_IND, crop_size=[4, 3])
    assert crops.shape.as_list() == [5, 4, 3, 3]
    np.testing.assert_allclose(run(crops, {images: uint8, boxes: BOXES}),
                               ref_crop_and_resize(uint8.astype(np.float64), BOXES.astype(np.float64), BOX_IND,
                                                   (4, 3)), rtol=1e-5, atol=1e-4)
    whole = tf.image.crop_and_resize(image, [[0, 0, 1, 1]], [1], [4, 9])   # the whole image: aligned corners
    np.testing.assert_allclose(*run([whole, tf.image.resize_bilinear(image[1:], [4, 9], align_corners=True)]),
                               rtol=1e-5, atol=1e-6)
    small = image[:, :3, :4, :1]
    check_float32_gradient(lambda t: tf.image.crop_and_resize(t, BOXES, BOX_IND, [3, 2]),
                           lambda a: ref_crop_and_resize(a, BOXES.astype(np.float64), BOX_IND, (3, 2)), small)


def test_crop_and_resize_errors(graph):
    image = np.zeros((2, 4, 4, 1), np.float32)
    for call, message in [
        (lambda: tf.image.crop_and_resize(image[0], BOXES, BOX_IND, [2, 2]), "Shape must be rank 4 but is rank 3"),
        (lambda: tf.image.crop_and_resize(image, BOXES[:, :3], BOX_IND, [2, 2]), "Dimension must be 4 but is 3"),
        (lambda: tf.image.crop_and_resize(image, BOXES, BOX_IND[:2], [2, 2]), "Dimensions must be equal"),
        (lambda: tf.image.crop_and_resize(image, BOXES, BOX_IND, [2, 2], method="cubic"),
         "not in the list of allowed values"),
        (lambda: tf.image.crop_and_resize(image, BOXES, BOX_IND, [2, 2, 2]), "'size' must be a 1-D Tensor of 2"),
    ]:
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(errors.InvalidArgumentError, match=r"box_ind has values outside \[0, batch_size\)"):
        run(tf.image.crop_and_resize(image, BOXES, BOX_IND + 1, [2, 2]))


# ============================================================================== draw_bounding_boxes

def test_draw_bounding_boxes(graph):
    images = np.zeros((2, 5, 6, 3), np.float32)
    boxes = np.array([[[0, 0, 1, 1], [0.25, 0.2, 0.75, 0.6]],
                      [[0.5, 0.4, 1.5, 2.0], [0.8, 0.5, 0.2, 0.9]]], np.float32)   # past the edge; inverted
    drawn, coloured, gray = run([
        tf.image.draw_bounding_boxes(images, boxes),
        tf.image.draw_bounding_boxes(images, boxes, colors=np.array([[0.2, 0.4, 0.6, 1]], np.float32)),
        tf.image.draw_bounding_boxes(np.zeros((1, 3, 3, 1), np.float32), boxes[:1, :1])])
    yellow, blue = np.array([1, 1, 0]), np.array([0, 0, 1])
    expected = np.zeros_like(images)
    expected[0, [0, 4], :] = expected[0, :, [0, 5]] = yellow     # the whole image's frame
    expected[0, [1, 3], 1:4] = expected[0, 1:4, [1, 3]] = blue   # rows 1..3 (int(0.75 * 4)), columns 1..3
    expected[1, 2, 2:] = expected[1, 2:, 2] = yellow             # only its top and left sides are inside
    np.testing.assert_array_equal(drawn, expected)
    np.testing.assert_array_equal(coloured[expected.any(-1)], np.tile([0.2, 0.4, 0.6], (int(expected.any(-1).sum()),
                                                                                       1)).astype(np.float32))
    np.testing.assert_array_equal(gray[0, :, :, 0], [[1, 1, 1], [1, 0, 1], [1, 1, 1]])   # white on gray images
    with pytest.raises(ValueError, match="Shape must be rank 3 but is rank 2"):
        tf.image.draw_bounding_boxes(images, boxes[0])
    with pytest.raises(TypeError, match="DataType uint8 not in list of allowed values"):
        tf.image.draw_bounding_boxes(images.astype(np.uint8), boxes)
    with pytest.raises(errors.InvalidArgumentError, match="Channel depth should be either 1"):
        run(tf.image.draw_bounding_boxes(images[..., :2], boxes))
