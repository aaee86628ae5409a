"""``torch.linalg.tensorinv`` and ``tensorsolve``: inverting and solving with a tensor read as a linear map.

A tensor A of shape ``I + J`` (two groups of dims) is a linear map from tensors of shape J to tensors of shape I,
``(A x)[i] = Σ_j A[i, j] x[j]`` — ``tensordot(A, x, dims=len(J))``. Flattening each group makes it an ordinary
``prod(I) × prod(J)`` matrix, so both functions are a reshape, ``inv``/``solve``, and a reshape back; their
gradients are those of the pieces.
"""
import math

from .base import OpError, describe
from .matrix import inverse
from .shape import reshape
from .shape_helpers import movedim
from .solvers import linalg_solve

__all__ = ["linalg_tensorinv", "linalg_tensorsolve"]


def linalg_tensorinv(A, ind=2):
    """``torch.linalg.tensorinv``: the tensor ``X`` of shape ``A.shape[ind:] + A.shape[:ind]`` with
    ``tensordot(X, A, ind)`` the identity map — the inverse of A read as a map from its last dims to its first
    ``ind`` dims, which must hold as many numbers."""
    if not isinstance(ind, int) or isinstance(ind, bool) or ind <= 0:
        raise OpError(f"linalg.tensorinv: Expected a strictly positive integer for 'ind', but got {ind!r}")
    rows, columns = A.shape[:ind], A.shape[ind:]
    if math.prod(rows) != math.prod(columns):
        raise OpError(f"linalg.tensorinv: Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                      f"prod(self.shape[:ind]), but got {math.prod(columns)} != {math.prod(rows)} for ind={ind} and "
                      f"{describe(A)}")
    square = reshape(A, (math.prod(rows), math.prod(columns)))
    return reshape(inverse(square), tuple(columns) + tuple(rows))


def linalg_tensorsolve(A, B, dims=None):
    """``torch.linalg.tensorsolve``: the tensor ``X`` of shape ``A.shape[B.ndim:]`` with ``tensordot(A, X,
    X.ndim) == B``; ``dims`` (A's dims to move to the end first) lets the unknowns' dims be anywhere in A. The
    first ``B.ndim`` dims of A and the rest must hold as many numbers, and B that many too."""
    if dims is not None:
        dims = (dims,) if isinstance(dims, int) else tuple(dims)
        A = movedim(A, dims, tuple(range(A.ndim - len(dims), A.ndim)))
    equations, unknowns = A.shape[:B.ndim], A.shape[B.ndim:]
    if math.prod(equations) != math.prod(unknowns):
        raise OpError(f"linalg.tensorsolve: Expected self to satisfy the requirement prod(self.shape[other.ndim:]) "
                      f"== prod(self.shape[:other.ndim]), but got {math.prod(unknowns)} != {math.prod(equations)} for "
                      f"A {describe(A)} and B {describe(B)}")
    if math.prod(B.shape) != math.prod(equations):
        raise OpError(f"linalg.tensorsolve: B must hold prod(A.shape[:B.ndim]) = {math.prod(equations)} numbers, "
                      f"got {describe(B)}")
    square = reshape(A, (math.prod(equations), math.prod(unknowns)))
    return reshape(linalg_solve(square, reshape(B, (math.prod(equations),))), tuple(unknowns))
