"""``utils.data``: datasets, samplers and the DataLoader (PyTorch's names and behaviour)."""
from .collate import default_collate, default_convert
from . import distributed
from .dataloader import DataLoader
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset,
                      random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .distributed import DistributedSampler
from .worker import get_worker_info
