"""eig/eigvals (ops/decompositions_general.py), the LU factorization (ops/lu.py), polar and the histograms
(ops/complex_and_bins.py): what the op table cannot express — values, dtypes and shapes against PyTorch (skipped
without it), gradients of phase-invariant losses against float64 central differences and PyTorch (second order
too), graph mode, and the errors."""
import types

import numpy as np
import pytest

import minidl.eager as md
from minidl import ops
from minidl.ops import OpError
from minidl.ops.base import LinAlgError

from tests.gradient_checks import central_differences

RNG = np.random.default_rng(11)


def general(n, batch=(), complex_pairs=1):
    """Real matrices S B S^-1 with well-separated eigenvalues, ``complex_pairs`` of them complex pairs a ± ib."""
    out = np.empty(batch + (n, n))
    for index in np.ndindex(*batch):
        block = np.diag(np.arange(n) - 1.5 + RNG.uniform(0, 0.3, n))
        for j in range(0, 2 * complex_pairs, 2):
            block[j + 1, j + 1] = block[j, j]
            block[j, j + 1], block[j + 1, j] = 1.0, -1.0
        s = np.linalg.qr(RNG.standard_normal((n, n)))[0] @ np.diag(1 + np.arange(n) * 0.5)
        out[index] = s @ block @ np.linalg.inv(s)
    return out


def well_conditioned(*shape):
    """Matrices with singular values between 1 and 2 (no pivot near a tie in practice)."""
    m, n = shape[-2:]
    u = np.linalg.qr(RNG.standard_normal(shape[:-2] + (m, m)))[0][..., :min(m, n)]
    v = np.linalg.qr(RNG.standard_normal(shape[:-2] + (n, n)))[0][..., :min(m, n), :]
    return (u * (1 + RNG.uniform(0, 1, shape[:-2] + (1, min(m, n))))) @ v


def torch_or_skip():
    return pytest.importorskip("torch")


def both(values, torch):
    """The same values as a minidl and a torch tensor, both requiring gradients."""
    return md.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)


# ------------------------------------------------------------------------------------------ loss functions
# Each case: (build(L, *tensors) -> real scalar, input arrays), L being minidl.eager or torch.

def linalg(L, name):
    """``L.linalg.<name>``; for minidl ``ops.linalg_<name>`` where eager's linalg namespace lacks the name."""
    return getattr(L.linalg, name, None) or getattr(ops, f"linalg_{name}")


def phase_free(L, w, v, weights):
    """A real loss of an eigendecomposition that ignores the eigenvectors' phases."""
    return L.sum(L.real(w) ** 3) + L.sum(L.imag(w) * 0.5) + L.sum(L.real(v * L.conj(v)) * weights)


W4 = RNG.standard_normal((4, 4))
SYSTEM_B = RNG.standard_normal((3, 2))

EIG_CASES = {
    "eig_real_with_a_complex_pair": (lambda L, a: phase_free(L, *linalg(L, "eig")(a), L.tensor(W4)), [general(4)]),
    "eig_real_eigenvalues_only_real": (lambda L, a: phase_free(L, *linalg(L, "eig")(a), L.tensor(W4[:3, :3])),
                                       [general(3, complex_pairs=0)]),
    "eig_batched_square_through_inverse": (lambda L, a: (lambda w, v: L.sum(L.real(L.matmul(
        v * L.unsqueeze(w ** 2, -2), L.inverse(v))) * L.tensor(W4[:3, :3])))(*linalg(L, "eig")(a)),
        [general(3, (2,))]),
    "eig_values_only": (lambda L, a: L.sum(L.real(linalg(L, "eig")(a).eigenvalues) ** 2), [general(4, (2,))]),
    "eig_vectors_only": (lambda L, a: L.sum(L.abs(linalg(L, "eig")(a).eigenvectors) * L.tensor(W4)), [general(4)]),
    "eigvals": (lambda L, a: L.sum(L.real(linalg(L, "eigvals")(a)) * L.imag(linalg(L, "eigvals")(a))),
                [general(4, (2,), complex_pairs=2)]),
}
LU_CASES = {
    f"lu_{m}x{n}": (lambda L, a, m=m, n=n: (lambda P, Lo, U: L.sum(Lo * L.tensor(W4[:m, :min(m, n)])) + L.sum(
        U * L.tensor(W4[:min(m, n), :n]) ** 2))(*linalg(L, "lu")(a)), [well_conditioned(m, n)])
    for m, n in [(4, 4), (4, 2), (2, 4), (3, 3)]
}
LU_CASES.update({
    "lu_factor_batched": (lambda L, a: L.sum(linalg(L, "lu_factor")(a).LU * L.tensor(W4[:3, :3])),
                          [well_conditioned(2, 3, 3)]),
    "lu_factor_tall": (lambda L, a: L.sum(linalg(L, "lu_factor")(a).LU ** 3), [well_conditioned(4, 3)]),
    "lu_factor_ex_wide": (lambda L, a: L.sum(linalg(L, "lu_factor_ex")(a).LU ** 3), [well_conditioned(2, 3)]),
    "lu_unpack": (lambda L, a: (lambda P, Lo, U: L.sum(Lo ** 3) + L.sum(U * U))(
        *L.lu_unpack(*linalg(L, "lu_factor")(a))), [well_conditioned(3, 4)]),
})
for _left in (True, False):
    for _adjoint in (True, False):
        LU_CASES[f"lu_solve_left{_left:d}_adjoint{_adjoint:d}"] = (
            lambda L, a, b, left=_left, adjoint=_adjoint: L.sum(linalg(L, "lu_solve")(
                *linalg(L, "lu_factor")(a), b if left else L.transpose(b, -2, -1), left=left, adjoint=adjoint
            ) ** 2), [well_conditioned(2, 3, 3), SYSTEM_B])
LU_CASES["lu_solve_broadcast_B"] = (lambda L, a, b: L.sum(linalg(L, "lu_solve")(*linalg(L, "lu_factor")(a), b)
                                                          * L.tensor(W4[:3, :1])),
                                    [well_conditioned(3, 3), RNG.standard_normal((2, 3, 1))])
POLAR_CASES = {
    "polar": (lambda L, r, t: L.sum(L.abs(L.polar(r, t) + 1.0) ** 3) + L.sum(L.imag(L.polar(r, t) * r)),
              [RNG.uniform(0.5, 2.0, (3, 1)), RNG.standard_normal(4)]),
}
CASES = {**EIG_CASES, **LU_CASES, **POLAR_CASES}


def _minidl_gradient(fn, arrays, create_graph=False):
    xs = [md.tensor(a, requires_grad=True) for a in arrays]
    return xs, md.autograd.grad(fn(md, *xs), xs, create_graph=create_graph)


@pytest.mark.parametrize("name", CASES)
def test_gradient_matches_central_differences(name):
    fn, arrays = CASES[name]
    _, grads = _minidl_gradient(fn, arrays)
    for i, (a, g) in enumerate(zip(arrays, grads)):
        def loss_of(x, i=i):
            return fn(md, *[x if j == i else md.tensor(b) for j, b in enumerate(arrays)])
        np.testing.assert_allclose(g.numpy(), central_differences(loss_of, a), rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name}: input {i}")


@pytest.mark.parametrize("name", CASES)
def test_values_gradients_and_second_order_match_pytorch(name):
    torch = torch_or_skip()
    fn, arrays = CASES[name]
    m_xs, m_grads = _minidl_gradient(fn, arrays, create_graph=True)
    t_xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    t_loss = fn(torch, *t_xs)
    np.testing.assert_allclose(fn(md, *m_xs).item(), t_loss.item(), rtol=1e-12)
    t_grads = torch.autograd.grad(t_loss, t_xs, create_graph=True)
    for i, (mg, tg) in enumerate(zip(m_grads, t_grads)):
        np.testing.assert_allclose(mg.detach().numpy(), tg.detach().numpy(), rtol=1e-9, atol=1e-11,
                                   err_msg=f"{name}: gradient of input {i}")
    directions = [RNG.standard_normal(a.shape) for a in arrays]
    m_second = md.autograd.grad(sum(md.sum(g * md.tensor(d)) for g, d in zip(m_grads, directions)), m_xs)
    t_second = torch.autograd.grad(sum(torch.sum(g * torch.tensor(d)) for g, d in zip(t_grads, directions)), t_xs)
    for i, (ms, ts) in enumerate(zip(m_second, t_second)):
        np.testing.assert_allclose(ms.numpy(), ts.numpy(), rtol=1e-7, atol=1e-9, err_msg=f"{name}: second order {i}")


def test_graph_mode_gradients_match_eager():
    """The VJPs add nodes to a graph: eig's phase check, lu_factor's and lu_solve's triangular solves."""
    import minidl.graph as tf
    cases = ["eig_real_with_a_complex_pair", "eigvals", "lu_4x2", "lu_2x4", "lu_solve_left0_adjoint1"]
    for name in cases:
        fn, arrays = CASES[name]
        namespace = types.SimpleNamespace(**{op: getattr(ops, op) for op in ops.__all__}, linalg=None,
                                          tensor=tf.constant)
        graph = tf.Graph()
        with graph.as_default():
            xs = [tf.placeholder(tf.float64, a.shape) for a in arrays]
            grads = tf.gradients(fn(namespace, *xs), xs)
        with tf.Session(graph=graph) as session:
            values = session.run(grads, dict(zip(xs, arrays)))
        for value, expected in zip(values, _minidl_gradient(fn, arrays)[1]):
            np.testing.assert_allclose(value, expected.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


# ------------------------------------------------------------------------------------------------------- eig

@pytest.mark.parametrize("values", [general(4), general(3, (2,), complex_pairs=0), np.zeros((0, 0)),
                                    np.zeros((2, 0, 0)), np.zeros((0, 3, 3)), general(3).astype(np.float32),
                                    general(3) + 1j * RNG.standard_normal((3, 3)), np.eye(3) * 2.0,
                                    [[0.0, 1.0], [0.0, 0.0]]])
def test_eig_matches_pytorch(values):
    """The same eigenvalues in the same order, the same eigenvectors up to their signs (LAPACK's normalization:
    unit length, the largest component real — of either sign: numpy's LAPACK and PyTorch's MKL may differ there),
    complex dtypes, named tuples."""
    torch = torch_or_skip()
    values = np.asarray(values)
    ours, theirs = ops.linalg_eig(md.tensor(values)), torch.linalg.eig(torch.tensor(values))
    assert type(ours).__name__ == "linalg_eig" and ours._fields == ("eigenvalues", "eigenvectors")
    tolerance = 1e-5 if values.dtype == np.float32 else 1e-12
    for m, t in zip(ours, theirs):
        assert str(m.dtype).removeprefix("minidl.") == str(t.dtype).removeprefix("torch.") and tuple(m.shape) == tuple(t.shape)
    np.testing.assert_allclose(ours.eigenvalues.numpy(), theirs.eigenvalues.numpy(), rtol=tolerance, atol=tolerance)
    v, expected = ours.eigenvectors.numpy(), theirs.eigenvectors.numpy()
    signs = np.sign(np.sum(v.conj() * expected, axis=-2, keepdims=True).real)
    np.testing.assert_allclose(np.abs(signs), 1.0)
    np.testing.assert_allclose(v * signs, expected, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(ops.linalg_eigvals(md.tensor(values)).numpy(),
                               torch.linalg.eigvals(torch.tensor(values)).numpy(), rtol=tolerance, atol=tolerance)


def test_eig_decomposes_and_normalizes():
    a = general(4, (3,), complex_pairs=2)
    w, v = ops.linalg_eig(md.tensor(a))
    w, v = w.numpy(), v.numpy()
    np.testing.assert_allclose(a @ v, v * w[..., None, :], atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(v, axis=-2), 1.0, rtol=1e-12)
    largest = np.take_along_axis(v, np.abs(v).argmax(-2)[..., None, :], -2)
    np.testing.assert_allclose(largest.imag, 0.0, atol=1e-14)


def test_a_loss_that_depends_on_the_phases_is_refused_like_pytorch():
    a = general(3)
    ours = md.tensor(a, requires_grad=True)
    with pytest.raises(OpError, match=r"linalg_eig_backward: The eigenvectors in the complex case are specified up "
                                      r"to multiplication by e\^\{i phi\}"):
        md.real(ops.linalg_eig(ours).eigenvectors).sum().backward()
    torch = torch_or_skip()
    theirs = torch.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="specified up to multiplication by e"):
        torch.linalg.eig(theirs).eigenvectors.real.sum().backward()


def test_a_loss_that_depends_on_the_phases_of_hermitian_eigenvectors_is_refused_too():
    """eigh gave a meaningless gradient (eig and svd refused); a phase-free loss still has its gradient."""
    hermitian = np.array([[2, 1j], [-1j, 3]])
    ours = md.tensor(hermitian, requires_grad=True)
    with pytest.raises(OpError, match=r"linalg_eigh_backward: The eigenvectors in the complex case are specified"):
        md.real(md.linalg.eigh(ours).eigenvectors).sum().backward()
    w, v = md.linalg.eigh(ours)
    ((v * v.conj()).real.sum() + 2 * w.sum()).backward()  # |v_ij|^2 sums to n whatever A: only 2 tr(A) counts
    np.testing.assert_allclose(ours.grad.numpy(), 2 * np.eye(2), atol=1e-12)


def test_eigenvalues_alone_of_a_matrix_with_repeated_eigenvalues_have_a_gradient():
    """Their term never divides by a gap; the vectors' term (unused) is left out, as in PyTorch."""
    a = np.array([[2.0, 1.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]]) + np.diag([0.0, 1e-3, 0.0])
    for take in (lambda x: ops.linalg_eig(x).eigenvalues, ops.linalg_eigvals):
        x = md.tensor(np.diag([2.0, 2.0, 5.0]), requires_grad=True)
        (md.real(take(x)) ** 2).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), np.diag([4.0, 4.0, 10.0]), atol=1e-12)
    x = md.tensor(a, requires_grad=True)
    md.real(ops.linalg_eigvals(x)).sum().backward()  # the trace: gradient I, however close the eigenvalues
    np.testing.assert_allclose(x.grad.numpy(), np.eye(3), atol=1e-9)


def test_eig_of_a_complex_matrix_has_pytorchs_complex_gradient():
    torch = torch_or_skip()
    a = general(3) + 0.3j * RNG.standard_normal((3, 3))
    ours, theirs = both(a, torch)
    for L, x in ((md, ours), (torch, theirs)):
        w, v = linalg(L, "eig")(x)
        (L.abs(w) ** 2 + (L.abs(v) ** 2 * L.tensor(W4[:3, :3])).sum(-2)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert ours.grad.dtype == md.complex128


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.linalg_eig(md.zeros(2, 3)), OpError, r"linalg.eig: A must be batches of square matrices, but they "
                                                     r"are 2 by 3 matrices"),
    (lambda: ops.linalg_eigvals(md.zeros(3)), OpError, r"linalg.eigvals: the input tensor A must have at least 2 "
                                                      r"dimensions"),
    (lambda: ops.linalg_eig(md.zeros(2, 2, dtype=md.int64)), TypeError, r"linalg.eig: expected a floating point or "
                                                                        r"complex tensor as input, got int64\[2, 2\]"),
    (lambda: ops.linalg_eig(md.zeros(2, 2, dtype=md.float16)), TypeError, r"linalg.eig: not implemented for float16"),
    (lambda: ops.linalg_eig(md.tensor([[1.0, float("nan")], [0.0, 1.0]])), OpError,
     r"linalg.eig: input tensor should not contain infs or NaNs \(got float32\[2, 2\]\)"),
    (lambda: ops.linalg_eigvals(md.tensor([[1.0, float("inf")], [0.0, 1.0]])), OpError,
     r"linalg.eigvals: input tensor should not contain infs or NaNs"),
    (lambda: ops.linalg_eig([[1.0]]), TypeError, r"linalg.eig"),
])
def test_eig_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -------------------------------------------------------------------------------------------------------- LU

LU_SHAPES = [(4, 4), (2, 3, 3), (5, 3), (3, 5), (2, 1, 4), (0, 0), (2, 0, 0), (3, 0), (0, 3), (1, 1)]


@pytest.mark.parametrize("shape", LU_SHAPES)
@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128"])
def test_lu_factor_lu_and_unpack_match_pytorch(shape, dtype):
    torch = torch_or_skip()
    a = RNG.standard_normal(shape) + (1j * RNG.standard_normal(shape) if dtype == "complex128" else 0)
    a = a.astype(dtype)
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    tensors = md.tensor(a), torch.tensor(a)
    for name, fields in (("lu_factor", ("LU", "pivots")), ("lu_factor_ex", ("LU", "pivots", "info")),
                         ("lu", ("P", "L", "U"))):
        ours, theirs = (linalg(L, name)(x) for L, x in zip((md, torch), tensors))
        assert ours._fields == fields and type(ours).__name__ == f"linalg_{name}"
        for field, m, t in zip(fields, ours, theirs):
            assert str(m.dtype).removeprefix("minidl.") == str(t.dtype).removeprefix("torch.") and tuple(m.shape) == tuple(t.shape), field
            np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=tolerance, atol=tolerance, err_msg=field)
    ours, theirs = (L.lu_unpack(*linalg(L, "lu_factor")(x)) for L, x in zip((md, torch), tensors))
    for m, t in zip(ours, theirs):
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=tolerance, atol=tolerance)


def test_lu_reconstructs_the_matrix():
    a = RNG.standard_normal((3, 4, 6))
    P, L, U = ops.linalg_lu(md.tensor(a))
    np.testing.assert_allclose(P.numpy() @ L.numpy() @ U.numpy(), a, atol=1e-12)
    assert (np.abs(L.numpy()) <= 1 + 1e-12).all(), "partial pivoting keeps the multipliers at most 1"


@pytest.mark.parametrize("matrix, pivots, info", [
    ([[1.0, 2.0], [-1.0, 3.0]], [1, 2], 0),  # a tie: the first of the largest
    ([[1.0, 2.0], [2.0, 4.0]], [2, 2], 2),  # singular: U[2, 2] = 0
    ([[0.0, 1.0, 2.0], [0.0, 3.0, 4.0], [0.0, 5.0, 7.0]], [1, 3, 3], 1),  # a zero column: no exchange, info 1
    (np.zeros((3, 3)), [1, 2, 3], 1),
    ([[3.0, 1.0], [2.0 + 2.5j, 1.0]], [2, 2], 0),  # complex: |Re| + |Im| = 4.5 > 3 (the modulus 3.2 is too)
    ([[3.0, 1.0], [2.0 + 1.5j, 1.0]], [2, 2], 0),  # complex: |Re| + |Im| = 3.5 > 3 > 2.5, the modulus
])
def test_pivots_and_info_follow_lapack(matrix, pivots, info):
    a = np.asarray(matrix, dtype=np.complex128 if np.iscomplexobj(matrix) else np.float64)
    result = ops.linalg_lu_factor_ex(md.tensor(a))
    assert result.pivots.numpy().tolist() == pivots and result.info.item() == info
    assert result.pivots.dtype == result.info.dtype == md.int32
    torch = torch_or_skip()
    expected = torch.linalg.lu_factor_ex(torch.tensor(a))
    np.testing.assert_allclose(result.LU.numpy(), expected.LU.numpy(), atol=1e-15)
    assert expected.pivots.tolist() == pivots and expected.info.item() == info


def test_lu_factor_refuses_singular_matrices_with_pytorchs_message():
    singular = np.stack([np.eye(2), [[1.0, 2.0], [2.0, 4.0]]])
    with pytest.raises(LinAlgError) as ours:
        ops.linalg_lu_factor(md.tensor(singular))
    with pytest.raises(LinAlgError, match=r"linalg.lu_factor_ex: U\[2,2\] is zero"):
        ops.linalg_lu_factor_ex(md.tensor(singular[1]), check_errors=True)
    info = ops.linalg_lu_factor_ex(md.tensor(singular)).info  # no error without check_errors
    assert info.numpy().tolist() == [0, 2]
    P, L, U = ops.linalg_lu(md.tensor(singular))  # nor from lu
    np.testing.assert_allclose((P.numpy() @ L.numpy() @ U.numpy()), singular)
    torch = torch_or_skip()
    with pytest.raises(RuntimeError) as theirs:
        torch.linalg.lu_factor(torch.tensor(singular))
    assert str(theirs.value).removeprefix("torch.") == str(ours.value)


def test_lu_without_pivoting():
    """pivot=False (PyTorch: CUDA only): A = L U with no row exchanges, pivots 1..k, and P an empty tensor."""
    a = well_conditioned(3, 3) + 4 * np.eye(3)
    LU, pivots = ops.linalg_lu_factor(md.tensor(a), pivot=False)
    assert pivots.numpy().tolist() == [1, 2, 3]
    P, L, U = ops.linalg_lu(md.tensor(a), pivot=False)
    assert tuple(P.shape) == (0,)
    np.testing.assert_allclose(L.numpy() @ U.numpy(), a, atol=1e-12)
    x = md.tensor(a, requires_grad=True)
    (ops.linalg_lu(x, pivot=False).U ** 2).sum().backward()
    numeric = central_differences(lambda t: (ops.linalg_lu(t, pivot=False).U ** 2).sum(), a)
    np.testing.assert_allclose(x.grad.numpy(), numeric, rtol=1e-6, atol=1e-7)


def test_lu_unpack_options_match_pytorch():
    torch = torch_or_skip()
    a = RNG.standard_normal((2, 4, 3))
    for kwargs in (dict(unpack_data=False), dict(unpack_pivots=False), dict(unpack_data=False, unpack_pivots=False)):
        ours = md.lu_unpack(*ops.linalg_lu_factor(md.tensor(a)), **kwargs)
        theirs = torch.lu_unpack(*torch.linalg.lu_factor(torch.tensor(a)), **kwargs)
        for m, t in zip(ours, theirs):
            assert tuple(m.shape) == tuple(t.shape)
            np.testing.assert_allclose(m.numpy(), t.numpy(), atol=1e-12)


@pytest.mark.parametrize("b_shape, left", [((3, 2), True), ((4, 2, 3, 1), True), ((2, 3), False),
                                           ((5, 1, 1, 3), False)])
@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_lu_solve_matches_pytorch(b_shape, left, adjoint, dtype):
    torch = torch_or_skip()
    a = well_conditioned(2, 3, 3).astype(dtype)
    b = RNG.standard_normal(b_shape).astype(dtype)
    if dtype == "complex128":
        a, b = a + 0.5j * well_conditioned(2, 3, 3), b + 1j * RNG.standard_normal(b_shape)
    ours = ops.linalg_lu_solve(*ops.linalg_lu_factor(md.tensor(a)), md.tensor(b), left=left, adjoint=adjoint)
    theirs = torch.linalg.lu_solve(*torch.linalg.lu_factor(torch.tensor(a)), torch.tensor(b), left=left,
                                   adjoint=adjoint)
    assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype).removeprefix("minidl.") == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.numpy(), theirs.resolve_conj().numpy(), rtol=1e-12, atol=1e-12)


def test_lu_solve_of_complex_matrices_has_pytorchs_gradients():
    torch = torch_or_skip()
    a = well_conditioned(3, 3) + 1j * well_conditioned(3, 3)
    b = RNG.standard_normal((3, 2)) + 1j * RNG.standard_normal((3, 2))
    grads = []
    for L in (md, torch):
        x, y = L.tensor(a, requires_grad=True), L.tensor(b, requires_grad=True)
        for adjoint in (False, True):
            (L.abs(linalg(L, "lu_solve")(*linalg(L, "lu_factor")(x), y, adjoint=adjoint)) ** 2).sum().backward()
        grads.append((x.grad.numpy(), y.grad.numpy()))
    for m, t in zip(*grads):
        np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12)


def _factored(matrix):
    return ops.linalg_lu_factor_ex(md.tensor(np.asarray(matrix, dtype=np.float64)))[:2]


LU_ERRORS = [
    (lambda: ops.linalg_lu_factor(md.zeros(3)), OpError, r"linalg.lu_factor: the input tensor A must have at least 2 "
                                                        r"dimensions"),
    (lambda: ops.linalg_lu(md.zeros(2, 2, dtype=md.int64)), TypeError,
     r"linalg.lu: expected a floating point or complex tensor as input, got int64\[2, 2\]"),
    (lambda: ops.linalg_lu_factor_ex(md.zeros(2, 2, dtype=md.float16)), TypeError,
     r"linalg.lu_factor_ex: not implemented for float16"),
    (lambda: ops.linalg_lu_solve(*_factored(np.eye(3)), md.zeros(3, 2, dtype=md.float32)), TypeError,
     r"expected LU and B to have the same dtype, but got: double != float"),
    (lambda: ops.linalg_lu_solve(_factored(np.eye(3))[0], _factored(np.eye(3))[1].long(), md.zeros(3, 2)),
     TypeError, r"linalg.lu_solve: pivots should be a tensor of dtype int32 \(what lu_factor returns\), got "
                r"int64\[3\]"),
    (lambda: ops.linalg_lu_solve(_factored(np.eye(3))[0], md.ones(2, dtype=md.int32), md.zeros(3, 2)),
     OpError, r"linalg.lu_solve: expected pivots of shape \[3\] for LU float64\[3, 3\], got int32\[2\]"),
    (lambda: ops.linalg_lu_solve(*_factored(np.ones((3, 2))), md.zeros(3, 2)), OpError,
     r"linalg.lu_solve: A must be batches of square matrices, but they are 3 by 2 matrices"),
    (lambda: ops.linalg_lu_solve(*_factored(np.eye(3)), md.zeros(3, dtype=md.float64)), OpError,
     r"linalg.lu_solve: The input tensor B must have at least 2 dimensions, got float64\[3\]"),
    (lambda: ops.linalg_lu_solve(*_factored(np.eye(3)), md.zeros(2, 2, dtype=md.float64)), OpError,
     r"linalg.lu_solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 2x2\)"),
    (lambda: ops.linalg_lu_solve(*_factored(np.eye(3)), md.zeros(3, 2, dtype=md.float64), left=False), OpError,
     r"linalg.lu_solve: Incompatible shapes of A and B for the equation XA = B \(3x3 and 3x2\)"),
    (lambda: ops.linalg_lu_solve(*ops.linalg_lu_factor(md.tensor(np.stack([np.eye(3)] * 2))),
                                 md.zeros(3, 3, 1, dtype=md.float64)), OpError, r"linalg.lu_solve"),
    (lambda: ops.linalg_lu_solve(*_factored([[1.0, 2.0], [2.0, 4.0]]), md.ones(2, 1, dtype=md.float64)),
     LinAlgError, r"linalg.lu_solve: U has a zero on its diagonal: the factorized matrix is singular"),
    (lambda: ops.lu_unpack(_factored(np.eye(3))[0], md.tensor([1, 2, 4], dtype=md.int32)), OpError,
     r"LU pivots must lie between 1 and the number of rows, 3; got values from 1 to 4"),
    (lambda: ops.lu_unpack(_factored(np.eye(3))[0], md.ones(1, 3, dtype=md.int32)), OpError,
     r"lu_unpack: expected pivots of shape \[3\]"),
]


@pytest.mark.parametrize("call, error, message", LU_ERRORS)
def test_lu_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------------------------------------------------------------ polar

def test_polar_matches_pytorch():
    torch = torch_or_skip()
    r, t = RNG.uniform(0.1, 2, (2, 1)), RNG.standard_normal(3)
    for dtype in ("float32", "float64"):
        ours = md.polar(md.tensor(r.astype(dtype)), md.tensor(t.astype(dtype)))
        theirs = torch.polar(torch.tensor(r.astype(dtype)), torch.tensor(t.astype(dtype)))
        assert str(ours.dtype).removeprefix("minidl.") == str(theirs.dtype).removeprefix("torch.") and tuple(ours.shape) == (2, 3)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call, error, message", [
    (lambda: md.polar(md.ones(2), md.ones(2, dtype=md.float64)), TypeError,
     r"expected abs and angle to have the same dtype, but got: float != double \(polar of"),
    (lambda: md.polar(md.ones(2, dtype=md.int64), md.ones(2, dtype=md.int64)), TypeError,
     r"polar: expected both inputs to be float32 or float64 tensors, but got int64\[2\] and int64\[2\]"),
    (lambda: md.polar(md.ones(2, dtype=md.complex64), md.ones(2)), TypeError, r"polar: expected both inputs"),
    (lambda: md.polar(md.ones(2), 1.0), TypeError, r"polar\(\): argument 'angle' must be a tensor, not float"),
    (lambda: md.polar(md.ones(2), md.ones(3)), OpError, r"polar"),
])
def test_polar_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -------------------------------------------------------------------------------------------------- histograms

X = np.array([1.0, 2.0, 1.0, 2.5, 4.0, 0.5, -1.0, 3.0, 1.375])


def _histogram_cases(L, x):
    edges = L.tensor([0.0, 1.0, 1.0, 2.5, 5.0], dtype=x.dtype)
    return [L.histogram(x, 4), L.histogram(x, bins=3, range=(0.0, 3.0)), L.histogram(x, 5, density=True),
            L.histogram(x, edges), L.histogram(x, edges, weight=x * 2, density=True),
            L.histogram(x, 4, weight=L.ones_like(x) * 0.5), L.histogram(x, 3, range=(1.0, 1.0)),
            L.histogram(x[:0], 2), L.histogram(x[:0], 2, density=True), L.histogram(L.ones_like(x) * 3, 2),
            L.histogram(x, L.tensor([3.0, 1.0], dtype=x.dtype)), L.histogram(L.reshape(x, (3, 3)), 2),
            L.histogram(x, 4, range=(5.0, 6.0), density=True)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histogram_matches_pytorch(dtype):
    torch = torch_or_skip()
    ours, theirs = _histogram_cases(md, md.tensor(X.astype(dtype))), _histogram_cases(torch, torch.tensor(
        X.astype(dtype)))
    for i, (m, t) in enumerate(zip(ours, theirs)):
        assert type(m).__name__ == "histogram" and m._fields == ("hist", "bin_edges")
        for field, a, b in zip(m._fields, m, t):
            assert str(a.dtype).removeprefix("minidl.") == str(b.dtype).removeprefix("torch.") and tuple(a.shape) == tuple(b.shape)
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, err_msg=f"case {i}: {field}")


def test_histogram_edges_are_pytorchs_to_the_last_bit():
    """Computed as torch.linspace does (in the input's dtype, from both ends), so values on an edge fall in the
    same bin."""
    torch = torch_or_skip()
    x = RNG.standard_normal(1000).astype(np.float32)
    for bins in (3, 7, 10, 100):
        ours, theirs = md.histogram(md.tensor(x), bins), torch.histogram(torch.tensor(x), bins)
        np.testing.assert_array_equal(ours.bin_edges.numpy(), theirs.bin_edges.numpy())
        np.testing.assert_array_equal(ours.hist.numpy(), theirs.hist.numpy())
        on_edges = ours.bin_edges.numpy()
        np.testing.assert_array_equal(md.histogram(md.tensor(on_edges), bins, range=(float(x.min()), float(x.max())))
                                      .hist.numpy(), torch.histogram(torch.tensor(on_edges), bins, range=(
                                          float(x.min()), float(x.max()))).hist.numpy())


def test_histogramdd_matches_pytorch():
    torch = torch_or_skip()
    points = RNG.standard_normal((2, 10, 3))
    weights = RNG.uniform(0, 1, (2, 10))
    for kwargs in (dict(bins=2), dict(bins=[2, 3, 4], weight=True, density=True),
                   dict(bins=[2, 3, 1], range=[-1.0, 1.0, 0.0, 2.0, -3.0, 3.0]), dict(bins="edges")):
        results = []
        for L in (md, torch):
            call = dict(kwargs)
            if call.get("weight"):
                call["weight"] = L.tensor(weights)
            if call["bins"] == "edges":
                call["bins"] = [L.tensor(np.array(edges)) for edges in ([-1.0, 0.0, 1.0], [-2.0, 2.0],
                                                                        [0.0, 0.5, 1.0, 3.0])]
            results.append(L.histogramdd(L.tensor(points), **call))
        ours, theirs = results
        assert type(ours).__name__ == "histogramdd" and isinstance(ours.bin_edges, tuple)
        np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy(), rtol=1e-12, err_msg=str(kwargs))
        for m, t in zip(ours.bin_edges, theirs.bin_edges, strict=True):
            np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-15)


def test_histograms_have_no_gradient():
    x = md.tensor(X, requires_grad=True)
    result = md.histogram(x, 3, weight=x)
    assert not result.hist.requires_grad and not result.bin_edges.requires_grad


def test_histogram_in_graph_mode():
    import minidl.graph as tf
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float64, (None,))
        result = ops.histogramdd(ops.reshape(x, (-1, 1)), [3], range=[0.0, 3.0])
        assert tuple(result.hist.shape) == (3,) and tuple(result.bin_edges[0].shape) == (4,)
    with tf.Session(graph=graph) as session:
        hist, edges = session.run([result.hist, result.bin_edges[0]], {x: X})
    np.testing.assert_array_equal(hist, np.histogram(X, 3, (0.0, 3.0))[0])
    np.testing.assert_array_equal(edges, [0.0, 1.0, 2.0, 3.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: md.histogram(md.tensor([1, 2]), 3), TypeError,
     r"histogram: not implemented for int64\[2\]; it takes float32 or float64 tensors"),
    (lambda: md.histogram(md.ones(3), 0), OpError, r"histogram\(\): bins must be > 0, but got 0 for dimension 0"),
    (lambda: md.histogram(md.ones(3), 2.0), TypeError, r"histogram\(\): bins must be an int or a 1-d tensor"),
    (lambda: md.histogram(md.ones(3), True), TypeError, r"bins must be an int"),
    (lambda: md.histogram(md.ones(3), 3, range=(2.0, 1.0)), OpError,
     r"histogram: min should not exceed max, but got min 2 max 1 for dimension 0"),
    (lambda: md.histogram(md.ones(3), 3, range=(0.0, float("inf"))), OpError,
     r"histogram: dimension 0's range \[0, inf\] is not finite"),
    (lambda: md.histogram(md.ones(3), 3, range=(1.0, 2.0, 3.0)), OpError,
     r"histogram: for a 1-dimensional histogram range should have 2 elements, but got 3"),
    (lambda: md.histogram(md.tensor([1.0, float("nan")]), 3), OpError,
     r"histogramdd: dimension 0's range \[nan, nan\] is not finite"),
    (lambda: md.histogram(md.tensor([1.0, float("inf")]), 3), OpError, r"range \[1, inf\] is not finite"),
    (lambda: md.histogram(md.ones(3), md.ones(1, 2)), OpError,
     r"histogram: bins tensor should have one dimension, but got 2 dimensions in the bins tensor for dimension 0"),
    (lambda: md.histogram(md.ones(3), md.ones(1)), OpError, r"bins must be > 0, but got 0 for dimension 0"),
    (lambda: md.histogram(md.ones(3), md.ones(2, dtype=md.float64)), TypeError,
     r"histogram: input tensor and bins tensors should have the same dtype"),
    (lambda: md.histogram(md.ones(3), md.tensor([0.0, 1.0]), range=(0.0, 1.0)), TypeError,
     r"range goes with a number of bins"),
    (lambda: md.histogram(md.ones(3), 2, weight=md.ones(2)), OpError,
     r"histogram: if weight tensor is provided it should have the same shape as the input tensor, but got input "
     r"float32\[3\] and weight float32\[2\]"),
    (lambda: md.histogram(md.ones(3), 2, weight=[1.0, 2.0, 3.0]), TypeError, r"histogram: weight must be a tensor"),
    (lambda: md.histogram(md.ones(3), 2, weight=md.ones(3, dtype=md.float64)), TypeError,
     r"expected input and weight to have the same dtype"),
    (lambda: md.histogramdd(md.ones(3), 2), OpError, r"histogramdd: input tensor should have at least 2 dimensions"),
    (lambda: md.histogramdd(md.ones(3, 2), [2]), OpError,
     r"histogramdd: The size of bins must be equal to the innermost dimension of the input, got 1 bins"),
    (lambda: md.histogramdd(md.ones(3, 2), 2, range=[0.0, 1.0]), OpError,
     r"for a 2-dimensional histogram range should have 4 elements, but got 2"),
    (lambda: md.histogramdd(md.ones(3, 2), [2, md.ones(3)]), TypeError, r"bins must be all numbers or all tensors"),
    (lambda: md.histogramdd(md.ones(3, 2), 2, weight=md.ones(3, 2)), OpError,
     r"histogramdd: if weight tensor is provided it should have the same shape as the input tensor excluding its "
     r"innermost dimension"),
])
def test_histogram_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
