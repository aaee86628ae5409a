"""``tf.estimator``: the ``Estimator`` (estimator.py), its ``EstimatorSpec``/``ModeKeys``/``RunConfig``, the premade
``DNNClassifier``/``DNNRegressor`` (canned.py) and ``tf.estimator.inputs.numpy_input_fn`` (inputs.py)."""
from . import inputs
from .canned import DNNClassifier, DNNRegressor
from .estimator import Estimator, EstimatorSpec, ModeKeys, RunConfig, WarmStartSettings
