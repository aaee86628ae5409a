"""``tf.estimator.export.PredictOutput``, ``ClassificationOutput`` and ``RegressionOutput``: what a ``model_fn``
offers for serving, in ``EstimatorSpec(export_outputs={signature key: output})``.

Each output becomes a signature of the exported SavedModel once the serving input is known
(``as_signature_def(receiver_tensors)``): a ``PredictOutput`` takes whatever the receiver feeds; classify and
regress are TF Serving's fixed APIs, whose input is one string tensor of serialized ``tf.train.Example``s — with
another input the signature is left out of the export (TF's rule, with a log line saying why). In PREDICT mode
an ``EstimatorSpec`` without ``export_outputs`` gets ``{"serving_default": PredictOutput(predictions)}``, and a
single output also becomes the default.
"""
from ..core import Tensor
from ..saved_model import signature_constants
from ..saved_model.signature_def_utils import (classification_signature_def, predict_signature_def,
                                               regression_signature_def)

__all__ = ["ExportOutput", "PredictOutput", "ClassificationOutput", "RegressionOutput"]


class ExportOutput:
    """An output of a model that can be served (the base class: ``as_signature_def``)."""

    def as_signature_def(self, receiver_tensors):
        """The ``SignatureDef`` of this output with ``receiver_tensors`` ({name: tensor}) as its inputs."""
        raise NotImplementedError(f"{type(self).__name__}.as_signature_def")


class PredictOutput(ExportOutput):
    """Any named outputs: ``outputs`` is a tensor (named ``"output"``) or a dict {string: tensor}."""

    def __init__(self, outputs):
        self.outputs = {}
        for key, value in (outputs if isinstance(outputs, dict) else {"output": outputs}).items():
            key = "/".join(key) if isinstance(key, tuple) else key  # (a multi-head model's key)
            if not isinstance(key, str):
                raise ValueError(f"Prediction output key must be a string; got {key}.")
            if not isinstance(value, Tensor):
                raise ValueError(f"Prediction output value must be a Tensor; got {value}.")
            self.outputs[key] = value

    def as_signature_def(self, receiver_tensors):
        return predict_signature_def(receiver_tensors, self.outputs)


class ClassificationOutput(ExportOutput):
    """A classifier's ``scores`` (float, one per class) and/or ``classes`` (string labels); at least one."""

    def __init__(self, scores=None, classes=None):
        if scores is not None and not (isinstance(scores, Tensor) and scores.dtype.is_floating):
            raise ValueError(f"Classification scores must be a float32 Tensor; got {scores}")
        if classes is not None and not (isinstance(classes, Tensor) and classes.dtype.name == "string"):
            raise ValueError(f"Classification classes must be a string Tensor; got {classes}")
        if scores is None and classes is None:
            raise ValueError("At least one of scores and classes must be set.")
        self.scores, self.classes = scores, classes

    def as_signature_def(self, receiver_tensors):
        return classification_signature_def(_examples(receiver_tensors, "Classification"), self.classes,
                                            self.scores)


class RegressionOutput(ExportOutput):
    """A regressor's predicted ``value`` (a float tensor)."""

    def __init__(self, value):
        if not (isinstance(value, Tensor) and value.dtype.is_floating):
            raise ValueError(f"Regression output value must be a float32 Tensor; got {value}")
        self.value = value

    def as_signature_def(self, receiver_tensors):
        return regression_signature_def(_examples(receiver_tensors, "Regression"), self.value)


def _examples(receiver_tensors, what):
    """The one string tensor of serialized Examples that classify and regress take."""
    if len(receiver_tensors) != 1 or next(iter(receiver_tensors.values())).dtype.name != "string":
        raise ValueError(f"{what} input must be a single string Tensor; got {receiver_tensors}")
    return next(iter(receiver_tensors.values()))


def export_outputs_for_predict(export_outputs, predictions):
    """An EstimatorSpec's ``export_outputs`` in PREDICT mode, checked, with the default signature added (TF's
    rules and messages: none given is ``PredictOutput(predictions)``; a single one is also the default; with
    several, one must be under ``"serving_default"``)."""
    if export_outputs is None:
        export_outputs = {signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY: PredictOutput(predictions)}
    if not isinstance(export_outputs, dict):
        raise TypeError(f"export_outputs must be dict, given: {export_outputs}")
    if not all(isinstance(output, ExportOutput) for output in export_outputs.values()):
        raise TypeError(f"Values in export_outputs must be ExportOutput objects. Given: {export_outputs}")
    export_outputs = dict(export_outputs)
    if len(export_outputs) == 1:
        export_outputs.setdefault(signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY,
                                  next(iter(export_outputs.values())))
    elif len(export_outputs) > 1 and signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY not in export_outputs:
        raise ValueError("Multiple export_outputs were provided, but none of them is specified as the default.  Do "
                         "this by naming one of them with signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY.")
    return export_outputs
