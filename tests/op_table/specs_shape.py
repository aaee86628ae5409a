"""Op table entries for the shape ops (shape.py and combine.py): all linear, so every one is checked to second
order (the second-order check then confirms that the VJP of each gradient op is consistent too)."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, floats_array, nonempty_shapes, shapes, unary


def plus(shape_strategy, *makers):
    """A float array of a drawn shape, then one array per ``maker(shape)`` strategy (indices, masks, operands)."""
    return shape_strategy.flatmap(lambda s: st.tuples(floats_array(s), *(make(s) for make in makers)))


def floats(shape_of):
    """A maker: a float array whose shape is ``shape_of(first_shape)``."""
    return lambda s: floats_array(shape_of(s))


def counts(dim, high=2):
    """A maker: one repeat count in [0, high] per position along ``dim``."""
    return lambda s: hnp.arrays(np.int64, (s[dim],), elements=st.integers(0, high))


def joinable(n, dim, min_dims=1):
    """``n`` float arrays whose shapes agree except along ``dim`` (for cat)."""
    def arrays(shape):
        sizes = st.lists(st.integers(0, 3), min_size=n, max_size=n)
        return sizes.flatmap(lambda ks: st.tuples(*(floats_array(shape[:dim % len(shape)] + (k,) +
                                                                 shape[dim % len(shape) + 1:]) for k in ks)))
    return shapes(min_dims=min_dims).flatmap(arrays)


def same_shape(n, shape_strategy=None):
    """``n`` float arrays of one shape (for stack)."""
    return (shape_strategy or shapes()).flatmap(lambda s: st.tuples(*(floats_array(s) for _ in range(n))))


def np_split(a, size, axis):
    """torch.split with an int size: pieces of ``size`` along ``axis``, the last one shorter; one piece if empty."""
    return tuple(np.split(a, list(range(size, a.shape[axis], size)), axis=axis))


def np_chunk(a, chunks, axis):
    n = a.shape[axis]
    if n == 0:
        return tuple(a for _ in range(chunks))
    return np_split(a, -(-n // chunks), axis)


def np_pad(a, pad, mode="constant", value=0.0):
    """torch.nn.functional.pad: (before, after) pairs from the last dim backwards; negative amounts crop."""
    pairs = [(0, 0)] * (a.ndim - len(pad) // 2) + [(pad[i], pad[i + 1]) for i in range(len(pad) - 2, -1, -2)]
    a = a[tuple(slice(max(-b, 0), n - max(-e, 0)) for (b, e), n in zip(pairs, a.shape))]
    widths = [(max(b, 0), max(e, 0)) for b, e in pairs]
    if mode == "constant":
        return np.pad(a, widths, constant_values=a.dtype.type(value))
    return np.pad(a, widths, mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode])


def pad_spec(name, pad, shape_strategy, **kw):
    """A spec for ``pad`` (PyTorch's is ``torch.nn.functional.pad``)."""
    return OpSpec(name, lambda m, x: m.pad(x, pad, **kw), lambda a: np_pad(a, pad, **kw), unary(shape_strategy),
                  torch_fn=lambda torch, x: torch.nn.functional.pad(x, pad, **kw))


def sided(min_dims, max_dims=3, min_side=0, max_side=4):
    return shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


SPECS = [
    # ------------------------------------------------------------------------------------------- reshape
    OpSpec("reshape_flat", lambda m, x: m.reshape(x, (-1,)), lambda a: a.reshape(-1), unary()),
    OpSpec("reshape_infer_dim", lambda m, x: m.reshape(x, (-1, x.shape[-1])),
           lambda a: a.reshape(-1, a.shape[-1]), unary(nonempty_shapes(min_dims=1))),
    OpSpec("reshape_reversed", lambda m, x: m.reshape(x, tuple(reversed(x.shape))),
           lambda a: a.reshape(tuple(reversed(a.shape))), unary()),
    OpSpec("reshape_to_scalar", lambda m, x: m.reshape(x, ()), lambda a: a.reshape(()),
           unary(st.sampled_from([(), (1,), (1, 1)]))),
    OpSpec("flatten", lambda m, x: m.flatten(x), lambda a: a.reshape(-1) if a.ndim else a.reshape(1), unary()),
    OpSpec("flatten_from_dim1", lambda m, x: m.flatten(x, 1),
           lambda a: a.reshape(a.shape[0], int(np.prod(a.shape[1:]))), unary(sided(2))),
    OpSpec("flatten_middle", lambda m, x: m.flatten(x, 1, -2),
           lambda a: a.reshape(a.shape[0], a.shape[1] * a.shape[2], a.shape[3]), unary(sided(4, 4, max_side=3))),
    OpSpec("squeeze_all", lambda m, x: m.squeeze(x), np.squeeze, unary(shapes(max_side=2))),
    OpSpec("squeeze_dim", lambda m, x: m.squeeze(x, 0),
           lambda a: np.squeeze(a, 0) if a.shape[0] == 1 else a, unary(sided(1, max_side=2))),
    OpSpec("squeeze_dims_tuple", lambda m, x: m.squeeze(x, (0, -1)),
           lambda a: np.squeeze(a, tuple(d for d in (0, a.ndim - 1) if a.shape[d] == 1)), unary(sided(2, max_side=2))),
    OpSpec("unsqueeze_front", lambda m, x: m.unsqueeze(x, 0), lambda a: a[None], unary()),
    OpSpec("unsqueeze_negative", lambda m, x: m.unsqueeze(x, -1), lambda a: a[..., None], unary()),
    # ------------------------------------------------------------------------------- permute, broadcast
    OpSpec("permute_reversed", lambda m, x: m.permute(x, tuple(reversed(range(x.ndim)))),
           lambda a: a.transpose(), unary()),
    OpSpec("permute_negative_dims", lambda m, x: m.permute(x, (-1, 0, 1)), lambda a: a.transpose(2, 0, 1),
           unary(sided(3, 3))),
    OpSpec("transpose", lambda m, x: m.transpose(x, 0, -1), lambda a: np.swapaxes(a, 0, -1), unary(sided(2))),
    OpSpec("swapaxes", lambda m, x: m.swapaxes(x, 1, 0), lambda a: np.swapaxes(a, 1, 0), unary(sided(2))),
    OpSpec("swapdims_same_dim", lambda m, x: m.swapdims(x, 0, 0), lambda a: a, unary(sided(1))),
    OpSpec("broadcast_to", lambda m, x: m.broadcast_to(x, (2,) + tuple(3 if n == 1 else n for n in x.shape)),
           lambda a: np.broadcast_to(a, (2,) + tuple(3 if n == 1 else n for n in a.shape)),
           unary(shapes(max_side=2))),
    OpSpec("broadcast_to_keep_dims", lambda m, x: m.broadcast_to(x, (3,) + (-1,) * x.ndim),
           lambda a: np.broadcast_to(a, (3,) + a.shape), unary()),
    # ------------------------------------------------------------------------------------------ cat, stack
    OpSpec("cat_dim0", lambda m, a, b: m.cat([a, b]), lambda a, b: np.concatenate([a, b]), joinable(2, 0),
           grad_inputs=(0, 1)),
    OpSpec("cat_last_dim_three", lambda m, a, b, c: m.concat((a, b, c), dim=-1),
           lambda a, b, c: np.concatenate([a, b, c], axis=-1), joinable(3, -1), grad_inputs=(0, 1, 2)),
    OpSpec("cat_promotes", lambda m, a, b: m.concatenate([a, m.cast(b, "float64")], 0),
           lambda a, b: np.concatenate([a, b.astype(np.float64)]), joinable(2, 0), grad_inputs=(0, 1),
           torch_fn=lambda torch, a, b: torch.cat([a, b.double()])),
    OpSpec("cat_skips_empty_1d", lambda m, x, e: m.cat([e, x]), lambda x, e: x,
           plus(sided(2), lambda s: st.just(np.zeros(0))),
           notes="PyTorch's legacy rule: a 1-d empty tensor is left out of a cat"),
    OpSpec("stack", lambda m, a, b: m.stack([a, b]), lambda a, b: np.stack([a, b]), same_shape(2),
           grad_inputs=(0, 1)),
    OpSpec("stack_last_dim", lambda m, a, b, c: m.stack([a, b, c], -1), lambda a, b, c: np.stack([a, b, c], -1),
           same_shape(3), grad_inputs=(0, 1, 2)),
    # -------------------------------------------------------------------------------- split, chunk, unbind
    OpSpec("split_size", lambda m, x: m.split(x, 2), lambda a: np_split(a, 2, 0), unary(sided(1))),
    OpSpec("split_size_last_dim", lambda m, x: m.split(x, 3, dim=-1), lambda a: np_split(a, 3, -1),
           unary(sided(2, max_side=5))),
    OpSpec("split_sections", lambda m, x: m.split(x, [1, 0, x.shape[1] - 1], 1),
           lambda a: tuple(np.split(a, [1, 1], axis=1)), unary(sided(2, min_side=1))),
    OpSpec("chunk", lambda m, x: m.chunk(x, 3), lambda a: np_chunk(a, 3, 0), unary(sided(1, max_side=5))),
    OpSpec("chunk_last_dim", lambda m, x: m.chunk(x, 2, -1), lambda a: np_chunk(a, 2, -1), unary(sided(1))),
    OpSpec("unbind", lambda m, x: m.unbind(x), lambda a: tuple(a), unary(sided(1, min_side=1))),
    OpSpec("unbind_last_dim", lambda m, x: m.unbind(x, -1), lambda a: tuple(np.moveaxis(a, -1, 0)),
           unary(sided(2, min_side=1))),
    # --------------------------------------------------------------------------------------- flip, roll
    OpSpec("flip", lambda m, x: m.flip(x, (0, -1)), lambda a: np.flip(a, (0, -1)), unary(sided(2))),
    OpSpec("flip_int_dim", lambda m, x: m.flip(x, 0), lambda a: np.flip(a, 0), unary(sided(1)),
           torch_fn=lambda torch, x: x.flip(0)),
    OpSpec("fliplr", lambda m, x: m.fliplr(x), np.fliplr, unary(sided(2))),
    OpSpec("flipud", lambda m, x: m.flipud(x), np.flipud, unary(sided(1))),
    OpSpec("roll_flat", lambda m, x: m.roll(x, 2), lambda a: np.roll(a, 2), unary()),
    OpSpec("roll_dims", lambda m, x: m.roll(x, (1, -2), (0, -1)), lambda a: np.roll(a, (1, -2), (0, -1)),
           unary(sided(2))),
    # -------------------------------------------------------------------------------------------------- pad
    pad_spec("pad_last_dim", (1, 2), sided(1)),
    pad_spec("pad_two_dims_value", (0, 1, 2, 1), sided(2), value=0.5),
    pad_spec("pad_negative_crops", (-1, 2, 1, -1), sided(2, min_side=1)),
    pad_spec("pad_reflect", (2, 1), sided(2, min_side=3), mode="reflect"),
    pad_spec("pad_reflect_two_dims", (1, 2, 2, 0), sided(3, 3, min_side=3), mode="reflect"),
    pad_spec("pad_replicate", (3, 1), sided(2, min_side=1), mode="replicate"),
    pad_spec("pad_circular", (1, 2, 2, 1), sided(3, 3, min_side=2), mode="circular"),
    # ------------------------------------------------------------------------------ tile, repeat_interleave
    OpSpec("tile", lambda m, x: m.tile(x, (2, 1, 3)), lambda a: np.tile(a, (2, 1, 3)), unary(sided(0, 3))),
    OpSpec("tile_short_dims", lambda m, x: m.tile(x, (2,)), lambda a: np.tile(a, (1,) * (a.ndim - 1) + (2,)),
           unary(sided(1))),
    OpSpec("repeat_interleave_flat", lambda m, x: m.repeat_interleave(x, 2), lambda a: np.repeat(a, 2), unary()),
    OpSpec("repeat_interleave_dim", lambda m, x: m.repeat_interleave(x, 3, dim=-1),
           lambda a: np.repeat(a, 3, axis=-1), unary(sided(1))),
    OpSpec("repeat_interleave_counts", lambda m, x, r: m.repeat_interleave(x, r, dim=1),
           lambda a, r: np.repeat(a, r, axis=1), plus(sided(2), counts(1)), raw_inputs=(1,)),
    # ----------------------------------------------------------------------------------- tril, triu, clone
    OpSpec("tril", lambda m, x: m.tril(x), np.tril, unary(sided(2))),
    OpSpec("tril_below", lambda m, x: m.tril(x, -1), lambda a: np.tril(a, -1), unary(sided(2))),
    OpSpec("triu", lambda m, x: m.triu(x), np.triu, unary(sided(2))),
    OpSpec("triu_above", lambda m, x: m.triu(x, diagonal=1), lambda a: np.triu(a, 1), unary(sided(3, 3))),
    OpSpec("clone", lambda m, x: m.clone(x), np.copy, unary()),
]
