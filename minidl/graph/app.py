"""``tf.app``: start a script's ``main`` with its command-line flags parsed (``tf.app.flags``, in flags.py)."""
import sys

from . import flags
from .flags import FLAGS


def run(main=None, argv=None):
    """Parse the flags from ``argv`` (default ``sys.argv``), call ``main(remaining argv)`` (default: the ``main``
    function of the script being run) and exit with its return value, as TF1's ``tf.app.run`` did. Flags nobody
    defined are passed on to ``main`` with the other arguments (TF1 parsed with ``known_only``: a script's own
    argparse flags, or Jupyter's ``-f``, reach it)."""
    remaining = FLAGS(sys.argv if argv is None else argv, known_only=True)
    main = main or sys.modules["__main__"].main
    sys.exit(main(remaining))


__all__ = ["flags", "run"]
