"""Bad input at the layer and training level gets a clear error (naming the function and the value), never a NaN
or a crash deep inside; and the edge cases PyTorch computes (no keys to attend to, an empty batch, no spatial
elements) are computed — each checked against PyTorch where it is installed."""
import math
import warnings

import numpy as np
import pytest

import minidl.eager as md
from minidl.eager.utils.data import default_collate
from minidl.ops import OpError

F = md.nn.functional


def _parameter():
    return md.nn.Parameter(md.ones(3))


@pytest.mark.parametrize("make, error, message", [
    (lambda p: md.optim.Adam([p], lr=math.nan), ValueError, "Invalid learning rate: nan"),
    (lambda p: md.optim.SGD([p], lr=math.nan), ValueError, "Invalid learning rate: nan"),
    (lambda p: md.optim.LBFGS([p], lr=math.nan), ValueError, "Invalid learning rate: nan"),
    (lambda p: md.optim.Adagrad([p], eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
    (lambda p: md.optim.Adagrad([p], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (lambda p: md.optim.RMSprop([p], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (lambda p: md.optim.RMSprop([p], momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    (lambda p: md.optim.Adam([p], eps=math.nan), ValueError, "Invalid epsilon value: nan"),
    (lambda p: md.optim.Adam([p], betas=(0.9, math.nan)), ValueError, "Invalid beta parameters: nan"),
    (lambda p: md.optim.Adam([p], betas=(0.9,)), ValueError, r"expected a pair \(beta1, beta2\)"),
    (lambda p: md.optim.Adam([p], lr="0.1"), TypeError, "Invalid learning rate: '0.1' \\(expected a number\\)"),
])
def test_optimizer_hyperparameters_are_checked_nan_included(make, error, message):
    """A NaN passed ``value < 0`` and turned every parameter into NaN at the first step."""
    with pytest.raises(error, match=message):
        make(_parameter())


@pytest.mark.parametrize("make, message", [
    (lambda o: md.optim.lr_scheduler.StepLR(o, 0), "StepLR: step_size must be a positive number, got 0"),
    (lambda o: md.optim.lr_scheduler.CosineAnnealingLR(o, 0), "CosineAnnealingLR: T_max must be a positive"),
    (lambda o: md.optim.lr_scheduler.CyclicLR(o, 0.1, 1.0, step_size_up=0), "CyclicLR: step_size_up and"),
])
def test_schedules_refuse_a_period_of_zero_when_made(make, message):
    """PyTorch fails at the first step with a ZeroDivisionError."""
    with pytest.raises(ValueError, match=message):
        make(md.optim.SGD([_parameter()], lr=0.1))
    with pytest.raises(TypeError, match="MultiStepLR: milestones must be a list of epochs, got 3"):
        md.optim.lr_scheduler.MultiStepLR(md.optim.SGD([_parameter()], lr=0.1), 3)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.batch_norm(md.ones(4, 3), md.zeros(3), md.ones(3), training=True, eps=-1), ValueError,
     "batch_norm eps must be positive during training, but got -1"),
    (lambda: F.batch_norm(md.ones(4, 3), md.zeros(3), md.ones(3), training=False, eps=-1), ValueError,
     "batch_norm eps must be non-negative, but got -1"),
    (lambda: md.nn.BatchNorm1d(3, eps=-1)(md.ones(4, 3)), ValueError, "batch_norm eps must be positive"),
    (lambda: F.cosine_similarity(md.ones(2, 2), md.zeros(2, 2), eps=-1), OpError,
     "cosine_similarity: eps must be non-negative, got: -1"),
    (lambda: md.nn.LayerNorm("35"), TypeError, "LayerNorm: normalized_shape must be an int or a sequence of ints"),
    (lambda: md.nn.RMSNorm(3.5), TypeError, "RMSNorm: normalized_shape must be an int or a sequence of ints"),
    (lambda: F.bilinear(md.ones(5), md.ones(4, 6), md.ones(3, 5, 6)), RuntimeError,
     r"bilinear\(\): input batch dimensions do not match: got \[5\] and \[4, 6\]"),
    (lambda: F.bilinear(None, md.ones(4, 6), md.ones(3, 5, 6)), TypeError,
     "bilinear\\(\\): argument 'input1' must be a tensor, not NoneType"),
    (lambda: F.glu(md.ones(2, 4), dim=3), IndexError, r"glu of float32\[2, 4\]: dimension out of range"),
    (lambda: md.nn.LocalResponseNorm(0)(md.ones(2, 5, 3)), ValueError,
     "local_response_norm: size \\(the number of channels summed\\) must be a positive int, got 0"),
    (lambda: F.interpolate(md.ones(1, 1, 4, 0), size=(3, 3), mode="bilinear"), OpError,
     "interpolate: input and output sizes should be greater than 0"),
    (lambda: F.mse_loss(md.ones(4, 6), md.ones(4, 5)), OpError,
     r"mse_loss: shapes \(4, 6\) and \(4, 5\) cannot be broadcast together"),  # (it named Sub)
    (lambda: F.kl_div(md.ones(4, 6), md.ones(4, 5)), OpError, r"kl_div: shapes \(4, 6\) and \(4, 5\) cannot"),
    (lambda: F.poisson_nll_loss(md.ones(4, 6), md.ones(4, 5)), OpError, "poisson_nll_loss: shapes"),
    (lambda: F.margin_ranking_loss(md.ones(4), md.ones(5), md.ones(4)), OpError, "margin_ranking_loss: shapes"),
    (lambda: F.hinge_embedding_loss(md.ones(4, 6), md.ones(4, 5)), OpError, "hinge_embedding_loss: shapes"),
    (lambda: F.conv1d(md.ones(2, 3, 8, dtype=md.float64), md.ones(4, 3, 3)), TypeError,
     r"conv1d of float64\[2, 3, 8\] and float32\[4, 3, 3\]"),  # (it named conv2d and the lifted 4-D shapes)
    (lambda: F.conv_transpose1d(md.ones(2, 4, 8), md.ones(3, 4, 3)), OpError,
     r"conv_transpose1d: Given transposed=1, weight of size \[3, 4, 3\], expected input\[2, 4, 8\] to have 3"),
    (lambda: default_collate([]), ValueError, "default_collate: the batch holds no samples"),
    (lambda: default_collate([{"a": 1}, {"b": 2}]), KeyError, r"lacks the key\(s\) \['a'\] of the first"),
])
def test_layer_arguments_are_checked(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------------------------------------ what PyTorch computes


def _lib(name):
    return md if name == "minidl" else pytest.importorskip("torch")


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return _lib(request.param)


def test_kl_div_batchmean_divides_by_the_inputs_batch(lib):
    """Not by the broadcast loss's first dim; a 0-d input divides by nothing (PyTorch's rule)."""
    rng = np.random.default_rng(0)
    x5, t45 = rng.random(5), rng.random((4, 5))
    pointwise = t45 * (np.log(t45) - x5)
    with warnings.catch_warnings():  # (minidl warns that the shapes differ)
        warnings.simplefilter("ignore", UserWarning)
        got = lib.nn.functional.kl_div(lib.tensor(x5), lib.tensor(t45), reduction="batchmean")
        scalar = lib.nn.functional.kl_div(lib.tensor(0.3, dtype=lib.float64), lib.tensor(t45[0]),
                                          reduction="batchmean")
    assert float(got) == pytest.approx(pointwise.sum() / 5, rel=1e-12)  # the input has 5 rows; the loss, 4
    assert float(scalar) == pytest.approx((t45[0] * (np.log(t45[0]) - 0.3)).sum(), rel=1e-12)


def test_attention_with_no_keys_gives_zeros(lib):
    out = lib.nn.functional.scaled_dot_product_attention(lib.ones(2, 3, 4), lib.ones(2, 0, 4), lib.ones(2, 0, 5))
    assert tuple(out.shape) == (2, 3, 5) and float(out.abs().sum()) == 0.0
    layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
    assert tuple(layer(lib.ones(0, 3, 8)).shape) == (0, 3, 8)


def test_empty_batches_and_empty_planes_give_empty_results(lib):
    x = lib.zeros(0, 3, 8, 8, requires_grad=True)
    pooled = lib.nn.FractionalMaxPool2d(2, output_size=4)(x)
    pooled.sum().backward()
    assert tuple(pooled.shape) == (0, 3, 4, 4) and tuple(x.grad.shape) == (0, 3, 8, 8)
    assert tuple(lib.nn.FractionalMaxPool3d(2, output_size=3)(lib.zeros(0, 2, 6, 6, 6)).shape) == (0, 2, 3, 3, 3)
    norm = lib.nn.InstanceNorm1d(3, track_running_stats=True)
    assert tuple(norm(lib.zeros(2, 3, 0)).shape) == (2, 3, 0)
    assert norm.running_mean.tolist() == [0.0, 0.0, 0.0]  # no statistics from no elements
