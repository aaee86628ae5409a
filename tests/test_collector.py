"""minidl.backend.collector: the cycle collector starts young collections less often, so an eager tape lives and
dies without being visited — and cycles are still collected."""
import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

import minidl.eager as torch
from minidl.backend import collector
from minidl.backend.collector import YOUNG_THRESHOLD, collect_cycles_less_often


@pytest.fixture
def thresholds():
    """Restore the collector's thresholds and state after the test."""
    saved, enabled = gc.get_threshold(), gc.isenabled()
    yield
    gc.set_threshold(*saved)
    (gc.enable if enabled else gc.disable)()


def _young_collections_during(fn):
    gc.collect()  # the young generation starts empty
    before = gc.get_stats()[0]["collections"]
    fn()
    return gc.get_stats()[0]["collections"] - before


def _forward_and_backward_of_1000_ops():
    x = torch.ones(16, requires_grad=True)
    y = x
    for _ in range(250):
        y = -(y * 0.5 + 0.25).tanh()
    y.sum().backward()
    assert x.grad is not None


def test_a_tape_of_1000_ops_lives_and_dies_between_young_collections(thresholds):
    gc.set_threshold(700, 10, 10)  # Python's default: the tape is visited on its way
    assert _young_collections_during(_forward_and_backward_of_1000_ops) >= 5
    assert collect_cycles_less_often() is True
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)  # the older generations' thresholds are kept
    assert _young_collections_during(_forward_and_backward_of_1000_ops) == 0


class _Cycle:
    def __init__(self):
        self.me = self


def test_cycles_are_still_collected_without_being_asked(thresholds):
    collect_cycles_less_often()
    gc.collect()
    first = _Cycle()
    collected = weakref.ref(first)
    del first
    for _ in range(YOUNG_THRESHOLD + 1000):  # more cyclic garbage than the threshold: a collection starts on its own
        _Cycle()
    assert collected() is None


@pytest.mark.parametrize("setup", ["higher", "off", "disabled"])
def test_a_programs_own_choice_is_kept(thresholds, setup):
    if setup == "disabled":
        gc.disable()
    else:
        gc.set_threshold(0 if setup == "off" else YOUNG_THRESHOLD * 2, 5, 5)
    before = gc.get_threshold()
    assert collect_cycles_less_often() is False
    assert gc.get_threshold() == before


@pytest.mark.parametrize("bad", [0, -5, 2.5, True, "20000"])
def test_bad_thresholds_are_refused(bad):
    with pytest.raises(ValueError, match="young_threshold must be a positive number of objects"):
        collect_cycles_less_often(bad)


@pytest.mark.parametrize("setting, expected", [(None, YOUNG_THRESHOLD), ("1", YOUNG_THRESHOLD), ("0", 700)])
def test_import_collects_cycles_less_often_unless_told_not_to(setting, expected):
    env = {k: v for k, v in os.environ.items() if k != "MINIDL_COLLECT_CYCLES_LESS_OFTEN"}
    if setting is not None:
        env["MINIDL_COLLECT_CYCLES_LESS_OFTEN"] = setting
    result = subprocess.run([sys.executable, "-c", "import gc, minidl; print(gc.get_threshold()[0])"],
                            capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1],
                            env=env)
    assert int(result.stdout) == expected


def test_at_import_reads_the_environment(thresholds):
    gc.set_threshold(700, 10, 10)
    assert collector.collect_cycles_less_often_at_import({"MINIDL_COLLECT_CYCLES_LESS_OFTEN": "0"}) is False
    assert gc.get_threshold()[0] == 700
    assert collector.collect_cycles_less_often_at_import({}) is True
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
