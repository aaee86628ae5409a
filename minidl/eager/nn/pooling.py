"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d`` (no parameters; they hold only
the window geometry, checked by the op when called). The 1-D layers pool (N, C, L) or (C, L) input along L, the
3-D ones (N, C, D, H, W) or (C, D, H, W) input over D, H and W."""
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
