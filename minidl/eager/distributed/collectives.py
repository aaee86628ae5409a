"""Collectives and point-to-point messages of ``torch.distributed`` over the connections of a process group.

Every collective goes through one hub (a star): the reductions through the group's first rank (or ``dst``), the
broadcasts from ``src``. The hub reduces the contributions in rank order, left to right —
``((x_0 op x_1) op x_2) ...`` in the tensor's dtype — so a result equals that expression computed in one process,
and is the same on every rank; AVG is that SUM divided by the group's size (PyTorch's gloo backend refuses AVG; its
NCCL backend offers it). Tensors are written in place, as in PyTorch; ``async_op=True`` returns a ``Work`` that is
already complete (the call itself waits).
"""
import select

import numpy

from ..grad_mode import no_grad
from ..tensor import Tensor
from .process_group import GroupMember, group_or_default
from .transport import receive_message, send_message

__all__ = ["ReduceOp", "Work", "all_gather", "all_gather_into_tensor", "all_reduce", "barrier", "broadcast",
           "gather", "irecv", "isend", "recv", "reduce", "reduce_scatter_tensor", "scatter", "send"]


class ReduceOp:
    """How ``all_reduce`` / ``reduce`` combine the ranks' tensors."""
    SUM, AVG, PRODUCT, MIN, MAX = "SUM", "AVG", "PRODUCT", "MIN", "MAX"


_COMBINE = {ReduceOp.SUM: numpy.add, ReduceOp.AVG: numpy.add, ReduceOp.PRODUCT: numpy.multiply,
            ReduceOp.MIN: numpy.minimum, ReduceOp.MAX: numpy.maximum}


class Work:
    """The handle of an ``async_op=True`` call: already done."""

    def wait(self, timeout=None):
        return True

    def is_completed(self):
        return True

    def is_success(self):
        return True


def _done(async_op):
    return Work() if async_op else None


def _values(tensor, name):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(tensor).__name__}")
    return tensor.detach().cpu().numpy()


def _write(tensor, array):
    with no_grad():
        tensor.copy_(Tensor._make(numpy.ascontiguousarray(array)))


def _group(group, name):
    group = group_or_default(group)
    if group is GroupMember.NON_GROUP_MEMBER:
        raise RuntimeError(f"{name}: this process is not a member of the group")
    return group


def _gather_at(group, root, value):
    """At ``root`` (a group rank): every rank's ``value`` in rank order; elsewhere None."""
    me = group.rank()
    if me != root:
        _send(group, root, value)
        return None
    return [value if r == me else _receive(group, r) for r in range(group.size())]


def _scatter_from(group, root, values):
    """Rank r of the group receives ``values[r]`` from ``root``."""
    me = group.rank()
    if me != root:
        return _receive(group, root)
    for r in range(group.size()):
        if r != me:
            _send(group, r, values[r])
    return values[me]


def _send(group, group_rank, value):
    send_message(group.connection(group_rank), value)


def _receive(group, group_rank):
    return receive_message(group.connection(group_rank))


def _reduce(arrays, op):
    if op not in _COMBINE:
        raise ValueError(f"unsupported reduce op {op!r}; expected one of ReduceOp.SUM, AVG, PRODUCT, MIN, MAX")
    result = arrays[0]
    for array in arrays[1:]:
        result = _COMBINE[op](result, array)
    if op == ReduceOp.AVG:
        if not numpy.issubdtype(result.dtype, numpy.inexact):
            raise TypeError(f"all_reduce: ReduceOp.AVG needs a floating point tensor, got {result.dtype}")
        result = (result / len(arrays)).astype(result.dtype)
    return result


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Replace ``tensor`` on every rank by the reduction of all ranks' tensors (module docstring for the order)."""
    group = _group(group, "all_reduce")
    gathered = _gather_at(group, 0, _values(tensor, "all_reduce"))
    _write(tensor, _scatter_from(group, 0, [_reduce(gathered, op)] * group.size() if gathered else None))
    return _done(async_op)


def reduce(tensor, dst, op=ReduceOp.SUM, group=None, async_op=False):
    """Like ``all_reduce``, but only rank ``dst`` (a global rank) gets the result; the others' tensors stay."""
    group = _group(group, "reduce")
    root = group.ranks.index(dst)
    gathered = _gather_at(group, root, _values(tensor, "reduce"))
    if gathered is not None:
        _write(tensor, _reduce(gathered, op))
    return _done(async_op)


def broadcast(tensor, src, group=None, async_op=False):
    """Copy rank ``src``'s tensor into every rank's ``tensor``."""
    group = _group(group, "broadcast")
    root = group.ranks.index(src)
    values = [_values(tensor, "broadcast")] * group.size() if group.rank() == root else None
    _write(tensor, _scatter_from(group, root, values))
    return _done(async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[r]`` with rank r's ``tensor``, on every rank."""
    group = _group(group, "all_gather")
    if len(tensor_list) != group.size():
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors for a group of {group.size()}")
    gathered = _gather_at(group, 0, _values(tensor, "all_gather"))
    for target, array in zip(tensor_list, _scatter_from(group, 0, [gathered] * group.size() if gathered else None)):
        _write(target, array)
    return _done(async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """``output_tensor`` = the ranks' ``input_tensor``s concatenated along dim 0 (or stacked: an output of shape
    (world_size, *input shape))."""
    group = _group(group, "all_gather_into_tensor")
    gathered = _gather_at(group, 0, _values(input_tensor, "all_gather_into_tensor"))
    gathered = _scatter_from(group, 0, [gathered] * group.size() if gathered else None)
    stacked = numpy.stack(gathered)
    if stacked.size != output_tensor.numel():
        raise ValueError(f"all_gather_into_tensor: output of shape {list(output_tensor.shape)} cannot hold "
                         f"{group.size()} inputs of shape {list(input_tensor.shape)}")
    _write(output_tensor, stacked.reshape(tuple(output_tensor.shape)))
    return _done(async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce the ranks' ``input``s, then rank r takes the r-th of ``world_size`` equal chunks along dim 0."""
    group = _group(group, "reduce_scatter_tensor")
    gathered = _gather_at(group, 0, _values(input, "reduce_scatter_tensor"))
    chunks = None
    if gathered is not None:
        reduced = _reduce(gathered, op)
        if reduced.shape[0] != group.size() * output.shape[0]:
            raise ValueError(f"reduce_scatter_tensor: input of shape {list(reduced.shape)} is not {group.size()} "
                             f"chunks of the output's shape {list(output.shape)}")
        chunks = numpy.split(reduced, group.size())
    _write(output, _scatter_from(group, 0, chunks))
    return _done(async_op)


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False):
    """Rank ``dst`` gets every rank's ``tensor`` in ``gather_list`` (the others pass None)."""
    group = _group(group, "gather")
    gathered = _gather_at(group, group.ranks.index(dst), _values(tensor, "gather"))
    if gathered is not None:
        if gather_list is None or len(gather_list) != group.size():
            raise ValueError(f"gather: rank {dst} needs a gather_list of {group.size()} tensors")
        for target, array in zip(gather_list, gathered):
            _write(target, array)
    return _done(async_op)


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False):
    """Rank r's ``tensor`` gets ``scatter_list[r]`` of rank ``src`` (the others pass None)."""
    group = _group(group, "scatter")
    root = group.ranks.index(src)
    values = None
    if group.rank() == root:
        if scatter_list is None or len(scatter_list) != group.size():
            raise ValueError(f"scatter: rank {src} needs a scatter_list of {group.size()} tensors")
        values = [_values(t, "scatter") for t in scatter_list]
    _write(tensor, _scatter_from(group, root, values))
    return _done(async_op)


def barrier(group=None, async_op=False, device_ids=None):
    """Return once every rank of the group has called it."""
    group = _group(group, "barrier")
    _scatter_from(group, 0, [None] * group.size() if _gather_at(group, 0, None) else None)
    return _done(async_op)


def send(tensor, dst, group=None, tag=0):
    """Send ``tensor``'s values to rank ``dst``, which ``recv``s them."""
    group = _group(group, "send")
    if dst == group.world.rank:
        raise ValueError("Invalid destination rank: should not be the same as the rank of the current process.")
    _send(group, group.ranks.index(dst), (tag, _values(tensor, "send")))


def recv(tensor, src=None, group=None, tag=0):
    """Receive into ``tensor`` what rank ``src`` (any rank, for None) sends; returns the sender's rank."""
    group = _group(group, "recv")
    if src is None:  # the first rank with a message waiting
        connections = {group.connection(r): r for r in range(group.size()) if group.ranks[r] != group.world.rank}
        readable, _, _ = select.select(list(connections), [], [], group.world.timeout.total_seconds())
        if not readable:
            raise TimeoutError("recv: no rank sent anything before the timeout")
        source = connections[readable[0]]
    else:
        source = group.ranks.index(src)
    received_tag, array = _receive(group, source)
    if received_tag != tag:
        raise RuntimeError(f"recv: expected a message with tag {tag} from rank {group.ranks[source]}, got tag "
                           f"{received_tag}")
    _write(tensor, array)
    return group.ranks[source]


def isend(tensor, dst, group=None, tag=0):
    send(tensor, dst, group, tag)
    return Work()


def irecv(tensor, src=None, group=None, tag=0):
    recv(tensor, src, group, tag)
    return Work()
