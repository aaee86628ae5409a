"""Session configuration and device placement: ``tf.ConfigProto``, ``tf.GPUOptions``, ``tf.device``, and the
per-run ``tf.RunOptions`` / ``tf.RunMetadata``.

TF1 programs open with boilerplate such as ::

    config = tf.ConfigProto(allow_soft_placement=True, gpu_options=tf.GPUOptions(allow_growth=True))
    with tf.Session(config=config) as sess: ...
    with tf.device("/cpu:0"): ...

minidl runs a whole session on one device: the GPU when cupy sees one, otherwise the CPU. Of the options, the one
that changes what happens is ``device_count={"GPU": 0}``, which keeps the session on the CPU;
``log_device_placement=True`` logs each operation's device to stderr, as TF1 does. The others are accepted and
kept, so that such programs run unchanged, but have nothing to steer: placement is always "soft"
(there is one device), cupy's memory pool grows as needed (``allow_growth``), and numpy's thread count is set by
the BLAS library's environment variables, not per session. ``tf.device`` records the requested device on the ops
created inside it (``op.device``), as TF does, without moving them.

``tf.config.list_physical_devices("GPU")`` (also under ``tf.config.experimental``, TF 1.14's spelling) lists the
GPUs cupy sees; ``set_visible_devices([], "GPU")`` hides them from the sessions made after it; ``set_memory_growth``
is accepted and kept, as ``allow_growth`` is. ``sess.list_devices()`` and ``device_lib.list_local_devices()``
describe the devices with their memory.
"""
import os
from collections import namedtuple
from types import SimpleNamespace

from ..backend import cuda_device_count, gpu_properties
from ..io import protobuf
from .step_stats import StepStats


class GPUOptions:
    """``tf.GPUOptions(allow_growth=..., per_process_gpu_memory_fraction=..., visible_device_list=...)``: kept
    as attributes; see the module docstring for what minidl does with them."""

    def __init__(self, allow_growth=False, per_process_gpu_memory_fraction=0.0, visible_device_list="", **options):
        self.allow_growth = allow_growth
        self.per_process_gpu_memory_fraction = per_process_gpu_memory_fraction
        self.visible_device_list = visible_device_list
        self.__dict__.update(options)


class OptimizerOptions:
    """``tf.OptimizerOptions``: how TF rewrites a graph before running it (constant folding, XLA's JIT with
    ``global_jit_level = tf.OptimizerOptions.ON_1``). Kept: minidl runs the graph as built."""
    DEFAULT, OFF, ON_1, ON_2 = 0, -1, 1, 2
    L1, L0 = 0, -1

    def __init__(self, global_jit_level=DEFAULT, opt_level=L1, do_constant_folding=True, **options):
        self.global_jit_level = global_jit_level
        self.opt_level = opt_level
        self.do_constant_folding = do_constant_folding
        self.__dict__.update(options)


class GraphOptions:
    """``tf.GraphOptions(optimizer_options=...)``: kept, as ``OptimizerOptions`` is."""

    def __init__(self, optimizer_options=None, **options):
        self.optimizer_options = optimizer_options if optimizer_options is not None else OptimizerOptions()
        self.__dict__.update(options)


class ConfigProto:
    """``tf.ConfigProto(...)``: options for a ``Session``. ``device_count={"GPU": 0}`` keeps the session on the
    CPU, ``operation_timeout_in_ms`` bounds the waits of queue ops (see ``RunOptions``); the rest are accepted and
    kept as attributes."""

    def __init__(self, device_count=None, allow_soft_placement=False, log_device_placement=False, gpu_options=None,
                 intra_op_parallelism_threads=0, inter_op_parallelism_threads=0, graph_options=None, **options):
        self.device_count = dict(device_count or {})
        self.allow_soft_placement = allow_soft_placement
        self.log_device_placement = log_device_placement
        self.gpu_options = gpu_options if gpu_options is not None else GPUOptions()
        self.graph_options = graph_options if graph_options is not None else GraphOptions()
        self.intra_op_parallelism_threads = intra_op_parallelism_threads
        self.inter_op_parallelism_threads = inter_op_parallelism_threads
        self.__dict__.update(options)

    @property
    def allows_gpu(self):
        return self.device_count.get("GPU", 1) != 0


def gpu_allowed(config):
    """Whether a session made with ``config`` (or None) may run on a GPU: not hidden, not counted out."""
    return "GPU" not in _hidden_types and (config is None or config.allows_gpu)


class RunOptions:
    """``tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)``, for ``sess.run(..., options=, run_metadata=)``:
    any trace level above ``NO_TRACE`` times each op of the run into ``run_metadata.step_stats``
    (``step_stats.py``; ``timeline.Timeline`` draws it). minidl times ops on the host, whatever the level: an op
    on a GPU is timed as long as queuing its kernels took. ``timeout_in_ms``: an op of the run that waits (a
    queue's dequeue, queues.py) gives up after it with ``DeadlineExceededError`` — as
    ``ConfigProto(operation_timeout_in_ms=...)`` sets for every run."""
    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3

    def __init__(self, trace_level=NO_TRACE, timeout_in_ms=0, output_partition_graphs=False, **options):
        self.trace_level = trace_level
        self.timeout_in_ms = timeout_in_ms
        self.output_partition_graphs = output_partition_graphs
        self.__dict__.update(options)


class RunMetadata:
    """``tf.RunMetadata()``, filled by a traced ``sess.run(..., options=, run_metadata=)`` with the run's
    ``step_stats`` (see ``RunOptions``); ``partition_graphs`` stays empty. It serializes as TF's message (field
    1, the step statistics): what ``FileWriter.add_run_metadata`` writes for TensorBoard."""

    def __init__(self):
        self.step_stats = StepStats()
        self.partition_graphs = []

    def SerializeToString(self):
        stats = self.step_stats.SerializeToString()
        return protobuf.bytes_field(1, stats) if stats else b""


def device(device_name_or_function):
    """``with tf.device("/cpu:0"):`` — the ops created inside record the device name (``op.device``); with a
    function, what it returns for each op (``tf.device(assign_to_device(...))`` puts variables on "/cpu:0")."""
    from .core import get_default_graph
    return get_default_graph().device(device_name_or_function)


# ------------------------------------------------------------------------------------------ devices, TF 1.14+

PhysicalDevice = namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = namedtuple("LogicalDevice", ["name", "device_type"])
_memory_growth = {}  # device name -> what set_memory_growth was told
_hidden_types = set()  # device types that set_visible_devices hid ("GPU")


def _devices(kind, prefix, device_type):
    devices = [kind(f"{prefix}:CPU:0", "CPU")] + [kind(f"{prefix}:GPU:{i}", "GPU") for i in range(cuda_device_count())]
    return [d for d in devices if device_type is None or d.device_type == device_type.upper()]


def list_physical_devices(device_type=None):
    """The CPU and each GPU cupy sees, TF's way: ``PhysicalDevice(name='/physical_device:GPU:0', ...)``."""
    return _devices(PhysicalDevice, "/physical_device", device_type)


def list_logical_devices(device_type=None):
    return _devices(LogicalDevice, "/device", device_type)


def set_memory_growth(device, enable):
    """Kept: cupy's memory pool takes GPU memory as it is needed, which is what growth asks for."""
    if device.device_type != "GPU":
        raise ValueError("Cannot set memory growth on non-GPU devices")
    _memory_growth[device.name] = bool(enable)


def get_memory_growth(device):
    return _memory_growth.get(device.name, False)


def set_visible_devices(devices, device_type=None):
    """``set_visible_devices([], "GPU")``: the sessions made after it keep off the GPU (minidl uses one GPU: any
    GPU in ``devices`` makes them visible again)."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    if device_type is None or device_type.upper() == "GPU":
        if any(d.device_type == "GPU" for d in devices):
            _hidden_types.discard("GPU")
        else:
            _hidden_types.add("GPU")


def get_visible_devices(device_type=None):
    return [d for d in list_physical_devices(device_type) if d.device_type not in _hidden_types]


class DeviceAttributes:
    """What ``sess.list_devices()`` and ``device_lib.list_local_devices()`` say of a device: ``name``,
    ``device_type``, ``memory_limit`` (bytes; also as ``memory_limit_bytes``) and ``physical_device_desc``."""

    def __init__(self, name, device_type, memory_limit, physical_device_desc=""):
        self.name, self.device_type, self.memory_limit = name, device_type, memory_limit
        self.physical_device_desc = physical_device_desc

    memory_limit_bytes = property(lambda self: self.memory_limit)

    def __repr__(self):
        return (f'name: "{self.name}"\ndevice_type: "{self.device_type}"\nmemory_limit: {self.memory_limit}\n'
                + (f'physical_device_desc: "{self.physical_device_desc}"\n' if self.physical_device_desc else ""))


def local_devices(prefix="/device"):
    """The CPU (with the machine's memory) and each visible GPU (with its own), named under ``prefix``."""
    devices = [DeviceAttributes(f"{prefix}:CPU:0", "CPU", os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))]
    if "GPU" not in _hidden_types:
        for i in range(cuda_device_count()):
            gpu = gpu_properties(i)
            devices.append(DeviceAttributes(f"{prefix}:GPU:{i}", "GPU", gpu.total_memory,
                                            f"device: {i}, name: {gpu.name}"))
    return devices


experimental = SimpleNamespace(list_physical_devices=list_physical_devices, list_logical_devices=list_logical_devices,
                               set_memory_growth=set_memory_growth, get_memory_growth=get_memory_growth,
                               set_visible_devices=set_visible_devices, get_visible_devices=get_visible_devices)
