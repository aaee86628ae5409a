"""Mixed precision: ``autocast`` (run the big products in float16) and ``GradScaler`` (keep float16 gradients from
underflowing), as in ``torch.amp``. PyTorch's recipe runs unchanged::

    scaler = torch.amp.GradScaler("cuda")
    for x, y in loader:
        with torch.autocast("cuda"):                 # products in float16, the rest as usual
            loss = loss_fn(model(x), y)
        scaler.scale(loss).backward()                # gradients of loss · S: small ones stay representable
        scaler.step(optimizer)                       # unscale (÷ S); skip the step if any is inf/NaN
        scaler.update()                              # S halves after an overflow, doubles after 2000 clean steps

**autocast.** Inside the block, ops on the *lower-precision list* (matrix products, ``linear``, convolutions)
cast their floating-point inputs to the autocast dtype — float16 is about half the memory traffic, and on a GPU
several times faster — while ops on the *float32 list*, whose results lose too much in float16, cast float16
inputs up to float32. Every other op runs on what it is given. The lists are PyTorch's, and differ by device:
on a GPU the float32 list holds exp, log, softmax, reductions, norms and the losses; on the CPU only the losses
and ``prod`` (a softmax of float16 logits stays float16 there). The losses that minidl composes of smaller ops
(``mse_loss``, ``cross_entropy``, ...) cast at the function (``runs_in_float32``), as PyTorch's single loss ops
do. The casts are recorded like any op, so gradients flow back to the float32 parameters in float32.
minidl has no bfloat16 (numpy has none), which is PyTorch's default on the CPU: there pass
``dtype=torch.float16``. As in PyTorch, ``autocast("cuda")`` on a machine without a GPU warns and does nothing.

**GradScaler.** Multiplying the loss by a scale S multiplies every gradient by S, lifting small float16
gradients out of the underflow range; ``step`` divides them by S again before the optimizer sees them, and
skips the step when any gradient overflowed to inf/NaN. ``update`` lowers S after an overflow and raises it
after ``growth_interval`` steps without one, so S hovers near the largest safe value. A scaler for "cuda" on a
machine without a GPU warns and disables itself (``scale`` returns the loss unchanged), as PyTorch's does.
"""
import functools
import warnings
from types import SimpleNamespace

from .. import ops
from ..ops import promote
from ..backend import cuda_is_available, dtypes
from . import element_types
from .grad_mode import GradMode, no_grad

#: ops whose floating inputs autocast lowers to the autocast dtype (by their grad_fn names), on either device
LOWER_PRECISION = frozenset({"Mm", "Addmm", "Einsum", "Convolution", "ConvolutionTranspose", "RnnSequence"})
#: ops that autocast runs in float32 (float16 inputs are cast up), per device
FLOAT32 = {
    "cuda": frozenset({"Exp", "Expm1", "Log", "Log1p", "Log2", "Log10", "Pow", "Softplus", "Softmax", "LogSoftmax",
                       "Logsumexp", "Sum", "Mean", "Cumsum", "Prod", "LinalgVectorNorm", "Normalize",
                       "NllLoss", "BinaryCrossEntropy", "CtcLoss"}),
    # (and the inverse and the 3-D pools; the other factorizations refuse float16 with a clear error, where
    # PyTorch would run them in float32)
    "cpu": frozenset({"Prod", "NllLoss", "BinaryCrossEntropy", "CtcLoss", "LinalgInvEx", "AvgPool3D",
                      "MaxPool3DWithIndices", "AdaptiveAvgPool3D"}),
}


def cast_for_autocast(op, args):
    """``args`` with the casts autocast asks of ``op`` (called by eager's op dispatch while autocast is on)."""
    target = GradMode.autocast
    if op.name in LOWER_PRECISION:
        wanted, castable = target, (dtypes.float32,)  # float64 stays float64, as in PyTorch
    elif op.name in FLOAT32[GradMode.autocast_device]:
        wanted, castable = dtypes.float32, (dtypes.float16,)
    else:
        return args
    return tuple(ops.cast(a, wanted) if getattr(a, "dtype", None) in castable else a for a in args)


def runs_in_float32(function):
    """``function`` (a loss that PyTorch's autocast runs in float32, composed here of smaller ops) with its
    float16 tensor arguments cast to float32 first while autocast is on."""
    def in_float32(*args, **kwargs):
        if GradMode.autocast is not None:
            args = tuple(_float32(a) for a in args)
            kwargs = {key: _float32(value) for key, value in kwargs.items()}
        return function(*args, **kwargs)
    functools.update_wrapper(in_float32, function)
    return in_float32


def _float32(value):
    return ops.cast(value, dtypes.float32) if getattr(value, "dtype", None) == dtypes.float16 and \
        ops.is_tensor(value) else value


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a context manager (and
    decorator) in which ops run in mixed precision (module docstring). ``dtype`` defaults to float16 for "cuda";
    for "cpu" to PyTorch's bfloat16, which does not exist here: then, as for any dtype but float16, autocast warns
    and turns itself off (the program runs on, in float32)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if device_type not in ("cpu", "cuda"):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        if enabled and device_type == "cuda" and not cuda_is_available():
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", UserWarning,
                          stacklevel=2)
            enabled = False
        if dtype is None:  # PyTorch's defaults: float16 on the GPU, bfloat16 on the CPU
            dtype = element_types.bfloat16 if device_type == "cpu" else dtypes.float16
        name = dtype.name if isinstance(dtype, element_types.missing_dtype) else dtypes.as_dtype(dtype).name
        if enabled and name != "float16":  # as PyTorch for a dtype it cannot use: a warning, and autocast is off
            warnings.warn(f"In {device_type.upper() if device_type == 'cpu' else 'CUDA'} autocast, but the target "
                          f"dtype is not supported. Disabling autocast.\nminidl's autocast supports only "
                          f"torch.float16 (got {name}; numpy has no bfloat16).", UserWarning, stacklevel=2)
            enabled = False
        dtype = dtypes.float16
        self.device_type, self.fast_dtype, self._enabled = device_type, element_types.of(dtype), enabled

    def __enter__(self):
        self._previous = GradMode.autocast, GradMode.autocast_device, promote.products_cast_to
        GradMode.autocast = self.fast_dtype if self._enabled else None
        GradMode.autocast_device = self.device_type
        # the op library's dtype check of products lets float16/float32 operands through: _apply casts them
        promote.products_cast_to = self.fast_dtype.dtype if self._enabled else None
        return self

    def __exit__(self, *exc_info):
        GradMode.autocast, GradMode.autocast_device, promote.products_cast_to = self._previous
        return False

    def __call__(self, fn):
        def run_autocast(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        run_autocast.__name__, run_autocast.__doc__ = fn.__name__, fn.__doc__
        return run_autocast


def custom_fwd(fwd=None, *, device_type="cuda", cast_inputs=None):
    """For the ``forward`` of an ``autograd.Function``: under autocast, with ``cast_inputs`` (a dtype), its
    floating-point tensor arguments are cast to it and it runs with autocast off — the op handles its own
    precision; without, it runs as is. Either way the autocast state is noted for ``custom_bwd``."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def forward(ctx, *args, **kwargs):
        ctx._autocast_state = GradMode.autocast, GradMode.autocast_device
        if cast_inputs is None or GradMode.autocast is None:
            return fwd(ctx, *args, **kwargs)
        args = [a.to(cast_inputs) if hasattr(a, "is_floating_point") and a.is_floating_point() else a for a in args]
        with autocast(GradMode.autocast_device, enabled=False):
            return fwd(ctx, *args, **kwargs)
    return forward


def custom_bwd(bwd=None, *, device_type="cuda"):
    """For the ``backward`` of an ``autograd.Function`` whose forward is ``custom_fwd``: it runs under the autocast
    state the forward ran under."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def backward(ctx, *grads):
        previous = GradMode.autocast, GradMode.autocast_device
        GradMode.autocast, GradMode.autocast_device = getattr(ctx, "_autocast_state", previous)
        try:
            return bwd(ctx, *grads)
        finally:
            GradMode.autocast, GradMode.autocast_device = previous
    return backward


def set_autocast_enabled(device_type_or_enabled, enabled=None):
    """``torch.set_autocast_enabled([device_type,] enabled)``: turn float16 autocast on or off outside a ``with``
    block (the old interface; ``autocast`` is the usual one)."""
    device_type = "cuda" if enabled is None else device_type_or_enabled
    enabled = device_type_or_enabled if enabled is None else enabled
    GradMode.autocast = element_types.of(dtypes.float16) if enabled else None
    GradMode.autocast_device = device_type
    promote.products_cast_to = dtypes.float16 if enabled else None


def device_amp(device_type):
    """``torch.cuda.amp`` / ``torch.cpu.amp``: the older spelling of ``torch.amp`` with the device fixed, deprecated
    in PyTorch (with this warning)."""
    default_dtype = dtypes.float16 if device_type == "cuda" else element_types.bfloat16

    def deprecated(name, make):
        def made(*args, **kwargs):
            warnings.warn(f"`torch.{device_type}.amp.{name}(args...)` is deprecated. Please use "
                          f"`torch.amp.{name}('{device_type}', args...)` instead.", FutureWarning, stacklevel=2)
            return make(*args, **kwargs)
        return made
    return SimpleNamespace(
        autocast=deprecated("autocast", lambda enabled=True, dtype=default_dtype, cache_enabled=True:
                            autocast(device_type, dtype, enabled, cache_enabled)),
        GradScaler=deprecated("GradScaler", lambda *args, **kwargs: GradScaler(device_type, *args, **kwargs)),
        custom_fwd=functools.partial(custom_fwd, device_type=device_type),
        custom_bwd=functools.partial(custom_bwd, device_type=device_type))


def is_autocast_enabled(device_type=None):
    """Whether autocast is on for ``device_type`` (PyTorch's default: "cuda")."""
    return GradMode.autocast is not None and GradMode.autocast_device == (device_type or "cuda")


def is_autocast_cpu_enabled():
    return is_autocast_enabled("cpu")


def get_autocast_dtype(device_type):
    """The dtype autocast lowers to on ``device_type``: float16 here (PyTorch's CPU default, bfloat16, does not
    exist in minidl)."""
    if device_type not in ("cpu", "cuda"):
        raise RuntimeError(f"unsupported autocast device_type '{device_type}'")
    return element_types.of(dtypes.float16)


def get_autocast_cpu_dtype():
    return get_autocast_dtype("cpu")


class GradScaler:
    """Dynamic loss scaling for float16 training (module docstring), with PyTorch's arguments and state."""

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        if enabled and device == "cuda" and not cuda_is_available():
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          UserWarning, stacklevel=2)
            enabled = False
        if not growth_factor > 1.0:
            raise ValueError("The growth factor must be > 1.0.")
        if not 0.0 < backoff_factor < 1.0:
            raise ValueError("The backoff factor must be < 1.0.")
        self._enabled, self._scale, self._growth_tracker = enabled, float(init_scale), 0
        self._growth_factor, self._backoff_factor = growth_factor, backoff_factor
        self._growth_interval = growth_interval
        self._per_optimizer = {}  # id(optimizer) -> {"unscaled": bool, "found_inf": bool, "stepped": bool}

    def is_enabled(self):
        return self._enabled

    def get_scale(self):
        return self._scale if self._enabled else 1.0

    def scale(self, outputs):
        """``outputs`` (a tensor, or a list/tuple of them) times the current scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        return outputs * self._scale

    def _state(self, optimizer):
        return self._per_optimizer.setdefault(id(optimizer), {"unscaled": False, "found_inf": False,
                                                              "stepped": False})

    def unscale_(self, optimizer):
        """Divide the gradients of ``optimizer``'s parameters by the scale, in place (e.g. before clipping them),
        and note whether any is inf or NaN."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["unscaled"]:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stepped"]:
            raise RuntimeError("unscale_() is being called after step().")
        inverse = 1.0 / self._scale
        finite = {}  # device -> one 0-d check per gradient there: read once per device, not once per parameter
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.grad.mul_(inverse)
                        finite.setdefault(str(p.grad.device), []).append(ops.isfinite(p.grad).all())
            state["found_inf"] |= not all(bool(ops.stack(checks).all()) for checks in finite.values())
        state["unscaled"] = True

    def step(self, optimizer, *args, **kwargs):
        """Unscale (if ``unscale_`` was not called) and ``optimizer.step()`` — unless a gradient is inf/NaN, in
        which case the step is skipped (the scale was too large; ``update`` lowers it)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        state = self._state(optimizer)
        if state["stepped"]:
            raise RuntimeError("step() has already been called since the last update().")
        if not state["unscaled"]:
            self.unscale_(optimizer)
        state["stepped"] = True
        return None if state["found_inf"] else optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        """The scale for the next iteration: ``new_scale`` if given; else × backoff_factor if any step this
        iteration met an inf/NaN, × growth_factor after ``growth_interval`` clean iterations in a row."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        else:
            if not self._per_optimizer:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(s["found_inf"] for s in self._per_optimizer.values()):
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    self._scale *= self._growth_factor
                    self._growth_tracker = 0
        self._per_optimizer = {}

    def state_dict(self):
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor, "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval, "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if not state_dict:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._scale, self._growth_tracker = float(state_dict["scale"]), int(state_dict["_growth_tracker"])
        self._growth_factor, self._backoff_factor = state_dict["growth_factor"], state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
