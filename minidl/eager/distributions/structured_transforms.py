"""Transforms that rearrange a tensor or combine other transforms (``torch.distributions.transforms``):

* ``IndependentTransform``: another transform, with more rightmost dims counted as one event (its log-det is
  summed over them), as ``Independent`` does for distributions;
* ``ReshapeTransform``: a new shape for the event, a permutation of the entries with Jacobian determinant 1;
* ``CatTransform`` / ``StackTransform``: a transform for each piece of a tensor along a dim, in the way
  ``torch.cat`` / ``torch.stack`` assemble it. The Jacobian is block diagonal, one block per piece, so the
  log-det is each piece's log-det, concatenated (stacked) where the pieces are separate events and summed where
  they are parts of one event.
"""
import numpy

from ... import ops
from ..creation import zeros
from ..tensor import Size
from . import constraints
from .transform import Transform
from .utils import sum_rightmost


class IndependentTransform(Transform):
    """``base_transform`` with its ``reinterpreted_batch_ndims`` rightmost batch dims joined to its event: the
    map is the same, the log-det is summed over those dims."""

    def __init__(self, base_transform, reinterpreted_batch_ndims, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    def _arguments(self):
        return self.base_transform, self.reinterpreted_batch_ndims

    @property
    def domain(self):
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @property
    def codomain(self):
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self):
        return self.base_transform.bijective

    @property
    def sign(self):
        return self.base_transform.sign

    def _call(self, x):
        _check_event_dims("IndependentTransform", x, self.domain.event_dim)
        return self.base_transform(x)

    def _inverse(self, y):
        _check_event_dims("IndependentTransform", y, self.codomain.event_dim)
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        return sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y), self.reinterpreted_batch_ndims)

    def forward_shape(self, shape):
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        return self.base_transform.inverse_shape(shape)

    def __repr__(self):
        return f"IndependentTransform({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


def _check_event_dims(name, value, event_dim):
    if value.dim() < event_dim:
        raise ValueError(f"{name}: too few dimensions on input: shape {tuple(value.shape)}, events of "
                         f"{event_dim} dims")


class ReshapeTransform(Transform):
    """Events of shape ``in_shape`` reshaped to ``out_shape`` (the same number of entries); the batch dims to the
    left are kept. The entries are only renumbered, so log|det J| = 0."""
    bijective = True

    def __init__(self, in_shape, out_shape, cache_size=0):
        self.in_shape, self.out_shape = Size(tuple(in_shape)), Size(tuple(out_shape))
        if self.in_shape.numel() != self.out_shape.numel():
            raise ValueError(f"ReshapeTransform: in_shape {tuple(self.in_shape)} and out_shape "
                             f"{tuple(self.out_shape)} have different numbers of elements")
        super().__init__(cache_size=cache_size)

    @property
    def domain(self):
        return constraints.independent(constraints.real, len(self.in_shape))

    @property
    def codomain(self):
        return constraints.independent(constraints.real, len(self.out_shape))

    def _arguments(self):
        return self.in_shape, self.out_shape

    def _call(self, x):
        return x.reshape(self._batch_shape(x.shape, self.in_shape) + tuple(self.out_shape))

    def _inverse(self, y):
        return y.reshape(self._batch_shape(y.shape, self.out_shape) + tuple(self.in_shape))

    def log_abs_det_jacobian(self, x, y):
        return zeros(self._batch_shape(x.shape, self.in_shape), dtype=x.dtype, device=x.device)

    @staticmethod
    def _batch_shape(shape, event_shape):
        """The dims of ``shape`` left of an event of shape ``event_shape``, which must end it."""
        cut = len(shape) - len(event_shape)
        if cut < 0:
            raise ValueError(f"ReshapeTransform: too few dimensions on input: shape {tuple(shape)}, events of "
                             f"shape {tuple(event_shape)}")
        if tuple(shape[cut:]) != tuple(event_shape):
            raise ValueError(f"ReshapeTransform: shape mismatch: expected {tuple(shape[cut:])} but got "
                             f"{tuple(event_shape)}")
        return tuple(shape[:cut])

    def forward_shape(self, shape):
        return Size(self._batch_shape(shape, self.in_shape) + tuple(self.out_shape))

    def inverse_shape(self, shape):
        return Size(self._batch_shape(shape, self.out_shape) + tuple(self.in_shape))


def _check_pieces(name, value, dim, size):
    """``value`` has a dim ``dim`` of ``size`` entries, one for each piece the transform acts on."""
    if not -value.dim() <= dim < value.dim():
        raise ValueError(f"{name}: dim {dim} is out of range for a tensor of shape {tuple(value.shape)}")
    if value.shape[dim] != size:
        raise ValueError(f"{name}: a tensor of shape {tuple(value.shape)} has {value.shape[dim]} entries along "
                         f"dim {dim}, but the transforms take {size}")


def _all_transforms(name, tseq, cache_size):
    tseq = list(tseq)
    if not all(isinstance(t, Transform) for t in tseq):
        raise TypeError(f"{name}: every element of tseq must be a Transform, got {tseq}")
    return [t.with_cache(cache_size) for t in tseq] if cache_size else tseq


class CatTransform(Transform):
    """``transforms[i]`` applied to the i-th of consecutive pieces of x along ``dim``, of ``lengths[i]`` entries
    (1 each by default), and the results concatenated: ``cat([tᵢ(xᵢ)], dim)`` for ``x = cat([xᵢ], dim)``.

    Each piece's log-det is summed over the dims of the common event (``event_dim``, the largest of the parts')
    that are not in its own. If ``dim`` is a batch dim, the pieces are different events and their log-dets are
    concatenated along it; if it lies within the event, the pieces make up one event and their log-dets add.
    """

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        tseq = _all_transforms("CatTransform", tseq, cache_size)
        super().__init__(cache_size=cache_size)
        self.transforms = tseq
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise ValueError(f"CatTransform: {len(self.lengths)} lengths for {len(self.transforms)} transforms")
        self.dim = dim

    @property
    def event_dim(self):
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self):
        return sum(self.lengths)

    def _arguments(self):
        return self.transforms, self.dim, self.lengths

    def _pieces(self, value):
        _check_pieces("CatTransform", value, self.dim, self.length)
        starts = numpy.cumsum([0] + self.lengths[:-1])
        return [ops.narrow(value, self.dim, int(start), length) for start, length in zip(starts, self.lengths)]

    def _call(self, x):
        return ops.cat([t(piece) for t, piece in zip(self.transforms, self._pieces(x))], self.dim)

    def _inverse(self, y):
        return ops.cat([t.inv(piece) for t, piece in zip(self.transforms, self._pieces(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        log_dets = [sum_rightmost(t.log_abs_det_jacobian(x_piece, y_piece), self.event_dim - t.event_dim)
                    for t, x_piece, y_piece in zip(self.transforms, self._pieces(x), self._pieces(y))]
        # ``dim`` counted from the right of the log-dets, which lack the event's dims
        dim = (self.dim - x.dim() if self.dim >= 0 else self.dim) + self.event_dim
        return ops.cat(log_dets, dim) if dim < 0 else sum(log_dets)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @property
    def domain(self):
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @property
    def codomain(self):
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)


class StackTransform(Transform):
    """``transforms[i]`` applied to the i-th slice of x along ``dim``, and the results stacked:
    ``stack([tᵢ(xᵢ)], dim)`` for ``x = stack([xᵢ], dim)``; the slices' log-dets are stacked along ``dim`` too."""

    def __init__(self, tseq, dim=0, cache_size=0):
        tseq = _all_transforms("StackTransform", tseq, cache_size)
        super().__init__(cache_size=cache_size)
        self.transforms = tseq
        self.dim = dim

    def _arguments(self):
        return self.transforms, self.dim

    def _slices(self, value):
        _check_pieces("StackTransform", value, self.dim, len(self.transforms))
        return [ops.select(value, self.dim, i) for i in range(len(self.transforms))]

    def _call(self, x):
        return ops.stack([t(piece) for t, piece in zip(self.transforms, self._slices(x))], self.dim)

    def _inverse(self, y):
        return ops.stack([t.inv(piece) for t, piece in zip(self.transforms, self._slices(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        return ops.stack([t.log_abs_det_jacobian(x_piece, y_piece)
                          for t, x_piece, y_piece in zip(self.transforms, self._slices(x), self._slices(y))],
                         self.dim)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @property
    def domain(self):
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @property
    def codomain(self):
        return constraints.stack([t.codomain for t in self.transforms], self.dim)
