"""The tape: one ``Node`` per recorded op call (what PyTorch shows as ``grad_fn``), and ``AccumulateGrad`` leaves.

A node keeps what its op's VJP may read — the input tensors, and the output arrays when the op asks for them —
plus, for each input, the key ``(producer_node, output_index)`` that input had *when the op ran* (the autodiff walk
follows these keys). A node is also the ``ctx`` its VJP receives: ``ctx.inputs``, ``ctx.outputs``, ``ctx.attrs``,
``ctx.needs_input_grad``.
"""
import traceback
import weakref
from collections import namedtuple

from ..ops.base import describe
from .grad_mode import GradMode
from .hooks import RemovableHandle, run_gradient_hooks, run_node_hooks


#: a place where a gradient arrives: output ``output_nr`` of ``node`` (``autograd.graph.get_gradient_edge``)
GradientEdge = namedtuple("GradientEdge", ["node", "output_nr"])


class Node:
    __slots__ = ("op", "attrs", "inputs", "input_keys", "needs_input_grad", "n_outputs", "saved_versions", "packed",
                 "saved_outputs", "hooks", "node_hooks", "creation_trace", "__weakref__")
    #: the tensor class that ``outputs`` wraps arrays in; set by ``tensor.py``, which imports this module
    tensor_class = None

    def __init__(self, op, attrs, inputs, input_keys, needs_input_grad):
        self.op = op
        self.attrs = attrs
        self.inputs = inputs
        self.input_keys = input_keys  # None for an input that needs no gradient
        self.needs_input_grad = needs_input_grad
        self.n_outputs = op.n_outputs
        # (version counter, version when saved, the input tensor or the output index) for each value the VJP reads
        self.saved_versions = ()
        self.saved_outputs = None
        self.packed = None  # (unpack, {("input" or "output", index): packed}): see pack_saved in tensor.py
        self.hooks = None  # {output index: {id: hook(grad)}}: the hooks of the tensors this node made
        self.node_hooks = None  # {"pre": {id: hook(grad_outputs)}, "post": {id: hook(grad_inputs, grad_outputs)}}
        self.creation_trace = traceback.format_stack()[:-3] if GradMode.anomaly else None

    # ------------------------------------------------------------------------------------- PyTorch's view
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self):
        """``((producer, output_index), ...)`` per input; ``(None, 0)`` for inputs that need no gradient."""
        return tuple(key if key is not None else (None, 0) for key in self.input_keys)

    @property
    def outputs(self):
        """The op's outputs as tensors attached to this node (so a VJP that uses them can be differentiated)."""
        saved = self.saved_outputs
        if saved is None:
            raise RuntimeError(_FREED_MESSAGE)
        make, differentiable = self.tensor_class._make, self.op.differentiable
        if len(saved) == 1:  # the usual case, without a generator
            return (make(saved[0], self, 0, differentiable and saved[0].dtype.kind in "fc"),)
        return tuple(make(array, self, i, differentiable and array.dtype.kind in "fc")
                     for i, array in enumerate(saved))

    def register_prehook(self, hook):
        """Call ``hook(grad_outputs)`` before this node's backward step; a returned tuple replaces the gradients
        of its outputs (PyTorch's ``Node.register_prehook``)."""
        return self._add_node_hook("pre", hook)

    def register_hook(self, hook):
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward step; a returned tuple replaces the
        gradients of its inputs (PyTorch's ``Node.register_hook``)."""
        return self._add_node_hook("post", hook)

    def _add_node_hook(self, when, hook):
        if self.node_hooks is None:
            self.node_hooks = {"pre": {}, "post": {}}
        return RemovableHandle.add(self.node_hooks[when], hook)

    def register_tensor_hook(self, hook, index=0):
        """Call ``hook(grad)`` on the gradient of output ``index``; a returned tensor replaces the gradient."""
        if self.hooks is None:
            self.hooks = {}
        hooks = self.hooks.setdefault(index, {})
        handle = RemovableHandle.add(hooks, hook)
        for key in [key for key, h in hooks.items() if getattr(h, "retains_grad", False)]:
            hooks[key] = hooks.pop(key)  # retain_grad() stores what every other hook made of g, as in PyTorch 2
        return handle

    # ------------------------------------------------------------------------------------ the backward step
    def backward(self, grads, needed=None, retain_graph=False):
        """Run this op's VJP on the gradients of its outputs; return one gradient per input. ``needed`` is the
        autodiff walk's view of which inputs need a gradient: ``needs_input_grad``, or fewer when
        ``autograd.grad`` asks for some inputs only — the VJP then sees only those as needed and skips the others
        (as PyTorch's derivative formulas skip unrequested outputs). Unless ``retain_graph``, what the node saved
        is freed afterwards (``_release``)."""
        inputs = self.inputs
        if inputs is None:
            raise RuntimeError(_FREED_MESSAGE)
        for counter, version, which in self.saved_versions:
            if counter[0] != version:
                what = f"output {which} of {self.name()}" if isinstance(which, int) else \
                    f"a {describe(which)} tensor used by {self.name()}"
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{what}] is at version {counter[0]}; expected version {version} instead. "
                    f"Hint: do the in-place change on a clone, or after backward().")
        if self.hooks:
            grads = list(grads)
            for index, hooks in self.hooks.items():
                if grads[index] is not None:
                    grads[index] = run_gradient_hooks(hooks, grads[index])
        if self.node_hooks:
            grads = run_node_hooks(self.node_hooks["pre"], grads)
        if self.n_outputs > 1 and not self.op.accepts_missing_grads:
            from ..ops import zeros_like
            outputs = self.outputs
            grads = [zeros_like(outputs[i]) if g is None and outputs[i].requires_grad else g
                     for i, g in enumerate(grads)]
        all_needed = self.needs_input_grad
        if needed is not None and needed is not all_needed and tuple(needed) != all_needed:
            self.needs_input_grad = tuple(bool(n) for n in needed)
        try:
            if self.packed is not None:
                kept = self.inputs, self.saved_outputs
                self.inputs, self.saved_outputs = _unpacked(self)
            if GradMode.anomaly:  # blame NaNs on this node (checked below), not on the ops its VJP is made of
                GradMode.anomaly = False
                try:
                    in_grads = self.op.vjp(self, *grads)
                finally:
                    GradMode.anomaly = True
            else:
                in_grads = self.op.vjp(self, *grads)
        finally:
            self.needs_input_grad = all_needed
            if self.packed is not None:  # what the node keeps is still the packed form
                self.inputs, self.saved_outputs = kept
        if not retain_graph:
            self._release()
        # each gradient is cast to its input's dtype and must have its shape (catching buggy VJPs early)
        if len(in_grads) != len(inputs):
            raise RuntimeError(f"{self.name()} returned {len(in_grads)} gradients, expected {len(inputs)}")
        out = in_grads
        for i, (g, x, need) in enumerate(zip(in_grads, inputs, self.needs_input_grad)):
            if g is None:
                continue
            if not need:
                out = _replaced(out, i, None)
                continue
            if g.is_sparse:
                out = _replaced(out, i, self._sparse_gradient(i, g, x))
                continue
            if g._data.shape != x._data.shape:
                g = self._summed_to_input(i, g, x)
                out = _replaced(out, i, g)
            data, x = g._data, x._data
            if data.dtype is not x.dtype and data.dtype != x.dtype:
                from ..ops import cast, real
                if data.dtype.kind == "c" and x.dtype.kind != "c":
                    g = real(g)  # a real input's gradient is the real part
                g = cast(g, x.dtype)
                out = _replaced(out, i, g)
            if GradMode.anomaly:
                _check_no_nan(g, f"Function '{self.name()}' returned nan values in its {i}th output.",
                              self.creation_trace)
        if self.node_hooks:
            out = run_node_hooks(self.node_hooks["post"], out, (tuple(grads),))
        return out

    def _summed_to_input(self, i, g, x):
        """A gradient ``g`` for input ``i`` (``x``) in a shape that ``x`` broadcasts to (a user's Function may
        return the gradient of ``x + b`` as it is, for both), summed over the broadcast dims, as PyTorch does;
        any other shape is an error."""
        from ..ops import sum_to_like
        got, expected = g._data.shape, x._data.shape
        padded = (1,) * (len(got) - len(expected)) + expected
        if len(got) < len(expected) or any(n != m and n != 1 for n, m in zip(padded, got)):
            raise RuntimeError(f"Function {self.name()} returned an invalid gradient at index {i} - got "
                               f"{list(got)} but expected shape compatible with {list(expected)}")
        return sum_to_like(g, x)

    def _sparse_gradient(self, i, g, x):
        """A sparse gradient that the VJP returned for input ``i`` (``x``): an embedding's for its weight
        (``sparse_gradients.py``). Checked like a dense one; it stays sparse on its way to a leaf's ``.grad``, and
        is made dense on its way to a non-leaf, since every op's VJP takes dense gradients."""
        if tuple(g.shape) != x._data.shape:
            raise RuntimeError(f"Function {self.name()} returned an invalid gradient at index {i} - got "
                               f"{list(g.shape)} but expected shape compatible with {list(x.shape)}")
        if g.dtype != x.dtype:
            g = g.to(x.dtype)
        if GradMode.anomaly:
            _check_no_nan(g._values(), f"Function '{self.name()}' returned nan values in its {i}th output.",
                          self.creation_trace)
        return g if self.input_keys[i][0].__class__ is AccumulateGrad else g.to_dense()

    def _release(self):
        """Free what the VJP read (PyTorch frees the saved tensors): a second backward through this node is then
        the error that names ``retain_graph``. A node that saved no tensor — its VJP reads only shapes and
        numbers, as those of ``x + 1``, ``x * 2`` or ``x.expand(...)`` do — stays usable, as PyTorch's does. A
        user's ``autograd.Function`` says for itself (``release_saved``: what its ctx saved)."""
        release = self.op.release_saved
        if not (self.saved_versions if release is None else release(self.attrs)):
            return
        self.inputs = self.saved_outputs = None

    def backward_retaining(self, grads, needed=None):
        """``backward`` keeping what the node saved, for another backward through it."""
        return self.backward(grads, needed, True)


def node_class(op, attrs=None):
    """The node class of ``op``: a subclass of ``Node`` named as PyTorch names its grad_fn's type
    (``type(y.grad_fn).__name__ == "MulBackward0"``), made once per op — or per name, for an op that PyTorch
    names by its arguments (``Op.grad_fn_variant``)."""
    variant = op.grad_fn_variant
    key = op if variant is None else (op, variant(attrs))
    cls = _node_classes.get(key)
    if cls is None:
        name = getattr(op, "grad_fn_name", "{}Backward0").format(op.name) if variant is None else key[1]
        cls = _node_classes[key] = type(name, (Node,), {"__slots__": ()})  # (a user's Function: SquareBackward)
    return cls


_node_classes = {}


class AccumulateGrad:
    """The node for a leaf tensor that requires grad: gradients that reach it are added to ``tensor.grad``."""
    __slots__ = ("_variable", "hooks", "post_hooks", "__weakref__")
    input_keys = ()
    n_outputs = 1
    needs_input_grad = ()

    def __init__(self, tensor):
        self._variable = weakref.ref(tensor)
        self.hooks = None
        self.post_hooks = None  # hook(tensor), once the gradient is in tensor.grad

    @property
    def variable(self):
        return self._variable()

    next_functions = ()

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"

    def register_tensor_hook(self, hook, index=0):
        """``hook(grad)`` on the gradient that reaches the leaf, before it goes into ``.grad``."""
        if self.hooks is None:
            self.hooks = {}
        return RemovableHandle.add(self.hooks, hook)

    def register_prehook(self, hook):
        """PyTorch's ``Node.register_prehook`` on a leaf's node: ``hook((grad,))`` before the gradient goes into
        ``.grad``; a returned tuple replaces it."""
        return self.register_tensor_hook(lambda grad: run_node_hooks({0: hook}, (grad,))[0])


def _unpacked(node):
    """The node's inputs and saved outputs with the tensors it packed (``saved_tensors_hooks``) given back by
    ``unpack``, for its VJP's run."""
    unpack, packed = node.packed
    inputs = list(node.inputs)
    outputs = None if node.saved_outputs is None else list(node.saved_outputs)  # (set when outputs were packed)
    for (kind, i), value in packed.items():
        tensor = unpack(value)
        if kind == "input":
            inputs[i] = tensor
        else:
            outputs[i] = tensor._data
    return tuple(inputs), None if outputs is None else tuple(outputs)


def _replaced(grads, i, g):
    """``grads`` with entry ``i`` set to ``g`` (a VJP's result is copied before the first change)."""
    grads = list(grads)
    grads[i] = g
    return grads


def _check_no_nan(tensor, message, creation_trace):
    """Anomaly mode's check of a backward's result: NaN only, as PyTorch's (an infinite gradient, the slope of
    sqrt at 0, is a value a program may handle)."""
    xp_data = tensor._data
    if xp_data.dtype.kind in "fc" and bool((xp_data != xp_data).any()):
        if creation_trace:
            message += "\nThe op was created at (most recent call last):\n" + "".join(creation_trace[-6:])
        raise RuntimeError(message)


_FREED_MESSAGE = ("Trying to backward through the graph a second time (or directly access saved tensors after they "
                  "have already been freed). Saved intermediate values of the graph are freed when you call "
                  ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
                  "graph a second time or if you need to access saved tensors after calling backward.")
