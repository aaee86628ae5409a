"""``nn.LSTM(proj_size=...)``, the LSTM with projections (h_t = W_hr (o_t ⊙ tanh(c_t))): against PyTorch with the
same weights (outputs, h_n, c_n and every gradient; layers, directions, batch_first, initial states, packed
sequences), the parameters' names, order and shapes, the repr, the default init, errors, and a float64
central-difference check of the gradients of the new weights."""
import math

import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from tests.gradient_checks import check_gradient
from tests.nn.torch_compare import RNN_LAYOUTS, copy_weights, pair, run_both, torch_or_skip

rng = numpy.random.default_rng(7)
T, N, I, H, P = 4, 3, 5, 4, 2  # time steps, batch, input size, hidden size, projection size


@pytest.mark.parametrize("layers, bidirectional, batch_first, bias", RNN_LAYOUTS)
@pytest.mark.parametrize("with_state", [False, True])
def test_projected_lstm_matches_pytorch(layers, bidirectional, batch_first, bias, with_state):
    mine, theirs = pair("LSTM", I, H, layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional,
                        proj_size=P)
    directions = 2 if bidirectional else 1
    state = None
    if with_state:  # h_0 has proj_size features, c_0 hidden_size
        state = (rng.standard_normal((layers * directions, N, P)), rng.standard_normal((layers * directions, N, H)))
    x = rng.standard_normal((N, T, I) if batch_first else (T, N, I))
    output, (h_n, c_n) = run_both(mine, theirs, x, state)
    assert tuple(output.shape) == ((N, T, directions * P) if batch_first else (T, N, directions * P))
    assert tuple(h_n.shape) == (layers * directions, N, P)
    assert tuple(c_n.shape) == (layers * directions, N, H)


def test_unbatched_projected_lstm_matches_pytorch():
    mine, theirs = pair("LSTM", I, H, 2, bidirectional=True, proj_size=P)
    state = (rng.standard_normal((4, P)), rng.standard_normal((4, H)))
    output, _ = run_both(mine, theirs, rng.standard_normal((T, I)), state)
    assert tuple(output.shape) == (T, 2 * P)


@pytest.mark.parametrize("kwargs", [{}, {"num_layers": 2, "bidirectional": True}, {"batch_first": True}])
def test_projected_lstm_on_packed_sequences_matches_pytorch(kwargs):
    """Each sequence stops at its own length: the packed output, h_n, c_n and every gradient equal PyTorch's."""
    torch = torch_or_skip()
    lengths = [3, 5, 1, 2]
    theirs = torch.nn.LSTM(I, H, proj_size=P, **kwargs).double()
    mine = nn.LSTM(I, H, proj_size=P, **kwargs).double()
    copy_weights(mine, theirs)
    batch_first = kwargs.get("batch_first", False)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    arrays = [rng.standard_normal((len(lengths), 5, I) if batch_first else (5, len(lengths), I)),
              rng.standard_normal((layers, len(lengths), P)), rng.standard_normal((layers, len(lengths), H))]
    results = []
    for lib, module in ((torchlike, mine), (torch, theirs)):
        x, h0, c0 = [lib.tensor(a, requires_grad=True) for a in arrays]
        packed = lib.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first, enforce_sorted=False)
        output, (h_n, c_n) = module(packed, (h0, c0))
        padded, _ = lib.nn.utils.rnn.pad_packed_sequence(output, batch_first)
        weights = lib.tensor(numpy.arange(padded.numel()).reshape(tuple(padded.shape)) % 5 / 5.0)
        ((padded * weights).sum() + (h_n * h_n).sum() + (c_n * c_n).sum()).backward()
        results.append([output.data, h_n, c_n, x.grad, h0.grad, c0.grad] + [p.grad for p in module.parameters()])
    for ours, theirs_value in zip(*results):
        numpy.testing.assert_allclose(ours.detach().numpy(), theirs_value.detach().numpy(), rtol=1e-10,
                                      atol=1e-12)


@pytest.mark.parametrize("kwargs", [{}, {"num_layers": 3, "bidirectional": True}, {"num_layers": 2, "bias": False}])
def test_parameter_names_order_and_shapes_match_pytorch(kwargs):
    torch = torch_or_skip()
    mine, theirs = nn.LSTM(I, H, proj_size=P, **kwargs), torch.nn.LSTM(I, H, proj_size=P, **kwargs)
    assert [(k, tuple(v.shape)) for k, v in mine.named_parameters()] == \
        [(k, tuple(v.shape)) for k, v in theirs.named_parameters()]
    assert [[tuple(w.shape) for w in ws] for ws in mine.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in theirs.all_weights]


def test_reprs_match_pytorch():
    torch = torch_or_skip()
    for args, kwargs in (((2, 3), {"proj_size": 1}), ((2, 3, 2), {"proj_size": 2, "bidirectional": True}),
                         ((2, 3), {"proj_size": 0})):
        assert repr(nn.LSTM(*args, **kwargs)) == repr(torch.nn.LSTM(*args, **kwargs))
    assert nn.LSTM(2, 3, proj_size=1).proj_size == 1 and nn.GRU(2, 3).proj_size == nn.RNN(2, 3).proj_size == 0


def test_default_init_is_uniform_in_one_over_sqrt_hidden_for_every_weight():
    torchlike.manual_seed(0)
    lstm = nn.LSTM(3, 100, 2, bidirectional=True, proj_size=50)
    for name, p in lstm.named_parameters():
        values = p.detach().numpy().ravel()
        assert numpy.abs(values).max() <= 0.1, name
        assert values.std() == pytest.approx(0.1 / math.sqrt(3), rel=0.1), name


@pytest.mark.parametrize("weight", ["weight_hr_l0", "weight_hr_l1_reverse", "weight_hh_l1"])
def test_weight_gradients_against_central_differences(weight):
    """The gradient of a loss of output, h_n and c_n with respect to one weight of a tiny projected LSTM."""
    shapes = {k: tuple(v.shape) for k, v in nn.LSTM(2, 3, 2, bidirectional=True, proj_size=2).named_parameters()}
    weights = {k: rng.uniform(-0.6, 0.6, shape) for k, shape in shapes.items()}
    x, h0, c0 = rng.standard_normal((3, 2, 2)), rng.standard_normal((4, 2, 2)), rng.standard_normal((4, 2, 3))

    def build(L, w):
        lstm = L.nn.LSTM(2, 3, 2, bidirectional=True, proj_size=2).double()
        lstm.load_state_dict({k: L.tensor(v) for k, v in weights.items()})
        output, (h_n, c_n) = L.func.functional_call(lstm, {weight: w}, (L.tensor(x), (L.tensor(h0), L.tensor(c0))))
        return (output * output).sum() + h_n.sum() + (c_n * c_n).sum()

    check_gradient(build, weights[weight])


def test_errors():
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(I, H, proj_size=H)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(I, H, proj_size=H + 1)
    with pytest.raises(ValueError, match="proj_size should be a positive integer or zero"):
        nn.LSTM(I, H, proj_size=-1)
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.RNNBase("GRU", I, H, proj_size=P)
    lstm = nn.LSTM(I, H, proj_size=P)
    x = torchlike.randn(T, N, I)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 3, 2\), got \[1, 3, 4\]"):
        lstm(x, (torchlike.randn(1, N, H), torchlike.randn(1, N, H)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 3, 4\), got \[1, 3, 2\]"):
        lstm(x, (torchlike.randn(1, N, P), torchlike.randn(1, N, P)))
