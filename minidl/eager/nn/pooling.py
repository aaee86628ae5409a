"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d``, ``LPPool1d/2d/3d`` and the
unpooling ``MaxUnpool1d/2d/3d`` (no parameters; they hold only the window geometry, checked by the op when
called). The 1-D layers pool (N, C, L) or (C, L) input along L, the 3-D ones (N, C, D, H, W) or (C, D, H, W)
input over D, H and W."""
from . import functional as F
from .module import Module


class _MaxPoolNd(Module):
    """The largest value in each ``kernel_size`` window, windows ``stride`` apart (default: ``kernel_size``,
    so they tile the input). ``return_indices=True`` also returns where each maximum was."""

    function = None  # the nn.functional form

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return self.function(input, self.kernel_size, self.stride, self.padding, self.dilation,
                             ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    __doc__ = _MaxPoolNd.__doc__ + " Along the last dim of (N, C, L) or (C, L) input."
    function = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    __doc__ = _MaxPoolNd.__doc__ + " Over the last two dims of (N, C, H, W) or (C, H, W) input."
    function = staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    __doc__ = _MaxPoolNd.__doc__ + " Over the last three dims of (N, C, D, H, W) or (C, D, H, W) input."
    function = staticmethod(F.max_pool3d)


class AvgPool1d(Module):
    """The mean of each ``kernel_size`` window along the last dim of (N, C, L) or (C, L) input. Zero padding
    counts in the divisor unless ``count_include_pad=False``. (Its sizes are kept as 1-tuples, as in PyTorch.)"""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        single = (lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,))
        self.kernel_size = single(kernel_size)
        self.stride = single(kernel_size if stride is None else stride)
        self.padding = single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    """The mean of each ``kernel_size`` window. Zero padding counts in the divisor unless
    ``count_include_pad=False``; ``divisor_override`` replaces the divisor."""

    function = None  # the nn.functional form

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return self.function(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    __doc__ = _AvgPoolNd.__doc__ + " Over the last two dims of (N, C, H, W) or (C, H, W) input."
    function = staticmethod(F.avg_pool2d)


class AvgPool3d(_AvgPoolNd):
    __doc__ = _AvgPoolNd.__doc__ + " Over the last three dims of (N, C, D, H, W) or (C, D, H, W) input."
    function = staticmethod(F.avg_pool3d)


class _AdaptiveAvgPoolNd(Module):
    """Average down to a fixed ``output_size`` whatever the input size: the windows are placed so they cover the
    input evenly. Output size 1 is global average pooling."""

    function = None  # the nn.functional form

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return self.function(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    __doc__ = _AdaptiveAvgPoolNd.__doc__ + " Along the last dim of (N, C, L) or (C, L) input (an int size)."
    function = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    __doc__ = _AdaptiveAvgPoolNd.__doc__ + (" Over (N, C, H, W) or (C, H, W) input; ``output_size`` is an int or a "
                                            "pair whose None entries keep that input size.")
    function = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    __doc__ = _AdaptiveAvgPoolNd.__doc__ + (" Over (N, C, D, H, W) or (C, D, H, W) input; ``output_size`` is an int "
                                            "or a triple whose None entries keep that input size.")
    function = staticmethod(F.adaptive_avg_pool3d)


class _MaxUnpoolNd(Module):
    """A partial inverse of max pooling: ``forward(input, indices, output_size=None)`` writes each value of
    ``input`` at its position from ``indices`` (what the max pooling returned with ``return_indices=True``) into
    zeros; the other positions stay 0. ``output_size`` picks among the sizes that pool to the input's (the
    default is ``(in - 1) * stride - 2 * padding + kernel_size``). The sizes are kept as tuples, as in PyTorch."""

    function = None  # the nn.functional form
    dims = None  # the number of spatial dims

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        as_tuple = (lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,) * self.dims)
        self.kernel_size = as_tuple(kernel_size)
        self.stride = as_tuple(kernel_size if stride is None else stride)
        self.padding = as_tuple(padding)

    def forward(self, input, indices, output_size=None):
        return self.function(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    __doc__ = _MaxUnpoolNd.__doc__ + " Along the last dim of (N, C, L) or (C, L) input."
    function, dims = staticmethod(F.max_unpool1d), 1


class MaxUnpool2d(_MaxUnpoolNd):
    __doc__ = _MaxUnpoolNd.__doc__ + " Over the last two dims of (N, C, H, W) or (C, H, W) input."
    function, dims = staticmethod(F.max_unpool2d), 2


class MaxUnpool3d(_MaxUnpoolNd):
    __doc__ = _MaxUnpoolNd.__doc__ + " Over the last three dims of (N, C, D, H, W) or (C, D, H, W) input."
    function, dims = staticmethod(F.max_unpool3d), 3


class _LPPoolNd(Module):
    """The ``norm_type``-norm ``(sum x^p)^(1/p)`` of each ``kernel_size`` window, windows ``stride`` apart
    (default: ``kernel_size``); p = 1 is sum pooling, p = inf max pooling of |x|."""

    function = None  # the nn.functional form

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input):
        return self.function(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    __doc__ = _LPPoolNd.__doc__ + " Along the last dim of (N, C, L) or (C, L) input (an int kernel_size)."
    function = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    __doc__ = _LPPoolNd.__doc__ + " Over the last two dims of (N, C, H, W) or (C, H, W) input."
    function = staticmethod(F.lp_pool2d)


class LPPool3d(_LPPoolNd):
    __doc__ = _LPPoolNd.__doc__ + " Over the last three dims of (N, C, D, H, W) or (C, D, H, W) input."
    function = staticmethod(F.lp_pool3d)
