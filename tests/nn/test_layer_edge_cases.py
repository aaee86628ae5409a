"""Edge inputs where a layer's answer is easy to get subtly wrong, against PyTorch (same weights, float64):
hinge losses exactly at the hinge, NaN through ``threshold``, circular padding that crops one side, transposed
convolutions whose ``output_padding`` reaches the stride, attention over an empty batch."""
import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager.nn import functional as F
from tests.nn.torch_compare import check_layer, torch_or_skip


def _both(fn, *arrays):
    """``fn(lib, *tensors)`` in minidl and PyTorch; the outputs and the inputs' gradients of ``output.sum()``."""
    torch = torch_or_skip()
    results = []
    for lib in (torchlike, torch):
        tensors = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        out = fn(lib, *tensors)
        if out.requires_grad:
            out.sum().backward()
        results.append((out.detach().numpy(), [t.grad.numpy() if t.grad is not None else None for t in tensors]))
    (ours, our_grads), (theirs, their_grads) = results
    assert ours.dtype == theirs.dtype
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)
    for o, t in zip(our_grads, their_grads):
        assert (o is None) == (t is None)
        if o is not None:
            numpy.testing.assert_allclose(o, t, rtol=1e-12, atol=1e-15)
    return ours, our_grads


def test_hinge_terms_exactly_at_zero_pass_no_gradient():
    scores = numpy.array([[1.0, 0.0, 1.0, 0.0]])
    _, (grad, _) = _both(lambda L, x, y: L.nn.functional.multilabel_margin_loss(x, y), scores,
                         numpy.array([[0, 2, -1, 1]]))
    assert not grad.any()  # the loss is 0 and so is every gradient, as in PyTorch
    _, (grad, _) = _both(lambda L, x, y: L.nn.functional.multi_margin_loss(x, y), numpy.array([[1.0, 0.0, 2.0]]),
                         numpy.array([0]))
    numpy.testing.assert_allclose(grad, [[-1 / 3, 0.0, 1 / 3]])


def test_threshold_keeps_nan_and_the_integer_dtype():
    out, _ = _both(lambda L, x: L.nn.functional.threshold(x, 0.5, 2.0), numpy.array([numpy.nan, 0.2, 3.0]))
    assert numpy.isnan(out[0])
    out, _ = _both(lambda L, x: L.nn.functional.threshold(x, 1, 0.5), numpy.array([1, 2, 3]))
    numpy.testing.assert_array_equal(out, [0, 2, 3])


@pytest.mark.parametrize("pads", [(-1, 2), (2, -1), (-2, 1, 1, -1)])
def test_circular_padding_crops_first_then_wraps(pads):
    x = numpy.arange(20.0).reshape((1, 1, 4, 5) if len(pads) == 4 else (1, 4, 5))
    _both(lambda L, t: L.nn.functional.pad(t, pads, mode="circular") * L.arange(
        1.0, 1.0 + (5 + sum(pads[:2])), dtype=L.float64), x)  # weighted: each position's gradient differs


@pytest.mark.parametrize("dims, stride, dilation, output_padding, padding", [
    (1, 1, 2, 1, 0), (1, 1, 3, 2, 1), (1, 2, 3, 2, 0), (2, 1, 2, 1, 2), (2, (2, 1), (1, 3), (1, 2), 1)])
def test_transposed_convolution_output_padding_below_the_dilation(dims, stride, dilation, output_padding,
                                                                  padding):
    x = numpy.random.default_rng(0).standard_normal((2, 2) + (5,) * dims)
    check_layer(f"ConvTranspose{dims}d", (2, 3, 3), dict(stride=stride, dilation=dilation,
                                                         output_padding=output_padding, padding=padding), [x])


def test_attention_over_an_empty_batch():
    x = numpy.ones((0, 3, 8))
    check_layer("MultiheadAttention", (8, 2), dict(batch_first=True), [x, x, x])
    layer = torchlike.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    assert layer(torchlike.tensor(x, dtype=torchlike.float32)).shape == (0, 3, 8)


def test_bilinear_names_the_input_that_does_not_fit():
    with pytest.raises(RuntimeError, match=r"bilinear\(\): input2 size does not match weight size: got \[4\] "
                                           r"for weight \[4, 2, 3\], expected 3"):
        F.bilinear(torchlike.ones(5, 2), torchlike.ones(5, 4), torchlike.ones(4, 2, 3))


def test_max_pool_points_at_the_nan_it_returns():
    nan = numpy.nan
    _both(lambda L, x: L.nn.functional.max_pool1d(x, 2), numpy.array([[[1.0, nan, nan, 2.0, 3.0, 3.0]]]))
    _both(lambda L, x: L.nn.functional.max_pool2d(x, 2), numpy.array([[[[1.0, 2.0], [nan, 0.5]]]]))
    _, indices = F.max_pool1d(torchlike.tensor([[[1.0, nan, nan, 2.0]]]), 2, return_indices=True)
    assert indices.tolist() == [[[1, 2]]]


def test_with_indices_spellings_always_return_both():
    x = numpy.random.default_rng(0).standard_normal((1, 2, 5, 6))
    for name, args in (("max_pool2d_with_indices", (2, 1, 0, 1, False, False)),
                       ("adaptive_max_pool2d_with_indices", ((2, 3),)), ("max_pool1d_with_indices", (3,))):
        _both(lambda L, t: getattr(L.nn.functional, name)(t if "1d" not in name else t[0], *args)[0], x)
        values, indices = getattr(F, name)(torchlike.tensor(x if "1d" not in name else x[0]), *args)
        assert indices.dtype == torchlike.int64


def test_a_half_precision_linear_rounds_once_as_pytorch():
    """PyTorch adds the bias to the products before rounding to float16; two roundings would miss by an ulp."""
    layer = torchlike.nn.Linear(3, 2).half()
    with torchlike.no_grad():
        layer.weight.copy_(torchlike.tensor([[0.1, 0.2, 0.3], [0.7, -0.45, 0.1]]))
        layer.bias.copy_(torchlike.tensor([-0.3, -0.11]))
    out = layer(torchlike.ones(1, 3, dtype=torchlike.float16))
    weight, bias = (p.detach().numpy().astype(numpy.float32) for p in (layer.weight, layer.bias))
    once = (weight.sum(1) + bias).astype(numpy.float16)   # each row of ones picks the sum of a weight row
    assert out.dtype == torchlike.float16 and out.detach().numpy()[0].tolist() == once.tolist()
