"""``torch.hub``: models from a repository's ``hubconf.py``, and checkpoints kept in the hub's cache folder —
without the network, which minidl never uses at run time.

PyTorch downloads a GitHub repository (as a zip) into ``get_dir()/<owner>_<name>_<ref>`` and a checkpoint into
``get_dir()/checkpoints/<the URL's file name>``, then works from those folders. Here the folders are read as
PyTorch reads them, and what PyTorch would download must already be there (put there by hand, or by a PyTorch
that downloaded it): ``load``/``list``/``help`` take a local folder (``source='local'``) or a repository in the
cache; ``load_state_dict_from_url`` loads the checkpoint in the cache, and refuses, naming the path to put the
file at, when it is missing. A ``file://`` URL is a local file and is copied as PyTorch copies it.

``hubconf.py`` is imported as PyTorch imports it: a fresh module made from that file (never entered in
``sys.modules``) with its folder first on ``sys.path`` meanwhile; its ``dependencies`` list names the packages an
entrypoint needs, checked before one is called. The checkpoints are read by ``load``, so they are minidl's files:
a PyTorch checkpoint (a zip of pickles) is refused with ``load``'s message, never unpickled.
"""
import contextlib
import hashlib
import importlib.util
import os
import re
import shutil
import sys
import uuid
import warnings
from urllib.parse import urlparse
from urllib.request import url2pathname

from .serialization import load as _load_file

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load", "load_state_dict_from_url", "set_dir"]

HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")  # "bfd8deac" in resnet18-bfd8deac.pth: the SHA256's first digits
ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
DEFAULT_CACHE_DIR = "~/.cache"
VAR_DEPENDENCY = "dependencies"
MODULE_HUBCONF = "hubconf.py"
READ_DATA_CHUNK = 128 * 1024

_hub_dir = None  # set_dir's folder; None: the one the environment names


def get_dir():
    """The hub's cache folder: ``set_dir``'s, else ``$TORCH_HOME/hub``, where ``$TORCH_HOME`` defaults to
    ``$XDG_CACHE_HOME/torch`` and ``$XDG_CACHE_HOME`` to ``~/.cache`` (PyTorch's variables and order)."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    torch_home = os.getenv(ENV_TORCH_HOME, os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "torch"))
    return os.path.join(os.path.expanduser(torch_home), "hub")


def set_dir(d):
    """Use the folder ``d`` (``~`` expanded) as the hub's cache folder from now on."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


def load(repo_or_dir, model, *args, source="github", trust_repo="check", force_reload=False, verbose=True,
         skip_validation=False, **kwargs):
    """What the entrypoint ``model`` of ``hubconf.py`` returns for ``*args, **kwargs``. ``repo_or_dir`` is a
    folder (``source='local'``) or ``"owner/name[:ref]"``, a repository in the cache (``source='github'``;
    see ``_cached_repo``)."""
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "github":
        repo_or_dir = _cached_repo(repo_or_dir, force_reload, trust_repo, verbose)
    with _added_to_sys_path(repo_or_dir):  # (the entrypoint may import the repository's modules when called)
        entry = _entrypoint(_import_hubconf(repo_or_dir), model)
        return entry(*args, **kwargs)


def list(github, force_reload=False, skip_validation=False, trust_repo="check", verbose=True, *, source="github"):
    """The names of ``hubconf.py``'s public callables (not starting with ``_``), sorted. PyTorch's ``list`` reads
    GitHub repositories only; ``source='local'`` (minidl's, as ``load``'s) reads the folder ``github``."""
    module = _import_hubconf(_repo_dir(github, source, force_reload, trust_repo, verbose))
    return [name for name in dir(module) if callable(getattr(module, name)) and not name.startswith("_")]


def help(github, model, force_reload=False, skip_validation=False, trust_repo="check", *, source="github"):
    """The docstring of the entrypoint ``model`` (``source`` as ``list``'s)."""
    module = _import_hubconf(_repo_dir(github, source, force_reload, trust_repo, verbose=True))
    return _entrypoint(module, model).__doc__


def _repo_dir(repo_or_dir, source, force_reload, trust_repo, verbose):
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    return repo_or_dir if source == "local" else _cached_repo(repo_or_dir, force_reload, trust_repo, verbose)


def _cached_repo(github, force_reload, trust_repo, verbose):
    """The cache folder of the repository ``"owner/name[:ref]"``: ``get_dir()/<owner>_<name>_<ref>``, a ``/`` in
    the ref written ``_`` (PyTorch's naming). Without a ref PyTorch asks GitHub for the default branch; here, as
    PyTorch does offline, it is ``main`` if the cache holds it, else ``master``. With the repository in its cache
    PyTorch neither downloads nor validates the ref (``skip_validation`` has nothing to skip); without it, or with
    ``force_reload``, it would download — which minidl never does, so that is an error saying what to do."""
    if ":" in github:
        repo_info, ref = github.split(":", 1)
    else:
        repo_info, ref = github, None
    if repo_info.count("/") != 1:
        raise ValueError(f'hub: "{github}" is not a GitHub repository "repo_owner/repo_name[:ref]" (for a folder '
                         f"on this machine, pass source='local')")
    owner, name = repo_info.split("/")
    hub_dir = get_dir()
    if ref is None:
        ref = next((b for b in ("main", "master") if os.path.isdir(os.path.join(hub_dir, f"{owner}_{name}_{b}"))),
                   "main")
    repo_dir = os.path.join(hub_dir, "_".join([owner, name, ref.replace("/", "_")]))
    if force_reload or not os.path.isdir(repo_dir):
        why = ("force_reload=True asks for a fresh download" if force_reload
               else f"{github} is not in the hub's cache ({repo_dir} does not exist)")
        raise RuntimeError(f"hub: {why}, and minidl never downloads. Put a copy of the repository (the folder with "
                           f"its {MODULE_HUBCONF}) at {repo_dir} — for instance: git clone --branch {ref} "
                           f"https://github.com/{owner}/{name} {repo_dir} — or pass a folder with source='local'")
    _check_repo_is_trusted(f"{owner}_{name}", trust_repo)
    if verbose:
        sys.stderr.write(f"Using cache found in {repo_dir}\n")
    return repo_dir


def _check_repo_is_trusted(owner_name, trust_repo):
    """PyTorch's trust check of a cached repository. A repository already in the cache counts as trusted (its
    rule for what was downloaded before the trusted list existed), so only ``trust_repo=False`` asks."""
    if trust_repo is False:
        response = input(f"The repository {owner_name} does not belong to the list of trusted repositories and as "
                         f"such cannot be downloaded. Do you trust this repository and wish to add it to the trusted "
                         f"list of repositories (y/N)?")
        if response.lower() in ("y", "yes"):
            print("The repository is already trusted.")
        elif response.lower() in ("n", "no", ""):
            raise Exception("Untrusted repository.")
        else:
            raise ValueError(f"Unrecognized response {response}.")


@contextlib.contextmanager
def _added_to_sys_path(path):
    sys.path.insert(0, path)
    try:
        yield
    finally:
        sys.path.remove(path)


def _import_hubconf(repo_dir):
    """A new module made from ``repo_dir/hubconf.py`` (its imports may name the folder's own modules)."""
    path = os.path.join(repo_dir, MODULE_HUBCONF)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"hub: no {MODULE_HUBCONF} in {repo_dir}")
    with _added_to_sys_path(repo_dir):
        spec = importlib.util.spec_from_file_location(MODULE_HUBCONF, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def _entrypoint(module, model):
    """The callable ``model`` of hubconf, once the packages in its ``dependencies`` are all importable."""
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    missing = [package for package in getattr(module, VAR_DEPENDENCY, None) or ()
               if importlib.util.find_spec(package) is None]
    if missing:
        raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")
    entry = getattr(module, model, None)
    if entry is None or not callable(entry):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return entry


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Copy the file at a ``file://`` URL to ``dst`` (through a temporary file beside it, so ``dst`` is never
    half written), checking that its SHA256 starts with ``hash_prefix`` when given. Any other URL is refused:
    minidl never downloads (``progress`` has no bar to show)."""
    dst = os.path.expanduser(dst)
    source = _local_path(url)
    if source is None:
        raise RuntimeError(f"hub: minidl never downloads, so {url} cannot be fetched to {dst}: download it yourself "
                           f"and put it at {dst}")
    partial = f"{dst}.{uuid.uuid4().hex}.partial"
    try:
        sha256 = hashlib.sha256()
        with open(source, "rb") as src, open(partial, "wb") as out:
            for chunk in iter(lambda: src.read(READ_DATA_CHUNK), b""):
                out.write(chunk)
                sha256.update(chunk)
        if hash_prefix is not None:
            _check_hash(sha256.hexdigest(), hash_prefix)
        shutil.move(partial, dst)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=False):
    """``load`` of the checkpoint that ``url`` names, from ``model_dir`` (default ``get_dir()/checkpoints``, made
    if missing), where it has the URL's file name (``file_name`` when given). A ``file://`` URL's file is copied
    there first; otherwise a file that is not there is an error naming the path to put it at. With
    ``check_hash`` the file name's ``-<hex digits>.`` part must begin its SHA256: PyTorch checks the bytes it
    downloads, so here the bytes copied, or the file found (put there in place of a download)."""
    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn("TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    match = HASH_REGEX.search(filename) if check_hash else None
    hash_prefix = match.group(1) if match else None
    if not os.path.exists(cached_file):
        if _local_path(url) is None:
            raise RuntimeError(f"hub: {filename} is not in {model_dir}, and minidl never downloads: download {url} "
                               f"yourself and put it at {cached_file}")
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    elif hash_prefix is not None:
        sha256 = hashlib.sha256()
        with open(cached_file, "rb") as f:
            for chunk in iter(lambda: f.read(READ_DATA_CHUNK), b""):
                sha256.update(chunk)
        _check_hash(sha256.hexdigest(), hash_prefix)
    return _load_file(cached_file, map_location=map_location, weights_only=weights_only)


def _check_hash(digest, hash_prefix):
    if digest[:len(hash_prefix)] != hash_prefix:
        raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')


def _local_path(url):
    """The file a ``file://`` URL on this machine names, or None for any other URL."""
    parts = urlparse(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    return url2pathname(parts.path)  # (which undoes the %-escapes)
