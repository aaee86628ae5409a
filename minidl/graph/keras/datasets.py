"""``tf.keras.datasets``: ``mnist``, ``fashion_mnist`` and ``boston_housing`` read from Keras' cache folder, never
downloaded.

Keras keeps what it downloads in ``~/.keras/datasets/``; ``load_data()`` reads the files there — ``mnist.npz``
(arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``; read without pickle) and ``fashion-mnist/`` with the four
IDX files (``train-images-idx3-ubyte.gz`` ...), ``boston_housing.npz`` — and returns ``(x_train, y_train),
(x_test, y_test)`` as Keras does. minidl has no network at run time: a file that is not there is an error saying
where to put it. CIFAR, IMDB and Reuters Keras keeps as Python pickles, which minidl never loads: their
``load_data`` says so. (The bundled data set is ``minidl.datasets.load_digits``.)
"""
import os
import types

import numpy

from ...datasets.mnist import find_mnist_file, load_mnist


def _cache(*parts):
    return os.path.join(os.path.expanduser("~"), ".keras", "datasets", *parts)


def _missing(what, where):
    return FileNotFoundError(f"{what} is not on this machine ({where}); minidl never downloads: put the file "
                             f"there (as Keras would have), or train on the bundled minidl.datasets.load_digits()")


def _load_mnist(path="mnist.npz"):
    path = _cache(path)  # an absolute path stays itself
    if not os.path.isfile(path):
        raise _missing("MNIST", path)
    with numpy.load(path, allow_pickle=False) as arrays:
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _load_fashion_mnist():
    directory = _cache("fashion-mnist")
    if find_mnist_file(directory, "train", "images") is None:
        raise _missing("Fashion-MNIST", directory)
    parts = [load_mnist(directory, kind) for kind in ("train", "t10k")]
    return tuple((images, labels.astype(numpy.uint8)) for images, labels in parts)


def _load_boston_housing(path="boston_housing.npz", test_split=0.2, seed=113):
    """The 506 Boston houses (13 features, the price in $1000s), shuffled by ``seed`` as Keras shuffles them, the
    last ``test_split`` for testing."""
    path = _cache(path)
    if not os.path.isfile(path):
        raise _missing("The Boston housing data", path)
    with numpy.load(path, allow_pickle=False) as arrays:
        x, y = arrays["x"], arrays["y"]
    order = numpy.arange(len(x))
    numpy.random.RandomState(seed).shuffle(order)  # the permutation of Keras' np.random.seed(seed); shuffle
    x, y = x[order], y[order]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])


def _pickled(name, files):
    def load_data(*args, **kwargs):
        raise NotImplementedError(f"{name}: Keras keeps it as {files}, Python pickles; minidl never unpickles a "
                                  f"file (loading one can run any code it holds). Convert it to arrays in an .npz "
                                  f"yourself, or train on minidl.datasets.load_digits()")
    return types.SimpleNamespace(load_data=load_data)


mnist = types.SimpleNamespace(load_data=_load_mnist)
fashion_mnist = types.SimpleNamespace(load_data=_load_fashion_mnist)
boston_housing = types.SimpleNamespace(load_data=_load_boston_housing)
cifar10 = _pickled("CIFAR-10", "cifar-10-batches-py/data_batch_*")
cifar100 = _pickled("CIFAR-100", "cifar-100-python/train")
imdb = _pickled("IMDB", "imdb.npz (arrays of Python lists)")
reuters = _pickled("Reuters", "reuters.npz (arrays of Python lists)")
