"""Op table entries for the products (linalg.py): matmul in all its cases, mm, bmm, dot, outer, linear (and
the weight-gradient product ``TransposedProduct``), einsum."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minidl.ops.base import apply
from minidl.ops.linalg import TransposedProduct

from .spec import OpSpec, floats_array

SIDE = st.integers(0, 4)  # sizes 0 and 1 included
BATCHES = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3).map(lambda b: b.input_shapes)


def product(shape_of):
    """Two arrays whose shapes come from ``shape_of(m, k, n, (batch_a, batch_b))``: ``a`` is (m, k)-like and
    ``b`` (k, n)-like, with batch dims that broadcast."""
    def build(m, k, n, batches):
        return st.tuples(*(floats_array(s) for s in shape_of(m, k, n, batches)))
    return st.tuples(SIDE, SIDE, SIDE, BATCHES).flatmap(lambda t: build(*t))


def labelled(*terms):
    """One array per einsum term, with a size from 0 to 4 per letter; a term that starts with ``...`` gets
    leading batch dims that broadcast with the other such terms' (at most two of them)."""
    letters = sorted(set("".join(terms)) - {"."})

    def build(sizes, batches):
        size, batches = dict(zip(letters, sizes)), iter(batches)
        return st.tuples(*(floats_array((next(batches) if t.startswith("...") else ())
                                        + tuple(size[c] for c in t.lstrip("."))) for t in terms))
    return st.tuples(st.lists(SIDE, min_size=len(letters), max_size=len(letters)), BATCHES).flatmap(
        lambda t: build(*t))


def einsum_spec(name, equation, *terms, **kw):
    """A spec for ``einsum(equation, ...)`` with inputs shaped by ``terms`` (the equation's, unless given)."""
    terms = terms or tuple(equation.split("->")[0].split(","))
    return OpSpec(name, lambda m, *xs: m.einsum(equation, *xs), lambda *xs: np.einsum(equation, *xs),
                  labelled(*terms), grad_inputs=tuple(range(len(terms))), atol=1e-5, **kw)


def complex_pair(a_shape, b_shape):
    """Four real arrays: real and imaginary parts of a complex ``a`` and ``b``."""
    return st.tuples(floats_array(a_shape), floats_array(a_shape), floats_array(b_shape), floats_array(b_shape))


def _matmul(name, shape_of):
    return OpSpec(name, lambda m, a, b: m.matmul(a, b), np.matmul, product(shape_of), grad_inputs=(0, 1), atol=1e-5)


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


def rows_pair(lead_dims):
    """``(a, b)``: a (*lead, m) and b (*lead, n), the same leading dims (sizes 0 and 1 included)."""
    lead = st.lists(SIDE, min_size=lead_dims, max_size=lead_dims)
    return st.tuples(lead, SIDE, SIDE).flatmap(
        lambda t: st.tuples(floats_array(tuple(t[0]) + (t[1],)), floats_array(tuple(t[0]) + (t[2],))))


def torch_transposed_product(torch, a, b):
    return a.flatten(0, -2).T @ b.flatten(0, -2)


def np_transposed_product(a, b):
    rows = int(np.prod(a.shape[:-1]))
    product = a.reshape(rows, a.shape[-1]).T.astype(np.float64) @ b.reshape(rows, b.shape[-1]).astype(np.float64)
    return product.astype(a.dtype)


def _c(m, re, im):
    return m.complex(re, im)


SPECS = [
    # ------------------------------------------------------------------------------------------ matmul
    _matmul("matmul_vec_vec", lambda m, k, n, b: ((k,), (k,))),
    _matmul("matmul_mat_vec", lambda m, k, n, b: ((m, k), (k,))),
    _matmul("matmul_vec_mat", lambda m, k, n, b: ((k,), (k, n))),
    _matmul("matmul_mat_mat", lambda m, k, n, b: ((m, k), (k, n))),
    _matmul("matmul_batched_broadcast", lambda m, k, n, b: (b[0] + (m, k), b[1] + (k, n))),
    _matmul("matmul_batched_mat", lambda m, k, n, b: (b[0] + (m, k), (k, n))),
    _matmul("matmul_batched_vec", lambda m, k, n, b: (b[0] + (m, k), (k,))),
    _matmul("matmul_vec_batched", lambda m, k, n, b: ((k,), b[1] + (k, n))),
    OpSpec("matmul_complex", lambda m, ar, ai, br, bi: m.real(m.matmul(_c(m, ar, ai), _c(m, br, bi))),
           lambda ar, ai, br, bi: np.real(np.matmul(ar + 1j * ai, br + 1j * bi)).astype(ar.dtype),
           st.one_of(complex_pair((2, 3), (3, 2)), complex_pair((2, 1, 3), (3, 4)), complex_pair((3,), (2, 3, 1))),
           grad_inputs=(0, 1, 2, 3), atol=1e-5, notes="complex operands: the VJP conjugates (g b^H, a^H g)"),
    OpSpec("matmul_complex_imag", lambda m, ar, ai, br, bi: m.imag(m.matmul(_c(m, ar, ai), _c(m, br, bi))),
           lambda ar, ai, br, bi: np.imag(np.matmul(ar + 1j * ai, br + 1j * bi)).astype(ar.dtype),
           complex_pair((2, 3), (3,)), grad_inputs=(0, 1, 2, 3), atol=1e-5),
    # ------------------------------------------------------------------------- mm, bmm, dot, outer
    OpSpec("mm", lambda m, a, b: m.mm(a, b), np.matmul, product(lambda m, k, n, b: ((m, k), (k, n))),
           grad_inputs=(0, 1), atol=1e-5),
    OpSpec("bmm", lambda m, a, b: m.bmm(a, b), np.matmul,
           product(lambda m, k, n, b: ((n + 1, m, k), (n + 1, k, m))), grad_inputs=(0, 1), atol=1e-5),
    OpSpec("dot", lambda m, a, b: m.dot(a, b), np.dot, product(lambda m, k, n, b: ((k,), (k,))),
           grad_inputs=(0, 1), atol=1e-5),
    OpSpec("outer", lambda m, a, b: m.outer(a, b), np.outer, product(lambda m, k, n, b: ((m,), (n,))),
           grad_inputs=(0, 1)),
    # ------------------------------------------------------------------------------------------ linear
    OpSpec("linear", lambda m, x, w, b: m.linear(x, w, b), np_linear, linear_inputs(1), grad_inputs=(0, 1, 2),
           atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.linear(x, w, b)),
    OpSpec("linear_no_bias", lambda m, x, w: m.linear(x, w), np_linear, linear_inputs(1, bias=False),
           grad_inputs=(0, 1), atol=1e-5, torch_fn=lambda torch, x, w: torch.nn.functional.linear(x, w)),
    OpSpec("linear_vector_input", lambda m, x, w, b: m.linear(x, w, b), np_linear, linear_inputs(0),
           grad_inputs=(0, 1, 2), atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.linear(x, w, b)),
    OpSpec("linear_batched_3d", lambda m, x, w, b: m.linear(x, w, b), np_linear, linear_inputs(2),
           grad_inputs=(0, 1, 2), atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.linear(x, w, b)),
    OpSpec("transposed_product", lambda m, a, b: apply(TransposedProduct, a, b), np_transposed_product,
           rows_pair(1), grad_inputs=(0, 1), atol=1e-5, notes="a^T b: a weight's gradient in linear and matmul",
           torch_fn=torch_transposed_product),
    OpSpec("transposed_product_rows_of_steps", lambda m, a, b: apply(TransposedProduct, a, b),
           np_transposed_product, rows_pair(2), grad_inputs=(0, 1), atol=1e-5,
           notes="the leading dims (steps, batch) are all rows: summed over", torch_fn=torch_transposed_product),
    # ------------------------------------------------------------------------------------------ einsum
    einsum_spec("einsum_matmul", "ij,jk->ik"),
    einsum_spec("einsum_implicit_output", "ij,jk"),
    einsum_spec("einsum_implicit_transpose", "ba"),
    einsum_spec("einsum_batched", "bij,bjk->bik"),
    einsum_spec("einsum_ellipsis_broadcast", "...ij,...jk->...ik"),
    einsum_spec("einsum_ellipsis_implicit", "...ij,jk"),
    einsum_spec("einsum_outer", "i,j->ij"),
    einsum_spec("einsum_sum_all", "ij->"),
    einsum_spec("einsum_sum_one_dim", "ijk->ki"),
    einsum_spec("einsum_diagonal", "ii->i", notes="a repeated letter: the gradient is put back on the diagonal"),
    einsum_spec("einsum_trace", "ii"),
    einsum_spec("einsum_diagonal_with_other", "iij,i->j"),
    einsum_spec("einsum_three_operands", "ij,jk,kl->il"),
    einsum_spec("einsum_triple_dot", "i,i,i->"),
    OpSpec("einsum_broadcast_size_one", lambda m, a, b: m.einsum("ij,ij->ij", a, b),
           lambda a, b: np.einsum("ij,ij->ij", a, b), st.tuples(floats_array((1, 3)), floats_array((2, 3))),
           grad_inputs=(0, 1), notes="a letter of size 1 in one operand broadcasts, as in PyTorch"),
    OpSpec("einsum_broadcast_summed_away", lambda m, a, b: m.einsum("ij,ij->i", a, b),
           lambda a, b: np.einsum("ij,ij->i", a, np.broadcast_to(b, a.shape)),
           st.tuples(floats_array((3, 4)), floats_array((3, 1))), grad_inputs=(0, 1),
           notes="the broadcast letter is summed away: a's gradient is constant along it"),
    OpSpec("einsum_broadcast_contracted", lambda m, a, b: m.einsum("ij,jk->ik", a, b),
           lambda a, b: np.broadcast_to(a, (3, 4)) @ b, st.tuples(floats_array((3, 1)), floats_array((4, 2))),
           grad_inputs=(0, 1), atol=1e-5, notes="the contracted letter has size 1 in a: a is repeated along it"),
    OpSpec("einsum_broadcast_batch_summed", lambda m, a, b: m.einsum("bij,bjk->ik", a, b),
           lambda a, b: np.einsum("bij,bjk->ik", a, np.broadcast_to(b, (2, 4, 5))),
           st.tuples(floats_array((2, 3, 4)), floats_array((1, 4, 5))), grad_inputs=(0, 1), atol=1e-5),
    OpSpec("einsum_operand_list", lambda m, a, b: m.einsum("ij,jk", [a, b]), lambda a, b: a @ b,
           labelled("ij", "jk"), grad_inputs=(0, 1), atol=1e-5),
    OpSpec("einsum_complex", lambda m, ar, ai, br, bi: m.imag(m.einsum("ij,jk->ik", _c(m, ar, ai), _c(m, br, bi))),
           lambda ar, ai, br, bi: np.imag(np.einsum("ij,jk->ik", ar + 1j * ai, br + 1j * bi)).astype(ar.dtype),
           complex_pair((2, 3), (3, 2)), grad_inputs=(0, 1, 2, 3), atol=1e-5),
    OpSpec("einsum_complex_trace", lambda m, ar, ai, br, bi: m.real(m.einsum("ii,ij->j", _c(m, ar, ai), _c(m, br, bi))),
           lambda ar, ai, br, bi: np.real(np.einsum("ii,ij->j", ar + 1j * ai, br + 1j * bi)).astype(ar.dtype),
           complex_pair((3, 3), (3, 2)), grad_inputs=(0, 1, 2, 3), atol=1e-5),
]
