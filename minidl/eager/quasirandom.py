"""``torch.quasirandom.SobolEngine``: Sobol' sequences, points that fill the unit cube evenly rather than at random.

Each coordinate of the i-th point is a binary fraction built from one table of *direction numbers* per dimension
(30-bit integers ``V_0 .. V_29``):

    x_i = (V_{j1} xor V_{j2} xor ...) / 2**30      over the bits j1, j2, ... set in gray(i) = i xor (i >> 1)

The direction numbers come from a primitive polynomial over GF(2) of degree s, ``x^s + a_1 x^(s-1) + ... +
a_(s-1) x + 1``, and s initial odd numbers ``m_k < 2^k`` (Joe and Kuo's table, ``sobol_direction_numbers.txt.gz``,
as PyTorch's); the rest follow from the polynomial's recurrence, ``V_k = m_k 2^(30-k)`` with

    m_k = 2 a_1 m_(k-1) xor 4 a_2 m_(k-2) xor ... xor 2^(s-1) a_(s-1) m_(k-s+1) xor 2^s m_(k-s) xor m_(k-s)

The result is a (t, s)-sequence in base 2: any 2^m consecutive points from a multiple of 2^m put exactly one
point in each interval [k/2^m, (k+1)/2^m) of every coordinate (and, for the first two coordinates, in each
dyadic box of area 2^-m). ``draw_base2`` hands out such blocks.

``scramble=True`` randomizes the points and keeps that balance (Owen's scrambling, in the linear form of
Matoušek, as PyTorch does): each dimension's generator matrix (the bits of its direction numbers, the first
binary digit in the first row) is multiplied, mod 2, by a random lower-triangular matrix with ones on the
diagonal — digit r of a coordinate becomes itself xor a random choice of the digits before it, an invertible map
of every prefix of digits, so every elementary interval still gets its share — and each coordinate is then xored
with a random 30-bit shift. The random bits come from minidl's generator (``manual_seed``, or ``seed=``), so
scrambled points are not PyTorch's numbers; unscrambled ones are, bit for bit.

minidl ships the first 1111 dimensions of Joe and Kuo's 21201 (every polynomial up to degree 13: 23 kB, where
the whole table is megabytes of text); ``dimension`` above that is refused.
"""
import functools
import gzip
import operator
import os

import numpy

from ..backend import dtypes
from . import element_types
from .creation import _finish
from .random import Generator, numpy_rng

__all__ = ["SobolEngine"]

_TABLE = os.path.join(os.path.dirname(__file__), "sobol_direction_numbers.txt.gz")


@functools.cache
def _initial_numbers():
    """Joe and Kuo's table: (s, a, (m_1, ..., m_s)) for dimensions 2, 3, ..."""
    with gzip.open(_TABLE, "rt") as lines:
        rows = [[int(value) for value in line.split()] for line in lines if line[0].isdigit()]
    return [(row[1], row[2], tuple(row[3:])) for row in rows]


def direction_numbers(dimension, bits):
    """The (dimension, bits) int64 array of direction numbers ``V_k`` (bit ``bits - 1`` is the first binary
    digit), from Joe and Kuo's initial numbers by the recurrence in the module docstring."""
    table = numpy.zeros((dimension, bits), dtype=numpy.int64)
    table[0] = 1 << numpy.arange(bits - 1, -1, -1)  # dimension 1: the van der Corput sequence (all m_k = 1)
    for d, (s, a, initial) in zip(range(1, dimension), _initial_numbers()):
        m = list(initial)
        for k in range(s, bits):
            new = m[k - s] ^ (m[k - s] << s)
            for i in range(1, s):
                if a >> (s - 1 - i) & 1:
                    new ^= m[k - i] << i
            m.append(new)
        table[d] = [m_k << (bits - 1 - k) for k, m_k in enumerate(m[:bits])]
    return table


def _scrambled(directions, generator, bits):
    """(scrambled direction numbers, shift): each dimension's generator matrix multiplied by a random unit
    lower-triangular matrix over GF(2), and a random digital shift."""
    rng = numpy_rng(generator)
    dimension = len(directions)
    shift = rng.integers(0, 2, size=(dimension, bits)) @ (1 << numpy.arange(bits))
    lower = numpy.tril(rng.integers(0, 2, size=(dimension, bits, bits)), -1) + numpy.eye(bits, dtype=numpy.int64)
    place = numpy.arange(bits - 1, -1, -1)  # digit r (r = 0: the first after the binary point) is bit bits-1-r
    digits = (directions[:, :, None] >> place) & 1  # (dimension, k, r): the digits of each V_k
    mixed = numpy.einsum("drc,dkc->dkr", lower, digits) & 1
    return (mixed << place).sum(axis=-1), shift.astype(numpy.int64)


class SobolEngine:
    """Draws points of a (scrambled) Sobol' sequence in ``[0, 1)^dimension``: ``draw(n)``, ``draw_base2(m)``,
    ``fast_forward(n)``, ``reset()``. Each draw continues the sequence where the last one stopped."""
    MAXBIT = 30
    MAXDIM = 1111  # PyTorch's table has 21201 dimensions; minidl ships the first 1111 (see the module docstring)
    TORCH_MAXDIM = 21201

    def __init__(self, dimension, scramble=False, seed=None):
        dimension = operator.index(dimension)
        if not 1 <= dimension <= self.TORCH_MAXDIM:
            raise ValueError(f"Supported range of dimensionality for SobolEngine is [1, {self.TORCH_MAXDIM}]")
        if dimension > self.MAXDIM:
            raise ValueError(f"SobolEngine: minidl ships the direction numbers of the first {self.MAXDIM} "
                             f"dimensions only (PyTorch has {self.TORCH_MAXDIM}), got dimension={dimension}")
        self.seed, self.scramble, self.dimension = seed, scramble, dimension
        directions = direction_numbers(dimension, self.MAXBIT)
        shift = numpy.zeros(dimension, dtype=numpy.int64)
        if scramble:
            generator = None if seed is None else Generator().manual_seed(seed)
            directions, shift = _scrambled(directions, generator, self.MAXBIT)
        self.sobolstate, self.shift = _finish(directions, None, False), _finish(shift, None, False)
        self.num_generated = 0

    def _points(self, first, n, dtype):
        """Points ``first .. first + n - 1`` of the sequence, as an (n, dimension) array of ``dtype``."""
        index = numpy.arange(first, first + n, dtype=numpy.int64)
        gray = index ^ (index >> 1)
        directions = self.sobolstate.numpy()
        points = numpy.broadcast_to(self.shift.numpy(), (n, self.dimension)).copy()
        for k in range(self.MAXBIT):
            points ^= ((gray >> k) & 1)[:, None] * directions[:, k]
        return points.astype(dtype) * dtype.type(2.0 ** -self.MAXBIT)

    def draw(self, n=1, out=None, dtype=None):
        """The next ``n`` points, an (n, dimension) tensor of ``dtype`` (default: the default float dtype), also
        written into ``out`` (resized to fit) when given."""
        n = operator.index(n)
        if n < 0:
            raise RuntimeError(f"SobolEngine.draw: cannot draw a negative number of points, got n={n}")
        if self.num_generated + n > 2 ** self.MAXBIT:
            raise ValueError(f"SobolEngine.draw: a Sobol' sequence of {self.MAXBIT}-bit direction numbers has "
                             f"2**{self.MAXBIT} points; {self.num_generated} drawn, {n} more asked for")
        dtype = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)
        if dtype not in (dtypes.float32, dtypes.float64):
            raise NotImplementedError(f"SobolEngine.draw: not implemented for {element_types.of(dtype)!r}: the "
                                      f"points are float32 or float64")
        result = _finish(self._points(self.num_generated, n, dtype), None, False)
        self.num_generated += n
        if out is not None:
            out.resize_(*result.shape).copy_(result)
            return out
        return result

    def draw_base2(self, m, out=None, dtype=None):
        """The next ``2**m`` points; the points drawn so far and these must be a power of 2 in all, as only such
        blocks keep the sequence's balance."""
        m = operator.index(m)
        if m < 0:
            raise TypeError(f"SobolEngine.draw_base2: m is the exponent of 2**m points, a non-negative int; got {m}")
        n = 2 ** m
        total = self.num_generated + n
        if total & (total - 1):
            raise ValueError(
                "The balance properties of Sobol' points require n to be a power of 2. "
                f"{self.num_generated} points have been previously generated, then: "
                f"n={self.num_generated}+2**{m}={total}. If you still want to do this, please use "
                "'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self):
        """Back to the first point (the same scrambling)."""
        self.num_generated = 0
        return self

    def fast_forward(self, n):
        """Skip ``n`` points, as drawing them would."""
        n = operator.index(n)
        if n < 0:  # (PyTorch goes back and then draws points that are not the sequence's)
            raise ValueError(f"SobolEngine.fast_forward: cannot skip a negative number of points, got n={n}")
        self.num_generated += n
        return self

    def __repr__(self):
        details = [f"dimension={self.dimension}"] + (["scramble=True"] if self.scramble else []) + \
            ([f"seed={self.seed}"] if self.seed is not None else [])
        return f"{type(self).__name__}({', '.join(details)})"
