"""Shape functions built from the basic ones (``shape.py``, ``combine.py``, indexing): ``movedim``, ``t``,
``narrow``, ``unflatten``, ``vstack``, ``hstack``, ``meshgrid``.

Each is a short composition — a permute, a slice, a reshape, a cat, a broadcast — so each gradient is the one of
the op it is made of; nothing here needs a VJP of its own.
"""
import math
import operator

from .base import DimensionError, DtypeError, OpError, describe, warn
from .combine import _tensor_list, cat
from .indexing import getitem
from .infer import normalize_dim
from .reduce import check_tensor
from .shape import broadcast_to, ints, known, permute, reshape, transpose

__all__ = ["movedim", "moveaxis", "t", "narrow", "unflatten", "vstack", "hstack", "meshgrid"]


def movedim(input, source, destination):
    """Move dim(s) ``source`` to position(s) ``destination``; the other dims keep their order."""
    check_tensor("movedim", input)
    source, destination = ints("movedim", source, "source"), ints("movedim", destination, "destination")
    if len(source) != len(destination):
        raise OpError(f"movedim: invalid source or destination dims: source ({list(source)}) should contain the "
                      f"same number of dims as destination ({list(destination)})")
    source = [normalize_dim("movedim", d, input.ndim) for d in source]
    destination = [normalize_dim("movedim", d, input.ndim) for d in destination]
    for what, dims in (("source", source), ("destination", destination)):
        if len(set(dims)) != len(dims):
            raise OpError(f"movedim: repeated dim in `{what}` ({dims})")
    if input.ndim == 0:  # dims 0 and -1 name a scalar's one place: nothing moves
        return permute(input, ())
    order = [None] * input.ndim
    for s, d in zip(source, destination):
        order[d] = s
    rest = iter(d for d in range(input.ndim) if d not in source)
    return permute(input, [next(rest) if d is None else d for d in order])


moveaxis = movedim


def t(input):
    """The transpose of a matrix; vectors and 0-d tensors come back unchanged. Higher dims are an error (use
    ``transpose(x, dim0, dim1)`` or ``x.mT``)."""
    check_tensor("t", input)
    if input.ndim > 2:
        raise OpError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D ({describe(input)})")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def narrow(input, dim, start, length):
    """The ``length`` entries of ``input`` from ``start`` on along ``dim``: ``x[..., start:start + length]``
    (a negative ``start`` counts from the end; ``start`` may be a 0-d integer tensor)."""
    check_tensor("narrow", input)
    if input.ndim == 0:
        raise OpError("narrow() cannot be applied to a 0-dim tensor")
    dim = normalize_dim("narrow", dim, input.ndim)
    start, length = operator.index(start), operator.index(length)
    if length < 0:
        raise OpError(f"narrow(): length must be non-negative, got {length}")
    size = input.shape[dim]
    if size is not None:
        if not -size <= start <= size:
            raise IndexError(f"narrow(): start out of range (expected to be in range of [{-size}, {size}], but got "
                             f"{start})")
        if start < 0:
            start += size
        if start + length > size:
            raise OpError(f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({size}) of "
                          f"{describe(input)}")
    elif start < 0:
        raise OpError(f"narrow(): a negative start needs the size of dimension {dim} of {describe(input)} known")
    return getitem(input, (slice(None),) * dim + (slice(start, start + length),))


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into dims of ``sizes`` (one may be -1, inferred): the inverse of ``flatten``."""
    check_tensor("unflatten", input)
    if input.ndim == 0:  # (normalize_dim takes dim 0 of a 0-d tensor, as reductions do; there is no dim to split)
        raise DimensionError(f"unflatten: Dimension specified as {dim} but tensor has no dimensions "
                             f"({describe(input)})")
    dim = normalize_dim("unflatten", dim, input.ndim)
    sizes = ints("unflatten", sizes, "sizes")
    if not sizes:
        raise OpError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise OpError(f"unflatten: only one dimension can be inferred (-1), got sizes {list(sizes)}")
    size, rest = input.shape[dim], math.prod(n for n in sizes if n != -1)
    if size is not None:
        if -1 in sizes:
            inferred = size // rest if rest else 0
            sizes = tuple(inferred if n == -1 else n for n in sizes)
        if math.prod(sizes) != size:
            raise OpError(f"unflatten: provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                          f"({size}) in the input tensor {describe(input)}")
    shape = tuple(-1 if n is None else n for n in input.shape[:dim]) + sizes + \
        tuple(-1 if n is None else n for n in input.shape[dim + 1:])
    if shape.count(-1) > 1:
        raise OpError(f"unflatten: the other dims of {describe(input)} must be known when the op is created")
    return reshape(input, shape)


def _at_least(x, ndim):
    """``x`` with size-1 dims put in front until it has ``ndim`` dims (a 1-d (n) becomes a row (1, n))."""
    return reshape(x, (1,) * (ndim - x.ndim) + tuple(x.shape)) if x.ndim < ndim else x


def vstack(tensors):
    """Stack vertically: 1-d tensors become rows, then everything is joined along dim 0."""
    return cat([_at_least(x, 2) for x in _tensor_list("vstack", tensors)], 0)


def hstack(tensors):
    """Stack horizontally: 1-d tensors are joined end to end (dim 0), others along dim 1 (their columns)."""
    tensors = [_at_least(x, 1) for x in _tensor_list("hstack", tensors)]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids: from 1-d tensors of sizes n1, n2, ... make as many tensors of shape (n1, n2, ...),
    the i-th repeating ``tensors[i]`` along its own dim. ``indexing='xy'`` swaps the first two dims (as in
    numpy and matplotlib: x varies along the columns). Without ``indexing`` it is 'ij', with PyTorch's warning.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = _tensor_list("meshgrid", tensors)
    if indexing is None:
        warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.")
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise OpError(f'meshgrid: indexing must be one of "xy" or "ij", but received: {indexing!r}')
    for x in tensors:
        if x.ndim > 1:
            raise OpError(f"meshgrid: expected 0D or 1D tensors in the tensor list, but got {describe(x)}")
        if x.dtype != tensors[0].dtype:
            raise DtypeError(f"meshgrid: expects all tensors to have the same dtype, got {describe(tensors[0])} and "
                             f"{describe(x)}")
    sizes = [x.shape[0] if x.ndim else 1 for x in tensors]
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(axes) > 1:
        axes[0], axes[1] = 1, 0
    # each tensor along its own dim of the grid
    views = [reshape(x, [-1 if a == axis else 1 for a in range(len(axes))]) for x, axis in zip(tensors, axes)]
    if not known(sizes):  # (a graph's, known when it runs) the grid's shape is that of the views broadcast together
        from .broadcast import broadcast_to_like, zeros_like
        frame = zeros_like(views[0], dtype="int8")
        for view in views[1:]:
            frame = frame + zeros_like(view, dtype="int8")
        return tuple(broadcast_to_like(view, frame) for view in views)
    shape = [0] * len(tensors)
    for axis, n in zip(axes, sizes):
        shape[axis] = n
    return tuple(broadcast_to(view, shape) for view in views)
