"""The command line: parse the options, run the chosen modes, print the comparison, check the reloads."""
import argparse
import contextlib
import os
import tempfile

import numpy

from ..backend import cuda_is_available
from . import common, eager_cnn, graph_cnn
from .report import format_table

PROGRAMS = {"eager": eager_cnn, "graph": graph_cnn}
FIRST_STEPS = 10  # how many steps' losses the eager/graph comparison line looks at


def parse_args(argv=None):
    defaults = common.Config()
    parser = argparse.ArgumentParser(
        prog="python -m minidl.demo",
        description="Train the same small CNN on the bundled 8x8 digits in eager mode (PyTorch's API) and in graph "
                    "mode (TF1's API), from the same initial weights; compare them; save, reload and check both.")
    parser.add_argument("--mode", choices=["eager", "graph", "both"], default="both",
                        help="which program(s) to run (default: both)")
    parser.add_argument("--epochs", type=int, default=defaults.epochs,
                        help=f"passes over the training set (default: {defaults.epochs})")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size,
                        help=f"images per SGD step (default: {defaults.batch_size})")
    parser.add_argument("--lr", type=float, default=defaults.learning_rate,
                        help=f"learning rate of SGD with momentum {defaults.momentum} (default: "
                             f"{defaults.learning_rate})")
    parser.add_argument("--seed", type=int, default=defaults.seed,
                        help=f"seed of the initial weights and of the batch order (default: {defaults.seed})")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                        help="where both programs compute (default: cpu; cuda needs cupy and a GPU)")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="directory for the checkpoints (default: a temporary directory, removed at the end)")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or args.lr <= 0 or args.seed < 0:
        parser.error("--epochs and --batch-size must be at least 1, --lr positive, --seed not negative")
    if args.device == "cuda" and not cuda_is_available():
        parser.error("--device cuda: no CUDA GPU is available (cupy is not installed or sees no GPU)")
    return args


@contextlib.contextmanager
def _checkpoint_dir(out):
    if out is None:
        with tempfile.TemporaryDirectory(prefix="minidl-demo-") as directory:
            yield directory
    else:
        os.makedirs(out, exist_ok=True)
        yield out


def main(argv=None):
    """Run the demo; return ``{mode: results}`` where results holds ``accuracy``, ``seconds_per_epoch``,
    ``parameters`` and more (per-epoch and per-step losses, test logits, ``reload_ok``, the checkpoint path)."""
    args = parse_args(argv)
    config = common.Config(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, learning_rate=args.lr,
                           device=args.device)
    modes = ["eager", "graph"] if args.mode == "both" else [args.mode]

    x_train, _, x_test, _ = common.load_data()
    n_parameters = common.count_parameters(common.initial_weights(config.seed))
    print(f"digits: {len(x_train)} training and {len(x_test)} test images of 8x8 pixels, 10 classes")
    print(f"model: conv(1->16, 3x3) relu maxpool, conv(16->32, 3x3) relu maxpool, linear(128->10): "
          f"{n_parameters:,} parameters, initial weights from seed {config.seed}")
    print(f"training: SGD lr {config.learning_rate} momentum {config.momentum}, batch size {config.batch_size}, "
          f"{config.epochs} epochs, on {config.device}")

    results = {}
    with _checkpoint_dir(args.out) as directory:
        for mode in modes:
            print(f"\n== {mode} mode ({'minidl.eager, PyTorch API' if mode == 'eager' else 'minidl.graph, TF1 API'})")
            result = results[mode] = PROGRAMS[mode].run(config, directory)
            verdict = "same predictions" if result["reload_ok"] else "DIFFERENT predictions"
            print(f"test accuracy {result['accuracy']:.4f}; checkpoint {os.path.basename(result['checkpoint'])} "
                  f"reloaded into a fresh {'model' if mode == 'eager' else 'graph and session'}: {verdict}")

    print()
    print(format_table(results))
    if len(results) == 2:
        eager, graph = results["eager"], results["graph"]
        steps = min(FIRST_STEPS, len(eager["step_losses"]), len(graph["step_losses"]))
        gap = numpy.max(numpy.abs(numpy.subtract(eager["step_losses"][:steps], graph["step_losses"][:steps])))
        same = int((eager["test_logits"].argmax(axis=1) == graph["test_logits"].argmax(axis=1)).sum())
        print(f"\nsame start, same batches: the first {steps} losses of the two modes differ by at most {gap:.1e}; "
              f"the trained models agree on {same}/{len(x_test)} test predictions")
    failed = [mode for mode, result in results.items() if not result["reload_ok"]]
    print("reload check: " + (f"FAILED ({', '.join(failed)})" if failed else "ok"))
    return results
