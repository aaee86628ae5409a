"""Smoke test of the benchmark runner: it runs, prints the table, writes JSON. No timing is asserted —
speed depends on the machine; the numbers are for people to read, not for CI to judge."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = {"op chain": "µs/op", "MLP step": "ms/step", "Session.run": "µs/call", "CNN step": "ms/step",
        "RNN step": "ms/step"}
KEYS = {"op_chain", "mlp_step", "session_run", "cnn_step", "rnn_step"}
# every row has these contestants (torch and tf: where installed)
ALWAYS = ("eager", "graph", "numpy")
TARGET_TEXTS = {  # a few targets each row must report, met or missed
    "op chain": ("graph ≤ eager", "graph ≤ 3.5 µs per executed op"),
    "MLP step": ("graph ≤ eager",),
    "Session.run": ("graph run(constant) ≤ 30 µs",),
    "CNN step": ("eager ≤ the faster of torch and TF", "graph ≤ the faster of torch and TF"),
    "RNN step": ("eager ≤ 1.2× numpy", "graph ≤ eager"),
}


def _number(cell):
    """``'12.3 ±4%'`` -> 12.3."""
    return float(cell.split("±")[0])


def _cells(line):
    return re.split(r"\s{2,}", line.strip())


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    json_path = tmp_path_factory.mktemp("bench") / "results.json"
    # its own process: the runner must set the thread count before numpy loads
    completed = subprocess.run([sys.executable, "-m", "benchmarks.run", "--quick", "--clock", "cpu",
                                "--json", str(json_path)],
                               cwd=REPO, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout, json.loads(json_path.read_text())


def test_quick_run_prints_every_row_with_positive_numbers(quick_run):
    stdout, _ = quick_run
    lines = stdout.splitlines()
    headers = [line for line in lines if line.startswith("workload") and "graph/eager" in line]
    assert len(headers) == 1, stdout
    header = _cells(headers[0])
    assert header[:2] == ["workload", "unit"] and header[-1] == "targets"
    for name in ("eager", "graph", "numpy", "torch", "eager/numpy", "graph/eager"):
        assert name in header, header
    assert ("tf" in header) == ("graph/tf" in header)  # the TF columns come together, where TF is installed
    for title, unit in ROWS.items():
        row = [line for line in lines if _cells(line)[:2] == [title, unit]]
        assert len(row) == 1, f"no single row for {title!r} in:\n{stdout}"
        cells = dict(zip(header, _cells(row[0])))
        for name in ALWAYS:
            assert _number(cells[name]) > 0, (title, name, cells)
        for name in ("torch", "tf"):
            if cells.get(name, "n/a") != "n/a":  # where installed
                assert _number(cells[name]) > 0
        assert re.fullmatch(r"\d+\.\d+x", cells["graph/eager"]), cells
        assert re.fullmatch(r"\d+\.\d+x", cells["eager/numpy"]), cells
        assert cells["targets"].split()[0] in ("met", "MISSED"), cells


def test_quick_run_reports_each_target_met_or_missed(quick_run):
    stdout, _ = quick_run
    lines = stdout.splitlines()
    for title, texts in TARGET_TEXTS.items():
        for text in texts:
            found = [line for line in lines if _cells(line)[:2] == [title, text]]
            assert len(found) == 1, f"no target {text!r} for {title!r} in:\n{stdout}"
            assert _cells(found[0])[-1] in ("met", "MISSED", "n/a"), found[0]
    assert "raw numpy ufunc call" in stdout  # printed beside the per-op target


def test_quick_run_writes_json(quick_run):
    _, data = quick_run
    results = data["results"]
    assert set(results) == KEYS
    for key, row in results.items():
        for name in ALWAYS:
            assert row["times"][name] > 0, (key, name)
        assert not row["problems"]  # every contestant computed the same numbers
        assert all(s > 0 for samples in row["samples"].values() for s in samples)
        assert row["targets"], key
        # a target is met or missed (None: an information line, e.g. the CNN step / its matmuls; or a target whose
        # reference contestant is missing, e.g. CNN vs torch/TF when neither is installed)
        assert all(t["met"] in (True, False, None) for t in row["targets"]), row["targets"]
        assert any(t["met"] in (True, False) for t in row["targets"]) or key == "cnn_step", row["targets"]
    assert results["op_chain"]["info"]["graph"]["executed ops per step"] > 1000
    assert results["op_chain"]["extras"]["raw numpy ufunc call"] > 0
    assert results["session_run"]["extras"]["graph: run(constant)"] > 0
    assert results["cnn_step"]["extras"]["the step's matrix products alone"] > 0
    assert results["cnn_step"]["extras"]["graph NHWC (tf.nn.conv2d) step"] > 0


def test_tf_contestants_run_against_minidl_graph_as_a_stand_in():
    """TensorFlow is not installed here: run the TF contestants' code with ``minidl.graph`` in place of
    ``tf.compat.v1`` (same API), so that code is exercised and checked against numpy all the same."""
    import minidl.graph as tf_standin
    sys.path.insert(0, REPO)
    try:
        from benchmarks.workloads import WORKLOADS, check_agreement
    finally:
        sys.path.remove(REPO)
    for workload in WORKLOADS:
        results = {}
        for name, make in (("numpy", workload.make_numpy), ("tf", lambda: workload.make_tf(tf_standin, None))):
            contestant = make()
            contestant.step()
            results[name] = contestant.result()
        assert check_agreement(results) == [], workload.KEY


def test_workloads_option_selects_rows():
    sys.path.insert(0, REPO)
    try:
        from benchmarks.run import select_workloads
        from benchmarks.workloads import WORKLOADS
    finally:
        sys.path.remove(REPO)
    assert [w.KEY for w in select_workloads(WORKLOADS, "rnn,cnn")] == ["cnn_step", "rnn_step"]
    assert [w.KEY for w in select_workloads(WORKLOADS, "op_chain")] == ["op_chain"]
    assert len(select_workloads(WORKLOADS, None)) == len(WORKLOADS)
    with pytest.raises(SystemExit):
        select_workloads(WORKLOADS, "nope")
    # a row runs on the devices its module names
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WORKLOADS[2], "DEVICES", ("cpu",))
        assert WORKLOADS[2] not in select_workloads(WORKLOADS, None, "cuda")
        with pytest.raises(SystemExit, match="known on cuda"):
            select_workloads(WORKLOADS, WORKLOADS[2].KEY, "cuda")


@pytest.mark.parametrize("workload_key", sorted(KEYS))
def test_contestants_on_every_device_agree_with_numpy_on_the_cpu(workload_key, device):
    """Each contestant built for ``device`` (the hand-written step on cupy there) computes what numpy computes
    on the CPU: the numbers a GPU table would show are of the same work."""
    sys.path.insert(0, REPO)
    try:
        from benchmarks.workloads import WORKLOADS, check_agreement
    finally:
        sys.path.remove(REPO)
    import minidl.backend
    workload = next(w for w in WORKLOADS if w.KEY == workload_key)
    xp = minidl.backend.cupy_or_none() if device == "cuda" else np
    makers = {"numpy": workload.make_numpy, "eager": lambda: workload.make_eager(device),
              "graph": lambda: workload.make_graph(device), "on device": lambda: workload.make_numpy(xp)}
    results = {}
    for name, make in makers.items():
        contestant = make()
        contestant.step()
        results[name] = contestant.result()
    assert check_agreement(results) == []


@pytest.mark.skipif(__import__("minidl").cuda_is_available(), reason="checks the no-GPU error")
def test_cuda_without_a_gpu_is_refused_up_front():
    completed = subprocess.run([sys.executable, "-m", "benchmarks.run", "--quick", "--device", "cuda"], cwd=REPO,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode != 0 and "no CUDA GPU is available" in completed.stderr


def test_peak_memory_child_reports_a_positive_peak():
    """One fresh process measuring one contestant (the smallest: the RNN's numpy version)."""
    completed = subprocess.run([sys.executable, "-m", "benchmarks.memory", "--child", "rnn_step", "numpy",
                                "--steps", "1"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["peak_mb"] > 0 and result["cpu_ms_per_step"] > 0


def test_runs_as_a_script_too():
    completed = subprocess.run([sys.executable, "benchmarks/run.py", "--help"], cwd=REPO, capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert "--threads" in completed.stdout and "--quick" in completed.stdout and "--no-tf" in completed.stdout
    assert "--workloads" in completed.stdout


def test_graph_chain_profile_runs_on_the_sessions_plan():
    """The profiler takes a compiled plan apart (its slots and steps): it must keep up with the session."""
    completed = subprocess.run([sys.executable, "-m", "benchmarks.profile", "graph-chain", "--repeats", "1",
                                "--clock", "cpu"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    timings = re.findall(r"([\d.]+) µs per executed op", completed.stdout)
    assert len(timings) == 5 and all(float(t) > 0 for t in timings)
