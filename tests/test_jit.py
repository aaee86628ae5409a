"""torch.jit.trace: an eager program recorded once and replayed (and trained, saved, loaded) as a graph."""
import copy
import io

import numpy as np
import pytest

import minidl.eager as torch
from minidl.eager import jit
from minidl.eager.profiler import profile
from minidl.io import read_arrays, write_arrays

nn = torch.nn


def _cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 5 * 5, 10), nn.LogSoftmax(dim=1)).eval()


def test_a_traced_model_replays_on_new_inputs_shares_its_parameters_and_trains(device):
    model = _cnn().to(device)
    traced = jit.trace(model, torch.randn(2, 1, 12, 12, device=device))
    x = torch.randn(5, 1, 12, 12, device=device)  # another batch size: the ops take it as it comes
    np.testing.assert_allclose(traced(x).detach().cpu().numpy(), model(x).detach().cpu().numpy(), rtol=1e-6,
                               atol=1e-6)
    assert list(traced.state_dict()) == list(model.state_dict())
    assert all(a is b for a, b in zip(traced.parameters(), model.parameters()))  # shared, not copied
    traced(x).sum().backward()
    traced_grads = [p.grad.cpu().numpy().copy() for p in model.parameters()]
    model.zero_grad()
    model(x).sum().backward()
    for ours, eager in zip(traced_grads, (p.grad.cpu().numpy() for p in model.parameters())):
        np.testing.assert_allclose(ours, eager, rtol=1e-5, atol=1e-6)
    assert "%self.0.weight" in traced.graph and "Convolution(%input0" in traced.graph


def test_tracing_a_function_keeps_constants_several_outputs_and_nested_results():
    scale = torch.tensor([1.0, 2.0, 3.0])  # from outside the function: kept as a constant

    def f(a, b):
        offset = torch.ones(3) * 0.5  # made inside: a constant too
        first, rest = (a * scale + offset).split([1, 2])
        return {"total": rest.sum() + b.mean(), "parts": (first, rest)}

    traced = jit.trace(f, (torch.ones(3), torch.ones(4)))
    a, b = torch.tensor([1.0, -1.0, 2.0]), torch.arange(4.0)
    got, expected = traced(a, b), f(a, b)
    assert got["total"].item() == pytest.approx(expected["total"].item())
    assert [t.tolist() for t in got["parts"]] == [t.tolist() for t in expected["parts"]]
    assert "%constant0" in traced.graph and "SplitWithSizes" in traced.graph
    with pytest.raises(TypeError, match="takes 2 inputs"):
        traced(a)


def test_control_flow_is_frozen_and_check_inputs_catch_it():
    def sign_dependent(x):
        return x * 2 if x.sum() > 0 else x - 3  # a Python branch: the trace keeps the one the example took

    traced = jit.trace(sign_dependent, torch.ones(3))
    assert traced(-torch.ones(3)).tolist() == [-2.0, -2.0, -2.0]  # the branch of the example, not x - 3
    with pytest.raises(jit.TracingCheckError, match="differs"):
        jit.trace(sign_dependent, torch.ones(3), check_inputs=[-torch.ones(3)])


def test_in_place_ops_and_writes_are_traced_as_steps():
    def f(x):
        y = x * 1.0
        y.relu_()
        y += 1
        y[0] = y[1] * 10  # an indexed write
        return y

    traced = jit.trace(f, torch.tensor([1.0, 2.0, 3.0]))
    x = torch.tensor([-1.0, 5.0, -2.0])
    assert traced(x).tolist() == f(x).tolist() == [60.0, 6.0, 1.0]
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 2))
    traced = jit.trace(mlp, torch.randn(3, 4))
    x = torch.randn(5, 4)  # another batch size: the trace showed it can take one
    np.testing.assert_allclose(traced(x).detach().numpy(), mlp(x).detach().numpy(), rtol=1e-6)


def test_training_mode_batch_norm_updates_its_statistics_when_the_trace_runs():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).train()
    traced = jit.trace(model, torch.randn(8, 3))
    twin = copy.deepcopy(model)
    x = torch.randn(8, 3)
    np.testing.assert_allclose(traced(x).detach().numpy(), twin(x).detach().numpy(), rtol=1e-6, atol=1e-6)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(model[1], name).numpy(), getattr(twin[1], name).numpy(), rtol=1e-6)


def test_what_a_trace_cannot_replay_is_refused():
    def writes_a_view(x):
        y = x * 2
        y[:1].relu_()  # in place through a view: y changes too
        return y

    with pytest.raises(RuntimeError, match="in-place write into memory it shares"):
        jit.trace(writes_a_view, torch.tensor([-1.0, 2.0]))
    weight = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad as a constant"):
        jit.trace(lambda x: x * weight, torch.ones(2))


def test_the_same_tensor_given_twice_is_two_inputs():
    x = torch.ones(3)
    traced = jit.trace(lambda a, b: a - 2 * b, (x, x))
    assert traced(torch.ones(3), torch.zeros(3)).tolist() == [1.0, 1.0, 1.0]


def test_dropout_draws_a_new_mask_at_every_call_of_the_trace():
    model = nn.Sequential(nn.Linear(20, 20), nn.Dropout(0.5)).train()
    with pytest.warns(jit.TracerWarning, match="nondeterministic"):
        traced = jit.trace(model, torch.randn(4, 20))
    x = torch.randn(4, 20)
    masks = [(traced(x) == 0).numpy() for _ in range(3)]
    assert not (np.array_equal(masks[0], masks[1]) and np.array_equal(masks[1], masks[2]))


def test_save_and_load_rebuild_the_program_without_its_python_class(tmp_path):
    model = _cnn()
    traced = jit.trace(model, torch.randn(2, 1, 12, 12))
    x = torch.randn(3, 1, 12, 12)
    path = tmp_path / "model.pt"
    traced.save(str(path))
    loaded = jit.load(str(path), map_location="cpu")
    np.testing.assert_allclose(loaded(x).detach().numpy(), model(x).detach().numpy(), rtol=1e-6, atol=1e-7)
    assert list(loaded.state_dict()) == list(model.state_dict())
    assert type(loaded) is jit.TracedModule and loaded.graph == traced.graph
    buffer = io.BytesIO()
    jit.save(traced, buffer)
    buffer.seek(0)
    np.testing.assert_allclose(jit.load(buffer)(x).detach().numpy(), model(x).detach().numpy(), rtol=1e-6,
                               atol=1e-7)
    # loading never runs code from the file: an op that is not one of minidl's is refused
    arrays, metadata = read_arrays(str(path))
    metadata["steps"][0]["op"] = "os:system"
    write_arrays(str(tmp_path / "tampered.pt"), arrays, metadata)
    with pytest.raises(ValueError, match="not one of minidl's ops"):
        jit.load(str(tmp_path / "tampered.pt"))
    torch.save({"w": torch.ones(2)}, str(tmp_path / "weights.pt"))
    with pytest.raises(ValueError, match="not a traced module"):
        jit.load(str(tmp_path / "weights.pt"))


def test_the_jit_helpers_model_code_calls():
    seen = []

    def f(x):
        seen.append(jit.is_tracing())
        return x + 1

    jit.trace(f, torch.ones(2), check_trace=False)
    assert seen == [True] and not jit.is_tracing() and not jit.is_scripting()
    assert jit.ignore(f) is f and jit.export(f) is f and jit.unused()(f) is f and jit.annotate(int, 3) == 3
    with pytest.raises(NotImplementedError, match="torch.jit.trace"):
        jit.script(nn.Linear(2, 2))
    with profile(), pytest.raises(RuntimeError, match="cannot be nested"):
        jit.trace(f, torch.ones(2))
    with pytest.raises(TypeError, match="example_inputs"):
        jit.trace(f, [1.0, 2.0])


def test_a_trace_keeps_the_shapes_it_cannot_show_to_be_free():
    flatten_by_hand = jit.trace(lambda x: x.view(x.size(0), -1), torch.zeros(2, 3, 4))  # the batch built in
    assert flatten_by_hand(torch.ones(2, 3, 4)).shape == (2, 12)
    with pytest.raises(RuntimeError, match="traced example's shape \\[2, 3, 4\\]"):
        flatten_by_hand(torch.ones(5, 3, 4))
    flatten_layer = jit.trace(nn.Flatten(), torch.zeros(2, 3, 4))  # start and end dims: any batch
    assert flatten_layer(torch.ones(5, 3, 4)).shape == (5, 12)
    with pytest.raises(RuntimeError, match="any batch size"):
        flatten_layer(torch.ones(5, 3, 5))


def test_an_input_changed_in_place_is_changed_by_the_replay_too():
    class Centered(nn.Module):
        def forward(self, x):
            x -= 0.5
            return x * 2

    example = torch.ones(2)
    traced = jit.trace(Centered(), example)
    assert example.tolist() == [0.5, 0.5]  # the trace ran the function once, as PyTorch's does
    x = torch.tensor([-1.0, 0.5])
    assert traced(x).tolist() == [-3.0, 0.0] and x.tolist() == [-1.5, 0.0]


def test_trace_module_keyword_inputs_and_freeze():
    torch.manual_seed(0)
    model = nn.Linear(3, 2).eval()
    x = torch.randn(4, 3)
    by_method = jit.trace_module(model, {"forward": x})
    np.testing.assert_allclose(by_method(x).detach().numpy(), model(x).detach().numpy())
    by_name = jit.trace(lambda a, b: a * 2 + b, example_kwarg_inputs={"a": torch.ones(2), "b": torch.zeros(2)})
    assert by_name(a=torch.ones(2), b=torch.ones(2)).tolist() == [3.0, 3.0]
    assert jit.freeze(by_method) is by_method
    with pytest.raises(NotImplementedError, match="forward only"):
        jit.trace_module(model, {"predict": x})


@pytest.mark.parametrize("change", [
    lambda m: m["steps"][0].pop("sources"),
    lambda m: m.pop("free_batch"),
    lambda m: m["parameters"][0].update(name="nope"),
    lambda m: m["steps"][0].update(attrs=[1, 2]),
])
def test_a_damaged_program_is_a_clear_error_naming_the_file(tmp_path, change):
    path = tmp_path / "linear.pt"
    jit.save(jit.trace(torch.nn.Linear(2, 2), torch.ones(1, 2)), path)
    arrays, metadata = read_arrays(path)
    change(metadata)
    write_arrays(path, arrays, metadata)
    with pytest.raises(ValueError, match=f"jit.load: {path}: damaged program"):
        jit.load(path)
