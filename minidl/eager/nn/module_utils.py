"""``torch.nn.modules.utils``: the small helpers PyTorch keeps beside its layers, which layer code written by users
imports from there — ``_pair(3)`` is ``(3, 3)`` for a kernel size given as one number — and
``consume_prefix_in_state_dict_if_present``, which strips the ``"module."`` that ``DataParallel`` puts before every
key of a saved state dict."""
import collections.abc
import itertools

__all__ = ["consume_prefix_in_state_dict_if_present"]


def _ntuple(n, name="parse"):
    """A function giving a tuple of ``n``: an iterable as a tuple, one value repeated n times."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(itertools.repeat(x, n))
    parse.__name__ = name
    return parse


_single, _pair, _triple, _quadruple = (_ntuple(n, name) for n, name in
                                       ((1, "_single"), (2, "_pair"), (3, "_triple"), (4, "_quadruple")))


def _reverse_repeat_tuple(t, n):
    """Each entry of ``t`` repeated ``n`` times, in reverse order: per-dim paddings as ``F.pad`` takes them."""
    return tuple(x for x in reversed(t) for _ in range(n))


def consume_prefix_in_state_dict_if_present(state_dict, prefix):
    """Remove ``prefix`` from the keys of ``state_dict`` that start with it, in place (keeping their order)."""
    for key in list(state_dict):
        if key.startswith(prefix):
            state_dict[key[len(prefix):]] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is not None:
        for key in list(metadata):
            if key == prefix.rstrip(".") or key.startswith(prefix):
                metadata[key[len(prefix):] if key.startswith(prefix) else ""] = metadata.pop(key)
