"""One check for code written once for both libraries: ``build(L, x)`` computes a scalar from the leaf ``x`` with
``L`` = minidl.eager or torch. minidl's gradient must match float64 central differences (of minidl's own values,
computed without recording) and, where PyTorch is installed, PyTorch's gradient."""
import numpy as np
import pytest

import minidl.eager as T


def central_differences(loss_of, start, step=1e-6):
    """d loss / d start, one element at a time: (loss(start + h) - loss(start - h)) / 2h."""
    def at(values):
        with T.no_grad():
            return loss_of(T.tensor(values)).item()
    numeric = np.zeros_like(start)
    for i in np.ndindex(*start.shape):
        h = np.zeros_like(start)
        h[i] = step
        numeric[i] = (at(start + h) - at(start - h)) / (2 * step)
    return numeric


def check_gradient(build, start):
    x = T.tensor(start, requires_grad=True)
    build(T, x).backward()
    np.testing.assert_allclose(x.grad.numpy(), central_differences(lambda v: build(T, v), start), rtol=1e-6,
                               atol=1e-6)
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(start, requires_grad=True)
    build(torch, theirs).backward()
    np.testing.assert_allclose(x.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-12)
