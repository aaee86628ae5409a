"""``svd_lowrank`` and ``pca_lowrank``: randomized, so their numbers are not PyTorch's; instead, on matrices of
known low rank, U diag(S) V^T must reproduce A, U and V must have orthonormal columns, S must be the exact
singular values, pca's V the top principal directions (up to sign), and ``manual_seed`` must repeat a result."""
import numpy as np
import pytest

import minidl.eager as T

rng = np.random.default_rng(5)


def _low_rank(shape, rank):
    """A random matrix (or batch) of rank ``rank`` exactly."""
    m, n = shape[-2:]
    return rng.standard_normal(shape[:-2] + (m, rank)) @ rng.standard_normal(shape[:-2] + (rank, n))


def _orthonormal_columns(x):
    k = x.shape[-1]
    np.testing.assert_allclose(np.swapaxes(x, -1, -2) @ x, np.broadcast_to(np.eye(k), x.shape[:-2] + (k, k)),
                               atol=1e-10)


@pytest.mark.parametrize("shape", [(40, 25), (25, 40), (3, 30, 20)])
@pytest.mark.parametrize("niter", [0, 2])
def test_svd_lowrank_reproduces_a_low_rank_matrix(shape, niter):
    a = _low_rank(shape, 4)
    U, S, V = T.svd_lowrank(T.tensor(a), q=6, niter=niter)
    m, n = shape[-2:]
    assert U.shape == shape[:-2] + (m, 6) and S.shape == shape[:-2] + (6,) and V.shape == shape[:-2] + (n, 6)
    approximation = (U * S.unsqueeze(-2)) @ V.mT
    np.testing.assert_allclose(approximation.numpy(), a, atol=1e-10 * np.abs(a).max())  # rank 4 <= q: exact
    _orthonormal_columns(U.numpy())
    _orthonormal_columns(V.numpy())
    exact = np.linalg.svd(a, compute_uv=False)[..., :6]
    np.testing.assert_allclose(S.numpy(), exact, atol=1e-9 * exact.max())


def test_subspace_iterations_improve_a_noisy_approximation():
    """Rank 5 plus small noise: the error of the rank-q approximation approaches the best one (σ_{q+1}), and
    more iterations come closer (Halko et al.: the error falls like (σ_{q+1} / σ_k)^(2 niter + 1))."""
    a = _low_rank((60, 50), 5) + 1e-3 * rng.standard_normal((60, 50))
    best = np.linalg.svd(a, compute_uv=False)[6]  # σ_7: the spectral error of the best rank-6 approximation
    errors = []
    for niter in (0, 4):
        T.manual_seed(1)
        U, S, V = T.svd_lowrank(T.tensor(a), q=6, niter=niter)
        errors.append(np.linalg.norm(a - ((U * S.unsqueeze(-2)) @ V.mT).numpy(), 2))
    assert errors[1] <= errors[0] and errors[1] < 1.1 * best


def test_svd_lowrank_with_a_mean():
    a = _low_rank((30, 20), 3)
    mean = rng.standard_normal((1, 20))
    U, S, V = T.svd_lowrank(T.tensor(a + mean), q=5, M=T.tensor(mean))  # M broadcasts to A's shape
    np.testing.assert_allclose(((U * S.unsqueeze(-2)) @ V.mT).numpy(), a, atol=1e-10)


def test_manual_seed_repeats_a_result():
    a = T.tensor(rng.standard_normal((20, 10)))
    T.manual_seed(123)
    first = T.svd_lowrank(a, q=3)
    T.manual_seed(123)
    second = T.svd_lowrank(a, q=3)
    for x, y in zip(first, second):
        assert T.equal(x, y)


def test_pca_lowrank_finds_the_principal_directions():
    samples = _low_rank((200, 8), 3) + 5.0 + 1e-6 * rng.standard_normal((200, 8))  # off-centre, nearly rank 3
    U, S, V = T.pca_lowrank(T.tensor(samples), q=4)
    centered = samples - samples.mean(axis=0)
    _, exact_s, exact_vt = np.linalg.svd(centered, full_matrices=False)
    np.testing.assert_allclose(S.numpy()[:3], exact_s[:3], rtol=1e-8)
    ours = V.numpy()[:, :3]
    signs = np.sign(np.sum(ours * exact_vt[:3].T, axis=0))  # a direction is unique only up to its sign
    np.testing.assert_allclose(ours * signs, exact_vt[:3].T, atol=1e-8)
    variances = S.numpy()[:3] ** 2 / (len(samples) - 1)
    np.testing.assert_allclose(variances, np.linalg.eigvalsh(np.cov(samples.T))[::-1][:3], rtol=1e-8)


def test_pca_lowrank_without_centering_is_svd_lowrank():
    a = T.tensor(_low_rank((15, 10), 2))
    T.manual_seed(4)
    ours = T.pca_lowrank(a, q=3, center=False)
    T.manual_seed(4)
    for x, y in zip(ours, T.svd_lowrank(a, q=3)):
        assert T.equal(x, y)
    assert T.pca_lowrank(a)[1].shape == (6,)  # q defaults to min(6, m, n)


def test_gradients_flow_through_the_factorization():
    """S's gradient: d σ_i = u_i^T dA v_i; the sum of S over the rank of A is the nuclear norm, whose gradient
    is U V^T (that of torch.svd_lowrank too)."""
    a = _low_rank((12, 9), 3)
    x = T.tensor(a, requires_grad=True)
    U, S, V = T.svd_lowrank(x, q=3)
    S.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (U @ V.mT).detach().numpy(), atol=1e-8)


@pytest.mark.parametrize("call, error, match", [
    (lambda a: T.pca_lowrank(a, q=5), ValueError, r"pca_lowrank: q\(=5\) must be a non-negative integer not "
                                                  r"greater than min\(m, n\)=4"),
    (lambda a: T.pca_lowrank(a, niter=-1), ValueError, r"pca_lowrank: niter\(=-1\) must be a non-negative"),
    (lambda a: T.svd_lowrank(a, q=-1), ValueError, r"svd_lowrank: q\(=-1\)"),
    (lambda a: T.svd_lowrank(a, niter=1.5), ValueError, r"svd_lowrank: niter\(=1.5\)"),
    (lambda a: T.svd_lowrank(a[0]), ValueError, "svd_lowrank: .*at least 2 dimensions"),
    (lambda a: T.svd_lowrank(a.to(T.complex128)), TypeError, "svd_lowrank: complex"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(T.tensor(rng.standard_normal((6, 4))))
