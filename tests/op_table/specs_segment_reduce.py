"""Op table entries for ``segment_reduce`` (segment_reduce.py): each reduction over 1-D lengths along axis 0, and
N-D lengths and offsets along a later axis. The lengths or offsets are a raw input, cut at drawn points (so
segments may be empty; offsets may leave rows out at either end). The values of "max"/"min" inputs are distinct
(at a tie the gradient is shared, which central differences cannot see) and those of "prod" stay away from 0 (its
gradient divides the result by a value). "mean" gets an ``initial``: an empty segment's NaN would spoil the
gradient checks."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, floats_array

_REDUCE = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min}
_EMPTY = {"sum": 0.0, "prod": 1.0, "max": -np.inf, "min": np.inf, "mean": np.nan}


def np_segment_reduce(data, bounds, reduce, axis, initial=None, offsets=False):
    """The definition, one segment at a time: ``initial`` and the segment's rows, reduced."""
    k = bounds.shape[-1] - 1 if offsets else bounds.shape[-1]
    out = np.empty(data.shape[:axis] + (k,) + data.shape[axis + 1:], data.dtype)
    for lead in np.ndindex(*data.shape[:axis]):
        edges = bounds[lead] if offsets else np.concatenate([[0], np.cumsum(bounds[lead])])
        for i in range(k):
            rows = data[lead][edges[i]:edges[i + 1]]
            if len(rows) == 0:
                out[lead][i] = _EMPTY[reduce] if initial is None else initial
            elif reduce == "mean":
                out[lead][i] = ((0 if initial is None else initial) + rows.sum(axis=0)) / len(rows)
            else:
                start = [] if initial is None else [np.full(rows.shape[1:], initial, data.dtype)]
                out[lead][i] = _REDUCE[reduce](np.stack(start + list(rows)), axis=0)
    return out


def _values(reduce, shape):
    if reduce in ("max", "min"):  # distinct multiples of 0.1
        n = int(np.prod(shape))
        return st.permutations(range(n)).map(lambda p: (np.array(p, np.float64).reshape(shape) - n / 2) / 10)
    if reduce == "prod":
        return floats_array(shape).map(lambda a: np.where(np.abs(a) < 0.2, 0.5, a))
    return floats_array(shape)


def segmented(reduce, lead_dims=0, offsets=False):
    """``(data, lengths or offsets)``: data [*lead, n, *inner], each position of ``lead`` cut into as many
    segments as the others, at its own drawn points."""
    @st.composite
    def draw(draw_):
        lead = tuple(draw_(st.lists(st.integers(1, 3), min_size=lead_dims, max_size=lead_dims)))
        n = draw_(st.integers(0, 5))
        inner = tuple(draw_(st.lists(st.integers(1, 3), max_size=1)))
        cuts = draw_(hnp.arrays(np.int64, lead + (draw_(st.integers(0, 3)),), elements=st.integers(0, n)))
        cuts.sort(axis=-1)
        if offsets:
            bounds = np.concatenate([cuts, np.full(lead + (1,), n)], axis=-1) if cuts.shape[-1] == 0 else cuts
        else:
            edges = np.concatenate([np.zeros(lead + (1,), np.int64), cuts, np.full(lead + (1,), n)], axis=-1)
            bounds = np.diff(edges, axis=-1)
        return draw_(_values(reduce, lead + (n,) + inner)), bounds
    return draw()


def _spec(reduce, lead_dims=0, offsets=False, initial=None):
    kind = "offsets" if offsets else "lengths"
    name = f"segment_reduce_{reduce}" + (f"_{kind}_axis{lead_dims}" if lead_dims or offsets else "")

    def call(m, x, bounds):
        return m.segment_reduce(x, reduce, **{kind: bounds}, axis=lead_dims, initial=initial)
    return OpSpec(name, call, lambda a, b: np_segment_reduce(a, b, reduce, lead_dims, initial, offsets),
                  segmented(reduce, lead_dims, offsets), raw_inputs=(1,))


SPECS = [
    _spec("sum"),
    _spec("mean", initial=0.5),
    _spec("prod"),
    _spec("max", initial=-0.33),
    _spec("min", initial=0.33),
    _spec("sum", lead_dims=1, offsets=True),
    _spec("prod", lead_dims=2, offsets=True, initial=-1.5),
    _spec("max", lead_dims=1, initial=-4.33),
]
