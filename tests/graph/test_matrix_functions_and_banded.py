"""``tf.linalg.expm``, ``logm``, ``sqrtm`` (``tf.matrix_square_root``), ``tridiagonal_solve`` (three formats, with
and without pivoting), ``tridiagonal_matmul`` and ``banded_triangular_solve``: values against numpy and
TF's documented examples, gradients against central differences (float64), the errors."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

RNG = np.random.default_rng(0)


def _spd(batch, n):
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def test_expm_is_the_matrix_exponential():
    a = RNG.standard_normal((2, 3, 3))
    a = a + np.swapaxes(a, -1, -2)                              # symmetric: exp(A) = V diag(exp(w)) V^T
    w, v = np.linalg.eigh(a)
    np.testing.assert_allclose(run(tf.linalg.expm(a)), (v * np.exp(w)[:, None, :]) @ np.swapaxes(v, -1, -2),
                               rtol=1e-12)
    check_gradients(tf.linalg.expm, RNG.standard_normal((3, 3)) / 2)
    with pytest.raises(ValueError, match="square matrices"):
        tf.linalg.expm(np.zeros((2, 3)))


def test_sqrtm_squares_back_and_has_a_gradient():
    a = _spd((2,), 4)
    a[1] += np.triu(RNG.standard_normal((4, 4)), 1)           # not symmetric either
    root = run(tf.linalg.sqrtm(a))
    np.testing.assert_allclose(root @ root, a, rtol=1e-12, atol=1e-12)
    assert (np.linalg.eigvals(root).real > 0).all()            # the principal root
    assert tf.matrix_square_root is tf.linalg.sqrtm
    complex_a = a[0] + 1j * RNG.standard_normal((4, 4))
    complex_root = run(tf.linalg.sqrtm(complex_a))
    np.testing.assert_allclose(complex_root @ complex_root, complex_a, atol=1e-12)
    check_gradients(tf.linalg.sqrtm, _spd((), 3))
    np.testing.assert_array_equal(np.isnan(run(tf.linalg.sqrtm(np.diag([-1.0, 4.0])))), True)  # no real root
    with pytest.raises(tf.errors.InvalidArgumentError, match="singular"):
        run(tf.linalg.sqrtm(tf.placeholder_with_default(np.zeros((2, 2)), [2, 2])))


def test_logm_inverts_expm_on_complex_matrices():
    x = (RNG.standard_normal((2, 3, 3)) + 1j * RNG.standard_normal((2, 3, 3))) / 2   # eigenvalues' angles < pi
    np.testing.assert_allclose(run(tf.linalg.logm(tf.linalg.expm(x))), x, atol=1e-12)
    spd = _spd((), 3)                                          # TF's recipe for a real positive-definite matrix
    log = run(tf.math.real(tf.linalg.logm(tf.cast(spd, tf.complex128))))
    w, v = np.linalg.eigh(spd)
    np.testing.assert_allclose(log, v @ np.diag(np.log(w)) @ v.T, atol=1e-12)
    check_gradients(lambda t: tf.math.real(tf.linalg.logm(tf.cast(t, tf.complex128))), _spd((), 3))
    with pytest.raises(TypeError, match="float64 not in list of allowed values: complex64, complex128"):
        tf.linalg.logm(spd)


def _tridiagonal_case(batch=(2,), m=5):
    diagonals = RNG.standard_normal(batch + (3, m))
    diagonals[..., 1, :] += 4
    dense = np.stack([np.diag(d[0, :-1], 1) + np.diag(d[1]) + np.diag(d[2, 1:], -1)
                      for d in diagonals.reshape(-1, 3, m)]).reshape(batch + (m, m))
    return diagonals, dense


@pytest.mark.parametrize("partial_pivoting", [True, False])
def test_tridiagonal_solve_in_its_three_formats(partial_pivoting):
    diagonals, dense = _tridiagonal_case()
    rhs = RNG.standard_normal((2, 5, 3))
    expected = np.linalg.solve(dense, rhs)
    sequence = (diagonals[:, 0, :-1], diagonals[:, 1], diagonals[:, 2, 1:])      # the M-1 long off-diagonals
    noisy = dense + np.triu(RNG.standard_normal((5, 5)), 2)                      # entries outside: ignored
    for given, layout in ((diagonals, "compact"), (sequence, "sequence"), (noisy, "matrix")):
        got = run(tf.linalg.tridiagonal_solve(given, rhs, diagonals_format=layout, partial_pivoting=partial_pivoting))
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    vector = run(tf.linalg.tridiagonal_solve(diagonals, rhs[..., 0]))                # [..., M] right-hand sides
    np.testing.assert_allclose(vector, expected[..., 0], rtol=1e-10, atol=1e-12)
    transposed = run(tf.linalg.tridiagonal_solve(diagonals, np.swapaxes(rhs, -1, -2), transpose_rhs=True))
    np.testing.assert_allclose(transposed, expected, rtol=1e-10, atol=1e-12)
    check_gradients(lambda d, b: tf.linalg.tridiagonal_solve(d, b, partial_pivoting=partial_pivoting),
                    diagonals[0], rhs[0])


def test_tridiagonal_solve_pivoting_matters_for_a_zero_pivot():
    diagonals = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0]])   # [[0,1,0],[1,1,1],[0,1,1]]
    rhs = np.array([[1.0], [2.0], [3.0]])
    dense = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    np.testing.assert_allclose(run(tf.linalg.tridiagonal_solve(diagonals, rhs)), np.linalg.solve(dense, rhs))
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.linalg.tridiagonal_solve(diagonals, rhs, partial_pivoting=False))


def test_tridiagonal_errors():
    with pytest.raises(ValueError, match="Expected 3 diagonals got 2"):
        tf.linalg.tridiagonal_solve(np.ones((2, 4)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="Unrecognized diagonals_format: banded"):
        tf.linalg.tridiagonal_solve(np.ones((3, 4)), np.ones((4, 1)), diagonals_format="banded")
    with pytest.raises(ValueError, match="Expected diagonals to be a sequence of length 3"):
        tf.linalg.tridiagonal_solve([np.ones(4)] * 2, np.ones((4, 1)), diagonals_format="sequence")
    with pytest.raises(ValueError, match="Expected superdiag to be have length 4 or 3, got 2"):
        tf.linalg.tridiagonal_solve((np.ones(2), np.ones(4), np.ones(3)), np.ones((4, 1)),
                                    diagonals_format="sequence")
    with pytest.raises(ValueError, match="Expected batch dimensions of diagonals to be same as those of rhs"):
        tf.linalg.tridiagonal_solve(np.ones((2, 3, 4)), np.ones((3, 4, 1)))


def test_tridiagonal_matmul():
    diagonals, dense = _tridiagonal_case()
    rhs = RNG.standard_normal((2, 5, 2))
    np.testing.assert_allclose(run(tf.linalg.tridiagonal_matmul(diagonals, rhs)), dense @ rhs, rtol=1e-12)
    np.testing.assert_allclose(run(tf.linalg.tridiagonal_matmul(dense, rhs, diagonals_format="matrix")), dense @ rhs,
                               rtol=1e-12)
    check_gradients(tf.linalg.tridiagonal_matmul, diagonals[0], rhs[0])
    d = tf.constant(diagonals)
    grad = run(tf.gradients(tf.reduce_sum(tf.linalg.tridiagonal_matmul(d, rhs)), d)[0])
    assert (grad[:, 0, -1] == 0).all() and (grad[:, 2, 0] == 0).all()      # the entries the format ignores


def test_banded_triangular_solve_with_tf_documented_layouts():
    lower_bands = [[2.0, 3.0, 4.0], [1.0, 2.0, 3.0]]                 # TF's example: the 1.0 is not used
    np.testing.assert_allclose(run(tf.linalg.banded_triangular_solve(lower_bands, tf.ones([3, 1])))[:, 0],
                               [0.5, 0.0, 0.25])
    upper_bands = np.array([[2.0, 3.0, 4.0, 5.0], [-1.0, -2.0, -3.0, -4.0]])   # the 5.0 is not used
    upper = np.diag(upper_bands[1]) + np.diag(upper_bands[0, :3], 1)
    rhs = RNG.standard_normal((3, 4, 2))                             # batch dims broadcast
    np.testing.assert_allclose(run(tf.linalg.banded_triangular_solve(upper_bands, rhs, lower=False)),
                               np.linalg.solve(upper, rhs), rtol=1e-12)
    np.testing.assert_allclose(run(tf.linalg.banded_triangular_solve(upper_bands, rhs, lower=False, adjoint=True)),
                               np.linalg.solve(upper.T, rhs), rtol=1e-12)
    bands = RNG.standard_normal((3, 4))
    bands[0] += 3
    check_gradients(lambda b, r: tf.linalg.banded_triangular_solve(b, r), bands, rhs[0])
    with pytest.raises(ValueError, match="at least 2-D"):
        tf.linalg.banded_triangular_solve([1.0, 2.0], np.ones((2, 1)))
