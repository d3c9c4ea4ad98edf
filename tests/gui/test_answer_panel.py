"""The answer panel with a real trained model: the answer line, the bars, what the model
saw, the opened file beside it, and the explanation once the input rests."""

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from digitapp.core.errors import ImageError
from digitapp.gui.answer_panel import MODEL_VIEW_PIXELS, AnswerPanel
from digitapp.gui.workers import Jobs
from tests.helpers import digit_png


@pytest.fixture
def panel(qtbot, predictor):
    owner = QWidget()
    qtbot.addWidget(owner)
    jobs = Jobs(owner)
    widget = AnswerPanel(jobs, owner)
    assert widget.answer.text() == "Train or open a model, then draw a digit."
    widget.set_predictor(predictor, predictor.class_names)
    yield widget
    jobs.wait_all()


def test_a_drawing_shows_answer_bars_and_model_input(qtbot, panel, predictor, mnist):
    assert panel.answer.text() == "Draw a digit." and panel.bars.values() == [0.0] * 10
    prediction = predictor.predict(mnist.x_test[0, ..., 0])
    assert prediction.source_image is None  # a drawing, not a file
    with qtbot.waitSignal(panel.predicted) as shown:
        panel.show_prediction(prediction)
    assert shown.args == [prediction]
    assert panel.answer.text() == prediction.verdict
    stated, unsure = f"{prediction.name} ({prediction.confidence:.0%})", f"Unsure — maybe {prediction.name}"
    assert prediction.verdict in (stated, unsure)
    assert panel.bars.values() == pytest.approx(list(prediction.probabilities))
    assert panel.model_view.pixmap().width() == MODEL_VIEW_PIXELS
    assert panel.original_view.isHidden()  # nothing was opened

    with qtbot.waitSignal(panel.explained, timeout=10_000) as why:
        pass  # follows once the input rests
    assert why.args[0].shape == (28, 28) and np.abs(why.args[0]).max() > 0
    assert not panel.why_view.pixmap().isNull()
    assert panel.why_caption.text() == f"red: for {prediction.name}, blue: against"


def test_an_opened_file_is_shown_beside_its_answer(qtbot, panel, predictor, mnist, tmp_path):
    (prediction,) = predictor.predict_files([digit_png(mnist.x_test[1], tmp_path / "two.png")])
    panel.show_prediction(prediction)
    assert not panel.original_view.isHidden()
    assert panel.original_caption.text() == "opened file"
    assert panel.original_view.pixmap().width() == MODEL_VIEW_PIXELS  # 28×28 file, scaled up
    panel.show_prediction(None)  # e.g. the canvas was cleared
    assert panel.original_view.isHidden() and panel.answer.text() == "Draw a digit."
    assert panel.bars.values() == [0.0] * 10 and panel.model_view.pixmap().isNull()


def test_a_file_that_failed_says_so(qtbot, panel):
    error = ImageError("broken.jpg is damaged (truncated).")
    with qtbot.waitSignal(panel.predicted) as shown:
        panel.show_failure(error)
    assert shown.args == [None]
    assert panel.answer.text() == "Cannot use this file."
    assert panel.answer.toolTip() == "broken.jpg is damaged (truncated)."
    assert not panel.original_view.isHidden() and panel.original_view.text() == "(unreadable)"


def test_a_notice_takes_the_answer_line(panel):
    panel.show_notice("No image files there.")
    assert panel.answer.text() == "No image files there."


def test_the_answer_line_fits_its_texts(qtbot, panel):
    panel.resize(420, 500)  # the answer panel's width in a 1024-pixel window
    panel.show()
    qtbot.waitExposed(panel)
    panel.answer.setText("Train or open a model, then draw a digit.")
    assert not panel.answer.is_elided()  # wrapped to its two lines, not cut
    panel.answer.setText("Unsure — maybe 4 (52%)")
    assert not panel.answer.is_elided()


def test_a_pasted_image_is_shown_as_pasted(panel, predictor, mnist):
    from PIL import Image

    prediction = predictor.predict(mnist.x_test[0, ..., 0])
    prediction.source_image = Image.fromarray(mnist.x_test[0, ..., 0])
    panel.show_prediction(prediction, "pasted image")
    assert not panel.original_view.isHidden() and panel.original_caption.text() == "pasted image"
