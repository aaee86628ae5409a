"""Softmax regression on handwritten digits, with nothing but eager tensors and autograd.

Run it with ``python -m minidl.demo`` (``--help`` lists the options). It shows the whole training loop that
``nn`` and ``optim`` will later package up, written out by hand:

1. **Parameters are leaf tensors** that require grad: a weight matrix ``W`` (64 x 10) and a bias ``b`` (10).
   The model is one line, ``logits = x @ W + b``: one score per digit class for each 8x8 image ``x``.
2. **The loss** is the mean cross-entropy, ``-log p(correct class)`` averaged over the batch, where
   ``log p = log_softmax(logits)``. ``log_softmax`` is one fused op, because computing ``log(softmax(z))`` in
   two steps overflows or loses precision for large scores.
3. **Autograd**: every op above was recorded on the tape, so ``loss.backward()`` fills ``W.grad`` and
   ``b.grad`` with d(loss)/dW and d(loss)/db.
4. **Stochastic gradient descent**: ``W -= lr * W.grad`` inside ``no_grad()`` (the update itself must not be
   recorded, and in-place changes to a leaf that requires grad are only allowed there), then clear the gradient,
   because ``backward()`` *adds* to ``.grad``.

The data is the bundled UCI digits set (``minidl.datasets.load_digits``); with the defaults the model reaches
about 96% test accuracy in a second or two. Softmax regression is a convex problem, so any reasonable
learning rate and initialisation gets there; a hidden layer would add the last few percent.
"""
import argparse
import time

import minidl.eager as torchlike
from minidl.datasets import load_digits

N_PIXELS = 64
N_CLASSES = 10


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m minidl.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="passes over the training set (default: 10)")
    parser.add_argument("--batch-size", type=int, default=32, help="images per SGD step (default: 32)")
    parser.add_argument("--lr", type=float, default=0.5, help="SGD learning rate (default: 0.5)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the initial weights and the batch order (default: 0)")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or args.lr <= 0:
        parser.error("--epochs and --batch-size must be at least 1, --lr positive")
    return args


def cross_entropy(logits, labels):
    """Mean of ``-log p(label)`` over the batch; ``logits`` is (n, classes), ``labels`` (n,) integers."""
    log_probs = torchlike.log_softmax(logits, dim=1)
    # pick, in each row i, the column labels[i]: the log-probability the model gives the right answer
    log_prob_of_label = log_probs.gather(1, labels.unsqueeze(1))
    return -log_prob_of_label.mean()


@torchlike.no_grad()
def accuracy(W, b, images, labels):
    """Share of ``images`` whose highest-scoring class is the label (no graph is recorded: no_grad)."""
    predictions = (images @ W + b).argmax(dim=1)
    return (predictions == labels).sum().item() / len(labels)


def main(argv=None):
    """Train, print one line per epoch and the test accuracy; return the test accuracy."""
    args = parse_args(argv)
    generator = torchlike.Generator().manual_seed(args.seed)

    # The train/test split is fixed (seed 0 of the loader), so test accuracies of different --seed runs compare.
    x_train, y_train, x_test, y_test = (torchlike.from_numpy(a) for a in load_digits())
    n_train = len(x_train)
    print(f"digits: {n_train} training and {len(x_test)} test images of {N_PIXELS} pixels, {N_CLASSES} classes")

    # Small random weights; zeros would work too, since the problem is convex, but not for a deeper network,
    # where equal weights stay equal forever. requires_grad_ makes them leaves whose .grad backward() fills.
    W = (torchlike.randn(N_PIXELS, N_CLASSES, generator=generator) * 0.01).requires_grad_()
    b = torchlike.zeros(N_CLASSES, requires_grad=True)

    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        loss_total, n_correct = 0.0, 0
        order = torchlike.randperm(n_train, generator=generator)  # a new batch order every epoch
        for first in range(0, n_train, args.batch_size):
            batch = order[first:first + args.batch_size]
            images, labels = x_train[batch], y_train[batch]

            logits = images @ W + b          # forward: (batch, 64) @ (64, 10) + (10,) -> (batch, 10)
            loss = cross_entropy(logits, labels)
            loss.backward()                  # fills W.grad and b.grad

            with torchlike.no_grad():        # the update is not part of the model: don't record it
                W -= args.lr * W.grad
                b -= args.lr * b.grad
            W.grad = None                    # backward() accumulates, so start the next step from nothing
            b.grad = None

            # bookkeeping for the progress line, from the logits this batch was trained on (before the update)
            loss_total += loss.item() * len(labels)
            n_correct += (logits.argmax(dim=1) == labels).sum().item()
        seconds = time.perf_counter() - start
        print(f"epoch {epoch:3d}  loss {loss_total / n_train:.4f}  train accuracy {n_correct / n_train:.4f}  "
              f"{n_train / seconds:,.0f} samples/s")

    test_accuracy = accuracy(W, b, x_test, y_test)
    print(f"test accuracy {test_accuracy:.4f}")
    return test_accuracy


if __name__ == "__main__":
    main()
