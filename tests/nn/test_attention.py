"""Attention and Transformers: ``F.scaled_dot_product_attention``, ``nn.MultiheadAttention`` and the
``nn.Transformer*`` modules against PyTorch (same weights, float64: outputs, attention weights and the gradients
of inputs, float masks and every parameter), their reprs and state_dict layouts, central-difference gradient
checks of the compositions, dropout, and errors."""
import copy
import warnings

import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.autograd import gradcheck
from minidl.eager.nn import functional as F
from tests.nn.torch_compare import _flat, copy_weights, torch_or_skip
from tests.torch_version import since_mirrored_torch

rng = numpy.random.default_rng(11)


def _to(lib, value, grads):
    if value is None or not isinstance(value, numpy.ndarray):
        return value
    return lib.tensor(value, requires_grad=grads and value.dtype.kind == "f")


def compare(build, call, arrays, grads=True, rtol=1e-7, atol=1e-10, seed=0):
    """Build the module in both libraries (``build(lib)``, None for a function), copy PyTorch's weights into
    ours, run ``call(module, lib, **tensors)`` on the same ``arrays`` (float ones require grad), and compare
    every output; then backpropagate the same random cotangent and compare the gradients of the float inputs
    (masks too) and of every parameter. Returns our outputs."""
    torch = torch_or_skip()
    theirs, mine = build(torch), build(torchlike)
    if theirs is not None:
        theirs, mine = theirs.double(), mine.double()
        copy_weights(mine, theirs)
    ours_in = {k: _to(torchlike, a, grads) for k, a in arrays.items()}
    theirs_in = {k: _to(torch, a, grads) for k, a in arrays.items()}
    ours_out, theirs_out = call(mine, torchlike, **ours_in), call(theirs, torch, **theirs_in)
    ours_flat, theirs_flat = _flat(ours_out), _flat(theirs_out)
    assert len(ours_flat) == len(theirs_flat)
    for o, t in zip(ours_flat, theirs_flat):
        assert (o is None) == (t is None)
        if o is not None:
            assert tuple(o.shape) == tuple(t.shape)
            numpy.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)
    if not grads:
        return ours_out
    g = numpy.random.default_rng(seed)
    ours_loss, theirs_loss = 0, 0
    for o, t in zip(ours_flat, theirs_flat):
        if o is not None and o.requires_grad:
            cot = g.standard_normal(tuple(o.shape))
            ours_loss = ours_loss + (o * torchlike.tensor(cot)).sum()
            theirs_loss = theirs_loss + (t * torch.tensor(cot)).sum()
    ours_loss.backward()
    theirs_loss.backward()
    for name in arrays:
        t = theirs_in[name]
        if getattr(t, "requires_grad", False) and t.grad is None:  # not used (a causal mask turned into a hint)
            assert ours_in[name].grad is None or not ours_in[name].grad.numpy().any(), name
        elif getattr(t, "requires_grad", False):
            numpy.testing.assert_allclose(ours_in[name].grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol,
                                          err_msg=name)
    if theirs is not None:
        ours_params, theirs_params = dict(mine.named_parameters()), dict(theirs.named_parameters())
        assert list(ours_params) == list(theirs_params)
        for name, p in ours_params.items():
            numpy.testing.assert_allclose(p.grad.numpy(), theirs_params[name].grad.numpy(), rtol=rtol, atol=atol,
                                          err_msg=name)
    return ours_out


def _bool(*shape, p=0.3):
    return rng.random(shape) < p


# ------------------------------------------------------------------------------- scaled_dot_product_attention

Q, K, V = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 6, 2))
ALLOWED = _bool(4, 6, p=0.7)
ALLOWED[1] = False  # a query that may attend to nothing: output 0, no NaN (forward or backward)
FLOAT_MASK = rng.standard_normal((4, 6))
FLOAT_MASK[2, 1:] = float("-inf")

SDPA_CASES = [
    (dict(q=Q, k=K, v=V), {}),
    (dict(q=Q, k=K, v=V), dict(is_causal=True)),
    (dict(q=Q[..., :6, :], k=K[..., :4, :], v=V[..., :4, :]), dict(is_causal=True)),  # L > S, top-left aligned
    (dict(q=Q, k=K, v=V), dict(scale=0.7)),
    (dict(q=Q, k=K, v=V, attn_mask=ALLOWED), {}),
    (dict(q=Q, k=K, v=V, attn_mask=FLOAT_MASK), {}),
    (dict(q=Q, k=K, v=V, attn_mask=_bool(2, 1, 4, 6, p=0.8)), {}),   # a per-sample mask, broadcast over heads
    (dict(q=Q[0, 0], k=K[0, 0], v=V[0, 0]), {}),                        # no batch dims at all
    (dict(q=Q, k=K[:1], v=V[:1]), {}),                                  # batch dims broadcast
    (dict(q=Q, k=K[:, :1], v=V[:, :1]), dict(enable_gqa=True)),         # grouped-query attention
]


@pytest.mark.parametrize("arrays, kwargs", SDPA_CASES)
def test_scaled_dot_product_attention_matches_pytorch(arrays, kwargs):
    def call(_, lib, q, k, v, attn_mask=None):
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, **kwargs)
    out = compare(lambda lib: None, call, arrays)
    assert numpy.isfinite(out.detach().numpy()).all()


def test_sdpa_fully_masked_query_gives_zero_and_finite_gradients():
    q, k, v = (torchlike.tensor(a, requires_grad=True) for a in (Q, K, V))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=torchlike.tensor(ALLOWED))
    assert not out.detach().numpy()[:, :, 1].any()
    out.sum().backward()
    assert all(numpy.isfinite(t.grad.numpy()).all() for t in (q, k, v))
    assert not q.grad.numpy()[:, :, 1].any()


def test_sdpa_dropout():
    q, k, v = (torchlike.tensor(a) for a in (Q, K, V))
    plain = F.scaled_dot_product_attention(q, k, v).numpy()
    torchlike.manual_seed(0)
    dropped = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    torchlike.manual_seed(0)
    numpy.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy(), dropped)
    assert not numpy.allclose(dropped, plain)
    # every weight is dropped: the output is 0
    assert not F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy().any()


@pytest.mark.parametrize("kwargs", [dict(), dict(is_causal=True), dict(attn_mask="bool"), dict(attn_mask="float")])
def test_sdpa_gradcheck(kwargs):
    q, k, v = (torchlike.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 2), (2, 4, 2), (2, 4, 3)))
    mask = {"bool": torchlike.tensor(numpy.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 0, 0, 0]], dtype=bool)),
            "float": torchlike.tensor(rng.standard_normal((3, 4)), requires_grad=True)}.get(kwargs.get("attn_mask"))
    kwargs = dict(kwargs, attn_mask=mask) if mask is not None else kwargs
    inputs = (q, k, v, mask) if mask is not None and mask.requires_grad else (q, k, v)
    assert gradcheck(lambda q, k, v, *m: F.scaled_dot_product_attention(q, k, v, **kwargs), inputs)


@pytest.mark.parametrize("call, match, error", [
    (lambda q, k, v: F.scaled_dot_product_attention(q, k[..., :3], v), "same embedding size", RuntimeError),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v[..., :5, :]), "same sequence length", RuntimeError),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v.float()), "same dtype", RuntimeError),
    (lambda q, k, v: F.scaled_dot_product_attention(q[0, 0, 0], k[0, 0, 0], v[0, 0, 0]), "at least 2 dimensional",
     RuntimeError),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=torchlike.zeros(4, 6, dtype=torchlike.int64)),
     "attn_mask dtype to be bool or float", RuntimeError),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k[:, :2], v[:, :2], enable_gqa=True), "multiple of",
     RuntimeError),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, dropout_p=1.5), "between 0 and 1", ValueError),
    (lambda q, k, v: F.scaled_dot_product_attention(q.numpy(), k, v), "must be a tensor", TypeError),
])
def test_sdpa_errors(call, match, error):
    with pytest.raises(error, match=match):
        call(*(torchlike.tensor(a) for a in (Q, K, V)))


# ---------------------------------------------------------------------------------------- MultiheadAttention

X = rng.standard_normal((3, 2, 4))      # (L, N, E)
MEM = rng.standard_normal((5, 2, 4))    # (S, N, E)
KPM = numpy.array([[False, False, True, False, True], [False, True, False, False, False]])
AM = _bool(3, 5, p=0.3)
AM[:, 0] = False                        # every query keeps one key (with need_weights PyTorch gives NaN otherwise)

# key (value) left out: the query (key) tensor itself, as in self-attention (PyTorch then packs the projections)
MHA_CASES = [
    ((4, 2), {}, dict(query=X), {}),
    ((4, 2), {}, dict(query=X), dict(need_weights=False)),
    ((4, 2), {}, dict(query=X, key=MEM, key_padding_mask=KPM), {}),
    ((4, 2), {}, dict(query=X, key=MEM, key_padding_mask=KPM), dict(need_weights=False)),
    ((4, 2), {}, dict(query=X, key=MEM, value=MEM[::-1].copy(), attn_mask=AM), dict(average_attn_weights=False)),
    ((4, 2), {}, dict(query=X, key=MEM, attn_mask=rng.standard_normal((3, 5)), key_padding_mask=KPM),
     dict(need_weights=False)),
    ((4, 2), {}, dict(query=X, key=MEM, attn_mask=rng.standard_normal((4, 3, 5))), {}),
    ((4, 1), dict(bias=False), dict(query=X), {}),
    ((4, 2), dict(batch_first=True), dict(query=X, key=MEM[:3], key_padding_mask=KPM[[0, 1, 0], :2]), {}),
    ((4, 2), dict(batch_first=True), dict(query=X), dict(need_weights=False)),
    ((4, 2), {}, dict(query=X[:, 0], key=MEM[:, 0], key_padding_mask=KPM[0]), {}),  # unbatched
    ((4, 2), dict(kdim=3, vdim=5), dict(query=X, key=MEM[..., :3], value=rng.standard_normal((5, 2, 5))), {}),
    ((4, 2), dict(add_bias_kv=True), dict(query=X, key=MEM, key_padding_mask=KPM, attn_mask=AM), {}),
    ((4, 2), dict(add_zero_attn=True), dict(query=X, key=MEM, key_padding_mask=KPM), dict(need_weights=False)),
    ((4, 2), dict(add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=3), dict(query=X, key=MEM[..., :3],
                                                                            value=MEM[..., 1:]), {}),
]


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("args, kwargs, arrays, options", MHA_CASES)
def test_multihead_attention_matches_pytorch(args, kwargs, arrays, options):
    def call(module, lib, query, key=None, value=None, **masks):
        key = query if key is None else key
        return module(query, key, key if value is None else value, **masks, **options)
    compare(lambda lib: lib.nn.MultiheadAttention(*args, **kwargs), call, arrays)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the NaN rows, on purpose
def test_multihead_attention_fully_masked_query_like_pytorch():
    """A query whose keys are all padding: NaN with need_weights (the explicit softmax), 0 without (SDPA)."""
    mha = nn.MultiheadAttention(4, 2).double()
    x = torchlike.tensor(X)
    kpm = torchlike.tensor(numpy.array([[False] * 3, [True] * 3]))
    out, weights = mha(x, x, x, key_padding_mask=kpm)
    assert numpy.isnan(out.detach().numpy()[:, 1]).all() and numpy.isnan(weights.detach().numpy()[1]).all()
    out, weights = mha(x, x, x, key_padding_mask=kpm, need_weights=False)
    assert weights is None and not out.detach().numpy()[:, 1].any()


def test_multihead_attention_dropout_in_training_only():
    mha = nn.MultiheadAttention(4, 2, dropout=0.5).double()
    x = torchlike.tensor(X)
    evaluated = mha.eval()(x, x, x)[0].detach().numpy()
    numpy.testing.assert_array_equal(mha(x, x, x)[0].detach().numpy(), evaluated)
    torchlike.manual_seed(1)
    trained, weights = mha.train()(x, x, x, average_attn_weights=False)
    assert not numpy.allclose(trained.detach().numpy(), evaluated)
    kept = weights.detach().numpy()
    assert ((kept == 0) | (kept > 0)).all() and (kept == 0).any()  # the returned weights are after dropout


def test_multihead_attention_mask_dtype_mismatch_warns():
    mha = nn.MultiheadAttention(4, 2)
    x = torchlike.tensor(X.astype("float32"))
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        mha(x, x, x, key_padding_mask=torchlike.tensor(KPM[:, :3]), attn_mask=torchlike.zeros(3, 3))


def test_multihead_attention_is_causal_hint():
    mha = nn.MultiheadAttention(4, 2).double()
    x = torchlike.tensor(X)
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=torchlike.float64)
    with_mask = mha(x, x, x, attn_mask=mask, need_weights=False)[0]
    hinted = mha(x, x, x, attn_mask=mask, need_weights=False, is_causal=True)[0]
    numpy.testing.assert_allclose(hinted.detach().numpy(), with_mask.detach().numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        mha(x, x, x, is_causal=True)


@pytest.mark.parametrize("kwargs", [{}, dict(bias=False, add_bias_kv=True), dict(kdim=3, vdim=5, dropout=0.1),
                                    dict(add_zero_attn=True, batch_first=True)])
def test_multihead_attention_repr_state_and_init_like_pytorch(kwargs):
    torch = torch_or_skip()
    mine, theirs = nn.MultiheadAttention(8, 2, **kwargs), torch.nn.MultiheadAttention(8, 2, **kwargs)
    assert repr(mine) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    for attr in ("embed_dim", "kdim", "vdim", "num_heads", "head_dim", "dropout", "batch_first", "_qkv_same_embed_dim",
                 "add_zero_attn"):
        assert getattr(mine, attr) == getattr(theirs, attr), attr
    if mine.in_proj_bias is not None:
        assert not mine.in_proj_bias.detach().numpy().any() and not mine.out_proj.bias.detach().numpy().any()
    if mine.in_proj_weight is not None:  # xavier_uniform_: U(-a, a), a = √(6 / (E + 3E))
        bound = numpy.sqrt(6 / (8 + 24))
        w = mine.in_proj_weight.detach().numpy()
        assert numpy.abs(w).max() <= bound and w.std() > bound / 3


def test_multihead_attention_gradcheck():
    torchlike.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, add_bias_kv=True).double()
    q, kv = (torchlike.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 1, 4), (3, 1, 4)))
    kpm = torchlike.tensor(numpy.array([[False, True, False]]))
    assert gradcheck(lambda q, kv: mha(q, kv, kv, key_padding_mask=kpm)[0], (q, kv))
    assert gradcheck(lambda q, kv: mha(q, kv, kv, need_weights=False)[0], (q, kv))


@pytest.mark.parametrize("make, call, match, error", [
    (lambda: nn.MultiheadAttention(5, 2), None, "embed_dim must be divisible by num_heads", AssertionError),
    (lambda: nn.MultiheadAttention(0, 2), None, "must be greater than 0", ValueError),
    (lambda: nn.MultiheadAttention(4, 2), lambda m, x: m(x, x, x[:2]), "does not match value shape", AssertionError),
    (lambda: nn.MultiheadAttention(4, 2), lambda m, x: m(x[..., :3], x[..., :3], x[..., :3]),
     "expecting embedding dimension of 4, but got 3", AssertionError),
    (lambda: nn.MultiheadAttention(4, 2), lambda m, x: m(x, x, x, attn_mask=torchlike.zeros(2, 3)),
     "The shape of the 2D attn_mask", RuntimeError),
    (lambda: nn.MultiheadAttention(4, 2), lambda m, x: m(x, x, x, attn_mask=torchlike.zeros(2, 3, 3)),
     "The shape of the 3D attn_mask", RuntimeError),
    (lambda: nn.MultiheadAttention(4, 2),
     lambda m, x: m(x, x, x, key_padding_mask=torchlike.zeros(2, 2, dtype=torchlike.bool)),
     r"key_padded_mask.shape\[1\] to be 3", AssertionError),
    (lambda: nn.MultiheadAttention(4, 2), lambda m, x: m(x, x, x, attn_mask=torchlike.zeros(3, 3, dtype=torchlike.int64)),
     "only bool and floating types of attn_mask", AssertionError),
    (lambda: nn.MultiheadAttention(4, 2), lambda m, x: m(x[0, 0], x[0, 0], x[0, 0]),
     "unbatched 2D or batched 3D", AssertionError),
    (lambda: nn.MultiheadAttention(4, 2), lambda m, x: m(x, x[0], x[0]), "expected `key` and `value` to be 3-D",
     AssertionError),
])
def test_multihead_attention_errors(make, call, match, error):
    with pytest.raises(error, match=match):
        module = make()
        call(module, torchlike.tensor(X.astype("float32")))


# -------------------------------------------------------------------------------------------- Transformers

SRC, TGT = rng.standard_normal((5, 2, 4)), rng.standard_normal((3, 2, 4))
SRC_KPM = numpy.array([[False] * 5, [False, False, False, True, True]])


def _quiet(build):
    """PyTorch warns about its nested-tensor fast path when building encoders; that is tested on its own."""
    def quiet(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return build(lib)
    return quiet


def _causal(n):
    return numpy.triu(numpy.full((n, n), -numpy.inf), 1)


ENCODER_LAYER_CASES = [
    ({}, dict(src=SRC)),
    (dict(norm_first=True, activation="gelu"), dict(src=SRC, src_key_padding_mask=SRC_KPM)),
    (dict(batch_first=True, bias=False, layer_norm_eps=1e-3), dict(src=SRC, src_mask=_causal(2))),
    (dict(activation="gelu"), dict(src=SRC, src_mask=_causal(5), is_causal=True)),
    ({}, dict(src=SRC[:, 0])),  # unbatched
]


@pytest.mark.parametrize("kwargs, arrays", ENCODER_LAYER_CASES)
def test_transformer_encoder_layer_matches_pytorch(kwargs, arrays):
    compare(lambda lib: lib.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, **kwargs),
            lambda m, lib, src, **rest: m(src, **rest), arrays)


@pytest.mark.parametrize("kwargs, arrays", [
    ({}, dict(tgt=TGT, memory=SRC, tgt_mask=_causal(3), memory_key_padding_mask=SRC_KPM)),
    (dict(norm_first=True, batch_first=True), dict(tgt=TGT, memory=SRC[:3], tgt_key_padding_mask=KPM[[0, 1, 0], :2],
                                                   memory_mask=rng.standard_normal((2, 2)))),
])
def test_transformer_decoder_layer_matches_pytorch(kwargs, arrays):
    compare(lambda lib: lib.nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, **kwargs),
            lambda m, lib, tgt, memory, **rest: m(tgt, memory, **rest), arrays)


@pytest.mark.filterwarnings("ignore:Support for mismatched src_key_padding_mask")
def test_transformer_stacks_match_pytorch():
    def encoder(lib):
        return lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0), 2,
                                         norm=lib.nn.LayerNorm(4))
    compare(_quiet(encoder), lambda m, lib, src, mask, pad: m(src, mask=mask, src_key_padding_mask=pad),
            dict(src=SRC, mask=_causal(5), pad=SRC_KPM))

    def decoder(lib):
        return lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0), 2)
    compare(decoder, lambda m, lib, tgt, memory, mask: m(tgt, memory, tgt_mask=mask),
            dict(tgt=TGT, memory=SRC, mask=_causal(3)))


@pytest.mark.parametrize("kwargs", [{}, dict(batch_first=True, norm_first=True, activation="gelu")])
def test_transformer_matches_pytorch(kwargs):
    build = _quiet(lambda lib: lib.nn.Transformer(4, 2, 1, 1, 6, dropout=0.0, **kwargs))
    src, tgt = (x.transpose(1, 0, 2).copy() for x in (SRC, TGT)) if kwargs else (SRC, TGT)
    compare(build, lambda m, lib, src, tgt, tgt_mask, src_pad: m(src, tgt, tgt_mask=tgt_mask, src_key_padding_mask=src_pad,
                                                                memory_key_padding_mask=src_pad),
            dict(src=src, tgt=tgt, tgt_mask=_causal(3) + rng.standard_normal((3, 3)), src_pad=SRC_KPM))


@since_mirrored_torch
def test_transformer_reprs_state_and_init_like_pytorch():
    torch = torch_or_skip()
    for make in (lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, activation=lib.nn.GELU()),
                 lambda lib: lib.nn.TransformerDecoderLayer(8, 4, 16, 0.2, "gelu", 1e-4, True, True, False),
                 lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16), 1),
                 lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)):
        mine, theirs = _quiet(make)(torchlike), _quiet(make)(torch)
        assert repr(mine) == repr(theirs)
        assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    assert layer.activation is F.relu and layer.activation_relu_or_gelu == 1
    assert nn.TransformerEncoderLayer(8, 2, activation="gelu").activation_relu_or_gelu == 2
    assert nn.TransformerEncoderLayer(8, 2, activation=torchlike.tanh).activation_relu_or_gelu == 0
    with pytest.warns(UserWarning):
        model = nn.Transformer(8, 2, 1, 1, 16)
    for p in model.parameters():  # every matrix xavier_uniform_: |w| <= √(6 / (fan_in + fan_out))
        if p.ndim > 1:
            assert numpy.abs(p.detach().numpy()).max() <= numpy.sqrt(6 / sum(p.shape))


def test_generate_square_subsequent_mask():
    torch = torch_or_skip()
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    assert mask.dtype == torchlike.float32
    numpy.testing.assert_array_equal(mask.numpy(), torch.nn.Transformer.generate_square_subsequent_mask(4).numpy())
    assert nn.Transformer.generate_square_subsequent_mask(2, dtype=torchlike.float64).dtype == torchlike.float64


def test_transformer_encoder_deep_copies_its_layer_and_warns_like_pytorch():
    layer = nn.TransformerEncoderLayer(4, 2, 6)
    with pytest.warns(UserWarning, match="self.use_nested_tensor is False because encoder_layer.self_attn.batch_first"):
        encoder = nn.TransformerEncoder(layer, 3)
    assert not encoder.use_nested_tensor and encoder.num_layers == 3
    weights = [m.linear1.weight for m in encoder.layers]
    assert len({id(w) for w in weights + [layer.linear1.weight]}) == 4
    assert all(numpy.array_equal(w.detach().numpy(), layer.linear1.weight.detach().numpy()) for w in weights)
    assert len(list(encoder.parameters())) == 3 * len(list(layer.parameters()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fast-path-eligible layer: no warning
        assert nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, batch_first=True), 1).use_nested_tensor
    clone = copy.deepcopy(encoder)
    assert clone.layers[0].activation is F.relu


def test_transformer_trains_in_training_mode_with_dropout():
    torchlike.manual_seed(0)
    with pytest.warns(UserWarning):
        model = nn.Transformer(4, 2, 1, 1, 6, dropout=0.3)
    src, tgt = torchlike.tensor(SRC.astype("float32")), torchlike.tensor(TGT.astype("float32"))
    first, second = model(src, tgt), model(src, tgt)
    assert not numpy.allclose(first.detach().numpy(), second.detach().numpy())
    model.eval()
    numpy.testing.assert_array_equal(model(src, tgt).detach().numpy(), model(src, tgt).detach().numpy())
    model.train()
    (model(src, tgt) ** 2).mean().backward()
    assert all(p.grad is not None and numpy.isfinite(p.grad.numpy()).all() for p in model.parameters())


def test_transformer_layer_gradcheck():
    torchlike.manual_seed(0)
    layer = nn.TransformerEncoderLayer(4, 2, 3, dropout=0.0, norm_first=True).double()
    src = torchlike.tensor(rng.standard_normal((2, 1, 4)), requires_grad=True)
    assert gradcheck(lambda s: layer(s, src_mask=torchlike.tensor(_causal(2))), (src,))


def test_transformer_errors():
    with pytest.warns(UserWarning):
        model = nn.Transformer(4, 2, 1, 1, 6)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(torchlike.tensor(SRC.astype("float32")), torchlike.tensor(TGT[:, :1].astype("float32")))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
        model(torchlike.tensor(SRC[..., :3].astype("float32")), torchlike.tensor(TGT[..., :3].astype("float32")))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.TransformerDecoderLayer(6, 4)


@pytest.mark.parametrize("need_weights", [True, False])
def test_functional_multi_head_attention_forward_with_static_keys_matches_pytorch(need_weights):
    e, heads, n = 4, 2, 2
    arrays = dict(q=rng.standard_normal((3, n, e)), k=rng.standard_normal((5, n, e)),
                  w=rng.standard_normal((3 * e, e)), b=rng.standard_normal(3 * e), ow=rng.standard_normal((e, e)),
                  ob=rng.standard_normal(e), sk=rng.standard_normal((n * heads, 4, e // heads)),
                  sv=rng.standard_normal((n * heads, 4, e // heads)))

    def call(_, lib, q, k, w, b, ow, ob, sk, sv):
        return lib.nn.functional.multi_head_attention_forward(q, k, k, e, heads, w, b, None, None, False, 0.0, ow, ob,
                                                              need_weights=need_weights, static_k=sk, static_v=sv)
    compare(lambda lib: None, call, arrays)


def test_decoder_with_a_bool_causal_mask_matches_pytorch():
    compare(lambda lib: lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0), 1),
            lambda m, lib, tgt, memory, mask: m(tgt, memory, tgt_mask=mask),
            dict(tgt=TGT, memory=SRC, mask=numpy.triu(numpy.ones((3, 3), dtype=bool), 1)))
