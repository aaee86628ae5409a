"""``F.fractional_max_pool2d/3d`` and ``nn.FractionalMaxPool2d/3d``: given the same ``_random_samples`` the values,
indices and gradients are PyTorch's; without them the windows are drawn from the default generator."""
import numpy as np
import pytest

import minidl.eager as torchlike
import minidl.eager.nn.functional as F
from minidl.ops.base import OpError

torch = pytest.importorskip("torch")

rng = np.random.default_rng(3)


def _both(fn, x, samples):
    """``fn(lib, x, samples)`` and the gradient of a weighted sum of its values, on both libraries."""
    results = []
    for lib in (torchlike, torch):
        xt = lib.tensor(x, requires_grad=True)
        out = fn(lib, xt, None if samples is None else lib.tensor(samples))
        values = out[0] if isinstance(out, tuple) else out
        (values * lib.tensor(np.arange(values.numel(), dtype=x.dtype).reshape(tuple(values.shape)))).sum().backward()
        results.append([t.detach().numpy() for t in (out if isinstance(out, tuple) else (out,))] + [xt.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)
    return results[0]


@pytest.mark.parametrize("dims, shape, call", [
    (2, (2, 3, 10, 9), dict(kernel_size=2, output_ratio=(0.5, 0.5))),  # (torch 2d F wants a pair here)
    (2, (2, 3, 10, 9), dict(kernel_size=(3, 2), output_ratio=(0.6, 0.7), return_indices=True)),
    (2, (3, 7, 11), dict(kernel_size=2, output_size=5, return_indices=True)),  # unbatched
    (2, (1, 1, 25, 25), dict(kernel_size=2, output_size=(18, 17))),  # overlapping windows: gradients add up
    (3, (2, 2, 6, 7, 5), dict(kernel_size=2, output_size=(3, 4, 3), return_indices=True)),
    (3, (2, 6, 7, 5), dict(kernel_size=(1, 2, 2), output_ratio=0.5)),  # unbatched
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_given_samples_the_pooling_is_pytorchs(dims, shape, call, dtype):
    x = rng.standard_normal(shape).astype(dtype)
    samples = rng.random(((shape[0] if len(shape) == dims + 2 else 1), shape[-dims - 1], dims)).astype(dtype)
    _both(lambda lib, t, s: getattr(lib.nn.functional, f"fractional_max_pool{dims}d")(t, _random_samples=s, **call),
          x, samples)
    _both(lambda lib, t, s: getattr(lib.nn, f"FractionalMaxPool{dims}d")(_random_samples=s, **call)(t), x, samples)


def test_with_indices_forms_and_nan():
    x = rng.standard_normal((1, 2, 6, 6)).astype(np.float32)
    x[0, 0, 2, 3] = np.nan
    samples = rng.random((1, 2, 2)).astype(np.float32)
    values, indices = _both(lambda lib, t, s: lib.nn.functional.fractional_max_pool2d_with_indices(
        t, 3, output_size=3, _random_samples=s), x, samples)[:2]
    assert np.isnan(values[0, 0]).any() and indices[0, 0][np.isnan(values[0, 0])].tolist() == [15] * int(
        np.isnan(values[0, 0]).sum())
    _both(lambda lib, t, s: lib.nn.functional.fractional_max_pool3d_with_indices(
        t, 2, output_ratio=0.5, _random_samples=s), rng.standard_normal((1, 1, 4, 4, 4)), rng.random((1, 1, 3)))


def test_without_samples_the_windows_come_from_the_default_generator():
    x = torchlike.tensor(rng.standard_normal((2, 3, 12, 12)))
    layer = torchlike.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 0.75), return_indices=True)
    torchlike.manual_seed(5)
    first, where = layer(x)
    torchlike.manual_seed(5)
    again, _ = layer(x)
    assert tuple(first.shape) == (2, 3, 6, 9)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    # every value is the input's at its index, and is the max of a 2x2 window there
    planes = x.numpy().reshape(6, -1)
    np.testing.assert_array_equal(np.take_along_axis(planes, where.numpy().reshape(6, -1), 1),
                                  first.numpy().reshape(6, -1))
    draws = {tuple(layer(x)[1].numpy().ravel()) for _ in range(5)}
    assert len(draws) > 1  # fresh windows on each call


def test_bad_arguments_are_named():
    x = torchlike.ones(1, 1, 5, 5)
    with pytest.raises(ValueError, match="fractional_max_pool2d requires specifying either an output_size or an "
                                         "output_ratio"):
        F.fractional_max_pool2d(x, 2)
    with pytest.raises(ValueError, match="FractionalMaxPool2d requires specifying either an output size"):
        torchlike.nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError, match="only one of output_size and output_ratio may be specified"):
        torchlike.nn.FractionalMaxPool3d(2, output_size=2, output_ratio=0.5)
    with pytest.raises(ValueError, match=r"output_ratio must be between 0 and 1 \(got 1.5\)"):
        torchlike.nn.FractionalMaxPool2d(2, output_ratio=1.5)
    with pytest.raises(OpError, match="fractional_max_pool2d: pool height 3 too large relative to input height 5"):
        F.fractional_max_pool2d(x, 3, output_size=4)
    with pytest.raises(OpError, match=r"fractional_max_pool2d: expected _random_samples of shape \[1, 1, 2\]"):
        F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=torchlike.rand(1, 1, 3))
    with pytest.raises(OpError, match="fractional_max_pool3d: expected a 4-D .unbatched. or 5-D"):
        F.fractional_max_pool3d(x[0, 0], 2, output_size=2)
    with pytest.raises(OpError, match="fractional_max_pool2d: expected a floating point input"):
        F.fractional_max_pool2d(torchlike.ones(1, 1, 5, 5, dtype=torchlike.int64), 2, output_size=3,
                                _random_samples=torchlike.ones(1, 1, 2, dtype=torchlike.int64))
