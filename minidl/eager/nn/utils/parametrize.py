"""``nn.utils.parametrize``: a module's parameter (or buffer) computed by a small module from other tensors, on every
access (PyTorch's parametrizations).

After ``register_parametrization(layer, "weight", P())``::

    layer.weight  ==  P()(layer.parametrizations.weight.original)        (recomputed at every read)

The tensor that is trained is ``original``; ``weight`` is an ordinary function of it, built with recorded minidl
ops, so ``backward()`` brings the gradient home to ``original`` and an optimizer updates it. A parametrization
keeps a constraint true by construction — ``orthogonal``, ``weight_norm`` and ``spectral_norm`` in
``parametrizations.py`` are the usual ones — instead of projecting the weight back after every step.

How it is built:

* ``original`` lives in ``layer.parametrizations.weight``, a ``ParametrizationList`` (a ``ModuleList`` of the
  parametrizations) inside a ``ModuleDict``; so ``state_dict`` calls it ``parametrizations.weight.original`` and
  ``parameters()``, ``to()`` and ``load_state_dict`` find it with no special case.
* Reading ``layer.weight`` must run code, so ``weight`` becomes a ``property``. Properties live on a class, and
  other ``Linear`` layers must not change: the layer's class is swapped for a subclass made for it alone,
  ``ParametrizedLinear``. ``type_before_parametrizations`` gives the class it had before.
* Several parametrizations on one tensor are applied in registration order: ``P2(P1(original))``.
* ``right_inverse`` (optional) goes the other way: ``P.right_inverse(W)`` is a value ``X`` with ``P(X) = W``. It
  sets ``original`` when the parametrization is registered (so that the weight starts unchanged), and when a
  value is assigned (``layer.weight = W``). It may return a tuple: the parametrization then takes several inputs,
  stored as ``original0``, ``original1``, ... (``weight_norm``: the norms g and the directions v).
* ``with cached():`` computes each parametrized tensor once and reuses it until the block ends (an RNN reading
  its recurrent weight at every step).
"""
import copy
from collections.abc import Sequence
from contextlib import contextmanager

from ...grad_mode import no_grad
from ...tensor import Tensor
from ..containers import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

__all__ = ["cached", "ParametrizationList", "register_parametrization", "is_parametrized",
           "remove_parametrizations", "type_before_parametrizations"]

_cache_depth = 0  # how many ``cached()`` blocks are open (they nest)
_cache = {}  # (id(module), tensor name) -> the value computed in the open blocks
_given = {}  # (id(module), tensor name) -> the tensor read instead, during a ``func.functional_call`` that gives one


@contextmanager
def cached():
    """Inside the block, each parametrized tensor is computed at its first read and then reused; the values are
    dropped when the outermost block ends."""
    global _cache_depth
    _cache_depth += 1
    try:
        yield
    finally:
        _cache_depth -= 1
        if not _cache_depth:
            _cache.clear()


def read_instead(module, tensor_name, tensor):
    """Make ``module.<tensor_name>`` (a parametrized tensor) read ``tensor`` itself, bypassing the
    parametrization, until the returned function is called — what ``func.functional_call`` does with a value given
    for a parametrized name, as PyTorch's: the call computes with that tensor and gradients flow to it."""
    key = (id(module), tensor_name)
    previous = _given.get(key)
    _given[key] = tensor

    def restore():
        if previous is None:
            del _given[key]
        else:
            _given[key] = previous
    return restore


def _register_tensor(module, name, tensor):
    """A Parameter is registered as a parameter, any other tensor as a buffer."""
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


def _set_data(original, value):
    """Give ``original`` the values of ``value``, keeping the tensor object itself — an optimizer may hold it
    (what PyTorch's ``set_`` is for here). In place when the shapes agree: that bumps the tensor's version, so a
    graph recorded earlier that saved ``original`` refuses to backpropagate rather than read the new values. A
    parametrization registered ``unsafe`` may change the shape; then the tensor is given the new array."""
    if value is original:
        return
    if value.shape == original.shape:
        with no_grad():
            original.copy_(value)
    else:
        original.data = value


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, in order, and its unconstrained value(s): ``original``, or
    ``original0``, ``original1``, ... when the first parametrization takes several tensors.

    Made by ``register_parametrization``, not by hand. Calling it computes the parametrized tensor. ``unsafe``:
    the parametrizations may change the tensor's shape and dtype (otherwise that is checked once, here)."""

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        dtype, shape = original.dtype, original.shape  # (``original`` itself is about to be overwritten)
        with no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass  # a right_inverse that cannot invert: ``original`` starts as the tensor itself
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                             f"Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if new.dtype != dtype:
                raise ValueError("When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                                 f"original.dtype: {dtype}\nright_inverse(original).dtype: {new.dtype}")
            _set_data(original, new)  # the very object that was the module's parameter stays the trained one
            _register_tensor(self, "original", original)
        else:
            for i, tensor in enumerate(new):
                if not isinstance(tensor, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...)."
                                     f" Got element {i} of the sequence with type {type(tensor).__name__}.")
                # new tensors: the caller adds them to the optimizer (as in PyTorch)
                tensor = Parameter(tensor, original.requires_grad) if isinstance(original, Parameter) else tensor
                _register_tensor(self, f"original{i}", tensor.requires_grad_(original.requires_grad))
        if not unsafe:
            _check_same_kind(self(), dtype, shape, "Registering a parametrization", "unparametrized", "parametrized")

    def right_inverse(self, value):
        """Set the original tensor(s) so that the parametrized tensor becomes ``value``: the ``right_inverse`` of
        each parametrization, last registered first."""
        with no_grad():
            for module in reversed(self):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                if value.dtype != self.original.dtype:
                    raise ValueError(f"The tensor returned by `right_inverse` has dtype {value.dtype} while "
                                     f"`original` has dtype {self.original.dtype}")
                _set_data(self.original, value)
                return
            if not isinstance(value, Sequence):
                raise ValueError(f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}.")
            if len(value) != self.ntensors:
                raise ValueError(f"'right_inverse' must return a sequence of tensors of length {self.ntensors}. Got "
                                 f"a sequence of length {len(value)}.")
            for i, tensor in enumerate(value):
                original = getattr(self, f"original{i}")
                if not isinstance(tensor, Tensor) or tensor.dtype != original.dtype:
                    raise ValueError(f"Tensor {i} returned by `right_inverse` should be a tensor of dtype "
                                     f"{original.dtype}, got {_describe(tensor)}")
                _set_data(original, tensor)

    def forward(self):
        modules = list(self)
        if self.is_tensor:
            x = modules[0](self.original)
        else:
            x = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            x = module(x)
        return x


def _describe(value):
    return f"a tensor of dtype {value.dtype}" if isinstance(value, Tensor) else type(value).__name__


def _check_same_kind(result, dtype, shape, what, before_name, result_name):
    """``result`` must be a tensor of that dtype and shape (a parametrization maps the tensors of one shape and
    dtype to themselves, unless ``unsafe``)."""
    if not isinstance(result, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(result).__name__}.")
    for attribute, expected in (("dtype", dtype), ("shape", shape)):
        if getattr(result, attribute) != expected:
            raise ValueError(f"{what} may not change the {attribute} of the tensor, unless the `unsafe` flag is "
                             f"enabled.\n{before_name} {attribute}: {expected}\n{result_name} {attribute}: "
                             f"{getattr(result, attribute)}")


# ------------------------------------------------------------------------------ the parametrized class

def _add_property(cls, tensor_name):
    """``module.<tensor_name>`` reads ``parametrizations[tensor_name]()`` and assignments go to its
    ``right_inverse``."""
    def get(module):
        given = _given.get((id(module), tensor_name))
        if given is not None:
            return given
        parametrization = module.parametrizations[tensor_name]
        if not _cache_depth:
            return parametrization()
        key = (id(module), tensor_name)
        if key not in _cache:
            _cache[key] = parametrization()
        return _cache[key]

    def set_(module, value):
        module.parametrizations[tensor_name].right_inverse(value)

    setattr(cls, tensor_name, property(get, set_))


def _parametrized_class(base, tensor_names=()):
    """A subclass of ``base`` for one module, named ``Parametrized<base>`` (as PyTorch names it), with a property
    for each of ``tensor_names``."""
    def __setattr__(module, name, value):
        # Module.__setattr__ would register a Parameter (or Module) under a parametrized name, where the property
        # hides it; PyTorch refuses, with this error
        if isinstance(value, (Parameter, Module)) and is_parametrized(module, name):
            raise KeyError(f"attribute '{name}' already exists (it is parametrized: assign a tensor to set it "
                           "through right_inverse, or call remove_parametrizations first)")
        base.__setattr__(module, name, value)

    def __deepcopy__(module, memo):
        # the copy gets a class of its own: registering or removing a parametrization on one of the two (a
        # property added to or deleted from the class) must not change the other
        replica = object.__new__(_parametrized_class(base, list(module.parametrizations)))
        memo[id(module)] = replica
        for key, value in module.__dict__.items():
            object.__setattr__(replica, key, copy.deepcopy(value, memo))
        return replica

    cls = type(f"Parametrized{base.__name__}", (base,), {"__setattr__": __setattr__, "__deepcopy__": __deepcopy__})
    for name in tensor_names:
        _add_property(cls, name)
    return cls


# ---------------------------------------------------------------------------------------------- the API

def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make ``module.<tensor_name>`` read as ``parametrization(original)`` from now on (module docstring).

    The first parametrization of a tensor moves the parameter or buffer to
    ``module.parametrizations.<tensor_name>.original`` (the same tensor object, set to ``right_inverse`` of the
    current value when ``parametrization`` has one); a later one is applied after those already there. The
    parametrization takes the module's training mode. With ``unsafe=False`` a parametrization may not change the
    tensor's shape or dtype (checked once, here). Returns the module."""
    if not isinstance(parametrization, Module):
        raise TypeError(f"register_parametrization: parametrization must be an nn.Module, got "
                        f"{type(parametrization).__name__}")
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            _check_chained(module, tensor_name, parametrization)
        parametrizations = module.parametrizations[tensor_name]
        parametrizations.append(parametrization)
        parametrizations.unsafe |= unsafe  # once a tensor may change shape or dtype, it stays so
    elif tensor_name in module._parameters or tensor_name in module._buffers:
        original = getattr(module, tensor_name)
        if original is None:
            raise ValueError(f"register_parametrization: {type(module).__name__}.{tensor_name} is None; there is "
                             "no tensor to parametrize")
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)  # fails before any change
        delattr(module, tensor_name)
        if not is_parametrized(module):
            module.__class__ = _parametrized_class(type(module))
            module.parametrizations = ModuleDict()
        _add_property(type(module), tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element with "
                         f"name '{tensor_name}'")
    return module


def _check_chained(module, tensor_name, parametrization):
    """A parametrization added after others maps the current value to one of the same shape and dtype, and so
    does its ``right_inverse`` (if it has one that works)."""
    current = getattr(module, tensor_name)
    result = parametrization(current)
    _check_same_kind(result, current.dtype, current.shape, "Registering a parametrization",
                     f"module.{tensor_name}", f"parametrization(module.{tensor_name})")
    if hasattr(parametrization, "right_inverse"):
        try:
            inverse = parametrization.right_inverse(result)
        except NotImplementedError:
            return
        _check_same_kind(inverse, current.dtype, current.shape, "parametrization.right_inverse",
                         f"module.{tensor_name}", "returned")


def is_parametrized(module, tensor_name=None):
    """Whether ``module.<tensor_name>`` is parametrized — or, with no name, any of the module's tensors."""
    parametrizations = getattr(module, "parametrizations", None)
    if not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Make ``module.<tensor_name>`` an ordinary parameter (or buffer) again, holding its current parametrized
    value (``leave_parametrized=True``) or ``original`` (``False``; only possible with a single original). The
    original tensor object is kept, so an optimizer that holds it still works. When no parametrized tensor is
    left the module gets its class back. Returns the module."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    base = type_before_parametrizations(module)
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                _set_data(original, getattr(module, tensor_name))
    elif leave_parametrized:
        value = getattr(module, tensor_name)  # with grad recording on: does it depend on trained tensors?
        original = Parameter(value) if value.requires_grad else value
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized "
                         "in terms of a sequence of tensors.")
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register_tensor(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = base
    return module


def type_before_parametrizations(module):
    """The module's class before it was parametrized (its class, if it is not parametrized)."""
    return type(module).__bases__[0] if is_parametrized(module) else type(module)
