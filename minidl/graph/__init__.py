"""Graph mode: TensorFlow 1's static graphs on minidl's op library. ``import minidl.graph as tf``."""
from .. import __version__
VERSION = __version__  # TF1's other name for it
from . import dtypes  # tf.dtypes.float32, tf.dtypes.as_dtype, tf.dtypes.cast ...
from .dtypes import (DType, as_dtype, bool, complex64, complex128, double, float16, float32, float64, half, int8,
                     int16, int32, int64, string, uint8, uint16, uint32, uint64)
from . import errors
from .compat import (compat, disable_eager_execution, disable_v2_behavior, enable_eager_execution, executing_eagerly,
                     get_logger, logging)
from .config import ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, RunMetadata, RunOptions, device
from .core import (Dimension, Graph, GraphKeys, Operation, Tensor, TensorShape, add_to_collection, add_to_collections,
                   get_collection, get_collection_ref, get_default_graph, reset_default_graph)
from .frontend import convert_to_tensor
from .gradients import AggregationMethod, UnconnectedGradients, gradients, hessians
from .gradient_registry import NotDifferentiable, RegisterGradient, no_gradient
from .session import InteractiveSession, Session, get_default_session
from . import train
from .basics import (colocate_with, constant, container, control_dependencies, group, identity, identity_n, name_scope,
                     no_op, placeholder, placeholder_with_default, stop_gradient, tuple_ as tuple)
# --- variables, random ops, initializers, variable scopes (variables.py, random_ops.py, initializers.py,
#     variable_scope.py) ---
from .variables import (Variable, assign, assign_add, assign_sub, count_up_to, global_variables,
                        global_variables_initializer, initialize_all_variables, is_variable_initialized,
                        local_variables, local_variables_initializer, report_uninitialized_variables,
                        trainable_variables, variables_initializer)
from .random_ops import (get_seed, multinomial, random_gamma, random_normal, random_poisson, random_shuffle,
                         random_uniform, set_random_seed, truncated_normal)
from . import random_ops as random  # tf.random.normal, tf.random.uniform, tf.random.set_random_seed ...
from . import stateless_random_ops  # noqa: F401  (fills tf.random: stateless_uniform, stateless_normal ...)
from .initializers import (constant_initializer, glorot_normal_initializer, glorot_uniform_initializer,
                           identity_initializer, ones_initializer, orthogonal_initializer, random_normal_initializer,
                           random_uniform_initializer, truncated_normal_initializer, uniform_unit_scaling_initializer,
                           variance_scaling_initializer, zeros_initializer)
from . import initializers  # tf.initializers.zeros(), tf.initializers.global_variables() ...
from .variable_scope import (AUTO_REUSE, VariableAggregation, VariableScope, VariableSynchronization, get_variable,
                             get_variable_scope, no_regularizer, variable_scope)
# --- end variables ---
# --- control flow (function_graph.py, control_flow.py, loops.py) ---
from .control_flow import case, cond, switch_case
from .loops import while_loop
# --- end control flow ---
# --- the op API with TF names: tf.math, tf.nn, tf.linalg, tf.signal/tf.spectral and their top-level functions
#     (math_ops.py, array_ops.py, nn_ops.py, spectral_ops.py) ---
from .math_ops import *  # noqa: F401,F403  (add, matmul, reduce_sum, argmax, cast, equal, ..., math, linalg)
from .printing import Print, print_ as print, timestamp
from . import operators  # noqa: F401  (importing it gives graph tensors their Python operators: a + b)
from .array_ops import *  # noqa: F401,F403  (zeros, reshape, transpose, concat, gather, one_hot, where, shape, ...)
from .nn_ops import nn
from .spectral_ops import fft, fft2d, fft3d, ifft, ifft2d, ifft3d, signal, spectral
from .clip_ops import clip_by_global_norm, clip_by_norm, global_norm
# --- end op API ---
# --- input pipelines: tf.data (data.py, iterator_ops.py) ---
from . import data  # tf.data.Dataset, tf.data.Iterator, tf.data.make_one_shot_iterator, ...
# --- end input pipelines ---
# --- training API: tf.nn convolutions/pools/dropout/cross-entropies (nn_training.py adds them to tf.nn), tf.layers,
#     tf.losses (layers.py, losses.py) ---
from . import nn_training  # noqa: F401  (importing it attaches conv2d, max_pool, dropout, ... to tf.nn)
from . import layers, losses
# --- end training API ---
# --- recurrent networks: tf.nn.rnn_cell and tf.nn.dynamic_rnn (rnn_cell.py, rnn.py) ---
from . import rnn  # noqa: F401  (importing it attaches rnn_cell and dynamic_rnn to tf.nn)
# --- end recurrent networks ---
# --- strings and summaries: tf.summary, tf.Summary (summary.py; tf.string's tensors: strings.py) ---
from . import summary
from .summary import Summary
# --- end strings and summaries ---
# --- TF1 API gaps: matrices, run-time checks, map_fn/py_func, sorting, segment sums, conv1d/conv2d_transpose,
#     streaming metrics, old variable helpers (linalg_ops.py, check_ops.py, functional_ops.py, sort_ops.py,
#     segment_ops.py, conv_ops.py, metrics.py, variables.py; tf.train's additions are in train/) ---
from .linalg_ops import *  # noqa: F401,F403  (eye, diag, trace, matrix_inverse, ...; adds them to tf.linalg)
from .check_ops import *  # noqa: F401,F403  (Assert, assert_equal, ..., check_numerics, tf.debugging)
from .functional_ops import map_fn, numpy_function, py_func
from .sort_ops import *  # noqa: F401,F403  (sort, argsort, unique; adds top_k and in_top_k to tf.nn and tf.math)
from .segment_ops import *  # noqa: F401,F403  (segment_sum, unsorted_segment_max, ...)
from . import conv_ops  # noqa: F401  (importing it attaches conv1d, conv2d_transpose, max/avg_pool1d to tf.nn)
from . import metrics
from .metrics_more import confusion_matrix  # also tf.math's; adds mean_iou, recall_at_k ... to tf.metrics
from .variables import (all_variables, initialize_local_variables, initialize_variables, model_variables,
                        moving_average_variables)
# --- end TF1 API gaps ---
# --- scripts: tf.app.run with tf.app.flags (= tf.flags), tf.gfile and tf.io.gfile (app.py, flags.py, gfile.py, io.py)
from . import app, flags, gfile, io
from . import test  # tf.test.is_gpu_available(), tf.test.gpu_device_name()
# --- end scripts ---
# --- images: tf.image and tf.random_crop (image_ops.py, image_geometry.py, image_resize.py, image_crop.py) ---
from .image_ops import extract_image_patches, image, random_crop
# --- end images ---
# --- TensorArray, scan/folds, coordinate indexing, custom gradients (tensor_array.py, scan_ops.py,
#     nd_indexing_ops.py, custom_gradient.py; tf.while_loop takes TensorArrays in loops.py) ---
from .tensor_array import TensorArray
from .scan_ops import foldl, foldr, scan
from .nd_indexing_ops import *  # noqa: F401,F403  (gather_nd, scatter_nd, tensor_scatter_nd_*, batch_gather)
from .custom_gradient import custom_gradient
# --- end TensorArray, scan/folds, coordinate indexing, custom gradients ---
# --- TF1 API gaps 2: variable scatters, div_no_nan/roll/bincount/searchsorted/ensure_shape/assert_rank, lrn and
#     depthwise/separable convolutions, nce_loss/sampled_softmax_loss and the candidate samplers (state_updates.py,
#     math_extras.py, nn_extras.py, candidate_sampling.py; importing them also fills tf.nn, tf.math, tf.debugging,
#     tf.layers and tf.random) ---
from .state_updates import *  # noqa: F401,F403  (scatter_update, scatter_add, ..., scatter_nd_update)
from .math_extras import *  # noqa: F401,F403  (div_no_nan, roll, bincount, searchsorted, ensure_shape, assert_rank)
from . import nn_extras, candidate_sampling  # noqa: F401
from .math_ops import math
math.zero_fraction = nn.zero_fraction  # (tf.math's name too; set here, as nn_extras, which makes it, is imported above)
from . import nn_more, ctc_ops, ctc_beam_search  # noqa: F401  (tf.nn.convolution, pool, fused_batch_norm, ctc_loss ...)
from . import conv_transposes  # noqa: F401  (tf.nn.conv1d/3d_transpose, atrous_conv2d_transpose, depthwise backprops)
from . import morphology  # noqa: F401  (tf.nn.dilation2d, erosion2d)
from . import fractional_pooling  # noqa: F401  (tf.nn.fractional_max_pool, fractional_avg_pool)
from . import ctc_v2  # noqa: F401  (tf.nn.ctc_loss_v2, collapse_repeated, ctc_unique_labels)
# --- end TF1 API gaps 2 ---
from . import contrib  # tf.contrib.layers: xavier_initializer, l2_regularizer, fully_connected, ... (TF 1.x only)
from .partition_ops import dynamic_partition, dynamic_stitch  # also in tf.math
from . import estimator  # tf.estimator.Estimator, EstimatorSpec, ModeKeys, RunConfig, inputs.numpy_input_fn
from . import saved_model  # tf.saved_model: simple_save, builder, loader.load (minidl's files, not TF's)
from . import feature_column  # tf.feature_column.numeric_column, input_layer
from .graph_def import GraphDef, NodeDef, import_graph_def  # a graph as data: freeze, ship, import
from . import graph_util  # tf.graph_util.convert_variables_to_constants, extract_sub_graph
from .lookup_ops import lookup, tables_initializer  # tf.lookup: vocabulary tables (also tf.contrib.lookup)
initialize_all_tables = tables_initializer  # its name before TF 1.0 (deprecated)
from .string_ops import as_string, strings  # tf.as_string, tf.strings.as_string
from . import string_format  # noqa: F401  (fills tf.strings.format)
from .string_functions import *  # noqa: F401,F403  (string_to_number, string_join, ...; fills tf.strings)
from . import string_ngrams  # noqa: F401  (fills tf.strings.ngrams)
from .string_split import string_split  # noqa: F401  (also fills tf.strings.split; results are SparseTensors)
from .csv_ops import decode_csv  # also tf.io.decode_csv, tf.data.experimental.CsvDataset and make_csv_dataset
from .queues import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue  # also tf.queue.*
from . import queues as queue
from .tfrecords import python_io  # also tf.io.TFRecordWriter ..., tf.data.TFRecordDataset
from .example_proto import (FixedLenFeature, VarLenFeature, parse_example,  # also in tf.io
                            parse_single_example)
from . import keras  # tf.keras: Sequential/Model with compile, fit, evaluate, predict (TF 1.x Keras)
# --- TF1 readers, decode_raw and whole-file ops (readers.py, decode_raw.py, file_ops.py; importing them also fills
#     tf.io: decode_raw, read_file, write_file, matching_files, match_filenames_once) ---
from .readers import (FixedLengthRecordReader, IdentityReader, ReaderBase, TextLineReader, TFRecordReader,
                      WholeFileReader)
from .decode_raw import bitcast, decode_raw
from .file_ops import matching_files, read_file, write_file
# --- end readers ---
# --- templates and eager-style py_function (template.py, functional_ops.py; tensor-valued axis/k/size arguments
#     of reduce_*, top_k and the resizes need no exports: run_time_axes.py, sort_ops.py, image_resize.py) ---
from .template import make_template
from .functional_ops import py_function
# --- end templates and py_function ---
# --- probability distributions: tf.distributions (also tf.contrib.distributions, with the multivariate normals);
#     their formulas are the eager distributions' (distributions/) ---
from . import distributions
# --- end probability distributions ---
# --- TF1 API gaps 3: tf.nest, tf.is_tensor and tf.get_static_value, shape broadcasting, space_to_depth and
#     depth_to_space (also in tf.nn), get_local_variable (nest.py, tensor_util.py, shape_broadcasting.py,
#     depth_space.py, variable_scope.py; assert_near/assert_integer/assert_scalar come with check_ops.py,
#     accumulate_n with math_extras.py, tf.compat.as_bytes/as_text with compat.py, tf.contrib.training.HParams and
#     tf.contrib.util with contrib.py) ---
from .nest import nest
from .tensor_util import get_static_value, is_tensor
from .compat import dimension_value
from .shape_broadcasting import broadcast_dynamic_shape, broadcast_static_shape
from .depth_space import depth_to_space, space_to_depth
from .variable_scope import get_local_variable
# --- end TF1 API gaps 3 ---
# --- sparse tensors: tf.SparseTensor, tf.sparse_placeholder, tf.sparse, tf.sets (sparse_tensor.py, sparse_ops.py,
#     sets_ops.py) ---
from .sparse_tensor import SparseTensor, SparseTensorValue, sparse_placeholder
from .sparse_ops import (edit_distance, sparse, sparse_add, sparse_concat, sparse_fill_empty_rows, sparse_reduce_max,
                         sparse_reduce_sum, sparse_reorder, sparse_reshape, sparse_retain, sparse_segment_mean,
                         sparse_segment_sqrt_n, sparse_segment_sum, sparse_softmax, sparse_tensor_dense_matmul,
                         sparse_tensor_to_dense, sparse_to_dense_indices as sparse_to_dense, sparse_transpose)
from .sets_ops import sets  # tf.sets.intersection, union, difference, size (results are SparseTensors)
# --- end sparse tensors ---
# --- TF1 API gaps 4: the incomplete gammas, xlogy, lbeta, bessel_i0e (special_math.py); shape_n, saturate_cast,
#     invert_permutation, unravel_index, clip_by_average_norm, tf.nn.relu_layer (array_helpers.py) ---
from .special_math import *  # noqa: F401,F403
from .matrix_functions import matrix_square_root  # also tf.linalg's expm, logm, sqrtm and the banded solvers
from . import dct_ops, mel_ops  # noqa: F401  (tf.signal.dct/idct, linear_to_mel_weight_matrix, mfccs_...)
from .bessel_and_zeta import *  # noqa: F401,F403  (tf.zeta, tf.math.bessel_*, tf.math.special)
from . import special_integrals  # noqa: F401  (tf.math.special.dawsn, expint, fresnel_cos/sin, spence)
from .array_helpers import *  # noqa: F401,F403
from .indexed_slices import IndexedSlices, IndexedSlicesValue  # (a row lookup's gradient: indexed_slices.py)
# --- end TF1 API gaps 4 ---
# --- TF1 API gaps 5: space_to_batch(_nd), batch_to_space(_nd), required_space_to_batch_paddings and
#     tf.nn.with_space_to_batch (space_batch.py) ---
from .space_batch import *  # noqa: F401,F403
# --- end TF1 API gaps 5 ---
# --- TF1's import paths: `import minidl.graph.compat.v1 as tf`, `from minidl.graph.contrib.rnn import LSTMCell`,
#     `from minidl.graph.python.framework import ops` (import_paths.py; last, once every namespace exists) ---
from .import_paths import register as _register_import_paths
_register_import_paths(__name__)
# --- end TF1's import paths ---
