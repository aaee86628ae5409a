"""Fully connected layers (``Linear``, ``Bilinear``) and the shape-only modules ``Identity``, ``Flatten``,
``Unflatten``.

The default initialisation is PyTorch's: the weight from ``kaiming_uniform_(a=√5)``, which works out to
``U(-1/√fan_in, 1/√fan_in)`` (gain √(2/(1+5)) = √(1/3), bound = gain·√(3/fan_in)), and the bias from the same
``U(-1/√fan_in, 1/√fan_in)``.
"""
import math
import operator

from ... import ops
from ..creation import empty
from . import functional as F, init
from .module import Module
from .parameter import Parameter


def layer_count(layer, what, value, minimum=0):
    """A count in a layer's constructor (features, channels, groups): an int >= ``minimum`` (0 features are
    allowed, as in PyTorch: an empty layer), or anything that is one exactly, as PyTorch reads them through
    ``__index__``: a numpy integer (``nn.Linear(np.prod(image_shape), 512)``), a 0-d integer tensor."""
    if not isinstance(value, bool):
        try:
            count = operator.index(value)
        except TypeError:
            count = None
        if count is not None and count >= minimum:
            return count
    raise ValueError(f"{layer}: {what} must be a {'positive' if minimum else 'non-negative'} int, got {value!r}")


def reset_fan_in_uniform(weight, bias, fan_in):
    """PyTorch's default for Linear and convolutions: weight ``kaiming_uniform_(a=√5)``, bias
    ``U(-1/√fan_in, 1/√fan_in)`` (``fan_in`` as the weight's; 0 when it is 0: a layer of no inputs outputs 0)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored, as in PyTorch): a placeholder layer."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x Wᵀ + b``: ``x`` (..., in_features) -> ``y`` (..., out_features); ``weight`` is (out_features,
    in_features), ``bias`` (out_features,)."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = layer_count("Linear", "in_features", in_features)
        self.out_features = layer_count("Linear", "out_features", out_features)
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype, device=device))
        self.register_parameter("bias", Parameter(empty(out_features, dtype=dtype, device=device)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        reset_fan_in_uniform(self.weight, self.bias, self.in_features)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """``y_k = x1ᵀ W_k x2 + b_k``: ``weight`` (out_features, in1_features, in2_features), ``bias``
    (out_features,), both initialised ``U(-1/√in1_features, 1/√in1_features)`` as in PyTorch."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features = layer_count("Bilinear", "in1_features", in1_features)
        self.in2_features = layer_count("Bilinear", "in2_features", in2_features)
        self.out_features = layer_count("Bilinear", "out_features", out_features)
        self.weight = Parameter(empty(out_features, in1_features, in2_features, dtype=dtype, device=device))
        self.register_parameter("bias", Parameter(empty(out_features, dtype=dtype, device=device)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in1_features) if self.in1_features else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Flatten(Module):
    """Flattens dims ``start_dim`` .. ``end_dim`` into one (by default all but the batch dim)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return ops.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dim ``dim`` into ``unflattened_size`` (whose product must be that dim's size; one entry may be -1)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not all(
                isinstance(n, int) and not isinstance(n, bool) for n in unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got {unflattened_size!r}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        dim = self.dim % input.ndim if -input.ndim <= self.dim < input.ndim else None
        if dim is None:
            raise IndexError(f"Unflatten: dim {self.dim} is out of range for an input with {input.ndim} dims")
        shape = tuple(input.shape)
        return ops.reshape(input, shape[:dim] + self.unflattened_size + shape[dim + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
