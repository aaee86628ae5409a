"""TF1's factorizations and solvers (linalg_ops.py): tf.cholesky, tf.qr, tf.svd, tf.self_adjoint_eig, the matrix
solves, slogdet/logdet, pinv, matrix_rank, cross and band_part — values against numpy, TF's argument conventions,
static shapes, gradients against central differences, and TF's errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(3)


def spd(n, batch=()):
    m = RNG.standard_normal(batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def symmetrized(x):
    return (x + tf.matrix_transpose(x)) / 2


def test_cholesky_and_its_log_determinant_gradient():
    a = spd(3, (2,))
    np.testing.assert_allclose(run(tf.cholesky(a)), np.linalg.cholesky(a), rtol=1e-10)
    assert tf.linalg.cholesky is tf.cholesky and tf.cholesky(a, name="chol").name == "chol:0"
    np.testing.assert_allclose(run(tf.linalg.logdet(a)), np.linalg.slogdet(a)[1], rtol=1e-10)
    x = tf.placeholder(tf.float64, [3, 3])
    grad, = tf.gradients(tf.linalg.logdet(symmetrized(x)), x)
    np.testing.assert_allclose(run(grad, {x: a[0]}), np.linalg.inv(a[0]), rtol=1e-8)  # d log det A = A^-1
    check_gradients(lambda m: tf.linalg.logdet(symmetrized(m)), a[0])
    check_gradients(lambda m: tf.cholesky(symmetrized(m)), a[1])
    b = RNG.standard_normal((3, 2))
    np.testing.assert_allclose(run(tf.linalg.cholesky_solve(np.linalg.cholesky(a[0]), b)), np.linalg.solve(a[0], b),
                               rtol=1e-8)


def test_qr_and_svd_follow_tf_conventions():
    a = RNG.standard_normal((2, 5, 3))
    q, r = tf.qr(a)
    assert q.shape == (2, 5, 3) and r.shape == (2, 3, 3)
    np.testing.assert_allclose(run(tf.matmul(q, r)), a, atol=1e-12)
    q, r = tf.linalg.qr(a, full_matrices=True)
    assert q.shape == (2, 5, 5) and r.shape == (2, 5, 3)
    s, u, v = tf.svd(a)  # TF's order, and v (not v^H): a = u diag(s) v^T
    assert (s.shape, u.shape, v.shape) == ((2, 3), (2, 5, 3), (2, 3, 3))
    s_, u_, v_ = run([s, u, v])
    np.testing.assert_allclose(u_ * s_[:, None, :] @ np.swapaxes(v_, -1, -2), a, atol=1e-12)
    np.testing.assert_allclose(run(tf.svd(a, compute_uv=False)), np.linalg.svd(a, compute_uv=False), rtol=1e-12)
    assert tf.linalg.svd(a, full_matrices=True)[1].shape == (2, 5, 5)
    check_gradients(lambda m: tf.svd(m, compute_uv=False), a[0])
    check_gradients(lambda m: tf.qr(m)[1], a[0])


def test_self_adjoint_eig_reads_the_lower_triangle():
    a = spd(3)
    e, v = tf.self_adjoint_eig(a + np.triu(np.ones((3, 3)), 1))  # the upper triangle is not read
    np.testing.assert_allclose(run(e), np.linalg.eigvalsh(a), rtol=1e-10)
    np.testing.assert_allclose(np.abs(run(v)), np.abs(np.linalg.eigh(a)[1]), rtol=1e-8)
    assert tf.linalg.eigh is tf.self_adjoint_eig and tf.linalg.eigvalsh is tf.self_adjoint_eigvals
    np.testing.assert_allclose(run(tf.self_adjoint_eigvals(a)), np.linalg.eigvalsh(a), rtol=1e-10)
    check_gradients(lambda m: tf.self_adjoint_eigvals(symmetrized(m)), a)


def test_self_adjoint_eig_differentiates_the_lower_triangle_it_reads():
    """TF's gradient of a raw (not symmetrized) matrix: the derivative with respect to the entries read, lower
    triangular — not the symmetric matrix PyTorch's convention gives — so central differences agree with it."""
    raw = spd(3) + np.triu(RNG.standard_normal((3, 3)), 1)
    check_gradients(tf.self_adjoint_eigvals, raw)
    check_gradients(lambda m: tf.abs(tf.self_adjoint_eig(m)[1]), raw)  # (|v|: the sign of each vector is free)


def test_hermitian_matrices_have_eigenvalues_of_their_dtype_and_a_cholesky_factor():
    """TF's SelfAdjointEigV2 outputs e of the input's dtype: complex numbers with imaginary parts 0."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 3)) + 1j * rng.normal(size=(2, 3, 3))
    hermitian = x @ np.conj(np.swapaxes(x, -1, -2)) + 2 * np.eye(3)
    e, v = tf.linalg.eigh(hermitian)
    assert e.dtype == tf.complex128 and tf.linalg.eigvalsh(hermitian).dtype == tf.complex128
    e_value, v_value, l_value = run([e, v, tf.cholesky(hermitian)])
    np.testing.assert_allclose(e_value, np.linalg.eigvalsh(hermitian), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(v_value @ (e_value[..., None] * np.conj(np.swapaxes(v_value, -1, -2))), hermitian,
                               atol=1e-10)
    np.testing.assert_allclose(l_value, np.linalg.cholesky(hermitian), atol=1e-12)


def test_log_determinant_of_complex_matrices_has_their_dtype():
    """TF's LogMatrixDeterminant outputs both parts in the input's dtype; the gradient is minidl's slogdet's."""
    x = RNG.standard_normal((2, 3, 3)) + 1j * RNG.standard_normal((2, 3, 3))
    matrix = tf.constant(x)
    sign, log_abs = tf.linalg.slogdet(matrix)
    assert sign.dtype == log_abs.dtype == tf.complex128
    expected = np.linalg.slogdet(x)
    sign_value, log_abs_value = run([sign, log_abs])
    np.testing.assert_allclose(sign_value, expected[0], rtol=1e-12)
    np.testing.assert_allclose(log_abs_value, expected[1] + 0j, rtol=1e-12)


def test_matrix_solves():
    a, b = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3), RNG.standard_normal((2, 3, 2))
    np.testing.assert_allclose(run(tf.matrix_solve(a, b)), np.linalg.solve(a, b), rtol=1e-10)
    np.testing.assert_allclose(run(tf.linalg.solve(a, b, adjoint=True)),
                               np.linalg.solve(np.swapaxes(a, -1, -2), b), rtol=1e-10)
    lower = run(tf.matrix_triangular_solve(a, b))
    np.testing.assert_allclose(lower, np.linalg.solve(np.tril(a), b), rtol=1e-10)
    upper_adjoint = run(tf.linalg.triangular_solve(a, b, lower=False, adjoint=True))
    np.testing.assert_allclose(upper_adjoint, np.linalg.solve(np.swapaxes(np.triu(a), -1, -2), b), rtol=1e-10)
    tall, rhs = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    np.testing.assert_allclose(run(tf.matrix_solve_ls(tall, rhs)), np.linalg.lstsq(tall, rhs)[0], rtol=1e-10)
    ridge = np.linalg.solve(tall.T @ tall + 0.5 * np.eye(3), tall.T @ rhs)
    np.testing.assert_allclose(run(tf.linalg.lstsq(tall, rhs, l2_regularizer=0.5)), ridge, rtol=1e-10)
    wide_ridge = tall[:2].T @ np.linalg.solve(tall[:2] @ tall[:2].T + 0.5 * np.eye(2), rhs[:2])
    np.testing.assert_allclose(run(tf.matrix_solve_ls(tall[:2], rhs[:2], l2_regularizer=0.5)), wide_ridge,
                               rtol=1e-10)
    check_gradients(tf.matrix_solve, a[0], b[0])
    check_gradients(lambda m, r: tf.matrix_triangular_solve(m, r, adjoint=True), a[0], b[0])


def test_determinants_pinv_rank_cross_and_band_part():
    a = RNG.standard_normal((2, 3, 3))
    sign, logabsdet = tf.linalg.slogdet(a)
    assert tf.log_matrix_determinant is tf.linalg.slogdet
    np.testing.assert_allclose(run(sign) * np.exp(run(logabsdet)), np.linalg.det(a), rtol=1e-10)
    np.testing.assert_allclose(run(tf.linalg.pinv(a[0, :, :2])), np.linalg.pinv(a[0, :, :2]), rtol=1e-10)
    low_rank = RNG.standard_normal((4, 2)) @ RNG.standard_normal((2, 3))
    assert run(tf.linalg.matrix_rank(low_rank)) == 2 and tf.linalg.matrix_rank(low_rank).dtype == tf.int64
    u, w = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    np.testing.assert_allclose(run(tf.cross(u, w)), np.cross(u, w), rtol=1e-12)
    assert tf.linalg.cross is tf.cross
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(run(tf.matrix_band_part(x, 1, 0)), np.tril(x) - np.tril(x, -2))
    np.testing.assert_array_equal(run(tf.linalg.band_part(x, 0, -1)), np.triu(x))
    np.testing.assert_array_equal(run(tf.linalg.band_part(x, -1, -1, name="all")), x)
    assert tf.linalg.band_part(x, -1, -1, name="all2").name == "all2:0"
    check_gradients(lambda m: tf.linalg.slogdet(m)[1], a[0])
    check_gradients(lambda m: tf.matrix_band_part(m, 1, 1), a[0])


def test_static_shapes_with_unknown_batch_dims():
    x = tf.placeholder(tf.float32, [None, 4, 3])
    s, u, v = tf.svd(x)
    assert (s.shape.as_list(), u.shape.as_list(), v.shape.as_list()) == ([None, 3], [None, 4, 3], [None, 3, 3])
    q, r = tf.qr(x)
    assert q.shape.as_list() == [None, 4, 3] and r.shape.as_list() == [None, 3, 3]
    assert tf.linalg.pinv(x).shape.as_list() == [None, 3, 4]
    solution = tf.matrix_solve(tf.placeholder(tf.float32, [None, 3, 3]), tf.placeholder(tf.float32, [5, 3, 2]))
    assert solution.shape.as_list() == [5, 3, 2]
    e, vectors = tf.self_adjoint_eig(tf.placeholder(tf.float32, [2, None, None]))
    assert e.shape.as_list() == [2, None] and vectors.shape.as_list() == [2, None, None]


def test_errors():
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.cholesky(np.eye(2, dtype=np.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not positive-definite"):
        run(tf.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="singular"):
        run(tf.matrix_solve(np.zeros((2, 2)), np.ones((2, 1))))
    with pytest.raises(ValueError, match="Shape must be at least rank 2"):
        tf.matrix_solve(np.eye(2), np.ones(2))
    with pytest.raises(TypeError, match="Input 'rhs' of 'MatrixSolve' Op has type float32 that does not match type "
                                        "float64"):
        tf.matrix_solve(np.eye(2), tf.ones([2, 1]))
    with pytest.raises(ValueError, match="linalg.cross: inputs dimension -1 must have length 3"):
        tf.cross(np.ones(2), np.ones(2))
