"""Gaps found by the sweeps of session 13, each checked on minidl and, where it is installed, on PyTorch with the
same assertions: einsum's sublist form; ``index_put(accumulate=True)`` with a boolean mask; ``interpolate`` by
area on 5-D input; ``vander`` / ``linalg.vander`` (values, dtypes and errors; their gradients are in the op table);
``mvlgamma``."""
import math

import numpy as np
import pytest

import minidl.eager as T


@pytest.fixture(params=["minidl", "torch"])
def lib(request):
    return pytest.importorskip("torch") if request.param == "torch" else T


def test_einsum_in_the_sublist_form(lib):
    rng = np.random.default_rng(0)
    a, b = lib.tensor(rng.standard_normal((2, 3, 4))), lib.tensor(rng.standard_normal((2, 4, 5)))
    expected = np.einsum("bij,bjk->bik", a.numpy(), b.numpy())
    np.testing.assert_allclose(lib.einsum(a, [0, 1, 2], b, [0, 2, 3], [0, 1, 3]).numpy(), expected)
    np.testing.assert_allclose(lib.einsum(a, [..., 1, 2], b, [..., 2, 3], [..., 1, 3]).numpy(), expected)
    np.testing.assert_allclose(lib.einsum(lib.eye(3), [0, 0]).item(), 3.0)  # no output sublist: the trace


def test_einsum_sublists_must_be_lists_of_small_integers():
    with pytest.raises(ValueError, match=r"sublist dims must be integers in \[0, 52\)"):
        T.einsum(T.ones(2), [60])
    with pytest.raises(TypeError, match="followed by a list of its dims"):
        T.einsum(T.ones(2), [0], T.ones(2), 0)


def test_index_put_accumulates_through_a_boolean_mask(lib):
    mask = lib.tensor([[True, False, True], [False, False, True]])
    x = lib.zeros(2, 3)
    assert x.index_put((mask,), lib.tensor(1.0), accumulate=True).tolist() == [[1, 0, 1], [0, 0, 1]]
    assert x.index_put((mask,), lib.tensor([1.0, 2.0, 3.0]), accumulate=True).tolist() == [[1, 0, 2], [0, 0, 3]]
    rows = lib.tensor([True, False, True])
    assert lib.ones(3, 2).index_put((rows,), lib.tensor([[1.0, 2.0]]), accumulate=True).tolist() == \
        [[2, 3], [1, 1], [2, 3]]


def test_interpolate_by_area_on_volumes(lib):
    volume = lib.arange(64.0).reshape(1, 1, 4, 4, 4)
    out = lib.nn.functional.interpolate(volume, size=(2, 2, 1), mode="area")
    expected = np.arange(64.0).reshape(2, 2, 2, 2, 1, 4).mean(axis=(1, 3, 5))  # 2×2×4 blocks averaged
    np.testing.assert_allclose(out.numpy().reshape(2, 2, 1), expected)


@pytest.mark.parametrize("dtype, expected_dtype", [("int32", "int64"), ("bool", "int64"), ("float32", "float32")])
def test_vander_values_and_dtypes(lib, dtype, expected_dtype):
    x = lib.tensor([0, 2, 3], dtype=getattr(lib, dtype))
    got = lib.vander(x, N=4)
    assert str(got.dtype).endswith(expected_dtype)
    values = np.array([0, 2, 3]).astype(dtype).astype(expected_dtype)  # (a bool True is 1)
    np.testing.assert_array_equal(got.numpy(), np.vander(values, 4))
    assert lib.vander(x, N=0).shape == (3, 0)
    np.testing.assert_array_equal(lib.vander(x, increasing=True).numpy(), np.vander(values, increasing=True))
    if dtype != "bool":
        assert lib.linalg.vander(x.reshape(1, 3), N=2).tolist() == [[[1, 0], [1, 2], [1, 3]]]


def test_the_column_of_ones_passes_no_nan_gradient_at_zero():
    # (minidl only: PyTorch 2's vander backward fails with "modified by an inplace operation")
    x = T.tensor([0.0, 2.0], dtype=T.float64, requires_grad=True)
    T.vander(x, N=3).sum().backward()  # d/dx (x² + x + 1) = 2x + 1, also at 0 (x**0 would give 0·0^-1)
    assert x.grad.tolist() == [1.0, 5.0]


@pytest.mark.parametrize("call, message", [
    (lambda lib: lib.vander(lib.ones(2, 2)), "x must be a one-dimensional tensor"),
    (lambda lib: lib.vander(lib.ones(2), N=-1), "N must be"),
    (lambda lib: lib.linalg.vander(lib.ones(2), N=1), "N must be greater than 1"),
    (lambda lib: lib.linalg.vander(lib.ones(2, dtype=lib.bool)), "floating point, complex, and integer tensors"),
])
def test_vander_errors(lib, call, message):
    with pytest.raises(RuntimeError, match=message):
        call(lib)


def test_mvlgamma_is_a_sum_of_lgammas(lib):
    x = lib.tensor([1.3, 2.5, 4.0], dtype=lib.float64, requires_grad=True)
    y = lib.mvlgamma(x, p=3)
    expected = [sum(math.lgamma(v - j / 2) for j in range(3)) + 1.5 * math.log(math.pi) for v in (1.3, 2.5, 4.0)]
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), sum(lib.digamma(x.detach() - j / 2) for j in range(3)).numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(lib.special.multigammaln(x.detach(), 1).numpy(), lib.lgamma(x.detach()).numpy())
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        lib.mvlgamma(x.detach(), 0)


@pytest.mark.parametrize("register", [
    lambda lib, m: m.register_buffer("weight", lib.zeros(2, 2)),
    lambda lib, m: m.add_module("weight", lib.nn.Linear(2, 2)),
    lambda lib, m: m.register_parameter("forward", None),
])
def test_registering_under_a_name_already_taken_raises_instead_of_replacing(lib, register):
    layer = lib.nn.Linear(2, 2)
    with pytest.raises(KeyError, match="already exists"):
        register(lib, layer)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]  # the weight still trains
    layer.register_buffer("scale", lib.ones(1))  # a new name is fine, and re-registering it too
    layer.register_buffer("scale", lib.zeros(1))
    assert layer.scale.item() == 0


@pytest.mark.parametrize("call", [lambda x: x.max(), lambda x: x.argmax(), lambda x: x.amin(0),
                                  lambda x: x.max(dim=0), lambda x: x.argmin(0)])
def test_complex_numbers_have_no_largest_or_smallest(lib, call):
    with pytest.raises(RuntimeError):
        call(lib.tensor([3 + 0j, 1 + 5j]))


@pytest.mark.parametrize("value", [[1.0, 2.0], "tensor"])
def test_pad_takes_one_number_as_its_value(lib, value):
    value = lib.tensor([1.0, 2.0]) if value == "tensor" else value
    with pytest.raises(TypeError, match="value"):  # numpy's pad would put a different value on each side
        lib.nn.functional.pad(lib.zeros(1, 2), (1, 1), value=value)
    assert lib.nn.functional.pad(lib.zeros(1, 2), (1, 1), value=2.5).tolist() == [[2.5, 0, 0, 2.5]]


def test_size_and_stride_name_a_dim_out_of_range(lib):
    x = lib.randn(2, 3)
    assert (x.size(-1), x.stride(0)) == (3, 3)
    for call, message in ((lambda: x.size(5), "but got 5"), (lambda: x.stride(-3), "but got -3"),
                          (lambda: lib.tensor(1.0).size(0), "no dimensions")):
        with pytest.raises(IndexError, match=message):
            call()


def test_python_numbers_of_tensors_with_several_elements_are_value_errors(lib):
    for convert in (float, int):
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            convert(lib.randn(3))
    with pytest.raises(RuntimeError):
        lib.zeros(3).resize_(-1)


def test_searchsorted_checks_its_sorter(lib):
    sequence = lib.tensor([3.0, 1.0, 2.0])
    assert lib.searchsorted(sequence, lib.tensor([2.5]), sorter=lib.tensor([1, 2, 0])).tolist() == [2]
    with pytest.raises(RuntimeError, match="sorter index out of range"):
        lib.searchsorted(sequence, lib.tensor([2.5]), sorter=lib.tensor([0, 5, 1]))


@pytest.mark.parametrize("call", [
    lambda lib: lib.zeros(3).masked_fill(lib.tensor([1, 0, 1]), 1.0),
    lambda lib: lib.zeros(3).scatter(0, lib.tensor([0]), lib.tensor([1], dtype=lib.float64)),
    lambda lib: lib.isclose(lib.zeros(2), lib.zeros(2, dtype=lib.float64)),
    lambda lib: lib.tensor([1 + 1j, 2 + 0j]).sort(),
    lambda lib: lib.nn.functional.dropout(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.meshgrid(lib.zeros(2), lib.zeros(2, dtype=lib.float64), indexing="ij"),
    lambda lib: lib.nn.functional.conv2d(lib.ones(1, 1, 4, 4), lib.ones(1, 1, 2, 2), stride=(1, 1, 1)),
])
def test_dtype_and_geometry_mistakes_are_runtime_errors_as_in_pytorch(lib, call):
    with pytest.raises(RuntimeError):  # (minidl's are TypeErrors or ValueErrors too: DtypeError, OpError)
        call(lib)


def test_indexing_shape_mismatches_keep_their_own_words():
    x = T.randn(3, 4)
    with pytest.raises(IndexError, match=r"indexing arrays could not be broadcast together with shapes \(2,\) \(3,\)"):
        x[T.tensor([0, 1]), T.tensor([0, 1, 2])]
    with pytest.raises(RuntimeError, match=r"value array of shape \(3,\) could not be broadcast to indexing result of "
                                           r"shape \(2,\)"):
        T.zeros(4)[T.tensor([True, False, True, False])] = T.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\)"):
        T.ones(3) + T.ones(4)


@pytest.mark.parametrize("call, error", [
    (lambda lib: (lambda x: (x * x).sum().backward())(lib.tensor([1 + 1j], requires_grad=True)), RuntimeError),
    (lambda lib: lib.randn(3).retain_grad(), RuntimeError),
    (lambda lib: lib.randn(3, requires_grad=True)[0].detach_(), RuntimeError),
    (lambda lib: lib.nn.functional.triplet_margin_loss(lib.randn(2, 3), lib.randn(2, 3), lib.randn(2, 3), margin=-1.0),
     ValueError),
])
def test_autograd_and_loss_mistakes_pytorch_refuses(lib, call, error):
    with pytest.raises(error):
        call(lib)


def test_a_parameter_given_twice_to_an_optimizer_warns(lib):
    w = lib.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        lib.optim.SGD([w, w], lr=0.1)


def test_lazy_layers_read_their_input_size_and_keep_their_parameter_objects(lib):
    lib.manual_seed(0)
    net = lib.nn.Sequential(lib.nn.LazyConv2d(6, 5, padding=2), lib.nn.LazyBatchNorm2d(), lib.nn.ReLU(),
                            lib.nn.Flatten(), lib.nn.LazyLinear(10))
    assert isinstance(net[0].weight, lib.nn.parameter.UninitializedParameter)
    optimizer = lib.optim.SGD(net.parameters(), lr=0.1)  # made before the shapes are known, as d2l does
    net(lib.randn(2, 1, 8, 8)).sum().backward()
    assert (type(net[0]), type(net[1]), type(net[4])) == (lib.nn.Conv2d, lib.nn.BatchNorm2d, lib.nn.Linear)
    assert (net[0].in_channels, net[1].num_features, net[4].in_features) == (1, 6, 384)
    assert tuple(net[0].weight.shape) == (6, 1, 5, 5) and tuple(net[1].running_mean.shape) == (6,)
    before = net[4].weight.detach().clone()
    optimizer.step()
    assert not lib.equal(before, net[4].weight.detach())  # the optimizer holds the materialized parameter
    transposed = lib.nn.LazyConvTranspose1d(3, 2)
    assert tuple(transposed(lib.randn(1, 4, 5)).shape) == (1, 3, 6) and tuple(transposed.weight.shape) == (4, 3, 2)
    assert lib.nn.LazyLinear(3).double()(lib.randn(2, 4, dtype=lib.float64)).dtype == lib.float64


def test_rnn_flat_weight_names(lib):
    gru = lib.nn.GRU(3, 4, 2, bias=False, bidirectional=True)
    assert gru._flat_weights_names == ["weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse",
                                       "weight_ih_l1", "weight_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse"]
    assert all(w is gru._parameters[n] for w, n in zip(gru._flat_weights, gru._flat_weights_names))


def test_distributions_have_their_pytorch_submodules():
    from minidl.eager.distributions import categorical, multinomial, normal
    assert normal.Normal is T.distributions.Normal and categorical.Categorical is T.distributions.Categorical
    assert multinomial.Multinomial(4, probs=T.tensor([0.5, 0.5])).sample().sum().item() == 4


def test_trapz_adjoint_and_is_nonzero(lib):
    assert lib.trapz(lib.tensor([1.0, 2.0, 4.0]), lib.tensor([0.0, 1.0, 3.0])).item() == 7.5
    assert lib.tensor([[1 + 2j, 3j]]).adjoint().tolist() == [[1 - 2j], [-3j]]
    assert lib.is_nonzero(lib.tensor([0.0])) is False and lib.tensor(2).is_nonzero() is True
    with pytest.raises(RuntimeError, match="ambiguous"):
        lib.is_nonzero(lib.tensor([1.0, 2.0]))


def test_a_zero_dim_integer_tensor_indexes_like_an_int_so_writes_reach_the_tensor(lib):
    x = lib.zeros(3, 4)
    for i in lib.tensor([0, 2]):  # iterating gives 0-d tensors
        x[i][1] = 9.0
    x[lib.tensor(1)].fill_(5)
    x[:, lib.tensor(3)].add_(2)
    assert x.tolist() == [[0, 9, 0, 2], [5, 5, 5, 7], [0, 9, 0, 2]]
    weights = lib.ones(3, 4, requires_grad=True)
    weights[lib.tensor(1)].sum().backward()
    assert weights.grad.sum().item() == 4
    assert lib.arange(5)[lib.tensor([1])].tolist() == [1]  # a 1-d index still gathers


def test_copy_copy_of_a_tensor_is_a_leaf_over_the_same_memory(lib):
    import copy
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = copy.copy(a)
    assert b.data_ptr() == a.data_ptr() and b.requires_grad and b.is_leaf and b is not a
    assert type(copy.copy(lib.nn.Parameter(lib.ones(2)))) is lib.nn.Parameter


def test_data_parallel_holds_its_module_and_calls_it_on_the_whole_batch(lib):
    gpu = lib.cuda.is_available()  # then the module must be on the first GPU, and inputs are moved there
    layer = lib.nn.Linear(2, 3).to("cuda" if gpu else "cpu")
    wrapped = lib.nn.DataParallel(layer)
    assert wrapped.module is layer and list(wrapped.state_dict()) == ["module.weight", "module.bias"]
    x = lib.randn(4, 2)
    out = wrapped(x)
    assert out.device == layer.weight.device and lib.equal(out, layer(x.to(layer.weight.device)))
    assert wrapped.device_ids == (list(range(lib.cuda.device_count())) if gpu else [])
    if gpu and lib.cuda.device_count() == 1:  # one GPU: the wrapper moves the module there, and checks it stays
        assert lib.nn.DataParallel(layer.cpu()).module.weight.device == out.device
        layer.cpu()
        with pytest.raises(RuntimeError, match="module must have its parameters and buffers on device cuda:0"):
            wrapped(x)


@pytest.mark.parametrize("write", [
    lambda lib: lib.tensor([1, 2, 3]).__setitem__(lib.tensor([0, 1]), lib.tensor([7.9, -3.7])),
    lambda lib: lib.zeros(3).__setitem__(lib.tensor([True, False, True]), lib.tensor([5, 6])),
    lambda lib: lib.tensor([1, 2, 3]).index_put_((lib.tensor([0]),), lib.tensor([9.9])),
])
def test_index_put_through_index_tensors_refuses_another_dtype(lib, write):
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        write(lib)


def test_writes_by_index_land_in_the_tensor_and_its_views_without_recording(lib):
    x = lib.tensor([1, 2, 3])
    x[0:2] = lib.tensor([7.9, -3.7])  # a basic index copies with a cast, as copy_ does
    x[lib.tensor([2])] = 5
    assert x.tolist() == [7, -3, 5]
    grid = lib.zeros(3, 4)
    row = grid[1]
    row[lib.tensor([0, 2])] = lib.tensor([1.0, 2.0])
    grid[lib.tensor([True, False, True])] = 9.0
    assert grid.tolist() == [[9] * 4, [1, 0, 2, 0], [9] * 4]
    weights = lib.zeros(3, requires_grad=True)
    with lib.no_grad():
        weights[lib.tensor([0])] = 1.0
    assert weights.requires_grad and weights.tolist() == [1, 0, 0]


def test_a_list_of_tensors_becomes_a_tensor_of_their_numbers_only_one_element_each(lib):
    assert lib.tensor([lib.tensor(1.0), 2.0, lib.tensor([3.0])]).tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
        lib.tensor([lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])])


@pytest.mark.parametrize("text", ["gpu", "cuda:x", "cpu:1:2"])
def test_a_device_string_that_names_no_device_is_a_runtime_error(lib, text):
    with pytest.raises(RuntimeError):
        lib.device(text)
