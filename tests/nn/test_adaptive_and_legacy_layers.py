"""``nn.AdaptiveLogSoftmaxWithLoss``, ``nn.CrossMapLRN2d``, ``nn.NLLLoss2d``, ``nn.SyncBatchNorm`` and
``nn.RNNCellBase`` against PyTorch (same weights: values, gradients, state dicts, reprs, errors); where PyTorch's
own gradient disagrees with its forward (CrossMapLRN2d), against central differences."""
import numpy as np
import pytest

import minidl.eager as torchlike

from .torch_compare import check_repr_and_state, copy_weights, pair, run_both, torch_or_skip

ASM_CONFIGS = [dict(in_features=16, n_classes=20, cutoffs=[4, 9, 15], div_value=2.0, head_bias=True),
               dict(in_features=8, n_classes=10, cutoffs=[3], div_value=4.0, head_bias=False)]


# ------------------------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss

@pytest.mark.parametrize("config", ASM_CONFIGS)
def test_adaptive_softmax_state_dict_and_repr_are_pytorchs(config):
    check_repr_and_state("AdaptiveLogSoftmaxWithLoss", (), config)


@pytest.mark.parametrize("targets", [[0, 5, 19, 3, 10, 15, 8], [1, 2, 3, 0], [17], [12, 13, 9]])
def test_adaptive_softmax_output_loss_and_gradients(targets):
    mine, theirs = pair("AdaptiveLogSoftmaxWithLoss", **ASM_CONFIGS[0])
    x = np.random.default_rng(0).standard_normal((len(targets), 16))
    result = run_both(mine, theirs, x, np.array(targets), atol=1e-12)
    assert result._fields == ("output", "loss") and tuple(result.output.shape) == (len(targets),)


def test_adaptive_softmax_one_unbatched_sample():
    mine, theirs = pair("AdaptiveLogSoftmaxWithLoss", **ASM_CONFIGS[1])
    result = run_both(mine, theirs, np.random.default_rng(1).standard_normal(8), np.array(7), atol=1e-12)
    assert tuple(result.output.shape) == ()


def test_adaptive_softmax_log_prob_and_predict():
    torch = torch_or_skip()
    mine, theirs = pair("AdaptiveLogSoftmaxWithLoss", **ASM_CONFIGS[0])
    with torch.no_grad():  # make the clusters likely for some samples, so that predict looks into the tails
        theirs.head.bias[4:] += 1.0
    copy_weights(mine, theirs)
    x = np.random.default_rng(2).standard_normal((9, 16)) * 3
    ours, ref = mine.log_prob(torchlike.tensor(x)), theirs.log_prob(torch.tensor(x))
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(np.exp(ours.detach().numpy()).sum(1), 1)
    ours.sum().backward()
    ref.sum().backward()
    for (name, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-12, err_msg=name)
    predicted = theirs.predict(torch.tensor(x)).numpy()
    assert (predicted >= 4).any() and (predicted < 4).any()
    np.testing.assert_array_equal(mine.predict(torchlike.tensor(x)).numpy(), predicted)
    np.testing.assert_array_equal(predicted, ref.detach().numpy().argmax(1))


def test_adaptive_softmax_errors():
    nn = torchlike.nn
    for cutoffs in ([], [5, 3], [0, 4], [4, 10], [4, 4]):
        with pytest.raises(ValueError, match="cutoffs should be a sequence"):
            nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs)
    asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])
    with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 9\], but values in range \[2, 10\]"):
        asm(torchlike.zeros(2, 8), torchlike.tensor([2, 10]))
    with pytest.raises(RuntimeError, match="Input and target should have the same size in the batch dimension"):
        asm(torchlike.zeros(3, 8), torchlike.tensor([2, 1]))
    with pytest.raises(RuntimeError, match="1D target tensor expects 2D input tensors"):
        asm(torchlike.zeros(2, 8, 1), torchlike.tensor([2, 1]))
    with pytest.raises(RuntimeError, match="0D target tensor expects 1D input tensors"):
        asm(torchlike.zeros(2, 8), torchlike.tensor(2))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected, multi-target not supported"):
        asm(torchlike.zeros(2, 8), torchlike.tensor([[2, 1]]))


# ------------------------------------------------------------------------------------------ CrossMapLRN2d

@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("channels", [1, 3, 6])
def test_cross_map_lrn2d_values_are_pytorchs(size, channels):
    torch = torch_or_skip()
    x = np.random.default_rng(size * 10 + channels).standard_normal((2, channels, 3, 2))
    args = (size, 0.5, 0.75, 1.5)
    ours = torchlike.nn.CrossMapLRN2d(*args)(torchlike.tensor(x)).numpy()
    np.testing.assert_allclose(ours, torch.nn.CrossMapLRN2d(*args)(torch.tensor(x)).numpy(), rtol=1e-12)
    assert repr(torchlike.nn.CrossMapLRN2d(*args)) == repr(torch.nn.CrossMapLRN2d(*args))


@pytest.mark.parametrize("size,channels", [(3, 6), (4, 5), (1, 3), (5, 2)])
def test_cross_map_lrn2d_gradient_numerically(size, channels):
    layer = torchlike.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=1.5)
    x = np.random.default_rng(size).standard_normal((2, channels, 2, 2))
    w = np.random.default_rng(1).standard_normal(x.shape)
    t = torchlike.tensor(x, requires_grad=True)
    (layer(t) * torchlike.tensor(w)).sum().backward()
    numeric, eps = np.zeros_like(x), 1e-6
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric[index] = float(((layer(torchlike.tensor(plus)) - layer(torchlike.tensor(minus))) *
                                torchlike.tensor(w)).sum()) / (2 * eps)
    np.testing.assert_allclose(t.grad.numpy(), numeric, rtol=1e-6, atol=1e-8)


def test_cross_map_lrn2d_gradient_is_pytorchs_for_one_channel():
    torch = torch_or_skip()  # PyTorch's backward matches its forward only where the window is the channel alone
    x = np.random.default_rng(3).standard_normal((2, 1, 3, 3))
    run_both(torchlike.nn.CrossMapLRN2d(3, 0.5, 0.75, 1.5), torch.nn.CrossMapLRN2d(3, 0.5, 0.75, 1.5), x,
             atol=1e-12)


def test_cross_map_lrn2d_wants_4d_input():
    with pytest.raises(ValueError, match="CrossMapLRN2d: Expected input to be 4D, got 3D instead"):
        torchlike.nn.CrossMapLRN2d(3)(torchlike.zeros(2, 3, 4))


# -------------------------------------------------------------------------------------------------- NLLLoss2d

def test_nll_loss2d_is_a_deprecated_nll_loss():
    torch = torch_or_skip()
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead"):
        mine = torchlike.nn.NLLLoss2d(weight=torchlike.tensor([1.0, 2.0, 0.5]), ignore_index=1)
    assert isinstance(mine, torchlike.nn.NLLLoss) and mine.ignore_index == 1 and mine.reduction == "mean"
    with pytest.warns(FutureWarning):
        theirs = torch.nn.NLLLoss2d(weight=torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64), ignore_index=1)
    mine.double()
    rng = np.random.default_rng(4)
    log_probs = np.ascontiguousarray(np.log(rng.dirichlet(np.ones(3), size=(2, 4, 5))).transpose(0, 3, 1, 2))
    run_both(mine, theirs, log_probs, rng.integers(0, 3, (2, 4, 5)), atol=1e-12)


# ---------------------------------------------------------------------------------------------- SyncBatchNorm

@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 4), (2, 3, 2, 3, 2)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_sync_batch_norm_is_batch_norm_in_one_process(shape, momentum):
    mine, theirs = pair("SyncBatchNorm", 3, momentum=momentum)
    rng = np.random.default_rng(5)
    for _ in range(2):  # the running statistics move alike (run_both compares the buffers)
        run_both(mine, theirs, rng.standard_normal(shape), atol=1e-12)
    mine.eval()
    theirs.eval()
    run_both(mine, theirs, rng.standard_normal(shape), atol=1e-12)
    check_repr_and_state("SyncBatchNorm", (3,), dict(momentum=momentum))


def test_sync_batch_norm_errors():
    layer = torchlike.nn.SyncBatchNorm(3)
    with pytest.raises(ValueError, match=r"expected at least 2D input \(got 1D input\)"):
        layer(torchlike.zeros(3))
    with pytest.raises(ValueError, match="SyncBatchNorm number of input channels should be non-zero"):
        torchlike.nn.SyncBatchNorm(0)(torchlike.zeros(2, 0, 4))


def _model(nn):
    return nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3, momentum=None),
                         nn.Sequential(nn.Flatten(), nn.BatchNorm1d(12, affine=False)),
                         nn.ModuleDict({"deep": nn.BatchNorm3d(4, track_running_stats=False, bias=False)}))


def test_convert_sync_batchnorm_keeps_parameters_buffers_and_flags():
    torch = torch_or_skip()
    nn = torchlike.nn
    model = _model(nn)
    model[1].weight.requires_grad_(False)
    batch = np.random.default_rng(6).standard_normal((2, 3, 2, 2))
    model[1](torchlike.tensor(batch, dtype=torchlike.float32))  # running stats move
    model[2].eval()
    before = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model, process_group="group")
    assert converted is model and isinstance(converted[0], nn.Conv2d)
    for layer in (converted[1], converted[2][1], converted[3]["deep"]):
        assert type(layer) is nn.SyncBatchNorm and layer.process_group == "group"
    assert all(p is before[name] for name, p in converted.named_parameters())
    assert all(b is buffers[name] for name, b in converted.named_buffers())
    assert not converted[1].weight.requires_grad and converted[1].momentum is None
    assert converted[1].training and not converted[2][1].training
    assert converted[3]["deep"].bias is None and converted[3]["deep"].running_mean is None
    reference = torch.nn.SyncBatchNorm.convert_sync_batchnorm(_model(torch.nn))
    assert repr(converted) == repr(reference)
    assert [(k, tuple(v.shape)) for k, v in converted.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in reference.state_dict().items()]
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(5))
    assert type(single) is nn.SyncBatchNorm and single.process_group is None


# ------------------------------------------------------------------------------------------------ RNNCellBase

def test_the_cells_share_rnn_cell_base():
    nn = torchlike.nn
    for cell in (nn.RNNCell(3, 4), nn.LSTMCell(3, 4), nn.GRUCell(3, 4)):
        assert isinstance(cell, nn.RNNCellBase) and isinstance(cell, nn.modules.rnn.RNNCellBase)
    assert not isinstance(nn.RNN(3, 4), nn.RNNCellBase)


@pytest.mark.parametrize("name,args,kwargs", [("RNNCellBase", (3, 4, True, 2), {}),
                                              ("RNNCellBase", (3, 4, False, 3), {}),
                                              ("RNNCell", (3, 4), dict(bias=False, nonlinearity="relu")),
                                              ("LSTMCell", (2, 5), dict(bias=False)), ("GRUCell", (3, 4), {})])
def test_rnn_cell_base_parameters_and_repr_are_pytorchs(name, args, kwargs):
    check_repr_and_state(name, args, kwargs)


def test_rnn_cell_base_can_be_subclassed():
    class Elman(torchlike.nn.RNNCellBase):
        def __init__(self):
            super().__init__(3, 2, bias=True, num_chunks=1)

        def forward(self, x, h):
            return torchlike.tanh(x @ self.weight_ih.T + self.bias_ih + h @ self.weight_hh.T + self.bias_hh)

    cell = Elman()
    bound = 1 / np.sqrt(2)
    assert all(np.abs(p.detach().numpy()).max() <= bound for p in cell.parameters())
    assert tuple(cell(torchlike.zeros(5, 3), torchlike.zeros(5, 2)).shape) == (5, 2)
    with pytest.raises(NotImplementedError):
        torchlike.nn.RNNCellBase(3, 2, True, 1)(torchlike.zeros(1, 3))
