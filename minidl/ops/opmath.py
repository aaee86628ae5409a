"""Half precision computed in single precision, as PyTorch's kernels compute it.

PyTorch's elementwise kernels load float16 operands, compute in float32 (their ``opmath`` type) and round the
result to float16 once. Computed in float16 throughout, an intermediate may overflow where the result does not:
``300 · 300 / 2`` is 45000, but the product 90000 on the way is past float16's largest number, 65504. Ops whose
formula has such an intermediate (a product, a difference, a scaled value) wrap their forward in
``float16_in_float32``.
"""
import functools

from ..backend import dtypes


def float16_in_float32(forward):
    """``forward(xp, *args, **attrs)`` computing in float32 when an argument is a float16 array, the result rounded
    back to float16; other dtypes pass through untouched."""
    @functools.wraps(forward)
    def computed(xp, *args, **attrs):
        if not any(getattr(a, "dtype", None) == dtypes.float16 for a in args):
            return forward(xp, *args, **attrs)
        widened = [a.astype(dtypes.float32) if getattr(a, "dtype", None) == dtypes.float16 else a for a in args]
        return forward(xp, *widened, **attrs).astype(dtypes.float16)
    return computed
