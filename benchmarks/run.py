"""Run the minidl benchmarks and print a table: ``python -m benchmarks.run`` (or ``python benchmarks/run.py``).

Contestants — minidl eager, hand-written numpy, and PyTorch when it is installed — run in ONE process,
interleaved (see ``timing.py``), on 1 thread unless ``--threads`` says otherwise. Each workload first checks that
the contestants compute the same numbers (a benchmark of a wrong answer is worthless), then times them.

    python -m benchmarks.run                  # full run, ~half a minute
    python -m benchmarks.run --quick          # a few seconds: a smoke test, not a measurement
    python -m benchmarks.run --threads 2 --repeats 31 --json results.json

Numpy and PyTorch read their thread counts from environment variables *when they load*, so this module sets
them first and imports numpy, torch and minidl only afterwards (inside ``main``).
"""
import argparse
import json
import os
import platform
import sys

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` and ``minidl`` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
CONTESTANTS = ("minidl", "numpy", "torch")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=None,
                        help="samples per contestant, taken round-robin; the median is reported (default 15, "
                             "3 with --quick)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP/PyTorch threads (default 1)")
    parser.add_argument("--quick", action="store_true",
                        help="few and short samples: finishes in seconds; numbers are rough")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall: elapsed time (default); cpu: this process's CPU time, steadier on a busy "
                             "machine (with --threads > 1 it adds up the threads)")
    parser.add_argument("--json", metavar="PATH", help="also write the results (all samples) to this JSON file")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if it is installed")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 3 if args.quick else 15
    if args.repeats < 1 or args.threads < 1:
        parser.error("--repeats and --threads must be at least 1")
    return args


def pin_threads(threads):
    """Set the thread-count variables; warn when numpy is already loaded (then they come too late)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    if "numpy" in sys.modules:
        print(f"warning: numpy was imported before the thread count was set; {'/'.join(THREAD_VARIABLES)}="
              f"{threads} may not take effect. Run this as its own process.", file=sys.stderr)


def import_torch(threads):
    """PyTorch pinned to ``threads``, or None (with the reason) where it is not installed."""
    try:
        import torch
    except Exception as error:  # ImportError, or a broken install
        return None, f"PyTorch not available ({type(error).__name__}: {error})"
    torch.set_num_threads(threads)
    return torch, None


def environment(threads, torch):
    import numpy
    info = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": _cpu_name(),
        "numpy": numpy.__version__,
        "blas": _blas_name(numpy),
        "torch": torch.__version__ if torch is not None else None,
        "threads": threads,
    }
    try:  # other programs running at the same time inflate every number (the ratios suffer less)
        info["load_average_1min"] = round(os.getloadavg()[0], 2)
        info["cpus"] = os.cpu_count()
    except (AttributeError, OSError):  # not on every platform
        pass
    for name in ("OPENBLAS_CORETYPE",):  # forces OpenBLAS's kernel choice: can change matmul speed a lot
        if os.environ.get(name):
            info[name] = os.environ[name]
    return info


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _blas_name(numpy):
    try:
        config = numpy.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:
        return "unknown"


# ---------------------------------------------------------------------------------------- running a workload

def build_contestants(workload, torch, torch_reason):
    """``({name: Contestant}, {name: why it is missing})``: a contestant that fails to build is left out."""
    makers = {"minidl": workload.make_minidl, "numpy": workload.make_numpy,
              "torch": (lambda: workload.make_torch(torch)) if torch is not None else None}
    contestants, missing = {}, {}
    for name, make in makers.items():
        if make is None:
            missing[name] = torch_reason
            continue
        try:
            contestant = make()
            contestant.step()  # one step now, so an op that is missing or broken shows up here, not mid-timing
            contestants[name] = contestant
        except Exception as error:
            missing[name] = f"{type(error).__name__}: {error}"
    return contestants, missing


def run_workload(workload, torch, torch_reason, args):
    from benchmarks import timing
    from benchmarks.workloads import check_agreement
    contestants, missing = build_contestants(workload, torch, torch_reason)
    problems = []
    if "numpy" in contestants:  # every contestant has run exactly one step (build_contestants): compare it
        results = {name: c.result() for name, c in contestants.items()}
        problems = check_agreement(results)
    min_sample_s = 0.005 if args.quick else 0.1
    timings = timing.interleaved({name: c.step for name, c in contestants.items()}, args.repeats, min_sample_s,
                                 args.clock)
    scale = workload.UNIT_SCALE / workload.PER_STEP
    times = {name: t.median * scale for name, t in timings.items()}
    row = {
        "title": workload.TITLE, "unit": workload.UNIT, "times": times,
        "spread": {name: t.spread for name, t in timings.items()},
        "samples": {name: [s * scale for s in t.samples] for name, t in timings.items()},
        "calls_per_sample": {name: t.number for name, t in timings.items()},
        "missing": missing, "problems": problems, "target": workload.TARGET,
        "ratios": {}, "target_met": None,
    }
    for other in ("numpy", "torch"):
        if "minidl" in times and other in times:
            row["ratios"][f"minidl/{other}"] = times["minidl"] / times[other]
    try:
        row["target_met"] = bool(workload.target_met(times))
    except KeyError:  # a contestant the target needs is missing
        pass
    return row


# ------------------------------------------------------------------------------------------------ the table

def _cell(row, name):
    if name not in row["times"]:
        return "n/a"
    return f"{row['times'][name]:.3g} ±{100 * row['spread'][name]:.0f}%"


def format_table(rows, env, args):
    header = ["workload", "unit", *CONTESTANTS, "minidl/numpy", "minidl/torch", "target", "status"]
    lines = []
    for row in rows:
        status = {True: "met", False: "MISSED", None: "n/a"}[row["target_met"]]
        if row["problems"]:
            status += " (RESULTS DISAGREE)"
        ratios = [f"{row['ratios'][k]:.2f}x" if k in row["ratios"] else "n/a" for k in ("minidl/numpy", "minidl/torch")]
        lines.append([row["title"], row["unit"], *(_cell(row, n) for n in CONTESTANTS), *ratios, row["target"], status])
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]

    def fmt(cells):
        return "  ".join(str(c).ljust(w) if i < 2 or i >= 7 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    thread_word = "thread" if args.threads == 1 else "threads"
    clock = "" if args.clock == "wall" else ", CPU time"
    out = [f"minidl benchmarks — {args.threads} {thread_word}, median of {args.repeats} interleaved samples "
           f"(± half the interquartile range){clock}{', QUICK: rough numbers' if args.quick else ''}",
           f"{env['processor']}; Python {env['python']}, numpy {env['numpy']} ({env['blas']}), "
           f"torch {env['torch'] or 'not used'}"
           + (f"; OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}" if "OPENBLAS_CORETYPE" in env else ""),
           ]
    load = env.get("load_average_1min")
    if load is not None and load > 0.5 * env["cpus"]:
        out.append(f"warning: the machine is busy (load average {load} on {env['cpus']} CPUs): wall times are "
                   f"inflated and noisy; the interleaved ratios suffer less"
                   + ("; --clock cpu helps" if args.clock == "wall" else ""))
    out += ["", fmt(header), fmt(["-" * w for w in widths])]
    out += [fmt(line) for line in lines]
    notes = []
    for row in rows:
        notes += [f"note: {row['title']}: {name} left out — {why}" for name, why in row["missing"].items()]
        notes += [f"note: {row['title']}: {problem}" for problem in row["problems"]]
    if notes:
        out += ["", *notes]
    return "\n".join(out)


def main(argv=None):
    args = parse_args(argv)
    pin_threads(args.threads)
    torch, torch_reason = (None, "left out by --no-torch") if args.no_torch else import_torch(args.threads)
    from benchmarks.workloads import WORKLOADS  # imports numpy: only now, after pinning the threads
    env = environment(args.threads, torch)
    rows = [run_workload(workload, torch, torch_reason, args) for workload in WORKLOADS]
    print(format_table(rows, env, args))
    if args.json:
        settings = {"repeats": args.repeats, "threads": args.threads, "quick": args.quick, "clock": args.clock}
        with open(args.json, "w") as f:
            json.dump({"environment": env, "settings": settings,
                       "results": {w.KEY: row for w, row in zip(WORKLOADS, rows)}}, f, indent=2)
    return 1 if any(row["problems"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
