"""Every op in the op table, every check that applies, in every mode and on every available device.

Checks: forward against the numpy reference; static shape inference against the forward; first-order VJP
against float64 central differences; second-order (gradient of the VJP) against central differences; and,
where PyTorch is installed, values and gradients against PyTorch.
"""
import importlib
import pkgutil

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tests import op_table
from tests.op_table.modes import EagerMode, GraphMode, InferMode, as_tuple

SPECS = [spec for info in pkgutil.iter_modules(op_table.__path__) if info.name.startswith("specs_")
         for spec in importlib.import_module(f"tests.op_table.{info.name}").SPECS]
GRAD_SPECS = [s for s in SPECS if s.grad_inputs]
SECOND_ORDER_SPECS = [s for s in GRAD_SPECS if s.second_order]

MODES = {"eager": EagerMode(), "graph": GraphMode()}
EPS = 1e-6


def _reference(spec, arrays):
    return [np.asarray(r) for r in EagerMode.select(spec, as_tuple(spec.reference(*arrays)))]


def _close(actual, expected, rtol, atol, what):
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != reference {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what, equal_nan=True)


def _subnormals_flushed(spec, arrays):
    """The inputs as the GPU reads them in float32: cupy compiles every kernel with ``-ftz=true``, so a subnormal
    number (below ``finfo(float32).tiny``) counts as a zero of its sign (``sign(1e-45)`` is 0 there)."""
    tiny = np.finfo(np.float32).tiny
    return [a if i in spec.raw_inputs or a.dtype.kind != "f"
            else np.where(np.abs(a.astype(np.float32)) < tiny, np.copysign(0.0, a), a).astype(a.dtype)
            for i, a in enumerate(arrays)]


def test_table_is_not_empty():
    assert len(SPECS) > 0 and len({s.name for s in SPECS}) == len(SPECS), "spec names must be unique"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("spec", SPECS, ids=str)
@given(data=st.data())
def test_forward_matches_reference(spec, mode, device, data):
    arrays = data.draw(spec.inputs)
    if device == "cuda" and spec.dtype == "float32":
        arrays = _subnormals_flushed(spec, arrays)
    outs = MODES[mode].forward(spec, arrays, device, np.dtype(spec.dtype))
    cast = [a.astype(spec.dtype) if i not in spec.raw_inputs else a for i, a in enumerate(arrays)]
    expected = _reference(spec, cast)
    assert len(outs) == len(expected)
    for i, (o, e) in enumerate(zip(outs, expected)):
        assert o.dtype == e.dtype or (o.dtype.kind == e.dtype.kind and spec.dtype in (o.dtype, e.dtype)), \
            f"output {i}: dtype {o.dtype}, reference {e.dtype}"
        _close(o.astype(np.result_type(o, e)), e.astype(np.result_type(o, e)), spec.rtol, spec.atol,
               f"{spec.name} output {i}")


@pytest.mark.parametrize("spec", SPECS, ids=str)
@given(data=st.data())
def test_static_shape_inference_matches_forward(spec, data):
    arrays = data.draw(spec.inputs)
    inferred = InferMode().infer(spec, arrays, np.dtype(spec.dtype))
    actual = EagerMode().forward(spec, arrays, "cpu", np.dtype(spec.dtype))
    for (shape, dtype), out in zip(inferred, actual):
        assert dtype == out.dtype, f"{spec.name}: inferred dtype {dtype}, forward gave {out.dtype}"
        if shape is not None:
            assert len(shape) == out.ndim and all(d is None or d == n for d, n in zip(shape, out.shape)), \
                f"{spec.name}: inferred shape {shape}, forward gave {out.shape}"


def _directional(spec, mode, arrays, device, rng):
    """Random cotangents for the outputs and random directions for the inputs (seeded per example)."""
    outs = MODES[mode].forward(spec, arrays, device, np.float64)
    # (an output that is NaN or infinite, nanmean's of an all-NaN row, is left out of the weighted sums: weight 0)
    cotangents = [rng.standard_normal(o.shape) * np.isfinite(o) for o in outs]
    directions = [rng.standard_normal(arrays[i].shape) for i in spec.grad_inputs]
    return outs, cotangents, directions


def _shifted(spec, arrays, directions, step):
    moved = list(arrays)
    for i, d in zip(spec.grad_inputs, directions):
        moved[i] = arrays[i] + step * d
    return moved


def _weighted_sum(values, weights):
    """<values, weights> over the entries of nonzero weight."""
    return sum(float(np.sum(v[w != 0] * w[w != 0])) for v, w in zip(values, weights))


def _agrees_with_central_differences(spec, mode, arrays, device, cotangents, directions, analytic, what):
    """``analytic`` == d/dt <cotangents, f(x + t directions)> at t=0, by float64 central differences."""
    def probe(step):
        outs = MODES[mode].forward(spec, _shifted(spec, arrays, directions, step), device, np.float64)
        return _weighted_sum(outs, cotangents)
    numeric = (probe(EPS) - probe(-EPS)) / (2 * EPS)
    assert abs(analytic - numeric) <= 1e-5 + 1e-4 * abs(numeric), \
        f"{spec.name}: {what} gives {analytic}, central differences {numeric}"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("spec", GRAD_SPECS, ids=str)
@given(data=st.data())
def test_vjp_matches_central_differences(spec, mode, device, data):
    """<vjp(v), d> == d/dt <v, f(x + t d)> at t=0, in float64."""
    arrays = data.draw(spec.inputs)
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    _, cotangents, directions = _directional(spec, mode, arrays, device, rng)
    grads = MODES[mode].vjp(spec, arrays, cotangents, device)
    analytic = sum(float(np.sum(g * d)) for g, d in zip(grads, directions))
    _agrees_with_central_differences(spec, mode, arrays, device, cotangents, directions, analytic, "VJP")


@pytest.mark.parametrize("spec", GRAD_SPECS, ids=str)
@settings(max_examples=5)
@given(data=st.data())
def test_forward_mode_matches_central_differences(spec, device, data):
    """Forward mode (eager ``autograd.forward_ad``): <J d, v> == d/dt <v, f(x + t d)> at t=0, in float64."""
    arrays = data.draw(spec.inputs)
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    _, cotangents, directions = _directional(spec, "eager", arrays, device, rng)
    tangents = MODES["eager"].jvp(spec, arrays, directions, device)
    analytic = _weighted_sum(tangents, cotangents)
    _agrees_with_central_differences(spec, "eager", arrays, device, cotangents, directions, analytic, "forward mode")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("spec", SECOND_ORDER_SPECS, ids=str)
@settings(max_examples=5)
@given(data=st.data())
def test_second_order_matches_central_differences(spec, mode, device, data):
    """The gradient of <vjp(x, v), u> (a Hessian-vector product) against central differences of the VJP."""
    arrays = data.draw(spec.inputs)
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    _, cotangents, directions = _directional(spec, mode, arrays, device, rng)
    u = [rng.standard_normal(arrays[i].shape) for i in spec.grad_inputs]
    m = MODES[mode]
    hvp = m.second_order(spec, arrays, cotangents, u, device)
    analytic = sum(float(np.sum(h * d)) for h, d in zip(hvp, directions))

    def probe(step):
        grads = m.vjp(spec, _shifted(spec, arrays, directions, step), cotangents, device)
        return sum(float(np.sum(g * w)) for g, w in zip(grads, u))
    numeric = (probe(EPS) - probe(-EPS)) / (2 * EPS)
    assert abs(analytic - numeric) <= 1e-5 + 1e-4 * abs(numeric), \
        f"{spec.name}: second-order gives {analytic}, central differences {numeric}"
