"""Sparse CSR tensors in eager mode (``minidl/eager/sparse_csr_tensors.py``) against PyTorch: construction,
conversions to and from dense and COO tensors, the products with their gradients (and float64 central
differences), repr, saving, and the errors."""
import io

import numpy as np
import pytest

import minidl.eager as torchlike
from tests.gradient_checks import check_gradient

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Sparse invariant checks", "ignore:Sparse CSR tensor support")

# a 3 × 4 matrix: row 0 holds columns 0 and 3, row 1 nothing, row 2 column 1
CROW, COL, VALUES = [0, 2, 2, 3], [0, 3, 1], [1.5, -2.0, 3.0]
SIZE = (3, 4)


def _numpy(t):
    return t.detach().cpu().numpy()


def _close(ours, theirs, rtol=1e-6, atol=1e-7):
    expected = _numpy(theirs)
    assert tuple(ours.shape) == expected.shape
    assert np.dtype(ours.dtype.name) == expected.dtype, (ours.dtype, expected.dtype)
    np.testing.assert_allclose(_numpy(ours), expected, rtol=rtol, atol=atol)


def _same_csr(ours, theirs):
    """Same layout facts, the same parts (dtypes too), the same dense matrix."""
    assert ours.layout is torchlike.sparse_csr and theirs.layout is torch.sparse_csr
    assert ours.is_sparse_csr and not ours.is_sparse and isinstance(ours, torchlike.Tensor)
    assert (ours._nnz(), tuple(ours.shape), ours.dim()) == (theirs._nnz(), tuple(theirs.shape), theirs.dim())
    for mine, reference in ((ours.crow_indices(), theirs.crow_indices()), (ours.col_indices(), theirs.col_indices())):
        assert np.dtype(mine.dtype.name) == _numpy(reference).dtype
        np.testing.assert_array_equal(_numpy(mine), _numpy(reference))
    _close(ours.values(), theirs.values())
    _close(ours.to_dense(), theirs.to_dense())


def _same_coo(ours, theirs):
    assert ours.is_sparse and ours.layout is torchlike.sparse_coo and ours.is_coalesced() == theirs.is_coalesced()
    np.testing.assert_array_equal(_numpy(ours._indices()), _numpy(theirs._indices()))
    _close(ours._values(), theirs._values())
    _close(ours.to_dense(), theirs.to_dense())


def _csr(m, crow=CROW, col=COL, values=VALUES, size=SIZE, dtype="float32", index_dtype="int64", **kw):
    return m.sparse_csr_tensor(m.tensor(np.asarray(crow, index_dtype)), m.tensor(np.asarray(col, index_dtype)),
                               m.tensor(np.asarray(values, dtype)), size, **kw)


# ------------------------------------------------------------------------------------------- creation

@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
def test_creation_and_parts_match_torch(dtype, index_dtype):
    ours, theirs = (_csr(m, dtype=dtype, index_dtype=index_dtype, check_invariants=True) for m in (torchlike, torch))
    _same_csr(ours, theirs)
    assert ours.dtype == getattr(torchlike, dtype) and ours.device.type == "cpu" and ours.crow_indices().ndim == 1
    assert ours.shape == SIZE and ours.size() == SIZE and ours.size(-1) == 4 and ours.numel() == 12
    assert (ours.sparse_dim(), ours.dense_dim()) == (theirs.sparse_dim(), theirs.dense_dim())
    assert not torchlike.ones(1).is_sparse_csr


def test_size_and_dtype_are_inferred_as_torch_does():
    for crow, col, values, kw in ((CROW, COL, VALUES, {}), (CROW, COL, [1, 2, 3], {}),
                                  (CROW, COL, [1, 2, 3], {"dtype": "float64"}), ([0, 0, 0], [], [], {})):
        args = [(m.tensor(crow), m.tensor(col, dtype=m.int64), m.tensor(values)) for m in (torchlike, torch)]
        ours = torchlike.sparse_csr_tensor(*args[0], **{k: getattr(torchlike, v) for k, v in kw.items()})
        theirs = torch.sparse_csr_tensor(*args[1], **{k: getattr(torch, v) for k, v in kw.items()})
        _same_csr(ours, theirs)
    from_lists = torchlike.sparse_csr_tensor(CROW, COL, VALUES)
    _same_csr(from_lists, torch.sparse_csr_tensor(CROW, COL, VALUES))
    assert from_lists.shape == (3, 4) and from_lists.crow_indices().dtype == torchlike.int64


def test_repr_matches_torch():
    cases = [{}, {"requires_grad": True}, {"dtype": "float64"}, {"index_dtype": "int32"},
             {"crow": [0, 0], "col": [], "values": [], "size": (1, 5)}]
    for kw in cases:
        ours, theirs = (_csr(m, **kw) for m in (torchlike, torch))
        assert repr(ours) == repr(theirs).replace("torch.float64", "minidl.float64")
    rng = np.random.default_rng(0)
    dense = (rng.random((30, 40)) < 0.2) * rng.integers(1, 1000, (30, 40)).astype(np.float32)
    for conversion in ("to_sparse_csr", "to_sparse"):  # long parts: wrapped where PyTorch wraps them
        assert repr(getattr(torchlike.tensor(dense), conversion)()) == repr(getattr(torch.tensor(dense), conversion)())


# ---------------------------------------------------------------------------------------- conversions

def test_dense_to_csr_and_back():
    dense = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -3.0], [0.0, 0.0, 0.0]], np.float32)
    for ours, theirs in ((torchlike.tensor(dense).to_sparse_csr(), torch.tensor(dense).to_sparse_csr()),
                         (torchlike.tensor(dense).to_sparse(layout=torchlike.sparse_csr),
                          torch.tensor(dense).to_sparse(layout=torch.sparse_csr)),
                         (torchlike.zeros(2, 3).to_sparse_csr(), torch.zeros(2, 3).to_sparse_csr())):
        _same_csr(ours, theirs)
        assert ours.to_sparse_csr() is ours and ours.to_sparse(layout=torchlike.sparse_csr) is ours
    grads = []
    for m in (torchlike, torch):  # the gradient reaches the dense tensor at its nonzero elements, as in PyTorch
        x = m.tensor(dense, requires_grad=True)
        (x.to_sparse_csr().to_dense() * m.tensor(dense + 1)).sum().backward()
        grads.append(x.grad)
    _close(*grads)


def test_csr_to_coo_and_coo_to_csr():
    ours, theirs = _csr(torchlike), _csr(torch)
    for convert in (lambda a: a.to_sparse(), lambda a: a.to_sparse_coo(), lambda a: a.to_sparse(2),
                    lambda a: a.to_sparse(layout=a.to_sparse().layout)):
        _same_coo(convert(ours), convert(theirs))
    indices, values = [[1, 0, 0, 1, 2], [0, 3, 3, 1, 2]], [1.0, 2.0, 3.0, 4.0, 5.0]  # a duplicate, out of order
    coo = [m.sparse_coo_tensor(m.tensor(indices), m.tensor(values), (3, 4)) for m in (torchlike, torch)]
    _same_csr(coo[0].to_sparse_csr(), coo[1].to_sparse_csr())
    _same_csr(coo[0].to_sparse(layout=torchlike.sparse_csr), coo[1].to_sparse(layout=torch.sparse_csr))
    assert coo[0].to_sparse_coo() is coo[0]
    int32 = _csr(torchlike, index_dtype="int32").to_sparse()
    assert int32._indices().dtype == torchlike.int64


@pytest.mark.parametrize("path", ["to_dense", "values", "to_sparse", "coo_to_csr"])
def test_gradients_pass_through_conversions_as_in_torch(path):
    weights = np.arange(12.0).reshape(3, 4)
    grads = []
    for m in (torchlike, torch):
        w = m.tensor([1.0, 2.0, 3.0, 4.0] if path == "coo_to_csr" else VALUES, requires_grad=True)
        if path == "coo_to_csr":
            a = m.sparse_coo_tensor(m.tensor([[2, 0, 0, 1], [1, 3, 3, 0]]), w, SIZE).to_sparse_csr()
        else:
            a = m.sparse_csr_tensor(m.tensor(CROW), m.tensor(COL), w, SIZE)
        if path == "values":
            out = (a.values() ** 2).sum()
        else:
            dense = (a.to_sparse() if path == "to_sparse" else a).to_dense()
            out = (dense * m.tensor(weights, dtype=m.float32)).sum()
        out.backward()
        grads.append(w.grad)
    _close(*grads)


def test_sum_and_conversions_keep_the_layout(device):
    ours, theirs = _csr(torchlike), _csr(torch)
    _close(ours.sum(), theirs.sum())
    _close(torchlike.sum(ours), torch.sum(theirs))
    assert ours.to("cpu") is ours and ours.cpu() is ours
    double = ours.double()
    assert double.layout is torchlike.sparse_csr and double.dtype == torchlike.float64
    assert double.crow_indices() is ours.crow_indices()
    moved = ours.to(device)
    assert moved.device.type == device and moved.crow_indices().device.type == device
    np.testing.assert_array_equal(_numpy(moved.to_dense()), _numpy(ours.to_dense()))
    product = torchlike.sparse.mm(moved, torchlike.ones(4, 2, device=device))
    np.testing.assert_array_equal(_numpy(product), _numpy(torch.sparse.mm(theirs, torch.ones(4, 2))))


# ------------------------------------------------------------------------------------ CSR @ dense

PRODUCTS = {"sparse.mm": lambda m, a, x: m.sparse.mm(a, x), "mm": lambda m, a, x: m.mm(a, x),
            "spmm": lambda m, a, x: m.spmm(a, x), "matmul": lambda m, a, x: m.matmul(a, x),
            "@": lambda m, a, x: a @ x, "method mm": lambda m, a, x: a.mm(x),
            "addmm": lambda m, a, x: m.addmm(m.ones(3, 2, dtype=x.dtype), a, x, beta=0.5, alpha=2.0),
            "sparse.addmm": lambda m, a, x: m.sparse.addmm(m.ones(3, 2, dtype=x.dtype), a, x, alpha=-1.5),
            "method addmm": lambda m, a, x: m.full((3, 2), 2.0, dtype=x.dtype).addmm(a, x)}


@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", PRODUCTS)
def test_products_and_gradients_of_the_values_and_the_dense_operand(name, dtype, index_dtype):
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((4, 2)).astype(dtype), rng.standard_normal((3, 2)).astype(dtype)
    results = []
    for m in (torchlike, torch):
        w = m.tensor(np.asarray(VALUES, dtype), requires_grad=True)
        dense = m.tensor(x, requires_grad=True)
        a = m.sparse_csr_tensor(m.tensor(np.asarray(CROW, index_dtype)), m.tensor(np.asarray(COL, index_dtype)), w,
                                SIZE)
        out = PRODUCTS[name](m, a, dense)
        (out * m.tensor(g)).sum().backward()
        results.append((out, dense.grad, w.grad))
    for ours, theirs in zip(*results):
        _close(ours, theirs, rtol=1e-5)


def test_vector_product_and_a_csr_leaf_gets_a_csr_gradient():
    ours, theirs = _csr(torchlike), _csr(torch)
    _close(ours @ torchlike.tensor([1.0, 2.0, 3.0, 4.0]), theirs @ torch.tensor([1.0, 2.0, 3.0, 4.0]))
    x = np.random.default_rng(1).standard_normal((4, 2))
    for use in (lambda m, a: m.sparse.mm(a, m.tensor(x)).sum(), lambda m, a: (a.to_dense() ** 2).sum()):
        grads = []
        for m in (torchlike, torch):
            a = _csr(m, dtype="float64", requires_grad=True)
            assert a.is_leaf and a.requires_grad and a.grad is None
            use(m, a).backward()
            grads.append(a.grad)
        _same_csr(*grads)


def test_numerical_gradients_in_float64():
    rng = np.random.default_rng(2)
    x, g = rng.standard_normal((4, 3)), rng.standard_normal((3, 3))

    def through_values(m, values):
        a = m.sparse_csr_tensor(m.tensor(CROW), m.tensor(COL), values, SIZE)
        return ((m.sparse.mm(a, m.tensor(x)) * m.tensor(g)).sum() + (a.to_dense() ** 3).sum()
                + m.addmm(m.tensor(g), a, m.tensor(x), alpha=0.5).pow(2).sum())

    def through_dense(m, dense):
        a = m.sparse_csr_tensor(m.tensor(CROW), m.tensor(COL), m.tensor(VALUES, dtype=m.float64), SIZE)
        return ((a @ dense).sin() * m.tensor(g)).sum()

    check_gradient(through_values, np.array(VALUES))
    check_gradient(through_dense, x)


# ------------------------------------------------------------------------------------------ save, load

def test_save_and_load_round_trip():
    a = _csr(torchlike, index_dtype="int32", requires_grad=True)
    buffer = io.BytesIO()
    torchlike.save({"a": a, "b": a.detach().double()}, buffer)
    buffer.seek(0)
    loaded = torchlike.load(buffer)
    for key, original in (("a", a), ("b", a.detach().double())):
        assert loaded[key].layout is torchlike.sparse_csr and loaded[key].dtype == original.dtype
        assert loaded[key].crow_indices().dtype == torchlike.int32
        np.testing.assert_array_equal(_numpy(loaded[key].col_indices()), COL)
        np.testing.assert_array_equal(_numpy(loaded[key].to_dense()), _numpy(original.to_dense()))
    assert loaded["a"].requires_grad and not loaded["b"].requires_grad


# --------------------------------------------------------------------------------------------- errors

INVARIANTS = [([1, 2, 3], [0, 1], r"`crow_indices\[..., 0\] == 0` is not satisfied"),
              ([0, 1, 1], [0, 1], r"`crow_indices\[..., -1\] == nnz` is not satisfied"),
              ([0, 2, 1, 2], [0, 1], r"`0 <= crow_indices\[..., 1:\] - crow_indices\[..., :-1\] <= ncols` is not"),
              ([0, 1, 2], [0, 4], "`0 <= col_indices < ncols` is not satisfied"),
              ([0, 1, 2], [-1, 0], "`0 <= col_indices < ncols` is not satisfied"),
              ([0, 2, 2], [1, 1], r"are sorted and distinct along the last dimension values` is not satisfied"),
              ([0, 2, 2], [3, 0], r"are sorted and distinct along the last dimension values` is not satisfied")]


@pytest.mark.parametrize("crow, col, message", INVARIANTS)
def test_invariants_are_checked_with_torchs_words(crow, col, message):
    size = (len(crow) - 1, 4)
    for m in (torchlike, torch):
        with pytest.raises(RuntimeError, match=message):
            m.sparse_csr_tensor(m.tensor(crow), m.tensor(col), m.tensor([1.0, 2.0]), size, check_invariants=True)
    if "sorted" in message:  # accepted unchecked, as in PyTorch, and read as a COO matrix would be
        ours = torchlike.sparse_csr_tensor(crow, col, [1.0, 2.0], size)
        theirs = torch.sparse_coo_tensor(torch.tensor([[0, 0], col]), torch.tensor([1.0, 2.0]), size)
        _close(ours.to_dense(), theirs.to_dense())
        assert not ours.to_sparse().is_coalesced()
    else:  # always checked here (PyTorch would read out of bounds)
        with pytest.raises(RuntimeError, match=message):
            torchlike.sparse_csr_tensor(crow, col, [1.0, 2.0], size)


def test_bad_construction_is_refused_clearly():
    cases = [((CROW, COL, VALUES[:2], SIZE), r"col_indices.shape\[-1\] must be equal to nnz \(=2\)"),
             (([0, 2, 3], COL, VALUES, SIZE), r"crow_indices.shape\[-1\] must be equal to the number of rows \+ 1"),
             ((CROW, COL, VALUES, (3,)), r"dimensionality must be sum of batch, base, and dense dimensionalities "
                                         r"\(=0 \+ 2 \+ 0\) but got 1"),
             ((CROW, COL, VALUES, (3, 4, 2)), "but got 3 .*are matrices"),
             (([CROW], [COL], [VALUES], (1, 3, 4)), "batched and hybrid CSR and CSC tensors are not supported"),
             ((CROW, COL, [[1.0, 2.0]] * 3, (3, 4, 2)), "batched and hybrid"),
             ((0, COL, VALUES, SIZE), "crow_indices must have dimensionality >= 1"),
             ((CROW, COL, 1.0, SIZE), "values must have dimensionality > sum"),
             ((np.array(CROW, np.int32), COL, VALUES, SIZE), "must have the same dtype"),
             (([0.0, 2.0, 2.0, 3.0], [0.0, 3.0, 1.0], VALUES, SIZE), "dtype must be Int or Long"),
             ((np.array(CROW, np.int16), np.array(COL, np.int16), VALUES, SIZE), "dtype must be Int or Long")]
    for args, message in cases:
        with pytest.raises(RuntimeError, match=message):
            torchlike.sparse_csr_tensor(*args)
    with pytest.raises(RuntimeError, match="requires_grad=True makes a leaf"):
        torchlike.sparse_csr_tensor(CROW, COL, torchlike.tensor(VALUES, requires_grad=True) * 2, requires_grad=True)


def test_bad_conversions_are_refused():
    a = _csr(torchlike)
    with pytest.raises(RuntimeError, match="dtype argument is not supported by sparse_csr_to_dense"):
        a.to_dense(torchlike.float64)
    with pytest.raises(RuntimeError, match="conversion from SparseCsr to Sparse with sparse_dim argument !=2"):
        a.to_sparse(1)
    with pytest.raises(NotImplementedError, match="sparse COO, CSR and CSC layouts only"):
        a.to_sparse(layout=torchlike.sparse_bsr)
    with pytest.raises(RuntimeError, match=r"dense_dim argument must be in \[0,0\] range, but 1 is given"):
        torchlike.ones(2, 3).to_sparse_csr(dense_dim=1)
    for shape in ((3,), (2, 3, 4)):
        with pytest.raises(RuntimeError, match="expected a matrix.*are matrices"):
            torchlike.ones(*shape).to_sparse_csr()
    with pytest.raises(RuntimeError, match="with blocksize argument given is not supported"):
        torchlike.ones(2, 3).to_sparse(layout=torchlike.sparse_csr, blocksize=(1, 1))
    hybrid = torchlike.sparse_coo_tensor([[0, 1]], [[1.0, 2.0], [3.0, 4.0]], (2, 2))
    with pytest.raises(RuntimeError, match=r"sparse_dim\(\)!=2 is not supported"):
        hybrid.to_sparse_csr()


def test_dense_operations_and_bad_products_are_refused():
    a = _csr(torchlike)
    with pytest.raises(NotImplementedError, match=r"Exp: .*not implemented for sparse tensors \(layout=torch"
                                                  r"\.sparse_csr, PyTorch's 'SparseCsrCPU'\)"):
        torchlike.exp(a)
    for method, args in (("exp", ()), ("view", (-1,)), ("__getitem__", (0,)), ("numpy", ()), ("t", ()),
                         ("backward", ())):
        with pytest.raises(NotImplementedError, match=rf"{method}\(\) is not implemented for sparse tensors "
                                                      r"\(layout=torch.sparse_csr"):
            getattr(a, method)(*args)
    for method in ("coalesce", "indices", "is_coalesced"):  # the COO layout's, with PyTorch's words
        with pytest.raises(RuntimeError, match=f"{method} expected sparse coordinate tensor layout but got SparseCsr"):
            getattr(a, method)()
    with pytest.raises(NotImplementedError, match=r"__rmatmul__\(\) is not implemented"):
        torchlike.ones(2, 3) @ a
    with pytest.raises(NotImplementedError, match="sum.*along a dim"):
        a.sum(0)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(3x4 and 3x2\)"):
        torchlike.mm(a, torchlike.ones(3, 2))
    with pytest.raises(RuntimeError, match="expected scalar type float32 but found float64"):
        torchlike.sparse.mm(a, torchlike.ones(4, 2, dtype=torchlike.float64))
    with pytest.raises(RuntimeError, match="product of a torch.sparse_csr and a torch.sparse_coo matrix"):
        torchlike.sparse.mm(a, torchlike.ones(4, 2).to_sparse())
    with pytest.raises(RuntimeError, match=r"expected a dense input of size \[3, 2\]"):
        torchlike.addmm(torchlike.ones(2, 2), a, torchlike.ones(4, 2))
    with pytest.raises(NotImplementedError, match="pickling"):
        import pickle
        pickle.dumps(a)
