"""Op table entries for embedding (a row lookup whose VJP scatter-adds) and linear."""
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


def linear_inputs(lead_dims, bias=True):
    """``(x, weight[, bias])`` with x (*lead, in), weight (out, in), bias (out)."""
    def arrays(lead, n_in, n_out):
        parts = [floats_array(tuple(lead) + (n_in,)), floats_array((n_out, n_in))]
        return st.tuples(*parts, *([floats_array((n_out,))] if bias else []))
    lead = st.lists(st.integers(0, 3), min_size=lead_dims, max_size=lead_dims)
    return st.tuples(lead, st.integers(1, 4), st.integers(1, 4)).flatmap(lambda a: arrays(*a))


def np_linear(x, w, b=None):
    y = x.astype(np.float64) @ w.T.astype(np.float64)
    return (y if b is None else y + b).astype(x.dtype)


SPECS = [
    OpSpec("embedding", lambda m, w, i: m.embedding(i, w), np_embedding, table_and_indices(), raw_inputs=(1,),
           torch_fn=lambda torch, w, i: torch.nn.functional.embedding(i, w),
           notes="repeated indices: their rows' gradients add up"),
    OpSpec("embedding_padding_idx", lambda m, w, i: m.embedding(i, w, padding_idx=0), np_embedding,
           table_and_indices(), raw_inputs=(1,),
           torch_fn=lambda torch, w, i: torch.nn.functional.embedding(i, w, padding_idx=0),
           grad_inputs=(), notes="row 0 is padding: no gradient reaches it, so the VJP is not the derivative and "
                                 "central differences do not apply; tests/test_nn_ops.py checks it against PyTorch"),
    OpSpec("linear", lambda m, x, w, b: m.linear(x, w, b), np_linear, linear_inputs(1), grad_inputs=(0, 1, 2),
           atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.linear(x, w, b)),
    OpSpec("linear_no_bias", lambda m, x, w: m.linear(x, w), np_linear, linear_inputs(1, bias=False),
           grad_inputs=(0, 1), atol=1e-5, torch_fn=lambda torch, x, w: torch.nn.functional.linear(x, w)),
    OpSpec("linear_vector_input", lambda m, x, w, b: m.linear(x, w, b), np_linear, linear_inputs(0),
           grad_inputs=(0, 1, 2), atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.linear(x, w, b)),
    OpSpec("linear_batched_3d", lambda m, x, w, b: m.linear(x, w, b), np_linear, linear_inputs(2),
           grad_inputs=(0, 1, 2), atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.linear(x, w, b)),
]
