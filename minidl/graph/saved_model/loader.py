"""``tf.saved_model.loader.load`` (also ``tf.saved_model.load`` in TF 1.x): a SavedModel's meta graph rebuilt in a
session's graph, its variables restored and its main op run::

    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING], "export/1")
        signature = meta.signature_def["serving_default"]
        y = sess.run(signature.outputs["y"].name, {signature.inputs["x"].name: data})

The steps are TF's: pick the meta graph whose set of tags equals ``tags``; ``import_meta_graph`` it into
``sess.graph`` (under ``import_scope`` if given, which prefixes the names in the graph but not in the returned
signatures: ``get_tensor_from_tensor_info(info, import_scope=...)`` adds it); restore the variables from
``variables/variables``; run the main op (``saved_model_main_op``, else ``legacy_init_op``), feeding each asset
constant the path of its copy in ``assets/``. Nothing in the files is executed: the description is JSON and
numbers, and the graph is rebuilt from op classes minidl defines (meta_graph.py).

A graph that already holds operations is fine as long as no name collides. TF would rename a colliding imported
operation (``x_1``) and so leave the signatures naming the graph's older ``x``; minidl refuses the collision
instead ("an operation named 'x' already exists"): load the second model with an ``import_scope``.
"""
import os

from ..compat import logging
from ..meta_graph import import_meta_graph
from . import constants
from .file_format import read_saved_model

__all__ = ["load", "maybe_saved_model_directory", "contains_saved_model"]


def maybe_saved_model_directory(export_dir):
    """Whether ``export_dir`` holds a SavedModel description file minidl writes (it is not read)."""
    return os.path.exists(os.path.join(os.fsdecode(export_dir), constants.SAVED_MODEL_FILENAME))


contains_saved_model = maybe_saved_model_directory


def load(sess, tags, export_dir, import_scope=None, **saver_kwargs):
    """Load the meta graph tagged ``tags`` from ``export_dir`` into ``sess`` (see the module docstring); return its
    ``MetaGraphDef`` (``signature_def``, ``meta_info_def.tags``). ``saver_kwargs`` go to ``import_meta_graph``."""
    export_dir = os.fsdecode(export_dir)
    meta_graph_def = _with_tags(_meta_graph_defs(export_dir), tags)
    with sess.graph.as_default():
        saver = import_meta_graph(meta_graph_def.graph, import_scope=import_scope, **saver_kwargs)
        if saver is None:
            logging.info("The specified SavedModel has no variables; no checkpoints were restored.")
        else:
            saver.restore(sess, os.path.join(export_dir, constants.VARIABLES_DIRECTORY, constants.VARIABLES_FILENAME))
        init_op = _init_op(sess.graph, meta_graph_def, import_scope)
        if init_op is not None:
            assets = os.path.join(export_dir, constants.ASSETS_DIRECTORY)
            sess.run(init_op, {_scoped(a.tensor_info.name, import_scope): os.path.join(assets, a.filename)
                               for a in meta_graph_def.asset_file_def})
    return meta_graph_def


def _meta_graph_defs(export_dir):
    path = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME)
    if not os.path.exists(path):
        for tf_file in ("saved_model.pb", "saved_model.pbtxt"):
            if os.path.exists(os.path.join(export_dir, tf_file)):
                raise OSError(f"loader.load: {export_dir} holds a TensorFlow SavedModel ({tf_file}), which minidl "
                              f"cannot read: minidl reads and writes its own {constants.SAVED_MODEL_FILENAME}")
        raise OSError(f"SavedModel file does not exist at: {path}")
    return read_saved_model(path)


def _with_tags(meta_graph_defs, tags):
    """The meta graph whose set of tags is ``set(tags)`` (TF's rule, and its message when there is none)."""
    for meta in meta_graph_defs:
        if set(meta.meta_info_def.tags) == set(tags):
            return meta
    available = [set(meta.meta_info_def.tags) for meta in meta_graph_defs]
    raise RuntimeError(f"MetaGraphDef associated with tags {str(tags).strip('[]')} could not be found in "
                       f"SavedModel.\navailable_tags: {available}")


def _init_op(graph, meta_graph_def, import_scope):
    """The imported main op (collection ``saved_model_main_op``, else ``legacy_init_op``), or None. It is looked up
    by its name in the file, not in the graph's collection, which may hold another model's."""
    collections = meta_graph_def.graph.get("collections", {})
    for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
        items = collections.get(key)
        if items:
            if len(items) != 1 or not isinstance(items[0], dict) or not isinstance(items[0].get("op"), str):
                raise RuntimeError(f"Expected exactly one SavedModel init op. Found: {items}")
            return graph.get_operation_by_name(_scoped(items[0]["op"], import_scope))
    return None


def _scoped(name, import_scope):
    return f"{import_scope.rstrip('/')}/{name}" if import_scope else name
