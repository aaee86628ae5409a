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

**py_function** (TF 1.13+) is py_func as TF's eager mode sees it: ``func`` gets *eager tensors* — here an
``EagerTensor``, an array with ``.numpy()``, ``.shape``, ``.dtype`` and numpy's operators — and may return eager
tensors, arrays or Python numbers, converted to ``Tout`` as ``tf.convert_to_tensor`` would (so a Python ``1.5``
may be a float32 result). It is py_func's op underneath (of TF's type ``EagerPyFunc``), with ``func`` wrapped
to do those conversions.
"""
import numpy
from numpy.lib.mixins import NDArrayOperatorsMixin

from .. import ops
from ..backend import device as parse_device, dtypes, to_device
from ..ops.base import Spec
from . import errors
from .array_ops import shape
from .basics import constant
from .core import TensorShape, get_default_graph
from .dtypes import as_dtype
from .function_graph import flatten, pack, same_structure
from .graph_ops import GraphOp
from .loops import while_loop
from .math_ops import rank_at_run_time, to_tensor
from .strings import as_string_array, string
from .tensor_array import TensorArray

#: row i of an elems tensor (of a rank known maybe only when the graph runs)
_row = rank_at_run_time(ops.getitem)


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
            if t.shape.rank == 0:  # (an unknown rank is checked when the slices are taken)
                raise ValueError(f"elems must be 1+ dimensional, got {t.name} of shape {t.shape}")
        static_n = next((t.shape[0] for t in inputs if t.shape[0] is not None), None)
        if any(t.shape[0] not in (None, static_n) for t in inputs):
            raise ValueError(f"All elems must have the same first dimension, got shapes {[t.shape for t in inputs]}")
        n = static_n if static_n is not None else shape(inputs[0])[0]
        out_structure = elems if dtype is None else dtype
        out_dtypes = [t.dtype for t in inputs] if dtype is None else [dtypes.as_dtype(d) for d in flatten(dtype)]
        traced = []  # the static shapes of one result, seen when fn is traced

        def body(i, arrays):
            result = fn(pack(elems, [_row(t, i) for t in inputs]))
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
    must match attr ``Tout`` in number and dtypes. The op of a stateful ``py_func`` (TF's type ``PyFunc``); the
    subclasses below are the same op under TF's other type names, which ``gradient_override_map`` matches."""
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
        # (None is no value at all, as in TF: the side-effect idiom ``tf.py_func(log, [x], [])``)
        values = list(result) if isinstance(result, (list, tuple)) else [] if result is None else [result]
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
        return tuple(session.on_device(a) for a in arrays)


class PyFuncStateless(PyFunc):
    """``py_func(..., stateful=False)``: a ``func`` declared to depend on its inputs alone (TF may then merge or
    skip such ops; minidl runs every op it is asked to, so only the type differs)."""
    name = "PyFuncStateless"


class EagerPyFunc(PyFunc):
    """``py_function``: its ``func`` is wrapped to take and return eager tensors."""
    name = "EagerPyFunc"


def _py_argument(array):
    """What ``func`` receives for one input: the array, except that a scalar string arrives as ``bytes`` (as in TF,
    so the usual ``filename.decode()`` works)."""
    return array.item() if array.ndim == 0 and array.dtype == object else array


def py_func(func, inp, Tout, stateful=True, name=None):
    """An op that runs ``func(*values of inp)`` in Python when the graph runs (module docstring). ``Tout``: a
    dtype (the result is then one tensor) or a list of dtypes (a list of tensors; for an empty list, the op).
    ``stateful``: whether ``func`` may give other results for the same inputs; as in TF, it picks the op's type,
    ``PyFunc`` or ``PyFuncStateless`` (minidl never merges or skips ops, so both run alike)."""
    return _python_op(PyFunc if stateful else PyFuncStateless, func, inp, Tout, name)


def _python_op(op_class, func, inp, Tout, name):
    """An ``op_class`` (a ``PyFunc``) operation calling ``func`` on ``inp``; its result as ``py_func`` returns it."""
    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    inputs = [to_tensor(x) for x in inp]
    single = not isinstance(Tout, (list, tuple))
    tout = [dtypes.as_dtype(d) for d in ([Tout] if single else Tout)]
    operation = get_default_graph().create_op(op_class, inputs, {"func": func, "Tout": tuple(tout)},
                                              [Spec(None, d) for d in tout], name=name or op_class.name)
    if not tout:  # TF returns the op itself when there is no output, so that a session can run it
        return operation
    return operation.outputs[0] if single else list(operation.outputs)


def numpy_function(func, inp, Tout, name=None):
    """``py_func`` by its TF 1.14+ name."""
    return py_func(func, inp, Tout, name=name)


# ============================================================================================ py_function

class EagerTensor(NDArrayOperatorsMixin):
    """What ``py_function``'s ``func`` gets for each input: the value, with the parts of TF's eager tensor that such
    functions use — ``.numpy()``, ``.shape`` (a ``TensorShape``), ``.dtype`` (a ``tf.DType``), indexing, ``len``,
    ``int()``/``float()``/``bool()``, and numpy's operators and ufuncs (``x * 2``, ``np.exp(x)``), whose results
    are eager tensors again. Other numpy functions (``np.mean(x)``) see it as an array and return arrays."""
    __slots__ = ("_array",)

    def __init__(self, array):
        self._array = array

    def numpy(self):
        """The value as a numpy array (a scalar string as ``bytes``, as TF gives it)."""
        return _py_argument(self._array)

    @property
    def shape(self):
        return TensorShape(self._array.shape)

    @property
    def dtype(self):
        return as_dtype(self._array.dtype)

    @property
    def ndim(self):
        return self._array.ndim

    def __array__(self, dtype=None, copy=None):
        return self._array if dtype is None else self._array.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # every operator of NDArrayOperatorsMixin lands here: compute on the arrays, hand back eager tensors
        arrays = [x._array if isinstance(x, EagerTensor) else x for x in inputs]
        result = getattr(ufunc, method)(*arrays, **kwargs)
        if isinstance(result, tuple):
            return tuple(EagerTensor(numpy.asarray(r)) for r in result)
        return EagerTensor(numpy.asarray(result))

    def __getitem__(self, index):
        return EagerTensor(numpy.asarray(self._array[index]))

    def __len__(self):
        return len(self._array)

    def __int__(self):
        return int(self._array)

    def __float__(self):
        return float(self._array)

    def __bool__(self):
        return bool(self._array)

    def __repr__(self):
        return f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={self._array!r}>"


def _convertible(source, target):
    """Whether TF's conversion of a number or array to an eager tensor casts ``source`` to ``target``: integers to
    any integer or floating type, floats to other floats, both to complex (``IsCompatible`` in TF's
    pywrap_tensor.cc). Anything else is not converted (and py_func then reports the dtype)."""
    if source.kind in "iu":
        return target.kind in "iufc"
    return (source.kind == "f" and target.kind in "fc") or (source.kind == "c" and target.kind == "c")


def _eager_result(value, dtype):
    """One value ``func`` returned, as py_func takes it: an eager tensor must already have the promised ``dtype``
    (TF's ``convert_to_tensor`` never casts a tensor); numbers, lists and arrays are cast where TF would."""
    if isinstance(value, EagerTensor):
        if value.dtype != dtype:
            raise ValueError(f"Tensor conversion requested dtype {as_dtype(dtype).name} for Tensor with dtype "
                             f"{value.dtype.name}: {value!r}")
        return value._array
    array = numpy.asarray(value)
    return array.astype(dtype) if array.dtype != dtype and _convertible(array.dtype, dtype) else value


def py_function(func, inp, Tout, name=None):
    """An op that runs ``func`` in Python when the graph runs, on eager tensors (``EagerTensor``) holding the values
    of ``inp`` (module docstring). ``Tout``: a dtype (one result tensor) or a list of them (a list of tensors; for
    an empty list, the op, and ``func`` returns None). The results' shapes are unknown to the graph.

    TF's py_function is differentiable, through a GradientTape around ``func``; this one is not: the gradient
    through it is None, as for py_func, because ``func`` computes with numpy here, which records nothing.
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    tout = [dtypes.as_dtype(d) for d in (Tout if isinstance(Tout, (list, tuple)) else [Tout])]

    def eager_func(*values):  # py_func's arguments: arrays, or bytes for a scalar string (tf.string is object)
        result = func(*[EagerTensor(numpy.asarray(v, dtype=object if isinstance(v, bytes) else None))
                        for v in values])
        results = [] if result is None else list(result) if isinstance(result, (list, tuple)) else [result]
        if len(results) != len(tout):  # py_func reports the count
            return results
        return [_eager_result(r, d) for r, d in zip(results, tout)]

    return _python_op(EagerPyFunc, eager_func, inp, Tout, name)


__all__ = ["map_fn", "py_func", "numpy_function", "py_function"]
