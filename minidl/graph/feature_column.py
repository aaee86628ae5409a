"""``tf.feature_column``: how an Estimator's model turns a dict of input features into one dense tensor.

A *feature column* names a feature of the input dict and says how to read it; ``input_layer(features,
columns)`` reads every column and concatenates the results along the last axis, into the [batch, width] input
of the first layer. The columns are taken in the order of their names, not the order given, as TF does (so a
model's input layout does not depend on how the list was written). Here: ``numeric_column`` (a number, or a
fixed-shape block of them per example, flattened; ``normalizer_fn`` applied first).
"""
import collections
import math

from . import dtypes
from .array_ops import concat, reshape, shape, stack
from .basics import name_scope
from .frontend import convert_to_tensor
from .math_ops import cast

__all__ = ["input_layer", "numeric_column"]


class NumericColumn(collections.namedtuple("NumericColumn", ["key", "shape", "default_value", "dtype",
                                                             "normalizer_fn"])):
    """The feature ``key``: ``dtype`` values (how the input holds them), ``shape`` per example; see
    ``numeric_column``."""

    @property
    def name(self):
        return self.key

    def dense(self, features):
        """[batch, prod(shape)] float32: the feature read, normalized, cast and flattened per example."""
        if self.key not in features:
            raise ValueError(f"The feature {self.key!r} of numeric_column is not in the features given to "
                             f"input_layer (keys: {sorted(features)})")
        value = convert_to_tensor(features[self.key])
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


def numeric_column(key, shape=(1,), default_value=None, dtype=dtypes.float32, normalizer_fn=None):
    """A column reading feature ``key`` as real numbers, ``shape`` of them per example (an int or a tuple); the
    input layer gets them as float32, whatever ``dtype`` the input holds. ``normalizer_fn`` (e.g.
    ``lambda x: (x - mean) / std``) is applied to the values first. ``default_value`` (for missing values in
    sparse input; a number or a tuple of them) is accepted; minidl's features are dense."""
    if not isinstance(key, str):
        raise ValueError(f"key must be a string. Given: {key!r}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or any(not isinstance(d, int) or d < 1 for d in shape):
        raise ValueError(f"shape dimensions must be greater than 0. Given: {shape}")
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    if default_value is not None and not isinstance(default_value, (int, float, tuple, list)):
        raise TypeError(f"default_value must be compatible with dtype. default_value: {default_value!r}, "
                        f"dtype: {dtype}, key: {key}")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


def input_layer(features, feature_columns, weight_collections=None, trainable=True, cols_to_vars=None,
                cols_to_output_tensors=None):
    """The columns of ``feature_columns`` read from the dict ``features`` and joined along the last axis, in
    the order of the columns' names: [batch, total width]."""
    columns = list(feature_columns) if isinstance(feature_columns, (list, tuple)) else [feature_columns]
    if not columns:
        raise ValueError("feature_columns must not be empty.")
    for column in columns:
        if not isinstance(column, NumericColumn):
            raise ValueError(f"Items of feature_columns must be a feature column (numeric_column), given: "
                             f"{column!r}")
    if not isinstance(features, dict):
        raise ValueError(f"input_layer: features must be a dict of feature tensors, got {type(features).__name__}")
    with name_scope("input_layer"):
        parts = []
        for column in sorted(columns, key=lambda c: c.name):
            with name_scope(column.name):  # TF1's names: input_layer/<key>/...
                dense = column.dense(features)
            if cols_to_output_tensors is not None:
                cols_to_output_tensors[column] = dense
            parts.append(dense)
        return parts[0] if len(parts) == 1 else concat(parts, axis=1)
