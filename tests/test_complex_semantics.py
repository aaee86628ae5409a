"""Complex tensors where PyTorch draws random numbers into them, orders them, or turns them into Python numbers:
normal and uniform samples fill both parts, the other samplers and the running extrema refuse them, ``abs_`` would
store a real result in a complex tensor (refused), float()/int() take a number whose imaginary part is 0."""
import numpy as np
import pytest

import minidl.eager as T


def test_normal_and_uniform_samples_fill_the_real_and_the_imaginary_part():
    T.manual_seed(0)
    z = T.zeros(200_000, dtype=T.complex128).normal_(2.0, 3.0)
    parts = np.stack([z.real.numpy(), z.imag.numpy()])
    np.testing.assert_allclose(parts.mean(1), [2.0, 2.0], atol=0.03)  # each part N(mean, std²/2), as PyTorch
    np.testing.assert_allclose(parts.std(1), [3 / np.sqrt(2)] * 2, rtol=0.01)
    u = T.empty(200_000, dtype=T.complex64).uniform_(-1.0, 3.0)
    assert u.dtype == T.complex64 and -1 <= u.imag.min().item() and u.imag.max().item() < 3
    np.testing.assert_allclose([u.real.mean().item(), u.imag.mean().item()], [1.0, 1.0], atol=0.02)
    w = T.nn.init.xavier_uniform_(T.empty(64, 64, dtype=T.complex64))  # nn.init draws through them too
    assert 0.1 < w.imag.abs().max().item() <= np.sqrt(6 / 128)
    seeded = [T.nn.init.normal_(T.empty(3), generator=T.Generator().manual_seed(5)).tolist() for _ in range(2)]
    assert seeded[0] == seeded[1]


@pytest.mark.parametrize("sampler, args", [("exponential_", ()), ("log_normal_", ()), ("cauchy_", ()),
                                           ("geometric_", (0.5,)), ("random_", ()), ("bernoulli_", (0.5,))])
def test_the_other_samplers_refuse_complex_tensors(sampler, args):
    with pytest.raises(NotImplementedError, match=f'"{sampler}" not implemented for complex tensors'):
        getattr(T.zeros(2, dtype=T.complex64), sampler)(*args)


def test_complex_numbers_have_no_running_extremum_and_abs_in_place_is_refused():
    z = T.tensor([1j, 1 + 0j, -2 + 5j])
    for name in ("cummax", "cummin"):
        with pytest.raises(NotImplementedError, match=f'"{name}" not implemented for complex tensors'):
            getattr(T, name)(z, 0)
    with pytest.raises(RuntimeError, match="In-place abs is not supported for complex tensors"):
        T.tensor([3 + 4j]).abs_()
    assert T.tensor([-3.0]).abs_().tolist() == [3.0] and T.tensor([3 + 4j]).abs().tolist() == [5.0]


def test_float_and_int_of_a_complex_number_with_no_imaginary_part():
    assert float(T.tensor(1.5 + 0j)) == 1.5 and int(T.tensor(2 + 0j)) == 2 and complex(T.tensor(1j)) == 1j
    with pytest.raises(RuntimeError, match=r"cannot be converted to type double.*\(1\+1j\) has an imaginary part"):
        float(T.tensor(1 + 1j))
