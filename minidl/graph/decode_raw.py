"""``tf.decode_raw`` (``tf.io.decode_raw``): the bytes of strings read as numbers; ``tf.bitcast``: the bytes of
numbers read as numbers of another type.

Binary data sets store their numbers as raw bytes — a CIFAR-10 record is a label byte and 3072 pixel bytes; a
TFRecord feature may hold a float32 array's ``tobytes()``. ``decode_raw(strings, out_type)`` reinterprets each
string's bytes as a vector of ``out_type``, exactly as ``numpy.frombuffer`` does::

    record = tf.decode_raw(value, tf.uint8)                               # value: one CIFAR-10 record
    label = tf.cast(tf.slice(record, [0], [1]), tf.int32)
    image = tf.reshape(tf.slice(record, [1], [3072]), [3, 32, 32])        # stored channel by channel

The result has the shape of ``strings`` plus one last dim: the number of values in a string. So every string must
have the same length, a multiple of the type's size — otherwise an ``InvalidArgumentError`` with TF's words.
``little_endian`` says how the bytes of a value are ordered in the data (x86 and most files: little-endian).

``bitcast(input, type)`` reads the bytes of each value of ``input`` as ``type`` without converting anything
(``tf.cast`` converts): a float32 1.0 is the int32 1065353216. Types of one size keep the shape; a larger input
type gives each value a last dim of size(input type) / size(type) values, and a smaller one needs that many in
its last dim, which then goes. The bytes are read in this machine's order (little-endian on x86).
"""
import numpy

from ..backend import host_array
from ..ops.base import Spec
from . import errors, io
from .core import get_default_graph
from .dtypes import (as_dtype, bool as tf_bool, complex64, complex128, float16, float32, float64, int8, int16, int32,
                     int64, uint8, uint16)
from .frontend import convert_to_tensor
from .functional_ops import _tf_name  # TF's names of the types in messages: "float", "double", "half"
from .graph_ops import GraphOp
from .strings import string

__all__ = ["bitcast", "decode_raw"]

#: the types TF's DecodeRaw kernel is registered for
_OUT_TYPES = (float16, float32, float64, int32, uint16, uint8, int16, int8, int64, tf_bool, complex64, complex128)


class DecodeRaw(GraphOp):
    """Input 0: strings of any shape; output: their bytes as values of its dtype, one more dim. Attr
    ``little_endian``: the byte order of the values in the data."""

    @staticmethod
    def execute(session, operation, arrays):
        strings = host_array(arrays[0])
        dtype = operation.outputs[0].dtype
        flat = strings.reshape(-1)
        size = len(flat[0]) if flat.size else 0
        for i, s in enumerate(flat):
            if len(s) != size:
                raise errors.InvalidArgumentError(None, operation, f"DecodeRaw requires input strings to all be the "
                                                                   f"same size, but element {i} has size {size} != "
                                                                   f"{len(s)}")
        if size % dtype.size:
            raise errors.InvalidArgumentError(None, operation, f"Input to DecodeRaw has length {size} that is not a "
                                                               f"multiple of {dtype.size}, the size of "
                                                               f"{_tf_name(dtype)}")
        stored = numpy.dtype(dtype.as_numpy_dtype).newbyteorder("<" if operation.attrs["little_endian"] else ">")
        # astype: to this machine's byte order, and a copy (frombuffer's array is a read-only view of the bytes)
        values = numpy.frombuffer(b"".join(flat), dtype=stored).astype(dtype.as_numpy_dtype)
        return (session.array_module.asarray(values.reshape(strings.shape + (size // dtype.size,))),)


def decode_raw(input_bytes, out_type, little_endian=True, name=None):
    """The bytes of ``input_bytes`` (a string tensor of any shape) as ``out_type`` values: a tensor of shape
    ``input_bytes.shape + [length // out_type.size]``. See the module docstring."""
    input_bytes = convert_to_tensor(input_bytes)
    if input_bytes.dtype != string:
        raise TypeError(f"DecodeRaw: input_bytes must be a tf.string tensor, got {input_bytes.dtype.name}")
    out_type = as_dtype(out_type)
    if out_type not in _OUT_TYPES:
        raise TypeError(f"DecodeRaw: out_type {out_type.name} is not in the list of allowed values: "
                        f"{', '.join(_tf_name(d) for d in _OUT_TYPES)}")
    shape = tuple(input_bytes.shape) + (None,) if input_bytes.shape.rank_known else None
    operation = get_default_graph().create_op(DecodeRaw, [input_bytes], {"little_endian": bool(little_endian)},
                                              [Spec(shape, out_type)], name=name or "DecodeRaw")
    return operation.outputs[0]


io.decode_raw = decode_raw


class Bitcast(GraphOp):
    """Input 0 of any numeric dtype; output: its bytes read as the output's dtype (module docstring)."""

    @staticmethod
    def execute(session, operation, arrays):
        x, target = arrays[0].copy(), operation.outputs[0].dtype.as_numpy_dtype  # copy: C order, and not shared
        if x.itemsize > numpy.dtype(target).itemsize:
            return (x.reshape(x.shape + (1,)).view(target),)  # each value's bytes: a new last dim
        ratio = numpy.dtype(target).itemsize // x.itemsize
        if ratio > 1 and x.shape[-1:] != (ratio,):
            last = x.shape[-1] if x.ndim else "A scalar"
            raise errors.InvalidArgumentError(None, operation, f"Cannot bitcast due to shape. {last} does not match "
                                                               f"{ratio} (input shape {list(x.shape)})")
        return (x.view(target).reshape(x.shape[:-1]) if ratio > 1 else x.view(target),)


def bitcast(input, type, name=None):
    """The bytes of ``input`` read as ``type`` values, converting nothing (module docstring): same-size types keep
    the shape; a larger input type adds a last dim, a smaller one removes its last dim (which must hold
    size(type) / size(input type) values)."""
    x, type = convert_to_tensor(input), as_dtype(type)
    for what, dtype in (("input", x.dtype), ("type", type)):
        if dtype.kind not in "iufc":
            raise TypeError(f"Bitcast: {what} must be a numeric type (not bool or string), got {dtype.name}")
    in_size, out_size = x.dtype.size, type.size
    shape = x.shape.as_list() if x.shape.rank_known else None
    if shape is not None and in_size > out_size:
        shape = shape + [in_size // out_size]
    elif shape is not None and in_size < out_size:
        ratio = out_size // in_size
        if not shape or shape[-1] not in (None, ratio):
            raise ValueError(f"Cannot bitcast due to shape. {shape[-1] if shape else 'A scalar'} does not match "
                             f"{ratio}: {x.name} of shape {x.shape} ({x.dtype.name}) read as {type.name} needs a "
                             f"last dim of {ratio}")
        shape = shape[:-1]
    operation = get_default_graph().create_op(Bitcast, [x], {}, [Spec(None if shape is None else tuple(shape), type)],
                                              name=name or "Bitcast")
    return operation.outputs[0]
