"""Creating tensors: from data (``tensor``, ``as_tensor``, ``from_numpy``) and from a shape (``zeros``, ...)."""
import functools
import math
import numbers
import warnings

import numpy

from .. import ops
from ..backend import array_module_on, device as _device, dtypes, get_array_module, is_array, to_device
from ..backend.linspace import linspace_values
from ..ops.infer import broadcast_shapes
from ..ops.promote import check_fits
from .element_types import as_numpy_dtype
from .layouts import check_factory_options
from .random import numpy_rng
from .sampling import check_integer_range, check_spread
from .tensor import Tensor


def _data_dtype(array):
    """PyTorch's dtype for data given as Python numbers: floats -> default float, ints -> int64."""
    kind = array.dtype.kind
    if kind == "f":
        return dtypes.get_default_dtype()
    if kind == "c":
        return dtypes.to_complex(dtypes.get_default_dtype())
    if kind in "iu":
        return dtypes.int64
    if kind == "b":
        return dtypes.bool_
    if kind == "O" and any(x is None for x in array.flat):
        raise TypeError("Could not infer dtype of NoneType: the data holds None where a tensor needs numbers")
    raise TypeError(f"can't convert data of numpy dtype {array.dtype} to a tensor; only bool, integer, "
                    "floating point and complex data are supported")


def as_array(data, dtype=None, copy=False):
    """An ndarray for ``data``: Tensors give their array, arrays keep their dtype, Python data follows PyTorch."""
    if isinstance(data, Tensor):
        array = data._data
    elif is_array(data) or isinstance(data, numpy.generic):  # numpy scalars keep their dtype, like arrays
        array = numpy.asarray(data) if isinstance(data, numpy.generic) else data
        if array.dtype.kind not in "biufc":
            _data_dtype(array)  # raises a clear error for object/string arrays
        if array.dtype.char in "gG":  # (numpy's extended precision: no PyTorch dtype, no kernels)
            raise TypeError(f"can't convert a numpy array of type numpy.{array.dtype.name} to a tensor; the "
                            f"supported types are bool, uint8, int8, int16, int32, int64, float16, float32, "
                            f"float64, complex64 and complex128 (convert it: .astype(numpy."
                            f"{'complex128' if array.dtype.kind == 'c' else 'float64'}))")
    else:
        if dtype is None and isinstance(data, (list, tuple)):
            dtype = _sequence_dtype(data)
        if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flatten(data)):
            data = _nested_items(data)
        try:
            array = numpy.array(data)
        except ValueError:  # numpy's "inhomogeneous shape": say where, in PyTorch's words
            raise ValueError(f"tensor(): {_ragged(data)}; a tensor needs lists of equal lengths at each "
                             f"level") from None
        if dtype is None:  # a lone number is typed as PyTorch types it (numpy makes 2**64 an object array)
            dtype = dtypes.scalar_dtype(data) if isinstance(data, numbers.Number) else _data_dtype(array)
    if dtype is not None:
        dtype = as_numpy_dtype(dtype)
        # PyTorch checks the numbers it converts one by one (Python's and numpy's scalars), not arrays; a float dtype
        # rounds a number too large for it to inf there, and a complex number is refused even with imaginary part 0
        if dtype.kind in "fiu" and not (isinstance(data, Tensor) or is_array(data)):
            if array.dtype.kind == "c":
                raise TypeError(f"tensor(): must be real number, not complex: the data holds complex numbers and "
                                f"dtype={dtype} is real (take .real first, or ask for a complex dtype)")
            if dtype.kind in "iu":
                check_fits("tensor()", array, dtype)
        if array.dtype != dtype:
            return array.astype(dtype)
    return array.copy() if copy else array


def _sequence_dtype(data):
    """PyTorch's dtype for a (nested) list: the promotion of its elements' types, where a tensor, a numpy array or
    scalar brings its own dtype and a Python number bool, int64, the default float or its complex
    (``[np.float64(0.1), 0.2]`` is float64, ``[np.int32(1), 2.5]`` float32). None for an empty list, or elements
    of other kinds (numpy then decides, or refuses). Read by element type, so that a long list of Python numbers
    costs little."""
    kinds = set(map(type, data))
    if list in kinds or tuple in kinds:
        data = list(_flatten(data))
        kinds = set(map(type, data))
    default = dtypes.get_default_dtype()
    python = {bool: dtypes.bool_, int: dtypes.int64, float: default, complex: dtypes.to_complex(default)}
    found = set()
    for kind in kinds:
        if kind in python:
            found.add(python[kind])
        elif issubclass(kind, numpy.generic):
            found.add(numpy.dtype(kind))
        else:  # tensors and arrays: each brings its dtype
            same = [x for x in data if type(x) is kind]
            if not (isinstance(same[0], Tensor) or is_array(same[0])):
                return None
            found.update(x._data.dtype if isinstance(x, Tensor) else x.dtype for x in same)
    return functools.reduce(dtypes.promote_types, found) if found else None


def _ragged(data):
    """Where nested lists stop being rectangular: "expected sequence of length n at dim d (got m)"."""
    level, dim = [data], 0
    while True:
        lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in level]
        if all(n is None for n in lengths):
            return "its elements are not all numbers"
        if None in lengths:
            return f"expected a sequence at dim {dim} (got a number)"
        if len(set(lengths)) > 1:
            other = next(n for n in lengths if n != lengths[0])
            return f"expected sequence of length {lengths[0]} at dim {dim} (got {other})"
        level, dim = [y for x in level for y in x], dim + 1


def _flatten(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flatten(x)
        else:
            yield x


def _nested_items(data):
    """``data`` with each tensor in it replaced by its one number (PyTorch's rule for a list holding tensors)."""
    return [_nested_items(x) if isinstance(x, (list, tuple)) else (_one_number(x) if isinstance(x, Tensor) else x)
            for x in data]


def _numbers(*values):
    """The factory arguments given as one-element tensors read as numbers, as PyTorch reads them."""
    return [_one_number(v) if isinstance(v, Tensor) else v for v in values]


def _one_number(t):
    if t.numel() != 1:  # (PyTorch's class and words: torch.stack is what joins bigger tensors)
        raise ValueError("only one element tensors can be converted to Python scalars")
    return t.item()


_default_device = [None]  # where factories put a tensor when not told: set_default_device's device (None: the CPU)


def set_default_device(device):
    """``torch.set_default_device("cuda")``: the factory functions (``tensor``, ``zeros``, ``randn``, ...) make
    their tensors there when not told a device; ``None`` or "cpu": on the CPU again. (``from_numpy`` shares the
    array's memory, so stays on the CPU; ``*_like`` follow their input.)"""
    device = None if device is None else _device(device)
    _default_device[0] = None if device is None or device.type == "cpu" else device


def get_default_device():
    return _default_device[0] or _device("cpu")


def _made_where_it_goes(device, make):
    """``make(xp)`` by the array library of the device the tensor goes to: a GPU tensor of zeros is made on the
    GPU, not made on the host and copied over (a copy the host waits for)."""
    device = _default_device[0] if device is None else device
    xp, context = array_module_on(_device("cpu" if device is None else device))
    with context:
        return make(xp)


def _finish(array, device, requires_grad):
    device = _default_device[0] if device is None else device
    if device is not None:
        array = to_device(array, _device(device))
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data``."""
    check_factory_options("tensor", pin_memory=pin_memory)
    if isinstance(data, Tensor):  # PyTorch's advice: a copy of a tensor is spelled clone(), which says what it keeps
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    return _finish(as_array(data, dtype, copy=True), device, requires_grad)


def scalar_tensor(s, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A 0-d tensor holding the number ``s``, of the default float dtype unless ``dtype`` says otherwise."""
    check_factory_options("scalar_tensor", layout, pin_memory)
    return tensor(s.item() if isinstance(s, Tensor) else s, dtype=_float_dtype(dtype), device=device,
                  requires_grad=requires_grad)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor: sharing memory with a tensor or numpy array when no conversion is needed and ``copy``
    is not True (``copy=False`` refuses to copy: an error if it must), copying otherwise (the array API's rule)."""
    result = as_tensor(obj, dtype, device)
    array = obj._data if isinstance(obj, Tensor) else obj if is_array(obj) else None
    xp = get_array_module(result._data)
    shared = array is not None and get_array_module(array) is xp and xp.shares_memory(result._data, array)
    if copy is False and not shared:
        raise ValueError("asarray(): copy=False, but the data cannot be used without a copy")
    if copy and shared:
        result = result.clone()
    return result.requires_grad_(True) if requires_grad else result


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with ``data`` (an ndarray or tensor) when no conversion is needed."""
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    return _finish(as_array(data, dtype), device, False)


def from_numpy(array):
    """A tensor sharing memory with the numpy array: changing one changes the other."""
    if not isinstance(array, numpy.ndarray):
        raise TypeError(f"from_numpy expected a numpy.ndarray, got {type(array).__name__}")
    as_array(array)  # validates the dtype
    return Tensor._make(array)


def _size(size, fn_name, keyword=None):
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(size=(2, 3))`` (``keyword``)."""
    if keyword is not None:
        if size:
            raise TypeError(f"{fn_name}() got the size twice: as arguments {size} and as size={keyword!r}")
        size = (keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(_as_int(d) for d in size)  # (a 0-d integer tensor counts as its number, as in PyTorch)
    for d in size:
        if not isinstance(d, numbers.Integral) or isinstance(d, bool):
            raise TypeError(f"{fn_name}(): size must be a sequence of ints, got {size!r}")
        if d < 0:
            raise RuntimeError(f"{fn_name}(): trying to create tensor with negative dimension {d}: {list(size)}")
    return tuple(int(d) for d in size)


def _as_int(value):
    """A 0-d integer tensor's number; anything else as it is (for the caller to check)."""
    if isinstance(value, Tensor) and value.ndim == 0 and value.dtype.kind in "iu":
        return int(value.item())
    return value


def _float_dtype(dtype):
    return dtypes.get_default_dtype() if dtype is None else as_numpy_dtype(dtype)


def zeros(*shape, size=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    check_factory_options("zeros", layout, pin_memory)
    shape, dtype = _size(shape, "zeros", size), _float_dtype(dtype)
    return _finish(_made_where_it_goes(device, lambda xp: xp.zeros(shape, dtype)), device, requires_grad)


def ones(*shape, size=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    check_factory_options("ones", layout, pin_memory)
    shape, dtype = _size(shape, "ones", size), _float_dtype(dtype)
    return _finish(_made_where_it_goes(device, lambda xp: xp.ones(shape, dtype)), device, requires_grad)


def empty(*shape, size=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False,
          memory_format=None):
    check_factory_options("empty", layout, pin_memory, memory_format)
    shape, dtype = _size(shape, "empty", size), _float_dtype(dtype)
    return _finish(_made_where_it_goes(device, lambda xp: xp.empty(shape, dtype)), device, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """An uninitialized tensor of ``size`` whose consecutive elements along dim k lie ``stride[k]`` elements apart:
    a strided view of just enough new memory (``1 + Σ (size_k - 1)·stride_k`` elements)."""
    check_factory_options("empty_strided", layout, pin_memory)
    size, stride = _size((size,), "empty_strided"), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"empty_strided: mismatch in length of strides and shape (size {list(size)}, stride "
                           f"{list(stride)})")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"empty_strided: negative strides are not supported, got stride {list(stride)}")
    needed = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    memory = empty(needed, dtype=dtype, device=device)
    return memory.as_strided(size, stride).requires_grad_(requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """Filled with ``fill_value``; the dtype follows the value (1 -> int64, 1.5 -> float32) unless given. A value the
    dtype cannot hold is an error (300 in uint8), except a negative integer in an unsigned dtype, which wraps around
    as in PyTorch (-1 -> 255)."""
    check_factory_options("full", layout, pin_memory)
    return _full("full", size, fill_value, dtype, device, requires_grad)


def _full(name, size, fill_value, dtype, device, requires_grad):
    if isinstance(fill_value, Tensor):  # a 0-d tensor: its number
        fill_value = fill_value.item()
    if not isinstance(fill_value, numbers.Number):  # (numpy's scalars are Numbers too)
        raise TypeError(f"{name}(): argument 'fill_value' must be a number, not {type(fill_value).__name__}")
    dtype = as_numpy_dtype(dtypes.scalar_dtype(fill_value) if dtype is None else dtype)
    value = numpy.asarray(fill_value)
    check_fits(f"{name}()", value, dtype)
    if dtype.kind != "c":
        value = value.real  # (0 imaginary part, checked above)
    shape, value = _size((size,), name), value.astype(dtype)[()]
    return _finish(_made_where_it_goes(device, lambda xp: xp.full(shape, value, dtype)), device, requires_grad)


def arange(start=None, end=None, step=1, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """``[start, end)`` in steps: ``start + i·step`` for i = 0, 1, ..., n - 1 with n = ⌈(end - start) / step⌉,
    computed in float64 as PyTorch does. Integer arguments give int64, any float argument the default float dtype.
    Float values are rounded once from float64; PyTorch's CPU kernel rounds twice inside its SIMD chunks (whose width
    depends on the CPU), so its values can differ in the last bit.

    For an integer dtype the three arguments are first truncated to integers, as PyTorch's int64 arange does:
    ``arange(0, 5, 1.5, dtype=int64)`` is 0, 1, 2, 3, 4 (steps of 1, not the float steps rounded, 0, 1, 3, 4), and a
    step that truncates to 0 (``arange(0, 1, 0.3, dtype=int64)``) is an error. (PyTorch's narrower integer dtypes
    take n from the float arguments and the values from the truncated ones — ``arange(0, 1, 0.3, dtype=int32)`` is
    0, 0, 0, 0 there; here every integer dtype follows int64's rule.)"""
    check_factory_options("arange", layout, pin_memory)
    if start is None and end is None:
        raise TypeError("arange() missing required argument 'end'")
    if end is None:  # arange(end)
        start, end = 0, start
    elif start is None:  # arange(end=...)
        start = 0
    start, end, step = _numbers(start, end, step)
    dtype = as_numpy_dtype(dtypes.result_type(start, end, step) if dtype is None else dtype)
    if dtype.kind == "b":  # (numpy's answer, False, True, True, ..., counts nothing)
        raise NotImplementedError('"arange_cpu" not implemented for \'Bool\': a range needs a number dtype')
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if not all(math.isfinite(v) for v in (start, end, step)):
        raise RuntimeError(f"arange(): unsupported range: {start} -> {end} (step {step}): the bounds must be finite")
    if (end - start) * step < 0:  # numpy answers with an empty array; PyTorch calls it a mistake
        raise RuntimeError(f"arange(): upper bound and lower bound inconsistent with step sign (start={start}, "
                           f"end={end}, step={step})")
    if dtype.kind in "iu":
        first, last, stride = int(start), int(end), int(step)
        if stride == 0:
            raise ValueError(f"arange(): step must be nonzero: with the integer dtype {dtype} the step {step} is "
                             f"truncated to 0")
        count = -((first - last) // stride)  # ⌈(last - first) / stride⌉, exactly
        values = first + stride * numpy.arange(count, dtype=numpy.int64)
    else:
        values = start + step * numpy.arange(math.ceil((end - start) / step), dtype=numpy.float64)
    return _finish(values.astype(dtype), device, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    check_factory_options("linspace", layout, pin_memory)
    _check_steps("linspace", steps)
    if dtype is None and (numpy.iscomplexobj(start) or numpy.iscomplexobj(end)):
        dtype = dtypes.to_complex(dtypes.get_default_dtype())  # complex ends give complex steps
    dtype = _float_dtype(dtype)
    if dtype.kind == "c":
        return _finish(numpy.linspace(start, end, int(steps)).astype(dtype), device, requires_grad)
    return _finish(linspace_values(start, end, int(steps), dtype), device, requires_grad)


def _check_steps(name, steps):
    if int(steps) < 0:
        raise RuntimeError(f"{name}(): number of steps must be non-negative, got {steps}")


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    check_factory_options("logspace", layout, pin_memory)
    _check_steps("logspace", steps)
    start, end, base = _numbers(start, end, base)
    return _finish(numpy.logspace(start, end, int(steps), base=base).astype(_float_dtype(dtype)), device,
                   requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    check_factory_options("eye", layout, pin_memory)
    for what, size in (("n", n), ("m", n if m is None else m)):
        if not isinstance(size, numbers.Integral) or isinstance(size, bool):
            raise TypeError(f"eye(): argument '{what}' must be int, not {type(size).__name__}")
        if size < 0:
            raise RuntimeError(f"eye(): {what} must be greater or equal to 0, got {size}")
    dtype = _float_dtype(dtype)
    return _finish(_made_where_it_goes(device, lambda xp: xp.eye(n, m, dtype=dtype)), device, requires_grad)


def _random_values(name, draw, size, dtype, part_scale=1.0):
    """``draw(size, dtype)`` (numpy draws float32 and float64; float16 is drawn in float64 and rounded). A complex
    dtype gets its real and imaginary parts drawn as pairs of its real dtype, each times ``part_scale``, as
    PyTorch's complex random factories do; other dtypes are refused."""
    if dtype.kind == "c":
        real = numpy.dtype(dtype.type(0).real.dtype)
        pairs = _random_values(name, draw, tuple(size) + (2,), real) * real.type(part_scale)
        return pairs.view(dtype).reshape(size)
    if dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point or complex dtype, got {dtype} (randint draws integers)")
    return draw(size, dtype if dtype.itemsize >= 4 else None).astype(dtype, copy=False)


def rand(*shape, size=None, generator=None, dtype=None, device=None, requires_grad=False, layout=None,
         pin_memory=False):
    """Uniform on [0, 1) (for a complex dtype: the real and the imaginary part each)."""
    check_factory_options("rand", layout, pin_memory)
    array = _random_values("rand", numpy_rng(generator).random, _size(shape, "rand", size), _float_dtype(dtype))
    return _finish(array, device, requires_grad)


def randn(*shape, size=None, generator=None, dtype=None, device=None, requires_grad=False, layout=None,
          pin_memory=False):
    """Standard normal. For a complex dtype, E|z|² = 1 as in PyTorch: the real and the imaginary part are each
    normal with variance 1/2."""
    check_factory_options("randn", layout, pin_memory)
    array = _random_values("randn", numpy_rng(generator).standard_normal, _size(shape, "randn", size),
                           _float_dtype(dtype), part_scale=0.5 ** 0.5)
    return _finish(array, device, requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False, layout=None,
            pin_memory=False):
    """Integers uniform on ``[low, high)``; ``randint(high, size)`` starts at 0."""
    check_factory_options("randint", layout, pin_memory)
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    dtype = dtypes.int64 if dtype is None else as_numpy_dtype(dtype)
    check_integer_range(low, high, dtype)
    array = numpy_rng(generator).integers(low, high, _size((size,), "randint"))
    return _finish(array.astype(dtype), device, requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    check_factory_options("randperm", layout, pin_memory)
    if int(n) < 0:
        raise RuntimeError(f"randperm(): n must be non-negative, got {n}")
    dtype = dtypes.int64 if dtype is None else as_numpy_dtype(dtype)
    if dtype.kind == "b":
        raise NotImplementedError('"randperm" not implemented for \'Bool\': a permutation needs a number dtype')
    array = numpy_rng(generator).permutation(int(n))
    return _finish(array.astype(dtype), device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, generator=None, dtype=None, device=None, requires_grad=False, layout=None,
           pin_memory=False):
    """Samples of N(mean, std²): ``size`` of them for numbers ``mean`` and ``std``, or one per element of the
    tensor ``mean`` and/or ``std`` (broadcast together), like PyTorch's four forms."""
    check_factory_options("normal", layout, pin_memory)
    check_spread("normal", "std", std)
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if size is None:
        if not tensors:
            raise TypeError("normal(): give size= when mean and std are numbers")
        size = broadcast_shapes("normal", *(tuple(t.shape) for t in tensors))
        dtype, device = dtype or tensors[0].dtype, device or tensors[0].device
    samples = randn(*_size((size,), "normal"), generator=generator, dtype=dtype, device=device) * std + mean
    return samples if tensors else samples.requires_grad_(requires_grad)  # numbers: a leaf


# ---------------------------------------------------------------------------------------------- *_like

def _check_input(name, input):
    """``*_like(input)`` needs a tensor to copy the shape, dtype and device from."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")


def _like(fn, t, dtype, device, requires_grad, *args, **kwargs):
    return fn(*args, *t.shape, dtype=t.dtype if dtype is None else dtype,
              device=t.device if device is None else device, requires_grad=requires_grad, **kwargs)


def zeros_like(input, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, memory_format=None):
    check_factory_options("zeros_like", layout, pin_memory, memory_format, preserve=True)
    _check_input("zeros_like", input)
    if dtype is None and device is None and not requires_grad:
        return ops.zeros_like(input)
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, memory_format=None):
    check_factory_options("ones_like", layout, pin_memory, memory_format, preserve=True)
    _check_input("ones_like", input)
    if dtype is None and device is None and not requires_grad:
        return ops.ones_like(input)
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, memory_format=None):
    check_factory_options("empty_like", layout, pin_memory, memory_format, preserve=True)
    _check_input("empty_like", input)
    return _like(empty, input, dtype, device, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False,
              memory_format=None):
    check_factory_options("full_like", layout, pin_memory, memory_format, preserve=True)
    _check_input("full_like", input)
    return _full("full_like", tuple(input.shape), fill_value, input.dtype if dtype is None else dtype,
                 input.device if device is None else device, requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False, generator=None, layout=None, pin_memory=False,
              memory_format=None):
    check_factory_options("rand_like", layout, pin_memory, memory_format, preserve=True)
    _check_input("rand_like", input)
    return _like(rand, input, dtype, device, requires_grad, generator=generator)


def randn_like(input, dtype=None, device=None, requires_grad=False, generator=None, layout=None, pin_memory=False,
               memory_format=None):
    check_factory_options("randn_like", layout, pin_memory, memory_format, preserve=True)
    _check_input("randn_like", input)
    return _like(randn, input, dtype, device, requires_grad, generator=generator)


def randint_like(input, low, high=None, dtype=None, device=None, requires_grad=False, generator=None, layout=None,
                 pin_memory=False, memory_format=None):
    check_factory_options("randint_like", layout, pin_memory, memory_format, preserve=True)
    _check_input("randint_like", input)
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), generator=generator,
                   dtype=input.dtype if dtype is None else dtype, device=input.device if device is None else device)


# ------------------------------------------------------------------------------------ window functions

def _window(name, window_length, periodic, dtype, layout, device, requires_grad, **parameters):
    """A window function (the formulas are in ``ops/window_functions.py``) as a new tensor."""
    from ..ops.window_functions import window
    check_factory_options(name, layout)
    return _finish(window(name, window_length, periodic, dtype, **parameters), device, requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window("hann_window", window_length, periodic, dtype, layout, device, requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   requires_grad=False):
    return _window("hamming_window", window_length, periodic, dtype, layout, device, requires_grad, alpha=alpha,
                   beta=beta)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window("blackman_window", window_length, periodic, dtype, layout, device, requires_grad)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window("bartlett_window", window_length, periodic, dtype, layout, device, requires_grad)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):
    return _window("kaiser_window", window_length, periodic, dtype, layout, device, requires_grad, beta=beta)
