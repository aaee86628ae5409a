"""The classic optimizers as graph updates. Formulas follow TF1's documentation (``t`` counts steps from 1).

- Gradient descent: ``w -= lr * g``
- Momentum: ``a = momentum * a + g``; ``w -= lr * a`` (Nesterov: ``w -= lr * (g + momentum * a)``)
- Adagrad: ``s += g²``; ``w -= lr * g / sqrt(s)`` (``s`` starts at ``initial_accumulator_value``)
- RMSProp: ``ms = decay * ms + (1 - decay) * g²``; ``mom = momentum * mom + lr * g / sqrt(ms + eps)``;
  ``w -= mom`` (centered: ``mg = decay * mg + (1 - decay) * g`` and ``ms - mg²`` under the root)
- Adadelta: ``a = rho a + (1 - rho) g²``; ``u = sqrt(d + eps) / sqrt(a + eps) * g``; ``d = rho d + (1 - rho) u²``;
  ``w -= lr * u`` (Zeiler 2012: the step is scaled by the RMS of the past steps over the RMS of the gradients;
  TF keeps a learning rate, whose default 0.001 is far below the paper's 1.0)
- Adam: ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g²``; ``w -= lr_t m / (sqrt(v) + eps)`` with
  ``lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)`` (the bias correction, written into the step size as TF does)
"""
import numpy

from ... import ops
from ..basics import control_dependencies, group
from .optimizer import Optimizer


class GradientDescentOptimizer(Optimizer):
    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _prepare(self):
        self._lr_t = self._lr(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return var.assign_sub(ops.cast(self._lr_t, var.dtype) * grad).op


class MomentumOptimizer(Optimizer):
    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum", use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate, self._momentum, self._use_nesterov = learning_rate, momentum, use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum")

    def _prepare(self):
        self._lr_t = self._lr(self._learning_rate, "learning_rate")
        self._momentum_t = self._lr(self._momentum, "momentum")

    _updates_looked_up_rows_only = True

    def _apply_dense(self, grad, var):
        lr, momentum = ops.cast(self._lr_t, var.dtype), ops.cast(self._momentum_t, var.dtype)
        accumulation = self.get_slot(var, "momentum")
        a = self._assign(accumulation, momentum * accumulation + grad)
        step = grad + momentum * a if self._use_nesterov else a
        return self._assign(var, var - lr * step).op


class AdagradOptimizer(Optimizer):
    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False, name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate, self._initial = learning_rate, initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, "accumulator", self._initial)

    def _prepare(self):
        self._lr_t = self._lr(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        accumulator = self.get_slot(var, "accumulator")
        s = accumulator.assign_add(grad * grad)
        return var.assign_sub(ops.cast(self._lr_t, var.dtype) * grad * ops.rsqrt(s)).op


class AdadeltaOptimizer(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False, name="Adadelta"):
        super().__init__(use_locking, name)
        self._learning_rate, self._rho, self._epsilon = learning_rate, rho, epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum")
            self._zeros_slot(v, "accum_update")

    def _prepare(self):
        self._lr_t = self._lr(self._learning_rate, "learning_rate")

    _updates_looked_up_rows_only = True

    def _apply_dense(self, grad, var):
        rho, eps = self._rho, self._epsilon
        accum_slot, accum_update_slot = self.get_slot(var, "accum"), self.get_slot(var, "accum_update")
        accum = self._assign(accum_slot, rho * accum_slot + (1 - rho) * grad * grad)
        update = ops.sqrt(accum_update_slot + eps) * ops.rsqrt(accum + eps) * grad
        with control_dependencies([update]):  # the step reads the old accum_update before it is replaced
            accum_update = self._assign(accum_update_slot, rho * accum_update_slot + (1 - rho) * update * update)
        return group(self._assign(var, var - ops.cast(self._lr_t, var.dtype) * update), accum_update)


class RMSPropOptimizer(Optimizer):
    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False, centered=False,
                 name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate, self._decay, self._momentum = learning_rate, decay, momentum
        self._epsilon, self._centered = epsilon, centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, "rms", 1.0)  # TF1 starts the mean square at 1
            if self._centered:  # (made before momentum, as in TF1, so the slots get TF1's names: mg is RMSProp_1)
                self._zeros_slot(v, "mg")
            self._zeros_slot(v, "momentum")

    def _prepare(self):
        self._lr_t = self._lr(self._learning_rate, "learning_rate")

    _updates_looked_up_rows_only = True

    def _apply_dense(self, grad, var):
        lr = ops.cast(self._lr_t, var.dtype)
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        ms = self._assign(rms, self._decay * rms + (1.0 - self._decay) * grad * grad)
        denominator = ms
        if self._centered:
            mg_slot = self.get_slot(var, "mg")
            mg = self._assign(mg_slot, self._decay * mg_slot + (1.0 - self._decay) * grad)
            denominator = ms - mg * mg
        m = self._assign(mom, self._momentum * mom + lr * grad * ops.rsqrt(denominator + self._epsilon))
        return self._assign(var, var - m).op


class AdamOptimizer(Optimizer):
    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._learning_rate, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon

    def _create_slots(self, var_list):
        dtype = var_list[0].dtype  # TF keeps the step-count powers in the (first) variable's precision
        self._beta1_power = self._non_slot_variable("beta1_power", numpy.asarray(self._beta1, dtype))
        self._beta2_power = self._non_slot_variable("beta2_power", numpy.asarray(self._beta2, dtype))
        for v in var_list:
            self._zeros_slot(v, "m")
            self._zeros_slot(v, "v")

    def _prepare(self):
        self._lr_t = self._lr(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        dtype = var.dtype
        b1, b2 = self._beta1, self._beta2
        lr_t = ops.cast(self._lr_t, dtype) * ops.sqrt(1 - ops.cast(self._beta2_power, dtype)) / \
            (1 - ops.cast(self._beta1_power, dtype))
        m_slot, v_slot = self.get_slot(var, "m"), self.get_slot(var, "v")
        m = self._assign(m_slot, b1 * m_slot + (1 - b1) * grad)
        v = self._assign(v_slot, b2 * v_slot + (1 - b2) * grad * grad)
        return self._assign(var, var - lr_t * self._first_moment(m, grad) / (ops.sqrt(v) + self._epsilon)).op

    def _first_moment(self, m, grad):
        """The first moment the step follows: ``m`` (Nadam looks one step ahead, see contrib_optimizers.py)."""
        return m

    def _finish(self, update_ops):
        with control_dependencies(update_ops):  # the step count advances after every variable used it
            update_b1 = self._beta1_power.assign(self._beta1_power * self._beta1)
            update_b2 = self._beta2_power.assign(self._beta2_power * self._beta2)
        return group(*update_ops, update_b1, update_b2)
