"""``torch.version``: what this build of the framework is, for the environment checks that notebooks start with
(``print(torch.__version__, torch.version.cuda)``).

``cuda`` is the CUDA runtime version of the GPU array library (cupy) when it is installed, as ``"12.4"``, and None
otherwise — as a CPU-only PyTorch reports None. It is looked up on first use, so importing minidl never imports
cupy.
"""
from .. import __version__  # noqa: F401  (torch.version.__version__)
from ..backend import cupy_or_none

hip = None      # no ROCm build
debug = False   # not a debug build


def __getattr__(name):
    if name == "cuda":
        cupy = cupy_or_none()
        if cupy is None:
            return None
        runtime = cupy.cuda.runtime.runtimeGetVersion()  # e.g. 12040 for 12.4
        return f"{runtime // 1000}.{runtime % 1000 // 10}"
    raise AttributeError(f"module 'minidl.eager.version' has no attribute {name!r}")
