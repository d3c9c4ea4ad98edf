"""The session owns every model: runs are kept, autosaved at once, saved where the user
says (then their autosave goes), removed with their autosave; one current run."""

import pytest
from PySide6.QtWidgets import QApplication

from digitapp.core import runs
from digitapp.core.config import TrainConfig, sidecar_path
from digitapp.gui.session import OPENED, Session


@pytest.fixture(scope="module")
def trained_model(mnist_small):
    """A real model trained for one epoch on real MNIST digits, with its evaluation."""
    from digitapp.core import workflow

    return workflow.train_and_evaluate(mnist_small, "fast", TrainConfig(epochs=1, batch_size=64))


@pytest.fixture
def session(qtbot):
    session = Session()
    yield session
    assert session.jobs.wait_all(30_000)


def _settle(qtbot, session):
    """Let the session's jobs end and their results arrive on the GUI thread."""
    qtbot.waitUntil(lambda: not session.busy(), timeout=30_000)
    QApplication.processEvents()


def test_a_new_run_becomes_current_and_is_autosaved(qtbot, session, trained_model, app_data):
    changes = []
    session.current_changed.connect(changes.append)
    run = session.add(trained_model)
    assert session.current is run and changes == [run] and run.name == "Run 1"
    assert run.at_risk  # until the autosave is written
    _settle(qtbot, session)
    assert run.autosave is not None and run.autosave.parent == app_data / "runs"
    assert run.autosave.is_file() and sidecar_path(run.autosave).is_file()
    assert not run.at_risk and run.unsaved
    assert runs.recoverable() == [run.autosave]


def test_saving_a_run_drops_its_autosave(qtbot, session, trained_model, tmp_path):
    run = session.add(trained_model)
    _settle(qtbot, session)
    autosave = run.autosave
    with qtbot.waitSignal(session.saved, timeout=30_000):
        session.save(run, tmp_path / "mine.keras")
    assert run.saved_to == tmp_path / "mine.keras" and run.saved_to.is_file()
    assert run.autosave is None and not autosave.exists() and runs.recoverable() == []
    assert not run.unsaved


def test_removing_runs_deletes_autosaves_and_moves_current(qtbot, session, trained_model, tmp_path):
    first = session.add(trained_model)
    second = session.add(trained_model)
    opened = session.add(trained_model, OPENED, tmp_path / "theirs.keras")
    _settle(qtbot, session)
    assert [r.number for r in session.runs] == [1, 2, 3] and session.current is opened
    assert opened.autosave is None and opened.saved_to == tmp_path / "theirs.keras"  # a file is safe already
    assert session.unsaved() == [first, second]
    session.remove(opened)
    assert session.current is second
    autosave = second.autosave
    session.remove(second)
    assert not autosave.exists() and session.current is first
    session.remove(first)
    assert session.current is None and runs.recoverable() == []


def test_a_run_that_cannot_be_autosaved_is_at_risk(qtbot, session, trained_model, monkeypatch):
    def read_only_home():
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(runs, "new_autosave_path", read_only_home)
    run = session.add(trained_model)
    _settle(qtbot, session)
    assert session.at_risk() == [run]
