"""``index_reduce`` and ``Tensor.index_reduce_`` beyond the op table (specs_index_reduce.py): PyTorch's values
on integers and 0-d tensors, the in-place form, where the gradient at a tie differs on purpose, and the errors."""
import warnings

import numpy as np
import pytest

import minidl.eager as T

torch = pytest.importorskip("torch")


def _torch(fn):
    with warnings.catch_warnings():  # ("index_reduce() is in beta")
        warnings.simplefilter("ignore", UserWarning)
        return fn()


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_integers_match_torch(reduce, include_self):
    x, source, index = np.arange(12).reshape(3, 4) - 5, np.arange(8).reshape(2, 4) * 3 - 7, np.array([2, 2])
    ours = T.index_reduce(T.tensor(x), 0, T.tensor(index), T.tensor(source), reduce, include_self=include_self)
    theirs = _torch(lambda: torch.index_reduce(torch.tensor(x), 0, torch.tensor(index), torch.tensor(source), reduce,
                                               include_self=include_self))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())  # (an integer mean is rounded down)


def test_in_place_method_and_int32_index():
    x = T.tensor([[1.0, 5.0], [3.0, 2.0], [4.0, 4.0]])
    same = x.index_reduce_(0, T.tensor([0, 2], dtype=T.int32), T.tensor([[2.0, 6.0], [9.0, 1.0]]), "amax")
    assert same is x
    np.testing.assert_array_equal(x.numpy(), [[2.0, 6.0], [3.0, 2.0], [9.0, 4.0]])
    assert T.equal(T.tensor([[1.0], [2.0]]).index_reduce(1, T.tensor([0]), T.tensor([[3.0], [4.0]]), "prod"),
                   T.tensor([[3.0], [8.0]]))


def test_zero_dim_tensor_is_one_slice():
    out = T.index_reduce(T.tensor(2.0), 0, T.tensor([0]), T.tensor(3.0), "prod")
    assert out.shape == () and out.item() == 6.0


def test_a_left_out_x_takes_no_share_of_a_tie():
    """include_self=False: x = 5 equals the maximum of the values sent (5) but was left out, so the source value
    gets the whole gradient (PyTorch counts x among the ties and drops its half: scatter_reduce.py)."""
    x = T.tensor([[1.0, 5.0]], requires_grad=True)
    source = T.tensor([[3.0, 5.0]], requires_grad=True)
    T.index_reduce(x, 0, T.tensor([0]), source, "amax", include_self=False).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.0]])
    np.testing.assert_array_equal(source.grad.numpy(), [[1.0, 1.0]])


@pytest.mark.parametrize("call, error, match", [
    (lambda x: T.index_reduce(x, 0, T.tensor([0]), x[:1], "sum"), ValueError,
     "index_reduce.*one of prod, mean, amax or amin but got 'sum'"),
    (lambda x: T.index_reduce(x, 0, T.tensor([0.0]), x[:1], "prod"), TypeError, "index_reduce_.*index"),
    (lambda x: T.index_reduce(x, 0, T.tensor([0]), x, "prod"), RuntimeError,
     r"Number of indices \(1\) should be equal to source.size\(dim\) \(3\)"),
    (lambda x: T.index_reduce(x, 0, T.tensor([0, 1, 2]), x[:, :1], "prod"), ValueError,
     "source tensor shape must match self tensor shape"),
    (lambda x: T.index_reduce(x, 0, T.tensor([[0]]), x[:1], "prod"), IndexError, "Index is supposed to be a vector"),
    (lambda x: T.index_reduce(x, 0, T.tensor([0]), x[:1].float(), "prod"), TypeError, "same scalar type"),
    (lambda x: T.index_reduce(x, 0, T.tensor([3]), x[:1], "prod"), IndexError, "out of bounds"),
    (lambda x: T.index_reduce(x, 0, T.tensor([-1]), x[:1], "prod"), IndexError, "out of bounds"),
    (lambda x: T.index_reduce(x, 2, T.tensor([0]), x[:1], "prod"), IndexError, "index_reduce_"),
    (lambda x: T.index_reduce(x > 0, 0, T.tensor([0]), x[:1] > 0, "mean"), NotImplementedError, "mean"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(T.tensor(np.arange(6.0).reshape(3, 2)))
