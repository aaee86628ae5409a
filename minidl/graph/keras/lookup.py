"""The name lookup behind every ``get`` of tf.keras (``activation="relu"``, ``loss="mse"`` ...)."""


def by_name(identifier, table, what, other_forms):
    """``table[identifier]`` for a known name, else a ValueError naming the known ones and ``other_forms``."""
    if isinstance(identifier, str) and identifier in table:
        return table[identifier]
    raise ValueError(f"Unknown {what}: {identifier!r} (known: {', '.join(sorted(table))}, or {other_forms})")
