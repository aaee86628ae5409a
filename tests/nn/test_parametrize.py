"""``nn.utils.parametrize`` (a tensor recomputed from ``original`` at every access: chains, right_inverse, tuples of
originals, caching, removal, the generated class, state_dict) and ``nn.utils.parametrizations`` (orthogonal,
weight_norm, spectral_norm): values, state_dict keys and reprs against PyTorch where it is installed, gradients
against float64 central differences."""
import copy

import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.nn.utils import parametrizations, parametrize
from tests.gradient_checks import check_gradient
from tests.nn.torch_compare import copy_weights, pair, run_both, torch_or_skip

RNG = np.random.default_rng(0)


def parametrization_classes(lib):
    """The same parametrizations written for either library (``lib``: minidl.eager or torch)."""
    class Symmetric(lib.nn.Module):  # no right_inverse: ``original`` starts as the weight itself
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    class Double(lib.nn.Module):
        def forward(self, X):
            return 2 * X

        def right_inverse(self, W):
            return W / 2

    class RankOne(lib.nn.Module):  # two originals: the weight is their outer product
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, W):
            return W[:, 0] * 1.0, W[0, :] / W[0, 0]  # exact when W has rank one

    return Symmetric, Double, RankOne


Symmetric, Double, RankOne = parametrization_classes(torchlike)


def linear(*args, **kwargs):
    return nn.Linear(*args, **kwargs).double()


def values(t):
    return t.detach().numpy()


# =============================================================================================== parametrize

def test_the_tensor_is_computed_from_original_at_every_access():
    layer = linear(3, 3)
    weight = layer.weight
    parametrize.register_parametrization(layer, "weight", Symmetric())
    original = layer.parametrizations.weight.original
    assert original is weight  # the same Parameter object: an optimizer made earlier still trains it
    assert type(layer).__name__ == "ParametrizedLinear" and isinstance(layer, nn.Linear)
    assert parametrize.type_before_parametrizations(layer) is nn.Linear
    assert type(linear(2, 2)) is nn.Linear  # other layers keep their class
    assert parametrize.is_parametrized(layer) and parametrize.is_parametrized(layer, "weight")
    assert not parametrize.is_parametrized(layer, "bias") and not parametrize.is_parametrized(linear(2, 2))
    assert isinstance(layer.parametrizations.weight, parametrize.ParametrizationList)
    assert isinstance(layer.parametrizations.weight, nn.ModuleList)
    W = values(layer.weight)
    np.testing.assert_array_equal(W, W.T)
    np.testing.assert_array_equal(np.triu(W), np.triu(values(original)))
    with torchlike.no_grad():
        original.add_(1.0)
    np.testing.assert_array_equal(values(layer.weight), np.triu(W + 1) + np.triu(W + 1, 1).T)
    assert [k for k, _ in layer.named_parameters()] == ["bias", "parametrizations.weight.original"]
    assert list(layer.state_dict()) == ["bias", "parametrizations.weight.original"]
    x = RNG.standard_normal((4, 3))
    np.testing.assert_allclose(values(layer(torchlike.tensor(x))), x @ values(layer.weight).T + values(layer.bias))


def test_gradients_reach_original_and_training_keeps_the_constraint():
    layer = parametrize.register_parametrization(linear(3, 3), "weight", Symmetric())
    x = RNG.standard_normal((5, 3))
    layer(torchlike.tensor(x)).sum().backward()
    grad_w = np.ones((5, 3)).T @ x  # d sum(x Wᵀ) / dW
    # W = triu(X) + triu(X, 1)ᵀ: an entry above the diagonal feeds W[i, j] and W[j, i]; below, nothing
    expected = np.triu(grad_w) + np.triu(grad_w.T, 1)
    np.testing.assert_allclose(layer.parametrizations.weight.original.grad.numpy(), expected, rtol=1e-12)
    optimizer = torchlike.optim.SGD(layer.parameters(), lr=0.1)
    optimizer.step()
    W = values(layer.weight)
    np.testing.assert_array_equal(W, W.T)


def test_chains_repr_state_dict_and_outputs_match_pytorch():
    torch = torch_or_skip()
    layers = []
    for lib in (torchlike, torch):
        sym, double, _ = parametrization_classes(lib)
        layer = lib.nn.Linear(3, 3).double()
        lib.nn.utils.parametrize.register_parametrization(layer, "weight", sym())
        lib.nn.utils.parametrize.register_parametrization(layer, "weight", double())
        lib.nn.utils.parametrize.register_parametrization(layer, "weight", double())
        lib.nn.utils.parametrize.register_parametrization(layer, "bias", double())
        layers.append(layer)
    mine, theirs = layers
    assert repr(mine) == repr(theirs)
    assert "(0): Symmetric()\n      (1-2): 2 x Double()" in repr(mine)
    assert type(mine).__name__ == type(theirs).__name__ == "ParametrizedLinear"
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ["parametrizations.weight.original",
                                                                    "parametrizations.bias.original"]
    copy_weights(mine, theirs)  # load_state_dict with the parametrized keys
    run_both(mine, theirs, RNG.standard_normal((4, 3)))  # outputs and the gradients of each original


def test_right_inverse_sets_original_at_registration_and_on_assignment():
    layer = linear(2, 2)
    before = values(layer.weight).copy()
    parametrize.register_parametrization(layer, "weight", Double())
    parametrize.register_parametrization(layer, "weight", Double())
    # the first keeps the weight (original = right_inverse(weight)); a later one is applied to it, as in PyTorch
    np.testing.assert_allclose(values(layer.parametrizations.weight.original), before / 2)
    np.testing.assert_allclose(values(layer.weight), 2 * before)
    original = layer.parametrizations.weight.original
    layer.weight = torchlike.tensor([[4.0, 8.0], [12.0, 16.0]], dtype=torchlike.float64)
    assert layer.parametrizations.weight.original is original  # the same tensor, new values
    np.testing.assert_allclose(values(original), [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(values(layer.weight), [[4.0, 8.0], [12.0, 16.0]])
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        layer.weight = nn.Parameter(torchlike.zeros(2, 2))
    parametrize.register_parametrization(layer, "weight", Symmetric())
    with pytest.raises(RuntimeError, match="parametrization Symmetric does not implement right_inverse"):
        layer.weight = torchlike.zeros(2, 2, dtype=torchlike.float64)


def test_right_inverse_returning_a_tuple_makes_several_originals():
    layer = linear(3, 3)
    u, v = RNG.standard_normal(3), RNG.standard_normal(3)
    with torchlike.no_grad():
        layer.weight.copy_(torchlike.tensor(np.outer(u, v)))
    parametrize.register_parametrization(layer, "weight", RankOne())
    plist = layer.parametrizations.weight
    assert plist.ntensors == 2 and not plist.is_tensor
    assert list(layer.state_dict()) == ["bias", "parametrizations.weight.original0",
                                        "parametrizations.weight.original1"]
    assert all(isinstance(t, nn.Parameter) and t.requires_grad for t in (plist.original0, plist.original1))
    np.testing.assert_allclose(values(layer.weight), np.outer(u, v), rtol=1e-12)
    layer.weight = torchlike.tensor(np.outer(v, u))
    np.testing.assert_allclose(values(plist.original0), v * u[0])
    np.testing.assert_allclose(values(layer.weight), np.outer(v, u), rtol=1e-12)
    layer.weight.sum().backward()
    np.testing.assert_allclose(plist.original0.grad.numpy(), np.full(3, values(plist.original1).sum()))
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
    parametrize.remove_parametrizations(layer, "weight")
    assert type(layer) is nn.Linear and isinstance(layer.weight, nn.Parameter)
    np.testing.assert_allclose(values(layer.weight), np.outer(v, u), rtol=1e-12)


def test_tuple_originals_keys_match_pytorch():
    torch = torch_or_skip()
    W = np.outer(RNG.standard_normal(3), RNG.standard_normal(2))
    layers = []
    for lib in (torchlike, torch):
        layer = lib.nn.Linear(2, 3).double()
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(W))
        lib.nn.utils.parametrize.register_parametrization(layer, "weight", parametrization_classes(lib)[2]())
        layers.append(layer)
    mine, theirs = layers
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    copy_weights(mine, theirs)
    run_both(mine, theirs, RNG.standard_normal((4, 2)))


def test_cached_computes_each_tensor_once_per_block():
    calls = []

    class Counted(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 1.0

    layer = parametrize.register_parametrization(linear(2, 2), "weight", Counted())
    calls.clear()
    with parametrize.cached():
        first = layer.weight
        with parametrize.cached():  # nested: the values stay until the outermost block ends
            assert layer.weight is first
        assert layer.weight is first
        layer(torchlike.ones(1, 2, dtype=torchlike.float64))
    assert len(calls) == 1
    assert layer.weight is not first and len(calls) == 2  # recomputed outside


def test_remove_parametrizations_keeps_the_tensor_object():
    layer = linear(2, 2)
    parametrize.register_parametrization(layer, "weight", Double())
    parametrize.register_parametrization(layer, "bias", Double())
    original = layer.parametrizations.weight.original
    doubled = values(layer.weight).copy()
    parametrize.remove_parametrizations(layer, "weight")
    assert layer.weight is original and isinstance(layer.weight, nn.Parameter)
    np.testing.assert_allclose(values(layer.weight), doubled)
    assert type(layer).__name__ == "ParametrizedLinear"  # the bias is still parametrized
    bias_original = values(layer.parametrizations.bias.original).copy()
    parametrize.remove_parametrizations(layer, "bias", leave_parametrized=False)
    np.testing.assert_allclose(values(layer.bias), bias_original)
    assert type(layer) is nn.Linear and not hasattr(layer, "parametrizations")
    assert list(layer.state_dict()) == ["weight", "bias"]
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(layer, "weight")


def test_buffers_can_be_parametrized():
    norm = nn.BatchNorm1d(3).double()
    parametrize.register_parametrization(norm, "running_var", Double())
    assert "parametrizations.running_var.original" in dict(norm.named_buffers())
    assert "parametrizations.running_var.original" in norm.state_dict()
    np.testing.assert_allclose(values(norm.running_var), np.ones(3))
    np.testing.assert_allclose(values(norm.parametrizations.running_var.original), np.full(3, 0.5))
    parametrize.remove_parametrizations(norm, "running_var")
    assert "running_var" in dict(norm.named_buffers()) and type(norm) is nn.BatchNorm1d


def test_training_mode_state_dict_round_trip_and_deepcopy():
    layer = linear(2, 2).eval()
    parametrize.register_parametrization(layer, "weight", Double())
    assert not layer.parametrizations.weight[0].training  # takes the module's mode
    other = parametrize.register_parametrization(linear(2, 2), "weight", Double())
    other.load_state_dict(layer.state_dict())
    np.testing.assert_array_equal(values(other.weight), values(layer.weight))
    copied = copy.deepcopy(layer)
    assert type(copied).__name__ == "ParametrizedLinear" and type(copied) is not type(layer)
    np.testing.assert_array_equal(values(copied.weight), values(layer.weight))
    assert copied.parametrizations.weight.original is not layer.parametrizations.weight.original
    parametrize.remove_parametrizations(copied, "weight")  # the copy has its own class: the layer keeps its property
    assert type(copied) is nn.Linear and parametrize.is_parametrized(layer, "weight")
    np.testing.assert_allclose(values(layer.weight), values(copied.weight))


def test_bad_parametrizations_are_refused():
    class Shrink(nn.Module):
        def forward(self, X):
            return X[:1]

    class ToFloat32(nn.Module):
        def forward(self, X):
            return X.float()

    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element with name "
                                         "'kernel'"):
        parametrize.register_parametrization(linear(2, 2), "kernel", Double())
    with pytest.raises(ValueError, match="may not change the shape of the tensor, unless the `unsafe` flag"):
        parametrize.register_parametrization(linear(2, 2), "weight", Shrink())
    with pytest.raises(ValueError, match="may not change the dtype of the tensor"):
        parametrize.register_parametrization(linear(2, 2), "weight", ToFloat32())
    layer = parametrize.register_parametrization(linear(2, 2), "weight", Double())
    with pytest.raises(ValueError, match="may not change the shape"):  # chained onto an existing one
        parametrize.register_parametrization(layer, "weight", Shrink())
    assert len(layer.parametrizations.weight) == 1
    layer = parametrize.register_parametrization(linear(2, 2), "weight", Shrink(), unsafe=True)
    assert tuple(layer.weight.shape) == (1, 2)
    with pytest.raises(ValueError, match="is None; there is no tensor to parametrize"):
        parametrize.register_parametrization(linear(2, 2, bias=False), "bias", Double())
    with pytest.raises(TypeError, match="parametrization must be an nn.Module, got function"):
        parametrize.register_parametrization(linear(2, 2), "weight", lambda x: x)


def test_parametrize_and_parametrizations_are_reachable_as_in_pytorch():
    assert nn.utils.parametrize is parametrize and nn.utils.parametrizations is parametrizations
    assert nn.utils.parametrizations.weight_norm is not nn.utils.weight_norm  # the older hook-based one stays


# ============================================================================================== orthogonal

MAPS = ["matrix_exp", "cayley", "householder"]


@pytest.mark.parametrize("orthogonal_map", MAPS + [None])
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5)])
@pytest.mark.parametrize("use_trivialization", [True, False])
def test_orthogonal_matches_pytorch(orthogonal_map, shape, use_trivialization):
    torch = torch_or_skip()
    mine, theirs = pair("Linear", shape[1], shape[0])
    kwargs = dict(orthogonal_map=orthogonal_map, use_trivialization=use_trivialization)
    parametrizations.orthogonal(mine, **kwargs)
    torch.nn.utils.parametrizations.orthogonal(theirs, **kwargs)
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    # the starting weight: the layer's weight made orthogonal the same way (rectangular trivializations complete
    # the base with random columns, which differ, but do not reach the weight)
    np.testing.assert_allclose(values(mine.weight), values(theirs.weight), atol=1e-12)
    copy_weights(mine, theirs)
    run_both(mine, theirs, RNG.standard_normal((4, shape[1])), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("orthogonal_map", MAPS)
def test_orthogonal_weights_stay_orthogonal_while_training(orthogonal_map):
    for shape in ((4, 4), (6, 3), (2, 5, 3)):  # square, tall, a batch of wide matrices
        layer = nn.Module()
        layer.weight = nn.Parameter(torchlike.tensor(RNG.standard_normal(shape)))
        parametrizations.orthogonal(layer, orthogonal_map=orthogonal_map)
        optimizer = torchlike.optim.SGD(layer.parameters(), lr=0.2)
        for _ in range(3):
            optimizer.zero_grad()
            (layer.weight * torchlike.tensor(RNG.standard_normal(shape))).sum().backward()
            optimizer.step()
        Q = values(layer.weight)
        Q = Q if Q.shape[-2] >= Q.shape[-1] else np.swapaxes(Q, -1, -2)
        np.testing.assert_allclose(np.swapaxes(Q, -1, -2) @ Q, np.broadcast_to(np.eye(Q.shape[-1]), Q.shape[:-2] +
                                                                                (Q.shape[-1],) * 2), atol=1e-12)


def test_orthogonal_assignment_and_errors():
    layer = parametrizations.orthogonal(linear(3, 3), orthogonal_map="cayley")
    square = np.linalg.qr(RNG.standard_normal((3, 3)))[0]
    layer.weight = torchlike.tensor(square)  # an orthogonal matrix is stored as it is
    np.testing.assert_allclose(values(layer.weight), square, atol=1e-12)
    np.testing.assert_allclose(values(layer.parametrizations.weight.original), -np.eye(3))
    layer = parametrizations.orthogonal(linear(2, 4), orthogonal_map="householder", use_trivialization=False)
    Q = np.linalg.qr(RNG.standard_normal((4, 2)))[0]
    layer.weight = torchlike.tensor(Q)  # through the Householder reflectors of Q
    np.testing.assert_allclose(values(layer.weight), Q, atol=1e-12)
    layer = parametrizations.orthogonal(linear(3, 3), use_trivialization=False)
    with pytest.raises(NotImplementedError, match="not possible to assign to the matrix exponential or the Cayley"):
        layer.weight = torchlike.tensor(square)
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices of shape"):
        parametrizations.orthogonal(linear(3, 3)).weight = torchlike.eye(2, dtype=torchlike.float64)
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor of 1 dimensions."):
        parametrizations.orthogonal(linear(3, 3), "bias")
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                                         "Got: qr"):
        parametrizations.orthogonal(linear(3, 3), orthogonal_map="qr")
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'kernel'"):
        parametrizations.orthogonal(linear(3, 3), "kernel")


@pytest.mark.parametrize("orthogonal_map, shape, use_trivialization", [
    ("matrix_exp", (3, 3), True), ("cayley", (3, 3), True), ("householder", (3, 3), True),
    ("matrix_exp", (4, 2), False), ("cayley", (2, 4), False), ("householder", (4, 2), False)])
def test_orthogonal_maps_gradient(orthogonal_map, shape, use_trivialization):
    start_weight = RNG.standard_normal(shape)
    start = RNG.standard_normal(shape) * 0.5
    if orthogonal_map == "householder":  # the signs are read from the diagonal (truncated to ±1): keep off 0
        np.fill_diagonal(start, [1.5, -1.5][:min(shape)])
    directions = RNG.standard_normal(shape)

    def build(L, x):
        layer = L.nn.Linear(shape[1], shape[0], bias=False).double()
        with L.no_grad():
            layer.weight.copy_(L.tensor(start_weight))
        L.nn.utils.parametrizations.orthogonal(layer, orthogonal_map=orthogonal_map,
                                               use_trivialization=use_trivialization)
        Q = layer.parametrizations.weight[0](x)  # the map itself, on the leaf x
        return (Q * L.tensor(directions)).sum()

    check_gradient(build, start)


# ============================================================================================= weight norm

@pytest.mark.parametrize("dim", [0, 1, None, -2])
def test_weight_norm_matches_pytorch(dim):
    torch = torch_or_skip()
    mine, theirs = pair("Conv2d", 2, 3, 3)
    parametrizations.weight_norm(mine, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(theirs, dim=dim)
    assert repr(mine) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    np.testing.assert_allclose(values(mine.weight), values(theirs.weight), rtol=1e-12)
    run_both(mine, theirs, RNG.standard_normal((2, 2, 5, 5)))


def test_weight_norm_is_g_times_the_direction_of_v():
    layer = parametrizations.weight_norm(linear(4, 3))
    g, v = layer.parametrizations.weight.original0, layer.parametrizations.weight.original1
    assert tuple(g.shape) == (3, 1) and tuple(v.shape) == (3, 4)
    before = values(layer.weight).copy()
    np.testing.assert_allclose(values(g)[:, 0], np.linalg.norm(before, axis=1))  # the weight is unchanged
    with torchlike.no_grad():
        g.fill_(2.0)
        v.mul_(5.0)  # the length of v does not matter
    np.testing.assert_allclose(np.linalg.norm(values(layer.weight), axis=1), 2.0)
    np.testing.assert_allclose(values(layer.weight), 2 * before / np.linalg.norm(before, axis=1, keepdims=True))
    g_start = RNG.standard_normal((3, 1))
    check_gradient(lambda L, x: (L.nn.utils.parametrizations.weight_norm(L.nn.Linear(4, 3).double())
                                 .parametrizations.weight[0](L.tensor(g_start), x) ** 3).sum(),
                   RNG.standard_normal((3, 4)))


# =========================================================================================== spectral norm

def test_spectral_norm_matches_pytorch_in_training_and_eval():
    torch = torch_or_skip()
    for name, args, x in (("Linear", (4, 3), RNG.standard_normal((5, 4))),
                          ("ConvTranspose2d", (3, 2, 3), RNG.standard_normal((2, 3, 4, 4)))):  # dim 1
        mine, theirs = pair(name, *args)
        parametrizations.spectral_norm(mine, n_power_iterations=2)
        torch.nn.utils.parametrizations.spectral_norm(theirs, n_power_iterations=2)
        assert repr(mine) == repr(theirs)
        assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
        copy_weights(mine, theirs)  # the same u and v
        run_both(mine, theirs, x)  # training: two power iterations per read (u and v compared as buffers)
        run_both(mine.eval(), theirs.eval(), x)  # eval: u and v as they are


def test_spectral_norm_normalizes_the_largest_singular_value():
    torchlike.manual_seed(0)  # the weights and power iteration's start: how fast it converges depends on them
    layer = parametrizations.spectral_norm(linear(5, 4))
    # 15 power iterations at registration, one more at the check: σ is already close
    assert abs(np.linalg.svd(values(layer.weight), compute_uv=False)[0] - 1) < 1e-2
    u = values(layer.parametrizations.weight[0]._u).copy()
    layer.eval()
    layer.weight
    np.testing.assert_array_equal(values(layer.parametrizations.weight[0]._u), u)  # eval: no iteration
    layer.train()
    for _ in range(30):
        layer.weight
    np.testing.assert_allclose(np.linalg.svd(values(layer.weight), compute_uv=False)[0], 1.0, rtol=1e-10)
    vector = nn.Module()
    vector.weight = nn.Parameter(torchlike.tensor([3.0, 4.0]))
    parametrizations.spectral_norm(vector)  # a vector: divided by its norm, no u, v
    np.testing.assert_allclose(values(vector.weight), [0.6, 0.8], rtol=1e-6)
    assert list(vector.state_dict()) == ["parametrizations.weight.original"]
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\] but got 2\)"):
        parametrizations.spectral_norm(linear(2, 2), dim=2)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but got n_power_iterations=0"):
        parametrizations.spectral_norm(linear(2, 2), n_power_iterations=0)
    u_start, v_start = RNG.standard_normal(3), RNG.standard_normal(4)

    def build(L, x):  # σ = uᵀ W v with fixed u, v (eval mode): the gradient of W / σ
        layer = L.nn.utils.parametrizations.spectral_norm(L.nn.Linear(4, 3).double()).eval()
        norm = layer.parametrizations.weight[0]
        with L.no_grad():
            norm._u.copy_(L.tensor(u_start))
            norm._v.copy_(L.tensor(v_start))
        return (norm(x) ** 2).sum()

    check_gradient(build, RNG.standard_normal((3, 4)))
