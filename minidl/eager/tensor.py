"""The eager ``Tensor``: an array, and — when it requires grad — the node of the tape that produced it.

Every op call goes through ``_apply``: run the op's forward on the arrays now and, when gradients are being
recorded and some input requires grad, add a ``Node`` to the tape. That function is the hot path of eager mode,
so it is kept short; its cost is a benchmark figure (``benchmarks/``).

The methods that simply call an op (``x.exp()``, ``x.sum(dim)``, ``x + y``, ...) are attached in
``tensor_methods.py``; this file holds what is particular to a tensor: its attributes, autograd, in-place
updates, devices and conversion.
"""
import numbers
import sys
import warnings

import numpy

from .. import ops
from ..backend import (address_of, array_module_on, cuda_is_available, device as _device, device_of, dtypes,
                       get_array_module, is_array, is_writeable, to_device)
from ..ops.base import describe, register_frontend
from ..ops.shape import Reshape
from .element_types import (OF_SCALAR_TYPE as _dtype_of_scalar_type, as_numpy_dtype, dtype as element_type,
                            of as dtype_of)
from .element_types import bfloat16 as element_type_bfloat16, complex32 as element_type_complex32
from .grad_mode import GradMode
from .hooks import RemovableHandle
from .layouts import channels_last, channels_last_3d
from .node import AccumulateGrad, Node, node_class
from .views import (mark_current, record_through_view, refresh_if_stale, refuse_change_of_function_view,
                    share_base, take_history)


class Size(tuple):
    """A tensor's shape: a tuple that prints as PyTorch's ``torch.Size([2, 3])`` does, with minidl's name (as the
    dtypes print: ``minidl.float32``); a slice of it, and it plus a tuple, is a Size again."""

    def __repr__(self):
        return f"minidl.Size({list(self)})"

    def __getitem__(self, index):  # (minidl's own code reads shapes from its arrays: this costs it nothing)
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n


_new = object.__new__


class Tensor:
    """A multi-dimensional array that can record the operations applied to it, for ``backward()``."""

    __slots__ = ("_data", "_node", "_out_index", "_requires_grad", "_grad", "_version_counter", "_accumulator",
                 "_retains_grad", "_base", "_view_of", "_view_version", "__weakref__")
    # numpy defers its operators to ours (``ndarray * tensor`` is ``Tensor.__rmul__``, recorded for autograd) when
    # our priority is higher; a ufunc called on a tensor (``np.exp(t)``) reads it through ``__array__`` — which,
    # like ``numpy()``, refuses a tensor that requires grad — and gives its result back as a tensor
    __array_priority__ = 1000
    __hash__ = object.__hash__  # tensors are dictionary keys by identity, although == is elementwise

    def __new__(cls, *args, requires_grad=False):
        """PyTorch's legacy constructor: ``Tensor(2, 3)`` (sizes), ``Tensor([1, 2])`` (data, as the default float
        dtype) or ``Tensor()``; see ``legacy.py``. ``torch.tensor(data)`` is the modern way."""
        from .legacy import new_tensor
        return new_tensor(args)

    def __init__(self, *args, requires_grad=False):
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, node=None, index=0, requires_grad=False):
        """Wrap an array without copying or checking (internal: ``data`` must already be an ndarray)."""
        t = _new(cls)
        t._data = data
        t._node = node
        t._out_index = index
        t._requires_grad = requires_grad
        t._grad = None
        t._version_counter = None  # made when first needed (see _counter): most tensors never need one
        t._accumulator = None
        t._retains_grad = None  # or, after retain_grad(), the hook that stores .grad
        t._base = None
        t._view_of = None  # (parent, index) for a view made by indexing: see views.record_through_view
        t._view_version = None  # for a view: the version its history describes (views.py)
        return t

    # ---------------------------------------------------------------------------------------- attributes
    @property
    def data(self):
        """A tensor sharing this one's memory but not its history (PyTorch's ``.data``)."""
        return _same_value(Tensor._make(self._data), self)

    @data.setter
    def data(self, value):
        data = value._data if isinstance(value, Tensor) else value
        if self._requires_grad and data.dtype.kind not in "fc":
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        self._data = data

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        return Size(self._data.shape) if dim is None else self._data.shape[self._existing_dim(dim)]

    def _existing_dim(self, dim):
        """``dim`` as an index into the shape (a 0-d tensor has none: unlike a reduction, no dim 0 to pretend)."""
        ndim = self._data.ndim
        if not isinstance(dim, (int, numpy.integer)):
            raise TypeError(f"size(): dim must be an int, got {dim!r} of type {type(dim).__name__}")
        if ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if not -ndim <= dim < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got "
                             f"{dim})")
        return dim

    @property
    def dtype(self):
        """The element type, a ``minidl.eager.dtype`` (``element_types.py``) standing for the array's numpy dtype."""
        return _dtype_of_scalar_type.get(self._data.dtype.type) or dtype_of(self._data.dtype)

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    #: minidl's tensors are all dense and hold their data (code copied from PyTorch's optimizers checks these)
    is_sparse = is_sparse_csr = is_meta = is_quantized = is_nested = False

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    itemsize = property(element_size)

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        """How many elements apart consecutive entries along each dim are in memory (numpy counts bytes)."""
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[self._existing_dim(dim)]

    def is_contiguous(self, memory_format=None):
        """True when the entries lie in memory row after row, with no gaps (what ``view`` needs to reshape
        without copying). With ``memory_format=channels_last`` (a 4-D tensor; ``channels_last_3d``: 5-D): when
        they lie in that order, the channels (dim 1) innermost — minidl makes no such tensor itself, but a permuted
        view can be one."""
        data = self._data
        if memory_format is channels_last or memory_format is channels_last_3d:
            channels_innermost = (0,) + tuple(range(2, data.ndim)) + (1,)
            return data.ndim == (4 if memory_format is channels_last else 5) and \
                bool(data.transpose(channels_innermost).flags.c_contiguous)
        return bool(data.flags.c_contiguous)

    def data_ptr(self):
        """The address of the first element (two tensors sharing memory may have the same one)."""
        return address_of(self._data)

    def storage_offset(self):
        """How many elements into its base's memory this tensor starts (0 for a tensor that owns its memory)."""
        base = self._base
        if base is None:
            return 0
        return (self.data_ptr() - base.data_ptr()) // self._data.itemsize

    def is_floating_point(self):
        return dtypes.is_floating_point(self.dtype)

    def is_complex(self):
        return dtypes.is_complex(self.dtype)

    @property
    def _version(self):
        counter = self._version_counter
        return 0 if counter is None else counter[0]

    def _counter(self):
        """The version counter: a one-element list shared by every tensor that sees this memory (views, detached
        copies), bumped by each in-place change. It is made on first use — when a node saves this tensor, a view
        shares it, or an in-place change bumps it — because an op's output usually needs none, and every object a
        recorded op leaves alive costs time in Python's cycle collector too."""
        counter = self._version_counter
        if counter is None:
            counter = self._version_counter = [0]
        return counter

    # ------------------------------------------------------------------------------------------ autograd
    @property
    def requires_grad(self):
        refresh_if_stale(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        if self._node is not None and not (requires_grad and self._requires_grad):  # (asking again is no change)
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if requires_grad and not dtypes.is_differentiable(self.dtype):
            raise RuntimeError(f"only Tensors of floating point and complex dtype can require gradients "
                               f"(this one is {self.dtype})")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        refresh_if_stale(self)
        return self._node is None

    @property
    def grad_fn(self):
        refresh_if_stale(self)
        return self._node

    def _key(self):
        """This tensor's place in the autodiff graph: ``(node, output_index)``; leaves use their accumulator."""
        refresh_if_stale(self)
        if self._node is not None:
            return (self._node, self._out_index)
        if self._accumulator is None:
            self._accumulator = AccumulateGrad(self)
        return (self._accumulator, 0)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves and add it to their ``.grad``."""
        from .engine import backward
        backward([self], None if gradient is None else [gradient], retain_graph, create_graph, inputs)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after ``backward()`` has added a gradient into this leaf's ``.grad`` (an optimizer
        can step each parameter then, and free its gradient early)."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._node is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        node = self._key()[0]
        if node.post_hooks is None:
            node.post_hooks = {}
        return RemovableHandle.add(node.post_hooks, hook)

    def apply_(self, callable):
        """Replace every entry x by ``callable(x)`` (a Python function of one number; slow, CPU only)."""
        return self.map_(self, lambda x, _: callable(x))

    def map_(self, tensor, callable):
        """Replace every entry x by ``callable(x, y)``, y the entry of ``tensor`` (broadcast) at the same place."""
        if not isinstance(self._data, numpy.ndarray):
            raise TypeError("map_/apply_ are only implemented on CPU tensors")
        if GradMode.local.enabled and self._requires_grad:
            raise RuntimeError("map_/apply_ run Python on the numbers, which autograd cannot record: use them on a "
                               "tensor that does not require grad, or under no_grad()")
        other = numpy.broadcast_to(tensor._data if isinstance(tensor, Tensor) else tensor, self._data.shape)
        for place in numpy.ndindex(self._data.shape):
            self._data[place] = callable(self._data[place].item(), other[place].item())
        self._counter()[0] += 1
        return self

    def register_hook(self, hook):
        """Call ``hook(grad)`` whenever the gradient of this tensor is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node, index = self._key()
        return node.register_tensor_hook(hook, index)

    @property
    def grad(self):
        """The gradient that ``backward()`` accumulated here (leaves, and non-leaves that ``retain_grad()``)."""
        if self._grad is None and self._node is not None and self._retains_grad is None:
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                          "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                          "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
                          "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
                          "instead.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:  # an optimizer would otherwise broadcast a wrong gradient into the parameter
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            for what, mine, theirs in (("type", self.dtype, value.dtype), ("size", self.shape, value.shape),
                                       ("device", self.device, value.device)):
                if mine != theirs:
                    where = "located on a different device" if what == "device" else f"of a different {what}"
                    raise RuntimeError(f"assigned grad has data {where}: the tensor is {describe(self)} on "
                                       f"{self.device}, the grad {describe(value)} on {value.device}")
        self._grad = value

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep theirs)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._node is None or self._retains_grad is not None:
            return
        import weakref
        ref = weakref.ref(self)

        def store(grad):
            t = ref()
            if t is not None:
                t._grad = grad.detach() if t._grad is None else t._grad + grad.detach()
        store.retains_grad = True  # runs after the tensor's other hooks, whenever they were registered
        # (an in-place change moves it to the tensor's new node: views.take_history)
        store.handle = self._node.register_tensor_hook(store, self._out_index)
        self._retains_grad = store

    @property
    def retains_grad(self):
        return self._retains_grad is not None

    def detach(self):
        """Same data, no history. Shares the version counter, so in-place changes are still detected."""
        t = Tensor._make(self._data)
        t._version_counter = self._counter()
        return _same_value(t, self)

    def detach_(self):
        if self._base is not None:  # (the view's history is tied to its base's: it cannot lose it alone)
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._node = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------------------------ in-place updates
    def _inplace(self, fn, *args, one_value=False, **kwargs):
        """Apply ``fn(self, *args)`` out of place, then write the result into this tensor's memory.

        Writing into the existing array keeps memory shared with numpy (``from_numpy``) and with views. The
        version counter is bumped, so a node that saved this tensor's old value refuses to backward with the new
        one; and when the result was recorded, this tensor now stands for the op's output in the graph.

        While recording, ``fn`` sees a stand-in for the old value: the same memory and history, but a version
        counter of its own. When a node saved it (``abs_``, ``clamp_``, ``mul_`` read their input in backward),
        the stand-in gets a copy of the old numbers before they are overwritten — PyTorch's in-place ops keep
        their ``original_self`` the same way; ``relu_``, ``exp_``, ``add_`` need no copy.

        ``one_value``: the result is one number everywhere (``fill_``, ``zero_``), which may be written even into
        memory that several elements share (``_check_writeable``).
        """
        recording = GradMode.local.enabled
        if recording and self._requires_grad and self._node is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if recording:
            refresh_if_stale(self)
            refuse_change_of_function_view(self)
        old = Tensor._make(self._data, self._node, self._out_index, self._requires_grad) if recording else self
        observer = GradMode.observer
        if observer is not None and old is not self:  # a trace must know what the stand-in stands for
            observer.observe_alias(old, self, transient=True)
        result = fn(old, *args, **kwargs)
        if recording and result._requires_grad and result._node is None:
            result = ops.clone(result)  # fn handed back a leaf itself (copy_ of a parameter): link to it
        elif recording and self._requires_grad and not result._requires_grad:
            # overwritten with constants (fill_, zero_, copy_ of data): the tensor — a view too — still requires
            # grad, as in PyTorch, and its old history gets a zero gradient
            result = ops.where(ops.zeros_like(old, dtype=dtypes.bool_), old, result)
        through_view = recording and self._base is not None and (self._base._requires_grad or result._requires_grad)
        if through_view and self._view_version is None:  # taken under no_grad: which history it joins is unclear
            raise RuntimeError(_NO_GRAD_VIEW_CHANGED)
        if result._data.shape != self._data.shape:
            raise _output_shape_error(self._data.shape, result._data.shape)
        if result.dtype != self.dtype:
            if not dtypes.can_cast(result.dtype, self.dtype):
                raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output type "
                                   f"{self.dtype}")
            result = ops.cast(result, self.dtype)
        memory = _check_writeable(self._data, one_value)
        if through_view:
            record_through_view(self, result)
        if old is not self and old._version_counter is not None:  # a node saved the old value: keep it
            old._data = old._data.copy()
        memory[...] = result._data
        self._counter()[0] += 1
        if observer is not None:
            observer.observe_write(self, result)
        if recording and result._requires_grad:
            take_history(self, result)
        elif through_view:  # the view now holds values that depend on nothing that requires grad
            self._node, self._requires_grad = None, False
        if recording and self._base is not None:
            mark_current(self)
        return self

    def __getitem__(self, index):
        index = _torch_index(index)
        view = distinct_view(self, ops.getitem(self, index))  # (x[:] too is a new tensor)
        data = self._data
        if view._base is not None and (data.__class__ is _ndarray and data.flags.writeable or not _overlaps(data)):
            # shares our memory: remember how it was taken, for in-place changes through it (an in-place change
            # of a part of an expand()ed tensor, whose elements share memory, cannot be written back into that
            # tensor as a whole: it goes to the base by the places in memory instead, record_through_view)
            view._view_of = (self, index)
        return view

    def _inplace_ufunc(self, ufunc_name, other):
        """``self = ufunc(self, other)`` computed into this tensor's memory (only when nothing is recorded)."""
        operand = other._data if isinstance(other, Tensor) else other
        if operand.__class__ is _ndarray and operand.dtype is self._data.dtype:  # an optimizer's update: no promotion
            dtype = operand.dtype
        else:
            dtype = dtypes.result_type(self, other)
        if not dtypes.can_cast(dtype, self.dtype):
            raise RuntimeError(f"result type {dtype} can't be cast to the desired output type {self.dtype}")
        memory = _check_writeable(self._data)
        xp = numpy if _modules.get("cupy") is None else get_array_module(self._data, operand)
        if xp is not numpy:
            operand = _on_one_device(ufunc_name, (self, other), (self._data, operand))[1]
        try:
            getattr(xp, ufunc_name)(memory, operand, out=memory, casting="unsafe")
        except ValueError as error:
            try:
                broadcast_shape = numpy.broadcast_shapes(self._data.shape, numpy.shape(operand))
            except ValueError:  # the shapes do not broadcast at all
                raise RuntimeError(f"in-place {ufunc_name} on a tensor of shape {list(self._data.shape)} with "
                                   f"{describe(other)}: {error}") from None
            raise _output_shape_error(self._data.shape, broadcast_shape) from None  # broadcast beyond our shape
        self._counter()[0] += 1
        return self

    def copy_(self, src):
        """Copy ``src`` (broadcast to this shape, cast to this dtype) into this tensor."""
        return self._inplace(_copy_from, src)

    def resize_(self, *sizes, memory_format=None):
        """Give this tensor the shape ``sizes``, in place: its first entries (in memory order) are kept, new ones
        are uninitialized (zeros here). A tensor that requires grad, or a view of another's memory, refuses."""
        shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in shape):
            raise RuntimeError(f"resize_: the sizes must be non-negative integers, got {list(shape)}")
        if self._requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        if self._base is not None:
            raise RuntimeError("resize_: this tensor is a view of another's memory; resize a clone() of it instead")
        flat = self._data.reshape(-1)
        data = get_array_module(flat).zeros(shape, dtype=flat.dtype)
        kept = min(flat.size, data.size)
        data.reshape(-1)[:kept] = flat[:kept]
        self._data = data
        self._counter()[0] += 1
        return self

    def zero_(self):
        return self._inplace(lambda t: ops.zeros_like(t), one_value=True)

    def fill_(self, value):
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                                   f"dimensions ({describe(value)})")
            # broadcast rather than written as a number: a value that requires grad gets the sum of the gradients
            return self._inplace(lambda t: ops.broadcast_to(ops.cast(value, t.dtype), tuple(t.shape)))
        if not isinstance(value, numbers.Number):  # (None became NaN)
            raise TypeError(f"fill_(): argument 'value' must be a number or a 0-d tensor, not {type(value).__name__}")
        return self._inplace(lambda t: ops.full_like(t, value), one_value=True)

    # --------------------------------------------------------------------------------- devices and dtypes
    def to(self, *args, **kwargs):
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(other_tensor)``, or keyword forms; this tensor
        itself when nothing changes, unless ``copy=True``."""
        copy = kwargs.pop("copy", False)
        dev, dtype = parse_to_arguments(args, kwargs)
        result = self
        if dtype is not None:
            result = ops.cast(result, as_numpy_dtype(dtype))
        if dev is not None and dev != result.device:
            result = _to_device(result, dev)
        return ops.clone(result) if copy and result is self else result

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else _device(device if not isinstance(device, int)
                                                               else f"cuda:{device}"))

    def pin_memory(self, device=None):
        """A copy of this CPU tensor in page-locked host memory, which the GPU copies from faster (and, with
        ``to(..., non_blocking=True)``, while the host goes on). As in PyTorch, it needs a GPU."""
        if not cuda_is_available():
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if self.device.type != "cpu":
            raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
        import cupyx
        pinned = cupyx.empty_pinned(self._data.shape, self._data.dtype)
        pinned[...] = self._data
        return Tensor._make(pinned)

    def is_pinned(self):
        """True for a tensor in page-locked host memory (made by ``pin_memory``)."""
        memory = self._data
        while memory is not None and type(memory).__name__ != "PinnedMemoryPointer":  # cupy's pinned buffer
            memory = getattr(memory, "base", None)
        return memory is not None

    def type(self, dtype=None):
        """``x.type()`` is the legacy type name (``'torch.FloatTensor'``); ``x.type(torch.LongTensor)``, a name or
        a dtype converts."""
        from .legacy import converted_by_type, type_name
        return type_name(self.dtype, self.device.type) if dtype is None else converted_by_type(self, dtype)

    def float(self):
        return ops.cast(self, dtypes.float32)

    def double(self):
        return ops.cast(self, dtypes.float64)

    def half(self):
        return ops.cast(self, dtypes.float16)

    def bfloat16(self):
        return self.to(element_type_bfloat16)

    def chalf(self):
        """complex32 (PyTorch's ``ComplexHalf``): refused, as numpy has no such type."""
        return self.to(element_type_complex32)

    def cfloat(self):
        return ops.cast(self, dtypes.complex64)

    def cdouble(self):
        return ops.cast(self, dtypes.complex128)

    def long(self):
        return ops.cast(self, dtypes.int64)

    def int(self):
        return ops.cast(self, dtypes.int32)

    def short(self):
        return ops.cast(self, dtypes.int16)

    def char(self):
        return ops.cast(self, dtypes.int8)

    def byte(self):
        return ops.cast(self, dtypes.uint8)

    def bool(self):
        return ops.cast(self, dtypes.bool_)

    # -------------------------------------------------------------------------------------- conversion
    def numpy(self, force=False):
        """The array itself (shared memory), like PyTorch; refuses a tensor that requires grad."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        if not isinstance(self._data, numpy.ndarray):
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                            "the tensor to host memory first.")
        return self._data

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        return to_device(self._data, _device("cpu")).tolist()

    def __bool__(self):
        if self._data.size != 1:
            many = "more than one value" if self._data.size else "no values"
            raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
        return bool(self._data.item())

    def __float__(self):
        return float(self._real_scalar("double"))

    def __int__(self):
        return int(self._real_scalar("int64_t"))

    def _real_scalar(self, c_type):
        """``item()``, of a complex tensor its real part — which float() and int() take only when the imaginary
        part is 0, as PyTorch does."""
        value = self._python_scalar()
        if isinstance(value, complex):
            if value.imag != 0:
                raise RuntimeError(f"value cannot be converted to type {c_type} without overflow: {value} has an "
                                   f"imaginary part (take .real or .abs() first)")
            value = value.real
        return value

    def __complex__(self):
        return complex(self._python_scalar())

    def _python_scalar(self):
        """``item()`` for float()/int()/complex(), which warn (once, as PyTorch does) when the tensor requires
        grad while gradients are recorded: the number has no history, so a loss computed from it would silently not
        train anything. (Under ``no_grad`` nothing would be recorded anyway: no warning, as in PyTorch.)"""
        if self._requires_grad and GradMode.local.enabled and not _warned["scalar of a tensor that requires grad"]:
            _warned["scalar of a tensor that requires grad"] = True
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                          "Consider using tensor.detach() first.", UserWarning, stacklevel=3)
        if self._data.size != 1:  # (Python's number conversions raise ValueError; item() a RuntimeError)
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __index__(self):
        if self.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __contains__(self, element):
        """``element in x``: whether any element of x equals it (not whether it is one of x's rows)."""
        if not isinstance(element, (Tensor, int, float, bool, complex, numpy.number, numpy.bool_)):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                               f"{type(element)}.")
        return bool(ops.any(ops.eq(self, element)))

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __array_wrap__(self, array, context=None, return_scalar=False):
        return Tensor._make(numpy.asarray(array))

    def __repr__(self):
        from .formatting import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        """A 0-d tensor formats as its number (``f"{loss:.4f}"``); any other takes no format spec, as in PyTorch
        (dropping the spec silently would print something else than asked)."""
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(f"unsupported format string passed to Tensor.__format__ (a tensor of shape "
                            f"{list(self._data.shape)}; format one number, e.g. f\"{{t.item():{spec}}}\")")
        return repr(self)

    def __reduce__(self):
        raise TypeError("minidl tensors are not pickled; use minidl.eager.save / load")

    def __setitem__(self, index, value):
        index = _torch_index(index)
        data = self._data
        if not (data.__class__ is _ndarray and data.flags.writeable) and _overlaps(data) and _selects_a_view(index):
            # PyTorch writes x[index] = v into the view x[index], whose elements may lie apart although x's share
            # memory (x.expand(2, 3)[0] = v); when they do not, the write below refuses
            part = self[index]
            if not _overlaps(part._data):
                part[...] = value
                return
        if GradMode.watch is not None or GradMode.observer is not None or GradMode.local.enabled and (
                self._requires_grad or self._base is not None and self._base._requires_grad or
                getattr(value, "_requires_grad", False)):  # (a trace must see the write)
            self._inplace(lambda t, v: ops.index_put(t, index, v), value)
            return
        # nothing records this write: make it in this tensor's memory, rather than into a copy of the whole tensor
        # that is then copied back (a loop of row writes into a big buffer would copy the buffer twice per row)
        op, operands, attrs = ops.index_put_call(self, index, value)
        arrays = [a._data for a in operands[1:]]
        if _modules.get("cupy") is not None:
            arrays = _on_one_device(op.name, operands, [self._data] + arrays)[1:]
        memory = _check_writeable(data)
        try:
            op.write_into(get_array_module(data), memory, *arrays, **attrs)
        except (ValueError, IndexError, TypeError) as error:
            raise _op_error(op, operands, error) from error
        self._counter()[0] += 1

    def __copy__(self):
        """``copy.copy(x)``: a new leaf over the same memory (as PyTorch's), with x's ``requires_grad``."""
        t = Tensor._make(self._data, None, 0, self._requires_grad)
        t.__class__ = self.__class__
        return t

    def __deepcopy__(self, memo):
        t = Tensor._make(self._data.copy(), None, 0, self._requires_grad)
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = t
        return t


def parse_to_arguments(args, kwargs):
    """The (device, dtype) named by ``to(...)``'s arguments; either may be None (unchanged)."""
    dev, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None), kwargs.pop("copy", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dev, dtype = a.device, a.dtype
        elif isinstance(a, (numpy.dtype, element_type)) or a in (float, int, bool, complex):
            dtype = a
        else:
            dev = a
    return (None if dev is None else _device(dev)), dtype


def _copy_from(target, source):
    """``source`` broadcast to ``target``'s shape and cast to its dtype, as a differentiable expression."""
    if not isinstance(source, Tensor):
        source = Tensor._make(numpy.asarray(source))
    if source.device != target.device:
        source = _to_device(source, target.device)
    try:  # (checked here, so that the message names copy_ rather than the op that broadcasts)
        fits = numpy.broadcast_shapes(tuple(source.shape), tuple(target.shape)) == tuple(target.shape)
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"copy_: the source {describe(source)} cannot be broadcast to the shape "
                           f"{list(target.shape)} of the tensor it is copied into")
    copied = ops.broadcast_to_like(ops.cast(source, target.dtype), target)
    if target._requires_grad and copied._requires_grad:  # the overwritten history gets a zero gradient, as in PyTorch
        return ops.where(ops.zeros_like(target, dtype=dtypes.bool_), target, copied)
    return copied


class ToDevice(ops.Op):
    """Copy to another device; the gradient is copied back to where the input lived."""
    name = "ToCopy"
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, device):
        return to_device(x, device)

    @staticmethod
    def vjp(ctx, g):
        return (_to_device(g, ctx.inputs[0].device),)

    @staticmethod
    def infer(spec, device):
        return spec


def distinct_view(tensor, result):
    """``result`` of a view op on ``tensor``, or, where the op library handed back ``tensor`` itself (a reshape
    to the same shape, ``x[:]``, ``t()`` of a vector, ``transpose(0, 0)``), a new tensor viewing it, as PyTorch's
    view ops always give: setting ``requires_grad`` or ``.data`` on the view must not change the original."""
    return ops.apply(Reshape, tensor, shape=tuple(tensor.shape)) if result is tensor else result


def _same_value(alias, tensor):
    """``alias``, a new tensor object over ``tensor``'s memory (``detach``, ``.data``), made known as such to an
    observer (a trace must know what it holds)."""
    if GradMode.observer is not None:
        GradMode.observer.observe_alias(alias, tensor)
    return alias


def _to_device(t, dev):
    return ops.apply(ToDevice, t, device=dev)


# ------------------------------------------------------------------------------------------ the hot path

_ndarray = numpy.ndarray
_modules = sys.modules


def _apply(op, args, attrs):
    """Run ``op`` on eager tensors now; record it on the tape when a gradient will be needed."""
    observer = GradMode.observer
    if observer is not None and observer.watching():  # a profiler or a trace watches the ops (observers.py)
        return observer.observe_op(op, args, attrs, _apply)
    if GradMode.autocast is not None:
        from .amp import cast_for_autocast
        args = cast_for_autocast(op, args)
    arrays = []
    record = False
    for a in args:
        if a.__class__ is Tensor or isinstance(a, Tensor):
            if a._base is not None:  # a view: its memory may have been changed in place since its history was made
                refresh_if_stale(a)
            arrays.append(a._data)
            if a._requires_grad:
                record = True
        else:
            arrays.append(a)
    xp = numpy if _modules.get("cupy") is None else get_array_module(*arrays)
    if xp is not numpy:
        arrays = _on_one_device(op.name, args, arrays)
    try:
        out = op.forward(xp, *arrays, **attrs)
    except (ValueError, TypeError, IndexError) as error:
        raise _op_error(op, args, error) from error
    if record and op.differentiable_inputs is not None:  # a shape donor requiring grad does not count
        record = False
        for i in op.differentiable_inputs:
            if isinstance(args[i], Tensor) and args[i]._requires_grad:
                record = True
                break
    node = None
    if record:  # some input requires grad
        if GradMode.local.enabled:
            if op.differentiable:
                node = _record(op, args, attrs)
        elif GradMode.watch is not None:  # checkpoint's forward runs untaped: it notes what it reads
            GradMode.watch(args)
    if op.n_outputs == 1:
        if out.__class__ is not _ndarray and xp is numpy and not is_array(out):  # (ToDevice: a cupy array)
            out = numpy.asarray(out)  # numpy returns scalars for 0-d results; a tensor always holds an array
        if out.base is None:  # (_not_an_input, written out: this is the hot path)
            for a in arrays:
                if out is a:
                    out = out.view()
        result = _make_tensor(out, node, 0, node is not None and out.dtype.kind in "fc")
        if out.base is not None:
            share_base(result, args)
        if node is not None:
            if op.saves_outputs:
                node.saved_outputs = (out,)
                node.saved_versions += (_saved_version(result, 0),)
            if GradMode.saved_tensors_hooks is not None:
                pack_saved(node, args, (result,))
        if GradMode.anomaly:
            _check_anomaly(op, arrays, (result,))
        return result
    outs = tuple(_not_an_input(numpy.asarray(o) if xp is numpy else o, arrays) for o in out)
    # outputs that carry no gradient (the indices of max) are not attached to the node, as in PyTorch
    results = tuple(Tensor._make(o, node, i, True) if node is not None and o.dtype.kind in "fc" else Tensor._make(o)
                    for i, o in enumerate(outs))
    for result in results:
        if result._data.base is not None:  # a view (unbind's slices)
            share_base(result, args)
    if node is not None:
        node.saved_outputs = outs
        if op.saves_outputs:
            read = range(len(results)) if op.saves_outputs is True else op.saves_outputs
            node.saved_versions += tuple(_saved_version(results[i], i) for i in read)
        if GradMode.saved_tensors_hooks is not None:
            pack_saved(node, args, results)
    if GradMode.anomaly:
        _check_anomaly(op, arrays, results)
    return results


def _not_an_input(out, arrays):
    """``out``, or a new view of it when the op handed back one of its input arrays unchanged (a squeeze that
    drops no dim, an index already in bounds). That result shares the input's memory, so it must be a view of it,
    as in PyTorch: a new array object, whose ``base`` tells ``share_base`` to link it to the input (otherwise an
    in-place change through either would go unseen by the other's history)."""
    for a in arrays:
        if out is a:
            return out.view()
    return out


def pack_saved(node, args, results):
    """Inside ``autograd.graph.saved_tensors_hooks``: each tensor the node keeps for its VJP — the inputs the VJP
    reads (``Op.inputs_to_save``), the outputs when it reads them (``saves_outputs``) — goes to ``pack``, and the
    node keeps what pack returned; an input's place holds a stand-in with its shape (so its memory can go), an
    output's array stays (the node needs it for the outputs' shapes). Backward hands them to ``unpack``
    (``_unpacked`` in node.py). Which tensors are saved is minidl's choice, as it is PyTorch's."""
    pack, unpack = GradMode.saved_tensors_hooks
    op, packed = node.op, {}
    if op.saves_inputs != ():
        inputs = list(node.inputs)
        for i in op.inputs_to_save(node.needs_input_grad):
            if isinstance(args[i], Tensor):
                packed["input", i] = pack(args[i])
                inputs[i] = _stand_in(args[i])
        node.inputs = tuple(inputs)
    if op.saves_outputs:
        for i in range(len(results)) if op.saves_outputs is True else op.saves_outputs:
            packed["output", i] = pack(results[i])
    if packed:
        node.packed = (unpack, packed)


def _record(op, args, attrs):
    """Create the tape node for ``op(*args)``: its inputs, their graph keys, and versions of what the VJP reads.

    An input whose value the VJP never reads (not in ``op.inputs_to_save``) is kept only as a stand-in with its
    shape, dtype and device (``kept_for_shapes``), so that its memory is freed as soon as nothing else holds it —
    as PyTorch frees it — instead of living on until backward, and a later in-place change of its shape
    (``unsqueeze_``) does not reach the node."""
    grad_inputs = op.differentiable_inputs
    keys, needs = [], []
    for i, a in enumerate(args):
        if (a.__class__ is Tensor or isinstance(a, Tensor)) and a._requires_grad and \
                (grad_inputs is None or i in grad_inputs):
            producer = a._node
            keys.append((producer, a._out_index) if producer is not None else a._key())
            needs.append(True)
        else:
            keys.append(None)
            needs.append(False)
    needs = tuple(needs)
    needs = _interned_needs.setdefault(needs, needs)
    kept = saved = args
    read = op.saves_inputs
    if read is not None or None in keys:
        if read == ():
            saved = ()
        else:
            read = op.inputs_to_save(needs)
            saved = [args[i] for i in read]
        kept = kept_for_shapes(args, read)
    node = node_class(op, attrs)(op, attrs, kept, tuple(keys), needs)
    if saved:
        node.saved_versions = tuple([_saved_version(a, a) for a in saved if isinstance(a, Tensor)])
    return node


def kept_for_shapes(args, read=()):
    """``args`` with a stand-in (``_stand_in``) for each tensor whose index is not in ``read``: what a node keeps of
    the inputs whose values its VJP never reads — their shape, dtype and device as they were when the op ran.

    So their memory is freed as soon as nothing else holds it, as PyTorch frees it, instead of living on until
    backward; and a later in-place change of a tensor's shape (``unsqueeze_``, ``t_``: the tensor object gets a
    new array) does not reach the nodes that read the old one — PyTorch's nodes save the sizes they need. (The
    inputs the VJP reads are kept as they are; their versions, saved by ``_record``, make backward refuse once
    they were changed in place, shape included. A parameter, a subclass, lives on anyway.)"""
    kept, i = args, 0
    for a in args:
        if a.__class__ is Tensor and i not in read:
            if kept is args:
                kept = list(args)
            data = a._data
            stand_in = _stand_ins.get((data.shape, data.dtype)) if data.__class__ is _ndarray else None
            kept[i] = _stand_in(a) if stand_in is None else stand_in  # (found at once: the usual case)
        i += 1
    return args if kept is args else tuple(kept)


def _stand_in(tensor):
    """A tensor with ``tensor``'s shape, dtype and device that holds no memory (one zero, broadcast: read-only),
    for a node input whose VJP reads only its shape. Shared by every node that needs the same one."""
    data = tensor._data
    key = (data.shape, data.dtype) if data.__class__ is _ndarray else (data.shape, data.dtype, str(device_of(data)))
    stand_in = _stand_ins.get(key)
    if stand_in is None:
        if len(_stand_ins) >= 4096:  # shapes that vary without end (sequence lengths) must not grow the cache
            _stand_ins.clear()
        xp, on_its_device = array_module_on(device_of(data))
        with on_its_device:  # (cupy makes arrays on its current device, which may not be this tensor's)
            zero = xp.zeros((), dtype=data.dtype)
        stand_in = _stand_ins[key] = Tensor._make(xp.broadcast_to(zero, data.shape))
    return stand_in


_stand_ins = {}

_NO_GRAD_VIEW_CHANGED = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use "
    "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the "
    "inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if "
    "you want the inplace to be tracked).")

# the warnings PyTorch gives once per process (TORCH_WARN_ONCE): whether each was given
_warned = {"scalar of a tensor that requires grad": False}


# one tuple per pattern of needed gradients ((True, False), ...), shared by the nodes: a node leaves one object
# fewer for the cycle collector to visit
_interned_needs = {}


def _saved_version(tensor, which):
    """``(counter, version now, which)``: what a node checks before its VJP reads ``tensor`` (``which``: the
    input tensor itself, or the output's index, to name it in the error)."""
    counter = tensor._counter()
    return counter, counter[0], which


def _check_writeable(array, one_value=False):
    """The array to write a tensor's new values into: ``array`` itself, or a writeable alias of it.

    Refused, as in PyTorch: a write into memory that several elements share (``_overlaps``: an expand()ed tensor,
    overlapping unfold() windows) — unless ``one_value`` (``fill_``, ``zero_``: every element gets the same
    number, so which write lands last does not matter) — and a write into read-only memory (``from_numpy`` of a
    read-only array).

    numpy marks a broadcast read-only, and every view taken of it, even one whose elements do not overlap
    (``x.expand(2, 3)[0]``, which PyTorch writes into). The write then goes through an alias of the view that
    numpy lets us mark writeable: it does so only where the memory viewed may be written. cupy marks nothing, so
    there the strides alone tell."""
    if array.__class__ is _ndarray and array.flags.writeable:
        return array
    if _overlaps(array) and not one_value:
        raise RuntimeError("unsupported operation: more than one element of this tensor refers to the same "
                           "memory location (an expand()ed tensor, or overlapping unfold() windows); clone() it "
                           "before writing to it in place")
    if is_writeable(array):
        return array
    if array.base is not None:  # a view (an array owning its memory is read-only by choice: from_numpy)
        alias = array.view()
        try:
            alias.flags.writeable = True
            return alias
        except ValueError:  # what it views is read-only
            pass
    raise RuntimeError("this tensor's memory is read-only: it shares it with a numpy array that may not be "
                       "written (from_numpy/as_tensor of a read-only array); make a copy to change, e.g. "
                       "torch.tensor(array) or x.clone()")


def _overlaps(array):
    """True when two elements of ``array`` lie at one address: a dim of size > 1 with stride 0 (``expand``), as
    PyTorch checks, or elements that span fewer bytes than they fill (overlapping ``unfold`` windows)."""
    if array.size < 2:
        return False
    span = array.itemsize
    for n, stride in zip(array.shape, array.strides):
        if n > 1:
            if stride == 0:
                return True
            span += (n - 1) * abs(stride)
    return span < array.size * array.itemsize


def _selects_a_view(index):
    """True for an index made of ints, slices, None and ``...`` only (no index tensor, list or mask): it selects a
    view."""
    items = index if index.__class__ is tuple else (index,)
    return all(item is None or item is Ellipsis or item.__class__ is slice or
               isinstance(item, (int, numpy.integer)) and item.__class__ is not bool for item in items)


def _torch_index(index):
    """``index`` read as PyTorch reads it, for the op library:

    * a 0-d integer tensor is the int it holds (``x[i]`` for ``i`` from ``argmax()`` or from iterating over a
      tensor is a view, and writes through it reach ``x``; the op library would gather, i.e. copy);
    * slices go only forwards (numpy's ``x[::-1]`` is ``x.flip(0)`` there): a negative step is its ValueError.
      (The op library takes any step: TensorFlow's strided slices go backwards too.)"""
    items = index if index.__class__ in (tuple, list) else (index,)  # (a list may be read as a tuple)
    for item in items:
        if item.__class__ is slice and item.step is not None and item.step < 0:
            raise ValueError(f"step must be greater than zero (got the slice {item}); reverse a tensor with flip()")
    if index.__class__ is list or not any(isinstance(item, Tensor) and item.ndim == 0 for item in items):
        return index
    ints = tuple(int(item._data) if isinstance(item, Tensor) and item.ndim == 0 and item.dtype.kind in "iu" else item
                 for item in items)
    return ints if index.__class__ is tuple else ints[0]


def _output_shape_error(shape, broadcast_shape):
    """An in-place op whose result would not fit into the tensor (PyTorch's words)."""
    return RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(broadcast_shape)}")


def _on_one_device(op_name, args, arrays):
    """``arrays`` for an op on the GPU: all on one device, or the error PyTorch gives. A 0-d CPU value (a number,
    a numpy scalar, a 0-d CPU tensor) may meet GPU tensors, as in PyTorch; it travels as a scalar, which cupy
    takes where it refuses a numpy array."""
    on_device, on_gpu, on_cpu = [], [], False
    for a in arrays:
        if isinstance(a, (_ndarray, numpy.generic)):
            if a.ndim:
                on_cpu = True
            else:
                a = a[()]  # a numpy scalar
        elif hasattr(a, "device"):
            on_gpu.append(a)
        on_device.append(a)
    if on_cpu or len(on_gpu) > 1:  # (a lone GPU array beside numbers, the usual case, needs no device lookup)
        devices = {a.device.id for a in on_gpu} | ({-1} if on_cpu else set())
        if len(devices) > 1:
            names = sorted("cpu" if d == -1 else f"cuda:{d}" for d in devices)
            raise RuntimeError(f"{op_name}: expected all tensors to be on the same device, but found at least two "
                               f"devices, {' and '.join(names)} (arguments: "
                               f"{', '.join(describe(a) for a in args)})")
    return on_device


def _op_error(op, args, error):
    """Re-raise an error from deep inside numpy as one that names the op and its arguments."""
    if isinstance(error, ops.OpError):
        return error
    # (only an elementwise op's operands broadcast against each other; indexing arrays and assigned values meet
    # numpy's own, accurate, "shape mismatch: ..." words, which stay)
    reason = _size_mismatch(args) if str(error).startswith("operands could not be broadcast") else None
    message = f"{op.name}: {reason or error} (arguments: {', '.join(describe(a) for a in args)})"
    if isinstance(error, ValueError):
        return ops.OpError(message)
    try:
        return type(error)(message)
    except TypeError:  # a class whose constructor takes more than a message (numpy's _UFuncNoLoopError): its base
        return next(cls for cls in (TypeError, IndexError) if isinstance(error, cls))(message)


def _size_mismatch(args):
    """PyTorch's words for operands that do not broadcast: the first dim, from the right, where two tensors'
    sizes differ and neither is 1."""
    shapes = [tuple(a.shape) for a in args if isinstance(a, Tensor)]
    for first, second in zip(shapes, shapes[1:]):
        for back in range(1, min(len(first), len(second)) + 1):
            m, n = first[-back], second[-back]
            if m != n and 1 not in (m, n):
                return (f"The size of tensor a ({m}) must match the size of tensor b ({n}) at non-singleton "
                        f"dimension {max(len(first), len(second)) - back}")
    return None


def _check_anomaly(op, arrays, results):
    """Under ``detect_anomaly``: warn about an op that turns finite inputs into NaN/Inf (a warning, not an error:
    the program may handle them, as PyTorch lets it)."""
    inputs_finite = all(not (getattr(a, "dtype", None) is not None and a.dtype.kind in "fc")
                        or bool((abs(a) < float("inf")).all()) for a in arrays)
    if inputs_finite:
        for i, r in enumerate(results):
            if r._data.dtype.kind in "fc" and not bool((abs(r._data) < float("inf")).all()):
                warnings.warn(f"Function '{op.name}' returned nan or inf values in its {i}th output (forward)",
                              RuntimeWarning, stacklevel=2)


def _from_array(value, operands):
    """An array met beside a tensor (``t + np.ones(3)``) becomes a tensor of its own dtype, as in PyTorch; lists do
    not (None)."""
    if not isinstance(value, numpy.ndarray):
        return None
    from .creation import as_array
    return Tensor._make(as_array(value))


_make_tensor = Tensor._make  # bound once: the hot path of _apply skips making the bound method per call
register_frontend(Tensor, _apply, convert=_from_array, records=lambda: GradMode.local.enabled)
Node.tensor_class = Tensor
