"""Optimizers with a proximal step, which can set weights exactly to zero (sparse models). Formulas follow TF1's
training kernels (ApplyFtrlV2, ApplyProximalAdagrad, ApplyProximalGradientDescent).

All three end in the same *proximal step* of the L1 and L2 penalties (Duchi & Singer 2009, "FOBOS"): after the
plain gradient step to ``v``, the weight is the minimiser of ``½(w - v)² + η l1 |w| + ½ η l2 w²``, which is

    ``w = shrink(v, η l1) / (1 + η l2)``  with  ``shrink(x, t) = sign(x) max(|x| - t, 0)``

(soft-thresholding: a weight whose step lands within ``η l1`` of zero becomes exactly zero).

- Proximal gradient descent: ``v = w - lr g``, then the proximal step with ``η = lr``.
- Proximal Adagrad: ``s += g²``; ``η = lr / sqrt(s)`` (per coordinate, also in the penalties); ``v = w - η g``,
  then the proximal step.
- FTRL-Proximal (McMahan et al. 2013, "Ad click prediction"), with ``p = -learning_rate_power`` (0.5 by default):
  ``g' = g + 2 l2_shrinkage w``; ``s_new = s + g²``; ``z += g' - (s_new^p - s^p) / lr * w``;
  ``w = shrink(-z, l1) / (s_new^p / lr + 2 l2)``; ``s = s_new``. FTRL keeps no weight of its own: ``w`` is
  recomputed from the running sum ``z`` ("linear") each step, so the L1 threshold acts on the whole history of
  gradients, which is what makes its zeros stick.

Like Momentum, these update only the rows looked up when a gradient comes from ``tf.gather``/``embedding_lookup``
(TF1's sparse kernels): a zero gradient still moves a weight here (the penalties shrink it, FTRL recomputes it).
"""
from ... import ops
from ..basics import control_dependencies, group
from .optimizer import Optimizer


def _shrink(x, threshold):
    """``sign(x) max(|x| - threshold, 0)``: the proximal map of ``threshold |w|`` (soft-thresholding)."""
    return ops.sign(x) * ops.maximum(ops.abs(x) - threshold, 0.0)


def _proximal_step(v, lr, l1, l2):
    """The weight after the L1/L2 penalties' proximal step from ``v`` with step size ``lr`` (module docstring)."""
    return _shrink(v, lr * l1) / (1.0 + lr * l2)


class ProximalGradientDescentOptimizer(Optimizer):
    """``v = w - lr g``; ``w = sign(v) max(|v| - lr l1, 0) / (1 + lr l2)``."""
    _updates_looked_up_rows_only = True

    def __init__(self, learning_rate, l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="ProximalGradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _prepare(self):
        self._lr_t = self._lr(self._learning_rate, "learning_rate")
        self._l1_t = self._lr(self._l1, "l1_regularization_strength")
        self._l2_t = self._lr(self._l2, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        lr, l1, l2 = (ops.cast(t, var.dtype) for t in (self._lr_t, self._l1_t, self._l2_t))
        return self._assign(var, _proximal_step(var - lr * grad, lr, l1, l2)).op


class ProximalAdagradOptimizer(ProximalGradientDescentOptimizer):
    """``s += g²``; ``η = lr / sqrt(s)``; ``v = w - η g``; ``w = sign(v) max(|v| - η l1, 0) / (1 + η l2)``.

    The accumulator ``s`` (slot "accumulator") starts at ``initial_accumulator_value``, which must be positive."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False, name="ProximalAdagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(learning_rate, l1_regularization_strength, l2_regularization_strength, use_locking, name)
        self._initial = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, "accumulator", self._initial)

    def _apply_dense(self, grad, var):
        lr, l1, l2 = (ops.cast(t, var.dtype) for t in (self._lr_t, self._l1_t, self._l2_t))
        accumulator = self.get_slot(var, "accumulator")
        eta = lr * ops.rsqrt(self._assign(accumulator, accumulator + grad * grad))
        return self._assign(var, _proximal_step(var - eta * grad, eta, l1, l2)).op


class FtrlOptimizer(Optimizer):
    """FTRL-Proximal: with ``p = -learning_rate_power``, ``g' = g + 2 l2_shrinkage w``; ``s_new = s + g²``;
    ``z += g' - (s_new^p - s^p) / lr * w``; ``w = sign(-z) max(|z| - l1, 0) / (s_new^p / lr + 2 l2)``;
    ``s = s_new``.

    Slots: "accum" (``s``, starts at ``initial_accumulator_value``) and "linear" (``z``, starts at 0), named
    ``<var>/<accum_name or name>`` and ``<var>/<linear_name or name>`` (``Ftrl`` and ``Ftrl_1`` by default).
    ``l2_regularization_strength`` is the paper's stabilising L2 (it only enlarges the denominator), while
    ``l2_shrinkage_regularization_strength`` adds ``l2_shrinkage w²`` to the loss (its gradient joins ``g``, but
    not the accumulator, as in TF's ApplyFtrlV2)."""
    _updates_looked_up_rows_only = True

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False, name="Ftrl",
                 accum_name=None, linear_name=None, l2_shrinkage_regularization_strength=0.0):
        if learning_rate_power > 0.0:
            raise ValueError(f"learning_rate_power {learning_rate_power:f} needs to be negative or zero")
        for argument, value in [("initial_accumulator_value", initial_accumulator_value),
                                ("l1_regularization_strength", l1_regularization_strength),
                                ("l2_regularization_strength", l2_regularization_strength),
                                ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)]:
            if value < 0.0:
                raise ValueError(f"{argument} {value:f} needs to be positive or zero")
        super().__init__(use_locking, name)
        self._learning_rate, self._lr_power = learning_rate, learning_rate_power
        self._initial = initial_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength
        self._l2_shrinkage = l2_shrinkage_regularization_strength
        self._slot_op_names = {"accum": accum_name or name, "linear": linear_name or name}

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, "accum", self._initial)
            self._zeros_slot(v, "linear")

    def _slot_variable_name(self, slot_name):
        """TF names these slots after ``accum_name``/``linear_name`` (the graph makes a repeated name unique:
        ``Ftrl``, ``Ftrl_1``) where the base class numbers the slot kinds."""
        return self._slot_op_names[slot_name]

    def _prepare(self):
        self._lr_t = self._lr(self._learning_rate, "learning_rate")
        self._l1_t = self._lr(self._l1, "l1_regularization_strength")
        self._l2_t = self._lr(self._l2, "l2_regularization_strength")
        self._l2_shrinkage_t = self._lr(self._l2_shrinkage, "l2_shrinkage_regularization_strength")

    def _power(self, accum):
        """``accum^p``; TF's kernel takes ``sqrt`` for the default ``p = 0.5``, faster and exact."""
        return ops.sqrt(accum) if self._lr_power == -0.5 else ops.pow(accum, -self._lr_power)

    def _apply_dense(self, grad, var):
        lr, l1, l2, l2_shrinkage = (ops.cast(t, var.dtype)
                                    for t in (self._lr_t, self._l1_t, self._l2_t, self._l2_shrinkage_t))
        accum, linear = self.get_slot(var, "accum"), self.get_slot(var, "linear")
        new_accum = accum + grad * grad
        sigma = (self._power(new_accum) - self._power(accum)) / lr  # how much this step lowers the learning rate
        z = self._assign(linear, linear + grad + 2.0 * l2_shrinkage * var - sigma * var)
        w = self._assign(var, _shrink(-z, l1) / (self._power(new_accum) / lr + 2.0 * l2))
        with control_dependencies([z]):  # the accumulator changes only after sigma has read its old value
            s = self._assign(accum, new_accum)
        return group(w, s)
