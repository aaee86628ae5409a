"""The batch iterators of ``ImageDataGenerator``: ``NumpyArrayIterator`` (``flow``: images in an array) and
``DirectoryIterator`` (``flow_from_directory``: image files, one subfolder per class), as TF 1.15's Keras has them.

Each is a ``keras.utils.Sequence`` — ``len(it)`` batches per epoch, ``it[i]`` batch i, reshuffled by
``on_epoch_end`` — so ``model.fit`` / ``fit_generator`` walk it by index; and an endless iterator too
(``next(it)``, ``for x, y in it``: an epoch, then the next, forever), as Keras' generators are.

A batch is made one sample at a time: the generator's random transform (``get_random_transform``,
``apply_transform``), then its ``standardize``; the images are ``dtype`` (float32) arrays, the labels beside them.
The order of the samples is a permutation of them each epoch when ``shuffle`` (else their order). With a ``seed``,
every batch first seeds numpy's global generator with ``seed + <batches made so far>``, which draws both the order
and the transforms: the same seed gives the same batches. ``subset`` takes Keras' split: for arrays the *first*
``validation_split`` of the samples are the "validation" ones, for a directory the first of each class's files.
"""
import os
import threading

import numpy

from ..utils import Sequence
from .image_files import img_to_array, load_img, save_img

#: the file names a directory iterator lists (Keras' list, with GIF, which minidl reads and PIL does too)
WHITE_LIST_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff", "gif")
_READABLE = ("png", "bmp", "gif")


class Iterator(Sequence):
    """``n`` samples in batches of ``batch_size``; a subclass makes a batch of the samples ``index_array`` in
    ``_get_batches_of_transformed_samples``."""

    def __init__(self, n, batch_size, shuffle, seed):
        self.n, self.batch_size, self.shuffle, self.seed = n, batch_size, shuffle, seed
        self.batch_index = self.total_batches_seen = 0
        self.index_array = None
        self.lock = threading.Lock()
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = numpy.random.permutation(self.n) if self.shuffle else numpy.arange(self.n)

    def __getitem__(self, idx):
        if not 0 <= idx < len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length {len(self)}")
        self._seed_batch()
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(
            self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)])

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size  # a last, smaller batch counts

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def _seed_batch(self):
        if self.seed is not None:
            numpy.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1

    def _flow_index(self):
        """The samples of each batch, epoch after epoch (a new order at the start of each)."""
        self.reset()
        while True:
            self._seed_batch()
            if self.batch_index == 0:
                self._set_index_array()
            start = (self.batch_index * self.batch_size) % self.n if self.n else 0
            self.batch_index = self.batch_index + 1 if self.n > start + self.batch_size else 0
            yield self.index_array[start:start + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    next = __next__

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError(f"{type(self).__name__} must define _get_batches_of_transformed_samples")

    def _transformed(self, x):
        """One sample through the generator's random transform and standardization."""
        generator = self.image_data_generator
        if generator is None:
            return x
        return generator.standardize(generator.apply_transform(x, generator.get_random_transform(x.shape)))

    def _save(self, batch_x, index_array):
        """Write the batch's images to ``save_to_dir`` (to look at what the augmentation makes)."""
        for image, index in zip(batch_x, index_array):
            name = f"{self.save_prefix}_{index}_{numpy.random.randint(int(1e7))}.{self.save_format}"
            save_img(os.path.join(self.save_to_dir, name), image, self.data_format)


class NumpyArrayIterator(Iterator):
    """Batches of the images ``x`` (4 dims), with their labels ``y`` (and ``sample_weight``) when given: ``(x, y)``
    or ``(x, y, weights)`` tuples, or ``x`` alone. ``x`` may also be a tuple ``(images, other arrays)``: the other
    arrays are passed on untransformed, the batch's inputs a list ``[images, *others]``."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png", subset=None,
                 dtype="float32"):
        x_misc = []
        if isinstance(x, (tuple, list)):
            x, x_misc = x[0], list(x[1]) if isinstance(x[1], (list, tuple)) else [x[1]]
            if any(len(other) != len(x) for other in x_misc):
                raise ValueError(f"All of the arrays in `x` should have the same length. Found: "
                                 f"{[len(x)] + [len(other) for other in x_misc]}")
        if y is not None and len(x) != len(y):
            raise ValueError(f"`x` (images tensor) and `y` (labels) should have the same length. Found: x.shape = "
                             f"{numpy.asarray(x).shape}, y.shape = {numpy.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(f"`x` (images tensor) and `sample_weight` should have the same length. Found: "
                             f"x.shape = {numpy.asarray(x).shape}, sample_weight.shape = "
                             f"{numpy.asarray(sample_weight).shape}")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"Invalid subset name: {subset}; expected 'training' or 'validation'.")
            split = int(len(x) * image_data_generator._validation_split)
            if y is not None and not numpy.array_equal(numpy.unique(y[:split]), numpy.unique(y[split:])):
                raise ValueError("Training and validation subsets have different number of classes after the split. "
                                 "If your numpy arrays are sorted by the label, you might want to shuffle them.")
            part = slice(None, split) if subset == "validation" else slice(split, None)
            x, x_misc = x[part], [other[part] for other in x_misc]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else sample_weight[part]
        self.x = numpy.asarray(x, dtype=dtype)
        if self.x.ndim != 4:
            raise ValueError(f"Input data in `NumpyArrayIterator` should have rank 4. You passed an array with shape "
                             f"{self.x.shape}")
        self.x_misc = [numpy.asarray(other) for other in x_misc]
        self.y = None if y is None else numpy.asarray(y)
        self.sample_weight = None if sample_weight is None else numpy.asarray(sample_weight)
        self.image_data_generator, self.dtype = image_data_generator, dtype
        self.data_format = data_format or "channels_last"
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(len(self.x), batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = numpy.stack([self._transformed(self.x[j].copy()) for j in index_array]).astype(self.dtype)
        if self.save_to_dir:
            self._save(batch_x, index_array)
        inputs = [batch_x] + [other[index_array] for other in self.x_misc] if self.x_misc else batch_x
        if self.y is None:
            return inputs
        if self.sample_weight is None:
            return inputs, self.y[index_array]
        return inputs, self.y[index_array], self.sample_weight[index_array]


class DirectoryIterator(Iterator):
    """Batches of the image files in ``directory``'s subfolders, one folder per class (``classes``: their names,
    default every subfolder, in sorted order; ``class_indices`` maps each to its index), the files of each folder
    and its subfolders in sorted order. The labels, by ``class_mode``: "categorical" (one-hot rows), "binary" or
    "sparse" (the class indices), "input" (the images themselves: an autoencoder) or None (no labels).

    Files are listed by their extension (``WHITE_LIST_FORMATS``); minidl reads PNG, BMP and GIF, and refuses a
    folder with JPEG (or PPM, TIFF) files at once, before any training (Keras would fail at the first batch
    without PIL's decoders)."""

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode="rgb", classes=None,
                 class_mode="categorical", batch_size=32, shuffle=True, seed=None, data_format=None,
                 save_to_dir=None, save_prefix="", save_format="png", follow_links=False, subset=None,
                 interpolation="nearest", dtype="float32"):
        if color_mode not in ("grayscale", "rgb", "rgba"):
            raise ValueError(f"Invalid color mode: {color_mode}; expected 'rgb', 'rgba', or 'grayscale'.")
        if class_mode not in ("categorical", "binary", "sparse", "input", None):
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of 'categorical', 'binary', 'sparse', "
                             f"'input' or None.")
        self.directory, self.image_data_generator = directory, image_data_generator
        self.target_size, self.color_mode, self.class_mode = tuple(target_size), color_mode, class_mode
        self.data_format, self.interpolation, self.dtype = data_format or "channels_last", interpolation, dtype
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        channels = {"grayscale": 1, "rgb": 3, "rgba": 4}[color_mode]
        self.image_shape = self.target_size + (channels,) if self.data_format == "channels_last" else \
            (channels,) + self.target_size
        split = None
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"Invalid subset name: {subset}; expected 'training' or 'validation'")
            fraction = image_data_generator._validation_split
            split = (0, fraction) if subset == "validation" else (fraction, 1)
        self.subset = subset
        if not classes:
            classes = sorted(name for name in os.listdir(directory) if os.path.isdir(os.path.join(directory, name)))
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        labels, self.filenames = [], []
        for name in classes:
            files = _image_files(os.path.join(directory, name), follow_links)
            if split is not None:
                files = files[int(split[0] * len(files)):int(split[1] * len(files))]
            labels += [self.class_indices[name]] * len(files)
            self.filenames += [os.path.join(name, os.path.relpath(path, os.path.join(directory, name)))
                               for path in files]
        self.classes = numpy.array(labels, dtype="int32")
        self.samples = len(self.filenames)
        unreadable = [name for name in self.filenames if not name.lower().endswith(_READABLE)]
        if unreadable:
            raise NotImplementedError(f"flow_from_directory: {len(unreadable)} of the files in {directory} are JPEG, "
                                      f"PPM or TIFF files ({unreadable[0]} ...), and minidl reads PNG, BMP and GIF "
                                      f"only (it has no JPEG decoder): convert them to PNG")
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        return [os.path.join(self.directory, name) for name in self.filenames]

    @property
    def labels(self):
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        paths = self.filepaths
        batch_x = numpy.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            image = load_img(paths[j], color_mode=self.color_mode, target_size=self.target_size,
                             interpolation=self.interpolation)
            batch_x[i] = self._transformed(img_to_array(image, self.data_format, self.dtype))
        if self.save_to_dir:
            self._save(batch_x, index_array)
        if self.class_mode is None:
            return batch_x
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        if self.class_mode == "categorical":
            return batch_x, numpy.eye(self.num_classes, dtype=self.dtype)[self.classes[index_array]]
        return batch_x, self.classes[index_array].astype(self.dtype)


def _image_files(folder, follow_links):
    """The image files under ``folder`` (by extension), folder by folder and name by name in sorted order."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda walked: walked[0]):
        found += [os.path.join(root, name) for name in sorted(files) if name.lower().endswith(WHITE_LIST_FORMATS)]
    return found
