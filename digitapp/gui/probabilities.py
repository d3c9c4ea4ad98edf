"""A bar per class with its probability, painted in one pass.

Ten QProgressBars cost ~0.2 ms per setValue (each restyles and schedules its own repaint);
one widget that paints all bars is updated once per prediction, which keeps the answer
in step with the pen.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_HEIGHT = 20
NAME_WIDTH = 90
TEXT_WIDTH = 44


class ProbabilityBars(QWidget):
    """Horizontal bars, one row per class; the most likely class is highlighted.

    Signals:
        class_clicked(int): the user clicked a class's row (to say "it is this one").
    """

    class_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._names: list[str] = []
        self._probabilities: np.ndarray | None = None
        self._static: QPixmap | None = None
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setAttribute(Qt.WA_OpaquePaintEvent)

    def set_classes(self, names: list[str]) -> None:
        self._names = list(names)
        self._probabilities = None
        self._static = None
        self.updateGeometry()
        self.update()

    def set_probabilities(self, probabilities: np.ndarray | None) -> None:
        """Show these probabilities (one per class), or empty bars for None."""
        self._probabilities = None if probabilities is None else np.asarray(probabilities, dtype=float)
        self.update()

    def values(self) -> list[float]:
        """The probabilities shown (zeros when none), for tests and accessibility."""
        if self._probabilities is None:
            return [0.0] * len(self._names)
        return [float(p) for p in self._probabilities]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(300, ROW_HEIGHT * max(len(self._names), 1) + 4)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(NAME_WIDTH + TEXT_WIDTH + 60, self.sizeHint().height())

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # A new theme or font redraws the labels (a new size is noticed in _static_layer).
        if event.type() in (QEvent.PaletteChange, QEvent.FontChange, QEvent.StyleChange):
            self._static = None
        super().changeEvent(event)

    def _bar_geometry(self) -> tuple[int, int]:
        return NAME_WIDTH, max(self.width() - NAME_WIDTH - TEXT_WIDTH - 4, 10)

    def _static_layer(self) -> QPixmap:
        """Names and empty tracks, drawn once per size and class list (text is the costly part)."""
        if self._static is None or self._static.size() != self.size() * self.devicePixelRatioF():
            ratio = self.devicePixelRatioF()
            self._static = QPixmap(self.size() * ratio)
            self._static.setDevicePixelRatio(ratio)
            palette = self.palette()
            self._static.fill(palette.color(QPalette.Window))
            painter = QPainter(self._static)
            painter.setFont(self.font())
            painter.setPen(palette.color(QPalette.WindowText))
            bar_left, bar_width = self._bar_geometry()
            for row, name in enumerate(self._names):
                y = 2 + row * ROW_HEIGHT
                painter.drawText(QRectF(4, y, NAME_WIDTH - 8, ROW_HEIGHT), Qt.AlignVCenter | Qt.AlignRight, name)
                painter.fillRect(QRectF(bar_left, y + 3, bar_width, ROW_HEIGHT - 6),
                                 palette.color(QPalette.Base).darker(108))
            painter.end()
        return self._static

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        row = int((event.position().y() - 2) // ROW_HEIGHT)
        if event.button() == Qt.LeftButton and 0 <= row < len(self._names):
            self.class_clicked.emit(row)
        super().mousePressEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._static_layer())
        probs = self._probabilities
        if probs is not None and probs.size:
            top = int(np.argmax(probs))
            bar_left, bar_width = self._bar_geometry()
            painter.setPen(self.palette().color(QPalette.WindowText))
            highlight, other = self.palette().color(QPalette.Highlight), QColor(150, 150, 150)
            for row in range(min(len(self._names), probs.size)):
                y = 2 + row * ROW_HEIGHT
                p = float(probs[row])
                painter.fillRect(QRectF(bar_left, y + 3, bar_width * p, ROW_HEIGHT - 6),
                                 highlight if row == top else other)
                painter.drawText(QRectF(bar_left + bar_width + 4, y, TEXT_WIDTH, ROW_HEIGHT),
                                 Qt.AlignVCenter | Qt.AlignLeft, f"{p:.0%}")
        painter.end()
