"""Eager mode: tensors that record what you do to them, ``backward()``, and PyTorch's names for everything.

``import minidl.eager as torchlike`` and write PyTorch code.
"""
import sys as _sys

from .. import __version__
from ..backend import cuda_is_available, device
from ..backend.dtypes import can_cast, set_default_dtype
from .element_types import (bfloat16, bool_ as bool, cdouble, cfloat, chalf, complex32, complex64, complex128, double,
                            dtype, float, float16, float32, float64, half, int, int8, int16, int32, int64, long, short,
                            uint8)
from .element_types import get_default_dtype, promote_types, result_type  # PyTorch's rules, answered as dtypes
from ..ops import *  # noqa: F401,F403  every op, under its PyTorch name
from ..ops import __all__ as _op_names
from .. import ops as _ops
from .numpy_names import accept_numpy_names as _accept_numpy_names
from .out_argument import accept_out as _accept_out
from . import amp, autograd, cpu, cuda, distributions, jit, nn, optim, profiler, testing, transforms, utils, version
from . import func  # torch.func
from . import quasirandom, signal  # torch.quasirandom.SobolEngine, torch.signal.windows
from . import hub  # torch.hub: hubconf.py entrypoints and cached checkpoints, never downloaded
from . import masked  # torch.masked: masked reductions and normalizations, MaskedTensor
from .control_flow import cond, while_loop  # torch.cond, torch.while_loop (the higher-order ops, run eagerly)
from .func import vmap  # torch.vmap
from .amp import (GradScaler, autocast, get_autocast_cpu_dtype, get_autocast_dtype, is_autocast_cpu_enabled,
                  is_autocast_enabled, set_autocast_enabled)
from . import distributed, multiprocessing  # torch.distributed, torch.multiprocessing
from . import special_functions as special  # torch.special
from .creation import (bartlett_window, blackman_window, hamming_window, hann_window, kaiser_window,
                       arange, as_tensor, asarray, empty, empty_like, empty_strided, eye, from_numpy, full, full_like,
                       get_default_device, linspace, logspace, normal, ones, ones_like, rand, rand_like, randint,
                       randint_like, randn, randn_like, randperm, scalar_tensor, set_default_device, tensor, zeros,
                       zeros_like)
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)
from .environment import (accelerator, are_deterministic_algorithms_enabled, backends, compile, compiler, e, finfo,
                          get_num_interop_threads, get_num_threads, iinfo, inf, is_warn_always_enabled, nan, pi,
                          set_flush_denormal, set_num_interop_threads, set_num_threads, set_warn_always,
                          use_deterministic_algorithms)
from .environment import get_float32_matmul_precision, set_float32_matmul_precision
from .layouts import (channels_last, channels_last_3d, contiguous_format, layout, memory_format, preserve_format,
                      sparse_bsc, sparse_bsr, sparse_coo, sparse_csc, sparse_csr, strided)
from .formatting import set_printoptions
from .legacy import TENSOR_TYPES as _TENSOR_TYPES, set_default_tensor_type
from .sampling import bernoulli, binomial, multinomial, poisson
from .lowrank import pca_lowrank, svd_lowrank
from .memory_sharing import from_dlpack, frombuffer, to_dlpack  # (and Tensor.__dlpack__, share_memory_, is_shared)
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import load, save
from .storage import TypedStorage, UntypedStorage, is_storage
from .tensor import Size, Tensor
from . import tensor_methods as _tensor_methods  # noqa: F401  attaches op methods to Tensor
from .nn.small_functions import feature_alpha_dropout, hardshrink, rms_norm, rrelu  # torch.X as well as F.X
from .nn.loss_functions import cosine_similarity, pairwise_distance, pdist
from .aliases import (absolute, adjoint, conj_physical, conj_physical_, diagflat, fill, get_device,
                      in_place_functions as _in_place_functions, inclusive_range as range, is_conj, is_inference,
                      is_neg, is_nonzero, is_same_size, is_signed, ravel, resolve_conj, resolve_neg, row_stack, rsub,
                      split_with_sizes, trapz, typename, unravel_index)
from .top_level_functions import (adaptive_max_pool1d, alpha_dropout, celu, constant_pad_nd, cosine_embedding_loss,
                                  embedding, embedding_bag, feature_dropout, frobenius_norm, hinge_embedding_loss,
                                  instance_norm, margin_ranking_loss, native_channel_shuffle, nuclear_norm,
                                  poisson_nll_loss, prelu, same_as_functional as _same_as_functional, selu, threshold,
                                  triplet_margin_loss)
from .nn.rnn import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell  # one step, with torch's arguments already
from .view_copies import COPIES as _COPIES, UNSAFE_SPLITS as _UNSAFE_SPLITS
from .views import PART_VIEWS as _PART_VIEWS

newaxis = None  # x[:, torch.newaxis], as numpy's


globals().update(_TENSOR_TYPES)  # FloatTensor, LongTensor, ... (legacy.py)
globals().update(_in_place_functions())  # torch.exp_(x), torch.relu_(x), ... (aliases.py)
globals().update(_same_as_functional())  # torch.conv1d is F.conv1d, ... (top_level_functions.py)
globals().update(_COPIES, **_UNSAFE_SPLITS)  # torch.permute_copy(x, dims), torch.unsafe_split (view_copies.py)
globals().update(_PART_VIEWS)  # torch.real, imag, view_as_real, view_as_complex: views that know their parent
index_put = Tensor.index_put  # torch.index_put(x, indices, values, accumulate=False): the method's function
clone = Tensor.clone  # torch.clone(x, memory_format=...): the method's function, which takes the memory format
from .out_argument import accept_out_in_factory as _accept_out_in_factory
zeros, ones, empty, full, arange, linspace, logspace, eye, rand, randn, randint, randperm = (
    _accept_out_in_factory(_f) for _f in (zeros, ones, empty, full, arange, linspace, logspace, eye, rand, randn,
                                          randint, randperm))
reshape = Tensor.reshape  # (a new tensor object even for the same shape, as PyTorch's: tensor.distinct_view)
# views that may hand back their input: a new tensor object as functions too (torch.t(vector) is not the vector)
t, transpose, swapaxes, swapdims, broadcast_to, unflatten = (Tensor.t, Tensor.transpose, Tensor.swapaxes,
                                                             Tensor.swapdims, Tensor.broadcast_to, Tensor.unflatten)
is_anomaly_enabled, is_anomaly_check_nan_enabled = autograd.is_anomaly_enabled, autograd.is_anomaly_check_nan_enabled
as_strided = Tensor.as_strided  # (its checks of the tensor's memory are the eager method's)
_wrapped = {}  # op function -> its wrapper, one for all its names (torch.arctan2 is torch.atan2)
for _name in _op_names:  # sum(x, axis=1), add(a, b, out=y) too (not the eager factories: zeros_like ...)
    _fn = getattr(_ops, _name)
    if globals().get(_name) is _fn:
        if _fn not in _wrapped:
            _wrapped[_fn] = _accept_numpy_names(_accept_out(_fn))
        globals()[_name] = _wrapped[_fn]
del _name, _fn
from . import sparse_functions as sparse  # torch.sparse (sparse_coo_tensors.py, sparse_csr_tensors.py: the tensors)
from .sparse_coo_tensors import add_sparse_ as _add_sparse_, sparse_coo_tensor
from .sparse_csr_tensors import sparse_csc_tensor, sparse_csr_tensor
from .sparse_tensors import refuse_dense_methods as _refuse_dense_methods
mm, matmul, sum = (sparse.sparse_aware(mm, sparse.mm), sparse.sparse_aware(matmul, sparse.matmul),  # noqa: F405
                   sparse.sparse_aware(sum, sparse.sum))  # noqa: F405
addmm = sparse.sparse_aware(addmm, sparse.addmm, 1, "mat1")  # noqa: F405  (torch.addmm(M, sparse, dense))
Tensor.addmm = sparse.sparse_aware(Tensor.addmm, sparse.addmm, 1, "mat1")  # M.addmm(sparse, dense)
Tensor.add_ = sparse.sparse_aware(Tensor.add_, _add_sparse_, 1, "other")  # p.add_(sparse_grad, alpha=-lr)
spmm = mm
from . import nested  # torch.nested (nested.py): these functions take its nested tensors too, as PyTorch's do
globals().update(nested.nested_aware_functions(globals()))
vars(nn.functional).update(nested.nested_aware_functions(vars(nn.functional)))


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(t):
    return t.is_floating_point()


def is_complex(t):
    return t.is_complex()


def detach(input):
    """``torch.detach(x)``: ``x.detach()``."""
    return input.detach()


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to, as a ``torch.Size`` (``ops.broadcast_shapes``)."""
    return Size(_ops.broadcast_shapes(*shapes))


def tril_indices(row, col, offset=0, *, dtype=long, device=None):
    """The (2, N) coordinates (rows, then columns) of the lower triangle of a ``row`` x ``col`` matrix, on and
    below diagonal ``offset``, in row-major order: ``x[tuple(tril_indices(...))]`` reads that triangle."""
    return tensor(_ops.index_sets.triangle_indices("tril_indices", row, col, offset, dtype, upper=False),
                  device=device)


def triu_indices(row, col, offset=0, *, dtype=long, device=None):
    """The (2, N) coordinates of the upper triangle of a ``row`` x ``col`` matrix, on and above diagonal
    ``offset``, in row-major order."""
    return tensor(_ops.index_sets.triangle_indices("triu_indices", row, col, offset, dtype, upper=True),
                  device=device)


class fft:
    """``torchlike.fft.rfft(x)``: PyTorch keeps its FFTs in the ``torch.fft`` module (the transforms take ``out=``
    as PyTorch's do)."""
    fft, ifft, rfft, irfft, fft2, ifft2, fftn, ifftn, rfft2, irfft2, rfftn, irfftn, hfft, ihfft, hfft2, ihfft2, \
        hfftn, ihfftn = (staticmethod(_accept_out(getattr(_ops, _transform))) for _transform in (
            "fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "fftn", "ifftn", "rfft2", "irfft2", "rfftn", "irfftn",
            "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn"))
    fftshift, ifftshift = staticmethod(_ops.fftshift), staticmethod(_ops.ifftshift)

    @staticmethod
    def fftfreq(n, d=1.0, *, dtype=None, device=None, requires_grad=False):
        """The frequency of each ``fft`` bin for ``n`` samples ``d`` apart: [0, 1, ..., -2, -1] / (d n)."""
        return tensor(_ops.spectral_nd.frequencies("fftfreq", n, d, dtype), device=device,
                      requires_grad=requires_grad)

    @staticmethod
    def rfftfreq(n, d=1.0, *, dtype=None, device=None, requires_grad=False):
        """The frequency of each ``rfft`` bin for ``n`` samples ``d`` apart: [0, 1, ..., n // 2] / (d n)."""
        return tensor(_ops.spectral_nd.frequencies("rfftfreq", n, d, dtype, onesided=True), device=device,
                      requires_grad=requires_grad)


def numel(t):
    if not isinstance(t, Tensor):
        raise TypeError(f"numel(): argument 'input' (position 1) must be Tensor, not {type(t).__name__}")
    return t.numel()


# ---------------------------------------------------------------- torch.linalg (appended block: linalg namespace)
class linalg:
    """``torchlike.linalg``: PyTorch's ``torch.linalg`` names for the op library's matrix functions."""
    from ..ops.base import LinAlgError  # what a failed factorization or solve raises (an OpError, a RuntimeError)
    norm = staticmethod(linalg_norm)  # noqa: F405  (from the ops star import above)
    vector_norm = staticmethod(linalg_vector_norm)  # noqa: F405
    matrix_norm = staticmethod(linalg_matrix_norm)  # noqa: F405
    cond = staticmethod(linalg_cond)  # noqa: F405
    inv = staticmethod(inverse)  # noqa: F405
    det = staticmethod(det)  # noqa: F405
    matmul = staticmethod(matmul)  # noqa: F405
    # factorizations and solvers (ops/decompositions.py, ops/solvers.py)
    cholesky = staticmethod(cholesky)  # noqa: F405
    cholesky_ex = staticmethod(linalg_cholesky_ex)  # noqa: F405  (ops/linalg_ex.py: results with error codes)
    inv_ex = staticmethod(linalg_inv_ex)  # noqa: F405
    solve_ex = staticmethod(linalg_solve_ex)  # noqa: F405
    ldl_factor = staticmethod(linalg_ldl_factor)  # noqa: F405  (ops/ldl.py: symmetric indefinite matrices)
    ldl_factor_ex = staticmethod(linalg_ldl_factor_ex)  # noqa: F405
    ldl_solve = staticmethod(linalg_ldl_solve)  # noqa: F405
    tensorinv = staticmethod(linalg_tensorinv)  # noqa: F405  (ops/tensor_solves.py)
    tensorsolve = staticmethod(linalg_tensorsolve)  # noqa: F405
    diagonal = staticmethod(lambda A, *, offset=0, dim1=-2, dim2=-1: diagonal(A, offset, dim1, dim2))  # noqa: F405
    qr = staticmethod(linalg_qr)  # noqa: F405
    svd = staticmethod(linalg_svd)  # noqa: F405
    svdvals = staticmethod(linalg_svdvals)  # noqa: F405
    eigh = staticmethod(linalg_eigh)  # noqa: F405
    eigvalsh = staticmethod(linalg_eigvalsh)  # noqa: F405
    solve = staticmethod(linalg_solve)  # noqa: F405
    solve_triangular = staticmethod(linalg_solve_triangular)  # noqa: F405
    lstsq = staticmethod(linalg_lstsq)  # noqa: F405
    slogdet = staticmethod(slogdet)  # noqa: F405
    pinv = staticmethod(linalg_pinv)  # noqa: F405
    matrix_rank = staticmethod(linalg_matrix_rank)  # noqa: F405
    matrix_power = staticmethod(matrix_power)  # noqa: F405
    matrix_exp = staticmethod(matrix_exp)  # noqa: F405  (ops/matrix.py)
    vander = staticmethod(linalg_vander)  # noqa: F405
    cross = staticmethod(linalg_cross)  # noqa: F405
    vecdot = staticmethod(linalg_vecdot)  # noqa: F405
    multi_dot = staticmethod(linalg_multi_dot)  # noqa: F405  (ops/combining.py)
    eig = staticmethod(linalg_eig)  # noqa: F405  (ops/decompositions_general.py)
    eigvals = staticmethod(linalg_eigvals)  # noqa: F405
    lu_factor = staticmethod(linalg_lu_factor)  # noqa: F405  (ops/lu.py)
    lu_factor_ex = staticmethod(linalg_lu_factor_ex)  # noqa: F405
    lu = staticmethod(linalg_lu)  # noqa: F405
    lu_solve = staticmethod(linalg_lu_solve)  # noqa: F405
    householder_product = staticmethod(linalg_householder_product)  # noqa: F405  (ops/householder.py)
# ------------------------------------------------------------------------------------ end of the linalg block

# ``import torch.fft``, ``from torch.linalg import norm``, ``import torch.backends.cudnn as cudnn``,
# ``from torch.cuda.amp import GradScaler``: PyTorch's namespaces are modules; here some are classes or simple
# namespaces, so they are entered where ``import`` looks for modules
for _name, _namespace in {"fft": fft, "linalg": linalg, "special": special, "sparse": sparse, "backends": backends,
                          "backends.cudnn": backends.cudnn, "backends.cuda": backends.cuda,
                          "backends.mps": backends.mps, "cuda.amp": cuda.amp, "cpu.amp": cpu.amp,
                          "compiler": compiler}.items():
    _sys.modules.setdefault(f"{__name__}.{_name}", _namespace)
_refuse_dense_methods()  # last: every module that attaches methods to Tensor has run (sparse_tensors.py)


def __getattr__(name):
    """``torch.OutOfMemoryError``: ``torch.cuda.OutOfMemoryError`` (cupy's, looked up only when asked for)."""
    if name == "OutOfMemoryError":
        return cuda.OutOfMemoryError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
