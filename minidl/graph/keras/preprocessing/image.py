"""``tf.keras.preprocessing.image``: ``ImageDataGenerator`` — batches of images, each randomly changed a little
(turned, shifted, sheared, zoomed, flipped, its colours shifted) and normalized, to train on more varied data than
the data set holds — as TF 1.15's Keras has it, in numpy::

    datagen = tf.keras.preprocessing.image.ImageDataGenerator(rotation_range=15, width_shift_range=0.1,
                                                              horizontal_flip=True, rescale=1 / 255)
    model.fit_generator(datagen.flow(x_train, y_train, batch_size=32), epochs=10)
    model.fit_generator(datagen.flow_from_directory("data/train", target_size=(64, 64)), epochs=10)

For each sample, ``get_random_transform`` draws the parameters (numpy's global generator), ``apply_transform``
applies them — the affine warp first (``affine_transforms.py``), then the channel shift, the flips, the brightness
— and ``standardize`` normalizes: ``preprocessing_function``, ``rescale``, the sample's own mean and std
(``samplewise_*``), then the data set's (``featurewise_*``, from ``fit(x)``: per channel), then ZCA whitening
(``fit`` computes it from the covariance of the flattened images: ``U diag(1/sqrt(s + ε)) Uᵀ``). The batches come
from ``flow`` (arrays) and ``flow_from_directory`` (files) — ``image_iterators.py``; the file helpers are in
``image_files.py`` (images there are numpy arrays, not PIL images).

Beside TF 1.15's arguments the generator takes ``interpolation_order`` (0 nearest, 1 bilinear: keras_preprocessing's,
which TF 1.15 leaves at 1). ``standardize`` returns a new array and leaves its argument as it was (Keras changes it
in place).
"""
import warnings

import numpy

from .. import backend
from .affine_transforms import (apply_affine_transform, apply_brightness_shift, apply_channel_shift, flip_axis,
                                random_brightness, random_channel_shift, random_rotation, random_shear, random_shift,
                                random_zoom)
from .image_files import array_to_img, img_to_array, load_img, save_img
from .image_iterators import DirectoryIterator, Iterator, NumpyArrayIterator

__all__ = ["DirectoryIterator", "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "apply_affine_transform",
           "apply_brightness_shift", "apply_channel_shift", "array_to_img", "img_to_array", "load_img",
           "random_brightness", "random_channel_shift", "random_rotation", "random_shear", "random_shift",
           "random_zoom", "save_img"]


class ImageDataGenerator:
    """Random augmentation and normalization of image batches (the module docstring); the arguments are Keras'.

    Shift ranges: a float < 1 is a fraction of the height (width), one >= 1 pixels, drawn from U(-r, r); an int n
    draws whole pixels in (-n, n); a list draws one of its values, with a random sign. ``zoom_range``: z for
    [1 - z, 1 + z], or [lower, upper]; the zoom of rows and of columns are drawn apart."""

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None, shear_range=0.0,
                 zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, dtype=None, interpolation_order=1):
        data_format = data_format or backend.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f'`data_format` should be `"channels_last"` (channel after row and column) or '
                             f'`"channels_first"` (channel before row and column). Received: {data_format}')
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(f"`validation_split` must be strictly between 0 and 1.  Received: {validation_split}")
        if numpy.isscalar(zoom_range):
            zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) != 2:
            raise ValueError(f"`zoom_range` should be a float or a tuple or list of two floats. Received: "
                             f"{zoom_range}")
        if brightness_range is not None and (not isinstance(brightness_range, (tuple, list)) or
                                             len(brightness_range) != 2):
            raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}")
        # what implies what, with Keras' warnings: ZCA centres and does not divide by the std; a std centres
        for setting, by in ((not featurewise_center and zca_whitening and "featurewise_center", "zca_whitening"),
                            (featurewise_std_normalization and zca_whitening and "featurewise_std_normalization",
                             "zca_whitening"),
                            (not featurewise_center and featurewise_std_normalization and "featurewise_center",
                             "featurewise_std_normalization"),
                            (not samplewise_center and samplewise_std_normalization and "samplewise_center",
                             "samplewise_std_normalization")):
            if setting:
                warnings.warn(f"This ImageDataGenerator specifies `{by}`, which overrides setting of `{setting}`.")
        self.featurewise_center = featurewise_center or zca_whitening or featurewise_std_normalization
        self.featurewise_std_normalization = featurewise_std_normalization and not zca_whitening
        self.samplewise_center = samplewise_center or samplewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range, self.shear_range = rotation_range, shear_range
        self.width_shift_range, self.height_shift_range = width_shift_range, height_shift_range
        self.zoom_range, self.brightness_range = [zoom_range[0], zoom_range[1]], brightness_range
        self.channel_shift_range, self.fill_mode, self.cval = channel_shift_range, fill_mode, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale, self.preprocessing_function = rescale, preprocessing_function
        self.dtype, self.interpolation_order = dtype or backend.floatx(), interpolation_order
        self.data_format, self._validation_split = data_format, validation_split
        # the axes of a batch (an image's are one less)
        self.channel_axis, self.row_axis, self.col_axis = (3, 1, 2) if data_format == "channels_last" else (1, 2, 3)
        self.mean = self.std = self.principal_components = None  # (fit's)

    # ------------------------------------------------------------------------------------------- batches
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, save_to_dir=None,
             save_prefix="", save_format="png", subset=None):
        """A ``NumpyArrayIterator`` over the images ``x`` (4 dims) and labels ``y``: ``(x, y)`` batches."""
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None, save_to_dir=None,
                            save_prefix="", save_format="png", follow_links=False, subset=None,
                            interpolation="nearest"):
        """A ``DirectoryIterator`` over the images in ``directory``'s class subfolders, resized to
        ``target_size``."""
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 data_format=self.data_format, save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links, subset=subset,
                                 interpolation=interpolation, dtype=self.dtype)

    # --------------------------------------------------------------------------------------- normalizing
    def standardize(self, x):
        """One image (or a batch) normalized as the generator says (the module docstring); a new array."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        x = numpy.array(x, dtype=self.dtype)  # (a copy: the argument stays as it was)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= numpy.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= numpy.std(x, keepdims=True) + 1e-6
        for flag, statistic in (("featurewise_center", self.mean), ("featurewise_std_normalization", self.std),
                                ("zca_whitening", self.principal_components)):
            if getattr(self, flag) and statistic is None:
                warnings.warn(f"This ImageDataGenerator specifies `{flag}`, but it hasn't been fit on any training "
                              f"data. Fit it first by calling `.fit(numpy_data)`.")
        if self.featurewise_center and self.mean is not None:
            x -= self.mean
        if self.featurewise_std_normalization and self.std is not None:
            x /= self.std + 1e-6
        if self.zca_whitening and self.principal_components is not None:
            x = (x.reshape(-1, numpy.prod(x.shape[-3:])) @ self.principal_components).reshape(x.shape)
        return x

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Compute the data set's statistics that ``featurewise_*`` and ``zca_whitening`` use, from the images
        ``x`` (4 dims) — randomly transformed ``rounds`` times over with ``augment``: the mean and std of each
        channel, and the ZCA matrix."""
        x = numpy.array(x, dtype=self.dtype)  # (a copy)
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4. Got array with shape: {x.shape}")
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn(f"Expected input to be images (as Numpy array) following the data format convention "
                          f'"{self.data_format}" (channels on axis {self.channel_axis}), i.e. expected either 1, 3 '
                          f"or 4 channels on axis {self.channel_axis}. However, it was passed an array with shape "
                          f"{x.shape} ({x.shape[self.channel_axis]} channels).")
        if seed is not None:
            numpy.random.seed(seed)
        if augment:
            x = numpy.stack([self.random_transform(image) for _ in range(rounds) for image in x]).astype(self.dtype)
        per_channel = [1, 1, 1]  # the statistics' shape: one value per channel, broadcast over an image
        per_channel[self.channel_axis - 1] = x.shape[self.channel_axis]
        pixels = (0, self.row_axis, self.col_axis)
        if self.featurewise_center:
            self.mean = numpy.mean(x, axis=pixels).reshape(per_channel)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = numpy.std(x, axis=pixels).reshape(per_channel)
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat = x.reshape(len(x), -1)
            u, s, _ = numpy.linalg.svd(flat.T @ flat / len(flat))
            self.principal_components = (u / numpy.sqrt(s[None] + self.zca_epsilon)) @ u.T

    # ----------------------------------------------------------------------------------- transforming
    def get_random_transform(self, img_shape, seed=None):
        """Random parameters for ``apply_transform``, for an image of ``img_shape`` (no batch dim): a dict with
        ``theta``, ``tx``, ``ty``, ``shear``, ``zx``, ``zy``, ``flip_horizontal``, ``flip_vertical``,
        ``channel_shift_intensity`` and ``brightness``. Drawn in Keras' order, so that a seed gives Keras' draws."""
        if seed is not None:
            numpy.random.seed(seed)
        theta = numpy.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = _shift(self.height_shift_range, img_shape[self.row_axis - 1])
        ty = _shift(self.width_shift_range, img_shape[self.col_axis - 1])
        shear = numpy.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        zx, zy = (1, 1) if self.zoom_range == [1, 1] else numpy.random.uniform(self.zoom_range[0], self.zoom_range[1],
                                                                                 2)
        flip_horizontal = (numpy.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (numpy.random.random() < 0.5) * self.vertical_flip
        channel_shift = None if self.channel_shift_range == 0 else \
            numpy.random.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None if self.brightness_range is None else numpy.random.uniform(*self.brightness_range)
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift, "brightness": brightness}

    def apply_transform(self, x, transform_parameters):
        """One image (3 dims) changed as ``transform_parameters`` (``get_random_transform``'s dict; missing keys
        change nothing) say."""
        rows, cols, channels = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        get = transform_parameters.get
        x = apply_affine_transform(x, get("theta", 0), get("tx", 0), get("ty", 0), get("shear", 0), get("zx", 1),
                                   get("zy", 1), row_axis=rows, col_axis=cols, channel_axis=channels,
                                   fill_mode=self.fill_mode, cval=self.cval, order=self.interpolation_order)
        if get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, get("channel_shift_intensity"), channels)
        if get("flip_horizontal", False):
            x = flip_axis(x, cols)
        if get("flip_vertical", False):
            x = flip_axis(x, rows)
        if get("brightness") is not None:
            x = apply_brightness_shift(x, get("brightness"))
        return x

    def random_transform(self, x, seed=None):
        """One image randomly changed: ``apply_transform(x, get_random_transform(x.shape, seed))``."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))


def _shift(shift_range, size):
    """A random shift in pixels from a shift range (the class docstring), along an axis of ``size`` pixels."""
    if not numpy.any(shift_range):
        return 0
    if isinstance(shift_range, (float, numpy.floating)):
        shift = numpy.random.uniform(-shift_range, shift_range)
    else:  # an int n: one of 0 .. n - 1; a list: one of its values; either with a random sign
        shift = numpy.random.choice(shift_range) * numpy.random.choice([-1, 1])
    return shift * size if numpy.max(shift_range) < 1 else shift
