"""``nn.Module``: the base class of layers and models (PyTorch's design).

Assigning a ``Parameter``, a ``Module`` or a registered buffer to an attribute *registers* it, in order, in one of
three dictionaries. Everything else a module can do — list its parameters, move itself to a device, save and
load its state — is a walk over those dictionaries, recursively through the submodules.
"""
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ..creation import as_array, empty_like
from ..element_types import as_numpy_dtype
from ..engine import clear_grad
from ..environment import compile as compile_module
from ..grad_mode import no_grad
from ..hooks import RemovableHandle
from ..layouts import check_memory_format
from ..tensor import Tensor, parse_to_arguments
from .parameter import Buffer, Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", "missing_keys unexpected_keys")


class _IncompatibleKeys(IncompatibleKeys):
    """What ``load_state_dict`` returns: the lists ``missing_keys`` and ``unexpected_keys``, a namedtuple that
    prints ``<All keys matched successfully>`` when both are empty (as PyTorch's)."""
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class _Flagged:
    """A forward (pre-)hook registered with options: ``with_kwargs`` (it also receives the forward's keyword
    arguments), ``always_call`` (a forward hook that also runs when the call raises)."""
    __slots__ = ("fn", "with_kwargs", "always_call")

    def __init__(self, fn, with_kwargs, always_call):
        self.fn, self.with_kwargs, self.always_call = fn, with_kwargs, always_call

    def run(self, module, args, kwargs, output):
        """Call it as a forward hook."""
        return self.fn(module, args, kwargs, output) if self.with_kwargs else self.fn(module, args, output)


class _StateDictReplacingHook:
    """A ``state_dict`` post hook registered with the older, private ``Module._register_state_dict_hook``: what it
    returns, when not None, replaces the state dict (``register_state_dict_post_hook`` hooks must return None)."""
    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, module, state_dict, prefix, local_metadata):
        return self.fn(module, state_dict, prefix, local_metadata)


def _add_forward_hook(table, hook, prepend, with_kwargs, always_call=False):
    return RemovableHandle.add(table, _Flagged(hook, with_kwargs, always_call) if with_kwargs or always_call
                               else hook, prepend)


# Hooks that every module runs, before its own ones (``register_module_forward_hook`` ...)
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()


def register_module_forward_pre_hook(hook):
    """``hook(module, inputs)`` before the forward of *every* module (before the module's own pre-hooks); a
    returned value replaces the inputs. Returns a handle whose ``remove()`` unregisters it."""
    return RemovableHandle.add(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """``hook(module, inputs, output)`` after the forward of *every* module (before the module's own hooks); a
    returned value replaces the output. ``with_kwargs``: ``hook(module, inputs, kwargs, output)``.
    ``always_call``: also when the call raises (see ``Module.register_forward_hook``)."""
    return _add_forward_hook(_global_forward_hooks, hook, False, with_kwargs, always_call)


def register_module_full_backward_pre_hook(hook):
    """``Module.register_full_backward_pre_hook`` for *every* module, run before the module's own."""
    return RemovableHandle.add(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    """``Module.register_full_backward_hook`` for *every* module, run before the module's own."""
    return RemovableHandle.add(_global_backward_hooks, hook)


#: the state_dict key (after the module's prefix) of what ``get_extra_state`` returns, as PyTorch names it
_EXTRA_STATE_KEY = "_extra_state"


def _walk_for_state_dict(root, prefix):
    """The modules of ``root`` in the order ``state_dict`` lists them (a shared one under each of its names):
    ``(module, key prefix, True)`` on the way in, then ``(module, key prefix, False)`` once its submodules are
    done — where the post hooks run."""
    waiting = []  # (depth, module, key prefix) of the modules entered and not yet left
    for name, module in root.named_modules(remove_duplicate=False):
        depth = name.count(".") + 1 if name else 0
        while waiting and waiting[-1][0] >= depth:  # the walk left those subtrees
            yield waiting[-1][1], waiting.pop()[2], False
        module_prefix = prefix + name + "." if name else prefix
        yield module, module_prefix, True
        waiting.append((depth, module, module_prefix))
    while waiting:
        yield waiting[-1][1], waiting.pop()[2], False


class Module:
    """Subclass, create parameters and submodules in ``__init__`` (after ``super().__init__()``), define
    ``forward``, and call the module like a function."""

    def __init__(self):
        set_ = object.__setattr__
        set_(self, "training", True)
        set_(self, "_parameters", OrderedDict())
        set_(self, "_buffers", OrderedDict())
        set_(self, "_non_persistent_buffers", set())
        set_(self, "_modules", OrderedDict())
        set_(self, "_forward_hooks", OrderedDict())
        set_(self, "_forward_pre_hooks", OrderedDict())
        set_(self, "_backward_hooks", OrderedDict())
        set_(self, "_backward_pre_hooks", OrderedDict())
        set_(self, "_load_state_dict_pre_hooks", OrderedDict())
        set_(self, "_load_state_dict_post_hooks", OrderedDict())
        set_(self, "_state_dict_pre_hooks", OrderedDict())
        set_(self, "_state_dict_hooks", OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        output, ran = None, 0  # ran: how many forward hooks were started
        try:
            for hook in [*_global_forward_pre_hooks.values(), *self._forward_pre_hooks.values()]:
                if isinstance(hook, _Flagged):  # with_kwargs: hook(module, args, kwargs) -> None or (args, kwargs)
                    result = hook.fn(self, args, kwargs)
                    if result is not None:
                        if not (isinstance(result, tuple) and len(result) == 2):
                            raise RuntimeError(f"forward pre-hook must return None or a tuple of (new_args, "
                                               f"new_kwargs), but got {result}.")
                        args, kwargs = result
                    continue
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
            relay = None
            if self._backward_hooks or self._backward_pre_hooks or _global_backward_hooks or _global_backward_pre_hooks:
                from .backward_hooks import _Relay  # mark the inputs and outputs
                relay = _Relay(self, [*_global_backward_hooks.values(), *self._backward_hooks.values()],
                               [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()])
                args = relay.mark_inputs(args)
            output = self.forward(*args, **kwargs)
            for hook in [*_global_forward_hooks.values(), *self._forward_hooks.values()]:
                ran += 1
                result = hook.run(self, args, kwargs, output) if isinstance(hook, _Flagged) else \
                    hook(self, args, output)
                if result is not None:
                    output = result
            return output if relay is None else relay.mark_outputs(output)
        except Exception:
            self._run_always_called_hooks(args, kwargs, output, ran)
            raise

    def _run_always_called_hooks(self, args, kwargs, output, ran):
        """After an exception in the call (a hook's or the forward's, then ``output`` is None): the forward hooks
        registered with ``always_call`` that have not been started yet, as in PyTorch. Their own exceptions only
        warn — the first one propagates."""
        n_global = len(_global_forward_hooks)
        hooks = [*_global_forward_hooks.values(), *self._forward_hooks.values()]
        for i, hook in enumerate(hooks[ran:], ran):
            if not (isinstance(hook, _Flagged) and hook.always_call):
                continue
            try:
                result = hook.run(self, args, kwargs, output)
            except Exception as e:
                where = "global module" if i < n_global else "module"
                warnings.warn(f"{where} forward hook with ``always_call=True`` raised an exception that was silenced "
                              f"as another error was raised in forward: {e}", stacklevel=3)
                continue
            if result is not None:
                output = result

    # ------------------------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:  # (plain values may come first, as in PyTorch)
            kind = next((k for c, k in ((Parameter, "parameters"), (Module, "module"), (Buffer, "buffer"))
                         if isinstance(value, c)), None)
            if kind is not None:
                raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
            object.__setattr__(self, name, value)
            return
        params, modules, buffers = self._parameters, self._modules, self._buffers
        if isinstance(value, Parameter):
            if name not in params:  # replacing keeps the registration order (and so the state_dict order)
                self._forget(name)
            params[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if name not in modules:
                self._forget(name)
            modules[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(nn.Module or None expected)")
            modules[name] = None
        elif isinstance(value, Buffer):
            self._forget(name)
            self.register_buffer(name, value, value.persistent)
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name):
        self.__dict__.pop(name, None)
        for table in (self._parameters, self._modules, self._buffers):
            table.pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name):
        # only called when normal lookup fails: look in the registries
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        if name in self._parameters or name in self._modules or name in self._buffers:
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def register_parameter(self, name, param):
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(nn.Parameter or None required)")
        self._check_new_name(name, self._parameters)
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """A tensor that is part of the module's state (saved, moved by ``to``) but not a parameter."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None "
                            "required)")
        self._check_new_name(name, self._buffers)
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_new_name(name, self._modules)
        if name not in self._modules:  # replacing a submodule keeps its place, as in __setattr__
            self._forget(name)
        self._modules[name] = module

    register_module = add_module

    def _check_new_name(self, name, table):
        if not isinstance(name, str):
            raise TypeError(f"name should be a string, got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f"name can't contain \".\" or be empty, got {name!r}")
        # (a parameter, buffer or submodule of that name is an attribute too: replacing it here would silently
        # take, say, a weight out of parameters() and so out of training)
        if name not in table and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")

    # ---------------------------------------------------------------------------------------- walking
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:  # depth-first, in registration order, without recursion
            name, module = stack.pop()
            if remove_duplicate:
                if module in memo:  # (the modules themselves, as PyTorch keeps them: a caller's memo works)
                    continue
                memo.add(module)
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module._modules.items() if child is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, table, prefix, recurse, remove_duplicate=True):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target):
        module = self
        for part in target.split(".") if target else []:
            if part not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no attribute `{part}`")
            module = module._modules[part]
        return module

    def set_submodule(self, target, module, strict=False):
        """Put ``module`` at the dotted path ``target`` ("encoder.layers.0"), replacing what is there; its parent
        must exist. ``strict``: only replace an existing submodule, never add one."""
        parent_path, _, name = target.rpartition(".")
        if not name:
            raise ValueError("Cannot set the submodule without a target name!")
        parent = self.get_submodule(parent_path)
        if strict and name not in parent._modules:
            raise AttributeError(f"{type(parent).__name__} has no attribute `{name}`")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module).__name__}")
        setattr(parent, name, module)

    def get_parameter(self, target):
        return self._get_registered(target, "_parameters", "parameter")

    def get_buffer(self, target):
        return self._get_registered(target, "_buffers", "buffer")

    def _get_registered(self, target, registry, what):
        """The parameter or buffer at the dotted path ``target`` ("layer.0.weight"), from ``registry``."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        entries = getattr(module, registry)
        if name not in entries:
            raise AttributeError(f"{type(module).__name__} has no {what} `{name}`")
        return entries[name]

    # ------------------------------------------------------------------------------------------- modes
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        object.__setattr__(self, "training", mode)
        for child in self.children():  # each child's own train(), which a subclass may override (as in PyTorch)
            child.train(mode)
        return self

    def eval(self):
        """Inference behaviour for Dropout and BatchNorm (same as ``train(False)``)."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            clear_grad(p, set_to_none)

    def apply(self, fn):
        """Call ``fn(module)`` on every submodule and then on this module: each child's whole subtree first, in
        registration order (post-order, as PyTorch; iterative, so deep nesting is fine)."""
        stack = [(self, False)]
        while stack:
            module, children_done = stack.pop()
            if children_done:
                fn(module)
                continue
            stack.append((module, True))
            stack.extend((child, False) for child in reversed(list(module.children())))
        return self

    # ---------------------------------------------------------------------------------- devices/dtypes
    def _apply(self, fn, recurse=True):
        """Replace every parameter's and buffer's tensor with ``fn(tensor)``, keeping the Parameter objects
        (optimizers hold them) — the one routine behind ``to``, ``cuda``, ``cpu``, ``float``, ``double``, ``type``.
        With ``recurse=False``, only this module's own."""
        with no_grad():
            for module in self.modules() if recurse else [self]:
                for name, p in module._parameters.items():
                    if p is None:
                        continue
                    p._data = fn(p)._data
                    if p.grad is not None:
                        p.grad = Tensor._make(fn(p.grad)._data)
                for name, b in module._buffers.items():
                    if b is not None:
                        module._buffers[name] = fn(b)
        return self

    def to(self, *args, memory_format=None, **kwargs):
        """``to(device)``, ``to(dtype)`` (floating point and complex tensors only, as in PyTorch: a complex one
        given a real dtype loses its imaginary part, with PyTorch's warning), ``to(device, dtype)``;
        ``memory_format`` as ``Tensor.to`` takes it (only the row-major order minidl keeps)."""
        check_memory_format("Module.to", memory_format)
        device, dtype = parse_to_arguments(args, dict(kwargs))
        if dtype is not None and as_numpy_dtype(dtype).kind not in "fc":
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")

        def convert(t):
            if dtype is not None and (t.is_floating_point() or t.is_complex()):
                t = t.to(dtype)
            return t.to(device) if device is not None else t
        return self._apply(convert)

    def cuda(self, device=None):
        return self._apply(lambda t: t.cuda(device))

    def share_memory(self):
        """Move every parameter and buffer into shared memory (``Tensor.share_memory_``), so that processes
        started afterwards (``torch.multiprocessing``) train one model together (Hogwild)."""
        return self._apply(lambda t: t.share_memory_())

    def cpu(self):
        return self._apply(lambda t: t.cpu())

    def float(self):
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        """Refused, as ``Tensor.bfloat16`` is: numpy has no bfloat16."""
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def to_empty(self, *, device, recurse=True):
        """Every parameter and buffer replaced by an uninitialized tensor of its shape and dtype on ``device`` (the
        step after building a model on the "meta" device, before loading its weights)."""
        return self._apply(lambda t: empty_like(t, device=device), recurse)

    def compile(self, *args, **kwargs):
        """``torch.compile`` of this module, in place; minidl has no compiler, so the module stays as it is."""
        compile_module(self, *args, **kwargs)

    def type(self, dst_type):
        """Every parameter and buffer converted by ``Tensor.type(dst_type)``: a dtype, or a legacy type
        (``torch.cuda.FloatTensor`` moves them to the GPU too)."""
        return self._apply(lambda t: t.type(dst_type))

    # ------------------------------------------------------------------------------------------- state
    #: The version of this class's ``state_dict`` layout, recorded by ``state_dict`` and handed back to
    #: ``_load_from_state_dict`` as ``local_metadata["version"]``. A subclass that renames or adds entries raises
    #: it, and converts a checkpoint with an older version (or None: saved without metadata) as it loads it.
    _version = 1

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """Every parameter and persistent buffer by dotted name (sharing memory with the module's tensors). A
        submodule registered under two names (``self.b = self.a``) appears under both, as in PyTorch.

        Each module adds its own entries with ``_save_to_state_dict(destination, prefix, keep_vars)`` (a subclass
        may override it), after its ``register_state_dict_pre_hook`` hooks ran; its ``register_state_dict_post_hook``
        hooks run once it and its submodules are saved. ``prefix`` is put before every key as it is ("m" gives
        "mweight", as in PyTorch).

        The returned OrderedDict has the attribute ``_metadata``: an OrderedDict from each module's prefix without
        its final dot ("", "fc", "block.0") to its ``{"version": module._version}``, which ``load_state_dict``
        gives back to that module. A ``destination`` passed in gets these entries only if it has ``_metadata``."""
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        metadata_by_prefix = {}  # (a module's post hooks get the same local metadata dict)
        for module, module_prefix, entering in _walk_for_state_dict(self, prefix):
            if entering:
                local_metadata = metadata_by_prefix[module_prefix] = {"version": module._version}
                if hasattr(destination, "_metadata"):
                    destination._metadata[module_prefix[:-1]] = local_metadata
                for hook in list(module._state_dict_pre_hooks.values()):
                    hook(module, module_prefix, keep_vars)
                module._save_to_state_dict(destination, module_prefix, keep_vars)
            else:
                returned = module._run_state_dict_post_hooks(destination, module_prefix,
                                                             metadata_by_prefix[module_prefix])
                if module_prefix == prefix:  # as in PyTorch, only the hooks of the module called may replace it
                    destination = returned
        return destination

    def _run_state_dict_post_hooks(self, state_dict, prefix, local_metadata):
        """Run this module's ``state_dict`` post hooks; returns the state dict the last one left (a hook registered
        with ``_register_state_dict_hook`` may return a new one, which the hooks after it then get)."""
        for hook in list(self._state_dict_hooks.values()):
            returned = hook(self, state_dict, prefix, local_metadata)
            if isinstance(hook, _StateDictReplacingHook):
                state_dict = state_dict if returned is None else returned
            elif returned is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return state_dict

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        """Add this module's own parameters, persistent buffers and extra state (not its children's) under
        ``prefix``."""
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else b.detach()
        if self._has_extra_state():
            destination[prefix + _EXTRA_STATE_KEY] = self.get_extra_state()

    def register_state_dict_pre_hook(self, hook):
        """``hook(module, prefix, keep_vars)`` before this module's entries go into a ``state_dict``."""
        return RemovableHandle.add(self._state_dict_pre_hooks, hook)

    def register_state_dict_post_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata)`` once this module and its submodules are in a
        ``state_dict``; it may edit ``state_dict`` in place and must return None."""
        return RemovableHandle.add(self._state_dict_hooks, hook)

    def _register_state_dict_hook(self, hook):
        """The older, private form of ``register_state_dict_post_hook`` that libraries still call: the same
        ``hook(module, state_dict, prefix, local_metadata)``, which may also return a new state dict. As in
        PyTorch, ``state_dict`` returns such a dict only from the hooks of the module it was called on; a dict
        returned by a submodule's hook reaches that submodule's later hooks and is then dropped."""
        return RemovableHandle.add(self._state_dict_hooks, _StateDictReplacingHook(hook))

    def get_extra_state(self):
        """What else a module wants saved in its ``state_dict`` (under ``_extra_state``), beside its tensors: a
        subclass that overrides this (and ``set_extra_state``) returns any value ``save`` can store."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called. Please "
                           "override get_extra_state() in your module to return the extra state.")

    def set_extra_state(self, state):
        """Take back what ``get_extra_state`` returned, when a ``state_dict`` is loaded."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called. Please "
                           "override set_extra_state() in your module to restore the extra state.")

    def _has_extra_state(self):
        return type(self).get_extra_state is not Module.get_extra_state

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy the tensors of ``state_dict`` into this module's parameters and persistent buffers, by dotted name
        (arrays are accepted too). Returns the namedtuple ``(missing_keys, unexpected_keys)``.

        The modules are visited as ``state_dict`` lists them. Each one gets, as ``local_metadata``, its entry of
        ``state_dict._metadata`` (``{"version": ...}``, see ``state_dict``; ``{}`` where there is none), and
        reports its tensors that ``state_dict`` lacks (missing) and the keys under its prefix that name neither
        one of its tensors nor a child (unexpected). Once a module and its submodules are loaded, its
        ``load_state_dict_post_hook``s see the two lists so far and may edit them in place. Then, with ``strict``,
        keys still missing or unexpected are an error; a shape mismatch always is. As in PyTorch, the error comes
        after every other tensor was loaded.

        ``assign=True`` makes the module *hold* the given tensors instead of copying into its own: a parameter
        becomes an ``nn.Parameter`` sharing the given tensor's memory (and dtype), with the ``requires_grad`` of
        the parameter it replaces; a buffer becomes the given tensor itself. Later in-place changes of the
        source show in the module (an optimizer built before still holds the old parameters).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # a copy: a module's _load_from_state_dict may rename keys in it
        if metadata is not None:
            state_dict._metadata = metadata
        missing, unexpected, errors = [], [], []
        incompatible = _IncompatibleKeys(missing, unexpected)
        for module, module_prefix, entering in _walk_for_state_dict(self, ""):
            if entering:
                # a copy: the assign flag must not end up in the caller's checkpoint (PyTorch writes it there)
                local_metadata = dict(metadata.get(module_prefix[:-1], {})) if metadata is not None else {}
                if assign:
                    local_metadata["assign_to_params_buffers"] = True
                module._load_from_state_dict(state_dict, module_prefix, local_metadata, True, missing, unexpected,
                                             errors)
            else:
                module._run_load_post_hooks(incompatible)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        return incompatible

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Load this module's own parameters and persistent buffers (not its children's) from the keys
        ``prefix + name``, appending to the lists of missing keys, unexpected keys and error messages — PyTorch's
        signature, so that a subclass may override it (to rename an old checkpoint's keys in ``state_dict``, a
        copy, before calling this). Its ``register_load_state_dict_pre_hook`` hooks run first."""
        for hook in list(self._load_state_dict_pre_hooks.values()):
            hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        assign = local_metadata.get("assign_to_params_buffers", False)
        own = {name: p for name, p in self._parameters.items() if p is not None}
        own.update((name, b) for name, b in self._buffers.items()
                   if b is not None and name not in self._non_persistent_buffers)
        for name, target in own.items():
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = state_dict[key]
            value = value if isinstance(value, Tensor) else Tensor._make(as_array(value))
            if tuple(value.shape) != tuple(target.shape):
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {list(value.shape)} from "
                              f"checkpoint, the shape in current model is {list(target.shape)}.")
            elif not assign:
                with no_grad():
                    target.copy_(value)
            elif name in self._parameters:
                if isinstance(value, Parameter):
                    self._parameters[name] = value.requires_grad_(target.requires_grad)
                else:
                    self._parameters[name] = Parameter(value, target.requires_grad)
            else:
                self._buffers[name] = value
        extra_key = prefix + _EXTRA_STATE_KEY
        if self._has_extra_state():
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            else:
                missing_keys.append(extra_key)
        for key in state_dict:
            if key.startswith(prefix):
                rest = key[len(prefix):]
                if rest.split(".", 1)[0] not in self._modules and rest not in own and \
                        not (rest == _EXTRA_STATE_KEY and self._has_extra_state()):
                    unexpected_keys.append(key)

    def _run_load_post_hooks(self, incompatible):
        for hook in list(self._load_state_dict_post_hooks.values()):
            if hook(self, incompatible) is not None:
                raise AssertionError("Hooks registered with ``register_load_state_dict_post_hook`` are not expected "
                                     "to return new values, if incompatible_keys need to be modified, it should be "
                                     "done inplace.")

    # ------------------------------------------------------------------------------------------ hooks
    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """``hook(module, inputs, output)`` after every forward — ``hook(module, inputs, kwargs, output)`` with
        ``with_kwargs`` — a returned value replaces the output. ``prepend``: run before the hooks already there.
        ``always_call``: also when the forward (or a hook) raises, with ``output`` None if the forward did; the
        exception then propagates."""
        return _add_forward_hook(self._forward_hooks, hook, prepend, with_kwargs, always_call)

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, inputs)`` before every forward; a returned value replaces the inputs. With
        ``with_kwargs``: ``hook(module, inputs, kwargs)``, returning None or a new ``(inputs, kwargs)``."""
        return _add_forward_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_load_state_dict_pre_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)``
        before this module's tensors are loaded; it may edit ``state_dict`` (a copy) in place."""
        return RemovableHandle.add(self._load_state_dict_pre_hooks, hook)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        """The older, private form that libraries still call (to rename a checkpoint's keys): ``hook(state_dict,
        prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)``, given the module first only
        ``with_module``."""
        return self.register_load_state_dict_pre_hook(hook if with_module else
                                                      lambda module, *arguments: hook(*arguments))

    def register_load_state_dict_post_hook(self, hook):
        """``hook(module, incompatible_keys)`` after ``load_state_dict`` loaded this module and its submodules;
        ``incompatible_keys.missing_keys`` / ``.unexpected_keys`` may be edited in place (e.g. to forgive keys
        before the ``strict`` check); the hook must return None."""
        return RemovableHandle.add(self._load_state_dict_post_hooks, hook)

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output)`` once the gradients w.r.t. the module's positional inputs are
        computed (grad_output: w.r.t. its outputs); a returned tuple replaces grad_input. See backward_hooks.py."""
        return RemovableHandle.add(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        """PyTorch's older, deprecated spelling (old Grad-CAM code uses it): here the same as
        ``register_full_backward_hook``, whose gradients are the module's inputs' and outputs'."""
        return self.register_full_backward_hook(hook)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output)`` when the gradients w.r.t. the module's outputs are computed; a returned
        tuple replaces grad_output."""
        return RemovableHandle.add(self._backward_pre_hooks, hook, prepend)

    # ------------------------------------------------------------------------------------------- repr
    def extra_repr(self):
        """The part inside the parentheses of ``repr`` (override in layers: ``in_features=2, ...``)."""
        return ""

    def _child_reprs(self):
        """``[(label, repr)]`` of the submodules, one line group each in ``repr``."""
        return [(name, repr(module)) for name, module in self._modules.items()]

    def __repr__(self):
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        children = [f"({label}): " + text.replace("\n", "\n  ") for label, text in self._child_reprs()]
        if not children and len(lines) <= 1:  # on one line: ``Linear(in_features=2, ...)``, ``ReLU()``
            return f"{type(self).__name__}({extra})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines + children) + "\n)"

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._modules) | set(self._buffers))
