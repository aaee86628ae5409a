"""``tf.saved_model.constants``: the names inside a SavedModel directory and the collections its graphs use.

The directory's layout follows TF's — ``variables/variables.*`` (the checkpoint), ``assets/`` (files the graph
reads, e.g. a vocabulary) — but the description file is minidl's own ``saved_model.minidl``, not TF's
``saved_model.pb`` (see the package docstring), so TF's ``SAVED_MODEL_FILENAME_PB``/``PBTXT`` are absent."""

SAVED_MODEL_FILENAME = "saved_model.minidl"
SAVED_MODEL_SCHEMA_VERSION = 1

VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
ASSETS_DIRECTORY = "assets"
EXTRA_ASSETS_DIRECTORY = "assets.extra"

# the collections of a saved graph that hold its init op (run by the loader after restoring the variables)
MAIN_OP_KEY = "saved_model_main_op"
LEGACY_INIT_OP_KEY = "legacy_init_op"
# TF's GraphKeys.ASSET_FILEPATHS: the string constants naming files the graph reads (simple_save exports them)
ASSET_FILEPATHS = "asset_filepaths"
