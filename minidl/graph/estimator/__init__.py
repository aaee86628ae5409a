"""``tf.estimator``: the ``Estimator`` (estimator.py), its ``EstimatorSpec``/``ModeKeys``/``RunConfig``, the premade
``DNNClassifier``/``DNNRegressor`` (canned.py), ``LinearClassifier``/``LinearRegressor`` and the wide & deep
``DNNLinearCombinedClassifier``/``DNNLinearCombinedRegressor`` (linear.py), ``train_and_evaluate`` with
``TrainSpec``/``EvalSpec`` (training.py), ``tf.estimator.inputs.numpy_input_fn`` (inputs.py) and, for
``Estimator.export_saved_model`` (saved_model_export.py), ``tf.estimator.export``'s serving input receivers
(export.py) and export outputs (export_outputs.py)."""
from . import export, inputs
from .canned import DNNClassifier, DNNRegressor
from .linear import DNNLinearCombinedClassifier, DNNLinearCombinedRegressor, LinearClassifier, LinearRegressor
from .training import EvalSpec, TrainSpec, train_and_evaluate
from .estimator import Estimator, EstimatorSpec, ModeKeys, RunConfig, WarmStartSettings
