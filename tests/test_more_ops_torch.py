"""The functions of combining.py, elementwise_more.py, distances.py, binning.py and the ``special`` / ``testing``
namespaces against PyTorch (skipped without it): what the op table cannot draw at random — dtype rules, special
points (xlogy at 0, signed zeros, -inf, ties), complex inputs, argument variants — values and gradients alike.
(The op table's entries are compared with PyTorch in test_torch_differential.py.)"""
import math

import numpy as np
import pytest

import minidl.eager as torchlike

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, at the special points on purpose

F64 = "float64"


def _pair(values, dtype=None, requires_grad=False):
    """The same data as a minidl tensor and a torch tensor."""
    array = np.asarray(values) if dtype is None else np.asarray(values, dtype=dtype)
    return (torchlike.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def _same(ours, theirs, rtol=1e-7, atol=1e-10):
    """Outputs (a tensor or a tuple of them) agree in shape, dtype and value."""
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        expected = t.detach().resolve_conj().numpy()
        assert tuple(o.shape) == expected.shape and o.dtype == expected.dtype, (o, t)
        np.testing.assert_allclose(o.detach().numpy(), expected, rtol=rtol, atol=atol, equal_nan=True)


def _check(fn, *inputs, grad=True, torch_fn=None, rtol=1e-7, atol=1e-10):
    """``fn(module, *tensors)`` with minidl and with torch: the values, and the gradients of a random weighting of
    the floating outputs with respect to the floating inputs."""
    pairs = [_pair(x, requires_grad=grad and np.asarray(x).dtype.kind in "fc") for x in inputs]
    ours = fn(torchlike, *(p[0] for p in pairs))
    theirs = (torch_fn or fn)(torch, *(p[1] for p in pairs))
    _same(ours, theirs, rtol, atol)
    wanted = [i for i, p in enumerate(pairs) if p[1].requires_grad]
    if not wanted:
        return
    ours, theirs = (ours if isinstance(ours, tuple) else (ours,)), (theirs if isinstance(theirs, tuple) else (theirs,))
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(tuple(t.shape)).astype(t.detach().numpy().dtype) for t in theirs]
    for o, t in zip(ours, theirs):  # no gradient here where PyTorch has one: then PyTorch's must be 0
        if t.requires_grad and not o.requires_grad and t.numel():
            assert not any(g is not None and g.count_nonzero() for g in torch.autograd.grad(
                t.sum(), [pairs[i][1] for i in wanted], allow_unused=True, retain_graph=True))
    floating = [k for k, (o, t) in enumerate(zip(ours, theirs)) if t.requires_grad and o.requires_grad]
    if not floating:
        return
    t_grads = torch.autograd.grad([theirs[k] for k in floating], [pairs[i][1] for i in wanted],
                                  [torch.tensor(weights[k]) for k in floating], allow_unused=True)
    m_grads = torchlike.autograd.grad([ours[k] for k in floating], [pairs[i][0] for i in wanted],
                                      [torchlike.tensor(weights[k]) for k in floating], allow_unused=True)
    for i, tg, mg in zip(wanted, t_grads, m_grads):
        expected = np.zeros(pairs[i][1].shape) if tg is None else tg.numpy(force=True)
        actual = np.zeros(pairs[i][1].shape) if mg is None else mg.numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9, equal_nan=True,
                                   err_msg=f"gradient w.r.t. input {i}")


R = np.random.default_rng(7)
MATRIX = R.standard_normal((3, 4))
OTHER = R.standard_normal((3, 4))
VECTOR = R.standard_normal(4)


# ----------------------------------------------------------------------------------------------- combining

@pytest.mark.parametrize("fn", [
    lambda m, x, v: m.atleast_3d([x, v, x[0, 0]]),
    lambda m, x, v: m.atleast_1d(x[0, 0]),
    lambda m, x, v: m.dstack([v, v]),
    lambda m, x, v: m.column_stack((x[:, 0], x, x[:, 1])),
    lambda m, x, v: m.broadcast_tensors(x, v[None, :], x[0, 0]),
    lambda m, x, v: m.block_diag(x, v, x[0, 0], x[:0, :2]),
    lambda m, x, v: m.block_diag(x.long(), v),
    lambda m, x, v: m.cartesian_prod(v, v[:2], v[1:]),
    lambda m, x, v: m.cartesian_prod(v),
    lambda m, x, v: m.combinations(v, 0),
    lambda m, x, v: m.combinations(v, 5),
    lambda m, x, v: m.combinations(v, 1, with_replacement=True),
    lambda m, x, v: m.kron(x, v),
    lambda m, x, v: m.kron(x[0, 0], x.long()),
    lambda m, x, v: m.rot90(x, 0),
    lambda m, x, v: m.rot90(x, 7, [1, 0]),
    lambda m, x, v: m.select(x, -1, -4),
    lambda m, x, v: m.tensor_split(v, [-1, 10]),
    lambda m, x, v: m.tensor_split(x, m.tensor([1, 2]), 1),
    lambda m, x, v: m.tensor_split(x, m.tensor(3), 1),
    lambda m, x, v: m.hsplit(v, 2),
    lambda m, x, v: m.vsplit(x, [2]),
    lambda m, x, v: m.dsplit(x[None], 2),
])
def test_combining_like_pytorch(fn):
    _check(fn, MATRIX, VECTOR)


@pytest.mark.parametrize("dimension, size, step", [(0, 2, 1), (1, 3, 2), (-1, 0, 1), (1, 4, 5)])
def test_unfold_like_pytorch(dimension, size, step):
    _check(lambda m, x: m.unfold_windows(x, dimension, size, step), MATRIX,
           torch_fn=lambda t, x: x.unfold(dimension, size, step))
    for size in (0, 1):
        _check(lambda m, x: m.unfold_windows(x[0, 0], 0, size, step), MATRIX,
               torch_fn=lambda t, x: x[0, 0].unfold(0, size, step))


@pytest.mark.parametrize("shapes", [[(4,), (4, 3), (3, 5), (5,)], [(2, 3), (3, 9), (9, 1), (1, 7)],
                                    [(5, 2), (2,)]])
def test_multi_dot_and_chain_matmul_like_pytorch(shapes):
    matrices = [R.standard_normal(s) for s in shapes]
    _check(lambda m, *xs: m.linalg.multi_dot(list(xs)), *matrices)
    if all(len(s) == 2 for s in shapes):
        with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
            _check(lambda m, *xs: m.chain_matmul(*xs), *matrices)


def test_broadcast_shapes_like_pytorch():
    for shapes in [((2, 1), (3,)), (3, (2, 1)), ((), (0, 1), (1, 5)), ((1,),)]:
        assert torchlike.broadcast_shapes(*shapes) == tuple(torch.broadcast_shapes(*shapes))


def test_block_diag_gradient_after_an_empty_block():
    """PyTorch 2.13 places the gradient of a block that follows an empty (1, 0) block one row too high; ours
    is the slice of ``g`` where the block's values went (the forward, where both agree, shows where)."""
    a, empty, c = (torchlike.tensor(v, dtype=torchlike.float64, requires_grad=True)
                   for v in (5.0, np.zeros(0), [[7.0]]))
    out = torchlike.block_diag(a, empty, c)
    _same(out, torch.block_diag(torch.tensor(5.0), torch.zeros(0), torch.tensor([[7.0]])).double())
    g = torchlike.tensor(np.arange(6.0).reshape(3, 2))
    assert torchlike.autograd.grad(out, [c], g)[0].numpy().tolist() == [[5.0]]


# -------------------------------------------------------------------------------------------- elementwise

INTS, BOOLS = np.array([1, -2, 0, 5]), np.array([True, False, True, False])


@pytest.mark.parametrize("fn", [
    lambda m, i, b: m.sgn(i), lambda m, i, b: m.sgn(b), lambda m, i, b: m.logit(i), lambda m, i, b: m.logit(b),
    lambda m, i, b: m.xlogy(i, i), lambda m, i, b: m.xlogy(2, i.double()), lambda m, i, b: m.xlogy(b, 3),
    lambda m, i, b: m.fmod(i, 3), lambda m, i, b: m.fmod(i, -3.5), lambda m, i, b: m.fmod(i.int(), i.abs() + 1),
    lambda m, i, b: m.float_power(i, 2), lambda m, i, b: m.float_power(2, i.float()),
    lambda m, i, b: m.float_power(i, 0.5j), lambda m, i, b: m.copysign(i, -1),
    lambda m, i, b: m.copysign(b, i), lambda m, i, b: m.deg2rad(i), lambda m, i, b: m.rad2deg(b),
    lambda m, i, b: m.sinc(i), lambda m, i, b: m.heaviside(i, i), lambda m, i, b: m.heaviside(b, b),
    lambda m, i, b: m.hypot(i.float(), i.double()), lambda m, i, b: m.logaddexp(i.double(), i.float()),
])
def test_elementwise_dtypes_like_pytorch(fn):
    _check(fn, INTS, BOOLS, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fn", [
    lambda m, x, y: m.xlogy(x, y),
    lambda m, x, y: m.xlogy(x, 0.0),
    lambda m, x, y: m.xlogy(x, -1.0),
    lambda m, x, y: m.xlogy(0.0, y),
    lambda m, x, y: m.copysign(x, y),
    lambda m, x, y: m.copysign(y, -0.0),
    lambda m, x, y: m.fmod(x, y),
    lambda m, x, y: m.sinc(x),
    lambda m, x, y: m.logit(x.clamp(0, 1), eps=0.25),
    lambda m, x, y: m.logit(x.clamp(0, 1)),
    lambda m, x, y: m.logaddexp(x, y),
    lambda m, x, y: m.logaddexp2(x, y),
    lambda m, x, y: m.frac(y),
    lambda m, x, y: m.sgn(x),
])
def test_elementwise_special_points_like_pytorch(fn):
    """Zeros (signed too), logit's bounds 0 and 1 and clamp bounds, NaN, and negative logarithm arguments.
    (Not infinite inputs: PyTorch's gradients are NaN there for copysign, computed as result / input, and
    for logit outside [0, 1], where ours are the limits of the formulas.)"""
    x = np.array([0.0, 0.0, 0.0, 0.25, 0.75, 1.0, -0.5, 2.0, -4.0, 0.5])
    y = np.array([0.0, -1.0, np.nan, 0.5, -0.0, 3.0, 2.0, -2.5, -0.0, 1e300])
    _check(fn, x, y)


def test_complex_sgn_like_pytorch():
    _check(lambda m, z: m.sgn(z), np.array([3 + 4j, 0j, -1e-3 + 2j, 2 - 1j]))


def test_large_values_like_pytorch():
    big = np.array([1e200, -1e300, 3.0])
    _check(lambda m, a, b: m.hypot(a, b), big, big[::-1].copy())
    _check(lambda m, a, b: m.logaddexp(a, b), big, -big)
    _check(lambda m, a, b: m.logaddexp2(a, b), np.array([1e4, -1e4, -math.inf]), np.array([1.0, -1e4 - 1, 0.0]))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_logcumsumexp_like_pytorch(dim):
    """Values 1000s apart and -inf entries; the gradient at a -inf entry is 0 here (e^(x_j - y_i) = 0), NaN in
    PyTorch, so gradients are compared on finite inputs."""
    x = np.array([[-1000.0, 0.0, 1000.0, -math.inf], [3.0, -math.inf, 2.0, 1e-3], [-math.inf, -math.inf, 1.0, 5.0]])
    _check(lambda m, a: m.logcumsumexp(a, dim), x, rtol=1e-12, grad=False)
    _check(lambda m, a: m.logcumsumexp(a, dim), np.where(np.isinf(x), -700.0, x), rtol=1e-12)
    _check(lambda m, a: m.logcumsumexp(a, dim), R.standard_normal((3, 5, 4)) * 30, rtol=1e-12)
    a = torchlike.tensor(x, requires_grad=True)
    torchlike.logcumsumexp(a, dim).sum().backward()
    assert np.all(a.grad.numpy()[np.isinf(x)] == 0)


# -------------------------------------------------------------------------------------- distances, binning

@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 2.0, 3.5, math.inf])
def test_dist_and_cdist_like_pytorch(p):
    _check(lambda m, a, b: m.dist(a, b, p), MATRIX, OTHER, grad=p != 0)  # (PyTorch has no gradient for p = 0)
    _check(lambda m, a, b: m.dist(a, b, p), MATRIX, VECTOR, grad=False)
    x1, x2 = R.standard_normal((2, 1, 5, 3)), R.standard_normal((3, 4, 3))
    _check(lambda m, a, b: m.cdist(a, b, p), x1, x2, rtol=1e-6, atol=1e-9)


def test_cdist_p2_gradient_is_zero_at_coincident_points():
    _check(lambda m, a, b: m.cdist(a, b), np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[0.0, 0.0]]))


def test_cdist_p_below_one_gradient_where_a_coordinate_difference_is_zero():
    _check(lambda m, a, b: m.cdist(a, b, 0.5), np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.histc(x, 7),
    lambda m, x: m.histc(x, 4, -1, 1),
    lambda m, x: m.histc(x * 0 + 2, 3),
    lambda m, x: m.histc(x[:0], 4),
    lambda m, x: m.histc(m.tensor([0.0, 1.0, 2.0, 3.0], dtype=x.dtype), 3),
])
def test_histc_like_pytorch(fn):
    _check(fn, np.round(MATRIX * 4) / 4, grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, s, v: m.searchsorted(s, v),
    lambda m, s, v: m.searchsorted(s, v, right=True),
    lambda m, s, v: m.searchsorted(s, v, side="right", out_int32=True),
    lambda m, s, v: m.searchsorted(s, 0.5),
    lambda m, s, v: m.searchsorted(s, 1),
    lambda m, s, v: m.searchsorted(s.long(), v),
    lambda m, s, v: m.searchsorted(m.flip(s, [0]), v, sorter=m.tensor([3, 2, 1, 0])),
    lambda m, s, v: m.searchsorted(m.stack([s, s * 2]), v[:2]),
    lambda m, s, v: m.searchsorted(m.stack([s, s * 2]), v[:2], right=True),
    lambda m, s, v: m.bucketize(v, s),
    lambda m, s, v: m.bucketize(v, s, right=True, out_int32=True),
    lambda m, s, v: m.bucketize(0.5, s),
])
def test_searchsorted_and_bucketize_like_pytorch(fn):
    _check(fn, np.array([-1.0, 0.0, 0.5, 2.0]), np.array([[-2.0, 0.5, 0.0, 3.0], [2.0, -1.0, 0.7, 0.5],
                                                          [0.0, 0.0, 9.0, -9.0]]), grad=False)


# --------------------------------------------------------------------------------------- special, testing

@pytest.mark.parametrize("name, args", [
    ("expit", ()), ("logit", ()), ("logit", (0.1,)), ("erf", ()), ("erfc", ()), ("erfinv", ()), ("log1p", ()),
    ("expm1", ()), ("exp2", ()), ("sinc", ()), ("entr", ()), ("gammaln", ()), ("digamma", ()), ("psi", ()),
    ("ndtr", ()), ("ndtri", ()), ("logsumexp", (1,)), ("softmax", (0,)), ("log_softmax", (1,)),
])
def test_special_like_pytorch(name, args):
    x = np.array([[0.05, 0.3, 0.5], [0.7, 0.9, 0.99]])
    _check(lambda m, a: getattr(m.special, name)(a, *args), x, rtol=1e-10)


def test_special_with_keywords_like_pytorch():
    x = np.array([[0.25, 1.5, -2.75], [3.0, 0.5, 4.0]])
    _check(lambda m, a: m.special.round(a, decimals=1), x)
    _check(lambda m, a: m.special.polygamma(2, a.abs() + 0.5), x, rtol=1e-10)
    _check(lambda m, a, b: m.special.xlogy(a, b.abs()), x, x[::-1].copy())


@pytest.mark.parametrize("actual, expected, kw", [
    ([1.0, 2.0, 3.0], [1.0, 2.5, 3.1], {}),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.000001], {}),
    ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 5.0]], {}),
    ([1, 2, 3], [1, 2, 4], {}),
    ([True], [False], {}),
    ([1.0, 2.0], [1.0, 2.5], dict(rtol=0.1, atol=0.0)),
    ([1.0, 2.0], [1.0, 2.5], dict(rtol=0, atol=0)),
    ([1.0, float("inf")], [1.0, -float("inf")], {}),
    ([float("nan")], [float("nan")], {}),
    ([float("nan")], [float("nan")], dict(equal_nan=True)),
    ([0.0, 2.0], [1e-3, 2.0], {}),
    (1.0, 2.0, {}),
    (7, 9, {}),
])
def test_assert_close_messages_like_pytorch(actual, expected, kw):
    def outcome(module, convert):
        try:
            module.testing.assert_close(convert(actual), convert(expected), **kw)
        except AssertionError as error:
            return str(error)
    ours = outcome(torchlike, lambda v: torchlike.tensor(v))
    theirs = outcome(torch, lambda v: torch.tensor(v))
    assert ours == theirs


@pytest.mark.parametrize("keepdim", [False, True])
def test_complex_logsumexp_like_pytorch(keepdim):
    z = np.array([[1 + 1j, 2 - 1j, 0.5j], [-3 + 2j, 0.25, 1 - 2j]])
    _check(lambda lib, x: lib.logsumexp(x, 1, keepdim=keepdim), z)


def test_power_with_a_complex_exponent_like_pytorch():
    _check(lambda lib, a, b: a ** b, np.array([1.5, 2.0, 0.5]), np.array(1 + 0.5j))
    _check(lambda lib, a, b: a ** b, np.array([1.5 - 1j, 2.0 + 0.25j]), np.array([0.5 + 2j, -1.5 + 0j]))
