"""``autograd.Function``: an op written by the user, with its own forward and backward (PyTorch's API).

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return 2 * x * grad

    y = Square.apply(x)

``forward`` runs with recording off; ``apply`` then adds one node for the whole call to the tape, whose VJP calls
``backward``. That node is an ordinary tape ``Node`` (the same hooks, ``retain_graph`` and in-place checks as the
built-in ops); the per-class ``Op`` below only adapts ``backward``'s calling convention to ``vjp``'s.
"""
import contextlib
import functools
import inspect
import weakref

from ... import ops
from ...ops.base import Op
from ..grad_mode import GradMode
from ..node import node_class
from ..tensor import Tensor, kept_for_shapes
from ..views import note_function_views


class FunctionCtx:
    """The ``ctx`` passed to a Function's ``forward`` and ``backward``."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self._saved_versions = ()
        self._node = None  # a weak reference to the Function's node, once recorded (see _SavedOutput)
        self._non_differentiable = set()
        self._dirty = set()
        self._materialize_grads = True
        self._saved_for_forward = None  # what save_for_forward kept: saved_tensors inside jvp
        self._packed = None  # (unpack, what pack made of each saved tensor) under saved_tensors_hooks
        self._in_jvp = False

    def set_materialize_grads(self, value):
        """With False, ``backward`` receives None for an output that got no gradient, instead of zeros of its
        shape (the default) — it can then skip the work that would only add zeros."""
        self._materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        """Say that ``forward`` changed these inputs in place and returns them: each returned one is then that same
        tensor object, its history now this Function's output (as an in-place op's result is)."""
        self._dirty.update(id(t) for t in tensors)

    def save_for_backward(self, *tensors):
        """Keep tensors for ``backward``; changing them in place before then is an error, as for built-in ops."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):  # (numbers and other objects go on ctx as attributes)
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self._saved = tensors
        self._saved_versions = tuple(t._version if isinstance(t, Tensor) else None for t in tensors)
        hooks = GradMode.saved_tensors_hooks   # (autograd.graph.saved_tensors_hooks: pack now, unpack on reading)
        self._packed = None if hooks is None else (hooks[1], tuple(hooks[0](t) if isinstance(t, Tensor) else t
                                                                   for t in tensors))

    def save_for_forward(self, *tensors):
        """Keep tensors for ``jvp``, which reads them as ``saved_tensors``."""
        self._saved_for_forward = tensors

    @property
    def saved_tensors(self):
        if self._in_jvp:
            return self._saved_for_forward or ()
        node = self._node() if self._node is not None else None
        if self._saved is None or (node is None and any(t.__class__ is _SavedOutput for t in self._saved)):
            from ..node import _FREED_MESSAGE
            raise RuntimeError(_FREED_MESSAGE)
        if self._packed is not None:
            unpack, packed = self._packed
            return tuple(unpack(p) if isinstance(t, Tensor) else t for t, p in zip(self._saved, packed))
        saved = tuple(t.tensor(node) if t.__class__ is _SavedOutput else t for t in self._saved)
        for i, (t, version) in enumerate(zip(saved, self._saved_versions)):
            if version is not None and t._version != version:
                raise RuntimeError(f"one of the variables needed for gradient computation has been modified by an "
                                   f"inplace operation: saved tensor {i} is at version {t._version}; "
                                   f"expected version {version} instead.")
        return saved

    def mark_non_differentiable(self, *tensors):
        """Outputs that never carry a gradient (indices, masks)."""
        self._non_differentiable.update(id(t) for t in tensors)


class _SavedOutput:
    """A saved tensor that is an output of the Function itself, kept as its index and version counter and made
    again, attached to the node, when ``backward`` reads it. Keeping the tensor would make a reference cycle
    (node -> ctx -> output -> node) that outlives a forward without backward until the cycle collector runs;
    PyTorch's saved variables avoid the same cycle."""
    __slots__ = ("index", "counter")

    def __init__(self, index, counter):
        self.index, self.counter = index, counter

    def tensor(self, node):
        output = Tensor._make(node.saved_outputs[self.index], node, self.index, True)
        output._version_counter = self.counter  # in-place changes of the output are still seen
        return output


class _FunctionMeta(type):
    """Give every Function subclass its own ``Op`` adapter, named after it (``grad_fn=<SquareBackward0>``)."""

    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        cls._op = type(f"{name}Op", (_FunctionOp,), {"name": name, "function": cls})


class _FunctionOp(Op):
    grad_fn_name = "{}Backward"  # PyTorch names a Function's nodes without the 0 of its built-in ones
    saves_inputs = ()  # the ctx checks what the user saved
    accepts_missing_grads = True  # the ctx decides (set_materialize_grads)
    function = None

    @staticmethod
    def release_saved(attrs):
        """After a backward pass: free the tensors the user saved (True), so that a second pass is an error; a
        Function that saved none can run its backward again (False), as in PyTorch."""
        ctx = attrs["ctx"]
        if not ctx._saved:
            return False
        ctx._saved = None
        return True

    @classmethod
    def vjp(cls, node, *grads):
        ctx = node.attrs["ctx"]
        if ctx._materialize_grads and None in grads:  # zeros for the tensor outputs that got no gradient
            from ...ops import zeros_like
            grads = tuple(zeros_like(Tensor._make(array)) if g is None and array is not None else g
                          for g, array in zip(grads, node.saved_outputs))
        if _tangent_passes[0] and cls.function.jvp is not Function.jvp:
            return _BackwardByJvp.apply(node, *grads)
        result = cls.function.backward(ctx, *grads)
        result = result if isinstance(result, tuple) else (result,)
        n_inputs = len(node.inputs)
        if len(result) > n_inputs and all(g is None for g in result[n_inputs:]):
            result = result[:n_inputs]  # Nones for arguments left at their defaults (PyTorch accepts them too)
        if len(result) != n_inputs:
            raise RuntimeError(f"function {cls.name}Backward returned an incorrect number of gradients (expected "
                               f"{n_inputs}, got {len(result)})")
        for g in result:
            if g is not None and not isinstance(g, Tensor):
                raise RuntimeError(f"function {cls.name}Backward: expected Variable or None (got "
                                   f"{type(g).__name__}); return a tensor (or None) for each input")
        if _tangent_passes[0] and any(isinstance(g, Tensor) and g.requires_grad for g in grads) and \
                any(g is not None and not g.requires_grad for g in result):
            # forward mode differentiates this backward again, and it was computed off the tape (in numpy, say):
            # the tangents would come out zero, where PyTorch asks for a jvp
            raise NotImplementedError(f"You must implement the jvp function for custom autograd.Function to use "
                                      f"it with forward mode AD ({cls.name}'s backward is not differentiable)")
        return result


def once_differentiable(backward):
    """Decorate a Function's ``backward`` written without differentiable ops (numpy, say): it runs without
    recording, and a second backward through it is an error instead of a silently wrong second derivative.

    Running without recording alone is not enough: when another path keeps the first gradient differentiable
    (``grad(f(Fn.apply(x), x), x, create_graph=True)``), differentiating it again would just leave this node's
    part out. So, as in PyTorch, while higher-order gradients are recorded and an incoming gradient requires grad,
    the results come out of a ``DelayedError`` node, which raises if a backward pass ever reaches it. Forward mode,
    which differentiates the backward of a Function without ``jvp`` again, is refused at once."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        if _tangent_passes[0]:  # forward mode would differentiate this backward again (a Function without jvp)
            raise RuntimeError(f"You must implement the jvp function for custom autograd.Function to use it with "
                               f"forward mode AD ({getattr(backward, '__qualname__', 'its backward')} is "
                               f"@once_differentiable)")
        previous = GradMode.local.enabled
        GradMode.local.enabled = False
        try:
            results = backward(ctx, *grads)
        finally:
            GradMode.local.enabled = previous
        differentiable = [g for g in grads if isinstance(g, Tensor) and g.requires_grad]
        if not (previous and differentiable):
            return results
        single = not isinstance(results, tuple)
        marked = DelayedError.apply((results,) if single else results, *differentiable)
        return marked[0] if single else marked
    return wrapper


class Function(metaclass=_FunctionMeta):
    """Subclass, define static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``, call ``YourFn.apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("a Function subclass must define a static backward(ctx, *grads) to be "
                                  "differentiated")

    @staticmethod
    def jvp(ctx, *tangents):
        """Forward mode: the tangents of the outputs, given those of the inputs (J t). Optional: without it,
        forward mode differentiates through ``backward``."""
        raise NotImplementedError("a Function subclass must define a static jvp(ctx, *tangents) for its own forward "
                                  "mode derivative")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """PyTorch's other style: a subclass that defines this writes ``forward(*args)`` without ``ctx`` and saves
        what backward needs here, given the forward's inputs (a tuple) and its output."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` and record one node for it. As PyTorch's, the arguments reach ``forward`` by position
        only (a node's inputs are a list): a keyword argument fills the slot of the parameter of that name. In the
        ``setup_context`` style the parameters left out also take their defaults, so ``setup_context``'s
        ``inputs`` holds every argument of ``forward``."""
        with_ctx = cls.setup_context is Function.setup_context
        if not with_ctx:
            bound = _signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        if kwargs:
            args = _by_position(cls.forward, args, kwargs, with_ctx)
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        previous = GradMode.local.enabled
        GradMode.local.enabled = False
        try:
            if with_ctx:
                outputs = cls.forward(ctx, *args)
            else:
                outputs = cls.forward(*args)
                cls.setup_context(ctx, args, outputs)
        finally:
            GradMode.local.enabled = previous
        single = not isinstance(outputs, tuple)
        outputs = (outputs,) if single else outputs
        _check_dirty(cls.__name__, ctx, args, outputs, previous)
        if not (previous and any(needs)):
            return outputs[0] if single else outputs
        keys = tuple(a._key() if need else None for a, need in zip(args, needs))
        # the backward reads what ctx saved; of the arguments the node keeps only the shapes (to check gradients)
        node = node_class(cls._op)(cls._op, {"ctx": ctx}, kept_for_shapes(args), keys, tuple(needs))
        node.n_outputs = len(outputs)
        node.saved_outputs = tuple(o._data if isinstance(o, Tensor) else None for o in outputs)
        wrapped = []
        for i, o in enumerate(outputs):
            if isinstance(o, Tensor):
                # an output that carries no gradient (integers, marked non-differentiable) is a leaf, as in PyTorch
                differentiable = o.dtype.kind in "fc" and id(o) not in ctx._non_differentiable
                if id(o) in ctx._dirty:  # an input changed in place: the same object, with this node's history
                    o._node, o._out_index, o._requires_grad = (node, i, True) if differentiable else (None, 0, False)
                    wrapped.append(o)
                    continue
                w = Tensor._make(o._data, node, i, True) if differentiable else Tensor._make(o._data)
                w._version_counter = o._counter()  # an in-place change of the output is seen by the ctx
                wrapped.append(w)
            else:
                wrapped.append(o)
        note_function_views(cls.__name__, args, [w for w in wrapped if isinstance(w, Tensor) and w._node is node])
        # an output saved for backward must come back attached to the node (so that a backward written with
        # tensor ops can be differentiated again): it is kept by index (_SavedOutput), and the ctx knows the node
        # only weakly, so that the node, ctx and outputs make no reference cycle
        attached = {id(o): _SavedOutput(i, w._counter()) for i, (o, w) in enumerate(zip(outputs, wrapped))
                    if isinstance(w, Tensor) and w._node is node}
        ctx._saved = tuple(attached.get(id(t), t) for t in ctx._saved)
        ctx._node = weakref.ref(node)
        return wrapped[0] if single else tuple(wrapped)


class DelayedError(Function):
    """What a ``@once_differentiable`` backward returns while higher-order gradients are recorded: its results
    as they are, from a node whose own backward refuses. The node's inputs are the incoming gradients that
    require grad (PyTorch uses fresh leaves instead): the results do depend on them, so ``autograd.grad`` reaches
    the refusal too, where PyTorch's prunes the node away and silently leaves its part out."""

    @staticmethod
    def forward(ctx, results, *incoming_grads):
        return tuple(results)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


#: above 0 while forward mode computes tangents (forward_ad.unpack_dual, func.jvp; see computing_tangents)
_tangent_passes = [0]
#: the dict the jvp results of the Functions met go into, while ``forward_ad.unpack_dual`` computes tangents
_jvp_results = [None]


@contextlib.contextmanager
def computing_tangents(jvp_results=None):
    """The block is the first pass of forward mode's double-vjp trick (func.jvp explains it): a Function with its
    own ``jvp`` then records ``_BackwardByJvp`` for its backward, so that the second pass reaches its ``jvp``.
    ``jvp_results``: a dual level's dict of the tangents each Function's ``jvp`` gave — the tangents reaching a
    Function are the same at every ``unpack_dual`` of a level, so its ``jvp`` runs once, as PyTorch runs it once
    (a ``jvp`` may free what it used: PyTorch's tutorial sets ``ctx.result = None``)."""
    _tangent_passes[0] += 1
    outer, _jvp_results[0] = _jvp_results[0], jvp_results
    try:
        yield
    finally:
        _tangent_passes[0] -= 1
        _jvp_results[0] = outer


class _BackwardByJvp(Function):
    """A Function's backward, u ↦ Jᵀu, as forward mode's first pass sees it when the Function defines ``jvp``.
    The second pass differentiates it with respect to u, with the tangents t of the Function's inputs as the
    cotangent: the transpose of u ↦ Jᵀu is t ↦ J t, which ``jvp`` computes — so the second pass calls ``jvp``.
    The first pass runs at u = 0, where Jᵀu is 0: the forward returns zeros, and ``backward`` is never needed."""

    @staticmethod
    def forward(ctx, node, *grads):
        ctx.node, ctx.has_grad, ctx.jvp_results = node, tuple(g is not None for g in grads), _jvp_results[0]
        return tuple(ops.zeros_like(x) if need else None
                     for x, need in zip(node.inputs, node.needs_input_grad))

    @staticmethod
    def backward(ctx, *input_tangents):
        known = ctx.jvp_results.get(id(ctx.node)) if ctx.jvp_results is not None else None
        if known is not None:  # (an earlier unpack_dual of this dual level ran this jvp: see computing_tangents)
            tangents = known[1]
        else:
            function_ctx = ctx.node.attrs["ctx"]
            function_ctx._in_jvp = True
            try:
                tangents = ctx.node.op.function.jvp(function_ctx, *input_tangents)
            finally:
                function_ctx._in_jvp = False
            tangents = tangents if isinstance(tangents, tuple) else (tangents,)
            if ctx.jvp_results is not None:
                ctx.jvp_results[id(ctx.node)] = (ctx.node, tangents)  # (the node kept: its id stays its own)
        return (None, *(t if has else None for t, has in zip(tangents, ctx.has_grad)))


def _check_dirty(name, ctx, args, outputs, recording):
    """The tensors ``mark_dirty`` names must be inputs that ``forward`` returns, and (while recording) not leaves
    that require grad — PyTorch's rules for an in-place Function."""
    if not ctx._dirty:
        return
    inputs = {id(a): a for a in args if isinstance(a, Tensor)}
    returned = {id(o) for o in outputs if isinstance(o, Tensor)}
    for key in ctx._dirty:
        tensor = inputs.get(key)
        if tensor is None or key not in returned:
            raise RuntimeError(f"{name}: a tensor given to ctx.mark_dirty must be an input that forward modifies in "
                               f"place and returns")
        if recording and tensor.is_leaf and tensor.requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if tensor._base is not None:
            raise NotImplementedError(f"{name}: ctx.mark_dirty of a view is not supported; apply the Function to "
                                      f"a tensor that owns its memory (clone the view)")


@functools.cache
def _signature(forward):
    return inspect.signature(forward)


def _by_position(forward, args, kwargs, with_ctx):
    """``args`` with each keyword argument put in the slot of ``forward``'s parameter of that name (PyTorch's
    errors: a keyword that names no such parameter, a gap before it)."""
    names = [p.name for p in _signature(forward).parameters.values()
             if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD][1 if with_ctx else 0:]
    slots = list(args)
    for name, value in kwargs.items():
        if name not in names:
            raise TypeError(f"forward() got an unexpected keyword argument '{name}'")
        i = names.index(name)
        if i < len(args):
            raise TypeError(f"forward() got multiple values for argument '{name}'")
        slots += [_GAP] * (i + 1 - len(slots))
        slots[i] = value
    for i, value in enumerate(slots):
        if value is _GAP:
            raise TypeError(f"forward() missing required argument: '{names[i]}' (position {i})")
    return tuple(slots)


_GAP = object()  # a positional slot that no argument filled
