"""Attention as functions: ``scaled_dot_product_attention`` and ``multi_head_attention_forward`` (PyTorch's
``torch.nn.functional`` names), compositions of matmul, softmax and masking ops (so their gradients come from
those ops).

**Scaled dot-product attention.** Each query (a row of ``Q``, shape (..., L, E)) is compared with every key
(``K``, (..., S, E)); the scores, softmax-normalised over the keys, weigh the values (``V``, (..., S, Ev))::

    attention(Q, K, V) = softmax(Q Kᵀ · scale + bias) V          scale = 1 / √E by default

Dividing by √E keeps the scores' variance near 1 whatever the width, so the softmax does not saturate. A mask
enters as ``bias``: ``-inf`` where a query may not look (its weight becomes exactly 0), or any float added to the
scores. **Masks mean opposite things in the two functions, as in PyTorch:** for ``scaled_dot_product_attention``
a boolean ``True`` means "may attend"; for ``MultiheadAttention``'s ``attn_mask`` and ``key_padding_mask`` it
means "masked out".

**Multi-head attention** projects queries, keys and values ``num_heads`` times into ``embed_dim / num_heads``
dims (one packed matrix ``in_proj_weight`` of shape (3·E, E), or three separate ones when keys and values have
other widths), attends in every head independently, concatenates the heads and mixes them with ``out_proj``.
Sequences are (L, N, E) — length first — unless the module says ``batch_first``.
"""
import contextlib
import enum
import math
import warnings

from ... import ops
from ...backend import dtypes
from ...ops.base import OpError, describe, is_tensor
from ...ops.infer import broadcast_shapes
from ..creation import ones, zeros
from ..random import default_generator

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward", "SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.Enum):
    """``nn.attention.SDPBackend``: PyTorch's implementations of scaled dot-product attention, for ``sdpa_kernel``."""
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


#: minidl has one implementation, the composition below: PyTorch's MATH. It stands in for FLASH_ATTENTION too,
#: which PyTorch also runs on a CPU, computing the same function (blockwise, to save memory)
_IMPLEMENTED = frozenset({SDPBackend.MATH, SDPBackend.FLASH_ATTENTION})
_allowed_backends = frozenset(SDPBackend) - {SDPBackend.ERROR}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """``nn.attention.sdpa_kernel``: inside the block, ``scaled_dot_product_attention`` may use only ``backends``
    (one ``SDPBackend`` or a list); with neither MATH nor FLASH_ATTENTION among them it fails, as PyTorch's does
    where none of the allowed kernels can run. ``set_priority`` orders PyTorch's choice; minidl has one kernel."""
    chosen = list(backends) if isinstance(backends, (list, tuple)) else [backends]
    if not all(isinstance(b, SDPBackend) for b in chosen):
        # PyTorch asserts this
        raise AssertionError(f"Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
                             f"{type(backends).__name__}")
    global _allowed_backends
    outer, _allowed_backends = _allowed_backends, frozenset(chosen)
    try:
        yield
    finally:
        _allowed_backends = outer

_NEG_INF = float("-inf")


def _dropout(x, p):
    """Dropout drawn from the eager default generator (as ``F.dropout``), always applied: the caller decides."""
    return ops.dropout(x, p, True, generator=default_generator)


def _safe_softmax(scores):
    """Softmax over the last dim, except that a row whose scores are all -inf (a query with nothing it may attend
    to) gives weights 0 instead of NaN — what PyTorch's scaled_dot_product_attention does. Those rows are set to
    0 before the softmax too, so that no NaN reaches the backward pass either. With no keys at all, there are no
    weights (each query's result is then 0)."""
    if scores.shape[-1] == 0:
        return ops.softmax(scores, -1)
    blocked = ops.amax(scores.detach(), -1, keepdim=True) == _NEG_INF
    weights = ops.softmax(ops.masked_fill(scores, blocked, 0.0), -1)
    return ops.masked_fill(weights, blocked, 0.0)


def _check_attention_inputs(query, key, value, attn_mask, enable_gqa):
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not is_tensor(t):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be a tensor, not "
                            f"{type(t).__name__}")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"scaled_dot_product_attention: expected query, key, and value to all be at least 2 "
                           f"dimensional, but got query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: "
                           f"{value.ndim} instead.")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"scaled_dot_product_attention: expected query, key, and value to have the same dtype, "
                           f"but got query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: "
                           f"{value.dtype} instead.")
    if not query.is_floating_point():
        raise TypeError(f"scaled_dot_product_attention: expected floating point query, key and value, got "
                        f"{describe(query)}")
    if query.shape[-1] != key.shape[-1]:
        raise OpError(f"scaled_dot_product_attention: query and key must have the same embedding size (last "
                      f"dim), got query {describe(query)} and key {describe(key)}")
    if key.shape[-2] != value.shape[-2]:
        raise OpError(f"scaled_dot_product_attention: key and value must have the same sequence length (dim -2), "
                      f"got key {describe(key)} and value {describe(value)}")
    if attn_mask is not None:
        if not is_tensor(attn_mask):
            raise TypeError(f"scaled_dot_product_attention: attn_mask must be a tensor or None, got "
                            f"{type(attn_mask).__name__}")
        if attn_mask.dtype.kind != "b" and attn_mask.dtype not in (dtypes.float32, query.dtype):
            raise RuntimeError(f"scaled_dot_product_attention: expected attn_mask dtype to be bool or float or to "
                               f"match query dtype, but got attn_mask.dtype: {attn_mask.dtype} and query.dtype: "
                               f"{query.dtype} instead.")
    if enable_gqa:
        heads = query.shape[-3] if query.ndim >= 3 else 1
        for name, t in (("key", key), ("value", value)):
            if t.ndim < 3 or heads % t.shape[-3]:
                raise OpError(f"scaled_dot_product_attention: with enable_gqa=True the number of query heads "
                              f"(dim -3) must be a multiple of the number of {name} heads, got query "
                              f"{describe(query)} and {name} {describe(t)}")
    else:  # the batch and head dims are shared (a product of them would name the wrong op and dim)
        try:
            broadcast_shapes("scaled_dot_product_attention", *(tuple(t.shape[:-2]) for t in (query, key, value)))
        except OpError:
            raise OpError(f"scaled_dot_product_attention: the batch and head dims (all but the last two) of query, "
                          f"key and value must match or broadcast, got query {describe(query)}, key {describe(key)} "
                          f"and value {describe(value)} (for fewer key/value heads, pass enable_gqa=True)") from None


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """``softmax(query keyᵀ · scale + mask) value`` over query (..., L, E), key (..., S, E), value (..., S, Ev);
    the leading dims broadcast. Returns (..., L, Ev).

    ``attn_mask``: bool (``True`` = may attend) or float (added to the scores), broadcastable to (..., L, S).
    ``is_causal``: query i attends to keys 0..i only (top-left aligned when L != S); with a mask too, both apply
    (as PyTorch 2's CPU kernels combine them).
    ``scale``: defaults to 1/√E. ``dropout_p``: dropout on the attention weights, applied whatever the mode
    (pass 0.0 in evaluation). ``enable_gqa``: grouped-query attention — key and value have fewer heads (dim -3),
    each shared by a group of query heads. A query that may attend to no key at all gets output 0.
    """
    _check_attention_inputs(query, key, value, attn_mask, enable_gqa)
    if not _allowed_backends & _IMPLEMENTED:
        raise RuntimeError(f"No viable backend for scaled_dot_product_attention was found: sdpa_kernel allows only "
                           f"{sorted(b.name for b in _allowed_backends)}, and minidl's one implementation is "
                           f"PyTorch's MATH (standing in for FLASH_ATTENTION too)")
    if enable_gqa:
        heads = query.shape[-3]
        key = ops.repeat_interleave(key, heads // key.shape[-3], dim=-3)
        value = ops.repeat_interleave(value, heads // value.shape[-3], dim=-3)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = ops.matmul(query, ops.transpose(key, -2, -1)) * scale
    if is_causal:
        allowed = ops.tril(ones(query.shape[-2], key.shape[-2], dtype=dtypes.bool_, device=query.device))
        scores = ops.where(allowed, scores, _NEG_INF)
    if attn_mask is not None:
        if attn_mask.dtype.kind == "b":
            scores = ops.where(attn_mask, scores, _NEG_INF)
        else:
            scores = scores + ops.cast(attn_mask, query.dtype)
    weights = _safe_softmax(scores)
    if dropout_p != 0.0:  # (ops.dropout refuses a p outside [0, 1])
        weights = _dropout(weights, dropout_p)
    return ops.matmul(weights, value)


# ---------------------------------------------------------------------------------- multi-head attention

def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True = masked out) as a float one: -inf where masked, 0 elsewhere. Float masks pass through;
    other dtypes are refused. Warns (as PyTorch) when two masks given together have different dtypes."""
    if mask is None:
        return None
    if not (mask.dtype.kind == "b" or mask.is_floating_point()):
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", UserWarning, stacklevel=3)
    if mask.dtype.kind == "b":
        return ops.masked_fill(zeros(*mask.shape, dtype=target_type, device=mask.device), mask, _NEG_INF)
    return mask


def _dtype_or_none(t):
    return None if t is None else t.dtype


def _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads):
    """True for batched (3-D) input, False for unbatched (2-D); errors (PyTorch's AssertionErrors) otherwise."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                                 f"but found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                         "tensor")


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate):
    """q, k, v = the three input projections. Packed: ``in_proj_weight`` (3E, E) holds W_q, W_k, W_v stacked
    (one matrix product when query, key and value are the same tensor); ``separate``: (W_q, W_k, W_v)."""
    biases = (None,) * 3 if in_proj_bias is None else ops.chunk(in_proj_bias, 3)
    if separate is not None:
        return tuple(ops.linear(x, w, b) for x, w, b in zip((query, key, value), separate, biases))
    if query is key and key is value:
        return ops.chunk(ops.linear(query, in_proj_weight, in_proj_bias), 3, dim=-1)
    weights = ops.chunk(in_proj_weight, 3)
    return tuple(ops.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def _heads(x, length, bsz, num_heads, head_dim):
    """(length, N, E) -> (N·heads, length, head_dim): each (sample, head) pair becomes a batch entry."""
    return ops.transpose(ops.reshape(x, (length, bsz * num_heads, head_dim)), 0, 1)


def _static(name, t, bsz, num_heads, head_dim):
    if t.shape[0] != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {t.shape[0]}")
    if t.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.shape[2]}")
    return t


def _pad_key_dim(mask):
    """One more key column (an extra key was appended), not masked."""
    return None if mask is None else ops.pad(mask, (0, 1))


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """The computation of ``nn.MultiheadAttention`` on length-first input: query (L, N, E), key (S, N, kdim),
    value (S, N, vdim), or unbatched (L, E) / (S, kdim) / (S, vdim). Returns ``(output, weights)``: output
    (L, N, E); weights (N, L, S) averaged over the heads, or (N, heads, L, S) — ``None`` unless
    ``need_weights``. Masks: bool ``True`` = masked out, or float added to the scores; ``attn_mask`` (L, S) or
    (N·heads, L, S), ``key_padding_mask`` (N, S). ``is_causal`` is only a hint that ``attn_mask`` is causal.

    With ``need_weights`` the weights are computed explicitly (a query with every key masked then gets NaN, as
    in PyTorch); without, ``scaled_dot_product_attention`` runs (which gives such a query 0).
    """
    batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:  # work on a batch of one, dropped again at the end
        query, key, value = (ops.unsqueeze(t, 1) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = ops.unsqueeze(key_padding_mask, 0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _dtype_or_none(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False  # merged with the padding mask, it is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but q_proj_weight, k_proj_weight or "
                                 "v_proj_weight is None")
        separate = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        separate = None
    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate)

    if attn_mask is not None:  # as (1 or N·heads, L, S)
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = ops.unsqueeze(attn_mask, 0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")

    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k is set but bias_v is None" if bias_v is None else
                             "bias_v is set but bias_k is None")
    if bias_k is not None:  # one more, learned, key and value that every query can attend to
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key or value.")
        k = ops.cat([k, ops.broadcast_to(bias_k, (1, bsz, embed_dim))])
        v = ops.cat([v, ops.broadcast_to(bias_v, (1, bsz, embed_dim))])
        attn_mask, key_padding_mask = _pad_key_dim(attn_mask), _pad_key_dim(key_padding_mask)

    q = _heads(q, tgt_len, bsz, num_heads, head_dim)
    k = _static("static_k", static_k, bsz, num_heads, head_dim) if static_k is not None else \
        _heads(k, k.shape[0], bsz, num_heads, head_dim)
    v = _static("static_v", static_v, bsz, num_heads, head_dim) if static_v is not None else \
        _heads(v, v.shape[0], bsz, num_heads, head_dim)
    if add_zero_attn:  # one more key and value, both zero: a query may attend to "nothing"
        nothing = zeros(bsz * num_heads, 1, head_dim, dtype=q.dtype, device=q.device)
        k, v = ops.cat([k, nothing], dim=1), ops.cat([v, nothing], dim=1)
        attn_mask, key_padding_mask = _pad_key_dim(attn_mask), _pad_key_dim(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:  # (N, S) -> (N·heads, 1, S), merged into attn_mask
        for dim, expected in enumerate((bsz, src_len)):
            if key_padding_mask.shape[dim] != expected:
                raise AssertionError(f"Expected key_padded_mask.shape[{dim}] to be {expected}, but got "
                                     f"{key_padding_mask.shape[dim]}")
        per_head = ops.broadcast_to(ops.reshape(key_padding_mask, (bsz, 1, 1, src_len)), (bsz, num_heads, 1, src_len))
        key_padding_mask = ops.reshape(per_head, (bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("is_causal needs an attn_mask when need_weights=True")
        scores = ops.matmul(q * math.sqrt(1.0 / head_dim), ops.transpose(k, -2, -1))
        if attn_mask is not None:
            scores = attn_mask + scores
        weights = ops.softmax(scores, -1)
        if dropout_p > 0.0:
            weights = _dropout(weights, dropout_p)
        heads_out = ops.matmul(weights, v)  # (N·heads, L, head_dim)
        merged = ops.reshape(ops.transpose(heads_out, 0, 1), (tgt_len * bsz, embed_dim))
        output = ops.reshape(ops.linear(merged, out_proj_weight, out_proj_bias),
                             (tgt_len, bsz, out_proj_weight.shape[0]))  # (not -1: the batch may be empty)
        weights = ops.reshape(weights, (bsz, num_heads, tgt_len, src_len))
        if average_attn_weights:
            weights = ops.mean(weights, dim=1)
        if not batched:
            output, weights = ops.squeeze(output, 1), ops.squeeze(weights, 0)
        return output, weights

    if attn_mask is not None:  # (1 or N·heads, L, S) -> broadcastable to (N, heads, L, S)
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = ops.unsqueeze(attn_mask, 0)
        else:
            attn_mask = ops.reshape(attn_mask, (bsz, num_heads, -1, src_len))
    q, k, v = (ops.reshape(t, (bsz, num_heads, t.shape[1], head_dim)) for t in (q, k, v))
    heads_out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)  # (N, heads, L, head_dim)
    merged = ops.reshape(ops.permute(heads_out, (2, 0, 1, 3)), (bsz * tgt_len, embed_dim))
    output = ops.reshape(ops.linear(merged, out_proj_weight, out_proj_bias),
                         (tgt_len, bsz, out_proj_weight.shape[0]))
    return (output if batched else ops.squeeze(output, 1)), None
