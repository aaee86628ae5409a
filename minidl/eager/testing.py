"""``torchlike.testing``: ``assert_close`` (are two results equal up to rounding?) and ``make_tensor`` (random test
inputs), as in PyTorch's ``torch.testing``.

Two floats computed by different routes rarely agree to the last bit, so a test asks whether they are *close*:
``|actual - expected| <= atol + rtol·|expected|`` for every element. The default tolerances depend on the dtype —
a few units in the last place for float32, less for float64; integers and bools must match exactly.
"""
import math
import numbers
from collections.abc import Mapping, Sequence

import numpy

from ..backend import device as parse_device, dtypes, to_device
from .formatting import dtype_name
from .random import numpy_rng
from .tensor import Size, Tensor

__all__ = ["assert_close", "make_tensor"]

#: PyTorch's default (rtol, atol) per dtype; dtypes not listed (integers, bool) compare exactly
_TOLERANCES = {dtypes.float16: (1e-3, 1e-5), dtypes.float32: (1.3e-6, 1e-5), dtypes.float64: (1e-7, 1e-7),
               dtypes.complex64: (1.3e-6, 1e-5), dtypes.complex128: (1e-7, 1e-7)}
_NUMBERS = (bool, int, float, complex)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False, check_device=True,
                 check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise an ``AssertionError`` unless ``actual`` and ``expected`` are close.

    Both may be tensors, numpy arrays, Python numbers, or sequences / mappings of those (compared item by item).
    Tensors must agree in shape, device and (with ``check_dtype``) dtype, and elementwise satisfy
    ``|actual - expected| <= atol + rtol·|expected|``; infinities must be equal, and NaNs count as equal only with
    ``equal_nan``. ``rtol`` and ``atol`` are given together or not at all (then the dtype's defaults apply).
    ``msg`` replaces the message (a string) or edits it (a function of the message).
    ``allow_subclasses``, ``check_layout`` and ``check_stride`` are accepted for PyTorch's signature."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'atol' if atol is None else 'rtol'}.")
    try:
        _compare(actual, expected, rtol, atol, equal_nan, check_device, check_dtype)
    except AssertionError as error:
        message = str(error)
        if msg is not None:
            message = msg(message) if callable(msg) else msg
        raise AssertionError(message) from None


def _compare(actual, expected, rtol, atol, equal_nan, check_device, check_dtype, path=""):
    """Compare one pair; containers recurse, and a failure inside one says which item failed."""
    try:
        if isinstance(actual, Tensor) and isinstance(expected, Tensor) or \
                isinstance(actual, numpy.ndarray) and isinstance(expected, numpy.ndarray):
            return _compare_tensors(actual, expected, rtol, atol, equal_nan, check_device, check_dtype)
        if isinstance(actual, _NUMBERS) and isinstance(expected, _NUMBERS):
            if type(actual) is not type(expected):
                raise AssertionError(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
            return _compare_values(numpy.asarray(actual), numpy.asarray(expected), rtol, atol, equal_nan)
    except AssertionError as error:
        raise AssertionError(f"{error}\n\nThe failure occurred for item {path}" if path else str(error)) from None
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            raise AssertionError(f"The keys of the mappings do not match:\n"
                                 f"Missing keys in the actual mapping: {sorted(set(expected) - set(actual))}\n"
                                 f"Additional keys in the actual mapping: {sorted(set(actual) - set(expected))}")
        for key in expected:
            _compare(actual[key], expected[key], rtol, atol, equal_nan, check_device, check_dtype,
                     f"{path}[{key!r}]")
        return
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise AssertionError(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_device, check_dtype, f"{path}[{i}]")
        return
    raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.")


def _is_sequence(value):
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_device, check_dtype):
    """Attributes first (shape, device, dtype), then the values, on the CPU."""
    if tuple(actual.shape) != tuple(expected.shape):
        raise AssertionError(f"The values for attribute 'shape' do not match: {Size(actual.shape)!r} != "
                             f"{Size(expected.shape)!r}.")
    if isinstance(actual, Tensor):
        if check_device and actual.device != expected.device:
            raise AssertionError(f"The values for attribute 'device' do not match: {actual.device} != "
                                 f"{expected.device}.")
        actual, expected = (to_device(t._data, parse_device("cpu")) for t in (actual, expected))
    if check_dtype and actual.dtype != expected.dtype:
        raise AssertionError(f"The values for attribute 'dtype' do not match: {dtype_name(actual.dtype)} != "
                             f"{dtype_name(expected.dtype)}.")
    _compare_values(actual, expected, rtol, atol, equal_nan)


def _compare_values(actual, expected, rtol, atol, equal_nan):
    """The elementwise test and, when it fails, PyTorch's report: how many elements differ, and the largest
    absolute and relative differences with their positions."""
    if rtol is None:  # the defaults of the dtypes (the looser ones, when the dtypes differ)
        rtol, atol = (max(values) for values in zip(*(_TOLERANCES.get(a.dtype, (0.0, 0.0))
                                                      for a in (actual, expected))))
    common = dtypes.promote_types(actual.dtype, expected.dtype)
    if common.kind in "biu":  # differences of integers: no wrap-around of unsigned ones, no bool subtraction
        common = dtypes.int64
    a, e = actual.astype(common), expected.astype(common)
    with numpy.errstate(invalid="ignore", over="ignore", divide="ignore"):
        absolute = numpy.abs(a - e)
        close = (a == e) | (numpy.isfinite(a) & numpy.isfinite(e) & (absolute <= atol + rtol * numpy.abs(e)))
        if equal_nan:
            close |= numpy.isnan(a) & numpy.isnan(e)
    if close.all():
        return
    exact = rtol == 0 and atol == 0
    verdict = "equal" if exact else "close"

    def allowed(tolerance):
        return "" if exact else f" (up to {tolerance} allowed)"
    if actual.ndim == 0:  # one number: its differences in Python's float64 arithmetic
        got, wanted = a.item(), e.item()
        difference = abs(got - wanted)
        raise AssertionError(f"Scalars are not {verdict}!\n\nExpected {wanted} but got {got}.\n"
                             f"Absolute difference: {difference}{allowed(atol)}\n"
                             f"Relative difference: {difference / abs(wanted) if wanted else math.inf}"
                             f"{allowed(rtol)}")

    def greatest(difference):
        """The largest difference among the mismatched elements and its position. The matching elements count as
        0, so that a match cannot be reported (nor its 0/0 = NaN relative difference where expected is 0); a
        mismatched expected 0 gives an infinite relative difference. ``argmax`` takes the first of equal maxima
        and the first NaN (a NaN beats everything), as PyTorch's ``max`` does."""
        difference[close] = 0
        flat = int(numpy.argmax(difference))
        position = tuple(int(i) for i in numpy.unravel_index(flat, difference.shape))
        return f"{difference.flat[flat].item()} at index {position}"
    relative_dtype = dtypes.get_default_dtype() if common.kind == "i" else dtypes.to_real(common)
    with numpy.errstate(invalid="ignore", divide="ignore"):
        relative = absolute.astype(relative_dtype) / numpy.abs(e).astype(relative_dtype)
    mismatched = int((~close).sum())
    raise AssertionError(f"Tensor-likes are not {verdict}!\n\n"
                         f"Mismatched elements: {mismatched} / {close.size} ({mismatched / close.size:.1%})\n"
                         f"Greatest absolute difference: {greatest(absolute)}{allowed(atol)}\n"
                         f"Greatest relative difference: {greatest(relative)}{allowed(rtol)}")


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` filled with random values for tests, drawn from the default generator
    (``manual_seed`` makes them reproducible): uniform in [low, high) — by default [-9, 9) for floating point and
    complex dtypes (both parts), the integers -9 ... 9 for integer ones (0 ... 9 for uint8), True/False for bool.
    ``exclude_zero`` replaces zeros (by 1 for integers, by the tiniest normal number for floats);
    ``noncontiguous`` gives a strided view instead of a compact tensor. ``memory_format`` is accepted for
    PyTorch's signature."""
    shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    dtype, rng = dtypes.as_dtype(dtype), numpy_rng()
    if dtype.kind == "b":
        array = rng.integers(0, 2, shape).astype(dtype)
    else:
        low, high = _range(dtype, low, high)
        if dtype.kind in "iu":
            array = rng.integers(low, high, shape, endpoint=False).astype(dtype)
        else:
            real = dtypes.to_real(dtype)
            array = rng.uniform(low, high, shape).astype(real)
            if dtype.kind == "c":
                array = array + 1j * rng.uniform(low, high, shape).astype(real)
            array = array.astype(dtype)
    if exclude_zero:
        array[array == 0] = 1 if dtype.kind in "biu" else numpy.finfo(dtypes.to_real(dtype)).tiny
    if noncontiguous and array.size > 1:  # every other entry of a twice-as-long last dim
        array = numpy.repeat(array, 2, axis=-1)[..., ::2]
    t = Tensor._make(array)
    if parse_device(device) != parse_device("cpu"):
        t = t.to(device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _range(dtype, low, high):
    """[low, high) with PyTorch's defaults, clamped to what ``dtype`` can hold."""
    default_low = 0 if dtype == dtypes.uint8 else -9
    default_high = 10 if dtype.kind in "iu" else 9
    low = default_low if low is None else low
    high = default_high if high is None else high
    for name, value in (("low", low), ("high", high)):
        if not isinstance(value, numbers.Real) or value != value:
            raise ValueError(f"`{name}` must be a finite number, but got {value!r}")
    if low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    if dtype.kind in "iu":
        info = numpy.iinfo(dtype)
        return max(int(low), int(info.min)), min(int(high), int(info.max) + 1)
    return float(low), float(high)
