"""Smoke test of the benchmark runner: it runs, prints the table, writes JSON. No timing is asserted —
speed depends on the machine; the numbers are for people to read, not for CI to judge."""
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = {"op chain": "µs/op", "MLP step": "ms/step"}


def _number(cell):
    """``'12.3 ±4%'`` -> 12.3."""
    return float(cell.split("±")[0])


def test_quick_run_prints_every_row_with_positive_numbers(tmp_path):
    json_path = tmp_path / "results.json"
    # its own process: the runner must set the thread count before numpy loads
    completed = subprocess.run([sys.executable, "-m", "benchmarks.run", "--quick", "--json", str(json_path)],
                               cwd=REPO, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert any(line.startswith("workload") and "minidl/numpy" in line for line in lines), completed.stdout
    for title, unit in ROWS.items():
        row = [line for line in lines if line.startswith(title)]
        assert len(row) == 1, f"no single row for {title!r} in:\n{completed.stdout}"
        cells = re.split(r"\s{2,}", row[0].strip())
        assert cells[1] == unit
        minidl, numpy_time = _number(cells[2]), _number(cells[3])
        assert minidl > 0 and numpy_time > 0
        if cells[4] != "n/a":  # the torch column, where PyTorch is installed
            assert _number(cells[4]) > 0
        assert re.fullmatch(r"\d+\.\d+x", cells[5]), cells  # minidl/numpy ratio
        assert cells[-1].split()[0] in ("met", "MISSED"), cells

    results = json.loads(json_path.read_text())["results"]
    assert set(results) == {"op_chain", "mlp_step"}
    for row in results.values():
        assert row["times"]["minidl"] > 0 and row["times"]["numpy"] > 0
        assert not row["problems"]  # every contestant computed the same numbers
        assert all(s > 0 for samples in row["samples"].values() for s in samples)


def test_runs_as_a_script_too():
    completed = subprocess.run([sys.executable, "benchmarks/run.py", "--help"], cwd=REPO, capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert "--threads" in completed.stdout and "--quick" in completed.stdout
