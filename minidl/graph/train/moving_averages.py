"""``ExponentialMovingAverage``: shadow copies of variables that trail their values, for evaluation.

Evaluating with averaged weights is often better than with the last ones (Polyak averaging). ``apply(var_list)``
makes, for each variable ``v``, a *shadow variable* ``v/ExponentialMovingAverage`` (starting at v's initial value,
not trainable) and returns ONE op that moves every shadow toward its variable::

    shadow -= (1 - decay) * (shadow - v)          # = decay * shadow + (1 - decay) * v

Nothing runs it unless asked; the TF1 idiom runs it after each training step::

    ema = tf.train.ExponentialMovingAverage(decay=0.999)
    with tf.control_dependencies([train_op]):
        train_op = ema.apply(tf.trainable_variables())

``ema.average(v)`` is the shadow; ``ema.variables_to_restore()`` maps each variable's *shadow's* checkpoint name
to the variable, so ``tf.train.Saver(ema.variables_to_restore()).restore(...)`` loads the averages into the model.

With ``num_updates`` (usually the global step) the decay starts low, ``min(decay, (1 + n) / (10 + n))``, so the
first averages are not dominated by the initial values. A *tensor* (a loss, say) has no initial value: its shadow
starts at zero, and with ``zero_debias=True`` it is corrected for that (TF's zero debiasing): a second shadow
``biased`` takes the plain average, ``local_step`` counts the updates, and the shadow is
``biased / (1 - decay ** local_step)``. Without it (the default) the shadow just starts at zero; variables'
shadows, which start at the variable's value, are never debiased.
"""
import numpy

from ... import ops
from ...backend import dtypes
from ..basics import group, name_scope
from ..core import GraphKeys, get_default_graph
from ..frontend import convert_to_tensor
from ..variables import Variable, global_variables, moving_average_variables


class ExponentialMovingAverage:
    def __init__(self, decay, num_updates=None, zero_debias=False, name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages = {}  # variable or tensor -> its shadow variable

    @property
    def name(self):
        return self._name

    def _shadow(self, owner, initial_value, name, dtype):
        """A non-trainable global variable ``<owner op>/<name>`` (made unique if taken)."""
        with name_scope(None), name_scope(owner.op.name + "/"):
            return Variable(initial_value, trainable=False, name=name, dtype=dtype)

    def apply(self, var_list=None):
        """Create the shadows of ``var_list`` (default: the trainable variables; floats only, each once) and return
        the op that updates them all. The variables join the MOVING_AVERAGE_VARIABLES collection."""
        var_list = get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES) if var_list is None else \
            list(var_list)
        for var in var_list:
            if var.dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if var in self._averages:
                raise ValueError(f"Moving average already computed for: {var.name}")
        debiased = []
        for var in var_list:
            if isinstance(var, Variable):
                self._averages[var] = self._shadow(var, var.initialized_value(), self._name, var.dtype)
                get_default_graph().add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
            else:  # a tensor starts at zero (debiased, if asked)
                if not var.shape.is_fully_defined():
                    raise ValueError(f"ExponentialMovingAverage of the tensor {var.name} needs its shape known when "
                                     f"the graph is built, got {var.shape}")
                self._averages[var] = self._shadow(var, numpy.zeros(var.shape, var.dtype), self._name, var.dtype)
                if self._zero_debias:
                    debiased.append(var)
        with name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, dtypes.float32, name="decay")
            if self._num_updates is not None:
                n = ops.cast(convert_to_tensor(self._num_updates), dtypes.float32)
                decay = ops.minimum(decay, (n + 1.0) / (n + 10.0))
            updates = []
            for var in var_list:
                shadow = self._averages[var]
                var_decay = ops.cast(decay, var.dtype)
                if any(var is t for t in debiased):
                    updates.append(self._debiased_update(shadow, var, var_decay))
                else:
                    updates.append(shadow.assign_sub((shadow - var) * (1.0 - var_decay)))
            update = group(*updates)
        get_default_graph().rename_operation(update, scope[:-1])  # the op is named like its scope, as in TF
        return update

    def _debiased_update(self, shadow, value, decay):
        """``shadow = biased / (1 - decay ** local_step)`` after the plain update of ``biased`` (from zero)."""
        # (zeros of the static shape: an initializer must not compute the tensor, which may need feeds)
        biased = self._shadow(shadow, numpy.zeros(shadow.shape, shadow.dtype), "biased", shadow.dtype)
        local_step = self._shadow(shadow, numpy.zeros((), shadow.dtype), "local_step", shadow.dtype)
        new_biased = biased.assign_sub((biased - value) * (1.0 - decay))
        step = local_step.assign_add(1.0)
        return shadow.assign(new_biased / (1.0 - ops.pow(decay, step)))

    def average(self, var):
        """The shadow variable of ``var`` (None if ``apply`` did not see it)."""
        return self._averages.get(var)

    def average_name(self, var):
        """The name of ``var``'s shadow in a checkpoint: ``<var op name>/ExponentialMovingAverage``."""
        if var in self._averages:
            return self._averages[var].op.name
        return f"{var.op.name}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None):
        """``{name in a checkpoint: variable}`` for a ``Saver`` that restores the averages into the variables:
        the shadow's name for each averaged variable (default: the moving-average and trainable variables),
        the variable's own name for every other global variable."""
        if moving_avg_variables is None:
            moving_avg_variables = moving_average_variables() + \
                get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES)
        averaged = set(moving_avg_variables)
        names = {self.average_name(v): v for v in averaged}
        for v in global_variables():  # (a shadow's name is already taken: shadows are not restored into)
            if v not in averaged and v.op.name not in names:
                names[v.op.name] = v
        return names
