"""torch.profiler and torch.autograd.profiler: ops, backward nodes and blocks as timed, nested events; the table,
the schedule and the Chrome trace."""
import json
import threading

import numpy
import pytest

import minidl.eager as torch
from minidl.eager.grad_mode import GradMode
from minidl.eager.profiler import (ProfilerAction, ProfilerActivity, profile, record_function, schedule,
                                   tensorboard_trace_handler)
from minidl.eager.autograd import profiler as autograd_profiler


def _names(events):
    return [e.name for e in events]


def test_every_op_and_every_backward_node_is_an_event_with_the_vjps_ops_inside(device):
    a = torch.randn(4, 3, device=device, requires_grad=True)
    b = torch.randn(3, 2, device=device)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        y = (a @ b).relu()
        y.sum().backward()
    names = _names(prof.events())
    for name in ("Mm", "Relu", "Sum", "SumBackward0", "ReluBackward0", "MmBackward0"):
        assert name in names, name
    matmul_node = next(e for e in prof.events() if e.name == "MmBackward0")
    # the VJP of a @ b for a alone is one product g b^T: the op of a linear layer (x w^T), named as PyTorch's
    assert _names(matmul_node.cpu_children) == ["Addmm"]
    assert all(child.cpu_parent is matmul_node for child in matmul_node.cpu_children)
    assert GradMode.observer is None  # nothing records after the block
    with torch.no_grad():
        a * 2
    assert "Mul" not in names


def test_self_times_add_up_to_the_recorded_time_and_totals_contain_children():
    x = torch.randn(50, 50, requires_grad=True)
    with profile() as prof:
        with record_function("outer"):
            with record_function("inner"):
                z = (x @ x).tanh()
            z.sum().backward()
    events = prof.events()
    outer = next(e for e in events if e.name == "outer")
    inner = next(e for e in events if e.name == "inner")
    assert inner.cpu_parent is outer and inner in outer.cpu_children
    assert outer.time_range[0] <= inner.time_range[0] <= inner.time_range[1] <= outer.time_range[1]
    for e in events:
        assert 0 <= e.self_cpu_time_total <= e.cpu_time_total + 1e-9
    top_level = [e for e in events if e.cpu_parent is None]
    assert top_level == [outer]
    assert numpy.isclose(events.self_cpu_time_total, outer.cpu_time_total)


def test_key_averages_count_calls_and_the_table_is_sorted_by_the_chosen_column():
    x = torch.randn(8, 8)
    with profile() as prof:
        for _ in range(3):
            x = (x @ x) * 0.5
        x.exp()
    rows = {r.key: r for r in prof.key_averages()}
    assert rows["Mm"].count == 3 and rows["Mul"].count == 3 and rows["Exp"].count == 1
    assert numpy.isclose(rows["Mm"].cpu_time, rows["Mm"].cpu_time_total / 3)
    table = prof.key_averages().table(sort_by="count", row_limit=2)
    lines = table.splitlines()
    assert "Name" in lines[1] and "Self CPU %" in lines[1] and "# of Calls" in lines[1]
    body = lines[3:5]
    assert len(body) == 2 and all(line.split()[-1] == "3" for line in body)  # the two rows with 3 calls
    assert lines[-1].startswith("Self CPU time total:")
    by_time = [r.key for r in sorted(prof.key_averages(), key=lambda r: r.cpu_time_total, reverse=True)]
    first = prof.key_averages().table(sort_by="cpu_time_total").splitlines()[3].split()[0]
    assert first == by_time[0]
    with pytest.raises(AttributeError, match="sort_by"):
        prof.key_averages().table(sort_by="no_such_column")


def test_input_shapes_and_memory_are_recorded_when_asked():
    a, b = torch.ones(4, 3), torch.ones(3, 2)
    with profile(record_shapes=True, profile_memory=True) as prof:
        a @ b
        a.t()  # a view: no memory of its own
        a + 1.0
    matmul, transpose, add = prof.events()
    assert matmul.input_shapes == [[4, 3], [3, 2]] and add.input_shapes == [[4, 3], []]
    assert matmul.self_cpu_memory_usage == 4 * 2 * 4 and transpose.self_cpu_memory_usage == 0
    grouped = prof.key_averages(group_by_input_shape=True)
    assert {(r.key, str(r.input_shapes)) for r in grouped} >= {("Mm", "[[4, 3], [3, 2]]")}
    table = grouped.table()
    assert "Input Shapes" in table and "CPU Mem" in table and "[[4, 3], [3, 2]]" in table
    assert "32 B" in table  # the product's 4 x 2 float32 result, in PyTorch's units
    with profile() as plain:
        a @ b
    assert plain.events()[0].input_shapes == [] and "Input Shapes" not in plain.key_averages().table()


def test_an_optimizer_step_and_zero_grad_are_events_holding_their_ops():
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=0.01)
    model(torch.ones(5, 3)).sum().backward()
    with profile() as prof:
        optimizer.step()
        optimizer.zero_grad()
    names = _names(prof.events())
    assert "Optimizer.step#SGD.step" in names and "Optimizer.zero_grad#SGD.zero_grad" in names
    step = next(e for e in prof.events() if e.name == "Optimizer.step#SGD.step")
    assert "Mul" in _names(step.cpu_children)  # weight decay's wd * p, inside the step


def test_the_schedule_agrees_with_pytorchs_and_hands_over_each_cycle():
    cycle = schedule(wait=1, warmup=1, active=2, repeat=2)
    A = ProfilerAction
    assert [cycle(i) for i in range(10)] == [A.NONE, A.WARMUP, A.RECORD, A.RECORD_AND_SAVE] * 2 + [A.NONE] * 2
    skipping = schedule(wait=0, warmup=0, active=2, skip_first=3)
    assert [skipping(i) for i in range(6)] == [A.NONE] * 3 + [A.RECORD, A.RECORD_AND_SAVE, A.RECORD]
    torch_profiler = pytest.importorskip("torch.profiler")
    for kwargs in (dict(wait=1, warmup=1, active=2, repeat=2), dict(wait=2, warmup=1, active=3, skip_first=3),
                   dict(wait=2, warmup=1, active=1, repeat=3, skip_first_wait=1)):
        theirs, ours = torch_profiler.schedule(**kwargs), schedule(**kwargs)
        assert [ours(i).name for i in range(16)] == [theirs(i).name for i in range(16)]


def test_a_scheduled_profile_records_only_the_active_steps_and_calls_on_trace_ready():
    ready = []
    x = torch.randn(5, 5)
    with profile(schedule=schedule(wait=1, warmup=1, active=2, repeat=2),
                 on_trace_ready=lambda p: ready.append((p.step_num, sorted(
                     e.name for e in p.events() if e.key == "ProfilerStep*")))) as prof:
        for step in range(10):
            with record_function(f"step {step}"):
                x.exp()
            prof.step()
    assert ready == [(4, ["ProfilerStep#2", "ProfilerStep#3"]), (8, ["ProfilerStep#6", "ProfilerStep#7"])]
    names = set(_names(prof.events()))
    assert {"step 6", "step 7"} <= names and not names & {"step 0", "step 1", "step 4", "step 5", "step 8"}
    assert [r.count for r in prof.key_averages() if r.key == "ProfilerStep*"] == [2]
    # without a schedule: everything, no step events, on_trace_ready once at the end
    ends = []
    with profile(on_trace_ready=lambda p: ends.append(len(p.events()))) as prof:
        for _ in range(3):
            x.exp()
            prof.step()
    assert ends == [3] and _names(prof.events()) == ["Exp"] * 3


def test_acc_events_keeps_every_cycle():
    x = torch.randn(3)
    with profile(schedule=schedule(wait=0, warmup=0, active=1), acc_events=True) as prof:
        for _ in range(3):
            x.exp()
            prof.step()
    assert _names(prof.events()).count("Exp") == 3


def test_the_chrome_trace_is_json_with_one_complete_event_per_event(tmp_path):
    x = torch.randn(4, 4, requires_grad=True)
    with profile(record_shapes=True) as prof:
        with record_function("forward"):
            y = (x * x).sum()
        y.backward()
    path = tmp_path / "trace.json"
    path.write_text("an older trace")
    prof.export_chrome_trace(str(path))
    events = json.loads(path.read_text())["traceEvents"]
    assert len(events) == len(prof.events())
    assert {e["ph"] for e in events} == {"X"}
    outer = next(e for e in events if e["name"] == "forward")
    inner = next(e for e in events if e["name"] == "Mul")  # x * x, in the block (the backward's come later)
    assert outer["cat"] == "user_annotation" and inner["args"]["Input Dims"] == [[4, 4], [4, 4]]
    assert outer["ts"] <= inner["ts"] and inner["ts"] + inner["dur"] <= outer["ts"] + outer["dur"] + 1e-6
    assert [p.name for p in tmp_path.iterdir()] == ["trace.json"]  # written aside, then renamed


def test_tensorboard_trace_handler_writes_each_cycle_to_the_folder(tmp_path):
    x = torch.randn(3)
    with profile(schedule=schedule(wait=0, warmup=0, active=1, repeat=2),
                 on_trace_ready=tensorboard_trace_handler(str(tmp_path / "log"), worker_name="w")) as prof:
        for _ in range(3):
            x.exp()
            prof.step()
    files = sorted((tmp_path / "log").iterdir())
    assert len(files) == 2 and all(f.name.startswith("w.") and f.name.endswith(".pt.trace.json") for f in files)
    assert all(json.loads(f.read_text())["traceEvents"] for f in files)


def test_ops_of_another_thread_are_not_recorded_and_profilers_do_not_nest():
    x = torch.randn(3)
    with profile() as prof:
        worker = threading.Thread(target=lambda: x.cos())
        worker.start()
        worker.join()
        x.sin()
        with pytest.raises(RuntimeError, match="cannot be nested"):
            profile().start()
    assert _names(prof.events()) == ["Sin"]


def test_schedule_arguments_are_checked():
    with pytest.raises(ValueError, match="active"):
        schedule(wait=0, warmup=0, active=0)
    with pytest.raises(TypeError, match="ProfilerActivity"):
        profile(activities=["cpu"])


def test_the_older_autograd_profiler_reads_the_same_way():
    x = torch.randn(6, 6, requires_grad=True)
    with autograd_profiler.profile(record_shapes=True) as prof:
        with autograd_profiler.record_function("block"):
            (x @ x).sum().backward()
    names = _names(prof.function_events)
    assert "block" in names and "Mm" in names and "MmBackward0" in names
    assert "Mm" in prof.table(sort_by="self_cpu_time_total") and str(prof) == prof.table()
    assert numpy.isclose(prof.self_cpu_time_total, prof.total_average().self_cpu_time_total)
    with autograd_profiler.profile(enabled=False) as off:
        x.exp()
    assert len(off.function_events) == 0
    assert torch.autograd.profiler.profile is autograd_profiler.profile


def test_record_function_as_a_decorator_and_outside_any_profiler():
    @record_function("helper")
    def helper(t):
        return t + 1

    assert helper(torch.ones(2)).tolist() == [2.0, 2.0]  # no profiler: just the function
    with profile() as prof:
        helper(torch.ones(2))
    (event,) = [e for e in prof.events() if e.name == "helper"]
    assert _names(event.cpu_children) == ["Add"]


def test_each_batch_a_dataloader_hands_out_is_an_event():
    dataset = torch.utils.data.TensorDataset(torch.arange(10.0))
    with profile() as prof:
        for (batch,) in torch.utils.data.DataLoader(dataset, batch_size=4):
            batch * 2
    names = _names(prof.events())
    assert names.count("enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__") == 4  # 3 batches, then the end
    assert names.count("Mul") == 3


def test_another_threads_ops_while_the_profile_ends_leave_nothing_behind():
    x = torch.randn(30, 30)
    stop = threading.Event()

    def busy():
        while not stop.is_set():
            x @ x
    worker = threading.Thread(target=busy)
    worker.start()
    try:
        for _ in range(20):
            with profile() as prof:
                x.sin()
            assert GradMode.observer is None and _names(prof.events()) == ["Sin"]
    finally:
        stop.set()
        worker.join()
