"""``tf.scan``, ``tf.foldl`` and ``tf.foldr``: a function applied along the first dim of a tensor, carrying an
accumulator from one element to the next::

    a_0 = initializer                    (or elems[0], which the loop then starts after)
    a_i = fn(a_(i-1), elems[i])          for i = 0, 1, ..., n - 1       (n - 1, ..., 0 when reversed / foldr)

``foldl``/``foldr`` return the last accumulator, ``scan`` all of them stacked: ``out[i] = a_i`` — in the order of
``elems`` even when it runs in reverse. ``tf.scan(lambda a, x: a + x, [1, 2, 3])`` is ``[1, 3, 6]``, a cumulative
sum; ``tf.foldl(lambda a, x: a * x, [1, 2, 3, 4])`` is 24.

As in TF, ``fn`` is traced once, as the body of a ``tf.while_loop``: the elements are handed to it by a
TensorArray that ``unstack``\\ed them, and ``scan`` collects the accumulators in TensorArrays (tensor_array.py)
that it stacks after the loop. So the length may be known only at run time, and the gradient — with respect to
the elements, the initializer, and any tensor or variable ``fn`` uses — is the loop's, which replays ``fn``'s
gradient backwards over the steps.

``elems`` may be a nest (tuple, list, dict) of tensors with the same first dim — ``fn`` then gets the same nest of
slices — and the accumulator a nest too, the structure of ``initializer`` (of ``elems`` without one); ``fn``
must return that structure, with the same dtypes (and static shapes within the initializer's: the accumulator
is a loop variable).
"""
from ..backend import dtypes
from .core import get_default_graph
from .function_graph import flatten, pack, same_structure
from .loops import while_loop
from .math_ops import to_tensor
from .array_ops import shape
from .tensor_array import TensorArray


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, infer_shape=True,
         reverse=False, name=None):
    """Every accumulator ``a_i = fn(a_(i-1), elems[i])``, stacked along a new first dim (module docstring).
    ``reverse=True`` runs from the last element to the first. ``parallel_iterations`` and ``swap_memory`` are
    accepted for compatibility; ``back_prop=False`` stops the gradient; ``infer_shape=False`` lets the static
    shapes of the accumulators vary (they still must agree when the graph runs)."""
    return _fold("scan", fn, elems, initializer, reverse, True, name, back_prop, parallel_iterations, infer_shape)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """The last accumulator of ``a_i = fn(a_(i-1), elems[i])``, first element to last (module docstring)."""
    return _fold("foldl", fn, elems, initializer, False, False, name, back_prop, parallel_iterations, True)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """``foldl`` from the last element to the first."""
    return _fold("foldr", fn, elems, initializer, True, False, name, back_prop, parallel_iterations, True)


def _fold(what, fn, elems, initializer, reverse, collect, name, back_prop, parallel_iterations, infer_shape):
    """The loop behind the three: ``collect`` the accumulators (scan) or return the last one (the folds)."""
    if not callable(fn):
        raise TypeError(f"{what}: fn must be callable, got {fn!r}")
    with get_default_graph().name_scope(name or what):
        flat = [to_tensor(e) for e in flatten(elems)]
        if not flat:
            raise ValueError(f"{what}: elems must be a tensor or a non-empty nest of tensors")
        for t in flat:
            if t.shape.rank == 0:  # (an unknown rank is checked when the slices are taken)
                raise ValueError(f"{what}: elems must be 1+ dimensional, got {t.name} of shape {t.shape}")
        static_n = next((t.shape[0] for t in flat if t.shape[0] is not None), None)
        if any(t.shape[0] not in (None, static_n) for t in flat):
            raise ValueError(f"{what}: all elems must have the same first dimension, got shapes "
                             f"{[t.shape for t in flat]}")
        n = static_n if static_n is not None else shape(flat[0])[0]
        pieces = [TensorArray(t.dtype, size=n, element_shape=t.shape[1:]).unstack(t) for t in flat]
        first, step = (to_tensor(n - 1, dtypes.int32), -1) if reverse else (to_tensor(0), 1)
        if initializer is None:   # the first element is the first accumulator
            structure, start = elems, first + step
            accumulators = [ta.read(first) for ta in pieces]
        else:
            structure, start = initializer, first
            accumulators = [to_tensor(a) for a in flatten(initializer)]
        results = []
        if collect:
            results = [TensorArray(a.dtype, size=n, element_shape=a.shape, infer_shape=infer_shape)
                       for a in accumulators]
            if initializer is None:
                results = [ta.write(first, a) for ta, a in zip(results, accumulators)]

        def body(i, accumulators, results):
            result = fn(pack(structure, accumulators), pack(elems, [ta.read(i) for ta in pieces]))
            if not same_structure(structure, result):
                raise ValueError(f"{what}: fn must return the structure of the accumulator (initializer's, or elems' "
                                 f"without one). The two structures don't have the same nested structure.\n\nFirst "
                                 f"structure: {structure}\n\nSecond structure: {result}")
            new = [to_tensor(r, a.dtype) for r, a in zip(flatten(result), accumulators)]
            for r, a in zip(new, accumulators):
                if r.dtype != a.dtype:
                    raise TypeError(f"{what}: fn returned a {r.dtype.name} tensor for an accumulator of dtype "
                                    f"{a.dtype.name}")
            return i + step, new, [ta.write(i, r) for ta, r in zip(results, new)]

        def more(i, accumulators, results):
            return i >= 0 if reverse else i < n

        _, accumulators, results = while_loop(more, body, [start, accumulators, results], back_prop=back_prop,
                                              parallel_iterations=parallel_iterations)
        return pack(structure, [ta.stack() for ta in results] if collect else accumulators)


__all__ = ["scan", "foldl", "foldr"]
