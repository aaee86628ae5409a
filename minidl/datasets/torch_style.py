"""The data sets as PyTorch map-style datasets (``minidl.eager.utils.data.Dataset``), the torchvision way.

``dataset[i]`` is ``(image, label)``: the image a numpy array (height, width) — put ``transforms.ToTensor()`` in
``transform`` to get a (1, height, width) float tensor, exactly as with torchvision — and the label a Python
int. ``dataset.data`` and ``dataset.targets`` hold all images and labels as numpy arrays::

    from minidl.eager import transforms
    from minidl.eager.utils.data import DataLoader
    from minidl.datasets import DigitsDataset

    train = DigitsDataset(train=True, transform=transforms.ToTensor())
    for images, labels in DataLoader(train, batch_size=64, shuffle=True):   # (64, 1, 8, 8), (64,)
        ...

This module imports ``minidl.eager``; ``minidl.datasets`` itself does not, and loads it only when one of these
classes is asked for.
"""
import os

from ..eager.utils.data import Dataset
from .digits import IMAGE_SIZE, N_CLASSES, load_digits
from .mnist import find_mnist_file, load_mnist

__all__ = ["DigitsDataset", "MNIST"]


class _ImageDataset(Dataset):
    """Images ``data`` (n, height, width) with labels ``targets`` (n,), and the optional transforms."""

    def __init__(self, data, targets, train, transform, target_transform):
        self.data, self.targets = data, targets
        self.train = train
        self.transform, self.target_transform = transform, target_transform

    def __getitem__(self, index):
        # a copy, so that changing a sample (in place, after ToTensor) never changes the data set
        image, target = self.data[index].copy(), int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Split: {'Train' if self.train else 'Test'}"]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        if self.target_transform is not None:
            lines.append(f"    Target transform: {self.target_transform!r}")
        return "\n".join(lines)


class DigitsDataset(_ImageDataset):
    """The bundled 8x8 handwritten digits (see ``digits.py``): 1438 training or 359 test images.

    Images are float32 (8, 8) arrays with pixels scaled to [0, 1] (``normalize=False``: the original 0..16);
    ``test_fraction`` and ``seed`` choose the split exactly as ``load_digits`` does, so ``train=True`` and
    ``train=False`` with the same arguments never share an image.
    """

    classes = [str(digit) for digit in range(N_CLASSES)]

    def __init__(self, train=True, transform=None, target_transform=None, test_fraction=0.2, seed=0,
                 normalize=True):
        x_train, y_train, x_test, y_test = load_digits(test_fraction, seed, normalize)
        images, labels = (x_train, y_train) if train else (x_test, y_test)
        super().__init__(images.reshape(-1, IMAGE_SIZE, IMAGE_SIZE), labels, train, transform, target_transform)


class MNIST(_ImageDataset):
    """MNIST (or any data set in its IDX files, such as Fashion-MNIST) from files you downloaded yourself.

    ``root`` holds ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``, ``t10k-...`` — directly,
    or in ``root/MNIST/raw`` as torchvision keeps them. Images are uint8 (28, 28) arrays with pixels 0..255.
    minidl never downloads: ``download=True`` is accepted only when the files are already there.
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        self.root = os.path.expanduser(os.fspath(root))
        kind = "train" if train else "t10k"
        folders = [self.root, os.path.join(self.root, "MNIST", "raw")]
        folder = next((f for f in folders if find_mnist_file(f, kind, "images")), self.root)
        try:
            images, labels = load_mnist(folder, kind)
        except FileNotFoundError as error:
            if download:
                raise RuntimeError(f"minidl never downloads data sets, and the MNIST files are not in {self.root} "
                                   "(nor in its MNIST/raw folder): download them yourself and put them there."
                                   ) from error
            raise
        super().__init__(images, labels, train, transform, target_transform)
