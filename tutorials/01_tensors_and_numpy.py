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
# # Chapter 1 — Tensors, and how they relate to numpy
#
# A *tensor* is minidl's n-dimensional array. If you know numpy you already know most of it: a tensor has a
# shape, a dtype, and supports arithmetic, broadcasting and indexing much as an `ndarray` does. Three things
# make it more than an array, and they are the reasons a deep-learning framework has its own array type:
#
# 1. it can **record** the operations applied to it, so that gradients can be computed later (chapter 2);
# 2. it knows which **device** it lives on (the CPU, or a GPU);
# 3. its conventions follow **PyTorch**, not numpy — in particular the default dtype and the rules for mixing
#    dtypes differ, and this chapter points out where.
#
# minidl's eager mode mirrors PyTorch's API, so we import it under a PyTorch-like name. Almost every line in
# these chapters would run unchanged with `import torch as torchlike`.
#
# This file is a [jupytext](https://jupytext.readthedocs.io) "percent" script: open it as a notebook, or run it
# top to bottom with `python tutorials/01_tensors_and_numpy.py`.

# %%

import numpy as np

import minidl.eager as torchlike

torchlike.manual_seed(0)  # random tensors below come out the same on every run

# %% [markdown]
# ## Creating tensors
#
# From data — nested lists, numbers, or numpy arrays — with `torchlike.tensor`:

# %%
a = torchlike.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(a)
print("shape:", a.shape, " ndim:", a.ndim, " numel:", a.numel(), " dtype:", a.dtype)

# %% [markdown]
# From a shape, with the usual factories. The shape may be given as separate integers or as one tuple.

# %%
print(torchlike.zeros(2, 3))
print(torchlike.ones((2, 3)))
print(torchlike.full((2, 2), 7.5))
print(torchlike.arange(5))            # like range(): integers 0..4
print(torchlike.arange(0.0, 1.0, 0.25))
print(torchlike.linspace(0, 1, 5))     # 5 points, both ends included
print(torchlike.eye(3))
print(torchlike.randn(2, 3))           # standard normal samples
print(torchlike.zeros_like(a))         # same shape (and dtype) as `a`

# %% [markdown]
# ## dtypes: float32 by default
#
# A minidl dtype *is* a numpy dtype, so `a.dtype == np.float32` works and there is nothing to convert when you
# hand data to numpy. What differs from numpy is the **default**: numpy turns Python floats into `float64`,
# PyTorch (and minidl) into `float32`. Single precision halves the memory of every activation and is what GPUs
# are fast at; the rounding error (about 1e-7 relative) is far below the noise of stochastic training.
#
# Python integers become `int64`, Python bools `bool`; a numpy array keeps the dtype it has.

# %%
print("python floats ->", torchlike.tensor([1.0, 2.0]).dtype, f"  (numpy: {np.array([1.0, 2.0]).dtype})")
print("python ints   ->", torchlike.tensor([1, 2]).dtype)
print("python bools  ->", torchlike.tensor([True, False]).dtype)
print("numpy float64 ->", torchlike.tensor(np.array([1.0, 2.0])).dtype, "(kept)")
print("asked for     ->", torchlike.tensor([1, 2], dtype=torchlike.float64).dtype)

# %% [markdown]
# Convert with `.to(dtype)` or the shorthands `.float()`, `.double()`, `.long()`, `.int()`, `.bool()`.
# Converting a float to an integer truncates toward zero, as in C.

# %%
x = torchlike.tensor([1.7, -1.7, 2.5])
print(x.double().dtype, x.to(torchlike.float64).dtype, x.long(), x.bool())

# %% [markdown]
# ### Type promotion: what happens when dtypes meet
#
# When an operation combines two dtypes the result gets a *promoted* dtype. PyTorch's rules, which minidl
# follows, come down to two ideas:
#
# * **categories** rank `bool < integer < floating point < complex`, and a higher category wins outright:
#   `int64 + float32` is `float32`. (numpy says `float64`, because `float32` cannot hold every `int64`
#   exactly; PyTorch prefers to keep your chosen float width.)
# * **Python numbers and 0-dimensional tensors are weaker than tensors with dimensions**: they only change the
#   result's dtype if they are of a *higher category*. So `float32_tensor * 2.5` stays `float32` — the Python
#   float does not drag it up to `float64` — while `int_tensor * 2.5` must become a float, and becomes the
#   default float, `float32`.
#
# Division of integers is true division, as in Python 3, and gives the default float.

# %%
i64 = torchlike.tensor([1, 2, 3])                      # int64
f32 = torchlike.tensor([0.5, 0.5, 0.5])                # float32
f64 = torchlike.tensor([0.5, 0.5, 0.5], dtype=torchlike.float64)
scalar64 = torchlike.tensor(2.0, dtype=torchlike.float64)  # 0-dimensional

print("int64 + float32        ->", (i64 + f32).dtype,
      "   numpy says", (np.array([1, 2, 3]) + np.array([0.5] * 3, dtype=np.float32)).dtype)
print("float32 * 2.5          ->", (f32 * 2.5).dtype)
print("int64 * 2.5            ->", (i64 * 2.5).dtype)
print("int64 * 2              ->", (i64 * 2).dtype)
print("int64 / int64          ->", (i64 / i64).dtype, i64 / 2)
print("float32 + float64      ->", (f32 + f64).dtype, "  (same category: the wider one)")
print("float32 * 0-d float64  ->", (f32 * scalar64).dtype, "  (a 0-d tensor is weaker)")

# %% [markdown]
# ## Shapes
#
# `x.shape` (or `x.size()`) is a `Size`, a tuple. `reshape` / `view` rearrange the same elements into another
# shape — one dimension may be `-1`, meaning "whatever is left" — and `transpose`, `.T`, `unsqueeze` and
# `squeeze` move, add and drop dimensions.

# %%
x = torchlike.arange(12)
m = x.reshape(3, 4)
print(m)
print("reshape(2, -1):", tuple(x.reshape(2, -1).shape), "  view(4, 3):", tuple(x.view(4, 3).shape))
print("m.T:", tuple(m.T.shape), "  transpose(0, 1):", tuple(m.transpose(0, 1).shape))
print("unsqueeze(0):", tuple(m.unsqueeze(0).shape), "  unsqueeze(-1):", tuple(m.unsqueeze(-1).shape))
print("squeeze:", tuple(torchlike.zeros(1, 3, 1).squeeze().shape))

# %% [markdown]
# ## Broadcasting
#
# Elementwise operations between tensors of different shapes follow numpy's broadcasting rule. Line the shapes
# up **from the right**; two dimensions are compatible when they are equal or one of them is 1; missing leading
# dimensions count as 1. Each size-1 dimension is then (virtually — nothing is copied) repeated to match.
#
# ```
#   col   (3, 1)          m     (3, 4)
#   row      (4,)   ->    bias     (4,)   ->  bias is treated as (1, 4)
#   sum   (3, 4)          m+bias (3, 4)
# ```

# %%
col = torchlike.tensor([[0.0], [10.0], [20.0]])   # (3, 1)
row = torchlike.tensor([1.0, 2.0, 3.0, 4.0])      # (4,)
table = col + row                                  # (3, 4): an "addition table"
print(table)

# A typical use: centre every column of a data matrix by subtracting the column means.
data = torchlike.randn(5, 3) * 4.0 + 10.0
centred = data - data.mean(0)        # (5, 3) - (3,)
print("column means after centring:", centred.mean(0))

# %% [markdown]
# Shapes that do not line up are an error, and the message names the operation and both shapes:

# %%
try:
    torchlike.ones(3, 4) + torchlike.ones(3)
except RuntimeError as error:  # PyTorch raises RuntimeError; minidl's OpError is both a RuntimeError and a ValueError
    print(type(error).__name__ + ":", error)

# %% [markdown]
# ## Indexing
#
# Indexing works as in numpy: integers pick (and drop a dimension), slices keep it, `None` inserts a new axis,
# a boolean tensor selects the elements where it is True, and an integer tensor picks rows in any order.

# %%
m = torchlike.arange(12).reshape(3, 4)
print(m)
print("m[1]       =", m[1])
print("m[:, 1]    =", m[:, 1])
print("m[-1, -1]  =", m[-1, -1], " (a 0-d tensor; .item() gives the Python number:", m[-1, -1].item(), ")")
print("m[1:, ::2] =", m[1:, ::2])
print("m[None].shape =", tuple(m[None].shape))
print("m[m % 2 == 0] =", m[m % 2 == 0])
print("m[tensor([2, 0])] =", m[torchlike.tensor([2, 0])])

# %% [markdown]
# Assigning through an index writes into the tensor:

# %%
z = torchlike.zeros(2, 3)
z[0, 1] = 5.0
z[1] = torchlike.tensor([1.0, 2.0, 3.0])
print(z)

# %% [markdown]
# ## To numpy and back: sharing memory or copying
#
# There are two ways into minidl from numpy, and the difference matters:
#
# * `torchlike.tensor(array)` **copies**. The tensor owns its data; changing the array later does not affect it.
# * `torchlike.from_numpy(array)` **shares memory**. No copy is made (good for big arrays), and a change made
#   through either one is visible through the other. The dtype is kept as it is (here numpy's `float64`).
#
# Going the other way, `t.numpy()` returns the tensor's own array — shared memory again, no copy.

# %%
array = np.zeros(3)
copied = torchlike.tensor(array)
shared = torchlike.from_numpy(array)
array[0] = 42.0
print("array  :", array)
print("copied :", copied, " <- unchanged")
print("shared :", shared, " <- sees the change")

shared.add_(1.0)  # an in-place change through the tensor (more on in-place ops below)
print("array after shared.add_(1):", array)

back = copied.numpy()
back[2] = -1.0
print("copied after writing into copied.numpy():", copied)

# %% [markdown]
# A tensor that records gradients refuses `.numpy()`: an array cannot take part in the recording, so the
# conversion would silently cut the graph. Say so explicitly with `.detach()` first.

# %%
w = torchlike.ones(2, requires_grad=True)
try:
    w.numpy()
except RuntimeError as error:
    print("RuntimeError:", error)
print(w.detach().numpy())

# %% [markdown]
# ## Devices
#
# Every tensor lives on a device: `cpu`, or a GPU, `cuda` (minidl runs GPU tensors through
# [cupy](https://cupy.dev), which is optional). Tensors move **explicitly**, as in PyTorch: `.to("cuda")`,
# `.cuda()`, `.cpu()` return a copy on the other device, and an operation between tensors on different
# devices is an error rather than a hidden copy. The portable idiom picks the device once:

# %%
print("CUDA available:", torchlike.cuda.is_available())
device = "cuda" if torchlike.cuda.is_available() else "cpu"
t = torchlike.arange(4.0).to(device)
print(t.device, (t * 2).cpu())

# %% [markdown]
# On a machine without a GPU, asking for one fails straight away with a message that says why. minidl raises a
# `RuntimeError`; a CPU-only build of PyTorch raises `AssertionError: Torch not compiled with CUDA enabled`, so the
# cell catches both.

# %%
if torchlike.cuda.is_available():
    g = torchlike.ones(3).cuda()
    print("on the GPU:", g, "- and back:", g.cpu().device)
    cuda_error = None
else:
    try:
        torchlike.ones(3).to("cuda")
        cuda_error = None
    except (RuntimeError, AssertionError) as error:
        cuda_error = error
        print(type(error).__name__ + ":", error)

# %% [markdown]
# ## In-place operations, and why they have an underscore
#
# `x.add(1)` returns a new tensor; `x.add_(1)` changes `x` itself and returns it. PyTorch's convention, which
# minidl keeps, is that **every method that modifies its tensor ends in `_`**: `add_`, `mul_`, `zero_`,
# `fill_`, `clamp_`, `copy_`... (plus the augmented operators `+=`, `*=`, ..., and index assignment). The
# underscore is a warning sign, because an in-place change destroys the old value, and other things may be
# relying on it:
#
# * another tensor or numpy array sharing the memory (`from_numpy`, `.numpy()`) sees the change;
# * the autograd tape may have saved that old value to compute a gradient later.

# %%
x = torchlike.ones(3)
y = x.add(1)          # new tensor, x unchanged
print("x =", x, " y =", y)
x.add_(1)             # x changed
x.mul_(10)
print("x after add_(1).mul_(10):", x)
same = x
x += 1                # in place: `same` is the very same object and sees it
print("x += 1 ->", x, "  same object:", same is x)
x = x + 1             # NOT in place: a new tensor is bound to the name x; `same` keeps the old one
print("x = x + 1 ->", x, "  same object:", same is x, "  same =", same)
x.zero_()
print("zero_():", x)

# %% [markdown]
# Here is the autograd hazard. `y = h * w` saves `h` (the derivative with respect to `w` *is* `h`); changing
# `h` in place afterwards would make `backward()` use the wrong number. minidl counts the versions of every
# tensor and refuses, naming the culprit:

# %%
w = torchlike.tensor([1.0, 2.0], requires_grad=True)
h = w * 3.0           # not a leaf: computed from w
y = (h * w).sum()     # the multiplication saved h
h.add_(100.0)         # ...which we now overwrite
try:
    y.backward()
    inplace_error = None
except RuntimeError as error:
    inplace_error = error
    print("RuntimeError:", error)

# %% [markdown]
# And a leaf tensor that requires grad — a model parameter — cannot be modified in place while gradients are
# being recorded, because there would be no sensible history to record. (Chapter 2 shows how optimizers update
# parameters: inside `torchlike.no_grad()`.)

# %%
try:
    w.add_(1.0)
    leaf_error = None
except RuntimeError as error:
    leaf_error = error
    print("RuntimeError:", error)

# %% [markdown]
# ## Checks
#
# Everything this chapter claimed, verified:

# %%
# creation and the default dtype
assert torchlike.tensor([1.0]).dtype == torchlike.float32 == np.float32
assert torchlike.tensor([1]).dtype == torchlike.int64
assert torchlike.zeros(2, 3).shape == (2, 3) and torchlike.zeros(2, 3).dtype == torchlike.float32
assert torchlike.arange(5).tolist() == [0, 1, 2, 3, 4]

# promotion
assert (i64 + f32).dtype == torchlike.float32
assert (np.array([1]) + np.array([1.0], dtype=np.float32)).dtype == np.float64  # numpy differs
assert (f32 * 2.5).dtype == torchlike.float32
assert (i64 * 2.5).dtype == torchlike.float32
assert (i64 * 2).dtype == torchlike.int64
assert (i64 / i64).dtype == torchlike.float32
assert (f32 + f64).dtype == torchlike.float64
assert (f32 * scalar64).dtype == torchlike.float32

# shapes, broadcasting, indexing
assert tuple(torchlike.arange(12).reshape(2, -1).shape) == (2, 6)
assert tuple(table.shape) == (3, 4) and table.tolist()[2] == [21.0, 22.0, 23.0, 24.0]
assert np.allclose(centred.mean(0).numpy(), 0.0, atol=1e-5)
assert m[1].tolist() == [4, 5, 6, 7] and m[:, 1].tolist() == [1, 5, 9]
assert m[1:, ::2].tolist() == [[4, 6], [8, 10]]
assert m[m % 2 == 0].tolist() == [0, 2, 4, 6, 8, 10]
assert m[torchlike.tensor([2, 0])].tolist() == [[8, 9, 10, 11], [0, 1, 2, 3]]
assert z.tolist() == [[0.0, 5.0, 0.0], [1.0, 2.0, 3.0]]

# numpy: tensor() copies, from_numpy() and .numpy() share
assert copied.tolist()[:2] == [0.0, 0.0] and shared.tolist() == [43.0, 1.0, 1.0]
assert array.tolist() == [43.0, 1.0, 1.0] and shared.dtype == np.float64
assert copied.tolist()[2] == -1.0
assert np.shares_memory(shared.numpy(), array)

# devices
assert t.device == device
assert torchlike.cuda.is_available() or (cuda_error is not None and "cuda" in str(cuda_error).lower())

# in-place ops
assert same.tolist() == [21.0, 21.0, 21.0] and x.tolist() == [0.0, 0.0, 0.0]
assert inplace_error is not None and "inplace" in str(inplace_error)
assert leaf_error is not None and "leaf" in str(leaf_error)
print("chapter 1: all checks passed")
