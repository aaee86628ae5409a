"""``tf.RegisterGradient`` and ``Graph.gradient_override_map``: replacing an op's gradient by one of your own.

TF1 gives every op type a gradient function in a registry; a program may register more under new names and
tell ops built in a block to use one of them instead of their own::

    @tf.RegisterGradient("GuidedRelu")
    def _guided_relu_grad(op, grad):           # guided backpropagation (saliency maps)
        return tf.where(grad > 0, grad, tf.zeros_like(grad)) * tf.cast(op.outputs[0] > 0, grad.dtype)

    with tf.get_default_graph().gradient_override_map({"Relu": "GuidedRelu"}):
        y = tf.nn.relu(x)                      # gradients() now calls _guided_relu_grad for this op

A gradient function takes the operation (``op.inputs``, ``op.outputs``, ``op.get_attr``) and the gradient
arriving at each of its outputs (zeros where none arrives), and returns one gradient per input (a single tensor
for a one-input op; None for an input that gets none). It builds graph ops, like any VJP (gradients.py).

The other classic use gives a ``tf.py_func`` — which has no gradient — one: register a function under a name and
map ``"PyFunc"`` to it around the ``py_func`` call. An overridden op counts as differentiable in all its float
inputs, whatever its own op says.

minidl's own ops do not take their gradients from this registry (each has its VJP next to its forward, in
``minidl/ops``), so it holds only what a program registers; as in TF, registering a name twice is an error
(a ``KeyError``). A name that nobody registered is looked up among minidl's ops by TF op type, as TF's registry
holds every op's gradient: ``gradient_override_map({"Sign": "Identity"})`` gives ``tf.sign`` the identity's
gradient — the straight-through estimator of binarized networks — and ``{"...": "StopGradient"}`` none. A name
that is neither is a ``LookupError`` when ``gradients()`` meets the op. ``tf.NotDifferentiable(name)`` registers
"no gradient" under ``name``.
"""
import threading

from ..backend import dtypes
from .frontend import convert_to_tensor
from .indexed_slices import IndexedSlices

__all__ = ["RegisterGradient", "NotDifferentiable", "no_gradient", "registered_gradient", "overridden_vjp"]

_registry = {}  # name -> gradient function, or None for "not differentiable"
_registry_lock = threading.Lock()


def _register(name, function):
    if not isinstance(name, str):
        raise TypeError(f"RegisterGradient expects a string op type name, got {name!r}")
    with _registry_lock:
        if name in _registry:
            raise KeyError(f"Registering two gradient with name '{name}'!")
        _registry[name] = function


class RegisterGradient:
    """A decorator: ``@tf.RegisterGradient("Name")`` registers the decorated ``f(op, *grads)`` under ``Name``."""

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError(f"RegisterGradient expects a string op type name, got {op_type!r}")
        self._op_type = op_type

    def __call__(self, function):
        _register(self._op_type, function)
        return function


def NotDifferentiable(op_type):  # noqa: N802 (TF's name)
    """Register "no gradient" under ``op_type``: an op mapped to it passes no gradient to its inputs."""
    _register(op_type, None)


no_gradient = NotDifferentiable


def registered_gradient(name):
    """The function registered under ``name`` (None: not differentiable), else the gradient of minidl's op of TF
    type ``name``; a ``LookupError`` if there is neither."""
    with _registry_lock:
        if name in _registry:
            return _registry[name]
    op_class = _op_of_type(name)
    if op_class is None:
        raise LookupError(f"No gradient defined for operation with gradient name '{name}' (use "
                          f"@tf.RegisterGradient('{name}') before building the gradients)")
    return _builtin_gradient(op_class) if op_class.differentiable else None


def _op_of_type(name):
    """minidl's op class whose TF type is ``name``, if exactly one is."""
    from ..ops.registry import op_classes
    from .core import TF_OP_TYPES
    found = {cls for cls in op_classes().values() if cls is not None and TF_OP_TYPES.get(cls.name, cls.name) == name}
    return found.pop() if len(found) == 1 else None


def _builtin_gradient(op_class):
    """A registry-style gradient function ``f(op, *grads)`` running ``op_class``'s VJP on another operation (its
    inputs, outputs and attributes), as TF runs a registered gradient on whichever op is mapped to it."""
    def gradient(operation, *grads):
        context = _OverriddenOp(operation)
        return op_class.vjp(context, *grads)
    return gradient


class _OverriddenOp:
    """The ``ctx`` a VJP reads, for an operation differentiated with another op's VJP: every input of a
    differentiable dtype wants a gradient."""

    def __init__(self, operation):
        self.operation = operation
        self.inputs, self.outputs, self.attrs = operation.inputs, operation.outputs, operation.attrs
        self.needs_input_grad = tuple(dtypes.is_differentiable(t.dtype) for t in operation.inputs)


def overridden_vjp(operation, grads):
    """The input gradients of ``operation`` from the function registered under its ``gradient_override``."""
    function = registered_gradient(operation.gradient_override)
    if function is None:
        return (None,) * len(operation.inputs)
    answer = function(operation, *grads)
    answer = list(answer) if isinstance(answer, (list, tuple)) else [answer]
    if len(answer) != len(operation.inputs):
        raise ValueError(f"Num gradients {len(answer)} generated for op {operation.name} (gradient "
                         f"'{operation.gradient_override}') do not match num inputs {len(operation.inputs)}")
    # (an IndexedSlices goes on as one, as in TF)
    return tuple(g if g is None or isinstance(g, IndexedSlices) else convert_to_tensor(g) for g in answer)
