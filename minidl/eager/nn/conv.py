"""Convolution layers: ``Conv2d`` and ``ConvTranspose2d`` (NCHW), ``Conv1d`` and ``ConvTranspose1d`` (NCL),
``Conv3d`` and ``ConvTranspose3d`` (NCDHW), with PyTorch's arguments and defaults.

Weights: ``Conv2d`` (out_channels, in_channels/groups, KH, KW); ``ConvTranspose2d`` (in_channels,
out_channels/groups, KH, KW) — the transposed convolution is the gradient of a convolution that maps out to in,
so its weight is laid out like that convolution's. The 1-D and 3-D layers have the same layouts with one kernel
dim (K) or three (KD, KH, KW).
All are initialised like ``Linear``: ``kaiming_uniform_(a=√5)`` for the weight and ``U(-1/√fan_in, 1/√fan_in)``
for the bias, fan_in computed from the weight's shape (``weight.shape[1] * KH * KW``).
"""
from ...ops.conv_checks import ntuple
from ..creation import empty
from . import functional as F, init
from .linear import layer_count, reset_fan_in_uniform
from .module import Module
from .parameter import Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What every convolution shares: checked geometry, the parameters, their initialisation and the repr.
    ``dims`` is the number of spatial dims (each geometry argument is a tuple of that many ints)."""

    dims = 2
    function = None  # the nn.functional form

    def __init__(self, name, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                 padding_mode, output_padding, transposed, device, dtype):
        super().__init__()
        in_channels = layer_count(name, "in_channels", in_channels)
        out_channels = layer_count(name, "out_channels", out_channels)
        groups = layer_count(name, "groups", groups, minimum=1)
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) must be divisible by groups ({groups})")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by groups ({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {list(_PADDING_MODES)}, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        n = self.dims
        self.kernel_size = ntuple(name, kernel_size, "kernel_size", 1, n)
        self.stride = ntuple(name, stride, "stride", 1, n)
        self.dilation = ntuple(name, dilation, "dilation", 1, n)
        self.output_padding = ntuple(name, output_padding, "output_padding", 0, n)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of ['valid', 'same']")
            if padding == "same" and self.stride != (1,) * n:
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = ntuple(name, padding, "padding", 0, n)
        self.padding_mode = padding_mode
        self.transposed = transposed
        shape = ((in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups))
        self.weight = Parameter(empty(*shape, *self.kernel_size, dtype=dtype, device=device))
        self.register_parameter("bias", Parameter(empty(out_channels, dtype=dtype, device=device)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
        reset_fan_in_uniform(self.weight, self.bias, fan_in)

    def _pad_amounts(self):
        """The padding as ``F.pad`` amounts, last dim first: (left, right[, top, bottom]). "same" pads
        ``d·(k - 1)`` in total along each dim, the odd one at the end (as the op does)."""
        if self.padding == "valid":
            return (0, 0) * self.dims
        if self.padding == "same":
            totals = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            amounts = [(t // 2, t - t // 2) for t in totals]
        else:
            amounts = [(p, p) for p in self.padding]
        return tuple(a for before_after in reversed(amounts) for a in before_after)

    def forward(self, input):
        if self.padding_mode == "zeros":
            return self.function(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                                 self.groups)
        padded = F.pad(input, self._pad_amounts(), mode=self.padding_mode)
        return self.function(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self):
        zeros, ones = (0,) * self.dims, (1,) * self.dims
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != zeros:
            s += f", padding={self.padding}"
        if self.dilation != ones:
            s += f", dilation={self.dilation}"
        if self.output_padding != zeros:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """``out[n, o] = bias[o] + Σ_c Σ_(i,j) weight[o, c, i, j] · x_padded[n, c, s·h + d·i, s·w + d·j]`` (a
    cross-correlation, like every framework's "convolution"); with ``groups`` the channels are split into
    groups that only see each other.

    ``padding``: an int, a pair, ``"valid"`` (none) or ``"same"`` (output as large as the input; stride 1).
    ``padding_mode``: what the padding is filled with — ``"zeros"``, or ``"reflect"``, ``"replicate"``,
    ``"circular"`` copies of the input (done by ``F.pad`` before an unpadded convolution).
    """

    function = staticmethod(F.conv2d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__("Conv2d", in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, False, device, dtype)


class Conv1d(_ConvNd):
    """``Conv2d`` along one dim: input (N, C, L) or (C, L), weight (out_channels, in_channels/groups, K). The
    arguments are ints (or one-element tuples); ``padding`` may also be "valid" or "same"."""

    dims = 1
    function = staticmethod(F.conv1d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__("Conv1d", in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, False, device, dtype)


class Conv3d(_ConvNd):
    """``Conv2d`` over volumes: input (N, C, D, H, W) or (C, D, H, W), weight (out_channels,
    in_channels/groups, KD, KH, KW). The arguments are ints or triples; ``padding`` may also be "valid" or
    "same"."""

    dims = 3
    function = staticmethod(F.conv3d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__("Conv3d", in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, False, device, dtype)


class _ConvTransposeNd(_ConvNd):
    """What both transposed convolutions share: only zero padding, and ``output_size`` at call time.

    ``forward(input, output_size=None)``: a strided convolution maps several input sizes to the same output
    size; ``output_size`` picks which one to invert (it sets ``output_padding`` for that call)."""

    function = None

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                 dilation, padding_mode, device, dtype):
        name = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}, got {padding_mode!r}')
        if isinstance(padding, str):
            raise ValueError(f"{name}: padding must be an int or a tuple of ints, got {padding!r}")
        super().__init__(name, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding, True, device, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        name, n = type(self).__name__, self.dims
        wanted = tuple(output_size)[-n:]
        if len(wanted) != n:
            raise ValueError(f"{name}: output_size must have {n} or more elements, got {output_size}")
        result = []
        for d, size in enumerate(wanted):
            smallest = ((input.shape[d - n] - 1) * self.stride[d] - 2 * self.padding[d]
                        + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            if not smallest <= size < smallest + self.stride[d]:
                raise ValueError(f"{name}: requested an output size of {list(wanted)}, but valid sizes range from "
                                 f"{smallest} to {smallest + self.stride[d] - 1} in dim {d} (for an input of "
                                 f"{list(input.shape[-n:])})")
            result.append(size - smallest)
        return tuple(result)

    def forward(self, input, output_size=None):
        return self.function(input, self.weight, self.bias, self.stride, self.padding,
                             self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """The transposed convolution ("deconvolution"): the gradient of ``Conv2d`` with respect to its input, used
    to upsample. Output height: ``(H - 1)·stride - 2·padding + dilation·(KH - 1) + output_padding + 1``."""

    function = staticmethod(F.conv_transpose2d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)


class ConvTranspose1d(_ConvTransposeNd):
    """``ConvTranspose2d`` along one dim: input (N, C_in, L) or (C_in, L), weight (in_channels,
    out_channels/groups, K). Output length ``(L - 1)·stride - 2·padding + dilation·(K - 1) + output_padding + 1``."""

    dims = 1
    function = staticmethod(F.conv_transpose1d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)


class ConvTranspose3d(_ConvTransposeNd):
    """``ConvTranspose2d`` over volumes: input (N, C_in, D, H, W) or (C_in, D, H, W), weight (in_channels,
    out_channels/groups, KD, KH, KW); each output size is ``(in - 1)·stride - 2·padding + dilation·(k - 1) +
    output_padding + 1``."""

    dims = 3
    function = staticmethod(F.conv_transpose3d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)
