"""A square canvas to draw a digit with the mouse, pen or finger: white ink on black."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitapp.gui import images

CANVAS_PIXELS = 280  # 10× MNIST: fine enough for the mouse, small enough to process fast
MIN_SIDE = 200  # on screen the canvas may be smaller than its pixels (it is scaled), not tiny
DEFAULT_BRUSH = 18


class DrawingCanvas(QWidget):
    """Strokes on a grayscale image; Undo removes the last stroke.

    Signals:
        changed(): the drawing changed (a stroke grew, was undone, or the canvas cleared).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.brush = DEFAULT_BRUSH
        self._strokes: list[tuple[int, list[QPointF]]] = []
        self._image = QImage(CANVAS_PIXELS, CANVAS_PIXELS, QImage.Format_Grayscale8)
        self._image.fill(0)
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setCursor(Qt.CrossCursor)
        self.setAttribute(Qt.WA_StaticContents)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(CANVAS_PIXELS, CANVAS_PIXELS)

    # ------------------------------------------------------------ public

    def is_empty(self) -> bool:
        return not self._strokes

    @Slot()
    def clear(self) -> None:
        self._strokes.clear()
        self._image.fill(0)
        self.update()
        self.changed.emit()

    @Slot()
    def undo(self) -> None:
        if self._strokes:
            self._strokes.pop()
            self._redraw_all()
            self.changed.emit()

    def to_array(self) -> np.ndarray:
        """The drawing as uint8 (H, W), 0 = background, 255 = ink."""
        return images.to_array(self._image)

    def add_stroke(self, points: list[tuple[float, float]]) -> None:
        """Draw a stroke given in canvas pixels (for tests and scripted demos)."""
        self._start_stroke([QPointF(x, y) for x, y in points])

    def _start_stroke(self, points: list[QPointF]) -> None:
        self._strokes.append((self.brush, points))
        self._draw_stroke(*self._strokes[-1])
        self.update()
        self.changed.emit()

    # ------------------------------------------------------------ drawing

    def _to_canvas(self, pos: QPointF) -> QPointF:
        left, top, scale = self._geometry()
        return QPointF((pos.x() - left) / scale, (pos.y() - top) / scale)

    def _geometry(self) -> tuple[float, float, float]:
        """(left, top, widget pixels per canvas pixel) of the square drawing area."""
        side = min(self.width(), self.height())
        return (self.width() - side) / 2, (self.height() - side) / 2, side / CANVAS_PIXELS

    def to_widget(self, x: float, y: float) -> QPointF:
        """Widget coordinates of a canvas pixel (the inverse of where a mouse event draws)."""
        left, top, scale = self._geometry()
        return QPointF(left + x * scale, top + y * scale)

    def _update_points(self, width: int, points: list[QPointF]) -> None:
        """Repaint only the widget area these canvas points (with the brush) cover: a whole
        canvas repaint per mouse move costs more than the model call."""
        margin = width / 2 + 2
        xs = [p.x() for p in points]
        ys = [p.y() for p in points]
        rect = QRectF(self.to_widget(min(xs) - margin, min(ys) - margin),
                      self.to_widget(max(xs) + margin, max(ys) + margin))
        self.update(rect.toAlignedRect().adjusted(-1, -1, 1, 1))

    def _draw_stroke(self, width: int, points: list[QPointF], from_index: int = 0) -> None:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        if len(points) == 1:
            painter.drawPoint(points[0])
        for a, b in zip(points[max(from_index - 1, 0):], points[max(from_index, 1):]):
            painter.drawLine(a, b)
        painter.end()

    def _redraw_all(self) -> None:
        self._image.fill(0)
        for width, points in self._strokes:
            self._draw_stroke(width, points)
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.LeftButton:
            self._start_stroke([self._to_canvas(event.position())])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.buttons() & Qt.LeftButton and self._strokes:
            width, points = self._strokes[-1]
            points.append(self._to_canvas(event.position()))
            self._draw_stroke(width, points, from_index=len(points) - 1)
            self._update_points(width, points[-2:])
            self.changed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(40, 40, 40))
        left, top, scale = self._geometry()
        painter.drawImage(QRectF(left, top, CANVAS_PIXELS * scale, CANVAS_PIXELS * scale), self._image)
        painter.end()
