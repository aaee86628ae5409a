"""What session 23's numerics sweeps against PyTorch 2.13 found, each fixed: float16 normalization statistics,
NaN in the 0-norm, integer operands of atan2 (and gammainc), silent means of nothing, all/any over no dim,
gradients of max/min/maximum/minimum at NaN, and the negative norms of nothing. Expected values come from numpy
or mpmath where they can, and from PyTorch (skipped when it is absent)."""
import math
import warnings

import mpmath
import numpy as np
import pytest

import minidl.eager as T
import minidl.graph as tf
from minidl.backend.float_errors import silence_numpy_float_warnings

nan = math.nan


# ------------------------------------------------------------------------------- float16 normalization

def _spread_half(shape, scale, seed=0):
    """float16 activations spreading far from their mean: their squares overflow float16 (past 65504)."""
    return (np.random.RandomState(seed).randn(*shape) * scale).astype(np.float16)


_NORMS = {  # (L, x, w, b) -> the normalized output; x is (N, C, 6), w and b (C,) = (6,)
    "layer_norm": lambda L, x, w, b: L.nn.functional.layer_norm(x, (6, 6)) * w[:, None] + b[:, None],
    "layer_norm_affine": lambda L, x, w, b: L.nn.functional.layer_norm(x, (6,), w, b),
    "batch_norm": lambda L, x, w, b: L.nn.functional.batch_norm(x, None, None, w, b, training=True),
    "group_norm": lambda L, x, w, b: L.nn.functional.group_norm(x, 3, w, b),
    "instance_norm": lambda L, x, w, b: L.nn.functional.instance_norm(x, None, None, w, b),
}


def _numpy_norm(name, x, w, b, eps=1e-5):
    """The same normalizations in float64."""
    x = x.astype(np.float64)
    dims = {"layer_norm": (1, 2), "layer_norm_affine": (2,), "batch_norm": (0, 2)}.get(name, (2,))
    if name == "group_norm":
        grouped = x.reshape(4, 3, -1)
        mu, var = grouped.mean(2, keepdims=True), grouped.var(2, keepdims=True)
        xhat = ((grouped - mu) / np.sqrt(var + eps)).reshape(x.shape)
    else:
        mu, var = x.mean(dims, keepdims=True), x.var(dims, keepdims=True)
        xhat = (x - mu) / np.sqrt(var + eps)
    if name == "layer_norm_affine":
        return xhat * w.astype(np.float64) + b.astype(np.float64)
    return xhat * w[:, None].astype(np.float64) + b[:, None].astype(np.float64)


def _run(L, name, x, w, b, g):
    """Output and gradients (x, w, b) of sum(norm(x) * g) with L (minidl.eager or torch), as float64 arrays."""
    leaves = [L.tensor(v, requires_grad=True) for v in (x, w, b)]
    y = _NORMS[name](L, *leaves)
    (y * L.tensor(g)).sum().backward()
    assert y.dtype == leaves[0].dtype and all(v.grad.dtype == v.dtype for v in leaves)
    return [v.detach().numpy().astype(np.float64) for v in [y] + [v.grad for v in leaves]]


@pytest.mark.parametrize("scale", [300.0, 3000.0])
@pytest.mark.parametrize("name", sorted(_NORMS))
def test_float16_normalization_computes_its_statistics_in_float32(name, scale):
    x = _spread_half((4, 6, 6), scale)
    w, b = (np.linspace(0.5, 2, 6).astype(np.float16), np.linspace(-1, 1, 6).astype(np.float16))
    g = np.random.RandomState(1).randn(4, 6, 6).astype(np.float16)
    y, dx, dw, db = _run(T, name, x, w, b, g)
    np.testing.assert_allclose(y, _numpy_norm(name, x, w, b), atol=1e-2)  # (float16: 3 significant digits)
    # the float16 gradients are the float64 ones rounded: the VJP runs in float32 too
    y64, dx64, dw64, db64 = _run(T, name, *(v.astype(np.float64) for v in (x, w, b, g)))
    np.testing.assert_allclose(y, y64, atol=1e-2)
    np.testing.assert_allclose(dx, dx64, rtol=1e-2, atol=1e-2 * np.abs(dx64).max())
    np.testing.assert_allclose(dw, dw64, rtol=1e-2, atol=0.05)
    np.testing.assert_allclose(db, db64, rtol=1e-2, atol=0.05)
    torch = pytest.importorskip("torch")
    for mine, theirs in zip((y, dx, dw, db), _run(torch, name, x, w, b, g)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-2, atol=2e-2 * max(np.abs(theirs).max(), 1e-3))


def test_float16_batch_norm_keeps_its_running_statistics_float16_and_right():
    x = _spread_half((8, 3, 10), 300)
    mean, var = T.zeros(3, dtype=T.float16), T.ones(3, dtype=T.float16)
    y = T.nn.functional.batch_norm(T.tensor(x), mean, var, training=True, momentum=0.5)
    assert y.dtype == mean.dtype == var.dtype == T.float16
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(mean.numpy(), 0.5 * x64.mean((0, 2)), rtol=2e-3, atol=1e-2)
    np.testing.assert_allclose(var.numpy(), 0.5 + 0.5 * x64.var((0, 2), ddof=1), rtol=2e-3)
    evaluated = T.nn.functional.batch_norm(T.tensor(x), mean, var, training=False)
    expected = (x64 - mean.numpy()[:, None].astype(np.float64)) / np.sqrt(var.numpy()[:, None].astype(np.float64))
    np.testing.assert_allclose(evaluated.numpy(), expected, atol=1e-2)
    torch = pytest.importorskip("torch")
    their_mean, their_var = torch.zeros(3, dtype=torch.float16), torch.ones(3, dtype=torch.float16)
    theirs = torch.nn.functional.batch_norm(torch.tensor(x), their_mean, their_var, training=True, momentum=0.5)
    np.testing.assert_allclose(y.numpy().astype(np.float64), theirs.numpy().astype(np.float64), atol=1e-2)
    np.testing.assert_allclose(mean.numpy(), their_mean.numpy(), rtol=2e-3, atol=1e-2)
    np.testing.assert_allclose(var.numpy(), their_var.numpy(), rtol=2e-3)


# --------------------------------------------------------------------------------------- the 0-norm of NaN

@pytest.mark.parametrize("values", [[1.0, nan, 0.0], [[nan, 0.0], [0.0, 0.0]], [[nan, nan, 2.0], [0.0, -1.0, 0.0]]])
def test_the_zero_norm_counts_nan_as_non_zero(values):
    a = np.array(values)
    assert T.tensor(values).norm(0).item() == np.count_nonzero(a) == T.linalg.vector_norm(T.tensor(values), 0).item()
    np.testing.assert_array_equal(T.linalg.vector_norm(T.tensor(values), 0, dim=-1).numpy(),
                                  np.count_nonzero(a, axis=-1))
    z = T.tensor(a + 1j * np.zeros_like(a))
    assert T.linalg.vector_norm(z, 0).item() == np.count_nonzero(a)
    x = T.tensor(values, requires_grad=True)
    x.norm(0).backward()  # still in the graph, with gradient 0
    assert not x.grad.numpy().any()
    torch = pytest.importorskip("torch")
    assert T.tensor(values).norm(0).item() == torch.tensor(values).norm(0).item()


def test_negative_and_infinite_norms_of_nothing_are_refused_as_in_pytorch():
    for shape, dim, p in [((0,), None, -1), ((3, 0), 1, -2.5), ((0, 3), 0, math.inf), ((3, 0), None, -math.inf)]:
        with pytest.raises(RuntimeError, match=f"cannot compute the {p:g} norm on"):
            T.linalg.vector_norm(T.zeros(*shape), p, dim)
    assert T.linalg.vector_norm(T.zeros(0, 3), -1, 1).shape == (0,)  # no slice is empty
    assert T.linalg.vector_norm(T.zeros(0), 0.5).item() == 0 == T.zeros(3, 0).norm(3).item()


# ------------------------------------------------------------------------------------ integer operands

def test_atan2_of_integers_converts_the_operands_as_given():
    y = T.atan2(T.tensor([2], dtype=T.uint8), T.tensor(-5))  # (uint8 would hold -5 as 251)
    np.testing.assert_allclose(y.numpy(), np.arctan2(2.0, -5.0), rtol=1e-6)
    y = T.atan2(T.tensor([2], dtype=T.int32), T.tensor(2 ** 40))  # (int32 would hold 2**40 as 0)
    np.testing.assert_allclose(y.numpy(), np.arctan2(2.0, 2.0 ** 40), rtol=1e-6)
    assert y.dtype == T.float32
    torch = pytest.importorskip("torch")
    for a, b in [(np.array([2], np.uint8), -5), (np.array([2, -7], np.int32), 2 ** 40), (np.array([3], np.int8), 200)]:
        np.testing.assert_allclose(T.atan2(T.tensor(a), T.tensor(b)).numpy(),
                                   torch.atan2(torch.tensor(a), torch.tensor(b)).numpy(), rtol=1e-6)


def test_gammainc_of_integers_converts_the_operands_as_given():
    a, x = T.tensor(258), T.tensor([200], dtype=T.uint8)  # (uint8 would hold 258 as 2)
    expected = float(mpmath.gammainc(258, 0, 200, regularized=True))
    np.testing.assert_allclose(T.special.gammainc(a, x).numpy(), [expected], rtol=1e-4)
    np.testing.assert_allclose(T.special.gammaincc(a, x).numpy(), [1 - expected], rtol=1e-4)


# ---------------------------------------------------------------------------------------- empty means

def test_the_mean_of_nothing_is_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        silence_numpy_float_warnings()  # (what importing minidl set up, which pytest's warning capture undoes)
        assert math.isnan(T.tensor([]).mean().item())
        assert np.isnan(T.zeros(0, 3).mean(0).numpy()).all() and T.zeros(3, 0).mean(0).shape == (0,)
        assert math.isnan(T.zeros(2, 0, dtype=T.float16).mean().item())
        assert math.isnan(T.nanmean(T.zeros(0)).item()) and math.isnan(T.nanmean(T.tensor([nan])).item())
        x = T.zeros(0, requires_grad=True)
        x.mean().backward()
        assert x.grad.shape == (0,)
        with tf.Session() as session:
            assert math.isnan(session.run(tf.reduce_mean(tf.zeros([0]))))
            assert np.isnan(session.run(tf.reduce_mean(tf.zeros([0, 2]), 0))).all()
    torch = pytest.importorskip("torch")
    assert math.isnan(torch.tensor([]).mean().item())


# ----------------------------------------------------------------------------------- all/any over no dim

def test_all_and_any_over_no_dim_reduce_nothing():
    values = np.array([[0.0, 2.0, 3.0], [1.0, 0.0, 1.0]])
    x = T.tensor(values)
    for result in (x.all(dim=()), x.any(dim=[]), T.all(x, ()), T.any(x, (), keepdim=True)):
        assert result.dtype == T.bool
        np.testing.assert_array_equal(result.numpy(), values != 0)
    np.testing.assert_array_equal(T.tensor(values.astype(np.uint8)).all(dim=()).numpy(), (values != 0).astype(np.uint8))
    assert x.sum(dim=()).item() == values.sum() and x.amax(dim=()).item() == 3  # (these reduce every dim)
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(values)
    np.testing.assert_array_equal(x.all(dim=()).numpy(), theirs.all(dim=()).numpy())
    np.testing.assert_array_equal(x.any(dim=(), keepdim=True).numpy(), theirs.any(dim=(), keepdim=True).numpy())
    assert theirs.sum(dim=()).item() == x.sum(dim=()).item() and theirs.amax(dim=()).shape == ()


# ---------------------------------------------------------------------------------- gradients at NaN

@pytest.mark.parametrize("values, expected", [([1.0, nan, 3.0], [0, 1, 0]), ([nan, 1.0, nan], [0.5, 0, 0.5]),
                                              ([3.0, 1.0, 3.0], None)])
def test_whole_tensor_max_and_min_send_the_gradient_to_the_nan(values, expected):
    for reduce in ("max", "min"):
        x = T.tensor(values, requires_grad=True)
        getattr(x, reduce)().backward()
        if expected is not None:
            np.testing.assert_array_equal(x.grad.numpy(), expected)
        else:  # ties share
            picked = np.array(values) == getattr(np, reduce)(values)
            np.testing.assert_array_equal(x.grad.numpy(), picked / picked.sum())
    x = T.tensor(values, requires_grad=True)
    x.amax().backward()  # amax keeps its rule (PyTorch's too): NaN
    assert np.isnan(x.grad.numpy()).all() == (expected is not None)
    torch = pytest.importorskip("torch")
    for reduce in ("max", "min", "amax"):
        x, theirs = T.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        getattr(x, reduce)().backward()
        getattr(theirs, reduce)().backward()
        np.testing.assert_array_equal(x.grad.numpy(), theirs.grad.numpy())


def test_maximum_and_minimum_give_the_whole_gradient_to_both_operands_at_nan():
    values, other = [1.0, nan, 3.0, 2.0, nan], [2.0, 2.0, 2.0, 2.0, nan]
    # larger (smaller) gets it all, a tie halves it, NaN on either side gives it to both
    expected = {"maximum": ([0, 1, 1, 0.5, 1], [1, 1, 0, 0.5, 1]), "minimum": ([1, 1, 0, 0.5, 1], [0, 1, 1, 0.5, 1])}
    for name, (to_x, to_other) in expected.items():
        x, c = T.tensor(values, requires_grad=True), T.tensor(other, requires_grad=True)
        getattr(T, name)(x, c).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), to_x)
        np.testing.assert_array_equal(c.grad.numpy(), to_other)
    x = T.tensor([nan, 1.0], requires_grad=True)
    T.maximum(x, x).sum().backward()  # both operands are x: 1 + 1 at the NaN, 1/2 + 1/2 elsewhere
    np.testing.assert_array_equal(x.grad.numpy(), [2, 1])
    x, c = tf.constant([1.0, nan, 3.0]), tf.constant([2.0, 2.0, 2.0])  # TF's rule: a NaN sends it all to y
    with tf.Session() as session:
        to_x, to_c = session.run(tf.gradients(tf.reduce_sum(tf.maximum(x, c)), [x, c]))
    np.testing.assert_array_equal(to_x, [0, 0, 1])
    np.testing.assert_array_equal(to_c, [1, 1, 0])
    torch = pytest.importorskip("torch")
    for name in expected:
        x, c = T.tensor(values, requires_grad=True), T.tensor(other, requires_grad=True)
        tx, tc = torch.tensor(values, requires_grad=True), torch.tensor(other, requires_grad=True)
        getattr(T, name)(x, c).sum().backward()
        getattr(torch, name)(tx, tc).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
        np.testing.assert_array_equal(c.grad.numpy(), tc.grad.numpy())
