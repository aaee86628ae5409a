"""The convolution's array routines (conv.py over im2col.py) beyond what the op table's tiny shapes reach: the batch
processed in several chunks (``batch_chunks``), and the stride-1 input gradient by shifts of the flattened image
(``col2im_by_shifts``) against plain ``col2im``."""
import numpy as np
import pytest

from minidl.ops import conv as C, im2col as I

NO_PADDING = ((0, 0), (0, 0))


class _FakeGpuModule:
    __name__ = "cupy"


def test_batch_chunks_fit_the_budget_in_equal_slices():
    budget = I.CPU_CHUNK_BYTES
    assert I.batch_chunks(np, 64, budget // 2 + 1) == [slice(i, i + 1) for i in range(64)]  # one image at a time
    assert I.batch_chunks(np, 64, budget // 43) == [slice(0, 32), slice(32, 64)]  # 43 fit: two halves, not 43 + 21
    assert I.batch_chunks(np, 5, 1) == [slice(0, 5)]
    assert I.batch_chunks(np, 3, 10 * budget) == [slice(0, 1), slice(1, 2), slice(2, 3)]  # too big: one each
    assert I.batch_chunks(np, 4, 0) == [slice(0, 4)]  # zero-sized images (no channels)
    assert I.batch_chunks(np, 0, 100) == []
    assert I.batch_chunks(_FakeGpuModule, 64, budget) == [slice(0, 64)]  # a GPU takes the whole batch


def _routines(x, w, g, geometry):
    """conv, its input gradient and its weight gradient, by the array routines."""
    kernel = w.shape[2:]
    return (C._conv(np, x, w, **geometry), C._conv_transpose(np, g, w, x.shape, **geometry),
            C._conv_weight_grad(np, g, x, kernel, **geometry))


@pytest.mark.parametrize("geometry", [
    dict(stride=(1, 1), padding=NO_PADDING, dilation=(1, 1), groups=1),
    dict(stride=(1, 1), padding=((1, 2), (0, 1)), dilation=(2, 1), groups=2),  # input gradient by shifts
    dict(stride=(2, 1), padding=((1, 1), (2, 0)), dilation=(1, 2), groups=2),  # input gradient by col2im
], ids=["plain", "stride1_padded_dilated_groups", "strided"])
def test_chunked_routines_equal_the_whole_batch(monkeypatch, geometry):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((7, 4, 9, 8))
    w = rng.standard_normal((6, 4 // geometry["groups"], 3, 2))
    y = C._conv(np, x, w, **geometry)
    g = rng.standard_normal(y.shape)
    monkeypatch.setattr(I, "CPU_CHUNK_BYTES", 1 << 40)
    assert len(I.batch_chunks(np, 7, x[0].nbytes * 9)) == 1
    whole = _routines(x, w, g, geometry)
    for budget in (1, 3 * x[0].nbytes * 6):  # one image per chunk; chunks of a few images and a smaller rest
        monkeypatch.setattr(I, "CPU_CHUNK_BYTES", budget)
        for chunked, expected in zip(_routines(x, w, g, geometry), whole):
            np.testing.assert_allclose(chunked, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kernel, padding, dilation, groups", [
    ((3, 3), NO_PADDING, (1, 1), 1),
    ((2, 3), ((1, 0), (2, 1)), (1, 1), 1),
    ((3, 2), ((2, 2), (0, 3)), (2, 3), 3),
    ((1, 1), NO_PADDING, (1, 1), 1),
    ((4, 1), ((1, 1), (1, 1)), (1, 1), 1),  # taller than the input without its padding
])
def test_input_gradient_by_shifts_equals_col2im(kernel, padding, dilation, groups):
    """The two ways of A_w^T g agree, and each is the adjoint of the convolution: <A x, g> = <x, A^T g>."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 6, 3, 7))
    w = rng.standard_normal((6, 6 // groups, *kernel))
    y = C._conv(np, x, w, (1, 1), padding, dilation, groups)
    g = rng.standard_normal(y.shape)
    by_shifts = C._conv_transpose_by_shifts(np, g, w, x.shape, padding, dilation, groups)
    o, cg = w.shape[:2]
    cols = np.matmul(w.reshape(groups, o // groups, -1).transpose(0, 2, 1),
                     g.reshape(3, groups, o // groups, -1))
    by_col2im = I.col2im(np, cols, x.shape, kernel, (1, 1), padding, dilation)
    np.testing.assert_allclose(by_shifts, by_col2im, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.sum(y * g), np.sum(x * by_shifts), rtol=1e-12)


def test_float32_results_are_fresh_contiguous_arrays():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 1, 1)).astype(np.float32)  # 1x1: im2col is a view of x
    geometry = dict(stride=(1, 1), padding=NO_PADDING, dilation=(1, 1), groups=1)
    y = C._conv(np, x, w, **geometry)
    dx = C._conv_transpose(np, y, w, x.shape, **geometry)
    gw = C._conv_weight_grad(np, y, x, (1, 1), **geometry)
    for result in (y, dx, gw):
        assert result.dtype == np.float32 and not np.shares_memory(result, x)
    assert y.flags.c_contiguous and dx.flags.c_contiguous
