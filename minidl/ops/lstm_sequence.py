"""The LSTM recurrence over a whole sequence as one op, with backpropagation through time as one op too (what
``recurrent.py`` does for the Elman recurrence, and PyTorch's ``nn.LSTM`` kernel for this one).

For steps t = 0 .. L-1 (gates stacked i, f, g, o as ``nn.LSTM``'s weights; σ the sigmoid)::

    a_t = xw_t + h_(t-1) W^T              i, f, o = σ(a_i), σ(a_f), σ(a_o)      g = tanh(a_g)
    c_t = f ⊙ c_(t-1) + i ⊙ g              h_t = o ⊙ tanh(c_t)                  (h_(-1), c_(-1)) = (h0, c0)

where ``xw_t = W_ih x_t + b_ih + b_hh``, the input's share, comes from one product for all steps before this op.
Written with one op per step, a step costs a product, an add and ``lstm_pointwise`` on the tape, and their
gradients; ``LstmSequence`` runs the loop on arrays instead. Besides every h_t, h_n and c_n, it outputs what its
backward reads: every step's gate values [i, f, g, o] (L, N, 4H) and every c_t (L, N, H).

**Backpropagation through time** (``LstmSequenceGrad``), walking the steps backwards with dh and dc, the whole
gradients reaching h_t and c_t (from outside: the gradients of every h_t, of h_n and of c_n)::

    dc    += dh ⊙ o ⊙ (1 - tanh²(c_t))
    da_i = dc ⊙ g ⊙ i(1-i)   da_f = dc ⊙ c_(t-1) ⊙ f(1-f)   da_g = dc ⊙ i ⊙ (1-g²)   da_o = dh ⊙ tanh(c_t) ⊙ o(1-o)
    dc    ← dc ⊙ f            dh ← da W  (+ the gradient of h_(t-1) from outside)

and d xw = da (every step), (d h0, d c0) = the last (dh, dc), d W = Σ_t da_t^T h_(t-1) (``RnnWeightGrad``).

**Higher orders.** ``LstmSequenceGrad`` computes numbers only. When the gradient is itself recorded to be
differentiated (``create_graph=True``, or any graph-mode gradient), the VJP is written with ordinary ops instead:
the forward again, step by step, and the backward with ``lstm_pointwise``'s gradient op, whose own VJP is written
out in ``recurrent_cells.py``. Slow, but only gradients of gradients take it.
"""
from .activations import Sigmoid
from .base import Op, OpError, Spec, apply, describe, is_tensor, records_gradients
from .broadcast import zeros_like
from .linalg import matmul
from .recurrent import (RnnWeightGrad, _backprop_order, _first_known, _for_the_loop, _operands, _reverse,
                        _visit_order)
from .recurrent_cells import LstmPointwise, LstmPointwiseGrad
from .shape import stack, transpose, unbind

__all__ = ["lstm_sequence"]


class LstmSequence(Op):
    """Inputs ``xw`` (L, N, 4H), ``h0`` and ``c0`` (N, H), ``W`` (4H, H); attr ``reverse``. Outputs every h_t
    (L, N, H), h_n, c_n, and for the backward the gate values (L, N, 4H) and every c_t (L, N, H) (see the module
    docstring)."""
    n_outputs = 5
    saves_inputs = None  # xw too: a gradient that is recorded (module docstring) runs the forward again
    saves_outputs = (0, 3, 4)
    accepts_missing_grads = True  # h_n alone is often all that is used

    @staticmethod
    def forward(xp, xw, h0, c0, w_hh, reverse):
        steps, rows, size = xw.shape[0], xw.shape[1], w_hh.shape[1]
        w_t = _for_the_loop(xp, w_hh.T, steps, rows)
        hs, cs = xp.empty((steps, rows, size), dtype=xw.dtype), xp.empty((steps, rows, size), dtype=xw.dtype)
        gates = xp.empty(xw.shape, dtype=xw.dtype)
        h, c = h0, c0
        for x_t, a, h_t, c_t in zip(*(_visit_order(s, reverse) for s in (xw, gates, hs, cs))):
            xp.matmul(h, w_t, out=a)
            a += x_t
            a[:, :2 * size] = Sigmoid.forward(xp, a[:, :2 * size])  # i, f
            xp.tanh(a[:, 2 * size:3 * size], out=a[:, 2 * size:3 * size])  # g
            a[:, 3 * size:] = Sigmoid.forward(xp, a[:, 3 * size:])  # o
            i, f, g, o = (a[:, k * size:(k + 1) * size] for k in range(4))
            xp.multiply(f, c, out=c_t)
            c_t += i * g
            xp.tanh(c_t, out=h_t)
            h_t *= o
            h, c = h_t, c_t
        return hs, h.copy(), c.copy(), gates, cs

    @staticmethod
    def vjp(ctx, g_h, g_hn, g_cn, *unused):
        xw, h0, c0, w_hh = ctx.inputs
        hs, _, _, gates, cs = ctx.outputs
        reverse = ctx.attrs["reverse"]
        need_xw, need_h0, need_c0, need_w = ctx.needs_input_grad
        if g_hn is None:
            g_hn = zeros_like(h0)
        if g_cn is None:
            g_cn = zeros_like(c0)
        if records_gradients(g_hn):
            dz, dh0, dc0, dw = _recorded_backward(xw, h0, c0, w_hh, g_h, g_hn, g_cn, reverse, need_w)
        else:
            dz, dh0, dc0 = apply(LstmSequenceGrad, gates, cs, c0, w_hh, g_hn, g_cn,
                                 *(() if g_h is None else (g_h,)), reverse=reverse)
            dw = apply(RnnWeightGrad, dz, hs, h0, reverse=reverse) if need_w else None
        return (dz if need_xw else None), (dh0 if need_h0 else None), (dc0 if need_c0 else None), dw

    @staticmethod
    def infer(xw, h0, c0, w_hh, reverse):
        n = _first_known(xw.shape[1], h0.shape[0], c0.shape[0])
        size = _first_known(h0.shape[1], c0.shape[1], w_hh.shape[1])
        state = Spec((n, size), xw.dtype)
        return (Spec((xw.shape[0], n, size), xw.dtype), state, state, Spec((xw.shape[0], n, xw.shape[2]), xw.dtype),
                Spec((xw.shape[0], n, size), xw.dtype))


class LstmSequenceGrad(Op):
    """Backpropagation through time (module docstring), numbers only: inputs the forward's gate values and cells,
    ``c0``, ``W``, the gradients of h_n and c_n and, if any, of every h_t (L, N, H); outputs (d xw, d h0, d c0)."""
    n_outputs = 3
    differentiable = False  # (when the gradient must be differentiable, LstmSequence's VJP uses ops instead)

    @staticmethod
    def forward(xp, gates, cs, c0, w_hh, g_hn, g_cn, *g_h, reverse):
        steps, rows, size = cs.shape
        dz = xp.empty(gates.shape, dtype=gates.dtype)
        dh, dc = g_hn.copy(), g_cn.copy()
        w_hh = _for_the_loop(xp, w_hh, steps, rows)
        for t, before in _backprop_order(steps, reverse):
            c_before = c0 if before is None else cs[before]
            if g_h:
                dh += g_h[0][t]
            i, f, g, o = (gates[t, :, k * size:(k + 1) * size] for k in range(4))
            tanh_c = xp.tanh(cs[t])
            dc += dh * o * (1 - tanh_c * tanh_c)
            da = dz[t]
            xp.multiply(dc * g, i * (1 - i), out=da[:, :size])
            xp.multiply(dc * c_before, f * (1 - f), out=da[:, size:2 * size])
            xp.multiply(dc * i, 1 - g * g, out=da[:, 2 * size:3 * size])
            xp.multiply(dh * tanh_c, o * (1 - o), out=da[:, 3 * size:])
            dc *= f
            xp.matmul(da, w_hh, out=dh)
        return dz, dh, dc

    @staticmethod
    def infer(gates, cs, c0, w_hh, g_hn, g_cn, *g_h, reverse):
        return Spec(gates.shape, gates.dtype), Spec(g_hn.shape, gates.dtype), Spec(g_cn.shape, gates.dtype)


def _recorded_backward(xw, h0, c0, w_hh, g_h, g_hn, g_cn, reverse, need_w):
    """(d xw, d h0, d c0, d W) with ordinary ops, differentiable: the forward again, step by step, then the same
    backward walk with ``LstmPointwiseGrad`` per step."""
    w_t = transpose(w_hh, 0, 1)
    h, c = h0, c0
    pre, cells_before, states_before = [], [], []
    for x_t in _visit_order(unbind(xw), reverse):
        a = x_t + matmul(h, w_t)
        pre.append(a)
        cells_before.append(c)
        states_before.append(h)
        h, c = apply(LstmPointwise, a, c)
    g_steps = None if g_h is None else _visit_order(unbind(g_h), reverse)
    dh, dc = g_hn, g_cn
    das = [None] * len(pre)
    for k in reversed(range(len(pre))):
        p = dh if g_steps is None else dh + g_steps[k]
        das[k], dc = apply(LstmPointwiseGrad, pre[k], cells_before[k], p, dc)
        dh = matmul(das[k], w_hh)
    dw = None
    if need_w:
        for da, state in zip(das, states_before):
            term = matmul(transpose(da, 0, 1), state)
            dw = term if dw is None else dw + term
    return stack(_visit_order(das, reverse)), dh, dc, dw


def lstm_sequence(xw, hx, cx, weight_hh, reverse=False):
    """Every hidden state of an LSTM layer over a sequence, and its last state: ``(output, h_n, c_n)``.

    ``xw`` (L, N, 4H) holds each step's input share of the gates, W_ih x_t + b_ih + b_hh (stacked i, f, g, o);
    ``hx``, ``cx`` are (N, H) and ``weight_hh`` (4H, H). ``reverse`` runs from the last step to the first."""
    if not all(map(is_tensor, (xw, hx, cx, weight_hh))):
        raise TypeError(f"lstm_sequence: expected tensors, got "
                        f"{', '.join(type(t).__name__ for t in (xw, hx, cx, weight_hh))}")
    size = _first_known(hx.shape[-1] if hx.ndim else None, weight_hh.shape[-1] if weight_hh.ndim else None)
    if xw.ndim == 3 and None not in (xw.shape[2], size) and xw.shape[2] != 4 * size:
        raise OpError(f"lstm_sequence: expected xw (L, N, 4H) with 4H = {4 * size} (four gates), got {describe(xw)}")
    tensors = _operands("lstm_sequence", xw=(xw, "LNG"), hx=(hx, "NH"), cx=(cx, "NH"),
                        weight_hh=(weight_hh, "GH"))
    output, h_n, c_n, _, _ = apply(LstmSequence, *tensors, reverse=_reverse("lstm_sequence", reverse))
    return output, h_n, c_n
