"""Control flow in graph mode: ``cond``, ``case``, ``while_loop`` as functional ops, and gradients through them.

The reference for every gradient is the same computation written as a Python loop in eager mode
(``minidl.eager``), differentiated by its tape: same result, same gradient.
"""
import collections

import numpy as np
import pytest

import minidl.eager as torch
import minidl.graph as tf
from minidl import ops
from minidl.graph.control_flow import If
from minidl.graph.loops import While

from .helpers import run
from .numeric_gradients import check_gradients


def eager_grads(fn, *values):
    """Value and gradients of ``fn`` (a Python function on eager tensors) at ``values``."""
    xs = [torch.tensor(np.asarray(v, dtype=np.float32), requires_grad=True) for v in values]
    y = fn(*xs)
    y.sum().backward()
    return y.detach().numpy(), [np.zeros_like(x.detach().numpy()) if x.grad is None else x.grad.numpy() for x in xs]


# ------------------------------------------------------------------------------------------------ cond

def test_cond_picks_the_branch_at_run_time():
    x = tf.placeholder(tf.float32, [], name="x")
    r = tf.cond(x > 0, lambda: x * 10.0, lambda: x - 1.0)
    assert r.shape == () and r.dtype == tf.float32
    assert run(r, {x: 2.0}) == 20.0
    assert run(r, {x: -2.0}) == -3.0
    # the whole cond is ONE operation of the outer graph; the branches live in their own graphs
    assert [op.type for op in tf.get_default_graph().get_operations()].count("If") == 1


def test_only_the_taken_branch_runs():
    x = tf.placeholder(tf.float32, [], name="x")

    def needs_a_feed():
        hole = tf.placeholder(tf.float32, [], name="never_fed")   # running this branch must fail
        return x + hole
    r = tf.cond(x > 0, lambda: x * 2.0, needs_a_feed)
    assert run(r, {x: 3.0}) == 6.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="never_fed"):
        run(r, {x: -3.0})


def test_side_effects_of_the_taken_branch_only(capsys):
    x = tf.placeholder(tf.float32, [], name="x")

    def loud(message):
        def branch():
            tf.Print(x, [x], message=message)   # not part of the output: runs for its side effect
            return x + 1.0
        return branch
    r = tf.cond(x > 0, loud("TAKEN-TRUE "), loud("TAKEN-FALSE "))
    run(r, {x: 1.0})
    out = capsys.readouterr().err  # tf.Print writes to stderr, as TF1 logs it
    assert "TAKEN-TRUE" in out and "TAKEN-FALSE" not in out
    run(r, {x: -1.0})
    out = capsys.readouterr().err  # tf.Print writes to stderr, as TF1 logs it
    assert "TAKEN-FALSE" in out and "TAKEN-TRUE" not in out


def test_assign_in_a_branch_runs_only_when_taken():
    v = tf.Variable(0.0, name="counter")
    p = tf.placeholder(tf.bool, [], name="p")
    r = tf.cond(p, lambda: v.assign_add(1.0), lambda: tf.identity(v))
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(r, {p: True}) == 1.0
        assert sess.run(r, {p: False}) == 1.0
        assert sess.run(r, {p: True}) == 2.0
        assert sess.run(v) == 2.0


def test_nested_structures_and_singletons():
    x = tf.placeholder(tf.float32, [], name="x")
    Pair = collections.namedtuple("Pair", "a b")
    r = tf.cond(x > 0, lambda: {"s": Pair(x, x * 2), "t": (x + 1,)},
                lambda: {"s": Pair(-x, x * 3), "t": (x - 1,)})
    assert isinstance(r["s"], Pair) and isinstance(r["t"], tuple)
    assert run(r, {x: 1.0}) == {"s": Pair(1.0, 2.0), "t": (2.0,)}
    assert run(r, {x: -1.0}) == {"s": Pair(1.0, -3.0), "t": (-2.0,)}
    # TF1: a 1-element list is unpacked unless strict
    assert isinstance(tf.cond(x > 0, lambda: [x], lambda: [x]), tf.Tensor)
    assert isinstance(tf.cond(x > 0, lambda: [x], lambda: [x], strict=True), list)


def test_static_shapes_are_merged_and_python_values_become_constants():
    p = tf.placeholder(tf.bool, [])
    a = tf.placeholder(tf.float32, [2, 3])
    b = tf.placeholder(tf.float32, [2, 4])
    assert tf.cond(p, lambda: a, lambda: b).shape.as_list() == [2, None]
    r = tf.cond(p, lambda: 1.5, lambda: 2.5)
    assert r.dtype == tf.float32 and run(r, {p: False}) == 2.5


def test_outer_tensors_are_captured_once():
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.constant(3.0, name="w")
    r = tf.cond(x > 0, lambda: x * w + w, lambda: x - w)
    (if_op,) = [op for op in tf.get_default_graph().get_operations() if op.type == "If"]
    assert len(if_op.inputs) == 3                      # pred, x, w: each captured tensor enters once
    true_graph = if_op.get_attr("branches")[0]
    assert list(true_graph.captures) == [x, w]
    assert true_graph.outer_graph is tf.get_default_graph()
    assert run(r, {x: 2.0}) == 9.0


def test_cond_errors():
    x = tf.placeholder(tf.float32, [], name="x")
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(x > 0, 1.0, lambda: x)
    with pytest.raises(TypeError, match="false_fn argument required"):
        tf.cond(x > 0, lambda: x)
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.cond(True, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="has type float32 that does not match expected type of bool"):
        tf.cond(x, lambda: x, lambda: x)
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.cond(tf.placeholder(tf.bool, [2]), lambda: x, lambda: x)
    with pytest.raises(ValueError, match="true_fn must have a return value"):
        tf.cond(x > 0, lambda: None, lambda: x)
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.cond(x > 0, lambda: (x, x), lambda: x)
    with pytest.raises(ValueError, match="must have the same type: float32, int32"):
        tf.cond(x > 0, lambda: x, lambda: tf.constant(1, dtype=tf.int32))
    # a predicate of unknown shape is checked when it runs
    p = tf.placeholder(tf.bool, None, name="p")
    r = tf.cond(p, lambda: x, lambda: -x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be a scalar"):
        run(r, {p: [True, False], x: 1.0})


# ---------------------------------------------------------------------------------------- cond gradients

def test_cond_gradients_in_both_branches_against_eager():
    x = tf.placeholder(tf.float32, [3], name="x")
    w = tf.placeholder(tf.float32, [3], name="w")
    r = tf.cond(ops.sum(x) > 0, lambda: ops.sum(x * x * w), lambda: ops.sum(ops.exp(x)))
    grads = tf.gradients(r, [x, w])

    def eager(xv, wv):
        return (xv * xv * wv).sum() if xv.sum().item() > 0 else xv.exp().sum()
    for xv in ([1.0, 2.0, -0.5], [-1.0, 0.5, -2.0]):
        wv = [0.5, -1.0, 2.0]
        value, (gx, gw) = run([r, grads], {x: xv, w: wv})
        ref, (rx, rw) = eager_grads(eager, xv, wv)
        np.testing.assert_allclose(value, ref, rtol=1e-6)
        np.testing.assert_allclose(gx, rx, rtol=1e-6)
        np.testing.assert_allclose(gw, rw, rtol=1e-6)   # zeros when the taken branch does not use w


def test_cond_gradient_with_respect_to_a_variable_and_a_passthrough_output():
    v = tf.Variable(2.0, name="v")
    p = tf.placeholder(tf.bool, [])
    x = tf.constant(3.0)
    a, b = tf.cond(p, lambda: (v * v, x), lambda: (x, v * 5.0))
    (gv,) = tf.gradients(a + b, [v])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(gv, {p: True}) == 4.0
        assert sess.run(gv, {p: False}) == 5.0


def test_gradient_of_a_branch_that_returns_an_outer_tensor():
    x = tf.placeholder(tf.float32, [], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    (g,) = tf.gradients(tf.cond(p, lambda: x, lambda: x * 2.0), [x])
    assert run(g, {x: 5.0, p: True}) == 1.0
    assert run(g, {x: 5.0, p: False}) == 2.0
    (g,) = tf.gradients(tf.cond(p, fn1=lambda: x * x, fn2=lambda: x), [x])   # TF1's old argument names
    assert run(g, {x: 5.0, p: True}) == 10.0


def _gradient_through_cond(x, w):
    """d/dx of a cond whose branches use x and a captured w differently: itself a function of x and w."""
    y = tf.cond(tf.reduce_sum(w) > 0, lambda: tf.reduce_sum(tf.tanh(x * w) * x), lambda: tf.reduce_sum(x * x * w))
    return tf.gradients(y, [x])[0]


def _gradient_through_nested_conds(x, w):
    def inner():
        return tf.cond(x[0] > 0, lambda: tf.reduce_sum(tf.sin(x * w) * x), lambda: tf.reduce_sum(x ** 3))
    return tf.gradients(tf.cond(tf.reduce_sum(w) > 0, inner, lambda: tf.reduce_sum(x * x * w)), [x])[0]


@pytest.mark.parametrize("first_gradient", [_gradient_through_cond, _gradient_through_nested_conds])
@pytest.mark.parametrize("x", [[0.3, -1.2, 0.7], [-0.3, 1.2, 0.7]])
@pytest.mark.parametrize("w_sign", [1.0, -1.0])
def test_second_order_gradient_through_cond_matches_central_differences(first_gradient, x, w_sign):
    """As in TF1: tf.gradients of a gradient through tf.cond (a gradient penalty through a `training` switch)."""
    check_gradients(first_gradient, np.array(x), w_sign * np.array([0.5, 1.5, 0.25]))


def test_third_order_gradient_through_cond_and_the_branch_not_taken():
    x = tf.placeholder(tf.float64, [], name="x")
    y = tf.cond(x > 0, lambda: x * x * x, lambda: -x * x)
    (g,) = tf.gradients(y, [x])
    (gg,) = tf.gradients(g, [x])
    (ggg,) = tf.gradients(gg, [x])
    assert run([g, gg, ggg], {x: 2.0}) == [12.0, 12.0, 6.0]
    assert run([g, gg, ggg], {x: -3.0}) == [6.0, -2.0, 0.0]   # zeros: -x*x has no third derivative


def test_second_order_gradient_with_respect_to_the_gradient_fed_in():
    x = tf.placeholder(tf.float64, [2], name="x")
    u = tf.placeholder(tf.float64, [2], name="u")
    y = tf.cond(x[0] > 0, lambda: tf.sin(x), lambda: x * 3.0)
    (g,) = tf.gradients(y, [x], grad_ys=u)                  # u * cos(x) or 3u
    gu, gx = tf.gradients(tf.reduce_sum(g * g), [u, x])
    xv, uv = np.array([0.4, -0.9]), np.array([2.0, -1.5])
    np.testing.assert_allclose(run([gu, gx], {x: xv, u: uv}),
                               [2 * uv * np.cos(xv) ** 2, -2 * uv ** 2 * np.cos(xv) * np.sin(xv)])
    np.testing.assert_allclose(run([gu, gx], {x: -xv, u: uv}), [18 * uv, np.zeros(2)])


def test_second_order_gradient_through_cond_uses_the_forward_dropout_mask():
    """The first and second gradients are built from the one mask the forward run drew: no draw is made again."""
    x = tf.placeholder(tf.float64, [200], name="x")
    training = tf.placeholder(tf.bool, [], name="training")
    dropped = tf.cond(training, lambda: tf.nn.dropout(x, rate=0.5), lambda: x)
    y = tf.reduce_sum(dropped ** 3)
    (g,) = tf.gradients(y, [x])
    (gg,) = tf.gradients(tf.reduce_sum(g), [x])
    xv = np.linspace(0.5, 2.0, 200)
    d, first, second = run([dropped, g, gg], {x: xv, training: True})
    kept = d != 0
    assert 50 < kept.sum() < 150
    np.testing.assert_allclose(first, np.where(kept, 3 * d ** 2 * 2.0, 0.0))     # d = 2 x where kept
    np.testing.assert_allclose(second, np.where(kept, 6 * d * 4.0, 0.0))
    np.testing.assert_allclose(run(gg, {x: xv, training: False}), 6 * xv)


# ------------------------------------------------------------------------------------------------ case

def test_case_first_true_predicate_wins():
    x = tf.placeholder(tf.float32, [], name="x")
    r = tf.case([(x < 0, lambda: -x), (x < 1, lambda: x * 10)], default=lambda: x * 100)
    assert [run(r, {x: v}) for v in (-2.0, 0.5, 3.0)] == [2.0, 5.0, 300.0]
    r = tf.case({x < 0: lambda: -x, x < 1: lambda: x * 10}, default=lambda: x * 100)
    assert run(r, {x: -2.0}) == 2.0


def test_case_without_default_and_exclusive_checks():
    x = tf.placeholder(tf.float32, [], name="x")
    low, mid = x < 0, x < 1
    r = tf.case([(low, lambda: -x), (mid, lambda: x * 10)])
    assert run(r, {x: 0.5}) == 5.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions evaluated as True"):
        run(r, {x: 3.0})
    r = tf.case([(low, lambda: -x), (mid, lambda: x * 10)], default=lambda: x, exclusive=True)
    assert run(r, {x: 0.5}) == 5.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive=True: more than 1 conditions"):
        run(r, {x: -1.0})
    with pytest.raises(TypeError, match="must be a list, tuple, or dict"):
        tf.case(low, default=lambda: x)
    with pytest.raises(TypeError, match="2-tuple"):
        tf.case([(low,)])
    with pytest.raises(TypeError, match="pred must be Tensor of type bool"):
        tf.case([(x, lambda: x)])
    with pytest.raises(TypeError, match="must be callable"):
        tf.case([(low, 3.0)])


# ------------------------------------------------------------------------------------------ while_loop

def test_while_loop_values():
    i, total = tf.while_loop(lambda i, s: i < 10, lambda i, s: (i + 1, s + i * i), [tf.constant(0), tf.constant(0)])
    assert run([i, total]) == [10, 285]
    # a single loop var comes back as a single tensor (TF1), and a body may return it bare
    r = tf.while_loop(lambda i: i < 5, lambda i: i + 2, [tf.constant(0)])
    assert isinstance(r, tf.Tensor) and run(r) == 6
    (r,) = tf.while_loop(lambda i: i < 5, lambda i: (i + 2,), [0], return_same_structure=True)
    assert run(r) == 6


def test_while_loop_nested_structure():
    Pair = collections.namedtuple("Pair", "j k")
    ijk = (tf.constant(0), Pair(tf.constant(1), tf.constant(2)))
    i, p = tf.while_loop(lambda i, p: i < 10, lambda i, p: (i + 1, Pair(p.j + p.k, p.j - p.k)), ijk)
    assert isinstance(p, Pair)
    assert run(p) == Pair(32, 64)
    state = tf.while_loop(lambda s: s["n"] < 3, lambda s: {"n": s["n"] + 1, "x": s["x"] * 2.0},
                          [{"n": 0, "x": 1.0}])
    assert run(state) == {"n": 3, "x": 8.0}


def test_while_loop_maximum_iterations():
    n = tf.placeholder(tf.int32, [], name="n")
    r = tf.while_loop(lambda i: i < 100, lambda i: i + 1, [0], maximum_iterations=n)
    assert run(r, {n: 7}) == 7
    assert run(r, {n: 0}) == 0
    r = tf.while_loop(lambda i: i < 3, lambda i: i + 1, [0], maximum_iterations=10)
    assert run(r) == 3
    with pytest.raises(ValueError, match="'maximum_iterations' must be a scalar"):
        tf.while_loop(lambda i: i < 3, lambda i: i + 1, [0], maximum_iterations=[1, 2])


def test_while_loop_captures_and_data_dependent_trip_count():
    x = tf.placeholder(tf.float32, [None], name="x")
    limit = tf.placeholder(tf.float32, [], name="limit")
    y = tf.while_loop(lambda v: ops.sum(v) < limit, lambda v: v * 2.0, [x])
    assert y.shape.as_list() == [None]
    np.testing.assert_allclose(run(y, {x: [1.0, 2.0], limit: 20.0}), [8.0, 16.0])


def test_while_loop_body_side_effects_run_every_iteration(capsys):
    r = tf.while_loop(lambda i: i < 3, lambda i: tf.Print(i + 1, [i], message="iter "), [0])
    assert run(r) == 3
    assert capsys.readouterr().err.count("iter ") == 3


def test_assign_and_read_a_variable_inside_a_loop():
    v = tf.Variable(1.0, name="v")

    def body(i, acc):
        with tf.control_dependencies([v.assign_add(1.0)]):
            return i + 1, acc + v.read_value()      # reads the value just assigned (TF1 ref semantics)
    i, acc = tf.while_loop(lambda i, acc: i < 3, body, [0, 0.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(acc) == 2.0 + 3.0 + 4.0
        assert sess.run(v) == 4.0


def test_an_outer_op_a_body_depends_on_runs_once_before_the_loop_or_cond():
    """TF1 lifts a body's control dependency on an op made outside out of the loop (and out of both branches):
    the outer op runs once per run of the loop or cond, whichever branch is taken — not once per iteration."""
    counts = tf.Variable(0, name="counts")
    count = counts.assign_add(1)

    def body(i):
        with tf.control_dependencies([count]):
            return i + 1

    def branch():
        with tf.control_dependencies([count]):
            return tf.constant(1)

    loop = tf.while_loop(lambda i: i < 3, body, [0])
    outer_loop = tf.while_loop(lambda j: j < 2, lambda j: j + tf.while_loop(lambda i: i < 3, body, [0]) // 3, [0])
    choice = tf.cond(tf.constant(False), branch, lambda: tf.constant(2))
    with tf.Session() as sess:
        sess.run(counts.initializer)
        assert sess.run(loop) == 3 and sess.run(counts) == 1
        assert sess.run(outer_loop) == 2 and sess.run(counts) == 2  # nested twice: still once per run
        assert sess.run(choice) == 2 and sess.run(counts) == 3  # the branch not taken depends on it too


def test_cond_returns_tensor_arrays_also_inside_a_loop():
    """A TensorArray written in either branch comes out of the cond (as its flows, as a while_loop carries it),
    with its gradient: the pattern of a decoder that writes a step's output in a cond inside its loop."""
    choose, x = tf.placeholder(tf.bool, []), tf.placeholder(tf.float32, [])
    array = tf.TensorArray(tf.float32, size=2)
    written = tf.cond(choose, lambda: array.write(0, x * 2).write(1, x), lambda: array.write(0, x).write(1, x * x))
    (grad,) = tf.gradients(tf.reduce_sum(written.stack()), [x])

    def body(i, steps):
        odd = i % 2 > 0
        return i + 1, tf.cond(odd, lambda: steps.write(i, tf.cast(i, tf.float32) * 10), lambda: steps.write(i, -1.0))
    _, steps = tf.while_loop(lambda i, steps: i < 4, body, [0, tf.TensorArray(tf.float32, size=4)])
    assert run(written.stack(), {choose: True, x: 3.0}).tolist() == [6.0, 3.0]
    assert run([written.stack(), grad], {choose: False, x: 3.0})[0].tolist() == [3.0, 9.0]
    assert run(grad, {choose: True, x: 3.0}) == 3.0 and run(grad, {choose: False, x: 3.0}) == 7.0
    assert run(steps.stack()).tolist() == [-1.0, 10.0, -1.0, 30.0]


def test_shape_invariants():
    m0 = tf.ones_like(tf.constant(np.zeros((2, 2), np.float32)))
    i, m = tf.while_loop(lambda i, m: i < 3, lambda i, m: [i + 1, ops.cat([m, m], dim=0)], [0, m0],
                         shape_invariants=[tf.TensorShape([]), tf.TensorShape([None, 2])])
    assert m.shape.as_list() == [None, 2]
    assert run(m).shape == (16, 2)


def test_while_loop_errors():
    x = tf.constant(np.zeros(2, np.float32), name="x")
    with pytest.raises(ValueError, match=r"Input tensor 'x:0' enters the loop with shape \(2,\), but has shape "
                                         r"\(4,\) after one iteration.*shape_invariants"):
        tf.while_loop(lambda v: ops.sum(v) < 1, lambda v: ops.cat([v, v], dim=0), [x])
    with pytest.raises(ValueError, match="shape invariant specified for x:0 is not compatible"):
        tf.while_loop(lambda v: ops.sum(v) < 1, lambda v: v, [x], shape_invariants=[tf.TensorShape([3])])
    with pytest.raises(TypeError, match="enters the loop with type int64 but has type float32"):
        tf.while_loop(lambda i: i < 3, lambda i: ops.cast(i, tf.float32), [tf.constant(0, dtype=tf.int64)])
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.while_loop(lambda i, j: i < 3, lambda i, j: i + 1, [0, 1])
    with pytest.raises(TypeError, match="does not match expected type of bool"):
        tf.while_loop(lambda i: i, lambda i: i + 1, [0])
    with pytest.raises(TypeError, match="'cond' must be callable"):
        tf.while_loop(None, lambda i: i, [0])
    with pytest.raises(TypeError, match="'body' must be callable"):
        tf.while_loop(lambda i: i < 1, 3, [0])
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        tf.while_loop(lambda: True, lambda: (), [])
    with pytest.raises(TypeError, match="'parallel_iterations' must be a positive integer"):
        tf.while_loop(lambda i: i < 1, lambda i: i, [0], parallel_iterations=0)


# ---------------------------------------------------------------------------------- while gradients

def test_repeated_squaring_gradient():
    """x -> x^(2^n): the gradient is 2^n x^(2^n - 1), for any trip count fed at run time."""
    x = tf.placeholder(tf.float32, [], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    _, y = tf.while_loop(lambda i, v: i < n, lambda i, v: (i + 1, v * v), [0, x])
    (g,) = tf.gradients(y, [x])
    for steps in (0, 1, 3):
        value, grad = run([y, g], {x: 1.1, n: steps})
        np.testing.assert_allclose(value, 1.1 ** (2 ** steps), rtol=1e-5)
        np.testing.assert_allclose(grad, 2 ** steps * 1.1 ** (2 ** steps - 1), rtol=1e-5)


def test_loop_with_a_captured_weight_matches_the_eager_loop():
    """The tutorial's point: a graph while_loop and a Python loop in eager mode give the same value and gradient.
    The weight is used in every iteration, so its gradient is a sum over the iterations."""
    x = tf.placeholder(tf.float32, [3], name="x")
    w = tf.placeholder(tf.float32, [3, 3], name="w")
    _, h = tf.while_loop(lambda i, h: i < 4, lambda i, h: (i + 1, ops.tanh(ops.matmul(w, h) + x)), [0, x])
    loss = ops.sum(h * h)
    gx, gw = tf.gradients(loss, [x, w])

    def eager(xe, we):
        h = xe
        for _ in range(4):
            h = torch.tanh(torch.matmul(we, h) + xe)
        return (h * h).sum()
    xv = np.array([0.5, -1.0, 0.25], np.float32)
    wv = np.random.default_rng(0).normal(size=(3, 3)).astype(np.float32) * 0.5
    value, grads = run([loss, [gx, gw]], {x: xv, w: wv})
    ref, ref_grads = eager_grads(eager, xv, wv)
    np.testing.assert_allclose(value, ref, rtol=1e-5)
    for g, r in zip(grads, ref_grads):
        np.testing.assert_allclose(g, r, rtol=1e-4, atol=1e-6)


def test_loop_weight_gradient_analytic_and_zero_iterations():
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.placeholder(tf.float32, [], name="w")
    n = tf.placeholder(tf.int32, [], name="n")
    _, y = tf.while_loop(lambda i, v: i < n, lambda i, v: (i + 1, v * w), [0, x])    # y = x w^n
    gx, gw = tf.gradients(y, [x, w])
    assert run([gx, gw], {x: 2.0, w: 3.0, n: 3}) == pytest.approx([27.0, 3 * 2.0 * 9.0])
    assert run([gx, gw], {x: 2.0, w: 3.0, n: 0}) == [1.0, 0.0]


def test_gradient_with_respect_to_a_variable_used_in_the_body():
    v = tf.Variable(1.5, name="v")
    y = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * v), [0, 1.0])[1]   # v^3
    (g,) = tf.gradients(y, [v])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(g) == pytest.approx(3 * 1.5 ** 2)


def test_a_fed_variable_replaces_the_variable_inside_bodies_too():
    """A feed replaces a tensor for every reader in the run (TF1), the reads inside loop and cond bodies included,
    and their gradients; the stored value is untouched and is what the next unfed run sees."""
    v = tf.Variable(1.5, name="v")
    y = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * v), [0, 1.0])[1]   # v^3
    c = tf.cond(tf.constant(True), lambda: v * 2.0, lambda: v * 0.0)
    (g,) = tf.gradients(y, [v])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([y, c, g], {v: 2.0}) == [8.0, 4.0, pytest.approx(12.0)]
        assert sess.run([y, c, g]) == [pytest.approx(3.375), 3.0, pytest.approx(3 * 1.5 ** 2)]
        assert sess.run(v) == 1.5


def test_cond_branches_may_return_operations_as_in_tf1():
    """An operation returned by a branch runs with it and the cond gives the predicate's value in its place; an
    operation made outside the branches runs whenever the cond does, whichever branch is taken (TF1's gotcha)."""
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable(0.0)
    bump = tf.cond(p, lambda: tf.group(tf.assign_add(v, 1.0)), tf.no_op)
    mixed = tf.cond(p, lambda: (tf.assign_add(v, 10.0).op, tf.constant(1.0)), lambda: (tf.no_op(), tf.constant(2.0)))
    w = tf.Variable(3.0)
    outside = tf.train.GradientDescentOptimizer(0.25).minimize(w * w)   # w -= 0.25 * 2w: halves w
    either = tf.cond(p, lambda: outside, tf.no_op)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert [sess.run(bump, {p: True}), sess.run(v), sess.run(bump, {p: False}), sess.run(v)] == [True, 1, False, 1]
        assert sess.run(mixed, {p: True}) == (True, 1.0) and sess.run(v) == 11.0
        assert sess.run(mixed, {p: False}) == (False, 2.0) and sess.run(v) == 11.0
        sess.run(either, {p: False})
        assert sess.run(w) == 1.5


def test_get_variable_with_reuse_inside_a_body():
    """A body shares the enclosing graph's variable scopes and store (an RNN cell calling get_variable)."""
    with tf.variable_scope("rnn"):
        w = tf.get_variable("w", shape=[], initializer=tf.constant_initializer(1.5))
        found = []

        def body(i, a):
            with tf.variable_scope(tf.get_variable_scope(), reuse=True):
                found.append(tf.get_variable("w"))
            return i + 1, a * found[-1]
        y = tf.while_loop(lambda i, a: i < 3, body, [0, 1.0])[1]
    assert found == [w]
    (g,) = tf.gradients(y, [w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y) == pytest.approx(1.5 ** 3)
        assert sess.run(g) == pytest.approx(3 * 1.5 ** 2)


def test_back_prop_false_stops_the_gradient():
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.while_loop(lambda v: v < 10, lambda v: v * 2, [x], back_prop=False)
    assert run(y, {x: 1.5}) == 12.0
    assert tf.gradients(y, [x]) == [None]


def test_second_order_through_while_is_refused():
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.while_loop(lambda v: v < 10, lambda v: v * v, [x])
    (g,) = tf.gradients(y, [x])
    with pytest.raises(TypeError, match="Second-order gradient for while loops not supported.*WhileGrad"):
        tf.gradients(g, [x])


# ------------------------------------------------------------------------------------------------ nesting

def test_while_inside_cond():
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.constant(2.0, name="w")
    r = tf.cond(x > 0, lambda: tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * w), [0, x])[1],
                lambda: x * x)
    gx, gw = tf.gradients(r, [x, w])
    assert run([r, gx, gw], {x: 1.5}) == [12.0, 8.0, 3 * 4.0 * 1.5]
    assert run([r, gx, gw], {x: -1.5}) == [2.25, -3.0, 0.0]


def test_cond_inside_while_matches_the_eager_loop():
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.placeholder(tf.float32, [], name="w")

    def body(i, y):
        return i + 1, tf.cond(y > 10.0, lambda: y * 0.5, lambda: y * w)
    _, y = tf.while_loop(lambda i, y: i < 6, body, [0, x])
    grads = tf.gradients(y, [x, w])

    def eager(xe, we):
        y = xe
        for _ in range(6):
            y = y * 0.5 if y.item() > 10 else y * we
        return y
    value, (gx, gw) = run([y, grads], {x: 3.0, w: 2.0})
    ref, (rx, rw) = eager_grads(eager, 3.0, 2.0)
    np.testing.assert_allclose([value, gx, gw], [ref, rx, rw], rtol=1e-6)


def test_while_inside_while_captures_through_both_levels():
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.placeholder(tf.float32, [], name="w")

    def outer_body(i, y):
        inner = tf.while_loop(lambda j, z: j < 2, lambda j, z: (j + 1, z * w + 1.0), [0, y])[1]
        return i + 1, inner
    _, y = tf.while_loop(lambda i, y: i < 3, outer_body, [0, x])
    grads = tf.gradients(y, [x, w])
    (inner_while,) = [op for op in tf.get_default_graph().get_operations() if op.type == "While"]
    body_graph = inner_while.get_attr("body")
    assert w in body_graph.captures                 # the outer body captured w for its inner loop

    def eager(xe, we):
        y = xe
        for _ in range(3):
            for _ in range(2):
                y = y * we + 1.0
        return y
    value, (gx, gw) = run([y, grads], {x: 0.5, w: 1.2})
    ref, (rx, rw) = eager_grads(eager, 0.5, 1.2)
    np.testing.assert_allclose([value, gx, gw], [ref, rx, rw], rtol=1e-5)


def test_op_types_are_exported():
    assert If.name == "If" and While.name == "While"


# ------------------------------------------------------------------------------- variables made in a body

def test_a_variable_made_in_a_loop_body_lives_outside_it_and_gets_its_gradient():
    x = tf.placeholder(tf.float32, [3])

    def body(i, acc):
        w = tf.Variable(lambda: tf.fill([3], 2.0), name="w")   # TF1: a lambda initializer inside a loop
        return i + 1, acc * w

    _, y = tf.while_loop(lambda i, acc: i < 3, body, [0, x])
    (w,) = tf.global_variables()
    assert w.graph is tf.get_default_graph()
    (dw,) = tf.gradients(tf.reduce_sum(y), [w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        y_value, dw_value = sess.run([y, dw], {x: [1.0, 2.0, 3.0]})
    np.testing.assert_allclose(y_value, [8.0, 16.0, 24.0])          # x * w³
    np.testing.assert_allclose(dw_value, [12.0, 24.0, 36.0])        # 3 w² x


def test_a_variable_initialised_from_a_body_tensor_is_refused_as_tf1_does():
    def branch():
        return tf.Variable(tf.zeros([2]) + 1.0) * 2.0

    with pytest.raises(ValueError, match="from inside a control-flow construct.*use a lambda"):
        tf.cond(tf.constant(True), branch, lambda: tf.ones([2]))


# ------------------------------------------------------------- forward values kept for a body's gradient

def _counting_tanh(calls):
    """tanh through ``tf.py_func``, with tanh's gradient, counting how often its forward runs."""
    def forward(x):
        calls.append(1)
        return np.tanh(x)

    def body_tanh(x):
        y = tf.py_func(forward, [x], tf.float32)
        y.set_shape(x.shape)
        return x + tf.stop_gradient(y - x)   # the value is tanh(x); the gradient w.r.t. x is 1
    return body_tanh


def test_a_loops_gradient_does_not_run_the_bodys_assignments_or_python_functions_again():
    """The gradient reads the forward values the loop kept; recomputing them would count each iteration twice."""
    counter = tf.Variable(0.0, name="counter")
    calls = []
    squash = _counting_tanh(calls)
    w = tf.placeholder(tf.float32, [], name="w")

    def body(i, h):
        with tf.control_dependencies([counter.assign_add(1.0)]):
            return i + 1, squash(h * w) * w
    _, y = tf.while_loop(lambda i, h: i < 4, body, [0, tf.constant(0.5)])
    (grad,) = tf.gradients(y, [w])
    with tf.Session() as sess:
        sess.run(counter.initializer)
        value, g = sess.run([y, grad], {w: 1.5})
        assert sess.run(counter) == 4.0 and len(calls) == 4        # once per iteration, gradient included
    h = 0.5                                                         # by hand: h_(k+1) = (h_k w) w, the gradient
    dh_dw = 0.0                                                     # passing tanh as 1 (stop_gradient above)
    for _ in range(4):
        h, dh_dw = np.tanh(h * 1.5) * 1.5, (dh_dw * 1.5 + h) * 1.5 + np.tanh(h * 1.5)
    assert value == pytest.approx(h, rel=1e-6) and g == pytest.approx(dh_dw, rel=1e-5)


def test_a_conds_gradient_does_not_run_the_taken_branch_again(capsys):
    counter = tf.Variable(0, name="counter")
    x = tf.placeholder(tf.float32, [], name="x")

    def true_fn():
        with tf.control_dependencies([counter.assign_add(1), tf.print("true branch")]):
            return tf.sin(x) * 3.0
    y = tf.cond(x > 0, true_fn, lambda: x * x)
    (grad,) = tf.gradients(y, [x])
    with tf.Session() as sess:
        sess.run(counter.initializer)
        assert sess.run([y, grad], {x: 0.5}) == [pytest.approx(3 * np.sin(0.5)), pytest.approx(3 * np.cos(0.5))]
        assert sess.run([y, grad], {x: -2.0}) == [4.0, -4.0]
        assert sess.run(counter) == 1
    assert capsys.readouterr().err.count("true branch") == 1


def test_nested_loops_keep_their_values_at_both_levels():
    counter = tf.Variable(0.0, name="counter")
    x = tf.placeholder(tf.float32, [], name="x")

    def inner_body(j, z):
        with tf.control_dependencies([counter.assign_add(1.0)]):
            return j + 1, tf.tanh(z) * 1.5

    def outer_body(i, y):
        return i + 1, tf.while_loop(lambda j, z: j < 2, inner_body, [0, y])[1] + x
    _, y = tf.while_loop(lambda i, y: i < 3, outer_body, [0, x])
    (grad,) = tf.gradients(y, [x])

    def eager(xe):
        y = xe
        for _ in range(3):
            for _ in range(2):
                y = torch.tanh(y) * 1.5
            y = y + xe
        return y
    with tf.Session() as sess:
        sess.run(counter.initializer)
        value, g = sess.run([y, grad], {x: 0.3})
        assert sess.run(counter) == 6.0
    ref, (ref_grad,) = eager_grads(eager, 0.3)
    np.testing.assert_allclose([value, g], [ref, ref_grad], rtol=1e-5)


def test_two_gradients_of_one_loop_and_a_forward_only_run():
    """A second ``tf.gradients`` keeps more values (the loop's history grows for both); the forward still runs
    alone, and each gradient matches the eager loop."""
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.placeholder(tf.float32, [], name="w")
    _, y = tf.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, tf.sin(h * w) + tf.exp(w * 0.1)), [0, x])
    (gx,) = tf.gradients(y, [x])
    (gw,) = tf.gradients(y * y, [w])
    (loop,) = [op for op in tf.get_default_graph().get_operations() if op.type == "While"]
    assert loop.get_attr("kept")      # the forward values the two gradients read

    def eager(xe, we):
        h = xe
        for _ in range(3):
            h = torch.sin(h * we) + torch.exp(we * 0.1)
        return h
    ref, (rx, rw) = eager_grads(eager, 0.7, 1.3)
    with tf.Session() as sess:
        assert sess.run(y, {x: 0.7, w: 1.3}) == pytest.approx(float(ref), rel=1e-6)
        value, got_x, got_w = sess.run([y, gx, gw], {x: 0.7, w: 1.3})
    np.testing.assert_allclose([value, got_x, got_w], [ref, rx, 2 * ref * rw], rtol=1e-5)



def _ones_times(w):
    return tf.constant(np.ones(1000, np.float32)) * w


def test_the_gradient_through_cond_uses_the_dropout_mask_of_the_forward():
    w = tf.Variable(np.float32(1.5))
    training = tf.placeholder(tf.bool, [])
    y = tf.cond(training, lambda: tf.nn.dropout(_ones_times(w), rate=0.5), lambda: _ones_times(w))
    loss = tf.reduce_sum(y * y)  # = w² · (a count fixed by the mask): d loss / dw = 2 loss / w
    (grad,) = tf.gradients(loss, [w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for is_training in (True, True, False):
            value, g = sess.run([loss, grad], {training: is_training})
            assert g == pytest.approx(2 * value / 1.5, rel=1e-6)


def test_the_gradient_through_while_loop_replays_each_iterations_dropout_mask():
    w = tf.Variable(np.float32(1.5))
    _, y = tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, tf.nn.dropout(x * w, rate=0.5)),
                         [0, tf.constant(np.ones(1000, np.float32))])
    loss = tf.reduce_sum(y)  # = w³ · (a count fixed by the three masks): d loss / dw = 3 loss / w
    (grad,) = tf.gradients(loss, [w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = [sess.run([loss, grad]) for _ in range(4)]
    # each run draws new masks (two runs can keep the same number of units, ~3% of the time: not all four)...
    assert len({float(value) for value, _ in values}) > 1
    for value, g in values:  # ...and each run's gradient uses its own
        assert g == pytest.approx(3 * value / 1.5, rel=1e-6)


def test_gradients_with_respect_to_a_tensor_inside_a_branch_are_refused_clearly():
    x = tf.placeholder(tf.float64, [3])
    inner = {}

    def branch():
        inner["a"] = tf.sin(x)
        return inner["a"] * 2.0
    y = tf.cond(tf.placeholder(tf.bool, []), branch, lambda: x)
    with pytest.raises(NotImplementedError, match="a tensor made inside a control flow body"):
        tf.gradients(y, inner["a"])  # (it used to be a silent None)


def test_switch_case_picks_by_index_falls_back_and_differentiates_the_branch_taken():
    i = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float64, [])
    with_default = tf.switch_case(i, {0: lambda: tf.constant(17), 1: lambda: tf.constant(31)},
                                  default=lambda: tf.constant(-1))
    last_is_default = tf.switch_case(i, [lambda: x * 2, lambda: x * x, lambda: tf.sin(x)])
    (grad,) = tf.gradients(last_is_default, [x])
    with tf.Session() as sess:
        assert [sess.run(with_default, {i: k}) for k in (0, 1, 5, -3)] == [17, 31, -1, -1]
        assert [sess.run(last_is_default, {i: k, x: 3.0}) for k in (0, 1, 2, 9)] == [6.0, 9.0, np.sin(3.0),
                                                                                     np.sin(3.0)]
        assert [sess.run(grad, {i: k, x: 3.0}) for k in (0, 1, 2)] == [2.0, 6.0, np.cos(3.0)]
    with pytest.raises(ValueError, match="contiguous set from 0"):
        tf.switch_case(i, {0: lambda: x, 2: lambda: x})
    with pytest.raises(TypeError, match="int32 scalar"):
        tf.switch_case(tf.constant(1.0), [lambda: x])


def test_a_gradient_through_a_body_that_assigns_a_variable_it_reads():
    """Reading the variable directly, the gradient would read its value of the moment (not the one each iteration
    used): refused, with the way out — a read through v.read_value() is kept from the forward run, and gives
    d/dx of x·2·3·4 = 24 (the forward saw v = 2, 3, 4)."""
    v = tf.Variable(1.0, dtype=tf.float64)
    x = tf.placeholder(tf.float64, [])

    def body(read):
        def step(i, y):
            with tf.control_dependencies([v.assign_add(1.0)]):
                return i + 1, y * read()
        return step

    _, direct = tf.while_loop(lambda i, y: i < 3, body(lambda: v), [0, x])
    with pytest.raises(NotImplementedError, match=r"assigns to the variable Variable .* v.read_value\(\)"):
        tf.gradients(direct, x)
    _, through_read = tf.while_loop(lambda i, y: i < 3, body(v.read_value), [0, x])
    (grad,) = tf.gradients(through_read, x)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([through_read, grad], {x: 2.0}) == [48.0, 24.0]
