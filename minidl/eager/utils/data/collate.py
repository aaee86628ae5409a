"""Turning a list of samples into one batch (``default_collate``, ``default_convert``)."""
import collections.abc
import copy
import numbers

import numpy

from .... import ops
from ...creation import tensor
from ...tensor import Tensor


def default_collate(batch):
    """Stack a list of samples the way PyTorch does: tensors and arrays are stacked along a new first dim,
    numbers become a tensor, strings stay as the batch holds them (a list; a tuple for a field of tuple samples),
    and tuples/lists/dicts are collated field by field."""
    if len(batch) == 0:
        raise ValueError("default_collate: the batch holds no samples")
    first = batch[0]
    if isinstance(first, Tensor):
        return ops.stack(list(batch))
    if isinstance(first, numpy.ndarray):
        if first.dtype.kind not in "biufc":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                            f"found an array of dtype {first.dtype}")
        return ops.stack([Tensor._make(numpy.asarray(sample)) for sample in batch])  # (its errors name the shapes)
    if isinstance(first, (str, bytes)):  # (numpy's string scalars too: they are str)
        return batch
    if isinstance(first, numpy.generic):
        return tensor(numpy.array(batch))
    if isinstance(first, bool):
        return tensor(batch)
    if isinstance(first, numbers.Integral):
        return tensor(batch)
    if isinstance(first, numbers.Real):
        return tensor(numpy.array(batch, dtype=numpy.float64))
    if isinstance(first, collections.abc.Mapping):
        for sample in batch:  # (the first sample's keys are collated, as in PyTorch: each must have them)
            missing = [key for key in first if key not in sample]
            if missing:
                raise KeyError(f"default_collate: a sample of the batch lacks the key(s) {missing} of the first")
        return _like(first, {key: default_collate([sample[key] for sample in batch]) for key in first})
    if isinstance(first, tuple) and hasattr(first, "_fields"):
        return type(first)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(field) for field in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found "
                    f"{type(first).__name__}")


def default_convert(data):
    """Without batching: numpy arrays and numpy scalars become tensors (a scalar a 0-d one), containers are
    converted inside — a tuple into a list, as PyTorch does (a namedtuple keeps its type)."""
    if isinstance(data, (numpy.ndarray, numpy.generic)) and data.dtype.kind in "biufc":
        return Tensor._make(numpy.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _like(data, {k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(d) for d in data]
    return data


def _like(mapping, values):
    """``values`` (a dict) in a mapping of ``mapping``'s type — an OrderedDict, a defaultdict with its default —
    where that type can be made so; a plain dict otherwise."""
    if isinstance(mapping, collections.abc.MutableMapping):
        clone = copy.copy(mapping)
        clone.update(values)
        return clone
    try:
        return type(mapping)(values)
    except TypeError:
        return values
