"""Activation functions: sigmoid, relu, leaky_relu, elu, gelu, silu, softplus.

Where composing other ops is exact and numerically safe, an activation is just that composition (``silu`` is
``x * sigmoid(x)``; the tanh form of ``gelu`` is its formula). The others are fused ops with their own VJP, for
one of three reasons: stability (``sigmoid`` and ``softplus`` must not overflow for large |x|), speed (relu's
backward is one op, ``ReluGrad``, which a GPU backend can replace with a fused kernel), or because the forward
needs a function numpy lacks (``gelu`` needs erf).
"""
import math
import numbers

import numpy

from ..backend import dtypes
from ..backend.kernels import relu_backward, sigmoid_backward
from .arithmetic import _conj
from .base import DtypeError, Op, OpError, apply, describe, is_tensor
from .broadcast import zeros_like
from .cast import cast
from .compare import ge, gt, le, logical_not, logical_or, minimum, where, where_grad
from .infer import same_spec
from .promote import fill_value_as
from .unary import exp, tanh

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _float_tensor(op_name, x, promote_integers=False, allow_complex=False):
    """Activations take real floating point tensors. ``sigmoid`` also accepts integers (promoted) and complex
    numbers, and ``relu`` integers, the way PyTorch does; the rest refuse them, as PyTorch's kernels do."""
    if not is_tensor(x):
        raise TypeError(f"{op_name}(): argument 'input' must be a tensor, not {type(x).__name__} ({describe(x)})")
    if dtypes.is_complex(x.dtype) and not allow_complex:
        raise TypeError(f"{op_name}: complex tensors are not supported (got {describe(x)})")
    if x.dtype.kind in "biu":
        if not promote_integers:
            raise DtypeError(f"{op_name}: expected a floating point tensor, got {describe(x)}; convert it with "
                             f".float() first")
        return cast(x, dtypes.get_default_dtype())
    return x


# -------------------------------------------------------------------------------------------- sigmoid

class Sigmoid(Op):
    """``y = 1 / (1 + e^-x)``; dy/dx = y(1 - y). For complex z the derivative is the same holomorphic one, and the
    VJP multiplies by its conjugate, as for every holomorphic op.

    Computed as written, as PyTorch computes it: for a very negative x (below -88 in float32) e^-x overflows to
    inf, and 1 / (1 + inf) is the right answer, 0 — numpy's overflow warning is silenced for it. float16 is
    computed in float32 (its e^-x would overflow already below -11, where the answer is not yet 0). The VJP uses
    only the output.
    """
    saves_inputs = ()
    saves_outputs = True
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x):
        with numpy.errstate(over="ignore"):
            e = xp.exp(-(x if x.dtype.itemsize > 2 else x.astype(numpy.float32)))
        return (1 / (1 + e)).astype(x.dtype, copy=False)

    @staticmethod
    def vjp(ctx, g):
        y = ctx.outputs[0]
        if y.dtype.kind == "c":
            return (g * _conj(y * (1 - y)),)
        return (sigmoid_grad(g, y),)


class SigmoidGrad(Op):
    """``g · y(1 - y)``: sigmoid's backward from its output ``y``, as one op. d/dg = y(1 - y), d/dy = g(1 - 2y)."""
    infer = staticmethod(lambda g, y: g)

    forward = staticmethod(sigmoid_backward)  # (one kernel on a GPU)

    @staticmethod
    def vjp(ctx, gg):
        g, y = ctx.inputs
        need_g, need_y = ctx.needs_input_grad
        return (sigmoid_grad(gg, y) if need_g else None, gg * g * (1 - 2 * y) if need_y else None)


def sigmoid_grad(g, y):
    """The backward of sigmoid: ``g · y(1 - y)`` with ``y = sigmoid(x)``."""
    return apply(SigmoidGrad, g, y)


def sigmoid(input):
    return apply(Sigmoid, _float_tensor("sigmoid", input, promote_integers=True, allow_complex=True))


def silu(input):
    """``x · sigmoid(x)`` (also called swish)."""
    input = _float_tensor("silu", input)
    return input * sigmoid(input)


# ------------------------------------------------------------------------------------- relu and friends

class ReluGrad(Op):
    """``g`` where ``s > 0``, ``negative_slope · g`` where ``s <= 0``: the backward of relu (``s`` = relu's
    output) and of leaky_relu (``s`` = its input). At a NaN ``s`` relu passes ``g`` on and leaky_relu scales it,
    as PyTorch's do.

    It is linear in ``g``, so its VJP for ``g`` is itself; for ``s`` it is 0 almost everywhere, a zero tensor as
    in PyTorch (a gradient penalty then gives the biases before a relu a zero gradient, not none: an optimizer
    still applies their weight decay and momentum). ``s`` counts as a differentiable input, so the result is
    recorded when only ``s`` requires grad.
    """
    saves_inputs = (1,)
    infer = staticmethod(lambda g, s, **attrs: g)

    @staticmethod
    def forward(xp, g, s, negative_slope=0.0):
        if g.dtype.kind != "c":
            return relu_backward(xp, g, s, negative_slope)  # (one kernel on a GPU)
        if negative_slope:
            return xp.where(s > 0, g, g * negative_slope)
        return xp.where(s <= 0, g.dtype.type(0), g)

    @staticmethod
    def vjp(ctx, gg):
        s = ctx.inputs[1]
        need_g, need_s = ctx.needs_input_grad
        return (relu_grad(gg, s, ctx.attrs.get("negative_slope", 0.0)) if need_g else None,
                zeros_like(s) if need_s else None)


def relu_grad(g, s, negative_slope=0.0):
    """Backward of relu: ``g`` where ``s > 0``, else ``negative_slope · g`` (0 for plain relu)."""
    if negative_slope:
        return apply(ReluGrad, g, s, negative_slope=float(negative_slope))
    return apply(ReluGrad, g, s)


class Relu(Op):
    """``y = max(x, 0)``; dy/dx = 1 where x > 0, else 0 (also at 0). The VJP needs only the output: y > 0
    exactly where x > 0."""
    saves_inputs = ()
    saves_outputs = True
    forward = staticmethod(lambda xp, x: xp.maximum(x, x.dtype.type(0)))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (relu_grad(g, ctx.outputs[0]),)


def relu(input):
    """``max(x, 0)``; integer tensors stay integer (bool is refused, as in PyTorch)."""
    if is_tensor(input) and input.dtype.kind in "iu":
        return apply(Relu, input)
    return apply(Relu, _float_tensor("relu", input))


class Hardtanh(Op):
    """``y = min(max(x, min_val), max_val)``; dy/dx = 1 strictly between the bounds and 0 elsewhere, *on* the
    bounds too — PyTorch's ``hardtanh``/``relu6`` and TF's ``relu6`` say so, where ``clamp`` passes the gradient
    at the bounds. The VJP reads the input, as PyTorch's does, so the result may be changed in place (relu6
    followed by an in-place dropout)."""
    forward = staticmethod(lambda xp, x, min_val, max_val: xp.clip(x, x.dtype.type(min_val), x.dtype.type(max_val)))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]  # (not on or beyond a bound: a NaN input passes the gradient, as in PyTorch)
        blocked = logical_or(le(x, ctx.attrs["min_val"]), ge(x, ctx.attrs["max_val"]))
        return (where_grad(g, logical_not(blocked)),)


def hardtanh(input, min_val=-1.0, max_val=1.0):
    """``x`` clamped to ``[min_val, max_val]``, with a zero gradient on the bounds (``Hardtanh``). An integer
    tensor stays one, clamped to the bounds truncated to its dtype (``[-2.5, 3.7]`` is [-2, 3]), as in PyTorch."""
    if is_tensor(input) and input.dtype.kind in "biu":
        if input.dtype == dtypes.bool_:
            raise DtypeError(f"hardtanh: Bool inputs not supported for hardtanh (got {describe(input)})")
        if input.dtype.kind == "u" and min_val < 0:
            raise OpError(f"hardtanh: cannot do hardtanh on an unsigned type with negative limits (got "
                          f"{describe(input)} and min_val={min_val})")
        min_val, max_val = (int(fill_value_as("hardtanh", input.dtype, v)) for v in (min_val, max_val))
        return apply(Hardtanh, input, min_val=min_val, max_val=max_val)
    return apply(Hardtanh, _float_tensor("hardtanh", input), min_val=float(min_val), max_val=float(max_val))


class LeakyRelu(Op):
    """``y = x`` for x > 0, ``negative_slope · x`` otherwise; dy/dx is 1 or ``negative_slope``.

    The VJP tests the input's sign, not the output's: a negative slope would flip the output's sign.
    """
    forward = staticmethod(lambda xp, x, negative_slope: xp.where(x > 0, x, x * negative_slope))
    infer = staticmethod(same_spec)

    @staticmethod
    def vjp(ctx, g):
        return (relu_grad(g, ctx.inputs[0], ctx.attrs["negative_slope"]),)


def leaky_relu(input, negative_slope=0.01):
    return apply(LeakyRelu, _float_tensor("leaky_relu", input), negative_slope=_number("leaky_relu", negative_slope))


class Elu(Op):
    """``y = x`` for x > 0, ``alpha · (e^x - 1)`` otherwise; dy/dx is 1, or ``alpha · e^x``.

    The VJP reads the input only, as PyTorch's does, so the result may be changed in place (an ELU followed by an
    in-place dropout); it is written with ops, so second order comes free.
    """
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, alpha):
        # expm1 of min(x, 0): the branch that where() discards must not overflow for large positive x
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        return (where(gt(x, 0), g, g * (ctx.attrs["alpha"] * exp(minimum(x, 0)))),)


def elu(input, alpha=1.0):
    return apply(Elu, _float_tensor("elu", input), alpha=_number("elu", alpha))


# ----------------------------------------------------------------------------------------------- softplus

class Softplus(Op):
    """``y = log(1 + e^(βx)) / β``, and ``y = x`` once ``βx > threshold`` (where the two agree to float precision),
    as PyTorch defines it; dy/dx = sigmoid(βx), or 1 past the threshold.

    Computed as ``(max(z, 0) + log1p(e^-|z|)) / β`` with ``z = βx``: equal to the formula, but e^-|z| <= 1 never
    overflows, and log1p keeps the digits where e^-|z| is tiny.
    """
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, beta, threshold):
        z = x * beta
        smooth = (xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))) / beta
        return xp.where(z > threshold, x, smooth)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        z = x * ctx.attrs["beta"]
        return (where(gt(z, ctx.attrs["threshold"]), g, g * sigmoid(z)),)


def softplus(input, beta=1.0, threshold=20.0):
    beta = _number("softplus", beta)
    if beta == 0:
        raise OpError("softplus: beta must be nonzero (it divides the result)")
    return apply(Softplus, _float_tensor("softplus", input), beta=beta, threshold=_number("softplus", threshold))


# -------------------------------------------------------------------------------------------------- gelu

# erf's series below, as a polynomial in u = z²/4 (< 1 for |z| < 2): the n-th coefficient is
# 8^n / (1·3·5···(2n+1)). Horner's rule on it keeps every intermediate near 1; summing the terms one by one
# instead would create subnormal numbers for small z, which CPUs process a hundred times slower.
_ERF_SERIES = [8.0 ** n / math.prod(range(1, 2 * n + 2, 2)) for n in range(30)]


def _erfc(xp, z):
    """The complementary error function ``erfc(z) = 1 - erf(z)``, to about 1e-13 relative error in float64.

    numpy has no erf, so we sum it ourselves, choosing per element the expansion that converges fast there
    (formulas from Abramowitz & Stegun, 7.1.6 and 7.1.14; accuracy measured against mpmath):

    * |z| < 2: ``erf(z) = 2/√π · e^(-z²) · Σ (2z²)^n z / (1·3·5···(2n+1))``, all terms positive (no cancellation
      as in the alternating Taylor series); 30 terms;
    * |z| >= 2: the continued fraction ``erfc(z) = e^(-z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))``,
      accurate in the far tail, where ``1 - erf(z)`` would have no digits left; 40 levels, evaluated from the
      bottom up.

    Negative z use ``erfc(-z) = 2 - erfc(z)``.
    """
    a = xp.abs(z)
    tail = a >= 2
    result = xp.empty_like(a)
    result[~tail] = 1 - _erf_series(xp, a[~tail])
    result[tail] = _erfc_continued_fraction(xp, a[tail])
    return xp.where(z < 0, 2 - result, result)


def _erf(xp, z):
    """The error function, from the same two expansions as ``_erfc``; near 0 the series gives erf itself, to
    full relative precision (``1 - erfc(z)`` would lose the digits of a tiny erf to cancellation)."""
    a = xp.abs(z)
    tail = a >= 2
    result = xp.empty_like(a)
    result[~tail] = _erf_series(xp, a[~tail])
    result[tail] = 1 - _erfc_continued_fraction(xp, a[tail])
    return xp.where(z < 0, -result, result)


def _erf_series(xp, a):
    """erf(a) for 0 <= a < 2 by the all-positive series of ``_erfc``'s docstring (30 terms)."""
    u = a * a / 4
    series = xp.full_like(a, _ERF_SERIES[-1])
    for coefficient in reversed(_ERF_SERIES[:-1]):
        series *= u
        series += coefficient
    return (2 / math.sqrt(math.pi)) * xp.exp(-a * a) * a * series


def _erfc_continued_fraction(xp, a):
    """erfc(a) for a >= 2 by the continued fraction of ``_erfc``'s docstring (40 levels, from the bottom up)."""
    fraction = a
    for k in range(40, 0, -1):
        fraction = a + (k / 2) / fraction
    return xp.exp(-a * a) / (math.sqrt(math.pi) * fraction)


def _normal_cdf(xp, x):
    """Φ(x) = P(N(0, 1) <= x) = erfc(-x/√2) / 2, accurate in both tails (no ``1 + erf`` cancellation)."""
    return 0.5 * _erfc(xp, -x * (1 / math.sqrt(2.0)))


class Gelu(Op):
    """``y = x · Φ(x)`` with Φ the standard normal CDF; dy/dx = Φ(x) + x·φ(x), φ the normal density."""
    infer = staticmethod(same_spec)
    forward = staticmethod(lambda xp, x: x * _normal_cdf(xp, x))

    @staticmethod
    def vjp(ctx, g):
        return (apply(GeluGrad, g, ctx.inputs[0]),)


class GeluGrad(Op):
    """``g · (Φ(x) + x·φ(x))``, the backward of exact gelu, as one op (it needs Φ, which no other op computes).

    Linear in g, so its VJP for g is itself; for x: d/dx (Φ + xφ) = 2φ + xφ' = φ(x)·(2 - x²).
    """
    infer = staticmethod(lambda g, x: g)

    @staticmethod
    def forward(xp, g, x):
        density = xp.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return g * (_normal_cdf(xp, x) + x * density)

    @staticmethod
    def vjp(ctx, gg):
        g, x = ctx.inputs
        need_g, need_x = ctx.needs_input_grad
        density = exp(x * x * -0.5) * _INV_SQRT_2PI
        return (apply(GeluGrad, gg, x) if need_g else None,
                gg * g * density * (2 - x * x) if need_x else None)


def gelu(input, approximate="none"):
    """``x · Φ(x)`` (``approximate='none'``), or its tanh approximation
    ``x/2 · (1 + tanh(√(2/π) · (x + 0.044715·x³)))`` (``approximate='tanh'``), as in PyTorch."""
    input = _float_tensor("gelu", input)
    if approximate == "none":
        return apply(Gelu, input)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * _SQRT_2_OVER_PI
        return input * 0.5 * (1 + tanh(inner))
    raise OpError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def _number(op_name, value):
    """Attributes are plain Python floats (never arrays or tensors)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{op_name}: expected a number for the parameter, got {type(value).__name__}")
    return float(value)


__all__ = ["sigmoid_grad", "sigmoid", "silu", "relu", "relu_grad", "hardtanh", "leaky_relu", "elu", "softplus",
           "gelu"]
