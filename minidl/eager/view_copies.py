"""PyTorch's ``*_copy`` functions (``torch.permute_copy``, ``torch.narrow_copy`` ...) and ``unsafe_*`` splits.

A view op (``permute``, ``narrow``, ``split`` ...) returns tensors that share the input's memory; its ``_copy``
twin returns the same values in new memory of their own (``clone`` of the view), so writing into the result
never touches the input. The gradient is the view op's: ``clone`` passes it straight through.

``unsafe_split`` and friends are PyTorch's splits without the bookkeeping that lets autograd see in-place changes
of the pieces; minidl's views keep that bookkeeping cheaply, so they are the ordinary ``split``, ``chunk`` and
``split_with_sizes``.
"""
from .. import ops
from .aliases import split_with_sizes
from .tensor import Tensor


def slice_along(input, dim=0, start=None, end=None, step=1):
    """``input[..., start:end:step, ...]`` along ``dim`` (PyTorch's ``aten::slice``: ends past the dim are
    clamped to it, as Python's slices are)."""
    if step <= 0:
        raise ValueError(f"slice: slice step must be positive, got {step}")
    dim = dim + input.ndim if dim < 0 else dim
    return ops.getitem(input, (slice(None),) * dim + (slice(start, end, step),))


def alias(input):
    """A view of all of ``input``."""
    return input.view(tuple(input.shape))


#: ``torch.<name>_copy`` -> the view function it copies (taking ``input`` first, with PyTorch's arguments)
VIEWS = {
    "view": lambda input, size: input.view(size),
    "permute": ops.permute, "transpose": ops.transpose, "t": ops.t,
    "expand": lambda input, size, *, implicit=False: input.expand(size),
    "squeeze": ops.squeeze, "unsqueeze": ops.unsqueeze, "select": ops.select, "slice": slice_along,
    "diagonal": ops.diagonal, "detach": Tensor.detach, "alias": alias, "unbind": ops.unbind, "split": ops.split,
    "split_with_sizes": split_with_sizes, "narrow": ops.narrow,
    "unfold": lambda input, dimension, size, step: input.unfold(dimension, size, step),
    "view_as_real": ops.view_as_real, "view_as_complex": ops.view_as_complex,
    "as_strided": lambda input, size, stride, storage_offset=None: input.as_strided(size, stride, storage_offset),
}


def _copying(view_name, view):
    def copy(input, *args, **kwargs):
        result = view(input, *args, **kwargs)
        return tuple(ops.clone(t) for t in result) if isinstance(result, (tuple, list)) else ops.clone(result)
    copy.__name__ = copy.__qualname__ = f"{view_name}_copy"
    copy.__doc__ = f"``{view_name}`` in new memory: the same values and gradient, not a view of ``input``."
    return copy


#: ``{"permute_copy": ..., ...}``: a ``_copy`` function for every view in ``VIEWS``
COPIES = {f"{name}_copy": _copying(name, view) for name, view in VIEWS.items()}


#: PyTorch's splits that skip view tracking: here the ordinary ones
UNSAFE_SPLITS = {"unsafe_chunk": ops.chunk, "unsafe_split": ops.split, "unsafe_split_with_sizes": split_with_sizes}
