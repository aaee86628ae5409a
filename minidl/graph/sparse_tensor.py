"""``tf.SparseTensor``: a tensor stored as its nonzero entries — three dense tensors that travel together.

A SparseTensor of shape ``dense_shape`` (rank R) with N stored entries is

* ``indices``: int64 [N, R], the coordinates of each entry (in row-major order, as TF expects them),
* ``values``: [N], the entries,
* ``dense_shape``: int64 [R], the shape of the whole tensor,

every other element being 0. A bag-of-words row of a 50 000-word vocabulary holds a few dozen entries instead of
50 000 numbers. It is not a graph tensor itself: ops that take one (``sparse_ops.py``) work on the three parts,
which are ordinary graph tensors (so gradients reach ``values``). ``sess.run`` of a SparseTensor returns a
``SparseTensorValue`` (the three arrays), and a ``tf.sparse_placeholder`` is fed one — or a tuple
``(indices, values, dense_shape)``.
"""
from collections import namedtuple

import numpy

from ..backend import dtypes
from .basics import placeholder, placeholder_with_default
from .core import TensorShape, get_default_graph
from .frontend import convert_to_tensor

__all__ = ["SparseTensor", "SparseTensorValue", "sparse_placeholder"]


class SparseTensorValue(namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])):
    """The value of a SparseTensor: its three arrays (what ``sess.run`` returns, what a sparse placeholder is fed)."""


class SparseTensor:
    """``tf.SparseTensor(indices, values, dense_shape)`` (see the module docstring)."""

    def __init__(self, indices, values, dense_shape):
        graph = get_default_graph()
        with graph.name_scope("SparseTensor"):
            self.indices = convert_to_tensor(indices, dtypes.int64, name="indices")
            self.values = convert_to_tensor(values, name="values")
            self.dense_shape = convert_to_tensor(dense_shape, dtypes.int64, name="dense_shape")
        for what, t, rank in (("indices", self.indices, 2), ("values", self.values, 1),
                              ("dense_shape", self.dense_shape, 1)):
            if t.shape.rank_known and t.shape.rank != rank:
                raise ValueError(f"SparseTensor: {what} must be {rank}-D, got {t.name} of shape {t.shape}")
        if self.indices.dtype != dtypes.int64 or self.dense_shape.dtype != dtypes.int64:
            raise TypeError("SparseTensor: indices and dense_shape must be int64 tensors")
        self._static_shape = None  # a sparse placeholder's declared shape, where dense_shape is fed

    @classmethod
    def from_value(cls, value):
        """A SparseTensor of constants from a ``SparseTensorValue``."""
        return cls(*value)

    @property
    def components(self):
        return self.indices, self.values, self.dense_shape

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def graph(self):
        return self.values.graph

    @property
    def op(self):
        return self.values.op

    @property
    def shape(self):
        """The static shape: what the graph knows of ``dense_shape``'s values (``?`` where only the run knows)."""
        if self._static_shape is not None:
            return self._static_shape
        from .math_ops import known_dims  # (math_ops comes later in the import order)
        return TensorShape(known_dims(self.dense_shape))

    def get_shape(self):
        return self.shape

    def eval(self, feed_dict=None, session=None):
        from .session import get_default_session
        session = session or get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate a SparseTensor without a session: pass session= or use "
                             "`with sess.as_default():`")
        return session.run(self, feed_dict)

    def __repr__(self):
        return f"SparseTensor(indices={self.indices!r}, values={self.values!r}, dense_shape={self.dense_shape!r})"


def sparse_value(value, what):
    """``value`` fed for a sparse placeholder, as a ``SparseTensorValue``."""
    if isinstance(value, (SparseTensorValue, tuple, list)) and len(value) == 3:
        return SparseTensorValue(*value)
    raise TypeError(f"The value fed for {what} must be a tf.SparseTensorValue or a tuple (indices, values, "
                    f"dense_shape), got {type(value).__name__}")


def sparse_placeholder(dtype, shape=None, name=None):
    """A SparseTensor whose three parts are fed: ``feed_dict={sp: tf.SparseTensorValue(indices, values, shape)}``.
    With a fully known ``shape``, ``dense_shape`` need not be fed (it defaults to it)."""
    graph = get_default_graph()
    with graph.name_scope(name or "SparseTensor"):
        shape = TensorShape(shape) if shape is not None else None
        rank = shape.rank if shape is not None and shape.rank_known else None
        if shape is not None and shape.is_fully_defined():
            dense_shape = placeholder_with_default(numpy.array(shape.as_list(), dtype=numpy.int64), [rank],
                                                   name="shape")
        else:
            dense_shape = placeholder(dtypes.int64, [rank], name="shape")
        return sparse_of_parts(placeholder(dtypes.int64, [None, rank], name="indices"),
                               placeholder(dtype, [None], name="values"), dense_shape, shape)


def sparse_of_parts(indices, values, dense_shape, shape):
    """``SparseTensor(indices, values, dense_shape)`` whose static shape is ``shape`` (a TensorShape; None: what
    ``dense_shape`` shows), where the graph knows more than that tensor's value shows — the declared shape of a
    sparse placeholder, a dataset element's dims."""
    sparse = SparseTensor(indices, values, dense_shape)
    sparse._static_shape = shape
    return sparse


def part_shapes(shape):
    """The static shapes of the indices, values and dense_shape of a SparseTensor of static shape ``shape``:
    [None, rank], [None] and [rank] (rank None where unknown)."""
    rank = len(shape) if shape.rank_known else None
    return TensorShape([None, rank]), TensorShape([None]), TensorShape([rank])


def dense_parts(components):
    """``components`` (tensors or arrays) with each SparseTensor or SparseTensorValue among them replaced by its
    three parts: the flat list of dense values that an op carrying them takes or gives (tf.data's ops)."""
    flat = []
    for c in components:
        flat.extend(c.components if isinstance(c, SparseTensor) else c if isinstance(c, SparseTensorValue) else [c])
    return flat


def join_parts(flat, sparse):
    """The inverse of ``dense_parts``: one entry per component, where ``sparse`` (one bool per component) marks
    those made of three consecutive values of ``flat``, given as a tuple of the three."""
    parts = iter(flat)
    return [(next(parts), next(parts), next(parts)) if is_sparse_part else next(parts) for is_sparse_part in sparse]


def sparse_value_of_lists(lists, outer_shape, dtype):
    """The three arrays of the SparseTensor whose rows along its last dim are ``lists`` (one list of values per
    position of ``outer_shape``, in row-major order): entry j of list i at ``[*unravel(i), j]``, the last dim as long
    as the longest list. What an op whose every position yields a variable number of values returns (a split into
    tokens, a set operation)."""
    counts = numpy.array([len(row) for row in lists], dtype=numpy.int64)
    total = int(counts.sum())
    positions = numpy.repeat(numpy.arange(len(lists)), counts)
    places = numpy.arange(total) - numpy.repeat(numpy.cumsum(counts) - counts, counts)  # 0, 1, ... per list
    indices = numpy.stack([*numpy.unravel_index(positions, outer_shape), places], axis=1).astype(numpy.int64)
    values = numpy.empty(total, dtype=dtype)
    values[:] = [v for row in lists for v in row]
    dense_shape = numpy.array([*outer_shape, int(counts.max(initial=0))], dtype=numpy.int64)
    return indices.reshape(total, len(outer_shape) + 1), values, dense_shape


def is_sparse(value):
    return isinstance(value, SparseTensor)

