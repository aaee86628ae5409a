"""Combining, cutting and rearranging tensors, each function built from ops that already exist:
``atleast_1d/2d/3d``, ``dstack``, ``column_stack``, ``broadcast_shapes``, ``broadcast_tensors``, ``block_diag``,
``cartesian_prod``, ``combinations``, ``kron``, ``linalg_multi_dot`` / ``chain_matmul``, ``rot90``, ``select``,
``tensor_split``, ``hsplit``, ``vsplit``, ``dsplit``.

Each is a short composition — an unsqueeze, a pad, a cat, a broadcast, an index, a product — so each gradient is
the one of the ops it is made of; nothing here needs a VJP of its own. Where the number of pieces or positions
depends on a size, that size must be known when the call is made (in graph mode: a static dim).
"""
import itertools
import operator

from ..backend import dtypes
from . import infer
from .base import OpError, describe, is_tensor, warn
from .cast import cast
from .combine import _tensor_list, cat, pad, stack
from .indexing import getitem
from .infer import normalize_dim
from .linalg import matmul
from .promote import require_same_dtype
from .reduce import check_tensor
from .shape import broadcast_to, clone, flatten, flip, ints, known, reshape, squeeze, transpose, unsqueeze
from .shape_helpers import meshgrid

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "dstack", "column_stack", "broadcast_shapes",
           "broadcast_tensors", "block_diag", "cartesian_prod", "combinations", "kron", "linalg_multi_dot",
           "chain_matmul", "rot90", "select", "tensor_split", "hsplit", "vsplit", "dsplit"]


# ------------------------------------------------------------------------------------ at least n dims

def _to_2d(x):
    """A 0-d x becomes (1, 1), a 1-d (n) a row (1, n); more dims are kept."""
    while x.ndim < 2:
        x = unsqueeze(x, 0)
    return x


def _to_3d(x):
    """(1, 1, 1) from a 0-d x, (1, n, 1) from a 1-d one, (m, n, 1) from a matrix: numpy's ``atleast_3d`` rule,
    which keeps a matrix's rows and columns where they were and adds the depth at the end."""
    return unsqueeze(_to_2d(x), -1) if x.ndim < 3 else x


def _at_least(op_name, tensors, make):
    """One tensor gives one tensor back; several (or a list) give a tuple, as in PyTorch."""
    if len(tensors) == 1 and is_tensor(tensors[0]):
        return make(tensors[0])
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    return tuple(make(x) for x in _tensor_list(op_name, tensors))


def atleast_1d(*tensors):
    """Each tensor with at least one dim: a 0-d one becomes shape (1,)."""
    return _at_least("atleast_1d", tensors, lambda x: unsqueeze(x, 0) if x.ndim == 0 else x)


def atleast_2d(*tensors):
    """Each tensor with at least two dims: 0-d becomes (1, 1), a vector (n) the row (1, n)."""
    return _at_least("atleast_2d", tensors, _to_2d)


def atleast_3d(*tensors):
    """Each tensor with at least three dims: 0-d becomes (1, 1, 1), (n) becomes (1, n, 1), (m, n) (m, n, 1)."""
    return _at_least("atleast_3d", tensors, _to_3d)


def dstack(tensors):
    """Stack in depth: each tensor made at least 3-d (``atleast_3d``), then joined along dim 2."""
    return cat([_to_3d(x) for x in _tensor_list("dstack", tensors)], 2)


def column_stack(tensors):
    """Join side by side as columns: 0-d and 1-d tensors become columns (n, 1), then all join along dim 1."""
    return cat([reshape(x, (-1, 1)) if x.ndim <= 1 else x for x in _tensor_list("column_stack", tensors)], 1)


# ----------------------------------------------------------------------------------------- broadcasting

def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to, computed from the shapes alone (no tensor is made).

    Dims are aligned from the right; each pair must be equal or contain a 1. An int stands for a 1-d shape."""
    shapes = [ints("broadcast_shapes", s, "each shape") for s in shapes]
    for s in shapes:
        if any(n < 0 for n in s):
            raise ValueError(f"broadcast_shapes: attempting to broadcast a dimension with negative length "
                             f"(shape {list(s)})")
    return infer.broadcast_shapes("broadcast_shapes", *shapes)


def broadcast_tensors(*tensors):
    """The tensors broadcast to their common shape (``broadcast_to`` each: views, whose gradients sum back)."""
    tensors = _tensor_list("broadcast_tensors", tensors)
    shape = infer.broadcast_shapes("broadcast_tensors", *(tuple(x.shape) for x in tensors))
    if not known(shape):
        raise OpError(f"broadcast_tensors: the shapes of {', '.join(describe(x) for x in tensors)} must be known "
                      "when the op is created")
    return tuple(broadcast_to(x, shape) for x in tensors)


# ------------------------------------------------------------------------- block_diag, products of sets

def block_diag(*tensors):
    """The block-diagonal matrix with the given blocks on its diagonal and zeros elsewhere.

    A 0-d block counts as (1, 1) and a vector (n) as the row (1, n). Each block is padded with zeros to the
    full width — its columns land after those of the blocks before it — and the padded rows are joined with
    ``cat``; the gradient of each block is its piece of ``g``, cut out by pad's VJP."""
    tensors = _tensor_list("block_diag", tensors)
    for i, x in enumerate(tensors):
        if x.ndim > 2:
            raise OpError(f"block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has {x.ndim} "
                          f"dimensions ({describe(x)})")
    dtype = dtypes.result_type(*tensors)
    blocks = [cast(_to_2d(x), dtype) for x in tensors]
    widths = [b.shape[1] for b in blocks]
    if not known(widths):
        raise OpError("block_diag: the number of columns of every block must be known when the op is created")
    left, total = 0, sum(widths)
    rows = []
    for block, width in zip(blocks, widths):
        rows.append(pad(block, (left, total - left - width)))
        left += width
    return cat(rows, 0)


def _vector(op_name, x):
    check_tensor(op_name, x)
    if x.ndim != 1:
        raise OpError(f"{op_name}: Expect a 1D vector, but got shape {list(x.shape)}")
    return x


def cartesian_prod(*tensors):
    """All tuples (a, b, ...) with a from the first vector, b from the second...: a (count, len(tensors))
    tensor in lexicographic order (one vector comes back as it is). Made from ``meshgrid`` and ``stack``."""
    tensors = [_vector("cartesian_prod", x) for x in _tensor_list("cartesian_prod", tensors)]
    if len(tensors) == 1:
        return tensors[0]
    return stack([flatten(grid) for grid in meshgrid(*tensors, indexing="ij")], 1)


def combinations(input, r=2, with_replacement=False):
    """The ``r``-element combinations of the entries of a vector, as rows of a (count, r) tensor, in the order of
    ``itertools.combinations`` (``with_replacement=True``: ``combinations_with_replacement``). ``r = 0`` gives an
    empty vector. One indexing op with a constant table of positions; the gradient of an entry is the sum over
    the rows it appears in."""
    _vector("combinations", input)
    r = operator.index(r)
    if r < 0:
        raise OpError(f"combinations: Expect a non-negative number, but got {r}")
    if r == 0:
        return getitem(input, ([],))
    n = input.shape[0]
    if n is None:
        raise OpError(f"combinations: the length of {describe(input)} must be known when the op is created")
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    positions = [list(c) for c in choose(range(n), r)]
    # (no combination: index with [] and shape the empty result as (0, r))
    return reshape(getitem(input, (positions or [],)), (len(positions), r))


def kron(input, other):
    """The Kronecker product: every entry a[i] of ``input`` times the whole of ``other``, laid out in blocks:
    ``out[i·B + j] = a[i]·b[j]`` along each dim (B: other's size there), so out's shape is the product of the
    shapes (the tensor with fewer dims gets leading 1s first).

    Built as one broadcast product: a with a size-1 dim after each of its dims, times b with a size-1 dim before
    each of its dims, then each pair of dims merged."""
    check_tensor("kron", input)
    check_tensor("kron", other)
    ndim = max(input.ndim, other.ndim)
    a, b = input, other
    while a.ndim < ndim:
        a = unsqueeze(a, 0)
    while b.ndim < ndim:
        b = unsqueeze(b, 0)
    for d in range(ndim):
        a, b = unsqueeze(a, 2 * d + 1), unsqueeze(b, 2 * d)
    product = a * b
    for d in range(ndim):
        product = flatten(product, d, d + 1)
    return product


# ------------------------------------------------------------------------------- products of matrices

def _chain_order(sizes):
    """The cheapest way to parenthesize a chain of matrix products (the classic dynamic program).

    Matrix i is ``sizes[i] x sizes[i + 1]``; multiplying (p x q) by (q x r) costs p·q·r multiplications.
    ``split[i][j]`` is the k where the best product of matrices i..j splits into (i..k)(k+1..j)."""
    n = len(sizes) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            cost[i][j], split[i][j] = min((cost[i][k] + cost[k + 1][j] + sizes[i] * sizes[k + 1] * sizes[j + 1], k)
                                          for k in range(i, j))
    return split


def _multiply_chain(matrices, split, i, j):
    if i == j:
        return matrices[i]
    k = split[i][j]
    return matmul(_multiply_chain(matrices, split, i, k), _multiply_chain(matrices, split, k + 1, j))


def linalg_multi_dot(tensors):
    """The product of two or more matrices, multiplied in the cheapest order (``torch.linalg.multi_dot``).

    The first may be a vector (taken as a row) and the last a vector (a column); their added dims are removed
    from the result. Matrix products are associative, so the order changes the cost, not the value (up to
    rounding): ``(A B) v`` with A, B of n x n costs n³ + n², ``A (B v)`` only 2 n²."""
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"multi_dot(): expected a list or tuple of tensors, got {type(tensors).__name__}")
    if len(tensors) < 2:
        raise OpError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    tensors = _tensor_list("multi_dot", tensors)
    last = len(tensors) - 1
    for i, x in enumerate(tensors):
        allowed = (1, 2) if i in (0, last) else (2,)
        if x.ndim not in allowed:
            which = "first" if i == 0 else "last" if i == last else "middle"
            raise OpError(f"multi_dot(): the {which} tensor must be {' or '.join(f'{d}D' for d in allowed)} but "
                          f"got {x.ndim}D ({describe(x)})")
    require_same_dtype("multi_dot", [(f"tensor {i}", x) for i, x in enumerate(tensors)])
    row, column = tensors[0].ndim == 1, tensors[-1].ndim == 1
    matrices = [unsqueeze(tensors[0], 0) if row else tensors[0], *tensors[1:-1],
                unsqueeze(tensors[-1], -1) if column else tensors[-1]]
    for i, (a, b) in enumerate(zip(matrices, matrices[1:])):
        if None not in (a.shape[1], b.shape[0]) and a.shape[1] != b.shape[0]:
            raise OpError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                          f"{list(tensors[i + 1].shape)} cannot be multiplied")
    sizes = [m.shape[0] for m in matrices] + [matrices[-1].shape[1]]
    if known(sizes):
        result = _multiply_chain(matrices, _chain_order(sizes), 0, len(matrices) - 1)
    else:  # sizes known only at run time: left to right
        result = matrices[0]
        for m in matrices[1:]:
            result = matmul(result, m)
    dims = ((0,) if row else ()) + ((-1,) if column else ())
    return squeeze(result, dims) if dims else result


def chain_matmul(*matrices):
    """The product of one or more matrices (deprecated in PyTorch in favour of ``linalg.multi_dot``, which is
    what it computes)."""
    warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
         "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
         "parameters.")
    matrices = _tensor_list("chain_matmul", matrices) if matrices else ()
    if not matrices:
        raise OpError("chain_matmul(): Expected one or more matrices")
    for x in matrices:
        if x.ndim != 2:
            raise OpError(f"chain_matmul(): Tensor dimension is {x.ndim}, expected 2 instead ({describe(x)})")
    return matrices[0] if len(matrices) == 1 else linalg_multi_dot(matrices)


# ------------------------------------------------------------------------------ rotating and picking

def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90° ``k`` times in the plane of ``dims``, from the first dim's axis towards the second's
    (a negative k turns the other way). Once is a flip of dims[1] and a swap of the two dims; twice flips both."""
    check_tensor("rot90", input)
    dims = ints("rot90", dims, "dims")
    if len(dims) != 2:
        raise OpError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise OpError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim} ({describe(input)})")
    d0, d1 = (normalize_dim("rot90", d, input.ndim) for d in dims)
    if d0 == d1:
        raise OpError(f"rot90: expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    turns = operator.index(k) % 4
    if turns == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if turns == 2:
        return flip(input, (d0, d1))
    if turns == 3:
        return flip(transpose(input, d0, d1), (d1,))
    return clone(input)  # a new tensor even for no turn, as PyTorch's


def select(input, dim, index):
    """The slice at position ``index`` along ``dim``, with that dim removed: ``x[:, ..., index]``."""
    check_tensor("select", input)
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = normalize_dim("select", dim, input.ndim)
    index, size = operator.index(index), input.shape[dim]
    if size is not None and not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {dim}")
    return getitem(input, (slice(None),) * dim + (index,))


# ------------------------------------------------------------------------------------------ splitting

def _split_points(op_name, indices_or_sections):
    """``indices_or_sections`` as Python ints: an int, a sequence of ints, or an integer tensor whose values
    are known now (an eager one: the number of pieces it makes must be known before the op runs)."""
    if is_tensor(indices_or_sections):
        if indices_or_sections.dtype.kind not in "iu" or indices_or_sections.ndim > 1:
            raise TypeError(f"{op_name}: expected tensor_indices_or_sections to be a 0-d or 1-d integer tensor, "
                            f"but got {describe(indices_or_sections)}")
        if not hasattr(indices_or_sections, "tolist"):
            raise OpError(f"{op_name}: the split points must be known when the op is created; pass ints")
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, (list, tuple)):
        return list(ints(op_name, indices_or_sections, "indices"))
    if isinstance(indices_or_sections, bool) or not isinstance(indices_or_sections, int):
        raise TypeError(f"{op_name}(): indices_or_sections must be an int, a sequence of ints or an integer tensor, "
                        f"got {type(indices_or_sections).__name__}")
    return indices_or_sections


def tensor_split(input, indices_or_sections=None, dim=0, *, indices=None, sections=None,
                 tensor_indices_or_sections=None):
    """Cut ``input`` along ``dim``, into ``sections`` nearly equal pieces (an int: the first ``size % sections``
    pieces get one entry more) or at the given ``indices`` (pieces ``x[:i0], x[i0:i1], ..., x[ik:]``, with
    Python's slicing rules, so a decreasing pair gives an empty piece). Each piece is a slice of ``input``.
    PyTorch's keyword forms name which: ``indices=``, ``sections=``, ``tensor_indices_or_sections=``."""
    check_tensor("tensor_split", input)
    given = [v for v in (indices_or_sections, indices, sections, tensor_indices_or_sections) if v is not None]
    if len(given) != 1:
        raise TypeError("tensor_split(): give the cut points or the number of sections once (indices_or_sections, "
                        "indices=, sections= or tensor_indices_or_sections=)")
    indices_or_sections = given[0]
    if input.ndim == 0:
        raise OpError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    dim = normalize_dim("tensor_split", dim, input.ndim)
    points = _split_points("tensor_split", indices_or_sections)
    if isinstance(points, int):
        if points <= 0:
            raise OpError(f"tensor_split: number of sections must be larger than 0, got {points}")
        size = input.shape[dim]
        if size is None:
            raise OpError(f"tensor_split: the size of dimension {dim} of {describe(input)} must be known when the "
                          "op is created")
        quotient, remainder = divmod(size, points)
        lengths = [quotient + 1] * remainder + [quotient] * (points - remainder)
        points = list(itertools.accumulate(lengths))[:-1]
    bounds = [None, *points, None]
    return tuple(getitem(input, (slice(None),) * dim + (slice(start, stop),))
                 for start, stop in zip(bounds, bounds[1:]))


def _split_along(op_name, x, indices_or_sections, dim, min_dims):
    """``hsplit``/``vsplit``/``dsplit``: ``tensor_split`` along one dim; an int must divide that dim evenly."""
    check_tensor(op_name, x)
    if x.ndim < min_dims:
        raise OpError(f"torch.{op_name} requires a tensor with at least {min_dims} dimension, but got a tensor "
                      f"with {x.ndim} dimensions!")
    points = _split_points(op_name, indices_or_sections)
    size = x.shape[dim]
    if isinstance(points, int) and (points == 0 or size is not None and size % points):
        raise OpError(f"torch.{op_name} attempted to split along dimension {dim}, but the size of the dimension "
                      f"{size} is not divisible by the split_size {points}!")
    return tensor_split(x, points, dim)


def hsplit(input, indices_or_sections):
    """Split horizontally: along dim 1 (the columns), or dim 0 for a vector."""
    check_tensor("hsplit", input)
    return _split_along("hsplit", input, indices_or_sections, 1 if input.ndim > 1 else 0, 1)


def vsplit(input, indices_or_sections):
    """Split vertically: along dim 0 (the rows) of a tensor with at least 2 dims."""
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """Split in depth: along dim 2 of a tensor with at least 3 dims."""
    return _split_along("dsplit", input, indices_or_sections, 2, 3)
