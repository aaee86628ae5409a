"""Gaps found by differential sweep 7, each checked on minidl and, where it is installed, on PyTorch with the same
assertions: ``checkpoint`` of blocks that return more than tensors; ``autograd.Function.apply`` with keyword
arguments and ``ctx.set_materialize_grads``; ``always_call`` forward hooks and the global full backward hooks;
``proj_size`` refused by RNN and GRU; integer inputs to ``linalg.eig`` / ``pdist`` raising a RuntimeError."""
import warnings
from collections import namedtuple

import numpy as np
import pytest

import minidl.eager as T
from tests.torch_version import since_mirrored_torch

Pair = namedtuple("Pair", "value tag")


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    if request.param == "torch":
        torch = pytest.importorskip("torch")
        import torch.utils.checkpoint  # noqa: F401  (a submodule PyTorch does not import by itself)
        return torch
    return T


def _checkpoint(lib, function, x, reentrant):
    return lib.utils.checkpoint.checkpoint(function, x, use_reentrant=reentrant)


def _x(lib):
    return lib.tensor([1.0, 2.0], requires_grad=True)


# ------------------------------------------------------------------------------- checkpoint: non-tensor outputs

@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_passes_non_tensors_of_a_tuple_through(lib, reentrant):
    x = _x(lib)
    out = _checkpoint(lib, lambda t: (t * 2, "tag", None, 3, t ** 2), x, reentrant)
    assert type(out) is tuple and out[1:4] == ("tag", None, 3)
    assert out[0].requires_grad and out[4].requires_grad
    (out[0].sum() + out[4].sum()).backward()
    assert x.grad.tolist() == [4.0, 6.0]  # 2 + 2x


@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("result", [None, 5, "tag", ("a", 1)])
def test_checkpoint_of_a_block_returning_no_tensor(lib, reentrant, result):
    assert _checkpoint(lib, lambda t: result, _x(lib), reentrant) == result


def test_checkpoint_non_reentrant_differentiates_every_tensor_of_nested_containers(lib):
    x = _x(lib)
    out = _checkpoint(lib, lambda t: (t * 2, [t * 3, "s"], {"k": t * 4, "n": None}), x, False)
    assert type(out[1]) is list and out[1][1] == "s" and type(out[2]) is dict and out[2]["n"] is None
    (out[0].sum() + 10 * out[1][0].sum() + 100 * out[2]["k"].sum()).backward()
    assert x.grad.tolist() == [432.0, 432.0]


def test_checkpoint_reentrant_looks_only_at_a_tuples_items(lib):
    """PyTorch's reentrant variant: a nested container comes back untouched, without gradients; so does a dict or
    a list returned alone (backward through them then fails)."""
    x = _x(lib)
    out = _checkpoint(lib, lambda t: (t * 2, (t * 3, "s"), {"k": t * 4}), x, True)
    assert out[0].requires_grad and not out[1][0].requires_grad and not out[2]["k"].requires_grad
    assert out[1][0].tolist() == [3.0, 6.0]
    out[0].sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    for block in (lambda t: {"a": t * 2}, lambda t: [t * 2]):
        out = _checkpoint(lib, block, x, True)
        value = out["a"] if isinstance(out, dict) else out[0]
        assert not value.requires_grad
        with pytest.raises(RuntimeError, match="does not require grad"):
            value.sum().backward()


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_named_tuple_output(lib, reentrant):
    """Non-reentrant keeps the named tuple; reentrant hands back a plain tuple (PyTorch's autograd.Function)."""
    x = _x(lib)
    out = _checkpoint(lib, lambda t: Pair(t * 2, "s"), x, reentrant)
    assert type(out) is (tuple if reentrant else Pair)
    assert out[1] == "s"
    out[0].sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_block_returning_hidden_and_none_trains_its_parameters(lib, reentrant):
    """A block in the common ``(hidden, attention_or_None)`` style gives the gradients an unchecked run gives."""
    def gradients(checkpointed):
        lib.manual_seed(0)
        layer = lib.nn.Linear(3, 4).double()
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3)))
            layer.bias.copy_(lib.tensor([0.1, -0.2, 0.3, 0.0]))
        x = lib.tensor(np.arange(6.0).reshape(2, 3) / 5, requires_grad=True)

        def block(t):
            return lib.tanh(layer(t)), None
        hidden, extra = _checkpoint(lib, block, x, reentrant) if checkpointed else block(x)
        assert extra is None
        (hidden ** 2).sum().backward()
        return [t.grad.numpy().copy() for t in (x, layer.weight, layer.bias)]

    for ours, plain in zip(gradients(True), gradients(False)):
        np.testing.assert_allclose(ours, plain, rtol=1e-12)


# ---------------------------------------------------------------------------------- Function.apply(**kwargs)

def _scale_function(lib, seen):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(x, scale=2.0, bias=0.0):
            return x * scale + bias

        @staticmethod
        def setup_context(ctx, inputs, output):
            seen.append(inputs[1:])
            ctx.scale = inputs[1]

        @staticmethod
        def backward(ctx, grad):
            seen.append(ctx.needs_input_grad)
            return grad * ctx.scale, None, None
    return Scale


@since_mirrored_torch
def test_setup_context_style_binds_keywords_and_defaults_by_position(lib):
    seen = []
    Scale, x = _scale_function(lib, seen), _x(lib)
    y = Scale.apply(x, bias=1.0, scale=3.0)
    assert y.tolist() == [4.0, 7.0] and seen == [(3.0, 1.0)]
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and seen[1] == (True, False, False)
    assert Scale.apply(x).tolist() == [2.0, 4.0] and seen[2] == (2.0, 0.0)  # setup_context sees the defaults


@since_mirrored_torch
def test_setup_context_style_argument_errors(lib):
    Scale, x = _scale_function(lib, []), _x(lib)
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        Scale.apply(x, bogus=1)
    with pytest.raises(TypeError, match="too many positional arguments"):
        Scale.apply(x, 1.0, 2.0, 3.0)

    class KeywordOnly(lib.autograd.Function):
        @staticmethod
        def forward(x, *, scale=2.0):
            return x * scale

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, grad):
            return grad
    with pytest.raises(TypeError, match="forward\\(\\) got an unexpected keyword argument 'scale'"):
        KeywordOnly.apply(x)  # PyTorch passes arguments by position only, defaults of keyword-only ones too


@since_mirrored_torch
def test_ctx_style_keywords_fill_positional_slots(lib):
    class Mul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, scale=1.0):
            ctx.save_for_backward(x, y)
            ctx.scale = scale
            return x * y * scale

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            return grad * y * ctx.scale, grad * x * ctx.scale
    x, y = _x(lib), lib.tensor([5.0, 7.0], requires_grad=True)
    Mul.apply(x, y=y).sum().backward()  # the keyword tensor gets its gradient too
    assert x.grad.tolist() == [5.0, 7.0] and y.grad.tolist() == [1.0, 2.0]
    assert Mul.apply(x, y, scale=2.0).tolist() == [10.0, 28.0]
    with pytest.raises(TypeError, match="missing required argument: 'y' \\(position 1\\)"):
        Mul.apply(x, scale=2.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'other'"):
        Mul.apply(x, y, other=1)


# ----------------------------------------------------------------------------------- ctx.set_materialize_grads

def _two_outputs(lib, materialize, received, setup_style):
    def backward(ctx, g1, g2, g3):
        received.append((g1, g2, g3))
        return g1 * 2 + (0 if g2 is None else g2 * 3)

    if setup_style:
        class TwoOutputs(lib.autograd.Function):
            @staticmethod
            def forward(x):
                return x * 2, x * 3, "tag"

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.set_materialize_grads(materialize)
    else:
        class TwoOutputs(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                if materialize is not None:
                    ctx.set_materialize_grads(materialize)
                return x * 2, x * 3, "tag"
    TwoOutputs.backward = staticmethod(backward)
    return TwoOutputs


@pytest.mark.parametrize("setup_style", [False, True])
@pytest.mark.parametrize("materialize", [None, True, False])
def test_set_materialize_grads(lib, materialize, setup_style):
    """Materialized (the default): zeros for an output that got no gradient; off: None. A non-tensor output
    always gets None."""
    if setup_style and materialize is None:
        materialize = True
    received = []
    x = _x(lib)
    first, second, tag = _two_outputs(lib, materialize, received, setup_style).apply(x)
    assert tag == "tag"
    first.sum().backward()
    g1, g2, g3 = received[0]
    assert g1.tolist() == [1.0, 1.0] and g3 is None
    assert g2 is None if materialize is False else g2.tolist() == [0.0, 0.0]
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad = None
    first, second, _ = _two_outputs(lib, materialize, received, setup_style).apply(x)
    (first + second).sum().backward()
    assert received[1][1].tolist() == [1.0, 1.0] and x.grad.tolist() == [5.0, 5.0]


def test_outputs_without_gradient_are_leaves_and_get_materialized_zeros(lib):
    received = []

    class WithIndices(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            marked = x * 3
            ctx.mark_non_differentiable(marked)
            return x * 2, lib.arange(2), marked

        @staticmethod
        def backward(ctx, g, g_indices, g_marked):
            received.append((g_indices.tolist(), g_marked.tolist()))
            return g * 2
    x = _x(lib)
    value, indices, marked = WithIndices.apply(x)
    assert value.grad_fn is not None
    assert [(t.requires_grad, t.grad_fn, t.is_leaf) for t in (indices, marked)] == [(False, None, True)] * 2
    value.sum().backward()
    assert received == [([0, 0], [0.0, 0.0])] and x.grad.tolist() == [2.0, 2.0]


# --------------------------------------------------------------------------------- forward hooks: always_call

def _failing(lib):
    """A module whose forward raises."""
    class Failing(lib.nn.Module):
        def forward(self, x):
            raise ValueError("forward failed")
    return Failing()


def test_a_with_kwargs_pre_hook_must_return_args_and_kwargs(lib):
    module = lib.nn.Linear(3, 2)
    module.register_forward_pre_hook(lambda m, args, kwargs: args[0] * 2, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple of "
                                           "\\(new_args, new_kwargs\\)"):
        module(lib.ones(1, 3))


def test_always_call_forward_hooks_run_when_the_forward_raises(lib):
    module, log = _failing(lib), []
    handles = [lib.nn.modules.module.register_module_forward_hook(
                   lambda m, i, o: log.append(("global", o)), always_call=True),
               lib.nn.modules.module.register_module_forward_hook(lambda m, i, o: log.append(("plain", o))),
               module.register_forward_hook(lambda m, i, o: log.append(("local", o)), always_call=True),
               module.register_forward_hook(lambda m, i, kw, o: log.append(("kwargs", kw, o)), always_call=True,
                                            with_kwargs=True)]
    try:
        with pytest.raises(ValueError, match="forward failed"):
            module(lib.ones(1))
        assert log == [("global", None), ("local", None), ("kwargs", {}, None)]
        log.clear()
        lib.nn.Identity()(lib.ones(1))  # without an exception: every global hook, once
        assert [entry[0] for entry in log] == ["global", "plain"]
    finally:
        for handle in handles:
            handle.remove()


def test_always_call_hook_runs_once_after_a_hook_raised_and_its_own_error_only_warns(lib):
    module, log = lib.nn.Identity(), []

    def raising(m, i, o):
        raise KeyError("hook failed")
    handles = [module.register_forward_hook(lambda m, i, o: log.append(("before", o.tolist())), always_call=True),
               module.register_forward_hook(raising),
               module.register_forward_hook(lambda m, i, o: log.append(("after", o.tolist())), always_call=True)]
    try:
        with pytest.raises(KeyError, match="hook failed"):
            module(lib.ones(1))
        assert log == [("before", [1.0]), ("after", [1.0])]  # the output so far; "before" not again
    finally:
        for handle in handles:
            handle.remove()
    failing = _failing(lib)
    failing.register_forward_hook(raising, always_call=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="forward failed"):
            failing(lib.ones(1))
    assert any("always_call=True`` raised an exception that was silenced" in str(w.message) for w in caught)


# ------------------------------------------------------------------------------ global full backward hooks

def _tanh_net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Tanh()).double()


def test_global_full_backward_hooks_run_for_every_module_before_its_own(lib):
    M, log = lib.nn.modules.module, []
    net = _tanh_net(lib)
    handles = [M.register_module_full_backward_hook(
                   lambda m, gi, go: log.append(("hook", type(m).__name__, tuple(gi[0].shape), tuple(go[0].shape)))),
               M.register_module_full_backward_pre_hook(lambda m, go: log.append(("pre", type(m).__name__))),
               net[0].register_full_backward_hook(lambda m, gi, go: log.append(("own", type(m).__name__)))]
    x = lib.ones(4, 2, dtype=lib.float64, requires_grad=True)
    try:
        net(x).sum().backward()
    finally:
        for handle in handles:
            handle.remove()
    assert log == [("pre", "Sequential"), ("pre", "Tanh"), ("hook", "Tanh", (4, 3), (4, 3)), ("pre", "Linear"),
                   ("hook", "Linear", (4, 2), (4, 3)), ("own", "Linear"), ("hook", "Sequential", (4, 2), (4, 3))]
    log.clear()
    net(x).sum().backward()
    assert log == []  # removed


def test_global_full_backward_pre_hook_can_replace_grad_output(lib):
    net = _tanh_net(lib)
    x = lib.ones(4, 2, dtype=lib.float64, requires_grad=True)
    net(x).sum().backward()
    plain = x.grad.numpy().copy()
    x.grad = None
    handle = lib.nn.modules.module.register_module_full_backward_pre_hook(
        lambda m, go: tuple(g * 2 for g in go) if type(m).__name__ == "Tanh" else None)
    try:
        net(x).sum().backward()
    finally:
        handle.remove()
    np.testing.assert_allclose(x.grad.numpy(), 2 * plain, rtol=1e-12)


# ---------------------------------------------------------------------------------------- proj_size, dtypes

@pytest.mark.parametrize("layer", ["RNN", "GRU"])
@pytest.mark.parametrize("proj_size", [0, 2])
def test_proj_size_is_refused_by_rnn_and_gru(lib, layer, proj_size):
    with pytest.raises(ValueError, match="^proj_size argument is only supported for LSTM, not RNN or GRU$"):
        getattr(lib.nn, layer)(3, 4, proj_size=proj_size)
    assert lib.nn.LSTM(3, 4, proj_size=2).proj_size == 2


@pytest.mark.parametrize("call", [lambda lib, a: lib.linalg.eig(a), lambda lib, a: lib.linalg.eigvals(a),
                                  lambda lib, a: lib.linalg.inv(a), lambda lib, a: lib.nn.functional.pdist(a),
                                  lambda lib, a: lib.pdist(a)],
                         ids=["eig", "eigvals", "inv", "F.pdist", "pdist"])
def test_integer_input_to_float_only_ops_raises_a_runtime_error(lib, call):
    with pytest.raises(RuntimeError) as raised:
        call(lib, lib.ones(3, 3, dtype=lib.int64))
    if lib is T:  # minidl's message names the op and the input
        assert isinstance(raised.value, TypeError)
        assert "int64[3, 3]" in str(raised.value)
        assert any(name in str(raised.value) for name in ("eig", "inv", "pdist"))
