"""One test per class of mistake a learner makes, each asserting an error that names the op and the
shapes/dtypes involved (never a wrong answer, never a crash deep inside numpy)."""
import pytest

import minidl
import minidl.eager as T


def test_matmul_shape_mismatch():
    with pytest.raises(ValueError, match=r"matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        T.ones(2, 3) @ T.ones(4, 5)


def test_broadcast_shape_mismatch():
    with pytest.raises(ValueError, match=r"(?i)add.*\[2, 3\].*\[4\]|add.*\(2, 3\).*\(4,\)"):
        T.ones(2, 3) + T.ones(4)


def test_index_with_a_float_tensor():
    with pytest.raises(IndexError, match=r"tensors used as indices must be long, int, byte or bool tensors.*float32"):
        T.arange(5)[T.tensor([1.0, 2.0])]


def test_bool_tensor_where_a_float_is_needed():
    with pytest.raises(RuntimeError, match=r"only Tensors of floating point and complex dtype can require gradients"):
        T.tensor([True, False], requires_grad=True)
    with pytest.raises(TypeError, match=r"mean.*bool"):
        T.tensor([True, False]).mean()


def test_backward_on_a_non_scalar_without_gradient():
    with pytest.raises(RuntimeError, match=r"grad can be implicitly created only for scalar outputs .*\[2, 2\]"):
        (T.ones(2, 2, requires_grad=True) * 2).backward()


@pytest.mark.skipif(not minidl.cuda_is_available(), reason="mixing devices needs a GPU")
def test_mixing_devices():
    with pytest.raises(RuntimeError, match=r"Add: expected all tensors to be on the same device.*cpu.*cuda:0"):
        T.ones(2) + T.ones(2, device="cuda")


@pytest.mark.parametrize("call", [
    lambda: T.ones(2, 3).gather(1, T.zeros(2, 1)),
    lambda: T.ones(3).index_select(0, T.zeros(1)),
    lambda: T.nn.Embedding(3, 2)(T.zeros(2)),
    lambda: T.nn.functional.cross_entropy(T.ones(2, 3), T.tensor([0.5, 1.0])),
    lambda: T.tensor([1, 2]).mean(),
], ids=["gather", "index_select", "embedding", "cross_entropy", "mean_of_int"])
def test_a_wrong_dtype_is_a_runtime_error_as_pytorch_raises_and_a_type_error(call):
    """PyTorch programs catch RuntimeError; TensorFlow's (and Python's) habit is TypeError: both catch it."""
    with pytest.raises(RuntimeError) as caught:
        call()
    message = str(caught.value)
    assert isinstance(caught.value, TypeError) and ("float32" in message or "int64" in message)
