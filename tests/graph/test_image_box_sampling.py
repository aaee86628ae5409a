"""tf.image.sample_distorted_bounding_box (minidl/graph/image_box_sampling.py): constraints over many draws, seeds,
the whole-image fallback and bad arguments."""
import numpy as np
import pytest

import minidl.graph as tf


def _draws(outputs, count, feed=None):
    with tf.Session() as sess:
        return [sess.run(outputs, feed) for _ in range(count)]


def _covered(begin, size, box, height, width):
    """The fraction of the pixel box (normalized corners times the image size, truncated) inside the crop."""
    scaled = np.float32(box) * np.float32([height, width, height, width])  # float32, as the op
    y_min, x_min, y_max, x_max = scaled.astype(int).tolist()
    rows = max(0, min(begin[0] + size[0], y_max) - max(begin[0], y_min))
    cols = max(0, min(begin[1] + size[1], x_max) - max(begin[1], x_min))
    return rows * cols / ((y_max - y_min) * (x_max - x_min))


def test_every_draw_meets_the_constraints():
    height, width = 120, 90
    box = [0.2, 0.3, 0.7, 0.9]
    begin, size, bboxes = tf.image.sample_distorted_bounding_box(
        [height, width, 3], [[box]], seed=7, min_object_covered=0.5, aspect_ratio_range=[0.5, 2.0],
        area_range=[0.1, 0.8])
    assert begin.dtype == tf.int32 and size.shape.as_list() == [3] and bboxes.shape.as_list() == [1, 1, 4]
    crops = set()
    for b, s, drawn in _draws([begin, size, bboxes], 300):
        assert b[2] == 0 and s[2] == -1
        assert 0 <= b[0] and b[0] + s[0] <= height and 0 <= b[1] and b[1] + s[1] <= width
        area = s[0] * s[1] / (height * width)
        assert 0.1 <= area <= 0.8 or (tuple(s[:2]) == (height, width))
        assert _covered(b, s, box, height, width) >= 0.5
        # the aspect ratio was drawn in the range and rounding the width moves it by at most half a pixel
        assert 0.5 - 0.5 / s[0] <= s[1] / s[0] <= 2.0 + 0.5 / s[0]
        np.testing.assert_allclose(drawn[0, 0], [b[0] / height, b[1] / width, (b[0] + s[0]) / height,
                                                 (b[1] + s[1]) / width], rtol=1e-6)
        crops.add((tuple(b), tuple(s)))
    assert len(crops) > 100  # it does draw


def test_seeds_replay_the_same_crops_in_a_new_session_and_no_seed_does_not():
    def crops(**seeds):
        graph = tf.Graph()
        with graph.as_default():
            out = tf.image.sample_distorted_bounding_box([50, 60, 1], tf.zeros([1, 0, 4]), area_range=[0.05, 0.5],
                                                         use_image_if_no_bounding_boxes=True, **seeds)
            with tf.Session(graph=graph) as sess:
                return [np.concatenate(sess.run(out[:2])).tolist() for _ in range(5)]
    assert crops(seed=3) == crops(seed=3) and crops(seed2=5) == crops(seed2=5)
    assert crops(seed=3) != crops(seed=4) and crops(seed=3, seed2=1) != crops(seed=3, seed2=2)
    assert crops() != crops()


def test_falls_back_to_the_whole_image_when_no_crop_satisfies():
    # a crop of at most 10% of the image cannot cover 90% of a box that fills the image
    begin, size, bboxes = tf.image.sample_distorted_bounding_box(
        tf.constant([40, 30, 3], tf.int64), [[[0.0, 0.0, 1.0, 1.0]]], seed=1, min_object_covered=0.9,
        area_range=[0.05, 0.1], max_attempts=20)
    for b, s, box in _draws([begin, size, bboxes], 5):
        assert b.tolist() == [0, 0, 0] and s.tolist() == [40, 30, -1] and b.dtype == np.int64
        assert box.tolist() == [[[0.0, 0.0, 1.0, 1.0]]]


def test_any_box_may_be_the_covered_one():
    # two small boxes in opposite corners: each crop covers (nearly) all of one of them. (Not at the bottom right
    # edge: as in TF, an offset is drawn in [0, image - crop), so only the whole image reaches the last row.)
    boxes = [[[0.0, 0.0, 0.2, 0.2], [0.75, 0.75, 0.95, 0.95]]]
    begin, size, _ = tf.image.sample_distorted_bounding_box([100, 100, 3], boxes, seed=2, min_object_covered=0.95,
                                                            area_range=[0.05, 0.3])
    corners = set()
    for b, s in _draws([begin, size], 100):
        cover = [_covered(b, s, box, 100, 100) for box in boxes[0]]
        assert max(cover) >= 0.95 or tuple(s[:2]) == (100, 100)
        corners.add(int(np.argmax(cover)))
    assert corners == {0, 1}


def test_begin_and_size_slice_the_image():
    image = np.arange(20 * 16 * 2, dtype=np.float32).reshape(20, 16, 2)
    begin, size, _ = tf.image.sample_distorted_bounding_box(tf.shape(image), [[[0.1, 0.1, 0.9, 0.9]]], seed=9)
    crop = tf.slice(image, begin, size)
    with tf.Session() as sess:
        b, s, c = sess.run([begin, size, crop])
    np.testing.assert_array_equal(c, image[b[0]:b[0] + s[0], b[1]:b[1] + s[1]])


def test_bad_arguments():
    with pytest.raises(tf.errors.InvalidArgumentError, match="use_image_if_no_bounding_boxes=True"):
        _draws(tf.image.sample_distorted_bounding_box([10, 10, 3], tf.zeros([1, 0, 4]), seed=1), 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"coordinates must be in \[0.0, 1.0\]"):
        _draws(tf.image.sample_distorted_bounding_box([10, 10, 3], [[[0.0, 0.0, 1.5, 1.0]]], seed=1), 1)
    size = tf.placeholder(tf.int32, [3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="height and width must be positive"):
        _draws(tf.image.sample_distorted_bounding_box(size, [[[0.0, 0.0, 1.0, 1.0]]], seed=1), 1, {size: [0, 4, 3]})
    with pytest.raises(ValueError, match="image_size must hold 3 values"):
        tf.image.sample_distorted_bounding_box([10, 10], [[[0.0, 0.0, 1.0, 1.0]]])
    with pytest.raises(ValueError, match="Dimension must be 4"):
        tf.image.sample_distorted_bounding_box([10, 10, 3], [[[0.0, 0.0, 1.0]]])
    with pytest.raises(ValueError, match="area_range .* is not a valid range"):
        tf.image.sample_distorted_bounding_box([10, 10, 3], [[[0.0, 0.0, 1.0, 1.0]]], area_range=[0.5, 1.5])
    with pytest.raises(ValueError, match="aspect_ratio_range must be 2 numbers"):
        tf.image.sample_distorted_bounding_box([10, 10, 3], [[[0.0, 0.0, 1.0, 1.0]]], aspect_ratio_range=[1.0])
    with pytest.raises(ValueError, match="max_attempts must be a positive int"):
        tf.image.sample_distorted_bounding_box([10, 10, 3], [[[0.0, 0.0, 1.0, 1.0]]], max_attempts=0)
    with pytest.raises(TypeError, match="DataType float32 not in list"):
        tf.image.sample_distorted_bounding_box(tf.constant([10.0, 10.0, 3.0]), [[[0.0, 0.0, 1.0, 1.0]]])
