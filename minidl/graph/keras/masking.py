"""Masks: which time steps of a padded batch of sequences are real.

``Embedding(vocab, 64, mask_zero=True)`` takes id 0 for padding: its output carries a *mask* (batch, time), True
at the real steps, as the tensor's ``_keras_mask``; ``Masking(mask_value=0.0)`` does the same for sequences of
vectors (a step is padding when all its features equal the value). Each layer then does one of three things
with a mask that reaches it (its class's ``mask_handling``):

- ``"passes"``: it keeps the time steps and treats each on its own (``Dense``, ``TimeDistributed``, ``Dropout``,
  ``Activation``, ``BatchNormalization``, ``LeakyReLU`` ...): the mask goes on, unchanged, with its output — and
  if it reaches a model's output, it weighs that output's loss and metrics (padded steps count 0);
- ``"consumes"``: a recurrent layer carries its state over a padded step unchanged (its output there repeats
  the last real one), so that pre-padding (``pad_sequences``' default) and post-padding both end on each
  sequence's own last state; with ``return_sequences`` the mask goes on with the outputs.
  ``GlobalAveragePooling1D`` averages over the real steps only;
- None: refused, naming the layer (``Flatten``, convolutions ...): an error is better than a mask silently
  ignored.
"""
from .. import math_ops
from ..array_ops import concat

PASSES, CONSUMES = "passes", "consumes"


def mask_of(inputs):
    """The mask that ``inputs`` (one tensor) carries, or None."""
    return None if isinstance(inputs, (list, tuple)) else getattr(inputs, "_keras_mask", None)


def check_accepted(layer, mask):
    """Refuse a mask that reaches a layer which does not know what to do with it."""
    if mask is not None and getattr(layer, "mask_handling", None) is None:
        raise NotImplementedError(
            f"Layer {layer.name} ({type(layer).__name__}) was passed a mask (from Embedding(mask_zero=True) or "
            f"Masking) but does not support masking: in minidl's Keras, masks are taken by recurrent layers and "
            f"GlobalAveragePooling1D, and passed on by Dense, TimeDistributed, Dropout, Activation and "
            f"BatchNormalization")


def carry_on(layer, mask, outputs):
    """Mark ``outputs`` with the mask that comes out of ``layer`` (see the module docstring)."""
    if mask is None:
        return
    if layer.mask_handling == CONSUMES:
        inner = getattr(layer, "forward_layer", layer)  # a Bidirectional wrapper returns what its layer does
        if not inner._arguments.get("return_sequences", False):
            return
    for output in outputs if isinstance(outputs, list) else [outputs]:
        if getattr(output, "_keras_mask", None) is None:
            output._keras_mask = mask


def with_step_flags(x, mask):
    """``x`` (batch, time, features) with one more feature: 1.0 at a real step, 0.0 at padding, which a recurrent
    cell reads off each step's inputs (``split_step_flag``)."""
    return concat([x, math_ops.cast(mask, x.dtype)[:, :, None]], -1)


def split_step_flag(inputs):
    """A step's inputs (``with_step_flags``) as (the inputs without the flag, ``chosen(new, old)``: ``new`` for
    the rows where the step is real, ``old`` where it is padding)."""
    keep = inputs[:, -1:]
    return inputs[:, :-1], lambda new, old: keep * new + (1.0 - keep) * old


def masking(inputs, mask_value=0.0, name=None):
    """Keras' ``Masking`` layer: the steps whose features all equal ``mask_value`` are padding; they are zeroed,
    and the output carries the mask."""
    x = math_ops.to_tensor(inputs)
    mask = math_ops.reduce_any(math_ops.not_equal(x, mask_value), axis=-1)
    out = x * math_ops.cast(mask, x.dtype)[:, :, None]
    out._keras_mask = mask
    return out


def masked_mean(x, mask):
    """The mean of ``x`` (batch, time, features) over the real time steps of each sequence."""
    weights = math_ops.cast(mask, x.dtype)[:, :, None]
    return math_ops.reduce_sum(x * weights, axis=1) / math_ops.reduce_sum(weights, axis=1)
