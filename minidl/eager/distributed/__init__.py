"""``torch.distributed`` on one machine: processes (started by ``torch.multiprocessing.spawn`` or a launcher) join a
process group with ``init_process_group`` and exchange tensors by collectives (``all_reduce``, ``broadcast``,
``all_gather`` ...) and messages (``send`` / ``recv``), over TCP sockets, with the standard library only.

* ``process_group.py``: the rendezvous and connections, ``get_rank`` / ``get_world_size``, ``new_group``;
* ``store.py``: ``TCPStore`` and ``FileStore``, the key-value stores of the rendezvous;
* ``collectives.py``: the collectives (their reduction order is documented there) and point-to-point messages;
* ``transport.py``: framed messages on a socket.

``nn.parallel.DistributedDataParallel`` averages gradients over the group; ``utils.data.DistributedSampler``
gives each rank its share of a dataset.
"""
from .collectives import (ReduceOp, Work, all_gather, all_gather_into_tensor, all_reduce, barrier, broadcast,
                          gather, irecv, isend, recv, reduce, reduce_scatter_tensor, scatter, send)
from .process_group import (Backend, GroupMember, ProcessGroup, destroy_process_group, get_backend, get_rank,
                            get_world_size, init_process_group, is_available, is_gloo_available, is_initialized,
                            is_mpi_available, is_nccl_available, new_group)
from .store import FileStore, Store, TCPStore

group = GroupMember  # torch.distributed.group.WORLD

__all__ = ["Backend", "FileStore", "GroupMember", "ProcessGroup", "ReduceOp", "Store", "TCPStore", "Work",
           "all_gather", "all_gather_into_tensor", "all_reduce", "barrier", "broadcast", "destroy_process_group",
           "gather", "get_backend", "get_rank", "get_world_size", "group", "init_process_group", "irecv",
           "is_available", "is_gloo_available", "is_initialized", "is_mpi_available", "is_nccl_available", "isend",
           "new_group", "recv", "reduce", "reduce_scatter_tensor", "scatter", "send"]
