"""``tf.saved_model``: TF 1.15's graph-mode SavedModel API — a trained graph exported for serving
(``simple_save``, ``builder.SavedModelBuilder``) and loaded back without the code that built it
(``loader.load``), called through its signatures (``signature_def_utils``, ``utils``).

**The files are minidl's, not TensorFlow's.** TF's SavedModel is protocol buffers (``saved_model.pb``, a
``GraphDef`` of TF's kernels) and a TF checkpoint; minidl writes neither, so TensorFlow (or TF Serving) cannot
read what minidl saves, and minidl cannot read TF's (loading a directory with a ``saved_model.pb`` says so). The
directory has TF's layout with minidl's files in it::

    export_dir/
        saved_model.minidl        the meta graphs, one per tag set, with their signatures (file_format.py)
        variables/variables.index    the variables' values, written by tf.train.Saver
        assets/                   files the graph reads (a vocabulary), if any

Both files are minidl's array file: JSON and numbers, never pickle. Loading rebuilds the graph with
``import_meta_graph``, which runs nothing from the file, so loading a model is as safe as reading data.

One module per concept, as in TF: ``tag_constants``, ``signature_constants`` and ``constants`` (the names);
``utils`` (``TensorInfo``); ``signature_def_utils`` (``SignatureDef``); ``builder`` (with ``simple_save``);
``loader``; ``main_op``.
"""
from . import builder, constants, loader, main_op, signature_constants, signature_def_utils, tag_constants, utils
from .builder import SavedModelBuilder as Builder, simple_save
from .constants import (ASSETS_DIRECTORY, LEGACY_INIT_OP_KEY, MAIN_OP_KEY, SAVED_MODEL_FILENAME,
                        SAVED_MODEL_SCHEMA_VERSION, VARIABLES_DIRECTORY, VARIABLES_FILENAME)
from .loader import contains_saved_model, load, maybe_saved_model_directory
from .signature_constants import (CLASSIFY_INPUTS, CLASSIFY_METHOD_NAME, CLASSIFY_OUTPUT_CLASSES,
                                  CLASSIFY_OUTPUT_SCORES, DEFAULT_SERVING_SIGNATURE_DEF_KEY, PREDICT_INPUTS,
                                  PREDICT_METHOD_NAME, PREDICT_OUTPUTS, REGRESS_INPUTS, REGRESS_METHOD_NAME,
                                  REGRESS_OUTPUTS)
from .signature_def_utils import (build_signature_def, classification_signature_def, is_valid_signature,
                                  predict_signature_def, regression_signature_def)
from .tag_constants import GPU, SERVING, TPU, TRAINING
from .utils import build_tensor_info, get_tensor_from_tensor_info

__all__ = ["builder", "constants", "loader", "main_op", "signature_constants", "signature_def_utils", "tag_constants",
           "utils", "Builder", "simple_save", "load", "maybe_saved_model_directory", "contains_saved_model",
           "build_signature_def", "predict_signature_def", "classification_signature_def", "regression_signature_def",
           "is_valid_signature", "build_tensor_info", "get_tensor_from_tensor_info", "ASSETS_DIRECTORY",
           "LEGACY_INIT_OP_KEY", "MAIN_OP_KEY", "SAVED_MODEL_FILENAME", "SAVED_MODEL_SCHEMA_VERSION",
           "VARIABLES_DIRECTORY", "VARIABLES_FILENAME", "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME",
           "CLASSIFY_OUTPUT_CLASSES", "CLASSIFY_OUTPUT_SCORES", "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "PREDICT_INPUTS",
           "PREDICT_METHOD_NAME", "PREDICT_OUTPUTS", "REGRESS_INPUTS", "REGRESS_METHOD_NAME", "REGRESS_OUTPUTS", "GPU",
           "SERVING", "TPU", "TRAINING"]
