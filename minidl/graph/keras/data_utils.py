"""``tf.keras.utils.get_file``: the path of a file in Keras' cache folder — which Keras downloads there from
``origin`` when it is missing, and minidl never does (it has no network at run time).

Keras keeps such files in ``~/.keras/<cache_subdir>`` (``/tmp/.keras`` when ``~/.keras`` cannot be written), by
default ``~/.keras/datasets``, where ``tf.keras.datasets`` reads too. ``get_file`` finds the file there, checks it
against ``file_hash`` (sha256, or md5: by the hash's length) when given, unpacks a ``.tar.gz`` (``untar``) or a
tar/zip archive (``extract``) beside it as Keras does, and returns its path. A file that is not there is an error
that says where to put it.
"""
import hashlib
import os
import tarfile
import zipfile


def get_file(fname, origin, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None):
    """The path of ``fname`` in Keras' cache (the module docstring); ``origin`` is only named in the error."""
    cache_dir = os.path.expanduser(cache_dir or os.path.join("~", ".keras"))
    if not os.access(cache_dir, os.W_OK):
        cache_dir = os.path.join("/tmp", ".keras")  # Keras' fallback
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    directory = os.path.join(cache_dir, cache_subdir)
    path = os.path.join(directory, fname) + (".tar.gz" if untar else "")
    if not os.path.exists(path):
        raise FileNotFoundError(f"get_file: {fname} is not in Keras' cache folder ({path}), and minidl never "
                                f"downloads: fetch it from {origin} yourself and put it there")
    if file_hash is not None and not validate_file(path, file_hash, hash_algorithm):
        raise ValueError(f"get_file: {path} does not match the {hash_algorithm} hash {file_hash} (Keras would "
                         f"download it again; minidl does not): replace it with the file from {origin}")
    if untar:
        unpacked = os.path.join(directory, fname)
        if not os.path.exists(unpacked):
            _extract_archive(path, directory, "tar")
        return unpacked
    if extract:
        _extract_archive(path, directory, archive_format)
    return path


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Whether the file's hash is ``file_hash`` (``algorithm`` "sha256", "md5", or "auto": sha256 for a hash of 64
    hex digits, else md5)."""
    if algorithm == "auto":
        algorithm = "sha256" if len(str(file_hash)) == 64 else "md5"
    hasher = hashlib.new(algorithm)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest() == str(file_hash)


def _extract_archive(path, directory, archive_format="auto"):
    """Unpack a tar or zip archive into ``directory`` (no member may land outside it); whether one was unpacked."""
    formats = ["tar", "zip"] if archive_format == "auto" else [archive_format] if isinstance(archive_format, str) \
        else list(archive_format)
    if "tar" in formats and tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            archive.extractall(directory, filter="data")  # ("data": members stay inside, no links out, no devices)
        return True
    if "zip" in formats and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            archive.extractall(directory)  # (zipfile drops ".." and leading "/" from the members' names)
        return True
    return False
