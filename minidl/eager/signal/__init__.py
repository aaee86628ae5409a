"""``torch.signal``: signal-processing helpers; so far the window functions of ``torch.signal.windows``."""
from . import windows

__all__ = ["windows"]
