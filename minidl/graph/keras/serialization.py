"""Keras objects as configurations — plain data that ``json.dumps`` writes — and back, as TF 1.15's
``serialize_keras_object`` / ``deserialize_keras_object`` do it:

- an object with a configuration (an initializer, a regularizer, a constraint, a layer, a model) is
  ``{"class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float32"}}``: its class's name and what
  ``get_config()`` says, from which the class's ``from_config`` (or the class itself, given the config as keyword
  arguments) makes a twin;
- a function (an activation) is its name: ``"relu"``.

Going back, a name is looked up among the ``custom_objects`` given, then the registered custom names
(``lookup.custom_object_scope``), then the module's own. Nothing here runs code from the data: a name can only
select an object that the program already has.
"""
import inspect

from .lookup import by_name, custom_object_scope


def serialize_keras_object(instance):
    """``{"class_name": ..., "config": instance.get_config()}``, a function's name, or None for None."""
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        return {"class_name": type(instance).__name__, "config": instance.get_config()}
    if hasattr(instance, "__name__"):
        return instance.__name__
    raise ValueError(f"Cannot serialize {instance!r}: it has no get_config method and no name")


def deserialize_keras_object(identifier, module_objects, custom_objects=None, what="object",
                             other_forms="the object itself"):
    """The object a configuration describes: ``{"class_name", "config"}`` made by the class's ``from_config``
    (given ``custom_objects`` when it takes them) inside a scope where ``custom_objects`` are registered, so that
    the names inside the config are found too; a name, the object of that name. ``module_objects``: the names the
    module knows, by name; ``other_forms``: what else the caller takes (for the error of an unknown name)."""
    table = dict(module_objects, **(custom_objects or {}))
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(f"Improper config format for a serialized {what}: expected a dict with 'class_name' and "
                             f"'config', got {identifier!r}")
        cls = by_name(identifier["class_name"], table, what, other_forms)
        config = identifier["config"]
        with custom_object_scope(custom_objects):
            if hasattr(cls, "from_config"):
                if "custom_objects" in inspect.signature(cls.from_config).parameters:
                    return cls.from_config(config, custom_objects=custom_objects)
                return cls.from_config(config)
            return cls(**config)
    if isinstance(identifier, str):
        return by_name(identifier, table, what, other_forms)
    raise ValueError(f"Could not interpret serialized {what}: {identifier!r}")


def json_value(value):
    """What ``json.dumps`` cannot write itself, as plain data (its ``default=``): numpy numbers and arrays, shapes
    and dtypes. Anything else — a function without a name, an object without a config — is refused: minidl stores
    no code."""
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if hasattr(value, "as_list"):  # a TensorShape
        return value.as_list()
    if hasattr(value, "as_numpy_dtype"):  # a DType
        return value.name
    raise TypeError(f"Not JSON serializable: {value!r}. A configuration holds names and numbers; code (a lambda, an "
                    f"unnamed function) cannot be stored: use a named function, given back through custom_objects")
