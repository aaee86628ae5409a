"""The eigendecomposition of a general square matrix — ``linalg.eig`` and ``linalg.eigvals`` — whose eigenvalues
and eigenvectors are complex even for a real matrix (a rotation has no real eigenvector). The symmetric case,
``eigh``, is in decompositions.py; the LU factorization, the other factorization of general matrices, in lu.py.

``A V = V diag(w)``: the eigenvalues w in LAPACK's order (``geev``'s, which numpy and PyTorch both call), each
eigenvector (a column of V) of unit length and turned so that its largest component is real — LAPACK's
normalization, which leaves that component's sign to the implementation: numpy's LAPACK and PyTorch's MKL agree
on most eigenvectors, not all. Real inputs give complex64/complex128 results, as in PyTorch, also when every
eigenvalue happens to be real (numpy would give real arrays then).

Differentiating them (PyTorch's formulas; Giles 2008, Seeger et al. 2017 "Auto-differentiating linear algebra"):

* **Phases.** An eigenvector is unique only up to a factor e^{iφ}: LAPACK picks one, and a tiny change of A may
  make it pick a different one. Only losses that do not care — |v|², ``V diag(f(w)) V^-1``, anything of the
  eigenvalues — have a gradient worth the name. For them Im((V^H gV)_jj) = 0; as PyTorch, the VJP checks this
  and refuses losses that depend on the phases (``PhaseInvariant``).
* **Repeated eigenvalues** make the eigenvector term divide by 0 (inf/NaN), as in PyTorch, which does nothing
  special there either: the eigenvectors are not differentiable at such a matrix. The eigenvalues alone are:
  ``eigvals``, or ``eig`` with its vectors unused (``accepts_missing_grads``) leaves the term out.
* A real input gets the real part of the complex gradient (its imaginary part would move A off the reals).

numpy computes these with LAPACK, cupy (version 14 on) with cuSOLVER's geev; where a GPU's cupy lacks it, the
matrices go to the host and back.
"""
from collections import namedtuple

import numpy

from ..backend import dtypes, reporting_linalg_errors
from .base import LinAlgError, Op, OpError, Spec, apply, describe
from .linalg import _mH, matmul
from .matrix import diag_embed, diagonal
from .shape import unsqueeze
from .solvers import check_matrices, eye_like, linalg_solve
from .spectral import conj, real

__all__ = ["linalg_eig", "linalg_eigvals"]

EigResult = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])

#: how far Im((V^H gV)_jj) may be from 0 before a loss counts as depending on the eigenvectors' phases (PyTorch's)
PHASE_TOLERANCE = 1e-2


def _lapack_eig(xp, a, op_name, routine):
    """``numpy.linalg.eig`` or ``eigvals`` (``routine``) of every matrix of the batch, as complex numbers."""
    if not bool(xp.isfinite(a).all()):  # LAPACK would iterate forever or return garbage: PyTorch refuses too
        raise OpError(f"{op_name}: input tensor should not contain infs or NaNs (got {describe(a)})")
    try:
        results = _on_device_or_host(xp, a, routine)
    except numpy.linalg.LinAlgError:
        raise LinAlgError(f"{op_name}: The algorithm failed to converge because the input matrix is ill-conditioned "
                          f"or has too many repeated eigenvalues ({describe(a)})") from None
    results = results if isinstance(results, tuple) else (results,)
    complex_dtype = dtypes.to_complex(a.dtype)
    return tuple(xp.asarray(r).astype(complex_dtype, copy=False) for r in results)


def _on_device_or_host(xp, a, routine):
    """``xp.linalg.<routine>(a)``, reporting a failure as LinAlgError; on the host for a cupy without it (an
    older cupy has no ``eig``; cupy raises RuntimeError where its CUDA has no geev, NotImplementedError on ROCm)."""
    try:
        with reporting_linalg_errors(xp):
            return getattr(xp.linalg, routine)(a)
    except (AttributeError, RuntimeError, NotImplementedError):
        if xp is numpy:
            raise
    return getattr(numpy.linalg, routine)(xp.asnumpy(a))


def _eig_specs(a):
    """(eigenvalues, eigenvectors) specs: complex, shapes (..., n) and (..., n, n)."""
    dtype = dtypes.to_complex(a.dtype)
    return Spec(None if a.shape is None else a.shape[:-1], dtype), Spec(a.shape, dtype)


def _pull_back(a, v, inner):
    """``gA = V^-H inner V^H``: A's gradient from the gradient ``inner`` of E = V^-1 A V (A in the eigenvectors'
    basis), by a solve rather than an inverse; its real part for a real A."""
    vh = _mH(v)
    ga = linalg_solve(vh, matmul(inner, vh))
    return ga if dtypes.is_complex(a.dtype) else real(ga)


class PhaseInvariant(Op):
    """Passes the diagonal of V^H gV through after checking that its imaginary part is (nearly) 0 — that the loss
    does not change when an eigenvector is multiplied by e^{iφ} (dL/dφ_j = Im((V^H gV)_jj)). A loss that does
    depends on LAPACK's arbitrary choice of phases: PyTorch raises, and so does this op (also for the SVD's pairs
    of singular vectors: ``op_name``, ``vectors``)."""
    name = "LinalgEigBackward"
    saves_inputs = ()

    @staticmethod
    def forward(xp, d, op_name="linalg_eig_backward", vectors="eigenvectors"):
        if bool((xp.abs(d.imag) > PHASE_TOLERANCE).any()):
            raise OpError(f"{op_name}: The {vectors} in the complex case are specified up to multiplication by "
                          f"e^{{i phi}}. The specified loss function depends on this quantity, so it is ill-defined.")
        return d.copy()

    @staticmethod
    def vjp(ctx, g):
        return (g,)

    @staticmethod
    def infer(d, **attrs):
        return d


class Eig(Op):
    """Eigenvalues w and unit eigenvectors V (its columns) of a general square A: ``A V = V diag(w)``.

    VJP. With E = V^-1 dA V: dw = diag(E), and V^-1 dV = C with C_ij = E_ij / (w_j - w_i) off the diagonal; C's
    diagonal keeps every ||v_j|| = 1: Re(v_j^H dv_j) = 0 fixes Re C_jj (its imaginary part turns the phase, which
    the loss ignores). Collecting the terms of <gw, dw> + <gV, dV> that multiply E:

        G = V^H gV - V^H V diag(Re diag(V^H gV))         (the unit-norm constraint's share)
        gA = V^-H ( G / conj(w_j - w_i)  off the diagonal,  gw on it ) V^H

    and its real part for a real A. Without gV it is ``V^-H diag(gw) V^H``; without gw, G's diagonal stays (0 up
    to the phase check: PyTorch keeps it too)."""
    name = "LinalgEig"
    n_outputs = 2
    accepts_missing_grads = True
    saves_inputs = ()
    saves_outputs = True

    @staticmethod
    def forward(xp, a):
        return _lapack_eig(xp, a, "linalg.eig", "eig")

    @staticmethod
    def vjp(ctx, gw, gv):
        w, v = ctx.outputs
        if gv is None:
            return (_pull_back(ctx.inputs[0], v, diag_embed(gw)),)
        vh = _mH(v)
        vhgv = matmul(vh, gv)
        re_diagonal = real(apply(PhaseInvariant, diagonal(vhgv, 0, -2, -1)))
        projected = vhgv - matmul(vh, v * unsqueeze(re_diagonal, -2))
        wc = conj(w)
        gaps = unsqueeze(wc, -2) - unsqueeze(wc, -1)  # gaps[i, j] = conj(w_j - w_i): 0 on the diagonal ...
        inner = projected / (gaps + eye_like(w))  # ... where the identity makes it 1: no 0/0, the diagonal kept
        if gw is not None:
            inner = inner - diag_embed(diagonal(inner, 0, -2, -1)) + diag_embed(gw)
        return (_pull_back(ctx.inputs[0], v, inner),)

    @staticmethod
    def infer(a):
        return _eig_specs(a)


def linalg_eig(A):
    """``torch.linalg.eig``: the named tuple ``(eigenvalues, eigenvectors)`` of each square matrix of the batch
    (..., n, n), both complex: ``A V = V diag(eigenvalues)``, the eigenvectors V's columns, of unit length, each
    up to a factor e^{iφ} (LAPACK's choice: the largest component real). Not the symmetric ``eigh``: V need not be
    unitary. See the module's notes on differentiating it."""
    return EigResult(*apply(Eig, check_matrices("linalg.eig", A)))


class Eigvals(Op):
    """The eigenvalues alone: dw_i = (V^-1 dA V)_ii, so ``gA = V^-H diag(gw) V^H``. Its forward skips the
    eigenvectors (LAPACK computes less); its VJP asks ``eig`` for them, so second order works."""
    name = "LinalgEig"
    saves_inputs = (0,)

    @staticmethod
    def forward(xp, a):
        return _lapack_eig(xp, a, "linalg.eigvals", "eigvals")[0]

    @staticmethod
    def vjp(ctx, g):
        a = ctx.inputs[0]
        return (_pull_back(a, linalg_eig(a).eigenvectors, diag_embed(g)),)

    @staticmethod
    def infer(a):
        return _eig_specs(a)[0]


def linalg_eigvals(A):
    """``torch.linalg.eigvals``: the (complex) eigenvalues of each square matrix of the batch, in ``eig``'s order."""
    return apply(Eigvals, check_matrices("linalg.eigvals", A))
