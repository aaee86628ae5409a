"""Views: tensors that share memory with another tensor, and how their histories stay true to that memory.

A view (``x[0]``, ``x.t()``, ``x.reshape(...)``, ``x.diagonal()``) holds no numbers of its own: its array looks
into the memory of its *base*, the tensor that owns it. Two things follow for autograd.

**Changing a view in place changes its base.** ``x[0].mul_(2)`` must leave ``x`` with a history that says so,
or ``x``'s gradient would describe the values from before. ``record_through_view`` records the change as what it
is, a new value of the base (PyTorch calls the node ``CopySlices``).

**Changing the base — or another view of it — in place changes this view.** After ``a.mul_(2)``, a view
``v = a[0:2]`` taken earlier holds twice its old numbers, but its history still says "a slice of the old
``a``": its gradient would be silently wrong. Every tensor that sees the memory shares one version counter, bumped
by each in-place change; a view remembers the version its history was made at (``_view_version``). When the two
differ and the view is about to be used while gradients are recorded, ``refresh_if_stale`` takes the view's
history afresh from its base's current history: ``view = base.flatten()[places]`` (PyTorch regenerates the view's
``grad_fn`` the same way). A view taken while recording was off (``no_grad``) has no version to compare: it was
never part of a history. Changing it in place while recording is on would have to decide which history it joins,
so that is an error, as in PyTorch (``Tensor._inplace``), unless nothing involved requires grad.

Both read, from memory addresses, where each element of a view lives in its base (``places_in_base``).

**A custom Function's output that shares memory with an input** (the input returned as it is, or a view of it) is
a view whose history is the Function's node, which knows nothing of views. Changing it in place would have to
rewrite the Function's backward, so that is an error, as in PyTorch (``made_by_function``, checked by
``Tensor._inplace``); a module's full backward hooks put such a Function around its outputs.
"""
import weakref

import numpy

from .. import ops
from ..backend import may_share_memory, to_device
from .grad_mode import GradMode


class Part:
    """How a view of another dtype is taken from its parent — ``z.real``, ``z.imag``, ``view_as_real(z)``,
    ``view_as_complex(x)`` — so that ``record_through_view`` can say what an in-place change of it makes of the
    parent (``put``), and ``refresh_if_stale`` can take it again (``take``). Its elements are not elements of the
    parent (halves of them, or pairs), so the places in memory that other views go by do not describe it."""

    def __init__(self, name, take, put):
        self.name, self.take, self.put = name, take, put

    def __repr__(self):
        return f"<view part {self.name}>"


REAL = Part("real", ops.real, lambda parent, value: ops.complex(value, ops.imag(parent)))
IMAG = Part("imag", ops.imag, lambda parent, value: ops.complex(ops.real(parent), value))
AS_REAL = Part("view_as_real", ops.view_as_real, lambda parent, value: ops.view_as_complex(value))
AS_COMPLEX = Part("view_as_complex", ops.view_as_complex, lambda parent, value: ops.view_as_real(value))


def _taking(part):
    def take(input):
        view = part.take(input)
        if view is not input and view._base is not None:   # a view (not a copy): remember how it was taken
            view._view_of = (input, part)
        return view
    take.__name__ = take.__qualname__ = part.name
    take.__doc__ = part.take.__doc__
    return take


#: ``real``, ``imag``, ``view_as_real``, ``view_as_complex`` as eager functions (and ``Tensor.real``/``imag``): the
#: ops, with the view remembering its parent
PART_VIEWS = {part.name: _taking(part) for part in (REAL, IMAG, AS_REAL, AS_COMPLEX)}


def take_history(tensor, source):
    """Make ``tensor`` stand for ``source`` in the graph (its node, output index, requires_grad): what an in-place
    change, which rewrote ``tensor``'s memory, leaves it with. A ``retain_grad()`` moves along, as in PyTorch:
    ``.grad`` is then the gradient of the current value, not of the value it had when retain_grad was called
    (which may have other uses that would add to it)."""
    node, index = source._node, source._out_index
    store = tensor._retains_grad
    if store is not None and node is not None and (node is not tensor._node or index != tensor._out_index):
        store.handle.remove()
        store.handle = node.register_tensor_hook(store, index)
    tensor._node, tensor._out_index, tensor._requires_grad = node, index, source._requires_grad


#: id(output) -> (weak reference to it, Function's name, output index), for the outputs of custom Functions that
#: alias an input (by identity: a tensor's == compares values)
_made_by_functions = {}


def note_function_views(name, inputs, outputs):
    """Remember which of a custom Function's ``outputs`` share memory with one of its ``inputs``."""
    arrays = [a._data for a in inputs if hasattr(a, "_data")]
    for i, output in enumerate(outputs):
        if hasattr(output, "_data") and any(may_share_memory(output._data, a) for a in arrays):
            key = id(output)
            _made_by_functions[key] = (weakref.ref(output, lambda _, key=key: _made_by_functions.pop(key, None)),
                                       name, i)


def refuse_change_of_function_view(tensor):
    """The error for an in-place change of such an output (see the module docstring)."""
    entry = _made_by_functions.get(id(tensor)) if _made_by_functions else None
    if entry is not None and entry[0]() is tensor:
        _, name, i = entry
        raise RuntimeError(f"Output {i} of {name} is a view and is being modified inplace. This view was created "
                           f"inside a custom Function (or because an input was returned as-is) and the autograd "
                           f"logic to handle view+inplace would override the custom backward associated with the "
                           f"custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix "
                           f"this by cloning the output of the custom Function.")


def share_base(view, args):
    """A result that is a view of an input's memory shares that input's version counter (an in-place change
    through either is seen by every node that saved the other) and remembers its base, and the version its
    history belongs to."""
    for a in args:
        if isinstance(a, view.__class__) and may_share_memory(view._data, a._data):
            counter = view._version_counter = a._counter()
            view._base = a._base if a._base is not None else a
            view._view_version = counter[0] if GradMode.local.enabled else None
            return


def is_stale(view):
    """True for a view whose memory was changed in place after its history was made (see the module docstring)."""
    return view._view_version is not None and view._view_version != view._version_counter[0]


def refresh_if_stale(view):
    """Give a stale view (``is_stale``) a history taken from its base's current one, when gradients are recorded;
    any other tensor is left as it is. (``_apply``, the hot path, checks ``_base is not None`` itself before
    calling: most tensors are no views, and the call would cost more than the check.)"""
    if view._base is None or not (GradMode.local.enabled and is_stale(view)):
        return
    base = view._base
    view._view_version = view._version_counter[0]
    if view._view_of is not None and isinstance(view._view_of[1], Part):   # taken again, from its refreshed parent
        parent, part = view._view_of
        refresh_if_stale(parent)
        take_history(view, part.take(parent))
        return
    if view._data.dtype != base._data.dtype:  # a view of a part (z.real.t()): its places in memory mean nothing
        raise RuntimeError("a view of a view of another dtype (z.real.t(), say) is used after its memory was changed "
                           "in place while gradients are recorded; minidl cannot follow it: take it again after the "
                           "change, or clone it")
    if not base._requires_grad:
        if view._requires_grad:  # its history led to a base that has since become a constant
            view._node, view._requires_grad = None, False
        return
    take_history(view, ops.reshape(ops.index_select(ops.reshape(base, (-1,)), 0, places_in_base(view, base)),
                                   tuple(view._data.shape)))
    view._view_of = None  # the indexing that made it is history too: a later in-place change goes through places


def mark_current(view):
    """After an in-place change of ``view`` that was recorded (``Tensor._inplace``): its history, and that of the
    indexing parents ``record_through_view`` rewrote, now describe the memory again."""
    while view is not None:
        if view._view_version is not None:
            view._view_version = view._version_counter[0]
        view = view._view_of[0] if view._view_of is not None else None


def record_through_view(view, value):
    """Record an in-place change of ``view`` (about to hold ``value``) as what it is: a change of the tensor whose
    memory it shares, so the gradient reaches the base's earlier history and ``value``'s.

    Each level of indexing, from the view up, becomes ``parent = index_put(parent, index, new value of the
    child)``. A view made another way (``reshape``, ``transpose``, ``diagonal``, ...) knows no index, but its
    memory says where each of its elements lives in its base: the base's new value is the old one with the
    view's new values written at those places."""
    chain, child = [], view
    while child._view_of is not None:
        parent, index = child._view_of
        if parent._requires_grad and parent._node is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        chain.append((parent, index))
        child = parent
    base = child._base
    if base is not None and base._requires_grad and base._node is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if base is not None and child._data.dtype != base._data.dtype:
        raise RuntimeError("an in-place change of a view of a view of another dtype (z.real.t(), say) while "
                           "gradients are recorded: minidl cannot follow it; change z.real itself, or a clone")
    for parent, index in chain:
        # out of place: reads the parent's values before the change
        value = index.put(parent, value) if isinstance(index, Part) else ops.index_put(parent, index, value)
        take_history(parent, value)
    if base is not None:
        value = ops.reshape_like(ops.index_put(ops.reshape(base, (-1,)), (places_in_base(child, base),),
                                               ops.reshape(value, (-1,))), base)
        take_history(base, value)


def places_in_base(view, base):
    """For each element of ``view`` (in its own order, flattened), its index in ``base`` flattened (C order), as an
    int64 tensor.

    Read off memory: write the base's flat indices into a scratch buffer laid out exactly as the base's elements
    lie in memory (whatever its strides: transposed, negative, with gaps), then read that buffer through the view's
    own offset and strides."""
    b, v = base._data, view._data
    itemsize = b.itemsize
    in_elements = lambda strides: tuple(s // itemsize * 8 for s in strides)  # byte strides over int64 scratch
    lowest = sum((n - 1) * s for n, s in zip(b.shape, b.strides) if s < 0) // itemsize
    highest = sum((n - 1) * s for n, s in zip(b.shape, b.strides) if s > 0) // itemsize
    memory = numpy.zeros(highest - lowest + 1, dtype=numpy.int64)
    first = -lowest  # where the base's first element lies in the scratch buffer
    as_strided = numpy.lib.stride_tricks.as_strided
    as_strided(memory[first:], b.shape, in_elements(b.strides))[...] = numpy.arange(b.size).reshape(b.shape)
    offset = (view.data_ptr() - base.data_ptr()) // itemsize
    places = as_strided(memory[first + offset:], v.shape, in_elements(v.strides))
    return view.__class__._make(to_device(places.reshape(-1), base.device))
