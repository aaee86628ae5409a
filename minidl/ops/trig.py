"""Inverse trigonometric and hyperbolic functions, and ``atan2``: asin, acos, atan, sinh, cosh, asinh, acosh,
atanh (also under numpy's names arcsin, ...), atan2(y, x).

The conventions of ``unary.py`` hold: bool and integer tensors become the default float dtype first; each
docstring gives the derivative its VJP implements, written with ops so that it can be differentiated again; for
complex inputs the VJP multiplies by the conjugate derivative. Outside their real domain (asin(2), acosh(0.5),
atanh(1)) the real functions give NaN or inf, as in PyTorch.
"""
from ..backend import dtypes
from .arithmetic import _conj
from .base import Op, Spec, apply, describe
from .broadcast import ones_like, sum_to_like
from .compare import eq, where
from .infer import broadcast_shapes, same_spec
from .promote import promote
from .unary import _elementwise, _floating, sqrt

__all__ = ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "atan2",
           "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "arctan2"]


# ------------------------------------------------------------------------------------- inverse trigonometry

class Asin(Op):
    """``y = asin x``; dy/dx = 1/√(1 - x²)."""
    forward = staticmethod(lambda xp, x: xp.arcsin(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g / _conj(sqrt(1 - x * x)),)


class Acos(Op):
    """``y = acos x``; dy/dx = -1/√(1 - x²)."""
    forward = staticmethod(lambda xp, x: xp.arccos(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (-g / _conj(sqrt(1 - x * x)),)


class Atan(Op):
    """``y = atan x``; dy/dx = 1/(1 + x²)."""
    forward = staticmethod(lambda xp, x: xp.arctan(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g / _conj(x * x + 1),)


# ---------------------------------------------------------------------------------------------- hyperbolic

class Sinh(Op):
    """``y = sinh x = (e^x - e^-x)/2``; dy/dx = cosh x."""
    forward = staticmethod(lambda xp, x: xp.sinh(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g * _conj(cosh(ctx.inputs[0])),)


class Cosh(Op):
    """``y = cosh x = (e^x + e^-x)/2``; dy/dx = sinh x."""
    forward = staticmethod(lambda xp, x: xp.cosh(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (g * _conj(sinh(ctx.inputs[0])),)


class Asinh(Op):
    """``y = asinh x = ln(x + √(x² + 1))``; dy/dx = 1/√(x² + 1)."""
    forward = staticmethod(lambda xp, x: xp.arcsinh(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g / _conj(sqrt(x * x + 1)),)


class Acosh(Op):
    """``y = acosh x = ln(x + √(x² - 1))`` for x >= 1; dy/dx = 1/(√(x - 1)·√(x + 1)).

    (For real x > 1 that is 1/√(x² - 1); the split form is also the right branch for complex x.)"""
    forward = staticmethod(lambda xp, x: xp.arccosh(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g / _conj(sqrt(x - 1) * sqrt(x + 1)),)


class Atanh(Op):
    """``y = atanh x = ln((1 + x)/(1 - x))/2`` for |x| < 1; dy/dx = 1/(1 - x²)."""
    forward = staticmethod(lambda xp, x: xp.arctanh(x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g / _conj(1 - x * x),)


asin = arcsin = _elementwise(Asin, _floating)
acos = arccos = _elementwise(Acos, _floating)
atan = arctan = _elementwise(Atan, _floating)
sinh = _elementwise(Sinh, _floating)
cosh = _elementwise(Cosh, _floating)
asinh = arcsinh = _elementwise(Asinh, _floating)
acosh = arccosh = _elementwise(Acosh, _floating)
atanh = arctanh = _elementwise(Atanh, _floating)


# --------------------------------------------------------------------------------------------------- atan2

class Atan2(Op):
    """``atan2(y, x)``: the angle of the point (x, y) from the positive x axis, in (-π, π] — the quadrant comes
    from the signs of both, which ``atan(y / x)`` cannot see.

    With r² = x² + y²: d/dy = x / r², d/dx = -y / r² (each summed back over broadcast dims). At the origin both
    would be 0/0; PyTorch gives 0 there, and so do we: r² is replaced by 1 where it is 0, where the numerators
    x and y are 0.
    """
    forward = staticmethod(lambda xp, y, x: xp.arctan2(y, x))

    @staticmethod
    def infer(y, x):
        return Spec(broadcast_shapes("atan2", y.shape, x.shape), y.dtype)

    @staticmethod
    def vjp(ctx, g):
        y, x = ctx.inputs
        need_y, need_x = ctx.needs_input_grad
        r2 = x * x + y * y
        scale = g / where(eq(r2, 0), ones_like(r2), r2)
        return (sum_to_like(scale * x, y) if need_y else None,
                sum_to_like(-scale * y, x) if need_x else None)


def atan2(input, other):
    """The angle of (other, input) — i.e. ``atan2(y, x)`` with y = input — elementwise, broadcasting. Integer
    operands give the default float dtype; complex ones are refused (they have no order)."""
    dtype, (y, x) = promote("atan2", input, other)
    if dtypes.is_complex(dtype):
        raise TypeError(f"atan2: not implemented for complex tensors (got {describe(y)} and {describe(x)})")
    if not dtypes.is_floating_point(dtype):  # from the operands as given: -5 beside a uint8 tensor is -5.0, not 251
        _, (y, x) = promote("atan2", input, other, dtype=dtypes.get_default_dtype())
    return apply(Atan2, y, x)


arctan2 = atan2
