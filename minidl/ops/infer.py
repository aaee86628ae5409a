"""Static shape inference helpers: shapes are tuples whose entries may be None (unknown until run time)."""
import numbers

from .base import DimensionError, OpError, Spec, UnknownRankError, describe


def broadcast_shapes(op_name, *shapes):
    """numpy broadcasting on static shapes; an unknown dim (None) broadcast with n gives n if n > 1 else None.

    Raises an OpError naming the op when two known dims can never match.
    """
    if any(s is None for s in shapes):
        return None
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-ndim, 0):
        dims = [s[axis] for s in shapes if len(s) >= -axis]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise OpError(f"{op_name}: shapes {' and '.join(_fmt(s) for s in shapes)} cannot be broadcast "
                          f"together (dimension {axis} is {' vs '.join(str(d) for d in dims)})")
        if known:
            result.append(known.pop())
        elif any(d is None for d in dims):
            result.append(None)
        else:
            result.append(1)
    return tuple(result)


def _fmt(shape):
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def normalize_dim(op_name, dim, ndim, operand=None):
    """Map a possibly negative ``dim`` into ``range(ndim)``; a 0-d tensor accepts dim 0 and -1 like PyTorch.
    The error names ``operand`` when given (described only then: it is on every reduction's path)."""
    size = max(ndim, 1)
    try:
        inside = -size <= dim < size
    except TypeError:  # (checked only now: a dim that compares with ints is the usual case, at no cost)
        inside = None
    if inside is None or (dim.__class__ is not int and not isinstance(dim, numbers.Integral)):  # (1.0 compares)
        raise TypeError(f"{op_name}: dim must be an int, got {dim!r} of type {type(dim).__name__}") from None
    if not inside:
        where = op_name if operand is None else f"{op_name} of {describe(operand)}"
        raise DimensionError(f"{where}: dimension out of range (expected to be in range of [{-size}, {size - 1}], "
                      f"but got {dim})")
    return dim % size


def normalize_dims(op_name, dim, ndim):
    """``dim`` may be None (all dims), an int or a sequence of ints; returns a sorted tuple of dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, numbers.Number) or not hasattr(dim, "__iter__"):  # one dim (normalize_dim refuses 1.0)
        dim = (dim,)
    dims = tuple(sorted({normalize_dim(op_name, d, ndim) for d in dim}))
    return tuple(d for d in dims if d < ndim) if ndim == 0 else dims


def reduced_shape(shape, dims, keepdim):
    """The shape after reducing ``dims`` (None: every dim, of a rank known only at run time)."""
    if dims is None:
        return shape if keepdim else ()
    if shape is None:
        return None
    if keepdim:
        return tuple(1 if i in dims else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in dims)


def rank_is_known(x):
    """False only for a graph tensor whose rank is known at run time only (a placeholder made without a shape)."""
    return getattr(x.shape, "rank_known", True)


def operand_dim(op_name, dim, x):
    """``normalize_dim`` for ``dim`` of tensor ``x`` — also when x's rank is known at run time only (a graph
    placeholder made without a shape, as TF1 allows): a dim counted from the front is then taken as it is; one
    counted from the end cannot be placed yet and is refused."""
    if rank_is_known(x):
        return normalize_dim(op_name, dim, x.ndim, x)
    if dim < 0:
        raise UnknownRankError(f"{op_name}: dim {dim} counts from the end, but the rank of "
                               f"{getattr(x, 'name', 'the input')} is unknown until run time; give its placeholder a "
                               f"shape, or count from the front")
    return dim


def static_shape(x):
    """x's shape as far as it is known before running: a tuple (maybe with None dims), or None for an unknown
    rank."""
    return tuple(x.shape) if rank_is_known(x) else None


def same_spec(spec, **attrs):
    """``infer`` for ops whose output has the input's shape and dtype."""
    return spec


def broadcast_infer(op_name, dtype=None):
    """``infer`` for elementwise ops over several operands: their broadcast shape, and ``dtype`` (None: the
    dtype of the last operand — the operands are promoted to one dtype first, and the last is never the bool
    condition of a where)."""
    def infer(*specs, **attrs):
        return Spec(broadcast_shapes(op_name, *(s.shape for s in specs)), dtype or specs[-1].dtype)
    return infer


def unary_spec_with_dtype(dtype):
    """An ``infer`` for elementwise ops that keep the shape but produce ``dtype`` (bool for isnan, ...)."""
    def infer(spec, **attrs):
        return Spec(spec.shape, dtype)
    return infer
