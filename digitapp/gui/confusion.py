"""The confusion matrix as a clickable heat map, painted by Qt.

Cells are square and as large as the widget allows. Each cell shows its count in the
largest font that fits the widest count; where four-digit counts cannot fit (a small
window), the cells show the share of their true class in percent instead (at most three
digits), and where even that cannot fit (dozens of classes), nothing. Hovering a cell
always names its count and share. Painting takes a few milliseconds, where the matplotlib
figure took ~100 ms per draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QFileDialog, QMessageBox, QSizePolicy, QToolTip, QWidget

from digitapp.core.config import rejects

# Matplotlib's "Blues", sampled: the colour ramp users know from the classic scripts' plots.
BLUES = np.array([(247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214),
                  (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107)], dtype=float)
MAX_NUMBER_PX = 14  # the numbers' font never grows past this (pixels)
MIN_NUMBER_PX = 8  # smaller is hard to read: a shorter number, or none, is shown instead
COUNTS, PERCENT, NOTHING = "counts", "percent", "nothing"  # what the cells say
MIN_CELL = 18  # pixels: a cell smaller than this is hard to click (when few classes)
PAD = 6
VPAD = 3  # vertical gaps are smaller: the matrix is usually short of height, not width
REJECT_MARK = "✗"  # how the "not a digit" class is labelled


def shade(level: float) -> QColor:
    """The heat-map colour of ``level`` on [0, 1]."""
    position = min(max(level, 0.0), 1.0) * (len(BLUES) - 1)
    low = int(position)
    high = min(low + 1, len(BLUES) - 1)
    rgb = BLUES[low] + (BLUES[high] - BLUES[low]) * (position - low)
    return QColor(*(int(round(c)) for c in rgb))


@dataclass
class _Geometry:
    shift: float  # how far the whole matrix (labels included) is moved right to centre it
    left: float  # where the cells start
    top: float
    cell: float  # side of a cell, pixels
    rotated: bool  # column names written upwards (they are wider than a cell)
    numbers: str  # COUNTS, PERCENT or NOTHING
    number_px: int  # the numbers' font size in pixels


class ConfusionMatrixView(QWidget):
    """True classes down, predicted classes across; clicking a cell selects it.

    Signals:
        cell_clicked(int, int): true class, predicted class of the clicked cell.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._confusion = np.zeros((0, 0), dtype=np.int64)
        self._names: list[str] = []
        self._labels: list[str] = []  # the names as written beside the rows and above the columns
        self._levels = np.zeros((0, 0))
        self._selected: tuple[int, int] | None = None
        self._hovered: tuple[int, int] | None = None
        self._geometry: _Geometry | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setBackgroundRole(QPalette.Base)
        self.setAutoFillBackground(True)
        self.setContextMenuPolicy(Qt.ActionsContextMenu)
        copy = QAction("Copy image", self)
        copy.triggered.connect(self._on_copy_image)
        save = QAction("Save image as…", self)
        save.triggered.connect(self._on_save_image)
        self.addAction(copy)
        self.addAction(save)

    # ------------------------------------------------------------ data

    def set_matrix(self, confusion: np.ndarray, class_names: list[str]) -> None:
        self._confusion = np.asarray(confusion, dtype=np.int64)
        self._names = list(class_names)
        # "not a digit" would widen every row and column label: it is written as a mark, and
        # the title says what the mark means (hovering a cell says it in full).
        self._labels = [REJECT_MARK if i == len(self._names) - 1 and rejects(self._names) else name
                        for i, name in enumerate(self._names)]
        # Log scale, so the few mistakes are visible next to thousands of hits.
        peak = np.log1p(self._confusion.max()) if self._confusion.size else 0.0
        self._levels = np.log1p(self._confusion) / peak if peak > 0 else np.zeros(self._confusion.shape)
        self._selected = self._hovered = None
        self._geometry = None
        self.update()

    def clear(self) -> None:
        """No matrix: nothing to click."""
        self.set_matrix(np.zeros((0, 0), dtype=np.int64), [])

    @property
    def size_classes(self) -> int:
        return len(self._names)

    @property
    def selected_cell(self) -> tuple[int, int] | None:
        """(true, predicted) of the selected cell, or None."""
        return self._selected

    # ------------------------------------------------------------ geometry

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(420, 360)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        cells = min(max(self.size_classes, 1), 12) * MIN_CELL
        return QSize(cells + 70, cells + 50)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._geometry = None
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.FontChange:
            self._geometry = None
        super().changeEvent(event)

    def geometry_of_cells(self) -> _Geometry:
        """Where the cells are and how the counts are written, for the current size."""
        if self._geometry is None:
            self._geometry = self._compute_geometry()
        return self._geometry

    def _compute_geometry(self) -> _Geometry:
        n = max(self.size_classes, 1)
        metrics = QFontMetricsF(self.font())
        line = metrics.lineSpacing()
        name_width = max((metrics.horizontalAdvance(name) for name in self._labels), default=0.0)
        left = PAD + line + PAD + name_width + PAD  # "true", the class names, a gap

        def cell_for(header: float) -> float:
            top = VPAD + line + VPAD + header + VPAD  # "predicted", the class names, a gap
            return max(min((self.width() - left - PAD) / n, (self.height() - top - VPAD) / n), 1.0)

        rotated = False
        cell = cell_for(line)
        if name_width > cell - 2:  # column names wider than a cell: write them upwards
            rotated = True
            cell = cell_for(name_width)
        top = VPAD + line + VPAD + (name_width if rotated else line) + VPAD
        # Centre the matrix, its labels included, in the width left.
        shift = max((self.width() - left - PAD - n * cell) / 2, 0)
        numbers, px = self._numbers_that_fit(cell)
        return _Geometry(shift, left + shift, top, cell, rotated, numbers, px)

    def _numbers_that_fit(self, cell: float) -> tuple[str, int]:
        """Counts if the widest fits a cell in a readable font, else percentages, else none."""
        widest = str(int(self._confusion.max())) if self._confusion.size else "0"
        font = QFont(self.font())
        for numbers, text in ((COUNTS, widest), (PERCENT, "100")):
            for px in range(min(MAX_NUMBER_PX, int(cell * 0.5)), MIN_NUMBER_PX - 1, -1):
                font.setPixelSize(px)
                if QFontMetricsF(font).horizontalAdvance(text) <= cell - 4:
                    return numbers, px
        return NOTHING, 0

    def numbers_shown(self) -> str:
        """What the cells say at this size: COUNTS, PERCENT (of each true class) or NOTHING."""
        return self.geometry_of_cells().numbers

    def number_font(self) -> QFont | None:
        """The font the cells' numbers are written in, or None when they show none."""
        g = self.geometry_of_cells()
        if g.numbers == NOTHING:
            return None
        font = QFont(self.font())
        font.setPixelSize(g.number_px)
        return font

    def number_text(self, true: int, predicted: int) -> str:
        """What a cell says ("" for an empty cell, or when the cells show no numbers)."""
        count = int(self._confusion[true, predicted])
        numbers = self.numbers_shown()
        if not count or numbers == NOTHING:
            return ""
        if numbers == COUNTS:
            return str(count)
        share = 100 * count / self._confusion[true].sum()
        return "" if share < 0.5 else str(round(share))  # a stray mistake: its colour, and its count on hover

    def cell_rect(self, true: int, predicted: int) -> QRectF:
        g = self.geometry_of_cells()
        return QRectF(g.left + predicted * g.cell, g.top + true * g.cell, g.cell, g.cell)

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        """(true, predicted) of the cell under ``pos``, or None."""
        g = self.geometry_of_cells()
        if not self.size_classes or pos.x() < g.left or pos.y() < g.top:
            return None
        column, row = int((pos.x() - g.left) // g.cell), int((pos.y() - g.top) // g.cell)
        if row < self.size_classes and column < self.size_classes:
            return row, column
        return None

    def cell_text(self, true: int, predicted: int) -> str:
        """What hovering a cell says: its count and the share of its true class."""
        count = int(self._confusion[true, predicted])
        total = int(self._confusion[true].sum())
        share = f" ({count / total:.1%} of the {total:,} true {self._names[true]})" if total else ""
        return f"True {self._names[true]}, predicted {self._names[predicted]}: {count:,} images{share}"

    # ------------------------------------------------------------ painting

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        palette = self.palette()
        if not self.size_classes:
            painter.setPen(palette.color(QPalette.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignCenter, "No results yet")
            painter.end()
            return
        g = self.geometry_of_cells()
        n = self.size_classes
        text_color = palette.color(QPalette.Text)
        self._paint_labels(painter, g, text_color)
        number_font = self.number_font()
        if number_font is not None:
            painter.setFont(number_font)
        for true in range(n):
            for predicted in range(n):
                rect = self.cell_rect(true, predicted)
                level = float(self._levels[true, predicted])
                painter.fillRect(rect, shade(level))
                text = self.number_text(true, predicted)
                if text:
                    painter.setPen(Qt.white if level > 0.6 else Qt.black)
                    painter.drawText(rect, Qt.AlignCenter, text)
        for cell, color, width in ((self._hovered, palette.color(QPalette.Mid), 1),
                                   (self._selected, QColor("#ff7f0e"), 3)):
            if cell is not None:
                painter.setPen(QPen(color, width))
                painter.setBrush(Qt.NoBrush)
                painter.drawRect(self.cell_rect(*cell).adjusted(width / 2, width / 2, -width / 2, -width / 2))
        painter.end()

    def _paint_labels(self, painter: QPainter, g: _Geometry, color: QColor) -> None:
        n = self.size_classes
        painter.setPen(color)
        painter.setFont(self.font())
        line = painter.fontMetrics().lineSpacing()
        span = n * g.cell
        title = "predicted · numbers: % of each true class" if g.numbers == PERCENT else "predicted"
        if REJECT_MARK in self._labels:
            title += f" · {REJECT_MARK} = {self._names[-1]}"
        if painter.fontMetrics().horizontalAdvance(title) <= span:
            painter.drawText(QRectF(g.left, VPAD, span, line), Qt.AlignCenter, title)
        else:  # wider than the cells: from their left edge on
            painter.drawText(QRectF(g.left, VPAD, self.width() - g.left, line), Qt.AlignLeft | Qt.AlignVCenter, title)
        painter.save()
        painter.translate(g.shift + PAD, g.top + span / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-span / 2, 0, span, line), Qt.AlignCenter, "true")
        painter.restore()
        header_bottom = g.top - VPAD
        for i, name in enumerate(self._labels):
            painter.drawText(QRectF(g.shift, g.top + i * g.cell, g.left - PAD - g.shift, g.cell),
                             Qt.AlignRight | Qt.AlignVCenter, name)
            x = g.left + i * g.cell
            if g.rotated:
                painter.save()
                painter.translate(x + g.cell / 2, header_bottom)
                painter.rotate(-90)
                painter.drawText(QRectF(0, -line / 2, header_bottom, line), Qt.AlignLeft | Qt.AlignVCenter, name)
                painter.restore()
            else:
                painter.drawText(QRectF(x, header_bottom - line, g.cell, line), Qt.AlignCenter, name)

    # ------------------------------------------------------------ mouse

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        cell = self.cell_at(event.position()) if event.button() == Qt.LeftButton else None
        if cell is None:
            super().mousePressEvent(event)
            return
        self._selected = cell
        self.update()
        self.cell_clicked.emit(*cell)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        cell = self.cell_at(event.position())
        if cell != self._hovered:
            self._hovered = cell
            self.update()

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._hovered is not None:
            self._hovered = None
            self.update()

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            cell = self.cell_at(QPointF(event.pos()))
            if cell is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.cell_text(*cell), self)
            return True
        return super().event(event)

    @Slot()
    def _on_copy_image(self) -> None:
        QGuiApplication.clipboard().setPixmap(self.grab())

    @Slot()
    def _on_save_image(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save confusion matrix", "confusion-matrix.png", "PNG (*.png)")
        if path and not self.grab().save(path):
            QMessageBox.warning(self, "Image not saved", f"Could not write {path}.")
