"""``tf.math``: TensorFlow 1's elementwise math, reductions and products, as thin layers over ``minidl.ops``.

Each function translates TF's conventions to the op library's PyTorch-style ones and computes nothing itself:

* **names**: ``tf.add(a, b, name="total")`` creates an operation named ``total`` (so
  ``graph.get_tensor_by_name("total:0")`` finds it); helper ops a function needs (constants, casts) live under
  ``total/``. Without a name, the op gets TF's default (``Add``, ``MatMul``, ``Sum``...), made unique.
* **axes**: ``axis`` -> ``dim``, ``keepdims`` -> ``keepdim``; TF1's deprecated ``reduction_indices`` and
  ``keep_dims`` are still accepted.
* **dtypes**: TF never promotes. ``tf.add(int32, float32)`` is a TypeError, where PyTorch (and ``a + b`` on graph
  tensors here) would promote. Python numbers and lists take the other operand's dtype, if they fit it
  (``tf.add(int_tensor, 2.5)`` is an error too). Float-only math (``exp``, ``sqrt``, ``sigmoid``...) refuses integer
  tensors instead of converting them, and ``reduce_sum`` of int32 stays int32.

This module also holds the helpers the other TF-named modules (``array_ops``, ``nn_ops``, ``spectral_ops``) share.
"""
import functools
import inspect
import numbers
import string
import types

import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Spec, apply
from .basics import IdentityN, control_dependencies
from .core import Tensor, UnknownRankError, as_spec_shape, get_default_graph
from .dtypes import string as tf_string  # (the module `string` is Python's)
from .frontend import constant_op, graph_of_inputs, scalars_beside_scalars
from .graph_ops import Const, Identity
from .indexed_slices import on_values
from .sparse_tensor import SparseTensor
from .string_functions import string_join
from .tensor_util import get_static_value

FLOATS = ("float16", "float32", "float64")
FLOATS_AND_COMPLEX = FLOATS + ("complex64", "complex128")
INTEGERS = ("uint8", "int8", "int16", "int32", "int64")
NUMBERS = INTEGERS + FLOATS_AND_COMPLEX
REALS = INTEGERS + FLOATS


# =============================================================================== conventions shared by the wrappers

def tf_op(default_name, one_op=False):
    """Decorator for a TF function with a ``name`` parameter: build it inside ``name_scope(name or default_name)``
    and give the operation that produces its result exactly that scope's name, as TF does. ``one_op``: the function
    returns several tensors that TF makes with one op (``tf.split``'s Split, ``top_k``'s TopKV2), named
    ``name:0``, ``name:1``, ... — ``get_tensor_by_name("split:1")`` and freezing by node name rely on it."""
    def decorate(fn):
        parameters = inspect.signature(fn).parameters
        keyword_only = parameters["name"].kind is inspect.Parameter.KEYWORD_ONLY
        position = list(parameters).index("name")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            name = args[position] if len(args) > position and not keyword_only else kwargs.get("name")
            graph = graph_of_inputs(args, kwargs)
            with graph.as_default(), graph.name_scope(name or default_name) as scope:
                result = _built(graph, fn, args, kwargs)
            if one_op and isinstance(result, (list, tuple)):
                return _as_outputs_of_one_op(result, graph, scope)
            return _take_name(result, graph, scope, explicit=bool(name))
        return wrapper
    return decorate


def rank_at_run_time(fn):
    """Decorator: a call of ``fn`` that stops with ``UnknownRankError`` — it needs the rank of an input the graph
    knows only when it runs — is built when the graph runs instead, as one ``RunTimeRank`` operation
    (run_time_rank.py), after the operations it had added are removed. ``tf_op`` builds every TF function
    so."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return _built(get_default_graph(), fn, args, kwargs)
    return wrapper


def _built(graph, fn, args, kwargs):
    """``fn(*args, **kwargs)`` in ``graph`` — or, where it needs a rank known only at run time, its RunTimeRank."""
    first_new = graph.operation_count()
    try:
        return fn(*args, **kwargs)
    except UnknownRankError as error:
        graph.remove_operations_since(first_new)
        from .run_time_rank import at_run_time  # (it builds on this module)
        return at_run_time(fn, args, kwargs, error)


def _take_name(result, graph, scope, explicit):
    """Rename the op that made ``result`` from ``scope/...`` to ``scope`` itself. If the function returned an existing
    tensor unchanged (a cast to its own dtype), an explicit name gets an Identity op, so the name can be fetched."""
    if not isinstance(result, Tensor) or result.graph is not graph or not scope.endswith("/"):
        return result
    name = scope[:-1]
    if name in graph._operations:  # the user re-entered an existing scope ("layer/"): keep the unique names
        return result
    operation = result.op
    if operation.name.startswith(scope):
        graph.rename_operation(operation, name)  # the scope already reserved ``name``
        return result
    if not explicit:
        return result
    spec = Spec(as_spec_shape(result.shape), result.dtype)
    return graph.create_op(Identity, [result], {}, [spec], name=name, unique=False).outputs[0]


def _as_outputs_of_one_op(result, graph, scope):
    """The tensors of ``result`` (a list or tuple) as the outputs, in order, of one op named as the scope: the op
    that made them, renamed, where it made exactly these; else one ``IdentityN`` op passing them through (minidl
    may build with several ops what TF does with one: ``unstack``'s slices, ``top_k``'s values and indices)."""
    name = scope[:-1]
    if not result or name in graph._operations or any(not isinstance(t, Tensor) or t.graph is not graph
                                                      for t in result):
        return result
    operation = result[0].op
    if list(operation.outputs) == list(result) and operation.name.startswith(scope):
        graph.rename_operation(operation, name)  # the scope already reserved ``name``
        return result
    specs = [Spec(as_spec_shape(t.shape), t.dtype) for t in result]
    outputs = graph.create_op(IdentityN, list(result), {}, specs, name=name, unique=False).outputs
    return type(result)(*outputs) if hasattr(result, "_fields") else type(result)(outputs)


def graph_tensor(value):
    """``value`` as a graph Tensor if it is one (or a Variable), else None."""
    as_element = getattr(value, "_as_graph_element", None)
    if as_element is not None:
        value = as_element()
    return value if isinstance(value, Tensor) else None


def to_tensor(value, dtype=None):
    """A TF op input: tensors pass unchanged; anything else becomes a constant (of ``dtype`` when given, converted
    as ``constant_op`` says)."""
    tensor = graph_tensor(value)
    if tensor is not None:
        return tensor
    if isinstance(value, (list, tuple)) and any(graph_tensor(v) is not None for v in value):
        return ops.stack(scalars_beside_scalars(matching_list("Pack", value)))  # TF packs a list holding tensors
    return constant_op(value, dtype)


def matching_pair(op_type, x, y, names=("x", "y")):
    """The two operands of a binary op as tensors of one dtype: a non-tensor takes the other's dtype, and two
    tensors of different dtypes are TF's TypeError (it never promotes)."""
    tx, ty = graph_tensor(x), graph_tensor(y)
    if tx is None:
        tx = to_tensor(x, None if ty is None else ty.dtype)
    if ty is None:
        ty = to_tensor(y, tx.dtype)
    if tx.dtype != ty.dtype:
        raise TypeError(f"Input '{names[1]}' of '{op_type}' Op has type {ty.dtype.name} that does not match type "
                        f"{tx.dtype.name} of argument '{names[0]}'.")
    return tx, ty


def matching_list(op_type, values, arg="values"):
    """A list of op inputs that must share one dtype (concat, stack, add_n); Python values take the tensors'."""
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"Expected list for '{arg}' argument to '{op_type}' Op, not {values!r}.")
    first = next((t for t in map(graph_tensor, values) if t is not None), None)
    tensors = [to_tensor(v, None if first is None else first.dtype) for v in values]
    kinds = [t.dtype.name for t in tensors]
    if len(set(kinds)) > 1:
        raise TypeError(f"Tensors in list passed to '{arg}' of '{op_type}' Op have types [{', '.join(kinds)}] that "
                        "don't all match.")
    return tensors


def check_dtype(x, allowed, param="x"):
    """TF's check of an op input's dtype (``x`` is a tensor or a dtype) against the op's list of allowed types."""
    dtype = getattr(x, "dtype", x)
    if dtype.name not in allowed:
        name = "string" if dtype.kind == "O" else dtype.name  # tf.string is numpy's object dtype here
        raise TypeError(f"Value passed to parameter '{param}' has DataType {name} not in list of allowed "
                        f"values: {', '.join(allowed)}")
    return x


def require_bool(op_type, x, arg="x"):
    if x.dtype != dtypes.bool_:
        raise TypeError(f"Input '{arg}' of '{op_type}' Op has type {x.dtype.name} that does not match expected type "
                        "of bool.")
    return x


def refuse_bool(op_type, x, arg="x"):
    """TF's TypeError, while the graph is built, for bools given to arithmetic (``Add``, ``Mul``, ``Maximum`` ...
    have no bool kernels; numpy would compute True + True = True)."""
    if x.dtype == dtypes.bool_:
        raise TypeError(f"Value passed to parameter '{arg}' of '{op_type}' Op has DataType bool, not a number type; "
                        f"cast it first (tf.cast(x, tf.float32)), or use tf.logical_and / tf.logical_or for logic")
    return x


def constant_value(value, what):
    """The Python value of a static argument (an axis, a shape...) given as a number, list, array or constant
    tensor. A tensor computed at run time cannot become a static attribute: that is a clear NotImplementedError."""
    tensor = graph_tensor(value)
    if tensor is None:
        return numpy.asarray(value).tolist() if isinstance(value, (numpy.ndarray, numpy.generic)) else value
    if tensor.op.op is Const:
        return tensor.op.attrs["value"].tolist()
    raise NotImplementedError(f"{what} must be known when the graph is built (a Python value or a tf.constant); "
                              f"{tensor.name} is computed at run time")


def computed_at_run_time(value):
    """Whether ``value``, an argument TF also takes as a tensor (an axis, top_k's ``k``, a resize's size), is known
    only when the graph runs: a tensor that is not a constant, or a list holding one. ``constant_value`` reads the
    others now."""
    if isinstance(value, (list, tuple)):
        return any(computed_at_run_time(v) for v in value)
    tensor = graph_tensor(value)
    return tensor is not None and tensor.op.op is not Const


def known_dims(shape_tensor):
    """What the graph knows of the values of ``shape_tensor``, a 1-D int tensor that gives a shape: a list with None
    where only the run time knows a dim, or None when even its length is unknown. As TF's
    ``constant_value_as_shape`` reads them: a constant's values are known; ``tf.shape(x)`` holds x's static dims;
    a slice of such a tensor (``tf.shape(x)[1:]``), a ``tf.stack`` of scalars (``tf.stack([tf.shape(x)[0], 80])``)
    and a ``tf.concat`` of such pieces keep what their parts know."""
    op = shape_tensor.op
    if op.op is Const:
        return [int(d) for d in numpy.reshape(op.attrs["value"], -1)]
    if op.type == "Shape":
        source = op.inputs[0].shape
        return source.as_list() if source.rank_known else None
    if op.type == "StridedSlice" and _plain_slice(op) is not None and op.inputs[0].shape.rank == 1:
        dims = known_dims(op.inputs[0])
        if dims is not None:
            return dims[_plain_slice(op)]
    if op.type == "Pack" and op.attrs["dim"] == 0:
        return [known_scalar(t) for t in op.inputs]
    if op.type == "ConcatV2" and op.attrs["dim"] in (0, -1):
        parts = [known_dims(t) for t in op.inputs]
        if None not in parts:
            return [d for part in parts for d in part]
    value = get_static_value(shape_tensor)  # what TF's folding knows (a cast of a constant, say)
    if value is not None and value.ndim == 1:
        return [int(d) for d in value]
    rank_known = shape_tensor.shape.rank_known and len(shape_tensor.shape) == 1
    return None if not rank_known or shape_tensor.shape[0] is None else [None] * shape_tensor.shape[0]


def known_scalar(tensor):
    """The value of the 0-d int ``tensor`` if the graph knows it: a constant, or an entry of a shape tensor whose
    entry is known (``tf.shape(x)[1]`` for x with a static dim 1); else None."""
    op = tensor.op
    if op.op is Const and numpy.ndim(op.attrs["value"]) == 0:
        return int(op.attrs["value"])
    basic = op.attrs.get("basic") if op.type == "StridedSlice" else None
    if basic and len(basic) == 1 and basic[0][0] == "int" and not op.attrs["advanced"] and \
            op.inputs[0].shape.rank == 1:
        dims = known_dims(op.inputs[0])
        index = basic[0][1]
        if dims is not None and isinstance(index, int) and -len(dims) <= index < len(dims):
            return dims[index]
    return None


def _plain_slice(op):
    """The Python slice a ``StridedSlice`` op takes when it is one slice with constant bounds (``t[1:]``)."""
    basic = op.attrs.get("basic")
    if basic and len(basic) == 1 and basic[0][0] == "slice" and not op.attrs["advanced"] and \
            all(b is None or isinstance(b, int) for b in basic[0][1:]):
        return slice(*basic[0][1:])
    return None


def deprecated_alias(new, old, new_name, old_name):
    """TF1's renamed arguments (``keep_dims`` -> ``keepdims``): either may be given, not both."""
    if old is not None:
        if new is not None:
            raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
        return old
    return new


def axis_arg(axis, reduction_indices=None):
    """A reduction's axes as the op library's ``dim``: None (all), an int, or a tuple."""
    axis = constant_value(deprecated_alias(axis, reduction_indices, "axis", "reduction_indices"), "axis")
    return tuple(axis) if isinstance(axis, list) else axis


def normalize_axis(axis, rank, op_name=None):
    """``axis`` (a Python int or a constant) as a dim in [0, rank) of a tensor of rank ``rank``, negative axes
    counting from the end. An axis outside [-rank, rank) is TF's ValueError when the graph is built (``axis % rank``
    would silently pick another dim). The message names ``op_name``, by default the op under construction."""
    axis = constant_value(axis, "axis")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"'{op_name or _op_name()}': axis must be an int, got {axis!r}")
    if not -rank <= axis < rank:
        raise ValueError(f"Invalid axis: {axis} for '{op_name or _op_name()}': expected an axis in [{-rank}, {rank}) "
                         f"for an input of rank {rank}")
    return axis % rank


def _op_name():
    """The name the op under construction will get (the current scope), for TF-style messages."""
    return get_default_graph().get_name_scope() or "op"


# ============================================================================================ binary arithmetic

def _binary(py_name, default_name, fn, doc, op_type=None):
    """A TF binary op: both operands to one dtype (no promotion), then the op library's ``fn``."""
    @tf_op(default_name)
    def binary(x, y, name=None):
        x, y = matching_pair(op_type or default_name, x, y)
        return fn(refuse_bool(op_type or default_name, x), y)
    binary.__name__ = binary.__qualname__ = py_name
    binary.__doc__ = doc
    return binary


def add_or_join(x, y):
    """TF's ``Add``: numbers are added; strings are joined, element by element (``root + "/" + name``)."""
    return string_join([x, y]) if getattr(x, "dtype", None) == tf_string else ops.add(x, y)


add = _binary("add", "Add", add_or_join, "x + y elementwise, broadcasting; strings are joined.", op_type="AddV2")
subtract = _binary("subtract", "Sub", ops.sub, "x - y elementwise, broadcasting.")
multiply = _binary("multiply", "Mul", ops.mul, "x * y elementwise, broadcasting.")
floordiv = _binary("floordiv", "FloorDiv", ops.floor_divide, "floor(x / y): rounds toward -inf, also for floats.")
mod = floormod = _binary("floormod", "FloorMod", ops.remainder, "x - floor(x / y) * y: the sign of y, like Python.")


@tf_op("Pow")
def pow(x, y, name=None):
    """x ** y elementwise, of one dtype (``power``)."""
    x, y = matching_pair("Pow", x, y)
    refuse_bool("Pow", x)
    return power(x, y)


def power(x, y):
    """x ** y, for ``tf.pow`` and the ``**`` operator. A signed integer to a negative power has no integer answer:
    TF refuses it when the graph runs (numpy's answer would be 0); an exponent known to be >= 0 when the graph is
    built (a number, a constant) needs no check. The gradient for y is 0 where x <= 0, as TF's (PyTorch's is NaN
    for a negative x)."""
    checks = []
    if getattr(x, "dtype", None) is not None and x.dtype.kind == "i":  # (minidl's own code may pass a number)
        known = y if isinstance(y, numbers.Number) else y.op.attrs["value"] if y.op.op is Const else None
        if known is None or not (numpy.asarray(known) >= 0).all():
            from .check_ops import Assert  # (check_ops is built on this module)
            holds = ops.all(ops.ge(y, 0)) if known is None else constant_op(False)  # (a negative number: never)
            checks.append(Assert(holds, ["Integers to negative integer powers are not allowed"]))
    with control_dependencies(checks):  # (TF's gradient for y: log(x) taken as 0 where x <= 0, see ops' Pow)
        return ops.pow(x, y, log_where_positive=True)


def _larger(x, y):
    """max(x, y) with TF's gradient: on ties it goes all to x, where PyTorch's splits it (see ops.compare.Maximum)."""
    return apply(ops.compare.Maximum, x, y, tie_share=1.0)


def _smaller(x, y):
    """min(x, y) with TF's gradient (all to x on ties)."""
    return apply(ops.compare.Minimum, x, y, tie_share=1.0)


maximum = _binary("maximum", "Maximum", _larger, "max(x, y) elementwise; where x == y the gradient goes to x.")
minimum = _binary("minimum", "Minimum", _smaller, "min(x, y) elementwise; where x == y the gradient goes to x.")
squared_difference = _binary("squared_difference", "SquaredDifference", lambda x, y: ops.square(ops.sub(x, y)),
                             "(x - y)² elementwise.")


def real_division_dtype(dtype):
    """The float dtype TF divides integers of ``dtype`` in: float64 for 32- and 64-bit ones, float32 for smaller."""
    return dtypes.float64 if dtype.itemsize >= 4 else dtypes.float32


@tf_op("truediv")
def truediv(x, y, name=None):
    """x / y as real division: integers become floats first (int8/int16/uint8 -> float32, int32/int64 -> float64,
    TF's rule), so ``truediv(7, 2)`` is 3.5."""
    x, y = matching_pair("RealDiv", x, y)
    refuse_bool("RealDiv", x)
    if x.dtype.kind in "iu":
        wide = real_division_dtype(x.dtype)
        x, y = ops.cast(x, wide), ops.cast(y, wide)
    return ops.div(x, y)


divide = truediv


@tf_op("div")
def div(x, y, name=None):
    """TF1's ``tf.div``: Python 2 division, so integers floor-divide and floats divide exactly."""
    x, y = matching_pair("Div", x, y)
    refuse_bool("Div", x)
    return ops.floor_divide(x, y) if x.dtype.kind in "iu" else ops.div(x, y)


@tf_op("AddN")
def add_n(inputs, name=None):
    """The elementwise sum of a list of tensors of one dtype and shape. (It does not broadcast: shapes that
    differ are TF's ValueError when the graph is built.)"""
    if isinstance(inputs, (list, tuple)) and not inputs:
        raise ValueError("inputs must be a list of at least one Tensor/IndexedSlices with the same dtype and shape")
    tensors = matching_list("AddN", inputs, "inputs")
    shape = tensors[0].shape
    for t in tensors[1:]:
        if not shape.is_compatible_with(t.shape):
            raise ValueError(f"AddN: the inputs must have one shape, got {tensors[0].name} of shape {tensors[0].shape} "
                             f"and {t.name} of shape {t.shape}")
        shape = shape.merge_with(t.shape)
    total = tensors[0]
    for t in tensors[1:]:
        total = ops.add(total, t)
    return total if len(tensors) > 1 else ops.clone(total)


# ============================================================================================== unary math

def _unary(py_name, default_name, fn, allowed, doc):
    @tf_op(default_name)
    def unary(x, name=None):
        return fn(check_dtype(to_tensor(x), allowed))
    unary.__name__ = unary.__qualname__ = py_name
    unary.__doc__ = doc
    return unary


negative = _unary("negative", "Neg", ops.neg, NUMBERS, "-x.")
abs = _unary("abs", "Abs", ops.abs, NUMBERS, "|x|; the magnitude (a real tensor) for complex x.")
square = _unary("square", "Square", ops.square, NUMBERS, "x².")
sign = _unary("sign", "Sign", ops.sign, REALS, "-1, 0 or 1 by the sign of x.")
sqrt = _unary("sqrt", "Sqrt", ops.sqrt, FLOATS_AND_COMPLEX, "√x.")
rsqrt = _unary("rsqrt", "Rsqrt", ops.rsqrt, FLOATS_AND_COMPLEX, "1 / √x.")
reciprocal = _unary("reciprocal", "Reciprocal", ops.reciprocal, FLOATS_AND_COMPLEX, "1 / x.")
exp = _unary("exp", "Exp", ops.exp, FLOATS_AND_COMPLEX, "e^x.")
log = _unary("log", "Log", ops.log, FLOATS_AND_COMPLEX, "The natural logarithm.")
log1p = _unary("log1p", "Log1p", ops.log1p, FLOATS_AND_COMPLEX, "log(1 + x), accurate for tiny x.")
sin = _unary("sin", "Sin", ops.sin, FLOATS_AND_COMPLEX, "sin x.")
cos = _unary("cos", "Cos", ops.cos, FLOATS_AND_COMPLEX, "cos x.")
sigmoid = _unary("sigmoid", "Sigmoid", ops.sigmoid, FLOATS_AND_COMPLEX, "1 / (1 + e^-x), computed without overflow.")
tanh = _unary("tanh", "Tanh", ops.tanh, FLOATS_AND_COMPLEX, "tanh x.")
log_sigmoid = _unary("log_sigmoid", "LogSigmoid", lambda x: ops.neg(ops.softplus(ops.neg(x))), FLOATS,
                     "log(sigmoid(x)) = -softplus(-x), stable for large |x|.")
floor = _unary("floor", "Floor", ops.floor, FLOATS, "The largest integer <= x.")
ceil = _unary("ceil", "Ceil", ops.ceil, FLOATS, "The smallest integer >= x.")
round = _unary("round", "Round", ops.round, REALS, "x rounded to the nearest integer, halves to even (2.5 -> 2).")
is_nan = _unary("is_nan", "IsNan", ops.isnan, FLOATS, "True where x is NaN.")
is_inf = _unary("is_inf", "IsInf", ops.isinf, FLOATS, "True where x is +inf or -inf.")
is_finite = _unary("is_finite", "IsFinite", ops.isfinite, FLOATS, "True where x is neither NaN nor infinite.")
real = _unary("real", "Real", ops.real, NUMBERS, "The real part (a real tensor is returned as it is).")
imag = _unary("imag", "Imag", lambda x: ops.imag(x) if x.dtype.kind == "c" else ops.zeros_like(x), NUMBERS,
              "The imaginary part (zeros for a real tensor).")
conj = _unary("conj", "Conj", ops.conj, NUMBERS, "The complex conjugate (a real tensor is returned as it is).")
angle = _unary("angle", "Angle", ops.angle, FLOATS_AND_COMPLEX, "The argument of each complex number, in (-pi, pi].")
atan = _unary("atan", "Atan", ops.atan, FLOATS, "The angle whose tangent is x, in (-pi/2, pi/2).")
erf = _unary("erf", "Erf", ops.erf, FLOATS, "The error function: 2/√π times the integral of e^(-t²) over [0, x].")


@tf_op("Softplus")
def softplus(features, name=None):
    """log(1 + e^features), computed without overflow (also ``tf.nn.softplus``)."""
    return ops.softplus(check_dtype(to_tensor(features), FLOATS, "features"))


@tf_op("Complex")
def complex(real, imag, name=None):
    """``real + i imag`` from two float32 (-> complex64) or float64 (-> complex128) tensors."""
    real, imag = matching_pair("Complex", real, imag, ("real", "imag"))
    return ops.complex(check_dtype(real, ("float32", "float64"), "real"), imag)


@tf_op("Cast")
def cast(x, dtype, name=None):
    """``x`` converted to ``dtype``; floats become integers by truncation toward zero, complex becomes real by
    dropping the imaginary part. A tensor that already has the dtype is returned as it is; a SparseTensor gets its
    values converted."""
    if isinstance(x, SparseTensor):
        return SparseTensor(x.indices, cast(x.values, dtype), x.dense_shape)
    return ops.cast(to_tensor(x), dtypes.as_dtype(dtype))


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


@tf_op("clip_by_value")
def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """``t`` limited to [clip_value_min, clip_value_max]; the bounds take t's dtype. As in TF, it is
    ``maximum(minimum(t, max), min)``: the gradient passes where t is inside the bounds or on one, a bound that is
    a tensor gets the gradient where it is taken, and where min > max the result is min. An IndexedSlices (a
    lookup's gradient) stays one, its values clipped."""
    def clipped(values):
        values = to_tensor(values)
        _, low = matching_pair("Maximum", values, clip_value_min)
        _, high = matching_pair("Minimum", values, clip_value_max)
        out = _larger(_smaller(values, high), low)
        # TF checks that the bounds do not broadcast t "to prevent unintentional broadcasting"
        if values.shape.rank_known and out.shape.rank_known and not values.shape.is_compatible_with(out.shape):
            raise ValueError(f"clip_by_value: the bounds must not make t larger: t has shape {values.shape}, the "
                             f"clipped value {out.shape}")
        return out
    return on_values(t, clipped)


# ================================================================================================ comparisons

def _compare(py_name, default_name, fn, allowed):
    @tf_op(default_name)
    def compare(x, y, name=None):
        x, y = matching_pair(default_name, x, y)
        return fn(check_dtype(x, allowed), y)
    compare.__name__ = compare.__qualname__ = py_name
    compare.__doc__ = f"A bool tensor: ``{fn.__name__}(x, y)`` elementwise; x and y must have one dtype."
    return compare


equal = _compare("equal", "Equal", ops.eq, NUMBERS + ("bool", "string"))
not_equal = _compare("not_equal", "NotEqual", ops.ne, NUMBERS + ("bool", "string"))
less = _compare("less", "Less", ops.lt, REALS)
less_equal = _compare("less_equal", "LessEqual", ops.le, REALS)
greater = _compare("greater", "Greater", ops.gt, REALS)
greater_equal = _compare("greater_equal", "GreaterEqual", ops.ge, REALS)


def _logical(py_name, default_name, fn):
    @tf_op(default_name)
    def logical(x, y, name=None):
        x, y = to_tensor(x, dtypes.bool_), to_tensor(y, dtypes.bool_)
        return fn(require_bool(default_name, x, "x"), require_bool(default_name, y, "y"))
    logical.__name__ = logical.__qualname__ = py_name
    logical.__doc__ = f"``{fn.__name__}`` of two bool tensors, elementwise."
    return logical


logical_and = _logical("logical_and", "LogicalAnd", ops.logical_and)
logical_or = _logical("logical_or", "LogicalOr", ops.logical_or)
logical_xor = _logical("logical_xor", "LogicalXor", ops.logical_xor)


@tf_op("LogicalNot")
def logical_not(x, name=None):
    return ops.logical_not(require_bool("LogicalNot", to_tensor(x, dtypes.bool_)))


# ================================================================================================= reductions

def _integer_mean(x, dims, keepdim):
    """TF's mean of integers is an integer: the sum divided by the count, truncated toward zero (C division).
    The float64 mean holds it exactly for sums below 2**53."""
    return ops.cast(ops.trunc(ops.mean(ops.cast(x, dtypes.float64), dims, keepdim)), x.dtype)


def _counts_from_the_end(axis):
    """Whether ``axis`` (an int or a list of them) holds a negative axis."""
    return any(int(a) < 0 for a in (axis if isinstance(axis, (list, tuple)) else [axis]))


def _reduction(py_name, default_name, reduce, allowed, doc):
    """A ``reduce_*`` function with TF1's signature over the op library's ``reduce(x, dim, keepdim)``."""
    @tf_op(default_name)
    def reduction(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
        x = check_dtype(to_tensor(input_tensor), allowed, "input")
        axis = deprecated_alias(axis, reduction_indices, "axis", "reduction_indices")
        keepdim = bool(deprecated_alias(keepdims, keep_dims, "keepdims", "keep_dims"))
        # axes read when the graph runs, or a negative axis of a tensor whose rank shows only then: the reduction
        # is placed when the graph runs
        if computed_at_run_time(axis) or (axis is not None and not x.shape.rank_known and _counts_from_the_end(axis)):
            from .run_time_axes import reduce_at_run_time  # (it builds on array_ops, which builds on this module)
            return reduce_at_run_time(reduce, x, axis, keepdim)
        dims = axis_arg(axis)
        if dims == ():  # TF reduces over no axis at all (the op library would read () as "every axis")
            return x
        return reduce(x, dims, keepdim)
    reduction.__name__ = reduction.__qualname__ = py_name
    reduction.__doc__ = doc + (" Over ``axis`` (None: all axes; a tensor: the axes it holds when the graph runs); "
                               "``keepdims`` keeps them with size 1.")
    return reduction


reduce_sum = _reduction("reduce_sum", "Sum", lambda x, d, k: ops.sum(x, d, k, dtype=x.dtype), NUMBERS,
                        "The sum, in the input's dtype.")
reduce_prod = _reduction("reduce_prod", "Prod", lambda x, d, k: ops.prod(x, d, k, dtype=x.dtype), NUMBERS,
                         "The product, in the input's dtype.")
reduce_mean = _reduction("reduce_mean", "Mean",
                         lambda x, d, k: _integer_mean(x, d, k) if x.dtype.kind in "iu" else ops.mean(x, d, k),
                         NUMBERS, "The mean; for integers, truncated to an integer as TF does.")


def _extremum(reduce, highest):
    """``reduce`` (amax or amin) as TF reduces: over an empty axis the result is the reduction's identity (-inf
    for the max of floats, the lowest integer; +inf or the highest for the min), where the op library refuses.
    Only an axis whose size is 0 or unknown gets one identity entry appended (its gradient is dropped). Of a tensor
    of unknown rank, the whole reduction takes it flattened; one over axes is built when the graph runs."""
    def run(x, dims, keepdim):
        if not x.shape.rank_known:
            if dims is not None or keepdim:
                raise UnknownRankError(f"the rank of {x.name} is unknown: which axes are empty shows when the graph "
                                       f"runs")
            x = ops.reshape(x, (-1,))
        if x.dtype.kind == "f":
            identity = numpy.inf if highest else -numpy.inf
        else:
            info = numpy.iinfo(x.dtype)
            identity = int(info.max if highest else info.min)
        axes = range(x.ndim) if dims is None else [normalize_axis(d, x.ndim)
                                                    for d in ((dims,) if isinstance(dims, int) else dims)]
        for d in axes:
            if x.shape[d] is None or x.shape[d] == 0:
                x = ops.pad(x, (0, 0) * (x.ndim - 1 - d) + (0, 1), value=identity)
        return reduce(x, dims, keepdim)
    return run


reduce_max = _reduction("reduce_max", "Max", _extremum(ops.amax, highest=False), REALS,
                        "The largest entry (ties share the gradient; over an empty axis, -inf or the lowest integer).")
reduce_min = _reduction("reduce_min", "Min", _extremum(ops.amin, highest=True), REALS,
                        "The smallest entry (ties share the gradient; over an empty axis, +inf or the highest "
                        "integer).")
reduce_logsumexp = _reduction("reduce_logsumexp", "ReduceLogSumExp", ops.logsumexp, FLOATS,
                              "log(sum(exp(x))) without overflow.")
reduce_any = _reduction("reduce_any", "Any", ops.any, ("bool",), "Whether any entry is True.")
reduce_all = _reduction("reduce_all", "All", ops.all, ("bool",), "Whether every entry is True.")
reduce_variance = _reduction("reduce_variance", "reduce_variance",
                             lambda x, d, k: ops.var(x, d, keepdim=k, correction=0), FLOATS,
                             "The population variance (divided by N).")
reduce_std = _reduction("reduce_std", "reduce_std", lambda x, d, k: ops.std(x, d, keepdim=k, correction=0), FLOATS,
                        "The population standard deviation (divided by N).")


@tf_op("count_nonzero")
def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=dtypes.int64, name=None, reduction_indices=None,
                  keep_dims=None):
    """How many entries are not zero (not False), over ``axis``."""
    x, dtype = to_tensor(input_tensor), dtypes.as_dtype(dtype)
    keepdim = bool(deprecated_alias(keepdims, keep_dims, "keepdims", "keep_dims"))
    nonzero = ops.cast(ops.cast(x, dtypes.bool_), dtype)
    return ops.sum(nonzero, axis_arg(axis, reduction_indices), keepdim, dtype=dtype)


def _arg_extreme(py_name, default_name, fn):
    @tf_op(default_name)
    def arg(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):
        x = check_dtype(to_tensor(input), REALS, "input")
        axis = deprecated_alias(axis, dimension, "axis", "dimension")
        axis = 0 if axis is None else constant_value(axis, "axis")  # TF1 reads a missing axis as 0
        if not x.shape.rank_known and axis == -1:  # (a placeholder without a shape: over the rows of its last dim)
            from .array_ops import over_last_dim_rows  # (array_ops builds on this module)
            index = over_last_dim_rows(fn, x, keep_last_dim=False)
        else:
            index = fn(x, axis)
        return ops.cast(index, check_dtype(dtypes.as_dtype(output_type), ("int32", "int64"), "output_type"))
    arg.__name__ = arg.__qualname__ = py_name
    arg.__doc__ = (f"The index of the {default_name[3:].lower()}imum along ``axis`` (default 0, TF1's rule), as "
                   "``output_type`` (int64 unless told).")
    return arg


argmax = _arg_extreme("argmax", "ArgMax", ops.argmax)
argmin = _arg_extreme("argmin", "ArgMin", ops.argmin)


def arg_max(input, dimension, name=None, output_type=dtypes.int64):
    """TF1's old name of ``argmax``, whose axis is the required ``dimension``."""
    return argmax(input, dimension, name=name, output_type=output_type)


def arg_min(input, dimension, name=None, output_type=dtypes.int64):
    """TF1's old name of ``argmin``, whose axis is the required ``dimension``."""
    return argmin(input, dimension, name=name, output_type=output_type)


def _running(running, neutral, x, axis, exclusive, reverse):
    """``running(x, axis)`` (a cumulative sum, product or log-sum-exp) with TF's options: ``reverse`` runs from the
    end, ``exclusive`` leaves each entry out of its own result (the first result is then ``neutral``: 0, 1 or the
    lowest float)."""
    x = check_dtype(to_tensor(x), NUMBERS)
    axis = normalize_axis(axis, max(x.ndim, 1))
    total = running(ops.flip(x, (axis,)) if reverse else x, axis)
    if exclusive:  # shift by one along axis: neutral in front, the last result cut off (pads list the last dim first)
        total = ops.pad(total, [0, 0] * (x.ndim - 1 - axis) + [1, -1], value=neutral)
    return ops.flip(total, (axis,)) if reverse else total


@tf_op("Cumsum")
def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum along ``axis``: [a, b, c] -> [a, a+b, a+b+c]; ``exclusive`` -> [0, a, a+b]; ``reverse`` sums
    from the end -> [a+b+c, b+c, c]."""
    return _running(lambda t, d: ops.cumsum(t, d, dtype=t.dtype), 0, x, axis, exclusive, reverse)


@tf_op("Cumprod")
def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running product along ``axis``: [a, b, c] -> [a, ab, abc]; ``exclusive`` -> [1, a, ab]; ``reverse``
    multiplies from the end -> [abc, bc, c]."""
    return _running(lambda t, d: ops.cumprod(t, d, dtype=t.dtype), 1, x, axis, exclusive, reverse)


@tf_op("CumulativeLogsumexp")
def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running ``log(sum(exp(x)))`` along ``axis``, stable for any range of values: [a, b, c] ->
    [a, log(e^a + e^b), log(e^a + e^b + e^c)]; ``exclusive`` leaves each entry out of its own result and
    ``reverse`` runs from the end, as ``cumsum``. An exclusive scan starts from the lowest finite float of x's
    dtype (what TF's kernel uses for -inf, log-sum-exp's neutral element). Float tensors only."""
    x = check_dtype(to_tensor(x), FLOATS)
    lowest = float(numpy.finfo(x.dtype.name).min)
    return _running(lambda t, d: ops.logcumsumexp(t, d), lowest, x, axis, exclusive, reverse)


# ================================================================================================== products

def _maybe_conj(x, adjoint):
    return ops.conj(x) if adjoint else x


@tf_op("MatMul")
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, a_is_sparse=False,
           b_is_sparse=False, name=None):
    """The matrix product of the last two dims (leading dims are batch dims, broadcast), after transposing (or
    conjugate-transposing, ``adjoint_*``) a and/or b. Both must be at least 2-D and of one dtype."""
    a, b = matching_pair("MatMul", a, b, ("a", "b"))
    for x in (a, b):
        if x.shape.rank_known and len(x.shape) < 2:
            raise ValueError(f"Shape must be rank 2 but is rank {len(x.shape)} for '{_op_name()}' (op: 'MatMul') "
                             f"with input shapes: {_dims(a)}, {_dims(b)}.")
    for flag, adjoint, which in ((transpose_a, adjoint_a, "a"), (transpose_b, adjoint_b, "b")):
        if flag and adjoint:
            raise ValueError(f"Only one of transpose_{which} and adjoint_{which} can be True.")
    if transpose_a or adjoint_a:
        a = _maybe_conj(ops.transpose(a, -2, -1), adjoint_a)
    if transpose_b or adjoint_b:
        b = _maybe_conj(ops.transpose(b, -2, -1), adjoint_b)
    if a.shape.rank_known and b.shape.rank_known:
        k_a, k_b = a.shape[-1], b.shape[-2]
        if None not in (k_a, k_b) and k_a != k_b:
            raise ValueError(f"Dimensions must be equal, but are {k_a} and {k_b} for '{_op_name()}' (op: 'MatMul') "
                             f"with input shapes: {_dims(a)}, {_dims(b)}.")
    with control_dependencies(_matmul_checks(a, b)):
        return ops.matmul(a, b)


@rank_at_run_time
def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """``tf.linalg.matvec``: the matrix (last two dims of ``a``) times the vector (last dim of ``b``), leading
    dims batch dims, broadcast — ``matmul(a, b[..., None])[..., 0]``."""
    a, b = matching_pair("MatMul", a, b, ("a", "b"))
    if b.shape.rank_known and len(b.shape) < 1:
        raise ValueError(f"matvec: b must have rank >= 1 (a vector, or a batch of them), got the scalar {b.name}")
    product = matmul(a, ops.unsqueeze(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a, name=name)
    return ops.squeeze(product, -1)


def _matmul_checks(a, b):
    """Run-time checks (``Assert``s) of what the graph cannot know about a matmul's operands: a rank unknown until
    run time must be >= 2, and batch dims unknown until then must broadcast — numpy's own error would name neither
    the op nor the rule. No checks where the static shapes settle it."""
    from .array_ops import rank, shape  # (array_ops and check_ops are built on this module)
    from .check_ops import Assert
    checks = []
    for i, x in enumerate((a, b)):
        if not x.shape.rank_known:
            ndims = rank(x)
            checks.append(Assert(ops.ge(ndims, 2), [f"In[{i}] ndims must be >= 2:", ndims]))
    if a.shape.rank_known and b.shape.rank_known:
        batch = min(a.ndim, b.ndim) - 2  # the batch dims that meet, paired from the right
        pairs = list(zip(a.shape[a.ndim - 2 - batch:-2], b.shape[b.ndim - 2 - batch:-2]))
        if any(None in pair and 1 not in pair for pair in pairs):
            dims_a = ops.getitem(shape(a), slice(a.ndim - 2 - batch, -2))
            dims_b = ops.getitem(shape(b), slice(b.ndim - 2 - batch, -2))
            compatible = ops.logical_or(ops.eq(dims_a, dims_b), ops.eq(ops.minimum(dims_a, dims_b), 1))
            checks.append(Assert(ops.all(compatible), ["In[0] and In[1] must have compatible batch dimensions:",
                                                       shape(a), "vs.", shape(b)]))
    return checks


def _dims(x):
    """A shape as TF prints it in messages: ``[?,784]``."""
    if not x.shape.rank_known:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in x.shape) + "]"


@tf_op("matrix_transpose")
def matrix_transpose(a, name=None, conjugate=False):
    """Swap the last two dims (``tf.linalg.transpose``); ``conjugate`` also conjugates."""
    return _maybe_conj(ops.transpose(to_tensor(a), -2, -1), conjugate)


@tf_op("einsum")
def einsum(equation, *inputs, name=None):
    """Einstein summation (``"ij,jk->ik"`` is a matrix product); the inputs must share one dtype."""
    return ops.einsum(equation, *matching_list("Einsum", list(inputs), "inputs"))


@tf_op("Tensordot")
def tensordot(a, b, axes, name=None):
    """Sum the products over ``axes``: an int N (the last N dims of a with the first N of b) or a pair of lists."""
    a, b = matching_pair("MatMul", a, b, ("a", "b"))
    axes = constant_value(axes, "axes")
    if isinstance(axes, numbers.Integral):
        if not 0 <= axes <= min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: 'axes' must be at least 0 and at most the rank of each operand "
                             f"({a.ndim} and {b.ndim}), got {axes}")
        a_axes, b_axes = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        a_axes, b_axes = ([x] if isinstance(x, numbers.Integral) else list(x) for x in axes)
    if len(a_axes) != len(b_axes):
        raise ValueError(f"tensordot: axes lists must have one entry per contracted dim, got {a_axes} and {b_axes}")
    for operand, listed in ((a, a_axes), (b, b_axes)):
        if any(not -operand.ndim <= axis < operand.ndim for axis in listed):
            raise ValueError(f"tensordot: axes {listed} out of range for an operand of rank {operand.ndim} "
                             f"({operand.shape})")
    a_axes, b_axes = [axis % a.ndim for axis in a_axes], [axis % b.ndim for axis in b_axes]
    letters = iter(string.ascii_letters)
    a_terms = [next(letters) for _ in range(a.ndim)]
    b_terms = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(a_axes, b_axes):
        b_terms[j] = a_terms[i]
    shared = set(b_terms) & set(a_terms)
    out = [c for c in a_terms + b_terms if c not in shared]
    return ops.einsum(f"{''.join(a_terms)},{''.join(b_terms)}->{''.join(out)}", a, b)


@tf_op("norm")
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None):
    """The vector norm over ``axis`` (all entries when None): ``ord`` 'euclidean'/'fro', or any p > 0 (np.inf:
    the largest magnitude). Over a pair of axes, the matrix norms 'euclidean'/'fro' (the same formula), 1 (the
    largest column sum of magnitudes) and np.inf (the largest row sum)."""
    x = check_dtype(to_tensor(tensor), FLOATS_AND_COMPLEX, "tensor")
    keepdim = bool(deprecated_alias(keepdims, keep_dims, "keepdims", "keep_dims"))
    dims = axis_arg(axis)
    if ord in ("euclidean", "fro"):
        return ops.norm(x, 2, dims, keepdim)
    if isinstance(dims, tuple) and len(dims) == 2:
        if ord not in (1, numpy.inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, inf], got {ord!r}")
        summed, then = (dims[0], dims[1]) if ord == 1 else (dims[1], dims[0])  # sum columns (1) or rows (inf)
        return ops.amax(ops.sum(ops.abs(x), summed, keepdim=True), then, keepdim=True) if keepdim else \
            ops.amax(ops.sum(ops.abs(x), summed, keepdim=True), dims)
    if isinstance(ord, bool) or not isinstance(ord, numbers.Real) or not ord > 0:
        raise ValueError(f"'ord' must be a supported vector norm ('euclidean', 'fro' or a number > 0), got {ord!r}")
    return ops.norm(x, ord, dims, keepdim)


# ================================================================================================== namespaces

math = types.SimpleNamespace(
    add=add, subtract=subtract, multiply=multiply, divide=divide, truediv=truediv, floordiv=floordiv, mod=mod,
    floormod=floormod, pow=pow, negative=negative, abs=abs, sqrt=sqrt, rsqrt=rsqrt, square=square, exp=exp, log=log,
    log1p=log1p, sigmoid=sigmoid, log_sigmoid=log_sigmoid, softplus=softplus, tanh=tanh, sin=sin, cos=cos,
    maximum=maximum, minimum=minimum, squared_difference=squared_difference, add_n=add_n, reciprocal=reciprocal,
    sign=sign, round=round, floor=floor, ceil=ceil, is_nan=is_nan, is_inf=is_inf, is_finite=is_finite, real=real,
    imag=imag, conj=conj, angle=angle, equal=equal, not_equal=not_equal, less=less, less_equal=less_equal,
    greater=greater, greater_equal=greater_equal, logical_and=logical_and, logical_or=logical_or,
    logical_xor=logical_xor, logical_not=logical_not, reduce_sum=reduce_sum, reduce_prod=reduce_prod,
    reduce_mean=reduce_mean, reduce_max=reduce_max, reduce_min=reduce_min, reduce_logsumexp=reduce_logsumexp,
    reduce_any=reduce_any, reduce_all=reduce_all, reduce_variance=reduce_variance, reduce_std=reduce_std,
    count_nonzero=count_nonzero, argmax=argmax, argmin=argmin, cumsum=cumsum, matmul=matmul, tensordot=tensordot,
    atan=atan, erf=erf, cumprod=cumprod, cumulative_logsumexp=cumulative_logsumexp)
linalg = types.SimpleNamespace(matmul=matmul, matvec=matvec, einsum=einsum, tensordot=tensordot, norm=norm,
                               transpose=matrix_transpose, matrix_transpose=matrix_transpose,
                               adjoint=lambda matrix, name=None: matrix_transpose(matrix, name, conjugate=True))

__all__ = [
    "add", "subtract", "multiply", "divide", "truediv", "div", "floordiv", "mod", "floormod", "pow", "negative",
    "abs", "sqrt", "rsqrt", "square", "exp", "log", "log1p", "sigmoid", "log_sigmoid", "tanh", "sin", "cos",
    "maximum", "minimum", "squared_difference", "add_n", "reciprocal", "sign", "round", "floor", "ceil", "is_nan",
    "is_inf", "is_finite", "complex", "real", "imag", "conj", "angle", "cast", "to_float", "to_double", "to_int32",
    "to_int64", "clip_by_value", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "reduce_sum", "reduce_prod", "reduce_mean",
    "reduce_max", "reduce_min", "reduce_logsumexp", "reduce_any", "reduce_all", "count_nonzero", "argmax", "argmin",
    "cumsum", "matmul", "matrix_transpose", "einsum", "tensordot", "norm", "math", "linalg", "arg_max", "arg_min",
    "atan", "erf", "cumprod"]
