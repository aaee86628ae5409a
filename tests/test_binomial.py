"""``torch.binomial(count, prob)``: draws with the right mean and variance, reproducible with ``manual_seed`` or a
generator, broadcasting, no gradient, and clear errors."""
import numpy as np
import pytest

import minidl.eager as T


def test_draws_have_the_binomial_mean_and_variance():
    T.manual_seed(0)
    counts, probs = T.full((20000,), 30.0), T.full((20000,), 0.2)
    draws = T.binomial(counts, probs).numpy()
    assert draws.dtype == np.float32 and set(np.unique(draws)) <= set(range(31))
    assert abs(draws.mean() - 6.0) < 0.05 and abs(draws.var() - 4.8) < 0.15  # n p, n p (1 - p)


def test_edges_and_broadcasting():
    out = T.binomial(T.tensor([[0.0], [10.0]], dtype=T.float64), T.tensor([0.0, 1.0, 0.5], dtype=T.float64))
    assert out.shape == (2, 3) and out.dtype == T.float64
    np.testing.assert_array_equal(out.numpy()[:, :2], [[0.0, 0.0], [0.0, 10.0]])


def test_reproducible_and_without_gradient():
    count = T.tensor([10.0, 20.0], requires_grad=True)
    prob = T.tensor([0.5, 0.1], requires_grad=True)
    T.manual_seed(3)
    first = T.binomial(count, prob)
    T.manual_seed(3)
    assert T.equal(first, T.binomial(count, prob)) and not first.requires_grad
    generator = T.Generator().manual_seed(9)
    again = T.Generator().manual_seed(9)
    assert T.equal(T.binomial(count, prob, generator), T.binomial(count, prob, generator=again))


@pytest.mark.parametrize("count, prob, error, match", [
    (T.tensor([10, 20]), T.tensor([0.5, 0.1]), TypeError, "binomial only supports floating-point dtypes for count"),
    (T.tensor([10.0]), T.tensor([0.5], dtype=T.float64), TypeError, "same dtype"),
    (T.tensor([10.0]), T.tensor([1.5]), RuntimeError, r"binomial expects all elements of prob to be in \[0, 1\]"),
    (T.tensor([-1.0]), T.tensor([0.5]), RuntimeError, "count >= 0"),
    (T.tensor([10.0, 20.0]), T.tensor([0.5, 0.1, 0.2]), RuntimeError, r"binomial: the shapes .*\[2\].*\[3\]"),
    ([10.0], T.tensor([0.5]), TypeError, "argument 'count' must be a Tensor"),
])
def test_errors(count, prob, error, match):
    with pytest.raises(error, match=match):
        T.binomial(count, prob)
