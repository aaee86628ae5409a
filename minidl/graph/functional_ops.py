"""``tf.map_fn`` (a function applied to every slice of a tensor) and ``tf.py_func`` (Python code as a graph op).

**map_fn** runs ``fn`` on ``elems[0], elems[1], ...`` (slices along the first dim) and stacks the results. Like
TF, it builds ``fn`` once, as the body of a ``tf.while_loop`` — so ``fn`` is traced once whatever the length, which
may be known only at run time, and the gradient is the loop's, replaying ``fn``'s gradient for every slice. The
body writes each result to a ``TensorArray`` (one per output of ``fn``), stacked after the loop.

**py_func** wraps ``func``, a Python function, as an operation: when a session runs it, ``func`` gets the values
of ``inp`` as numpy arrays and must return arrays of exactly the dtypes ``Tout`` promised (a Python float is
float64 — TF's well-known "0-th value returned by pyfunc_0 is double, but expects float"). The result shapes are
unknown to the graph (use ``set_shape``), and no gradient flows through it. An exception in ``func`` becomes the
error TF maps it to: ``ValueError``/``TypeError`` -> ``InvalidArgumentError``, ``StopIteration`` ->
``OutOfRangeError``, ``NotImplementedError`` -> ``UnimplementedError``, anything else -> ``UnknownError``.
"""
import numpy

from .. import ops
from ..backend import device as parse_device, dtypes, to_device
from ..ops.base import Spec
from . import errors
from .array_ops import shape
from .basics import constant
from .core import get_default_graph
from .function_graph import flatten, pack, same_structure
from .graph_ops import GraphOp
from .loops import while_loop
from .math_ops import to_tensor
from .strings import as_string_array, string
from .tensor_array import TensorArray


# ================================================================================================ map_fn

def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False, infer_shape=True,
           name=None):
    """``stack([fn(elems[i]) for i in range(n)])`` along a new first dim (see the module docstring).

    ``elems``: a tensor, or a nest (tuple, list, dict) of tensors with the same first dim — ``fn`` then gets the
    same nest of slices. ``fn`` returns a tensor or a nest; its structure and dtypes must be ``dtype``'s when
    given, else ``elems``' (give ``dtype`` whenever ``fn`` changes them). ``parallel_iterations``,
    ``swap_memory`` and ``infer_shape`` are accepted for compatibility; ``back_prop=False`` stops the gradient.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {fn!r}")
    graph = get_default_graph()
    with graph.name_scope(name or "map"):
        inputs = [to_tensor(e) for e in flatten(elems)]
        if not inputs:
            raise ValueError("elems must be a tensor or a non-empty nest of tensors")
        for t in inputs:
            if not t.shape.rank_known or len(t.shape) == 0:
                raise ValueError(f"elems must be 1+ dimensional, got {t.name} of shape {t.shape}")
        static_n = next((t.shape[0] for t in inputs if t.shape[0] is not None), None)
        if any(t.shape[0] not in (None, static_n) for t in inputs):
            raise ValueError(f"All elems must have the same first dimension, got shapes {[t.shape for t in inputs]}")
        n = static_n if static_n is not None else shape(inputs[0])[0]
        out_structure = elems if dtype is None else dtype
        out_dtypes = [t.dtype for t in inputs] if dtype is None else [dtypes.as_dtype(d) for d in flatten(dtype)]
        traced = []  # the static shapes of one result, seen when fn is traced

        def body(i, arrays):
            result = fn(pack(elems, [ops.getitem(t, i) for t in inputs]))
            if not same_structure(out_structure, result):
                raise ValueError(f"The structure of fn's result does not match the expected output structure (elems', "
                                 f"or dtype's if given).\n\nExpected: {out_structure}\n\nGot: {result}")
            results = [to_tensor(r, d) for r, d in zip(flatten(result), out_dtypes)]
            for r, d in zip(results, out_dtypes):
                if r.dtype != d:
                    raise TypeError(f"map_fn: fn returned a {r.dtype.name} tensor where {d.name} was expected; "
                                    "give map_fn the dtype (structure) of fn's result with dtype=")
            traced[:] = [r.shape for r in results]
            return i + 1, [array.write(i, r) for array, r in zip(arrays, results)]

        _, arrays = while_loop(lambda i, arrays: i < n, body,
                               [constant(0), [TensorArray(d, size=n) for d in out_dtypes]],
                               back_prop=back_prop, parallel_iterations=parallel_iterations or 10)
        outputs = []
        for array, one in zip(arrays, traced):
            out = array.stack()
            out.set_shape([static_n] + list(one) if one.rank_known else None)
            outputs.append(out)
        return pack(out_structure, outputs)


# ================================================================================================ py_func

#: TF's names of dtypes in py_func's messages
_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half"}

#: which graph error a Python exception raised by ``func`` becomes (TF's mapping); others are UnknownError
_ERRORS = ((ValueError, errors.InvalidArgumentError), (TypeError, errors.InvalidArgumentError),
           (StopIteration, errors.OutOfRangeError), (MemoryError, errors.ResourceExhaustedError),
           (NotImplementedError, errors.UnimplementedError))


def _tf_name(dtype):
    return _TF_NAMES.get(dtype.name, dtype.name)


class PyFunc(GraphOp):
    """Calls attr ``func`` with its inputs as host numpy arrays; its outputs are what ``func`` returned, which
    must match attr ``Tout`` in number and dtypes."""
    name = "PyFunc"

    @staticmethod
    def execute(session, operation, arrays):
        attrs = operation.attrs
        cpu = parse_device("cpu")
        try:
            result = attrs["func"](*[_py_argument(numpy.asarray(to_device(a, cpu))) for a in arrays])
        except errors.OpError:
            raise
        except Exception as error:
            kind = next((e for python, e in _ERRORS if isinstance(error, python)), errors.UnknownError)
            raise kind(None, operation, f"{type(error).__name__}: {error}") from error
        tout, token = attrs["Tout"], operation.name
        values = list(result) if isinstance(result, (list, tuple)) else [result]
        if len(values) != len(tout):
            raise errors.InvalidArgumentError(None, operation, f"{token} returns {len(values)} values, but expects "
                                                               f"to see {len(tout)} values.")
        # strings come back as TF takes them: bytes or str (as UTF-8), alone or in arrays
        arrays = [as_string_array(v) if dtype == string and numpy.asarray(v).dtype.kind in "SU"
                  else numpy.asarray(v) for v, dtype in zip(values, tout)]
        for i, (array, dtype) in enumerate(zip(arrays, tout)):
            if array.dtype != dtype:
                raise errors.InvalidArgumentError(None, operation, f"{i}-th value returned by {token} is "
                                                                   f"{_tf_name(array.dtype)}, but expects "
                                                                   f"{_tf_name(dtype)}")
        return tuple(a if a.dtype == string else session.array_module.asarray(a) for a in arrays)


def _py_argument(array):
    """What ``func`` receives for one input: the array, except that a scalar string arrives as ``bytes`` (as in TF,
    so the usual ``filename.decode()`` works)."""
    return array.item() if array.ndim == 0 and array.dtype == object else array


def py_func(func, inp, Tout, stateful=True, name=None):
    """An op that runs ``func(*values of inp)`` in Python when the graph runs (module docstring). ``Tout``: a
    dtype (the result is then one tensor) or a list of dtypes (a list of tensors). ``stateful`` is accepted for
    compatibility (minidl never merges or skips ops)."""
    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    inputs = [to_tensor(x) for x in inp]
    single = not isinstance(Tout, (list, tuple))
    tout = [dtypes.as_dtype(d) for d in ([Tout] if single else Tout)]
    operation = get_default_graph().create_op(PyFunc, inputs, {"func": func, "Tout": tuple(tout)},
                                              [Spec(None, d) for d in tout], name=name or "PyFunc")
    return operation.outputs[0] if single else list(operation.outputs)


def numpy_function(func, inp, Tout, name=None):
    """``py_func`` by its TF 1.14+ name."""
    return py_func(func, inp, Tout, name=name)


__all__ = ["map_fn", "py_func", "numpy_function"]
