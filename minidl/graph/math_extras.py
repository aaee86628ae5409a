"""Smaller pieces of TF1's math and checks that classic programs use: ``tf.div_no_nan``, ``tf.math.xdivy`` and
``multiply_no_nan``, the C-style ``tf.truncatediv``/``truncatemod``, ``tf.realdiv``, ``tf.scalar_mul``,
``tf.floor_div``, ``tf.rint``, ``tf.roll``, ``tf.bincount``, ``tf.searchsorted``, ``tf.reduce_euclidean_norm``,
``tf.ensure_shape`` and ``tf.assert_rank``/``assert_rank_at_least``, the inverse trigonometric and hyperbolic
functions, ``tf.atan2``, ``tf.expm1``, ``tf.erfc``, ``tf.lgamma``, ``tf.digamma``, ``tf.histogram_fixed_width``,
``tf.setdiff1d``, ``tf.accumulate_n``, the ``tf.bitwise`` functions, ``tf.math.reciprocal_no_nan``,
``tf.math.polyval``, ``tf.is_non_decreasing``/``is_strictly_increasing`` and ``tf.assert_variables_initialized``
— thin layers over ``minidl.ops`` (only ``ensure_shape`` is an op of its own: a run-time check).

Importing this module also adds them to ``tf.math`` (``divide_no_nan``, ``bincount``, ``roll``...; and tf.nn's
``l2_normalize``) and ``tf.debugging`` (``assert_rank``, ``assert_rank_at_least``, ``ensure_shape``,
``is_non_decreasing``, ``is_strictly_increasing``).
"""
import collections
import numbers
import operator
import types

from .. import ops
from ..backend import dtypes
from ..ops.base import Spec
from . import errors
from .array_ops import range as range_of, rank as rank_of, shape as shape_of, stack
from .basics import control_dependencies, identity, no_op
from .check_ops import Assert, debugging
from .core import TensorShape, as_spec_shape, get_default_graph
from .graph_ops import GraphOp
from .indexed_slices import on_values, values_of
from .math_ops import (FLOATS, FLOATS_AND_COMPLEX, REALS, _unary, add_n, axis_arg, cast, check_dtype, constant_value,
                       equal, floordiv, greater_equal, math, matching_pair, tf_op, to_tensor)
from .nn_ops import nn
from .variables import global_variables, local_variables


# ============================================================================================= arithmetic

@tf_op("div_no_nan")
def div_no_nan(x, y, name=None):
    """``x / y``, but 0 wherever ``y`` is 0 (also for ``0 / 0``): the safe mean of a possibly empty sum.

    The gradient is 0 where y is 0, for x and for y: the division is made with y replaced by 1 there, and
    ``where`` sends no gradient to the branch it did not take — so no inf or NaN enters the backward pass."""
    x, y = matching_pair("DivNoNan", x, y)
    check_dtype(x, FLOATS_AND_COMPLEX, "x")
    zero = ops.eq(y, 0)
    quotient = ops.div(x, ops.where(zero, ops.ones_like(y), y))
    return ops.where(zero, ops.zeros_like(quotient), quotient)


@tf_op("Xdivy")
def xdivy(x, y, name=None):
    """``x / y``, but 0 wherever ``x`` is 0, whatever y is (also 0 / 0); the gradient is 0 there, for x and y."""
    x, y = matching_pair("Xdivy", x, y)
    return ops.xdivy(check_dtype(x, FLOATS, "x"), y)


@tf_op("MulNoNan")
def multiply_no_nan(x, y, name=None):
    """``x · y``, but 0 wherever ``y`` is 0, even where x is inf or NaN; TF's gradient (``ops.MulNoNan``)."""
    x, y = matching_pair("MulNoNan", x, y)
    return ops.mul_no_nan(check_dtype(x, FLOATS, "x"), y)


@tf_op("reciprocal_no_nan")
def reciprocal_no_nan(x, name=None):
    """``1 / x``, but 0 where ``x`` is 0: ``div_no_nan(1, x)``, whose gradient (-1/x²) is 0 there too."""
    return div_no_nan(1, to_tensor(x))


@tf_op("polyval")
def polyval(coeffs, x, name=None):
    """The polynomial with coefficients ``coeffs`` (a list, the highest power first, as ``numpy.polyval``) at
    ``x``, elementwise with the usual broadcasting, by Horner's rule::

        coeffs[0]·x^(n-1) + ... + coeffs[n-1]  =  (...(coeffs[0]·x + coeffs[1])·x + ...)·x + coeffs[n-1]

    Python numbers among the coefficients take x's dtype; an empty list gives zeros like x."""
    if not isinstance(coeffs, list):
        raise ValueError(f"polyval: coeffs must be a list of coefficients (the highest power first), got "
                         f"{type(coeffs).__name__}")
    x = to_tensor(x)
    if not coeffs:
        return ops.zeros_like(x)
    result = matching_pair("Mul", coeffs[0], x)[0]
    for coefficient in coeffs[1:]:
        result = ops.add(*matching_pair("AddV2", coefficient, ops.mul(*matching_pair("Mul", result, x))))
    return result


@tf_op("scalar_mul")
def scalar_mul(scalar, x, name=None):
    """``scalar * x`` for a 0-d ``scalar`` (converted to x's dtype); an ``IndexedSlices`` x stays one, its values
    scaled. A ``scalar`` of any other rank is a ValueError."""
    scalar = to_tensor(scalar, values_of(x).dtype)
    if scalar.shape.rank != 0:
        raise ValueError(f"Only scalar multiply works, got shape {scalar.shape}")
    return on_values(x, lambda values: ops.mul(*matching_pair("Mul", scalar, values)))


floor_div = floordiv  # TF1's name of the FloorDiv op itself


@tf_op("TruncateDiv")
def truncatediv(x, y, name=None):
    """``x / y`` rounded toward zero, as C divides integers (``-7 / 2`` is -3, where ``floordiv`` gives -4)."""
    return ops.div(*matching_pair("TruncateDiv", x, y), rounding_mode="trunc")


@tf_op("TruncateMod")
def truncatemod(x, y, name=None):
    """The remainder of ``truncatediv``: ``x - truncatediv(x, y) * y``, with the sign of x (C's ``%``)."""
    return ops.fmod(*matching_pair("TruncateMod", x, y))


@tf_op("RealDiv")
def realdiv(x, y, name=None):
    """``x / y`` for floating (or complex) x and y of one dtype."""
    x, y = matching_pair("RealDiv", x, y)
    return ops.div(check_dtype(x, FLOATS_AND_COMPLEX, "x"), y)


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """The elementwise sum of a list of tensors of one dtype and shape: ``tf.add_n``'s sum (TF's own op could start
    adding before all inputs were computed; here it is ``add_n``, with the same value and gradient). ``shape`` and
    ``tensor_dtype``, if given, are checked against the inputs, and ``shape`` refines the result's static shape.
    ValueError for an empty list, inputs of different dtypes or incompatible shapes; TypeError for a
    ``tensor_dtype`` that is not theirs."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError(f"accumulate_n: inputs must be a list of at least one Tensor with the same dtype and shape, "
                         f"got {inputs!r}")
    tensors = [to_tensor(t) for t in inputs]
    if len({t.dtype.name for t in tensors}) > 1:
        raise ValueError(f"accumulate_n: inputs must have the same dtype, got "
                         f"{', '.join(f'{t.name} ({t.dtype.name})' for t in tensors)}")
    merged = TensorShape(None if shape is None else shape)
    for t in tensors:
        if not merged.is_compatible_with(t.shape):
            raise ValueError(f"accumulate_n: {t.name} has shape {t.shape}, which does not match the shape {merged} "
                             f"of the other inputs (or of the shape argument)")
        merged = merged.merge_with(t.shape)
    if tensor_dtype is not None and dtypes.as_dtype(tensor_dtype) != tensors[0].dtype:
        raise TypeError(f"accumulate_n: tensor_dtype is {dtypes.as_dtype(tensor_dtype).name}, but input is of type "
                        f"{tensors[0].dtype.name}")
    if len(tensors) == 1:  # TF returns the input itself, or an identity that carries the name
        return tensors[0] if name is None else identity(tensors[0], name=name)
    total = add_n(tensors, name=name or "AccumulateNV2")
    total.set_shape(merged)
    return total


@tf_op("Rint")
def rint(x, name=None):
    """The nearest integer, as a float; halves go to the even one (``rint(2.5)`` is 2, ``rint(-1.5)`` -2)."""
    return ops.round(check_dtype(to_tensor(x), FLOATS_AND_COMPLEX[:3], "x"))


@tf_op("Roll")
def roll(input, shift, axis, name=None):
    """The elements of ``input`` shifted cyclically by ``shift`` along ``axis`` (each an int or a list of ints, one
    shift per axis; an axis named twice is shifted by the sum): ``roll([0, 1, 2, 3, 4], 2, 0)`` is
    ``[3, 4, 0, 1, 2]``. The gradient rolls back."""
    x = to_tensor(input)
    shifts, axes = constant_value(shift, "shift"), constant_value(axis, "axis")
    shifts = [shifts] if isinstance(shifts, numbers.Integral) else list(shifts)
    axes = [axes] if isinstance(axes, numbers.Integral) else list(axes)
    if len(shifts) != len(axes):
        raise ValueError(f"shift and axis must have the same size, got shift {shifts} and axis {axes}")
    return ops.roll(x, tuple(shifts), tuple(axes))


# ============================================================================================== counting

@tf_op("bincount")
def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None):
    """How often each value 0, 1, 2 ... occurs in the int32 tensor ``arr`` (any shape, non-negative): a 1-D tensor
    of length ``max(arr) + 1`` (0 for an empty arr), at least ``minlength`` and at most ``maxlength`` — values from
    ``maxlength`` on are not counted. With ``weights`` (arr's shape), each occurrence adds its weight instead of 1
    and the result has the weights' dtype; else ``dtype``. The length depends on the values: unknown statically.

    ``maxlength`` is applied by sending the values it cuts off to bin ``maxlength - 1`` with weight 0: that bin
    then exists exactly when TF's length rule says it does (``min(max(max(arr) + 1, minlength), maxlength)``)."""
    values = ops.reshape(check_dtype(to_tensor(arr, dtypes.int32), ("int32",), "arr"), (-1,))
    minlength, maxlength = (None if n is None else int(constant_value(n, what)) for n, what in
                            ((minlength, "minlength"), (maxlength, "maxlength")))
    out_dtype = dtypes.as_dtype(dtype)
    if weights is not None:
        weights = ops.reshape(check_dtype(to_tensor(weights), REALS, "weights"), (-1,))
        out_dtype = weights.dtype
    if maxlength == 0:
        return ops.reshape(ops.zeros_like(values[:0], dtype=out_dtype), (0,))
    if maxlength is not None:
        kept = ops.lt(values, maxlength)
        weights = ops.ones_like(values, dtype=out_dtype) if weights is None else weights
        values = ops.where(kept, values, ops.full_like(values, maxlength - 1))
        weights = ops.where(kept, weights, ops.zeros_like(weights))
        minlength = min(minlength or 0, maxlength)
    counts = ops.bincount(values, weights, minlength=minlength or 0)
    return ops.cast(counts, out_dtype)


def _histogram_inputs(values, value_range, nbins):
    values = check_dtype(to_tensor(values), REALS, "values")
    value_range = to_tensor(value_range, values.dtype)
    if value_range.shape.rank_known and value_range.shape.as_list() not in ([2], [None]):
        raise ValueError(f"value_range must have shape [2], got {value_range.shape}")
    nbins = int(constant_value(nbins, "nbins"))
    if nbins <= 0:
        raise ValueError(f"nbins should be a positive number, got {nbins}")
    return values, value_range, nbins


@tf_op("histogram_fixed_width_bins")
def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """For each entry of ``values``, its bin among ``nbins`` equal bins over ``value_range`` = [lo, hi]:
    ``floor(nbins · (v - lo) / (hi - lo))``, values below lo in bin 0 and values at or above hi in the last.
    Computed in values' dtype (integers in float64), as TF computes it: a value on a bin's edge falls where
    float32 rounding puts it, as in TF."""
    values, value_range, nbins = _histogram_inputs(values, value_range, nbins)
    if values.dtype.kind != "f":
        values, value_range = ops.cast(values, dtypes.float64), ops.cast(value_range, dtypes.float64)
    lo, hi = ops.getitem(value_range, 0), ops.getitem(value_range, 1)
    scaled = ops.floor(ops.mul(ops.div(ops.sub(values, lo), ops.sub(hi, lo)), nbins))
    return ops.cast(ops.clamp(scaled, 0, nbins - 1), dtypes.as_dtype(dtype))


@tf_op("histogram_fixed_width")
def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """How many entries of ``values`` fall in each of ``nbins`` equal bins over ``value_range`` (a 1-D tensor of
    ``nbins`` counts; out-of-range values count in the first or last bin, as TF's). The bin of v is TF's kernel's:
    ``(max(v, lo) - lo)``, computed in values' dtype, divided in float64 by the bin width ``(hi - lo) / nbins``
    — which can differ from ``histogram_fixed_width_bins`` for a value on an edge, as it does in TF."""
    values, value_range, nbins = _histogram_inputs(values, value_range, nbins)
    lo, hi = ops.getitem(value_range, 0), ops.getitem(value_range, 1)
    shifted = ops.cast(ops.sub(ops.maximum(values, lo), lo), dtypes.float64)
    width = ops.div(ops.cast(ops.sub(hi, lo), dtypes.float64), float(nbins))
    bins = ops.cast(ops.minimum(ops.div(shifted, width), float(nbins - 1)), dtypes.int64)
    return ops.cast(ops.bincount(ops.reshape(bins, (-1,)), None, minlength=nbins), dtypes.as_dtype(dtype))


@tf_op("SearchSorted")
def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None):
    """For each value, where it would be inserted in the innermost dim of ``sorted_sequence`` to keep it sorted:
    the number of entries < value (``side="left"``) or <= value (``"right"``). ``sorted_sequence`` is N-D (one
    sorted row per leading index) and ``values`` has the same leading dims; the result has values' shape."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be either 'right' or 'left'.  Saw: {side}.")
    sequence, values = matching_pair("LowerBound" if side == "left" else "UpperBound", sorted_sequence, values,
                                     ("sorted_inputs", "values"))
    check_dtype(sequence, REALS, "sorted_inputs")
    out_type = check_dtype(dtypes.as_dtype(out_type), ("int32", "int64"), "out_type")
    if sequence.shape.rank == 0 or values.shape.rank == 0:
        raise ValueError(f"Shape must be at least rank 1 but is rank 0 for 'searchsorted' (sorted_sequence "
                         f"{sequence.shape}, values {values.shape})")
    return ops.searchsorted(sequence, values, side=side, out_int32=out_type == dtypes.int32)


# =================================================================================================== sets

ListDiff = collections.namedtuple("ListDiff", ["out", "idx"])


@tf_op("ListDiff")
def setdiff1d(x, y, index_dtype=dtypes.int32, name=None):
    """``(out, idx)``: the entries of the 1-D ``x`` that are not in the 1-D ``y``, in x's order and repeats
    kept, and their positions in ``x``."""
    x, y = matching_pair("ListDiff", x, y, ("x", "y"))
    for what, t in (("x", x), ("y", y)):
        if t.shape.rank_known and len(t.shape) != 1:
            raise ValueError(f"setdiff1d: {what} must be 1-D, got shape {t.shape}")
    kept = ops.logical_not(ops.isin(x, y))
    positions = range_of(ops.getitem(shape_of(x, out_type=dtypes.int64), 0), dtype=dtypes.int64)
    return ListDiff(ops.getitem(x, kept), ops.cast(ops.getitem(positions, kept), dtypes.as_dtype(index_dtype)))


# ============================================================================================= bit by bit

def _bitwise(name, op_type, function):
    def bitwise_op(x, y, name=None):
        x, y = matching_pair(op_type, x, y)
        check_dtype(x, _INTEGERS, "x")
        return function(x, y)
    bitwise_op.__name__ = bitwise_op.__qualname__ = name
    bitwise_op.__doc__ = f"``{name}`` of two integer tensors of one dtype, bit by bit (TF's ``{op_type}``)."
    return tf_op(op_type)(bitwise_op)


_INTEGERS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


@tf_op("Invert")
def invert(x, name=None):
    """Every bit of the integer tensor ``x`` flipped (``~x``)."""
    return ops.bitwise_not(check_dtype(to_tensor(x), _INTEGERS, "x"))


bitwise = types.SimpleNamespace(
    bitwise_and=_bitwise("bitwise_and", "BitwiseAnd", ops.bitwise_and),
    bitwise_or=_bitwise("bitwise_or", "BitwiseOr", ops.bitwise_or),
    bitwise_xor=_bitwise("bitwise_xor", "BitwiseXor", ops.bitwise_xor),
    left_shift=_bitwise("left_shift", "LeftShift", ops.bitwise_left_shift),
    right_shift=_bitwise("right_shift", "RightShift", ops.bitwise_right_shift),
    invert=invert)


# ============================================================================================= reductions

@tf_op("EuclideanNorm")
def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """``sqrt(sum(x²))`` over ``axis`` (None: all axes). Integers give an integer result (the float norm truncated,
    as TF computes it in the input's type)."""
    x = check_dtype(to_tensor(input_tensor), REALS, "input")
    dims = axis_arg(axis)
    if dims == ():
        return ops.abs(x)
    if x.dtype.kind in "iu":
        return ops.cast(ops.trunc(ops.norm(ops.cast(x, dtypes.float64), 2, dims, bool(keepdims))), x.dtype)
    return ops.norm(x, 2, dims, bool(keepdims))


# ================================================================================================ checks

def _dims_text(shape):
    """A shape as TF's run-time messages print it: ``[?,3]``."""
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class EnsureShape(GraphOp):
    """Passes its input through, after checking that its shape is compatible with attr ``shape`` (a TensorShape);
    ``InvalidArgumentError`` otherwise. The gradient passes through unchecked, as in TF."""
    differentiable = True
    pure = True
    saves_inputs = ()

    @staticmethod
    def execute(session, operation, arrays):
        (x,) = arrays
        expected = operation.attrs["shape"]
        if not expected.is_compatible_with(x.shape):
            raise errors.InvalidArgumentError(
                None, operation, f"Shape of tensor {operation.inputs[0].op.name} {_dims_text(x.shape)} is not "
                                 f"compatible with expected shape {_dims_text(expected)}.")
        return (x,)

    @staticmethod
    def vjp(ctx, g):
        return (g,)


def ensure_shape(x, shape, name=None):
    """``x`` itself, checked when it is computed to have a shape compatible with ``shape`` (a list whose None dims
    match anything, or a TensorShape) — ``InvalidArgumentError`` otherwise. Its static shape becomes the more
    precise of the two: ``tf.ensure_shape(tf.py_func(...), [None, 3])`` tells later ops the shape. A shape that can
    never match is a ValueError at once."""
    x = to_tensor(x)
    expected = shape if isinstance(shape, TensorShape) else TensorShape(
        None if shape is None else [None if d is None or d == -1 else int(d) for d in shape])
    if not x.shape.is_compatible_with(expected):
        raise ValueError(f"Shapes {x.shape} and {expected} are incompatible (tf.ensure_shape of {x.name})")
    static = x.shape.merge_with(expected)
    operation = get_default_graph().create_op(EnsureShape, [x], {"shape": expected},
                                              [Spec(as_spec_shape(static), x.dtype)], name=name or "EnsureShape")
    return operation.outputs[0]


def _rank_assertion(default_name, words, holds, graph_holds, x, rank, data, summarize, message, name):
    """The check that ``x``'s rank ``holds`` against ``rank`` (``words`` say how, in messages): decided now when
    the graph knows x's rank and ``rank`` is a number — a ValueError if it fails, else a no-op; otherwise an
    operation that raises ``InvalidArgumentError`` when run with a tensor that fails (make the computation depend
    on it with ``tf.control_dependencies``)."""
    graph = get_default_graph()
    with graph.name_scope(name or default_name):
        x = to_tensor(x)
        message = message or ""
        static_rank = rank if isinstance(rank, numbers.Integral) else None
        rank = check_dtype(to_tensor(rank, dtypes.int32), ("int32", "int64"), "rank")
        if rank.shape.rank not in (None, 0):
            raise ValueError(f"Rank must be a scalar, got {rank!r}")
        if static_rank is not None and x.shape.rank_known:
            if not holds(len(x.shape), static_rank):
                raise ValueError(f"{message}.  Tensor {x.name} must have rank {words}{static_rank}.  Received rank "
                                 f"{len(x.shape)}, shape {x.shape}")
            return no_op()
        if data is None:
            data = [message, f"Tensor {x.name} must have rank {words}", rank, "Received shape: ", shape_of(x)]
        return Assert(graph_holds(rank_of(x), cast(rank, dtypes.int32)), data, summarize)


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """Check that ``x`` has rank ``rank``: now where the graph knows it, else when run (see ``_rank_assertion``)."""
    return _rank_assertion("assert_rank", "", operator.eq, equal, x, rank, data, summarize, message, name)


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """Check that ``x`` has rank ``rank`` or more: now where the graph knows it, else when run."""
    return _rank_assertion("assert_rank_at_least", "at least ", operator.ge, greater_equal, x, rank, data, summarize,
                           message, name)


def _is_monotonic(x, in_order, what):
    """Whether every two neighbours of ``x``, flattened in row-major order, are ``in_order``: a bool scalar, True
    for fewer than two elements."""
    x = to_tensor(x)
    if x.dtype.name not in REALS:
        raise TypeError(f"{what}: expected x to be numeric, instead found: {x.name} of dtype {x.dtype.name}")
    flat = ops.reshape(x, (-1,))
    return ops.all(in_order(flat[:-1], flat[1:]))


@tf_op("is_non_decreasing")
def is_non_decreasing(x, name=None):
    """True when ``x[i] <= x[i+1]`` for every two neighbours of ``x`` in row-major order."""
    return _is_monotonic(x, ops.le, "is_non_decreasing")


@tf_op("is_strictly_increasing")
def is_strictly_increasing(x, name=None):
    """True when ``x[i] < x[i+1]`` for every two neighbours of ``x`` in row-major order."""
    return _is_monotonic(x, ops.lt, "is_strictly_increasing")


def assert_variables_initialized(var_list=None):
    """TF1's old check that variables have values: a tensor that reads each variable of ``var_list`` (default: the
    global and the local ones) and gives its rank — their ranks stacked when there are several — so that running
    it raises ``FailedPreconditionError`` for a variable without a value. None when there are no variables.
    (TF1 itself advised ``report_uninitialized_variables``, which lists them instead of failing.)"""
    if var_list is None:
        var_list = global_variables() + local_variables()
    if not var_list:
        return None
    values = [v.value() for v in var_list]
    with control_dependencies(values):  # (a rank the graph knows is a constant: it must still wait for the reads)
        ranks = [rank_of(value) for value in values]
    return ranks[0] if len(ranks) == 1 else stack(ranks)


# ============================================================================ more elementwise functions

asin = _unary("asin", "Asin", ops.asin, FLOATS_AND_COMPLEX, "The angle whose sine is x, in [-pi/2, pi/2].")
acos = _unary("acos", "Acos", ops.acos, FLOATS_AND_COMPLEX, "The angle whose cosine is x, in [0, pi].")
tan = _unary("tan", "Tan", ops.tan, FLOATS_AND_COMPLEX, "tan x.")
sinh = _unary("sinh", "Sinh", ops.sinh, FLOATS_AND_COMPLEX, "(e^x - e^-x) / 2.")
cosh = _unary("cosh", "Cosh", ops.cosh, FLOATS_AND_COMPLEX, "(e^x + e^-x) / 2.")
asinh = _unary("asinh", "Asinh", ops.asinh, FLOATS_AND_COMPLEX, "The inverse of sinh.")
acosh = _unary("acosh", "Acosh", ops.acosh, FLOATS_AND_COMPLEX, "The inverse of cosh, for x >= 1.")
atanh = _unary("atanh", "Atanh", ops.atanh, FLOATS_AND_COMPLEX, "The inverse of tanh, for |x| < 1.")
expm1 = _unary("expm1", "Expm1", ops.expm1, FLOATS_AND_COMPLEX, "e^x - 1, accurate for tiny x.")
erfc = _unary("erfc", "Erfc", ops.erfc, FLOATS, "1 - erf(x), accurate where erf(x) is close to 1.")
lgamma = _unary("lgamma", "Lgamma", ops.lgamma, FLOATS, "log |Γ(x)|.")
digamma = _unary("digamma", "Digamma", ops.digamma, FLOATS, "d/dx log Γ(x).")


@tf_op("Atan2")
def atan2(y, x, name=None):
    """The angle of the point (x, y) from the x axis, in (-pi, pi] (note the order: y first, as in TF)."""
    y, x = matching_pair("Atan2", y, x, ("y", "x"))
    return ops.atan2(check_dtype(y, FLOATS, "y"), x)


for _fn in (accumulate_n, div_no_nan, bincount, reduce_euclidean_norm, scalar_mul, truncatediv, truncatemod, realdiv,
            rint, asin, acos, tan, sinh, cosh, asinh, acosh, atanh, expm1, erfc, lgamma, digamma, atan2):
    setattr(math, _fn.__name__, _fn)
math.divide_no_nan = div_no_nan
math.xdivy, math.multiply_no_nan = xdivy, multiply_no_nan  # (tf.math's only)
math.reciprocal_no_nan, math.polyval = reciprocal_no_nan, polyval  # (tf.math's only)
math.is_non_decreasing, math.is_strictly_increasing = is_non_decreasing, is_strictly_increasing
math.softmax, math.log_softmax = nn.softmax, nn.log_softmax  # tf.math.softmax is tf.nn.softmax
math.l2_normalize = nn.l2_normalize
debugging.assert_rank, debugging.assert_rank_at_least = assert_rank, assert_rank_at_least
debugging.ensure_shape = ensure_shape
debugging.is_non_decreasing, debugging.is_strictly_increasing = is_non_decreasing, is_strictly_increasing

__all__ = ["accumulate_n", "bitwise", "histogram_fixed_width", "histogram_fixed_width_bins", "setdiff1d",
           "div_no_nan", "truncatediv", "truncatemod", "realdiv", "rint", "roll", "bincount", "searchsorted",
           "ensure_shape", "assert_rank", "assert_rank_at_least", "asin", "acos", "tan", "sinh", "cosh", "asinh",
           "acosh", "atanh", "expm1", "erfc", "lgamma", "digamma", "atan2", "scalar_mul", "floor_div",
           "reduce_euclidean_norm", "is_non_decreasing", "is_strictly_increasing", "assert_variables_initialized"]
