"""``torch.types``: the names PyTorch's signatures are annotated with, which annotated user code imports (``from
torch.types import Number``)."""
from typing import Sequence, Union

from ..backend.device import Device
from .element_types import dtype
from .tensor import Size

Number = Union[int, float, bool]
_int, _float, _bool, _complex = int, float, bool, complex
_dtype = dtype
_device = Device
_size = Union[Size, Sequence[int]]
