"""The bundled digits data: shapes, dtypes, value ranges, and a split that is reproducible and disjoint."""
from importlib import resources

import numpy
import pytest

from minidl.datasets import load_digits, load_digits_images


def test_shapes_and_dtypes():
    x_train, y_train, x_test, y_test = load_digits()
    assert x_train.shape == (1438, 64) and x_test.shape == (359, 64)
    assert y_train.shape == (1438,) and y_test.shape == (359,)
    assert x_train.dtype == x_test.dtype == numpy.float32
    assert y_train.dtype == y_test.dtype == numpy.int64


def test_values_and_labels_in_range():
    x_train, y_train, x_test, y_test = load_digits()
    for x in (x_train, x_test):
        assert x.min() == 0.0 and x.max() == 1.0
    for y in (y_train, y_test):
        assert set(numpy.unique(y)) == set(range(10))  # every class on both sides of the split


def test_unnormalized_pixels_are_the_original_integers():
    x_train, _, _, _ = load_digits(normalize=False)
    assert x_train.dtype == numpy.float32
    assert x_train.max() == 16.0 and numpy.array_equal(x_train, numpy.round(x_train))
    assert numpy.array_equal(x_train / 16, load_digits()[0])


def test_split_is_reproducible():
    first, second = load_digits(seed=3), load_digits(seed=3)
    for a, b in zip(first, second):
        assert numpy.array_equal(a, b)
    other = load_digits(seed=4)
    assert not numpy.array_equal(first[1], other[1])


def test_split_is_the_same_on_every_machine():
    # pinned values: if a numpy upgrade or a code change alters the seed-0 split, this test says so
    x_train, y_train, x_test, y_test = load_digits()
    assert y_test[:12].tolist() == [5, 3, 1, 4, 9, 1, 0, 3, 9, 8, 9, 2]
    assert float(x_test.sum()) == 7010.875


def _rows(*arrays):
    """Each sample as one hashable row: pixels and label together."""
    x = numpy.concatenate([a for a in arrays[0::2]])
    y = numpy.concatenate([a for a in arrays[1::2]])
    return [tuple(row) for row in numpy.column_stack([x * 16, y]).astype(numpy.int64)]


def test_split_is_disjoint_and_complete():
    x_train, y_train, x_test, y_test = load_digits()
    train_rows, test_rows = _rows(x_train, y_train), _rows(x_test, y_test)
    # the data has a few duplicate images, so compare multisets: together the parts are exactly the whole file
    table = numpy.loadtxt(resources.files("minidl.datasets").joinpath("digits.csv.gz"), delimiter=",",
                          dtype=numpy.int64)
    assert sorted(train_rows + test_rows) == sorted(tuple(row) for row in table)
    assert len(train_rows) + len(test_rows) == 1797


def test_split_is_stratified():
    _, y_train, _, y_test = load_digits(test_fraction=0.5)
    counts_train, counts_test = numpy.bincount(y_train), numpy.bincount(y_test)
    assert numpy.all(numpy.abs(counts_train - counts_test) <= 1)


def test_test_fraction_zero_and_invalid():
    x_train, _, x_test, _ = load_digits(test_fraction=0.0)
    assert len(x_train) == 1797 and len(x_test) == 0
    with pytest.raises(ValueError):
        load_digits(test_fraction=1.0)


def test_returned_arrays_are_independent_copies():
    x_train, y_train, _, _ = load_digits()
    x_train[:] = -1
    y_train[:] = -1
    x_again, y_again, _, _ = load_digits()
    assert x_again.min() == 0.0 and y_again.min() == 0


def test_images_shape():
    x_train, y_train, x_test, y_test = load_digits_images()
    assert x_train.shape == (1438, 1, 8, 8) and x_test.shape == (359, 1, 8, 8)
    assert numpy.array_equal(x_train.reshape(len(x_train), 64), load_digits()[0])


def test_attribution_ships_with_the_data():
    readme = resources.files("minidl.datasets").joinpath("README.md").read_text()
    for words in ("Alpaydin", "Kaynak", "1998", "CC BY 4.0", "UCI"):
        assert words in readme
