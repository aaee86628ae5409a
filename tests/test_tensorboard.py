"""utils.tensorboard.SummaryWriter: the event files it writes, read back by an independent reader."""
import os

import numpy as np
import pytest

import minidl.eager as torch
from minidl.eager.utils.tensorboard import SummaryWriter
from tests.event_reader import decode_png, event_files, parse, read_events


def only_file(logdir):
    files = event_files(logdir)
    assert len(files) == 1
    return read_events(files[0])


def summaries(events):
    return [(e["step"], v) for e in events if "summary" in e for v in e["summary"]]


def test_a_training_loop_logs_scalars_and_histograms(tmp_path):
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(16, 3), torch.randn(16, 1)
    losses = []
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(3):
            loss = torch.nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            writer.add_scalar("loss/train", loss, step)           # a one-element tensor
            writer.add_scalar("lr", np.float32(0.1), step)         # a numpy number
        writer.add_histogram("weight", model.weight, 2)
        writer.add_histogram("weight_auto", model.weight, 2, bins=4)
    events = only_file(tmp_path)
    assert events[0]["file_version"] == "brain.Event:2"
    values = summaries(events)
    loss_curve = [(step, v["simple_value"]) for step, v in values if v["tag"] == "loss/train"]
    assert [s for s, _ in loss_curve] == [0, 1, 2]
    np.testing.assert_allclose([v for _, v in loss_curve], losses, rtol=1e-6)
    weights = model.weight.detach().numpy().astype(np.float64).ravel()
    (histo,) = [v["histo"] for _, v in values if v["tag"] == "weight"]
    assert histo["num"] == 3 and histo["min"] == weights.min() and histo["max"] == weights.max()
    assert sum(histo["bucket"]) == 3 and np.isclose(histo["sum"], weights.sum())
    (auto,) = [v["histo"] for _, v in values if v["tag"] == "weight_auto"]
    counts, edges = np.histogram(weights, bins=4)
    assert auto["bucket"] == counts.tolist() and np.allclose(auto["bucket_limit"], edges[1:])


def test_add_scalars_writes_one_curve_per_sub_directory(tmp_path):
    writer = SummaryWriter(str(tmp_path))
    for step in range(2):
        writer.add_scalars("run/loss", {"train": 1.0 + step, "test": 2.0 + step}, step)
    writer.close()
    for name, start in [("run_loss_train", 1.0), ("run_loss_test", 2.0)]:
        values = summaries(only_file(tmp_path / name))
        assert [(s, v["tag"], v["simple_value"]) for s, v in values] == [(0, "run/loss", start),
                                                                          (1, "run/loss", start + 1)]


def test_images_are_png_encoded_from_floats_or_uint8_in_each_layout(tmp_path):
    rng = np.random.default_rng(0)
    rgb = rng.random((3, 4, 5)).astype(np.float32)                  # CHW floats in [0, 1]
    grey = rng.integers(0, 256, (4, 5), dtype=np.uint8)               # HW uint8
    batch = rng.random((5, 1, 2, 3)).astype(np.float32)               # NCHW: 5 images -> a 3 x 2 grid
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_image("rgb", torch.tensor(rgb), 0)
        writer.add_image("grey", grey, 0, dataformats="HW")
        writer.add_image("hwc", rgb.transpose(1, 2, 0), 0, dataformats="HWC")
        writer.add_images("batch", batch, 1)
    images = {v["tag"]: v["image"] for _, v in summaries(only_file(tmp_path))}
    expected_rgb = np.round(rgb.transpose(1, 2, 0).astype(np.float64) * 255).astype(np.uint8)
    assert (decode_png(images["rgb"]["png"]) == expected_rgb).all()
    assert (images["rgb"]["height"], images["rgb"]["width"], images["rgb"]["colorspace"]) == (4, 5, 3)
    assert (decode_png(images["hwc"]["png"]) == expected_rgb).all()
    assert (decode_png(images["grey"]["png"])[..., 0] == grey).all() and images["grey"]["colorspace"] == 1
    grid = decode_png(images["batch"]["png"])[..., 0]
    assert grid.shape == (2 * 2, 3 * 3)  # ceil(sqrt(5)) = 3 columns, 2 rows of 2x3 images
    as_uint8 = np.round(batch[:, 0].astype(np.float64) * 255).astype(np.uint8)
    assert (grid[2:4, 3:6] == as_uint8[4]).all() and (grid[2:4, 6:9] == 0).all()


def test_text_and_the_autograd_graph(tmp_path):
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_text("notes", "lr = **0.1**", 0)
        writer.add_graph(model, torch.randn(4, 3))
    events = only_file(tmp_path)
    (text,) = [v for _, v in summaries(events)]
    assert text["tag"] == "notes/text_summary" and text["plugin"] == "text"
    assert text["tensor"]["string_val"] == [b"lr = **0.1**"]
    (graph_event,) = [e for e in events if "graph_def" in e]
    nodes = {}
    for raw in parse(graph_event["graph_def"]).get(1, []):
        node = parse(raw)
        nodes[node[1][0].decode()] = (node[2][0].decode(), [i.decode() for i in node.get(3, [])])
    assert nodes["0/weight"] == ("Parameter", []) and nodes["2/bias"] == ("Parameter", [])
    ops = {name: value for name, value in nodes.items() if value[0] != "Parameter"}
    assert sorted(op for op, _ in ops.values()) == ["Addmm", "Addmm", "Relu"]
    (last,) = [inputs for op, inputs in ops.values() if op == "Addmm" and "2/weight" in inputs]
    (relu,) = [name for name, (op, _) in ops.items() if op == "Relu"]
    assert relu in last and ops[relu][1][0] in ops  # Relu reads the first Addmm


def test_default_log_dir_and_bad_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    writer = SummaryWriter(comment="_try")
    assert writer.get_logdir().startswith("runs" + os.sep) and writer.get_logdir().endswith("_try")
    assert os.path.isdir(writer.get_logdir())
    with pytest.raises(ValueError, match="expected one number, got an array of shape \\(2,\\)"):
        writer.add_scalar("x", torch.ones(2))
    with pytest.raises(ValueError, match="finite"):
        writer.add_histogram("h", np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="does not match dataformats 'CHW'"):
        writer.add_image("i", np.zeros((4, 5)))
    with pytest.raises(ValueError, match="1, 3 or 4 channels"):
        writer.add_image("i", np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match="4-D batch"):
        writer.add_images("i", np.zeros((2, 4, 5)))
    writer.close()


def test_image_grid_lays_out_small_images_as_ink_on_white():
    from minidl.io.png import image_grid
    images = np.zeros((3, 4))
    images[0, 0] = 1.0   # one full-ink pixel in the first image's top left corner
    images[2] = 0.5
    grid = image_grid(images, columns=2, side=2, pixel=3, gap=1)
    assert grid.shape == (2 * 7 + 1, 2 * 7 + 1, 1) and grid.dtype == np.uint8  # 2 rows of (2·3 + 1) + 1
    assert (grid[1:4, 1:4] == 0).all() and (grid[1:4, 4:7] == 255).all()      # ink: black; paper: white
    assert (grid[8:14, 1:7] == 128).all() and (grid[8:14, 8:14] == 160).all()  # half ink; the missing 4th: grey
    assert (grid[0] == 160).all() and (grid[:, 7] == 160).all()                # grey gaps between images
