"""Op table entries for the principal matrix square root and logarithm (ops/matrix_functions.py; TF's
``tf.linalg.sqrtm`` and ``logm``). PyTorch has neither: their ``torch_fn`` names a function torch lacks, so the
PyTorch comparison skips them. The references take symmetric positive-definite inputs through ``eigh``
(A = V diag(w) Vᵀ gives A^½ = V diag(√w) Vᵀ and log A = V diag(log w) Vᵀ); the gradient checks perturb every
entry, so they cover non-symmetric matrices too."""
import numpy as np
from hypothesis import strategies as st

from minidl.ops.matrix_functions import matrix_log, matrix_sqrt

from .spec import OpSpec


def _spd_batches():
    def build(drawn):
        rng, n = np.random.default_rng(drawn[0]), drawn[1]
        b = rng.standard_normal((2, n, n))
        return (b @ np.swapaxes(b, -1, -2) + n * np.eye(n),)
    return st.tuples(st.integers(0, 2 ** 32 - 1), st.integers(1, 3)).map(build)


def _through_eigh(function):
    def reference(a):
        w, v = np.linalg.eigh(a.astype(np.float64))
        return ((v * function(w)[..., None, :]) @ np.swapaxes(v, -1, -2)).astype(a.dtype)
    return reference


SPECS = [
    OpSpec("matrix_sqrt", lambda m, x: matrix_sqrt(x), _through_eigh(np.sqrt), _spd_batches(), rtol=1e-4,
           atol=1e-5, torch_fn=lambda m, x: m.linalg.sqrtm(x),
           notes="Denman–Beavers iteration; its VJP is this op on a 2n x 2n block matrix"),
    OpSpec("matrix_log", lambda m, x: matrix_log(x), _through_eigh(np.log), _spd_batches(), rtol=1e-4, atol=1e-5,
           torch_fn=lambda m, x: m.linalg.logm(x),
           notes="inverse scaling and squaring with Gauss–Legendre quadrature; VJP as matrix_sqrt's"),
]
