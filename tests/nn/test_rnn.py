"""Recurrent layers: RNN/LSTM/GRU and their cells against PyTorch (outputs, final states, gradients of inputs,
initial states and every parameter; second-order gradients of RNN), a numpy reference for one step of each cell,
parameter names and init, dropout between layers, the dynamic graph (LSTM/GRU) and the fused op (RNN), and
errors."""
import math
import sys

import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from tests.nn.torch_compare import RNN_LAYOUTS, pair, run_both, torch_or_skip

rng = numpy.random.default_rng(1)
T, N, I, H = 4, 3, 5, 2  # time steps, batch, input size, hidden size


def _input(batch_first=False, batched=True):
    shape = ((N, T, I) if batch_first else (T, N, I)) if batched else (T, I)
    return rng.standard_normal(shape)


def _state(layers, directions, batched=True):
    return rng.standard_normal((layers * directions, N, H) if batched else (layers * directions, H))


@pytest.mark.parametrize("mode", ["RNN", "RNN_relu", "LSTM", "GRU"])
@pytest.mark.parametrize("layers, bidirectional, batch_first, bias", RNN_LAYOUTS)
@pytest.mark.parametrize("with_state", [False, True])
def test_sequence_layers_match_pytorch(mode, layers, bidirectional, batch_first, bias, with_state):
    name, extra = ("RNN", {"nonlinearity": "relu"}) if mode == "RNN_relu" else (mode, {})
    mine, theirs = pair(name, I, H, layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional,
                        **extra)
    directions = 2 if bidirectional else 1
    state = None
    if with_state:
        state = _state(layers, directions)
        if mode == "LSTM":
            state = (state, _state(layers, directions))
    out = run_both(mine, theirs, _input(batch_first), state)
    output, h_n = out[0], (out[1][0] if mode == "LSTM" else out[1])
    assert tuple(output.shape) == ((N, T, directions * H) if batch_first else (T, N, directions * H))
    assert tuple(h_n.shape) == (layers * directions, N, H)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("with_state", [False, True])
def test_unbatched_sequences_match_pytorch(name, with_state):
    mine, theirs = pair(name, I, H, 2, bidirectional=True)
    state = None
    if with_state:
        state = _state(2, 2, batched=False)
        if name == "LSTM":
            state = (state, _state(2, 2, batched=False))
    out = run_both(mine, theirs, _input(batched=False), state)
    assert tuple(out[0].shape) == (T, 2 * H)


@pytest.mark.parametrize("name, kwargs", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu", "bias": False}),
                                          ("LSTMCell", {}), ("GRUCell", {}), ("GRUCell", {"bias": False})])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [False, True])
def test_cells_match_pytorch(name, kwargs, batched, with_state):
    mine, theirs = pair(name, I, H, **kwargs)
    x = rng.standard_normal((N, I) if batched else (I,))
    state = None
    if with_state:
        state = rng.standard_normal((N, H) if batched else (H,))
        if name == "LSTMCell":
            state = (state, rng.standard_normal((N, H) if batched else (H,)))
    run_both(mine, theirs, x, state)


def test_cells_against_numpy_equations():
    """One step of each cell, from the equations in rnn.py's docstring (PyTorch's gate order)."""
    def sigmoid(v):
        return 1 / (1 + numpy.exp(-v))

    x, h, c = rng.standard_normal((N, I)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    tx, th, tc = (torchlike.tensor(a) for a in (x, h, c))

    def weights(cell):
        return [getattr(cell, n).detach().numpy() for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    cell = nn.RNNCell(I, H).double()
    w_ih, w_hh, b_ih, b_hh = weights(cell)
    numpy.testing.assert_allclose(cell(tx, th).detach().numpy(), numpy.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh),
                                  rtol=1e-12)

    cell = nn.LSTMCell(I, H).double()
    w_ih, w_hh, b_ih, b_hh = weights(cell)
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = sigmoid(gates[:, :H]), sigmoid(gates[:, H:2 * H]), numpy.tanh(gates[:, 2 * H:3 * H]), \
        sigmoid(gates[:, 3 * H:])
    c_new = f * c + i * g
    h_new, c_out = cell(tx, (th, tc))
    numpy.testing.assert_allclose(c_out.detach().numpy(), c_new, rtol=1e-12)
    numpy.testing.assert_allclose(h_new.detach().numpy(), o * numpy.tanh(c_new), rtol=1e-12)

    cell = nn.GRUCell(I, H).double()
    w_ih, w_hh, b_ih, b_hh = weights(cell)
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    r, z = sigmoid(gi[:, :H] + gh[:, :H]), sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = numpy.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    numpy.testing.assert_allclose(cell(tx, th).detach().numpy(), (1 - z) * n + z * h, rtol=1e-12)


def test_parameter_names_order_and_shapes_match_pytorch():
    torch = torch_or_skip()
    for name in ("RNN", "LSTM", "GRU"):
        for kwargs in ({}, {"num_layers": 3, "bidirectional": True}, {"num_layers": 2, "bias": False}):
            mine = [(k, tuple(v.shape)) for k, v in getattr(nn, name)(I, H, **kwargs).named_parameters()]
            theirs = [(k, tuple(v.shape)) for k, v in getattr(torch.nn, name)(I, H, **kwargs).named_parameters()]
            assert mine == theirs
    for name in ("RNNCell", "LSTMCell", "GRUCell"):
        mine = [(k, tuple(v.shape)) for k, v in getattr(nn, name)(I, H).named_parameters()]
        assert mine == [(k, tuple(v.shape)) for k, v in getattr(torch.nn, name)(I, H).named_parameters()]


def test_reprs_match_pytorch():
    torch = torch_or_skip()
    cases = [("RNN", (2, 3), {}), ("RNN", (2, 3, 2), {"nonlinearity": "relu", "bias": False, "batch_first": True,
                                                      "dropout": 0.5, "bidirectional": True}),
             ("LSTM", (2, 3, 2), {}), ("GRU", (2, 3), {"bidirectional": True}), ("RNNCell", (2, 3), {}),
             ("RNNCell", (2, 3), {"bias": False, "nonlinearity": "relu"}), ("LSTMCell", (2, 3), {}),
             ("GRUCell", (2, 3), {"bias": False})]
    for name, args, kwargs in cases:
        assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("make", [lambda: nn.LSTM(3, 16, 2, bidirectional=True), lambda: nn.GRUCell(3, 16),
                                  lambda: nn.RNN(3, 16)])
def test_default_init_is_uniform_in_one_over_sqrt_hidden(make):
    torchlike.manual_seed(0)
    values = numpy.concatenate([p.detach().numpy().ravel() for p in make().parameters()])
    assert numpy.abs(values).max() <= 0.25
    assert values.std() == pytest.approx(0.25 / math.sqrt(3), rel=0.1)


@pytest.mark.parametrize("name", ["GRU", "RNN"])
def test_dropout_between_layers_only_in_training(name):
    torch = torch_or_skip()
    mine, theirs = pair(name, I, H, 3, dropout=0.5)
    x = _input()
    mine.eval(), theirs.eval()
    run_both(mine, theirs, x)  # eval: no dropout, same as PyTorch
    mine.train()
    tx = torchlike.tensor(x)
    torchlike.manual_seed(0)
    first = mine(tx)[0].detach().numpy()
    torchlike.manual_seed(0)
    numpy.testing.assert_array_equal(mine(tx)[0].detach().numpy(), first)  # reproducible
    assert not numpy.allclose(mine(tx)[0].detach().numpy(), first)  # a new mask each call
    mine.eval()
    assert not numpy.allclose(mine(tx)[0].detach().numpy(), first)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        single = getattr(nn, name)(I, H, dropout=0.5).double()
    single.train()
    eval_out = single.eval()(tx)[0].detach().numpy()
    numpy.testing.assert_array_equal(single.train()(tx)[0].detach().numpy(), eval_out)  # nothing after the last
    del torch


def test_the_graph_follows_the_sequence_length():
    """The same module on sequences of different lengths: each call records a graph as long as its input."""
    lstm = nn.LSTM(I, H).double()
    for steps in (1, 3, 6):
        x = torchlike.tensor(rng.standard_normal((steps, N, I)), requires_grad=True)
        output, (h_n, _) = lstm(x)
        assert tuple(output.shape) == (steps, N, H)
        h_n.sum().backward()
        grad = x.grad.detach().numpy()
        assert grad.shape == (steps, N, I) and numpy.abs(grad[0]).sum() > 0  # the first step influences h_n


def _recorded_ops(output):
    """The names of the ops recorded on the way to ``output`` (each node once)."""
    names, seen, stack = [], set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.append(node.name())
        stack.extend(parent for parent, _ in node.next_functions)
    return names


def test_rnn_records_one_fused_op_per_layer_and_direction():
    """RNN's tape does not grow with the sequence: one RnnSequence per (layer, direction)."""
    rnn = nn.RNN(I, H, 2, bidirectional=True).double()
    recorded = [_recorded_ops(rnn(torchlike.tensor(rng.standard_normal((steps, N, I))))[0]) for steps in (2, 30)]
    assert recorded[0] == recorded[1]
    assert recorded[0].count("RnnSequenceBackward0") == 4


def test_lstm_records_one_fused_op_per_layer_and_direction_unless_projected():
    """LSTM's tape does not grow with the sequence either (LstmSequence); with proj_size it is the step loop."""
    lstm = nn.LSTM(I, H, 2, bidirectional=True).double()
    recorded = [_recorded_ops(lstm(torchlike.tensor(rng.standard_normal((steps, N, I))))[0]) for steps in (2, 30)]
    assert recorded[0] == recorded[1] and recorded[0].count("LstmSequenceBackward0") == 4
    projected = nn.LSTM(I, 2 * H, proj_size=H).double()
    ops_of_steps = _recorded_ops(projected(torchlike.tensor(rng.standard_normal((5, N, I))))[0])
    assert "LstmSequenceBackward0" not in ops_of_steps and ops_of_steps.count("LstmPointwiseBackward0") == 5


def test_gru_records_one_fused_op_per_layer_and_direction():
    gru = nn.GRU(I, H, 2, bidirectional=True).double()
    recorded = [_recorded_ops(gru(torchlike.tensor(rng.standard_normal((steps, N, I))))[0]) for steps in (2, 30)]
    assert recorded[0] == recorded[1] and recorded[0].count("GruSequenceBackward0") == 4


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_second_order_gradients_match_pytorch(nonlinearity):
    """A gradient penalty (the squared norm of the parameters' gradients, differentiated again) through a
    two-layer bidirectional RNN, against PyTorch."""
    torch = torch_or_skip()
    mine, theirs = pair("RNN", I, H, 2, nonlinearity=nonlinearity, bidirectional=True)
    x, h0 = _input(), _state(2, 2)
    penalties = []
    for lib, module in ((torchlike, mine), (torch, theirs)):
        params = list(module.parameters())
        xs = [lib.tensor(a, requires_grad=True) for a in (x, h0)]
        output, h_n = module(*xs)
        loss = (output * output).sum() + (h_n * h_n).sum()
        grads = lib.autograd.grad(loss, xs + params, create_graph=True)
        penalty = sum((g * g).sum() for g in grads)
        penalties.append([g.detach().numpy() for g in lib.autograd.grad(penalty, xs + params)])
    for ours, theirs_grad in zip(*penalties):
        numpy.testing.assert_allclose(ours, theirs_grad, rtol=1e-7, atol=1e-9)


def test_a_long_sequence_backpropagates_without_recursion():
    """Backpropagation through many steps walks the tape iteratively (a recursive walk would overflow)."""
    steps = sys.getrecursionlimit() // 2 + 10  # each step adds nodes to the path from h_n
    gru = nn.GRU(1, 1).double()
    x = torchlike.tensor(rng.standard_normal((steps, 1, 1)) * 0.1, requires_grad=True)
    gru(x)[1].sum().backward()
    assert x.grad is not None and numpy.isfinite(x.grad.numpy()).all()


def test_errors():
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(I, H, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.GRU(I, H, 2, dropout=1.5)
    with pytest.raises(ValueError, match="num_layers must be a positive int"):
        nn.LSTM(I, H, 0)
    with pytest.raises(ValueError, match="proj_size"):
        nn.LSTM(I, H, proj_size=H)  # a projection must be smaller than the hidden state
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 5, got 4"):
        nn.RNN(I, H)(torchlike.randn(T, N, 4))
    with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0"):
        nn.RNN(I, H, batch_first=True)(torchlike.randn(N, 0, I))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D"):
        nn.GRU(I, H)(torchlike.randn(1, T, N, I))
    with pytest.raises(RuntimeError, match=r"Expected hx size \(2, 3, 2\), got \[1, 3, 2\]"):
        nn.RNN(I, H, 2)(torchlike.randn(T, N, I), torchlike.randn(1, N, H))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx should also be 3-D"):
        nn.GRU(I, H)(torchlike.randn(T, N, I), torchlike.randn(N, H))
    with pytest.raises(TypeError, match="hx must be a tuple"):
        nn.LSTM(I, H)(torchlike.randn(T, N, I), torchlike.randn(1, N, H))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size"):
        nn.LSTM(I, H)(torchlike.randn(T, N, I), (torchlike.randn(1, N, H), torchlike.randn(2, N, H)))
    with pytest.raises(ValueError, match="Expected input to be 1D or 2D"):
        nn.RNNCell(I, H)(torchlike.randn(1, N, I))
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 4 expected 5"):
        nn.GRUCell(I, H)(torchlike.randn(N, 4))
    with pytest.raises(RuntimeError, match="expected hx of shape"):
        nn.RNNCell(I, H)(torchlike.randn(N, I), torchlike.randn(N + 1, H))
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.GRUCell(I, 0)
