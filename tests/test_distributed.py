"""torch.multiprocessing and torch.distributed: two real processes (started by "fork", the cheap start method;
one test uses "spawn"), whose results are compared with the same computation done in this one process."""
import multiprocessing
import os
import socket

import numpy
import pytest

import minidl.eager as torch
import minidl.eager.distributed as dist
import minidl.eager.multiprocessing as mp
from minidl.eager import nn

FORK = multiprocessing.get_context("fork")


def _run(worker, nprocs, *args):
    """Run ``worker(rank, queue, *args)`` in ``nprocs`` forked processes; their (rank, result) puts, by rank."""
    queue = FORK.Queue()
    context = mp.spawn(worker, args=(queue, *args), nprocs=nprocs, join=False, start_method="fork")
    results = dict(queue.get(timeout=60) for _ in range(nprocs))
    context.join()
    return [results[r] for r in range(nprocs)]


def _rank_values(rank):
    return numpy.random.default_rng(rank).standard_normal((4, 3))


def _collectives(rank, queue, init_method):
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=2)
    out = {"rank": dist.get_rank(), "size": dist.get_world_size(), "initialized": dist.is_initialized()}
    for op in ("SUM", "AVG", "PRODUCT", "MIN", "MAX"):
        t = torch.tensor(_rank_values(rank))
        dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
        out[op] = t.numpy()
    t = torch.tensor(_rank_values(rank))
    dist.broadcast(t, src=1)
    out["broadcast"] = t.numpy()
    parts = [torch.zeros(4, 3, dtype=torch.float64) for _ in range(2)]
    dist.all_gather(parts, torch.tensor(_rank_values(rank)))
    out["all_gather"] = [p.numpy() for p in parts]
    whole = torch.zeros(8, 3, dtype=torch.float64)
    dist.all_gather_into_tensor(whole, torch.tensor(_rank_values(rank)))
    out["all_gather_into_tensor"] = whole.numpy()
    t = torch.tensor(_rank_values(rank))
    dist.reduce(t, dst=1)
    out["reduce"] = t.numpy()
    gathered = [torch.zeros(4, 3, dtype=torch.float64) for _ in range(2)] if rank == 0 else None
    dist.gather(torch.tensor(_rank_values(rank)), gathered, dst=0)
    out["gather"] = None if gathered is None else [g.numpy() for g in gathered]
    t = torch.zeros(4, 3, dtype=torch.float64)
    dist.scatter(t, [torch.tensor(_rank_values(5)), torch.tensor(_rank_values(6))] if rank == 0 else None, src=0)
    out["scatter"] = t.numpy()
    half = torch.zeros(2, 3, dtype=torch.float64)
    dist.reduce_scatter_tensor(half, torch.tensor(_rank_values(rank)))
    out["reduce_scatter_tensor"] = half.numpy()
    t = torch.tensor(_rank_values(rank))
    if rank == 0:
        dist.send(t * 2, dst=1)
    else:
        out["sender"] = dist.recv(t)
    out["recv"] = t.numpy()
    dist.barrier()
    dist.destroy_process_group()
    out["after_destroy"] = dist.is_initialized()
    queue.put((rank, out))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("scheme", ["file", "tcp"])
def test_collectives_equal_one_process_results(scheme, tmp_path):
    init = f"file://{tmp_path}/store" if scheme == "file" else f"tcp://127.0.0.1:{_free_port()}"
    results = _run(_collectives, 2, init)
    x0, x1 = _rank_values(0), _rank_values(1)
    expected = {"SUM": x0 + x1, "AVG": (x0 + x1) / 2, "PRODUCT": x0 * x1, "MIN": numpy.minimum(x0, x1),
                "MAX": numpy.maximum(x0, x1), "broadcast": x1, "all_gather_into_tensor": numpy.concatenate([x0, x1])}
    for rank, out in enumerate(results):
        assert (out["rank"], out["size"], out["initialized"], out["after_destroy"]) == (rank, 2, True, False)
        for name, value in expected.items():
            numpy.testing.assert_array_equal(out[name], value, err_msg=name)
        numpy.testing.assert_array_equal(out["all_gather"], [x0, x1])
        numpy.testing.assert_array_equal(out["scatter"], _rank_values(5 + rank))
        numpy.testing.assert_array_equal(out["reduce_scatter_tensor"], (x0 + x1)[2 * rank:2 * rank + 2])
    numpy.testing.assert_array_equal(results[1]["reduce"], x0 + x1)
    numpy.testing.assert_array_equal(results[0]["reduce"], x0)  # (not the destination: unchanged)
    numpy.testing.assert_array_equal(results[0]["gather"], [x0, x1])
    assert results[1]["gather"] is None and results[1]["sender"] == 0
    numpy.testing.assert_array_equal(results[1]["recv"], 2 * x0)
    assert not os.path.exists(tmp_path / "store")  # the FileStore's last user removed it


def _model(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()


def _batch():
    rng = numpy.random.default_rng(7)
    return torch.tensor(rng.standard_normal((8, 3))), torch.tensor(rng.standard_normal((8, 2)))


def _train(model, inputs, targets, steps=3):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        optimizer.zero_grad()
        ((model(inputs) - targets) ** 2).mean().backward()
        optimizer.step()


def _ddp(rank, queue, port):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE="2")
    dist.init_process_group("gloo")
    model = nn.parallel.DistributedDataParallel(_model(seed=rank))  # rank 1's own weights are replaced by rank 0's
    inputs, targets = _batch()
    _train(model, inputs[4 * rank:4 * rank + 4], targets[4 * rank:4 * rank + 4])
    with model.no_sync():  # a local gradient only: the replicas' gradients differ
        ((model(inputs[rank:rank + 1]) - targets[rank:rank + 1]) ** 2).sum().backward()
    local = model.module[0].weight.grad.numpy().copy()
    sampler = torch.utils.data.DistributedSampler(range(10), shuffle=False)
    dist.destroy_process_group()
    queue.put((rank, ({k: v.numpy() for k, v in model.state_dict().items()}, local, list(sampler))))


def test_ddp_training_equals_one_process_on_the_whole_batch():
    results = _run(_ddp, 2, _free_port())
    reference = _model(seed=0)
    _train(reference, *_batch())
    expected = reference.state_dict()
    for state, _, _ in results:
        assert list(state) == ["module." + k for k in expected]
        for key, value in expected.items():
            numpy.testing.assert_allclose(state["module." + key], value.numpy(), rtol=0, atol=1e-12)
    assert not numpy.allclose(results[0][1], results[1][1])  # no_sync: nothing was averaged
    assert results[0][2] == [0, 2, 4, 6, 8] and results[1][2] == [1, 3, 5, 7, 9]  # rank, size from the group


def _fails(rank):
    if rank == 1:
        raise ValueError("rank one cannot go on")


def _exits(rank):
    os._exit(3 if rank == 0 else 0)


def test_spawn_reports_a_child_failure():
    with pytest.raises(mp.ProcessRaisedException, match="rank one cannot go on") as caught:
        mp.spawn(_fails, nprocs=2, start_method="fork")
    assert "ValueError" in str(caught.value) and caught.value.error_index == 1
    with pytest.raises(mp.ProcessExitedException, match="process 0 terminated with exit code 3"):
        mp.spawn(_exits, nprocs=2, start_method="fork")


def _square_into(rank, queue):
    queue.put((rank, rank * rank))


def test_spawn_start_method():
    queue = multiprocessing.get_context("spawn").Queue()
    mp.spawn(_square_into, args=(queue,), nprocs=2)  # (the default start method, as PyTorch's)
    assert sorted(queue.get(timeout=60) for _ in range(2)) == [(0, 0), (1, 1)]


def _double_received(queue, done):
    shared, plain, parameter = queue.get()
    shared.mul_(2)
    plain.mul_(2)
    done.put((type(parameter).__name__, parameter.requires_grad, plain.numpy()))


@pytest.mark.parametrize("strategy, start_method", [("file_descriptor", "spawn"), ("file_system", "fork")])
def test_tensors_through_a_queue(strategy, start_method):
    mp.set_sharing_strategy(strategy)
    try:
        context = mp.get_context(start_method)
        queue, done = context.Queue(), context.Queue()
        child = context.Process(target=_double_received, args=(queue, done))
        child.start()
        shared, plain = torch.arange(6.).share_memory_(), torch.arange(3.)
        queue.put((shared[2:], plain, nn.Parameter(torch.ones(2))))
        kind, requires_grad, received = done.get(timeout=60)
        child.join()
    finally:
        mp.set_sharing_strategy("file_descriptor")
    assert (kind, requires_grad) == ("Parameter", True)
    numpy.testing.assert_array_equal(received, [0, 2, 4])
    numpy.testing.assert_array_equal(plain.numpy(), [0, 1, 2])  # a copy went
    numpy.testing.assert_array_equal(shared.numpy(), [0, 1, 4, 6, 8, 10])  # the child wrote into our memory
    assert mp.get_all_sharing_strategies() == {"file_descriptor", "file_system"}


def test_refusals_match_pytorch():
    real = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        real.distributed.all_reduce(real.ones(2))
    with pytest.raises(ValueError, match="Default process group has not been initialized") as ours:
        dist.all_reduce(torch.ones(2))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="Default process group"):
        dist.get_rank()
    with pytest.raises(RuntimeError, match="doesn't have NCCL built in"):
        dist.init_process_group("nccl", init_method="tcp://127.0.0.1:1", rank=0, world_size=1)
    x = torch.ones(2, requires_grad=True)
    from multiprocessing.reduction import ForkingPickler
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor"):
        ForkingPickler.dumps(x * 2)
    assert dist.is_available() and not dist.is_initialized()
