"""``tf.estimator``: the ``Estimator`` (estimator.py), its ``EstimatorSpec``/``ModeKeys``/``RunConfig``, and
``tf.estimator.inputs.numpy_input_fn`` (inputs.py)."""
from . import inputs
from .estimator import Estimator, EstimatorSpec, ModeKeys, RunConfig, WarmStartSettings
