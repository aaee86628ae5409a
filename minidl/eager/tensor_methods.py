"""Tensor methods and operators that are just ops: ``x.exp()`` is ``ops.exp(x)``, ``x + y`` is ``ops.add(x, y)``.

Binding the op functions themselves as methods costs nothing per call (no wrapper in between); only those with a
``dim`` argument get a thin wrapper that also accepts numpy's ``axis``/``keepdims`` (``numpy_names.py``). Methods
whose PyTorch signature differs from the op's (``x.view(2, 3)`` with varargs) get a small adapter here. Every
out-of-place method ``name`` listed in ``IN_PLACE`` also gets ``name_`` (``x.add_(y)``), which runs the op and
writes the result into ``x`` (see ``Tensor._inplace``). The in-place shape methods (``x.squeeze_()``,
``x.t_()``, ...) cannot write a result of another shape into ``x``'s memory: ``x`` becomes the result instead.
"""
import functools
import math
import numbers

import numpy

from .. import ops
from ..backend import dtypes, to_device
from ..ops.arithmetic import alpha_scaled, refuse_bool_subtraction
from ..ops.promote import promote_pair
from ..ops.operators import OPERATORS, REFLECTED, bind_operators
from ..ops.scaled_products import addcdiv_term, addcmul_term
from ..ops.special import lerp_term
from .aliases import (absolute, adjoint, conj_physical, conj_physical_, diagflat, get_device, is_conj, is_cpu,
                      is_inference, is_neg, is_nonzero, is_same_size, is_signed, ravel, resolve_conj, resolve_neg,
                      split_with_sizes)
from . import element_types
from .grad_mode import GradMode
from .legacy import new_tensor as legacy_new_tensor
from .layouts import CONVERSIONS, accepting_memory_format, check_factory_options, clone, contiguous, strided
from .nn.functional import prelu
from .nn.small_functions import hardshrink
from .numpy_names import accept_numpy_names
from .storage import storage, untyped_storage
from .tensor import Tensor, distinct_view
from .views import PART_VIEWS, mark_current, refresh_if_stale
from .view_copies import COPIES, UNSAFE_SPLITS

#: methods that are the op function of the same name
SAME_NAME = [
    # arithmetic
    "add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "neg", "negative", "pow",
    "multiply", "subtract", "divide",
    # elementwise math and activations
    "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "abs", "sign", "sin", "cos", "tan", "tanh", "sigmoid",
    "relu", "floor", "ceil", "round", "trunc", "reciprocal", "square", "isnan", "isinf", "isfinite",
    "log2", "log10", "exp2",
    # comparison, logic, selection
    "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_not", "logical_xor",
    "greater", "greater_equal", "less", "less_equal", "not_equal", "maximum", "minimum", "clamp", "clip", "masked_fill",
    # reductions
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std", "logsumexp",
    "norm", "cumsum", "all", "any", "softmax", "log_softmax",
    # shapes and indexing
    "reshape", "transpose", "swapaxes", "squeeze", "unsqueeze", "broadcast_to", "flatten", "split", "chunk",
    "flip", "fliplr", "flipud", "roll", "tile", "repeat_interleave", "tril", "triu", "index_select",
    "gather", "scatter", "scatter_add", "scatter_reduce", "unbind",
    # linear algebra and spectra
    "matmul", "mm", "bmm", "dot", "outer", "conj", "angle", "stft", "istft",
    # sorting, searching, counting
    "sort", "argsort", "msort", "topk", "kthvalue", "median", "unique", "nonzero", "argwhere", "masked_select",
    "count_nonzero", "bincount", "isclose", "allclose", "equal", "clamp_min", "clamp_max",
    # bits
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
    # more elementwise math, running products and differences
    "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan", "arcsinh",
    "arccosh", "arctanh", "atan2", "arctan2", "erf", "erfc", "lerp", "nan_to_num", "cumprod", "diff",
    # matrices and shapes
    "diag", "trace", "inverse", "det", "addmm", "movedim", "moveaxis", "t", "narrow", "unflatten", "swapdims",
    "diagonal", "diag_embed",
    # writing at and reading from positions; input plus a scaled product; running extrema
    "index_add", "index_copy", "index_fill", "index_reduce", "masked_scatter", "take", "take_along_dim", "put",
    "addcmul", "addcdiv", "baddbmm", "addbmm", "addmv", "addr", "cummax", "cummin",
    # special functions, factorizations and solvers
    "lgamma", "mvlgamma", "digamma", "igamma", "igammac", "erfinv", "cholesky", "qr", "svd", "slogdet", "logdet",
    "pinverse", "matrix_power", "cholesky_solve", "cholesky_inverse", "triangular_solve", "cross", "matrix_exp",
    "lu", "lu_solve", "geqrf", "orgqr", "ormqr",
    # more elementwise math, combining and cutting, distances and bins
    "sgn", "logit", "xlogy", "fmod", "float_power", "hypot", "logaddexp", "logaddexp2", "copysign", "frac",
    "deg2rad", "rad2deg", "sinc", "heaviside", "logcumsumexp", "histc", "histogram", "kron", "rot90", "select",
    "tensor_split", "select_scatter", "slice_scatter", "diagonal_scatter",
    "hsplit", "vsplit", "dsplit", "dist", "renorm",
    # NaN-ignoring reductions, quantiles, runs, matrix statistics
    "nansum", "nanmean", "fmax", "fmin", "aminmax", "quantile", "nanquantile", "unique_consecutive", "mv", "cov",
    "corrcoef",
    # questions about numbers, whole numbers, the float format, Bessel's i0, products, order statistics
    "signbit", "isneginf", "isposinf", "isreal", "gcd", "lcm", "nextafter", "frexp", "ldexp", "positive", "fix",
    "i0", "inner", "vdot", "nanmedian", "mode", "sum_to_size",
]

#: in-place twins ``name_`` of these methods
IN_PLACE = [
    "add", "sub", "mul", "div", "floor_divide", "remainder", "neg", "pow", "exp", "log", "sqrt", "abs",
    "sign", "sin", "cos", "tanh", "sigmoid", "relu", "floor", "ceil", "round", "trunc", "reciprocal",
    "square", "clamp", "clip", "masked_fill", "scatter", "scatter_add", "scatter_reduce", "tril", "triu", "log1p",
    "expm1", "clamp_min", "clamp_max", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsin", "arccos",
    "arctan", "arcsinh", "arccosh", "arctanh", "atan2", "arctan2", "erf", "erfc", "lerp", "nan_to_num", "cumprod",
    "addmm", "index_add", "index_copy", "index_fill", "index_reduce", "masked_scatter", "put", "addcmul", "addcdiv",
    "baddbmm", "addbmm", "addmv", "addr", "lgamma", "mvlgamma", "digamma", "igamma", "igammac", "erfinv", "sgn",
    "logit", "xlogy", "fmod", "hypot", "copysign", "frac", "deg2rad", "rad2deg", "sinc", "heaviside", "renorm", "gcd",
    "lcm", "nextafter", "ldexp", "fix", "i0", "multiply", "subtract", "divide", "true_divide", "negative", "exp2",
    "log2", "log10", "rsqrt", "tan", "cumsum",
    # comparisons and logic: the bool result is written as this tensor's dtype (1 and 0 into a float tensor)
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not",
]

def _real_in_place(method):
    """``abs_``: the absolute value of a complex number is real, which a complex tensor would hold as a complex
    number — PyTorch refuses that instead."""
    def in_place(self, *args, **kwargs):
        if self.dtype.kind == "c":
            raise RuntimeError("In-place abs is not supported for complex tensors (use x.abs(), which is real).")
        return method(self, *args, **kwargs)
    in_place.__name__, in_place.__doc__ = method.__name__, method.__doc__
    return in_place


_IN_PLACE_OPERATORS = {
    "__iadd__": "add", "__isub__": "sub", "__imul__": "mul", "__itruediv__": "div", "__ifloordiv__": "floor_divide",
    "__imod__": "remainder", "__ipow__": "pow", "__iand__": "bitwise_and", "__ior__": "bitwise_or",
    "__ixor__": "bitwise_xor", "__ilshift__": "bitwise_left_shift", "__irshift__": "bitwise_right_shift",
}


# ------------------------------------------------------------------------ methods with PyTorch's signatures

def _dims(args, keyword=None, method=None):
    """``f(2, 3)``, ``f((2, 3))`` and the keyword form ``f(size=(2, 3))`` (``keyword``) all mean (2, 3)."""
    if keyword is not None:
        if args:
            raise TypeError(f"{method}() got its sizes twice: as arguments {args} and as a keyword ({keyword})")
        args = (keyword,)
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


def view(self, *shape, size=None):
    """``reshape`` that refuses to copy, as PyTorch's ``view`` does: the result shares this tensor's memory, so it
    exists only when the new shape walks the memory in the same order (a transposed tensor usually cannot be
    viewed as another shape: use ``reshape``, or ``contiguous()`` first)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        return _view_as_dtype(self, shape[0])
    result = distinct_view(self, ops.reshape(self, _dims(shape, size, "view")))
    if result._base is None and self.numel() > 0:  # numpy had to copy
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           f"spans across two contiguous subspaces): view {list(result.shape)} of a tensor of shape "
                           f"{list(self.shape)} and stride {list(self.stride())}. Use .reshape(...) instead.")
    return result


def _view_as_dtype(self, dtype):
    """``view(dtype)``: the same bytes read as another dtype — no value is converted (``to(dtype)`` converts) —
    sharing this tensor's memory and version counter. With a smaller element the last dim grows by the ratio of
    the sizes, with a larger one it shrinks (it must divide, and the last dim must be contiguous), as in PyTorch.
    Reinterpreted bytes have no derivative: the result has no gradient history, whatever the dtypes."""
    target = element_types.as_numpy_dtype(dtype)
    data, ratio = self._data, target.itemsize / self._data.dtype.itemsize
    if ratio != 1:
        what = (f"to view {dtypes.torch_name(data.dtype)} as {dtypes.torch_name(target)} (different element "
                f"sizes)")
        if data.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        strides = [s // data.itemsize for s in data.strides]
        if strides[-1] != 1 and data.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
        if ratio > 1:
            if data.shape[-1] % ratio:
                raise RuntimeError(f"self.size(-1) must be divisible by {int(ratio)} {what}, but got "
                                   f"{data.shape[-1]}")
            for dim, stride in enumerate(strides[:-1]):
                if stride % ratio:
                    raise RuntimeError(f"self.stride({dim}) must be divisible by {int(ratio)} {what}, but got "
                                       f"{stride}")
            if self.storage_offset() % ratio:
                raise RuntimeError(f"self.storage_offset() must be divisible by {int(ratio)} {what}, but got "
                                   f"{self.storage_offset()}")
    result = Tensor._make(data.view(target))
    result._version_counter = self._counter()
    return result


# PyTorch names the keyword form of each method's sizes differently: view(size=), reshape(shape=), permute(dims=),
# expand(size=), repeat(repeats=), tile(dims=), flip(dims=)

def reshape(self, *sizes, shape=None):
    return distinct_view(self, ops.reshape(self, _dims(sizes, shape, "reshape")))




def permute(self, *order, dims=None):
    return ops.permute(self, _dims(order, dims, "permute"))


def expand(self, *sizes, size=None):
    """Broadcast to ``sizes``; -1 keeps a dimension as it is."""
    sizes = _dims(sizes, size, "expand")
    lead = len(sizes) - self.ndim
    for i in range(min(lead, len(sizes))):
        if sizes[i] == -1:  # a new dim has no size to keep
            raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                               f"dimension {i}")
    shape = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return distinct_view(self, ops.broadcast_to(self, shape))


def broadcast_to(self, *sizes, size=None):
    return distinct_view(self, ops.broadcast_to(self, _dims(sizes, size, "broadcast_to")))


def expand_as(self, other):
    return distinct_view(self, ops.broadcast_to(self, tuple(other.shape)))


def _a_distinct_view(view_op):
    """The method of a view op that may hand back its input unchanged: a new tensor object then (``distinct_view``)."""
    @functools.wraps(view_op)
    def method(self, *args, **kwargs):
        return distinct_view(self, view_op(self, *args, **kwargs))
    return method


#: view ops that hand back their input unchanged in some cases (``t()`` of a vector, ``transpose(0, 0)``,
#: ``unflatten`` to the same shape): as methods and as functions they give a new tensor object (as ``view``,
#: ``reshape``, ``expand`` and ``broadcast_to`` do)
VIEWS_OF_ALL = ("t", "transpose", "swapaxes", "swapdims", "unflatten")


def _compares_elementwise(other):
    """Whether ``t == other`` compares element by element: with a tensor, an array or a number. With anything
    else (None, a string, a list) PyTorch's ``==`` is plain Python's, False (``!=``: True), so that
    ``t in (None, "auto")`` works."""
    return isinstance(other, (Tensor, numbers.Number, numpy.ndarray, numpy.generic))


def _eq(self, other):
    """Elementwise ``==`` (see ``_compares_elementwise``)."""
    return ops.eq(self, other) if _compares_elementwise(other) else NotImplemented


def _ne(self, other):
    return ops.ne(self, other) if _compares_elementwise(other) else NotImplemented


def flip(self, *order, dims=None):
    return ops.flip(self, _dims(order, dims, "flip"))


def tile(self, *counts, dims=None):
    return ops.tile(self, _dims(counts, dims, "tile"))


def repeat(self, *sizes, repeats=None):
    """PyTorch's ``repeat`` is numpy's ``tile``, except that it wants a count for every dim (extra counts in
    front add dims)."""
    sizes = _dims(sizes, repeats, "repeat")
    if len(sizes) < self.ndim:
        raise RuntimeError(f"Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           f"tensor (repeat{tuple(sizes)} of a tensor of shape {list(self.shape)})")
    return ops.tile(self, sizes)


def view_as(self, other):
    return view(self, tuple(other.shape))


def reshape_as(self, other):
    return reshape(self, tuple(other.shape))


def type_as(self, other):
    return ops.cast(self, other.dtype)


def split(self, split_size, dim=0):
    """``x.split(2)``: pieces of 2 along ``dim`` (``torch.split`` calls the sizes ``split_size_or_sections``)."""
    return ops.split(self, split_size, dim)


def where(self, condition, other):
    """``x.where(cond, y)`` is ``where(cond, x, y)``."""
    return ops.where(condition, self, other)


def new(self, *args):
    """The legacy ``x.new(2, 3)`` (uninitialized, of those sizes) or ``x.new(data)``: in x's dtype."""
    return legacy_new_tensor(args, self.dtype)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    from .creation import tensor
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def as_strided(self, size, stride, storage_offset=None):
    """A view reading this tensor's elements at ``storage_offset + Σ i_k·stride_k`` (``ops/as_strided.py``).
    PyTorch counts those positions in the tensor's storage; minidl in the tensor's own row-major elements, which
    is the same for a contiguous tensor — a non-contiguous one is refused rather than read differently."""
    if not self.is_contiguous():
        raise RuntimeError(f"as_strided: the tensor ({ops.describe(self)}) is not contiguous, so its elements do not "
                           f"lie in its storage in the order minidl reads them; call .contiguous() first")
    if storage_offset is not None and self.storage_offset():
        raise RuntimeError(f"as_strided: storage_offset counts from this view's first element in minidl (it is "
                           f"{self.storage_offset()} elements into its base's storage); index the base instead")
    return ops.as_strided(self, size, stride, storage_offset)


def new_empty_strided(self, size, stride, dtype=None, device=None, requires_grad=False, layout=None,
                      pin_memory=False):
    """``empty_strided`` in this tensor's dtype and device unless told otherwise."""
    from .creation import empty_strided
    return empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device,
                         requires_grad=requires_grad, layout=layout, pin_memory=pin_memory)


def resize_as_(self, the_template, memory_format=None):
    """``resize_`` to ``the_template``'s shape."""
    if not isinstance(the_template, Tensor):
        raise TypeError(f"resize_as_(): argument 'the_template' must be Tensor, not {type(the_template).__name__}")
    return self.resize_(tuple(the_template.shape), memory_format=memory_format)


def output_nr(self):
    """Which output of the op that made it this tensor is (``unbind``'s second piece: 1); 0 for a leaf, and for a
    tensor without gradient history (``max(dim)``'s indices), as in PyTorch."""
    return self._out_index if self._node is not None else 0


def _new_factory(factory_name):
    def method(self, *shape, size=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        from . import creation
        check_factory_options(f"new_{factory_name}", layout, pin_memory)
        return getattr(creation, factory_name)(*shape, size=size, dtype=dtype or self.dtype,
                                               device=device or self.device, requires_grad=requires_grad)
    method.__name__ = "new_" + factory_name
    return method


def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    from .creation import full
    check_factory_options("new_full", layout, pin_memory)
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def ndimension(self):
    """The number of dims: ``dim()``."""
    return self.ndim


def _reshaping_in_place(fn, name):
    """The in-place form of a shape op (``t_``, ``squeeze_``, ...): this tensor becomes the result — a view of the
    same memory with new sizes or strides, as in PyTorch — and stands for it in the graph."""
    def method(self, *args, **kwargs):
        if GradMode.local.enabled and self._requires_grad and self._node is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        refresh_if_stale(self)  # (a view whose memory changed since its history was made: the current one first)
        # reshape a stand-in for the current value: the recorded op must keep seeing the old shape
        before = Tensor._make(self._data, self._node, self._out_index, self._requires_grad)
        before._version_counter = self._counter()
        result = fn(before, *args, **kwargs)
        self._data = result._data
        self._counter()[0] += 1  # a node that saved this tensor must not see it reshaped
        # (the nodes that only read its shape keep a stand-in with the old one: kept_for_shapes in tensor.py)
        self._view_of = None  # its index into its parent no longer gives it: an in-place change goes by memory
        if GradMode.local.enabled and result._requires_grad:
            self._node, self._out_index = result._node, result._out_index
        if GradMode.local.enabled and self._base is not None:
            mark_current(self)
        return self
    method.__name__ = name
    method.__doc__ = f"In-place ``{name[:-1]}``: this tensor takes the new shape (a view of the same memory)."
    return method


def fill_diagonal_(self, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal, in place: entries (i, i) of a matrix, (i, i, ..., i) of a tensor
    whose dims are all equal. A tall matrix (more rows than columns) with ``wrap=True`` starts the diagonal again
    after each block of columns + 1 rows, like numpy's ``fill_diagonal``."""
    if self.ndim < 2:
        raise RuntimeError(f"fill_diagonal_(): dimensions must larger than 1 (got a tensor of shape "
                           f"{list(self.shape)})")
    rows, cols = self.shape[0], self.shape[1]
    if self.ndim > 2 and len(set(self.shape)) > 1:
        raise RuntimeError(f"fill_diagonal_(): all dimensions of input must be of equal length (got shape "
                           f"{list(self.shape)})")
    # in the flattened tensor consecutive diagonal entries lie 1 + cols + cols² + ... apart (the sum of strides)
    step = sum(cols ** k for k in range(self.ndim))
    end = self.numel() if wrap and self.ndim == 2 else min(rows, cols) * step
    positions = list(range(0, end, step))
    return self._inplace(lambda t: ops.reshape_like(ops.index_put(ops.reshape(t, (-1,)), positions, fill_value), t))


def float_power_(self, exponent):
    """In-place ``float_power``: the result is float64, so this tensor must be float64 already (as in PyTorch)."""
    if self.dtype != dtypes.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype.name} but the operation's result "
                           "requires dtype float64")
    return self._inplace(lambda t: ops.float_power(t, exponent))


def index_put(self, indices, values, accumulate=False):
    """``x.index_put(indices, values)`` is ``x[indices] = values`` out of place (``indices`` a tuple of index
    tensors, one per leading dim, or boolean masks). With ``accumulate=True`` the values are added, and an index
    that appears several times gets all of its values: a scatter-add (``put``) at the flat positions the indices
    name."""
    indices = tuple(indices)
    if not accumulate:
        return ops.index_put(self, indices, values)
    # a boolean mask over k dims names its True positions: k integer index tensors
    indices = tuple(part for i in indices for part in (
        i.nonzero(as_tuple=True) if isinstance(i, Tensor) and i.dtype == dtypes.bool_ else (i,)))
    if not indices or not all(isinstance(i, Tensor) and i.dtype.kind in "iu" for i in indices):
        raise TypeError("index_put(accumulate=True): expected a non-empty tuple of integer index tensors, got "
                        f"({', '.join(ops.describe(i) for i in indices)})")
    if len(indices) > self.ndim:
        raise IndexError(f"index_put: too many indices ({len(indices)}) for a tensor of shape {list(self.shape)}")
    lead, rest = tuple(self.shape[:len(indices)]), tuple(self.shape[len(indices):])
    arrays = numpy.broadcast_arrays(*(i.cpu().numpy() for i in indices))
    for array, size in zip(arrays, lead):
        if array.size and not (-size <= array.min() and array.max() < size):
            raise IndexError(f"index_put: index out of range for a dim of size {size} (indices "
                             f"{array.min()}..{array.max()})")
    flat = numpy.ravel_multi_index(tuple(a % n for a, n in zip(arrays, lead)), lead) if lead else 0
    # each indexed position covers a whole block of the trailing dims
    flat = numpy.reshape(flat, numpy.shape(flat) + (1,) * len(rest))
    positions = flat * math.prod(rest) + numpy.arange(math.prod(rest)).reshape(rest)
    values = ops.broadcast_to(values, positions.shape)
    return ops.put(self, Tensor._make(to_device(positions.astype(numpy.int64), self.device)), values,
                   accumulate=True)


def index_put_(self, indices, values, accumulate=False):
    """In-place ``index_put``."""
    return self._inplace(lambda t: index_put(t, indices, values, accumulate))


def unfold(self, dimension, size, step):
    """``x.unfold(dimension, size, step)``: every window of ``size`` entries along ``dimension``, ``step`` apart,
    as a new last dim (``ops.unfold_windows``)."""
    return ops.unfold_windows(self, dimension, size, step)


def polygamma(self, n):
    """``x.polygamma(n)`` is ``polygamma(n, x)``: the n-th derivative of digamma."""
    return ops.polygamma(n, self)


def polygamma_(self, n):
    """In-place ``polygamma(n)``."""
    return self._inplace(lambda t: ops.polygamma(n, t))


def T(self):
    return ops.permute(self, tuple(reversed(range(self.ndim))))


def mT(self):
    return ops.transpose(self, -2, -1)


def H(self):
    return ops.conj(T(self))


def mH(self):
    return ops.conj(mT(self))


def rtruediv(self, other):
    """``2 / x``: PyTorch computes it as ``x.reciprocal() * 2``, so its gradient is read from the reciprocal (an
    output) and ``x`` may change in place afterwards; a division would keep ``x`` for the backward instead."""
    return ops.mul(ops.reciprocal(self), other)


_ADAPTERS = {
    "view": view, "reshape": reshape, "permute": permute, "expand": expand, "expand_as": expand_as,
    "broadcast_to": broadcast_to,
    "__eq__": _eq, "__ne__": _ne, "repeat": repeat, "flip": flip, "tile": tile, "view_as": view_as,
    "reshape_as": reshape_as, "type_as": type_as, "where": where,
    "clone": clone, "contiguous": contiguous, "new": new, "new_tensor": new_tensor, "new_zeros": _new_factory("zeros"),
    "new_ones": _new_factory("ones"), "new_empty": _new_factory("empty"), "new_full": new_full,
    "ndimension": ndimension, "fill_diagonal_": fill_diagonal_, "polygamma": polygamma, "polygamma_": polygamma_,
    "float_power_": float_power_, "unfold": unfold, "index_put": index_put, "index_put_": index_put_,
    "as_strided": as_strided, "as_strided_": _reshaping_in_place(as_strided, "as_strided_"),
    "new_empty_strided": new_empty_strided, "resize_as_": resize_as_, "is_same_size": is_same_size,
    "ger": lambda self, vec2: ops.outer(self, vec2),  # (PyTorch's old name for outer)
    "split": accept_numpy_names(split), "absolute": absolute, "ravel": ravel, "get_device": get_device,
    "split_with_sizes": split_with_sizes, "resolve_conj": resolve_conj, "is_conj": is_conj,
    "resolve_neg": resolve_neg, "is_neg": is_neg, "conj_physical": conj_physical, "conj_physical_": conj_physical_,
    "adjoint": adjoint, "is_nonzero": is_nonzero, "diagflat": diagflat,
    "hardshrink": hardshrink, "is_signed": is_signed, "is_inference": is_inference, "prelu": prelu,
    "narrow_copy": COPIES["narrow_copy"], "__rtruediv__": rtruediv, **UNSAFE_SPLITS, "untyped_storage": untyped_storage, "storage": storage,
}
#: in-place shape ops ``name_``: this tensor becomes the op's result (a view with new sizes or strides)
_RESHAPING_IN_PLACE = ["t", "squeeze", "unsqueeze", "transpose", "swapaxes", "swapdims"]
#: attributes that are ops, as in PyTorch: ``x.T``, ``x.real`` (not ``x.real()``)
_PROPERTIES = {"T": T, "mT": mT, "H": H, "mH": mH, "real": PART_VIEWS["real"], "imag": PART_VIEWS["imag"],
               "is_cpu": is_cpu, "layout": lambda self: strided, "output_nr": output_nr}
#: properties that can be assigned, as in PyTorch: ``z.real = t`` writes t into z's real parts
_SETTERS = {"real": lambda self, value: self.real.copy_(value), "imag": lambda self, value: self.imag.copy_(value)}


def _in_place(fn):
    update = _UFUNC_UPDATES.get(fn.__name__)

    def method(self, *args, **kwargs):
        # (integer tensors take the op: it wraps out-of-range numbers and refuses division by zero, as PyTorch)
        if update is not None and self._data.dtype.kind in "fc" and GradMode.observer is None and not (
                GradMode.local.enabled and (self._requires_grad or self._base is not None and self._base._requires_grad
                                            or any(getattr(a, "_requires_grad", False)
                                                   for a in (*args, *kwargs.values())))):
            ufunc, operand = update  # nothing to record: compute straight into our memory
            try:
                operand = operand(self, *args, **kwargs)
            except TypeError:  # arguments the op does not take: let the op itself say what is wrong
                return self._inplace(fn, *args, **kwargs)
            if operand is None:  # (an update the ufunc would round otherwise than the op)
                return self._inplace(fn, *args, **kwargs)
            try:
                return self._inplace_ufunc(ufunc, operand)
            except TypeError:  # a ufunc numpy lacks for the dtype (floor_divide of complex): the op's own error
                return self._inplace(fn, *args, **kwargs)
        return self._inplace(fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of ``{fn.__name__}``: the result is written into this tensor."
    return method


def _other(self, other):
    return other


def _exponent(self, exponent):
    return exponent


def _small_weight_lerp(self, end, weight):
    """``lerp_``'s term when adding it in place rounds as ``Lerp`` does: a number weight below 0.5 in size (the
    optimizers' moving averages); None for others, which ``Lerp`` computes from end's side (weight 1 gives end)."""
    if isinstance(weight, numbers.Real) and abs(weight) < 0.5:
        return lerp_term(self, end, weight)
    return None


def _other_scaled(self, other, *, alpha=1):
    return other if alpha == 1 else alpha_scaled("add_", promote_pair("add_", self, other)[1], alpha)


def _subtrahend(self, other, *, alpha=1):
    """``sub_``'s term, refused where ``-`` refuses it (a bool operand)."""
    refuse_bool_subtraction(self, other)
    return _other_scaled(self, other, alpha=alpha)


#: in-place updates ``x = x ∘ operand`` that, when no gradient is recorded, run the ufunc ``∘`` with ``out=`` the
#: tensor's own array instead of computing a new array and copying it over: ``p -= lr * p.grad`` under no_grad,
#: and the optimizers' ``m.add_(g, alpha=1 - beta1)``, ``v.addcmul_(g, g, value=1 - beta2)``, ``m.lerp_(g, w)``
#: (their scaled term is computed on its own, then added: one pass over memory fewer)
_UFUNC_UPDATES = {
    "add": ("add", _other_scaled), "sub": ("subtract", _subtrahend), "mul": ("multiply", _other),
    "div": ("true_divide", _other), "floor_divide": ("floor_divide", _other), "remainder": ("remainder", _other),
    "pow": ("power", _exponent), "addcmul": ("add", addcmul_term), "addcdiv": ("add", addcdiv_term),
    "lerp": ("add", _small_weight_lerp),
}


def bind():
    """Attach every method and operator whose op exists (``tests/test_tensor.py`` checks that all of them do)."""
    available = set(ops.__all__)
    for name in SAME_NAME:
        if name in available:
            setattr(Tensor, name, accept_numpy_names(getattr(ops, name)))
    for name in VIEWS_OF_ALL:
        setattr(Tensor, name, _a_distinct_view(getattr(Tensor, name)))
    bind_operators(Tensor, skip=("__getitem__",))  # Tensor defines its own: it remembers views' indices
    for name in IN_PLACE:
        if name in available:
            setattr(Tensor, name + "_", _in_place(getattr(ops, name)))
    Tensor.absolute_ = _in_place(absolute)  # (an alias the op library does not have)
    Tensor.abs_, Tensor.absolute_ = _real_in_place(Tensor.abs_), _real_in_place(Tensor.absolute_)
    for name, op_name in _IN_PLACE_OPERATORS.items():
        if op_name in available:
            setattr(Tensor, name, _in_place(getattr(ops, op_name)))
    for name in _RESHAPING_IN_PLACE:
        setattr(Tensor, name + "_", _reshaping_in_place(getattr(ops, name), name + "_"))
    for name, fn in _ADAPTERS.items():
        setattr(Tensor, name, fn)
    for name, fn in _PROPERTIES.items():
        setattr(Tensor, name, property(fn, _SETTERS.get(name)))
    for name in CONVERSIONS:
        setattr(Tensor, name, accepting_memory_format(getattr(Tensor, name)))


def missing_methods():
    """Names in the tables above whose op is not in ``minidl.ops`` (should be empty)."""
    wanted = set(SAME_NAME) | set(IN_PLACE) | set(_RESHAPING_IN_PLACE) | set(OPERATORS.values()) | \
        set(REFLECTED.values()) | {"polygamma", "float_power", "unfold_windows"}
    return sorted(wanted - set(ops.__all__))


bind()
