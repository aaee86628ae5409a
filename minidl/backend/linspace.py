"""``linspace``'s numbers as PyTorch computes them, bit for bit: eager ``torch.linspace`` and the base grid of
``affine_grid`` (whose points must fall on the same side of a pixel as PyTorch's) use them."""
import numpy

__all__ = ["linspace_values"]


def linspace_values(start, end, steps, dtype):
    """``linspace``'s values rounded exactly as PyTorch's CPU kernel rounds them, so that a point that should be 0
    lands where PyTorch's does (-2.98e-08 in ``linspace(-1, 1, 7)``: on the other side of relu's kink). The step
    is (end - start) / (steps - 1) in the dtype; the first half counts up from ``start`` (start + i·step), the
    second half down from ``end`` (end - (steps - 1 - i)·step), each with one rounding (a fused multiply-add,
    done here in long double). float16 rounds after every operation; an integer dtype truncates the ends first
    and the values last."""
    index = numpy.arange(steps)
    if steps == 1:
        return numpy.asarray([start]).astype(dtype)
    if dtype.kind in "iu":
        start, end = float(int(start)), float(int(end))
    compute = dtype.type if dtype.kind == "f" else numpy.float64
    first, last = compute(start), compute(end)
    step = (last - first) / compute(steps - 1)
    counts = numpy.where(index < steps // 2, index, steps - 1 - index)
    if dtype == numpy.float16:  # no fused multiply-add in half precision: the product is rounded on its own
        moved = (step * counts.astype(numpy.float16)).astype(numpy.float16)
        return numpy.where(index < steps // 2, first + moved, last - moved).astype(dtype)
    wide = numpy.longdouble
    moved = wide(step) * counts.astype(wide)
    values = numpy.where(index < steps // 2, wide(first) + moved, wide(last) - moved).astype(compute)
    return numpy.trunc(values).astype(dtype) if dtype.kind in "iu" else values
