"""Ops that exist only in graph mode: constants, placeholders, identity, stop_gradient, no_op.

Library ops (``minidl.ops``) compute from their inputs alone. These read something only a ``Session`` has — a
feed, or a value baked into the graph — so besides ``forward`` they may define ``execute(session, operation,
arrays)``, which the session calls instead.
"""
from ..ops.base import Op
from . import errors


class GraphOp(Op):
    """Base for graph-only ops. ``execute`` returns a tuple of output arrays. ``holds_state``: the output is
    stored state that ops of the same run may change (a variable), so each reader takes the value it has when the
    reader runs, as TF1's reference variables behave. ``writes_state``: the op changes the variable
    ``attrs["variable"]`` (an assignment). ``pure``: running it again, on the same inputs, gives the same outputs
    and changes nothing (a constant, an assertion) — unlike a variable, a random draw or a print."""
    differentiable = False
    holds_state = False
    writes_state = False
    pure = False

    @staticmethod
    def execute(session, operation, arrays):
        raise NotImplementedError

    @classmethod
    def read_state(cls, session, operation):
        """For an op that ``holds_state``: the value a reader sees now (its output, read again)."""
        return cls.execute(session, operation, [])[0]


class Const(GraphOp):
    """A value stored in the graph itself (``tf.constant``)."""
    pure = True

    @staticmethod
    def execute(session, operation, arrays):
        return (session.device_constant(operation),)


class Placeholder(GraphOp):
    """A value that must be fed (``feed_dict``) on every run that needs it."""
    pure = True

    @staticmethod
    def execute(session, operation, arrays):
        out = operation.outputs[0]
        shape = "unknown rank" if not out.shape.rank_known else \
            "[" + ",".join("?" if d is None else str(d) for d in out.shape) + "]"
        raise errors.InvalidArgumentError(
            None, operation, f"You must feed a value for placeholder tensor '{operation.name}' with dtype "
                             f"{out.dtype.name} and shape {shape}")


class Identity(Op):
    """``y = x`` (``tf.identity``, ``placeholder_with_default``); the gradient passes straight through."""
    saves_inputs = ()

    @staticmethod
    def forward(xp, x):
        return x

    @staticmethod
    def vjp(ctx, g):
        return (g,)

    @staticmethod
    def infer(spec, **attrs):
        return spec


class StopGradient(Op):
    """``y = x`` for the forward pass, but no gradient flows back through it."""
    differentiable = False

    @staticmethod
    def forward(xp, x):
        return x

    @staticmethod
    def infer(spec):
        return spec


class NoOp(GraphOp):
    """Does nothing; useful as a target for control dependencies (``tf.group``)."""

    @staticmethod
    def execute(session, operation, arrays):
        return ()
