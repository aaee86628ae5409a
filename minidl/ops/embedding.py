"""The table-lookup layer: ``embedding`` (rows of a weight table picked by index).

``embedding(input, weight)`` is ``weight[input]``: every index in ``input`` picks a row of the (num_embeddings,
embedding_dim) table. Its gradient adds each output row's gradient back into the row it came from — a
scatter-add, where a row picked twice receives both contributions. The row ``padding_idx`` (if given) is a
constant: it gets no gradient, as in PyTorch, so a padding token's vector stays what it was initialized to.
(Its companion layer, ``linear``, is a product: ``linalg.py``.)
"""
import numbers

from ..backend.scans import add_at
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .indexing import check_index_tensor, index_put

__all__ = ["embedding"]


class Embedding(Op):
    """``out[...] = weight[indices[...]]``: one row of ``weight`` per index (``padding_idx`` and
    ``scale_grad_by_freq`` only matter for the VJP, ``EmbeddingDenseBackward``)."""
    saves_inputs = (1,)  # the indices; weight only for its shape
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, weight, indices, padding_idx, scale_grad_by_freq=False):
        rows = weight.shape[0]
        if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= rows):
            bad = int(indices.min()) if int(indices.min()) < 0 else int(indices.max())
            raise IndexError(f"index out of range in self: index {bad}, but the weight has {rows} rows "
                             f"(num_embeddings)")
        return xp.take(weight, indices, axis=0)

    @staticmethod
    def vjp(ctx, g):
        weight, indices = ctx.inputs
        return apply(EmbeddingDenseBackward, g, weight, indices, padding_idx=ctx.attrs["padding_idx"],
                     scale_grad_by_freq=ctx.attrs.get("scale_grad_by_freq", False)), None

    @staticmethod
    def infer(weight, indices, padding_idx, scale_grad_by_freq=False):
        if indices.shape is None:  # a rank known only at run time (graph mode)
            return Spec(None, weight.dtype)
        return Spec(tuple(indices.shape) + tuple(weight.shape[1:]), weight.dtype)


class EmbeddingDenseBackward(Op):
    """Zeros shaped like ``weight`` with each row of ``g`` added into the row its index names (``add.at``: repeated
    indices accumulate), then row ``padding_idx`` zeroed: embedding's VJP. With ``scale_grad_by_freq`` each row is
    divided by how often it was looked up (a word seen k times in the batch gets the mean of its k gradients).

    It is linear in ``g``: its own VJP reads rows back (``Embedding``) — of ``gg`` with the padding row zeroed
    (``index_put``), because that row was dropped on the way in. Not divided by the counts, as in PyTorch
    (``embedding_dense_double_backward``): a second derivative through the lookup then divides once, in the
    lookup's own VJP, as the derivative of the scaled gradient does."""
    saves_inputs = (2,)
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, g, weight, indices, padding_idx, scale_grad_by_freq=False):
        out = xp.zeros(weight.shape, dtype=g.dtype)
        flat = indices.reshape(-1)
        add_at(xp, out, flat, g.reshape((indices.size,) + weight.shape[1:]))
        if scale_grad_by_freq:
            counts = xp.maximum(xp.bincount(flat, minlength=weight.shape[0]), 1)
            out /= counts.reshape((-1,) + (1,) * (out.ndim - 1)).astype(out.dtype)
        if padding_idx is not None:
            out[padding_idx] = 0
        return out

    @staticmethod
    def vjp(ctx, gg):
        _, _, indices = ctx.inputs
        padding_idx = ctx.attrs["padding_idx"]
        if padding_idx is not None:
            gg = index_put(gg, padding_idx, 0)
        return apply(Embedding, gg, indices, padding_idx=None), None, None

    @staticmethod
    def infer(g, weight, indices, padding_idx, scale_grad_by_freq=False):
        return Spec(weight.shape, g.dtype)


def embedding(input, weight, padding_idx=None, scale_grad_by_freq=False):
    """Rows of the 2-D ``weight`` table at the integer positions ``input`` (any shape): the result has shape
    ``input.shape + (embedding_dim,)``. Row ``padding_idx`` (negative counts from the end) gets no gradient; with
    ``scale_grad_by_freq`` each row's gradient is divided by how often ``input`` names it."""
    padding_idx = checked_padding_idx(input, weight, padding_idx)
    return apply(Embedding, weight, input, padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq))


def checked_padding_idx(input, weight, padding_idx):
    """Check ``embedding``'s arguments; return ``padding_idx`` made non-negative (None stays None). (Shared with
    the eager front-end's embedding with a sparse gradient, ``minidl/eager/sparse_gradients.py``.)"""
    check_index_tensor("embedding", input, "indices (input)")
    if not is_tensor(weight) or weight.ndim != 2:
        raise OpError(f"embedding: 'weight' must be a 2-D tensor (num_embeddings, embedding_dim), got "
                      f"{describe(weight) if is_tensor(weight) else type(weight).__name__}")
    if padding_idx is not None:
        rows = weight.shape[0]
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, numbers.Integral):
            raise TypeError(f"embedding: padding_idx must be an int or None, got {padding_idx!r}")
        padding_idx = int(padding_idx)  # (a numpy integer too)
        if rows is not None:
            if not -rows <= padding_idx < rows:
                raise OpError(f"embedding: padding_idx must be within num_embeddings ({rows}), got {padding_idx}")
            padding_idx %= rows
        elif padding_idx < 0:
            raise OpError("embedding: a negative padding_idx needs the number of embeddings known statically")
    return padding_idx
