"""Pytrees: values nested in tuples, lists and dicts, taken apart into a flat list of leaves and put back together.

The function transforms accept such nests wherever PyTorch's do — a dict of parameters, a tuple ``(inputs,
targets)`` — and do their work on the flat list of leaves::

    leaves, spec = tree_flatten({"w": w, "b": (b1, b2)})    # leaves == [w, b1, b2]
    tree_unflatten([gw, gb1, gb2], spec)                   # {"w": gw, "b": (gb1, gb2)}

Tuples (named tuples too), lists and dicts are containers; anything else — a tensor, a number, None — is a leaf.
Dicts keep their insertion order.
"""


class TreeSpec:
    """The shape of a pytree without its leaves: the container's type, its keys (dicts only) and one spec per
    child. A leaf's spec has type None. Two trees have the same structure when their specs are equal."""
    __slots__ = ("type", "keys", "children")

    def __init__(self, type=None, keys=None, children=()):
        self.type, self.keys, self.children = type, keys, children

    @property
    def num_leaves(self):
        return 1 if self.type is None else sum(child.num_leaves for child in self.children)

    def __eq__(self, other):
        return (isinstance(other, TreeSpec) and self.type is other.type and self.keys == other.keys
                and self.children == other.children)

    def __repr__(self):
        """``*`` for a leaf, then Python's own notation: ``(*, {'s': *})``."""
        if self.type is None:
            return "*"
        if self.keys is not None:
            return "{" + ", ".join(f"{key!r}: {child}" for key, child in zip(self.keys, self.children)) + "}"
        inner = ", ".join(map(repr, self.children))
        if self.type is list:
            return f"[{inner}]"
        if len(self.children) == 1 and self.type is tuple:
            inner += ","
        return f"{'' if self.type is tuple else self.type.__name__}({inner})"


def _children(tree):
    """(keys, children) of a container, or None for a leaf."""
    if isinstance(tree, dict):
        return list(tree), list(tree.values())
    if isinstance(tree, (tuple, list)):
        return None, list(tree)
    return None


def tree_flatten(tree):
    """``(leaves, spec)``: the leaves in depth-first order, and the structure to rebuild the tree from them."""
    parts = _children(tree)
    if parts is None:
        return [tree], TreeSpec()
    keys, children = parts
    leaves, specs = [], []
    for child in children:
        child_leaves, child_spec = tree_flatten(child)
        leaves += child_leaves
        specs.append(child_spec)
    return leaves, TreeSpec(type(tree), keys, tuple(specs))


def tree_unflatten(leaves, spec):
    """The tree of structure ``spec`` holding ``leaves`` (in the order ``tree_flatten`` lists them)."""
    leaves = iter(leaves)

    def build(spec):
        if spec.type is None:
            return next(leaves)
        children = [build(child) for child in spec.children]
        if spec.keys is not None:
            return spec.type(zip(spec.keys, children))
        if hasattr(spec.type, "_fields"):  # a named tuple takes its fields as arguments
            return spec.type(*children)
        return spec.type(children)
    return build(spec)


def tree_map(fn, tree):
    """The same structure with ``fn(leaf)`` for every leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(leaf) for leaf in leaves], spec)


def broadcast_prefix(prefix, tree):
    """One value of ``prefix`` per leaf of ``tree``, or None when ``prefix`` does not fit ``tree``.

    ``prefix`` is a tree whose structure is the top of ``tree``'s: where ``prefix`` has a leaf, that value holds
    for the whole subtree of ``tree`` there. This is how ``vmap`` reads ``in_dims=(0, None)`` for the arguments
    ``(x, {"w": w, "b": b})``: 0 for ``x``, None for both ``w`` and ``b``."""
    prefix_parts = _children(prefix)
    if prefix_parts is None:
        return [prefix] * tree_flatten(tree)[1].num_leaves
    tree_parts = _children(tree)
    if tree_parts is None or _kind(prefix) is not _kind(tree) or prefix_parts[0] != tree_parts[0] or \
            len(prefix_parts[1]) != len(tree_parts[1]):
        return None
    values = []
    for prefix_child, tree_child in zip(prefix_parts[1], tree_parts[1]):
        child_values = broadcast_prefix(prefix_child, tree_child)
        if child_values is None:
            return None
        values += child_values
    return values


def _kind(container):
    return dict if isinstance(container, dict) else list if isinstance(container, list) else tuple
