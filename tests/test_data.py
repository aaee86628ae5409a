"""utils.data: datasets, samplers, collation and the multi-process DataLoader."""
import gc
import multiprocessing
import pickle
import time
from collections import namedtuple
from typing import Tuple

import numpy as np
import pytest

import minidl.eager as T
from minidl.eager.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset,
                                     RandomSampler, Sampler, SequentialSampler, Subset, SubsetRandomSampler,
                                     TensorDataset, default_collate, get_worker_info, random_split)


class Squares(Dataset):
    def __init__(self, n=23):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {"x": np.array([i, i * i], dtype=np.float32), "label": i, "name": f"s{i}"}


class Failing(Squares):
    def __getitem__(self, i):
        if i == 7:
            raise ValueError("sample 7 is broken")
        return super().__getitem__(i)


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


class TypedPairs(Dataset[Tuple[np.ndarray, int]]):
    """Typed as PyTorch code types its datasets: the base class subscripted with the sample's type."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.full(2, i, np.float32), i


@pytest.mark.parametrize("workers", [0, 2])
def test_datasets_samplers_and_loaders_are_generic_as_in_pytorch(workers):
    loader = DataLoader[Tuple[T.Tensor, int]](TypedPairs(), batch_size=2, num_workers=workers)
    assert [labels.tolist() for _, labels in loader] == [[0, 1], [2, 3], [4]]
    for generic in (Dataset, IterableDataset, Subset, ConcatDataset, Sampler, DataLoader):
        assert generic[int].__origin__ is generic
    with pytest.raises(TypeError):  # as in PyTorch: only the generic ones take a sample type
        TensorDataset[int]


def _labels(loader):
    return [int(v) for batch in loader for v in batch["label"].tolist()]


@pytest.mark.parametrize("workers", [0, 2])
def test_order_without_shuffle_is_the_dataset_order(workers):
    loader = DataLoader(Squares(), batch_size=4, num_workers=workers)
    assert len(loader) == 6
    batches = list(loader)
    assert _labels(batches) == list(range(23))
    first = batches[0]
    assert first["x"].shape == (4, 2) and first["x"].dtype == T.float32 and first["label"].dtype == T.int64
    assert first["name"] == ["s0", "s1", "s2", "s3"]


@pytest.mark.parametrize("workers", [0, 3])
def test_every_sample_once_per_epoch_with_shuffle_and_drop_last(workers):
    T.manual_seed(0)
    loader = DataLoader(Squares(), batch_size=5, shuffle=True, num_workers=workers)
    epoch1, epoch2 = _labels(loader), _labels(loader)
    assert sorted(epoch1) == sorted(epoch2) == list(range(23)) and epoch1 != epoch2
    T.manual_seed(0)
    assert _labels(loader) == epoch1, "manual_seed makes shuffling reproducible"
    dropped = DataLoader(Squares(), batch_size=5, shuffle=True, drop_last=True, num_workers=workers)
    assert len(dropped) == 4 and len(_labels(dropped)) == 20


def _no_worker_processes_left():
    gc.collect()
    deadline = time.time() + 5
    while multiprocessing.active_children() and time.time() < deadline:
        time.sleep(0.05)
    return multiprocessing.active_children() == []


@pytest.mark.parametrize("module", ["minidl", "torch"])
def test_a_worker_exception_is_reraised_and_the_epoch_goes_on(module):
    """The error comes with the worker's traceback; as in PyTorch, the workers survive it, so a loop that skips a
    bad batch gets the rest of the epoch."""
    make = DataLoader if module == "minidl" else pytest.importorskip("torch").utils.data.DataLoader
    batches, errors = [], []
    iterator = iter(make(Failing(), batch_size=4, num_workers=2))
    while True:
        try:
            batches.append(next(iterator))
        except StopIteration:
            break
        except ValueError as error:
            errors.append(str(error))
    assert len(errors) == 1 and len(batches) == len(Failing()) // 4 + (len(Failing()) % 4 > 0) - 1
    assert "Caught ValueError in DataLoader worker process 1" in errors[0] and "sample 7 is broken" in errors[0]
    del iterator
    assert _no_worker_processes_left()


def test_breaking_out_leaves_no_worker_processes():
    loader = DataLoader(Squares(200), batch_size=2, num_workers=3)
    for i, _ in enumerate(loader):
        if i == 2:
            break
    assert _no_worker_processes_left()


def test_dropping_the_iterator_after_an_error_leaves_no_worker_processes():
    with pytest.raises(ValueError, match="sample 7 is broken"):
        list(DataLoader(Failing(), batch_size=4, num_workers=2))
    assert _no_worker_processes_left()


class RandomDataset(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return np.array([T.rand(1).item(), info.id, info.seed])


def test_workers_are_seeded_differently_and_reproducibly():
    calls = multiprocessing.get_context("fork").Queue()
    loader = DataLoader(RandomDataset(), batch_size=1, num_workers=2, worker_init_fn=lambda wid: calls.put(wid))
    T.manual_seed(1)
    first = [b[0].tolist() for b in loader]
    T.manual_seed(1)
    second = [b[0].tolist() for b in loader]
    assert first == second
    by_worker = {int(row[1]): row for row in first}
    assert set(by_worker) == {0, 1} and by_worker[0][2] + 1 == by_worker[1][2]
    assert first[0][0] != first[1][0], "two workers must not draw the same random numbers"
    assert sorted(calls.get(timeout=5) for _ in range(4)) == [0, 0, 1, 1]


@pytest.mark.parametrize("workers", [0, 2])
def test_iterable_dataset_with_worker_sharding(workers):
    loader = DataLoader(Stream(10), batch_size=3, num_workers=workers)
    values = sorted(v for batch in loader for v in batch.tolist())
    assert values == list(range(10))


def test_timeout_is_reported():
    class Slow(Squares):
        def __getitem__(self, i):
            time.sleep(3)
            return super().__getitem__(i)
    with pytest.raises(RuntimeError, match="timed out after 0.5 seconds"):
        next(iter(DataLoader(Slow(4), batch_size=1, num_workers=1, timeout=0.5)))


def test_argument_errors_mirror_pytorch():
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(Squares(), sampler=SequentialSampler(Squares()), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(Squares(), batch_size=4, batch_sampler=BatchSampler(SequentialSampler(Squares()), 2, False))
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(Squares(), num_workers=-1)


def test_samplers_and_dataset_helpers():
    data = TensorDataset(T.arange(6).float(), T.arange(6))
    assert len(data) == 6 and data[2][1].item() == 2
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(T.zeros(2), T.zeros(3))
    assert list(BatchSampler(SequentialSampler(range(5)), 2, False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(SequentialSampler(range(5)), 2, True)) == 2
    g = T.Generator().manual_seed(0)
    assert sorted(RandomSampler(range(5), generator=g)) == [0, 1, 2, 3, 4]
    assert len(list(RandomSampler(range(5), replacement=True, num_samples=12))) == 12
    assert sorted(SubsetRandomSampler([3, 5, 7])) == [3, 5, 7]
    both = ConcatDataset([Subset(Squares(), [4, 5]), Squares(3)])
    assert len(both) == 5 and both[1]["label"] == 5 and both[2]["label"] == 0 and both[-1]["label"] == 2
    a, b = random_split(Squares(10), [0.7, 0.3], generator=T.Generator().manual_seed(0))
    assert len(a) == 7 and len(b) == 3 and sorted(a.indices + b.indices) == list(range(10))
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(Squares(10), [3, 3])


def test_default_collate_handles_nested_structures():
    batch = default_collate([(T.tensor([1.0]), 2, 0.5, {"k": np.array([1, 2])}),
                             (T.tensor([3.0]), 4, 1.5, {"k": np.array([3, 4])})])
    x, ints, floats, d = batch
    assert x.shape == (2, 1) and ints.dtype == T.int64 and floats.dtype == T.float64
    assert d["k"].tolist() == [[1, 2], [3, 4]]
    assert list(DataLoader(Squares(3), batch_size=None))[1]["x"].tolist() == [1.0, 1.0]
    # strings stay as the batch holds them, as in PyTorch: a field of tuple samples is a tuple
    assert default_collate([(1.5, "a"), (2.5, "b")])[1] == ("a", "b") and default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([{"s": "a"}, {"s": "b"}]) == {"s": ["a", "b"]}


def test_transforms():
    from minidl.eager import transforms as tr
    image = np.arange(16, dtype=np.uint8).reshape(4, 4)
    t = tr.ToTensor()(image)
    assert t.shape == (1, 4, 4) and t.dtype == T.float32 and abs(t.max().item() - 15 / 255) < 1e-7
    normed = tr.Normalize([0.5], [0.25])(t)
    batch = T.ones(3, 3, 2, 2, requires_grad=True)
    per_channel = tr.Normalize([0.5, 0.4, 0.3], [0.1, 0.2, 0.3])(batch)  # (..., C, H, W): C is dim -3
    np.testing.assert_allclose(per_channel[0, :, 0, 0].detach().numpy(), [5.0, 3.0, 7 / 3], rtol=1e-6)
    assert per_channel.requires_grad
    assert repr(tr.Normalize((0.1307,), (0.3081,))) == "Normalize(mean=(0.1307,), std=(0.3081,))"
    with pytest.raises(TypeError, match="tensor image"):
        tr.Normalize([0.5], [0.2])(T.ones(3))
    np.testing.assert_allclose(normed.numpy(), (t.numpy() - 0.5) / 0.25, rtol=1e-6)
    T.manual_seed(0)
    corners = {round(float(tr.RandomHorizontalFlip(0.5)(t).numpy()[0, 0, 0]) * 255) for _ in range(20)}
    assert corners == {0, 3}, "some images flipped (corner 3), some not (corner 0)"
    crop = tr.RandomCrop(4, padding=2)(t)
    assert crop.shape == (1, 4, 4)
    pipeline = tr.Compose([tr.ToTensor(), tr.RandomCrop(3)])
    assert pipeline(image).shape == (1, 3, 3)
    with pytest.raises(ValueError, match="larger than"):
        tr.RandomCrop(9)(t)


class Pair:
    """A batch type of a program's own (what a collate_fn may return): two tensors in an object."""

    def __init__(self, inputs, labels):
        self.inputs, self.labels = inputs, labels


def _pair_collate(samples):
    return Pair(T.stack([T.tensor(s["x"]) for s in samples]), T.tensor([s["label"] for s in samples]))


def test_workers_send_any_object_holding_tensors_and_report_what_cannot_be_sent():
    batches = list(DataLoader(Squares(6), batch_size=3, num_workers=2, collate_fn=_pair_collate))
    assert [type(b) for b in batches] == [Pair, Pair] and batches[1].labels.tolist() == [3, 4, 5]
    np.testing.assert_array_equal(batches[0].inputs.numpy(), [[0, 0], [1, 1], [2, 4]])
    unsendable = DataLoader(Squares(6), batch_size=3, num_workers=1, timeout=20,
                            collate_fn=lambda samples: (lambda: samples))  # a function cannot be pickled
    with pytest.raises(Exception, match="DataLoader worker process 0"):  # an error, not a wait without end
        next(iter(unsendable))
    with pytest.raises(TypeError, match="minidl tensors are not pickled"):  # files still refuse them
        pickle.dumps(T.ones(2))


class Counted(Squares):
    """Remembers which process built each sample, and how often worker_init_fn ran in each."""
    inits = 0

    def __getitem__(self, i):
        sample = super().__getitem__(i)
        sample["pid"] = multiprocessing.current_process().pid
        sample["inits"] = Counted.inits
        return sample


def _count_init(worker_id):
    Counted.inits += 1


def test_persistent_workers_serve_every_epoch():
    loader = DataLoader(Counted(8), batch_size=2, num_workers=2, persistent_workers=True, worker_init_fn=_count_init)
    epochs = [[(b["label"].tolist(), b["pid"].tolist(), b["inits"].tolist()) for b in loader] for _ in range(3)]
    pids = [{p for _, batch_pids, _ in epoch for p in batch_pids} for epoch in epochs]
    assert pids[0] == pids[1] == pids[2] and len(pids[0]) == 2  # the same two processes
    assert all(inits == [1, 1] for epoch in epochs for _, _, inits in epoch)  # initialized once each
    assert [labels for labels, _, _ in epochs[2]] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    iterator = iter(loader)
    next(iterator)  # leave an epoch early: its batches still in flight must not leak into the next one
    assert [b["label"].tolist() for b in loader] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    streamed = DataLoader(Stream(7), batch_size=2, num_workers=2, persistent_workers=True)
    assert [sorted(v for b in streamed for v in b.tolist()) for _ in range(2)] == [list(range(7))] * 2
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(Squares(), persistent_workers=True)


class TensorData(Dataset):
    """A dataset holding a tensor (pickled to spawned workers) that reads whole batches with __getitems__."""

    def __init__(self):
        self.values = T.arange(6.0)

    def __len__(self):
        return 6

    def __getitem__(self, i):
        raise AssertionError("__getitems__ is there: the loader must use it")

    def __getitems__(self, indices):
        return [self.values[i] * 10 for i in indices]


def test_spawned_workers_get_tensors_and_datasets_may_read_a_batch_at_once():
    for workers, context in ((0, None), (1, "spawn")):
        loader = DataLoader(TensorData(), batch_size=4, num_workers=workers, multiprocessing_context=context)
        assert [b.tolist() for b in loader] == [[0.0, 10.0, 20.0, 30.0], [40.0, 50.0]]


class BatchReads(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.float32(i)

    def __getitems__(self, indices):
        return [np.float32(100 + i) for i in indices]


def test_subset_passes_batch_reads_on_and_unbatched_conversion_is_pytorchs():
    subset = Subset(BatchReads(), [4, 2, 0])
    assert [b.tolist() for b in DataLoader(subset, batch_size=2)] == [[104.0, 102.0], [100.0]]
    converted = [item for item in DataLoader([(np.float32(1.5), np.int64(2))], batch_size=None)]
    assert isinstance(converted[0], list) and converted[0][0].ndim == 0 and converted[0][1].dtype == T.int64


ImageLabel = namedtuple("ImageLabel", "image label")  # (at module level: a worker's batch travels pickled)


@pytest.mark.parametrize("workers", [0, 2])
def test_pin_memory_pins_every_cpu_tensor_of_a_batch_where_there_is_a_gpu(monkeypatch, workers):
    """With a GPU, each batch's CPU tensors come in page-locked memory, the batch's structure kept. (Without
    one, pinning is stood in for here: what is checked is which tensors are pinned and how the batch is rebuilt;
    the GPU check runs Tensor.pin_memory itself.)"""
    from minidl.eager.utils.data import dataloader
    pinned = []
    if not T.cuda.is_available():
        monkeypatch.setattr(dataloader, "cuda_is_available", lambda: True)
        monkeypatch.setattr(T.Tensor, "pin_memory", lambda self, device=None: pinned.append(1) or self.clone())

    class Items(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return {"pair": ImageLabel(T.full((2,), float(i)), i), "name": f"item{i}", "extra": [T.tensor(i)]}

    batches = list(DataLoader(Items(), batch_size=2, pin_memory=True, num_workers=workers))
    assert [type(b["pair"]) for b in batches] == [ImageLabel] * 2 and batches[1]["name"] == ["item2", "item3"]
    assert batches[1]["pair"].image.tolist() == [[2.0, 2.0], [3.0, 3.0]] and batches[0]["extra"][0].tolist() == [0, 1]
    tensors = [t for b in batches for t in (b["pair"].image, b["pair"].label, b["extra"][0])]
    assert all(t.is_pinned() for t in tensors) if T.cuda.is_available() else len(pinned) == len(tensors) == 6


def test_pin_memory_without_a_gpu_warns_and_distributed_is_not_initialized():
    if T.cuda.is_available():
        pytest.skip("pinned memory is used where there is a GPU")
    with pytest.warns(UserWarning, match="no accelerator is found"):
        assert [b.tolist() for b in DataLoader([1, 2], pin_memory=True)] == [[1], [2]]
    assert T.distributed.is_available() is True and T.distributed.is_initialized() is False


def test_collation_keeps_numpy_strings_and_mapping_types_and_subsets_fetch_lists_at_once():
    import collections
    from minidl.eager.utils.data import default_convert
    assert default_collate([np.str_("cat"), np.str_("dog")]) == ["cat", "dog"]  # numpy's str is a str
    values, names = default_collate([(np.float32(1.5), np.array(["cat", "dog"])[i]) for i in range(2)])
    assert values.tolist() == [1.5, 1.5] and names == ("cat", "dog")
    sample = collections.defaultdict(list, x=np.ones(2))
    batch = default_collate([sample, sample])
    assert type(batch) is collections.defaultdict and batch.default_factory is list and batch["x"].shape == (2, 2)
    assert type(default_convert(collections.OrderedDict(a=np.ones(1)))) is collections.OrderedDict
    data = TensorDataset(T.arange(5.0), T.arange(5))
    x, y = Subset(data, [4, 2, 0])[[0, 1]]  # the dataset is asked once, for the list, as in PyTorch
    assert x.tolist() == [4.0, 2.0] and y.tolist() == [4, 2]
    loader = DataLoader(data, batch_size=2, pin_memory_device="", in_order=False)
    assert [b[1].tolist() for b in loader] == [[0, 1], [2, 3], [4]]


class _Restarting:
    """An iterator that yields again after stopping (a reader of a socket or a queue): 1 2 3 | 5 6 7 8 | 10 11 12."""

    def __init__(self):
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.i += 1
        if self.i in (4, 9) or self.i > 12:
            raise StopIteration
        return self.i


class RestartingStream(IterableDataset):
    def __iter__(self):
        return _Restarting()


@pytest.mark.parametrize("workers", [0, 1])
def test_an_epoch_of_an_iterable_dataset_ends_at_its_first_stop(workers):
    """PyTorch ends the epoch at the first StopIteration; the loader read on ([5, 6], [7, 8], [10, 11] more)."""
    loader = DataLoader(RestartingStream(), batch_size=2, num_workers=workers)
    assert [b.tolist() for b in loader] == [[1, 2], [3]]


class UnevenStreams(IterableDataset):
    def __iter__(self):
        worker = get_worker_info().id
        return iter([worker * 100 + j for j in range((1, 4, 4)[worker])])


def test_workers_take_turns_in_a_fixed_cycle_when_one_stream_ends_early():
    """As PyTorch cycles over all workers, skipping the finished: the order counted only the active ones (203
    came before 103)."""
    loader = DataLoader(UnevenStreams(), batch_size=None, num_workers=3)
    assert [int(b) for b in loader] == [0, 100, 200, 101, 201, 102, 202, 103, 203]


def test_the_batching_arguments_cannot_change_after_the_loader_is_made():
    """They were read once, in __init__: `loader.batch_size = 3` was silently ignored, `loader.dataset = ...` half
    applied (the old sampler's indices into the new data). PyTorch refuses both."""
    loader = DataLoader(Squares(4), batch_size=1)
    for name, value in (("batch_size", 3), ("dataset", Squares(8)), ("sampler", None), ("drop_last", True)):
        with pytest.raises(ValueError, match=f"{name} attribute should not be set after DataLoader is initialized"):
            setattr(loader, name, value)
    loader.num_workers = 0  # (the others may change)
    assert len(list(loader)) == 4


def test_a_spawned_worker_gets_the_dataset_and_functions_not_the_loader():
    """Under "spawn" the worker's task was the loader's bound method, so the whole loader was pickled — an
    unpicklable sampler (a generator) failed, and the sampler's indices were copied into every worker."""
    loader = DataLoader(list(range(4)), sampler=(i for i in [3, 1, 2]), batch_size=2, num_workers=1,
                        multiprocessing_context="spawn")
    assert [b.tolist() for b in loader] == [[3, 1], [2]]
