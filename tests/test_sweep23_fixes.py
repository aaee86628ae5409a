"""What a sweep of PyTorch programs found in session 23, fixed: each checked against PyTorch where it is installed,
and against the values worked out by hand."""
import numpy as np
import pytest

import minidl.eager as T

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

_NO_GRAD_VIEW = "created in no_grad mode and is being modified inplace with grad mode enabled"


def _view_taken_under_no_grad(lib, of_leaf):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    base = x if of_leaf else x * 2
    with lib.no_grad():
        v = base[0:1]
    return x, base, v


@pytest.mark.parametrize("change", [lambda v, x: v.mul_(x[1]), lambda v, x: v.mul_(2),
                                    lambda v, x: v.__setitem__(0, 5.0), lambda v, x: v.copy_(x[1:] * 3)],
                         ids=["mul_ by a tensor that requires grad", "mul_ by a number", "setitem", "copy_"])
@pytest.mark.parametrize("of_leaf", [False, True], ids=["of a non-leaf", "of a leaf"])
def test_changing_a_view_taken_under_no_grad_while_recording_is_refused(change, of_leaf):
    x, base, v = _view_taken_under_no_grad(T, of_leaf)
    before = base.detach().clone()
    with pytest.raises(RuntimeError, match=_NO_GRAD_VIEW):
        change(v, x)
    assert base.tolist() == before.tolist()  # refused before anything was written
    if torch is not None:
        x, base, v = _view_taken_under_no_grad(torch, of_leaf)
        with pytest.raises(RuntimeError, match=_NO_GRAD_VIEW):
            change(v, x)


def test_views_under_no_grad_stay_usable_where_nothing_is_ambiguous():
    x, base, v = _view_taken_under_no_grad(T, of_leaf=False)
    with T.no_grad():  # both the view and the change under no_grad: not recorded
        v.mul_(2)
    assert base.tolist() == [4.0, 4.0]
    plain = T.tensor([1.0, 2.0])
    with T.no_grad():
        w = plain[0:1]
    w.mul_(3)  # nothing requires grad: nothing to record
    assert plain.tolist() == [3.0, 2.0]


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_fill_with_a_scalar_tensor_that_requires_grad_passes_it_the_gradient(lib):
    value = lib.tensor(3.0, requires_grad=True)
    y = lib.zeros(2)
    y.fill_(value)
    assert y.tolist() == [3.0, 3.0]
    (y * lib.tensor([1.0, 2.0])).sum().backward()
    assert value.grad.item() == 3.0
    ints = lib.zeros(2, dtype=lib.int64)
    ints.fill_(lib.tensor(2.7))  # the value is cast as a number is
    assert ints.tolist() == [2, 2]


class _AddBroadcasting(T.autograd.Function):
    @staticmethod
    def forward(ctx, x, b):
        return x + b

    @staticmethod
    def backward(ctx, g):
        return g, g  # the gradient of b still in the broadcast shape


@pytest.mark.parametrize("b_shape", [(3,), (), (1, 3)])
def test_a_functions_gradient_in_a_broadcast_shape_is_summed_to_the_input(b_shape):
    x = T.ones(4, 3, requires_grad=True)
    b = T.zeros(b_shape, requires_grad=True)
    _AddBroadcasting.apply(x, b).sum().backward()
    assert tuple(b.grad.shape) == b_shape
    np.testing.assert_array_equal(b.grad.numpy(), np.full(b_shape, 4.0 if b_shape else 12.0))
    assert x.grad.tolist() == [[1.0] * 3] * 4


def test_a_functions_gradient_of_an_unrelated_shape_or_type_is_refused_clearly():
    class WrongShape(T.autograd.Function):
        forward = staticmethod(lambda ctx, x: x * 2)
        backward = staticmethod(lambda ctx, g: T.ones(5))

    class ANumber(T.autograd.Function):
        forward = staticmethod(lambda ctx, x: x * 2)
        backward = staticmethod(lambda ctx, g: 3.0)

    with pytest.raises(RuntimeError, match=r"returned an invalid gradient at index 0 - got \[5\] but expected shape "
                                           r"compatible with \[2\]"):
        WrongShape.apply(T.ones(2, requires_grad=True)).sum().backward()
    with pytest.raises(RuntimeError, match=r"expected Variable or None \(got float\)"):
        ANumber.apply(T.ones(2, requires_grad=True)).sum().backward()


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_in_place_dropout_with_p_0_leaves_the_input_alone(lib):
    x = lib.tensor([[1.0, -2.0]], requires_grad=True)
    s = x.sigmoid()  # its backward reads its output: an in-place change would be an error
    y = lib.nn.functional.dropout(s, 0.0, training=True, inplace=True)
    assert y is s
    y.sum().backward()
    sig = 1 / (1 + np.exp(-np.array([[1.0, -2.0]])))
    np.testing.assert_allclose(x.grad.numpy(), sig * (1 - sig), rtol=1e-6)


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_in_looks_for_an_element_not_a_row(lib):
    x = lib.tensor([[1, 2], [3, 4]])
    assert 3 in x and 5 not in x and lib.tensor(4) in x and 2.0 in lib.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="__contains__ only supports Tensor or scalar"):
        "a" in x


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_factories_take_end_by_keyword_and_out(lib):
    assert lib.arange(end=4).tolist() == [0, 1, 2, 3] and lib.arange(start=1, end=3).tolist() == [1, 2]
    out = lib.empty(0, dtype=lib.int64)
    assert lib.zeros(2, out=out) is out and out.tolist() == [0, 0] and out.dtype == lib.int64
    out = lib.empty(0)
    assert lib.arange(0, 1, 0.25, out=out) is out and out.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert lib.eye(2, out=lib.empty(0, dtype=lib.int64)).tolist() == [[1, 0], [0, 1]]
    out = lib.empty(3)
    assert lib.randn(3, out=out) is out
    with pytest.raises(RuntimeError, match=r"dtype Long does not match dtype of out parameter \(Float\)"):
        lib.zeros(2, out=lib.empty(0), dtype=lib.int64)


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_scalars_in_shape_ops_as_in_pytorch(lib):
    x = lib.tensor(1.0)
    for call, words in [(lambda: x.split(1), "split expects at least a 1-dimensional tensor"),
                        (lambda: x.chunk(2), "chunk expects at least a 1-dimensional tensor"),
                        (lambda: x.index_select(0, lib.tensor([0, 0])), "Index to scalar can have only 1 value")]:
        with pytest.raises(RuntimeError, match=words):
            call()
    with pytest.raises(IndexError):
        x.unbind()
    assert x.movedim(0, -1).item() == 1.0 and x.movedim(0, -1) is not x
    assert x.index_select(0, lib.tensor([0])).shape == () and x.index_select(0, lib.tensor(0)).item() == 1.0


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_one_value_written_through_a_mask_is_cast(lib):
    x = lib.tensor([1.0, 2.0, 3.0])
    x[x > 1] = lib.tensor([9])
    assert x.tolist() == [1.0, 9.0, 9.0]
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        x[x > 1] = lib.tensor([9, 8])


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_broadcast_to_as_a_method_takes_sizes_one_by_one(lib):
    x = lib.ones(2, 3)
    assert tuple(x.broadcast_to(2, 3).shape) == (2, 3) and tuple(x.broadcast_to(size=(4, 2, 3)).shape) == (4, 2, 3)


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_hooks_on_a_grad_fn_see_and_replace_its_gradients_as_in_pytorch(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen = []
    y.grad_fn.register_prehook(lambda grad_outputs: seen.append(("pre", grad_outputs[0].tolist()))
                               or (grad_outputs[0] * 10,))
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(
        ("post", [None if g is None else g.tolist() for g in grad_inputs], grad_outputs[0].tolist()))
        or (grad_inputs[0] + 1,) + tuple(grad_inputs[1:]))
    y.sum().backward()
    assert seen == [("pre", [1.0, 1.0]), ("post", [[30.0, 30.0], None], [10.0, 10.0])]
    assert x.grad.tolist() == [31.0, 31.0]
    leaf_node = y.grad_fn.next_functions[0][0]
    leaf_node.register_prehook(lambda grad_outputs: (grad_outputs[0] * 0,))
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_a_grad_fn_hook_returning_the_wrong_gradients_is_refused(lib):
    x = lib.tensor([1.0], requires_grad=True)
    y = x * 2
    handle = y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: grad_inputs * 3)
    with pytest.raises(RuntimeError, match="has returned an incorrect number of values"):
        y.sum().backward(retain_graph=True)
    handle.remove()
    y.sum().backward()
    assert x.grad.tolist() == [2.0]


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_tensor_of_a_tensor_copies_it_and_recommends_clone(lib):
    source = lib.ones(2)
    with pytest.warns(UserWarning, match=r"recommended to use sourceTensor.detach\(\).clone\(\)"):
        copy = lib.tensor(source)
    copy[0] = 5.0
    assert source.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_max_and_min_of_a_whole_tensor_have_pytorchs_grad_fn_names(lib):
    w = lib.ones(3, requires_grad=True)
    assert [type(t.grad_fn).__name__ for t in (w.max(), w.min(), w.max(0).values, w.amax())] == \
        ["MaxBackward1", "MinBackward1", "MaxBackward0", "AmaxBackward0"]


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_empty_inputs_and_saved_non_tensors_are_refused_as_in_pytorch(lib):
    x = lib.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="`inputs` argument to `backward\\(\\)` cannot be empty"):
        x.sum().backward(inputs=[])
    with pytest.raises(RuntimeError, match="`inputs` argument to `grad\\(\\)` cannot be empty"):
        lib.autograd.grad(x.sum(), [])

    class SavesANumber(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x * 2

    with pytest.raises(TypeError, match="save_for_backward can only save variables, but argument 0 is of type int"):
        SavesANumber.apply(x)


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_linalg_arguments_pytorch_takes(lib):
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((3, 3)))
    s = a + a.mT
    assert lib.allclose(lib.linalg.eigh(s, UPLO="u").eigenvalues, lib.linalg.eigvalsh(s, "U"))
    assert lib.allclose(lib.linalg.svd(a, driver=None).S, lib.linalg.svdvals(a, driver=None))
    np.testing.assert_allclose(lib.linalg.pinv(a, rtol=lib.tensor(1e-10)).numpy(), np.linalg.inv(a.numpy()),
                               atol=1e-10)
    assert int(lib.linalg.matrix_rank(lib.tensor([[1.0, 0.0], [0.0, 1e-3]]), atol=lib.tensor(0.01))) == 1


def test_the_sign_of_a_singular_matrix_passes_no_gradient_without_inverting_it():
    x = T.tensor([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]], requires_grad=True)
    sign, logabsdet = T.linalg.slogdet(x)
    assert sign.item() == 0 and logabsdet.item() == -np.inf
    (sign * 2).sum().backward()  # (the derivative of log|det| would need the inverse, which does not exist)
    assert x.grad is None


@pytest.mark.parametrize("lib", [T] + ([torch] if torch is not None else []), ids=lambda lib: lib.__name__)
def test_random_integers_refuse_ranges_the_dtype_cannot_hold(lib):
    for call, words in [(lambda: lib.zeros(3, dtype=lib.uint8).random_(0, 300), "to - 1 is out of bounds for unsigned"),
                        (lambda: lib.zeros(3, dtype=lib.uint8).random_(-1, 3), "from is out of bounds for unsigned"),
                        (lambda: lib.zeros(3).random_(5, 2), "expects 'from' to be less than 'to'"),
                        (lambda: lib.randint(0, 300, (3,), dtype=lib.uint8), "to - 1 is out of bounds")]:
        with pytest.raises(RuntimeError, match=words):
            call()
    values = lib.zeros(1000, dtype=lib.int8).random_(0, 128)
    assert 0 <= int(values.min()) and int(values.max()) <= 127


def test_arguments_of_the_wrong_kind_are_named():
    with pytest.raises(TypeError, match="invalid dtype: 'foo' names no dtype") as error:
        T.ones(2).type("foo")
    assert isinstance(error.value, ValueError)  # (PyTorch raises a ValueError there)
    for call, words in [(lambda: T.ones(3).sum(dtype="foo"), "invalid dtype: 'foo'"),
                        (lambda: T.ones(2, 3).unsqueeze("a"), "unsqueeze: dim must be an int, got 'a'"),
                        (lambda: T.ones(2, 3).size("a"), r"size\(\): dim must be an int"),
                        (lambda: T.numel([1, 2]), r"numel\(\): argument 'input' \(position 1\) must be Tensor"),
                        (lambda: T.promote_types(T.float32, "a"), "is not a dtype tensors compute with")]:
        with pytest.raises(TypeError, match=words):
            call()
    with pytest.raises(TypeError, match=r"mean\(\): the dtype argument must be a floating point or complex dtype, "
                                        r"got int64"):
        T.ones(3).mean(dtype=T.int64)


def _round_trip(obj):
    import io
    buffer = io.BytesIO()
    T.save(obj, buffer)
    buffer.seek(0)
    return T.load(buffer)


@pytest.mark.parametrize("replace_memory", [lambda w: setattr(w, "data", T.ones(6)), lambda w: w.resize_(20),
                                            lambda w: w.share_memory_()], ids=["data", "resize_", "share_memory_"])
def test_a_view_whose_base_memory_was_replaced_is_saved_as_a_copy(replace_memory):
    w = T.arange(6.0)
    v = w[2:4]
    replace_memory(w)
    assert _round_trip({"w": w, "v": v})["v"].tolist() == [2.0, 3.0]
    assert _round_trip({"v": v})["v"].tolist() == [2.0, 3.0]


def test_a_view_saved_with_its_base_still_shares_its_memory_after_loading():
    w = T.arange(6.0)
    loaded = _round_trip({"w": w, "v": w[1:5:2]})
    loaded["w"][1] = 100.0
    assert loaded["v"].tolist() == [100.0, 3.0]


def test_saving_over_a_file_keeps_its_mode_and_writes_through_links(tmp_path):
    import os
    private = tmp_path / "private.pt"
    private.write_bytes(b"")
    os.chmod(private, 0o600)
    T.save(T.ones(1), private)
    assert os.stat(private).st_mode & 0o777 == 0o600 and T.load(private).tolist() == [1.0]
    target, link = tmp_path / "target.pt", tmp_path / "latest.pt"
    target.write_bytes(b"")
    os.symlink(target, link)
    T.save(T.ones(3), link)
    assert os.path.islink(link) and T.load(target).tolist() == [1.0, 1.0, 1.0]
    T.save(T.ones(2), os.devnull)  # no regular file: written into, not replaced
    assert not os.path.isfile(os.devnull)
    T.save(T.ones(2), os.fsencode(tmp_path / "bytes_path.pt"))
    assert T.load(tmp_path / "bytes_path.pt").tolist() == [1.0, 1.0]


def test_tensors_holding_the_same_memory_load_as_one_again():
    w = T.arange(4.0)
    loaded = _round_trip({"w": w, "detached": w.detach()})
    loaded["w"][0] = 9.0
    assert loaded["detached"].tolist() == [9.0, 1.0, 2.0, 3.0]
    emb, out = T.nn.Embedding(5, 3), T.nn.Linear(3, 5, bias=False)
    out.weight = emb.weight  # tied weights: one parameter under two names
    state = _round_trip(T.nn.ModuleDict({"emb": emb, "out": out}).state_dict())
    assert state["emb.weight"].data_ptr() == state["out.weight"].data_ptr()
    separate = _round_trip([T.zeros(3), T.zeros(3)])
    separate[0][0] = 1.0
    assert separate[1].tolist() == [0.0, 0.0, 0.0]


def test_sets_bytes_and_devices_are_saved_as_pytorch_saves_them():
    original = {"set": {1, 2, "a"}, "frozen": frozenset({(1, 2)}), "bytes": b"\x00\xffab", "buffer": bytearray(b"xy"),
                "device": T.device("cpu")}
    loaded = _round_trip(original)
    assert loaded == original and type(loaded["buffer"]) is bytearray and type(loaded["frozen"]) is frozenset


def test_pytorchs_allow_list_for_unpickling_is_kept_though_nothing_is_unpickled():
    from collections import OrderedDict
    serialization = T.serialization
    serialization.clear_safe_globals()
    serialization.add_safe_globals([OrderedDict])
    with serialization.safe_globals([T.Size]):
        assert serialization.get_safe_globals() == [OrderedDict, T.Size]
    assert serialization.get_safe_globals() == [OrderedDict]
    serialization.clear_safe_globals()
    assert _round_trip(OrderedDict(a=T.ones(1)))["a"].tolist() == [1.0]  # loading needs no allow-list


def test_a_module_in_shared_memory_keeps_its_parameters_and_values():
    model = T.nn.Linear(3, 2)
    weight, before = model.weight, model.weight.detach().clone()
    assert model.share_memory() is model and model.weight is weight
    assert model.weight.is_shared() and model.bias.is_shared() and T.equal(model.weight.detach(), before)
