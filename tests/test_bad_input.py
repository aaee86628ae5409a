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


def test_expand_with_minus_one_in_a_new_leading_dim():
    with pytest.raises(RuntimeError, match=r"expanded size of the tensor \(-1\) isn't allowed in a leading, "
                                           r"non-existing dimension 0"):
        T.ones(2, 3).expand(-1, 2, 3)
    assert T.ones(2, 3).expand(4, -1, 3).shape == (4, 2, 3)


def test_assigned_grad_must_fit_the_tensor():
    p = T.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"assigned grad has data of a different size.*float32\[3\].*float32\[1\]"):
        p.grad = T.tensor([5.0])  # an optimizer step would broadcast it over every element
    with pytest.raises(RuntimeError, match=r"assigned grad has data of a different type"):
        p.grad = T.zeros(3, dtype=T.float64)
    with pytest.raises(TypeError, match=r"assigned grad expected to be a Tensor or None but got grad of type int"):
        p.grad = 5
    p.grad = T.ones(3)
    p.grad = None
    assert p.grad is None


@pytest.mark.parametrize("leaf", [True, False])
def test_gradient_hook_must_keep_dtype_and_shape(leaf):
    def run(hook):
        x = T.ones(3, requires_grad=True)
        y = x * 2
        (x if leaf else y).register_hook(hook)
        (y * 3).sum().backward()
    with pytest.raises(RuntimeError, match=r"hook '<lambda>' has changed the type of value \(was float32 got float64"):
        run(lambda g: g.double())
    with pytest.raises(RuntimeError, match=r"hook '<lambda>' has changed the size of value \(was \[3\] got \[4\]\)"):
        run(lambda g: T.ones(4))
    with pytest.raises(TypeError, match=r"hook '<lambda>' returned int; a gradient hook must return a Tensor"):
        run(lambda g: 1)


def test_optimizer_given_a_tensor_instead_of_an_iterable():
    with pytest.raises(TypeError, match=r"should be an iterable of Tensors or dicts, but got a float32 tensor of "
                                        r"shape \[3\]"):
        T.optim.SGD(T.ones(3), lr=0.1)


def test_index_select_refuses_negative_positions():
    with pytest.raises(IndexError, match=r"index_select: index -1 is out of bounds for dimension 0 with size 5"):
        T.index_select(T.arange(5.0), 0, T.tensor([0, -1]))
    with pytest.raises(IndexError, match=r"index_select: index 3 is out of bounds for dimension 1 with size 3"):
        T.ones(2, 3).index_select(1, T.tensor([3]))


@pytest.mark.parametrize("make, error, message", [
    (lambda: T.randint(5, 5, (3,)), RuntimeError, r"random_ expects 'from' to be less than 'to', but "
                                                  r"got from=5 >= to=5"),
    (lambda: T.eye(-1), RuntimeError, r"eye\(\): n must be greater or equal to 0, got -1"),
    (lambda: T.arange(0, float("inf")), RuntimeError, r"arange\(\): unsupported range: 0 -> inf"),
    (lambda: T.randperm(-1), RuntimeError, r"randperm\(\): n must be non-negative, got -1"),
    (lambda: T.tensor([[1, 2], [3]]), ValueError, r"tensor\(\): expected sequence of length 2 at dim 1 \(got 1\)"),
    (lambda: T.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]]), ValueError, r"expected sequence of length 2 at dim 2"),
    (lambda: T.tensor([[1, 2], 3]), ValueError, r"expected a sequence at dim 1 \(got a number\)"),
    (lambda: T.ones(3).fill_(T.ones(2)), RuntimeError, r"fill_ only supports 0-dimension value tensor but got "
                                                       r"tensor with 1 dimensions"),
    (lambda: T.ones(3).copy_(T.ones(2, 3)), RuntimeError, r"copy_: the source float32\[2, 3\] cannot be broadcast "
                                                          r"to the shape \[3\]"),
    (lambda: T.ones(3, dtype=T.complex64) % 2, TypeError, r"remainder: not implemented for complex numbers"),
    (lambda: 2 // T.ones(3, dtype=T.complex64), TypeError, r"floor_divide: not implemented for complex numbers"),
    (lambda: T.autograd.grad((T.ones(3, requires_grad=True) * 2).sum(), 5), TypeError,
     r"autograd.grad: inputs must be tensors .* input 0 is int"),
    (lambda: T.nn.LSTM(2, 3)([[1.0, 2.0]]), TypeError, r"LSTM: expected input to be a Tensor, got list"),
    (lambda: T.nn.GRU(4, 5)(T.ones(3, 2, 4), (T.zeros(1, 2, 5),)), TypeError,
     r"GRU: expected hx to be a Tensor, got tuple"),
    (lambda: T.nn.BatchNorm1d(3)([1, 2, 3]), TypeError, r"BatchNorm1d: expected a Tensor input, got list"),
    (lambda: T.save(T.ones(2), 5), TypeError, r"expected a path .* or a binary file object to write to, got int"),
])
def test_mistakes_named_in_their_own_terms(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_saving_into_a_missing_directory_names_the_path_given(tmp_path):
    target = tmp_path / "missing" / "model.pt"
    with pytest.raises(FileNotFoundError, match=f"cannot write '{target}': the directory"):
        T.save(T.ones(2), str(target))


def test_binary_cross_entropy_checks_input_and_target_ranges():
    F = T.nn.functional
    with pytest.raises(ValueError, match=r"all elements of target should be between 0 and 1 \(got values from 2.0"):
        F.binary_cross_entropy(T.full((4,), 0.5), T.full((4,), 2.0))
    with pytest.raises(ValueError, match=r"all elements of input should be between 0 and 1 .*and NaN"):
        F.binary_cross_entropy(T.tensor([float("nan"), 0.5]), T.ones(2))
    assert F.binary_cross_entropy(T.tensor([0.5, 0.5]), T.tensor([0.0, 1.0])).item() == pytest.approx(0.6931472)
