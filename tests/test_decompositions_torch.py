"""Factorizations and solvers against PyTorch (skipped without it): values, gradients and second-order gradients,
in float64, for each function and the variants the op table does not cover (options, the old torch.* forms,
repeated and zero singular values). Each case is written once, ``fn(L, *tensors)``, and run with ``L`` =
``minidl.eager`` and ``L`` = ``torch``. Eigenvectors and singular vectors enter through sign-free functions."""
import numpy as np
import pytest

import minidl.eager as md

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def orthogonal(n):
    return np.linalg.qr(RNG.standard_normal((n, n)))[0]


def spread(m, n, batch=()):
    """Matrices with singular values 1.5, 2.5, ... (jittered): well-conditioned, no two alike."""
    k = min(m, n)
    out = np.empty(batch + (m, n))
    for index in np.ndindex(*batch):
        s = np.arange(k, 0, -1) + 0.5 + RNG.uniform(0, 0.3, k)
        out[index] = (orthogonal(m)[:, :k] * s) @ orthogonal(n)[:k]
    return out


def symmetric(n, low=1.0):
    q = orthogonal(n)
    return (q * (low + np.arange(n) + RNG.uniform(0, 0.3, n))) @ q.T


def sym(L, x):
    return (x + L.transpose(x, -2, -1)) * 0.5


def sign_free(vectors):
    return tuple(v * v for v in vectors)


SYSTEM = spread(3, 3) + 0.0, RNG.standard_normal((3, 2))
TRIANGLE = RNG.uniform(-0.3, 0.3, (3, 3)) + np.diag([1.5, -2.0, 1.0])
LOW_RANK = RNG.standard_normal((4, 2)) @ RNG.standard_normal((2, 3))

CASES = {
    "cholesky": (lambda L, x: L.linalg.cholesky(sym(L, x)), [symmetric(4)]),
    "cholesky_upper_old": (lambda L, x: L.cholesky(sym(L, x), upper=True), [symmetric(3)]),
    "qr_tall": (lambda L, x: tuple(L.linalg.qr(x)), [spread(4, 3)]),
    "qr_wide": (lambda L, x: tuple(L.linalg.qr(x)), [np.concatenate([spread(2, 2), RNG.standard_normal((2, 2))], 1)]),
    "qr_complete_wide_old": (lambda L, x: tuple(L.qr(x, some=False)),
                             [np.concatenate([spread(2, 2), RNG.standard_normal((2, 3))], 1)]),
    "eigh": (lambda L, x: (lambda w, v: (w, v * v))(*L.linalg.eigh(sym(L, x))), [symmetric(4, low=-2.0)]),
    "eigh_upper": (lambda L, x: (lambda w, v: (w, v * v))(*L.linalg.eigh(sym(L, x), UPLO="U")), [symmetric(3)]),
    "eigvalsh_batched": (lambda L, x: L.linalg.eigvalsh(sym(L, x)), [np.stack([symmetric(3), symmetric(3, -1.0)])]),
    "eigvalsh_repeated": (lambda L, x: L.linalg.eigvalsh(sym(L, x)), [np.diag([2.0, 2.0, 5.0])]),
    "svd_tall": (lambda L, x: (lambda u, s, vh: (u * u, s, vh * vh))(*L.linalg.svd(x, full_matrices=False)),
                 [spread(4, 2)]),
    "svd_wide_batched": (lambda L, x: (lambda u, s, vh: (u * u, s, vh * vh))(*L.linalg.svd(x, full_matrices=False)),
                         [spread(2, 4, (2,))]),
    "svd_square_full": (lambda L, x: (lambda u, s, vh: (u * u, s, vh * vh))(*L.linalg.svd(x)), [spread(3, 3)]),
    "svd_old_v": (lambda L, x: (lambda u, s, v: (u * u, s, v * v))(*L.svd(x)), [spread(4, 3)]),
    "svd_old_no_uv": (lambda L, x: L.svd(x, compute_uv=False).S, [spread(2, 3)]),
    "svdvals": (lambda L, x: L.linalg.svdvals(x), [spread(3, 5)]),
    "svdvals_repeated_and_zero": (lambda L, x: L.linalg.svdvals(x), [np.diag([3.0, 3.0, 1.0])]),
    "pinv_tall": (lambda L, x: L.linalg.pinv(x), [spread(4, 3)]),
    "pinv_wide_atol": (lambda L, x: L.linalg.pinv(x, atol=1e-3), [spread(2, 3)]),
    "pinv_hermitian": (lambda L, x: L.linalg.pinv(sym(L, x), hermitian=True), [symmetric(3, low=-1.2)]),
    "pinv_orthogonal": (lambda L, x: L.linalg.pinv(x), [orthogonal(3)]),
    "pinverse_old": (lambda L, x: L.pinverse(x, rcond=1e-12), [spread(3, 2)]),
    "pinv_low_rank_value": (lambda L, x: L.linalg.pinv(x.detach()), [LOW_RANK]),
    "matrix_rank": (lambda L, x: (L.linalg.matrix_rank(x), L.linalg.matrix_rank(x, rtol=0.5),
                                  L.linalg.matrix_rank(sym(L, x), hermitian=True)), [LOW_RANK[:3]]),
    "lstsq_tall_gelsd": (lambda L, a, b: L.linalg.lstsq(a, b, driver="gelsd"),
                         [spread(5, 3), RNG.standard_normal((5, 2))]),
    "lstsq_wide": (lambda L, a, b: L.linalg.lstsq(a, b).solution, [spread(2, 4), RNG.standard_normal((2, 3))]),
    "lstsq_vector_batched": (lambda L, a, b: L.linalg.lstsq(a, b).solution,
                             [spread(4, 3, (2,)), RNG.standard_normal((2, 4))]),
    "solve": (lambda L, a, b: L.linalg.solve(a, b), list(SYSTEM)),
    "solve_vector": (lambda L, a, b: L.linalg.solve(a, b[:, 0]), list(SYSTEM)),
    "solve_batched": (lambda L, a, b: L.linalg.solve(a, b), [spread(3, 3, (2,)), RNG.standard_normal((2, 3, 1))]),
    "solve_right": (lambda L, a, b: L.linalg.solve(a, L.transpose(b, 0, 1), left=False), list(SYSTEM)),
    "cholesky_solve": (lambda L, b, l: L.cholesky_solve(b, l.tril()), [SYSTEM[1], TRIANGLE]),
    "cholesky_solve_upper": (lambda L, b, l: L.cholesky_solve(b, l.triu(), upper=True), [SYSTEM[1], TRIANGLE]),
    "triangular_solve_old": (lambda L, b, a: L.triangular_solve(b, a, upper=False, transpose=True).solution,
                             [SYSTEM[1], TRIANGLE]),
    "slogdet": (lambda L, x: tuple(L.linalg.slogdet(x)), [spread(3, 3) * np.array([1.0, 1.0, -1.0])]),
    "logdet": (lambda L, x: (L.logdet(sym(L, x)), L.logdet(-sym(L, x[:1, :1]))), [symmetric(3, 0.5)]),
    "matrix_power": (lambda L, x: (L.linalg.matrix_power(x, 3), L.matrix_power(x, 1), L.matrix_power(x, -3)),
                     [spread(3, 3) / 2]),
    "matrix_power_0_value": (lambda L, x: L.matrix_power(x.detach(), 0), [spread(2, 2, (2,))]),
    "cross": (lambda L, a, b: (L.linalg.cross(a, b), L.cross(a, b, dim=1)),
              [RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))]),
    "vecdot": (lambda L, a, b: L.linalg.vecdot(a, b, dim=0),
               [RNG.standard_normal((3, 2)), RNG.standard_normal((3, 1))]),
}
for _up in (True, False):
    for _unit in (True, False):
        for _left in (True, False):
            CASES[f"solve_triangular_upper{_up:d}_unit{_unit:d}_left{_left:d}"] = (
                lambda L, a, b, up=_up, unit=_unit, left=_left: L.linalg.solve_triangular(
                    a, b if left else L.transpose(b, 0, 1), upper=up, unitriangular=unit, left=left),
                [TRIANGLE, SYSTEM[1]])


#: the second derivatives of repeated eigenvalues (singular values) involve their vectors' derivatives, which do
#: not exist there (both libraries give inf/NaN)
NO_SECOND_ORDER = {"eigvalsh_repeated", "svdvals_repeated_and_zero"}


def _run(lib, tensor, fn, arrays):
    xs = [tensor(a, requires_grad=True) for a in arrays]
    outs = fn(lib, *xs)
    return xs, list(outs) if isinstance(outs, tuple) else [outs]


@pytest.mark.parametrize("name", CASES)
def test_values_gradients_and_second_order_match_pytorch(name):
    fn, arrays = CASES[name]
    t_xs, t_outs = _run(torch, lambda a, requires_grad: torch.tensor(a, requires_grad=requires_grad), fn, arrays)
    m_xs, m_outs = _run(md, lambda a, requires_grad: md.tensor(a, md.float64, requires_grad=requires_grad), fn,
                        arrays)
    for i, (t, m) in enumerate(zip(t_outs, m_outs, strict=True)):
        assert tuple(m.shape) == tuple(t.shape), f"output {i}"
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-10,
                                   err_msg=f"{name} output {i}")
    pairs = [(t, m) for t, m in zip(t_outs, m_outs) if t.requires_grad]
    if not pairs:
        return
    cotangents = [RNG.standard_normal(tuple(t.shape)) for t, _ in pairs]
    t_grads = torch.autograd.grad([t for t, _ in pairs], t_xs, [torch.tensor(c) for c in cotangents],
                                  create_graph=True, allow_unused=True)
    m_grads = md.autograd.grad([m for _, m in pairs], m_xs, [md.tensor(c) for c in cotangents],
                               create_graph=name not in NO_SECOND_ORDER, allow_unused=True)
    directions = [RNG.standard_normal(a.shape) for a in arrays]
    t_terms, m_terms = [], []
    for i, (tg, mg, d) in enumerate(zip(t_grads, m_grads, directions)):
        if tg is None:
            assert mg is None or not mg.numpy().any(), f"{name}: input {i} has a gradient, PyTorch none"
            continue
        np.testing.assert_allclose(mg.detach().numpy(), tg.detach().numpy(), rtol=1e-7, atol=1e-9,
                                   err_msg=f"{name} gradient of input {i}")
        if tg.requires_grad and name not in NO_SECOND_ORDER:
            t_terms.append((tg * torch.tensor(d)).sum())
            m_terms.append((mg * md.tensor(d)).sum())
    if not t_terms:
        return
    t_second = torch.autograd.grad(sum(t_terms), t_xs, allow_unused=True)
    m_second = md.autograd.grad(sum(m_terms), m_xs, allow_unused=True)
    for i, (ts, ms) in enumerate(zip(t_second, m_second)):
        expected = np.zeros(arrays[i].shape) if ts is None else ts.numpy()
        actual = np.zeros(arrays[i].shape) if ms is None else ms.numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-8, err_msg=f"{name} second order, input {i}")


def test_full_svd_gradient_ignores_the_extra_vectors_like_pytorch():
    a = spread(4, 2)
    weights = RNG.standard_normal((4, 4))
    ta, ma = torch.tensor(a, requires_grad=True), md.tensor(a, requires_grad=True)
    u, s, vh = torch.linalg.svd(ta)
    (u * u * torch.tensor(weights)).sum().backward()
    u, s, vh = md.linalg.svd(ma)
    (u * u * md.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ma.grad.numpy(), ta.grad.numpy(), rtol=1e-8, atol=1e-10)
