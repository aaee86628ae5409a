"""``torch.multiprocessing``: Python's ``multiprocessing`` (every name of it is here: ``Process``, ``Queue``,
``Pool``, ``get_context``, ``set_start_method`` ...) with two additions, as PyTorch's:

* tensors cross processes through its queues and pipes with their values, and a tensor in shared memory
  (``share_memory_()``) arrives sharing that memory (``reductions.py``);
* ``spawn`` / ``start_processes`` run ``fn(rank, *args)`` in ``nprocs`` processes and re-raise a child's failure in
  the parent (``spawn.py``).
"""
from multiprocessing import *  # noqa: F401,F403
from multiprocessing import __all__ as _standard_names

from .reductions import get_all_sharing_strategies, get_sharing_strategy, set_sharing_strategy
from .spawn import (ProcessContext, ProcessException, ProcessExitedException, ProcessRaisedException, spawn,
                    start_processes)

__all__ = [*_standard_names, "get_all_sharing_strategies", "get_sharing_strategy", "set_sharing_strategy",
           "ProcessContext", "ProcessException", "ProcessExitedException", "ProcessRaisedException", "spawn",
           "start_processes"]
