"""Every tutorial chapter runs top to bottom and its closing checks pass.

Each ``tutorials/NN_name.py`` runs in its own interpreter, from a temporary directory (so files it writes land
there, and so it cannot lean on the repository being the working directory), with ``MINIDL_TUTORIAL_OUT``
pointing into that directory. New chapters are picked up by the glob, with no change here.
"""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))
TIMEOUT_S = 120


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_tutorial_runs(chapter, tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["MINIDL_TUTORIAL_OUT"] = str(tmp_path / "figures")
    env["MPLBACKEND"] = "Agg"  # chapters that plot must never open a window
    # one BLAS thread: beside the other test worker, a multi-threaded BLAS makes small products many times slower
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        done = subprocess.run([sys.executable, str(chapter)], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"{chapter.name} did not finish within {TIMEOUT_S} s; output so far:\n"
                    f"{_text(expired.stdout)[-3000:]}\n{_text(expired.stderr)[-3000:]}")
    if done.returncode != 0:
        pytest.fail(f"{chapter.name} exited with code {done.returncode}\n--- stdout (tail) ---\n"
                    f"{done.stdout[-3000:]}\n--- stderr (tail) ---\n{done.stderr[-5000:]}", pytrace=False)


def test_chapters_found():
    assert len(CHAPTERS) >= 3, f"expected the tutorial chapters in {ROOT / 'tutorials'}, found {CHAPTERS}"


def _text(data):
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data
