"""Op table entries for the activation functions of ``minidl.ops.activations``."""
import math

import numpy as np
from hypothesis import strategies as st

from .spec import OpSpec, floats_array, shapes, unary

_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _same_shape_pair(**kw_second):
    """(g, s): a gradient and an equally shaped array whose sign picks the branch (relu_grad)."""
    return shapes().flatmap(lambda s: st.tuples(floats_array(s), floats_array(s, **kw_second)))


def _in_dtype(fn):
    """Compute a reference in float64 and give it back in the input's dtype."""
    return lambda a: fn(a.astype(np.float64)).astype(a.dtype)


def _sigmoid(a):
    return np.exp(-np.logaddexp(0.0, -a))  # stable, and written differently from the op


def _gelu(a):
    return a * 0.5 * _erfc(-a / math.sqrt(2.0))


def _gelu_tanh(a):
    return 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))


def _softplus(beta, threshold):
    return lambda a: np.where(a * beta > threshold, a, np.logaddexp(0.0, a * beta) / beta)


def _elu(alpha):
    return lambda a: np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))


def _functional(name, **kwargs):
    """PyTorch keeps these in ``torch.nn.functional``; the differential test calls them there."""
    return lambda t, a: getattr(t.nn.functional, name)(a, **kwargs)


SPECS = [
    OpSpec("sigmoid", lambda m, a: m.sigmoid(a), _in_dtype(_sigmoid), unary()),
    OpSpec("sigmoid_saturated", lambda m, a: m.sigmoid(a), _in_dtype(_sigmoid), unary(low=-800.0, high=800.0),
           notes="no overflow for large |x|"),
    OpSpec("sigmoid_int", lambda m, a: m.sigmoid(a), lambda a: _sigmoid(a).astype(np.float32), unary(),
           dtype="int64", grad_inputs=(), notes="integer input becomes float32"),
    OpSpec("silu", lambda m, a: m.silu(a), _in_dtype(lambda a: a * _sigmoid(a)), unary(),
           torch_fn=_functional("silu")),

    OpSpec("relu", lambda m, a: m.relu(a), lambda a: np.maximum(a, a.dtype.type(0)), unary(avoid=(0.0,)),
           notes="kink at 0 avoided"),
    OpSpec("relu_int", lambda m, a: m.relu(a), lambda a: np.maximum(a, 0), unary(), dtype="int64",
           grad_inputs=()),
    OpSpec("relu_grad", lambda m, g, y: m.relu_grad(g, y), lambda g, y: np.where(y > 0, g, g.dtype.type(0)),
           _same_shape_pair(avoid=(0.0,)), grad_inputs=(0, 1),
           torch_fn=lambda t, g, y: t.where(y > 0, g, 0.0), notes="gradient w.r.t. y is 0 off the kink"),
    OpSpec("hardtanh", lambda m, a: m.hardtanh(a, -0.5, 0.75),
           lambda a: np.clip(a, a.dtype.type(-0.5), a.dtype.type(0.75)), unary(avoid=(-0.5, 0.75)),
           torch_fn=_functional("hardtanh", min_val=-0.5, max_val=0.75),
           notes="kinks at the bounds avoided (the gradient there is 0: tests/test_in_place_gradients.py)"),
    OpSpec("leaky_relu", lambda m, a: m.leaky_relu(a), lambda a: np.where(a > 0, a, a * a.dtype.type(0.01)),
           unary(avoid=(0.0,)), torch_fn=_functional("leaky_relu")),
    OpSpec("leaky_relu_negative_slope", lambda m, a: m.leaky_relu(a, -0.5),
           lambda a: np.where(a > 0, a, a * a.dtype.type(-0.5)), unary(avoid=(0.0,)),
           torch_fn=_functional("leaky_relu", negative_slope=-0.5)),
    OpSpec("elu", lambda m, a: m.elu(a), _in_dtype(_elu(1.0)), unary(avoid=(0.0,)), torch_fn=_functional("elu")),
    OpSpec("elu_alpha", lambda m, a: m.elu(a, alpha=0.5), _in_dtype(_elu(0.5)), unary(avoid=(0.0,)),
           torch_fn=_functional("elu", alpha=0.5)),
    OpSpec("elu_large", lambda m, a: m.elu(a), _in_dtype(_elu(1.0)), unary(low=-60.0, high=800.0, avoid=(0.0,)),
           torch_fn=_functional("elu"), notes="no overflow warning from the discarded branch"),

    OpSpec("gelu", lambda m, a: m.gelu(a), _in_dtype(_gelu), unary(), torch_fn=_functional("gelu")),
    OpSpec("gelu_tails", lambda m, a: m.gelu(a), _in_dtype(_gelu), unary(low=-12.0, high=12.0),
           torch_fn=_functional("gelu"), notes="both branches of the erfc evaluation"),
    OpSpec("gelu_tanh", lambda m, a: m.gelu(a, approximate="tanh"), _in_dtype(_gelu_tanh), unary(),
           torch_fn=_functional("gelu", approximate="tanh")),

    OpSpec("softplus", lambda m, a: m.softplus(a), _in_dtype(_softplus(1.0, 20.0)), unary(),
           torch_fn=_functional("softplus")),
    OpSpec("softplus_large", lambda m, a: m.softplus(a), _in_dtype(_softplus(1.0, 20.0)),
           unary(low=-100.0, high=100.0, avoid=(20.0,)), torch_fn=_functional("softplus"),
           notes="no overflow; the threshold's jump (below float precision) avoided"),
    OpSpec("softplus_beta_threshold", lambda m, a: m.softplus(a, beta=2.0, threshold=3.0),
           _in_dtype(_softplus(2.0, 3.0)), unary(avoid=(1.5,)),
           torch_fn=_functional("softplus", beta=2.0, threshold=3.0), notes="jump at beta*x = threshold avoided"),
]

# sigmoid's fused backward op, checked as an op in its own right (its VJP gives sigmoid's second order)
SPECS += [
    OpSpec("sigmoid_grad", lambda m, g, y: m.sigmoid_grad(g, y), lambda g, y: g * (y * (1 - y)),
           shapes().flatmap(lambda s: st.tuples(floats_array(s), floats_array(s, low=0.05, high=0.95))),
           grad_inputs=(0, 1), torch_fn=lambda m, g, y: g * (y * (1 - y))),
]
