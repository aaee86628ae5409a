"""More layers, each a thin module over its ``nn.functional`` form (in ``layer_functions.py``):

* ``EmbeddingBag`` — the sum / mean / max of the embeddings of each bag of ids;
* ``InstanceNorm1d`` / ``InstanceNorm2d`` — normalise each sample's channels over their own positions;
* ``AdaptiveMaxPool1d`` / ``2d`` / ``3d`` — max pooling down to a fixed output size;
* ``PixelShuffle`` / ``PixelUnshuffle`` — trade channels for resolution and back;
* ``Fold`` / ``Unfold`` — sliding patches to columns (im2col) and back.
"""
import warnings

from ... import ops
from ..creation import empty
from ..grad_mode import no_grad
from . import functional as F, init
from .module import Module
from .normalization import _NormBase
from .parameter import Parameter


class EmbeddingBag(Module):
    """A (num_embeddings, embedding_dim) table, ``N(0, 1)`` initialised, reduced per bag: ``forward(input,
    offsets=None, per_sample_weights=None)`` returns one ``embedding_dim`` vector per bag — the ``mode`` ("mean",
    "sum" or "max") of its ids' rows. Bags are the rows of a 2-D ``input``, or a 1-D ``input`` cut at
    ``offsets``. Ids equal to ``padding_idx`` are left out (that row starts at zero and gets no gradient).
    Like ``Embedding(...)`` followed by a reduction, without building the lookups. With ``sparse=True`` (modes
    "sum" and "mean") the weight's gradient is a sparse COO tensor of the rows looked up."""

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
                 dtype=None):
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"EmbeddingBag: padding_idx must be within num_embeddings ({num_embeddings}), got "
                                 f"{padding_idx}")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.mode, self.sparse, self.include_last_offset = mode, sparse, include_last_offset
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=dtype, device=device))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"EmbeddingBag: shape of weight {list(_weight.shape)} does not match "
                                 f"num_embeddings and embedding_dim ({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(_weight)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                               self.mode, self.sparse, per_sample_weights, self.include_last_offset,
                               self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
        """An EmbeddingBag whose table is ``embeddings`` (2-D; shared, not copied), frozen unless ``freeze=False``."""
        if embeddings.ndim != 2:
            raise ValueError(f"EmbeddingBag.from_pretrained: embeddings must be 2-D, got shape "
                             f"{list(embeddings.shape)}")
        rows, cols = embeddings.shape
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings, include_last_offset,
                  padding_idx)
        bag.weight.requires_grad_(not freeze)
        return bag


class _InstanceNorm(_NormBase):
    """Shared by ``InstanceNorm1d`` / ``InstanceNorm2d``: the parameters, buffers and repr of batch norm
    (``weight``/``bias`` only with ``affine``, running statistics only with ``track_running_stats`` — both off
    by default), but each sample normalised on its own (``F.instance_norm``). Unbatched input is accepted."""

    _unbatched_dims = 0  # the number of dims of an unbatched input (C, ...)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input):
        unbatched = self._unbatched_dims
        if input.ndim not in (unbatched, unbatched + 1):
            raise ValueError(f"expected {unbatched}D or {unbatched + 1}D input (got {input.ndim}D input)")
        feature_dim = input.ndim - unbatched
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          UserWarning, stacklevel=3)
        x = ops.unsqueeze(input, 0) if input.ndim == unbatched else input
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            self.momentum if self.momentum is not None else 0.0, self.eps)
        return ops.squeeze(y, 0) if input.ndim == unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance norm of (N, C, L) or unbatched (C, L) input: each (sample, channel) over L."""
    _unbatched_dims = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance norm of (N, C, H, W) or unbatched (C, H, W) input: each (sample, channel) over H and W (the
    normalisation of style transfer networks)."""
    _unbatched_dims = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance norm of (N, C, D, H, W) or unbatched (C, D, H, W) input: each (sample, channel) over D, H and W."""
    _unbatched_dims = 4


class _AdaptiveMaxPoolNd(Module):
    """The maximum over each of ``output_size`` windows placed evenly over the input, whatever its size;
    ``return_indices=True`` also returns where each maximum was."""

    function = None  # the nn.functional form

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return self.function(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    __doc__ = _AdaptiveMaxPoolNd.__doc__ + " Along the last dim of (N, C, L) or (C, L) input (an int size)."
    function = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    __doc__ = _AdaptiveMaxPoolNd.__doc__ + (" Over (N, C, H, W) or (C, H, W) input; ``output_size`` is an int or a "
                                            "pair whose None entries keep that input size.")
    function = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    __doc__ = _AdaptiveMaxPoolNd.__doc__ + (" Over (N, C, D, H, W) or (C, D, H, W) input; ``output_size`` is an int "
                                            "or a triple whose None entries keep that input size.")
    function = staticmethod(F.adaptive_max_pool3d)


class PixelShuffle(Module):
    """(*, C·r², H, W) -> (*, C, H·r, W·r) with r = ``upscale_factor``: the upsampling step of an efficient
    sub-pixel convolution (Shi et al., 2016)."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) -> (*, C·r², H, W) with r = ``downscale_factor``: the inverse of ``PixelShuffle``."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


class Unfold(Module):
    """Every sliding ``kernel_size`` patch of an (N, C, H, W) image as a column: (N, C·KH·KW, patches)."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """Columns (N, C·KH·KW, patches) back into an (N, C, *output_size) image, overlapping patches added: the
    adjoint of ``Unfold`` (``fold(unfold(x))`` multiplies each pixel by the number of patches covering it)."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
