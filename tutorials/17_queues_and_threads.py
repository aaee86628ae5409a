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
# # Chapter 17 — Queues and threads: how TensorFlow 1 read its data before `tf.data`
#
# Chapter 8 fed a graph two ways: from Python (`feed_dict`, filled by a `DataLoader`) and from inside the graph
# (`tf.data`). Between 2015 and 2017 there was a third way, and most TF1 code of that time uses it: a **pipeline of
# queues**, kept full by **background threads**. A file-name queue feeds a reader; the reader's records are parsed
# and put into a batching queue; the training step takes its batch from there. While the training thread
# computes a step, other threads read and parse the next examples, so the model rarely waits for the disk.
#
# ```
#  file names ──▶ [FIFOQueue] ──▶ reader.read ──▶ decode_csv ──▶ [RandomShuffleQueue] ──▶ dequeue_many ──▶ model
#               string_input_producer        (one thread per enqueue op)          shuffle_batch
# ```
#
# Three ideas carry it, and this chapter takes them one at a time: (1) a queue is a graph op with state that
# *blocks*; (2) a `QueueRunner` is a Python thread that runs an enqueue op in a loop, and a `Coordinator` stops
# them all; (3) the end of the data is *signalled* through the queues: the file-name queue closes after
# `num_epochs`, the readers fail with `OutOfRangeError`, their threads close the next queue, and the training
# loop's `sess.run` finally raises `OutOfRangeError` — the same exception that ends a `tf.data` loop.

# %%
import os
import shutil
import tempfile
import threading
import time

import numpy as np

import minidl.graph as tf
from minidl.datasets import load_digits
from minidl.io.png import encode_png

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="minidl-chapter-17-")  # the CSV files of this chapter; removed at its end

# %% [markdown]
# ## 1. A queue is state in the session, and its ops wait
#
# `tf.FIFOQueue(capacity, dtypes, shapes)` adds one op that *is* the queue; `enqueue`, `dequeue_many`, `size` and
# `close` add ops that act on it. Like a variable's value, what the queue holds lives in the `Session`. A dequeue
# from an empty queue does not fail: it **waits** until some other run puts something in. To see that without
# hanging this notebook, we give the run a deadline (`tf.RunOptions(timeout_in_ms=...)`).

# %%
tf.reset_default_graph()
queue = tf.FIFOQueue(capacity=4, dtypes=[tf.int32], shapes=[[]])
numbers = tf.placeholder(tf.int32, [None])
put_many = queue.enqueue_many([numbers])
take_two = queue.dequeue_many(2)
take_rest = queue.dequeue_up_to(2)

with tf.Session() as sess:
    sess.run(put_many, {numbers: [1, 2, 3]})
    print("size after enqueueing three:", sess.run(queue.size()))
    print("dequeue_many(2):", sess.run(take_two))
    try:
        sess.run(take_two, options=tf.RunOptions(timeout_in_ms=100))
    except tf.errors.DeadlineExceededError:
        print("dequeue_many(2) of a queue holding one element waits (here: until the deadline)")
    sess.run(queue.close())
    print("after close(), dequeue_up_to hands out the rest:", sess.run(take_rest))
    try:
        sess.run(take_rest)
    except tf.errors.OutOfRangeError as error:
        end_message = str(error).splitlines()[0]
        print("and then:", end_message)

# %% [markdown]
# A full queue makes an enqueue wait in the same way, for a dequeue to make room: a queue's `capacity` is how far a
# producer may run ahead of the consumer. Waiting ops are why queues need *threads*: one thread fills, another
# empties. Here is that done by hand, with a plain Python thread running the enqueue op, and the main thread taking
# batches:

# %%
tf.reset_default_graph()
queue = tf.FIFOQueue(capacity=3, dtypes=[tf.int32], shapes=[[]])
counter = tf.Variable(0)
put_next = queue.enqueue(tf.assign_add(counter, 1))  # each run puts the next integer in


def producer(sess, stop):
    while not stop.is_set():
        try:
            sess.run(put_next)
        except tf.errors.CancelledError:  # the queue was closed with cancel_pending_enqueues: time to go
            return


with tf.Session() as sess:
    sess.run(counter.initializer)
    stop = threading.Event()
    thread = threading.Thread(target=producer, args=(sess, stop))
    thread.start()
    take = queue.dequeue_many(2)
    batches = [sess.run(take).tolist() for _ in range(3)]
    stop.set()
    sess.run(queue.close(cancel_pending_enqueues=True))  # wakes the producer if it waits for room
    thread.join()
print("three batches taken while a thread filled the queue:", batches)
assert batches == [[1, 2], [3, 4], [5, 6]]

# %% [markdown]
# ## 2. `QueueRunner` and `Coordinator`: the threads, written once
#
# Every TF1 pipeline needed that loop, so TF1 packaged it. A `tf.train.QueueRunner(queue, [enqueue_op] * n)` holds
# *what* to run: `n` threads, each running `enqueue_op` until the input ends, the last one then closing `queue`.
# `tf.train.add_queue_runner` files it in the graph's `QUEUE_RUNNERS` collection, and
# `tf.train.start_queue_runners(sess, coord)` starts the threads of every runner in the graph. The
# `tf.train.Coordinator` is the shared stop flag: `coord.request_stop()` asks every thread to finish,
# `coord.join(threads)` waits for them — and re-raises the first error a thread reported, so a failure in a
# thread is not lost.
#
# The producers of `tf.train` build the runner for us. `slice_input_producer` hands out one row of a set of
# arrays per run (the same row of each: an example and its label), `num_epochs` times over; `tf.train.batch`
# makes a queue of examples with a runner, and returns its `dequeue_many`:

# %%
tf.reset_default_graph()
x_train, y_train, x_test, y_test = load_digits()
image, label = tf.train.slice_input_producer([x_train[:10], y_train[:10]], num_epochs=2, shuffle=False)
image_batch, label_batch = tf.train.batch([image, label], batch_size=4, allow_smaller_final_batch=True)
print("runners in the graph:", [runner.name for runner in tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)])

with tf.Session() as sess:
    # num_epochs is counted in a *local* variable: TF1 programs initialize both kinds
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)
    sizes = []
    try:
        while not coord.should_stop():
            sizes.append(len(sess.run(label_batch)))
    except tf.errors.OutOfRangeError:
        print(f"the epochs ran out after {len(sizes)} batches of sizes {sizes}")
    finally:
        coord.request_stop()
    coord.join(threads)
print("threads still running after join:", sum(t.is_alive() for t in threads))
assert sizes == [4, 4, 4, 4, 4]

# %% [markdown]
# Forgetting `tf.local_variables_initializer()` was TF1's most common stumbling block with these pipelines: the
# producer thread fails to read its epoch counter ("Attempting to use uninitialized value
# input_producer/limit_epochs/epochs"), the coordinator stops everything, the queues close, the training loop
# ends at once with `OutOfRangeError`, and only `coord.join` shows what went wrong. minidl behaves the same way,
# which is the point: it is how such a program fails.

# %% [markdown]
# ## 3. The whole pipeline: CSV files, a reader, a shuffling batch queue
#
# Now the classic program. We write the training digits into four CSV files (a header line, 64 pixel columns and
# the label), then read them back the TF1 way:
#
# * `string_input_producer(files, num_epochs=...)` — a queue of file names, shuffled each epoch;
# * `tf.TextLineReader(skip_header_lines=1).read(queue)` — the next line of the current file, taking the next
#   file name when a file is used up (`key` says where the line came from: `b"file:line"`);
# * `tf.decode_csv` — the line's columns as tensors;
# * `tf.train.shuffle_batch(..., capacity, min_after_dequeue, num_threads=2)` — two threads read and parse into
#   a `RandomShuffleQueue`, which hands out random examples but, while the input lasts, always keeps
#   `min_after_dequeue` back, so each batch is drawn from a large, well mixed pool.

# %%
files = []
for part, rows in enumerate(np.array_split(np.arange(len(x_train)), 4)):
    path = os.path.join(WORK, f"digits-{part}.csv")
    with open(path, "w") as f:
        f.write(",".join([f"p{i}" for i in range(64)] + ["label"]) + "\n")
        for r in rows:
            f.write(",".join(f"{v:.4f}" for v in x_train[r]) + f",{y_train[r]}\n")
    files.append(path)
print(f"{len(files)} files, {len(x_train)} examples; first line of data:",
      open(files[0]).readlines()[1][:60], "...")

# %%
EPOCHS, BATCH, CAPACITY, RESERVE = 6, 32, 400, 200
tf.reset_default_graph()
tf.set_random_seed(0)
file_names = tf.train.string_input_producer(files, num_epochs=EPOCHS, seed=1)
key, line = tf.TextLineReader(skip_header_lines=1).read(file_names)
columns = tf.decode_csv(line, record_defaults=[[0.0]] * 64 + [[0]])
pixels, digit = tf.stack(columns[:64]), columns[64]
batch_pixels, batch_digits = tf.train.shuffle_batch([pixels, digit], batch_size=BATCH, capacity=CAPACITY,
                                                    min_after_dequeue=RESERVE, num_threads=2, seed=2)
# the shuffle queue, found through its runner, to watch it fill (ops are made now: the session will finalize the graph)
examples_waiting = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)[-1].queue.size()

weights = tf.Variable(tf.zeros([64, 10]))
biases = tf.Variable(tf.zeros([10]))
logits = tf.matmul(batch_pixels, weights) + biases
loss = tf.losses.sparse_softmax_cross_entropy(labels=batch_digits, logits=logits)
train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss, global_step=tf.train.get_or_create_global_step())
test_pixels = tf.placeholder(tf.float32, [None, 64])
test_prediction = tf.argmax(tf.matmul(test_pixels, weights) + biases, axis=1)

# %% [markdown]
# `MonitoredTrainingSession` does the chores of the previous section itself: it initializes global *and* local
# variables, starts the queue runners with its own coordinator, treats `OutOfRangeError` as the normal end of
# training, and stops and joins the threads when the block ends. We also record, at each step, how many examples
# wait in the shuffle queue.

# %%
losses, waiting = [], []
start = time.perf_counter()
with tf.train.MonitoredTrainingSession() as sess:
    while not sess.should_stop():
        _, step_loss, in_queue = sess.run([train_op, loss, examples_waiting])
        losses.append(step_loss)
        waiting.append(in_queue)
seconds = time.perf_counter() - start
print(f"{len(losses)} steps in {seconds:.1f} s; loss {np.mean(losses[:10]):.3f} (first 10 steps) -> "
      f"{np.mean(losses[-10:]):.3f} (last 10)")
print("the queue's fill: at most", max(waiting), "examples; the reserve kept while reading:", RESERVE)

# %% [markdown]
# The session above is closed once the loop ends — with it went the variables. To score the model we run the
# same program again with a `Saver`... or, simpler for a notebook, keep a plain `Session` open. Chapter 14 shows
# checkpoints; here we train once more in a plain session, this time stopping the threads ourselves, and keep it
# open to evaluate.

# %%
with tf.Session() as sess:
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)
    steps = 0
    try:
        while True:
            sess.run(train_op)
            steps += 1
    except tf.errors.OutOfRangeError:
        pass
    finally:
        coord.request_stop()
        coord.join(threads)
    accuracy = np.mean(sess.run(test_prediction, {test_pixels: x_test}) == y_test)
print(f"{steps} steps; test accuracy of softmax regression fed by the queues: {accuracy:.3f}")

# %% [markdown]
# ## 4. A picture: the shuffle queue fills, keeps its reserve, and drains
#
# Each bar below is one training step of section 3's run; its height is the number of examples waiting in the
# `RandomShuffleQueue` when the step ran. The black line is the queue's capacity, the red one `min_after_dequeue`.
#
# Most bars sit just above the red line: each step takes its 32 examples and then *waits* until the two reading
# threads have brought the queue back to `min_after_dequeue + 32`. A few bars may stand taller — the readers got
# ahead for a moment, while the training thread was held up (at the start, say, while the session was being set
# up); where and how often depends on the machine's timing. The training is faster than two Python threads
# parsing CSV lines, so here **the input pipeline is the bottleneck**. That is what such a picture is for
# (TF1 put this very number into TensorBoard as the summary `shuffle_batch/fraction_over_200_of_200_full`): a queue
# that stays near its reserve says "add reading threads (`num_threads`) or parse several lines per run
# (`read_up_to`)"; a queue that stays full says the model is the slow part. At the end the epochs run out, the
# file-name queue closes, and the last batches drain the shuffle queue below its reserve.

# %%
HEIGHT, BAR, MARGIN = 160, 2, 10
width = MARGIN * 2 + BAR * len(waiting)
canvas = np.full((HEIGHT + 2 * MARGIN, width, 3), 255, np.uint8)


def level(count):
    """The pixel row of a queue size."""
    return MARGIN + HEIGHT - int(round(HEIGHT * count / CAPACITY))


for step, count in enumerate(waiting):
    left = MARGIN + BAR * step
    canvas[level(count):MARGIN + HEIGHT, left:left + BAR - 1] = (70, 120, 190)
canvas[level(CAPACITY), MARGIN:width - MARGIN] = (0, 0, 0)
canvas[level(RESERVE), MARGIN:width - MARGIN] = (200, 60, 60)
canvas[MARGIN + HEIGHT, MARGIN:width - MARGIN] = (0, 0, 0)
picture = os.path.join(OUT, "17_shuffle_queue_fill.png")
with open(picture, "wb") as f:
    f.write(encode_png(canvas))
print("drew", picture)

# %% [markdown]
# ## Summary
#
# * A TF1 queue is a graph op whose contents live in the session; `enqueue` waits while it is full, `dequeue`
#   while it is empty, and `close()` turns "empty" into `OutOfRangeError` — the end of the data.
# * `QueueRunner`s are the threads that run enqueue ops in a loop; `start_queue_runners` starts them,
#   a `Coordinator` stops them and reports their errors; `MonitoredTrainingSession` does both for you.
# * `num_epochs` lives in a local variable: run `tf.local_variables_initializer()`.
# * The producers (`string_input_producer`, `slice_input_producer`), readers (`TextLineReader`,
#   `TFRecordReader`, `FixedLengthRecordReader`) and batchers (`batch`, `shuffle_batch`) are queues and runners
#   put together for you. `tf.data` (chapter 8) replaced all of it with one object and no threads to manage.

# %% [markdown]
# ## Checks

# %%
assert "is closed and has insufficient elements" in end_message
assert len(losses) == EPOCHS * len(x_train) // BATCH  # every full batch of every epoch, and no more
assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])
assert steps == len(losses) and accuracy > 0.85
assert max(waiting) <= CAPACITY and max(waiting) > RESERVE
assert os.path.getsize(picture) > 0
shutil.rmtree(WORK)
