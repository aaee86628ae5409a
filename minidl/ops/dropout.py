"""Dropout: zero each element with probability p and scale the survivors by 1 / (1 - p).

The scaling keeps the expected value of every element unchanged, so at evaluation time (no dropout) the layer
is the identity and the next layer sees activations of the same size as in training ("inverted dropout").

Where the randomness lives. An op's forward must be pure (graph mode builds the backward before any forward
runs), so the random keep-mask is never drawn implicitly inside ``Dropout``: it is an *input*.
``dropout(x, p, mask=keep)`` multiplies by a mask the caller made; without one, ``dropout_mask`` makes it from an
explicit random generator — the one passed in (eager's ``nn.functional.dropout`` passes its default generator),
or one registered with ``set_default_generator`` (this module never imports eager). ``dropout_mask`` draws only a
seed from the generator; the mask op then draws the mask from that seed, so running it is deterministic (a traced
program draws a fresh seed at each call: ``BernoulliMask.fresh_seed``). Graph mode makes
its masks with its own seeded random ops (one fresh mask per ``Session.run``) and passes them as ``mask``.
"""
import numbers

import numpy

from ..backend import dtypes
from .base import DtypeError, Op, OpError, Spec, apply, describe, is_tensor
from .infer import broadcast_shapes, static_shape

__all__ = ["dropout", "dropout_mask"]

_default_generator = None  # a function returning the generator to use when none is given


def set_default_generator(get_generator):
    """Make ``get_generator()`` the source of masks when ``dropout`` gets no ``generator`` (for minidl.eager: a
    function returning its default generator, so that ``manual_seed`` makes dropout reproducible)."""
    global _default_generator
    _default_generator = get_generator


def _numpy_generator(generator):
    """A ``numpy.random.Generator`` from a minidl/PyTorch-style Generator (its ``numpy_generator``) or a numpy
    one; None means the registered default."""
    if generator is None:
        if _default_generator is None:
            raise RuntimeError("dropout: no random generator: pass generator= (a minidl Generator or a numpy "
                               "Generator) or mask= (no default is registered: see set_default_generator in "
                               "minidl/ops/dropout.py)")
        generator = _default_generator()
    rng = getattr(generator, "numpy_generator", generator)
    if not isinstance(rng, numpy.random.Generator):
        raise TypeError(f"dropout: generator must be a minidl Generator or a numpy.random.Generator, got "
                        f"{type(generator).__name__}")
    return rng


class BernoulliMask(Op):
    """A bool tensor shaped like ``x``, each element True (keep) with probability 1 - p, drawn from ``seed``.

    The uniform numbers are drawn on the CPU and then moved to x's device, so a seed gives the same mask on
    every device (as everywhere in minidl's random numbers)."""
    name = "Bernoulli"
    differentiable = False
    saves_inputs = ()

    @staticmethod
    def fresh_seed():
        """A new seed from the default generator, as ``dropout_mask`` draws one: what a replayed program
        (``torch.jit.trace``) uses at every call, so that each call draws its own mask."""
        return int(_numpy_generator(None).integers(2 ** 63))

    @staticmethod
    def forward(xp, x, p, seed):
        uniform = numpy.random.default_rng(seed).random(x.shape, dtype=numpy.float32)
        return xp.asarray(uniform >= numpy.float32(p))  # P(u >= p) = 1 - p for u uniform in [0, 1)

    @staticmethod
    def infer(x, p, seed):
        return Spec(x.shape, dtypes.bool_)


class Dropout(Op):
    """``y = x * mask * scale`` with a bool keep-``mask`` (broadcast to x) and ``scale = 1 / (1 - p)``.

    Linear in x, so its VJP is the same op on the gradient: ``dx = g * mask * scale``.
    """
    name = "NativeDropout"
    saves_inputs = (1,)
    differentiable_inputs = (0,)

    @staticmethod
    def forward(xp, x, mask, scale):
        y = x * mask
        y *= x.dtype.type(scale)
        return y

    @staticmethod
    def vjp(ctx, g):
        return apply(Dropout, g, ctx.inputs[1], **ctx.attrs), None

    @staticmethod
    def infer(x, mask, scale):
        return x


def _broadcasts_to(shape, target):
    """Whether ``shape`` broadcasts to ``target`` without growing it (unknown dims give the benefit of doubt)."""
    if shape is None or target is None:
        return True
    result = broadcast_shapes("dropout", shape, target)
    return len(result) == len(target) and all(None in (r, t) or r == t for r, t in zip(result, target))


def _check_p(p):
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"dropout: p must be a number, got {p!r}")
    if not 0 <= p <= 1:
        raise OpError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def dropout_mask(input, p=0.5, generator=None):
    """A bool keep-mask shaped like ``input``: each element True with probability ``1 - p``, drawn from
    ``generator`` (a minidl ``Generator`` or a ``numpy.random.Generator``; None: the default generator)."""
    p = _check_p(p)
    seed = int(_numpy_generator(generator).integers(2 ** 63))
    return apply(BernoulliMask, input, p=p, seed=seed)


def dropout(input, p=0.5, training=True, generator=None, mask=None):
    """During training, zero each element of ``input`` with probability ``p`` and multiply the rest by
    ``1 / (1 - p)``; the identity when ``training`` is False or ``p`` is 0; zeros when ``p`` is 1.

    ``mask`` (a bool tensor broadcastable to ``input``, True = keep) replaces the random draw: graph mode and
    tests supply their own. Otherwise the mask comes from ``dropout_mask(input, p, generator)``.
    """
    if not is_tensor(input):
        raise TypeError(f"dropout(): argument 'input' must be a tensor, not {type(input).__name__}")
    p = _check_p(p)
    if not training or p == 0:  # (whatever the dtype, as in PyTorch: an int tensor passes an evaluation-mode model)
        return input
    if p == 1:  # scale would be 1/0; every element is dropped (and the gradient is 0, as in PyTorch)
        from .broadcast import zeros_like
        return input * zeros_like(input)
    if not dtypes.is_floating_point(input.dtype):  # 1 / (1 - p) has no integer value
        raise DtypeError(f"dropout: expected a floating point input, got {describe(input)}")
    if mask is None:
        mask = dropout_mask(input, p, generator)
    elif not is_tensor(mask) or mask.dtype != dtypes.bool_:
        raise TypeError(f"dropout: mask must be a bool tensor (True = keep), got {describe(mask)}")
    elif not _broadcasts_to(static_shape(mask), static_shape(input)):
        raise OpError(f"dropout: mask {describe(mask)} does not broadcast to the input's shape {describe(input)}")
    return apply(Dropout, input, mask, scale=1 / (1 - p))
