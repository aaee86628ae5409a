"""Reductions: sum, mean, prod, var/std, logsumexp, norm, cumsum, all/any (max, min, argmax... are in extrema.py).

A reduction over ``dims`` turns ``x`` into a smaller tensor; its VJP must spread the output gradient back over
the reduced dims. Every VJP here does that with one op, ``BroadcastReduced(g, x)``: it puts the reduced dims back
(when ``keepdim`` removed them) and broadcasts to ``x``'s *runtime* shape, so the same VJP works in graph mode
where that shape may be unknown when the gradient graph is built. Its own VJP is a ``sum`` over the same dims.

``dim`` follows PyTorch: None or an empty tuple means every dim, an int or a tuple of ints (negative counts from
the end) means those dims; ``keepdim=True`` keeps them with size 1.
"""
import builtins
import math
import numbers
import warnings

import numpy

from ..backend import dtypes
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor, warn
from .broadcast import broadcast_to_like, zeros_like
from .cast import cast
from .infer import normalize_dim, operand_dim, rank_is_known, reduced_shape, same_spec
from .opmath import float16_in_float32


# ------------------------------------------------------------------------------------ shared helpers

def check_tensor(op_name, x):
    """Reductions take a tensor (not a number or a bare array)."""
    if not is_tensor(x):
        raise TypeError(f"{op_name}(): expected a tensor as input, got {type(x).__name__}")


def _is_int(d):
    return isinstance(d, numbers.Integral) and not isinstance(d, bool)


def reduce_dims(op_name, x, dim):
    """``dim`` as a sorted tuple of non-negative dims of ``x``; None or () means all of them. Those are None too
    when x's rank is unknown until run time (a graph placeholder made without a shape, as TF1 allows): the op then
    reduces every dim the value turns out to have."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(x.ndim)) if rank_is_known(x) else None
    dims = (dim,) if _is_int(dim) else dim
    if not isinstance(dims, (tuple, list)) or not builtins.all(_is_int(d) for d in dims):
        raise TypeError(f"{op_name}(): dim must be None, an int or a tuple of ints, got {dim!r}")
    normalized = [operand_dim(f"{op_name}()", int(d), x) for d in dims]
    for d in normalized:
        if normalized.count(d) > 1:
            raise OpError(f"{op_name}(): dim {d} appears multiple times in the list of dims {tuple(dims)} "
                          f"(input {describe(x)})")
    if not rank_is_known(x):
        return tuple(sorted(normalized))
    return tuple(sorted(normalized)) if x.ndim else ()  # a 0-d tensor accepts dim 0 / -1 and reduces nothing


def reduced_spec(spec, dims, keepdim, **attrs):
    """``infer`` for reductions that keep the dtype."""
    return Spec(reduced_shape(spec.shape, dims, keepdim), spec.dtype)


def float_dtype_for(op_name, x, dtype):
    """The dtype a float-only reduction (mean, var, norm...) computes in; integer inputs need ``dtype=``."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        if not dtypes.is_differentiable(dtype):
            raise DtypeError(f"{op_name}(): the dtype argument must be a floating point or complex dtype, got {dtype} "
                             f"(input {describe(x)})")
        return dtype
    if not dtypes.is_differentiable(x.dtype):
        raise DtypeError(f"{op_name}(): could not infer output dtype. Input dtype must be either a floating point "
                         f"or complex dtype. Got: {x.dtype} (input {describe(x)}); convert it with .float() or "
                         f"pass dtype=")
    return x.dtype


class BroadcastReduced(Op):
    """Put back the ``dims`` a reduction removed (keepdim=False) and broadcast ``g`` to the shape of ``x``.

    ``x`` only lends its runtime shape. This is the VJP of a sum, and its own VJP is that sum again:
    d/dg <gg, broadcast(g)> = sum(gg over dims).
    """
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, dims):
        return xp.broadcast_to(xp.expand_dims(g, dims), x.shape)

    @staticmethod
    def vjp(ctx, gg):
        return _reduce(Sum, gg, ctx.attrs["dims"], False), None

    @staticmethod
    def infer(g, x, dims):
        return Spec(x.shape, g.dtype)


def expand_reduced(g, x, dims, keepdim):
    """``g`` (a reduction of ``x`` over ``dims``) broadcast back to ``x``'s shape: the one step of every VJP here.
    With the reduced dims kept (size 1), plain broadcasting does it."""
    if keepdim or not dims:
        return broadcast_to_like(g, x)
    return apply(BroadcastReduced, g, x, dims=dims)


def _reduce(op, x, dims, keepdim, **attrs):
    """Apply a reduction op with already-normalized dims (what VJPs call, skipping validation)."""
    return apply(op, x, dims=dims, keepdim=keepdim, **attrs)


class ReductionSize(Op):
    """How many elements each output of a reduction over ``dims`` combines (a 0-d tensor): N in mean = sum / N.

    Read from ``x``'s runtime shape, so mean's and var's VJPs need no static shape.
    """
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, dims):
        return xp.asarray(_count(x.shape, dims), dtype=dtypes.to_real(x.dtype))

    @staticmethod
    def infer(spec, dims):
        return Spec((), dtypes.to_real(spec.dtype))


def _size(x, dims):
    return apply(ReductionSize, x, dims=dims)


def _count(shape, dims):
    """How many elements of an array of ``shape`` a reduction over ``dims`` (None: all) combines into one."""
    return math.prod(shape if dims is None else (shape[d] for d in dims))


# ------------------------------------------------------------------------------------------ sum, mean, prod

def accumulated(reduce, x, **kwargs):
    """numpy's ``reduce`` (sum, prod, cumsum, cumprod) of ``x``, giving x's own dtype: numpy would widen small
    integers and bools to int64 where PyTorch keeps (and wraps around in) the dtype asked for. float16 is
    accumulated in float32 and rounded once, as PyTorch does: in float16 a running sum of 4000 × 0.1 stalls at 256,
    where adding 0.1 no longer changes it."""
    dtype = x.dtype
    if dtype.kind in "fc" and dtype.itemsize > 2:  # the common case, left to numpy as it is
        return reduce(x, **kwargs)
    if dtype == dtypes.float16:
        return reduce(x, dtype=dtypes.float32, **kwargs).astype(dtype)
    return reduce(x, dtype=dtype, **kwargs)


class Sum(Op):
    """y = sum of x over dims; dy/dx = 1, so the gradient is g broadcast back over the reduced dims."""
    saves_inputs = ()
    forward = staticmethod(lambda xp, x, dims, keepdim: accumulated(xp.sum, x, axis=dims, keepdims=keepdim))
    infer = staticmethod(reduced_spec)

    @staticmethod
    def vjp(ctx, g):
        return (expand_reduced(g, ctx.inputs[0], ctx.attrs["dims"], ctx.attrs["keepdim"]),)


class Mean(Op):
    """y = sum(x) / N over dims; the gradient is g / N broadcast back. The mean of an empty slice is 0 / 0 = NaN."""
    saves_inputs = ()
    infer = staticmethod(reduced_spec)

    @staticmethod
    def forward(xp, x, dims, keepdim):
        if x.size:
            return xp.mean(x, axis=dims, keepdims=keepdim)
        with warnings.catch_warnings():  # numpy's "Mean of empty slice" and its 0 / 0 warnings: PyTorch is silent
            warnings.simplefilter("ignore", RuntimeWarning)
            return xp.mean(x, axis=dims, keepdims=keepdim)

    @staticmethod
    def vjp(ctx, g):
        return (apply(MeanGrad, g, ctx.inputs[0], **ctx.attrs),)


class MeanGrad(Op):
    """The VJP of mean as one op: ``g / N`` broadcast back over the reduced dims to ``x``'s runtime shape (x lends
    only its shape). Mean and this op are each other's adjoint, so its VJP is a mean over the same dims."""
    saves_inputs = ()
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, x, dims, keepdim):
        expanded = g if keepdim or not dims else xp.expand_dims(g, dims)
        return xp.broadcast_to(expanded, x.shape) / _count(x.shape, dims)

    @staticmethod
    def vjp(ctx, u):
        return _reduce(Mean, u, ctx.attrs["dims"], ctx.attrs["keepdim"]), None

    @staticmethod
    def infer(g, x, dims, keepdim):
        return Spec(x.shape, g.dtype)


class Prod(Op):
    """y = product of x over dims; dy/dx_j = the product of the other entries of x_j's slice.

    Dividing y by x_j would give 0/0 at a zero; the VJP instead multiplies running products from both ends
    (``product_of_the_others``, cumulative.py): exact with any number of zeros, to the third derivative (the
    fourth goes through cumprod's third, exact with up to two zeros a slice).
    """
    forward = staticmethod(lambda xp, x, dims, keepdim: accumulated(xp.prod, x, axis=dims, keepdims=keepdim))
    infer = staticmethod(reduced_spec)

    @staticmethod
    def vjp(ctx, g):
        from .arithmetic import _conj
        from .cumulative import product_of_the_others
        x, (dims, keepdim) = ctx.inputs[0], (ctx.attrs["dims"], ctx.attrs["keepdim"])
        # (conjugated: PyTorch's convention for complex inputs)
        return (expand_reduced(g, x, dims, keepdim) * _conj(product_of_the_others(x, dims)),)


def _int_to_int64(x, dtype):
    """PyTorch sums bool and integer tensors in int64 (``dtype=`` overrides)."""
    if dtype is not None:
        return cast(x, dtype)
    return cast(x, dtypes.int64) if x.dtype.kind in "biu" else x


def sum(input, dim=None, keepdim=False, dtype=None):
    """Sum over ``dim`` (all dims when None). Bool and integer inputs give int64, as in PyTorch."""
    check_tensor("sum", input)
    input = _int_to_int64(input, dtype)
    return _reduce(Sum, input, reduce_dims("sum", input, dim), bool(keepdim))


def mean(input, dim=None, keepdim=False, dtype=None):
    """Mean over ``dim``. Integer inputs are an error unless ``dtype=`` names a floating point type."""
    check_tensor("mean", input)
    input = cast(input, float_dtype_for("mean", input, dtype))
    return _reduce(Mean, input, reduce_dims("mean", input, dim), bool(keepdim))


def prod(input, dim=None, keepdim=False, dtype=None):
    """Product over ``dim``. Bool and integer inputs give int64, as in PyTorch."""
    check_tensor("prod", input)
    input = _int_to_int64(input, dtype)
    return _reduce(Prod, input, reduce_dims("prod", input, dim), bool(keepdim))


# ------------------------------------------------------------------------------------------------ var, std

def _real_spec(spec, dims, keepdim, **attrs):
    """``infer`` for reductions whose result is real for complex input (var, std, norm)."""
    return Spec(reduced_shape(spec.shape, dims, keepdim), dtypes.to_real(spec.dtype))


@float16_in_float32  # (float16's sums of squares overflow past 65504)
def _moment(xp, x, dims, keepdim, correction, root):
    """numpy's ``var`` (or ``std``, with ``root``). Where N - correction <= 0 the result is inf or NaN, as in
    PyTorch; the function has warned about that already (``_var_args``, in PyTorch's words), so numpy's warnings
    stay quiet.

    numpy squares the deviations in x's dtype. In float32 a square overflows past 3.4e38 (|x - mean| > 1.8e19) and
    loses its digits below 1.2e-38 (|x - mean| < 1.1e-19), where PyTorch, which accumulates float32 in float64,
    still answers (``std([1e30, -1e30, 0])`` is 1e30). A result that says one of those happened (inf, or a
    nonzero variance under 1.2e-38) is computed again in float64: the common case pays only that look at the
    result. (A variance that underflowed all the way to 0 is not told from a constant input and stays 0. complex64
    is left as numpy computes it: PyTorch adds the float32 variances of the two parts, which overflow there too.)"""
    count = x.size if dims is None else math.prod(x.shape[d] for d in dims)
    narrow = x.dtype == dtypes.float32
    quiet = dict(over="ignore") if narrow else {}  # (a float32 overflow is computed again below)
    if count <= correction:
        quiet.update(divide="ignore", invalid="ignore")
    with warnings.catch_warnings(), numpy.errstate(**quiet):
        if count <= correction:
            warnings.simplefilter("ignore", RuntimeWarning)
        y = (xp.std if root else xp.var)(x, axis=dims, ddof=correction, keepdims=keepdim)
    if narrow:
        smallest = _SMALLEST_FLOAT32_STD if root else _SMALLEST_FLOAT32_VAR
        if bool(((y == numpy.inf) | ((y > 0) & (y < smallest))).any()):
            return _moment(xp, x.astype(dtypes.float64), dims, keepdim, correction, root).astype(dtypes.float32)
    return y


#: the smallest float32 variance (and standard deviation) whose squares numpy summed without losing digits
_SMALLEST_FLOAT32_VAR = float(numpy.finfo(numpy.float32).tiny)
_SMALLEST_FLOAT32_STD = math.sqrt(_SMALLEST_FLOAT32_VAR)


class Var(Op):
    """y = sum |x - mean|^2 / (N - correction); dy/dx = 2 (x - mean) / (N - correction).

    (The mean's own dependence on x drops out because sum(x - mean) = 0.)
    """
    forward = staticmethod(lambda xp, x, dims, keepdim, correction: _moment(xp, x, dims, keepdim, correction, False))
    infer = staticmethod(_real_spec)

    @staticmethod
    def vjp(ctx, g):
        x, (dims, keepdim, correction) = ctx.inputs[0], (ctx.attrs[k] for k in ("dims", "keepdim", "correction"))
        centered = x - _reduce(Mean, x, dims, True)
        return (expand_reduced(g, x, dims, keepdim) * centered * (2 / (_size(x, dims) - correction)),)


class Std(Op):
    """y = sqrt(var(x)); dy/dx = (x - mean) / ((N - correction) * y), taken as 0 where y == 0 (every entry equal:
    the slope of sqrt there is infinite, but PyTorch's choice of 0 keeps a constant input from turning into NaN)."""
    saves_outputs = True
    forward = staticmethod(lambda xp, x, dims, keepdim, correction: _moment(xp, x, dims, keepdim, correction, True))
    infer = staticmethod(_real_spec)

    @staticmethod
    def vjp(ctx, g):
        x, (dims, keepdim, correction) = ctx.inputs[0], (ctx.attrs[k] for k in ("dims", "keepdim", "correction"))
        from .compare import eq, where
        y = ctx.outputs[0]
        centered = x - _reduce(Mean, x, dims, True)
        g_over_y = g / y
        scale = expand_reduced(where(eq(y, 0), zeros_like(g_over_y), g_over_y), x, dims, keepdim)
        return (scale * centered / (_size(x, dims) - correction),)


def _var_args(op_name, x, dim, unbiased, correction):
    """PyTorch's ways of asking for the correction: ``unbiased`` (True: N - 1), ``correction=`` (N - c), or
    ``var(x, False)`` with the flag in ``dim``'s place."""
    check_tensor(op_name, x)
    float_dtype_for(op_name, x, None)
    if isinstance(dim, bool):
        if unbiased is not None:
            raise TypeError(f"{op_name}(): got unbiased twice (a bool in place of dim, and unbiased=)")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op_name}(): pass either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    if not isinstance(correction, numbers.Real) or isinstance(correction, bool):
        raise TypeError(f"{op_name}(): correction must be a number, got {correction!r}")
    dims = reduce_dims(op_name, x, dim)
    counts = [x.shape[d] for d in (range(x.ndim) if dims is None else dims)] if rank_is_known(x) else [None]
    if None not in counts and math.prod(counts) <= correction:
        warn(f"{op_name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
             f"reduction factor (input numel divided by output numel).")
    return dims, correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim`` with ``correction`` (default 1, Bessel's; ``unbiased=False`` means 0)."""
    dims, correction = _var_args("var", input, dim, unbiased, correction)
    return _reduce(Var, input, dims, bool(keepdim), correction=correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: the square root of ``var`` with the same arguments."""
    dims, correction = _var_args("std", input, dim, unbiased, correction)
    return _reduce(Std, input, dims, bool(keepdim), correction=correction)


# ------------------------------------------------------------------------------------------- logsumexp

def slice_max(xp, x, dims):
    """The max of ``x`` over ``dims`` (kept as size 1; 0 for an empty ``x``), to subtract before ``exp`` so that
    nothing overflows. An infinite max stays: softmax, log_softmax and cross-entropy of a slice holding +inf, or
    -inf only, are NaN, as in PyTorch. Shared by them, which run it on every step, hence the lean form."""
    if x.size == 0:
        return xp.zeros((1,) * x.ndim, dtype=x.dtype)
    m = x.max(axis=dims, keepdims=True)
    return xp.array(m) if m.ndim == 0 else m  # (the max of a 0-d array is a numpy scalar, which cannot be written)


def stable_max(xp, x, dims):
    """``slice_max`` with an infinite max replaced by 0, so that no inf - inf NaN appears: what logsumexp needs,
    whose value for a slice of -inf is -inf and for one holding +inf is inf, as in PyTorch. (A NaN max stays: that
    slice's result is NaN either way.)"""
    m = slice_max(xp, x, dims)
    m[xp.isinf(m)] = 0
    return m


class Logsumexp(Op):
    """y = log(sum(exp(x))) computed as m + log(sum(exp(x - m))), m = max(x); dy/dx = exp(x - y) = softmax(x)."""
    saves_outputs = True
    infer = staticmethod(reduced_spec)

    @staticmethod
    def forward(xp, x, dims, keepdim):
        m = stable_max(xp, x, dims)
        out = xp.log(xp.sum(xp.exp(x - m), axis=dims, keepdims=True)) + m
        return out if keepdim else out.squeeze(axis=dims)

    @staticmethod
    def vjp(ctx, g):
        from .arithmetic import _conj
        from .unary import exp
        x, (dims, keepdim) = ctx.inputs[0], (ctx.attrs["dims"], ctx.attrs["keepdim"])
        y = ctx.outputs[0]
        # complex x: the conjugate of the derivative, as for every holomorphic op (unary.py)
        return (expand_reduced(g, x, dims, keepdim) * _conj(exp(x - expand_reduced(y, x, dims, keepdim))),)


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x))) over ``dim``, without overflow for large x. Integer inputs give the default float; complex
    ones the principal value of the complex log."""
    check_tensor("logsumexp", input)
    if input.dtype.kind not in "fc":
        input = cast(input, dtypes.get_default_dtype())
    return _reduce(Logsumexp, input, reduce_dims("logsumexp", input, dim), bool(keepdim))


# ------------------------------------------------------------------------------------------------- norm

class Norm(Op):
    """The p-norm y = (sum |x|^p)^(1/p) over dims, for finite p not 0 or 1 (those are composed in ``norm``).

    dy/dx = sign(x) |x|^(p-1) / y^(p-1), which for p = 2 is x / y. For p > 0, y = 0 means the whole slice is 0 and
    the formula is 0/0; the gradient there is 0, the subgradient PyTorch picks. For p < 0, y = 0 means some entry
    is 0, and the factor y^(1-p) makes the whole slice's gradient 0, as in PyTorch.
    """
    name = "LinalgVectorNorm"
    saves_outputs = True
    infer = staticmethod(_real_spec)

    @staticmethod
    @float16_in_float32  # (float16's sums of squares overflow past 65504)
    def forward(xp, x, dims, keepdim, p):
        a = xp.abs(x)
        if p == 2:
            return xp.sqrt(xp.sum(a * a, axis=dims, keepdims=keepdim))
        return xp.sum(a ** p, axis=dims, keepdims=keepdim) ** (1 / p)

    @staticmethod
    def vjp(ctx, g):
        from .compare import eq
        from .elementwise_more import sgn
        from .unary import abs
        x, y, (dims, keepdim, p) = ctx.inputs[0], ctx.outputs[0], (ctx.attrs[k] for k in ("dims", "keepdim", "p"))
        y_safe = y + cast(eq(y, 0), y.dtype)  # 1 where the norm is 0: there x is 0, so the gradient comes out 0
        if p == 2:
            return (x * expand_reduced(g / y_safe, x, dims, keepdim),)
        magnitude = abs(x)
        if p < 1:  # |x|^(p-1) is infinite where x = 0 and sign(x) is 0 there: use 1, so the product is 0 (PyTorch)
            magnitude = magnitude + cast(eq(x, 0), x.dtype)
        # for p < 0 the norm is 0 where some entry is 0, and y^(1-p) = 0 then zeroes the whole slice's gradient
        scale = g * y ** (1 - p) if p < 0 else g / y_safe ** (p - 1)
        return (sgn(x) * magnitude ** (p - 1) * expand_reduced(scale, x, dims, keepdim),)  # (sgn: x/|x| if complex)


def _refuse_norm_of_nothing(x, dims, p, whole):
    """A norm with p < 0 or p = ±inf has no value for a slice without entries (it is a min or a max, or divides by
    their sum), where the others are 0: PyTorch refuses such a reduction, and so do we."""
    if dims is None:  # (a rank known only when the graph runs)
        return
    for d in dims:
        if x.shape[d] == 0:
            where = "an empty tensor because" if whole else f"the dimension {d} because this dimension is empty and"
            raise OpError(f"linalg.vector_norm cannot compute the {p:g} norm on {where} the operation does not "
                          f"have an identity (input {describe(x)})")


def norm(input, p=2, dim=None, keepdim=False, dtype=None):
    """The vector p-norm over ``dim`` (all dims when None): p = 2 (default, also 'fro'), 1, inf, -inf, 0 (the
    number of non-zero entries) or any other number. ``dtype=`` converts the input first. p = 'nuc' is the
    nuclear norm (the sum of the singular values) of the matrices spanned by the two dims ``dim`` (of a 2-d
    ``x`` without ``dim``): ``linalg_matrix_norm``.

    p = 1 and p = +-inf are built from ``abs`` with ``sum`` and ``amax``/``amin``: their gradients are
    sign(x) * g, and for inf the gradient shared evenly among the entries of largest magnitude, as in PyTorch.
    """
    check_tensor("norm", input)
    if p == "fro" or p is None:  # (None: PyTorch's spelling of the default)
        p = 2
    if p == "nuc":
        from .matrix_norms import linalg_matrix_norm  # matrix_norms builds on this module: import late
        return linalg_matrix_norm(input, "nuc", tuple(range(input.ndim)) if dim is None else dim, keepdim, dtype=dtype)
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"norm(): p must be a number, inf, -inf, 'fro' or 'nuc', got {p!r}")
    input = cast(input, float_dtype_for("norm", input, dtype))
    dims, keepdim = reduce_dims("norm", input, dim), bool(keepdim)
    if p < 0 or p == float("inf"):
        _refuse_norm_of_nothing(input, dims, p, whole=dim is None)
    if p in (1, float("inf"), float("-inf")):
        from .extrema import amax, amin  # extrema builds on this module: import late
        from .unary import abs
        reducer = {1: sum, float("inf"): amax, float("-inf"): amin}[p]
        return reducer(abs(input), dims, keepdim)
    if p == 0:  # the number of non-zero entries, NaN included as in PyTorch: sign(|x|) is 1 for each (but 0 for a
        # NaN, added back by isnan), and its zero gradient keeps the count in the graph, with gradient 0, as PyTorch's
        from .unary import abs, isnan, sign
        magnitude = abs(input)
        return _reduce(Sum, sign(magnitude) + cast(isnan(magnitude), magnitude.dtype), dims, keepdim)
    return _reduce(Norm, input, dims, keepdim, p=float(p))


# ---------------------------------------------------------------------------------------------- cumsum

class Cumsum(Op):
    """y_i = x_0 + ... + x_i along ``dim`` (``reverse``: y_i = x_i + ... + x_last).

    x_j appears in every y_i with i >= j, so the VJP is the same sum taken in the other direction:
    grad_j = g_j + ... + g_last. Each direction's VJP is the other, which gives second order for free.
    """
    saves_inputs = ()
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, dim, reverse):
        if x.ndim == 0:
            return x.copy()
        if x.dtype == dtypes.float32 and xp is numpy:
            # PyTorch's CPU kernel runs the sum in float64: a float32 running sum of 100 000 × 0.1 is 9998.56
            total = _running_sum(xp, x.astype(dtypes.float64), dim, reverse)
            return total.astype(dtypes.float32)
        return _running_sum(xp, x, dim, reverse)

    @staticmethod
    def vjp(ctx, g):
        return (apply(Cumsum, g, dim=ctx.attrs["dim"], reverse=not ctx.attrs["reverse"]),)


def _running_sum(xp, x, dim, reverse):
    if reverse:
        return xp.flip(accumulated(xp.cumsum, xp.flip(x, dim), axis=dim), dim)
    return accumulated(xp.cumsum, x, axis=dim)


def cumsum(input, dim, dtype=None):
    """Running sum along ``dim``. Bool and integer inputs give int64, as in PyTorch."""
    check_tensor("cumsum", input)
    if not _is_int(dim):
        raise TypeError(f"cumsum(): dim must be an int, got {dim!r}")
    input = _int_to_int64(input, dtype)
    return apply(Cumsum, input, dim=normalize_dim("cumsum()", int(dim), input.ndim, input), reverse=False)


# ------------------------------------------------------------------------------------------------ all, any

def _bool_spec(spec, dims, keepdim):
    return Spec(reduced_shape(spec.shape, dims, keepdim), dtypes.bool_)


class All(Op):
    """True where every entry of the slice is non-zero (True for an empty slice). Not differentiable."""
    differentiable = False
    forward = staticmethod(lambda xp, x, dims, keepdim: xp.all(x, axis=dims, keepdims=keepdim))
    infer = staticmethod(_bool_spec)


class Any(Op):
    """True where some entry of the slice is non-zero (False for an empty slice). Not differentiable."""
    differentiable = False
    forward = staticmethod(lambda xp, x, dims, keepdim: xp.any(x, axis=dims, keepdims=keepdim))
    infer = staticmethod(_bool_spec)


def _truth(op, name, input, dim, keepdim):
    """bool, except for uint8 input, which gives uint8 0/1 (PyTorch keeps the byte masks of its early days). An
    empty ``dim`` reduces no dim here (each entry's truth, input-shaped), unlike sum's and the others'."""
    check_tensor(name, input)
    no_dims = isinstance(dim, (tuple, list)) and len(dim) == 0
    result = _reduce(op, input, () if no_dims else reduce_dims(name, input, dim), bool(keepdim))
    return cast(result, dtypes.uint8) if input.dtype == dtypes.uint8 else result


def all(input, dim=None, keepdim=False):
    """Whether all entries over ``dim`` are non-zero (bool; uint8 for uint8 input)."""
    return _truth(All, "all", input, dim, keepdim)


def any(input, dim=None, keepdim=False):
    """Whether any entry over ``dim`` is non-zero (bool; uint8 for uint8 input)."""
    return _truth(Any, "any", input, dim, keepdim)


__all__ = ["sum", "mean", "prod", "var", "std", "logsumexp", "norm", "cumsum", "all", "any"]
