"""numpy's names for two arguments, accepted where PyTorch accepts them: ``x.sum(axis=1)``,
``torch.mean(x, axis=0, keepdims=True)`` mean ``dim=`` and ``keepdim=``.

Code moving between numpy and PyTorch mixes the two spellings, and PyTorch takes both. minidl's op functions are
written with PyTorch's names only; the eager front-end wraps those that have a ``dim`` or ``keepdim`` argument.
"""
import functools
import inspect


def accept_numpy_names(fn):
    """``fn``, or, if it takes ``dim``/``keepdim``, a wrapper that also takes ``axis``/``keepdims`` for them."""
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return fn
    if "dim" not in parameters and "keepdim" not in parameters:
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if "axis" in kwargs:
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)
    return wrapper
