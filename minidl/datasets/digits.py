"""The bundled handwritten-digits data set, split into a training and a test part.

The data is the UCI "Optical Recognition of Handwritten Digits" set (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0,
see ``README.md`` in this folder): 1797 grey-scale images of 8x8 pixels with values 0..16, labels 0..9. It ships
inside the package as ``digits.csv.gz`` (one image a row: 64 pixels row-major, then the label), so loading it
never touches the network.

>>> x_train, y_train, x_test, y_test = load_digits()
>>> x_train.shape, x_train.dtype, y_train.dtype
((1438, 64), dtype('float32'), dtype('int64'))
>>> x_test.shape
(359, 64)

The split is *stratified*: every digit gets the same share of test images, so a small test set still has all
ten classes in the right proportions. It is drawn from numpy's PCG64 generator with a fixed seed, and only from
its most basic stream (uniform doubles, then a stable sort), so it is the same on every call and every machine.
"""
import functools
import gzip
from importlib import resources

import numpy

__all__ = ["load_digits", "load_digits_images", "DATA_FILE", "N_SAMPLES", "N_CLASSES", "IMAGE_SIZE", "MAX_PIXEL"]

#: the file inside this package that holds the data
DATA_FILE = "digits.csv.gz"
N_SAMPLES = 1797
N_CLASSES = 10
IMAGE_SIZE = 8  # images are IMAGE_SIZE x IMAGE_SIZE
MAX_PIXEL = 16  # pixel values are integers 0..MAX_PIXEL (counts of set bits in 4x4 blocks of a 32x32 bitmap)


@functools.lru_cache(maxsize=1)
def _read_table():
    """All rows of the CSV as one int64 array of shape (1797, 65), read once per process.

    ``importlib.resources`` finds the file wherever the package is installed (also inside a zip file), which a
    path built from the current directory would not.
    """
    with resources.files(__package__).joinpath(DATA_FILE).open("rb") as raw, gzip.open(raw, "rt") as text:
        table = numpy.loadtxt(text, delimiter=",", dtype=numpy.int64, ndmin=2)
    n_columns = IMAGE_SIZE * IMAGE_SIZE + 1
    if table.shape != (N_SAMPLES, n_columns):
        raise ValueError(f"{DATA_FILE}: expected {N_SAMPLES} rows of {n_columns} values, found shape {table.shape}")
    table.setflags(write=False)  # the cached table is shared by every call: nobody may change it
    return table


def _stratified_split(labels, test_fraction, seed):
    """Indices ``(train, test)``: ``round(test_fraction * count)`` images of each class go to the test part.

    Shuffling with ``argsort`` of uniform random numbers (rather than ``Generator.permutation``) uses only the
    generator's raw stream of doubles, which numpy keeps the same across versions and platforms.
    """
    rng = numpy.random.Generator(numpy.random.PCG64(seed))
    keys = rng.random(len(labels))
    train_parts, test_parts = [], []
    for label in range(N_CLASSES):
        members = numpy.flatnonzero(labels == label)
        members = members[numpy.argsort(keys[members], kind="stable")]  # this class, in a random order
        n_test = int(round(test_fraction * len(members)))
        test_parts.append(members[:n_test])
        train_parts.append(members[n_test:])
    train, test = numpy.concatenate(train_parts), numpy.concatenate(test_parts)
    # Concatenating sorted the rows by class; shuffle each part again so that a plain slice of the result (say,
    # the first 100 training images) is a fair sample with every digit in it.
    order_keys = rng.random(len(labels))
    train = train[numpy.argsort(order_keys[train], kind="stable")]
    test = test[numpy.argsort(order_keys[test], kind="stable")]
    return train, test


def load_digits(test_fraction=0.2, seed=0, normalize=True):
    """The digits as ``(x_train, y_train, x_test, y_test)`` numpy arrays.

    Args:
        test_fraction: share of each class held out for testing, ``0 <= test_fraction < 1``.
        seed: seed of the shuffle; the same seed always gives the same split.
        normalize: scale pixels from 0..16 to [0, 1] (what a model with default initialisation expects);
            with ``False`` the pixels keep their original values 0..16.

    Returns:
        ``x_train`` and ``x_test``: float32 arrays of shape (n, 64), one row-major 8x8 image a row;
        ``y_train`` and ``y_test``: int64 arrays of shape (n,) with the labels 0..9. The arrays are fresh copies,
        free to change.
    """
    if not 0 <= test_fraction < 1:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction!r}")
    table = _read_table()
    images = table[:, :-1].astype(numpy.float32)
    if normalize:
        images /= MAX_PIXEL
    labels = table[:, -1].copy()
    train, test = _stratified_split(labels, test_fraction, int(seed))
    return images[train], labels[train], images[test], labels[test]


def load_digits_images(test_fraction=0.2, seed=0, normalize=True):
    """Like ``load_digits``, but the images are shaped (n, 1, 8, 8): (batch, channels, height, width) for CNNs."""
    x_train, y_train, x_test, y_test = load_digits(test_fraction, seed, normalize)
    image_shape = (1, IMAGE_SIZE, IMAGE_SIZE)
    return x_train.reshape(-1, *image_shape), y_train, x_test.reshape(-1, *image_shape), y_test
