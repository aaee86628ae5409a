"""float16 arithmetic is computed in float32 and rounded once, as PyTorch's kernels compute it ("opmath"): an
intermediate past float16's largest number, 65504, must not make the result inf. Expected values are PyTorch
2.13's (and each is what float32 arithmetic rounded to float16 gives)."""
import numpy as np
import pytest

import minidl.eager as T


def half(values):
    return T.tensor(values, dtype=T.float16)


@pytest.mark.parametrize("compute, expected", [
    (lambda: T.addcmul(half([0.0]), half([300.0]), half([300.0]), value=0.5), [44992.0]),   # 90000 on the way
    (lambda: T.addcdiv(half([0.0]), half([60000.0]), half([0.5]), value=0.25), [30000.0]),  # 120000 on the way
    (lambda: T.lerp(half([-40000.0]), half([40000.0]), 0.25), [-20000.0]),                  # a difference of 80000
    (lambda: T.round(half([7000.5]), decimals=1), [7000.0]),                                 # 70005 on the way
    (lambda: T.sinc(half([30000.0, 0.5])), [0.0, 0.63671875]),                               # 30000π on the way
    (lambda: T.linalg.vector_norm(half([300.0, 400.0])), 500.0),                             # squares past 65504
    (lambda: half([300.0, -300.0]).std(), 424.25),
])
def test_float16_results_have_no_float16_overflow_on_the_way(compute, expected):
    result = compute()
    assert result.dtype == T.float16 and result.tolist() == expected


def test_in_place_addcmul_and_addcdiv_on_float16_round_once():
    x, y = half([1.0]), half([0.0])
    x.addcmul_(half([300.0]), half([300.0]), value=0.5)
    y.addcdiv_(half([60000.0]), half([0.5]), value=0.25)
    assert x.tolist() == [44992.0] and y.tolist() == [30000.0] and x.dtype == y.dtype == T.float16


@pytest.mark.parametrize("optimizer", ["Adam", "AdamW", "RMSprop"])
def test_an_optimizer_keeps_moving_a_float16_parameter_whose_gradient_squares_past_65504(optimizer):
    """Adam's ``exp_avg_sq.addcmul_(g, g, value=1 - beta2)``: computed in float16, 300² made it inf and the
    parameter stopped (its update m / sqrt(inf) is 0)."""
    p = T.nn.Parameter(half([1.0, 2.0]))
    opt = getattr(T.optim, optimizer)([p], lr=0.01)
    p.grad = half([300.0, -0.5])
    opt.step()
    expected = {"Adam": [0.990234375, 2.009765625], "AdamW": [0.990234375, 2.009765625],
                "RMSprop": [0.89990234375, 2.099609375]}[optimizer]
    assert p.tolist() == expected and bool(T.isfinite(p).all())
    if optimizer != "RMSprop":
        assert np.isfinite(opt.state[p]["exp_avg_sq"].tolist()).all()


def test_histc_of_float16_values_in_the_hundreds_bins_them():
    """(v - low) · bins passed 65504 and became a huge negative index (numpy's bincount error leaked out)."""
    counts = T.histc(half([0.0, 1.0, 500.0, 1000.0]))
    assert counts.dtype == T.float16 and counts.sum().item() == 4
    assert counts[0].item() == 2 and counts[50].item() == 1 and counts[99].item() == 1
