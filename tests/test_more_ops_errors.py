"""Bad inputs to the functions of combining.py, elementwise_more.py, distances.py and binning.py: each mistake
raises a clear error naming the function and what was wrong (PyTorch's wording where it has one)."""
import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.ops import OpError

M = torchlike.zeros(2, 3)
V = torchlike.zeros(3)
S = torchlike.tensor(1.0)
I = torchlike.tensor([1, 2, 3])
B = torchlike.tensor([True, False])
C = torchlike.tensor([1 + 1j])


# ------------------------------------------------------------------------------------------ combining.py

@pytest.mark.parametrize("call, error, match", [
    (lambda: torchlike.atleast_2d([]), OpError, r"atleast_2d: expected a non-empty list"),
    (lambda: torchlike.atleast_1d(V, 3), TypeError, r"atleast_1d: expected a tensor as element 1 of the list"),
    (lambda: torchlike.dstack([]), OpError, r"dstack: expected a non-empty list"),
    (lambda: torchlike.dstack(V), TypeError, r"dstack: expected a non-empty list or tuple of tensors"),
    (lambda: torchlike.column_stack([V, torchlike.zeros(2, 2)]), OpError,
     r"cat: sizes of tensors must match except in dimension 1"),
    (lambda: torchlike.broadcast_shapes((2, 1), (3, 4)), OpError,
     r"broadcast_shapes: shapes \(2, 1\) and \(3, 4\) cannot be broadcast together"),
    (lambda: torchlike.broadcast_shapes((2, -1)), ValueError, r"broadcast_shapes: .*negative length"),
    (lambda: torchlike.broadcast_shapes((2.5,)), TypeError, r"broadcast_shapes: each shape must be an int or a "),
    (lambda: torchlike.broadcast_tensors(M, torchlike.zeros(4)), OpError,
     r"broadcast_tensors: shapes \(2, 3\) and \(4,\) cannot be broadcast together"),
    (lambda: torchlike.block_diag(M, torchlike.zeros(2, 2, 2)), OpError,
     r"block_diag: Input tensors must have 2 or fewer dimensions. Input 1 has 3 dimensions"),
    (lambda: torchlike.block_diag(), OpError, r"block_diag: expected a non-empty list"),
    (lambda: torchlike.cartesian_prod(V, M), OpError, r"cartesian_prod: Expect a 1D vector, but got shape \[2, 3\]"),
    (lambda: torchlike.cartesian_prod(V, I), TypeError, r"meshgrid: expects all tensors to have the same dtype"),
    (lambda: torchlike.combinations(M), OpError, r"combinations: Expect a 1D vector, but got shape \[2, 3\]"),
    (lambda: torchlike.combinations(V, -1), OpError, r"combinations: Expect a non-negative number, but got -1"),
    (lambda: torchlike.kron(V, [1, 2]), TypeError, r"kron\(\): expected a tensor as input, got list"),
    (lambda: torchlike.linalg.multi_dot([M]), OpError, r"multi_dot\(\): expected at least 2 tensors but got 1"),
    (lambda: torchlike.linalg.multi_dot(M), TypeError, r"multi_dot\(\): expected a list or tuple of tensors"),
    (lambda: torchlike.linalg.multi_dot([torchlike.zeros(2, 2, 2), M]), OpError,
     r"multi_dot\(\): the first tensor must be 1D or 2D but got 3D"),
    (lambda: torchlike.linalg.multi_dot([M, V, M]), OpError, r"multi_dot\(\): the middle tensor must be 2D but got 1D"),
    (lambda: torchlike.linalg.multi_dot([M, M]), OpError,
     r"multi_dot\(\): tensors 0 and 1 with shapes \[2, 3\] and \[2, 3\] cannot be multiplied"),
    (lambda: torchlike.linalg.multi_dot([M, torchlike.zeros(3, 2, dtype=torchlike.float64)]), TypeError,
     r"expected tensor 0 and tensor 1 to have the same dtype, but got: float != double \(multi_dot"),
    (lambda: torchlike.rot90(M, 1, (0,)), OpError, r"rot90: expected total rotation dims == 2, but got dims = 1"),
    (lambda: torchlike.rot90(V), OpError, r"rot90: expected total dims >= 2, but got total dims = 1"),
    (lambda: torchlike.rot90(M, 1, (0, -2)), OpError,
     r"rot90: expected rotation dims to be different, but got dim0 = 0 and dim1 = 0"),
    (lambda: torchlike.rot90(M, 1, (0, 5)), OpError, r"rot90: dimension out of range"),
    (lambda: torchlike.select(M, 0, 5), IndexError,
     r"select\(\): index 5 out of range for tensor of size \[2, 3\] at dimension 0"),
    (lambda: torchlike.select(S, 0, 0), IndexError, r"select\(\) cannot be applied to a 0-dim tensor"),
    (lambda: torchlike.select(M, 2, 0), OpError, r"select: dimension out of range"),
    (lambda: torchlike.unfold_windows(M, 1, 4, 1), OpError,
     r"unfold: maximum size for tensor at dimension 1 is 3 but size is 4"),
    (lambda: torchlike.unfold_windows(M, 1, 2, 0), OpError, r"unfold: step is 0 but must be > 0"),
    (lambda: torchlike.unfold_windows(M, 1, -1, 1), OpError, r"unfold: size is -1 but must be >= 0"),
    (lambda: torchlike.tensor_split(S, 2), OpError,
     r"tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"),
    (lambda: torchlike.tensor_split(M, 0, 1), OpError,
     r"tensor_split: number of sections must be larger than 0, got 0"),
    (lambda: torchlike.tensor_split(M, 1.5), TypeError, r"tensor_split\(\): indices_or_sections must be an int"),
    (lambda: torchlike.tensor_split(M, torchlike.tensor([[1]])), TypeError,
     r"tensor_split: expected tensor_indices_or_sections to be a 0-d or 1-d integer tensor"),
    (lambda: torchlike.hsplit(M, 2), OpError, r"torch.hsplit attempted to split along dimension 1, but the size of "
                                              r"the dimension 3 is not divisible by the split_size 2!"),
    (lambda: torchlike.hsplit(S, 2), OpError, r"torch.hsplit requires a tensor with at least 1 dimension, but got "
                                              r"a tensor with 0 dimensions!"),
    (lambda: torchlike.vsplit(V, 2), OpError, r"torch.vsplit requires a tensor with at least 2 dimension"),
    (lambda: torchlike.dsplit(M, [1]), OpError, r"torch.dsplit requires a tensor with at least 3 dimension, but got "
                                                r"a tensor with 2 dimensions!"),
])
def test_combining_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_chain_matmul_errors_and_deprecation():
    with pytest.warns(UserWarning, match="torch.chain_matmul is deprecated"):
        with pytest.raises(OpError, match=r"chain_matmul\(\): Expected one or more matrices"):
            torchlike.chain_matmul()
    with pytest.warns(UserWarning, match="use torch.linalg.multi_dot instead|Use torch.linalg.multi_dot instead"):
        with pytest.raises(OpError, match=r"chain_matmul\(\): Tensor dimension is 1, expected 2 instead"):
            torchlike.chain_matmul(V, M)


# ------------------------------------------------------------------------------------ elementwise_more.py

@pytest.mark.parametrize("call, error, match", [
    (lambda: torchlike.sgn(3.0), TypeError, r"sgn\(\): argument 'input' must be a tensor, not float"),
    (lambda: torchlike.heaviside(V, 0.5), TypeError,
     r"heaviside\(\): argument 'values' \(position 2\) must be Tensor, not float"),
    (lambda: torchlike.heaviside(V, I), TypeError,
     r"heaviside is not yet implemented for tensors with different dtypes \(float32\[3\] and int64\[3\]\)"),
    (lambda: torchlike.heaviside(C, C), TypeError, r"heaviside: not implemented for complex tensors"),
    (lambda: torchlike.logit(C), TypeError, r"logit: not implemented for complex tensors \(got complex64\[1\]\)"),
    (lambda: torchlike.logit([0.5]), TypeError, r"logit\(\): argument 'input' must be a tensor, not list"),
    (lambda: torchlike.xlogy(C, 2.0), TypeError, r"xlogy: not implemented for complex tensors"),
    (lambda: torchlike.xlogy(V, "2"), TypeError, r"xlogy: expected a tensor or a number, got str"),
    (lambda: torchlike.fmod(2, V), TypeError, r"fmod\(\): argument 'input' must be a tensor, not int"),
    (lambda: torchlike.fmod(B, B), TypeError, r"fmod: not implemented for bool tensors"),
    (lambda: torchlike.fmod(C, 2), TypeError, r"fmod: not implemented for complex tensors"),
    (lambda: torchlike.fmod(I, 0), ZeroDivisionError, r"fmod: integer division by zero"),
    (lambda: torchlike.fmod(M, torchlike.zeros(4)), OpError, r"Fmod: The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"),
    (lambda: torchlike.float_power(2, 3), TypeError, r"float_power: expected a tensor for input or exponent"),
    (lambda: torchlike.hypot(V, 4.0), TypeError, r"hypot\(\): argument 'other' \(position 2\) must be Tensor, not "
                                                 r"float"),
    (lambda: torchlike.hypot(I, I), TypeError, r"hypot: not implemented for int64\[3\] and int64\[3\]; it needs "
                                               r"floating point tensors"),
    (lambda: torchlike.logaddexp(1.0, V), TypeError, r"logaddexp\(\): argument 'input' \(position 1\) must be "
                                                     r"Tensor, not float"),
    (lambda: torchlike.logaddexp2(B, B), TypeError, r"logaddexp2: not implemented for bool\[2\]"),
    (lambda: torchlike.copysign(C, 1.0), TypeError, r"copysign: not implemented for complex tensors"),
    (lambda: torchlike.frac(I), TypeError, r"frac: not implemented for int64\[3\]; convert it with .float\(\)"),
    (lambda: torchlike.frac(C), TypeError, r"frac: not implemented for complex64\[1\]"),
    (lambda: torchlike.deg2rad(C), TypeError, r"deg2rad is not supported for complex tensors"),
    (lambda: torchlike.rad2deg(1.0), TypeError, r"rad2deg\(\): argument 'input' must be a tensor, not float"),
    (lambda: torchlike.sinc(None), TypeError, r"sinc\(\): argument 'input' must be a tensor, not NoneType"),
    (lambda: torchlike.logcumsumexp(I, 0), TypeError, r"logcumsumexp: not implemented for int64\[3\]"),
    (lambda: torchlike.logcumsumexp(V, 1), OpError, r"logcumsumexp\(\) of float32\[3\]: dimension out of range"),
    (lambda: torchlike.logcumsumexp(V, None), TypeError, r"logcumsumexp\(\): dim must be an int, got None"),
])
def test_elementwise_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_fmod_by_an_integer_zero_tensor_is_an_error():
    with pytest.raises(ZeroDivisionError, match="fmod: integer division by zero"):
        torchlike.fmod(I, torchlike.tensor([1, 0, 2]))


# --------------------------------------------------------------------------------- distances.py, binning.py

@pytest.mark.parametrize("call, error, match", [
    (lambda: torchlike.dist(V, 2.0), TypeError, r"dist\(\): argument 'other' \(position 2\) must be Tensor, not float"),
    (lambda: torchlike.dist(I, I), TypeError, r"dist: input dtype should be either floating point or complex, got "
                                              r"int64\[3\]"),
    (lambda: torchlike.dist(V, torchlike.zeros(2)), OpError, r"dist: shapes \(3,\) and \(2,\) cannot be broadcast"),
    (lambda: torchlike.dist(V, V, p="fro"), TypeError, r"dist\(\): p must be a number"),
    (lambda: torchlike.cdist(V, M), OpError, r"cdist only supports at least 2D tensors, X1 got: 1D"),
    (lambda: torchlike.cdist(M, torchlike.zeros(2, 4)), OpError,
     r"cdist: X1 and X2 must have the same number of columns. X1: 3 X2: 4"),
    (lambda: torchlike.cdist(M, M, p=-1), OpError, r"cdist only supports non-negative p values"),
    (lambda: torchlike.cdist(M.long(), M.long()), TypeError, r"cdist only supports floating-point dtypes, X1 got: "
                                                             r"int64\[2, 3\]"),
    (lambda: torchlike.cdist(M, M.double()), TypeError, r"expected x1 and x2 to have the same dtype"),
    (lambda: torchlike.cdist(torchlike.zeros(2, 2, 3), torchlike.zeros(3, 2, 3)), OpError,
     r"cdist \(batch dims\): shapes \(2,\) and \(3,\) cannot be broadcast together"),
    (lambda: torchlike.cdist(M, M, compute_mode="fast"), ValueError, r"cdist: 'fast' is not a valid value for "
                                                                     r"compute_mode"),
    (lambda: torchlike.histc(I), TypeError, r"histc: not implemented for int64\[3\]; it needs a floating point"),
    (lambda: torchlike.histc(V, bins=0), OpError, r"histc: bins must be > 0, but got 0"),
    (lambda: torchlike.histc(V, bins=2.5), TypeError, r"histc\(\): bins must be an int, got 2.5"),
    (lambda: torchlike.histc(V, 3, min=2, max=1), OpError, r"torch.histc: max must be larger than min"),
    (lambda: torchlike.histc(V, 3, min=0, max=float("inf")), OpError, r"torch.histc: range of \[0.0, inf\] is not "
                                                                      r"finite"),
    (lambda: torchlike.histc(torchlike.tensor([1.0, float("nan")]), 3), OpError,
     r"torch.histc: range of \[nan, nan\] is not finite"),
    (lambda: torchlike.searchsorted(S, V), OpError, r"torch.searchsorted\(\): boundaries tensor should have positive "
                                                    r"dimension, but got 0 dimension"),
    (lambda: torchlike.searchsorted(V, V, right=True, side="left"), OpError,
     r"torch.searchsorted\(\): side and right can't be set to opposites"),
    (lambda: torchlike.searchsorted(V, V, side="middle"), OpError,
     r"torch.searchsorted\(\): side can only be 'left' or 'right' but got middle"),
    (lambda: torchlike.searchsorted(M, torchlike.zeros(3, 1)), OpError,
     r"torch.searchsorted\(\): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
     r"tensor and input value tensor must match, but we got boundaries tensor \[2, 3\] and input value tensor "
     r"\[3, 1\]"),
    (lambda: torchlike.searchsorted(M, 1.0), OpError, r"torch.searchsorted\(\): input value can be a scalar only when "
                                                      r"boundaries tensor dimension is 1"),
    (lambda: torchlike.searchsorted(V, [1.0]), TypeError, r"searchsorted\(\): input must be a tensor or a number, "
                                                          r"got list"),
    (lambda: torchlike.searchsorted(C, C), TypeError, r"searchsorted: complex numbers have no order"),
    (lambda: torchlike.searchsorted(V, V, sorter=torchlike.tensor([0, 1])), OpError,
     r"torch.searchsorted\(\): boundary and sorter must have the same size, but got boundary tensor \[3\]"),
    (lambda: torchlike.bucketize(V, M), OpError, r"bucketize: boundaries tensor must be 1 dimension, but got dim\(2\)"),
])
def test_distance_and_binning_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_binning_results_carry_no_gradient():
    x = torchlike.tensor([0.5, 1.5, 2.5], requires_grad=True)
    for result in (torchlike.histc(x, 3), torchlike.searchsorted(x.detach(), x), torchlike.bucketize(x, V),
                   torchlike.heaviside(x, x)):
        assert not result.requires_grad
    assert np.array_equal(torchlike.histc(x, 3).numpy(), [1.0, 1.0, 1.0])


# ------------------------------------------------------------------------------------------ graph mode

def test_graph_mode_needs_the_sizes_that_decide_the_number_of_outputs():
    """Unknown dims (None) work where only the values depend on them; where a size decides how many pieces or
    positions there are, the error says it must be known."""
    import minidl.graph as tf
    import minidl.ops as ops
    with tf.Graph().as_default() as graph:
        x, v = tf.placeholder("float32", (None, 3)), tf.placeholder("float32", (None,))
        works = [ops.kron(x, v), ops.cdist(x, x), ops.logcumsumexp(x, 0), ops.xlogy(x, x), ops.histc(x, 4),
                 ops.searchsorted(v, x), ops.rot90(x), ops.column_stack([v, x]), ops.unfold_windows(x, 0, 2, 1)]
        assert [tuple(w.shape) for w in works] == [(None, None), (None, None), (None, 3), (None, 3), (4,),
                                                   (None, 3), (3, None), (None, 4), (None, 3, 2)]
        for call, what in [(lambda: ops.combinations(v), "combinations: the length of float32\\[\\?\\]"),
                           (lambda: ops.tensor_split(x, 2), "tensor_split: the size of dimension 0"),
                           (lambda: ops.block_diag(ops.t(x), x), "block_diag: the number of columns"),
                           (lambda: ops.broadcast_tensors(x, v), "broadcast_tensors: the shapes of")]:
            with pytest.raises(OpError, match=what + ".* must be known when the op is created"):
                call()
    with tf.Session(graph=graph) as session:
        kron, counts, windows = session.run([works[0], works[4], works[8]],
                                            {x: np.arange(9, dtype="float32").reshape(3, 3), v: np.arange(2.0)})
    assert kron.shape == (3, 6) and counts.sum() == 9
    np.testing.assert_array_equal(windows, [[[0, 3], [1, 4], [2, 5]], [[3, 6], [4, 7], [5, 8]]])
