"""``tf.contrib.framework``: ``arg_scope``, which sets default arguments for a group of layer functions, and the
variable helpers that ``tf.contrib.slim`` re-exports (``get_variables``, ``get_variables_to_restore``, ...)::

    with tf.contrib.framework.arg_scope([layers.conv2d, layers.fully_connected],
                                        weights_regularizer=layers.l2_regularizer(5e-4)):
        with arg_scope([layers.conv2d], padding="VALID"):
            net = layers.conv2d(images, 64, [3, 3])              # padding "VALID", regularized
            net = layers.conv2d(net, 64, [3, 3], padding="SAME")  # the call's own argument wins

**How it works.** A function joins the scheme through the decorator ``add_arg_scope``: the wrapper it returns
looks up the innermost scope's defaults for the function and calls it with them, updated by the call's own
keyword arguments. The scopes form a stack (one for the whole program, as TF's: not per graph or thread); each
``arg_scope`` pushes a copy of the current scope (a dict: function -> its defaults) with its own keyword arguments
merged in, and pops it on exit. The dict it yields can be stored and entered again later, ``with arg_scope(sc):``,
which is how slim's model files hand a whole configuration around (``vgg_arg_scope()``).

A default given by a scope is passed as a *keyword* argument: a call that passes the same argument by position
gets Python's "got multiple values for argument" TypeError, as in TF — pass such arguments by keyword. A scope
does not check its arguments: a name the function does not take fails only when the function is called.
"""
import contextlib
import functools
import inspect
import types

from .config import device as device_scope
from .contrib_checkpoint_assign import assign_from_checkpoint, assign_from_checkpoint_fn
from .core import GraphKeys, get_collection
from .nest import contrib_nest
from .train.init_from_checkpoint import init_from_checkpoint
from .train.saver import list_variables, load_checkpoint, load_variable
from .train.schedules import get_global_step, get_or_create_global_step
from .variable_scope import VariableScope, get_variable

# the stack of scopes: the innermost last; the bottom one (no defaults) is never popped
_ARG_STACK = [{}]
# every decorated function -> the names of its arguments that have a default (what a scope may set)
_DECORATED = {}


def _key(func):
    """The key of ``func`` in a scope's dict: the undecorated function, so that the decorated one and the plain
    one name the same entry."""
    return getattr(func, "_arg_scope_key", func)


def current_arg_scope():
    """The innermost scope: a dict {function: {argument: default}} (empty outside every ``arg_scope``)."""
    return _ARG_STACK[-1]


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """Within the ``with`` block, the functions of ``list_ops_or_scope`` (a list or tuple, each decorated with
    ``add_arg_scope``) take ``kwargs`` as their defaults, merged over those of the enclosing scopes; or, given a
    dict yielded by an earlier ``arg_scope``, that scope again (then ``kwargs`` must be empty). Yields the new
    scope's dict."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, kwargs must be empty.")
        scope = dict(list_ops_or_scope)
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope (i.e. dict)")
        scope = dict(current_arg_scope())
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                raise ValueError(f"{op.__module__}.{op.__name__} is not decorated with @add_arg_scope")
            # a new dict for the function: the enclosing scope's entry must stay as it was after this one ends
            scope[_key(op)] = {**scope.get(_key(op), {}), **kwargs}
    _ARG_STACK.append(scope)
    try:
        yield scope
    finally:
        _ARG_STACK.pop()


def add_arg_scope(func):
    """``func`` wrapped so that ``arg_scope`` can set its defaults: a call's keyword arguments override those of
    the innermost scope that names ``func``."""
    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        defaults = current_arg_scope().get(_key(func), {})
        return func(*args, **{**defaults, **kwargs})

    _DECORATED[_key(func)] = tuple(name for name, parameter in inspect.signature(func).parameters.items()
                                   if parameter.default is not inspect.Parameter.empty)
    func_with_args._arg_scope_key = _key(func)
    return func_with_args


def has_arg_scope(func):
    """Whether ``func`` (decorated or not) was decorated with ``add_arg_scope``."""
    return _key(func) in _DECORATED


def arg_scoped_arguments(func):
    """The names of the arguments of a decorated ``func`` that a scope may set: those with a default."""
    if not has_arg_scope(func):
        raise ValueError(f"{func.__name__} is not decorated with @add_arg_scope")
    return list(_DECORATED[_key(func)])


# ================================================================================================ variables

@add_arg_scope
def variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True, collections=None,
             device=None):
    """``tf.get_variable`` placed on ``device`` (if given), joining ``collections`` (default: GLOBAL_VARIABLES;
    the trainable ones join TRAINABLE_VARIABLES as well). Arg-scoped, so that a scope can set, say, the device
    of all variables."""
    collections = list(dict.fromkeys(collections if collections is not None else [GraphKeys.GLOBAL_VARIABLES]))
    with device_scope(device or ""):
        return get_variable(name, shape, dtype, initializer, regularizer, trainable, collections)


@add_arg_scope
def model_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                   collections=None, device=None):
    """``variable`` that also joins MODEL_VARIABLES: a parameter of the model (what a checkpoint of the model
    holds), as opposed to the training's own variables (the global step, an optimizer's slots)."""
    collections = list(collections or []) + [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(name, shape, dtype, initializer, regularizer, trainable, collections, device)


def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES):
    """The variables of ``collection`` whose name starts with ``scope`` (a name, a regular expression matched at
    the start, or a VariableScope) and, if ``suffix`` is given, continues with it somewhere later
    (``get_variables("conv1", "weights")``: ``conv1/.../weights:0``)."""
    if isinstance(scope, VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"  # "weights" must end the name: conv1/weights:0, not conv1/weights_1:0
        scope = (scope or "") + ".*" + suffix
    return get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None):
    """``get_variables`` over MODEL_VARIABLES."""
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None):
    """``get_variables`` over TRAINABLE_VARIABLES."""
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_to_restore(include=None, exclude=None):
    """The global variables under the scopes of ``include`` (a list; default: all of them) but under none of
    ``exclude``'s: what a ``tf.train.Saver`` should restore to fine-tune a pre-trained model whose last layers
    are replaced (``exclude=["fc8"]``)."""
    for what, scopes in (("include", include), ("exclude", exclude)):
        if scopes is not None and not isinstance(scopes, (list, tuple)):
            raise TypeError(f"{what} is provided but is not a list or a tuple.")
    included = get_variables() if include is None else [v for scope in include for v in get_variables(scope)]
    excluded = {v for scope in exclude or [] for v in get_variables(scope)}
    return [v for v in included if v not in excluded]


framework = types.SimpleNamespace(
    arg_scope=arg_scope, add_arg_scope=add_arg_scope, current_arg_scope=current_arg_scope,
    has_arg_scope=has_arg_scope, arg_scoped_arguments=arg_scoped_arguments, variable=variable,
    model_variable=model_variable, get_variables=get_variables, get_model_variables=get_model_variables,
    get_trainable_variables=get_trainable_variables, get_variables_to_restore=get_variables_to_restore,
    get_global_step=get_global_step, get_or_create_global_step=get_or_create_global_step,
    list_variables=list_variables, load_checkpoint=load_checkpoint, load_variable=load_variable,
    init_from_checkpoint=init_from_checkpoint, assign_from_checkpoint=assign_from_checkpoint,
    assign_from_checkpoint_fn=assign_from_checkpoint_fn,
    nest=contrib_nest)  # tf.contrib.framework.nest: tf.nest with TF 1.x's older names (nest.py)
