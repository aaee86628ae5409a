"""The protocols that user code written for PyTorch relies on beyond the documented surface: versioned state
dicts (``_version``, ``_metadata``, ``local_metadata``), the state_dict post hooks (public and private),
``nn.init._calculate_correct_fan``, ``torch.random.fork_rng``, and when the DataLoader warns about
``pin_memory`` without a GPU. Each is compared with PyTorch where it is installed."""
import warnings

import pytest

import minidl.eager as torchlike
from minidl.eager.utils.data import DataLoader, TensorDataset
from tests.torch_version import since_mirrored_torch


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else torchlike


def _two_level_model(lib):
    """The same model in ``lib`` (minidl.eager or torch): modules at "", "0", "1", "1.0", "1.1"."""
    nn = lib.nn
    return nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))


def _renamed_parameter_class(lib):
    """A layer whose parameter was called ``w`` before version 2 of its state dict and ``weight`` since: the
    standard migration in ``_load_from_state_dict``. ``seen_versions`` records the versions it was handed."""
    class Scale(lib.nn.Module):
        _version = 2
        seen_versions = []

        def __init__(self):
            super().__init__()
            self.weight = lib.nn.Parameter(lib.zeros(2))

        def forward(self, x):
            return x * self.weight

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                  error_msgs):
            version = local_metadata.get("version", None)
            Scale.seen_versions.append(version)
            if (version is None or version < 2) and prefix + "w" in state_dict:
                state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                          unexpected_keys, error_msgs)
    return Scale


def _version_1_checkpoint(lib):
    """What the model ``Sequential(Scale())`` saved when ``Scale`` was at version 1 (its parameter named ``w``)."""
    from collections import OrderedDict
    state = OrderedDict([("0.w", lib.tensor([2.0, 3.0]))])
    state._metadata = OrderedDict([("", {"version": 1}), ("0", {"version": 1})])
    return state


def test_modules_have_version_1_and_state_dict_records_each_modules_version_under_its_prefix():
    torch = pytest.importorskip("torch")
    assert torchlike.nn.Module._version == torch.nn.Module._version == 1
    assert torchlike.nn.Linear._version == 1
    for lib in (torchlike, torch):
        model = _two_level_model(lib)
        assert list(model.state_dict()._metadata.items()) == [
            ("", {"version": 1}), ("0", {"version": 1}), ("1", {"version": 1}), ("1.0", {"version": 1}),
            ("1.1", {"version": 1})]
        assert list(model[0].state_dict(prefix="head.")._metadata) == ["head"]  # (the prefix without its dot)
        assert not hasattr(model.state_dict(destination={}), "_metadata")  # a plain dict passed in gets none


@since_mirrored_torch
def test_load_state_dict_hands_each_module_its_version_so_an_old_checkpoint_is_migrated():
    torch = pytest.importorskip("torch")
    for lib in (torchlike, torch):
        Scale = _renamed_parameter_class(lib)
        model = lib.nn.Sequential(Scale())
        assert model.state_dict()._metadata["0"] == {"version": 2}

        assert repr(model.load_state_dict(_version_1_checkpoint(lib))) == "<All keys matched successfully>"
        assert model[0].weight.tolist() == [2.0, 3.0]
        assert Scale.seen_versions == [1]

        without_metadata = {"0.w": lib.tensor([4.0, 5.0])}  # (a hand-made dict: version None, treated as old)
        model.load_state_dict(without_metadata)
        assert model[0].weight.tolist() == [4.0, 5.0] and Scale.seen_versions == [1, None]

        current = model.state_dict()
        current["0.weight"] = lib.tensor([6.0, 7.0])  # (item assignment keeps the _metadata attribute)
        model.load_state_dict(current)
        assert model[0].weight.tolist() == [6.0, 7.0] and Scale.seen_versions == [1, None, 2]


def test_load_with_assign_flags_the_modules_without_writing_into_the_callers_metadata():
    """(PyTorch adds "assign_to_params_buffers" to the checkpoint's own ``_metadata`` entries; minidl copies them.)"""
    model = _two_level_model(torchlike)
    given = []
    model[0].register_load_state_dict_pre_hook(lambda module, state, prefix, meta, *rest: given.append(meta))
    state = model.state_dict()
    model.load_state_dict(state, assign=True)
    model.load_state_dict(state)
    assert given == [{"version": 1, "assign_to_params_buffers": True}, {"version": 1}]
    assert state._metadata["0"] == {"version": 1}


def test_save_and_load_keep_each_modules_version(tmp_path, lib):
    """The versions travel with the saved state dict, as in PyTorch: a version-1 checkpoint read back from a file is
    still migrated, a current one is not."""
    Scale = _renamed_parameter_class(lib)
    model = lib.nn.Sequential(Scale())
    with lib.no_grad():
        model[0].weight.copy_(lib.tensor([1.5, -2.0]))
    lib.save(model.state_dict(), tmp_path / "model.pt")
    loaded = lib.load(tmp_path / "model.pt")
    assert dict(loaded._metadata) == {"": {"version": 1}, "0": {"version": 2}}
    fresh = lib.nn.Sequential(Scale())
    assert repr(fresh.load_state_dict(loaded)) == "<All keys matched successfully>"
    assert fresh[0].weight.tolist() == [1.5, -2.0]
    lib.save(_version_1_checkpoint(lib), tmp_path / "old.pt")
    fresh.load_state_dict(lib.load(tmp_path / "old.pt"))
    assert fresh[0].weight.tolist() == [2.0, 3.0]
    assert Scale.seen_versions == [2, 1]


def _hooked_state_dict_keys(lib):
    """Keys of ``state_dict()`` with private post hooks that return new dicts on the root and on a child, and a
    public one on the child that records what it was given."""
    model = _two_level_model(lib)
    seen = []
    model._register_state_dict_hook(lambda module, state, prefix, meta: {"root-replaced": 1, **state})
    model[1]._register_state_dict_hook(lambda module, state, prefix, meta: {"child-replaced": 1})
    model[1].register_state_dict_post_hook(lambda module, state, prefix, meta: seen.append((sorted(state), prefix,
                                                                                              meta)))
    keys = list(model.state_dict())
    return keys, seen


def test_private_state_dict_hook_may_replace_the_dict_only_at_the_module_called():
    torch = pytest.importorskip("torch")
    keys, seen = _hooked_state_dict_keys(torchlike)
    assert (keys, seen) == _hooked_state_dict_keys(torch)
    assert keys[0] == "root-replaced" and "child-replaced" not in keys
    assert seen == [(["child-replaced"], "1.", {"version": 1})]  # the child's later hooks get its new dict


def test_post_hook_gets_the_metadata_entry_and_a_public_one_must_return_none():
    torch = pytest.importorskip("torch")
    for lib in (torchlike, torch):
        model = _two_level_model(lib)
        given = []
        model[0].register_state_dict_post_hook(lambda module, state, prefix, meta: given.append(meta))
        state = model.state_dict()
        assert given == [{"version": 1}] and given[0] is state._metadata["0"]
        model.register_state_dict_post_hook(lambda module, state, prefix, meta: {})
        with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
            model.state_dict()


def test_calculate_correct_fan_matches_torch_and_rejects_a_bad_mode_as_it_does():
    torch = pytest.importorskip("torch")
    for shape in [(5, 7), (4, 3, 2, 5), (0, 3), (6, 0, 2)]:
        for mode in ("fan_in", "fan_out", "FAN_OUT"):
            expected = torch.nn.init._calculate_correct_fan(torch.empty(shape), mode)
            assert torchlike.nn.init._calculate_correct_fan(torchlike.empty(shape), mode) == expected, (shape, mode)
        assert torchlike.nn.init._calculate_fan_in_and_fan_out(torchlike.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError) as expected:
        torch.nn.init._calculate_correct_fan(torch.empty(3, 4), "fan_avg")
    with pytest.raises(ValueError) as got:
        torchlike.nn.init._calculate_correct_fan(torchlike.empty(3, 4), "fan_avg")
    assert str(got.value) == str(expected.value)
    assert str(got.value) == "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']"
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        torchlike.nn.init._calculate_correct_fan(torchlike.empty(3), "fan_in")


def test_kaiming_init_keeps_its_spread_and_leaves_a_zero_element_tensor_alone():
    weight = torchlike.empty(400, 300)
    torchlike.nn.init.kaiming_uniform_(weight, a=0, mode="fan_out", nonlinearity="relu")
    bound = 2 ** 0.5 * (3 / 400) ** 0.5  # gain sqrt(2), fan_out 400: U(-b, b) with b = gain * sqrt(3 / fan)
    assert bound * 0.99 < float(weight.abs().max()) <= bound
    torchlike.nn.init.kaiming_normal_(weight, mode="fan_in")
    assert abs(float(weight.std()) - (2 / (1 + 0.0)) ** 0.5 / 300 ** 0.5) < 0.002
    assert torchlike.nn.init.kaiming_normal_(torchlike.empty(0, 3), mode="fan_out").shape == (0, 3)


def _draws_around_a_forked_block(lib, block, **fork_kwargs):
    """``lib.rand(3)`` after seeding 0 and running ``block`` inside ``fork_rng``, and ``initial_seed()`` then."""
    lib.manual_seed(0)
    try:
        with lib.random.fork_rng(**fork_kwargs):
            block(lib)
    except ValueError:
        pass
    return lib.rand(3), lib.initial_seed()


def _draw_and_reseed(lib):
    lib.rand(5)
    lib.manual_seed(123)
    lib.randn(2)


def _draw_and_fail(lib):
    lib.rand(5)
    raise ValueError("the block failed")


def test_fork_rng_puts_the_global_generator_back_on_exit_as_torch_does():
    torch = pytest.importorskip("torch")
    torchlike.manual_seed(0)
    unforked = torchlike.rand(3)
    for block in (_draw_and_reseed, _draw_and_fail):
        after, seed = _draws_around_a_forked_block(torchlike, block)
        assert torchlike.equal(after, unforked) and seed == 0
        assert _draws_around_a_forked_block(torch, block)[1] == 0  # (torch restores initial_seed too)
    after, seed = _draws_around_a_forked_block(torchlike, _draw_and_reseed, enabled=False)
    assert not torchlike.equal(after, unforked) and seed == 123
    assert _draws_around_a_forked_block(torch, _draw_and_reseed, enabled=False)[1] == 123
    after, _ = _draws_around_a_forked_block(torchlike, _draw_and_reseed, devices=[], device_type="meta")
    assert not torchlike.equal(after, unforked)  # "meta" forks nothing, as in torch
    assert torchlike.equal(_draws_around_a_forked_block(torchlike, _draw_and_reseed, devices=[])[0], unforked)
    with pytest.raises(RuntimeError, match="fork_rng: device_type"):
        with torchlike.random.fork_rng(device_type="bogus"):
            pass


def _pin_memory_warnings(lib, loader_class, dataset_class, num_workers, persistent):
    """How many pin_memory warnings two epochs over a pin_memory=True loader give, on a machine without a GPU."""
    loader = loader_class(dataset_class(lib.arange(4.0)), batch_size=2, pin_memory=True, num_workers=num_workers,
                          persistent_workers=persistent)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            for _ in loader:
                pass
    return sum("pin_memory" in str(w.message) for w in caught)


@pytest.mark.parametrize("num_workers, persistent, expected", [(0, False, 2), (2, False, 2), (2, True, 1)])
def test_pin_memory_warns_once_per_new_iterator_so_persistent_workers_warn_once(num_workers, persistent, expected):
    if torchlike.cuda.is_available():
        pytest.skip("pinned memory is used where there is a GPU")
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader, TensorDataset as TorchDataset
    assert _pin_memory_warnings(torchlike, DataLoader, TensorDataset, num_workers, persistent) == expected
    assert _pin_memory_warnings(torch, TorchLoader, TorchDataset, num_workers, persistent) == expected


def test_batch_norm_fills_in_num_batches_tracked_only_for_checkpoints_from_before_version_2(lib):
    norm = lib.nn.BatchNorm1d(3)
    state = norm.state_dict()
    assert state._metadata[""] == {"version": 2}
    del state["num_batches_tracked"]
    with pytest.raises(RuntimeError, match=r"Missing key\(s\) in state_dict: \"num_batches_tracked\""):
        norm.load_state_dict(state)
    state._metadata[""] = {"version": 1}  # (saved before the count existed: the module keeps its own)
    assert repr(norm.load_state_dict(state)) == "<All keys matched successfully>"
    del state._metadata
    assert repr(norm.load_state_dict(state)) == "<All keys matched successfully>"


def test_to_a_dtype_converts_complex_parameters_and_buffers_too_as_pytorch():
    """PyTorch's Module.to(dtype) converts floating point and complex tensors; integer ones (BatchNorm's
    num_batches_tracked) stay. .double() and its kin convert floating point ones only."""
    layer = torchlike.nn.Linear(2, 2, dtype=torchlike.complex128).to(torchlike.complex64)
    assert layer.weight.dtype == layer.bias.dtype == torchlike.complex64 and isinstance(layer.weight, torchlike.nn.Parameter)
    assert torchlike.nn.Linear(2, 2).to(torchlike.complex64).weight.dtype == torchlike.complex64
    with pytest.warns(Warning, match="discards the imaginary part"):
        assert torchlike.nn.Linear(2, 2, dtype=torchlike.complex64).to(torchlike.float32).weight.dtype == torchlike.float32
    assert torchlike.nn.Linear(2, 2, dtype=torchlike.complex64).double().weight.dtype == torchlike.complex64
    norm = torchlike.nn.BatchNorm1d(2).to(torchlike.complex64)
    assert norm.running_mean.dtype == torchlike.complex64 and norm.num_batches_tracked.dtype == torchlike.int64


def test_a_parameter_dict_merges_and_reverses_as_pytorchs():
    params = torchlike.nn.ParameterDict({"a": torchlike.nn.Parameter(torchlike.ones(1)), "b": torchlike.zeros(1)})
    assert list(reversed(params)) == ["b", "a"]
    merged = params | {"z": torchlike.ones(1), "c": torchlike.ones(2)}  # a plain dict's keys sorted, as update does
    assert isinstance(merged, torchlike.nn.ParameterDict) and list(merged) == ["a", "b", "c", "z"]
    assert list(params) == ["a", "b"] and isinstance(merged["c"], torchlike.nn.Parameter)
    plain = {"z": torchlike.ones(1)} | params
    assert type(plain) is dict and list(plain) == ["z", "a", "b"]
    params |= {"e": torchlike.ones(1)}
    assert list(params) == ["a", "b", "e"] and params["e"] in list(params.parameters())


def test_data_of_a_tensor_that_requires_grad_must_stay_floating_point():
    weight = torchlike.nn.Parameter(torchlike.ones(2))
    with pytest.raises(RuntimeError, match="must be floating point or complex dtype"):
        weight.data = torchlike.tensor([1, 2])
    weight.data = torchlike.tensor([3.0, 4.0], dtype=torchlike.float64)
    assert weight.dtype == torchlike.float64 and weight.requires_grad
