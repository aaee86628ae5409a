"""``torch.autograd.forward_ad``: forward-mode derivatives with PyTorch's dual-tensor interface.

A *dual number* x + εt (with ε² = 0) carries a value x and a tangent t; pushed through f it becomes
f(x) + ε J t, so the tangent of the result is the Jacobian-vector product — how the output moves when the input
moves along t::

    with fwAD.dual_level():
        x = fwAD.make_dual(primal, tangent)
        y = f(x)
        value, jvp = fwAD.unpack_dual(y)

PyTorch carries the tangent through every op as it runs. minidl has reverse mode only, so it computes the tangent
when ``unpack_dual`` asks for it, with the double-vjp trick (``func.jvp`` explains it): the dual tensors are
recorded on the tape like any tensor that requires grad, and unpacking y runs two backward passes from y to the
duals of the level (the second reaches the ``jvp`` of an ``autograd.Function`` that defines one). The results are
the same numbers; what differs: a dual made from a tensor that did not require grad reports ``requires_grad=True``
(it must be on the tape), code run under ``no_grad`` is not recorded, so its outputs have no tangent (None, as for
a value that does not depend on any dual). A Function's ``jvp`` runs once a level, its tangents kept for the
level's later unpacks. A tangent is differentiable w.r.t. the tensors the duals were made from, when they require
grad (the second pass is then recorded), as PyTorch's; not w.r.t. the tangents given to ``make_dual``.
"""
from collections import namedtuple

from ... import ops
from ..engine import grad
from ..grad_mode import enable_grad
from ..tensor import Tensor
from .function import Function, _tangent_passes, computing_tangents

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])

_levels = []  # the active level (PyTorch supports one at a time): its (dual tensor, tangent) pairs
_jvp_results_of_level = []  # the active level's results of Functions' jvps (see computing_tangents)


def enter_dual_level():
    """Start a level: the duals made in it carry their tangents until it exits. Returns the level's number."""
    if _levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _levels.append([])
    _jvp_results_of_level.append({})
    return len(_levels) - 1


def exit_dual_level(*, level=None):
    """End the level: its duals' tangents are forgotten."""
    if not _levels:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created.")
    _levels.pop()
    _jvp_results_of_level.pop()


class dual_level:
    """``with dual_level():`` — enter a level for the block."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False


def make_dual(tensor, tangent, *, level=None):
    """A tensor with the value of ``tensor`` that carries ``tangent`` (same shape) in the current level."""
    if not _levels:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if not (isinstance(tensor, Tensor) and isinstance(tangent, Tensor)):
        raise TypeError(f"make_dual: expected tensors, got {type(tensor).__name__} and {type(tangent).__name__}")
    if tuple(tensor.shape) != tuple(tangent.shape):
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size {list(tensor.shape)} while the given "
                           f"forward gradient is of size {list(tangent.shape)}.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"make_dual: expected a floating point or complex tensor, got {tensor.dtype}")
    # on the tape, as a tensor of its own: for a tensor that requires grad, a copy still connected to it (a
    # backward pass through the dual reaches the tensor, as through PyTorch's dual)
    dual = ops.clone(tensor) if tensor.requires_grad else tensor.detach().requires_grad_()
    _levels[-1].append((dual, tangent.detach()))
    return dual


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)`` of ``tensor``: its value, and J t over the duals of the current level (None if it
    depends on none of them, or outside a level)."""
    if not _levels or not isinstance(tensor, Tensor):
        return UnpackedDualTensor(tensor, None)
    duals = _levels[-1]
    for dual, tangent in duals:
        if dual is tensor:
            return UnpackedDualTensor(_Primal.apply(tensor), tangent)
    if not tensor.requires_grad or not (tensor.is_floating_point() or tensor.is_complex()):
        return UnpackedDualTensor(tensor, None)
    primal = _Primal.apply(tensor)
    # a dual made from a tensor that requires grad (a copy on its tape) makes the tangent a function of that tensor
    # to differentiate (a JVP in a loss, ``func.grad`` of code that unpacks a tangent), as PyTorch's is
    differentiable = any(dual.grad_fn is not None for dual, _ in duals)
    with enable_grad():
        # g(u) = uᵀJ is linear in u; its VJP with cotangent t is J t (the double-vjp trick)
        u = ops.zeros_like(tensor).requires_grad_()
        with computing_tangents(_jvp_results_of_level[-1]):   # (a Function's own jvp serves the second pass)
            pulled = grad([tensor], [d for d, _ in duals], [u], create_graph=True, allow_unused=True)
        pairs = [(g, t) for g, (_, t) in zip(pulled, duals) if g is not None and g.requires_grad]
        if not pairs:
            return UnpackedDualTensor(tensor, None)
        (jvp,) = grad([g for g, _ in pairs], [u], [t for _, t in pairs], allow_unused=True,
                      create_graph=differentiable)
    return UnpackedDualTensor(primal, None if jvp is None else jvp if differentiable else jvp.detach())


class _Primal(Function):
    """``unpack_dual``'s primal: the tensor's value without its tangent. To the first pass of the double-vjp trick
    it is a constant — a primal used again with the duals adds no second share of their tangent — and to reverse
    mode the tensor itself (gradients reach what it was computed from, as through PyTorch's primal)."""

    @staticmethod
    def forward(ctx, tensor):
        return tensor.clone()

    @staticmethod
    def backward(ctx, g):
        return None if _tangent_passes[0] else g
