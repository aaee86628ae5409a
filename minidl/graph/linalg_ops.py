"""``tf.linalg`` for matrices: identity matrices, diagonals, the trace, the inverse and the determinant.

TF works on *batches* of matrices: the last two dims are the matrix, any dims before them index it. The
diagonal functions are compositions of op-library ops with a constant identity mask (``where(mask, x, 0)``
rather than ``x * eye``, so that an infinity off the diagonal cannot turn into NaN); their gradients come from
those ops. Importing this module adds the functions to the ``tf.linalg`` namespace.
"""
import math as _math

import numpy

from .. import ops
from ..backend import dtypes
from .math_ops import (FLOATS_AND_COMPLEX, NUMBERS, check_dtype, constant_value, linalg, matrix_transpose, tf_op,
                       to_tensor)


def _static_dims(x, what):
    """The last two dims of ``x``, which must be known when the graph is built (they size the mask)."""
    if not x.shape.rank_known or len(x.shape) < 2:
        raise ValueError(f"{what}: input must be at least 2-dimensional, received shape {x.shape}")
    rows, cols = x.shape[-2:]
    if None in (rows, cols):
        raise ValueError(f"{what}: the last two dims of the input must be known when the graph is built, got "
                         f"{x.shape}")
    return rows, cols


def _mask(rows, cols):
    """A constant bool [rows, cols] matrix, True on the main diagonal."""
    return to_tensor(numpy.eye(rows, cols, dtype=bool))


@tf_op("eye")
def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """The [num_rows, num_columns] identity matrix (square by default), repeated over ``batch_shape`` (leading
    dims) if given. The sizes must be known when the graph is built."""
    rows = constant_value(num_rows, "num_rows")
    cols = rows if num_columns is None else constant_value(num_columns, "num_columns")
    batch = [] if batch_shape is None else list(constant_value(batch_shape, "batch_shape"))
    for n, what in ((rows, "num_rows"), (cols, "num_columns")):
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"{what} must be a non-negative integer, got {n!r}")
    matrix = numpy.eye(rows, cols, dtype=dtypes.as_dtype(dtype))
    return to_tensor(numpy.broadcast_to(matrix, batch + [rows, cols]).copy())


@tf_op("Diag")
def diag(diagonal, name=None):
    """TF1's ``tf.diag``: from ``diagonal`` of shape s (rank k), the rank-2k tensor of shape s + s that holds
    ``diagonal[i]`` at ``[i, i]`` and 0 elsewhere — for a vector, the diagonal matrix. (``tf.linalg.diag`` instead
    makes a batch of matrices from a batch of vectors.)"""
    x = check_dtype(to_tensor(diagonal), NUMBERS, "diagonal")
    if not x.shape.is_fully_defined() or len(x.shape) == 0:
        raise ValueError(f"Input must be at least rank 1 with a fully known shape, got {x.shape}")
    return ops.reshape(ops.diag(ops.reshape(x, [-1])), list(x.shape) * 2)


@tf_op("DiagPart")
def diag_part(input, name=None):
    """The inverse of ``diag``: from a tensor of shape s + s, the tensor of shape s holding its ``[i, i]``
    entries."""
    x = check_dtype(to_tensor(input), NUMBERS, "input")
    if not x.shape.is_fully_defined() or len(x.shape) % 2 or len(x.shape) == 0:
        raise ValueError(f"Input must have even and non-zero rank and a fully known shape, input rank is "
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
    if not x.shape.rank_known or len(x.shape) < 1 or x.shape[-1] is None:
        raise ValueError(f"diagonal must be at least 1-dimensional with a known last dim, received shape {x.shape}")
    column = ops.unsqueeze(x, -1)  # [..., n, 1]: row i holds diagonal[i], broadcast along the row by where
    return ops.where(_mask(x.shape[-1], x.shape[-1]), column, ops.zeros_like(column))


@tf_op("MatrixDiagPart")
def matrix_diag_part(input, name=None, k=0, padding_value=0):
    """The main diagonals of a batch of matrices [..., m, n]: shape [..., min(m, n)] (``tf.linalg.diag_part``)."""
    if (k, padding_value) != (0, 0):
        raise NotImplementedError("matrix_diag_part supports only k=0 and padding_value=0")
    x = check_dtype(to_tensor(input), NUMBERS, "input")
    rows, cols = _static_dims(x, "matrix_diag_part")
    on_diagonal = ops.where(_mask(rows, cols), x, ops.zeros_like(x))
    return ops.getitem(ops.sum(on_diagonal, -1, dtype=x.dtype), (Ellipsis, slice(0, min(rows, cols))))


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


for _name, _fn in (("eye", eye), ("diag", matrix_diag), ("diag_part", matrix_diag_part), ("trace", trace),
                   ("inv", matrix_inverse), ("det", matrix_determinant)):
    setattr(linalg, _name, _fn)

__all__ = ["eye", "diag", "diag_part", "matrix_diag", "matrix_diag_part", "trace", "matrix_inverse",
           "matrix_determinant"]
