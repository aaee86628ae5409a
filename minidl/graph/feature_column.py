"""``tf.feature_column``: how an Estimator's model turns a dict of input features into one dense tensor.

A *feature column* names a feature of the input dict and says how to read it; ``input_layer(features,
columns)`` reads every column and concatenates the results along the last axis, into the [batch, width] input
of the first layer. The columns are taken in the order of their names, not the order given, as TF does (so a
model's input layout does not depend on how the list was written).

*Dense* columns give numbers a layer can multiply:

- ``numeric_column``: a number, or a fixed-shape block of them per example, flattened (``normalizer_fn`` first);
- ``bucketized_column``: a number as the one-hot of the range it falls in (age 0-18, 18-25, ...);
- ``indicator_column``: a categorical column as a multi-hot vector, one slot per id, counting its values;
- ``embedding_column``: a categorical column as a learned ``dimension``-vector per id, the vectors of an
  example's values combined (mean, sum or sqrtn). The vectors are a trainable variable of the model.

*Categorical* columns (feature_column_categorical.py) give integer ids, which ``input_layer`` takes only wrapped
in an indicator or embedding column; ``linear_model`` takes them as they are, with one weight per id. A bucketized
column is both: dense for ``input_layer``, its bucket numbers as ids elsewhere (in a cross, an embedding).

``make_parse_example_spec(columns)`` says how ``tf.parse_example`` should read the features the columns need: a
``FixedLenFeature`` for a numeric column (and a bucketized one, through its source), a ``VarLenFeature`` (parsed
into a SparseTensor) for the feature of a categorical column, so that one list of columns describes both the
parsing and the model::

    features = tf.parse_example(serialized, tf.feature_column.make_parse_example_spec(columns))
    net = tf.feature_column.input_layer(features, columns)
"""
import collections
import math

import numpy

from . import dtypes
from .array_ops import concat, expand_dims, one_hot, range as range_, reshape, shape, stack
from .core import GraphKeys, get_collection
from .example_proto import FixedLenFeature
from .feature_column_categorical import (CategoricalColumn, categorical_column_with_hash_bucket,
                                         categorical_column_with_identity, categorical_column_with_vocabulary_list,
                                         check_key, crossed_column, read_feature)
from .basics import constant
from .initializers import truncated_normal_initializer, zeros_initializer
from .math_ops import add_n, cast, greater_equal, matmul, maximum, reduce_sum, sqrt
from .nn_ops import bias_add
from .nn_training import embedding_lookup
from .variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = ["bucketized_column", "categorical_column_with_hash_bucket", "categorical_column_with_identity",
           "categorical_column_with_vocabulary_list", "crossed_column", "embedding_column", "indicator_column",
           "input_layer", "linear_model", "make_parse_example_spec", "numeric_column"]

_COMBINERS = ("mean", "sqrtn", "sum")


class DenseColumn:
    """What the dense columns share: ``name``, ``dense(features, collections, trainable)``: the column read
    from the dict ``features`` as float32 [batch, width] (a column that holds variables creates them in the
    current variable scope, in ``collections``, trainable if ``trainable``), and ``parse_example_spec``, {feature
    key: how ``tf.parse_example`` should read it}."""
    __slots__ = ()


class NumericColumn(collections.namedtuple("NumericColumn", ["key", "shape", "default_value", "dtype",
                                                             "normalizer_fn"]), DenseColumn):
    """The feature ``key``: ``dtype`` values (how the input holds them), ``shape`` per example; see
    ``numeric_column``."""

    @property
    def name(self):
        return self.key

    @property
    def parse_example_spec(self):
        return {self.key: FixedLenFeature(self.shape, self.dtype, self.default_value)}

    def dense(self, features, collections=None, trainable=True):
        """[batch, prod(shape)] float32: the feature read, normalized, cast and flattened per example (a numeric
        column holds no variables)."""
        value = read_feature(features, self.key, "numeric_column")
        if value.dtype != self.dtype and not (value.dtype.is_floating or value.dtype.is_integer):
            raise ValueError(f"numeric_column {self.key!r}: the feature has dtype {value.dtype.name}, not numbers")
        width = math.prod(self.shape)
        given = value.shape[1:] if value.shape.rank_known else None
        if value.shape.rank == 0 or (given is not None and None not in given and math.prod(given) != width):
            raise ValueError(f"numeric_column {self.key!r} of shape {self.shape} reads {width} value(s) per example, "
                             f"but the feature has shape {value.shape} (the batch first)")
        if self.normalizer_fn is not None:  # on the values as they come, as TF1 does
            value = self.normalizer_fn(value)
        value = cast(value, dtypes.float32)  # the input layer is float32 whatever the feature's dtype
        if given is not None and None not in given:  # the width was checked above
            return reshape(value, [-1, width])
        # sizes known only at run time: one row per example, so that a wrong width fails instead of passing as
        # more examples
        rows = reshape(value, stack([shape(value)[0], width]))
        rows.set_shape([value.shape[0] if value.shape.rank_known else None, width])
        return rows


def _default_of_shape(default_value, shape, dtype, key):
    """A numeric column's ``default_value`` as TF keeps it: nested tuples of ``shape`` (one number fills it), the
    ``default_value`` of its FixedLenFeature."""
    if callable(getattr(default_value, "tolist", None)):  # a numpy array or number
        default_value = default_value.tolist()
    wrong_shape = ValueError(f"The shape of default_value must be equal to given shape. default_value: "
                             f"{default_value!r}, shape: {shape}, key: {key}")
    try:
        values = numpy.asarray(default_value)
    except ValueError:  # a ragged nest of lists
        raise wrong_shape from None
    if not (values.dtype.kind in "iu" or values.dtype.kind == "f" and dtype.is_floating):
        raise TypeError(f"default_value must be compatible with dtype. default_value: {default_value!r}, "
                        f"dtype: {dtype}, key: {key}")
    if values.ndim == 0:
        values = numpy.full(shape, values)
    elif values.shape != shape:
        raise wrong_shape

    def as_tuple(value):
        return tuple(map(as_tuple, value)) if isinstance(value, list) else value
    return as_tuple(values.tolist())


def numeric_column(key, shape=(1,), default_value=None, dtype=dtypes.float32, normalizer_fn=None):
    """A column reading feature ``key`` as real numbers, ``shape`` of them per example (an int or a tuple); the
    input layer gets them as float32, whatever ``dtype`` the input holds. ``normalizer_fn`` (e.g.
    ``lambda x: (x - mean) / std``) is applied to the values first. ``default_value`` (a number, which fills the
    shape, or nested lists of ``shape``; floats only for a float ``dtype``) is what ``tf.parse_example`` gives an
    example without the feature when reading by ``make_parse_example_spec``; None: such an example is an error."""
    check_key(key)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or any(not isinstance(d, int) or d < 1 for d in shape):
        raise ValueError(f"shape dimensions must be greater than 0. Given: {shape}")
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    if default_value is not None:
        default_value = _default_of_shape(default_value, shape, dtype, key)
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


class BucketizedColumn(collections.namedtuple("BucketizedColumn", ["source_column", "boundaries"]),
                       DenseColumn, CategoricalColumn):
    """``source_column``'s values as bucket numbers; see ``bucketized_column``."""

    @property
    def name(self):
        return f"{self.source_column.name}_bucketized"

    @property
    def num_buckets(self):
        return math.prod(self.source_column.shape) * (len(self.boundaries) + 1)

    @property
    def parse_example_spec(self):
        return self.source_column.parse_example_spec

    def _buckets(self, features):
        """int64 [batch, source width]: for each value, how many boundaries are <= it."""
        values = self.source_column.dense(features)
        boundaries = constant(self.boundaries, dtypes.float32)  # compared in float32, as TF's Bucketize op does
        return reduce_sum(cast(greater_equal(expand_dims(values, -1), boundaries), dtypes.int64), axis=-1)

    def dense(self, features, collections=None, trainable=True):
        """[batch, source width * (len(boundaries) + 1)] float32: each value's bucket one-hot (no variables)."""
        depth = len(self.boundaries) + 1
        return reshape(one_hot(self._buckets(features), depth), [-1, math.prod(self.source_column.shape) * depth])

    def ids(self, features):
        """The buckets as ids: value i of an example (of a multi-value source) counts from i * (buckets per
        value), so that each position has its own ids."""
        buckets = self._buckets(features)
        return buckets + range_(buckets.shape[1], dtype=dtypes.int64) * (len(self.boundaries) + 1)


def bucketized_column(source_column, boundaries):
    """A column cutting the numbers of ``source_column`` (a ``numeric_column``) into ranges at the sorted
    ``boundaries``: with boundaries [18, 25], x < 18 is bucket 0, 18 <= x < 25 bucket 1, 25 <= x bucket 2 (a
    value equal to a boundary goes to the upper bucket). ``input_layer`` gets each bucket one-hot; a cross or an
    embedding gets the bucket numbers as ids."""
    if not isinstance(source_column, NumericColumn):
        raise ValueError(f"source_column must be a column generated with numeric_column(). Given: {source_column}")
    if len(source_column.shape) > 1:
        raise ValueError(f"source_column must be one-dimensional column. Given: {source_column}")
    if not isinstance(boundaries, (list, tuple)) or any(a >= b for a, b in zip(boundaries, boundaries[1:])):
        raise ValueError("boundaries must be a sorted list.")
    if not boundaries:
        raise ValueError("boundaries must not be empty.")
    return BucketizedColumn(source_column, tuple(float(b) for b in boundaries))


def _categorical(column, wrapper):
    if not isinstance(column, CategoricalColumn):
        raise ValueError(f"{wrapper} takes a categorical column (categorical_column_with_*, bucketized_column or "
                         f"crossed_column), given: {column!r}")


class IndicatorColumn(collections.namedtuple("IndicatorColumn", ["categorical_column"]), DenseColumn):
    """``categorical_column`` multi-hot; see ``indicator_column``."""

    @property
    def name(self):
        return f"{self.categorical_column.name}_indicator"

    @property
    def parse_example_spec(self):
        return self.categorical_column.parse_example_spec

    def dense(self, features, collections=None, trainable=True):
        """[batch, num_buckets] float32: how many times each id occurs in the example (no variables)."""
        ids = self.categorical_column.ids(features)
        # one_hot of a missing id (-1) is all zeros, so missing entries count nothing
        return reduce_sum(one_hot(ids, self.categorical_column.num_buckets, dtype=dtypes.float32), axis=-2)


def indicator_column(categorical_column):
    """A dense column of ``categorical_column``: a vector with one slot per id, holding how many of the example's
    values have that id — one-hot for one value per example, multi-hot (counts) for several."""
    _categorical(categorical_column, "indicator_column")
    return IndicatorColumn(categorical_column)


def _combine(table, ids, combiner, max_norm=None):
    """Per example, the rows of ``table`` at its ``ids`` (int64 [batch, n], -1 missing) combined: their sum,
    mean, or sum / sqrt(count) ("sqrtn"); zeros for an example without ids. [batch, table width]. The gradient
    is non-zero only in the rows looked up (TF's ``safe_embedding_lookup_sparse`` without weights)."""
    present = cast(greater_equal(ids, 0), dtypes.float32)  # 1 for an id, 0 for a missing entry
    # a missing entry reads row 0, then is multiplied by 0: the row gets a zero gradient from it
    rows = embedding_lookup(table, maximum(ids, 0), max_norm=max_norm)
    total = reduce_sum(rows * expand_dims(present, -1), axis=1)
    if combiner == "sum":
        return total
    count = reduce_sum(present, axis=1, keepdims=True)
    scale = count if combiner == "mean" else sqrt(count)
    return total / maximum(scale, 1.0)  # an example without ids stays zero instead of 0 / 0


class EmbeddingColumn(collections.namedtuple("EmbeddingColumn", ["categorical_column", "dimension", "combiner",
                                                                 "initializer", "max_norm", "trainable"]),
                      DenseColumn):
    """``categorical_column`` through a learned table of vectors; see ``embedding_column``."""

    @property
    def name(self):
        return f"{self.categorical_column.name}_embedding"

    @property
    def parse_example_spec(self):
        return self.categorical_column.parse_example_spec

    def dense(self, features, collections=None, trainable=True):
        """[batch, dimension] float32: the rows of the variable ``embedding_weights`` [num_buckets, dimension]
        (created in the current variable scope) at the example's ids, combined."""
        table = get_variable("embedding_weights", [self.categorical_column.num_buckets, self.dimension],
                             dtypes.float32, self.initializer, trainable=self.trainable and trainable,
                             collections=collections)
        return _combine(table, self.categorical_column.ids(features), self.combiner, self.max_norm)


def embedding_column(categorical_column, dimension, combiner="mean", initializer=None, ckpt_to_load_from=None,
                     tensor_name_in_ckpt=None, max_norm=None, trainable=True):
    """A dense column of ``categorical_column``: each id has a learned vector of ``dimension`` numbers (a row of
    a trainable variable [num_buckets, dimension], initialized by ``initializer``, default a truncated normal of
    stddev 1/sqrt(dimension)); an example's vectors are combined by ``combiner``: "mean", "sum" or "sqrtn" (the
    sum divided by the square root of the number of values). Much smaller than an indicator column when there
    are many ids, and similar ids can learn similar vectors. ``max_norm`` clips each vector's L2 norm.
    Loading the table from a checkpoint (``ckpt_to_load_from``) is not supported."""
    _categorical(categorical_column, "embedding_column")
    if dimension is None or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if (ckpt_to_load_from is None) != (tensor_name_in_ckpt is None):
        raise ValueError("Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt` or none of them.")
    if ckpt_to_load_from is not None:
        raise NotImplementedError("embedding_column: ckpt_to_load_from is not supported (use tf.train.Saver to "
                                  "restore the embedding variable)")
    if initializer is not None and not callable(initializer):
        raise ValueError(f"initializer must be callable if specified. Embedding of column_name: "
                         f"{categorical_column.name}")
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of {_COMBINERS}, given: {combiner!r}")
    initializer = initializer or truncated_normal_initializer(mean=0.0, stddev=1 / math.sqrt(dimension))
    return EmbeddingColumn(categorical_column, dimension, combiner, initializer, max_norm, trainable)


def make_parse_example_spec(feature_columns):
    """{feature key: ``FixedLenFeature`` or ``VarLenFeature``}: how ``tf.parse_example`` should read the features
    that ``feature_columns`` (an iterable of columns) need — each column's ``parse_example_spec``, merged. Two
    columns that read one key differently are a ValueError."""
    result = {}
    for column in feature_columns:
        if not isinstance(column, (DenseColumn, CategoricalColumn)):
            raise ValueError(f"All feature_columns must be _FeatureColumn instances. Given: {column!r}")
        for key, spec in column.parse_example_spec.items():
            if key in result and spec != result[key]:
                raise ValueError(f"feature_columns contain different parse_spec for key {key}. Given {spec} and "
                                 f"{result[key]}")
            result[key] = spec
    return result


def _columns_and_collections(feature_columns, features, weight_collections):
    """The columns as a non-empty list, and the collections of the variables they create: GLOBAL_VARIABLES and
    MODEL_VARIABLES, then ``weight_collections``."""
    columns = list(feature_columns) if isinstance(feature_columns, (list, tuple)) else [feature_columns]
    if not columns:
        raise ValueError("feature_columns must not be empty.")
    if not isinstance(features, dict):
        raise ValueError(f"features must be a dict of feature tensors, got {type(features).__name__}")
    collections_ = [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return columns, collections_ + [c for c in weight_collections or () if c not in collections_]


def _scope_variables():
    """The variables created in the current variable scope (for ``cols_to_vars``)."""
    return get_collection(GraphKeys.GLOBAL_VARIABLES, scope=get_variable_scope().name + "/")


def input_layer(features, feature_columns, weight_collections=None, trainable=True, cols_to_vars=None,
                cols_to_output_tensors=None):
    """The dense columns of ``feature_columns`` read from the dict ``features`` and joined along the last axis,
    in the order of the columns' names: [batch, total width]. A column's variables (an embedding's table) are
    created in the variable scope ``input_layer/<column name>``, in ``weight_collections`` too, trainable if
    ``trainable``; ``cols_to_vars`` and ``cols_to_output_tensors`` (dicts) receive each column's variables and
    output."""
    columns, collections_ = _columns_and_collections(feature_columns, features, weight_collections)
    for column in columns:
        if not isinstance(column, DenseColumn):
            raise ValueError(f"Items of feature_columns must be a _DenseColumn. You can wrap a categorical column "
                             f"with an embedding_column or indicator_column. Given: {column!r}")
    with variable_scope(None, default_name="input_layer"):
        parts = []
        for column in sorted(columns, key=lambda c: c.name):
            with variable_scope(None, default_name=column.name):  # TF1's names: input_layer/<name>/...
                dense = column.dense(features, collections_, trainable)
                if cols_to_vars is not None:
                    cols_to_vars[column] = _scope_variables()
            if cols_to_output_tensors is not None:
                cols_to_output_tensors[column] = dense
            parts.append(dense)
        return parts[0] if len(parts) == 1 else concat(parts, axis=1)


def linear_model(features, feature_columns, units=1, sparse_combiner="sum", weight_collections=None,
                 trainable=True, cols_to_vars=None):
    """A linear model of the columns: [batch, units] = the sum over the columns of their weighted values, plus a
    bias. A dense column's values are multiplied by a variable ``weights`` [width, units]; a categorical column
    gets one row of ``weights`` [num_buckets, units] per id, and an example's rows are combined by
    ``sparse_combiner`` ("sum", "mean", "sqrtn") — the same as multiplying its indicator column, without building
    it. Variables (all starting at zero): ``linear_model/<column name>/weights`` and ``linear_model/bias_weights``;
    ``cols_to_vars`` receives each column's and, under "bias", the bias."""
    columns, collections_ = _columns_and_collections(feature_columns, features, weight_collections)
    if sparse_combiner not in _COMBINERS:
        raise ValueError(f"sparse_combiner must be one of {_COMBINERS}, given: {sparse_combiner!r}")
    for column in columns:
        if not isinstance(column, (DenseColumn, CategoricalColumn)):
            raise ValueError(f"Items of feature_columns must be either a _DenseColumn or _CategoricalColumn. "
                             f"Given: {column!r}")
    with variable_scope(None, default_name="linear_model"):
        parts = []
        for column in sorted(columns, key=lambda c: c.name):
            with variable_scope(None, default_name=column.name):
                if isinstance(column, CategoricalColumn):  # a bucketized column too: one weight per bucket
                    weights = get_variable("weights", [column.num_buckets, units], dtypes.float32,
                                           zeros_initializer(), trainable=trainable, collections=collections_)
                    parts.append(_combine(weights, column.ids(features), sparse_combiner))
                else:
                    dense = column.dense(features, collections_, trainable)
                    weights = get_variable("weights", [dense.shape[1], units], dtypes.float32, zeros_initializer(),
                                           trainable=trainable, collections=collections_)
                    parts.append(matmul(dense, weights))
                if cols_to_vars is not None:
                    cols_to_vars[column] = _scope_variables()
        bias = get_variable("bias_weights", [units], dtypes.float32, zeros_initializer(), trainable=trainable,
                            collections=collections_)
        if cols_to_vars is not None:
            cols_to_vars["bias"] = [bias]
        return bias_add(parts[0] if len(parts) == 1 else add_n(parts), bias, name="weighted_sum")
