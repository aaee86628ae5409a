"""``detect_anomaly``: find the op that first produced a NaN or Inf, in the forward or the backward pass."""
from ..grad_mode import GradMode


class detect_anomaly:
    """Inside this block every op checks its results: a forward that turns finite inputs into NaN/Inf, or a
    backward that returns NaN/Inf gradients, raises an error naming the op (and where it was created).

    It slows every op down; use it to debug, not to train.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = GradMode.anomaly
        GradMode.anomaly = self.check_nan

    def __exit__(self, *exc):
        GradMode.anomaly = self._previous
        return False


def set_detect_anomaly(mode):
    GradMode.anomaly = bool(mode)


def is_anomaly_enabled():
    return GradMode.anomaly
