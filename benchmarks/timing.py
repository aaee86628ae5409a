"""An interleaved timer: every contestant runs in the same process, taking turns, and we report the median.

Why interleave? A laptop or a shared machine changes speed while a benchmark runs (turbo boost, other
processes, thermal throttling). If we timed all of minidl and then all of PyTorch, a slow minute would be
blamed on whoever ran during it. Taking turns — one sample of A, one of B, one of C, then again — spreads such
drifts over everybody, and the median throws away the samples a hiccup spoiled.

Each *sample* runs a contestant's ``step()`` several times in a row (``number`` calls, chosen so one sample
lasts at least ``min_sample_s``), because a single call can be shorter than the timer's resolution.

Which clock? By default the wall clock (``time.perf_counter``): what a user waits. On a busy machine, where
other programs take turns on the CPU with us, ``time.process_time`` (CPU time of this process, all its threads)
is steadier: time spent waiting for the CPU does not count. With one thread the two agree on a quiet machine;
with several threads CPU time adds up the threads, so it is no longer comparable to the wall clock.

On a GPU, a step only queues its kernels; a sample ends by waiting for them (``sync``), so it counts the work
done, as a training loop that reads its loss does, while steps within a sample overlap as they would there.

The garbage collector stays on while we time: collecting the objects a framework creates is part of what the
user pays. But we run a full ``gc.collect()`` before every sample, so one contestant's garbage is never
collected on the next contestant's clock.
"""
import gc
import math
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Timing:
    """The samples of one contestant, each in seconds per ``step()`` call."""
    name: str
    number: int                      # step() calls per sample
    samples: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def spread(self):
        """Half the distance between the quartiles, relative to the median: a rough ± for the table."""
        if len(self.samples) < 4:
            return (max(self.samples) - min(self.samples)) / 2 / self.median
        q1, _, q3 = statistics.quantiles(self.samples, n=4)
        return (q3 - q1) / 2 / self.median


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def _nothing():
    pass


def _time_calls(step, number, clock=time.perf_counter, sync=_nothing):
    """Seconds per call of ``step`` over ``number`` back-to-back calls (and the wait for the GPU, ``sync``)."""
    gc.collect()
    sync()
    start = clock()
    for _ in range(number):
        step()
    sync()
    return (clock() - start) / number


def calibrate(step, min_sample_s, clock=time.perf_counter, sync=_nothing):
    """How many calls of ``step`` make one sample last at least ``min_sample_s`` (after a warm-up call)."""
    step()  # warm-up: first calls pay for imports, caches, lazily built tables, BLAS buffers, GPU kernels...
    one = _time_calls(step, 1, clock, sync)
    if one >= min_sample_s:
        return 1
    # time a few calls to get a less noisy estimate before deciding
    few = max(1, min(10, int(min_sample_s / max(one, 1e-9))))
    per_call = _time_calls(step, few, clock, sync)
    return max(1, math.ceil(min_sample_s / max(per_call, 1e-9)))


def interleaved(steps, repeats, min_sample_s=0.05, clock="wall", sync=_nothing):
    """Time each ``steps[name]()`` ``repeats`` times, round-robin; return ``{name: Timing}``.

    The order rotates each round (A B C, then B C A, then C A B, ...) so nobody always runs right after the
    same neighbour, or always first after the garbage collector ran. ``clock`` is ``"wall"`` or ``"cpu"``;
    ``sync()`` waits for a GPU's queued work.
    """
    clock = CLOCKS[clock]
    timings = {name: Timing(name, calibrate(step, min_sample_s, clock, sync)) for name, step in steps.items()}
    names = list(steps)
    for round_index in range(repeats):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            timing = timings[name]
            timing.samples.append(_time_calls(steps[name], timing.number, clock, sync))
    return timings
