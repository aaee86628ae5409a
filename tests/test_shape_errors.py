"""Shape and indexing ops: bad inputs raise clear errors naming the op, shapes and dtypes; and targeted checks
the op table cannot express (repeated indices, chains of ``x[i] = v``, unknown dims in graph mode)."""
import numpy as np
import pytest

import minidl.eager as torchlike
import minidl.ops as ops
from minidl.ops import OpError


def t(values, dtype=None, requires_grad=False):
    return torchlike.tensor(values, dtype=dtype, requires_grad=requires_grad)


X = torchlike.zeros(2, 3)


# ------------------------------------------------------------------------------------------ shape ops

@pytest.mark.parametrize("call, match", [
    (lambda: X.reshape(2, 5), r"reshape: shape '\[2, 5\]' is invalid for input of size 6"),
    (lambda: X.reshape(-1, -1), r"reshape: only one dimension can be inferred"),
    (lambda: X.reshape(-2, 3), r"reshape: invalid shape dimension -2"),
    (lambda: torchlike.zeros(0, 3).reshape(-1, 0), r"reshape: cannot reshape tensor of 0 elements .* ambiguous"),
    (lambda: X.permute(0, 1, 2), r"permute: the number of dims \(3\) must equal .* float32\[2, 3\] \(2\)"),
    (lambda: X.permute(0, -2), r"permute: repeated dim in \[0, 0\]"),
    (lambda: X.transpose(0, 2), r"transpose: dimension out of range .*got 2"),
    (lambda: X.unsqueeze(3), r"unsqueeze: dimension out of range \(expected to be in range of \[-3, 2\]"),
    (lambda: X.squeeze(-3), r"squeeze: dimension out of range"),
    (lambda: X.broadcast_to((2, 4)), r"broadcast_to: the expanded size of the tensor \(4\) must match the "
                                     r"existing size \(3\) at non-singleton dimension 1"),
    (lambda: X.broadcast_to((3,)), r"broadcast_to: the number of sizes provided \(1\) must be greater or equal"),
    (lambda: X.broadcast_to((-1, 2, 3)), r"broadcast_to: invalid size -1 at dimension 0 .* new leading"),
    (lambda: torchlike.zeros(2, 3, 4).flatten(2, 1), r"flatten: start_dim \(2\) cannot come after end_dim \(1\)"),
    (lambda: X.flip((0, -2)), r"flip: dims \[0, -2\] name a dimension more than once"),
    (lambda: torchlike.zeros(3).fliplr(), r"fliplr: input must be >= 2-d, got float32\[3\]"),
    (lambda: torchlike.zeros(()).flipud(), r"flipud: input must be >= 1-d"),
    (lambda: X.roll((1, 2), 0), r"roll: shifts and dimensions must align. shifts: 2, dims: 1"),
    (lambda: X.roll((1, 2)), r"roll: without dims, shifts must be a single int"),
    (lambda: torchlike.zeros(3).tril(), r"tril: input tensor must have at least 2 dimensions, got float32\[3\]"),
    (lambda: X.tile((-1, 2)), r"tile: repetitions must be non-negative"),
])
def test_bad_shape_arguments(call, match):
    with pytest.raises(OpError, match=match):
        call()


def test_wrong_argument_types():
    with pytest.raises(TypeError, match=r"reshape\(\): expected a tensor as input, got ndarray"):
        ops.reshape(np.ones(3), (3,))
    with pytest.raises(TypeError, match=r"reshape: shape must be an int or a sequence of ints, got \('ab',\)"):
        ops.reshape(X, "ab")
    with pytest.raises(TypeError, match=r"permute: dims must be an int or a sequence of ints"):
        X.permute((0.5, 1))


@pytest.mark.parametrize("call, error, match", [
    (lambda: ops.cat([]), OpError, r"cat: expected a non-empty list or tuple of tensors"),
    (lambda: ops.cat(X), TypeError, r"cat: expected a non-empty list or tuple of tensors"),
    (lambda: ops.cat([X, 1]), TypeError, r"cat: expected a tensor as element 1 of the list, got int"),
    (lambda: ops.cat([X, torchlike.zeros(2)]), OpError,
     r"cat: tensors must have the same number of dimensions: got 2 and 1 \(float32\[2, 3\] and float32\[2\]\)"),
    (lambda: ops.cat([X, torchlike.zeros(3, 3)], 1), OpError,
     r"cat: sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1"),
    (lambda: ops.cat([t(1.0), t(2.0)]), OpError, r"cat: zero-dimensional tensor"),
    (lambda: ops.stack([X, torchlike.zeros(3, 2)]), OpError,
     r"stack: expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1"),
    (lambda: X.split([1, 2]), OpError, r"split: split_with_sizes expects split_sizes to sum exactly to 2"),
    (lambda: X.split(0), OpError, r"split: split_size must be positive .* got 0 for float32\[2, 3\]"),
    (lambda: X.chunk(0), OpError, r"chunk: expects `chunks` to be greater than 0, got: 0"),
    (lambda: X.unbind(2), OpError, r"unbind: dimension out of range"),
])
def test_bad_join_and_split_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("call, error, match", [
    (lambda: ops.pad(X, (1,)), OpError, r"pad: padding length must be divisible by 2, got \[1\]"),
    (lambda: ops.pad(X, (1,) * 6), OpError, r"pad: padding length too large: .* pads 3 dims .* float32\[2, 3\]"),
    (lambda: ops.pad(X, (1, 1), mode="mirror"), ValueError, r"pad: mode must be 'constant', 'reflect', "),
    (lambda: ops.pad(X, (1, 0), mode="reflect", value=1.0), ValueError, r"doesn't take in a value argument"),
    (lambda: ops.pad(X, (-2, -2)), OpError, r"pad: negative padding \(-2, -2\) crops more than the 3 elements"),
    (lambda: ops.pad(X, (3, 0), mode="reflect"), OpError,
     r"pad: reflect padding of dimension 1 \(size 3\) can be at most 2, got \(3, 0\)"),
    (lambda: ops.pad(X, (0, 4), mode="circular"), OpError, r"pad: circular padding of dimension 1 .* at most 3"),
    (lambda: ops.pad(torchlike.zeros(2, 0), (1, 0), mode="replicate"), OpError,
     r"pad: replicate padding needs a non-empty dimension"),
    (lambda: X.repeat_interleave(-1), OpError, r"repeat_interleave: repeats can not be negative, got -1"),
    (lambda: X.repeat_interleave(t([1, 2]), dim=1), OpError,
     r"repeat_interleave: repeats must be 0-d or 1-d with one count per position along dim 1 \(size 3\), got "
     r"int64\[2\]"),
    (lambda: X.repeat_interleave(t([1, -2, 1]), dim=1), OpError, r"repeats can not be negative, got -2"),
    (lambda: X.repeat_interleave(t([1.0, 2.0, 1.0]), dim=1), TypeError,
     r"repeat_interleave: expected an integer \(int64\) tensor for repeats, got float32\[3\]"),
])
def test_bad_pad_and_repeat_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -------------------------------------------------------------------------------------------- indexing

@pytest.mark.parametrize("call, error, match", [
    (lambda: X[t([0.5])], IndexError,
     r"getitem: tensors used as indices must be long, int, byte or bool tensors, got float32\[1\]"),
    (lambda: X[[0.5]], IndexError, r"getitem: arrays used as indices must hold integers or booleans"),
    (lambda: X["a"], IndexError, r"getitem: only integers, slices .* are valid indices \(got str\)"),
    (lambda: X[0, 0, 0], IndexError, r"getitem: too many indices for tensor of dimension 2 \(float32\[2, 3\]\)"),
    (lambda: X[2], IndexError, r"getitem: index 2 is out of bounds for dimension 0 with size 2"),
    (lambda: X[:, -4], IndexError, r"getitem: index -4 is out of bounds for dimension 1 with size 3"),
    (lambda: X[:, [0, 5]], IndexError, r"getitem: index 5 is out of bounds for dimension 1 with size 3"),
    (lambda: X[t([0, 7])], IndexError, r"index 7 is out of bounds .* size 2"),
    (lambda: X[..., ...], IndexError, r"getitem: an index can only have a single ellipsis"),
    (lambda: X[t([True, False, True])], IndexError,
     r"getitem: the shape of the mask \[3\] at index 0 does not match the shape of the indexed tensor \[2, 3\]"),
    (lambda: X[::0], ValueError, r"getitem: slice step cannot be zero"),
    (lambda: ops.index_put(X, 0, torchlike.zeros(2)), OpError,
     r"index_put: shape mismatch: value tensor of shape \[2\] cannot be broadcast to indexing result of shape \[3\]"),
    (lambda: ops.index_put(X, 0, "a"), TypeError, r"index_put: value must be a tensor or a number, got str"),
    (lambda: X.index_select(0, t([[0]])), OpError, r"index_select: index is supposed to be a vector"),
    (lambda: X.index_select(0, t([0.0])), TypeError,
     r"index_select: expected an integer \(int64\) tensor for index, got float32\[1\]"),
    (lambda: X.index_select(0, [0]), TypeError, r"index_select: index must be a tensor of integers, got list"),
    (lambda: X.gather(0, t([0])), OpError, r"gather: index tensor must have the same number of dimensions as "
                                           r"input tensor: got index int64\[1\] and input float32\[2, 3\]"),
    (lambda: X.gather(0, t([[0.0]])), TypeError, r"gather: expected an integer \(int64\) tensor for index"),
    (lambda: X.gather(0, t([[0, 0, 0, 0]])), OpError,
     r"gather: size does not match at dimension 1: expected index \[1, 4\] to be no larger than input \[2, 3\] "
     r"apart from dimension 0"),
    (lambda: X.scatter_add(0, t([[0]]), torchlike.ones(1, 1, dtype=torchlike.float64)), TypeError,
     r"scatter_add: expected src to have the dtype of self, got self float32\[2, 3\] and src float64\[1, 1\]"),
    (lambda: X.scatter_add(0, t([[0, 1]]), torchlike.ones(1, 1)), OpError,
     r"scatter_add: size does not match at dimension 1: expected index \[1, 2\] to be no larger than src"),
    (lambda: ops.one_hot(t([0.0]), 3), TypeError, r"one_hot: expected an integer \(int64\) tensor for labels"),
    (lambda: ops.one_hot(t([-1]), 3), OpError, r"one_hot: class values must be non-negative, got -1"),
    (lambda: ops.one_hot(t([3]), 3), OpError, r"one_hot: class values must be smaller than num_classes \(3\)"),
    (lambda: ops.one_hot(t([], dtype=torchlike.int64)), OpError, r"one_hot: cannot infer the number of classes"),
    (lambda: ops.one_hot(t([1]), -2), OpError, r"one_hot: num_classes must be -1 or non-negative, got -2"),
])
def test_bad_indexing_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_setitem_with_wrong_shape_is_an_error():
    x = torchlike.zeros(2, 3)
    with pytest.raises(OpError, match=r"value tensor of shape \[5\] cannot be broadcast .* shape \[3\]"):
        x[0] = torchlike.zeros(5)


# -------------------------------------------------------------------------------- conventions and behavior

def test_repeated_positions_accumulate_their_gradients():
    x = t([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])
    y = t([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y.gather(1, t([[0, 0, 0], [1, 0, 1]])).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [[3.0, 0.0], [1.0, 2.0]])


def test_chained_setitem_is_differentiable():
    """``y[i] = v`` changes ``y`` in place right after indexing it; that must not break backward."""
    x = t([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]], requires_grad=True)
    v = t([10.0, 20.0], requires_grad=True)
    y = x * 2
    y[y < 0] = 0.0
    y[:, 1] = v
    (y * t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[2.0, 0.0, 6.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(v.grad.numpy(), [2.0, 5.0])


def test_setitem_casts_the_value_to_the_tensor_dtype():
    x = torchlike.zeros(3, dtype=torchlike.int64)
    x[1] = 2.7
    x[0:3:2] = t([5.0, 6.0])  # (through index tensors a tensor of another dtype is refused, as in PyTorch)
    assert x.dtype == torchlike.int64 and x.tolist() == [5, 2, 6]


def test_int_index_is_applied_before_arrays_like_pytorch():
    """numpy would give (2, 3, 5) here: it moves the list's dim in front when an int separates them."""
    x = torchlike.zeros(2, 3, 4, 5)
    assert tuple(x[0, :, [0, 1]].shape) == (3, 2, 5)


def test_clone_has_its_own_memory_and_views_share_it():
    x = torchlike.zeros(2, 3)
    c = x.clone()
    c.add_(1.0)
    assert float(x.sum()) == 0.0
    x.reshape(6)[0] = 5.0  # a view, as in PyTorch
    assert float(x[0, 0]) == 5.0


def test_cat_promotes_dtypes_and_skips_legacy_empty_tensors():
    out = ops.cat([torchlike.zeros(0), torchlike.ones(2, dtype=torchlike.int64), torchlike.ones(1)])
    assert out.dtype == torchlike.float32 and out.tolist() == [1.0, 1.0, 1.0]


def test_graph_mode_shapes_with_unknown_dims():
    import minidl.graph as tf
    with tf.Graph().as_default():
        x = tf.placeholder("float32", (None, 3))
        mask = tf.placeholder("bool", (None, 3))
        assert tuple(ops.reshape(x, (3, -1)).shape) == (3, None)
        assert tuple(ops.getitem(x, mask).shape) == (None,)
        assert tuple(ops.cat([x, x], 1).shape) == (None, 6)
        assert tuple(ops.pad(x, (1, 1, 2, 0), mode="replicate").shape) == (None, 5)
        assert ops.squeeze(x).shape.ndims is None  # whether dim 0 goes is only known at run time
        with pytest.raises(OpError, match=r"split: the size of dimension 0 of float32\[\?, 3\] must be known"):
            ops.split(x, 1)


def test_graph_mode_gradient_of_masked_indexing():
    import minidl.graph as tf
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder("float32", (None, 3))
        mask = tf.placeholder("bool", (None, 3))
        y = ops.getitem(x, mask)
        (grad,) = tf.gradients(ops.sum(y * y), [x])
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session(graph=graph) as session:
        out, g = session.run([y, grad], {x: values, mask: values > 2})
    np.testing.assert_array_equal(out, [3.0, 4.0, 5.0])
    np.testing.assert_array_equal(g, [[0.0, 0.0, 0.0], [6.0, 8.0, 10.0]])
