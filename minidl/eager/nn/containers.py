"""Modules that hold other modules — ``Sequential``, ``ModuleList``, ``ModuleDict`` — or parameters:
``ParameterList``, ``ParameterDict`` (a plain Python list or dict would hide what it holds from ``parameters()``,
``state_dict()`` and ``to()``)."""
import operator
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from itertools import chain

from ..formatting import dtype_name
from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


class _ModuleSequence(Module):
    """What ``Sequential`` and ``ModuleList`` share: their modules in order, counted, iterated, appended to,
    deleted (``del seq[i]``, ``del seq[a:b]``) and popped.

    After a deletion or an insertion the modules are renamed "0", "1", ... by position, as PyTorch does: the
    names stay the indices, so ``state_dict()`` keys match those of a container built with the remaining
    modules."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def __delitem__(self, index):
        names = list(self._modules)
        doomed = names[index] if isinstance(index, slice) else [names[_checked_index(index, len(self))]]
        for name in doomed:
            del self._modules[name]
        self._renumber(list(self))

    def pop(self, key):
        """Remove and return the module at index ``key`` (a slice: a container of those modules)."""
        popped = self[key]
        del self[key]
        return popped

    def _renumber(self, modules):
        """Hold ``modules`` (already checked to be modules), in order, under the names "0", "1", ..."""
        self._modules.clear()
        for i, module in enumerate(modules):
            self._modules[str(i)] = module


class Sequential(_ModuleSequence):
    """Calls its modules in order, each on the previous one's output."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        return list(self._modules.values())[_checked_index(index, len(self))]

    def __setitem__(self, index, module):
        key = list(self._modules)[_checked_index(index, len(self))]
        setattr(self, key, module)

    def insert(self, index, module):
        """Put ``module`` before position ``index``, -len(self) <= index <= len(self) (a negative index counts
        from the end; len(self) appends)."""
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        index = operator.index(index)
        if not -len(self) <= index <= len(self):
            raise IndexError(f"Index out of range: {index}")
        modules = list(self)
        modules.insert(index, module)
        self._renumber(modules)
        return self

    def extend(self, sequential):
        """Append every module of ``sequential`` (any iterable of modules)."""
        for module in sequential:
            self.append(module)
        return self

    def __add__(self, other):
        """A new ``Sequential`` of this one's modules then ``other``'s (the same module objects, not copies)."""
        return Sequential(*self, *_as_sequential(other))

    def __iadd__(self, other):
        return self.extend(_as_sequential(other))

    def __mul__(self, times):
        """A new ``Sequential`` of these modules ``times`` over (the same module objects each time, as PyTorch's)."""
        if not isinstance(times, int) or isinstance(times, bool) or times <= 0:
            raise ValueError(f"Non-positive multiplication factor {times!r} for Sequential")
        return Sequential(*(list(self) * times))

    __rmul__ = __mul__

    def __imul__(self, times):
        self.__mul__(times)  # (refuses a factor that is not a positive int)
        return self.extend(list(self) * (times - 1))


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain Python list would hide them)."""

    def _child_reprs(self):
        """Runs of modules that print the same are shown once, as PyTorch does: ``(0-5): 6 x EncoderLayer(...)`` (a
        deep stack of identical layers would otherwise fill the screen)."""
        runs = []  # [first index, last index, repr]
        for index, (_, module) in enumerate(self._modules.items()):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1][1] = index
            else:
                runs.append([index, index, text])
        return [(str(first), text) if first == last else (f"{first}-{last}", f"{last - first + 1} x {text}")
                for first, last, text in runs]

    def __init__(self, modules=None):
        super().__init__()
        self.extend(modules or [])

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        return self._modules[str(_checked_index(index, len(self)))]

    def __setitem__(self, index, module):
        setattr(self, str(_checked_index(index, len(self))), module)

    def extend(self, modules):
        if not isinstance(modules, Iterable):
            raise TypeError(f"ModuleList.extend should be called with an iterable, but got {type(modules).__name__}")
        for module in modules:
            self.append(module)
        return self

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        """A new ``ModuleList`` of this one's modules then those of the iterable ``other`` (not copies)."""
        return ModuleList(chain(self, other))

    def insert(self, index, module):
        """Put ``module`` before position ``index``, as ``list.insert`` does: a negative index counts from the end,
        and an index past either end inserts at that end. (PyTorch's ModuleList.insert raises a KeyError for a
        negative index and leaves a gap in the names for one past the end; this follows its documentation.)"""
        if not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        modules = list(self)
        modules.insert(operator.index(index), module)
        self._renumber(modules)


class ModuleDict(Module):
    """A dict of modules whose parameters are registered."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def update(self, modules):
        for key, module in (modules.items() if hasattr(modules, "items") else modules):
            self.add_module(key, module)

    def pop(self, key):
        module = self._modules[key]
        del self._modules[key]
        return module

    def clear(self):
        self._modules.clear()


def _as_parameter(value):
    """Tensors stored in a ParameterList/Dict become Parameters (as in PyTorch); other objects stay as they are."""
    return Parameter(value) if isinstance(value, Tensor) and not isinstance(value, Parameter) else value


def _describe_entry(key, value, type_name):
    """One line of a ParameterList/Dict repr: ``(key): Parameter containing: [<type> of size 3x4]``."""
    if not isinstance(value, Tensor):
        return f"  ({key}): Object of type: {type(value).__name__}"
    size = "x".join(str(n) for n in value.shape)
    device = f" ({value.device})" if value.device.type != "cpu" else ""
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    return f"  ({key}): {kind} containing: [{type_name(value)} of size {size}{device}]"


class ParameterList(Module):
    """A list of parameters, registered under the names "0", "1", ... (plain tensors are made Parameters)."""

    def __init__(self, values=None):
        super().__init__()
        object.__setattr__(self, "_size", 0)
        if values is not None:
            self.extend(values)

    def __len__(self):
        return self._size

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ParameterList([self[i] for i in range(len(self))[index]])
        return getattr(self, str(_checked_index(index, len(self))))

    def __setitem__(self, index, value):
        setattr(self, str(_checked_index(index, len(self))), _as_parameter(value))

    def __iadd__(self, values):
        return self.extend(values)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")

    def append(self, value):
        object.__setattr__(self, "_size", self._size + 1)
        self[self._size - 1] = value
        return self

    def extend(self, values):
        if isinstance(values, Tensor) or not hasattr(values, "__iter__"):
            raise TypeError(f"ParameterList.extend should be called with an iterable, but got "
                            f"{type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        return "\n".join(_describe_entry(i, p, lambda t: dtype_name(t.dtype)) for i, p in enumerate(self))


class ParameterDict(Module):
    """A dict of parameters by string key, registered under those keys (plain tensors are made Parameters).
    Built from a plain dict, the keys are sorted (PyTorch's rule); from an OrderedDict, a ParameterDict or a list
    of pairs, their order is kept."""

    def __init__(self, parameters=None):
        super().__init__()
        object.__setattr__(self, "_keys", {})  # a dict used as an ordered set
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _key(key):
        if not isinstance(key, str):
            raise TypeError(f"Index given to ParameterDict cannot be used as a key as it is not a string (type is "
                            f"'{type(key).__name__}'). Open an issue on github if you need non-string keys.")
        return key

    def __getitem__(self, key):
        if self._key(key) not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key, value):
        self._keys[self._key(key)] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key):
        del self._keys[key]
        delattr(self, key)

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __contains__(self, key):
        return key in self._keys

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterDict should not be called.")

    def keys(self):
        return self._keys.keys()

    def values(self):
        return (self[k] for k in self._keys)

    def items(self):
        return ((k, self[k]) for k in self._keys)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def pop(self, key):
        value = self[key]
        del self[key]
        return value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self):
        for key in list(self._keys):
            del self[key]

    def popitem(self):
        """The last entry, removed."""
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def copy(self):
        """A new ParameterDict of the same entries (the same Parameter objects)."""
        return ParameterDict(OrderedDict(self.items()))

    def fromkeys(self, keys, default=None):
        """A new ParameterDict with every key of ``keys`` holding ``default``."""
        return ParameterDict(OrderedDict((key, default) for key in keys))

    def update(self, parameters):
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = list(parameters)
            for j, pair in enumerate(pairs):
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise ValueError(f"ParameterDict update sequence element #{j} should be a (key, parameter) pair, "
                                     f"got {pair!r}")
        for key, value in pairs:
            self[key] = value

    def __reversed__(self):
        return reversed(list(self._keys))

    def __or__(self, other):
        """A new ParameterDict: these entries, updated with ``other``'s (``update``: a plain dict's sorted)."""
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other):
        merged = other.copy()  # (PyTorch's: a plain dict stays one)
        merged.update(self)
        return merged

    def __ior__(self, other):
        self.update(other)
        return self

    def extra_repr(self):
        return "\n".join(_describe_entry(k, p, lambda t: t.type()) for k, p in self.items())


def _as_sequential(other):
    """``other``, the right operand of ``Sequential + other`` or ``+=``, checked to be a Sequential (as PyTorch)."""
    if not isinstance(other, Sequential):
        raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
    return other


def _checked_index(index, length):
    index = operator.index(index)  # a TypeError for a str or a float, as for a list
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range")
    return index % length
