"""Run-time checks: ``tf.Assert``, ``tf.assert_equal`` and its kin, ``tf.assert_near``, ``tf.check_numerics`` (also
in ``tf.debugging``) and ``tf.add_check_numerics_ops``, which puts one on every floating-point tensor; and the
checks decided now, while the graph is built: ``tf.assert_type``, ``tf.assert_integer``, ``tf.assert_scalar``.

A graph is built before any value exists, so a check on values is itself an operation: it runs when a
``Session.run`` needs it and raises ``InvalidArgumentError`` if the values are wrong. An assert produces no value,
so nothing needs it unless told: the TF1 idiom makes the computation wait for it::

    with tf.control_dependencies([tf.assert_equal(tf.shape(x)[0], tf.shape(y)[0])]):
        loss = tf.identity(loss)        # runs only after the check passed

(Inside a ``tf.cond`` branch or a ``tf.while_loop`` body an assert runs with every run of the body anyway.) When
both sides are constants the check is decided now, while the graph is built, and a failure raises at once, as TF
does. ``check_numerics`` instead passes its input through, so it can sit in the middle of a computation; its
gradient is checked the same way.
"""
import types

import numpy

from .. import ops
from ..backend import device as parse_device, to_device
from ..ops.base import Spec
from . import errors
from .dtypes import as_dtype
from .basics import group, no_op
from .core import Tensor, as_spec_shape, get_default_graph
from .graph_ops import Const, GraphOp
from .math_ops import (FLOATS, FLOATS_AND_COMPLEX, check_dtype, equal, greater, greater_equal, less, less_equal,
                       matching_pair, not_equal, reduce_all, require_bool, to_tensor)


def _host(array):
    return numpy.asarray(to_device(array, parse_device("cpu")))


def _show(array, summarize):
    """At most ``summarize`` entries of ``array``, as TF prints them in an assert's message: ``[1 2 3...]``."""
    flat = _host(array).reshape(-1)
    text = " ".join(numpy.format_float_positional(v, trim="-") if flat.dtype.kind == "f" else str(v)
                    for v in flat[:summarize])
    return f"[{text}{'...' if flat.size > summarize else ''}]"


class AssertOp(GraphOp):
    """Raises ``InvalidArgumentError`` unless every entry of its first input (bool) is True. The message is the
    attr ``template``: the strings it holds, and (for each None in it) the values of the next data input."""
    name = "Assert"
    pure = True

    @staticmethod
    def execute(session, operation, arrays):
        condition, *data = arrays
        if bool(_host(condition).all()):
            return ()
        values = iter(data)
        summarize = operation.attrs["summarize"]
        parts = [_show(next(values), summarize) if part is None else f"[{part}]"
                 for part in operation.attrs["template"]]
        raise errors.InvalidArgumentError(None, operation, "assertion failed: " + " ".join(parts))


def Assert(condition, data, summarize=None, name=None):
    """An operation that fails with ``InvalidArgumentError`` when it runs and ``condition`` (a bool tensor; every
    entry counts) is not True; the message shows ``data`` (strings and tensors; ``summarize`` entries of each
    tensor, default 3)."""
    condition = require_bool("Assert", to_tensor(condition), "condition")
    template, inputs = [], []
    for item in data:
        if isinstance(item, (str, bytes)):
            template.append(item.decode() if isinstance(item, bytes) else item)
        else:
            template.append(None)
            inputs.append(to_tensor(item))
    attrs = {"template": tuple(template), "summarize": 3 if summarize is None else int(summarize)}
    return get_default_graph().create_op(AssertOp, [condition] + inputs, attrs, [], name=name or "Assert")


# ============================================================================================ comparisons

def _static(t):
    """The value of a constant tensor, else None."""
    return t.op.attrs["value"] if t.op.op is Const else None


def _binary_assert(symbol, test, numpy_test, x, y, data, summarize, message, name, default_name):
    """``Assert(reduce_all(test(x, y)))`` with TF's message; decided now when x and y are both constants."""
    graph = get_default_graph()
    with graph.name_scope(name or default_name):
        x, y = matching_pair(default_name, x, y)
        if data is None:
            data = [f"Condition x {symbol} y did not hold element-wise:", f"x ({x.name}) = ", x,
                    f"y ({y.name}) = ", y]
        if message is not None:
            data = [message] + list(data)
        static_x, static_y = _static(x), _static(y)
        if static_x is not None and static_y is not None and not numpy.all(numpy_test(static_x, static_y)):
            lines = [d if isinstance(d, str) else str(_static(d)) for d in data]
            raise errors.InvalidArgumentError(None, None, "\n".join(lines))
        return Assert(reduce_all(test(x, y)), data, summarize)


def _make_binary_assert(py_name, symbol, test, numpy_test):
    def assertion(x, y, data=None, summarize=None, message=None, name=None):
        return _binary_assert(symbol, test, numpy_test, x, y, data, summarize, message, name, py_name)
    assertion.__name__ = assertion.__qualname__ = py_name
    assertion.__doc__ = (f"An operation that, when run, raises ``InvalidArgumentError`` unless ``x {symbol} y`` holds "
                         "for every element (x and y broadcast); ``data`` replaces the default message, which "
                         "``message`` prefixes. Raises at once if x and y are constants that fail.")
    return assertion


assert_equal = _make_binary_assert("assert_equal", "==", equal, numpy.equal)
assert_none_equal = _make_binary_assert("assert_none_equal", "!=", not_equal, numpy.not_equal)
assert_less = _make_binary_assert("assert_less", "<", less, numpy.less)
assert_less_equal = _make_binary_assert("assert_less_equal", "<=", less_equal, numpy.less_equal)
assert_greater = _make_binary_assert("assert_greater", ">", greater, numpy.greater)
assert_greater_equal = _make_binary_assert("assert_greater_equal", ">=", greater_equal, numpy.greater_equal)


def _make_sign_assert(py_name, symbol, check):
    def assertion(x, data=None, summarize=None, message=None, name=None):
        x = to_tensor(x)
        return check(numpy.zeros((), x.dtype), x, data=data or [f"Condition x {symbol} did not hold element-wise:",
                                                                   f"x ({x.name}) = ", x],
                     summarize=summarize, message=message, name=name or py_name)
    assertion.__name__ = assertion.__qualname__ = py_name
    assertion.__doc__ = f"An operation that, when run, raises ``InvalidArgumentError`` unless ``x {symbol}`` holds."
    return assertion


assert_positive = _make_sign_assert("assert_positive", "> 0", assert_less)
assert_negative = _make_sign_assert("assert_negative", "< 0", assert_greater)
assert_non_negative = _make_sign_assert("assert_non_negative", ">= 0", assert_less_equal)
assert_non_positive = _make_sign_assert("assert_non_positive", "<= 0", assert_greater_equal)


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None, name=None):
    """An operation that, when run, raises ``InvalidArgumentError`` unless ``|x - y| < atol + rtol * |y|`` for every
    element (x and y floating or complex, y converted to x's dtype; they broadcast). Like numpy's ``isclose`` but
    strict (``<``). The default tolerances are ``10 * eps`` of the dtype (``numpy.finfo(dtype).eps``): about
    1.2e-6 for float32, 2.2e-15 for float64, 9.8e-3 for float16."""
    graph = get_default_graph()
    with graph.name_scope(name or "assert_near"):
        x, y = matching_pair("assert_near", x, y)
        check_dtype(x, FLOATS_AND_COMPLEX, "x")
        eps = numpy.finfo(x.dtype.as_numpy_dtype).eps
        rtol, atol = (10 * eps if tol is None else tol for tol in (rtol, atol))
        distance, scale = ops.abs(ops.sub(x, y)), ops.abs(y)  # real even for complex x and y, as the tolerances
        tolerance = ops.add(to_tensor(atol, distance.dtype), ops.mul(to_tensor(rtol, distance.dtype), scale))
        if data is None:
            data = [f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}", f"x ({x.name}) = ", x,
                    f"y ({y.name}) = ", y]
        if message is not None:
            data = [message] + list(data)
        return Assert(reduce_all(less(distance, tolerance)), data, summarize)


# ============================================================================================ static checks

def assert_integer(x, message=None, name=None):
    """Check, now, that ``x`` has an integer dtype (signed or unsigned; not bool): a TypeError if not, else a
    no-op (nothing is left to check when the graph runs)."""
    with get_default_graph().name_scope(name or "assert_integer"):
        x = to_tensor(x)
        if x.dtype.kind not in "iu":
            raise TypeError(f"{message or ''}  assert_integer: expected \"x\" to be integer type.  Found: "
                            f"{x.op.name} of dtype {x.dtype.name}")
        return no_op(name="statically_determined_was_integer")


def assert_scalar(tensor, name=None, message=None):
    """Check, now, that ``tensor`` is a scalar (rank 0) and return it (converted to a tensor): a ValueError if its
    static rank is anything else — also if the graph does not know its rank."""
    with get_default_graph().name_scope(name or "assert_scalar"):
        tensor = to_tensor(tensor)
        if not tensor.shape.rank_known or len(tensor.shape) != 0:
            raise ValueError(f"{message or ''}assert_scalar: expected scalar shape for {tensor.name}, saw shape: "
                             f"{tensor.shape}.")
        return tensor


# ============================================================================================ check_numerics

class CheckNumerics(GraphOp):
    """Passes its input through; raises ``InvalidArgumentError`` ("<message> : Tensor had NaN values") if it
    holds a NaN or an infinity. The gradient passes through the same check."""
    differentiable = True
    pure = True
    saves_inputs = ()

    @staticmethod
    def execute(session, operation, arrays):
        (x,) = arrays
        xp = session.array_module
        for problem, test in (("NaN", xp.isnan), ("Inf", xp.isinf)):
            if bool(test(x).any()):
                raise errors.InvalidArgumentError(None, operation, f"{operation.attrs['message']} : Tensor had "
                                                                   f"{problem} values")
        return (x,)

    @staticmethod
    def vjp(ctx, g):
        return (check_numerics(g, "Not a number (NaN) or infinity (Inf) values detected in gradient. "
                                  + ctx.attrs["message"]),)


def check_numerics(tensor, message, name=None):
    """``tensor`` itself, checked for NaN and Inf whenever it is computed (see ``CheckNumerics``)."""
    x = check_dtype(to_tensor(tensor), FLOATS, "tensor")
    if not isinstance(message, str):
        raise TypeError(f"Expected string for argument 'message' not {message!r}.")
    operation = get_default_graph().create_op(CheckNumerics, [x], {"message": message},
                                              [Spec(as_spec_shape(x.shape), x.dtype)], name=name or "CheckNumerics")
    return operation.outputs[0]


def verify_tensor_all_finite(t, msg, name=None):
    """``t`` itself, checked for NaN and Inf whenever it is computed (TF1's name for ``check_numerics``)."""
    return check_numerics(t, msg, name=name)


def add_check_numerics_ops():
    """A ``check_numerics`` on every floating-point tensor the graph holds so far, each message naming the tensor
    (``op_name:output_index``); returns one operation that runs them all — fetch it beside the train op to learn
    which op first made a NaN or an infinity."""
    graph = get_default_graph()
    checks = [check_numerics(output, f"{operation.name}:{index}")
              for operation in list(graph.get_operations())
              for index, output in enumerate(operation.outputs) if output.dtype.name in FLOATS]
    return group(*checks, name="CheckNumericsAll")


def assert_type(tensor, tf_type, message=None, name=None):
    """Check, now, that ``tensor`` has dtype ``tf_type``: a TypeError if not, else a no-op."""
    tensor = to_tensor(tensor)
    expected = as_dtype(tf_type)
    if tensor.dtype != expected:
        raise TypeError(f"{message or ''}{tensor.name} must be of type {expected.name}, not {tensor.dtype.name}")
    return no_op(name=name or "statically_determined_correct_type")


def is_numeric_tensor(tensor):
    """Whether ``tensor`` is a graph tensor of numbers (integers, floats, complex; not bool, not strings)."""
    return isinstance(tensor, Tensor) and numpy.dtype(tensor.dtype.as_numpy_dtype).kind in "iufc"


debugging = types.SimpleNamespace(
    Assert=Assert, assert_equal=assert_equal, assert_none_equal=assert_none_equal, assert_less=assert_less,
    assert_less_equal=assert_less_equal, assert_greater=assert_greater, assert_greater_equal=assert_greater_equal,
    assert_positive=assert_positive, assert_negative=assert_negative, assert_non_negative=assert_non_negative,
    assert_non_positive=assert_non_positive, check_numerics=check_numerics, assert_all_finite=verify_tensor_all_finite,
    assert_type=assert_type, is_numeric_tensor=is_numeric_tensor, assert_near=assert_near,
    assert_integer=assert_integer, assert_scalar=assert_scalar)

__all__ = ["Assert", "assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
           "assert_greater_equal", "assert_positive", "assert_negative", "assert_non_negative", "assert_non_positive",
           "check_numerics", "verify_tensor_all_finite", "add_check_numerics_ops", "assert_type", "is_numeric_tensor",
           "assert_near", "assert_integer", "assert_scalar", "debugging"]
