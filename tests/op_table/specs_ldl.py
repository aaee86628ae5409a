"""Op table entries for the symmetric indefinite solve (ldl.py) and the tensor inverses (tensor_solves.py).

``ldl_solve`` is differentiated with respect to B only (LD has no gradient, in PyTorch either), and PyTorch has
no gradient for it at all: the differential test compares it with ``torch.linalg.solve`` on the same matrix.
The factorization itself (pivots, compact LD) is compared with PyTorch in ``tests/test_ldl_and_tensor_solves.py``.
"""
import numpy as np

from .spec import OpSpec
from .specs_decompositions import FORWARD_TOLERANCES, SIDE, _inputs, _linalg, _rectangular, _symmetric


def _indefinite_system(rng, n, k):
    """A symmetric matrix with eigenvalues of both signs, all at least 0.3 from 0 (2 x 2 pivots are then
    common), and a right-hand side (2, n, k) whose batch dim broadcasts against it."""
    return _symmetric(rng, n, low=-1.6), rng.standard_normal((2, n, k))


def _ldl_solve(m, a, b):
    return _linalg(m, "ldl_solve")(*_linalg(m, "ldl_factor")(a), b)


SPECS = [
    OpSpec("linalg_ldl_solve", _ldl_solve, lambda a, b: np.linalg.solve(a, b),
           _inputs(_indefinite_system, SIDE, SIDE), grad_inputs=(1,), **FORWARD_TOLERANCES,
           torch_fn=lambda torch, a, b: torch.linalg.solve(a, b),
           notes="the gradient w.r.t. B is one more ldl_solve (A is symmetric), so second order comes free"),
    OpSpec("linalg_tensorinv", lambda m, a: _linalg(m, "tensorinv")(a, ind=2),
           lambda a: np.linalg.tensorinv(a, ind=2),
           _inputs(lambda rng: (_rectangular(rng, 6, 6).reshape(2, 3, 3, 2),)), **FORWARD_TOLERANCES,
           notes="a reshape, inv, and a reshape back"),
    OpSpec("linalg_tensorsolve_dims", lambda m, a, b: _linalg(m, "tensorsolve")(a, b, dims=(0,)),
           lambda a, b: np.linalg.tensorsolve(a, b, axes=(0,)),
           _inputs(lambda rng: (np.moveaxis(_rectangular(rng, 6, 6).reshape(2, 3, 6), -1, 0),
                                rng.standard_normal((2, 3)))), grad_inputs=(0, 1), **FORWARD_TOLERANCES,
           notes="A's dim 0 moved to the end, then a reshape and solve"),
]
