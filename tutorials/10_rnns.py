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
# # Chapter 10 — Recurrent networks: a loop on the tape, a loop in the graph
#
# A recurrent network reads a sequence one element at a time and carries a *state* from each step to the next —
# a running summary of everything read so far. Here the elements are characters, and the network learns to
# predict the next character of a short text: a **character-level language model**, the "hello world" of
# sequence models.
#
# The heart of it is the loop from chapter 6, now with inputs and outputs at every step. With a character $c_t$
# coming in as an index into the vocabulary:
#
# $$ h_t = \tanh\!\big(W_{xh}[c_t] + h_{t-1} W_{hh} + b_h\big), \qquad
#    \text{logits}_t = h_t W_{hy} + b_y, \qquad
#    L = \frac{1}{T}\sum_{t=1}^{T} \text{cross-entropy}(\text{logits}_t,\ c_{t+1}). $$
#
# $W_{xh}[c_t]$ — row $c_t$ of $W_{xh}$ — is the same as multiplying a one-hot vector by $W_{xh}$, without
# building the vector. We write the loop in eager mode, where it is a Python `for` and the tape simply grows
# with the sequence, train it, and then write the same recurrence in graph mode as one `tf.while_loop`.

# %%
import numpy as np

import minidl.eager as torchlike
import minidl.graph as tf
from minidl.eager import nn, optim
from minidl.eager.nn import functional as F

tf.reset_default_graph()  # start from an empty graph, also when this notebook is run a second time
torchlike.manual_seed(0)

# %% [markdown]
# ## The text and its vocabulary
#
# The first verse of Jane Taylor's *The Star* (1806, in the public domain), with its opening couplet repeated as
# it is sung. The vocabulary is every character that occurs; each gets an index.

# %%
TEXT = ("Twinkle, twinkle, little star,\n"
        "How I wonder what you are!\n"
        "Up above the world so high,\n"
        "Like a diamond in the sky.\n"
        "Twinkle, twinkle, little star,\n"
        "How I wonder what you are!\n")
vocab = sorted(set(TEXT))
char_to_index = {ch: i for i, ch in enumerate(vocab)}
encoded = np.array([char_to_index[ch] for ch in TEXT], np.int64)
V, HIDDEN = len(vocab), 64
print(f"{len(TEXT)} characters, vocabulary of {V}: {''.join(vocab)!r}")
print("'Twinkle' encodes as", encoded[:7].tolist())

# %% [markdown]
# A training example is a window of the text: the input is characters $c_1 \dots c_T$ and the target is the same
# window shifted by one, $c_2 \dots c_{T+1}$ — at every position, "what comes next?". A batch is a few windows
# starting at random places.

# %%
sampling = np.random.default_rng(0)


def random_batch(length, batch_size=32):
    starts = sampling.integers(0, len(encoded) - length, size=batch_size)
    windows = np.stack([encoded[s:s + length + 1] for s in starts])
    return windows[:, :-1], windows[:, 1:]          # inputs (B, T), targets (B, T)


inputs, targets = random_batch(10, batch_size=2)
for row_in, row_out in zip(inputs, targets):
    print(repr("".join(vocab[i] for i in row_in)), "->", repr("".join(vocab[i] for i in row_out)))

# %% [markdown]
# ## The model: a Python loop over time
#
# Five parameters and a `for` loop. Nothing about the loop is declared in advance: it runs as many times as the
# batch has columns, and every operation in it is recorded on the tape as it happens.

# %%
class CharRNN(nn.Module):
    def __init__(self, vocab_size, hidden_size):
        super().__init__()
        self.W_xh = nn.Parameter(torchlike.randn(vocab_size, hidden_size) * 0.1)
        self.W_hh = nn.Parameter(torchlike.randn(hidden_size, hidden_size) * (0.5 / hidden_size ** 0.5))
        self.b_h = nn.Parameter(torchlike.zeros(hidden_size))
        self.W_hy = nn.Parameter(torchlike.randn(hidden_size, vocab_size) * 0.1)
        self.b_y = nn.Parameter(torchlike.zeros(vocab_size))

    def forward(self, ids, h=None):
        """ids (B, T) -> logits (B, T, V) and the last state (B, H)."""
        batch, steps = ids.shape
        h = torchlike.zeros(batch, self.b_h.shape[0]) if h is None else h
        logits = []
        for t in range(steps):                       # the dynamic graph: one pass per character
            h = torchlike.tanh(self.W_xh[ids[:, t]] + h @ self.W_hh + self.b_h)
            logits.append(h @ self.W_hy + self.b_y)
        return torchlike.stack(logits, dim=1), h


def sequence_loss(model, ids, targets):
    logits, _ = model(torchlike.tensor(ids))
    return F.cross_entropy(logits.reshape(-1, V), torchlike.tensor(targets).reshape(-1))


model = CharRNN(V, HIDDEN)
print("parameters:", ", ".join(f"{name} {tuple(p.shape)}" for name, p in model.named_parameters()))

# %% [markdown]
# ### The tape grows with the sequence
#
# Count the nodes of the tape behind the loss for a batch of 8-character windows and one of 32-character windows
# (the same walk over `grad_fn.next_functions` as in chapter 6):

# %%
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


tape_8 = tape_size(sequence_loss(model, *random_batch(8)))
tape_32 = tape_size(sequence_loss(model, *random_batch(32)))
per_step = (tape_32 - tape_8) / (32 - 8)
print(f"tape nodes: T = 8 -> {tape_8},  T = 32 -> {tape_32},  i.e. {per_step:.0f} more per character")

# %% [markdown]
# Each character adds the same seven nodes: the row lookup $W_{xh}[c_t]$, two matrix products, three additions
# and the `tanh`. (Slicing `ids` adds nothing: the input needs no gradient, so it is not recorded; and `stack`
# collects the logits of all the steps in one node.) Backpropagation through time is nothing special here:
# `backward()` walks this long tape like any other. (It also shows the cost: memory grows with the length, which
# is why long texts are cut into windows — *truncated* backpropagation through time.)
#
# ## Training
#
# The usual loop, with Adam and gradient clipping (`clip_grad_norm_` rescales the gradients when their overall
# norm is large: recurrent networks occasionally produce huge gradients, because the same matrix $W_{hh}$ is
# multiplied in at every step).

# %%
optimizer = optim.Adam(model.parameters(), lr=0.01)
losses = []
for step in range(150):
    loss = sequence_loss(model, *random_batch(24))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    optimizer.step()
    losses.append(loss.item())
    if step % 30 == 0 or step == 149:
        print(f"step {step:3}: loss {loss.item():.3f}")
print(f"a model that guesses uniformly would score ln({V}) = {np.log(V):.3f}")

# %% [markdown]
# To see what it learned, let it write: feed it "Twinkle", then repeatedly take the most likely next character
# and feed it back in. The state `h` carries the context from one call to the next.

# %%
def generate(model, prompt, length):
    with torchlike.no_grad():
        logits, h = model(torchlike.tensor([[char_to_index[ch] for ch in prompt]]))
        out = prompt
        for _ in range(length):
            next_index = int(logits[0, -1].argmax())
            out += vocab[next_index]
            logits, h = model(torchlike.tensor([[next_index]]), h)
    return out


sample = generate(model, "Twinkle", 90)
print(sample)

# %% [markdown]
# ### The same loop, ready-made: `nn.RNN`
#
# `nn.RNN` computes the same recurrence, $\tanh(x W_{ih}^T + b_{ih} + h W_{hh}^T + b_{hh})$ on input *vectors*,
# so we feed it one-hot vectors and give it our weights, transposed to its (out, in) layout; the final states
# agree. Inside, minidl does not record it step by step: it hands the whole loop to one fused op
# (`ops.rnn_sequence`, see `minidl/ops/recurrent.py`) whose forward is this loop on plain arrays and whose
# backward is backpropagation through time written out once, by hand — one tape node per layer
# (`RnnSequenceBackward0`) instead of seven per character, several times faster. `nn.LSTM` and `nn.GRU` have such
# ops too (`ops.lstm_sequence`, `ops.gru_sequence`); packed input, and an LSTM with `proj_size`, keep the
# recorded Python loop (`minidl/eager/nn/rnn.py`).
#
# PyTorch fuses the loop only where a backend library supplies a whole-sequence kernel: cuDNN on a GPU (and, in
# many CPU builds, oneDNN for `nn.LSTM`). Its CPU `nn.RNN` and `nn.GRU` are recorded step by step, a handful of
# nodes per character (`AddmmBackward0`, `TanhBackward0`, ...), much like our own loop above.

# %%
rnn = nn.RNN(V, HIDDEN, batch_first=True)
with torchlike.no_grad():
    rnn.weight_ih_l0.copy_(model.W_xh.T)
    rnn.weight_hh_l0.copy_(model.W_hh.T)
    rnn.bias_ih_l0.copy_(model.b_h)
    rnn.bias_hh_l0.zero_()
    batch_ids, _ = random_batch(16)
    _, h_ours = model(torchlike.tensor(batch_ids))
    _, h_rnn = rnn(F.one_hot(torchlike.tensor(batch_ids), V).float())
rnn_gap = float((h_rnn[0] - h_ours).abs().max())
print(f"nn.RNN final state vs ours: largest difference {rnn_gap:.1e}")

# %% [markdown]
# ## Graph mode: one `tf.while_loop` for any length
#
# In graph mode a Python `for` over time would *unroll*: one copy of the step per character, and one graph per
# sequence length (chapter 6). Instead the recurrence becomes one `While` operation. The loop variables are the
# step counter, the state and the running sum of the loss; the inputs and targets are placeholders whose time
# dimension is left open, and the condition compares the counter with it at run time. The weights are variables
# initialized with the trained eager weights, so both programs compute the same function.

# %%
weights = {name: p.detach().numpy() for name, p in model.named_parameters()}
W_xh, W_hh, b_h, W_hy, b_y = (tf.Variable(weights[name], name=name) for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"))

ids = tf.placeholder(tf.int64, shape=(None, None), name="ids")            # (batch, time)
next_ids = tf.placeholder(tf.int64, shape=(None, None), name="next_ids")
batch_size, n_steps = tf.shape(ids)[0], tf.shape(ids)[1]


def cond(t, h, total):
    return t < n_steps


def body(t, h, total):
    h = tf.tanh(tf.gather(W_xh, tf.gather(ids, t, axis=1)) + tf.matmul(h, W_hh) + b_h)
    logits = tf.matmul(h, W_hy) + b_y
    step_losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.gather(next_ids, t, axis=1),
                                                                 logits=logits)
    return t + 1, h, total + tf.reduce_sum(step_losses)


h0 = tf.zeros(tf.stack([batch_size, HIDDEN]))
_, h_last, total = tf.while_loop(cond, body, [tf.constant(0), h0, tf.constant(0.0)], name="char_rnn")
graph_loss = total / tf.cast(batch_size * n_steps, tf.float32)
variables = [W_xh, W_hh, b_h, W_hy, b_y]
graph_grads = tf.gradients(graph_loss, variables)
init = tf.global_variables_initializer()

graph = tf.get_default_graph()
op_types = [op.type for op in graph.get_operations()]
print(f"the whole graph, loss and gradients included: {len(op_types)} operations, "
      f"{op_types.count('While')} While and {op_types.count('WhileGrad')} WhileGrad")

# %% [markdown]
# Now the comparison: the same batch through both programs, for a short and a long sequence. The graph does not
# change between the two runs — only the value fed to `ids` has more columns, so the `While` op goes round more
# times. The eager tape, on the other hand, is rebuilt for each batch, as long as that batch.

# %%
sess = tf.Session()
sess.run(init)
comparison = {}
for length in (8, 32):
    batch_in, batch_out = random_batch(length)
    model.zero_grad()
    eager_loss = sequence_loss(model, batch_in, batch_out)
    eager_loss.backward()
    eager_grads = [p.grad.numpy() for p in model.parameters()]
    value, grads = sess.run([graph_loss, graph_grads], feed_dict={ids: batch_in, next_ids: batch_out})
    grad_gap = max(float(np.abs(g - e).max() / (np.abs(e).max() + 1e-12)) for g, e in zip(grads, eager_grads))
    comparison[length] = (eager_loss.item(), float(value), grad_gap, tape_size(eager_loss))
    print(f"T = {length:2}: loss eager {eager_loss.item():.6f}, graph {value:.6f};  largest gradient difference "
          f"(relative) {grad_gap:.1e};  eager tape {comparison[length][3]} nodes, graph "
          f"{len(graph.get_operations())} operations")

# %% [markdown]
# ### The same loop, ready-made: `tf.nn.dynamic_rnn`
#
# TF1 splits the ready-made version in two: a *cell* describes one step — `tf.nn.rnn_cell.BasicRNNCell` computes
# $\tanh([x_t, h_{t-1}]\,K + b)$, with one kernel $K$ that stacks our $W_{xh}$ on top of $W_{hh}$ — and
# `tf.nn.dynamic_rnn` runs it over the sequence. Given one-hot inputs and our trained weights, its final state is
# ours. For this cell it does what `nn.RNN` does: the whole recurrence becomes the one fused op `RnnSequence`, not
# a `While` (any other cell gets a `tf.while_loop` like the one above).

# %%
cell = tf.nn.rnn_cell.BasicRNNCell(HIDDEN)
_, h_cell = tf.nn.dynamic_rnn(cell, tf.one_hot(ids, V), dtype=tf.float32)
kernel, bias = cell.variables                                   # rnn/basic_rnn_cell/kernel and .../bias
sess.run(tf.variables_initializer([kernel, bias]))
sess.run([kernel.assign(tf.concat([W_xh, W_hh], 0)), bias.assign(b_h)])
batch_ids, _ = random_batch(16)
with torchlike.no_grad():
    _, h_ours = model(torchlike.tensor(batch_ids))
cell_gap = float(np.abs(sess.run(h_cell, {ids: batch_ids}) - h_ours.numpy()).max())
cell_ops = [op.type for op in graph.get_operations() if op.name.startswith("rnn/")]
print(f"{kernel.name} {kernel.shape}; dynamic_rnn final state vs ours: largest difference {cell_gap:.1e}; "
      f"{cell_ops.count('RnnSequence')} RnnSequence op, {cell_ops.count('While')} While")

# %% [markdown]
# The gated cells — `BasicLSTMCell`, `LSTMCell`, `GRUCell`, stacked by `MultiRNNCell`, wrapped in
# `DropoutWrapper` — have no fused op: `dynamic_rnn` runs them in a `tf.while_loop`. An LSTM's state is a pair,
# an `LSTMStateTuple` of the cell state `c` and the output `h`, and its one kernel holds the four gates' weights
# side by side (in TF's order: input, candidate, forget, output).

# %%
lstm = tf.nn.rnn_cell.BasicLSTMCell(HIDDEN)
_, lstm_state = tf.nn.dynamic_rnn(lstm, tf.one_hot(ids, V), dtype=tf.float32, scope="lstm")
sess.run(tf.variables_initializer(lstm.variables))
lstm_h = sess.run(lstm_state.h, {ids: batch_ids})
lstm_ops = [op.type for op in graph.get_operations() if op.name.startswith("lstm/")]
print([f"{v.name} {v.shape}" for v in lstm.variables], type(lstm_state).__name__, lstm_h.shape,
      f"{lstm_ops.count('While')} While")

# %% [markdown]
# ## Summary
#
# * A recurrent network applies the same step to each element of a sequence, carrying a state.
# * In eager mode the step is called in a Python loop; the tape records every step, so it grows with the
#   sequence, and `backward()` is backpropagation through time with no extra machinery. `nn.RNN` runs that
#   loop inside one fused op, with backpropagation through time written by hand, for speed.
# * In graph mode `tf.while_loop` makes the recurrence one operation whose body graph runs once per character;
#   the same graph serves every length, and `tf.gradients` replays the body's VJP over the steps that ran.
#   `tf.nn.dynamic_rnn` runs a TF1 cell over a sequence — for `BasicRNNCell` as one fused op, like `nn.RNN`.
# * Given the same weights and batch, both compute the same loss and gradients.
#
# ## Checks

# %%
# the eager tape grows linearly with the sequence
assert tape_32 > tape_8 and per_step == 7
assert (tape_32 - tape_8) % (32 - 8) == 0

# training made the loss drop well below guessing, and the model learned some of the text
assert losses[0] > 0.9 * np.log(V) and np.mean(losses[-20:]) < 0.35 * losses[0], (losses[0], losses[-20:])
assert sample.startswith("Twinkle, twinkle") and len(sample) == 7 + 90
assert rnn_gap < 1e-5

# graph mode: one While op for every length, the same loss and gradients as eager
assert op_types.count("While") == 1 and op_types.count("WhileGrad") == 1
for length, (eager_value, graph_value, grad_gap, tape) in comparison.items():
    assert abs(eager_value - graph_value) < 1e-5 * max(1.0, abs(eager_value)), (length, eager_value, graph_value)
    assert grad_gap < 1e-4, (length, grad_gap)
assert comparison[32][3] > comparison[8][3]
assert cell_gap < 1e-5 and cell_ops.count("RnnSequence") == 1 and "While" not in cell_ops
assert isinstance(lstm_state, tf.nn.rnn_cell.LSTMStateTuple) and lstm_ops.count("While") == 1
assert lstm.variables[0].shape.as_list() == [V + HIDDEN, 4 * HIDDEN] and lstm_h.shape == (len(batch_ids), HIDDEN)
print("chapter 10: all checks passed")
