"""``run_metadata.step_stats``: how long each op of a traced ``Session.run`` took, as TF1 reports it.

``sess.run(fetches, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=metadata)`` times
every step of the run's plan (``session.py``) and fills ``metadata.step_stats``: one ``DeviceStepStats`` for the
device the session computes on, holding a ``NodeExecStats`` per op executed, in the order they ran. Times are
microseconds; each node's start is absolute (``all_start_micros``, the Unix epoch) and its end relative to that
start, as in TF's ``StepStats`` message. ``timeline.Timeline`` turns them into a Chrome trace.

Constants are not steps of a plan (their values are placed once when the plan is made), so they have no entry;
the ops inside a ``while_loop``'s body run within the loop's own entry.
"""
import time

from ..io import protobuf as pb

__all__ = ["DeviceStepStats", "NodeExecStats", "StepStats", "step_stats_of"]


class NodeExecStats:
    """One op's execution: ``node_name``, its start ``all_start_micros`` and its end ``all_end_rel_micros`` after
    it (``op_start_rel_micros`` is 0: minidl does not schedule an op apart from running it), and
    ``timeline_label`` "name = Type(input, ...)"."""

    def __init__(self, node_name, start_ns, end_ns, timeline_label="", thread_id=0):
        self.node_name = node_name
        self.all_start_nanos = start_ns
        self.all_end_rel_nanos = self.op_end_rel_nanos = end_ns - start_ns
        self.op_start_rel_nanos = 0
        self.all_start_micros = start_ns // 1000
        self.all_end_rel_micros = self.op_end_rel_micros = (end_ns - start_ns) // 1000
        self.op_start_rel_micros = 0
        self.timeline_label = timeline_label
        self.thread_id = thread_id

    def SerializeToString(self):
        return (pb.bytes_field(1, self.node_name.encode()) + pb.int_field(2, self.all_start_micros) +
                pb.int_field(3, self.op_start_rel_micros) + pb.int_field(4, self.op_end_rel_micros) +
                pb.int_field(5, self.all_end_rel_micros) + pb.bytes_field(8, self.timeline_label.encode()) +
                pb.int_field(10, self.thread_id) + pb.int_field(13, self.all_start_nanos) +
                pb.int_field(14, self.op_start_rel_nanos) + pb.int_field(15, self.op_end_rel_nanos) +
                pb.int_field(16, self.all_end_rel_nanos))


class DeviceStepStats:
    def __init__(self, device, node_stats):
        self.device, self.node_stats = device, list(node_stats)

    def SerializeToString(self):
        return pb.bytes_field(1, self.device.encode()) + b"".join(
            pb.bytes_field(2, node.SerializeToString()) for node in self.node_stats)


class StepStats:
    def __init__(self, dev_stats=()):
        self.dev_stats = list(dev_stats)

    def SerializeToString(self):
        return b"".join(pb.bytes_field(1, device.SerializeToString()) for device in self.dev_stats)


def step_stats_of(timings, device):
    """``StepStats`` from ``timings``: (operation, start, end) per executed op, ``time.perf_counter_ns`` times,
    on ``device`` (its full name)."""
    to_epoch = time.time_ns() - time.perf_counter_ns()
    return StepStats([DeviceStepStats(device, [
        NodeExecStats(op.name, start + to_epoch, end + to_epoch, _label(op)) for op, start, end in timings])])


def _label(op):
    """TF's label: the op's name and type, and its inputs as a ``NodeDef`` lists them ("x", "x:1", "^x")."""
    inputs = [t.op.name if t.value_index == 0 else t.name for t in op.inputs]
    inputs += ["^" + c.name for c in op.control_inputs]
    return f"{op.name} = {op.type}({', '.join(inputs)})"
