"""What ``torch.profiler`` recorded, and how it reads: events, their averages per name, and the printed table.

An event is one timed piece of the program — an op, a backward node, a ``record_function`` block — with the
events that ran inside it as its children. Its **total** time is from its start to its end; its **self** time is
the total less its children's totals, the time spent in that piece itself. So self times add up to the whole
recorded time (each moment is counted once), while totals count nested time again at every level.

``key_averages()`` groups the events by name (and with ``group_by_input_shape=True`` by input shapes too) and sums
them: the table sorts those rows by a column (``sort_by="cpu_time_total"``) and shows each row's self and total
time as a share of the whole. Times are microseconds, as in PyTorch.
"""
import os

from ..io.chrome_trace import complete_event, write_trace

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg"]


class FunctionEvent:
    """One recorded event. ``time_range`` is (start, end) in µs from when the profiler started."""

    def __init__(self, name, start_us, input_shapes=None, category="cpu_op", thread=0, key=None):
        self.name = name
        self.key = key or name  # what averages group by: every "ProfilerStep#N" under "ProfilerStep*"
        self.start_us, self.end_us = start_us, start_us
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.self_cpu_memory_usage = 0  # bytes of the arrays this event made (not its children's): profile_memory
        self.category = category
        self.thread = thread
        self.cpu_children = []
        self.cpu_parent = None
        self.count = 1

    time_range = property(lambda self: (self.start_us, self.end_us))
    cpu_time_total = property(lambda self: self.end_us - self.start_us)
    cpu_time = cpu_time_total  # the average over its one call

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(child.cpu_time_total for child in self.cpu_children)

    @property
    def cpu_memory_usage(self):
        return self.self_cpu_memory_usage + sum(child.cpu_memory_usage for child in self.cpu_children)

    # minidl times the host side only: work queued on a GPU is not timed (see profiler.py)
    device_time_total = self_device_time_total = cuda_time_total = self_cuda_time_total = 0

    def __repr__(self):
        return (f"<FunctionEvent name={self.name} cpu_time_total={self.cpu_time_total:.3f}us "
                f"self_cpu_time_total={self.self_cpu_time_total:.3f}us input_shapes={self.input_shapes}>")


class FunctionEventAvg:
    """The sum of the events that share a key (a name, and the input shapes when grouped by them)."""

    def __init__(self, key, input_shapes=None):
        self.key = key
        self.input_shapes = input_shapes
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.device_time_total = self.self_device_time_total = self.cuda_time_total = self.self_cuda_time_total = 0

    def add(self, event):
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        self.cpu_memory_usage += event.cpu_memory_usage
        self.self_cpu_memory_usage += event.self_cpu_memory_usage
        return self

    @property
    def cpu_time(self):
        """The average total time of one call."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={_format_time(self.self_cpu_time_total)} "
                f"cpu_time={_format_time(self.cpu_time)} count={self.count}>")


class EventList(list):
    """A list of events (or of their averages) that can print itself as PyTorch's profiler table."""

    def __init__(self, events=(), profile_memory=False, record_shapes=False):
        super().__init__(events)
        self._profile_memory, self._record_shapes = profile_memory, record_shapes

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """One row per name (per name and input shapes with ``group_by_input_shape``), in order of first call."""
        rows = {}
        for event in self:
            shapes = str(event.input_shapes) if group_by_input_shape else None
            key = (event.key, shapes)
            if key not in rows:
                rows[key] = FunctionEventAvg(event.key, event.input_shapes if group_by_input_shape else None)
            rows[key].add(event)
        return EventList(rows.values(), self._profile_memory, self._record_shapes and group_by_input_shape)

    def total_average(self):
        """Every event summed into one row."""
        total = FunctionEventAvg("Total")
        for event in self:
            total.add(event)
        return total

    @property
    def self_cpu_time_total(self):
        return sum(event.self_cpu_time_total for event in self)

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False):
        """The rows as a text table, sorted by the column ``sort_by`` (largest first), at most ``row_limit``."""
        rows = [e for e in self if not (top_level_events_only and getattr(e, "cpu_parent", None) is not None)]
        if sort_by is not None:
            if rows and not hasattr(rows[0], sort_by):
                raise AttributeError(f"sort_by={sort_by!r}: an event has no such column; use e.g. "
                                     f"'cpu_time_total', 'self_cpu_time_total', 'cpu_time', 'count', "
                                     f"'cpu_memory_usage' or 'self_cpu_memory_usage'")
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        return _table(rows, self.self_cpu_time_total, self._profile_memory,
                      self._record_shapes and any(r.input_shapes for r in self), header,
                      max_name_column_width, max_shapes_column_width)

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (``minidl/io/chrome_trace.py``)."""
        write_trace(path, trace_events(self))

    def __str__(self):
        return self.table()


def trace_events(events):
    """``events`` as Chrome trace events, one row per thread."""
    pid = os.getpid()
    return [complete_event(e.name, e.category, e.start_us, e.cpu_time_total, pid, e.thread,
                           {"Input Dims": e.input_shapes} if e.input_shapes else None) for e in events]


# ------------------------------------------------------------------------------------------ the table

def _table(rows, self_total, show_memory, show_shapes, header, name_width, shapes_width):
    name_width = min(max([len("Name")] + [len(r.key) for r in rows]), name_width)
    columns = [("Name", name_width, lambda r: _clip(r.key, name_width)),
               ("Self CPU %", 12, lambda r: _percent(r.self_cpu_time_total, self_total)),
               ("Self CPU", 12, lambda r: _format_time(r.self_cpu_time_total)),
               ("CPU total %", 12, lambda r: _percent(r.cpu_time_total, self_total)),
               ("CPU total", 12, lambda r: _format_time(r.cpu_time_total)),
               ("CPU time avg", 12, lambda r: _format_time(r.cpu_time))]
    if show_memory:
        columns += [("CPU Mem", 12, lambda r: _format_memory(r.cpu_memory_usage)),
                    ("Self CPU Mem", 12, lambda r: _format_memory(r.self_cpu_memory_usage))]
    columns.append(("# of Calls", 12, lambda r: str(r.count)))
    if show_shapes:
        shapes_width = min(max([len("Input Shapes")] + [len(str(r.input_shapes)) for r in rows]), shapes_width)
        columns.append(("Input Shapes", shapes_width, lambda r: _clip(str(r.input_shapes), shapes_width)))
    rule = "  ".join("-" * width for _, width, _ in columns)
    lines = [] if header is None else ["=" * len(rule), header]
    lines += [rule, "  ".join(title.rjust(width) for title, width, _ in columns), rule]
    lines += ["  ".join(cell(r).rjust(width) for _, width, cell in columns) for r in rows]
    lines += [rule, f"Self CPU time total: {_format_time(self_total)}", ""]
    return "\n".join(lines)


def _clip(text, width):
    return text if len(text) <= width else text[:width - 3] + "..."


def _percent(part, whole):
    return f"{100 * part / whole:.2f}%" if whole else "0.00%"


def _format_time(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _format_memory(nbytes):
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"
