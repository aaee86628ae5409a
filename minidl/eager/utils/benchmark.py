"""``torch.utils.benchmark``: time a statement the way PyTorch's recipes do::

    timer = benchmark.Timer(stmt="x @ x", globals={"x": x})
    print(timer.timeit(100))                 # 100 runs, one measurement
    print(timer.blocked_autorange())         # blocks of runs until at least 0.2 s have been measured

A GPU call returns before the GPU has done the work, so the GPU is waited for before and after each block of runs
(``torch.cuda.synchronize``): a block counts the work, not the queueing.
"""
import statistics
import time
import timeit

from ..cuda import synchronize

__all__ = ["Measurement", "Timer"]


class Measurement:
    """The times of one or more blocks of ``number_per_run`` runs: ``times`` (seconds per run, one per block),
    ``mean``, ``median``, ``iqr``."""

    def __init__(self, number_per_run, raw_times, stmt, label=None, sub_label=None, description=None):
        self.number_per_run, self.raw_times, self.stmt = number_per_run, list(raw_times), stmt
        self.label, self.sub_label, self.description = label, sub_label, description

    @property
    def times(self):
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def mean(self):
        return statistics.fmean(self.times)

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def iqr(self):
        if len(self.times) < 2:
            return 0.0
        low, _, high = statistics.quantiles(self.times, n=4)
        return high - low

    def __repr__(self):
        for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
            if self.median >= scale:
                break
        title = " ".join(str(part) for part in (self.label, self.sub_label, self.description) if part)
        lines = [f"<minidl.eager.utils.benchmark.Measurement object at {id(self):#x}>"] + ([title] if title else [])
        lines.append(self.stmt)
        if len(self.times) == 1:
            lines += [f"  {self.median / scale:.2f} {unit}", f"  1 measurement, {self.number_per_run} runs"]
        else:
            lines += [f"  Median: {self.median / scale:.2f} {unit}", f"  IQR:    {self.iqr / scale:.2f} {unit}",
                      f"  {len(self.times)} measurements, {self.number_per_run} runs per measurement"]
        return "\n".join(lines)


class Timer:
    """``Timer(stmt, setup="pass", globals=None, label=None, sub_label=None, description=None, num_threads=1)``:
    ``stmt`` and ``setup`` are code (strings, as ``timeit`` takes them) run with ``globals``."""

    def __init__(self, stmt="pass", setup="pass", globals=None, label=None, sub_label=None, description=None,
                 num_threads=1, timer=time.perf_counter):
        self.stmt, self._labels = stmt, dict(label=label, sub_label=sub_label, description=description)
        self._timer = timeit.Timer(stmt, setup, timer=timer, globals=dict(globals or {}))

    def _block(self, number):
        """Seconds for ``number`` runs, the GPU waited for at both ends."""
        synchronize()
        seconds = self._timer.timeit(number)
        synchronize()
        return seconds

    def timeit(self, number=1000000):
        """One measurement of ``number`` runs (after one warm-up run)."""
        self._block(1)
        return Measurement(number, [self._block(number)], self.stmt, **self._labels)

    def _runs_per_block(self):
        """Runs enough for one block to last 1 ms or more, so that the clock's resolution does not matter (the
        first block is the warm-up)."""
        number = 1
        while self._block(number) < 1e-3:
            number *= 10
        return number

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Blocks of runs, each long enough to time well, until ``min_run_time`` seconds have been measured;
        ``callback(number, seconds)`` is told of each block."""
        return self._blocks_until(lambda m: sum(m.raw_times) >= min_run_time, callback)

    def adaptive_autorange(self, threshold=0.1, min_run_time=0.01, max_run_time=10.0, callback=None):
        """Blocks until the spread of the times (their interquartile range over the median) is under
        ``threshold``, after at least ``min_run_time`` and at most ``max_run_time`` seconds."""
        def steady(m):
            total = sum(m.raw_times)
            return total >= max_run_time or (total >= min_run_time and len(m.times) >= 3
                                             and m.iqr / m.median < threshold)
        return self._blocks_until(steady, callback)

    def _blocks_until(self, done, callback):
        """Blocks of runs until ``done(the measurement so far)``."""
        number = self._runs_per_block()
        times = []
        while True:
            times.append(self._block(number))
            if callback is not None:
                callback(number, times[-1])
            measurement = Measurement(number, times, self.stmt, **self._labels)
            if done(measurement):
                return measurement
