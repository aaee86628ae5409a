"""Complex-valued layers, statistics and Hermitian decompositions, as PyTorch has them: ``linear``, the convolutions
(three real convolutions each, Gauss's trick), ``sigmoid``, ``softsign``, ``l1_loss``, ``pairwise_distance``, ``cov``
with (real) weights, ``corrcoef``, ``renorm``, ``cholesky`` (``cholesky_ex``), ``eigh``/``eigvalsh``,
``slogdet``/``logdet``, ``qr`` and ``svd``/``svdvals`` take complex tensors.

A real loss L of a complex z = x + iy has PyTorch's gradient ∂L/∂x + i ∂L/∂y, which central differences along the
real and the imaginary axis give one element at a time; PyTorch's own gradient is compared where installed. Second
order: the gradient of ‖∂L/∂z‖² (a gradient penalty) against central differences of that penalty.
"""
import numpy as np
import pytest

import minidl.eager as T
import minidl.eager.nn.functional as F

rng = np.random.default_rng(0)


def _complex(*shape):
    return rng.normal(size=shape) + 1j * rng.normal(size=shape)


# each case: (name, operand shapes, build(L, functional, *operands) -> a complex or real tensor)
CASES = [
    ("linear", [(4, 3), (5, 3), (5,)], lambda L, F, x, w, b: F.linear(x, w, b)),
    ("linear_3d_no_bias", [(2, 4, 3), (5, 3)], lambda L, F, x, w: F.linear(x, w)),
    ("conv1d", [(2, 3, 7), (4, 3, 3), (4,)], lambda L, F, x, w, b: F.conv1d(x, w, b, stride=2, padding=1)),
    ("conv2d_groups", [(1, 4, 5, 5), (6, 2, 3, 3)], lambda L, F, x, w: F.conv2d(x, w, groups=2, dilation=1)),
    ("conv3d", [(1, 2, 3, 4, 4), (2, 2, 2, 2, 2), (2,)], lambda L, F, x, w, b: F.conv3d(x, w, b)),
    ("conv_transpose2d", [(1, 2, 3, 3), (2, 3, 3, 3), (3,)],
     lambda L, F, x, w, b: F.conv_transpose2d(x, w, b, stride=2, output_padding=1)),
    ("sigmoid", [(3, 4)], lambda L, F, x: L.sigmoid(x)),
    ("softsign", [(3, 4)], lambda L, F, x: F.softsign(x)),
    ("l1_loss", [(3, 4), (3, 4)], lambda L, F, x, t: F.l1_loss(x, t)),
    ("pairwise_distance", [(3, 4), (3, 4)], lambda L, F, x, t: F.pairwise_distance(x, t)),
    ("cov_weighted", [(3, 6)], lambda L, F, x: L.cov(x, fweights=L.tensor([1, 2, 1, 3, 1, 1]),
                                                     aweights=L.tensor(np.linspace(0.5, 1.5, 6)))),
    ("corrcoef", [(3, 6)], lambda L, F, x: L.corrcoef(x)),
    ("renorm", [(4, 3)], lambda L, F, x: x.renorm(2, 0, 2.0)),
    ("cholesky", [(2, 3, 3)], lambda L, F, x: L.linalg.cholesky(x @ x.mH + 3 * L.eye(3, dtype=x.dtype))),
    ("cholesky_ex_upper", [(3, 3)],
     lambda L, F, x: L.linalg.cholesky_ex(x @ x.mH + 3 * L.eye(3, dtype=x.dtype), upper=True)[0]),
    ("eigvalsh", [(3, 3)], lambda L, F, x: L.linalg.eigvalsh(x + x.mH)),
    # functions of the eigenvectors that do not depend on their phases: a matrix function, |V|² weighted by w
    ("eigh_matrix_exp", [(3, 3)],
     lambda L, F, x: (lambda w, v: v @ L.diag_embed(w.exp().to(v.dtype)) @ v.mH)(*L.linalg.eigh(x + x.mH, UPLO="U"))),
    ("eigh_projections", [(3, 3)], lambda L, F, x: (lambda w, v: (v * v.conj()).real * w)(*L.linalg.eigh(x + x.mH))),
    # the sign's phase and the log of the size; logdet is the complex log|det| + i·arg(det)
    ("slogdet", [(2, 3, 3)], lambda L, F, x: (lambda s, m: (s * (1 + 2j)).real + 3 * m)(*L.linalg.slogdet(x))),
    ("logdet", [(2, 3, 3)], lambda L, F, x: L.logdet(x)),
    # LAPACK's QR makes R's diagonal real, which fixes each column's phase: Q and R are functions of A
    ("qr_q", [(4, 3)], lambda L, F, x: L.linalg.qr(x).Q),
    ("qr_r_wide", [(2, 3, 4)], lambda L, F, x: L.linalg.qr(x).R),
    # the SVD through functions that do not depend on the phases of its pairs of singular vectors
    ("svdvals", [(2, 4, 3)], lambda L, F, x: L.linalg.svdvals(x)),
    ("svd_matrix_function", [(3, 4)], lambda L, F, x: (lambda u, s, vh: (u * (s ** 2).to(u.dtype).unsqueeze(-2)) @ vh)(
        *L.linalg.svd(x, full_matrices=False))),
    ("svd_moduli", [(4, 3)], lambda L, F, x: L.linalg.svd(x, full_matrices=False).U.abs()),
    ("nuclear_norm", [(3, 4)], lambda L, F, x: L.linalg.matrix_norm(x, "nuc")),
    # the old torch.svd gives V = Vh^H: A = U diag(S) V^H
    ("old_svd_reconstruction", [(4, 3)], lambda L, F, x: (lambda u, s, v: (u * s.to(u.dtype)) @ v.mH)(*L.svd(x))),
]


def _loss(L, F, build, operands):
    """A real number from the op's result: Σ|y|² · (1 + index-dependent weights), so no symmetry hides an error."""
    y = build(L, F, *operands)
    weights = L.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)))
    return ((y.abs() ** 2 if y.is_complex() else y) * weights).sum()


def _complex_central_differences(loss_of, values, step=1e-6):
    """∂L/∂x + i ∂L/∂y of a real ``loss_of(values)`` for every element z = x + iy of ``values``."""
    numeric = np.zeros_like(values)
    for i in np.ndindex(*values.shape):
        for direction in (1, 1j):
            h = np.zeros_like(values)
            h[i] = step * direction
            numeric[i] += direction * (loss_of(values + h) - loss_of(values - h)) / (2 * step)
    return numeric


def _operands(shapes):
    return [_complex(*shape) for shape in shapes]


def _gradients(L, build, values, create_graph=False):
    leaves = [L.tensor(v, requires_grad=True) for v in values]
    functional = F if L is T else L.nn.functional
    loss = _loss(L, functional, build, leaves)
    return leaves, L.autograd.grad(loss, leaves, create_graph=create_graph)


@pytest.mark.parametrize("name, shapes, build", CASES, ids=[c[0] for c in CASES])
def test_complex_gradients_match_central_differences_and_pytorch(name, shapes, build):
    values = _operands(shapes)
    _, grads = _gradients(T, build, values)
    for k in range(len(values)):
        def loss_of(v, k=k):
            with T.no_grad():
                return _loss(T, F, build, [T.tensor(v if j == k else u) for j, u in enumerate(values)]).item()
        np.testing.assert_allclose(grads[k].numpy(), _complex_central_differences(loss_of, values[k]),
                                   rtol=1e-6, atol=1e-6, err_msg=f"{name}: operand {k}")
    torch = pytest.importorskip("torch")
    _, theirs = _gradients(torch, build, values)
    for ours, reference in zip(grads, theirs):
        np.testing.assert_allclose(ours.numpy(), reference.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ["linear", "conv1d", "conv_transpose2d", "cholesky", "eigh_matrix_exp", "slogdet",
                                  "qr_r_wide", "svd_matrix_function"])
def test_a_gradient_penalty_of_complex_layers_is_differentiable(name):
    _, shapes, build = next(case for case in CASES if case[0] == name)
    values = _operands(shapes)

    def penalty(L, leaves_values, create_graph):
        leaves, grads = _gradients(L, build, leaves_values, create_graph=create_graph)
        return leaves, sum((g.abs() ** 2).sum() for g in grads)

    leaves, p = penalty(T, values, True)
    second = T.autograd.grad(p, leaves)
    for k in range(len(values)):
        def penalty_of(v, k=k):
            return penalty(T, [v if j == k else u for j, u in enumerate(values)], False)[1].item()
        np.testing.assert_allclose(second[k].numpy(), _complex_central_differences(penalty_of, values[k], 1e-5),
                                   rtol=1e-5, atol=1e-5, err_msg=f"{name}: operand {k}")


def test_complex_modules_train_like_real_ones():
    """nn.Linear and nn.Conv2d of a complex dtype, as PyTorch builds them, learn a complex linear map."""
    T.manual_seed(0)
    model = T.nn.Sequential(T.nn.Conv2d(1, 2, 3, padding=1, dtype=T.complex64), T.nn.Flatten(),
                            T.nn.Linear(2 * 4 * 4, 3, dtype=T.complex64))
    x = T.randn(16, 1, 4, 4, dtype=T.complex64)
    target = (x.flatten(1) @ T.randn(16, 3, dtype=T.complex64)).detach()
    optimizer = T.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(150):
        optimizer.zero_grad()
        loss = ((model(x) - target).abs() ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert model[0].weight.grad.dtype == T.complex64 and losses[-1] < 0.05 * losses[0]


def test_complex_layers_refuse_a_real_weight_as_pytorch_does():
    with pytest.raises(TypeError, match=r"expected input and weight to have the same dtype.*conv2d of complex64"):
        F.conv2d(T.zeros(1, 1, 3, 3, dtype=T.complex64), T.zeros(1, 1, 2, 2))
    with pytest.raises(TypeError, match=r"linear"):
        F.linear(T.zeros(2, 3, dtype=T.complex64), T.zeros(4, 3))


def test_a_loss_of_the_phases_of_complex_singular_vectors_is_refused_as_in_pytorch():
    x = T.tensor(_complex(3, 3), requires_grad=True)
    with pytest.raises(Exception, match="linalg_svd_backward: The singular vectors in the complex case are specified "
                                        "up to multiplication by e"):
        T.linalg.svd(x).U.real.sum().backward()
