"""The graph's own building blocks: constants, placeholders, identity, grouping and control dependencies — and
TF1's placement blocks (``colocate_with``, ``container``), which change nothing here."""
import contextlib

import numpy

from ..backend import dtypes
from ..ops.base import Spec
from .core import Operation, Tensor, TensorShape, as_spec_shape, get_default_graph
from .frontend import constant_op, convert_to_tensor, graph_of_inputs
from .graph_ops import GraphOp, Identity, NoOp, Placeholder, StopGradient


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """A tensor whose value is stored in the graph. With ``verify_shape``, a ``value`` of another shape than
    ``shape`` is TF's TypeError instead of being filled out to it."""
    if verify_shape and shape is not None and numpy.shape(value) != tuple(shape):
        raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {numpy.shape(value)}.")
    return constant_op(value, dtype, shape, name)


def placeholder(dtype, shape=None, name=None):
    """A value supplied at run time through ``feed_dict``; ``None`` dims (and ``shape=None``) stay unknown."""
    shape = TensorShape(shape) if not isinstance(shape, TensorShape) else shape
    operation = get_default_graph().create_op(Placeholder, (), {}, [Spec(as_spec_shape(shape), dtypes.as_dtype(dtype))],
                                              name=name or "Placeholder")
    out = operation.outputs[0]
    out._shape = shape
    return out


def placeholder_with_default(input, shape, name=None):
    """Like ``identity(input)``, but may be fed instead (its static shape is the given, looser one)."""
    value, shape = convert_to_tensor(input), TensorShape(shape)
    if not value.shape.is_compatible_with(shape):  # (TF's shape function merges the two)
        raise ValueError(f"Shapes {value.shape} and {shape} are incompatible: the default value of "
                         f"placeholder_with_default must fit the shape it is given")
    out = _apply_graph_op(Identity, [value], name or "PlaceholderWithDefault")
    out._shape = shape
    out.op.feeds_replace_default = True  # (tf.get_static_value must not read the default as the value)
    return out


def identity(input, name=None):
    return _apply_graph_op(Identity, [convert_to_tensor(input)], name or "Identity")


class IdentityN(GraphOp):
    """Outputs its inputs unchanged, all from one op; each output's gradient goes to its input. (One op, not n
    identities: a gradient registered for ``"IdentityN"`` through ``gradient_override_map`` sees the gradients of
    all of them at once, the TF1 way to give several tensors one custom gradient.)"""
    differentiable = True
    pure = True

    @staticmethod
    def execute(session, operation, arrays):
        return tuple(arrays)

    @staticmethod
    def vjp(ctx, *grads):
        return grads


def identity_n(input, name=None):
    """``[identity(t) for t in input]``, made by one ``IdentityN`` op (see it for why)."""
    tensors = [convert_to_tensor(t) for t in input]
    if not tensors:
        raise ValueError("identity_n: input must hold at least one tensor, got an empty list")
    operation = get_default_graph().create_op(IdentityN, tensors, {},
                                              [Spec(as_spec_shape(t.shape), t.dtype) for t in tensors],
                                              name=name or "IdentityN")
    return list(operation.outputs)


def stop_gradient(input, name=None):
    """The same value, but ``gradients()`` treats it as a constant."""
    return _apply_graph_op(StopGradient, [convert_to_tensor(input)], name or "StopGradient")


def _apply_graph_op(op, inputs, name, attrs=None):
    specs = [Spec(as_spec_shape(t.shape), t.dtype) for t in inputs]
    result = op.infer(*specs, **(attrs or {}))
    operation = get_default_graph().create_op(op, inputs, attrs or {}, [result], name=name)
    return operation.outputs[0]


def no_op(name=None):
    return get_default_graph().create_op(NoOp, (), {}, [], name=name or "NoOp")


def group(*inputs, name=None):
    """An op that runs all ``inputs`` and produces nothing. Each input is a tensor or an operation, or a nest of
    them (lists, tuples, dicts: ``tf.group(train_op, [update_a, update_b])``); anything else — None too, the usual
    sign of a forgotten ``return`` — is a TypeError, as in TF1."""
    from .function_graph import flatten  # (function_graph imports variables, which import this module)
    flat = flatten(list(inputs))
    for x in flat:
        if not hasattr(x, "_as_graph_element") and not isinstance(x, (Tensor, Operation)):
            raise TypeError(f"'inputs' should be zero or more (nested) Tensors. Received '{x!r}' with type "
                            f"'{type(x)}'.")
    with get_default_graph().control_dependencies(flat):
        return no_op(name=name or "group_deps")


def tuple_(tensors, name=None, control_inputs=None):
    """``tf.tuple``: the same tensors, each available only after all of them (and ``control_inputs``) ran."""
    tensors = list(tensors)
    gate = group([t for t in tensors if t is not None], control_inputs or [])
    with get_default_graph().control_dependencies([gate]):
        return [None if t is None else identity(t) for t in tensors]


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """Ops made inside get the prefix ``name/`` (or ``default_name/``); with ``values``, they go into the graph of
    those tensors, which the block makes the default one, as TF's ``name_scope`` does."""
    graph = get_default_graph() if values is None else graph_of_inputs(values)
    with graph.as_default(), graph.name_scope(name if name is not None else default_name) as scope:
        yield scope


@contextlib.contextmanager
def colocate_with(op, ignore_existing=False):
    """``with tf.colocate_with(var):`` — TF1 put the ops made inside on the device of ``op`` (an operation, a
    tensor or a variable). minidl's session runs every op on its one device, so nothing changes."""
    if op is None and not ignore_existing:
        raise ValueError("Trying to reset colocation (op is None) but ignore_existing is not True")
    if op is not None and not isinstance(op, Operation) and not hasattr(op, "op"):
        raise TypeError(f"colocate_with: expected an operation, a tensor or a variable, got {type(op).__name__}")
    yield


@contextlib.contextmanager
def container(container_name):
    """``with tf.container("name"):`` — TF1 kept the state of the stateful ops made inside (variables, queues) in
    that resource container of the server, so that ``tf.Session.reset`` could drop it. minidl's state lives in each
    session, so nothing changes. Yields ``container_name``."""
    yield container_name
