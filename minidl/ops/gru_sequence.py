"""The GRU recurrence over a whole sequence as one op, with backpropagation through time as one op too (as
``lstm_sequence.py`` does for the LSTM; see there for the reasons and for how higher orders are kept).

For steps t = 0 .. L-1 (gates stacked r, z, n as ``nn.GRU``'s weights; σ the sigmoid), from the input share
``xi_t = W_ih x_t + b_ih`` (one product for all steps, before this op) and the hidden share
``hh_t = W_hh h_(t-1) + b_hh`` (which must stay apart: r multiplies only the hidden share of n)::

    r = σ(xi_r + hh_r)    z = σ(xi_z + hh_z)    n = tanh(xi_n + r ⊙ hh_n)    h_t = (1 - z) ⊙ n + z ⊙ h_(t-1)

``GruSequence`` outputs every h_t, h_n, and for its backward the gate values [r, z, n] (L, N, 3H) and every hh_n
(L, N, H). **Backpropagation through time** (``GruSequenceGrad``), walking back with dh, the whole gradient reaching
h_t::

    dn_pre = dh ⊙ (1 - z) ⊙ (1 - n²)     dr_pre = dn_pre ⊙ hh_n ⊙ r(1-r)     dz_pre = dh ⊙ (h_(t-1) - n) ⊙ z(1-z)
    d xi_t = [dr_pre, dz_pre, dn_pre]    d hh_t = [dr_pre, dz_pre, dn_pre ⊙ r]    dh ← dh ⊙ z + d hh_t W

and d h0 = the last dh, d W = Σ_t d hh_t^T h_(t-1) (``RnnWeightGrad``), d b_hh = Σ d hh_t.
"""
from .activations import Sigmoid
from .base import Op, OpError, Spec, apply, describe, is_tensor, records_gradients
from .broadcast import zeros_like
from .linalg import matmul
from .recurrent import (RnnWeightGrad, _backprop_order, _first_known, _for_the_loop, _operands, _reverse,
                        _visit_order)
from .recurrent_cells import GruPointwise, GruPointwiseGrad
from .reduce import sum
from .shape import stack, transpose, unbind

__all__ = ["gru_sequence"]


class GruSequence(Op):
    """Inputs ``xi`` (L, N, 3H), ``h0`` (N, H), ``W`` (3H, H) and, unless the layer has no bias, ``b_hh`` (3H);
    attr ``reverse``. Outputs every h_t (L, N, H), h_n, and for the backward the gate values (L, N, 3H) and every
    hidden share of n (L, N, H) (see the module docstring)."""
    n_outputs = 4
    saves_inputs = None  # xi too: a gradient that is recorded runs the forward again (lstm_sequence.py)
    saves_outputs = (0, 2, 3)
    accepts_missing_grads = True

    @staticmethod
    def forward(xp, xi, h0, w_hh, *b_hh, reverse):
        steps, rows, size = xi.shape[0], xi.shape[1], w_hh.shape[1]
        w_t = _for_the_loop(xp, w_hh.T, steps, rows)
        hs, hidden_n = xp.empty((steps, rows, size), dtype=xi.dtype), xp.empty((steps, rows, size), dtype=xi.dtype)
        gates = xp.empty(xi.shape, dtype=xi.dtype)
        hh = xp.empty((rows, 3 * size), dtype=xi.dtype)
        h = h0
        for x_t, a, hn_t, h_t in zip(*(_visit_order(s, reverse) for s in (xi, gates, hidden_n, hs))):
            xp.matmul(h, w_t, out=hh)
            if b_hh:
                hh += b_hh[0]
            a[:, :2 * size] = Sigmoid.forward(xp, x_t[:, :2 * size] + hh[:, :2 * size])  # r, z
            r, z, n = (a[:, k * size:(k + 1) * size] for k in range(3))
            hn_t[...] = hh[:, 2 * size:]
            xp.tanh(x_t[:, 2 * size:] + r * hn_t, out=n)
            xp.subtract(h, n, out=h_t)  # h_t = n + z (h - n)
            h_t *= z
            h_t += n
            h = h_t
        return hs, h.copy(), gates, hidden_n

    @staticmethod
    def vjp(ctx, g_h, g_hn, *unused):
        xi, h0, w_hh, *b_hh = ctx.inputs
        hs, _, gates, hidden_n = ctx.outputs
        reverse = ctx.attrs["reverse"]
        need_xi, need_h0, need_w, *need_b = ctx.needs_input_grad
        if g_hn is None:
            g_hn = zeros_like(h0)
        if records_gradients(g_hn):
            d_xi, d_h0, d_w, d_b = _recorded_backward(xi, h0, w_hh, b_hh, g_h, g_hn, reverse)
        else:
            d_xi, d_hh, d_h0 = apply(GruSequenceGrad, gates, hidden_n, hs, h0, w_hh, g_hn,
                                     *(() if g_h is None else (g_h,)), reverse=reverse)
            d_w = apply(RnnWeightGrad, d_hh, hs, h0, reverse=reverse) if need_w else None
            d_b = sum(d_hh, (0, 1)) if any(need_b) else None
        return ((d_xi if need_xi else None), (d_h0 if need_h0 else None), (d_w if need_w else None)) + \
            tuple(d_b if need else None for need in need_b)

    @staticmethod
    def infer(xi, h0, w_hh, *b_hh, reverse):
        n, size = _first_known(xi.shape[1], h0.shape[0]), _first_known(h0.shape[1], w_hh.shape[1])
        return (Spec((xi.shape[0], n, size), xi.dtype), Spec((n, size), xi.dtype),
                Spec((xi.shape[0], n, xi.shape[2]), xi.dtype), Spec((xi.shape[0], n, size), xi.dtype))


class GruSequenceGrad(Op):
    """Backpropagation through time (module docstring), numbers only: inputs the forward's gate values, hidden
    shares of n and states, ``h0``, ``W``, the gradient of h_n and, if any, of every h_t (L, N, H); outputs
    (d xi, d hh, d h0)."""
    n_outputs = 3
    differentiable = False  # (when the gradient must be differentiable, GruSequence's VJP uses ops instead)

    @staticmethod
    def forward(xp, gates, hidden_n, hs, h0, w_hh, g_hn, *g_h, reverse):
        steps, rows, size = hs.shape
        d_xi, d_hh = xp.empty(gates.shape, dtype=gates.dtype), xp.empty(gates.shape, dtype=gates.dtype)
        dh = g_hn.copy()
        w_hh = _for_the_loop(xp, w_hh, steps, rows)
        for t, before in _backprop_order(steps, reverse):
            h_before = h0 if before is None else hs[before]
            if g_h:
                dh += g_h[0][t]
            r, z, n = (gates[t, :, k * size:(k + 1) * size] for k in range(3))
            dn_pre = dh * (1 - z) * (1 - n * n)
            dr_pre = dn_pre * hidden_n[t] * r * (1 - r)
            dz_pre = dh * (h_before - n) * z * (1 - z)
            d_xi[t, :, :size], d_xi[t, :, size:2 * size], d_xi[t, :, 2 * size:] = dr_pre, dz_pre, dn_pre
            d_hh[t, :, :2 * size] = d_xi[t, :, :2 * size]
            xp.multiply(dn_pre, r, out=d_hh[t, :, 2 * size:])
            dh *= z
            dh += xp.matmul(d_hh[t], w_hh)
        return d_xi, d_hh, dh

    @staticmethod
    def infer(gates, hidden_n, hs, h0, w_hh, g_hn, *g_h, reverse):
        return Spec(gates.shape, gates.dtype), Spec(gates.shape, gates.dtype), Spec(g_hn.shape, gates.dtype)


def _recorded_backward(xi, h0, w_hh, b_hh, g_h, g_hn, reverse):
    """(d xi, d h0, d W, d b_hh) with ordinary ops, differentiable: the forward again, step by step, then the same
    backward walk with ``GruPointwiseGrad`` per step."""
    w_t = transpose(w_hh, 0, 1)
    h = h0
    shares, states_before = [], []
    for x_t in _visit_order(unbind(xi), reverse):
        hh = matmul(h, w_t) if not b_hh else matmul(h, w_t) + b_hh[0]
        shares.append(hh)
        states_before.append(h)
        h = apply(GruPointwise, x_t, hh, h)
    x_steps = _visit_order(unbind(xi), reverse)
    g_steps = None if g_h is None else _visit_order(unbind(g_h), reverse)
    dh, d_w, d_b = g_hn, None, None
    d_xis = [None] * len(shares)
    for k in reversed(range(len(shares))):
        p = dh if g_steps is None else dh + g_steps[k]
        d_xis[k], d_hh, direct = apply(GruPointwiseGrad, x_steps[k], shares[k], states_before[k], p)
        dh = direct + matmul(d_hh, w_hh)
        w_term, b_term = matmul(transpose(d_hh, 0, 1), states_before[k]), sum(d_hh, 0)
        d_w, d_b = (w_term, b_term) if d_w is None else (d_w + w_term, d_b + b_term)
    return stack(_visit_order(d_xis, reverse)), dh, d_w, d_b


def gru_sequence(xi, hx, weight_hh, bias_hh=None, reverse=False):
    """Every hidden state of a GRU layer over a sequence, and its last state: ``(output, h_n)``.

    ``xi`` (L, N, 3H) holds each step's input share of the gates, W_ih x_t + b_ih (stacked r, z, n); ``hx`` is
    (N, H), ``weight_hh`` (3H, H), ``bias_hh`` (3H) or None. ``reverse`` runs from the last step to the first."""
    named = (xi, hx, weight_hh) + (() if bias_hh is None else (bias_hh,))
    if not all(map(is_tensor, named)):
        raise TypeError(f"gru_sequence: expected tensors, got {', '.join(type(t).__name__ for t in named)}")
    size = _first_known(hx.shape[-1] if hx.ndim else None, weight_hh.shape[-1] if weight_hh.ndim else None)
    if xi.ndim == 3 and None not in (xi.shape[2], size) and xi.shape[2] != 3 * size:
        raise OpError(f"gru_sequence: expected xi (L, N, 3H) with 3H = {3 * size} (three gates), got {describe(xi)}")
    layouts = dict(xi=(xi, "LNG"), hx=(hx, "NH"), weight_hh=(weight_hh, "GH"))
    if bias_hh is not None:
        layouts["bias_hh"] = (bias_hh, "G")
    tensors = _operands("gru_sequence", **layouts)
    output, h_n, _, _ = apply(GruSequence, *tensors, reverse=_reverse("gru_sequence", reverse))
    return output, h_n
