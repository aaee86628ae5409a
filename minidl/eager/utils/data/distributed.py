"""``DistributedSampler``: each of ``num_replicas`` training processes (data-parallel training) takes its own
share of a dataset's indices, so that together they visit every sample once per epoch.

The indices (shuffled with a seed that all replicas share, plus the epoch: ``set_epoch`` before each epoch) are
padded by repeating the first ones until they divide evenly — or, with ``drop_last``, cut to a multiple — and
replica ``rank`` takes every ``num_replicas``-th index from position ``rank``. ``num_replicas`` and ``rank``
default to the default process group's size and this process's rank (``torch.distributed``).
"""
import math

import numpy

from ... import distributed
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            if not distributed.is_available():
                raise RuntimeError("Requires distributed package to be available")
            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if not 0 <= rank < num_replicas:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.epoch = 0
        size = len(dataset)
        if drop_last and size % num_replicas:  # the last, incomplete round is dropped
            self.num_samples = math.ceil((size - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(size / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self):
        size = len(self.dataset)
        if self.shuffle:  # the same order in every replica: seeded by what they share
            indices = numpy.random.default_rng(self.seed + self.epoch).permutation(size).tolist()
        else:
            indices = list(range(size))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / len(indices)))[:padding] if padding else []
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """The epoch about to start: with ``shuffle``, each epoch has its own order (the same in every replica)."""
        self.epoch = epoch
