"""``autograd``: ``backward``, ``grad``, user-defined ``Function``s, ``gradcheck``, ``detect_anomaly``, the
older ``profiler``, ``forward_ad``'s dual tensors, and ``graph``'s saved-tensor hooks and edges."""
import sys as _sys

from ..engine import backward, grad
from .. import grad_mode
from ..grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .anomaly import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly
from .function import Function, FunctionCtx
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from . import forward_ad, functional, graph, profiler
from .variable import Variable

# PyTorch's grad modes live in ``torch.autograd.grad_mode``; minidl's in ``minidl.eager.grad_mode``, entered under
# the autograd name too, so that ``from torch.autograd.grad_mode import no_grad`` works with the import changed
_sys.modules.setdefault(f"{__name__}.grad_mode", grad_mode)
