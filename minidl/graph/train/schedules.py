"""The global step and learning-rate schedules, as graph ops that read the step."""
from ... import ops
from ..core import GraphKeys, get_default_graph
from ..frontend import convert_to_tensor


def get_global_step(graph=None):
    graph = graph or get_default_graph()
    steps = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(steps) > 1:
        raise TypeError("There are multiple items in collection global_step; there should be only one.")
    return steps[0] if steps else None


def create_global_step(graph=None):
    """An int64 scalar variable ``global_step`` (not trainable) that optimizers increment."""
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError("\"global_step\" already exists.")
    from ..variable_scope import get_variable
    from ..initializers import zeros_initializer
    from ... import backend
    with graph.as_default(), graph.name_scope(None):
        return get_variable("global_step", shape=(), dtype=backend.dtypes.int64, initializer=zeros_initializer(),
                            trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    step = get_global_step(graph)
    return create_global_step(graph) if step is None else step


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """``learning_rate * decay_rate ** (global_step / decay_steps)`` (the exponent floored when ``staircase``)."""
    if global_step is None:
        raise ValueError("global_step is required for exponential_decay.")
    lr = convert_to_tensor(learning_rate, name="learning_rate")
    progress = ops.cast(global_step, lr.dtype) / float(decay_steps)
    if staircase:
        progress = ops.floor(progress)
    return lr * ops.pow(convert_to_tensor(decay_rate, lr.dtype), progress)
