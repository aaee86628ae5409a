"""Padding layers: add a border around the last 1, 2 or 3 dims of the input (``F.pad`` as a module).

``padding`` is an int (the same on every side) or a tuple in ``F.pad``'s order, last dim first:
``(left, right)``, ``(left, right, top, bottom)``, ``(left, right, top, bottom, front, back)``. The border holds

* ``ConstantPad*d``: a ``value`` (``ZeroPad*d``: zeros);
* ``ReflectionPad*d``: the input mirrored at its edge, the edge itself not repeated (``[1 2 3]`` -> ``2 [1 2 3] 2``);
* ``ReplicationPad*d``: copies of the edge (``1 [1 2 3] 3``);
* ``CircularPad*d``: the input wrapped around (``3 [1 2 3] 1``).
"""
import numbers

from . import functional as F
from .module import Module


class _PadNd(Module):
    """``dims`` (how many trailing dims are padded) and ``mode`` are set by each subclass."""

    dims, mode = None, None

    def __init__(self, padding):
        super().__init__()
        amounts = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * self.dims)
        if len(amounts) != 2 * self.dims or \
                not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in amounts):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of {2 * self.dims} ints, got "
                             f"{padding!r}")
        self.padding = tuple(int(a) for a in amounts)  # (numpy integers too)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    mode = "constant"

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    dims = 1


class ConstantPad2d(_ConstantPadNd):
    dims = 2


class ConstantPad3d(_ConstantPadNd):
    dims = 3


class _Zeros:
    """Makes a ``ConstantPad*d`` a ``ZeroPad*d``: value 0, and only the padding in the repr."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_Zeros, ConstantPad1d):
    pass


class ZeroPad2d(_Zeros, ConstantPad2d):
    pass


class ZeroPad3d(_Zeros, ConstantPad3d):
    pass


class ReflectionPad1d(_PadNd):
    dims, mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    dims, mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    dims, mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    dims, mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    dims, mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    dims, mode = 3, "replicate"


class CircularPad1d(_PadNd):
    dims, mode = 1, "circular"


class CircularPad2d(_PadNd):
    dims, mode = 2, "circular"


class CircularPad3d(_PadNd):
    dims, mode = 3, "circular"
