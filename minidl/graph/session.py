"""``Session``: runs the part of a graph that the fetches need.

``run(fetches, feed_dict)`` works in three steps:

1. **resolve** the fetches (any nesting of lists, tuples, namedtuples and dicts of tensors, operations,
   variables or names) into a flat list of targets, and the feeds into ``{tensor: array}``;
2. **compile** — once per (fetches, fed tensors), then cached — the subgraph the targets need into a *plan*:
   the operations in dependency order, each reading its inputs from numbered slots and writing its outputs to
   slots, plus the slots to release after each step (their last use), so intermediate arrays are freed early.
   Work stops at fed tensors: their producers do not run (this is *pruning*: an unfed placeholder outside the
   needed subgraph is fine);
3. **execute** the plan and rebuild the fetch structure from the target values.

Variable values live here, in the session, not in the graph.
"""
import collections
import sys
import threading
import time

import numpy

from ..backend import cuda_is_available, device as parse_device, dtypes, host_array, is_array, to_device
from ..autodiff import post_order
from ..ops.base import describe
from . import errors
from .config import gpu_allowed, local_devices
from .core import Operation, Tensor, get_default_graph
from .frontend import as_array
from .graph_ops import Const
from .indexed_slices import IndexedSlices, IndexedSlicesValue
from .sparse_tensor import SparseTensor, SparseTensorValue, sparse_value
from .step_stats import step_stats_of
from .strings import as_string_array, string

_default_session_stack = []
_deadlines = threading.local()  # .at: when the run in progress in this thread must give up waiting, or None


def run_deadline():
    """The ``time.monotonic()`` by which an op that waits (a queue's dequeue) must give up in the current thread's
    run (``RunOptions.timeout_in_ms``, ``ConfigProto.operation_timeout_in_ms``), or None: wait as long as needed."""
    return getattr(_deadlines, "at", None)


def get_default_session():
    return _default_session_stack[-1] if _default_session_stack else None


class _Plan:
    """A compiled subgraph: ``steps`` run in order over a list of slots."""
    __slots__ = ("steps", "operations", "input_slots", "output_slots", "initial", "feed_slots", "target_slots",
                 "state_targets", "fed_variables")

    def __init__(self, steps, operations, input_slots, output_slots, initial, feed_slots, target_slots,
                 state_targets, fed_variables):
        self.steps = steps                # list of (step function, slots to free afterwards)
        self.operations = operations      # the Operation of each step (for error messages)
        self.input_slots = input_slots    # the slots each step reads and writes (for error messages, and for
        self.output_slots = output_slots  # benchmarks/profile.py's what-if executors)
        self.initial = initial            # the slots at the start of a run: constants already in place
        self.feed_slots = feed_slots      # fed Tensor -> slot
        self.target_slots = target_slots  # one slot per target (None for an Operation)
        self.state_targets = state_targets  # (position, variable Operation): fetched variables, read at the end
        self.fed_variables = fed_variables  # the fed tensors that are variables (their reads in bodies see the feed)


def _fetched(array):
    """What ``run`` returns for a value: the array, or for a 0-d one a numpy scalar, as TF does (``print`` shows
    ``1.5``, not ``array(1.5)``)."""
    return array[()] if array.ndim == 0 else array


def _owned(array, fed_arrays):
    """``array`` as a result the caller may keep and change, as TF1's fetches are: a copy when it is the session's
    own read-only state (a variable's value, a constant) or a view of an array the caller fed (``tf.reshape(x)``
    fetched with ``{x: images}``: editing the result must not change ``images``)."""
    if array.ndim and (not array.flags.writeable or any(numpy.may_share_memory(array, fed) for fed in fed_arrays)):
        return array.copy()
    return array


def _timed(step, operation, timings):
    """``step`` adding (operation, start, end) to ``timings`` each time it runs (a traced run)."""
    def timed_step(values):
        start = time.perf_counter_ns()
        step(values)
        timings.append((operation, start, time.perf_counter_ns()))
    return timed_step


class Session:
    """Owns variable values and runs fetches. Use as a context manager, or ``close()`` it."""

    def __init__(self, target="", graph=None, config=None):
        self.graph = graph or get_default_graph()
        self._closed = False
        self._variable_values = {}   # VariableV2 Operation -> array
        self._plans = {}
        self._device_constants = {}  # Const Operation -> its array on this session's device
        self._compatible_feeds = set()  # (tensor, shape) pairs already checked: feeding them again is fine
        self._fed_variables = {}     # VariableV2 Operation -> its value fed to the run in progress
        self._xp = numpy
        self._device = parse_device("cpu")
        if cuda_is_available() and gpu_allowed(config):
            from ..backend import cupy_or_none
            self._xp, self._device = cupy_or_none(), parse_device("cuda")
        self._graph_context = None  # while used as a context manager: the graph's as_default() context
        # log_device_placement: the operations whose device has been logged (None: not logging)
        self._placement_logged = set() if getattr(config, "log_device_placement", False) else None
        if self._placement_logged is not None:
            gpus = [d for d in local_devices() if d.device_type == "GPU" and self._xp is not numpy]
            print("Device mapping:" + "".join(f"\n/job:localhost/replica:0/task:0{d.name} -> {d.physical_device_desc}"
                                              for d in gpus) + ("" if gpus else " no known devices."),
                  file=sys.stderr)
        self._timeout_ms = getattr(config, "operation_timeout_in_ms", 0) or 0
        self._resources = {}         # Operation -> the state of a queue, reader or table in this session
        self._resources_lock = threading.Lock()

    def list_devices(self):
        """The devices this machine offers a session (``name``, ``device_type``, ``memory_limit_bytes``), TF's
        way: ``/job:localhost/replica:0/task:0/device:CPU:0``."""
        return local_devices("/job:localhost/replica:0/task:0/device")

    @property
    def graph_def(self):
        """This session's graph as a ``GraphDef`` (``sess.graph.as_graph_def()``)."""
        return self.graph.as_graph_def()

    # --------------------------------------------------------------------------------------- lifecycle
    def close(self):
        self._closed = True
        self._variable_values.clear()
        self._plans.clear()
        with self._resources_lock:
            resources, self._resources = self._resources, {}
        for state in resources.values():  # a queue wakes the ops still waiting on it
            getattr(state, "session_closed", lambda: None)()

    def resource(self, operation, make=None):
        """The state in this session of the resource ``operation`` (a queue, a reader, a lookup table), made by
        ``make()`` when first asked for (without ``make``: None until then). Like variables' values, it lives and
        dies with the session: ``close()`` calls its ``session_closed()`` method, if it has one, and lets it go."""
        with self._resources_lock:
            state = self._resources.get(operation)
            if state is None and make is not None:
                state = self._resources[operation] = make()
            return state

    def __enter__(self):
        if self._graph_context is not None:
            raise RuntimeError("Session context managers are not re-entrant. Use `Session.as_default()` if you want "
                               "to enter a session multiple times.")
        _default_session_stack.append(self)
        self._graph_context = self.graph.as_default()
        self._graph_context.__enter__()
        return self

    def __exit__(self, *exc):
        self._graph_context.__exit__(*exc)
        self._graph_context = None
        _default_session_stack.remove(self)
        self.close()
        return False

    def as_default(self):
        session = self

        class _Default:
            def __enter__(self_inner):
                _default_session_stack.append(session)
                return session

            def __exit__(self_inner, *exc):
                _default_session_stack.remove(session)
                return False
        return _Default()

    @property
    def sess_str(self):
        return ""

    # ------------------------------------------------------------------------------------- running
    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function running ``fetches`` with its arguments fed, in order, to the tensors of ``feed_list``: TF1's
        way to call one run many times (here every ``run`` reuses its compiled plan anyway). With
        ``accept_options``, it also takes ``options=`` and ``run_metadata=``."""
        feed_list = list(feed_list or [])

        def run_fetches(*feed_values, **run_options):
            if len(feed_values) != len(feed_list):
                raise TypeError(f"The callable made for {len(feed_list)} feeds was given {len(feed_values)} values")
            if run_options and not accept_options:
                raise TypeError(f"The callable takes no keyword arguments (accept_options=False), got "
                                f"{sorted(run_options)}")
            return self.run(fetches, dict(zip(feed_list, feed_values)), **run_options)
        return run_fetches

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Compute ``fetches`` (a tensor, op, variable, name, or a nest of them) and return the same structure."""
        timeout_ms = (getattr(options, "timeout_in_ms", 0) if options is not None else 0) or self._timeout_ms
        # a trace (RunOptions' trace_level) goes into run_metadata.step_stats: each op's start and end
        timings = [] if run_metadata is not None and getattr(options, "trace_level", 0) else None
        if not timeout_ms:
            results = self._run(fetches, feed_dict, timings)
        else:
            outer = run_deadline()
            _deadlines.at = time.monotonic() + timeout_ms / 1000
            try:
                results = self._run(fetches, feed_dict, timings)
            finally:
                _deadlines.at = outer
        if timings is not None:
            device = f"/job:localhost/replica:0/task:0/device:{'CPU' if self._xp is numpy else 'GPU'}:0"
            run_metadata.step_stats = step_stats_of(timings, device)
        return results

    def _run(self, fetches, feed_dict, timings=None):
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        targets, rebuild = _flatten_fetches(self.graph, fetches)
        feeds = self._resolve_feeds(feed_dict) if feed_dict else {}
        key = (tuple(map(id, targets)), tuple(map(id, feeds)))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(targets, feeds)
        values = self._execute_feeding_variables(plan, feeds, timings) if plan.fed_variables else \
            self._execute(plan, feeds, timings)
        for k, variable in plan.state_targets:  # a fetched variable shows its value after the run's assignments
            values[plan.target_slots[k]] = variable.op.read_state(self, variable)
        fed_arrays = tuple(feeds.values()) if self._xp is numpy else ()  # a GPU run's results are fresh host copies
        results = [None if slot is None else _fetched(_owned(self._to_host(values[slot]), fed_arrays))
                   for slot in plan.target_slots]
        return rebuild(results)

    def run_subgraph(self, targets, feeds):
        """Run ``targets`` (tensors/operations of any graph, e.g. a control-flow body) with ``feeds``
        (``{tensor: device array}``) in this session — same variables, same cached plans — and return the
        targets' values as device arrays (None for operations). Control-flow ops use this for their bodies."""
        key = (tuple(map(id, targets)), tuple(map(id, feeds)))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(targets, feeds)
        values = self._execute(plan, feeds)
        return [None if slot is None else values[slot] for slot in plan.target_slots]

    def _execute_feeding_variables(self, plan, feeds, timings=None):
        """``_execute`` for a run that feeds variables: a fed value replaces the variable for every reader in the
        run, the control-flow bodies' reads (``CapturedVariable``) included, as in TF1."""
        outer = self._fed_variables
        self._fed_variables = {**outer, **{t.op: feeds[t] for t in plan.fed_variables}}
        try:
            return self._execute(plan, feeds, timings)
        finally:
            self._fed_variables = outer

    def _execute(self, plan, feeds, timings=None):
        """Run the plan's steps on ``feeds``; with a ``timings`` list, add (operation, start, end) per step."""
        values = plan.initial.copy()
        for tensor, array in feeds.items():
            values[plan.feed_slots[tensor]] = array
        steps = plan.steps if timings is None else [(_timed(step, op, timings), frees) for (step, frees), op
                                                    in zip(plan.steps, plan.operations)]
        i = 0
        try:
            for i, (step, frees) in enumerate(steps):
                step(values)
                for slot in frees:
                    values[slot] = None
        except errors.OpError as error:
            if error.op is None:
                raise type(error)(None, plan.operations[i], error.message) from error
            raise
        except Exception as error:
            op = plan.operations[i]
            # the arrays the op was given, which the graph's static shapes may not have known
            inputs = ", ".join(describe(values[slot]) for slot in plan.input_slots[i])
            raise errors.InvalidArgumentError(None, op, f"{type(error).__name__} in op '{op.name}' "
                                                        f"({op.type}) with inputs ({inputs}): {error}") from error
        return values

    def _to_host(self, array):
        if self._xp is numpy:
            return array
        return to_device(array, parse_device("cpu"))

    def on_device(self, array):
        """``array`` where this session computes: on its GPU, if it has one, except strings, which stay on the host
        (the GPU array module has no string type, and no op computes on them there)."""
        return array if self._xp is numpy or array.dtype == string else self._xp.asarray(array)

    # --------------------------------------------------------------------------------------- feeds
    def _resolve_feeds(self, feed_dict):
        feeds = {}
        for key, value in _flat_feeds(feed_dict):
            tensor = key if key.__class__ is Tensor else self._feed_target(key)
            if tensor.graph is not self.graph:
                raise ValueError(f"Tensor {tensor.name} is not an element of this graph.")
            if value.__class__ is numpy.ndarray and value.dtype == tensor.dtype and tensor.dtype != string:
                array = value  # the common case: nothing to convert (an object array may hold str: encoded below)
            elif isinstance(value, Tensor):
                raise TypeError(f"The value of a feed cannot be a tf.Tensor object ({value.name}). Acceptable feed "
                                "values include Python scalars, strings, lists, numpy ndarrays, or TensorHandles.")
            else:
                array = _as_host_array(value, tensor)
            if (tensor, array.shape) not in self._compatible_feeds:
                if not tensor.shape.is_compatible_with(array.shape):
                    raise ValueError(f"Cannot feed value of shape {array.shape} for Tensor '{tensor.name}', which "
                                     f"has shape '{tensor.shape}'")
                self._compatible_feeds.add((tensor, array.shape))
            feeds[tensor] = self.on_device(array)
        return feeds

    def _feed_target(self, key):
        if isinstance(key, str):
            try:
                tensor = self.graph.as_graph_element(key)
            except (KeyError, ValueError) as error:  # TF's class for a key that names nothing
                raise TypeError(f"Cannot interpret feed_dict key as Tensor: {_reason(error)}") from None
        else:
            tensor = getattr(key, "_as_graph_element", lambda: key)()
        if not isinstance(tensor, Tensor):
            if isinstance(tensor, Operation):
                raise TypeError(f"The value of a feed cannot be a tf.Operation: {key!r} (feed one of its outputs)")
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {key!r} is a {type(key).__name__}; the keys "
                            f"are placeholders (or other tensors), or their names")
        return tensor

    # ------------------------------------------------------------------------------------- compiling
    def _compile(self, targets, feeds):
        """Order the needed operations and assign every value a slot; see the module docstring.

        Constants are not steps: their values are put in their slots once, here, and every run starts from a copy
        of that list.
        """
        fed = set(map(id, feeds))
        order = _needed_operations(targets, fed)
        if self._placement_logged is not None:
            self._log_placement(order)
        slot_of = {}   # id(Tensor) -> slot
        for tensor in feeds:
            slot_of[id(tensor)] = len(slot_of)
        for op in order:
            for out in op.outputs:
                if id(out) not in slot_of:
                    slot_of[id(out)] = len(slot_of)
        initial = [None] * len(slot_of)
        runnable = []
        for op in order:
            if op.op is Const:
                initial[slot_of[id(op.outputs[0])]] = self.device_constant(op)
            else:
                runnable.append(op)
        last_use = {}
        for index, op in enumerate(runnable):
            for t in op.inputs:
                last_use[slot_of[id(t)]] = index
        kept = {slot_of[id(t)] for t in targets if isinstance(t, Tensor)}
        frees = [[] for _ in runnable]
        for slot, index in last_use.items():
            if slot not in kept:
                frees[index].append(slot)
        input_slots = [[slot_of[id(t)] for t in op.inputs] for op in runnable]
        output_slots = [[slot_of[id(t)] for t in op.outputs] for op in runnable]
        steps = [(self._step(op, input_slots[index], output_slots[index], fed), tuple(frees[index]))
                 for index, op in enumerate(runnable)]
        feed_slots = {t: slot_of[id(t)] for t in feeds}
        target_slots = [slot_of[id(t)] if isinstance(t, Tensor) else None for t in targets]
        state_targets = [(k, t.op) for k, t in enumerate(targets)
                         if isinstance(t, Tensor) and id(t) not in fed and getattr(t.op.op, "holds_state", False)]
        fed_variables = tuple(t for t in feeds if getattr(t.op.op, "holds_state", False))
        return _Plan(steps, runnable, input_slots, output_slots, initial, feed_slots, target_slots, state_targets,
                     fed_variables)

    def _log_placement(self, operations):
        """``ConfigProto(log_device_placement=True)``: each operation's device, once, as TF1 logs them (to
        stderr) when it places a graph."""
        device = f"/job:localhost/replica:0/task:0/device:{'CPU' if self._xp is numpy else 'GPU'}:0"
        for op in operations:
            if op not in self._placement_logged:
                self._placement_logged.add(op)
                print(f"{op.name}: ({op.type}): {device}", file=sys.stderr)

    def _step(self, operation, in_slots, out_slots, fed):
        """A function ``step(values)`` that runs ``operation`` on its input slots and fills its output slots.

        Library ops get a closure specialised to their input count: this is ``Session.run``'s inner loop. An op
        that reads a variable reads its value when it runs (``_reading_state``), not when the variable op ran.
        """
        op = operation.op
        stateful = [(i, t.op) for i, t in enumerate(operation.inputs)
                    if getattr(t.op.op, "holds_state", False) and id(t) not in fed]  # a fed variable is the feed
        if stateful:
            return self._reading_state(operation, in_slots, out_slots, stateful)
        execute = getattr(op, "execute", None)
        if execute is not None:
            session = self

            def run_graph_op(values):
                outs = execute(session, operation, [values[s] for s in in_slots])
                for s, o in zip(out_slots, outs):
                    values[s] = o
            return run_graph_op
        forward, attrs, xp = op.forward, operation.attrs, self._xp
        if xp is not numpy and any(t.dtype == string for t in operation.inputs):
            return self._on_host(operation, in_slots, out_slots)
        if len(out_slots) != 1:
            def run_multi(values):
                for s, o in zip(out_slots, forward(xp, *[values[s] for s in in_slots], **attrs)):
                    values[s] = o
            return run_multi
        (out,) = out_slots
        if len(in_slots) == 1:
            (a,) = in_slots
            if attrs:
                def run_unary_attrs(values):
                    values[out] = forward(xp, values[a], **attrs)
                return run_unary_attrs

            def run_unary(values):
                values[out] = forward(xp, values[a])
            return run_unary
        if len(in_slots) == 2 and not attrs:
            a, b = in_slots

            def run_binary(values):
                values[out] = forward(xp, values[a], values[b])
            return run_binary

        def run_any(values):
            values[out] = forward(xp, *[values[s] for s in in_slots], **attrs)
        return run_any

    def _on_host(self, operation, in_slots, out_slots):
        """The step of a library op given a string tensor (``tf.gather(names, i)``) in a GPU session: it runs on the
        host, where strings live, its numeric inputs copied there; numeric outputs go back to the GPU."""
        forward, attrs, session = operation.op.forward, operation.attrs, self

        def run_on_host(values):
            outs = forward(numpy, *[host_array(values[s]) for s in in_slots], **attrs)
            for s, o in zip(out_slots, outs if len(out_slots) != 1 else (outs,)):
                values[s] = session.on_device(o)
        return run_on_host

    def _reading_state(self, operation, in_slots, out_slots, stateful):
        """The step of an op with variable inputs: each is read when the op runs, so an op made to run after an
        ``assign`` (``control_dependencies``) sees the new value, as in TF1, where every reader of a variable
        dereferences it when it executes."""
        op, attrs, session, xp = operation.op, operation.attrs, self, self._xp
        execute = getattr(op, "execute", None)

        def run_reading_state(values):
            arrays = [values[s] for s in in_slots]
            for i, variable in stateful:
                arrays[i] = variable.op.read_state(session, variable)
            outs = execute(session, operation, arrays) if execute is not None else forward(arrays)
            for s, o in zip(out_slots, outs):
                values[s] = o

        def forward(arrays):
            result = op.forward(xp, *arrays, **attrs)
            return result if len(out_slots) != 1 else (result,)
        return run_reading_state

    # ------------------------------------------------------------------------------------ variables
    def variable_value(self, operation):
        """The current value of a variable, or FailedPreconditionError if it was never initialized."""
        try:
            return self._variable_values[operation]
        except KeyError:
            raise errors.FailedPreconditionError(
                None, operation, f"Attempting to use uninitialized value {operation.name}") from None

    def variable_read(self, operation):
        """What a read of a variable sees in the run in progress: the value fed for it, if the run feeds it, else
        its current value."""
        fed = self._fed_variables.get(operation)
        return self.variable_value(operation) if fed is None else fed

    def set_variable_value(self, operation, array):
        if hasattr(array, "setflags"):
            array.setflags(write=False)  # every read of the variable is this very array: nothing may change it in place
        self._variable_values[operation] = array

    def is_initialized(self, operation):
        return operation in self._variable_values

    def device_constant(self, operation):
        """A ``Const`` operation's value on this session's device (copied once per session)."""
        array = operation.attrs["value"]
        if self._xp is numpy or array.dtype == string:
            return array
        cached = self._device_constants.get(operation)
        if cached is None:
            cached = self._device_constants[operation] = self._xp.asarray(array)
        return cached

    @property
    def array_module(self):
        return self._xp


class InteractiveSession(Session):
    """A session that installs itself as the default on creation, so ``t.eval()`` and ``op.run()`` just work."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        _default_session_stack.append(self)

    def close(self):
        if self in _default_session_stack:
            _default_session_stack.remove(self)
        super().close()


# ------------------------------------------------------------------------------------------- helpers

def _as_host_array(value, tensor):
    """A value fed to ``tensor`` as a numpy array of its dtype (refusing lossy conversions like float -> int)."""
    dtype = tensor.dtype
    if dtype == string:
        return as_string_array(value)
    if is_array(value):
        array = to_device(value, parse_device("cpu"))
    else:
        array = as_array(value, f"the feed of {tensor.name}")
    if array.dtype.kind in "US":  # numpy reads numbers written as strings ("1.5"), as TF does, and refuses the rest
        try:
            return array.astype(dtype)
        except ValueError as error:
            raise ValueError(f"Cannot convert a feed value {value!r:.80} to {dtype.name}: {error}") from None
    if array.dtype.kind not in "biufc":
        raise TypeError(f"Cannot convert a feed value of type {type(value).__name__} ({value!r:.80}) to a "
                        f"{dtype.name} tensor: feed a number, a (nested) list of numbers or a numpy array")
    if array.dtype != dtype:
        if dtypes.category(array.dtype) > dtypes.category(dtype) and not numpy.array_equal(array, array.astype(dtype)):
            raise TypeError(f"Cannot feed a value of dtype {array.dtype} to a {dtype.name} tensor without losing "
                            "information")
        if array.dtype.kind in "iu" and dtype.kind in "iu" and array.size:  # no silent wrap-around (2**40 -> 0)
            limits = numpy.iinfo(dtype)
            if array.min() < limits.min or array.max() > limits.max:
                raise TypeError(f"Type of feed value {value if array.ndim == 0 else array} is not compatible with "
                                f"Tensor type {dtype.name}: it is outside [{limits.min}, {limits.max}]. Try "
                                f"explicitly setting the type of the feed tensor to a larger type (e.g. int64).")
        array = array.astype(dtype)
    return array


def _reason(error):
    """The message of ``error`` (a KeyError's ``str`` would add quotes)."""
    return error.args[0] if error.args else str(error)


def _needed_operations(targets, fed):
    """The operations the targets depend on, each after its inputs' producers; fed tensors cut the search, and so
    does a control dependency on an operation whose outputs are all fed (a fed placeholder: the feed replaces it,
    as in TF1, where gradients fed through placeholders reach an optimizer that waits for them)."""
    def inputs_of(op):
        # pushed in reverse, so the producers run in the order of the inputs; control inputs are pushed last, so
        # they run before the data inputs' producers
        return [t.op for t in reversed(op.inputs) if id(t) not in fed] + \
            [c for c in reversed(op.control_inputs) if not (c.outputs and all(id(t) in fed for t in c.outputs))]

    return post_order([t.op if isinstance(t, Tensor) else t for t in reversed(targets)
                       if not (isinstance(t, Tensor) and id(t) in fed)], inputs_of)


def _flat_feeds(feed_dict):
    """The (key, value) pairs of ``feed_dict``, a key that is a tuple of tensors (an LSTM's ``(c, h)`` state, a
    list of layers' states) paired element by element with its value, as TF1 allows, and a SparseTensor's parts
    with the arrays of its value."""
    for key, value in feed_dict.items():
        if isinstance(key, SparseTensor):  # its three parts, each fed its array
            yield from _flat_feeds(dict(zip(key.components, sparse_value(value, "a SparseTensor"))))
        elif isinstance(key, (tuple, list)):
            if not isinstance(value, (tuple, list)) or len(value) != len(key):
                raise ValueError(f"The value fed for a tuple of {len(key)} tensors must be a tuple of as many values, "
                                 f"got {type(value).__name__}" + (f" of {len(value)}" if hasattr(value, "__len__")
                                                                   else ""))
            yield from _flat_feeds(dict(zip(key, value)))
        else:
            yield key, value


def _flatten_fetches(graph, fetches):
    """Flatten a nest of fetches into unique targets, and a function that rebuilds the nest from their values."""
    if isinstance(fetches, (Tensor, Operation)) and fetches.graph is graph:
        return [fetches], lambda values: values[0]
    if (fetches.__class__ is list or fetches.__class__ is tuple) and \
            all(isinstance(f, (Tensor, Operation)) and f.graph is graph for f in fetches) and \
            len(set(map(id, fetches))) == len(fetches):  # a plain list of distinct tensors: no nest to rebuild
        return list(fetches), (lambda values: values) if fetches.__class__ is list else tuple
    targets, index_of = [], {}

    def flatten(f):
        if f is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
        if isinstance(f, dict):
            keys = list(f)
            parts = [flatten(f[k]) for k in keys]
            kind = type(f)
            return lambda v: kind(zip(keys, (p(v) for p in parts))) if kind is not collections.defaultdict \
                else dict(zip(keys, (p(v) for p in parts)))
        if isinstance(f, tuple) and hasattr(f, "_fields"):  # namedtuple
            parts = [flatten(x) for x in f]
            return lambda v: type(f)(*(p(v) for p in parts))
        if isinstance(f, SparseTensor):  # its three parts, given back as a SparseTensorValue
            parts = [flatten(x) for x in f.components]
            return lambda v: SparseTensorValue(*(p(v) for p in parts))
        if isinstance(f, IndexedSlices):  # as TF: an IndexedSlicesValue (dense_shape None where it has none)
            parts = [flatten(x) for x in (f.values, f.indices)]
            shape = None if f.dense_shape is None else flatten(f.dense_shape)
            return lambda v: IndexedSlicesValue(parts[0](v), parts[1](v), None if shape is None else shape(v))
        if isinstance(f, (list, tuple)):
            parts = [flatten(x) for x in f]
            kind = type(f)
            return lambda v: kind(p(v) for p in parts)
        try:
            element = graph.as_graph_element(f)
        except (KeyError, ValueError) as error:
            if not isinstance(f, str):
                raise
            raise ValueError(f"Fetch argument {f!r} cannot be interpreted as a Tensor. ({_reason(error)})") from None
        index = index_of.get(id(element))
        if index is None:
            index = index_of[id(element)] = len(targets)
            targets.append(element)
        return lambda v: v[index]
    rebuild = flatten(fetches)
    return targets, rebuild
