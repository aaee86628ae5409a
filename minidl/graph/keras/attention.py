"""Keras' attention layers as TF 1.15 has them (``dense_attention.py``): ``Attention`` (dot-product, Luong-style)
and ``AdditiveAttention`` (Bahdanau-style).

Called on ``[query, value]`` or ``[query, value, key]`` — query (batch, Tq, dim), value and key (batch, Tv, dim),
the key being the value when not given — each query step takes a weighted mean of the value steps, weighted by how
well it matches their keys::

    scores = score(query, key)                  (batch, Tq, Tv)
    weights = softmax(scores) over Tv
    output = weights @ value                    (batch, Tq, dim)

- ``Attention``: ``score = query @ keyᵀ``, times a learned scalar ``scale`` (starting at 1) if ``use_scale``;
- ``AdditiveAttention``: ``score[i, j] = sum over d of scale[d] · tanh(query[i, d] + key[j, d])`` with a learned
  ``scale`` [dim] (Glorot uniform), or without it (``use_scale=False``). (Bahdanau's own form also projects the
  query and the key; with Keras one puts ``Dense`` layers before this one.)

Masks: ``mask=[query_mask, value_mask]`` (booleans (batch, Tq) and (batch, Tv)), or the masks the inputs carry
(``Embedding(mask_zero=True)``). Value steps where the mask is False get ``-1e9`` added to their scores, so the
softmax gives them no weight; query steps where it is False get an output of zeros, and the output carries the
query mask on. ``causal=True`` (a decoder's self-attention) keeps query step i from seeing value steps j > i.
Every row must keep one value step at least (else the softmax spreads evenly over the masked ones).
"""
from .. import math_ops
from ..array_ops import expand_dims, range as steps, shape
from ..nn_ops import nn
from .layers import Layer


class _DenseAttention(Layer):
    """What both layers share: the masks, the softmax and the weighted mean; a subclass gives ``_scores``."""

    def __init__(self, use_scale, causal=False, **kwargs):
        super().__init__(**kwargs)
        self.use_scale, self.causal = bool(use_scale), bool(causal)
        self._arguments = {"use_scale": self.use_scale, "causal": self.causal}  # (what get_config reports)

    def _split(self, inputs):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, value] or "
                             f"[query, value, key], got {inputs!r}")
        query, value = (math_ops.to_tensor(t) for t in inputs[:2])
        key = math_ops.to_tensor(inputs[2]) if len(inputs) == 3 else value
        for what, t in (("query", query), ("value", value), ("key", key)):
            if t.shape.rank != 3:
                raise ValueError(f"{name}: the {what} must be (batch, steps, dim), got shape {t.shape}")
        return query, value, key

    def build(self, input_shape):
        pass

    def call(self, inputs, mask=None):
        query, value, key = self._split(inputs)
        if mask is None:  # the masks the inputs carry (a list of inputs brings none in through Layer.__call__)
            mask = [getattr(t, "_keras_mask", None) for t in inputs[:2]]
        elif not isinstance(mask, (list, tuple)) or len(mask) != 2:
            raise ValueError(f"{type(self).__name__} layer mask must be a list of length 2, namely [query_mask, "
                             f"value_mask], got {mask!r}")
        query_mask, value_mask = mask
        scores = self._scores(query, key)
        allowed = None if value_mask is None else expand_dims(math_ops.cast(value_mask, "bool"), -2)  # (b, 1, Tv)
        if self.causal:
            dims = shape(scores)
            causal = expand_dims(steps(dims[1])[:, None] >= steps(dims[2])[None, :], 0)  # (1, Tq, Tv): j <= i
            allowed = causal if allowed is None else math_ops.logical_and(allowed, causal)
        if allowed is not None:  # a large negative score, not -inf: a row with nothing allowed stays finite
            scores -= 1e9 * math_ops.cast(math_ops.logical_not(allowed), scores.dtype)
        out = math_ops.matmul(nn.softmax(scores), value)
        if query_mask is not None:
            out *= math_ops.cast(expand_dims(query_mask, -1), out.dtype)
            out._keras_mask = query_mask
        return out


class Attention(_DenseAttention):
    """Dot-product attention (see the module docstring): ``scores = query @ keyᵀ`` (times ``scale`` if
    ``use_scale``)."""

    def __init__(self, use_scale=False, **kwargs):
        super().__init__(use_scale, **kwargs)

    def build(self, input_shape):
        self.scale = self.add_weight("scale", [], initializer="ones") if self.use_scale else None

    def _scores(self, query, key):
        scores = math_ops.matmul(query, key, transpose_b=True)
        return scores if self.scale is None else scores * self.scale


class AdditiveAttention(_DenseAttention):
    """Additive (Bahdanau-style) attention (see the module docstring): ``scores = sum(scale · tanh(query + key))``
    over the features."""

    def __init__(self, use_scale=True, **kwargs):
        super().__init__(use_scale, **kwargs)

    def build(self, input_shape):
        dim = input_shape[1][-1]  # the value's, as Keras reads it
        if self.use_scale and dim is None:
            raise ValueError(f"AdditiveAttention: the last dim of the value must be known, got {input_shape[1]}")
        self.scale = self.add_weight("scale", [dim], initializer="glorot_uniform") if self.use_scale else None

    def _scores(self, query, key):
        # (batch, Tq, 1, dim) + (batch, 1, Tv, dim): every query step with every key step
        features = math_ops.tanh(expand_dims(query, -2) + expand_dims(key, -3))
        return math_ops.reduce_sum(features if self.scale is None else features * self.scale, axis=-1)
