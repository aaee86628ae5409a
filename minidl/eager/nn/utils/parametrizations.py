"""``nn.utils.parametrizations``: three constraints kept true by construction, with ``register_parametrization``
(``parametrize.py``): ``orthogonal``, ``weight_norm`` and ``spectral_norm``.

**Orthogonal matrices.** ``orthogonal(layer)`` keeps ``layer.weight`` Q orthogonal: QᵀQ = I (orthonormal columns)
for a tall n × k matrix; a wide one is handled transposed, so it gets orthonormal rows. Three maps turn an
unconstrained X into such a Q:

* ``"matrix_exp"``: take X's lower triangle (padded with zero columns to n × n) and make it skew-symmetric,
  A = X - Xᵀ (so Aᵀ = -A); then Q = exp(A) is orthogonal, because exp(A)ᵀ exp(A) = exp(-A) exp(A) = I. The first
  k columns are kept.
* ``"cayley"``: the same A, and the Cayley map Q = (I - A/2)⁻¹ (I + A/2) — orthogonal too (the two factors
  commute and (I + A/2)ᵀ = I - A/2), and cheaper: one linear solve instead of an exponential.
* ``"householder"``: Q = H₁ H₂ ⋯ H_k (first k columns), a product of reflections H_i = I - τ_i v_i v_iᵀ with
  v_i = e_i + (column i of X below the diagonal) and τ_i = 2 / ‖v_i‖²; then each column i is multiplied by the
  sign (±1) that X holds on its diagonal.

With ``use_trivialization=True`` (the default: the "dynamic trivialization" of Lezcano-Casado, 2019) the weight is
Q = B · map(X), B an orthogonal n × n buffer ``base``. Assigning a weight W (and registering, with the current
weight) stores W in B — made orthogonal by a QR decomposition if it is not — and sets X to -I, which each map sends
to I, so Q = W at once. Training starts X where its map is the identity — where the maps behave best; the
rotation already reached is kept in B.

**Weight normalization** ``w = g · v / ‖v‖``: ``original0`` is g (one norm per slice along ``dim``),
``original1`` is v. **Spectral normalization** ``W / σ(W)``, σ estimated by power iteration in training mode (the
buffers ``_u``, ``_v``). The math of both is shared with the older hook-based versions in ``nn/weight_norms.py``.
"""
from .... import ops
from ....backend import get_array_module
from ...creation import eye, randn, zeros
from ...environment import finfo
from ...grad_mode import no_grad
from ...tensor import Tensor
from ..functional import normalize
from ..module import Module
from ..weight_norms import (divided_by_spectral_norm, matrix_with_dim_first, norm_except_dim, output_dim,
                            power_iteration, random_unit_vectors, weight_from_norm_and_direction)
from .parametrize import register_parametrization

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]

_ORTHOGONAL_MAPS = ("matrix_exp", "cayley", "householder")


# --------------------------------------------------------------------------------------------- orthogonal

def _is_orthogonal(Q):
    """QᴴQ = I up to rounding (10 · n units in the last place)."""
    n, k = Q.shape[-2:]
    identity = eye(k, dtype=Q.dtype, device=Q.device)
    return bool(ops.allclose(Q.mH @ Q, identity, atol=10.0 * n * finfo(Q.dtype).eps))


def _make_orthogonal(A):
    """The Q of A = QR (A tall), with the signs chosen so that R's diagonal is ≥ 0 (that makes Q unique)."""
    Q, R = ops.linalg_qr(A)
    return Q * ops.sgn(R.diagonal(dim1=-2, dim2=-1)).unsqueeze(-2)


def _reflectors_of(Q):
    """An X that the householder map sends to the orthogonal ``Q`` (tall): LAPACK's Householder QR (``geqrf``)
    of Q, with ±1 on the diagonal. Q's R factor is diagonal with entries ±1; the map reads them from X's diagonal
    — flipped where LAPACK skipped a reflection (τ = 0), as the map always reflects."""
    xp = get_array_module(Q._data)
    packed, tau = xp.linalg.qr(Q._data, mode="raw")  # LAPACK's column-major layout: the transpose
    packed = xp.ascontiguousarray(xp.swapaxes(packed, -1, -2))
    k = packed.shape[-1]
    diagonal = packed[..., xp.arange(k), xp.arange(k)]
    packed[..., xp.arange(k), xp.arange(k)] = xp.where(tau == 0, -1.0, 1.0) * xp.sign(diagonal)
    return Tensor._make(packed)


class _Orthogonal(Module):
    """The parametrization of ``orthogonal``: ``forward(X)`` is an orthogonal matrix (or a batch of them) of
    X's shape (module docstring)."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)  # set by right_inverse

    def forward(self, X):
        n, k = X.shape[-2:]
        transposed = n < k
        if transposed:  # work with a tall matrix
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == "householder":
            A = X.tril(-1)
            Q = ops.linalg_householder_product(A, 2.0 / (1.0 + (A * A).sum(dim=-2)))
            # the signs on X's diagonal (as integers: not differentiated, and not moved by the optimizer)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            X = X.tril()
            if n != k:  # n × k lower triangle, padded to a square
                X = ops.cat([X, zeros(tuple(X.shape[:-2]) + (n, n - k), dtype=X.dtype, device=X.device)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == "matrix_exp":
                Q = ops.matrix_exp(A)
            else:
                identity = eye(n, dtype=A.dtype, device=A.device)
                Q = ops.linalg_solve(identity - 0.5 * A, identity + 0.5 * A)
            Q = Q[..., :k]
        if hasattr(self, "base"):
            Q = self.base @ Q
        return Q.mT if transposed else Q

    @no_grad()
    def right_inverse(self, Q):
        """An X with ``forward(X) = Q`` (module docstring); Q is made orthogonal first if it is not."""
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of shape "
                             f"{Q.shape}.")
        shape = Q.shape
        n, k = Q.shape[-2:]
        transposed = n < k
        if transposed:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map != "householder":
                # inverting exp or the Cayley map on the padded lower triangle has no known closed form
                raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                          "parametrizations when use_trivialization=False.")
            X = _reflectors_of(Q)
            return X.mT if transposed else X
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:  # complete the k columns into an n × n orthogonal matrix: random columns, then QR
            extra = randn(*Q.shape[:-2], n, n - k, dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(ops.cat([Q, extra], dim=-1))
        self.base = Q
        minus_identity = zeros(shape, dtype=Q.dtype, device=Q.device)
        minus_identity.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return minus_identity


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Keep ``module.<name>`` orthogonal (a matrix or a batch of matrices ``(..., m, n)``): orthonormal columns if
    m ≥ n, rows otherwise. ``orthogonal_map``: ``"matrix_exp"``, ``"cayley"`` or ``"householder"`` (module
    docstring); by default ``"matrix_exp"`` for square or complex matrices, ``"householder"`` otherwise. The
    weight keeps its value if it is orthogonal, else starts as the Q of its QR decomposition (with
    ``use_trivialization``, or with ``"householder"``). Returns the module."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    if orthogonal_map not in _ORTHOGONAL_MAPS:
        raise ValueError(f'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: '
                         f"{orthogonal_map}")
    # unsafe: the original X need not have the weight's value (with trivialization it is -I)
    return register_parametrization(module, name, _Orthogonal(weight, orthogonal_map,
                                                              use_trivialization=use_trivialization), unsafe=True)


# -------------------------------------------------------------------------------------------- weight norm

class _WeightNorm(Module):
    """``forward(g, v) = g · v / ‖v‖``, the norm over every dim but ``dim`` (over all of v for ``None``)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_from_norm_and_direction(weight_g, weight_v, self.dim)

    def right_inverse(self, weight):
        """(g, v) = (‖w‖, w): the weight is unchanged."""
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrize ``module.<name>`` as ``g · v / ‖v‖``: ``parametrizations.<name>.original0`` is g,
    ``original1`` is v (module docstring). Returns the module."""
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


# ------------------------------------------------------------------------------------------ spectral norm

class _SpectralNorm(Module):
    """``forward(W) = W / σ(W)``, σ from the buffers ``_u`` and ``_v``, refined by ``n_power_iterations`` steps
    of power iteration at every call in training mode. A vector (1-D weight) is simply divided by its norm."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if not -ndim <= dim < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim % ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            matrix = matrix_with_dim_first(weight, self.dim)
            u, v = random_unit_vectors(matrix, eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            self._power_method(matrix, 15)  # start from good estimates, not random vectors

    def _power_method(self, matrix, n_power_iterations):
        # PyTorch's parametrization refines u first (u ← normalize(W v), v ← normalize(Wᵀu)): the iteration of
        # ``power_iteration`` run on Wᵀ, with the roles of u and v swapped
        power_iteration(matrix.mT, self._v, self._u, n_power_iterations, self.eps)

    def forward(self, weight):
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        matrix = matrix_with_dim_first(weight, self.dim)
        if self.training:
            self._power_method(matrix, self.n_power_iterations)
        return divided_by_spectral_norm(weight, matrix, self._u, self._v)

    def right_inverse(self, value):
        """The weight itself: assigning W stores W (it is normalized when read)."""
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its spectral norm (its largest singular value) at every read (module
    docstring). ``dim``: the dim of the weight's outputs (default 0, 1 for transposed convolutions); the weight
    is seen as a matrix with that dim first. Returns the module."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = output_dim(module)
    return register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
