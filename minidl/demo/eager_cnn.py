"""The CNN trained the PyTorch way: ``import minidl.eager as torchlike`` and write a PyTorch program.

What it shows:

1. **The model is a class.** ``DigitsCNN(nn.Module)`` creates its layers in ``__init__`` (assigning a module to
   an attribute registers its parameters) and says in ``forward`` what to do with them. ``forward`` is plain
   Python, run anew for every batch: the graph autograd differentiates is recorded while it runs.
2. **Data comes from a DataLoader**: a ``TensorDataset`` of (image, label) pairs, shuffled into batches by a
   ``DataLoader`` with its own seeded ``Generator`` (so the batch order does not depend on anything else).
3. **The training loop is written out**, five lines per batch: ``zero_grad`` (``backward`` *adds* into
   ``.grad``), forward, loss, ``backward``, ``optimizer.step()``.
4. **Evaluation** switches the model to ``eval()`` mode and turns the tape off with ``no_grad()``: nothing is
   recorded when no gradient will be taken.
5. **Checkpoints** are ``state_dict()`` (a dict of name -> tensor) written with ``minidl.eager.save``; loading
   one into a freshly made model with ``load_state_dict`` must give the very same predictions.
"""
import os
import time

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.nn import functional as F
from minidl.eager.utils.data import DataLoader, TensorDataset

from . import common
from .report import ProgressBar


class DigitsCNN(nn.Module):
    """conv-relu-pool, conv-relu-pool, linear: 8x8 grey image in, 10 class scores out."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, common.CONV1_CHANNELS, common.KERNEL_SIZE, padding=1)
        self.conv2 = nn.Conv2d(common.CONV1_CHANNELS, common.CONV2_CHANNELS, common.KERNEL_SIZE, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(common.FLAT_FEATURES, common.N_CLASSES)

    def forward(self, x):                        # x: (batch, 1, 8, 8)
        x = self.pool(F.relu(self.conv1(x)))     # (batch, 16, 4, 4)
        x = self.pool(F.relu(self.conv2(x)))     # (batch, 32, 2, 2)
        x = torchlike.flatten(x, 1)              # (batch, 128), in (channel, row, column) order
        return self.fc(x)                        # (batch, 10)


def make_model(weights=None):
    """A ``DigitsCNN``; with ``weights`` (numpy arrays keyed like its ``state_dict``) it starts from those."""
    model = DigitsCNN()
    if weights is not None:
        model.load_state_dict({name: torchlike.from_numpy(array) for name, array in weights.items()})
    return model


def train(model, loader, optimizer, epochs, step_losses=None, device="cpu"):
    """The canonical training loop; returns one summary dict per epoch (loss, accuracy, seconds, samples/s).

    ``step_losses``, if given, is a list that receives every step's loss (the tests compare them).
    """
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        bar = ProgressBar(f"eager epoch {epoch:2d}/{epochs}", len(loader.dataset))
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)  # the batch goes where the model is
            optimizer.zero_grad()
            logits = model(images)
            loss = loss_fn(logits, labels)
            loss.backward()
            optimizer.step()

            # bookkeeping, from the logits of this step (before the update)
            correct = (logits.argmax(dim=1) == labels).sum().item()
            bar.update(len(labels), loss.item(), correct)
            if step_losses is not None:
                step_losses.append(loss.item())
        history.append(bar.close())
    return history


@torchlike.no_grad()
def predict(model, images, device="cpu"):
    """The model's logits for ``images`` (a numpy array) as a numpy array; nothing is recorded."""
    model.eval()
    return model(torchlike.from_numpy(images).to(device)).cpu().numpy()


def run(config, checkpoint_dir):
    """Train from ``common.initial_weights(config.seed)``, test, save, reload and compare; return the results."""
    setup_start = time.perf_counter()
    x_train, y_train, x_test, y_test = common.load_data()
    train_set = TensorDataset(torchlike.from_numpy(x_train), torchlike.from_numpy(y_train))
    loader = DataLoader(train_set, batch_size=config.batch_size, shuffle=True,
                        generator=torchlike.Generator().manual_seed(config.seed))

    model = make_model(common.initial_weights(config.seed)).to(config.device)  # its parameters move there
    optimizer = torchlike.optim.SGD(model.parameters(), lr=config.learning_rate, momentum=config.momentum)
    setup_seconds = time.perf_counter() - setup_start

    step_losses = []
    history = train(model, loader, optimizer, config.epochs, step_losses, config.device)
    test_logits = predict(model, x_test, config.device)
    accuracy = float((test_logits.argmax(axis=1) == y_test).mean())

    # Save, then load into a model made from scratch (its own random weights), and compare predictions.
    path = os.path.join(checkpoint_dir, "eager_cnn.pt")
    torchlike.save(model.state_dict(), path)
    reloaded = DigitsCNN().to(config.device)
    reloaded.load_state_dict(torchlike.load(path, map_location=config.device))
    reload_ok = common.predictions_agree(predict(reloaded, x_test, config.device), test_logits)

    return common.summary(history, len(x_train), accuracy=accuracy, setup_seconds=setup_seconds,
                          parameters=sum(p.numel() for p in model.parameters()), step_losses=step_losses,
                          test_logits=test_logits, reload_ok=reload_ok, checkpoint=path)
