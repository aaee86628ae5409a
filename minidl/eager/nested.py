"""``torch.nested`` with the strided layout: a batch of tensors of one rank whose shapes differ (sentences of
different lengths), kept as the list of its component tensors.

A ``NestedTensor`` is not a dense ``Tensor``: it holds minidl tensors, and every operation on it is that operation
on each component, so the tape records the per-component ops and gradients reach the components with no VJP of
their own. Dim 0 is the component index; ``size(d)`` of another dim exists only where all components agree.

What PyTorch 2.13 runs on such a tensor runs here: the elementwise ops ``relu``, ``tanh``, ``neg``, ``abs``,
``sqrt``, ``sin``, ``cos``, ``gelu``, ``silu``, ``logical_not``, ``isnan``, ``dropout``; ``add``/``sub``/``mul``/
``div`` with a nested tensor of the same structure or a number (or 0-dim tensor); ``matmul``/``bmm`` of two nested
tensors; ``softmax`` over a dim other than 0; ``F.linear``; ``sum`` over the last dim with ``keepdim=True``;
``transpose`` of two non-batch dims; ``unbind``; ``to_padded_tensor``. Any other op met with a nested tensor
(``exp``, ``sigmoid``, ``log_softmax``, ...) is refused by name, as PyTorch refuses it.
"""
import functools
import inspect
import numbers

from .. import ops
from ..ops.base import OpError, register_frontend
from .creation import full, tensor
from .element_types import get_default_dtype
from .layouts import strided
from .tensor import Tensor

__all__ = ["as_nested_tensor", "narrow", "nested_tensor", "to_padded_tensor"]

# the op classes PyTorch's strided nested tensors run elementwise, by minidl name -> PyTorch's name
_ELEMENTWISE = {"Relu": "relu", "Tanh": "tanh", "Neg": "neg", "Abs": "abs", "Sqrt": "sqrt", "Sin": "sin",
                "Cos": "cos", "Gelu": "gelu", "LogicalNot": "logical_not", "IsNan": "isnan",
                "Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div"}


class NestedTensor:
    """A nested tensor of ``components`` (minidl tensors of one rank, one dtype and one device)."""

    def __init__(self, components):
        self._components = tuple(components)

    is_nested = True
    is_sparse = False
    layout = strided

    dtype = property(lambda self: self._components[0].dtype if self._components else get_default_dtype())
    device = property(lambda self: self._components[0].device if self._components else tensor(0.0).device)
    requires_grad = property(lambda self: any(c.requires_grad for c in self._components))
    is_leaf = property(lambda self: all(c.is_leaf for c in self._components))
    ndim = property(lambda self: self.dim())

    def dim(self):
        return 1 + (self._components[0].ndim if self._components else 0)

    def size(self, dim=None):
        """``size(0)``: the number of components; ``size(d)``: the components' common size along ``d - 1``."""
        if dim is None:  # (a RuntimeError, as PyTorch's; NotImplementedError, as its refusals of dense ops)
            raise NotImplementedError("NestedTensor doesn't support sizes: its components' shapes differ; ask "
                                      "size(dim) of one dim, or unbind() it into its components")
        dim = _dim(self, dim)
        if dim == 0:
            return len(self._components)
        sizes = {c.shape[dim - 1] for c in self._components}
        if len(sizes) != 1:
            raise RuntimeError(f"Given dimension {dim} is irregular and does not have a size.")
        return sizes.pop()

    shape = property(lambda self: self.size())

    def __len__(self):
        return self.size(0)

    def numel(self):
        return sum(c.numel() for c in self._components)

    def unbind(self, dim=0):
        """The component tensors themselves (PyTorch's are views of its buffer): gradients through them reach
        this nested tensor's ``.grad``."""
        if _dim(self, dim) != 0:
            raise RuntimeError(f"NestedTensor can only be unbound along dimension 0 got dimension {dim} instead.")
        return self._components

    def __getitem__(self, index):
        if isinstance(index, tuple) and index and isinstance(index[0], numbers.Integral):
            return self._components[index[0]][index[1:]]
        if isinstance(index, numbers.Integral):
            return self._components[index]
        raise NotImplementedError(f"nested tensor indexing: only an integer index of dim 0 (a component, then "
                                  f"indices into it) is supported, got {index!r}")

    @property
    def grad(self):
        """The components' gradients as a nested tensor (zeros for a component that got none), or None."""
        grads = [c.grad for c in self._components]
        if all(g is None for g in grads):
            return None
        return NestedTensor(ops.zeros_like(c) if g is None else g for c, g in zip(self._components, grads))

    def requires_grad_(self, requires_grad=True):
        for c in self._components:
            c.requires_grad_(requires_grad)
        return self

    def detach(self):
        return NestedTensor(c.detach() for c in self._components)

    def clone(self):
        return NestedTensor(c.clone() for c in self._components)

    def contiguous(self):
        return NestedTensor(c.contiguous() for c in self._components)

    def to_padded_tensor(self, padding, output_size=None):
        return to_padded_tensor(self, padding, output_size)

    def __repr__(self):
        # each component as PyTorch prints it: without a grad_fn of its own, requires_grad where the whole does
        texts = [repr(c.detach().requires_grad_(self.requires_grad)) for c in self._components]
        body = ",\n".join("\n".join("  " + line for line in text.split("\n")) for text in texts)
        suffix = ""
        if self.requires_grad:
            first = self._components[0].grad_fn
            suffix = ", requires_grad=True" if first is None else f", grad_fn=<{first.name()}>"
        return f"nested_tensor([\n{body}\n]{suffix})"

    __str__ = __repr__

    # elementwise ops and operators: the op functions, which reach ``_apply_per_component`` through the op
    # library's dispatch
    relu, tanh, neg, abs, sqrt, sin, cos = ops.relu, ops.tanh, ops.neg, ops.abs, ops.sqrt, ops.sin, ops.cos
    logical_not, isnan = ops.logical_not, ops.isnan
    add, sub, mul, div = ops.add, ops.sub, ops.mul, ops.div
    __neg__, __abs__ = neg, abs
    __add__, __sub__, __mul__, __truediv__, __pow__ = add, sub, mul, div, ops.pow
    __radd__, __rmul__ = add, mul

    def __rsub__(self, other):  # PyTorch has no rsub or reciprocal for nested tensors
        raise NotImplementedError("rsub (number - nested tensor) is not supported on nested tensors, as in PyTorch")

    def __rtruediv__(self, other):
        raise NotImplementedError("reciprocal (number / nested tensor) is not supported on nested tensors, as in "
                                  "PyTorch")

    def matmul(self, other):
        return _matmul("matmul", self, other)

    def bmm(self, mat2):
        return _matmul("bmm", self, mat2)

    __matmul__ = matmul

    def softmax(self, dim, dtype=None):
        dim = _dim(self, dim)
        if dim == 0:
            raise RuntimeError("Cannot apply softmax across nested dimension 0")
        return NestedTensor(ops.softmax(c, dim - 1, dtype) for c in self._components)

    def sum(self, dim=None, keepdim=False, dtype=None):
        if dim is None:
            raise NotImplementedError("sum of a whole nested tensor is not supported (as in PyTorch): sum over the "
                                      "last dim with keepdim=True, or unbind() it")
        dims = [_dim(self, d) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))]
        if dims != [self.dim() - 1]:
            raise RuntimeError(f"NestedTensor can only be reduced across the last dimension for now got dimension "
                               f"{next((d for d in dims if d != self.dim() - 1), dims[0])} instead.")
        if not keepdim:
            raise RuntimeError("NestedTensor always requires keepdim=True for now.")
        return NestedTensor(ops.sum(c, -1, True, dtype) for c in self._components)

    def transpose(self, dim0, dim1):
        dim0, dim1 = _dim(self, dim0), _dim(self, dim1)
        if 0 in (dim0, dim1):
            raise RuntimeError("Nested tensor dimension 0 cannot be transposed")
        return NestedTensor(ops.transpose(c, dim0 - 1, dim1 - 1) for c in self._components)

    def narrow(self, dim, start, length):
        return narrow(self, dim, start, length)

    def __getattr__(self, name):
        if hasattr(Tensor, name):
            raise NotImplementedError(f"{name} is not supported on nested tensors (torch.nested, strided layout, "
                                      f"as in PyTorch); unbind() gives the components, to_padded_tensor a dense "
                                      f"tensor")
        raise AttributeError(f"'NestedTensor' object has no attribute '{name}'")


def _dim(nt, dim):
    n = nt.dim()
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def _component_arguments(name, args):
    """``args`` once per component: a nested tensor's own component, anything else (a number, a 0-dim tensor)
    as it is. Nested operands must have one structure: the same number of components, of the same shapes."""
    nested = [a for a in args if isinstance(a, NestedTensor)]
    shapes = [tuple(c.shape) for c in nested[0]._components]
    if any([tuple(c.shape) for c in other._components] != shapes for other in nested[1:]):
        raise RuntimeError(f"{name} does not support broadcasting when given a NestedTensor")
    if any(isinstance(a, Tensor) and a.ndim > 0 for a in args):
        raise RuntimeError(f"{name}: expected both operands to be nested (or a number or a 0-dim tensor), but got "
                           f"a nested tensor and a dense one")
    return [[a._components[i] if isinstance(a, NestedTensor) else a for a in args] for i in range(len(shapes))]


def _apply_per_component(op, args, attrs):
    """The op library's dispatch for an op met with a nested tensor: the op on each component, where PyTorch
    runs it on nested tensors, else an error naming it."""
    name = _ELEMENTWISE.get(op.name)
    if name is None:
        raise NotImplementedError(f"{op.name}: not supported on nested tensors (torch.nested, strided layout), as "
                                  f"in PyTorch; unbind() gives the component tensors, to_padded_tensor a dense one")
    return NestedTensor(ops.apply(op, *each, **attrs) for each in _component_arguments(name, args))


register_frontend(NestedTensor, _apply_per_component)


def _matmul(name, a, b):
    if not (isinstance(a, NestedTensor) and isinstance(b, NestedTensor)):
        raise RuntimeError(f"{name}: expected both operands to be nested, got {type(a).__name__} and "
                           f"{type(b).__name__}")
    if name == "bmm" and (a.dim(), b.dim()) != (3, 3):
        raise RuntimeError(f"bmm: batch1 and batch2 must be 3D nested tensors, got {a.dim()}D and {b.dim()}D")
    if len(a) != len(b):
        raise RuntimeError(f"{name}: expected nested tensors with the same number of components, got {len(a)} and "
                           f"{len(b)}")
    return NestedTensor(ops.matmul(x, y) for x, y in zip(a._components, b._components))


def _linear(input, weight, bias=None):
    last = input._components[0].shape[-1] if input._components else weight.shape[-1]
    if weight.ndim != 2 or last != weight.shape[1]:
        raise RuntimeError(f"linear: Shape mismatch for NestedTensor Linear: expected the input's last dim to equal "
                           f"weight.size(1), got last dim {last} and weight of shape {list(weight.shape)}")
    return NestedTensor(ops.linear(c, weight, bias) for c in input._components)


def _function(name):
    return lambda input, *args, **kwargs: getattr(input, name)(*args, **kwargs)


# top-level and torch.nn.functional functions that take a nested tensor as their first operand
_FUNCTIONS = {"matmul": _function("matmul"), "bmm": _function("bmm"), "softmax": _function("softmax"),
              "sum": _function("sum"), "transpose": _function("transpose"), "linear": _linear}
_PER_COMPONENT = ("silu", "dropout")  # functions of more than one op (whose inner ops PyTorch may refuse alone)


def nested_aware_functions(namespace):
    """``namespace``'s functions named in ``_FUNCTIONS``, each now also taking a nested tensor first (for
    ``minidl.eager`` and ``nn.functional``)."""
    def either(dense_fn, nested_fn):
        # a function that warns at its caller's line (F.softmax's ``_stacklevel``) is one frame deeper behind this
        # wrapper: its default is raised by one when the caller leaves it out
        parameters = inspect.signature(dense_fn).parameters
        stacklevel = parameters.get("_stacklevel")
        position = list(parameters).index("_stacklevel") if stacklevel else None

        @functools.wraps(dense_fn)
        def function(*args, **kwargs):
            first = args[0] if args else kwargs.get("input")
            if isinstance(first, NestedTensor):
                return nested_fn(*args, **kwargs)
            if stacklevel and len(args) <= position and "_stacklevel" not in kwargs:
                kwargs["_stacklevel"] = stacklevel.default + 1
            return dense_fn(*args, **kwargs)
        return function
    def per_component(dense_fn):
        return lambda input, *args, **kwargs: NestedTensor(dense_fn(c, *args, **kwargs) for c in input._components)
    functions = dict(_FUNCTIONS, **{name: per_component(namespace[name]) for name in _PER_COMPONENT
                                    if name in namespace})
    return {name: either(namespace[name], fn) for name, fn in functions.items() if name in namespace}


def _check_layout(fn_name, layout):
    if layout is not None and layout is not strided:
        if str(layout).endswith("jagged"):
            raise NotImplementedError(f"{fn_name}: only the strided layout of nested tensors is implemented")
        raise RuntimeError(f"Specified layout is unsupported for nested tensors: {layout}")


def _checked(components):
    for i, c in enumerate(components):
        if c.ndim != components[0].ndim:
            raise RuntimeError(f"All Tensors given to nested_tensor must have the same dimension. Found dimension "
                               f"{c.ndim} for Tensor at index {i} and dimension {components[0].ndim} for Tensor at "
                               f"index 0.")
    return NestedTensor(components)


def nested_tensor(tensor_list, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf nested tensor of copies of ``tensor_list`` (tensors, or nested lists of numbers), in the first
    one's dtype unless ``dtype`` is given."""
    _check_layout("nested_tensor", layout)
    if not isinstance(tensor_list, list):
        raise TypeError("Only lists (List[Tensor] and List[List...[Scalar]]) are accepted in nested_tensor")
    components = [t.detach().clone() if isinstance(t, Tensor) else tensor(t) for t in tensor_list]
    if components:
        dtype = dtype or components[0].dtype
        components = [c.to(dtype=dtype, device=device) for c in components]
    return _checked([c.requires_grad_(requires_grad) for c in components])


def as_nested_tensor(ts, dtype=None, device=None, layout=None):
    """A nested tensor of copies of ``ts`` (a list or tuple of tensors, or a tensor's slices along dim 0) that
    gradients flow back through; a nested tensor of ``dtype`` and ``device`` already is returned itself."""
    _check_layout("as_nested_tensor", layout)
    if isinstance(ts, NestedTensor):
        if dtype in (None, ts.dtype) and device in (None, ts.device):
            return ts
        return NestedTensor(c.to(dtype=dtype, device=device) for c in ts._components)
    if isinstance(ts, Tensor):
        if ts.ndim < 2:
            raise RuntimeError(f"as_nested_tensor(): Expected tensor argument to have dim() > 1, got {ts.ndim}")
        ts = ts.unbind(0)
    if not isinstance(ts, (list, tuple)) or not all(isinstance(t, Tensor) for t in ts):
        raise TypeError("as_nested_tensor(): Expected first argument to be a tensor or a list / tuple of tensors")
    dtype = dtype or (ts[0].dtype if ts else None)
    return _checked([t.to(dtype=dtype, device=device).clone() for t in ts])


def to_padded_tensor(input, padding, output_size=None):
    """The dense tensor of ``input``'s components padded with ``padding`` at the end of each dim to a common
    shape — the largest of each dim, or ``output_size`` — and stacked along dim 0 (differentiable)."""
    if not isinstance(input, NestedTensor):
        raise TypeError(f"to_padded_tensor: expected a nested tensor, got {type(input).__name__}")
    shapes = [tuple(c.shape) for c in input._components]
    largest = (len(shapes),) + tuple(max(sizes) for sizes in zip(*shapes))
    size = largest if output_size is None else tuple(output_size)
    if len(size) != len(largest):
        raise RuntimeError(f"Length of output_size does not match NestedTensor dims. Broadcasting is not supported "
                           f"(output_size {list(size)}, a {input.dim()}-D nested tensor).")
    if any(s < m for s, m in zip(size, largest)):
        raise RuntimeError(f"Value in output_size is less than NestedTensor padded size. Truncation is not "
                           f"supported (output_size {list(size)}, padded size {list(largest)}).")
    rows = [ops.pad(c, [p for s, n in zip(reversed(size[1:]), reversed(c.shape)) for p in (0, s - n)],
                    value=padding) for c in input._components]
    rows += [full(size[1:], padding, dtype=input.dtype, device=input.device)] * (size[0] - len(rows))
    if not rows:
        return full(size, padding, dtype=input.dtype, device=input.device)
    return ops.stack(rows)


def narrow(tensor, dim, start, length, layout=strided):
    """Components ``start`` to ``start + length`` (only dim 0 narrows a strided nested tensor)."""
    _check_layout("narrow", layout)
    if _dim(tensor, dim) != 0:
        raise RuntimeError(f"narrow(): only dim=0 supported for nested tensors, but got: {dim}")
    if not 0 <= start <= start + length <= len(tensor):
        raise OpError(f"narrow: start ({start}) + length ({length}) exceeds the {len(tensor)} components")
    return NestedTensor(tensor._components[start:start + length])
