"""``linalg.cholesky_ex``, ``inv_ex``, ``solve_ex`` (results with LAPACK's error codes), ``cholesky_inverse`` and
``linalg.diagonal``: values and codes against hand-worked cases and numpy, gradients against central differences,
and everything against PyTorch where it is installed."""
import numpy as np
import pytest

import minidl.eager as T
from minidl import ops

# three symmetric matrices: positive-definite; indefinite (its 2x2 leading minor fails); negative second pivot
CHOLESKY_BATCH = np.array([[[4.0, 2.0], [2.0, 3.0]], [[1.0, 2.0], [2.0, 1.0]], [[2.0, 0.0], [0.0, -1.0]]])
CHOLESKY_INFO = [0, 2, 2]
# singular (elimination meets a zero pivot in column 2), regular, singular in column 1 (a zero first column)
LU_BATCH = np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [1.0, 1.0]], [[0.0, 1.0], [0.0, 3.0]]])
LU_INFO = [2, 0, 1]


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def test_cholesky_ex_reports_the_first_leading_minor_that_is_not_positive_definite(device):
    """On every device (cupy's solver reports a failure only when asked to)."""
    L, info = T.linalg.cholesky_ex(T.tensor(CHOLESKY_BATCH, device=device))
    assert info.dtype == T.int32 and info.tolist() == CHOLESKY_INFO and info.device == L.device == T.device(device)
    L = L.cpu()
    np.testing.assert_allclose(L[0].numpy(), np.linalg.cholesky(CHOLESKY_BATCH[0]), rtol=1e-12)
    assert np.isfinite(L.numpy()).all()     # no meaning where info != 0, but no NaN either
    three = np.array([[-1.0, 0, 0], [0, 2, 0], [0, 0, 3]])
    assert T.linalg.cholesky_ex(T.tensor(three, device=device)).info.item() == 1
    with pytest.raises(T.linalg.LinAlgError, match=r"\(Batch element 1\): .*the leading minor of order 2"):
        T.linalg.cholesky_ex(T.tensor(CHOLESKY_BATCH, device=device), check_errors=True)
    U, info = T.linalg.cholesky_ex(T.tensor(CHOLESKY_BATCH[0]), upper=True)
    np.testing.assert_allclose(U.numpy(), np.linalg.cholesky(CHOLESKY_BATCH[0]).T, rtol=1e-12)
    assert info.shape == () and info.item() == 0
    torch = _torch()
    if torch is not None:
        theirs = torch.linalg.cholesky_ex(torch.tensor(CHOLESKY_BATCH))
        assert theirs.info.tolist() == CHOLESKY_INFO
        np.testing.assert_allclose(L[0].numpy(), theirs.L[0].numpy(), rtol=1e-12)


def test_cholesky_ex_gradient_of_a_good_matrix_is_cholesky_s_even_beside_a_failed_one():
    def factor(x):  # a symmetric positive-definite matrix from x, put beside the indefinite one
        spd = x @ x.mT + 2 * T.eye(2, dtype=T.float64)
        batch = T.stack([spd, T.tensor(CHOLESKY_BATCH[1])])
        return T.linalg.cholesky_ex(batch).L[0]
    x = T.tensor([[0.3, -0.2], [0.5, 0.9]], dtype=T.float64, requires_grad=True)
    assert T.autograd.gradcheck(factor, (x,))
    weights = T.tensor([[1.0, 0.0], [2.0, -3.0]], dtype=T.float64)
    (factor(x) * weights).sum().backward()
    ours = x.grad.numpy()
    x.grad = None
    (T.linalg.cholesky(x @ x.mT + 2 * T.eye(2, dtype=T.float64)) * weights).sum().backward()
    np.testing.assert_allclose(ours, x.grad.numpy(), rtol=1e-12)


def test_inv_ex_and_solve_ex_report_the_first_zero_pivot_and_solve_the_regular_matrices():
    A = T.tensor(LU_BATCH)
    inverse, info = T.linalg.inv_ex(A)
    assert info.dtype == T.int32 and info.tolist() == LU_INFO
    np.testing.assert_allclose(inverse[1].numpy(), np.linalg.inv(LU_BATCH[1]), rtol=1e-12)
    assert np.isfinite(inverse.numpy()).all()
    B = np.arange(6.0).reshape(3, 2, 1)
    result, info = T.linalg.solve_ex(A, T.tensor(B))
    assert info.tolist() == LU_INFO
    np.testing.assert_allclose(result[1].numpy(), np.linalg.solve(LU_BATCH[1], B[1]), rtol=1e-12)
    row = T.linalg.solve_ex(A, T.tensor(B.transpose(0, 2, 1)), left=False).result   # X A = B
    np.testing.assert_allclose(row[1].numpy() @ LU_BATCH[1], B[1].T, rtol=1e-12)
    torch = _torch()
    if torch is not None:
        assert torch.linalg.inv_ex(torch.tensor(LU_BATCH)).info.tolist() == LU_INFO
        assert torch.linalg.solve_ex(torch.tensor(LU_BATCH), torch.tensor(B)).info.tolist() == LU_INFO


def test_inv_ex_and_solve_ex_gradients_match_central_differences():
    A = T.tensor([[2.0, 1.0], [0.5, 3.0]], dtype=T.float64, requires_grad=True)
    B = T.tensor([[1.0], [-2.0]], dtype=T.float64, requires_grad=True)
    assert T.autograd.gradcheck(lambda a: T.linalg.inv_ex(a).inverse, (A,))
    assert T.autograd.gradcheck(lambda a, b: T.linalg.solve_ex(a, b).result, (A, B))


@pytest.mark.parametrize("call, message", [
    (lambda: T.linalg.cholesky_ex(T.tensor(CHOLESKY_BATCH), check_errors=True),
     r"linalg.cholesky_ex: \(Batch element 1\): .*not positive-definite \(the leading minor of order 2"),
    (lambda: T.linalg.inv_ex(T.tensor(LU_BATCH), check_errors=True),
     r"linalg.inv_ex: \(Batch element 0\): The diagonal element 2 is zero"),
    (lambda: T.linalg.solve_ex(T.tensor(LU_BATCH[2]), T.ones(2, 1, dtype=T.float64), check_errors=True),
     r"linalg.solve_ex: The solver failed because the input matrix is singular"),
])
def test_check_errors_raises_what_the_info_would_have_said(call, message):
    with pytest.raises(T.linalg.LinAlgError, match=message):
        call()


def test_check_errors_passes_good_matrices_through():
    L, info = T.linalg.cholesky_ex(T.tensor(CHOLESKY_BATCH[:1]), check_errors=True)
    assert info.tolist() == [0]
    assert T.linalg.inv_ex(T.tensor(LU_BATCH[1]), check_errors=True).info.item() == 0


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse_is_the_inverse_of_the_factored_matrix(upper):
    A = np.array([[4.0, 2.0, 0.6], [2.0, 3.0, 0.4], [0.6, 0.4, 2.0]])
    factor = T.linalg.cholesky(T.tensor(A), upper=upper)
    np.testing.assert_allclose(T.cholesky_inverse(factor, upper=upper).numpy(), np.linalg.inv(A), rtol=1e-12)
    np.testing.assert_allclose(factor.cholesky_inverse(upper=upper).numpy(), np.linalg.inv(A), rtol=1e-12)
    L = T.tensor(np.linalg.cholesky(A), requires_grad=True)
    assert T.autograd.gradcheck(lambda m: T.cholesky_inverse(m.tril()), (L,))
    torch = _torch()
    if torch is not None:
        theirs = torch.cholesky_inverse(torch.tensor(factor.numpy()), upper=upper)
        np.testing.assert_allclose(T.cholesky_inverse(factor, upper=upper).numpy(), theirs.numpy(), rtol=1e-12)


def test_linalg_diagonal_takes_the_last_two_dims_by_default():
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(T.linalg.diagonal(T.tensor(x)).numpy(), np.diagonal(x, axis1=-2, axis2=-1))
    np.testing.assert_array_equal(T.linalg.diagonal(T.tensor(x), offset=1, dim1=0, dim2=2).numpy(),
                                  np.diagonal(x, 1, 0, 2))


def test_the_ex_ops_run_in_graph_mode():
    import minidl.graph as tf
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float64, (None, 2, 2))
        L, info = ops.linalg_cholesky_ex(a)
        inverse, lu_info = ops.linalg_inv_ex(a)
    with tf.Session(graph=graph) as sess:
        L_value, info_value, lu_value = sess.run([L, info, lu_info], {a: CHOLESKY_BATCH})
    assert info_value.tolist() == CHOLESKY_INFO and lu_value.tolist() == [0, 0, 0]
    np.testing.assert_allclose(L_value[0], np.linalg.cholesky(CHOLESKY_BATCH[0]), rtol=1e-12)
