"""Op table entries for the eigendecomposition of general matrices (decompositions_general.py), the LU
factorization (lu.py), polar and the histograms (complex_and_bins.py).

eig's outputs are complex, and its eigenvectors are unique only up to a phase e^{iφ}: the specs look at them
through real functions that ignore the phase — the real and imaginary parts of the eigenvalues, |v|² = Re(v conj v),
``V diag(w²) V^-1`` (that is A²) — which the VJP's phase check accepts. The matrices have well-separated
eigenvalues, real ones and complex pairs. The LU references are scipy's (LAPACK's getrf itself); those entries are
left out where scipy is missing (it is no dependency of minidl). As in specs_decompositions, ``_linalg`` lets the
differential test call torch.linalg.<name>.
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, broadcastable, fixed, unary
from .specs_decompositions import ANY, FORWARD_TOLERANCES, SIDE, _inputs, _linalg, _rectangular, _spread, _wide

try:
    from scipy import linalg as scipy_linalg
except ImportError:  # pragma: no cover - scipy is optional
    scipy_linalg = None


def _general(rng, n, batch=()):
    """Real (n, n) matrices S B S^-1, S well-conditioned and B block diagonal: 1 x 1 blocks (real eigenvalues) and
    2 x 2 blocks [[a, b], [-b, a]] (the pair a ± ib, b >= 0.7). Every two eigenvalues are at least 0.7 apart."""
    real_parts = _spread(rng, batch, n, -1.5)
    block = np.zeros(batch + (n, n))
    block[..., np.arange(n), np.arange(n)] = real_parts
    for j in range(0, 2 * int(rng.integers(0, n // 2 + 1)), 2):
        b = rng.uniform(0.7, 1.5, batch)
        block[..., j + 1, j + 1] = block[..., j, j]
        block[..., j, j + 1], block[..., j + 1, j] = b, -b
    s = _rectangular(rng, n, n, batch)
    return s @ block @ np.linalg.inv(s)


def _parts(m, w, v):
    """Phase-free real views of an eigendecomposition: Re w, Im w, |v|²."""
    return m.real(w), m.imag(w), m.real(v * m.conj(v))


def _np_parts(a):
    w, v = np.linalg.eig(a)
    return w.real, w.imag, (v * v.conj()).real


def _square_from_eig(m, x):
    """Re(V diag(w²) V^-1) = A², through complex eigenvectors and their inverse."""
    w, v = _linalg(m, "eig")(x)
    return m.real(m.matmul(v * m.unsqueeze(w * w, -2), m.inverse(v)))


SQUARE = lambda build, sides=SIDE: _inputs(build, sides)  # noqa: E731

SPECS = [
    # ------------------------------------------------------------------------------------------------- eig
    OpSpec("linalg_eig_parts", lambda m, x: _parts(m, *_linalg(m, "eig")(x)), _np_parts,
           _inputs(lambda rng, n: (_general(rng, n),), st.integers(0, 4)), **FORWARD_TOLERANCES,
           notes="eigenvalues and |eigenvectors|², real and complex eigenvalues"),
    OpSpec("linalg_eig_batched_square", _square_from_eig, lambda a: a @ a,
           SQUARE(lambda rng, n: (_general(rng, n, (2,)),)), **FORWARD_TOLERANCES, second_order=False,
           notes="V diag(w²) V^-1 = A²: the eigenvectors' full gradient; second order: as linalg_eig_parts"),
    OpSpec("linalg_eig_complex_input",
           lambda m, x, y: _parts(m, *_linalg(m, "eig")(m.complex(x, y))),
           lambda x, y: _np_parts(x + 1j * y),
           _inputs(lambda rng, n: (_general(rng, n), rng.uniform(-0.1, 0.1, (n, n))), SIDE), grad_inputs=(0, 1),
           **FORWARD_TOLERANCES, notes="a complex matrix A = X + iY: gradients to both parts"),
    OpSpec("linalg_eigvals_parts", lambda m, x: (lambda w: (m.sort(m.real(w)).values, m.sort(m.imag(w)).values))(
               _linalg(m, "eigvals")(x)),
           lambda a: (lambda w: (np.sort(w.real), np.sort(w.imag)))(np.linalg.eigvals(a)),
           SQUARE(lambda rng, n: (_general(rng, n, (2,)),)), **FORWARD_TOLERANCES,
           notes="sorted: the order of the eigenvalues is the solver's own (cuSOLVER's differs from LAPACK's)"),
    # --------------------------------------------------------------------------------------- polar, histograms
    OpSpec("polar_broadcast", lambda m, r, t: (lambda z: (m.real(z), m.imag(z)))(m.polar(r, t)),
           lambda r, t: (r * np.cos(t), r * np.sin(t)), broadcastable(2).map(lambda rt: (np.abs(rt[0]) + 0.1, rt[1])),
           grad_inputs=(0, 1), notes="abs > 0, where PyTorch's gradient is the derivative (see polar's docstring)"),
    OpSpec("histogram_range", lambda m, x: tuple(m.histogram(x, 7, range=(-3.5, 3.5))),
           lambda a: tuple(r.astype(a.dtype) for r in np.histogram(a, 7, (-3.5, 3.5))), unary(), grad_inputs=(),
           notes="counts: no gradient"),
    OpSpec("histogram_data_range_density", lambda m, x: tuple(m.histogram(x, 3, density=True)),
           lambda a: tuple(r.astype(a.dtype) for r in np.histogram(a, 3, density=True)),
           fixed([[0.5, -1.0, 2.0], [0.25, 3.0, 2.5]]), grad_inputs=(), **FORWARD_TOLERANCES,
           notes="equal bins across the data's range, divided by the count and the width"),
    OpSpec("histogram_edges_weighted", lambda m, x, e, w: tuple(m.histogram(x, e, weight=w)),
           lambda a, e, w: (np.histogram(a, e, weights=w)[0].astype(a.dtype), e),
           fixed([-2.0, -0.5, 0.0, 0.7, 1.0, 3.0, 5.0], [-1.0, 0.0, 0.5, 3.0], [1.0, 2.0, 0.5, 4.0, 8.0, 16.0, 32.0]),
           grad_inputs=(), notes="given edges (the last one closes its bin: 3.0 counts), summed weights"),
    OpSpec("histogramdd_weighted_density",
           lambda m, p, w: (lambda h: (h.hist, *h.bin_edges))(m.histogramdd(p, [2, 3], range=[-3.0, 3.0, -3.0, 3.0],
                                                                            weight=w, density=True)),
           lambda p, w: (lambda h, e: (h.astype(p.dtype), *(x.astype(p.dtype) for x in e)))(
               *np.histogramdd(p, [2, 3], [(-3.0, 3.0), (-3.0, 3.0)], density=True, weights=w)),
           _inputs(lambda rng, n: (rng.uniform(-3.5, 3.5, (n, 2)), rng.uniform(0.5, 1.0, n)), SIDE), grad_inputs=(),
           **FORWARD_TOLERANCES, notes="points (n, 2) in a 2 x 3 grid"),
]


# ---------------------------------------------------------------------------------- LU (references: scipy)

def _scipy_lu_factor(a):
    lu, piv = scipy_linalg.lu_factor(a)
    return lu, (piv + 1).astype(np.int32)  # LAPACK's 1-based pivots, as PyTorch returns them


def _lu_system(rng, n, k, batch=(2,)):
    """(LU, pivots, B): the factorization of well-conditioned matrices, and right-hand sides (n, k)."""
    return (*_scipy_lu_factor(_rectangular(rng, n, n, batch)), rng.standard_normal(batch + (n, k)))


def _solve_right_adjoint(lu, piv, b):
    """X with X A^H = B, i.e. A X^H = B^H."""
    return np.swapaxes(scipy_linalg.lu_solve((lu, piv - 1), np.swapaxes(b, -1, -2).conj()), -1, -2).conj()


TALL_OR_WIDE = st.one_of(st.tuples(SIDE, SIDE).map(lambda mn: (max(mn) + 1, min(mn))),
                         st.tuples(SIDE, SIDE).map(lambda mn: (min(mn), max(mn) + 1)))

if scipy_linalg is not None:
    SPECS += [
        OpSpec("linalg_lu_factor_batched", lambda m, x: _linalg(m, "lu_factor")(x).LU,
               lambda a: _scipy_lu_factor(a)[0], SQUARE(lambda rng, n: (_rectangular(rng, n, n, (2,)),)),
               **FORWARD_TOLERANCES, notes="the packed LU: L's gradient from below the diagonal, U's from above"),
        OpSpec("linalg_lu_factor_pivots", lambda m, x: _linalg(m, "lu_factor")(x).pivots,
               lambda a: _scipy_lu_factor(a)[1], _inputs(lambda rng, mn: (_rectangular(rng, *mn, (2,)),), ANY),
               grad_inputs=(), notes="LAPACK's 1-based int32 pivots, square and rectangular"),
        OpSpec("linalg_lu_factor_rectangular", lambda m, x: _linalg(m, "lu_factor")(x).LU,
               lambda a: _scipy_lu_factor(a)[0], _inputs(lambda rng, mn: (_rectangular(rng, *mn),), TALL_OR_WIDE),
               **FORWARD_TOLERANCES, notes="tall and wide: the blocks below / right of the square part"),
        OpSpec("linalg_lu_L_U", lambda m, x: tuple(_linalg(m, "lu")(x))[1:], lambda a: scipy_linalg.lu(a)[1:],
               _inputs(lambda rng, mn: (_rectangular(rng, *mn),), ANY), **FORWARD_TOLERANCES, second_order=False,
               notes="L and U (unpacked from lu_factor); second order: as linalg_lu_factor_*"),
        OpSpec("linalg_lu_wide_batched", lambda m, x: tuple(_linalg(m, "lu")(x)),
               lambda a: scipy_linalg.lu(a), _inputs(lambda rng, m, extra: (np.stack([_wide(rng, m, extra)] * 2),),
                                                     SIDE, SIDE), grad_inputs=(), **FORWARD_TOLERANCES,
               notes="P, L, U of a batch; values only (P has no gradient; the gradients: the specs above)"),
        OpSpec("linalg_lu_solve", lambda m, lu, piv, b: _linalg(m, "lu_solve")(lu, piv, b),
               lambda lu, piv, b: scipy_linalg.lu_solve((lu, piv - 1), b),
               _inputs(_lu_system, SIDE, SIDE), raw_inputs=(1,), grad_inputs=(0, 2), **FORWARD_TOLERANCES,
               notes="gradients to the packed LU and to B; the pivots are int32"),
        OpSpec("linalg_lu_solve_adjoint_right",
               lambda m, lu, piv, b: _linalg(m, "lu_solve")(lu, piv, b, left=False, adjoint=True),
               _solve_right_adjoint,
               _inputs(lambda rng, n, k: (lambda lu, piv, b: (lu, piv, np.swapaxes(b, -1, -2)))(
                   *_lu_system(rng, n, k)), SIDE, SIDE), raw_inputs=(1,), grad_inputs=(0, 2),
               **FORWARD_TOLERANCES, second_order=False,
               notes="X A^H = B, solved as A X^H = B^H; second order: as linalg_lu_solve"),
    ]
