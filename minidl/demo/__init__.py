"""One small CNN, trained twice on the bundled digits: the PyTorch way and the TensorFlow 1 way.

Run it with ``python -m minidl.demo`` (``--help`` lists the options). Both programs run on the same op library,
so the comparison isolates what the two paradigms change — how the program is written and run — from what they
compute, which is the same: from the same initial weights and the same batches they report the same losses.

The parts, each readable on its own:

- ``common``: the network's sizes, the data, and the one set of initial weights both programs start from.
- ``eager_cnn``: the PyTorch program — an ``nn.Module``, a ``DataLoader``, an ``optim.SGD``, the five-line
  training loop, ``save(state_dict)`` / ``load_state_dict``.
- ``graph_cnn``: the TF1 program — placeholders, ``tf.layers``, ``tf.losses``, ``minimize``, a ``Session``
  fed batch by batch, ``tf.train.Saver``.
- ``report``: the progress bar and the side-by-side table.
- ``cli``: the options and ``main``, which runs the chosen modes, prints the table and checks that every
  checkpoint reloads into a fresh model with the same predictions (the process exits with status 1 if not).

``main(argv)`` returns ``{mode: results}`` (test ``accuracy``, ``seconds_per_epoch``, ``parameters``, the
losses of every epoch and step, the test logits, ``reload_ok``), which is what the tests check.
"""
from .cli import main, parse_args

__all__ = ["main", "parse_args"]
