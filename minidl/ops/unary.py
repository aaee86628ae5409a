"""Elementwise math on one tensor: exponentials and logarithms, roots, trigonometry, rounding, nan/inf tests.

Every op keeps its input's shape. Each docstring gives the derivative the VJP implements; VJPs are written with
ops, so they can be differentiated again.

dtypes follow PyTorch:

* float-only math (exp, log, sqrt, sin, tanh, reciprocal, ...) turns bool and integer tensors into the default
  float dtype first, so ``exp(int_tensor)`` is float32;
* abs, sign, square and the rounding ops keep integer dtypes (rounding an integer changes nothing);
* isnan/isinf/isfinite answer with bool tensors.

For complex inputs a VJP multiplies by the *conjugate* of the derivative (``g * conj(f'(z))``), PyTorch's
convention; ``_conj`` leaves real values alone, so real code pays nothing for it.
"""
import math

from ..backend import dtypes
from ..backend.kernels import tanh_backward
from .arithmetic import _conj
from .base import Op, OpError, apply, describe, is_tensor
from .broadcast import zeros_like
from .cast import cast
from .infer import same_spec, unary_spec_with_dtype
from .opmath import float16_in_float32

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


# ------------------------------------------------------------------------------- exponentials and logarithms

class Exp(Op):
    """``y = e^x``; dy/dx = e^x = y, so the VJP reads the output instead of recomputing it."""
    saves_inputs = ()
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.exp(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g * _conj(ctx.outputs[0]),)


class Exp2(Op):
    """``y = 2^x``; dy/dx = 2^x·ln 2 = y·ln 2."""
    saves_inputs = ()
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.exp2(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g * _conj(ctx.outputs[0] * _LN2),)


class Expm1(Op):
    """``y = e^x - 1``, accurate for tiny x where ``exp(x) - 1`` would cancel; dy/dx = e^x = y + 1."""
    saves_inputs = ()
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.expm1(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g * _conj(ctx.outputs[0] + 1),)


class Log(Op):
    """``y = ln x``; dy/dx = 1/x."""
    forward = staticmethod(lambda xp, x: xp.log(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g / _conj(ctx.inputs[0]),)


class Log2(Op):
    """``y = log2 x``; dy/dx = 1/(x·ln 2)."""
    forward = staticmethod(lambda xp, x: xp.log2(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g / _conj(ctx.inputs[0] * _LN2),)


class Log10(Op):
    """``y = log10 x``; dy/dx = 1/(x·ln 10)."""
    forward = staticmethod(lambda xp, x: xp.log10(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g / _conj(ctx.inputs[0] * _LN10),)


class Log1p(Op):
    """``y = ln(1 + x)``, accurate for tiny x; dy/dx = 1/(1 + x)."""
    forward = staticmethod(lambda xp, x: xp.log1p(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g / _conj(ctx.inputs[0] + 1),)


# ----------------------------------------------------------------------------------- powers and roots

class Sqrt(Op):
    """``y = √x``; dy/dx = 1/(2√x) = 1/(2y)."""
    saves_inputs = ()
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.sqrt(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g / _conj(ctx.outputs[0] * 2),)


class Rsqrt(Op):
    """``y = 1/√x``; dy/dx = -x^(-3/2)/2 = -y³/2."""
    saves_inputs = ()
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.reciprocal(xp.sqrt(x)))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g * _conj(ctx.outputs[0] ** 3 * -0.5),)


class Reciprocal(Op):
    """``y = 1/x``; dy/dx = -1/x² = -y²."""
    saves_inputs = ()
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.reciprocal(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        y = ctx.outputs[0]
        return (-g * _conj(y * y),)


class Square(Op):
    """``y = x²``; dy/dx = 2x."""
    forward = staticmethod(lambda xp, x: xp.square(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g * _conj(ctx.inputs[0] * 2),)


class Abs(Op):
    """``y = |x|``; dy/dx = sign(x) (0 at x = 0, as PyTorch picks).

    For complex x, |x| is the real magnitude and the gradient is ``g · x/|x|`` (0 at x = 0).
    """
    forward = staticmethod(lambda xp, x: xp.abs(x))

    @staticmethod
    def infer(spec):
        return spec._replace(dtype=dtypes.to_real(spec.dtype))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        if not dtypes.is_complex(x.dtype):
            return (g * sign(x),)
        from .compare import eq, where
        magnitude = abs(x)
        # divide by 1 where x == 0 (giving 0), never by 0: a 0/0 left in the unused branch of a where would
        # still poison the second-order gradient with NaN
        return (g * (x / where(eq(magnitude, 0), 1.0, magnitude)),)


# ---------------------------------------------------------------------------------------- trigonometry

class Sin(Op):
    """``y = sin x``; dy/dx = cos x."""
    forward = staticmethod(lambda xp, x: xp.sin(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g * _conj(cos(ctx.inputs[0])),)


class Cos(Op):
    """``y = cos x``; dy/dx = -sin x."""
    forward = staticmethod(lambda xp, x: xp.cos(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (-g * _conj(sin(ctx.inputs[0])),)


class Tan(Op):
    """``y = tan x``; dy/dx = 1 + tan²x = 1 + y²."""
    saves_inputs = ()
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.tan(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        y = ctx.outputs[0]
        return (g * _conj(y * y + 1),)


class Tanh(Op):
    """``y = tanh x``; dy/dx = 1 - tanh²x = 1 - y²."""
    saves_inputs = ()
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.tanh(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        y = ctx.outputs[0]
        if y.dtype.kind == "c":
            return (g * _conj(1 - y * y),)
        return (tanh_grad(g, y),)


class TanhGrad(Op):
    """``g · (1 - y²)``: tanh's backward from its output ``y``, as one op (one pass over memory instead of
    three ops, on the hot path of every tanh network). d/dg = 1 - y², d/dy = -2·g·y."""
    infer = staticmethod(lambda g, y: g)

    forward = staticmethod(tanh_backward)  # (one kernel on a GPU)

    @staticmethod
    def vjp(ctx, gg):
        g, y = ctx.inputs
        need_g, need_y = ctx.needs_input_grad
        return (tanh_grad(gg, y) if need_g else None, gg * g * y * -2.0 if need_y else None)


def tanh_grad(g, y):
    """The backward of tanh for real tensors: ``g · (1 - y²)`` with ``y = tanh(x)``."""
    return apply(TanhGrad, g, y)


# ----------------------------------------------------------------------------- piecewise-constant ops

class _PiecewiseConstant(Op):
    """An op whose output is flat between jumps: its derivative is 0 almost everywhere.

    PyTorch still lets gradients flow through these (as zeros) rather than cutting the graph, so
    ``floor(x).sum().backward()`` gives ``x.grad == 0`` instead of an error. We do the same.
    (Subclasses spell out their ``name``: it would otherwise be inherited from this class.)
    """
    saves_inputs = ()
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (zeros_like(g),)


def _keep_integers(rounding):
    """Wrap a rounding forward so that integer arrays come back unchanged (numpy versions disagree on the dtype
    ``floor(int_array)`` returns; PyTorch keeps the integer dtype)."""
    def forward(xp, x, **attrs):
        return x.copy() if x.dtype.kind in "iu" else rounding(xp, x, **attrs)
    return staticmethod(forward)


class Floor(_PiecewiseConstant):
    """The largest integer <= x."""
    name = "Floor"
    forward = _keep_integers(lambda xp, x: xp.floor(x))


class Ceil(_PiecewiseConstant):
    """The smallest integer >= x."""
    name = "Ceil"
    forward = _keep_integers(lambda xp, x: xp.ceil(x))


class Trunc(_PiecewiseConstant):
    """x rounded toward zero."""
    name = "Trunc"
    forward = _keep_integers(lambda xp, x: xp.trunc(x))


class Round(_PiecewiseConstant):
    """x rounded to ``decimals`` decimal places, halves to even (2.5 -> 2, 3.5 -> 4), like PyTorch and numpy."""
    name = "Round"
    forward = _keep_integers(float16_in_float32(lambda xp, x, decimals: xp.round(x, decimals)))  # (x · 10^decimals)


class Sign(_PiecewiseConstant):
    """-1, 0 or 1 by the sign of x (False/True stay as they are for bool tensors); 0 for NaN, as PyTorch's (numpy
    gives NaN), so that the gradient of abs at NaN is 0 there too."""
    name = "Sign"

    @staticmethod
    def forward(xp, x):
        if x.dtype.kind == "b":
            return x.copy()
        signs = xp.sign(x, out=xp.empty_like(x))  # (out=: an array even for a 0-d x, so it can be written)
        if x.dtype.kind == "f":
            signs[xp.isnan(signs)] = 0
        return signs


# ------------------------------------------------------------------------------------- nan and infinity

class IsNan(Op):
    """True where x is NaN."""
    differentiable = False
    forward = staticmethod(lambda xp, x: xp.isnan(x))
    infer = staticmethod(unary_spec_with_dtype(dtypes.bool_))


class IsInf(Op):
    """True where x is +inf or -inf."""
    differentiable = False
    forward = staticmethod(lambda xp, x: xp.isinf(x))
    infer = staticmethod(unary_spec_with_dtype(dtypes.bool_))


class IsFinite(Op):
    """True where x is neither NaN nor infinite."""
    differentiable = False
    forward = staticmethod(lambda xp, x: xp.isfinite(x))
    infer = staticmethod(unary_spec_with_dtype(dtypes.bool_))


# ------------------------------------------------------------------------------------------ functions
# Each public function checks (and, for float-only math, converts) its argument, then applies its op.

def _tensor(op_name, x):
    """Unary ops take a tensor, never a bare number or array (as in PyTorch)."""
    if not is_tensor(x):
        raise TypeError(f"{op_name}(): argument 'input' must be a tensor, not {type(x).__name__} ({describe(x)})")
    return x


def _floating(op_name, x):
    """Float-only math: bool and integer tensors are converted to the default float dtype first."""
    _tensor(op_name, x)
    if x.dtype.kind in "biu":
        return cast(x, dtypes.get_default_dtype())
    return x


def _real(op_name, x):
    """Ops that order numbers (rounding, sign) have no meaning for complex values."""
    _tensor(op_name, x)
    if dtypes.is_complex(x.dtype):
        hint = "; use x / abs(x) for the complex sign" if op_name == "sign" else ""
        raise TypeError(f"{op_name}: not defined for complex tensors (got {describe(x)}){hint}")
    return x


def _number(op_name, x):
    """abs and rounding refuse bool tensors, as PyTorch does."""
    _tensor(op_name, x)
    if x.dtype.kind == "b":
        raise TypeError(f"{op_name}: not implemented for bool tensors (got {describe(x)}); cast to a number "
                        f"dtype first")
    return x


def _real_number(op_name, x):
    return _number(op_name, _real(op_name, x))


def _elementwise(op, check):
    """The public function of ``op`` (named after it, documented by its docstring): ``check`` the argument,
    then apply the op."""
    name = op.name.lower()

    def function(input):  # PyTorch's name for the argument: torch.exp(input=x)
        return apply(op, check(name, input))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = op.__doc__
    return function


exp = _elementwise(Exp, _floating)
exp2 = _elementwise(Exp2, _floating)
expm1 = _elementwise(Expm1, _floating)
log = _elementwise(Log, _floating)
log2 = _elementwise(Log2, _floating)
log10 = _elementwise(Log10, _floating)
log1p = _elementwise(Log1p, _floating)
sqrt = _elementwise(Sqrt, _floating)
rsqrt = _elementwise(Rsqrt, _floating)
reciprocal = _elementwise(Reciprocal, _floating)
sin = _elementwise(Sin, _floating)
cos = _elementwise(Cos, _floating)
tan = _elementwise(Tan, _floating)
tanh = _elementwise(Tanh, _floating)
abs = _elementwise(Abs, _number)
sign = _elementwise(Sign, _real)
floor = _elementwise(Floor, _real_number)
ceil = _elementwise(Ceil, _real_number)
trunc = _elementwise(Trunc, _real_number)
isnan = _elementwise(IsNan, _tensor)
isinf = _elementwise(IsInf, _tensor)
isfinite = _elementwise(IsFinite, _tensor)


def square(input):
    """``x * x``; bool tensors become int64 first, as in PyTorch (where square is ``pow(x, 2)``)."""
    _tensor("square", input)
    if input.dtype.kind == "b":
        input = cast(input, dtypes.int64)
    return apply(Square, input)


def round(input, decimals=0):
    """Round half to even; ``decimals`` may be negative (round to tens, hundreds, ...)."""
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {type(decimals).__name__}")
    if decimals != 0 and _tensor("round", input).dtype.kind in "iu":
        raise OpError(f"round: decimals={decimals} is only supported for floating point tensors "
                      f"(got {describe(input)})")
    return apply(Round, _real_number("round", input), decimals=decimals)


__all__ = ["tanh_grad", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal",
           "square",
           "abs", "sign", "sin", "cos", "tan", "tanh", "floor", "ceil", "trunc", "round", "isnan", "isinf",
           "isfinite"]
