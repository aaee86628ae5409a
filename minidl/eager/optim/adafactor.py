"""Adafactor (Shazeer & Stern, 2018), Adam's second moments in memory that grows as rows + columns."""
import math

from ... import ops
from ..environment import finfo
from ..tensor import Tensor
from .optimizer import Optimizer, update_options, zero_step


def _rms(t):
    return float(t.norm()) / math.sqrt(t.numel())


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018, "Adaptive Learning Rates with Sublinear Memory Cost"), in PyTorch's variant.

    Adam keeps one second moment per weight; for an ``n × m`` matrix Adafactor keeps only its row means ``R`` (n
    numbers) and column means ``C`` (m numbers) and rebuilds the moment as their outer product, ``V̂ = R·Cᵀ / mean(R)``
    (the best rank-1 fit in the I-divergence sense): memory grows as n + m, not n·m. With ``t`` the step count and
    ``τ = beta2_decay``::

        β̂₂ = 1 - t^τ                            (the average forgets less and less: no bias correction needed)
        ρ = min(lr, 1/√t)                        (the relative step size)
        α = max(ε₂, RMS(p)) · ρ                  (steps scale with the weights' own size)
        p *= 1 - lr·λ                            (decoupled weight decay)
        R = β̂₂·R + (1-β̂₂)·mean(g², last dim);  C = β̂₂·C + (1-β̂₂)·mean(g², the dim before)     (2-D and more)
        V̂ = R·C / max(mean(R), ε₁)                                          (vectors: V̂ = β̂₂·V̂ + (1-β̂₂)·g²)
        U = g / max(√V̂, ε₁);  p -= α · U / max(1, RMS(U)/d)                  (the update clipped to RMS d)

    Tensors of more than two dims are factored over their last two, each leading index with its own R and C.
    PyTorch's differences from the paper, kept here: ``lr`` caps ρ (the paper's constant 0.01) and scales the weight
    decay, and ε₁ (default: the dtype's machine epsilon) guards the final divisions instead of being added to g².
    """

    _takes_complex = False

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not beta2_decay <= 0.0:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                                      maximize=maximize, **update_options(foreach=foreach)))

    def _update(self, p, g, state, group):
        g = -g if group["maximize"] else g
        lr, (eps1, eps2) = float(group["lr"]), group["eps"]
        if eps1 is None:
            eps1 = finfo(p.dtype).eps
        factored = g.dim() > 1
        if not state:
            state["step"] = zero_step()
            if factored:
                state["row_var"] = g.new_zeros(g.shape[:-1] + (1,))
                state["col_var"] = g.new_zeros(g.shape[:-2] + (1, g.shape[-1]))
            else:
                state["variance"] = ops.zeros_like(g)
        state["step"] += 1
        t = float(state["step"])
        one_minus_beta2 = t ** group["beta2_decay"]
        alpha = max(eps2, _rms(p)) * min(lr, 1 / math.sqrt(t))  # from the weights before they decay
        if group["weight_decay"]:
            p.mul_(1 - lr * group["weight_decay"])
        squares = g * g
        if factored:
            rows = state["row_var"].lerp_(squares.mean(-1, keepdim=True), one_minus_beta2)
            columns = state["col_var"].lerp_(squares.mean(-2, keepdim=True), one_minus_beta2)
            variance = (rows @ columns).div_(rows.mean(-2, keepdim=True).clamp_(min=eps1))
        else:
            variance = ops.clone(state["variance"].lerp_(squares, one_minus_beta2))
        # (clamping V̂ at ε₁² before the root is clamping √V̂ at ε₁)
        update = variance.clamp_(min=eps1 * eps1).rsqrt_().mul_(g)
        p.add_(update, alpha=-alpha / max(1.0, _rms(update) / group["d"]))
