"""``torch.cond`` and ``torch.while_loop``: control flow as functions, PyTorch's higher-order ops.

    torch.cond(x.sum() > 0, lambda x: x.sin(), lambda x: x.cos(), (x,))
    torch.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2), (torch.tensor(0), x))

These are TF1's ``tf.cond(pred, true_fn, false_fn)`` and ``tf.while_loop(cond, body, loop_vars)`` (``minidl.graph``
has both, ``graph/control_flow.py`` and ``graph/loops.py``) come to PyTorch: a program written this way can be
captured whole by ``torch.compile``/``torch.export`` — data-dependent branches and loops included — as a TF1 graph
holds its ``cond`` and ``while_loop`` ops. In eager mode they simply run Python's ``if`` and ``while``, and the
gradient flows through the branch taken and the iterations run, as through any Python code (PyTorch 2.13
differentiates both ops too; TF1's ``while_loop`` gradient replays the body's VJPs the same way).

What PyTorch checks, this checks too, whatever the values: a tensor ``pred`` has one element; the operands and
carried values are tensors (while_loop: or ints) in tuples, lists and dicts; the branches (or the body and its
inputs) give the same structure of tensors of the same dtype and device, with the same number of dims (cond: a
branch may give other sizes) or the same shape (while_loop); no output is an input or a view of one (return
``x.clone()``), nor another output. PyTorch checks the branches by tracing both; here the branch not taken runs
too, without recording, on copies of the operands and with the random generator's state put back afterwards —
only to compare what it returns (a factorization that fails on these values is not held against it: tracing
would not have seen the values). A Python ``pred`` picks its branch at once, unchecked, as in PyTorch.
"""
from ..backend import may_share_memory
from ..ops.base import LinAlgError
from .element_types import bool_
from .func.pytree import tree_flatten, tree_map, tree_unflatten
from .grad_mode import no_grad
from .random import get_rng_state, set_rng_state
from .tensor import Tensor

__all__ = ["cond", "while_loop"]


def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``; ``pred`` is a Python bool (or number) or a
    one-element tensor, ``operands`` a tuple or list of tensors (nested tuples, lists and dicts allowed)."""
    if isinstance(pred, (bool, int, float)):  # PyTorch's eager path: the branch is picked at once, unchecked
        return true_fn(*operands) if pred else false_fn(*operands)
    _check_cond_arguments(pred, true_fn, false_fn, operands)
    branches = [("true_fn", true_fn), ("false_fn", false_fn)]
    (taken_name, taken), (other_name, other) = branches if bool(pred) else branches[::-1]
    result = taken(*operands)
    taken_output = _branch_output(taken_name, result, operands)
    other_output = _run_aside(other_name, other, operands)
    if other_output is not None:
        _compare_branches((taken_name, *taken_output), (other_name, *other_output))
    return result


def _check_cond_arguments(pred, true_fn, false_fn, operands):
    if not isinstance(pred, Tensor):
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    if pred.numel() != 1:
        raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    if not isinstance(operands, (tuple, list)) or not all(isinstance(t, Tensor) for t in tree_flatten(operands)[0]):
        raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple that only consists of "
                           f"tensor leaves, but got {operands}.")


def _run_aside(name, branch, operands):
    """What the branch not taken returns (as ``_branch_output`` gives it), run untaped on copies of the operands,
    with the random generator's state put back; None when it fails on these values."""
    copies = tree_map(lambda t: t.detach().clone(), operands)
    state = get_rng_state()
    try:
        with no_grad():
            output = branch(*copies)
    except LinAlgError:  # the values, not the program, make it fail: tracing it, PyTorch would not see them
        return None
    finally:
        set_rng_state(state)
    return _branch_output(name, output, copies)


def _compare_branches(taken, other):
    """Both branches give the same structure, with tensors of one dtype, device and number of dims (and ints)
    in the same places. ``taken`` and ``other``: (name, leaves, structure)."""
    (name, leaves, spec), (other_name, other_leaves, other_spec) = taken, other
    if spec != other_spec:
        raise RuntimeError(f"torch.cond: the branches must return the same structure, but {name} returned {spec} "
                           f"and {other_name} {other_spec}")
    for i, (ours, theirs) in enumerate(zip(leaves, other_leaves)):
        if isinstance(ours, Tensor) != isinstance(theirs, Tensor):
            raise RuntimeError(f"torch.cond: output {i} of the branches must be of one kind, got "
                               f"{type(ours).__name__} from {name} and {type(theirs).__name__} from {other_name}")
        for what in ("dtype", "device", "ndim") if isinstance(ours, Tensor) else ():
            if getattr(ours, what) != getattr(theirs, what):
                raise RuntimeError(f"torch.cond: output {i} of the branches must have the same {what}, got "
                                   f"{getattr(ours, what)} from {name} and {getattr(theirs, what)} from {other_name}")


def _branch_output(name, output, inputs):
    """(leaves, structure) of a branch's output — a lone value counts as a 1-tuple, as in PyTorch — after
    checking the leaves are tensors or ints that alias neither the inputs nor each other."""
    leaves, spec = tree_flatten(output if isinstance(output, (tuple, list, dict)) else (output,))
    for leaf in leaves:
        if not isinstance(leaf, (Tensor, int)):
            raise RuntimeError(f"torch.cond: {name} must return tensors or ints only (in tuples, lists and dicts), "
                               f"got a {type(leaf).__name__}: {leaf!r}")
    _check_no_aliasing(f"torch.cond: {name}", leaves, tree_flatten(inputs)[0])
    return leaves, spec


def _check_no_aliasing(what, outputs, inputs):
    """The outputs may share memory neither with an input nor with each other (PyTorch's higher-order ops give
    new tensors)."""
    outputs = [t for t in outputs if isinstance(t, Tensor)]
    for i, out in enumerate(outputs):
        if any(isinstance(t, Tensor) and may_share_memory(out._data, t._data) for t in inputs):
            raise RuntimeError(f"{what} returned an input (or a view of one) as its output {i}: higher-order ops do "
                               "not support aliasing; return input.clone() instead")
        if any(may_share_memory(out._data, other._data) for other in outputs[:i]):
            raise RuntimeError(f"{what} returned two outputs that share memory (output {i} and an earlier one): "
                               "higher-order ops do not support aliasing; clone one of them")


def while_loop(cond_fn, body_fn, carried_inputs):
    """``val = carried_inputs; while cond_fn(*val): val = body_fn(*val)``, then ``val``. ``carried_inputs`` is a
    tuple or list of tensors and ints (nested tuples, lists and dicts allowed); ``body_fn`` returns as many, each
    with the dtype and shape of the one it replaces; ``cond_fn`` returns a bool tensor of shape () or a bool."""
    if not callable(cond_fn) or not callable(body_fn):
        raise RuntimeError("Expect cond_fn and body_fn to be callable.")
    leaves, spec = tree_flatten(carried_inputs)
    if not isinstance(carried_inputs, (tuple, list)) or not all(isinstance(t, (Tensor, int)) for t in leaves):
        raise RuntimeError("Expect carried_inputs to be a tuple of possibly nested dict/list/tuple that only "
                           f"consists of tensor or int leaves, but got {carried_inputs}.")
    carried, output_spec = carried_inputs, None
    while _keep_going(cond_fn(*carried)):
        new_leaves, output_spec = tree_flatten(body_fn(*carried))
        _check_body_output(new_leaves, leaves)
        leaves, carried = new_leaves, tree_unflatten(new_leaves, spec)
    if output_spec is None:  # no iteration: new tensors all the same, as PyTorch's
        return tree_map(lambda t: t.clone() if isinstance(t, Tensor) else t, carried_inputs)
    return tree_unflatten(leaves, output_spec)


def _keep_going(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, Tensor) and value.dtype == bool_ and value.ndim == 0:
        return bool(value)
    described = (f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}" if isinstance(value, Tensor)
                 else f"a {type(value).__name__}")
    raise RuntimeError(f"torch.while_loop: cond_fn must return a bool tensor of shape () or a Python bool, got "
                       f"{described}")


def _check_body_output(outputs, inputs):
    if len(outputs) != len(inputs):
        raise RuntimeError(f"torch.while_loop: body_fn must return as many values as carried_inputs holds "
                           f"({len(inputs)}), got {len(outputs)}")
    for i, (out, carried) in enumerate(zip(outputs, inputs)):
        if isinstance(out, Tensor) != isinstance(carried, Tensor) or not isinstance(out, (Tensor, int)):
            raise RuntimeError(f"torch.while_loop: body_fn's output {i} must be a "
                               f"{'tensor' if isinstance(carried, Tensor) else 'int'} like the carried input it "
                               f"replaces, got a {type(out).__name__}")
        if isinstance(out, Tensor):
            for what in ("dtype", "shape", "device"):
                if getattr(out, what) != getattr(carried, what):
                    raise RuntimeError(f"torch.while_loop: body_fn's output {i} must have the {what} of the carried "
                                       f"input it replaces: {getattr(out, what)} vs {getattr(carried, what)}")
    _check_no_aliasing("torch.while_loop: body_fn", outputs, inputs)
