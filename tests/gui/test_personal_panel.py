"""Teaching the app your handwriting in the Predict tab: a 4 drawn the way one writer draws it
(the bundled model reads it as a 1) is corrected with a click and its digit key, kept as
samples on disk, learnt with "Learn my handwriting", and then answered right by a new run."""

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from digitapp.core import personal
from digitapp.gui.probabilities import ROW_HEIGHT

# One writer's 4 (from bench/finetune.py's synthetic writers: a long slanted stroke, a sharp turn
# back and a short tail), in canvas pixels, drawn with a 17 px brush.
FOUR = [(106, 247), (155, 186), (217, 104), (241, 56), (211, 81), (175, 120), (136, 159), (153, 166),
        (151, 190), (160, 204)]
BRUSH = 17


def _draw(qtbot, predict, shift=(0, 0)):
    predict.canvas.clear()
    predict.canvas.brush = BRUSH
    with qtbot.waitSignal(predict.predicted, timeout=5_000) as shown:
        predict.canvas.add_stroke([(x + shift[0], y + shift[1]) for x, y in FOUR])
    return shown.args[0]


def test_a_corrected_drawing_is_learnt_and_answered_right(qtbot, window):
    predict = window.predict_tab
    window.tabs.setCurrentWidget(predict)
    panel = predict.personal
    # The bundled model's Keras copy (it can be fine-tuned) once TensorFlow is ready.
    qtbot.waitUntil(lambda: predict.answer_panel._predictor is not None
                    and predict.answer_panel._predictor.can_explain, timeout=60_000)
    assert not panel.learn_button.isEnabled()  # no samples yet
    wrong = _draw(qtbot, predict)
    assert wrong.label != 4, "the writer's 4 is misread by the bundled model (the premise of this test)"

    # A click on the bar of "4" keeps the drawing; so does the 4 key (a few more drawn slightly apart).
    bars = predict.answer_panel.bars
    qtbot.mouseClick(bars, Qt.LeftButton, pos=bars.rect().topLeft() + _row_centre(4))
    kept = personal.list_samples(panel.folder())
    assert list(kept) == ["4"] and len(kept["4"]) == 1 and kept["4"][0].suffix == ".png"
    for shift in [(-20, 0), (0, -20), (15, 10), (-10, 15), (20, -15)]:
        _draw(qtbot, predict, shift)
        QTest.keyClick(predict, Qt.Key_4)
    assert len(personal.list_samples(panel.folder())["4"]) == 6 and panel.gallery.count() == 6
    assert panel.learn_button.isEnabled()

    # A sample can be deleted from the gallery (its file goes).
    panel.gallery.item(0).setSelected(True)
    gone = panel.gallery.item(0).data(Qt.UserRole)
    qtbot.mouseClick(panel.delete_button, Qt.LeftButton)
    assert panel.gallery.count() == 5 and not Path(gone).exists()

    runs = len(window.session.runs)
    with qtbot.waitSignal(predict.model_learned, timeout=180_000) as learned:
        qtbot.mouseClick(panel.learn_button, Qt.LeftButton)
    tuned = learned.args[0]
    report = tuned.info.metrics["finetune"]
    assert report["test_after"] >= report["test_before"] - 0.003 and "→" in panel.result()
    qtbot.waitUntil(lambda: len(window.session.runs) == runs + 1, timeout=5_000)
    assert window.session.current.trained is tuned  # the new run answers now
    assert _draw(qtbot, predict).label == 4


def test_keeping_a_sample_needs_something_to_keep(qtbot, window):
    predict = window.predict_tab
    qtbot.waitUntil(lambda: predict.answer_panel._predictor is not None, timeout=60_000)
    predict.correct(4)
    assert not personal.list_samples(predict.personal.folder())


def _row_centre(row: int) -> QPoint:
    return QPoint(120, 2 + row * ROW_HEIGHT + ROW_HEIGHT // 2)
