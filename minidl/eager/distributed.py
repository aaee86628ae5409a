"""``torch.distributed``, as far as a single process goes: minidl trains in one process (its DataLoader workers
only load data), so there is no process group to join. Programs written to run either way ask first::

    if torch.distributed.is_available() and torch.distributed.is_initialized():
        rank = torch.distributed.get_rank()

and both answers here are False, so such a program takes its single-process path. Everything else of
``torch.distributed`` (``init_process_group``, collectives, ``DistributedSampler``) is absent.
"""

__all__ = ["is_available", "is_initialized"]


def is_available():
    """False: minidl has no distributed backend."""
    return False


def is_initialized():
    """False: there is never a default process group."""
    return False
