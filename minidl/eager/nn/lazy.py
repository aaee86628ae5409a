"""Lazy layers (``LazyLinear``, ``LazyConv2d``, ``LazyBatchNorm2d``, ...): a layer whose input size — ``in_features``,
``in_channels`` or ``num_features`` — is read from its first input, so a model can be written without working out
the size of a flattened feature map by hand (the d2l.ai book builds every CNN this way).

Until that first call the layer is the ordinary one built with size 0, its parameters of unknown shape
``UninitializedParameter``s holding no entries (PyTorch's have no shape at all). The call builds the ordinary layer with the size it read, moves that layer's
freshly initialised values and buffers into this one's tensors *in place* — the same Parameter objects, so an
optimizer made before the first call holds the right ones, as in PyTorch — and turns the module into that ordinary
class (PyTorch's ``cls_to_become``).
"""
from ..grad_mode import no_grad
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear
from .more_layers import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .parameter import Parameter, UninitializedParameter


class _LazyModule:
    """Mixin before the ordinary class: ``cls_to_become`` is that class, whose first argument is the input size;
    ``_size_of(input)`` reads it."""
    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(0, *args, **kwargs)
        self._lazy_arguments = (args, kwargs)
        for parameter in self._parameters.values():
            if parameter is not None and parameter.numel() == 0:  # (a bias's size does not depend on the input)
                parameter.__class__ = UninitializedParameter

    def forward(self, input, *args, **kwargs):
        with no_grad():
            self._materialize(self._size_of(input))
        return self.forward(input, *args, **kwargs)

    def _load_from_state_dict(self, state_dict, prefix, *rest):
        """A state_dict loaded before the first call says the input size, as PyTorch's lazy layers take the shapes
        of the tensors loaded into them: the layer is built with it, as its first call would build it, then
        loaded as the ordinary layer loads."""
        size = self._size_in(state_dict, prefix)
        if size is None:
            return super()._load_from_state_dict(state_dict, prefix, *rest)
        with no_grad():
            self._materialize(size)
        return self._load_from_state_dict(state_dict, prefix, *rest)  # (now the ordinary class's)

    def _size_in(self, state_dict, prefix):
        """The input size for which this layer's uninitialized parameters get the shapes ``state_dict`` holds for
        them, or None if it holds none. A layer built for size ``groups`` (1 but for grouped convolutions) shows
        which dim grows with the size, and by what factor (a convolution's weight holds ``size / groups``)."""
        loaded = next(((name, tuple(state_dict[prefix + name].shape)) for name, p in self._parameters.items()
                       if isinstance(p, UninitializedParameter) and prefix + name in state_dict), None)
        if loaded is None:
            return None
        name, shape = loaded
        arguments, keywords = self._lazy_arguments
        smallest = getattr(self, "groups", 1)
        built = tuple(getattr(self.cls_to_become(smallest, *arguments, **keywords), name).shape)
        grown = [d for d, (n, m) in enumerate(zip(shape, built)) if n != m]
        return smallest * shape[grown[0]] // built[grown[0]] if grown and len(shape) == len(built) else smallest

    def _materialize(self, size):
        arguments, keywords = self._lazy_arguments
        built = self.cls_to_become(size, *arguments, **keywords)
        for table in ("_parameters", "_buffers"):
            mine = getattr(self, table)
            for name, tensor in getattr(built, table).items():
                if mine.get(name) is None or tensor is None:
                    mine[name] = tensor
                else:  # (in this module's dtype and device: it may have been moved before its first call)
                    mine[name]._data = tensor.to(dtype=mine[name].dtype, device=mine[name].device)._data
                    if isinstance(mine[name], UninitializedParameter):
                        mine[name].__class__ = Parameter
        self.__dict__.update((key, value) for key, value in vars(built).items() if not key.startswith("_"))
        del self._lazy_arguments
        self.__class__ = self.cls_to_become


class _LazyLastDim(_LazyModule):
    def _size_of(self, input):
        return int(input.shape[-1])


class _LazyChannels(_LazyModule):
    """The channels: dim 1 of a batched input (N, C, *spatial), dim 0 of an unbatched one."""
    spatial_dims = None  # (None: the input is always batched, as BatchNorm's)

    def _size_of(self, input):
        unbatched = self.spatial_dims is not None and input.ndim == self.spatial_dims + 1
        return int(input.shape[0 if unbatched else 1])


class _LazyNorm(_LazyChannels):
    """A lazy norm layer is affine and tracks running statistics by default, as PyTorch's ``_LazyNormBase`` — the
    instance norms too, whose ordinary classes default both to False."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None):
        super().__init__(eps, momentum, affine, track_running_stats, device=device, dtype=dtype)


def _lazy(ordinary, base, spatial_dims=None):
    """The lazy class of the layer class ``ordinary``."""
    return type(f"Lazy{ordinary.__name__}", (base, ordinary),
                {"cls_to_become": ordinary, "spatial_dims": spatial_dims, "__module__": __name__,
                 "__doc__": f"``{ordinary.__name__}`` with its input size read from its first input."})


LazyLinear = _lazy(Linear, _LazyLastDim)
LazyConv1d, LazyConv2d, LazyConv3d = (_lazy(c, _LazyChannels, n) for n, c in enumerate((Conv1d, Conv2d, Conv3d), 1))
LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d = (
    _lazy(c, _LazyChannels, n) for n, c in enumerate((ConvTranspose1d, ConvTranspose2d, ConvTranspose3d), 1))
LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d = (_lazy(c, _LazyNorm) for c in (BatchNorm1d, BatchNorm2d, BatchNorm3d))
LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d = (
    _lazy(c, _LazyNorm, n) for n, c in enumerate((InstanceNorm1d, InstanceNorm2d, InstanceNorm3d), 1))

__all__ = ["LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d"]
