"""The Elman recurrence over a whole sequence as one op, with backpropagation through time as one op too.

An Elman RNN layer (``nn.RNN``) computes, for steps t = 0 .. L-1 and batch rows side by side::

    z_t = xw_t + h_(t-1) W^T          h_t = act(z_t)          h_(-1) = h0        act: tanh or relu

where ``xw_t = W_ih x_t + b_ih + b_hh`` is the input's share, which does not depend on the recurrence: the layer
computes it for all steps at once with one matrix product, before this op. What remains is inherently sequential,
and written with one op per step it costs ~10 recorded ops per step (a product, an add, the activation, slicing),
each with its fixed overhead. PyTorch's ``nn.RNN`` runs the whole loop as one kernel; so does ``RnnSequence``:
the loop runs on arrays, writing each h_t straight into one preallocated (L, N, H) output. ``reverse`` runs the
recurrence from the last step to the first (the backward direction of a bidirectional layer). Like PyTorch's
``rnn_tanh``, the op also returns the last state h_n on its own (a copy of the last step visited): a classifier
that reads only h_n then hands back a gradient for h_n alone, and backpropagation through time starts from it,
with no (L, N, H) gradient that is zero at every other step.

**Backpropagation through time** (``RnnSequenceGrad``). With g_t = dLoss/dh_t coming from outside (the output of
every step may be used) and act'(z_t) read off the output (tanh: 1 - h_t²; relu: 1 where h_t > 0, else 0), walk
the steps backwards, carrying a_t, the whole gradient reaching h_t::

    a_(L-1) = g_(L-1)
    dz_t    = a_t ⊙ act'(z_t)                       gradient of the pre-activation z_t
    a_(t-1) = g_(t-1) + dz_t W                      h_(t-1) feeds z_t through W

(With ``final_only``, g is the gradient of h_n alone: a_(L-1) = g and every other g_t is 0, never stored.)

    d xw = dz (all steps)        d h0 = dz_0 W        d W = Σ_t dz_t^T h_(t-1)   (``RnnWeightGrad``)

(With ``reverse``, "before" and "after" swap: the recurrence starts at step L-1 and ends at step 0.)

The weight gradient is a sum over all steps, so it waits until the loop is done and is then one product over the
stacked steps (L·N rows) — and it is its own op, computed only when W needs a gradient.

**Second order.** ``RnnSequenceGrad`` maps (g, h, W) to (dz, dh0). Its VJP, for cotangents U (of dz) and u0 (of
dh0), turns out to be the *forward* recurrence again, linearised: the cotangents μ_t of dz_t and ν_t of a_t run
forwards in time ::

    ν_(-1) = u0        μ_t = U_t + ν_(t-1) W^T        ν_t = act'(z_t) ⊙ μ_t

and then  d g_t = ν_t (with ``final_only``, d g = ν_(L-1)),  d W = Σ_t dz_t^T ν_(t-1)  (``RnnWeightGrad`` of ν,
starting from u0), and, because act' depends on h_t (for tanh, d(1 - h²)/dh = -2h; relu's slope is piecewise
constant),  d h_t = -2 h_t ⊙ μ_t ⊙ a_t.
That VJP, and ``RnnWeightGrad``'s (it is bilinear in dz and h), are composed of ordinary ops, a loop over the
steps — slow, but only second-order gradients use them, and gradients of any order follow.
"""
from ..backend import dtypes
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .promote import promote
from .broadcast import zeros_like
from .compare import gt
from .shape import cat, stack, transpose, unbind, unsqueeze
from .indexing import getitem
from .linalg import matmul

__all__ = ["rnn_sequence", "rnn_sequence_grad", "rnn_weight_grad"]

NONLINEARITIES = ("tanh", "relu")


# ------------------------------------------------------------------------------------- array routines

def _visit_order(seq, reverse):
    """The steps of ``seq`` (L, ...) in the order the recurrence visits them: a view, reversed for ``reverse``."""
    return seq[::-1] if reverse else seq


def _activate(xp, nonlinearity, z):
    """z = act(z), in place."""
    if nonlinearity == "tanh":
        xp.tanh(z, out=z)
    else:
        xp.maximum(z, 0, out=z)


def _slope(xp, nonlinearity, h, out):
    """out = act'(z) read off h = act(z): 1 - h² for tanh; 1 where h > 0 (else 0) for relu."""
    if nonlinearity == "tanh":
        xp.multiply(h, h, out=out)
        xp.subtract(1, out, out=out)
    else:
        xp.greater(h, 0, out=out)


def _backprop_order(steps, reverse):
    """``(t, before)`` for each step t in the order backpropagation visits them (the forward's order, reversed),
    with ``before`` the step the forward visited just before t, or None for the first (whose state is h0)."""
    if reverse:  # the forward ran L-1 .. 0
        return [(t, t + 1 if t + 1 < steps else None) for t in range(steps)]
    return [(t, t - 1 if t > 0 else None) for t in range(steps - 1, -1, -1)]


def _for_the_loop(xp, w, steps, rows):
    """``w``, the right-hand operand of the loop's ``steps`` products of ``rows`` rows, made contiguous if it is not
    (``h @ W^T`` in the forward, W itself when the graph front-end passes a transposed view) and the loop is long.

    BLAS takes a transposed operand as it is, but OpenBLAS multiplies it up to 2x slower than a contiguous one at
    RNN sizes (N=32, H=128: 19 vs 10 us per step). Copying costs about as much as one step there, but it grows
    with H² (0.6 ms at H=512) while a step's product grows with N·H²: the copy is made when the steps times the
    rows reach 4·H, where it is at most a small fraction of the loop's products on any BLAS, and never for a short
    unbatched sequence."""
    return xp.ascontiguousarray(w) if steps * rows >= 4 * w.shape[0] else w


# ------------------------------------------------------------------------------------------------- ops

class RnnSequence(Op):
    """h_t = act(xw_t + h_(t-1) W^T) for every step, h_(-1) = h0: inputs ``xw`` (L, N, H), ``h0`` (N, H), ``W``
    (H, H); outputs every h_t (L, N, H) and, apart, the last state h_n (N, H). Attrs ``nonlinearity`` ('tanh' or
    'relu') and ``reverse``."""
    n_outputs = 2
    saves_inputs = (1, 2)
    saves_outputs = (0,)
    accepts_missing_grads = True  # a gradient for h_n alone is the common case: no zeros for the other steps

    @staticmethod
    def forward(xp, xw, h0, w_hh, nonlinearity, reverse):
        out = xp.empty(xw.shape, dtype=xw.dtype)
        w_t = _for_the_loop(xp, w_hh.T, *xw.shape[:2])
        h = h0
        for xw_t, h_t in zip(_visit_order(xw, reverse), _visit_order(out, reverse)):
            xp.matmul(h, w_t, out=h_t)
            h_t += xw_t
            _activate(xp, nonlinearity, h_t)
            h = h_t
        return out, h.copy()

    @staticmethod
    def vjp(ctx, g, g_final):
        _, h0, w_hh = ctx.inputs
        h = ctx.outputs[0]
        need_xw, need_h0, need_w = ctx.needs_input_grad
        reverse = ctx.attrs["reverse"]
        if g is None:  # only h_n was used
            dz, dh0 = apply(RnnSequenceGrad, g_final, h, w_hh, final_only=True, **ctx.attrs)
        else:
            if g_final is not None:  # both: h_n is the last step visited, so its gradient adds to that step's
                last, others = (0, slice(1, None)) if reverse else (-1, slice(None, -1))
                g_last = unsqueeze(getitem(g, last) + g_final, 0)
                g = cat([g_last, getitem(g, others)] if reverse else [getitem(g, others), g_last])
            dz, dh0 = apply(RnnSequenceGrad, g, h, w_hh, final_only=False, **ctx.attrs)
        dw = apply(RnnWeightGrad, dz, h, h0, reverse=reverse) if need_w else None
        return (dz if need_xw else None), (dh0 if need_h0 else None), dw

    @staticmethod
    def infer(xw, h0, w_hh, **attrs):
        n, size = _first_known(xw.shape[1], h0.shape[0]), _first_known(xw.shape[2], h0.shape[1], w_hh.shape[0])
        return Spec((xw.shape[0], n, size), xw.dtype), Spec((n, size), xw.dtype)


class RnnSequenceGrad(Op):
    """Backpropagation through time: from ``g`` (L, N, H), the gradient of every h_t — or with ``final_only``
    ``g`` (N, H), the gradient of h_n alone — the outputs ``h`` of ``RnnSequence`` and ``W``, compute (dz, dh0);
    dz (L, N, H) is also the gradient of ``xw``. Other attrs as ``RnnSequence``'s. See the module docstring for
    the recurrences and for this op's own VJP."""
    n_outputs = 2
    saves_outputs = True

    @staticmethod
    def forward(xp, g, h, w_hh, nonlinearity, reverse, final_only):
        dz = xp.empty(h.shape, dtype=g.dtype)
        _slope(xp, nonlinearity, h, out=dz)  # act'(z_t) of every step at once; the loop multiplies in a_t
        # the whole gradient a_t reaching the state of the step being visited, then dz_t W, what h_(t-1) gets
        carry = g.copy() if final_only else xp.zeros(g.shape[1:], dtype=g.dtype)
        # backwards in time is the recurrence's visiting order reversed
        g_steps = None if final_only else _visit_order(g, not reverse)
        w_hh = _for_the_loop(xp, w_hh, *h.shape[:2])
        for t, dz_t in enumerate(_visit_order(dz, not reverse)):
            if g_steps is not None:
                carry += g_steps[t]
            dz_t *= carry
            xp.matmul(dz_t, w_hh, out=carry)
        return dz, carry

    @staticmethod
    def vjp(ctx, u, u0):
        g, h, w_hh = ctx.inputs
        dz = ctx.outputs[0]
        nonlinearity, reverse, final_only = ctx.attrs["nonlinearity"], ctx.attrs["reverse"], ctx.attrs["final_only"]
        need_g, need_h, need_w = ctx.needs_input_grad
        need_h = need_h and nonlinearity == "tanh"  # relu's slope is piecewise constant: no gradient for h
        if not (need_g or need_h or need_w):
            return None, None, None
        h_steps, dz_steps, u_steps = (_visit_order(unbind(s), reverse) for s in (h, dz, u))
        # g_t in visiting order; with final_only, 0 (None) but at the last step visited
        g_steps = (None,) * (len(h_steps) - 1) + (g,) if final_only else _visit_order(unbind(g), reverse)
        w_t = transpose(w_hh, 0, 1)
        nus, dhs = [], []
        nu = u0
        for g_t, h_t, u_t, dz_next in zip(g_steps, h_steps, u_steps, dz_steps[1:] + (None,)):
            mu = u_t + matmul(nu, w_t)
            nu = (1 - h_t * h_t if nonlinearity == "tanh" else gt(h_t, 0)) * mu
            nus.append(nu)
            if need_h:  # a_t = g_t + dz_(t+1) W, with dz_(t+1) from the step visited next (none after the last)
                carried = None if dz_next is None else matmul(dz_next, w_hh)
                a = carried if g_t is None else g_t if carried is None else g_t + carried
                dhs.append(-2 * h_t * mu * a)
        nu_seq = stack(_visit_order(nus, reverse))
        dg = nus[-1] if final_only else nu_seq
        return (dg if need_g else None,
                stack(_visit_order(dhs, reverse)) if need_h else None,
                apply(RnnWeightGrad, dz, nu_seq, u0, reverse=reverse) if need_w else None)

    @staticmethod
    def infer(g, h, w_hh, **attrs):
        n, size = _first_known(g.shape[-2], h.shape[1]), _first_known(g.shape[-1], h.shape[2], w_hh.shape[0])
        return Spec((h.shape[0], n, size), g.dtype), Spec((n, size), g.dtype)


class RnnWeightGrad(Op):
    """dW = Σ_t dz_t^T h_(t-1) with h_(-1) = h0: inputs ``dz`` (L, N, H), ``h`` (L, N, H), ``h0`` (N, H); attr
    ``reverse`` (then h_(t-1) is the state of step t+1, the one visited before).

    Bilinear, so its VJP for a cotangent V is: d dz_t = h_(t-1) V^T; d h_(t-1) = dz_t V (for h0 and every step
    but the one visited last)."""

    @staticmethod
    def forward(xp, dz, h, h0, reverse):
        size = h.shape[-1]
        # each step's gradient with the state before it: one product over the steps that follow another step...
        later, earlier = (dz[:-1], h[1:]) if reverse else (dz[1:], h[:-1])
        dw = xp.matmul(later.reshape(-1, dz.shape[-1]).T, earlier.reshape(-1, size))
        # ...and one for the step that follows h0
        dw += xp.matmul(dz[-1 if reverse else 0].T, h0)
        return dw

    @staticmethod
    def vjp(ctx, v):
        dz, h, h0 = ctx.inputs
        reverse = ctx.attrs["reverse"]
        need_dz, need_h, need_h0 = ctx.needs_input_grad
        dz_v = matmul(dz, v)
        zero = unsqueeze(zeros_like(h0), 0)
        # the state before each step (h0 before the first visited), and the step after each state
        before = cat([h[1:], unsqueeze(h0, 0)] if reverse else [unsqueeze(h0, 0), h[:-1]])
        return (matmul(before, transpose(v, 0, 1)) if need_dz else None,
                cat([zero, dz_v[:-1]] if reverse else [dz_v[1:], zero]) if need_h else None,
                getitem(dz_v, -1 if reverse else 0) if need_h0 else None)

    @staticmethod
    def infer(dz, h, h0, reverse):
        return Spec((_first_known(dz.shape[2], h0.shape[1]), _first_known(h.shape[2], h0.shape[1])), dz.dtype)


def _first_known(*sizes):
    """The first of ``sizes`` that is known (not None): sizes that must agree, some unknown in graph mode."""
    return next((n for n in sizes if n is not None), None)


# ------------------------------------------------------------------------------------------- checks

def _operands(op_name, **named):
    """``named``: name -> (tensor, layout), a letter per dim (L, N or H). Checks that each is a tensor of that rank
    and that each letter has one size throughout (unknown sizes match anything); returns the tensors promoted to
    one floating dtype."""
    sizes = {}
    for name, (t, layout) in named.items():
        if not is_tensor(t):
            raise TypeError(f"{op_name}: expected {name} to be a tensor, got {type(t).__name__}")
        if t.ndim != len(layout):
            raise OpError(f"{op_name}: expected {name} to be {len(layout)}-D ({', '.join(layout)}), got "
                          f"{describe(t)}")
        for letter, n in zip(layout, t.shape):
            if n is not None and sizes.setdefault(letter, n) != n:
                described = ", ".join(f"{nm} ({', '.join(lt)}) = {list(x.shape)}" for nm, (x, lt) in named.items())
                raise OpError(f"{op_name}: sizes do not agree on {letter}: {described}")
    if sizes.get("L") == 0:
        raise OpError(f"{op_name}: expected a sequence length larger than 0")
    tensors = [t for t, _ in named.values()]
    if any(t.dtype != tensors[0].dtype for t in tensors):
        tensors = promote(op_name, *tensors)[1]
    if not dtypes.is_floating_point(tensors[0].dtype):
        raise TypeError(f"{op_name}: expected floating point tensors, got "
                        f"{', '.join(f'{n} {describe(t)}' for n, t in zip(named, tensors))}")
    return tensors


def _reverse(op_name, reverse):
    if not isinstance(reverse, bool):
        raise TypeError(f"{op_name}: reverse must be a bool, got {reverse!r}")
    return reverse


def _nonlinearity(op_name, nonlinearity):
    if nonlinearity not in NONLINEARITIES:
        raise OpError(f"{op_name}: unknown nonlinearity {nonlinearity!r}; select from 'tanh' or 'relu'")
    return nonlinearity


# ------------------------------------------------------------------------------------------ functions

def rnn_sequence(xw, hx, weight_hh, nonlinearity="tanh", reverse=False):
    """Every hidden state of an Elman RNN: h_t = act(xw[t] + h_(t-1) @ weight_hh.T), h_(-1) = ``hx``.

    ``xw`` (L, N, H) holds each step's input projection W_ih x_t + b_ih + b_hh; ``hx`` is (N, H), ``weight_hh``
    (H, H). Returns ``(output, h_n)``: every state (L, N, H), and the last one (N, H) — row L-1 of the output, or
    row 0 when ``reverse``, which runs from the last step to the first."""
    tensors = _operands("rnn_sequence", xw=(xw, "LNH"), hx=(hx, "NH"), weight_hh=(weight_hh, "HH"))
    return apply(RnnSequence, *tensors, nonlinearity=_nonlinearity("rnn_sequence", nonlinearity),
                 reverse=_reverse("rnn_sequence", reverse))


def rnn_sequence_grad(grad_output, output, weight_hh, nonlinearity="tanh", reverse=False):
    """Backpropagation through time for ``output, h_n = rnn_sequence(xw, hx, weight_hh, ...)`` given
    ``grad_output``: the gradient of every state (L, N, H), or of h_n alone (N, H). Returns (d xw, d hx)."""
    final_only = is_tensor(grad_output) and grad_output.ndim == 2
    tensors = _operands("rnn_sequence_grad", grad_output=(grad_output, "NH" if final_only else "LNH"),
                        output=(output, "LNH"), weight_hh=(weight_hh, "HH"))
    return apply(RnnSequenceGrad, *tensors, nonlinearity=_nonlinearity("rnn_sequence_grad", nonlinearity),
                 reverse=_reverse("rnn_sequence_grad", reverse), final_only=final_only)


def rnn_weight_grad(grad_preactivation, output, hx, reverse=False):
    """d weight_hh of ``output = rnn_sequence(xw, hx, weight_hh, ...)`` from the pre-activations' gradient (the
    first result of ``rnn_sequence_grad``): Σ_t dz_t^T h_(t-1), with h_(-1) = ``hx``."""
    tensors = _operands("rnn_weight_grad", grad_preactivation=(grad_preactivation, "LNH"), output=(output, "LNH"),
                        hx=(hx, "NH"))
    return apply(RnnWeightGrad, *tensors, reverse=_reverse("rnn_weight_grad", reverse))
