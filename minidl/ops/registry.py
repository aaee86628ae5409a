"""Op classes by name: how a saved program (a meta graph, a traced module) names the op of each step, and finds it
again without importing or running anything from the file.

A name is ``module:qualname`` (``minidl.ops.linalg:MatMul``); an op made for a number of outputs
(``Op.with_outputs``) is ``Name[n]``, found through its base class. Only classes that minidl defines once
qualify: a class made afresh at each call has no name that finds it again.
"""
from .base import Op

__all__ = ["op_class", "op_class_key", "op_classes"]


def op_class_key(cls):
    return f"{cls.__module__}:{cls.__qualname__}"


def op_class(classes, key):
    """The op class ``key`` names: one of ``classes`` (``op_classes()``), or ``Name[n]``, that op with n outputs;
    None if none."""
    base, bracket, count = key.partition("[")
    if not bracket:
        return classes.get(key)
    cls = classes.get(base)
    if cls is None or not count[:-1].isdigit() or not count.endswith("]"):
        return None
    return cls.with_outputs(int(count[:-1]))


def op_classes():
    """Every op class minidl defines, by ``module:qualname``: the only classes a saved program may name."""
    classes, stack = {}, [Op]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            key = op_class_key(sub)
            if key.endswith("]"):  # an op for a number of outputs: found by its base class (``op_class``)
                continue
            # a key seen twice (classes made in a loop) names no one class: leave it out
            classes[key] = None if key in classes and classes[key] is not sub else sub
            stack.append(sub)
    return classes
