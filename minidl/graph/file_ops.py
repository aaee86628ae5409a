"""Whole files as graph ops: ``tf.read_file``, ``tf.write_file``, ``tf.matching_files`` (also in ``tf.io``) and
``tf.train.match_filenames_once``.

``read_file`` gives a file's bytes as a string scalar, to be decoded by another op (``tf.image.decode_png``,
``tf.decode_raw``); ``write_file`` replaces a file's contents, making its directory first if need be.
``matching_files`` lists the files that glob patterns (``*``, ``?``, ``[abc]``) match when it runs, sorted.

``match_filenames_once(pattern)`` keeps that list in a variable, so it is computed once, when the variable is
initialized, and not again on every run. As in TF it is a *local* variable (collection ``LOCAL_VARIABLES``): the
program must run ``tf.local_variables_initializer()``, and reading it before then is a
``FailedPreconditionError``::

    files = tf.train.match_filenames_once("data/train-*.tfrecord")
    queue = tf.train.string_input_producer(files)
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
"""
import glob
import os

import numpy

from ..backend import host_array
from ..io.atomic_write import write_atomically
from ..ops.base import Spec
from . import errors, io
from .core import GraphKeys, get_default_graph
from .frontend import convert_to_tensor
from .gfile import GFile
from .graph_ops import GraphOp
from .strings import string
from .variables import Variable

__all__ = ["match_filenames_once", "matching_files", "read_file", "write_file"]


def read_whole_file(name):
    """The bytes of file ``name`` (bytes or str); a missing file is TF's ``NotFoundError``."""
    with GFile(os.fsdecode(name), "rb") as f:
        return f.read()


def _shape_text(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _scalar(array, operation, what):
    """The one string of the string scalar ``array``, the input ``what`` (TF's words) of ``operation``."""
    array = host_array(array)
    if array.ndim:
        raise errors.InvalidArgumentError(None, operation, f"{what} must be scalar, but had shape: "
                                                           f"{_shape_text(array.shape)}")
    return array.item()


class ReadFile(GraphOp):
    """The contents of the file that input 0 (a string scalar) names."""

    @staticmethod
    def execute(session, operation, arrays):
        name = _scalar(arrays[0], operation, "Input filename tensor")
        return (numpy.array(read_whole_file(name), dtype=object),)


class WriteFile(GraphOp):
    """Write input 1 (a string scalar) to the file that input 0 names, making its directory if missing."""

    @staticmethod
    def execute(session, operation, arrays):
        name = os.fsdecode(_scalar(arrays[0], operation, "Input filename tensor"))
        contents = _scalar(arrays[1], operation, "Contents tensor")
        directory = os.path.dirname(name)
        if directory:
            os.makedirs(directory, exist_ok=True)
        write_atomically(name, lambda f: f.write(contents))  # aside, then renamed: a crash leaves the old file
        return ()


class MatchingFiles(GraphOp):
    """The sorted names of the files that the patterns of input 0 (a string scalar or vector) match."""

    @staticmethod
    def execute(session, operation, arrays):
        patterns = host_array(arrays[0])
        if patterns.ndim > 1:
            raise errors.InvalidArgumentError(None, operation, f"Input patterns tensor must be scalar or vector, "
                                                               f"but had shape: {_shape_text(patterns.shape)}")
        # every pattern's matches, together, then sorted as one list (duplicates kept), as TF's kernel does
        names = sorted(name for pattern in patterns.reshape(-1) for name in glob.glob(pattern))
        return (numpy.array(names, dtype=object),)


def _string_input(value, argument, op_name, max_rank):
    """``value`` as a string tensor of rank at most ``max_rank`` (when its rank is known)."""
    tensor = convert_to_tensor(value, name=argument)
    if tensor.dtype != string:
        raise TypeError(f"{op_name}: `{argument}` must be a tf.string tensor, got {tensor.dtype.name}")
    if tensor.shape.rank_known and tensor.shape.rank > max_rank:
        raise ValueError(f"{op_name}: `{argument}` must have rank at most {max_rank}, got shape {tensor.shape}")
    return tensor


def read_file(filename, name=None):
    """A string scalar: the bytes of the file ``filename`` (a string scalar) names, read each time it runs."""
    graph = get_default_graph()
    with graph.name_scope(name or "ReadFile") as scope:
        filename = _string_input(filename, "filename", "ReadFile", 0)
        return graph.create_op(ReadFile, [filename], {}, [Spec((), string)], name=scope[:-1],
                               unique=False).outputs[0]


def write_file(filename, contents, name=None):
    """An op that writes ``contents`` (a string scalar) to the file ``filename`` names, replacing it."""
    graph = get_default_graph()
    with graph.name_scope(name or "WriteFile") as scope:
        filename = _string_input(filename, "filename", "WriteFile", 0)
        contents = _string_input(contents, "contents", "WriteFile", 0)
        return graph.create_op(WriteFile, [filename, contents], {}, [], name=scope[:-1], unique=False)


def matching_files(pattern, name=None):
    """A string vector: the sorted names of the files matching ``pattern`` (a glob, or a vector of them)."""
    graph = get_default_graph()
    with graph.name_scope(name or "MatchingFiles") as scope:
        pattern = _string_input(pattern, "pattern", "MatchingFiles", 1)
        return graph.create_op(MatchingFiles, [pattern], {}, [Spec((None,), string)], name=scope[:-1],
                               unique=False).outputs[0]


def match_filenames_once(pattern, name=None):
    """A local variable holding the sorted names of the files matching ``pattern`` (a glob, or a list of them)
    when it is initialized; see the module docstring."""
    with get_default_graph().name_scope(name or "matching_filenames") as scope:
        files = matching_files(pattern)
        # the variable takes the scope's own name ("matching_filenames"): a name ending in "/" re-enters the scope
        return Variable(files, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES], validate_shape=False,
                        name=scope)


io.read_file, io.write_file, io.matching_files = read_file, write_file, matching_files
io.match_filenames_once = match_filenames_once
