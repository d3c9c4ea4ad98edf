"""Drive the real Training tab: train, stop, close mid-run."""

from PySide6.QtCore import Qt

EPOCHS_FOR_STOP = 200  # long enough that only Stop can end the run


def _set_quick_settings(tab, epochs):
    tab.form.epochs.setValue(epochs)
    tab.form.batch_size.setValue(32)


def test_train_shows_curves_and_results(qtbot, window):
    tab = window.training_tab
    _set_quick_settings(tab, 2)
    with qtbot.waitSignal(tab.model_ready, timeout=120_000) as blocker:
        qtbot.mouseClick(tab.train_button, Qt.LeftButton)
        assert tab.stop_button.isEnabled() and not tab.train_button.isEnabled()
    trained = blocker.args[0]
    assert trained.result.epochs_completed == 2
    train_x, _ = tab.plots.lines["loss"].get_data()
    val_x, val_y = tab.plots.lines["val_accuracy"].get_data()
    assert len(train_x) >= 2 and list(val_x) == [1, 2] and all(0 <= v <= 1 for v in val_y)
    assert "Test accuracy" in tab.results.summary.text()
    assert f"{trained.evaluation.accuracy:.2%}" in tab.results.summary.text()
    assert len(tab.results.samples.captions()) == 16  # 16 random test images, each captioned
    assert tab.results.per_class.rowCount() == 11  # ten digits and "not a digit"
    assert "not a digit:" in tab.results.summary.text() and "not a digit:" in tab.log.toPlainText()
    # The mistakes counted include held-out non-digits answered as digits: the line says they were tested.
    assert f"{trained.evaluation.real:,} test images + {trained.evaluation.non_digits:,} non-digits" in (
        tab.results.summary.text())
    assert "epoch 2:" in tab.log.toPlainText()
    assert window.save_action.isEnabled()
    assert tab.train_button.isEnabled() and not tab.stop_button.isEnabled()


def test_stop_ends_within_a_batch_and_keeps_the_model(qtbot, window):
    tab = window.training_tab
    _set_quick_settings(tab, EPOCHS_FOR_STOP)
    progress = []
    tab.plots.add_batch = lambda p: progress.append(p)  # record what the GUI was shown
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(progress) >= 3, timeout=60_000)
    with qtbot.waitSignal(tab.model_ready, timeout=60_000) as blocker:
        qtbot.mouseClick(tab.stop_button, Qt.LeftButton)
        last = progress[-1]
        steps_seen = (last["epoch"] - 1) * last["batches"] + last["batch"]
    trained = blocker.args[0]
    assert trained.result.stopped
    steps_run = int(trained.model.optimizer.iterations.numpy())
    # The batch running at Stop may finish; batch reports can lag by one more.
    assert steps_run <= steps_seen + 3
    assert trained.evaluation is not None and 0 <= trained.evaluation.accuracy <= 1
    assert "stopped" in tab.progress.format().lower()


def test_closing_mid_training_stops_cleanly(qtbot, window):
    tab = window.training_tab
    _set_quick_settings(tab, EPOCHS_FOR_STOP)
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tab.plots.has_data(), timeout=60_000)
    with qtbot.waitSignal(window.closed, timeout=60_000):
        window.close()
        assert not window.isVisible()  # out of sight at once…
        assert tab.is_training()  # …while training winds down behind it
    assert not tab.is_training()
    (run,) = window.session.runs  # the stopped run is kept, autosaved for the next start
    assert run.trained.result.stopped and run.autosave is not None and run.autosave.is_file()


def test_save_open_continue_and_export(qtbot, window, tmp_path):
    tab = window.training_tab
    _set_quick_settings(tab, 1)
    with qtbot.waitSignal(tab.model_ready, timeout=120_000):
        qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    path = tmp_path / "digits.keras"
    window.save_model_to(str(path))
    qtbot.waitUntil(lambda: path.exists() and (tmp_path / "digits.keras.json").exists(), timeout=30_000)
    qtbot.waitUntil(lambda: not window.session.busy(), timeout=30_000)

    window.load_model_file(str(path))
    qtbot.waitUntil(lambda: window.current is not None and window.current.info.history
                    and window.current.evaluation is not None and window.current.result is None,
                    timeout=30_000)  # opened, then evaluated on the selected (matching) dataset
    assert "Test accuracy" in tab.results.summary.text()
    assert list(tab.plots.lines["val_loss"].get_data()[0]) == [1]

    with qtbot.waitSignal(tab.model_ready, timeout=120_000) as blocker:
        qtbot.mouseClick(tab.continue_button, Qt.LeftButton)
    continued = blocker.args[0]
    assert continued.model is window.current.model
    assert len(continued.info.history["loss"]) == 2  # one epoch before, one more now

    csv_path = tmp_path / "history.csv"
    from digitapp.core import reports

    reports.write_history_csv(window.current.info.history, csv_path)
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("epoch,loss,accuracy") and len(rows) == 3


def test_confusion_cell_click_shows_those_images(qtbot, window):
    tab = window.training_tab
    _set_quick_settings(tab, 1)
    with qtbot.waitSignal(tab.model_ready, timeout=120_000) as blocker:
        qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    evaluation = blocker.args[0].evaluation
    true, predicted = 3, 3
    tab.results.confusion.cell_clicked.emit(true, predicted)
    assert len(tab.results.cell_images._items) == evaluation.confusion[true, predicted]
    assert f"True {true}, predicted {predicted}" in tab.results.cell_images.caption.text()
