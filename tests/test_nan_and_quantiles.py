"""Edge cases and error messages of nansum, nanmean, fmax, fmin, aminmax, quantile, nanquantile, isin,
tril_indices, triu_indices, unique_consecutive, mv, cov and corrcoef — and, where PyTorch is installed, their
values and gradients at the special points the op table keeps away from (NaN, ties)."""
import math

import numpy as np
import pytest

import minidl.eager as m
from minidl.ops.base import DtypeError, OpError
from tests.torch_version import since_mirrored_torch

nan = math.nan

try:
    import torch
except ImportError:  # the comparisons with PyTorch are skipped
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def _both(data, requires_grad=False):
    """The same float64 data as a minidl and a torch tensor."""
    data = np.asarray(data, dtype=np.float64)
    return (m.tensor(data, requires_grad=requires_grad),
            torch.tensor(data, requires_grad=requires_grad))


def _grads(m_out, t_out, m_inputs, t_inputs):
    """Gradients of sum(outputs) in minidl and in torch."""
    m_outs, t_outs = (o if isinstance(o, tuple) else (o,) for o in (m_out, t_out))
    m_total = sum(o.sum() for o in m_outs)
    t_total = sum(o.sum() for o in t_outs)
    m_g = m.autograd.grad(m_total, m_inputs, allow_unused=True)
    t_g = torch.autograd.grad(t_total, t_inputs, allow_unused=True)
    for a, b, x in zip(m_g, t_g, m_inputs):
        a = np.zeros(x.shape) if a is None else a.numpy()  # no gradient (q when picking an order statistic)
        b = np.zeros(x.shape) if b is None else b.numpy()
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------------------ nansum, nanmean

def test_nansum_and_nanmean_values_and_dtypes():
    x = m.tensor([[1.0, nan], [nan, nan]])
    assert m.nansum(x).item() == 1.0
    np.testing.assert_array_equal(m.nanmean(x, 1).numpy(), [1.0, nan])  # a slice of NaN alone: NaN
    assert m.nansum(m.tensor([True, True])).dtype == m.int64
    assert m.nansum(m.tensor([1.0, nan]), dtype=m.int64).item() == 1  # NaN zeroed before the cast
    assert x.nanmean(dtype=m.float64).dtype == m.float64
    assert x.nansum(dim=0, keepdim=True).shape == (1, 2)


def test_nansum_and_nanmean_errors():
    with pytest.raises(DtypeError, match=r"nanmean\(\): expected input to have floating point.*int64"):
        m.nanmean(m.tensor([1, 2]))
    with pytest.raises(TypeError, match="nansum: does not support complex"):
        m.nansum(m.tensor([1j]))
    with pytest.raises(TypeError, match=r"nansum\(\): expected a tensor"):
        m.nansum([1.0, 2.0])


@needs_torch
def test_nan_reductions_gradients_match_torch():
    data = [[1.0, nan, 3.0], [nan, nan, 2.0]]
    mx, tx = _both(data, requires_grad=True)
    _grads(m.nanmean(mx, 1), torch.nanmean(tx, 1), [mx], [tx])
    _grads(m.nansum(mx), torch.nansum(tx), [mx], [tx])


# ---------------------------------------------------------------------------------------------- fmax, fmin

@needs_torch
@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_nan_and_ties_match_torch(name):
    """Ties send the whole gradient to ``input`` (unlike maximum's half and half); NaN against NaN gives NaN."""
    ma, ta = _both([1.0, 2.0, nan, nan, 3.0], requires_grad=True)
    mb, tb = _both([[1.0, 3.0, 1.0, nan, 2.0]], requires_grad=True)
    m_out, t_out = getattr(m, name)(ma, mb), getattr(torch, name)(ta, tb)
    np.testing.assert_array_equal(m_out.detach().numpy(), t_out.detach().numpy())
    _grads(m_out, t_out, [ma, mb], [ta, tb])
    assert getattr(m.tensor([1, 2]), name)(m.tensor([1.5, 1.0])).dtype == m.float32  # promotion


def test_fmax_refuses_numbers_and_complex():
    with pytest.raises(TypeError, match=r"fmax\(\): argument 'other' \(position 2\) must be Tensor, not float"):
        m.fmax(m.tensor([1.0]), 2.0)
    with pytest.raises(TypeError, match="fmin: complex numbers have no order"):
        m.fmin(m.tensor([1j]), m.tensor([2j]))


# ------------------------------------------------------------------------------------------------- aminmax

def test_aminmax_is_a_named_tuple():
    result = m.tensor([[1.0, 5.0], [0.0, 2.0]]).aminmax(dim=0, keepdim=True)
    assert type(result).__name__ == "aminmax"
    np.testing.assert_array_equal(result.min.numpy(), [[0.0, 2.0]])
    np.testing.assert_array_equal(result.max.numpy(), [[1.0, 5.0]])
    assert m.aminmax(m.tensor(3.0)).min.shape == ()
    assert m.aminmax(m.tensor([True, False])).max.item() is True


def test_aminmax_errors():
    with pytest.raises(TypeError, match=r"aminmax\(\): argument 'dim' must be int, not tuple"):
        m.aminmax(m.ones(2, 3), dim=(0, 1))
    with pytest.raises(RuntimeError, match=r"aminmax\(\).*numel\(\) == 0"):
        m.aminmax(m.zeros(0))
    with pytest.raises(IndexError, match=r"aminmax\(\): Expected reduction dim 1 to have non-zero size"):
        m.aminmax(m.zeros(2, 0), dim=1)


@needs_torch
@since_mirrored_torch
def test_aminmax_shares_gradient_among_ties_like_torch():
    mx, tx = _both([[1.0, 5.0, 1.0], [2.0, 2.0, 0.0]], requires_grad=True)
    _grads(m.aminmax(mx, dim=1), tuple(torch.aminmax(tx, dim=1)), [mx], [tx])
    _grads(m.aminmax(mx), tuple(torch.aminmax(tx)), [mx], [tx])


# --------------------------------------------------------------------------------------- quantile, nanquantile

@needs_torch
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantile_matches_torch_with_ties_and_nan(name, interpolation):
    """Ties, NaN, a slice of NaN alone, q exactly at ranks and halfway between them (nearest rounds to even)."""
    data = [[1.0, 5.0, 3.0, 3.0, 0.0], [2.0, nan, 0.0, 7.0, 2.0], [nan] * 5]
    q_values = [0.0, 0.125, 0.25, 0.375, 0.5, 0.9, 1.0]
    mx, tx = _both(data, requires_grad=True)
    mq, tq = _both(q_values, requires_grad=True)
    for dim, keepdim in ((1, False), (0, True), (None, True)):
        m_out = getattr(m, name)(mx, mq, dim, keepdim, interpolation=interpolation)
        t_out = getattr(torch, name)(tx, tq, dim, keepdim, interpolation=interpolation)
        assert m_out.shape == tuple(t_out.shape)
        np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12, equal_nan=True)
    finite = slice(None, 2) if name == "quantile" else slice(None)
    _grads(getattr(m, name)(mx[finite], mq, 1, interpolation=interpolation),
           getattr(torch, name)(tx[finite], tq, 1, interpolation=interpolation), [mx, mq], [tx, tq])


def test_float64_quantiles_interpolate_in_float64():
    x = m.tensor([-0.05, 0.11, float("nan")], dtype=m.float64)
    for quantile in (m.quantile(x[:2], 0.313), m.nanquantile(x, 0.313)):  # -0.05 + 0.313 * 0.16, nearly cancelled
        assert quantile.dtype == m.float64
        assert abs(quantile.item() - (-0.05 + 0.313 * 0.16)) < 1e-15


def test_quantile_shapes():
    x = m.ones(2, 3)
    assert m.quantile(x, 0.3).shape == ()
    assert m.quantile(x, 0.3, keepdim=True).shape == (1, 1)
    assert m.quantile(x, m.tensor([0.3, 0.4]), dim=1, keepdim=True).shape == (2, 2, 1)
    assert m.quantile(x, m.tensor(0.3), dim=-2).shape == (3,)
    assert x.nanquantile(0.5, dim=0).shape == (3,)
    assert m.quantile(m.tensor(2.0), 0.3, dim=0, keepdim=True).item() == 2.0


def test_quantile_errors():
    x = m.tensor([1.0, 2.0])
    with pytest.raises(DtypeError, match=r"quantile\(\) input tensor must be either float or double dtype"):
        m.quantile(m.tensor([1, 2]), 0.5)
    with pytest.raises(OpError, match=r"interpolation must be one of linear.*Got 'cubic'"):
        m.quantile(x, 0.5, interpolation="cubic")
    with pytest.raises(OpError, match=r"nanquantile\(\) q values must be in the range \[0, 1\]"):
        m.nanquantile(x, m.tensor([0.5, 1.5]))
    with pytest.raises(OpError, match=r"q values must be in the range"):
        m.quantile(x, -0.1)
    with pytest.raises(DtypeError, match="q tensor must be same dtype as the input tensor"):
        m.quantile(x, m.tensor([0.5], dtype=m.float64))
    with pytest.raises(OpError, match="q must be a scalar or 1D tensor"):
        m.quantile(x, m.tensor([[0.5]]))
    with pytest.raises(OpError, match=r"quantile\(\) input tensor must be non-empty"):
        m.quantile(m.zeros(2, 0), 0.5, dim=0)
    with pytest.raises(TypeError, match="q must be a float or a tensor"):
        m.quantile(x, "half")


# ---------------------------------------------------------------------------------------------------- isin

def test_isin():
    np.testing.assert_array_equal(m.isin(m.tensor([1, 2, 3]), m.tensor([1.0, 2.5])).numpy(), [True, False, False])
    assert m.isin(2, m.tensor([1, 2])).item() is True
    np.testing.assert_array_equal(m.isin(m.tensor([1.0, nan]), nan).numpy(), [False, False])  # NaN is never found
    np.testing.assert_array_equal(m.isin(m.tensor([[1, 2], [3, 4]]), 3, invert=True).numpy(),
                                  [[True, True], [False, True]])
    with pytest.raises(TypeError, match="isin.*expected elements or test_elements to be a tensor"):
        m.isin(1, 2)


# ------------------------------------------------------------------------------------ tril / triu indices

@needs_torch
@pytest.mark.parametrize("row, col, offset", [(3, 3, 0), (3, 4, 1), (4, 2, -1), (0, 3, 0), (3, 3, -5), (3, 3, 10)])
def test_triangle_indices_match_torch(row, col, offset):
    for name in ("tril_indices", "triu_indices"):
        ours, theirs = getattr(m, name)(row, col, offset), getattr(torch, name)(row, col, offset)
        assert ours.dtype == m.int64 and ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_triangle_indices_errors_and_dtype():
    assert m.triu_indices(2, 2, dtype=m.int32).dtype == m.int32
    with pytest.raises(OpError, match="tril_indices: row must be non-negative, got -1"):
        m.tril_indices(-1, 2)
    with pytest.raises(DtypeError, match='"triu_indices" not implemented for float32'):
        m.triu_indices(2, 2, dtype=m.float32)
    with pytest.raises(TypeError, match="argument 'col' must be int"):
        m.tril_indices(2, 2.5)


# --------------------------------------------------------------------------------------- unique_consecutive

def test_unique_consecutive_flat():
    values, inverse, counts = m.tensor([1.0, 1.0, nan, nan, 2.0, 2.0, 1.0]).unique_consecutive(True, True)
    np.testing.assert_array_equal(values.numpy(), [1.0, nan, nan, 2.0, 1.0])  # every NaN starts a run
    np.testing.assert_array_equal(inverse.numpy(), [0, 0, 1, 2, 3, 3, 4])
    np.testing.assert_array_equal(counts.numpy(), [2, 1, 1, 2, 1])
    values, inverse, counts = m.unique_consecutive(m.tensor(3.0), return_inverse=True, return_counts=True)
    assert values.shape == (1,) and inverse.shape == () and counts.tolist() == [1]
    assert m.unique_consecutive(m.zeros(0)).shape == (0,)


@needs_torch
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unique_consecutive_dim_matches_torch(dim):
    data = np.array([[1, 1, 2, 2, 2], [3, 3, 3, 4, 4], [3, 3, 3, 4, 4]])
    ours = m.unique_consecutive(m.tensor(data), return_inverse=True, return_counts=True, dim=dim)
    theirs = torch.unique_consecutive(torch.tensor(data), return_inverse=True, return_counts=True, dim=dim)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_unique_consecutive_errors():
    with pytest.raises(OpError, match="unique_consecutive.*dimension out of range"):
        m.unique_consecutive(m.ones(2, 2), dim=2)
    with pytest.raises(OpError, match="0 sized dimensions"):
        m.unique_consecutive(m.zeros(2, 0), dim=0)


# ---------------------------------------------------------------------------------------- mv, cov, corrcoef

def test_mv_errors():
    assert m.ones(2, 3).mv(m.tensor([1.0, 2.0, 3.0])).tolist() == [6.0, 6.0]
    with pytest.raises(OpError, match="mv: vector \\+ matrix @ vector expected, got a 1-D input"):
        m.mv(m.ones(3), m.ones(3))
    with pytest.raises(OpError, match=r"mv: size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"):
        m.mv(m.ones(2, 3), m.ones(4))


@needs_torch
def test_cov_and_corrcoef_match_torch():
    rng = np.random.default_rng(0)
    data, fw, aw = rng.standard_normal((3, 6)), np.array([1, 2, 0, 3, 1, 1]), rng.uniform(0.1, 2.0, 6)
    mx, tx = _both(data, requires_grad=True)
    for kwargs in ({}, {"correction": 0}, {"fweights": fw}, {"aweights": aw},
                   {"fweights": fw, "aweights": aw, "correction": 2}):
        m_kw = {k: (m.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        t_kw = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        m_out, t_out = m.cov(mx, **m_kw), torch.cov(tx, **t_kw)
        np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12, atol=1e-14)
        _grads(m_out, t_out, [mx], [tx])
    m_out, t_out = mx.corrcoef(), tx.corrcoef()
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert m.cov(m.tensor([[1, 2, 4], [0, 3, 3]])).dtype == m.float32  # integer data: a float covariance


def test_cov_edge_cases_and_errors():
    assert m.cov(m.tensor([1.0, 2.0, 4.0])).shape == ()
    assert m.corrcoef(m.tensor([1.0, 2.0, 4.0])).item() == 1.0
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        assert math.isinf(m.cov(m.tensor([[1.0, 2.0, 4.0]]), correction=3).item())
    with pytest.raises(OpError, match="cov.*two or fewer dimensions but got an input with 3"):
        m.cov(m.ones(2, 2, 2))
    with pytest.raises(OpError, match="fweights to have the same numel"):
        m.cov(m.ones(2, 3), fweights=m.tensor([1, 2]))
    with pytest.raises(DtypeError, match="fweights to have integral dtype"):
        m.cov(m.ones(2, 3), fweights=m.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(DtypeError, match="aweights to have floating point dtype"):
        m.cov(m.ones(2, 3), aweights=m.tensor([1, 2, 3]))
    with pytest.raises(OpError, match="aweights cannot be negative"):
        m.cov(m.ones(2, 3), aweights=m.tensor([1.0, -2.0, 3.0]))
