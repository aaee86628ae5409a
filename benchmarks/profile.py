"""Where does minidl's time go? ``python -m benchmarks.profile [chain|mlp|graph-chain|graph-mlp|session-run]``.

Measure before optimizing: this prints, for one workload of ``benchmarks.run``,

1. **phases** (op chain only), timed interleaved without any profiler: the forward with recording off
   (``no_grad``: dispatch + kernel + result tensor), with recording on (adds tape nodes), and with the backward;
   plus the backward walk with every VJP replaced by "pass the gradient on" — the autodiff bookkeeping alone.
   For ``session-run``: ``Session.run``'s fixed cost and its pieces (fetches, feeds, the plan).
   For ``graph-chain``: ``Session.run`` of the compiled chain + gradient taken apart — ``run``'s own work
   (fetches, feeds, results), ``_execute``'s loop, the step closures, the kernels — with the cost per executed
   op of each kind, and "what if" timings of leaner executors built from the same plan (see
   ``graph_chain_phases``), so a proposed change to the session comes with a measured gain;
2. **kernels vs framework**: the time spent inside ``Op.forward`` (the numpy work; in graph mode also the
   graph-only ops' ``execute``) per op class, against the whole step; what is left is Python around the kernels
   (dispatch, promotion, tape, walk, VJP glue — or, in graph mode, ``Session.run`` and its plan interpreter);
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
        # prune=False, as backward() walks: every recorded node leads to a leaf (pruning costs ~1.5 µs/op more)
        backprop([y._key()], [ones], engine._is_leaf_key,
                 lambda node, grads, needed: (grads[0],) * len(node.input_keys), prune=False)

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


def graph_chain_phases(repeats, clock):
    """The graph op chain's ``Session.run([y, grad], feed)`` taken apart, in µs per executed op.

    All variants run the very plan the session compiled, on the same values, interleaved:

    * ``Session.run``                 what the benchmark times;
    * ``_execute(plan, feeds)``       the plan interpreter alone (feeds resolved once, beforehand);
    * ``steps only``                  ``for step in steps: step(values)`` on pre-filled slots: no frees, no
                                      ``enumerate``/``try`` — the difference is ``_execute``'s loop bookkeeping;
    * ``straight-line code``          what-if: the plan compiled to ONE generated Python function,
                                      ``v3 = f3(xp, v0, v1)`` line after line, locals for slots (``del`` after
                                      the last use), constants bound at build time: no per-step closure call;
    * ``... with raw ufuncs``         the same, calling ``numpy.multiply`` ... directly where an op's forward is
                                      just that ufunc (what-if: ops declare their ufunc) — about the floor for
                                      Python calling numpy once per op (a loop over pre-bound ``f(*args)`` is
                                      slower than this, so it is no floor).

    And per call, directly: ``run``'s own work before the plan runs — flattening the fetches and resolving the
    feeds (numbers too small to get by subtracting two 3 ms timings on a busy machine).
    """
    import numpy

    import minidl.graph as tf
    from benchmarks import timing
    from benchmarks.workloads import CPU_ONLY, op_chain
    from minidl.graph.session import _flatten_fetches

    graph, x0, y, grad = op_chain.build_graph(tf)
    sess = tf.Session(graph=graph, config=CPU_ONLY)
    feed, fetches = {x0: op_chain.initial_values()}, [y, grad]
    sess.run(fetches, feed)
    (plan,) = sess._plans.values()
    feeds = sess._resolve_feeds(feed)
    n = len(plan.steps)

    # every slot filled: the constants (put in place when the plan was built), the feeds, then each step's outputs
    in_slots, out_slots = plan.input_slots, plan.output_slots
    values = plan.initial.copy()
    for tensor, array in feeds.items():
        values[plan.feed_slots[tensor]] = array
    for step, _ in plan.steps:
        step(values)
    steps = [step for step, _ in plan.steps]
    kinds = [op.type for op in plan.operations]

    raw = {"Mul": numpy.multiply, "Add": numpy.add, "Sub": numpy.subtract, "Neg": numpy.negative,
           "Tanh": numpy.tanh}

    def is_raw(op):
        return op.type in raw and not op.attrs


    def straight_line(use_raw):
        """What-if: the plan as one generated Python function."""
        namespace, lines = {"xp": numpy}, ["def run(feeds):"]
        lines += [f"    v{slot} = feeds[{i}]" for i, slot in enumerate(plan.feed_slots.values())]
        for slot, constant in enumerate(plan.initial):  # constants bound at build time
            if constant is not None:
                namespace[f"c{slot}"] = constant
                lines.append(f"    v{slot} = c{slot}")
        for i, (op, ins, outs, (_, frees)) in enumerate(zip(plan.operations, in_slots, out_slots, plan.steps)):
            args = ", ".join(f"v{s}" for s in ins)
            if use_raw and is_raw(op):
                namespace[op.type] = raw[op.type]
                call = f"{op.type}({args})"
            else:
                namespace[f"f{i}"], namespace[f"a{i}"] = op.op.forward, op.attrs
                call = f"f{i}(xp, {args}{f', **a{i}' if op.attrs else ''})"
            lines.append(f"    {', '.join(f'v{s}' for s in outs)}{',' if len(outs) > 1 else ''} = {call}")
            if frees:
                lines.append(f"    del {', '.join(f'v{s}' for s in frees)}")
        lines.append(f"    return {', '.join(f'v{s}' for s in plan.target_slots)}")
        exec(compile("\n".join(lines), "<plan>", "exec"), namespace)
        run, feed_list = namespace["run"], list(feeds.values())
        return lambda: run(feed_list)

    def run_steps(selected):
        def go():
            for step in selected:
                step(values)
        return go

    variants = {
        "Session.run": lambda: sess.run(fetches, feed),
        "_execute(plan, feeds)": lambda: sess._execute(plan, feeds),
        "steps only": run_steps(steps),
        "straight-line code": straight_line(False),
        "... with raw ufuncs": straight_line(True),
    }
    per_kind = {}
    for kind in sorted(set(kinds)):
        selected = [step for step, k in zip(steps, kinds) if k == kind]
        if len(selected) >= 100:  # enough of them to time as a group
            per_kind[kind] = len(selected)
            variants[kind] = run_steps(selected)
    per_call = {"flatten the fetches [y, grad]": lambda: _flatten_fetches(graph, fetches),
                "resolve the feed {x0: array}": lambda: sess._resolve_feeds(feed)}
    # the fastest sample, not the median: on a busy machine interference only ever adds time, and the
    # differences between these variants are smaller than its swings
    timings = timing.interleaved({**variants, **per_call}, repeats, 0.02, clock)
    us = {name: min(t.samples) * 1e6 for name, t in timings.items()}

    print(f"1. graph op chain: Session.run([y, grad], feed), {n} executed ops per run "
          f"({', '.join(f'{kinds.count(k)} {k}' for k in sorted(set(kinds), key=kinds.count, reverse=True))}); "
          f"fastest of {repeats} samples, {clock} clock, no profiler")
    for name in list(variants)[:5]:
        print(f"   {name:26s} {us[name] / n:6.2f} µs per executed op   ({us[name]:6.0f} µs per run)")
    for name in per_call:
        print(f"   {name:34s} {us[name]:6.2f} µs per call")
    print(f"   _execute's loop bookkeeping    {(us['_execute(plan, feeds)'] - us['steps only']) / n:6.2f} µs per op "
          "(enumerate, the frees loop, try)")
    print("   per step, by kind (steps of one kind alone, on pre-filled slots):")
    for kind, count in per_kind.items():
        print(f"      {kind:8s} {count:5d} steps  {us[kind] / count:6.2f} µs/step")


def session_run_phases(repeats, clock):
    """``Session.run``'s fixed cost taken apart, in µs per call (fastest sample): the whole call with and without a
    feed, and its pieces — flattening the fetches, resolving the feeds, running the plan."""
    import numpy

    import minidl.graph as tf
    from benchmarks import timing
    from benchmarks.workloads import CPU_ONLY, session_run
    from minidl.graph.session import _flatten_fetches

    graph, x, y, c = session_run._graph(tf)
    sess = tf.Session(graph=graph, config=CPU_ONLY)
    values = session_run.initial_values()
    feed = {x: values}
    sess.run(c)
    sess.run(y, feed)
    sess.run([y], feed)
    feeds = sess._resolve_feeds(feed)
    plan_c = sess._plans[(id(c),), ()]
    plan_y = sess._plans[(id(y),), (id(x),)]
    variants = {
        "run(c)                      (1 Const op)": lambda: sess.run(c),
        "run(y, {x: array})          (1 Mul + its Const)": lambda: sess.run(y, feed),
        "run([y], {x: array})        (a list of fetches)": lambda: sess.run([y], feed),
        "  _flatten_fetches(y)": lambda: _flatten_fetches(graph, y),
        "  _flatten_fetches([y])": lambda: _flatten_fetches(graph, [y]),
        "  _resolve_feeds({x: array})": lambda: sess._resolve_feeds(feed),
        "  _execute(plan of c)": lambda: sess._execute(plan_c, {}),
        "  _execute(plan of y, feeds)": lambda: sess._execute(plan_y, feeds),
        "numpy.multiply(array, 0.999)": lambda: numpy.multiply(values, session_run.SCALE),
    }
    timings = timing.interleaved(variants, repeats, 0.02, clock)
    print(f"1. Session.run's fixed cost, fastest of {repeats} samples, {clock} clock, no profiler")
    for name, t in timings.items():
        print(f"   {name:52s} {min(t.samples) * 1e6:6.2f} µs")


def graph_kernel_patches(clock, spent, calls):
    """Wrap every op class's ``forward`` (and graph ops' ``execute``) to add its time to ``spent``; return the
    originals, for ``restore``. Graph sessions bind ``forward`` when they compile a plan: patch first, then build."""
    from minidl.ops.base import Op

    def op_classes(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from op_classes(sub)

    originals = {}
    for cls in set(op_classes(Op)):
        for method in ("forward", "execute"):
            if method in cls.__dict__:
                original = originals[cls, method] = cls.__dict__[method]
                # the plain function inside; a classmethod stays one (random ops' execute reads its class)
                function, wrap = ((original.__func__, classmethod) if isinstance(original, classmethod)
                                  else (getattr(cls, method), staticmethod))

                def timed(*args, _function=function, _name=cls.__name__, **kwargs):
                    t = clock()
                    result = _function(*args, **kwargs)
                    spent[_name] += clock() - t
                    calls[_name] += 1
                    return result
                setattr(cls, method, wrap(timed))
    return originals


def kernels_vs_framework(workload, steps, clock, mode="eager", rounds=5):
    """Time inside each op class's ``forward`` (numpy's work) vs the whole step.

    ``rounds`` alternations of ``steps`` plain steps and ``steps`` instrumented ones; the plain time is the
    median round (one batch alone is at the mercy of a busy machine)."""
    import collections
    import statistics

    from benchmarks.timing import CLOCKS
    clock = CLOCKS[clock]
    make = getattr(workload, f"make_{mode}")

    plain_contestant = make()  # built before patching: a graph session binds the forwards into its plan
    for _ in range(3):
        plain_contestant.step()
    spent, calls = collections.defaultdict(float), collections.Counter()
    originals = graph_kernel_patches(clock, spent, calls)

    def unpatch():
        for (cls, method), function in originals.items():
            setattr(cls, method, function)
    patched = {key: getattr(key[0], "__dict__")[key[1]] for key in originals}
    try:
        contestant = make()  # built while patched: its plan (graph mode) keeps the timed forwards
        contestant.step()
    finally:
        unpatch()
    spent.clear()
    calls.clear()
    plain = []
    for _ in range(rounds):
        start = clock()
        for _ in range(steps):
            plain_contestant.step()
        plain.append((clock() - start) / steps)
        for (cls, method), function in patched.items():  # eager mode looks forward up at every call
            setattr(cls, method, function)
        try:
            for _ in range(steps):
                contestant.step()
        finally:
            unpatch()
    plain = statistics.median(plain)
    steps *= rounds

    scale = workload.UNIT_SCALE / workload.PER_STEP
    inside = sum(spent.values()) / steps
    print(f"2. kernels vs framework ({workload.TITLE}, {mode} mode, {steps} steps)")
    print(f"   whole step (no instrumentation)  {plain * scale:8.3f} {workload.UNIT}")
    print(f"   inside Op.forward/execute        {inside * scale:8.3f} {workload.UNIT}")
    print(f"   outside: Python framework code   {(plain - inside) * scale:8.3f} {workload.UNIT}")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"      {name:18s} {calls[name] / steps:7.1f} calls/step  {seconds / steps * scale:8.3f} {workload.UNIT}")


def top_functions(workload, steps, limit=25, mode="eager"):
    import cProfile
    import pstats
    contestant = getattr(workload, f"make_{mode}")()
    for _ in range(3):
        contestant.step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        contestant.step()
    profiler.disable()
    print(f"3. cProfile, {steps} steps of {workload.TITLE} ({mode} mode), by own time")
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(limit)


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", nargs="?", default="chain",
                        choices=["chain", "mlp", "graph-chain", "graph-mlp", "session-run", "cnn", "graph-cnn", "rnn",
                                 "graph-rnn"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall", help="see benchmarks.run --help")
    args = parser.parse_args(argv)
    from benchmarks.run import import_torch, pin_threads
    pin_threads(args.threads)
    torch, _ = import_torch(args.threads)
    from benchmarks.workloads import cnn, mlp, op_chain, rnn, session_run  # numpy loads here, after pinning
    mode = "graph" if args.workload.startswith("graph") or args.workload == "session-run" else "eager"
    workload = {"chain": op_chain, "mlp": mlp, "session-run": session_run, "cnn": cnn,
                "rnn": rnn}[args.workload.replace("graph-", "")]
    steps = {op_chain: 10, mlp: 30, session_run: 20000, cnn: 3, rnn: 30}[workload]
    if args.workload == "chain":
        phases(args.repeats, args.clock, torch)
        print()
    if args.workload == "graph-chain":
        graph_chain_phases(args.repeats, args.clock)
        print()
    if args.workload == "session-run":
        session_run_phases(args.repeats, args.clock)
        print()
    kernels_vs_framework(workload, steps, args.clock, mode)
    print()
    top_functions(workload, steps, mode=mode)


if __name__ == "__main__":
    main()
