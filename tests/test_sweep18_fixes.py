"""Tensor behaviours a differential sweep against PyTorch found different (session 18): results that must be
new memory, float16 and float32 accumulations, NaN signs, and numbers a tensor's dtype cannot hold."""
import numpy as np
import pytest

import minidl.eager as T
import minidl.eager.nn.functional as F


@pytest.mark.parametrize("make", [
    lambda x: x.flip(0), lambda x: x.fliplr(), lambda x: x.flipud(), lambda x: T.rot90(x, 1),
    lambda x: T.rot90(x, 0), lambda x: T.rot90(x, 4), lambda x: T.diag(x), lambda x: T.diff(x, n=0),
], ids=["flip", "fliplr", "flipud", "rot90", "rot90_zero", "rot90_four", "diag_of_matrix", "diff_zero"])
def test_results_that_pytorch_copies_do_not_share_the_inputs_memory(make, device):
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
    y = make(x)
    before = x.tolist()
    y.add_(100)  # a view would carry this into x
    assert x.tolist() == before
    x.mul_(-1)  # ... and this into y
    assert (y.cpu().numpy() >= 100).all()


def test_float16_moments_and_norms_accumulate_in_float32():
    x = T.arange(100, dtype=T.float16)
    wide = np.arange(100, dtype=np.float64)
    # in float16 the sums of squares (328 350) overflow to inf, and the normalized vector becomes 0
    assert float(x.var()) == pytest.approx(wide.var(ddof=1), rel=1e-3)
    assert float(x.std(unbiased=False)) == pytest.approx(wide.std(), rel=1e-3)
    assert float(x.norm()) == pytest.approx(np.linalg.norm(wide), rel=1e-3)
    assert float(T.linalg.vector_norm(x, 3)) == pytest.approx(np.sum(wide ** 3) ** (1 / 3), rel=1e-3)
    assert float(F.normalize(x, dim=0)[-1]) == pytest.approx(99 / np.linalg.norm(wide), rel=1e-3)
    assert float(T.cosine_similarity(x, x, dim=0)) == pytest.approx(1.0, rel=1e-3)
    assert x.var().dtype is T.float16 and x.norm().dtype is T.float16


def test_float32_cumsum_runs_its_sum_in_float64_on_the_cpu():
    running = T.cumsum(T.full((100000,), 0.1), 0)
    assert running.dtype is T.float32
    assert float(running[-1]) == np.float32(100000 * np.float32(0.1))  # a float32 running sum drifts to 9998.6
    reverse = T.full((100000,), 0.1).flip(0).cumsum(0).flip(0)
    assert float(reverse[0]) == float(running[-1])
    torch = pytest.importorskip("torch")
    assert float(running[-1]) == float(torch.cumsum(torch.full((100000,), 0.1), 0)[-1])


def test_the_sign_of_nan_is_zero_and_so_is_abs_slope_there_and_angle_of_negative_zero_is_zero():
    values = [float("nan"), -0.0, 2.0, -3.0, float("inf")]
    assert T.sign(T.tensor(values)).tolist() == [0.0, 0.0, 1.0, -1.0, 1.0]
    x = T.tensor([float("nan"), -2.0], requires_grad=True)
    x.abs().sum().backward()
    assert x.grad.tolist() == [0.0, -1.0]
    angles = T.angle(T.tensor([-0.0, float("nan"), -1.0, 0.0]))
    assert angles[0].item() == 0.0 and np.isnan(angles[1].item()) and angles[2].item() == pytest.approx(np.pi)
    torch = pytest.importorskip("torch")
    assert torch.sign(torch.tensor(values)).tolist() == [0.0, 0.0, 1.0, -1.0, 1.0]


@pytest.mark.parametrize("write", [
    lambda: T.clamp(T.tensor([1, -5, 7], dtype=T.int8), min=-1000, max=1000),
    lambda: T.tensor([1, 250], dtype=T.uint8).clamp(min=300),
    lambda: T.tensor([1, 2], dtype=T.int8).masked_fill(T.tensor([True, False]), 300),
    lambda: T.where(T.tensor([True, False]), T.tensor([1, 2], dtype=T.int8), 300),
    lambda: T.zeros(2, dtype=T.int8).fill_(300),
    lambda: T.zeros(2, dtype=T.float16).fill_(1e6),
    lambda: T.zeros(2).fill_(1j),
    lambda: T.zeros(3, dtype=T.uint8).__setitem__(0, 300),
    lambda: T.zeros(2).__setitem__(0, 1 + 2j),
    lambda: T.zeros(3, dtype=T.uint8).index_fill_(0, T.tensor([0]), 300),
    lambda: T.zeros(2, dtype=T.int32).fill_(float("nan")),
], ids=["clamp_int8", "clamp_uint8", "masked_fill", "where", "fill_int8", "fill_float16", "fill_complex",
        "setitem_uint8", "setitem_complex", "index_fill", "fill_nan_into_int"])
def test_a_number_the_tensor_cannot_hold_is_refused_not_wrapped(write):
    with pytest.raises(RuntimeError, match="cannot be converted to type .* without overflow"):
        write()


def test_numbers_that_fit_or_wrap_as_in_pytorch_are_written():
    assert T.zeros(2, dtype=T.uint8).fill_(-1).tolist() == [255, 255]  # PyTorch's allowance for unsigned types
    assert T.clamp(T.tensor([1, -5, 7], dtype=T.int8), min=-100, max=100).tolist() == [1, -5, 7]
    assert T.clamp(T.tensor([1, -5, 7], dtype=T.int8), min=2.5).tolist() == [2.5, 2.5, 7.0]  # float result
    assert T.where(T.tensor([True, False]), 1.5, float("nan")).tolist()[0] == 1.5
    assert T.zeros(2, dtype=T.float16).fill_(float("-inf")).tolist() == [float("-inf")] * 2
    assert (T.tensor([1, -5, 7], dtype=T.int8) + 1000).tolist() == [-23, -29, -17]  # arithmetic wraps, as there


# ------------------------------------------------------------------------------------------------ nn (sweep)

def test_adaptive_max_pool3d_matches_its_windows_and_pytorch():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 5, 7, 6))
    ours = T.tensor(x, requires_grad=True)
    values, positions = T.nn.AdaptiveMaxPool3d((2, 3, 4), return_indices=True)(ours)
    # window (i, j, k) spans [floor(i·D/2), ceil((i+1)·D/2)) along D, and likewise along H and W
    window = x[1, 2, 2:5, 2:5, 3:5]
    assert values[1, 2, 1, 1, 2].item() == window.max()
    d, h, w = np.unravel_index(window.argmax(), window.shape)
    assert positions[1, 2, 1, 1, 2].item() == ((2 + d) * 7 + 2 + h) * 6 + 3 + w
    values.sum().backward()
    assert ours.grad.sum().item() == values.numel()  # one 1 per window, at its maximum
    assert T.nn.functional.adaptive_max_pool3d(T.tensor(x[0]), (None, 1, 1)).shape == (3, 5, 1, 1)  # unbatched
    torch = pytest.importorskip("torch")
    theirs = torch.nn.functional.adaptive_max_pool3d(torch.tensor(x), (2, 3, 4), return_indices=True)
    np.testing.assert_array_equal(values.detach().numpy(), theirs[0].numpy())
    np.testing.assert_array_equal(positions.numpy(), theirs[1].numpy())


def test_module_and_container_conveniences_from_pytorch():
    nn = T.nn
    block = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    assert len(block * 3) == 6 and len(2 * block) == 4 and (block * 2)[2] is block[0]
    with pytest.raises(ValueError, match="multiplication factor"):
        block * 0
    assert block(input=T.ones(1, 2)).shape == (1, 2)  # Sequential's argument is named input, RMSNorm's x
    assert nn.RMSNorm(2)(x=T.ones(1, 2))[0].tolist() == pytest.approx([1.0, 1.0], rel=1e-5)
    block.set_submodule("1", nn.Tanh())
    assert isinstance(block[1], nn.Tanh)
    with pytest.raises(AttributeError):
        block.set_submodule("5", nn.Tanh(), strict=True)
    layers = nn.ModuleDict({"a": nn.ReLU()})
    layers.clear()
    assert len(layers) == 0
    params = nn.ParameterDict({"a": nn.Parameter(T.ones(1)), "b": nn.Parameter(T.zeros(1))})
    assert params.popitem()[0] == "b" and list(params.copy().keys()) == ["a"]
    assert list(params.fromkeys(["x", "y"]).keys()) == ["x", "y"]
    assert nn.Linear(0, 3).bias.tolist() == [0.0, 0.0, 0.0]  # U(0, 0): no leftover memory
    with pytest.warns(FutureWarning, match="nn.init.xavier_uniform_"):
        nn.init.xavier_uniform(T.zeros(2, 2))
    weight = T.ones(2, requires_grad=True)
    (weight * 10).sum().backward()
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        assert nn.utils.clip_grad_norm([weight], 1.0).item() == pytest.approx(200 ** 0.5)


def test_non_constant_padding_needs_the_ranks_pytorch_pads():
    F = T.nn.functional
    assert F.pad(T.ones(1, 2, 3, 4), (1, 1, 2, 2), mode="reflect").shape == (1, 2, 7, 6)
    assert F.pad(T.ones(2, 3), (1, 1), mode="circular").shape == (2, 5)
    for bad in (lambda: T.nn.ReflectionPad2d(1)(T.ones(3, 4)), lambda: F.pad(T.ones(1, 2, 3, 4), (1, 1), "replicate"),
                lambda: T.nn.CircularPad1d(1)(T.ones(1, 2, 3, 4))):
        with pytest.raises(RuntimeError, match="padding of .* dims needs"):
            bad()
    assert F.pad(T.ones(3, 4), (1, 1, 1, 1)).shape == (5, 6)  # constant padding: any rank


def test_attention_takes_a_mask_and_is_causal_together_and_flatten_checks_a_scalars_dims():
    q = T.tensor(np.random.default_rng(0).standard_normal((1, 2, 4, 8)))
    mask = T.zeros(4, 4)
    mask[:, 0] = float("-inf")  # nobody may attend to key 0 ...
    mask[0, 0] = 0.0            # ... but query 0, which (causal) has no other key
    both = T.nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=mask, is_causal=True)
    combined = mask + T.triu(T.full((4, 4), float("-inf")), 1)
    np.testing.assert_allclose(both.numpy(), T.nn.functional.scaled_dot_product_attention(
        q, q, q, attn_mask=combined).numpy(), rtol=1e-12)
    with pytest.raises(IndexError):
        T.nn.Flatten()(T.tensor(3.0))
    assert T.flatten(T.tensor(3.0)).shape == (1,)
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
        T.nn.CrossEntropyLoss(ignore_index=1)(T.zeros(2, 3), T.full((2, 3), 1 / 3))


def test_pytorch_call_forms_the_sweep_found_missing():
    x = T.arange(5)
    assert [p.tolist() for p in T.tensor_split(x, indices=[1, 3])] == [[0], [1, 2], [3, 4]]
    assert [p.tolist() for p in T.tensor_split(x, sections=2)] == [[0, 1, 2], [3, 4]]
    assert T.repeat_interleave(T.tensor([1, 0, 2])).tolist() == [0, 2, 2]
    assert T.searchsorted(T.tensor([1, 3, 5]), input=T.tensor([2, 4])).tolist() == [1, 2]
    assert T.ones(2).new_zeros(size=(3,)).tolist() == [0.0] * 3
    assert T.max(T.tensor([1.0, 5.0]), other=T.tensor([3.0, 2.0])).tolist() == [3.0, 5.0]
    assert T.min(T.tensor([1.0, 5.0]), other=T.tensor([3.0, 2.0])).tolist() == [1.0, 2.0]
    assert T.tensor([1.0, 2.0]).ger(T.tensor([3.0, 4.0])).tolist() == [[3.0, 4.0], [6.0, 8.0]]
    assert T.tensor([1.0, 2.0]).diagflat().tolist() == [[1.0, 0.0], [0.0, 2.0]]
    assert T.tensor(2.0).flip(0).item() == 2.0
    assert T.zeros(T.tensor(2), 3).shape == (2, 3)
    summed = T.index_put(T.zeros(3), (T.tensor([0, 0]),), T.tensor([1.0, 2.0]), accumulate=True)
    assert summed.tolist() == [3.0, 0.0, 0.0]


def test_as_strided_views_and_its_refusals():
    base = T.arange(6.0)
    view = base.as_strided((2,), (3,))
    view.add_(100)  # a view: the write reaches the tensor
    assert base.tolist() == [100.0, 1.0, 2.0, 103.0, 4.0, 5.0]
    with pytest.raises(RuntimeError, match="reads element 6, outside the 6 elements"):
        T.arange(6.0).as_strided((3,), (3,))
    with pytest.raises(RuntimeError, match="not contiguous"):
        T.arange(6.0).reshape(2, 3).t().as_strided((2,), (1,))
    with pytest.raises(RuntimeError, match="storage_offset counts from this view"):
        T.arange(6.0)[2:].as_strided((2,), (1,), 1)
    with pytest.raises(RuntimeError, match="non-negative"):
        T.arange(6.0).as_strided((2,), (-1,))


# -------------------------------------------------------------------------------------- autograd (sweep)

def test_a_node_that_saved_no_tensor_can_be_walked_again_as_in_pytorch():
    x = T.ones(2, requires_grad=True)
    for make, twice in ((lambda: x + 1, True), (lambda: x.expand(3, 2), True), (lambda: x * x, False),
                        (lambda: x.exp(), False)):
        x.grad = None
        y = make()
        y.sum().backward()
        if twice:
            y.sum().backward()  # x + 1 and expand keep only shapes: nothing was freed
            assert x.grad.sum().item() == 2 * y.numel()
        else:
            with pytest.raises(RuntimeError, match="retain_graph"):
                y.sum().backward()

    class Double(T.autograd.Function):
        @staticmethod
        def forward(ctx, v):
            return v * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, v):
            ctx.save_for_backward(v)
            return v * v

        @staticmethod
        def backward(ctx, g):
            v, = ctx.saved_tensors
            return 2 * v * g

    x.grad = None
    doubled = Double.apply(x)
    doubled.sum().backward()
    doubled.sum().backward()  # saved nothing: its backward runs again
    assert x.grad.tolist() == [4.0, 4.0]
    squared = Square.apply(x)
    squared.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        squared.sum().backward()


def test_autograd_grad_computes_only_the_gradients_asked_for():
    concentration = T.tensor([2.0], requires_grad=True)  # its gamma-cdf derivative is not implemented ...
    x = T.tensor([0.7], requires_grad=True)
    cdf = T.distributions.Gamma(concentration, T.tensor([1.5])).cdf(x)
    grad, = T.autograd.grad(cdf.sum(), x)  # ... and not needed for d/dx
    assert grad.item() == pytest.approx(1.5 ** 2 * 0.7 * np.exp(-1.5 * 0.7), rel=1e-6)  # the Gamma(2, 1.5) pdf


def test_autograd_grad_applies_the_inputs_hooks_and_takes_batched_cotangents():
    x = T.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 7)
    assert T.autograd.grad((x * 2).sum(), x)[0].tolist() == [14.0, 14.0]
    y = x * 1
    y.register_hook(lambda g: g + 100)
    assert T.autograd.grad((y * 2).sum(), y)[0].tolist() == [102.0, 102.0]
    z = T.tensor([1.0, 2.0], requires_grad=True)
    rows, = T.autograd.grad(z * z, z, T.eye(2), is_grads_batched=True)  # the Jacobian, row by row
    assert rows.tolist() == [[2.0, 0.0], [0.0, 4.0]]


def test_same_shape_views_are_new_tensors_and_requires_grad_on_a_recording_result_is_no_change():
    x = T.zeros(3)
    for alias in (x.view(3), x.reshape(3), T.reshape(x, (3,)), x.view_as(x), x.reshape_as(x)):
        assert alias is not x
        alias.requires_grad_()
        assert not x.requires_grad
    alias = x.view(3)
    alias.add_(1)  # still a view: it shares the memory
    assert x.tolist() == [1.0, 1.0, 1.0]
    w = T.ones(2, requires_grad=True)
    hidden = w * 2
    assert hidden.requires_grad_() is hidden  # asking a recording result again changes nothing, as in PyTorch
    with pytest.raises(RuntimeError, match="leaf variables"):
        hidden.requires_grad_(False)
    assert w.view(2).grad_fn.name() == "ViewBackward0"


def test_small_pytorch_names_from_the_sweeps():
    assert T.distributions.Normal(0.0, 1.0).perplexity().item() == pytest.approx(np.exp(0.5 * np.log(2 * np.pi * np.e)))
    assert T.is_anomaly_enabled() is False and T.ones(1).is_sparse is False
    assert T.nn.init.calculate_gain("sigmoid") == 1 and isinstance(T.nn.init.calculate_gain("linear"), int)
    x = T.tensor([1.0], dtype=T.float64, requires_grad=True)
    assert T.autograd.gradcheck(lambda a: a.sin(), (x,), fast_mode=True, nondet_tol=0.0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        T.autograd.gradcheck(lambda a: a.sin(), (x,), no_such_option=True)


def test_a_float32_multivariate_normal_scores_float64_values_promoted():
    normal = T.distributions.MultivariateNormal(T.zeros(2), covariance_matrix=T.eye(2))
    score = normal.log_prob(T.tensor([0.5, 0.5], dtype=T.float64))
    assert score.dtype is T.float64 and score.item() == pytest.approx(-np.log(2 * np.pi) - 0.25)
    assert normal.log_prob(T.tensor([0.5, 0.5])).dtype is T.float32


def test_multinomial_samples_count_many_draws_at_once():
    T.manual_seed(0)
    counts = T.distributions.Multinomial(10000, probs=T.ones(1000) / 1000).sample((3,))  # one-hot counting: 3.5 s
    assert counts.shape == (3, 1000) and counts.sum(-1).tolist() == [10000.0] * 3
    many = T.distributions.Multinomial(20, probs=T.tensor([[0.2, 0.8], [0.5, 0.5]])).sample((4000,))
    np.testing.assert_allclose(many.mean(0).numpy(), [[4.0, 16.0], [10.0, 10.0]], atol=0.15)


def test_an_in_place_custom_function_marks_its_input_dirty():
    class Double(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x.mul_(2)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    a = T.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = Double.apply(b)
    assert c is b and type(b.grad_fn).__name__ == "DoubleBackward"  # the same tensor, with the Function's history
    (c * c).sum().backward()  # c = 2a: d(c²)/da = 8a
    assert a.grad.tolist() == [8.0, 16.0]
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        Double.apply(T.tensor([1.0], requires_grad=True))
    with T.no_grad():
        assert Double.apply(T.tensor([1.0], requires_grad=True)).tolist() == [2.0]


# -------------------------------------------------------------------------------------- linalg (sweep)

def test_nan_matrices_give_nan_not_an_error_or_a_zero_determinant():
    nan_matrix = T.tensor([[float("nan"), 1.0], [1.0, 1.0]])
    assert np.isnan(T.linalg.det(nan_matrix).item())  # LAPACK alone says 0
    assert T.linalg.inv(nan_matrix).isnan().all() and T.linalg.solve(nan_matrix, T.ones(2, 1)).isnan().all()
    batch = T.stack([nan_matrix, 2 * T.eye(2)])
    assert T.linalg.inv(batch)[1].tolist() == [[0.5, 0.0], [0.0, 0.5]] and T.linalg.det(batch)[1].item() == 4.0
    with pytest.raises(T.linalg.LinAlgError, match="singular"):
        T.linalg.inv(T.tensor([[1.0, 2.0], [2.0, 4.0]]))  # a singular matrix without NaN is still an error


def test_complex_gradients_of_vander_and_of_p_norms():
    z = T.tensor([1 + 2j], requires_grad=True)
    T.linalg.vander(z, N=3)[0, 2].real.backward()
    assert complex(z.grad.item()) == pytest.approx(2 - 4j)  # conj(d z² / dz) = conj(2z)
    w = T.tensor([3 + 4j, 1j], requires_grad=True)
    T.linalg.vector_norm(w, 3).backward()  # the slope of |w|³ summed, through sgn(w) = w / |w|
    norm = (125 + 1) ** (1 / 3)
    expected = [(5 ** 2) * (3 + 4j) / 5 / norm ** 2, 1j / norm ** 2]
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-5)
    assert T.norm(T.tensor([3.0, 4.0]), None).item() == 5.0


def test_pinv_and_matrix_rank_take_pytorchs_older_tolerance_arguments():
    matrix = T.tensor([[1.0, 0.0], [0.0, 0.5]], dtype=T.float64)
    assert T.linalg.pinv(matrix, rcond=0.6).tolist() == [[1.0, 0.0], [0.0, 0.0]]  # 0.5 <= 0.6 · 1 counts as 0
    assert T.linalg.pinv(matrix, 0.3).tolist() == [[1.0, 0.0], [0.0, 2.0]]
    assert T.linalg.matrix_rank(matrix, tol=1.0).item() == 0 and T.linalg.matrix_rank(matrix).item() == 2


def test_grad_mode_belongs_to_a_thread():
    import threading
    inside, release, seen = threading.Event(), threading.Event(), []

    def evaluate_in_background():
        with T.no_grad():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=evaluate_in_background)
    worker.start()
    inside.wait(5)
    w = T.ones(3, requires_grad=True)
    recorded = (w * 2).sum()  # the other thread's no_grad does not reach this one
    release.set()
    worker.join()
    assert recorded.requires_grad and T.is_grad_enabled()
    with T.no_grad():
        starter = threading.Thread(target=lambda: seen.append(T.is_grad_enabled()))
        starter.start()
        starter.join()
        assert not T.is_grad_enabled()
    assert seen == [True]  # a new thread starts recording, as in PyTorch
