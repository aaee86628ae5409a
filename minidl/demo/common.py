"""What the eager and the graph program share: the settings, the data, and one set of initial weights.

Both programs train *the same* network, so that any difference in their results comes from the paradigm and not
from the model. The network, sized for the 8x8 digits (shapes in PyTorch's NCHW order)::

    image (1, 8, 8)
      -> conv 3x3, 16 filters, padding 1 -> ReLU -> max-pool 2x2   (16, 4, 4)
      -> conv 3x3, 32 filters, padding 1 -> ReLU -> max-pool 2x2   (32, 2, 2)
      -> flatten (128) -> linear -> 10 class scores ("logits")

The initial weights are drawn **once**, here, from ``--seed``, with PyTorch's default rule (every weight and bias
uniform in ``±1/sqrt(fan_in)``, where ``fan_in`` is the number of inputs one output unit sees). The eager program
copies them into its modules with ``load_state_dict``; the graph program turns them into its variables'
initializers. Starting from the same point and visiting the batches in the same order, the two programs then
compute the same losses step after step (up to float32 rounding, which slowly pulls them apart).
"""
import dataclasses
import math

import numpy

from ..datasets import load_digits_images

IMAGE_SIZE = 8
N_CLASSES = 10
CONV1_CHANNELS = 16
CONV2_CHANNELS = 32
KERNEL_SIZE = 3
FLAT_FEATURES = CONV2_CHANNELS * (IMAGE_SIZE // 4) ** 2  # two 2x2 poolings: 8x8 -> 4x4 -> 2x2


@dataclasses.dataclass(frozen=True)
class Config:
    """The knobs both programs read (the command line sets the first four)."""
    epochs: int = 10
    batch_size: int = 32
    seed: int = 0
    learning_rate: float = 0.05
    momentum: float = 0.9  # SGD with momentum: PyTorch's SGD and TF's MomentumOptimizer do exactly the same update
    device: str = "cpu"  # "cuda": the eager model and its batches move there; the graph session may use the GPU


def load_data():
    """``(x_train, y_train, x_test, y_test)``: images (n, 1, 8, 8) float32 in [0, 1], labels (n,) int64.

    The train/test split is fixed (the loader's own seed), so runs with different ``--seed`` compare.
    """
    return load_digits_images()


def initial_weights(seed):
    """The starting weights as numpy arrays, keyed and laid out like the eager model's ``state_dict()``.

    Layouts (PyTorch's): a conv weight is (out_channels, in_channels, kh, kw); a linear weight is
    (out_features, in_features). The graph program converts them to TF's layouts itself.
    """
    rng = numpy.random.Generator(numpy.random.PCG64(seed))
    shapes = {
        "conv1": (CONV1_CHANNELS, 1, KERNEL_SIZE, KERNEL_SIZE),
        "conv2": (CONV2_CHANNELS, CONV1_CHANNELS, KERNEL_SIZE, KERNEL_SIZE),
        "fc": (N_CLASSES, FLAT_FEATURES),
    }
    weights = {}
    for layer, shape in shapes.items():
        fan_in = math.prod(shape[1:])
        bound = 1 / math.sqrt(fan_in)
        weights[f"{layer}.weight"] = rng.uniform(-bound, bound, size=shape).astype(numpy.float32)
        weights[f"{layer}.bias"] = rng.uniform(-bound, bound, size=shape[0]).astype(numpy.float32)
    return weights


def count_parameters(weights):
    """The number of scalars in a dict of arrays (or of anything with ``.size``)."""
    return sum(int(w.size) for w in weights.values())


def summary(history, n_train, **results):
    """What a mode's ``train`` returns: ``results`` (accuracy, parameters, losses, checkpoint, ...) plus the speed
    read off ``history`` (one dict per epoch with its ``seconds`` and mean ``loss``) for ``n_train`` samples."""
    seconds = [epoch["seconds"] for epoch in history]
    return dict(results, seconds_per_epoch=sum(seconds) / len(seconds),
                samples_per_second=n_train * len(seconds) / sum(seconds),
                epoch_losses=[epoch["loss"] for epoch in history])


def predictions_agree(logits_a, logits_b, atol=1e-5):
    """True when two sets of logits pick the same classes and differ by at most ``atol``: the reload check."""
    logits_a, logits_b = numpy.asarray(logits_a), numpy.asarray(logits_b)
    return (logits_a.shape == logits_b.shape
            and numpy.array_equal(logits_a.argmax(axis=1), logits_b.argmax(axis=1))
            and numpy.allclose(logits_a, logits_b, rtol=0, atol=atol))
