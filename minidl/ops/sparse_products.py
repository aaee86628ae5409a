"""The product of a sparse matrix, given by its entries, and a dense matrix: what graph neural networks do in
every layer (the normalised adjacency matrix times the node features), shared by ``torch.sparse.mm`` (eager,
``minidl.eager.sparse``) and ``tf.sparse.sparse_dense_matmul`` (graph, ``minidl.graph.sparse_ops``).

A sparse m × k matrix A is stored as its nnz entries: entry e is the value v_e at row r_e, column c_e (a position
stored twice counts twice: its values add up). For a dense k × n matrix B,

    (A B)_i = Σ_{e: r_e = i} v_e · B_{c_e}        (B_{c_e}: row c_e of B)

so the product is: pick row c_e of B for every entry (``index_select``), scale it by v_e, and add the scaled rows
into row r_e of the result (``index_add``, where repeated rows add up). The cost grows with nnz · n, not with
m · k. Being a composition of ops that have gradients, it needs no VJP of its own; the two it gets are

    d v_e = <G_{r_e}, B_{c_e}>        the entries of G Bᵀ at A's positions only (G Bᵀ itself is never formed)
    d B   = Aᵀ G                      the same product with rows and columns exchanged (index_select's VJP)
"""
from .index_updates import index_add
from .indexing import index_select
from .shape import unsqueeze

__all__ = ["sparse_addmm_entries"]


def sparse_addmm_entries(input, rows, columns, values, dense, alpha=1):
    """``input + alpha · A @ dense`` for the sparse matrix A with entries ``values`` (nnz) at ``rows`` and
    ``columns`` (int64 vectors of nnz positions); ``input`` has A's row count and ``dense``'s column count
    (zeros, for the plain product). ``dense`` is a matrix, of ``values``' dtype."""
    scaled_rows = unsqueeze(values, -1) * index_select(dense, 0, columns)
    return index_add(input, 0, rows, scaled_rows, alpha=alpha)
