"""torch.quasirandom.SobolEngine: unscrambled points equal PyTorch's bit for bit; scrambled ones (minidl's random
bits, not PyTorch's) keep the balance of a Sobol' sequence, checked interval by interval."""
import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.quasirandom import SobolEngine

torch = pytest.importorskip("torch")


def test_direction_numbers_equal_pytorchs_for_every_dimension_shipped():
    ours = SobolEngine(SobolEngine.MAXDIM).sobolstate.numpy()
    theirs = torch.quasirandom.SobolEngine(SobolEngine.MAXDIM).sobolstate.numpy()
    np.testing.assert_array_equal(ours, theirs)


def _session(lib, engine, dtype):
    """A run of draws of every kind, as a list of arrays."""
    dtype = getattr(lib, dtype)
    out = lib.zeros(1, 1, dtype=lib.float64)
    results = [engine.draw(dtype=dtype), engine.draw(3, dtype=dtype), engine.draw_base2(2, dtype=dtype)]
    engine.fast_forward(9)
    results += [engine.draw(20, dtype=dtype), engine.draw(5, out=out, dtype=dtype)]
    assert out.shape == (5, engine.dimension)
    engine.reset()
    results += [engine.draw_base2(5, dtype=dtype), engine.fast_forward(100).draw(7, dtype=dtype)]
    assert engine.num_generated == 139
    return [r.numpy() for r in results]


@pytest.mark.parametrize("dimension", [1, 4, 40, 1111])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unscrambled_draws_equal_pytorchs(dimension, dtype):
    ours = _session(T, T.quasirandom.SobolEngine(dimension), dtype)
    theirs = _session(torch, torch.quasirandom.SobolEngine(dimension), dtype)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_a_fast_forward_first_equals_pytorchs():
    ours = T.quasirandom.SobolEngine(3).fast_forward(6).draw(4).numpy()
    np.testing.assert_array_equal(ours, torch.quasirandom.SobolEngine(3).fast_forward(6).draw(4).numpy())


def _balanced(points, m):
    """Whether these 2**m points put one in each interval [k/2^m, (k+1)/2^m) of every coordinate, and one in each
    dyadic box [i/2^a, (i+1)/2^a) x [j/2^(m-a), (j+1)/2^(m-a)) of the first two (the first two Sobol' coordinates
    form a (0, m, 2)-net)."""
    cells = np.floor(points * 2 ** m).astype(np.int64)
    if any(len(np.unique(cells[:, d])) != 2 ** m for d in range(points.shape[1])):
        return False
    for a in range(m + 1):
        boxes = (cells[:, 0] >> (m - a)) * 2 ** (m - a) + (cells[:, 1] >> a)
        if len(np.unique(boxes)) != 2 ** m:
            return False
    return True


def test_the_balance_check_can_fail():
    assert _balanced(torch.quasirandom.SobolEngine(5, scramble=True, seed=1).draw_base2(6).numpy(), 6)
    assert not _balanced(np.random.default_rng(0).random((64, 5)), 6)


@pytest.mark.parametrize("seed", [0, 7])
def test_scrambled_blocks_of_a_power_of_two_are_balanced(seed):
    engine = SobolEngine(6, scramble=True, seed=seed)
    for m in (4, 4, 5, 6):  # the blocks [0, 16), [16, 32), [32, 64), [64, 128)
        points = engine.draw_base2(m).numpy()
        assert _balanced(points, m) and ((0 <= points) & (points < 1)).all()
    unscrambled = SobolEngine(6).draw_base2(4).numpy()
    assert not np.isin(engine.reset().draw_base2(4).numpy(), unscrambled).any()


def test_scrambling_follows_its_seed_or_the_global_generator():
    def points(**kwargs):
        return SobolEngine(3, scramble=True, **kwargs).draw(8).numpy()
    np.testing.assert_array_equal(points(seed=3), points(seed=3))
    assert not np.array_equal(points(seed=3), points(seed=4))
    T.manual_seed(11)
    first = points()
    T.manual_seed(11)
    np.testing.assert_array_equal(first, points())


def test_scrambled_points_integrate_better_than_random_ones():
    """The mean of prod(x) over 2^10 scrambled points in 4 dims lands much nearer 1/16 than a random sample's."""
    points = SobolEngine(4, scramble=True, seed=5).draw_base2(10, dtype=T.float64).numpy()
    assert abs(points.prod(axis=1).mean() - 1 / 16) < 2e-4  # a random sample's error is ~ 0.07 / sqrt(1024) = 2e-3


def test_errors_as_pytorchs():
    for lib in (T, torch):
        for dimension in (0, 21202):
            with pytest.raises(ValueError, match=r"Supported range of dimensionality for SobolEngine is \[1, 21201\]"):
                lib.quasirandom.SobolEngine(dimension)
        engine = lib.quasirandom.SobolEngine(2)
        engine.draw(3)
        with pytest.raises(ValueError, match=r"n=3\+2\*\*2=7"):
            engine.draw_base2(2)
        with pytest.raises(NotImplementedError):
            engine.draw(2, dtype=lib.float16)
        with pytest.raises(TypeError):
            engine.draw(2.0)
    with pytest.raises(ValueError, match="first 1111 dimensions"):
        SobolEngine(1112)


def test_repr_as_pytorchs():
    for arguments in [(3,), (3, True), (3, True, 5), (3, False, 5)]:
        assert repr(SobolEngine(*arguments)) == repr(torch.quasirandom.SobolEngine(*arguments))
