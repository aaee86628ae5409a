"""Op table entries for softmax and log_softmax."""
import numpy as np

from .spec import OpSpec, fixed, shapes, unary


def np_softmax(a, axis):
    e = np.exp(a.astype(np.float64) - np.max(a, axis=axis, keepdims=True, initial=-np.inf))
    return (e / np.sum(e, axis=axis, keepdims=True)).astype(a.dtype)


def np_log_softmax(a, axis):
    a64 = a.astype(np.float64)
    m = np.max(a64, axis=axis, keepdims=True, initial=-np.inf)
    return (a64 - m - np.log(np.sum(np.exp(a64 - m), axis=axis, keepdims=True))).astype(a.dtype)


LARGE = fixed([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 999.0], [-1000.0, -1000.0, -999.0]])

SPECS = [
    OpSpec("softmax_last", lambda m, x: m.softmax(x, -1), lambda a: np_softmax(a, -1), unary()),
    OpSpec("softmax_dim0", lambda m, x: m.softmax(x, 0), lambda a: np_softmax(a, 0), unary(shapes(min_dims=1))),
    OpSpec("softmax_dim1_of_3d", lambda m, x: m.softmax(x, 1), lambda a: np_softmax(a, 1),
           unary(shapes(min_dims=3))),
    OpSpec("softmax_dtype", lambda m, x: m.softmax(x, -1, dtype=np.float64),
           lambda a: np_softmax(a.astype(np.float64), -1), unary(shapes(min_dims=1)),
           torch_fn=lambda torch, x: torch.softmax(x, -1, dtype=torch.float64)),
    OpSpec("softmax_large_logits", lambda m, x: m.softmax(x, 1), lambda a: np_softmax(a, 1), LARGE,
           notes="no overflow at logits of 1000"),
    OpSpec("log_softmax_last", lambda m, x: m.log_softmax(x, -1), lambda a: np_log_softmax(a, -1), unary(),
           atol=1e-5),
    OpSpec("log_softmax_dim0", lambda m, x: m.log_softmax(x, 0), lambda a: np_log_softmax(a, 0),
           unary(shapes(min_dims=2)), atol=1e-5),
    OpSpec("log_softmax_large_logits", lambda m, x: m.log_softmax(x, 1), lambda a: np_log_softmax(a, 1), LARGE,
           atol=1e-4, notes="no overflow at logits of 1000; -2000 stays finite"),
]
