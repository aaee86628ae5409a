"""``tf.nest``: working with *nests* — values built of lists, tuples, namedtuples and dicts around leaves.

Control flow, ``tf.data`` and the RNN cells pass such structures in and out (a loop's state may be
``(h, {"c": c, "step": n})``); ``tf.nest`` is the public face of the helpers they share (function_graph.py)::

    tf.nest.flatten((a, {"y": b, "x": c}))            # [a, c, b]: dict values in *sorted key* order
    tf.nest.pack_sequence_as((0, {"y": 0, "x": 0}), [1, 2, 3])   # (1, {"y": 3, "x": 2})
    tf.nest.map_structure(lambda u, v: u + v, (1, [2]), (10, [20]))   # (11, [22])

A leaf is anything that is not a list, tuple or dict: a tensor, a number, a string, None, a numpy array, a
``TensorShape`` (a tuple to Python, a single value to TF), a set. ``flatten`` of a leaf is ``[leaf]``.

``tf.contrib.framework.nest`` is the same module under TF 1.x's older names (``is_sequence``, ``flatten_up_to``).
``expand_composites`` is accepted everywhere and changes nothing: a ``tf.SparseTensor`` stays one leaf (TF would
expand it into its three tensors), and minidl has no RaggedTensor.
"""
import types

from .function_graph import check_same_structure, flatten as _flatten, flatten_up_to, is_sequence, pack


def is_nested(seq):
    """Whether ``seq`` is a list, tuple (namedtuples too) or dict — something ``flatten`` looks inside."""
    return is_sequence(seq)


def flatten(structure, expand_composites=False):
    """The leaves of ``structure`` as a list, depth first; dicts give their values in sorted key order."""
    return _flatten(structure)


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raise unless ``nest1`` and ``nest2`` are nested the same way (their leaves may differ).

    ValueError: a different number of leaves, a sequence where the other has a leaf, a different length, dicts
    with different keys. TypeError (only with ``check_types``): sequences of different types, such as a list
    against a tuple — any two dicts, and two namedtuples with the same name and fields, count as one type."""
    count1, count2 = len(_flatten(nest1)), len(_flatten(nest2))
    if count1 != count2:
        raise ValueError(f"The two structures don't have the same number of elements.\n\nFirst structure "
                         f"({count1} elements): {nest1!r}\n\nSecond structure ({count2} elements): {nest2!r}")
    check_same_structure(nest1, nest2, check_types)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """A nest shaped like ``structure`` holding the entries of the list ``flat_sequence`` as its leaves, in
    ``flatten``'s order: the inverse of ``flatten``. Each sequence keeps its type (a namedtuple stays one, and a
    dict keeps its own key order though it is filled in sorted key order)."""
    if not is_sequence(flat_sequence):
        raise TypeError(f"pack_sequence_as: flat_sequence must be a list or tuple, got {type(flat_sequence).__name__}")
    if not is_sequence(structure):
        if len(flat_sequence) != 1:
            raise ValueError(f"Structure is a scalar but len(flat_sequence) == {len(flat_sequence)} > 1")
        return flat_sequence[0]
    needed = len(_flatten(structure))
    if len(flat_sequence) != needed:
        raise ValueError(f"Could not pack sequence. Structure had {needed} elements, but flat_sequence had "
                         f"{len(flat_sequence)} elements.  Structure: {structure!r}, flat_sequence: "
                         f"{flat_sequence!r}.")
    return pack(structure, list(flat_sequence))


def map_structure(func, *structure, **kwargs):
    """``func`` applied to the leaves at each position of the ``structure``s (which must be nested alike, see
    ``assert_same_structure``; keyword ``check_types=False`` lets lists match tuples), in a nest shaped like the
    first: ``map_structure(f, (a, [b]), (c, [d]))`` is ``(f(a, c), [f(b, d)])``."""
    if not callable(func):
        raise TypeError(f"map_structure: func must be callable, got: {func!r}")
    if not structure:
        raise ValueError("map_structure: must provide at least one structure")
    check_types = kwargs.pop("check_types", True)
    kwargs.pop("expand_composites", None)
    if kwargs:
        raise ValueError(f"map_structure: the only valid keyword arguments are `check_types` and "
                         f"`expand_composites`, not: `{'`, `'.join(kwargs)}`")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    leaves = zip(*(_flatten(s) for s in structure))
    return pack_sequence_as(structure[0], [func(*args) for args in leaves])


# tf.nest, and TF 1.x's tf.contrib.framework.nest (the same functions, ``is_nested`` also under its older name)
nest = types.SimpleNamespace(flatten=flatten, pack_sequence_as=pack_sequence_as, map_structure=map_structure,
                             assert_same_structure=assert_same_structure, is_nested=is_nested)
contrib_nest = types.SimpleNamespace(**vars(nest), is_sequence=is_nested, flatten_up_to=flatten_up_to)

__all__ = ["nest"]
