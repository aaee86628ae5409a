"""Products of tensors: matmul (and its strict forms mm, bmm, dot), outer, linear, and einsum.

Every op here has a gradient made of products again (a matrix product's gradient is a matrix product, an
einsum's gradient is an einsum), so second-order gradients come for free. Besides ``MatMul`` and ``Einsum``, two
ops name the products that training multiplies most: ``Linear`` (``x w^T + b``, a layer's forward and the
``g b^T`` of a matrix product's gradient) and ``TransposedProduct`` (``a^T b`` over all rows, a weight's gradient).
One op each instead of a product with transposes, flattens and an add around it: ``linear`` measured 10-35%
faster than that composition on MLP-sized layers (fewer tape nodes and temporaries). Complex operands follow
PyTorch: the gradient through ``y = a b`` is ``g b^H``, with the conjugate transpose.
"""
import math
import string

from ..backend import dtypes
from .arithmetic import _conj
from .base import Op, OpError, Spec, apply, describe, is_tensor
from .broadcast import ones_like, sum_to_like
from .infer import broadcast_shapes, rank_is_known
from .promote import require_same_dtype
from .shape import Transpose, squeeze, unsqueeze


def _check_tensors(op_name, *operands):
    for x in operands:
        if not is_tensor(x):
            raise TypeError(f"{op_name}: expected tensors, got {type(x).__name__} ({describe(x)})")


def _product_operands(op_name, *operands):
    """The operands of a product, checked: tensors of one dtype (products never promote, see
    ``require_same_dtype``), not bool (as in PyTorch)."""
    _check_tensors(op_name, *operands)
    dtype = operands[0].dtype
    if any(x.dtype != dtype for x in operands[1:]):  # the names are spelled out only for the error
        require_same_dtype(op_name, [(f"m{i + 1}", x) for i, x in enumerate(operands)], cast_by_autocast=True)
    if dtype == dtypes.bool_:
        raise TypeError(f"{op_name}: not implemented for bool tensors (got "
                        f"{', '.join(describe(x) for x in operands)}); cast them to an integer or float dtype")
    return operands


def _fmt(shape):
    return "x".join("?" if d is None else str(d) for d in shape)


# ----------------------------------------------------------------------------------------------- matmul

def _matmul_shape(op_name, sa, sb):
    """The shape of ``a @ b`` under numpy/PyTorch rules: a vector operand is a one-row (a) or one-column (b)
    matrix whose extra dim is dropped again, and leading (batch) dims broadcast."""
    if sa is None or sb is None:
        return None
    if len(sa) == 2 and len(sb) == 2 and sa[1] == sb[0] and sa[1] is not None:  # the common case, answered first
        return sa[0], sb[1]
    if len(sa) == 0 or len(sb) == 0:
        raise OpError(f"{op_name}: both arguments need to be at least 1D, but they are {len(sa)}D and "
                      f"{len(sb)}D")
    k_a, k_b = sa[-1], sb[-2] if len(sb) > 1 else sb[0]
    if k_a is not None and k_b is not None and k_a != k_b:
        raise OpError(f"{op_name}: mat1 and mat2 shapes cannot be multiplied ({_fmt(sa)} and {_fmt(sb)})")
    batch = broadcast_shapes(op_name, sa[:-2], sb[:-2])
    return batch + tuple(sa[-2:-1]) + tuple(sb[-1:] if len(sb) > 1 else ())


def _mH(x):
    """The conjugate transpose of the last two dims (the plain transpose for real tensors)."""
    last = x.ndim - 1 if rank_is_known(x) else -1
    transposed = apply(Transpose, x, dim0=last - 1, dim1=last)
    if x.dtype.kind != "c":
        return transposed
    from .spectral import conj  # spectral comes after linalg in the import order
    return conj(transposed)


class MatMul(Op):
    """``y = a @ b`` for any operands of at least one dim (numpy's ``matmul``).

    For matrices, ``y = a b`` gives ``da = g b^H`` and ``db = a^H g`` (^H: conjugate transpose; just the
    transpose for real numbers). Batched operands do the same per batch entry, and ``sum_to_like`` sums the
    gradient over batch dims that broadcasting added or stretched. A vector operand is the one-row (``a``) or
    one-column (``b``) matrix the forward silently used; viewing it — and ``g`` — that way lets the same two
    formulas cover every case.
    """
    name = "Mm"  # PyTorch's grad_fn for the 2-D case
    forward = staticmethod(lambda xp, a, b: xp.matmul(a, b))

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        if rank_is_known(a) and rank_is_known(b) and a.ndim == b.ndim == 2 and a.dtype.kind != "c":
            # matrices: g b^T and a^T g, one op each
            return (apply(Linear, g, b) if need_a else None), (apply(TransposedProduct, a, g) if need_b else None)
        # (an operand of rank unknown until run time is a graph's, whose matmul takes matrices only)
        a_vector, b_vector = (rank_is_known(x) and x.ndim == 1 for x in (a, b))
        a2 = unsqueeze(a, 0) if a_vector else a  # (k) -> (1, k)
        b2 = unsqueeze(b, -1) if b_vector else b  # (k) -> (k, 1)
        if b_vector:  # g (..., m) -> (..., m, 1)
            g = unsqueeze(g, -1)
        if a_vector:  # g (..., n) -> (..., 1, n)
            g = unsqueeze(g, -2)
        ga = gb = None  # (the forward checked the operands: the products are applied unchecked)
        if need_a:  # a (1, k)-shaped gradient sums to (k) on its own: sum_to_like drops leading dims
            ga = sum_to_like(apply(MatMul, g, _mH(b2)), a)
        if need_b:
            gb = apply(MatMul, _mH(a2), g)
            gb = sum_to_like(squeeze(gb, -1) if b_vector else gb, b)
        return ga, gb

    @staticmethod
    def infer(a, b):
        return Spec(_matmul_shape("matmul", a.shape, b.shape), a.dtype)


def _product(op_name, a, b):
    a, b = _product_operands(op_name, a, b)
    if rank_is_known(a) and rank_is_known(b):  # (else checked when the values come)
        _matmul_shape(op_name, a.shape, b.shape)
    return apply(MatMul, a, b)


def matmul(input, other):
    """The matrix product with PyTorch's cases: vector·vector is a dot product, matrix·vector and vector·matrix
    treat the vector as a row/column and drop that dim again, and N-D operands are stacks of matrices whose
    batch dims broadcast."""
    return _product("matmul", input, other)


def mm(input, mat2):
    """Matrix product of two 2-D tensors (no broadcasting, no vectors)."""
    _check_tensors("mm", input, mat2)
    for what, x in (("self", input), ("mat2", mat2)):
        if x.ndim != 2:
            raise OpError(f"mm: {what} must be a matrix (2-D), got {describe(x)}")
    return _product("mm", input, mat2)


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors with the same batch size (no broadcasting)."""
    _check_tensors("bmm", input, mat2)
    for what, x in (("batch1", input), ("batch2", mat2)):
        if x.ndim != 3:
            raise OpError(f"bmm: {what} must be a 3D tensor, got {describe(x)}")
    n1, n2 = input.shape[0], mat2.shape[0]
    if n1 is not None and n2 is not None and n1 != n2:
        raise OpError(f"bmm: batch1 and batch2 must have the same number of batches, got {describe(input)} and "
                      f"{describe(mat2)}")
    return _product("bmm", input, mat2)


def dot(input, other):
    """The dot product of two 1-D tensors of the same length (no complex conjugation, like PyTorch's)."""
    _check_tensors("dot", input, other)
    if input.ndim != 1 or other.ndim != 1:
        raise OpError(f"dot: 1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors "
                      f"({describe(input)} and {describe(other)})")
    n1, n2 = input.shape[0], other.shape[0]
    if n1 is not None and n2 is not None and n1 != n2:
        raise OpError(f"dot: inconsistent tensor size, expected tensors of the same length, got {n1} and {n2} "
                      f"elements ({describe(input)} and {describe(other)})")
    return _product("dot", input, other)


def outer(input, vec2):
    """``out[i, j] = input[i] * vec2[j]``: a broadcast product, as PyTorch computes it (its gradient is mul's)."""
    _check_tensors("outer", input, vec2)
    for what, x in (("self", input), ("vec2", vec2)):
        if x.ndim != 1:
            raise OpError(f"outer: expected 1-D argument {what}, but got {describe(x)}")
    return unsqueeze(input, -1) * vec2


ger = outer


# ------------------------------------------------------------------------------------ linear layers

class Linear(Op):
    """``y = x @ w.T + b`` for x (..., in), w (out, in), b (out) or absent (``w.T`` is a view: numpy's matmul
    reads it in place).

    VJP: ``dx = g @ w``; ``dw = g.T @ x`` with all leading dims of x and g flattened into one (summing over them:
    ``TransposedProduct``); ``db = g`` summed over the leading dims. All of them are products, so second order
    comes for free. (For complex numbers the factors are conjugated: ``dx = g @ conj(w)``, ``dw = g.T @ conj(x)``.)
    """
    name = "Addmm"  # PyTorch's grad_fn for the common case (2-D input with a bias)

    @staticmethod
    def forward(xp, x, w, *b):
        if x.dtype == xp.float16:  # PyTorch adds the bias to the float32 products and rounds once: so here
            wide = [a.astype(xp.float32) for a in (x, w, *b)]
            return Linear.forward(xp, *wide).astype(xp.float16)
        # numpy multiplies a stack of matrices by w.T (a transposed view) about twice as slowly as one 2-D matrix
        # holding the same rows: flatten the leading dims of x into rows, and restore them afterwards
        rows = x.reshape(math.prod(x.shape[:-1]), x.shape[-1]) if x.ndim > 2 else x
        y = xp.matmul(rows, w.T)
        if b:
            y += b[0]
        return y.reshape(x.shape[:-1] + (w.shape[0],)) if x.ndim > 2 else y

    @staticmethod
    def vjp(ctx, g):
        x, w, *b = ctx.inputs
        need_x, need_w, *need_b = ctx.needs_input_grad
        dw = None
        if need_w:
            dw = outer(g, _conj(x)) if x.ndim == 1 else apply(TransposedProduct, g, _conj(x))
        return ((matmul(g, _conj(w)) if need_x else None), dw) + \
            tuple(sum_to_like(g, b[0]) if need else None for need in need_b)

    @staticmethod
    def infer(x, w, *b):
        return Spec(tuple(x.shape[:-1]) + (w.shape[0],), x.dtype)


class TransposedProduct(Op):
    """``y = a^T b`` summed over every leading dim: a (..., m) and b (..., n) with the same leading dims give the
    (m, n) matrix ``sum_r a_r^T b_r`` over their rows r — for matrices, just ``a.T @ b``. It is the weight gradient
    of a linear layer (``g^T x`` over a batch, over the steps of a sequence too) and ``a^T g`` in a matrix product's
    gradient: one op where transposing and flattening would take three more.

    Bilinear: for a cotangent V (m, n), ``da = b V^T`` and ``db = a V`` (conjugating b and a for complex numbers).
    """
    @staticmethod
    def forward(xp, a, b):
        rows = math.prod(a.shape[:-1])
        return xp.matmul(a.reshape(rows, a.shape[-1]).T, b.reshape(rows, b.shape[-1]))

    @staticmethod
    def vjp(ctx, v):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (apply(Linear, _conj(b), v) if need_a else None), (matmul(_conj(a), v) if need_b else None)

    @staticmethod
    def infer(a, b):
        return Spec((a.shape[-1], b.shape[-1]), a.dtype)


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``: ``input`` (..., in_features), ``weight`` (out_features, in_features),
    ``bias`` (out_features) or None."""
    named = (("input", input), ("weight", weight)) if bias is None else \
        (("input", input), ("weight", weight), ("bias", bias))
    for what, t in named:
        if not is_tensor(t):
            raise TypeError(f"linear(): argument '{what}' must be a tensor, not {type(t).__name__}")
    if weight.ndim == 1 and input.ndim > 0:  # one output's weights, as PyTorch allows: that output's dim is dropped
        out = squeeze(linear(input, unsqueeze(weight, 0)), -1)
        return out if bias is None else out + bias
    if weight.ndim != 2 or input.ndim == 0:
        raise OpError(f"linear: expected input (..., in_features) and a 2-D weight (out_features, in_features), "
                      f"got input {describe(input)} and weight {describe(weight)}")
    require_same_dtype("linear", named, cast_by_autocast=True)
    if not (dtypes.is_floating_point(input.dtype) or dtypes.is_complex(input.dtype)):
        raise TypeError(f"linear: expected floating point tensors, got input {describe(input)} and weight "
                        f"{describe(weight)}")
    input_shape, (out_features, in_features) = input.shape, weight.shape
    if None not in (input_shape[-1], in_features) and input_shape[-1] != in_features:
        raise OpError(f"linear: mat1 and mat2 shapes cannot be multiplied ({_fmt(input_shape)} and "
                      f"{_fmt((in_features, out_features))}): input {describe(input)}, weight {describe(weight)}")
    # the usual bias, one number per output, fits; anything else must broadcast to the output's shape
    if bias is not None and not (bias.ndim == 1 and out_features is not None and bias.shape[0] == out_features):
        out_shape = tuple(input_shape[:-1]) + (out_features,)
        grown = broadcast_shapes("linear (bias)", bias.shape, out_shape)
        if len(grown) != len(out_shape) or any(None not in (g, o) and g != o for g, o in zip(grown, out_shape)):
            raise OpError(f"linear: bias {describe(bias)} does not broadcast to the output's shape {list(out_shape)}")
    return apply(Linear, input, weight) if bias is None else apply(Linear, input, weight, bias)


# ----------------------------------------------------------------------------------------------- einsum

def _parse_einsum(equation, shapes):
    """Check ``equation`` against the operand shapes and rewrite it without ellipses or implicit output.

    Returns ``(terms, output)``: one string of subscript letters per operand and one for the result. Each
    ``...`` becomes fresh letters for the dims it covers, aligned from the right across operands (that is how
    ellipsis dims broadcast); without ``->`` the output is the ellipsis dims, then the letters used exactly once,
    in alphabetical order.
    """
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise OpError(f"einsum: the equation {equation!r} names {len(terms)} operand(s) but {len(shapes)} were "
                      f"given")
    for where, term in [(f"operand {i}", t) for i, t in enumerate(terms)] + [("the output", rhs)]:
        bad = set(term.replace("...", "")) - set(string.ascii_letters)
        if bad or term.count("...") > 1:
            raise OpError(f"einsum: invalid subscripts {term!r} for {where} in {equation!r}: subscripts must be "
                          f"letters in [a-zA-Z], with at most one '...'")
    free = [c for c in string.ascii_letters if c not in eq]
    ellipsis_dims = []
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        named = len(term.replace("...", ""))
        if len(shape) < named or ("..." not in term and len(shape) != named):
            raise OpError(f"einsum: operand {i} has shape {tuple(shape)} but its subscripts {term!r} name "
                          f"{named} dim(s){'' if '...' in term else ' and no ellipsis was given'}")
        ellipsis_dims.append(len(shape) - named)
    n_ellipsis = max(ellipsis_dims, default=0)
    if len(free) < n_ellipsis:
        raise OpError(f"einsum: too many dims in {equation!r} (at most 52 distinct subscripts)")
    ellipsis = "".join(free[:n_ellipsis])
    terms = [t.replace("...", ellipsis[n_ellipsis - n:]) for t, n in zip(terms, ellipsis_dims)]
    if arrow:
        output = rhs.replace("...", ellipsis)
    else:
        once = [c for c in lhs if c.isalpha() and lhs.count(c) == 1]
        output = ellipsis + "".join(sorted(once))
    for c in output:
        if output.count(c) > 1:
            raise OpError(f"einsum: output subscript {c!r} appears more than once in {equation!r}")
        if not any(c in t for t in terms):
            raise OpError(f"einsum: output subscript {c!r} does not appear in any input of {equation!r}")
    return terms, output


def _einsum_sizes(terms, shapes):
    """The size of each letter: the same in every operand, or 1 there (which broadcasts); None where unknown."""
    sizes, owner = {}, {}  # letter -> size so far, and the operand that set it
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        own = {}
        for c, n in zip(term, shape):
            if c in own and None not in (n, own[c]) and n != own[c]:
                raise OpError(f"einsum: subscript {c!r} is repeated in operand {i} (shape {tuple(shape)}) but "
                              f"the sizes don't match, {own[c]} != {n}")
            own[c] = n
        for c, n in own.items():
            m = sizes.get(c, 1)
            if None not in (n, m) and n != m and 1 not in (n, m):
                j = owner[c]
                raise OpError(f"einsum: subscript {c!r} has size {n} in operand {i} (shape {tuple(shape)}), which "
                              f"does not broadcast with size {m} in operand {j} (shape {tuple(shapes[j])})")
            if m == 1 or m is None and n != 1:
                sizes[c], owner[c] = n, i
    return sizes


class Einsum(Op):
    """``xp.einsum`` on an equation with explicit output and no ellipsis (``einsum()`` rewrites it so).

    The result is linear in each operand, so the gradient of operand ``i`` (subscripts ``t``) is the einsum that
    multiplies ``g`` (the output's subscripts) by the conjugated other operands and keeps the letters of ``t``:
    ``"ij,jk->ik"`` gives ``"ik,jk->ij"`` for the first operand. Two cases need more than that:

    * a letter repeated in ``t`` (a diagonal, as in ``"ii->i"``): the gradient lives on that diagonal; the
      repeats get fresh letters and identity matrices join them, ``"i,ik->ik"`` for ``"ii->i"``;
    * a letter only ``t`` has (summed away, as in ``"ij->i"``), or one the other operands have only with size 1
      (they broadcast along it, as in ``"ij,ij->i"`` with shapes (3, 4) and (3, 1)): the gradient is constant
      along it; a tensor of ones with ``t``'s subscripts supplies the letter at its size, ``"i,ij->ij"``.

    Where an operand broadcast along a size-1 dim, ``sum_to_like`` sums the gradient back.
    """
    forward = staticmethod(lambda xp, *arrays, equation: xp.einsum(equation, *arrays))

    @staticmethod
    def vjp(ctx, g):
        from .spectral import conj
        lhs, output = ctx.attrs["equation"].split("->")
        terms = lhs.split(",")
        spare = [c for c in string.ascii_letters if c not in ctx.attrs["equation"]]
        grads = []
        for i, (x, term) in enumerate(zip(ctx.inputs, terms)):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            in_terms = [output] + terms[:i] + terms[i + 1:]
            operands = [g] + [conj(y) for y in ctx.inputs[:i] + ctx.inputs[i + 1:]]
            target = ""
            for axis, c in enumerate(term):
                if c in target:  # a repeat: a fresh letter, tied to the first by an identity matrix
                    fresh = spare.pop()
                    in_terms.append(c + fresh)
                    operands.append(apply(EyeLike, x, axis=axis))
                    c = fresh
                target += c
            if _sizes_missing(term, x, in_terms, operands):
                in_terms.append(term)
                operands.append(ones_like(x))
            grads.append(sum_to_like(einsum(",".join(in_terms) + "->" + target, *operands), x))
        return tuple(grads)

    @staticmethod
    def infer(*specs, equation):
        lhs, output = equation.split("->")
        shapes = [s.shape for s in specs]
        if any(s is None for s in shapes):
            return Spec(None, specs[0].dtype)
        sizes = _einsum_sizes(lhs.split(","), shapes)
        return Spec(tuple(sizes[c] for c in output), specs[0].dtype)


def _sizes_missing(term, x, in_terms, operands):
    """True if the einsum of ``operands`` (subscripts ``in_terms``) may not give some letter of ``term`` the size
    it has in ``x``: the letter is in no operand, or only with size 1 or a size unknown until run time."""
    shape = x.shape
    for axis, c in enumerate(term):
        sizes = [None if y.shape is None else y.shape[t.index(c)] for t, y in zip(in_terms, operands) if c in t]
        size = None if shape is None else shape[axis]
        if not sizes or size is None or (size != 1 and size not in sizes):
            return True
    return False


class EyeLike(Op):
    """The identity matrix whose size is dim ``axis`` of ``x`` (a constant used by einsum's gradient)."""
    differentiable = False
    saves_inputs = ()
    forward = staticmethod(lambda xp, x, axis: xp.eye(x.shape[axis], dtype=x.dtype))

    @staticmethod
    def infer(x, axis):
        n = None if x.shape is None else x.shape[axis]
        return Spec((n, n), x.dtype)


def _equation_of_sublists(arguments):
    """(equation, operands) of einsum's sublist form ``op0, dims0, op1, dims1, ..., [output dims]``."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def term(dims):
        if not isinstance(dims, (list, tuple)):
            raise TypeError(f"einsum: in the sublist form each operand is followed by a list of its dims, got "
                            f"{type(dims).__name__}")
        if any(d is not Ellipsis and not (isinstance(d, int) and 0 <= d < len(letters)) for d in dims):
            raise ValueError(f"einsum: sublist dims must be integers in [0, 52) or Ellipsis, got {list(dims)}")
        return "".join("..." if d is Ellipsis else letters[d] for d in dims)

    operands, terms = arguments[0:-1:2] if len(arguments) % 2 else arguments[0::2], arguments[1::2]
    equation = ",".join(term(dims) for dims in terms)
    if len(arguments) % 2:
        equation += "->" + term(arguments[-1])
    return equation, operands


def einsum(equation, *operands):
    """Einstein summation, e.g. ``einsum("ij,jk->ik", a, b)`` is ``a @ b`` and ``einsum("ii", a)`` the trace.

    Operands may also come as one list: ``einsum("ij,jk", [a, b])``, or in the sublist form, each operand followed
    by its dims as numbers (0-51 for a-z, A-Z; ``...`` as ``Ellipsis``) and the output's last:
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``. Letters of the same name must have the same size or size 1 (which
    broadcasts); ``...`` stands for the dims the letters do not name, and broadcasts.
    """
    if not isinstance(equation, str) and operands and isinstance(operands[0], (list, tuple)):
        equation, operands = _equation_of_sublists((equation,) + operands)
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string, got {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise OpError("einsum: at least one operand is required")
    operands = _product_operands("einsum", *operands)
    shapes = [x.shape for x in operands]
    terms, output = _parse_einsum(equation, shapes)
    _einsum_sizes(terms, shapes)
    return apply(Einsum, *operands, equation=",".join(terms) + "->" + output)


__all__ = ["matmul", "mm", "bmm", "dot", "outer", "ger", "linear", "einsum"]
