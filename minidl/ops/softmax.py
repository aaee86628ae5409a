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
from .reduce import check_tensor, reduce_dims, slice_max, sum


class Softmax(Op):
    """y = exp(x - max) / sum(exp(x - max)); VJP: ``SoftmaxGrad``, y * (g - sum(g * y)), the sum along dim."""
    saves_inputs = ()
    saves_outputs = True
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, dims):
        e = xp.exp(x - slice_max(xp, x, dims))
        return e / xp.sum(e, axis=dims, keepdims=True)

    @staticmethod
    def vjp(ctx, g):
        return (apply(SoftmaxGrad, g, ctx.outputs[0], **ctx.attrs),)


class SoftmaxGrad(Op):
    """The VJP of softmax as one op (four ops' worth of Python, and temporaries, otherwise):
    ``out = y * (g - S)`` with ``S = sum(g * y)`` along dim, from the gradient ``g`` and softmax's output ``y``.

    Its own VJP, for a cotangent u: it is linear in g with a symmetric matrix (diag(y) - y y^T), so
    d g = ``SoftmaxGrad(u, y)``; and d y = u * (g - S) - g * sum(u * y).
    """
    infer = staticmethod(lambda g, y, **attrs: y)

    @staticmethod
    def forward(xp, g, y, dims):
        gy = g * y
        total = xp.sum(gy, axis=dims, keepdims=True)
        gy -= y * total
        return gy

    @staticmethod
    def vjp(ctx, u):
        g, y = ctx.inputs
        dims = ctx.attrs["dims"]
        need_g, need_y = ctx.needs_input_grad
        return (apply(SoftmaxGrad, u, y, dims=dims) if need_g else None,
                u * (g - sum(g * y, dims, keepdim=True)) - g * sum(u * y, dims, keepdim=True) if need_y else None)


class LogSoftmax(Op):
    """y = (x - max) - log(sum(exp(x - max))); VJP: ``LogSoftmaxGrad``, g - exp(y) * sum(g), the sum along dim."""
    saves_inputs = ()
    saves_outputs = True
    infer = staticmethod(same_spec)

    @staticmethod
    def forward(xp, x, dims):
        shifted = x - slice_max(xp, x, dims)
        shifted -= xp.log(xp.sum(xp.exp(shifted), axis=dims, keepdims=True))
        return shifted

    @staticmethod
    def vjp(ctx, g):
        return (apply(LogSoftmaxGrad, g, ctx.outputs[0], **ctx.attrs),)


class LogSoftmaxGrad(Op):
    """The VJP of log_softmax as one op: ``out = g - p * S`` with ``p = exp(y)`` (the softmax) and
    ``S = sum(g)`` along dim, from the gradient ``g`` and log_softmax's output ``y``.

    Its own VJP, for a cotangent u: d g = u - sum(u * p) (out_i depends on g_j through δ_ij - p_i), and
    d y = -u * p * S (only p_i depends on y_i, with dp_i/dy_i = p_i).
    """
    infer = staticmethod(lambda g, y, **attrs: y)

    @staticmethod
    def forward(xp, g, y, dims):
        p_times_total = xp.exp(y)
        p_times_total *= xp.sum(g, axis=dims, keepdims=True)
        return g - p_times_total

    @staticmethod
    def vjp(ctx, u):
        from .unary import exp
        g, y = ctx.inputs
        dims = ctx.attrs["dims"]
        need_g, need_y = ctx.needs_input_grad
        p = exp(y)
        return (u - sum(u * p, dims, keepdim=True) if need_g else None,
                -(u * p * sum(g, dims, keepdim=True)) if need_y else None)


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
