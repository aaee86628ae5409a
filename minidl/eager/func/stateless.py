"""A module as a pure function of its parameters: ``functional_call`` and ``stack_module_state``.

The transforms differentiate and batch *arguments*, but a module keeps its weights inside itself. ``functional_call
(model, params, (x,))`` turns the weights into an argument: it calls ``model(x)`` with its parameters and buffers
temporarily replaced by the tensors in ``params`` (dotted names, as in ``state_dict``). So

* ``grad(lambda p: loss(functional_call(model, p, (x,)), y))(params)`` is the gradient w.r.t. the weights, and
* with ``stack_module_state(models)`` — the weights of N models of one class, stacked along a new dim 0 —
  ``vmap(lambda p, b, x: functional_call(model, (p, b), (x,)), in_dims=(0, 0, None))`` runs the whole ensemble.
"""
import contextlib
from collections.abc import Mapping

from ..tensor import Tensor
from ... import ops

__all__ = ["functional_call", "stack_module_state"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` with the parameters and buffers named in ``parameter_and_buffer_dicts`` (a dict
    name -> tensor, or a tuple/list of such dicts with distinct names) used in place of the module's own; the
    module is left as it was afterwards, also when the call raises. Gradients flow to the given tensors. ``args``
    that is not a tuple is the one positional argument.

    Inside the call the given tensors are registered as they are (plain tensors, not ``Parameter``s), so
    ``named_parameters()`` lists them and in-place updates (BatchNorm's running statistics) land in them. Names the
    module does not register are set as plain attributes for the call; with ``strict`` they are an error, and so is
    a parameter or buffer left out. ``tie_weights``: a tensor registered under several names (shared weights) is
    replaced under all of them when one is given; ``tie_weights=False`` replaces only the names given."""
    replacements = _merged(parameter_and_buffer_dicts)
    groups = _names_by_tensor(module)
    if tie_weights:
        for names in groups:
            given = [name for name in names if name in replacements]
            if len({id(replacements[name]) for name in given}) > 1:
                raise ValueError(f"functional_call got multiple values for keys {given}, which are tied. Consider "
                                 "using tie_weights=False")
            if given:
                for name in names:
                    replacements.setdefault(name, replacements[given[0]])
    if strict:
        _check_names(module, replacements, [name for names in groups for name in names])
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _swapped(module, replacements):
        return module(*args, **(kwargs or {}))


def _merged(dicts):
    """The dicts as one (a name given twice would be ambiguous); every value must be a tensor."""
    if isinstance(dicts, Mapping):
        dicts = [dicts]
    elif not isinstance(dicts, (tuple, list)):
        raise ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(dicts)}")
    merged, repeated = {}, []
    for d in dicts:
        if not isinstance(d, Mapping):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        for name, value in d.items():
            if name in merged:
                repeated.append(name)
            if not isinstance(value, Tensor):
                raise TypeError(f"{value!r} is not an instance of Tensor")
            merged[name] = value
    if repeated:
        raise ValueError(f"{sorted(set(repeated))} appeared in multiple dictionaries; behavior of functional call is "
                         "ambiguous")
    return merged


def _names_by_tensor(module):
    """The dotted names of the module's parameters and buffers, grouped by tensor: a group holds several names
    when one tensor is registered under several (tied weights, a submodule used twice)."""
    groups = {}
    named = [*module.named_parameters(remove_duplicate=False), *module.named_buffers(remove_duplicate=False)]
    for name, tensor in named:
        groups.setdefault(id(tensor), []).append(name)
    return list(groups.values())


def _check_names(module, replacements, names):
    unexpected = sorted(set(replacements) - set(names))
    missing = sorted(set(names) - set(replacements))
    errors = ([f"Unexpected key(s): {', '.join(map(repr, unexpected))}."] if unexpected else []) + \
        ([f"Missing key(s): {', '.join(map(repr, missing))}."] if missing else [])
    if errors:
        raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(errors))


@contextlib.contextmanager
def _swapped(module, replacements):
    """Put each tensor under its dotted name for the duration of the ``with`` block, then put the old ones back
    (in reverse order, so a name swapped twice — a submodule reachable under two names — ends as it started)."""
    undo = []
    try:
        for name, tensor in replacements.items():
            owner_path, _, attribute = name.rpartition(".")
            undo.append(_swap(module.get_submodule(owner_path), attribute, tensor))
        yield
    finally:
        for restore in reversed(undo):
            restore()


def _swap(owner, name, tensor):
    """Register ``tensor`` as ``owner.<name>``, bypassing ``__setattr__`` (which wants a ``Parameter`` for a
    parameter) — or, for a parametrized name (``weight_norm``'s ``weight``), make reading it give ``tensor``;
    return the function that undoes it."""
    parametrizations = owner.__dict__.get("_modules", {}).get("parametrizations")
    if parametrizations is not None and name in parametrizations:
        from ..nn.utils.parametrize import read_instead  # (nn builds on the functional transforms)
        return read_instead(owner, name, tensor)
    for table in (owner._parameters, owner._buffers):
        if name in table:
            old = table[name]
            table[name] = tensor
            return lambda: table.__setitem__(name, old)
    missing = object()
    old = owner.__dict__.get(name, missing)
    owner.__dict__[name] = tensor

    def restore():
        if old is missing:
            del owner.__dict__[name]
        else:
            owner.__dict__[name] = old
    return restore


def stack_module_state(models):
    """``(params, buffers)``: for every parameter (buffer) name of ``models[0]``, the tensors of all the models
    stacked along a new dim 0 — the state of an ensemble of N models of one class, ready for ``vmap`` over dim 0
    with ``functional_call``. The stacked parameters are new leaves (detached from the models), requiring grad
    as the models' parameters do, so an optimizer can train the whole ensemble at once."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if any(m.training != models[0].training for m in models):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if any(type(m) is not type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    states = [(dict(m.named_parameters()), dict(m.named_buffers())) for m in models]
    params, buffers = {}, {}
    for name, _ in models[0].named_parameters():
        tensors = [state[0][name] for state in states]
        if any(t.requires_grad != tensors[0].requires_grad for t in tensors):
            raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
        params[name] = ops.stack([t.detach() for t in tensors]).requires_grad_(tensors[0].requires_grad)
    for name, _ in models[0].named_buffers():
        buffers[name] = ops.stack([state[1][name].detach() for state in states])
    return params, buffers
