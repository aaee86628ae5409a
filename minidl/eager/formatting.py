"""``repr`` of a tensor in PyTorch's style: ``tensor([1.0000, 2.5000], requires_grad=True)``, and ``set_printoptions``."""
import sys

import numpy

from ..backend import device, dtypes, to_device

_IMPLIED_WHEN_NONEMPTY = {dtypes.int64, dtypes.bool_}


_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=sys.maxsize, edgeitems=3, linewidth=80)}
_options = dict(_PROFILES["default"], sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """PyTorch's print options: decimals, how many elements before "..." summarising (``threshold``), how many
    at each edge then, line width; ``profile`` 'default', 'short' or 'full' sets them all; ``sci_mode`` True/False
    forces or forbids e-notation (None: decide per tensor)."""
    if profile is not None:
        _options.update(_PROFILES[profile])
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth)
    _options.update({k: v for k, v in given.items() if v is not None})
    _options["sci_mode"] = sci_mode


def _format_options(array):
    """numpy's ``formatter`` for PyTorch's number format. A complex number is printed as its real part, then its
    imaginary part with its sign and a ``j``, each part in the format PyTorch picks for all the real (imaginary)
    parts alone; the real parts are right-aligned, the imaginary ones not (``[ 1.+0.j, -1.-2.j,  3.+100.j]``)."""
    if array.dtype.kind == "b" and array.size:  # right-aligned to the widest shown: "True" alone is not padded
        width = 4 if array.all() else 5
        return {"formatter": {"bool": lambda v: str(bool(v)).rjust(width)}}
    if array.dtype.kind not in "fc" or array.size == 0:
        return {}
    if array.dtype.kind == "f":
        return {"formatter": {"float_kind": _part_format(array, aligned=True)}}
    real, imag = _part_format(array.real, aligned=True), _part_format(array.imag, aligned=False)

    def complex_text(v):
        imaginary = imag(v.imag)
        return real(v.real) + ("" if imaginary.startswith("-") else "+") + imaginary + "j"
    return {"formatter": {"complex_kind": complex_text}}


def _part_format(array, aligned):
    """PyTorch's choice of number format, from the non-zero finite magnitudes: e-notation when they span more
    than a factor of 1000 or exceed 1e8 (or, unless all are whole, go below 1e-4); otherwise whole numbers as
    ``2104.`` and the rest with 4 decimals. Returns value -> text, right-aligned (if ``aligned``) to the widest
    non-zero finite value, as PyTorch pads them: zeros, nan and inf do not widen the column (PyTorch prints
    [0., -inf] and [nan, 1., inf]; numpy would pad them all to one width)."""
    precision = _options["precision"]
    finite = array[numpy.isfinite(array)]
    magnitudes = numpy.abs(finite).astype(numpy.float64)  # float64: no float16 overflow
    nonzero = magnitudes[magnitudes > 0]
    whole = bool((magnitudes == numpy.round(magnitudes)).all())
    scientific = _options["sci_mode"]
    if scientific is None and nonzero.size:
        largest, smallest = nonzero.max(), nonzero.min()
        scientific = largest / smallest > 1000 or largest > 1e8 or (not whole and smallest < 1e-4)
    if scientific:
        text = lambda v: f"{v:.{precision}e}"  # noqa: E731
    elif whole:
        text = lambda v: f"{v:.0f}." if numpy.isfinite(v) else f"{v:.0f}"  # noqa: E731  (2104., but nan, inf)
    else:
        text = lambda v: f"{v:.{precision}f}"  # noqa: E731
    if not aligned:
        return text
    width = max((len(text(v)) for v in finite[finite != 0].ravel()), default=1)
    return lambda v: text(v).rjust(width)


def _shown(array):
    """The values a summarized print shows (``edgeitems`` from each end of every long dim): PyTorch picks the
    number format from them alone, so a tiny value in the elided middle does not switch the print to e-notation."""
    if array.size <= _options["threshold"]:
        return array
    edge = _options["edgeitems"]
    for axis, n in enumerate(array.shape):
        if n > 2 * edge:
            array = numpy.concatenate([array.take(range(edge), axis), array.take(range(n - edge, n), axis)], axis)
    return array


def tensor_repr(t, dtype_shown=True, indent=0):
    """``repr(t)``, as PyTorch prints it; ``dtype_shown=False`` leaves out the dtype (a sparse tensor's values:
    the sparse tensor names it once). ``indent``: the text printed before it on its first line (a sparse tensor's
    ``values=``), which the lines of elements make room for, as PyTorch's do."""
    array = to_device(t._data, device("cpu"))
    if array.dtype.kind in "fc" and array.dtype.itemsize < 8 * (1 + (array.dtype.kind == "c")):
        # printed as float64 (the values convert exactly): numpy switches float32 to e-notation on its own
        # for large whole numbers, whatever the options say
        array = array.astype(numpy.complex128 if array.dtype.kind == "c" else numpy.float64)
    prefix = "tensor("
    # PyTorch fills a line up to linewidth characters, its trailing "," included; numpy stops one short of that.
    # The parts of a sparse tensor (indented) PyTorch wraps one character sooner (found by comparing their reprs)
    body = numpy.array2string(array, separator=", ", prefix=" " * indent + prefix,
                              threshold=_options["threshold"], edgeitems=_options["edgeitems"],
                              max_line_width=_options["linewidth"] + (indent == 0),
                              **_format_options(_shown(array)))
    body = body.replace(", ...,", ",  ...,")  # PyTorch's elided run within a row is " ..." (rows: "...")
    extras = []
    if array.size == 0 and array.ndim > 1:  # "[]" alone does not say which dim is empty
        extras.append(f"size={tuple(array.shape)}")
    if t.device.type != "cpu":
        extras.append(f"device='{t.device}'")
    # like PyTorch: the default float goes without saying; its complex, int64 and bool too unless the tensor is empty
    default = dtypes.get_default_dtype()
    implied = t.dtype == default or (array.size and (t.dtype in _IMPLIED_WHEN_NONEMPTY or
                                                     t.dtype == dtypes.to_complex(default)))
    if not implied and dtype_shown:
        extras.append(f"dtype={dtype_name(t.dtype)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return prefix + body + _suffixes(" " * indent + prefix + body, extras, indent + len(prefix)) + ")"


def _suffixes(text, extras, indent):
    """``, dtype=...``, ``, requires_grad=True`` ...: each on the last line while that line stays within the line
    width (counting the separator and the closing parenthesis), else on a new line under the values, as PyTorch
    does."""
    out = ""
    line = len(text) - text.rfind("\n") + 1
    for extra in extras:
        if line + len(extra) + 2 > _options["linewidth"]:
            out += ",\n" + " " * indent + extra
            line = indent + len(extra)
        else:
            out += ", " + extra
            line += len(extra) + 2
    return out


def dtype_name(dtype):
    """``minidl.float64`` — the name under which a learner finds the dtype in the package."""
    return f"minidl.{'bool_' if dtype == dtypes.bool_ else dtype.name}"
