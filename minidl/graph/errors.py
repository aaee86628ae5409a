"""Errors raised by graph mode, mirroring ``tf.errors``.

A run-time error names the op that failed **and the line of your code that created it** — TF's
"Caused by op 'x', defined at ...", the most useful thing when a graph misbehaves long after it was built.
"""


class OpError(Exception):
    """Base class: ``.op`` is the Operation that failed (or None), ``.message`` the explanation."""

    def __init__(self, node_def, op, message):
        self.node_def = node_def
        self.op = op
        self.message = message
        super().__init__(message + _caused_by(op))

    @property
    def error_code(self):
        return type(self).__name__


def _caused_by(op):
    site = getattr(op, "defined_at", None)
    if op is None or site is None:
        return ""
    return f"\n\nCaused by op '{op.name}', defined at:\n{site.describe()}"


class CancelledError(OpError):
    pass


class UnknownError(OpError):
    pass


class InvalidArgumentError(OpError):
    pass


class DeadlineExceededError(OpError):
    pass


class NotFoundError(OpError):
    pass


class AlreadyExistsError(OpError):
    pass


class PermissionDeniedError(OpError):
    pass


class ResourceExhaustedError(OpError):
    pass


class FailedPreconditionError(OpError):
    pass


class AbortedError(OpError):
    pass


class OutOfRangeError(OpError):
    pass


class UnimplementedError(OpError):
    pass


class InternalError(OpError):
    pass


class DataLossError(OpError):
    pass
