"""A paged grid of small labelled images (test samples, mistakes, a confusion cell's images),
painted by Qt in one pass.

A matplotlib figure of 24 image axes cost over a second to build and draw (measured: the
window froze 1.0–2.8 s when a run's results appeared); this widget turns the images into
pixmaps once per page and paints them in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Slot
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetricsF, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from digitapp.gui import images
from digitapp.gui.stable_label import StableLabel

WRONG = QColor("#d62728")
RIGHT = QColor("#2ca02c")
CAPTION_SCALE = 0.85  # caption font relative to the widget's
MIN_CAPTION_PX = 7  # captions shrink to fit narrow cells down to this size, then are cut short
GAP = 6  # pixels between cells


class ImageMosaic(QWidget):
    """One page of images, each under its caption (green when right, red and framed when
    wrong); cells keep their size from page to page."""

    def __init__(self, columns: int, page_size: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = columns
        self.rows = -(-page_size // columns)
        self._cells: list[tuple[QPixmap, str, bool]] = []
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setBackgroundRole(QPalette.Base)
        self.setAutoFillBackground(True)

    def set_cells(self, items: list[tuple[np.ndarray, str, bool | None]]) -> None:
        """``items``: (uint8 image, caption, is_correct) for this page; None: neither (plain
        text, no frame: samples of a dataset)."""
        self._cells = [(QPixmap.fromImage(images.to_qimage(image)), text, correct) for image, text, correct in items]
        self.update()

    def captions(self) -> list[str]:
        """The captions on this page, in reading order."""
        return [text for _, text, _ in self._cells]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.columns * 80, self.rows * 90)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.columns * 28, self.rows * 36)

    def _caption_font(self, width: float) -> QFont:
        """The captions' font: smaller when the widest caption line would not fit a cell."""
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * CAPTION_SCALE)
        lines = [line for _, text, _ in self._cells for line in text.splitlines()]
        widest = max((QFontMetricsF(font).horizontalAdvance(line) for line in lines), default=0.0)
        if widest > width:
            font.setPixelSize(max(int(QFontInfo(font).pixelSize() * width / widest), MIN_CAPTION_PX))
        return font

    def cell_rect(self, index: int) -> QRectF:
        """Where the ``index``-th image of the page goes (for tests and clicks)."""
        width, height = self.width() / self.columns, self.height() / self.rows
        row, column = divmod(index, self.columns)
        return QRectF(column * width, row * height, width, height)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        if not self._cells:
            painter.setPen(self.palette().color(QPalette.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignCenter, "Nothing to show")
            painter.end()
            return
        painter.setFont(self._caption_font(self.cell_rect(0).width() - GAP))
        metrics = painter.fontMetrics()
        line = metrics.lineSpacing()
        for index, (pixmap, text, correct) in enumerate(self._cells):
            cell = self.cell_rect(index).adjusted(GAP / 2, GAP / 2, -GAP / 2, -GAP / 2)
            lines = [metrics.elidedText(part, Qt.ElideRight, int(cell.width())) for part in text.splitlines()]
            caption = QRectF(cell.left(), cell.top(), cell.width(), min(len(lines) * line, cell.height()))
            painter.setPen(self.palette().color(QPalette.Text) if correct is None else RIGHT if correct else WRONG)
            painter.drawText(caption, Qt.AlignHCenter | Qt.AlignTop, "\n".join(lines))
            side = max(min(cell.width(), cell.height() - caption.height() - 2), 4)
            target = QRectF(cell.center().x() - side / 2, caption.bottom() + 2, side, side)
            painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))  # nearest neighbour: sharp pixels
            if correct is False:
                painter.setPen(QPen(WRONG, 2))
                painter.drawRect(target.adjusted(-1, -1, 1, 1))
        painter.end()


class ImageGrid(QWidget):
    """An :class:`ImageMosaic` with a caption and Previous/Next buttons under it."""

    def __init__(self, columns: int, page_size: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.page_size = page_size
        self.mosaic = ImageMosaic(columns, page_size)
        # Cut short (whole in its tooltip) rather than widen the window; no relayout per page.
        self.caption = StableLabel()
        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.prev_button.clicked.connect(self._on_previous_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        bar = QHBoxLayout()
        bar.addWidget(self.caption, 1)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mosaic, 1)
        layout.addLayout(bar)
        self._items: Sequence[tuple[np.ndarray, str, bool]] = []
        self._page = 0
        self._title = ""
        self._show_page()

    def set_items(self, items: Sequence[tuple[np.ndarray, str, bool]], title: str = "") -> None:
        """``items``: (uint8 image, caption, is_correct), a list or any sequence that makes
        them when sliced (only a page's worth is taken at a time); shows the first page."""
        self._items = items
        self._title = title
        self._page = 0
        self._show_page()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self._items) // self.page_size))

    def captions(self) -> list[str]:
        """The captions on the page shown."""
        return self.mosaic.captions()

    @Slot()
    def _on_previous_clicked(self) -> None:
        self._turn(-1)

    @Slot()
    def _on_next_clicked(self) -> None:
        self._turn(1)

    def _turn(self, step: int) -> None:
        self._page = min(max(self._page + step, 0), self.pages - 1)
        self._show_page()

    def _show_page(self) -> None:
        start = self._page * self.page_size
        self.mosaic.set_cells(self._items[start : start + self.page_size])
        text = (f"{self._title} — page {self._page + 1} of {self.pages} ({len(self._items)} images)"
                if self._items else self._title)
        self.caption.setText(text)
        self.prev_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page < self.pages - 1)
