"""Normalization layers: ``BatchNorm1d``, ``BatchNorm2d``, ``BatchNorm3d``, ``SyncBatchNorm``, ``LayerNorm``,
``GroupNorm``, ``RMSNorm``.

Each standardizes its input over some dims and then applies a learned per-feature scale ``weight`` (initialised
to ones) and shift ``bias`` (zeros)::

    y = (x - mean) / sqrt(var + eps) * weight + bias

(``RMSNorm`` only rescales: ``y = x / sqrt(mean(x²) + eps) * weight``.)

**Batch norm's running statistics.** In training mode batch norm normalizes with the batch's own mean and
(biased) variance, and keeps an exponential moving average of them in the buffers ``running_mean`` and
``running_var``, updated in place after every batch::

    running = (1 - momentum) * running + momentum * batch_statistic        (the variance taken unbiased)

``momentum=None`` makes it a plain cumulative average instead (momentum = 1 / number of batches seen, counted
in the buffer ``num_batches_tracked``). In ``eval()`` mode the running statistics are used, so a prediction
no longer depends on the other samples of the batch.
"""
import numbers

from ...backend import dtypes
from ...ops.base import is_tensor
from ..creation import empty, ones, tensor, zeros
from ..grad_mode import no_grad
from . import functional as F, init
from .module import Module
from .parameter import Parameter


def _add_affine(module, shape, affine, bias, factory):
    """Register the per-feature ``weight`` (scale) and ``bias`` (shift) of shape ``shape`` — or None for each
    one switched off. ``reset_parameters`` then sets them to ones and zeros."""
    module.register_parameter("weight", Parameter(empty(*shape, **factory)) if affine else None)
    module.register_parameter("bias", Parameter(empty(*shape, **factory)) if affine and bias else None)


def _reset_affine(module):
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


def _shape_tuple(normalized_shape, layer):
    """``normalized_shape`` (an int or a sequence of ints) as a tuple of ints; anything else (a float, a string,
    whose characters would pass for digits) is a TypeError naming the ``layer``."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    if isinstance(normalized_shape, (str, bytes)) or not hasattr(normalized_shape, "__iter__") or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in normalized_shape):
        raise TypeError(f"{layer}: normalized_shape must be an int or a sequence of ints, got {normalized_shape!r}")
    return tuple(int(n) for n in normalized_shape)


class _NormBase(Module):
    """What batch norm and instance norm share (PyTorch's ``_NormBase``): the per-channel ``weight`` and
    ``bias``, the running-statistics buffers, their resets, and the repr."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        factory = dict(dtype=dtype, device=device)
        _add_affine(self, (num_features,), affine, bias, factory)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, **factory))
            self.register_buffer("running_var", ones(num_features, **factory))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=dtypes.int64, device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    #: version 2 added the buffer ``num_batches_tracked`` (``Module._version``)
    _version = 2

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, *rest):
        """As PyTorch: a checkpoint from before ``num_batches_tracked`` existed (version 1, or no version: a
        converted one) keeps the module's own count instead of being reported as missing; from a version-2
        checkpoint, a missing count is missing."""
        key = prefix + "num_batches_tracked"
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats and key not in state_dict:
            state_dict[key] = self.num_batches_tracked  # (state_dict is load_state_dict's own copy)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *rest)

    def reset_running_stats(self):
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self):
        self.reset_running_stats()
        _reset_affine(self)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """Shared by ``BatchNorm1d/2d/3d`` (the class to test with ``isinstance`` for "any batch norm"); subclasses
    say which input dims they accept."""

    _accepted_dims = ()

    def _check_input_dim(self, input):
        if input.ndim not in self._accepted_dims:
            wanted = " or ".join(f"{n}D" for n in self._accepted_dims)
            raise ValueError(f"{type(self).__name__}: expected {wanted} input (got {input.ndim}D input)")

    def forward(self, input):
        if not is_tensor(input):
            raise TypeError(f"{type(self).__name__}: expected a Tensor input, got {type(input).__name__}")
        self._check_input_dim(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative average: the k-th batch gets weight 1/k
                momentum = 1.0 / int(self.num_batches_tracked)
        # batch statistics in training mode, and also in eval mode when there are no running statistics
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        # the running statistics are read in eval mode, and updated in training mode only when tracked
        keep = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep else None, self.running_var if keep else None,
                            self.weight, self.bias, use_batch_stats, momentum, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch norm of (N, C) or (N, C, L) inputs: each of the C features over N (and L)."""
    _accepted_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm of (N, C, H, W) inputs: each channel over N, H and W."""
    _accepted_dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch norm of (N, C, D, H, W) inputs: each channel over N, D, H and W."""
    _accepted_dims = (5,)


class SyncBatchNorm(_BatchNorm):
    """Batch norm of inputs (N, C, ...) of any rank >= 2, each channel over all the other dims. In PyTorch it
    gathers the statistics from every process of ``process_group``; minidl runs in one process (see
    ``torch.distributed``), where that is the batch's own statistics: ``BatchNorm`` of the input's rank.
    ``process_group`` is kept for the programs that set it."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """``module`` with every batch norm layer in it (``BatchNorm1d/2d/3d``, itself or at any depth) replaced
        by a ``SyncBatchNorm`` holding the same parameters and buffers (the very tensors, so ``requires_grad``
        stays as it was) and the same training flag."""
        converted = module
        if isinstance(module, _BatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group, bias=module.bias is not None)
            if module.affine:
                converted.weight, converted.bias = module.weight, module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                setattr(converted, name, getattr(module, name))
            converted.training = module.training
        for name, child in list(module.named_children()):
            converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted


class LayerNorm(Module):
    """Normalizes each sample over its last dims, which must have the shape ``normalized_shape``; ``weight`` and
    ``bias`` (with ``elementwise_affine``) have that shape too. No running statistics: training and evaluation
    compute the same thing."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape, "LayerNorm")
        self.eps, self.elementwise_affine = eps, elementwise_affine
        _add_affine(self, self.normalized_shape, elementwise_affine, bias, dict(dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Splits the ``num_channels`` channels into ``num_groups`` groups and normalizes each (sample, group) over
    its channels and spatial positions; then a per-channel ``weight`` and ``bias`` (with ``affine``). One
    group is LayerNorm over (C, H, W); C groups is InstanceNorm."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _add_affine(self, (num_channels,), affine, bias, dict(dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """Root-mean-square layer normalization (Zhang & Sennrich, 2019): each sample is divided by the root mean
    square of its last dims, which must have the shape ``normalized_shape``, then scaled by a learned ``weight``
    of that shape (ones at first; only with ``elementwise_affine``)::

        y = x / sqrt(mean(x²) + eps) * weight

    Unlike ``LayerNorm`` no mean is subtracted and there is no bias: cheaper, and as good in transformers.
    ``eps=None`` means the machine epsilon of the input's dtype (``finfo(x.dtype).eps``)."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape, "RMSNorm")
        self.eps, self.elementwise_affine = eps, elementwise_affine
        weight = Parameter(empty(*self.normalized_shape, dtype=dtype, device=device)) if elementwise_affine else None
        self.register_parameter("weight", weight)
        self.reset_parameters()

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x):  # (PyTorch names RMSNorm's input x)
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
