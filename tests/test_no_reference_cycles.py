"""Training and evaluation leave no reference cycles: what a step made is freed by reference counting as soon as
the step lets go of it, as in PyTorch, without waiting for Python's cycle collector (which would keep big
activations alive meanwhile, and spend time visiting them)."""
import gc
import types

import numpy
import pytest

import minidl.eager as torch
from minidl.eager import nn


def _models():
    return {
        "mlp": (lambda: nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 4)),
                lambda: (torch.randn(4, 8),)),
        "cnn": (lambda: nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                      nn.Linear(36, 2)),
                lambda: (torch.randn(2, 1, 8, 8),)),
        "lstm": (lambda: nn.LSTM(8, 16, batch_first=True), lambda: (torch.randn(2, 5, 8),)),
        "two-layer rnn": (lambda: nn.RNN(8, 16, num_layers=2), lambda: (torch.randn(5, 2, 8),)),
        "transformer layer": (lambda: nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
                              lambda: (torch.randn(2, 5, 8),)),
    }


def _cyclic_garbage_of(step):
    """The types of the objects of eager mode (its classes and functions, the op library's, and arrays) that the
    cycle collector finds after ``step`` ran three times with the collector off. (Objects of other origins are
    left out: a thread that an earlier test left behind may let go of garbage while the steps run — graph-mode
    objects, TensorShapes and Operations of a finished graph test, were seen so.)"""
    gc.collect()
    collecting, flags = gc.isenabled(), gc.get_debug()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # the collected objects go to gc.garbage, to be looked at
    try:
        for _ in range(3):
            step()
        gc.collect()
        return sorted(type(o).__name__ for o in gc.garbage if _from_eager_mode(o))
    finally:
        gc.garbage.clear()
        gc.set_debug(flags)
        if collecting:
            gc.enable()


_EAGER_MODE = ("minidl.eager", "minidl.ops", "minidl.autodiff", "minidl.backend")


def _from_eager_mode(obj):
    if isinstance(obj, numpy.ndarray):
        return True
    if isinstance(obj, types.FrameType):
        path = obj.f_code.co_filename.replace("\\", "/")
        return "minidl/" in path and "minidl/graph/" not in path
    module = getattr(obj, "__module__", None) if isinstance(obj, types.FunctionType) else type(obj).__module__
    return isinstance(module, str) and module.startswith(_EAGER_MODE)


@pytest.mark.parametrize("name", list(_models()))
def test_forward_alone_and_training_steps_leave_no_cycles(name):
    make_model, make_inputs = _models()[name]
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters())

    def first_output(inputs):
        out = model(*inputs)
        return out[0] if isinstance(out, tuple) else out

    def evaluate_without_no_grad():
        first_output(make_inputs())

    def train():
        optimizer.zero_grad()
        first_output(make_inputs()).square().mean().backward()
        optimizer.step()

    assert _cyclic_garbage_of(evaluate_without_no_grad) == []
    assert _cyclic_garbage_of(train) == []


def test_data_loading_leaves_no_cycles():
    dataset = torch.utils.data.TensorDataset(torch.randn(20, 3), torch.randn(20))

    def epoch():
        for _ in torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=True):
            pass
    assert _cyclic_garbage_of(epoch) == []
