"""2-D convolution layers: ``Conv2d`` and ``ConvTranspose2d`` (NCHW, PyTorch's arguments and defaults).

Weights: ``Conv2d`` (out_channels, in_channels/groups, KH, KW); ``ConvTranspose2d`` (in_channels,
out_channels/groups, KH, KW) — the transposed convolution is the gradient of a convolution that maps out to in,
so its weight is laid out like that convolution's. Both are initialised like ``Linear``: ``kaiming_uniform_(a=√5)``
for the weight and ``U(-1/√fan_in, 1/√fan_in)`` for the bias, fan_in computed from the weight's shape
(``weight.shape[1] * KH * KW``).
"""
from ...ops.conv import pair
from ..creation import empty
from . import functional as F, init
from .linear import reset_fan_in_uniform
from .module import Module
from .parameter import Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What both convolutions share: checked geometry, the parameters, their initialisation and the repr."""

    def __init__(self, name, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                 padding_mode, output_padding, transposed, device, dtype):
        super().__init__()
        for what, value in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if what == "groups" else 0):
                raise ValueError(f"{name}: {what} must be a {'positive' if what == 'groups' else 'non-negative'} "
                                 f"int, got {value!r}")
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) must be divisible by groups ({groups})")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by groups ({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {list(_PADDING_MODES)}, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = pair(name, kernel_size, "kernel_size", 1)
        self.stride = pair(name, stride, "stride", 1)
        self.dilation = pair(name, dilation, "dilation", 1)
        self.output_padding = pair(name, output_padding, "output_padding", 0)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of ['valid', 'same']")
            if padding == "same" and self.stride != (1, 1):
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = pair(name, padding, "padding", 0)
        self.padding_mode = padding_mode
        self.transposed = transposed
        shape = ((in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups))
        self.weight = Parameter(empty(*shape, *self.kernel_size, dtype=dtype, device=device))
        self.register_parameter("bias", Parameter(empty(out_channels, dtype=dtype, device=device)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
        reset_fan_in_uniform(self.weight, self.bias, fan_in)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0, 0):
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

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__("Conv2d", in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, False, device, dtype)

    def _pad_amounts(self):
        """(left, right, top, bottom) for ``F.pad``: as the op would pad, for the non-zero padding modes."""
        if self.padding == "valid":
            return (0, 0, 0, 0)
        if self.padding == "same":
            totals = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            (top, bottom), (left, right) = ((t // 2, t - t // 2) for t in totals)
            return (left, right, top, bottom)
        ph, pw = self.padding
        return (pw, pw, ph, ph)

    def forward(self, input):
        if self.padding_mode == "zeros":
            return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        padded = F.pad(input, self._pad_amounts(), mode=self.padding_mode)
        return F.conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """The transposed convolution ("deconvolution"): the gradient of ``Conv2d`` with respect to its input, used
    to upsample. Output height: ``(H - 1)·stride - 2·padding + dilation·(KH - 1) + output_padding + 1``.

    ``forward(input, output_size=None)``: a strided convolution maps several input sizes to the same output
    size; ``output_size`` picks which one to invert (it sets ``output_padding`` for that call).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for ConvTranspose2d, got {padding_mode!r}')
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair of ints, got {padding!r}")
        super().__init__("ConvTranspose2d", in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, True, device, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        wanted = tuple(output_size)[-2:]
        if len(wanted) != 2:
            raise ValueError(f"ConvTranspose2d: output_size must have 2 or more elements (H, W), got {output_size}")
        result = []
        for d, n in enumerate(wanted):
            smallest = ((input.shape[d - 2] - 1) * self.stride[d] - 2 * self.padding[d]
                        + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            if not smallest <= n < smallest + self.stride[d]:
                raise ValueError(f"ConvTranspose2d: requested an output size of {list(wanted)}, but valid sizes "
                                 f"range from {smallest} to {smallest + self.stride[d] - 1} in dim {d} (for an "
                                 f"input of {list(input.shape[-2:])})")
            result.append(n - smallest)
        return tuple(result)

    def forward(self, input, output_size=None):
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups, self.dilation)
