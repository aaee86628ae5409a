"""Replacing a file so that a crash never leaves it half written: write a temporary file beside it, flush it to
disk, then rename it over the target (a rename within one directory is atomic: readers see the old file or the
new one, never a mix).

The temporary file comes from ``tempfile.mkstemp``, which makes it readable by its owner only (mode 0600) —
right for a file being written, wrong for the result: a checkpoint shipped to a serving process run by another
user must be readable like any other new file. So before the rename it gets the mode of the file it replaces,
or for a new file the mode ``open()`` would have given it: 0666 less the process's umask (0644 with the usual
umask 022). A path that is a symbolic link is written through (the file it points to is replaced, the link
stays), and a path that is no regular file (``/dev/null``, a pipe) is written into directly, as ``open()``
would: there is no file to replace.
"""
import os
import stat
import tempfile

__all__ = ["write_atomically", "new_file_mode"]


def write_atomically(path, write_to):
    """Call ``write_to(f)`` with a binary file beside ``path``, then put that file in ``path``'s place. If anything
    fails (or is interrupted) the temporary file is removed and ``path`` is untouched."""
    path = os.path.realpath(os.fsdecode(path))
    existing = os.stat(path) if os.path.exists(path) else None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(path, "wb") as f:
            write_to(f)
        return
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write_to(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(existing.st_mode) if existing is not None else new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def new_file_mode():
    """The mode ``open`` gives a new file: 0666 less the process's umask. (Reading the umask means setting it, so
    it is set straight back to what it was.)"""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
