"""``nn.utils.rnn``: padding and packing sequences of different lengths, and RNN / LSTM / GRU over packed batches —
against PyTorch (the packed layout, outputs, final states, and gradients back to every sequence and parameter)."""
import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.nn.utils import rnn as rnn_utils
from tests.nn.torch_compare import copy_weights, torch_or_skip

rng = numpy.random.default_rng(11)
LENGTHS = [3, 5, 1, 5, 2]
FEATURES, HIDDEN = 4, 3


def _both(make_inputs, fn):
    """``fn(lib, *inputs)`` in both frameworks, on the same float64 inputs (requiring grad)."""
    torch = torch_or_skip()
    arrays = make_inputs()
    ours = [torchlike.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return (fn(torchlike, *ours), ours), (fn(torch, *theirs), theirs)


def _close(a, b):
    numpy.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().cpu().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_pytorch_and_passes_gradients_back(batch_first, padding_side):
    torch = torch_or_skip()
    (y, ours), (ty, theirs) = _both(
        lambda: [rng.standard_normal((n, 2, 3)) for n in LENGTHS],
        lambda lib, *seqs: lib.nn.utils.rnn.pad_sequence(seqs, batch_first, -1.5, padding_side))
    _close(y, ty)
    g = rng.standard_normal(tuple(ty.shape))
    (y * torchlike.tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    for o, t in zip(ours, theirs):
        _close(o.grad, t.grad)


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_round_trip_match_pytorch(enforce_sorted, batch_first):
    lengths = sorted(LENGTHS, reverse=True) if enforce_sorted else LENGTHS
    shape = (len(lengths), 5, 2) if batch_first else (5, len(lengths), 2)
    (packed, ours), (tpacked, theirs) = _both(
        lambda: [rng.standard_normal(shape)],
        lambda lib, x: lib.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first, enforce_sorted))
    _close(packed.data, tpacked.data)
    assert packed.batch_sizes.tolist() == tpacked.batch_sizes.tolist()
    for mine, reference in ((packed.sorted_indices, tpacked.sorted_indices),
                            (packed.unsorted_indices, tpacked.unsorted_indices)):
        assert (mine is None) == (reference is None)
        if mine is not None:
            assert mine.tolist() == reference.tolist()
    torch = torch_or_skip()
    padded, lens = rnn_utils.pad_packed_sequence(packed, batch_first, 9.0, total_length=6)
    tpadded, tlens = torch.nn.utils.rnn.pad_packed_sequence(tpacked, batch_first, 9.0, total_length=6)
    _close(padded, tpadded)
    assert lens.tolist() == tlens.tolist() == lengths and lens.dtype == torchlike.int64
    padded.sum().backward()
    tpadded.sum().backward()
    _close(ours[0].grad, theirs[0].grad)  # 1 where a real step was, 0 on the padding
    seqs = [rng.standard_normal((n, 2)) for n in lengths]
    assert [s.shape for s in rnn_utils.unpack_sequence(rnn_utils.pack_sequence(
        [torchlike.tensor(s) for s in seqs], enforce_sorted))] == [(n, 2) for n in lengths]
    unpadded = rnn_utils.unpad_sequence(rnn_utils.pad_sequence([torchlike.tensor(s) for s in seqs]), lengths)
    for a, b in zip(unpadded, seqs):
        numpy.testing.assert_array_equal(a.numpy(), b)


@pytest.mark.parametrize("name, kwargs", [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("GRU", {"bidirectional": True, "batch_first": True}),
    ("LSTM", {"batch_first": True}),
])
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_layers_on_packed_sequences_match_pytorch(name, kwargs, with_state):
    """Each sequence stops at its own length: the outputs, h_n (c_n) and every gradient equal PyTorch's."""
    torch = torch_or_skip()
    theirs = getattr(torch.nn, name)(FEATURES, HIDDEN, **kwargs).double()
    mine = getattr(nn, name)(FEATURES, HIDDEN, **kwargs).double()
    copy_weights(mine, theirs)
    batch_first = kwargs.get("batch_first", False)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    x = rng.standard_normal((len(LENGTHS), 5, FEATURES) if batch_first else (5, len(LENGTHS), FEATURES))
    states = [rng.standard_normal((layers, len(LENGTHS), HIDDEN)) for _ in range(2 if name == "LSTM" else 1)]
    results = []
    for lib, module in ((torchlike, mine), (torch, theirs)):
        inputs = [lib.tensor(a, requires_grad=True) for a in [x] + states]
        packed = lib.nn.utils.rnn.pack_padded_sequence(inputs[0], LENGTHS, batch_first, enforce_sorted=False)
        hx = (tuple(inputs[1:]) if name == "LSTM" else inputs[1]) if with_state else None
        output, h_n = module(packed, hx)
        padded, _ = lib.nn.utils.rnn.pad_packed_sequence(output, batch_first)
        finals = h_n if isinstance(h_n, tuple) else (h_n,)
        weights = lib.tensor(numpy.arange(padded.numel()).reshape(tuple(padded.shape)) % 5 / 5.0)
        ((padded * weights).sum() + sum((h * h).sum() for h in finals)).backward()
        results.append([output.data, padded, *finals] + [t.grad for t in inputs[:len(inputs) if with_state else 1]]
                       + [p.grad for p in module.parameters()])
        assert output.batch_sizes.tolist() == packed.batch_sizes.tolist()
    assert len(results[0]) == len(results[1])
    for a, b in zip(*results):
        _close(a, b)


def test_the_final_state_is_the_state_after_the_last_real_step():
    """Running each sequence alone gives the packed batch's h_n (and its padded output is zero past the end)."""
    torchlike.manual_seed(0)
    gru = nn.GRU(FEATURES, HIDDEN).double()
    seqs = [torchlike.tensor(rng.standard_normal((n, FEATURES))) for n in LENGTHS]
    output, h_n = gru(rnn_utils.pack_sequence(seqs, enforce_sorted=False))
    padded, _ = rnn_utils.pad_packed_sequence(output)
    for i, s in enumerate(seqs):
        alone, h_alone = gru(s)
        numpy.testing.assert_allclose(h_n[0, i].detach().numpy(), h_alone[0].detach().numpy(), rtol=1e-12)
        numpy.testing.assert_allclose(padded[:len(s), i].detach().numpy(), alone.detach().numpy(), rtol=1e-12)
        assert not padded[len(s):, i].detach().numpy().any()


def test_errors():
    x = torchlike.randn(5, 3, 2)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order when `enforce_sorted` is True"):
        rnn_utils.pack_padded_sequence(x, [2, 5, 1])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        rnn_utils.pack_padded_sequence(x, [5, 2, 0])
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size"):
        rnn_utils.pack_padded_sequence(x, [5, 2])
    with pytest.raises(RuntimeError, match="exceeds the 5 time steps"):
        rnn_utils.pack_padded_sequence(x, [6, 2, 1])
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        rnn_utils.pad_packed_sequence(rnn_utils.pack_padded_sequence(x, [5, 2, 1]), total_length=3)
    with pytest.raises(RuntimeError, match="same features"):
        rnn_utils.pad_sequence([torchlike.ones(2, 3), torchlike.ones(2, 4)])
    with pytest.raises(ValueError, match="padding_side"):
        rnn_utils.pad_sequence([torchlike.ones(2)], padding_side="middle")
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        nn.LSTM(3, 2)(rnn_utils.pack_padded_sequence(x, [5, 2, 1]))
    with pytest.raises(RuntimeError, match="input must have 2 dimensions, got 3"):
        nn.GRU(2, 3)(rnn_utils.pack_sequence([torchlike.ones(2, 1, 2), torchlike.ones(1, 1, 2)]))
    with pytest.raises(IndexError, match="needs a time and a batch dim, got 1 dim"):
        rnn_utils.pack_padded_sequence(torchlike.ones(3), [3])
    with pytest.raises(TypeError, match="lengths must be a 1-D sequence of whole numbers"):
        rnn_utils.pack_padded_sequence(x, [5, 2.5, 1])


def test_lengths_given_as_whole_floats_are_cast_to_ints_as_in_pytorch():
    x = torchlike.randn(5, 3, 2)
    for lengths in ([5.0, 2.0, 1.0], torchlike.tensor([5.0, 2.0, 1.0])):
        assert rnn_utils.pack_padded_sequence(x, lengths).batch_sizes.tolist() == [3, 2, 1, 1, 1]
