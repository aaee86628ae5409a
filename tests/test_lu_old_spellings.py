"""The old LU spellings ``torch.lu(A, pivot, get_infos)`` and ``torch.lu_solve(b, LU_data, LU_pivots)`` (and their
tensor methods): the same values and gradients as PyTorch's, which are ``linalg.lu_factor(_ex)`` and
``linalg.lu_solve`` with the arguments in another order."""
import warnings

import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import check_gradient

torch = pytest.importorskip("torch")

rng = np.random.default_rng(3)
A = rng.standard_normal((2, 4, 4))
B = rng.standard_normal((2, 4, 3))


def _torch_quietly(fn):
    with warnings.catch_warnings():  # (PyTorch warns that these names are deprecated)
        warnings.simplefilter("ignore", UserWarning)
        return fn()


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 5), (5, 2)])
@pytest.mark.parametrize("get_infos", [False, True])
def test_lu_matches_torch(shape, get_infos):
    a = rng.standard_normal(shape)
    ours = T.lu(T.tensor(a), get_infos=get_infos)
    theirs = _torch_quietly(lambda: torch.lu(torch.tensor(a), get_infos=get_infos))
    assert len(ours) == len(theirs) == (3 if get_infos else 2)
    for o, t in zip(ours, theirs):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12, atol=1e-12)
    if get_infos:
        assert ours.info is ours[2]


def test_lu_accepts_a_singular_matrix_and_reports_it_in_infos():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    LU, pivots = T.lu(T.tensor(singular))  # no error, as in PyTorch
    np.testing.assert_allclose(LU.numpy(), [[2.0, 4.0], [0.5, 0.0]])
    assert T.lu(T.tensor(singular), get_infos=True).info.item() == 2
    with pytest.raises(T.linalg.LinAlgError, match="lu_factor.*zero"):
        T.linalg.lu_factor(T.tensor(singular))


def test_lu_gradient_matches_torch():
    weights = rng.standard_normal(A.shape)
    check_gradient(lambda L, x: (_torch_quietly(lambda: L.lu(x))[0] * L.tensor(weights)).sum(), A)


def test_lu_solve_solves_and_its_gradients_match_torch():
    LU, pivots = T.lu(T.tensor(A))
    x = T.lu_solve(T.tensor(B), LU, pivots)
    np.testing.assert_allclose(A @ x.numpy(), B, atol=1e-12)
    assert T.equal(T.tensor(B).lu_solve(LU, pivots), x)
    torch_pivots = torch.tensor(pivots.numpy())
    weights = rng.standard_normal(B.shape)
    check_gradient(lambda L, b: (_torch_quietly(lambda: L.lu_solve(
        b, L.tensor(LU.numpy()), torch_pivots if L is torch else pivots)) * L.tensor(weights)).sum(), B)
    check_gradient(lambda L, lu: (_torch_quietly(lambda: L.lu_solve(
        L.tensor(B), lu, torch_pivots if L is torch else pivots)) * L.tensor(weights)).sum(), LU.numpy())


def test_lu_method_and_unpack():
    LU, pivots = T.tensor(A).lu()
    P, L, U = T.lu_unpack(LU, pivots)
    np.testing.assert_allclose((P @ L @ U).numpy(), A, atol=1e-12)


def test_lu_solve_errors_name_the_op():
    LU, pivots = T.lu(T.tensor(A))
    with pytest.raises(ValueError, match="lu_solve.*Incompatible shapes"):
        T.lu_solve(T.tensor(rng.standard_normal((2, 3, 1))), LU, pivots)
    with pytest.raises(TypeError, match="pivots.*int32"):
        T.lu_solve(T.tensor(B), LU, pivots.long())
