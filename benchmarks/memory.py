"""Peak memory per contestant, and what glibc's malloc settings do to the step's time.

    python -m benchmarks.memory                          # peak memory of the CNN and RNN contestants
    python -m benchmarks.memory --malloc --rounds 3      # + each step's CPU time with glibc keeping freed blocks

**Method (peak memory).** Each (workload, contestant) runs in its own fresh process (``--child``): it pins the
threads, imports what it needs (numpy, minidl, torch only for the torch contestant), then reads its resident set
size ``VmRSS`` from ``/proc/self/status`` — the *baseline*. It builds the contestant (data, weights, graph,
session) and runs a few training steps, then reads ``VmHWM``, the kernel's high-water mark of the resident set.
Reported: ``VmHWM − baseline`` in MB = the most memory that building and stepping this contestant ever held at
once, whoever allocated it (numpy, PyTorch's own allocator, BLAS buffers, Python objects). Why not
``tracemalloc``: it sees numpy's allocations but not PyTorch's or TensorFlow's, so it cannot compare them; why not
``ru_maxrss`` of the child: it includes the interpreter and the imported libraries (torch alone is hundreds of MB),
which would drown the workload. Caveats: the import baseline differs a little per library (lazily loaded
modules count as the contestant's); pages of the library code touched for the first time during the step count.

**Method (malloc settings).** ``import minidl`` tells glibc's malloc to keep freed memory
(``minidl/backend/allocator.py``), for the whole process — every contestant of a run, PyTorch included, gets it.
``--malloc`` measures what that buys: the same child processes also time ``--steps`` steps on the CPU clock after
a warm-up, once with ``MINIDL_KEEP_FREED_MEMORY=0`` (glibc's defaults: large temporaries are unmapped when freed
and page-faulted back in, zero-filled, on the next step) and once with minidl's setting. Rounds alternate
default/kept processes; the median per setting is reported with their ratio. The peak-memory table is measured
with minidl's setting (what a user gets).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MALLOC_DEFAULT = {"MINIDL_KEEP_FREED_MEMORY": "0"}
MALLOC_TUNED = {"MINIDL_KEEP_FREED_MEMORY": "1"}
MALLOC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MINIDL_KEEP_FREED_MEMORY")


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def child(key, name, threads, steps):
    """Run inside the fresh process: returns ``{"peak_mb", "baseline_mb", "cpu_ms_per_step"}``."""
    from benchmarks.run import import_tf, import_torch, pin_threads
    pin_threads(threads)
    import numpy  # noqa: F401  (imported before the baseline is read, so it is not counted as the workload's)
    import minidl.eager  # noqa: F401
    import minidl.graph  # noqa: F401
    from benchmarks.workloads import WORKLOADS
    workload = next(w for w in WORKLOADS if w.KEY == key)
    if name == "torch":
        torch, reason = import_torch(threads)
        if torch is None:
            raise SystemExit(reason)
        torch.zeros(1).sum()  # load torch's lazy parts before the baseline
        make = lambda: workload.make_torch(torch)  # noqa: E731
    elif name == "tf":
        tf, config, reason = import_tf(threads)
        if tf is None:
            raise SystemExit(reason)
        make = lambda: workload.make_tf(tf, config)  # noqa: E731
    else:
        make = getattr(workload, f"make_{name}")
    baseline = _status_kb("VmRSS")
    contestant = make()
    contestant.step()
    contestant.step()  # warm-up
    start = time.process_time()
    for _ in range(steps):
        contestant.step()
    per_step = (time.process_time() - start) / steps
    peak = _status_kb("VmHWM")
    return {"peak_mb": (peak - baseline) / 1024, "baseline_mb": baseline / 1024, "cpu_ms_per_step": per_step * 1e3}


def _run_child(key, name, threads, steps, extra_env=None):
    env = dict(os.environ)
    for var in MALLOC_VARIABLES:  # only what the run asks for, whatever the caller's shell set
        env.pop(var, None)
    env.update(extra_env or {})
    completed = subprocess.run([sys.executable, "-m", "benchmarks.memory", "--child", key, name,
                                "--threads", str(threads), "--steps", str(steps)],
                               cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    if completed.returncode != 0:
        return {"error": (completed.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _contestants(workload, no_torch, no_tf):
    names = ["eager", "graph", "numpy"]
    if not no_torch and hasattr(workload, "make_torch"):
        try:
            import importlib.util
            if importlib.util.find_spec("torch") is not None:
                names.append("torch")
        except Exception:
            pass
    if not no_tf and hasattr(workload, "make_tf"):
        import importlib.util
        if importlib.util.find_spec("tensorflow") is not None:
            names.append("tf")
    return names


def _steps(workload):
    return {"cnn_step": 3, "rnn_step": 20}.get(workload.KEY, 5)


def measure(workloads, threads, no_torch=False, no_tf=False):
    """``{workload key: {contestant: peak MB (or an error string)}}``, one fresh process per contestant."""
    out = {}
    for workload in workloads:
        out[workload.KEY] = {}
        for name in _contestants(workload, no_torch, no_tf):
            result = _run_child(workload.KEY, name, threads, _steps(workload))
            out[workload.KEY][name] = result.get("peak_mb", result.get("error"))
    return out


def format_table(rows):
    lines = ["peak memory, MB above the process's post-import resident size (VmHWM − VmRSS baseline, one fresh "
             "process per contestant; see benchmarks/memory.py)"]
    for key, per in rows.items():
        cells = [f"{name} {v:.0f}" if isinstance(v, float) else f"{name} ({v})" for name, v in per.items()]
        lines.append(f"  {key:10s} " + "   ".join(cells))
    return "\n".join(lines)


def malloc_experiment(workloads, threads, rounds, no_torch=False, no_tf=False):
    """Per workload and contestant: median CPU ms/step with glibc's defaults (``MALLOC_DEFAULT``) and with minidl's
    setting (``MALLOC_TUNED``)."""
    print(f"malloc settings: {' '.join(f'{k}={v}' for k, v in MALLOC_TUNED.items())}")
    print(f"{'workload':10s} {'contestant':10s} {'default ms':>11s} {'tuned ms':>9s} {'tuned/default':>14s}"
          f" {'peak MB default':>16s} {'tuned':>6s}")
    for workload in workloads:
        for name in _contestants(workload, no_torch, no_tf):
            samples = {"default": [], "tuned": []}
            peaks = {"default": [], "tuned": []}
            for r in range(rounds):
                order = ("default", "tuned") if r % 2 == 0 else ("tuned", "default")
                for setting in order:
                    res = _run_child(workload.KEY, name, threads, _steps(workload) * 2,
                                     MALLOC_TUNED if setting == "tuned" else MALLOC_DEFAULT)
                    if "error" in res:
                        print(f"{workload.KEY:10s} {name:10s} failed: {res['error']}")
                        break
                    samples[setting].append(res["cpu_ms_per_step"])
                    peaks[setting].append(res["peak_mb"])
            if not samples["default"] or not samples["tuned"]:
                continue
            d, t = statistics.median(samples["default"]), statistics.median(samples["tuned"])
            print(f"{workload.KEY:10s} {name:10s} {d:11.2f} {t:9.2f} {t / d:13.2f}x"
                  f" {max(peaks['default']):16.0f} {max(peaks['tuned']):6.0f}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=2, metavar=("KEY", "CONTESTANT"), help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=3, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workloads", default="cnn,rnn", help="comma-separated rows (default: cnn,rnn)")
    parser.add_argument("--malloc", action="store_true", help="also time each contestant with and without minidl's malloc setting")
    parser.add_argument("--rounds", type=int, default=3, help="processes per setting for --malloc (default 3)")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--no-tf", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.threads, args.steps)))
        return 0
    from benchmarks.run import pin_threads, select_workloads
    pin_threads(args.threads)
    from benchmarks.workloads import WORKLOADS
    workloads = select_workloads(WORKLOADS, args.workloads)
    print(format_table(measure(workloads, args.threads, args.no_torch, args.no_tf)))
    if args.malloc:
        print()
        malloc_experiment(workloads, args.threads, args.rounds, args.no_torch, args.no_tf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
