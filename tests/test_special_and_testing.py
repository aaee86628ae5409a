"""The ``torchlike.special`` and ``torchlike.testing`` namespaces: special functions under PyTorch's names, and
``assert_close`` / ``make_tensor`` with PyTorch's tolerances and messages (literal texts here; the comparison with
PyTorch itself is in test_more_ops_torch.py)."""
import math

import numpy as np
import pytest

import minidl.eager as torchlike

special, testing = torchlike.special, torchlike.testing
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's log(0) inside entr(0), on purpose


def t(values, dtype=None, requires_grad=False):
    return torchlike.tensor(values, dtype=dtype, requires_grad=requires_grad)


# ---------------------------------------------------------------------------------------------------- special

@pytest.mark.parametrize("name, argument, expected", [
    ("expit", 0.0, 0.5),
    ("logit", 0.75, math.log(3)),
    ("erf", 0.5, math.erf(0.5)),
    ("erfc", 2.0, math.erfc(2.0)),
    ("erfinv", math.erf(0.3), 0.3),
    ("log1p", 1e-10, 1e-10),
    ("expm1", 1e-10, 1e-10),
    ("exp2", 3.0, 8.0),
    ("sinc", 0.0, 1.0),
    ("sinc", 0.5, 2 / math.pi),
    ("gammaln", 5.0, math.log(24)),
    ("digamma", 1.0, -0.5772156649015329),
    ("psi", 1.0, -0.5772156649015329),
    ("entr", 0.5, 0.5 * math.log(2)),
    ("entr", 0.0, 0.0),
    ("entr", -1.0, -math.inf),
    ("ndtr", 0.0, 0.5),
    ("ndtr", 1.959963984540054, 0.975),
    ("ndtri", 0.975, 1.959963984540054),
])
def test_special_function_values(name, argument, expected):
    result = getattr(special, name)(t([argument], dtype=torchlike.float64))
    assert result.dtype == torchlike.float64
    assert np.allclose(result.numpy(), expected, rtol=1e-12, atol=1e-15)


def test_special_functions_with_extra_arguments():
    x = t([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], dtype=torchlike.float64)
    assert np.allclose(special.polygamma(1, t([1.0], dtype=torchlike.float64)).numpy(), math.pi ** 2 / 6)
    assert np.allclose(special.xlogy(t([0.0, 2.0]), t([0.0, math.e])).numpy(), [0.0, 2.0])
    assert np.allclose(special.round(t([1.25, -2.75]), decimals=1).numpy(), [1.2, -2.8])
    assert np.allclose(special.softmax(x, 1).numpy().sum(1), 1.0)
    assert np.allclose(special.log_softmax(x, 1, dtype=torchlike.float32).exp().numpy().sum(1), 1.0)
    assert special.log_softmax(x, 1, dtype=torchlike.float32).dtype == torchlike.float32
    assert np.allclose(special.logsumexp(x, 1).numpy(), [math.log(math.exp(1) + math.exp(2) + math.exp(3)),
                                                        math.log(3)])
    with pytest.raises(TypeError):
        special.round(t([1.5]), 1)  # decimals is keyword-only, as in PyTorch


def test_special_entr_gradient_and_integer_input():
    x = t([0.5, 2.0], dtype=torchlike.float64, requires_grad=True)
    special.entr(x).sum().backward()
    assert np.allclose(x.grad.numpy(), [-(math.log(0.5) + 1), -(math.log(2.0) + 1)])
    entropy = special.entr(t([0, 1, 2]))
    assert entropy.dtype == torchlike.float32 and np.allclose(entropy.numpy(), [0, 0, -2 * math.log(2)])


def test_special_ndtri_is_accurate_far_into_the_tails():
    """``√2·erfinv(2p - 1)`` loses everything to the rounding of 2p - 1 for a tiny p; the standard library's
    inverse normal distribution function is the reference."""
    import statistics
    p = np.array([1e-300, 1e-20, 1e-16, 1e-10, 1e-3, 0.3, 0.5, 0.975, 1 - 1e-12])
    got = special.ndtri(t(p, dtype=torchlike.float64)).numpy()
    np.testing.assert_allclose(got, [statistics.NormalDist().inv_cdf(v) for v in p], rtol=1e-12, atol=1e-15)
    assert special.ndtri(t([0.0, 1.0])).tolist() == [-np.inf, np.inf]
    assert np.isnan(special.ndtri(t([-0.5, 1.5])).numpy()).all()


def test_special_ndtri_inverts_ndtr():
    x = t(np.linspace(-3, 3, 7), dtype=torchlike.float64)
    assert np.allclose(special.ndtri(special.ndtr(x)).numpy(), x.numpy(), atol=1e-10)


# ------------------------------------------------------------------------------------------- assert_close

def _message(actual, expected, **kw):
    with pytest.raises(AssertionError) as info:
        testing.assert_close(actual, expected, **kw)
    return str(info.value)


def test_assert_close_passes_within_the_dtype_tolerances():
    testing.assert_close(t([1.0, 2.0, 3.0]), t([1.0, 2.0, 3.0 + 2e-6]))  # float32: rtol 1.3e-6, atol 1e-5
    testing.assert_close(t([1.0], dtype=torchlike.float64), t([1.0 + 1.5e-7], dtype=torchlike.float64))
    testing.assert_close(t([1, 2]), t([1, 2]))
    testing.assert_close(t([float("inf"), float("nan")]), t([float("inf"), float("nan")]), equal_nan=True)
    testing.assert_close(t([1.0, 2.0]), t([1.0, 2.5]), rtol=0.3, atol=0.0)
    testing.assert_close([t(1.0), {"a": 2.0}], (t(1.0), {"a": 2.0}))
    testing.assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]))


def test_assert_close_fails_with_pytorchs_message():
    assert _message(t([1.0, 2.0, 3.0]), t([1.0, 2.5, 3.1])) == (
        "Tensor-likes are not close!\n\n"
        "Mismatched elements: 2 / 3 (66.7%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)")
    assert _message(t([[1.0, 2.0], [3.0, 4.0]], dtype=torchlike.float64),
                    t([[1.0, 2.0], [3.0, 5.0]], dtype=torchlike.float64)).splitlines()[3] == \
        "Greatest absolute difference: 1.0 at index (1, 1) (up to 1e-07 allowed)"
    assert _message(t([1, 2, 3]), t([1, 2, 4])) == (
        "Tensor-likes are not equal!\n\n"
        "Mismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 1 at index (2,)\n"
        "Greatest relative difference: 0.25 at index (2,)")
    assert _message(t(1.0), t(2.0)) == ("Scalars are not close!\n\nExpected 2.0 but got 1.0.\n"
                                        "Absolute difference: 1.0 (up to 1e-05 allowed)\n"
                                        "Relative difference: 0.5 (up to 1.3e-06 allowed)")
    assert _message(1, 2) == "Scalars are not equal!\n\nExpected 2 but got 1.\nAbsolute difference: 1\n" \
                             "Relative difference: 0.5"


def test_assert_close_checks_attributes_first():
    assert _message(t([1.0, 2.0]), t([1.0, 2.0], dtype=torchlike.float64)) == \
        "The values for attribute 'dtype' do not match: minidl.float32 != minidl.float64."
    testing.assert_close(t([1.0, 2.0]), t([1.0, 2.0], dtype=torchlike.float64), check_dtype=False)
    assert _message(t([1.0, 2.0]), t([1.0, 2.0, 3.0])) == \
        "The values for attribute 'shape' do not match: minidl.Size([2]) != minidl.Size([3])."
    assert _message(1.0, 1) == "The (d)types do not match: <class 'float'> != <class 'int'>."


def test_assert_close_nan_tolerances_and_custom_messages():
    assert "Greatest absolute difference: nan at index (0,)" in _message(t([float("nan")]), t([float("nan")]))
    assert "(up to 0.0 allowed)" in _message(t([1.0, 2.0]), t([1.0, 2.5]), rtol=0.1, atol=0.0)
    assert _message(t([1.0]), t([2.0]), msg="custom") == "custom"
    assert _message(t([1.0]), t([2.0]), msg=lambda m: "prefix: " + m).startswith("prefix: Tensor-likes")
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol' must be either specified or omitted, but got no atol"):
        testing.assert_close(t([1.0]), t([1.0]), rtol=0.1)


_NAN, _INF = float("nan"), float("inf")

#: pairs whose reports depend on which elements count: zeros in expected (matching or not), NaNs, infinities,
#: ties for the greatest difference
_REPORT_CASES = [
    ([[0.0, 1.1, 2.2], [3.3, 4.4, 5.5]], [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]),
    ([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], [[0.0, 1.1, 2.2], [3.3, 4.4, 5.5]]),
    ([1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    ([1.0, 5.0, 2.0], [0.0, 0.0, 1.0]),
    ([_NAN, 1.0, 2.0], [0.0, 2.0, 3.0]),
    ([1.0, _NAN], [0.0, 1.0]),
    ([1.0, _INF, 3.0], [1.0, -_INF, 3.0]),
    ([_INF, 2.0, 3.0], [_INF, 2.0, 4.0]),
    ([3.0, 2.0, 5.0], [1.0, 1.0, 3.0]),
    ([0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
    ([1, 3, 0], [0, 3, 5]),
]


def test_assert_close_reports_only_mismatched_elements():
    """A matching element's difference counts as 0 (so an expected 0 that matches gives no 0/0 = NaN); a
    mismatched expected 0 has an infinite relative difference; ties go to the first index, NaN beats all."""
    x = torchlike.arange(6.0).reshape(2, 3)
    assert _message(x, x * 1.1).splitlines()[3:] == [
        "Greatest absolute difference: 0.5 at index (1, 2) (up to 1e-05 allowed)",
        "Greatest relative difference: 0.09090914577245712 at index (1, 0) (up to 1.3e-06 allowed)"]
    assert _message(t([1.0, 2.0, 5.0]), t([0.0, 2.0, 3.0])).splitlines()[-1] == \
        "Greatest relative difference: inf at index (0,) (up to 1.3e-06 allowed)"
    assert _message(t([_INF, 2.0, 3.0]), t([_INF, 2.0, 4.0]), rtol=0, atol=0).splitlines()[3:] == [
        "Greatest absolute difference: 1.0 at index (2,)", "Greatest relative difference: 0.25 at index (2,)"]
    assert _message(t([1.0, _NAN]), t([0.0, 1.0])).splitlines()[-1] == \
        "Greatest relative difference: nan at index (1,) (up to 1.3e-06 allowed)"
    assert _message(t([0.0, 1.0, 1.0]), t([0.0, 0.0, 0.0])).splitlines()[3] == \
        "Greatest absolute difference: 1.0 at index (1,) (up to 1e-05 allowed)"


@pytest.mark.parametrize("actual, expected", _REPORT_CASES)
@pytest.mark.parametrize("exact", [False, True])
def test_assert_close_reports_as_pytorch(actual, expected, exact):
    torch = pytest.importorskip("torch")
    kw = {"rtol": 0, "atol": 0} if exact else {}
    with pytest.raises(AssertionError) as theirs:
        torch.testing.assert_close(torch.tensor(actual), torch.tensor(expected), **kw)
    assert _message(t(actual), t(expected), **kw) == str(theirs.value)


def test_assert_close_in_containers_names_the_item():
    assert _message([t(1.0), t(2.0)], [t(1.0), t(2.5)]).endswith("\n\nThe failure occurred for item [1]")
    assert _message({"w": t(1.0)}, {"w": t(2.5)}).endswith("\n\nThe failure occurred for item ['w']")
    assert _message({"a": 1.0}, {"b": 1.0}) == ("The keys of the mappings do not match:\n"
                                               "Missing keys in the actual mapping: ['b']\n"
                                               "Additional keys in the actual mapping: ['a']")
    assert _message([1.0], [1.0, 2.0]) == "The length of the sequences mismatch: 1 != 2"
    with pytest.raises(TypeError, match="No comparison pair was able to handle inputs of type"):
        testing.assert_close(t(1.0), 1.0)


# -------------------------------------------------------------------------------------------- make_tensor

def test_make_tensor_dtypes_ranges_and_options():
    torchlike.manual_seed(0)
    a = testing.make_tensor(2, 3, dtype=torchlike.float32, device="cpu")
    torchlike.manual_seed(0)
    testing.assert_close(testing.make_tensor((2, 3), dtype=torchlike.float32, device="cpu"), a)
    assert a.shape == (2, 3) and a.dtype == torchlike.float32 and (abs(a.numpy()) <= 9).all()
    ints = testing.make_tensor(50, dtype=torchlike.int64, device="cpu", low=0, high=3, exclude_zero=True)
    assert ints.dtype == torchlike.int64 and set(ints.numpy().tolist()) <= {1, 2}
    assert testing.make_tensor(4, dtype=torchlike.uint8, device="cpu").numpy().min() >= 0
    assert testing.make_tensor(4, dtype=torchlike.bool, device="cpu").dtype == torchlike.bool
    z = testing.make_tensor(3, dtype=torchlike.complex64, device="cpu")
    assert z.dtype == torchlike.complex64 and (z.numpy().imag != 0).all()
    strided = testing.make_tensor(2, 3, dtype=torchlike.float64, device="cpu", noncontiguous=True, requires_grad=True)
    assert strided.shape == (2, 3) and not strided.is_contiguous() and strided.requires_grad
    with pytest.raises(ValueError, match="`low` must be less than `high`, but got 5 >= 1"):
        testing.make_tensor(2, dtype=torchlike.float32, device="cpu", low=5, high=1)


def test_lgamma_at_infinities_poles_and_huge_arguments():
    values = [math.inf, -math.inf, 3.0, -2.0, 0.5, -2.5, 1e300]
    got = torchlike.lgamma(t(values, dtype=torchlike.float64)).numpy()
    expected = [math.inf, math.inf, math.log(2), math.inf, math.lgamma(0.5), math.lgamma(-2.5), math.lgamma(1e300)]
    np.testing.assert_allclose(got, expected, rtol=1e-13)
