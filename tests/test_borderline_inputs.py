"""Borderline and bad input found by ~10,900 generated calls against PyTorch: a value where PyTorch refuses (a
wrong answer in disguise), a refusal whose message was lost, a crash deep in the library on valid input."""
import numpy as np
import pytest

import minidl.eager as T

F = T.nn.functional


@pytest.mark.parametrize("sampler", ["normal_", "uniform_", "exponential_", "log_normal_", "cauchy_"])
@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool"])
def test_a_continuous_sampler_refuses_an_integer_tensor(sampler, dtype):
    """uniform_() on an int64 tensor kept the truncated samples: all zeros. PyTorch refuses."""
    with pytest.raises(NotImplementedError, match=f'"{sampler}" not implemented for {dtype}'):
        getattr(T.zeros(3, dtype=getattr(T, dtype)), sampler)()
    assert getattr(T.zeros(3), sampler)().dtype == T.float32


@pytest.mark.parametrize("value", [None, "a", [1.0]])
def test_fill_takes_a_number_or_a_0d_tensor_only(value):
    with pytest.raises(TypeError, match="fill_\\(\\): argument 'value' must be a number or a 0-d tensor"):
        T.ones(3).fill_(value)  # None filled with NaN
    assert T.ones(2).fill_(T.tensor(4.0)).tolist() == [4.0, 4.0]


def test_a_numpy_type_error_keeps_its_message_and_names_the_op():
    """numpy's ufunc errors are subclasses whose constructors take more than a message: rebuilding one with the
    op's name lost the message ("__init__() missing 1 required positional argument: 'dtypes'")."""
    with pytest.raises(TypeError, match="IndexAdd: ufunc 'multiply' did not contain a loop"):
        T.ones(3).index_add(0, T.tensor([0]), T.ones(1), alpha="a")


@pytest.mark.parametrize("alpha", [-2.0, 0.5, 1.0, 3.0])
def test_celu_with_any_alpha_is_x_above_0_and_alpha_expm1_x_over_alpha_below(alpha):
    """alpha * elu(x / alpha) takes the wrong branch for a negative alpha: celu(1, alpha=-2) gave 0.787, not 1."""
    x = np.array([-50.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 80.0])
    expected = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0) / alpha))
    t = T.tensor(x, requires_grad=True)
    y = F.celu(t, alpha=alpha)
    y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12)
    # (expm1's gradient is 1 + expm1(x): below ~1e-16 it is 0, e^-50 included)
    np.testing.assert_allclose(t.grad.numpy(), np.where(x > 0, 1.0, np.exp(np.minimum(x, 0) / alpha)), rtol=1e-9,
                               atol=1e-15)
    np.testing.assert_allclose(T.nn.CELU(alpha)(T.tensor(x)).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("mode, expected", [("bilinear", [np.nan, 9.5]), ("nearest", [0.0, 10.0]),
                                            ("bicubic", [np.nan, 12.013671875])])
def test_grid_sample_at_a_nan_point_with_zero_padding(mode, expected):
    """A NaN grid coordinate became the index -2^63 (gather: out of bounds). PyTorch's values: NaN where the
    interpolation weights are NaN, 0 for the nearest pixel (there is none)."""
    image = T.arange(12.0, dtype=T.float64).reshape(1, 1, 3, 4)
    grid = T.tensor([[[[float("nan"), 0.0], [0.5, 0.5]]]], dtype=T.float64)
    out = F.grid_sample(image, grid, mode=mode, align_corners=False)
    np.testing.assert_allclose(out.numpy().ravel(), expected, rtol=1e-9)


SIZES_AS_NUMPY_INTEGERS = {
    "Linear(np.prod(shape), 10)": lambda i: T.nn.Linear(np.prod((1, 28, 28)), 10).weight.shape == (10, 784),
    "Linear(0-d tensor, 2)": lambda i: T.nn.Linear(T.tensor(3), 2).in_features == 3,
    "Bilinear": lambda i: T.nn.Bilinear(i(2), i(3), i(4)).weight.shape == (4, 2, 3),
    "Conv2d channels and groups": lambda i: T.nn.Conv2d(i(3), i(6), 3, groups=i(3)).weight.shape == (6, 1, 3, 3),
    "MultiheadAttention": lambda i: T.nn.MultiheadAttention(i(8), 2).embed_dim == 8,
    "PReLU": lambda i: T.nn.PReLU(i(3)).weight.shape == (3,),
    "GroupNorm": lambda i: T.nn.GroupNorm(i(2), 4)(T.ones(2, 4, 3)).shape == (2, 4, 3),
    "F.group_norm": lambda i: F.group_norm(T.ones(2, 4, 3), i(1)).shape == (2, 4, 3),
    "ZeroPad2d": lambda i: T.nn.ZeroPad2d(i(1))(T.ones(1, 1, 2, 2)).shape == (1, 1, 4, 4),
    "ReflectionPad2d": lambda i: T.nn.ReflectionPad2d(i(1))(T.ones(1, 1, 2, 2)).shape == (1, 1, 4, 4),
    "embedding padding_idx": lambda i: F.embedding(T.tensor([0, 1]), T.ones(3, 2), padding_idx=i(0)).shape == (2, 2),
    "MaxPool2d kernel, stride from it": lambda i: T.nn.MaxPool2d(i(2))(T.ones(1, 1, 4, 4)).shape == (1, 1, 2, 2),
    "AvgPool1d stride": lambda i: F.avg_pool1d(T.ones(1, 1, 6), 2, stride=i(3)).shape == (1, 1, 2),
}


@pytest.mark.parametrize("case", SIZES_AS_NUMPY_INTEGERS)
def test_sizes_computed_with_numpy_are_taken_as_pytorch_takes_them(case):
    """PyTorch reads sizes through __index__: nn.Linear(np.prod(img_shape), 512), the GAN tutorials' line, was
    refused; a numpy integer stride made the pools fail with numpy's 'truth value of an empty array'."""
    assert SIZES_AS_NUMPY_INTEGERS[case](np.int64)


@pytest.mark.parametrize("bad", [2.0, -1, True, "3"])
def test_a_size_that_is_no_count_is_still_refused(bad):
    with pytest.raises(ValueError, match="Linear: in_features must be a non-negative int"):
        T.nn.Linear(bad, 2)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_of_only_empty_bags_belongs_to_the_weights_graph(mode):
    """Zeros, with a zero gradient for the weight (as PyTorch); they had no history, so backward was an error."""
    weight = T.ones(4, 3, requires_grad=True)
    out = F.embedding_bag(T.tensor(np.zeros(0, np.int64)), weight, T.tensor([0, 0]), mode=mode)
    assert out.requires_grad and out.tolist() == [[0.0] * 3] * 2
    out.sum().backward()
    assert weight.grad.tolist() == [[0.0] * 3] * 4


def test_embedding_bag_last_offset_must_close_the_input():
    """With include_last_offset the last offset ends the last bag (CSR); PyTorch does not check it, and its modes
    then disagree on where the last bag ends (sum: at the offset, max: at the input's end). It is refused."""
    weight = T.arange(20.0).view(5, 4)
    with pytest.raises(RuntimeError, match="must equal the input's length 4 .* got offsets\\[-1\\] = 3"):
        F.embedding_bag(T.tensor([1, 2, 3, 4]), weight, T.tensor([0, 2, 3]), mode="sum", include_last_offset=True)
    closed = F.embedding_bag(T.tensor([1, 2, 3, 4]), weight, T.tensor([0, 2, 4]), mode="sum", include_last_offset=True)
    assert closed.tolist() == [[12.0, 14.0, 16.0, 18.0], [28.0, 30.0, 32.0, 34.0]]


BAD_CALLS = {
    # (call, error class, words the message must hold) — each was numpy's or Python's own words, or a value
    "normal of shapes that do not broadcast": (lambda: T.normal(T.zeros(3), T.ones(4)), RuntimeError,
                                               "normal: shapes \\(3,\\) and \\(4,\\) cannot be broadcast"),
    "multinomial of -1 samples": (lambda: T.multinomial(T.tensor([0.5, 0.5]), -1), RuntimeError,
                                  "cannot sample n_sample <= 0 samples"),
    "multinomial of no categories": (lambda: T.multinomial(T.tensor([]), 1), RuntimeError, "no categories"),
    "squeeze of a float dim": (lambda: T.ones(2, 1).squeeze(1.0), TypeError, "squeeze: dim must be an int"),
    "unflatten of a 0-d tensor": (lambda: T.tensor(1.0).unflatten(0, (3, 2)), IndexError,
                                  "Dimension specified as 0 but tensor has no dimensions"),
    "threshold to a string": (lambda: F.threshold(T.ones(2), 0.5, "a"), TypeError,
                              "argument 'value' must be Number, not str"),
    "arange of bools": (lambda: T.arange(5, dtype=T.bool), NotImplementedError, "not implemented for 'Bool'"),
    "randperm of bools": (lambda: T.randperm(3, dtype=T.bool), NotImplementedError, "not implemented for 'Bool'"),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_a_bad_call_gets_an_error_that_names_the_op(case):
    call, error, words = BAD_CALLS[case]
    with pytest.raises(error, match=words):
        call()
