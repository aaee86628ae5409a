"""``tf.saved_model.utils``: a ``TensorInfo`` — how a signature names a tensor of the saved graph — built from a
tensor, and the tensor found again from it in the graph a SavedModel was loaded into.

A signature cannot hold the tensor itself: the graph that is loaded is a new one, rebuilt from the file. So it
holds the tensor's *name* (``"dense/BiasAdd:0"``), with its dtype and static shape for a client to check what it
feeds; ``get_tensor_from_tensor_info`` looks the name up (under the ``import_scope`` the model was loaded with).
"""
from .. import dtypes
from ..core import Tensor, TensorShape, get_default_graph

__all__ = ["TensorInfo", "build_tensor_info", "get_tensor_from_tensor_info"]


class TensorInfo:
    """TF's ``TensorInfo`` message for a dense tensor: ``name`` (``"op:index"``), ``dtype`` (TF's DataType enum
    number, as in TF: ``tf.as_dtype(info.dtype)`` gives the DType; 0 is DT_INVALID) and ``tensor_shape`` (a
    ``tf.TensorShape``, where TF has a ``TensorShapeProto``)."""

    __slots__ = ("name", "dtype", "tensor_shape")

    def __init__(self, name="", dtype=0, tensor_shape=None):
        self.name = name
        self.dtype = dtype
        self.tensor_shape = TensorShape(None) if tensor_shape is None else tensor_shape

    def __eq__(self, other):
        return isinstance(other, TensorInfo) and (self.name, self.dtype, _dims(self.tensor_shape)) == \
            (other.name, other.dtype, _dims(other.tensor_shape))

    def __repr__(self):
        dtype = dtypes.as_dtype(self.dtype).name if self.dtype else "DT_INVALID"
        return f"TensorInfo(name={self.name!r}, dtype={dtype}, tensor_shape={self.tensor_shape})"


def _dims(shape):
    return shape.as_list() if shape.rank_known else None


def build_tensor_info(tensor):
    """The ``TensorInfo`` of a graph tensor: its name, dtype and static shape."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"build_tensor_info: expected a graph tf.Tensor (a placeholder, a layer's output, ...), got "
                        f"{type(tensor).__name__}")
    return TensorInfo(tensor.name, tensor.dtype.as_datatype_enum, tensor.shape)


def get_tensor_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The tensor of ``graph`` (default: the default graph) that ``tensor_info`` names, under ``import_scope`` if
    the model was loaded with one. A name the graph lacks is a ``KeyError``, as in TF."""
    if not tensor_info.name:
        raise ValueError("Invalid TensorInfo.encoding: None")  # (TF's words for a TensorInfo without a name)
    graph = graph or get_default_graph()
    name = f"{import_scope.rstrip('/')}/{tensor_info.name}" if import_scope else tensor_info.name
    return graph.get_tensor_by_name(name)
