"""Bad inputs to convolution and pooling (conv.py, pooling.py): each mistake is a clear error naming the op and the
shapes involved. Plus the few behaviours the op table cannot see (dtypes, empty batches, padding-only windows,
graph mode with unknown dims)."""
import numpy as np
import pytest

import minidl.eager as md
from minidl.ops import OpError
from minidl.ops import conv as C, pooling as P


def t(*shape, dtype="float32"):
    return md.tensor(np.ones(shape, dtype=dtype))


# ------------------------------------------------------------------------------------------------ conv2d

def test_conv2d_channel_mismatch_names_both_shapes():
    with pytest.raises(OpError, match=r"conv2d: Given groups=1, weight of size \[4, 4, 3, 3\], expected "
                                      r"input\[1, 3, 8, 8\] to have 4 channels, but got 3 channels instead"):
        C.conv2d(t(1, 3, 8, 8), t(4, 4, 3, 3))


def test_conv2d_kernel_larger_than_padded_input():
    with pytest.raises(OpError, match=r"conv2d: Calculated padded input size per channel: \(2 x 2\). Kernel size: "
                                      r"\(3 x 3\). Kernel size can't be greater than actual input size"):
        C.conv2d(t(1, 4, 2, 2), t(4, 4, 3, 3))
    with pytest.raises(OpError, match=r"padded input size per channel: \(4 x 4\). Kernel size: \(5 x 5\)"):
        C.conv2d(t(1, 4, 4, 4), t(4, 4, 3, 3), dilation=2)
    assert C.conv2d(t(1, 4, 2, 2), t(4, 4, 3, 3), padding=1).shape == (1, 4, 2, 2)


def test_conv2d_groups_must_divide_channels():
    with pytest.raises(OpError, match=r"conv2d: Given groups=2, expected weight to be divisible by 2 at dimension 0, "
                                      r"but got weight of size \[3, 2, 3, 3\]"):
        C.conv2d(t(1, 4, 8, 8), t(3, 2, 3, 3), groups=2)
    with pytest.raises(OpError, match=r"conv2d: Given groups=2, weight of size \[4, 1, 3, 3\], expected "
                                      r"input\[1, 3, 8, 8\] to have 2 channels, but got 3"):
        C.conv2d(t(1, 3, 8, 8), t(4, 1, 3, 3), groups=2)
    for groups in (0, -1, 1.5):
        with pytest.raises(OpError, match=rf"conv2d: groups must be a positive integer, got {groups}"):
            C.conv2d(t(1, 4, 8, 8), t(4, 4, 3, 3), groups=groups)


@pytest.mark.parametrize("kwargs, message", [
    (dict(stride=0), r"conv2d: stride must be at least 1 \(got stride=0\)"),
    (dict(stride=(1, -2)), r"conv2d: stride must be at least 1"),
    (dict(padding=-1), r"conv2d: padding must be at least 0 \(got padding=-1\)"),
    (dict(dilation=0), r"conv2d: dilation must be at least 1"),
    (dict(padding="same", stride=2), r"conv2d: padding='same' is not supported for strided convolutions"),
    (dict(padding="full"), r"conv2d: Invalid padding string 'full', should be one of \['valid', 'same'\]"),
    (dict(stride=(1, 2, 3)), r"conv2d: expected stride to be a single integer value or a list of 2 integers, but "
                             r"got stride=\(1, 2, 3\)"),  # integers, but not as many as dims: a RuntimeError
])
def test_conv2d_bad_geometry_values(kwargs, message):
    with pytest.raises(OpError, match=message):
        C.conv2d(t(1, 4, 8, 8), t(4, 4, 3, 3), **kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(stride=1.5), r"conv2d: expected stride to be .* got stride=1.5"),
    (dict(padding=True), r"conv2d: expected padding to be .* got padding=True"),
])
def test_conv2d_bad_geometry_types(kwargs, message):
    with pytest.raises(TypeError, match=message):
        C.conv2d(t(1, 4, 8, 8), t(4, 4, 3, 3), **kwargs)


def test_conv2d_ranks_and_bias():
    with pytest.raises(OpError, match=r"conv2d: expected a 4-D input \(N, C, H, W\) or an unbatched 3-D one "
                                      r"\(C, H, W\), but got float32\[4, 8\]"):
        C.conv2d(t(4, 8), t(4, 4, 3, 3))
    with pytest.raises(OpError, match=r"conv2d: expected a 4-D weight \(out_channels, in_channels/groups, KH, KW\), "
                                      r"got float32\[4, 4, 3\]"):
        C.conv2d(t(1, 4, 8, 8), t(4, 4, 3))
    with pytest.raises(OpError, match=r"conv2d: Given weight of size \[4, 4, 3, 3\], expected bias to be "
                                      r"1-dimensional with 4 elements, but got bias of size \[3\]"):
        C.conv2d(t(1, 4, 8, 8), t(4, 4, 3, 3), t(3))


def test_conv2d_dtypes():
    with pytest.raises(TypeError, match=r"conv2d: expected numbers, got bool\[1, 4, 8, 8\]"):
        C.conv2d(t(1, 4, 8, 8, dtype=bool), t(4, 4, 3, 3, dtype=bool))
    with pytest.raises(TypeError, match=r"conv2d: expected input to be a tensor, got ndarray"):
        C.conv2d(np.ones((1, 4, 8, 8)), t(4, 4, 3, 3))
    with pytest.raises(TypeError, match=r"expected input and weight to have the same dtype, but got: float != "
                                        r"double \(conv2d of float32\[1, 4, 8, 8\] and float64\[4, 4, 3, 3\]"):
        C.conv2d(t(1, 4, 8, 8), t(4, 4, 3, 3, dtype="float64"))  # as in PyTorch: a product does not promote
    with pytest.raises(TypeError, match=r"expected input and bias to have the same dtype"):
        C.conv2d(t(1, 4, 8, 8), t(4, 4, 3, 3), t(4, dtype="float64"))
    assert C.conv2d(t(1, 4, 8, 8, dtype="int64"), t(4, 4, 3, 3, dtype="int64")).tolist()[0][0][0][0] == 36


def test_conv2d_empty_sizes_and_read_only_input_view():
    assert C.conv2d(t(0, 4, 8, 8), t(4, 4, 3, 3)).shape == (0, 4, 6, 6)
    assert C.conv2d(t(2, 0, 8, 8), t(4, 0, 3, 3)).tolist() == np.zeros((2, 4, 6, 6)).tolist()
    x = md.tensor(np.arange(8.0).reshape(1, 2, 2, 2), requires_grad=True)
    y = C.conv2d(x, t(3, 2, 1, 1, dtype="float64"))  # 1x1: im2col is a view of x, and must stay untouched
    y.sum().backward()
    assert x.tolist() == np.arange(8.0).reshape(1, 2, 2, 2).tolist() and x.grad.tolist() == np.full((1, 2, 2, 2),
                                                                                                   3.0).tolist()


# -------------------------------------------------------------------------------------- conv_transpose2d

def test_conv_transpose2d_errors():
    with pytest.raises(OpError, match=r"conv_transpose2d: Given transposed=1, weight of size \[4, 4, 3, 3\], "
                                      r"expected input\[1, 3, 8, 8\] to have 4 channels, but got 3"):
        C.conv_transpose2d(t(1, 3, 8, 8), t(4, 4, 3, 3))
    with pytest.raises(OpError, match=r"conv_transpose2d: output_padding \(2, 2\) must be smaller than either "
                                      r"stride \(2, 2\) or dilation \(1, 1\)"):
        C.conv_transpose2d(t(1, 4, 8, 8), t(4, 4, 3, 3), stride=2, output_padding=2)
    with pytest.raises(OpError, match=r"conv_transpose2d: the output size \(-1, -1\) is too small"):
        C.conv_transpose2d(t(1, 4, 1, 1), t(4, 4, 1, 1), padding=1)
    with pytest.raises(OpError, match=r"conv_transpose2d: padding must be an int or a pair of ints, got 'same'"):
        C.conv_transpose2d(t(1, 4, 8, 8), t(4, 4, 3, 3), padding="same")
    with pytest.raises(OpError, match=r"conv_transpose2d: Given weight of size \[4, 2, 3, 3\], expected bias to be "
                                      r"1-dimensional with 4 elements"):
        C.conv_transpose2d(t(1, 4, 8, 8), t(4, 2, 3, 3), t(2), groups=2)


# ------------------------------------------------------------------------------------------------ pooling

@pytest.mark.parametrize("call, message", [
    (lambda: P.max_pool2d(t(1, 4, 8, 8), 3, padding=2),
     r"max_pool2d: pad should be at most half of kernel size, but got padding=\(2, 2\), kernel_size=\(3, 3\)"),
    (lambda: P.max_pool2d(t(1, 4, 8, 8), 3, padding=2, dilation=2),  # the kernel's size counts, not the dilated
     r"max_pool2d: pad should be at most half of kernel size, .* \(dilation=\(2, 2\)\)"),
    (lambda: P.avg_pool2d(t(1, 4, 8, 8), 3, padding=2), r"avg_pool2d: pad should be at most half of kernel size"),
    (lambda: P.max_pool2d(t(1, 4, 2, 2), 3),
     r"max_pool2d: Given input float32\[1, 4, 2, 2\], the calculated output size \(0, 0\) is too small"),
    (lambda: P.max_pool2d(t(1, 4, 8, 8), 0), r"max_pool2d: kernel_size must be at least 1"),
    (lambda: P.avg_pool2d(t(1, 4, 8, 8), 2, stride=0), r"avg_pool2d: stride must be at least 1"),
    (lambda: P.max_pool2d(t(4, 8), 2),
     r"max_pool2d: expected a 4-D input \(N, C, H, W\) or an unbatched 3-D one \(C, H, W\), but got float32\[4, 8\]"),
    (lambda: P.max_pool1d(t(1, 4, 8, 8), 2),
     r"max_pool1d: expected a 3-D input \(N, C, L\) or an unbatched 2-D one \(C, L\), but got float32\[1, 4, 8, 8\]"),
    (lambda: P.avg_pool1d(t(1, 4, 2), 3), r"avg_pool1d: .*output size \(1, 0\) is too small"),
    (lambda: P.avg_pool2d(t(1, 4, 8, 8), 2, divisor_override=0),
     r"avg_pool2d: divisor must be a positive integer, got divisor_override=0"),
    (lambda: P.adaptive_avg_pool2d(t(1, 4, 8, 8), (1, 2, 3)),
     r"adaptive_avg_pool2d: output_size must be a non-negative int or 2 of them"),
    (lambda: P.adaptive_avg_pool2d(t(1, 4, 0, 8), 2),
     r"adaptive_avg_pool2d: expected input to have non-zero size for non-batch dimensions, but got "
     r"float32\[1, 4, 0, 8\]"),
])
def test_pooling_bad_arguments(call, message):
    with pytest.raises(OpError, match=message):
        call()


def test_pooling_dtypes():
    with pytest.raises(TypeError, match=r"avg_pool2d: expected a real tensor, got bool\[1, 4, 8, 8\]"):
        P.avg_pool2d(t(1, 4, 8, 8, dtype=bool), 2)
    with pytest.raises(TypeError, match=r"max_pool2d: expected a real tensor, got bool\[1, 4, 8, 8\]"):
        P.max_pool2d(t(1, 4, 8, 8, dtype=bool), 2)
    with pytest.raises(TypeError, match=r"max_pool1d: expected kernel_size to be a single integer value"):
        P.max_pool1d(t(1, 4, 8), (2, 2))


def test_max_pool_window_over_padding_only_gives_minus_inf_and_no_gradient():
    """With dilation a window can miss the input entirely: its max is -inf (as in PyTorch), its index -1 (where
    PyTorch's is undefined), and no gradient leaks from it into a real pixel."""
    x = md.tensor(np.array([[[[0.25, -0.25, 0.5]]]]), requires_grad=True)
    y, indices = P.max_pool2d(x, (2, 1), 1, (1, 0), (2, 1), return_indices=True)
    assert y.tolist() == [[[[-np.inf, -np.inf, -np.inf]]]] and indices.tolist() == [[[[-1, -1, -1]]]]
    grad = P.max_pool2d_grad(md.tensor(np.ones((1, 1, 1, 3))), indices, x)  # index -1 must not mean "the last"
    assert grad.tolist() == [[[[0.0, 0.0, 0.0]]]]


def test_max_pool_gradient_with_overlapping_windows_adds_up():
    x = md.tensor(np.array([[[[1.0, 5.0, 2.0, 0.0]]]]), requires_grad=True)
    P.max_pool1d(x[0], 3, 1, 1).sum().backward()  # windows [., 1, 5], [1, 5, 2], [5, 2, 0], [2, 0, .]
    assert x.grad.tolist() == [[[[0.0, 3.0, 1.0, 0.0]]]]


def test_graph_mode_with_unknown_batch_and_height():
    import minidl.graph as tf
    from minidl import ops
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder("float32", (None, 3, None, 7))
        w = tf.placeholder("float32", (4, 3, 3, 3))
        y = C.conv2d(x, w, stride=2, padding=1)
        z, indices = P.max_pool2d(y, 2, ceil_mode=True, return_indices=True)
        a = P.adaptive_avg_pool2d(P.avg_pool2d(z, 2, 1, 1), (2, None))
        assert tuple(y.shape) == (None, 4, None, 4) and tuple(z.shape) == (None, 4, None, 2)
        assert tuple(indices.shape) == (None, 4, None, 2) and indices.dtype == np.int64
        assert tuple(a.shape) == (None, 4, 2, 3)
        gx, gw = tf.gradients(ops.sum(a * a), [x, w])
        assert tuple(gx.shape) == (None, 3, None, 7) and tuple(gw.shape) == (4, 3, 3, 3)
    rng = np.random.default_rng(0)
    with tf.Session(graph=graph) as session:
        values = session.run([a, gx, gw], {x: rng.standard_normal((2, 3, 9, 7)), w: rng.standard_normal((4, 3, 3, 3))})
    assert [v.shape for v in values] == [(2, 4, 2, 3), (2, 3, 9, 7), (4, 3, 3, 3)]


@pytest.mark.parametrize("pool, shape, options", [
    ("avg_pool1d", (2, 3, 7), {}), ("avg_pool2d", (2, 3, 5, 6), {"padding": 1, "count_include_pad": False}),
    ("avg_pool2d", (1, 2, 5, 5), {"ceil_mode": True, "stride": 2}), ("avg_pool3d", (1, 2, 4, 5, 3), {}),
    ("avg_pool2d", (1, 1, 4, 4), {"divisor_override": 3})])
def test_integer_averages_divide_toward_zero_as_in_pytorch(pool, shape, options):
    """PyTorch averages integer windows with an integer division, toward zero: (-1 - 2 + 0 + 0) / 4 is 0."""
    assert P.avg_pool2d(md.tensor([[[[-1, -2], [0, 0]]]]), 2).tolist() == [[[[0]]]]
    assert P.avg_pool1d(md.tensor([[[-3, 0, 7, 2]]]), 2).tolist() == [[[-1, 4]]]
    values = np.random.default_rng(7).integers(-50, 50, shape)
    got = getattr(P, pool)(md.tensor(values), 2, **options)
    assert got.dtype == md.int64
    torch = pytest.importorskip("torch")
    expected = getattr(torch.nn.functional, pool)(torch.tensor(values), 2, **options)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
