"""More elementwise functions: the error function ``erf`` and its complement ``erfc``, ``nan_to_num`` (replace
NaN and infinities by numbers) and ``lerp`` (linear interpolation).

numpy has no erf; ``activations.py`` sums one for gelu (``_erfc``, and ``_erf`` from the same expansions), and
the ops here use those.
"""
import math

from ..backend import dtypes
from .activations import _erf, _erfc
from .base import Op, apply, describe, is_tensor
from .compare import where_grad
from .infer import same_spec
from .promote import promote
from .unary import _floating, _real, _tensor, exp, isfinite

__all__ = ["erf", "erfc", "nan_to_num", "lerp"]

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


# ------------------------------------------------------------------------------------------- error function

class Erf(Op):
    """``erf(x) = 2/√π ∫₀ˣ e^(-t²) dt``; d/dx erf(x) = 2/√π · e^(-x²)."""
    forward = staticmethod(lambda xp, x: _erf(xp, x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * exp(-x * x) * _TWO_OVER_SQRT_PI,)


class Erfc(Op):
    """``erfc(x) = 1 - erf(x)``, accurate in the far tail where 1 - erf(x) would have no digits left;
    d/dx erfc(x) = -2/√π · e^(-x²)."""
    forward = staticmethod(lambda xp, x: _erfc(xp, x))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (g * exp(-x * x) * -_TWO_OVER_SQRT_PI,)


def _real_floating(op_name, x):
    return _floating(op_name, _real(op_name, x))


def erf(x):
    """The error function, elementwise (bool and integer tensors become the default float dtype)."""
    return apply(Erf, _real_floating("erf", x))


def erfc(x):
    """The complementary error function ``1 - erf(x)``, elementwise."""
    return apply(Erfc, _real_floating("erfc", x))


# ---------------------------------------------------------------------------------------------- nan_to_num

class NanToNum(Op):
    """``x`` with NaN replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (None: the largest / lowest
    finite value of the dtype). The gradient passes where x was finite; a replaced entry is a constant (0)."""
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, nan, posinf, neginf):
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def vjp(ctx, g):
        return (where_grad(g, isfinite(ctx.inputs[0]), True),)


def _number_or_none(op_name, what, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise TypeError(f"{op_name}: {what} must be a number or None, got {type(value).__name__}")
    return None if value is None else float(value)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN by ``nan`` (default 0), +inf by ``posinf`` and -inf by ``neginf`` (default: the largest and
    lowest finite numbers of x's dtype). Integer and bool tensors have neither and come back as a copy."""
    _tensor("nan_to_num", x)
    return apply(NanToNum, x, nan=_number_or_none("nan_to_num", "nan", nan),
                 posinf=_number_or_none("nan_to_num", "posinf", posinf),
                 neginf=_number_or_none("nan_to_num", "neginf", neginf))


# ---------------------------------------------------------------------------------------------------- lerp

def lerp(input, end, weight):
    """Linear interpolation ``input + weight · (end - input)``: ``input`` at weight 0, ``end`` at weight 1.

    ``weight`` is a number or a tensor; all three broadcast together. A composition of arithmetic ops, so the
    gradients come from those: d/dinput = 1 - weight, d/dend = weight, d/dweight = end - input. Only floating
    point (and complex) tensors, as in PyTorch.
    """
    if not is_tensor(input) or not is_tensor(end):
        raise TypeError(f"lerp(): input and end must be tensors, got {type(input).__name__} and "
                        f"{type(end).__name__}")
    if not dtypes.is_differentiable(dtypes.result_type(input, end)):
        raise TypeError(f"lerp: not implemented for {describe(input)} and {describe(end)}; interpolate floating "
                        "point tensors")
    _, (input, end, weight) = promote("lerp", input, end, weight)
    return input + weight * (end - input)
