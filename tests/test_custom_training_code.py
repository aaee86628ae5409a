"""What PyTorch users write on top of the framework, run unchanged: their own optimizer and scheduler classes, a
submodule registered under two names, a shuffled DataLoader whose order must not depend on ``num_workers``, and
``import torch.fft`` / ``from torch.linalg import ...`` forms of the imports."""
import importlib

import numpy as np
import pytest

import minidl.eager as T


def _custom_classes(L):
    class Warmup(L.optim.lr_scheduler._LRScheduler):
        """Linear warm-up over ``steps`` steps, written the PyTorch way: overriding get_lr()."""
        def __init__(self, optimizer, steps):
            self.steps = steps
            super().__init__(optimizer)

        def get_lr(self):
            return [base * min(1.0, (self.last_epoch + 1) / self.steps) for base in self.base_lrs]

    class CountingSGD(L.optim.Optimizer):
        """Plain SGD that counts its steps in ``self.state[p]`` (a defaultdict(dict) in PyTorch)."""
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        @L.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    state = self.state[p]
                    state["steps"] = state.get("steps", 0) + 1
                    p.add_(p.grad, alpha=-group["lr"])
    return Warmup, CountingSGD


def _train(L):
    Warmup, CountingSGD = _custom_classes(L)
    w = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
    optimizer = CountingSGD([w])
    scheduler = Warmup(optimizer, 4)
    rates = []
    for _ in range(5):
        optimizer.zero_grad()
        (w * w).sum().backward()
        optimizer.step()
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    return rates, w.detach().numpy(), optimizer.state[w]["steps"]


def test_a_custom_optimizer_and_a_custom_scheduler_run_as_in_pytorch():
    rates, w, steps = _train(T)
    np.testing.assert_allclose(rates, [0.05, 0.075, 0.1, 0.1, 0.1])
    # w <- w (1 - 2 lr) with the rates in force at each step: 0.025 (the scheduler's first step), 0.05, ...
    np.testing.assert_allclose(w, np.array([1.0, 2.0]) * np.prod([1 - 2 * r for r in [0.025, 0.05, 0.075, 0.1, 0.1]]))
    assert steps == 5
    torch = pytest.importorskip("torch")
    their_rates, their_w, their_steps = _train(torch)
    np.testing.assert_allclose(rates, their_rates)
    np.testing.assert_allclose(w, their_w, rtol=1e-12)


def test_a_submodule_registered_under_two_names_is_saved_under_both():
    class Tied(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = T.nn.Linear(2, 2)
            self.decoder = self.encoder
    model = Tied()
    assert list(model.state_dict()) == ["encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"]
    assert [name for name, _ in model.named_parameters()] == ["encoder.weight", "encoder.bias"]
    assert len([name for name, _ in model.named_parameters(remove_duplicate=False)]) == 4
    state = {k: v * 0 + 1 for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    assert model.decoder.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_the_shuffled_order_and_the_random_stream_do_not_depend_on_num_workers():
    from minidl.eager.utils.data import DataLoader, TensorDataset
    runs = []
    for workers in (0, 2):
        T.manual_seed(5)
        loader = DataLoader(TensorDataset(T.arange(12)), batch_size=3, shuffle=True, num_workers=workers)
        runs.append(([batch[0].tolist() for batch in loader], T.rand(1).item()))
    assert runs[0] == runs[1]
    assert sorted(sum(runs[0][0], [])) == list(range(12))


@pytest.mark.parametrize("statement", ["import minidl.eager.fft as fft; fft.rfft",
                                       "from minidl.eager.linalg import norm, cholesky_ex",
                                       "import minidl.eager.special as special; special.expit"])
def test_namespaces_can_be_imported_like_pytorch_s_modules(statement):
    module_name = statement.split()[1]
    importlib.import_module(module_name)
    exec(statement, {})
