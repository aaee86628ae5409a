"""``vmap``: turn a function of one sample into a function of a batch.

For ``f: A -> B``, ``vmap(f): Aᴺ -> Bᴺ`` with ``vmap(f)(x)[i] = f(x[i])``: write ``f`` for one example, get the
batched version for free. ``in_dims`` says along which dim each argument is batched (None: the same value for
every sample), ``out_dims`` where the batch dim goes in each output.

**How minidl does it: a loop.** PyTorch runs ``f`` *once*, on "batched tensors" that carry the batch dim along
while every op is rewritten into its batched form (a batching interpreter) — that is where its speed comes from.
minidl does the honest simple thing instead::

    vmap(f)(x) == stack([f(x_i) for x_i in unbind(x, in_dim)], out_dim)

The same results, with no speed-up (it costs N calls of ``f``). Because slicing (``unbind``) and ``stack`` are
recorded ops, gradients flow from the outputs back to the inputs, and ``vmap`` composes with ``grad``, with
itself (``vmap(vmap(f))``) and with the other transforms. A loop is also more forgiving than PyTorch: ``.item()``
and data-dependent ``if``s inside ``f`` work here, and fail under PyTorch's vmap. One thing the loop cannot
mirror: an in-place update of an argument that is not batched would happen once per sample (PyTorch makes it
once, or fails), so vmap refuses it.

**Randomness.** ``randomness="error"`` (the default) forbids random draws inside ``f``, "different" gives each
sample its own draws, "same" gives every sample the same draws. minidl detects a draw by comparing the default
generator's state before and after each call, and implements "same" by rewinding the generator before each
sample; draws from a ``Generator`` passed explicitly (``torch.rand(3, generator=g)``) are not seen, and behave as
"different".
"""
import functools

from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor
from ... import ops
from .pytree import broadcast_prefix, tree_flatten, tree_unflatten

__all__ = ["vmap"]

_RANDOMNESS = ("error", "different", "same")


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``func`` mapped over a batch dim of its positional arguments (keyword arguments are passed unchanged).

    ``in_dims``: an int (every tensor argument batched along that dim) or a tuple with one entry per positional
    argument — an int, None (not batched), or for a tuple/list/dict argument a matching nest of such entries (an
    int there covers the whole nest). ``out_dims``: an int, or one entry per output when ``func`` returns a tuple
    (or list/dict); None means an output that does not depend on the batch, returned once. All batched arguments
    must have the same size along their batch dims. ``chunk_size`` limits how many samples PyTorch processes at
    once; minidl already goes one sample at a time, so it is only checked. See the module docstring."""
    if randomness not in _RANDOMNESS:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")
    name = getattr(func, "__name__", type(func).__name__)

    @functools.wraps(func)
    def batched(*args, **kwargs):
        samples, shared = _samples(name, in_dims, args)
        shared += [leaf for leaf in tree_flatten(kwargs)[0] if isinstance(leaf, Tensor)] + _module_state(func)
        outputs = _call_each(name, func, samples, kwargs, randomness, shared)
        return _join(name, out_dims, outputs)
    return batched


def _samples(name, in_dims, args):
    """The positional arguments of each call: every batched tensor cut into its slices along its in_dim; and the
    tensors every call shares (those not batched)."""
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    if not args:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are trying to "
                         "vmap over a function with no inputs. The latter is unsupported.")
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) tuple matching the "
                         f"structure of inputs, got: {type(in_dims)}.")
    leaves, spec = tree_flatten(args)
    dims = broadcast_prefix(in_dims, args)
    if dims is None:
        raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. in_dims has structure "
                         f"{tree_flatten(in_dims)[1]} but inputs has structure {spec}.")
    sizes = []
    for leaf, dim in zip(leaves, dims):
        if dim is None:
            continue
        if not isinstance(dim, int):
            raise ValueError(f"{where}: Got in_dim={dim} for an input but in_dim must be either an integer dimension "
                             "or None.")
        if not isinstance(leaf, Tensor):
            raise ValueError(f"{where}: Got in_dim={dim} for an input but the input is of type {type(leaf)}. We cannot "
                             "vmap over non-Tensor arguments, please use None as the respective in_dim")
        if not -leaf.ndim <= dim < leaf.ndim:
            raise ValueError(f"{where}: Got in_dim={dim} for some input, but that input is a Tensor of dimensionality "
                             f"{leaf.ndim} so expected in_dim to satisfy -{leaf.ndim} <= in_dim < {leaf.ndim}.")
        sizes.append(leaf.shape[dim])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if len(set(sizes)) > 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes {sizes} "
                         "for the mapped dimension")
    if sizes[0] == 0:  # PyTorch calls func once on an empty batch; a loop would not call it at all
        raise ValueError("vmap: minidl's vmap calls the function once per sample, so it cannot map over a batch of "
                         "size 0 (the shapes of the outputs would be unknown)")
    slices = [None if dim is None else ops.unbind(leaf, dim) for leaf, dim in zip(leaves, dims)]
    shared = [leaf for leaf, dim in zip(leaves, dims) if dim is None and isinstance(leaf, Tensor)]
    return [tree_unflatten([leaf if cut is None else cut[i] for leaf, cut in zip(leaves, slices)], spec)
            for i in range(sizes[0])], shared


def _module_state(func):
    """The parameters and buffers of a module mapped as the function (``vmap(model)``, ``vmap(model.forward)``):
    state every sample shares, as an argument that is not batched — a batch norm in training mode would update its
    running statistics once per sample (PyTorch refuses that)."""
    owner = getattr(func, "__self__", func)
    if not (hasattr(owner, "parameters") and hasattr(owner, "buffers")):
        return []
    return [t for t in (*owner.parameters(), *owner.buffers()) if isinstance(t, Tensor)]


def _call_each(name, func, samples, kwargs, randomness, shared):
    """``[func(*sample, **kwargs) for sample in samples]``, watching the default random generator and the tensors
    that every sample shares."""
    start = get_rng_state()
    versions = [t._version for t in shared]
    outputs = []
    for sample in samples:
        if randomness == "same":
            set_rng_state(start)  # every sample draws the same numbers
        outputs.append(func(*sample, **kwargs))
        if randomness == "error" and not get_rng_state().equal(start):
            raise RuntimeError("vmap: called random operation while in randomness error mode. Please either use the "
                               "'same' or 'different' randomness flags on vmap or perform the randomness operation "
                               "out of vmap")
        if [t._version for t in shared] != versions:
            # PyTorch runs func once on the whole batch: such an update fails there when it involves the batch
            # (the result would need the batch dim) and happens once when it does not; a loop would make it once
            # per sample, and every sample would see the others' updates
            raise RuntimeError(f"vmap({name}, ...): `{name}` modified in place a tensor that is not batched (in_dims "
                               f"None, or a keyword argument), which every sample shares; clone it inside `{name}` "
                               "or batch it")
    return outputs


def _join(name, out_dims, outputs):
    """The per-sample outputs joined into one nest: each output leaf stacked along its out_dim."""
    if not isinstance(out_dims, (int, type(None), tuple, list, dict)):
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a python "
                         "collection of ints representing where in the outputs the vmapped dimension should appear.")
    flat = [tree_flatten(out) for out in outputs]
    spec = flat[0][1]
    for _, other in flat[1:]:
        if other != spec:  # impossible under PyTorch, which calls func once
            raise RuntimeError(f"vmap({name}, ...): `{name}` returned outputs of different structures for different "
                               f"samples: {spec} and {other}")
    if isinstance(out_dims, tuple) and len(out_dims) == 1 and not isinstance(outputs[0], tuple):
        out_dims = out_dims[0]  # (0,) for a single output, as PyTorch allows
    dims = broadcast_prefix(out_dims, outputs[0])
    if dims is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the "
                         f"structure of `outputs`. out_dims has structure {tree_flatten(out_dims)[1]} but outputs has "
                         f"structure {spec}.")
    joined = []
    for column, dim in zip(zip(*(leaves for leaves, _ in flat)), dims):
        if dim is None:
            joined.append(_unbatched(name, column))
            continue
        for value in column:
            if not isinstance(value, Tensor):
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(value)}. Did "
                                 "you mean to set out_dims= to None for output?")
        shapes = list(dict.fromkeys(tuple(value.shape) for value in column))
        if len(shapes) > 1:  # (PyTorch's batched tensors cannot take a shape that depends on the sample at all)
            raise ValueError(f"vmap({name}, ...): `{name}` returned an output of different shapes for different "
                             f"samples ({', '.join(str(list(shape)) for shape in shapes)}): vmap needs one shape")
        joined.append(ops.stack(list(column), dim=dim))
    return tree_unflatten(joined, spec)


def _unbatched(name, column):
    """An output with out_dim None, returned once. PyTorch refuses a tensor that depends on the batch; a loop
    cannot see dependence, so minidl refuses a tensor whose values differ between samples."""
    first = column[0]
    if isinstance(first, Tensor) and not all(isinstance(other, Tensor) and ops.equal(first, other)
                                                 for other in column[1:]):
        raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None")
    return first
