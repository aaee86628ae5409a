"""Differential test: every op-table entry against PyTorch — values and gradients (skipped without PyTorch).

The spec's ``fn(m, *tensors)`` is called once with ``m = minidl.ops`` on minidl tensors and once with
``m = torch`` on torch tensors (or ``spec.torch_fn`` where PyTorch spells the call differently).
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minidl.eager as eager
import minidl.ops as ops
from tests.test_op_table import SPECS
from tests.op_table.modes import as_tuple
from tests.torch_version import since_mirrored_torch

torch = pytest.importorskip("torch")
# gradients or values PyTorch changed in a release newer than some installed ones (tests/torch_version.py)
CHANGED_IN_MIRRORED_TORCH = {"nextafter", "aminmax_all", "aminmax_dim_keepdim", "lp_pool2d_inf"}


def _torch_outputs(spec, arrays):
    xs = [torch.tensor(a) if i in spec.raw_inputs else
          torch.tensor(a, dtype=torch.float64, requires_grad=i in spec.grad_inputs) for i, a in enumerate(arrays)]
    fn = spec.torch_fn or spec.fn
    try:
        outs = as_tuple(fn(torch, *xs))
    except AttributeError as error:  # torch has no function of that name: the spec needs a torch_fn
        pytest.skip(f"{spec.name}: no PyTorch equivalent ({error})")
    outs = [outs[i] for i in spec.outputs] if spec.outputs is not None else list(outs)
    return xs, outs


def _minidl_outputs(spec, arrays):
    xs = [eager.tensor(a) if i in spec.raw_inputs else
          eager.tensor(a, dtype=eager.float64, requires_grad=i in spec.grad_inputs) for i, a in enumerate(arrays)]
    outs = as_tuple(spec.fn(ops, *xs))
    outs = [outs[i] for i in spec.outputs] if spec.outputs is not None else list(outs)
    return xs, outs


@pytest.mark.parametrize("spec", [pytest.param(s, marks=since_mirrored_torch) if s.name in CHANGED_IN_MIRRORED_TORCH
                                  else s for s in SPECS], ids=str)
@given(data=st.data())
def test_values_and_gradients_match_pytorch(spec, data):
    arrays = data.draw(spec.inputs)
    t_xs, t_outs = _torch_outputs(spec, arrays)
    m_xs, m_outs = _minidl_outputs(spec, arrays)
    assert len(t_outs) == len(m_outs)
    for i, (t, m) in enumerate(zip(t_outs, m_outs)):
        expected = t.detach().numpy()
        assert tuple(m.shape) == expected.shape, f"{spec.name} output {i}: shape {tuple(m.shape)} vs torch " \
                                                 f"{expected.shape}"
        np.testing.assert_allclose(m.detach().numpy(), expected, rtol=1e-7, atol=1e-9, equal_nan=True,
                                   err_msg=f"{spec.name} output {i}")
    if not spec.grad_inputs:
        return
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    pairs = [(t, m) for t, m in zip(t_outs, m_outs) if t.requires_grad]
    cotangents = [rng.standard_normal(tuple(t.shape)) for t, _ in pairs]
    wanted = list(spec.grad_inputs)
    t_grads = torch.autograd.grad([t for t, _ in pairs], [t_xs[i] for i in wanted],
                                  [torch.tensor(c) for c in cotangents], allow_unused=True)
    m_grads = eager.autograd.grad([m for _, m in pairs], [m_xs[i] for i in wanted],
                                  [eager.tensor(c) for c in cotangents], allow_unused=True)
    for i, (tg, mg) in zip(wanted, zip(t_grads, m_grads)):
        expected = np.zeros_like(arrays[i]) if tg is None else tg.numpy()
        actual = np.zeros_like(arrays[i]) if mg is None else mg.numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9,
                                   err_msg=f"{spec.name}: gradient w.r.t. input {i}")
