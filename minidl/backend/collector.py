"""Collect reference cycles less often: a setting of Python's cycle collector that eager training loops want.

Most objects die when their reference count drops to zero; the *cycle collector* (``gc``) exists for the few that
refer to each other in a loop. It tracks every container object, sorted into three generations. A collection of
the youngest one starts whenever the container objects made since the last one, minus those freed, exceed
``threshold0`` (700 by default); the objects it finds alive move up a generation, and once enough have reached the
oldest one (a quarter of what was there), a *full* collection visits every container object in the process.

An eager forward pass leaves about six container objects alive per recorded op — its tape node, its output
tensor, the tuples that name its inputs — until ``backward()`` frees them all. With the default threshold, a
forward of 1000 ops runs the young collection eight times: the tape is visited, moved up, visited again, and
counted towards full collections, each of which visits the whole program (every module, function and class
loaded: tens of thousands of objects). All that work is wasted — the tape dies at ``backward()`` by reference
counting, and holds no cycle. Measured on the benchmarks' op chain (1000 ops on 16 numbers, forward and
backward): 12.6 µs per op with the default threshold, 10.1 with ``threshold0`` = 20 000, 10.2 with the collector
off.

``collect_cycles_less_often()`` raises ``threshold0`` (only raises it: a program that set a higher one, or turned
the collector off, keeps its choice). A tape of a few thousand ops then lives and dies between two young
collections. Cycles are still collected, once 20 000 more containers than were freed have piled up — a few
megabytes of small objects — instead of 700. ``import minidl`` calls it unless
``MINIDL_COLLECT_CYCLES_LESS_OFTEN=0``.
"""
import gc

#: net new container objects between young collections: room for the tape of a forward pass of ~3000 ops
YOUNG_THRESHOLD = 20_000


def collect_cycles_less_often(young_threshold=YOUNG_THRESHOLD):
    """Raise the cycle collector's ``threshold0`` to ``young_threshold`` (see the module docstring). Returns
    whether anything changed: nothing does where it is already as high, or where collection is off (threshold 0,
    or ``gc.disable()``)."""
    if isinstance(young_threshold, bool) or not isinstance(young_threshold, int) or young_threshold < 1:
        raise ValueError(f"collect_cycles_less_often: young_threshold must be a positive number of objects, got "
                         f"{young_threshold!r}")
    current, *older = gc.get_threshold()
    if not gc.isenabled() or current == 0 or current >= young_threshold:
        return False
    gc.set_threshold(young_threshold, *older)
    return True


def collect_cycles_less_often_at_import(environ):
    """What ``import minidl`` does: ``collect_cycles_less_often()`` unless ``environ`` says
    ``MINIDL_COLLECT_CYCLES_LESS_OFTEN=0``. Returns whether the threshold changed."""
    if environ.get("MINIDL_COLLECT_CYCLES_LESS_OFTEN", "1") == "0":
        return False
    return collect_cycles_less_often()
