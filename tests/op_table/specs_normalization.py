"""Op table entries for batch_norm (training and evaluation, with the running-statistics outputs), layer_norm and
group_norm.

Inputs are distinct multiples of 0.075 (``spread``): a normalized slice whose values nearly coincide would have
a variance near 0, where 1 / sqrt(var + eps) is so steep that central differences lose their digits."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, floats_array

EPS = 1e-5


def spread(shape):
    """Distinct values in [-3, 3], at least 0.075 apart."""
    return hnp.arrays(np.int64, shape, elements=st.integers(-40, 40), unique=True).map(lambda a: a * 0.075)


def channels_first(min_dims, max_dims, channels=st.integers(1, 3), min_values_per_channel=1):
    """Shapes (N, C, ...) with sides of at most 3 (N >= 2 when ``min_values_per_channel`` > 1)."""
    def shape(n, c, rest):
        return (n, c) + tuple(rest)
    n = st.integers(2 if min_values_per_channel > 1 else 1, 3)
    rest = st.lists(st.integers(1, 3), min_size=min_dims - 2, max_size=max_dims - 2)
    return st.builds(shape, n, channels, rest)


def with_vectors(shape_strategy, *makers):
    """``(x, *vectors)``: x of a drawn shape, then one array per maker of the channel count (x.shape[1])."""
    return shape_strategy.flatmap(lambda s: st.tuples(spread(s), *(make(s[1]) for make in makers)))


def params(c):
    return floats_array((c,), -2.0, 2.0)


def variances(c):
    return floats_array((c,), 0.5, 2.0)


def _column(v, ndim):
    return v.reshape((-1,) + (1,) * (ndim - 2))


def np_batch_norm_training(x, rm=None, rv=None, w=None, b=None, momentum=0.1):
    dims = (0,) + tuple(range(2, x.ndim))
    x64 = x.astype(np.float64)
    mean, var = x64.mean(axis=dims), x64.var(axis=dims)
    y = (x64 - _column(mean, x.ndim)) / np.sqrt(_column(var, x.ndim) + EPS)
    if w is not None:
        y = y * _column(w, x.ndim) + _column(b, x.ndim)
    out = [y, mean, var]
    if rm is not None:
        n = x.size / x.shape[1]
        out += [(1 - momentum) * rm + momentum * mean, (1 - momentum) * rv + momentum * var * n / (n - 1)]
    return tuple(a.astype(x.dtype) for a in out)


def np_batch_norm_eval(x, rm, rv, w, b):
    y = (x.astype(np.float64) - _column(rm, x.ndim)) / np.sqrt(_column(rv, x.ndim) + EPS)
    return (y * _column(w, x.ndim) + _column(b, x.ndim)).astype(x.dtype)


def np_layer_norm(x, k, w=None, b=None):
    dims = tuple(range(x.ndim - k, x.ndim))
    x64 = x.astype(np.float64)
    y = (x64 - x64.mean(axis=dims, keepdims=True)) / np.sqrt(x64.var(axis=dims, keepdims=True) + EPS)
    return (y if w is None else y * w + b).astype(x.dtype)


def np_group_norm(x, groups, w, b):
    grouped = x.astype(np.float64).reshape(x.shape[0], groups, -1)
    y = (grouped - grouped.mean(axis=2, keepdims=True)) / np.sqrt(grouped.var(axis=2, keepdims=True) + EPS)
    return (y.reshape(x.shape) * _column(w, x.ndim) + _column(b, x.ndim)).astype(x.dtype)


def torch_batch_norm_training(torch, x, rm, rv, w, b):
    """PyTorch updates clones of the running statistics in place; the batch statistics are computed aside."""
    rm, rv = rm.detach().clone(), rv.detach().clone()
    y = torch.nn.functional.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1)
    dims = (0,) + tuple(range(2, x.ndim))
    return y, x.mean(dims), x.var(dims, unbiased=False), rm, rv


def layer_norm_inputs(k, affine):
    """``(x, [weight, bias])`` for layer_norm over the last ``k`` dims of a 1- to 3-d input."""
    def arrays(shape):
        vectors = (floats_array(shape[-k:], -2.0, 2.0),) * 2 if affine else ()
        return st.tuples(spread(shape), *vectors)
    return hnp.array_shapes(min_dims=k, max_dims=3, min_side=1, max_side=3).flatmap(arrays)


def group_norm_inputs(groups):
    shape = st.builds(lambda n, per_group, rest: (n, groups * per_group) + tuple(rest), st.integers(1, 2),
                      st.integers(1, 2), st.lists(st.integers(1, 3), max_size=2))
    shape = shape.filter(lambda s: np.prod(s) > groups)  # PyTorch refuses groups of a single value
    return with_vectors(shape, params, params)


SPECS = [
    # ------------------------------------------------------------------------------------ batch_norm
    OpSpec("batch_norm_train_2d", lambda m, x, w, b: m.batch_norm(x, None, None, w, b, training=True),
           lambda x, w, b: np_batch_norm_training(x, None, None, w, b)[0],
           with_vectors(channels_first(2, 2, min_values_per_channel=2), params, params), grad_inputs=(0, 1, 2),
           atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.batch_norm(x, None, None, w, b, True)),
    OpSpec("batch_norm_train_4d", lambda m, x, w, b: m.batch_norm(x, None, None, w, b, training=True),
           lambda x, w, b: np_batch_norm_training(x, None, None, w, b)[0],
           with_vectors(channels_first(4, 4, min_values_per_channel=2), params, params), grad_inputs=(0, 1, 2),
           atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.batch_norm(x, None, None, w, b, True)),
    OpSpec("batch_norm_train_no_affine", lambda m, x: m.batch_norm(x, None, None, training=True),
           lambda x: np_batch_norm_training(x)[0], with_vectors(channels_first(3, 3, min_values_per_channel=2)),
           atol=1e-5, torch_fn=lambda torch, x: torch.nn.functional.batch_norm(x, None, None, training=True)),
    OpSpec("batch_norm_training_stats", lambda m, x, rm, rv, w, b: tuple(m.batch_norm_training(x, rm, rv, w, b)),
           np_batch_norm_training,
           with_vectors(channels_first(3, 3, min_values_per_channel=2), params, variances, params, params),
           grad_inputs=(0, 3, 4), atol=1e-5, torch_fn=torch_batch_norm_training,
           notes="outputs: normalized x, batch mean, biased batch var, new running mean, new running var "
                 "(unbiased batch var); differentiable in x through the batch statistics"),
    OpSpec("batch_norm_eval", lambda m, x, rm, rv, w, b: m.batch_norm(x, rm, rv, w, b, training=False),
           np_batch_norm_eval, with_vectors(channels_first(2, 4), params, variances, params, params),
           grad_inputs=(0, 3, 4), atol=1e-5,
           torch_fn=lambda torch, x, rm, rv, w, b: torch.nn.functional.batch_norm(x, rm, rv, w, b, False)),
    # ------------------------------------------------------------------------------------ layer_norm
    OpSpec("layer_norm_last_dim", lambda m, x, w, b: m.layer_norm(x, x.shape[-1:], w, b),
           lambda x, w, b: np_layer_norm(x, 1, w, b), layer_norm_inputs(1, True), grad_inputs=(0, 1, 2),
           atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.layer_norm(x, x.shape[-1:], w, b)),
    OpSpec("layer_norm_two_dims", lambda m, x, w, b: m.layer_norm(x, tuple(x.shape[-2:]), w, b),
           lambda x, w, b: np_layer_norm(x, 2, w, b), layer_norm_inputs(2, True), grad_inputs=(0, 1, 2),
           atol=1e-5, torch_fn=lambda torch, x, w, b: torch.nn.functional.layer_norm(x, x.shape[-2:], w, b)),
    OpSpec("layer_norm_no_affine", lambda m, x: m.layer_norm(x, x.shape[-1]), lambda x: np_layer_norm(x, 1),
           layer_norm_inputs(1, False), atol=1e-5,
           torch_fn=lambda torch, x: torch.nn.functional.layer_norm(x, x.shape[-1:])),
    # ------------------------------------------------------------------------------------ group_norm
    OpSpec("group_norm_two_groups", lambda m, x, w, b: m.group_norm(x, 2, w, b),
           lambda x, w, b: np_group_norm(x, 2, w, b), group_norm_inputs(2), grad_inputs=(0, 1, 2), atol=1e-5,
           torch_fn=lambda torch, x, w, b: torch.nn.functional.group_norm(x, 2, w, b)),
    OpSpec("group_norm_one_group", lambda m, x, w, b: m.group_norm(x, 1, w, b),
           lambda x, w, b: np_group_norm(x, 1, w, b), group_norm_inputs(1), grad_inputs=(0, 1, 2), atol=1e-5,
           torch_fn=lambda torch, x, w, b: torch.nn.functional.group_norm(x, 1, w, b)),
]
