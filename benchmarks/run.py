"""Run the minidl benchmarks and print a table: ``python -m benchmarks.run`` (or ``python benchmarks/run.py``).

Contestants — minidl's eager mode and graph mode, hand-written numpy, and PyTorch and TensorFlow (``compat.v1``)
when they are installed — run in ONE process, interleaved (see ``timing.py``), on 1 thread unless ``--threads``
says otherwise. Each workload first checks that the contestants compute the same numbers (a benchmark of a wrong
answer is worthless), then times them. Below the table: each row's targets, met or missed.

    python -m benchmarks.run                  # full run, ~half a minute
    python -m benchmarks.run --quick          # a few seconds: a smoke test, not a measurement
    python -m benchmarks.run --threads 2 --repeats 31 --json results.json
    python -m benchmarks.run --device cuda    # on a GPU: eager, graph, the hand-written step on cupy, PyTorch

Numpy, PyTorch and TensorFlow read their thread counts from environment variables *when they load*, so this
module sets them first and imports numpy, torch, tensorflow and minidl only afterwards (inside ``main``).
"""
import argparse
import json
import os
import platform
import sys

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` and ``minidl`` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
CONTESTANTS = ("eager", "graph", "numpy", "torch", "tf")  # the table's columns (tf only where it is installed)
RATIOS = (("eager", "numpy"), ("graph", "numpy"), ("graph", "eager"), ("eager", "torch"), ("graph", "tf"))


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
    parser.add_argument("--no-tf", action="store_true", help="leave TensorFlow out even if it is installed")
    parser.add_argument("--workloads", metavar="NAMES",
                        help="comma-separated rows to run, by key or its first word (op_chain or op, mlp, "
                             "session_run or session, cnn, rnn); default: all")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                        help="where every contestant computes (default: cpu). cuda: the rows whose contestants take "
                             "a device; the numpy column is the same hand-written step on cupy arrays; TensorFlow "
                             "is left out; the targets, set for the CPU, are not judged; wall clock only")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the peak-memory table (one subprocess per contestant of the CNN and RNN rows; "
                             "always skipped with --quick)")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 3 if args.quick else 15
    if args.repeats < 1 or args.threads < 1:
        parser.error("--repeats and --threads must be at least 1")
    if args.device == "cuda" and args.clock == "cpu":
        parser.error("--clock cpu does not count the GPU's time: use the wall clock with --device cuda")
    return args


def select_workloads(workloads, names, device="cpu"):
    """The workloads named in ``names`` (comma-separated keys, or their first word), in the table's order; of
    those, the ones that run on ``device``."""
    workloads = [w for w in workloads if device in w.DEVICES]
    if not names:
        return workloads
    wanted = {n.strip().lower() for n in names.split(",") if n.strip()}
    chosen = [w for w in workloads if w.KEY in wanted or w.KEY.split("_")[0] in wanted]
    known = {w.KEY for w in workloads} | {w.KEY.split("_")[0] for w in workloads}
    if wanted - known:
        raise SystemExit(f"--workloads: unknown {', '.join(sorted(wanted - known))} (known on {device}: "
                         f"{', '.join(sorted(known))})")
    return chosen


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
    # full float32 on a GPU, as every other contestant computes: PyTorch's convolutions default to TF32 there,
    # whose 10-bit mantissas make its results disagree (~1e-2) and its times incomparable
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    return torch, None


def import_tf(threads):
    """``(tensorflow.compat.v1, ConfigProto pinned to threads, version)``, or ``(None, None, reason)``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no start-up chatter on stderr
    try:
        import tensorflow
    except Exception as error:  # ImportError, or a broken install
        return None, None, f"TensorFlow not available ({type(error).__name__}: {error})"
    tf = tensorflow.compat.v1
    config = tf.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads,
                            device_count={"GPU": 0})  # CPU benchmarks, like every other contestant
    return tf, config, tensorflow.__version__


def environment(threads, torch, tf_version=None, device="cpu"):
    import numpy
    info = {"device": device}
    if device == "cuda":
        import cupy
        info.update(gpu=cupy.cuda.runtime.getDeviceProperties(0)["name"].decode(), cupy=cupy.__version__)
    info.update({
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": _cpu_name(),
        "numpy": numpy.__version__,
        "blas": _blas_name(numpy),
        "torch": torch.__version__ if torch is not None else None,
        "tensorflow": tf_version,
        "threads": threads,
    })
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

class Libraries:
    """What a workload's makers need: the device, the array module of the hand-written step (numpy or cupy),
    torch, and TensorFlow's compat.v1 with its config."""

    def __init__(self, torch=None, torch_reason=None, tf=None, tf_config=None, tf_reason=None, device="cpu"):
        self.torch, self.torch_reason = torch, torch_reason
        self.tf, self.tf_config, self.tf_reason = tf, tf_config, tf_reason
        self.device = device
        if device == "cpu":
            import numpy
            self.xp, self.sync = numpy, lambda: None
        else:
            import cupy
            self.xp, self.sync = cupy, cupy.cuda.runtime.deviceSynchronize  # (every stream: cupy's and torch's)


def build_contestants(workload, libs):
    """``({name: Contestant}, {name: why it is missing})``: a contestant that fails to build is left out.

    A workload without a ``make_<name>`` simply has no such contestant; TensorFlow, when not installed, is left
    out without a note (its column is not shown at all)."""
    makers = {}
    for name in CONTESTANTS:
        make = getattr(workload, f"make_{name}", None)
        if make is None:
            continue
        if name == "torch":
            if libs.torch is None:
                makers[name] = libs.torch_reason
                continue
            make = (lambda make=make: make(libs.torch, libs.device))
        elif name == "tf":
            if libs.tf is None:
                continue
            make = (lambda make=make: make(libs.tf, libs.tf_config))
        elif name == "numpy":
            make = (lambda make=make: make(libs.xp))
        else:
            make = (lambda make=make: make(libs.device))
        makers[name] = make
    contestants, missing = {}, {}
    for name, make in makers.items():
        if isinstance(make, str):
            missing[name] = make
            continue
        try:
            contestant = make()
            contestant.step()  # one step now, so an op that is missing or broken shows up here, not mid-timing
            contestants[name] = contestant
        except Exception as error:
            missing[name] = f"{type(error).__name__}: {error}"
    return contestants, missing


def build_extras(workload, libs):
    """``{label: (step, calls per step)}``: what the workload wants timed beside its contestants."""
    make = getattr(workload, "make_extras", None)
    if make is None or libs.device != "cpu":  # (the extras are CPU yardsticks)
        return {}, {}
    try:
        extras = make(libs.tf, libs.tf_config)
        for step, _ in extras.values():
            step()
        return extras, {}
    except Exception as error:
        return {}, {"extras": f"{type(error).__name__}: {error}"}


def run_workload(workload, libs, args):
    from benchmarks import timing
    from benchmarks.workloads import check_agreement
    contestants, missing = build_contestants(workload, libs)
    extras, extras_missing = build_extras(workload, libs)
    missing.update(extras_missing)
    problems = []
    if "numpy" in contestants:  # every contestant has run exactly one step (build_contestants): compare it
        results = {name: c.result() for name, c in contestants.items()}
        problems = check_agreement(results)
    min_sample_s = 0.005 if args.quick else 0.1
    steps = {name: c.step for name, c in contestants.items()}
    steps.update({("extra", label): step for label, (step, _) in extras.items()})
    timings = timing.interleaved(steps, args.repeats, min_sample_s, args.clock, libs.sync)
    scale = workload.UNIT_SCALE / workload.PER_STEP
    times = {name: timings[name].median * scale for name in contestants}
    row = {
        "title": workload.TITLE, "unit": workload.UNIT, "times": times,
        "spread": {name: timings[name].spread for name in contestants},
        "samples": {name: [s * scale for s in timings[name].samples] for name in contestants},
        "calls_per_sample": {name: timings[name].number for name in contestants},
        "extras": {label: timings["extra", label].median * 1e6 / calls for label, (_, calls) in extras.items()},
        "info": {name: c.info for name, c in contestants.items() if c.info},
        "missing": missing, "problems": problems, "ratios": {},
    }
    for a, b in RATIOS:
        if a in times and b in times:
            row["ratios"][f"{a}/{b}"] = times[a] / times[b]
    row["targets"] = [vars(t) for t in workload.targets(row)] if libs.device == "cpu" else []
    return row


# ------------------------------------------------------------------------------------------------ the table

def _cell(row, name):
    if name not in row["times"]:
        return "n/a"
    return f"{row['times'][name]:.3g} ±{100 * row['spread'][name]:.0f}%"


def _status(row):
    judged = [t["met"] for t in row["targets"] if t["met"] is not None]
    if not judged:
        status = "n/a"
    elif all(judged):
        status = "met"
    else:
        status = f"MISSED {judged.count(False)}/{len(judged)}"
    return status + (" (RESULTS DISAGREE)" if row["problems"] else "")


def _table(header, lines, left):
    """Columns padded to their widest cell; those in ``left`` left-aligned, the others right-aligned."""
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]

    def fmt(cells):
        return "  ".join(str(c).ljust(w) if i in left else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return [fmt(header), fmt(["-" * w for w in widths])] + [fmt(line) for line in lines]


def format_table(rows, env, args):
    columns = [name for name in CONTESTANTS if name != "tf" or env.get("tensorflow")]
    ratios = [f"{a}/{b}" for a, b in RATIOS if a in columns and b in columns]

    def label(name):  # on the GPU the hand-written step runs on cupy arrays
        return name.replace("numpy", "cupy") if args.device == "cuda" else name
    header = ["workload", "unit", *map(label, columns), *map(label, ratios), "targets"]
    lines = [[row["title"], row["unit"], *(_cell(row, n) for n in columns),
              *(f"{row['ratios'][k]:.2f}x" if k in row["ratios"] else "n/a" for k in ratios), _status(row)]
             for row in rows]

    thread_word = "thread" if args.threads == 1 else "threads"
    clock = "" if args.clock == "wall" else ", CPU time"
    out = [f"minidl benchmarks — {args.threads} {thread_word}, median of {args.repeats} interleaved samples "
           f"(± half the interquartile range){clock}{', QUICK: rough numbers' if args.quick else ''}",
           (f"on {env['gpu']} (cupy {env['cupy']}); " if args.device == "cuda" else "") +
           f"{env['processor']}; Python {env['python']}, numpy {env['numpy']} ({env['blas']}), "
           f"torch {env['torch'] or 'not used'}, tensorflow {env.get('tensorflow') or 'not used'}"
           + (f"; OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}" if "OPENBLAS_CORETYPE" in env else ""),
           ]
    load = env.get("load_average_1min")
    if load is not None and load > 0.5 * env["cpus"]:
        out.append(f"warning: the machine is busy (load average {load} on {env['cpus']} CPUs): wall times are "
                   f"inflated and noisy; the interleaved ratios suffer less"
                   + ("; --clock cpu helps" if args.clock == "wall" else ""))
    out += ["", *_table(header, lines, left={0, 1, len(header) - 1})]

    target_lines = [[row["title"], t["text"], t["value"], {True: "met", False: "MISSED", None: "n/a"}[t["met"]]]
                    for row in rows for t in row["targets"]]
    target_lines += [[row["title"], f"(timed alongside) {label}", f"{value:.3g} µs/call", ""]
                     for row in rows for label, value in row["extras"].items()]
    if target_lines:
        out += ["", *_table(["workload", "target", "measured", "status"], target_lines, left={0, 1, 2, 3})]
    notes = ["note: on cuda the targets (set for the CPU) are not judged; the cupy column is the hand-written "
             "numpy step on cupy arrays"] if args.device == "cuda" else []
    for row in rows:
        notes += [f"note: {row['title']}: {name} left out — {why}" for name, why in row["missing"].items()]
        notes += [f"note: {row['title']}: {problem}" for problem in row["problems"]]
    if notes:
        out += ["", *notes]
    return "\n".join(out)


def main(argv=None):
    args = parse_args(argv)
    pin_threads(args.threads)
    if args.device == "cuda":
        import minidl
        if not minidl.cuda_is_available():
            raise SystemExit("--device cuda: no CUDA GPU is available (cupy is not installed or sees no GPU)")
    torch, torch_reason = (None, "left out by --no-torch") if args.no_torch else import_torch(args.threads)
    if torch is not None and args.device == "cuda" and not torch.cuda.is_available():
        torch, torch_reason = None, "this PyTorch sees no GPU"
    tf, tf_config, tf_version = (None, None, "left out by --no-tf") if args.no_tf or args.device == "cuda" \
        else import_tf(args.threads)
    libs = Libraries(torch, torch_reason, tf, tf_config, tf_version if tf is None else None, args.device)
    from benchmarks.workloads import WORKLOADS  # imports numpy: only now, after pinning the threads
    workloads = select_workloads(WORKLOADS, args.workloads, args.device)
    env = environment(args.threads, torch, tf_version if tf is not None else None, args.device)
    rows = [run_workload(workload, libs, args) for workload in workloads]
    print(format_table(rows, env, args))
    if not args.quick and not args.no_memory and args.device == "cpu":
        from benchmarks import memory
        memory_rows = memory.measure([w for w in workloads if getattr(w, "PEAK_MEMORY", False)], args.threads,
                                     no_torch=args.no_torch, no_tf=args.no_tf)
        if memory_rows:
            print()
            print(memory.format_table(memory_rows))
            for w, row in zip(workloads, rows):
                if w.KEY in memory_rows:
                    row["peak_memory_mb"] = memory_rows[w.KEY]
    if args.json:
        settings = {"repeats": args.repeats, "threads": args.threads, "quick": args.quick, "clock": args.clock,
                    "device": args.device}
        with open(args.json, "w") as f:
            json.dump({"environment": env, "settings": settings,
                       "results": {w.KEY: row for w, row in zip(workloads, rows)}}, f, indent=2)
    return 1 if any(row["problems"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
