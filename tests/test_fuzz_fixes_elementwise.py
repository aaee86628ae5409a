"""What a differential fuzz of elementwise ops, reductions and pooling against PyTorch 2.13 found, each fixed:

* lerp computed ``input + weight·(end - input)`` at every weight: weight 1 did not give ``end`` (3 + (1e-8 - 3)
  rounds to 0), and an infinite input gave NaN (-inf + 0.6·inf); quantile, which interpolates with lerp, too;
* searchsorted with an N-d sequence put a NaN value at position 0 instead of after every entry;
* adaptive average pooling (and interpolate's 'area' mode) spread one inf or NaN to other windows (0·inf = NaN in
  its matrix product), forward and backward;
* complex(re, im) with an infinite imaginary part gave a NaN real part (inf·1j = NaN + inf·1j);
* float32 var and std overflowed (|x| > 1.8e19) or lost their digits (|x| < 1e-19) squaring in float32;
* hardtanh and relu6 refused integer tensors; torch.clone refused memory_format; a bool tensor to the power
  True or False was refused; an empty integer tensor divided by a divisor holding 0 raised; broadcast_shapes
  gave a tuple, not a Size.

Values (and gradients) are compared with PyTorch; changed gradients also with float64 central differences.
"""
import math

import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import central_differences, check_gradient

inf, nan = math.inf, math.nan
F = T.nn.functional


def _torch():
    return pytest.importorskip("torch")


def _same(ours, theirs, rtol=0.0):
    """Equal values (NaN where PyTorch has NaN), equal dtypes' kinds and shapes."""
    ours, theirs = np.asarray(ours.detach().numpy()), np.asarray(theirs.detach().numpy())
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours, theirs)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0, equal_nan=True)


# ---------------------------------------------------------------------------------------------------- lerp

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lerp_gives_end_exactly_at_weight_one_and_keeps_its_digits(dtype):
    torch = _torch()
    start, end = [3.0, 1e20, -2.5, 7.0, 1.0], [1e-8, 1.0, 1e-30, -1e-7, 2.0]
    weights = [1.0, 1.0, 0.75, 0.5, 0.6]

    def run(L, weight):
        return L.lerp(L.tensor(start, dtype=getattr(L, dtype)), L.tensor(end, dtype=getattr(L, dtype)), weight)
    ours, theirs = (run(L, L.tensor(weights, dtype=getattr(L, dtype))) for L in (T, torch))
    _same(ours, theirs, rtol=1e-6 if dtype == "float32" else 1e-15)
    np.testing.assert_array_equal(run(T, 1.0).numpy(), np.array(end, dtype=dtype))  # exactly end


@pytest.mark.parametrize("weight", [0.1, 0.5, 1.0, -0.7, "tensor"])
def test_lerp_in_place_without_grad_rounds_as_lerp_does(weight):
    """(lerp_ outside autograd adds its term in place, a fast path that is exact only for small number weights: the
    optimizers' moving averages; SWA's first averages use weight 1 and 0.5.)"""
    torch = _torch()
    results = []
    for lib in (T, torch):
        x = lib.tensor([3.0, 1e20, -2.0])
        w = lib.tensor([0.9, 0.2, 1.0]) if weight == "tensor" else weight
        x.lerp_(lib.tensor([1e-8, 1.0, 7.0]), w)
        results.append(x)
    _same(*results, rtol=1.2e-7)  # (one float32 rounding: PyTorch's kernel may fuse the multiply-add)


def test_lerp_keeps_an_infinite_input_infinite_and_quantile_with_it():
    torch = _torch()
    _same(T.lerp(T.tensor([-inf, inf, 1.0]), T.tensor([1.0, 2.0, -inf]), 0.6),
          torch.lerp(torch.tensor([-inf, inf, 1.0]), torch.tensor([1.0, 2.0, -inf]), 0.6))
    _same(T.lerp(T.tensor([-inf, 2.0]), T.tensor([1.0, inf]), T.tensor([0.3, 0.2])),
          torch.lerp(torch.tensor([-inf, 2.0]), torch.tensor([1.0, inf]), torch.tensor([0.3, 0.2])))
    assert T.quantile(T.tensor([-inf, 1.0, 2.0]), 0.3).item() == -inf
    _same(T.quantile(T.tensor([[-inf, 1.0, 2.0], [0.0, 4.0, inf]]), T.tensor([0.3, 0.5, 0.75]), dim=1),
          torch.quantile(torch.tensor([[-inf, 1.0, 2.0], [0.0, 4.0, inf]]), torch.tensor([0.3, 0.5, 0.75]), dim=1))


@pytest.mark.parametrize("wrt", ["input", "end", "weight"])
def test_lerp_gradients_on_both_sides_of_one_half(wrt):
    """Weights below 0.5, at it and above (and beyond [0, 1]) broadcast against (2, 4) inputs: each operand's
    gradient against central differences and PyTorch."""
    values = {"input": np.array([[0.3, -1.2, 2.0, 0.7], [1.5, 0.1, -0.4, 3.0]]),
              "end": np.array([[1.0, 0.5, -2.0, 4.0], [-1.0, 2.5, 0.6, 0.2]]),
              "weight": np.array([0.2, 0.5, 0.8, 1.3])}

    def build(L, x):
        operands = {name: (x if name == wrt else L.tensor(v)) for name, v in values.items()}
        out = L.lerp(operands["input"], operands["end"], operands["weight"])
        return (out * out * L.tensor(np.arange(1.0, 9.0).reshape(2, 4))).sum()

    check_gradient(build, values[wrt])


def test_lerp_second_order_gradients_match_pytorch():
    torch = _torch()
    a, b, w = np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.5, -2.0]), np.array([0.25, 0.5, 0.9])
    results = []
    for L in (T, torch):
        leaves = [L.tensor(v, requires_grad=True) for v in (a, b, w)]
        out = L.lerp(*leaves)
        first = L.autograd.grad((out ** 3).sum(), leaves, create_graph=True)
        second = L.autograd.grad(sum((g * g).sum() for g in first), leaves)
        results.append([g.detach().numpy() for g in first + second])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ---------------------------------------------------------------------------------------------- searchsorted

@pytest.mark.parametrize("options", [{}, {"right": True}, {"side": "left"}, {"side": "right"},
                                     {"out_int32": True}])
def test_searchsorted_puts_nan_values_at_the_end_for_rows_of_sequences_too(options):
    torch = _torch()
    sequence = [[1.0, 2.0, 3.0], [-inf, 0.0, inf]]
    values = [[nan, 2.5, 2.0, 1.0], [nan, inf, -inf, 0.0]]
    _same(T.searchsorted(T.tensor(sequence), T.tensor(values), **options),
          torch.searchsorted(torch.tensor(sequence), torch.tensor(values), **options))
    _same(T.searchsorted(T.tensor(sequence[0]), T.tensor(values), **options),  # (1-d: was right already)
          torch.searchsorted(torch.tensor(sequence[0]), torch.tensor(values), **options))


def test_searchsorted_rows_with_a_sorter():
    torch = _torch()
    sequence, sorter = [[3.0, 1.0, 2.0]], [[1, 2, 0]]
    _same(T.searchsorted(T.tensor(sequence), T.tensor([[nan, 1.5]]), sorter=T.tensor(sorter)),
          torch.searchsorted(torch.tensor(sequence), torch.tensor([[nan, 1.5]]), sorter=torch.tensor(sorter)))


# ----------------------------------------------------------------------------------------- adaptive pooling

_POOLINGS = {
    "adaptive_avg_pool1d": ((2, 2, 9), lambda L, x: L.nn.functional.adaptive_avg_pool1d(x, 4)),
    "adaptive_avg_pool2d": ((2, 2, 7, 5), lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, (3, 2))),
    "adaptive_avg_pool2d_keep_width": ((1, 2, 6, 4),
                                       lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, (4, None))),
    "adaptive_avg_pool3d": ((1, 2, 5, 4, 6), lambda L, x: L.nn.functional.adaptive_avg_pool3d(x, (2, 3, 4))),
    "interpolate_area": ((1, 2, 10, 6), lambda L, x: L.nn.functional.interpolate(x, size=(3, 4), mode="area")),
}


def _with_non_finite(shape, seed):
    """Random numbers with one NaN, one +inf and one -inf at random places."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    x.reshape(-1)[rng.choice(x.size, 3, replace=False)] = [nan, inf, -inf]
    return x


@pytest.mark.parametrize("name", _POOLINGS)
def test_adaptive_average_pooling_keeps_a_non_finite_value_in_its_own_windows(name):
    torch = _torch()
    shape, pool = _POOLINGS[name]
    for seed in range(3):
        x = _with_non_finite(shape, seed)
        _same(pool(T, T.tensor(x)), pool(torch, torch.tensor(x)), rtol=1e-12)
    single = np.zeros(shape)
    single.reshape(-1)[0] = nan
    _same(pool(T, T.tensor(single)), pool(torch, torch.tensor(single)))


@pytest.mark.parametrize("name", _POOLINGS)
def test_adaptive_average_pooling_gradient_keeps_a_non_finite_gradient_in_its_own_windows(name):
    """A finite input, and an upstream gradient holding inf and NaN: each reaches only its window's pixels."""
    torch = _torch()
    shape, pool = _POOLINGS[name]
    x = np.random.default_rng(5).normal(size=shape)
    out_shape = tuple(pool(torch, torch.tensor(x)).shape)
    g = _with_non_finite(out_shape, 7)
    grads = []
    for L in (T, torch):
        leaf = L.tensor(x, requires_grad=True)
        grads.append(L.autograd.grad(pool(L, leaf), leaf, grad_outputs=L.tensor(g))[0])
    _same(*grads, rtol=1e-12)


@pytest.mark.parametrize("name", ["adaptive_avg_pool2d", "adaptive_avg_pool3d"])
def test_adaptive_average_pooling_gradient_of_finite_inputs(name):
    shape, pool = _POOLINGS[name]
    weights = np.random.default_rng(3).normal(size=tuple(pool(T, T.zeros(*shape)).shape))
    check_gradient(lambda L, x: (pool(L, x) * L.tensor(weights)).sum(), np.random.default_rng(4).normal(size=shape))


# ------------------------------------------------------------------------------------------------- complex

def test_complex_with_infinite_parts_keeps_the_other_part():
    torch = _torch()
    re, im = [0.0, inf, nan, -inf, 2.0], [[inf], [-inf], [nan]]
    for dtype in ("float32", "float64"):
        ours, theirs = (L.complex(L.tensor(re, dtype=getattr(L, dtype)), L.tensor(im, dtype=getattr(L, dtype)))
                        for L in (T, torch))
        _same(ours, theirs)


def test_view_as_complex_of_pairs_that_need_a_copy_and_polar_keep_infinities_apart():
    torch = _torch()
    rows = [[0.0, 5.0, 7.0], [inf, 1.0, -inf]]
    ours = T.view_as_complex(T.tensor(rows).T[::2])  # (strided pairs: computed, not viewed)
    theirs = torch.view_as_complex(torch.tensor(rows).T[::2].contiguous())
    _same(ours, theirs)
    _same(T.polar(T.tensor([inf, 2.0, inf]), T.tensor([0.0, inf, math.pi / 2])),
          torch.polar(torch.tensor([inf, 2.0, inf]), torch.tensor([0.0, inf, math.pi / 2])))


# -------------------------------------------------------------------------------------------- var and std

_EXTREME_ROWS = [[1e30, -1e30, 0.0, 3e29], [1e-25, -1e-25, 0.0, 2e-25], [3e-20, -1e-20, 0.0, 1e-20],
                 [1.0, 2.0, 3.0, 4.0]]


@pytest.mark.parametrize("fn", ["var", "std"])
@pytest.mark.parametrize("call", [{}, {"dim": 1}, {"dim": 1, "keepdim": True, "correction": 0}, {"dim": 0}])
def test_float32_var_and_std_of_huge_and_tiny_values_match_pytorch(fn, call):
    torch = _torch()
    ours = getattr(T, fn)(T.tensor(_EXTREME_ROWS), **call)
    theirs = getattr(torch, fn)(torch.tensor(_EXTREME_ROWS), **call)
    _same(ours, theirs, rtol=1e-6)


def test_float32_std_mean_and_var_mean_of_huge_values():
    torch = _torch()
    for fn in ("std_mean", "var_mean"):
        for ours, theirs in zip(getattr(T, fn)(T.tensor(_EXTREME_ROWS), 1), getattr(torch, fn)(
                torch.tensor(_EXTREME_ROWS), 1)):
            _same(ours, theirs, rtol=1e-6)


def test_float32_std_gradient_of_huge_values():
    """The gradient reads std's output, which was inf (so the gradient 0): against PyTorch, and against float64
    central differences of the same function (a step of 1e23 at values near 1e30)."""
    torch = _torch()
    start = np.array([1e30, -1e30, 0.0, 3e29])
    ours = T.tensor(start, dtype=T.float32, requires_grad=True)
    T.std(ours).backward()
    theirs = torch.tensor(start, dtype=torch.float32, requires_grad=True)
    torch.std(theirs).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)
    numeric = central_differences(lambda x: T.std(x), start, step=1e23)
    np.testing.assert_allclose(ours.grad.numpy(), numeric, rtol=1e-5)


# ----------------------------------------------------------------------------------------------- small gaps

@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "uint8"])
@pytest.mark.parametrize("fn, bounds", [("hardtanh", {}), ("relu6", {}),
                                        ("hardtanh", {"min_val": -2.5, "max_val": 3.7}),
                                        ("hardtanh", {"min_val": 0, "max_val": 100})])
def test_hardtanh_and_relu6_of_integer_tensors(dtype, fn, bounds):
    torch = _torch()
    data = [-3, 0, 2, 9, 120]

    def run(L):
        try:
            return getattr(L.nn.functional, fn)(L.tensor(data).to(getattr(L, dtype)), **bounds)
        except RuntimeError as error:
            return error
    ours, theirs = run(T), run(torch)
    if isinstance(theirs, Exception):  # uint8 with a negative bound
        assert isinstance(ours, RuntimeError) and "unsigned type with negative limits" in str(ours)
    else:
        _same(ours, theirs)


def test_hardtanh_refuses_bounds_an_integer_dtype_cannot_hold_and_bool_tensors():
    with pytest.raises(RuntimeError, match="int8 without overflow"):
        F.hardtanh(T.tensor([1, 2], dtype=T.int8), -1000, 1000)
    with pytest.raises(RuntimeError, match="Bool inputs not supported"):
        F.relu6(T.tensor([True, False]))


def test_torch_clone_takes_memory_format():
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for memory_format in (T.contiguous_format, T.preserve_format):
        y = T.clone(x, memory_format=memory_format)
        assert y is not x and y.tolist() == x.tolist() and y.grad_fn is not None
    assert T.clone(input=x).tolist() == x.tolist()
    with pytest.raises(NotImplementedError, match="channels_last"):
        T.clone(x, memory_format=T.channels_last)


def test_bool_tensor_to_a_bool_power():
    torch = _torch()
    for exponent in (True, False):
        _same(T.pow(T.tensor([True, False]), exponent), torch.pow(torch.tensor([True, False]), exponent))
        _same(T.tensor([True, False]) ** exponent, torch.tensor([True, False]) ** exponent)
        _same(T.tensor([True, False]).pow_(exponent), torch.tensor([True, False]).pow_(exponent))
    for refused in (lambda L: L.pow(L.tensor([True]), L.tensor([True])), lambda L: L.pow(True, L.tensor([True]))):
        for L in (T, torch):
            with pytest.raises(NotImplementedError):
                refused(L)


@pytest.mark.parametrize("fn", ["remainder", "fmod", "floor_divide"])
def test_integer_division_of_an_empty_tensor_by_a_zero(fn):
    torch = _torch()
    for dividend, divisor in (([], [1, 0, 2]), ([[1, 2, 3]], [[]])):
        def run(L):
            return getattr(L, fn)(L.tensor(dividend, dtype=L.int64).reshape(-1, 3) if dividend == [] else
                                  L.tensor(dividend), L.tensor(divisor, dtype=L.int64).reshape(0, 1)
                                  if divisor == [[]] else L.tensor(divisor))
        _same(run(T), run(torch))
    with pytest.raises(ZeroDivisionError):
        getattr(T, fn)(T.tensor([[4, 5, 6]]), T.tensor([1, 0, 2]))


def test_broadcast_shapes_gives_a_size():
    shape = T.broadcast_shapes((3, 1), (4,), 1)
    assert isinstance(shape, T.Size) and shape == (3, 4)
