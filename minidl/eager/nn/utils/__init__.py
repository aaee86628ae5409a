"""``nn.utils``: gradient clipping and flattening parameters into one vector, weight and spectral normalization (from
``nn/weight_norms.py``); submodules: ``nn.utils.rnn`` (padding and packing sequences of different lengths),
``nn.utils.parametrize`` (a tensor computed from others at every access), ``nn.utils.parametrizations``
(orthogonal, weight_norm and spectral_norm written as parametrizations) and ``nn.utils.stateless`` (the old home of
``func.functional_call``).

Gradient clipping guards training against the occasional huge gradient (exploding gradients in RNNs):

* ``clip_grad_norm_`` rescales all gradients together, so that their combined norm
  ``‖(‖g_1‖, ‖g_2‖, ...)‖_p`` (the p-norm of all gradient entries seen as one long vector) is at most
  ``max_norm``; the direction of the update is kept. Its two halves are ``get_total_norm`` and
  ``clip_grads_with_norm_`` (to clip by a norm computed otherwise, e.g. summed over several workers).
* ``clip_grad_value_`` clamps each gradient entry to ``[-clip_value, clip_value]`` (the direction may change).
"""
import math

from .... import ops
from ...creation import zeros
from ...grad_mode import no_grad
from ...tensor import Tensor
from ..init import deprecated_name
from ..weight_norms import remove_spectral_norm, remove_weight_norm, spectral_norm, weight_norm
from . import fusion, parametrizations, parametrize, prune, rnn, stateless  # noqa: F401  (submodules: nn.utils.rnn, ...)
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
           "parameters_to_vector", "vector_to_parameters", "weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm",
           "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights", "skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` whose parameters are to be overwritten anyway (loaded from a checkpoint).
    PyTorch skips their initialization, leaving whatever memory held; minidl initializes them as usual — the
    values are the caller's to replace either way, and only the time of the initialization differs."""
    if "device" not in module_cls.__init__.__code__.co_varnames:
        raise RuntimeError(f"Module must support a 'device' arg to skip initialization: {module_cls.__name__}")
    return module_cls(*args, **kwargs)


def _grads(parameters):
    """The ``.grad`` of each parameter that has one (``parameters``: a tensor or an iterable of tensors)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all the entries of ``tensors`` together (a 0-d tensor; ``inf``: the largest
    |entry|). With ``error_if_nonfinite``, a NaN or infinite norm raises. (``foreach`` is accepted and ignored.)"""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if not tensors:
        return zeros(())
    norm_type = float(norm_type)
    with no_grad():
        # the norm of the per-tensor norms is the norm of all entries together (for every p, and for inf)
        total = ops.norm(ops.stack([ops.norm(t, norm_type) for t in tensors]), norm_type)
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients in place by ``min(1, max_norm / (total_norm + 1e-6))``; the 1e-6 keeps the division
    finite when every gradient is zero. (``foreach`` is accepted and ignored.)"""
    with no_grad():
        coefficient = ops.clamp(max_norm / (total_norm + 1e-6), max=1.0)
        for g in _grads(parameters):
            g.mul_(ops.cast(coefficient, g.dtype))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients in place so that their total ``norm_type``-norm is at most ``max_norm``, and return
    that norm from before the scaling: ``get_total_norm`` of the gradients, then ``clip_grads_with_norm_``."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


clip_grad_norm = deprecated_name(clip_grad_norm_, "torch.nn.utils.clip_grad_norm", "torch.nn.utils.clip_grad_norm_")


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry, in place, to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)


def parameters_to_vector(parameters):
    """All parameters flattened and joined into one 1-D tensor (differentiable: it is ``cat`` of reshapes)."""
    return ops.cat([ops.reshape(p, (-1,)) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D ``vec`` into ``parameters`` (the inverse of
    ``parameters_to_vector``). The parameters keep their own memory (PyTorch makes them views of ``vec``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected a Tensor, but got: {type(vec).__name__}")
    parameters = list(parameters)
    total = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or vec.numel() != total:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector of {total} elements (the parameters' "
                         f"total), got shape {list(vec.shape)}")
    offset = 0
    with no_grad():
        for p in parameters:
            n = p.numel()
            p.copy_(ops.reshape(vec[offset:offset + n], tuple(p.shape)))
            offset += n
