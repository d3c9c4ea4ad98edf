"""Drive the real Training tab: train, stop, close mid-run."""

from PySide6.QtCore import Qt

EPOCHS_FOR_STOP = 200  # long enough that only Stop can end the run


def _set_quick_settings(tab, epochs):
    tab.epochs.setValue(epochs)
    tab.batch_size.setValue(32)


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
    assert tab.results.samples.figure.axes and len(tab.results.samples.figure.axes) == 16
    assert tab.results.per_class.rowCount() == 10
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
    window.close()
    assert window.isVisible()  # first it stops training…
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60_000)  # …then it closes
    assert not tab.is_training()
