"""``F.conv_tbc`` (and ``torch.conv_tbc``): conv1d in the time-major layout (T, B, C), against conv1d on the
transposed arrays, PyTorch where installed, and central differences."""
import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.autograd import gradcheck

RNG = np.random.default_rng(3)
X, W, B = RNG.standard_normal((7, 2, 3)), RNG.standard_normal((3, 3, 4)), RNG.standard_normal(4)


@pytest.mark.parametrize("pad", [0, 2])
def test_conv_tbc_is_conv1d_over_time(pad):
    y = T.conv_tbc(T.tensor(X), T.tensor(W), T.tensor(B), pad)
    assert y.shape == (7 + 2 * pad - 3 + 1, 2, 4)
    reference = T.nn.functional.conv1d(T.tensor(X.transpose(1, 2, 0)), T.tensor(W.transpose(2, 1, 0)), T.tensor(B),
                                       padding=pad)
    np.testing.assert_allclose(y.numpy(), reference.numpy().transpose(2, 0, 1), rtol=1e-12)
    torch = pytest.importorskip("torch")
    theirs = torch.nn.functional.conv_tbc(torch.tensor(X), torch.tensor(W), torch.tensor(B), pad)
    np.testing.assert_allclose(y.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_conv_tbc_gradients():
    assert gradcheck(lambda x, w, b: T.nn.functional.conv_tbc(x, w, b, 1),
                     tuple(T.tensor(a, requires_grad=True) for a in (X, W, B)))


def test_conv_tbc_names_a_layout_mistake():
    with pytest.raises(RuntimeError, match=r"conv_tbc: expected a 3-D weight \(K, C_in, C_out\)"):
        T.conv_tbc(T.tensor(X), T.tensor(W[0]), T.tensor(B))
