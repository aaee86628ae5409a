"""Muon, momentum whose steps for weight matrices are orthogonalized by a Newton–Schulz iteration."""
import math

from .optimizer import Optimizer

QUINTIC_COEFFICIENTS = (3.4445, -4.7750, 2.0315)  # Keller Jordan's: the steepest slope at 0 that still converges
LR_ADJUSTMENTS = ("original", "match_rms_adamw")


def orthogonalized(matrix, coefficients=QUINTIC_COEFFICIENTS, steps=5, eps=1e-7):
    """An approximation of ``U·Vᵀ`` for ``matrix = U·S·Vᵀ`` by the quintic Newton–Schulz iteration
    ``X ← a·X + (b·A + c·A²)·X`` with ``A = X·Xᵀ``, from ``X = matrix / ‖matrix‖_F`` (so every singular value
    starts in [0, 1]). Each step maps each singular value σ to ``a·σ + b·σ³ + c·σ⁵``; these coefficients pull the
    small ones up fast and leave all of them near 1 (roughly between 0.5 and 1.5: orthogonal enough, in few
    steps).
    A wide matrix is iterated as is and a tall one transposed, so that ``A`` is the smaller Gram matrix."""
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if matrix.dim() != 2:
        raise ValueError(f"Input tensor gradient must be a 2D matrix, got shape {list(matrix.shape)}")
    if len(coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = coefficients
    tall = matrix.shape[0] > matrix.shape[1]
    x = matrix.T if tall else matrix
    x = x / x.norm().clamp(min=eps)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * (gram @ gram)) @ x
    return x.T if tall else x


def _adjusted_lr(lr, adjustment, shape):
    rows, columns = shape[:2]
    if adjustment is None or adjustment == "original":
        return lr * math.sqrt(max(1, rows / columns))
    return lr * 0.2 * math.sqrt(max(rows, columns))


class Muon(Optimizer):
    """Muon (Keller Jordan, 2024, "Muon: An optimizer for hidden layers in neural networks"): momentum SGD whose step
    for a weight matrix is the momentum *orthogonalized* — its singular values all pushed towards 1, so that every
    direction the gradient spans gets a step of about the same size, not just the few dominant ones.

    With ``B`` the momentum buffer (an exponential average, as in PyTorch's code)::

        B = μ·B + (1-μ)·g;   M = (1-μ)·g + μ·B (Nesterov) or M = B
        O = NS(M)                                 (≈ U·Vᵀ for M = U·S·Vᵀ; see ``orthogonalized``)
        p *= 1 - lr·λ;   p -= lr·s·O             s = √max(1, rows/cols) ("original"), or 0.2·√max(rows, cols)
                                                  ("match_rms_adamw": steps of AdamW's RMS, so its lr and λ carry over)

    Muon is for the 2-D weights of hidden layers only; give biases, norms and embeddings to another optimizer (AdamW).

    Deviation from PyTorch: PyTorch runs the Newton–Schulz iteration in bfloat16 (fast on GPUs, and accurate enough:
    the iteration itself only roughly orthogonalizes). numpy has no bfloat16, so minidl iterates in the gradient's own
    dtype; its steps agree with PyTorch's to bfloat16's precision (about 3 significant digits), and exactly with the
    same iteration done in full precision.
    """

    _takes_complex = False

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=QUINTIC_COEFFICIENTS, eps=1e-7, ns_steps=5, adjust_lr_fn=None):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in LR_ADJUSTMENTS:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported; expected one of "
                             f"{LR_ADJUSTMENTS} or None")
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                                      ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps,
                                      adjust_lr_fn=adjust_lr_fn))
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def _update(self, p, g, state, group):
        if g.dim() != 2:
            raise ValueError(f"Param gradient must be a 2D matrix, got shape {list(g.shape)}")
        momentum, lr = group["momentum"], float(group["lr"])
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = g.new_zeros(g.shape)
        buf = state["momentum_buffer"].lerp_(g, 1 - momentum)
        direction = g.lerp(buf, momentum) if group["nesterov"] else buf
        update = orthogonalized(direction, group["ns_coefficients"], group["ns_steps"], group["eps"])
        p.mul_(1 - lr * group["weight_decay"])
        p.add_(update, alpha=-_adjusted_lr(lr, group["adjust_lr_fn"], p.shape))
