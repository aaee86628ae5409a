"""Changing a tensor's dtype."""
from ..backend import dtypes
from .base import Op, Spec, apply


class Cast(Op):
    """``y = x.astype(dtype)``. The gradient flows back cast to the input's dtype (real part for complex->real)."""
    name = "ToCopy"  # PyTorch's grad_fn name for .to(dtype)
    saves_inputs = ()

    @staticmethod
    def forward(xp, x, dtype):
        return x.astype(dtype, copy=False)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        if not dtypes.is_differentiable(x.dtype):
            return (None,)
        if dtypes.is_complex(g.dtype) and not dtypes.is_complex(x.dtype):
            from .spectral import real
            g = real(g)
        return (cast(g, x.dtype),)

    @staticmethod
    def infer(spec, dtype):
        return Spec(spec.shape, dtype)


def cast(x, dtype):
    """Return ``x`` converted to ``dtype`` (``x`` itself when it already has it)."""
    dtype = dtypes.as_dtype(dtype)
    if x.dtype == dtype:
        return x
    return apply(Cast, x, dtype=dtype)
