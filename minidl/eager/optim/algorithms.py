"""The first-order optimizers, each one update rule (formulas as in PyTorch's documentation; ``g`` is the gradient,
``t`` the step count from 1, all operations elementwise and in place on the parameter)."""
import math

from ... import ops
from ...backend.kernels import adam_step, sgd_momentum_step, sgd_step
from .optimizer import (Optimizer, _as_real, changed_in_place, fused_update_arrays, scalar_state, update_options,
                        with_values, zero_step)


def _check(name, value, low=0.0):
    """PyTorch's check of a hyperparameter, ``low <= value``, which a NaN fails too (it would turn every parameter
    into NaN at the first step)."""
    try:
        valid = low <= value
    except TypeError:
        raise TypeError(f"Invalid {name}: {value!r} (expected a number)") from None
    if not valid:
        raise ValueError(f"Invalid {name}: {value}")


def _check_betas(betas):
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"Invalid beta parameters: {betas!r} (expected a pair (beta1, beta2))")
    for beta in betas:
        _check("beta parameters", beta)
    if not (betas[0] < 1.0 and betas[1] < 1.0):
        raise ValueError(f"Invalid beta parameters: {betas}")


def _decayed_gradient(p, g, group):
    """The gradient to follow (negated for ``maximize``) with weight decay applied: ``g + wd·p`` (L2), or with
    ``decoupled_weight_decay`` the weights decayed directly, ``p *= 1 - lr·wd`` (AdamW's way)."""
    g = -g if group["maximize"] else g
    wd = group["weight_decay"]
    if wd and group["decoupled_weight_decay"]:
        p.mul_(1 - group["lr"] * wd)
    elif wd:
        g = g + wd * p
    return g


class SGD(Optimizer):
    """``g += wd·p``; with momentum: ``b = μ·b + (1 - dampening)·g`` (b = g at the first step), and
    ``g = g + μ·b`` (Nesterov) or ``g = b``; then ``p -= lr·g``.

    A sparse gradient (``nn.Embedding(sparse=True)``'s) updates only the rows it holds, and so does a momentum
    buffer, which is then sparse too (its entries grow with every step, as PyTorch's). ``weight_decay`` would add
    the dense ``wd·p`` to it and is refused, as PyTorch refuses ``sparse + dense``."""

    _gradient_layouts = "any"

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check("learning rate", lr), _check("momentum value", momentum), _check("weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize,
                                      **update_options(foreach=foreach, differentiable=differentiable, fused=fused)))

    def _update(self, p, g, state, group):
        if g.is_sparse and group["fused"]:
            raise RuntimeError("`_fused_sgd` does not support sparse gradients")
        g = -g if group["maximize"] else g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        momentum = group["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.clone()
            else:
                fused = fused_update_arrays((p, g, buf), (group["lr"], momentum, group["dampening"]))
                if fused is not None:  # one kernel on a GPU for the rest of this step
                    xp, (p_array, g_array, buf_array) = fused
                    sgd_momentum_step(xp, p_array, g_array, buf_array, group["lr"], momentum, group["dampening"],
                                      group["nesterov"])
                    changed_in_place(p, buf)
                    return
                buf.mul_(momentum).add_(g, alpha=1 - group["dampening"])
            g = g + momentum * buf if group["nesterov"] else buf
        fused = fused_update_arrays((p, g), (group["lr"],))
        if fused is not None:  # on the arrays: the Python of two tensor ops saved per parameter and step
            xp, (p_array, g_array) = fused
            sgd_step(xp, p_array, g_array, group["lr"])
            changed_in_place(p)
            return
        p.add_(g, alpha=-group["lr"])


class Adam(Optimizer):
    """``m = β1·m + (1-β1)·g``; ``v = β2·v + (1-β2)·g²``; ``p -= lr·m̂ / (√v̂ + eps)`` with the bias corrections
    ``m̂ = m/(1-β1ᵗ)``, ``v̂ = v/(1-β2ᵗ)`` (AMSGrad uses the running maximum of v̂). ``weight_decay`` adds
    ``wd·p`` to the gradient (L2); with ``decoupled_weight_decay=True`` (``AdamW``) it decays the weights
    directly instead."""

    _layout_refusal = "Adam does not support sparse gradients, please consider SparseAdam instead"  # (AdamW's too)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check("learning rate", lr), _check("epsilon value", eps), _check("weight_decay value", weight_decay)
        _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=decoupled_weight_decay,
                                      **update_options(foreach=foreach, capturable=capturable,
                                                       differentiable=differentiable, fused=fused)))

    def _update(self, p, g, state, group):
        g = _decayed_gradient(p, g, group)
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        if not state:
            state["step"] = zero_step()
            state["exp_avg"], state["exp_avg_sq"] = ops.zeros_like(p), ops.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = ops.zeros_like(p)
        state["step"] += 1
        t = int(state["step"])
        m, v = state["exp_avg"], state["exp_avg_sq"]
        fused = None if group["amsgrad"] else fused_update_arrays((p, g, m, v), (lr, beta1, beta2, eps))
        if fused is not None:  # the same formulas as below, in one kernel on a GPU
            xp, (p_array, g_array, m_array, v_array) = fused
            adam_step(xp, p_array, g_array, m_array, v_array, lr, beta1, beta2, eps, t)
            changed_in_place(p, m, v)
            return
        # in PyTorch's order of operations (m moves towards g by 1-β1); results agree with PyTorch's CPU kernels to
        # about one unit in the last place (they fuse multiply-adds, which numpy rounds twice)
        m.lerp_(g, 1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        if group["amsgrad"]:
            state["max_exp_avg_sq"].copy_(ops.maximum(state["max_exp_avg_sq"], v))
            v = state["max_exp_avg_sq"]
        denominator = ops.sqrt(v).div_(math.sqrt(1 - beta2 ** t)).add_(eps)
        p.addcdiv_(m, denominator, value=-lr / (1 - beta1 ** t))


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr·wd`` before the Adam step (default wd 0.01)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


class RMSprop(Optimizer):
    """``v = α·v + (1-α)·g²``; centered: ``ḡ = α·ḡ + (1-α)·g`` and ``v - ḡ²`` under the root;
    ``p -= lr·g / (√v + eps)``, or with momentum ``b = μ·b + g/(√v + eps)``, ``p -= lr·b``."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check("learning rate", lr), _check("epsilon value", eps), _check("alpha value", alpha)
        _check("momentum value", momentum), _check("weight_decay value", weight_decay)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize,
                                      **update_options(capturable=capturable, foreach=foreach,
                                                       differentiable=differentiable)))

    def _update(self, p, g, state, group):
        g = -g if group["maximize"] else g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        alpha = group["alpha"]
        if not state:
            state["step"] = zero_step()
            state["square_avg"] = ops.zeros_like(p)
            if group["momentum"]:
                state["momentum_buffer"] = ops.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = ops.zeros_like(p)
        state["step"] += 1
        v = state["square_avg"].mul_(alpha).addcmul_(g, g, value=1 - alpha)
        if group["centered"]:
            mean = state["grad_avg"].lerp_(g, 1 - alpha)
            v = v.addcmul(mean, mean, value=-1)
        denominator = ops.sqrt(v).add_(group["eps"])
        if group["momentum"]:
            buf = state["momentum_buffer"].mul_(group["momentum"]).addcdiv_(g, denominator)
            p.add_(buf, alpha=-group["lr"])
        else:
            p.addcdiv_(g, denominator, value=-group["lr"])


class Adagrad(Optimizer):
    """``s += g²``; ``p -= clr·g / (√s + eps)`` with ``clr = lr / (1 + (t-1)·lr_decay)``.

    A sparse gradient is coalesced (each row once: the update is not linear in g) and updates s and p at its rows
    only; ``weight_decay`` is refused with it, as in PyTorch."""

    _gradient_layouts = "any"

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check("learning rate", lr), _check("lr_decay", lr_decay), _check("initial_accumulator_value",
                                                                          initial_accumulator_value)
        _check("weight_decay value", weight_decay), _check("epsilon value", eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize,
                                      **update_options(foreach=foreach, differentiable=differentiable, fused=fused)))
        for group in self.param_groups:  # every accumulator exists from the start, as in PyTorch's state_dict
            for p in group["params"]:
                self.state[p] = self._fresh_state(p)

    def _fresh_state(self, p):
        # PyTorch fills the sum from the constructor's value, whatever a param group says; a complex parameter is
        # updated as two real numbers (Optimizer.step's real view), each with its sum
        values = _as_real(p) if p.is_complex() else p
        return {"step": zero_step(), "sum": ops.full_like(values, self.defaults["initial_accumulator_value"])}

    def share_memory(self):
        """Put the accumulators in shared memory, for training in several processes (Hogwild)."""
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["sum"].share_memory_()

    def _update(self, p, g, state, group):
        if g.is_sparse and group["fused"]:
            raise RuntimeError("`fused` does not support sparse grad or complex param")
        g = -g if group["maximize"] else g
        if not state:  # (a parameter of a group added later)
            state.update(self._fresh_state(p))
        state["step"] += 1
        if group["weight_decay"]:
            if g.is_sparse:
                raise RuntimeError("weight_decay option is not compatible with sparse gradients")
            g = g + group["weight_decay"] * p
        clr = group["lr"] / (1 + (int(state["step"]) - 1) * group["lr_decay"])
        if g.is_sparse:
            g = g.coalesce()
            values = g._values()
            state["sum"].add_(with_values(g, values * values))
            std = state["sum"].sparse_mask(g)._values().sqrt_().add_(group["eps"])
            p.add_(with_values(g, values / std), alpha=-clr)
            return
        s = state["sum"].addcmul_(g, g)
        p.addcdiv_(g, ops.sqrt(s).add_(group["eps"]), value=-clr)


class Adadelta(Optimizer):
    """A step size from the gradients' own history, no learning rate to tune (Zeiler, 2012):
    ``v = ρ·v + (1-ρ)·g²``; ``Δ = √(u + eps) / √(v + eps) · g``; ``u = ρ·u + (1-ρ)·Δ²``; ``p -= lr·Δ``
    (``lr`` only scales Δ; default 1)."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check("learning rate", lr), _check("epsilon value", eps), _check("weight_decay value", weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      **update_options(foreach=foreach, capturable=capturable,
                                                       differentiable=differentiable)))

    def _update(self, p, g, state, group):
        g = -g if group["maximize"] else g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"] = zero_step()
            state["square_avg"], state["acc_delta"] = ops.zeros_like(p), ops.zeros_like(p)
        state["step"] += 1
        v = state["square_avg"].mul_(rho).add_(g * g, alpha=1 - rho)
        delta = ops.sqrt(state["acc_delta"] + eps) / ops.sqrt(v + eps) * g
        state["acc_delta"].mul_(rho).add_(delta * delta, alpha=1 - rho)
        p.sub_(delta * group["lr"])


class Adamax(Optimizer):
    """Adam with the infinity norm: ``m = β1·m + (1-β1)·g``; ``u = max(β2·u, |g| + eps)``;
    ``p -= lr / (1-β1ᵗ) · m / u``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check("learning rate", lr), _check("epsilon value", eps), _check("weight_decay value", weight_decay)
        _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, **update_options(foreach=foreach, capturable=capturable,
                                                                          differentiable=differentiable)))

    def _update(self, p, g, state, group):
        g = -g if group["maximize"] else g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = zero_step()
            state["exp_avg"], state["exp_inf"] = ops.zeros_like(p), ops.zeros_like(p)
        state["step"] += 1
        m = state["exp_avg"].mul_(beta1).add_(g, alpha=1 - beta1)
        u = state["exp_inf"]
        u.copy_(ops.maximum(u * beta2, ops.abs(g) + group["eps"]))
        p.sub_(m / u * (group["lr"] / (1 - beta1 ** int(state["step"]))))


class NAdam(Optimizer):
    """Adam with Nesterov momentum (Dozat, 2016), with PyTorch's momentum schedule
    ``μ_t = β1·(1 - 0.5·0.96^(t·momentum_decay))``: with ``m``, ``v`` as in Adam and ``Π_t = μ_1···μ_t``,
    ``p -= lr·(1-μ_t)/(1-Π_t) · g/d + lr·μ_(t+1)/(1-Π_(t+1)) · m/d``, ``d = √(v/(1-β2ᵗ)) + eps``.
    ``decoupled_weight_decay=True`` decays the weights directly (as AdamW does). Π is kept as PyTorch keeps it, a
    float32 0-d tensor (``state["mu_product"]``), so the steps agree with PyTorch's to rounding."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check("learning rate", lr), _check("epsilon value", eps), _check("weight_decay value", weight_decay)
        _check("momentum_decay value", momentum_decay), _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, **update_options(foreach=foreach, capturable=capturable,
                                                                          differentiable=differentiable)))

    def _update(self, p, g, state, group):
        g = _decayed_gradient(p, g, group)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        if not state:
            state["step"], state["mu_product"] = zero_step(), scalar_state(1.0)
            state["exp_avg"], state["exp_avg_sq"] = ops.zeros_like(p), ops.zeros_like(p)
        state["step"] += 1
        t = int(state["step"])
        mu = beta1 * (1 - 0.5 * 0.96 ** (t * group["momentum_decay"]))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * group["momentum_decay"]))
        state["mu_product"].mul_(mu)
        mu_product = float(state["mu_product"])
        m = state["exp_avg"].lerp_(g, 1 - beta1)
        v = state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denominator = ops.sqrt(v / (1 - beta2 ** t)).add_(group["eps"])
        p.addcdiv_(g, denominator, value=-lr * (1 - mu) / (1 - mu_product))
        p.addcdiv_(m, denominator, value=-lr * mu_next / (1 - mu_product * mu_next))


class RAdam(Optimizer):
    """Adam whose adaptive step is switched on only once the variance estimate can be trusted (Liu et al., 2020,
    "On the Variance of the Adaptive Learning Rate and Beyond"). With ``m``, ``v`` and ``m̂ = m/(1-β1ᵗ)`` as in Adam,
    the length of the moving average ``ρ_∞ = 2/(1-β2) - 1`` and its value at step t, ``ρ_t = ρ_∞ - 2t·β2ᵗ/(1-β2ᵗ)``:

    * ``ρ_t > 5``: ``p -= lr · m̂ · r_t · √(1-β2ᵗ)/(√v + eps)``, rectified by
      ``r_t = √((ρ_t-4)(ρ_t-2)ρ_∞ / ((ρ_∞-4)(ρ_∞-2)ρ_t))``;
    * otherwise (the first few steps) plain momentum SGD: ``p -= lr · m̂``.

    ``weight_decay`` adds ``wd·p`` to the gradient, or with ``decoupled_weight_decay=True`` decays the weights
    directly (``p *= 1 - lr·wd``, as AdamW)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        _check("learning rate", lr), _check("epsilon value", eps), _check("weight_decay value", weight_decay)
        _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                                      **update_options(foreach=foreach, capturable=capturable,
                                                       differentiable=differentiable)))

    def _update(self, p, g, state, group):
        g = _decayed_gradient(p, g, group)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        if not state:
            state["step"] = zero_step()
            state["exp_avg"], state["exp_avg_sq"] = ops.zeros_like(p), ops.zeros_like(p)
        state["step"] += 1
        t = int(state["step"])
        m = state["exp_avg"].mul_(beta1).add_(g, alpha=1 - beta1)
        v = state["exp_avg_sq"].mul_(beta2).add_(g * g, alpha=1 - beta2)
        m_hat = m / (1 - beta1 ** t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
        if rho_t > 5:
            rectifier = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            p.sub_(m_hat * (lr * rectifier) * math.sqrt(1 - beta2 ** t) / (ops.sqrt(v) + group["eps"]))
        else:
            p.sub_(m_hat * lr)


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun, 1993): each weight has its own step size, grown by
    ``η+`` while its gradient keeps its sign and shrunk by ``η-`` when the sign flips (the last step jumped over
    a minimum), clamped to ``step_sizes``; the update uses only the gradient's sign: ``p -= sign(g)·step``. After
    a flip the gradient counts as 0 for that step (no move, and no flip is seen at the next one). For full-batch
    training: minibatch noise flips signs at random."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        _check("learning rate", lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize,
                                      **update_options(foreach=foreach, capturable=capturable,
                                                       differentiable=differentiable)))

    def _update(self, p, g, state, group):
        g = -g if group["maximize"] else g
        (eta_minus, eta_plus), (smallest, largest) = group["etas"], group["step_sizes"]
        if not state:
            state["step"] = zero_step()
            state["prev"], state["step_size"] = ops.zeros_like(p), ops.full_like(g, group["lr"])
        state["step"] += 1
        agreement = ops.sign(g * state["prev"])  # +1 same sign as last time, -1 flipped, 0 either was zero
        one = ops.ones_like(g)
        factor = ops.where(agreement > 0, one * eta_plus, ops.where(agreement < 0, one * eta_minus, one))
        step_size = state["step_size"].mul_(factor).clamp_(smallest, largest)
        g = ops.where(agreement < 0, 0.0, g)
        p.sub_(ops.sign(g) * step_size)
        state["prev"].copy_(g)


class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky, 1992): SGD with a decaying step ``η_t = lr / (1 + λ·lr·t)^α`` and a
    weight decay of ``λ·η``, which also keeps a running average ``ax`` of the weights once step ``t0`` is past (the
    average, not ``p``, is the estimate with the good convergence guarantees; read it from
    ``optimizer.state[p]["ax"]``)::

        p = p·(1 - λ·η) - η·g;   ax += μ·(p - ax);   η = lr / (1 + λ·lr·t)^α;   μ = 1 / max(1, t - t0)

    η and μ are kept as PyTorch keeps them, float32 0-d tensors, so the steps agree with PyTorch's to rounding.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check("learning rate", lr), _check("weight_decay value", weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize, **update_options(foreach=foreach, capturable=capturable,
                                                                          differentiable=differentiable)))

    def _update(self, p, g, state, group):
        g = -g if group["maximize"] else g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        if not state:
            state["step"], state["eta"], state["mu"] = zero_step(), scalar_state(group["lr"]), scalar_state(1.0)
            state["ax"] = ops.zeros_like(p)
        state["step"] += 1
        eta, mu, lambd, t = float(state["eta"]), float(state["mu"]), group["lambd"], int(state["step"])
        p.mul_(1 - lambd * eta).add_(g, alpha=-eta)
        if mu != 1:
            state["ax"].add_((p - state["ax"]).mul_(mu))
        else:
            state["ax"].copy_(p)
        # rounded to the step count's precision, as PyTorch computes them from it: loaded from a checkpoint, eta and mu
        # are float64 tensors, and the resumed run must still take the uninterrupted run's steps
        rounded = state["step"]._data.dtype.type
        state["eta"].fill_(float(rounded(group["lr"] / (1 + lambd * group["lr"] * t) ** group["alpha"])))
        state["mu"].fill_(float(rounded(1 / max(1, t - group["t0"]))))
