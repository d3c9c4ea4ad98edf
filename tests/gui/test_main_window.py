"""The main window: runs are kept (Train again, close), saving and opening never wait for a
training run, an opened model replaces every number on screen, dialogs add the suffix the
user chose, history export, a model file given at start."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from digitapp.gui.model_files import SAVE_FILTERS

EPOCHS_FOR_STOP = 200  # long enough that only Stop can end the run


def _train_one_epoch(qtbot, window):
    tab = window.training_tab
    tab.form.epochs.setValue(1)
    tab.form.batch_size.setValue(64)
    with qtbot.waitSignal(tab.model_ready, timeout=120_000) as ready:
        qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    return ready.args[0]


def test_save_and_open_during_training_do_not_wait_for_it(qtbot, window, tmp_path):
    """TensorFlow's lock is held while Keras traces, not for a whole run: a model is saved
    and another opened while training goes on."""
    first = _train_one_epoch(qtbot, window)
    before = tmp_path / "before.keras"
    window.save_model_to(str(before))
    qtbot.waitUntil(lambda: before.exists() and not window.session.busy(), timeout=30_000)

    tab = window.training_tab
    tab.form.epochs.setValue(EPOCHS_FOR_STOP)
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tab.batches_done() >= 3, timeout=60_000)

    during = tmp_path / "during.keras"
    window.save_model_to(str(during))
    qtbot.waitUntil(lambda: during.exists() and not window.session.busy(), timeout=30_000)
    assert tab.is_training(), "the save waited for the run to end"
    assert window.current is first and "Saved" in window.statusBar().currentMessage()

    window.load_model_file(str(before))
    qtbot.waitUntil(lambda: window.current is not first and bool(window.current.info.history), timeout=30_000)
    assert tab.is_training(), "opening waited for the run to end"
    with qtbot.waitSignal(tab.training_ended, timeout=60_000):
        tab.stop_training()


def test_save_dialog_adds_the_chosen_suffix(qtbot, window, tmp_path, monkeypatch):
    _train_one_epoch(qtbot, window)
    chosen = tmp_path / "legacy"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), SAVE_FILTERS[1]))
    window.save_model()
    saved = tmp_path / "legacy.h5"
    qtbot.waitUntil(lambda: saved.exists() and not window.session.busy(), timeout=30_000)
    assert (tmp_path / "legacy.h5.json").exists()


def test_export_history_writes_one_row_per_epoch(qtbot, window, tmp_path, monkeypatch):
    _train_one_epoch(qtbot, window)
    out = tmp_path / "history.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV (*.csv)"))
    assert window.export_action.isEnabled()
    window.export_action.trigger()
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "epoch,loss,accuracy,val_loss,val_accuracy,seconds"
    assert len(rows) == 2 and rows[1].startswith("1,")


def test_train_again_keeps_the_first_run(qtbot, window):
    first = _train_one_epoch(qtbot, window)
    second = _train_one_epoch(qtbot, window)
    qtbot.waitUntil(lambda: not window.session.busy(), timeout=30_000)
    runs = window.session.runs
    assert [run.trained for run in runs] == [first, second] and window.current is second
    assert all(run.autosave is not None and run.autosave.is_file() for run in runs)
    assert window.runs_panel.table.rowCount() == 2


def test_closing_asks_only_about_runs_that_could_not_be_kept(qtbot, window, monkeypatch):

    from digitapp.core import runs

    def read_only_home():
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(runs, "new_autosave_path", read_only_home)
    _train_one_epoch(qtbot, window)
    qtbot.waitUntil(lambda: not window.session.busy(), timeout=30_000)
    answers, asked = [QMessageBox.Cancel, QMessageBox.Discard], []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: (asked.append(a[2]), answers.pop(0))[1])
    window.close()  # Cancel: the window stays
    assert window.isVisible() and "Run 1 is not saved and could not be kept" in asked[0]
    with qtbot.waitSignal(window.closed, timeout=30_000):
        window.close()  # Discard: it closes
    assert len(asked) == 2
    window.session.remove(window.session.runs[0])  # the fixture checks no run is at risk


def test_an_opened_model_replaces_every_number_on_screen(qtbot, window, tmp_path, mnist_small):
    from digitapp.core import workflow
    from digitapp.core.config import TrainConfig

    weak = workflow.train_and_evaluate(mnist_small, "mlp", TrainConfig.for_model("mlp", epochs=1, batch_size=300))
    path = workflow.save_model(weak, tmp_path / "weak.keras")
    strong = _train_one_epoch(qtbot, window)
    tab = window.training_tab
    assert f"{strong.evaluation.accuracy:.2%}" in tab.progress.format()
    window.load_model_file(str(path))
    qtbot.waitUntil(lambda: window.current is not None and window.current.evaluation is not None
                    and window.current.model is not strong.model, timeout=60_000)
    opened = window.current
    assert opened.evaluation.accuracy == pytest.approx(weak.evaluation.accuracy, abs=1e-6)
    shown = f"test accuracy {opened.evaluation.accuracy:.2%}"
    assert shown in tab.progress.format() and f"Test accuracy <b>{opened.evaluation.accuracy:.2%}</b>" in (
        tab.results.summary.text())
    if f"{strong.evaluation.accuracy:.2%}" != f"{opened.evaluation.accuracy:.2%}":
        before = f"{strong.evaluation.accuracy:.2%}"
        assert f"test accuracy {before}" not in tab.progress.format()
        assert f"Test accuracy <b>{before}</b>" not in tab.results.summary.text()
    assert tab.results.per_class.rowCount() == 11  # ten digits and "not a digit"
    assert len(tab.plots.lines["val_loss"].get_data()[0]) == 1


def test_export_model_offers_the_run_in_use_proven_on_its_dataset(qtbot, window):
    assert not window.export_model_action.isEnabled()  # nothing to export yet
    _train_one_epoch(qtbot, window)
    assert window.export_model_action.isEnabled()
    window.export_model_action.trigger()
    dialog = window.files.export_dialog
    assert dialog.isVisible() and window.current.dataset.name in dialog.proof_note.text()
    dialog.close()


def test_serve_on_this_computer_is_in_the_file_menu_for_the_run_in_use(qtbot, window):
    file_menu = window.menuBar().actions()[0].menu()
    assert window.serving.action in file_menu.actions() and not window.serving.action.isEnabled()
    _train_one_epoch(qtbot, window)
    with qtbot.waitSignal(window.serving.changed, timeout=30_000) as changed:
        window.serving.action.setChecked(True)
    assert changed.args[0] and window.serving._server.trained is window.current
    with qtbot.waitSignal(window.serving.changed, timeout=30_000):
        window.serving.action.setChecked(False)


def test_tensorflow_waits_while_the_user_draws(qtbot, settings, mnist_small_npz, monkeypatch):
    from digitapp.core import workflow  # TensorFlow already loaded: the import job returns at once
    from digitapp.gui import idle
    from digitapp.gui.main_window import MainWindow
    from tests.gui_fixtures import close_window, drag

    assert workflow.backend_version()

    # Longer than a first answer may keep the window busy on a loaded machine (a stroke answered
    # slowly is no input, and the pause would begin): the test is about strokes putting it off.
    monkeypatch.setattr(idle, "PAUSE_MS", 1500)
    win = MainWindow(settings)
    win.show()
    tab = win.training_tab
    tab.import_dataset(str(mnist_small_npz))
    win.start_backend()
    canvas = win.predict_tab.canvas
    for _ in range(20):  # 2 s of strokes: TensorFlow's import (here: its job) waits
        drag(canvas, [(100, 100), (150, 150), (200, 120)])
        qtbot.wait(100)
        assert not tab.train_button.isEnabled()
    qtbot.waitUntil(lambda: tab.train_button.isEnabled(), timeout=60_000)  # the user paused
    close_window(qtbot, win)


def test_a_model_file_given_at_start_that_fails_to_open_leaves_nothing_behind(qtbot, settings, mnist_small_npz,
                                                                              tmp_path, monkeypatch):
    """The file's failure is said; a model opened later from the File menu does not pull the window
    over to the Predict tab as the start-up file would have (it used to: a connection stayed armed)."""
    from digitapp.core.resources import resource_path
    from digitapp.gui.main_window import MainWindow
    from tests.gui_fixtures import close_window

    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a model at all")
    win = MainWindow(settings)
    win.open_when_ready(str(broken))
    win.show()
    win.training_tab.import_dataset(str(mnist_small_npz))
    win.start_backend()
    qtbot.waitUntil(lambda: bool(warned), timeout=60_000)
    assert len(warned) == 1 and not any(run.saved_to == broken for run in win.session.runs)
    win.tabs.setCurrentWidget(win.training_tab)
    with qtbot.waitSignal(win.files.opened, timeout=60_000):
        win.load_model_file(str(resource_path("cnn_model.h5")))
    assert win.tabs.currentWidget() is win.training_tab
    close_window(qtbot, win)


def test_a_model_file_given_at_start_opens_once_tensorflow_is_ready(qtbot, settings, mnist_small_npz):
    """`DigitApp.exe digits.keras` (a double-clicked .keras file: the installer associates them):
    the window is up at once, the model opens when TensorFlow is ready and the Predict tab shows it."""
    from digitapp.core.resources import resource_path
    from digitapp.gui.main_window import MainWindow
    from tests.gui_fixtures import close_window

    classic = resource_path("cnn_model.h5")
    win = MainWindow(settings)
    win.open_when_ready(str(classic))
    win.show()
    assert win.pending_label.text() == "cnn_model.h5 opens once TensorFlow has loaded…"
    assert not win.pending_label.isHidden()
    win.training_tab.import_dataset(str(mnist_small_npz))
    win.start_backend()
    qtbot.waitUntil(lambda: win.current is not None, timeout=60_000)
    assert win.session.current.saved_to == classic
    assert win.tabs.currentWidget() is win.predict_tab and win.pending_label.isHidden()
    close_window(qtbot, win)

