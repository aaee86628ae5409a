"""Constraints: where a parameter or a value of a distribution may lie (``torch.distributions.constraints``).

A constraint's ``check(value)`` answers elementwise with a bool tensor; ``event_dim`` says how many rightmost
dimensions form one event (a probability vector is valid or not as a whole, so ``simplex.check`` reduces the
last dim). Distributions use them to validate their arguments (``validate_args``) and the values given to
``log_prob``; ``biject_to`` / ``transform_to`` (``constraint_registry.py``) map unconstrained tensors into them.
``dependent`` marks a parameter or a support that the distribution's other arguments fix (a Uniform's support
lies between its low and high): it cannot be checked alone, and validation skips it; ``dependent_property`` is
such a support written as a property that computes the real constraint from the instance.
"""
import numpy

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


class _LowerTriangular(Constraint):
    """Lower-triangular square matrices."""
    event_dim = 2

    def check(self, value):
        return ops.all(ops.eq(ops.tril(value), value).flatten(-2), -1)


class _LowerCholesky(_LowerTriangular):
    """Lower-triangular matrices with a positive diagonal: the Cholesky factors ``L`` of covariances ``L Lᵀ``."""

    def check(self, value):
        return ops.logical_and(super().check(value), ops.all(ops.gt(ops.diagonal(value, 0, -2, -1), 0), -1))


class _CorrCholesky(_LowerCholesky):
    """Cholesky factors of correlation matrices: lower-triangular, positive diagonal, and rows of unit length
    (the diagonal of ``L Lᵀ``, the variances, is 1). A row norm may miss 1 by the rounding of n terms, with a
    fudge factor of 10 (PyTorch's tolerance)."""

    def check(self, value):
        tolerance = float(numpy.finfo(value.dtype).eps) * value.shape[-1] * 10
        row_norm = ops.linalg_vector_norm(value.detach(), 2, -1)
        unit_rows = ops.all(ops.le(ops.abs(row_norm - 1.0), tolerance), -1)
        return ops.logical_and(super().check(value), unit_rows)


class _Square(Constraint):
    """Square matrices: a property of the shape, so every matrix of a batch answers alike."""
    event_dim = 2

    def check(self, value):
        return ops.full_like(value[..., 0, 0], value.shape[-2] == value.shape[-1], dtype=numpy.bool_)


class _Symmetric(_Square):
    """Square matrices equal to their transpose, up to an absolute 1e-6 (PyTorch's tolerance)."""

    def check(self, value):
        square = super().check(value)
        if value.shape[-2] != value.shape[-1]:
            return square
        return ops.all(ops.isclose(value, value.mT, atol=1e-6).flatten(-2), -1)


class _PositiveSemidefinite(_Symmetric):
    """Symmetric matrices whose eigenvalues are all >= 0.

    Each matrix of a batch is judged on its own (PyTorch answers for a whole batch with the symmetry test
    alone when one matrix in it is not symmetric); the eigenvalues of the lower triangle are computed even for a
    matrix that is not symmetric, with no branch on the values, so the check also builds as graph ops."""
    _eigenvalues_pass = staticmethod(ops.ge)  # the comparison of every eigenvalue with 0

    def check(self, value):
        symmetric = super().check(value)
        if value.shape[-2] != value.shape[-1]:
            return symmetric
        return ops.logical_and(symmetric, ops.all(self._eigenvalues_pass(ops.linalg_eigvalsh(value), 0), -1))


class _PositiveDefinite(_PositiveSemidefinite):
    """Symmetric matrices whose eigenvalues are all positive (covariance matrices)."""
    _eigenvalues_pass = staticmethod(ops.gt)


class _Independent(Constraint):
    """``base_constraint`` applied elementwise, with ``reinterpreted_batch_ndims`` more rightmost dims forming
    one event: an event is valid when all its parts are."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        self.base_constraint, self.reinterpreted_batch_ndims = base_constraint, reinterpreted_batch_ndims
        self.is_discrete = base_constraint.is_discrete
        self.event_dim = base_constraint.event_dim + reinterpreted_batch_ndims

    def check(self, value):
        valid = self.base_constraint.check(value)
        n = self.reinterpreted_batch_ndims
        return ops.all(valid.flatten(-n), -1) if n > 0 else valid

    def __repr__(self):
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


def _check_dim(name, dim, value):
    if not -value.dim() <= dim < value.dim():
        raise ValueError(f"constraints.{name}: dim {dim} is out of range for a value of shape {tuple(value.shape)}")


class _Pieces(Constraint):
    """Constraints ``cseq``, one for each piece of a value along ``dim`` (the pieces of ``cat`` or ``stack``)."""
    name = None  # "cat" or "stack", for messages

    def __init__(self, cseq, dim=0):
        self.cseq = list(cseq)
        if not all(isinstance(c, Constraint) for c in self.cseq):
            raise TypeError(f"constraints.{self.name}: every element of cseq must be a Constraint, got {self.cseq}")
        self.dim = dim

    @property
    def is_discrete(self):
        return any(c.is_discrete for c in self.cseq)


class _Cat(_Pieces):
    """Constraints ``cseq`` for consecutive pieces of a value along ``dim``, of ``lengths`` (1 each by default):
    the constraint of a ``torch.cat`` of values, each checked by its own constraint."""
    name = "cat"

    def __init__(self, cseq, dim=0, lengths=None):
        super().__init__(cseq, dim)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise ValueError(f"constraints.cat: {len(self.lengths)} lengths for {len(self.cseq)} constraints")

    @property
    def event_dim(self):
        return max(c.event_dim for c in self.cseq)

    def check(self, value):
        _check_dim("cat", self.dim, value)
        starts = numpy.cumsum([0] + self.lengths[:-1])
        return ops.cat([c.check(ops.narrow(value, self.dim, int(start), length))
                        for c, start, length in zip(self.cseq, starts, self.lengths)], self.dim)


class _Stack(_Pieces):
    """Constraints ``cseq`` for the slices of a value along ``dim``: the constraint of a ``torch.stack``."""
    name = "stack"

    @property
    def event_dim(self):
        """The slices' event dims, and one more if ``dim`` (counted from the right) falls inside the event."""
        event_dim = max(c.event_dim for c in self.cseq)
        return event_dim + 1 if self.dim + event_dim < 0 else event_dim

    def check(self, value):
        _check_dim("stack", self.dim, value)
        return ops.stack([c.check(ops.select(value, self.dim, i))
                          for i, c in zip(range(value.shape[self.dim]), self.cseq)], self.dim)


class _Dependent(Constraint):
    """A constraint fixed by a distribution's other arguments (module docstring). ``dependent(is_discrete=...,
    event_dim=...)`` gives one that knows those attributes; without them, asking is an error, as in PyTorch."""

    def __init__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        self._is_discrete, self._event_dim = is_discrete, event_dim

    @property
    def is_discrete(self):
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self):
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        return _Dependent(is_discrete=self._is_discrete if is_discrete is NotImplemented else is_discrete,
                          event_dim=self._event_dim if event_dim is NotImplemented else event_dim)

    def check(self, value):
        raise ValueError("Cannot determine validity of dependent constraint")


class _DependentProperty(property, _Dependent):
    """``@constraints.dependent_property(is_discrete=..., event_dim=...)`` over a method: on the class a dependent
    constraint (validation skips it), on an instance the constraint the method computes from it."""

    def __init__(self, fn=None, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)

    def __call__(self, fn):
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


def is_dependent(constraint):
    """Whether ``constraint`` is ``dependent`` (or a ``dependent_property``)."""
    return isinstance(constraint, _Dependent)


dependent = _Dependent()
dependent_property = _DependentProperty
real = _Real()
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
unit_interval = _Interval(0.0, 1.0)
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
simplex = _Simplex()
one_hot = _OneHot()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
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
cat = _Cat
stack = _Stack
