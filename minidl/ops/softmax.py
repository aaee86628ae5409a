"""softmax and log_softmax along a dim: fused ops, numerically stable, each with its own VJP.

softmax(x)_i = exp(x_i) / sum_j exp(x_j). Computed naively, exp(1000) overflows to inf and the result is NaN;
subtracting the max first changes nothing mathematically (the factor exp(-max) cancels) and keeps every exp()
at most 1. log_softmax is not log(softmax(x)) — that would round small probabilities to 0 and give -inf — but
x - max - log(sum(exp(x - max))).

``dim`` is required, as in ``torch.softmax`` (PyTorch's guess of a dim when none is given is deprecated).
"""
from ..backend import dtypes
from .base import Op, apply, describe
from .cast import cast
from .infer import same_spec
from .reduce import check_tensor, reduce_dims, stable_max, sum


class Softmax(Op):
    """y = exp(x - max) / sum(exp(x - max)); VJP: y * (g - sum(g * y)), the sum taken along dim."""
    saves_inputs = ()
    saves_outputs = True
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, dims):
        e = xp.exp(x - stable_max(xp, x, dims))
        return e / xp.sum(e, axis=dims, keepdims=True)

    @staticmethod
    def vjp(ctx, g):
        y = ctx.outputs[0]
        gy = g * y
        return (gy - y * sum(gy, ctx.attrs["dims"], keepdim=True),)


class LogSoftmax(Op):
    """y = (x - max) - log(sum(exp(x - max))); VJP: g - exp(y) * sum(g), the sum taken along dim."""
    saves_inputs = ()
    saves_outputs = True
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, dims):
        shifted = x - stable_max(xp, x, dims)
        return shifted - xp.log(xp.sum(xp.exp(shifted), axis=dims, keepdims=True))

    @staticmethod
    def vjp(ctx, g):
        from .unary import exp
        return (g - exp(ctx.outputs[0]) * sum(g, ctx.attrs["dims"], keepdim=True),)


def _normalize(op_name, x, dim, dtype):
    check_tensor(op_name, x)
    if dim is None or isinstance(dim, (tuple, list)):
        raise TypeError(f"{op_name}(): dim must be an int (the dim to normalize over), got {dim!r}")
    if dtype is not None:
        x = cast(x, dtype)
    if not dtypes.is_floating_point(x.dtype):
        raise TypeError(f"{op_name}(): expected a floating point tensor, got {describe(x)}; convert it with "
                        f".float() or pass dtype=")
    return x, reduce_dims(op_name, x, dim)


def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``: non-negative entries summing to 1. ``dtype=`` converts x first."""
    input, dims = _normalize("softmax", input, dim, dtype)
    return apply(Softmax, input, dims=dims)


def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably. ``dtype=`` converts x first."""
    input, dims = _normalize("log_softmax", input, dim, dtype)
    return apply(LogSoftmax, input, dims=dims)


__all__ = ["softmax", "log_softmax"]
