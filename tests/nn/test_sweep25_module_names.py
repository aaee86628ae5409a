"""Names a PyTorch program reaches for that minidl lacked (found by a sweep against PyTorch 2.13): Module.compile,
to_empty and bfloat16, nn.utils.rnn.invert_permutation, the old nn.utils.stateless.functional_call, and the class of
the error an RNN gives for an input of the wrong dtype. Each runs on minidl and, where installed, on PyTorch with
the same assertions."""
import pytest

import minidl.eager as T


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


def test_module_compile_in_place_keeps_the_module_and_its_results(lib):
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 2)
    x = lib.ones(4, 3)
    before = model(x).detach()
    assert model.compile() is None
    assert lib.equal(model(x).detach(), before)


def test_to_empty_keeps_parameters_shapes_and_objects(lib):
    model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
    weight = model[0].weight
    assert model.to_empty(device="cpu") is model
    assert model[0].weight is weight and tuple(weight.shape) == (2, 3) and weight.requires_grad
    assert tuple(model[1].running_mean.shape) == (2,) and model[1].num_batches_tracked.dtype == lib.int64


def test_to_empty_without_recursion_leaves_the_children(lib):
    outer = lib.nn.Module()
    outer.scale = lib.nn.Parameter(lib.ones(2))
    outer.inner = lib.nn.Linear(2, 2)
    kept = outer.inner.weight.detach().clone()
    outer.to_empty(device="cpu", recurse=False)
    assert lib.equal(outer.inner.weight.detach(), kept)


def test_invert_permutation(lib):
    invert = lib.nn.utils.rnn.invert_permutation
    order = lib.tensor([2, 0, 3, 1])
    assert invert(order).tolist() == [1, 3, 0, 2]
    assert order[invert(order)].tolist() == [0, 1, 2, 3]
    assert invert(None) is None


def test_stateless_functional_call_warns_and_calls_with_the_given_weights(lib):
    model = lib.nn.Linear(2, 1)
    weights = {"weight": lib.tensor([[1.0, 2.0]]), "bias": lib.tensor([0.5])}
    with pytest.warns(FutureWarning, match="functional_call"):
        out = lib.nn.utils.stateless.functional_call(model, weights, (lib.tensor([[3.0, 4.0]]),))
    assert out.tolist() == [[11.5]] and model.weight.tolist() != [[1.0, 2.0]]


@pytest.mark.parametrize("layer", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_an_rnn_given_an_input_of_another_dtype_raises_value_error(lib, layer, dtype):
    rnn = getattr(lib.nn, layer)(4, 3)
    with pytest.raises(ValueError, match=r"input dtype \((\w+\.)?%s\) does not match weight dtype" % dtype):
        rnn(lib.ones(2, 3, 4, dtype=getattr(lib, dtype)))


def test_module_bfloat16_is_refused_as_the_tensor_method_is():
    with pytest.raises(TypeError, match="bfloat16"):
        T.nn.Linear(2, 2).bfloat16()
