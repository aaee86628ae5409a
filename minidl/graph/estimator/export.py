"""``tf.estimator.export``: how a served model receives its input, for ``Estimator.export_saved_model``.

Training reads data through ``input_fn``; a server instead *feeds* the model. A ``serving_input_receiver_fn``
builds that entrance in the export graph and returns a ``ServingInputReceiver``: the ``features`` that
``model_fn`` gets, and the ``receiver_tensors`` a client feeds (the signatures' inputs). Two ready-made ones::

    # clients feed the features themselves: one placeholder per feature, shaped like the given tensors
    fn = tf.estimator.export.build_raw_serving_input_receiver_fn({"x": tf.placeholder(tf.float32, [None, 4])})

    # clients feed serialized tf.train.Examples, parsed in the graph (TF Serving's classify and regress)
    fn = tf.estimator.export.build_parsing_serving_input_receiver_fn({"x": tf.FixedLenFeature([4], tf.float32)})

The export outputs (``PredictOutput``, ``ClassificationOutput``, ``RegressionOutput``) are in
export_outputs.py. A feature may be a ``SparseTensor`` (what the parsing receiver makes of a ``VarLenFeature``): it
only passes on to ``model_fn``. The receiver tensors become the signatures' inputs, which minidl's ``TensorInfo``
names only for dense tensors, so they must be Tensors (TF also takes sparse ones there).
"""
import collections

from ..basics import placeholder
from ..core import Tensor, TensorShape
from ..dtypes import string
from ..example_proto import parse_example
from ..sparse_tensor import SparseTensor
from .export_outputs import ClassificationOutput, ExportOutput, PredictOutput, RegressionOutput

__all__ = ["ServingInputReceiver", "TensorServingInputReceiver", "build_raw_serving_input_receiver_fn",
           "build_parsing_serving_input_receiver_fn", "ExportOutput", "PredictOutput", "ClassificationOutput",
           "RegressionOutput"]

# the names a single tensor gets (TF's SINGLE_FEATURE_DEFAULT_NAME, SINGLE_RECEIVER_DEFAULT_NAME)
_SINGLE_TENSOR_NAMES = {"feature": "feature", "receiver_tensor": "input", "receiver_tensors_alternative": "input"}


def _wrapped(tensors, field, allow_int_keys=False, allow_sparse=False):
    """``tensors`` as a dict {name: Tensor, or SparseTensor if ``allow_sparse``} (a single tensor gets the field's
    default name), checked."""
    if tensors is None:
        raise ValueError(f"{field}s must be defined.")
    if not isinstance(tensors, dict):
        tensors = {_SINGLE_TENSOR_NAMES[field]: tensors}
    for name, tensor in tensors.items():
        if not (isinstance(name, str) or allow_int_keys and isinstance(name, int) and not isinstance(name, bool)):
            raise ValueError(f"{field} keys must be strings{' or ints' if allow_int_keys else ''}: {name}.")
        if not isinstance(tensor, (Tensor, SparseTensor) if allow_sparse else Tensor):
            expected = "a Tensor or SparseTensor" if allow_sparse else "a Tensor (signature inputs are dense in minidl)"
            raise ValueError(f"{field} {name} must be {expected}, got {type(tensor).__name__}.")
    return tensors


class ServingInputReceiver(collections.namedtuple("ServingInputReceiver", [
        "features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """What a ``serving_input_receiver_fn`` returns: ``features`` (a tensor, named ``"feature"``, or a dict) for
    ``model_fn``, ``receiver_tensors`` (a tensor, named ``"input"``, or a dict) that clients feed, and optionally
    ``receiver_tensors_alternatives`` ({name: receiver tensors}), each of which makes signatures of its own."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        features = _wrapped(features, "feature", allow_int_keys=True, allow_sparse=True)
        receiver_tensors = _wrapped(receiver_tensors, "receiver_tensor")
        if receiver_tensors_alternatives is not None:
            if not isinstance(receiver_tensors_alternatives, dict):
                raise ValueError(f"receiver_tensors_alternatives must be a dict: {receiver_tensors_alternatives}.")
            receiver_tensors_alternatives = {name: _wrapped(tensors, "receiver_tensors_alternative")
                                             for name, tensors in receiver_tensors_alternatives.items()}
        return super().__new__(cls, features, receiver_tensors, receiver_tensors_alternatives)


class TensorServingInputReceiver(collections.namedtuple("TensorServingInputReceiver", [
        "features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """A ``ServingInputReceiver`` whose ``features`` is one tensor, given to ``model_fn`` as it is (not in a
    dict), for models whose ``model_fn`` takes a tensor."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("features must be defined.")
        _wrapped(features, "feature", allow_sparse=True)
        receiver = ServingInputReceiver(features, receiver_tensors, receiver_tensors_alternatives)
        return super().__new__(cls, features, receiver.receiver_tensors, receiver.receiver_tensors_alternatives)


def build_raw_serving_input_receiver_fn(features, default_batch_size=None):
    """A ``serving_input_receiver_fn`` whose clients feed the features: for each tensor of ``features`` ({name:
    tensor}) a placeholder of its dtype and shape, named after it, with first dim ``default_batch_size``
    (None: any batch size)."""
    def serving_input_receiver_fn():
        receiver_tensors = {
            name: placeholder(t.dtype, TensorShape([default_batch_size]).concatenate(t.shape[1:]), name=t.op.name)
            for name, t in features.items()}
        return ServingInputReceiver(receiver_tensors, receiver_tensors)
    return serving_input_receiver_fn


def build_parsing_serving_input_receiver_fn(feature_spec, default_batch_size=None):
    """A ``serving_input_receiver_fn`` whose clients feed serialized ``tf.train.Example``s, to the string
    placeholder ``input_example_tensor`` (receiver name ``"examples"``), parsed with ``tf.parse_example`` by
    ``feature_spec`` ({name: FixedLenFeature or VarLenFeature}, e.g. ``tf.feature_column.make_parse_example_spec``
    of the model's columns): a VarLen feature reaches ``model_fn`` as a SparseTensor."""
    def serving_input_receiver_fn():
        serialized = placeholder(string, [default_batch_size], name="input_example_tensor")
        return ServingInputReceiver(parse_example(serialized, feature_spec), {"examples": serialized})
    return serving_input_receiver_fn
