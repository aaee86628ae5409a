"""The base class of transforms, differentiable maps y = f(x) with what a change of variables needs, and their
composition. The maps themselves are in ``transforms.py``.

If X has density p_X and f is a bijection, Y = f(X) has the density

    p_Y(y) = p_X(x) / |det J(x)|,   x = f⁻¹(y),  J = ∂y/∂x,
    log p_Y(y) = log p_X(x) - log|det J(x)|,

so a transform gives its forward map (``t(x)``), its inverse (``t.inv(y)``) and ``log_abs_det_jacobian(x, y)``
= log|det ∂y/∂x|. ``TransformedDistribution`` (``transformed.py``) chains them to build new distributions from old
ones: LogNormal = exp(Normal), Gumbel = loc - scale·log(-log U), and so on.

Each transform also says

* ``domain`` / ``codomain``: the constraints where x and y live; their ``event_dim`` is how many rightmost dims
  one application acts on jointly. An elementwise map has event_dim 0 and a diagonal Jacobian, so its log-det is
  elementwise too; ``SoftmaxTransform`` maps whole vectors (event_dim 1), and its log-det has one value per vector.
* ``bijective``: whether ``inv`` is a true inverse (``AbsTransform`` and ``SoftmaxTransform`` are not: their
  ``inv`` picks one preimage).
* ``sign``: +1 where y increases with x, -1 where it decreases — a cdf of y is a cdf of x or one minus it.

``cache_size=1`` makes a transform remember its last (x, y) pair, so that ``t.inv(t(x))`` returns x itself instead
of recomputing it: tanh(x) rounds to ±1 for |x| > 19 in float64, and atanh(±1) = ±inf, so the log-density of a
tanh-squashed sample (the actions of a soft actor-critic policy) needs the cache.
"""
import operator
from functools import reduce

from ... import ops
from . import constraints
from .utils import sum_rightmost


class Transform:
    """Base class: subclasses implement ``_call`` (x -> y), ``_inverse`` (y -> x) and ``log_abs_det_jacobian``,
    and set ``domain``, ``codomain``, ``bijective`` and ``sign``."""
    bijective = False
    domain = constraints.real
    codomain = constraints.real

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError("cache_size must be 0 or 1")
        self._cache_size = cache_size
        self._cached_x_y = None
        self._inv = None

    def __getstate__(self):
        """Pickled without the inverse, which refers back to the transform (it is made again when asked for)."""
        state = self.__dict__.copy()
        state["_inv"] = None
        return state

    @property
    def event_dim(self):
        """The number of rightmost dims one application acts on, when domain and codomain agree on it."""
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ValueError("Please use either .domain.event_dim or .codomain.event_dim")

    @property
    def inv(self):
        """The inverse transform: y -> x, with the domain and codomain swapped; one object, whose ``inv`` is this
        transform again."""
        if self._inv is None:
            self._inv = _InverseTransform(self)
        return self._inv

    @property
    def sign(self):
        raise NotImplementedError(f"{type(self).__name__} has no sign: it is not monotonic")

    def with_cache(self, cache_size=1):
        """This transform with ``cache_size`` (itself if it has it already), made again from ``_arguments()``."""
        if self._cache_size == cache_size:
            return self
        return type(self)(*self._arguments(), cache_size=cache_size)

    def _arguments(self):
        """The constructor's arguments other than ``cache_size``, to make this transform again: none here; a
        transform whose constructor takes more overrides this."""
        if type(self).__init__ is not Transform.__init__:
            raise NotImplementedError(f"{type(self)}.with_cache is not implemented")
        return ()

    def __call__(self, x):
        """y = f(x) (the cached y if ``x`` is the very tensor of the last call)."""
        if self._cached_x_y is not None and self._cached_x_y[0] is x:
            return self._cached_x_y[1]
        y = self._call(x)
        if self._cache_size:
            self._cached_x_y = (x, y)
        return y

    def _inv_call(self, y):
        """x = f⁻¹(y) (the cached x if ``y`` is the very tensor the last call returned)."""
        if self._cached_x_y is not None and self._cached_x_y[1] is y:
            return self._cached_x_y[0]
        x = self._inverse(y)
        if self._cache_size:
            self._cached_x_y = (x, y)
        return x

    def _call(self, x):
        raise NotImplementedError(f"{type(self).__name__} has no forward map")

    def _inverse(self, y):
        raise NotImplementedError(f"{type(self).__name__} has no inverse")

    def log_abs_det_jacobian(self, x, y):
        """log|det ∂y/∂x| at the pair (x, y = f(x)): one value per event of the domain."""
        raise NotImplementedError(f"{type(self).__name__} has no log_abs_det_jacobian")

    def forward_shape(self, shape):
        """The shape of y for an x of shape ``shape`` (parameters of the transform may broadcast it)."""
        return shape

    def inverse_shape(self, shape):
        """The shape of x for a y of shape ``shape``."""
        return shape

    def __eq__(self, other):
        """Whether two transforms compute the same map (``kl_divergence`` of two transformed distributions needs
        to know). Only an object is surely itself; transforms without parameters, or that can compare their
        parameters, say more."""
        return self is other

    def __repr__(self):
        return f"{type(self).__name__}()"


class _InverseTransform(Transform):
    """``t.inv``: calls t's inverse, and log|det ∂x/∂y| = -log|det ∂y/∂x| (the inverse function theorem)."""

    def __init__(self, transform):
        super().__init__(cache_size=transform._cache_size)
        self._inv = transform

    @property
    def domain(self):
        return self._inv.codomain

    @property
    def codomain(self):
        return self._inv.domain

    @property
    def bijective(self):
        return self._inv.bijective

    @property
    def sign(self):
        return self._inv.sign

    @property
    def inv(self):
        return self._inv

    def with_cache(self, cache_size=1):
        return self._inv.with_cache(cache_size).inv

    def __getstate__(self):
        """Pickled with the transform it inverts, which is all it is (PyTorch drops it, and its unpickled inverse
        fails)."""
        return self.__dict__.copy()

    def __call__(self, x):
        return self._inv._inv_call(x)  # the forward transform's cache serves both directions

    def _inv_call(self, y):
        return self._inv(y)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape):
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape):
        return self._inv.forward_shape(shape)

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    def __repr__(self):
        return f"_InverseTransform({self._inv!r})"


class ComposeTransform(Transform):
    """Transforms applied in order: y = fₙ(...f₂(f₁(x))). The chain rule makes the log-dets add up,

        log|det ∂y/∂x| = Σᵢ log|det ∂xᵢ/∂xᵢ₋₁|   (x₀ = x, xₙ = y),

    each term summed over the dims that are part of the composite's event but not of that part's. With no parts
    it is the identity (``identity_transform``). With ``cache_size=1`` every part caches too, so that
    ``log_abs_det_jacobian`` finds the intermediate values without recomputing them.
    """

    def __init__(self, parts, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.parts = [part.with_cache(cache_size) for part in parts] if cache_size else list(parts)

    def _arguments(self):
        return (self.parts,)

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    def _event_dims(self):
        """The event_dim of the composite's domain and of its codomain: an event must be big enough for every
        part, so walk the parts keeping the largest count of dims any of them acts on, measured at the input."""
        event_dim = 0
        for part in reversed(self.parts):
            event_dim = max(event_dim + part.domain.event_dim - part.codomain.event_dim, part.domain.event_dim)
        codomain_event_dim = event_dim
        for part in self.parts:
            codomain_event_dim += part.codomain.event_dim - part.domain.event_dim
        return event_dim, codomain_event_dim

    @property
    def domain(self):
        if not self.parts:
            return constraints.real
        return _with_event_dim(self.parts[0].domain, self._event_dims()[0])

    @property
    def codomain(self):
        if not self.parts:
            return constraints.real
        return _with_event_dim(self.parts[-1].codomain, self._event_dims()[1])

    @property
    def bijective(self):
        return all(part.bijective for part in self.parts)

    @property
    def sign(self):
        """Increasing if an even number of the parts decrease."""
        return reduce(operator.mul, (part.sign for part in self.parts), 1)

    @property
    def inv(self):
        """(fₙ ∘ ... ∘ f₁)⁻¹ = f₁⁻¹ ∘ ... ∘ fₙ⁻¹ (made once; its ``inv`` is this composite)."""
        if self._inv is None:
            self._inv = ComposeTransform([part.inv for part in reversed(self.parts)])
            self._inv._inv = self
        return self._inv

    def _call(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def _inverse(self, y):
        return self.inv(y)

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return ops.zeros_like(x)
        xs = [x]
        for part in self.parts[:-1]:
            xs.append(part(xs[-1]))
        xs.append(y)
        event_dim = self.domain.event_dim
        total = 0.0
        for part, before, after in zip(self.parts, xs[:-1], xs[1:]):
            total = total + sum_rightmost(part.log_abs_det_jacobian(before, after),
                                          event_dim - part.domain.event_dim)
            event_dim += part.codomain.event_dim - part.domain.event_dim
        return total

    def forward_shape(self, shape):
        for part in self.parts:
            shape = part.forward_shape(shape)
        return shape

    def inverse_shape(self, shape):
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return shape

    def __repr__(self):
        inner = "".join(f"\n    {part!r}," for part in self.parts)
        return f"ComposeTransform({inner}\n)"


def _with_event_dim(constraint, event_dim):
    """``constraint`` with extra rightmost dims reinterpreted as event dims, to reach ``event_dim``."""
    extra = event_dim - constraint.event_dim
    return constraints.independent(constraint, extra) if extra > 0 else constraint


identity_transform = ComposeTransform([])


class _ParameterFree(Transform):
    """A transform without parameters: all its instances compute the same map."""

    def __eq__(self, other):
        return type(self) is type(other)
