"""Run a minidl module and the same PyTorch module (same weights) on the same inputs; compare outputs and
gradients. Shared by the layer, RNN and loss tests; each test skips itself where PyTorch is absent."""
import numpy
import pytest

import minidl.eager as torchlike


def torch_or_skip():
    return pytest.importorskip("torch")


def copy_weights(mine, theirs):
    """Load the PyTorch module's state into ours: the parameter and buffer names must be the same."""
    mine.load_state_dict({k: v.detach().cpu().numpy() for k, v in theirs.state_dict().items()})


def _flat(value):
    """Tensors in a (nested) tuple of outputs, in order."""
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flat(v)]
    return [value]


def _is_float(array):
    return array.dtype.kind == "f"


def run_both(mine, theirs, *inputs, rtol=1e-7, atol=1e-9, grads=True, seed=0, **kwargs):
    """Call ``mine(*inputs)`` and ``theirs(*inputs)`` (inputs: numpy arrays, float ones requiring grad, or None
    / nested tuples of arrays), compare every output, then backpropagate the same random output gradient through
    both and compare the gradients of the float inputs and of every parameter (by name), and the buffers.

    Returns our outputs."""
    torch = torch_or_skip()

    def convert(x, make):
        if x is None:
            return None
        if isinstance(x, tuple):
            return tuple(convert(v, make) for v in x)
        return make(x)

    ours_in = [convert(x, lambda a: torchlike.tensor(a, requires_grad=grads and _is_float(a))) for x in inputs]
    theirs_in = [convert(x, lambda a: torch.tensor(a, requires_grad=grads and _is_float(a))) for x in inputs]
    ours_out, theirs_out = mine(*ours_in, **kwargs), theirs(*theirs_in, **kwargs)
    ours_flat, theirs_flat = _flat(ours_out), _flat(theirs_out)
    assert len(ours_flat) == len(theirs_flat)
    for o, t in zip(ours_flat, theirs_flat):
        assert tuple(o.shape) == tuple(t.shape)
        numpy.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)
    for (name, b), (tname, tb) in zip(mine.named_buffers(), theirs.named_buffers()):
        assert name == tname
        numpy.testing.assert_allclose(b.numpy(), tb.numpy(), rtol=rtol, atol=atol, err_msg=name)
    if not grads:
        return ours_out
    rng = numpy.random.default_rng(seed)
    ours_loss, theirs_loss = 0, 0
    for o, t in zip(ours_flat, theirs_flat):
        if _is_float(o.detach().numpy()) and o.requires_grad:
            g = rng.standard_normal(tuple(o.shape))
            ours_loss = ours_loss + (o * torchlike.tensor(g, dtype=o.dtype)).sum()
            theirs_loss = theirs_loss + (t * torch.tensor(g, dtype=t.dtype)).sum()
    ours_loss.backward()
    theirs_loss.backward()
    for o, t in zip(_flat(ours_in), _flat(theirs_in)):
        if t is not None and t.requires_grad:
            numpy.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(mine.named_parameters())
    assert list(ours_params) == list(theirs_params)
    for name, p in ours_params.items():
        tp = theirs_params[name]
        if tp.grad is None:
            assert p.grad is None or not p.grad.numpy().any(), name
        else:
            numpy.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=rtol, atol=atol, err_msg=name)
    return ours_out


def pair(name, *args, **kwargs):
    """The same layer built in both frameworks (float64, our weights copied from PyTorch's)."""
    torch = torch_or_skip()
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    mine = getattr(torchlike.nn, name)(*args, **kwargs).double()
    copy_weights(mine, theirs)
    return mine, theirs


def check_layer(name, args, kwargs, inputs):
    """The layer ``nn.<name>(*args, **kwargs)`` against PyTorch's, with the same weights: outputs and gradients."""
    mine, theirs = pair(name, *args, **kwargs)
    run_both(mine, theirs, *inputs, rtol=1e-7, atol=1e-12)


def check_repr_and_state(name, args, kwargs):
    """The same layer prints as PyTorch's and has the same state_dict keys and shapes."""
    torch = torch_or_skip()
    mine, theirs = getattr(torchlike.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(mine) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]


#: the recurrent layers' shapes the comparisons run: (num_layers, bidirectional, batch_first, bias)
RNN_LAYOUTS = [(1, False, False, True), (2, False, True, True), (1, True, False, False), (2, True, True, True)]
