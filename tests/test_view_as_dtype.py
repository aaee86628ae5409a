"""``Tensor.view(dtype)``: the same bytes read as another dtype, sharing memory, with PyTorch's shape rule and
errors. Checked against numpy's own reinterpretation (and against PyTorch where installed)."""
import numpy as np
import pytest

import minidl.eager as torchlike

try:
    import torch
except ImportError:
    torch = None

CASES = [  # (values, source dtype, target dtype)
    ([1.0, 2.0], "float32", "int32"),
    ([1.0, -2.0], "float32", "float16"),
    ([1.0, -2.0], "float32", "uint8"),
    ([[1.0, 2.0, 3.0, 4.0]] * 2, "float32", "float64"),
    ([1.0, 2.0], "float32", "complex64"),
    ([True, False], "bool", "uint8"),
    ([3, -1], "int64", "float64"),
    (5.0, "float32", "int32"),
]


@pytest.mark.parametrize("values, source, target", CASES)
def test_view_reads_the_same_bytes_and_shares_memory(device, values, source, target):
    x = torchlike.tensor(np.array(values, dtype=source), device=device)
    y = x.view(getattr(torchlike, target))
    expected = np.array(values, dtype=source).view(target)
    assert y.dtype == getattr(torchlike, target) and tuple(y.shape) == expected.shape
    np.testing.assert_array_equal(y.cpu().numpy(), expected)
    before = x._version
    y.zero_()  # a write through the view is a write into x: all its bytes are 0 now
    assert x._version == before + 1
    np.testing.assert_array_equal(x.cpu().numpy(), np.zeros_like(np.array(values, dtype=source)))


def test_the_view_has_no_gradient_history():
    x = torchlike.tensor([1.0, 2.0], requires_grad=True)
    for dtype in (torchlike.float32, torchlike.int32, torchlike.float16):
        y = x.view(dtype)
        assert not y.requires_grad and y.grad_fn is None


@pytest.mark.parametrize("make, message", [
    (lambda t: t.zeros(3).view(t.float64), r"self.size\(-1\) must be divisible by 2 to view Float as Double"),
    (lambda t: t.zeros(2, 3)[:, :2].view(t.float64), r"self.stride\(0\) must be divisible by 2"),
    (lambda t: t.zeros(2, 4)[:, ::2].view(t.float16), r"self.stride\(-1\) must be 1 to view Float as Half"),
    (lambda t: t.zeros(5)[1:].view(t.float64), r"self.storage_offset\(\) must be divisible by 2"),
    (lambda t: t.zeros(()).view(t.float16), r"self.dim\(\) cannot be 0 to view Float as Half"),
])
def test_views_that_cannot_be_made_are_refused_as_pytorch_refuses_them(make, message):
    with pytest.raises(RuntimeError, match=message):
        make(torchlike)
    if torch is not None:
        with pytest.raises(RuntimeError, match=message):
            make(torch)


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
@pytest.mark.parametrize("values, source, target", CASES)
def test_the_same_as_pytorch(values, source, target):
    ours = torchlike.tensor(np.array(values, dtype=source)).view(getattr(torchlike, target))
    theirs = torch.tensor(np.array(values, dtype=source)).view(getattr(torch, target))
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
