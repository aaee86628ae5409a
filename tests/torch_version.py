"""The PyTorch release minidl mirrors, for the comparisons that hold only from that release on.

Where PyTorch changed between releases (``LayerNorm``'s ``bias``, gradients it added for ``aminmax`` and
``nextafter``, keyword arguments to ``Function.apply``, ``lp_pool`` at p = ±inf, ``trunc_normal_`` far from its
interval, ``arange`` steps that truncate to 0), minidl follows the release below, and a test comparing with an
older installed PyTorch is skipped with the reason, rather than failing on the difference."""
from importlib import metadata

import pytest

MIRRORED = (2, 13)


def installed_torch():
    """The installed PyTorch's (major, minor), or None where none is installed."""
    try:
        major, minor = metadata.version("torch").split(".")[:2]
    except metadata.PackageNotFoundError:
        return None
    return int(major), int(minor)


OLDER_TORCH = installed_torch() is not None and installed_torch() < MIRRORED
REASON = (f"compares with PyTorch {MIRRORED[0]}.{MIRRORED[1]}'s behaviour, which minidl mirrors; the installed "
          f"PyTorch is older and differs here")
since_mirrored_torch = pytest.mark.skipif(OLDER_TORCH, reason=REASON)


def skip_before_mirrored_torch():
    """Inside a test: skip it where the installed PyTorch is older than the mirrored release."""
    if OLDER_TORCH:
        pytest.skip(REASON)
