"""Op table entries for the matrix factorizations and solvers (decompositions.py, solvers.py).

The inputs are built by numpy from a drawn seed and drawn sizes rather than drawn entry by entry: the checks need
well-conditioned matrices — positive-definite ones, or ones with well-separated eigenvalues or singular values —
which arbitrary arrays are not. The symmetric ops (cholesky, eigh, pinv with hermitian=True) are called on
``(X + X^T) / 2`` so that finite differences move the matrix symmetrically, and eigenvectors and singular vectors
enter only through functions that ignore their signs (``v * v``, ``V diag(w^3) V^T``), as decompositions.py
explains. The spec functions reach ``linalg_<name>`` through ``_linalg`` so that the differential test can call
them with torch's ``torch.linalg.<name>``.
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec

SEED = st.integers(0, 2 ** 32 - 1)
SIDE = st.integers(1, 4)
FORWARD_TOLERANCES = dict(rtol=1e-4, atol=1e-5)  # float32 factorizations


def _inputs(build, *sizes):
    """Input tuples ``build(rng, *drawn_sizes)``, the rng seeded by hypothesis."""
    return st.tuples(SEED, *sizes).map(lambda drawn: tuple(build(np.random.default_rng(drawn[0]), *drawn[1:])))


def _orthogonal(rng, batch, n):
    return np.linalg.qr(rng.standard_normal(batch + (n, n)))[0]


def _spread(rng, batch, k, low):
    """k values low, low + 1, ... each moved by less than 0.3: at least 0.7 apart."""
    return low + np.arange(k) + rng.uniform(0.0, 0.3, batch + (k,))


def _symmetric(rng, n, batch=(), low=1.0):
    """Symmetric (n, n) matrices with eigenvalues ``_spread`` from ``low`` (positive-definite for low > 0)."""
    q = _orthogonal(rng, batch, n)
    return (q * _spread(rng, batch, n, low)[..., None, :]) @ np.swapaxes(q, -1, -2)


def _rectangular(rng, m, n, batch=(), singular_values=None):
    """(m, n) matrices with the given singular values (..., min(m, n)); by default ``_spread`` from 1:
    well-conditioned, no two alike."""
    k = min(m, n)
    s = _spread(rng, batch, k, 1.0)[..., ::-1] if singular_values is None else singular_values
    return (_orthogonal(rng, batch, m)[..., :k] * s[..., None, :]) @ _orthogonal(rng, batch, n)[..., :k, :]


def _wide(rng, m, extra):
    """(m, m + extra) matrices whose first m columns are well-conditioned (what QR of a wide matrix needs)."""
    return np.concatenate([_rectangular(rng, m, m), rng.standard_normal((m, extra))], -1)


def _triangular_system(rng, n, k, batch=()):
    """A matrix whose triangles are well-conditioned (a large diagonal of either sign, or ones), and a right-hand
    side (n, k)."""
    a = rng.uniform(-1.0, 1.0, batch + (n, n)) / (n + 1) + np.eye(n) * rng.choice([-1.0, 1.0], batch + (n, 1))
    return a, rng.standard_normal((n, k))


def _linalg(m, name):
    """``minidl.ops.linalg_<name>``, or ``torch.linalg.<name>`` when the differential test passes torch as m."""
    return getattr(m, f"linalg_{name}", None) or getattr(m.linalg, name)


def _take(m, x, index):
    """``x[index]`` on any tensor (``getitem`` for minidl's, whose shape-only tensors have no indexing)."""
    return m.getitem(x, index) if hasattr(m, "getitem") else x[index]


def _sym(m, x):
    return (x + m.transpose(x, -2, -1)) * 0.5


def _np_sym(a):
    return (a + np.swapaxes(a, -1, -2)) * a.dtype.type(0.5)


def _squares(u, s, vh):
    return u * u, s, vh * vh


def _eigh_cubed(m, x):
    """V diag(w^3) V^T (that is A^3) from the eigendecomposition read from the upper triangle."""
    w, v = _linalg(m, "eigh")(_sym(m, x), UPLO="U")
    return m.matmul(v * m.unsqueeze(w * w * w, -2), m.transpose(v, -2, -1))


def _np_eigh_cubed(a):
    w, v = np.linalg.eigh(_np_sym(a), "U")
    return (v * w[..., None, :] ** 3) @ np.swapaxes(v, -1, -2)


def _svd_first_vectors(m, x):
    """The full SVD's first min(m, n) singular vectors (the others are any basis), squared."""
    u, s, vh = _linalg(m, "svd")(x)
    k = min(x.shape[-2:])
    return _take(m, u * u, (..., slice(0, k))), s, _take(m, vh * vh, (..., slice(0, k), slice(None)))


def _np_svd_first_vectors(a):
    u, s, vh = np.linalg.svd(a)
    k = min(a.shape[-2:])
    return u[..., :k] ** 2, s, vh[..., :k, :] ** 2


def _ranks_across_half(rng, m, n):
    """Matrices whose singular values are 0.05, 0.2, 1 or 2 (the rank counts those above 0.5)."""
    return (_rectangular(rng, m, n, (3,), rng.choice([0.05, 0.2, 1.0, 2.0], (3, min(m, n)))),)


def _np_solve_like_torch(a, b):
    """PyTorch reads B as a batch of vectors when its shape is A's without the last dim (numpy 2: as matrices)."""
    return np.linalg.solve(a, b[..., None])[..., 0] if b.shape == a.shape[:-1] else np.linalg.solve(a, b)


def _lstsq_reference(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b)
    return x, residuals, rank, s


def _np_matrix_exp(a):
    """exp(A) = exp(A / 256)^256, with 20 terms of the Taylor series for the small matrix (independent of the
    Padé approximant it checks)."""
    x, term = a.astype(np.float64) / 256, np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    result = term
    for k in range(1, 21):
        term = term @ x / k
        result = result + term
    for _ in range(8):
        result = result @ result
    return result.astype(a.dtype)


SQUARE = lambda build: _inputs(build, SIDE)  # noqa: E731
TALL = st.tuples(SIDE, SIDE).map(lambda mn: (max(mn), min(mn)))
ANY = st.tuples(SIDE, SIDE)

SPECS = [
    # ------------------------------------------------------------------------------------------- Cholesky
    OpSpec("cholesky", lambda m, x: m.cholesky(_sym(m, x)), lambda a: np.linalg.cholesky(_np_sym(a)),
           _inputs(lambda rng, n: (_symmetric(rng, n),), st.integers(0, 4)), **FORWARD_TOLERANCES),
    OpSpec("cholesky_upper_batched", lambda m, x: m.cholesky(_sym(m, x), upper=True),
           lambda a: np.swapaxes(np.linalg.cholesky(_np_sym(a)), -1, -2),
           SQUARE(lambda rng, n: (_symmetric(rng, n, (2,)),)), **FORWARD_TOLERANCES),
    # ------------------------------------------------------------------------------------------------- QR
    OpSpec("linalg_qr_tall", lambda m, x: tuple(_linalg(m, "qr")(x)), np.linalg.qr,
           _inputs(lambda rng, mn: (_rectangular(rng, *mn),), TALL), **FORWARD_TOLERANCES,
           notes="Q and R directly: their signs are LAPACK's, the same here and in the reference"),
    OpSpec("linalg_qr_wide", lambda m, x: tuple(_linalg(m, "qr")(x)), np.linalg.qr,
           _inputs(lambda rng, m, extra: (_wide(rng, m, extra),), SIDE, SIDE), **FORWARD_TOLERANCES),
    OpSpec("linalg_qr_complete_batched", lambda m, x: tuple(_linalg(m, "qr")(x, "complete")),
           lambda a: np.linalg.qr(a, "complete"), SQUARE(lambda rng, n: (_rectangular(rng, n, n, (2,)),)),
           **FORWARD_TOLERANCES, second_order=False, notes="second order: covered by linalg_qr_tall"),
    OpSpec("linalg_qr_r", lambda m, x: _linalg(m, "qr")(x, "r").R, lambda a: np.linalg.qr(a, "r"),
           _inputs(lambda rng, mn: (_rectangular(rng, *mn),), ANY), **FORWARD_TOLERANCES, second_order=False,
           torch_fn=lambda torch, x: torch.linalg.qr(x).R,
           notes="R alone (PyTorch refuses its gradient in mode 'r', so it is compared through mode 'reduced'); "
                 "second order: covered by the other QR specs"),
    OpSpec("qr_complete_tall", lambda m, x: tuple(m.qr(x, some=False)), lambda a: np.linalg.qr(a, "complete"),
           _inputs(lambda rng, mn: (_rectangular(rng, *mn),), TALL), grad_inputs=(), **FORWARD_TOLERANCES,
           notes="the old torch.qr; no gradient: mode 'complete' of a tall matrix is not differentiable"),
    # ----------------------------------------------------------------------------------------------- eigh
    OpSpec("linalg_eigh", lambda m, x: (lambda w, v: (w, v * v))(*_linalg(m, "eigh")(_sym(m, x))),
           lambda a: (lambda w, v: (w, v * v))(*np.linalg.eigh(_np_sym(a))),
           SQUARE(lambda rng, n: (_symmetric(rng, n, low=-1.5),)), **FORWARD_TOLERANCES,
           notes="eigenvectors through v * v, which ignores their signs"),
    OpSpec("linalg_eigh_upper_batched", _eigh_cubed, _np_eigh_cubed,
           SQUARE(lambda rng, n: (_symmetric(rng, n, (2,), low=-1.5),)), **FORWARD_TOLERANCES,
           second_order=False, notes="V diag(w^3) V^T, i.e. A^3; second order: covered by linalg_eigh"),
    OpSpec("linalg_eigvalsh", lambda m, x: _linalg(m, "eigvalsh")(_sym(m, x)),
           lambda a: np.linalg.eigvalsh(_np_sym(a)),
           _inputs(lambda rng, n: (_symmetric(rng, n, low=-2.5),), st.integers(0, 4)), **FORWARD_TOLERANCES),
    # ------------------------------------------------------------------------------------------------ SVD
    OpSpec("linalg_svd_reduced", lambda m, x: _squares(*_linalg(m, "svd")(x, full_matrices=False)),
           lambda a: _squares(*np.linalg.svd(a, full_matrices=False)),
           _inputs(lambda rng, mn: (_rectangular(rng, *mn),), ANY), **FORWARD_TOLERANCES,
           notes="singular vectors through u * u and vh * vh, which ignore their signs"),
    OpSpec("linalg_svd_full_batched", _svd_first_vectors, _np_svd_first_vectors,
           _inputs(lambda rng, mn: (_rectangular(rng, *mn, (2,)),), ANY), **FORWARD_TOLERANCES,
           second_order=False, notes="full_matrices=True; second order: as linalg_svd_reduced"),
    OpSpec("linalg_svdvals", lambda m, x: _linalg(m, "svdvals")(x), lambda a: np.linalg.svd(a, compute_uv=False),
           _inputs(lambda rng, m, n: (_rectangular(rng, m, n, (2,)),), st.integers(0, 4), SIDE),
           **FORWARD_TOLERANCES),
    OpSpec("svd_old_v", lambda m, x: (lambda u, s, v: (u * u, s, v * v))(*m.svd(x)),
           lambda a: (lambda u, s, vh: (u * u, s, (vh * vh).T))(*np.linalg.svd(a, full_matrices=False)),
           _inputs(lambda rng, mn: (_rectangular(rng, *mn),), TALL), **FORWARD_TOLERANCES, second_order=False,
           notes="the old torch.svd: V, not Vh; second order: as linalg_svd_reduced"),
    # ------------------------------------------------------------------------- pinv, matrix_rank, lstsq
    OpSpec("linalg_pinv", lambda m, x: _linalg(m, "pinv")(x), np.linalg.pinv,
           _inputs(lambda rng, mn: (_rectangular(rng, *mn),), ANY), **FORWARD_TOLERANCES),
    OpSpec("linalg_pinv_hermitian", lambda m, x: _linalg(m, "pinv")(_sym(m, x), hermitian=True),
           lambda a: np.linalg.pinv(_np_sym(a), hermitian=True),
           SQUARE(lambda rng, n: (_symmetric(rng, n, (2,), low=-1.5),)), **FORWARD_TOLERANCES, second_order=False,
           notes="second order: the same VJP as linalg_pinv"),
    OpSpec("pinverse_orthogonal", lambda m, x: m.pinverse(x, rcond=1e-10), lambda a: np.swapaxes(a, -1, -2),
           SQUARE(lambda rng, n: (_orthogonal(rng, (), n),)), **FORWARD_TOLERANCES, second_order=False,
           notes="all singular values 1 (an SVD-composed gradient would divide by 0); second order: as pinv"),
    OpSpec("linalg_matrix_rank", lambda m, x: _linalg(m, "matrix_rank")(x, atol=0.5),
           lambda a: np.sum(np.linalg.svd(a, compute_uv=False) > 0.5, -1), _inputs(_ranks_across_half, SIDE, SIDE),
           grad_inputs=(), notes="an integer: no gradient"),
    OpSpec("linalg_matrix_rank_default", lambda m, x: _linalg(m, "matrix_rank")(x), np.linalg.matrix_rank,
           _inputs(lambda rng, m, r, n: (_rectangular(rng, m, r) @ _rectangular(rng, r, n),), SIDE, SIDE, SIDE),
           grad_inputs=(), notes="products of (m, r) and (r, n) matrices: rank min(m, r, n)"),
    OpSpec("linalg_lstsq_tall", lambda m, a, b: _linalg(m, "lstsq")(a, b, driver="gelsd"), _lstsq_reference,
           _inputs(lambda rng, mn, k: (_rectangular(rng, mn[0] + 1, mn[1]), rng.standard_normal((mn[0] + 1, k))),
                   TALL, SIDE),
           grad_inputs=(0, 1), outputs=(0, 1, 3), **FORWARD_TOLERANCES,
           notes="solution, residuals and singular values (rank: an integer), which the 'gelsd' driver gives"),
    OpSpec("linalg_lstsq_gels", lambda m, a, b: _linalg(m, "lstsq")(a, b, driver="gels")[:2],
           lambda a, b: _lstsq_reference(a, b)[:2],
           _inputs(lambda rng, mn, k: (_rectangular(rng, mn[0] + 1, mn[1]), rng.standard_normal((mn[0] + 1, k))),
                   TALL, SIDE),
           grad_inputs=(0, 1), **FORWARD_TOLERANCES, second_order=False,
           notes="the QR driver (full rank only): solution and residuals; second order: as QR and the solves"),
    OpSpec("linalg_lstsq_wide_vector", lambda m, a, b: _linalg(m, "lstsq")(a, b).solution,
           lambda a, b: np.linalg.lstsq(a, b)[0],
           _inputs(lambda rng, mn: (_rectangular(rng, mn[1], mn[0] + 1), rng.standard_normal(mn[1])), TALL),
           grad_inputs=(0, 1), **FORWARD_TOLERANCES, second_order=False,
           notes="the smallest solution; second order: as linalg_lstsq_tall"),
    # ------------------------------------------------------------------------ norms from singular values, cond
    OpSpec("linalg_matrix_norm_2_batched", lambda m, x: _linalg(m, "matrix_norm")(x, 2),
           lambda a: np.linalg.norm(a, 2, axis=(-2, -1)),
           _inputs(lambda rng, mn: (_rectangular(rng, *mn, (2,)),), ANY), **FORWARD_TOLERANCES,
           notes="the largest singular value (well apart from the others: no tie for amax)"),
    OpSpec("linalg_matrix_norm_nuc_dims_keepdim",
           lambda m, x: _linalg(m, "matrix_norm")(x, "nuc", dim=(2, 0), keepdim=True),
           lambda a: np.linalg.norm(a, "nuc", axis=(2, 0), keepdims=True),
           _inputs(lambda rng, mn: (_rectangular(rng, *mn, (2,)).transpose(2, 0, 1),), ANY), **FORWARD_TOLERANCES,
           notes="the sum of the singular values of the matrices spanned by dims 2 (rows) and 0"),
    OpSpec("linalg_norm_minus_2", lambda m, x: _linalg(m, "norm")(x, -2), lambda a: np.linalg.norm(a, -2),
           _inputs(lambda rng, mn: (_rectangular(rng, *mn),), ANY), **FORWARD_TOLERANCES, second_order=False,
           notes="a 2-d input with ord -2: the smallest singular value; second order: as matrix_norm_2"),
    OpSpec("norm_nuc", lambda m, x: m.norm(x, p="nuc"), lambda a: np.linalg.norm(a, "nuc"),
           _inputs(lambda rng, mn: (_rectangular(rng, *mn),), ANY), **FORWARD_TOLERANCES, second_order=False,
           notes="the old torch.norm with p='nuc'; second order: as matrix_norm_nuc"),
    OpSpec("linalg_cond", lambda m, x: _linalg(m, "cond")(x), np.linalg.cond,
           _inputs(lambda rng, mn: (_rectangular(rng, *mn, (2,)),), ANY), **FORWARD_TOLERANCES,
           notes="σ_max / σ_min, of rectangular matrices too"),
    OpSpec("linalg_cond_nuc", lambda m, x: _linalg(m, "cond")(x, "nuc"), lambda a: np.linalg.cond(a, "nuc"),
           SQUARE(lambda rng, n: (_rectangular(rng, n, n, (2,)),)), **FORWARD_TOLERANCES, second_order=False,
           notes="Σσ · Σ(1/σ); second order: as linalg_cond"),
    OpSpec("linalg_cond_fro", lambda m, x: _linalg(m, "cond")(x, "fro"), lambda a: np.linalg.cond(a, "fro"),
           SQUARE(lambda rng, n: (_rectangular(rng, n, n, (2,)),)), **FORWARD_TOLERANCES,
           torch_fn=lambda torch, x: torch.linalg.matrix_norm(x) * torch.linalg.matrix_norm(torch.linalg.inv(x)),
           notes="norm(A) · norm(A^-1); PyTorch's own cond cannot be differentiated here (an in-place fill), "
                 "so the differential test compares with that formula"),
    OpSpec("linalg_cond_one_norms", lambda m, x: (_linalg(m, "cond")(x, 1), _linalg(m, "cond")(x, -float("inf"))),
           lambda a: (np.linalg.cond(a, 1), np.linalg.cond(a, -np.inf)),
           SQUARE(lambda rng, n: (_rectangular(rng, n, n, (2,)),)), **FORWARD_TOLERANCES, second_order=False,
           torch_fn=lambda torch, x: tuple(torch.linalg.matrix_norm(x, p) * torch.linalg.matrix_norm(
               torch.linalg.inv(x), p) for p in (1, -float("inf"))),
           notes="largest column sums and smallest row sums of |A| and |A^-1| (ties have probability 0); "
                 "second order: as linalg_cond_fro"),
    # ------------------------------------------------------------------------------------------- solvers
    OpSpec("linalg_solve_broadcast", lambda m, a, b: _linalg(m, "solve")(a, b), _np_solve_like_torch,
           _inputs(lambda rng, n, k: (_rectangular(rng, n, n, (2,)), rng.standard_normal((n, k))), SIDE, SIDE),
           grad_inputs=(0, 1), **FORWARD_TOLERANCES,
           notes="A (2, n, n) with B (n, k): batch dims broadcast (B (2, 2) for A (2, 2, 2) is a batch of vectors)"),
    OpSpec("linalg_solve_vector", lambda m, a, b: _linalg(m, "solve")(a, b),
           lambda a, b: np.linalg.solve(a, b[..., None])[..., 0],
           _inputs(lambda rng, n: (_rectangular(rng, n, n, (3,)), rng.standard_normal((3, n))), SIDE),
           grad_inputs=(0, 1), **FORWARD_TOLERANCES, second_order=False,
           notes="B (3, n) is a batch of vectors for A (3, n, n); second order: as linalg_solve_broadcast"),
    OpSpec("linalg_solve_right", lambda m, a, b: _linalg(m, "solve")(a, b, left=False),
           lambda a, b: np.linalg.solve(a.T, b.T).T,
           _inputs(lambda rng, n, k: (_rectangular(rng, n, n), rng.standard_normal((k, n))), SIDE, SIDE),
           grad_inputs=(0, 1), **FORWARD_TOLERANCES, second_order=False,
           notes="X A = B; second order: as linalg_solve_broadcast"),
    OpSpec("linalg_solve_triangular_upper", lambda m, a, b: _linalg(m, "solve_triangular")(a, b, upper=True),
           lambda a, b: np.linalg.solve(np.triu(a), b),
           _inputs(lambda rng, n, k: _triangular_system(rng, n, k, (2,)), SIDE, SIDE), grad_inputs=(0, 1),
           **FORWARD_TOLERANCES),
    OpSpec("linalg_solve_triangular_unit_right",
           lambda m, a, b: _linalg(m, "solve_triangular")(a, b, upper=False, left=False, unitriangular=True),
           lambda a, b: np.linalg.solve((np.tril(a, -1) + np.eye(len(a))).T, b.T).T,
           _inputs(lambda rng, n, k: (lambda a, b: (a, b.T))(*_triangular_system(rng, n, k)), SIDE, SIDE),
           grad_inputs=(0, 1), **FORWARD_TOLERANCES, second_order=False,
           notes="X T = B with T's diagonal taken as ones; second order: as the upper spec"),
    OpSpec("cholesky_solve", lambda m, b, l: m.cholesky_solve(b, l),
           lambda b, l: np.linalg.solve(np.tril(l) @ np.tril(l).T, b),
           _inputs(lambda rng, n, k: _triangular_system(rng, n, k)[::-1], SIDE, SIDE), grad_inputs=(0, 1),
           **FORWARD_TOLERANCES, second_order=False, torch_fn=lambda torch, b, l: torch.cholesky_solve(b, l.tril()),
           notes="two triangular solves (their second order is checked above). Only L's lower triangle is read, so "
                 "its gradient is lower-triangular (PyTorch's is not: it differentiates as if all of L were read)"),
    # ---------------------------------------------- the _ex forms (error codes instead of errors; ops/linalg_ex.py)
    OpSpec("linalg_cholesky_ex", lambda m, x: _linalg(m, "cholesky_ex")(_sym(m, x)).L,
           lambda a: np.linalg.cholesky(_np_sym(a)), SQUARE(lambda rng, n: (_symmetric(rng, n, (2,)),)),
           **FORWARD_TOLERANCES, notes="L of positive-definite matrices: Cholesky's values and gradients"),
    OpSpec("linalg_inv_ex", lambda m, a: _linalg(m, "inv_ex")(a).inverse, np.linalg.inv,
           SQUARE(lambda rng, n: (_rectangular(rng, n, n, (2,)),)), **FORWARD_TOLERANCES, second_order=False,
           notes="regular matrices; second order: inverse's"),
    OpSpec("linalg_solve_ex", lambda m, a, b: _linalg(m, "solve_ex")(a, b).result, np.linalg.solve,
           _inputs(lambda rng, n, k: (_rectangular(rng, n, n), rng.standard_normal((n, k))), SIDE, SIDE),
           grad_inputs=(0, 1), **FORWARD_TOLERANCES, second_order=False, notes="second order: solve's"),
    OpSpec("cholesky_inverse", lambda m, l: m.cholesky_inverse(m.tril(l)),
           lambda l: np.linalg.inv(np.tril(l) @ np.tril(l).T),
           _inputs(lambda rng, n: (_triangular_system(rng, n, 1)[0],), SIDE), **FORWARD_TOLERANCES,
           second_order=False, notes="two triangular solves against the identity"),
    OpSpec("triangular_solve_transposed", lambda m, b, a: m.triangular_solve(b, a, transpose=True).solution,
           lambda b, a: np.linalg.solve(np.triu(a).T, b),
           _inputs(lambda rng, n, k: _triangular_system(rng, n, k)[::-1], SIDE, SIDE), grad_inputs=(0, 1),
           **FORWARD_TOLERANCES, second_order=False, notes="the old torch.triangular_solve: T^T X = b"),
    # ---------------------------------------------------------------------- determinants, powers, products
    OpSpec("slogdet", lambda m, x: tuple(m.slogdet(x)), np.linalg.slogdet,
           _inputs(lambda rng, n: (_rectangular(rng, n, n, (2,)),), st.integers(0, 4)), **FORWARD_TOLERANCES,
           notes="either sign; the sign's own gradient is 0"),
    OpSpec("logdet", lambda m, x: m.logdet(_sym(m, x)), lambda a: np.linalg.slogdet(_np_sym(a))[1],
           SQUARE(lambda rng, n: (_symmetric(rng, n, low=0.5),)), **FORWARD_TOLERANCES),
    OpSpec("matrix_power_3", lambda m, x: m.matrix_power(x, 3), lambda a: np.linalg.matrix_power(a, 3),
           SQUARE(lambda rng, n: (rng.standard_normal((2, n, n)) / 2,)), **FORWARD_TOLERANCES),
    OpSpec("matrix_power_negative", lambda m, x: m.matrix_power(x, -2), lambda a: np.linalg.matrix_power(a, -2),
           SQUARE(lambda rng, n: (_rectangular(rng, n, n),)), **FORWARD_TOLERANCES, second_order=False,
           notes="the square of the inverse (inverse's second order is checked in specs_matrix)"),
    OpSpec("matrix_power_0", lambda m, x: m.matrix_power(x, 0),
           lambda a: np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape),
           SQUARE(lambda rng, n: (rng.standard_normal((2, n, n)),)), grad_inputs=(),
           notes="the identity: constant, no gradient"),
    OpSpec("matrix_exp", lambda m, x: m.matrix_exp(x), _np_matrix_exp,
           SQUARE(lambda rng, n: (rng.standard_normal((2, n, n)) * rng.choice([0.2, 2.0]),)), **FORWARD_TOLERANCES,
           notes="small matrices (no squaring) and larger ones (a few squarings); its VJP is matrix_exp again"),
    OpSpec("linalg_cross_broadcast", lambda m, a, b: _linalg(m, "cross")(a, b, dim=1),
           lambda a, b: np.cross(a, b, axis=1),
           _inputs(lambda rng, n: (rng.standard_normal((n, 3, 2)), rng.standard_normal((1, 3, 1))), SIDE),
           grad_inputs=(0, 1)),
    OpSpec("cross_first_dim_of_3", lambda m, a, b: m.cross(a, b, dim=0), lambda a, b: np.cross(a, b, axis=0),
           _inputs(lambda rng, n: (rng.standard_normal((3, n)), rng.standard_normal((3, n))), SIDE),
           grad_inputs=(0, 1), second_order=False, notes="second order: as linalg_cross_broadcast"),
    OpSpec("linalg_vecdot", lambda m, a, b: _linalg(m, "vecdot")(a, b, dim=0), lambda a, b: np.sum(a * b, 0),
           _inputs(lambda rng, n: (rng.standard_normal((n, 2)), rng.standard_normal((n, 1))), SIDE),
           grad_inputs=(0, 1)),
]
