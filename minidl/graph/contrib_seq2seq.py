"""The sequence losses of ``tf.contrib.seq2seq`` and ``tf.contrib.legacy_seq2seq``: the weighted cross-entropy of
a language model or a decoder, one prediction per time step::

    loss = tf.contrib.seq2seq.sequence_loss(logits, targets, weights)   # logits [batch, T, C], the others [batch, T]

Every step contributes its cross-entropy ``ce[b, t] = -log softmax(logits[b, t])[targets[b, t]]`` times its weight
``w[b, t]`` — a weight of 0 masks a padding step out, e.g. ``weights = tf.sequence_mask(lengths, T, tf.float32)``.
The flags choose how those products are reduced (sums over the dims named, ``n(w)`` the number of non-zero
weights there)::

    average_across_timesteps and average_across_batch (the default):  Σ_bt w·ce / Σ_bt w        a scalar
    average_across_timesteps only:                                     Σ_t w·ce / Σ_t w          [batch]
    average_across_batch only:                                         Σ_b w·ce / Σ_b w          [T]
    sum_over_timesteps and sum_over_batch:                             Σ_bt w·ce / n_bt(w)       a scalar
    sum_over_timesteps only:                                           Σ_t w·ce / n_t(w)         [batch]
    sum_over_batch only:                                               Σ_b w·ce / n_b(w)         [T]
    no flag:                                                           w·ce                      [batch, T]

A division by zero (all weights 0) gives 0, not NaN (``tf.div_no_nan``). So "sum_over" is a misnomer kept from
TensorFlow: it also averages, over the steps that count however much they weigh. An average flag and a sum flag
for one dim would contradict each other: an error. An average flag with the other dim's sum flag takes the
average (TF checks the average flags first). ``softmax_loss_function(labels=, logits=)`` replaces the sparse
softmax cross-entropy (e.g. a sampled softmax), called on the flattened [batch·T, C] logits and [batch·T] targets.

**legacy_seq2seq** (TF's first seq2seq library, as in the PTB language-model tutorial) takes Python lists, one
entry per step — logits [batch, C], targets [batch], weights [batch] — and sums over the steps::

    sequence_loss_by_example:  Σ_t w_t·ce_t / (Σ_t w_t + 1e-12)   [batch]   (without the division if
                                                                            average_across_timesteps=False)
    sequence_loss:             Σ_b sequence_loss_by_example / batch_size    (or just Σ_b without
                                                                            average_across_batch)
"""
from .array_ops import reshape, shape
from .basics import name_scope
from .frontend import convert_to_tensor
from .math_extras import div_no_nan
from .math_ops import add_n, cast, count_nonzero, reduce_sum
from .nn_training import sparse_softmax_cross_entropy_with_logits


def sequence_loss(logits, targets, weights, average_across_timesteps=True, average_across_batch=True,
                  sum_over_timesteps=False, sum_over_batch=False, softmax_loss_function=None, name=None):
    """The weighted cross-entropy of ``logits`` [batch, T, C] against the class indices ``targets`` [batch, T],
    reduced as the flags say (see the module docstring for the formulas and the shape of the result)."""
    logits, targets, weights = (convert_to_tensor(t) for t in (logits, targets, weights))
    # TF's messages (its checks need the ranks known; an unknown rank fails them too)
    if logits.shape.rank != 3:
        raise ValueError("Logits must be a [batch_size x sequence_length x logits] tensor")
    if targets.shape.rank != 2:
        raise ValueError("Targets must be a [batch_size x sequence_length] tensor")
    if weights.shape.rank != 2:
        raise ValueError("Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot be set to True at same time.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set to True at same time.")
    with name_scope(name, "sequence_loss", [logits, targets, weights]):
        # a dim known while the graph is built stays known in the reshaped tensors' static shapes
        batch_size, steps, num_classes = (d if d is not None else shape(logits)[i] for i, d in enumerate(logits.shape))
        # one [batch·T, C] matrix, so that the loss function sees an ordinary batch of predictions
        logits_flat = reshape(logits, [-1, num_classes])
        targets_flat = reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = sparse_softmax_cross_entropy_with_logits(labels=targets_flat, logits=logits_flat)
        else:
            crossent = softmax_loss_function(labels=targets_flat, logits=logits_flat)
        crossent = crossent * reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            return div_no_nan(reduce_sum(crossent), reduce_sum(weights))
        if sum_over_timesteps and sum_over_batch:
            return div_no_nan(reduce_sum(crossent), cast(count_nonzero(weights), crossent.dtype))
        crossent = reshape(crossent, [batch_size, steps])
        # the dim reduced: the batch (axis 0) or the steps (axis 1); an average flag wins over the other dim's sum
        if average_across_timesteps or average_across_batch:
            axis = [0] if average_across_batch else [1]
            return div_no_nan(reduce_sum(crossent, axis), reduce_sum(weights, axis))
        if sum_over_timesteps or sum_over_batch:
            axis = [0] if sum_over_batch else [1]
            return div_no_nan(reduce_sum(crossent, axis), cast(count_nonzero(weights, axis), crossent.dtype))
        return crossent


def sequence_loss_by_example(logits, targets, weights, average_across_timesteps=True, softmax_loss_function=None,
                             name=None):
    """``Σ_t weights[t] · ce(logits[t], targets[t])`` per example, divided by ``Σ_t weights[t] + 1e-12`` if
    ``average_across_timesteps``: lists of T steps, logits [batch, C], targets [batch] ints, weights [batch]."""
    if len(targets) != len(logits) or len(weights) != len(logits):
        raise ValueError(f"Lengths of logits, weights, and targets must be the same {len(logits)}, {len(weights)}, "
                         f"{len(targets)}.")
    with name_scope(name, "sequence_loss_by_example", list(logits) + list(targets) + list(weights)):
        weighted = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                crossent = sparse_softmax_cross_entropy_with_logits(labels=reshape(target, [-1]), logits=logit)
            else:
                crossent = softmax_loss_function(labels=target, logits=logit)
            weighted.append(crossent * weight)
        log_perps = add_n(weighted)
        if average_across_timesteps:
            # TF's guard against all-zero weights: a tiny constant rather than div_no_nan
            log_perps = log_perps / (add_n(list(weights)) + 1e-12)
        return log_perps


def legacy_sequence_loss(logits, targets, weights, average_across_timesteps=True, average_across_batch=True,
                         softmax_loss_function=None, name=None):
    """``tf.contrib.legacy_seq2seq.sequence_loss``: the sum over the batch of ``sequence_loss_by_example``,
    divided by the batch size if ``average_across_batch`` — a scalar."""
    with name_scope(name, "sequence_loss", list(logits) + list(targets) + list(weights)):
        cost = reduce_sum(sequence_loss_by_example(logits, targets, weights, average_across_timesteps,
                                                   softmax_loss_function))
        if not average_across_batch:
            return cost
        return cost / cast(shape(targets[0])[0], cost.dtype)
