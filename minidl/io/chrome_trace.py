"""The Chrome trace format: a timeline as JSON, read by ``chrome://tracing``, Perfetto and TensorBoard's profile
plugin. Both profilers write it: eager mode's ``torch.profiler`` (``export_chrome_trace``) and graph mode's
``timeline.Timeline`` of a traced ``Session.run``.

A trace is ``{"traceEvents": [...]}``. Each timed event is a *complete* event (``"ph": "X"``): a ``name``, a
category ``cat``, a process ``pid`` and thread ``tid`` (one row per thread in the viewer), a start ``ts`` and a
duration ``dur`` in microseconds, and ``args`` shown when the event is clicked. Metadata events (``"ph": "M"``)
name the processes.
"""
import json

from .atomic_write import write_atomically

__all__ = ["complete_event", "process_name", "trace_json", "write_trace"]


def complete_event(name, category, start_us, duration_us, pid, tid, args=None):
    """One timed event: ``name`` from ``start_us`` lasting ``duration_us`` on thread ``tid`` of process ``pid``."""
    event = {"ph": "X", "cat": category, "name": name, "pid": pid, "tid": tid, "ts": start_us, "dur": duration_us}
    if args:
        event["args"] = args
    return event


def process_name(pid, name):
    """The metadata event that labels process ``pid`` with ``name`` in the viewer."""
    return {"ph": "M", "name": "process_name", "pid": pid, "args": {"name": name}}


def trace_json(events):
    """The trace of ``events`` as a JSON string."""
    return json.dumps({"traceEvents": list(events), "displayTimeUnit": "ms"}, indent=1)


def write_trace(path, events):
    """Write the trace of ``events`` to ``path`` (aside, then renamed: an existing file is never half written)."""
    text = trace_json(events).encode("utf-8")
    write_atomically(str(path), lambda f: f.write(text))
