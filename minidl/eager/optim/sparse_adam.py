"""``SparseAdam``: Adam for sparse gradients (``nn.Embedding(sparse=True)``'s), updating only the rows a gradient
holds — a lazy Adam: a row's moments decay only at the steps that look it up, not at every step as Adam's would.

For the rows r of the coalesced gradient (values g_r) at step t, with the moments m, v (dense, the parameter's
shape)::

    m_r += (1 - β1)·(g_r - m_r);   v_r += (1 - β2)·(g_r² - v_r)
    p_r -= lr·√(1 - β2ᵗ)/(1 - β1ᵗ) · m_r / (√v_r + eps)

(Adam's formulas with eps added to √v_r before the bias correction, as PyTorch's SparseAdam does.) A dense
gradient is refused ("please consider Adam instead"), and so are sparse and complex parameters, as in PyTorch.
"""
import math

from ... import ops
from .optimizer import Optimizer, with_values

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    _gradient_layouts = "sparse"
    _layout_refusal = "SparseAdam does not support dense gradients, please consider Adam instead"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i in (0, 1):
            if not 0.0 <= betas[i] < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        for refused, what in ((lambda p: p.is_sparse, "Sparse params at indices {}: SparseAdam requires dense "
                                                      "parameter tensors"),
                              (lambda p: p.is_complex(), "Complex params at indices {}: SparseAdam does not support "
                                                         "complex parameters")):
            where = [[i, j] for i, group in enumerate(self.param_groups) for j, p in enumerate(group["params"])
                     if refused(p)]
            if where:
                raise ValueError(what.format(where))

    def _update(self, p, g, state, group):
        if not state:
            state["step"] = 0  # (a Python int in PyTorch's SparseAdam)
            state["exp_avg"], state["exp_avg_sq"] = ops.zeros_like(p), ops.zeros_like(p)
        state["step"] += 1
        g = (-g if group["maximize"] else g).coalesce()  # each row once: the update is not linear in g
        values = g._values()
        if values.numel() == 0:
            return
        (beta1, beta2), t = group["betas"], state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        old_m = m.sparse_mask(g)._values()
        m_step = (values - old_m).mul_(1 - beta1)
        m.add_(with_values(g, m_step))
        old_v = v.sparse_mask(g)._values()
        v_step = (values * values).sub_(old_v).mul_(1 - beta2)
        v.add_(with_values(g, v_step))
        denominator = (v_step + old_v).sqrt_().add_(group["eps"])
        step_size = group["lr"] * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        p.add_(with_values(g, (m_step + old_m).div_(denominator) * -step_size))
