"""``nn.utils.prune``: set some entries of a layer's weight to zero and keep them zero while training
(PyTorch's pruning).

Many trained weights matter little; removing them makes a network sparser (smaller once stored sparsely) and
often costs almost no accuracy. Pruning ``module.weight`` here does not delete anything. It *masks* the weight::

    module.weight_orig     the parameter that is trained (the weight as it was; an optimizer updates it)
    module.weight_mask     a buffer of 0s and 1s shaped like the weight: 0 marks a pruned entry
    module.weight          weight_orig * weight_mask — a plain tensor attribute, not a parameter

A forward pre-hook (the pruning method object itself, ``Module.register_forward_pre_hook``) recomputes
``module.weight`` before every call, so the layer always uses the masked weight. The product is an ordinary
recorded op: ``backward()`` gives ``weight_orig`` the gradient ``mask * grad``, so pruned entries get a zero
gradient and nothing but weight decay moves them. ``state_dict`` holds ``weight_orig`` and ``weight_mask``.

Which entries to prune is what the methods differ in (each one's ``compute_mask``):

* unstructured — single entries anywhere: ``RandomUnstructured``, ``L1Unstructured`` (the smallest |w|);
* structured — whole slices along a dim ("channels": rows of a Linear weight with ``dim=0``, the output
  filters of a convolution): ``RandomStructured``, ``LnStructured`` (the slices of smallest Ln norm);
* a given mask: ``CustomFromMask``; no pruning at all: ``Identity``.

``amount`` says how many: an int is a count, a float in [0, 1] a fraction of the entries (channels), rounded
with Python's ``round`` (to even on .5: 0.5 of 5 entries prunes 2).

Pruning the same tensor again *adds* to the mask: the new method only sees what is still unpruned (the entries
with mask 1, or the channels not yet all zero), and a fraction counts from those. The hook becomes a
``PruningContainer`` of all the methods applied so far. ``remove(module, "weight")`` makes the pruning
permanent: ``weight`` is a parameter again (the ``weight_orig`` object, now holding the masked values), and the
mask and hook are gone. ``global_unstructured`` ranks the entries of several tensors together, so a layer
with many small weights loses more of them than one with large weights.

Ties: the smallest entries are found with ``topk``, which here is stable — among equal |w|, ``L1Unstructured``
prunes the ones with the lower (flattened) index first, and ``LnStructured`` keeps the lower-numbered channels
among equal norms. PyTorch's ``topk`` does not specify which of equal entries it picks (it depends on the size
of the tensor), so masks agree with PyTorch exactly when the values that decide them are distinct.
"""
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

from .... import ops
from ...creation import ones_like, rand, rand_like, zeros_like

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
           "RandomStructured", "LnStructured", "CustomFromMask", "identity", "random_unstructured",
           "l1_unstructured", "random_structured", "ln_structured", "global_unstructured", "custom_from_mask",
           "remove", "is_pruned"]


# ------------------------------------------------------------------------------------------------ amounts

def _check_amount(amount):
    """``amount`` must be a non-negative int (a count) or a float in [0, 1] (a fraction)."""
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (amount < 0) if isinstance(amount, numbers.Integral) else not 0.0 <= float(amount) <= 1.0:
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")
    return amount


def _count_to_prune(amount, size):
    """How many of ``size`` entries (or channels) ``amount`` prunes: the count itself, or ``round(amount * size)``."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={size}")
        return int(amount)
    return round(amount * size)


def _check_scores_shape(scores, t, what):
    if scores is not None and tuple(scores.shape) != tuple(t.shape):
        raise AssertionError(f"importance_scores should have the same shape as {what}, got "
                             f"{list(scores.shape)} vs {list(t.shape)}")


def _structured_dim(t, dim):
    """``dim`` as a non-negative dim of ``t``, which must have at least 2 dims (a 1-D tensor has no channels
    that are more than single entries)."""
    if t.ndim <= 1:
        raise ValueError(f"Structured pruning can only be applied to multidimensional tensors. Found tensor of "
                         f"shape {tuple(t.shape)} with {t.ndim} dims")
    if not -t.ndim <= dim < t.ndim:
        raise IndexError(f"Invalid index {dim} for tensor of size {tuple(t.shape)}")
    return dim % t.ndim


# ------------------------------------------------------------------------------------------- mask helpers

def _zero_entries(default_mask, flat_indices):
    """A copy of ``default_mask`` with 0 at ``flat_indices`` (positions in the flattened tensor)."""
    mask = default_mask.clone().reshape(-1)
    mask[flat_indices] = 0
    return mask.reshape(tuple(default_mask.shape))


def _keep_channels(default_mask, dim, kept):
    """A copy of ``default_mask`` with every slice along ``dim`` set to 0, except the slices numbered ``kept``."""
    mask = zeros_like(default_mask)
    index = (slice(None),) * dim + (kept,)
    mask[index] = default_mask[index]
    return mask


# ------------------------------------------------------------------------------------------------ methods

class BasePruningMethod(ABC):
    """A way of choosing which entries of a tensor to prune. Subclasses define ``compute_mask``; the rest —
    moving the parameter to ``<name>_orig``, storing the mask, the forward pre-hook, undoing it — is shared.

    ``PRUNING_TYPE`` tells a ``PruningContainer`` which part of an already pruned tensor the method is shown
    when it is applied on top: ``"unstructured"`` (the entries still unpruned), ``"structured"`` (the channels
    along ``self.dim`` not yet entirely pruned) or ``"global"`` (all of it). An object is applied to one tensor
    of one module, whose name it remembers in ``_tensor_name``.
    """
    PRUNING_TYPE = None
    _tensor_name = None

    def __call__(self, module, inputs):
        """The forward pre-hook: ``module.<name> = <name>_orig * <name>_mask`` before every forward."""
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The new mask (0: pruned) for ``t``: ``default_mask`` (the mask so far, shaped like ``t``) with the
        entries this method removes set to 0. ``t`` holds the values that decide (the weight or its importance
        scores)."""

    def apply_mask(self, module):
        """The pruned tensor ``<name>_orig * <name>_mask`` (recorded, so the gradient reaches ``<name>_orig``)."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned")
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return mask.to(orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)`` and return the method installed as its hook.

        The first time, the parameter moves to ``<name>_orig`` and the mask starts as all ones. If the tensor is
        pruned already, the new method joins the old one(s) in a ``PruningContainer`` and only prunes what is
        left. ``importance_scores`` (shaped like the tensor) replace the tensor's values in deciding what to
        prune. The mask is computed before the module is changed, so an error leaves the module as it was.
        """
        method = cls(*args, **kwargs)
        method._tensor_name = name
        weight = getattr(module, name)  # the pruned weight, if pruned before
        _check_scores_shape(importance_scores, weight, f"parameter {name} of {module}")
        old_key, old = next(((key, hook) for key, hook in module._forward_pre_hooks.items()
                             if isinstance(hook, BasePruningMethod) and hook._tensor_name == name), (None, None))
        if old is None:
            default_mask = ones_like(weight)
        else:
            default_mask = getattr(module, name + "_mask")
            method = PruningContainer(*(old if isinstance(old, PruningContainer) else (old,)), method)
        mask = method.compute_mask(weight if importance_scores is None else importance_scores, default_mask)
        if old is None:
            module.register_parameter(name + "_orig", weight)
            del module._parameters[name]
            module.register_buffer(name + "_mask", mask)
        else:
            del module._forward_pre_hooks[old_key]
            setattr(module, name + "_mask", mask)  # (a buffer already: it keeps its place in state_dict)
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """``t`` times this method's mask, without a module (``default_mask``: the mask so far, all ones if not
        given; ``importance_scores``: the values that decide instead of ``t``)."""
        _check_scores_shape(importance_scores, t, "tensor t")
        default_mask = ones_like(t) if default_mask is None else default_mask
        return t * self.compute_mask(t if importance_scores is None else importance_scores, default_mask)

    def remove(self, module):
        """Make the pruning permanent: ``<name>`` becomes a parameter again — the ``<name>_orig`` object, given
        the masked values — and ``<name>_orig`` and ``<name>_mask`` are deleted. (The function ``remove`` also
        takes the hook away.)"""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned before pruning can be removed")
        name = self._tensor_name
        weight = self.apply_mask(module)
        if name in module.__dict__:
            delattr(module, name)
        orig = module._parameters.pop(name + "_orig")
        orig.data = weight.data
        del module._buffers[name + "_mask"]
        setattr(module, name, orig)


class PruningContainer(BasePruningMethod):
    """The methods applied one after another to the same tensor (a module's hook after repeated pruning). Its
    mask is the one computed so far, further pruned by the newest method, which sees only the part still
    unpruned (``BasePruningMethod.PRUNING_TYPE``)."""

    def __init__(self, *methods):
        self._pruning_methods = ()
        if methods:
            self._tensor_name = methods[0]._tensor_name
        for method in methods:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method._tensor_name != self._tensor_name:
            raise ValueError(f"Can only add pruning methods acting on the parameter named '{self._tensor_name}' "
                             f"to PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, index):
        return self._pruning_methods[index]

    def compute_mask(self, t, default_mask):
        """``default_mask`` with the newest method applied to the unpruned part of ``t``: a fraction ``amount``
        is then a fraction of what is left, and nothing is pruned twice."""
        method = self._pruning_methods[-1]
        mask = default_mask.to(t.dtype).clone()
        part = self._unpruned_part(method, t, mask)
        mask[part] = method.compute_mask(t[part], mask[part]).to(mask.dtype)
        return mask

    @staticmethod
    def _unpruned_part(method, t, mask):
        """The index of the part of ``t`` that ``method`` is shown (by its ``PRUNING_TYPE``)."""
        if method.PRUNING_TYPE == "unstructured":
            return mask == 1  # the entries still there (a 1-D selection)
        if method.PRUNING_TYPE == "global":
            return (slice(None),) * t.ndim
        if method.PRUNING_TYPE != "structured":
            raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")
        if not hasattr(method, "dim"):
            raise AttributeError('Pruning methods of PRUNING_TYPE "structured" need to have the attribute `dim` '
                                 'defined.')
        dim = _structured_dim(t, method.dim)
        other_dims = [d for d in range(t.ndim) if d != dim]
        return (slice(None),) * dim + (mask.sum(dim=other_dims) != 0,)  # the channels not yet all zero


class Identity(BasePruningMethod):
    """Prunes nothing: the mask stays as it is (all ones the first time). Useful to give a tensor the
    ``_orig`` / ``_mask`` form, e.g. before loading a pruned ``state_dict``."""
    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask


class RandomUnstructured(BasePruningMethod):
    """Prunes ``amount`` entries chosen at random (a baseline: it ignores the values)."""
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        self.amount = _check_amount(amount)

    def compute_mask(self, t, default_mask):
        k = _count_to_prune(self.amount, t.numel())
        return _zero_entries(default_mask, rand_like(t).reshape(-1).topk(k).indices)


class L1Unstructured(BasePruningMethod):
    """Prunes the ``amount`` entries of smallest absolute value (magnitude pruning): a small weight changes the
    output least when it is set to zero."""
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        self.amount = _check_amount(amount)

    def compute_mask(self, t, default_mask):
        k = _count_to_prune(self.amount, t.numel())
        return _zero_entries(default_mask, t.abs().reshape(-1).topk(k, largest=False).indices)


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` whole channels (slices along ``dim``) chosen at random."""
    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        self.amount, self.dim = _check_amount(amount), dim

    def compute_mask(self, t, default_mask):
        dim = _structured_dim(t, self.dim)
        channels = t.shape[dim]
        k = _count_to_prune(self.amount, channels)
        return _keep_channels(default_mask, dim, rand(channels, device=t.device).topk(channels - k).indices)


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` channels (slices along ``dim``) of smallest Ln norm, ``n`` as ``p`` of
    ``torch.norm`` (1, 2, ``inf``, ``-inf``, ``"fro"``, ...): removing a whole filter or unit, unlike scattered
    zeros, really shrinks the layer."""
    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        self.amount, self.n, self.dim = _check_amount(amount), n, dim

    def compute_mask(self, t, default_mask):
        dim = _structured_dim(t, self.dim)
        channels = t.shape[dim]
        k = _count_to_prune(self.amount, channels)
        norms = t.norm(p=self.n, dim=[d for d in range(t.ndim) if d != dim])
        return _keep_channels(default_mask, dim, norms.topk(channels - k).indices)


class CustomFromMask(BasePruningMethod):
    """Prunes where the given ``mask`` is 0 (multiplied into the mask so far)."""
    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if tuple(default_mask.shape) != tuple(self.mask.shape):
            raise AssertionError(f"default_mask shape {list(default_mask.shape)} must match self.mask shape "
                                 f"{list(self.mask.shape)}")
        return default_mask * self.mask.to(default_mask.dtype)


# ---------------------------------------------------------------------------------------------- functions

def identity(module, name):
    """Reparametrize ``module.<name>`` as ``<name>_orig * <name>_mask`` with an all-ones mask. Returns the
    module."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune ``amount`` random entries of ``module.<name>``. Returns the module."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the ``amount`` entries of ``module.<name>`` of smallest |value| (or of smallest
    |importance_scores|). Returns the module."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune ``amount`` random channels of ``module.<name>`` along ``dim``. Returns the module."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the ``amount`` channels along ``dim`` of ``module.<name>`` (or of ``importance_scores``) with the
    smallest Ln norm. Returns the module."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune the tensors ``parameters`` (``(module, name)`` pairs) as if they were one: their entries are
    flattened and joined, ``pruning_method(**kwargs)`` (an unstructured method class, e.g. ``L1Unstructured``
    with ``amount=0.2``) picks among all of them, and each tensor gets its slice of the result through
    ``custom_from_mask``. ``importance_scores``: a dict ``{(module, name): scores}`` for some of the tensors."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    importance_scores = {} if importance_scores is None else importance_scores
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(f'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
                        f"{pruning_method} of type {method.PRUNING_TYPE}")
    scores = ops.cat([importance_scores.get((module, name), getattr(module, name)).reshape(-1)
                      for module, name in parameters])
    masks_so_far = ops.cat([getattr(module, name + "_mask", ones_like(getattr(module, name))).reshape(-1)
                            for module, name in parameters])
    mask = PruningContainer(method).compute_mask(scores, masks_so_far)
    start = 0
    for module, name in parameters:
        weight = getattr(module, name)
        custom_from_mask(module, name, mask[start:start + weight.numel()].reshape(tuple(weight.shape)))
        start += weight.numel()


def custom_from_mask(module, name, mask):
    """Prune ``module.<name>`` where ``mask`` is 0. Returns the module."""
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Make the pruning of ``module.<name>`` permanent: it is a parameter again, holding the pruned values, and
    ``<name>_orig``, ``<name>_mask`` and the hook are gone. Returns the module."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether ``module`` or one of its submodules has a pruning hook."""
    return any(isinstance(hook, BasePruningMethod)
               for submodule in module.modules() for hook in submodule._forward_pre_hooks.values())
