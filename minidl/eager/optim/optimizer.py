"""The ``Optimizer`` base class (PyTorch's design): parameter groups, per-parameter state, ``zero_grad``,
``step`` and ``state_dict``.

A subclass implements ``_update(param, grad, state, group)`` — one parameter's step, done in place under
``no_grad`` on the parameter's array. Everything else (groups, defaults, saving) lives here once.

Sparse gradients (``nn.Embedding(sparse=True)``'s, ``sparse_gradients.py``): a rule says which layouts it takes
(``_gradient_layouts``); ``step`` refuses the others with PyTorch's message before it updates a group.

Hooks, as PyTorch's: around ``step`` (this optimizer's, ``register_step_pre_hook``, or every optimizer's,
``register_optimizer_step_pre_hook``), around ``state_dict`` and around ``load_state_dict``.
"""
import functools
import warnings
from collections import OrderedDict, defaultdict

import numpy

from ...backend import get_array_module
from ...backend.kernels import FUSED_DTYPES
from ..element_types import get_default_dtype
from ..engine import clear_grad
from ..grad_mode import GradMode, no_grad
from ..hooks import RemovableHandle
from ..profiler import record_function
from ..tensor import Tensor


class _RequiredParameter:
    """The default of an option that every parameter group must give (``lr=required`` in an optimizer written as
    PyTorch's were): ``add_param_group`` refuses a group without it."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def scalar_state(value):
    """A number of an optimizer's state as PyTorch keeps it: a 0-d tensor (``.item()`` works on it), float64
    when that is the default dtype, else float32."""
    return Tensor._make(numpy.array(value, numpy.float64 if get_default_dtype() == numpy.float64 else numpy.float32))


def zero_step():
    """A step count as PyTorch keeps one in ``state["step"]`` (exact up to 2**24 steps), counted with ``+= 1``."""
    return scalar_state(0.0)


def fused_update_arrays(tensors, numbers):
    """``(xp, arrays)`` of ``tensors`` (the parameter first) for one fused update kernel (``backend/kernels.py``),
    or None where the update must be made of tensor operations: a dtype other than float32/float64, tensors that
    differ in dtype, shape or device, a sparse one, a number given as a tensor, or an observer (a profiler, a
    trace) that must see every operation. The caller marks the tensors changed (``changed_in_place``)."""
    if GradMode.observer is not None:
        return None
    first = tensors[0]._data
    dtype, shape, kind = first.dtype, first.shape, type(first)
    if dtype not in FUSED_DTYPES:
        return None
    arrays = []
    for t in tensors:  # (one pass: this runs for every parameter at every step)
        a = t._data
        if t.is_sparse or a.dtype != dtype or a.shape != shape or type(a) is not kind:
            return None
        arrays.append(a)
    for n in numbers:
        if isinstance(n, Tensor):
            return None
    return get_array_module(first), arrays


def with_values(sparse, values):
    """A sparse tensor over the positions of ``sparse`` (a gradient) holding ``values``, one per entry: the sparse
    update of a rule that updates only the rows a sparse gradient holds."""
    return sparse._remade(values, sparse._index_parts())


def changed_in_place(*tensors):
    """Bump the version counters of tensors whose arrays an update kernel changed, as an in-place op would."""
    for t in tensors:
        t._counter()[0] += 1


def update_options(**options):
    """PyTorch's switches for *how* an update is computed — ``foreach`` (one kernel over all the tensors),
    ``fused`` (one fused kernel), ``capturable`` (safe in a CUDA graph) — as the parameter groups keep them in
    PyTorch. minidl computes the same update whatever they say. ``differentiable=True`` (an update that autograd
    records, for meta-learning) is not supported, and refused."""
    if options.get("differentiable"):
        raise NotImplementedError("differentiable=True (recording the optimizer's update for autograd) is not "
                                  "supported by minidl's optimizers")
    return options


# Step hooks that every optimizer runs (``register_optimizer_step_pre_hook`` ...): the pre-hooks before its own,
# the post-hooks after its own
_global_step_pre_hooks = OrderedDict()
_global_step_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """``hook(optimizer, args, kwargs)`` before the ``step`` of *every* optimizer (before its own pre-hooks); a
    returned ``(args, kwargs)`` replaces them. Returns a handle whose ``remove()`` unregisters it."""
    return RemovableHandle.add(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """``hook(optimizer, args, kwargs)`` after the ``step`` of *every* optimizer (after its own post-hooks)."""
    return RemovableHandle.add(_global_step_post_hooks, hook)


def _with_step_hooks(step):
    """``step`` running the step pre-hooks before it and the post-hooks after it (every optimizer's step, a user's
    subclass's too: see ``__init_subclass__``). As in PyTorch, a hook's ``args`` are the step's whole arguments,
    the optimizer first. A subclass's ``step`` that calls ``super().step()`` runs the hooks once, in the outer
    call. (An optimizer that never ran ``Optimizer.__init__`` — a wrapper of another one — has no hooks of its
    own.)"""
    @functools.wraps(step)
    def stepping(*args, **kwargs):
        self = args[0]
        if getattr(self, "_stepping", False):  # inside the outer step, whose hooks already ran
            return step(*args, **kwargs)
        self._stepping = True
        try:
            for hook in [*_global_step_pre_hooks.values(), *getattr(self, "_step_pre_hooks", {}).values()]:
                changed = hook(self, args, kwargs)
                if changed is not None:
                    if not (isinstance(changed, tuple) and len(changed) == 2):
                        raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                                           f"{changed}.")
                    args, kwargs = changed
            with record_function(f"Optimizer.step#{type(self).__name__}.step"):  # (an event for a profiler)
                result = step(*args, **kwargs)
            for hook in [*getattr(self, "_step_post_hooks", {}).values(), *_global_step_post_hooks.values()]:
                hook(self, args, kwargs)
            return result
        finally:
            self._stepping = False
    return stepping


#: the attributes that hold an optimizer's own hooks (id -> hook, in the order they run)
_HOOK_TABLES = ("_step_pre_hooks", "_step_post_hooks", "_state_dict_pre_hooks", "_state_dict_post_hooks",
                "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks")


class Optimizer:
    _takes_complex = True  # False: the rule has no meaning for complex numbers, and refuses them (PyTorch's Adafactor)
    #: the gradients the rule takes: "dense" (most), "any" (SGD, Adagrad: a sparse one updates only its rows) or
    #: "sparse" (SparseAdam); ``_layout_refusal`` is PyTorch's message for the others ({} the optimizer's name)
    _gradient_layouts = "dense"
    _layout_refusal = "{} does not support sparse gradients"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _with_step_hooks(cls.__dict__["step"])

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` before every ``step``; a returned ``(args, kwargs)`` replaces them."""
        return RemovableHandle.add(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` after every ``step``."""
        return RemovableHandle.add(self._step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer)`` before ``state_dict`` builds the dict (``prepend``: before the hooks already there)."""
        return RemovableHandle.add(self._state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` on the dict ``state_dict`` built; it may change it in place, or return
        a new one, which replaces it."""
        return RemovableHandle.add(self._state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` before ``load_state_dict`` loads (a shallow copy of) the given dict; it
        may change it in place, or return a new one, which is loaded instead."""
        return RemovableHandle.add(self._load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer)`` after ``load_state_dict`` has loaded."""
        return RemovableHandle.add(self._load_state_dict_post_hooks, hook, prepend)

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        for table in _HOOK_TABLES:
            setattr(self, table, OrderedDict())
        # Parameter -> dict of its state (momentum buffers, step counts ...); a defaultdict, as in PyTorch, so that
        # an optimizer written by a user can say ``state = self.state[p]`` on the first step
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):  # iterating it would make each row a "parameter" that nothing updates
            raise TypeError(f"params argument given to the optimizer should be an iterable of Tensors or dicts, but "
                            f"got a {params.dtype} tensor of shape {list(params.shape)}; pass [tensor] or "
                            f"model.parameters()")
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        for group in (params if isinstance(params[0], dict) else [{"params": params}]):
            self.add_param_group(group)

    def __getstate__(self):
        """What ``copy.deepcopy`` and pickle keep: everything but the hooks (the caller's functions, often lambdas
        that pickle cannot save; PyTorch's copies lose them too) and the ``step`` wrapper of a learning-rate
        scheduler, which belongs to the scheduler of the original."""
        left_out = (*_HOOK_TABLES, "_stepping", "step", "_opt_called")
        return {k: v for k, v in self.__dict__.items() if k not in left_out}

    def __setstate__(self, state):
        """Take ``state``, a dict of attributes (a copy's, an unpickled optimizer's, or — from ``load_state_dict``,
        as in PyTorch — the loaded ``state`` and ``param_groups``), with empty hook tables where there are none.
        Subclasses override it to give checkpoints of older versions their newer options::

            def __setstate__(self, state):
                super().__setstate__(state)
                for group in self.param_groups:
                    group.setdefault("nesterov", False)
        """
        self.__dict__.update(state)
        for table in _HOOK_TABLES:
            self.__dict__.setdefault(table, OrderedDict())

    def add_param_group(self, param_group):
        """Add a group of parameters with its own options (unspecified options take the defaults). The parameters
        may come with their names, ``(name, tensor)`` pairs (``model.named_parameters()``), all of them or none, in
        every group: the group then keeps the names in ``param_names``, as PyTorch's does."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        named = [p for p in group["params"] if isinstance(p, tuple)]
        if named:
            if len(named) != len(group["params"]):
                raise ValueError(f"all optimizer params should be with/without names. Some param names are missing: "
                                 f"{len(named)} of the group's {len(group['params'])} params are (name, tensor) pairs")
            group["param_names"] = [name for name, _ in named]
            group["params"] = [p for _, p in named]
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in group["params"]}) != len(group["params"]):  # each step would update it twice
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error", UserWarning, stacklevel=4)
        if self.param_groups and ("param_names" in group) != ("param_names" in self.param_groups[0]):
            raise ValueError("all optimizer param groups should be with/without names. cannot add param group "
                             f"{'with' if 'param_names' in group else 'without'} names to the optimizer")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        for key, value in self.defaults.items():
            if value is required and key not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {key}")
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        with record_function(f"Optimizer.zero_grad#{type(self).__name__}.zero_grad"):
            for group in self.param_groups:
                for p in group["params"]:
                    clear_grad(p, set_to_none)

    @_with_step_hooks
    @no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient. ``closure`` re-evaluates the loss (optional)."""
        loss = None
        if closure is not None:
            from ..grad_mode import enable_grad
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            if not self._takes_complex and any(p.grad is not None and p.is_complex() for p in group["params"]):
                raise RuntimeError(f"{type(self).__name__} does not support complex parameters")
            if self._gradient_layouts != "any":
                self._check_gradient_layouts(group)
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                complex_param = p.dtype.kind == "c"
                if (grad.dtype.kind == "c") != complex_param:
                    raise RuntimeError("gradient and parameter disagree on being complex")
                state = self.state.get(p)
                fresh = state is None
                if fresh:
                    state = {}
                if complex_param:  # as PyTorch: each complex number is two real ones, with their own statistics
                    self._update(_as_real(p), _as_real(grad), state, group)
                    p._counter()[0] += 1  # (changed in place through the real view)
                else:
                    self._update(p, grad, state, group)
                if fresh and state:  # a rule that keeps nothing (SGD without momentum) leaves no entry, as PyTorch
                    self.state[p] = state
        return loss

    def _update(self, param, grad, state, group):
        raise NotImplementedError

    def _check_gradient_layouts(self, group):
        """Refuse a gradient whose layout (sparse or dense) the rule does not take (``_gradient_layouts``)."""
        wants_sparse = self._gradient_layouts == "sparse"
        for p in group["params"]:
            grad = p.grad
            if grad is not None and grad.is_sparse != wants_sparse:
                raise RuntimeError(self._layout_refusal.format(type(self).__name__))

    # ---------------------------------------------------------------------------------- saving
    def state_dict(self):
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}`` — parameters are referred
        to by their position, as in PyTorch, so the dict can be saved and loaded into a fresh optimizer. State kept
        under any other key (a user's optimizer may keep some of its own in ``self.state``) is saved as it is."""
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self)
        index_of, groups, counter = {}, [], 0
        for group in self.param_groups:
            indices = []
            for p in group["params"]:
                index_of.setdefault(id(p), counter)
                indices.append(index_of[id(p)])
                counter += 1
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": indices})
        state = {index_of.get(id(key), key): s for key, s in self.state.items()}  # (not copied, as in PyTorch)
        state_dict = {"state": state, "param_groups": groups}
        for hook in list(self._state_dict_post_hooks.values()):
            changed = hook(self, state_dict)
            if changed is not None:
                state_dict = changed
        return state_dict

    def load_state_dict(self, state_dict):
        """Load what ``state_dict`` returned: each saved parameter's state goes to the parameter at the same
        position here, other state is taken as it is, and each group's options take the saved ones (its
        parameters and, unless the dict has some, their names stay). Ends in ``__setstate__``, as PyTorch's does."""
        state_dict = dict(state_dict)  # (the pre-hooks get a shallow copy, free to change it)
        for hook in list(self._load_state_dict_pre_hooks.values()):
            changed = hook(self, state_dict)
            if changed is not None:
                state_dict = changed
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        params = []
        for mine, saved in zip(self.param_groups, groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
            params.extend(zip(saved["params"], mine["params"]))
        by_index = dict(params)
        state = defaultdict(dict)
        for key, s in state_dict["state"].items():
            p = by_index.get(key)
            if p is None:
                state[key] = s
                continue
            # as PyTorch: the state follows its parameter's device, and, but for the step count, its float dtype
            state[p] = {k: _copied(v, p.device, p.dtype if k != "step" and p.is_floating_point() else None)
                        for k, v in s.items()}
        for mine, saved in zip(self.param_groups, groups):
            mine.update({k: v for k, v in saved.items() if k != "params"})
        self.__setstate__({"state": state, "param_groups": self.param_groups})
        for hook in list(self._load_state_dict_post_hooks.values()):
            hook(self)

    def __repr__(self):
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):  # each group after a blank line, as PyTorch prints them
            text += f"\nParameter Group {i}\n" + "".join(f"    {k}: {v}\n" for k, v in sorted(group.items())
                                                         if k != "params")
        return text + ")"


def _copied(value, device, dtype=None):
    """A copy of a saved state value on ``device`` (floating tensors cast to ``dtype`` when given): tensors, also
    inside lists (LBFGS keeps its history in lists), are copied, like PyTorch's — the loaded optimizer must not
    share buffers with the one that was saved."""
    if isinstance(value, Tensor):
        moved = value.to(device)
        if dtype is not None and moved.is_floating_point():
            moved = moved.to(dtype)
        return moved.detach().clone() if moved.is_sparse else Tensor._make(moved._data.copy())
    if isinstance(value, (list, tuple)):
        return type(value)(_copied(v, device, dtype) for v in value)
    return value


def _as_real(t):
    """A real tensor over ``t``'s memory, its last dim the (real, imaginary) pairs: updating it in place updates
    ``t`` (Adam's squares are then the parts' squares, not the complex g·g)."""
    data = t._data
    # (numpy changes the item type only of an array with at least one dim: a 0-d parameter is viewed as (1,))
    pairs = data.reshape(data.shape or (1,)).view(data.real.dtype)
    return Tensor._make(pairs.reshape(data.shape + (2,)))

