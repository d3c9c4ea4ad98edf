"""The Runs tab: one row per run (the one in use in bold), use / save / delete, and the
validation curves of the runs overlaid."""

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from digitapp.core.config import TrainConfig
from digitapp.gui.runs_panel import COLUMNS, RunsPanel
from digitapp.gui.session import OPENED, Session


@pytest.fixture(scope="module")
def two_models(mnist_small):
    """Two real runs of different length on real MNIST digits."""
    from digitapp.core import workflow

    return [workflow.train_and_evaluate(mnist_small, "fast", TrainConfig(epochs=n, batch_size=64)) for n in (1, 2)]


@pytest.fixture
def panel(qtbot, two_models, tmp_path):
    session = Session()
    panel = RunsPanel(session)
    qtbot.addWidget(panel)
    session.add(two_models[0])
    session.add(two_models[1], OPENED, tmp_path / "two.keras")
    qtbot.waitUntil(lambda: not session.busy(), timeout=30_000)
    QApplication.processEvents()
    yield panel
    assert session.jobs.wait_all(30_000)


def _row_texts(panel, row):
    return [panel.table.item(row, c).text() for c in range(panel.table.columnCount())]


def test_one_row_per_run_with_what_it_is(panel, two_models):
    assert panel.table.rowCount() == 2
    first, second = _row_texts(panel, 0), _row_texts(panel, 1)
    kept, devices = COLUMNS.index("Kept"), COLUMNS.index("Trained on")
    assert first[0] == "Run 1" and first[3] == "1" and first[4] == f"{two_models[0].evaluation.accuracy:.2%}"
    assert first[kept] == "autosaved (not saved yet)" and first[devices] == two_models[0].info.metrics["trained_on"]
    assert second[0] == "Run 2 (opened)" and second[3] == "2" and second[kept] == "saved: two.keras"
    assert panel.table.item(1, 0).font().bold() and not panel.table.item(0, 0).font().bold()  # Run 2 in use


def test_use_a_run_makes_it_current(panel):
    panel.table.selectRow(0)
    panel.use_button.click()
    assert panel.session.current is panel.session.runs[0]
    assert panel.table.item(0, 0).font().bold()


def test_curves_of_every_run_are_overlaid_once_the_panel_is_seen(panel):
    assert panel.curves_stale() and not panel.figure.axes  # hidden: not drawn while runs end
    panel.show()
    assert not panel.curves_stale()
    accuracy_axes = panel.figure.axes[0]
    labels = [line.get_label() for line in accuracy_axes.get_lines()]
    assert labels == ["Run 1", "Run 2"]
    assert [len(line.get_xdata()) for line in accuracy_axes.get_lines()] == [1, 2]
    panel.table.selectRow(1)
    assert [line.get_label() for line in panel.figure.axes[0].get_lines()] == ["Run 2"]


def test_deleting_an_unsaved_run_asks_first(panel, monkeypatch):
    answers = [QMessageBox.Cancel, QMessageBox.Discard]
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), answers.pop(0))[1])
    autosave = panel.session.runs[0].autosave
    panel.table.selectRow(0)
    panel.delete_button.click()  # Cancel: nothing happens
    assert len(panel.session.runs) == 2 and autosave.exists()
    panel.delete_button.click()  # Discard: gone, with its autosave
    assert "Run 1 was never saved" in asked[0]
    assert [r.name for r in panel.session.runs] == ["Run 2"] and not autosave.exists()
    assert panel.table.rowCount() == 1


def test_save_asks_the_window(panel, qtbot):
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.save_requested) as requested:
        panel.save_button.click()
    assert requested.args[0] is panel.session.runs[0]
