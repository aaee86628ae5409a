"""How a ``minidl.ops`` call on symbolic tensors becomes an operation in the graph.

The op library calls ``apply(Op, *args, **attrs)``; for graph tensors that lands in ``graph_apply``, which
turns Python numbers and arrays into constants, infers the outputs' static shapes with ``Op.infer`` (raising at
construction time for shapes that can never match), and adds an ``Operation`` to the graph.
"""
import math

import numpy

from ..backend import dtypes
from ..ops.base import Spec, register_frontend
from .core import Tensor, as_spec_shape, get_default_graph
from .graph_ops import Const
from .strings import as_string_array, is_text, refuse_strings, string


#: which kinds of Python values TF converts to a dtype of each kind ("biufc": bool, int, uint, float, complex)
_CONVERTIBLE = {"b": "b", "i": "biu", "u": "biu", "f": "biuf", "c": "biufc", "O": "SUO"}  # "O": tf.string


def constant_op(value, dtype=None, shape=None, name="Const", graph=None):
    """A ``Const`` operation's output holding ``value`` (converted with PyTorch/TF's dtype defaults).

    numpy arrays are converted to ``dtype`` as TF does; Python numbers and lists must fit it without loss of kind
    (TF: "Expected int32, got 2.5 of type 'float' instead.", where a cast would silently make 2.5 into 2)."""
    graph = graph or get_default_graph()
    text = is_text(value) if dtype is None else dtypes.as_dtype(dtype) == string
    if text:
        array = as_string_array(value)  # tf.string: UTF-8 bytes in an object array (strings.py says why)
    elif dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        given = as_array(value, f"constant '{name}'")  # (an empty list is float64 to numpy, but holds no number)
        if not isinstance(value, (numpy.ndarray, numpy.generic)) and given.size and \
                given.dtype.kind not in _CONVERTIBLE[dtype.kind]:
            raise TypeError(f"Expected {dtype.name}, got {value!r} of type '{type(value).__name__}' instead.")
        array = numpy.asarray(value, dtype=dtype)
    elif isinstance(value, numpy.ndarray) or isinstance(value, numpy.generic):
        array = numpy.asarray(value)
    else:
        array = as_array(value, f"constant '{name}'")
        if array.dtype.kind == "f":
            array = array.astype(dtypes.float32)   # TF's default float is float32
        elif array.dtype.kind in "iu":
            array = array.astype(dtypes.int32 if _fits_int32(array) else dtypes.int64)
        elif array.dtype.kind == "c":
            array = array.astype(dtypes.complex128)
    if shape is not None:
        array = _filled(array, tuple(shape))
    if array.dtype.kind not in "biufc" and not text:
        raise TypeError(f"Failed to convert object of type {type(value).__name__} to Tensor (dtype {array.dtype})")
    if array is value and array.flags.writeable:
        array = array.copy()  # the graph keeps its own copy: the caller may go on changing theirs
    array.setflags(write=False)  # nothing may change a constant behind the graph's back
    operation = graph.create_op(Const, (), {"value": array}, [Spec(array.shape, array.dtype)], name=name)
    return operation.outputs[0]


def as_array(value, target):
    """``numpy.asarray(value)``, but a ValueError in TF's words, naming ``target`` (what the value was to become),
    for nested lists whose rows differ in length, where numpy speaks of "an inhomogeneous shape"."""
    try:
        return numpy.asarray(value)
    except ValueError:
        if _nested_shape(value) is None:
            raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor ({target}): "
                             f"{value!r:.200}") from None
        raise


def _nested_shape(value):
    """The shape of nested lists/tuples (of numbers or arrays), or None where sibling items differ in shape."""
    if not isinstance(value, (list, tuple)):
        return numpy.shape(value)
    shapes = {_nested_shape(item) for item in value}
    if None in shapes or len(shapes) > 1:
        return None
    return (len(value),) + (shapes.pop() if shapes else ())


def _filled(array, shape):
    """``array`` in ``shape``, as TF1's ``tf.constant(value, shape=...)``: a value with fewer elements than the shape
    holds is continued with its last element (one value fills the whole shape); more is a ValueError."""
    size, needed = array.size, math.prod(shape)
    if size > needed:
        raise ValueError(f"Too many elements provided. Needed at most {needed}, but received {size}")
    if size == 0 and needed:
        raise ValueError(f"tf.constant: no value to fill shape {list(shape)} with")
    flat = array.reshape(-1)
    if size < needed:
        flat = numpy.concatenate([flat, numpy.full(needed - size, flat[-1], dtype=array.dtype)])
    return flat.reshape(shape)


def _fits_int32(array):
    return array.size == 0 or (array.min() >= -2 ** 31 and array.max() < 2 ** 31)


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, dtype_hint=None, *, graph=None):
    """Tensors pass through (checked against ``dtype``); anything else becomes a constant. ``preferred_dtype``
    (``dtype_hint``, its newer name) is the dtype to convert to when ``dtype`` is not given, if the value
    converts to it; else the value's own is taken."""
    preferred = preferred_dtype if preferred_dtype is not None else dtype_hint
    if dtype is None and preferred is not None:
        try:
            return convert_to_tensor(value, preferred, name, graph=graph)
        except (TypeError, ValueError):
            pass
    as_element = getattr(value, "_as_graph_element", None)
    if as_element is not None:
        value = as_element()
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype != dtypes.as_dtype(dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for Tensor with dtype "
                             f"{value.dtype.name}: {value!r}")
        return value
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) or hasattr(v, "_as_graph_element")
                                                for v in value):
        from ..ops import stack
        return stack(scalars_beside_scalars([convert_to_tensor(v, dtype, graph=graph) for v in value]))
    return constant_op(value, dtype, name=name or "Const", graph=graph)


def scalar_if_rank_unknown(tensor):
    """``tensor`` made a scalar when the graph does not know its rank (checked when the graph runs): where only a
    scalar can stand — a dim of a shape ``[batch_size, 2]``, with ``batch_size = tf.placeholder(tf.int32)`` given
    no shape. TF needs no such step (its ops take unknown ranks); minidl's ops need every rank."""
    from ..ops import reshape
    return reshape(tensor, ()) if tensor.shape.rank is None else tensor


def scalars_beside_scalars(tensors):
    """The tensors to pack (``tf.stack``) with those of unknown rank made scalars where another one is known to be
    a scalar: packed tensors must be alike."""
    if any(t.shape.rank == 0 for t in tensors):
        return [scalar_if_rank_unknown(t) for t in tensors]
    return tensors


def _graph_for(args):
    """The graph a new op goes into: its inputs' graph — or, inside a control-flow body being built (the default
    graph is then a function graph nested in the inputs' graph), that body, which captures outer tensors."""
    graph = None
    for a in args:
        if isinstance(a, Tensor):
            if graph is None or _is_nested_in(a.graph, graph):
                graph = a.graph
    default = get_default_graph()
    if default is not graph and _is_nested_in(default, graph):
        graph = default
    return graph


def graph_of_inputs(args, kwargs=None):
    """The graph a TF function called with ``args``/``kwargs`` builds in: its tensor arguments' (a list of them
    counts), as TF's ``name_scope(..., values=inputs)`` enters it — so ``x + 1.`` for an ``x`` made in another
    graph than the default one makes the constant 1 there too; the default graph when no argument is a tensor."""
    tensors = [a for value in list(args) + list((kwargs or {}).values())
               for a in (value if isinstance(value, (list, tuple)) else (value,)) if isinstance(a, Tensor)]
    return _graph_for(tensors) or get_default_graph()


def _is_nested_in(inner, outer):
    """True if ``inner`` is a function graph (``outer_graph`` chain) built inside ``outer``."""
    g = getattr(inner, "outer_graph", None)
    while g is not None:
        if g is outer:
            return True
        g = getattr(g, "outer_graph", None)
    return False


def graph_apply(op, args, attrs):
    """Add ``op(*args, **attrs)`` to the graph of the symbolic tensors in ``args``."""
    graph = _graph_for(args)
    inputs = [a if isinstance(a, Tensor) else
              convert_to_tensor(a, getattr(a, "dtype", None) if isinstance(a, numpy.generic) else None, graph=graph)
              for a in args]
    refuse_strings(op, inputs)
    specs = [Spec(as_spec_shape(t.shape), t.dtype) for t in inputs]
    result = op.infer(*specs, **attrs)
    single = isinstance(result, Spec)
    operation = graph.create_op(op, inputs, attrs, [result] if single else list(result))
    return operation.outputs[0] if single else operation.outputs


def _convert_operand(value, operands):
    """An array or list beside graph tensors (``x - numpy_mean``) becomes a constant of their dtype, as TF1 converts
    it — a float64 array next to a float32 placeholder stays float32 — where that loses no kind (numbers to a float
    or complex tensor, integers to an integer one); otherwise a constant of its own dtype."""
    like = next((t for t in operands if isinstance(t, Tensor)), None)
    kind = as_array(value, "an operand").dtype.kind
    fits = like is not None and (like.dtype.kind in "fc" and kind in "biuf" or like.dtype.kind in "iu" and kind in "iu")
    return convert_to_tensor(value, like.dtype if fits else None)


register_frontend(Tensor, graph_apply, convert=_convert_operand)
# (the tensors' Python operators are bound by operators.py, under TF1's names)
