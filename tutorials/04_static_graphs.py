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
# # Chapter 4 — Static graphs: building versus running
#
# In the first three chapters every line computed something the moment it ran: `a * b` multiplied numbers.
# That is **eager** execution, PyTorch's way. TensorFlow 1 took the other road, and minidl offers it too, as
# **graph mode**: a program is written in two phases.
#
# 1. **Build.** Python calls such as `tf.matmul(x, W)` compute nothing. Each one adds a node — an *operation* —
#    to a *graph*, and returns a symbolic `Tensor`: a handle for a value that does not exist yet.
# 2. **Run.** A `Session` takes the graph, the tensors you want (*fetches*) and the input values (*feeds*), and
#    executes the part of the graph needed to compute them, as many times as you like.
#
# Why bother? Because the framework sees the whole computation before running any of it, it can skip what is
# not needed, plan memory, place operations on devices, and save the program itself to a file. The price is
# that the program you debug is not the Python you wrote but a graph built from it — this chapter also shows
# the tools that make that bearable.
#
# minidl's graph mode mirrors TensorFlow 1's API (`tf.compat.v1`), so we import it under TF's name. Under the
# hood it runs the **same operations** as eager mode: `tf.matmul` and `torchlike.matmul` execute the same
# forward function.

# %%
import contextlib
import io
import os
import shutil

import numpy as np

import minidl.graph as tf

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")

tf.reset_default_graph()  # start from an empty graph, also when this notebook is run a second time

# %% [markdown]
# ## Building: operations and symbolic tensors
#
# Every operation is added to the *default graph*. A tensor prints its name — `"<operation>:<output index>"` —
# its static shape and its dtype, but no numbers: there are none yet. An operation made by a Python operator is
# named as TF1 names it: `a * b` makes an operation `mul` (of type `Mul`), `a + b` one named `add`.

# %%
a = tf.constant(3.0, name="a")
b = tf.constant([1.0, 2.0], name="b")
c = a * b
print(a)
print(b)
print(c)

graph = tf.get_default_graph()
print("operations so far:", [(op.name, op.type) for op in graph.get_operations()])
print("c is output", c.value_index, "of", c.op, "whose inputs are", [t.name for t in c.op.inputs])

# %% [markdown]
# ## Running: `Session.run`
#
# A session executes operations and hands back numpy arrays. `run` accepts one fetch, or any nesting of lists,
# tuples and dicts of them, and returns **the same structure** filled with values — convenient for fetching a
# loss and a few metrics in one go. Each operation runs at most once per call, however many fetches share it.

# %%
sess = tf.Session()
print("c             ->", sess.run(c))
print("[a, c]        ->", sess.run([a, c]))
fetched = sess.run({"product": c, "factors": (a, b)})
print("a dict        ->", fetched)
print("by name 'b:0' ->", sess.run("b:0"))

# %% [markdown]
# ## Placeholders, and shapes with a `?`
#
# A *placeholder* is an input that must be fed on every run that needs it. Its shape may leave dimensions open:
# `None` for the batch dimension means "any number of rows". Shapes are worked out as the graph is built
# (*static shape inference*); TensorFlow prints an unknown dimension as `?`.

# %%
x = tf.placeholder(tf.float32, shape=(None, 784), name="x")
weights = tf.constant(np.full((784, 10), 0.01, np.float32), name="weights")
scores = tf.matmul(x, weights)
print(x, "  as a list:", x.get_shape().as_list())
print(scores)

batch = np.ones((2, 784), np.float32)
scores_value = sess.run(scores, feed_dict={x: batch})
print("fed a batch of 2, got shape", scores_value.shape, "first row:", scores_value[0, :3], "...")

# %% [markdown]
# Static shapes catch mistakes **before anything runs**. Multiplying a `(?, 784)` matrix by a `(100, 10)` one
# can never work, whatever the batch size, so building it fails:

# %%
try:
    tf.matmul(x, tf.zeros((100, 10)))
    build_error = None
except ValueError as error:
    build_error = error
    print("ValueError:", error)

# %% [markdown]
# Feeding a value of the wrong shape fails at run time, naming the placeholder and both shapes — here a batch
# of 50 colour images (28·28·3 = 2352 numbers each) fed to a network built for grey ones. Forgetting a feed
# that the fetch needs is an error too, and the message says which placeholder is missing.

# %%
try:
    sess.run(scores, feed_dict={x: np.zeros((50, 2352), np.float32)})
    feed_shape_error = None
except ValueError as error:
    feed_shape_error = error
    print("ValueError:", error)

try:
    sess.run(scores)
    missing_feed_error = None
except tf.errors.InvalidArgumentError as error:
    missing_feed_error = error
    print("InvalidArgumentError:", str(error).splitlines()[0])

# %% [markdown]
# ## Variables, and why initialization is explicit
#
# Constants are baked into the graph; placeholders arrive with each run. Model parameters need a third kind of
# value: one that **persists from one run to the next** and that training updates. That is a `Variable`.
#
# A `Variable` is more than one node. `tf.Variable(initial_value, name="W")` adds the variable itself (an op that
# outputs its current value), the initial value, an `Assign` op that stores the initial value into the variable
# (this is `W.initializer`), and a `read` snapshot. (In TF1 the ops that use `W` read it through that snapshot,
# so TF would list the `MatMul`'s inputs as `x:0` and `W/read:0`; minidl's ops take `W:0` directly.)

# %%
tf.reset_default_graph()
x = tf.placeholder(tf.float32, shape=(None, 4), name="x")
W = tf.Variable(np.ones((4, 2), np.float32), name="W")
y = tf.matmul(x, W)
for op in tf.get_default_graph().get_operations():
    print(f"{op.name:18} {op.type:12} inputs: {[t.name for t in op.inputs]}")

# %% [markdown]
# The graph describes the variable; its **value lives in the session**. A new session has no value for `W`
# until something runs the initializer, and reading it before that is an error. The message names the variable,
# and — like every run-time error in graph mode — says which line of *your* code created the operation that
# failed ("Caused by op ..., defined at"):

# %%
sess = tf.Session()
inputs = np.arange(8, dtype=np.float32).reshape(2, 4)
try:
    sess.run(y, feed_dict={x: inputs})
    uninitialized_error = None
except tf.errors.FailedPreconditionError as error:
    uninitialized_error = error
    print("FailedPreconditionError:", error)

# %% [markdown]
# The fix is to run the initializers — one variable's `W.initializer`, or all of them at once with
# `tf.global_variables_initializer()` (an op that groups every variable's `Assign`):

# %%
print("uninitialized:", sess.run(tf.report_uninitialized_variables()))
sess.run(tf.global_variables_initializer())
y_value = sess.run(y, feed_dict={x: inputs})
print("after init:", y_value.tolist())

# %% [markdown]
# Why does TensorFlow not initialize variables by itself? Because *when* to set a variable is a decision the
# framework cannot make for you:
#
# * the graph is only a description, and **each session holds its own values**: two sessions on one graph are
#   two independent models;
# * initializing is just an op, an assignment. Running it again would wipe the training done so far; a program
#   that restores trained weights from a checkpoint must not run it at all.
#
# A counter shows both points: its value survives between `run` calls, separately in each session.

# %%
counter = tf.Variable(0, name="counter")
increment = counter.assign_add(1)
first, second = tf.Session(), tf.Session()
first.run(counter.initializer)
second.run(counter.initializer)
for _ in range(3):
    first.run(increment)
counts = (first.run(counter), second.run(counter))
print("counter in the first session:", counts[0], "  in the second:", counts[1])
first.run(counter.initializer)  # initializing again starts over
print("after re-running the initializer:", first.run(counter))
recount = first.run(counter)

# %% [markdown]
# ## Pruning: a run executes only what its fetches need
#
# `Session.run` does not execute the whole graph. It walks backwards from the fetches through the inputs of each
# operation and runs only the operations it reaches; everything else is *pruned*. Walking stops at fed tensors:
# a value you feed is not computed, so neither is anything behind it.
#
# To watch it happen we build a graph with two branches and mark each operation we care about with `tf.Print`,
# which passes its input through unchanged and prints a message whenever it actually runs (to the standard error
# stream, where TF1 logs it; `run_and_trace` below catches it there). The `needs_x` branch
# needs the placeholder `x`; the `constant_part` branch does not.
#
# ```
#   a ─┐                                     x (placeholder) ─┐
#      ├─ add ─ Print "constant part ran" ─────────────────────┴─ mul ─ Print "x branch ran"
#   b ─┘            (constant_part)                                       (needs_x)
# ```

# %%
tf.reset_default_graph()
a = tf.constant(2.0, name="a")
b = tf.constant(3.0, name="b")
constant_part = tf.Print(tf.add(a, b, name="add"), [a, b], message="constant part ran: a, b = ",
                         name="constant_part")
x = tf.placeholder(tf.float32, shape=(), name="x")
needs_x = tf.Print(tf.multiply(constant_part, x, name="mul"), [x], message="x branch ran: x = ", name="needs_x")

sess = tf.Session()


def run_and_trace(fetches, feed_dict=None):
    """``sess.run``, returning (values, what it printed, names of the operations it executed)."""
    known = set(sess._plans)
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        values = sess.run(fetches, feed_dict)
    new = [plan for key, plan in sess._plans.items() if key not in known]
    assert len(new) == 1, "trace a combination of fetches and feeds that this session has not run before"
    return values, printed.getvalue().splitlines(), [op.name for op in new[0].operations]


# %% [markdown]
# Fetch `constant_part` **without feeding `x`**. That is fine: `x` is not needed, so it is not an error that it
# has no value, and only one `Print` fires.

# %%
value, printed, ran_constant = run_and_trace(constant_part)
print("value:", value, "  printed:", printed)
print("operations run:", ran_constant)

# %% [markdown]
# The list of operations comes from an inside look at the session. The first time a combination of fetches and
# feeds is run, the session *compiles* the needed subgraph into a **plan** — the operations in an order where
# every input is ready before it is used, each value given a numbered slot, and for each step the slots that can
# be freed afterwards because nothing later reads them. Constants such as `a` and `b` are not steps at all: their
# values are put into their slots once, while compiling. Plans are cached in `sess._plans` (a private attribute;
# we read it only to look inside), so the second run of the same fetches skips the planning.
#
# Fetching `needs_x` without a feed fails, because that branch does need `x`. (The constant branch's `Print`
# fires before the error: the plan runs its steps in order until one fails.) With `x` fed, both prints fire —
# and note that the placeholder `x` is not among the operations run: a fed tensor is simply read from the feed.

# %%
try:
    sess.run(needs_x)
    pruning_error = None
except tf.errors.InvalidArgumentError as error:
    pruning_error = error
    print("InvalidArgumentError:", str(error).splitlines()[0])

value_x, printed_x, ran_x = run_and_trace(needs_x, {x: 10.0})
print("value:", value_x, "  printed:", printed_x)
print("operations run:", ran_x)

# %% [markdown]
# You can feed *any* tensor, not only placeholders. Feed `constant_part` directly and the whole constant branch
# is cut off: `a`, `b`, `add` and its `Print` do not run at all.

# %%
value_cut, printed_cut, ran_cut = run_and_trace(needs_x, {x: 10.0, constant_part: 100.0})
print("value:", value_cut, "  printed:", printed_cut)
print("operations run:", ran_cut)

# %% [markdown]
# ## Errors point at the line that built the operation
#
# The worst part of debugging a graph is that errors happen in `sess.run`, long after — and far from — the line
# that made the mistake. So every operation records where in your code it was created, and a run-time error
# quotes it. Here two vectors whose lengths only disagree at run time:

# %%
tf.reset_default_graph()
u = tf.placeholder(tf.float32, shape=(None,), name="u")
v = tf.placeholder(tf.float32, shape=(None,), name="v")
total = u + v   # fine for the static shapes (?,) and (?,)

sess = tf.Session()
try:
    sess.run(total, feed_dict={u: [1.0, 2.0, 3.0], v: [1.0, 2.0, 3.0, 4.0]})
    line_error = None
except tf.errors.InvalidArgumentError as error:
    line_error = error
    print("InvalidArgumentError:", error)

# %% [markdown]
# ## Name scopes
#
# Every operation has a unique name, made unique by a suffix (`add`, `add_1`, ...) when necessary. Real graphs
# have thousands of operations; `tf.name_scope` groups them with a path-like prefix, the way directories group
# files. Entering a scope name twice gives a fresh scope, `layer_1`, so two layers built by the same Python
# function never collide. Tools (TensorBoard, the drawing below) use the prefixes to fold a graph into boxes.

# %%
tf.reset_default_graph()
images = tf.placeholder(tf.float32, shape=(None, 784), name="images")


def dense(inputs, n_out, activation=None):
    with tf.name_scope("layer"):
        n_in = inputs.get_shape().as_list()[1]
        W = tf.Variable(np.full((n_in, n_out), 0.01, np.float32), name="W")
        bias = tf.Variable(np.zeros(n_out, np.float32), name="b")
        out = tf.matmul(inputs, W) + bias
        return activation(out) if activation else out


hidden = dense(images, 32, tf.nn.relu)
logits = dense(hidden, 10)
print(hidden)
print(logits)
print("variables:", [v.name for v in tf.global_variables()])

# %% [markdown]
# ## Looking at the whole graph
#
# Here is the network as a text listing: each operation with its type and the operations it takes inputs from.
# Variable plumbing (`initial_value`, `Assign`, `read`) is left out to keep it short. The type is TF's name for
# the shared op-library operation that runs — the very class eager mode runs too. Mostly the two names agree
# (`Add`, `Relu`); where they differ the listing shows TF's: the matrix product is `MatMul` here, while eager
# mode calls the same op `Mm` (its tape node is `MmBackward0`).

# %%
def graph_listing(graph, skip=("initial_value", "Assign", "read")):
    """One line per operation: name, type, and the operations its inputs come from."""
    lines = []
    for op in graph.get_operations():
        if op.name.rsplit("/", 1)[-1] in skip:
            continue
        sources = ", ".join(t.op.name for t in op.inputs)
        lines.append(f"{op.name:16} {op.type:12}" + (f" <- {sources}" if sources else ""))
    return lines


listing = graph_listing(tf.get_default_graph())
print("\n".join(listing))

# %% [markdown]
# If the `graphviz` Python package and Graphviz's `dot` program are installed, we also draw it, with one box per
# name scope. Neither is needed by minidl: without them the listing above is the picture.

# %%
def draw_graph(graph, path, skip=("initial_value", "Assign", "read")):
    """Render ``graph`` to ``path``.png with graphviz, a cluster per top-level name scope; None if unavailable."""
    if shutil.which("dot") is None:
        return None
    try:
        import graphviz
    except ImportError:
        return None
    colors = {"Placeholder": "lightyellow", "VariableV2": "lightblue", "Const": "lightgrey"}
    dot = graphviz.Digraph(graph_attr={"rankdir": "BT"}, node_attr={"shape": "box", "fontname": "Helvetica"})
    scopes = {}
    for op in graph.get_operations():
        if op.name.rsplit("/", 1)[-1] in skip:
            continue
        scope = op.name.split("/")[0] if "/" in op.name else None
        target = dot if scope is None else scopes.setdefault(scope, graphviz.Digraph(name="cluster_" + scope))
        target.node(op.name, f"{op.name.rsplit('/', 1)[-1]}\n{op.type}", style="filled",
                    fillcolor=colors.get(op.type, "white"))
        for t in op.inputs:
            dot.edge(t.op.name, op.name, label=str(t.shape))
    for scope, cluster in scopes.items():
        cluster.attr(label=scope, style="rounded")
        dot.subgraph(cluster)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return dot.render(path, format="png", cleanup=True)


picture = draw_graph(tf.get_default_graph(), os.path.join(OUT, "04_two_layer_graph"))
print("drew", picture if picture else "nothing: graphviz (the Python package and the `dot` program) is not "
      "installed, so the listing above is the picture")

# %% [markdown]
# ## Summary
#
# * Building adds operations to a graph and returns symbolic tensors; only `Session.run` computes.
# * Placeholders are fed per run; static shapes (with `?` for unknown dimensions) catch mismatches early.
# * Variable values live in a session, and you decide when to initialize them.
# * A run executes only the operations its fetches need, stopping at fed tensors: that is pruning.
# * Run-time errors name the operation and the line of your code that created it.
#
# The next chapter uses the fact that gradients, too, are just more operations added to the graph.
#
# ## Checks

# %%
# building computes nothing; running returns the structure asked for
assert c.name == "mul:0" and c.op.type == "Mul" and tuple(c.shape) == (2,) and c.dtype == np.float32
assert fetched["product"].tolist() == [3.0, 6.0] and isinstance(fetched["factors"], tuple)
assert fetched["factors"][0] == 3.0 and fetched["factors"][1].tolist() == [1.0, 2.0]

# static shapes
assert str(tf.placeholder(tf.float32, (None, 784)).shape) == "(?, 784)"
assert str(scores.shape) == "(?, 10)" and scores_value.shape == (2, 10)
assert np.allclose(scores_value, 7.84, atol=1e-3)
assert build_error is not None and "784" in str(build_error) and "100" in str(build_error)
assert "Cannot feed value of shape (50, 2352)" in str(feed_shape_error) and "(?, 784)" in str(feed_shape_error)
assert "You must feed a value for placeholder tensor 'x'" in str(missing_feed_error)

# variables: explicit initialization, values per session
assert "Attempting to use uninitialized value W" in str(uninitialized_error)
assert "W = tf.Variable(" in str(uninitialized_error)       # the error quotes the line that made W
assert y_value.tolist() == [[6.0, 6.0], [22.0, 22.0]]
assert counts == (3, 0) and recount == 0

# pruning
assert value == 5.0 and printed == ["constant part ran: a, b = [2][3]"] and ran_constant == ["add", "constant_part"]
assert "You must feed a value for placeholder tensor 'x'" in str(pruning_error)
assert printed_x == ["constant part ran: a, b = [2][3]", "x branch ran: x = [10]"] and value_x == 50.0
assert "x" not in ran_x and ran_x == ["add", "constant_part", "mul", "needs_x"]
assert value_cut == 1000.0 and printed_cut == ["x branch ran: x = [10]"] and ran_cut == ["mul", "needs_x"]

# errors name the op and the line that built it
assert "Caused by op 'add', defined at" in str(line_error) and "total = u + v" in str(line_error)
assert line_error.op.defined_at.lineno > 0

# name scopes
assert hidden.name.startswith("layer/") and logits.name.startswith("layer_1/")
assert [v.name for v in tf.global_variables()] == ["layer/W:0", "layer/b:0", "layer_1/W:0", "layer_1/b:0"]
assert str(hidden.shape) == "(?, 32)" and str(logits.shape) == "(?, 10)"
assert any(line.startswith("layer/MatMul") for line in listing)
assert picture is None or os.path.exists(picture)
print("chapter 4: all checks passed")
