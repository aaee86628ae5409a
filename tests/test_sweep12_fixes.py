"""Gaps found by the beginner-program sweep of session 12, each checked on minidl and, where it is installed, on
PyTorch with the same assertions: ``linspace`` rounded as PyTorch rounds it (a point meant to be 0 falls on the
same side of relu's kink); a shape plus a tuple stays a size; a format spec on a tensor that is not 0-d is a
TypeError; ``float()`` of a tensor that requires grad warns only while gradients are recorded; a cross-entropy
target with an extra dim of size 1 is a RuntimeError that says so; a PyTorch checkpoint is refused with its
reason; a grad_fn's type is named after its op (``SumBackward0``); a complex parameter is two real ones to the
optimizers; LBFGS reads its loss without the requires-grad warning; optimizers take step hooks, modules the old
``register_backward_hook``; division rounded toward zero has no gradient to turn into NaN where b is 0."""
import math
import warnings

import numpy as np
import pytest

import minidl.eager as T
import minidl.eager.nn.functional as F


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


@pytest.mark.parametrize("start, end, steps", [(-1, 1, 7), (-np.pi, np.pi, 2000), (3, -2.5, 11), (0.1, 0.7, 5),
                                               (-10, 10, 1001), (2, 9, 1), (0, 1, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_linspace_rounds_as_pytorch_does(start, end, steps, dtype):
    ours = T.linspace(start, end, steps, dtype=getattr(T, dtype)).numpy()
    torch = pytest.importorskip("torch")
    theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_the_middle_of_a_symmetric_linspace_is_just_below_zero(lib):
    # computed from both ends: the second half counts down from 1, and 1 - 3 * float32(1/3) is -2**-25
    x = lib.linspace(-1, 1, 7, requires_grad=True)
    assert x[3].item() == -2.0 ** -25
    x.relu().sum().backward()
    assert x.grad.tolist() == [0, 0, 0, 0, 1, 1, 1]


def test_a_shape_plus_a_tuple_is_a_size(lib):
    shape = lib.ones(2, 3, 4).shape
    assert isinstance(shape + (5,), lib.Size) and shape + (5,) == (2, 3, 4, 5) and (shape + (5,)).numel() == 120
    assert isinstance((1,) + shape, lib.Size) and (1,) + shape == (1, 2, 3, 4)
    assert shape[1:] == (3, 4) and isinstance(shape[0], int)


def test_format_specs(lib):
    assert f"{lib.tensor(1.23456):.2f}" == "1.23"
    assert f"{lib.tensor([1.5])}" == str(lib.tensor([1.5]))
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        f"{lib.tensor([1.23456]):.2f}"


def test_a_scalar_of_a_tensor_that_requires_grad_warns_only_while_recording(lib):
    x = lib.ones(1, requires_grad=True) * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with lib.no_grad():
            assert float(x) == 2.0  # nothing would be recorded: no warning


@pytest.mark.parametrize("input_shape, target_shape, squeeze, message", [
    ((4, 3), (4, 1), 1, "0D or 1D target tensor expected, multi-target not supported"),
    ((2, 3, 5, 5), (2, 1, 5, 5), 1, r"only batches of spatial targets supported \(3D tensors\) but got targets of "
                                    r"dimension: 4")])
def test_a_class_index_target_with_an_extra_dim_is_a_runtime_error(lib, input_shape, target_shape, squeeze, message):
    logits, target = lib.zeros(*input_shape), lib.zeros(*target_shape, dtype=lib.long)
    with pytest.raises(RuntimeError, match=message) as caught:
        lib.nn.functional.cross_entropy(logits, target)
    if lib is T:  # minidl's says what to do
        assert f"target.squeeze({squeeze})" in str(caught.value)
    assert F.cross_entropy(T.zeros(*input_shape), T.zeros(*target_shape, dtype=T.long).squeeze(squeeze)).item() == \
        pytest.approx(np.log(3))


def test_a_pytorch_checkpoint_is_refused_with_its_reason(tmp_path):
    path = tmp_path / "model.pt"
    torch = pytest.importorskip("torch")
    torch.save({"weight": torch.ones(2)}, path)
    with pytest.raises(ValueError, match="zip archive, as PyTorch's torch.save writes.*never loads"):
        T.load(path)


def test_a_grad_fns_type_is_named_after_its_op(lib):
    x = lib.ones(2, requires_grad=True)
    y = (x * 3 + 1).relu().sum()
    assert type(y.grad_fn).__name__ == "SumBackward0" == y.grad_fn.name()
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "ReluBackward0"


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_optimizers_treat_a_complex_parameter_as_two_real_ones(name):
    """As PyTorch: the second moments are the parts' squares, not the complex g·g (with which the imaginary part
    never moved)."""
    def trajectory(lib):
        p = lib.nn.Parameter(lib.tensor([1 + 1j, 2 - 1j]))
        optimizer = getattr(lib.optim, name)([p], lr=0.1, **({"momentum": 0.9} if name == "SGD" else {}))
        for _ in range(3):
            optimizer.zero_grad()
            ((p * lib.tensor([0.5 - 2j, -1 + 0.3j])).real.sum() + (p.abs() ** 2).sum()).backward()
            optimizer.step()
        return p.detach().numpy()
    ours = trajectory(T)
    assert abs(ours.imag - np.array([1, -1])).min() > 0.1  # the imaginary parts moved
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(ours, trajectory(torch), rtol=1e-5)


def test_lbfgs_reads_its_loss_without_the_requires_grad_warning():
    x = T.nn.Parameter(T.tensor([1.5, -0.5]))
    optimizer = T.optim.LBFGS([x], lr=1, max_iter=5)

    def closure():
        optimizer.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), [1, 1], atol=1e-5)


def test_optimizer_step_hooks_and_the_old_backward_hook(lib):
    p = lib.nn.Parameter(lib.ones(2))
    optimizer = lib.optim.SGD([p], lr=0.1)
    seen = []
    first = optimizer.register_step_pre_hook(lambda opt, args, kwargs: seen.append("pre"))
    optimizer.register_step_post_hook(lambda opt, args, kwargs: seen.append("post"))
    p.grad = lib.ones(2)
    optimizer.step()
    first.remove()
    optimizer.step()
    assert seen == ["pre", "post", "post"]
    layer, grads = lib.nn.Linear(2, 1), []
    layer.register_backward_hook(lambda module, grad_input, grad_output: grads.append(grad_output[0].shape))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (PyTorch warns that the old hook misses some grad_input)
        layer(lib.ones(3, 2, requires_grad=True)).sum().backward()
    assert grads == [(3, 1)]


@pytest.mark.parametrize("name, share", [("logaddexp", 1 / (1 + math.e ** 0.5)), ("logaddexp2", 1 / (1 + 2 ** 0.5))])
def test_logaddexp_gives_an_infinite_argument_the_whole_gradient(lib, name, share):
    a = lib.tensor([1.0, math.inf, 2.0], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([math.inf, 3.0, 2.5], dtype=lib.float64, requires_grad=True)
    getattr(lib, name)(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [0, 1, share])
    np.testing.assert_allclose(b.grad.numpy(), [1, 0, 1 - share])


def test_the_median_of_all_entries_shares_its_gradient_among_its_ties(lib):
    x = lib.tensor([[1.0, 3.0, 2.0], [3.0, 1.0, 1.0]], dtype=lib.float64, requires_grad=True)
    x.median().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1 / 3, 0, 0], [0, 1 / 3, 1 / 3]])
    y = lib.tensor([1.0, math.nan, math.nan, 2.0], dtype=lib.float64, requires_grad=True)
    y.median().backward()  # a NaN median: the NaNs share it
    np.testing.assert_allclose(y.grad.numpy(), [0, 0.5, 0.5, 0])


def test_division_rounded_toward_zero_passes_no_nan_gradient_where_the_divisor_is_zero(lib):
    a = lib.tensor([7.0, -7.0, 5.0, 0.0], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([2.0, 2.0, 0.0, 0.0], dtype=lib.float64, requires_grad=True)
    quotient = lib.div(a, b, rounding_mode="trunc")
    np.testing.assert_array_equal(quotient.detach().numpy(), [3.0, -3.0, math.inf, math.nan])
    (a + quotient).sum().backward()  # piecewise constant: it adds nothing, and above all no 0·∞
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0, 1.0, 1.0])
