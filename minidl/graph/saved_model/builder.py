"""``tf.saved_model.builder.SavedModelBuilder`` and ``tf.saved_model.simple_save``: a trained graph written to a
directory for serving, with its variables' values and signatures — the inputs a client feeds, the outputs it
fetches::

    builder = tf.saved_model.builder.SavedModelBuilder("export/1")
    builder.add_meta_graph_and_variables(sess, [tf.saved_model.tag_constants.SERVING],
                                         signature_def_map={"serving_default": signature},
                                         main_op=tf.tables_initializer())
    builder.add_meta_graph(["serve", "gpu"], signature_def_map=...)   # another graph, the same variables
    builder.save()

    tf.saved_model.simple_save(sess, "export/2", inputs={"x": x}, outputs={"y": y})   # all of it in one call

The first meta graph comes with the variables (``add_meta_graph_and_variables``, once), which a ``Saver`` writes
to ``variables/variables``; later ones (``add_meta_graph``, e.g. a graph built for another device) only name the
variables they restore from that checkpoint. ``main_op`` (``legacy_init_op`` is its old name) is the op the loader
runs after restoring the variables: lookup tables are not variables, so a model with one passes
``tf.tables_initializer()``. It goes into the graph's collection ``saved_model_main_op``, as in TF, which refuses a
second one ("Graph already contains one or more main ops"). ``assets_collection`` lists string constants that name
files the graph reads (a vocabulary): each file is copied into ``assets/``, and the loader feeds the copy's path to
the constant. The graph itself is ``tf.train.export_meta_graph``'s description, and the directory's description
file is minidl's ``saved_model.minidl`` (see the package docstring).

**A save is all or nothing.** TF creates ``export_dir`` at once and fills it as the calls go; a failure half way
leaves a directory a server would try to load. Here the directory is assembled aside, in a hidden sibling
``.tmp-<random>-<name>``, and ``save()`` renames it into place when it is complete (a rename is atomic: readers
see no directory or the whole one). If a step fails, what it wrote is removed and the builder is spent; a builder
dropped without ``save()`` removes its files when it is garbage-collected. Only a killed process leaves the hidden
directory behind.
"""
import contextlib
import filecmp
import os
import secrets
import shutil
import weakref

from ..compat import logging
from ..core import Operation, Tensor, get_default_graph
from ..meta_graph import export_meta_graph
from ..train.saver import Saver
from . import constants, signature_constants, tag_constants
from .file_format import AssetFileDef, MetaGraphDef, write_saved_model
from .signature_def_utils import SignatureDef, predict_signature_def
from .utils import build_tensor_info

__all__ = ["SavedModelBuilder", "simple_save"]

_NOT_EMPTY = ("Export directory already exists, and isn't empty. Please choose a different export directory, or "
              "delete all the contents of the specified directory: {}")


class SavedModelBuilder:
    """Writes a SavedModel to ``export_dir``, which must not exist or be empty. See the module docstring."""

    def __init__(self, export_dir):
        export_dir = os.fsdecode(export_dir)
        if os.path.exists(export_dir) and os.listdir(export_dir):
            raise AssertionError(_NOT_EMPTY.format(export_dir))
        self._export_dir = export_dir
        self._directory = None  # where files go: the unfinished directory (made by the first write), then export_dir
        self._remove_unfinished = None
        self._spent = False
        self._meta_graph_defs = []
        self._asset_sources = {}  # file name in assets/ -> the file copied there
        self._has_saved_variables = False

    def add_meta_graph_and_variables(self, sess, tags, signature_def_map=None, assets_collection=None,
                                     legacy_init_op=None, clear_devices=False, main_op=None,
                                     strip_default_attrs=False, saver=None):
        """Add the graph of ``sess`` under ``tags`` with ``signature_def_map`` ({key: SignatureDef}), and save its
        variables' values (all global variables, or those of ``saver``). Must be the builder's first meta graph.
        ``clear_devices`` drops the operations' device placements; ``strip_default_attrs`` is recorded in
        ``meta_info_def`` and changes nothing (minidl's attributes have no defaults to strip)."""
        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already been saved. Please invoke "
                                 "`add_meta_graph()` instead.")
        with sess.graph.as_default():
            tags, signature_def_map, sources, saver = self._prepared(
                sess.graph, tags, signature_def_map, assets_collection, legacy_init_op if main_op is None else main_op,
                saver)
            with self._writing() as directory:
                assets = self._copy_assets(sources)
                variables = os.path.join(directory, constants.VARIABLES_DIRECTORY)
                os.makedirs(variables, exist_ok=True)
                saver.save(sess, os.path.join(variables, constants.VARIABLES_FILENAME), write_meta_graph=False,
                           write_state=False)
                self._add(tags, signature_def_map, assets, sess.graph, saver, clear_devices, strip_default_attrs)
        self._has_saved_variables = True

    def add_meta_graph(self, tags, signature_def_map=None, assets_collection=None, legacy_init_op=None,
                       clear_devices=False, main_op=None, strip_default_attrs=False, saver=None):
        """Add the default graph under ``tags``; its variables (all global ones, or those of ``saver``) are restored
        from the checkpoint ``add_meta_graph_and_variables`` saved, by name."""
        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been saved yet. Please invoke "
                                 "`add_meta_graph_and_variables()` first.")
        graph = get_default_graph()
        tags, signature_def_map, sources, saver = self._prepared(
            graph, tags, signature_def_map, assets_collection, legacy_init_op if main_op is None else main_op, saver)
        with self._writing():
            assets = self._copy_assets(sources)
            self._add(tags, signature_def_map, assets, graph, saver, clear_devices, strip_default_attrs)

    def save(self, as_text=False):
        """Write the description file and put the directory in place; return the file's path (bytes, as TF).
        (``as_text`` is accepted and ignored: the description is JSON already.)"""
        with self._writing() as directory:
            write_saved_model(os.path.join(directory, constants.SAVED_MODEL_FILENAME), self._meta_graph_defs)
            if directory != self._export_dir:
                try:
                    os.replace(directory, self._export_dir)  # (POSIX: an empty directory there is replaced)
                except OSError:
                    if os.path.isdir(self._export_dir) and os.listdir(self._export_dir):
                        raise AssertionError(_NOT_EMPTY.format(self._export_dir)) from None
                    raise
                self._remove_unfinished.detach()
                self._directory = self._export_dir
        path = os.path.join(self._export_dir, constants.SAVED_MODEL_FILENAME)
        logging.info("SavedModel written to: %s", path)
        return os.fsencode(path)

    # ------------------------------------------------------------------------------------------------ parts
    def _prepared(self, graph, tags, signature_def_map, assets_collection, main_op, saver):
        """What comes before anything is written: the arguments checked, the asset files found, ``main_op`` put
        in its collection; returns ``tags``, ``signature_def_map``, the (tensor, file) of each asset and the Saver
        of the variables (all global variables unless ``saver`` is given)."""
        tags, signature_def_map = self._checked(tags, signature_def_map, graph)
        sources = [(tensor, _asset_path(tensor)) for tensor in assets_collection or ()]
        _add_main_op(graph, main_op)
        return tags, signature_def_map, sources, saver or Saver(allow_empty=True)

    def _checked(self, tags, signature_def_map, graph):
        """``tags`` as a list and ``signature_def_map`` as a dict, checked."""
        if isinstance(tags, (str, bytes)) or not all(isinstance(tag, str) for tag in tags):
            raise TypeError(f"SavedModelBuilder: tags must be a list of strings (e.g. "
                            f"[tf.saved_model.tag_constants.SERVING]), got {tags!r}")
        tags = list(tags)
        if any(set(meta.meta_info_def.tags) == set(tags) for meta in self._meta_graph_defs):
            raise ValueError(f"SavedModelBuilder: a meta graph with tags {tags} was added already (the loader picks "
                             f"a meta graph by its set of tags)")
        signature_def_map = dict(signature_def_map or {})
        for key, signature in signature_def_map.items():
            if not isinstance(signature, SignatureDef):
                raise TypeError(f"SavedModelBuilder: signature_def_map[{key!r}] must be a SignatureDef (from "
                                f"tf.saved_model.signature_def_utils), got {type(signature).__name__}")
            for info in [*signature.inputs.values(), *signature.outputs.values()]:
                try:
                    graph.get_tensor_by_name(info.name)
                except (KeyError, ValueError):
                    raise ValueError(f"SavedModelBuilder: signature {key!r} names tensor {info.name!r}, which is not "
                                     f"in the graph being saved") from None
        return tags, signature_def_map

    def _add(self, tags, signature_def_map, assets, graph, saver, clear_devices, strip_default_attrs):
        # the Saver's {name in the checkpoint: variable}, which the loader's Saver restores (as Saver.save passes)
        saver_def = {name: v.op.name for name, v in saver._variables.items()}
        description = export_meta_graph(graph=graph, saver_def=saver_def, clear_devices=clear_devices)
        self._meta_graph_defs.append(MetaGraphDef(tags, signature_def_map, assets, description, strip_default_attrs))

    @contextlib.contextmanager
    def _writing(self):
        """Where to write: the unfinished directory, made on first use. A failure there removes it (and spends
        the builder)."""
        if self._spent:
            raise AssertionError("SavedModelBuilder: an earlier step failed and its files were removed; start again "
                                 "with a new builder")
        if self._directory is None:
            parent, name = os.path.split(os.path.abspath(self._export_dir))
            os.makedirs(parent, exist_ok=True)
            # os.mkdir gives the directory the mode of any new one (mkdtemp's 0700 would keep a server's user out)
            self._directory = os.path.join(parent, f".tmp-{secrets.token_hex(6)}-{name}")
            os.mkdir(self._directory)
            self._remove_unfinished = weakref.finalize(self, shutil.rmtree, self._directory, True)
        try:
            yield self._directory
        except BaseException:
            if self._remove_unfinished.alive:
                self._remove_unfinished()
                self._spent = True
            raise

    def _copy_assets(self, sources):
        """Copy each (tensor, file) of ``sources`` into ``assets/``; their AssetFileDefs."""
        assets = []
        for tensor, source in sources:
            filename = self._asset_filename(source)
            destination = os.path.join(self._directory, constants.ASSETS_DIRECTORY, filename)
            if not os.path.exists(destination):
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                shutil.copyfile(source, destination)
            assets.append(AssetFileDef(build_tensor_info(tensor), filename))
        return assets

    def _asset_filename(self, source):
        """The file's name in ``assets/``: its own, unless another file took it (TF's rule: then ``name_1``, ...;
        the same file, or an identical one, shares the name)."""
        filename, n = os.path.basename(source), 0
        while filename in self._asset_sources and self._asset_sources[filename] != source and \
                not filecmp.cmp(source, self._asset_sources[filename], shallow=False):
            n += 1
            filename = f"{os.path.basename(source)}_{n}"
        self._asset_sources.setdefault(filename, source)
        return filename


def _asset_path(tensor):
    """The path that ``tensor`` (a string constant, TF's asset tensor) holds."""
    if not isinstance(tensor, Tensor):
        raise TypeError("Asset path tensor must be a Tensor.")
    if tensor.op.type != "Const":
        raise TypeError("Asset path tensor must be of type constant.")
    if tensor.dtype.name != "string":
        raise TypeError("Asset path tensor must be of dtype string.")
    value = tensor.op.attrs["value"]
    if value.size != 1:
        raise TypeError("Asset path tensor must be a scalar.")
    return os.fsdecode(value.item())


def _add_main_op(graph, main_op):
    """Put ``main_op`` into the collection the loader reads (TF's checks: an Operation, and the only one)."""
    if main_op is None:
        return
    if not isinstance(main_op, Operation):
        raise TypeError(f"main_op needs to be an Operation: {main_op!r}")
    for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
        if graph.get_collection(key):
            raise ValueError(f"Graph already contains one or more main ops under the collection {key}.")
    graph.add_to_collection(constants.MAIN_OP_KEY, main_op)


def simple_save(session, export_dir, inputs, outputs, legacy_init_op=None):
    """Save the graph of ``session`` to ``export_dir`` for serving: tagged ``serve``, with one predict signature
    ``serving_default`` of ``inputs`` and ``outputs`` ({key: tensor}), the files named in the collection
    ``asset_filepaths`` as assets and ``legacy_init_op`` as the main op."""
    signature_def_map = {signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY: predict_signature_def(inputs, outputs)}
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(session, [tag_constants.SERVING], signature_def_map=signature_def_map,
                                         assets_collection=session.graph.get_collection(constants.ASSET_FILEPATHS),
                                         main_op=legacy_init_op, clear_devices=True)
    builder.save()
