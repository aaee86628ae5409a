"""Matrix functions (matrix.py), the composed shape functions (shape_helpers.py) and the added elementwise math
(trig.py, special.py, cumulative.py): bad inputs raise clear errors naming the op and the shapes/dtypes; plus
the conventions the op table cannot express."""
import math
import warnings

import numpy as np
import pytest

import minidl.eager as md
from minidl.ops import OpError


def t(values, dtype=None, requires_grad=False):
    return md.tensor(values, dtype=dtype, requires_grad=requires_grad)


# ---------------------------------------------------------------------------------------------- matrices

@pytest.mark.parametrize("call, error, message", [
    (lambda: md.diag(md.zeros(2, 2, 2)), OpError, r"diag\(\): supports 1D or 2D tensors, got 3D \(float32\[2, 2, "
                                                   r"2\]\)"),
    (lambda: md.diag(t(1.0)), OpError, r"diag\(\): supports 1D or 2D tensors, got 0D"),
    (lambda: md.trace(md.zeros(3)), OpError, r"trace: expected a matrix, but got float32\[3\]"),
    (lambda: md.trace(t([[True]])), TypeError, r"trace: not implemented for bool tensors"),
    (lambda: md.inverse(md.zeros(2, 3)), OpError, r"inverse: A must be batches of square matrices, but they are 2 by "
                                                  r"3 matrices \(float32\[2, 3\]\)"),
    (lambda: md.det(md.zeros(3)), OpError, r"det: the input tensor A must have at least 2 dimensions, got "
                                           r"float32\[3\]"),
    (lambda: md.linalg.inv(t([[1, 2], [3, 4]])), TypeError, r"inverse: expected a floating point or complex tensor "
                                                            r"as input, got int64\[2, 2\]"),
    (lambda: md.inverse(t([[1.0, 2.0], [2.0, 4.0]])), md.linalg.LinAlgError,
     r"linalg.inv: The inversion could not be completed because the input matrix is singular"),
    (lambda: md.addmm(md.zeros(3, 3), md.zeros(3, 2), md.zeros(2, 2)), OpError,
     r"addmm: shapes \(3, 3\) and \(3, 2\) cannot be broadcast"),
    (lambda: md.addmm(md.zeros(2, 1, 2), md.zeros(3, 2), md.zeros(2, 2)), OpError,
     r"addmm: input float32\[2, 1, 2\] cannot be broadcast to the shape of mat1 @ mat2, \[3, 2\]"),
    (lambda: md.addmm(md.zeros(2), md.zeros(3), md.zeros(3, 2)), OpError, r"mm: self must be a matrix"),
    (lambda: md.tensordot(md.zeros(2, 3), md.zeros(4, 3), 1), OpError,
     r"tensordot: contracted dimensions need to match, but first has size 3 in dim 1 and second has size 4 in dim 0"),
    (lambda: md.tensordot(md.zeros(2), md.zeros(2), -1), OpError, r"tensordot: expects dims >= 0, but got dims=-1"),
    (lambda: md.tensordot(md.zeros(2), md.zeros(2), ([0], [0, 1])), TypeError,
     r"tensordot: dims must be an int or a pair of equally long lists"),
])
def test_matrix_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("call, error, message", [
    (lambda: md.linalg.norm(t([1, 2])), TypeError, r"linalg.norm: expected a floating point or complex tensor as "
                                                   r"input, got int64\[2\]"),
    (lambda: md.linalg.norm(md.ones(2, 2, 2), 2), OpError, r"linalg.norm: if dim is not specified but ord is, the "
                                                           r"input must be 1D or 2D, got float32\[2, 2, 2\]"),
    (lambda: md.linalg.norm(md.ones(2, 2, 2), dim=(0, 1, 2)), OpError, r"linalg.norm: if dim is specified, it must "
                                                                       r"be of length 1 or 2"),
    (lambda: md.linalg.norm(md.ones(2), "fro"), OpError, r"linalg.matrix_norm: the input tensor A must have at least "
                                                         r"2 dimensions, got float32\[2\]"),
    (lambda: md.linalg.norm(md.ones(2, 2, 2), "nuc"), OpError, r"linalg.norm: if dim is not specified but ord is"),
    (lambda: md.linalg.matrix_norm(md.ones(2, 2), 0), OpError, r"linalg.matrix_norm: order 0 not supported"),
    (lambda: md.linalg.matrix_norm(md.ones(2, 2), dim=(0, 0)), OpError, r"dims must be different, got \(0, 0\)"),
    (lambda: md.linalg.matrix_norm(md.ones(2, 2), dim=1), OpError, r"linalg.matrix_norm: dim must be a 2-tuple"),
    (lambda: md.linalg.vector_norm(md.ones(2), "fro"), TypeError, r"linalg.vector_norm: ord must be a number"),
])
def test_norm_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_linalg_namespace_and_matrix_values():
    m = t([[1.0, -2.0], [3.0, 4.0]])
    assert math.isclose(md.linalg.norm(m).item(), math.sqrt(30), rel_tol=1e-6)
    assert md.linalg.norm(m, 1).item() == 6.0 and md.linalg.norm(m, float("inf")).item() == 7.0
    assert md.linalg.norm(t([3.0, -4.0])).item() == 5.0 and md.linalg.det(m).item() == pytest.approx(10.0)
    assert np.allclose(md.linalg.inv(m).numpy() @ m.numpy(), np.eye(2), atol=1e-6)
    assert md.diag(t([1.0, 2.0]), 1).tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    assert md.trace(t([[1, 2], [3, 4]])).dtype == md.int64
    assert md.addmm(t([float("nan"), 1.0]), md.ones(3, 2), md.ones(2, 2), beta=0).tolist() == [[2.0, 2.0]] * 3


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (2, 0, 3)])
@pytest.mark.parametrize("ord", [1, 2, float("inf"), "fro", "nuc"])
def test_matrix_norms_of_matrices_without_entries_are_zero(shape, ord):
    """The largest column sum, row sum or singular value of no entries is 0, as in PyTorch (numpy's amax would
    refuse the empty reduction), with a zero gradient."""
    x = md.zeros(shape, requires_grad=True)
    out = md.linalg.matrix_norm(x, ord)
    assert out.shape == shape[:-2] and (out.detach().numpy() == 0).all()
    out.sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize("ord", [-1, -2, -float("inf")])
def test_smallest_norms_of_matrices_without_entries_are_refused(ord):
    with pytest.raises(IndexError, match="amin.*non-zero size"):
        md.linalg.matrix_norm(md.zeros(0, 0), ord)


def test_det_gradient_is_det_times_inverse_transpose():
    a = t([[2.0, 1.0], [1.0, 3.0]], md.float64, requires_grad=True)
    md.det(a).backward()
    assert np.allclose(a.grad.numpy(), 5.0 * np.linalg.inv(a.detach().numpy()).T)


# ------------------------------------------------------------------------------------- elementwise math

@pytest.mark.parametrize("name", ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "erfc"])
def test_integers_become_the_default_float(name):
    assert getattr(md, name)(t([1 if name == "acosh" else 0])).dtype == md.float32


def test_elementwise_errors():
    with pytest.raises(TypeError, match=r"erf: not defined for complex tensors \(got complex64\[1\]\)"):
        md.erf(t([1 + 1j]))
    with pytest.raises(TypeError, match=r"atan2: not implemented for complex tensors"):
        md.atan2(t([1 + 1j]), t([1.0]))
    with pytest.raises(TypeError, match=r"lerp: not implemented for int64\[2\] and int64\[2\]"):
        md.lerp(t([1, 2]), t([3, 4]), 0.5)
    with pytest.raises(TypeError, match=r"lerp\(\): input and end must be tensors, got Tensor and float"):
        md.lerp(t([1.0]), 3.0, 0.5)
    with pytest.raises(TypeError, match=r"nan_to_num: posinf must be a number or None, got str"):
        md.nan_to_num(t([1.0]), posinf="big")
    with pytest.raises(TypeError, match=r"cumprod\(\): dim must be an int, got None"):
        md.cumprod(t([1.0]), None)
    with pytest.raises(OpError, match=r"diff: expects input to be at least one-dimensional, got float32\[\]"):
        md.diff(t(1.0))
    with pytest.raises(OpError, match=r"diff: order n must be a non-negative int, got -1"):
        md.diff(t([1.0]), -1)
    with pytest.raises(OpError, match=r"diff: expects prepend or append to be the same dimension as input"):
        md.diff(md.ones(1, 2), prepend=md.ones(1))


def test_elementwise_values_like_pytorch():
    assert md.nan_to_num(t([float("nan"), float("inf"), -float("inf")])).tolist() == [
        0.0, float(np.finfo(np.float32).max), float(np.finfo(np.float32).min)]
    assert md.nan_to_num(t([1, 2])).tolist() == [1, 2]
    assert md.arctan2 is md.atan2 and md.arcsinh is md.asinh
    assert md.cumprod(t([1, 2, 3]), 0).tolist() == [1, 2, 6] and md.cumprod(t([True, True]), 0).dtype == md.int64
    assert md.diff(t([1, 3, 6, 10]), n=2).tolist() == [1, 1] and md.diff(t([1, 3, 6, 10]), n=5).tolist() == []
    assert md.diff(t([True, False, False])).tolist() == [True, False]
    assert md.erf(t([0.0, 1.0])).tolist() == pytest.approx([0.0, math.erf(1.0)])
    assert md.erfc(t([10.0], md.float64)).item() == pytest.approx(math.erfc(10.0), rel=1e-12)


def test_cumprod_gradient_with_zeros():
    x = t([2.0, 0.0, 3.0, 0.0, 5.0], md.float64, requires_grad=True)
    md.cumprod(x, 0).sum().backward()
    # d/dx_i of sum_j prod_{k<=j} x_k: only the products up to the first zero survive
    assert x.grad.tolist() == [1.0, 2.0 + 2 * 3.0, 0.0, 0.0, 0.0]


# ------------------------------------------------------------------------------------------------ shapes

@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.movedim((0, 1), (2,)), OpError, r"movedim: invalid source or destination dims"),
    (lambda x: x.movedim((0, 0), (1, 2)), OpError, r"movedim: repeated dim in `source` \(\[0, 0\]\)"),
    (lambda x: x.movedim(3, 0), OpError, r"movedim: dimension out of range"),
    (lambda x: x.t(), OpError, r"t\(\) expects a tensor with <= 2 dimensions, but self is 3D \(float32\[2, 3, 4\]\)"),
    (lambda x: x.t_(), OpError, r"t\(\) expects a tensor with <= 2 dimensions"),
    (lambda x: x.narrow(1, 2, 2), OpError, r"narrow\(\): start \(2\) \+ length \(2\) exceeds dimension size \(3\)"),
    (lambda x: x.narrow(1, -4, 1), IndexError, r"narrow\(\): start out of range \(expected to be in range of "
                                               r"\[-3, 3\], but got -4\)"),
    (lambda x: x.narrow(1, 1, -1), OpError, r"narrow\(\): length must be non-negative"),
    (lambda x: x.unflatten(2, (3, 2)), OpError, r"unflatten: provided sizes \[3, 2\] don't multiply up to the size "
                                                r"of dim 2 \(4\) in the input tensor float32\[2, 3, 4\]"),
    (lambda x: x.unflatten(2, ()), OpError, r"unflatten: sizes must be non-empty"),
    (lambda x: x.unflatten(2, (-1, -1)), OpError, r"unflatten: only one dimension can be inferred"),
])
def test_shape_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(md.zeros(2, 3, 4))


def test_stack_and_meshgrid_errors():
    with pytest.raises(TypeError, match=r"vstack: expected a non-empty list or tuple of tensors"):
        md.vstack(md.ones(2))
    with pytest.raises(OpError, match=r"hstack: expected a non-empty list or tuple of tensors"):
        md.hstack([])
    with pytest.raises(OpError, match=r'meshgrid: indexing must be one of "xy" or "ij", but received: \'foo\''):
        md.meshgrid(md.ones(2), indexing="foo")
    with pytest.raises(OpError, match=r"meshgrid: expected 0D or 1D tensors .*got float32\[1, 1\]"):
        md.meshgrid(md.ones(1, 1), indexing="ij")
    with pytest.raises(TypeError, match=r"meshgrid: expects all tensors to have the same dtype, got float32\[1\] "
                                        r"and int64\[1\]"):
        md.meshgrid(md.ones(1), t([1]), indexing="ij")


def test_meshgrid_warns_without_indexing_like_pytorch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x, y = md.meshgrid(t([1, 2]), t([3, 4, 5]))
    assert "it will be required to pass the indexing argument" in str(caught[0].message)
    assert caught[0].filename == __file__  # the warning points at the caller
    assert x.tolist() == [[1, 1, 1], [2, 2, 2]] and y.tolist() == [[3, 4, 5], [3, 4, 5]]
    assert [tuple(g.shape) for g in md.meshgrid(t([1, 2]), t([3, 4, 5]), indexing="xy")] == [(3, 2), (3, 2)]


def test_t_in_place_and_ndimension():
    x = md.arange(6.0).reshape(2, 3)
    base = x.numpy()
    assert x.t_() is x and tuple(x.shape) == (3, 2) and x.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert np.shares_memory(x.numpy(), base)  # only the strides changed, as in PyTorch
    v = md.ones(3)
    assert v.t_() is v and md.t(v) is not v and v.ndimension() == 1 and md.zeros(2, 3, 4).ndimension() == 3
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        md.zeros(2, 3, requires_grad=True).t_()
    w = md.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = w * 1
    y.t_()
    (y * md.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    assert tuple(y.shape) == (3, 1) and w.grad.tolist() == [[1.0, 2.0, 3.0]]


def test_shape_helper_values():
    x = md.zeros(2, 3, 4)
    assert tuple(md.movedim(x, (0, 1), (2, 0)).shape) == (3, 4, 2) and tuple(md.moveaxis(x, 0, 1).shape) == (3, 2, 4)
    assert tuple(x.narrow(1, md.tensor(1), 2).shape) == (2, 2, 4) and tuple(md.narrow(x, 1, 3, 0).shape) == (2, 0, 4)
    assert tuple(md.zeros(0, 2).unflatten(0, (-1, 2)).shape) == (0, 2, 2)
    assert md.vstack([t(1.0), t(2.0)]).tolist() == [[1.0], [2.0]]
    assert md.hstack([t(1.0), t([2.0, 3.0])]).tolist() == [1.0, 2.0, 3.0]
