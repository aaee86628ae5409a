"""The workloads: one module each, with all its contestants' versions side by side.

The contestants: ``eager`` (minidl's PyTorch-like mode), ``graph`` (minidl's TensorFlow-1-like mode), ``numpy``
(by hand: the floor), and ``torch`` / ``tf`` (PyTorch, TensorFlow's ``compat.v1``) when they are installed.

Every workload module provides

* ``KEY`` (a short identifier for JSON), ``TITLE`` (the table row), ``UNIT`` and ``PER_STEP``: one timed
  ``step()`` is divided by ``PER_STEP`` and multiplied by ``UNIT_SCALE`` to give the number in the table
  (e.g. the op chain's step runs 1000 ops and is reported in µs per op);
* ``make_<contestant>()`` for the contestants it has — ``make_eager(device)``, ``make_graph(device)``,
  ``make_numpy(xp)``, ``make_torch(torch, device)``, ``make_tf(tf, config)`` (``tf`` is
  ``tensorflow.compat.v1``, ``config`` a ``ConfigProto`` or None): each builds its data (and graph) once and
  returns a ``Contestant`` — the ``step`` we time and a ``result`` that reads back what one step computed, so
  that ``check_agreement`` can verify that all contestants compute the same thing before anybody is timed.
  ``device`` is "cpu" (the default) or "cuda"; ``xp`` is numpy (the default) or cupy, for the same hand-written
  step on the GPU;
* ``DEVICES``: the devices it runs on ("cpu", and "cuda" where its contestants take a device);
* optionally ``make_extras(tf, config)``: ``{label: step}``, more things to time in the same interleaved run
  (reported per call, not divided by ``PER_STEP``), e.g. a raw numpy ufunc call to compare the op chain with;
* ``targets(row)``: a list of ``Target``s judged from a finished row (``row["times"]``: contestant -> value in
  ``UNIT``; ``row["extras"]``: label -> µs per call; ``row["info"]``: contestant -> its ``Contestant.info``).
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy

from minidl.graph import ConfigProto

CONTESTANT_NAMES = ("eager", "graph", "numpy", "torch", "tf")


def session_config(device):
    """minidl.graph's Session places its ops on a GPU whenever cupy sees one, as TF1's did; on "cpu" (where eager
    tensors, numpy and torch stay) it is pinned to the CPU the TF1 way."""
    return ConfigProto(device_count={"GPU": 0 if device == "cpu" else 1})


CPU_ONLY = session_config("cpu")


def host(value):
    """A result as a numpy array, wherever it was computed: a minidl or torch tensor (on any device), a cupy
    array, a numpy array or number."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return value.get() if hasattr(value, "get") else numpy.asarray(value)


@dataclass
class Contestant:
    step: Callable[[], None]        # one timed unit of work
    result: Callable[[], dict]      # name -> numpy array, the values the last step() produced
    info: dict = field(default_factory=dict)  # facts for the targets, e.g. how many ops a graph step executes


@dataclass
class Target:
    """One goal of a row: ``text`` says it, ``value`` what was measured, ``met`` True/False (None: not judged,
    e.g. a contestant it needs is missing)."""
    text: str
    value: str
    met: Optional[bool]


def target(text, compute, fmt):
    """A ``Target`` from ``compute() -> (value, met)``; a missing contestant (KeyError) gives "n/a"."""
    try:
        value, met = compute()
    except KeyError:
        return Target(text, "n/a", None)
    return Target(text, fmt(value), bool(met))


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


def eager_and_graph_targets(row, ratio):
    """The two goals of a training-step row: eager within ``ratio`` × the numpy baseline, graph no slower than
    eager."""
    times = row["times"]
    return [
        target(f"eager ≤ {ratio:g}× numpy",
               lambda: (times["eager"] / times["numpy"], times["eager"] <= ratio * times["numpy"]),
               lambda v: f"{v:.2f}x numpy"),
        target("graph ≤ eager", lambda: (times["graph"] / times["eager"], times["graph"] <= times["eager"]),
               lambda v: f"{v:.2f}x eager"),
    ]


def step_result(loss, start, params, names):
    """The loss and each parameter's change after one step (``lr × gradient``, in PyTorch's layout): comparing
    changes, not the weights (which barely move), is what shows a wrong gradient."""
    values = {"loss": numpy.float64(loss)}
    values.update({f"change of {name}": s - p for name, s, p in zip(names, start, params)})
    return values


def session_contestant(sess, init, train_op, loss, feed, read_result):
    """A graph-mode training step: initialise, note the loss the first step sees, and time ``run(train_op)``;
    ``read_result(first_loss, sess)`` reads back what one step computed."""
    sess.run(init)
    first_loss = sess.run(loss, feed)

    def step():
        sess.run(train_op, feed)

    return Contestant(step, lambda: read_result(first_loss, sess))


# last: the workload modules import Contestant, target ... from here
from . import cnn, mlp, op_chain, rnn, session_run  # noqa: E402

WORKLOADS = [op_chain, mlp, session_run, cnn, rnn]
