"""Argument checks of the convolutions (``conv.py``) and pools (``pooling.py``): geometry arguments as tuples of
ints, batched or unbatched input, matching weight, bias and channels, and the padding pairs of ``padding``. The
messages are PyTorch's, naming the function, the shapes and what was expected.
"""
import numbers

from ..backend import dtypes
from .base import OpError, describe, is_tensor
from .promote import require_same_dtype
from .shape import unsqueeze


#: per number of spatial dims: the input layout, the kernel dims' names and what a tuple of that length is called
LAYOUTS = {2: ("(N, C, H, W)", "KH, KW", "a pair"), 3: ("(N, C, D, H, W)", "KD, KH, KW", "a triple")}


def ntuple(op_name, value, what, minimum, n=2):
    """An int or a sequence of ``n`` ints, each at least ``minimum``, as a tuple of ``n`` Python ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    message = (f"{op_name}: expected {what} to be a single integer value or a list of {n} integers, but got "
               f"{what}={value!r}")
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        raise TypeError(message)
    if len(values) != n:  # (the right type, the wrong number of dims: PyTorch's RuntimeError)
        raise OpError(message)
    if any(v < minimum for v in values):
        raise OpError(f"{op_name}: {what} must be at least {minimum} (got {what}={value!r})")
    return tuple(int(v) for v in values)


def batched(op_name, x, layout="(N, C, H, W)", dims=4):
    """Accept (N, C, H, W) or unbatched (C, H, W) like PyTorch (``dims`` counts the batched input's dims):
    returns x with a batch dim, and whether one was added (to take it off the result again)."""
    if not is_tensor(x):
        raise TypeError(f"{op_name}: expected a tensor as input, got {type(x).__name__}")
    if x.ndim not in (dims - 1, dims):
        raise OpError(f"{op_name}: expected a {dims}-D input {layout} or an unbatched {dims - 1}-D one "
                      f"({layout[4:]}, but got {describe(x)}")
    return (unsqueeze(x, 0), True) if x.ndim == dims - 1 else (x, False)


def _shape(x):
    return "[" + ", ".join("?" if n is None else str(n) for n in x.shape) + "]"


def check_operands(op_name, x, w, bias):
    """Check that input, weight and bias are tensors of one floating or complex dtype (no promotion: see
    ``require_same_dtype``); refuse bools and non-tensors."""
    operands = [x, w] + ([] if bias is None else [bias])
    for name, t in zip(("input", "weight", "bias"), operands):
        if not is_tensor(t):
            raise TypeError(f"{op_name}: expected {name} to be a tensor, got {type(t).__name__}")
    require_same_dtype(op_name, list(zip(("input", "weight", "bias"), operands)), cast_by_autocast=True)
    dtype = x.dtype
    if dtype == dtypes.bool_:
        raise TypeError(f"{op_name}: expected numbers, got {', '.join(describe(t) for t in operands)}")
    return operands + [None] * (3 - len(operands))


def check_weight_and_bias(op_name, w, bias, groups, out_dim, dims):
    """weight must have ``dims`` kernel dims; groups must divide its first dim; bias must have one entry per
    output channel."""
    if w.ndim != dims + 2:
        channels = "in_channels, out_channels/groups" if out_dim else "out_channels, in_channels/groups"
        raise OpError(f"{op_name}: expected a {dims + 2}-D weight ({channels}, {LAYOUTS[dims][1]}), got "
                      f"{describe(w)}")
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise OpError(f"{op_name}: groups must be a positive integer, got {groups!r}")
    if w.shape[0] is not None and w.shape[0] % groups:
        raise OpError(f"{op_name}: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                      f"but got weight of size {_shape(w)} instead")
    out_channels = w.shape[0] if out_dim == 0 else (None if w.shape[1] is None else w.shape[1] * groups)
    if bias is not None and (bias.ndim != 1 or None not in (bias.shape[0], out_channels)
                             and bias.shape[0] != out_channels):
        raise OpError(f"{op_name}: Given weight of size {_shape(w)}, expected bias to be 1-dimensional with "
                      f"{out_channels} elements, but got bias of size {_shape(bias)} instead")


def check_channels(op_name, x, w, groups, expected, transposed):
    if None not in (x.shape[1], expected) and x.shape[1] != expected:
        raise OpError(f"{op_name}: Given {'transposed=1' if transposed else f'groups={groups}'}, weight of size "
                      f"{_shape(w)}, expected input{_shape(x)} to have {expected} channels, but got {x.shape[1]} "
                      f"channels instead")


def padding_pairs(op_name, padding, kernel, stride, dilation):
    """``padding`` as ((top, bottom), (left, right)) (a pair per spatial dim). "valid" is none; "same" keeps the
    size at stride 1 with d*(k - 1) in total, the odd one at the bottom/right (as PyTorch does)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(stride)
        if padding != "same":
            raise OpError(f"{op_name}: Invalid padding string {padding!r}, should be one of ['valid', 'same']")
        if any(s != 1 for s in stride):
            raise OpError(f"{op_name}: padding='same' is not supported for strided convolutions (stride={stride})")
        if None in kernel:
            raise OpError(f"{op_name}: padding='same' needs the kernel size, but the weight's is unknown")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in ntuple(op_name, padding, "padding", 0, len(stride)))


def check_kernel_fits(op_name, x, kernel, padding, dilation):
    padded = [None if n is None else n + sum(p) for n, p in zip(x.shape[2:], padding)]
    extent = [None if k is None else d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(None not in (n, e) and n < e for n, e in zip(padded, extent)):
        raise OpError(f"{op_name}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                      f"Kernel size: ({' x '.join(map(str, extent))}). Kernel size can't be greater than actual "
                      f"input size (input {describe(x)}, padding {padding}, dilation {dilation})")
