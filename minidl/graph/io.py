"""``tf.io``: TF 1.15's home for file access — its file system functions (``tf.io.gfile``) and ``write_graph``."""
from . import gfile
from .train.graph_io import write_graph

__all__ = ["gfile", "write_graph"]
