"""``tf.distributions.kl_divergence(a, b)`` and ``RegisterKL``: the eager KL table (``eager/distributions/kl.py``,
closed forms looked up by the pair of classes), which the graph distributions reach as subclasses of the eager
ones — so ``kl_divergence(Normal, Normal)`` is the eager formula, built as graph ops.
"""
from ...eager.distributions.kl import kl_divergence as eager_kl_divergence, register_kl
from ..basics import control_dependencies, identity, name_scope
from ..check_ops import Assert
from ..math_ops import equal


def kl_divergence(distribution_a, distribution_b, allow_nan_stats=True, name=None):
    """KL(a ‖ b), one value per distribution of the batch. With ``allow_nan_stats=False`` a NaN fails when the
    graph runs, as in TF."""
    with name_scope(name or "KullbackLeibler"):
        kl = eager_kl_divergence(distribution_a, distribution_b)
        if allow_nan_stats:
            return kl
        check = Assert(equal(kl, kl), [f"KL calculation between {distribution_a.name} and {distribution_b.name} "
                                       "returned NaN values (and was called with allow_nan_stats=False)", kl])
        with control_dependencies([check]):
            return identity(kl)


class RegisterKL:
    """``@RegisterKL(A, B)`` on ``kl(a, b, name=None)``: ``kl_divergence`` of an A and a B uses it."""

    def __init__(self, dist_cls_a, dist_cls_b):
        self._register = register_kl(dist_cls_a, dist_cls_b)

    def __call__(self, kl_fn):
        return self._register(kl_fn)
