"""``torch.masked.MaskedTensor``: a tensor and a bool mask of its shape, carried together through elementwise
operations (which keep the mask) and reductions (whose result is masked in where anything reduced was); printing
shows ``--`` for the masked-out elements.

A basic version: a wrapper around the data tensor rather than a Tensor subclass, so PyTorch's top-level functions
(``torch.exp(mt)``) do not take it; its methods and operators do, and gradients flow to its data."""
from ... import ops
from ..element_types import bool_, float16, float32, float64, int8, int16, int32, int64
from ..tensor import Tensor
from . import normalizations, reductions
from .masks import canonical_dims

__all__ = ["MaskedTensor", "as_masked_tensor", "is_masked_tensor", "masked_tensor"]

_SUPPORTED_DTYPES = (float16, float32, float64, bool_, int8, int16, int32, int64)


class MaskedTensor:
    def __init__(self, data, mask, requires_grad=False):
        if not isinstance(data, Tensor):
            raise TypeError("data must be a Tensor")
        if not isinstance(mask, Tensor):
            raise TypeError("mask must be a Tensor")
        if mask.dtype != bool_:
            raise TypeError("mask must have dtype bool.")
        if data.dtype not in _SUPPORTED_DTYPES:
            raise TypeError(f"{data.dtype} is not supported in MaskedTensor.")
        if data.ndim != mask.ndim:
            raise ValueError("data.dim() must equal mask.dim()")
        if tuple(data.shape) != tuple(mask.shape):
            raise ValueError("data.size() must equal mask.size()")
        if requires_grad:
            data.requires_grad_()
        self._data, self._mask = data, mask

    def get_data(self):
        return self._data

    def get_mask(self):
        return self._mask

    def to_tensor(self, value):
        """The data with every masked-out element ``value``."""
        return ops.where(self._mask, self._data, value)

    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    device = property(lambda self: self._data.device)
    ndim = property(lambda self: self._data.ndim)
    requires_grad = property(lambda self: self._data.requires_grad)

    def size(self, dim=None):
        return self._data.size() if dim is None else self._data.size(dim)

    def dim(self):
        return self._data.ndim

    @property
    def grad(self):
        """The data's gradient, under the same mask (PyTorch's gradient of a MaskedTensor is one)."""
        grad = self._data.grad
        return None if grad is None else MaskedTensor(grad, self._mask)

    def backward(self, gradient=None, **kwargs):
        if gradient is not None:
            gradient = gradient.get_data() if isinstance(gradient, MaskedTensor) else gradient
        self._data.backward(gradient, **kwargs)

    def detach(self):
        return MaskedTensor(self._data.detach(), self._mask)

    def __getitem__(self, index):
        return MaskedTensor(self._data[index], self._mask[index])

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        if self._data.ndim == 0:
            masked_in = bool(self._mask.item())
            return f"MaskedTensor({_element(self._data.item()) if masked_in else '--'}, {masked_in})"
        lines = _nested(self._data.tolist(), self._mask.tolist()).split("\n")
        return "MaskedTensor(\n" + "\n".join("  " + line for line in lines) + "\n)"

    __str__ = __repr__


def _element(value):
    return f"{value:8.4f}" if isinstance(value, float) else str(value)


def _nested(values, mask):
    """PyTorch's layout: a row per innermost list, each nesting level indented two more spaces; in a row with a
    masked-out element every ``--`` is padded to 8 characters."""
    if not isinstance(values, list) or not values or not isinstance(values[0], list):
        texts = [_element(v) for v in values]
        width = max((8 if not m else len(t) for t, m in zip(texts, mask)), default=0)
        return "[" + ", ".join(t if m else "--".rjust(width) for t, m in zip(texts, mask)) + "]"
    rows = ["\n".join("  " + line for line in _nested(v, m).split("\n")) for v, m in zip(values, mask)]
    return "[\n" + ",\n".join(rows) + "\n]"


def is_masked_tensor(obj):
    return isinstance(obj, MaskedTensor)


def masked_tensor(data, mask, requires_grad=False):
    """A MaskedTensor of a detached copy of ``data`` (a new leaf, as PyTorch's)."""
    if not isinstance(data, Tensor):
        raise TypeError("data must be a Tensor")
    return MaskedTensor(data.detach().clone(), mask, requires_grad=requires_grad)


def as_masked_tensor(data, mask):
    """A MaskedTensor over ``data`` itself: gradients flow back to ``data``."""
    return MaskedTensor(data, mask)


def _same_mask(mt, other):
    if isinstance(other, MaskedTensor):
        if tuple(other._mask.shape) != tuple(mt._mask.shape) or not ops.equal(other._mask, mt._mask):
            raise ValueError("Input masks must match. If you need support for this, please open an issue on Github.")
        return other._data
    return other


def _unary(function):
    def method(self, *args, **kwargs):
        return MaskedTensor(function(self._data, *args, **kwargs), self._mask)
    return method


def _binary(function, reflected=False):
    def method(self, other):
        other = _same_mask(self, other)
        return MaskedTensor(function(other, self._data) if reflected else function(self._data, other), self._mask)
    return method


for _name in ("abs", "neg", "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "sin", "cos", "tan",
              "sinh", "cosh", "tanh", "asin", "acos", "atan", "sigmoid", "relu", "square", "sign", "floor", "ceil",
              "round", "trunc", "reciprocal", "logical_not", "isnan", "isfinite", "erf", "clamp", "pow"):
    setattr(MaskedTensor, _name, _unary(getattr(ops, _name)))
MaskedTensor.to = _unary(Tensor.to)
MaskedTensor.__neg__, MaskedTensor.__abs__ = MaskedTensor.neg, MaskedTensor.abs
for _name, _function in (("add", ops.add), ("sub", ops.subtract), ("mul", ops.multiply), ("div", ops.divide),
                         ("pow", ops.pow), ("eq", ops.eq), ("ne", ops.ne), ("lt", ops.lt), ("le", ops.le),
                         ("gt", ops.gt), ("ge", ops.ge), ("and", ops.logical_and), ("or", ops.logical_or)):
    setattr(MaskedTensor, f"__{_name}__", _binary(_function))
    if _name in ("add", "sub", "mul", "div", "pow"):
        setattr(MaskedTensor, f"__r{_name}__", _binary(_function, reflected=True))
    if _name not in ("and", "or", "pow"):
        setattr(MaskedTensor, _name, _binary(_function))
MaskedTensor.__truediv__, MaskedTensor.__rtruediv__ = MaskedTensor.__div__, MaskedTensor.__rdiv__
MaskedTensor.subtract, MaskedTensor.multiply, MaskedTensor.divide = MaskedTensor.sub, MaskedTensor.mul, MaskedTensor.div
MaskedTensor.maximum, MaskedTensor.minimum = _binary(ops.maximum), _binary(ops.minimum)
MaskedTensor.__hash__ = object.__hash__  # (__eq__ is elementwise, as a tensor's)


def _reduction(function, dim_position):
    """The masked reduction, masked in where any reduced element was (all of them for ``dim=None``)."""
    def method(self, *args, keepdim=False, **kwargs):
        dim = args[dim_position] if len(args) > dim_position else kwargs.get("dim", None)
        result = function(self, *args, keepdim=keepdim, **kwargs)
        return MaskedTensor(result, ops.any(self._mask, canonical_dims(dim, self.ndim), bool(keepdim)))
    return method


def _normalization(function):
    def method(self, *args, **kwargs):
        return MaskedTensor(function(self, *args, **kwargs), self._mask)
    return method


for _name in ("sum", "prod", "amax", "amin", "argmax", "argmin", "mean", "var", "std"):  # PyTorch's MaskedTensor ones
    setattr(MaskedTensor, _name, _reduction(getattr(reductions, _name), 0))
MaskedTensor.norm = _reduction(reductions.norm, 1)
MaskedTensor.softmax = _normalization(normalizations.softmax)
del _name, _function
