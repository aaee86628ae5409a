"""``variable_scope`` and ``get_variable``: sharing variables by name.

``tf.Variable`` always makes a new variable. ``get_variable(name, shape)`` instead looks the variable up by its
*full name* — the names of the enclosing variable scopes plus ``name``, e.g. ``"layer1/weights"`` — so a function
that builds a layer can be called twice and use the same weights the second time::

    def dense(x, n):
        w = tf.get_variable("w", [x.shape[1], n])      # layer/w
        return tf.matmul(x, w)

    with tf.variable_scope("layer"):
        train_out = dense(train_x, 10)                # creates layer/w
    with tf.variable_scope("layer", reuse=True):
        test_out = dense(test_x, 10)                  # the same layer/w

Creating a name that exists, or reusing one that does not, is almost always a bug, so both raise — unless the
scope says ``reuse=tf.AUTO_REUSE`` (create the first time, reuse afterwards). ``reuse`` is inherited by nested
scopes, and once on it cannot be switched off inside (``reuse=False`` means "inherit", as in TF).

A variable scope also opens a name scope for the ops inside, but variable names ignore name scopes: a variable
created by ``get_variable`` is always named ``scope/name``. Re-entering a variable scope by name opens a fresh
name scope (``layer_1/``) for the ops while ``get_variable`` still finds ``layer/w``.
"""
import collections
import contextlib
import enum
import functools
import numbers
import weakref

from ..backend import dtypes
from .core import GraphKeys, TensorShape, get_default_graph
from .dtypes import as_dtype
from .initializers import GlorotUniform, Zeros
from .variables import Variable


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE
"""``reuse=AUTO_REUSE``: ``get_variable`` creates the variable if it does not exist, and returns it if it does."""


class VariableSynchronization(enum.Enum):
    """How a variable's copies on several devices are kept in step (``get_variable(synchronization=...)``): TF's
    values, accepted; minidl keeps one copy, so none changes anything."""
    AUTO, NONE, ON_WRITE, ON_READ = 0, 1, 2, 3


class VariableAggregation(enum.Enum):
    """How the updates of a variable's copies combine (``get_variable(aggregation=...)``): TF's values, accepted
    and without effect here, as ``VariableSynchronization``'s."""
    NONE, SUM, MEAN, ONLY_FIRST_REPLICA = 0, 1, 2, 3
    ONLY_FIRST_TOWER = 3  # (TF 1's older name of ONLY_FIRST_REPLICA)

# Graph -> Counter of the full variable-scope names opened so far (for unique default names: dense, dense_1 ...)
_scopes_opened = weakref.WeakKeyDictionary()


class VariableScope:
    """A variable scope: its full ``name``, ``reuse`` mode, default ``initializer``, ``regularizer``, ``dtype`` and
    ``constraint`` for ``get_variable``, and ``original_name_scope``, the name scope opened when it was first
    entered."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, dtype=dtypes.float32, name_scope="",
                 custom_getter=None, constraint=None):
        self.name = name
        self.reuse = reuse
        self.initializer = initializer
        self.regularizer = regularizer
        self.dtype = as_dtype(dtype)  # a tf.DType
        self.original_name_scope = name_scope
        self.custom_getter = custom_getter
        self.constraint = constraint

    def reuse_variables(self):
        """From now on, ``get_variable`` in this scope (and scopes opened inside it) returns existing variables."""
        self.reuse = True

    def set_initializer(self, initializer):
        self.initializer = initializer

    def set_regularizer(self, regularizer):
        self.regularizer = regularizer

    def set_dtype(self, dtype):
        self.dtype = as_dtype(dtype)  # a tf.DType

    def get_collection(self, name):
        """The members of the default graph's collection ``name`` made inside this scope: a GAN's
        ``scope.trainable_variables()`` picks the generator's variables so."""
        return get_default_graph().get_collection(name, self.name + "/" if self.name else None)

    def global_variables(self):
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def trainable_variables(self):
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def local_variables(self):
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    #: what TF's variable scopes also carry, fixed here: minidl's variables are one kind, on one device, unsliced
    use_resource, caching_device, partitioner = None, None, None

    def __repr__(self):
        return f"<VariableScope '{self.name}' reuse={self.reuse}>"


def get_variable_scope():
    """The current variable scope (the graph's root scope, named "", outside any ``variable_scope``)."""
    stack = get_default_graph()._variable_scope_stack
    if not stack:
        stack.append(VariableScope(False))
    return stack[-1]


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None, regularizer=None,
                   caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
                   use_resource=None, constraint=None, auxiliary_name_scope=True):
    """Open a variable scope (and a name scope) and yield its ``VariableScope``.

    ``name_or_scope``: a name (nested under the current variable scope), or a captured ``VariableScope`` to
    re-enter; ``None`` uses ``default_name``, made unique (``dense``, ``dense_1`` ...). ``initializer``,
    ``regularizer``, ``dtype`` and ``constraint`` become the defaults of ``get_variable`` inside, and are inherited
    by nested scopes, as is ``reuse``. ``custom_getter(getter, name, *args, **kwargs)`` is called by every
    ``get_variable`` inside instead of making or fetching the variable itself (``getter`` does that): it may change
    the arguments or return something else (an exponential moving average, a float16 cast). A nested scope's getter
    wraps the enclosing one's. (``caching_device`` and ``use_resource`` are accepted and have no effect;
    partitioners are not supported.)
    """
    if partitioner is not None:
        raise NotImplementedError("variable_scope: partitioner is not supported")
    if name_or_scope is None and default_name is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if name_or_scope is None and reuse is True:
        raise ValueError("reuse=True cannot be used without a name_or_scope")
    graph = get_default_graph()
    parent = get_variable_scope()
    opened = _scopes_opened.setdefault(graph, collections.Counter())
    if isinstance(name_or_scope, VariableScope):
        full_name, short = name_or_scope.name, name_or_scope.name.split("/")[-1]
        reuse = reuse or name_or_scope.reuse
        inherited, original_name_scope = name_or_scope, name_or_scope.original_name_scope
    else:
        short = name_or_scope if name_or_scope is not None else _unique_scope_name(parent, default_name, opened)
        full_name = f"{parent.name}/{short}" if parent.name else short
        reuse = reuse or parent.reuse
        inherited, original_name_scope = parent, None
    opened[full_name] += 1
    if name_or_scope is not None:
        # entering a named scope restarts the default names inside it (as TF does), so building the same
        # unnamed layers again under ``reuse=True`` finds ``model/dense/...`` rather than ``model/dense_2/...``
        for key in [k for k in opened if k.startswith(full_name + "/")]:
            del opened[key]
    name_scope = graph.name_scope(short) if auxiliary_name_scope else contextlib.nullcontext(
        graph.get_name_scope() + "/" if graph.get_name_scope() else "")
    with name_scope as scope_name:
        scope = VariableScope(reuse, full_name, inherited.initializer if initializer is None else initializer,
                              inherited.regularizer if regularizer is None else regularizer,
                              inherited.dtype if dtype is None else dtype, original_name_scope or scope_name,
                              _wrapped_getter(inherited.custom_getter, custom_getter),
                              inherited.constraint if constraint is None else constraint)
        graph._variable_scope_stack.append(scope)
        try:
            yield scope
        finally:
            graph._variable_scope_stack.pop()


@contextlib.contextmanager
def layer_scope(name, default_name, reuse=None):
    """The variable scope a ``tf.layers`` function builds in: ``name`` (None: ``default_name`` made unique). A
    captured ``VariableScope`` given as the name is re-entered *with its original name scope*, as TF1's layers
    re-enter a scope handed to them: contrib's ``batch_norm`` opens ``BatchNorm`` and builds the layer in it, and
    the ops are ``BatchNorm/...``, not ``BatchNorm/BatchNorm/...``."""
    if not isinstance(name, VariableScope):
        with variable_scope(name, default_name=default_name, reuse=reuse) as scope:
            yield scope
        return
    with variable_scope(name, reuse=reuse, auxiliary_name_scope=False) as scope, \
            get_default_graph().name_scope(name.original_name_scope):
        yield scope


def _unique_scope_name(parent, prefix, opened):
    """``prefix``, or ``prefix_1``, ``prefix_2`` ... whichever has not been opened under ``parent`` yet."""
    base = f"{parent.name}/{prefix}" if parent.name else prefix
    if not opened[base]:
        return prefix
    i = 1
    while opened[f"{base}_{i}"]:
        i += 1
    return f"{prefix}_{i}"


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True, use_resource=None,
                 custom_getter=None, constraint=None, synchronization=None, aggregation=None):
    """The variable ``<current variable scope>/name``: created, or (under ``reuse``) the existing one.

    ``initializer``: an initializer (called with the shape and dtype; default: the scope's, else
    ``glorot_uniform_initializer`` for floats and zeros for integers and bools), or a tensor/array (then its shape
    is the variable's, and ``shape`` must be None). ``dtype`` defaults to the scope's (float32).
    ``regularizer(variable)`` (default: the scope's), if given, makes a penalty tensor, added to the
    REGULARIZATION_LOSSES collection when the variable is created. ``shape`` may be an int (a 1-D shape).
    ``constraint`` (default: the scope's) is the variable's (``tf.Variable``): ``tf.train`` optimizers put
    ``constraint(variable)`` into it after each update. ``custom_getter`` (and the scopes', ``variable_scope``) is
    called as ``custom_getter(getter, full_name, shape=..., dtype=..., ...)``. ``caching_device``,
    ``use_resource``, ``synchronization`` and ``aggregation`` have no effect; partitioners are not supported.
    """
    if partitioner is not None:
        raise NotImplementedError("get_variable: partitioner is not supported")
    if isinstance(shape, numbers.Integral):
        shape = [int(shape)]  # TF reads a number as the shape of a vector
    scope = get_variable_scope()
    full_name = f"{scope.name}/{name}" if scope.name else name
    getter = _wrapped_getter(scope.custom_getter, custom_getter)
    arguments = dict(shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer, trainable=trainable,
                     collections=collections, caching_device=caching_device, partitioner=partitioner,
                     validate_shape=validate_shape, use_resource=use_resource, constraint=constraint,
                     synchronization=synchronization, aggregation=aggregation)
    if getter is None:
        return _get_or_create(scope, full_name, **arguments)
    return getter(functools.partial(_get_or_create, scope), full_name, **arguments)


def _wrapped_getter(outer, inner):
    """The custom getter of a scope with getter ``inner`` inside one with ``outer``: ``inner`` is called with a
    getter that goes through ``outer`` (TF's composition); either alone if the other is None."""
    if outer is None or inner is None:
        return inner if outer is None else outer

    def composed(getter, name, *args, **kwargs):
        return inner(lambda *a, **k: outer(getter, *a, **k), name, *args, **kwargs)
    return composed


def _get_or_create(scope, full_name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                   collections=None, validate_shape=True, constraint=None, **ignored):
    """The variable ``full_name`` of ``scope``: the existing one, or a new one (``get_variable``)."""
    graph = get_default_graph()
    explicit_dtype = dtype is not None
    dtype = dtypes.as_dtype(dtype) if explicit_dtype else scope.dtype
    existing = graph._variable_store.get(full_name)
    if existing is not None:
        if not scope.reuse:
            site = existing.op.defined_at
            raise ValueError(f"Variable {full_name} already exists, disallowed. Did you mean to set reuse=True or "
                             "reuse=tf.AUTO_REUSE in VarScope?" +
                             (f" Originally defined at:\n\n{site.describe()}" if site is not None else ""))
        if shape is not None and not TensorShape(shape).is_compatible_with(existing.shape):
            raise ValueError(f"Trying to share variable {full_name}, but specified shape {TensorShape(shape)} and "
                             f"found shape {existing.shape}.")
        if explicit_dtype and dtype != existing.dtype:
            raise ValueError(f"Trying to share variable {full_name}, but specified dtype {dtype.name} and found dtype "
                             f"{existing.dtype.name}.")
        return existing
    if scope.reuse is True:
        raise ValueError(f"Variable {full_name} does not exist, or was not created with tf.get_variable(). Did you "
                         "mean to set reuse=tf.AUTO_REUSE in VarScope?")

    initializer = initializer if initializer is not None else scope.initializer
    if initializer is None:
        if dtypes.is_differentiable(dtype):
            initializer = GlorotUniform()
        elif dtype.kind in "biu":
            initializer = Zeros()
        else:
            raise ValueError(f"An initializer for variable {full_name} of {dtype.name} is required")
    if isinstance(initializer, type):
        initializer = initializer(dtype=dtype)
    if callable(initializer):
        shape = TensorShape(shape)
        if not shape.is_fully_defined():
            raise ValueError(f"Shape of a new variable ({full_name}) must be fully defined, but instead was {shape}.")
        initial_value = lambda: initializer(shape.as_list(), dtype=dtype, partition_info=None)  # noqa: E731
        value_dtype = dtype
    else:
        if shape is not None:
            raise ValueError("If initializer is a constant, do not specify shape.")
        initial_value, value_dtype = initializer, (dtype if explicit_dtype else None)
    constraint = constraint if constraint is not None else scope.constraint
    variable = Variable(initial_value, trainable=True if trainable is None else trainable, collections=collections,
                        validate_shape=validate_shape, name=full_name, dtype=value_dtype, constraint=constraint,
                        _exact_name=True)
    graph._variable_store[full_name] = variable
    regularizer = regularizer if regularizer is not None else scope.regularizer
    penalty = None
    if regularizer is not None:
        with graph.name_scope(f"{full_name}/Regularizer/"):  # TF's name for it, which get_regularization_losses(
            penalty = regularizer(variable)                   # scope=...) matches against
    if penalty is not None:
        graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, penalty)
    return variable


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=False,
                       collections=None, **options):
    """``get_variable`` for a *local* variable: per-session bookkeeping (a counter, a metric's running total) that
    is never trained nor saved. It joins LOCAL_VARIABLES (and the given ``collections``) instead of
    GLOBAL_VARIABLES, and is never trainable — ``trainable`` is accepted and ignored, as in TF. Initialize it
    with ``tf.local_variables_initializer()``. ``options`` are ``get_variable``'s other keyword arguments."""
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                        trainable=False, collections=collections, **options)


def no_regularizer(_):
    """A regularizer that gives no penalty: ``get_variable(..., regularizer=tf.no_regularizer)`` exempts a variable
    from its scope's regularizer."""
    return None
