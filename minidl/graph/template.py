"""``tf.make_template``: wrap a function so that its first call creates the variables and every later call shares them.

Sharing weights with ``variable_scope`` alone means remembering ``reuse=True`` at every call but the first. A template
remembers for you::

    def dense(x, units):
        w = tf.get_variable("w", [x.shape[1], units])
        return tf.matmul(x, w)

    layer = tf.make_template("layer", dense, units=10)   # extra keyword arguments are bound into the function
    train_out = layer(train_x)                            # creates layer/w
    test_out = layer(test_x)                              # the same layer/w

The first call opens a variable scope named ``name_`` (made unique, as ``variable_scope(None, default_name=name_)``
does: a second template called "layer" gets ``layer_1``) and keeps that ``VariableScope``; every later call re-enters
it with ``reuse=True``, so each ``get_variable`` inside finds the variable the first call made. The sharing itself
is ``variable_scope.py``'s; this module only decides which scope, and when.

What the function may do: create its variables with ``get_variable`` only, and use the same names on every call.
A trainable ``tf.Variable`` made on a later call would be a new, unshared variable — almost certainly a mistake —
so the template raises TF's ValueError then ("Trainable variable created when calling a template after the first
time"); a non-trainable one is allowed. The first call counts as the one that creates, even if it created nothing:
a later ``get_variable`` of a new name is ``variable_scope``'s "does not exist" error under ``reuse=True``.

``create_scope_now_=True`` fixes the scope when the template is made rather than where it is first called. Each
call opens a fresh *name* scope for its ops (``layer/``, then ``layer_1/`` ...), as re-entering a variable scope does.

TF 1.15's ``tensorflow/python/ops/template.py`` and its tests (``template_test.py``) are the reference for these
rules and names.
"""
import functools

from .core import GraphKeys, get_collection
from .variable_scope import variable_scope


class Template:
    """A function that creates variables the first time it is called and reuses them afterwards (see the module
    docstring). ``variable_scope`` is None until the scope exists (the first call, or construction with
    ``create_scope_now``)."""

    def __init__(self, name, func, create_scope_now=False, unique_name=None, custom_getter=None):
        if name is None:
            raise ValueError("name cannot be None.")
        self._name, self._func, self._unique_name = name, func, unique_name
        self._custom_getter = custom_getter  # (the scope keeps it: re-entering the scope brings it back)
        self._variable_scope = None
        self._variables_created = False  # whether the first call has happened (not whether it made variables)
        if create_scope_now:
            # opening the scope without its name scope reserves the unique variable-scope name; the ops of the
            # first call then get that name as their name scope too
            with variable_scope(unique_name, default_name=name, auxiliary_name_scope=False,
                                custom_getter=custom_getter) as scope:
                self._variable_scope = scope

    def __call__(self, *args, **kwargs):
        if self._variable_scope is None:
            with variable_scope(self._unique_name, default_name=self._name,
                                custom_getter=self._custom_getter) as scope:
                self._variable_scope = scope
                return self._first_call(args, kwargs)
        if not self._variables_created:  # the scope was made with the template: this is still the first call
            with variable_scope(self._variable_scope):
                return self._first_call(args, kwargs)
        trainable_before = len(get_collection(GraphKeys.TRAINABLE_VARIABLES))
        with variable_scope(self._variable_scope, reuse=True):
            result = self._func(*args, **kwargs)
        created = get_collection(GraphKeys.TRAINABLE_VARIABLES)[trainable_before:]
        if created:
            raise ValueError("Trainable variable created when calling a template after the first time, perhaps you "
                             f"used tf.Variable when you meant tf.get_variable: {created}")
        return result

    def _first_call(self, args, kwargs):
        result = self._func(*args, **kwargs)
        self._variables_created = True  # only after success: a call that raised may be retried as the first
        return result

    @property
    def name(self):
        """The ``name_`` the template was given (its scope's name may have a ``_N`` added)."""
        return self._name

    @property
    def func(self):
        """The wrapped function, with the template's keyword arguments bound."""
        return self._func

    @property
    def variable_scope(self):
        return self._variable_scope

    @property
    def variable_scope_name(self):
        """The scope's full name with a trailing "/" (so that ``s1/`` does not also match ``s1_1/...``)."""
        if self._variable_scope is None:
            return None
        name = self._variable_scope.name
        return name if name.endswith("/") else name + "/"

    def _collection(self, key):
        """The variables of collection ``key`` under the template's scope (none before the first call)."""
        return get_collection(key, self.variable_scope_name) if self._variables_created else []

    @property
    def global_variables(self):
        return self._collection(GraphKeys.GLOBAL_VARIABLES)

    @property
    def variables(self):
        """The template's global variables, as TF's ``Template.variables`` lists them."""
        return self.global_variables

    @property
    def trainable_variables(self):
        return self._collection(GraphKeys.TRAINABLE_VARIABLES)

    @property
    def non_trainable_variables(self):
        trainable = set(self.trainable_variables)
        return [v for v in self.global_variables if v not in trainable]

    @property
    def local_variables(self):
        return self._collection(GraphKeys.LOCAL_VARIABLES)

    def __repr__(self):
        return f"<Template '{self._name}' scope={self.variable_scope_name!r}>"


def make_template(name_, func_, create_scope_now_=False, unique_name_=None, custom_getter_=None, **kwargs):
    """``func_`` (with ``kwargs`` bound) as a ``Template``: variables made by ``get_variable`` on its first call, in a
    variable scope named ``name_`` made unique, are shared by all later calls (module docstring).

    ``create_scope_now_``: fix the scope now rather than at the first call. ``unique_name_``: the scope's name, used
    as given (not made unique): a second template with the same one and no ``reuse`` is get_variable's "already
    exists" error. ``custom_getter_``: the custom getter of the template's scope (``variable_scope``). The trailing
    underscores keep these names apart from ``func_``'s own keyword arguments, as in TF.
    """
    if kwargs:
        func_ = functools.partial(func_, **kwargs)
    return Template(name_, func_, create_scope_now=create_scope_now_, unique_name=unique_name_,
                    custom_getter=custom_getter_)


__all__ = ["make_template", "Template"]
