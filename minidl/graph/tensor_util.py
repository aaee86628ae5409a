"""What a program can learn about a tensor while the graph is built: ``tf.is_tensor`` and ``tf.get_static_value``
(also ``tf.contrib.util.constant_value``).

A graph tensor holds no numbers until a session runs it — but some values are already fixed when the graph is
built: a constant's, the shape of a tensor whose static shape is fully known, a ``tf.stack`` of such values. Code
that builds graphs uses this to choose between a Python path and a graph path::

    n = tf.get_static_value(tf.shape(x)[0])  # None: the batch size is only known at run time

``get_static_value`` answers for the op types TF's own folding understands (``Const``, ``Shape`` of a fully known
static shape, and ``Pack``, ``ConcatV2``, ``Cast``, ``Range``, ``Fill``, ``Equal``, ``NotEqual``, ``Identity``,
``StopGradient`` of known values) and None for anything else — also where the value could be worked out, such as
``a + b`` of two constants: TF 1.15 answers None there, and a program may rely on that. The known inputs of those
ops are computed by the op's own ``forward`` on numpy arrays, so each op's meaning is defined only once.

(TF also stops a tensor whose static value was read from being fed; minidl's graphs keep no such list.)
"""
import numpy

from .core import Tensor
from .graph_ops import Const

#: library ops whose value is folded when all their inputs are known (TF's ``constant_value`` list)
_FOLDED = {"Pack", "ConcatV2", "Cast", "Range", "Fill", "Equal", "NotEqual", "Identity", "StopGradient"}


def is_tensor(x):
    """Whether ``x`` is a graph tensor (a ``tf.Variable`` counts, as in TF 1.x) rather than a value that ops would
    first convert: numpy arrays, Python numbers and lists are not tensors."""
    return isinstance(x, Tensor)


def get_static_value(tensor, partial=False):
    """The value of ``tensor`` as a numpy array if it is known when the graph is built, else None.

    A value that is not a tensor comes back unchanged; a ``tf.Variable`` gives None (its value lives in a
    session). With ``partial``, a ``tf.stack`` of some known and some unknown scalars gives an object array with
    None where a value is unknown."""
    if not is_tensor(tensor):
        return tensor
    operation = tensor.op
    kind = operation.type
    if operation.op is Const:
        return numpy.array(operation.attrs["value"])  # a copy: the graph's own array is read-only
    if kind == "Shape":  # (tf.size and tf.rank are constants already where the static shape tells them)
        shape = operation.inputs[0].shape
        return numpy.array(shape.as_list(), dtype=tensor.dtype.as_numpy_dtype) if shape.is_fully_defined() else None
    if kind not in _FOLDED or getattr(operation.op, "execute", None) is not None or len(operation.outputs) != 1 \
            or getattr(operation, "feeds_replace_default", False):  # a placeholder_with_default: fed at will
        return None
    values = [get_static_value(t, partial) for t in operation.inputs]
    if kind == "Pack" and partial and any(v is None for v in values) and operation.attrs["dim"] == 0:
        return numpy.array(values, dtype=object)
    if any(v is None for v in values):
        return None
    return numpy.asarray(operation.op.forward(numpy, *values, **operation.attrs))


__all__ = ["is_tensor", "get_static_value"]
