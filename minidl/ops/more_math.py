"""More of PyTorch's math: questions about numbers (``signbit``, ``isneginf``, ``isposinf``, ``isreal``), whole
numbers (``gcd``, ``lcm``), the floating point format (``nextafter``, ``frexp``, ``ldexp``), two aliases
(``positive``, ``fix``), products and integrals (``inner``, ``vdot``, ``trapezoid``, ``cumulative_trapezoid``), two
order statistics (``nanmedian``, ``mode``) and ``sum_to_size``. The special functions that came with them (the
modified Bessel functions, ``erfcx``, ``log_ndtr``, ``xlog1py``) are in ``special_more.py``.

Where a function is a formula in existing ops (ldexp, inner, vdot, the trapezoid rules, sum_to_size) it is written
as that formula, and its gradient comes from the parts. The others are ops: the questions, gcd and lcm answer with
bools or integers (no gradient), nextafter and frexp have PyTorch's gradients of their own, and the order
statistics pick entries and send each gradient back to the entry picked.
"""
from collections import namedtuple

import numpy

from ..backend import dtypes
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor
from .bitwise import _refuse
from .broadcast import ones_like, sum_to_like, zeros_like
from .cast import cast
from .compare import eq, logical_and, logical_or, ne, where_grad
from .elementwise_more import both_tensors
from .extrema import _check_nonempty, _one_dim
from .indexing import getitem
from .infer import broadcast_infer, normalize_dim, unary_spec_with_dtype
from .linalg import dot
from .matrix import tensordot
from .promote import promote
from .reduce import _is_int, check_tensor, cumsum, sum
from .shape import reshape, unsqueeze
from .sorting import PickAlongDim, _no_scalar_dim, _order, _orderable, _take_position
from .spectral import conj, imag
from .unary import _tensor, exp2, isnan, trunc

__all__ = ["signbit", "isneginf", "isposinf", "isreal", "gcd", "lcm", "nextafter", "frexp", "ldexp", "positive",
           "fix", "inner", "vdot", "trapezoid", "cumulative_trapezoid", "nanmedian", "mode", "sum_to_size"]

#: the named tuples PyTorch returns (``torch.return_types.frexp`` ...)
FrexpResult = namedtuple("frexp", ["mantissa", "exponent"])
NanmedianResult = namedtuple("nanmedian", ["values", "indices"])
ModeResult = namedtuple("mode", ["values", "indices"])


# -------------------------------------------------------------------------------------- questions about numbers

class _Question(Op):
    """A yes/no question about each element: a bool tensor, no gradient. (Subclasses spell out their ``name``:
    it would otherwise be inherited from this class.)"""
    differentiable = False
    infer = staticmethod(unary_spec_with_dtype(dtypes.bool_))


class Signbit(_Question):
    """Whether the sign bit is set: for negative numbers, but also for -0.0 and a NaN that carries the sign."""
    name = "Signbit"
    forward = staticmethod(lambda xp, x: _signbit(xp, x))


def _signbit(xp, x):
    """numpy's signbit; on another backend read off the bits, as cupy's (14.2) is False for -0.0."""
    if xp is numpy or x.dtype.kind != "f":
        return xp.signbit(x)
    return x.view(f"i{x.itemsize}") < 0


class IsNegInf(_Question):
    name = "IsNegInf"
    forward = staticmethod(lambda xp, x: x == -xp.inf)  # an integer never equals it


class IsPosInf(_Question):
    name = "IsPosInf"
    forward = staticmethod(lambda xp, x: x == xp.inf)


def signbit(input):
    """True where ``input``'s sign bit is set: negative numbers, -0.0 and -inf (and never for bool tensors)."""
    _tensor("signbit", input)
    if dtypes.is_complex(input.dtype):
        raise NotImplementedError(f"signbit is not implemented for complex tensors (got {describe(input)})")
    return apply(Signbit, input)


def _infinity_test(op_name, op, input):
    _tensor(op_name, input)
    if dtypes.is_complex(input.dtype):
        raise DtypeError(f"{op_name} does not support complex inputs (got {describe(input)})")
    return apply(op, input)


def isneginf(input):
    """True where ``input`` is -inf (all False for bool and integer tensors)."""
    return _infinity_test("isneginf", IsNegInf, input)


def isposinf(input):
    """True where ``input`` is +inf (all False for bool and integer tensors)."""
    return _infinity_test("isposinf", IsPosInf, input)


def isreal(input):
    """True where an element is a real number: everywhere for real dtypes, where the imaginary part is 0 for
    complex ones."""
    _tensor("isreal", input)
    if not dtypes.is_complex(input.dtype):
        return ones_like(input, dtype=dtypes.bool_)
    return eq(imag(input), 0)


# ----------------------------------------------------------------------------------------------- whole numbers

class Gcd(Op):
    """The greatest common divisor: the largest d ≥ 0 that divides both (gcd(a, 0) = |a|, gcd(0, 0) = 0)."""
    differentiable = False
    forward = staticmethod(lambda xp, a, b: xp.gcd(a, b))
    infer = staticmethod(broadcast_infer("gcd"))


class Lcm(Op):
    """The least common multiple |a·b| / gcd(a, b) (0 when either is 0); like any integer product it wraps
    around where it does not fit the dtype."""
    differentiable = False
    forward = staticmethod(lambda xp, a, b: xp.lcm(a, b))
    infer = staticmethod(broadcast_infer("lcm"))


def _integer_pair(op, op_name, input, other):
    both_tensors(op_name, input, other)
    dtype, operands = promote(op_name, input, other)
    _refuse(op_name, op_name, dtype, operands, shifts=True)  # the shifts' rule: integers only, not bool
    return apply(op, *operands)


def gcd(input, other):
    """The greatest common divisor of two integer tensors, elementwise (broadcast; always ≥ 0)."""
    return _integer_pair(Gcd, "gcd", input, other)


def lcm(input, other):
    """The least common multiple of two integer tensors, elementwise (broadcast; always ≥ 0)."""
    return _integer_pair(Lcm, "lcm", input, other)


# ----------------------------------------------------------------------------------- the floating point format

class Nextafter(Op):
    """The float next to ``a`` in the direction of ``b`` (``b`` itself where they are equal).

    A step of one unit in the last place; PyTorch differentiates it as the identity in ``a`` (gradient 1, but 0
    where a == b: the result is b there) and as a constant in ``b`` (gradient 0), and so do we."""
    forward = staticmethod(lambda xp, a, b: xp.nextafter(a, b))
    infer = staticmethod(broadcast_infer("nextafter"))

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return sum_to_like(where_grad(g, ne(a, b)), a) if need_a else None, zeros_like(b) if need_b else None


def nextafter(input, other):
    """The next floating point number after ``input`` towards ``other``, elementwise (two float tensors)."""
    both_tensors("nextafter", input, other)
    dtype, operands = promote("nextafter", input, other)
    if not dtypes.is_floating_point(dtype):
        raise NotImplementedError(f"nextafter: not implemented for {describe(input)} and {describe(other)}; it "
                                  "takes floating point tensors")
    return apply(Nextafter, *operands)


class Frexp(Op):
    """Split x into ``mantissa · 2^exponent`` with 0.5 ≤ |mantissa| < 1 and an int32 exponent (0 gives 0 and 0;
    ±inf and NaN are their own mantissa, with exponent 0).

    Between two powers of 2 the mantissa is x times the constant 2^(-exponent), so d mantissa/dx = 2^(-exponent)
    (the jumps at the powers of 2 are ignored, as in PyTorch). The exponent is an integer: no gradient."""
    n_outputs = 2
    saves_inputs = ()
    saves_outputs = (1,)  # the exponent only
    forward = staticmethod(lambda xp, x: xp.frexp(x))

    @staticmethod
    def infer(spec):
        return Spec(spec.shape, spec.dtype), Spec(spec.shape, dtypes.int32)

    @staticmethod
    def vjp(ctx, g_mantissa, g_exponent):
        # 2^exponent in the gradient's dtype: float64's exponents (-1073 to 1024) go far beyond float32's range
        return (g_mantissa / exp2(cast(ctx.outputs[1], g_mantissa.dtype)),)


def frexp(input):
    """The named tuple ``(mantissa, exponent)`` with ``input = mantissa * 2**exponent``, |mantissa| in [0.5, 1)
    and int32 exponents. Floating point tensors only."""
    _tensor("frexp", input)
    if not dtypes.is_floating_point(input.dtype):
        raise DtypeError(f"frexp: torch.frexp() only supports floating-point dtypes (got {describe(input)})")
    return FrexpResult(*apply(Frexp, input))


def ldexp(input, other):
    """``input * 2**other``, elementwise (two tensors, broadcast): the inverse of ``frexp``. Bool and integer
    operands give the default float dtype. The gradients are the product's and ``exp2``'s: d/dinput = 2^other,
    d/dother = input·2^other·ln 2."""
    both_tensors("ldexp", input, other)
    dtype = dtypes.result_type(input, other)
    if not dtypes.is_differentiable(dtype):
        dtype = dtypes.get_default_dtype()
    _, (input, other) = promote("ldexp", input, other, dtype=dtype)
    return input * exp2(other)


# ------------------------------------------------------------------------------------------------- aliases

def positive(input):
    """``+input``: the tensor itself (refused for bool tensors, as in PyTorch)."""
    _tensor("positive", input)
    if input.dtype == dtypes.bool_:
        raise DtypeError(f"positive: The `+` operator, on a bool tensor is not supported (got {describe(input)})")
    return input


fix = trunc  # NumPy's older name for rounding towards zero


# ------------------------------------------------------------------------------------- products and integrals

def inner(input, other):
    """Sums of products over the last dim of both: ``out[i..., j...] = Σ_k input[i..., k] · other[j..., k]``
    (the dot product for two vectors). A 0-d operand just multiplies the other. Built on ``tensordot``."""
    both_tensors("inner", input, other)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.dtype != other.dtype:
        raise DtypeError(f"inner: both inputs should have same dtype (got {describe(input)} and {describe(other)})")
    n, m = input.shape[-1], other.shape[-1]
    if None not in (n, m) and n != m:
        raise OpError(f"inner() the last dimension must match on both input tensors but got shapes "
                      f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


def vdot(input, other):
    """``Σ_i conj(input_i) · other_i`` for two 1-D tensors: the inner product of complex vectors, which conjugates
    the first (for real vectors, ``dot``)."""
    both_tensors("vdot", input, other)
    if input.ndim != 1 or other.ndim != 1:
        raise OpError(f"vdot: 1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors "
                      f"({describe(input)} and {describe(other)})")
    return dot(conj(input), other)


def _sample_dim(op_name, y, dim):
    check_tensor(op_name, y)
    if not _is_int(dim):
        raise TypeError(f"{op_name}(): argument 'dim' must be int, not {type(dim).__name__}")
    if y.ndim == 0:
        raise IndexError(f"{op_name}: Dimension specified as {dim} but tensor has no dimensions ({describe(y)})")
    return normalize_dim(op_name, int(dim), y.ndim, y)


def _samples(op_name, y, x, dx):
    """Check the samples ``y`` and how they are spaced: positions ``x`` or a constant ``dx`` (default 1)."""
    if x is not None and dx is not None:
        raise TypeError(f"{op_name}() received an invalid combination of arguments: give sample positions x or a "
                        "constant spacing dx, not both")
    if x is not None and not is_tensor(x):
        raise TypeError(f"{op_name}(): argument 'x' must be Tensor, not {type(x).__name__} (a constant spacing is "
                        "passed as dx=)")
    if y.dtype == dtypes.bool_ or (x is not None and x.dtype == dtypes.bool_):
        raise DtypeError(f"{op_name}: received a bool input for `x` or `y`, but bool is not supported (y "
                         f"{describe(y)})")
    return 1 if dx is None else dx


def _neighbours(t, dim):
    """``(t[1:], t[:-1])`` along ``dim``: every sample but the first, and the one before each."""
    before = (slice(None),) * dim
    return getitem(t, before + (slice(1, None),)), getitem(t, before + (slice(None, -1),))


def _spacings(op_name, x, y, dim):
    """``x[1:] - x[:-1]`` along ``dim``, for positions given as a 1-D tensor (one per sample along ``dim``) or as
    a tensor that broadcasts against ``y`` (missing leading dims are added)."""
    if x.ndim == 1:
        n, m = x.shape[0], y.shape[dim]
        if None not in (n, m) and n != m:
            raise OpError(f"{op_name}: There must be one `x` value for each sample point (x {describe(x)}, "
                          f"{m} samples along dim {dim} of y {describe(y)})")
        x = reshape(x, tuple(-1 if d == dim else 1 for d in range(y.ndim)))
    for _ in range(y.ndim - x.ndim):
        x = unsqueeze(x, 0)
    later, earlier = _neighbours(x, dim)
    return later - earlier


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of ``y`` along ``dim`` by the trapezoidal rule, Σ_i (x_(i+1) - x_i)·(y_i + y_(i+1))/2, for
    samples at positions ``x`` (a tensor) or ``dx`` apart (a number, default 1) — then it is
    dx·(Σ_i y_i - (y_first + y_last)/2). No samples integrate to 0. Integer samples give the default float dtype."""
    dim = _sample_dim("trapezoid", y, dim)
    if y.shape[dim] == 0:  # zeros of y's dtype, shaped like y without dim (PyTorch's answer)
        return sum(y, dim, dtype=y.dtype)
    dx = _samples("trapezoid", y, x, dx)
    if x is None:
        ends = getitem(y, (slice(None),) * dim + (0,)) + getitem(y, (slice(None),) * dim + (-1,))
        return (sum(y, dim) - ends * 0.5) * dx
    later, earlier = _neighbours(y, dim)
    return sum(_spacings("trapezoid", x, y, dim) * (later + earlier), dim) / 2


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal integral along ``dim``: entry i is ``trapezoid`` of the samples 0..i+1, so the
    result has one entry fewer than ``y`` there. ``x`` and ``dx`` as for ``trapezoid``."""
    dim = _sample_dim("cumulative_trapezoid", y, dim)
    dx = _samples("cumulative_trapezoid", y, x, dx)
    later, earlier = _neighbours(y, dim)
    if x is None:
        return cumsum((later + earlier) * (dx / 2), dim)
    return cumsum((later + earlier) * _spacings("cumulative_trapezoid", x, y, dim), dim) / 2


# ---------------------------------------------------------------------------------------------- nanmedian, mode

class Nanmedian(PickAlongDim):
    """``(values, indices)`` of the lower median of the numbers along ``dim``, NaN left out: with k numbers, the
    entry at position (k - 1) // 2 once they are sorted. A slice of NaN alone gives NaN (its first one).

    The gradient of a value goes to the entry it is (``median``'s rule, and its VJP). Which of several equal
    entries an index names is the first in a stable sort; PyTorch's partial sort may name another."""

    @staticmethod
    def forward(xp, x, dim, keepdim):
        if x.ndim == 0:
            return _no_scalar_dim(xp, x)
        numbers = xp.sum(x == x, axis=dim, keepdims=True)  # NaN is the one value not equal to itself
        position = xp.maximum(numbers - 1, 0) // 2  # sorting puts NaN last, after the numbers
        return _take_position(xp, x, dim, keepdim, position.astype(dtypes.int64, copy=False))


class NanmedianAll(Op):
    """The nanmedian of all entries, a 0-d value (NaN for no entries, or NaN alone).

    Where several entries equal it, the gradient is shared evenly among them (among the NaN, if all are NaN):
    PyTorch's rule for a median without ``dim``."""
    name = "Nanmedian"
    saves_outputs = True
    infer = staticmethod(lambda spec: Spec((), spec.dtype))

    @staticmethod
    def forward(xp, x):
        if x.size == 0:
            return xp.full((), xp.nan, dtype=x.dtype)
        return Nanmedian.forward(xp, x.reshape(-1), 0, False)[0]

    @staticmethod
    def vjp(ctx, g):
        x, y = ctx.inputs[0], ctx.outputs[0]
        chosen = cast(logical_or(eq(x, y), logical_and(isnan(x), isnan(y))), g.dtype)  # a constant: no gradient
        return (g * chosen / sum(chosen),)


def nanmedian(input, dim=None, keepdim=False):
    """``median`` that ignores NaN: the lower median of the numbers. ``nanmedian(x)`` is a 0-d value;
    ``nanmedian(x, dim, keepdim=False)`` the named tuple ``(values, indices)`` along ``dim``."""
    _orderable("nanmedian", input, allow_bool=False)
    if dim is None:
        return apply(NanmedianAll, input)
    dim = _one_dim("nanmedian", input, dim)
    _check_nonempty("nanmedian", input, (dim,) if input.ndim else (), False)
    return NanmedianResult(*apply(Nanmedian, input, dim=dim, keepdim=bool(keepdim)))


class Mode(PickAlongDim):
    """``(values, indices)`` of the most frequent value along ``dim``; PyTorch's choice among ties: the smallest
    of the most frequent values, and the last position where it occurs.

    Sort each slice (stably); equal values then form runs, and the first longest run is the mode. The gradient
    of a value goes to the entry its index names (``max(x, dim)``'s rule). Where PyTorch's own sort is not stable
    (slices of more than 16 entries) its index may name another entry holding the mode. NaN are never equal, so
    each is a run of one; PyTorch's answer for slices holding NaN depends on where its sort happens to put them."""

    @staticmethod
    def forward(xp, x, dim, keepdim):
        if x.ndim == 0:
            return _no_scalar_dim(xp, x)
        rows = xp.moveaxis(x, dim, -1)
        kept_shape, n = rows.shape[:-1], rows.shape[-1]
        rows = rows.reshape(-1, n)
        order = _order(xp, rows, 1, False)
        ordered = xp.take_along_axis(rows, order, axis=1)
        starts = xp.ones(ordered.shape, dtype=bool)
        starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
        run = xp.cumsum(starts, axis=1) - 1  # which run of equal values each sorted entry is in
        m = rows.shape[0]
        lengths = xp.bincount((xp.arange(m)[:, None] * n + run).reshape(-1), minlength=m * n).reshape(m, n)
        longest = xp.argmax(lengths, axis=1)[:, None]  # the first longest run: the smallest value among ties
        end = xp.take_along_axis(xp.cumsum(lengths, axis=1), longest, axis=1) - 1  # that run's last entry
        values = xp.take_along_axis(ordered, end, axis=1).reshape(kept_shape)
        index = xp.take_along_axis(order, end, axis=1).reshape(kept_shape)
        return (xp.expand_dims(values, dim), xp.expand_dims(index, dim)) if keepdim else (values, index)


def mode(input, dim=-1, keepdim=False):
    """The named tuple ``(values, indices)`` of the most frequent value along ``dim`` (the smallest of several
    equally frequent ones) and the last position where it occurs."""
    _orderable("mode", input)
    dim = _one_dim("mode", input, dim)
    _check_nonempty("mode", input, (dim,) if input.ndim else (), False)
    return ModeResult(*apply(Mode, input, dim=dim, keepdim=bool(keepdim)))


# ------------------------------------------------------------------------------------------------- sum_to_size

def sum_to_size(input, *size):
    """Sum ``input`` down to ``size`` (given as ints or one sequence): the dims that broadcasting would add in
    front are summed away, and dims where ``size`` has 1 are summed keeping the dim — the inverse of ``expand``.
    ``size`` must be expandable to ``input``'s shape; the tensor itself comes back when nothing is summed."""
    check_tensor("sum_to_size", input)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not size or not all(_is_int(s) for s in size):
        raise TypeError(f"sum_to_size(): expected the size as ints or a sequence of ints, got {size!r}")
    shape, lead = tuple(input.shape), input.ndim - len(size)
    if lead < 0 or any(s not in (1, n) and n is not None for s, n in zip(size, shape[lead:])):
        raise OpError(f"sum_to_size: size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    to_one = tuple(lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1)
    if to_one:
        input = sum(input, to_one, keepdim=True)
    return sum(input, tuple(range(lead))) if lead else input
