"""The main window: saving and opening never wait for a training run, file dialogs add the
suffix the user chose, history export, About."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from digitapp.gui.main_window import about_html
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


def test_about_names_versions_and_the_data_licence():
    html = about_html()
    for name in ("Python", "Qt", "TensorFlow", "Keras", "NumPy", "Pillow", "CC BY-SA 3.0"):
        assert name in html
