"""The confusion matrix: square cells as large as the widget allows, numbers that fit
their cells (counts, else percentages of the true class, else none), hover and click."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetricsF

from digitapp.gui.confusion import COUNTS, NOTHING, PERCENT, ConfusionMatrixView

DIGITS = [str(d) for d in range(10)]


def _mnist_like() -> np.ndarray:
    """Counts like a good MNIST model's on the 10,000 test images: four digits on the diagonal."""
    confusion = np.diag([975, 1132, 1020, 1001, 970, 880, 945, 1015, 960, 990])
    confusion[4, 9] = 12
    confusion[7, 2] = 9
    return confusion


@pytest.fixture
def view(qtbot):
    widget = ConfusionMatrixView()
    qtbot.addWidget(widget)
    widget.set_matrix(_mnist_like(), DIGITS)
    widget.show()
    return widget


def _every_number_fits(view) -> None:
    font = view.number_font()
    metrics = QFontMetricsF(font)
    cell = view.cell_rect(0, 0)
    for true in range(10):
        for predicted in range(10):
            assert metrics.horizontalAdvance(view.number_text(true, predicted)) <= cell.width() - 4
            assert metrics.height() <= cell.height()


def test_four_digit_counts_fit_their_cells(view):
    view.resize(520, 440)
    assert view.numbers_shown() == COUNTS
    assert view.number_text(1, 1) == "1132" and view.number_text(4, 9) == "12" and view.number_text(0, 1) == ""
    assert view.number_font().pixelSize() >= 8
    _every_number_fits(view)


def test_a_small_matrix_shows_percentages_that_fit(view):
    view.resize(300, 260)
    assert view.cell_rect(0, 0).width() >= 18  # still big enough to click
    assert view.numbers_shown() == PERCENT
    assert view.number_text(1, 1) == "100" and view.number_text(4, 9) == "1"
    _every_number_fits(view)


def test_dozens_of_classes_show_no_numbers_but_say_them_on_hover(qtbot):
    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    names = [f"class {i}" for i in range(43)]
    view.set_matrix(np.eye(43, dtype=int) * 1500, names)
    view.resize(400, 400)
    assert view.numbers_shown() == NOTHING and view.number_font() is None
    assert view.cell_text(5, 5) == "True class 5, predicted class 5: 1,500 images (100.0% of the 1,500 true class 5)"


def test_cells_are_square_and_a_click_selects_one(qtbot, view):
    view.resize(600, 400)
    cell = view.cell_rect(3, 7)
    assert cell.width() == cell.height()
    assert view.cell_at(QPointF(cell.center())) == (3, 7)
    assert view.cell_at(QPointF(1, 1)) is None  # the labels, not a cell
    with qtbot.waitSignal(view.cell_clicked) as clicked:
        qtbot.mouseClick(view, Qt.LeftButton, pos=cell.center().toPoint())
    assert clicked.args == [3, 7] and view.selected_cell == (3, 7)
    assert view.cell_rect(3, 7) == cell
    assert view.cell_text(4, 9) == "True 4, predicted 9: 12 images (1.2% of the 982 true 4)"


def test_clear_leaves_nothing_to_click(qtbot, view):
    view.clear()
    assert view.size_classes == 0
    with qtbot.assertNotEmitted(view.cell_clicked):
        qtbot.mouseClick(view, Qt.LeftButton, pos=view.rect().center())
