"""Where does minidl's time go? ``python -m benchmarks.profile [chain|mlp] [--threads N]``.

Measure before optimizing: this prints, for one workload of ``benchmarks.run``,

1. **phases** (op chain only), timed interleaved without any profiler: the forward with recording off
   (``no_grad``: dispatch + kernel + result tensor), with recording on (adds tape nodes), and with the backward;
   plus the backward walk with every VJP replaced by "pass the gradient on" — the autodiff bookkeeping alone;
2. **kernels vs framework**: the time spent inside ``Op.forward`` (the numpy work) per op class, against the
   whole step; what is left is Python around the kernels (dispatch, promotion, tape, walk, VJP glue);
3. **cProfile's top functions** by own time (a profiler slows tiny functions more than big ones: trust the
   ranking more than the absolute numbers).
"""
import os
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _chain_steps(lib, op_chain):
    """The op chain's three phases for a torch-like library ``lib`` (minidl.eager or torch)."""
    x0 = lib.tensor(op_chain.initial_values(), requires_grad=True)
    ones = lib.ones(op_chain.SIZE)

    def chain():
        x = x0
        for _ in range(op_chain.N_BLOCKS):
            x = -(x * op_chain.SCALE + op_chain.SHIFT).tanh()
        return x

    def forward_no_grad():
        with lib.no_grad():
            chain()

    def forward_backward():
        x0.grad = None
        chain().backward(ones)

    return chain, forward_no_grad, forward_backward, ones


def phases(repeats, clock, torch):
    """Split the op chain's µs/op into forward without/with recording, the walk alone, and the backward."""
    import minidl.eager as torchlike
    from benchmarks import timing
    from benchmarks.workloads import op_chain
    from minidl.autodiff import backprop
    from minidl.eager import engine

    chain, forward_no_grad, forward_backward, ones = _chain_steps(torchlike, op_chain)

    def walk_only():  # the real forward, then the walk with a VJP that costs (almost) nothing
        y = chain()
        backprop([y._key()], [ones], engine._is_leaf_key,
                 lambda node, grads, needed: (grads[0],) * len(node.input_keys))

    steps = {"forward, no_grad": forward_no_grad, "forward, recording": chain,
             "forward + walk (no VJPs)": walk_only, "forward + backward": forward_backward}
    if torch is not None:  # the same phases in PyTorch, for reference
        t_chain, t_no_grad, t_full, _ = _chain_steps(torch, op_chain)
        steps.update({"torch forward, no_grad": t_no_grad, "torch forward, recording": t_chain,
                      "torch forward + backward": t_full})
    timings = timing.interleaved(steps, repeats, 0.1, clock)
    us = {name: t.median * 1e6 / op_chain.PER_STEP for name, t in timings.items()}
    print(f"1. phases of the op chain (µs per op of the chain, median, {clock} clock, no profiler)")
    for name, value in us.items():
        print(f"   {name:28s} {value:7.2f} µs/op")
    print(f"   minidl: recording the tape      {us['forward, recording'] - us['forward, no_grad']:7.2f} µs/op")
    print(f"   minidl: the walk's bookkeeping  {us['forward + walk (no VJPs)'] - us['forward, recording']:7.2f} µs/op")
    print(f"   minidl: VJP calls               {us['forward + backward'] - us['forward + walk (no VJPs)']:7.2f} µs/op")
    print(f"   minidl: the whole backward      {us['forward + backward'] - us['forward, recording']:7.2f} µs/op")
    if torch is not None:
        print(f"   torch:  recording the tape      "
              f"{us['torch forward, recording'] - us['torch forward, no_grad']:7.2f} µs/op")
        print(f"   torch:  the whole backward      "
              f"{us['torch forward + backward'] - us['torch forward, recording']:7.2f} µs/op")


def kernels_vs_framework(workload, steps, clock):
    """Time inside each op class's ``forward`` (numpy's work) vs the whole step."""
    import collections

    from benchmarks.timing import CLOCKS
    from minidl.ops.base import Op
    clock = CLOCKS[clock]

    contestant = workload.make_minidl()
    for _ in range(3):
        contestant.step()
    start = clock()
    for _ in range(steps):
        contestant.step()
    plain = (clock() - start) / steps

    spent, calls = collections.defaultdict(float), collections.Counter()
    originals = {}

    def op_classes(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from op_classes(sub)

    for cls in set(op_classes(Op)):
        if "forward" in cls.__dict__:
            originals[cls] = cls.__dict__["forward"]
            forward = cls.forward  # the plain function (staticmethod unwrapped)

            def timed(*args, _forward=forward, _name=cls.__name__, **kwargs):
                t = clock()
                result = _forward(*args, **kwargs)
                spent[_name] += clock() - t
                calls[_name] += 1
                return result
            cls.forward = staticmethod(timed)
    try:
        for _ in range(steps):
            contestant.step()
    finally:
        for cls, forward in originals.items():
            setattr(cls, "forward", forward)

    scale = workload.UNIT_SCALE / workload.PER_STEP
    inside = sum(spent.values()) / steps
    print(f"2. kernels vs framework ({workload.TITLE}, {steps} steps)")
    print(f"   whole step (no instrumentation)  {plain * scale:8.3f} {workload.UNIT}")
    print(f"   inside Op.forward (numpy work)   {inside * scale:8.3f} {workload.UNIT}")
    print(f"   outside: Python framework code   {(plain - inside) * scale:8.3f} {workload.UNIT}")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"      {name:18s} {calls[name] / steps:7.1f} calls/step  {seconds / steps * scale:8.3f} {workload.UNIT}")


def top_functions(workload, steps, limit=25):
    import cProfile
    import pstats
    contestant = workload.make_minidl()
    for _ in range(3):
        contestant.step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        contestant.step()
    profiler.disable()
    print(f"3. cProfile, {steps} steps of {workload.TITLE}, by own time")
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(limit)


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", choices=["chain", "mlp"], nargs="?", default="chain")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall", help="see benchmarks.run --help")
    args = parser.parse_args(argv)
    from benchmarks.run import import_torch, pin_threads
    pin_threads(args.threads)
    torch, _ = import_torch(args.threads)
    from benchmarks.workloads import mlp, op_chain  # numpy loads here, after pinning
    workload = {"chain": op_chain, "mlp": mlp}[args.workload]
    steps = 10 if workload is op_chain else 30
    if workload is op_chain:
        phases(args.repeats, args.clock, torch)
        print()
    kernels_vs_framework(workload, steps, args.clock)
    print()
    top_functions(workload, steps)


if __name__ == "__main__":
    main()
