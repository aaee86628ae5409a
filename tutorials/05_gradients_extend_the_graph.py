# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 5 — Gradients extend the graph
#
# In eager mode (chapter 2) the framework records a tape while the forward pass runs, and `backward()` walks it
# once, turning numbers into numbers. Graph mode has no numbers while you build. So `tf.gradients(ys, xs)` does
# something that sounds odd at first: it walks the graph backwards from `ys` and, for each operation on the way,
# calls that operation's vector-Jacobian product (VJP) on **symbolic** tensors. Each VJP is written with minidl
# ops (chapter 3), and a minidl op on symbolic tensors adds a node. So the result of `tf.gradients` is not a
# number but **more graph**: new operations that compute the derivative when a session runs them.
#
# Everything follows from that: gradients can be fetched, pruned and fed like any tensor, differentiated again,
# and an optimizer is nothing but a function that adds gradient and update operations to your graph.

# %%
import inspect

import numpy as np

import minidl.eager as torchlike
import minidl.graph as tf
from minidl.ops.arithmetic import Mul
from minidl.ops.linalg import MatMul

tf.reset_default_graph()  # start from an empty graph, also when this notebook is run a second time


def new_operations(graph, since):
    """The operations added to ``graph`` after the first ``since`` ones, as 'name  type  <- input ops' lines."""
    lines = []
    for op in graph.get_operations()[since:]:
        sources = ", ".join(t.op.name for t in op.inputs)
        lines.append(f"{op.name:38} {op.type:17}" + (f" <- {sources}" if sources else ""))
    return lines


# %% [markdown]
# ## What `tf.gradients` adds
#
# A batch of inputs `a` (a placeholder, shape `(?, 3)`) is multiplied elementwise by a weight vector `b`
# (broadcast over the rows), and everything is summed: $y = \sum_{i,j} a_{ij} b_j$. We count the operations,
# ask for both gradients, and list what appeared.

# %%
graph = tf.get_default_graph()
a = tf.placeholder(tf.float32, shape=(None, 3), name="a")
b = tf.Variable([1.0, 2.0, 3.0], name="b")
y = tf.reduce_sum(a * b, name="y")

before = len(graph.get_operations())
grad_a, grad_b = tf.gradients(y, [a, b])
added = new_operations(graph, before)
print(f"{before} operations before, {len(graph.get_operations())} after; the new ones:")
print("\n".join(added))
print(grad_a)
print(grad_b)

# %% [markdown]
# Read the list from the top; it is the chain rule, one VJP at a time, each in a name scope
# `gradients/<op>_grad` named after the forward operation it differentiates:
#
# * `gradients/OnesLike` is the seed, $\partial y/\partial y = 1$.
# * `y_grad/BroadcastReduced` is the VJP of the sum: every element contributed to `y` with weight 1, so the
#   gradient is the incoming one broadcast back to the summed tensor's shape.
# * `mul_grad` holds the VJP of `a * b` (TF1 names the operation `*` makes `mul`): **two multiplies and two
#   `SumToLike`s**. Here is that VJP, as it stands in the op library (you met the whole class in chapter 3):

# %%
print(inspect.getsource(Mul.vjp))

# %% [markdown]
# `g * b` became `mul_grad/mul`, and `g * a` became `mul_grad/mul_1`. `sum_to_like(..., b)` became
# `SumToLike_1`: `b` was broadcast over the rows of the batch, so its gradient sums over them — and since the
# number of rows is unknown (`?`) until run time, the op takes `b` itself as an input and reads its shape then.
# (`_conj` is for complex numbers; for real ones it returns its argument and adds nothing.)
#
# The gradients are ordinary tensors. Running them needs `a` fed, like anything else that depends on `a`:

# %%
sess = tf.Session()
sess.run(tf.global_variables_initializer())
a_value = np.array([[1.0, 1.0, 1.0], [10.0, 20.0, 30.0]], np.float32)
ga, gb = sess.run([grad_a, grad_b], feed_dict={a: a_value})
print("dy/da =", ga.tolist(), "  (b in every row)")
print("dy/db =", gb.tolist(), "  (a summed over the rows)")

# %% [markdown]
# And pruning still applies: fetching `y` alone runs none of the gradient operations.

# %%
known = set(sess._plans)
sess.run(y, feed_dict={a: a_value})
(plan,) = [p for key, p in sess._plans.items() if key not in known]  # an inside look, as in chapter 4
ran_for_y = [op.name for op in plan.operations]
print("operations run for y:", ran_for_y)

# %% [markdown]
# ## Derivatives of derivatives
#
# Since a gradient is a graph, calling `tf.gradients` on it differentiates *that* graph: the VJPs of the ops
# that the first call added. For $f(t) = \tanh t$: $f' = 1 - \tanh^2 t$ and $f'' = -2\tanh t\,(1 - \tanh^2 t)$;
# for $t^3$ we can go on to the third derivative, $6$. (No special machinery: this is why the op library writes
# its VJPs with ops.)

# %%
t = tf.placeholder(tf.float64, shape=(), name="t")
f = tf.tanh(t)
before = len(graph.get_operations())
(df,) = tf.gradients(f, [t])
after_first = len(graph.get_operations())
(d2f,) = tf.gradients(df, [t])
print(f"first derivative: {after_first - before} new ops, second: {len(graph.get_operations()) - after_first}")
print("f'' is", d2f.name)

cube = t ** 3
(d1,) = tf.gradients(cube, [t])
(d2,) = tf.gradients(d1, [t])
(d3,) = tf.gradients(d2, [t])
values = sess.run({"df": df, "d2f": d2f, "d1": d1, "d2": d2, "d3": d3}, feed_dict={t: 0.7})
th = np.tanh(0.7)
print(f"tanh at 0.7:  f' = {values['df']:.6f} (by hand {1 - th ** 2:.6f}),  "
      f"f'' = {values['d2f']:.6f} (by hand {-2 * th * (1 - th ** 2):.6f})")
print(f"t^3 at 0.7:   {values['d1']:.4f} (3t^2 = {3 * 0.49:.4f}),  {values['d2']:.4f} (6t = {6 * 0.7:.4f}),  "
      f"{values['d3']:.4f} (6)")

# %% [markdown]
# ## Training: an optimizer builds update operations
#
# A tiny linear regression: 64 points $x \in \mathbb{R}^2$ with targets $y = 2x_1 - 3x_2 + 0.5$, a model
# $\hat y = xW + b$, and the mean squared error. We build it in a function, since we will build it twice.

# %%
rng = np.random.default_rng(0)
x_data = rng.normal(size=(64, 2)).astype(np.float32)
y_data = x_data @ np.array([[2.0], [-3.0]], np.float32) + np.float32(0.5)
W_start = np.array([[0.5], [0.5]], np.float32)   # the same starting point in every mode below
b_start = np.float32(0.1)


def build_regression():
    """Placeholders, the variables W and b, and the loss, in the current default graph."""
    X = tf.placeholder(tf.float32, shape=(None, 2), name="X")
    Y = tf.placeholder(tf.float32, shape=(None, 1), name="Y")
    with tf.name_scope("model"):
        W = tf.Variable(W_start, name="W")
        b = tf.Variable(b_start, name="b")
        prediction = tf.matmul(X, W) + b
    loss = tf.reduce_mean(tf.square(prediction - Y), name="loss")
    return X, Y, W, b, loss


# %% [markdown]
# `optimizer.minimize(loss)` is two steps, and we take them one at a time. `compute_gradients(loss)` calls
# `tf.gradients(loss, <trainable variables>)` and pairs each gradient with its variable:

# %%
tf.reset_default_graph()
graph = tf.get_default_graph()
X, Y, W, b, loss = build_regression()
optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.1)

start = len(graph.get_operations())
grads_and_vars = optimizer.compute_gradients(loss)
after_gradients = len(graph.get_operations())
for grad, var in grads_and_vars:
    print(f"gradient for {var.name:11} is {grad.name}")

# %% [markdown]
# `apply_gradients` then adds a constant for the learning rate $\eta$; for each variable, the update of plain
# gradient descent, $w \leftarrow w - \eta \, g$ — a multiply and an `AssignSub`; and one `NoOp` that depends on
# all the updates. That `NoOp` is the *training op*: running it runs one step. (That is minidl's spelling of the
# update. TF1 fuses each variable's update into a single `ApplyGradientDescent` op, and `MomentumOptimizer`'s
# into an `ApplyMomentum`; minidl builds every update from ordinary ops, as the listing shows.)

# %%
train_op = optimizer.apply_gradients(grads_and_vars)
update_ops = new_operations(graph, after_gradients)
print("\n".join(update_ops))
print("train_op:", train_op, " runs after:", [op.name for op in train_op.control_inputs])

# %% [markdown]
# `minimize` does exactly these two calls. Built in a fresh graph, it adds the same operations, of the same
# types, in the same order:

# %%
with tf.Graph().as_default() as other_graph:
    loss_2 = build_regression()[-1]
    start_2 = len(other_graph.get_operations())
    train_op_2 = tf.train.GradientDescentOptimizer(learning_rate=0.1).minimize(loss_2)
    minimize_types = [op.type for op in other_graph.get_operations()[start_2:]]
two_step_types = [op.type for op in graph.get_operations()[start:]]
print("minimize built", len(minimize_types), "ops; compute_gradients + apply_gradients built", len(two_step_types),
      "; same types in the same order:", minimize_types == two_step_types)

# %% [markdown]
# Training is now a loop of `sess.run(train_op)`. We fetch the loss in the same call: both are computed in one
# pass, the loss from the variables' values *before* the update. Fetching `loss` on its own would never change
# the variables — the update operations are not needed for it, so pruning leaves them out.

# %%
sess = tf.Session()
sess.run(tf.global_variables_initializer())
feed = {X: x_data, Y: y_data}
first_grads = sess.run([grad for grad, _ in grads_and_vars], feed_dict=feed)  # at the starting point
losses = []
for step in range(100):
    _, loss_value = sess.run([train_op, loss], feed_dict=feed)
    losses.append(float(loss_value))
W_trained, b_trained = sess.run([W, b])
print("loss every 20 steps:", "  ".join(f"{value:.2e}" for value in losses[::20]))
print("W =", W_trained.ravel(), " b =", b_trained, "  (true: [2, -3] and 0.5)")

# %% [markdown]
# ## The same gradient in eager mode
#
# Now the same loss in eager mode, from the same starting point, differentiated with `backward()`:

# %%
X_eager = torchlike.tensor(x_data)
Y_eager = torchlike.tensor(y_data)
W_eager = torchlike.tensor(W_start, requires_grad=True)
b_eager = torchlike.tensor(b_start, requires_grad=True)
loss_eager = torchlike.mean(torchlike.square(X_eager @ W_eager + b_eager - Y_eager))
loss_eager.backward()
eager_grads = [W_eager.grad.numpy().copy(), b_eager.grad.numpy().copy()]
print("graph mode: dW =", first_grads[0].ravel(), " db =", first_grads[1])
print("eager mode: dW =", eager_grads[0].ravel(), " db =", eager_grads[1])
print("bit for bit the same:", all(np.array_equal(g, e) for g, e in zip(first_grads, eager_grads)))

# %% [markdown]
# The same numbers (on the CPU, even bit for bit) — not by coincidence, but because **the same VJP code ran in
# both modes**. To see it, we spy on the matrix product's VJP: we replace `MatMul.vjp` for a moment by a wrapper
# that notes what kind of tensor it was handed and then calls the original. In eager mode it receives tensors
# holding numbers; in graph mode, symbolic tensors, on which the very same lines add operations to the graph.

# %%
original_vjp = MatMul.__dict__["vjp"]
calls = []


def spying_vjp(ctx, g):
    calls.append(f"{type(g).__module__}.{type(g).__name__}")
    return original_vjp.__func__(ctx, g)


MatMul.vjp = staticmethod(spying_vjp)
try:
    torchlike.mean(torchlike.square(X_eager @ W_eager + b_eager - Y_eager)).backward()   # eager: numbers now
    tf.gradients(loss, [W])                                                              # graph: new nodes
finally:
    MatMul.vjp = original_vjp
for call in calls:
    print("MatMul.vjp was called with a", call)

# %% [markdown]
# ## When a gradient is a list of rows: `IndexedSlices`
#
# An embedding table has a row per word — often hundreds of thousands — and a batch looks up a few of them.
# The gradient of the table is zero in every other row, so TensorFlow does not build it as a table: the
# gradient of `tf.gather(table, ids)` (or `tf.nn.embedding_lookup`) is an `IndexedSlices`, the gradient of each
# *lookup* (`values`, one row per id) and the ids (`indices`). Nothing is added up yet: an id looked up twice is
# listed twice. Wherever a tensor is needed, it stands for its dense table (the rows added into zeros).

# %%
tf.reset_default_graph()
table = tf.Variable(np.ones((5, 2), np.float32), name="table")
ids = tf.constant([0, 3, 0])
loss_rows = tf.reduce_sum(tf.nn.embedding_lookup(table, ids) * tf.constant([[1.0], [2.0], [3.0]]))
(table_grad,) = tf.gradients(loss_rows, [table])
print(type(table_grad).__name__, "- values:", table_grad.values.shape, " indices:", table_grad.indices.shape)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
rows_value, dense_value = sess.run([table_grad, tf.convert_to_tensor(table_grad)])
print("indices", rows_value.indices, " values", rows_value.values[:, 0])
print("as a dense table:", dense_value[:, 0])

# %% [markdown]
# The difference is more than memory. `tf.clip_by_global_norm` measures the rows as listed — id 0 counts twice,
# $\sqrt{2\,(1^2 + 2^2 + 3^2)} \approx 5.29$, where the dense table's norm would be $\sqrt{2\,(4^2 + 2^2)}
# \approx 6.32$ — and optimizers such as Momentum update only the rows listed. (PyTorch's `nn.Embedding` gives a
# dense gradient unless asked for `sparse=True`; there the rows are a sparse tensor.)

# %%
(clipped,), global_norm = tf.clip_by_global_norm([table_grad], 1.0)
print("global norm of the listed rows:", sess.run(global_norm), "  the dense table's:",
      np.sqrt((dense_value ** 2).sum()))

# %% [markdown]
# ## Summary
#
# * `tf.gradients(ys, xs)` calls each op's VJP on symbolic tensors; the VJPs' ops become new graph nodes under
#   `gradients/<op>_grad/`.
# * Gradients are tensors: run, prune, feed them — or differentiate them again for higher derivatives.
# * `minimize` = `compute_gradients` (gradient nodes) + `apply_gradients` (update nodes, grouped into a train op).
# * Eager `backward()` and graph `tf.gradients` run the same VJP functions, so they agree.
# * A table read by row lookups gets an `IndexedSlices`: the rows of each lookup and their ids, not yet summed.
#
# ## Checks

# %%
# the nodes gradients() added: the seed, the sum's VJP, and Mul's VJP (two multiplies, two sum_to_likes)
added_names = [line.split()[0] for line in added]
assert added_names == ["gradients/OnesLike", "gradients/y_grad/BroadcastReduced", "gradients/mul_grad/mul",
                       "gradients/mul_grad/SumToLike", "gradients/mul_grad/mul_1",
                       "gradients/mul_grad/SumToLike_1"], added
assert grad_a.name.startswith("gradients/mul_grad/") and grad_b.name == "gradients/mul_grad/SumToLike_1:0"
assert str(grad_a.shape) == "(?, 3)" and str(grad_b.shape) == "(3,)"
assert ga.tolist() == [[1.0, 2.0, 3.0]] * 2 and gb.tolist() == [11.0, 21.0, 31.0]
assert not any(name.startswith("gradients") for name in ran_for_y)

# second and third derivatives
assert np.isclose(values["df"], 1 - th ** 2) and np.isclose(values["d2f"], -2 * th * (1 - th ** 2))
assert np.isclose(values["d1"], 3 * 0.49) and np.isclose(values["d2"], 6 * 0.7) and np.isclose(values["d3"], 6.0)

# the optimizer: gradient nodes, then update nodes grouped into one NoOp
assert [var for _, var in grads_and_vars] == [W, b]
assert all(grad.name.startswith("gradients/") for grad, _ in grads_and_vars)
assert [line.split()[1] for line in update_ops] == ["Const", "Mul", "AssignSub", "Mul", "AssignSub", "NoOp"], update_ops
assert train_op.type == "NoOp" and len(train_op.control_inputs) == 2
assert minimize_types == two_step_types
assert losses[-1] < 1e-6 * losses[0]
assert np.allclose(W_trained.ravel(), [2.0, -3.0], atol=1e-3) and np.isclose(b_trained, 0.5, atol=1e-3)

# the same gradient in both modes, from the same VJP
assert np.allclose(first_grads[0], eager_grads[0], rtol=1e-6, atol=1e-6)
assert np.allclose(first_grads[1], eager_grads[1], rtol=1e-6, atol=1e-6)
assert calls == ["minidl.eager.tensor.Tensor", "minidl.graph.core.Tensor"], calls
assert MatMul.__dict__["vjp"] is original_vjp

# the lookup's gradient: one row per id, summed only in its dense form; clipping counts the rows as listed
assert isinstance(table_grad, tf.IndexedSlices) and isinstance(clipped, tf.IndexedSlices)
assert rows_value.indices.tolist() == [0, 3, 0] and rows_value.values[:, 0].tolist() == [1.0, 2.0, 3.0]
assert dense_value[:, 0].tolist() == [4.0, 0.0, 0.0, 2.0, 0.0]
assert np.isclose(sess.run(global_norm), np.sqrt(2 * 14))
print("chapter 5: all checks passed")
