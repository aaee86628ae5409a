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
    "lstsq_tall_gels": (lambda L, a, b: (lambda r: (r.solution, r.residuals))(L.linalg.lstsq(a, b, driver="gels")),
                        [spread(5, 3), RNG.standard_normal((5, 2))]),
    "lstsq_wide_gels": (lambda L, a, b: L.linalg.lstsq(a, b, driver="gels").solution,
                        [spread(2, 4), RNG.standard_normal((2, 3))]),
    "lstsq_rank_deficient": (lambda L, a, b: L.linalg.lstsq(a, b).solution, [LOW_RANK, RNG.standard_normal((4, 2))]),
    "lstsq_vector_batched": (lambda L, a, b: L.linalg.lstsq(a, b).solution,
                             [spread(4, 3, (2,)), RNG.standard_normal((2, 4))]),
    "matrix_norm_2_batched": (lambda L, x: L.linalg.matrix_norm(x, 2), [spread(3, 4, (2,))]),
    "matrix_norm_-2_dims_keepdim": (lambda L, x: L.linalg.matrix_norm(x, -2, dim=(0, 2), keepdim=True),
                                    [spread(3, 4, (2,)).transpose(1, 0, 2)]),
    "matrix_norm_nuc_dims_reversed": (lambda L, x: L.linalg.matrix_norm(x, "nuc", dim=(-1, -2)),
                                      [spread(4, 2, (2,))]),
    "linalg_norm_2_and_-2": (lambda L, x: (L.linalg.norm(x, 2), L.linalg.norm(x, -2)), [spread(4, 3)]),
    "norm_nuc_old": (lambda L, x: (L.norm(x[0], p="nuc"), L.norm(x, "nuc", dim=(1, 2), keepdim=True)),
                     [spread(3, 3, (2,))]),
    "cond_singular_value_ratios": (lambda L, x: (L.linalg.cond(x), L.linalg.cond(x, 2), L.linalg.cond(x, -2)),
                                   [spread(2, 4, (2,))]),
    "cond_nuc": (lambda L, x: L.linalg.cond(x, "nuc"), [spread(3, 3, (2,))]),
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
    "matrix_exp": (lambda L, x: L.linalg.matrix_exp(x), [RNG.standard_normal((3, 3)) / 4]),
    "matrix_exp_batched_squarings": (lambda L, x: L.matrix_exp(x), [3 * RNG.standard_normal((2, 3, 3))]),
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


# ------------------------------------------------------------------------------- cond through the inverse

INF = float("inf")


@pytest.mark.parametrize("p", ["fro", 1, -1, INF, -INF])
def test_cond_through_the_inverse_matches_pytorch(p):
    """The values of torch.linalg.cond; its gradient (PyTorch's own backward fails here, after an in-place fill)
    against that of the formula it computes, ``matrix_norm(A) · matrix_norm(A^-1)``."""
    a = spread(3, 3, (2,))
    ta, ma = torch.tensor(a, requires_grad=True), md.tensor(a, requires_grad=True)
    cond = md.linalg.cond(ma, p)
    np.testing.assert_allclose(cond.detach().numpy(), torch.linalg.cond(ta.detach(), p).numpy(), rtol=1e-10)
    weights = RNG.standard_normal(2)
    formula = torch.linalg.matrix_norm(ta, p) * torch.linalg.matrix_norm(torch.linalg.inv(ta), p)
    (formula * torch.tensor(weights)).sum().backward()
    (cond * md.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ma.grad.numpy(), ta.grad.numpy(), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, INF, -INF])
def test_cond_of_singular_and_empty_matrices_matches_pytorch(p):
    """inf where a singular value is 0 (0 for p=-2), NaN for the 0 matrix with the singular-value conditions
    (0 / 0) and inf with the others; 0 for matrices without entries."""
    batch = np.stack([np.diag([1.0, 0.0]), np.zeros((2, 2)), [[2.0, 1.0], [1.0, 3.0]]])
    with np.errstate(invalid="ignore", divide="ignore"):
        actual = md.linalg.cond(md.tensor(batch), p).numpy()
    np.testing.assert_allclose(actual, torch.linalg.cond(torch.tensor(batch), p).numpy(), rtol=1e-12)
    for shape in [(0, 0), (2, 0, 0)] + ([(0, 3)] if p in (None, 2, -2) else []):
        expected = torch.linalg.cond(torch.zeros(shape, dtype=torch.float64), p)
        np.testing.assert_array_equal(md.linalg.cond(md.zeros(shape, dtype=md.float64), p).numpy(), expected.numpy())


# ------------------------------------------------------------------------------------------------ LinAlgError

def test_the_jitter_and_retry_loop_runs_as_in_pytorch():
    def factor_with_jitter(L, K):
        eye, tries = L.eye(K.shape[-1], dtype=K.dtype), 0
        while True:
            try:
                return L.linalg.cholesky(K), tries
            except L.linalg.LinAlgError:
                K, tries = K + 1e-8 * 10 ** tries * eye, tries + 1
    x = RNG.standard_normal((4, 2))
    K = x @ x.T - 1e-7 * np.eye(4)  # rank 2, and pushed below: the jitter must reach 1e-7 first
    (t_factor, t_tries), (m_factor, m_tries) = (factor_with_jitter(L, tensor(K)) for L, tensor in
                                                ((torch, torch.tensor), (md, md.tensor)))
    assert m_tries == t_tries > 1
    np.testing.assert_allclose(m_factor.numpy(), t_factor.numpy(), rtol=1e-6, atol=1e-10)


def _messages(call):
    errors = []
    for L in (torch, md):
        with pytest.raises(L.linalg.LinAlgError) as caught:
            call(L)
        errors.append(str(caught.value))
    return errors


@pytest.mark.parametrize("matrix", [-np.eye(3), np.diag([1.0, 0.0, 1.0]), [[1.0, 2.0], [2.0, 1.0]],
                                    np.stack([np.eye(3), np.eye(3), np.diag([1.0, 1.0, -1.0])]),
                                    symmetric(5, low=-0.5)])
def test_cholesky_messages_match_pytorch(matrix):
    expected, actual = _messages(lambda L: L.linalg.cholesky(L.tensor(np.asarray(matrix, dtype=np.float64))))
    assert actual.startswith(expected)  # (minidl adds the input's shape)


def test_solve_and_inverse_messages_match_pytorch():
    singular = np.stack([np.eye(2), [[1.0, 2.0], [2.0, 4.0]]])
    expected, actual = _messages(lambda L: L.linalg.solve(L.tensor(singular), L.tensor(np.ones((2, 2, 1)))))
    assert actual.startswith(expected.removeprefix("torch."))
    expected, actual = _messages(lambda L: L.linalg.inv(L.tensor(singular)))
    # (PyTorch also names the zero on the diagonal of the LU factorization, which numpy does not expose)
    for message in (expected, actual):
        assert message.startswith("linalg.inv: (Batch element 1): ") and "the input matrix is singular" in message


# ------------------------------------------------------------------------------------------------------ lstsq

@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("a_shape, b_shape", [((5, 3), (5, 2)), ((3, 3), (3, 2)), ((2, 4), (2, 3)),
                                              ((2, 5, 3), (2, 5, 2)), ((5, 3), (5,))])
def test_lstsq_fields_match_pytorch(driver, a_shape, b_shape):
    a, b = spread(*a_shape[-2:], a_shape[:-2]), RNG.standard_normal(b_shape)
    expected = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    actual = md.linalg.lstsq(md.tensor(a), md.tensor(b), driver=driver)
    for field in actual._fields:
        e, m = getattr(expected, field), getattr(actual, field)
        assert tuple(m.shape) == tuple(e.shape) and str(m.dtype).removeprefix("minidl.") == str(e.dtype).removeprefix("torch."), field
        np.testing.assert_allclose(m.detach().numpy(), e.numpy(), rtol=1e-9, atol=1e-10, err_msg=field)


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss"])
def test_lstsq_of_a_rank_deficient_matrix_matches_pytorch(driver):
    """The smallest of the solutions, and the rank. (For 'gelsd' and 'gelss' PyTorch then leaves the residuals
    empty — a shape that depends on the values, which minidl does not mirror.)"""
    b = RNG.standard_normal((4, 2))
    expected = torch.linalg.lstsq(torch.tensor(LOW_RANK), torch.tensor(b), driver=driver)
    actual = md.linalg.lstsq(md.tensor(LOW_RANK), md.tensor(b), driver=driver)
    np.testing.assert_allclose(actual.solution.numpy(), expected.solution.numpy(), rtol=1e-9, atol=1e-10)
    assert actual.rank.item() == expected.rank.item() == 2
    if driver != "gelsy":
        np.testing.assert_allclose(actual.singular_values.numpy(), expected.singular_values.numpy(), atol=1e-10)


def test_matrix_exp_of_complex_matrices_matches_pytorch():
    a = RNG.standard_normal((2, 3, 3)) + 1j * RNG.standard_normal((2, 3, 3))
    weights = RNG.standard_normal((2, 3, 3))
    ta, ma = torch.tensor(a, requires_grad=True), md.tensor(a, requires_grad=True)
    t_out, m_out = torch.linalg.matrix_exp(ta), md.linalg.matrix_exp(ma)
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12, atol=1e-12)
    (t_out.abs() * torch.tensor(weights)).sum().backward()
    (m_out.abs() * md.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ma.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)


VALUES_ALONE = {  # a factorization whose vectors go unused, of matrices with repeated values
    "eigh eigenvalues of 2I": (lambda L, a: L.sum(L.linalg.eigh(a).eigenvalues), np.eye(3) * 2.0),
    "eigh eigenvalues, a repeated pair": (lambda L, a: L.sum(L.linalg.eigh(a).eigenvalues ** 2),
                                          np.diag([1.0, 1.0, 3.0])),
    "svd singular values of an orthogonal matrix": (lambda L, a: L.sum(L.linalg.svd(a).S), orthogonal(3)),
    "qr R alone": (lambda L, a: L.sum(L.linalg.qr(a).R), spread(3, 3)),
}


@pytest.mark.parametrize("case", VALUES_ALONE)
def test_values_alone_have_finite_gradients_where_the_vectors_would_not(case):
    """The eigenvector/singular-vector terms divide by gaps between values; with no gradient for the vectors they
    are left out (``accepts_missing_grads``), as in PyTorch — eager and graph mode alike."""
    fn, start = VALUES_ALONE[case]
    ours = md.tensor(start, requires_grad=True)
    fn(md, ours).backward()
    theirs = torch.tensor(start, requires_grad=True)
    fn(torch, theirs).backward()
    assert np.isfinite(ours.grad.numpy()).all()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
    import minidl.graph as tf
    from minidl import ops
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float64, start.shape)
        namespace = type("L", (), {"sum": staticmethod(ops.sum), "linalg": type("linalg", (), {
            "eigh": staticmethod(ops.linalg_eigh), "svd": staticmethod(ops.linalg_svd),
            "qr": staticmethod(ops.linalg_qr)})})
        (grad,) = tf.gradients(fn(namespace, a), [a])
    with tf.Session(graph=graph) as sess:
        np.testing.assert_allclose(sess.run(grad, {a: start}), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("function", [
    lambda L, a: L.linalg.cholesky(a, upper=True),
    lambda L, a: L.linalg.cholesky_ex(a, upper=True).L,
    lambda L, a: L.linalg.cholesky(a),
], ids=["cholesky upper", "cholesky_ex upper", "cholesky lower"])
def test_cholesky_reads_the_triangle_it_is_asked_for(function):
    """With ``upper=True`` only A's upper triangle is read (it read the lower one), as PyTorch: the same values and
    gradients for a symmetric positive-definite matrix and for its upper or lower triangle alone."""
    b = RNG.standard_normal((3, 3))
    full = b @ b.T + 3 * np.eye(3)

    def run(lib, values):
        a = lib.tensor(values, requires_grad=True)
        out = function(lib, a)
        out.sum().backward()
        return out.detach().numpy(), a.grad.numpy()

    for values in (full, np.triu(full), np.tril(full)):
        for ours, theirs in zip(run(md, values), run(torch, values)):
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("function", [
    lambda L, a: L.linalg.cholesky(a, upper=True),
    lambda L, a: L.linalg.cholesky_ex(a, upper=True).L,
    lambda L, a: L.cholesky(a, upper=True),
    lambda L, a: L.linalg.cholesky(a).mH,
], ids=["cholesky upper", "cholesky_ex upper", "torch.cholesky upper", "cholesky lower, mH"])
def test_cholesky_upper_gradient_of_a_complex_matrix_is_pytorchs(function):
    """A complex Hermitian matrix's gradient through the upper factor is the lower factor's for gL = gU^H, as
    PyTorch's: it was conjugate-transposed (read as A^H's lower triangle, which it is, in value)."""
    b = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    hermitian = b @ b.conj().T + 3 * np.eye(3)
    weights = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))

    def run(lib):
        a = lib.tensor(hermitian, requires_grad=True)
        out = function(lib, a)
        (out * lib.tensor(weights)).real.sum().backward()
        return out.detach().resolve_conj().numpy(), a.grad.numpy()

    for ours, theirs in zip(run(md), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_triangular_solve_copies_the_coefficient_with_the_solutions_batch_dims():
    """The old triangular_solve's second output is A broadcast against b (it kept A's own batch dims, (2, 1, 3, 3));
    its gradient sums back to A."""
    for lib in (md, torch):
        a = (lib.eye(3, dtype=lib.float64).expand(2, 1, 3, 3) * 2).requires_grad_()
        result = lib.triangular_solve(lib.ones(3, 3, 2, dtype=lib.float64), a)
        assert tuple(result.solution.shape) == (2, 3, 3, 2) and tuple(result.cloned_coefficient.shape) == (2, 3, 3, 3)
        result.cloned_coefficient.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), np.full((2, 1, 3, 3), 3.0))
