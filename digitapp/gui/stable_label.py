"""A label whose text can change many times a second without re-laying out the window.

A QLabel whose size is not fixed asks its layout to recompute on every ``setText``, and the
window's relayout cost 20–35 ms per update (measured). This one takes a fixed height (its
number of lines) and whatever width the layout gives it; the text is wrapped to those lines,
and text that does not fit is elided, with the whole text in the tooltip.
"""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QTextDocumentFragment
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MARGIN = 2  # pixels above and below the lines


class StableLabel(QWidget):
    """Shows ``text`` (plain or rich) on up to ``lines`` lines at a fixed height."""

    def __init__(self, text: str = "", lines: int = 1, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self._lines = lines
        self._label = QLabel(self)
        self._label.setWordWrap(lines > 1)
        self._label.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self._label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self._fit_height()
        self.setText(text)

    def text(self) -> str:
        """The whole text, as set (also when the label shows it elided)."""
        return self._text

    def shown_text(self) -> str:
        """The text as shown (elided when it did not fit)."""
        return self._label.text()

    def is_elided(self) -> bool:
        return self._label.text() != self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, as callers expect
        self._text = text
        self._show()

    def setAlignment(self, alignment) -> None:  # noqa: N802 - QLabel's name
        self._label.setAlignment(alignment)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(200, self.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(40, self.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # A fixed-size child: its setText never asks any layout to recompute.
        self._label.setFixedSize(self.size())
        self._show()
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.FontChange:
            self._fit_height()
            self._show()
        super().changeEvent(event)

    def _fit_height(self) -> None:
        self.setFixedHeight(QFontMetrics(self.font()).lineSpacing() * self._lines + 2 * MARGIN)
        self._label.setFixedSize(self.width(), self.height())

    def _show(self) -> None:
        text = self._text
        metrics = QFontMetrics(self.font())
        rich = QtGui.Qt.mightBeRichText(text)
        plain = QTextDocumentFragment.fromHtml(text).toPlainText() if rich else text
        width = max(self.width(), 1)
        fits = self._fits(metrics, plain, width)
        if not fits:
            # Rich text is elided as plain text: a line too long loses its bold, not its end
            # without a sign. Wrapped lines waste the end of each line: aim a little short.
            budget = width * self._lines - (metrics.averageCharWidth() * 4 if self._lines > 1 else 0)
            shown = metrics.elidedText(plain, Qt.ElideRight, max(budget, 1))
            while len(shown) > 1 and not self._fits(metrics, shown, width):
                shown = metrics.elidedText(plain, Qt.ElideRight, metrics.horizontalAdvance(shown) - 8)
            text = shown
        self._label.setText(text)
        self._label.setToolTip("" if fits else plain)

    def _fits(self, metrics: QFontMetrics, text: str, width: int) -> bool:
        if self._lines == 1:
            return metrics.horizontalAdvance(text) <= width
        flags = int(Qt.TextWordWrap)
        needed = metrics.boundingRect(QRect(0, 0, width, 10_000), flags, text).height()
        return needed <= metrics.lineSpacing() * self._lines
