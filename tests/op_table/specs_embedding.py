"""Op table entries for embedding (a row lookup whose VJP scatter-adds)."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, floats_array


def table_and_indices(index_shape=hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4)):
    """``(weight, indices)``: a (rows, dim) table and integer indices into its rows (repeats included)."""
    def arrays(rows, dim, shape):
        return st.tuples(floats_array((rows, dim)), hnp.arrays(np.int64, shape, elements=st.integers(0, rows - 1)))
    return st.tuples(st.integers(1, 5), st.integers(0, 3), index_shape).flatmap(lambda a: arrays(*a))


def np_embedding(w, i):
    return w[i]


SPECS = [
    OpSpec("embedding", lambda m, w, i: m.embedding(i, w), np_embedding, table_and_indices(), raw_inputs=(1,),
           torch_fn=lambda torch, w, i: torch.nn.functional.embedding(i, w),
           notes="repeated indices: their rows' gradients add up"),
    OpSpec("embedding_padding_idx", lambda m, w, i: m.embedding(i, w, padding_idx=0), np_embedding,
           table_and_indices(), raw_inputs=(1,),
           torch_fn=lambda torch, w, i: torch.nn.functional.embedding(i, w, padding_idx=0),
           grad_inputs=(), notes="row 0 is padding: no gradient reaches it, so the VJP is not the derivative and "
                                 "central differences do not apply; tests/test_nn_ops.py checks it against PyTorch"),
]
