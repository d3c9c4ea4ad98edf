"""The answer to the image in view: a big answer line, a probability bar per class, and
what the model saw — the opened file, the 28×28 input and why it answered as it did."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from digitapp.core.errors import user_message
from digitapp.gui import images
from digitapp.gui.probabilities import ProbabilityBars
from digitapp.gui.stable_label import StableLabel
from digitapp.gui.workers import Jobs

MODEL_VIEW_PIXELS = 112  # the 28×28 input shown 4× enlarged
ANSWER_SCALE = 2.0  # the answer line's font, relative to the window's
WHY_DELAY_MS = 120  # the explanation appears this long after the drawing stops changing


class AnswerPanel(QWidget):
    """Shows one core ``Prediction`` at a time, and explains it once the input rests.

    Signals:
        predicted(object): the ``Prediction`` now shown (None when there is none).
        explained(object): the attributions ``(H, W)`` behind the shown prediction.
    """

    predicted = Signal(object)
    explained = Signal(object)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        """Args:
            jobs: where the explanation is prepared: the owner's, so that waiting for the
                owner's jobs at shutdown covers this one too.
        """
        super().__init__(parent)
        self._jobs = jobs
        self._predictor = None
        self._shown = None
        # Two lines at a fixed height: a label whose size may change re-lays out the window
        # on every setText (20–35 ms measured), far too slow for answers that follow the pen.
        self.answer = StableLabel("Train or open a model, then draw a digit.", lines=2)
        font = self.answer.font()
        font.setPointSizeF(font.pointSizeF() * ANSWER_SCALE)
        font.setBold(True)
        self.answer.setFont(font)
        self.bars = ProbabilityBars()
        bars_box = QGroupBox("Probabilities")
        QVBoxLayout(bars_box).addWidget(self.bars)
        boxes = QHBoxLayout()
        boxes.addWidget(bars_box, 1)
        boxes.addWidget(self._build_seen_box())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.answer)
        layout.addLayout(boxes)
        layout.addStretch(1)
        self._show_original(None)
        # The explanation costs a few model calls: it follows when the pen rests, so the
        # answer itself never waits for it.
        self._why_timer = QTimer(self, singleShot=True, interval=WHY_DELAY_MS)
        self._why_timer.timeout.connect(self._on_why_due)

    def _build_seen_box(self) -> QGroupBox:
        self.model_view = _image_label()
        self.model_view.setStyleSheet("background: black")
        self.why_view = _image_label()
        self.why_view.setStyleSheet("background: black")
        self.why_view.setToolTip(
            "Integrated gradients: how much each pixel of the model's input adds to (red) or\n"
            "takes from (blue) the answer's probability, compared with an empty image.")
        self.why_caption = StableLabel("", lines=2)
        self.why_caption.setFixedWidth(MODEL_VIEW_PIXELS + 24)
        self.why_caption.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        # The opened file itself, beside what the model made of it (hidden for drawings,
        # its place kept: showing it must not re-lay out the window).
        self.original_view = _image_label()
        self.original_view.setAlignment(Qt.AlignCenter)
        self.original_caption = QLabel("")
        self.original_caption.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.original_caption.setFixedSize(MODEL_VIEW_PIXELS, 20)
        for widget in (self.original_view, self.original_caption):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
        input_caption = QLabel("28×28 input")
        input_caption.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        box = QGroupBox("What the model sees · Why")
        grid = QGridLayout(box)
        grid.addWidget(self.original_view, 0, 0, Qt.AlignCenter)
        grid.addWidget(self.model_view, 0, 1, Qt.AlignCenter)
        grid.addWidget(self.why_view, 0, 2, Qt.AlignCenter)
        grid.addWidget(self.original_caption, 1, 0, Qt.AlignHCenter | Qt.AlignTop)
        grid.addWidget(input_caption, 1, 1, Qt.AlignHCenter | Qt.AlignTop)
        grid.addWidget(self.why_caption, 1, 2, Qt.AlignHCenter | Qt.AlignTop)
        box.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Preferred)
        return box

    def set_predictor(self, predictor, class_names: list[str]) -> None:
        """Answer for this core ``Predictor`` from now on; prepare its explanations."""
        self._predictor = predictor
        self.bars.set_classes(class_names)
        self.why_view.clear()
        self.why_caption.setText(self._no_why())
        if predictor.can_explain and not predictor.explainer_ready:
            self._jobs.call(predictor.warm_up, on_done=self._on_explainer_ready)
        self.answer.setText("Draw a digit.")

    def show_prediction(self, prediction, source: str = "opened file") -> None:
        """Show a ``Prediction`` — with the image it came from beside it (captioned ``source``)
        when it came from a file or the clipboard — or the empty state for None."""
        self._show_original(None if prediction is None else prediction.source_image, caption=source)
        if prediction is None:
            self.answer.setText("Draw a digit.")
            self.bars.set_probabilities(None)
            self.model_view.clear()
            self.why_view.clear()
            self.why_caption.setText(self._no_why())
        else:
            self.answer.setText(prediction.verdict)
            self.answer.setToolTip("")
            self.bars.set_probabilities(prediction.probabilities)
            self.model_view.setPixmap(images.enlarged_pixmap(prediction.model_input, MODEL_VIEW_PIXELS))
        self._shown = prediction
        self._why_timer.start()
        self.predicted.emit(prediction)

    def shown(self):
        """The ``Prediction`` on show (None: nothing drawn or opened)."""
        return self._shown

    def _no_why(self) -> str:
        """The caption where no explanation is shown."""
        if self._predictor is None or self._predictor.can_explain:
            return ""
        return "why: once TensorFlow has loaded"

    def show_failure(self, error: Exception) -> None:
        """A file that could not be used: say so instead of showing a stale answer."""
        self.show_prediction(None)
        self._show_original(None, unreadable=True)
        # The full reason is in the file's table row; the big answer line stays short.
        self.answer.setText("Cannot use this file.")
        self.answer.setToolTip(user_message(error))

    @Slot(str)
    def show_notice(self, text: str) -> None:
        """A short line in place of the answer (e.g. there was nothing to classify)."""
        self.answer.setText(text)

    def _show_original(self, image, unreadable: bool = False, caption: str = "opened file") -> None:
        """The opened file (or pasted image) as the user knows it, or nothing for a drawing."""
        visible = image is not None or unreadable
        self.original_view.setVisible(visible)
        self.original_caption.setVisible(visible)
        if not visible:
            return
        self.original_caption.setText(caption)
        if unreadable:
            self.original_view.setText("(unreadable)")
        else:
            self.original_view.setPixmap(images.fitted_pixmap(image, MODEL_VIEW_PIXELS))

    def _on_explainer_ready(self, _result) -> None:
        self._why_timer.start()

    @Slot()
    def _on_why_due(self) -> None:
        prediction = self._shown
        if (prediction is None or self._predictor is None or not self._predictor.can_explain
                or not self._predictor.explainer_ready):
            return  # shown once the explanation is traced (see set_predictor)
        attributions = self._predictor.explain(prediction.model_input, prediction.answered)
        self.why_view.setPixmap(_why_pixmap(prediction.model_input, attributions, MODEL_VIEW_PIXELS))
        self.why_caption.setText(f"red: for {prediction.class_names[prediction.answered]}, blue: against")
        self.explained.emit(attributions)


def _image_label() -> QLabel:
    label = QLabel()
    label.setFixedSize(MODEL_VIEW_PIXELS, MODEL_VIEW_PIXELS)
    return label


def _why_pixmap(model_input: np.ndarray, attributions: np.ndarray, size: int) -> QPixmap:
    """The input dimmed, with evidence for the class in red and against it in blue."""
    base = np.clip(model_input.mean(axis=-1), 0, 1) * 0.35
    scale = max(float(np.abs(attributions).max()), 1e-8)
    # A gamma below 1 keeps weak but real evidence visible next to the strongest pixels.
    positive = np.clip(attributions / scale, 0, 1) ** 0.6
    negative = np.clip(-attributions / scale, 0, 1) ** 0.6
    rgb = np.stack([base + (1 - base) * positive,
                    base * (1 - positive) * (1 - negative),
                    base + (1 - base) * negative], axis=-1)
    return images.enlarged_pixmap(rgb, size)
