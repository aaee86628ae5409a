"""Op table entries for Householder reflections (householder.py): ``geqrf`` (values only: it has no gradient, as
in PyTorch), ``linalg.householder_product`` and ``ormqr`` in its four forms (values and gradients, to both the
reflectors and tau). The references build each reflection H_i = I - τ_i v_i v_i^T as a matrix and multiply them.
The reflectors are drawn freely (with τ in [0.5, 1.5]): the ops are defined for any of them, not only geqrf's.
"""
import numpy as np

from .spec import OpSpec
from .specs_decompositions import FORWARD_TOLERANCES, SIDE, _inputs, _linalg, _rectangular

SMALL = SIDE.map(lambda side: side - 1)  # 0 to 3


def _np_q(a, tau):
    """The full (m, m) Q = H_1 ⋯ H_k, as matrices."""
    m, k = a.shape[-2], tau.shape[-1]
    q = np.broadcast_to(np.eye(m), a.shape[:-2] + (m, m))
    for i in range(k):
        v = np.zeros(a.shape[:-2] + (m, 1))
        v[..., i, 0] = 1
        v[..., i + 1:, 0] = a[..., i + 1:, i]
        q = q @ (np.eye(m) - tau[..., i, None, None] * (v @ np.swapaxes(v, -1, -2)))
    return q


def _np_geqrf(a):
    packed, tau = np.linalg.qr(a, mode="raw")
    return np.swapaxes(packed, -1, -2).astype(a.dtype), tau.astype(a.dtype)


def _reflections(rng, m, n, k, batch=(2,)):
    """Free reflectors (m, n), m >= n, and k <= n values of tau."""
    return rng.standard_normal(batch + (m, n)), rng.uniform(0.5, 1.5, batch + (k,))


def _ormqr_inputs(left):
    def build(rng, m, n, p):
        a, tau = _reflections(rng, m + n, n, n)  # wide or tall reflectors both work; these are tall
        c = rng.standard_normal((2, m + n, p) if left else (2, p, m + n))
        return a, tau, c
    return build


def _np_ormqr(left, transpose):
    def reference(a, tau, c):
        q = _np_q(a, tau)
        q = np.swapaxes(q, -1, -2) if transpose else q
        return q @ c if left else c @ q
    return reference


SPECS = [
    OpSpec("geqrf", lambda m, x: tuple(m.geqrf(x)), _np_geqrf,
           _inputs(lambda rng, m, n: (_rectangular(rng, m, n, (2,)),), SIDE, SIDE), grad_inputs=(),
           **FORWARD_TOLERANCES, notes="LAPACK's compact QR: R and the reflectors in one matrix, and tau"),
    OpSpec("linalg_householder_product", lambda m, a, tau: _linalg(m, "householder_product")(a, tau),
           lambda a, tau: _np_q(a, tau)[..., :a.shape[-1]],
           _inputs(lambda rng, n, extra, fewer: _reflections(rng, n + extra, n, max(n - fewer, 1)), SIDE,
                   SMALL, SMALL),
           grad_inputs=(0, 1), **FORWARD_TOLERANCES,
           notes="tall reflectors, 1 <= k <= n of them (k = 0: test_householder.py)"),
]
SPECS += [
    OpSpec(f"ormqr_{'left' if left else 'right'}{'_transpose' if transpose else ''}",
           lambda m, a, tau, c, left=left, transpose=transpose: m.ormqr(a, tau, c, left, transpose),
           _np_ormqr(left, transpose), _inputs(_ormqr_inputs(left), SMALL, SIDE, SIDE),
           grad_inputs=(0, 1, 2), **FORWARD_TOLERANCES, second_order=not transpose,
           notes="Q C, Q^T C, C Q, C Q^T; second order on two of them (the same matmuls)")
    for left in (True, False) for transpose in (False, True)
]
