"""Randomized low-rank SVD and PCA: ``torch.svd_lowrank`` and ``torch.pca_lowrank``.

For an (m, n) matrix A that is (nearly) of rank k <= q, a few products with a random matrix find the space its
columns span, and one small SVD finishes the job (Halko, Martinsson and Tropp, "Finding structure with randomness",
2011; algorithms 4.4 and 5.1):

1. range finder: Y = A Ω with Ω a random Gaussian (n, q) matrix; Q = qr(Y).Q is an orthonormal basis of A's
   column space, up to the parts of it Ω missed. ``niter`` rounds of subspace iteration, Q ← qr(A^H Q).Q and
   Q ← qr(A Q).Q, multiply each direction by its singular value squared, so the small ones fade: the error falls
   like (σ_{q+1} / σ_k)^(2 niter + 1). The QR between the products keeps the columns from collapsing onto the
   largest direction.
2. B = Q^H A is only (q, n); its exact SVD B = Ũ S V^H gives A ≈ Q Q^H A = (Q Ũ) S V^H.

A wide matrix is handled as its transpose (the basis is then found for the shorter side). ``M`` is subtracted
without being formed in the products' places: (A - M) Ω = A Ω - M Ω, and so on. Ω is drawn from minidl's random
generator, so ``manual_seed`` repeats a result (the numbers differ from PyTorch's, whose generator is another).
Everything after the draw is made of differentiable ops (matmul, ``linalg.qr``, ``linalg.svd``), so gradients
flow through, as in PyTorch.

``pca_lowrank`` subtracts the column means first (``center=True``): then V's columns are the principal
directions of the samples in A's rows, and S² / (m - 1) the variances along them.
"""
import numbers

from .. import ops
from ..ops.solvers import check_matrices
from .creation import randn


def _count(name, what, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name}: {what}(={value!r}) must be a non-negative integer")
    return int(value)


def _approximate_basis(A, q, niter, M):
    """An (m, q') matrix Q with orthonormal columns (q' = min(m, q)) such that Q Q^H (A - M) ≈ A - M."""
    def minus_mean(product, mean_product):
        return product if M is None else product - mean_product()

    omega = randn(A.shape[-1], q, dtype=A.dtype, device=A.device)
    Q = ops.linalg_qr(minus_mean(A @ omega, lambda: M @ omega)).Q
    for _ in range(niter):
        Q = ops.linalg_qr(minus_mean(A.mH @ Q, lambda: M.mH @ Q)).Q
        Q = ops.linalg_qr(minus_mean(A @ Q, lambda: M @ Q)).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """``(U, S, V)`` with ``A - M ≈ U diag(S) V^H`` (``M`` None: A itself), found with a random (n, q) matrix
    and ``niter`` rounds of subspace iteration (module docstring). U is (..., m, q'), S (..., q'), V (..., n, q'),
    with q' = min(q, m, n). ``q`` should be a little above A's (numerical) rank. Real matrices only (minidl's
    ``linalg.qr`` is)."""
    name = "svd_lowrank"
    q = 6 if q is None else _count(name, "q", q)
    niter = 2 if niter is None else _count(name, "niter", niter)
    check_matrices(name, A, square=False, real=True)
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    tall = m >= n
    if not tall:  # find the basis for the shorter side: A^H = V S U^H
        A, M = A.mH, None if M is None else M.mH
    Q = _approximate_basis(A, q, niter, M)
    B = Q.mH @ A if M is None else Q.mH @ A - Q.mH @ M
    U, S, Vh = ops.linalg_svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mH
    return (U, S, V) if tall else (V, S, U)


def pca_lowrank(A, q=None, center=True, niter=2):
    """``(U, S, V)``: ``svd_lowrank`` of A with its column means subtracted (``center``), the samples in A's rows:
    V's columns are the principal directions, ``A_centered @ V[:, :k]`` the first k principal components and
    S² / (m - 1) the variances along them. ``q`` defaults to min(6, m, n) and may not exceed min(m, n)."""
    name = "pca_lowrank"
    check_matrices(name, A, square=False, real=True)
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif _count(name, "q", q) > min(m, n):
        raise ValueError(f"{name}: q(={q}) must be a non-negative integer not greater than min(m, n)="
                         f"{min(m, n)} (A: {tuple(A.shape)})")
    _count(name, "niter", niter)
    if center:
        A = A - A.mean(dim=-2, keepdim=True)
    return svd_lowrank(A, q, niter)
