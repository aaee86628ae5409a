"""``nn.attention.SDPBackend`` and ``sdpa_kernel``: a block that allows the math kernel (or flash, which PyTorch runs
on a CPU too) computes the same attention as outside it; one that allows neither fails, and the setting is restored
after the block. The same assertions run on minidl and, where installed, on PyTorch."""
import numpy as np
import pytest

import minidl.eager as T


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


def _attention(lib):
    q = lib.tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 4)))
    return lib.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)


@pytest.mark.parametrize("backends", ["MATH", "FLASH_ATTENTION", ["EFFICIENT_ATTENTION", "MATH"]])
def test_allowed_kernels_compute_the_same_attention(lib, backends):
    B = lib.nn.attention.SDPBackend
    chosen = [getattr(B, b) for b in backends] if isinstance(backends, list) else getattr(B, backends)
    expected = _attention(lib)
    with lib.nn.attention.sdpa_kernel(chosen):
        np.testing.assert_allclose(_attention(lib).numpy(), expected.numpy(), rtol=1e-12)


@pytest.mark.parametrize("backend", ["ERROR", "EFFICIENT_ATTENTION", "CUDNN_ATTENTION", "OVERRIDEABLE", None])
def test_no_viable_kernel_fails_and_the_setting_is_restored(lib, backend):
    B = lib.nn.attention.SDPBackend
    with lib.nn.attention.sdpa_kernel([] if backend is None else getattr(B, backend)):
        with pytest.raises(RuntimeError, match="No viable backend for scaled_dot_product_attention was found"):
            _attention(lib)
    assert _attention(lib).shape == (1, 2, 3, 4)


def test_a_backend_must_be_an_sdp_backend(lib):
    with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
        with lib.nn.attention.sdpa_kernel("math"):
            pass
