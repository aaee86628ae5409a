"""TF1's coordinate indexing in graph mode: ``tf.gather_nd``, ``tf.scatter_nd``, ``tf.tensor_scatter_nd_*``,
``tf.batch_gather`` — values, static shapes, names, gradients (central differences, and PyTorch's indexing where it
is installed) and the errors. The op library's own checks are in the op table (specs_nd_indexing.py)."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run
from .numeric_gradients import check_gradients

P = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def test_gather_nd():
    p = tf.constant(P)
    elements = tf.gather_nd(p, [[0, 1, 2], [1, 2, 3]])
    rows = tf.gather_nd(p, [[[1, 0]], [[0, 2]]])
    blocks = tf.gather_nd(p, tf.constant([[1]], tf.int64))
    batched = tf.gather_nd(p, [[[2], [0]], [[1], [1]]], batch_dims=1)
    assert (elements.shape, rows.shape, blocks.shape, batched.shape) == ((2,), (2, 1, 4), (1, 3, 4), (2, 2, 4))
    got = run([elements, rows, blocks, batched])
    np.testing.assert_array_equal(got[0], [P[0, 1, 2], P[1, 2, 3]])
    np.testing.assert_array_equal(got[1], [[P[1, 0]], [P[0, 2]]])
    np.testing.assert_array_equal(got[2], [P[1]])
    np.testing.assert_array_equal(got[3], [[P[0, 2], P[0, 0]], [P[1, 1], P[1, 1]]])
    assert tf.gather_nd(p, [[0, 0]], name="picked").name == "picked:0"


def test_batch_gather():
    got = run(tf.batch_gather(tf.constant(P), [[0, 2], [1, 1]]))
    np.testing.assert_array_equal(got, [P[0, [0, 2]], P[1, [1, 1]]])


def test_scatters():
    updates = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    summed = tf.scatter_nd([[1], [3], [1]], updates, [5, 2])            # row 1 named twice: its updates add up
    np.testing.assert_array_equal(run(summed), [[0, 0], [6, 8], [0, 0], [3, 4], [0, 0]])
    shape = tf.placeholder(tf.int32, [2])
    at_run_time = tf.scatter_nd([[1]], updates[:1], shape)
    assert at_run_time.shape.as_list() == [None, None]
    np.testing.assert_array_equal(run(at_run_time, {shape: [2, 2]}), [[0, 0], [1, 2]])

    t = tf.constant(P[0])
    got = run([tf.tensor_scatter_nd_update(t, [[0, 0], [2, 1]], [-1.0, -2.0]),
               tf.tensor_scatter_nd_add(t, [[0], [0]], tf.ones([2, 4])),
               tf.tensor_scatter_nd_sub(t, [[2]], tf.ones([1, 4]))])
    expected = [P[0].copy(), P[0].copy(), P[0].copy()]
    expected[0][0, 0], expected[0][2, 1] = -1, -2
    expected[1][0] += 2
    expected[2][2] -= 1
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)
    assert tf.tensor_scatter_update is tf.tensor_scatter_nd_update and tf.tensor_scatter_add is tf.tensor_scatter_nd_add
    assert tf.tensor_scatter_sub is tf.tensor_scatter_nd_sub


def test_gradients_against_central_differences():
    rng = np.random.default_rng(0)
    index = np.array([[1, 0], [0, 2], [1, 0]])                         # (1, 0) read twice: its gradient doubles
    check_gradients(lambda p: tf.gather_nd(p, index) ** 2, rng.standard_normal((2, 3, 4)))
    check_gradients(lambda p: tf.gather_nd(p, [[[2], [0]], [[1], [1]]], batch_dims=1),
                    rng.standard_normal((2, 3, 4)))
    check_gradients(lambda p: tf.batch_gather(p, [[0, 0, 2]]) * p[:, :3], rng.standard_normal((1, 3)))
    check_gradients(lambda u: tf.scatter_nd(index, u, [2, 3, 5]) ** 2, rng.standard_normal((3, 5)))
    check_gradients(lambda t, u: tf.tensor_scatter_nd_add(t, index, u) * t, rng.standard_normal((2, 3, 2)),
                    rng.standard_normal((3, 2)))
    check_gradients(lambda t, u: tf.tensor_scatter_nd_update(t, index[:2], u) * t, rng.standard_normal((2, 3)),
                    rng.standard_normal(2))
    check_gradients(lambda t, u: tf.tensor_scatter_nd_sub(t, [[1]], u ** 2), rng.standard_normal((2, 3)),
                    rng.standard_normal((1, 3)))


def test_gradients_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    params, updates = rng.standard_normal((3, 4, 2)), rng.standard_normal((5, 2))
    index = np.array([[2, 1], [0, 3], [2, 1], [1, 0], [0, 0]])
    weights = rng.standard_normal((5, 2))

    p, u = tf.constant(params), tf.constant(updates)
    gathered = tf.gather_nd(p, index)
    scattered = tf.tensor_scatter_nd_add(p, index, u * u)
    loss = tf.reduce_sum(gathered * weights) + tf.reduce_sum(scattered ** 2)
    ours = run([gathered, scattered] + tf.gradients(loss, [p, u]))

    tp, tu = torch.tensor(params, requires_grad=True), torch.tensor(updates, requires_grad=True)
    coords = tuple(torch.tensor(index).unbind(-1))
    t_gathered = tp[coords]
    t_scattered = tp.index_put(coords, tu * tu, accumulate=True)
    t_loss = (t_gathered * torch.tensor(weights)).sum() + (t_scattered ** 2).sum()
    theirs = [t_gathered.detach().numpy(), t_scattered.detach().numpy()] + \
        [g.numpy() for g in torch.autograd.grad(t_loss, [tp, tu])]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_errors():
    p = tf.constant(P)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[1, 3\] does not index into param "
                                                             r"shape \[2, 3, 4\]"):
        run(tf.gather_nd(p, [[0, 0], [1, 3]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = \[-1\] does not index"):
        run(tf.gather_nd(p, [[-1]]))                                    # no negative indices in TF
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = \[5\] does not index into param "
                                                             r"shape \[3\]"):
        run(tf.scatter_nd([[5]], [1.0], [3]))
    i = tf.placeholder(tf.int32, [None, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index"):
        run(tf.tensor_scatter_nd_update(p[0], i, [1.0]), {i: [[3, 0]]})
    with pytest.raises(TypeError, match="'indices' has DataType float32"):
        tf.gather_nd(p, [[0.0]])
    with pytest.raises(ValueError, match=r"the last dim of indices \(4\) must be between 1 and the rank of params"):
        tf.gather_nd(p, [[0, 0, 0, 0]])
    with pytest.raises(ValueError, match="batch dimension 0 must be equal"):
        tf.gather_nd(p, [[[0]]], batch_dims=1)
    with pytest.raises(ValueError, match="at least batch_dims \\+ 1 = 2 dims"):
        tf.gather_nd(p, [0], batch_dims=1)
    with pytest.raises(ValueError, match=r"updates must have shape .* = \[2, 4\]"):
        tf.tensor_scatter_nd_add(p[0], [[0], [1]], tf.ones([2, 3]))
    with pytest.raises(ValueError, match=r"updates must have shape .* = \[1\]"):
        tf.scatter_nd([[0]], [1.0, 2.0], [3])
    with pytest.raises(TypeError, match="Input 'updates' of 'TensorScatterUpdate' Op has type int32 that does not "
                                        "match type float32"):
        tf.tensor_scatter_nd_update(p, [[0]], tf.zeros([1, 3, 4], tf.int32))
    with pytest.raises(ValueError, match="scatter_nd: shape must be non-negative"):
        tf.scatter_nd([[0]], [1.0], [-1])
