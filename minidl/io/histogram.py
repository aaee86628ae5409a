"""TensorBoard histograms: TF's default bucket edges and the fields of a ``HistogramProto`` for a set of values.

Shared by graph mode's ``tf.summary.histogram`` and eager mode's ``SummaryWriter.add_histogram``.
"""
import sys

import numpy


def default_bucket_limits():
    """TF's histogram bucket edges: 0, and ±1e-12 * 1.1**k below 1e20 on either side (each bucket 10% wider than
    the previous, so the resolution is relative to a value's magnitude), then ±DBL_MAX. Computed by repeated
    multiplication, as TF does, so the edges are the same doubles."""
    positive, v = [], 1e-12
    while v < 1e20:
        positive.append(v)
        v *= 1.1
    positive.append(sys.float_info.max)
    return numpy.array([-x for x in reversed(positive)] + [0.0] + positive)


BUCKET_LIMITS = default_bucket_limits()


def histogram_fields(values):
    """The fields of a HistogramProto for ``values`` (finite float64): bucket ``i`` counts the values ``v`` with
    ``limit[i-1] <= v < limit[i]``. Runs of empty buckets are written as one empty bucket ending where the run
    ends, as TF does: TensorBoard takes each bucket's left edge from the previous limit, so dropping the empty
    buckets would widen the next one."""
    n = len(BUCKET_LIMITS)
    index = numpy.minimum(numpy.searchsorted(BUCKET_LIMITS, values, side="right"), n - 1)
    counts = numpy.bincount(index, minlength=n).astype(numpy.float64)
    occupied = counts > 0
    keep = occupied.copy()
    keep[:-1] |= occupied[1:]  # the last empty bucket before an occupied one
    keep[-1] = True            # ... and of the run at the end
    if values.size:
        low, high = values.min(), values.max()
    else:  # TF's empty histogram: min and max at their starting points
        low, high = sys.float_info.max, -sys.float_info.max
    return (low, high, float(values.size), values.sum(), (values * values).sum(), BUCKET_LIMITS[keep],
            counts[keep])


def histogram_fields_numpy(values, bins):
    """The fields of a HistogramProto with numpy's bins (``bins`` as ``numpy.histogram`` takes it: a count, edges,
    or a rule such as ``"auto"``): each bucket ends at its right edge."""
    counts, edges = numpy.histogram(values, bins=bins)
    return (values.min(), values.max(), float(values.size), values.sum(), (values * values).sum(), edges[1:],
            counts.astype(numpy.float64))
