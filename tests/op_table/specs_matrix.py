"""Op table entries for the matrix functions (matrix.py): diag, trace, inverse, det, addmm, tensordot and the
norms of torch.linalg."""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, floats_array

SIDE = st.integers(0, 4)
INF = float("inf")


def _arrays(*shape_of, **kw):
    """One float array per function of the drawn sizes (m, k, n)."""
    return st.tuples(SIDE, SIDE, SIDE).flatmap(lambda mkn: st.tuples(*(floats_array(f(*mkn), **kw)
                                                                       for f in shape_of)))


def _well_conditioned(batch=()):
    """Square matrices (with ``batch`` dims) made diagonally dominant: invertible, far from singular."""
    def build(n):
        return floats_array(batch + (n, n), low=-1.0, high=1.0).map(lambda a: (a + (n + 1) * np.eye(n),))
    return st.integers(0, 4).flatmap(build)


def _matrix_norm(a, ord, axes=(-2, -1), keepdims=False):
    return np.linalg.norm(a, ord, axis=axes, keepdims=keepdims)


def _distinct_sums():
    """Matrices whose row sums and column sums of |x| all differ (so a max or min of them is never tied):
    |x[i, j]| is 2^i·3^j up to a jitter of 10%, with mixed signs."""
    def build(m, n):
        powers = 2.0 ** np.arange(m)[:, None] * 3.0 ** np.arange(n) / 20
        signs = np.where(np.arange(m * n).reshape(m, n) % 2, 1.0, -1.0)
        return floats_array((m, n), low=1.0, high=1.1).map(lambda jitter: (powers * signs * jitter,))
    return st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(lambda t: build(*t))


def _torch_powers(torch, x, n):
    """x^0 .. x^(n-1) along a new last dim, in PyTorch (whose own ``vander`` fails in backward: "modified by an
    inplace operation")."""
    powers = [torch.ones_like(x)]
    while len(powers) < n:
        powers.append(powers[-1] * x)
    return torch.stack(powers[:n], -1) if n else x[..., None][..., :0]


SPECS = [
    OpSpec("diag_vector", lambda m, v: m.diag(v), np.diag, _arrays(lambda m, k, n: (k,)), second_order=False,
           notes="linear: the second derivative is 0"),
    OpSpec("diag_vector_offset", lambda m, v: m.diag(v, 2), lambda a: np.diag(a, 2), _arrays(lambda m, k, n: (k,))),
    OpSpec("diag_matrix", lambda m, x: m.diag(x, -1), lambda a: np.diag(a, -1).copy(),
           _arrays(lambda m, k, n: (m, n))),
    OpSpec("trace", lambda m, x: m.trace(x), np.trace, _arrays(lambda m, k, n: (m, n)), second_order=False,
           notes="linear: the second derivative is 0"),
    OpSpec("inverse", lambda m, x: m.inverse(x), np.linalg.inv, _well_conditioned(), rtol=1e-4, atol=1e-5),
    OpSpec("inverse_batched", lambda m, x: m.inverse(x), np.linalg.inv, _well_conditioned((2,)), rtol=1e-4,
           atol=1e-5, second_order=False),
    OpSpec("det", lambda m, x: m.det(x), np.linalg.det, _well_conditioned(), rtol=1e-4, atol=1e-5),
    OpSpec("det_batched", lambda m, x: m.det(x), np.linalg.det, _well_conditioned((3,)), rtol=1e-4, atol=1e-5,
           second_order=False),
    OpSpec("addmm", lambda m, i, a, b: m.addmm(i, a, b, beta=0.5, alpha=2.0),
           lambda i, a, b: i * i.dtype.type(0.5) + (a @ b) * a.dtype.type(2.0),
           _arrays(lambda m, k, n: (n,), lambda m, k, n: (m, k), lambda m, k, n: (k, n)), grad_inputs=(0, 1, 2),
           atol=1e-5, notes="input broadcasts to the product's shape"),
    OpSpec("tensordot_int", lambda m, a, b: m.tensordot(a, b, 1), lambda a, b: np.tensordot(a, b, 1),
           _arrays(lambda m, k, n: (m, 2, k), lambda m, k, n: (k, n)), grad_inputs=(0, 1), atol=1e-5),
    OpSpec("tensordot_lists", lambda m, a, b: m.tensordot(a, b, ([1, 0], [0, 2])),
           lambda a, b: np.tensordot(a, b, ([1, 0], [0, 2])),
           _arrays(lambda m, k, n: (m, k, 2), lambda m, k, n: (k, n, m)), grad_inputs=(0, 1), atol=1e-5,
           second_order=False),
    OpSpec("vander", lambda m, x: m.vander(x, 4), lambda a: np.vander(a, 4), _arrays(lambda m, k, n: (k,)),
           atol=1e-5, torch_fn=lambda torch, x: _torch_powers(torch, x, 4).flip(-1)),
    OpSpec("vander_increasing", lambda m, x: m.vander(x, increasing=True), lambda a: np.vander(a, increasing=True),
           _arrays(lambda m, k, n: (k,), low=-1.5, high=1.5), atol=1e-5,
           torch_fn=lambda torch, x: _torch_powers(torch, x, len(x))),
    OpSpec("linalg_vander", lambda m, x: m.linalg_vander(x, N=3), lambda a: a[..., None] ** np.arange(3),
           _arrays(lambda m, k, n: (m, k)), atol=1e-5,
           torch_fn=lambda torch, x: torch.linalg.vander(x, N=3)),
    OpSpec("linalg_norm", lambda m, x: m.linalg_norm(x), lambda a: np.linalg.norm(a.reshape(-1)),
           _arrays(lambda m, k, n: (m, k, 2), avoid=(0.0,), margin=0.2), torch_fn=lambda torch, x: torch.linalg.norm(x),
           notes="all entries (kept off 0, where the norm has a kink)"),
    OpSpec("linalg_norm_vector_dim", lambda m, x: m.linalg_norm(x, 3, dim=1, keepdim=True),
           lambda a: np.linalg.norm(a, 3, axis=1, keepdims=True),
           _arrays(lambda m, k, n: (m + 1, k + 1), avoid=(0.0,), margin=0.2),
           torch_fn=lambda torch, x: torch.linalg.norm(x, 3, dim=1, keepdim=True), second_order=False),
    OpSpec("linalg_matrix_norm_1", lambda m, x: m.linalg_matrix_norm(x, 1), lambda a: _matrix_norm(a, 1),
           _distinct_sums(), torch_fn=lambda torch, x: torch.linalg.matrix_norm(x, 1), second_order=False,
           notes="the largest column sum of |x| (sums never tie here)"),
    OpSpec("linalg_norm_inf_dims", lambda m, x: m.linalg_norm(x, -INF, dim=(1, 0)),
           lambda a: _matrix_norm(a, -INF, (1, 0)), _distinct_sums(),
           torch_fn=lambda torch, x: torch.linalg.norm(x, -INF, dim=(1, 0)), second_order=False),
    OpSpec("linalg_vector_norm", lambda m, x: m.linalg_vector_norm(x, INF, dim=0),
           lambda a: np.max(np.abs(a), axis=0), _distinct_sums(),
           torch_fn=lambda torch, x: torch.linalg.vector_norm(x, INF, dim=0), second_order=False),
]
