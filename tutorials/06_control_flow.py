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
# # Chapter 6 — Control flow: Python in eager mode, ops in graph mode
#
# Real models loop and branch: a recurrent network applies the same cell to every element of a sequence, a
# sequence ends when the model emits a stop token, a layer behaves differently in training and evaluation.
#
# In **eager** mode this needs nothing new. Control flow is Python's own `for`, `while` and `if`, running on
# values that exist; the tape simply records whatever operations happened to run. Every run may record a
# different graph — a *dynamic* graph, which is why PyTorch is called "define by run".
#
# In **graph** mode Python runs only while the graph is being built, before any value exists. A Python loop
# still works, but it *unrolls*: it bakes a fixed number of copies of its body into the graph. And a Python `if`
# cannot look at a value that will only be known when a session runs. So TensorFlow has control flow as
# operations: `tf.while_loop` and `tf.cond`. In minidl each is **one operation** of the graph, and the loop's body
# (or each branch) is a small graph of its own that the operation runs as often as the data says. (TF1 itself
# lowered them into a handful of primitive ops — `Enter`, `Merge`, `Switch`, `NextIteration`, `Exit`,
# `LoopCond` — spread over a `while/` or `cond/` scope. The single `While` or `If` op is TF's later design,
# "control flow v2", and that is the one minidl follows; the values and gradients are the same either way.)
#
# This chapter writes the same computations both ways and checks that values and gradients agree.

# %%
import contextlib
import io

import numpy as np

import minidl.eager as torchlike
import minidl.graph as tf

tf.reset_default_graph()  # start from an empty graph, also when this notebook is run a second time

rng = np.random.default_rng(0)
HIDDEN = 3
W_value = rng.normal(size=(HIDDEN, HIDDEN)) * 0.5   # float64 throughout, so comparisons can be tight
short_sequence = rng.normal(size=(5, HIDDEN))
long_sequence = rng.normal(size=(20, HIDDEN))

# %% [markdown]
# ## A loop in eager mode: the tape records each iteration
#
# Our loop is the heart of a recurrent network: a state $h$ (starting at zero) is updated once per input
# $x_t$ of a sequence, with the same weights $W$ each time,
#
# $$ h_t = \tanh(W h_{t-1} + x_t), \qquad t = 1, \dots, T, \qquad L = \textstyle\sum_i (h_T)_i^2 .$$
#
# In eager mode it is a plain Python loop, and it handles a sequence of any length.

# %%
def eager_rnn_loss(W, xs):
    h = torchlike.zeros(HIDDEN, dtype=torchlike.float64)
    for x_t in xs:                      # a Python loop over the rows of the sequence
        h = torchlike.tanh(W @ h + x_t)
    return (h ** 2).sum()


def tape_size(tensor):
    """How many nodes the tape below ``tensor`` has."""
    seen, stack = set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(child for child, _ in node.next_functions)
    return len(seen)


W_eager = torchlike.tensor(W_value, requires_grad=True)
xs_eager = torchlike.tensor(short_sequence, requires_grad=True)
loss_eager = eager_rnn_loss(W_eager, xs_eager)
loss_eager.backward()
eager_loss_long = eager_rnn_loss(W_eager, torchlike.tensor(long_sequence, requires_grad=True))
tape_short, tape_long = tape_size(loss_eager), tape_size(eager_loss_long)
print("loss:", loss_eager.item(), "  dL/dW:\n", W_eager.grad)
print(f"tape nodes for 5 steps: {tape_short}, for 20 steps: {tape_long}")

# %% [markdown]
# The tape grows with the sequence: each iteration adds its matrix product, addition and `tanh` (and the row
# picked out of `xs`). Nothing had to be declared in advance — the loop ran, and the record followed.
#
# ## The same loop in graph mode: `tf.while_loop`
#
# `tf.while_loop(cond, body, loop_vars)` takes two Python functions. It calls each **once**, now, with
# placeholders standing in for the loop variables, and builds their operations into two small graphs. At run
# time, one `While` operation evaluates the condition graph and runs the body graph while it says true:
#
# ```python
# loop_vars = initial values
# while cond(*loop_vars):
#     loop_vars = body(*loop_vars)
# ```
#
# Our loop variables are a step counter `t` and the state `h`. The sequence is a placeholder with an unknown
# number of rows, and the condition compares `t` with that number — known only when a sequence is fed. Tensors
# from outside (the weights `W`, the sequence `xs`) may simply be used in the body; the loop op takes them as
# extra inputs. (A variable *created* inside the body, say by `tf.get_variable`, goes to the outer graph, as in
# TF1: it lives across runs, not iterations, and the body reads it like `W`. Its initial value must then not be
# computed inside the body — give it an initializer or a lambda.)

# %%
graph = tf.get_default_graph()
W = tf.Variable(W_value, name="W")
xs = tf.placeholder(tf.float64, shape=(None, HIDDEN), name="xs")
n_steps = tf.shape(xs)[0]


def cond(t, h):
    return t < n_steps


def body(t, h):
    return t + 1, tf.tanh(W @ h + tf.gather(xs, t))


_, h_final = tf.while_loop(cond, body, [tf.constant(0), tf.zeros((HIDDEN,), dtype=tf.float64)], name="rnn")
loss = tf.reduce_sum(h_final ** 2)
rnn = h_final.op
print(h_final)
print("outer graph:", ", ".join(f"{op.name} ({op.type})" for op in graph.get_operations()))

# %% [markdown]
# The whole loop is the single operation `rnn`, of type `While`. (In a TF1 graph the outer graph would instead
# hold the loop's `Enter`, `Merge`, `Switch`, `NextIteration` and `Exit` ops, with the body's own ops beside
# them, all under `rnn/`.) Its body is a separate graph, kept in the operation's attributes (an inside look): two
# placeholders for the loop variables, stand-ins for the captured `W` and `xs`, and one iteration's worth of
# operations.

# %%
body_graph = rnn.attrs["body"]
body_ops = [(op.name, op.type) for op in body_graph.get_operations()]
for name, kind in body_ops:
    print(f"  {name:12} {kind}")

# %% [markdown]
# The gradient is one more operation, `WhileGrad`. While the forward loop runs, the `While` op records the loop
# values entering each iteration; `WhileGrad` then runs the body's VJP over those iterations, last one first —
# the chain rule through exactly the iterations that happened, as the eager tape does. The VJP of the body is
# built once, into the body graph, instead of once per iteration. Gradients for `W`, which every iteration uses,
# are summed over the iterations.

# %%
before = len(graph.get_operations())
body_ops_before = len(body_graph.get_operations())
grad_W, grad_xs = tf.gradients(loss, [W, xs])
gradient_ops = [(op.name, op.type) for op in graph.get_operations()[before:]]
print("new in the outer graph:", ", ".join(f"{name} ({kind})" for name, kind in gradient_ops))
print("new in the body graph:", len(body_graph.get_operations()) - body_ops_before, "gradient operations")

sess = tf.Session()
sess.run(tf.global_variables_initializer())
graph_loss, graph_grad_W, graph_grad_xs = sess.run([loss, grad_W, grad_xs], feed_dict={xs: short_sequence})
graph_loss_long = sess.run(loss, feed_dict={xs: long_sequence})   # the same graph, 20 iterations
print("loss:", graph_loss, "  dL/dW:\n", graph_grad_W)
print("eager and graph agree on the loss:", np.isclose(graph_loss, loss_eager.item()),
      " on dL/dW:", np.allclose(graph_grad_W, W_eager.grad.numpy()),
      " on dL/dxs:", np.allclose(graph_grad_xs, xs_eager.grad.numpy()))

# %% [markdown]
# ### Why not just a Python loop?
#
# You *can* write a Python loop in graph mode, over a sequence of fixed length. It runs while building, so it
# *unrolls*: the graph gets one copy of the body per step. That works — early TensorFlow RNNs did exactly this —
# but the graph's size grows with the sequence, and one graph serves only one length. Let us count operations:

# %%
def unrolled_graph_size(length):
    with tf.Graph().as_default() as g:
        W_u = tf.constant(W_value)
        xs_u = tf.placeholder(tf.float64, shape=(length, HIDDEN))
        h = tf.zeros((HIDDEN,), dtype=tf.float64)
        for t in range(length):            # Python runs this now, adding operations each time round
            h = tf.tanh(W_u @ h + xs_u[t])
        tf.reduce_sum(h ** 2)
        return len(g.get_operations())


sizes = {"eager tape": (tape_short, tape_long),
         "graph, Python loop (unrolled)": (unrolled_graph_size(5), unrolled_graph_size(20)),
         "graph, tf.while_loop": (before, before)}   # `before`: the while graph's size; any length fits it
print(f"{'':32} {'T = 5':>6} {'T = 20':>7}")
for what, (five, twenty) in sizes.items():
    print(f"{what:32} {five:>6} {twenty:>7}")

# %% [markdown]
# ## Branches: a Python `if` versus `tf.cond`
#
# In eager mode a branch is a Python `if` on a tensor's value — it is a number, so Python can compare it. Only
# the branch taken runs, and only its operations are on the tape:

# %%
def eager_branch(x):
    if x > 0:
        return x ** 2
    return -3 * x


eager_results = {}
for start in (3.0, -3.0):
    x_eager = torchlike.tensor(start, requires_grad=True)
    out = eager_branch(x_eager)
    out.backward()
    eager_results[start] = (out.item(), x_eager.grad.item(), out.grad_fn.name())
    print(f"x = {start:5}:  value {out.item():5},  gradient {x_eager.grad.item():5},  tape: {out.grad_fn.name()}")

# %% [markdown]
# The same `if` on a graph tensor cannot work: `x > 0` is a symbolic boolean with no value yet, and Python
# asks it for one to decide. minidl refuses, and says what to do instead:

# %%
x = tf.placeholder(tf.float32, shape=(), name="x")
try:
    if x > 0:
        pass
    if_error = None
except TypeError as error:
    if_error = error
    print("TypeError:", error)

# %% [markdown]
# `tf.cond(pred, true_fn, false_fn)` builds **both** branches, each into its own small graph, and one `If`
# operation that, at run time, evaluates `pred` and runs **only the taken branch**. To watch which branch runs,
# each one prints a message first: `tf.print` makes an operation that prints when it runs (to the standard error
# stream, as in TF1, unless `output_stream=` says otherwise), and `tf.control_dependencies` makes the branch's
# result wait for it.

# %%
def true_fn():
    with tf.control_dependencies([tf.print("true branch ran, x =", x)]):
        return x ** 2


def false_fn():
    with tf.control_dependencies([tf.print("false branch ran, x =", x)]):
        return -3.0 * x


result = tf.cond(x > 0, true_fn, false_fn)
(grad_x,) = tf.gradients(result, [x])
print(result.op, " branches:", [branch.name for branch in result.op.attrs["branches"]])

graph_results, printed = {}, {}
for start in (3.0, -3.0):
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        value, gradient = sess.run([result, grad_x], feed_dict={x: start})
    printed[start] = captured.getvalue().splitlines()
    graph_results[start] = (float(value), float(gradient))
    print(f"x = {start:5}:  value {value:5},  gradient {gradient:5},  printed: {printed[start]}")

# %% [markdown]
# Same values and gradients as the eager `if`, and each run printed only the taken branch's message: the other
# branch's operations exist in the graph but did not run. Each message appears once, although the gradient ran
# too: once a gradient is built, the `If` operation hands the gradient the forward values its VJP reads, as TF1
# keeps them on stacks, so the gradient operation runs no forward op again — no second print, no second
# `assign_add`, no new random draw. (Here the value kept is the constant `2` of `x ** 2`, resp. `-3.0`: made
# inside the `control_dependencies` block, it waits for the print, so computing it again would print again.)
# `tf.while_loop` keeps such values for every iteration, in the history its gradient replays.
#
# (In TensorFlow, `tf.cond` and `tf.while_loop` also let the whole program — loops and all — be saved as a graph
# file and run without Python; that is the payoff for writing them as operations.)
#
# ## Summary
#
# * Eager mode: control flow is Python; the tape records what ran, so it differs from run to run.
# * Graph mode: a Python loop unrolls while building; `tf.while_loop` is one op whose body graph runs as many
#   times as the data needs, and its gradient replays the body's VJP over the recorded iterations.
# * A Python `if` on a graph tensor is a `TypeError`; `tf.cond` builds both branches and runs only the taken one.
#
# ## Checks

# %%
# the loop: same value and gradients in both modes, for every sequence length
assert np.isclose(graph_loss, loss_eager.item(), rtol=1e-12)
assert np.isclose(graph_loss_long, eager_loss_long.item(), rtol=1e-12)
assert np.allclose(graph_grad_W, W_eager.grad.numpy(), rtol=1e-10, atol=1e-12)
assert np.allclose(graph_grad_xs, xs_eager.grad.numpy(), rtol=1e-10, atol=1e-12)

# the eager tape grows with the loop; the while_loop graph does not, an unrolled graph does
assert tape_long - tape_short == 15 * 4      # 15 more iterations, 4 nodes each
assert sizes["graph, Python loop (unrolled)"][1] > sizes["graph, Python loop (unrolled)"][0] > before
assert [op.type for op in graph.get_operations()].count("While") == 1 and rnn.type == "While"
assert ("Tanh", "Tanh") in [(name, kind) for name, kind in body_ops]
assert [kind for _, kind in gradient_ops].count("WhileGrad") == 1

# branches: a Python if on a graph tensor is refused; tf.cond runs only the taken branch
assert if_error is not None and "tf.cond" in str(if_error)
assert printed[3.0] == ["true branch ran, x = 3"]        # once: the gradient did not run the branch again
assert printed[-3.0] == ["false branch ran, x = -3"]
assert graph_results == {start: values[:2] for start, values in eager_results.items()}
assert graph_results == {3.0: (9.0, 6.0), -3.0: (9.0, -3.0)}
assert eager_results[3.0][2] != eager_results[-3.0][2]     # a different tape for each branch
print("chapter 6: all checks passed")
