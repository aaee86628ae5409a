"""tf.image and tf.random_crop: values against numpy references written here (and, where TF's resize rules
coincide with PyTorch's, against torch.nn.functional.interpolate), gradients against float64 central differences,
seeds, per-image randomness in a batch, static shapes and TF's errors."""
import math

import numpy as np
import pytest

import minidl.graph as tf
from minidl.graph import errors

from .helpers import run
from .numeric_gradients import check_gradients

rng = np.random.default_rng(0)
IMAGES = rng.random((2, 5, 7, 3))  # a batch of two 5x7 RGB images, float64 in [0, 1)
F32 = np.float32


# ================================================================================ numpy references

def _source(i, in_size, out_size, align_corners, half_pixel):
    """TF's source coordinate of output position i, in float32 as its kernels compute it."""
    if align_corners and out_size > 1:
        scale = F32(in_size - 1) / F32(out_size - 1)
    else:
        scale = F32(in_size) / F32(out_size)
    return (F32(i) + F32(0.5)) * scale - F32(0.5) if half_pixel else F32(i) * scale


def ref_bilinear(images, height, width, align_corners=False, half_pixel=False):
    """TF's bilinear kernel, pixel by pixel: lerp the top and bottom rows, then between them."""
    n, in_h, in_w, c = images.shape
    out = np.zeros((n, height, width, c))
    for y in range(height):
        sy = _source(y, in_h, height, align_corners, half_pixel)
        top, bottom, ly = max(math.floor(sy), 0), min(math.ceil(sy), in_h - 1), sy - math.floor(sy)
        for x in range(width):
            sx = _source(x, in_w, width, align_corners, half_pixel)
            left, right, lx = max(math.floor(sx), 0), min(math.ceil(sx), in_w - 1), sx - math.floor(sx)
            upper = images[:, top, left] + (images[:, top, right] - images[:, top, left]) * lx
            lower = images[:, bottom, left] + (images[:, bottom, right] - images[:, bottom, left]) * lx
            out[:, y, x] = upper + (lower - upper) * ly
    return out


def ref_nearest(images, height, width, align_corners=False, half_pixel=False):
    def pick(i, in_size, out_size):
        if half_pixel:  # TF's centred nearest: floor((i + 1/2) * scale)
            s = (F32(i) + F32(0.5)) * (F32(in_size) / F32(out_size))
        else:
            s = _source(i, in_size, out_size, align_corners, False)
        j = math.floor(s + 0.5) if align_corners else math.floor(s)  # roundf: halves away from zero
        return min(max(j, 0), in_size - 1)
    rows = [pick(y, images.shape[1], height) for y in range(height)]
    cols = [pick(x, images.shape[2], width) for x in range(width)]
    return images[:, rows][:, :, cols]


def ref_area(images, height, width):
    """The mean of each output pixel's box [y·s, (y+1)·s) × [x·t, (x+1)·t), partly covered pixels in proportion."""
    n, in_h, in_w, c = images.shape
    sy, sx = in_h / height, in_w / width
    out = np.zeros((n, height, width, c))
    for y in range(height):
        for x in range(width):
            for i in range(in_h):
                for j in range(in_w):
                    cover = (max(0, min(i + 1, (y + 1) * sy) - max(i, y * sy))
                             * max(0, min(j + 1, (x + 1) * sx) - max(j, x * sx)))
                    out[:, y, x] += cover * images[:, i, j]
            out[:, y, x] /= sy * sx
    return out


def _keys(d, a):
    d = abs(d)
    return ((a + 2) * d - (a + 3)) * d * d + 1 if d <= 1 else ((a * d - 5 * a) * d + 8 * a) * d - 4 * a if d < 2 else 0


def ref_bicubic(images, height, width, align_corners=False, half_pixel=False):
    """TF's bicubic: Keys' kernel (a = -0.75; -0.5 with half-pixel centres) at a fraction rounded to 1/1024."""
    def taps(i, in_size, out_size):
        s = _source(i, in_size, out_size, align_corners, half_pixel)
        base = math.floor(s)
        t = round(float(s - base) * 1024) / 1024
        cells = [base - 1, base, base + 1, base + 2]
        weights = [_keys(k - 1 - t, -0.5 if half_pixel else -0.75) for k in range(4)]
        if half_pixel:  # cells outside the image get no weight; the rest are rescaled to sum to 1
            weights = [w if 0 <= p < in_size else 0 for w, p in zip(weights, cells)]
            weights = [w / sum(weights) for w in weights]
        return [min(max(p, 0), in_size - 1) for p in cells], weights
    out = np.zeros((images.shape[0], height, width, images.shape[3]))
    for y in range(height):
        rows, wy = taps(y, images.shape[1], height)
        for x in range(width):
            cols, wx = taps(x, images.shape[2], width)
            out[:, y, x] = sum(wy[a] * wx[b] * images[:, rows[a], cols[b]] for a in range(4) for b in range(4))
    return out


def torch_resize(images, height, width, **kwargs):
    """PyTorch's interpolate on the channels-first layout of ``images``."""
    torch = pytest.importorskip("torch")
    x = torch.tensor(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    return torch.nn.functional.interpolate(x, size=(height, width), **kwargs).numpy().transpose(0, 2, 3, 1)


def numeric_gradient(reference, x, weights, eps=1e-6):
    """Central differences, in float64, of ``sum(reference(x) * weights)``."""
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = ((reference(plus) * weights).sum() - (reference(minus) * weights).sum()) / (2 * eps)
    return grad


def check_float32_gradient(fn, reference, x, rtol=1e-4, atol=1e-5):
    """For functions that compute in float32 whatever the input: ``tf.gradients`` of a weighted sum of
    ``fn(x)`` (x fed as float64) against float64 central differences of the numpy ``reference``."""
    image = tf.placeholder(tf.float64, x.shape)
    y = fn(image)
    weights = rng.standard_normal(y.shape.as_list()).astype(np.float32)
    grad = run(tf.gradients(tf.reduce_sum(y * weights), image)[0], {image: x})
    np.testing.assert_allclose(grad, numeric_gradient(reference, x, weights), rtol=rtol, atol=atol)


# ========================================================================================== resizing

def test_legacy_corner_and_half_pixel_rules_on_a_row(graph):
    row = np.array([0.0, 1.0]).reshape(1, 1, 2, 1)  # one image, one row of two pixels
    legacy = tf.image.resize_bilinear(row, [1, 4])
    aligned = tf.image.resize_bilinear(row, [1, 4], align_corners=True)
    centred = tf.image.resize_bilinear(row, [1, 4], half_pixel_centers=True)
    values = [v.reshape(-1) for v in run([legacy, aligned, centred])]
    np.testing.assert_allclose(values[0], [0, 0.5, 1, 1])          # src = i * 2/4: the image shifts
    np.testing.assert_allclose(values[1], [0, 1 / 3, 2 / 3, 1], rtol=1e-6)
    np.testing.assert_allclose(values[2], [0, 0.25, 0.75, 1])      # src = (i + 1/2) * 2/4 - 1/2


@pytest.mark.parametrize("size", [(8, 11), (3, 4), (5, 3)])
@pytest.mark.parametrize("corners", [{}, {"align_corners": True}, {"half_pixel_centers": True}])
def test_bilinear_and_nearest_match_the_references(graph, size, corners):
    half = corners.get("half_pixel_centers", False)
    align = corners.get("align_corners", False)
    bilinear, nearest = run([tf.image.resize_bilinear(IMAGES, size, **corners),
                             tf.image.resize_nearest_neighbor(IMAGES, size, **corners)])
    assert bilinear.dtype == np.float32 and nearest.dtype == np.float64   # nearest keeps the dtype
    np.testing.assert_allclose(bilinear, ref_bilinear(IMAGES, *size, align, half), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(nearest, ref_nearest(IMAGES, *size, align, half))


@pytest.mark.parametrize("size", [(8, 11), (3, 4)])
@pytest.mark.parametrize("corners", [{}, {"align_corners": True}, {"half_pixel_centers": True}])
def test_bicubic_matches_the_reference(graph, size, corners):
    out = run(tf.image.resize_bicubic(IMAGES, size, **corners))
    np.testing.assert_allclose(out, ref_bicubic(IMAGES, *size, corners.get("align_corners", False),
                                                corners.get("half_pixel_centers", False)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("size", [(2, 3), (3, 7), (7, 9), (1, 1)])
def test_area_averages_the_covered_box(graph, size):
    out = run(tf.image.resize_area(IMAGES, size))
    np.testing.assert_allclose(out, ref_area(IMAGES, *size), rtol=1e-5, atol=1e-6)


def test_resize_agrees_with_pytorch_where_the_rules_coincide(graph):
    pytest.importorskip("torch")
    x = IMAGES.astype(np.float32)
    cases = [  # TF's rule, PyTorch's equivalent
        (tf.image.resize_bilinear(x, [9, 4], half_pixel_centers=True), dict(mode="bilinear", align_corners=False)),
        (tf.image.resize_bilinear(x, [9, 4], align_corners=True), dict(mode="bilinear", align_corners=True)),
        (tf.image.resize_nearest_neighbor(x, [9, 4]), dict(mode="nearest")),
        (tf.image.resize_nearest_neighbor(x, [9, 4], half_pixel_centers=True), dict(mode="nearest-exact")),
    ]
    for ours, theirs in zip(run([c[0] for c in cases]), [c[1] for c in cases]):
        np.testing.assert_allclose(ours, torch_resize(x, 9, 4, **theirs), rtol=1e-5, atol=1e-6)
    square = rng.random((1, 6, 8, 2)).astype(np.float32)   # area shrinking by whole factors is average pooling
    np.testing.assert_allclose(run(tf.image.resize_area(square, [3, 2])), torch_resize(square, 3, 2, mode="area"),
                               rtol=1e-5, atol=1e-6)
    # TF's legacy bicubic with aligned corners is PyTorch's, but for TF's fraction rounded to 1/1024
    np.testing.assert_allclose(run(tf.image.resize_bicubic(x, [9, 4], align_corners=True)),
                               torch_resize(x, 9, 4, mode="bicubic", align_corners=True), atol=2e-3)


def test_resize_images_methods_dtypes_and_ranks(graph):
    uint8 = (IMAGES * 255).astype(np.uint8)
    bilinear = tf.image.resize_images(uint8, [4, 9])
    nearest = tf.image.resize(uint8[0], [4, 9], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
    area = tf.image.resize_images(IMAGES, [2, 3], method=tf.image.ResizeMethod.AREA)
    cubic = tf.image.resize_images(IMAGES, [6, 6], tf.image.ResizeMethod.BICUBIC, align_corners=True)
    assert bilinear.dtype == tf.float32 and bilinear.shape == (2, 4, 9, 3)
    assert nearest.dtype == tf.uint8 and nearest.shape == (4, 9, 3)   # one image stays one image
    values = run([bilinear, nearest, area, cubic])
    np.testing.assert_allclose(values[0], ref_bilinear(uint8.astype(np.float64), 4, 9), rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(values[1], ref_nearest(uint8, 4, 9)[0])
    np.testing.assert_allclose(values[2], ref_area(IMAGES, 2, 3), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(values[3], ref_bicubic(IMAGES, 6, 6, align_corners=True), rtol=1e-5, atol=1e-5)
    same = tf.constant(uint8)
    assert tf.image.resize_images(same, tf.constant([5, 7])) is same   # TF skips a resize to the same size


def test_resize_of_an_image_whose_size_is_known_only_at_run_time(graph):
    images = tf.placeholder(tf.float64, [None, None, None, 3])
    out = tf.image.resize_images(images, [8, 4], align_corners=True)
    assert out.shape.as_list() == [None, 8, 4, 3]
    np.testing.assert_allclose(run(out, {images: IMAGES}), ref_bilinear(IMAGES, 8, 4, align_corners=True),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="needs the size of dim 1"):
        tf.image.resize_area(images, [2, 2])   # the area kernel's tap count depends on the input size


def test_preserve_aspect_ratio_fits_the_largest_image_of_the_same_shape(graph):
    wide = tf.image.resize_images(IMAGES, [10, 10], preserve_aspect_ratio=True)   # 5x7 -> scale 10/7
    assert wide.shape == (2, 7, 10, 3)
    np.testing.assert_allclose(run(wide), ref_bilinear(IMAGES, 7, 10), rtol=1e-5, atol=1e-6)
    assert tf.image.resize_images(IMAGES, [15, 30], preserve_aspect_ratio=True).shape == (2, 15, 21, 3)


def test_resize_errors(graph):
    with pytest.raises(ValueError, match="'images' must have either 3 or 4 dimensions."):
        tf.image.resize_images(np.zeros((4, 4)), [2, 2])
    with pytest.raises(ValueError, match="'images' contains no shape."):
        tf.image.resize_images(tf.placeholder(tf.float32), [2, 2])
    with pytest.raises(ValueError, match="'size' must be a 1-D Tensor of 2 elements: new_height, new_width"):
        tf.image.resize_images(IMAGES, [2, 2, 2])
    with pytest.raises(TypeError, match="Expected int32"):
        tf.image.resize_images(IMAGES, [2.5, 2])
    with pytest.raises(ValueError, match="requested dtype int32 for Tensor with dtype float32"):
        tf.image.resize_images(IMAGES, tf.constant([2.0, 2.0]))
    with pytest.raises(ValueError, match="Resize method is not implemented."):
        tf.image.resize_images(IMAGES, [2, 2], method=7)
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3 for 'ResizeBilinear'"):
        tf.image.resize_bilinear(IMAGES[0], [2, 2])
    with pytest.raises(TypeError, match="DataType bool not in list of allowed values"):
        tf.image.resize_nearest_neighbor(np.zeros((1, 2, 2, 1), bool), [3, 3])
    with pytest.raises(errors.InvalidArgumentError, match="If half_pixel_centers is True, align_corners must be"):
        tf.image.resize_bilinear(IMAGES, [2, 2], align_corners=True, half_pixel_centers=True)
    with pytest.raises(errors.InvalidArgumentError, match="output dimensions must be positive"):
        tf.image.resize_images(IMAGES, [0, 2])


@pytest.mark.parametrize("resize, reference", [
    (lambda x: tf.image.resize_bilinear(x, [4, 3]), lambda a: ref_bilinear(a, 4, 3)),
    (lambda x: tf.image.resize_bilinear(x, [7, 6], half_pixel_centers=True),
     lambda a: ref_bilinear(a, 7, 6, half_pixel=True)),
    (lambda x: tf.image.resize_nearest_neighbor(tf.cast(x, tf.float32), [4, 6], align_corners=True),
     lambda a: ref_nearest(a, 4, 6, align_corners=True)),
    (lambda x: tf.image.resize_bicubic(x, [5, 4]), lambda a: ref_bicubic(a, 5, 4)),
    (lambda x: tf.image.resize_area(x, [2, 3]), lambda a: ref_area(a, 2, 3)),
])
def test_resize_gradients(graph, resize, reference):
    check_float32_gradient(resize, reference, IMAGES[:1, :4, :5, :2])


# ============================================================================ flips, transposes, turns

@pytest.mark.parametrize("batch", [False, True])
def test_flips_transposes_and_quarter_turns(graph, batch):
    x = IMAGES if batch else IMAGES[0]
    axes = (1, 2) if batch else (0, 1)
    fns = {"flip_left_right": (tf.image.flip_left_right, lambda a: np.flip(a, axes[1])),
           "flip_up_down": (tf.image.flip_up_down, lambda a: np.flip(a, axes[0])),
           "transpose_image": (tf.image.transpose_image, lambda a: np.swapaxes(a, *axes)),
           "transpose": (tf.image.transpose, lambda a: np.swapaxes(a, *axes))}
    for k in range(-1, 5):
        fns[f"rot90_{k}"] = (lambda t, k=k: tf.image.rot90(t, k), lambda a, k=k: np.rot90(a, k, axes))
    outs = {name: fn(tf.constant(x)) for name, (fn, _) in fns.items()}
    values = run(outs)
    for name, (_, reference) in fns.items():
        np.testing.assert_array_equal(values[name], reference(x), err_msg=name)
        assert outs[name].shape == reference(x).shape
    check_gradients(lambda t: tf.image.rot90(tf.image.flip_up_down(t), 3), x[..., :3, :4, :1])


def test_geometry_errors(graph):
    with pytest.raises(ValueError, match="'image' must have either 3 or 4 dimensions."):
        tf.image.flip_left_right(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"all dims of 'image.shape' must be > 0."):
        tf.image.flip_up_down(np.zeros((0, 2, 3)))
    with pytest.raises(TypeError, match="k must be an integer"):
        tf.image.rot90(IMAGES, 1.5)


# ===================================================================================== random flips

def test_random_flips_flip_each_image_of_a_batch_on_its_own_draw(graph):
    images = rng.random((64, 2, 3, 1))
    lr, ud = tf.image.random_flip_left_right(images, seed=1), tf.image.random_flip_up_down(images, seed=2)
    assert lr.shape == images.shape
    for out, axis in zip(run([lr, ud]), (2, 1)):
        flipped = [np.array_equal(o, np.flip(i, axis - 1)) for o, i in zip(out, images)]
        kept = [np.array_equal(o, i) for o, i in zip(out, images)]
        assert all(f or k for f, k in zip(flipped, kept))
        assert 16 < sum(flipped) < 48   # about half of them, chosen per image


def test_random_flip_of_one_image_and_of_a_batch_of_unknown_size(graph):
    image = tf.constant(IMAGES[0])
    flip = tf.image.random_flip_left_right(image, seed=3)
    with tf.Session() as sess:
        outcomes = {np.array_equal(sess.run(flip), np.flip(IMAGES[0], 1)) for _ in range(20)}
    assert outcomes == {True, False}
    batch = tf.placeholder(tf.float64, [None, 5, 7, 3])
    assert run(tf.image.random_flip_up_down(batch), {batch: IMAGES}).shape == IMAGES.shape


def test_random_flips_follow_the_seeds(graph):
    images = rng.random((32, 2, 2, 1))

    def build(seed):
        with tf.Graph().as_default() as g:
            tf.set_random_seed(seed)
            flips = tf.image.random_flip_left_right(images)
            with tf.Session(graph=g) as sess:
                return sess.run(flips), sess.run(flips)
    first, again, other = build(7), build(7), build(8)
    np.testing.assert_array_equal(first[0], again[0])   # a graph seed replays the draws in a new graph
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], first[1])       # each run draws again
    assert not np.array_equal(first[0], other[0])


def test_random_flip_gradient_follows_the_drawn_flip(graph):
    images = tf.constant(rng.random((16, 2, 3, 1)))
    weights = rng.standard_normal((16, 2, 3, 1))
    out = tf.image.random_flip_left_right(images, seed=4)
    grad = tf.gradients(tf.reduce_sum(out * weights), images)[0]
    value, g = run([out, grad])
    for o, i, w, gi in zip(value, run(images), weights, g):
        np.testing.assert_array_equal(gi, np.flip(w, 1) if np.array_equal(o, np.flip(i, 1)) else w)


# ============================================================================================= crops

def test_crops_and_pads_match_slicing(graph):
    x = IMAGES
    padded = np.zeros((2, 9, 10, 3))
    padded[:, 1:6, 2:9] = x
    cases = [
        (tf.image.crop_to_bounding_box(x, 1, 2, 3, 4), x[:, 1:4, 2:6]),
        (tf.image.crop_to_bounding_box(x[0], 0, 0, 5, 7), x[0]),
        (tf.image.pad_to_bounding_box(x, 1, 2, 9, 10), padded),
        (tf.image.resize_image_with_crop_or_pad(x, 3, 4), x[:, 1:4, 1:5]),   # centred crop
        (tf.image.resize_image_with_crop_or_pad(x, 8, 10), np.pad(x, [(0, 0), (1, 2), (1, 2), (0, 0)])),
        (tf.image.resize_with_crop_or_pad(x[1], 2, 9), np.pad(x[1, 1:3], [(0, 0), (1, 1), (0, 0)])),
        (tf.image.central_crop(x, 0.5), x[:, 1:4, 1:6]),   # int((5 - 2.5) / 2) = 1 and int((7 - 3.5) / 2) = 1
        (tf.image.central_crop(x[0], 0.3), x[0, 1:4, 2:5]),
        (tf.image.central_crop(x, 1.0), x),
    ]
    values = run([c[0] for c in cases])
    for i, ((tensor, expected), value) in enumerate(zip(cases, values)):
        np.testing.assert_array_equal(value, expected, err_msg=f"case {i}")
        assert tensor.shape == expected.shape


def test_crops_and_pads_of_images_of_unknown_size(graph):
    images = tf.placeholder(tf.float64, [None, None, None, 3])
    offset = tf.placeholder(tf.int32, [])
    cases = [
        (tf.image.crop_to_bounding_box(images, 1, offset, 3, 4), IMAGES[:, 1:4, 2:6], [None, 3, 4, 3]),
        (tf.image.pad_to_bounding_box(images, offset, 1, 9, 10),
         np.pad(IMAGES, [(0, 0), (2, 2), (1, 2), (0, 0)]), [None, 9, 10, 3]),
        (tf.image.resize_image_with_crop_or_pad(images, 8, 4), np.pad(IMAGES, [(0, 0), (1, 2), (0, 0), (0, 0)])[
            :, :, 1:5], [None, 8, 4, 3]),
        (tf.image.central_crop(images, 0.5), IMAGES[:, 1:4, 1:6], [None, None, None, 3]),
    ]
    values = run([c[0] for c in cases], {images: IMAGES, offset: 2})
    for (tensor, expected, static), value in zip(cases, values):
        np.testing.assert_array_equal(value, expected)
        assert tensor.shape.as_list() == static
    with pytest.raises(errors.InvalidArgumentError, match="width must be >= target \\+ offset."):
        run(cases[0][0], {images: IMAGES, offset: 4})
    with pytest.raises(errors.InvalidArgumentError, match="offset_height must be >= 0"):
        run(cases[1][0], {images: IMAGES, offset: -1})


def test_crop_and_pad_errors_known_when_the_graph_is_built(graph):
    for call, message in [
        (lambda: tf.image.crop_to_bounding_box(IMAGES, -1, 0, 2, 2), "offset_height must be >= 0."),
        (lambda: tf.image.crop_to_bounding_box(IMAGES, 0, 0, 2, 0), "target_width must be > 0."),
        (lambda: tf.image.crop_to_bounding_box(IMAGES, 4, 0, 2, 2), "height must be >= target \\+ offset."),
        (lambda: tf.image.pad_to_bounding_box(IMAGES, 0, 1, 5, 7), "width must be <= target - offset"),
        (lambda: tf.image.pad_to_bounding_box(IMAGES, 0, -1, 9, 9), "offset_width must be >= 0"),
        (lambda: tf.image.resize_image_with_crop_or_pad(IMAGES, 0, 3), "target_height must be > 0."),
        (lambda: tf.image.central_crop(IMAGES, 1.5), r"central_fraction must be within \(0, 1\]"),
        (lambda: tf.image.central_crop(IMAGES, 0.0), r"central_fraction must be within \(0, 1\]"),
        (lambda: tf.image.crop_to_bounding_box(IMAGES[0, 0], 0, 0, 1, 1), "must have either 3 or 4 dimensions"),
    ]:
        with pytest.raises(ValueError, match=message):
            call()


def test_crop_and_pad_gradients(graph):
    x = IMAGES[:, :4, :5, :1]
    check_gradients(lambda t: tf.image.resize_image_with_crop_or_pad(t, 3, 7), x)
    check_gradients(lambda t: tf.image.central_crop(tf.image.pad_to_bounding_box(t, 1, 0, 6, 6), 0.6), x)
    offset = tf.constant(1)   # a crop gathered at run time
    check_gradients(lambda t: tf.image.crop_to_bounding_box(t, offset, 2, 2, 2), x)


# ======================================================================================= random_crop

def test_random_crop_takes_a_window_at_a_random_offset(graph):
    value = np.arange(6 * 8 * 2, dtype=np.float32).reshape(6, 8, 2)
    crop = tf.random_crop(value, [3, 4, 2], seed=1)
    assert crop.shape == (3, 4, 2) and tf.image.random_crop is tf.random_crop
    offsets = set()
    with tf.Session() as sess:
        for _ in range(30):
            out = sess.run(crop)
            top, left = int(out[0, 0, 0]) // 16, int(out[0, 0, 0]) % 16 // 2
            np.testing.assert_array_equal(out, value[top:top + 3, left:left + 4])
            offsets.add((top, left))
    assert len(offsets) > 5 and all(0 <= t <= 3 and 0 <= left <= 4 for t, left in offsets)


def test_random_crop_follows_the_seeds_and_has_a_gradient(graph):
    value = tf.constant(rng.random((5, 6)))
    crops = [tf.random_crop(value, [2, 3], seed=5) for _ in range(2)]
    first, second = run(crops)
    np.testing.assert_array_equal(first, second)   # the same op seed: the same draws
    grad = tf.gradients(tf.reduce_sum(crops[0]), value)[0]
    crop, g = run([crops[0], grad])
    assert g.sum() == 6 and set(np.unique(g)) == {0.0, 1.0}
    np.testing.assert_array_equal(run(value)[g == 1].reshape(2, 3), crop)   # the gradient marks the window


def test_random_crop_errors(graph):
    with pytest.raises(errors.InvalidArgumentError, match="Need value.shape >= size, got"):
        run(tf.random_crop(np.zeros((3, 4)), [4, 2]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and"):
        tf.random_crop(np.zeros((3, 4)), [2, 2, 1])
    value = tf.placeholder(tf.float32, [None, 4])
    crop = tf.random_crop(value, [2, 4])
    assert crop.shape.as_list() == [2, 4]
    assert run(crop, {value: np.zeros((5, 4))}).shape == (2, 4)


# =================================================================================== pixel values

def test_convert_image_dtype(graph):
    uint8 = np.array([[[0, 1, 128, 255]]], dtype=np.uint8)
    floats = np.array([[[0.0, 0.5, 1.0, 1.2, -0.1]]], dtype=np.float32)
    cases = [
        (tf.image.convert_image_dtype(uint8, tf.float32), uint8.astype(np.float32) * F32(1 / 255)),
        (tf.image.convert_image_dtype(floats[..., :3], tf.uint8), np.array([[[0, 127, 255]]], np.uint8)),
        (tf.image.convert_image_dtype(floats, tf.uint8, saturate=True), np.array([[[0, 127, 255, 255, 0]]], np.uint8)),
        (tf.image.convert_image_dtype(uint8, tf.int16), uint8.astype(np.int16) * 128),
        (tf.image.convert_image_dtype(np.array([[[-32768, 256, 32767]]], np.int16), tf.uint8),
         np.array([[[0, 2, 255]]], np.uint8)),   # floor-divided by 128, then cast (wraps without saturate)
        (tf.image.convert_image_dtype(floats, tf.float64), floats.astype(np.float64)),
        (tf.image.convert_image_dtype(uint8, tf.uint8), uint8),
    ]
    values = run([c[0] for c in cases])
    for i, ((tensor, expected), value) in enumerate(zip(cases, values)):
        assert value.dtype == expected.dtype, f"case {i}"
        np.testing.assert_array_equal(value, expected, err_msg=f"case {i}")
    with pytest.raises(AttributeError, match="dtype must be either floating point or integer"):
        tf.image.convert_image_dtype(uint8, tf.bool)


def test_grayscale(graph):
    weights = np.array([0.2989, 0.5870, 0.1140])
    gray = tf.image.rgb_to_grayscale(IMAGES)
    uint8 = (IMAGES * 255).astype(np.uint8)
    assert gray.shape == (2, 5, 7, 1) and gray.dtype == tf.float64
    values = run([gray, tf.image.rgb_to_grayscale(uint8), tf.image.grayscale_to_rgb(gray)])
    np.testing.assert_allclose(values[0], IMAGES @ weights[:, None], rtol=1e-6)
    expected = (uint8 / 255 @ weights[:, None] * 255.5).astype(np.uint8)
    assert np.abs(values[1].astype(int) - expected).max() <= 1 and values[1].dtype == np.uint8
    np.testing.assert_array_equal(values[2], np.repeat(values[0], 3, axis=-1))
    with pytest.raises(ValueError, match="Last dimension of a grayscale image should be size 1."):
        tf.image.grayscale_to_rgb(IMAGES)
    with pytest.raises(ValueError, match="must be at least two-dimensional"):
        tf.image.grayscale_to_rgb(np.zeros(1))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 4 and 3"):
        tf.image.rgb_to_grayscale(np.zeros((2, 2, 4)))


def test_brightness_and_contrast(graph):
    mean = IMAGES.mean(axis=(1, 2), keepdims=True)
    uint8 = np.array([[[10], [250]]], dtype=np.uint8)
    cases = [
        (tf.image.adjust_brightness(IMAGES.astype(np.float32), 0.25), (IMAGES + 0.25).astype(np.float32), 1e-6),
        (tf.image.adjust_contrast(IMAGES.astype(np.float32), 2.0), ((IMAGES - mean) * 2 + mean).astype(np.float32),
         1e-6),
        (tf.image.adjust_brightness(uint8, 0.1), np.array([[[35], [255]]], np.uint8), 0),   # clipped at 255
        (tf.image.adjust_contrast(uint8, 1.5), np.array([[[0], [255]]], np.uint8), 0),
    ]
    values = run([c[0] for c in cases])
    for (tensor, expected, tol), value in zip(cases, values):
        assert value.dtype == expected.dtype
        np.testing.assert_allclose(value.astype(np.float64), expected, atol=tol)
    with pytest.raises(ValueError, match="Shape must be at least rank 3"):
        tf.image.adjust_contrast(np.zeros((2, 2), np.float32), 2.0)


def test_random_brightness_and_contrast(graph):
    image = IMAGES[0].astype(np.float32)
    brightness = tf.image.random_brightness(image, 0.3, seed=1)
    contrast = tf.image.random_contrast(image, 0.5, 1.5, seed=2)
    with tf.Session() as sess:
        deltas = [float((sess.run(brightness) - image).mean()) for _ in range(20)]
        factors = [float(np.std(sess.run(contrast)) / np.std(image)) for _ in range(20)]
    assert all(-0.3 - 1e-6 <= d <= 0.3 + 1e-6 for d in deltas) and len(set(np.round(deltas, 5))) > 10
    assert all(0.5 - 1e-4 <= f <= 1.5 + 1e-4 for f in factors) and len(set(np.round(factors, 5))) > 10
    again = tf.image.random_brightness(image, 0.3, seed=1)   # the same op seed: the same delta
    first, second = run([brightness, again])
    np.testing.assert_array_equal(first, second)
    with pytest.raises(ValueError, match="max_delta must be non-negative."):
        tf.image.random_brightness(image, -0.1)
    with pytest.raises(ValueError, match="upper must be > lower."):
        tf.image.random_contrast(image, 0.5, 0.5)
    with pytest.raises(ValueError, match="lower must be non-negative."):
        tf.image.random_contrast(image, -0.5, 0.5)


def _standardize(x):
    n = np.prod(x.shape[-3:])
    mean = x.mean(axis=(-1, -2, -3), keepdims=True)
    return (x - mean) / np.maximum(x.std(axis=(-1, -2, -3), keepdims=True), 1 / np.sqrt(n))


def test_per_image_standardization(graph):
    uint8 = (IMAGES * 255).astype(np.uint8)
    flat = np.full((3, 3, 1), 7.0)
    out = tf.image.per_image_standardization(uint8)
    assert out.dtype == tf.float32 and out.shape == uint8.shape
    values = run([out, tf.image.per_image_standardization(flat)])
    np.testing.assert_allclose(values[0], _standardize(uint8.astype(np.float64)), rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(values[1], np.zeros((3, 3, 1)))   # a uniform image: no division by zero
    check_float32_gradient(tf.image.per_image_standardization, _standardize, IMAGES[:, :3, :2, :2], rtol=2e-3,
                           atol=2e-4)
    with pytest.raises(ValueError, match=r"'image' \(shape \(2, 2\)\) must be at least three-dimensional."):
        tf.image.per_image_standardization(np.zeros((2, 2)))


def test_image_gradients_and_total_variation(graph):
    dy, dx = tf.image.image_gradients(IMAGES)
    expected_dy = np.concatenate([np.diff(IMAGES, axis=1), np.zeros((2, 1, 7, 3))], axis=1)
    expected_dx = np.concatenate([np.diff(IMAGES, axis=2), np.zeros((2, 5, 1, 3))], axis=2)
    batch, one = tf.image.total_variation(IMAGES), tf.image.total_variation(IMAGES[0])
    assert batch.shape == (2,) and one.shape == ()
    values = run([dy, dx, batch, one])
    np.testing.assert_allclose(values[0], expected_dy)
    np.testing.assert_allclose(values[1], expected_dx)
    tv = np.abs(np.diff(IMAGES, axis=1)).sum(axis=(1, 2, 3)) + np.abs(np.diff(IMAGES, axis=2)).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(values[2], tv)
    np.testing.assert_allclose(values[3], tv[0])
    check_gradients(lambda t: tf.image.total_variation(t), IMAGES[:, :3, :3, :1])
    with pytest.raises(ValueError, match=r"image_gradients expects a 4D tensor \[batch_size, h, w, d\]"):
        tf.image.image_gradients(IMAGES[0])
    with pytest.raises(ValueError, match="'images' must be either 3 or 4-dimensional."):
        tf.image.total_variation(np.zeros((2, 2)))
