"""The graph's own building blocks: constants, placeholders, identity, grouping and control dependencies."""
from ..backend import dtypes
from ..ops.base import Spec
from .core import Operation, Tensor, TensorShape, as_spec_shape, get_default_graph
from .frontend import constant_op, convert_to_tensor
from .graph_ops import Identity, NoOp, Placeholder, StopGradient


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """A tensor whose value is stored in the graph."""
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
    value = convert_to_tensor(input)
    out = _apply_graph_op(Identity, [value], name or "PlaceholderWithDefault")
    out._shape = TensorShape(shape)
    out.op.feeds_replace_default = True  # (tf.get_static_value must not read the default as the value)
    return out


def identity(input, name=None):
    return _apply_graph_op(Identity, [convert_to_tensor(input)], name or "Identity")


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


def name_scope(name, default_name=None, values=None):
    return get_default_graph().name_scope(name if name is not None else default_name)
