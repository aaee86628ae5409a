"""torch.signal.windows: values (1e-6 in float32, 1e-12 in float64), keyword-only arguments and PyTorch's errors."""
import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.signal import windows

torch = pytest.importorskip("torch")

PARAMETERS = {  # window -> its own keyword arguments, a few settings each
    "bartlett": [{}], "blackman": [{}], "cosine": [{}], "hamming": [{}], "hann": [{}], "nuttall": [{}],
    "kaiser": [{}, {"beta": 0.0}, {"beta": 3.5}],
    "gaussian": [{}, {"std": 2.5}],
    "exponential": [{}, {"tau": 3.0}],
    "general_cosine": [{"a": [0.46, 0.23, 0.31]}, {"a": (1.0,)}],
    "general_hamming": [{}, {"alpha": 0.7}],
}
CASES = [(name, kwargs) for name, settings in PARAMETERS.items() for kwargs in settings]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
@pytest.mark.parametrize("dtype, tolerance", [("float32", 1e-6), ("float64", 1e-12)])
def test_windows_equal_pytorchs(name, kwargs, dtype, tolerance):
    for M in (0, 1, 2, 5, 8, 33):
        for sym in (True, False):
            ours = getattr(windows, name)(M, sym=sym, dtype=getattr(T, dtype), **kwargs)
            theirs = getattr(torch.signal.windows, name)(M, sym=sym, dtype=getattr(torch, dtype), **kwargs)
            assert ours.dtype == getattr(T, dtype) and tuple(ours.shape) == tuple(theirs.shape) == (M,)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=0, atol=tolerance, err_msg=f"M={M}")


def test_exponential_around_a_given_center_as_pytorch():
    for M in (1, 4, 9):
        ours = windows.exponential(M, center=2.5, tau=0.75, sym=False, dtype=T.float64)
        theirs = torch.signal.windows.exponential(M, center=2.5, tau=0.75, sym=False, dtype=torch.float64)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=0, atol=1e-12)


def test_default_dtype_requires_grad_and_the_import_forms():
    import minidl.eager.signal.windows as by_path
    assert by_path is windows is T.signal.windows
    w = windows.hann(6, requires_grad=True)
    assert w.dtype == T.float32 and w.requires_grad and w.is_leaf
    T.set_default_dtype(T.float64)
    try:
        assert windows.cosine(3).dtype == T.float64
    finally:
        T.set_default_dtype(T.float32)


@pytest.mark.parametrize("name, periodic_twin", [("hann", "hann_window"), ("hamming", "hamming_window"),
                                                 ("blackman", "blackman_window"), ("bartlett", "bartlett_window"),
                                                 ("kaiser", "kaiser_window")])
def test_sym_is_the_opposite_of_the_old_windows_periodic(name, periodic_twin):
    for M in (1, 6, 7):
        for sym in (True, False):
            ours = getattr(windows, name)(M, sym=sym, dtype=T.float64).numpy()
            twin = getattr(T, periodic_twin)(M, periodic=not sym, dtype=T.float64).numpy()
            np.testing.assert_allclose(ours, twin, rtol=0, atol=1e-15)  # (hamming's 1 - 0.54 is not 0.46 exactly)


def test_arguments_after_M_are_keyword_only():
    for lib in (T.signal.windows, torch.signal.windows):
        with pytest.raises(TypeError):
            lib.hann(5, False)


ERRORS = [  # (window, arguments, PyTorch's exception and message)
    ("hann", dict(M=-1), ValueError, "general_cosine requires non-negative window length, got M=-1"),
    ("blackman", dict(M=-2), ValueError, "blackman requires non-negative window length, got M=-2"),
    ("gaussian", dict(M=3, std=0.0), ValueError, "Standard deviation must be positive, got: 0.0 instead."),
    ("kaiser", dict(M=3, beta=-1.0), ValueError, "beta must be non-negative, got: -1.0 instead."),
    ("exponential", dict(M=3, tau=0.0), ValueError, "Tau must be positive, got: 0.0 instead."),
    ("exponential", dict(M=3, center=1.0), ValueError, "Center must be None for symmetric windows"),
    ("general_cosine", dict(M=3, a=[]), ValueError, "Coefficients cannot be empty"),
    ("general_cosine", dict(M=3, a=3), TypeError, "Coefficients must be a list/tuple"),
    ("cosine", dict(M=3, layout="sparse_coo"), ValueError,
     "cosine is implemented for strided tensors only, got: torch.sparse_coo"),
    ("bartlett", dict(M=2.5), TypeError, None),
]


@pytest.mark.parametrize("name, kwargs, error, message", ERRORS, ids=[f"{e[0]}-{e[1]}" for e in ERRORS])
def test_bad_arguments_raise_pytorchs_errors(name, kwargs, error, message):
    for lib in (T, torch):
        arguments = {k: getattr(lib, v) if k == "layout" else v for k, v in kwargs.items()}
        with pytest.raises(error) as raised:
            getattr(lib.signal.windows, name)(**arguments)
        if message is not None:
            assert str(raised.value) == message


def test_dtypes_other_than_float32_and_float64_are_refused():
    for lib in (T, torch):
        for dtype in (lib.float16, lib.int64):
            with pytest.raises(ValueError, match="general_cosine expects float32 or float64 dtypes, got: .*"
                               + str(dtype).split(".")[-1]):
                lib.signal.windows.hamming(4, dtype=dtype)
