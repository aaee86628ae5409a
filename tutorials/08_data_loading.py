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
# # Chapter 8 — Feeding the model: datasets, samplers, loaders, and `tf.data`
#
# In chapter 7 we sliced mini-batches out of numpy arrays by hand. Real training reads data that does not fit in
# memory, decodes and *augments* it (random crops, flips) on the fly, and must keep the model busy while it does.
# PyTorch splits that job into three small pieces, and minidl copies them:
#
# * a **`Dataset`** knows how many samples there are and how to fetch sample number `i`;
# * a **`Sampler`** decides the order of the indices (in order, shuffled, a subset, ...);
# * a **`DataLoader`** asks the sampler for indices, fetches the samples (optionally in **worker processes**),
#   and *collates* them into batches.
#
# TensorFlow 1 took another route: the input pipeline is part of the graph. `tf.data` describes it as a chain of
# transformations, and an iterator's `get_next()` is a tensor that yields a new batch on every `sess.run`. We
# build both, and also the bridge between them: feeding placeholders from a `DataLoader`.

# %%
import os

import numpy as np

import minidl.eager as torchlike
import minidl.graph as tf
from minidl.datasets import load_digits, load_digits_images
from minidl.eager import transforms  # PyTorch: from torchvision import transforms
from minidl.eager.utils.data import (BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler,
                                     SubsetRandomSampler, TensorDataset, get_worker_info)

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")

tf.reset_default_graph()  # start from an empty graph, also when this notebook is run a second time
tf.set_random_seed(0)     # the graph's seed: random initial weights come out the same on every run
torchlike.manual_seed(0)

# %% [markdown]
# ## A `Dataset` is `__len__` plus `__getitem__`
#
# That is the whole contract of a *map-style* dataset. Ours serves the bundled digits as (image, label) pairs,
# the image as an 8×8 array, and applies an optional `transform` to each image as it is fetched — which is where
# augmentation goes, so that every epoch sees slightly different images.

# %%
class Digits(Dataset):
    def __init__(self, images, labels, transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        image = self.images[i]
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[i])


x_train_img, y_train, x_test_img, y_test = load_digits_images()
plain = Digits(x_train_img[:, 0], y_train)               # (8, 8) images, no transform
image, label = plain[0]
print(f"{len(plain)} samples; sample 0: image {image.shape} {image.dtype}, label {label}")

# %% [markdown]
# When the data already sits in tensors, `TensorDataset(*tensors)` is the ready-made dataset: sample `i` is the
# tuple of every tensor's row `i`.

# %%
x_train, _, x_test, _ = load_digits()                     # the same images, flat (n, 64)
tensors = TensorDataset(torchlike.tensor(x_train), torchlike.tensor(y_train))
row, target = tensors[3]
print(f"TensorDataset of {len(tensors)}: sample 3 is (a tensor of shape {tuple(row.shape)}, {target.item()}); "
      f"the label array says {y_train[3]}")

# %% [markdown]
# ## Samplers choose the order
#
# A sampler is an iterable of indices. `SequentialSampler` goes 0, 1, 2, ...; `RandomSampler` shuffles (give it
# a `Generator` to make the shuffle reproducible); `SubsetRandomSampler` shuffles a given subset of indices —
# the usual way to carve a validation set out of a training set; `BatchSampler` groups any sampler's indices
# into lists, which is what the `DataLoader` builds internally from `batch_size`.

# %%
ten = range(10)
sequential = list(SequentialSampler(ten))
shuffled = list(RandomSampler(ten, generator=torchlike.Generator().manual_seed(0)))
shuffled_again = list(RandomSampler(ten, generator=torchlike.Generator().manual_seed(0)))
subset = list(SubsetRandomSampler([0, 2, 4, 6, 8], generator=torchlike.Generator().manual_seed(1)))
grouped = list(BatchSampler(SequentialSampler(ten), batch_size=4, drop_last=False))
grouped_drop = list(BatchSampler(SequentialSampler(ten), batch_size=4, drop_last=True))
print("SequentialSampler:           ", sequential)
print("RandomSampler (seed 0):      ", shuffled, " again:", shuffled_again)
print("SubsetRandomSampler (evens): ", subset)
print("BatchSampler, 4:             ", grouped)
print("BatchSampler, 4, drop_last:  ", grouped_drop)

# %% [markdown]
# ## The `DataLoader`
#
# `DataLoader(dataset, batch_size=32, shuffle=True)` is sugar for a `BatchSampler` over a `RandomSampler`. Each
# batch is a list of samples, and the *collate function* turns it into tensors: the default one stacks arrays
# and tensors along a new first dimension and turns a list of numbers into one tensor, recursively through
# tuples, lists and dicts. Our (image, label) pairs therefore come out as an image tensor (32, 8, 8) and a label
# tensor (32,). A new iteration over the loader is a new epoch, with a new shuffle.

# %%
loader = DataLoader(plain, batch_size=32, shuffle=True)
images, labels = next(iter(loader))
print(f"{len(loader)} batches per epoch; a batch: images {tuple(images.shape)} {images.dtype}, "
      f"labels {tuple(labels.shape)} {labels.dtype}")


def epoch_order(loader):
    """The labels of one epoch, in the order the loader delivered them, and the batch sizes."""
    seen, sizes = [], []
    for _, labels in loader:
        seen.extend(labels.tolist())
        sizes.append(len(labels))
    return seen, sizes


epoch_1, sizes = epoch_order(loader)
epoch_2, _ = epoch_order(loader)
print("batch sizes:", sizes[:3], "...", sizes[-2:], " (1438 = 44 * 32 + 30)")
print("first labels of epoch 1:", epoch_1[:10], " of epoch 2:", epoch_2[:10])
print("every sample once per epoch (same multiset of labels):", sorted(epoch_1) == sorted(y_train.tolist()))

# %% [markdown]
# ## Worker processes
#
# Fetching and augmenting samples in Python is slow, and it would stall training if the training loop did it
# itself. With `num_workers=2` the loader starts **two separate processes** (forked from this one, so each has
# its own copy of the dataset). The main process hands out batches of indices round-robin; the workers build the
# batches and send them back through a queue; the loader yields them **in sampler order**, whichever worker
# finishes first, and keeps a few batches in flight ahead of the loop (`prefetch_factor`, 2 per worker).
#
# Inside a worker, `get_worker_info()` says which worker this is (in the main process it returns `None`). A tiny
# dataset that reports where each sample was fetched shows that they really are other processes:

# %%
class WhereFetched(Dataset):
    """Sample i is (i, the id of the process that fetched it, the worker id, one random number)."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return i, os.getpid(), -1 if info is None else info.id, float(torchlike.rand(1))


main_pid = os.getpid()
rows = []
for indices, pids, workers, draws in DataLoader(WhereFetched(), batch_size=2, num_workers=2):
    rows += zip(indices.tolist(), pids.tolist(), workers.tolist(), draws.tolist())
print(f"main process pid: {main_pid}   get_worker_info() here: {get_worker_info()}")
for i, pid, worker, draw in rows:
    print(f"  sample {i} fetched by worker {worker}, pid {pid}   random draw {draw:.4f}")
worker_pids = {pid for _, pid, _, _ in rows}

# %% [markdown]
# Batches 0 and 2 (samples 0, 1, 4, 5) came from worker 0, batches 1 and 3 from worker 1 (round-robin), in two
# processes neither of which is this one — and the loader still delivered samples 0..7 in order.
#
# ### Randomness in workers
#
# Look at the random draws: the two workers drew *different* numbers. That is not automatic. A forked process
# starts with a copy of its parent's memory, **including the state of every random generator**, so without care
# both workers would produce the same "random" augmentations — a classic bug that silently halves the variety
# of augmented data. The loader prevents it: each iterator draws a base seed from the main process's generator
# and seeds worker `k` with `base_seed + k` (minidl's generator, Python's `random` and numpy's global one), which
# the worker can read as `get_worker_info().seed`.
#
# To see the bug, we recreate it on purpose with a `worker_init_fn` (called in each worker after seeding) that
# gives both workers the same seed:

# %%
def same_seed_for_everyone(worker_id):
    torchlike.manual_seed(1234)            # the mistake: every worker starts from the same state


def draws_by_worker(loader):
    by_worker = {}
    for _, _, workers, draws in loader:
        for worker, draw in zip(workers.tolist(), draws.tolist()):
            by_worker.setdefault(worker, []).append(round(draw, 6))
    return by_worker


good = draws_by_worker(DataLoader(WhereFetched(), batch_size=2, num_workers=2))
bad = draws_by_worker(DataLoader(WhereFetched(), batch_size=2, num_workers=2, worker_init_fn=same_seed_for_everyone))
print("per-worker seeds:", good)
print("same seed:       ", bad, " <- worker 1 repeats worker 0")

# %% [markdown]
# Seeding per worker from one base seed also makes augmentation **reproducible**: after `manual_seed(0)` the
# same epoch comes out again, bit for bit, even though two processes produced it.
#
# Here is real augmentation with minidl's small `transforms` module (a slice of torchvision's API: in PyTorch
# these live in the separate `torchvision` package, `from torchvision import transforms`, not in `torch`).
# `ToTensor` turns an (8, 8) array into a (1, 8, 8) tensor, `RandomCrop(8, padding=1)` pads one pixel of zeros
# all round and cuts a random 8×8 window back out (the digit moves by up to a pixel each way), `Normalize`
# centres the pixel values.

# %%
augment = transforms.Compose([transforms.ToTensor(), transforms.RandomCrop(8, padding=1),
                              transforms.Normalize(mean=[0.3], std=[0.4])])
augmented = Digits(x_train_img[:, 0], y_train, transform=augment)
print(augment)


def first_batch(seed):
    torchlike.manual_seed(seed)
    loader = DataLoader(augmented, batch_size=16, shuffle=True, num_workers=2)
    return [t.numpy() for t in next(iter(loader))]


run_a, run_b, run_c = first_batch(0), first_batch(0), first_batch(1)
print("same seed, same batch:", all(np.array_equal(a, b) for a, b in zip(run_a, run_b)),
      "  another seed, another batch:", not np.array_equal(run_a[0], run_c[0]))


def ascii_digit(image):
    """An 8x8 image as 8 lines of characters (two per pixel, to look square), denser ones for larger values."""
    shades = " .:-=+*#%@"
    scaled = (image - image.min()) / (image.max() - image.min() + 1e-12)
    return ["".join(2 * shades[int(v * 9)] for v in line) for line in scaled]


torchlike.manual_seed(0)
views = [ascii_digit(x_train_img[0, 0])] + [ascii_digit(augmented[0][0].numpy()[0]) for _ in range(3)]
print(f"sample 0 (a {y_train[0]}): the original and three random crops")
for lines in zip(*views):
    print("   ".join(lines))

# %% [markdown]
# ## A custom `collate_fn`
#
# The default collate stacks, and stacking needs equal shapes. Samples of different lengths — sentences,
# audio clips — need a collate function of our own. The usual one **pads** every sequence of the batch to the
# longest and also returns the true lengths, so the model can ignore the padding. Here the samples are the words
# of a sentence as arrays of character codes:

# %%
class Words(Dataset):
    def __init__(self, text):
        self.words = text.split()

    def __len__(self):
        return len(self.words)

    def __getitem__(self, i):
        return np.frombuffer(self.words[i].encode("ascii"), np.uint8).astype(np.int64)


def pad_collate(batch, pad=0):
    """A list of 1-D int arrays -> (padded (B, longest) tensor, lengths (B,) tensor)."""
    lengths = [len(seq) for seq in batch]
    padded = np.full((len(batch), max(lengths)), pad, np.int64)
    for row, seq in enumerate(batch):
        padded[row, :len(seq)] = seq
    return torchlike.tensor(padded), torchlike.tensor(lengths)


words = Words("the quick brown fox jumps over the lazy dog")
try:
    next(iter(DataLoader(words, batch_size=4)))
    default_collate_error = None
except Exception as error:               # the default collate cannot stack arrays of different lengths
    default_collate_error = error
    print(f"default collate: {type(error).__name__}: {str(error).splitlines()[0][:100]}")

padded_batches = list(DataLoader(words, batch_size=4, collate_fn=pad_collate))
for codes, lengths in padded_batches:
    text = ["".join(chr(c) for c in row[:n]) for row, n in zip(codes.tolist(), lengths.tolist())]
    print(f"padded {tuple(codes.shape)}, lengths {lengths.tolist()}: {text}")

# %% [markdown]
# ## Feeding a graph from a `DataLoader`
#
# Nothing stops a TF1-style program from using a `DataLoader`: its batches are just arrays to put in the
# `feed_dict`. A softmax-regression classifier in graph mode, trained on batches from a shuffling loader with
# two workers:

# %%
x_ph = tf.placeholder(tf.float32, shape=(None, 64), name="x")
y_ph = tf.placeholder(tf.int64, shape=(None,), name="y")
logits = tf.layers.dense(x_ph, 10)
loss = tf.losses.sparse_softmax_cross_entropy(labels=y_ph, logits=logits)
train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
correct = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y_ph), tf.float32))

sess = tf.Session()
sess.run(tf.global_variables_initializer())
train_loader = DataLoader(tensors, batch_size=32, shuffle=True, num_workers=2)
fed_losses = []
for epoch in range(4):
    for xb, yb in train_loader:
        _, value = sess.run([train_op, loss], feed_dict={x_ph: xb.numpy(), y_ph: yb.numpy()})
        fed_losses.append(float(value))
fed_accuracy = float(sess.run(correct, feed_dict={x_ph: x_test, y_ph: y_test}))
print(f"{len(fed_losses)} steps, loss {fed_losses[0]:.3f} -> {np.mean(fed_losses[-10:]):.3f}, "
      f"test accuracy {fed_accuracy:.3f}")

# %% [markdown]
# ## `tf.data`: the input pipeline inside the graph
#
# TF1's own answer describes the pipeline as a dataset object transformed step by step:
#
# * `Dataset.from_tensor_slices((x, y))` — one element per row, as `TensorDataset`;
# * `.shuffle(buffer_size, seed)` — shuffle through a buffer (a buffer as large as the data is a full shuffle);
# * `.batch(32)` — group consecutive elements, the last batch possibly smaller;
# * `.repeat(n)` — go through it all `n` times (`repeat()` with no count: forever).
#
# `make_one_shot_iterator().get_next()` then gives **tensors** that the model is built on directly — no
# placeholders, no `feed_dict`. Every `sess.run` that needs them pulls the next batch. When the data runs out,
# the run raises `tf.errors.OutOfRangeError`, and catching it is how a TF1 training loop knew it was done.

# %%
tf.reset_default_graph()
tf.set_random_seed(0)     # a new graph has no seed: set it again
dataset = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
           .shuffle(buffer_size=len(x_train), seed=0)
           .batch(32)
           .repeat(4))
next_images, next_labels = dataset.make_one_shot_iterator().get_next()
print("get_next() gives:", next_images, next_labels)

def classifier(images):
    """The model, written once and called for each input: the second call reuses the variables by name."""
    return tf.layers.dense(images, 10, name="classifier", reuse=tf.AUTO_REUSE)


logits = classifier(next_images)
loss = tf.losses.sparse_softmax_cross_entropy(labels=next_labels, logits=logits)
train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
pipeline_losses = []
while True:
    try:
        _, value = sess.run([train_op, loss])       # nothing to feed: the batch comes from the iterator
        pipeline_losses.append(float(value))
    except tf.errors.OutOfRangeError:
        print(f"OutOfRangeError after {len(pipeline_losses)} steps: the 4 epochs are done")
        break
print(f"loss {pipeline_losses[0]:.3f} -> {np.mean(pipeline_losses[-10:]):.3f}")

# %% [markdown]
# To evaluate, TF1 programs built a second pipeline for the test set and applied the **same model function** to
# its tensors; `reuse=tf.AUTO_REUSE` makes the second `tf.layers.dense` call find the trained variables
# `classifier/kernel` and `classifier/bias` instead of creating new ones. A one-shot iterator can be used only
# once; an **initializable** iterator starts a new pass every time its `initializer` runs — one pass per
# evaluation. The loop is the same: run until `OutOfRangeError`.

# %%
test_iterator = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(100).make_initializable_iterator()
test_images, test_labels = test_iterator.get_next()
test_hits = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(classifier(test_images), 1), test_labels), tf.int64))
print("variables:", [v.name for v in tf.global_variables()])

sess.run(test_iterator.initializer)
hits, test_batches = 0, 0
while True:
    try:
        hits += int(sess.run(test_hits))
        test_batches += 1
    except tf.errors.OutOfRangeError:
        break
pipeline_accuracy = hits / len(y_test)
print(f"test accuracy {pipeline_accuracy:.3f} over {test_batches} batches")

# %% [markdown]
# ## Summary
#
# * `Dataset` = `__len__` + `__getitem__`; `TensorDataset` wraps tensors; transforms augment as samples are fetched.
# * Samplers choose the order; `DataLoader` batches, collates, and with `num_workers > 0` fetches in real worker
#   processes, seeding each one differently and reproducibly.
# * A custom `collate_fn` handles samples that cannot simply be stacked, such as sequences of different lengths.
# * Graph programs can be fed from a `DataLoader`, or read from a `tf.data` pipeline that is part of the graph
#   and ends with `OutOfRangeError`.
#
# ## Checks

# %%
assert len(plain) == 1438 and image.shape == (8, 8) and isinstance(label, int)
assert np.array_equal(row.numpy(), x_train[3]) and target.item() == y_train[3]

# samplers
assert sequential == list(range(10)) and sorted(shuffled) == sequential and shuffled != sequential
assert shuffled == shuffled_again and sorted(subset) == [0, 2, 4, 6, 8]
assert grouped == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and grouped_drop == [[0, 1, 2, 3], [4, 5, 6, 7]]

# the loader: shapes, a full epoch each time, a new order each epoch
assert tuple(images.shape) == (32, 8, 8) and tuple(labels.shape) == (32,) and len(loader) == 45
assert sizes == [32] * 44 + [30] and sorted(epoch_1) == sorted(epoch_2) == sorted(y_train.tolist())
assert epoch_1 != epoch_2

# workers are other processes, deliver in order, and draw different random numbers
assert [i for i, *_ in rows] == list(range(8)) and [w for _, _, w, _ in rows] == [0, 0, 1, 1, 0, 0, 1, 1]
assert len(worker_pids) == 2 and main_pid not in worker_pids and get_worker_info() is None
assert good[0] != good[1] and bad[0] == bad[1]
assert all(np.array_equal(a, b) for a, b in zip(run_a, run_b)) and not np.array_equal(run_a[0], run_c[0])
assert run_a[0].shape == (16, 1, 8, 8)

# padding collate
assert default_collate_error is not None
assert [lengths.tolist() for _, lengths in padded_batches] == [[3, 5, 5, 3], [5, 4, 3, 4], [3]]
assert tuple(padded_batches[0][0].shape) == (4, 5) and padded_batches[0][0].numpy()[0, 3:].tolist() == [0, 0]

# graphs fed by a DataLoader and by tf.data
assert len(fed_losses) == 4 * 45 and fed_accuracy >= 0.9
assert len(pipeline_losses) == 4 * 45 and pipeline_accuracy >= 0.9 and test_batches == 4
assert [v.name for v in tf.global_variables()] == ["classifier/kernel:0", "classifier/bias:0"]
assert np.mean(pipeline_losses[-10:]) < 0.5 * pipeline_losses[0]
print("chapter 8: all checks passed")
