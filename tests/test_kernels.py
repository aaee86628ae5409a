"""The fused update kernels (minidl/backend/kernels.py) against the unfused code they replace, on every device:
bit for bit on the CPU (the numpy twins compute in the same order), to the last place or so on a GPU (its kernels
may fuse a multiply and an add into one rounding)."""
import math

import numpy as np
import pytest

import minidl.eager as T
from minidl.backend import array_module_on, host_array, kernels
from minidl.eager.optim import algorithms
from minidl.ops.activations import relu_grad
from minidl.ops.im2col import col2im, conv_out_size, im2col, running_pool_out_sizes
from minidl.ops.max_pooling import _max_pool


def _assert_same(ours, expected, device, dtype):
    if device == "cpu":
        np.testing.assert_array_equal(ours, expected)
    else:
        # (a fused multiply-add rounds once: a last-place difference, which a cancellation can make relative)
        tolerance = dict(rtol=1e-6, atol=1e-7) if dtype == T.float32 else dict(rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(ours, expected, **tolerance)


@pytest.mark.parametrize("negative_slope", [0.0, 0.01])
def test_relu_backward_selects_like_pytorch(negative_slope, device):
    """NaN in s passes g (relu) or scales it (leaky_relu); s = ±0 blocks it; an infinite g is blocked, not NaN."""
    g = T.tensor([1.5, -2.0, math.inf, 3.0, 4.0, -math.inf, 7.0], device=device)
    s = T.tensor([1.0, 0.0, -1.0, math.nan, -0.0, 2.0, -3.0], device=device)
    out = relu_grad(g, s, negative_slope).cpu().numpy()
    if negative_slope:
        expected = np.where(s.cpu().numpy() > 0, g.cpu().numpy(), g.cpu().numpy() * np.float32(negative_slope))
    else:
        expected = np.array([1.5, 0.0, 0.0, 3.0, 0.0, -math.inf, 0.0], np.float32)
    np.testing.assert_array_equal(out, expected)
    if not negative_slope:
        assert not np.signbit(out[[1, 2, 4, 6]]).any()  # +0.0, as PyTorch's


def _train(make_optimizer, device, dtype, fused, monkeypatch):
    """Three steps of an optimizer on two parameters, fused or with the unfused tensor operations."""
    if not fused:
        monkeypatch.setattr(algorithms, "fused_update_arrays", lambda tensors, numbers: None)
    rng = np.random.default_rng(3)
    params = [T.tensor(rng.standard_normal(shape), dtype=dtype, device=device, requires_grad=True)
              for shape in [(4, 5), (5,)]]
    optimizer = make_optimizer(params)
    for step in range(3):
        for p in params:
            p.grad = T.tensor(rng.standard_normal(p.shape), dtype=dtype, device=device)
        optimizer.step()
    monkeypatch.undo()
    return [p.detach().cpu().numpy() for p in params], optimizer


@pytest.mark.parametrize("dtype", [T.float32, T.float64], ids=str)
@pytest.mark.parametrize("make_optimizer", [
    lambda ps: T.optim.Adam(ps, lr=0.01),
    lambda ps: T.optim.Adam(ps, lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1),
    lambda ps: T.optim.AdamW(ps, lr=0.01),
    lambda ps: T.optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: T.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01),
    lambda ps: T.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    lambda ps: T.optim.SGD(ps, lr=0.1),
    lambda ps: T.optim.SGD(ps, lr=0.1, weight_decay=0.01, maximize=True),
], ids=["adam", "adam-options", "adamw", "sgd-momentum", "sgd-dampening", "sgd-nesterov", "sgd", "sgd-options"])
def test_fused_updates_match_the_tensor_operations(make_optimizer, dtype, device, monkeypatch):
    fused, fused_optimizer = _train(make_optimizer, device, dtype, True, monkeypatch)
    unfused, unfused_optimizer = _train(make_optimizer, device, dtype, False, monkeypatch)
    for ours, expected in zip(fused, unfused):
        _assert_same(ours, expected, device, dtype)
    for p_fused, p_unfused in zip(fused_optimizer.param_groups[0]["params"],
                                  unfused_optimizer.param_groups[0]["params"]):
        for key, value in fused_optimizer.state[p_fused].items():
            if key != "step":
                _assert_same(value.cpu().numpy(), unfused_optimizer.state[p_unfused][key].cpu().numpy(), device,
                             dtype)


def test_a_fused_update_bumps_the_version_like_an_in_place_op(device):
    p = T.ones(3, device=device, requires_grad=True)
    product = p * p  # saves p: a backward after p changed in place must refuse
    optimizer = T.optim.Adam([p])
    p.grad = T.ones(3, device=device)
    before = p._version
    optimizer.step()
    assert p._version == before + 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        product.sum().backward()


def test_other_dtypes_keep_the_tensor_operations():
    p = T.ones(3, dtype=T.float16)
    assert algorithms.fused_update_arrays((p, T.ones(3, dtype=T.float16)), (0.1,)) is None
    assert algorithms.fused_update_arrays((T.ones(3), T.ones(3, dtype=T.float64)), (0.1,)) is None
    assert algorithms.fused_update_arrays((T.ones(3), T.ones(3)), (T.tensor(0.1),)) is None
    xp, arrays = algorithms.fused_update_arrays((T.ones(3), T.ones(3)), (0.1,))
    assert xp is np and len(arrays) == 2


def _col2im_by_loops(cols, input_shape, kernel, stride, padding, dilation):
    """The adjoint of im2col one column entry at a time: the definition, in the taps' order."""
    n, c, h, w = input_shape
    (kh, kw), (sh, sw), (dh, dw), ((top, bottom), (left, right)) = kernel, stride, dilation, padding
    oh, ow = (conv_out_size(h, kh, sh, top + bottom, dh), conv_out_size(w, kw, sw, left + right, dw))
    padded = np.zeros((n, c, h + top + bottom, w + left + right), cols.dtype)
    blocks = cols.reshape(n, c, kh, kw, oh, ow)
    for p in range(kh):
        for q in range(kw):
            for i in range(oh):
                for j in range(ow):
                    padded[:, :, i * sh + p * dh, j * sw + q * dw] += blocks[:, :, p, q, i, j]
    return padded[:, :, top:top + h, left:left + w]


GEOMETRIES = [  # kernel, stride, padding ((top, bottom), (left, right)), dilation
    ((3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1)),
    ((3, 2), (2, 1), ((0, 2), (1, 0)), (1, 2)),
    ((2, 2), (2, 2), ((0, 0), (0, 0)), (1, 1)),
    ((1, 3), (3, 2), ((1, 0), (0, 1)), (1, 1)),
]


@pytest.mark.parametrize("kernel, stride, padding, dilation", GEOMETRIES)
def test_col2im_adds_every_tap_back_onto_its_pixel(kernel, stride, padding, dilation, device):
    """On a GPU col2im is one kernel (a thread per pixel); on the CPU its numpy twin: both are the definition, to
    the bit (each pixel sums its taps in the same order)."""
    shape = (2, 3, 7, 6)
    oh = conv_out_size(shape[2], kernel[0], stride[0], sum(padding[0]), dilation[0])
    ow = conv_out_size(shape[3], kernel[1], stride[1], sum(padding[1]), dilation[1])
    cols = np.random.default_rng(1).standard_normal((2, 3 * kernel[0] * kernel[1], oh * ow)).astype(np.float32)
    xp = array_module_on(T.device(device))[0]
    ours = host_array(col2im(xp, xp.asarray(cols), shape, kernel, stride, padding, dilation))
    np.testing.assert_array_equal(ours, _col2im_by_loops(cols, shape, kernel, stride, padding, dilation))


@pytest.mark.parametrize("kernel, stride, padding, dilation", GEOMETRIES)
def test_im2col_copies_every_window_into_a_column(kernel, stride, padding, dilation, device):
    """On a GPU one kernel reading straight from the image (the padding included), on the CPU a strided view's
    copy: both are the definition exactly."""
    x = np.random.default_rng(2).standard_normal((2, 3, 7, 6)).astype(np.float32)
    (kh, kw), (sh, sw), (dh, dw), ((top, bottom), (left, right)) = kernel, stride, dilation, padding
    oh, ow = conv_out_size(7, kh, sh, top + bottom, dh), conv_out_size(6, kw, sw, left + right, dw)
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    expected = np.empty((2, 3, kh, kw, oh, ow), np.float32)
    for p in range(kh):
        for q in range(kw):
            for i in range(oh):
                for j in range(ow):
                    expected[:, :, p, q, i, j] = padded[:, :, i * sh + p * dh, j * sw + q * dw]
    xp = array_module_on(T.device(device))[0]
    ours = host_array(im2col(xp, xp.asarray(x), kernel, stride, padding, dilation))
    np.testing.assert_array_equal(ours, expected.reshape(2, 3 * kh * kw, oh * ow))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=str)
@pytest.mark.parametrize("backward, derivative", [(kernels.tanh_backward, lambda y: 1 - y * y),
                                                  (kernels.sigmoid_backward, lambda y: y * (1 - y))],
                         ids=["tanh", "sigmoid"])
def test_tanh_and_sigmoid_backward(backward, derivative, dtype, device):
    rng = np.random.default_rng(4)
    g, y = rng.standard_normal(50).astype(dtype), rng.uniform(-1, 1, 50).astype(dtype)
    xp = array_module_on(T.device(device))[0]
    ours = backward(xp, xp.asarray(g), xp.asarray(y))
    assert ours.dtype == dtype
    exact = g.astype(np.float64) * derivative(y.astype(np.float64))
    np.testing.assert_allclose(host_array(ours), exact, rtol=2e-6 if dtype == np.float32 else 1e-14, atol=1e-7)


@pytest.mark.parametrize("classes", [5, kernels.MAX_KERNEL_CLASSES + 6], ids=["short-rows", "long-rows"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_cross_entropy_of_class_indices_and_its_gradient(reduction, classes, device):
    """The everyday cross-entropy — a GPU's one kernel per row for short rows, the array code otherwise — against
    the formulas in float64: loss = log sum exp(x - max) - (x_y - max), dx = g (softmax(x) - onehot(y))."""
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((6, classes)) * 3).astype(np.float32)
    x[0, 2] = 1000.0  # must not overflow
    target = np.array([2, 0, classes - 1, 1, 1, 3])
    logits = T.tensor(x, device=device, requires_grad=True)
    loss = T.nn.functional.cross_entropy(logits, T.tensor(target, device=device), reduction=reduction)
    shifted = x.astype(np.float64) - x.max(axis=1, keepdims=True)
    per_row = np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(6), target]
    expected = {"none": per_row, "mean": per_row.mean(), "sum": per_row.sum()}[reduction]
    np.testing.assert_allclose(loss.detach().cpu().numpy(), expected, rtol=2e-6, atol=1e-6)
    g = rng.standard_normal(6) if reduction == "none" else np.float64(1.5)
    loss.backward(T.tensor(g, dtype=T.float32, device=device))
    softmax = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    row_g = np.broadcast_to(g / 6 if reduction == "mean" else g, (6,))[:, None]
    np.testing.assert_allclose(logits.grad.cpu().numpy(), row_g * (softmax - np.eye(classes)[target]), rtol=2e-5,
                               atol=1e-7)


def test_cross_entropy_of_rows_with_nan_and_inf_as_in_pytorch(device):
    """A NaN logit, a +inf one or -inf only make the row's loss NaN (PyTorch's log_softmax is NaN there); a -inf
    logit at the target makes it inf — on every device."""
    inf = np.inf
    x = np.array([[1, np.nan, 0], [inf, 0, 1], [inf, 0, 1], [-inf, -inf, -inf], [-inf, 0, 2], [-inf, 0, 2]],
                 np.float32)
    target = np.array([0, 1, 0, 1, 2, 0])
    loss = T.nn.functional.cross_entropy(T.tensor(x, device=device), T.tensor(target, device=device),
                                         reduction="none").cpu().numpy()
    assert np.isnan(loss[:4]).all() and loss[5] == inf
    np.testing.assert_allclose(loss[4], np.log(1 + np.exp(-2.0)), rtol=1e-6)


def _max_pool_by_loops(x, kernel, stride, padding, dilation, outs):
    """Each window's taps in row-major order: the first real tap, then any strictly larger one or a NaN."""
    n, c, h, w = x.shape
    values = np.full((n, c) + outs, -np.inf, x.dtype)
    indices = np.full((n, c) + outs, -1)
    for b, ch, i, j in np.ndindex(n, c, *outs):
        for p in range(kernel[0]):
            for q in range(kernel[1]):
                row, col = i * stride[0] - padding[0] + p * dilation[0], j * stride[1] - padding[1] + q * dilation[1]
                if 0 <= row < h and 0 <= col < w:
                    value = x[b, ch, row, col]
                    if indices[b, ch, i, j] < 0 or value > values[b, ch, i, j] or np.isnan(value):
                        values[b, ch, i, j], indices[b, ch, i, j] = value, row * w + col
    return values, indices


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", [
    ((2, 2), (2, 2), (0, 0), (1, 1), False),
    ((3, 3), (1, 2), (1, 1), (1, 1), True),
    ((2, 3), (2, 1), (1, 0), (2, 1), False),
    ((3, 2), (3, 3), (1, 1), (3, 1), True),  # dilation: windows over padding only
])
def test_max_pool_picks_the_first_maximum_and_propagates_nan(kernel, stride, padding, dilation, ceil_mode, device):
    """On a GPU a window per thread, on the CPU separable passes: both the definition, exactly."""
    x = np.random.default_rng(6).integers(0, 4, (2, 2, 7, 8)).astype(np.float32)  # many ties
    x[0, 0, 2, 3] = np.nan
    xp = array_module_on(T.device(device))[0]
    values, indices = _max_pool(xp, xp.asarray(x), kernel, stride, padding, dilation, ceil_mode)
    outs = running_pool_out_sizes(x.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    expected_values, expected_indices = _max_pool_by_loops(x, kernel, stride, padding, dilation, outs)
    np.testing.assert_array_equal(host_array(values), expected_values)
    np.testing.assert_array_equal(host_array(indices), expected_indices)
    assert indices.dtype == np.int64
