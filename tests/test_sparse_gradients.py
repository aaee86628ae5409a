"""Sparse gradients (``minidl/eager/sparse_gradients.py``) against PyTorch: ``nn.Embedding(sparse=True)``,
``F.embedding(sparse=True)`` and ``nn.EmbeddingBag(sparse=True)`` give their weight a sparse COO gradient, which
accumulates over backward passes as PyTorch's does; SGD, Adagrad and SparseAdam train with it to PyTorch's
weights; the other optimizers, clipping and the bad combinations refuse it with PyTorch's errors."""
import io

import numpy as np
import pytest

import minidl.eager as torchlike

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Sparse invariant checks")  # torch's, on every sparse_coo_tensor

TABLE = np.random.RandomState(0).randn(7, 3)
IDS = [[1, 2, 1], [0, 6, 2]]


def _numpy(t):
    return t.detach().cpu().numpy()


def _weight(lib, dtype="float64"):
    return lib.tensor(TABLE, dtype=getattr(lib, dtype), requires_grad=True)


def _same_entries(ours, theirs, tol=1e-12):
    """The same sparse gradient: size, stored entries in the same order, and the same coalesced tensor."""
    assert ours.layout is torchlike.sparse_coo and theirs.layout is torch.sparse_coo
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.is_coalesced() == theirs.is_coalesced()
    np.testing.assert_array_equal(_numpy(ours._indices()), _numpy(theirs._indices()))
    np.testing.assert_allclose(_numpy(ours._values()), _numpy(theirs._values()), rtol=tol, atol=tol)
    _same_coalesced(ours, theirs, tol)


def _same_coalesced(ours, theirs, tol=1e-12):
    ours, theirs = ours.coalesce(), theirs.coalesce()
    np.testing.assert_array_equal(_numpy(ours.indices()), _numpy(theirs.indices()))
    np.testing.assert_allclose(_numpy(ours.values()), _numpy(theirs.values()), rtol=tol, atol=tol)


def _both(fn):
    """``fn(lib)`` run on minidl and on PyTorch."""
    return fn(torchlike), fn(torch)


# ------------------------------------------------------------------------------------ the gradient itself

# (PyTorch's backward fails for a 0-d index with a padding_idx: "too many indices for tensor of dimension 0")
@pytest.mark.parametrize("ids, padding_idx", [(IDS, None), (IDS, 2), (IDS, -1), ([4], None), ([2, 2], 2), (5, None),
                                              ([], 1)])
def test_embedding_gradient_is_pytorchs_sparse_tensor(ids, padding_idx):
    def grad(lib):
        w = _weight(lib)
        weights = lib.arange(1.0, 4.0, dtype=lib.float64)  # (a gradient that differs along the row)
        ids_tensor = lib.tensor(ids, dtype=lib.int64)
        (lib.nn.functional.embedding(ids_tensor, w, padding_idx, sparse=True) * weights).sum().backward()
        return w.grad

    ours, theirs = _both(grad)
    _same_entries(ours, theirs)


def test_the_module_and_the_dtype():
    def grad(lib):
        lib.manual_seed(0)
        layer = lib.nn.Embedding(7, 3, padding_idx=0, sparse=True, dtype=lib.float32)
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(TABLE, dtype=lib.float32))
        layer(lib.tensor(IDS)).pow(2).sum().backward()
        return layer.weight.grad, repr(layer)

    (ours, our_repr), (theirs, their_repr) = _both(grad)
    assert ours.dtype == torchlike.float32 and our_repr == their_repr == "Embedding(7, 3, padding_idx=0, sparse=True)"
    _same_entries(ours, theirs, tol=1e-6)


@pytest.mark.parametrize("mode, padding_idx, weighted", [("sum", None, False), ("mean", 2, False), ("sum", 2, True)])
def test_embedding_bag_gradient_is_pytorchs(mode, padding_idx, weighted):
    def grad(lib):
        w = _weight(lib)
        per_sample = lib.tensor(np.linspace(0.5, 2.0, 8)) if weighted else None
        out = lib.nn.functional.embedding_bag(lib.tensor([1, 2, 4, 5, 4, 3, 2, 0]), w, lib.tensor([0, 2, 2, 5]),
                                              mode=mode, sparse=True, padding_idx=padding_idx,
                                              per_sample_weights=per_sample)
        (out * lib.arange(12.0, dtype=lib.float64).reshape(4, 3)).sum().backward()
        return w.grad

    _same_entries(*_both(grad))


def test_embedding_bag_module_and_max_mode():
    def grad(lib):
        bag = lib.nn.EmbeddingBag(7, 3, mode="mean", sparse=True)
        bag(lib.tensor(IDS)).sum().backward()
        return bag.weight.grad

    ours, theirs = _both(grad)
    np.testing.assert_array_equal(_numpy(ours._indices()), _numpy(theirs._indices()))
    np.testing.assert_allclose(_numpy(ours._values()), _numpy(theirs._values()))
    for lib in (torchlike, torch):
        with pytest.raises(ValueError, match="max mode does not support sparse weights"):
            lib.nn.functional.embedding_bag(lib.tensor(IDS), _weight(lib), mode="max", sparse=True)


# ---------------------------------------------------------------------------------------- accumulation

def test_accumulation_over_backward_passes():
    def run(lib):
        F, w = lib.nn.functional, _weight(lib)
        F.embedding(lib.tensor(IDS), w, sparse=True).pow(2).sum().backward()
        first = w.grad
        F.embedding(lib.tensor([3, 1]), w, sparse=True).sum().backward()
        assert w.grad is first and w.grad.layout == lib.sparse_coo and not first.is_coalesced()
        sparse_sum = w.grad.coalesce()
        (w * 2).sum().backward()  # a dense gradient meets the sparse one: a new, dense .grad
        assert w.grad is not first and w.grad.layout == lib.strided
        dense = w.grad
        F.embedding(lib.tensor(IDS), w, sparse=True).sum().backward()  # into a dense .grad: in place
        assert w.grad is dense
        return sparse_sum, dense

    (our_sparse, our_dense), (their_sparse, their_dense) = _both(run)
    _same_coalesced(our_sparse, their_sparse)
    np.testing.assert_allclose(_numpy(our_dense), _numpy(their_dense), rtol=1e-12)


def test_one_weight_used_twice_in_one_graph():
    def run(lib):
        F, w, ids = lib.nn.functional, _weight(lib), lib.tensor(IDS)
        (F.embedding(ids, w, sparse=True).sum() + F.embedding(ids[:1], w, sparse=True).pow(2).sum()).backward()
        both_sparse = w.grad
        w.grad = None
        (F.embedding(ids, w, sparse=True).pow(2).sum() + (w * w).sum()).backward()
        return both_sparse, w.grad

    (our_sparse, our_dense), (their_sparse, their_dense) = _both(run)
    _same_entries(our_sparse, their_sparse)
    assert our_dense.layout is torchlike.strided
    np.testing.assert_allclose(_numpy(our_dense), _numpy(their_dense), rtol=1e-12)


def test_a_non_leaf_weight_gets_the_dense_gradient():
    """Deviation (sparse_gradients.py): PyTorch keeps the gradient sparse through ``w * 2``'s derivative; here
    every op's VJP takes dense gradients, so ``w.grad`` is dense — the same numbers."""
    def run(lib):
        w = _weight(lib)
        lib.nn.functional.embedding(lib.tensor(IDS), w * 2, sparse=True).pow(2).sum().backward()
        return w.grad

    ours, theirs = _both(run)
    assert ours.layout is torchlike.strided
    np.testing.assert_allclose(_numpy(ours), _numpy(theirs.to_dense()), rtol=1e-12)


def test_zero_grad_without_none_empties_the_sparse_gradient():
    def run(lib):
        w = _weight(lib)
        lib.nn.functional.embedding(lib.tensor(IDS), w, sparse=True).sum().backward()
        grad = w.grad
        lib.optim.SGD([w], lr=0.1).zero_grad(set_to_none=False)
        assert w.grad is grad and w.grad._nnz() == 0 and w.grad.is_coalesced()
        lib.nn.functional.embedding(lib.tensor([4, 4]), w, sparse=True).sum().backward()
        assert w.grad is grad
        return w.grad

    _same_entries(*_both(run))


def test_second_derivative_through_a_sparse_embedding():
    def run(lib):
        w = _weight(lib)
        (g,) = lib.autograd.grad(lib.nn.functional.embedding(lib.tensor(IDS), w, sparse=True).pow(3).sum(), w,
                                 create_graph=True)
        assert g.layout == lib.sparse_coo and g.requires_grad
        (g.coalesce().values() * lib.arange(3.0, dtype=lib.float64)).sum().backward()
        return g.detach(), w.grad

    (our_g, our_gg), (their_g, their_gg) = _both(run)
    _same_entries(our_g, their_g)
    _same_coalesced(our_gg, their_gg)


# ------------------------------------------------------------------------------------------- training

def _train(lib, optimizer, options, dtype, steps=4):
    """An embedding (sparse gradients, trained by ``optimizer``) under a linear layer (trained by SGD), a few
    steps of cross-entropy on fixed batches; returns both weights and the embedding's optimizer."""
    rng = np.random.RandomState(1)
    batches = [(rng.randint(0, 7, size=(5, 3)), rng.randint(0, 2, size=5)) for _ in range(steps)]
    dtype = getattr(lib, dtype)
    embedding = lib.nn.Embedding(7, 3, padding_idx=options.pop("padding_idx", None), sparse=True, dtype=dtype)
    linear = lib.nn.Linear(3, 2, bias=False, dtype=dtype)
    with lib.no_grad():
        embedding.weight.copy_(lib.tensor(TABLE, dtype=dtype))
        linear.weight.copy_(lib.tensor(TABLE[:2], dtype=dtype))
    sparse_optimizer = getattr(lib.optim, optimizer)(embedding.parameters(), **options)
    dense_optimizer = lib.optim.SGD(linear.parameters(), lr=0.1)
    for ids, labels in batches:
        sparse_optimizer.zero_grad()
        dense_optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(linear(embedding(lib.tensor(ids)).mean(1)), lib.tensor(labels))
        loss.backward()
        sparse_optimizer.step()
        dense_optimizer.step()
    return _numpy(embedding.weight), _numpy(linear.weight), sparse_optimizer


TRAINING = [
    ("SGD", dict(lr=0.5)),
    ("SGD", dict(lr=0.3, momentum=0.9, nesterov=True, padding_idx=2)),
    ("SGD", dict(lr=0.3, momentum=0.5, dampening=0.3, maximize=True)),
    ("Adagrad", dict(lr=0.3)),
    ("Adagrad", dict(lr=0.3, lr_decay=0.1, initial_accumulator_value=0.2, eps=1e-6, padding_idx=0)),
    ("SparseAdam", dict(lr=0.1)),
    ("SparseAdam", dict(lr=0.1, betas=(0.8, 0.95), eps=1e-6, maximize=True)),
]


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-10), ("float32", 1e-6)])
@pytest.mark.parametrize("optimizer, options", TRAINING)
def test_training_gives_pytorchs_weights(optimizer, options, dtype, tol):
    ours = _train(torchlike, optimizer, dict(options), dtype)
    theirs = _train(torch, optimizer, dict(options), dtype)
    assert not np.allclose(ours[0], TABLE)  # (it trained)
    for mine, expected in zip(ours[:2], theirs[:2]):
        np.testing.assert_allclose(mine, expected, rtol=tol, atol=tol)


def test_sparse_adam_state_dict_round_trip():
    embedding_weights, _, optimizer = _train(torchlike, "SparseAdam", dict(lr=0.1), "float64", steps=2)
    state = optimizer.state_dict()
    buffer = io.BytesIO()
    torchlike.save(state, buffer)
    buffer.seek(0)
    loaded = torchlike.load(buffer)
    assert loaded["state"][0]["step"] == 2 and isinstance(loaded["state"][0]["step"], int)  # (an int, as PyTorch's)
    w = torchlike.tensor(embedding_weights, requires_grad=True)
    again = torchlike.optim.SparseAdam([w], lr=0.1)
    again.load_state_dict(loaded)
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_array_equal(_numpy(again.state[w][key]), _numpy(optimizer.state[optimizer.param_groups[0][
            "params"][0]][key]))
    assert again.state[w]["exp_avg"] is not loaded["state"][0]["exp_avg"]  # (copied on loading)
    assert again.param_groups[0]["betas"] == (0.9, 0.999)


def test_sgd_momentum_buffer_is_sparse_and_saves():
    _, _, optimizer = _train(torchlike, "SGD", dict(lr=0.1, momentum=0.9), "float64", steps=2)
    _, _, reference = _train(torch, "SGD", dict(lr=0.1, momentum=0.9), "float64", steps=2)
    (ours,), (theirs,) = ([s["momentum_buffer"] for s in o.state.values()] for o in (optimizer, reference))
    assert ours.layout is torchlike.sparse_coo
    _same_coalesced(ours, theirs)
    buffer = io.BytesIO()
    torchlike.save(optimizer.state_dict(), buffer)
    buffer.seek(0)
    _same_coalesced(torchlike.load(buffer)["state"][0]["momentum_buffer"], theirs)


def test_lbfgs_takes_a_sparse_gradient_as_dense():
    def run(lib):
        w = _weight(lib)
        optimizer = lib.optim.LBFGS([w], max_iter=3)

        def closure():
            optimizer.zero_grad()
            loss = lib.nn.functional.embedding(lib.tensor(IDS), w, sparse=True).pow(2).sum()
            loss.backward()
            return loss
        optimizer.step(closure)
        return _numpy(w)

    ours, theirs = _both(run)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------------------------ errors

def _sparse_grad(lib):
    w = _weight(lib)
    lib.nn.functional.embedding(lib.tensor(IDS), w, sparse=True).pow(2).sum().backward()
    return w


REFUSALS = {
    "Adam": lambda lib, w: lib.optim.Adam([w]).step(),
    "AdamW": lambda lib, w: lib.optim.AdamW([w]).step(),
    "NAdam": lambda lib, w: lib.optim.NAdam([w]).step(),
    "RMSprop": lambda lib, w: lib.optim.RMSprop([w]).step(),
    "Adadelta": lambda lib, w: lib.optim.Adadelta([w]).step(),
    "Adafactor": lambda lib, w: lib.optim.Adafactor([w]).step(),
    "SGD weight_decay": lambda lib, w: lib.optim.SGD([w], lr=0.1, weight_decay=0.1).step(),
    "SGD fused": lambda lib, w: lib.optim.SGD([w], lr=0.1, fused=True).step(),
    "Adagrad weight_decay": lambda lib, w: lib.optim.Adagrad([w], weight_decay=0.1).step(),
    "Adagrad fused": lambda lib, w: lib.optim.Adagrad([w], fused=True).step(),
    "SparseAdam dense": lambda lib, w: (setattr(w, "grad", w.grad.to_dense()), lib.optim.SparseAdam([w]).step()),
    "SparseAdam sparse param": lambda lib, w: lib.optim.SparseAdam([w, lib.eye(2).to_sparse().requires_grad_()]),
    "SparseAdam complex param": lambda lib, w: lib.optim.SparseAdam([w, lib.zeros(2, dtype=lib.complex64)]),
    "SparseAdam betas": lambda lib, w: lib.optim.SparseAdam([w], betas=(0.9, 1.0)),
    "scale_grad_by_freq": lambda lib, w: lib.nn.functional.embedding(
        lib.tensor(IDS), w, scale_grad_by_freq=True, sparse=True).sum().backward(),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_are_pytorchs(case):
    errors = []
    for lib in (torchlike, torch):
        w = _sparse_grad(lib)
        with pytest.raises(Exception) as caught:
            REFUSALS[case](lib, w)
        errors.append(caught.value)
    ours, theirs = errors
    assert isinstance(ours, type(theirs)) and str(ours) == str(theirs)


@pytest.mark.parametrize("clip", [lambda lib, w: lib.nn.utils.clip_grad_norm_([w], 0.5),
                                  lambda lib, w: lib.nn.utils.clip_grad_value_([w], 0.5)], ids=["norm", "value"])
def test_clipping_a_sparse_gradient_is_refused_as_in_pytorch(clip):
    for lib in (torchlike, torch):
        with pytest.raises(NotImplementedError):
            clip(lib, _sparse_grad(lib))


# --------------------------------------------------------------------- the sparse-dense methods it rests on

def test_sparse_mask_dense_add_and_clone():
    def run(lib):
        dense = lib.arange(12.0, dtype=lib.float64).reshape(4, 3)
        mask = lib.sparse_coo_tensor([[1, 0, 1]], lib.ones(3, 3, dtype=lib.float64), (4, 3))
        masked = dense.sparse_mask(mask)
        updated = dense.clone()
        updated.add_(mask, alpha=-2.5)
        copy = mask.clone()
        copy.mul_(3)
        return masked, updated, copy, mask

    (masked, updated, copy, mask), (their_masked, their_updated, their_copy, _) = _both(run)
    _same_entries(masked, their_masked)
    _same_entries(copy, their_copy)
    np.testing.assert_array_equal(_numpy(updated), _numpy(their_updated))
    np.testing.assert_array_equal(_numpy(mask._values()), np.ones((3, 3)))  # (the clone is a copy)
    with pytest.raises(RuntimeError, match=r"sparse_mask\(\): operands have incompatible sizes"):
        torchlike.ones(5, 3).sparse_mask(mask)
    with pytest.raises(RuntimeError, match="add: expected 'self' and 'other' to have same size"):
        torchlike.ones(5, 3).add_(mask)
