"""``nn.init``: the statistics of every initialiser (range, mean, spread), fan computation, gains (against
PyTorch's), orthogonality, reproducibility, and that filling is in place and unrecorded."""
import math

import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.nn import init

SHAPE = (200, 30, 3, 3)  # fan_in = 30·9 = 270, fan_out = 200·9 = 1800
FAN_IN, FAN_OUT = 270, 1800


def _param(shape=SHAPE):
    return nn.Parameter(torchlike.empty(*shape))


def _values(t):
    return t.detach().numpy().astype(numpy.float64)


def test_fan_computation():
    assert init._calculate_fan_in_and_fan_out(_param()) == (FAN_IN, FAN_OUT)
    assert init._calculate_fan_in_and_fan_out(_param((5, 7))) == (7, 5)  # a Linear weight (out, in)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(_param((5,)))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(_param(), mode="fan_avg")


@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("conv2d", None), ("conv_transpose2d", None),
                                                 ("sigmoid", None), ("tanh", None), ("relu", None),
                                                 ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)])
def test_gain_matches_pytorch(nonlinearity, param):
    torch = pytest.importorskip("torch")
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-12)


def test_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity swish"):
        init.calculate_gain("swish")


def _check_uniform(values, bound):
    assert numpy.abs(values).max() <= bound * (1 + 1e-6)
    assert numpy.abs(values).max() > 0.99 * bound  # the whole range is used
    assert values.mean() == pytest.approx(0, abs=0.02 * bound)
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def _check_normal(values, std):
    assert values.mean() == pytest.approx(0, abs=0.02 * std)
    assert values.std() == pytest.approx(std, rel=0.02)


@pytest.mark.parametrize("fill, check", [
    (lambda t: init.uniform_(t, -0.3, 0.3), lambda v: _check_uniform(v, 0.3)),
    (lambda t: init.uniform_(t, 2.0, 4.0), lambda v: _check_uniform(v - 3.0, 1.0)),
    (lambda t: init.normal_(t, 0.0, 0.7), lambda v: _check_normal(v, 0.7)),
    (lambda t: init.normal_(t, 5.0, 0.1), lambda v: _check_normal(v - 5.0, 0.1)),
    (lambda t: init.xavier_uniform_(t), lambda v: _check_uniform(v, math.sqrt(6 / (FAN_IN + FAN_OUT)))),
    (lambda t: init.xavier_uniform_(t, gain=2.0), lambda v: _check_uniform(v, 2 * math.sqrt(6 / (FAN_IN + FAN_OUT)))),
    (lambda t: init.xavier_normal_(t), lambda v: _check_normal(v, math.sqrt(2 / (FAN_IN + FAN_OUT)))),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), lambda v: _check_uniform(v, math.sqrt(6 / FAN_IN))),
    (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), lambda v: _check_uniform(v, 1 / math.sqrt(FAN_IN))),
    (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
     lambda v: _check_normal(v, math.sqrt(2 / FAN_OUT))),
    (lambda t: init.kaiming_normal_(t, a=0.1), lambda v: _check_normal(v, math.sqrt(2 / (1.01 * FAN_IN)))),
])
def test_random_initialisers_have_the_right_statistics(fill, check):
    torchlike.manual_seed(0)
    check(_values(fill(_param())))


def test_trunc_normal_stays_in_its_interval():
    torchlike.manual_seed(0)
    values = _values(init.trunc_normal_(_param(), mean=0.5, std=1.0, a=-1.0, b=1.0))
    assert values.min() >= -1.0 and values.max() <= 1.0
    assert values.mean() == pytest.approx(0.5 * 0.46, abs=0.1)  # pulled towards 0.5 but cut at 1


def test_constant_initialisers():
    for fill, expected in ((init.zeros_, 0.0), (init.ones_, 1.0), (lambda t: init.constant_(t, 0.25), 0.25)):
        assert (_values(fill(_param((3, 4)))) == expected).all()
    numpy.testing.assert_array_equal(_values(init.eye_(_param((3, 5)))), numpy.eye(3, 5))
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(_param((2, 2, 2)))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 2, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    torchlike.manual_seed(1)
    q = _values(init.orthogonal_(_param(shape), gain=2.0)).reshape(shape[0], -1)
    product = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
    numpy.testing.assert_allclose(product, 4 * numpy.eye(min(q.shape)), atol=1e-5)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(_param((3,)))


def test_filling_is_in_place_unrecorded_and_reproducible():
    p = _param((4, 5))
    memory, version = p._data, p._version
    assert init.normal_(p) is p
    assert p._data is memory and p._version > version  # same memory, change visible to autograd's checks
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    torchlike.manual_seed(11)
    a = _values(init.kaiming_uniform_(_param()))
    torchlike.manual_seed(11)
    numpy.testing.assert_array_equal(a, _values(init.kaiming_uniform_(_param())))
    generator = torchlike.Generator().manual_seed(3)
    b = _values(init.uniform_(_param(), generator=generator))
    numpy.testing.assert_array_equal(b, _values(init.uniform_(_param(), generator=torchlike.Generator().manual_seed(3))))
    p64 = nn.Parameter(torchlike.empty(3, 3, dtype=torchlike.float64))
    assert init.xavier_normal_(p64).dtype == torchlike.float64


def test_zero_element_tensors_are_left_alone():
    p = _param((3, 0))
    assert init.kaiming_uniform_(p) is p
