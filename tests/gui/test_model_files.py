"""Models and files: opening keeps the run in use in the session, unsaved runs of an earlier
session are offered back (restored or discarded), history export."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from digitapp.core import runs
from digitapp.core.config import TrainConfig
from digitapp.gui.model_files import ModelFiles
from digitapp.gui.session import OPENED, Session
from digitapp.gui.workers import Jobs


@pytest.fixture(scope="module")
def trained_model(mnist_small):
    from digitapp.core import workflow

    return workflow.train_and_evaluate(mnist_small, "fast", TrainConfig(epochs=1, batch_size=64))


@pytest.fixture
def files(qtbot, tmp_path):
    # Not handed to qtbot: its widgets are deleted before fixtures end, and the jobs must
    # be waited for first.
    window = QWidget()
    session = Session()
    jobs = Jobs(window)
    files = ModelFiles(window, session, QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat), jobs)
    messages = []
    files.status.connect(messages.append)
    files.messages = messages
    yield files
    qtbot.waitUntil(lambda: not session.busy() and not jobs.busy(), timeout=30_000)
    QApplication.processEvents()
    window.deleteLater()


def _session(files) -> Session:
    return files._session


def test_opening_a_file_keeps_the_run_in_use(qtbot, files, trained_model, tmp_path):
    from digitapp.core import workflow

    session = _session(files)
    first = session.add(trained_model)
    path = workflow.save_model(trained_model, tmp_path / "other.keras")
    with qtbot.waitSignal(files.opened, timeout=30_000) as opened:
        files.open(str(path))
    run = opened.args[0]
    assert run.source == OPENED and run.saved_to == path and session.current is run
    assert session.runs == [first, run]  # nothing replaced
    assert files.messages[-1].startswith("Opened other.keras as Run 2; Run 1 stays in Runs")


def test_unsaved_runs_of_an_earlier_session_can_be_discarded(qtbot, files, trained_model, monkeypatch):
    from digitapp.core import workflow

    left = [workflow.save_model(trained_model, runs.new_autosave_path()) for _ in range(2)]
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.Discard)[1])
    files.offer_recovery()
    assert "2 training runs from an earlier session were never saved" in asked[0]
    assert runs.recoverable() == [] and not any(p.exists() for p in left)
    assert _session(files).runs == [] and files.messages[-1] == "Discarded 2 training runs."


def test_nothing_to_recover_asks_nothing(files, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked without a reason"))
    files.offer_recovery()
    assert _session(files).runs == []


def test_export_history_writes_the_runs_epochs(qtbot, files, trained_model, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    run = _session(files).add(trained_model)
    out = tmp_path / "history.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV (*.csv)"))
    files.export_history(run)
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and rows[0].startswith("epoch,loss,accuracy")
