"""``Estimator.export_saved_model`` (TF 1.x also ``export_savedmodel``): the PREDICT graph, fed by a serving input
receiver, written with the trained weights as a SavedModel (``tf.saved_model``) that a program loads without the
Estimator's code::

    path = estimator.export_saved_model("export", tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 4])}))                     # b"export/1589000000"
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], path)

TF's steps: a new graph with a global step; the receiver (``serving_input_receiver_fn()``) gives the features;
``model_fn`` builds the PREDICT graph; every export output (export_outputs.py) becomes a signature over the
receiver tensors (and over each group of ``receiver_tensors_alternatives``, keyed ``"<alternative>:<output>"``),
keeping only those TF Serving could serve; the variables are restored from the checkpoint (the latest, else the
warm-start one) and saved with the graph, tagged ``serve``, whose main op initializes local variables and lookup
tables. Each export goes to a new subdirectory named by the time in seconds (TF Serving loads the highest
number); it is written as ``temp-<seconds>`` and renamed when complete (``assets_extra``, {path inside
``assets.extra``: source file}, copied in before), so a server never sees half an export.
"""
import os
import shutil
import time

from ..basics import group
from ..compat import logging
from ..core import Graph
from ..errors import NotFoundError
from ..lookup_ops import tables_initializer
from ..saved_model import constants, signature_constants, tag_constants
from ..saved_model.builder import SavedModelBuilder
from ..saved_model.signature_def_utils import is_valid_signature
from ..session import Session
from ..train.saver import Saver, latest_checkpoint
from ..variables import local_variables_initializer
from .estimator import ModeKeys
from .export import ServingInputReceiver, TensorServingInputReceiver

__all__ = ["export_saved_model"]

_ATTEMPTS = 10  # (TF's MAX_DIRECTORY_CREATION_ATTEMPTS)


def export_saved_model(estimator, export_dir_base, serving_input_receiver_fn, assets_extra=None, as_text=False,
                       checkpoint_path=None, strip_default_attrs=False):
    """Export ``estimator``'s PREDICT graph (see the module docstring); return the export's path (bytes, as TF)."""
    if not serving_input_receiver_fn:
        raise ValueError("An input_receiver_fn must be defined.")
    checkpoint_path = checkpoint_path or estimator.latest_checkpoint() or _warm_start_checkpoint(estimator)
    export_dir = _timestamped_dir(os.fsencode(export_dir_base))
    parent, seconds = os.path.split(export_dir)
    temp_dir = os.path.join(parent, b"temp-" + seconds)
    with Graph().as_default() as graph:
        estimator._new_graph()
        receiver = serving_input_receiver_fn()
        if not isinstance(receiver, (ServingInputReceiver, TensorServingInputReceiver)):
            raise TypeError(f"export_saved_model: serving_input_receiver_fn must return a "
                            f"tf.estimator.export.ServingInputReceiver, got {type(receiver).__name__}")
        spec = estimator._call_model_fn(receiver.features, None, ModeKeys.PREDICT)
        signature_def_map = _all_signature_defs(receiver.receiver_tensors, spec.export_outputs,
                                                receiver.receiver_tensors_alternatives)
        local_init_op = spec.scaffold.local_init_op
        if local_init_op is None:  # (what Scaffold.finalize makes: TF's Scaffold.default_local_init_op)
            local_init_op = group(local_variables_initializer(), tables_initializer())
        saver = spec.scaffold.saver or Saver()
        with Session(config=estimator.config.session_config) as session:
            try:
                saver.restore(session, checkpoint_path)
            except NotFoundError as error:
                raise ValueError(f"Could not load all requested variables from checkpoint. Please make sure your "
                                 f"model_fn does not expect variables that were not saved in the checkpoint.\n\n"
                                 f"Encountered error with mode `{ModeKeys.PREDICT}` while restoring checkpoint "
                                 f"from: `{checkpoint_path}`. Full Traceback:\n\n{error}") from None
            builder = SavedModelBuilder(temp_dir)
            builder.add_meta_graph_and_variables(
                session, [tag_constants.SERVING], signature_def_map=signature_def_map,
                assets_collection=graph.get_collection(constants.ASSET_FILEPATHS), main_op=local_init_op,
                saver=saver, strip_default_attrs=strip_default_attrs)
    builder.save(as_text)  # temp_dir is complete from here: the extra assets go in, then it is renamed
    try:
        for destination, source in (assets_extra or {}).items():
            destination = os.path.join(temp_dir, os.fsencode(constants.EXTRA_ASSETS_DIRECTORY),
                                       os.fsencode(destination))
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copyfile(source, destination)
        os.rename(temp_dir, export_dir)
    except BaseException:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    return export_dir


def _warm_start_checkpoint(estimator):
    """Without a checkpoint of its own, an Estimator that warm-starts exports the warm-start weights (TF's rule)."""
    settings = estimator._warm_start
    if settings is None:
        raise ValueError(f"Couldn't find trained model at {estimator.model_dir}.")
    path = settings.ckpt_to_initialize_from
    return latest_checkpoint(path) if os.path.isdir(path) else path


def _timestamped_dir(export_dir_base):
    """``export_dir_base/<seconds since the epoch>``, not yet existing (waiting a second while it does)."""
    for attempt in range(1, _ATTEMPTS + 1):
        result = os.path.join(export_dir_base, str(int(time.time())).encode())
        if not os.path.exists(result):
            return result
        time.sleep(1)
        logging.warning("Directory %s already exists; retrying (attempt %d/%d)", os.fsdecode(result), attempt,
                        _ATTEMPTS)
    raise RuntimeError(f"Failed to obtain a unique export directory name after {_ATTEMPTS} attempts.")


def _all_signature_defs(receiver_tensors, export_outputs, receiver_tensors_alternatives):
    """``{key: SignatureDef}`` of every export output over the receiver tensors and over each alternative group
    of them; an output whose API cannot take that input (classify with a float input, say) is left out, and so is
    any signature TF Serving could not serve. What was kept and left out is logged, as TF does."""
    groups = [(None, receiver_tensors), *(receiver_tensors_alternatives or {}).items()]
    kept, left_out = {}, {}
    for receiver_name, tensors in groups:
        for output_key, output in export_outputs.items():
            key = output_key if receiver_name is None else f"{receiver_name}:{output_key}"
            try:
                kept[key] = output.as_signature_def(tensors)
            except ValueError as error:
                left_out[key] = str(error)
    logging.info("Signatures INCLUDED in export: %s", sorted(kept) or "None")
    for key, reason in left_out.items():
        logging.info("Signature EXCLUDED from export because it cannot be served via TensorFlow Serving APIs: "
                     "'%s' : %s", key, reason)
    if not kept:
        logging.warning("Export includes no signatures!")
    elif signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY not in kept:
        logging.warning("Export includes no default signature!")
    return {key: signature for key, signature in kept.items() if is_valid_signature(signature)}
