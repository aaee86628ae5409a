"""Samplers decide the order in which a DataLoader visits a map-style dataset's indices."""
from typing import Generic, TypeVar

import numpy

from ...random import default_generator, numpy_rng
from ...sampling import check_distribution


def _check_bool(name, value, error=ValueError):
    """PyTorch's check of a sampler's flag: a bool, not a truthy number."""
    if not isinstance(value, bool):
        raise error(f"{name} should be a boolean value, but got {name}={value}")


def _check_positive_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")


#: what a sampler yields (indices, or lists of them): ``Sampler[int]`` in typed code, as for PyTorch
T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, 2, ... in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _epoch_rng(generator):
    """A numpy Generator for one pass: from ``generator`` or, like PyTorch, seeded from the default generator
    (so ``manual_seed`` makes shuffling reproducible, and every epoch still differs)."""
    if generator is not None:
        return numpy_rng(generator)
    seed = int(numpy_rng(default_generator).integers(0, 2 ** 63 - 1))
    return numpy.random.Generator(numpy.random.PCG64(seed))


class RandomSampler(Sampler):
    """A random permutation each pass (or ``num_samples`` draws with replacement)."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        _check_bool("replacement", replacement, TypeError)
        self.data_source, self.replacement, self.generator = data_source, replacement, generator
        self._num_samples = num_samples
        _check_positive_int("num_samples", self.num_samples)  # an empty data source included

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, rng = len(self.data_source), _epoch_rng(self.generator)
        if self.replacement:
            return iter(rng.integers(0, n, self.num_samples).tolist())
        order = []
        for _ in range(-(-self.num_samples // max(n, 1))):
            order.extend(rng.permutation(n).tolist())
        return iter(order[:self.num_samples])

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order each pass."""

    def __init__(self, indices, generator=None):
        self.indices, self.generator = list(indices), generator

    def __iter__(self):
        rng = _epoch_rng(self.generator)
        return iter([self.indices[i] for i in rng.permutation(len(self.indices))])

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``. The weights are checked when
    the sampler is made (PyTorch's first complaint comes from ``multinomial`` when it is iterated): each finite and
    non-negative, with a positive sum."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        _check_positive_int("num_samples", num_samples)
        _check_bool("replacement", replacement)
        self.weights = numpy.asarray(weights, dtype=numpy.float64)
        if self.weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(self.weights.shape)}")
        check_distribution("WeightedRandomSampler", self.weights)
        if not replacement and num_samples > int((self.weights > 0).sum()):
            raise RuntimeError(f"WeightedRandomSampler: cannot draw {num_samples} samples without replacement: only "
                               f"{int((self.weights > 0).sum())} weights are non-zero")
        self.num_samples, self.replacement, self.generator = num_samples, replacement, generator

    def __iter__(self):
        p = self.weights / self.weights.sum()
        rng = _epoch_rng(self.generator)
        return iter(rng.choice(len(p), self.num_samples, replace=self.replacement, p=p).tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size`` (the last one shorter unless
    ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last):
        _check_positive_int("batch_size", batch_size)
        _check_bool("drop_last", drop_last)
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
