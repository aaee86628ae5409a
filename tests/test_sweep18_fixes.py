"""Tensor behaviours a differential sweep against PyTorch found different (session 18): results that must be
new memory, float16 and float32 accumulations, NaN signs, and numbers a tensor's dtype cannot hold."""
import numpy as np
import pytest

import minidl.eager as T
import minidl.eager.nn.functional as F


@pytest.mark.parametrize("make", [
    lambda x: x.flip(0), lambda x: x.fliplr(), lambda x: x.flipud(), lambda x: T.rot90(x, 1),
    lambda x: T.rot90(x, 0), lambda x: T.rot90(x, 4), lambda x: T.diag(x), lambda x: T.diff(x, n=0),
], ids=["flip", "fliplr", "flipud", "rot90", "rot90_zero", "rot90_four", "diag_of_matrix", "diff_zero"])
def test_results_that_pytorch_copies_do_not_share_the_inputs_memory(make, device):
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
    y = make(x)
    before = x.tolist()
    y.add_(100)  # a view would carry this into x
    assert x.tolist() == before
    x.mul_(-1)  # ... and this into y
    assert (y.cpu().numpy() >= 100).all()


def test_float16_moments_and_norms_accumulate_in_float32():
    x = T.arange(100, dtype=T.float16)
    wide = np.arange(100, dtype=np.float64)
    # in float16 the sums of squares (328 350) overflow to inf, and the normalized vector becomes 0
    assert float(x.var()) == pytest.approx(wide.var(ddof=1), rel=1e-3)
    assert float(x.std(unbiased=False)) == pytest.approx(wide.std(), rel=1e-3)
    assert float(x.norm()) == pytest.approx(np.linalg.norm(wide), rel=1e-3)
    assert float(T.linalg.vector_norm(x, 3)) == pytest.approx(np.sum(wide ** 3) ** (1 / 3), rel=1e-3)
    assert float(F.normalize(x, dim=0)[-1]) == pytest.approx(99 / np.linalg.norm(wide), rel=1e-3)
    assert float(T.cosine_similarity(x, x, dim=0)) == pytest.approx(1.0, rel=1e-3)
    assert x.var().dtype is T.float16 and x.norm().dtype is T.float16


def test_float32_cumsum_runs_its_sum_in_float64_on_the_cpu():
    running = T.cumsum(T.full((100000,), 0.1), 0)
    assert running.dtype is T.float32
    assert float(running[-1]) == np.float32(100000 * np.float32(0.1))  # a float32 running sum drifts to 9998.6
    reverse = T.full((100000,), 0.1).flip(0).cumsum(0).flip(0)
    assert float(reverse[0]) == float(running[-1])
    torch = pytest.importorskip("torch")
    assert float(running[-1]) == float(torch.cumsum(torch.full((100000,), 0.1), 0)[-1])


def test_the_sign_of_nan_is_zero_and_so_is_abs_slope_there_and_angle_of_negative_zero_is_zero():
    values = [float("nan"), -0.0, 2.0, -3.0, float("inf")]
    assert T.sign(T.tensor(values)).tolist() == [0.0, 0.0, 1.0, -1.0, 1.0]
    x = T.tensor([float("nan"), -2.0], requires_grad=True)
    x.abs().sum().backward()
    assert x.grad.tolist() == [0.0, -1.0]
    angles = T.angle(T.tensor([-0.0, float("nan"), -1.0, 0.0]))
    assert angles[0].item() == 0.0 and np.isnan(angles[1].item()) and angles[2].item() == pytest.approx(np.pi)
    torch = pytest.importorskip("torch")
    assert torch.sign(torch.tensor(values)).tolist() == [0.0, 0.0, 1.0, -1.0, 1.0]


@pytest.mark.parametrize("write", [
    lambda: T.clamp(T.tensor([1, -5, 7], dtype=T.int8), min=-1000, max=1000),
    lambda: T.tensor([1, 250], dtype=T.uint8).clamp(min=300),
    lambda: T.tensor([1, 2], dtype=T.int8).masked_fill(T.tensor([True, False]), 300),
    lambda: T.where(T.tensor([True, False]), T.tensor([1, 2], dtype=T.int8), 300),
    lambda: T.zeros(2, dtype=T.int8).fill_(300),
    lambda: T.zeros(2, dtype=T.float16).fill_(1e6),
    lambda: T.zeros(2).fill_(1j),
    lambda: T.zeros(3, dtype=T.uint8).__setitem__(0, 300),
    lambda: T.zeros(2).__setitem__(0, 1 + 2j),
    lambda: T.zeros(3, dtype=T.uint8).index_fill_(0, T.tensor([0]), 300),
    lambda: T.zeros(2, dtype=T.int32).fill_(float("nan")),
], ids=["clamp_int8", "clamp_uint8", "masked_fill", "where", "fill_int8", "fill_float16", "fill_complex",
        "setitem_uint8", "setitem_complex", "index_fill", "fill_nan_into_int"])
def test_a_number_the_tensor_cannot_hold_is_refused_not_wrapped(write):
    with pytest.raises(RuntimeError, match="cannot be converted to type .* without overflow"):
        write()


def test_numbers_that_fit_or_wrap_as_in_pytorch_are_written():
    assert T.zeros(2, dtype=T.uint8).fill_(-1).tolist() == [255, 255]  # PyTorch's allowance for unsigned types
    assert T.clamp(T.tensor([1, -5, 7], dtype=T.int8), min=-100, max=100).tolist() == [1, -5, 7]
    assert T.clamp(T.tensor([1, -5, 7], dtype=T.int8), min=2.5).tolist() == [2.5, 2.5, 7.0]  # float result
    assert T.where(T.tensor([True, False]), 1.5, float("nan")).tolist()[0] == 1.5
    assert T.zeros(2, dtype=T.float16).fill_(float("-inf")).tolist() == [float("-inf")] * 2
    assert (T.tensor([1, -5, 7], dtype=T.int8) + 1000).tolist() == [-23, -29, -17]  # arithmetic wraps, as there
