"""Layouts and memory formats: ``torch.strided``, ``torch.contiguous_format``, ... and the arguments that name them.

A PyTorch tensor's *layout* says how its elements are stored: ``strided`` (dense, each element a fixed number of
steps from the next along every dim: what numpy and cupy arrays are) or one of the sparse formats. Its *memory
format* says in which order a dense tensor's dims lie in memory: ``contiguous_format`` (row after row, numpy's C
order), ``channels_last`` (an image's channels innermost: NHWC in memory for an NCHW shape), or, as an argument,
``preserve_format`` (keep the order the source tensor has).

minidl's factory functions make strided tensors: they accept ``layout=torch.strided`` and refuse the sparse
layouts (sparse COO tensors come from ``sparse_coo_tensor`` and ``x.to_sparse()``: ``sparse_coo_tensors.py``;
sparse CSR / CSC ones from ``sparse_csr_tensor`` / ``sparse_csc_tensor`` and ``x.to_sparse_csr()`` /
``x.to_sparse_csc()``: ``sparse_csr_tensors.py``);
minidl makes new tensors in row-major order, so ``contiguous_format`` and ``preserve_format`` are accepted
wherever PyTorch takes them, and ``channels_last`` is refused (the values would be the same, only the order in
memory differs: leave the argument out). ``pin_memory=True`` asks PyTorch for page-locked host memory,
which makes copies to the GPU faster; minidl's host memory is numpy's, which cupy copies from as it is, so the
flag changes nothing.

The Tensor methods that take a memory format (``clone``, ``contiguous``, and the conversions ``to``, ``float``,
``cpu`` ...) are here too; ``tensor_methods.py`` attaches them.
"""
from .. import ops


class layout:
    """How a tensor's elements are stored (``torch.layout``); compare with ``torch.strided``."""
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):  # pickled by name, so a loaded one is the same object
        return self._name


class memory_format:
    """The order of a dense tensor's dims in memory (``torch.memory_format``)."""
    __slots__ = ("_name",)

    __init__, __repr__, __reduce__ = layout.__init__, layout.__repr__, layout.__reduce__


strided = layout("strided")
sparse_coo, sparse_csr, sparse_csc = layout("sparse_coo"), layout("sparse_csr"), layout("sparse_csc")
sparse_bsr, sparse_bsc = layout("sparse_bsr"), layout("sparse_bsc")

contiguous_format, preserve_format = memory_format("contiguous_format"), memory_format("preserve_format")
channels_last, channels_last_3d = memory_format("channels_last"), memory_format("channels_last_3d")


def check_layout(fn_name, value):
    """``layout=`` of a factory function: None or ``strided``."""
    if value is None or value is strided:
        return
    if not isinstance(value, layout):
        raise TypeError(f"{fn_name}(): argument 'layout' must be torch.layout, not {type(value).__name__}")
    raise NotImplementedError(f"{fn_name}(): layout={value} is not supported: minidl tensors are dense arrays "
                              "(layout=torch.strided)")


def check_memory_format(fn_name, value, preserve=True):
    """``memory_format=``: None, ``contiguous_format``, or ``preserve_format`` where the function takes it (it
    keeps a source tensor's order, so functions without a source, and ``contiguous``, refuse it as PyTorch
    does)."""
    if value is None or value is contiguous_format or (preserve and value is preserve_format):
        return
    if not isinstance(value, memory_format):
        raise TypeError(f"{fn_name}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(value).__name__}")
    if value is preserve_format:
        raise RuntimeError(f"{fn_name}(): preserve memory format is unsupported by the {fn_name} operator; use "
                           "torch.contiguous_format")
    raise NotImplementedError(f"{fn_name}(): memory_format={value} is not supported: minidl keeps tensors in "
                              "row-major order (torch.contiguous_format). The values are the same in either order; "
                              "leave out memory_format")


def check_pin_memory(fn_name, value):
    """``pin_memory=``: a bool. Accepted either way (see the module docstring: there is nothing to pin)."""
    if not isinstance(value, bool):
        raise TypeError(f"{fn_name}(): argument 'pin_memory' must be bool, not {type(value).__name__}")


def check_factory_options(fn_name, layout=None, pin_memory=False, memory_format=None, preserve=False):
    """The keyword arguments every PyTorch factory function takes besides dtype and device."""
    check_layout(fn_name, layout)
    check_pin_memory(fn_name, pin_memory)
    check_memory_format(fn_name, memory_format, preserve)


# ------------------------------------------------------------------------------- Tensor methods

def clone(input, memory_format=None):
    """A copy with its own memory that stays in the graph (gradients flow back to the original). The copy is
    laid out row after row, whether ``memory_format`` is ``contiguous_format`` or ``preserve_format``. Both
    ``x.clone()`` and ``torch.clone(x)``."""
    check_memory_format("clone", memory_format)
    return ops.clone(input)


def contiguous(self, memory_format=None):
    """This tensor if its entries lie row after row in memory, else a copy that does (gradients pass through).
    ``preserve_format`` is refused, as in PyTorch, unless there is nothing to do."""
    contiguous_already = self._data.flags.c_contiguous
    check_memory_format("contiguous", memory_format, preserve=contiguous_already)
    return self if contiguous_already else ops.clone(self)


def accepting_memory_format(method):
    """A conversion method (``to``, ``float``, ``cpu`` ...) that also takes ``memory_format=``: with
    ``contiguous_format`` a converted result is made contiguous; an unconverted tensor comes back as it is, as in
    PyTorch."""
    def converting(self, *args, memory_format=None, **kwargs):
        check_memory_format(method.__name__, memory_format)
        result = method(self, *args, **kwargs)
        return contiguous(result) if memory_format is contiguous_format and result is not self else result
    converting.__name__, converting.__doc__ = method.__name__, method.__doc__
    return converting


CONVERSIONS = ["to", "cpu", "cuda", "float", "double", "half", "cfloat", "cdouble", "long", "int", "short", "char",
               "byte", "bool"]
