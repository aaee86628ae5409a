"""Sampling: ``bernoulli`` and ``multinomial``, and the in-place samplers every tensor has (``normal_``,
``uniform_``, ``bernoulli_``, ``random_``, ``exponential_``, ``geometric_``, ``log_normal_``, ``cauchy_``).

Older PyTorch code initialises weights with them (``m.weight.data.normal_(0.0, 0.02)``), and sampling from a
model's output is ``torch.multinomial(probs, 1)``. Values come from the same numpy generator as ``rand``/``randn``
(``manual_seed`` makes them reproducible; ``generator=`` picks another). An in-place sampler is an in-place
change like any other: it bumps the tensor's version and refuses a leaf that requires grad while gradients are
recorded (use ``.data``, ``torch.no_grad()`` or ``nn.init``).
"""
import numpy

from ..backend import dtypes, to_device
from .random import numpy_rng
from .tensor import Tensor


def _from_host(array, like):
    """An untracked tensor holding ``array`` (drawn on the CPU) on ``like``'s device."""
    return Tensor._make(to_device(numpy.asarray(array), like.device))


def _fill_with(tensor, draw):
    """Write ``draw(shape)``, a numpy array, into ``tensor`` as an in-place change."""
    return tensor._inplace(lambda t: _from_host(draw(tuple(t.shape)).astype(t.dtype, copy=False), t))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std²)."""
    return _fill_with(self, lambda shape: numpy_rng(generator).normal(mean, std, shape))


def uniform_(self, low=0.0, high=1.0, *, generator=None):
    """Fill with samples of U[low, high) (PyTorch calls the bounds ``from`` and ``to``)."""
    return _fill_with(self, lambda shape: numpy_rng(generator).uniform(low, high, shape))


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with samples of the exponential distribution of rate ``lambd`` (mean 1 / lambd)."""
    return _fill_with(self, lambda shape: numpy_rng(generator).exponential(1.0 / lambd, shape))


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to and including the first success: 1, 2, 3, ...
    (P(k) = (1 - p)^(k-1) p)."""
    if not 0 < p <= 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1], but got p={p}")
    return _fill_with(self, lambda shape: numpy_rng(generator).geometric(p, shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(N(mean, std²)) samples: ``mean`` and ``std`` are those of the underlying normal's log."""
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _fill_with(self, lambda shape: numpy_rng(generator).lognormal(mean, std, shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy samples: ``median + sigma · tan(π(u - ½))``, u ~ U(0, 1) — heavy tails, no mean."""
    if sigma <= 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    return _fill_with(self, lambda shape: median + sigma * numpy_rng(generator).standard_cauchy(shape))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability ``p`` (a number, or a tensor of probabilities broadcasting to self), else 0."""
    probabilities = p.numpy() if isinstance(p, Tensor) else p
    return _fill_with(self, lambda shape: numpy_rng(generator).random(shape) < probabilities)


def random_(self, low=0, high=None, *, generator=None):
    """Fill with integers uniform on [low, high); ``random_(high)`` starts at 0. Without bounds: [0, 2^m], m the
    mantissa bits of a float dtype (every such integer is exact), or the non-negative values of an integer
    dtype."""
    if high is None and low != 0:
        low, high = 0, low
    if high is None:
        high = (2 ** (numpy.finfo(self.dtype).nmant + 1) + 1 if self.dtype.kind == "f"
                else int(numpy.iinfo(self.dtype).max) if self.dtype.kind in "iu" else 2)
    return _fill_with(self, lambda shape: numpy_rng(generator).integers(low, high, shape))


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (elementwise; or the number ``p`` everywhere), else 0, in input's dtype."""
    probabilities = input.numpy() if p is None else p
    if p is None and (numpy.any(probabilities < 0) or numpy.any(probabilities > 1)):
        raise RuntimeError("bernoulli: all elements of input must be probabilities in [0, 1]")
    return _from_host(numpy_rng(generator).random(tuple(input.shape)) < probabilities, input).to(input.dtype)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Draw ``num_samples`` category indices per row of ``input`` (1-D or 2-D non-negative weights, not
    necessarily normalised): int64 of shape (num_samples,) or (rows, num_samples). Without ``replacement`` a
    category is drawn at most once per row, so a row needs at least ``num_samples`` non-zero weights."""
    weights = input.detach().cpu().numpy().astype(numpy.float64)
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {list(weights.shape)}")
    rows = weights.reshape(-1, weights.shape[-1])
    if (rows < 0).any() or not numpy.isfinite(rows).all():
        raise RuntimeError("multinomial: probability tensor contains either inf, nan or element < 0")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
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
