"""The default process group: ``init_process_group`` joins ``world_size`` processes through a rendezvous store
(``store.py``), after which every pair of processes holds one TCP connection (a full mesh, made by the lower rank
listening and the higher rank connecting). Groups (``new_group``) are subsets of the default group's ranks that
use the same connections.

Only the "gloo" backend exists (collectives on the CPU over sockets); "nccl" and "mpi" are refused, as by a
PyTorch built without them.
"""
import os
import socket
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from .store import FileStore, TCPStore
from .transport import connect, receive_message, send_message

__all__ = ["Backend", "GroupMember", "ProcessGroup", "destroy_process_group", "get_backend", "get_rank",
           "get_world_size", "init_process_group", "is_available", "is_gloo_available", "is_initialized",
           "is_mpi_available", "is_nccl_available", "new_group"]

_DEFAULT_TIMEOUT = timedelta(minutes=30)
_NOT_INITIALIZED = "Default process group has not been initialized, please make sure to call init_process_group."


class Backend(str):
    """The backend names; only GLOO is available."""
    GLOO, NCCL, MPI, UCC = "gloo", "nccl", "mpi", "ucc"

    def __new__(cls, name):
        return super().__new__(cls, name.lower())


class ProcessGroup:
    """Some of the processes (``ranks``, global ranks in group-rank order) and the connections to the others."""

    def __init__(self, ranks, world):
        self.ranks, self.world = list(ranks), world

    def rank(self):
        return self.ranks.index(self.world.rank)

    def size(self):
        return len(self.ranks)

    def connection(self, group_rank):
        return self.world.peers[self.ranks[group_rank]]


class GroupMember:
    WORLD = None
    NON_GROUP_MEMBER = object()


class _World:
    """What ``init_process_group`` set up: this process's rank, the store, the socket to each other rank."""

    def __init__(self, rank, world_size, store, timeout):
        self.rank, self.world_size, self.store, self.timeout = rank, world_size, store, timeout
        self.peers, self.generation = {}, store.add("__generation__/" + str(rank), 1)
        listener = socket.create_server((store.local_address(), 0))
        listener.settimeout(timeout.total_seconds())
        host, port = listener.getsockname()[:2]
        store.set(f"address/{self.generation}/{rank}", f"{host}:{port}")
        for other in range(rank):  # connect to the lower ranks, say who we are
            other_host, other_port = store.get(f"address/{self.generation}/{other}").decode().rsplit(":", 1)
            peer = connect(other_host, int(other_port), timeout.total_seconds())
            send_message(peer, rank)
            self.peers[other] = peer
        for _ in range(rank + 1, world_size):  # the higher ranks connect to us
            peer, _ = listener.accept()
            peer.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.peers[receive_message(peer)] = peer
        listener.close()
        for peer in self.peers.values():
            peer.settimeout(timeout.total_seconds())

    def close(self):
        for peer in self.peers.values():
            peer.close()
        self.store.close()


_world = None


def is_available():
    """True: minidl's process groups run over TCP sockets (the "gloo" backend)."""
    return True


def is_initialized():
    return _world is not None


def is_gloo_available():
    return True


def is_nccl_available():
    return False


def is_mpi_available():
    return False


def _default_group():
    if _world is None:
        raise ValueError(_NOT_INITIALIZED)
    return GroupMember.WORLD


def group_or_default(group):
    """``group``, or the default group for None (refused before ``init_process_group``)."""
    return _default_group() if group is None else group


def _check_backend(backend):
    name = Backend(backend or "gloo")
    if name in ("nccl", "mpi", "ucc"):
        raise RuntimeError(f"Distributed package doesn't have {name.upper()} built in (minidl's only backend is "
                           f"'gloo': collectives on the CPU over sockets)")
    if name not in ("gloo", "cpu:gloo"):
        raise ValueError(f"Invalid backend: '{backend}'; minidl has only 'gloo'")
    return Backend.GLOO


def _store_from(init_method, rank, world_size, timeout):
    """The store ``init_method`` names, with the rank and world size it or the environment gives."""
    url = urlparse(init_method)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    if rank == -1:
        rank = int(query.get("rank", os.environ.get("RANK", -1)))
    if world_size == -1:
        world_size = int(query.get("world_size", os.environ.get("WORLD_SIZE", -1)))
    if rank < 0 or world_size < 1 or rank >= world_size:
        raise ValueError(f"init_process_group: need 0 <= rank < world_size (from the arguments, the init_method's "
                         f"query or the RANK / WORLD_SIZE environment variables), got rank {rank}, world_size "
                         f"{world_size}")
    if url.scheme == "env":
        try:
            host, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
        except KeyError as missing:
            raise ValueError(f"Error initializing torch.distributed using env:// rendezvous: environment variable "
                             f"{missing.args[0]} expected, but not set") from None
    elif url.scheme == "tcp":
        host, port = url.hostname, url.port
    elif url.scheme == "file":
        return FileStore(url.path, world_size, timeout), rank, world_size
    else:
        raise ValueError(f"init_process_group: init_method {init_method!r}: expected env://, tcp://host:port or "
                         f"file:///path")
    return TCPStore(host, port, world_size, rank == 0, timeout), rank, world_size


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Join the default process group (module docstring): ``init_method`` "env://" (the default: MASTER_ADDR,
    MASTER_PORT, and RANK / WORLD_SIZE unless given), "tcp://host:port" or "file:///path"; or an existing
    ``store`` with ``rank`` and ``world_size``. Returns when all ``world_size`` processes have joined."""
    global _world
    if _world is not None:
        raise ValueError("trying to initialize the default process group twice!")
    backend = _check_backend(backend)
    timeout = _DEFAULT_TIMEOUT if timeout is None else timeout
    if store is None:
        store, rank, world_size = _store_from(init_method or "env://", rank, world_size, timeout)
    elif init_method is not None:
        raise ValueError("Cannot specify both init_method and store.")
    elif rank < 0 or world_size < 1:
        raise ValueError("world_size and rank must be given with a store")
    _world = _World(rank, world_size, store, timeout)
    _world.backend = backend
    GroupMember.WORLD = ProcessGroup(range(world_size), _world)


def destroy_process_group(group=None):
    """Leave the default group (closing the connections and the store), or forget ``group``."""
    global _world
    if group is None or group is GroupMember.WORLD:
        _default_group()
        _world.close()
        _world, GroupMember.WORLD = None, None


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False):
    """A group of some of the ranks (all, for None). Every process calls it, as in PyTorch; the others get
    ``GroupMember.NON_GROUP_MEMBER``."""
    world = _default_group().world
    _check_backend(backend)
    ranks = sorted(range(world.world_size) if ranks is None else ranks)
    if any(not 0 <= r < world.world_size for r in ranks):
        raise ValueError(f"new_group: ranks {ranks} must lie in [0, {world.world_size - 1}]")
    return ProcessGroup(ranks, world) if world.rank in ranks else GroupMember.NON_GROUP_MEMBER


def get_rank(group=None):
    """This process's rank in ``group`` (the default group for None); -1 outside it."""
    group = group_or_default(group)
    return -1 if group is GroupMember.NON_GROUP_MEMBER else group.rank()


def get_world_size(group=None):
    group = group_or_default(group)
    return -1 if group is GroupMember.NON_GROUP_MEMBER else group.size()


def get_backend(group=None):
    group_or_default(group)
    return _world.backend
