"""Sparse gradients: ``nn.Embedding(..., sparse=True)``, ``F.embedding(..., sparse=True)`` and
``nn.EmbeddingBag(..., sparse=True)`` give their weight a sparse COO gradient (``sparse_coo_tensors.py``).

A batch looks up a few rows of a table that may have millions. The dense gradient of the lookup is a table of
that size, zero but for the rows looked up; the sparse one holds only what is not zero, as PyTorch's does: for the
n indices looked up, an uncoalesced sparse tensor of the weight's size with

    indices = the n indices, in the order of the input (1 × n; an index looked up twice appears twice)
    values  = the n rows of the output's gradient (n × embedding_dim)

less the entries of ``padding_idx``, which gets no gradient. An optimizer that takes sparse gradients (SGD,
Adagrad, SparseAdam) then updates only those rows.

Where the sparse gradient goes (``node.py``, ``engine.py``, ``autodiff.py``):

* into a leaf's ``.grad``: it stays sparse. A second backward adds its entries to it (sparse + sparse keeps both
  sets of entries, uncoalesced); a dense gradient meeting a sparse one gives the dense sum, as in PyTorch;
* into a non-leaf weight (``F.embedding(ids, w * 2, sparse=True)``): it is made dense there, since every op's VJP
  takes dense gradients. (PyTorch keeps it sparse through elementwise derivatives and fails at view ops'.)

The gradient's values are the output's gradient, reshaped and (for ``padding_idx``) selected with ops, so a
gradient taken with ``create_graph=True`` can be differentiated again, as in PyTorch.
"""
import numpy

from .. import ops
from ..backend import get_array_module
from ..ops.base import apply
from ..ops.embedding import Embedding, checked_padding_idx
from .sparse_coo_tensors import _make_sparse
from .tensor import Tensor

__all__ = ["embedding_with_sparse_grad"]


class SparseGradEmbedding(Embedding):
    """``Embedding`` (the same forward) whose VJP gives the weight a sparse COO gradient (module docstring)."""
    name = "Embedding"  # (PyTorch's grad_fn is EmbeddingBackward0 either way)

    @staticmethod
    def vjp(ctx, g):
        weight, indices = ctx.inputs
        if ctx.attrs["scale_grad_by_freq"]:  # (raised by PyTorch's backward too, not by its forward)
            raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
        flat = indices._data.reshape(-1)
        xp = get_array_module(flat)
        values = ops.reshape(g, (flat.size, weight.shape[1]))
        padding_idx = ctx.attrs["padding_idx"]
        if padding_idx is not None:
            kept = xp.flatnonzero(flat != padding_idx)
            values = ops.index_select(values, 0, Tensor._make(kept))
            flat = flat[kept]
        rows = Tensor._make(xp.array(flat, dtype=numpy.int64).reshape(1, -1))  # (a copy: the input may change)
        return _make_sparse(rows, values, tuple(weight.shape), coalesced=rows.shape[1] <= 1), None


def embedding_with_sparse_grad(input, weight, padding_idx=None, scale_grad_by_freq=False):
    """``ops.embedding`` whose gradient for ``weight`` is a sparse COO tensor."""
    padding_idx = checked_padding_idx(input, weight, padding_idx)
    return apply(SparseGradEmbedding, weight, input, padding_idx=padding_idx,
                 scale_grad_by_freq=bool(scale_grad_by_freq))
