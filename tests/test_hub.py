"""``torch.hub`` without the network: ``hubconf.py`` entrypoints from a folder or from a repository already in the
hub's cache, checkpoints found in (or copied by ``file://`` into) the cache folder, and refusals that say where to
put what PyTorch would download. Each behaviour is compared with ``torch.hub`` on the same folders, where PyTorch
is installed (its cached-repository path runs offline when the ref is given)."""
import hashlib
import io
import os
import textwrap

import numpy as np
import pytest

import minidl.eager as torchlike
from minidl.eager import hub

try:
    import torch as real_torch
    import torch.hub as torch_hub
except ImportError:  # the comparisons with PyTorch are skipped without it
    real_torch = torch_hub = None

needs_torch = pytest.mark.skipif(real_torch is None, reason="PyTorch is not installed")

HUBCONF = '''
dependencies = ["numpy"]

import os  # a module: not callable, so not an entrypoint
from minidl.eager import nn
from helper_module import HIDDEN  # the repository's own module, importable while hubconf loads


def _internal():
    """Not listed: a leading underscore."""


def tiny_linear(in_features=3, out_features=2, bias=True):
    """A linear layer.

    Args:
        in_features: inputs
    """
    return nn.Linear(in_features, out_features, bias=bias)


def tiny_mlp(hidden=HIDDEN):
    """Two linear layers with a ReLU between."""
    return nn.Sequential(nn.Linear(3, hidden), nn.ReLU(), nn.Linear(hidden, 2))


class Scaled:
    def __init__(self, factor):
        self.factor = factor


NOT_CALLABLE = 3
'''


def _write_repo(folder, hubconf=HUBCONF):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "hubconf.py"), "w") as f:
        f.write(textwrap.dedent(hubconf))
    with open(os.path.join(folder, "helper_module.py"), "w") as f:
        f.write("HIDDEN = 5\n")
    return str(folder)


@pytest.fixture
def hub_dirs(tmp_path, monkeypatch):
    """A fresh hub folder (for minidl and PyTorch) holding the repository "owner/repo" at ref "main", and a copy of
    it as a plain folder."""
    hub_dir = tmp_path / "hub"
    monkeypatch.setattr(hub, "_hub_dir", str(hub_dir))
    if torch_hub is not None:
        monkeypatch.setattr(torch_hub, "_hub_dir", str(hub_dir))
    cached = _write_repo(hub_dir / "owner_repo_main")
    local = _write_repo(tmp_path / "local_repo")
    return hub_dir, cached, local


def _no_prompt(monkeypatch):
    def refuse(prompt):
        raise AssertionError(f"unexpected prompt: {prompt}")
    monkeypatch.setattr("builtins.input", refuse)


# ------------------------------------------------------------------------------------------ load / list / help

def test_local_load_calls_the_entrypoint_with_its_arguments(hub_dirs, monkeypatch):
    _, _, local = hub_dirs
    _no_prompt(monkeypatch)  # trust_repo means nothing for a folder: never a prompt
    layer = hub.load(local, "tiny_linear", 4, out_features=6, source="local", trust_repo=False)
    assert isinstance(layer, torchlike.nn.Linear) and tuple(layer.weight.shape) == (6, 4)
    mlp = hub.load(local, "tiny_mlp", source="LOCAL")
    assert [tuple(p.shape) for p in mlp.parameters()] == [(5, 3), (5,), (2, 5), (2,)]
    assert hub.load(local, "Scaled", 2.5, source="local").factor == 2.5
    assert torchlike.hub.load is hub.load


@needs_torch
def test_list_and_help_give_pytorchs_names_and_docstrings(hub_dirs, monkeypatch, capsys):
    _, cached, local = hub_dirs
    _no_prompt(monkeypatch)
    theirs = torch_hub.list("owner/repo:main")
    assert theirs == ["Scaled", "tiny_linear", "tiny_mlp"]
    assert hub.list("owner/repo:main") == theirs
    assert hub.list(local, source="local") == theirs
    assert "Using cache found in " + cached in capsys.readouterr().err
    for name in theirs:
        doc = torch_hub.help("owner/repo:main", name)
        assert hub.help("owner/repo:main", name) == doc
        assert hub.help(local, name, source="local") == doc
    assert hub.help(local, "tiny_linear", source="local").startswith("A linear layer.")
    capsys.readouterr()
    hub.list("owner/repo:main", verbose=False)
    assert capsys.readouterr().err == ""


@needs_torch
def test_cached_repository_loads_as_in_pytorch(hub_dirs, monkeypatch):
    _, _, local = hub_dirs
    _no_prompt(monkeypatch)
    # a repository in the cache counts as trusted: no prompt with "check"; skip_validation has nothing to skip
    ours = hub.load("owner/repo:main", "tiny_linear", 2, 7, skip_validation=False)
    theirs = torch_hub.load("owner/repo:main", "tiny_linear", 2, 7)  # (minidl's Linear: hubconf builds it)
    assert type(ours) is type(theirs) and ours.weight.shape == theirs.weight.shape == (7, 2)
    # same model from torch.hub's local source
    assert torch_hub.load(local, "tiny_linear", 2, 7, source="local").weight.shape == (7, 2)
    assert hub.load("owner/repo", "tiny_linear").weight.shape == (2, 3)  # no ref: main, as PyTorch offline


def test_cached_repository_without_a_ref_falls_back_to_master(tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "_hub_dir", str(tmp_path))
    _write_repo(tmp_path / "someone_thing_master")
    _write_repo(tmp_path / "someone_thing_release_v1")  # a "/" in the ref is "_" in the folder's name
    assert hub.list("someone/thing", verbose=False) == ["Scaled", "tiny_linear", "tiny_mlp"]
    assert hub.list("someone/thing:release/v1", verbose=False) == ["Scaled", "tiny_linear", "tiny_mlp"]


@needs_torch
@pytest.mark.parametrize("answer, error", [("n", Exception), ("", Exception), ("maybe", ValueError)])
def test_trust_repo_false_asks_as_pytorch_does(hub_dirs, monkeypatch, answer, error):
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or answer)
    messages = []
    for library in (hub, torch_hub):
        with pytest.raises(error) as info:
            library.load("owner/repo:main", "tiny_linear", trust_repo=False, verbose=False)
        messages.append(str(info.value))
    assert messages[0] == messages[1] and prompts[0] == prompts[1]


@needs_torch
def test_trust_repo_false_answered_yes_loads(hub_dirs, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    printed = []
    for library in (hub, torch_hub):
        library.load("owner/repo:main", "tiny_linear", trust_repo=False, verbose=False)
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1] == "The repository is already trusted.\n"


@needs_torch
def test_errors_match_pytorchs(hub_dirs, tmp_path, monkeypatch):
    _, _, local = hub_dirs
    _no_prompt(monkeypatch)
    missing_deps = _write_repo(tmp_path / "needs_more",
                               HUBCONF.replace('["numpy"]', '["numpy", "no_such_pkg_a", "no_such_pkg_b"]'))
    calls = [lambda lib: lib.load(local, "tiny_linear", source="web"),
             lambda lib: lib.load(local, 3, source="local"),
             lambda lib: lib.load(local, "NOT_CALLABLE", source="local"),
             lambda lib: lib.load(local, "absent", source="local"),
             lambda lib: lib.load(missing_deps, "tiny_linear", source="local"),
             lambda lib: lib.help("owner/repo:main", "_nothing")]
    for call in calls:
        messages = []
        for library in (hub, torch_hub):
            with pytest.raises((ValueError, RuntimeError)) as info:
                call(library)
            messages.append((type(info.value), str(info.value)))
        assert messages[0] == messages[1]
    with pytest.raises(RuntimeError, match="^Missing dependencies: no_such_pkg_a, no_such_pkg_b$"):
        hub.help(missing_deps, "tiny_linear", source="local")
    # list does not check the dependencies (PyTorch's neither)
    assert hub.list(missing_deps, source="local") == ["Scaled", "tiny_linear", "tiny_mlp"]


def test_a_repository_not_in_the_cache_is_refused_with_what_to_do(hub_dirs):
    hub_dir, _, _ = hub_dirs
    where = os.path.join(str(hub_dir), "owner_other_dev_x")
    for call in (lambda: hub.load("owner/other:dev/x", "m"), lambda: hub.list("owner/other:dev/x"),
                 lambda: hub.help("owner/other:dev/x", "m")):
        with pytest.raises(RuntimeError, match="minidl never downloads") as info:
            call()
        assert where in str(info.value) and "source='local'" in str(info.value)
    with pytest.raises(RuntimeError, match="force_reload=True asks for a fresh download"):
        hub.load("owner/repo:main", "tiny_linear", force_reload=True)
    with pytest.raises(ValueError, match="repo_owner/repo_name"):
        hub.load("just-a-name", "tiny_linear")
    with pytest.raises(FileNotFoundError, match="no hubconf.py"):
        hub.list(str(hub_dir), source="local")


# ------------------------------------------------------------------------------------------ get_dir / set_dir

@needs_torch
@pytest.mark.parametrize("env", [{}, {"XDG_CACHE_HOME": "/xdg"}, {"TORCH_HOME": "~/th"},
                                 {"TORCH_HOME": "/th", "XDG_CACHE_HOME": "/xdg"}])
def test_get_dir_follows_the_environment_as_pytorch(monkeypatch, env):
    for library in (hub, torch_hub):
        monkeypatch.setattr(library, "_hub_dir", None)
    for name in ("TORCH_HOME", "XDG_CACHE_HOME", "TORCH_HUB"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert hub.get_dir() == torch_hub.get_dir()
    expected = os.path.expanduser(os.path.join(env.get("TORCH_HOME", os.path.join(
        env.get("XDG_CACHE_HOME", "~/.cache"), "torch")), "hub"))
    assert hub.get_dir() == expected
    for library in (hub, torch_hub):
        library.set_dir("~/elsewhere")
    assert hub.get_dir() == torch_hub.get_dir() == os.path.expanduser("~/elsewhere")


# ------------------------------------------------------------------------------------------ checkpoints

def _checkpoint_bytes():
    """A minidl checkpoint of a small layer's state_dict, and that state_dict."""
    torchlike.manual_seed(0)
    state = torchlike.nn.Linear(3, 2).state_dict()
    buffer = io.BytesIO()
    torchlike.save(state, buffer)
    return buffer.getvalue(), state


def _assert_same_state(loaded, state):
    assert list(loaded) == list(state)
    for key in state:
        np.testing.assert_array_equal(loaded[key].numpy(), state[key].numpy())


def test_checkpoint_in_the_cache_is_loaded_with_its_hash_checked(tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "_hub_dir", str(tmp_path / "hub"))
    blob, state = _checkpoint_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    checkpoints = tmp_path / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    good = f"linear-{digest[:10]}.pth"
    (checkpoints / good).write_bytes(blob)
    url = f"https://example.com/models/{good}?download=1"  # the file name is the URL path's last part
    _assert_same_state(hub.load_state_dict_from_url(url, check_hash=True), state)
    (checkpoints / "linear-0123abcd.pth").write_bytes(blob)
    with pytest.raises(RuntimeError, match=f'^invalid hash value \\(expected "0123abcd", got "{digest}"\\)$'):
        hub.load_state_dict_from_url("https://example.com/linear-0123abcd.pth", check_hash=True)
    # without check_hash the name's digits are not looked at
    _assert_same_state(hub.load_state_dict_from_url("https://example.com/linear-0123abcd.pth"), state)
    # file_name and model_dir
    other = tmp_path / "mine"
    other.mkdir()
    (other / "weights.bin").write_bytes(blob)
    loaded = hub.load_state_dict_from_url("https://example.com/x.pth", model_dir=str(other), file_name="weights.bin",
                                          map_location="cpu", weights_only=True)
    _assert_same_state(loaded, state)


def test_missing_checkpoint_and_downloads_are_refused_naming_the_path(tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "_hub_dir", str(tmp_path / "hub"))
    expected = os.path.join(str(tmp_path / "hub"), "checkpoints", "resnet18-f37072fd.pth")
    with pytest.raises(RuntimeError, match="minidl never downloads") as info:
        hub.load_state_dict_from_url("https://download.pytorch.org/models/resnet18-f37072fd.pth")
    assert str(info.value).endswith(f"put it at {expected}")
    assert os.path.isdir(os.path.dirname(expected))  # made, as PyTorch makes it, ready for the file
    with pytest.raises(RuntimeError, match="minidl never downloads") as info:
        hub.download_url_to_file("https://example.com/a.bin", str(tmp_path / "a.bin"))
    assert str(tmp_path / "a.bin") in str(info.value) and not (tmp_path / "a.bin").exists()


@needs_torch
def test_file_url_is_copied_and_checked_as_pytorch_does(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(hub, "_hub_dir", str(tmp_path / "hub"))
    blob, state = _checkpoint_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    source = tmp_path / "published dir" / f"linear-{digest[:8]}.pth"
    source.parent.mkdir()
    source.write_bytes(blob)
    url = source.as_uri()  # file:///.../published%20dir/linear-....pth
    for library, name in ((hub, "ours"), (torch_hub, "theirs")):
        library.download_url_to_file(url, str(tmp_path / name), hash_prefix=digest[:8], progress=False)
    assert (tmp_path / "ours").read_bytes() == (tmp_path / "theirs").read_bytes() == blob
    messages = []
    for library, name in ((hub, "bad_ours"), (torch_hub, "bad_theirs")):
        with pytest.raises(RuntimeError) as info:
            library.download_url_to_file(url, str(tmp_path / name), hash_prefix="0123abcd", progress=False)
        messages.append(str(info.value))
        assert not (tmp_path / name).exists() and [p for p in os.listdir(tmp_path) if "partial" in p] == []
    assert messages[0] == messages[1]

    loaded = hub.load_state_dict_from_url(url, check_hash=True)
    _assert_same_state(loaded, state)
    cached = tmp_path / "hub" / "checkpoints" / source.name
    assert cached.read_bytes() == blob
    assert capsys.readouterr().out == f'Downloading: "{url}" to {cached}\n'
    with pytest.raises(OSError):
        hub.load_state_dict_from_url((tmp_path / "absent.pth").as_uri())


@needs_torch
def test_a_pytorch_checkpoint_is_refused_unread(tmp_path):
    real_torch.save({"w": real_torch.zeros(2)}, str(tmp_path / "theirs.pth"))
    with pytest.raises(ValueError, match="zip archive, as PyTorch's torch.save writes"):
        hub.load_state_dict_from_url("https://example.com/theirs.pth", model_dir=str(tmp_path))


def test_model_zoo_load_url_is_the_hubs_loader(tmp_path):
    from minidl.eager.utils.model_zoo import load_url
    blob, state = _checkpoint_bytes()
    (tmp_path / "zoo.pth").write_bytes(blob)
    _assert_same_state(load_url("https://example.com/zoo.pth", model_dir=str(tmp_path)), state)
    with pytest.raises(RuntimeError, match="zoo2.pth"):
        load_url("https://example.com/zoo2.pth", model_dir=str(tmp_path))


def test_utils_hooks_handle_removes_a_hook_and_marks_unserializable_ones():
    from minidl.eager.utils.hooks import RemovableHandle, unserializable_hook
    x = torchlike.ones(3, requires_grad=True)
    handle = x.register_hook(unserializable_hook(lambda g: g * 2))
    assert isinstance(handle, RemovableHandle)
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 2])
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1, 1])
    marked = unserializable_hook(lambda g: g)
    assert marked.__torch_unserializable__ is True
    if real_torch is not None:
        assert real_torch.utils.hooks.unserializable_hook(lambda g: g).__torch_unserializable__ is True
