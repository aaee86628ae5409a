"""``torch.func`` (once called functorch): *function transforms*. Each takes a function and returns a new function
that computes something about it — a derivative (``grad``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``)
or a batched version (``vmap``) — and since the results are functions again, they compose::

    grad(grad(f))                                       # second derivative
    vmap(grad(loss), in_dims=(None, 0, 0))(p, x, y)     # one gradient per sample
    jacfwd(jacrev(f))                                   # the Hessian

``functional_call`` and ``stack_module_state`` make an ``nn.Module`` a function of its weights, so that the
transforms can differentiate and batch over them. ``pytree`` flattens the nested tuples/lists/dicts of tensors
that the transforms accept.

PyTorch implements the transforms with interpreters that reinterpret every op (dual numbers, batched tensors);
minidl builds them from what it has — reverse-mode autograd and a Python loop — with the same results. See
``derivatives.py`` (how nesting is kept apart) and ``vmap.py`` (the loop).
"""
from .derivatives import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize, vjp
from .stateless import functional_call, stack_module_state
from .vmap import vmap

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "hessian", "vmap",
           "functional_call", "stack_module_state"]
