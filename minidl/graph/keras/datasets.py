"""``tf.keras.datasets``: ``mnist`` and ``fashion_mnist`` read from Keras' cache folder, never downloaded.

Keras keeps what it downloads in ``~/.keras/datasets/``; ``load_data()`` reads the files there — ``mnist.npz``
(arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``; read without pickle) and ``fashion-mnist/`` with the four
IDX files (``train-images-idx3-ubyte.gz`` ...) — and returns ``(x_train, y_train), (x_test, y_test)`` as uint8
arrays, as Keras does. minidl has no network at run time: a file that is not there is an error saying where to put
it. (The bundled data set is ``minidl.datasets.load_digits``.)
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


mnist = types.SimpleNamespace(load_data=_load_mnist)
fashion_mnist = types.SimpleNamespace(load_data=_load_fashion_mnist)
