"""Op table entries for the fused Elman recurrence (recurrent.py): ``rnn_sequence`` with both nonlinearities, in
both directions, and its two gradient ops, whose own VJPs give second- (and, through these entries, third-)
order gradients; the fused LSTM recurrence (lstm_sequence.py), whose second order runs through the recurrence
written with ops; and the LSTM and GRU steps' gate arithmetic (recurrent_cells.py), whose second-order checks run
through their gradient ops' VJPs.

Shapes are small (L <= 4 steps, N <= 3 rows, H <= 3 features). The numpy references are plain loops over the steps.
For relu, ``xw`` is nudged so that no pre-activation lies near 0, the kink, where central differences would
straddle it; likewise the relu gradient op gets outputs away from 0.
"""
import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, floats_array

MARGIN = 0.1


def _order(length, reverse):
    return range(length - 1, -1, -1) if reverse else range(length)


def _act(nonlinearity, z):
    return np.tanh(z) if nonlinearity == "tanh" else np.maximum(z, 0)


def ref_rnn(xw, h0, w, nonlinearity, reverse):
    """(every state, the last state)."""
    out, h = np.empty_like(xw), h0
    for t in _order(len(xw), reverse):
        h = out[t] = _act(nonlinearity, xw[t] + h @ w.T)
    return out, h


def ref_grad(g, y, w, nonlinearity, reverse):
    """Backpropagation through time, step by step: (d xw, d h0). ``g`` (N, H) is the last state's gradient alone."""
    if g.ndim == 2:
        g_last, g = g, np.zeros_like(y)
        g[0 if reverse else -1] = g_last
    slope = 1 - y * y if nonlinearity == "tanh" else (y > 0).astype(y.dtype)
    dz, carry = np.empty_like(g), np.zeros_like(g[0])
    for t in _order(len(g), not reverse):
        dz[t] = (g[t] + carry) * slope[t]
        carry = dz[t] @ w
    return dz, carry


def ref_weight_grad(dz, y, h0, reverse):
    """Σ_t dz_t^T h_(t-1), h_(-1) = h0, summing step by step."""
    dw, h = np.zeros((dz.shape[2], y.shape[2]), dtype=dz.dtype), h0
    for t in _order(len(dz), reverse):
        dw += dz[t].T @ h
        h = y[t]
    return dw


def torch_rnn(torch, xw, h0, w, nonlinearity, reverse):
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    states, h = [None] * len(xw), h0
    for t in _order(len(xw), reverse):
        h = states[t] = act(xw[t] + h @ w.T)
    return torch.stack(states), h


# ----------------------------------------------------------------------------------------- strategies

def _away_from_kinks(reverse):
    """Shift entries of xw so that every pre-activation is at least MARGIN away from relu's kink at 0."""
    def fix(arrays):
        xw, h0, w = (a.copy() for a in arrays)
        h = h0
        for t in _order(len(xw), reverse):
            z = xw[t] + h @ w.T
            xw[t] += np.where(np.abs(z) < MARGIN, np.where(z >= 0, 1, -1) * 2 * MARGIN, 0)
            h = np.maximum(xw[t] + h @ w.T, 0)
        return xw, h0, w
    return fix


@st.composite
def sizes(draw):
    """(L, N, H): at least one step (rnn_sequence refuses empty sequences), possibly no rows."""
    return draw(st.integers(1, 4)), draw(st.integers(0, 3)), draw(st.integers(1, 3))


def sequence_case(nonlinearity, reverse):
    """(xw, h0, w) for rnn_sequence."""
    arrays = sizes().flatmap(lambda s: st.tuples(floats_array(s, -2, 2), floats_array(s[1:], -1, 1),
                                                 floats_array((s[2], s[2]), -1, 1)))
    return arrays.map(_away_from_kinks(reverse)) if nonlinearity == "relu" else arrays


def grad_case(nonlinearity, final_only=False):
    """(g, y, w) for rnn_sequence_grad; y as a tanh output would be (or, for relu, away from 0); g (N, H) for the
    last state alone with ``final_only``."""
    def arrays(s):
        y = floats_array(s, -0.95, 0.95) if nonlinearity == "tanh" else floats_array(s, 0, 2, avoid=(0,))
        return st.tuples(floats_array(s[1:] if final_only else s), y, floats_array((s[2], s[2]), -1, 1))
    return sizes().flatmap(arrays)


def weight_grad_case():
    """(dz, y, h0) for rnn_weight_grad."""
    return sizes().flatmap(lambda s: st.tuples(floats_array(s), floats_array(s, -1, 1), floats_array(s[1:], -1, 1)))


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def ref_lstm(xw, h0, c0, w, reverse, lib=np, sigmoid=_sigmoid):
    """(every h_t, h_n, c_n) of the LSTM recurrence, step by step; gates stacked i, f, g, o."""
    states, h, c = [None] * len(xw), h0, c0
    for t in _order(len(xw), reverse):
        h, c = ref_lstm_pointwise(xw[t] + h @ w.T, c, lib, sigmoid)
        states[t] = h
    return (np.stack(states) if lib is np else lib.stack(states)), h, c


def lstm_case(reverse):
    """(xw, h0, c0, w) for lstm_sequence: (L, N, 4H), (N, H), (N, H), (4H, H)."""
    return sizes().flatmap(lambda s: st.tuples(floats_array((s[0], s[1], 4 * s[2]), -2, 2),
                                               floats_array(s[1:], -1, 1), floats_array(s[1:], -1, 1),
                                               floats_array((4 * s[2], s[2]), -1, 1)))


def ref_lstm_pointwise(gates, c, lib=np, sigmoid=_sigmoid):
    """(h', c') of one LSTM step from the stacked pre-activations (i, f, g, o) and the cell."""
    size = c.shape[-1]
    a_i, a_f, a_g, a_o = (gates[..., k * size:(k + 1) * size] for k in range(4))
    c_new = sigmoid(a_f) * c + sigmoid(a_i) * lib.tanh(a_g)
    return sigmoid(a_o) * lib.tanh(c_new), c_new


def ref_gru_pointwise(xi, hh, h, lib=np, sigmoid=_sigmoid):
    """h' of one GRU step from the input and hidden shares (r, z, n) and the state."""
    size = h.shape[-1]
    (x_r, x_z, x_n), (h_r, h_z, h_n) = ([a[..., k * size:(k + 1) * size] for k in range(3)] for a in (xi, hh))
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    return (1 - z) * lib.tanh(x_n + r * h_n) + z * h


def cell_case(k, with_state_copy):
    """(stacked (N, kH), [another stacked (N, kH)], state (N, H))."""
    def arrays(nh):
        n, size = nh
        stacked = floats_array((n, k * size), -2, 2)
        return st.tuples(*([stacked] * (2 if with_state_copy else 1)), floats_array((n, size), -1.5, 1.5))
    return st.tuples(st.integers(0, 3), st.integers(1, 3)).flatmap(arrays)


# -------------------------------------------------------------------------------------------- specs

#: which results of rnn_sequence a spec differentiates: both (each gets a gradient), or one of them alone — the
#: other gets none, which the op's VJP takes without zeros (h_n alone: backpropagation starts from h_n)
_USED = {"": lambda pair: pair, "_states_only": lambda pair: pair[0], "_last_only": lambda pair: pair[1]}


def _sequence_spec(nonlinearity, reverse, used=""):
    kw = dict(nonlinearity=nonlinearity, reverse=reverse)
    pick = _USED[used]
    return OpSpec(f"rnn_sequence_{nonlinearity}" + ("_reverse" if reverse else "") + used,
                  lambda m, xw, h0, w: pick(m.rnn_sequence(xw, h0, w, **kw)),
                  lambda xw, h0, w: pick(ref_rnn(xw, h0, w, **kw)), sequence_case(nonlinearity, reverse),
                  grad_inputs=(0, 1, 2), rtol=1e-4, atol=1e-5,
                  torch_fn=lambda t, xw, h0, w: pick(torch_rnn(t, xw, h0, w, **kw)))


def _grad_spec(nonlinearity, reverse, final_only=False):
    kw = dict(nonlinearity=nonlinearity, reverse=reverse)
    return OpSpec(f"rnn_sequence_grad_{nonlinearity}" + ("_reverse" if reverse else "") +
                  ("_final_only" if final_only else ""),
                  lambda m, g, y, w: m.rnn_sequence_grad(g, y, w, **kw),
                  lambda g, y, w: ref_grad(g, y, w, **kw), grad_case(nonlinearity, final_only),
                  grad_inputs=(0, 1, 2), rtol=1e-4, atol=1e-5,
                  notes="its VJP is the linearised forward recurrence; for relu, y gets no gradient (the slope "
                        "is piecewise constant)")


def _weight_grad_spec(reverse):
    return OpSpec("rnn_weight_grad" + ("_reverse" if reverse else ""),
                  lambda m, dz, y, h0: m.rnn_weight_grad(dz, y, h0, reverse=reverse),
                  lambda dz, y, h0: ref_weight_grad(dz, y, h0, reverse), weight_grad_case(),
                  grad_inputs=(0, 1, 2), rtol=1e-4, atol=1e-5, notes="bilinear in (dz, states)")


CELL_SPECS = [
    OpSpec("lstm_pointwise", lambda m, gates, c: m.lstm_pointwise(gates, c), ref_lstm_pointwise, cell_case(4, False),
           grad_inputs=(0, 1), rtol=1e-5, atol=1e-6,
           torch_fn=lambda t, gates, c: ref_lstm_pointwise(gates, c, t, t.sigmoid)),
    OpSpec("gru_pointwise", lambda m, xi, hh, h: m.gru_pointwise(xi, hh, h), ref_gru_pointwise, cell_case(3, True),
           grad_inputs=(0, 1, 2), rtol=1e-5, atol=1e-6,
           torch_fn=lambda t, xi, hh, h: ref_gru_pointwise(xi, hh, h, t, t.sigmoid)),
]

def _lstm_spec(reverse, used=""):
    pick = {"": lambda triple: triple, "_last_only": lambda triple: triple[1]}[used]
    return OpSpec("lstm_sequence" + ("_reverse" if reverse else "") + used,
                  lambda m, xw, h0, c0, w: pick(m.lstm_sequence(xw, h0, c0, w, reverse=reverse)),
                  lambda xw, h0, c0, w: pick(ref_lstm(xw, h0, c0, w, reverse)), lstm_case(reverse),
                  grad_inputs=(0, 1, 2, 3), rtol=1e-4, atol=1e-5,
                  torch_fn=lambda t, xw, h0, c0, w: pick(ref_lstm(xw, h0, c0, w, reverse, t, t.sigmoid)),
                  notes="first order by the fused backward; second order by the same recurrence written with ops")


LSTM_SPECS = [_lstm_spec(reverse) for reverse in (False, True)] + [_lstm_spec(False, "_last_only")]


def ref_gru(xi, h0, w, b, reverse, lib=np, sigmoid=_sigmoid):
    """(every h_t, h_n) of the GRU recurrence, step by step; gates stacked r, z, n."""
    states, h = [None] * len(xi), h0
    for t in _order(len(xi), reverse):
        h = states[t] = ref_gru_pointwise(xi[t], h @ w.T + b, h, lib, sigmoid)
    return (np.stack(states) if lib is np else lib.stack(states)), h


def gru_case():
    """(xi, h0, w, b_hh) for gru_sequence: (L, N, 3H), (N, H), (3H, H), (3H)."""
    return sizes().flatmap(lambda s: st.tuples(floats_array((s[0], s[1], 3 * s[2]), -2, 2),
                                               floats_array(s[1:], -1, 1), floats_array((3 * s[2], s[2]), -1, 1),
                                               floats_array((3 * s[2],), -1, 1)))


def _gru_spec(reverse, used=""):
    pick = {"": lambda pair: pair, "_last_only": lambda pair: pair[1]}[used]
    return OpSpec("gru_sequence" + ("_reverse" if reverse else "") + used,
                  lambda m, xi, h0, w, b: pick(m.gru_sequence(xi, h0, w, b, reverse=reverse)),
                  lambda xi, h0, w, b: pick(ref_gru(xi, h0, w, b, reverse)), gru_case(),
                  grad_inputs=(0, 1, 2, 3), rtol=1e-4, atol=1e-5,
                  torch_fn=lambda t, xi, h0, w, b: pick(ref_gru(xi, h0, w, b, reverse, t, t.sigmoid)),
                  notes="first order by the fused backward; second order by the same recurrence written with ops")


GRU_SPECS = [_gru_spec(reverse) for reverse in (False, True)] + [_gru_spec(False, "_last_only")]

SPECS = CELL_SPECS + LSTM_SPECS + GRU_SPECS + (
         [_sequence_spec(nl, reverse) for nl in ("tanh", "relu") for reverse in (False, True)] +
         [_sequence_spec("tanh", reverse, used) for reverse in (False, True) for used in ("_states_only",
                                                                                          "_last_only")] +
         [_grad_spec(nl, reverse, final_only) for nl in ("tanh", "relu") for reverse in (False, True)
          for final_only in (False, True)] +
         [_weight_grad_spec(reverse) for reverse in (False, True)])
