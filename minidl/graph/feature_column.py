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
from .array_ops import concat, reshape
from .basics import name_scope
from .frontend import convert_to_tensor
from .math_ops import cast

__all__ = ["input_layer", "numeric_column"]


class NumericColumn(collections.namedtuple("NumericColumn", ["key", "shape", "default_value", "dtype",
                                                             "normalizer_fn"])):
    """The feature ``key`` as ``dtype`` numbers, ``shape`` per example (see ``numeric_column``)."""

    @property
    def name(self):
        return self.key

    def dense(self, features):
        """[batch, prod(shape)]: the feature read, normalized and flattened."""
        if self.key not in features:
            raise ValueError(f"The feature {self.key!r} of numeric_column is not in the features given to "
                             f"input_layer (keys: {sorted(features)})")
        value = cast(convert_to_tensor(features[self.key]), self.dtype)
        if self.normalizer_fn is not None:
            value = self.normalizer_fn(value)
        return reshape(value, [-1, math.prod(self.shape)])


def numeric_column(key, shape=(1,), default_value=None, dtype=dtypes.float32, normalizer_fn=None):
    """A column reading feature ``key`` as real numbers, ``shape`` of them per example (an int or a tuple);
    ``normalizer_fn`` (e.g. ``lambda x: (x - mean) / std``) is applied to the values. ``default_value`` (for
    missing values in sparse input) is accepted; minidl's features are dense."""
    if not isinstance(key, str):
        raise ValueError(f"key must be a string. Given: {key!r}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or any(not isinstance(d, int) or d < 1 for d in shape):
        raise ValueError(f"shape dimensions must be greater than 0. Given: {shape}")
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return NumericColumn(key, shape, default_value, dtypes.float32 if dtype.is_integer else dtype, normalizer_fn)


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
            dense = column.dense(features)
            if cols_to_output_tensors is not None:
                cols_to_output_tensors[column] = dense
            parts.append(dense)
        return parts[0] if len(parts) == 1 else concat(parts, axis=1)
