"""Comparisons, logic and selection: ``eq ... ge``, ``logical_*``, ``maximum``/``minimum``, ``clamp``, ``where``.

Comparisons and logical ops answer with bool tensors and have no gradient. The selection ops route the incoming
gradient to whichever operand each output element came from; that routing is one small op, ``WhereGrad``
(``g`` where a condition holds, 0 elsewhere), which a GPU backend can later replace with a fused kernel.
"""
import numpy

from ..backend import dtypes
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor, warn
from .broadcast import sum_to_like
from .cast import cast
from .infer import broadcast_infer, broadcast_shapes
from .promote import check_operand, fill_value_as, promote
from .unary import abs, isfinite, isnan


# ------------------------------------------------------------------------------------------ comparisons

class _Comparison(Op):
    """``a <op> b`` elementwise, broadcasting; piecewise constant, so no gradient. (Subclasses spell out their
    ``name``: it would otherwise be inherited from this class.)"""
    differentiable = False


class Eq(_Comparison):
    name = "Eq"
    forward = staticmethod(lambda xp, a, b: xp.equal(a, b))
    infer = staticmethod(broadcast_infer("eq", dtypes.bool_))


class Ne(_Comparison):
    name = "Ne"
    forward = staticmethod(lambda xp, a, b: xp.not_equal(a, b))
    infer = staticmethod(broadcast_infer("ne", dtypes.bool_))


class Lt(_Comparison):
    name = "Lt"
    forward = staticmethod(lambda xp, a, b: xp.less(a, b))
    infer = staticmethod(broadcast_infer("lt", dtypes.bool_))


class Le(_Comparison):
    name = "Le"
    forward = staticmethod(lambda xp, a, b: xp.less_equal(a, b))
    infer = staticmethod(broadcast_infer("le", dtypes.bool_))


class Gt(_Comparison):
    name = "Gt"
    forward = staticmethod(lambda xp, a, b: xp.greater(a, b))
    infer = staticmethod(broadcast_infer("gt", dtypes.bool_))


class Ge(_Comparison):
    name = "Ge"
    forward = staticmethod(lambda xp, a, b: xp.greater_equal(a, b))
    infer = staticmethod(broadcast_infer("ge", dtypes.bool_))


def _compare(op, op_name, a, b, ordered=True):
    """Promote both operands to a common dtype (PyTorch's rules, so ``int_tensor < 1.5`` compares as floats)."""
    dtype, (a, b) = promote(op_name, a, b)
    if ordered and dtypes.is_complex(dtype):
        raise TypeError(f"{op_name}: complex numbers have no order (got {describe(a)} and {describe(b)})")
    return apply(op, a, b)


# the public functions take PyTorch's parameter names, so its keyword forms work: ``eq(input=x, other=y)``

def eq(input, other):
    return _compare(Eq, "eq", input, other, ordered=False)


def ne(input, other):
    return _compare(Ne, "ne", input, other, ordered=False)


def lt(input, other):
    return _compare(Lt, "lt", input, other)


def le(input, other):
    return _compare(Le, "le", input, other)


def gt(input, other):
    return _compare(Gt, "gt", input, other)


def ge(input, other):
    return _compare(Ge, "ge", input, other)


# PyTorch's longer names for the same functions
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


# ---------------------------------------------------------------------------------------------- logic

class LogicalAnd(_Comparison):
    name = "LogicalAnd"
    forward = staticmethod(lambda xp, a, b: xp.logical_and(a, b))
    infer = staticmethod(broadcast_infer("logical_and", dtypes.bool_))


class LogicalOr(_Comparison):
    name = "LogicalOr"
    forward = staticmethod(lambda xp, a, b: xp.logical_or(a, b))
    infer = staticmethod(broadcast_infer("logical_or", dtypes.bool_))


class LogicalXor(_Comparison):
    name = "LogicalXor"
    forward = staticmethod(lambda xp, a, b: xp.logical_xor(a, b))
    infer = staticmethod(broadcast_infer("logical_xor", dtypes.bool_))


class LogicalNot(_Comparison):
    name = "LogicalNot"
    forward = staticmethod(lambda xp, x: xp.logical_not(x))
    infer = staticmethod(broadcast_infer("logical_not", dtypes.bool_))


def _truth(op_name, value):
    """Logical ops read any dtype as true/false (nonzero is true), so no promotion is needed; a number becomes
    a numpy bool, which every backend accepts."""
    check_operand(op_name, value)
    return value if is_tensor(value) else numpy.bool_(value)


def logical_and(input, other):
    return apply(LogicalAnd, _truth("logical_and", input), _truth("logical_and", other))


def logical_or(input, other):
    return apply(LogicalOr, _truth("logical_or", input), _truth("logical_or", other))


def logical_xor(input, other):
    return apply(LogicalXor, _truth("logical_xor", input), _truth("logical_xor", other))


def logical_not(input):
    if not is_tensor(input):
        raise TypeError(f"logical_not(): argument 'input' must be a tensor, not {type(input).__name__}")
    return apply(LogicalNot, input)


# ------------------------------------------------------------------------------------------- selection

class WhereGrad(Op):
    """The gradient routing of every selection op: ``g`` where ``condition`` is ``keep``, 0 elsewhere.

    Its own VJP routes the incoming gradient the same way, so selections are twice differentiable.
    """
    saves_inputs = (1,)
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, condition, keep):
        zero = g.dtype.type(0)
        return xp.where(condition, g, zero) if keep else xp.where(condition, zero, g)

    @staticmethod
    def vjp(ctx, gg):
        g, condition = ctx.inputs
        return sum_to_like(where_grad(gg, condition, ctx.attrs["keep"]), g), None

    @staticmethod
    def infer(g, condition, keep):
        return Spec(broadcast_shapes("where_grad", g.shape, condition.shape), g.dtype)


def where_grad(g, condition, keep=True):
    """``where(condition, g, 0)`` (``keep=True``) or ``where(condition, 0, g)`` (``keep=False``) as one op."""
    return apply(WhereGrad, g, condition, keep=keep)


class Where(Op):
    """``condition ? x : y`` elementwise (all three broadcast together).

    The gradient goes to x where the condition holds and to y elsewhere, each summed back to its own shape.
    """
    saves_inputs = (0,)
    differentiable_inputs = (1, 2)
    forward = staticmethod(lambda xp, condition, x, y: xp.where(condition, x, y))
    infer = staticmethod(broadcast_infer("where"))

    @staticmethod
    def vjp(ctx, g):
        condition, x, y = ctx.inputs
        _, need_x, need_y = ctx.needs_input_grad
        return (None,
                sum_to_like(where_grad(g, condition, True), x) if need_x else None,
                sum_to_like(where_grad(g, condition, False), y) if need_y else None)


class MaskedFill(Where):
    """``where(mask, value, x)``, under PyTorch's name for it."""
    name = "MaskedFill"


def _condition(op_name, condition, what="condition"):
    if not is_tensor(condition):
        raise TypeError(f"{op_name}: {what} must be a bool tensor, not {type(condition).__name__}")
    if condition.dtype != dtypes.bool_:
        raise DtypeError(f"{op_name}: expected {what} to be a bool tensor, but got {describe(condition)}; "
                         f"compare first (x > 0) or cast with .bool()")
    return condition


def where(condition, input=None, other=None):
    """``input`` where ``condition`` is true, else ``other``; either may be a tensor or a number (they are promoted
    together).

    ``where(condition)`` alone gives the positions of the true (non-zero) entries: ``nonzero(condition,
    as_tuple=True)``."""
    if input is None and other is None:
        from .searching import nonzero  # searching builds on this module: import late
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where: expected both input and other (where(condition, input, other)) or neither "
                        "(where(condition))")
    if is_tensor(condition) and condition.dtype == dtypes.uint8:  # PyTorch still takes its old byte masks here
        warn("where received a uint8 condition tensor. This behavior is deprecated (as in PyTorch). Use a boolean "
             "condition instead.")
        condition = cast(condition, dtypes.bool_)
    _condition("where", condition)
    dtype, (x, y) = promote("where", input, other)
    for given in (input, other):
        if not is_tensor(given):
            fill_value_as("where", dtype, given)  # a number the result's dtype cannot hold is refused
    return apply(Where, condition, x, y)


def masked_fill(input, mask, value):
    """``input`` with ``value`` written where ``mask`` is true. ``value`` (a number or a 0-d tensor, which then
    gets the gradient of the elements it filled) is converted to ``input``'s dtype, as in PyTorch."""
    if not is_tensor(input):
        raise TypeError(f"masked_fill(): argument 'input' must be a tensor, not {type(input).__name__}")
    _condition("masked_fill", mask, "mask")
    if is_tensor(value):
        if value.ndim != 0:
            raise OpError(f"masked_fill: only supports a 0-dimensional value tensor, but got {describe(value)}")
        value = cast(value, input.dtype)
    else:
        check_operand("masked_fill", value)
        if isinstance(value, complex) and not (dtypes.is_complex(input.dtype) or input.dtype == dtypes.bool_):
            raise TypeError(f"masked_fill: cannot fill {describe(input)} with the complex value {value!r}")
        value = fill_value_as("masked_fill", input.dtype, value)
    return apply(MaskedFill, mask, value, input)


# --------------------------------------------------------------------------------------- max and min

class Maximum(Op):
    """``max(a, b)`` elementwise; NaN wins. The gradient goes to the larger operand. On ties ``a`` gets the
    fraction ``tie_share`` of it and ``b`` the rest: half and half by default (PyTorch's choice, which keeps
    ``maximum(x, x)`` with gradient 1), all of it to ``a`` for TensorFlow's ``tf.maximum`` (``tie_share=1``)."""
    forward = staticmethod(lambda xp, a, b, tie_share=0.5: xp.maximum(a, b))
    infer = staticmethod(broadcast_infer("maximum"))

    @staticmethod
    def vjp(ctx, g):
        return _split_on_ties(ctx, g, gt)


class Minimum(Op):
    """``min(a, b)`` elementwise; NaN wins. The gradient goes to the smaller operand; ties as for ``Maximum``."""
    forward = staticmethod(lambda xp, a, b, tie_share=0.5: xp.minimum(a, b))
    infer = staticmethod(broadcast_infer("minimum"))

    @staticmethod
    def vjp(ctx, g):
        return _split_on_ties(ctx, g, lt)


def _split_on_ties(ctx, g, wins):
    """Gradients of max/min: all of ``g`` to the operand that ``wins`` over the other; on ties, the fraction
    ``tie_share`` of it to ``a``. Where either is NaN (neither wins nor ties), PyTorch (``tie_share=0.5``) gives
    all of ``g`` to both operands, TensorFlow all of it to ``b``."""
    a, b = ctx.inputs
    need_a, need_b = ctx.needs_input_grad
    share = ctx.attrs.get("tie_share", 0.5)
    if share != 0.5:
        to_a = where(wins(a, b), g, where(eq(a, b), g * share, 0.0))
        return (sum_to_like(to_a, a) if need_a else None,
                sum_to_like(g - to_a, b) if need_b else None)
    half_on_ties = where(eq(a, b), g * 0.5, g)
    return (sum_to_like(where_grad(half_on_ties, wins(b, a), False), a) if need_a else None,
            sum_to_like(where_grad(half_on_ties, wins(a, b), False), b) if need_b else None)


def maximum(input, other):
    dtype, (a, b) = promote("maximum", input, other)
    if dtypes.is_complex(dtype):
        raise TypeError(f"maximum: complex numbers have no order (got {describe(a)} and {describe(b)})")
    return apply(Maximum, a, b)


def minimum(input, other):
    dtype, (a, b) = promote("minimum", input, other)
    if dtypes.is_complex(dtype):
        raise TypeError(f"minimum: complex numbers have no order (got {describe(a)} and {describe(b)})")
    return apply(Minimum, a, b)


# ------------------------------------------------------------------------------------------------ clamp

class ClampMin(Op):
    """``max(x, low)``: the gradient goes to x where x >= low, and to the bound where the bound is active."""
    forward = staticmethod(lambda xp, x, low: xp.maximum(x, low))
    infer = staticmethod(broadcast_infer("clamp"))

    @staticmethod
    def vjp(ctx, g):
        return _route_to_bound(ctx, g, ge)


class ClampMax(Op):
    """``min(x, high)``: the gradient goes to x where x <= high, and to the bound elsewhere."""
    forward = staticmethod(lambda xp, x, high: xp.minimum(x, high))
    infer = staticmethod(broadcast_infer("clamp"))

    @staticmethod
    def vjp(ctx, g):
        return _route_to_bound(ctx, g, le)


def _route_to_bound(ctx, g, inside):
    """Unlike maximum, a clamp gives x the whole gradient on the boundary (PyTorch's ``clamp`` backward)."""
    x, bound = ctx.inputs
    need_x, need_bound = ctx.needs_input_grad
    keep = inside(x, bound)
    return (sum_to_like(where_grad(g, keep, True), x) if need_x else None,
            sum_to_like(where_grad(g, keep, False), bound) if need_bound else None)


def clamp(input, min=None, max=None):
    """Limit ``input`` to ``[min, max]``; the bounds are numbers or tensors (broadcast), either may be omitted.

    Computed as ``min(max(input, min), max)``, so where ``min > max`` every element becomes ``max``, as in
    PyTorch.
    """
    if not is_tensor(input):
        raise TypeError(f"clamp(): argument 'input' must be a tensor, not {type(input).__name__}")
    if min is None and max is None:
        raise OpError("clamp: at least one of 'min' or 'max' must not be None")
    bounds = [b for b in (min, max) if b is not None]
    dtype, (x, *bounds) = promote("clamp", input, *bounds)
    if dtypes.is_complex(dtype):
        raise TypeError(f"clamp: complex numbers have no order (got {describe(x)})")
    for bound in (min, max):
        if bound is not None and not is_tensor(bound):
            fill_value_as("clamp", dtype, bound)  # a bound the dtype cannot hold is refused, as in PyTorch
    if min is not None:
        x = apply(ClampMin, x, bounds.pop(0))
    if max is not None:
        x = apply(ClampMax, x, bounds.pop(0))
    return x


clip = clamp


def clamp_min(input, min):
    """``clamp(input, min=min)``: no element below ``min``."""
    return clamp(input, min=min)


def clamp_max(input, max):
    """``clamp(input, max=max)``: no element above ``max``."""
    return clamp(input, max=max)


# ---------------------------------------------------------------------------------- closeness, equality

def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol·|other|`` (bool, broadcasting), or exactly equal (so equal
    infinities are close, and an infinity is close to nothing else); NaN is close to NaN only with
    ``equal_nan=True``. Both tensors must have the same dtype, as in PyTorch."""
    for what, value in (("input", input), ("other", other)):
        if not is_tensor(value):
            raise TypeError(f"isclose(): argument '{what}' must be a tensor, not {type(value).__name__}")
    if input.dtype != other.dtype:
        raise DtypeError(f"isclose(): expected both tensors to have the same dtype, got {describe(input)} and "
                         f"{describe(other)}")
    for what, value in (("rtol", rtol), ("atol", atol)):
        if value < 0:
            raise OpError(f"isclose(): {what} must be greater than or equal to zero, but got {value}")
    close = eq(input, other)
    if input.dtype != dtypes.bool_:
        # pairs with an infinity or NaN are settled by eq (and equal_nan); zeroing them first keeps inf - inf
        # from being computed at all
        finite = logical_and(isfinite(input), isfinite(other))
        a, b = where(finite, input, 0), where(finite, other, 0)
        if a.dtype.kind in "iu":  # the difference of two integers can overflow their dtype (127 - -1 in int8)
            a, b = cast(a, dtypes.float64), cast(b, dtypes.float64)
        error = abs(a - b)
        close = logical_or(close, logical_and(finite, le(error, abs(b) * rtol + atol)))
    if equal_nan:
        close = logical_or(close, logical_and(isnan(input), isnan(other)))
    return close


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a Python bool) when every element of ``isclose(input, other, ...)`` is."""
    from .reduce import all  # reductions come after this module: import late
    return bool(all(isclose(input, other, rtol, atol, equal_nan)))


def equal(input, other):
    """True (a Python bool) when both tensors have the same shape and the same values (NaN equals nothing)."""
    from .reduce import all  # reductions come after this module: import late
    for what, value in (("input", input), ("other", other)):
        if not is_tensor(value):
            raise TypeError(f"equal(): argument '{what}' must be a tensor, not {type(value).__name__}")
    return tuple(input.shape) == tuple(other.shape) and bool(all(eq(input, other)))


__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
           "logical_and", "logical_or", "logical_xor", "logical_not",
           "where", "masked_fill", "maximum", "minimum", "clamp", "clip", "clamp_min", "clamp_max", "isclose",
           "allclose", "equal"]
