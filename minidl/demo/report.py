"""What the demo prints: a progress bar per epoch and the side-by-side table at the end.

The progress bar is plain text redrawn in place: ``\\r`` (carriage return) moves the cursor back to the start
of the line, so the next ``print(..., end="")`` overwrites the bar instead of starting a new line. When the
epoch ends, the bar is replaced by a permanent summary line (loss, accuracy, samples per second). Redraws are
limited to a few per second: printing is slow next to a training step on 32 tiny images.
"""
import sys
import time

BAR_WIDTH = 24
REDRAW_SECONDS = 0.1


class ProgressBar:
    """One epoch's progress: ``update`` after every batch, ``close`` at the end.

    It keeps the running sums an epoch summary needs (the loss weighted by batch size, the number of correct
    predictions, the samples seen) and the wall-clock time since it was made.
    """

    def __init__(self, title, total, file=None):
        self.title, self.total = title, total
        self.file = sys.stdout if file is None else file
        self.seen = self.correct = 0
        self.loss_sum = 0.0
        self.start = self._last_draw = time.perf_counter()
        self._width = 0

    @property
    def loss(self):
        return self.loss_sum / max(self.seen, 1)

    @property
    def accuracy(self):
        return self.correct / max(self.seen, 1)

    @property
    def seconds(self):
        return time.perf_counter() - self.start

    def update(self, batch_size, loss, correct):
        """Count one batch of ``batch_size`` samples with mean ``loss`` and ``correct`` right answers."""
        self.seen += batch_size
        self.loss_sum += loss * batch_size
        self.correct += correct
        now = time.perf_counter()
        if now - self._last_draw >= REDRAW_SECONDS or self.seen >= self.total:
            self._last_draw = now
            filled = BAR_WIDTH * self.seen // self.total
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self._write(f"{self.title} [{bar}] {self.seen}/{self.total}  loss {self.loss:.4f}", end="")

    def close(self):
        """Replace the bar with the epoch's summary line; return the summary as a dict."""
        seconds = self.seconds
        summary = {"loss": self.loss, "accuracy": self.accuracy, "seconds": seconds,
                   "samples_per_second": self.seen / seconds if seconds > 0 else float("inf")}
        self._write(f"{self.title}  loss {summary['loss']:.4f}  accuracy {summary['accuracy']:.4f}  "
                    f"{summary['samples_per_second']:,.0f} samples/s  ({seconds:.2f} s)", end="\n")
        return summary

    def _write(self, text, end):
        # pad with spaces so that a shorter line fully covers the longer one drawn before it
        padding = " " * max(self._width - len(text), 0)
        self._width = 0 if end == "\n" else len(text)
        print("\r" + text + padding, end=end, file=self.file, flush=True)


def format_table(results):
    """The side-by-side comparison of the modes in ``results`` (``{mode: result dict}``) as a string."""
    modes = list(results)
    rows = [
        ("test accuracy", lambda r: f"{r['accuracy']:.4f}"),
        ("seconds per epoch", lambda r: f"{r['seconds_per_epoch']:.3f}"),
        ("samples per second", lambda r: f"{r['samples_per_second']:,.0f}"),
        ("setup seconds", lambda r: f"{r['setup_seconds']:.3f}"),
        ("parameters", lambda r: f"{r['parameters']:,}"),
        ("final train loss", lambda r: f"{r['epoch_losses'][-1]:.4f}"),
        ("reload check", lambda r: "ok" if r["reload_ok"] else "FAILED"),
    ]
    cells = [[label] + [cell(results[m]) for m in modes] for label, cell in rows]
    header = [""] + modes
    widths = [max(len(row[i]) for row in cells + [header]) for i in range(len(header))]

    def line(row):
        return "  ".join(text.ljust(widths[0]) if i == 0 else text.rjust(widths[i]) for i, text in enumerate(row))

    rule = "-" * len(line(header))
    return "\n".join([line(header), rule] + [line(row) for row in cells])
