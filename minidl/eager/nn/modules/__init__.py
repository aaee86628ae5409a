"""``nn.modules``: PyTorch's layer classes under the files PyTorch keeps them in (``torch.nn.modules.conv`` ...).

User code reaches in there for base classes and global hooks — ``from torch.nn.modules.batchnorm import
_BatchNorm``, ``isinstance(m, nn.modules.conv._ConvNd)``, ``nn.modules.module.register_module_forward_hook`` — so
this package offers the same paths, holding minidl's own classes (``isinstance`` checks work):

* where one of minidl's files holds what PyTorch's does, ``nn.modules.<name>`` *is* that file
  (``nn.modules.conv`` is ``nn/conv.py``, with ``_ConvNd`` and ``_ConvTransposeNd``);
* where minidl groups the layers differently, ``nn.modules.<name>`` is a namespace gathering PyTorch's set from
  minidl's files (``nn.modules.batchnorm``: ``_NormBase``, ``_BatchNorm``, ``BatchNorm1d`` ... from
  ``normalization.py``).

Both are registered in ``sys.modules``, so ``import minidl.eager.nn.modules.batchnorm`` works as well. Every
public layer class is also an attribute of the package itself (``nn.modules.Linear``), as in PyTorch.
"""
import sys
import types

from .. import (activation, adaptive, attention, containers, conv, distance, dropout, fractional_pooling, lazy,
                linear, loss, module, module_utils, more_layers, normalization, padding, pooling, rnn, small_layers,
                sparse, transformer, upsampling)

# PyTorch's file -> the minidl file with the same contents
_SAME = {"adaptive": adaptive, "module": module, "container": containers, "conv": conv, "loss": loss,
         "distance": distance, "padding": padding, "rnn": rnn, "transformer": transformer, "upsampling": upsampling,
         "utils": module_utils, "lazy": lazy}

# PyTorch's file -> where minidl keeps its classes: a minidl file (every class defined in it) or single classes
_GATHERED = {
    "activation": (activation, small_layers.GLU, attention.MultiheadAttention),
    "linear": (linear.Identity, linear.Linear, linear.Bilinear, lazy.LazyLinear,
               attention.NonDynamicallyQuantizableLinear),
    "flatten": (linear.Flatten, linear.Unflatten),
    "batchnorm": (normalization._NormBase, normalization._BatchNorm, normalization.BatchNorm1d,
                  normalization.BatchNorm2d, normalization.BatchNorm3d, normalization.SyncBatchNorm),
    "instancenorm": (more_layers._InstanceNorm, more_layers.InstanceNorm1d, more_layers.InstanceNorm2d),
    "normalization": (normalization.LayerNorm, normalization.GroupNorm, normalization.RMSNorm,
                      small_layers.LocalResponseNorm, small_layers.CrossMapLRN2d),
    "dropout": (dropout, small_layers.AlphaDropout, small_layers.FeatureAlphaDropout),
    "pooling": (pooling, more_layers._AdaptiveMaxPoolNd, more_layers.AdaptiveMaxPool1d,
                more_layers.AdaptiveMaxPool2d, fractional_pooling),
    "sparse": (sparse.Embedding, more_layers.EmbeddingBag),
    "pixelshuffle": (more_layers.PixelShuffle, more_layers.PixelUnshuffle),
    "fold": (more_layers.Fold, more_layers.Unfold),
    "channelshuffle": (small_layers.ChannelShuffle,),
}


def _classes(source):
    """The classes that ``source`` stands for: itself (a class), or those defined in it (a module)."""
    if isinstance(source, type):
        return [source]
    return [value for value in vars(source).values()
            if isinstance(value, type) and value.__module__ == source.__name__]


def _gather(name, sources):
    namespace = types.ModuleType(f"{__name__}.{name}", f"PyTorch's ``torch.nn.modules.{name}``, from minidl's files.")
    for cls in (cls for source in sources for cls in _classes(source)):
        setattr(namespace, cls.__name__, cls)
    return namespace


_submodules = {**_SAME, **{name: _gather(name, sources) for name, sources in _GATHERED.items()}}
for _name, _submodule in _submodules.items():
    sys.modules[f"{__name__}.{_name}"] = _submodule
    globals()[_name] = _submodule
    globals().update((name, value) for name, value in vars(_submodule).items()
                     if isinstance(value, type) and issubclass(value, module.Module) and not name.startswith("_"))
