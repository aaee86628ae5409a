"""``tf.estimator``: the ``Estimator`` (estimator.py), its ``EstimatorSpec``/``ModeKeys``/``RunConfig``, the premade
``DNNClassifier``/``DNNRegressor`` (canned.py), ``LinearClassifier``/``LinearRegressor`` and the wide & deep
``DNNLinearCombinedClassifier``/``DNNLinearCombinedRegressor`` (linear.py), ``train_and_evaluate`` with
``TrainSpec``/``EvalSpec`` (training.py) and ``tf.estimator.inputs.numpy_input_fn`` (inputs.py)."""
from . import inputs
from .canned import DNNClassifier, DNNRegressor
from .linear import DNNLinearCombinedClassifier, DNNLinearCombinedRegressor, LinearClassifier, LinearRegressor
from .training import EvalSpec, TrainSpec, train_and_evaluate
from .estimator import Estimator, EstimatorSpec, ModeKeys, RunConfig, WarmStartSettings
