"""Draw with the mouse on the Predict tab and get live answers from a trained model."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui_fixtures import drag, ink_strokes


def test_drawing_an_mnist_digit_predicts_it(qtbot, window, mnist):
    tab = window.training_tab
    tab.form.epochs.setValue(3)
    tab.form.batch_size.setValue(32)
    with qtbot.waitSignal(tab.model_ready, timeout=120_000) as blocker:
        qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    trained = blocker.args[0]
    predict = window.predict_tab
    window.tabs.setCurrentWidget(predict)
    canvas = predict.canvas
    canvas.brush = 22

    # Digits the model gets right from the original image, traced with the mouse.
    originals = trained.predictor.probabilities(mnist.x_test[:40]).argmax(1)
    right = [i for i in range(40) if originals[i] == mnist.y_test[i]][:5]
    hits = 0
    for index in right:
        canvas.clear()
        for stroke in ink_strokes(mnist.x_test[index, ..., 0]):
            drag(canvas, stroke)
        with qtbot.waitSignal(predict.predicted, timeout=5_000) as shown:
            pass
        prediction = shown.args[0]
        assert prediction is not None and abs(prediction.probabilities.sum() - 1) < 1e-4
        hits += prediction.label == mnist.y_test[index]
    assert hits >= 3, f"only {hits} of {len(right)} traced digits recognised"
    panel = predict.answer_panel
    assert panel.model_view.pixmap() is not None and not panel.model_view.pixmap().isNull()
    assert sum(panel.bars.values()) > 0.9

    # Why: once the pen rests, the integrated-gradients map of the shown answer.
    with qtbot.waitSignal(predict.explained, timeout=10_000) as why:
        pass
    attributions = why.args[0]
    assert attributions.shape == (28, 28) and np.abs(attributions).max() > 0
    assert not panel.why_view.pixmap().isNull()
    assert prediction.name in panel.why_caption.text()

    canvas.undo()
    canvas.clear()
    with qtbot.waitSignal(predict.predicted, timeout=5_000) as cleared:
        pass
    assert cleared.args[0] is None and panel.answer.text() == "Draw a digit."


def test_folder_with_a_corrupt_file_gives_a_table_and_csv(qtbot, window, mnist, tmp_path):
    import csv

    from tests.helpers import digit_png

    tab = window.training_tab
    tab.form.epochs.setValue(2)
    tab.form.batch_size.setValue(32)
    with qtbot.waitSignal(tab.model_ready, timeout=120_000):
        qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    folder = tmp_path / "scans"
    folder.mkdir()
    for i in range(4):
        digit_png(255 - mnist.x_test[i], folder / f"digit{i}.png")  # dark ink on light paper
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    predict = window.predict_tab
    with qtbot.waitSignal(predict.files_classified, timeout=30_000):
        predict.classify_paths([str(folder)])
    table = predict.file_table.table
    assert table.rowCount() == 5
    texts = {table.item(r, 1).text(): table.item(r, 4).text() for r in range(5)}
    assert texts["broken.jpg"].startswith("broken.jpg is not an image DigitApp can read")
    out = tmp_path / "predictions.csv"
    assert predict.file_table.export_csv(str(out))
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5
    bad = [r for r in rows if r["error"]]
    assert [r["file"].endswith("broken.jpg") for r in bad] == [True]
    good = [r for r in rows if not r["error"]]
    hits = sum(r["best guess"] == str(mnist.y_test[int(r["file"][-5])]) for r in good)
    assert hits >= 3  # inverted (scan-like) digits are recognised after preprocessing

    # Selecting a row shows that file as opened, its model input and its answer;
    # the broken row says so instead of showing a stale answer.
    window.tabs.setCurrentWidget(predict)
    panel = predict.answer_panel
    row = next(r for r in range(5) if table.item(r, 1).text() == "digit2.png")
    table.selectRow(row)
    assert panel.original_view.isVisible() and not panel.original_view.pixmap().isNull()
    assert panel.answer.text().startswith(table.item(row, 2).text().split()[0])
    table.selectRow(next(r for r in range(5) if table.item(r, 1).text() == "broken.jpg"))
    assert panel.answer.text() == "Cannot use this file."
    assert panel.answer.toolTip() == texts["broken.jpg"]


def _is_an_answer(prediction) -> bool:
    return prediction is not None


@pytest.fixture
def tab(qtbot, predictor):
    """The Predict tab alone, as big as in the default window on a 1366×768 screen with a
    taskbar (1280×696), with the trained tiny model."""
    from types import SimpleNamespace

    from digitapp.gui.predict_tab import PredictTab

    widget = PredictTab()
    qtbot.addWidget(widget)
    widget.resize(1256, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_model(SimpleNamespace(predictor=predictor, info=SimpleNamespace(class_names=predictor.class_names)))
    yield widget
    widget.jobs.wait_all()


def test_a_pasted_image_gets_a_row_and_a_preview(qtbot, tab, mnist):
    from digitapp.gui.images import to_qimage

    with qtbot.waitActive(tab):  # Ctrl+V is the window's shortcut
        tab.activateWindow()
    QApplication.clipboard().setImage(to_qimage(255 - mnist.x_test[0, ..., 0]))  # dark ink on white, as copied
    with qtbot.waitSignal(tab.predicted, timeout=30_000, check_params_cb=_is_an_answer) as shown:
        qtbot.keyClick(tab, Qt.Key_V, Qt.ControlModifier)
    prediction = shown.args[0]
    table = tab.file_table.table
    assert table.rowCount() == 1 and table.item(0, 1).text().startswith("pasted image ")
    assert table.item(0, 2).text() == prediction.answer
    panel = tab.answer_panel
    assert not panel.original_view.isHidden() and panel.original_caption.text() == "pasted image"
    assert panel.original_view.pixmap().width() > 0
    assert panel.answer.text() == prediction.verdict


def test_a_digit_key_names_the_selected_file_while_the_table_has_focus(qtbot, tab, mnist, tmp_path):
    from digitapp.core import personal
    from tests.helpers import digit_png

    digit_png(mnist.x_test[0], tmp_path / "a-seven.png")
    digit_png(mnist.x_test[1], tmp_path / "b-two.png")
    with qtbot.waitSignal(tab.file_table.files_classified, timeout=30_000):
        tab.classify_paths([str(tmp_path)])
    table = tab.file_table.table
    table.selectRow(0)
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key_3)
    kept = personal.list_samples(tab.personal.folder())
    assert list(kept) == ["3"] and len(kept["3"]) == 1  # the table's type-to-find did not take it
    qtbot.keyClick(table, Qt.Key_Down)  # the table's own keys still work
    assert table.currentRow() == 1


def test_neither_pane_can_be_squeezed_out_of_sight(tab):
    from digitapp.gui.predict_tab import TABLE_MIN_HEIGHT

    splitter = tab.splitter
    top_minimum = splitter.widget(0).minimumSizeHint().height()
    assert splitter.sizes()[0] >= tab.canvas.minimumHeight() and splitter.sizes()[1] >= TABLE_MIN_HEIGHT
    table = tab.file_table.table
    rows_visible = table.viewport().height() // table.verticalHeader().defaultSectionSize()
    assert rows_visible >= 6  # a useful list of files, not four rows
    splitter.setSizes([0, 2000])
    assert splitter.sizes()[0] >= top_minimum and tab.canvas.height() >= tab.canvas.minimumHeight()
    splitter.setSizes([2000, 0])
    assert splitter.sizes()[1] >= TABLE_MIN_HEIGHT


def test_the_bundled_model_answers_before_any_model_is_trained(qtbot, mnist):
    """First the ONNX copy (no TensorFlow needed, no explanations), then the Keras file
    (which explains); a model of the user's own replaces it."""
    from types import SimpleNamespace

    from digitapp.gui.predict_tab import PredictTab

    tab = PredictTab()
    qtbot.addWidget(tab)
    tab.show()
    messages = []
    tab.status.connect(messages.append)
    tab.start_default()
    qtbot.waitUntil(tab.uses_default, timeout=30_000)
    assert "bundled default model" in messages[0] and "99." in messages[0]
    assert tab.model_line.text().startswith("Answering: the bundled default model · 99.")
    assert not tab._predictor.can_explain and "TensorFlow" in tab.answer_panel.why_caption.text()
    for stroke in ink_strokes(mnist.x_test[0, ..., 0]):  # a 7
        drag(tab.canvas, stroke)
    with qtbot.waitSignal(tab.predicted, timeout=5_000, check_params_cb=_is_an_answer) as shown:
        pass
    assert shown.args[0].name == "7"

    tab.upgrade_default()
    qtbot.waitUntil(lambda: tab._predictor.can_explain, timeout=30_000)
    assert tab.uses_default() and "TensorFlow" not in tab.answer_panel.why_caption.text()
    mine = SimpleNamespace(predictor=tab._predictor, info=SimpleNamespace(class_names=mnist.class_names))
    tab.set_model(mine)
    assert not tab.uses_default() and tab.model_line.text() == "Answering: your model (opened)"
    tab.upgrade_default()  # TensorFlow loading after the user's model arrived changes nothing
    assert tab.jobs.wait_all(30_000) and not tab.uses_default()
