"""Op table entries for counting and moments (statistics.py): count_nonzero, bincount, var_mean, std_mean."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, unary
from .specs_reduce import at_least, distinct


def _small_counts(with_weights):
    """A 1-d int64 tensor of values 0..5 (and, optionally, one float weight per entry)."""
    def build(n):
        values = hnp.arrays(np.int64, (n,), elements=st.integers(0, 5))
        if not with_weights:
            return st.tuples(values)
        return st.tuples(values, hnp.arrays(np.float64, (n,), elements=st.floats(-2, 2)))
    return st.integers(0, 6).flatmap(build)


SPECS = [
    OpSpec("count_nonzero_dims", lambda m, x: m.count_nonzero(x, (0, -1)),
           lambda a: np.count_nonzero(a, axis=(0, -1)), unary(at_least(2)).map(lambda t: (np.round(t[0]),)),
           grad_inputs=()),
    OpSpec("bincount", lambda m, x: m.bincount(x, minlength=3), lambda a: np.bincount(a, minlength=3),
           _small_counts(False), raw_inputs=(0,), grad_inputs=()),
    OpSpec("bincount_weights", lambda m, x, w: m.bincount(x, w), lambda a, w: np.bincount(a, w).astype(w.dtype),
           _small_counts(True), raw_inputs=(0,), grad_inputs=(), notes="float32 weights give float32 sums"),
    OpSpec("var_mean", lambda m, x: m.var_mean(x, -1), lambda a: (np.var(a, axis=-1, ddof=1), np.mean(a, axis=-1)),
           unary(at_least(1, min_side=2))),
    OpSpec("std_mean_keepdim", lambda m, x: m.std_mean(x, 0, keepdim=True, correction=0),
           lambda a: (np.std(a, axis=0, keepdims=True), np.mean(a, axis=0, keepdims=True)),
           distinct(at_least(1, min_side=2)), notes="distinct values: std has no derivative where it is 0"),
]
