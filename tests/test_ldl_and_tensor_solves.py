"""linalg.ldl_factor / ldl_factor_ex / ldl_solve (Bunch–Kaufman, LAPACK's sytrf form) against PyTorch — the
pivots exactly, LD to rounding — and against the solves they are for; linalg.tensorinv and tensorsolve; the
errors of all of them. (Values and gradients of ldl_solve, tensorinv and tensorsolve are also in the op table.)"""
import numpy as np
import pytest

import minidl.eager as T


def _torch():
    return pytest.importorskip("torch")


def _symmetric_matrices(rng, n, kind):
    a = rng.standard_normal((n, n))
    if kind == "sparse":  # zeros on the diagonal and elsewhere: 2 x 2 pivots and exchanges
        a[rng.random((n, n)) < 0.5] = 0
    if kind == "small diagonal":
        a[np.diag_indices(n)] *= 0.01
    return np.tril(a) + np.tril(a, -1).T


CASES = [(n, kind, seed) for n in (1, 2, 3, 5, 8, 17) for kind in ("dense", "sparse", "small diagonal")
         for seed in range(3)]


@pytest.mark.parametrize("n, kind, seed", CASES)
def test_ldl_factor_matches_pytorch_and_solves(n, kind, seed):
    torch = _torch()
    a = _symmetric_matrices(np.random.default_rng(seed), n, kind)
    LD, pivots, info = T.linalg.ldl_factor_ex(T.tensor(a))
    expected = torch.linalg.ldl_factor_ex(torch.tensor(a))
    np.testing.assert_array_equal(pivots.numpy(), expected.pivots.numpy())
    assert pivots.dtype == T.int32 and info.dtype == T.int32 and int(info) == int(expected.info)
    np.testing.assert_allclose(LD.numpy(), expected.LD.numpy(), rtol=1e-10, atol=1e-12)
    if int(info) == 0:
        b = np.random.default_rng(seed).standard_normal((n, 3))
        x = T.linalg.ldl_solve(LD, pivots, T.tensor(b)).numpy()
        np.testing.assert_allclose(x, torch.linalg.ldl_solve(expected.LD, expected.pivots, torch.tensor(b)).numpy(),
                                   rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(a @ x, b, atol=1e-9 * max(1.0, np.abs(x).max()))


def test_ldl_factor_without_pytorch_by_hand():
    """[[0, 1, 2], [1, 0, 3], [2, 3, 0]]: a zero diagonal forces a 2 x 2 pivot with rows 2 and 3 exchanged."""
    a = T.tensor([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]], dtype=T.float64)
    LD, pivots = T.linalg.ldl_factor(a)
    np.testing.assert_allclose(LD.numpy(), [[0, 0, 0], [2, 0, 0], [1.5, 0.5, -3]])
    np.testing.assert_array_equal(pivots.numpy(), [-3, -3, 3])
    # a positive-definite matrix needs no exchanges, and LD is then L (unit diagonal left out) and D of A = L D Lᵀ
    spd = np.array([[4.0, 2.0, 2.0], [2.0, 5.0, 3.0], [2.0, 3.0, 6.0]])
    LD, pivots = T.linalg.ldl_factor(T.tensor(spd), hermitian=True)
    L, D = np.tril(LD.numpy(), -1) + np.eye(3), np.diag(np.diag(LD.numpy()))
    np.testing.assert_allclose(L @ D @ L.T, spd, rtol=1e-12)
    np.testing.assert_array_equal(pivots.numpy(), [1, 2, 3])


def test_ldl_batches_and_broadcast_solves():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((2, 3, 4, 4))
    a = a + np.swapaxes(a, -1, -2)
    LD, pivots, info = T.linalg.ldl_factor_ex(T.tensor(a))
    assert LD.shape == (2, 3, 4, 4) and pivots.shape == (2, 3, 4) and info.shape == (2, 3)
    b = rng.standard_normal((4, 2))  # one right-hand side for the whole batch
    x = T.linalg.ldl_solve(LD, pivots, T.tensor(b)).numpy()
    assert x.shape == (2, 3, 4, 2)
    np.testing.assert_allclose(a @ x, np.broadcast_to(b, x.shape), atol=1e-10)
    torch = _torch()
    expected = torch.linalg.ldl_factor_ex(torch.tensor(a))
    for ours, theirs in zip((LD, pivots, info), expected):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_a_zero_pivot_gives_info_or_an_error():
    singular = T.tensor([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 0.0]], dtype=T.float64)
    LD, pivots, info = T.linalg.ldl_factor_ex(singular)
    assert int(info) == 3 and pivots.tolist() == [-2, -2, 3]
    with pytest.raises(T.linalg.LinAlgError, match=r"linalg.ldl_factor: .*D\(3,3\) is exactly zero"):
        T.linalg.ldl_factor(singular)
    batch = T.stack([T.eye(3, dtype=T.float64), T.zeros(3, 3, dtype=T.float64)])
    assert T.linalg.ldl_factor_ex(batch).info.tolist() == [0, 1]
    with pytest.raises(T.linalg.LinAlgError, match=r"ldl_factor_ex: \(Batch element 1\).*D\(1,1\)"):
        T.linalg.ldl_factor_ex(batch, check_errors=True)


def test_ldl_gradients():
    """None through the factorization (as PyTorch); through ldl_solve for B, the gradient of A⁻¹B."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal((4, 4))
    a = a + a.T
    A = T.tensor(a, requires_grad=True)
    LD, pivots = T.linalg.ldl_factor(A)
    with pytest.raises(NotImplementedError, match="derivative of linalg.ldl_factor .*not implemented"):
        LD.sum().backward()
    B = T.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    LD, pivots = T.linalg.ldl_factor(A.detach())
    T.linalg.ldl_solve(LD, pivots, B).pow(2).sum().backward()
    B2 = B.detach().requires_grad_()
    T.linalg.solve(A.detach(), B2).pow(2).sum().backward()
    np.testing.assert_allclose(B.grad.numpy(), B2.grad.numpy(), rtol=1e-10)
    LD.requires_grad_()
    with pytest.raises(NotImplementedError, match="ldl_solve with respect to LD"):
        T.linalg.ldl_solve(LD, pivots, B).sum().backward()


def test_ldl_errors():
    a = T.eye(3, dtype=T.float64)
    LD, pivots = T.linalg.ldl_factor(a)
    with pytest.raises(ValueError, match="ldl_factor: A must be batches of square matrices, but they are 2 by 3"):
        T.linalg.ldl_factor(T.zeros(2, 3))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        T.linalg.ldl_factor_ex(T.zeros(3))
    with pytest.raises(TypeError, match="floating point"):
        T.linalg.ldl_factor(T.zeros(3, 3, dtype=T.int64))
    with pytest.raises(NotImplementedError, match="ldl_factor: Hermitian matrices are not supported"):
        T.linalg.ldl_factor(T.eye(2, dtype=T.complex128), hermitian=True)
    with pytest.raises(ValueError, match="each A matrix is 3 by 3 but each B matrix is 4 by 2"):
        T.linalg.ldl_solve(LD, pivots, T.zeros(4, 2, dtype=T.float64))
    with pytest.raises(TypeError, match="same dtype"):
        T.linalg.ldl_solve(LD, pivots, T.zeros(3, 2))
    with pytest.raises(ValueError, match="B must be a .*matrices"):
        T.linalg.ldl_solve(LD, pivots, T.zeros(3, dtype=T.float64))
    with pytest.raises(TypeError, match="pivots must be integers"):
        T.linalg.ldl_solve(LD, pivots.double(), T.zeros(3, 1, dtype=T.float64))
    with pytest.raises(ValueError, match="expected pivots of shape \\[3\\]"):
        T.linalg.ldl_solve(LD, pivots[:2], T.zeros(3, 1, dtype=T.float64))
    with pytest.raises(ValueError, match="pivots must be as linalg.ldl_factor returns them"):
        T.linalg.ldl_solve(LD, T.tensor([1, -2, 3], dtype=T.int32), T.zeros(3, 1, dtype=T.float64))
    empty = T.linalg.ldl_factor(T.zeros(0, 0))
    assert empty.LD.shape == (0, 0) and empty.pivots.shape == (0,)


# ----------------------------------------------------------------------------------- tensorinv, tensorsolve

def test_tensorinv_and_tensorsolve_match_numpy_and_pytorch():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 6, 8, 3))
    inverse = T.linalg.tensorinv(T.tensor(a), ind=2).numpy()
    np.testing.assert_allclose(inverse, np.linalg.tensorinv(a, ind=2), rtol=1e-9)
    np.testing.assert_allclose(np.tensordot(inverse, a, 2).reshape(24, 24), np.eye(24), atol=1e-9)
    a3, b = rng.standard_normal((2, 3, 6)), rng.standard_normal((2, 3))
    x = T.linalg.tensorsolve(T.tensor(a3), T.tensor(b)).numpy()
    np.testing.assert_allclose(np.tensordot(a3, x, 1), b, atol=1e-10)
    moved = rng.standard_normal((6, 2, 3))
    x = T.linalg.tensorsolve(T.tensor(moved), T.tensor(b), dims=0)
    np.testing.assert_allclose(x.numpy(), np.linalg.tensorsolve(moved, b, axes=(0,)), rtol=1e-9)
    torch = _torch()
    np.testing.assert_allclose(inverse, torch.linalg.tensorinv(torch.tensor(a), ind=2).numpy(), rtol=1e-9)
    np.testing.assert_allclose(x.numpy(), torch.linalg.tensorsolve(torch.tensor(moved), torch.tensor(b),
                                                                   dims=(0,)).numpy(), rtol=1e-9)


def test_tensorinv_and_tensorsolve_gradients_match_pytorch():
    torch = _torch()
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3, 6)), rng.standard_normal((2, 3))
    grads = []
    for lib in (T, torch):
        A, B = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        lib.linalg.tensorsolve(A, B).pow(3).sum().backward()
        C = lib.tensor(a.reshape(2, 3, 3, 2), requires_grad=True)
        lib.linalg.tensorinv(C).sin().sum().backward()
        grads.append([t.grad.numpy() for t in (A, B, C)])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("call, error, message", [
    (lambda: T.linalg.tensorinv(T.zeros(4, 6, 8, 3), ind=1), ValueError,
     r"prod\(self.shape\[ind:\]\) == prod\(self.shape\[:ind\]\), but got 144 != 4"),
    (lambda: T.linalg.tensorinv(T.zeros(2, 2, 2, 2), ind=0), ValueError, "strictly positive integer for 'ind'"),
    (lambda: T.linalg.tensorinv(T.zeros(2, 2, 2, 2)), T.linalg.LinAlgError, "singular"),
    (lambda: T.linalg.tensorsolve(T.zeros(2, 3, 5), T.zeros(2, 3)), ValueError, "but got 5 != 6"),
    (lambda: T.linalg.tensorsolve(T.zeros(2, 3, 6), T.zeros(2, 3), dims=(5,)), IndexError, "out of range"),
    (lambda: T.linalg.tensorsolve(T.eye(6).reshape(2, 3, 6), T.zeros(2, 3, dtype=T.float64)), TypeError,
     "same dtype"),
])
def test_tensorinv_and_tensorsolve_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
