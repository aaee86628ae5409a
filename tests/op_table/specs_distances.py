"""Op table entries for dist, cdist and renorm (distances.py).

The gradients of a norm have kinks where a difference is 0 (and ‖·‖_∞ where two differences tie for the
largest), so the differentiated inputs are placed apart: every coordinate difference is at least 0.5 in size,
and differences are made distinct.
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, broadcastable, floats_array, nonempty_shapes

_INF = float("inf")


def _apart(t):
    """(a, b) with b = a + shift, |shift| >= 0.5, and no two |shift| alike (no ties for the largest)."""
    a, b = t
    shift = np.where(b >= 0, b + 0.5, b - 0.5) + 0.01 * np.arange(b.size).reshape(b.shape)
    return a, a + shift


def _pairs():
    return nonempty_shapes().flatmap(lambda s: st.tuples(floats_array(s), floats_array(s))).map(_apart)


def _dist(a, b, p):
    d = np.abs(a - b).ravel()
    if p == _INF:
        return d.max()
    if p == 0:
        return np.count_nonzero(d).astype(d.dtype)
    return (d ** p).sum() ** (1 / p)


def _point_sets():
    """x1 (P, M) or (B, P, M) and x2 (R, M) or (B, R, M); x2 lies 7 further along every coordinate, so no
    coordinate difference is 0."""
    sides = st.tuples(st.sampled_from([(), (1,), (2,)]), st.sampled_from([(), (2,)]),
                      st.integers(0, 3), st.integers(0, 3), st.integers(1, 3))
    return sides.flatmap(lambda s: st.tuples(floats_array(s[0] + (s[2], s[4])),
                                             floats_array(s[1] + (s[3], s[4])).map(lambda x: x + 7)))


def _cdist(x1, x2, p):
    d = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == _INF:
        return d.max(-1, initial=0)
    return (d ** p).sum(-1) ** (1 / p)


def _cdist_spec(p, **kw):
    return OpSpec(f"distances_cdist_p{p:g}", lambda m, a, b: m.cdist(a, b, p=p), lambda a, b: _cdist(a, b, p),
                  _point_sets(), grad_inputs=(0, 1), rtol=1e-4, atol=1e-5, **kw)


def _slices_off_the_bound(x, dim, maxnorm=2.0):
    """``x`` with every slice along ``dim`` whose 2-norm lies within 25% of ``maxnorm`` scaled away from it:
    at the bound renorm has a kink."""
    moved = np.moveaxis(x, dim, 0).copy()
    for i, piece in enumerate(moved):
        n = np.sqrt((piece ** 2).sum())
        if abs(n - maxnorm) < 0.25 * maxnorm:
            moved[i] = piece * (0.5 if n < maxnorm else 1.5)
    return np.moveaxis(moved, 0, dim)


def _renorm(x, p, dim, maxnorm):
    others = tuple(d for d in range(x.ndim) if d != dim % x.ndim)
    norms = (np.abs(x) ** p).sum(axis=others, keepdims=True) ** (1 / p)
    return x * np.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)


def _renorm_spec(p, dim):
    inputs = nonempty_shapes(min_dims=2).flatmap(lambda s: floats_array(s, avoid=(0,))).map(
        lambda x: _slices_off_the_bound(x, dim))
    return OpSpec(f"distances_renorm_p{p:g}_dim{dim}", lambda m, x: m.renorm(x, p, dim, 2.0),
                  lambda x: _renorm(x, p, dim, 2.0), inputs.map(lambda x: (x,)), grad_inputs=(0,))


SPECS = [
    OpSpec("distances_dist", lambda m, a, b: m.dist(a, b), lambda a, b: _dist(a, b, 2), _pairs(), grad_inputs=(0, 1)),
    OpSpec("distances_dist_p1", lambda m, a, b: m.dist(a, b, p=1), lambda a, b: _dist(a, b, 1), _pairs(),
           grad_inputs=(0, 1)),
    OpSpec("distances_dist_p3", lambda m, a, b: m.dist(a, b, 3), lambda a, b: _dist(a, b, 3), _pairs(),
           grad_inputs=(0, 1), rtol=1e-4),
    OpSpec("distances_dist_inf", lambda m, a, b: m.dist(a, b, _INF), lambda a, b: _dist(a, b, _INF), _pairs(),
           grad_inputs=(0, 1)),
    OpSpec("distances_dist_p0_broadcast", lambda m, a, b: m.dist(a, b, 0),
           lambda a, b: _dist(*np.broadcast_arrays(a, b), 0),
           broadcastable(), grad_inputs=(), notes="p = 0 counts the differing entries: piecewise constant"),
    _cdist_spec(2),
    _cdist_spec(1),
    _cdist_spec(3),
    _cdist_spec(0.5, second_order=False, notes="first order only: enough to check the p < 1 path"),
    _renorm_spec(2, 0),
    _renorm_spec(3, -1),
]
