"""A bar per class with its probability, painted in one pass.

Ten QProgressBars cost ~0.2 ms per setValue (each restyles and schedules its own repaint);
one widget that paints all bars is updated once per prediction, which keeps the answer
in step with the pen.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_HEIGHT = 20
NAME_WIDTH = 90
TEXT_WIDTH = 44


class ProbabilityBars(QWidget):
    """Horizontal bars, one row per class; the most likely class is highlighted."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._names: list[str] = []
        self._probabilities: np.ndarray | None = None
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setAttribute(Qt.WA_OpaquePaintEvent)

    def set_classes(self, names: list[str]) -> None:
        self._names = list(names)
        self._probabilities = None
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

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.Window))
        probs = self._probabilities
        top = int(np.argmax(probs)) if probs is not None and probs.size else -1
        bar_left = NAME_WIDTH
        bar_width = max(self.width() - NAME_WIDTH - TEXT_WIDTH - 4, 10)
        text_color = palette.color(QPalette.WindowText)
        highlight = palette.color(QPalette.Highlight)
        for row, name in enumerate(self._names):
            y = 2 + row * ROW_HEIGHT
            p = float(probs[row]) if probs is not None and row < probs.size else 0.0
            painter.setPen(text_color)
            painter.drawText(QRectF(4, y, NAME_WIDTH - 8, ROW_HEIGHT), Qt.AlignVCenter | Qt.AlignRight, name)
            track = QRectF(bar_left, y + 3, bar_width, ROW_HEIGHT - 6)
            painter.fillRect(track, palette.color(QPalette.Base).darker(108))
            color = highlight if row == top else QColor(150, 150, 150)
            painter.fillRect(QRectF(track.left(), track.top(), track.width() * p, track.height()), color)
            if probs is not None:
                painter.drawText(QRectF(bar_left + bar_width + 4, y, TEXT_WIDTH, ROW_HEIGHT),
                                 Qt.AlignVCenter | Qt.AlignLeft, f"{p:.0%}")
        painter.end()
