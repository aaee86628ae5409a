"""Graph mode: TensorFlow 1's static graphs on minidl's op library. ``import minidl.graph as tf``."""
from ..backend.dtypes import (bool_ as bool, complex64, complex128, float16, float32, float64, int8, int16, int32,
                              int64, uint8)
from . import errors
from .core import Graph, GraphKeys, Operation, Tensor, TensorShape, get_default_graph, reset_default_graph
from .frontend import convert_to_tensor
from .gradients import gradients, hessians
from .session import InteractiveSession, Session, get_default_session
from .basics import (Print, constant, control_dependencies, group, identity, name_scope, no_op, placeholder,
                     placeholder_with_default, print_ as print, stop_gradient, tuple_ as tuple)
