"""Where a graph distribution's randomness comes from: graph random ops, seeded from ``sample(seed=)``.

The eager distributions (whose formulas the graph ones use, see ``distribution.py``) make a sample from noise in
one of two ways, and each has its graph op here:

* a standard draw, ``_noise(rand | randn, ...)``: U[0, 1) or N(0, 1) of the sample's shape — here the ops
  ``random_uniform`` / ``random_normal`` (``random_ops.py``), whose shape may be known only at run time;
* a draw numpy makes from the parameters' values, ``_draw_on_host(draw, ...)`` (gamma, beta, chi-squared
  variates): here a ``HostDraw`` op, which calls the very same ``draw(generator, *arrays)`` when the session runs
  it, with the session's generator of that op (so it is seeded like every graph random op).

One ``sample()`` may draw several times (Student's t: a normal and a chi-squared): the draws must not share a
seed, or their numbers would be correlated. As TF's ``SeedStream`` does, the seed given to ``sample`` seeds the
first draw and derives different seeds for the next ones; a distribution sampled inside another's ``sample``
(a Multinomial's Categorical) continues its caller's stream. Without a seed each op gets its own from the graph
(``Graph.next_op_seed``).
"""
import contextlib
import itertools

import numpy

from ..random_ops import RandomOp, _shape_input, add_random_op

_streams = []  # (seed, counter) of each sample() call in progress, innermost last


@contextlib.contextmanager
def seed_stream(seed):
    """The seeds of the draws made inside: from ``seed``, or from the enclosing ``sample()``'s stream when
    ``seed`` is None and one is in progress."""
    if seed is None and _streams:
        yield
        return
    _streams.append((seed, itertools.count()))
    try:
        yield
    finally:
        _streams.pop()


def next_seed():
    """The op seed of the next draw: the stream's seed, then seeds derived from it (None without a seed)."""
    if not _streams:
        return None
    seed, counter = _streams[-1]
    k = next(counter)
    if seed is None:
        return None
    return int(seed) if k == 0 else (int(seed) * 1_000_003 + k) % 2 ** 31


class HostDraw(RandomOp):
    """Samples numpy draws from the parameters: ``attrs["draw"](generator, *parameters)``, each parameter
    broadcast to the output shape (inputs: the shape as a 1-D int tensor, then the parameters). No gradient
    flows through it (``differentiable`` is False, as for every graph-only op)."""
    name = "HostDraw"

    @staticmethod
    def sample(rng, attrs, shape, *params):
        shape = tuple(int(d) for d in shape.reshape(-1))
        draws = attrs["draw"](rng, *(numpy.broadcast_to(p, shape) for p in params))
        return numpy.asarray(draws).astype(attrs["dtype"], copy=False)


def host_draw(draw, shape, *params):
    """A ``HostDraw`` of ``shape`` (a tuple, or a 1-D int tensor when it is known only at run time) in the first
    parameter's dtype."""
    shape_tensor, static = _shape_input(shape)
    return add_random_op(HostDraw, [shape_tensor, *params], static, params[0].dtype, next_seed(), "HostDraw",
                         draw=draw)
