"""Householder reflections, in the compact form LAPACK keeps a QR factorization in: ``geqrf`` (the factorization),
``linalg.householder_product`` (its Q, also called ``orgqr``) and ``ormqr`` (Q, or Q^H, times another matrix,
without forming Q).

A reflection H = I - τ v v^H (v with a 1 at position i and zeros above it) maps a column onto a multiple of
e_i. Householder QR applies k = min(m, n) of them to an (m, n) matrix A, one per column, so that
H_k ⋯ H_2 H_1 A = R is upper triangular; then A = Q R with Q = H_1 H_2 ⋯ H_k. ``geqrf`` returns

    a     (m, n): R on and above the diagonal, and below it the entries of each v_i under its leading 1
    tau   (k,):   the τ_i

``householder_product(a, tau)`` is the first n columns of Q (an (m, n) matrix with orthonormal columns when the
τ come from ``geqrf``), and ``ormqr(a, tau, C)`` is Q C (``transpose``: Q^H C; ``left=False``: C Q, C Q^H) with
the whole (m, m) Q. Both apply the reflections one at a time: H C = C - τ v (v^H C) costs a matrix-vector product,
not a matrix product.

Gradients: geqrf has none (as in PyTorch, whose backward raises); the other two are compositions of matmuls and
are differentiated through them, which gives the entries below the diagonal of ``a`` (the only ones they read)
and ``tau`` their gradients.
"""
from .base import DtypeError, Op, OpError, Spec, apply, describe
from .broadcast import broadcast_to_like
from .decompositions import _last
from .indexing import getitem
from .linalg import EyeLike, _check_tensors, _mH, matmul
from .shape import tril, unsqueeze
from .solvers import check_matrices
from .spectral import conj

__all__ = ["geqrf", "linalg_householder_product", "orgqr", "ormqr"]


class Geqrf(Op):
    """``(a, tau)``: the Householder QR of each matrix of the batch in LAPACK's compact form (module docstring).
    numpy's and cupy's ``qr(mode="raw")`` call LAPACK's (cuSOLVER's) geqrf; they hand back the column-major
    matrix, that is, the transpose."""
    n_outputs = 2
    saves_inputs = ()

    @staticmethod
    def forward(xp, a):
        packed, tau = xp.linalg.qr(a, mode="raw")
        return xp.ascontiguousarray(xp.swapaxes(packed, -1, -2)).astype(a.dtype), tau.astype(a.dtype)

    @staticmethod
    def vjp(ctx, g_a, g_tau):
        raise NotImplementedError("geqrf: the derivative for 'geqrf' is not implemented (as in PyTorch); "
                                  "differentiate linalg.qr instead")

    @staticmethod
    def infer(a):
        if a.shape is None:
            return a, Spec(None, a.dtype)
        m, n = a.shape[-2:]
        return a, Spec(a.shape[:-2] + (None if None in (m, n) else min(m, n),), a.dtype)


def geqrf(input):
    """``torch.geqrf``: the named tuple-like pair ``(a, tau)`` of the Householder QR of each (m, n) matrix of the
    batch (module docstring). ``linalg.householder_product(a, tau)`` gives Q back, ``triu(a)`` R. Not
    differentiable: a backward pass through it raises."""
    check_matrices("geqrf", input, square=False)
    return apply(Geqrf, input)


# ------------------------------------------------------------------------------------ applying reflections

def _reflectors(op_name, a, tau):
    """Check ``a`` (m, n) and ``tau`` (k,) with k <= min(m, n) and the same batch dims and dtype; return the
    (m, k) matrix whose column i is v_i: a's column i below the diagonal, 1 on it, 0 above."""
    check_matrices(op_name, a, square=False)
    _check_tensors(op_name, tau)
    if tau.dtype != a.dtype:
        raise DtypeError(f"{op_name}: tau dtype {tau.dtype.name} does not match input dtype {a.dtype.name} "
                         f"({describe(tau)} and {describe(a)})")
    if tau.ndim != a.ndim - 1 or any(None not in (s, t) and s != t for s, t in zip(tau.shape[:-1], a.shape[:-2])):
        raise OpError(f"{op_name}: Expected batch dimensions of tau to be equal to input.shape[:-2] = "
                      f"{list(a.shape[:-2])}, but got tau of shape {list(tau.shape)}")
    m, n, k = a.shape[-2], a.shape[-1], tau.shape[-1]
    if None in (m, n, k):
        raise NotImplementedError(f"{op_name}: the number of reflections must be known when the graph is built, "
                                  f"got {describe(a)} and {describe(tau)}")
    if k > min(m, n):
        raise OpError(f"{op_name}: tau.shape[-1] = {k} reflections need input.shape[-2] and input.shape[-1] >= {k}, "
                      f"got {describe(a)}")
    unit_columns = _last(apply(EyeLike, a, axis=-2), 0, k)  # (m, k): column i is e_i
    return tril(_last(a, 0, k), -1) + unit_columns


def _reflect(vectors, tau, c, order, left, adjoint):
    """Apply the reflections H_i (their adjoints H_i^H = I - conj(τ_i) v_i v_i^H with ``adjoint``), in the
    ``order`` of their numbers i, to ``c``: on the left, H c = c - τ v (v^H c); on the right,
    c H = c - τ (c v) v^H."""
    for i in order:
        v = getitem(vectors, (Ellipsis, slice(None), slice(i, i + 1)))  # (m, 1)
        t = unsqueeze(getitem(tau, (Ellipsis, slice(i, i + 1))), -1)  # (1, 1), batched as c
        t = conj(t) if adjoint else t
        if left:
            c = c - matmul(t * v, matmul(_mH(v), c))
        else:
            c = c - matmul(matmul(c, v), t * _mH(v))
    return c


def linalg_householder_product(A, tau):
    """``torch.linalg.householder_product``: the first n columns of H_1 H_2 ⋯ H_k for an (m, n) ``A`` (m >= n)
    holding the vectors below its diagonal, as ``geqrf`` leaves them, and ``tau`` (k,), k <= n."""
    op_name = "linalg.householder_product"
    check_matrices(op_name, A, square=False)
    m, n = A.shape[-2:]
    if None not in (m, n) and m < n:
        raise OpError(f"{op_name}: input.shape[-2] must be greater than or equal to input.shape[-1], got "
                      f"{describe(A)}")
    vectors = _reflectors(op_name, A, tau)
    identity_columns = broadcast_to_like(_last(apply(EyeLike, A, axis=-2), 0, n), A)  # the first n columns of I
    # Q e = H_1 (H_2 ⋯ (H_k e)): the last reflection is applied first
    return _reflect(vectors, tau, identity_columns, reversed(range(tau.shape[-1])), True, False)


def orgqr(input, tau):
    """``torch.orgqr``: ``linalg.householder_product`` (LAPACK's name for it)."""
    return linalg_householder_product(input, tau)


def ormqr(input, tau, other, left=True, transpose=False):
    """``torch.ormqr``: ``Q other`` (``left=False``: ``other Q``; ``transpose``: Q^H instead of Q), with Q the
    (m, m) product H_1 ⋯ H_k of the reflections that ``geqrf``'s ``(input, tau)`` describe. ``other`` has the
    same batch dims, and m rows (``left``) or m columns."""
    op_name = "ormqr"
    vectors = _reflectors(op_name, input, tau)
    _check_tensors(op_name, other)
    if other.ndim != input.ndim:
        raise OpError(f"{op_name}: Expected other to have the same number of dimensions as input, got "
                      f"{describe(other)} and {describe(input)}")
    if any(None not in (s, t) and s != t for s, t in zip(other.shape[:-2], input.shape[:-2])):
        raise OpError(f"{op_name}: Expected batch dimensions of other to be equal to input.shape[:-2] = "
                      f"{list(input.shape[:-2])}, got {describe(other)}")
    if other.dtype != input.dtype:
        raise DtypeError(f"{op_name}: other dtype {other.dtype.name} does not match input dtype "
                         f"{input.dtype.name}")
    m, size = input.shape[-2], other.shape[-2 if left else -1]
    if None not in (m, size) and m != size:
        raise OpError(f"{op_name}: other.shape[{-2 if left else -1}] must be equal to input.shape[-2] = {m}, got "
                      f"{describe(other)}")
    k = tau.shape[-1]
    # Q C = H_1 (⋯ (H_k C)), Q^H C = H_k^H (⋯ (H_1^H C)), C Q = ((C H_1) ⋯) H_k, C Q^H = ((C H_k^H) ⋯) H_1^H
    first_to_last = left == transpose
    order = range(k) if first_to_last else reversed(range(k))
    return _reflect(vectors, tau, other, order, left, transpose)
