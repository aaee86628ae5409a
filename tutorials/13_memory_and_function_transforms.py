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
# # Chapter 13 — Paying memory with compute, and models as functions
#
# Chapter 2 built the tape: every op recorded during the forward pass leaves a node behind, and `backward()`
# walks those nodes in reverse. This chapter looks at two consequences of that design and at the tools that
# work around them.
#
# 1. **The tape costs memory.** A node must keep the values its VJP will read until the backward pass reaches
#    it, so a deeper network holds more arrays at once. We *measure* what minidl's tape holds, then use
#    **gradient checkpointing** (`torchlike.utils.checkpoint`) to keep only a few of those values and recompute
#    the rest during the backward pass: less memory, for about one extra forward pass.
# 2. **`backward()` gives one gradient per batch.** It sums over the examples before anyone can look at them
#    one at a time. The **function transforms** of `torchlike.func` (`grad`, `vmap`, `functional_call`,
#    `jacrev`, `hessian`) treat a model as a pure function of its parameters, and from that view one gradient
#    *per example* is a one-liner. We use it to find the digits the model struggles with and to train with
#    per-example clipping, the core of differentially private SGD. A Hessian checked against its closed form
#    closes the chapter.
#
# Everything runs on the bundled 8×8 digits.

# %%
import os
import time
import tracemalloc
import warnings

import numpy as np

import minidl.eager as torchlike
from minidl.datasets import load_digits
from minidl.eager import nn, optim
from minidl.eager.func import functional_call, grad, hessian, jacrev, vmap
from minidl.eager.nn import functional as F
from minidl.eager.utils.checkpoint import checkpoint, checkpoint_sequential
from minidl.io.png import encode_png, image_grid

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")
os.makedirs(OUT, exist_ok=True)

torchlike.manual_seed(0)  # weights and dropout masks come from minidl's generator: the chapter is reproducible

x_train, y_train, x_test, y_test = load_digits()          # (n, 64) float32 pixels in [0, 1], int64 labels
print("train", x_train.shape, "test", x_test.shape)

# %% [markdown]
# ## 1. What the tape keeps alive
#
# Take a stack of $n$ blocks, each a linear layer and a tanh:
#
# $$ a_\ell = h_{\ell-1} W_\ell^\top + b_\ell, \qquad h_\ell = \tanh(a_\ell), \qquad \ell = 1 \dots n. $$
#
# The backward pass needs, for every block,
#
# $$ \frac{\partial L}{\partial W_\ell} = \Big(\frac{\partial L}{\partial a_\ell}\Big)^{\!\top} h_{\ell-1},
#    \qquad \frac{\partial L}{\partial a_\ell} = \frac{\partial L}{\partial h_\ell} \odot (1 - h_\ell^2), $$
#
# so the block's input $h_{\ell-1}$ and its output $h_\ell$ must still exist when the backward pass arrives —
# and it arrives at block 1 *last*. Between the end of the forward and that moment, every block's activations
# are alive together: memory grows linearly with depth, by (batch × width) numbers per saved array per block.
# The parameters are small beside that as soon as the batch is larger than the width.
#
# We do not have to take this on faith. A node's `inputs` are the tensors it was called with, its
# `saved_outputs` the output arrays its VJP reads (tanh's backward uses $1 - y^2$, so it keeps $y$), and
# `next_functions` leads to the nodes that made its inputs. (`inputs` and `saved_outputs` are minidl's tape
# internals: PyTorch's nodes have neither, and show what they saved as `_saved_self`, `_saved_result`,
# `_saved_mat1`, ... instead, so under PyTorch the walk below would find nothing.) Walking from `loss.grad_fn`
# therefore finds every array the tape holds. Several nodes share an array (the tanh's output is the next linear
# layer's input), and a transpose is a view of its matrix, so we count each *buffer* once, by following numpy's
# `.base` to the memory's owner. The parameters and the input batch live on whether or not a tape exists, so we
# set them apart: what remains is what recording costs.

# %%
def owner(array):
    """The array that owns the memory ``array`` looks at (views point at it through ``.base``)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def tape_arrays(output):
    """{id: array} of every buffer the tape below ``output`` keeps alive, and the number of nodes visited."""
    held, stack, seen = {}, [output.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        things = list(getattr(node, "inputs", None) or ())   # a leaf's AccumulateGrad holds nothing
        # checkpoint's node also takes its block's outputs as one tuple argument
        things += [t for thing in things if isinstance(thing, tuple) for t in thing]
        for thing in things:
            if isinstance(thing, torchlike.Tensor):
                array = owner(thing.detach().numpy())
                held[id(array)] = array
        for array in getattr(node, "saved_outputs", None) or ():
            held[id(owner(array))] = owner(array)
        stack.extend(child for child, _ in node.next_functions)
    return held, len(seen)


def recording_bytes(output, alive_anyway):
    """Bytes the tape keeps beyond the tensors in ``alive_anyway`` (parameters, the input batch)."""
    held, _ = tape_arrays(output)
    skip = {id(owner(t.detach().numpy())) for t in alive_anyway}
    return sum(a.nbytes for key, a in held.items() if key not in skip)

# %% [markdown]
# The network of this section: 64 pixels → `WIDTH` units, then `depth` blocks of `Linear(WIDTH, WIDTH)` + tanh,
# then 10 logits. Each block is its own `nn.Sequential`, so that the model's children are exactly "input
# layer, block, block, …, output layer" — what `checkpoint_sequential` will cut into segments later.
# (Not a network anyone should train at depth 64 without residual connections; here only its memory matters.)

# %%
WIDTH, BATCH = 128, 256
X = torchlike.tensor(x_train[:BATCH])
Y = torchlike.tensor(y_train[:BATCH])
ACTIVATION_BYTES = BATCH * WIDTH * 4                       # one (batch, width) float32 array


def deep_mlp(depth, dropout=0.0, seed=0):
    torchlike.manual_seed(seed)
    blocks = [nn.Sequential(nn.Linear(WIDTH, WIDTH), nn.Tanh(), *([nn.Dropout(dropout)] if dropout else []))
              for _ in range(depth)]
    return nn.Sequential(nn.Linear(64, WIDTH), *blocks, nn.Linear(WIDTH, 10))


small = deep_mlp(2)
loss = F.cross_entropy(small(X), Y)
held, n_nodes = tape_arrays(loss)
parameters_and_data = list(small.parameters()) + [X]
print(f"depth 2: {n_nodes} nodes, {len(held)} buffers held, of which "
      f"{recording_bytes(loss, parameters_and_data) / ACTIVATION_BYTES:.2f} activation-sized arrays beyond the "
      f"parameters and the data")
for array in sorted(held.values(), key=lambda a: -a.nbytes)[:6]:
    print("   ", array.shape, array.dtype, f"{array.nbytes / 1024:.0f} KiB")

# %% [markdown]
# Each block adds **one** (256, 128) array: its output $h_\ell$, which tanh's VJP reads ($1 - h_\ell^2$) and
# which is also the next block's input, read again by that block's linear layer for $\partial L/\partial W$.
# The pre-activation $a_\ell$ is not kept, although it is the tanh node's input: tanh's VJP never reads it. Of
# such an input a node keeps only a *stand-in* with the same shape, dtype and device — one zero, broadcast, which
# holds no memory — because the backward pass still checks each gradient's shape and dtype against it. So
# $a_\ell$ is freed as soon as the forward has moved on, as PyTorch frees it. (Holding the input itself would
# cost a second activation per block; minidl did exactly that until this chapter's measurement showed it.)
#
# Now the same count as the network gets deeper, next to a second, independent measurement: Python's
# `tracemalloc` sees numpy's allocations, and its **peak** over a whole forward + backward step is the memory a
# training step actually needs (the tape's contents plus the gradients being computed and whatever is
# temporarily alive in between).

# %%
def step_peak_bytes(run_step):
    """Peak of traced memory during ``run_step()``, above what was allocated when it began."""
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run_step()
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


def train_step(model, forward):
    """One forward + backward; returns the bytes the tape held between the two."""
    model.zero_grad(set_to_none=True)
    loss = F.cross_entropy(forward(model, X), Y)
    on_tape = recording_bytes(loss, list(model.parameters()) + [X])
    loss.backward()
    return on_tape


def plain(model, x):
    return model(x)


DEPTHS = [4, 9, 16, 25, 36, 49, 64]
measured = {"plain": {"tape": [], "peak": [], "ms": []}, "checkpointed": {"tape": [], "peak": [], "ms": []}}
weight_bytes = []                 # the gradients a step must produce take as much room as the weights
for depth in DEPTHS:
    model = deep_mlp(depth)
    weight_bytes.append(sum(p.detach().numpy().nbytes for p in model.parameters()))
    measured["plain"]["tape"].append(train_step(model, plain))
    measured["plain"]["peak"].append(step_peak_bytes(lambda: train_step(model, plain)))
print("depth:                    ", DEPTHS)
print("tape (activation arrays): ", [round(b / ACTIVATION_BYTES, 1) for b in measured["plain"]["tape"]])
print("step peak (MiB):          ", [round(b / 2 ** 20, 1) for b in measured["plain"]["peak"]])
print("weight gradients (MiB):    ", [round(b / 2 ** 20, 1) for b in weight_bytes])

# %% [markdown]
# Both grow in a straight line with depth. The peak lies above the tape by about what the step *produces*: the
# weights' gradients, one 128×128 matrix per block (half an activation here), which come into being during the
# backward pass while the activations are still being used, and the backward pass's own short-lived
# gradients. The deepest network's tape holds about 8 MiB of activations for a batch of 256 tiny images; with
# real images, widths and batches this is what runs out first on a GPU.
#
# ## 2. Gradient checkpointing: recompute instead of remember
#
# The activations are only needed *again* in the backward pass. So we could throw them away and compute them a
# second time when they are needed, from something we did keep. That is **gradient checkpointing** (Chen et
# al., 2016, "Training Deep Nets with Sublinear Memory Cost"):
#
# * cut the $n$ blocks into $k$ segments and run each segment **without recording**, keeping only the
#   segment's input (a "checkpoint") — $k$ arrays for the whole forward;
# * the tape gets a single node per segment. When the backward pass reaches it, it runs the segment *again*
#   from its saved input, this time recording, and backpropagates through that short fresh tape, which is
#   freed before the next segment is recomputed.
#
# At any moment the memory holds the $k$ checkpoints plus one segment's activations, about
# $k + n/k$ arrays, which is smallest at $k = \sqrt n$: **$O(\sqrt n)$ instead of $O(n)$**. The price: every
# block but those of the last segment runs its forward twice. A backward pass costs roughly two forwards (one
# product for the gradient of the input, one for the weights), so a step goes from about 3 forward-costs to
# about 4 — about a third more time, whatever the depth. Measured, expect somewhere between a fifth and a half
# more, depending on the machine and how busy it is; the comparison below prints the median ratio.
#
# `checkpoint(fn, *args, use_reentrant=False)` does this for one function; `checkpoint_sequential(model,
# segments, x, use_reentrant=False)` cuts an `nn.Sequential` into segments and checkpoints all but the last
# (the last one's activations are needed right away, so recomputing them would be wasted work).
#
# First the two promises that matter most: the gradients are the same, and each recomputed block runs once more.
# A forward hook on every block counts its calls.

# %%
def checkpointed(model, x):
    segments = max(1, round(np.sqrt(len(model))))             # len(model): its children, blocks + 2 layers
    return checkpoint_sequential(model, segments, x, use_reentrant=False)


def gradients(model, forward):
    model.zero_grad(set_to_none=True)
    F.cross_entropy(forward(model, X), Y).backward()
    return [p.grad.numpy().copy() for p in model.parameters()]


net16 = deep_mlp(16)
calls = {}
for name, child in net16.named_children():
    child.register_forward_hook(lambda module, args, out, name=name: calls.__setitem__(name, calls.get(name, 0) + 1))
grads_plain = gradients(net16, plain)
calls_plain, calls = calls, {}
grads_checkpointed = gradients(net16, checkpointed)
calls_checkpointed = dict(calls)                               # (the hooks stay and count later calls too)
checkpoint_gap = max(float(np.abs(a - b).max()) for a, b in zip(grads_plain, grads_checkpointed))
print(f"{len(net16)} children in {round(np.sqrt(len(net16)))} segments; largest gradient difference "
      f"{checkpoint_gap:.1e}")
print("forward calls per child, plain:       ", "".join(str(calls_plain[n]) for n in sorted(calls_plain, key=int)))
print("forward calls per child, checkpointed:", "".join(str(calls_checkpointed[n]) for n in sorted(calls, key=int)))

# %% [markdown]
# The gradients agree to the last bit — the recomputation does exactly the same arithmetic in the same order.
# The children of the first three segments ran twice (once untaped in the forward, once recording in the
# backward), those of the last segment once.
#
# PyTorch prints a different pattern here, `222122212221111111`. Its non-reentrant checkpoint by default stops
# the recomputation as soon as the last value the backward pass needs has been rebuilt — inside each segment's
# last child, before that child's forward returns — so the hook on that child fires only once. (Inside
# `torch.utils.checkpoint.set_checkpoint_early_stop(False)` it prints minidl's pattern.) minidl always
# recomputes the whole segment; the gradients are the same either way.
#
# Now memory and time against depth, side by side with the plain network. The time is the best of three
# steps, to keep the machine's background noise out of it.

# %%
def best_ms(model, forward, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        train_step(model, forward)
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


for depth in DEPTHS:
    model = deep_mlp(depth)
    measured["checkpointed"]["tape"].append(train_step(model, checkpointed))
    measured["checkpointed"]["peak"].append(step_peak_bytes(lambda: train_step(model, checkpointed)))
    for name, forward in (("plain", plain), ("checkpointed", checkpointed)):
        measured[name]["ms"].append(best_ms(model, forward))

print(f"{'depth':>5} {'tape plain':>11} {'tape ckpt':>10} {'peak plain':>11} {'peak ckpt':>10} "
      f"{'ms plain':>9} {'ms ckpt':>8}   (tape in activation arrays, peak in MiB)")
for i, depth in enumerate(DEPTHS):
    p, c = measured["plain"], measured["checkpointed"]
    print(f"{depth:5} {p['tape'][i] / ACTIVATION_BYTES:11.1f} {c['tape'][i] / ACTIVATION_BYTES:10.1f} "
          f"{p['peak'][i] / 2 ** 20:11.1f} {c['peak'][i] / 2 ** 20:10.1f} {p['ms'][i]:9.1f} {c['ms'][i]:8.1f}")
time_ratio = np.median(np.array(measured["checkpointed"]["ms"]) / np.array(measured["plain"]["ms"]))
print(f"median time ratio, checkpointed / plain: {time_ratio:.2f}")

# %% [markdown]
# The checkpointed tape holds only the segment inputs and the last segment's activations, so it grows like
# $\sqrt n$: 16 arrays at depth 64 instead of 65. The peak of the step falls by about 40 %, not by four, and the
# reason is instructive: with the activations out of the way, the largest thing left is the step's *result*,
# the weight gradients, which grow linearly with depth and which no trick can skip. The checkpointed peak comes
# near the end of the backward pass: almost all the weight gradients exist by then, beside one recomputed
# segment's tape. Beyond the weight gradients it needs under a third of the plain network's peak. The time
# went up by the median ratio printed above: typically 1.2 to 1.5 times the plain step (more on a busy machine),
# around the third more that the count predicted.
#
# The picture, `13_checkpoint_memory_time.png`: on the left the peak memory of a step against depth (0 to 64
# across, 0 at the bottom), on the right the time of a step against depth; the plain network in blue, the
# checkpointed one in orange, a square at each measured depth. The green line on the left is the size of the
# weight gradients alone: the floor that checkpointing cannot go below. Light grey lines mark every 16 blocks across,
# and every 8 MiB (left) or every 20 ms (right) up. minidl needs no plotting library: a chart is an array of
# pixels, drawn below with a few numpy assignments and written with `encode_png` (as in chapters 11 and 12).

# %%
BLUE, ORANGE, GREEN, GREY = (31, 119, 180), (255, 127, 14), (44, 160, 44), (220, 220, 220)


def line_panel(xs, series, x_top, y_top, x_grid, y_grid, width=320, height=240, margin=16):
    """A chart as a (height, width, 3) uint8 array: each series a polyline with a square at every point."""
    canvas = np.full((height, width, 3), 255, np.uint8)

    def col(x):
        return int(round(margin + x / x_top * (width - 2 * margin)))

    def row(y):
        return int(round(height - margin - y / y_top * (height - 2 * margin)))

    for x in np.arange(x_grid, x_top + 1e-9, x_grid):
        canvas[margin:height - margin, col(x)] = GREY
    for y in np.arange(y_grid, y_top + 1e-9, y_grid):
        canvas[row(y), margin:width - margin] = GREY
    canvas[height - margin, margin:width - margin] = 0            # x axis
    canvas[margin:height - margin + 1, margin] = 0                # y axis
    for ys, color in series:
        points = [(col(x), row(y)) for x, y in zip(xs, ys)]
        for (c0, r0), (c1, r1) in zip(points[:-1], points[1:]):
            steps = max(abs(c1 - c0), abs(r1 - r0)) + 1            # one dot per pixel along the segment
            for c, r in zip(np.linspace(c0, c1, steps).round().astype(int),
                            np.linspace(r0, r1, steps).round().astype(int)):
                canvas[r - 1:r + 1, c - 1:c + 1] = color
        for c, r in points:
            canvas[r - 3:r + 4, c - 3:c + 4] = color
    return canvas


peak_mib = {name: np.array(measured[name]["peak"]) / 2 ** 20 for name in measured}
ms = {name: np.array(measured[name]["ms"]) for name in measured}
memory_panel = line_panel(DEPTHS, [(np.array(weight_bytes) / 2 ** 20, GREEN), (peak_mib["plain"], BLUE),
                                   (peak_mib["checkpointed"], ORANGE)], x_top=64,
                          y_top=8 * np.ceil(peak_mib["plain"].max() / 8), x_grid=16, y_grid=8)
time_panel = line_panel(DEPTHS, [(ms["plain"], BLUE), (ms["checkpointed"], ORANGE)], x_top=64,
                        y_top=20 * np.ceil(max(ms["plain"].max(), ms["checkpointed"].max()) / 20),
                        x_grid=16, y_grid=20)
chart = np.concatenate([memory_panel, np.full((240, 12, 3), 255, np.uint8), time_panel], axis=1)
chart_png = os.path.join(OUT, "13_checkpoint_memory_time.png")
with open(chart_png, "wb") as file:
    file.write(encode_png(chart))
print("wrote", chart_png, chart.shape, os.path.getsize(chart_png), "bytes")

# %% [markdown]
# ### `use_reentrant`: why `False`
#
# PyTorch has two implementations of `checkpoint`, and minidl follows both; PyTorch asks you to choose
# explicitly (minidl, like PyTorch, warns when you do not, and then uses the old one).
#
# * `use_reentrant=True`, the original: the segment's node has the segment's *explicit tensor arguments* as
#   its inputs, and recomputes with a nested `backward()` that drops the parameters' gradients straight into
#   their `.grad`. If no argument requires grad, there is no node at all — and the data batch never requires
#   grad. The first segment's output then requires no grad either, nor does the next segment's, and so on.
# * `use_reentrant=False`, the recommended one: while the segment runs untaped, minidl notes every tensor that
#   requires grad which the segment's ops read — its parameters included — and makes them all inputs of the
#   node. It works whatever the arguments are, and `autograd.grad` through it works too.
#
# Here is the trap the first one sets, on our 16-block network fed with the digits:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    net16.zero_grad(set_to_none=True)
    F.cross_entropy(checkpoint_sequential(net16, 4, X, use_reentrant=True), Y).backward()
    missing = [name for name, p in net16.named_parameters() if p.grad is None]
print(f"use_reentrant=True: {len(missing)} of {len(list(net16.parameters()))} parameters got no gradient, "
      f"from '{missing[0]}' to '{missing[-1]}'")
print("warnings:", sorted({str(w.message) for w in caught}))

# %% [markdown]
# Only the last segment was trained; everything before it was silently frozen, with a warning as the only
# sign. (The classic workaround was to set `requires_grad` on the input batch; `use_reentrant=False` makes it
# unnecessary.)
#
# The trap is about the *argument*, not about the reentrant variant as such. `checkpoint(fn, *args)` wraps any
# function; here we place the checkpoints by hand, after the first layer, so that every checkpointed call gets
# a hidden state that requires grad — and then both variants give the plain network's gradients.

# %%
def run_blocks(h, blocks):
    for block in blocks:
        h = block(h)
    return h


def checkpointed_by_hand(model, x, use_reentrant):
    children = list(model.children())
    h = children[0](x)                                         # not checkpointed: h now requires grad
    for start in range(1, len(children) - 1, 4):               # the 16 blocks, 4 at a time
        h = checkpoint(run_blocks, h, children[start:start + 4], use_reentrant=use_reentrant)
    return children[-1](h)


by_hand_gap = {}
for reentrant in (True, False):
    by_hand = gradients(net16, lambda m, x: checkpointed_by_hand(m, x, reentrant))
    by_hand_gap[reentrant] = max(float(np.abs(a - b).max()) for a, b in zip(grads_plain, by_hand))
print("checkpoint by hand, largest difference from the plain gradients:",
      {f"use_reentrant={k}": f"{v:.1e}" for k, v in by_hand_gap.items()})

# %% [markdown]
# ### Dropout: replaying the random numbers
#
# A dropout layer draws a fresh mask on every call. If the recomputation in the backward pass drew a *new*
# mask, the gradient would belong to a different network from the one whose loss we computed. So `checkpoint`
# saves the random generator's state before the untaped run and restores it for the recomputation
# (`preserve_rng_state=True`, the default); the generator's state outside is put back afterwards, so the rest
# of the program draws what it would have drawn anyway. To see that it matters, we turn it off once.

# %%
def gradients_seeded(model, forward, seed=7):
    torchlike.manual_seed(seed)                               # the same masks for every variant's forward
    return gradients(model, forward)


dropout_model = deep_mlp(9, dropout=0.2).train()
dropout_plain = gradients_seeded(dropout_model, plain)
dropout_replayed = gradients_seeded(dropout_model, checkpointed)
dropout_fresh = gradients_seeded(dropout_model, lambda m, x: checkpoint_sequential(
    m, 3, x, use_reentrant=False, preserve_rng_state=False))
replayed_gap = max(float(np.abs(a - b).max()) for a, b in zip(dropout_plain, dropout_replayed))
fresh_gap = max(float(np.abs(a - b).max()) for a, b in zip(dropout_plain, dropout_fresh))
print(f"dropout, largest gradient difference from the plain network: masks replayed {replayed_gap:.1e}, "
      f"fresh masks {fresh_gap:.1e}")

# %% [markdown]
# ## 3. A model as a function of its parameters
#
# `backward()` answers one question: the gradient of *one* number, usually a loss averaged over the batch. The
# average is taken in the forward pass, before autograd starts, so the contribution of each example is gone.
# Asking for each example's own gradient with `backward()` means one backward pass per example, by hand.
#
# The functional view starts from a different place: write the loss as a **pure function** of everything it
# depends on,
#
# $$ \ell(\theta, x, y) = \mathrm{CE}\big(f_\theta(x),\ y\big), $$
#
# and let *transforms* turn functions into functions: `grad(ℓ)` is the function $(\theta, x, y) \mapsto
# \nabla_\theta \ell(\theta, x, y)$, and `vmap(g)` is the function that applies `g` to every slice of a batch.
# Composing them, `vmap(grad(ℓ), in_dims=(None, 0, 0))` maps $(\theta, X, Y) \mapsto [\nabla_\theta
# \ell(\theta, x_i, y_i)]_i$: the same parameters for all (`None`), one example each from `X` and `Y`
# (dim `0`).
#
# An `nn.Module` keeps its parameters inside itself, which is not a pure function. `functional_call(model,
# params, (x,))` makes it one: it runs `model(x)` with its parameters *temporarily replaced* by the tensors in
# the dict `params` (names as in `state_dict`). The model object becomes a recipe; the weights become an
# argument.
#
# First a small classifier to look at: 64 → 32 (tanh) → 10, trained with Adam for a few seconds.

# %%
torchlike.manual_seed(0)
classifier = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
adam = optim.Adam(classifier.parameters(), lr=1e-2)
shuffle = np.random.default_rng(0)
train_x, train_y = torchlike.tensor(x_train), torchlike.tensor(y_train)
test_x, test_y = torchlike.tensor(x_test), torchlike.tensor(y_test)
for epoch in range(15):
    for idx in np.array_split(shuffle.permutation(len(x_train)), len(x_train) // 64):
        adam.zero_grad()
        F.cross_entropy(classifier(train_x[idx]), train_y[idx]).backward()
        adam.step()


def accuracy(model, x, y):
    with torchlike.no_grad():
        return float((model(x).argmax(1) == y).float().mean().item())


print(f"test accuracy {accuracy(classifier, test_x, test_y):.3f}")

params = {name: p.detach() for name, p in classifier.named_parameters()}   # the weights as plain tensors


def example_loss(params, x, y):
    """The loss of ONE example (x: (64,), y: a 0-d label), as a function of the weights."""
    logits = functional_call(classifier, params, (x[None],))        # the model wants a batch: add a dim of 1
    return F.cross_entropy(logits, y[None])


# the functional gradient of the batch loss is the gradient backward() puts into .grad
def batch_loss(params, x, y):
    return F.cross_entropy(functional_call(classifier, params, (x,)), y)


functional_grads = grad(batch_loss)(params, test_x, test_y)
classifier.zero_grad(set_to_none=True)
F.cross_entropy(classifier(test_x), test_y).backward()
functional_gap = max(float((functional_grads[name] - p.grad).abs().max()) for name, p in classifier.named_parameters())
print(f"grad(batch_loss) vs backward(): largest difference {functional_gap:.1e}; "
      f"result is a dict like params: {list(functional_grads)}")

# %% [markdown]
# ## 4. Per-example gradients
#
# Now the one-liner. Each entry of the result gets a leading batch dim: `0.weight`'s per-example gradients
# have shape (examples, 32, 64). We check it against the slow, obvious way — one `backward()` per example.
#
# A word on speed, to be honest about it. PyTorch's `vmap` runs the function *once*, on "batched tensors"
# that rewrite every op into its batched form; that is where its speed comes from. **minidl's `vmap` is a
# loop**: it calls the function once per example and stacks the results. Same numbers, no speed-up — as the
# timing shows, it costs about what the hand-written loop costs (a little more, for the bookkeeping that
# `functional_call` and `grad` do around each call). What it buys is the *program*: write the function for one
# example, and the batching is somebody else's job.

# %%
per_example_grad = vmap(grad(example_loss), in_dims=(None, 0, 0))

start = time.perf_counter()
per_example = per_example_grad(params, train_x, train_y)
vmap_seconds = time.perf_counter() - start
print({name: tuple(g.shape) for name, g in per_example.items()})

N_LOOP = 200
start = time.perf_counter()
by_loop = {name: [] for name in params}
for i in range(N_LOOP):
    classifier.zero_grad(set_to_none=True)
    F.cross_entropy(classifier(train_x[i:i + 1]), train_y[i:i + 1]).backward()
    for name, p in classifier.named_parameters():
        by_loop[name].append(p.grad.numpy().copy())
loop_seconds = (time.perf_counter() - start) * len(x_train) / N_LOOP
per_example_gap = max(float(np.abs(per_example[name].numpy()[:N_LOOP] - np.stack(by_loop[name])).max())
                      for name in params)
print(f"vmap(grad) vs a backward() per example (first {N_LOOP}): largest difference {per_example_gap:.1e}")
print(f"time for all {len(x_train)} examples: vmap {vmap_seconds:.2f} s, the loop about {loop_seconds:.2f} s")

# the per-example gradients average to the batch gradient: the mean of the losses is linear
batch_grads = grad(batch_loss)(params, train_x, train_y)
mean_gap = max(float((per_example[name].mean(0) - batch_grads[name]).abs().max()) for name in params)
print(f"mean of the per-example gradients vs the batch gradient: {mean_gap:.1e}")

# %% [markdown]
# ### Which examples pull hardest?
#
# The size of an example's gradient says how much that example still wants to change the model. For the last
# layer it has a closed form. With hidden features $h$ and softmax probabilities $p$, the cross-entropy
# gradient with respect to the last weight matrix is an outer product,
#
# $$ \frac{\partial \ell}{\partial W_2} = (p - e_y)\, h^\top, \qquad
#    \Big\lVert \frac{\partial \ell}{\partial W_2} \Big\rVert_F = \lVert p - e_y \rVert \cdot \lVert h \rVert, $$
#
# where $e_y$ is the one-hot label. $\lVert p - e_y\rVert$ is near 0 when the model puts all its probability on
# the right class and near $\sqrt 2$ when it is confidently wrong. So the examples with the largest gradients
# are the ones the model gets wrong or is unsure about: hard, odd, or mislabelled digits. We check the formula,
# then look at the extremes.

# %%
grad_norms = np.sqrt(sum((g.numpy().reshape(len(x_train), -1) ** 2).sum(1) for g in per_example.values()))
with torchlike.no_grad():
    hidden = torchlike.tanh(classifier[0](train_x)).numpy()
    probs = torchlike.softmax(classifier(train_x), 1).numpy()
one_hot = np.eye(10, dtype=np.float32)[y_train]
outer_norm = np.linalg.norm(probs - one_hot, axis=1) * np.linalg.norm(hidden, axis=1)
outer_gap = float(np.abs(outer_norm - np.linalg.norm(per_example["2.weight"].numpy().reshape(len(x_train), -1),
                                                     axis=1)).max())
print(f"last layer: |p - e_y| * |h| vs the vmap gradient's norm, largest difference {outer_gap:.1e}")

order = np.argsort(-grad_norms)
largest, smallest = order[:16], order[-16:]
predicted = probs.argmax(1)
print("largest gradient norms: ", grad_norms[largest].round(2))
print("   labels:              ", y_train[largest].tolist())
print("   predicted:           ", predicted[largest].tolist())
print("smallest gradient norms:", grad_norms[smallest].round(4))
print(f"misclassified training examples: {int((predicted != y_train).sum())}, of which among the 16 largest: "
      f"{int((predicted[largest] != y_train[largest]).sum())}")

# %% [markdown]
# The formula holds, and the ranking says what it predicted: the few training digits the model still gets
# wrong are at the very top (the counts are printed above), followed by ones it gets right with little
# confidence; at the bottom, gradients ten thousand times smaller.
#
# The picture, `13_largest_gradients.png`: the top row holds the 16 training digits with the largest
# gradients (largest on the left; their labels and the model's guesses are printed above), the bottom row the
# 16 with the smallest (smallest on the left). The top row is a gallery of odd handwriting — strokes cut short,
# digits that look like another — while the bottom row is textbook digits the model has learnt and no longer
# needs.

# %%
extremes = image_grid(np.concatenate([x_train[largest], x_train[smallest[::-1]]]), 16)
extremes_png = os.path.join(OUT, "13_largest_gradients.png")
with open(extremes_png, "wb") as file:
    file.write(encode_png(extremes))
print("wrote", extremes_png, extremes.shape, os.path.getsize(extremes_png), "bytes")

# %% [markdown]
# ### Clipping each example: the heart of DP-SGD
#
# The same per-example gradients make **differentially private SGD** possible (Abadi et al., 2016). Its goal is
# that the trained weights reveal almost nothing about any single training example. Two steps per batch of $B$:
#
# 1. **clip** every example's gradient to norm at most $C$: $\bar g_i = g_i \cdot \min(1, C / \lVert g_i
#    \rVert)$ — no example can move the weights by more than $C/B$ of a step, however unusual it is;
# 2. **add noise** scaled to that bound: $\tilde g = \frac1B\big(\sum_i \bar g_i + \mathcal N(0, \sigma^2 C^2 I)
#    \big)$, which hides whatever a single bounded contribution could reveal.
#
# Step 1 is impossible with one `backward()` over the batch: by the time the gradient exists, the examples are
# already summed. (How much privacy a given $\sigma$ buys — the accounting of $\varepsilon$ and $\delta$ — is
# a subject of its own, not done here.) We train a fresh classifier this way for a few epochs and compare it
# with the same steps without clipping or noise.

# %%
CLIP, NOISE, DP_BATCH, DP_EPOCHS, LR = 1.0, 0.5, 64, 2, 0.5
batch_order = np.random.default_rng(1)
batches = [idx for _ in range(DP_EPOCHS)
           for idx in np.array_split(batch_order.permutation(len(x_train)), len(x_train) // DP_BATCH)]


def fresh_classifier():
    torchlike.manual_seed(1)                                   # both runs start from the same weights
    return nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))


# DP-SGD: per-example gradients, clipped, summed, noised
dp_model = fresh_classifier()
weights = {name: p.detach() for name, p in dp_model.named_parameters()}


def dp_example_loss(weights, x, y):
    return F.cross_entropy(functional_call(dp_model, weights, (x[None],)), y[None])


dp_per_example = vmap(grad(dp_example_loss), in_dims=(None, 0, 0))
noise_rng = np.random.default_rng(2)
raw_largest = clipped_largest = 0.0
start = time.perf_counter()
for idx in batches:
    g = dp_per_example(weights, train_x[idx], train_y[idx])
    norms = np.sqrt(sum((v.numpy().reshape(len(idx), -1) ** 2).sum(1) for v in g.values()))
    factor = np.minimum(1.0, CLIP / norms).astype(np.float32)
    clipped = {name: v * torchlike.tensor(factor.reshape(-1, *[1] * (v.dim() - 1))) for name, v in g.items()}
    clipped_norms = np.sqrt(sum((v.numpy().reshape(len(idx), -1) ** 2).sum(1) for v in clipped.values()))
    raw_largest, clipped_largest = max(raw_largest, norms.max()), max(clipped_largest, clipped_norms.max())
    for name, v in clipped.items():
        noise = NOISE * CLIP * noise_rng.standard_normal(tuple(v.shape[1:])).astype(np.float32)
        weights[name] = weights[name] - LR * (v.sum(0) + torchlike.tensor(noise)) / len(idx)
dp_seconds = time.perf_counter() - start
with torchlike.no_grad():
    dp_accuracy = float((functional_call(dp_model, weights, (test_x,)).argmax(1) == test_y).float().mean().item())

# the same steps without clipping or noise: ordinary minibatch SGD, one backward() per batch
sgd_model = fresh_classifier()
sgd = optim.SGD(sgd_model.parameters(), lr=LR)
for idx in batches:
    sgd.zero_grad()
    F.cross_entropy(sgd_model(train_x[idx]), train_y[idx]).backward()
    sgd.step()
sgd_accuracy = accuracy(sgd_model, test_x, test_y)

print(f"{len(batches)} steps of {DP_BATCH}: SGD test accuracy {sgd_accuracy:.3f}, DP-SGD (C = {CLIP}, "
      f"sigma = {NOISE}) {dp_accuracy:.3f}   (DP-SGD took {dp_seconds:.1f} s)")
print(f"per-example gradient norms: up to {raw_largest:.2f} before clipping, {clipped_largest:.4f} after")

# %% [markdown]
# Clipping and noise cost some accuracy — the price of not letting any one digit steer the model — but the
# model still learns. Note what made it easy: the training loop is an ordinary Python loop over batches, and
# the whole privacy mechanism is two lines of arithmetic on per-example gradients that `vmap(grad(...))`
# handed us.
#
# ## 5. Second derivatives: `hessian`
#
# Transforms compose, so derivatives of derivatives come for free: `jacrev(f)` is the Jacobian (one reverse
# pass per output element), and `hessian(f)` is the Jacobian of the gradient, $H_{ij} = \partial^2 f /
# \partial\theta_i\partial\theta_j$. We check it on a problem whose Hessian we know: binary logistic
# regression ("is this digit a 3?") on the 64 pixels plus a constant feature,
#
# $$ f(w) = \frac1N \sum_n \Big[\log\big(1 + e^{x_n^\top w}\big) - t_n\, x_n^\top w\Big], \qquad
#    \nabla f = \frac1N X^\top(p - t), \qquad H = \frac1N X^\top \mathrm{diag}\big(p(1-p)\big) X, $$
#
# with $p = \mathrm{sigmoid}(Xw)$. And, independent of any formula, a central difference of the gradient along
# a random direction $v$ must reproduce the Hessian-vector product: $H v \approx (\nabla f(w + \varepsilon v) -
# \nabla f(w - \varepsilon v)) / 2\varepsilon$. Float64 throughout, so that the finite difference is accurate.

# %%
design = np.concatenate([x_train[:300], np.ones((300, 1), np.float32)], axis=1).astype(np.float64)
is_three = (y_train[:300] == 3).astype(np.float64)
design_t, target_t = torchlike.tensor(design), torchlike.tensor(is_three)


def logistic_loss(w):
    z = design_t @ w
    return (F.softplus(z) - target_t * z).mean()


w0 = torchlike.tensor(np.random.default_rng(1).normal(0, 0.3, 65))
H = hessian(logistic_loss)(w0).numpy()
p = 1 / (1 + np.exp(-design @ w0.numpy()))
H_closed = design.T @ (design * (p * (1 - p))[:, None]) / len(design)
hessian_gap = float(np.abs(H - H_closed).max())

gradient_fn = grad(logistic_loss)
gradient_gap = float(np.abs(gradient_fn(w0).numpy() - design.T @ (p - is_three) / len(design)).max())
v = np.random.default_rng(2).standard_normal(65)
EPS = 1e-5
hv_fd = (gradient_fn(w0 + EPS * torchlike.tensor(v)).numpy()
         - gradient_fn(w0 - EPS * torchlike.tensor(v)).numpy()) / (2 * EPS)
fd_gap = float(np.abs(H @ v - hv_fd).max() / np.abs(hv_fd).max())

# jacrev of the gradient is the same matrix: hessian is just that composition
jacobian_of_gradient = jacrev(gradient_fn)(w0).numpy()
print(f"Hessian {H.shape}: vs closed form {hessian_gap:.1e}; H v vs central difference (relative) {fd_gap:.1e}; "
      f"jacrev(grad(f)) vs hessian(f) {np.abs(jacobian_of_gradient - H).max():.1e}")
eigenvalues = np.linalg.eigvalsh(H)
print(f"eigenvalues from {eigenvalues[0]:.1e} to {eigenvalues[-1]:.2f}: positive semi-definite, the loss is convex")

# %% [markdown]
# The Hessian is symmetric and positive semi-definite, as it must be for a convex loss. (Its smallest
# eigenvalues are tiny: border pixels that are 0 in every image leave directions in which the loss is flat.)
# It cost 65 reverse passes, one per row — fine for 65 parameters, hopeless for a million; for large models one
# uses Hessian-*vector* products, which cost one extra pass each.
#
# ## Summary
#
# * The tape keeps, from the forward pass until the backward pass reaches it, every value a VJP may read, so a
#   network's activation memory grows with its depth. Walking `grad_fn` / `next_functions` and counting the
#   `inputs` and `saved_outputs` of the nodes measures it; `tracemalloc` measures a step's peak. An input
#   whose values no VJP reads is freed during the forward (the node keeps a stand-in for its shape): one array
#   per linear + tanh block, as in PyTorch.
# * `checkpoint` / `checkpoint_sequential` run segments untaped and recompute them in the backward pass:
#   $O(\sqrt n)$ memory with $\sqrt n$ segments, for about one extra forward pass (about a third more time by
#   the count; 1.2 to 1.5 times the plain step when measured here), and bit-identical gradients — dropout
#   included, because the random state is replayed. Pass `use_reentrant=False`: the reentrant variant silently
#   trains nothing before the last segment when the input batch does not require grad.
# * `functional_call` turns a module into a pure function of its weights; `grad` turns a scalar function into
#   its gradient function; `vmap` maps a one-example function over a batch. `vmap(grad(loss), in_dims=(None, 0,
#   0))` gives per-example gradients — for finding hard examples, or for DP-SGD's per-example clipping. In
#   minidl, `vmap` is a loop: same results as PyTorch, no speed-up.
# * `jacrev` and `hessian` compose the same way; a Hessian agrees with its closed form and with finite
#   differences.
#
# ## Checks

# %%
# 1. the tape: one activation-sized array per linear + tanh block, growing linearly with depth
per_block = np.diff(measured["plain"]["tape"]) / np.diff(DEPTHS) / ACTIVATION_BYTES
assert np.allclose(per_block, 1.0), per_block
assert measured["plain"]["peak"][-1] > 0.9 * measured["plain"]["tape"][-1] > 0
peak_slope = np.polyfit(DEPTHS, measured["plain"]["peak"], 1)[0] / ACTIVATION_BYTES
assert 1.2 < peak_slope < 2.0, peak_slope      # the tape's one array + half an array of weight gradient

# 2. checkpointing: identical gradients, one extra forward per block outside the last segment, sqrt-like memory
assert checkpoint_gap == 0.0
segment = len(net16) // 4
assert sorted(calls_plain.values()) == [1] * len(net16)
assert [calls_checkpointed[str(i)] for i in range(len(net16))] == [2] * (3 * segment) + [1] * (len(net16) - 3 * segment)
tape_ckpt = np.array(measured["checkpointed"]["tape"]) / ACTIVATION_BYTES
assert tape_ckpt[-1] < 0.3 * measured["plain"]["tape"][-1] / ACTIVATION_BYTES, tape_ckpt
assert tape_ckpt[-1] <= 4 * np.sqrt(DEPTHS[-1] + 2) + 4, tape_ckpt     # O(sqrt n): segment inputs + last segment
assert measured["checkpointed"]["peak"][-1] < 0.75 * measured["plain"]["peak"][-1]
assert measured["checkpointed"]["peak"][-1] - weight_bytes[-1] < 0.4 * measured["plain"]["peak"][-1]
assert measured["plain"]["peak"][-1] < measured["plain"]["tape"][-1] + weight_bytes[-1] + 8 * ACTIVATION_BYTES
assert np.all(np.diff(measured["plain"]["peak"]) > 0)
assert 1.0 < time_ratio < 3.0, time_ratio                               # recomputation is not free
assert os.path.getsize(chart_png) > 1000

# 3. use_reentrant=True with an input that needs no grad leaves every parameter before the last segment untrained
assert missing and "None of the inputs have requires_grad=True. Gradients will be None" in {str(w.message)
                                                                                           for w in caught}
assert missing == [name for name, _ in net16.named_parameters()][:len(missing)]
assert not [name for name, p in net16.named_parameters() if name not in missing and p.grad is None]

assert by_hand_gap == {True: 0.0, False: 0.0}                          # fine once the argument requires grad

# 4. dropout under checkpoint: masks replayed -> identical gradients; fresh masks -> different ones
assert replayed_gap == 0.0 and fresh_gap > 1e-4

# 5. the functional view: grad of the batch loss is backward's gradient; per-example gradients match a loop
assert functional_gap < 1e-6 and per_example_gap < 1e-6 and mean_gap < 1e-6
assert tuple(per_example["0.weight"].shape) == (len(x_train), 32, 64)
assert outer_gap < 1e-4
assert accuracy(classifier, test_x, test_y) > 0.9
wrong = predicted != y_train                                           # large gradients: the misclassified
assert wrong.any() and np.median(grad_norms[wrong]) > 20 * np.median(grad_norms[~wrong])
assert np.all(predicted[smallest] == y_train[smallest])
assert grad_norms[largest].min() > 100 * grad_norms[smallest].max()

# 6. DP-SGD: clipping bit (raw norms above C), no clipped contribution above C; it still learns
assert raw_largest > 2 * CLIP and clipped_largest <= CLIP * (1 + 1e-5)
assert dp_accuracy > 0.6 and sgd_accuracy > dp_accuracy - 0.05

# 7. the Hessian: closed form, finite differences, symmetric, positive semi-definite
assert hessian_gap < 1e-10 and gradient_gap < 1e-12 and fd_gap < 1e-6
assert np.allclose(H, H.T) and eigenvalues[0] > -1e-12
print("all checks passed")
