"""``tf.train.AdagradDAOptimizer``: Adagrad's dual-averaging form (Duchi, Hazan & Singer 2011, "Adaptive
Subgradient Methods", the regularized dual averaging update; TF1's ApplyAdagradDA kernel).

Plain Adagrad moves the weight by each gradient in turn. Dual averaging instead keeps the *sum* of all gradients
so far and computes the weight afresh from it each step — the minimiser of the linear model of the loss that sum
gives, plus the penalties and Adagrad's per-coordinate proximal term::

    a += g                         (slot "gradient_accumulator", starts at 0)
    s += g²                        (slot "gradient_squared_accumulator", starts at the initial value)
    t  = the global step + 1       (the number of steps so far, this one included)
    w  = -lr · shrink(a, l1 · t) / (sqrt(s) + l2 · t · lr)        shrink(x, c) = sign(x) · max(|x| - c, 0)

The L1 threshold ``l1 · t`` grows with the step count, so a coordinate whose gradients keep cancelling out stays
exactly zero: the method's point, sparse linear models. The weight never depends on its own previous value (its
initial value is forgotten after the first step). With l1 = 0 the shrink is the identity: ``w = -lr · a / (...)``.
"""
from ... import ops
from ..basics import identity
from .optimizer import Optimizer
from .proximal_optimizers import _shrink


class AdagradDAOptimizer(Optimizer):
    """Adagrad Dual Averaging (module docstring). ``global_step`` (a variable, usually the one that
    ``minimize``/``apply_gradients`` increments) gives the step count ``t - 1``: its value when the step runs,
    before the increment. As in TF1, a gradient of row lookups updates only those rows."""
    _updates_looked_up_rows_only = True

    def __init__(self, learning_rate, global_step, initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False,
                 name="AdagradDA"):
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError(f"initial_gradient_squared_accumulator_value must be positive: "
                             f"{initial_gradient_squared_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate, self._global_step = learning_rate, global_step
        self._initial = initial_gradient_squared_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "gradient_accumulator")
            self._filled_slot(v, "gradient_squared_accumulator", self._initial)

    def _prepare(self):
        self._lr_t = self._lr(self._learning_rate, "learning_rate")
        self._l1_t = self._lr(self._l1, "l1_regularization_strength")
        self._l2_t = self._lr(self._l2, "l2_regularization_strength")
        self._steps_t = identity(self._global_step) + 1  # read when the update runs, before the increment

    def _apply_dense(self, grad, var):
        lr, l1, l2, steps = (ops.cast(t, var.dtype) for t in (self._lr_t, self._l1_t, self._l2_t, self._steps_t))
        gradient_sum = self.get_slot(var, "gradient_accumulator")
        squared_sum = self.get_slot(var, "gradient_squared_accumulator")
        a = self._assign(gradient_sum, gradient_sum + grad)
        s = self._assign(squared_sum, squared_sum + grad * grad)
        return self._assign(var, -lr * _shrink(a, l1 * steps) / (ops.sqrt(s) + l2 * steps * lr)).op
