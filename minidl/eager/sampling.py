"""Sampling: ``bernoulli``, ``binomial``, ``poisson`` and ``multinomial``, and the in-place samplers every tensor
has (``normal_``, ``uniform_``, ``bernoulli_``, ``random_``, ``exponential_``, ``geometric_``, ``log_normal_``,
``cauchy_``).

Older PyTorch code initialises weights with them (``m.weight.data.normal_(0.0, 0.02)``), and sampling from a
model's output is ``torch.multinomial(probs, 1)``. Values come from the same numpy generator as ``rand``/``randn``
(``manual_seed`` makes them reproducible; ``generator=`` picks another). An in-place sampler is an in-place
change like any other: it bumps the tensor's version and refuses a leaf that requires grad while gradients are
recorded (use ``.data``, ``torch.no_grad()`` or ``nn.init``).
"""
import math
import numbers

import numpy

from ..backend import dtypes, to_device
from ..ops.base import describe
from ..ops.promote import c_type_name
from .random import numpy_rng
from .tensor import Tensor


def _from_host(array, like):
    """An untracked tensor holding ``array`` (drawn on the CPU) on ``like``'s device."""
    return Tensor._make(to_device(numpy.asarray(array), like.device))


def _fill_with(tensor, draw):
    """Write ``draw(shape)``, a numpy array, into ``tensor`` as an in-place change. A complex tensor gets a draw
    for its real and for its imaginary parts, as PyTorch fills its ``view_as_real``."""
    def drawn(t):
        shape = tuple(t.shape)
        if t.dtype.kind != "c":
            return draw(shape)
        pairs = draw(shape + (2,))
        return pairs[..., 0] + 1j * pairs[..., 1]
    return tensor._inplace(lambda t: _from_host(drawn(t).astype(t.dtype, copy=False), t))


def _real_only(name, tensor):
    """PyTorch draws only normal and uniform numbers into complex tensors: the other samplers refuse them."""
    if tensor.dtype.kind == "c":
        raise NotImplementedError(f'"{name}" not implemented for complex tensors ({describe(tensor)})')


def _continuous(name, tensor):
    """A continuous distribution's samples fit only a floating tensor (complex too, for normal_ and uniform_):
    PyTorch refuses integer and bool tensors, which would keep the truncated samples (uniform_: all zeros)."""
    if tensor.dtype.kind in "biu":
        raise NotImplementedError(f'"{name}" not implemented for {tensor.dtype} tensors ({describe(tensor)}): a '
                                  f"continuous distribution needs a floating-point tensor")


def _everywhere(value, test):
    """``test(value)`` for a number, or for every element of a tensor (NaN fails the comparisons in ``test``)."""
    if isinstance(value, Tensor):
        return bool(test(value._data).all())
    return bool(test(value))


def check_spread(name, what, value, zero_ok=True):
    """PyTorch's check of a distribution's spread or rate ``value`` (std, lambda, sigma; a number or a tensor):
    ``value >= 0``, or ``> 0`` where zero is meaningless. numpy would answer a negative one with "scale < 0", naming
    neither the function nor the argument."""
    relation, test = (">=", lambda v: v >= 0) if zero_ok else (">", lambda v: v > 0)
    if _everywhere(value, test):
        return
    if isinstance(value, Tensor):
        raise RuntimeError(f"{name} expects all elements of {what} {relation} 0.0")
    raise RuntimeError(f"{name} expects {what} {relation} 0.0, but found {what}={value}")


def check_integer_range(low, high, dtype):
    """PyTorch's checks of the range [low, high) that ``random_``/``randint`` draw integers from, for ``dtype``
    (numpy would draw from an empty range's error deep inside, or wrap values the dtype cannot hold)."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dtype = numpy.dtype(dtype)
    if dtype.kind in "iu":
        info, name = numpy.iinfo(dtype), c_type_name(dtype)
        if not info.min <= low <= info.max:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not info.min <= high - 1 <= info.max:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")


def check_probability(name, p, what="p"):
    """Every probability in ``p`` (a number or a tensor) must lie in [0, 1]."""
    if _everywhere(p, lambda v: (v >= 0) & (v <= 1)):
        return
    if isinstance(p, Tensor):
        raise RuntimeError(f"{name} expects all elements of {what} to be in [0, 1]")
    raise RuntimeError(f"{name} expects {what} to be in [0, 1], but got {what}={p}")


def check_bounds(name, low, high):
    """The range [low, high) of a uniform sampler: finite, and not upside down (PyTorch calls them from and to)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"{name} expects finite bounds, but found from={low}, to={high}")
    if low > high:
        raise RuntimeError(f"{name} expects to return a [from, to) range, but found from={low} > to={high}")


def check_distribution(name, rows):
    """Rows of category weights that can be sampled from: finite, none negative, each row with a positive sum."""
    if (rows < 0).any() or not numpy.isfinite(rows).all():
        raise RuntimeError(f"{name}: invalid multinomial distribution: probability tensor contains either inf, nan "
                           f"or element < 0")
    if (rows.sum(axis=-1) <= 0).any():
        raise RuntimeError(f"{name}: invalid multinomial distribution (sum of probabilities <= 0)")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std²) (complex: the real and imaginary parts each N(mean, std²/2))."""
    _continuous("normal_", self)
    check_spread("normal_", "std", std)
    if self.dtype.kind == "c":  # each part N(mean, std²/2): |z - mean|² has the expectation std²
        std = std / math.sqrt(2)
    return _fill_with(self, lambda shape: numpy_rng(generator).normal(mean, std, shape))


def uniform_(self, low=0.0, high=1.0, *, generator=None):
    """Fill with samples of U[low, high) (PyTorch calls the bounds ``from`` and ``to``; complex: each part)."""
    _continuous("uniform_", self)
    check_bounds("uniform_", low, high)
    return _fill_with(self, lambda shape: numpy_rng(generator).uniform(low, high, shape))


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with samples of the exponential distribution of rate ``lambd`` (mean 1 / lambd)."""
    _real_only("exponential_", self)
    _continuous("exponential_", self)
    check_spread("exponential_", "lambda", lambd, zero_ok=False)
    return _fill_with(self, lambda shape: numpy_rng(generator).exponential(1.0 / lambd, shape))


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to and including the first success: 1, 2, 3, ...
    (P(k) = (1 - p)^(k-1) p)."""
    _real_only("geometric_", self)
    if not 0 < p <= 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1], but got p={p}")
    return _fill_with(self, lambda shape: numpy_rng(generator).geometric(p, shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(N(mean, std²)) samples: ``mean`` and ``std`` are those of the underlying normal's log."""
    _real_only("log_normal_", self)
    _continuous("log_normal_", self)
    check_spread("log_normal_", "std", std, zero_ok=False)
    return _fill_with(self, lambda shape: numpy_rng(generator).lognormal(mean, std, shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy samples: ``median + sigma · tan(π(u - ½))``, u ~ U(0, 1) — heavy tails, no mean."""
    _real_only("cauchy_", self)
    _continuous("cauchy_", self)
    check_spread("cauchy_", "sigma", sigma, zero_ok=False)
    return _fill_with(self, lambda shape: median + sigma * numpy_rng(generator).standard_cauchy(shape))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability ``p`` (a number, or a tensor of probabilities broadcasting to self), else 0."""
    _real_only("bernoulli_", self)
    check_probability("bernoulli_", p)
    probabilities = p.detach().cpu().numpy() if isinstance(p, Tensor) else p  # (drawn on the host)
    return _fill_with(self, lambda shape: numpy_rng(generator).random(shape) < probabilities)


def random_(self, low=0, high=None, *, generator=None):
    """Fill with integers uniform on [low, high); ``random_(high)`` starts at 0. Without bounds: [0, 2^m], m the
    mantissa bits of a float dtype (every such integer is exact), or the non-negative values of an integer
    dtype."""
    _real_only("random_", self)
    if high is None and low != 0:
        low, high = 0, low
    if high is None:
        high = (2 ** (numpy.finfo(self.dtype).nmant + 1) + 1 if self.dtype.kind == "f"
                else int(numpy.iinfo(self.dtype).max) if self.dtype.kind in "iu" else 2)
    check_integer_range(low, high, self._data.dtype)
    return _fill_with(self, lambda shape: numpy_rng(generator).integers(low, high, shape))


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (elementwise; or the number ``p`` everywhere), else 0, in input's dtype."""
    check_probability("bernoulli", input if p is None else p, "input" if p is None else "p")
    probabilities = input.detach().cpu().numpy() if p is None else p  # (drawn on the host)
    return _from_host(numpy_rng(generator).random(tuple(input.shape)) < probabilities, input).to(input.dtype)


def poisson(input, generator=None):
    """A Poisson count drawn for each rate in ``input`` (non-negative), in input's dtype (no gradient: the counts
    are integers)."""
    rates = input.detach().cpu().numpy()
    if rates.dtype.kind != "f":
        raise TypeError(f"poisson: expected a floating point tensor of rates, got {input.dtype}")
    if not (rates >= 0).all():
        raise RuntimeError("poisson: invalid Poisson rate, expected rate to be non-negative")
    return _from_host(numpy_rng(generator).poisson(rates).astype(rates.dtype), input)


def binomial(count, prob, generator=None):
    """The number of successes in ``count`` trials of probability ``prob`` (float tensors of one dtype that
    broadcast together), drawn for each element, in that dtype. A fractional count is rounded down. No gradient:
    the draws are integers (PyTorch's result claims one and raises in backward; here it does not require grad).
    Unlike PyTorch, which then returns arbitrary numbers, a probability outside [0, 1] or a negative count is an
    error."""
    for what, value in (("count", count), ("prob", prob)):
        if not isinstance(value, Tensor):
            raise TypeError(f"binomial(): argument '{what}' must be a Tensor, not {type(value).__name__}")
        if value.dtype.kind != "f":
            raise TypeError(f"binomial only supports floating-point dtypes for {what}, got {value.dtype}")
    if count.dtype != prob.dtype:
        raise TypeError(f"binomial: count and prob must have the same dtype, got {count.dtype} and {prob.dtype}")
    counts, probabilities = count.detach().cpu().numpy(), prob.detach().cpu().numpy()
    try:
        shape = numpy.broadcast_shapes(counts.shape, probabilities.shape)
    except ValueError:
        raise RuntimeError(f"binomial: the shapes of count {list(counts.shape)} and prob {list(probabilities.shape)} "
                           f"do not broadcast") from None
    check_probability("binomial", prob, "prob")
    if not (counts >= 0).all():
        raise RuntimeError("binomial expects all elements of count >= 0 (and not NaN)")
    drawn = numpy_rng(generator).binomial(numpy.floor(counts).astype(numpy.int64), probabilities, shape)
    return _from_host(drawn.astype(counts.dtype), count)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Draw ``num_samples`` category indices per row of ``input`` (1-D or 2-D non-negative weights, not
    necessarily normalised): int64 of shape (num_samples,) or (rows, num_samples). Without ``replacement`` a
    category is drawn at most once per row, so a row needs at least ``num_samples`` non-zero weights."""
    weights = input.detach().cpu().numpy().astype(numpy.float64)
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {list(weights.shape)}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, numbers.Integral):
        raise TypeError(f"multinomial(): argument 'num_samples' must be int, not {type(num_samples).__name__}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got num_samples={num_samples})")
    if weights.shape[-1] == 0:
        raise RuntimeError(f"multinomial: no categories to sample from (prob_dist of shape {list(weights.shape)})")
    rows = weights.reshape(-1, weights.shape[-1])
    check_distribution("multinomial", rows)
    fewest = int((rows > 0).sum(axis=1).min())
    if not replacement and num_samples > fewest:
        raise RuntimeError(f"multinomial: cannot sample {num_samples} samples without replacement: a row has only "
                           f"{fewest} categories of non-zero probability")
    rng = numpy_rng(generator)
    drawn = numpy.stack([rng.choice(len(row), num_samples, replace=replacement, p=row / row.sum()) for row in rows])
    return _from_host(drawn.reshape(weights.shape[:-1] + (num_samples,)).astype(dtypes.int64), input)


for _method in (normal_, uniform_, exponential_, geometric_, log_normal_, cauchy_, bernoulli_, random_):
    setattr(Tensor, _method.__name__, _method)
Tensor.bernoulli = lambda self, p=None, *, generator=None: bernoulli(self, p, generator=generator)
Tensor.multinomial = lambda self, num_samples, replacement=False, *, generator=None: \
    multinomial(self, num_samples, replacement, generator=generator)
