"""``torch.nn.parallel``: ``DataParallel`` (one process, ``data_parallel.py``) and ``DistributedDataParallel``
(one process per replica, ``distributed.py``)."""
from ..data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
