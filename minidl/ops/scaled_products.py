"""An input plus a scaled product, in one call — PyTorch's fused update formulas:

* elementwise: ``addcmul``: ``input + value · t1 · t2``; ``addcdiv``: ``input + value · t1 / t2`` (Adam's update
  ``p.addcdiv_(m, sqrt(v) + eps, value=-lr)`` is the classic use);
* matrix products, ``beta · input + alpha · product``: ``baddbmm`` (batched products), ``addbmm`` (the batched
  products summed into one matrix), ``addmv`` (matrix · vector), ``addr`` (the outer product of two vectors);
  ``addmm`` (matrix · matrix) lives in ``matrix.py`` with the helper they share.

Each is a composition of ops that already have gradients, so none needs a VJP of its own.
"""
from ..backend import dtypes
from .base import DtypeError, OpError, describe, is_tensor
from .cast import cast
from .linalg import _product_operands, bmm, matmul, outer
from .matrix import add_scaled_product
from .promote import number_as, promote
from .reduce import sum

__all__ = ["addcmul", "addcdiv", "baddbmm", "addbmm", "addmv", "addr"]


def _check_elementwise(op_name, *operands):
    for what, t in zip(("input", "tensor1", "tensor2"), operands):
        if not is_tensor(t):
            raise TypeError(f"{op_name}(): argument '{what}' must be a tensor, not {type(t).__name__}")


def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value · tensor1 · tensor2``, elementwise; the three broadcast together and promote like ``+``."""
    return _plus(input, addcmul_term(input, tensor1, tensor2, value=value), tensor1, tensor2)


def _plus(input, term, tensor1, tensor2):
    """``input + term`` in the dtype the three operands promote to: a float16 one comes back from float32, where
    its term was computed (``_in_opmath``), rounded once."""
    total = input + term
    if not _computed_in_float32(input, tensor1, tensor2):
        return total
    return cast(total, dtypes.float16)


def _computed_in_float32(input, tensor1, tensor2):
    """Whether the three operands promote to float16, whose arithmetic runs in float32, as PyTorch's kernels run
    it (``opmath``): 300 · 300 / 2 is 45000 in float16, but the product 90000 on the way there is not. (Only
    operands with a float16 among them pay for the promotion: an optimizer's step passes here per parameter.)"""
    if all(t.dtype != dtypes.float16 for t in (input, tensor1, tensor2)):
        return False
    return promote("addcmul", input, tensor1, tensor2)[0] == dtypes.float16


def _in_opmath(input, tensor1, tensor2):
    """``(tensor1, tensor2)``, in float32 where the operands promote to float16 (``_computed_in_float32``)."""
    if _computed_in_float32(input, tensor1, tensor2):
        return cast(tensor1, dtypes.float32), cast(tensor2, dtypes.float32)
    return tensor1, tensor2


def addcmul_term(input, tensor1, tensor2, *, value=1):
    """``value · tensor1 · tensor2``: what ``addcmul`` adds to ``input`` (``addcmul_`` adds it in place); in
    float32 for float16 operands."""
    _check_elementwise("addcmul", input, tensor1, tensor2)
    # the product in the dtype of the whole result (uint8 factors beside a float input must not wrap around), with
    # ``value`` as that dtype holds it (2.5 is 2 for an int32 result), as in PyTorch
    dtype, (_, tensor1, tensor2) = promote("addcmul", input, tensor1, tensor2)
    if dtype == dtypes.float16:  # (``_computed_in_float32``; the promotion is at hand here)
        tensor1, tensor2 = cast(tensor1, dtypes.float32), cast(tensor2, dtypes.float32)
    product = tensor1 * tensor2
    return product if value == 1 else product * number_as(product.dtype, value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value · tensor1 / tensor2``, elementwise (true division). Two integer tensors are refused, as in
    PyTorch, whose addcdiv once divided them as integers."""
    return _plus(input, addcdiv_term(input, tensor1, tensor2, value=value), tensor1, tensor2)


def addcdiv_term(input, tensor1, tensor2, *, value=1):
    """``value · tensor1 / tensor2``: what ``addcdiv`` adds to ``input``; in float32 for float16 operands."""
    _check_elementwise("addcdiv", input, tensor1, tensor2)
    if tensor1.dtype.kind in "biu" and tensor2.dtype.kind in "biu":
        raise DtypeError("addcdiv: Integer division with addcdiv is no longer supported, and in a future release "
                         "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior "
                         "can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                         "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                         "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for "
                         f"all dtypes. (Got {describe(tensor1)} and {describe(tensor2)}.)")
    tensor1, tensor2 = _in_opmath(input, tensor1, tensor2)
    quotient = tensor1 / tensor2
    return quotient if value == 1 else quotient * value


def _vectors(op_name, **named):
    for what, t in named.items():
        if t.ndim != 1:
            raise OpError(f"{op_name}: Expected 1-D argument {what}, but got {describe(t)}")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta · input + alpha · (batch1 @ batch2)`` for batches of matrices (b, n, m) @ (b, m, p) -> (b, n, p);
    ``input`` broadcasts to that shape."""
    _product_operands("baddbmm", input, batch1, batch2)
    return add_scaled_product("baddbmm", input, bmm(batch1, batch2), beta, alpha, "batch1 @ batch2")


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta · input + alpha · Σ_b batch1[b] @ batch2[b]``: the products of a batch summed into one (n, p) matrix
    (a sum over the batch, e.g. of per-example outer products); ``input`` broadcasts to (n, p)."""
    _product_operands("addbmm", input, batch1, batch2)
    return add_scaled_product("addbmm", input, sum(bmm(batch1, batch2), 0), beta, alpha,
                              "the summed products batch1 @ batch2")


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta · input + alpha · (mat @ vec)``, matrix (n, m) times vector (m) -> (n); ``input`` broadcasts to n."""
    _product_operands("addmv", input, mat, vec)
    if mat.ndim != 2 or vec.ndim != 1 or input.ndim > 1:
        raise OpError(f"addmv: vector + matrix @ vector expected, got {describe(input)}, {describe(mat)}, "
                      f"{describe(vec)}")
    if None not in (mat.shape[1], vec.shape[0]) and mat.shape[1] != vec.shape[0]:
        raise OpError(f"addmv: size mismatch, got input {describe(input)}, mat {describe(mat)}, vec {describe(vec)}")
    return add_scaled_product("addmv", input, matmul(mat, vec), beta, alpha, "mat @ vec")


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``beta · input + alpha · outer(vec1, vec2)``: a rank-one update of the (n, m) matrix ``input`` (which
    broadcasts to that shape)."""
    _product_operands("addr", input, vec1, vec2)
    _vectors("addr", vec1=vec1, vec2=vec2)
    return add_scaled_product("addr", input, outer(vec1, vec2), beta, alpha, "outer(vec1, vec2)")
