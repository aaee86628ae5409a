"""Weight normalization and spectral normalization: a layer's weight re-expressed through other parameters, and
recomputed from them before every forward (PyTorch's older, hook-based ``nn.utils`` API; ``nn.utils`` re-exports
these functions).

**Weight normalization** (Salimans & Kingma, 2016) splits the weight into a direction and a length::

    w = g · v / ‖v‖

with ``v`` shaped like w and ``g`` one number per slice of w along ``dim`` (the norm is taken over all the other
dims; ``dim=None`` — or -1 — takes it over the whole tensor, so g is a single number). Gradient descent on g and
v then adjusts a unit's scale and direction separately, which often trains faster. The module's parameter
``weight`` is replaced by ``weight_g`` and ``weight_v``.

**Spectral normalization** (Miyato et al., 2018) divides the weight by its largest singular value σ(W), so the
layer is 1-Lipschitz (a GAN discriminator's usual constraint)::

    w = W / σ(W),        σ(W) ≈ uᵀ W v

where u and v approximate the top singular vectors, kept between calls as buffers ``weight_u`` and ``weight_v``
and refined by ``n_power_iterations`` steps of power iteration before each forward in training mode
(v ← normalize(Wᵀu), u ← normalize(W v); W is the weight as a matrix with ``dim`` first, the rest flattened).
The iteration is not differentiated; σ = uᵀ W v is, so the gradient flows through W / σ into ``weight_orig``.

Both install a forward pre-hook (``Module.register_forward_pre_hook``) that recomputes ``module.weight`` — a
plain tensor attribute now, not a parameter — from the parameters before every call. ``remove_weight_norm`` /
``remove_spectral_norm`` compute it one last time and make it a parameter again.

The math itself lives in the plain functions below (``norm_except_dim``, ``weight_from_norm_and_direction``,
``output_dim``, ``matrix_with_dim_first``, ``random_unit_vectors``, ``power_iteration``,
``divided_by_spectral_norm``), which the newer ``nn.utils.parametrizations`` reuses.
"""
from ... import ops
from ..creation import empty
from ..grad_mode import no_grad
from .conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .functional import normalize
from .parameter import Parameter

__all__ = ["weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm"]


def _find_hook(module, kind, name):
    """The key and the hook of the ``kind`` reparametrization of ``name`` among the module's pre-hooks."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, kind) and hook.name == name:
            return key, hook
    return None, None


def _check_not_applied(module, kind, name):
    if _find_hook(module, kind, name)[1] is not None:
        raise RuntimeError(f"Cannot register two {kind.what} hooks on the same parameter {name}")


def _uninstall(module, kind, name):
    """Remove the hook and turn the recomputed weight into a parameter again."""
    key, hook = _find_hook(module, kind, name)
    if hook is None:
        raise ValueError(f"{kind.what} of '{name}' not found in {module}")
    with no_grad():
        weight = hook.compute_weight(module, do_power_iteration=False)
    for suffix in kind.suffixes:
        delattr(module, name + suffix)
    delattr(module, name)
    module.register_parameter(name, Parameter(weight.detach()))
    del module._forward_pre_hooks[key]
    return module


# ---------------------------------------------------------------------------------------------- weight norm

def norm_except_dim(v, dim):
    """‖v‖ over every dim but ``dim`` (kept, size 1, so it broadcasts against v); over all of v for dim -1. With
    no other dim (a vector, dim 0) each entry is its own slice: |v|."""
    if dim == -1:
        return ops.norm(v)
    if not -v.ndim <= dim < v.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-v.ndim}, {v.ndim - 1}], but got "
                         f"{dim})")
    others = tuple(d for d in range(v.ndim) if d != dim % v.ndim)
    return ops.norm(v, 2, others, keepdim=True) if others else ops.abs(v)


def weight_from_norm_and_direction(g, v, dim):
    """``w = g · v / ‖v‖`` (the norm as in ``norm_except_dim``)."""
    return v * (g / norm_except_dim(v, dim))


class WeightNorm:
    """The forward pre-hook of ``weight_norm``: ``module.<name> = g · v / ‖v‖``."""
    what = "weight_norm"
    suffixes = ("_g", "_v")

    def __init__(self, name, dim):
        self.name, self.dim = name, dim

    def compute_weight(self, module, do_power_iteration=False):  # (the argument: the same call as SpectralNorm's)
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return weight_from_norm_and_direction(g, v, self.dim)

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Reparametrize ``module.<name>`` as ``g · v / ‖v‖`` (module docstring): the parameters ``<name>_g`` (the
    norms, so the weight is unchanged at first) and ``<name>_v`` (the weight) replace it. Returns the module."""
    _check_not_applied(module, WeightNorm, name)
    hook = WeightNorm(name, -1 if dim is None else dim)
    weight = module._parameters.pop(name)
    module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, hook.dim).detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo ``weight_norm``: ``<name>`` becomes a parameter again, holding g · v / ‖v‖."""
    return _uninstall(module, WeightNorm, name)


# -------------------------------------------------------------------------------------------- spectral norm

def output_dim(module):
    """The dim of the module's weight that indexes its outputs: 1 for transposed convolutions (their weight is
    in_channels × out_channels × kernel), 0 for everything else."""
    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0


def matrix_with_dim_first(weight, dim):
    """The weight as a matrix: ``dim`` first, the other dims flattened."""
    if dim != 0:
        weight = ops.permute(weight, (dim,) + tuple(d for d in range(weight.ndim) if d != dim))
    return ops.reshape(weight, (weight.shape[0], -1))


def random_unit_vectors(matrix, eps):
    """Power iteration's random start: unit vectors u (one entry per row of the matrix) and v (per column)."""
    with no_grad():
        return tuple(normalize(empty(n, dtype=matrix.dtype, device=matrix.device).normal_(0, 1), dim=0, eps=eps)
                     for n in matrix.shape)


def power_iteration(matrix, u, v, n_power_iterations, eps):
    """``n_power_iterations`` rounds of v ← normalize(Mᵀu), u ← normalize(M v), written into the buffers ``u``
    and ``v`` in place (they are state, not part of the function: nothing is recorded). They converge to the
    top left and right singular vectors of M."""
    with no_grad():
        for _ in range(n_power_iterations):
            v.copy_(normalize(ops.matmul(ops.transpose(matrix, 0, 1), u), dim=0, eps=eps))
            u.copy_(normalize(ops.matmul(matrix, v), dim=0, eps=eps))


def divided_by_spectral_norm(weight, matrix, u, v):
    """``weight / σ`` with σ = uᵀ M v (M: the weight as a matrix): differentiable in the weight, not in u, v.
    u and v are copied for the graph: the next power iteration updates them in place, and must not change what
    this call's backward reads."""
    sigma = ops.dot(ops.clone(u), ops.matmul(matrix, ops.clone(v)))
    return weight / sigma


class SpectralNorm:
    """The forward pre-hook of ``spectral_norm``: power iteration (in training mode), then
    ``module.<name> = W / (uᵀ W v)``."""
    what = "spectral_norm"
    suffixes = ("_u", "_v", "_orig")

    def __init__(self, name, n_power_iterations, dim, eps):
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        matrix = matrix_with_dim_first(weight, self.dim)
        if do_power_iteration:
            power_iteration(matrix, u, v, self.n_power_iterations, self.eps)
        return divided_by_spectral_norm(weight, matrix, u, v)

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its spectral norm before every forward (module docstring). The parameter is
    renamed ``<name>_orig``; the buffers ``<name>_u`` and ``<name>_v`` start as random unit vectors. ``dim``: the
    dim of output units (default 0, 1 for transposed convolutions). Returns the module."""
    _check_not_applied(module, SpectralNorm, name)
    if dim is None:
        dim = output_dim(module)
    hook = SpectralNorm(name, n_power_iterations, dim, eps)
    weight = module._parameters[name]
    u, v = random_unit_vectors(matrix_with_dim_first(weight, dim), eps)
    delattr(module, name)
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.data)  # a plain tensor until the first forward recomputes it
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(hook)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo ``spectral_norm``: ``<name>`` becomes a parameter again, holding W / σ with the current u and v."""
    return _uninstall(module, SpectralNorm, name)
