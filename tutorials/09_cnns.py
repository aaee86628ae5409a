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
# # Chapter 9 — Convolutional networks, and convolution as one matrix product
#
# A convolutional layer slides a small *kernel* (say 3×3) over an image and, at every position, takes the dot
# product of the kernel with the pixels under it. The same few weights are reused at every position, so the layer
# finds a pattern wherever it appears, with a tiny number of parameters.
#
# Written directly, that is a deep nest of loops — over images, output channels, output rows and columns, input
# channels, kernel rows and columns. Loops in Python are slow, and even in C they make poor use of the hardware.
# Nearly every framework instead uses a trick called **im2col** ("image to columns"): copy the pixels under each
# window into a column of a matrix, and the whole convolution becomes **one matrix product** — the operation that
# numpy, BLAS and GPUs run fastest. This chapter takes the trick apart on a 5×5 image, checks minidl's
# `conv2d` against the loops, trains a small CNN on the digits, and runs the same layer in graph mode.

# %%
import os
import time

import numpy as np

import minidl.eager as torchlike
import minidl.graph as tf
from minidl import ops
from minidl.datasets import load_digits_images
from minidl.eager import nn, optim
from minidl.backend import kernels as gpu_kernels
from minidl.ops.im2col import col2im, im2col

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")

tf.reset_default_graph()  # start from an empty graph, also when this notebook is run a second time
torchlike.manual_seed(0)

# %% [markdown]
# ## im2col on a 5×5 image
#
# Our image has one channel and pixels numbered 1 to 25, so that we can see where each one goes. A 3×3 window
# fits in 3 × 3 = 9 positions (no padding, stride 1), so the output will be 3×3.
#
# `im2col` works on a batch in the layout **NCHW** (batch, channels, height, width) and returns, per image, a
# matrix with **one column per window position** (output pixel $(i, j)$, column $3i + j$) and **one row per
# kernel tap** $(p, q)$ (row $3p + q$): entry $[3p + q,\ 3i + j] = x[i + p,\ j + q]$.

# %%
image = np.arange(1, 26, dtype=np.float32).reshape(5, 5)
print("image:\n", image.astype(int))

NO_PADDING, STRIDE_1, NO_DILATION = ((0, 0), (0, 0)), (1, 1), (1, 1)
cols = im2col(np, image[None, None], (3, 3), STRIDE_1, NO_PADDING, NO_DILATION)[0]   # (C*3*3, 3*3) = (9, 9)
print("\nim2col: rows = kernel taps (p, q), columns = window positions (i, j)")
print("        " + " ".join(f"({i},{j})" for i in range(3) for j in range(3)))
for r, line in enumerate(cols.astype(int)):
    print(f"({r // 3},{r % 3})  " + " ".join(f"{v:5d}" for v in line))

# %% [markdown]
# Column 0 is the top-left window read row by row (1 2 3 / 6 7 8 / 11 12 13); column 1 is that window moved one
# pixel right; and so on. Every pixel appears once per window that covers it: the middle pixel, 13, appears in
# all nine columns. That duplication is the price of the trick — the matrix is up to $K_H K_W$ = 9 times larger
# than the image.
#
# The payoff: flatten the 3×3 kernel into a row of 9 weights, in the same $(p, q)$ order. Then the dot product of
# the kernel with window $(i, j)$ is the kernel row times column $3i + j$, and all nine of them at once are
# **one matrix product**, (1×9) @ (9×9) = (1×9), which we reshape to the 3×3 output.

# %%
kernel = np.array([[1, 0, -1],
                   [2, 0, -2],
                   [1, 0, -1]], np.float32)   # a Sobel filter: responds to left-right changes of brightness
by_matmul = (kernel.reshape(1, 9) @ cols).reshape(3, 3)

by_loops = np.zeros((3, 3), np.float32)
for i in range(3):
    for j in range(3):
        by_loops[i, j] = (kernel * image[i:i + 3, j:j + 3]).sum()
print("one matmul:\n", by_matmul, "\nloops:\n", by_loops)

# %% [markdown]
# (Every output is -8: the image brightens by exactly 1 per pixel from left to right, everywhere.)
#
# With more channels and more kernels the shapes grow but the idea does not change:
#
# * $C$ input channels: each column holds the window of every channel, stacked: $C K_H K_W$ rows;
# * $O$ kernels (output channels): the weight $(O, C, K_H, K_W)$ reshaped to $(O,\ C K_H K_W)$ has one row per
#   kernel, and $(O,\ C K_H K_W)$ @ $(C K_H K_W,\ O_H O_W)$ gives all $O$ output channels at once;
# * a batch of $N$ images: one *batched* matrix product over the $N$ column matrices.
#
# Stride, padding and dilation change only which pixels `im2col` copies (padding adds zeros around the image
# first), never the matrix product.
#
# ## A picture of the unfolding
#
# We draw the 5×5 image and its im2col matrix side by side as an SVG file — a text format for vector drawings
# that any web browser displays — so no plotting library is needed. Three windows are outlined in colour on the
# image, and the columns they become are outlined in the same colour in the matrix; the kernel sits below
# the image.

# %%
def svg_grid(values, left, top, cell, highlights=(), row_labels=None, column_labels=None):
    """SVG elements for a grid of numbers at (left, top). ``highlights``: (row0, col0, row1, col1, colour, inset)
    rectangles outlined around the cells from (row0, col0) to (row1, col1) inclusive."""
    parts = []
    for r, line in enumerate(values):
        for c, v in enumerate(line):
            x, y = left + c * cell, top + r * cell
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="#f4f4f4" stroke="#999"/>'
                         f'<text x="{x + cell / 2}" y="{y + cell * 0.65}" text-anchor="middle">{v}</text>')
    for r0, c0, r1, c1, colour, inset in highlights:
        parts.append(f'<rect x="{left + c0 * cell + inset}" y="{top + r0 * cell + inset}" '
                     f'width="{(c1 - c0 + 1) * cell - 2 * inset}" height="{(r1 - r0 + 1) * cell - 2 * inset}" '
                     f'fill="none" stroke="{colour}" stroke-width="3"/>')
    for r, label in enumerate(row_labels or []):
        parts.append(f'<text x="{left - 6}" y="{top + r * cell + cell * 0.65}" text-anchor="end" '
                     f'font-size="11">{label}</text>')
    for c, label in enumerate(column_labels or []):
        parts.append(f'<text x="{left + c * cell + cell / 2}" y="{top - 6}" text-anchor="middle" '
                     f'font-size="11">{label}</text>')
    return parts


windows = [((0, 0), "#d62728"), ((0, 2), "#1f77b4"), ((2, 1), "#2ca02c")]   # window (i, j) and its colour
taps = [f"({p},{q})" for p in range(3) for q in range(3)]
CELL, MATRIX_LEFT = 34, 300
parts = svg_grid(image.astype(int), 20, 70, CELL,
                 [(i, j, i + 2, j + 2, colour, 3 + 3 * k) for k, ((i, j), colour) in enumerate(windows)])
parts += svg_grid(cols.astype(int), MATRIX_LEFT, 70, CELL,
                  [(0, 3 * i + j, 8, 3 * i + j, colour, 2) for (i, j), colour in windows],
                  row_labels=taps, column_labels=taps)
parts += svg_grid(kernel.astype(int), 20, 280, CELL)
bottom = 70 + 9 * CELL
parts += ['<text x="20" y="30" font-size="15">image x (5×5)</text>',
          '<text x="20" y="268" font-size="15">kernel w (3×3)</text>',
          f'<text x="{MATRIX_LEFT}" y="22" font-size="15">im2col(x) (9×9)</text>',
          f'<text x="{MATRIX_LEFT}" y="42" font-size="12">rows: kernel taps (p, q) · columns: windows (i, j)</text>',
          f'<text x="20" y="{bottom + 30}">Each coloured 3×3 window of the image becomes the column of the same '
          'colour.</text>',
          f'<text x="20" y="{bottom + 50}">conv = w as a row (1×9) @ im2col(x) (9×9) = output (1×9), reshaped to '
          '3×3.</text>']
width, height = MATRIX_LEFT + 9 * CELL + 20, bottom + 65
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
       f'font-size="13">\n<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(parts) + "\n</svg>\n")

os.makedirs(OUT, exist_ok=True)
picture_path = os.path.join(OUT, "09_im2col.svg")
with open(picture_path, "w", encoding="utf-8") as f:
    f.write(svg)
print("wrote", picture_path, f"({len(svg)} characters, {width}x{height} pixels)")

# %% [markdown]
# ## `minidl.ops.conv2d` against the loops
#
# minidl's `conv2d` is exactly this: `im2col`, then one batched `matmul` (see `minidl/ops/conv.py`). We check it
# against the direct definition written as loops — over images, kernels and output pixels, with the sum over
# channels and taps done by numpy — for a batch of 2 three-channel images, 4 kernels, with and without padding
# and stride.

# %%
def conv2d_loops(x, w, b, stride=1, padding=0):
    """y[n, o, i, j] = b[o] + sum over c, p, q of w[o, c, p, q] * x_padded[n, c, i*stride + p, j*stride + q]."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, _, h, width = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (width - kw) // stride + 1
    y = np.zeros((n, o, oh, ow), x.dtype)
    for image_index in range(n):
        for k in range(o):
            for i in range(oh):
                for j in range(ow):
                    window = x[image_index, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    y[image_index, k, i, j] = b[k] + (w[k] * window).sum()
    return y


rng = np.random.default_rng(0)
x_np = rng.normal(size=(2, 3, 7, 7)).astype(np.float32)
w_np = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
b_np = rng.normal(size=4).astype(np.float32)
conv_gaps = {}
for stride, padding in [(1, 0), (1, 1), (2, 1)]:
    ours = ops.conv2d(torchlike.tensor(x_np), torchlike.tensor(w_np), torchlike.tensor(b_np),
                      stride=stride, padding=padding).numpy()
    reference = conv2d_loops(x_np, w_np, b_np, stride, padding)
    gap = conv_gaps[stride, padding] = float(np.abs(ours - reference).max())
    print(f"stride {stride}, padding {padding}: output {ours.shape}, largest difference {gap:.1e}")

# %% [markdown]
# How much does the single product buy? On a batch of 8 images of 3×16×16 with 16 kernels:

# %%
x_big = rng.normal(size=(8, 3, 16, 16)).astype(np.float32)
w_big = rng.normal(size=(16, 3, 3, 3)).astype(np.float32)
b_big = np.zeros(16, np.float32)
start = time.perf_counter()
slow = conv2d_loops(x_big, w_big, b_big, padding=1)
loops_seconds = time.perf_counter() - start
start = time.perf_counter()
fast = ops.conv2d(torchlike.tensor(x_big), torchlike.tensor(w_big), padding=1).numpy()
im2col_seconds = time.perf_counter() - start
print(f"loops: {loops_seconds * 1e3:.1f} ms   im2col + matmul: {im2col_seconds * 1e3:.2f} ms   "
      f"({loops_seconds / im2col_seconds:.0f}x faster), same result: {np.allclose(slow, fast, atol=1e-4)}")

# %% [markdown]
# ### And backwards: col2im
#
# The gradient needs the same trick in reverse. The convolution is linear in $x$: $y = A_w x$, with
# $A_w$ = "im2col, then multiply by the weight matrix". Its gradient with respect to $x$ is $A_w^T g$: multiply by
# the transposed weight matrix, then undo im2col with its **adjoint**, `col2im`, which adds every entry of a
# column back onto the pixel it was copied from (a pixel copied into nine columns receives the sum of nine
# contributions). "Adjoint" has a precise meaning we can test: for any image $x$ and any column matrix $c$,
# $\langle \mathrm{im2col}(x), c\rangle = \langle x, \mathrm{col2im}(c)\rangle$.

# %%
x_test_adj = rng.normal(size=(1, 2, 5, 5))
c_test_adj = rng.normal(size=(1, 2 * 9, 9))
left_side = (im2col(np, x_test_adj, (3, 3), STRIDE_1, NO_PADDING, NO_DILATION) * c_test_adj).sum()
right_side = (x_test_adj * col2im(np, c_test_adj, x_test_adj.shape, (3, 3), STRIDE_1, NO_PADDING,
                                  NO_DILATION)).sum()
print(f"<im2col(x), c> = {left_side:.10f}\n<x, col2im(c)> = {right_side:.10f}")
ones_back = col2im(np, np.ones((1, 9, 9)), (1, 1, 5, 5), (3, 3), STRIDE_1, NO_PADDING, NO_DILATION)[0, 0]
print("col2im of all ones = how many windows cover each pixel:\n", ones_back.astype(int))

# %% [markdown]
# ### On a GPU: gather instead of scatter
#
# `col2im` above walks the 9 kernel taps and, for each, *adds* a whole block of columns onto the image: many
# windows write into one pixel. On a GPU, thousands of threads writing into the same pixels would need atomic
# adds (and the sums would come out in a different order each run). So minidl's GPU kernel turns the loop
# inside out: one thread per **pixel**, which *gathers* the column entries that landed on it — for each tap
# $(p, q)$, the window whose tap $(p, q)$ is this pixel, if there is one. Same sums, in the same order, no
# conflicts. Here is that gather in numpy on the example above, and the kernel's own body (C++, from
# `minidl/backend/kernels.py`; the tests compile it with g++ and check it against `col2im` too).

# %%
def col2im_by_gathering(columns, channels, size, kernel=3):
    """Each pixel (c, h, w) sums the entries of the windows (i, j) whose tap (p, q) lands on it."""
    out_size = size - kernel + 1  # windows per row (stride 1, no padding)
    blocks = columns.reshape(channels, kernel, kernel, out_size, out_size)
    image = np.zeros((channels, size, size))
    for c, h, w in np.ndindex(channels, size, size):
        for p in range(kernel):
            for q in range(kernel):
                i, j = h - p, w - q  # the window whose tap (p, q) is pixel (h, w)
                if 0 <= i < out_size and 0 <= j < out_size:
                    image[c, h, w] += blocks[c, p, q, i, j]
    return image


gathered = col2im_by_gathering(c_test_adj[0], 2, 5)
scattered = col2im(np, c_test_adj, x_test_adj.shape, (3, 3), STRIDE_1, NO_PADDING, NO_DILATION)[0]
print("gather == scatter:", np.allclose(gathered, scattered))
print(gpu_kernels._SOURCES["col2im_2d"][2])

# %% [markdown]
# ## A small CNN on the digits
#
# Now a real network, in the PyTorch style of chapter 7. The digits come as (N, 1, 8, 8) images
# (`load_digits_images`). The model:
#
# * `Conv2d(1, 8, 3, padding=1)`: 8 kernels of 3×3, padding keeps the 8×8 size → (N, 8, 8, 8);
# * `ReLU`, then `MaxPool2d(2)`: the largest value of every 2×2 block → (N, 8, 4, 4);
# * `Flatten` → (N, 128), and `Linear(128, 10)` → the ten scores.

# %%
x_train, y_train, x_test, y_test = load_digits_images()
cnn = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
print(cnn)
print("parameters:", sum(p.numel() for p in cnn.parameters()),
      "(conv: 8*1*3*3 + 8 = 80, linear: 128*10 + 10 = 1290)")

optimizer = optim.Adam(cnn.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
order = np.random.default_rng(0)


def test_accuracy(model):
    model.eval()
    with torchlike.no_grad():
        predicted = model(torchlike.tensor(x_test)).argmax(dim=1).numpy()
    model.train()
    return float((predicted == y_test).mean())


history = []
start = time.perf_counter()
for epoch in range(3):
    losses = []
    for idx in np.array_split(order.permutation(len(x_train)), len(x_train) // 32):
        optimizer.zero_grad()
        loss = loss_fn(cnn(torchlike.tensor(x_train[idx])), torchlike.tensor(y_train[idx]))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    history.append((float(np.mean(losses)), test_accuracy(cnn)))
    print(f"epoch {epoch + 1}: mean loss {history[-1][0]:.3f}, test accuracy {history[-1][1]:.3f}")
cnn_seconds = time.perf_counter() - start
print(f"trained in {cnn_seconds:.1f} s")

# %% [markdown]
# What did the kernels learn? Each is a 3×3 pattern; here they are as numbers (scaled to the largest weight):

# %%
kernels = cnn[0].weight.detach().numpy()[:, 0]
for k in range(0, 8, 4):
    for row in range(3):
        print("    ".join(" ".join(f"{v:+.1f}" for v in kernels[kk, row] / np.abs(kernels).max())
                          for kk in range(k, k + 4)))
    print()

# %% [markdown]
# ## The same layers in graph mode: NHWC
#
# TensorFlow's default layout is **NHWC** — channels *last* — and its filters are stored as
# $(K_H, K_W, C_{in}, C_{out})$, where PyTorch uses NCHW and $(C_{out}, C_{in}, K_H, K_W)$. The arithmetic is the
# same; only the order of the axes in memory differs. So to run our trained layer with `tf.nn.conv2d` we
# transpose:
#
# * images: NCHW → NHWC is `transpose(0, 2, 3, 1)`;
# * weights: $(O, C, K_H, K_W)$ → $(K_H, K_W, C, O)$ is `transpose(2, 3, 1, 0)`;
# * `padding="SAME"` with a 3×3 kernel and stride 1 pads one pixel all round, like `padding=1`.
#
# Then the results must agree (after transposing the NHWC output back to NCHW for the comparison).

# %%
conv_weight = cnn[0].weight.detach().numpy()
conv_bias = cnn[0].bias.detach().numpy()
linear_weight = cnn[4].weight.detach().numpy()
linear_bias = cnn[4].bias.detach().numpy()

images_nhwc = tf.placeholder(tf.float32, shape=(None, 8, 8, 1), name="images")
filters = tf.constant(conv_weight.transpose(2, 3, 1, 0), name="filters")     # (3, 3, 1, 8)
conv_out = tf.nn.bias_add(tf.nn.conv2d(images_nhwc, filters, strides=[1, 1, 1, 1], padding="SAME"), conv_bias)
pooled = tf.nn.max_pool(tf.nn.relu(conv_out), ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
print(conv_out, "\n", pooled)

# %% [markdown]
# One more layout trap before the linear layer: *flattening*. The eager model flattened (8, 4, 4) in NCHW order
# — all of channel 0 first — while flattening an NHWC tensor (4, 4, 8) would interleave the channels. The linear
# weights were trained for the first order, so we transpose back to NCHW before the reshape.

# %%
flat = tf.reshape(tf.transpose(pooled, [0, 3, 1, 2]), [-1, 8 * 4 * 4])
graph_logits = tf.matmul(flat, tf.constant(linear_weight.T)) + tf.constant(linear_bias)
graph_predictions = tf.argmax(graph_logits, 1)

sess = tf.Session()
test_nhwc = x_test.transpose(0, 2, 3, 1)
conv_graph, logits_graph, predicted_graph = sess.run([conv_out, graph_logits, graph_predictions],
                                                     feed_dict={images_nhwc: test_nhwc})
with torchlike.no_grad():
    conv_eager = cnn[0](torchlike.tensor(x_test)).numpy()
    logits_eager = cnn(torchlike.tensor(x_test)).numpy()
conv_gap = float(np.abs(conv_graph.transpose(0, 3, 1, 2) - conv_eager).max())
logits_gap = float(np.abs(logits_graph - logits_eager).max())
graph_accuracy = float((predicted_graph == y_test).mean())
print(f"conv layer, eager (NCHW) vs graph (NHWC, transposed back): largest difference {conv_gap:.1e}")
print(f"whole network logits: largest difference {logits_gap:.1e}; graph test accuracy {graph_accuracy:.3f}")

# %% [markdown]
# ## Summary
#
# * im2col copies every window into a column; a convolution is then one (batched) matrix product of the
#   reshaped weights with those columns. It trades memory (each pixel copied up to $K_H K_W$ times) for speed.
# * Its gradient for the input uses the adjoint, col2im, which adds the columns back onto the pixels; on a GPU
#   each pixel gathers its own sum instead, so no two threads write to one place.
# * A small Conv-ReLU-Pool-Linear network learns the digits in a few seconds.
# * Graph mode's `tf.nn.conv2d` computes the same thing in NHWC with $(K_H, K_W, C_{in}, C_{out})$ filters:
#   moving weights between the two means transposing, and flattening must follow the same channel order.
#
# ## Checks

# %%
assert cols.shape == (9, 9) and cols[:, 0].tolist() == [1, 2, 3, 6, 7, 8, 11, 12, 13]
assert cols[:, 4].tolist() == [7, 8, 9, 12, 13, 14, 17, 18, 19] and (cols == 13).sum() == 9
assert np.array_equal(by_matmul, by_loops) and (by_loops == -8).all()
assert all(gap < 1e-4 for gap in conv_gaps.values()) and len(conv_gaps) == 3
assert np.allclose(slow, fast, atol=1e-4) and im2col_seconds < loops_seconds
assert np.isclose(left_side, right_side, rtol=1e-12)
assert ones_back.astype(int).tolist()[2] == [3, 6, 9, 6, 3]
assert np.allclose(gathered, scattered) and "cols[" in gpu_kernels._SOURCES["col2im_2d"][2]

# the picture
assert svg.startswith("<svg") and svg.count("<rect") == 1 + 25 + 81 + 9 + 3 + 3
assert os.path.getsize(picture_path) == len(svg.encode("utf-8"))

# the CNN learned, and graph mode computes the same thing with the same weights
assert history[-1][1] >= 0.9 and history[-1][0] < history[0][0]
assert conv_graph.shape == (len(x_test), 8, 8, 8) and conv_gap < 1e-5
assert logits_gap < 1e-4 and abs(graph_accuracy - history[-1][1]) < 1e-9
print("chapter 9: all checks passed")
