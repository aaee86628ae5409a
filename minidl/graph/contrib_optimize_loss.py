"""``tf.contrib.layers.optimize_loss``: a whole training step from a loss in one call — TF 1.x's tf.learn used it,
and so did many programs of its time::

    train_op = tf.contrib.layers.optimize_loss(loss, tf.train.get_or_create_global_step(), learning_rate=0.1,
                                               optimizer="Adam", clip_gradients=5.0)
    loss_value = sess.run(train_op)          # one step; gives the loss the gradients came from

In the variable scope ``name`` (default "OptimizeLoss") it

1. runs ``update_ops`` (default: the UPDATE_OPS collection, batch norm's moving averages) before the loss;
2. makes the learning rate: a float becomes the non-trainable variable ``OptimizeLoss/learning_rate``, a 0-d
   tensor is used as it is, and ``learning_rate_decay_fn(lr, global_step)`` decays it;
3. makes the optimizer: a name of ``OPTIMIZER_CLS_NAMES`` ("SGD", "Adam", "Adagrad", "Momentum" — with momentum
   0.9 —, "RMSProp", "Ftrl"), an ``Optimizer`` class (called with ``learning_rate=lr``), an instance, or a
   function ``lr -> Optimizer`` (of no argument when ``learning_rate`` is None);
4. computes the gradients of ``variables`` (default: the trainable ones), adds truncated-normal noise times
   ``gradient_noise_scale``, multiplies those named in ``gradient_multipliers`` (a dict keyed by variable or
   variable name), and clips them: a float ``clip_gradients`` rescales them together to that global norm
   (``tf.clip_by_global_norm``), a function maps the ``(gradient, variable)`` pairs to new ones;
5. applies them (the op ``OptimizeLoss/train``, incrementing ``global_step`` unless ``increment_global_step`` is
   False) and returns the loss computed in the step, as a tensor that runs the whole step.

``summaries`` picks from ``OPTIMIZER_SUMMARIES`` (default loss, learning_rate, global_gradient_norm): scalars
``OptimizeLoss/loss``, ``OptimizeLoss/learning_rate`` (only with a decay function, as in TF),
``OptimizeLoss/global_norm/gradient_norm`` (and ``.../clipped_gradient_norm`` when clipping); "gradients" and
"gradient_norm" add, per variable ``w:0``, a histogram ``OptimizeLoss/gradients/w_0`` and a scalar
``OptimizeLoss/gradient_norm/w_0``.
"""

from . import summary
from .array_ops import shape
from .basics import control_dependencies, identity
from .clip_ops import clip_by_global_norm, global_norm
from .contrib import layers
from .core import GraphKeys, get_default_graph
from .frontend import convert_to_tensor
from .indexed_slices import as_dense, on_values, values_of
from .initializers import Constant
from .math_ops import cast
from .random_ops import truncated_normal
from .train.optimizer import Optimizer
from .train.optimizers import (AdagradOptimizer, AdamOptimizer, GradientDescentOptimizer, MomentumOptimizer,
                               RMSPropOptimizer)
from .train.proximal_optimizers import FtrlOptimizer
from .train.schedules import get_global_step
from .variable_scope import get_variable, variable_scope
from .variables import trainable_variables

OPTIMIZER_CLS_NAMES = {
    "Adagrad": AdagradOptimizer,
    "Adam": AdamOptimizer,
    "Ftrl": FtrlOptimizer,
    "Momentum": lambda learning_rate: MomentumOptimizer(learning_rate, momentum=0.9),
    "RMSProp": RMSPropOptimizer,
    "SGD": GradientDescentOptimizer,
}

OPTIMIZER_SUMMARIES = ["learning_rate", "loss", "gradients", "gradient_norm", "global_gradient_norm"]


def optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None, gradient_multipliers=None,
                  clip_gradients=None, learning_rate_decay_fn=None, update_ops=None, variables=None, name=None,
                  summaries=None, colocate_gradients_with_ops=False, increment_global_step=True):
    """The training step of the module docstring, as a tensor: running it updates the variables and gives the
    loss. ``global_step`` None takes the graph's (``tf.train.get_global_step()``; none: no step is counted)."""
    loss = convert_to_tensor(loss)
    if loss.shape.rank not in (0, None):
        raise ValueError(f"optimize_loss: expected scalar shape for {loss.name}, saw shape: {loss.shape}.")
    global_step = get_global_step() if global_step is None else _checked_global_step(global_step)
    summaries = _checked_summaries(summaries)
    with variable_scope(name, default_name="OptimizeLoss", values=[loss, global_step]):
        graph = get_default_graph()
        update_ops = list(dict.fromkeys(graph.get_collection(GraphKeys.UPDATE_OPS) if update_ops is None
                                        else update_ops))
        if update_ops:  # the updates run before the loss (the gradients come after it)
            with control_dependencies(update_ops):
                loss = identity(loss, name="control_dependency")
        lr = _learning_rate(learning_rate)
        if lr is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("optimize_loss: global_step is required for learning_rate_decay_fn.")
            lr = learning_rate_decay_fn(lr, global_step)
            if "learning_rate" in summaries:
                summary.scalar("learning_rate", lr)
        opt = _optimizer(optimizer, lr, learning_rate)
        gradients = opt.compute_gradients(loss, trainable_variables() if variables is None else variables)
        if gradient_noise_scale is not None:
            # (a lookup's IndexedSlices becomes dense: noise reaches every row, as in TF)
            gradients = [(g if g is None else as_dense(g) + truncated_normal(shape(g), dtype=g.dtype) *
                          gradient_noise_scale, v) for g, v in gradients]
        if gradient_multipliers is not None:
            gradients = _multiplied(gradients, gradient_multipliers)
        norms = "global_gradient_norm" in summaries or "gradient_norm" in summaries
        if norms:
            summary.scalar("global_norm/gradient_norm", global_norm([g for g, _ in gradients]))
        if isinstance(clip_gradients, float):
            clipped, _ = clip_by_global_norm([g for g, _ in gradients], clip_gradients)
            gradients = list(zip(clipped, [v for _, v in gradients]))
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError(f"optimize_loss: unknown type {type(clip_gradients).__name__} for clip_gradients "
                             "(expected a float or a function of the (gradient, variable) pairs)")
        if "loss" in summaries:
            summary.scalar("loss", loss)
        for gradient, variable in gradients:
            if gradient is not None:
                var_name = variable.name.replace(":", "_")
                if "gradients" in summaries:  # (of a lookup's IndexedSlices, the rows it lists, as TF shows)
                    summary.histogram(f"gradients/{var_name}", values_of(gradient))
                if "gradient_norm" in summaries:
                    summary.scalar(f"gradient_norm/{var_name}", global_norm([gradient]))
        if clip_gradients is not None and norms:
            summary.scalar("global_norm/clipped_gradient_norm", global_norm([g for g, _ in gradients]))
        step = opt.apply_gradients(gradients, global_step=global_step if increment_global_step else None,
                                   name="train")
        with control_dependencies([step]):
            return identity(loss, name="control_dependency")


def _checked_global_step(global_step):
    """TF's ``assert_global_step``: an integer scalar variable or tensor."""
    if not hasattr(global_step, "dtype") or not hasattr(global_step, "shape"):
        raise TypeError(f'optimize_loss: existing "global_step" must be a Variable or Tensor: {global_step!r}.')
    if not global_step.dtype.is_integer:
        raise TypeError(f'optimize_loss: existing "global_step" does not have integer type: {global_step.dtype.name}')
    if global_step.shape.rank not in (0, None):
        raise TypeError(f'optimize_loss: existing "global_step" is not scalar: {global_step.shape}')
    return global_step


def _checked_summaries(summaries):
    if summaries is None:
        return ["loss", "learning_rate", "global_gradient_norm"]
    for name in summaries:
        if name not in OPTIMIZER_SUMMARIES:
            raise ValueError(f"optimize_loss: summaries should be one of [{', '.join(OPTIMIZER_SUMMARIES)}], you "
                             f"provided {name}.")
    return summaries


def _learning_rate(learning_rate):
    """None, a 0-d tensor as it is, or a float as the non-trainable variable ``learning_rate``."""
    if learning_rate is None:
        return None
    if hasattr(learning_rate, "op") and learning_rate.shape.rank == 0:
        return learning_rate
    if isinstance(learning_rate, float):
        if learning_rate < 0.0:
            raise ValueError(f"optimize_loss: invalid learning_rate {learning_rate}.")
        return get_variable("learning_rate", [], initializer=Constant(learning_rate), trainable=False)
    raise ValueError(f"optimize_loss: learning rate should be 0d Tensor or float. Got {learning_rate} of type "
                     f"{type(learning_rate).__name__}")


def _optimizer(optimizer, lr, learning_rate):
    """The ``Optimizer`` that ``optimizer`` names (module docstring), for the learning rate ``lr``."""
    if isinstance(optimizer, str):
        if lr is None:
            raise ValueError(f"optimize_loss: learning rate is None, but should be specified if optimizer is string "
                             f"({optimizer}).")
        if optimizer not in OPTIMIZER_CLS_NAMES:
            raise ValueError(f"optimize_loss: optimizer name should be one of [{', '.join(OPTIMIZER_CLS_NAMES)}], "
                             f"you provided {optimizer}.")
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        if lr is None:
            raise ValueError(f"optimize_loss: learning rate is None, but should be specified if optimizer is class "
                             f"({optimizer.__name__}).")
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, Optimizer):
        return optimizer
    if callable(optimizer):
        opt = optimizer() if learning_rate is None else optimizer(lr)
        if not isinstance(opt, Optimizer):
            raise ValueError(f"optimize_loss: unrecognized optimizer: function should return subclass of "
                             f"Optimizer. Got {opt!r}.")
        return opt
    raise ValueError(f"optimize_loss: unrecognized optimizer: should be string, subclass of Optimizer, instance of "
                     f"subclass of Optimizer or function with one argument. Got {optimizer!r}.")


def _multiplied(gradients, gradient_multipliers):
    """The gradients of the variables that ``gradient_multipliers`` names (by variable or by name) times its
    number."""
    out = []
    for grad, var in gradients:
        key = var if var in gradient_multipliers else var.name
        if grad is not None and key in gradient_multipliers:
            grad = on_values(grad, lambda values: values * cast(gradient_multipliers[key], values.dtype))
        out.append((grad, var))
    return out


# importing this module (contrib.py does, once its namespaces are built) adds it to tf.contrib.layers
layers.optimize_loss = optimize_loss
layers.OPTIMIZER_CLS_NAMES, layers.OPTIMIZER_SUMMARIES = OPTIMIZER_CLS_NAMES, OPTIMIZER_SUMMARIES
