"""The declarative op table: one ``OpSpec`` per op (or per way of calling one), and input strategies.

Each spec says how to make inputs (a hypothesis strategy giving a tuple of float64 numpy arrays), how to call the
op on tensors, a numpy reference, and which checks apply. ``tests/test_op_table.py`` runs every check for every
spec, in every mode and on every available device.
"""
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@dataclass
class OpSpec:
    name: str
    #: ``fn(*tensors) -> tensor or tuple of tensors``; written with ``minidl.ops`` (works in every mode)
    fn: callable
    #: ``reference(*numpy_arrays) -> array or tuple``; the same computation in plain numpy
    reference: callable
    #: strategy producing a tuple of float64 numpy arrays (the op's inputs)
    inputs: st.SearchStrategy
    #: which inputs are differentiated (indices); () for ops without gradients
    grad_inputs: tuple = (0,)
    #: check second-order gradients too (ops that are twice differentiable)
    second_order: bool = True
    #: dtype the inputs are cast to for the forward check (grad checks always use float64)
    dtype: str = "float32"
    #: tolerances for the forward check
    rtol: float = 1e-5
    atol: float = 1e-6
    #: inputs kept as given (indices): integer index arrays, boolean masks
    raw_inputs: tuple = ()
    notes: str = ""
    #: which outputs of a multi-output op to compare / differentiate (None: all)
    outputs: tuple = None
    tags: set = field(default_factory=set)
    #: the same call written for PyTorch, where ``fn(torch, ...)`` would not work (None: use ``fn``)
    torch_fn: callable = None

    def __repr__(self):
        return self.name


# --------------------------------------------------------------------------------------------- strategies

def shapes(min_dims=0, max_dims=3, min_side=0, max_side=4):
    """Shapes including size-0 and size-1 dimensions."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def nonempty_shapes(min_dims=0, max_dims=3, max_side=4):
    return shapes(min_dims, max_dims, 1, max_side)


def floats_array(shape, low=-3.0, high=3.0, avoid=(), margin=0.05):
    """A float64 array of ``shape`` with values in [low, high], kept ``margin`` away from each point in ``avoid``
    (kinks such as 0 for relu/abs, where a finite difference would straddle the kink)."""
    def fix(a):
        for kink in avoid:
            close = np.abs(a - kink) < margin
            a = np.where(close, kink + np.where(a >= kink, margin, -margin) * 2, a)
        return a
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)
    return hnp.arrays(np.float64, shape, elements=elements).map(fix)


def unary(shape_strategy=None, **kw):
    """One float array input."""
    shape_strategy = shapes() if shape_strategy is None else shape_strategy
    return shape_strategy.flatmap(lambda s: st.tuples(floats_array(s, **kw)))


def broadcastable(n=2, shape_strategy=None, **kw):
    """``n`` float arrays whose shapes broadcast together (including added leading dims and size-1 dims)."""
    def arrays(shapes_):
        return st.tuples(*(floats_array(s, **kw) for s in shapes_))
    base = shapes(max_dims=3) if shape_strategy is None else shape_strategy
    return base.flatmap(lambda s: hnp.mutually_broadcastable_shapes(num_shapes=n, base_shape=s, max_dims=3, min_side=0)
                        .flatmap(lambda bs: arrays(bs.input_shapes)))


def fixed(*arrays):
    """Exactly these input arrays (for hand-picked cases)."""
    return st.just(tuple(np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a)
                         for a in arrays))
