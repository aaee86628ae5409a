"""Sparse COO tensors in eager mode (``minidl/eager/sparse_coo_tensors.py``, ``sparse_functions.py``) against PyTorch:
creation, coalescing, conversions, the sparse-dense product with both gradients, sums, softmax, arithmetic,
saving, the errors, and a two-layer graph convolutional network trained for a few steps."""
import io

import numpy as np
import pytest

import minidl.eager as torchlike

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Sparse invariant checks")  # torch's, on every sparse_coo_tensor

# entries with a duplicate (0, 2) and out of row-major order
INDICES = [[0, 1, 1, 0], [2, 0, 2, 2]]
VALUES = [3.0, 4.0, 5.0, 1.0]


def _numpy(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach().cpu().numpy())


def _close(ours, theirs, rtol=1e-6, atol=1e-7):
    expected = _numpy(theirs)
    assert tuple(ours.shape) == expected.shape
    assert np.dtype(ours.dtype.name) == expected.dtype, (ours.dtype, expected.dtype)
    np.testing.assert_allclose(_numpy(ours), expected, rtol=rtol, atol=atol)


def _same_sparse(ours, theirs):
    """Same layout facts, same stored entries (in the same order), same dense tensor."""
    assert ours.is_sparse and ours.layout is torchlike.sparse_coo
    assert (ours._nnz(), ours.sparse_dim(), ours.dense_dim()) == (theirs._nnz(), theirs.sparse_dim(),
                                                                   theirs.dense_dim())
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.is_coalesced() == theirs.is_coalesced()
    np.testing.assert_array_equal(_numpy(ours._indices()), _numpy(theirs._indices()))
    _close(ours._values(), theirs._values())
    _close(ours.to_dense(), theirs.to_dense())


def _pair(indices, values, size=None, dtype="float32", **kw):
    values = np.asarray(values, dtype=dtype)
    return (torchlike.sparse_coo_tensor(indices, torchlike.tensor(values), size, **kw),
            torch.sparse_coo_tensor(torch.tensor(indices), torch.tensor(values), size, **kw))


# ------------------------------------------------------------------------------------------- creation

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_creation_coalescing_and_parts_match_torch(dtype):
    ours, theirs = _pair(INDICES, VALUES, (2, 3), dtype)
    _same_sparse(ours, theirs)
    assert ours.dtype == getattr(torchlike, dtype) and ours.device.type == "cpu"
    assert ours.shape == (2, 3) and ours.size() == (2, 3) and ours.size(-1) == 3 and ours.dim() == 2
    assert isinstance(ours, torchlike.Tensor) and not torchlike.ones(1).is_sparse
    coalesced = ours.coalesce()
    _same_sparse(coalesced, theirs.coalesce())
    assert coalesced.coalesce() is coalesced
    np.testing.assert_array_equal(_numpy(coalesced.indices()), [[0, 1, 1], [2, 0, 2]])
    _close(coalesced.values(), theirs.coalesce().values())
    for name in ("indices", "values"):
        with pytest.raises(RuntimeError, match=f"Cannot get {name} on an uncoalesced tensor"):
            getattr(ours, name)()


def test_size_and_dtype_are_inferred_as_torch_does():
    for indices, values in ((INDICES, [1, 2, 3, 4]), (INDICES, VALUES), ([[0, 3]], [[1.0, 2.0], [3.0, 4.0]])):
        ours = torchlike.sparse_coo_tensor(indices, values)
        _same_sparse(ours, torch.sparse_coo_tensor(indices, values))
    assert torchlike.sparse_coo_tensor(INDICES, VALUES, dtype=torchlike.float64).dtype == torchlike.float64


def test_empty_and_hybrid_tensors():
    empty = ([[], []], np.zeros(0, np.float32))
    ours = torchlike.sparse_coo_tensor(torchlike.tensor(empty[0], dtype=torchlike.int64),
                                       torchlike.tensor(empty[1]), (2, 3))
    theirs = torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0), (2, 3))
    _same_sparse(ours, theirs)
    _same_sparse(ours.coalesce(), theirs.coalesce())
    _close(torchlike.sparse.mm(ours, torchlike.ones(3, 2)), torch.sparse.mm(theirs, torch.ones(3, 2)))
    hybrid = np.arange(8, dtype=np.float32).reshape(4, 2)
    _same_sparse(*_pair(INDICES, hybrid, (2, 3, 2)))
    _same_sparse(_pair(INDICES, hybrid, (2, 3, 2))[0].coalesce(), _pair(INDICES, hybrid, (2, 3, 2))[1].coalesce())


def test_to_sparse_of_a_dense_tensor_and_back():
    dense = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -3.0]], np.float32)
    _same_sparse(torchlike.tensor(dense).to_sparse(), torch.tensor(dense).to_sparse())
    _same_sparse(torchlike.tensor(dense).to_sparse(1), torch.tensor(dense).to_sparse(1))
    _same_sparse(torchlike.zeros(2, 3).to_sparse(), torch.zeros(2, 3).to_sparse())
    x = torchlike.tensor(dense, requires_grad=True)
    (x.to_sparse().to_dense() * torchlike.tensor(dense + 1)).sum().backward()
    np.testing.assert_array_equal(_numpy(x.grad), np.where(dense != 0, dense + 1, 0))  # only where stored
    assert torchlike.tensor(dense).to_dense() is not None


# ------------------------------------------------------------------------------------ sparse @ dense

MATMULS = {"sparse.mm": lambda m, a, x: m.sparse.mm(a, x), "spmm": lambda m, a, x: m.spmm(a, x),
           "mm": lambda m, a, x: m.mm(a, x), "matmul": lambda m, a, x: m.matmul(a, x), "@": lambda m, a, x: a @ x,
           "method mm": lambda m, a, x: a.mm(x)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", MATMULS)
def test_sparse_dense_product_and_gradients_of_the_dense_operand_and_the_values(name, dtype):
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((3, 4)).astype(dtype), rng.standard_normal((2, 4)).astype(dtype)
    results = []
    for m in (torchlike, torch):
        w = m.tensor(np.asarray(VALUES, dtype), requires_grad=True)
        dense = m.tensor(x, requires_grad=True)
        out = MATMULS[name](m, m.sparse_coo_tensor(m.tensor(INDICES), w, (2, 3)), dense)
        (out * m.tensor(g)).sum().backward()
        results.append((out, dense.grad, w.grad))
    for ours, theirs in zip(*results):
        _close(ours, theirs, rtol=1e-5)
    np.testing.assert_allclose(_numpy(results[0][2]), (g @ x.T)[tuple(INDICES)], rtol=1e-5)  # G Xᵀ at the entries


def test_a_sparse_leaf_gets_a_sparse_gradient_over_its_positions():
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    grads = []
    for m in (torchlike, torch):
        a = m.sparse_coo_tensor(m.tensor(INDICES), m.tensor(VALUES, dtype=m.float64), (2, 3), requires_grad=True)
        assert a.is_leaf and a.requires_grad and a.grad is None
        (m.sparse.mm(a, m.tensor(x)) * m.tensor(g)).sum().backward()
        grads.append(a.grad)
    ours, theirs = grads
    assert ours.is_sparse
    np.testing.assert_array_equal(_numpy(ours._indices()), _numpy(theirs._indices()))
    _close(ours.to_dense(), theirs.to_dense(), rtol=1e-12)  # the duplicate (0, 2) counts once
    for m in (torchlike, torch):  # through to_dense and coalesce too
        a = m.sparse_coo_tensor(m.tensor(INDICES), m.tensor(VALUES), (2, 3), requires_grad=True)
        (a.coalesce().values().sum() + a.to_dense()[1, 2]).backward()
        grads.append(a.grad.to_dense())
    _close(grads[2], grads[3])


def test_vector_products_and_addmm():
    ours, theirs = _pair(INDICES, VALUES, (2, 3))
    _close(ours @ torchlike.tensor([1.0, 2.0, 3.0]), theirs @ torch.tensor([1.0, 2.0, 3.0]))
    m, x = np.ones((2, 2), np.float32), np.arange(6, dtype=np.float32).reshape(3, 2)
    _close(torchlike.sparse.addmm(torchlike.tensor(m), ours, torchlike.tensor(x), beta=0.5, alpha=2.0),
           torch.sparse.addmm(torch.tensor(m), theirs, torch.tensor(x), beta=0.5, alpha=2.0))


def test_dense_operands_of_other_functions_are_unchanged():
    a = torchlike.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(_numpy(torchlike.mm(a, a)), [[7.0, 10.0], [15.0, 22.0]])
    np.testing.assert_array_equal(_numpy(torchlike.matmul(a, a)), _numpy(a @ a))
    assert float(torchlike.sum(a)) == 10.0


# --------------------------------------------------------------------------- sum, softmax, arithmetic

@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1)])
def test_sparse_sum_and_its_gradient(dim):
    results = []
    for m in (torchlike, torch):
        w = m.tensor(VALUES, requires_grad=True)
        total = m.sparse.sum(m.sparse_coo_tensor(m.tensor(INDICES), w, (2, 3)), **({} if dim is None else
                                                                                 {"dim": dim}))
        dense = total.to_dense() if total.is_sparse else total
        (dense * m.arange(1, dense.numel() + 1, dtype=m.float32).reshape(dense.shape)).sum().backward()
        results.append((total, w.grad))
    (ours, ours_grad), (theirs, theirs_grad) = results
    if theirs.is_sparse:
        _same_sparse(ours, theirs)
    else:
        assert not ours.is_sparse
        _close(ours, theirs)
    _close(ours_grad, theirs_grad)
    hybrid = _pair(INDICES, np.arange(8, dtype=np.float32).reshape(4, 2), (2, 3, 2))
    _same_sparse(torchlike.sparse.sum(hybrid[0], 2), torch.sparse.sum(hybrid[1], 2))
    _close(torchlike.sparse.sum(hybrid[0], (0, 1)), torch.sparse.sum(hybrid[1], (0, 1)))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1])
def test_sparse_softmax_over_the_stored_entries(fn, dim):
    values = np.array([3.0, 4.0, 5.0, 1.0, 900.0])  # a large one: the shift keeps exp finite
    indices = [row + [1] for row in INDICES]
    results = []
    for m in (torchlike, torch):
        w = m.tensor(values, requires_grad=True)
        out = getattr(m.sparse, fn)(m.sparse_coo_tensor(m.tensor(indices), w, (2, 3)), dim)
        (out.to_dense() * m.tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
        results.append((out, w.grad))
    _same_sparse(results[0][0], results[1][0])
    _close(results[0][1], results[1][1], rtol=1e-10, atol=1e-12)


def test_transpose_scaling_and_sums_of_sparse_tensors():
    (ours, theirs), (other, their_other) = _pair(INDICES, VALUES, (2, 3)), _pair([[1, 0], [1, 1]], [7.0, 8.0], (2, 3))
    _same_sparse(ours.t(), theirs.t())
    _same_sparse(ours.mul(2.5), theirs.mul(2.5))
    _same_sparse(2.5 * ours, 2.5 * theirs)
    _same_sparse(ours / 2, theirs / 2)
    _same_sparse(ours.coalesce() + other.coalesce(), theirs.coalesce() + their_other.coalesce())
    total = ours + other  # uncoalesced: both sets of entries (PyTorch orders them differently)
    assert not total.is_coalesced() and total._nnz() == 6
    _close(total.to_dense(), (theirs + their_other).to_dense())
    _close(torchlike.ones(2, 3) + ours, torch.ones(2, 3) + theirs)
    with pytest.raises(RuntimeError, match=r"add\(sparse, dense\) is not supported"):
        ours + torchlike.ones(2, 3)
    assert float(ours.sum()) == float(theirs.sum())
    w = torchlike.tensor(VALUES, requires_grad=True)
    a = torchlike.sparse_coo_tensor(torchlike.tensor(INDICES), w, (2, 3))
    (a.t() * 3 + a.t()).to_dense().sum().backward()
    np.testing.assert_array_equal(_numpy(w.grad), [4.0] * 4)


def test_conversions_keep_the_layout(device):
    ours, _ = _pair(INDICES, VALUES, (2, 3))
    assert ours.to("cpu") is ours and ours.cpu() is ours
    double = ours.double()
    assert double.is_sparse and double.dtype == torchlike.float64 and ours.to(torchlike.float64).is_sparse
    moved = ours.to(device)
    assert moved.device.type == device and moved._indices().device.type == device
    np.testing.assert_array_equal(_numpy(moved.to_dense()), _numpy(ours.to_dense()))
    if device == "cuda":
        assert ours.cuda().is_cuda and "device='cuda:0'" in repr(ours.cuda())


def test_repr_matches_torch():
    for kw in ({}, {"requires_grad": True}):
        ours, theirs = _pair(INDICES, VALUES, (2, 3), **kw)
        assert repr(ours) == repr(theirs)
    ours, theirs = _pair([[0, 1], [1, 0]], [1.5, -2.0], (2, 2), "float64")
    assert repr(ours) == repr(theirs).replace("torch.float64", "minidl.float64")
    ours, theirs = torchlike.zeros(2, 3).to_sparse(), torch.zeros(2, 3).to_sparse()
    assert repr(ours).split("values")[0] == repr(theirs).split("values")[0]


def test_save_and_load_round_trip():
    a = torchlike.sparse_coo_tensor(INDICES, VALUES, (2, 3), requires_grad=True)
    buffer = io.BytesIO()
    torchlike.save({"a": a, "c": a.detach().coalesce()}, buffer)
    buffer.seek(0)
    loaded = torchlike.load(buffer)
    for key, original in (("a", a), ("c", a.detach().coalesce())):
        assert loaded[key].is_sparse and loaded[key].is_coalesced() == original.is_coalesced()
        np.testing.assert_array_equal(_numpy(loaded[key]._indices()), _numpy(original._indices()))
        np.testing.assert_array_equal(_numpy(loaded[key].to_dense()), _numpy(original.to_dense()))
    assert loaded["a"].requires_grad and not loaded["c"].requires_grad


# --------------------------------------------------------------------------------------------- errors

def test_bad_construction_is_refused_with_torchs_words():
    with pytest.raises(RuntimeError, match="size is inconsistent with indices: for dim 0, size is 1 but found "
                                           "index 1"):
        torchlike.sparse_coo_tensor(INDICES, VALUES, (1, 3))
    with pytest.raises(RuntimeError, match="indices and values must have same nnz, but got nnz from indices: 4, "
                                           "nnz from values: 3"):
        torchlike.sparse_coo_tensor(INDICES, VALUES[:3], (2, 3))
    with pytest.raises(RuntimeError, match=r"len\(size\) = 2, sparse_dim = 4, dense_dim = 0"):
        torchlike.sparse_coo_tensor(np.array(INDICES).T, [1.0, 2.0], (2, 3))
    with pytest.raises(RuntimeError, match="found negative index -1 for dim 0"):
        torchlike.sparse_coo_tensor([[-1], [0]], [1.0], (2, 3))
    with pytest.raises(RuntimeError, match="indices must be sparse_dim x nnz"):
        torchlike.sparse_coo_tensor([0, 1], [1.0, 2.0], (2,))
    with pytest.raises(RuntimeError, match="int64"):
        torchlike.sparse_coo_tensor(torchlike.tensor([[0.5]]), [1.0], (2,))
    with pytest.raises(RuntimeError, match="is_coalesced=True, but"):
        torchlike.sparse_coo_tensor(INDICES, VALUES, (2, 3), is_coalesced=True)


def test_dense_operations_on_a_sparse_tensor_name_the_op_and_the_layout():
    a, _ = _pair(INDICES, VALUES, (2, 3))
    with pytest.raises(NotImplementedError, match=r"Exp: .*not implemented for sparse tensors \(layout=torch"
                                                  r"\.sparse_coo"):
        torchlike.exp(a)
    with pytest.raises(NotImplementedError, match="Relu: .*sparse_coo"):
        torchlike.nn.functional.relu(a)
    with pytest.raises(NotImplementedError, match=r"__rmatmul__\(\) is not implemented for sparse"):
        torchlike.ones(2, 2) @ a
    for method, args in (("exp", ()), ("view", (-1,)), ("__getitem__", (0,)), ("numpy", ()), ("backward", ()),
                         ("reshape", (3, 2))):
        with pytest.raises(NotImplementedError, match=rf"{method}\(\) is not implemented for sparse tensors"):
            getattr(a, method)(*args)
    with pytest.raises(NotImplementedError, match=r"T\(\) is not implemented"):
        a.T
    with pytest.raises(NotImplementedError, match="sparse"):
        np.asarray(a)
    with pytest.raises(NotImplementedError, match="only a number"):
        a * torchlike.ones(2, 3)


def test_bad_products_are_refused():
    a, _ = _pair(INDICES, VALUES, (2, 3))
    with pytest.raises(RuntimeError, match="Expected dim 0 size 3, got 4"):
        torchlike.sparse.mm(a, torchlike.ones(4, 2))
    with pytest.raises(RuntimeError, match="expected scalar type float32 but found float64"):
        torchlike.sparse.mm(a, torchlike.ones(3, 2, dtype=torchlike.float64))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"):
        torchlike.sparse.mm(a, a)
    with pytest.raises(TypeError, match="sparse COO, CSR or CSC tensor"):
        torchlike.sparse.mm(torchlike.ones(2, 3), torchlike.ones(3, 2))
    with pytest.raises(RuntimeError, match="sparse matrix"):
        torchlike.sparse.mm(_pair(INDICES, np.ones((4, 2)), (2, 3, 2))[0], torchlike.ones(3, 2))


# ------------------------------------------------------------------------------------ a whole program

def _gcn_run(m, device, adjacency_indices, n, features, labels, weights, steps):
    """Kipf & Welling's GCN: Â = D^-1/2 (A + I) D^-1/2 as a sparse tensor, two layers Â relu(Â X W1) W2, trained
    with SGD; the losses, and the first layer's gradient after the first step."""
    loops = m.arange(n, device=device).repeat(2, 1)
    indices = m.cat([m.tensor(adjacency_indices, device=device), loops], dim=1)
    a = m.sparse_coo_tensor(indices, m.ones(indices.shape[1], device=device), (n, n)).coalesce()
    degree = m.sparse.sum(a, dim=1).to_dense()
    rows, columns = a.indices()
    norm = degree[rows].rsqrt() * degree[columns].rsqrt()
    a_hat = m.sparse_coo_tensor(a.indices(), a.values() * norm, (n, n))
    w1, w2 = (m.nn.Parameter(m.tensor(w, device=device)) for w in weights)
    x, y = m.tensor(features, device=device), m.tensor(labels, device=device)
    optimizer = m.optim.SGD([w1, w2], lr=0.5)
    losses, first_grads = [], None
    for _ in range(steps):
        optimizer.zero_grad()
        hidden = m.relu(m.sparse.mm(a_hat, x @ w1))
        logits = m.spmm(a_hat, hidden @ w2)
        loss = m.nn.functional.cross_entropy(logits, y)
        loss.backward()
        losses.append(loss.item())
        if first_grads is None:
            first_grads = (w1.grad.detach().clone(), w2.grad.detach().clone())
        optimizer.step()
    return losses, first_grads, (w1.detach(), w2.detach())


def test_a_two_layer_gcn_trains_as_it_does_on_torch(device):
    rng = np.random.default_rng(3)
    n, f, hidden, classes = 12, 5, 8, 3
    edges = {(i, j) for i, j in rng.integers(0, n, (30, 2)) if i != j}
    edges = sorted(edges | {(j, i) for i, j in edges})
    adjacency = np.array(edges, dtype=np.int64).T
    features = rng.standard_normal((n, f)).astype(np.float32)
    labels = rng.integers(0, classes, n)
    weights = [rng.standard_normal((f, hidden)).astype(np.float32) * 0.5,
               rng.standard_normal((hidden, classes)).astype(np.float32) * 0.5]
    ours = _gcn_run(torchlike, device, adjacency, n, features, labels, weights, steps=5)
    theirs = _gcn_run(torch, "cpu", adjacency, n, features, labels, weights, steps=5)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    assert ours[0][-1] < ours[0][0]
    for mine, reference in zip(ours[1] + ours[2], theirs[1] + theirs[2]):
        _close(mine, reference, rtol=1e-4, atol=1e-6)
