"""More elementwise math: ``sgn``, ``heaviside``, ``logit``, ``xlogy``, TF's ``xdivy`` and ``mul_no_nan``, ``fmod``,
``float_power``, ``hypot``, ``logaddexp``, ``logaddexp2``, ``copysign``, ``frac``, ``deg2rad``, ``rad2deg``, ``sinc``,
and the running ``logcumsumexp``.

Where a function is a plain formula in existing ops (logit, frac, float_power, deg2rad...) it is written as that
formula, and its gradient comes from the parts. The others are ops with their own VJP, each for a reason its
docstring gives: a value the formula would get wrong (xlogy at 0, sinc at 0), a stable computation (hypot,
logaddexp, logcumsumexp), or PyTorch's gradient at special points (copysign, fmod). dtypes follow PyTorch: the
float-only functions turn bool and integer tensors into the default float dtype, or refuse them where PyTorch does.
"""
import math

import numpy

from ..backend import dtypes
from .arithmetic import _conj, div
from .base import DtypeError, Op, apply, describe, is_tensor, refuse_integer_division_by_zero
from .broadcast import sum_to_like, zeros_like
from .compare import eq, gt, le, logical_and, logical_or, lt, where
from .infer import broadcast_infer, normalize_dim, same_spec
from .opmath import float16_in_float32
from .promote import promote
from .reduce import _is_int
from .unary import _floating, _tensor, abs, cos, exp, isnan, sign, trunc

__all__ = ["sgn", "heaviside", "logit", "xlogy", "xdivy", "mul_no_nan", "fmod", "float_power", "hypot", "logaddexp",
           "logaddexp2", "copysign", "frac", "deg2rad", "rad2deg", "sinc", "logcumsumexp"]


def _refuse_complex(op_name, *operands):
    for x in operands:
        if dtypes.is_complex(x.dtype):
            raise TypeError(f"{op_name}: not implemented for complex tensors (got {describe(x)})")


def both_tensors(op_name, input, other, other_name="other"):
    """Functions that, as in PyTorch, take no Python number for either operand (hypot, heaviside, dist...)."""
    for position, (what, value) in enumerate((("input", input), (other_name, other)), 1):
        if not is_tensor(value):
            raise TypeError(f"{op_name}(): argument '{what}' (position {position}) must be Tensor, not "
                            f"{type(value).__name__}")


def _float_only(op_name, x):
    """Functions PyTorch defines for floating point tensors only (frac, logcumsumexp)."""
    _tensor(op_name, x)
    if not dtypes.is_floating_point(x.dtype):
        raise TypeError(f"{op_name}: not implemented for {describe(x)}; convert it with .float() first")
    return x


def _two_float_tensors(op_name, input, other, complex_too=False):
    """hypot, logaddexp(2): two tensors of floating dtypes (different float dtypes promote), or complex ones where
    told (logaddexp)."""
    both_tensors(op_name, input, other)
    dtype, operands = promote(op_name, input, other)
    if not (dtypes.is_floating_point(dtype) or complex_too and dtypes.is_complex(dtype)):
        raise TypeError(f"{op_name}: not implemented for {describe(input)} and {describe(other)}; it needs "
                        f"floating point{' or complex' if complex_too else ''} tensors")
    return operands


def _to_float(op_name, *operands):
    """Promote the operands together; a bool or integer result becomes the default float dtype (the numbers made
    floats from their own values: -2 beside a uint8 tensor is -2.0, not the 254 that uint8 would hold)."""
    dtype, promoted = promote(op_name, *operands)
    _refuse_complex(op_name, *promoted)
    if not dtypes.is_floating_point(dtype):
        _, promoted = promote(op_name, *operands, dtype=dtypes.get_default_dtype())
    return promoted


# ------------------------------------------------------------------------------------------- signs and steps

def sgn(input):
    """The sign of real numbers (-1, 0, 1, like ``sign``), and for complex ones the point on the unit circle in
    the same direction, ``z / |z|`` (0 at 0)."""
    _tensor("sgn", input)
    if not dtypes.is_complex(input.dtype):
        return sign(input)
    magnitude = abs(input)
    zero = eq(magnitude, 0)
    # divide by 1 at 0, never by 0: the unused branch of the where must stay finite for the gradient
    return where(zero, 0, input / where(zero, 1.0, magnitude))


class Heaviside(Op):
    """The step function: 0 where x < 0, 1 where x > 0, and ``values`` where x == 0. Piecewise constant, and
    PyTorch gives it no gradient, so neither do we."""
    differentiable = False
    infer = staticmethod(broadcast_infer("heaviside"))

    @staticmethod
    def forward(xp, x, values):
        return xp.where(x == 0, values, (x > 0).astype(x.dtype))


def heaviside(input, values):
    """The Heaviside step of ``input``, taking ``values`` (broadcast) where input is 0. Both must be tensors of the
    same dtype, as in PyTorch."""
    both_tensors("heaviside", input, values, "values")
    _refuse_complex("heaviside", input, values)
    if input.dtype != values.dtype:
        raise DtypeError(f"heaviside is not yet implemented for tensors with different dtypes ({describe(input)} and "
                         f"{describe(values)})")
    return apply(Heaviside, input, values)


class Copysign(Op):
    """``|a|`` with the sign of ``b`` (its sign bit: -0.0 counts as negative).

    d/da = sign(a)·sign(result) (±1; 0 where a = 0, NaN where a is NaN, as in PyTorch); d/db = 0 (the result
    jumps where b changes sign and is flat elsewhere; a tensor b gets that zero gradient, as in PyTorch, not
    none). The sign is read from the result rather than from b, which at b = -0.0 says 0."""
    saves_outputs = True
    infer = staticmethod(broadcast_infer("copysign"))
    forward = staticmethod(lambda xp, a, b: xp.copysign(a, b))

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        slope = sign(a) * sign(ctx.outputs[0])
        if need_a and dtypes.is_floating_point(a.dtype):
            slope = where(isnan(a), a, slope)  # NaN in, NaN gradient out (sign(NaN) is 0), as PyTorch's
        return (sum_to_like(g * slope, a) if need_a else None, zeros_like(b) if need_b else None)


def copysign(input, other):
    """The magnitude of ``input`` with the sign of ``other`` (a tensor or a number), elementwise. Integer
    operands give the default float dtype."""
    _tensor("copysign", input)
    return apply(Copysign, *_to_float("copysign", input, other))


# --------------------------------------------------------------------------------------- logs and powers

class Logit(Op):
    """The log-odds ``log(p / (1 - p))``, computed as ``log(p) - log1p(-p)``; with ``eps``, p is first moved into
    [eps, 1 - eps] (``p < eps`` to eps, else ``p > 1 - eps`` to 1 - eps: PyTorch's rule, also for eps > 1/2).

    d/dp = 1/p + 1/(1 - p) = 1 / (p(1 - p)) inside the domain; outside it PyTorch's gradient is NaN (no eps: p < 0
    or p > 1) or 0 (eps: p moved to a bound), and a NaN p gives NaN."""
    saves_inputs = (0,)
    infer = staticmethod(lambda p, eps: p)

    @staticmethod
    def forward(xp, p, eps):
        if eps is not None:
            low, high = p.dtype.type(eps), p.dtype.type(1 - eps)
            p = xp.where(p < low, low, xp.where(p > high, high, p))
        return xp.log(p) - xp.log1p(-p)

    @staticmethod
    def vjp(ctx, g):
        p, eps = ctx.inputs[0], ctx.attrs["eps"]
        low, high = (0.0, 1.0) if eps is None else (eps, 1 - eps)
        outside = logical_or(lt(p, low), gt(p, high))
        inside = where(outside, 0.5, p)  # (so that the branch not taken has a finite gradient of its own)
        return (where(outside, math.nan if eps is None else 0.0, g / (inside * (1 - inside))),)


def logit(input, eps=None):
    """The log-odds ``log(p / (1 - p))``, the inverse of the sigmoid; ``eps`` clamps p to [eps, 1 - eps] first,
    which keeps the result finite at 0 and 1 (see ``Logit``)."""
    p = _floating("logit", input)
    _refuse_complex("logit", p)
    return apply(Logit, p, eps=None if eps is None else float(eps))


def x_times_log(xp, x, y, log_y):
    """``x · log_y``, but 0 where x == 0 (whatever log_y is there) and NaN where y is NaN: the rule of xlogy and
    xlog1py."""
    product = x * log_y
    return xp.where(xp.isnan(y), y, xp.where(x == 0, product.dtype.type(0), product)).astype(product.dtype, copy=False)


def x_times_log_vjp(ctx, g, op, edge, shift):
    """The VJP of ``op(x, y) = x · log(y + shift)`` (xlogy: shift 0; xlog1py: shift 1), not a number for
    y <= ``edge`` = -shift. d/dx = log(y + shift) is ``op(g, y)`` — with y moved to 1 - shift (log 1 = 0) where
    x = 0 and y <= edge, PyTorch's 0 on the line where the function is constant; d/dy = x / (y + shift).

    With the attr ``zero_where_x_is_zero`` (TensorFlow's gradient, ``xlogy(x != 0, y)`` and ``xdivy(x, y)``) both
    derivatives are 0 wherever x = 0, whatever y is: y is moved to 1 - shift there."""
    x, y = ctx.inputs
    need_x, need_y = ctx.needs_input_grad
    tf_rule = ctx.attrs.get("zero_where_x_is_zero", False)
    neutral = 1.0 - shift
    if tf_rule:
        y = where(eq(x, 0), neutral, y)
    grad_x = grad_y = None
    if need_x:
        if tf_rule:
            y_safe = y
        elif is_tensor(y):
            y_safe = where(logical_and(eq(x, 0), le(y, edge)), neutral, y)
        else:
            y_safe = where(eq(x, 0), neutral, y) if y <= edge else y
        grad_x = sum_to_like(apply(op, g, y_safe, **ctx.attrs), x)
    if need_y:
        grad_y = sum_to_like(g * x / (y + shift if shift else y), ctx.inputs[1])
    return grad_x, grad_y


class Xlogy(Op):
    """``x · log(y)``, defined as 0 where x == 0 even where log(y) is -inf or NaN (y ≤ 0); a NaN y gives NaN.

    This makes entropy-like sums such as Σ p·log(p) right at p = 0. The product rule would give
    0·(-inf) = NaN there, hence an op: d/dx = log(y), taken as 0 where x = 0 and y ≤ 0 (there log(y) is not a
    number, and the function is constant 0 along x = 0: PyTorch's choice), d/dy = x / y. ``zero_where_x_is_zero``:
    TensorFlow's gradient, 0 for both wherever x = 0 (``x_times_log_vjp``)."""
    infer = staticmethod(broadcast_infer("xlogy"))

    @staticmethod
    def forward(xp, x, y, zero_where_x_is_zero=False):
        return x_times_log(xp, x, y, xp.log(y))

    @staticmethod
    def vjp(ctx, g):
        return x_times_log_vjp(ctx, g, Xlogy, edge=0, shift=0)


def xlogy(input, other, zero_where_x_is_zero=False):
    """``input · log(other)``, 0 where input is 0; either may be a number. Integer operands give the default
    float dtype. ``zero_where_x_is_zero``: TensorFlow's gradient (see ``Xlogy``)."""
    operands = _to_float("xlogy", input, other)
    return apply(Xlogy, *operands, zero_where_x_is_zero=True) if zero_where_x_is_zero else apply(Xlogy, *operands)


def xdivy(input, other):
    """``x / y``, but 0 wherever x is 0, even where y is 0 or NaN (TensorFlow's ``xdivy``). A formula: y is
    replaced by 1 where x is 0, so no inf or NaN reaches the gradient, which is 0 there for x and y (TF's)."""
    x, y = _to_float("xdivy", input, other)
    x_is_zero = eq(x, 0)
    quotient = div(x, where(x_is_zero, 1.0, y))
    return where(x_is_zero, zeros_like(quotient), quotient)


class MulNoNan(Op):
    """``x · y``, but 0 wherever y is 0, even where x is inf or NaN (TensorFlow's ``multiply_no_nan``: a weight
    of 0 silences whatever it multiplies). The VJP is TF's, made of the op itself — ``mul_no_nan(g, y)`` for x,
    ``mul_no_nan(x, g)`` for y — so derivatives of every order follow."""
    infer = staticmethod(broadcast_infer("mul_no_nan"))

    @staticmethod
    def forward(xp, x, y):
        with numpy.errstate(invalid="ignore"):  # inf · 0, which the where replaces
            product = x * y
        return xp.where(y == 0, product.dtype.type(0), product)

    @staticmethod
    def vjp(ctx, g):
        x, y = ctx.inputs
        need_x, need_y = ctx.needs_input_grad
        return (sum_to_like(mul_no_nan(g, y), x) if need_x else None,
                sum_to_like(mul_no_nan(x, g), y) if need_y else None)


def mul_no_nan(input, other):
    """``input · other``, but 0 where ``other`` is 0 (see ``MulNoNan``); either may be a number."""
    return apply(MulNoNan, *_to_float("mul_no_nan", input, other))


class Fmod(Op):
    """The C-style remainder ``a - trunc(a / b)·b``: it has the sign of the dividend a (``fmod(-3, 2) = -1``,
    where ``remainder``, Python's ``%``, gives 1).

    d/da = 1; d/db = -trunc(a / b) (PyTorch's gradient; the jumps where a/b is whole are ignored)."""
    infer = staticmethod(broadcast_infer("fmod"))

    @staticmethod
    def forward(xp, a, b):
        refuse_integer_division_by_zero("fmod", a, b)
        return xp.fmod(a, b)

    @classmethod
    def inputs_to_save(cls, needs_input_grad):
        return (0, 1) if needs_input_grad[1] else ()  # d/da = 1 reads nothing

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_like(g, a) if need_a else None,
                sum_to_like(-g * div(a, b, rounding_mode="trunc"), b) if need_b else None)


def fmod(input, other):
    """The remainder of ``input / other`` with the sign of ``input`` (C's ``fmod``); ``other`` may be a number.
    Integers stay integers (dividing one by 0 is an error); float division by 0 gives NaN."""
    _tensor("fmod", input)
    dtype, operands = promote("fmod", input, other)
    _refuse_complex("fmod", *operands)
    if dtype == dtypes.bool_:
        raise TypeError(f"fmod: not implemented for bool tensors ({describe(input)})")
    return apply(Fmod, *operands)


def float_power(input, exponent):
    """``input ** exponent`` computed in double precision: the result is float64 (complex128 if either operand is
    complex), whatever the operands' dtypes. Either may be a number. A cast and a ``pow``."""
    if not (is_tensor(input) or is_tensor(exponent)):
        raise TypeError("float_power: expected a tensor for input or exponent, got two numbers")
    complex_ = dtypes.is_complex(dtypes.result_type(input, exponent))
    _, (base, power) = promote("float_power", input, exponent,
                               dtype=dtypes.complex128 if complex_ else dtypes.float64)
    return base ** power


def _log_add_grads(ctx, g, log_base):
    """d/da log(e^a + e^b) = e^a / (e^a + e^b) = sigmoid(a - b), and likewise for b (base 2: sigmoid((a - b)·ln 2)).
    Written with the difference, not as e^(a - y): where a = +inf, y is +inf too and e^(a - y) would be NaN; the
    infinite argument takes the whole gradient, as in PyTorch."""
    a, b = ctx.inputs
    need_a, need_b = ctx.needs_input_grad
    return (sum_to_like(g * _share_of_first(a, b, log_base), a) if need_a else None,
            sum_to_like(g * _share_of_first(b, a, log_base), b) if need_b else None)


def _share_of_first(a, b, log_base):
    """``sigmoid((a - b)·log_base)``; for complex operands its conjugate (what the chain rule multiplies ``g`` by
    there), written out, as sigmoid takes no complex tensors."""
    if dtypes.is_complex(a.dtype):
        return _conj(1 / (1 + exp((b - a) * log_base)))
    from .activations import sigmoid  # (activations builds on this module)
    return sigmoid((a - b) * log_base)


def _logaddexp(xp, a, b):
    """numpy's ``logaddexp`` for real operands; complex ones as PyTorch computes them: ``log1p(e^(low - high)) +
    high``, where ``high`` is the operand with the larger real part (so e^(...) cannot overflow). Where both real
    parts are the same infinity that difference is NaN, so -inf gives ``low`` (e^a + e^b is 0, of no definite
    angle) and +inf ``log(e^a + e^b)``; a NaN anywhere in either operand gives NaN + NaN·j."""
    if a.dtype.kind != "c":
        return xp.logaddexp(a, b)
    a, b = xp.broadcast_arrays(a, b)
    b_is_higher = a.real < b.real
    low, high = xp.where(b_is_higher, a, b), xp.where(b_is_higher, b, a)
    with numpy.errstate(all="ignore"):  # (the infinite cases compute NaNs, then replaced)
        out = xp.log1p(xp.exp(low - high)) + high
        same_infinity = ~xp.isfinite(low.real) & (low.real == high.real)
        out = xp.where(same_infinity, xp.where(low.real < 0, low, xp.log(xp.exp(low) + xp.exp(high))), out)
    return xp.where(xp.isnan(a) | xp.isnan(b), xp.asarray(complex(math.nan, math.nan), dtype=out.dtype), out)


class Logaddexp(Op):
    """``log(e^a + e^b)`` without overflow: computed as max(a, b) + log1p(e^-|a - b|) (complex: ``_logaddexp``).
    d/da = e^(a - y) = sigmoid(a - b), d/db = sigmoid(b - a)."""
    infer = staticmethod(broadcast_infer("logaddexp"))
    forward = staticmethod(_logaddexp)
    vjp = staticmethod(lambda ctx, g: _log_add_grads(ctx, g, 1.0))


class Logaddexp2(Op):
    """``log2(2^a + 2^b)`` without overflow. d/da = 2^(a - y) = sigmoid((a - b)·ln 2), d/db likewise."""
    infer = staticmethod(broadcast_infer("logaddexp2"))
    forward = staticmethod(lambda xp, a, b: xp.logaddexp2(a, b))
    vjp = staticmethod(lambda ctx, g: _log_add_grads(ctx, g, math.log(2)))


def logaddexp(input, other):
    """``log(exp(input) + exp(other))`` elementwise, stable for large and very negative values; floating point or
    complex tensors."""
    return apply(Logaddexp, *_two_float_tensors("logaddexp", input, other, complex_too=True))


def logaddexp2(input, other):
    """``log2(2**input + 2**other)`` elementwise, stable for large and very negative values."""
    return apply(Logaddexp2, *_two_float_tensors("logaddexp2", input, other))


class Hypot(Op):
    """The length of the hypotenuse ``√(a² + b²)``, without the overflow of squaring a large a or b.
    d/da = a / y, d/db = b / y (NaN at a = b = 0, as in PyTorch)."""
    saves_outputs = True
    infer = staticmethod(broadcast_infer("hypot"))
    forward = staticmethod(lambda xp, a, b: xp.hypot(a, b))

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        scale = g / ctx.outputs[0]
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_like(scale * a, a) if need_a else None, sum_to_like(scale * b, b) if need_b else None)


def hypot(input, other):
    """``sqrt(input² + other²)`` elementwise, for two floating point tensors."""
    return apply(Hypot, *_two_float_tensors("hypot", input, other))


# --------------------------------------------------------------------------------- fractions and angles

def frac(input):
    """The fractional part ``x - trunc(x)``, with the sign of x (frac(-1.5) = -0.5). Gradient 1 (trunc's is 0).
    Floating point tensors only, as in PyTorch."""
    x = _float_only("frac", input)
    return x - trunc(x)


def _angle(op_name, input, factor):
    x = _floating(op_name, input)
    if dtypes.is_complex(x.dtype):
        raise DtypeError(f"{op_name} is not supported for complex tensors (got {describe(x)})")
    return x * factor


def deg2rad(input):
    """Degrees to radians: ``x · π/180``. Integer tensors give the default float dtype."""
    return _angle("deg2rad", input, math.pi / 180)


def rad2deg(input):
    """Radians to degrees: ``x · 180/π``. Integer tensors give the default float dtype."""
    return _angle("rad2deg", input, 180 / math.pi)


class Sinc(Op):
    """The normalized sinc ``sin(πx) / (πx)``, 1 at x = 0 (where the formula is 0/0, hence an op).

    d/dx = (cos(πx) - sinc(x)) / x, 0 at x = 0. Dividing by 1 instead of x there gives exactly that 0, since the
    numerator is cos(0) - 1 = 0; the second derivative at exactly x = 0 comes out 0 rather than -π²/3."""
    infer = staticmethod(same_spec)
    forward = staticmethod(float16_in_float32(lambda xp, x: xp.sinc(x)))  # (π·x: 30000π is past float16)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        safe_x = where(eq(x, 0), 1.0, x)
        return (g * _conj((cos(x * math.pi) - apply(Sinc, x)) / safe_x),)


def sinc(input):
    """The normalized sinc function ``sin(πx) / (πx)`` (1 at 0), elementwise. Integers give the default float."""
    return apply(Sinc, _floating("sinc", input))


# ---------------------------------------------------------------------------------------- logcumsumexp

def _scan_logaddexp(xp, x, dim, reverse):
    """y_i = log Σ_{j ≤ i} e^(x_j) along ``dim`` (Σ_{j ≥ i} with ``reverse``), as a parallel prefix scan.

    ``logaddexp`` is associative, so after the step with shift s = 1, 2, 4, ... — y_i ← logaddexp(y_i, y_(i-s))
    for i ≥ s, all at once — each y_i combines the 2s entries ending at i; log2(n) vectorized steps cover the
    whole dim. Every step is a stable logaddexp, so no entry underflows however far it lies below the largest."""
    if x.ndim == 0:
        return x.copy()
    y = xp.moveaxis(x, dim, -1)
    if reverse:
        y = y[..., ::-1]
    shift = 1
    while shift < y.shape[-1]:
        y = xp.concatenate([y[..., :shift], xp.logaddexp(y[..., shift:], y[..., :-shift])], axis=-1)
        shift *= 2
    if reverse:
        y = y[..., ::-1]
    return xp.ascontiguousarray(xp.moveaxis(y, -1, dim))


class Logcumsumexp(Op):
    """y_i = log(e^(x_0) + ... + e^(x_i)) along ``dim`` (``reverse``: from x_i to the last entry).

    dy_i/dx_j = e^(x_j - y_i) for j ≤ i, so grad_j = Σ_(i ≥ j) g_i·e^(x_j - y_i) — a sum in the other direction,
    which ``ExpWeightedScan`` computes stably (v = g, a = x, b = -y). Where y_i = -inf (the entries so far are all
    -inf) it is taken as 0: each of its terms holds a factor e^(x_j) = 0 anyway, and -inf - (-inf) would be NaN."""
    saves_outputs = True
    infer = staticmethod(same_spec)
    forward = staticmethod(_scan_logaddexp)

    @staticmethod
    def vjp(ctx, g):
        x, y = ctx.inputs[0], ctx.outputs[0]
        y = where(eq(y, -math.inf), 0.0, y)
        return (apply(ExpWeightedScan, g, x, -y, dim=ctx.attrs["dim"], reverse=not ctx.attrs["reverse"]),)


class ExpWeightedScan(Op):
    """out_j = Σ_(i ≤ j) v_i·e^(a_j + b_i) along ``dim`` (``reverse``: Σ_(i ≥ j)) — logcumsumexp's gradient.

    Computed in log space, as ``e^(a_j) · e^(logcumsumexp(log v + b)_j)``, stable for any range of a and b; a log
    needs positive numbers, so v's positive and negative parts are summed apart. out is linear in v, and its VJP
    for a cotangent u is the same sum in the other direction, w_i = Σ_(j ≥ i) u_j·e^(a_j + b_i) = the op on
    (u, b, a); then d/da = u·out and d/db = v·w. Being its own VJP, it has derivatives of every order, also at
    v = 0 (forward mode's double-vjp trick differentiates the gradient in v there)."""
    saves_outputs = True

    @staticmethod
    def forward(xp, v, a, b, dim, reverse):
        def part(values):  # Σ over the positive entries of ``values``, in log space
            positive = values > 0
            logs = xp.where(positive, xp.log(xp.where(positive, values, 1)), -xp.inf)
            return xp.exp(a + _scan_logaddexp(xp, logs + b, dim, reverse))
        return part(v) - part(-v)

    @staticmethod
    def vjp(ctx, u):
        v, a, b = ctx.inputs
        w = apply(ExpWeightedScan, u, b, a, dim=ctx.attrs["dim"], reverse=not ctx.attrs["reverse"])
        return w, u * ctx.outputs[0], v * w

    @staticmethod
    def infer(v, a, b, **attrs):
        return v


def logcumsumexp(input, dim):
    """The running ``log(sum(exp(x)))`` along ``dim`` — ``cumsum`` in log space, stable for any range of values.
    Floating point tensors only, as in PyTorch."""
    x = _float_only("logcumsumexp", input)
    if not _is_int(dim):
        raise TypeError(f"logcumsumexp(): dim must be an int, got {dim!r}")
    return apply(Logcumsumexp, x, dim=normalize_dim("logcumsumexp()", int(dim), x.ndim, x),
                 reverse=False)
