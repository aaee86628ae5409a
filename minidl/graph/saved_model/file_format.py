"""The ``saved_model.minidl`` file: what a SavedModel directory holds besides its checkpoint and assets — one meta
graph per tag set, with its signatures — as ``MetaGraphDef`` objects that the builder writes and the loader reads.

It is minidl's array file (``minidl.io``: a JSON header and the numeric arrays, no pickle, written aside and
renamed). The header lists the meta graphs; each is a dict::

    {"tags": ["serve"],
     "signature_def": {"serving_default": {"inputs": {"x": {"name": "x:0", "dtype": 1, "shape": [null, 4]}},
                                           "outputs": {...}, "method_name": "tensorflow/serving/predict"}},
     "asset_file_def": [{"tensor": "vocabulary:0", "filename": "vocab.txt"}],
     "graph": <the meta graph, as tf.train.export_meta_graph describes it>}

and the arrays are the graphs' constants, named ``"<meta graph index>/<name in its description>"``. Reading it
checks every field's type and refuses anything else as a damaged file; the graphs themselves are rebuilt by
``import_meta_graph``, which looks op classes up among minidl's own and runs nothing from the file.
"""
import collections
import os

from ...io import check_kind, read_arrays, write_arrays
from .. import dtypes
from ..core import TensorShape
from .signature_def_utils import SignatureDef
from .utils import TensorInfo

__all__ = ["MetaGraphDef", "MetaInfoDef", "AssetFileDef", "write_saved_model", "read_saved_model"]

_KIND = "minidl-saved-model"
_VERSION = 1


class MetaInfoDef:
    """``meta_info_def.tags``: the tags the meta graph was saved with, in their order."""

    def __init__(self, tags, stripped_default_attrs=False):
        self.tags = list(tags)
        self.stripped_default_attrs = stripped_default_attrs


AssetFileDef = collections.namedtuple("AssetFileDef", ["tensor_info", "filename"])
AssetFileDef.__doc__ = """A file the graph reads: the string constant ``tensor_info`` names its path, and
``filename`` is its copy in the SavedModel's ``assets/``, whose path the loader feeds to that constant."""


class MetaGraphDef:
    """One meta graph of a SavedModel, like TF's ``MetaGraphDef``: ``meta_info_def.tags``, ``signature_def``
    ({key: ``SignatureDef``}), ``asset_file_def`` (a list of ``AssetFileDef``), and ``graph``: the graph as
    ``tf.train.export_meta_graph`` describes it (its constants under ``"arrays"``), which
    ``tf.train.import_meta_graph`` takes — where TF has ``graph_def``, ``collection_def`` and ``saver_def``."""

    def __init__(self, tags, signature_def, asset_file_def, graph, stripped_default_attrs=False):
        self.meta_info_def = MetaInfoDef(tags, stripped_default_attrs)
        self.signature_def = dict(signature_def)
        self.asset_file_def = list(asset_file_def)
        self.graph = graph


# =============================================================================================== write

def write_saved_model(path, meta_graph_defs):
    """Write ``meta_graph_defs`` to ``path`` (atomically, as every minidl array file)."""
    entries, arrays = [], {}
    for i, meta in enumerate(meta_graph_defs):
        graph = dict(meta.graph)
        arrays.update((f"{i}/{name}", value) for name, value in graph.pop("arrays").items())
        entries.append({"tags": meta.meta_info_def.tags,
                        "stripped_default_attrs": meta.meta_info_def.stripped_default_attrs,
                        "signature_def": {key: _signature_json(s) for key, s in meta.signature_def.items()},
                        "asset_file_def": [{"tensor": a.tensor_info.name, "filename": a.filename}
                                           for a in meta.asset_file_def],
                        "graph": graph})
    write_arrays(path, arrays, {"kind": _KIND, "version": _VERSION, "meta_graphs": entries})


def _signature_json(signature):
    return {"inputs": {key: _tensor_info_json(info) for key, info in signature.inputs.items()},
            "outputs": {key: _tensor_info_json(info) for key, info in signature.outputs.items()},
            "method_name": signature.method_name}


def _tensor_info_json(info):
    shape = info.tensor_shape
    return {"name": info.name, "dtype": info.dtype, "shape": shape.as_list() if shape.rank_known else None}


# ================================================================================================ read

class _Damaged(Exception):
    """A field of the file is not what the builder writes (caught by ``read_saved_model``)."""


def read_saved_model(path):
    """The ``MetaGraphDef``s of the file at ``path``. A file that is not one the builder wrote, or whose fields
    have other types, is a ``ValueError``."""
    arrays, header = read_arrays(path)
    check_kind(header, _KIND, _VERSION, f"loader.load: {path}", "SavedModel")
    try:
        entries = _typed(header.get("meta_graphs"), list, "meta_graphs")
        return [_meta_graph(i, entry, arrays) for i, entry in enumerate(entries)]
    except _Damaged as error:
        raise ValueError(f"loader.load: {path} is damaged ({error})") from None


def _typed(value, kind, what):
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise _Damaged(f"{what} is {value!r}, not a {kind.__name__}")
    return value


def _meta_graph(index, entry, arrays):
    entry = _typed(entry, dict, "a meta graph")
    tags = [_typed(tag, str, "a tag") for tag in _typed(entry.get("tags"), list, "tags")]
    signatures = {_typed(key, str, "a signature key"): _signature(value)
                  for key, value in _typed(entry.get("signature_def"), dict, "signature_def").items()}
    assets = [_asset(value) for value in _typed(entry.get("asset_file_def"), list, "asset_file_def")]
    graph = dict(_typed(entry.get("graph"), dict, "graph"))
    prefix = f"{index}/"
    graph["arrays"] = {name[len(prefix):]: value for name, value in arrays.items() if name.startswith(prefix)}
    stripped = _typed(entry.get("stripped_default_attrs", False), bool, "stripped_default_attrs")
    return MetaGraphDef(tags, signatures, assets, graph, stripped)


def _signature(value):
    value = _typed(value, dict, "a signature")
    sides = [{_typed(key, str, "a signature's key"): _tensor_info(info)
              for key, info in _typed(value.get(side), dict, f"a signature's {side}").items()}
             for side in ("inputs", "outputs")]
    return SignatureDef(*sides, _typed(value.get("method_name"), str, "a method name"))


def _tensor_info(value):
    value = _typed(value, dict, "a TensorInfo")
    dtype = _typed(value.get("dtype"), int, "a dtype")
    if dtype != 0:  # (DT_INVALID, as TF leaves it for an operation)
        try:
            dtypes.as_dtype(dtype)
        except TypeError:
            raise _Damaged(f"dtype {dtype} is not one of TF's DataType numbers") from None
    shape = value.get("shape")
    if shape is not None:
        shape = [None if d is None else _typed(d, int, "a dim") for d in _typed(shape, list, "a shape")]
    return TensorInfo(_typed(value.get("name"), str, "a tensor name"), dtype, TensorShape(shape))


def _asset(value):
    value = _typed(value, dict, "an asset")
    filename = _typed(value.get("filename"), str, "an asset's filename")
    if filename in ("", ".", "..") or os.path.basename(filename) != filename or "\\" in filename:
        raise _Damaged(f"asset filename {filename!r} is not a plain file name inside assets/")
    return AssetFileDef(TensorInfo(_typed(value.get("tensor"), str, "an asset's tensor")), filename)
