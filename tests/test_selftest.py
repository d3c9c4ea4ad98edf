"""``digitapp --self-test``, the check a frozen build runs on itself, run here as users and
the Windows workflow run it: a separate process, with and without its bundled data."""

import os
import subprocess
import sys

from tests.helpers import ROOT


def test_self_test_passes_without_std_streams(tmp_path):
    """The check the frozen build runs (window, TensorFlow, training, prediction, save and
    reopen), here as a windowed exe runs it: no stdout/stderr. The log tells the story."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIGITAPP_HOME": str(tmp_path)}
    code = ("import sys; sys.stdout = None; sys.stderr = None\n"
            "from digitapp.cli import main\nsys.exit(main(['--self-test']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    log = (tmp_path / "digitapp.log").read_text(encoding="utf-8")
    assert proc.returncode == 0, log + proc.stdout + proc.stderr
    assert "self-test passed" in log and "ok    training runs" in log


def test_self_test_fails_with_a_reason(tmp_path):
    """Without its bundled data the self-test must fail, say why, and exit non-zero."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIGITAPP_HOME": str(tmp_path),
           "DIGITAPP_RESOURCES": str(tmp_path / "nothing-here")}
    proc = subprocess.run([sys.executable, "-m", "digitapp", "--self-test"], capture_output=True, text=True,
                          timeout=600, env=env, cwd=ROOT)
    assert proc.returncode == 1
    assert "FAILED:" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
