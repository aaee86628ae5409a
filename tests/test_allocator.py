"""minidl.backend.allocator: glibc's malloc keeps freed big blocks once told to (checked in a child process, so
this test run's own allocator is left as it was)."""
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from minidl.backend import allocator
from minidl.backend.allocator import keep_freed_memory

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

_FAULTS_PER_ALLOCATION = """
import resource, sys
import numpy
if sys.argv[1] == "keep":
    from minidl.backend.allocator import keep_freed_memory
    assert keep_freed_memory() is True
numpy.ones(10 << 20)  # 80 MB, made and freed once before counting
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    numpy.ones(10 << 20)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5)
"""


def _page_faults_per_allocation(mode):
    result = subprocess.run([sys.executable, "-c", _FAULTS_PER_ALLOCATION, mode], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[1])  # the repository: minidl imports
    return float(result.stdout)


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_freed_big_blocks_are_reused_instead_of_faulted_in_again():
    assert _page_faults_per_allocation("default") > 100  # every 80 MB array: fresh pages from the system
    assert _page_faults_per_allocation("keep") < 10


@pytest.mark.parametrize("kwargs", [dict(mmap_threshold=-1), dict(trim_threshold=2 ** 31),
                                    dict(mmap_threshold=1.5), dict(trim_threshold=True)])
def test_bad_thresholds_are_refused(kwargs):
    with pytest.raises(ValueError, match=r"keep_freed_memory: \w+_threshold must be a number of bytes"):
        keep_freed_memory(**kwargs)


_SETTING_AT_IMPORT = """
import resource
import numpy
import minidl  # noqa: F401  (keeps freed memory unless MINIDL_KEEP_FREED_MEMORY=0)
numpy.ones(10 << 20)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    numpy.ones(10 << 20)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5)
"""


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
@pytest.mark.parametrize("setting, reused", [(None, True), ("1", True), ("0", False)])
def test_import_keeps_freed_memory_unless_told_not_to(setting, reused):
    env = {k: v for k, v in os.environ.items() if k != "MINIDL_KEEP_FREED_MEMORY" and not k.startswith("MALLOC_")}
    if setting is not None:
        env["MINIDL_KEEP_FREED_MEMORY"] = setting
    result = subprocess.run([sys.executable, "-c", _SETTING_AT_IMPORT], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1], env=env)
    faults = float(result.stdout)
    assert (faults < 10) if reused else (faults > 100)


class _OldGlibc:
    """A ``mallopt`` that, like glibc before 2.35, refuses mmap thresholds above 32 MiB; it records what it set."""

    def __init__(self, refuse_everything=False):
        self.refuse_everything, self.settings = refuse_everything, {}

    def __call__(self, parameter, value):
        if self.refuse_everything or (parameter == allocator.M_MMAP_THRESHOLD and value > 32 << 20):
            return 0
        self.settings[parameter] = value
        return 1


@pytest.mark.parametrize("environ, refuse_everything, expected", [
    ({}, False, {allocator.M_MMAP_THRESHOLD: 32 << 20, allocator.M_TRIM_THRESHOLD: 1 << 30}),  # the fallback
    ({"MINIDL_KEEP_FREED_MEMORY": "0"}, False, {}),                                            # opted out
    ({}, True, {}),                                                                             # never raises
])
def test_import_time_setting_falls_back_and_never_raises(monkeypatch, environ, refuse_everything, expected):
    fake = _OldGlibc(refuse_everything)
    monkeypatch.setattr(allocator, "_mallopt", lambda: fake)
    assert allocator.keep_freed_memory_at_import(environ) is bool(expected)
    assert fake.settings == expected
