"""``timeline.Timeline``: a traced run's step statistics as a Chrome trace, TF1's way to see where a run's time
went::

    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    metadata = tf.RunMetadata()
    sess.run(train_op, feed_dict=feed, options=options, run_metadata=metadata)
    with open("timeline.json", "w") as f:
        f.write(timeline.Timeline(metadata.step_stats).generate_chrome_trace_format())

(open it in chrome://tracing or Perfetto). Each device of the step statistics is a process named "<device>
Compute"; each op an event named after its type, with its node name and inputs as arguments. TF draws arrows
from producers to consumers (``show_dataflow``) and tensor lifetimes (``show_memory``); this timeline draws the
ops only.
"""
from ....io.chrome_trace import complete_event, process_name, trace_json

__all__ = ["Timeline"]


class Timeline:
    def __init__(self, step_stats, graph=None):
        self._step_stats = step_stats

    def generate_chrome_trace_format(self, show_dataflow=True, show_memory=False, op_time="schedule"):
        """The trace as a JSON string."""
        events = []
        for pid, device in enumerate(self._step_stats.dev_stats):
            events.append(process_name(pid, f"{device.device} Compute"))
            for node in device.node_stats:
                name, op_type, inputs = _parse_label(node.timeline_label, node.node_name)
                args = {"name": name, "op": op_type, **{f"input{i}": x for i, x in enumerate(inputs)}}
                events.append(complete_event(op_type, "Op", node.all_start_micros, node.all_end_rel_micros, pid,
                                             node.thread_id, args))
        return trace_json(events)


def _parse_label(label, node_name):
    """(name, type, inputs) from a label "name = Type(a, b)"; a node without one is named after itself."""
    if " = " not in label or not label.endswith(")"):
        return node_name, node_name, []
    name, call = label.split(" = ", 1)
    op_type, inputs = call[:-1].split("(", 1)
    return name, op_type, [x for x in inputs.split(", ") if x]
