"""Never lose a trained model: a run autosaved by an app that is then killed (SIGKILL, as a
crash or a power cut would end it) is offered back at the next start, and restored."""

import os
import signal
import subprocess
import sys
import time

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from digitapp.gui.runs_panel import COLUMNS
from digitapp.gui.session import RECOVERED
from tests.gui_fixtures import close_window
from tests.helpers import ROOT

# Trains one short run in a real window, says where its autosave is, then waits to be killed.
TRAIN_THEN_WAIT = """
import sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from digitapp.gui.main_window import MainWindow

app = QApplication([])
window = MainWindow(QSettings(sys.argv[2], QSettings.IniFormat))
window.show()
window.start_backend()
tab = window.training_tab
tab.import_dataset(sys.argv[1])

def poll():
    runs = window.session.runs
    if runs and runs[0].autosave is not None:
        print("AUTOSAVED", runs[0].autosave, runs[0].trained.evaluation.accuracy, flush=True)
        return
    if tab.train_button.isEnabled() and not runs:
        tab.form.epochs.setValue(1)
        tab.form.batch_size.setValue(64)
        tab.train_button.click()
    QTimer.singleShot(100, poll)

poll()
app.exec()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_run_survives_sigkill_and_is_offered_back(qtbot, app_data, tmp_path, mnist_small_npz, monkeypatch):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIGITAPP_HOME": str(app_data), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", TRAIN_THEN_WAIT, str(mnist_small_npz), str(tmp_path / "a.ini")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 300
        line = ""
        while not line.startswith("AUTOSAVED") and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
        assert line.startswith("AUTOSAVED"), "the first app never autosaved its run"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        proc.stdout.close()
    _, autosave, accuracy = line.split()
    assert proc.returncode == -signal.SIGKILL and os.path.isfile(autosave)

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.Yes)[1])
    from digitapp.gui.main_window import MainWindow

    window = MainWindow(QSettings(str(tmp_path / "b.ini"), QSettings.IniFormat))
    window.show()
    window.start_backend()
    qtbot.waitUntil(lambda: len(window.session.runs) == 1, timeout=60_000)
    assert asked and "1 training run from an earlier session was never saved" in asked[0]
    (run,) = window.session.runs
    assert run.source == RECOVERED and str(run.autosave) == autosave and run.unsaved and not run.at_risk
    assert run.trained.info.metrics["test_accuracy"] == pytest.approx(float(accuracy))
    assert window.session.current is run and window.predict_tab.file_table.open_button.isEnabled()
    assert window.runs_panel.table.item(0, COLUMNS.index("Kept")).text() == "autosaved (not saved yet)"
    close_window(qtbot, window)
