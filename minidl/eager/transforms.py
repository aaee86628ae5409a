"""A few image transforms in torchvision's style, for datasets of numpy arrays shaped (C, H, W) or (H, W).

They draw their randomness from minidl's default generator, so ``manual_seed`` (and the DataLoader's per-worker
seeding) make augmentation reproducible.
"""
import numpy

from .. import ops
from .creation import as_array, tensor
from .random import numpy_rng
from .tensor import Tensor


class Compose:
    """Apply transforms one after another."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self):
        return "Compose(\n" + "".join(f"    {t!r}\n" for t in self.transforms) + ")"


class ToTensor:
    """An array (H, W) or (H, W, C) of pixels becomes a float tensor (C, H, W); uint8 values are scaled to
    [0, 1] (as torchvision does for images), floats are kept."""

    def __call__(self, x):
        array = numpy.asarray(x)
        if array.ndim == 2:
            array = array[None]
        elif array.ndim == 3:
            array = array.transpose(2, 0, 1)
        else:
            raise ValueError(f"ToTensor expects an image of 2 or 3 dims, got shape {array.shape}")
        if array.dtype == numpy.uint8:
            array = array / 255.0
        return Tensor._make(numpy.ascontiguousarray(array, dtype=numpy.float32))

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """``(x - mean[c]) / std[c]`` per channel c of an image tensor (..., C, H, W) — one image or a batch — as
    torchvision's: written with tensor ops, so a tensor that requires grad keeps its history (adversarial
    examples normalize inside the model). ``inplace`` changes ``x`` itself."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = mean, std, inplace
        if (numpy.asarray(std, numpy.float32) == 0).any():
            raise ValueError("std evaluated to zero after conversion to float32, leading to division by zero")

    def __call__(self, x):
        if not isinstance(x, Tensor):
            x = Tensor._make(numpy.asarray(as_array(x)))
        if x.ndim < 3:
            raise TypeError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                            f"{x.shape}.")
        shape = (-1, 1, 1)  # the channel dim is the third from the end
        mean, std = (ops.reshape(tensor(v, dtype=x.dtype, device=x.device), shape) for v in (self.mean, self.std))
        return x.sub_(mean).div_(std) if self.inplace else (x - mean) / std

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p``."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, x):
        if numpy_rng().random() < self.p:
            array = x._data if isinstance(x, Tensor) else numpy.asarray(x)
            flipped = numpy.ascontiguousarray(array[..., ::-1])
            return Tensor._make(flipped) if isinstance(x, Tensor) else flipped
        return x

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


class RandomCrop:
    """A random ``size`` window of the last two dims, after zero-padding each side by ``padding``."""

    def __init__(self, size, padding=0, fill=0):
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.padding, self.fill = padding, fill

    def __call__(self, x):
        array = x._data if isinstance(x, Tensor) else numpy.asarray(x)
        if self.padding:
            pads = [(0, 0)] * (array.ndim - 2) + [(self.padding, self.padding)] * 2
            array = numpy.pad(array, pads, constant_values=self.fill)
        h, w = array.shape[-2:]
        th, tw = self.size
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: required crop size {self.size} is larger than the (padded) input {(h, w)}")
        rng = numpy_rng()
        top, left = int(rng.integers(0, h - th + 1)), int(rng.integers(0, w - tw + 1))
        crop = numpy.ascontiguousarray(array[..., top:top + th, left:left + tw])
        return Tensor._make(crop) if isinstance(x, Tensor) else crop

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"
