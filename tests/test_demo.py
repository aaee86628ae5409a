"""The softmax-regression demo trains on the bundled digits and reaches a useful test accuracy."""
import subprocess
import sys

from minidl import demo


def test_demo_reaches_90_percent(capsys):
    test_accuracy = demo.main(["--epochs", "5", "--seed", "0"])
    assert test_accuracy >= 0.90
    out = capsys.readouterr().out
    assert out.count("epoch") == 5 and "samples/s" in out and "test accuracy" in out


def test_demo_is_reproducible():
    first = demo.main(["--epochs", "2", "--seed", "1"])
    assert demo.main(["--epochs", "2", "--seed", "1"]) == first


def test_demo_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "minidl.demo", "--epochs", "1", "--batch-size", "64"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test accuracy" in result.stdout
