"""Sparse @ sparse products (``sparse_functions.sparse_sparse_mm``) and the CSC layout (``sparse_csr_tensors.py``)
against PyTorch: values, layouts, gradients (and float64 central differences), conversions, repr, saving, errors."""
import io

import numpy as np
import pytest

import minidl.eager as torchlike
from tests.gradient_checks import central_differences, check_gradient

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Sparse invariant checks", "ignore:Sparse CSR tensor support")

_rng = np.random.default_rng(7)
A = np.round(_rng.standard_normal((5, 4)), 3) * (_rng.random((5, 4)) < 0.45)
B = np.round(_rng.standard_normal((4, 6)), 3) * (_rng.random((4, 6)) < 0.45)
# a 3 × 4 CSC matrix: column 0 holds rows 0 and 2, column 1 nothing, column 2 row 1, column 3 row 0
CCOL, ROW, VALUES, SIZE = [0, 2, 2, 3, 4], [0, 2, 1, 0], [1.5, -2.0, 3.0, 4.0], (3, 4)


def _numpy(t):
    return t.detach().cpu().numpy()


def _same_coo(ours, theirs):
    assert ours.layout is torchlike.sparse_coo and theirs.layout is torch.sparse_coo
    assert ours.is_coalesced() == theirs.is_coalesced()
    np.testing.assert_array_equal(_numpy(ours._indices()), _numpy(theirs._indices()))
    np.testing.assert_allclose(_numpy(ours._values()), _numpy(theirs._values()), rtol=1e-6, atol=1e-12)


def _same_compressed(ours, theirs, names):
    assert repr(ours.layout) == repr(theirs.layout)
    for name in names + ("values",):
        mine, reference = _numpy(getattr(ours, name)()), _numpy(getattr(theirs, name)())
        assert mine.dtype == reference.dtype
        np.testing.assert_allclose(mine, reference, rtol=1e-6)
    np.testing.assert_allclose(_numpy(ours.to_dense()), _numpy(theirs.to_dense()), rtol=1e-6)


# ------------------------------------------------------------------------------------ sparse @ sparse

@pytest.mark.parametrize("product", ["sparse.mm", "mm", "matmul", "@"])
def test_coo_times_coo_is_torchs_coalesced_sparse_product(product):
    results = []
    for m in (torchlike, torch):
        fn = {"sparse.mm": m.sparse.mm, "mm": m.mm, "matmul": m.matmul, "@": lambda x, y: x @ y}[product]
        results.append(fn(m.tensor(A).to_sparse(), m.tensor(B).to_sparse()))
    _same_coo(*results)


def test_gradients_of_both_operands_values_are_torch_sparse_mms():
    grads = []
    for m in (torchlike, torch):
        a, b = (m.tensor(x).to_sparse().requires_grad_(True) for x in (A, B))
        (m.sparse.mm(a, b).to_dense() ** 2).sum().backward()
        assert a.grad.layout is m.sparse_coo and b.grad.layout is m.sparse_coo
        grads.append((_numpy(a.grad.to_dense()), _numpy(b.grad.to_dense())))
    for mine, theirs in zip(*grads):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10)


def test_uncoalesced_operands_and_cancelling_terms_as_in_torch():
    for first, second in ((([[0, 0], [1, 1]], [1.0, 2.0]), ([[1], [0]], [3.0])),  # a duplicate adds up
                          (([[0, 0], [0, 1]], [1.0, -1.0]), ([[0, 1], [0, 0]], [1.0, 1.0]))):  # 0 stays stored
        ours, theirs = (m.sparse.mm(m.sparse_coo_tensor(*first, (2, 2)), m.sparse_coo_tensor(*second, (2, 2)))
                        for m in (torchlike, torch))
        _same_coo(ours, theirs)


@pytest.mark.parametrize("operand", [0, 1])
def test_numerical_gradients_of_sparse_sparse_in_float64(operand):
    a_index, b_index = np.nonzero(A), np.nonzero(B)
    fixed = (A[a_index], B[b_index])

    def build(m, values):
        a_values, b_values = (values, m.tensor(fixed[1])) if operand == 0 else (m.tensor(fixed[0]), values)
        a = m.sparse_coo_tensor(m.tensor(np.stack(a_index)), a_values, A.shape)
        b = m.sparse_coo_tensor(m.tensor(np.stack(b_index)), b_values, B.shape)
        return (m.sparse.mm(a, b).to_dense() ** 2).sum()
    check_gradient(build, fixed[operand].copy())


def test_csr_times_csr_is_csr_as_in_torch():
    ours, theirs = (m.sparse.mm(m.tensor(A).to_sparse_csr(), m.tensor(B).to_sparse_csr()) for m in (torchlike, torch))
    # the same rows and entries; PyTorch leaves a row's columns unsorted, here they are sorted (as invariants ask)
    assert ours.layout is torchlike.sparse_csr and theirs.layout is torch.sparse_csr
    np.testing.assert_array_equal(_numpy(ours.crow_indices()), _numpy(theirs.crow_indices()))
    rows, columns = _numpy(theirs.to_sparse_coo()._indices())
    order = np.lexsort((columns, rows))
    np.testing.assert_array_equal(_numpy(ours.col_indices()), columns[order])
    np.testing.assert_allclose(_numpy(ours.values()), _numpy(theirs.values())[order], rtol=1e-12)


def test_csc_times_csc_is_the_csc_product():  # (PyTorch 2.13's own is broken: nnz 0)
    ours = torchlike.sparse.mm(torchlike.tensor(A).to_sparse_csc(), torchlike.tensor(B).to_sparse_csc())
    assert ours.layout is torchlike.sparse_csc
    _same_compressed(ours, torch.tensor(A @ B).to_sparse_csc(), ("ccol_indices", "row_indices"))


def test_bad_sparse_products_are_refused_with_torchs_words():
    a = torchlike.tensor(A).to_sparse()
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(5x4 and 5x4\)"):
        torchlike.sparse.mm(a, a)
    with pytest.raises(RuntimeError, match="mat1 dtype Double does not match mat2 dtype Float"):
        torchlike.sparse.mm(a, torchlike.tensor(B).float().to_sparse())
    with pytest.raises(RuntimeError, match="product of a torch.sparse_coo and a torch.sparse_csr matrix"):
        torchlike.sparse.mm(a, torchlike.tensor(B).to_sparse_csr())


# ------------------------------------------------------------------------------------------------ CSC

def _csc(m, index_dtype="int64", **kw):
    return m.sparse_csc_tensor(m.tensor(np.asarray(CCOL, index_dtype)), m.tensor(np.asarray(ROW, index_dtype)),
                               m.tensor(VALUES), SIZE, **kw)


@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
def test_csc_construction_parts_and_repr_match_torch(index_dtype):
    ours, theirs = (_csc(m, index_dtype, check_invariants=True) for m in (torchlike, torch))
    _same_compressed(ours, theirs, ("ccol_indices", "row_indices"))
    assert repr(ours) == repr(theirs) and (ours.is_sparse, ours.is_sparse_csr) == (False, False)
    inferred = (m.sparse_csc_tensor(CCOL, ROW, VALUES) for m in (torchlike, torch))
    assert tuple(next(inferred).shape) == tuple(next(inferred).shape)


def test_csc_conversions_match_torch():
    dense = A[:, :3]
    for convert in (lambda m: m.tensor(dense).to_sparse_csc(), lambda m: m.tensor(dense).to_sparse(layout=m.sparse_csc),
                    lambda m: m.tensor(dense).to_sparse().to_sparse_csc(), lambda m: m.tensor(dense).to_sparse_csr()
                    .to_sparse_csc(), lambda m: m.tensor(dense).to_sparse_csc().to_sparse_csc()):
        _same_compressed(convert(torchlike), convert(torch), ("ccol_indices", "row_indices"))
    ours, theirs = (m.tensor(dense).to_sparse_csc() for m in (torchlike, torch))
    _same_coo(ours.to_sparse_coo(), theirs.to_sparse_coo())
    _same_coo(ours.to_sparse(), theirs.to_sparse())
    _same_compressed(ours.to_sparse_csr(), theirs.to_sparse_csr(), ("crow_indices", "col_indices"))
    assert float(ours.sum()) == pytest.approx(float(theirs.sum()))


def test_csc_products_with_dense_and_gradients():
    x = np.arange(8.0).reshape(4, 2) / 4
    ours, theirs = (m.sparse.mm(_csc(m), m.tensor(x, dtype=m.float32)) for m in (torchlike, torch))
    np.testing.assert_allclose(_numpy(ours), _numpy(theirs), rtol=1e-6)
    a = _csc(torchlike).double().requires_grad_(True)
    dense = torchlike.tensor(x, requires_grad=True)
    (torchlike.addmm(torchlike.ones(3, 2, dtype=torchlike.float64), a, dense) ** 2).sum().backward()
    assert a.grad.layout is torchlike.sparse_csc

    def loss(values, operand):
        v, d = (values, torchlike.tensor(x)) if operand == 0 else (torchlike.tensor(VALUES, dtype=torchlike.float64),
                                                                   values)
        return ((1 + torchlike.sparse_csc_tensor(CCOL, ROW, v, SIZE) @ d) ** 2).sum()
    np.testing.assert_allclose(_numpy(a.grad.values()), central_differences(lambda v: loss(v, 0), np.array(VALUES)),
                               rtol=1e-6)
    np.testing.assert_allclose(_numpy(dense.grad), central_differences(lambda v: loss(v, 1), x), rtol=1e-6)


def test_csc_save_and_load_round_trip():
    a = _csc(torchlike, "int32")
    buffer = io.BytesIO()
    torchlike.save({"a": a}, buffer)
    buffer.seek(0)
    loaded = torchlike.load(buffer)["a"]
    assert loaded.layout is torchlike.sparse_csc and loaded.ccol_indices().dtype == torchlike.int32
    np.testing.assert_array_equal(_numpy(loaded.to_dense()), _numpy(a.to_dense()))


@pytest.mark.parametrize("ccol, row, message", [
    ([1, 1, 2, 3], [0, 1, 1], r"`ccol_indices\[..., 0\] == 0` is not satisfied"),
    ([0, 2, 1, 3], [0, 1, 1], r"`0 <= ccol_indices\[..., 1:\] - ccol_indices\[..., :-1\] <= nrows` is not"),
    ([0, 1, 2, 3], [0, 5, 1], "`0 <= row_indices < nrows` is not satisfied"),
    ([0, 1, 2], [0, 1, 1], r"ccol_indices.shape\[-1\] must be equal to the number of columns \+ 1 \(=4\)"),
    ([0, 1, 2, 3], [0, 1], r"row_indices.shape\[-1\] must be equal to nnz \(=3\)"),
    ([0, 2, 2, 3], [1, 0, 0], r"`row_indices\[..., ccol_indices\[..., i - 1\]:ccol_indices\[..., i\]\] for all "
                              r"i = 1, ..., ncols are sorted")])
def test_csc_invariants_are_checked_with_torchs_words(ccol, row, message):
    for m in (torchlike, torch):
        with pytest.raises(RuntimeError, match=message):
            m.sparse_csc_tensor(m.tensor(ccol), m.tensor(row), m.tensor([1.0, 2.0, 3.0]), (2, 3),
                                check_invariants=True)


def test_csc_refuses_other_layouts_methods_with_torchs_words():
    a = _csc(torchlike)
    for method, wanted in (("crow_indices", "sparse row compressed"), ("indices", "sparse coordinate"),
                           ("coalesce", "sparse coordinate")):
        with pytest.raises(RuntimeError, match=f"{method} expected {wanted} tensor layout but got SparseCsc"):
            getattr(a, method)()
    with pytest.raises(RuntimeError, match="ccol_indices expected sparse column compressed tensor layout but got "
                                           "SparseCsr"):
        a.to_sparse_csr().ccol_indices()
    with pytest.raises(NotImplementedError, match=r"layout=torch.sparse_csc, PyTorch's 'SparseCsrCPU'"):
        torchlike.exp(a)
