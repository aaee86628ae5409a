"""The structured and matrix transforms (Independent, Reshape, Cat, Stack, CorrCholesky, LowerCholesky,
PositiveDefinite, Softplus, CumulativeDistribution), the constraints they map to, and ``biject_to`` /
``transform_to``: values, inverses and log-dets against PyTorch's in float64, log-dets against the determinant
of a Jacobian computed by central differences, gradients against PyTorch's and central differences."""
import pickle

import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import check_gradient

torch = pytest.importorskip("torch")

D = T.distributions
RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def _same_draws_in_any_order():
    """Each test draws the same numbers however the tests are ordered or split between workers."""
    global RNG
    RNG = np.random.default_rng(7)


def _normal(loc, scale):
    return lambda L: L.distributions.Normal(L.tensor(loc, dtype=L.float64), L.tensor(scale, dtype=L.float64))


def _transforms(L):
    return L.distributions.transforms


# name: (build the transform from a library, event shape of its input, whether a log-det exists in PyTorch,
# batch shapes to try)
CASES = {
    "Softplus": (lambda L: _transforms(L).SoftplusTransform(), (), True, [(), (4,), (2, 3)]),
    "CorrCholesky3": (lambda L: _transforms(L).CorrCholeskyTransform(), (3,), True, [(), (4,), (2, 3)]),
    "CorrCholesky4": (lambda L: _transforms(L).CorrCholeskyTransform(), (6,), True, [(), (5,)]),
    "LowerCholesky": (lambda L: _transforms(L).LowerCholeskyTransform(), (3, 3), False, [(), (2,), (2, 2)]),
    "PositiveDefinite": (lambda L: _transforms(L).PositiveDefiniteTransform(), (3, 3), False, [(), (2,)]),
    "Reshape": (lambda L: _transforms(L).ReshapeTransform((2, 3), (3, 1, 2)), (2, 3), True, [(), (4,), (2, 2)]),
    "IndependentExp": (lambda L: _transforms(L).IndependentTransform(_transforms(L).ExpTransform(), 2), (2, 3),
                       True, [(), (4,)]),
    "IndependentStickBreaking": (lambda L: _transforms(L).IndependentTransform(
        _transforms(L).StickBreakingTransform(), 1), (2, 3), True, [(), (3,)]),
    "CatWithinEvent": (lambda L: _transforms(L).CatTransform(
        [_transforms(L).ExpTransform(), _transforms(L).identity_transform, _transforms(L).SigmoidTransform()],
        dim=-1, lengths=[2, 1, 2]), (5,), True, [(), (3,), (2, 3)]),
    "CatOfVectors": (lambda L: _transforms(L).CatTransform(
        [_transforms(L).IndependentTransform(_transforms(L).ExpTransform(), 1), _transforms(L).SoftplusTransform()],
        dim=-1, lengths=[3, 1]), (4,), True, [(), (3,)]),
    "CatAlongBatch": (lambda L: _transforms(L).CatTransform(
        [_transforms(L).ExpTransform(), _transforms(L).TanhTransform()], dim=0, lengths=[1, 2]), (), True,
        [(3,), (3, 2)]),
    "StackWithinEvent": (lambda L: _transforms(L).StackTransform(
        [_transforms(L).ExpTransform(), _transforms(L).SoftplusTransform(), _transforms(L).TanhTransform()],
        dim=-1), (3,), True, [(), (4,), (2, 2)]),
    "StackAlongBatch": (lambda L: _transforms(L).StackTransform(
        [_transforms(L).AffineTransform(1.0, -2.0), _transforms(L).SigmoidTransform()], dim=0), (), True,
        [(2,), (2, 3)]),
    "NormalCdf": (lambda L: _transforms(L).CumulativeDistributionTransform(_normal(0.3, 1.2)(L)), (), True,
                  [(), (4,), (2, 3)]),
}


def _both(name):
    build = CASES[name][0]
    return build(T), build(torch)


@pytest.mark.parametrize("name", CASES)
def test_forward_inverse_and_log_det_match_pytorch(name):
    ours, theirs = _both(name)
    event_shape, has_log_det, batch_shapes = CASES[name][1:]
    for batch_shape in batch_shapes:
        x = RNG.normal(size=batch_shape + event_shape)
        y, their_y = ours(T.tensor(x)), theirs(torch.tensor(x))
        np.testing.assert_allclose(y.numpy(), their_y.numpy(), rtol=1e-10, atol=1e-12)
        assert tuple(ours.forward_shape(T.Size(x.shape))) == tuple(theirs.forward_shape(torch.Size(x.shape)))
        assert tuple(ours.inverse_shape(y.shape)) == tuple(theirs.inverse_shape(their_y.shape))
        np.testing.assert_allclose(ours.inv(y).numpy(), theirs.inv(their_y).numpy(), rtol=1e-10, atol=1e-12)
        if has_log_det:
            np.testing.assert_allclose(ours.log_abs_det_jacobian(T.tensor(x), y).numpy(),
                                       theirs.log_abs_det_jacobian(torch.tensor(x), their_y).numpy(),
                                       rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_properties_match_pytorch(name):
    ours, theirs = _both(name)
    assert ours.bijective == theirs.bijective
    assert ours.domain.event_dim == theirs.domain.event_dim
    assert ours.codomain.event_dim == theirs.codomain.event_dim
    assert type(ours.codomain).__name__.lstrip("_") in type(theirs.codomain).__name__
    try:
        their_sign = theirs.sign
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            ours.sign
    else:
        assert ours.sign == their_sign
    assert (ours == _both(name)[0]) == (theirs == _both(name)[1])
    assert ours.inv is ours.inv and ours.inv.inv is ours
    assert ours.inv.domain.event_dim == ours.codomain.event_dim


# --------------------------------------------------------------- log-dets against a numerical Jacobian


def _numerical_log_det(f, x, step=1e-6):
    """log|det ∂f/∂x| for f from R^n to R^n, by central differences."""
    columns = []
    for i in range(x.size):
        h = np.zeros_like(x)
        h[i] = step
        columns.append((f(x + h) - f(x - h)) / (2 * step))
    return np.linalg.slogdet(np.stack(columns, -1))[1]


def _lower(n):
    return np.tril_indices(n)


def _restricted_to_lower_triangle(transform, n):
    """The transform as a map between the lower triangles (row by row) of its input and output."""
    rows, cols = _lower(n)

    def f(vec):
        x = np.zeros((n, n))
        x[rows, cols] = vec
        with T.no_grad():
            return transform(T.tensor(x)).numpy()[rows, cols]
    return f


def _log_det_at(transform, x):
    with T.no_grad():
        x = T.tensor(x)
        return transform.log_abs_det_jacobian(x, transform(x)).numpy()


@pytest.mark.parametrize("n", [2, 3, 4])
def test_corr_cholesky_log_det_is_that_of_the_strict_lower_triangle(n):
    transform = D.CorrCholeskyTransform()
    rows, cols = np.tril_indices(n, -1)
    x = RNG.normal(size=n * (n - 1) // 2)
    numeric = _numerical_log_det(lambda v: transform(T.tensor(v)).numpy()[rows, cols], x)
    np.testing.assert_allclose(_log_det_at(transform, x), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["LowerCholeskyTransform", "PositiveDefiniteTransform"])
def test_matrix_log_dets_are_those_of_the_lower_triangles(name):
    n = 3
    transform = getattr(D, name)()
    x = np.tril(RNG.normal(size=(n, n)) * 0.5)
    numeric = _numerical_log_det(_restricted_to_lower_triangle(transform, n), x[_lower(n)])
    np.testing.assert_allclose(_log_det_at(transform, x), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["Softplus", "CatWithinEvent", "StackWithinEvent", "IndependentExp"])
def test_elementwise_and_structured_log_dets_match_the_jacobian(name):
    transform = CASES[name][0](T)
    x = RNG.normal(size=CASES[name][1])
    numeric = _numerical_log_det(lambda v: transform(T.tensor(v.reshape(x.shape))).numpy().ravel(), x.ravel())
    np.testing.assert_allclose(_log_det_at(transform, x).sum(), numeric, rtol=1e-7, atol=1e-9)


# ------------------------------------------------------------------------------------------------ gradients

@pytest.mark.parametrize("name", ["Softplus", "CorrCholesky3", "LowerCholesky", "PositiveDefinite",
                                  "CatWithinEvent", "StackAlongBatch", "NormalCdf"])
def test_gradients_through_forward_inverse_and_log_det(name):
    event_shape, has_log_det, batch_shapes = CASES[name][1:]
    start = RNG.normal(size=batch_shapes[-1] + event_shape) * 0.7
    weights = RNG.normal(size=CASES[name][0](T).forward_shape(T.Size(start.shape)))

    def build(L, x):
        transform = CASES[name][0](L)
        y = transform(x)
        loss = (y * L.tensor(weights)).sum() + (transform.inv(y * 1.0) ** 2).sum()
        return loss + transform.log_abs_det_jacobian(x, y).sum() if has_log_det else loss
    check_gradient(build, start)


def test_transformed_distribution_log_prob_gradient_matches_pytorch():
    """An LKJ-like density on correlation Cholesky factors: normals pushed through CorrCholesky."""
    loc, scale, value = RNG.normal(size=6), np.exp(RNG.normal(size=6) * 0.3), RNG.normal(size=(3, 6))
    results = []
    for L in (T, torch):
        params = [L.tensor(loc, requires_grad=True), L.tensor(scale, requires_grad=True)]
        transforms = L.distributions.transforms
        dist = L.distributions.TransformedDistribution(L.distributions.Normal(*params),
                                                       [transforms.CorrCholeskyTransform()])
        log_prob = dist.log_prob(transforms.CorrCholeskyTransform()(L.tensor(value)))
        log_prob.sum().backward()
        results.append([log_prob.detach().numpy()] + [p.grad.numpy() for p in params])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------- biject_to / transform_to


def _constraints(L):
    C = L.distributions.constraints
    bound = L.tensor([0.5, -1.0, 2.0], dtype=L.float64)
    return {"real": (C.real, (4, 3)), "positive": (C.positive, (4, 3)), "nonnegative": (C.nonnegative, (4, 3)),
            "greater_than": (C.greater_than(bound), (4, 3)), "greater_than_eq": (C.greater_than_eq(-1.5), (4, 3)),
            "less_than": (C.less_than(3.0), (4, 3)), "interval": (C.interval(-2.0, bound + 3), (4, 3)),
            "half_open_interval": (C.half_open_interval(0.0, 2.0), (4, 3)),
            "unit_interval": (C.unit_interval, (4, 3)), "integer_interval": (C.integer_interval(0, 3), (4, 3)),
            "simplex": (C.simplex, (4, 3)), "lower_cholesky": (C.lower_cholesky, (2, 3, 3)),
            "corr_cholesky": (C.corr_cholesky, (2, 6)), "positive_definite": (C.positive_definite, (2, 3, 3)),
            "positive_semidefinite": (C.positive_semidefinite, (2, 3, 3)), "real_vector": (C.real_vector, (4, 3)),
            "independent": (C.independent(C.positive, 1), (4, 3)), "boolean": (C.boolean, (4, 3)),
            "cat": (C.cat([C.positive, C.real, C.unit_interval], -1, [2, 1, 2]), (4, 5)),
            "stack": (C.stack([C.positive, C.interval(-1.0, 1.0), C.real], -2), (3, 3, 2))}


def _structure(transform):
    """A transform's class and, for the ones made of others, their structure."""
    inner = (getattr(transform, "parts", None) or getattr(transform, "transforms", None)
             or [getattr(transform, "base_transform", None)])
    return (type(transform).__name__,) + tuple(_structure(part) for part in inner if part is not None)


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", sorted(_constraints(T)))
def test_registry_picks_pytorchs_transform_and_lands_in_the_constraint(registry, name):
    (ours, shape), (theirs, _) = _constraints(T)[name], _constraints(torch)[name]
    try:
        their_transform = getattr(torch.distributions, registry)(theirs)
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match="Cannot transform"):
            getattr(D, registry)(ours)
        return
    transform = getattr(D, registry)(ours)
    assert _structure(transform) == _structure(their_transform)
    x = RNG.normal(size=shape)
    y = transform(T.tensor(x))
    assert bool(ours.check(y).all())
    np.testing.assert_allclose(y.numpy(), their_transform(torch.tensor(x)).numpy(), rtol=1e-10, atol=1e-12)
    if registry == "biject_to":
        np.testing.assert_allclose(transform.inv(y).numpy(), x, rtol=1e-8, atol=1e-8)


def test_register_adds_factories_for_classes_and_instances():
    registry = D.constraint_registry.ConstraintRegistry()
    registry.register(D.constraints.positive, lambda c: D.SoftplusTransform())

    @registry.register(D.constraints.interval)
    def _affine(constraint):
        return D.AffineTransform(constraint.lower_bound, constraint.upper_bound)
    assert isinstance(registry(D.constraints.greater_than(3.0)), D.SoftplusTransform)
    assert registry(D.constraints.interval(1.0, 2.0)).scale == 2.0
    with pytest.raises(NotImplementedError, match="Cannot transform _Simplex constraints"):
        registry(D.constraints.simplex)
    with pytest.raises(TypeError, match="Constraint subclass or instance"):
        registry.register(int, lambda c: None)


# ------------------------------------------------------------------------------------------------ constraints


def _matrices():
    lower = np.tril(RNG.normal(size=(3, 3)))
    lower[np.diag_indices(3)] = np.abs(lower[np.diag_indices(3)]) + 0.1
    corr = torch.distributions.transforms.CorrCholeskyTransform()(torch.tensor(RNG.normal(size=3))).numpy()
    indefinite = np.diag([1.0, -1.0, 2.0])
    return [lower, corr, lower @ lower.T, indefinite, np.diag([1.0, 0.0, 2.0]), RNG.normal(size=(3, 3)),
            -lower, corr * 1.01]


@pytest.mark.parametrize("name", ["lower_triangular", "lower_cholesky", "corr_cholesky", "square", "symmetric",
                                  "positive_semidefinite", "positive_definite"])
def test_matrix_constraints_check_as_pytorch(name):
    ours, theirs = getattr(D.constraints, name), getattr(torch.distributions.constraints, name)
    assert (ours.event_dim, ours.is_discrete) == (theirs.event_dim, theirs.is_discrete)
    for matrix in _matrices():
        assert bool(ours.check(T.tensor(matrix))) == bool(theirs.check(torch.tensor(matrix))), matrix
    batch = np.stack(_matrices()[:3])
    np.testing.assert_array_equal(ours.check(T.tensor(batch)).numpy(), theirs.check(torch.tensor(batch)).numpy())
    assert not bool(D.constraints.square.check(T.zeros(2, 3)))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_and_stack_constraints_check_as_pytorch(dim):
    value = RNG.normal(size=(3, 3, 3))

    def checks(L):
        C = L.distributions.constraints
        pieces = [C.positive, C.real, C.interval(-1.0, 1.0)]
        return [(c.event_dim, c.is_discrete, c.check(L.tensor(value)).numpy())
                for c in (C.cat(pieces, dim, [1, 1, 1]), C.stack(pieces, dim), C.cat([C.simplex] * 2, -1, [2, 1]))]
    for (*ours, our_check), (*theirs, their_check) in zip(checks(T), checks(torch)):
        assert ours == theirs
        np.testing.assert_array_equal(our_check, their_check)


# --------------------------------------------------------------------------- caching, equality, shapes, errors


def test_with_cache_caching_and_pickling():
    x = T.tensor(RNG.normal(size=(2, 3)))
    for transform in [D.CorrCholeskyTransform(), D.SoftplusTransform(),
                      D.IndependentTransform(D.ExpTransform(), 1), D.ReshapeTransform((3,), (3, 1)),
                      D.CatTransform([D.ExpTransform(), D.SoftplusTransform()], -1, [2, 1]),
                      D.StackTransform([D.ExpTransform()] * 3, -1), D.ComposeTransform([D.SoftplusTransform()]),
                      D.CumulativeDistributionTransform(_normal(0.0, 1.0)(T)), D.AffineTransform(1.0, 2.0),
                      D.PowerTransform(T.tensor(2.0)), D.ExpTransform().inv]:
        cached = transform.with_cache()
        assert cached._cache_size == 1 and cached.with_cache(1) is cached and transform.with_cache(0) is transform
        y = cached(x)
        assert cached.inv(y) is x and cached(x) is y
        np.testing.assert_allclose(y.numpy(), transform(x).numpy())  # made again with the same parameters
        for part in getattr(cached, "transforms", []) + getattr(cached, "parts", []):
            assert part._cache_size == 1
    inverse = pickle.loads(pickle.dumps(D.ExpTransform().inv))
    np.testing.assert_allclose(inverse(T.tensor(2.0)).item(), np.log(2.0))
    assert D.IndependentTransform(D.ExpTransform(), 1, cache_size=1).base_transform._cache_size == 1
    with pytest.raises(NotImplementedError, match="with_cache is not implemented"):
        type("Custom", (D.Transform,), {"__init__": lambda self, cache_size=0: D.Transform.__init__(self)})(
        ).with_cache()


def test_equality_follows_pytorch():
    assert D.SoftplusTransform() == D.SoftplusTransform() and D.LowerCholeskyTransform() == D.LowerCholeskyTransform()
    assert D.CorrCholeskyTransform() != D.CorrCholeskyTransform()
    assert D.LowerCholeskyTransform() != D.PositiveDefiniteTransform()
    assert D.IndependentTransform(D.ExpTransform(), 1) != D.IndependentTransform(D.ExpTransform(), 1)


def test_event_dims_and_shapes():
    cat = D.CatTransform([D.ExpTransform(), D.StickBreakingTransform().inv], -1, [2, 3])
    assert cat.event_dim == 1 and cat.length == 5
    reshape = D.ReshapeTransform((6,), (2, 3))
    assert reshape.domain.event_dim == 1 and reshape.codomain.event_dim == 2
    assert tuple(reshape.forward_shape((4, 6))) == (4, 2, 3) and tuple(reshape.inverse_shape((4, 2, 3))) == (4, 6)
    assert tuple(D.CorrCholeskyTransform().inverse_shape((5, 4, 4))) == (5, 6)
    assert D.CumulativeDistributionTransform(_normal(0.0, 1.0)(T)).domain is D.constraints.real
    assert repr(D.IndependentTransform(D.ExpTransform(), 2)) == "IndependentTransform(ExpTransform(), 2)"


def test_errors_name_the_transform_and_the_shapes():
    with pytest.raises(ValueError, match="different numbers of elements"):
        D.ReshapeTransform((2, 3), (4,))
    with pytest.raises(ValueError, match="shape mismatch"):
        D.ReshapeTransform((2, 3), (6,)).forward_shape((3, 2))
    with pytest.raises(ValueError, match="not a flattened strictly lower triangle"):
        D.CorrCholeskyTransform().forward_shape((4,))
    with pytest.raises(ValueError, match="not square"):
        D.CorrCholeskyTransform().inverse_shape((3, 4))
    with pytest.raises(ValueError, match=r"CatTransform: a tensor of shape \(2, 4\) has 4 entries along dim -1"):
        D.CatTransform([D.ExpTransform(), D.ExpTransform()], -1, [2, 1])(T.zeros(2, 4))
    with pytest.raises(ValueError, match="StackTransform: dim 2 is out of range"):
        D.StackTransform([D.ExpTransform()], 2)(T.zeros(2, 1))
    with pytest.raises(ValueError, match="IndependentTransform: too few dimensions"):
        D.IndependentTransform(D.ExpTransform(), 2)(T.zeros(3))
    with pytest.raises(TypeError, match="must be a Transform"):
        D.CatTransform([D.ExpTransform(), "exp"])
    with pytest.raises(ValueError, match="2 lengths for 1 constraints"):
        D.constraints.cat([D.constraints.real], 0, [1, 1])
