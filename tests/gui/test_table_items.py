"""Table cells that sort by their value: percentages by number, classes by index."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget

from digitapp.gui.table_items import SortedItem, number_item, percent_item


def test_cells_sort_by_their_value_not_their_text(qtbot):
    table = QTableWidget(4, 3)
    qtbot.addWidget(table)
    rows = [("ten", 10, 0.999), ("two", 2, 0.05), ("one", 1, 1.0), ("eleven", 11, 0.5)]
    for r, (name, count, share) in enumerate(rows):
        table.setItem(r, 0, SortedItem(name, r))
        table.setItem(r, 1, number_item(count * 1000))
        table.setItem(r, 2, percent_item(share))
    table.setSortingEnabled(True)
    table.sortItems(1, Qt.AscendingOrder)
    assert [table.item(r, 1).text() for r in range(4)] == ["1,000", "2,000", "10,000", "11,000"]
    table.sortItems(2, Qt.AscendingOrder)
    assert [table.item(r, 2).text() for r in range(4)] == ["5.00%", "50.00%", "99.90%", "100.00%"]
    table.sortItems(0, Qt.AscendingOrder)
    assert [table.item(r, 0).text() for r in range(4)] == ["ten", "two", "one", "eleven"]


def test_cells_without_a_value_sort_after_those_with_one():
    blank, value = SortedItem(""), percent_item(0.5)
    assert value < blank and not blank < value
    assert SortedItem("a") < SortedItem("b")
