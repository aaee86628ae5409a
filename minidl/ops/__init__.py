"""The op library: every op defined once (forward on arrays + VJP in ops), shared by eager and graph mode.

Functions here take tensors of either front-end (and Python numbers), follow PyTorch's names and argument
conventions (``dim``, ``keepdim``), and are re-exported by ``minidl.eager``; ``minidl.graph`` wraps them under
TensorFlow's names.
"""
from .base import Op, OpError, Spec, apply, describe, is_tensor, register_frontend
from .cast import cast
from .broadcast import broadcast_to_like, full_like, ones_like, sum_to_like, zeros_like
from .arithmetic import (add, div, divide, floor_divide, mul, multiply, neg, negative, pow, remainder, sub,
                         subtract, true_divide)
from .unary import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .compare import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .extrema import *  # noqa: F401,F403
from .softmax import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .spectral import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .cross_entropy import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .unpooling import *  # noqa: F401,F403
from .fractional_pooling import *  # noqa: F401,F403
from .pooling_sequences import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .recurrent_cells import *  # noqa: F401,F403
from .lstm_sequence import *  # noqa: F401,F403
from .gru_sequence import *  # noqa: F401,F403
from .bitwise import *  # noqa: F401,F403
from .trig import *  # noqa: F401,F403
from .special import *  # noqa: F401,F403
from .cumulative import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .searching import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .matrix import *  # noqa: F401,F403
from .matrix_norms import *  # noqa: F401,F403
from .shape_helpers import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .grid_sampling import *  # noqa: F401,F403
from .index_updates import *  # noqa: F401,F403
from .index_reduce import *  # noqa: F401,F403
from .scaled_products import *  # noqa: F401,F403
from .running_extrema import *  # noqa: F401,F403
from .combining import *  # noqa: F401,F403
from .windows import *  # noqa: F401,F403
from .elementwise_more import *  # noqa: F401,F403
from .distances import *  # noqa: F401,F403
from .binning import *  # noqa: F401,F403
from .nd_indexing import *  # noqa: F401,F403
from .solvers import *  # noqa: F401,F403
from .decompositions import *  # noqa: F401,F403
from .linalg_ex import *  # noqa: F401,F403
from .decompositions_general import *  # noqa: F401,F403
from .lu import *  # noqa: F401,F403
from .householder import *  # noqa: F401,F403
from .ldl import *  # noqa: F401,F403
from .tensor_solves import *  # noqa: F401,F403
from .complex_and_bins import *  # noqa: F401,F403
from .as_strided import *  # noqa: F401,F403
from .nan_reductions import *  # noqa: F401,F403
from .quantiles import *  # noqa: F401,F403
from .index_sets import *  # noqa: F401,F403
from .special_more import *  # noqa: F401,F403
from .more_math import *  # noqa: F401,F403
from .spectral_nd import *  # noqa: F401,F403
from .stft import *  # noqa: F401,F403
from .finite_differences import *  # noqa: F401,F403
from .incomplete_gamma import *  # noqa: F401,F403
from .morphology import *  # noqa: F401,F403
from .bessel import *  # noqa: F401,F403
from .zeta import *  # noqa: F401,F403
from .orthogonal_polynomials import *  # noqa: F401,F403
from .segment_reduce import *  # noqa: F401,F403
from .airy import *  # noqa: F401,F403
from .special_integrals import *  # noqa: F401,F403

import types as _types

__all__ = [_name for _name, _value in globals().items()
           if not _name.startswith("_") and not isinstance(_value, _types.ModuleType)]
