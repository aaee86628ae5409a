"""The GPU kernels' logic, on the CPU: each kernel body of ``minidl/backend/kernels.py`` compiled as C++ and run
against its numpy twin (``tests/kernel_sources.py``). Skipped where no g++ is installed; on a GPU,
``tests/test_kernels.py`` runs the kernels themselves."""
import math
import shutil

import numpy as np
import pytest

import minidl.eager as T
from minidl.backend import kernels
from minidl.ops.im2col import col2im, im2col, out_sizes, running_pool_out_sizes
from minidl.ops.max_pooling import _max_pool
from tests.kernel_sources import run_kernel
from tests.test_kernels import GEOMETRIES

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++ to compile the kernels' bodies")
rng = np.random.default_rng(0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=str)
def test_cross_entropy_rows_and_their_gradient(dtype):
    x = (rng.standard_normal((6, 5)) * 3).astype(dtype)
    x[0, 2], x[5, 1], x[4, 0] = 1000.0, np.nan, np.inf
    target = np.array([2, 0, 4, 1, 1, 3])
    loss = run_kernel("softmax_cross_entropy_rows", 6, [target, x, 5, np.zeros(6, dtype)], dtype)["loss"]
    expected = T.nn.functional.cross_entropy(T.tensor(x), T.tensor(target), reduction="none").numpy()
    np.testing.assert_allclose(loss, expected, rtol=1e-6, equal_nan=True)
    for g in (np.array([0.7], dtype), rng.standard_normal(6).astype(dtype)):  # one g for all rows, or one each
        dx = run_kernel("softmax_cross_entropy_rows_grad", 6, [target, x, g, 5, int(g.size > 1), np.zeros(30, dtype)],
                        dtype)["dx"]
        logits = T.tensor(x, requires_grad=True)
        T.nn.functional.cross_entropy(logits, T.tensor(target), reduction="none").backward(
            T.tensor(np.broadcast_to(g, (6,)).copy()))
        np.testing.assert_allclose(dx.reshape(6, 5), logits.grad.numpy(), rtol=1e-5, atol=1e-7, equal_nan=True)


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation, ceil_mode", [
    ((2, 2, 7, 8), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((2, 2, 7, 8), (3, 3), (1, 2), (1, 1), (1, 1), True),
    ((2, 2, 7, 8), (2, 3), (2, 1), (1, 0), (2, 1), False),
    ((1, 2, 2, 3), (2, 2), (1, 1), (2, 2), (5, 5), False),  # windows over padding only
])
def test_max_pool(shape, kernel, stride, padding, dilation, ceil_mode):
    x = rng.integers(0, 4, shape).astype(np.float32)  # many ties
    x.reshape(-1)[5] = np.nan
    outs = running_pool_out_sizes(shape[2:], kernel, stride, padding, dilation, ceil_mode)
    size = shape[0] * shape[1] * math.prod(outs)
    got = run_kernel("max_pool_2d", size, [x, -np.inf, *shape[2:], *kernel, *stride, *padding, *dilation, *outs,
                                           np.zeros(size, np.float32), np.zeros(size, np.int64)])
    values, indices = _max_pool(np, x, kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(got["value"], values.reshape(-1))
    np.testing.assert_array_equal(got["index"], indices.reshape(-1))


@pytest.mark.parametrize("kernel, stride, padding, dilation", GEOMETRIES)
def test_im2col_and_col2im(kernel, stride, padding, dilation):
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
    geometry = kernels.geometry(x.shape, kernel, stride, padding, dilation,
                                out_sizes(x.shape[2:], kernel, stride, padding, dilation))
    cols = im2col(np, x, kernel, stride, padding, dilation)
    got = run_kernel("im2col_2d", cols.size, [x, *geometry, np.zeros(cols.size, np.float32)])["cols"]
    np.testing.assert_array_equal(got, cols.reshape(-1))
    cols = rng.standard_normal(cols.shape).astype(np.float32)
    got = run_kernel("col2im_2d", x.size, [cols, *geometry, np.zeros(x.size, np.float32)])["out"]
    np.testing.assert_array_equal(got, col2im(np, cols, x.shape, kernel, stride, padding, dilation).reshape(-1))


def test_backward_kernels_are_their_twins_exactly():
    g, y = rng.standard_normal(20).astype(np.float32), rng.uniform(-1, 1, 20).astype(np.float32)
    s = np.array([1, 0, -1, np.nan, -0.0] * 4, np.float32)
    for name, twin in [("tanh_backward", kernels.tanh_backward), ("sigmoid_backward", kernels.sigmoid_backward)]:
        np.testing.assert_array_equal(run_kernel(name, 20, [g, y, np.zeros(20, np.float32)])["out"], twin(np, g, y))
    np.testing.assert_array_equal(run_kernel("relu_backward", 20, [g, s, np.zeros(20, np.float32)])["y"],
                                  kernels.relu_backward(np, g, s))
    np.testing.assert_array_equal(run_kernel("leaky_relu_backward", 20, [g, s, 0.01, np.zeros(20, np.float32)])["y"],
                                  kernels.relu_backward(np, g, s, 0.01))


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_step(nesterov):
    p, g, buf = (rng.standard_normal(20).astype(np.float32) for _ in range(3))
    got = run_kernel("sgd_momentum_step", 20, [g, 0.9, 0.7, -0.1, nesterov, p.copy(), buf.copy()])
    kernels.sgd_momentum_step(np, p, g, buf, 0.1, 0.9, 0.3, nesterov)
    np.testing.assert_array_equal(got["p"], p)
    np.testing.assert_array_equal(got["buf"], buf)


def test_adam_step():
    p, g, m = (rng.standard_normal(20).astype(np.float32) for _ in range(3))
    v = rng.uniform(0, 1, 20).astype(np.float32)
    step, lr, beta1, beta2, eps = 3, 0.01, 0.9, 0.999, 1e-8
    f32 = np.float32
    got = run_kernel("adam_step", 20, [g, f32(1 - beta1), f32(beta2), f32(1 - beta2), f32(math.sqrt(1 - beta2 ** step)),
                                       f32(eps), f32(-lr / (1 - beta1 ** step)), p.copy(), m.copy(), v.copy()])
    kernels.adam_step(np, p, g, m, v, lr, beta1, beta2, eps, step)
    for name, expected in (("p", p), ("m", m), ("v", v)):
        np.testing.assert_array_equal(got[name], expected)
