"""numpy's ``ufunc.at`` and ``ufunc.accumulate`` on any backend: on cupy as parallel scans.

``accumulate`` is the running combination ``y[i] = x[0] ∘ x[1] ∘ ... ∘ x[i]``, and ``at`` the same run over the
values sent to one position. cupy has no ``accumulate`` for maximum or minimum, no ``multiply.at``, and its
``maximum.at``/``minimum.at`` are not numpy's: for float64 they round through float32, and they skip a NaN
(cupy 14.2's atomic max and min of a double call ``fmaxf``/``fminf``). Only ``add.at`` is exact there, and only
for the dtypes the GPU adds atomically (``add_at`` takes the others through one of those).

numpy walks the elements one after another. On a GPU the doubling scan (Hillis & Steele, 1986) does it in
⌈log2 n⌉ steps, each one elementwise op over all positions at once: after the step with shift ``s``, element i holds
the combination of elements ``i-2s+1 .. i``. It needs an associative ∘, which maximum, minimum and multiply are
(floating-point products are combined in another order than numpy's, so they may differ in the last bits).
"""
import numpy

__all__ = ["accumulate", "add_at", "doubling_scan", "ufunc_at"]

#: the dtypes cupy's ``add.at`` adds (an atomic add on the GPU)
CUPY_ADDS = frozenset(map(numpy.dtype, ("int32", "uint32", "uint64", "float16", "float32", "float64")))


def accumulate(xp, ufunc, x, axis):
    """``ufunc.accumulate(x, axis=axis)``; by the doubling scan on a backend other than numpy."""
    if xp is numpy:
        return ufunc.accumulate(x, axis=axis)
    return xp.moveaxis(doubling_scan(xp, ufunc, xp.moveaxis(x, axis, 0)), 0, axis)


def ufunc_at(xp, ufunc, out, index, values):
    """``ufunc.at(out, index, values)``: ``out[index] = ufunc(out[index], values)`` in place, a position named more
    than once taking every value sent to it. Other than numpy's and cupy's ``add.at``: the values are sorted by the
    position they go to, each position's run is combined by a segmented doubling scan, and the last element of
    each run, its total, is combined into ``out``."""
    if xp is numpy:
        ufunc.at(out, index, values)
        return
    if ufunc is xp.add:
        add_at(xp, out, index, values)
        return
    targets = xp.arange(out.size).reshape(out.shape)[index]  # the flat position each value goes to
    values = xp.broadcast_to(xp.asarray(values, dtype=out.dtype), targets.shape).ravel()
    targets = targets.ravel()
    if targets.size == 0:
        return
    order = xp.argsort(targets)
    targets, values = targets[order], values[order]
    totals = doubling_scan(xp, ufunc, values, segments=targets)
    run_ends = xp.ones(targets.size, dtype=bool)
    run_ends[:-1] = targets[1:] != targets[:-1]
    where = xp.unravel_index(targets[run_ends], out.shape)
    out[where] = ufunc(out[where], totals[run_ends])


def add_at(xp, out, index, values):
    """``numpy.add.at(out, index, values)`` (a position named twice gets both values) on any backend. cupy adds
    atomically only in ``CUPY_ADDS``: int64 is added as uint64 (the same bits: two's complement wraps alike), the
    smaller integers and bool in int32, complex numbers as their real and imaginary parts."""
    if xp is numpy or out.dtype in CUPY_ADDS:
        xp.add.at(out, index, values)
        return
    values = xp.asarray(values)
    if out.dtype == numpy.int64:
        xp.add.at(out.view(numpy.uint64), index, values.astype(numpy.int64).view(numpy.uint64))
    elif out.dtype.kind == "c":
        real, imag = out.real.copy(), out.imag.copy()
        add_at(xp, real, index, values.real)
        add_at(xp, imag, index, values.imag)
        out[...] = real + imag * 1j
    else:
        wide = out.astype(numpy.int32)
        xp.add.at(wide, index, values.astype(numpy.int32))
        out[...] = wide.astype(out.dtype)


def doubling_scan(xp, ufunc, values, segments=None):
    """The inclusive scan of ``values`` along axis 0 by the associative ``ufunc``. With ``segments`` (sorted, one
    per element), a scan of each run of equal segments on its own: an element takes in the one ``shift`` before it
    only when both lie in one run (sorted, so then so does everything between them)."""
    scan = values.copy()
    shift = 1
    while shift < scan.shape[0]:
        combined = ufunc(scan[:-shift], scan[shift:])  # a new array: every element reads the previous step's scan
        if segments is not None:
            combined = xp.where(segments[shift:] == segments[:-shift], combined, scan[shift:])
        scan[shift:] = combined
        shift *= 2
    return scan

