"""DataLoader sweep: persistent workers recover from a worker error, a worker's KeyError keeps its traceback
readable, and a random sampler over nothing is PyTorch's error."""
import time

import pytest
import torch

from minidl.eager.utils.data import DataLoader, Dataset, RandomSampler, get_worker_info


def _in_worker():
    return get_worker_info() is not None or torch.utils.data.get_worker_info() is not None


class FailsOnceInWorker(Dataset):
    """Item 3 fails the first time a worker reads it (each worker holds its own copy of the dataset)."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3 and _in_worker() and not hasattr(self, "failed"):
            self.failed = True
            raise ValueError("item 3 failed")
        return i


class SlowUntilTold(Dataset):
    """Slow while ``slow`` is set; workers started later copy the dataset as the main process has it then."""

    slow = True

    def __len__(self):
        return 2

    def __getitem__(self, i):
        if self.slow:
            time.sleep(1.5)
        return i


class MissingKey(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return {}["absent"]


@pytest.mark.parametrize("module", ["minidl", "torch"])
def test_persistent_workers_outlive_a_worker_error(module):
    make = DataLoader if module == "minidl" else torch.utils.data.DataLoader
    loader = make(FailsOnceInWorker(), num_workers=2, persistent_workers=True)
    with pytest.raises(ValueError, match="item 3 failed"):
        list(loader)
    # the same workers (whose dataset copy remembers the failure) serve the next epochs
    assert [int(batch.item()) for batch in loader] == list(range(6))
    assert [int(batch.item()) for batch in loader] == list(range(6))


def test_persistent_workers_restart_after_a_timeout():
    dataset = SlowUntilTold()
    loader = DataLoader(dataset, num_workers=1, persistent_workers=True, timeout=0.3)
    with pytest.raises(RuntimeError, match="timed out"):
        list(loader)
    dataset.slow = False
    assert [int(batch.item()) for batch in loader] == [0, 1]  # fresh workers with a fresh copy


def _worker_error(loader):
    with pytest.raises(KeyError) as caught:
        next(iter(loader))
    return str(caught.value)


def test_worker_key_error_keeps_traceback_lines():
    ours = _worker_error(DataLoader(MissingKey(), num_workers=1))
    theirs = _worker_error(torch.utils.data.DataLoader(MissingKey(), num_workers=1))
    head = "Caught KeyError in DataLoader worker process 0.\nOriginal Traceback (most recent call last):\n"
    assert theirs.startswith(head)
    assert ours.startswith(head)
    assert ours.rstrip().endswith("KeyError: 'absent'") and theirs.rstrip().endswith("KeyError: 'absent'")


def _error_message(make):
    with pytest.raises(ValueError) as caught:
        make()
    return str(caught.value)


@pytest.mark.parametrize("make", [lambda mod: mod.RandomSampler([]),
                                  lambda mod: mod.DataLoader([], shuffle=True)], ids=["sampler", "loader"])
def test_random_sampling_of_nothing_is_an_error(make):
    ours = _error_message(lambda: make(__import__("minidl.eager.utils.data", fromlist=["x"])))
    theirs = _error_message(lambda: make(torch.utils.data))
    assert ours == theirs == "num_samples should be a positive integer value, but got num_samples=0"


def test_random_sampler_still_draws_from_a_nonempty_source():
    assert sorted(RandomSampler(range(5))) == list(range(5))
