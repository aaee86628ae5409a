"""max_pool2d's values and indices against PyTorch where the op table's tie-free inputs do not go: ties (the first
maximum in row-major order wins), -inf values beside padding, NaN, kernels of more than 127 taps; and its gradient
op's output layout."""
import numpy as np
import pytest

import minidl.eager as md
from minidl.ops import pooling as P

torch = pytest.importorskip("torch")

WINDOWS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0), dilation=(2, 1)),
]


def _both(x, **window):
    """(values, indices) from minidl and from PyTorch."""
    ours = P.max_pool2d(md.tensor(x), return_indices=True, **window)
    theirs = torch.nn.functional.max_pool2d(torch.from_numpy(x), return_indices=True, **window)
    return [t.numpy() for t in ours], [t.numpy() for t in theirs]


@pytest.mark.parametrize("window", WINDOWS, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_ties_go_to_the_first_maximum_in_row_major_order(window, dtype):
    x = np.random.default_rng(0).integers(0, 3, (2, 3, 7, 8)).astype(dtype)  # three values: ties everywhere
    (values, indices), (expected_values, expected_indices) = _both(x, **window)
    np.testing.assert_array_equal(values, expected_values)
    np.testing.assert_array_equal(indices, expected_indices)


def test_a_window_of_minus_inf_points_at_its_first_real_pixel():
    """Padding never wins, not even against -inf: the index is the window's first pixel inside the input."""
    x = np.array([[[[-np.inf, 1.0, -np.inf, -np.inf], [-np.inf, 2.0, -np.inf, -np.inf]]]], dtype=np.float32)
    for window in (dict(kernel_size=(1, 3), stride=1, padding=(0, 1)), dict(kernel_size=3, stride=1, padding=1)):
        (values, indices), (expected_values, expected_indices) = _both(x, **window)
        np.testing.assert_array_equal(values, expected_values)
        np.testing.assert_array_equal(indices, expected_indices)


def test_nan_propagates_to_the_value():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    x[0, 0, 1, 0] = np.nan
    values, _ = P.max_pool2d(md.tensor(x), 2, return_indices=True)
    assert np.isnan(values.numpy()[0, 0, 0, 0]) and not np.isnan(values.numpy()[0, 0, 1:, 1:]).any()


def test_kernels_of_more_than_127_taps_along_an_axis():
    x = np.random.default_rng(1).integers(0, 50, (2, 3, 300)).astype(np.float32)
    ours = P.max_pool1d(md.tensor(x), 200, 50, return_indices=True)
    theirs = torch.nn.functional.max_pool1d(torch.from_numpy(x), 200, 50, return_indices=True)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_gradient_is_a_fresh_contiguous_array():
    """The gradient flows on into relu's backward and the convolution's: a strided view would slow them down."""
    x = md.tensor(np.random.default_rng(2).standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    P.max_pool2d(x, 2).sum().backward()
    grad = x.grad.numpy()
    assert grad.flags.c_contiguous and grad.sum() == 2 * 3 * 3 * 3
