"""``nn.utils.stateless``: PyTorch 1.12's home of ``functional_call``, which moved to ``func`` in 2.0 (the old name
warns, as it does there)."""
import warnings

from ...func.stateless import functional_call as _functional_call

__all__ = ["functional_call"]


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """``func.functional_call`` under its old name."""
    warnings.warn("nn.utils.stateless.functional_call is deprecated since PyTorch 2.0; func.functional_call is the "
                  "same function under its new name", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
