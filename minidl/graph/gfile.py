"""``tf.gfile`` and ``tf.io.gfile``: TF1's file functions, over the local file system.

TensorFlow routes every file access through its own layer so that the same code reads a local path or a cloud
bucket. Here only local paths exist, so each function is Python's own (``os``, ``shutil``, ``glob``, ``open``)
with TF's names, argument order and errors: a missing file is ``errors.NotFoundError``, copying or renaming onto
an existing file without ``overwrite=True`` is ``errors.AlreadyExistsError``. TF1 had CamelCase names
(``tf.gfile.Exists``); TF 1.14 added the lowercase ``tf.io.gfile.exists`` forms. Both are here.
"""
import collections
import functools
import glob as _glob
import os
import shutil

from .errors import AlreadyExistsError, NotFoundError, PermissionDeniedError


def _tf_errors(fn):
    """Python's file errors as TF's, naming the path."""
    @functools.wraps(fn)
    def with_tf_errors(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FileNotFoundError as error:
            raise NotFoundError(None, None, f"{error.filename}; No such file or directory") from None
        except FileExistsError as error:
            raise AlreadyExistsError(None, None, f"{error.filename}; File exists") from None
        except PermissionError as error:
            raise PermissionDeniedError(None, None, f"{error.filename}; Permission denied") from None
    return with_tf_errors


class GFile:
    """``tf.gfile.GFile(name, mode="r")``: a file object (``read``, ``readline``, ``write``, iteration, ``with``);
    text in ``"r"``/``"w"``/``"a"``, bytes with ``"b"``. The file is opened on first use, as TF's is."""

    def __init__(self, name, mode="r"):
        if mode.replace("b", "").replace("+", "") not in ("r", "w", "a"):
            raise ValueError(f"mode must be one of r, w, a (with b or +), got {mode!r}")
        self.name, self.mode, self._file = os.fspath(name), mode, None

    @property
    def _opened(self):
        if self._file is None:
            self._file = _tf_errors(open)(self.name, self.mode)
        return self._file

    def read(self, n=-1):
        return self._opened.read(n)

    def readline(self):
        return self._opened.readline()

    def readlines(self):
        return self._opened.readlines()

    def write(self, data):
        self._opened.write(data)

    def seek(self, offset, whence=0):
        return self._opened.seek(offset, whence)

    def tell(self):
        return self._opened.tell()

    def size(self):
        return stat(self.name).length

    def flush(self):
        if self._file is not None:
            self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def __iter__(self):
        return iter(self._opened)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


FastGFile = Open = GFile

#: what ``stat`` returns (TF's FileStatistics)
FileStatistics = collections.namedtuple("FileStatistics", "length mtime_nsec is_directory")


def exists(path):
    return os.path.exists(path)


def isdir(path):
    return os.path.isdir(path)


@_tf_errors
def listdir(path):
    """The names (not paths) of the entries of directory ``path``."""
    if not os.path.isdir(path):
        raise FileNotFoundError(2, "not a directory", path)
    return sorted(os.listdir(path))


def glob(pattern):
    """The paths matching ``pattern`` (``*``, ``?``, ``[...]``), or those of a list of patterns."""
    patterns = [pattern] if isinstance(pattern, (str, bytes, os.PathLike)) else pattern
    return [path for p in patterns for path in sorted(_glob.glob(os.fspath(p)))]


@_tf_errors
def makedirs(path):
    """Make ``path`` and any missing parents; an existing directory is fine."""
    os.makedirs(path, exist_ok=True)


@_tf_errors
def mkdir(path):
    """Make directory ``path``; its parent must exist (``NotFoundError`` otherwise)."""
    os.mkdir(path)


@_tf_errors
def remove(path):
    os.remove(path)


@_tf_errors
def rmtree(path):
    """Delete directory ``path`` with everything in it."""
    shutil.rmtree(path)


@_tf_errors
def copy(oldpath, newpath, overwrite=False):
    if not overwrite and os.path.exists(newpath):
        raise FileExistsError(17, "exists", newpath)
    shutil.copyfile(oldpath, newpath)


@_tf_errors
def rename(oldname, newname, overwrite=False):
    if not overwrite and os.path.exists(newname):
        raise FileExistsError(17, "exists", newname)
    os.replace(oldname, newname)


@_tf_errors
def stat(path):
    info = os.stat(path)
    return FileStatistics(info.st_size, info.st_mtime_ns, os.path.isdir(path))


def walk(top, topdown=True, onerror=None):
    """``(directory, subdirectory names, file names)`` for ``top`` and every directory below it."""
    return os.walk(top, topdown=topdown, onerror=onerror)


# TF1's CamelCase names (tf.gfile.*)
Exists, IsDirectory, ListDirectory, Glob, MakeDirs, MkDir = exists, isdir, listdir, glob, makedirs, mkdir
Remove, DeleteRecursively, Copy, Rename, Stat = remove, rmtree, copy, rename, stat


def Walk(top, in_order=True):
    return walk(top, topdown=in_order)
