"""DigitsDataset: the bundled digits as a PyTorch-style map dataset, with transforms and a DataLoader."""
import subprocess
import sys

import numpy as np

from minidl.datasets import DigitsDataset, load_digits
from minidl.eager import Tensor, transforms
from minidl.eager.utils.data import DataLoader, Dataset


def test_samples_match_load_digits():
    x_train, y_train, x_test, y_test = load_digits()
    train, test = DigitsDataset(train=True), DigitsDataset(train=False)
    assert isinstance(train, Dataset)
    assert len(train) == len(x_train) == 1438 and len(test) == len(x_test) == 359
    image, label = train[7]
    assert image.shape == (8, 8) and image.dtype == np.float32 and isinstance(label, int)
    np.testing.assert_array_equal(image.reshape(-1), x_train[7])
    assert label == y_train[7]
    np.testing.assert_array_equal(test.data.reshape(len(test), -1), x_test)
    np.testing.assert_array_equal(test.targets, y_test)
    assert train.classes == [str(d) for d in range(10)]
    assert "Number of datapoints: 1438" in repr(train) and "Split: Train" in repr(train)


def test_split_options_are_those_of_load_digits():
    raw = DigitsDataset(train=False, test_fraction=0.5, seed=3, normalize=False)
    _, _, x_test, y_test = load_digits(test_fraction=0.5, seed=3, normalize=False)
    assert len(raw) == len(x_test) and raw.data.max() == 16.0
    np.testing.assert_array_equal(raw.targets, y_test)


def test_transforms_and_samples_are_copies():
    ds = DigitsDataset(transform=transforms.ToTensor(), target_transform=lambda t: t * 10)
    image, label = ds[0]
    assert isinstance(image, Tensor) and tuple(image.shape) == (1, 8, 8)
    assert label == 10 * int(ds.targets[0])
    plain = DigitsDataset()
    sample, _ = plain[0]
    sample[:] = -1
    assert plain.data[0].min() >= 0   # changing a sample never changes the data set
    assert "ToTensor()" in repr(ds)


def test_data_loader_batches_every_sample_once():
    ds = DigitsDataset(train=False, transform=transforms.ToTensor())
    seen = []
    for images, labels in DataLoader(ds, batch_size=100, shuffle=False):
        assert tuple(images.shape)[1:] == (1, 8, 8) and images.dtype == np.float32
        seen.extend(labels.numpy().tolist())
    assert seen == ds.targets.tolist()


def test_datasets_package_does_not_import_eager_until_asked():
    code = ("import sys, minidl.datasets as d; assert 'minidl.eager' not in sys.modules; "
            "d.DigitsDataset; assert 'minidl.eager' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
