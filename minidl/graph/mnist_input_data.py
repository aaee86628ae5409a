"""``tensorflow.examples.tutorials.mnist.input_data`` — the first line of TF1's MNIST tutorials
(``mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)``, then ``mnist.train.next_batch(100)``) — on
MNIST files already in that folder: minidl never downloads (``minidl.datasets.load_mnist`` reads them).

As TF's: pixels become float32 in [0, 1] (``dtype=tf.uint8`` keeps 0..255), each image a row of 784 values
(``reshape=False`` keeps 28 x 28 x 1), labels class numbers or one-hot rows (``one_hot``); the first
``validation_size`` training images are the validation set. ``next_batch`` shuffles at the start of every epoch and
fills a batch that crosses the end of an epoch with the start of the next.
"""
import collections

import numpy

from ..datasets import load_mnist
from .dtypes import as_dtype, float32, uint8

__all__ = ["DataSet", "Datasets", "read_data_sets"]

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


class DataSet:
    """Images and labels of one split, and a position in it for ``next_batch``."""

    def __init__(self, images, labels, dtype=float32, reshape=True, seed=None):
        dtype = as_dtype(dtype)
        if dtype not in (uint8, float32):
            raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
        if len(images) != len(labels):
            raise ValueError(f"images.shape: {images.shape} labels.shape: {labels.shape}")
        if images.ndim == 3:  # (n, 28, 28) as the files hold them: TF's (n, 28, 28, 1)
            images = images[..., None]
        if reshape:
            images = images.reshape(len(images), -1)
        self._images = images.astype(numpy.float32) / 255.0 if dtype == float32 else images
        self._labels, self._num_examples = labels, len(images)
        self._epochs_completed = self._index_in_epoch = 0
        self._rng = numpy.random.default_rng(seed)

    images = property(lambda self: self._images)
    labels = property(lambda self: self._labels)
    num_examples = property(lambda self: self._num_examples)
    epochs_completed = property(lambda self: self._epochs_completed)

    def _shuffle(self):
        order = self._rng.permutation(self._num_examples)
        self._images, self._labels = self._images[order], self._labels[order]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next ``batch_size`` (images, labels); an epoch's last batch is completed from the next epoch."""
        if fake_data:
            raise NotImplementedError("next_batch(fake_data=True) is not supported: use the real files")
        start = self._index_in_epoch
        if start == 0 and self._epochs_completed == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch += batch_size
            return self._images[start:start + batch_size], self._labels[start:start + batch_size]
        self._epochs_completed += 1
        rest = self._images[start:], self._labels[start:]
        if shuffle:
            self._shuffle()
        self._index_in_epoch = batch_size - len(rest[0])
        fresh = self._images[:self._index_in_epoch], self._labels[:self._index_in_epoch]
        return numpy.concatenate([rest[0], fresh[0]]), numpy.concatenate([rest[1], fresh[1]])


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=float32, reshape=True, validation_size=5000,
                   seed=None, source_url=None):
    """``Datasets(train, validation, test)`` from the MNIST IDX files in ``train_dir`` (module docstring)."""
    if fake_data:
        raise NotImplementedError("read_data_sets(fake_data=True) is not supported: use the real files")
    train_images, train_labels = load_mnist(train_dir, "train")
    test_images, test_labels = load_mnist(train_dir, "t10k")
    if one_hot:
        train_labels, test_labels = (numpy.eye(10, dtype=numpy.float64)[y] for y in (train_labels, test_labels))
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"Validation size should be between 0 and {len(train_images)}. Received: {validation_size}.")

    def split(images, labels, offset):
        return DataSet(images, labels, dtype, reshape, None if seed is None else seed + offset)
    return Datasets(train=split(train_images[validation_size:], train_labels[validation_size:], 0),
                    validation=split(train_images[:validation_size], train_labels[:validation_size], 1),
                    test=split(test_images, test_labels, 2))
