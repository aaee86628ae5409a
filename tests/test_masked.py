"""torch.masked (minidl/eager/masked/): the masked reductions and normalizations against PyTorch's, values and
gradients (float64 central differences and PyTorch's), and MaskedTensor's behaviour, printing and errors."""
import math

import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import check_gradient

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
VALUES = RNG.standard_normal((3, 4, 5))
MASK = RNG.random((3, 4, 5)) < 0.6
MASK[1, 2, :] = False  # an all-masked row along the last dim
MASK[2, :, 3] = False  # and one along dim 1
ROW_MASK = RNG.random((4, 5)) < 0.5  # broadcast to the input
DENSE_MASK = MASK.copy()  # at least two masked-in elements along every dim: finite values and gradients
DENSE_MASK[:, :2, :], DENSE_MASK[:, :, :2] = True, True


def both(values, mask, dtype):
    ours = T.tensor(values, dtype=getattr(T, dtype)), None if mask is None else T.tensor(mask)
    theirs = torch.tensor(values, dtype=getattr(torch, dtype)), None if mask is None else torch.tensor(mask)
    return ours, theirs


def assert_same(ours, theirs):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    tolerance = 1e-12 if theirs.dtype == torch.float64 else 1e-5
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=tolerance, atol=tolerance, equal_nan=True)


REDUCTIONS = [("sum", {}), ("prod", {}), ("amax", {}), ("amin", {}), ("mean", {}), ("logsumexp", {}),
              ("var", {}), ("var", {"unbiased": False}), ("std", {"correction": 2}), ("std", {})]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mask", [MASK, ROW_MASK, None], ids=["mask", "broadcast", "none"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (2, False), ((0, 2), True), (-2, True)])
@pytest.mark.parametrize("name,kwargs", REDUCTIONS, ids=[f"{n}{k}" for n, k in REDUCTIONS])
def test_reductions_match_torch(name, kwargs, dim, keepdim, mask, dtype):
    (x, m), (tx, tm) = both(VALUES, mask, dtype)
    ours = getattr(T.masked, name)(x, dim, keepdim=keepdim, mask=m, **kwargs)
    assert_same(ours, getattr(torch.masked, name)(tx, dim, keepdim=keepdim, mask=tm, **kwargs))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,args", [("norm", (2.0, (1, 2))), ("norm", (1, 2)), ("norm", (-math.inf, 2)),
                                       ("norm", (math.inf, None)), ("median", (2,)), ("median", (1,)),
                                       ("argmax", (2,)), ("argmin", (1,)), ("argmax", (None,))])
def test_other_reductions_match_torch(name, args, dtype):
    (x, m), (tx, tm) = both(VALUES, MASK, dtype)
    for keepdim in (False, True):
        assert_same(getattr(T.masked, name)(x, *args, keepdim=keepdim, mask=m),
                    getattr(torch.masked, name)(tx, *args, keepdim=keepdim, mask=tm))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,args", [("cumsum", (2,)), ("cumprod", (1,)), ("softmax", (2,)), ("log_softmax", (-1,)),
                                       ("softmin", (1,)), ("normalize", (2.0, 2)), ("normalize", (1, 0))])
def test_normalizations_match_torch(name, args, dtype):
    for mask in (MASK, ROW_MASK, None):
        (x, m), (tx, tm) = both(VALUES, mask, dtype)
        assert_same(getattr(T.masked, name)(x, *args, mask=m), getattr(torch.masked, name)(tx, *args, mask=tm))


def test_logaddexp_and_dtypes_match_torch():
    (x, m), (tx, tm) = both(VALUES, MASK, "float32")
    assert_same(T.masked.logaddexp(x, x * 2, input_mask=m, other_mask=~m),
                torch.masked.logaddexp(tx, tx * 2, input_mask=tm, other_mask=~tm))
    assert_same(T.masked.sum(x, 1, dtype=T.float64, mask=m), torch.masked.sum(tx, 1, dtype=torch.float64, mask=tm))
    (i, m), (ti, tm) = both(RNG.integers(-5, 5, (3, 4, 5)), MASK, "int32")
    for name in ("sum", "prod", "amax", "amin", "argmax", "var"):
        ours, theirs = getattr(T.masked, name)(i, 2, mask=m), getattr(torch.masked, name)(ti, 2, mask=tm)
        assert_same(ours, theirs)
    assert_same(T.masked.median(i, 1, mask=T.tensor(ROW_MASK | True)),
                torch.masked.median(ti, 1, mask=torch.tensor(ROW_MASK | True)))
    with pytest.raises(ValueError, match="fully masked out rows"):
        T.masked.median(i, 2, mask=m)
    with pytest.raises(ValueError, match="Could not infer output dtype"):
        T.masked.mean(i, mask=m)


def test_bad_arguments_are_refused_as_torch_does():
    x = T.tensor(VALUES)
    with pytest.raises(IndexError, match="mask dimensionality higher"):
        T.masked.sum(x, mask=T.ones((1, 3, 4, 5), dtype=T.bool))
    with pytest.raises(IndexError, match="Dimension out of range"):
        T.masked.sum(x, 3)
    with pytest.raises(RuntimeError, match="appears multiple times"):
        T.masked.amax(x, (1, -2))


GRADIENTS = [lambda L, x: L.masked.sum(x * x, 1, mask=L.tensor(MASK)).sum(),
             lambda L, x: L.masked.prod(x, 2, mask=L.tensor(MASK)).sum(),
             lambda L, x: L.masked.amax(x, 2, mask=L.tensor(MASK)).clamp(min=-5).sum(),
             lambda L, x: L.masked.mean(x, (0, 2), mask=L.tensor(ROW_MASK | ~ROW_MASK.any(1, keepdims=True))).pow(2)
             .sum(),
             lambda L, x: L.masked.var(x, 1, mask=L.tensor(DENSE_MASK)).sum(),
             lambda L, x: L.masked.std(x, 2, mask=L.tensor(DENSE_MASK)).sum(),
             lambda L, x: L.masked.logsumexp(x, 2, mask=L.tensor(DENSE_MASK)).sum(),
             lambda L, x: L.masked.norm(x, 2.0, 1, mask=L.tensor(DENSE_MASK)).sum(),
             lambda L, x: L.masked.cumprod(x, 1, mask=L.tensor(MASK)).sum(),
             lambda L, x: (L.masked.softmax(x, 2, mask=L.tensor(MASK)).nan_to_num() * L.tensor(VALUES)).sum(),
             lambda L, x: (L.masked.log_softmax(x, 1, mask=L.tensor(DENSE_MASK))
                           .clamp(min=-30) * L.tensor(VALUES)).sum(),
             lambda L, x: (L.masked.normalize(x, 2.0, 2, mask=L.tensor(MASK)) * L.tensor(VALUES)).sum(),
             lambda L, x: L.masked.logaddexp(x, x.flip(0), input_mask=L.tensor(MASK), other_mask=L.tensor(~MASK))
             .sum()]


@pytest.mark.parametrize("build", GRADIENTS, ids=["sum", "prod", "amax", "mean", "var", "std", "logsumexp", "norm",
                                                  "cumprod", "softmax", "log_softmax", "normalize", "logaddexp"])
def test_gradients_match_central_differences_and_torch(build):
    check_gradient(build, VALUES.copy())


def test_masked_tensor_prints_and_reduces_as_torch():
    data, mask = VALUES[:2, :3, 0], MASK[:2, :3, 0].copy()
    mask[1] = False
    mt = T.masked.masked_tensor(T.tensor(data, dtype=T.float32), T.tensor(mask))
    tmt = torch.masked.masked_tensor(torch.tensor(data, dtype=torch.float32), torch.tensor(mask))
    assert repr(mt) == repr(tmt)
    assert T.masked.is_masked_tensor(mt) and not T.masked.is_masked_tensor(T.tensor(data))
    for name, args, kwargs in [("sum", (1,), {}), ("sum", (), {}), ("amax", (0,), {"keepdim": True}),
                               ("mean", (1,), {}), ("argmin", (1,), {}), ("std", (1,), {}), ("prod", (), {}),
                               ("softmax", (1,), {}), ("var", (0,), {"keepdim": True})]:
        assert repr(getattr(mt, name)(*args, **kwargs)) == repr(getattr(tmt, name)(*args, **kwargs)), name
    for ours, theirs in [(mt + mt, tmt + tmt), (mt * 2, tmt * 2), (mt - 1, tmt - 1), (-mt, -tmt), (mt > 0, tmt > 0),
                         (mt.exp(), tmt.exp()), (mt[0], tmt[0]), (mt / mt, tmt / tmt)]:
        assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(mt.to_tensor(-1.0).numpy(), tmt.to_tensor(-1.0).numpy())
    ints = T.masked.masked_tensor(T.tensor([1, 2, 30]), T.tensor([True, False, True]))
    assert repr(ints) == repr(torch.masked.masked_tensor(torch.tensor([1, 2, 30]), torch.tensor([True, False, True])))
    scalar = T.masked.masked_tensor(T.tensor(3.0), T.tensor(False))
    assert repr(scalar) == repr(torch.masked.masked_tensor(torch.tensor(3.0), torch.tensor(False)))
    assert np.allclose(T.masked.sum(mt, 1).numpy(), torch.masked.sum(tmt, 1).numpy())


def test_masked_tensor_errors_mirror_torch():
    data, mask = T.tensor(VALUES[0]), T.tensor(MASK[0])
    mt = T.masked.masked_tensor(data, mask)
    with pytest.raises(ValueError, match="Input masks must match"):
        mt + T.masked.masked_tensor(data, ~mask)
    with pytest.raises(TypeError, match="mask must have dtype bool"):
        T.masked.masked_tensor(data, mask.int())
    with pytest.raises(ValueError, match=r"data.dim\(\) must equal mask.dim\(\)"):
        T.masked.masked_tensor(data, mask[0])
    with pytest.raises(ValueError, match=r"data.size\(\) must equal mask.size\(\)"):
        T.masked.masked_tensor(data, mask[:2])
    with pytest.raises(TypeError, match="data must be a Tensor"):
        T.masked.masked_tensor(VALUES[0].tolist(), mask)


def test_masked_tensor_gradients_flow_to_the_data():
    data, mask = VALUES[0], MASK[0]
    leaf = T.masked.masked_tensor(T.tensor(data), T.tensor(mask), requires_grad=True)
    (leaf * leaf).sum().backward()
    source = T.tensor(data, requires_grad=True)
    (T.masked.as_masked_tensor(source, T.tensor(mask)).exp()).sum().backward()
    tleaf = torch.masked.masked_tensor(torch.tensor(data), torch.tensor(mask), requires_grad=True)
    (tleaf * tleaf).sum().backward()
    assert repr(leaf.grad) == repr(tleaf.grad)
    np.testing.assert_allclose(source.grad.numpy(), np.where(mask, np.exp(data), 0))
