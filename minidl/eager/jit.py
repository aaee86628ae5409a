"""``torch.jit.trace``: an eager program run once and recorded as a graph — the bridge between the two paradigms.

Eager mode builds its graph anew on every call; tracing keeps one. ``trace(model, example_inputs)`` runs the model
on the example while an observer (``observers.py``) notes every op it applies: the op, its attributes, and where
each tensor argument came from — an input of the traced call, a parameter or buffer of the module, the output of
an earlier op, or anything else (a tensor made inside the forward, one from outside): a constant, whose value is
kept. The result is a ``TracedModule``: calling it replays those ops on new inputs, with the module's current
parameters, and records them on the tape as any eager ops (so it trains).

What tracing cannot see, it cannot replay, as in PyTorch: Python control flow is frozen at the branch the example
took, and Python numbers read from tensors (``.item()``) at the example's values. **Shapes too, which is stricter
than PyTorch**: PyTorch's tracer follows ``x.size(0)`` symbolically; minidl's ops take shapes as plain numbers (a
``view(x.size(0), -1)`` records the example's batch). So a trace accepts inputs of the example's shapes, and
another batch size (first dim) only where it showed it can: ``trace`` replays the example grown by one entry and
compares with the eager function (a CNN or an MLP passes; a program with the batch size built in fails, and its
inputs keep their shapes). A call with other shapes is refused, rather than computed with the wrong ones.

In-place ops and indexed writes are recorded as steps, the written tensor then standing for their result; a write
into the module's state (batch norm's running statistics) or into an input is made again by the replay. A write
the trace cannot see (into memory by other means) is refused where it can be detected, and ``check_trace`` (on by
default) replays the example and compares.

``traced.graph`` prints the recorded program; ``traced.save(path)`` / ``jit.save`` writes it — the ops by class
name, their attributes, the parameters and constants — to minidl's array file, and ``jit.load`` rebuilds it
without the Python class of the model. Loading never executes code from the file: op classes are looked up among
minidl's own (as ``tf.train.import_meta_graph`` does), and attributes are plain values (``io/attribute_codec.py``).
``script`` compiles Python source in PyTorch; minidl cannot, and says so.
"""
import typing
import warnings

import numpy

from .. import ops
from ..backend import device as parse_device, may_share_memory, to_device
from ..io import ArrayFileError, attribute_codec, check_kind, read_arrays, write_arrays
from ..ops.registry import op_class, op_class_key, op_classes
from .nn.module import Module
from .nn.parameter import Parameter
from .grad_mode import GradMode, no_grad
from .observers import OpObserver
from .tensor import Tensor

__all__ = ["ScriptModule", "TracedModule", "TracerWarning", "TracingCheckError", "annotate", "export", "freeze",
           "ignore", "is_scripting", "is_tracing", "load", "save", "script", "trace", "trace_module", "unused"]

_KIND, _VERSION = "torch-jit-trace", 1


class TracingCheckError(RuntimeError):
    """The traced program gives other outputs than the eager one on the example inputs."""


class TracerWarning(UserWarning):
    """Something about the trace that may make it replay differently from the eager program."""


# ------------------------------------------------------------------------------------------- recording

class _Tracer(OpObserver):
    """Notes each op applied while it is attached: ``steps`` of (op, argument sources, attrs). A source is
    ("input", i), ("param", name), ("step", j, k) — output k of step j — ("constant", i), or ("literal", value)
    for a non-tensor argument. An in-place op is an ordinary step whose result the written tensor then stands for
    (``observe_write``). The other tensors over the written memory (its views, its base) change too, which the
    trace cannot replay: they are *stale*, and using one afterwards is refused."""

    def __init__(self, inputs, named_state):
        self.steps, self.constants = [], []
        self.sources = {id(t): ("input", i) for i, t in enumerate(inputs)}
        self.sources.update({id(t): ("param", name) for name, t in named_state})
        # the tensors from outside whose memory a write reaches (the module's state, the inputs): the replay
        # writes them too; target -> the source of the value written last
        self.outside = {key: source for key, source in self.sources.items()}
        self.state_writes = {}
        self.read = {}  # id -> (tensor, its version when last read or traced-written): other writes are refused
        self.keep = list(inputs)  # every tensor seen stays alive, so that no id is reused during the trace
        self.stand_ins = set()  # ids of the tensor objects in-place ops read in place of the tensor they write
        self.stale = set()  # ids of tensors whose memory a traced write changed behind their backs

    def watch_op(self, op, args, attrs, run):
        result = run(op, args, attrs)
        self.steps.append((op, [self.source(a) for a in args], dict(attrs)))
        outputs = result if isinstance(result, tuple) else (result,)
        for k, t in enumerate(outputs):
            self.sources[id(t)] = ("step", len(self.steps) - 1, k)
            self.keep.append(t)
        return result

    def source(self, value):
        if not isinstance(value, Tensor):
            return ("literal", value)
        if id(value) in self.stale:
            raise RuntimeError(f"trace: a {list(value.shape)} tensor is used after an in-place write into memory it "
                               f"shares (it is a view of the written tensor, or its base): the trace cannot replay "
                               f"that. Write out of place (torch.where, torch.cat, index_put)")
        self.keep.append(value)
        self.read[id(value)] = (value, value._counter()[0])
        found = self.sources.get(id(value))
        if found is None:  # made inside the forward by a factory, or captured from outside: its value is kept
            if value.requires_grad:
                raise RuntimeError("Cannot insert a Tensor that requires grad as a constant. Consider making it a "
                                   "parameter or input, or detaching the gradient (trace: a tensor the traced "
                                   f"code uses comes from outside it: {value!r})")
            found = self.sources[id(value)] = ("constant", len(self.constants))
            self.constants.append(Tensor._make(value._data.copy()))  # (a copy, not an op: this is no step)
        return found

    def observe_alias(self, alias, tensor, transient=False):
        self.sources[id(alias)] = self.source(tensor)
        if transient:  # (a lasting alias, a detach, shares the memory a later write changes: that is refused)
            self.stand_ins.add(id(alias))
        self.keep.append(alias)

    def observe_write(self, tensor, value):
        self.stale.update(id(t) for t in self.keep if t is not tensor and id(t) not in self.stand_ins and
                          may_share_memory(t._data, tensor._data))
        if tensor._base is not None:
            self.stale.add(id(tensor._base))
        self.sources[id(tensor)] = self.source(value)
        counter = tensor._counter()  # this change of version is a traced one, also for the views that share it
        for key, (t, _) in list(self.read.items()):
            if t._counter() is counter:
                self.read[key] = (t, counter[0])
        if id(tensor) in self.outside:  # the module's own state (running stats), or an input: replayed too
            self.state_writes[self.outside[id(tensor)]] = self.sources[id(tensor)]

    def check_unwritten(self):
        for t, version in self.read.values():
            if t._counter()[0] != version:
                raise RuntimeError(f"trace: a {list(t.shape)} tensor the traced ops read was changed in place by "
                                   f"something the trace does not see (a write under no_grad, or into a tensor no "
                                   f"op recorded): the trace would replay the old value. (Trace a model in eval() "
                                   f"mode: in training, batch norm updates its running statistics so.)")

    def random_steps(self):
        return [op.name for op, _, _ in self.steps if getattr(op, "fresh_seed", None) is not None]


def _flatten(value, tensors):
    """``value`` (a tensor, or tuples/lists/dicts of them) as a structure with each tensor replaced by its index
    in ``tensors``."""
    if isinstance(value, Tensor):
        tensors.append(value)
        return {"tensor": len(tensors) - 1}
    if isinstance(value, (tuple, list)):
        return {type(value).__name__: [_flatten(v, tensors) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[k, _flatten(v, tensors)] for k, v in value.items()]}
    raise TypeError(f"trace: the traced function must return tensors (or tuples, lists and dicts of them), got "
                    f"{type(value).__name__}")


def _rebuild(structure, values):
    kind, content = next(iter(structure.items()))
    if kind == "tensor":
        return values[content]
    if kind == "dict":
        return {k: _rebuild(v, values) for k, v in content}
    items = [_rebuild(v, values) for v in content]
    return tuple(items) if kind == "tuple" else items


# ------------------------------------------------------------------------------------------- the program

class TracedModule(Module):
    """A recorded program: ``steps`` replayed on new inputs (see the module docstring). It holds the traced
    module's parameters and buffers under the same names (shared, not copied), so ``parameters()``,
    ``state_dict()`` and ``to()`` work on them."""

    def __init__(self, steps, input_shapes, outputs, constants, state_owner=None, state_writes=(), input_names=None):
        super().__init__()
        if state_owner is not None:  # the traced module: its children, parameters and buffers, by the same names
            self._modules.update(state_owner._modules)
            self._parameters.update(state_owner._parameters)
            self._buffers.update(state_owner._buffers)
            self._non_persistent_buffers.update(state_owner._non_persistent_buffers)
            self.training = state_owner.training
        self._steps, self._input_shapes, self._outputs = steps, [list(s) for s in input_shapes], outputs
        self._input_names = input_names  # for a trace made with keyword inputs (example_kwarg_inputs)
        self._free_batch = False  # whether inputs may come with another first dim (a batch): trace() tests it
        self._constants = list(constants)  # apart from the buffers: not the model's state
        # (target, source): what the program writes in place — a parameter or buffer, or an input
        self._state_writes = list(state_writes)

    def _apply(self, fn):
        """``to``/``cuda``/``double``... move and convert the constants with the parameters and buffers."""
        super()._apply(fn)
        with no_grad():
            self._constants = [fn(c) for c in self._constants]
        return self

    def forward(self, *inputs, **named):
        if named:  # keyword inputs, by the names the trace was made with
            if self._input_names is None or set(named) - set(self._input_names):
                raise TypeError(f"forward() of the traced program got unexpected keyword inputs {sorted(named)}")
            inputs = inputs + tuple(named[n] for n in self._input_names[len(inputs):] if n in named)
        if len(inputs) != len(self._input_shapes):
            raise TypeError(f"forward() of the traced program takes {len(self._input_shapes)} inputs, got "
                            f"{len(inputs)}")
        for i, (t, shape) in enumerate(zip(inputs, self._input_shapes)):
            got = list(t.shape) if isinstance(t, Tensor) else None
            batch_only = self._free_batch and got is not None and len(got) == len(shape) and got[1:] == shape[1:] \
                and got[0] == list(inputs[0].shape)[0]
            if got != shape and not batch_only:
                raise RuntimeError(f"traced program: input {i} must have the traced example's shape {shape}"
                                   f"{' (any batch size)' if self._free_batch else ''}, got {got or type(t).__name__}. "
                                   f"minidl's traces keep the shapes they cannot show to be free (see "
                                   f"minidl/eager/jit.py): trace with an example of the shapes to run, or call the "
                                   f"module itself")
        state = dict(self.named_parameters(remove_duplicate=False))
        state.update(self.named_buffers(remove_duplicate=False))
        results = []

        def value(source):
            kind = source[0]
            if kind == "input":
                return inputs[source[1]]
            if kind == "param":
                return state[source[1]]
            if kind == "step":
                return results[source[1]][source[2]]
            if kind == "constant":
                return self._constants[source[1]]
            return source[1]
        for op, sources, attrs in self._steps:
            if getattr(op, "fresh_seed", None) is not None:  # a random op (dropout) draws anew at every call
                attrs = {**attrs, "seed": op.fresh_seed()}
            out = ops.apply(op, *[value(s) for s in sources], **attrs)
            results.append(out if isinstance(out, tuple) else (out,))
        with no_grad():  # the traced program's in-place writes: the module's state (batch norm's statistics), inputs
            for target, source in self._state_writes:
                value(target).copy_(value(source))
        return _rebuild(self._outputs[0], [value(s) for s in self._outputs[1]])

    @property
    def graph(self):
        """The recorded program as text: one line per op, ``%k`` its result."""
        def name(source):
            kind = source[0]
            if kind == "input":
                return f"%input{source[1]}"
            if kind == "param":
                return f"%self.{source[1]}"
            if kind == "step":  # output k of step j: %(j+1), or %(j+1)[k] for a later output
                return f"%{source[1] + 1}" + (f"[{source[2]}]" if source[2] else "")
            if kind == "constant":
                return f"%constant{source[1]}"
            return repr(source[1])
        lines = [f"graph({', '.join(f'%input{i}' for i in range(len(self._input_shapes)))}):"]
        for j, (op, sources, attrs) in enumerate(self._steps):
            arguments = [name(s) for s in sources] + [f"{k}={v!r}" for k, v in attrs.items()]
            lines.append(f"  %{j + 1} = {op.name}({', '.join(arguments)})")
        lines.append(f"  return ({', '.join(name(s) for s in self._outputs[1])})")
        return "\n".join(lines)

    code = graph

    def save(self, path):
        save(self, path)


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True, _force_outplace=False, _module_class=None, example_kwarg_inputs=None):
    """Run ``func`` (an ``nn.Module`` or a function of tensors) on ``example_inputs`` (a tensor or a tuple of
    them; or ``example_kwarg_inputs``, a dict of keyword inputs) and return the recorded program as a
    ``TracedModule``; see the module docstring."""
    names = None
    if example_inputs is None and isinstance(example_kwarg_inputs, dict):
        names = list(example_kwarg_inputs)
        example_inputs = tuple(example_kwarg_inputs.values())
    inputs = example_inputs if isinstance(example_inputs, tuple) else (example_inputs,)
    if not all(isinstance(t, Tensor) for t in inputs):
        raise TypeError("trace: example_inputs must be a tensor or a tuple of tensors, got "
                        f"{type(example_inputs).__name__}")
    call = func if names is None else (lambda *values: func(**dict(zip(names, values))))
    owner = func if isinstance(func, Module) else None
    named_state = [] if owner is None else list(owner.named_parameters(remove_duplicate=False)) + \
        list(owner.named_buffers(remove_duplicate=False))
    # the same tensor given twice is two inputs of the program: each its own tensor object, one source each
    seen = set()
    traced_inputs = []
    for t in inputs:
        traced_inputs.append(t if id(t) not in seen else Tensor._make(t._data, t._node, t._out_index,
                                                                       t._requires_grad))
        seen.add(id(t))
    shapes = [list(t.shape) for t in inputs]  # (before the function may change an input in place)
    tracer = _Tracer(traced_inputs, named_state)
    tracer.attach()
    try:
        result = call(*traced_inputs)
    finally:
        tracer.detach()
    tracer.check_unwritten()
    outputs = []
    structure = _flatten(result, outputs)
    traced = TracedModule(tracer.steps, shapes, (structure, [tracer.source(t) for t in outputs]),
                          tracer.constants, owner, list(tracer.state_writes.items()), names)
    random = tracer.random_steps()
    if check_trace and not random:
        traced._free_batch = _batch_is_free(traced, call, inputs, check_tolerance)
    if check_trace and random:  # the replay draws other numbers than the eager run: nothing to compare, as in PyTorch
        warnings.warn(f"Trace had nondeterministic nodes ({', '.join(sorted(set(random)))}): did you forget to call "
                      f".eval() on your model? The outputs were not checked.", TracerWarning, stacklevel=2)
    elif check_trace:
        for check in [inputs] + [c if isinstance(c, tuple) else (c,) for c in (check_inputs or [])]:
            _check(traced, call, check, check_tolerance)
    return traced


def trace_module(mod, inputs, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
                 strict=True, _force_outplace=False, _module_class=None, example_inputs_is_kwarg=False):
    """``trace`` of a module's methods given as ``{"forward": example_inputs}``: minidl traces ``forward``."""
    if not isinstance(inputs, dict) or set(inputs) != {"forward"}:
        raise NotImplementedError(f"trace_module: minidl traces a module's forward only: give inputs as "
                                  f"{{'forward': example_inputs}}, got {inputs!r}")
    if example_inputs_is_kwarg:
        return trace(mod, None, check_trace=check_trace, check_tolerance=check_tolerance,
                     example_kwarg_inputs=inputs["forward"])
    return trace(mod, inputs["forward"], check_trace=check_trace, check_inputs=check_inputs,
                 check_tolerance=check_tolerance)


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """``torch.jit.freeze`` of a traced module in eval mode: the same program (PyTorch folds the parameters into
    constants to optimize it; minidl's replay reads them as it goes, with the same results)."""
    if not isinstance(mod, TracedModule):
        raise RuntimeError(f"Freezing expects a traced module (torch.jit.trace), got {type(mod).__name__}")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. Please call .eval() "
                           "on your module before freezing.")
    return mod


def _check(traced, func, inputs, tolerance):
    """Refuse a trace whose replay differs from ``func`` on ``inputs``."""
    differs = _first_difference(traced, func, inputs, tolerance)
    if differs is not None:
        raise TracingCheckError(f"trace: output {differs} of the traced program differs from the eager one on the "
                                f"same inputs: the function probably takes a Python branch, a Python number or a "
                                f"shape from its inputs, which a trace freezes (see minidl/eager/jit.py)")


def _first_difference(traced, func, inputs, tolerance):
    """The index of the first output on which the replay and ``func`` disagree on ``inputs``, or None (each run on
    a copy of them: the function may change them in place)."""
    expected, got = [], []
    with no_grad():
        copies = [[t.clone() for t in inputs] for _ in range(2)]
    _flatten(func(*copies[0]), expected)
    _flatten(traced(*copies[1]), got)
    for i, (a, b) in enumerate(zip(expected, got)):
        a, b = a.detach().cpu().numpy(), b.detach().cpu().numpy()
        if a.shape != b.shape or not numpy.allclose(a, b, rtol=tolerance, atol=tolerance, equal_nan=True):
            return i
    return None


def _batch_is_free(traced, func, inputs, tolerance):
    """Whether the program also holds for another batch size: replayed on the inputs grown by one entry along
    their first dim (a copy of their first), it must agree with ``func``. A program that took the batch size as a
    number (``view(x.size(0), -1)``, a zero state made for it) fails or disagrees there: its inputs keep their
    shapes."""
    if not inputs or any(t.ndim == 0 for t in inputs) or len({t.shape[0] for t in inputs}) != 1:
        return False
    with no_grad():
        grown = [ops.cat([t, t[:1]]) for t in inputs]
    traced._free_batch = True
    try:
        return _first_difference(traced, func, grown, tolerance) is None
    except Exception:  # an op refused the other shape: the trace depends on it
        return False
    finally:
        traced._free_batch = False


ScriptModule = TracedModule  # what PyTorch calls the type of a traced module


def is_tracing():
    """Whether a trace is recording the ops now (code may skip what a trace cannot replay)."""
    return isinstance(GradMode.observer, _Tracer)


def is_scripting():
    """Always False: minidl does not compile Python source (see ``script``)."""
    return False


def ignore(fn=None, **kwargs):
    """``@torch.jit.ignore`` (also ``unused``, ``export``): marks for the script compiler, which minidl does not
    have; the function is returned as it is."""
    return fn if fn is not None else (lambda f: f)


unused = export = ignore


def annotate(the_type, the_value):
    """A type annotation for the script compiler: the value itself."""
    return the_value


#: ``x: torch.jit.Final[int]`` marks a module's constant for the script compiler: here typing's own Final
Final = typing.Final


def script(obj, *args, **kwargs):
    raise NotImplementedError("torch.jit.script compiles a module's Python source; minidl cannot. Use "
                              "torch.jit.trace(model, example_inputs), which records the ops one call runs")


# ------------------------------------------------------------------------------------------- saving

def save(traced, f):
    """Write a ``TracedModule`` to ``f`` (a path or a binary file object): its ops by class name, their
    attributes, and its parameters (a tied one once, with its other names), buffers (with their persistence) and
    constants as arrays."""
    if not isinstance(traced, TracedModule):
        raise TypeError(f"jit.save: expected a traced module (torch.jit.trace), got {type(traced).__name__}")
    arrays, parameters, buffers, first_name = {}, [], [], {}
    for prefix, module in traced.named_modules(remove_duplicate=False):
        dotted = prefix + "." if prefix else ""
        for name, p in module._parameters.items():
            if p is not None:
                entry = {"name": dotted + name, "requires_grad": p.requires_grad}
                if id(p) in first_name:
                    entry["same_as"] = first_name[id(p)]
                else:
                    first_name[id(p)] = entry["name"]
                    arrays[f"parameter/{entry['name']}"] = to_device(p.detach()._data, parse_device("cpu"))
                parameters.append(entry)
        for name, b in module._buffers.items():
            if b is not None:
                buffers.append({"name": dotted + name, "persistent": name not in module._non_persistent_buffers})
                arrays[f"buffer/{dotted + name}"] = to_device(b._data, parse_device("cpu"))
    for i, constant in enumerate(traced._constants):
        arrays[f"constant/{i}"] = to_device(constant._data, parse_device("cpu"))
    steps = [{"op": _op_key(op), "sources": [_encode_source(s, arrays) for s in sources],
              "attrs": {k: attribute_codec.encode(v, arrays, where=f"jit.save: attribute '{k}' of {op.name}")
                        for k, v in attrs.items()}}
             for op, sources, attrs in traced._steps]
    structure, sources = traced._outputs
    metadata = {"kind": _KIND, "version": _VERSION, "input_shapes": traced._input_shapes,
                "free_batch": traced._free_batch,
                "input_names": traced._input_names, "steps": steps,
                "outputs": [structure, [_encode_source(s, arrays) for s in sources]], "parameters": parameters,
                "buffers": buffers, "constants": len(traced._constants),
                "state_writes": [[list(target), _encode_source(s, arrays)] for target, s in traced._state_writes]}
    write_arrays(f, arrays, metadata)


def load(f, map_location=None, _extra_files=None):
    """Rebuild a program ``save`` wrote, its parameters and buffers under their names (in plain modules)."""
    arrays, metadata = read_arrays(f)
    check_kind(metadata, _KIND, _VERSION, f"jit.load: {f}", "traced module")
    try:
        return _rebuilt(metadata, arrays, None if map_location is None else parse_device(map_location), f)
    except (KeyError, IndexError, TypeError, AttributeError) as error:  # (a crafted file)
        raise ArrayFileError(f"jit.load: {f}: damaged program ({type(error).__name__}: {error})") from error


def _rebuilt(metadata, arrays, device, f):
    """The TracedModule that ``metadata`` describes, its tensors from ``arrays`` (moved to ``device``)."""
    def tensor(key):
        t = Tensor._make(arrays[key])
        return t if device is None else t.to(device)
    classes = op_classes()
    steps = []
    for step in metadata["steps"]:
        op = op_class(classes, step["op"])
        if op is None:
            raise ValueError(f"jit.load: {f} names op {step['op']!r}, which is not one of minidl's ops")
        steps.append((op, [_decode_source(s, arrays) for s in step["sources"]],
                      {k: attribute_codec.decode(v, arrays) for k, v in step["attrs"].items()}))
    holder, by_name = Module(), {}
    for entry in metadata["parameters"]:
        name = entry["name"]
        p = by_name[entry["same_as"]] if "same_as" in entry else \
            Parameter(tensor(f"parameter/{name}"), requires_grad=entry["requires_grad"])
        by_name[name] = p
        _owner(holder, name).register_parameter(name.rpartition(".")[2], p)
    for entry in metadata["buffers"]:
        name = entry["name"]
        _owner(holder, name).register_buffer(name.rpartition(".")[2], tensor(f"buffer/{name}"), entry["persistent"])
    constants = [tensor(f"constant/{i}") for i in range(metadata["constants"])]
    structure, sources = metadata["outputs"]
    writes = [(tuple(target), _decode_source(s, arrays)) for target, s in metadata["state_writes"]]
    loaded = TracedModule(steps, metadata["input_shapes"], (structure, [_decode_source(s, arrays) for s in sources]),
                          constants, holder, writes, metadata["input_names"])
    loaded._free_batch = bool(metadata["free_batch"])
    return loaded


def _owner(root, dotted_name):
    """The module that holds ``dotted_name`` ("fc1.weight": child "fc1"), made as a plain Module if missing."""
    module = root
    for part in dotted_name.split(".")[:-1]:
        child = module._modules.get(part)
        if child is None:
            child = Module()
            module.add_module(part, child)
        module = child
    return module


def _encode_source(source, arrays):
    if source[0] == "literal":
        return ["literal", attribute_codec.encode(source[1], arrays, where="jit.save: an op argument")]
    return list(source)


def _decode_source(source, arrays):
    if source[0] == "literal":
        return ("literal", attribute_codec.decode(source[1], arrays))
    return tuple(source)


def _op_key(op):
    key = op_class_key(op)
    if op_class(op_classes(), key) is not op:
        raise attribute_codec.NotEncodable(f"jit.save: op {op.name} ({key}) is not a class minidl defines once, "
                                           f"so a file cannot name it")
    return key
