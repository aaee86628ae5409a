"""``python -m minidl.demo``: the same CNN trained in eager and in graph mode learns, is reproducible, computes the
same losses in both modes from the same start, and survives a save/reload."""
import contextlib
import io
import os
import runpy
import subprocess
import sys

import numpy
import pytest

import minidl
from minidl import demo
from minidl.demo import common, graph_cnn


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """Both modes, 3 epochs, checkpoints kept in a test directory; (results, printed output)."""
    out = tmp_path_factory.mktemp("demo")
    buffer = io.StringIO()  # capsys is per test, and this run is shared by several: capture by hand
    with contextlib.redirect_stdout(buffer):
        results = demo.main(["--epochs", "3", "--seed", "0", "--out", str(out)])
    return results, buffer.getvalue(), out


def test_both_modes_reach_90_percent(short_run):
    results, _, _ = short_run
    assert set(results) == {"eager", "graph"}
    for mode, result in results.items():
        assert result["accuracy"] >= 0.90, mode
        assert result["parameters"] == 16 * 9 + 16 + 32 * 16 * 9 + 32 + 128 * 10 + 10 == 6090
        assert result["seconds_per_epoch"] > 0
        assert len(result["epoch_losses"]) == 3
        assert result["epoch_losses"][-1] < result["epoch_losses"][0]


def test_output_has_progress_bars_table_and_reload_check(short_run):
    _, out, _ = short_run
    assert "\r" in out and "[" in out  # the bar, redrawn in place
    for mode in ("eager", "graph"):
        for epoch in (1, 2, 3):
            assert f"{mode} epoch  {epoch}/3  loss" in out
    assert out.count("samples/s") == 6
    assert "test accuracy" in out and "seconds per epoch" in out and "parameters" in out
    assert "reload check: ok" in out


def test_checkpoints_are_written_and_reload(short_run):
    results, _, out_dir = short_run
    assert all(result["reload_ok"] for result in results.values())
    assert os.path.exists(results["eager"]["checkpoint"])
    assert os.path.exists(results["graph"]["checkpoint"] + ".index")
    assert os.path.dirname(results["eager"]["checkpoint"]) == str(out_dir)


def test_eager_and_graph_compute_the_same_first_losses(short_run):
    """Same initial weights, same batches: the losses agree step by step up to float32 rounding."""
    results, _, _ = short_run
    eager = numpy.array(results["eager"]["step_losses"][:10])
    graph = numpy.array(results["graph"]["step_losses"][:10])
    numpy.testing.assert_allclose(eager, graph, rtol=1e-5, atol=1e-6)
    assert eager[0] == pytest.approx(numpy.log(10), abs=0.2)  # an untrained net guesses: about -log(1/10)


@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_same_seed_gives_bit_identical_results(mode, capsys):
    first = demo.main(["--mode", mode, "--epochs", "1", "--seed", "1", "--batch-size", "64"])[mode]
    second = demo.main(["--mode", mode, "--epochs", "1", "--seed", "1", "--batch-size", "64"])[mode]
    assert first["step_losses"] == second["step_losses"]
    assert numpy.array_equal(first["test_logits"], second["test_logits"])
    assert first["accuracy"] == second["accuracy"]
    other = demo.main(["--mode", mode, "--epochs", "1", "--seed", "2", "--batch-size", "64"])[mode]
    assert other["step_losses"] != first["step_losses"]


def test_both_programs_train_on_every_device(device, short_run, tmp_path, capsys):
    """``--device``: the eager model and its batches, and the graph session, compute there; the first steps'
    losses are the CPU run's (float32 rounding apart), and the checkpoints reload there."""
    results = demo.main(["--epochs", "1", "--seed", "0", "--device", device, "--out", str(tmp_path)])
    assert f"on {device}" in capsys.readouterr().out
    on_cpu, _, _ = short_run
    for mode, result in results.items():
        assert result["reload_ok"], mode
        numpy.testing.assert_allclose(result["step_losses"][:10], on_cpu[mode]["step_losses"][:10], rtol=1e-4,
                                      err_msg=mode)


@pytest.mark.skipif(minidl.cuda_is_available(), reason="checks the no-GPU error")
def test_cuda_without_a_gpu_is_refused_up_front(capsys):
    with pytest.raises(SystemExit):
        demo.parse_args(["--device", "cuda"])
    assert "no CUDA GPU is available" in capsys.readouterr().err


def test_default_checkpoint_directory_is_removed(capsys):
    results = demo.main(["--mode", "eager", "--epochs", "1", "--batch-size", "128"])
    assert not os.path.exists(os.path.dirname(results["eager"]["checkpoint"]))


def test_weight_layout_conversion_matches_the_eager_model():
    """The TF-layout weights give the graph the eager model's function (checked on the untrained model)."""
    import minidl.graph as tf
    from minidl.demo import eager_cnn
    weights = common.initial_weights(3)
    _, _, x_test, _ = common.load_data()
    eager_logits = eager_cnn.predict(eager_cnn.make_model(weights), x_test[:50])
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, 8, 8, 1])
        logits = graph_cnn.build_model(images, graph_cnn.to_tf_layout(weights))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            graph_logits = sess.run(logits, feed_dict={images: graph_cnn.to_nhwc(x_test[:50])})
    numpy.testing.assert_allclose(graph_logits, eager_logits, rtol=1e-5, atol=1e-5)


def test_failed_reload_check_exits_nonzero(monkeypatch, capsys):
    monkeypatch.setattr(common, "predictions_agree", lambda a, b: False)
    monkeypatch.setattr(sys, "argv", ["minidl.demo", "--mode", "eager", "--epochs", "1", "--batch-size", "128"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("minidl.demo", run_name="__main__")
    assert exit_info.value.code == 1
    assert "reload check: FAILED (eager)" in capsys.readouterr().out


def test_help_works_as_a_module():
    result = subprocess.run([sys.executable, "-m", "minidl.demo", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    for option in ("--mode", "--epochs", "--batch-size", "--seed", "--device", "--out"):
        assert option in result.stdout


def test_runs_as_a_module(tmp_path):
    result = subprocess.run([sys.executable, "-m", "minidl.demo", "--epochs", "1", "--batch-size", "128",
                             "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "reload check: ok" in result.stdout
    assert (tmp_path / "eager_cnn.pt").exists() and (tmp_path / "graph_cnn.ckpt.index").exists()


def test_bad_options_are_rejected(capsys):
    with pytest.raises(SystemExit):
        demo.parse_args(["--epochs", "0"])
    with pytest.raises(SystemExit):
        demo.parse_args(["--mode", "jax"])
