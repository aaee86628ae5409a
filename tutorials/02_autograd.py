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
# # Chapter 2 — Automatic differentiation
#
# Training a network means following the gradient of a loss with respect to millions of parameters. Nobody
# writes those derivatives by hand: the framework **records** what the forward computation did and then applies
# the chain rule backwards through that record. This chapter first does it by hand for a function small enough
# to follow, then lets minidl do it, and then looks inside the record — the *tape* — to see what it did.

# %%
import os
import shutil

import numpy as np

import minidl.eager as torchlike
from minidl.eager import autograd

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")

# %% [markdown]
# ## The chain rule by hand
#
# Our function is a single neuron with a squared-error loss. Input `x` (3 numbers), weights `w`, bias `b`,
# target `y`:
#
# $$ z = w \cdot x + b, \qquad a = \tanh(z), \qquad L = (a - y)^2 .$$
#
# We want $\partial L / \partial w$ and $\partial L / \partial b$. The chain rule says: multiply the local
# derivatives along the path from $L$ back to the parameter,
#
# $$ \frac{\partial L}{\partial w} = \underbrace{2(a - y)}_{\partial L/\partial a}\;
#    \underbrace{(1 - a^2)}_{\partial a / \partial z}\; \underbrace{x}_{\partial z / \partial w}, \qquad
#    \frac{\partial L}{\partial b} = 2(a - y)\,(1 - a^2)\cdot 1 .$$
#
# Notice the order that makes this cheap: start at the output with $\partial L/\partial L = 1$ and walk
# *backwards*, multiplying by one local derivative per step. Each intermediate result ("the gradient of $L$
# with respect to $a$", then "...with respect to $z$") is reused by everything further back. That is
# **reverse-mode** differentiation, and it is why one backward pass costs about as much as one forward pass,
# however many parameters there are.

# %%
x_np = np.array([0.5, -1.0, 2.0])
w_np = np.array([0.3, 0.8, -0.5])
b_np = 0.1
y_np = 0.5

# forward, keeping the intermediate values (the backward pass needs them)
z = w_np @ x_np + b_np
a = np.tanh(z)
L = (a - y_np) ** 2

# backward: one local derivative per step, from the output back
dL_da = 2 * (a - y_np)
dL_dz = dL_da * (1 - a ** 2)     # d tanh(z)/dz = 1 - tanh(z)^2
dL_dw = dL_dz * x_np             # dz/dw = x
dL_db = dL_dz * 1.0              # dz/db = 1
print(f"z = {z:.4f}   a = {a:.4f}   L = {L:.4f}")
print("dL/dw by hand:", dL_dw, "  dL/db by hand:", dL_db)

# %% [markdown]
# Let us make sure we did not slip: nudge each parameter a little up and down and see how $L$ moves
# (a *central difference*, $(L(p+\varepsilon) - L(p-\varepsilon)) / 2\varepsilon$).

# %%
def loss_np(w, b):
    return (np.tanh(w @ x_np + b) - y_np) ** 2


eps = 1e-6
numeric_dw = np.array([(loss_np(w_np + eps * e, b_np) - loss_np(w_np - eps * e, b_np)) / (2 * eps)
                       for e in np.eye(3)])
numeric_db = (loss_np(w_np, b_np + eps) - loss_np(w_np, b_np - eps)) / (2 * eps)
print("dL/dw numerically:", numeric_dw, "  dL/db numerically:", numeric_db)

# %% [markdown]
# ## The same with `requires_grad` and `backward()`
#
# Now we write only the forward computation. Tensors created with `requires_grad=True` are the ones we want
# gradients for; every operation that touches them is recorded. `L.backward()` runs the chain rule backwards
# through the record and **adds** each gradient to the `.grad` of the tensor it belongs to.
#
# We use float64 here (by handing in numpy float64 arrays, whose dtype is kept) so that the comparison with the
# numpy results above can be tight.

# %%
x = torchlike.tensor(x_np)                       # data: no gradient wanted
w = torchlike.tensor(w_np, requires_grad=True)   # parameters
b = torchlike.tensor(b_np, dtype=torchlike.float64, requires_grad=True)


def loss(w, b):
    z = (w * x).sum() + b
    a = z.tanh()
    return (a - y_np) ** 2


L_t = loss(w, b)
print(L_t)
L_t.backward()
print("w.grad:", w.grad)
print("b.grad:", b.grad)

# %% [markdown]
# The same numbers. Note what `print(L_t)` showed: `grad_fn=<PowBackward0>`. Every tensor computed from a
# tensor that requires grad remembers the node of the tape that made it.

# %% [markdown]
# ## Walking the tape
#
# The tape is a graph. Each non-leaf tensor has a `grad_fn`, a node for the operation that produced it (named
# after it: `MulBackward0`, `TanhBackward0`, ...). A node's `next_functions` lists, for each input of the
# operation, `(node that produced that input, which of its outputs)`:
#
# * another operation's node, if the input was itself computed;
# * an `AccumulateGrad` node if the input is a **leaf** that requires grad — its job is to add the gradient
#   into the leaf's `.grad` (`node.variable` is that leaf);
# * `None` if the input needs no gradient (a constant, or data like our `x`).
#
# Here is a small function that walks that graph and prints it as an indented tree. It uses an explicit stack
# instead of recursion — a deep network (or a long recurrent one) has tapes thousands of nodes deep, more than
# Python's recursion limit, and minidl's own backward walk avoids recursion for the same reason. A node
# reached a second time (a value used twice) is printed once more but not expanded again.

# %%
def tape_lines(tensor, names=None):
    """The tape below ``tensor`` as lines of text, one node per line, indented by depth."""
    names = names or {}
    lines, expanded = [], set()
    stack = [(tensor.grad_fn, 0)]
    while stack:
        fn, depth = stack.pop()
        indent = "    " * depth
        if fn is None:
            lines.append(indent + "None  (needs no gradient)")
            continue
        label = fn.name()
        leaf = getattr(fn, "variable", None)
        if leaf is not None:
            label += f"  -> {names.get(id(leaf), 'a leaf')}.grad  {list(leaf.shape)}"
        if id(fn) in expanded:
            lines.append(indent + label + "  (already shown)")
            continue
        expanded.add(id(fn))
        lines.append(indent + label)
        for child, _ in reversed(fn.next_functions):  # reversed: the stack pops the first input first
            stack.append((child, depth + 1))
    return lines


names = {id(w): "w", id(b): "b"}
L_t = loss(w, b)
neuron_tape = tape_lines(L_t, names)
print("\n".join(neuron_tape))

# %% [markdown]
# Read it from the top: the loss came from a power (`** 2`), of a subtraction (`a - y`), of a `tanh`, of an
# addition whose inputs are a sum (of `w * x`) and the leaf `b`. The target `y` and the data `x` need no
# gradient, hence `None`. The last `None` is the exponent `2`: minidl's `PowBackward0` keeps an entry for each
# argument, the plain Python number included. PyTorch's `PowBackward0` for a Python-number exponent has just one
# `next_functions` entry (the base), so the same tree printed by PyTorch lacks that last line.
# `backward()` visits the nodes in this order, each one turning the gradient of its output into gradients of
# its inputs — exactly the steps we wrote by hand.
#
# ### A picture (optional)
#
# If the `graphviz` Python package and Graphviz's `dot` program are installed, we can also draw the tape.
# Neither is required by minidl, so the drawing is skipped (and the text above is the picture) when they are
# missing.

# %%
def draw_tape(tensor, path, names=None):
    """Render the tape below ``tensor`` to ``path``.png with graphviz; return the file name, or None."""
    if shutil.which("dot") is None:
        return None
    try:
        import graphviz
    except ImportError:
        return None
    names = names or {}
    dot = graphviz.Digraph(graph_attr={"rankdir": "BT"}, node_attr={"shape": "box", "fontname": "Helvetica"})
    stack, seen = [tensor.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        leaf = getattr(fn, "variable", None)
        label = names.get(id(leaf), "leaf") if leaf is not None else fn.name()
        dot.node(str(id(fn)), label, style="filled", fillcolor="lightblue" if leaf is not None else "white")
        for child, _ in fn.next_functions:
            if child is not None:
                dot.edge(str(id(child)), str(id(fn)))
                stack.append(child)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return dot.render(path, format="png", cleanup=True)


picture = draw_tape(L_t, os.path.join(OUT, "02_neuron_tape"), names)
print("drew", picture if picture else "nothing: graphviz (the Python package and the `dot` program) is not "
      "installed, so the text tree above is the picture")

# %% [markdown]
# ## Gradients accumulate
#
# `backward()` *adds* into `.grad`; it never overwrites. That is deliberate — it is how a parameter used in
# several places, or several losses, or several small batches ("gradient accumulation") get their gradients
# summed — but it means you must clear `.grad` between training steps.
#
# By default `backward()` also frees the tape's saved values as it goes (they are often the bulk of the memory).
# To run backward through the same tape twice, pass `retain_graph=True` the first time.

# %%
w.grad = None
b.grad = None
L_t = loss(w, b)
L_t.backward(retain_graph=True)
first = w.grad.numpy().copy()
L_t.backward(retain_graph=True)
print("after one backward:  ", first)
print("after two backwards: ", w.grad, " <- doubled")
twice = w.grad.numpy().copy()

L_t.backward()  # a third time, and this time the saved values are freed
try:
    L_t.backward()
    freed_error = None
except RuntimeError as error:
    freed_error = error
    print("RuntimeError:", str(error)[:110], "...")

w.grad.zero_()   # clear in place (keeps the tensor) ...
b.grad = None    # ... or simply drop it
print("cleared:", w.grad, b.grad)

# %% [markdown]
# ## Switching recording off: `no_grad`
#
# Recording costs time and memory, and some computations must not be recorded at all — evaluating a model, or
# updating its parameters. Inside `with torchlike.no_grad():` nothing is recorded: results have no `grad_fn`,
# and a leaf that requires grad may be changed in place. (`t.detach()` is the per-tensor version: the same data,
# cut off from the tape.)
#
# Here is the smallest possible training loop: gradient descent on our neuron. Note the three steps — forward
# and backward, an update under `no_grad`, and clearing the gradients.

# %%
with torchlike.no_grad():
    evaluated = loss(w, b)
print("under no_grad:", evaluated, " requires_grad:", evaluated.requires_grad, " grad_fn:", evaluated.grad_fn)

losses = []
for step in range(30):
    L_t = loss(w, b)
    losses.append(L_t.item())
    L_t.backward()
    with torchlike.no_grad():
        w -= 0.1 * w.grad     # in place on a leaf: allowed only because nothing is recorded
        b -= 0.1 * b.grad
    w.grad.zero_()
    b.grad.zero_()
print("loss every 5 steps:", "  ".join(f"{value:.1e}" for value in losses[::5]))

# %% [markdown]
# ## `autograd.grad`, and derivatives of derivatives
#
# `backward()` writes into `.grad` of every leaf. `autograd.grad(outputs, inputs)` instead *returns* the
# gradients with respect to the tensors you name, and leaves `.grad` alone — handy when a gradient is a value
# you want to compute with, rather than something an optimizer consumes.

# %%
w2 = torchlike.tensor(w_np, requires_grad=True)
b2 = torchlike.tensor(b_np, dtype=torchlike.float64, requires_grad=True)
gw, gb = autograd.grad(loss(w2, b2), (w2, b2))
print("autograd.grad:", gw, gb, "  w2.grad is still", w2.grad)

# %% [markdown]
# With `create_graph=True` the backward pass is itself recorded, so the gradient it returns has a `grad_fn`
# and can be differentiated again. Take $f(t) = \tanh t$: $f' = 1 - \tanh^2 t$ and
# $f'' = -2 \tanh t \,(1 - \tanh^2 t)$. And for $t^3$ we can keep going: $3t^2$, $6t$, $6$.

# %%
t = torchlike.tensor(0.7, dtype=torchlike.float64, requires_grad=True)
f = t.tanh()
(df,) = autograd.grad(f, t, create_graph=True)
print("f'  =", df)
(d2f,) = autograd.grad(df, t)
print("f'' =", d2f)
th = np.tanh(0.7)
print("by hand:", 1 - th ** 2, -2 * th * (1 - th ** 2))

cube = t ** 3
(d1,) = autograd.grad(cube, t, create_graph=True)
(d2,) = autograd.grad(d1, t, create_graph=True)
(d3,) = autograd.grad(d2, t)
print(f"t^3 at t = 0.7:  d/dt = {d1.item():.4f} (3t^2 = {3 * 0.7 ** 2:.4f}),  d2/dt2 = {d2.item():.4f} "
      f"(6t = {6 * 0.7:.4f}),  d3/dt3 = {d3.item():.4f}")

# %% [markdown]
# ## A value used more than once
#
# A classic puzzle: what is $dc/dx$ here?
#
# ```python
# a = x
# b = a + a
# c = b + b
# ```
#
# `a` is not a copy — it *is* `x`. So `b = 2x`, `c = 4x`, and the answer is 4. The tape gets this right because
# of one rule: **when a value is used more than once, the gradients arriving along each use are summed.**
# `c`'s node sends a gradient of 1 down each of its two edges, and both edges lead to `b`'s node, which therefore
# receives 1 + 1 = 2; it sends 2 down each of its two edges to `x`, which receives 2 + 2 = 4.
#
# The backward walk makes sure a node has received *all* its contributions before it runs (it counts, for every
# node, how many consumers are still to report), so nothing is sent on half-finished.

# %%
x = torchlike.tensor(3.0, requires_grad=True)
a = x
b = a + a
c = b + b
c.backward()
dc_dx = x.grad.item()
print("dc/dx =", x.grad)
c_tape = tape_lines(c, {id(x): "x"})
print("\n".join(c_tape))

# %% [markdown]
# The same rule in a less symmetric case. With $h = e^x$ and $y = h\cdot h + h$, the value $h$ feeds three
# places; $\partial y/\partial h = 2h + 1$ and so $dy/dx = (2h + 1)\,e^x$. A hook on `h` (a function called with
# the gradient that reaches a tensor) shows that `h` is handed its gradient once, already summed.

# %%
x = torchlike.tensor(0.5, dtype=torchlike.float64, requires_grad=True)
h = x.exp()
seen_at_h = []
h.register_hook(lambda grad: seen_at_h.append(grad.item()))
y = h * h + h
y.backward()
e = np.exp(0.5)
print("gradient reaching h:", seen_at_h, "  2h + 1 =", 2 * e + 1)
print("dy/dx:", x.grad.item(), "  (2h + 1) e^x =", (2 * e + 1) * e)

# %% [markdown]
# ## Checks

# %%
assert np.allclose(dL_dw, numeric_dw, atol=1e-6) and np.isclose(dL_db, numeric_db, atol=1e-6)
assert np.allclose(gw.numpy(), dL_dw, atol=1e-12) and np.isclose(gb.item(), dL_db, atol=1e-12)
assert w2.grad is None and b2.grad is None                       # autograd.grad left .grad alone

# the tape of the neuron, top to bottom
assert [line.split()[0] for line in neuron_tape] == [
    "PowBackward0", "SubBackward0", "TanhBackward0", "AddBackward0", "SumBackward0", "MulBackward0",
    "AccumulateGrad", "None", "AccumulateGrad", "None", "None"], neuron_tape
assert neuron_tape[6].strip().startswith("AccumulateGrad  -> w.grad") and "b.grad" in neuron_tape[8]

# accumulation, freeing, clearing
assert np.allclose(first, dL_dw) and np.allclose(twice, 2 * first)
assert freed_error is not None and "second time" in str(freed_error)
assert evaluated.grad_fn is None and not evaluated.requires_grad
assert losses[-1] < 1e-6 * losses[0]

# higher order
assert np.isclose(df.item(), 1 - th ** 2) and np.isclose(d2f.item(), -2 * th * (1 - th ** 2))
assert np.isclose(d1.item(), 3 * 0.7 ** 2) and np.isclose(d2.item(), 6 * 0.7) and np.isclose(d3.item(), 6.0)

# values used more than once
assert c.item() == 12.0 and dc_dx == 4.0
assert [line.strip() for line in c_tape] == [
    "AddBackward0", "AddBackward0", "AccumulateGrad  -> x.grad  []", "AccumulateGrad  -> x.grad  []  (already shown)",
    "AddBackward0  (already shown)"], c_tape
assert np.isclose(seen_at_h, [2 * e + 1]).all() and len(seen_at_h) == 1
assert np.isclose(x.grad.item(), (2 * e + 1) * e)
print("chapter 2: all checks passed")
