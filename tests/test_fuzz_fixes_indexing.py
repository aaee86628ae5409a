"""What a stateful differential fuzz of minidl.eager against PyTorch 2.13 found in indexing, scatter and ``out=``,
each fixed:

* ``x[1, m] = v`` (a bool mask with ints, slices, ``...`` or None) refused a one-element ``v`` of another dtype,
  which PyTorch writes as a fill; the reverse, a 0-d value of another dtype through integer index tensors, was
  cast (7.9 -> 7) where PyTorch refuses it, and a value out of uint8's range through a mask wrapped around;
* scatter, scatter_add and gather refused a 0-d x, index or src, which PyTorch reads as 1-d of one element;
* logaddexp refused complex tensors;
* sum, mean, prod and their running and NaN-skipping forms, given a wider ``out=``, computed in the input's dtype
  and cast: PyTorch computes in out's dtype (so ``cumsum(float, out=int64)`` works there).

Every value, dtype and gradient is compared with PyTorch's.
"""
import math

import numpy as np
import pytest

import minidl.eager as T


def _torch():
    return pytest.importorskip("torch")


def _same(ours, theirs):
    """Equal values (NaN where PyTorch has NaN), dtypes and shapes."""
    ours, theirs = np.asarray(ours.detach().numpy()), np.asarray(theirs.detach().numpy())
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours, theirs)
    np.testing.assert_array_equal(ours, theirs)


def _both(body):
    """``body(L)`` run with PyTorch and with minidl.eager: ``(theirs, ours)``."""
    return body(_torch()), body(T)


def _pairs(body):
    """``(ours, theirs)`` for each of the tensors ``body(L)`` returns."""
    theirs, ours = _both(body)
    return zip(ours, theirs)


def _both_raise(body, ours_error):
    torch = _torch()
    with pytest.raises(RuntimeError):
        body(torch)
    with pytest.raises(ours_error):
        body(T)


# ---------------------------------------------------------------------------- x[index] = v through a mask

def _write(index, value, dtype="float64"):
    """``x[index] = value`` into zeros(3, 2); ``index`` and ``value`` are source text over ``L``, ``m`` (a mask
    over dim 1) and ``mr`` (over dim 0)."""
    def body(L):
        x = L.zeros(3, 2, dtype=getattr(L, dtype))
        env = {"L": L, "m": L.tensor([True, False]), "mr": L.tensor([True, False, True])}
        x[eval(index, env)] = eval(value, env)
        return x
    return body


@pytest.mark.parametrize("index", ["mr", "1, m", "slice(1, None), m", "slice(None), m", "..., m", "None, 0, m",
                                   "mr, 0", "mr, None", "[True, False, True]"])
def test_a_one_element_value_of_another_dtype_through_a_lone_mask_is_a_fill(index):
    theirs, ours = _both(_write(index, "L.tensor([7])"))
    _same(ours, theirs)


@pytest.mark.parametrize("value", ["L.tensor(7.9)", "L.tensor([7.9])", "L.tensor([[[7.9]]])", "L.tensor(True)"])
def test_a_fill_converts_its_value_as_a_number_is_converted(value):
    theirs, ours = _both(_write("mr", value, "int64"))
    _same(ours, theirs)  # 7.9 -> 7


@pytest.mark.parametrize("index", ["L.tensor([0, 2])", "(L.tensor([0, 2]), m)", "(mr, [0, 1])",
                                   "(True, 0, m)", "L.tensor(True)"])
def test_a_value_tensor_of_another_dtype_through_index_tensors_is_refused(index):
    # no lone mask of 1+ dims: PyTorch's index_put needs equal dtypes (it would truncate 7.9 to 7 otherwise)
    _both_raise(_write(index, "L.tensor(7.9)", "int64"), TypeError)


def test_a_value_of_another_dtype_with_more_than_one_element_is_refused_even_through_a_mask():
    _both_raise(_write("mr", "L.tensor([7.9, 1.0])", "int64"), TypeError)


def test_a_lone_python_bool_index_is_no_index_tensor():
    theirs, ours = _both(_write("True", "L.tensor([7])"))  # x.unsqueeze(0)[...] = v there: cast
    _same(ours, theirs)


@pytest.mark.parametrize("index, value", [("mr", "L.tensor(-0.154, dtype=L.float64)"), ("mr", "L.tensor(300)"),
                                          ("mr", "300"), ("mr", "-0.5"), ("L.tensor([0, 2])", "300")])
def test_a_value_out_of_uint8_range_through_a_mask_or_positions_is_refused(index, value):
    _both_raise(_write(index, value, "uint8"), ValueError)


@pytest.mark.parametrize("index, value", [("mr", "L.tensor(-1)"), ("mr", "-1"), ("slice(1, None)", "L.tensor(300)")])
def test_negative_integers_wrap_into_uint8_and_basic_indexing_casts(index, value):
    theirs, ours = _both(_write(index, value, "uint8"))
    _same(ours, theirs)


@pytest.mark.parametrize("index, value", [("L.tensor([1, 0, 1], dtype=L.uint8)", "1.5"),
                                          ("(L.tensor([1, 0, 1], dtype=L.uint8), None)", "L.tensor(1.5)")])
def test_a_uint8_mask_writing_one_value_is_refused_as_in_pytorch(index, value):
    _both_raise(_write(index, value), TypeError)


def test_a_uint8_mask_writing_a_value_per_place_still_works():
    theirs, ours = _both(_write("L.tensor([1, 0, 1], dtype=L.uint8)", "L.tensor([1.5, 2.5], dtype=L.float64)"))
    _same(ours, theirs)


def test_the_gradient_of_a_fill_of_another_dtype_reaches_the_value_in_its_own_dtype():
    def body(L):
        a = L.ones(3, 2, dtype=L.float64, requires_grad=True)
        v = L.tensor([2.0], requires_grad=True)  # float32
        x = a * 1
        x[1:, L.tensor([True, False])] = v
        (x * L.arange(6.0, dtype=L.float64).reshape(3, 2)).sum().backward()
        return x, a.grad, v.grad
    for ours, theirs in _pairs(body):
        _same(ours, theirs)


def test_the_functional_index_put_fills_through_a_mask_too():
    theirs, ours = _both(lambda L: L.zeros(3).index_put((L.tensor([True, False, True]),), L.tensor(7)))
    _same(ours, theirs)


@pytest.mark.parametrize("body", [_write("mr", "L.tensor(0.5j)", "bool"),
                                  lambda L: L.tensor([True, False]).fill_(0.5j),
                                  lambda L: L.tensor([True, False]).masked_fill(L.tensor([False, True]), 1.5 + 0.5j)])
def test_a_complex_number_written_into_a_bool_tensor_is_true(body):
    theirs, ours = _both(body)
    _same(ours, theirs)


# ------------------------------------------------------------------------------ 0-d tensors in scatter, gather

@pytest.mark.parametrize("op", ["scatter", "scatter_add"])
@pytest.mark.parametrize("x, index, src", [("[1., 2., 3.]", "[1]", "5."), ("[1., 2., 3.]", "1", "5."),
                                           ("[1., 2., 3.]", "1", "[5., 6.]"), ("1.", "[0, 0]", "[5., 6.]"),
                                           ("1.", "0", "[5.]"), ("1.", "0", "5."), ("[1., 2., 3.]", "[]", "5."),
                                           ("[[0., 0.], [0., 0.]]", "[]", "5.")])
def test_a_0d_tensor_in_a_scatter_counts_as_1d_of_one_element(op, x, index, src):
    def body(L):
        return getattr(L, op)(L.tensor(eval(x)), 0, L.tensor(eval(index), dtype=L.int64), L.tensor(eval(src)))
    theirs, ours = _both(body)
    _same(ours, theirs)


@pytest.mark.parametrize("x, index", [("[0., 0., 0.]", "[0, 2]"), ("[[0., 0.], [0., 0.]]", "[[1]]")])
def test_a_0d_src_covers_no_more_than_one_element(x, index):
    _both_raise(lambda L: L.scatter(L.tensor(eval(x)), 0, L.tensor(eval(index)), L.tensor(5.0)), ValueError)


def test_scatter_in_place_and_scatter_reduce_take_a_0d_src():
    def body(L):
        return (L.tensor([1.0, 2.0]).scatter_(0, L.tensor([1]), L.tensor(5.0)),
                L.scatter_reduce(L.tensor([1.0, 2.0, 3.0]), 0, L.tensor([0]), L.tensor(5.0), "sum"))
    for ours, theirs in _pairs(body):
        _same(ours, theirs)


def test_the_gradient_of_a_0d_src_is_0d():
    def body(L):
        s = L.tensor(5.0, requires_grad=True)
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = L.scatter(x, 0, L.tensor([1]), s)
        (y * L.tensor([1.0, 2.0, 3.0])).sum().backward()
        return y, x.grad, s.grad
    for ours, theirs in _pairs(body):
        _same(ours, theirs)


@pytest.mark.parametrize("x, index", [("[1., 2., 3.]", "1"), ("1.", "[0, 0]"), ("1.", "0")])
def test_gather_reads_a_0d_tensor_as_1d_and_keeps_the_index_shape(x, index):
    theirs, ours = _both(lambda L: L.gather(L.tensor(eval(x)), 0, L.tensor(eval(index))))
    _same(ours, theirs)


# ------------------------------------------------------------------------------------------- complex logaddexp

inf, nan = math.inf, math.nan
_A = [complex(nan, 0), complex(0, nan), complex(-inf, 1), complex(-inf, 1), complex(inf, 1), complex(inf, 2),
      complex(inf, 0), 1 + 0j, complex(-inf, 0), 5 + 2j, 1 + 1j, 1000 + 2j, -1000 + 0.5j, 0j, 3 + 1j]
_B = [1 + 0j, 1 + 0j, complex(-inf, 2), 1 + 0j, complex(inf, 3), 1 + 0j, complex(-inf, 0), complex(-inf, 0),
      complex(-inf, 0), 5 + 2j, 2 + 0j, 999 - 1j, -1001 + 0j, 0j, 3 + (1 + math.pi) * 1j]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("swap", [False, True])
def test_logaddexp_of_complex_tensors(dtype, swap):
    a, b = (_B, _A) if swap else (_A, _B)
    theirs, ours = _both(lambda L: L.logaddexp(L.tensor(a, dtype=getattr(L, dtype)),
                                               L.tensor(b, dtype=getattr(L, dtype))))
    # (log1p of a complex number: PyTorch's and numpy's differ in the last digits)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6 if dtype == "complex64" else 1e-13,
                               equal_nan=True)
    assert ours.dtype == getattr(T, dtype)


def test_the_gradients_of_complex_logaddexp_first_and_second_order():
    def body(L):
        x = L.tensor([1 + 1j, 1000 + 2j, -1000 + 0.5j, 0j, 3 + 1j], dtype=L.complex128, requires_grad=True)
        y = L.tensor([2 + 0j, 999 - 1j, -1001 + 0j, 0j, 3 + 2j], dtype=L.complex128, requires_grad=True)
        loss = L.logaddexp(x, y).abs().sum()
        gx, = L.autograd.grad(loss, x, create_graph=True)
        gx.abs().sum().backward()
        return gx, x.grad, y.grad
    for ours, theirs in _pairs(body):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10)


def test_logaddexp_promotes_a_real_tensor_beside_a_complex_one_and_logaddexp2_stays_real():
    theirs, ours = _both(lambda L: L.logaddexp(L.tensor([1 + 1j]), L.tensor([2.0])))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    _both_raise(lambda L: L.logaddexp2(L.tensor([1 + 1j]), L.tensor([1 + 1j])), TypeError)


# --------------------------------------------------------------------------- out= sets the computation dtype

_REDUCTIONS = {"sum": lambda L, x, **k: L.sum(x, 0, **k), "mean": lambda L, x, **k: L.mean(x, 0, **k),
               "nansum": lambda L, x, **k: L.nansum(x, 0, **k), "nanmean": lambda L, x, **k: L.nanmean(x, 0, **k),
               "prod": lambda L, x, **k: L.prod(x, 0, **k), "cumsum": lambda L, x, **k: L.cumsum(x, 0, **k),
               "cumprod": lambda L, x, **k: L.cumprod(x, 0, **k)}


def _into_out(name, values, dtype, out_dtype):
    def body(L):
        out = L.empty(0, dtype=getattr(L, out_dtype))
        result = _REDUCTIONS[name](L, L.tensor(values, dtype=getattr(L, dtype)), out=out)
        assert result is out
        return out
    return body


@pytest.mark.parametrize("name", sorted(_REDUCTIONS))
def test_a_wider_out_dtype_is_the_dtype_the_reduction_computes_in(name):
    theirs, ours = _both(_into_out(name, [0.1, 0.2, 2048.0, 0.3], "float16", "float32"))
    _same(ours, theirs)  # e.g. sum: 2048.6 in float32, 2048.0 in float16


@pytest.mark.parametrize("name", ["sum", "prod", "cumsum", "cumprod"])
def test_an_integer_out_for_float_input_computes_on_the_values_cast_to_it(name):
    theirs, ours = _both(_into_out(name, [1.5, 1.5, 1.7], "float32", "int64"))
    _same(ours, theirs)  # sum: 1 + 1 + 1 = 3, not int(4.7) = 4


@pytest.mark.parametrize("name, dtype, out_dtype", [("mean", "int64", "float32"), ("mean", "float32", "int64"),
                                                    ("nanmean", "int64", "float32")])
def test_mean_still_refuses_integers_given_out(name, dtype, out_dtype):
    _both_raise(_into_out(name, [1, 2, 3], dtype, out_dtype), (TypeError, RuntimeError))
