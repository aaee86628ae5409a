"""``tf.contrib.crf``: the linear-chain conditional random field (CRF), the layer a sequence tagger (named entities,
parts of speech) puts on its per-word scores so that neighbouring tags are chosen together — "I-PER" may follow
"B-PER" but not "O"::

    log_likelihood, transition_params = tf.contrib.crf.crf_log_likelihood(scores, gold_tags, lengths)
    loss = tf.reduce_mean(-log_likelihood)
    tags, best_score = tf.contrib.crf.crf_decode(scores, transition_params, lengths)

**The model.** A sequence of n steps has scores ``x`` [n, num_tags] (the *unary potentials*, a network's logits)
and the tags share a transition matrix ``A`` [num_tags, num_tags], ``A[i, j]`` the score of tag j right after tag
i. A tag sequence y scores

    s(y) = Σ_{0≤t<n} x[t, y_t] + Σ_{1≤t<n} A[y_(t-1), y_t]        (crf_unary_score + crf_binary_score)

and has the probability ``p(y) = exp(s(y)) / Z``, Z summing ``exp(s(y'))`` over all num_tags^n sequences y'. The
log-likelihood of the gold tags is ``s(y) - log Z``.

**The forward algorithm** (``crf_log_norm``) gets log Z without the num_tags^n sequences. Let α_t[j] be the log of
the summed exp-scores of every prefix that ends in tag j at step t; a prefix ending in j at t is one ending in some
i at t - 1, followed by the transition i -> j and the score of j at t, so

    α_0[j] = x[0, j]
    α_t[j] = x[t, j] + logsumexp_i(α_(t-1)[i] + A[i, j])
    log Z  = logsumexp_j(α_(n-1)[j])

— n steps of num_tags² work (Collins' notes, http://www.cs.columbia.edu/~mcollins/fb.pdf). Here the steps are a
``tf.foldl``, so the gradient of log Z is the loop's: with respect to ``x[t, j]`` it is the marginal probability
``p(y_t = j)``, so that the likelihood's gradient is "gold minus expected", as for a softmax.

**Decoding** (``viterbi_decode`` in numpy, ``crf_decode`` in the graph) is the same recursion with max in place of
logsumexp (Viterbi): each step also keeps, for each tag j, the previous tag i that won (a *backpointer*), and the
best sequence is read backwards from the best last tag.

**A batch of different lengths.** ``inputs`` is [batch_size, max_seq_len, num_tags], ``sequence_lengths``
[batch_size]: the sums leave out the steps past an example's length, and its α stop changing there (the step is
masked with ``tf.where``). An example of length 0 (or less) scores 0 and has log Z = 0, as in TF 1.15.
"""
import types

import numpy

from .array_ops import (concat, expand_dims, one_hot, sequence_mask, shape, squeeze, stack, transpose, where,
                        zeros_like)
from .dtypes import int32
from .frontend import convert_to_tensor
from .math_ops import argmax, cast, maximum, reduce_logsumexp, reduce_max, reduce_sum
from .nd_indexing_ops import batch_gather, gather_nd
from .scan_ops import foldl, scan
from .variable_scope import get_variable


def _potentials(fn_name, inputs):
    """``inputs`` as a [batch_size, max_seq_len, num_tags] float tensor with num_tags known."""
    x = convert_to_tensor(inputs)
    if x.shape.rank != 3 or x.shape[2] is None:
        raise ValueError(f"{fn_name}: expected inputs of shape [batch_size, max_seq_len, num_tags] with num_tags "
                         f"known, got {x.shape}")
    return x


def _steps_in_time(x, sequence_lengths):
    """``x`` [batch, time, tags] as [time, batch, tags] (the loops run along dim 0), and [time, batch] bools: is
    step t within example b's length?"""
    alive = sequence_mask(sequence_lengths, maxlen=shape(x)[1])
    return transpose(x, [1, 0, 2]), transpose(alive, [1, 0])


def crf_unary_score(tag_indices, sequence_lengths, inputs):
    """``Σ_{t < length} inputs[b, t, tag_indices[b, t]]`` for each example b: a [batch_size] vector."""
    x = _potentials("crf_unary_score", inputs)
    picked = reduce_sum(x * one_hot(tag_indices, x.shape[2], dtype=x.dtype), 2)       # [batch, time]
    return reduce_sum(picked * sequence_mask(sequence_lengths, maxlen=shape(tag_indices)[1], dtype=x.dtype), 1)


def crf_binary_score(tag_indices, sequence_lengths, transition_params):
    """``Σ_{1 ≤ t < length} transition_params[tags[b, t-1], tags[b, t]]`` for each example b: a [batch_size]
    vector."""
    a = convert_to_tensor(transition_params)
    tags = convert_to_tensor(tag_indices)
    transitions = gather_nd(a, stack([tags[:, :-1], tags[:, 1:]], axis=-1))           # [batch, time - 1]
    # transition t - 1 -> t counts when step t is within the length
    counted = sequence_mask(sequence_lengths, maxlen=shape(tags)[1], dtype=a.dtype)[:, 1:]
    return reduce_sum(transitions * counted, 1)


def crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params):
    """``s(y)`` of the module docstring for the tag sequences ``tag_indices`` [batch_size, max_seq_len]: the unary
    plus the binary scores, a [batch_size] vector (unnormalized: ``crf_log_likelihood`` subtracts log Z)."""
    return (crf_unary_score(tag_indices, sequence_lengths, inputs)
            + crf_binary_score(tag_indices, sequence_lengths, transition_params))


def crf_log_norm(inputs, sequence_lengths, transition_params):
    """``log Z`` of each example (the forward algorithm of the module docstring): a [batch_size] vector."""
    steps, alive = _steps_in_time(_potentials("crf_log_norm", inputs), sequence_lengths)

    def forward(alphas, step):
        x_t, alive_t = step
        new_alphas = x_t + reduce_logsumexp(expand_dims(alphas, 2) + transition_params, 1)
        return where(alive_t, new_alphas, alphas)    # past its length an example's alphas stay as they are

    alphas = foldl(forward, (steps[1:], alive[1:]), initializer=steps[0])
    log_norm = reduce_logsumexp(alphas, 1)
    return where(convert_to_tensor(sequence_lengths) <= 0, zeros_like(log_norm), log_norm)


def crf_log_likelihood(inputs, tag_indices, sequence_lengths, transition_params=None):
    """``(log_likelihood, transition_params)``: ``s(y) - log Z`` of the tags ``tag_indices`` [batch_size,
    max_seq_len] under the scores ``inputs`` [batch_size, max_seq_len, num_tags] (a [batch_size] vector), and the
    transition matrix — ``transition_params`` if given, else a new variable ``transitions`` [num_tags, num_tags]
    (``tf.get_variable``: the scope's initializer, by default Glorot-uniform; the inputs' dtype)."""
    x = _potentials("crf_log_likelihood", inputs)
    if transition_params is None:
        transition_params = get_variable("transitions", [x.shape[2], x.shape[2]], x.dtype)
    log_likelihood = (crf_sequence_score(x, tag_indices, sequence_lengths, transition_params)
                      - crf_log_norm(x, sequence_lengths, transition_params))
    return log_likelihood, transition_params


def viterbi_decode(score, transition_params):
    """The best tag sequence of ONE sequence, in numpy (for use outside the graph, e.g. at test time):
    ``(viterbi, viterbi_score)``, a list of ``len(score)`` tags and its score ``s(y)``. ``score`` is [seq_len,
    num_tags] (padding removed), ``transition_params`` [num_tags, num_tags]."""
    score, transition_params = numpy.asarray(score), numpy.asarray(transition_params)
    trellis = numpy.zeros_like(score)                  # trellis[t, j]: the best score of a prefix ending in j at t
    backpointers = numpy.zeros(score.shape, numpy.int32)
    trellis[0] = score[0]
    for t in range(1, score.shape[0]):
        candidates = trellis[t - 1][:, None] + transition_params      # [previous tag, tag]
        trellis[t] = score[t] + candidates.max(0)
        backpointers[t] = candidates.argmax(0)
    viterbi = [int(trellis[-1].argmax())]
    for pointers in backpointers[:0:-1]:
        viterbi.append(int(pointers[viterbi[-1]]))
    viterbi.reverse()
    return viterbi, trellis[-1].max()


def crf_decode(potentials, transition_params, sequence_length):
    """``viterbi_decode`` for a batch, in the graph: ``(decode_tags, best_score)``, the best tags [batch_size,
    max_seq_len] (int32; 0 past each length) and their scores [batch_size]."""
    x = _potentials("crf_decode", potentials)
    steps, alive = _steps_in_time(x, sequence_length)
    num_tags = x.shape[2]

    def forward(carry, step):
        scores, _ = carry
        x_t, alive_t = step
        candidates = expand_dims(scores, 2) + transition_params                # [batch, previous tag, tag]
        pointers = cast(argmax(candidates, 1), int32)
        # past its length an example's scores stay, and each tag points to itself: the walk back from the last
        # step goes through the padding unchanged, to the example's own last step
        unmoved = zeros_like(pointers) + numpy.arange(num_tags, dtype=numpy.int32)
        return where(alive_t, x_t + reduce_max(candidates, 1), scores), where(alive_t, pointers, unmoved)

    scores, backpointers = scan(forward, (steps[1:], alive[1:]),
                                initializer=(steps[0], zeros_like(steps[0], dtype=int32)))
    final_scores = concat([steps[:1], scores], 0)[-1]                              # (steps[0] for one step)
    last_tag = cast(argmax(final_scores, 1), int32)

    def backward(tag, pointers):    # the tag at step t - 1, from the tag at step t and step t's backpointers
        return squeeze(batch_gather(pointers, expand_dims(tag, 1)), [1])

    earlier_tags = scan(backward, backpointers, initializer=last_tag, reverse=True)      # [max_seq_len - 1, batch]
    tags = transpose(concat([earlier_tags, expand_dims(last_tag, 0)], 0), [1, 0])
    # TF decodes step 0 even for an empty sequence
    decoded = sequence_mask(maximum(sequence_length, 1), maxlen=shape(tags)[1])
    return where(decoded, tags, zeros_like(tags)), reduce_max(final_scores, 1)


crf = types.SimpleNamespace(
    crf_sequence_score=crf_sequence_score, crf_unary_score=crf_unary_score, crf_binary_score=crf_binary_score,
    crf_log_norm=crf_log_norm, crf_log_likelihood=crf_log_likelihood, viterbi_decode=viterbi_decode,
    crf_decode=crf_decode)
