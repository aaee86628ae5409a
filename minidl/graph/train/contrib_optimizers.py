"""``tf.contrib.opt``: the Adam variants of TF 1.x's contrib — decoupled weight decay (``AdamWOptimizer``,
``MomentumWOptimizer``), Nesterov momentum (``NadamOptimizer``) and lazy updates of embeddings
(``LazyAdamOptimizer``). Each is Adam or Momentum (optimizers.py) with one change; ``t`` counts steps from 1.

**Decoupled weight decay** (Loshchilov & Hutter, https://arxiv.org/abs/1711.05101). An L2 penalty ``wd/2 · |w|²``
in the loss reaches Adam as a gradient ``wd · w``, which Adam then divides by ``sqrt(v)``: weights with large
gradients are barely decayed. Decoupling takes the decay out of the gradient and applies it to the weights
directly, before the optimizer's own step::

    w ← w - weight_decay · w              (not scaled by the learning rate: TF 1.x's contrib does not scale it)
    w ← w - step(gradient)                (Adam's or Momentum's step, which does not read w)

so with a decayed learning rate, ``weight_decay`` must be decayed by hand (a tensor or a function). ``minimize``
and ``apply_gradients`` take ``decay_var_list`` to decay only those variables (default: all it updates). For the
gradient of an embedding lookup (``tf.gather``, ``embedding_lookup``) only the rows looked up are decayed, as TF's
sparse update does. (``extend_with_decoupled_weight_decay(OptimizerClass)`` makes such a class of any optimizer.)

**Nadam** (Dozat 2016, http://cs229.stanford.edu/proj2015/054_report.pdf) is Adam with Nesterov's look-ahead: the
step follows the first moment as the *next* step will see it, had the gradient stayed the same::

    m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g²
    w -= lr sqrt(1 - b2^t) / (1 - b1^t) · (b1 m + (1 - b1) g) / (sqrt(v) + eps)

(TF's kernel ``ApplyAdam`` with ``use_nesterov=True``). TF names it "Adam" by default, so its slots are named as
Adam's.

**Lazy Adam.** For the gradient of an embedding lookup, Adam moves every row of the table (the moments of the
rows not looked up decay, and their weights keep moving along them). Lazy Adam updates ``m``, ``v`` and the weights
only in the rows the batch looked up, which for a large vocabulary is much cheaper and, for rare words, a
different algorithm: their moments do not decay while unused. For other gradients it is Adam.

**Moving averages of the weights** (``MovingAverageOptimizer(opt, average_decay)``): any optimizer's step, then an
``ExponentialMovingAverage`` of every variable it updated (after the step, with ``sequential_update``). The
averaged weights usually evaluate better than the last ones. ``swapping_saver()`` is a ``Saver`` that writes each
variable's average under the variable's name (and the variable under its average's), so an evaluation program that
restores the checkpoint with a plain ``Saver`` gets the averages.
"""
import types

from ... import ops
from ..basics import control_dependencies, group, no_op
from ..variables import global_variables
from .moving_averages import ExponentialMovingAverage
from .optimizer import Optimizer, _row_mask
from .saver import Saver
from .optimizers import AdamOptimizer, MomentumOptimizer


class DecoupledWeightDecayExtension:
    """The decay of the module docstring, for an optimizer class to inherit from first (before the optimizer):
    ``class AdamWOptimizer(DecoupledWeightDecayExtension, AdamOptimizer)``. The optimizer's own step must not
    read the variable (it sees the decayed one)."""

    def __init__(self, weight_decay, *args, **kwargs):
        self._weight_decay = weight_decay
        self._decay_vars = None    # None: decay every variable updated
        self._gradients = []
        super().__init__(*args, **kwargs)

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=1, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None, decay_var_list=None):
        """``Optimizer.minimize``, decaying only the variables of ``decay_var_list`` if given. (TF 1.15's passed its
        ``apply_gradients`` no list, so it decayed every variable whatever ``decay_var_list`` said.)"""
        return self.apply_gradients(self.compute_gradients(loss, var_list, grad_loss=grad_loss),
                                    global_step=global_step, name=name, decay_var_list=decay_var_list)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None, decay_var_list=None):
        """``Optimizer.apply_gradients``, decaying only the variables of ``decay_var_list`` if given."""
        grads_and_vars = list(grads_and_vars)
        self._decay_vars = None if not decay_var_list else set(decay_var_list)
        # the decay waits for every gradient: each is computed from the weights before the step (a decay that ran
        # first would change the weights that the forward pass reads)
        self._gradients = [g for g, _ in grads_and_vars if g is not None]
        return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _prepare(self):
        self._weight_decay_t = self._lr(self._weight_decay, "weight_decay")
        super()._prepare()

    def _apply_dense(self, grad, var):
        with control_dependencies([self._decay_weights(grad, var)]):
            return super()._apply_dense(grad, var)

    def _decay_weights(self, grad, var):
        if self._decay_vars is not None and var not in self._decay_vars:
            return no_op()
        with control_dependencies(self._gradients):
            decay = ops.cast(self._weight_decay_t, var.dtype) * var
            rows = self._looked_up_ids  # (of this gradient: Optimizer._apply_to)
            if rows is not None:    # TF's sparse update decays only the rows looked up
                decay = ops.where(_row_mask(rows, var), decay, ops.zeros_like(decay))
            return var.assign_sub(decay).op


def extend_with_decoupled_weight_decay(base_optimizer):
    """A subclass of the optimizer class ``base_optimizer`` with decoupled weight decay (module docstring), whose
    constructor takes ``weight_decay`` first, then ``base_optimizer``'s arguments."""
    return type(f"{base_optimizer.__name__}WithDecoupledWeightDecay", (DecoupledWeightDecayExtension, base_optimizer),
                {})


class AdamWOptimizer(DecoupledWeightDecayExtension, AdamOptimizer):
    """Adam with decoupled weight decay (module docstring)."""

    def __init__(self, weight_decay, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False,
                 name="AdamW"):
        super().__init__(weight_decay, learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon,
                         use_locking=use_locking, name=name)


class MomentumWOptimizer(DecoupledWeightDecayExtension, MomentumOptimizer):
    """Momentum (SGDW) with decoupled weight decay (module docstring)."""

    def __init__(self, weight_decay, learning_rate, momentum, use_locking=False, name="MomentumW",
                 use_nesterov=False):
        super().__init__(weight_decay, learning_rate=learning_rate, momentum=momentum, use_locking=use_locking,
                         name=name, use_nesterov=use_nesterov)


class NadamOptimizer(AdamOptimizer):
    """Adam with Nesterov momentum (module docstring). For a lookup's gradient the moments decay in every row, as
    Adam's, but only the rows looked up move (TF's sparse Nadam)."""
    _updates_looked_up_rows_only = "variable"

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False, name="Adam"):
        super().__init__(learning_rate, beta1, beta2, epsilon, use_locking, name)

    def _first_moment(self, m, grad):
        return self._beta1 * m + (1 - self._beta1) * grad


class LazyAdamOptimizer(AdamOptimizer):
    """Adam that, for an embedding lookup's gradient, updates only the rows looked up (module docstring)."""
    _updates_looked_up_rows_only = True


class MovingAverageOptimizer(Optimizer):
    """``opt``'s updates followed by a moving average of the variables they change (module docstring)."""

    def __init__(self, opt, average_decay=0.9999, num_updates=None, sequential_update=True):
        super().__init__(False, opt.get_name())
        self._optimizer, self._sequential_update = opt, sequential_update
        self._ema = ExponentialMovingAverage(average_decay, num_updates=num_updates)
        self._swapped_names = None   # {variable's name: its average's name, and the other way round}

    def compute_gradients(self, *args, **kwargs):
        return self._optimizer.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        grads_and_vars = list(grads_and_vars)
        train_op = self._optimizer.apply_gradients(grads_and_vars, global_step=global_step, name=name)
        var_list = [v for g, v in grads_and_vars if g is not None]
        if self._sequential_update:   # the average takes in the weights after the step
            with control_dependencies([train_op]):
                average_op = self._ema.apply(var_list)
        else:
            average_op = self._ema.apply(var_list)
        self._swapped_names = {}
        for v in var_list:
            average_name = self._ema.average(v).op.name
            self._swapped_names[v.op.name], self._swapped_names[average_name] = average_name, v.op.name
        return group(train_op, average_op, name="train_with_avg")

    def swapping_saver(self, var_list=None, name="swapping_saver", **kwargs):
        """A ``Saver`` of ``var_list`` (default: the global variables) that saves and restores each averaged
        variable's average under the variable's name, and the variable under its average's."""
        if self._swapped_names is None:
            raise RuntimeError("Must call apply_gradients or minimize before creating the swapping_saver")
        if var_list is None:
            var_list = global_variables()
        by_name = dict(var_list) if isinstance(var_list, dict) else {v.op.name: v for v in var_list}
        everything = {v.op.name: v for v in global_variables()}
        swapped = {key: everything[self._swapped_names[key]] if key in self._swapped_names else v
                   for key, v in by_name.items()}
        return Saver(swapped, name=name, **kwargs)


opt = types.SimpleNamespace(
    MovingAverageOptimizer=MovingAverageOptimizer,
    AdamWOptimizer=AdamWOptimizer, MomentumWOptimizer=MomentumWOptimizer, NadamOptimizer=NadamOptimizer,
    LazyAdamOptimizer=LazyAdamOptimizer, DecoupledWeightDecayExtension=DecoupledWeightDecayExtension,
    extend_with_decoupled_weight_decay=extend_with_decoupled_weight_decay)
