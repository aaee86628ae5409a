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
        assert hidden.softmax(dim=1).dtype == torch.float16  # on the CPU's lists softmax is not float32
        assert hidden.prod().dtype == torch.float32          # prod is
        loss = nn.functional.cross_entropy(hidden, torch.tensor([0, 1, 2, 0, 1]))
        assert loss.dtype == torch.float32                   # and the losses
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
        assert (a @ a).dtype == torch.float16 and torch.amp.is_autocast_enabled("cpu")
        assert not torch.amp.is_autocast_enabled()  # PyTorch's default device type: "cuda"
    assert not torch.amp.is_autocast_enabled("cpu")


def test_autocast_refuses_what_it_cannot_do():
    # PyTorch's CPU default, bfloat16, is a name here and nothing more: autocast warns and turns itself off
    for make in (lambda: torch.autocast("cpu"), lambda: torch.autocast("cpu", dtype=torch.bfloat16)):
        with pytest.warns(UserWarning, match="(?s)target dtype is not supported. Disabling autocast.*numpy has "
                                             "no bfloat16"):
            context = make()
        with context:
            assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu'"):
        torch.autocast("tpu")
    with pytest.warns(UserWarning, match="target dtype is not supported. Disabling autocast"):
        off = torch.autocast("cpu", dtype=torch.float32)
    with off:
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32 and not torch.is_autocast_cpu_enabled()


def test_bfloat16_is_a_name_that_makes_no_tensors():
    """nanoGPT picks its dtype from ``{"float32": torch.float32, "bfloat16": torch.bfloat16, ...}``: the name must
    exist; a tensor of it cannot (numpy has no bfloat16), and every attempt says so."""
    dtypes = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
    assert isinstance(dtypes["bfloat16"], torch.dtype) and torch.bfloat16.is_floating_point
    assert torch.bfloat16 == torch.bfloat16 and torch.bfloat16 != torch.float16 and not torch.cuda.is_bf16_supported()
    for make in (lambda: torch.zeros(2, dtype=torch.bfloat16), lambda: torch.ones(2).bfloat16(),
                 lambda: torch.ones(2).to(torch.bfloat16), lambda: nn.Linear(2, 2).to(torch.bfloat16)):
        with pytest.raises(TypeError, match="numpy has no bfloat16 type"):
            make()


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


def _square(h):
    return h[:3].float()  # a float32 3x3 matrix


CPU_AUTOCAST_CASES = {
    "softmax": lambda F, h, t: h.softmax(1), "log_softmax": lambda F, h, t: h.log_softmax(1),
    "exp": lambda F, h, t: h.exp(), "sum": lambda F, h, t: h.sum(), "mean": lambda F, h, t: h.mean(),
    "prod": lambda F, h, t: h.prod(), "cumsum": lambda F, h, t: h.cumsum(0), "norm": lambda F, h, t: h.norm(),
    "layer_norm": lambda F, h, t: F.layer_norm(h, (3,)), "logsumexp": lambda F, h, t: h.logsumexp(1),
    "mse_loss": lambda F, h, t: F.mse_loss(h, h * 0.5), "l1_loss": lambda F, h, t: F.l1_loss(h, h * 0.5),
    "smooth_l1_loss": lambda F, h, t: F.smooth_l1_loss(h, h * 0.5),
    "huber_loss": lambda F, h, t: F.huber_loss(h, h * 0.5), "cross_entropy": lambda F, h, t: F.cross_entropy(h, t),
    "nll_loss": lambda F, h, t: F.nll_loss(h.log_softmax(1), t),
    "bce_with_logits": lambda F, h, t: F.binary_cross_entropy_with_logits(h, h.sigmoid()),
    "binary_cross_entropy": lambda F, h, t: F.binary_cross_entropy(h.sigmoid(), h.sigmoid()),
    "kl_div": lambda F, h, t: F.kl_div(h.log_softmax(1), h.softmax(1), reduction="batchmean"),
    "poisson_nll_loss": lambda F, h, t: F.poisson_nll_loss(h, h.abs()),
    "soft_margin_loss": lambda F, h, t: F.soft_margin_loss(h, h.sign()),
    "multi_margin_loss": lambda F, h, t: F.multi_margin_loss(h, t),
    "hinge_embedding_loss": lambda F, h, t: F.hinge_embedding_loss(h, h.sign()),
    "triplet_margin_loss": lambda F, h, t: F.triplet_margin_loss(h, h * 0.9, h * 0.1),
    "margin_ranking_loss": lambda F, h, t: F.margin_ranking_loss(h[:, 0], h[:, 1], t.float() * 2 - 1),
    "gelu": lambda F, h, t: F.gelu(h), "softplus": lambda F, h, t: F.softplus(h),
    # the product-plus-input ops: addmm and the batched ones lowered whole (input too), addmv and addr not
    "addmm": lambda F, h, t: _square(h).addmm(_square(h), _square(h)),
    "baddbmm": lambda F, h, t: _square(h)[None].baddbmm(_square(h)[None], _square(h)[None]),
    "addbmm": lambda F, h, t: _square(h).addbmm(_square(h)[None], _square(h)[None]),
    "addmv": lambda F, h, t: _square(h)[:, 0].addmv(_square(h), _square(h)[0]),
    "addr": lambda F, h, t: _square(h).addr(_square(h)[0], _square(h)[1]),
}


@pytest.mark.parametrize("case", sorted(CPU_AUTOCAST_CASES))
def test_cpu_autocast_follows_pytorchs_cpu_lists(case):
    """On the CPU, PyTorch's float32 list is the losses and prod: a softmax of float16 logits stays float16 (the
    GPU's list would run it in float32). Same dtype and, to float16 precision, the same value."""
    pytorch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, w, labels = rng.standard_normal((4, 3)), rng.standard_normal((3, 3)), np.array([0, 1, 2, 0])
    results = []
    for lib in (pytorch, torch):
        with lib.autocast("cpu", dtype=lib.float16):
            hidden = lib.tensor(x, dtype=lib.float32) @ lib.tensor(w, dtype=lib.float32)  # float16
            out = CPU_AUTOCAST_CASES[case](lib.nn.functional, hidden, lib.tensor(labels))
        results.append((str(out.dtype).split(".")[-1], out.float().detach().numpy()))
    (torch_dtype, expected), (dtype, got) = results
    assert dtype == torch_dtype
    np.testing.assert_allclose(got, expected, rtol=2e-2, atol=2e-3)


CPU_AUTOCAST_LIBRARY_CASES = {
    "linalg.inv": lambda lib, spd, x: lib.linalg.inv(spd),
    "avg_pool3d": lambda lib, spd, x: lib.nn.functional.avg_pool3d(spd.reshape(1, 1, 1, 3, 3), 1),
    "max_pool3d": lambda lib, spd, x: lib.nn.functional.max_pool3d(spd.reshape(1, 1, 1, 3, 3), 1),
    "rnn": lambda lib, spd, x: lib.nn.RNN(3, 2)(x[None])[0],
    "gru": lambda lib, spd, x: lib.nn.GRU(3, 2)(x[None])[0],
}


@pytest.mark.parametrize("case", sorted(CPU_AUTOCAST_LIBRARY_CASES))
def test_cpu_autocast_runs_factorizations_3d_pools_and_rnns_as_pytorch(case):
    """Ops without float16 kernels run in float32 under the CPU's autocast (they used to fail on the float16
    results of products); the fused RNN is lowered with the products around it. (The other factorizations refuse
    float16 with a clear error: README's limits.)"""
    pytorch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3))
    results = []
    for lib in (pytorch, torch):
        lib.manual_seed(0)
        with lib.autocast("cpu", dtype=lib.float16):
            m = lib.tensor(a, dtype=lib.float32)
            spd = m @ m.T  # float16
            spd = spd + 4 * (spd * 0 + 1).triu().tril()  # a diagonal of 4s: well conditioned
            out = CPU_AUTOCAST_LIBRARY_CASES[case](lib, spd, m)
        results.append(str(out.dtype).split(".")[-1])
    assert results[1] == results[0]
