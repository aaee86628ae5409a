"""The name lookup behind every ``get`` of tf.keras (``activation="relu"``, ``loss="mse"`` ...), and the custom
objects that extend it.

A name that is not Keras' own — a function or class of one's own, named in a saved configuration — is found when it
is registered: ``custom_object_scope({"my_act": my_act})`` for a ``with`` block (what ``from_config`` and
``model_from_json`` set up around their work with their ``custom_objects``), or ``get_custom_objects()["my_act"] =
my_act`` for good. Registered names win over Keras' own, as in TF.
"""
import contextlib

_CUSTOM_OBJECTS = {}  # name -> object: the registered names (``get_custom_objects``), scopes included


def get_custom_objects():
    """The registry of custom names (a dict: add to it to register a name for good)."""
    return _CUSTOM_OBJECTS


@contextlib.contextmanager
def custom_object_scope(*scopes):
    """Register the names of the dicts ``scopes`` for the ``with`` block; what was there before comes back after."""
    before = dict(_CUSTOM_OBJECTS)
    for objects in scopes:
        _CUSTOM_OBJECTS.update(objects or {})
    try:
        yield _CUSTOM_OBJECTS
    finally:
        _CUSTOM_OBJECTS.clear()
        _CUSTOM_OBJECTS.update(before)


CustomObjectScope = custom_object_scope  # TF's class name for the same context manager


def by_name(identifier, table, what, other_forms):
    """``identifier``'s object: a registered custom name, else ``table[identifier]``, else a ValueError naming the
    known names and ``other_forms``."""
    if isinstance(identifier, str):
        if identifier in _CUSTOM_OBJECTS:
            return _CUSTOM_OBJECTS[identifier]
        if identifier in table:
            return table[identifier]
    raise ValueError(f"Unknown {what}: {identifier!r} (known: {', '.join(sorted(table))}, or {other_forms}; a name "
                     f"of your own needs custom_objects)")
