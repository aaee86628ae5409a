"""PyTorch's top-level names for functions minidl keeps in ``nn.functional`` or as methods (``torch.selu``,
``torch.gru_cell(input, hx, w_ih, w_hh, b_ih, b_hh)``, ...), the ``*_copy`` twins of the view ops, the
``unsafe_*`` splits and the process settings (``set_num_interop_threads`` ...).

Each call is run with PyTorch's positional arguments on minidl and on PyTorch; values and gradients must agree."""
import numpy as np
import pytest

import minidl.eager as torchlike

torch = pytest.importorskip("torch")

rng = np.random.default_rng(7)


def _arrays(value):
    if isinstance(value, (tuple, list)):
        return [array for v in value for array in _arrays(v)]
    return [value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)]


def _agree(call, inputs, grad=True, rtol=1e-7):
    """``call(lib, *tensors)`` on both libraries with the same float64 ``inputs`` (numpy arrays; integer arrays
    are passed without grad); the values, and the gradients of a random weighting of the float results, agree."""
    results = []
    for lib in (torchlike, torch):
        tensors = [lib.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in inputs]
        out = call(lib, *tensors)
        arrays = _arrays(out)
        grads = []
        floats = [o for o in (out if isinstance(out, (tuple, list)) else [out]) if o.is_floating_point()]
        if grad and any(o.requires_grad for o in floats):
            weights = np.random.default_rng(0)
            loss = sum((o * lib.tensor(weights.standard_normal(tuple(o.shape)))).sum() for o in floats
                       if o.requires_grad)
            leaves = [t for t in tensors if t.requires_grad]
            grads = [g if g is not None else np.zeros(1)
                     for g in (lib.autograd.grad(loss, leaves, allow_unused=True) if leaves else [])]
        results.append((arrays, _arrays(grads)))
    (ours, our_grads), (theirs, their_grads) = results
    assert len(ours) == len(theirs)
    for a, b in zip(ours + our_grads, theirs + their_grads):
        assert a.shape == b.shape and a.dtype == b.dtype, (a, b)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-10)
    return ours


X = rng.standard_normal((2, 3, 5))
W3 = rng.standard_normal((4, 3, 2))


@pytest.mark.parametrize("call, inputs", [
    (lambda lib, x: lib.selu(x), [X]),
    (lambda lib, x: lib.celu(x), [X]),
    (lambda lib, x: lib.celu(x, 0.5), [X]),
    (lambda lib, x, w: lib.prelu(x, w), [X, np.array([0.1, 0.2, 0.3])]),
    (lambda lib, x: lib.threshold(x, 0.3, -2.0), [X]),
    (lambda lib, a, b, w, bias: lib.bilinear(a, b, w, bias),
     [rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), rng.standard_normal((5, 3, 2)),
      rng.standard_normal(5)]),
    (lambda lib, x, w, b: lib.conv1d(x, w, b, 2, 1, 1, 1), [X, W3, rng.standard_normal(4)]),
    (lambda lib, x, w: lib.conv_transpose1d(x, w, None, 2, 1, 1), [X, rng.standard_normal((3, 2, 3))]),
    (lambda lib, x: lib.pixel_shuffle(x, 2), [rng.standard_normal((1, 8, 2, 3))]),
    (lambda lib, x: lib.pixel_unshuffle(x, 2), [rng.standard_normal((1, 2, 4, 6))]),
    (lambda lib, x: lib.channel_shuffle(x, 2), [rng.standard_normal((2, 4, 3))]),
    (lambda lib, x: lib.native_channel_shuffle(x.detach(), 2), [rng.standard_normal((2, 4, 3))]),  # (no grad in torch)
    (lambda lib, x, w, b: lib.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
     [X, rng.standard_normal(3), rng.standard_normal(3)]),
    (lambda lib, x: lib.alpha_dropout(x, 0.5, False), [X]),
    (lambda lib, x: lib.feature_dropout(x, 0.5, False), [X]),
    (lambda lib, x: lib.adaptive_avg_pool1d(x, 3), [X]),
    (lambda lib, x: lib.adaptive_max_pool1d(x, 2), [X]),
    (lambda lib, x: lib.max_pool1d_with_indices(x, 2, 2, 1), [X]),
    (lambda lib, x: lib.constant_pad_nd(x, (1, 2, 0, 1), 3.5), [X]),
    (lambda lib, x: lib.constant_pad_nd(x, (2, 1)), [X]),
    (lambda lib, x, t: lib.hinge_embedding_loss(x, t, 0.5, 2), [X[0], np.sign(X[1])]),
    (lambda lib, x, t: lib.hinge_embedding_loss(x, t), [X[0], np.sign(X[1])]),
    (lambda lib, a, b, t: lib.margin_ranking_loss(a, b, t, 0.2, 0), [X[0, 0], X[1, 0], np.sign(X[1, 1])]),
    (lambda lib, a, b, t: lib.cosine_embedding_loss(a, b, t, 0.1, 1), [X[0], X[1], np.array([1.0, -1.0, 1.0])]),
    (lambda lib, a, p, n: lib.triplet_margin_loss(a, p, n, 0.5, 1.0, 1e-6, True, 2), [X[0], X[1], X[0] * 0.5]),
    (lambda lib, x, t: lib.poisson_nll_loss(x, t, True, True, 1e-8, 1), [X[0], np.abs(X[1]) * 3]),
    (lambda lib, x, t: lib.poisson_nll_loss(x, t, False, False, 1e-3, 0), [np.abs(X[0]), np.abs(X[1])]),
    (lambda lib, x: lib.frobenius_norm(x, (0, 2)), [X]),
    (lambda lib, x: lib.frobenius_norm(x, 1, True), [X]),
    (lambda lib, x: lib.frobenius_norm(x, ()), [X]),
    (lambda lib, x: lib.nuclear_norm(x), [X[0]]),
    (lambda lib, x: lib.nuclear_norm(x, True), [X[0]]),
    (lambda lib, x: lib.nuclear_norm(x, (0, 2), True), [X]),
    (lambda lib, x: lib.fill(x, 2.5), [X]),
    (lambda lib, x, v: lib.fill(x, v), [X, np.array(1.5)]),
])
@pytest.mark.filterwarnings("ignore:.*_norm is deprecated")
def test_top_level_forms_take_pytorchs_positional_arguments(call, inputs):
    _agree(call, inputs)


@pytest.mark.parametrize("name", ["gru_cell", "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell"])
@pytest.mark.parametrize("bias", [True, False])
def test_recurrent_cells_take_input_hx_and_the_weights(name, bias):
    gates = {"gru_cell": 3, "lstm_cell": 4}.get(name, 1)
    hidden, features = 4, 3
    inputs = [rng.standard_normal((2, features)), rng.standard_normal((2, hidden)),
              rng.standard_normal((gates * hidden, features)), rng.standard_normal((gates * hidden, hidden))]
    if bias:
        inputs += [rng.standard_normal(gates * hidden), rng.standard_normal(gates * hidden)]
    if name == "lstm_cell":
        inputs.insert(2, rng.standard_normal((2, hidden)))
        _agree(lambda lib, x, h, c, *weights: lib.lstm_cell(x, (h, c), *weights), inputs)
    else:
        _agree(lambda lib, *args: getattr(lib, name)(*args), inputs)


def test_embedding_bag_returns_the_bags_and_pytorchs_bookkeeping():
    weight = rng.standard_normal((10, 3))
    ids, offsets = np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 4])
    for mode in (1, 2):  # (PyTorch's CPU sum mode leaves offset2bag and bag_size unfilled)
        _agree(lambda lib, w, i, o: lib.embedding_bag(w, i, o, False, mode), [weight, ids, offsets])
    _agree(lambda lib, w, i, o: lib.embedding_bag(w, i, o, False, 2, False, None, False, 4),
           [weight, ids, np.array([0, 2, 2])])
    output = _agree(lambda lib, w, i, o: lib.embedding_bag(w, i, o)[0], [weight, ids, offsets])[0]
    np.testing.assert_allclose(output, [weight[[1, 2, 4, 5]].sum(0), weight[[4, 3, 2, 9]].sum(0)])
    with pytest.raises(ValueError, match=r"embedding_bag\(\): mode must be 0 \(sum\), 1 \(mean\) or 2 \(max\)"):
        torchlike.embedding_bag(torchlike.tensor(weight), torchlike.tensor(ids), torchlike.tensor(offsets), False, 3)


def test_embedding_takes_the_table_first_as_the_schema_does():
    weight, ids = rng.standard_normal((6, 3)), np.array([[1, 5], [1, 0]])
    for args in [(), (1,), (-1, True), (0, False, False)]:  # padding_idx -1: none (the schema has no None)
        _agree(lambda lib, w, i: lib.embedding(w, i, *args), [weight, ids])


@pytest.mark.parametrize("name, args", [
    ("view_copy", ((5, 6),)), ("permute_copy", ((2, 0, 1),)), ("transpose_copy", (0, 2)),
    ("expand_copy", ((4, 2, 3, 5),)),
    ("squeeze_copy", ()), ("squeeze_copy", (1,)), ("unsqueeze_copy", (1,)), ("select_copy", (1, 2)),
    ("slice_copy", ()), ("slice_copy", (2, 1, 100, 2)), ("slice_copy", (-1, -3)), ("diagonal_copy", (1, 1, 2)),
    ("detach_copy", ()), ("alias_copy", ()), ("unbind_copy", (2,)), ("split_copy", (2, 2)),
    ("split_with_sizes_copy", ((1, 1, 3), 2)), ("unfold_copy", (2, 2, 2)), ("narrow_copy", (2, 1, 3)),
    ("as_strided_copy", ((3, 4), (1, 2), 1)), ("unsafe_chunk", (2, 2)), ("unsafe_split", (2, 2)),
    ("unsafe_split_with_sizes", ((2, 3), 2)),
])
def test_copy_functions_give_the_views_values_and_gradients_in_new_memory(name, args):
    x = rng.standard_normal((2, 3, 5))
    if name in ("squeeze_copy",):
        x = x[:, :1]
    if name == "expand_copy":
        x = x[:1]
    # (PyTorch's detach_copy claims to require grad but has no derivative: minidl's is detached, like detach)
    _agree(lambda lib, t: getattr(lib, name)(t, *args), [x], grad=name != "detach_copy")
    if name.startswith("unsafe"):
        return
    source = torchlike.tensor(x)
    results = getattr(torchlike, name)(source, *args)
    for result in (results if isinstance(results, tuple) else (results,)):
        assert result._base is None and not result.requires_grad
        result.fill_(7.0)  # new memory: the source is untouched
    np.testing.assert_array_equal(source.numpy(), x)


def test_complex_copies_and_t_copy():
    z = rng.standard_normal((3, 2))
    _agree(lambda lib, t: lib.view_as_complex_copy(t), [z], grad=False)
    _agree(lambda lib, t: lib.view_as_real_copy(lib.view_as_complex(t)), [z])
    _agree(lambda lib, t: lib.t_copy(t), [z])


def test_narrow_copy_and_the_unsafe_splits_are_tensor_methods_too():
    x = rng.standard_normal((4, 3))
    _agree(lambda lib, t: [t.narrow_copy(0, 1, 2), *t.unsafe_chunk(2), *t.unsafe_split(3, 0),
                           *t.unsafe_split_with_sizes([1, 2], 1)], [x])


def test_is_signed_and_is_inference():
    for lib in (torchlike, torch):
        assert lib.is_signed(lib.ones(2)) and lib.ones(2, dtype=lib.int8).is_signed()
        assert not lib.is_signed(lib.ones(2, dtype=lib.uint8)) and not lib.ones(2, dtype=lib.bool).is_signed()
        assert not lib.is_inference(lib.ones(2)) and not lib.ones(2).is_inference()


def test_inference_mode_is_reported_and_restored():
    for lib in (torchlike, torch):
        assert not lib.is_inference_mode_enabled()
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled() and not lib.is_grad_enabled()
            with lib.no_grad():
                assert lib.is_inference_mode_enabled()
            with lib.inference_mode(False):
                assert not lib.is_inference_mode_enabled()
            assert lib.is_inference_mode_enabled()
        assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()

        @lib.inference_mode()
        def inside():
            return lib.is_inference_mode_enabled()

        @lib.inference_mode()
        def steps():
            yield lib.is_inference_mode_enabled()
            yield lib.is_inference_mode_enabled()
        assert inside() and list(steps()) == [True, True] and not lib.is_inference_mode_enabled()


def test_empty_strided_lays_the_elements_out_as_asked():
    for lib in (torchlike, torch):
        x = lib.empty_strided((2, 3), (1, 2), dtype=lib.float64, requires_grad=True)
        assert tuple(x.shape) == (2, 3) and x.stride() == (1, 2) and x.dtype == lib.float64 and x.requires_grad
        assert tuple(lib.empty_strided((0, 4), (4, 1)).shape) == (0, 4)
    with pytest.raises(RuntimeError, match="empty_strided: mismatch in length of strides and shape"):
        torchlike.empty_strided((2, 3), (1,))


def test_process_settings_are_kept():
    before = torchlike.get_num_interop_threads()
    try:
        torchlike.set_num_interop_threads(3)
        assert torchlike.get_num_interop_threads() == 3
    finally:
        torchlike.set_num_interop_threads(before)
    with pytest.raises(RuntimeError, match="set_num_interop_threads expects a positive integer"):
        torchlike.set_num_interop_threads(0)
    for lib in (torchlike, torch):
        assert lib.is_warn_always_enabled() is False
        lib.set_warn_always(True)
        assert lib.is_warn_always_enabled() is True
        lib.set_warn_always(False)
    assert torchlike.set_flush_denormal(False) is False and torchlike.set_flush_denormal(True) is False
    with pytest.raises(TypeError, match="set_flush_denormal expects a bool"):
        torchlike.set_flush_denormal(None)


def test_bad_arguments_are_named():
    x = torchlike.tensor(X)
    with pytest.raises(ValueError, match=r"hinge_embedding_loss\(\): reduction must be 0 \(none\), 1 \(mean\) or 2"):
        torchlike.hinge_embedding_loss(x, x, 1.0, 3)
    with pytest.raises(TypeError, match=r"margin_ranking_loss\(\): argument 'reduction' must be int"):
        torchlike.margin_ranking_loss(x, x, x, 0.0, "sum")
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
        torchlike.feature_dropout(torchlike.ones(3), 0.5, True)
    with pytest.warns(UserWarning, match="frobenius_norm is deprecated"), \
            pytest.raises(RuntimeError, match="Expected at most 2 dimensions"):
        torchlike.frobenius_norm(x, (0, 1, 2))
    with pytest.warns(UserWarning, match="nuclear_norm is deprecated"), \
            pytest.raises(RuntimeError, match="nuclear_norm: Expected a tensor with 2 dim"):
        torchlike.nuclear_norm(x)
    with pytest.raises(ValueError, match="slice: slice step must be positive"):
        torchlike.slice_copy(x, 0, 0, 2, 0)
    with pytest.raises(TypeError):
        torchlike.instance_norm(x, None, None)  # all nine arguments, as in PyTorch
    with pytest.raises(TypeError):
        torchlike.alpha_dropout(x, 0.5)


def test_feature_dropout_drops_whole_channels():
    torchlike.manual_seed(0)
    y = torchlike.feature_dropout(torchlike.ones(8, 6, 5), 0.5, True).numpy()
    per_channel = y.reshape(8, 6, 5)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel == per_channel[..., :1]).all()  # one draw per (sample, channel)
    assert 0 < (per_channel[..., 0] == 0).sum() < 48
