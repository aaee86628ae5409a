"""Two of Keras' regularizing layers, which pass their inputs on unchanged outside training:

- ``AlphaDropout(rate)``: dropout for self-normalizing networks (SELU activations, Klambauer et al. 2017). Plain
  dropout sets units to 0 and scales the rest by 1/(1 - rate), which keeps the mean but not the variance — and SELU
  networks rely on both staying at (0, 1). AlphaDropout sets dropped units to SELU's negative saturation value
  α' = -λα (about -1.7581) instead, then applies the affine map ``a x + b`` that brings mean and variance back to
  what they were for inputs of mean 0 and variance 1 (q = 1 - rate, the keep probability)::

      a = (q (1 + rate α'²))^(-1/2),        b = -a α' rate

  The noise (one keep/drop decision per unit, or per ``noise_shape`` entry) follows the learning phase as
  ``Dropout`` does: drawn outside the switch, so the gradient meets the mask the forward pass used.
- ``ActivityRegularization(l1=0., l2=0.)``: the identity, whose output's L1/L2 penalty (divided by the batch
  size, as every Keras activity penalty) joins the loss that ``fit`` minimizes.
"""
from .. import math_ops
from ..array_ops import shape
from ..random_ops import random_uniform
from . import regularizers
from .layers import Layer, _layer
from .masking import PASSES
from .more_layers import _while_training

# SELU's constants (Klambauer et al. 2017): λ (scale) and α
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def alpha_dropout(inputs, rate, noise_shape=None, seed=None, training=False, name=None):
    """Dropped units set to -λα, then ``a x + b`` (module docstring), while ``training``; else the inputs."""
    x = math_ops.to_tensor(inputs)
    if not 0.0 < rate < 1.0:  # Keras: nothing to drop (or everything): the layer passes its inputs on
        return x
    saturation = -_SELU_ALPHA * _SELU_SCALE
    kept = math_ops.cast(random_uniform(shape(x) if noise_shape is None else noise_shape, dtype=x.dtype, seed=seed)
                         >= rate, x.dtype)
    a = ((1.0 - rate) * (1.0 + rate * saturation ** 2)) ** -0.5
    b = -a * saturation * rate
    return _while_training(training, a * (x * kept + saturation * (1.0 - kept)) + b, x)


class ActivityRegularization(Layer):
    """The identity, with an L1/L2 penalty on its output (see the module docstring)."""
    mask_handling = PASSES

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self._arguments = {"l1": self.l1, "l2": self.l2}  # (what get_config reports)

    def call(self, inputs):
        return inputs


AlphaDropout = _layer("AlphaDropout", alpha_dropout, doc=alpha_dropout.__doc__)
AlphaDropout.mask_handling = PASSES
