"""The workloads: one module each, with its minidl, numpy and PyTorch versions side by side.

Every workload module provides

* ``KEY`` (a short identifier for JSON), ``TITLE`` (the table row), ``UNIT`` and ``PER_STEP``: one timed
  ``step()`` is divided by ``PER_STEP`` and multiplied by ``UNIT_SCALE`` to give the number in the table
  (e.g. the op chain's step runs 1000 ops and is reported in µs per op);
* ``make_minidl()``, ``make_numpy()``, ``make_torch(torch)``: each builds its data once and returns a
  ``Contestant`` — the ``step`` we time and a ``result`` that reads back what one step computed, so that
  ``check_agreement`` can verify that all contestants compute the same thing before anybody is timed;
* ``TARGET`` (words) and ``target_met(times)`` (``times``: contestant name -> value in ``UNIT``).
"""
from dataclasses import dataclass
from typing import Callable

import numpy

from . import mlp, op_chain

WORKLOADS = [op_chain, mlp]


@dataclass
class Contestant:
    step: Callable[[], None]        # one timed unit of work
    result: Callable[[], dict]      # name -> numpy array, the values the last step() produced


def relative_error(actual, expected):
    """‖actual − expected‖ / ‖expected‖ (0 when both are zero): one number that ignores summation order noise."""
    actual, expected = numpy.asarray(actual, numpy.float64), numpy.asarray(expected, numpy.float64)
    scale = numpy.linalg.norm(expected)
    error = numpy.linalg.norm(actual - expected)
    return error / scale if scale > 0 else error


def check_agreement(results, reference="numpy", tolerance=1e-3):
    """Compare each contestant's ``result()`` with the reference's; return a list of readable mismatches."""
    problems = []
    expected = results[reference]
    for name, values in results.items():
        if name == reference:
            continue
        for key, want in expected.items():
            error = relative_error(values[key], want)
            if not error <= tolerance:  # also catches NaN
                problems.append(f"{name} disagrees with {reference} on {key}: relative error {error:.2e}")
    return problems
