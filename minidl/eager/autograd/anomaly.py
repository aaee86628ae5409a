"""``detect_anomaly``: find the op that first produced a NaN or Inf, in the forward or the backward pass."""
from ..grad_mode import GradMode


class detect_anomaly:
    """Inside this block every op checks its results. A backward that returns NaN/Inf gradients raises an error
    naming the op and where its forward was called, as in PyTorch. A forward that turns finite inputs into
    NaN/Inf only warns, naming the op: programs may mean it (``deg ** -0.5`` with the infinities replaced right
    after), and PyTorch runs them, but the warning points at the op when a NaN loss shows up later.

    It slows every op down; use it to debug, not to train.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = GradMode.anomaly, _mode["enabled"], _mode["check_nan"]
        _switch(True, self.check_nan)

    def __exit__(self, *exc):
        GradMode.anomaly, _mode["enabled"], _mode["check_nan"] = self._previous
        return False


#: PyTorch's two flags: anomaly mode on (``is_anomaly_enabled``), and whether it checks results for NaN (``False``
#: keeps the mode on without the checks). ``GradMode.anomaly``, read by every op, is "on and checking".
_mode = {"enabled": False, "check_nan": True}


def _switch(enabled, check_nan):
    _mode["enabled"], _mode["check_nan"] = bool(enabled), bool(check_nan)
    GradMode.anomaly = bool(enabled) and bool(check_nan)


class set_detect_anomaly(detect_anomaly):
    """Switch anomaly detection on or off: as a call, for the rest of the program; as a ``with`` block, until
    the block ends (then the previous setting comes back)."""

    def __init__(self, mode, check_nan=True):
        super().__init__(check_nan)
        self._previous = GradMode.anomaly, _mode["enabled"], _mode["check_nan"]
        _switch(mode, check_nan)  # the call itself switches; the with block only restores at its end

    def __enter__(self):
        return self


def is_anomaly_enabled():
    return _mode["enabled"]


def is_anomaly_check_nan_enabled():
    return _mode["check_nan"]
