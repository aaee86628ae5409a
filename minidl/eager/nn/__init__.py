"""``nn``: modules (layers), parameters, and the functional forms of the layers' ops.

``nn.functional`` (the functions, usually imported as ``F``), ``nn.init`` (weight initialisations),
``nn.utils`` (gradient clipping, parameter vectors; ``nn.utils.rnn`` for padded and packed sequences) and
``nn.grad`` (the gradients of a convolution, as functions) are submodules, as in PyTorch; ``nn.modules`` offers
the classes under PyTorch's file paths (``nn.modules.batchnorm._BatchNorm``,
``nn.modules.module.register_module_forward_hook`` ...).
"""
from . import functional, grad, init, utils
from .adaptive import AdaptiveLogSoftmaxWithLoss
from .activation import (CELU, ELU, GELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid,
                         LogSoftmax, Mish, PReLU, ReLU, ReLU6, RReLU, SELU, SiLU, Sigmoid, Softmax, Softmax2d, Softmin,
                         Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold)
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import Dropout, Dropout1d, Dropout2d, Dropout3d
from .linear import Bilinear, Flatten, Identity, Linear, Unflatten
from .loss import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CrossEntropyLoss, CTCLoss, GaussianNLLLoss,
                   HingeEmbeddingLoss, HuberLoss, KLDivLoss, L1Loss, MarginRankingLoss, MSELoss, MultiLabelMarginLoss,
                   MultiLabelSoftMarginLoss, MultiMarginLoss, NLLLoss, NLLLoss2d, PoissonNLLLoss, SmoothL1Loss,
                   SoftMarginLoss, TripletMarginLoss, TripletMarginWithDistanceLoss)
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm, RMSNorm, SyncBatchNorm
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d,
                      ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d,
                      ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d)
from .parameter import Buffer, Parameter, UninitializedParameter
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AvgPool1d, AvgPool2d, AvgPool3d,
                      LPPool1d, LPPool2d, LPPool3d, MaxPool1d, MaxPool2d, MaxPool3d, MaxUnpool1d, MaxUnpool2d,
                      MaxUnpool3d)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from .attention import MultiheadAttention
from .more_layers import (AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d, EmbeddingBag, Fold,
                          InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, PixelShuffle, PixelUnshuffle, Unfold)
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)
from .small_layers import GLU, AlphaDropout, ChannelShuffle, CrossMapLRN2d, FeatureAlphaDropout, LocalResponseNorm
from .fractional_pooling import FractionalMaxPool2d, FractionalMaxPool3d
from .data_parallel import DataParallel
from . import parallel  # nn.parallel.DistributedDataParallel
from .lazy import *  # noqa: F401,F403  (LazyLinear, LazyConv2d, LazyBatchNorm2d, ...)
from . import modules  # PyTorch's torch.nn.modules paths (aliases of the classes above)
