"""``tf.linalg`` for matrices: identity matrices, diagonals, band parts, the trace, the inverse and the
determinant, the factorizations (Cholesky, QR, SVD, eigh) and the solvers.

TF works on *batches* of matrices: the last two dims are the matrix, any dims before them index it. The
diagonal functions are compositions of op-library ops with a constant identity mask (``where(mask, x, 0)``
rather than ``x * eye``, so that an infinity off the diagonal cannot turn into NaN); their gradients come from
those ops. The factorizations and solvers are the op library's (ops/decompositions.py, ops/solvers.py) with TF's
argument conventions — ``tf.svd`` answers ``(s, u, v)`` with v, not v^H — and their gradients are those ops'
VJPs. Importing this module adds the functions to the ``tf.linalg`` namespace.
"""
import math as _math

import numpy

from .. import ops
from ..backend import dtypes
from .core import rank_error
from .math_ops import (FLOATS_AND_COMPLEX, NUMBERS, cast, check_dtype, computed_at_run_time, constant_value, linalg,
                       matching_pair, matrix_transpose, tf_op, to_tensor)



def _static_dims(x, what):
    """The last two dims of ``x``, which must be known when the graph is built (they size the mask)."""
    rows, cols = _matrix_dims(x, what)
    if None in (rows, cols):
        raise ValueError(f"{what}: the last two dims of the input must be known when the graph is built, got "
                         f"{x.shape}")
    return rows, cols


def _matrix_dims(x, what):
    """The last two dims of ``x`` (None where known only when the graph runs); x must have at least two."""
    if not x.shape.rank_known or len(x.shape) < 2:
        raise rank_error(x)(f"{what}: input must be at least 2-dimensional, received shape {x.shape}")
    return tuple(x.shape[-2:])


def _mask(rows, cols):
    """A constant bool [rows, cols] matrix, True on the main diagonal."""
    return to_tensor(numpy.eye(rows, cols, dtype=bool))


def _diagonal_mask(x, rows_dim, cols_dim):
    """The bool [rows, cols] mask of a main diagonal, sized by dims ``rows_dim`` and ``cols_dim`` of ``x``: a
    constant where the graph knows those sizes, else made when it runs."""
    rows, cols = x.shape[rows_dim], x.shape[cols_dim]
    if None not in (rows, cols):
        return _mask(rows, cols)
    sizes = _shape_of(x)
    return ops.ne(eye(ops.getitem(sizes, rows_dim), ops.getitem(sizes, cols_dim), dtype=dtypes.int32), 0)


@tf_op("eye")
def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """The [num_rows, num_columns] identity matrix (square by default), repeated over ``batch_shape`` (leading
    dims) if given: a constant where the sizes are known when the graph is built, else computed when it runs
    (``tf.eye(tf.shape(x)[0])``)."""
    if computed_at_run_time([num_rows, num_columns, batch_shape]):
        return _eye_at_run_time(num_rows, num_columns, batch_shape, dtypes.as_dtype(dtype))
    rows = constant_value(num_rows, "num_rows")
    cols = rows if num_columns is None else constant_value(num_columns, "num_columns")
    batch = [] if batch_shape is None else list(constant_value(batch_shape, "batch_shape"))
    for n, what in ((rows, "num_rows"), (cols, "num_columns")):
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"{what} must be a non-negative integer, got {n!r}")
    matrix = numpy.eye(rows, cols, dtype=dtypes.as_dtype(dtype))
    return to_tensor(numpy.broadcast_to(matrix, batch + [rows, cols]).copy())


def _eye_at_run_time(num_rows, num_columns, batch_shape, dtype):
    """``eye`` with sizes read when the graph runs: entry [i, j] is i == j, over every batch index."""
    from .array_ops import broadcast_to, concat, range as range_of, reshape  # (array_ops comes later)
    rows = range_of(num_rows)
    cols = rows if num_columns is None else range_of(num_columns)
    matrix = cast(ops.eq(reshape(rows, [-1, 1]), reshape(cols, [1, -1])), dtype)
    if batch_shape is None:
        return matrix
    sizes = concat([_shape_of(rows), _shape_of(cols)], 0)
    return broadcast_to(matrix, concat([cast(batch_shape, sizes.dtype), sizes], 0))


def _shape_of(x):
    """``tf.shape(x)`` (int32)."""
    from .array_ops import shape  # (array_ops comes later)
    return shape(x)


@tf_op("Diag")
def diag(diagonal, name=None):
    """TF1's ``tf.diag``: from ``diagonal`` of shape s (rank k), the rank-2k tensor of shape s + s that holds
    ``diagonal[i]`` at ``[i, i]`` and 0 elsewhere — for a vector, the diagonal matrix. (``tf.linalg.diag`` instead
    makes a batch of matrices from a batch of vectors.)"""
    x = check_dtype(to_tensor(diagonal), NUMBERS, "diagonal")
    if not x.shape.is_fully_defined() or len(x.shape) == 0:
        raise rank_error(x)(f"Input must be at least rank 1 with a fully known shape, got {x.shape}")
    return ops.reshape(ops.diag(ops.reshape(x, [-1])), list(x.shape) * 2)


@tf_op("DiagPart")
def diag_part(input, name=None):
    """The inverse of ``diag``: from a tensor of shape s + s, the tensor of shape s holding its ``[i, i]``
    entries."""
    x = check_dtype(to_tensor(input), NUMBERS, "input")
    if not x.shape.is_fully_defined() or len(x.shape) % 2 or len(x.shape) == 0:
        raise rank_error(x)(f"Input must have even and non-zero rank and a fully known shape, input rank is "
                            f"{x.shape.rank}, shape {x.shape}")
    half = list(x.shape)[:len(x.shape) // 2]
    if half * 2 != list(x.shape):
        raise ValueError(f"Invalid shape {x.shape}: dimensions of the two halves must be equal")
    n = _math.prod(half)
    return ops.reshape(ops.diag(ops.reshape(x, [n, n])), half)


@tf_op("MatrixDiag")
def matrix_diag(diagonal, name=None, k=0, num_rows=-1, num_cols=-1, padding_value=0):
    """From ``diagonal`` [..., n], the batch of diagonal matrices [..., n, n] (``tf.linalg.diag``). Only the main
    diagonal (k=0) with default sizes and zero padding is supported."""
    if (k, num_rows, num_cols, padding_value) != (0, -1, -1, 0):
        raise NotImplementedError("matrix_diag supports only k=0, num_rows=-1, num_cols=-1 and padding_value=0")
    x = check_dtype(to_tensor(diagonal), NUMBERS, "diagonal")
    if not x.shape.rank_known or len(x.shape) < 1:
        raise rank_error(x)(f"diagonal must be at least 1-dimensional, received shape {x.shape}")
    column = ops.unsqueeze(x, -1)  # [..., n, 1]: row i holds diagonal[i], broadcast along the row by where
    return ops.where(_diagonal_mask(x, -1, -1), column, ops.zeros_like(column))


@tf_op("MatrixDiagPart")
def matrix_diag_part(input, name=None, k=0, padding_value=0):
    """The main diagonals of a batch of matrices [..., m, n]: shape [..., min(m, n)] (``tf.linalg.diag_part``)."""
    if (k, padding_value) != (0, 0):
        raise NotImplementedError("matrix_diag_part supports only k=0 and padding_value=0")
    x = check_dtype(to_tensor(input), NUMBERS, "input")
    rows, cols = _matrix_dims(x, "matrix_diag_part")
    on_diagonal = ops.where(_diagonal_mask(x, -2, -1), x, ops.zeros_like(x))
    row_sums = ops.sum(on_diagonal, -1, dtype=x.dtype)  # row i holds its diagonal entry, if it has one
    if None not in (rows, cols):
        return ops.getitem(row_sums, (Ellipsis, slice(0, min(rows, cols))))
    sizes = _shape_of(x)
    return row_sums[..., :ops.minimum(ops.getitem(sizes, -2), ops.getitem(sizes, -1))]


@tf_op("MatrixSetDiag")
def matrix_set_diag(input, diagonal, name=None, k=0):
    """A batch of matrices [..., m, n] with its main diagonals replaced by ``diagonal`` [..., min(m, n)]
    (``tf.linalg.set_diag``)."""
    if k != 0:
        raise NotImplementedError("matrix_set_diag supports only k=0")
    x, d = matching_pair("MatrixSetDiag", input, diagonal, ("input", "diagonal"))
    rows, cols = _static_dims(x, "matrix_set_diag")
    if not d.shape.is_compatible_with(list(x.shape)[:-2] + [min(rows, cols)]):
        raise ValueError(f"diagonal must have shape {list(x.shape)[:-2] + [min(rows, cols)]}, got {d.shape}")
    # row i of the mask has its True at column i (if there is one): where it is, take diagonal[i]
    column = ops.unsqueeze(ops.pad(d, (0, rows - min(rows, cols))) if rows > cols else d, -1)
    return ops.where(_mask(rows, cols), column, x)


@tf_op("Trace")
def trace(x, name=None):
    """The sum of the main diagonal of each matrix in the batch [..., m, n] (in x's dtype): shape [...]."""
    x = to_tensor(x)
    return ops.sum(matrix_diag_part(x), -1, dtype=x.dtype)


@tf_op("MatrixInverse")
def matrix_inverse(input, adjoint=False, name=None):
    """The inverse of each square matrix of the batch [..., n, n] (of its conjugate transpose with ``adjoint``).
    A singular matrix is an InvalidArgumentError when the graph runs."""
    x = check_dtype(to_tensor(input), FLOATS_AND_COMPLEX, "input")
    return ops.inverse(matrix_transpose(x, conjugate=True) if adjoint else x)


@tf_op("MatrixDeterminant")
def matrix_determinant(input, name=None):
    """The determinant of each square matrix of the batch [..., n, n]: shape [...]."""
    return ops.det(check_dtype(to_tensor(input), FLOATS_AND_COMPLEX, "input"))


# =================================================================================== factorizations, solvers

def _float_matrices(value, param="input"):
    return check_dtype(to_tensor(value), FLOATS_AND_COMPLEX, param)


@tf_op("MatrixBandPart")
def matrix_band_part(input, num_lower, num_upper, name=None):
    """Keep the band of each matrix: ``num_lower`` diagonals below the main one and ``num_upper`` above it (-1:
    all of them); zero the rest. ``band_part(x, 0, -1)`` is the upper triangle, ``band_part(x, 0, 0)`` the
    diagonal. Built on ``triu``/``tril``, which need no static matrix size and pass their gradient through."""
    x = check_dtype(to_tensor(input), NUMBERS + ("bool",), "input")
    lower, upper = constant_value(num_lower, "num_lower"), constant_value(num_upper, "num_upper")
    if lower >= 0:
        x = ops.triu(x, -lower)
    if upper >= 0:
        x = ops.tril(x, upper)
    return x


@tf_op("Cholesky")
def cholesky(input, name=None):
    """The lower-triangular L with ``input = L L^H`` for each symmetric positive-definite matrix; only the lower
    triangle is read. A matrix that is not positive-definite is an InvalidArgumentError when the graph runs."""
    return ops.cholesky(_float_matrices(input))


@tf_op("cholesky_solve")
def cholesky_solve(chol, rhs, name=None):
    """X with ``A X = rhs``, given A's Cholesky factor ``chol`` (lower-triangular)."""
    factor = _float_matrices(chol, "chol")
    return ops.cholesky_solve(_rhs(rhs, factor, "CholeskySolve", "chol"), factor)


@tf_op("Qr", one_op=True)
def qr(input, full_matrices=False, name=None):
    """``(q, r)`` with ``input = q r``: q's columns orthonormal, r upper-triangular; ``full_matrices`` gives the
    square q (m, m) and r (m, n), otherwise q (m, k) and r (k, n), k = min(m, n)."""
    return tuple(ops.linalg_qr(_float_matrices(input), "complete" if full_matrices else "reduced"))


@tf_op("Svd", one_op=True)
def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """TF's order and convention: ``(s, u, v)`` with ``tensor = u diag(s) v^H`` — v, not v^H as in numpy and
    PyTorch. With ``compute_uv=False``, only s. Singular vectors are unique only up to sign."""
    x = _float_matrices(tensor, "tensor")
    if not compute_uv:
        return ops.linalg_svdvals(x)
    u, s, vh = ops.linalg_svd(x, full_matrices=bool(full_matrices))
    return s, u, matrix_transpose(vh, conjugate=True)


@tf_op("SelfAdjointEigV2", one_op=True)
def self_adjoint_eig(tensor, name=None):
    """``(e, v)``: the eigenvalues (ascending) and eigenvectors (columns) of each self-adjoint matrix, of which
    only the lower triangle is read (``tf.linalg.eigh``)."""
    matrices = _float_matrices(tensor, "tensor")
    e, v = ops.linalg_eigh(_from_lower_triangle(matrices))
    return _as_input(e, matrices), v


@tf_op("SelfAdjointEigV2", one_op=True)
def self_adjoint_eigvals(tensor, name=None):
    """The eigenvalues (ascending) of each self-adjoint matrix (``tf.linalg.eigvalsh``)."""
    matrices = _float_matrices(tensor, "tensor")
    return _as_input(ops.linalg_eigvalsh(_from_lower_triangle(matrices)), matrices)


def _from_lower_triangle(matrices):
    """The self-adjoint matrices that the lower triangles of ``matrices`` stand for, built explicitly: the same
    values the eigensolver reads, and TF's gradient, which is the derivative with respect to the entries read —
    the lower triangle of G + G^H with its diagonal halved, where the op library gives the Hermitian part of G."""
    return ops.tril(matrices) + matrix_transpose(ops.tril(matrices, -1), conjugate=True)


def _as_input(values, matrices):
    """TF's real results of a matrix function (eigenvalues, log|det|) have the matrices' dtype: of complex matrices
    they are complex numbers with imaginary parts 0."""
    return values if values.dtype == matrices.dtype else ops.cast(values, matrices.dtype)


def _rhs(rhs, matrix, op_type, matrix_param="matrix"):
    """TF's right-hand sides are (batches of) matrices [..., M, K] of the matrix's dtype."""
    b = to_tensor(rhs, matrix.dtype)
    if b.dtype != matrix.dtype:
        raise TypeError(f"Input 'rhs' of '{op_type}' Op has type {b.dtype.name} that does not match type "
                        f"{matrix.dtype.name} of argument '{matrix_param}'.")
    if b.shape.rank_known and len(b.shape) < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {len(b.shape)} for 'rhs' of '{op_type}'")
    return b


@tf_op("MatrixSolve")
def matrix_solve(matrix, rhs, adjoint=False, name=None):
    """X with ``matrix X = rhs`` (``adjoint``: ``matrix^H X = rhs``) for square, invertible matrices; rhs is
    [..., M, K]. A singular matrix is an InvalidArgumentError when the graph runs."""
    a = _float_matrices(matrix, "matrix")
    b = _rhs(rhs, a, "MatrixSolve")
    return ops.linalg_solve(matrix_transpose(a, conjugate=True) if adjoint else a, b)


@tf_op("MatrixTriangularSolve")
def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """X with ``T X = rhs``, T the lower (``lower``) or upper triangle of ``matrix`` — the other entries are not
    read; ``adjoint`` solves ``T^H X = rhs`` (the adjoint of a lower triangle is upper triangular)."""
    a = _float_matrices(matrix, "matrix")
    b = _rhs(rhs, a, "MatrixTriangularSolve")
    if adjoint:
        return ops.linalg_solve_triangular(matrix_transpose(a, conjugate=True), b, upper=bool(lower))
    return ops.linalg_solve_triangular(a, b, upper=not lower)


@tf_op("MatrixSolveLs")
def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """The least-squares solution X of ``matrix X = rhs`` (for a wide matrix, the smallest one). With
    ``l2_regularizer`` λ > 0 it minimizes ||A X - B||^2 + λ ||X||^2 through the normal equations,
    (A^T A + λ I) X = A^T B (or X = A^T (A A^T + λ I)^-1 B for a wide A); without, through QR (``fast`` is
    accepted and ignored)."""
    a = _float_matrices(matrix, "matrix")
    b = _rhs(rhs, a, "MatrixSolveLs")
    regularizer = constant_value(l2_regularizer, "l2_regularizer")
    if not regularizer:
        return ops.linalg_lstsq(a, b).solution
    rows, cols = _static_dims(a, "matrix_solve_ls")
    at = matrix_transpose(a)
    if rows >= cols:
        return ops.linalg_solve(ops.matmul(at, a) + regularizer * eye(cols, dtype=a.dtype), ops.matmul(at, b))
    return ops.matmul(at, ops.linalg_solve(ops.matmul(a, at) + regularizer * eye(rows, dtype=a.dtype), b))


@tf_op("LogMatrixDeterminant")
def log_matrix_determinant(input, name=None):
    """``(sign, log_abs_determinant)`` of each square matrix (``tf.linalg.slogdet``); both have the input's dtype,
    as in TF (for complex matrices the log is a complex number with imaginary part 0)."""
    matrices = _float_matrices(input)
    sign, log_abs = ops.slogdet(matrices)
    return sign, _as_input(log_abs, matrices)


@tf_op("logdet")
def logdet(matrix, name=None):
    """log det of each symmetric positive-definite matrix, as TF computes it: ``2 Σ log diag(cholesky(A))`` (the
    determinant of L L^T is the square of the product of L's diagonal)."""
    chol = cholesky(_float_matrices(matrix, "matrix"))
    return 2.0 * ops.sum(ops.log(matrix_diag_part(chol)), -1)


@tf_op("pinv")
def pinv(a, rcond=None, validate_args=False, name=None):
    """The Moore-Penrose pseudo-inverse of each matrix (from its SVD). Singular values at or below ``rcond`` times
    the largest count as zero; TF's default rcond is 10 · eps · max(m, n) (PyTorch's eps · max(m, n) when the
    matrix size is known only at run time)."""
    x = _float_matrices(a, "a")
    if rcond is None and x.shape.rank_known and None not in x.shape[-2:]:
        rcond = 10 * float(numpy.finfo(x.dtype).eps) * max(x.shape[-2:])
    return ops.linalg_pinv(x, rtol=rcond)


@tf_op("matrix_rank")
def matrix_rank(a, tol=None, validate_args=False, name=None):
    """The rank of each matrix: how many singular values exceed ``tol`` (default: eps · max(m, n) times the
    largest), as int64."""
    return ops.linalg_matrix_rank(_float_matrices(a, "a"), atol=tol)


@tf_op("Cross")
def cross(a, b, name=None):
    """The cross product of the 3-vectors along the last dim of a and b (same shape and dtype)."""
    a, b = matching_pair("Cross", a, b, ("a", "b"))
    return ops.linalg_cross(a, b, dim=-1)


for _name, _fn in (("eye", eye), ("diag", matrix_diag), ("diag_part", matrix_diag_part), ("trace", trace),
                   ("set_diag", matrix_set_diag),
                   ("inv", matrix_inverse), ("det", matrix_determinant), ("band_part", matrix_band_part),
                   ("cholesky", cholesky), ("cholesky_solve", cholesky_solve), ("qr", qr), ("svd", svd),
                   ("eigh", self_adjoint_eig), ("eigvalsh", self_adjoint_eigvals), ("solve", matrix_solve),
                   ("triangular_solve", matrix_triangular_solve), ("lstsq", matrix_solve_ls),
                   ("slogdet", log_matrix_determinant), ("logdet", logdet), ("pinv", pinv),
                   ("matrix_rank", matrix_rank), ("cross", cross)):
    setattr(linalg, _name, _fn)

__all__ = ["eye", "diag", "diag_part", "matrix_diag", "matrix_diag_part", "matrix_set_diag", "trace",
           "matrix_inverse", "matrix_determinant", "matrix_band_part", "cholesky", "cholesky_solve", "qr", "svd",
           "self_adjoint_eig", "self_adjoint_eigvals", "matrix_solve", "matrix_triangular_solve", "matrix_solve_ls",
           "log_matrix_determinant", "cross"]
