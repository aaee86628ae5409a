"""Constraints: where a parameter or a value of a distribution may lie (``torch.distributions.constraints``).

A constraint's ``check(value)`` answers elementwise with a bool tensor; ``event_dim`` says how many rightmost
dimensions form one event (a probability vector is valid or not as a whole, so ``simplex.check`` reduces the
last dim). Distributions use them to validate their arguments (``validate_args``) and the values given to
``log_prob``. Only the constraints minidl's distributions use are here.
"""
from ... import ops


class Constraint:
    """A set of valid values. ``is_discrete`` for sets of integers; ``event_dim`` as in the module docstring."""
    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__.lstrip("_") + "()"


def _bound(value):
    """A bound as PyTorch prints it: a number when it is one."""
    return value.item() if hasattr(value, "numel") and value.numel() == 1 else value


class _Real(Constraint):
    """Every number but NaN (infinities are real here, as in PyTorch)."""

    def check(self, value):
        return ops.eq(value, value)


class _Boolean(Constraint):
    """0 or 1."""
    is_discrete = True

    def check(self, value):
        return ops.logical_or(ops.eq(value, 0), ops.eq(value, 1))


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return ops.gt(value, self.lower_bound)

    def __repr__(self):
        return f"GreaterThan(lower_bound={_bound(self.lower_bound)})"


class _GreaterThanEq(_GreaterThan):
    def check(self, value):
        return ops.ge(value, self.lower_bound)

    def __repr__(self):
        return f"GreaterThanEq(lower_bound={_bound(self.lower_bound)})"


class _LessThan(Constraint):
    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return ops.lt(value, self.upper_bound)

    def __repr__(self):
        return f"LessThan(upper_bound={_bound(self.upper_bound)})"


class _Interval(Constraint):
    """``lower_bound <= value <= upper_bound``."""

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        return ops.logical_and(ops.ge(value, self.lower_bound), ops.le(value, self.upper_bound))

    def __repr__(self):
        return f"{type(self).__name__.lstrip('_')}(lower_bound={_bound(self.lower_bound)}, " \
               f"upper_bound={_bound(self.upper_bound)})"


def _is_integer(value):
    return ops.eq(ops.remainder(value, 1), 0)


class _HalfOpenInterval(_Interval):
    """``lower_bound <= value < upper_bound``."""

    def check(self, value):
        return ops.logical_and(ops.ge(value, self.lower_bound), ops.lt(value, self.upper_bound))


class _IntegerInterval(_Interval):
    """The integers from ``lower_bound`` to ``upper_bound``, both included."""
    is_discrete = True

    def check(self, value):
        return ops.logical_and(_is_integer(value), super().check(value))


class _IntegerGreaterThan(_GreaterThan):
    """The integers ≥ ``lower_bound`` (PyTorch's name for it, though the bound is included)."""
    is_discrete = True

    def check(self, value):
        return ops.logical_and(_is_integer(value), ops.ge(value, self.lower_bound))

    def __repr__(self):
        return f"IntegerGreaterThan(lower_bound={_bound(self.lower_bound)})"


class _Simplex(Constraint):
    """Vectors of non-negative numbers that sum to 1 (probabilities of categories)."""
    event_dim = 1

    def check(self, value):
        return ops.logical_and(ops.all(ops.ge(value, 0), -1), ops.lt(ops.abs(value.sum(-1) - 1), 1e-6))


class _OneHot(Constraint):
    """Vectors of zeros with a single 1."""
    is_discrete = True
    event_dim = 1

    def check(self, value):
        return ops.logical_and(ops.all(_Boolean().check(value), -1), ops.eq(value.sum(-1), 1))


class _Multinomial(Constraint):
    """Vectors of counts: non-negative integers adding up to at most ``upper_bound`` (PyTorch's check, which has
    no integer test and allows a total below the number of trials; the integer test is added here)."""
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        counts = ops.logical_and(_is_integer(value), ops.ge(value, 0))
        return ops.logical_and(ops.all(counts, -1), ops.le(value.sum(-1), self.upper_bound))


class _LowerCholesky(Constraint):
    """Lower-triangular matrices with a positive diagonal: the Cholesky factors ``L`` of covariances ``L Lᵀ``."""
    event_dim = 2

    def check(self, value):
        lower = ops.all(ops.eq(ops.tril(value), value).flatten(-2), -1)
        return ops.logical_and(lower, ops.all(ops.gt(ops.diagonal(value, 0, -2, -1), 0), -1))


class _PositiveDefinite(Constraint):
    """Symmetric matrices whose eigenvalues are all positive (covariance matrices)."""
    event_dim = 2

    def check(self, value):
        symmetric = ops.all(ops.isclose(value, value.mT, atol=1e-6).flatten(-2), -1)
        return ops.logical_and(symmetric, ops.all(ops.gt(ops.linalg_eigvalsh(value), 0), -1))


class _Independent(Constraint):
    """``base`` applied elementwise, with ``reinterpreted_batch_ndims`` more rightmost dims forming one event:
    an event is valid when all its parts are."""

    def __init__(self, base, reinterpreted_batch_ndims):
        self.base, self.reinterpreted_batch_ndims = base, reinterpreted_batch_ndims
        self.is_discrete = base.is_discrete
        self.event_dim = base.event_dim + reinterpreted_batch_ndims

    def check(self, value):
        valid = self.base.check(value)
        n = self.reinterpreted_batch_ndims
        return ops.all(valid.flatten(-n), -1) if n > 0 else valid

    def __repr__(self):
        return f"IndependentConstraint({self.base!r}, {self.reinterpreted_batch_ndims})"


real = _Real()
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
unit_interval = _Interval(0.0, 1.0)
nonnegative_integer = _IntegerGreaterThan(0)
simplex = _Simplex()
one_hot = _OneHot()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
real_vector = _Independent(real, 1)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
independent = _Independent
multinomial = _Multinomial
