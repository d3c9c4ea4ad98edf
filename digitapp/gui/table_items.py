"""Table cells that show text but sort by a value of their own (a percentage by its number,
a class by its index), for sortable QTableWidgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem

SORT_ROLE = Qt.UserRole + 1


class SortedItem(QTableWidgetItem):
    """A cell showing ``text`` and sorting by ``key``; cells without a key sort by their
    text, after every cell that has one."""

    def __init__(self, text: str, key: float | None = None):
        super().__init__(text)
        self.setData(SORT_ROLE, key)

    def sort_key(self) -> tuple:
        key = self.data(SORT_ROLE)
        return (1, self.text()) if key is None else (0, key)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        theirs = other.sort_key() if isinstance(other, SortedItem) else (1, other.text())
        return self.sort_key() < theirs


def percent_item(value: float, decimals: int = 2) -> SortedItem:
    """A share on [0, 1] shown as a percentage (right-aligned), sorted by its number."""
    item = SortedItem(f"{value:.{decimals}%}", float(value))
    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return item


def number_item(value: int) -> SortedItem:
    """A count, right-aligned with thousands separators, sorted by its number."""
    item = SortedItem(f"{value:,}", int(value))
    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return item
