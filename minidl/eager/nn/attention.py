"""``MultiheadAttention``: ``num_heads`` attentions side by side, each on its own learned projection of the
queries, keys and values (Vaswani et al., 2017, "Attention Is All You Need"). The math is in
``attention_functions.py``; this module holds the weights, laid out as PyTorch's so that state_dicts map one to
one::

    in_proj_weight (3·E, E), in_proj_bias (3·E,)       W_q, W_k, W_v stacked (keys and values of width E)
    q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim)   instead, when kdim or vdim != E
    out_proj.weight (E, E), out_proj.bias (E,)         mixes the concatenated heads
    bias_k, bias_v (1, 1, E)                           with add_bias_kv: one learned extra key and value

Initialisation (PyTorch's): the projections ``xavier_uniform_``, the biases 0 (``out_proj.weight`` keeps the
Linear default), ``bias_k``/``bias_v`` ``xavier_normal_``.

``nn.attention`` is also where PyTorch keeps ``SDPBackend`` and ``sdpa_kernel`` (attention_functions.py).
"""
from ..creation import empty
from . import attention_functions as AF, init
from .attention_functions import SDPBackend, sdpa_kernel  # noqa: F401  (nn.attention's names in PyTorch)
from .linear import Linear
from .module import Module
from .parameter import Parameter


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` (PyTorch gives ``out_proj`` this class to keep its quantization tools away from it; here it
    only makes the names and reprs the same)."""


class MultiheadAttention(Module):
    """Multi-head attention over ``query`` (L, N, E), ``key`` (S, N, kdim), ``value`` (S, N, vdim) — (N, L, E)
    ... with ``batch_first`` — or unbatched (L, E), (S, kdim), (S, vdim). ``forward`` returns ``(output,
    weights)``: output shaped like the query; the attention weights (N, L, S) averaged over the heads
    (``average_attn_weights=False``: (N, heads, L, S)), or None with ``need_weights=False``.

    Masks (bool ``True`` = may NOT attend, or float added to the scores): ``key_padding_mask`` (N, S) marks
    padding keys; ``attn_mask`` (L, S) or (N·heads, L, S). ``dropout`` applies to the attention weights in
    training mode. ``add_bias_kv`` appends a learned key and value, ``add_zero_attn`` a zero key and value.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        factory = dict(device=device, dtype=dtype)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, **factory))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, **factory))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, **factory))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, **factory))
            self.register_parameter("in_proj_weight", None)
        self.register_parameter("in_proj_bias", Parameter(empty(3 * embed_dim, **factory)) if bias else None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **factory)
        if add_bias_kv:
            self.bias_k = Parameter(empty(1, 1, embed_dim, **factory))
            self.bias_v = Parameter(empty(1, 1, embed_dim, **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        batched = query.ndim == 3
        key_padding_mask = AF._canonical_mask(key_padding_mask, "key_padding_mask", AF._dtype_or_none(attn_mask),
                                              "attn_mask", query.dtype)
        attn_mask = AF._canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if self.batch_first and batched:  # the computation is length-first
            query, key, value = _length_first(query, key, value)
        separate = {} if self._qkv_same_embed_dim else dict(
            use_separate_proj_weight=True, q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight)
        output, weights = AF.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
            self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, average_attn_weights=average_attn_weights, is_causal=is_causal, **separate)
        if self.batch_first and batched:
            output = output.transpose(1, 0)
        return output, weights


def _length_first(query, key, value):
    """(N, L, E) -> (L, N, E), transposing a tensor passed several times only once (so that the projection
    still sees ``query is key is value`` and packs it)."""
    if key is value:
        if query is key:
            query = key = value = query.transpose(1, 0)
        else:
            query, key = query.transpose(1, 0), key.transpose(1, 0)
            value = key
        return query, key, value
    return tuple(t.transpose(1, 0) for t in (query, key, value))
