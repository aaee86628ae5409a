"""Finding entries: ``nonzero`` / ``argwhere`` (where are the non-zero entries?), ``where(condition)`` (the same,
one tensor per dim) and ``masked_select`` (the entries a mask picks, as a 1-d tensor).

How many entries these return depends on the values, so in graph mode their length is unknown (None) until the
graph runs. Positions are integers and have no gradient; ``masked_select`` is boolean-mask indexing,
``x[mask]``, whose VJP puts the gradient back where each entry was picked.
"""
from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe
from .combine import unbind
from .compare import _condition
from .indexing import getitem
from .infer import broadcast_shapes
from .reduce import check_tensor
from .shape import broadcast_to, known, reshape

__all__ = ["nonzero", "argwhere", "masked_select"]


class Nonzero(Op):
    """The coordinates of the non-zero (True) entries of ``x``: one row each, in row-major order, as int64 of
    shape ``(count, x.ndim)``."""
    differentiable = False
    forward = staticmethod(lambda xp, x: xp.argwhere(x).astype(dtypes.int64, copy=False))

    @staticmethod
    def infer(x):
        return Spec(None if x.shape is None else (None, len(x.shape)), dtypes.int64)


def nonzero(input, as_tuple=False):
    """The coordinates of the non-zero entries: a ``(count, x.ndim)`` int64 tensor, or with ``as_tuple=True``
    one 1-d tensor per dim (``x[nonzero(x, as_tuple=True)]`` are the non-zero entries; a 0-d ``input`` counts as
    1-d there, as in PyTorch)."""
    check_tensor("nonzero", input)
    if not as_tuple:
        return apply(Nonzero, input)
    if input.ndim == 0:
        input = reshape(input, (1,))
    return unbind(apply(Nonzero, input), 1)


def argwhere(input):
    """The coordinates of the non-zero entries, one row each: ``nonzero(x)``."""
    check_tensor("argwhere", input)
    return apply(Nonzero, input)


def masked_select(input, mask):
    """The entries of ``input`` where the bool ``mask`` is True, as a 1-d tensor (x and mask broadcast together).

    It is ``x[mask]``: the gradient of each picked entry goes back to its place, the others get 0."""
    check_tensor("masked_select", input)
    _condition("masked_select", mask, "mask")
    if tuple(input.shape) != tuple(mask.shape):
        shape = broadcast_shapes("masked_select", input.shape, mask.shape)
        if not known(shape):
            raise OpError(f"masked_select: broadcasting {describe(input)} with the mask {describe(mask)} needs their "
                          "shapes known when the op is created")
        input, mask = broadcast_to(input, shape), broadcast_to(mask, shape)
    return getitem(input, mask)
