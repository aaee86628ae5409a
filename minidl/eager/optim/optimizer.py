"""The ``Optimizer`` base class (PyTorch's design): parameter groups, per-parameter state, ``zero_grad``,
``step`` and ``state_dict``.

A subclass implements ``_update(param, grad, state, group)`` — one parameter's step, done in place under
``no_grad`` on the parameter's array. Everything else (groups, defaults, saving) lives here once.

Sparse gradients (``nn.Embedding(sparse=True)``'s, ``sparse_gradients.py``): a rule says which layouts it takes
(``_gradient_layouts``); ``step`` refuses the others with PyTorch's message before it updates a group.
"""
import functools
import warnings
from collections import defaultdict

import numpy

from ...backend import get_array_module
from ...backend.kernels import FUSED_DTYPES
from ..element_types import get_default_dtype
from ..engine import clear_grad
from ..grad_mode import GradMode, no_grad
from ..hooks import RemovableHandle
from ..profiler import record_function
from ..tensor import Tensor


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


def _with_step_hooks(step):
    """``step`` running the hooks of ``register_step_pre_hook`` before it and ``register_step_post_hook`` after it
    (every optimizer's step, a user's subclass's too: see ``__init_subclass__``). As in PyTorch, a hook's ``args``
    are the step's whole arguments, the optimizer first."""
    @functools.wraps(step)
    def stepping(*args, **kwargs):
        self = args[0]
        for hook in list(getattr(self, "_step_pre_hooks", {}).values()):
            changed = hook(self, args, kwargs)
            if changed is not None:
                args, kwargs = changed
        with record_function(f"Optimizer.step#{type(self).__name__}.step"):  # an event while a profiler records
            result = step(*args, **kwargs)
        for hook in list(getattr(self, "_step_post_hooks", {}).values()):
            hook(self, args, kwargs)
        return result
    return stepping


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

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self._step_pre_hooks, self._step_post_hooks = {}, {}
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

    def add_param_group(self, param_group):
        """Add a group of parameters with its own options (unspecified options take the defaults)."""
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in group["params"]}) != len(group["params"]):  # each step would update it twice
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error", UserWarning, stacklevel=4)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        for key, value in self.defaults.items():
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
        to by their position, as in PyTorch, so the dict can be saved and loaded into a fresh optimizer."""
        index_of, groups, counter = {}, [], 0
        for group in self.param_groups:
            indices = []
            for p in group["params"]:
                index_of.setdefault(id(p), counter)
                indices.append(index_of[id(p)])
                counter += 1
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": indices})
        state = {index_of[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index_of}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
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
        self.state = defaultdict(dict)
        for index, s in state_dict["state"].items():
            p = by_index[int(index)]
            # as PyTorch: the state follows its parameter's device, and, but for the step count, its float dtype
            self.state[p] = {k: _copied(v, p.device, p.dtype if k != "step" and p.is_floating_point() else None)
                             for k, v in s.items()}
        for mine, saved in zip(self.param_groups, groups):
            mine.update({k: v for k, v in saved.items() if k != "params"})

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

