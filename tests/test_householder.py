"""``geqrf``, ``linalg.householder_product`` (``orgqr``) and ``ormqr`` beyond the op table (specs_householder.py):
the round trip A = Q R, complex matrices against PyTorch, the empty product, and the errors."""
import numpy as np
import pytest

import minidl.eager as T

rng = np.random.default_rng(11)


@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 4), (3, 5)])
def test_geqrf_round_trip(shape):
    a = rng.standard_normal(shape)
    packed, tau = T.geqrf(T.tensor(a))
    m, n = shape[-2:]
    k = min(m, n)
    assert tau.shape == shape[:-2] + (k,)
    R = packed.triu()[..., :k, :]
    if m >= n:
        Q = T.linalg.householder_product(packed, tau)
        np.testing.assert_allclose((Q.mT @ Q).numpy(), np.broadcast_to(np.eye(n), Q.shape[:-2] + (n, n)), atol=1e-12)
        np.testing.assert_allclose((Q @ R).numpy(), a, atol=1e-12)
    R_padded = T.cat([R, T.zeros(shape[:-2] + (m - k, n), dtype=T.float64)], -2)
    np.testing.assert_allclose(T.ormqr(packed, tau, R_padded).numpy(), a, atol=1e-12)  # Q [R; 0] = A


def test_complex_values_and_gradients_match_torch():
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))
    c = rng.standard_normal((4, 2)) + 1j * rng.standard_normal((4, 2))
    weights = rng.standard_normal((4, 2)) + 1j * rng.standard_normal((4, 2))
    packed, tau = torch.geqrf(torch.tensor(a))
    ours = T.geqrf(T.tensor(a))
    np.testing.assert_allclose(ours[0].numpy(), packed.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours[1].numpy(), tau.numpy(), atol=1e-12)
    grads = []
    for lib in (T, torch):
        x, t = lib.tensor(packed.numpy(), requires_grad=True), lib.tensor(tau.numpy(), requires_grad=True)
        out = lib.ormqr(x, t, lib.tensor(c), True, True)
        (out * lib.tensor(weights)).real.sum().backward()
        grads.append((out.detach().numpy(), x.grad.numpy(), t.grad.numpy()))
    for ours_, theirs in zip(*grads):
        np.testing.assert_allclose(ours_, theirs, atol=1e-12)


def test_no_reflections_give_the_identity_columns():
    q = T.linalg.householder_product(T.tensor(rng.standard_normal((2, 4, 3))), T.zeros(2, 0, dtype=T.float64))
    np.testing.assert_array_equal(q.numpy(), np.broadcast_to(np.eye(4, 3), (2, 4, 3)))
    c = T.tensor(rng.standard_normal((4, 2)))
    assert T.equal(T.ormqr(T.zeros(4, 3, dtype=T.float64), T.zeros(0, dtype=T.float64), c), c)


def test_geqrf_has_no_gradient():
    x = T.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    packed, tau = T.geqrf(x)
    with pytest.raises(NotImplementedError, match="derivative for 'geqrf' is not implemented"):
        (packed.sum() + tau.sum()).backward()


def test_methods():
    a = T.tensor(rng.standard_normal((4, 3)))
    packed, tau = a.geqrf()
    assert T.equal(packed.orgqr(tau), T.orgqr(packed, tau))
    c = T.tensor(rng.standard_normal((2, 4)))
    assert T.equal(packed.ormqr(tau, c, False, True), T.ormqr(packed, tau, c, left=False, transpose=True))


F64 = T.float64


@pytest.mark.parametrize("call, error, match", [
    (lambda: T.geqrf(T.zeros(3)), ValueError, "geqrf.*at least 2 dimensions"),
    (lambda: T.geqrf(T.zeros(3, 3, dtype=T.int64)), TypeError, "geqrf"),
    (lambda: T.linalg.householder_product(T.zeros(2, 3, dtype=F64), T.zeros(2, dtype=F64)), ValueError,
     r"householder_product: input.shape\[-2\] must be greater than or equal to input.shape\[-1\]"),
    (lambda: T.linalg.householder_product(T.zeros(3, 2, dtype=F64), T.zeros(3, dtype=F64)), ValueError,
     "householder_product: tau.shape.* = 3 reflections"),
    (lambda: T.linalg.householder_product(T.zeros(3, 2, dtype=F64), T.zeros(2)), TypeError,
     "householder_product: tau dtype float32 does not match input dtype float64"),
    (lambda: T.linalg.householder_product(T.zeros(2, 3, 2, dtype=F64), T.zeros(3, 2, dtype=F64)), ValueError,
     r"householder_product: Expected batch dimensions of tau to be equal to input.shape\[:-2\]"),
    (lambda: T.ormqr(T.zeros(3, 2, dtype=F64), T.zeros(2, dtype=F64), T.zeros(2, 2, dtype=F64)), ValueError,
     r"ormqr: other.shape\[-2\] must be equal to input.shape\[-2\] = 3"),
    (lambda: T.ormqr(T.zeros(3, 2, dtype=F64), T.zeros(2, dtype=F64), T.zeros(2, 2, dtype=F64), left=False),
     ValueError, r"ormqr: other.shape\[-1\] must be equal to input.shape\[-2\] = 3"),
    (lambda: T.ormqr(T.zeros(3, 2, dtype=F64), T.zeros(2, dtype=F64), T.zeros(2, 3, 3, dtype=F64)), ValueError,
     "ormqr: Expected other to have the same number of dimensions as input"),
    (lambda: T.ormqr(T.zeros(2, 3, 2, dtype=F64), T.zeros(2, 2, dtype=F64), T.zeros(3, 3, 3, dtype=F64)),
     ValueError, "ormqr: Expected batch dimensions of other"),
    (lambda: T.ormqr(T.zeros(3, 2, dtype=F64), T.zeros(2, dtype=F64), T.zeros(3, 3)), TypeError,
     "ormqr: other dtype float32 does not match input dtype float64"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
