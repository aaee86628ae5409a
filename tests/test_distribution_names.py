"""Distribution names that user code reaches for: ``param_shape``, ``sample_n`` and ``constraints.dependent`` /
``dependent_property`` / ``is_dependent`` (a distribution written as PyTorch's docs show). The same assertions run
on minidl and, where installed, on PyTorch."""
import warnings

import pytest

import minidl.eager as T


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


def test_param_shape_is_the_given_parameters(lib):
    D = lib.distributions
    assert tuple(D.Categorical(logits=lib.zeros(2, 3)).param_shape) == (2, 3)
    assert tuple(D.Bernoulli(probs=lib.full((4,), 0.5)).param_shape) == (4,)
    assert tuple(D.Binomial(5, logits=lib.zeros(2)).param_shape) == (2,)
    assert tuple(D.OneHotCategorical(probs=lib.ones(3, 4) / 4).param_shape) == (3, 4)
    assert tuple(D.Multinomial(3, probs=lib.ones(4) / 4).param_shape) == (4,)


def test_sample_n_is_sample_of_n_with_a_warning(lib):
    d = lib.distributions.Normal(lib.zeros(2), lib.ones(2))
    with pytest.warns(FutureWarning, match="sample_n"):
        assert tuple(d.sample_n(3).shape) == (3, 2)


def test_a_distribution_with_a_dependent_support(lib):
    constraints = lib.distributions.constraints

    class Shifted(lib.distributions.Distribution):
        """Uniform on [low, low + 1], its support depending on its argument, as PyTorch's docs write one."""
        arg_constraints = {"low": constraints.real}

        def __init__(self, low, validate_args=None):
            self.low = low
            super().__init__(low.shape, validate_args=validate_args)

        @constraints.dependent_property(is_discrete=False, event_dim=0)
        def support(self):
            return constraints.interval(self.low, self.low + 1)

        def log_prob(self, value):
            if self._validate_args:
                self._validate_sample(value)
            return lib.zeros_like(value)

    d = Shifted(lib.tensor([0.0, 2.0]), validate_args=True)
    assert constraints.is_dependent(Shifted.support) and not constraints.is_dependent(d.support)
    assert Shifted.support.event_dim == 0 and not Shifted.support.is_discrete
    d.log_prob(lib.tensor([0.5, 2.5]))
    with pytest.raises(ValueError):
        d.log_prob(lib.tensor([1.5, 2.5]))
    assert constraints.is_dependent(constraints.dependent) and not constraints.is_dependent(constraints.real)
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        constraints.dependent.check(lib.ones(1))
    with pytest.raises(NotImplementedError):
        constraints.dependent.event_dim
    assert constraints.dependent(event_dim=1).event_dim == 1
    with warnings.catch_warnings():   # a dependent argument is skipped by validation
        warnings.simplefilter("error")

        class WithDependentArgument(Shifted):
            arg_constraints = {"low": constraints.dependent}
        WithDependentArgument(lib.tensor([1.0]), validate_args=True)
