"""``torch.masked``: reductions and normalizations that leave out masked-out elements (``mask=``), and
MaskedTensor, a tensor that carries its mask through the operations on it."""
from .reductions import amax, amin, argmax, argmin, logsumexp, mean, median, norm, prod, std, sum, var
from .normalizations import cumprod, cumsum, log_softmax, logaddexp, normalize, softmax, softmin
from .masked_tensor import MaskedTensor, as_masked_tensor, is_masked_tensor, masked_tensor

__all__ = ["MaskedTensor", "amax", "amin", "argmax", "argmin", "as_masked_tensor", "cumprod", "cumsum",
           "is_masked_tensor", "log_softmax", "logaddexp", "logsumexp", "masked_tensor", "mean", "median", "norm",
           "normalize", "prod", "softmax", "softmin", "std", "sum", "var"]
