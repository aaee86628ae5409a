"""``tf.contrib.image``: rotations against numpy's exact ones, translations, a projective transform against a numpy
loop of the documented formula (both interpolations), composition, dtypes, gradients and errors."""
import math

import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

image = tf.contrib.image
RNG = np.random.default_rng(2)


def np_transform(img, t, interpolation):
    """A numpy loop over the output pixels of an (H, W) image: the formula of contrib_image.py's docstring."""
    a0, a1, a2, b0, b1, b2, c0, c1 = t
    h, w = img.shape

    def read(r, c):
        return img[r, c] if 0 <= r < h and 0 <= c < w else 0.0
    out = np.zeros_like(img, dtype=float)
    for y in range(h):
        for x in range(w):
            k = c0 * x + c1 * y + 1
            xi, yi = (a0 * x + a1 * y + a2) / k, (b0 * x + b1 * y + b2) / k
            if interpolation == "NEAREST":
                out[y, x] = read(int(math.copysign(math.floor(abs(yi) + 0.5), yi)),
                                 int(math.copysign(math.floor(abs(xi) + 0.5), xi)))
            else:
                x0, y0 = math.floor(xi), math.floor(yi)
                fx, fy = xi - x0, yi - y0
                out[y, x] = ((1 - fy) * ((1 - fx) * read(y0, x0) + fx * read(y0, x0 + 1))
                             + fy * ((1 - fx) * read(y0 + 1, x0) + fx * read(y0 + 1, x0 + 1)))
    return out


def test_quarter_and_half_turns_are_numpys_exact_rotations():
    img = RNG.standard_normal((5, 5))
    np.testing.assert_array_equal(run(image.rotate(img, math.pi / 2)), np.rot90(img))
    np.testing.assert_array_equal(run(image.rotate(img, -math.pi / 2)), np.rot90(img, -1))
    batch = np.stack([img, 2 * img])[..., None]                    # (N, H, W, C), an angle per image
    turned = run(image.rotate(batch, [0.0, math.pi]))
    np.testing.assert_array_equal(turned[0, ..., 0], img)
    np.testing.assert_array_equal(turned[1, ..., 0], 2 * img[::-1, ::-1])
    np.testing.assert_array_equal(run(image.rotate(img[..., None].repeat(3, 2), math.pi)), img[::-1, ::-1, None]
                                  .repeat(3, 2))


def test_translations_bring_in_zeros():
    img = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(run(image.translate(img, [1, 0])), [[0, 0, 1, 2], [0, 4, 5, 6], [0, 8, 9, 10]])
    np.testing.assert_array_equal(run(image.translate(img, [0, -1])), [[4, 5, 6, 7], [8, 9, 10, 11], [0, 0, 0, 0]])
    half = run(image.translate(img, [0.5, 0], interpolation="BILINEAR"))
    np.testing.assert_allclose(half, np.concatenate([img[:, :1] / 2, (img[:, :-1] + img[:, 1:]) / 2], 1))


@pytest.mark.parametrize("interpolation", ["NEAREST", "BILINEAR"])
def test_a_projective_transform_follows_the_formula(interpolation):
    img = RNG.standard_normal((6, 7))
    t = [0.9, 0.2, 0.7, -0.15, 1.1, -0.4, 0.02, -0.03]
    as_tf_holds_them = np.float32(t).astype(float)                # TF's transforms are float32
    np.testing.assert_allclose(run(image.transform(img, t, interpolation)),
                               np_transform(img, as_tf_holds_them, interpolation), rtol=1e-12, atol=1e-12)
    wide = run(image.transform(img, t, interpolation, output_shape=[4, 9]))
    assert wide.shape == (4, 9)


def test_integer_images_keep_their_dtype():
    labels = RNG.integers(0, 255, (4, 6)).astype(np.uint8)
    turned = run(image.rotate(labels, math.pi))
    assert turned.dtype == np.uint8
    np.testing.assert_array_equal(turned, labels[::-1, ::-1])


def test_composition_applies_the_transforms_in_turn():
    img = RNG.standard_normal((5, 6))
    right, down = [1, 0, -1, 0, 1, 0, 0, 0], [1, 0, 0, 0, 1, -2, 0, 0]
    both = run(image.transform(img, image.compose_transforms(right, down)))
    np.testing.assert_array_equal(both, run(image.transform(run(image.transform(img, right)), down)))
    matrices = image.flat_transforms_to_matrices([[2, 0, 1, 0, 2, 3, 0, 0]])
    np.testing.assert_array_equal(run(matrices), [[[2, 0, 1], [0, 2, 3], [0, 0, 1]]])
    np.testing.assert_array_equal(run(image.matrices_to_flat_transforms(matrices * 2.0)), [[2, 0, 1, 0, 2, 3, 0, 0]])


def test_the_gradient_reaches_the_images_but_not_the_transforms():
    t = [0.9, 0.2, 0.7, -0.15, 1.1, -0.4, 0.0, 0.0]
    check_gradients(lambda img: image.transform(img, t, "BILINEAR"), RNG.standard_normal((1, 4, 5, 2)))
    transforms = tf.constant(t, tf.float64)
    out = image.transform(tf.constant(RNG.standard_normal((4, 5))), transforms, "BILINEAR")
    assert tf.gradients(tf.reduce_sum(out), [transforms]) == [None]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="interpolation must be 'NEAREST' or 'BILINEAR'"):
        image.transform(np.zeros((3, 3)), [1, 0, 0, 0, 1, 0, 0, 0], "BICUBIC")
    with pytest.raises(ValueError, match="rank 2, 3 or 4"):
        image.rotate(np.zeros((1, 2, 3, 3, 1)), 0.5)
    with pytest.raises(ValueError, match=r"transforms must be \(8,\) or \(batch, 8\)"):
        image.transform(np.zeros((3, 3)), [1, 0, 0, 0, 1, 0, 0])
    with pytest.raises(ValueError, match="height and width of .* must be known"):
        image.rotate(tf.placeholder(tf.float32, [None, None, 3]), 0.5)
