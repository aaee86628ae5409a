"""Training with a huge number of classes by looking at a few of them: ``tf.nn.nce_loss`` and
``tf.nn.sampled_softmax_loss`` (the word2vec tutorial's losses), and the candidate samplers that pick the classes.

**Why sample.** A softmax over a 50,000-word vocabulary computes 50,000 logits per example. These losses compute
the logits of the true class(es) and of ``num_sampled`` classes drawn at random, shared by the whole batch::

    logit(c) = inputs · weights[c] + biases[c] - log(Q(c))

where Q(c), the *expected count* of c, is how many times the sampler is expected to draw c — subtracting its log
corrects for the sampler favouring some classes (``subtract_log_q``). Then

* ``nce_loss`` (noise-contrastive estimation): logistic regression telling the true classes (label 1 / num_true)
  from the sampled ones (label 0): the sigmoid cross-entropies of the batch row's num_true + num_sampled logits,
  summed over the row;
* ``sampled_softmax_loss``: the softmax cross-entropy over those logits, with the true classes as the target.

A sampled class that happens to be one of the row's true classes (an *accidental hit*) would be pushed down as
noise and up as the truth; ``remove_accidental_hits`` removes it from the row by adding a very large negative
number (-float32 max) to its logit (default: True for sampled softmax, False for NCE, as in TF). The result is
one loss per example ([batch]); ``tf.reduce_mean`` it. At test time compute the full softmax instead.

**The samplers** draw ``num_sampled`` class ids in [0, range_max) — with ``unique=True`` (what the losses use)
without repeats: they draw until ``num_sampled`` distinct ids have come up, and count the tries T. Each returns
``(sampled_candidates, true_expected_count, sampled_expected_count)``; the expected count of a class with
probability p is ``p * num_sampled``, or with unique sampling ``1 - (1 - p)^T`` (the chance it came up in T
tries). The distributions: ``log_uniform`` (Zipf's law, for word ids sorted by decreasing frequency:
``p(c) = log((c + 2) / (c + 1)) / log(range_max + 1)``), ``uniform``, and ``fixed_unigram`` (given counts,
raised to ``distortion``). A sampler is a random op (random_ops.py): new draws every run, reproducible under
``tf.set_random_seed`` or ``seed=``. Nothing differentiates through it; the losses pass its outputs through
``stop_gradient``. Pass ``sampled_values=`` to the losses to use draws of your own.
"""
import numpy

from .. import ops
from ..backend import dtypes
from ..ops.base import Spec
from . import errors, random_ops
from .array_ops import gather
from .basics import stop_gradient
from .core import get_default_graph
from .graph_ops import GraphOp
from .math_ops import FLOATS, cast, check_dtype, tf_op, to_tensor
from .nn_ops import nn
from .nn_training import embedding_lookup, sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits_v2
from .random_ops import _generator

_FLOAT32_MAX = float(numpy.finfo(numpy.float32).max)


# ================================================================================================ sampling

def _probabilities(attrs, classes):
    """The probability of drawing each id in ``classes`` (a numpy int array), per the sampler's distribution."""
    classes = classes.astype(numpy.float64)
    if attrs["distribution"] == "log_uniform":
        return numpy.log((classes + 2) / (classes + 1)) / numpy.log(attrs["range_max"] + 1)
    if attrs["distribution"] == "uniform":
        return numpy.full(classes.shape, 1 / attrs["range_max"])
    return attrs["probabilities"][classes.astype(numpy.int64)]


def _draw(rng, attrs, n):
    """``n`` ids drawn independently from the sampler's distribution."""
    range_max = attrs["range_max"]
    if attrs["distribution"] == "log_uniform":
        # inverse of the cumulative distribution: P(id < k) = log(k + 1) / log(range_max + 1)
        ids = numpy.floor(numpy.exp(rng.random(n) * numpy.log(range_max + 1))).astype(numpy.int64) - 1
        return numpy.clip(ids, 0, range_max - 1)
    if attrs["distribution"] == "uniform":
        return rng.integers(0, range_max, n, dtype=numpy.int64)
    return rng.choice(range_max, n, p=attrs["probabilities"]).astype(numpy.int64)


class CandidateSampler(GraphOp):
    """Draws the candidates and computes the expected counts (see the module docstring). Input: the true classes
    [batch, num_true] (int64). attrs: ``distribution``, ``num_sampled``, ``unique``, ``range_max``,
    ``probabilities`` (fixed_unigram) and ``seed`` (as random_ops' ops). Outputs: sampled_candidates
    [num_sampled] int64, true_expected_count [batch, num_true] and sampled_expected_count [num_sampled], float32."""
    name = "CandidateSampler"

    @staticmethod
    def execute(session, operation, arrays):
        true_classes = numpy.asarray(arrays[0].tolist(), dtype=numpy.int64)  # on the host, whatever the device
        attrs = operation.attrs
        rng, n = _generator(session, operation), attrs["num_sampled"]
        if attrs["unique"]:
            if n > attrs["range_max"]:
                raise errors.InvalidArgumentError(None, operation, "Sampler's range is too small.")
            chosen, tries = {}, 0   # (a dict keeps the order the ids came up in)
            while len(chosen) < n:
                for candidate in _draw(rng, attrs, n).tolist():
                    tries += 1
                    chosen.setdefault(candidate, None)
                    if len(chosen) == n:
                        break
            sampled = numpy.fromiter(chosen, dtype=numpy.int64, count=n)
        else:
            sampled, tries = _draw(rng, attrs, n), n

        def expected(p):
            if tries == n:
                return p * n
            return -numpy.expm1(tries * numpy.log1p(-p))  # 1 - (1 - p)^tries, accurate for small p

        xp = session.array_module
        return (xp.asarray(sampled), xp.asarray(expected(_probabilities(attrs, true_classes)).astype(numpy.float32)),
                xp.asarray(expected(_probabilities(attrs, sampled)).astype(numpy.float32)))


def _sampler(op_type, distribution, true_classes, num_true, num_sampled, unique, range_max, seed, name,
             probabilities=None):
    """Add a CandidateSampler and return its three outputs."""
    graph = get_default_graph()
    with graph.name_scope(name or op_type) as scope:
        classes = check_dtype(to_tensor(true_classes, dtypes.int64), ("int64",), "true_classes")
        if classes.shape.rank_known and (len(classes.shape) != 2 or classes.shape[1] not in (None, num_true)):
            raise ValueError(f"true_classes must be a matrix [batch_size, num_true] with num_true = {num_true}, got "
                             f"shape {classes.shape}")
        for value, what in ((num_true, "num_true"), (num_sampled, "num_sampled"), (range_max, "range_max")):
            if not isinstance(value, (int, numpy.integer)) or value < 1:
                raise ValueError(f"{what} must be a positive int, got {value!r}")
        graph_seed, op_seed = graph.next_op_seed(seed)
        attrs = {"distribution": distribution, "num_sampled": int(num_sampled), "unique": bool(unique),
                 "range_max": int(range_max), "probabilities": probabilities,
                 "seed": None if op_seed is None else (graph_seed, op_seed)}
        batch = classes.shape[0] if classes.shape.rank_known else None
        specs = [Spec((int(num_sampled),), dtypes.int64), Spec((batch, int(num_true)), dtypes.float32),
                 Spec((int(num_sampled),), dtypes.float32)]
        operation = graph.create_op(CandidateSampler, [classes], attrs, specs, name=scope[:-1], unique=False)
    return operation.outputs


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Sample ids in [0, range_max) with ``p(c) = log((c + 2) / (c + 1)) / log(range_max + 1)`` (Zipf's law: small
    ids — frequent words — much more often). Returns (sampled_candidates, true_expected_count,
    sampled_expected_count); see the module docstring."""
    return _sampler("LogUniformCandidateSampler", "log_uniform", true_classes, num_true, num_sampled, unique,
                    range_max, seed, name)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Sample ids uniformly in [0, range_max); returns (sampled_candidates, true_expected_count,
    sampled_expected_count)."""
    return _sampler("UniformCandidateSampler", "uniform", true_classes, num_true, num_sampled, unique, range_max,
                    seed, name)


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, vocab_file="",
                                    distortion=1.0, num_reserved_ids=0, num_shards=1, shard=0, unigrams=(), seed=None,
                                    name=None):
    """Sample ids with probabilities proportional to ``count ** distortion``: the counts are ``unigrams`` (one per
    id from ``num_reserved_ids`` on) or the last comma-separated field of each line of ``vocab_file``; the
    ``num_reserved_ids`` first ids are never drawn. Returns (sampled_candidates, true_expected_count,
    sampled_expected_count)."""
    if num_shards != 1 or shard != 0:
        raise NotImplementedError("fixed_unigram_candidate_sampler: sharded sampling is not supported")
    if vocab_file:
        with open(vocab_file) as f:
            unigrams = [float(line.rsplit(",", 1)[-1]) for line in f if line.strip()]
    elif not len(unigrams):
        raise ValueError("Must provide either vocab_file or unigrams")
    counts = numpy.concatenate([numpy.zeros(int(num_reserved_ids)), numpy.asarray(unigrams, dtype=numpy.float64)])
    if counts.size != range_max:
        raise ValueError(f"Unigrams size ({counts.size - num_reserved_ids}) plus num_reserved_ids "
                         f"({num_reserved_ids}) must equal range_max ({range_max})")
    weights = counts ** distortion
    weights[:int(num_reserved_ids)] = 0
    return _sampler("FixedUnigramCandidateSampler", "unigram", true_classes, num_true, num_sampled, unique,
                    range_max, seed, name, probabilities=weights / weights.sum())


# ================================================================================================ the losses

def _one(params, what):
    """A single weight tensor (a list of one partition is accepted; several are not supported)."""
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise NotImplementedError(f"{what} split into several partitions is not supported; concatenate them")
        params = params[0]
    return check_dtype(to_tensor(params), FLOATS, what)


def _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
                    remove_accidental_hits, partition_strategy, seed=None):
    """The logits of each row's true classes and of the sampled classes, corrected by their expected counts, and
    the matching labels (1 / num_true for the true classes, 0 for the sampled): both [batch, num_true +
    num_sampled]."""
    weights, biases = _one(weights, "weights"), _one(biases, "biases")
    inputs = check_dtype(to_tensor(inputs), FLOATS, "inputs")
    labels = to_tensor(labels)
    labels = cast(labels, dtypes.int64) if labels.dtype != dtypes.int64 else labels
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes, seed)
    sampled, true_expected, sampled_expected = (stop_gradient(to_tensor(v)) for v in sampled_values)
    sampled = cast(sampled, dtypes.int64) if sampled.dtype != dtypes.int64 else sampled
    flat_labels = ops.reshape(labels, (-1,))
    dim = inputs.shape[-1] if inputs.shape[-1] is not None else weights.shape[-1]
    # true classes: one row of weights per (example, true class); sampled: the same rows for every example
    true_weights = ops.reshape(embedding_lookup(weights, flat_labels, partition_strategy), (-1, num_true, dim))
    true_logits = ops.sum(ops.mul(ops.unsqueeze(inputs, 1), true_weights), -1)
    true_logits = ops.add(true_logits, ops.reshape(gather(biases, flat_labels), (-1, num_true)))
    sampled_weights = embedding_lookup(weights, sampled, partition_strategy)
    sampled_logits = ops.add(ops.matmul(inputs, ops.transpose(sampled_weights, 0, 1)), gather(biases, sampled))
    if remove_accidental_hits:
        # hit[b, s]: sampled class s is one of row b's true classes
        hit = ops.any(ops.eq(ops.unsqueeze(labels, 2), ops.reshape(sampled, (1, 1, -1))), 1)
        sampled_logits = ops.add(sampled_logits, ops.mul(ops.cast(hit, inputs.dtype), -_FLOAT32_MAX))
    true_logits = ops.sub(true_logits, ops.log(ops.cast(true_expected, inputs.dtype)))
    sampled_logits = ops.sub(sampled_logits, ops.log(ops.cast(sampled_expected, inputs.dtype)))
    logits = ops.cat([true_logits, sampled_logits], 1)
    targets = ops.cat([ops.full_like(true_logits, 1 / num_true), ops.zeros_like(sampled_logits)], 1)
    return logits, targets


@tf_op("nce_loss")
def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
             remove_accidental_hits=False, partition_strategy="mod", name="nce_loss"):
    """The noise-contrastive estimation loss of each example ([batch]): ``weights`` [num_classes, dim] and
    ``biases`` [num_classes] are the output layer, ``labels`` [batch, num_true] the true classes, ``inputs``
    [batch, dim] the examples' features (word2vec: their embeddings). ``num_sampled`` classes are drawn with
    ``log_uniform_candidate_sampler`` unless ``sampled_values`` gives them. See the module docstring."""
    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                      sampled_values, remove_accidental_hits, partition_strategy)
    return ops.sum(sigmoid_cross_entropy_with_logits(labels=targets, logits=logits), 1)


@tf_op("sampled_softmax_loss")
def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
                         remove_accidental_hits=True, partition_strategy="mod", name="sampled_softmax_loss",
                         seed=None):
    """The sampled softmax cross-entropy of each example ([batch]), with the arguments of ``nce_loss`` (``seed``
    seeds the sampler). See the module docstring."""
    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                      sampled_values, remove_accidental_hits, partition_strategy, seed)
    return softmax_cross_entropy_with_logits_v2(labels=stop_gradient(targets), logits=logits)


@tf_op("ComputeAccidentalHits")
def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """The accidental hits (module docstring) as triples: ``(indices, ids, weights)`` with ``indices`` (int32) the
    row of ``true_classes`` [batch, num_true], ``ids`` (int64) the position in ``sampled_candidates``
    [num_sampled] (assumed distinct) of a class of that row, and ``weights`` -float32 max, listed by row, then by
    the row's true classes in order. ``sparse_to_dense`` of them, added to the sampled logits, removes the hits.
    ``seed`` is accepted for TF's signature; nothing here is random."""
    true_classes = check_dtype(to_tensor(true_classes), ("int64",), "true_classes")
    sampled = check_dtype(to_tensor(sampled_candidates), ("int64",), "sampled_candidates")
    if true_classes.shape.rank_known and len(true_classes.shape) != 2:
        raise ValueError(f"true_classes must be a matrix [batch, num_true], got shape {true_classes.shape}")
    if true_classes.shape.rank_known and true_classes.shape[1] not in (None, num_true):
        raise ValueError(f"true_classes must have num_true columns, expected: {true_classes.shape[1]} was: "
                         f"{num_true}")
    if sampled.shape.rank_known and len(sampled.shape) != 1:
        raise ValueError(f"sampled_candidates must be a vector [num_sampled], got shape {sampled.shape}")
    # hit[b, t, s]: true class t of row b is sampled candidate s; its coordinates come in row-major order
    hit = ops.eq(ops.unsqueeze(true_classes, 2), ops.reshape(sampled, (1, 1, -1)))
    where = ops.argwhere(hit)
    indices = ops.cast(ops.getitem(where, (slice(None), 0)), dtypes.int32)
    return indices, ops.getitem(where, (slice(None), 2)), \
        ops.full_like(ops.cast(indices, dtypes.float32), -_FLOAT32_MAX)


for _fn in (nce_loss, sampled_softmax_loss, log_uniform_candidate_sampler, uniform_candidate_sampler,
            fixed_unigram_candidate_sampler, compute_accidental_hits):
    setattr(nn, _fn.__name__, _fn)
for _fn in (log_uniform_candidate_sampler, uniform_candidate_sampler, fixed_unigram_candidate_sampler):
    setattr(random_ops, _fn.__name__, _fn)  # tf.random.log_uniform_candidate_sampler ...

__all__ = []  # everything is reached through tf.nn and tf.random
