"""``tf.keras.optimizers``: Keras' optimizers, with Keras' defaults and formulas, as graph optimizers.

They are ``tf.train`` optimizers (``minimize``, ``apply_gradients``, slots), so a model can be compiled with
either kind; ``compile(optimizer="adam")`` takes one of these by name. Where Keras differs from ``tf.train``:

- the defaults: ``SGD`` lr 0.01; ``Adam``, ``RMSprop`` and ``Adagrad`` lr 0.001; every epsilon is 1e-7;
- ``RMSprop`` starts its mean square at 0 (TF1's at 1) and, without momentum, puts epsilon outside the root:
  ``ms = rho ms + (1 - rho) g²``; ``w -= lr g / (sqrt(ms) + eps)`` (with momentum, TF1's update:
  ``mom = momentum mom + lr g / sqrt(ms + eps)``; ``w -= mom``);
- ``Adagrad``: ``s += g²``; ``w -= lr g / (sqrt(s) + eps)`` (``s`` starts at 0.1);
- ``SGD`` with momentum keeps a velocity: ``v = momentum v - lr g``; ``w += v`` (Nesterov:
  ``w += momentum v - lr g``);
- ``Adam``: TF1's update (``optimizers.py`` of ``tf.train``), and with ``amsgrad=True`` the root of the largest
  ``v`` so far in the denominator (Reddi et al. 2018);
- ``Adadelta`` (lr 0.001, rho 0.95): ``a = rho a + (1 - rho) g²``; ``step = sqrt(d + eps) / sqrt(a + eps) g``;
  ``d = rho d + (1 - rho) step²``; ``w -= lr step`` (Zeiler 2012, with Keras' learning rate);
- ``Adamax``: ``m = beta_1 m + (1 - beta_1) g``; ``u = max(beta_2 u, |g|)``;
  ``w -= lr / (1 - beta_1^t) m / (u + eps)`` (Kingma & Ba 2015, section 7);
- ``Nadam``: see the class (Dozat 2016);
- ``decay``: the learning rate of step t (counted from 0 by ``optimizer.iterations``) is ``lr / (1 + decay t)``.

``lr=`` is accepted for ``learning_rate=`` (the older Keras name); ``clipnorm`` and ``clipvalue`` clip each gradient
before the update. As in Keras, the learning rate is a variable
(``optimizer.learning_rate``, alias ``optimizer.lr``) that the update reads at every step, so it can change between
steps: ``tf.keras.backend.set_value(model.optimizer.lr, 0.001)``, ``optimizer.learning_rate = 0.001``, or the
``LearningRateScheduler`` and ``ReduceLROnPlateau`` callbacks.
"""
import numpy

from ... import ops
from ..basics import control_dependencies, group
from ..clip_ops import clip_by_norm
from ..core import get_default_graph
from ..math_ops import clip_by_value
from ..train.optimizer import Optimizer as TFOptimizer
from . import backend


class Optimizer(TFOptimizer):
    """A Keras optimizer: a learning rate with optional time decay, and a step counter ``iterations``."""

    def __init__(self, name, learning_rate, lr=None, decay=0.0, clipnorm=None, clipvalue=None, **unknown):
        if unknown:
            raise TypeError(f"{name}: unexpected keyword argument(s) {', '.join(sorted(unknown))}")
        super().__init__(False, name)
        self.home_graph = None  # the graph of the model compiled with it (set by compile)
        self.clipnorm, self.clipvalue = clipnorm, clipvalue
        self._initial_rate = float(learning_rate if lr is None else lr)
        if decay < 0.0:
            raise ValueError(f"decay cannot be less than 0: {decay}")
        self.decay = float(decay)

    @property
    def learning_rate(self):
        """The learning rate: a float32 variable, made at the first use in the graph of the model compiled with
        this optimizer (``home_graph``; else the default graph) — so ``K.set_value(model.optimizer.lr, ...)``
        reaches the model wherever it is called."""
        with (self.home_graph or get_default_graph()).as_default():
            return self._non_slot_variable(f"{self._name}/learning_rate", numpy.float32(self._initial_rate))

    @learning_rate.setter
    def learning_rate(self, value):
        self._initial_rate = float(value)
        for (name, graph), variable in self._non_slot.items():  # where the variable exists, its value changes now
            if name == f"{self._name}/learning_rate":
                with graph.as_default():
                    backend.set_value(variable, value)

    lr = learning_rate

    def compute_gradients(self, loss, var_list=None, **kwargs):
        """The gradients, each clipped as asked: ``clipnorm`` rescales a gradient whose L2 norm exceeds it (each
        gradient by its own norm, as Keras does), ``clipvalue`` clips every entry to [-clipvalue, clipvalue]."""
        pairs = super().compute_gradients(loss, var_list, **kwargs)
        if self.clipnorm is not None:
            pairs = [(None if g is None else clip_by_norm(g, self.clipnorm), v) for g, v in pairs]
        if self.clipvalue is not None:
            pairs = [(None if g is None else clip_by_value(g, -self.clipvalue, self.clipvalue), v) for g, v in pairs]
        return pairs

    @property
    def iterations(self):
        """How many updates this optimizer has applied (an int64 variable of the default graph)."""
        return self._non_slot_variable(f"{self._name}/iter", numpy.int64(0))

    def _prepare(self):
        lr = self.learning_rate.read_value()
        if self.decay:
            lr = lr / (1.0 + self.decay * ops.cast(self.iterations, "float32"))
        self._lr_t = lr

    def _finish(self, update_ops):
        with control_dependencies(update_ops):  # the step count advances after every variable used it
            return group(*update_ops, self.iterations.assign_add(numpy.int64(1)))

    def get_config(self):
        """The options, as Keras lists them (its name, and the learning rate as given or as last set)."""
        return dict({k: v for k, v in vars(self).items() if not k.startswith("_") and k != "home_graph"},
                    name=self._name, learning_rate=self._initial_rate)

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # Keras' older interface, still in TF 1.15 for the training loops written with K.function(updates=...)
    def get_updates(self, loss, params):
        """The update ops of one step that lowers ``loss`` by changing ``params``."""
        return [self.apply_gradients(self.compute_gradients(loss, params))]

    def get_gradients(self, loss, params):
        """The gradients of ``loss`` for ``params`` (clipped as configured)."""
        grads = [g for g, _ in self.compute_gradients(loss, params)]
        if any(g is None for g in grads):
            raise ValueError("An operation has `None` for gradient: a param does not affect the loss")
        return grads

    @property
    def weights(self):
        """The optimizer's own variables: its slots (moments, once a step has made them), its step count and its
        learning rate."""
        return self.variables()

    def get_weights(self):
        return backend.batch_get_value(self.weights)

    def set_weights(self, weights):
        backend.batch_set_value(list(zip(self.weights, weights)))


class SGD(Optimizer):
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        super().__init__(name, learning_rate, **kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"`momentum` must be between [0, 1]: {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _create_slots(self, var_list):
        if self.momentum:
            for v in var_list:
                self._zeros_slot(v, "momentum")

    def _apply_dense(self, grad, var):
        lr = ops.cast(self._lr_t, var.dtype)
        if not self.momentum:
            return var.assign_sub(lr * grad).op
        velocity_slot = self.get_slot(var, "momentum")
        velocity = velocity_slot.assign(self.momentum * velocity_slot - lr * grad)
        step = self.momentum * velocity - lr * grad if self.nesterov else velocity
        return var.assign_add(step).op


class Adam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, name="Adam",
                 **kwargs):
        super().__init__(name, learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = float(beta_1), float(beta_2), float(epsilon), amsgrad

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "m")
            self._zeros_slot(v, "v")
            if self.amsgrad:
                self._zeros_slot(v, "vhat")

    def _apply_dense(self, grad, var):
        dtype = var.dtype
        b1, b2 = self.beta_1, self.beta_2
        t = ops.cast(self.iterations, dtype) + 1  # this step's number, from 1
        lr_t = ops.cast(self._lr_t, dtype) * ops.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m_slot, v_slot = self.get_slot(var, "m"), self.get_slot(var, "v")
        m = m_slot.assign(b1 * m_slot + (1 - b1) * grad)
        v = v_slot.assign(b2 * v_slot + (1 - b2) * grad * grad)
        if self.amsgrad:
            vhat_slot = self.get_slot(var, "vhat")
            v = vhat_slot.assign(ops.maximum(vhat_slot, v))
        return var.assign_sub(lr_t * m / (ops.sqrt(v) + self.epsilon)).op


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, name="RMSprop",
                 **kwargs):
        super().__init__(name, learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = float(rho), float(momentum), float(epsilon), centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "rms")
            if self.momentum:
                self._zeros_slot(v, "momentum")
            if self.centered:
                self._zeros_slot(v, "mg")

    def _apply_dense(self, grad, var):
        lr, rho = ops.cast(self._lr_t, var.dtype), self.rho
        rms_slot = self.get_slot(var, "rms")
        denominator = rms = rms_slot.assign(rho * rms_slot + (1 - rho) * grad * grad)
        if self.centered:
            mg_slot = self.get_slot(var, "mg")
            mg = mg_slot.assign(rho * mg_slot + (1 - rho) * grad)
            denominator = rms - mg * mg
        if self.momentum:
            mom_slot = self.get_slot(var, "momentum")
            mom = mom_slot.assign(self.momentum * mom_slot + lr * grad * ops.rsqrt(denominator + self.epsilon))
            return var.assign_sub(mom).op
        return var.assign_sub(lr * grad / (ops.sqrt(denominator) + self.epsilon)).op


class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, name="Adagrad", **kwargs):
        super().__init__(name, learning_rate, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError(f"initial_accumulator_value must be non-negative: {initial_accumulator_value}")
        self.initial_accumulator_value, self.epsilon = float(initial_accumulator_value), float(epsilon)

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, "accumulator", self.initial_accumulator_value)

    def _apply_dense(self, grad, var):
        accumulator = self.get_slot(var, "accumulator")
        s = accumulator.assign_add(grad * grad)
        return var.assign_sub(ops.cast(self._lr_t, var.dtype) * grad / (ops.sqrt(s) + self.epsilon)).op


class Adadelta(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="Adadelta", **kwargs):
        super().__init__(name, learning_rate, **kwargs)
        self.rho, self.epsilon = float(rho), float(epsilon)

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum_grad")
            self._zeros_slot(v, "accum_var")

    def _apply_dense(self, grad, var):
        rho, eps = self.rho, self.epsilon
        accum_grad, accum_var = self.get_slot(var, "accum_grad"), self.get_slot(var, "accum_var")
        mean_square = accum_grad.assign(rho * accum_grad + (1 - rho) * grad * grad)
        step = ops.sqrt(accum_var + eps) / ops.sqrt(mean_square + eps) * grad  # reads the old accum_var
        with control_dependencies([step]):
            new_accum_var = accum_var.assign(rho * accum_var + (1 - rho) * step * step)
        return group(var.assign_sub(ops.cast(self._lr_t, var.dtype) * step), new_accum_var)


class Adamax(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="Adamax", **kwargs):
        super().__init__(name, learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "m")
            self._zeros_slot(v, "v")

    def _apply_dense(self, grad, var):
        b1, b2 = self.beta_1, self.beta_2
        t = ops.cast(self.iterations, var.dtype) + 1
        m_slot, u_slot = self.get_slot(var, "m"), self.get_slot(var, "v")
        m = m_slot.assign(b1 * m_slot + (1 - b1) * grad)
        u = u_slot.assign(ops.maximum(b2 * u_slot, ops.abs(grad)))  # the infinity norm, decayed
        return var.assign_sub(ops.cast(self._lr_t, var.dtype) / (1 - b1 ** t) * m / (u + self.epsilon)).op


class Nadam(Optimizer):
    """Adam with Nesterov momentum, Keras' way: the momentum factor of step t is
    ``mu_t = beta_1 (1 - 0.96^(decay t) / 2)`` (``decay``, alias ``schedule_decay``, is this schedule's, 0.004:
    here it does not decay the learning rate), and the product of the factors so far, ``m_schedule``, a variable
    of the optimizer, corrects the bias of both the gradient and the first moment."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="Nadam", **kwargs):
        schedule_decay = kwargs.pop("schedule_decay", kwargs.pop("decay", 0.004))
        super().__init__(name, learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.schedule_decay = float(schedule_decay)

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "m")
            self._zeros_slot(v, "v")

    def _prepare(self):
        super()._prepare()
        t = ops.cast(self.iterations, "float32") + 1
        self._mu_t, self._mu_next = (self.beta_1 * (1.0 - 0.5 * 0.96 ** (self.schedule_decay * step))
                                     for step in (t, t + 1))
        self._schedule = self._non_slot_variable(f"{self._name}/momentum_cache", numpy.float32(1.0))
        self._schedule_new = self._schedule.read_value() * self._mu_t  # read once, before any update

    def _apply_dense(self, grad, var):
        b1, b2, dtype = self.beta_1, self.beta_2, var.dtype
        t = ops.cast(self.iterations, dtype) + 1
        mu_t, mu_next = ops.cast(self._mu_t, dtype), ops.cast(self._mu_next, dtype)
        schedule_new = ops.cast(self._schedule_new, dtype)
        m_slot, v_slot = self.get_slot(var, "m"), self.get_slot(var, "v")
        m = m_slot.assign(b1 * m_slot + (1 - b1) * grad)
        v = v_slot.assign(b2 * v_slot + (1 - b2) * grad * grad)
        m_bar = (1 - mu_t) * grad / (1 - schedule_new) + mu_next * m / (1 - schedule_new * mu_next)
        v_hat = v / (1 - b2 ** t)
        return var.assign_sub(ops.cast(self._lr_t, dtype) * m_bar / (ops.sqrt(v_hat) + self.epsilon)).op

    def _finish(self, update_ops):
        with control_dependencies(update_ops):
            advanced = self._schedule.assign(self._schedule_new)
        return super()._finish(list(update_ops) + [advanced])


_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta,
            "adamax": Adamax, "nadam": Nadam}


def get(identifier):
    """An optimizer from a name ("sgd", "adam", "rmsprop", "adagrad", "adadelta", "adamax", "nadam": Keras'
    defaults) or an optimizer object
    (a Keras one or any ``tf.train`` optimizer, used as it is)."""
    if isinstance(identifier, TFOptimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r} (known: {', '.join(_BY_NAME)}, or "
                     f"an optimizer object)")
