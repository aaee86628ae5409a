"""Matrix factorizations — Cholesky, QR, the symmetric eigendecomposition (eigh) and the SVD — and what is built
on them: eigvalsh, svdvals and lstsq (linear systems, pinv and matrix_rank are in solvers.py).

The forwards call the backend's LAPACK-based routines (``xp.linalg``); each works on batches (the last two dims
are the matrix). The VJPs are the standard formulas — Murray 2016 for Cholesky, Giles 2008 and Seeger et al. 2017
for eigh and the SVD, Walter & Lehmann 2018 for QR — written with matrix products, triangular solves and
elementwise ops, so second order works. Cholesky, QR and eigh take complex (for eigh and Cholesky Hermitian)
matrices too: their formulas hold with the conjugate transpose ^H in place of ^T (and QR's with a real diagonal
where the real formula has M's). The SVD and lstsq take real matrices only.

Three things to know when differentiating them:

* **Symmetric inputs.** ``cholesky`` and ``eigh`` read one triangle of A (the lower one by default) and take A to
  be symmetric. Their gradient is the symmetric matrix gA with <gA, dA> = the change of the loss for every
  *symmetric* change dA (PyTorch's convention). A finite-difference check must therefore move A symmetrically:
  differentiate through ``A = (X + X^T) / 2``.
* **Gauges.** Eigenvectors and singular vectors are unique only up to their signs (up to any rotation within an
  eigenspace when eigenvalues repeat). Only functions that do not care about that choice have a gradient worth
  the name: ``V diag(f(w)) V^T``, ``|V|``, ``U diag(S) Vh``...
* **Repeated values.** The eigenvector (singular vector) gradients divide by the gaps between eigenvalues
  (squared singular values): where two coincide they are inf/NaN — the vectors are not differentiable there.
  The gradients of eigenvalues and singular values alone never divide by a gap: use ``eigvalsh`` and
  ``svdvals`` for them — or take only the values from ``eigh``/``svd``: a VJP that gets no gradient for the
  vectors leaves their term out (``accepts_missing_grads``), so ``eigh(I).eigenvalues.sum()`` has gradient I.
"""
from collections import namedtuple

import numpy

from ..backend import dtypes, reporting_linalg_errors
from .base import LinAlgError, Op, OpError, Spec, apply, describe
from .broadcast import zeros_like
from .cast import cast
from .indexing import getitem
from .infer import broadcast_shapes
from .linalg import _check_tensors, _mH, matmul
from .promote import require_same_dtype
from .reduce import sum
from .shape import cat, reshape, squeeze, tril, unsqueeze
from .spectral import imag
from .matrix import diag_embed, diagonal, fails, first_failure
from .solvers import (SolveTriangular, _is_vector_rhs, check_matrices, eye_like, lapack_svd, linalg_matrix_rank,
                      linalg_pinv, linalg_solve_triangular, mT)

__all__ = ["cholesky", "linalg_qr", "qr", "linalg_eigh", "linalg_eigvalsh", "linalg_svd", "linalg_svdvals", "svd",
           "linalg_lstsq"]

#: the named tuples PyTorch returns (``torch.return_types.linalg_qr`` ...)
QRResult = namedtuple("qr", ["Q", "R"])
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("linalg_svd", ["U", "S", "Vh"])
OldSVDResult = namedtuple("svd", ["U", "S", "V"])
LstsqResult = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


def _solve_upper(r, b):
    """R^-1 B for an upper-triangular R (inside the VJPs: the operands are known to be fine)."""
    return apply(SolveTriangular, r, b, upper=True, unitriangular=False)


def _empty(x):
    """A 1-d tensor with no entries, of ``x``'s dtype (PyTorch's answer for results that are not computed)."""
    return getitem(reshape(x, (-1,)), slice(0, 0))


def _last(x, start, stop=None):
    """``x[..., start:stop]``: a range of the last dim."""
    return getitem(x, (Ellipsis, slice(start, stop)))


def _rows(x, start, stop=None):
    """``x[..., start:stop, :]``: a range of rows of each matrix."""
    return getitem(x, (Ellipsis, slice(start, stop), slice(None)))


def _matrix_sizes(op_name, x, what):
    """The (rows, cols) of ``x``'s matrices, which ``what`` needs to know when the graph is built."""
    rows, cols = x.shape[-2:]
    if None in (rows, cols):
        raise NotImplementedError(f"{op_name}: {what} needs the matrix sizes when the graph is built, got "
                                  f"{describe(x)}")
    return rows, cols


# -------------------------------------------------------------------------------------------- Cholesky

class Cholesky(Op):
    """The lower-triangular L with a positive diagonal and ``A = L L^H``, for a Hermitian (real: symmetric)
    positive-definite A (only A's lower triangle is read). With ``upper``: U = L^H, from A's upper triangle.

    VJP (Murray 2016): with Φ(X) the lower triangle of X with its diagonal halved and sym(X) = (X + X^H) / 2,
    ``gA = L^-H sym(Φ(L^H gL)) L^-1`` — two triangular solves instead of inverses. (Only gL's lower triangle
    matters, and Φ(L^H gL) sees no other: L^H times an upper triangle is upper triangular.) For complex numbers
    the diagonal of L^H gL is halved as it is, imaginary part included, as PyTorch does. With ``upper`` the same
    formula with gL = gU^H, as PyTorch: A counts as the Hermitian matrix both triangles describe, so its gradient
    is not conjugate-transposed as the upper triangle's read (A^H's lower one) would suggest."""
    name = "LinalgCholeskyEx"
    saves_inputs = ()
    saves_outputs = True

    @staticmethod
    def forward(xp, a, upper=False):
        a = _conj_transpose(xp, a) if upper else a
        try:
            with reporting_linalg_errors(xp):  # (on a GPU, a wait, as PyTorch's cholesky makes to check)
                factor = cholesky_factor(xp, a)
        except numpy.linalg.LinAlgError:
            where, order = _first_bad_minor(xp, a)
            raise LinAlgError(f"linalg.cholesky: {where}The factorization could not be completed because the input "
                              f"is not positive-definite (the leading minor of order {order} is not "
                              f"positive-definite). Input: {describe(a)}.") from None
        return _conj_transpose(xp, factor) if upper else factor

    @staticmethod
    def vjp(ctx, g):
        return (cholesky_vjp(ctx.outputs[0], g, ctx.attrs.get("upper", False)),)

    @staticmethod
    def infer(a, upper=False):
        return a


def cholesky_vjp(factor, g, upper):
    """A's gradient from the factor's (see ``Cholesky``)."""
    lh = factor if upper else _mH(factor)  # L^H, upper triangular
    p = tril(matmul(lh, _mH(g) if upper else g))
    s = (p + _mH(tril(p, -1))) * 0.5  # sym(Φ(P)): the halved diagonal, and the lower triangle mirrored, halved
    return _mH(_solve_upper(lh, _mH(_solve_upper(lh, s))))  # (L^-H (L^-H S)^H)^H = L^-H S L^-1


def cholesky_factor(xp, a):
    """``xp.linalg.cholesky(a)``, failing also where LAPACK lets a NaN or inf through to the factor (a pivot that
    is NaN passes LAPACK's test for a positive one), as PyTorch's check fails."""
    factor = xp.linalg.cholesky(a)
    if not bool(xp.isfinite(factor).all()):
        raise numpy.linalg.LinAlgError("not positive-definite")
    return factor


def _conj_transpose(xp, a):
    return xp.conj(xp.swapaxes(a, -1, -2))


def _first_bad_minor(xp, a):
    """Which matrix of the batch ``a`` is not positive-definite, and the order k of its first leading minor (its
    top-left k x k block) that is not: where the factorization stopped, which PyTorch's message reports. The
    leading blocks of a positive-definite matrix are positive-definite, so the orders that fail are k, ..., n:
    bisection finds k."""
    matrix, where = first_failure(a, lambda m: cholesky_factor(xp, m))
    good, bad = 0, matrix.shape[-1]  # (order 0 counts as positive-definite; the whole matrix is not)
    while bad - good > 1:
        middle = (good + bad) // 2
        if fails(lambda m: cholesky_factor(xp, m), matrix[:middle, :middle]):
            bad = middle
        else:
            good = middle
    return where, bad


def cholesky(A, upper=False):
    """``torch.linalg.cholesky`` (and the old ``torch.cholesky``): the lower-triangular L with ``A = L L^H`` for
    each Hermitian (real: symmetric) positive-definite matrix of the batch; ``upper=True`` gives ``U = L^H``
    (``A = U^H U``). Only one triangle of A is read: the lower one, or with ``upper`` the upper one, as PyTorch.
    A matrix that is not positive-definite is an error, on a GPU too."""
    A = check_matrices("linalg.cholesky", A)
    return apply(Cholesky, A, upper=True) if upper else apply(Cholesky, A)


# -------------------------------------------------------------------------------------------------- QR

class QR(Op):
    """``A = Q R``, Q with orthonormal columns and R upper-triangular (LAPACK's Householder QR). ``mode``
    'reduced': Q (m, k), R (k, n) with k = min(m, n); 'complete': Q (m, m), R (m, n).

    VJP for m >= n: with M = R gR^T - gQ^T Q and copyltu(M) the symmetric matrix that has M's lower triangle,
    ``gA = (gQ + Q copyltu(M)) R^-T``. For m < n, split A = [X | Y] (X its first m columns) and R = [U | V]:
    X = Q U is a square QR and Y = Q V, so ``gY = Q gV`` and gX is the square case with gQ + Y gV^T for gQ.
    With mode='complete' and m > n, Q's last m - n columns are any basis of what A's columns leave out: no
    gradient (as in PyTorch)."""
    name = "LinalgQr"
    n_outputs = 2
    accepts_missing_grads = True
    saves_inputs = ()
    saves_outputs = True

    @staticmethod
    def forward(xp, a, mode):
        q, r = xp.linalg.qr(a, mode=mode)
        return q, r

    @staticmethod
    def vjp(ctx, gq, gr):
        q, r = ctx.outputs
        m, n = _matrix_sizes("linalg.qr", ctx.inputs[0], "the gradient")
        if m > n and ctx.attrs["mode"] == "complete":
            raise OpError("linalg.qr: The QR decomposition is not differentiable when mode='complete' and nrows > "
                          "ncols.")
        if m >= n:
            return (_qr_vjp(q, r, gq, gr),)
        gu = gv = None
        if gr is not None:
            gu, gv = _last(gr, 0, m), _last(gr, m)
            y_gvt = matmul(matmul(q, _last(r, m)), _mH(gv))  # Y gV^H, with Y = Q V
            gq = y_gvt if gq is None else gq + y_gvt
        gx = _qr_vjp(q, _last(r, 0, m), gq, gu)
        gy = zeros_like(_last(r, m)) if gv is None else matmul(q, gv)
        return (cat([gx, gy], -1),)

    @staticmethod
    def infer(a, mode):
        if a.shape is None:
            return Spec(None, a.dtype), Spec(None, a.dtype)
        m, n = a.shape[-2:]
        k = m if mode == "complete" else (None if None in (m, n) else min(m, n))
        return Spec(a.shape[:-2] + (m, k), a.dtype), Spec(a.shape[:-2] + (k, n), a.dtype)


def _qr_vjp(q, r, gq, gr):
    """gA of A = QR for m >= n (R square and invertible): ``(gQ + Q copyltu(M)) R^-H``, M = R gR^H - gQ^H Q, where
    copyltu(M) is the Hermitian matrix with M's lower triangle — its diagonal real for complex numbers, as R's
    diagonal is (LAPACK's convention, which fixes each column's phase)."""
    m = matmul(r, _mH(gr)) if gr is not None else None
    if gq is not None:
        m = -matmul(_mH(gq), q) if m is None else m - matmul(_mH(gq), q)
    copyltu = tril(m) + _mH(tril(m, -1))
    if m.dtype.kind == "c":
        copyltu = copyltu - diag_embed(imag(diagonal(m, 0, -2, -1)) * 1j)
    b = matmul(q, copyltu)
    if gq is not None:
        b = b + gq
    return _mH(_solve_upper(r, _mH(b)))  # B R^-H = (R^-1 B^H)^H


def linalg_qr(A, mode="reduced"):
    """``torch.linalg.qr``: the named tuple ``(Q, R)`` with ``A = Q R`` for each matrix of the batch (..., m, n).
    ``mode``: 'reduced' (Q m x k, R k x n, k = min(m, n)), 'complete' (Q m x m, R m x n) or 'r' (only R; Q is
    an empty tensor)."""
    if mode not in ("reduced", "complete", "r"):
        raise OpError(f"qr received unrecognized mode {mode!r} but expected one of 'reduced' (default), 'r', or "
                      f"'complete'")
    check_matrices("linalg.qr", A, square=False)
    Q, R = apply(QR, A, mode="complete" if mode == "complete" else "reduced")
    return QRResult(_empty(Q) if mode == "r" else Q, R)


def qr(input, some=True):
    """The old ``torch.qr``: ``some=True`` is mode 'reduced', ``some=False`` mode 'complete'."""
    return linalg_qr(input, "reduced" if some else "complete")


# ------------------------------------------------------------------------------------------------ eigh

class Eigh(Op):
    """Eigenvalues w (ascending, real) and orthonormal eigenvectors V (its columns), ``A = V diag(w) V^H``, of a
    Hermitian (real: symmetric) A of which only the triangle ``UPLO`` is read.

    VJP (Giles 2008): ``gA = V (diag(gw) + F ∘ skew(V^H gV)) V^H`` with F_ij = 1 / (w_j - w_i) off the diagonal
    (1 on it) and skew(X) = (X - X^H) / 2. Taking the skew part first (F is antisymmetric) makes gA Hermitian.
    skew(X)'s diagonal is 0 for real numbers; for complex ones it is i·Im(diag(V^H gV)), which is 0 for every loss
    that does not depend on the phases of the eigenvectors (each is unique only up to a factor e^{iφ}); a loss
    that does depend on them is refused, as PyTorch refuses it (``PhaseInvariant``).
    Repeated eigenvalues make F infinite: see the module's notes."""
    name = "LinalgEigh"
    n_outputs = 2
    accepts_missing_grads = True
    saves_inputs = ()
    saves_outputs = True

    @staticmethod
    def forward(xp, a, UPLO):
        w, v = xp.linalg.eigh(a, UPLO=UPLO)
        return w, v

    @staticmethod
    def vjp(ctx, gw, gv):
        w, v = ctx.outputs
        inner = None
        if gv is not None:
            vhgv = matmul(_mH(v), gv)
            skew = (vhgv - _mH(vhgv)) * 0.5
            if vhgv.dtype.kind == "c":  # skew's diagonal, i·Im(diag(V^H gV)), is dL/dφ: checked to be 0, taken out
                from .decompositions_general import PhaseInvariant  # (after this module in the import order)
                phases = apply(PhaseInvariant, diagonal(vhgv, 0, -2, -1), op_name="linalg_eigh_backward")
                skew = skew - diag_embed(imag(phases) * 1j)
            gaps = unsqueeze(w, -2) - unsqueeze(w, -1)  # gaps[i, j] = w_j - w_i
            # adding the identity on the diagonal avoids 0/0 and leaves skew(.)'s diagonal as it is
            inner = skew / (gaps + eye_like(w))
        if gw is not None:
            gw = diag_embed(cast(gw, v.dtype) if v.dtype != gw.dtype else gw)
            inner = gw if inner is None else inner + gw
        return (matmul(matmul(v, inner), _mH(v)),)

    @staticmethod
    def infer(a, UPLO):
        return Spec(None if a.shape is None else a.shape[:-1], dtypes.to_real(a.dtype)), a


def _triangle(op_name, UPLO):
    """'L' or 'U' (PyTorch takes either case)."""
    if not isinstance(UPLO, str) or UPLO.upper() not in ("L", "U"):
        raise OpError(f"{op_name}: Expected UPLO argument to be 'L' or 'U', but got {UPLO!r}")
    return UPLO.upper()


def linalg_eigh(A, UPLO="L"):
    """``torch.linalg.eigh``: the named tuple ``(eigenvalues, eigenvectors)`` of each symmetric matrix of the
    batch — eigenvalues ascending, eigenvectors as the columns of an orthogonal matrix (each up to its sign).
    Only the lower (``UPLO='L'``) or upper ('U') triangle of A is read."""
    UPLO = _triangle("linalg.eigh", UPLO)
    return EighResult(*apply(Eigh, check_matrices("linalg.eigh", A), UPLO=UPLO))


class Eigvalsh(Op):
    """The eigenvalues alone: dw_i = v_i^H dA v_i, so ``gA = V diag(gw) V^H``. Not ``eigh(A)[0]``: a multi-output
    op is handed zeros for its unused outputs in eager mode, and 0 times the infinite F of a repeated eigenvalue
    would poison the gradient with NaN. The forward skips the eigenvectors; the VJP computes them."""
    name = "LinalgEigh"
    saves_inputs = (0,)

    forward = staticmethod(lambda xp, a, UPLO: xp.linalg.eigvalsh(a, UPLO=UPLO))

    @staticmethod
    def vjp(ctx, g):
        v = linalg_eigh(ctx.inputs[0], ctx.attrs["UPLO"]).eigenvectors
        return (matmul(v * unsqueeze(g, -2), _mH(v)),)

    @staticmethod
    def infer(a, UPLO):
        return Spec(None if a.shape is None else a.shape[:-1], dtypes.to_real(a.dtype))


def linalg_eigvalsh(A, UPLO="L"):
    """``torch.linalg.eigvalsh``: the eigenvalues (ascending) of each symmetric matrix of the batch."""
    UPLO = _triangle("linalg.eigvalsh", UPLO)
    return apply(Eigvalsh, check_matrices("linalg.eigvalsh", A), UPLO=UPLO)


# ------------------------------------------------------------------------------------------------- SVD

class SVD(Op):
    """``A = U diag(S) Vh``: singular values S (descending, >= 0), U's columns and Vh's rows orthonormal.
    ``full_matrices``: U (m, m) and Vh (n, n); otherwise U (m, k), Vh (k, n), k = min(m, n).

    VJP (Seeger et al. 2017; PyTorch's form), for the reduced SVD, with E_jk = s_k^2 - s_j^2 off the diagonal:

        gA = U [ (skew(U^H gU) S + S skew(V^H gV)) / E + diag(gS) ] Vh      skew(X) = X - X^H here
             + (I - U U^H) gU S^-1 Vh          (only when m > k: the part of gU outside U's columns)
             + U S^-1 gVh (I - V Vh)           (only when n > k)

    For complex matrices skew(.)'s diagonal is replaced by i·(Im diag(U^H gU) - Im diag(V^H gV)) / 2S, the term
    of the phases (``_phase_difference``).

    With only gS it is ``U diag(gS) Vh``. With ``full_matrices`` and m != n, the columns of U (rows of Vh)
    beyond k are any basis of what A leaves out: their gradient is ignored, as in PyTorch."""
    name = "LinalgSvd"
    n_outputs = 3
    accepts_missing_grads = True
    saves_inputs = ()
    saves_outputs = True

    @staticmethod
    def forward(xp, a, full_matrices):
        u, s, vh = lapack_svd(xp, a, full_matrices=full_matrices)
        return u, s, vh

    @staticmethod
    def vjp(ctx, gu, gs, gvh):
        u, s, vh = ctx.outputs
        m, n = ctx.inputs[0].shape[-2:]
        if ctx.attrs["full_matrices"] and m != n:
            m, n = _matrix_sizes("linalg.svd", ctx.inputs[0], "the gradient with full_matrices=True")
            k = min(m, n)
            u, gu = _last(u, 0, k), None if gu is None else _last(gu, 0, k)
            vh, gvh = _rows(vh, 0, k), None if gvh is None else _rows(gvh, 0, k)
        if gu is None and gvh is None:
            return (matmul(u * unsqueeze(gs, -2), vh),)
        s2 = s * s
        gaps = unsqueeze(s2, -2) - unsqueeze(s2, -1) + eye_like(s)  # E, with ones on the diagonal (where 0 / 1)
        inner = None
        du = dv = None  # diag(U^H gU) and diag(V^H gV)
        if gu is not None:
            j = matmul(_mH(u), gu)
            skew = j - _mH(j)
            if j.dtype.kind == "c":  # skew's diagonal, 2i·Im(du), is the phases' term: taken out, then added below
                du = diagonal(j, 0, -2, -1)
                skew = skew - diag_embed(imag(du) * 2j)
            inner = skew * unsqueeze(s, -2)
        if gvh is not None:
            k = matmul(vh, _mH(gvh))  # V^H gV
            skew = k - _mH(k)
            if k.dtype.kind == "c":
                dv = diagonal(k, 0, -2, -1)
                skew = skew - diag_embed(imag(dv) * 2j)
            term = unsqueeze(s, -1) * skew
            inner = term if inner is None else inner + term
        inner = inner / gaps
        if du is not None or dv is not None:
            inner = inner + diag_embed(_phase_difference(du, dv) * 0.5j / s)
        if gs is not None:
            inner = inner + diag_embed(gs)
        ga = matmul(matmul(u, inner), vh)
        unknown = None in (m, n)  # (then both projections are added: each is 0 when its side is square)
        if gu is not None and (unknown or m > n):
            gus = gu / unsqueeze(s, -2)
            ga = ga + matmul(gus - matmul(u, matmul(_mH(u), gus)), vh)
        if gvh is not None and (unknown or n > m):
            sgvh = gvh / unsqueeze(s, -1)
            ga = ga + matmul(u, sgvh - matmul(matmul(sgvh, _mH(vh)), vh))
        return (ga,)

    @staticmethod
    def infer(a, full_matrices):
        real = dtypes.to_real(a.dtype)  # (the singular values of complex matrices are real)
        if a.shape is None:
            return Spec(None, a.dtype), Spec(None, real), Spec(None, a.dtype)
        batch, (m, n) = a.shape[:-2], a.shape[-2:]
        k = None if None in (m, n) else min(m, n)
        return (Spec(batch + ((m, m) if full_matrices else (m, k)), a.dtype), Spec(batch + (k,), real),
                Spec(batch + ((n, n) if full_matrices else (k, n)), a.dtype))


def _phase_difference(du, dv):
    """Im(du) - Im(dv) for du = diag(U^H gU) and dv = diag(V^H gV) (None where that gradient is absent), once
    Im(du + dv) = 0 is checked: turning u_j and v_j by one phase e^{iφ} leaves A unchanged, and dL/dφ_j is
    Im(du_j + dv_j). A loss that depends on LAPACK's choice of phases is refused, as PyTorch refuses it."""
    from .decompositions_general import PhaseInvariant  # (it comes after this module in the import order)
    total = du if dv is None else dv if du is None else du + dv
    checked = imag(apply(PhaseInvariant, total, op_name="linalg_svd_backward", vectors="singular vectors"))
    if du is None:
        return -checked
    return checked if dv is None else checked - 2 * imag(dv)  # (written through the check, so that it runs)


def _no_driver(op_name, driver):
    """PyTorch's ``driver=`` picks a cuSOLVER routine; None (the default) is all there is to choose here."""
    if driver is not None:
        raise OpError(f"{op_name}: keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER backend "
                      f"(got driver={driver!r}; minidl's SVD is numpy's or cupy's own)")


def linalg_svd(A, full_matrices=True, *, driver=None):
    """``torch.linalg.svd``: the named tuple ``(U, S, Vh)`` with ``A = U diag(S) Vh`` for each matrix of the
    batch (..., m, n); S descending. Singular vectors are unique up to sign only."""
    _no_driver("linalg.svd", driver)
    check_matrices("linalg.svd", A, square=False)
    return SVDResult(*apply(SVD, A, full_matrices=bool(full_matrices)))


class Svdvals(Op):
    """The singular values alone: ds_i = Re(u_i^H dA v_i), so ``gA = U diag(gS) Vh``. A single-output op for the
    reason ``Eigvalsh`` is one (repeated or zero singular values must not turn the gradient into NaN)."""
    name = "LinalgSvd"
    saves_inputs = (0,)

    forward = staticmethod(lambda xp, a: lapack_svd(xp, a, compute_uv=False))

    @staticmethod
    def vjp(ctx, g):
        u, _, vh = linalg_svd(ctx.inputs[0], full_matrices=False)
        return (matmul(u * unsqueeze(g, -2), vh),)

    @staticmethod
    def infer(a):
        real = dtypes.to_real(a.dtype)
        if a.shape is None:
            return Spec(None, real)
        m, n = a.shape[-2:]
        return Spec(a.shape[:-2] + (None if None in (m, n) else min(m, n),), real)


def linalg_svdvals(A, *, driver=None):
    """``torch.linalg.svdvals``: the singular values (descending) of each matrix of the batch."""
    _no_driver("linalg.svdvals", driver)
    return apply(Svdvals, check_matrices("linalg.svdvals", A, square=False))


def svd(input, some=True, compute_uv=True):
    """The old ``torch.svd``: the named tuple ``(U, S, V)`` — V, not Vh: ``A = U diag(S) V^H``. ``some=True``
    gives the reduced SVD; with ``compute_uv=False``, U and V are full-size matrices of zeros."""
    if not compute_uv:  # (the full U and Vh only lend their shapes to the zeros)
        U, _, Vh = linalg_svd(input, full_matrices=True)
        return OldSVDResult(zeros_like(U), linalg_svdvals(input), zeros_like(Vh))
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return OldSVDResult(U, S, _mH(Vh))


# ------------------------------------------------------------------------------------------------ lstsq

LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def linalg_lstsq(A, B, rcond=None, *, driver=None):
    """``torch.linalg.lstsq``: the X that minimizes ||A X - B|| for each A (m, n) of the batch — and where many
    do (a wide A, or one of lower rank), the smallest of them. B is (..., m, k), or a vector by
    ``linalg.solve``'s rule. The gradient comes from the ops used.

    ``driver`` picks the method, after PyTorch's LAPACK drivers:

    * 'gels' takes A to have full rank and solves through QR, not the normal equations (A^T A would square the
      condition number): for m >= n, A = QR and ``X = R^-1 Q^T B``; for m < n, A^T = QR and ``X = Q R^-T B``.
    * 'gelsy' (the default), 'gelsd' and 'gelss' take any A: ``X = pinv(A) B``, with the singular values at or
      below rcond · the largest counted as zero (rcond defaults to eps · max(m, n)).

    The named tuple holds what each driver computes and empty tensors elsewhere: ``residuals``, the squared norms
    of the columns of A X - B ('gels', 'gelsd', 'gelss', only when m > n; PyTorch also leaves them empty for a
    matrix of lower rank, a shape that depends on the values, not mirrored here), ``rank`` (int64; not 'gels')
    and ``singular_values`` ('gelsd', 'gelss')."""
    check_matrices("linalg.lstsq", A, square=False, real=True)
    _check_tensors("linalg.lstsq", B)
    require_same_dtype("linalg.lstsq", [("A", A), ("B", B)])
    driver = "gelsy" if driver is None else driver
    if driver not in LSTSQ_DRIVERS:
        raise OpError(f"linalg.lstsq: parameter `driver` should be one of ({', '.join(LSTSQ_DRIVERS)}), got "
                      f"{driver!r}")
    vector = _is_vector_rhs(A, B)
    rhs = unsqueeze(B, -1) if vector else B
    m, n = _matrix_sizes("linalg.lstsq", A, "choosing between the tall and the wide case")
    if rhs.ndim < 2 or rhs.shape[-2] not in (None, m):
        raise OpError(f"linalg.lstsq: input.size(-2) should match other.size(-2), got {describe(A)} and "
                      f"{describe(B)}")
    broadcast_shapes("linalg.lstsq", A.shape[:-2], rhs.shape[:-2])
    if driver != "gels":
        X = matmul(linalg_pinv(A, rtol=rcond), rhs)
    elif m >= n:
        Q, R = linalg_qr(A)
        X = linalg_solve_triangular(R, matmul(mT(Q), rhs), upper=True)
    else:
        Q, R = linalg_qr(mT(A))  # A = R^T Q^T; the smallest solution lies in the span of Q's columns
        X = matmul(Q, linalg_solve_triangular(mT(R), rhs, upper=False))
    if m > n and driver != "gelsy":
        residual = matmul(A, X) - rhs
        residuals = sum(residual * residual, -2)
    else:
        residuals = _empty(X)
    rank = cast(_empty(A), dtypes.int64) if driver == "gels" else linalg_matrix_rank(A, rtol=rcond)
    singular_values = linalg_svdvals(A) if driver in ("gelsd", "gelss") else _empty(A)
    return LstsqResult(squeeze(X, -1) if vector else X, residuals, rank, singular_values)
