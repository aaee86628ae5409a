"""Shared fixtures: the device parameter (cpu always, cuda when cupy sees a GPU) and hypothesis profiles."""
import os
import sys

import pytest
from hypothesis import HealthCheck, Phase, settings

from minidl.backend import cuda_is_available

RELAXED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
           HealthCheck.function_scoped_fixture]
settings.register_profile("default", deadline=None, max_examples=10, derandomize=True, suppress_health_check=RELAXED)
settings.register_profile("thorough", deadline=None, max_examples=100, suppress_health_check=RELAXED)
# few examples: a short run where each example is dear (on a GPU, every new shape and dtype compiles kernels first);
# a failure is reported as found, unshrunk, since shrinking would run the test dozens of times more
settings.register_profile("quick", deadline=None, max_examples=4, derandomize=True, suppress_health_check=RELAXED,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not cuda_is_available(),
                                                                 reason="cupy sees no GPU"))]


@pytest.fixture(params=DEVICES)
def device(request):
    """Run the test on every available device: the same test function, never a copied GPU suite."""
    return request.param


@pytest.fixture(autouse=True)
def _torch_keeps_validating_distributions():
    """Compiling anything in PyTorch (torch.compile, Module.compile, torch.cond) imports torch._dynamo, which turns
    off torch.distributions' argument validation for the whole process: later tests comparing minidl's errors with
    PyTorch's would see none. Each test leaves the setting as it found it."""
    torch = sys.modules.get("torch")
    # PyTorch's own default, when the test is the first to import it
    validating = torch.distributions.Distribution._validate_args if torch is not None else __debug__
    yield
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.distributions.Distribution.set_default_validate_args(validating)


def pytest_runtest_setup(item):
    """Work around hypothesis's pytest plugin (seen in 6.155): before each invocation of a parametrized test it wraps
    the test's settings in a new settings object whose parent is the previous one, so a test with thousands of
    parameter sets (the op table) builds a chain thousands deep and fails with RecursionError. Every invocation here
    starts again from the settings the test was defined with."""
    fn = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
    if getattr(fn, "is_hypothesis_test", False):
        defined = fn.__dict__.setdefault("_minidl_defined_settings", fn._hypothesis_internal_use_settings)
        fn._hypothesis_internal_use_settings = defined
