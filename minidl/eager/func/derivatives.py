"""Derivatives as functions: ``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``.

``autograd.grad(y, x)`` differentiates *tensors* already computed; a function transform takes a function ``f`` and
returns *another function* that computes a derivative of ``f`` wherever it is called. For ``f: Rⁿ -> Rᵐ`` with
Jacobian ``J = ∂f/∂x`` (m x n):

* ``grad(f)(x) = ∇f(x) = Jᵀ`` for a scalar ``f`` (m = 1): the direction of steepest ascent, same shape as ``x``;
* ``vjp(f, x)`` gives ``f(x)`` and the function ``v ↦ vᵀJ`` (reverse mode: one backward pass per ``v``);
* ``jvp(f, (x,), (t,))`` gives ``f(x)`` and ``J t``, the change of ``f`` along ``t`` (forward mode);
* ``jacrev(f)(x) = jacfwd(f)(x) = J``, of shape ``f(x).shape + x.shape``;
* ``hessian(f)(x) = J(∇f)(x)``, the matrix of second derivatives ``∂²f/∂xᵢ∂xⱼ``.

Because the results are functions again, transforms compose: ``grad(grad(f))`` is the second derivative.

Levels: what makes composition work
-----------------------------------
Every call of a transformed function is a *level*, and the level keeps its derivative apart from everyone else's:

1. **Its own inputs.** An argument that requires no grad becomes a fresh leaf that does (``x.detach()
   .requires_grad_()``). An argument that already requires grad — the input of an enclosing transform still
   running, or a user's parameter — is *cloned*: the clone is a new node, so ``autograd.grad`` with respect to it
   counts only the paths through this argument, while gradients still flow on to the original. Differentiating
   with respect to the original itself would mix levels up: in ``grad(lambda x: grad(lambda y: x * y)(x))(x)``
   the inner derivative is ``x`` (not ``2x``), and the outer one is 1 ("perturbation confusion").
2. **The function runs recording**, even under an outer ``no_grad`` (a transform's result must not depend on a
   context manager outside the function, as in PyTorch); ``no_grad`` *inside* the function is respected.
3. **Then its fresh leaves retire**: no one outside will ever differentiate with respect to them.
4. **Recording the derivative** (``create_graph``) is needed only when someone outside may differentiate it: an
   enclosing level, or autograd on the user's tensors. That is the case when the output's recorded history
   reaches a tensor that requires grad and has not retired (``_watched``). Every result is handed out detached
   unless its own history reaches one: ``grad(f)(x)`` for a plain ``x`` is a plain tensor, while ``grad(grad(f))``
   and ``grad(f)(parameter)`` stay differentiable.

The reverse passes themselves are ``autograd.grad`` (through ``autograd.functional``'s helpers, which also turn
"unused input" into zeros) and ``autograd.functional.jacobian``.
"""
import functools
import weakref

from ..autograd.function import computing_tangents
from ..autograd.functional import _fill_in_zeros, _grad, jacobian
from ..creation import ones_like, zeros_like
from ..grad_mode import enable_grad, is_grad_enabled
from ..tensor import Tensor
from ... import ops
from .pytree import tree_flatten, tree_unflatten

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]

#: the gradient accumulators of the fresh inputs of levels that have finished (weak: they go with their graph)
_retired = weakref.WeakSet()


def _watched(tensors):
    """Does the recorded history of any of ``tensors`` reach a tensor that requires grad and has not retired?
    A walk down the graph to its leaves, each node once."""
    stack = [t._key()[0] for t in tensors if t.requires_grad]
    seen = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.input_keys:
            stack.extend(key[0] for key in node.input_keys if key is not None)
        elif node not in _retired:  # a leaf (only leaves have no inputs), still of interest to someone
            return True
    return False


def _hand_out(tensor, recording):
    """``tensor`` as the outside sees it: detached unless someone there can differentiate it (step 4)."""
    if tensor.requires_grad and not (recording and _watched([tensor])):
        return tensor.detach()
    return tensor


class _Level:
    """One call of a differentiating transform: its own inputs, made from ``tensors`` (steps 1-3 above)."""

    def __init__(self, tensors):
        self.recording = is_grad_enabled()  # does anyone outside record, so that it may differentiate our results?
        self.inputs = [self._own(x) for x in tensors]

    def _own(self, x):
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if self.recording and x.requires_grad:
            return ops.clone(x)
        return x.detach().requires_grad_()

    def run(self, func, *args, **kwargs):
        """Call ``func`` with gradients recorded, then retire this level's fresh leaves."""
        try:
            with enable_grad():
                return func(*args, **kwargs)
        finally:
            _retired.update(x._key()[0] for x in self.inputs if x.is_leaf)


# ------------------------------------------------------------------------------------------- argument checks

def _split_aux(output, has_aux, caller):
    """``(output, aux)``: with ``has_aux``, ``f`` returns a pair whose second part rides along undifferentiated."""
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{caller}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return output


def _check_tensors(leaves, message):
    """Every leaf a tensor, else RuntimeError(``message`` with the offending type)."""
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(message.format(type(leaf)))


def _argnums(argnums, n_args):
    """The positions (0 <= i < n_args, no repeats) that ``argnums`` — an int or a tuple of ints, negative ones
    counting from the end — names."""
    if isinstance(argnums, int):
        chosen = (argnums,)
    elif isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        for a in argnums:
            if not isinstance(a, int):
                raise RuntimeError(f"argnum must be int, got: {type(a)}")
        chosen = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in chosen:
        if not -n_args <= a < n_args:
            raise RuntimeError(f"Got argnum={a}, but only {n_args} positional inputs")
    positions = tuple(a % n_args for a in chosen)
    if len(set(positions)) != len(positions):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return positions


def _replaced(args, positions, values):
    """``args`` with ``args[positions[k]]`` replaced by ``values[k]``."""
    args = list(args)
    for i, value in zip(positions, values):
        args[i] = value
    return args


# ---------------------------------------------------------------------------------------------- vjp and grad

def _vjp(func, primals, has_aux):
    """``vjp`` without its check that the outputs are floating point (``grad`` allows an integer output and gives
    zeros, as PyTorch does)."""
    flat, primals_spec = tree_flatten(primals)
    level = _Level(flat)
    output = level.run(func, *tree_unflatten(level.inputs, primals_spec))
    output, aux = _split_aux(output, has_aux, "vjp(f, *primals)")
    outputs, output_spec = tree_flatten(output)
    _check_tensors(outputs, "vjp(f, *primals): expected f(*primals) to return only tensors, got unsupported type {}")
    watched = level.recording and _watched(outputs)

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        """vᵀJ for the cotangent ``v`` (shaped like the output), one array per primal."""
        flat_v, spec = tree_flatten(cotangents)
        if spec != output_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                               f"to the function. cotangents: {spec}, primal output: {output_spec}")
        if create_graph is None:  # a cotangent from an enclosing level (jvp's trick) makes vᵀJ depend on it
            create_graph = is_grad_enabled() and (watched or any(v.requires_grad for v in flat_v))
        grads = _grad(outputs, level.inputs, flat_v, create_graph, retain_graph)
        grads = _fill_in_zeros(grads, level.inputs, False, create_graph, "back")
        return tree_unflatten([_hand_out(g, create_graph) for g in grads], primals_spec)

    output = tree_unflatten([_hand_out(o, level.recording) for o in outputs], output_spec)
    if not has_aux:
        return output, vjp_fn
    aux_leaves, aux_spec = tree_flatten(aux)
    _check_tensors(aux_leaves, "Expected tensors, got unsupported type {}")
    return output, vjp_fn, tree_unflatten([_hand_out(a, level.recording) for a in aux_leaves], aux_spec)


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)`` where ``vjp_fn(v)`` is the vector-Jacobian product ``vᵀJ``: for each primal,
    ``Σᵢ vᵢ ∂outputᵢ/∂primal``. That is one reverse pass — what ``backward(gradient=v)`` computes — and
    ``vjp_fn`` may be called again with other cotangents ``v`` (shaped and nested like the output).

    Primals and outputs may be tensors or pytrees of tensors (tuples, lists, dicts). With ``has_aux``, ``func``
    returns ``(output, aux)`` and the result is ``(output, vjp_fn, aux)``."""
    result = _vjp(func, primals, has_aux)
    _check_floating(tree_flatten(result[0])[0])
    return result


def _check_floating(outputs):
    """PyTorch's reverse-mode transforms refuse integer outputs (there is no cotangent of an integer)."""
    for out in outputs:
        if not (out.is_floating_point() or out.is_complex()):
            raise RuntimeError(f"vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got Tensor "
                               f"with dtype {out.dtype}")


def grad_and_value(func, argnums=0, has_aux=False):
    """Like ``grad``, but the new function returns ``(gradient, value)`` — or ``(gradient, (value, aux))`` with
    ``has_aux`` — so that the value costs no second call."""
    caller = "grad_and_value(f)(*args)"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        positions = _argnums(argnums, len(args))

        def of_chosen(*chosen):
            """``func`` as a function of the differentiated arguments only."""
            value, aux = _split_aux(func(*_replaced(args, positions, chosen), **kwargs), has_aux, caller)
            if not isinstance(value, Tensor):
                raise RuntimeError(f"{caller}: Expected f(*args) to return a Tensor, got {type(value)}")
            if value.dim() != 0:
                raise RuntimeError(f"{caller}: Expected f(*args) to return a scalar Tensor, got tensor with "
                                   f"{value.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
            if value.is_complex():  # (a gradient of a complex function is not defined: its real part's is)
                raise RuntimeError(f"{caller}: Expected f(*args) to return a real-valued scalar Tensor, got one of "
                                   f"dtype {value.dtype}; take .real or .abs() of it first")
            return value, (aux if has_aux else ())

        value, vjp_fn, aux = _vjp(of_chosen, tuple(args[i] for i in positions), has_aux=True)
        grads = vjp_fn(ones_like(value))  # ∇f = 1ᵀJ: the VJP with cotangent 1
        grads = grads if isinstance(argnums, tuple) else grads[0]
        return (grads, (value, aux)) if has_aux else (grads, value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of ``func``, as a function: ``grad(f)(*args)`` is ``∂f/∂args[argnums]``, shaped (and nested)
    like that argument — a tuple of them when ``argnums`` is a tuple.

    ``f`` must return a scalar (0-dim) tensor; the gradient is the direction in which it grows fastest, and for
    ``f(x) = Σ xᵢ²`` it is ``2x``. With ``has_aux``, ``f`` returns ``(scalar, aux)`` and the result is
    ``(gradient, aux)``. Keyword arguments are passed to ``f`` and not differentiated. An argument that ``f``
    does not use gets a zero gradient.

    ``grad(grad(f))`` is the second derivative; ``vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)`` gives
    one gradient per sample."""
    transformed = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        grads, value = transformed(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


# ------------------------------------------------------------------------------------------------------ jvp

def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J t)``: the output and the Jacobian-vector product along ``tangents`` — how the output
    changes when the primals move in the direction ``t``: ``d/dε f(x + εt)`` at ε = 0.

    ``primals`` is the tuple of arguments (tensors or pytrees of them), ``tangents`` the same structure and shapes.
    With ``has_aux`` the result is ``(output, jvp_out, aux)``. ``strict`` is accepted for PyTorch's signature and,
    as there, changes nothing.

    PyTorch runs forward-mode AD (dual numbers). minidl has only reverse mode and uses the **double-vjp trick**:
    ``g(u) = uᵀJ`` is linear in the cotangent ``u``, so its own VJP with cotangent ``t`` is ``(Jᵀ)ᵀt = J t`` — two
    reverse passes, the second through the first (``autograd.functional.jvp`` does the same; here each pass is a
    ``vjp`` level, so ``jvp`` composes with the other transforms)."""
    caller = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{caller}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    flat_primals, primals_spec = tree_flatten(primals)
    flat_tangents, tangents_spec = tree_flatten(tangents)
    if primals_spec != tangents_spec:
        raise RuntimeError(f"{caller}: Expected primals and tangents to have the same python structure. For example, "
                           "if primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{primals_spec} and tangents with structure {tangents_spec}")
    _check_tensors(flat_primals, caller + ": Expected primals to only contain Tensors, got {}")
    _check_tensors(flat_tangents, caller + ": Expected tangents to only contain Tensors, got {}")
    for p, t in zip(flat_primals, flat_tangents):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                               f"Tensor, this is not supported. Tensor is of size {list(p.shape)} while the given "
                               f"forward gradient is of size {list(t.shape)}.")

    def checked(*args):
        output, aux = _split_aux(func(*args), has_aux, caller)
        _check_tensors(tree_flatten(output)[0], caller + ": expected f(*primals) to return only tensors, got "
                                                         "unsupported type {}")
        return output, (aux if has_aux else ())

    output, vjp_fn, aux = _vjp(checked, primals, has_aux=True)
    leaves, output_spec = tree_flatten(output)
    # an integer output does not move: its tangent is 0, and it takes no part in the trick (its cotangent is a
    # constant 0, which cannot require grad)
    moving = [i for i, leaf in enumerate(leaves) if leaf.is_floating_point() or leaf.is_complex()]
    cotangents = [zeros_like(leaf) for leaf in leaves]

    def vjp_of_moving(*moving_cotangents):
        for i, u in zip(moving, moving_cotangents):
            cotangents[i] = u
        return vjp_fn(tree_unflatten(cotangents, output_spec))

    tangents_out = [zeros_like(leaf) for leaf in leaves]
    if moving:
        # u ↦ uᵀJ: its value at u = 0 does not matter, only its (linear) graph
        with computing_tangents():   # (a Function's own jvp serves the second pass)
            _, vjp_of_vjp = _vjp(vjp_of_moving, tuple(cotangents[i] for i in moving), has_aux=False)
        for i, t in zip(moving, vjp_of_vjp(tangents)):
            tangents_out[i] = t
    jvp_out = tree_unflatten(tangents_out, output_spec)
    return (output, jvp_out, aux) if has_aux else (output, jvp_out)


# ------------------------------------------------------------------------------------------------ Jacobians

def _real_only(transform, what, tensors):
    """PyTorch's jacrev and jacfwd take and give real tensors only: for complex ones the rows (or columns) they
    build would be conjugated, or lose their imaginary parts."""
    for i, t in enumerate(tensors):
        if t.is_complex():
            raise RuntimeError(f"{transform}: Expected all {what} to be real but received complex tensor at "
                               f"flattened input idx: {i}")


def _jacobian_transform(func, argnums, has_aux, caller, floating_outputs_only):
    """The Jacobian of ``func`` w.r.t. ``args[argnums]``, by ``autograd.functional.jacobian`` on the flat list of
    the level's inputs, and nested back: outputs outside, then arguments, then each argument's pytree. (The
    caller's name and whether integer outputs are refused follow the PyTorch transform it stands for.)"""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        positions = _argnums(argnums, len(args))
        flat, chosen_spec = tree_flatten(tuple(args[i] for i in positions))
        transform = "jacrev" if floating_outputs_only else "jacfwd"
        _real_only(transform, "inputs", [t for t in flat if isinstance(t, Tensor)])
        level = _Level(flat)
        found = {}  # what the call reveals: the output's structure and the aux

        def flat_func(*inputs):
            chosen = tree_unflatten(inputs, chosen_spec)
            output, found["aux"] = _split_aux(level.run(func, *_replaced(args, positions, chosen), **kwargs),
                                              has_aux, caller)
            outputs, found["spec"] = tree_flatten(output)
            _check_tensors(outputs, caller + ": expected f(*primals) to return only tensors, got unsupported type {}")
            if floating_outputs_only:
                _check_floating(outputs)
            _real_only(transform, "outputs", outputs)
            found["dtypes"] = [o.dtype for o in outputs]
            return tuple(outputs)

        # recorded whenever someone outside records: whether they will differentiate is known only afterwards
        blocks = jacobian(flat_func, tuple(level.inputs), create_graph=level.recording)
        per_output = []
        for row, dtype in zip(blocks, found["dtypes"]):  # per output leaf: a block per input leaf (its shape:
            if not (dtype.is_floating_point or dtype.is_complex):  # output.shape + input.shape); an integer
                row = [b.to(dtype) for b in row]                     # output's zeros keep its dtype, as PyTorch's
            per_argument = tree_unflatten([_hand_out(b, level.recording) for b in row], chosen_spec)
            per_output.append(per_argument if isinstance(argnums, tuple) else per_argument[0])
        result = tree_unflatten(per_output, found["spec"])
        if not has_aux:
            return result
        aux_leaves, aux_spec = tree_flatten(found["aux"])
        _check_tensors(aux_leaves, "Expected tensors, got unsupported type {}")
        return result, tree_unflatten([_hand_out(a, level.recording) for a in aux_leaves], aux_spec)
    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """The Jacobian of ``func`` w.r.t. ``args[argnums]`` by reverse mode: row i of J is ``eᵢᵀJ``, the VJP with the
    one-hot cotangent ``eᵢ`` — one reverse pass per output element. For an output of shape ``(m,)`` and an input
    of shape ``(n,)`` the result is m x n, in general ``output.shape + input.shape``, nested like the outputs
    (outermost), then the ``argnums`` tuple, then each argument's pytree. With ``has_aux``: ``(jacobian, aux)``.

    ``chunk_size`` bounds how many rows PyTorch computes at once; minidl computes one at a time anyway, so it is
    only checked."""
    if chunk_size is not None and not chunk_size > 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian_transform(func, argnums, has_aux, "vjp(f, *primals)", floating_outputs_only=True)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian, as ``jacrev`` returns it. PyTorch builds it column by column with forward mode (one ``J eⱼ``
    per input element, cheaper when there are fewer inputs than outputs); minidl has only reverse mode and
    computes the **same values by reverse mode** (row by row). ``randomness`` (for PyTorch's vmap over the
    tangents) is accepted and has no effect."""
    return _jacobian_transform(func, argnums, has_aux, "jvp(f, primals, tangents)", floating_outputs_only=False)


def hessian(func, argnums=0):
    """The Hessian ``Hᵢⱼ = ∂²f/∂xᵢ∂xⱼ``: the Jacobian of the gradient, so of shape ``output.shape + x.shape +
    x.shape`` (a vector-valued ``f`` gets one Hessian per output element). PyTorch composes it as
    ``jacfwd(jacrev(f))`` (forward-over-reverse); so does minidl, with both passes reverse mode."""
    return jacfwd(jacrev(func, argnums), argnums)


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: the output, and the linear map ``jvp_fn(*tangents) = J t`` of ``func`` at
    ``primals`` — the first-order approximation f(x + t) ≈ f(x) + J t. (PyTorch keeps the linearized program;
    each ``jvp_fn`` call here runs ``jvp`` again, with the same result.)"""
    output = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]
    return output, jvp_fn
