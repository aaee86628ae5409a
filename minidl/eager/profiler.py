"""``torch.profiler``: where a program's time goes, op by op.

While a ``profile`` records, every op an eager tensor runs becomes an event (``profiler_events.py``): its name
(the op's, e.g. ``MatMul``), its start and end (``time.perf_counter_ns``) and, if asked, its inputs' shapes
(``record_shapes``) and the bytes of the new arrays it returned (``profile_memory``). ``backward()`` adds one event
per tape node it runs (``MmBackward0``), holding the ops of that node's VJP; ``record_function("name")`` wraps any
block in an event of your own; an optimizer's ``step`` is the event ``Optimizer.step#SGD.step``. ::

    with profile(record_shapes=True) as prof:
        with record_function("model_inference"):
            model(x)
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))
    prof.export_chrome_trace("trace.json")   # a timeline for chrome://tracing or Perfetto

In a training loop, ``schedule(wait=1, warmup=1, active=3)`` and ``prof.step()`` after each step record only
some steps: ``wait`` steps are skipped, ``warmup`` steps too (PyTorch warms its tracer up there; minidl's needs no
warming), then ``active`` steps are recorded, each one inside a ``ProfilerStep#N`` event, and at the end of each
such cycle ``on_trace_ready(prof)`` is called — ``tensorboard_trace_handler(dir)`` writes the cycle's trace into
``dir`` for TensorBoard; the profile then reports that cycle (or every cycle so far, with ``acc_events=True``).
Without a schedule everything between the start and the end is recorded, and ``on_trace_ready`` is called at the
end.

What is timed is the host: the Python and numpy work of each op. An op on a GPU only queues its kernels, so
there its event lasts as long as queuing took (``ProfilerActivity.CUDA`` is accepted, and the device columns
read 0). Recording costs about a microsecond per op; when no profiler records, ops pay one attribute check.
"""
import enum
import functools
import os
import socket
import threading
import time

from .grad_mode import GradMode
from .observers import OpObserver
from .profiler_events import EventList, FunctionEvent

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "record_function", "schedule",
           "tensorboard_trace_handler", "supported_activities"]


class ProfilerActivity(enum.Enum):
    CPU = "CPU"
    CUDA = "CUDA"


def supported_activities():
    return {ProfilerActivity.CPU, ProfilerActivity.CUDA}


class ProfilerAction(enum.Enum):
    """What a schedule asks of a step: nothing, warm up, record, or record and then hand the trace over."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """The step -> action function: after ``skip_first`` steps, cycles of ``wait`` idle steps, ``warmup`` steps
    and ``active`` recorded ones (the last of them saves the trace); ``repeat`` cycles (0: without end);
    ``skip_first_wait``: the first cycle skips its wait."""
    if min(wait, warmup, repeat, skip_first) < 0 or active <= 0:
        raise ValueError(f"Invalid profiler schedule arguments: wait={wait}, warmup={warmup}, active={active} "
                         f"(must be > 0), repeat={repeat}, skip_first={skip_first}")
    cycle = wait + warmup + active

    def action(step):
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait:  # the first cycle starts without its wait
            step += wait
        if repeat and step // cycle >= repeat:
            return ProfilerAction.NONE
        in_cycle = step % cycle
        if in_cycle < wait:
            return ProfilerAction.NONE
        if in_cycle < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if in_cycle < cycle - 1 else ProfilerAction.RECORD_AND_SAVE
    return action


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An ``on_trace_ready`` that writes each trace to ``dir_name/<worker>.<time>.pt.trace.json``, where
    TensorBoard's profile plugin finds it."""
    if use_gzip:
        raise NotImplementedError("tensorboard_trace_handler: use_gzip=True is not supported; traces are plain JSON")

    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        prof.export_chrome_trace(os.path.join(dir_name, f"{worker}.{time.time_ns()}.pt.trace.json"))
    return handler


class profile:
    """Record the ops of the block it is entered for (see the module docstring); ``start()``/``stop()`` do the
    same without a ``with``. ``key_averages()``, ``events()`` and ``export_chrome_trace`` read the last trace."""

    def __init__(self, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False, use_cuda=None):
        for activity in activities or ():
            if not isinstance(activity, ProfilerActivity):
                raise TypeError(f"profile: activities must be ProfilerActivity members, got {activity!r}")
        self.activities = set(activities or supported_activities())
        self.schedule = schedule or (lambda step: ProfilerAction.RECORD)
        self.on_trace_ready = on_trace_ready
        self.record_shapes, self.profile_memory = bool(record_shapes), bool(profile_memory)
        self.step_num = 0
        self._action = ProfilerAction.NONE
        self._recording = None  # the events of the trace being recorded: _Recording, while it records
        self._trace = EventList()  # the last finished trace
        self._step_events = schedule is not None  # each recorded step an event "ProfilerStep#N", as in PyTorch
        self.acc_events = acc_events

    # ------------------------------------------------------------------------------------ start, step, stop
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        self._act(self.schedule(self.step_num))

    def stop(self):
        if self._action in _RECORDING:
            self._finish()
        self._action = ProfilerAction.NONE

    def step(self):
        """Mark the end of a training step: the schedule decides what the next one does."""
        previous = self._action
        if self._recording is not None:
            self._recording.close_step()
        self.step_num += 1
        if previous in _RECORDING and (previous is ProfilerAction.RECORD_AND_SAVE or
                                       self.schedule(self.step_num) not in _RECORDING):
            self._finish()
        self._act(self.schedule(self.step_num))

    def _act(self, action):
        self._action = action
        if action in _RECORDING:
            if self._recording is None:
                self._recording = _Recording(self.record_shapes, self.profile_memory)
                self._recording.attach()
            if self._step_events:
                self._recording.open_step(self.step_num)

    def _finish(self):
        """End the trace being recorded: it becomes what this profile reports, and goes to ``on_trace_ready``."""
        recording, self._recording = self._recording, None
        if recording is None:
            return
        events = recording.detach()
        # a trace holds one cycle's events, unless asked to accumulate them (acc_events)
        self._trace = EventList(self._trace + events, events._profile_memory, events._record_shapes) \
            if self.acc_events else events
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    # ------------------------------------------------------------------------------------------ results
    def events(self):
        return self._trace

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        return self._trace.key_averages(group_by_input_shape)

    def export_chrome_trace(self, path):
        self._trace.export_chrome_trace(path)


class record_function:
    """``with record_function("name"):`` — the block is one event (with the ops inside it as its children) while
    a profiler records; nothing otherwise. Also a decorator."""

    def __init__(self, name, args=None):
        self.name = name
        self._event = None

    def __enter__(self):
        if GradMode.observer is not None:
            self._event = GradMode.observer.begin(self.name, category="user_annotation")
        return self

    def __exit__(self, *exc):
        if self._event is not None and GradMode.observer is not None:
            GradMode.observer.end(self._event)
        self._event = None
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with record_function(self.name):
                return fn(*args, **kwargs)
        return wrapped


# ------------------------------------------------------------------------------------ the recording itself

class _Recording(OpObserver):
    """The events of one trace as they are made: finished events in the order they ended, and the stack of the
    open ones (the innermost last), on the thread that started the profiler. While attached, it is
    ``GradMode.observer`` (``observers.py``): it sees every op, every VJP and every ``record_function``."""

    def __init__(self, record_shapes, profile_memory):
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.events = []
        self.stack = []
        self.step_event = None
        self.origin_ns = time.perf_counter_ns()

    def detach(self):
        """Stop recording; events still open end now. Returns the finished events."""
        super().detach()
        while self.stack:
            self.end(self.stack[-1])
        return EventList(self.events, self.profile_memory, self.record_shapes)

    def _now_us(self):
        return (time.perf_counter_ns() - self.origin_ns) / 1000

    def begin(self, name, category="cpu_op", input_shapes=None, key=None):
        if threading.get_ident() != self.thread:  # (another thread's record_function: not this recording's)
            return None
        event = FunctionEvent(name, self._now_us(), input_shapes, category, self.thread, key)
        if self.stack:
            event.cpu_parent = self.stack[-1]
            self.stack[-1].cpu_children.append(event)
        self.stack.append(event)
        return event

    def end(self, event):
        """Close ``event`` (and any event opened inside it and left open)."""
        if event is None or event not in self.stack:
            return
        now = self._now_us()
        while self.stack:
            top = self.stack.pop()
            top.end_us = now
            self.events.append(top)
            if top is event:
                return

    def open_step(self, step_num):
        self.step_event = self.begin(f"ProfilerStep#{step_num}", "user_annotation", key="ProfilerStep*")

    def close_step(self):
        if self.step_event is not None:
            self.end(self.step_event)
            self.step_event = None

    def watch_op(self, op, args, attrs, run):
        """``run(op, args, attrs)`` as one event (``observers.py`` says which ops are watched)."""
        shapes = [list(a.shape) if hasattr(a, "shape") else [] for a in args] if self.record_shapes else None
        event = self.begin(op.name, input_shapes=shapes)
        try:
            result = run(op, args, attrs)
        finally:
            self.end(event)
        if self.profile_memory:
            made = result if isinstance(result, tuple) else (result,)
            # views share their input's memory: only arrays of their own are new memory
            event.self_cpu_memory_usage = sum(t._data.nbytes for t in made if t._data.base is None)
        return result

    def observe_vjp(self, run_vjp):
        """``run_vjp`` (the backward walk's call of a node's VJP) with each call an event named after the node."""
        def run(node, grads, needed=None):
            event = self.begin(node.name(), category="cpu_op")  # (None in another thread's backward)
            try:
                return run_vjp(node, grads, needed)
            finally:
                self.end(event)
        return run
