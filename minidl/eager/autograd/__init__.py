"""``autograd``: ``backward``, ``grad``, user-defined ``Function``s, ``gradcheck`` and ``detect_anomaly``."""
from ..engine import backward, grad
from ..grad_mode import enable_grad, no_grad, set_grad_enabled
