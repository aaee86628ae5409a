"""``torch.utils.dlpack``: handing tensors to and from other array libraries without a copy (memory_sharing.py)."""
from ..memory_sharing import from_dlpack, to_dlpack

__all__ = ["from_dlpack", "to_dlpack"]
