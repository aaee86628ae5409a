"""Ops on ``tf.SparseTensor`` (``sparse_tensor.py``): each a composition of dense ops on its three parts, so that
gradients reach the values.

* ``to_dense``: the values scattered into a tensor of ``dense_shape`` (``scatter_nd``), the rest
  ``default_value``; ``from_dense`` the other way: the coordinates of the nonzero elements (``where``) and the
  elements there (``gather_nd``).
* ``sparse_dense_matmul(A, B)``: for a sparse matrix A, (AB)_i = Σ_j A_ij B_j, a sum over the entries of row i
  only: each entry's value times the row of B its column names, added into row i of the product — the op
  library's ``sparse_addmm_entries`` (``ops/sparse_products.py``), which ``torch.sparse.mm`` shares. The cost
  grows with the number of entries, not with A's size.
* ``embedding_lookup_sparse(params, ids, weights)``: per row of the sparse ``ids``, the rows of ``params`` they
  name, weighted and combined (sum; mean: divided by the sum of weights; sqrtn: by its root of squares).
* ``reduce_sum``, ``add`` (with a dense tensor: dense; with a sparse one: the sparse sum), ``retain`` (the entries
  a boolean vector keeps).
* ``edit_distance(hypothesis, truth)``: per sequence, the Levenshtein distance (``ops/edit_distance.py``).
* ``sparse_reorder``: the entries sorted into row-major order (their linear positions, argsorted).
* Shape changes, all on the indices alone: ``sparse_concat`` (each input's indices shifted along the axis by the
  sizes before it), ``sparse_transpose`` (index columns permuted), ``sparse_reshape`` (each entry's linear
  position, the same in both shapes, unravelled in the new one).
* ``sparse_softmax``: a softmax over the stored entries of each innermost row; the missing elements take no part
  (they are not zeros there but absent). ``sparse_reduce_max`` likewise ignores them when a row has entries.
* ``sparse_fill_empty_rows``: an entry ``[r, 0, ...] = default_value`` for each row r that has none.
* TF1's older dense helpers on sparse coordinates: ``tf.sparse_to_dense(indices, output_shape, values)`` and
  ``tf.sparse_segment_sum/mean/sqrt_n(data, indices, segment_ids)`` (rows of ``data`` picked, then summed per
  segment).
"""
import types

import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import apply
from ..ops.edit_distance import EditDistance
from ..ops.sparse_products import sparse_addmm_entries
from .array_ops import boolean_mask, gather, reshape, shape as shape_of, where, zeros
from .basics import control_dependencies, identity, stop_gradient
from .check_ops import assert_equal
from .core import as_spec_shape, get_default_graph
from .frontend import convert_to_tensor
from .math_ops import cast, known_dims, not_equal, reduce_any, reduce_max, reduce_sum
from .nd_indexing_ops import gather_nd, scatter_nd
from .nn_ops import nn
from .segment_ops import lowest_value, segment_mean, segment_sum, unsorted_segment_max, unsorted_segment_sum
from .sparse_tensor import SparseTensor, SparseTensorValue, sparse_placeholder
from .string_split import string_sparse_to_dense
from .strings import string

__all__ = ["edit_distance", "sparse", "sparse_add", "sparse_concat", "sparse_fill_empty_rows", "sparse_reduce_max",
           "sparse_reorder", "sparse_reshape", "sparse_segment_mean", "sparse_segment_sqrt_n", "sparse_segment_sum",
           "sparse_softmax", "sparse_to_dense_indices", "sparse_reduce_sum", "sparse_retain",
           "sparse_tensor_dense_matmul", "sparse_tensor_to_dense", "sparse_transpose"]
# (TF1's top-level tf.sparse_to_dense is sparse_to_dense_indices, not this module's sparse_to_dense)


def _sparse(fn_name, value, what="sp_input"):
    if not isinstance(value, SparseTensor):
        raise TypeError(f"{fn_name}: expected a tf.SparseTensor for {what}, got {type(value).__name__}")
    return value


def sparse_to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor of ``sp_input``: its values at its indices, ``default_value`` (0) elsewhere. Where the
    graph does not know the rank (a sparse_placeholder made without a shape), the result's rank is unknown too and
    the run takes the shape from the ``dense_shape`` fed, as TF's SparseToDense does."""
    sp = _sparse("sparse.to_dense", sp_input)
    if sp.dtype == string:  # (the op library's scatter computes on numbers only)
        return string_sparse_to_dense(sp, default_value, as_spec_shape(sp.shape), name)
    with get_default_graph().name_scope(name or "SparseToDense"):
        dense = _scatter(sp, sp.values)
        if sp.shape.rank_known:  # what the graph knows of dense_shape's values (all of it, for a constant one)
            dense.set_shape(sp.shape)
        if default_value is None or (isinstance(default_value, (int, float)) and default_value == 0):
            return dense
        stored = ops.gt(_scatter(sp, ops.ones_like(sp.indices[:, 0])), 0)
        return ops.where(stored, dense, convert_to_tensor(default_value, sp.dtype))


def _scatter(sp, updates):
    """Zeros of ``sp``'s dense shape with ``updates`` (one per entry) at its indices. Of unknown rank, the entries
    go to their row-major positions in the flattened tensor, which is then reshaped to ``dense_shape``."""
    rank = _known_rank(sp)
    if rank is not None:
        return scatter_nd(sp.indices, updates, ops.reshape(sp.dense_shape, (rank,)))
    positions = ops.unsqueeze(_linear_positions(sp.indices, sp.dense_shape), 1)
    flat = scatter_nd(positions, updates, ops.reshape(ops.prod(sp.dense_shape), (1,)))
    return reshape(flat, sp.dense_shape)


def _known_rank(sp):
    """The rank of ``sp`` if the graph knows it (the length of ``dense_shape``, or the indices' columns), else
    None."""
    shape = sp.dense_shape.shape
    rank = shape[0] if shape.rank_known else None
    if rank is None and sp.indices.shape.rank_known:
        rank = sp.indices.shape[1]
    return rank


def _shape_of_known_rank(fn_name, sp):
    """``sp.dense_shape`` with its length (the rank) known to the graph; a ValueError naming ``fn_name`` if the
    graph does not know it."""
    rank = _known_rank(sp)
    if rank is None:
        raise ValueError(f"{fn_name}: the rank of the SparseTensor is unknown when the graph is built (a "
                         f"sparse_placeholder made without a shape): give it one, e.g. shape=[None, None]")
    return ops.reshape(sp.dense_shape, (rank,))


def sparse_tensor_to_dense(sp_input, default_value=0, validate_indices=True, name=None):
    return sparse_to_dense(sp_input, default_value, validate_indices, name)


def sparse_from_dense(tensor, name=None):
    """The SparseTensor of the nonzero elements of ``tensor``."""
    with get_default_graph().name_scope(name or "dense_to_sparse"):
        dense = convert_to_tensor(tensor)
        indices = where(not_equal(dense, ops.zeros_like(dense)))
        return SparseTensor(indices, gather_nd(dense, indices), shape_of(dense, out_type=dtypes.int64))


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """The dense product A B of a sparse matrix A (rank 2) and a dense matrix B (module docstring)."""
    sp = _sparse("sparse_tensor_dense_matmul", sp_a, "sp_a")
    if sp.shape.rank_known and sp.shape.rank != 2:
        raise ValueError(f"sparse_tensor_dense_matmul: sp_a must be a matrix (rank 2), got shape {sp.shape}")
    with get_default_graph().name_scope(name or "SparseTensorDenseMatMul"):
        b = convert_to_tensor(b, sp.dtype)
        if adjoint_b:
            b = ops.conj(ops.transpose(b, 0, 1)) if b.dtype.is_complex else ops.transpose(b, 0, 1)
        inner = 0 if adjoint_a else 1
        known = sp.shape[inner] if sp.shape.rank_known else None
        if known is not None and b.shape.rank_known and b.shape[0] is not None and known != b.shape[0]:
            raise ValueError(f"sparse_tensor_dense_matmul: cannot multiply A and B because the inner dimension does "
                             f"not match: A {sp.shape}{' (adjoint)' if adjoint_a else ''}, B {b.shape}")
        # (a dim known only when the graph runs is checked then, as TF's kernel checks it)
        check = assert_equal(sp.dense_shape[inner], ops.cast(shape_of(b)[0], dtypes.int64),
                             message="sparse_tensor_dense_matmul: cannot multiply A and B because the inner "
                                     "dimension does not match")
        with control_dependencies([check]):
            b = identity(b)
        values = ops.conj(sp.values) if adjoint_a and sp.dtype.is_complex else sp.values
        rows, columns = sp.indices[:, 0], sp.indices[:, 1]
        if adjoint_a:  # entry (i, j) of A is entry (j, i) of A^T
            rows, columns = columns, rows
        out_rows = sp.dense_shape[1 if adjoint_a else 0]
        product = zeros([out_rows, ops.cast(shape_of(b)[1], dtypes.int64)], sp.dtype)
        out = sparse_addmm_entries(product, rows, columns, values, b)
        # [rows of A, columns of B] as far as the graph knows them: a dense layer after it needs the columns
        out.set_shape([sp.shape[1 if adjoint_a else 0] if sp.shape.rank_known else None,
                       b.shape[1] if b.shape.rank_known else None])
        return out


sparse_tensor_dense_matmul = sparse_dense_matmul


def sparse_reduce_sum(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None, name=None):
    """The sum of the elements along ``axis`` (all by default): the missing elements are 0, so it is the dense
    tensor's sum (of unknown rank where ``sp_input``'s rank is unknown, see ``sparse.to_dense``)."""
    sp = _sparse("sparse.reduce_sum", sp_input)
    axis = axis if axis is not None else reduction_axes
    keepdims = bool(keepdims if keepdims is not None else keep_dims)
    return reduce_sum(sparse_to_dense(sp), axis=axis, keepdims=keepdims, name=name)


def sparse_add(a, b, thresh=0, name=None):
    """``a + b``: with one of them dense, the dense sum; with both sparse, the SparseTensor of the sum (entries
    whose magnitude is below ``thresh``, and zeros, left out)."""
    if not isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        raise TypeError("sparse.add: at least one of a and b must be a tf.SparseTensor")
    with get_default_graph().name_scope(name or "SparseAdd"):
        dense_a = sparse_to_dense(a) if isinstance(a, SparseTensor) else convert_to_tensor(a)
        dense_b = sparse_to_dense(b) if isinstance(b, SparseTensor) else convert_to_tensor(b)
        total = dense_a + dense_b
        if not (isinstance(a, SparseTensor) and isinstance(b, SparseTensor)):
            return total
        if thresh:
            total = ops.where(ops.ge(ops.abs(total), thresh), total, ops.zeros_like(total))
        return sparse_from_dense(total)


def sparse_retain(sp_input, to_retain):
    """The entries of ``sp_input`` where the boolean vector ``to_retain`` (one per entry) is True."""
    sp = _sparse("sparse.retain", sp_input)
    keep = convert_to_tensor(to_retain, dtypes.bool_)
    return SparseTensor(boolean_mask(sp.indices, keep), boolean_mask(sp.values, keep), sp.dense_shape)


def embedding_lookup_sparse(params, sp_ids, sp_weights, partition_strategy="mod", name=None, combiner=None,
                            max_norm=None):
    """Per row r of the sparse ``sp_ids`` (a batch of id lists of varying length): Σ_k w_k params[id_k] over the
    row's entries, then by ``combiner`` "sum", "mean" (/ Σ w_k, TF's default) or "sqrtn" (/ √Σ w_k²).
    ``sp_weights`` is a SparseTensor with the same indices, or None (every weight 1)."""
    combiner = combiner or "mean"
    if combiner not in ("sum", "mean", "sqrtn"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner!r}")
    ids = _sparse("embedding_lookup_sparse", sp_ids, "sp_ids")
    with get_default_graph().name_scope(name or "embedding_lookup_sparse"):
        table = params[0] if isinstance(params, (list, tuple)) and len(params) == 1 else params
        if isinstance(table, (list, tuple)):
            raise NotImplementedError("embedding_lookup_sparse: a partitioned params list is not supported; "
                                      "concatenate the partitions")
        vectors = gather(table, ids.values)
        weights = ops.ones_like(cast(ids.values, vectors.dtype)) if sp_weights is None else \
            cast(_sparse("embedding_lookup_sparse", sp_weights, "sp_weights").values, vectors.dtype)
        rows, n_rows = ids.indices[:, 0], ids.dense_shape[0]
        total = unsorted_segment_sum(vectors * ops.unsqueeze(weights, 1), rows, n_rows)
        if combiner == "sum":
            return total
        scale = unsorted_segment_sum(weights if combiner == "mean" else weights * weights, rows, n_rows)
        scale = scale if combiner == "mean" else ops.sqrt(scale)
        # a row with no ids sums to 0 and stays 0 (not 0/0)
        return total / ops.unsqueeze(ops.where(ops.gt(scale, 0), scale, ops.ones_like(scale)), 1)


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """The Levenshtein distance between each hypothesis sequence and its truth (SparseTensors whose last dim is the
    position in a sequence; the other dims say which sequence): a dense float32 tensor of the batch's shape,
    divided by the truth's length with ``normalize`` (the error rate; infinite for an empty truth)."""
    h = _sparse("edit_distance", hypothesis, "hypothesis")
    t = _sparse("edit_distance", truth, "truth")
    if h.dtype != t.dtype:
        raise TypeError(f"edit_distance: hypothesis and truth must have one dtype, got {h.dtype.name} and "
                        f"{t.dtype.name}")
    with get_default_graph().name_scope(name):
        distances = apply(EditDistance, *h.components, *t.components, normalize=bool(normalize))
    dims = [known_dims(s.dense_shape) for s in (h, t)]
    if None not in dims and len(dims[0]) == len(dims[1]):  # both shapes known: the batch's shape is too
        distances.set_shape([None if None in (a, b) else max(a, b) for a, b in zip(*dims)][:-1])
    return distances


def sparse_reorder(sp_input, name=None):
    """The same SparseTensor with its entries in row-major (lexicographic) order of their indices, which TF's
    sparse ops expect."""
    sp = _sparse("sparse_reorder", sp_input)
    with get_default_graph().name_scope(name or "SparseReorder"):
        order = ops.argsort(_linear_positions(sp.indices, _shape_of_known_rank("sparse_reorder", sp)), dim=0,
                            stable=True)
        return SparseTensor(gather(sp.indices, order), gather(sp.values, order), sp.dense_shape)


def _row_major_strides(dense_shape):
    """How far apart consecutive indices of each dim lie in the flattened tensor: the product of the later dims."""
    later = ops.cat([dense_shape[1:], ops.ones_like(dense_shape[:1])], 0)
    return ops.flip(ops.cumprod(ops.flip(later, 0), 0), 0)


def _linear_positions(indices, dense_shape):
    """Each entry's position in the flattened dense tensor: Σ_k index_k · stride_k."""
    return ops.sum(indices * _row_major_strides(dense_shape), 1)


def _unravel(positions, dense_shape):
    """The indices ([N, R]) of linear ``positions`` in a tensor of ``dense_shape``: the inverse of
    ``_linear_positions`` (index_k = position // stride_k mod dim_k)."""
    positions = ops.unsqueeze(positions, 1)
    return ops.remainder(ops.floor_divide(positions, _row_major_strides(dense_shape)), dense_shape)


def sparse_concat(axis, sp_inputs, name=None, expand_nonconcat_dim=False, concat_dim=None,
                  expand_nonconcat_dims=None):
    """The SparseTensors ``sp_inputs`` joined along ``axis``: each one's entries moved along it by the sizes of
    those before it. The other dims must agree, or, with ``expand_nonconcat_dim``, the result takes the largest."""
    axis = concat_dim if concat_dim is not None else axis
    expand = expand_nonconcat_dim if expand_nonconcat_dims is None else expand_nonconcat_dims
    inputs = [_sparse("sparse.concat", sp, f"sp_inputs[{i}]") for i, sp in enumerate(sp_inputs)]
    if not inputs:
        raise ValueError("sparse.concat: sp_inputs is empty; give at least one SparseTensor")
    with get_default_graph().name_scope(name or "SparseConcat"):
        shapes = [_shape_of_known_rank("sparse.concat", sp) for sp in inputs]
        rank = shapes[0].shape[0]
        if any(shape.shape[0] != rank for shape in shapes):
            raise ValueError(f"sparse.concat: the inputs must have one rank, got ranks "
                             f"{[shape.shape[0] for shape in shapes]}")
        axis = _axis_in("sparse.concat", axis, rank)
        on_axis = convert_to_tensor(numpy.eye(rank, dtype=numpy.int64)[axis])  # [0 .. 1 .. 0]: the axis's place
        indices, offset = [], ops.zeros_like(shapes[0][axis])
        for sp, shape in zip(inputs, shapes):
            indices.append(sp.indices + offset * on_axis)
            offset = offset + shape[axis]
        others = ops.amax(ops.stack(shapes), 0) if expand else shapes[0]
        dense_shape = others * (1 - on_axis) + offset * on_axis
        if not expand:
            _check_other_dims(inputs, axis)
        joined = SparseTensor(ops.cat(indices, 0), ops.cat([sp.values for sp in inputs], 0), dense_shape)
        return sparse_reorder(joined)


def _axis_in(fn_name, axis, rank):
    if not -rank <= axis < rank:
        raise ValueError(f"{fn_name}: axis {axis} is out of range for SparseTensors of rank {rank}")
    return axis % rank


def _check_other_dims(inputs, axis):
    """Refuse, when the graph is built, inputs whose known sizes differ off the concatenation axis."""
    dims = [known_dims(sp.dense_shape) or [] for sp in inputs]
    for k in range(len(dims[0])):
        sizes = {d[k] for d in dims if len(d) > k and d[k] is not None}
        if k != axis and len(sizes) > 1:
            raise ValueError(f"sparse.concat: the inputs' dims {k} differ ({sorted(sizes)}) and only dim {axis} "
                             f"is concatenated; pass expand_nonconcat_dim=True to take the largest")


def sparse_transpose(sp_input, perm=None, name=None):
    """The SparseTensor with its dims permuted (reversed by default): index columns reordered, entries re-sorted."""
    sp = _sparse("sparse.transpose", sp_input)
    with get_default_graph().name_scope(name or "SparseTranspose"):
        dense_shape = _shape_of_known_rank("sparse.transpose", sp)
        rank = dense_shape.shape[0]
        perm = list(range(rank))[::-1] if perm is None else [_axis_in("sparse.transpose", p, rank) for p in perm]
        if sorted(perm) != list(range(rank)):
            raise ValueError(f"sparse.transpose: perm {perm} is not a permutation of the {rank} dims")
        permuted = SparseTensor(gather(sp.indices, perm, axis=1), sp.values, gather(dense_shape, perm))
        return sparse_reorder(permuted)


def sparse_reshape(sp_input, shape, name=None):
    """The same entries in a tensor of ``shape`` (one dim may be -1: inferred from the element count); each entry
    keeps its row-major position."""
    sp = _sparse("sparse.reshape", sp_input)
    with get_default_graph().name_scope(name or "SparseReshape"):
        dense_shape = _shape_of_known_rank("sparse.reshape", sp)
        new_shape = ops.reshape(cast(convert_to_tensor(shape), dtypes.int64), (-1,))
        count = ops.prod(dense_shape)
        known = ops.prod(ops.where(ops.lt(new_shape, 0), ops.ones_like(new_shape), new_shape))
        new_shape = ops.where(ops.lt(new_shape, 0), ops.floor_divide(count, known), new_shape)
        check = assert_equal(ops.prod(new_shape), count,
                             message="sparse.reshape: the new shape must hold as many elements as the old one")
        with control_dependencies([check]):
            new_shape = identity(new_shape)
        return SparseTensor(_unravel(_linear_positions(sp.indices, dense_shape), new_shape), sp.values, new_shape)


def _rows(sp, fn_name):
    """For each entry, the number of its innermost row (its indices without the last, as one linear position),
    and the number of rows."""
    dense_shape = _shape_of_known_rank(fn_name, sp)
    leading = dense_shape[:-1]
    return _linear_positions(sp.indices[:, :-1], leading), ops.prod(leading)


def sparse_softmax(sp_input, name=None):
    """softmax(v)_e = exp(v_e) / Σ exp(v_f) over the entries f stored in the same innermost row as e; missing
    elements are absent, not zeros. Rows are shifted by their largest entry so that exp cannot overflow."""
    sp = _sparse("sparse.softmax", sp_input)
    with get_default_graph().name_scope(name or "SparseSoftmax"):
        rows, n_rows = _rows(sp, "sparse.softmax")
        largest = stop_gradient(gather(unsorted_segment_max(sp.values, rows, n_rows), rows))
        exps = ops.exp(sp.values - largest)
        return SparseTensor(sp.indices, exps / gather(unsorted_segment_sum(exps, rows, n_rows), rows),
                            sp.dense_shape)


def sparse_reduce_max(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None, name=None):
    """The largest stored entry along ``axis`` (all by default). The missing elements take no part (a row of
    negative entries with a gap has a negative max); where no entry is stored at all, the result is 0."""
    sp = _sparse("sparse.reduce_max", sp_input)
    axis = axis if axis is not None else reduction_axes
    keepdims = bool(keepdims if keepdims is not None else keep_dims)
    with get_default_graph().name_scope(name or "SparseReduceMax"):
        stored = ops.gt(_scatter(sp, ops.ones_like(sp.indices[:, 0])), 0)
        lowest = convert_to_tensor(lowest_value(sp.dtype), sp.dtype)
        entries = ops.where(stored, _scatter(sp, sp.values), lowest)
        largest = reduce_max(entries, axis=axis, keepdims=keepdims)
        return ops.where(reduce_any(stored, axis=axis, keepdims=keepdims), largest, ops.zeros_like(largest))


def sparse_fill_empty_rows(sp_input, default_value, name=None):
    """``(filled, empty_row_indicator)``: ``sp_input`` with an entry ``[r, 0, ..., 0] = default_value`` added for
    each row r (index along dim 0) that has no entry, in row-major order, and a bool vector marking those rows."""
    sp = _sparse("sparse.fill_empty_rows", sp_input)
    with get_default_graph().name_scope(name or "SparseFillEmptyRows"):
        dense_shape = _shape_of_known_rank("sparse.fill_empty_rows", sp)
        rows = sp.indices[:, 0]
        empty = ops.eq(unsorted_segment_sum(ops.ones_like(rows), rows, dense_shape[0]), 0)
        empty_rows = where(empty)  # [k, 1]: the numbers of the empty rows
        added = ops.cat([empty_rows, ops.zeros_like(empty_rows) * ops.zeros_like(dense_shape[1:])], 1)
        values = ops.cat([sp.values, ops.zeros_like(cast(empty_rows[:, 0], sp.dtype))
                          + convert_to_tensor(default_value, sp.dtype)], 0)
        filled = SparseTensor(ops.cat([sp.indices, added], 0), values, sp.dense_shape)
        return sparse_reorder(filled), empty


def sparse_to_dense_indices(sparse_indices, output_shape, sparse_values, default_value=0, validate_indices=True,
                            name=None):
    """TF1's ``tf.sparse_to_dense``: a dense tensor of ``output_shape`` with ``sparse_values`` (a vector, or one
    number for every index) at ``sparse_indices`` ([N, rank], or [N] for a vector, or one index) and
    ``default_value`` elsewhere."""
    with get_default_graph().name_scope(name or "SparseToDense"):
        values = convert_to_tensor(sparse_values)
        indices = cast(convert_to_tensor(sparse_indices), dtypes.int64)
        shape = cast(convert_to_tensor(output_shape), dtypes.int64)
        if indices.shape.rank_known and indices.shape.rank < 2:  # one index, or indices into a vector
            indices = ops.reshape(indices, (-1, 1) if shape.shape.rank == 0 or shape.shape[0] == 1 else (1, -1))
        if shape.shape.rank != 1:  # (a vector's shape may be one number)
            shape = ops.reshape(shape, (-1,))
        if values.shape.rank == 0:
            values = ops.add(ops.zeros_like(cast(indices[:, 0], values.dtype)), values)
        return sparse_to_dense(SparseTensor(indices, values, shape), default_value)


def _sparse_segment(fn_name, reduce):
    def segment(data, indices, segment_ids, name=None, num_segments=None):
        """Rows ``data[indices]``, then reduced per ``segment_ids`` (sorted), as ``tf.segment_*`` does."""
        with get_default_graph().name_scope(name or fn_name):
            # (index_select, not gather: the gradient of data is a dense tensor here, as TF's)
            return reduce(ops.index_select(convert_to_tensor(data), 0, convert_to_tensor(indices)), segment_ids)
    segment.__name__ = segment.__qualname__ = fn_name
    return segment


def _sqrt_n(data, segment_ids):
    """Σ / √n per segment (n its number of rows)."""
    total = segment_sum(data, segment_ids)
    counts = segment_sum(ops.ones_like(cast(segment_ids, total.dtype)), segment_ids)
    counts = ops.reshape(counts, tuple([-1] + [1] * (total.ndim - 1)))
    return total / ops.sqrt(ops.where(ops.gt(counts, 0), counts, ops.ones_like(counts)))


sparse_segment_sum = _sparse_segment("sparse_segment_sum", segment_sum)
sparse_segment_mean = _sparse_segment("sparse_segment_mean", segment_mean)
sparse_segment_sqrt_n = _sparse_segment("sparse_segment_sqrt_n", _sqrt_n)

nn.embedding_lookup_sparse = embedding_lookup_sparse

#: ``tf.sparse``: the same functions under TF's newer names
sparse = types.SimpleNamespace(
    SparseTensor=SparseTensor, SparseTensorValue=SparseTensorValue, placeholder=sparse_placeholder,
    to_dense=sparse_to_dense, from_dense=sparse_from_dense, sparse_dense_matmul=sparse_dense_matmul,
    matmul=sparse_dense_matmul, reduce_sum=sparse_reduce_sum, add=sparse_add, retain=sparse_retain,
    reorder=sparse_reorder, segment_sum=sparse_segment_sum, segment_mean=sparse_segment_mean,
    segment_sqrt_n=sparse_segment_sqrt_n, concat=sparse_concat, transpose=sparse_transpose, reshape=sparse_reshape,
    softmax=sparse_softmax, reduce_max=sparse_reduce_max, fill_empty_rows=sparse_fill_empty_rows)
