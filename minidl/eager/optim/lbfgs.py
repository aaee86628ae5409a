"""L-BFGS: a quasi-Newton method that steps along ``d = -H·g``, where ``H`` approximates the inverse Hessian from
the last ``history_size`` steps ``s_k = x_(k+1) - x_k`` and gradient changes ``y_k = g_(k+1) - g_k`` (Nocedal &
Wright, "Numerical Optimization", 2nd ed., chapter 7). PyTorch's algorithm, step for step.

``H·g`` is never formed as a matrix: the *two-loop recursion* computes it from the pairs (N&W, algorithm 7.4)::

    q = -g
    for k from newest to oldest:  a_k = ρ_k·(s_k·q);  q -= a_k·y_k           (ρ_k = 1 / (y_k·s_k))
    r = γ·q                       (γ = s·y / y·y of the newest pair: the scale of the starting H)
    for k from oldest to newest:  b = ρ_k·(y_k·r);    r += (a_k - b)·s_k
    d = r

A pair is kept only when ``y·s > 1e-10`` (the curvature condition, which keeps H positive definite). The step
along ``d`` is ``lr`` (on the very first iteration ``lr·min(1, 1/Σ|g|)``), or the one a strong Wolfe line search
finds (``line_search_fn="strong_wolfe"``, see ``line_search.py``).

Unlike the other optimizers, ``step(closure)`` needs the closure — it re-evaluates the loss and gradients up to
``max_eval`` times — and runs up to ``max_iter`` iterations; it returns the loss from before them. The line
search may only use what is left of the ``max_eval`` budget; with nothing left it still tries its first step,
once, and moves there only if the loss went down (so ``LBFGS(..., max_iter=1, line_search_fn="strong_wolfe")``,
whose ``max_eval`` is 1, often does not move at all, as in PyTorch). The whole parameter list is treated as one
flat vector of real numbers (a complex parameter gives its real and imaginary parts, as PyTorch's does), so there is
one parameter group and no per-parameter options.
"""
from ... import ops
from ..grad_mode import enable_grad, no_grad
from .line_search import strong_wolfe
from .optimizer import Optimizer


def _real(tensor):
    """A complex tensor's real numbers (``view_as_real``: a view, so moving it moves the tensor); a real tensor."""
    return ops.view_as_real(tensor) if tensor.is_complex() else tensor


class LBFGS(Optimizer):
    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if not 0 <= lr:  # (a NaN too)
            raise ValueError(f"Invalid learning rate: {lr}")
        # (an unknown line_search_fn is only refused by step(), when a line search is first needed, as PyTorch)
        max_eval = max_iter * 5 // 4 if max_eval is None else max_eval
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group):
        """Only the constructor's group: the flat vector is made of its parameters (PyTorch's step refuses a
        second group; here adding it is refused, before a step could leave its parameters untouched)."""
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # ------------------------------------------------------------------ the parameters as one flat vector
    def _flat_grad(self):
        """Every gradient flattened and joined (a sparse one made dense, as PyTorch's LBFGS does)."""
        return ops.cat([_real(ops.zeros_like(p) if p.grad is None else p.grad.to_dense()).reshape(-1)
                        for p in self._params])

    def _move(self, t, d):
        """x += t·d, each parameter taking its slice of the flat direction."""
        offset = 0
        for p in self._params:
            numbers = _real(p)
            n = numbers.numel()
            numbers.add_(d[offset:offset + n].reshape(numbers.shape), alpha=t)
            offset += n

    def _evaluate(self, closure):
        """The loss (a float) and the flat gradient at the current parameters."""
        with enable_grad():
            loss = closure()
        return float(loss), self._flat_grad()  # (read while nothing is recorded: no warning, as in PyTorch)

    def _evaluate_at(self, closure, x, t, d):
        """The loss and gradient at ``x + t·d``; the parameters are put back to ``x`` afterwards."""
        self._move(t, d)
        loss, grad = self._evaluate(closure)
        for p, value in zip(self._params, x):
            p.copy_(value)
        return loss, grad

    # --------------------------------------------------------------------------------------- the step
    @no_grad()
    def step(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        # the state lives with the first parameter (its keys are PyTorch's)
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            original_loss = closure()
        loss, grad = float(original_loss), self._flat_grad()
        evaluations = 1
        state["func_evals"] += 1
        if float(grad.abs().max()) <= tolerance_grad:
            return original_loss  # already at a stationary point

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro, h_diag = state.get("old_dirs"), state.get("old_stps"), state.get("ro"), \
            state.get("H_diag")
        prev_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        for n_iter in range(1, max_iter + 1):
            state["n_iter"] += 1
            # -- the direction: steepest descent at first, then the two-loop recursion
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = -grad, [], [], [], 1.0
            else:
                y, s = grad - prev_grad, d * t
                ys = float(y.dot(s))
                if ys > 1e-10:  # the curvature condition: only then does the pair keep H positive definite
                    if len(old_dirs) == group["history_size"]:
                        old_dirs, old_stps, ro = old_dirs[1:], old_stps[1:], ro[1:]
                    old_dirs, old_stps, ro = old_dirs + [y], old_stps + [s], ro + [1.0 / ys]
                    h_diag = ys / float(y.dot(y))
                d = _two_loop(-grad, old_dirs, old_stps, ro, h_diag)
            prev_grad, prev_loss = grad, loss
            # -- the step length, and the move
            t = min(1.0, 1.0 / float(grad.abs().sum())) * lr if state["n_iter"] == 1 else lr
            slope = float(grad.dot(d))
            if slope > -tolerance_change:
                break  # no longer a descent direction
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x = [p.clone() for p in self._params]
                loss, grad, t, used = strong_wolfe(lambda step: self._evaluate_at(closure, x, step, d), d, t, loss,
                                                   grad, slope, max_ls=max_eval - evaluations)
                self._move(t, d)
            else:
                self._move(t, d)
                used = 0
                if n_iter != max_iter:  # (the last iteration's loss would go unused)
                    loss, grad = self._evaluate(closure)
                    used = 1
            evaluations += used
            state["func_evals"] += used
            # -- stop when out of budget, at a stationary point, or when nothing changes any more
            if n_iter == max_iter or evaluations >= max_eval:
                break
            if float(grad.abs().max()) <= tolerance_grad:
                break
            if float((d * t).abs().max()) <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag, prev_flat_grad=prev_grad,
                     prev_loss=prev_loss)
        return original_loss


def _two_loop(q, dirs, steps, ro, h_diag):
    """``-H·g`` from ``q = -g`` and the stored pairs (y_k = ``dirs``, s_k = ``steps``): see the module's docstring."""
    alphas = []
    for y, s, rho in zip(reversed(dirs), reversed(steps), reversed(ro)):
        alpha = float(s.dot(q)) * rho
        q = q - y * alpha
        alphas.append(alpha)
    r = q * h_diag
    for y, s, rho, alpha in zip(dirs, steps, ro, reversed(alphas)):
        beta = float(y.dot(r)) * rho
        r = r + s * (alpha - beta)
    return r
