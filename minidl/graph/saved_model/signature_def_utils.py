"""``tf.saved_model.signature_def_utils``: signatures — the named inputs and outputs through which a server (or
any program that loads the model) calls it, and the method (predict, classify, regress) they serve::

    signature = tf.saved_model.signature_def_utils.predict_signature_def(inputs={"x": x}, outputs={"y": y})
    signature.inputs["x"].name        # "x:0": what to feed
    signature.outputs["y"].name       # "dense/BiasAdd:0": what to fetch

``predict`` takes any tensors. ``classify`` and ``regress`` are TF Serving's fixed APIs: their input is one
string tensor of serialized ``tf.train.Example``s, their outputs string classes and float32 scores, or float32
values; these builders check those types as TF's do, with TF's messages.
"""
from .. import dtypes
from . import signature_constants
from .utils import TensorInfo, build_tensor_info

__all__ = ["SignatureDef", "build_signature_def", "predict_signature_def", "classification_signature_def",
           "regression_signature_def", "is_valid_signature"]

_STRING = dtypes.string.as_datatype_enum
_FLOAT = dtypes.float32.as_datatype_enum


class SignatureDef:
    """TF's ``SignatureDef`` message: ``inputs`` and ``outputs`` ({key: ``TensorInfo``}) and ``method_name``."""

    __slots__ = ("inputs", "outputs", "method_name")

    def __init__(self, inputs=None, outputs=None, method_name=""):
        self.inputs = dict(inputs or {})
        self.outputs = dict(outputs or {})
        self.method_name = method_name

    def __eq__(self, other):
        return isinstance(other, SignatureDef) and (self.inputs, self.outputs, self.method_name) == \
            (other.inputs, other.outputs, other.method_name)

    def __repr__(self):
        return f"SignatureDef(inputs={self.inputs}, outputs={self.outputs}, method_name={self.method_name!r})"


def build_signature_def(inputs=None, outputs=None, method_name=None):
    """A ``SignatureDef`` of ``inputs`` and ``outputs`` ({key: ``TensorInfo``}, e.g. from ``build_tensor_info``)."""
    for side, infos in (("inputs", inputs), ("outputs", outputs)):
        for key, info in (infos or {}).items():
            if not isinstance(key, str) or not isinstance(info, TensorInfo):
                raise TypeError(f"build_signature_def: {side} must map strings to TensorInfos "
                                f"(tf.saved_model.utils.build_tensor_info(tensor)), got {key!r}: {info!r}")
    return SignatureDef(inputs, outputs, method_name or "")


def predict_signature_def(inputs, outputs):
    """A ``predict`` signature of ``inputs`` and ``outputs`` ({key: tensor})."""
    if not inputs:
        raise ValueError("Prediction inputs cannot be None or empty.")
    if not outputs:
        raise ValueError("Prediction outputs cannot be None or empty.")
    return build_signature_def({key: build_tensor_info(t) for key, t in inputs.items()},
                               {key: build_tensor_info(t) for key, t in outputs.items()},
                               signature_constants.PREDICT_METHOD_NAME)


def classification_signature_def(examples, classes, scores):
    """A ``classify`` signature: ``examples`` (a string tensor of serialized Examples) in, string ``classes``
    and/or float32 ``scores`` out."""
    examples_info = _examples_info(examples, "Classification")
    if classes is None and scores is None:
        raise ValueError("Classification classes and scores cannot both be None.")
    outputs = {}
    if classes is not None:
        outputs[signature_constants.CLASSIFY_OUTPUT_CLASSES] = _typed_info(
            classes, _STRING, "Classification classes must be a string Tensor.")
    if scores is not None:
        outputs[signature_constants.CLASSIFY_OUTPUT_SCORES] = _typed_info(
            scores, _FLOAT, "Classification scores must be a float Tensor.")
    return build_signature_def({signature_constants.CLASSIFY_INPUTS: examples_info}, outputs,
                               signature_constants.CLASSIFY_METHOD_NAME)


def regression_signature_def(examples, predictions):
    """A ``regress`` signature: ``examples`` (a string tensor of serialized Examples) in, float32
    ``predictions`` out."""
    examples_info = _examples_info(examples, "Regression")
    if predictions is None:
        raise ValueError("Regression predictions cannot be None.")
    output = _typed_info(predictions, _FLOAT, "Regression output must be a float Tensor.")
    return build_signature_def({signature_constants.REGRESS_INPUTS: examples_info},
                               {signature_constants.REGRESS_OUTPUTS: output}, signature_constants.REGRESS_METHOD_NAME)


def _examples_info(examples, what):
    if examples is None:
        raise ValueError(f"{what} examples cannot be None.")
    return _typed_info(examples, _STRING, f"{what} examples must be a string Tensor.")


def _typed_info(tensor, dtype_enum, message):
    """``tensor``'s TensorInfo, which must have dtype ``dtype_enum`` (else ``message``, TF's words)."""
    info = build_tensor_info(tensor)
    if info.dtype != dtype_enum:
        raise ValueError(message)
    return info


def is_valid_signature(signature_def):
    """Whether TF Serving could serve ``signature_def``: a predict signature with inputs and outputs, or a
    classify/regress one with exactly the keys and dtypes those APIs have."""
    if signature_def is None:
        return False
    method, inputs, outputs = signature_def.method_name, signature_def.inputs, signature_def.outputs
    if method == signature_constants.PREDICT_METHOD_NAME:
        return bool(inputs) and bool(outputs)
    if method == signature_constants.CLASSIFY_METHOD_NAME:
        allowed = {signature_constants.CLASSIFY_OUTPUT_CLASSES: _STRING,
                   signature_constants.CLASSIFY_OUTPUT_SCORES: _FLOAT}
    elif method == signature_constants.REGRESS_METHOD_NAME:
        allowed = {signature_constants.REGRESS_OUTPUTS: _FLOAT}
    else:
        return False
    examples = inputs.get(signature_constants.CLASSIFY_INPUTS)  # (REGRESS_INPUTS is the same key)
    return (len(inputs) == 1 and examples is not None and examples.dtype == _STRING and bool(outputs) and
            all(key in allowed and info.dtype == allowed[key] for key, info in outputs.items()) and
            (method != signature_constants.REGRESS_METHOD_NAME or len(outputs) == 1))
