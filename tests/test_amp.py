"""Mixed precision: autocast's casts, GradScaler's loss scaling and step skipping, and PyTorch's AMP recipe on a
machine without a GPU (where both switch themselves off, as PyTorch's do)."""
import warnings

import numpy as np
import pytest

import minidl
import minidl.eager as torch
from minidl.eager import nn


def test_autocast_runs_products_in_float16_and_sensitive_ops_in_float32():
    model = nn.Linear(4, 3)
    x = torch.randn(5, 4)
    with torch.autocast("cpu", dtype=torch.float16):
        hidden = model(x)                       # a product: float16
        assert hidden.dtype == torch.float16
        assert (hidden + 1).dtype == torch.float16          # not on a list: runs on what it gets
        assert (x @ x.T).dtype == torch.float16
        probs = hidden.softmax(dim=1)           # softmax: float32
        assert probs.dtype == torch.float32
        loss = nn.functional.cross_entropy(hidden, torch.tensor([0, 1, 2, 0, 1]))
        assert loss.dtype == torch.float32
    assert model(x).dtype == torch.float32      # restored on exit
    loss.backward()
    assert model.weight.grad.dtype == torch.float32     # the casts are recorded: float32 gradients
    exact = nn.functional.cross_entropy(model(x), torch.tensor([0, 1, 2, 0, 1]))
    (exact_grad,) = torch.autograd.grad(exact, [model.weight])
    np.testing.assert_allclose(loss.item(), exact.item(), rtol=3e-3)     # float16 products: ~3 digits
    np.testing.assert_allclose(model.weight.grad.numpy(), exact_grad.numpy(), rtol=2e-2, atol=2e-3)


def test_autocast_as_a_decorator_nests_and_restores():
    @torch.autocast("cpu", dtype=torch.float16)
    def product(a, b):
        return a @ b
    a = torch.ones(2, 2)
    assert product(a, a).dtype == torch.float16 and (a @ a).dtype == torch.float32
    with torch.autocast("cpu", dtype=torch.float16):
        with torch.autocast("cpu", enabled=False):
            assert (a @ a).dtype == torch.float32
        assert (a @ a).dtype == torch.float16 and torch.amp.is_autocast_enabled()
    assert not torch.amp.is_autocast_enabled()


def test_autocast_refuses_what_it_cannot_do():
    with pytest.raises(RuntimeError, match="pass dtype=torch.float16"):
        torch.autocast("cpu")
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu'"):
        torch.autocast("tpu")


def _train_step(scaler, model, optimizer, x, scale_loss_by=1.0):
    optimizer.zero_grad()
    loss = (model(x) * scale_loss_by).sum()
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()


def test_grad_scaler_scales_unscales_and_steps_with_the_true_gradient():
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    before = model.weight.detach().clone()
    x = torch.ones(2, 3)
    optimizer.zero_grad()
    loss = model(x).sum()
    scaled = scaler.scale(loss)
    assert scaled.item() == pytest.approx(loss.item() * 1024)
    scaled.backward()
    assert model.weight.grad.tolist() == [[2048.0] * 3]  # d(1024 · loss)/dW
    scaler.unscale_(optimizer)                            # e.g. to clip the true gradients
    assert model.weight.grad.tolist() == [[2.0] * 3]
    with pytest.raises(RuntimeError, match="already been called"):
        scaler.unscale_(optimizer)
    scaler.step(optimizer)
    np.testing.assert_allclose(model.weight.detach().numpy(), before.numpy() - 0.1 * 2.0, rtol=1e-6)
    scaler.update()
    assert scaler.get_scale() == 1024.0


def test_grad_scaler_skips_a_step_with_inf_gradients_and_adapts_the_scale():
    model = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
    x = torch.ones(1, 2)
    before = model.weight.detach().clone()
    _train_step(scaler, model, optimizer, x, scale_loss_by=float("inf"))
    assert model.weight.tolist() == before.tolist()      # skipped
    assert scaler.get_scale() == 4.0                      # backed off
    _train_step(scaler, model, optimizer, x)
    assert model.weight.tolist() != before.tolist() and scaler.get_scale() == 4.0
    _train_step(scaler, model, optimizer, x)
    assert scaler.get_scale() == 8.0                      # two clean steps: grown
    state = scaler.state_dict()
    again = torch.amp.GradScaler("cpu")
    again.load_state_dict(state)
    assert again.get_scale() == 8.0 and again.state_dict() == state
    with pytest.raises(AssertionError, match="No inf checks"):
        torch.amp.GradScaler("cpu").update()


@pytest.mark.skipif(minidl.cuda_is_available(), reason="checks what happens without a GPU")
def test_the_pytorch_amp_recipe_runs_in_float32_without_a_gpu():
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(FutureWarning, match="torch.cuda.amp.GradScaler"), \
            pytest.warns(UserWarning, match="CUDA is not available.  Disabling"):
        scaler = torch.cuda.amp.GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    with pytest.warns(UserWarning, match="Disabling autocast"):
        context = torch.autocast("cuda")
    with context:
        loss = model(torch.ones(2, 3)).sum()
    assert loss.dtype == torch.float32 and scaler.scale(loss) is loss
    scaler.scale(loss).backward()
    before = model.bias.item()
    scaler.step(optimizer)
    scaler.update()
    assert model.bias.item() == pytest.approx(before - 0.1 * 2)


def test_grad_scaler_scale_trajectory_matches_pytorch():
    real = pytest.importorskip("torch")
    overflows = [False, True, False, False, False, True, False, False]
    scales = []
    for lib in (torch, real):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = lib.nn.Linear(2, 1)
            optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
            scaler = lib.amp.GradScaler("cpu", init_scale=16.0, growth_interval=2)
        seen = []
        for overflow in overflows:
            optimizer.zero_grad()
            loss = (model(lib.ones(1, 2)) * (float("inf") if overflow else 1.0)).sum()
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            seen.append(scaler.get_scale())
        scales.append(seen)
    assert scales[0] == scales[1]


def test_attention_and_mixed_half_float_products_run_under_autocast():
    """Under autocast, a product of float32 and float16 operands is cast before it runs (the op library's dtype
    check lets them through); outside it, and for float64, the mix is still refused."""
    x = torch.ones(3, 2, 4)
    attention = nn.MultiheadAttention(4, 2)
    with torch.autocast("cpu", dtype=torch.float16):
        assert attention(x, x, x)[0].dtype == torch.float16
        assert (torch.ones(2, 2) @ torch.ones(2, 2).half()).dtype == torch.float16
        with pytest.raises(TypeError, match="same dtype"):
            torch.ones(2, 2, dtype=torch.float64) @ torch.ones(2, 2).half()
    with pytest.raises(TypeError, match="same dtype"):
        torch.ones(2, 2) @ torch.ones(2, 2).half()
