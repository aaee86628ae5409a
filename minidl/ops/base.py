"""What an op is, and how a call reaches the front-end that owns its tensors.

An ``Op`` is a stateless class:

* ``forward(xp, *arrays, **attrs)`` computes on numpy/cupy arrays (``xp`` is the array module). It is pure:
  nothing it computes is kept on the op, because in graph mode the backward graph is built before any forward
  has run.
* ``vjp(ctx, *grads)`` returns one gradient per input (``None`` where there is none). It is written with
  ``minidl.ops`` calls only, so it runs on eager tensors (computing numbers, or recording them for higher-order
  gradients) and on symbolic graph tensors (adding nodes to the graph) alike. ``ctx`` offers ``ctx.inputs``,
  ``ctx.outputs``, ``ctx.attrs`` and ``ctx.needs_input_grad``.
* ``infer(*specs, **attrs)`` gives the output ``Spec`` (shape, dtype) from input specs without computing
  anything; graph mode uses it for static shapes. A dimension may be ``None`` (unknown until run time).

Calling an op: ``apply(OpClass, *args, **attrs)`` finds the front-end whose tensor type is among ``args`` and
lets it run or record the op. Front-ends register themselves with ``register_frontend``; this module knows
nothing about them, which keeps the layering: backend -> ops -> autodiff -> front-ends.
"""
import os
import sys
import warnings
from collections import namedtuple

Spec = namedtuple("Spec", "shape dtype")
Spec.__doc__ = "Static description of a value: ``shape`` (a tuple whose entries may be None) and ``dtype``."


class Op:
    """Base class of every op. Subclasses override ``forward``, ``vjp`` and ``infer``."""

    #: name shown in ``grad_fn`` (``MulBackward0``) and in graph node names
    name = None
    #: number of outputs of ``forward`` (a tuple is returned when this is not 1)
    n_outputs = 1
    #: for a multi-output op: True when its VJP takes None as the gradient of an output nobody used, and then
    #: leaves that output's term out (as PyTorch's do: eigh's eigenvector term divides by the gaps between
    #: eigenvalues, which repeated eigenvalues make 0). Otherwise the front-ends hand the VJP zeros there.
    accepts_missing_grads = False
    #: False for ops whose result is piecewise constant (comparisons, floor, argmax, ...)
    differentiable = True
    #: indices of the inputs whose *values* the VJP reads; inputs used only for their shape are left out, so an
    #: in-place change to them later is not an error
    saves_inputs = None  # None means "all inputs"; a description (str) where the positions vary per call and
    #                      the op overrides ``inputs_to_save``
    #: True when the VJP reads ``ctx.outputs`` (exp, sigmoid, softmax ...); for a multi-output op, the indices of
    #: the outputs it reads (max pooling reads only its indices, so its values may then be changed in place)
    saves_outputs = False
    #: indices of the inputs that can receive a gradient (None: all); others (indices, shape donors) never do
    differentiable_inputs = None
    #: for an op that keeps values of its own for its VJP (a user's eager ``autograd.Function``: in its ctx),
    #: ``release_saved(attrs)`` frees them after a backward pass and says whether there were any
    release_saved = None
    #: for an op that PyTorch names by its arguments: ``grad_fn_variant(attrs)`` gives the node's name
    #: (``x[0]`` is ``SelectBackward0``, ``x[0:2]`` ``SliceBackward0``: one op here)
    grad_fn_variant = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:  # each op class is named after itself unless it says otherwise
            cls.name = cls.__name__

    @classmethod
    def with_outputs(cls, n):
        """This op with ``n`` outputs, for an op whose number of outputs depends on its arguments (unbind, split):
        the number is a class attribute, so each count gets a subclass, made once and named ``Name[n]`` (the name
        a meta graph file records)."""
        made = _with_outputs.get((cls, n))
        if made is None:
            made = _with_outputs[(cls, n)] = type(cls.__name__, (cls,), {
                "n_outputs": n, "name": cls.name, "__qualname__": f"{cls.__qualname__}[{n}]",
                "__module__": cls.__module__})
        return made

    @classmethod
    def inputs_to_save(cls, needs_input_grad):
        """Indices of the inputs whose values the VJP reads, given which inputs need a gradient.

        Used to decide which in-place changes must be reported; ops whose needs depend on it override this
        (``x * 3`` never reads ``x`` back, so ``x.mul_(3)`` later is fine).
        """
        return range(len(needs_input_grad)) if cls.saves_inputs is None else cls.saves_inputs

    @staticmethod
    def forward(xp, *arrays, **attrs):
        raise NotImplementedError

    @staticmethod
    def vjp(ctx, *grads):
        raise NotImplementedError

    @staticmethod
    def infer(*specs, **attrs):
        raise NotImplementedError


_with_outputs = {}  # (op class, number of outputs) -> its subclass (``Op.with_outputs``)


# ---------------------------------------------------------------------------------------------- dispatch

_frontends = {}  # tensor class -> function(op, args, attrs) that runs or records the op
_converters = {}  # apply function -> function(value, operands) making that front-end's tensor of an array or list
_recorders = {}  # apply function -> function() saying whether ops applied now are recorded for differentiation


def register_frontend(tensor_class, apply_fn, convert=None, records=None):
    """Route ops whose arguments include a ``tensor_class`` instance to ``apply_fn(op, args, attrs)``.

    ``convert(value, operands)``, if given, turns an array or list met among the ``operands`` of an op, beside such
    a tensor (``t + np.ones(3)``), into one (or returns None to refuse it). ``records()``, if given, says whether
    the ops applied now are recorded to be differentiated (without it: always, as graph mode's are).
    """
    _frontends[tensor_class] = apply_fn
    if convert is not None:
        _converters[apply_fn] = convert
    if records is not None:
        _recorders[apply_fn] = records


def records_gradients(tensor):
    """Whether ops applied now to ``tensor``'s front-end are recorded to be differentiated: in eager mode, under
    grad mode (inside a backward, only with ``create_graph=True``); in graph mode, always. A VJP with a fast path
    that computes numbers only (``lstm_sequence.py``) asks this before taking it."""
    records = _recorders.get(frontend_of((tensor,)))
    return True if records is None else records()


def frontend_of(args):
    """The apply function of the first tensor among ``args``; subclasses (nn.Parameter) are found by MRO."""
    for a in args:
        fn = _frontends.get(a.__class__)
        if fn is not None:
            return fn
    for a in args:
        for cls in type(a).__mro__[1:]:
            fn = _frontends.get(cls)
            if fn is not None:
                _frontends[type(a)] = fn  # remember the subclass for next time
                return fn
    return None


def apply(op, *args, **attrs):
    """Run ``op`` on ``args`` through the front-end that owns them."""
    fn = _frontends.get(args[0].__class__) if args else None  # the usual case, without a function call
    if fn is None:
        fn = frontend_of(args)
    if fn is None:
        raise TypeError(f"{op.name}: expected at least one minidl tensor among the arguments, got "
                        f"{', '.join(type(a).__name__ for a in args)}")
    return fn(op, args, attrs)


def is_tensor(value):
    """True for a tensor of any registered front-end (eager or graph)."""
    return value.__class__ in _frontends or frontend_of((value,)) is not None


# ------------------------------------------------------------------------------------------ errors

class OpError(ValueError, RuntimeError):
    """Bad arguments to an op. The message names the op and the shapes/dtypes involved.

    Both a ValueError, what TensorFlow raises for bad shapes while a graph is built, and a RuntimeError, what
    PyTorch raises for them: a program written for either catches it where it expects to."""


class UnknownRankError(OpError):
    """An op needs the rank of an input that is known only when a graph runs (a graph placeholder made without a
    shape). Graph mode catches it and builds the call when the graph runs instead (graph/run_time_rank.py)."""


class LinAlgError(OpError):
    """A matrix routine failed on the values it was given: a Cholesky factorization of a matrix that is not
    positive-definite, a solve or an inverse of a singular one. PyTorch's ``torch.linalg.LinAlgError`` (a
    RuntimeError, as every OpError is), so ``except torch.linalg.LinAlgError`` — the jitter-and-retry of a
    Cholesky factorization — works unchanged; ``except OpError`` catches it too."""


class DimensionError(OpError, IndexError):
    """A dim out of range for a tensor's rank: also an IndexError, what PyTorch raises for it."""


class IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """An integer divided by 0 has no integer answer: PyTorch raises a RuntimeError saying ZeroDivisionError."""


def refuse_integer_division_by_zero(op_name, a, b):
    """Raise ``IntegerDivisionByZero`` when integer ``a`` would be divided by a 0 in ``b`` (numpy gives 0). An
    empty result divides nothing: ``zeros(0, 3) // tensor([1, 0, 2])`` is fine, as in PyTorch. (The result is
    empty when either operand is, a size 0 broadcasting only against 0 or 1; else it uses every entry of b.)"""
    if a.dtype.kind not in "iu" or 0 in getattr(a, "shape", ()) or 0 in getattr(b, "shape", ()):
        return
    is_zero = b == 0  # an array, or a numpy bool where b is a number beside GPU arrays (xp.any refuses those)
    if bool(is_zero.any() if hasattr(is_zero, "any") else is_zero):
        raise IntegerDivisionByZero(f"{op_name}: integer division by zero: ZeroDivisionError (dividend "
                                    f"{describe(a)}, divisor {describe(b)})")


class DtypeError(TypeError, RuntimeError):
    """Operands of dtypes an op does not take together. A TypeError, as TensorFlow raises for them, and a
    RuntimeError, as PyTorch raises for them."""


def describe(value):
    """A short description of an argument for error messages: ``float32[2, 3]`` or ``2.5``."""
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is None or dtype is None:
        return repr(value)
    dims = ", ".join("?" if d is None else str(d) for d in shape)
    return f"{getattr(dtype, 'name', dtype)}[{dims}]"  # by name: str(tf.float32) is TF's "<dtype: 'float32'>"


# ------------------------------------------------------------------------------------------ warnings

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # .../minidl/


def warn(message, category=UserWarning):
    """``warnings.warn`` pointing at the user's line: the first caller outside the minidl package, however many of
    minidl's own calls (a tensor method, a front-end's wrapper, a layer) lie between it and the op."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
