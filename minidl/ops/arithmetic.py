"""The arithmetic operators: + - * / // % ** and unary minus, with broadcasting and PyTorch's type promotion."""
import numpy

from ..backend import dtypes
from .base import Op, apply, describe, is_tensor, refuse_integer_division_by_zero
from .broadcast import ones_like, sum_to_like, zeros_like
from .infer import broadcast_infer, same_spec
from .promote import _numpy_dtype, check_fits, number_as, promote, promote_pair


class Add(Op):
    """``a + b``; d/da = 1, d/db = 1, each summed back over the axes broadcasting added."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, a, b: xp.add(a, b))
    infer = staticmethod(broadcast_infer("add"))

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_like(g, a) if need_a else None, sum_to_like(g, b) if need_b else None)


class Sub(Op):
    """``a - b``; d/da = 1, d/db = -1."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, a, b: xp.subtract(a, b))
    infer = staticmethod(broadcast_infer("sub"))

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_like(g, a) if need_a else None, sum_to_like(-g, b) if need_b else None)


class Mul(Op):
    """``a * b``; d/da = b, d/db = a (conjugated for complex inputs, PyTorch's convention)."""
    forward = staticmethod(lambda xp, a, b: xp.multiply(a, b))
    infer = staticmethod(broadcast_infer("mul"))

    @classmethod
    def inputs_to_save(cls, needs_input_grad):
        need_a, need_b = needs_input_grad  # each gradient reads the other input
        return ((1,) if need_a else ()) + ((0,) if need_b else ())

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_like(g * _conj(b), a) if need_a else None,
                sum_to_like(g * _conj(a), b) if need_b else None)


class TrueDiv(Op):
    """``a / b``; d/da = 1/b, d/db = -a/b²."""
    name = "Div"  # PyTorch's grad_fn
    forward = staticmethod(lambda xp, a, b: xp.true_divide(a, b))
    infer = staticmethod(broadcast_infer("div"))

    @classmethod
    def inputs_to_save(cls, needs_input_grad):
        return (0, 1) if needs_input_grad[1] else (1,)

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = g / _conj(b)
        return (sum_to_like(ga, a) if need_a else None,
                sum_to_like(-ga * _conj(a) / _conj(b), b) if need_b else None)


class _PiecewiseConstantOfTwo(Op):
    """A rounded quotient: flat between jumps, so its gradient is zeros — which PyTorch lets flow, as for
    ``floor`` (``floor(x / y).sum().backward()`` gives zeros, not an error). Written directly: composed of a
    division and a rounding, its chain rule would meet 0·∞ = NaN where b is 0."""
    saves_inputs = ()

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (zeros_like(a) if need_a else None, zeros_like(b) if need_b else None)


class FloorDiv(_PiecewiseConstantOfTwo):
    """``a // b``, rounding toward minus infinity like Python."""
    name = "FloorDiv"
    infer = staticmethod(broadcast_infer("floor_divide"))

    @staticmethod
    def forward(xp, a, b):
        refuse_integer_division_by_zero("floor_divide", a, b)
        return xp.floor_divide(a, b)


class TruncDiv(_PiecewiseConstantOfTwo):
    """``a / b`` rounded toward zero (floats)."""
    name = "TruncDiv"
    infer = staticmethod(broadcast_infer("div"))
    forward = staticmethod(lambda xp, a, b: xp.trunc(xp.true_divide(a, b)))


class Remainder(Op):
    """``a % b`` with the sign of ``b`` (Python's rule); d/da = 1, d/db = -floor(a / b)."""
    infer = staticmethod(broadcast_infer("remainder"))

    @staticmethod
    def forward(xp, a, b):
        refuse_integer_division_by_zero("remainder", a, b)
        return xp.remainder(a, b)

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_like(g, a) if need_a else None,
                sum_to_like(-g * floor_divide(a, b), b) if need_b else None)


class Neg(Op):
    """``-x``."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x: xp.negative(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (-g,)


class Pow(Op):
    """``a ** b``; d/da = b·a^(b-1), d/db = a^b·log(a). As in PyTorch, d/da is 0 where b == 0 (a^0 = 1 is
    constant, but 0·a^(-1) would be NaN at a == 0) and d/db is 0 where a == 0 and b >= 0.

    The VJP reads the inputs only (a^b is computed again for d/db), so the result may be changed in place
    (``d = (x - 1) ** 2; d[d > 1] = 1``), as PyTorch allows for a number exponent.

    ``log_where_positive``: TensorFlow's d/db, which takes log(a) as 0 wherever a <= 0 (a real base; a complex one
    where a == 0), so a negative base gets 0 where PyTorch's log gives NaN."""
    infer = staticmethod(broadcast_infer("pow"))

    @staticmethod
    def forward(xp, a, b, log_where_positive=False):
        if a.dtype.kind == "b":  # x ** True is x, x ** False is True (numpy's power would give int8)
            return a | ~b
        if b.dtype.kind in "iu" and isinstance(b, xp.ndarray) and (b < 0).any():
            return _integer_power(xp, a, b)
        if a.dtype.kind in "iu" and isinstance(b, (int, numpy.integer)) and b < 0:  # (cupy would compute one)
            raise ValueError("Integers to negative integer powers are not allowed.")  # numpy's words and PyTorch's
        return xp.power(a, b)

    @staticmethod
    def vjp(ctx, g):
        from .compare import eq, ge, le, logical_and, where  # compare builds on arithmetic, so import late
        from .spectral import real
        from .unary import log
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            if is_tensor(b):
                slope = b * a ** (b - 1)
                slope = where(eq(b, 0), zeros_like(slope), slope)
            else:
                slope = b * a ** (b - 1) if b != 0 else zeros_like(a)
            ga = sum_to_like(g * _conj(slope), a)
        if need_b:
            y = a ** b
            if is_tensor(a) and ctx.attrs.get("log_where_positive"):
                outside = eq(a, 0) if a.dtype.kind == "c" else le(a, 0)
                log_a = where(outside, zeros_like(a), log(where(outside, ones_like(a), a)))  # (no NaN to hide)
            elif is_tensor(a):  # (a complex b counts by its real part: only reals have an order)
                b_real = real(b) if getattr(b, "dtype", None) is not None and b.dtype.kind == "c" else b
                log_a = where(logical_and(eq(a, 0), ge(b_real, 0)), zeros_like(a), log(a))  # not ==: graph tensors
            else:
                log_a = numpy.log(a) if a != 0 else a
            gb = sum_to_like(g * _conj(y * log_a), b)
        return ga, gb


def _integer_power(xp, a, b):
    """Integers to integer powers, some negative (a tensor of exponents: PyTorch computes these): a^b for
    b >= 0; for b < 0, 1/a^|b| truncated to an integer, which is 1 for a = 1, ±1 for a = -1 (by the parity of b)
    and 0 for every other a (0 included, where PyTorch gives 0 as well)."""
    negative = b < 0
    power = xp.power(a, xp.where(negative, 0, b))
    reciprocal = xp.where(a == 1, 1, xp.where(a == -1, 1 - 2 * (b % 2), 0)).astype(power.dtype)
    return xp.where(negative, reciprocal, power)


def _conj(x):
    """Complex conjugate for complex values; real values pass through untouched."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "c":
        from .spectral import conj
        return conj(x)
    return x


# ------------------------------------------------------------------------------------------ functions
# PyTorch's parameter names, so that its keyword forms work: ``add(input=x, other=y, alpha=2)``, ``pow(x,
# exponent=2)``; as in PyTorch, ``alpha`` and ``rounding_mode`` can only be given by keyword

def alpha_scaled(op_name, b, alpha=1):
    """``alpha * b`` for the ``alpha`` of add and sub, ``b`` already promoted to the result dtype: PyTorch scales
    in that dtype (a uint8 ``other`` times 2 added to a float tensor does not wrap around first), and refuses an
    alpha that the result dtype cannot hold as it is."""
    if alpha == 1 and alpha is not True:
        return b
    kind = b.dtype.kind
    if isinstance(alpha, (complex, numpy.complexfloating)) and kind != "c":
        raise RuntimeError(f"{op_name}: For non-complex input tensors, argument alpha must not be a complex number.")
    if isinstance(alpha, (float, numpy.floating)) and kind in "biu":
        raise RuntimeError(f"{op_name}: For integral input tensors, argument alpha must not be a floating point "
                           f"number (alpha={alpha}, the result is {b.dtype})")
    alpha = number_as(b.dtype, alpha)
    return mul(b, alpha) if is_tensor(b) else b * alpha


def add(input, other, *, alpha=1):
    """``input + alpha * other``."""
    a, b = promote_pair("add", input, other)
    return apply(Add, a, alpha_scaled("add", b, alpha))


_INVERT_A_MASK = "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."


def _is_bool_tensor(x):
    return is_tensor(x) and x.dtype.kind == "b"


def _is_bool(x):
    """A bool tensor, or a Python or numpy bool."""
    return _is_bool_tensor(x) or isinstance(x, (bool, numpy.bool_))


def sub(input, other, *, alpha=1):
    """``input - alpha * other``. Not for bools, as in PyTorch: ``1 - mask`` is usually meant as ``~mask``."""
    a, b = promote_pair("sub", input, other)
    # operands that promotion left alone have one dtype: bool only if the result is; otherwise look at them
    if a.dtype.kind == "b" or not (a is input and b is other):
        refuse_bool_subtraction(input, other)
    return apply(Sub, a, alpha_scaled("sub", b, alpha))


def refuse_bool_subtraction(input, other):
    """PyTorch refuses ``-`` (``sub``, ``sub_``, ``-=``) with a bool operand: ``1 - mask`` is usually meant as
    ``~mask``."""
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError(f"Subtraction, the `-` operator, with a bool tensor is not supported. {_INVERT_A_MASK}")


def mul(input, other):
    a, b = promote_pair("mul", input, other)
    return apply(Mul, a, b)


def div(input, other, *, rounding_mode=None):
    """True division; ``rounding_mode="floor"`` gives ``input // other`` and ``"trunc"`` rounds toward zero."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        from .cast import cast
        a, b = _real_pair("div (rounding_mode='trunc')", input, other)
        if a.dtype.kind in "iu":  # exactly, in integers (through floats, large ones would be rounded)
            from .compare import logical_and, lt, ne
            floor = floor_divide(a, b)
            # rounding toward zero is one more than rounding down where the quotient is negative and not whole
            negative_a, negative_b = (lt(v, 0) if is_tensor(v) else bool(v < 0) for v in (a, b))
            return floor + cast(logical_and(ne(remainder(a, b), 0), ne(negative_a, negative_b)), floor.dtype)
        return apply(TruncDiv, a, b)
    if rounding_mode is not None:
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
    a, b = promote_pair("div", input, other)
    if a.dtype.kind in "biu":  # integer division produces floats, as in Python 3 and PyTorch; a number keeps its
        _, (a, b) = promote("div", input, other, dtype=dtypes.get_default_dtype())  # value (not wrapped to uint8)
    return apply(TrueDiv, a, b)


def _real_pair(op_name, input, other):
    """The promoted operands of an op defined only for real numbers (rounding has no meaning for complex ones),
    and, as in PyTorch, not for two bools."""
    a, b = promote_pair(op_name, input, other)
    kind = (a if is_tensor(a) else b).dtype.kind
    if kind in "cb":
        raise (TypeError if kind == "c" else NotImplementedError)(
            f"{op_name}: not implemented for {'complex numbers' if kind == 'c' else 'bool tensors'} (got "
            f"{describe(input)} and {describe(other)})")
    return a, b


def floor_divide(input, other):
    return apply(FloorDiv, *_real_pair("floor_divide", input, other))


def remainder(input, other):
    return apply(Remainder, *_real_pair("remainder", input, other))


def neg(input):
    if _is_bool_tensor(input):
        raise RuntimeError(f"Negation, the `-` operator, on a bool tensor is not supported. {_INVERT_A_MASK}")
    return apply(Neg, input)


def pow(input, exponent, log_where_positive=False):
    """``input ** exponent`` for tensor**number, number**tensor and tensor**tensor. ``log_where_positive``: the
    gradient for the exponent by TensorFlow's convention (see ``Pow``)."""
    if isinstance(exponent, (int, numpy.integer)) and exponent < 0 and is_tensor(input) and input.dtype.kind in "biu":
        # (checked before promotion, which would wrap -2 around to 254 for a uint8 tensor)
        raise RuntimeError(f"pow: Integers to negative integer powers are not allowed ({input.dtype} tensor to the "
                           f"power {exponent}; make one of them a float)")
    if isinstance(exponent, (int, numpy.integer)) and is_tensor(input) and input.dtype.kind in "iu":
        # an exponent the integer dtype cannot hold is refused, as PyTorch refuses it (promotion would wrap 257 to 1
        # for uint8: 2 ** 257 came out 2)
        check_fits("pow", numpy.asarray(exponent, dtype=object), numpy.dtype(_numpy_dtype(input.dtype)))
    a, b = promote_pair("pow", input, exponent)
    if (a if is_tensor(a) else b).dtype.kind == "b" and not isinstance(exponent, (bool, numpy.bool_)):
        # (PyTorch takes a bool tensor to a bool number's power only: a bool exponent tensor or base is refused)
        raise NotImplementedError(f"pow: not implemented for bool tensors (got {describe(input)} and "
                                  f"{describe(exponent)}); only a bool tensor to the power True or False")
    return apply(Pow, a, b, log_where_positive=True) if log_where_positive else apply(Pow, a, b)


true_divide = divide = div
multiply = mul
subtract = sub
negative = neg
