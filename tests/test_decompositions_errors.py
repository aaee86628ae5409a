"""Factorizations and solvers (decompositions.py, solvers.py): bad inputs raise clear errors naming the op and the
shapes/dtypes; plus the conventions the op table cannot express (named tuples, the old torch.* forms, which
triangle is read, the gradients that do not exist)."""
import math
import warnings

import numpy as np
import pytest

import minidl.eager as md
from minidl.ops import OpError

RNG = np.random.default_rng(0)


def t(values, dtype=None, requires_grad=False):
    return md.tensor(values, dtype=dtype, requires_grad=requires_grad)


def spd(n, batch=()):
    m = RNG.standard_normal(batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


SINGULAR = [[1.0, 2.0], [2.0, 4.0]]


@pytest.mark.parametrize("call, error, message", [
    (lambda: md.linalg.cholesky(md.zeros(2, 3)), OpError,
     r"linalg.cholesky: A must be batches of square matrices, but they are 2 by 3 matrices \(float32\[2, 3\]\)"),
    (lambda: md.linalg.cholesky(t([[1.0, 2.0], [2.0, 1.0]])), md.linalg.LinAlgError,
     r"linalg.cholesky: The factorization could not be completed because the input is not positive-definite \(the "
     r"leading minor of order 2 is not positive-definite\). Input: float32\[2, 2\]."),
    (lambda: md.linalg.cholesky(t(np.stack([np.eye(3), np.diag([1.0, 2.0, 0.0])]))), md.linalg.LinAlgError,
     r"linalg.cholesky: \(Batch element 1\): The factorization could not be completed because the input is not "
     r"positive-definite \(the leading minor of order 3 is not positive-definite\)"),
    (lambda: md.cholesky(t([[1, 0], [0, 1]])), TypeError,
     r"linalg.cholesky: expected a floating point or complex tensor as input, got int64\[2, 2\]"),
    (lambda: md.linalg.pinv(md.eye(2, dtype=md.complex64)), TypeError,
     r"linalg.pinv: complex matrices are not supported .*complex64\[2, 2\]"),
    (lambda: md.cholesky(md.eye(2, dtype=md.float16)), TypeError, r"linalg.cholesky: not implemented for float16"),
    (lambda: md.linalg.svd(md.zeros(3)), OpError,
     r"linalg.svd: the input tensor A must have at least 2 dimensions, got float32\[3\]"),
    (lambda: md.linalg.svdvals(t([[1, 2]])), TypeError, r"linalg.svdvals: expected a floating point"),
    (lambda: md.linalg.qr(md.eye(2), mode="full"), OpError,
     r"qr received unrecognized mode 'full' but expected one of 'reduced' \(default\), 'r', or 'complete'"),
    (lambda: md.linalg.eigh(md.eye(2), UPLO="X"), OpError,
     r"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got 'X'"),
    (lambda: md.linalg.eigvalsh(md.zeros(2, 3)), OpError, r"linalg.eigvalsh: A must be batches of square matrices"),
    (lambda: md.linalg.solve(t(SINGULAR), md.ones(2)), md.linalg.LinAlgError,
     r"linalg.solve: The solver failed because the input matrix is singular. A: float32\[2, 2\]"),
    (lambda: md.linalg.solve(t([np.eye(2).tolist(), np.eye(2).tolist(), SINGULAR]), md.ones(2, 1)),
     md.linalg.LinAlgError,
     r"linalg.solve: \(Batch element 2\): The solver failed because the input matrix is singular"),
    (lambda: md.linalg.inv(t([SINGULAR, np.eye(2)])), md.linalg.LinAlgError,
     r"linalg.inv: \(Batch element 0\): The inversion could not be completed because the input matrix is singular"),
    (lambda: md.linalg.solve(md.eye(2), md.ones(3)), OpError,
     r"linalg.solve: Incompatible shapes of A and B for the equation AX = B \(2x2 and 3x1\)"),
    (lambda: md.linalg.solve(md.eye(2).expand(2, 2, 2), md.ones(3, 2, 1)), OpError,
     r"linalg.solve: shapes \(2,\) and \(3,\) cannot be broadcast"),
    (lambda: md.linalg.solve(md.eye(2), md.ones(2, 1, dtype=md.float64)), TypeError,
     r"expected A and B to have the same dtype, but got: float != double \(linalg.solve of float32\[2, 2\]"),
    (lambda: md.linalg.solve(md.eye(2), [1.0, 2.0]), TypeError, r"linalg.solve: expected tensors, got list"),
    (lambda: md.linalg.solve_triangular(md.eye(2), md.ones(2), upper=True), OpError,
     r"linalg.solve_triangular: The input tensor B must have at least 2 dimensions, got float32\[2\]"),
    (lambda: md.linalg.solve_triangular(md.eye(2), md.ones(2, 1), upper="yes"), TypeError,
     r"linalg.solve_triangular: upper must be True or False"),
    (lambda: md.linalg.solve_triangular(md.zeros(2, 2), md.ones(2, 1), upper=True), md.linalg.LinAlgError,
     r"linalg.solve_triangular: the triangular matrix has a zero on its diagonal"),
    (lambda: md.cholesky_solve(md.ones(2), md.eye(2)), OpError,
     r"cholesky_solve: b should have at least 2 dimensions, but has 1 dimensions instead"),
    (lambda: md.linalg.lstsq(md.zeros(3, 2), md.zeros(4, 1)), OpError,
     r"linalg.lstsq: input.size\(-2\) should match other.size\(-2\), got float32\[3, 2\] and float32\[4, 1\]"),
    (lambda: md.linalg.lstsq(md.eye(2), md.ones(2, 1), driver="gelsx"), OpError,
     r"linalg.lstsq: parameter `driver` should be one of \(gels, gelsy, gelsd, gelss\), got 'gelsx'"),
    (lambda: md.linalg.pinv(md.eye(2), atol="small"), TypeError,
     r"linalg.pinv: atol must be a number, a 0-d tensor or None"),
    (lambda: md.linalg.matrix_rank(md.zeros(2, 3), hermitian=True), OpError,
     r"linalg.matrix_rank: A must be batches of square matrices"),
    (lambda: md.slogdet(md.zeros(2, 3)), OpError, r"linalg.slogdet: A must be batches of square matrices"),
    (lambda: md.logdet(t([[1, 0], [0, 1]])), TypeError, r"logdet: expected a floating point or complex tensor"),
    (lambda: md.linalg.matrix_power(md.eye(2), 1.5), TypeError,
     r"matrix_power\(\): argument 'n' must be int, not float"),
    (lambda: md.matrix_power(md.zeros(2, 3), 2), OpError,
     r"linalg.matrix_power: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: md.matrix_power(t([[1, 1], [0, 1]]), -1), TypeError,
     r"inverse: expected a floating point or complex tensor as input, got int64\[2, 2\]"),
    (lambda: md.linalg.matrix_norm(md.ones(2, 2, dtype=md.float16), "nuc"), TypeError,
     r"linalg.svdvals: not implemented for float16"),
    (lambda: md.linalg.cond(md.ones(3)), OpError,
     r"linalg.cond: The input tensor must have at least 2 dimensions, got float32\[3\]"),
    (lambda: md.linalg.cond(md.eye(2), 3), OpError, r"linalg.cond got an invalid norm type: 3"),
    (lambda: md.linalg.cond(md.eye(2), "fr"), OpError, r"linalg.cond got an invalid norm type: fr"),
    (lambda: md.linalg.cond(md.ones(3, 2), "fro"), OpError,
     r"linalg.cond\(ord=fro\): A must be batches of square matrices, but they are 3 by 2 matrices"),
    (lambda: md.linalg.cond(md.ones(2, 3), float("inf")), OpError, r"linalg.cond\(ord=inf\): A must be batches"),
    (lambda: md.linalg.cond(t([[1, 2], [3, 4]])), TypeError, r"linalg.cond: expected a floating point"),
    (lambda: md.linalg.matrix_exp(md.zeros(2, 3)), OpError,
     r"linalg.matrix_exp: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: md.matrix_exp(t([[1, 0], [0, 1]])), TypeError, r"linalg.matrix_exp: expected a floating point"),
    (lambda: md.linalg.cross(md.ones(2), md.ones(2)), OpError,
     r"linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2"),
    (lambda: md.linalg.cross(md.ones(3, 2), md.ones(3), dim=0), OpError,
     r"linalg.cross: inputs dimension 0 must have length 3. Got 3 and 1"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_old_cross_without_dim_warns_and_takes_the_first_dim_of_size_3():
    a, b = RNG.standard_normal((2, 3, 3)), RNG.standard_normal((2, 3, 3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = md.cross(t(a), t(b))
    assert "without specifying the dim arg is deprecated" in str(caught[0].message)
    np.testing.assert_allclose(c.numpy(), np.cross(a, b, axis=1), rtol=1e-6)
    with pytest.warns(UserWarning), pytest.raises(OpError, match=r"cross: no dimension of size 3 in input"):
        md.cross(md.ones(2), md.ones(2))


# ------------------------------------------------------------------------------------- named tuples, shapes

def test_named_tuples_and_shapes():
    a = t(RNG.standard_normal((2, 4, 3)))
    q, r = md.linalg.qr(a)
    assert (tuple(q.shape), tuple(r.shape)) == ((2, 4, 3), (2, 3, 3)) and md.linalg.qr(a).Q is not None
    complete = md.linalg.qr(a, mode="complete")
    assert (tuple(complete.Q.shape), tuple(complete.R.shape)) == ((2, 4, 4), (2, 4, 3))
    only_r = md.linalg.qr(a, mode="r")
    assert tuple(only_r.Q.shape) == (0,) and np.allclose(only_r.R.numpy(), r.numpy())
    full = md.linalg.svd(a)
    assert [tuple(x.shape) for x in full] == [(2, 4, 4), (2, 3), (2, 3, 3)] and full.Vh is full[2]
    reduced = md.linalg.svd(a, full_matrices=False)
    assert [tuple(x.shape) for x in reduced] == [(2, 4, 3), (2, 3), (2, 3, 3)]
    np.testing.assert_allclose((reduced.U * reduced.S.unsqueeze(-2) @ reduced.Vh).numpy(), a.numpy(), atol=1e-5)
    eig = md.linalg.eigh(t(spd(3)))
    assert type(eig).__name__ == "linalg_eigh" and tuple(eig.eigenvectors.shape) == (3, 3)
    sign, logabsdet = md.slogdet(t([[0.0, 2.0], [3.0, 0.0]]))
    assert sign.item() == -1.0 and logabsdet.item() == pytest.approx(math.log(6.0))
    assert md.linalg.slogdet(t(SINGULAR)).logabsdet.item() == -math.inf


def test_old_svd_gives_v_not_vh():
    a = RNG.standard_normal((4, 3))
    u, s, v = md.svd(t(a))
    np.testing.assert_allclose((u.numpy() * s.numpy()) @ v.numpy().T, a, atol=1e-5)
    assert tuple(md.svd(t(a), some=False).U.shape) == (4, 4)
    no_uv = md.svd(t(a), compute_uv=False)
    assert tuple(no_uv.U.shape) == (4, 4) and tuple(no_uv.V.shape) == (3, 3) and not no_uv.U.numpy().any()
    q, r = md.qr(t(a), some=False)
    assert tuple(q.shape) == (4, 4) and tuple(r.shape) == (4, 3)


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
def test_lstsq_fields_follow_the_driver(driver):
    """What each of PyTorch's drivers fills in: gelsy (the default) the rank, gels the residuals, gelsd and gelss
    everything; the rest are empty tensors."""
    a, b = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    x, residuals, rank, s = np.linalg.lstsq(a, b)
    result = md.linalg.lstsq(t(a, md.float64), t(b, md.float64), driver=driver)
    np.testing.assert_allclose(result.solution.numpy(), x, rtol=1e-10)
    if driver in ("gels", "gelsd", "gelss"):
        np.testing.assert_allclose(result.residuals.numpy(), residuals, rtol=1e-10)
    else:
        assert tuple(result.residuals.shape) == (0,) and result.residuals.dtype == md.float64
    assert result.rank.dtype == md.int64
    assert result.rank.tolist() == ([] if driver == "gels" else rank)
    if driver in ("gelsd", "gelss"):
        np.testing.assert_allclose(result.singular_values.numpy(), s, rtol=1e-10)
    else:
        assert tuple(result.singular_values.shape) == (0,)
    wide = md.linalg.lstsq(t(a.T, md.float64), t(b[:3], md.float64), driver=driver)
    assert tuple(wide.residuals.shape) == (0,)  # m < n: an exact solution, no residual
    np.testing.assert_allclose(wide.solution.numpy(), np.linalg.pinv(a.T) @ b[:3], atol=1e-10)
    vector = md.linalg.lstsq(t(a, md.float64), t(b[:, 0], md.float64), driver=driver)
    assert tuple(vector.solution.shape) == (3,)
    assert tuple(vector.residuals.shape) == ((1,) if driver in ("gels", "gelsd", "gelss") else (0,))


def test_lstsq_of_a_rank_deficient_matrix_is_the_smallest_solution():
    a = RNG.standard_normal((5, 2)) @ RNG.standard_normal((2, 3))  # rank 2: many X reach the least error
    b = RNG.standard_normal((5, 2))
    for driver in (None, "gelsd", "gelss"):
        result = md.linalg.lstsq(t(a, md.float64), t(b, md.float64), driver=driver)
        np.testing.assert_allclose(result.solution.numpy(), np.linalg.pinv(a) @ b, atol=1e-10)
        assert result.rank.item() == 2
    assert md.linalg.lstsq(t(a, md.float64), t(b, md.float64), rcond=0.99).rank.item() == 1


# ---------------------------------------------------------------------------------- what is read, and values

def test_cholesky_and_eigh_read_one_triangle():
    a = spd(3)
    junk_above = a + np.triu(RNG.standard_normal((3, 3)), 1)
    np.testing.assert_allclose(md.cholesky(t(junk_above)).numpy(), np.linalg.cholesky(a), rtol=1e-5)
    np.testing.assert_allclose(md.cholesky(t(a), upper=True).numpy(), np.linalg.cholesky(a).T, rtol=1e-5)
    np.testing.assert_allclose(md.linalg.eigvalsh(t(junk_above)).numpy(), np.linalg.eigvalsh(a), rtol=1e-5)
    junk_below = a + np.tril(RNG.standard_normal((3, 3)), -1)
    np.testing.assert_allclose(md.linalg.eigvalsh(t(junk_below), UPLO="U").numpy(), np.linalg.eigvalsh(a),
                               rtol=1e-5)


def test_triangular_solves_read_their_triangle():
    a, b = RNG.standard_normal((3, 3)) + 4 * np.eye(3), RNG.standard_normal((3, 2))
    lower = md.linalg.solve_triangular(t(a), t(b), upper=False)
    np.testing.assert_allclose(lower.numpy(), np.linalg.solve(np.tril(a), b), rtol=1e-4)
    unit = md.linalg.solve_triangular(t(a), t(b), upper=True, unitriangular=True)
    np.testing.assert_allclose(unit.numpy(), np.linalg.solve(np.triu(a, 1) + np.eye(3), b), rtol=1e-4)
    solution, coefficient = md.triangular_solve(t(b), t(a))
    np.testing.assert_allclose(solution.numpy(), np.linalg.solve(np.triu(a), b), rtol=1e-4)
    assert np.array_equal(coefficient.numpy(), t(a).numpy())
    L = np.linalg.cholesky(spd(3))
    np.testing.assert_allclose(md.cholesky_solve(t(b), t(L.T), upper=True).numpy(),
                               np.linalg.solve(L @ L.T, b), rtol=1e-4)


def test_solve_vector_rule_and_right_side():
    a, b = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3), RNG.standard_normal((2, 3))
    x = md.linalg.solve(t(a), t(b))  # b (2, 3) is A's shape without the last dim: a batch of vectors
    assert tuple(x.shape) == (2, 3)
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a, b[..., None])[..., 0], rtol=1e-4)
    c = RNG.standard_normal((3, 3))  # c (3, 3) broadcasts as a matrix of right-hand sides
    assert tuple(md.linalg.solve(t(a), t(c)).shape) == (2, 3, 3)
    right = md.linalg.solve(t(a), t(c), left=False)
    np.testing.assert_allclose(right.numpy() @ a, np.broadcast_to(c, (2, 3, 3)), atol=1e-4)


def test_logdet_matrix_power_pinv_and_rank_values():
    assert math.isnan(md.logdet(t([[0.0, 1.0], [1.0, 0.0]])).item())  # det -1: no real logarithm
    assert md.logdet(md.zeros(2, 2)).item() == -math.inf
    a = t([[1, 1], [0, 1]])
    assert md.matrix_power(a, 5).tolist() == [[1, 5], [0, 1]] and md.matrix_power(a, 0).tolist() == [[1, 0], [0, 1]]
    assert md.matrix_power(a, 1) is not a and md.matrix_power(a, 1).tolist() == a.tolist()
    np.testing.assert_allclose(md.matrix_power(t([[2.0, 0.0], [0.0, 4.0]]), -2).numpy(), [[0.25, 0], [0, 1 / 16]])
    low_rank = RNG.standard_normal((4, 2)) @ RNG.standard_normal((2, 5))
    p = md.linalg.pinv(t(low_rank, md.float64)).numpy()
    np.testing.assert_allclose(low_rank @ p @ low_rank, low_rank, atol=1e-10)  # a Penrose condition
    assert md.linalg.matrix_rank(t(low_rank)).item() == 2
    assert md.linalg.matrix_rank(t(np.diag([3.0, 1.0, 0.1])), atol=0.5).item() == 2
    assert md.linalg.matrix_rank(t(np.diag([3.0, -1.0, 0.0])), hermitian=True).item() == 2
    assert md.linalg.matrix_rank(md.zeros(2, 0, 0)).tolist() == [0, 0]
    np.testing.assert_allclose(md.pinverse(t(np.diag([2.0, 1e-20]), md.float64)).numpy(), np.diag([0.5, 0.0]))


# ----------------------------------------------------------------------------------------------- gradients

def test_grad_fn_names_follow_pytorch():
    a = t(spd(2), md.float64, requires_grad=True)
    assert md.linalg.cholesky(a).grad_fn.name() == "LinalgCholeskyExBackward0"
    assert md.linalg.svd(a).S.grad_fn.name() == md.linalg.svdvals(a).grad_fn.name() == "LinalgSvdBackward0"
    assert md.linalg.eigh(a).eigenvalues.grad_fn.name() == "LinalgEighBackward0"
    assert md.linalg.solve(a, md.ones(2, 1, dtype=md.float64)).grad_fn.name() == "LinalgSolveExBackward0"
    assert md.linalg.pinv(a).grad_fn.name() == "LinalgPinvBackward0"


def test_no_gradient_where_pytorch_has_none():
    a = t(RNG.standard_normal((4, 2)), md.float64, requires_grad=True)
    q, r = md.linalg.qr(a, mode="complete")
    with pytest.raises(OpError, match=r"not differentiable when mode='complete' and nrows > ncols"):
        (q.sum() + r.sum()).backward()
    assert md.linalg.matrix_rank(a).requires_grad is False


def test_full_svd_of_a_rectangle_ignores_the_extra_singular_vectors():
    a = RNG.standard_normal((4, 2))
    full = t(a, md.float64, requires_grad=True)
    u, s, vh = md.linalg.svd(full)
    (u * u).sum().backward()  # U's last two columns are any basis of what A leaves out
    reduced = t(a, md.float64, requires_grad=True)
    u, s, vh = md.linalg.svd(reduced, full_matrices=False)
    (u * u).sum().backward()
    np.testing.assert_allclose(full.grad.numpy(), reduced.grad.numpy(), atol=1e-12)


def test_repeated_eigenvalues_break_eigenvector_gradients_not_eigenvalue_ones():
    a = t(np.diag([2.0, 2.0, 5.0]), md.float64, requires_grad=True)
    md.linalg.eigvalsh(a).sum().backward()  # d(trace A)/dA = I
    np.testing.assert_allclose(a.grad.numpy(), np.eye(3), atol=1e-12)
    b = t(np.diag([0.0, 3.0, 3.0]), md.float64, requires_grad=True)
    md.linalg.svdvals(b).sum().backward()  # repeated singular values, and a 0 (whose vectors' signs are arbitrary)
    assert np.isfinite(b.grad.numpy()).all()
    np.testing.assert_allclose(b.grad.numpy()[1:, 1:], np.eye(2), atol=1e-12)
    a.grad = None
    w, v = md.linalg.eigh(a)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 between the two eigenvalues 2
        (v * v * md.tensor(RNG.standard_normal((3, 3)))).sum().backward()
    assert not np.isfinite(a.grad.numpy()).all()


# ------------------------------------------------------------------------------------------------ LinAlgError

def test_linalg_error_is_a_runtime_error_and_an_op_error():
    assert issubclass(md.linalg.LinAlgError, RuntimeError) and issubclass(md.linalg.LinAlgError, OpError)
    with pytest.raises(RuntimeError):
        md.linalg.cholesky(-md.eye(2))
    with pytest.raises(OpError):  # the except clauses written before LinAlgError existed still catch it
        md.linalg.inv(md.zeros(2, 2))


@pytest.mark.parametrize("diagonal, order", [([-1.0, 2.0, 3.0], 1), ([1.0, 2.0, 0.0], 3), ([1.0, -2.0, 3.0, 4.0], 2),
                                             ([2.0, 1.0, 1.0, 1.0, 1.0, -1.0, 1.0], 6)])
def test_cholesky_names_the_first_leading_minor_that_is_not_positive_definite(diagonal, order):
    n, k = len(diagonal), order - 1
    rotation = np.eye(n)  # mixing only the first k coordinates keeps the leading minors up to order k positive
    rotation[:k, :k] = np.linalg.qr(RNG.standard_normal((k, k)))[0]
    a = rotation @ np.diag(diagonal) @ rotation.T
    with pytest.raises(md.linalg.LinAlgError, match=rf"the leading minor of order {order} is not positive-definite"):
        md.linalg.cholesky(t(a, md.float64))


@pytest.mark.parametrize("matrix, order", [([[np.nan, 0.0], [0.0, 1.0]], 1), ([[1.0, 0.0], [0.0, np.nan]], 2)])
def test_cholesky_of_a_matrix_holding_nan_is_an_error_not_a_nan_factor(matrix, order):
    """LAPACK lets a NaN pivot through (it is not "not positive"): the factor was NaN, with no error. PyTorch's
    check fails, naming the minor; cholesky_ex reports it in info."""
    with pytest.raises(md.linalg.LinAlgError, match=rf"the leading minor of order {order} is not positive-definite"):
        md.linalg.cholesky(t(matrix, md.float64))
    assert md.linalg.cholesky_ex(t([matrix, np.eye(2)], md.float64)).info.tolist() == [order, 0]


def test_the_jitter_and_retry_loop_of_cholesky_works():
    """Add a little to the diagonal until the factorization succeeds — the usual way with an almost singular
    covariance matrix (here one of rank 1)."""
    K = t([[1.0, 1.0], [1.0, 1.0]], md.float64) - 1e-9 * md.eye(2, dtype=md.float64)
    jitter, tries = 1e-6, 0
    while True:
        try:
            L = md.linalg.cholesky(K)
            break
        except md.linalg.LinAlgError:
            K, jitter, tries = K + jitter * md.eye(2, dtype=md.float64), jitter * 10, tries + 1
    assert tries == 1
    np.testing.assert_allclose((L @ L.T).numpy(), K.numpy(), atol=1e-12)


# ------------------------------------------------------------------------------- norms from singular values, cond

def test_singular_value_norms_and_their_gradients():
    a = np.array([[0.0, 3.0], [-4.0, 0.0], [0.0, 0.0]])  # singular values 4 and 3
    x = t(a, md.float64, requires_grad=True)
    assert md.linalg.matrix_norm(x, 2).item() == pytest.approx(4.0)
    assert md.linalg.norm(x, -2).item() == pytest.approx(3.0)
    nuclear = md.linalg.matrix_norm(x, "nuc")
    assert nuclear.item() == pytest.approx(7.0) and md.norm(x, p="nuc").item() == pytest.approx(7.0)
    nuclear.backward()  # the gradient of Σσ is U V^T: here the signs of a's entries, where they are not 0
    np.testing.assert_allclose(x.grad.numpy(), np.sign(a), atol=1e-12)
    batch = t(RNG.standard_normal((2, 3, 4)))
    assert tuple(md.linalg.matrix_norm(batch, 2, dim=(0, 2)).shape) == (3,)
    assert tuple(md.linalg.matrix_norm(batch, "nuc", dim=(2, 0), keepdim=True).shape) == (1, 3, 1)
    np.testing.assert_allclose(md.linalg.matrix_norm(batch, -2, dim=(0, 2)).numpy(),
                               np.linalg.norm(batch.numpy(), -2, axis=(0, 2)), rtol=1e-5)


def test_cond_values():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    for p in (None, 2, -2, "fro", "nuc", 1, -1, float("inf"), -float("inf")):
        np.testing.assert_allclose(md.linalg.cond(t(a, md.float64), p).item(), np.linalg.cond(a, p), rtol=1e-12)
    wide = RNG.standard_normal((2, 3, 5))  # rectangular: the singular-value conditions only
    np.testing.assert_allclose(md.linalg.cond(t(wide, md.float64)).numpy(), np.linalg.cond(wide), rtol=1e-10)
    singular = t([SINGULAR, np.zeros((2, 2)), a], md.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        assert md.linalg.cond(singular, "fro").tolist()[:2] == [math.inf, math.inf]  # (0 · inf for 0, too)
        assert md.linalg.cond(singular, 1).tolist()[2] == pytest.approx(np.linalg.cond(a, 1))
        assert math.isnan(md.linalg.cond(singular).tolist()[1])  # 0 / 0
    assert md.linalg.cond(md.zeros(3, 0, 0)).tolist() == [0.0, 0.0, 0.0]


# ------------------------------------------------------------------------------------------------ matrix_exp

def test_matrix_exp_values():
    assert md.matrix_exp(t([[0.0, 1.0], [0.0, 0.0]])).tolist() == [[1.0, 1.0], [0.0, 1.0]]  # I + N, as N^2 = 0
    np.testing.assert_allclose(md.linalg.matrix_exp(t(np.diag([1.0, -2.0]))).numpy(), np.diag(np.exp([1.0, -2.0])),
                               rtol=1e-6)
    angle = 10.0  # exp of the rotation generator is a rotation (here with 2^5 squarings)
    rotation = md.linalg.matrix_exp(t([[0.0, -angle], [angle, 0.0]], md.float64)).numpy()
    np.testing.assert_allclose(rotation, [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]],
                               atol=1e-13)
    assert md.matrix_exp(md.zeros(2, 3, 3)).tolist() == np.broadcast_to(np.eye(3), (2, 3, 3)).tolist()
    assert md.matrix_exp(md.zeros(0, 0)).shape == (0, 0) and md.matrix_exp(md.eye(2)).dtype == md.float32


def test_matrix_exp_gradient_of_the_trace():
    """d tr(exp(A)) = tr(exp(A) dA), so the gradient of the trace is exp(A)^T."""
    a = t(RNG.standard_normal((3, 3)), md.float64, requires_grad=True)
    out = md.linalg.matrix_exp(a)
    md.trace(out).backward()
    np.testing.assert_allclose(a.grad.numpy(), out.detach().numpy().T, rtol=1e-12)
