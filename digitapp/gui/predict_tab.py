"""The Predict tab: draw a digit and see the answer live, with every class's probability
and the 28×28 image the model actually receives."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QGridLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from digitapp.gui.drawing import DrawingCanvas

MODEL_VIEW_PIXELS = 168  # the 28×28 input shown 6× enlarged


class PredictTab(QWidget):
    """Drawing canvas on the left; answer, probabilities and model input on the right.

    Signals:
        predicted(object): a core ``Prediction`` for the current drawing (None when blank).
    """

    predicted = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._predictor = None
        self._pending = False
        self.canvas = DrawingCanvas()
        self.brush = QSpinBox(minimum=4, maximum=48, value=self.canvas.brush, suffix=" px")
        self.clear_button = QPushButton("Clear (Esc)")
        self.undo_button = QPushButton("Undo (Ctrl+Z)")
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Brush"))
        tools.addWidget(self.brush)
        tools.addStretch(1)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.clear_button)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addLayout(tools)

        self.answer = QLabel("Train or open a model, then draw a digit.")
        font = self.answer.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.answer.setFont(font)
        # Fixed size: a label whose size may change re-lays out the window on every
        # setText (20–35 ms measured), far too slow for answers that follow the pen.
        self.answer.setFixedSize(440, 60)
        self.bars_box = QGroupBox("Probabilities")
        self.bars_layout = QGridLayout(self.bars_box)
        self.bars: list[QProgressBar] = []
        self.model_view = QLabel()
        self.model_view.setFixedSize(MODEL_VIEW_PIXELS, MODEL_VIEW_PIXELS)
        self.model_view.setStyleSheet("background: black")
        seen_box = QGroupBox("What the model sees")
        seen_layout = QVBoxLayout(seen_box)
        seen_layout.addWidget(self.model_view, 0, Qt.AlignCenter)
        right = QVBoxLayout()
        right.addWidget(self.answer)
        right.addWidget(self.bars_box)
        right.addWidget(seen_box)
        right.addStretch(1)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

        self.canvas.changed.connect(self._schedule_prediction)
        self.brush.valueChanged.connect(lambda value: setattr(self.canvas, "brush", value))
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button.clicked.connect(self.canvas.undo)
        QShortcut(QKeySequence(Qt.Key_Escape), self, self.canvas.clear)
        QShortcut(QKeySequence.Undo, self, self.canvas.undo)

    def set_model(self, trained) -> None:
        """Use a ``TrainedModel``'s predictor and class names."""
        self._predictor = trained.predictor
        names = trained.info.class_names
        for i in reversed(range(self.bars_layout.count())):
            self.bars_layout.itemAt(i).widget().deleteLater()
        self.bars = []
        for row, name in enumerate(names):
            bar = QProgressBar(maximum=1000, value=0, textVisible=True)
            bar.setFormat("")
            self.bars_layout.addWidget(QLabel(name), row, 0)
            self.bars_layout.addWidget(bar, row, 1)
            self.bars.append(bar)
        self.answer.setText("Draw a digit.")
        self._schedule_prediction()

    @Slot()
    def _schedule_prediction(self) -> None:
        # Coalesce: many mouse moves can arrive per event-loop pass; predict once per pass.
        if self._predictor is not None and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self._predict_now)

    @Slot()
    def _predict_now(self) -> None:
        self._pending = False
        if self._predictor is None:
            return
        if self.canvas.is_empty():
            self._show(None, None)
            return
        model_input = self._predictor.prepare(self.canvas.to_array())
        self._show(self._predictor.predict_prepared(model_input), model_input)

    def _show(self, prediction, model_input: np.ndarray | None) -> None:
        if prediction is None:
            self.answer.setText("Draw a digit.")
            for bar in self.bars:
                bar.setValue(0)
            self.model_view.clear()
        else:
            verdict = f"{prediction.name}  ({prediction.confidence:.0%})"
            if prediction.unsure:
                verdict = f"Unsure — maybe {prediction.name} ({prediction.confidence:.0%})"
            self.answer.setText(verdict)
            for bar, p in zip(self.bars, prediction.probabilities):
                value, text = int(round(float(p) * 1000)), f"{float(p):.0%}"
                if bar.value() != value:  # each change repaints the bar: skip the no-ops
                    bar.setValue(value)
                if bar.format() != text:  # rounded like the answer above, not truncated
                    bar.setFormat(text)
            self._show_model_input(model_input)
        self.predicted.emit(prediction)

    def _show_model_input(self, model_input: np.ndarray) -> None:
        pixels = np.ascontiguousarray((np.clip(model_input[..., 0] if model_input.shape[-1] == 1
                                               else model_input.mean(axis=-1), 0, 1) * 255).astype(np.uint8))
        image = QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.strides[0], QImage.Format_Grayscale8)
        self.model_view.setPixmap(QPixmap.fromImage(image.copy()).scaled(
            MODEL_VIEW_PIXELS, MODEL_VIEW_PIXELS, Qt.IgnoreAspectRatio, Qt.FastTransformation))
