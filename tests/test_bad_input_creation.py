"""Bad input to the tensor factories, the samplers, nn.init, the data utilities and load: a clear error of the class
PyTorch raises (or the right values where minidl used to compute wrong ones), checked on minidl and, where it is
installed, on PyTorch with the same assertions."""
import math

import numpy as np
import pytest

import minidl.eager as T
from tests.torch_version import since_mirrored_torch


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


# ------------------------------------------------------------------------------------------- nn.init.trunc_normal_

def _truncated_normal_moments(mean, std, a, b):
    """Mean and standard deviation of N(mean, std²) restricted to [a, b] (the textbook formulas, on the left of the
    mean, where Φ keeps its digits)."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    if alpha + beta > 0:
        flipped_mean, flipped_std = _truncated_normal_moments(-mean, std, -b, -a)
        return -flipped_mean, flipped_std
    pdf = [math.exp(-x * x / 2) / math.sqrt(2 * math.pi) if math.isfinite(x) else 0.0 for x in (alpha, beta)]
    mass = (math.erfc(-beta / math.sqrt(2)) - math.erfc(-alpha / math.sqrt(2))) / 2
    shift = (pdf[0] - pdf[1]) / mass
    spread = sum(x * p for x, p in zip((alpha, -beta), pdf) if math.isfinite(x)) / mass
    return mean + std * shift, std * math.sqrt(1 + spread - shift * shift)


@pytest.mark.filterwarnings("ignore:mean is more than 2 std")
@pytest.mark.parametrize("mean, std, a, b, n", [
    (0.0, 1.0, -2.0, 2.0, 20000),
    (0.0, 1.0, 0.0, math.inf, 20000),
    (2.0, 3.0, -1.0, 0.5, 20000),
    (5.0, 0.1, -2.0, 2.0, 300),  # 5e-198 of the mass lies in [a, b]: rejection sampling never ends
    (-5.0, 0.1, -2.0, 2.0, 300),
])
@since_mirrored_torch
def test_trunc_normal_values_lie_in_the_interval_and_follow_the_truncated_normal(lib, mean, std, a, b, n):
    lib.manual_seed(0)
    values = lib.nn.init.trunc_normal_(lib.empty(n, dtype=lib.float64), mean=mean, std=std, a=a, b=b).numpy()
    expected_mean, expected_std = _truncated_normal_moments(mean, std, a, b)
    assert values.min() >= a and values.max() <= b
    assert abs(values.mean() - expected_mean) < 5 * expected_std / math.sqrt(n)
    assert abs(values.std() / expected_std - 1) < 0.15


def test_trunc_normal_far_tail_without_a_loop():
    """The case that used to loop for ever, in float32 as a layer's weight is."""
    T.manual_seed(0)
    values = T.nn.init.trunc_normal_(T.empty(3), mean=5.0, std=0.1).numpy()
    assert ((values > 1.95) & (values <= 2)).all()


@since_mirrored_torch
def test_trunc_normal_with_the_bounds_swapped(lib):
    with pytest.raises(RuntimeError, match=r"2(\.0)?\W+(to|b)=-2"):  # PyTorch: "from=2 > to=-2"
        lib.nn.init.trunc_normal_(lib.empty(3), a=2.0, b=-2.0)


# --------------------------------------------------------------------------------------------------------- arange

@pytest.mark.parametrize("args, expected", [
    ((0, 5, 1.5), [0, 1, 2, 3, 4]),  # the arguments are truncated first: steps of 1
    ((5, 0, -1.5), [5, 4, 3, 2, 1]),
    ((0.5, 5, 1), [0, 1, 2, 3, 4]),
    ((-0.5, 3, 1), [0, 1, 2]),
    ((0, 2.5, 1), [0, 1]),
    ((2.9, -3, -1.1), [2, 1, 0, -1, -2]),
    ((-2.7, 0.2, 1.6), [-2, -1]),
    ((0, 10, 3), [0, 3, 6, 9]),
])
def test_arange_int64_with_float_arguments(lib, args, expected):
    assert lib.arange(*args, dtype=lib.int64).tolist() == expected


@since_mirrored_torch
def test_arange_int64_step_that_truncates_to_zero(lib):
    for step in (0.3, 0.5):
        with pytest.raises(ValueError, match="step must be nonzero"):
            lib.arange(0, 1, step, dtype=lib.int64)


def test_arange_step_sign_against_the_bounds(lib):
    with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with step sign"):
        lib.arange(1, 0, 0.5, dtype=lib.int64)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_arange_float_values_are_start_plus_i_step(lib, dtype):
    """n = ceil((end - start) / step) values start + i·step, to within an ulp of the bounds (PyTorch's kernel rounds
    differently inside its SIMD chunks)."""
    for start, end, step in [(0, 1, 0.3), (0.7, 5.9, 1.2), (-3.5, 2, 0.9), (2.9, -3, -1.1), (-10, 10, 0.3),
                             (10, -10, -0.37), (0, 100, 0.7), (-0.54, 14.0, 0.13)]:
        values = lib.arange(start, end, step, dtype=getattr(lib, dtype)).numpy()
        reference = start + step * np.arange(math.ceil((end - start) / step))
        ulp = np.finfo(dtype).eps * max(abs(start), abs(end))
        assert len(values) == len(reference) and np.abs(values - reference).max() <= ulp


@pytest.mark.parametrize("make, expected", [
    (lambda lib: lib.arange(lib.tensor(0.5), lib.tensor(3)), ([0.5, 1.5, 2.5], "float32")),
    (lambda lib: lib.arange(lib.tensor(4)), ([0, 1, 2, 3], "int64")),
    (lambda lib: lib.arange(0, lib.tensor(2.0), lib.tensor(0.5)), ([0.0, 0.5, 1.0, 1.5], "float32")),
    (lambda lib: lib.logspace(lib.tensor(0.0), lib.tensor(2.0), 3), ([1.0, 10.0, 100.0], "float32")),
    (lambda lib: lib.linspace(lib.tensor(0.0), lib.tensor(1.0), 3), ([0.0, 0.5, 1.0], "float32")),
])
def test_range_factories_read_one_element_tensors_as_numbers(lib, make, expected):
    values, dtype = expected
    result = make(lib)
    assert result.tolist() == pytest.approx(values) and result.dtype == getattr(lib, dtype)


@since_mirrored_torch
def test_arange_matches_pytorch_on_a_grid():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for _ in range(200):
        start, end = (round(float(v), int(rng.integers(0, 3))) for v in rng.uniform(-20, 20, 2))
        step = round(float(rng.uniform(0.05, 5)), int(rng.integers(0, 3))) * (1 if end >= start else -1)
        if step == 0:
            continue
        for dtype in ("int64", "float64", "float32"):
            def run(lib):
                try:
                    return lib.arange(start, end, step, dtype=getattr(lib, dtype)).numpy().astype(np.float64)
                except (RuntimeError, ValueError) as error:
                    return type(error).__name__
            ours, theirs = run(T), run(torch)
            if isinstance(theirs, str):
                assert isinstance(ours, str), (start, end, step, dtype, theirs)
                continue
            ulp = np.finfo(dtype).eps * max(abs(start), abs(end)) if dtype != "int64" else 0
            assert len(ours) == len(theirs) and np.abs(ours - theirs).max(initial=0) <= ulp, (start, end, step, dtype)


# --------------------------------------------------------------------------------------------- integer overflow

def test_python_numbers_that_overflow_the_dtype(lib):
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8 without overflow"):
        lib.tensor([300], dtype=lib.uint8)
    with pytest.raises(RuntimeError, match="value cannot be converted to type int8 without overflow"):
        lib.tensor([130], dtype=lib.int8)
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8 without overflow"):
        lib.tensor([255.5], dtype=lib.uint8)
    with pytest.raises(ValueError, match="(?i)overflow"):
        lib.tensor([1, 2 ** 63])
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8(_t)? without overflow"):
        lib.full((2,), 300, dtype=lib.uint8)
    with pytest.raises(RuntimeError, match="value cannot be converted to type int64(_t)? without overflow"):
        lib.full((2,), 2 ** 63)


def test_numbers_that_fit_or_wrap_as_in_pytorch(lib):
    assert lib.tensor([-1, 255], dtype=lib.uint8).tolist() == [255, 255]  # negative integers wrap
    assert lib.full((2,), -1, dtype=lib.uint8).tolist() == [255, 255]
    assert lib.tensor([2 ** 63 - 1, -2 ** 63]).tolist() == [2 ** 63 - 1, -2 ** 63]
    assert lib.tensor(np.array([300]), dtype=lib.uint8).tolist() == [44]  # arrays are cast, not checked
    assert lib.full((2,), 1.7, dtype=lib.int64).tolist() == [1, 1]


@pytest.mark.parametrize("data", [1 + 2j, [1 + 2j, 3.0], [[1.0], [1 + 0j]]])
def test_python_complex_numbers_with_a_float_dtype_are_refused(lib, data):
    """Dropping the imaginary part silently would be a wrong answer; PyTorch refuses even 1+0j."""
    with pytest.raises(TypeError, match="must be real number, not complex"):
        lib.tensor(data, dtype=lib.float32)


def test_a_complex_array_cast_to_float_keeps_its_real_part_with_a_warning(lib):
    with pytest.warns(Warning, match="discards the imaginary part"):
        assert lib.tensor(np.array([1 + 2j, -3 - 1j]), dtype=lib.float32).tolist() == [1.0, -3.0]


# ----------------------------------------------------------------------------------------- sampler parameters

def test_normal_with_a_negative_std(lib):
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        lib.normal(lib.zeros(3), -lib.ones(3))
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        lib.normal(0.0, -1.0, size=(3,))
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        lib.normal(lib.zeros(3), -1.0)
    with pytest.raises(RuntimeError, match="normal_? expects std >= 0.0"):
        lib.empty(3).normal_(0, -1)
    with pytest.raises(RuntimeError, match="normal_? expects std >= 0.0"):
        lib.nn.init.normal_(lib.empty(3), std=-1.0)
    assert lib.empty(3).normal_(2.0, 0.0).tolist() == [2.0, 2.0, 2.0]  # std 0 is allowed


def test_bernoulli_with_p_outside_0_1(lib):
    for p in (2.0, -1.0, math.nan):
        with pytest.raises(RuntimeError, match=r"bernoulli_ expects p to be in \[0, 1\]"):
            lib.empty(3).bernoulli_(p)
    with pytest.raises(RuntimeError):
        lib.empty(3).bernoulli_(lib.tensor([2.0, 0.0, 0.0]))


def test_uniform_with_the_bounds_swapped(lib):
    with pytest.raises(RuntimeError, match=r"uniform_ expects to return a \[from, to\) range, but found from=1"):
        lib.empty(3).uniform_(1, 0)
    with pytest.raises(RuntimeError, match=r"uniform_ expects to return a \[from, to\) range, but found from=1"):
        lib.nn.init.uniform_(lib.empty(3), a=1.0, b=0.0)
    assert lib.empty(2).uniform_(3, 3).tolist() == [3.0, 3.0]


def test_exponential_with_a_rate_not_above_0(lib):
    for rate in (-1.0, 0.0):
        with pytest.raises(RuntimeError, match="exponential_ expects lambda > 0.0"):
            lib.empty(3).exponential_(rate)


# ----------------------------------------------------------------------------------------------- data utilities

def test_collate_arrays_of_different_shapes(lib):
    loader = lib.utils.data.DataLoader([np.ones(3), np.ones(4)], batch_size=2)
    with pytest.raises(RuntimeError, match=r"expects each tensor to be equal size, but got \[3\] at entry 0 and "
                                           r"\[4\] at entry 1"):
        next(iter(loader))


@pytest.mark.parametrize("weights, message", [([1.0, -1.0], "invalid multinomial distribution"),
                                              ([1.0, math.nan], "invalid multinomial distribution"),
                                              ([1.0, math.inf], "invalid multinomial distribution"),
                                              ([0.0, 0.0], r"invalid multinomial distribution \(sum of probabilities "
                                                           r"<= 0\)")])
def test_weighted_random_sampler_with_bad_weights(lib, weights, message):
    with pytest.raises(RuntimeError, match=message):
        list(lib.utils.data.WeightedRandomSampler(weights, 2))


def test_random_split_with_a_generator_that_is_not_one(lib):
    with pytest.raises(TypeError, match="generator"):
        lib.utils.data.random_split(range(4), [2, 2], generator=5)


# ------------------------------------------------------------------------------------------------- the rest

def test_fill_value_that_is_not_a_number(lib):
    x = lib.zeros(2)
    with pytest.raises(TypeError, match="fill_value"):
        lib.full_like(x, "a")
    with pytest.raises(TypeError, match="fill_value"):
        x.new_full((2,), "a")


def test_logspace_with_negative_steps(lib):
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        lib.logspace(0, 1, -2)


def test_like_factories_without_a_tensor(lib):
    for name in ("empty_like", "zeros_like", "ones_like", "rand_like"):
        with pytest.raises(TypeError, match=rf"{name}\(\): argument 'input' (\(position 1\) )?must be Tensor"):
            getattr(lib, name)(None)


def test_generator_that_is_not_one(lib):
    with pytest.raises(TypeError, match="generator"):
        lib.randn(3, generator=5)


def test_negative_seeds_are_taken_modulo_2_to_the_64(lib):
    assert lib.manual_seed(-1).initial_seed() == 2 ** 64 - 1
    first = lib.randn(3).tolist()
    lib.manual_seed(2 ** 64 - 1)
    assert lib.randn(3).tolist() == first
    assert lib.Generator().manual_seed(-2 ** 63).initial_seed() == 2 ** 63
    with pytest.raises(ValueError, match="(?i)overflow"):
        lib.manual_seed(2 ** 64)


def test_eye_with_a_float_size(lib):
    with pytest.raises(TypeError, match=r"eye\(\): argument 'n' (\(position 1\) )?must be int, not float"):
        lib.eye(2.5)


def test_load_needs_a_path_or_a_file_object():
    """``open(5)`` would read file descriptor 5 and ``open(0)`` standard input. (PyTorch raises AttributeError here:
    "'int' object has no attribute 'seek'".)"""
    for not_a_file in (5, 0, None):
        with pytest.raises(TypeError, match="expected a path"):
            T.load(not_a_file)
