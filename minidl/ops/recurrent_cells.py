"""The elementwise part of one LSTM or GRU step as one op, with its backward as one op too (what PyTorch's fused
cell kernels do). The layers still loop over the steps in Python, recording each step on the tape; only the gate
arithmetic inside a step, ~10 small ops and their ~15 gradient ops, becomes one op each way.

**LSTM** (gates stacked i, f, g, o as in ``nn.LSTM``'s weights; σ the sigmoid). From the pre-activations
``a`` = x W_ih^T + b_ih + h W_hh^T + b_hh and the cell ``c``::

    i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)      c' = f c + i g      t = tanh(c')      h' = o t

Backward, for the cotangents p of h' and q of c' (``LstmPointwiseGrad``): s = q + p o (1 - t²) is the whole
gradient reaching c', and

    d a_i = s g i(1-i)    d a_f = s c f(1-f)    d a_g = s i (1-g²)    d a_o = p t o(1-o)    d c = s f

**GRU** (stacked r, z, n; the input share ``xi`` = x W_ih^T + b_ih and the hidden share ``hh`` = h W_hh^T + b_hh
stay apart, because r multiplies only the hidden share of n)::

    r = σ(x_r + h_r)   z = σ(x_z + h_z)   n = tanh(x_n + r h_n)      h' = (1 - z) n + z h

Backward, for the cotangent p of h' (``GruPointwiseGrad``): d n_pre = p (1-z)(1-n²), d r_pre = d n_pre h_n r(1-r),
d z_pre = p (h - n) z(1-z); then d xi = [d r_pre, d z_pre, d n_pre], d hh = [d r_pre, d z_pre, d n_pre r] and
d h = p z.

**Second order.** Each gradient op is linear in the cotangents and a closed-form function of the step's inputs,
so its VJP is written out below with ordinary ops (the product rule applied to the formulas above, with
σ' = σ(1-σ) and tanh' = 1 - tanh²); orders beyond follow from those ops' own VJPs.
"""
from .activations import Sigmoid, sigmoid
from .base import Op, OpError, Spec, apply, describe
from .combine import cat, split
from .unary import tanh

__all__ = ["lstm_pointwise", "gru_pointwise"]


def _blocks(xp, x, k):
    return xp.split(x, k, axis=-1)


def _lstm_activations(xp, gates):
    a_i, a_f, a_g, a_o = _blocks(xp, gates, 4)
    return Sigmoid.forward(xp, a_i), Sigmoid.forward(xp, a_f), xp.tanh(a_g), Sigmoid.forward(xp, a_o)


def _gru_activations(xp, xi, hh):
    (x_r, x_z, x_n), (h_r, h_z, h_n) = _blocks(xp, xi, 3), _blocks(xp, hh, 3)
    r, z = Sigmoid.forward(xp, x_r + h_r), Sigmoid.forward(xp, x_z + h_z)
    return r, z, xp.tanh(x_n + r * h_n), h_n


def _cell_spec(x, *others):
    return Spec(next((o.shape for o in others if o.shape is not None), None), x.dtype)


# ------------------------------------------------------------------------------------------------- LSTM

class LstmPointwise(Op):
    """(h', c') from the gates' pre-activations (N, 4H) and the cell c (N, H); see the module docstring."""
    n_outputs = 2

    @staticmethod
    def forward(xp, gates, c):
        i, f, g, o = _lstm_activations(xp, gates)
        c_new = f * c + i * g
        return o * xp.tanh(c_new), c_new

    @staticmethod
    def vjp(ctx, gh, gc):
        gates, c = ctx.inputs
        return apply(LstmPointwiseGrad, gates, c, gh, gc)

    @staticmethod
    def infer(gates, c):
        return (_cell_spec(c, c),) * 2


class LstmPointwiseGrad(Op):
    """(d gates, d c) for the cotangents (p, q) of (h', c'); linear in them. Its VJP: the product rule on the
    module docstring's formulas, for the cotangents U (of d gates, split like the gates) and U_c (of d c)."""
    n_outputs = 2

    @staticmethod
    def forward(xp, gates, c, p, q):
        i, f, g, o = _lstm_activations(xp, gates)
        t = xp.tanh(f * c + i * g)
        s = q + p * o * (1 - t * t)
        d_gates = xp.concatenate([s * g * i * (1 - i), s * c * f * (1 - f), s * i * (1 - g * g),
                                  p * t * o * (1 - o)], axis=-1)
        return d_gates, s * f

    @staticmethod
    def vjp(ctx, u_gates, u_c):
        gates, c, p, q = ctx.inputs
        size = c.shape[-1]
        a_i, a_f, a_g, a_o = split(gates, size, -1)
        i, f, g, o = sigmoid(a_i), sigmoid(a_f), tanh(a_g), sigmoid(a_o)
        u_i, u_f, u_g, u_o = split(u_gates, size, -1)
        si, sf, sg, so = i * (1 - i), f * (1 - f), 1 - g * g, o * (1 - o)  # the activations' slopes
        t = tanh(f * c + i * g)
        st = 1 - t * t
        s = q + p * o * st
        k = u_i * g * si + u_f * c * sf + u_g * i * sg + u_c * f  # the derivative of the loss by s
        d_t = -2 * p * o * t * k + p * so * u_o
        d_cell = d_t * st  # reaching c' = f c + i g
        d_i = s * (u_i * g * (1 - 2 * i) + u_g * sg) + d_cell * g
        d_f = s * (u_f * c * (1 - 2 * f) + u_c) + d_cell * c
        d_g = s * (u_i * si - 2 * u_g * i * g) + d_cell * i
        d_o = p * st * k + p * t * (1 - 2 * o) * u_o
        return (cat([d_i * si, d_f * sf, d_g * sg, d_o * so], -1), s * u_f * sf + d_cell * f,
                o * st * k + t * so * u_o, k)

    @staticmethod
    def infer(gates, c, p, q):
        return _cell_spec(gates, gates), _cell_spec(c, c)


def lstm_pointwise(gates, c):
    """One LSTM step's gate arithmetic: (h', c') from the pre-activations (..., 4H) stacked i, f, g, o and the
    cell (..., H)."""
    _check_stacked("lstm_pointwise", gates, c, 4, "gates")
    return apply(LstmPointwise, gates, c)


# -------------------------------------------------------------------------------------------------- GRU

class GruPointwise(Op):
    """h' from the input share xi (N, 3H), the hidden share hh (N, 3H) and h (N, H); see the module docstring."""

    @staticmethod
    def forward(xp, xi, hh, h):
        r, z, n, _ = _gru_activations(xp, xi, hh)
        return (1 - z) * n + z * h

    @staticmethod
    def vjp(ctx, p):
        xi, hh, h = ctx.inputs
        return apply(GruPointwiseGrad, xi, hh, h, p)

    @staticmethod
    def infer(xi, hh, h):
        return _cell_spec(h, h)


class GruPointwiseGrad(Op):
    """(d xi, d hh, d h) for the cotangent p of h'; linear in p. Its VJP: the product rule on the module
    docstring's formulas, for the cotangents of d xi, d hh (each split like the gates) and d h."""
    n_outputs = 3

    @staticmethod
    def forward(xp, xi, hh, h, p):
        r, z, n, h_n = _gru_activations(xp, xi, hh)
        d_n = p * (1 - z) * (1 - n * n)
        d_r = d_n * h_n * r * (1 - r)
        d_z = p * (h - n) * z * (1 - z)
        return (xp.concatenate([d_r, d_z, d_n], axis=-1), xp.concatenate([d_r, d_z, d_n * r], axis=-1), p * z)

    @staticmethod
    def vjp(ctx, u_xi, u_hh, u_h):
        xi, hh, h, p = ctx.inputs
        size = h.shape[-1]
        (x_r, x_z, x_n), (h_r, h_z, h_n) = split(xi, size, -1), split(hh, size, -1)
        r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
        n = tanh(x_n + r * h_n)
        (u_xr, u_xz, u_xn), (u_hr, u_hz, u_hn) = split(u_xi, size, -1), split(u_hh, size, -1)
        a, b, c = u_xr + u_hr, u_xz + u_hz, u_xn + r * u_hn  # what multiplies d r_pre, d z_pre, d n_pre
        sr, sz, sn = r * (1 - r), z * (1 - z), 1 - n * n
        m = h_n * sr * a + c
        d_n = (-2 * p * (1 - z) * n * m - p * sz * b) * sn  # reaching n's pre-activation
        d_r = (p * (1 - z) * sn * (h_n * (1 - 2 * r) * a + u_hn) + d_n * h_n) * sr
        d_z = (-p * sn * m + p * (h - n) * (1 - 2 * z) * b + p * u_h) * sz
        d_hn = p * (1 - z) * sn * sr * a + d_n * r
        return (cat([d_r, d_z, d_n], -1), cat([d_r, d_z, d_hn], -1), p * sz * b,
                (1 - z) * sn * m + (h - n) * sz * b + z * u_h)

    @staticmethod
    def infer(xi, hh, h, p):
        return _cell_spec(xi, xi, hh), _cell_spec(hh, hh, xi), _cell_spec(h, h)


def gru_pointwise(xi, hh, h):
    """One GRU step's gate arithmetic: h' from the input share xi and the hidden share hh (each (..., 3H), stacked
    r, z, n) and the state h (..., H)."""
    _check_stacked("gru_pointwise", xi, h, 3, "xi")
    _check_stacked("gru_pointwise", hh, h, 3, "hh")
    return apply(GruPointwise, xi, hh, h)


def _check_stacked(op_name, stacked, state, k, what):
    size, features = state.shape[-1], stacked.shape[-1]
    if None not in (size, features) and features != k * size:
        raise OpError(f"{op_name}: {what} must stack {k} gates of the state's {size} features ({k * size}), got "
                      f"{describe(stacked)} for a state {describe(state)}")
