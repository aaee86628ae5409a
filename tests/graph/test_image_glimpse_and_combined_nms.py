"""tf.image.extract_glimpse (minidl/graph/image_glimpse.py) and tf.image.combined_non_max_suppression
(minidl/graph/image_combined_nms.py): values against numpy references, noise, gradients and bad arguments."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run


# ------------------------------------------------------------------------------------------- extract_glimpse

def _glimpse_reference(images, size, offsets, centered, normalized):
    """TF1's kernel, pixel by pixel; NaN marks the positions outside the image (noise there)."""
    batch, height, width, channels = images.shape
    out = np.full((batch, size[0], size[1], channels), np.nan, np.float32)
    for i, (y, x) in enumerate(np.float32(offsets)):
        if normalized:
            y, x = y * height, x * width
        if centered:
            y, x = y / 2 + height / 2, x / 2 + width / 2
        top, left = int(y - size[0] / 2), int(x - size[1] / 2)
        for r, c in np.ndindex(*size):
            if 0 <= top + r < height and 0 <= left + c < width:
                out[i, r, c] = images[i, top + r, left + c]
    return out


@pytest.mark.parametrize("centered,normalized,offsets", [
    (True, True, [[0.0, 0.0], [-0.7, 0.9], [1.0, -1.0]]),
    (False, True, [[0.5, 0.5], [0.05, 0.9], [1.0, 0.0]]),
    (True, False, [[0.0, 0.0], [-2.6, 3.3], [4.0, -5.0]]),
    (False, False, [[1.0, 1.0], [6.4, 2.5], [-1.5, 8.0]]),
])
def test_glimpses_match_tf1s_kernel(centered, normalized, offsets):
    images = np.random.default_rng(0).standard_normal((3, 7, 9, 2)).astype(np.float32)
    glimpse = tf.image.extract_glimpse(images, [4, 5], offsets, centered=centered, normalized=normalized,
                                       uniform_noise=False, noise="zero")
    assert glimpse.shape.as_list() == [3, 4, 5, 2]
    expected = _glimpse_reference(images, (4, 5), offsets, centered, normalized)
    np.testing.assert_array_equal(run(glimpse), np.nan_to_num(expected, nan=0.0))


def test_tf_documented_example():
    x = [[[[0.0], [1.0], [2.0]], [[3.0], [4.0], [5.0]], [[6.0], [7.0], [8.0]]]]
    glimpse = tf.image.extract_glimpse(x, size=(2, 2), offsets=[[1, 1]], centered=False, normalized=False)
    assert run(glimpse)[..., 0].tolist() == [[[0.0, 1.0], [3.0, 4.0]]]


def test_noise_fills_only_the_positions_outside_the_image():
    rng = np.random.default_rng(1)
    images = np.stack([rng.uniform(2.0, 3.0, (6, 6, 2)), rng.normal([10.0, -5.0], [1.0, 0.5], (6, 6, 2))])
    images = images.astype(np.float32)
    offsets = [[-3.0, -3.0], [-3.0, -3.0]]  # 30 x 30 glimpses, mostly outside
    expected = _glimpse_reference(images, (30, 30), offsets, False, False)
    outside = np.isnan(expected)
    uniform = run(tf.image.extract_glimpse(images, [30, 30], offsets, centered=False, normalized=False))
    gaussian = run(tf.image.extract_glimpse(images, [30, 30], offsets, centered=False, normalized=False,
                                            uniform_noise=False))
    for noisy in (uniform, gaussian):
        np.testing.assert_array_equal(noisy[~outside], expected[~outside])
    first = uniform[0][outside[0]]
    assert images[0].min() <= first.min() and first.max() <= images[0].max() and first.std() > 0.2
    for channel, (mean, deviation) in enumerate([(10.0, 1.0), (-5.0, 0.5)]):
        drawn = gaussian[1, ..., channel][outside[1, ..., channel]]
        assert abs(drawn.mean() - images[1, ..., channel].mean()) < 0.1
        assert abs(drawn.std() - images[1, ..., channel].std()) < 0.1 * deviation + 0.05


def test_gradient_scatters_into_the_pixels_the_glimpse_read():
    images = tf.constant(np.random.default_rng(2).standard_normal((2, 5, 6, 1)).astype(np.float32))
    offsets = [[1.2, -0.5], [4.0, 3.0]]
    glimpse = tf.image.extract_glimpse(images, [3, 4], offsets, centered=False, normalized=False)
    weights = np.random.default_rng(3).standard_normal((2, 3, 4, 1)).astype(np.float32)
    grad = run(tf.gradients(tf.reduce_sum(glimpse * weights), images)[0])
    expected = np.zeros((2, 5, 6, 1), np.float32)
    for i, (y, x) in enumerate(offsets):
        top, left = int(y - 1.5), int(x - 2.0)
        for r, c in np.ndindex(3, 4):
            if 0 <= top + r < 5 and 0 <= left + c < 6:
                expected[i, top + r, left + c] += weights[i, r, c]
    np.testing.assert_allclose(grad, expected, rtol=1e-6)


def test_glimpse_of_images_of_unknown_size():
    images = tf.placeholder(tf.float32, [None, None, None, 1])
    glimpse = tf.image.extract_glimpse(images, [2, 3], [[0.25, -0.5]], uniform_noise=False, noise="zero")
    data = np.arange(40, dtype=np.float32).reshape(1, 5, 8, 1)
    expected = np.nan_to_num(_glimpse_reference(data, (2, 3), [[0.25, -0.5]], True, True))
    np.testing.assert_array_equal(run(glimpse, {images: data}), expected)


def test_glimpse_refuses_bad_arguments():
    images = np.zeros((2, 4, 4, 1), np.float32)
    with pytest.raises(ValueError, match="one .* row per image: 1 rows for a batch of 2"):
        tf.image.extract_glimpse(images, [2, 2], [[0.0, 0.0]])
    with pytest.raises(ValueError, match="size must be 2 positive ints"):
        tf.image.extract_glimpse(images, [2, 0], [[0.0, 0.0]] * 2)
    with pytest.raises(ValueError, match="should not be given together"):
        tf.image.extract_glimpse(images, [2, 2], [[0.0, 0.0]] * 2, noise="zero")
    with pytest.raises(ValueError, match="noise must be one of"):
        tf.image.extract_glimpse(images, [2, 2], [[0.0, 0.0]] * 2, uniform_noise=False, noise="salt")
    with pytest.raises(ValueError, match="Shape must be rank 4"):
        tf.image.extract_glimpse(np.zeros((4, 4, 1), np.float32), [2, 2], [[0.0, 0.0]])
    with pytest.raises(TypeError, match="DataType float64 not in list"):
        tf.image.extract_glimpse(tf.constant(images, tf.float64), [2, 2], [[0.0, 0.0]] * 2)


# ----------------------------------------------------------------------------- combined_non_max_suppression

def _iou(a, b):
    low_a, high_a = np.minimum(a[:2], a[2:]), np.maximum(a[:2], a[2:])
    low_b, high_b = np.minimum(b[:2], b[2:]), np.maximum(b[:2], b[2:])
    shared = np.prod(np.clip(np.minimum(high_a, high_b) - np.maximum(low_a, low_b), 0, None))
    union = np.prod(high_a - low_a) + np.prod(high_b - low_b) - shared
    return shared / union if union > 0 else 0.0


def _combined_reference(boxes, scores, per_class, total, iou_threshold, score_threshold, pad_per_class, clip):
    batch, count, classes = scores.shape
    rows = min(per_class * classes, total) if pad_per_class else total
    results = [np.zeros((batch, rows, 4), np.float32), np.zeros((batch, rows), np.float32),
               np.zeros((batch, rows), np.float32), np.zeros(batch, np.int32)]
    for image in range(batch):
        found = []
        for label in range(classes):
            class_boxes = boxes[image, :, label if boxes.shape[2] > 1 else 0]
            kept = []
            for index in sorted(range(count), key=lambda k: -scores[image, k, label]):
                if scores[image, index, label] <= score_threshold or len(kept) == per_class:
                    continue
                if all(_iou(class_boxes[index], class_boxes[k]) <= iou_threshold for k in kept):
                    kept.append(index)
            found += [(scores[image, k, label], label, class_boxes[k]) for k in kept]
        found.sort(key=lambda f: -f[0])
        for row, (score, label, box) in enumerate(found[:rows]):
            results[0][image, row] = np.clip(box, 0, 1) if clip else box
            results[1][image, row], results[2][image, row] = score, label
        results[3][image] = min(len(found), rows)
    return results


@pytest.mark.parametrize("q,pad_per_class,clip", [(1, False, True), (3, True, False), (3, False, True)])
def test_combined_nms_matches_a_per_class_reference(q, pad_per_class, clip):
    rng = np.random.default_rng(4)
    corners = rng.uniform(-0.1, 0.9, (2, 12, q, 2))
    boxes = np.concatenate([corners, corners + rng.uniform(0.05, 0.4, (2, 12, q, 2))], -1).astype(np.float32)
    scores = rng.permutation(np.linspace(0.01, 0.99, 2 * 12 * 3)).reshape(2, 12, 3).astype(np.float32)
    outputs = tf.image.combined_non_max_suppression(boxes, scores, 4, 7, iou_threshold=0.3, score_threshold=0.2,
                                                    pad_per_class=pad_per_class, clip_boxes=clip)
    rows = 7
    assert [o.shape.as_list() for o in outputs] == [[2, rows, 4], [2, rows], [2, rows], [2]]
    assert outputs[3].dtype == tf.int32 and outputs[2].dtype == tf.float32
    for got, expected in zip(run(list(outputs)), _combined_reference(boxes, scores, 4, 7, 0.3, 0.2, pad_per_class,
                                                                     clip)):
        np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_pad_per_class_shrinks_the_padding_and_scores_below_the_threshold_are_dropped():
    boxes = np.array([[[[0, 0, 1, 1]], [[0, 0, 0.9, 1]], [[2, 2, 3, 3]]]], np.float32)  # [1, 3, 1, 4]
    scores = np.array([[[0.9, 0.1], [0.8, 0.05], [0.7, 0.6]]], np.float32)
    boxes_out, scores_out, classes_out, valid = run(list(tf.image.combined_non_max_suppression(
        boxes, scores, 2, 10, iou_threshold=0.5, score_threshold=0.3, pad_per_class=True)))
    assert boxes_out.shape == (1, 4, 4) and valid.tolist() == [3]
    np.testing.assert_allclose(scores_out, [[0.9, 0.7, 0.6, 0.0]])
    assert classes_out.tolist() == [[0.0, 0.0, 1.0, 0.0]]
    # clipped to [0, 1]: the far box becomes the corner point (1, 1)
    np.testing.assert_allclose(boxes_out[0], [[0, 0, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0]])


def test_combined_nms_refuses_bad_arguments():
    boxes, scores = np.zeros((1, 3, 1, 4), np.float32), np.zeros((1, 3, 2), np.float32)
    with pytest.raises(ValueError, match="third dim must be 1 or num_classes"):
        tf.image.combined_non_max_suppression(np.zeros((1, 3, 3, 4), np.float32), scores, 2, 4)
    with pytest.raises(ValueError, match="must agree in dim 1"):
        tf.image.combined_non_max_suppression(np.zeros((1, 4, 1, 4), np.float32), scores, 2, 4)
    with pytest.raises(ValueError, match="Dimension must be 4"):
        tf.image.combined_non_max_suppression(np.zeros((1, 3, 1, 3), np.float32), scores, 2, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"iou_threshold must be in \[0, 1\]"):
        run(tf.image.combined_non_max_suppression(boxes, scores, 2, 4, iou_threshold=1.5)[0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be positive"):
        run(tf.image.combined_non_max_suppression(boxes, scores, 0, 4)[0])
    scores = tf.constant(scores)
    assert tf.gradients(tf.image.combined_non_max_suppression(boxes, scores, 2, 4)[1], scores) == [None]
