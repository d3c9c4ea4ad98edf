"""The results panel: paged image grids, the confusion matrix (clickable), per-class table
and the mistakes gallery, filled from a core ``Evaluation``."""

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent
from PySide6.QtCore import Qt

from digitapp.core.evaluation import evaluate_probabilities
from digitapp.gui.results import GALLERY_PAGE, ImageGrid, ResultsPanel

CLASSES = ["zero", "one", "two"]


@pytest.fixture
def test_set():
    """(evaluation, x_test, y_test) for 30 images of 3 classes, a few of them misread."""
    rng = np.random.default_rng(0)
    labels = np.arange(30) % 3
    predicted = labels.copy()
    predicted[[1, 4, 5]] = [2, 0, 0]  # one "one" read as "two", two read as "zero"
    probabilities = np.full((30, 3), 0.1)
    probabilities[np.arange(30), predicted] = 0.8
    probabilities[4, 0] = 0.9  # the most confident mistake
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    images = rng.integers(0, 256, (30, 8, 8, 1), dtype=np.uint8)
    return evaluate_probabilities(probabilities, labels), images, labels


def test_a_grid_pages_through_its_items(qtbot):
    grid = ImageGrid(columns=6, page_size=GALLERY_PAGE)
    qtbot.addWidget(grid)
    items = [(np.zeros((8, 8, 1), np.uint8), f"#{i}", i % 2 == 0) for i in range(30)]
    grid.set_items(items, "Examples")
    assert grid.pages == 2
    assert grid.caption.text() == "Examples — page 1 of 2 (30 images)"
    assert len(grid.figure.axes) == GALLERY_PAGE
    assert not grid.prev_button.isEnabled() and grid.next_button.isEnabled()
    qtbot.mouseClick(grid.next_button, Qt.LeftButton)
    assert grid.caption.text() == "Examples — page 2 of 2 (30 images)"
    assert [ax.get_title() for ax in grid.figure.axes] == [f"#{i}" for i in range(24, 30)]
    assert grid.prev_button.isEnabled() and not grid.next_button.isEnabled()
    grid.set_items([], "Nothing here")
    assert grid.caption.text() == "Nothing here" and grid.pages == 1
    assert grid.figure.texts[0].get_text() == "Nothing to show"


def test_results_fill_every_tab(qtbot, test_set):
    evaluation, images, labels = test_set
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    assert not panel.tabs.isEnabled()
    panel.show_results(evaluation, images, labels, CLASSES)
    assert panel.tabs.isEnabled()
    assert "Test accuracy <b>90.00%</b>" in panel.summary.text() and "3 mistakes" in panel.summary.text()
    assert panel.per_class.rowCount() == 3
    recall_of_one = next(panel.per_class.item(r, 2) for r in range(3) if panel.per_class.item(r, 0).text() == "one")
    assert recall_of_one.text() == "80.00%"  # two of its ten misread
    titles = [ax.get_title() for ax in panel.mistakes.figure.axes]
    assert titles[0] == "Pred zero (82%)\nTrue one"  # most confident mistake first
    assert len(titles) == 3


def test_clicking_a_confusion_cell_shows_those_images(qtbot, test_set):
    evaluation, images, labels = test_set
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.show_results(evaluation, images, labels, CLASSES)
    view = panel.confusion
    view.canvas.draw()
    ax = view.figure.axes[0]
    x, y = ax.transData.transform((0, 2))  # column: predicted "zero", row: true "two"
    with qtbot.waitSignal(view.cell_clicked) as clicked:
        view.canvas.callbacks.process("button_press_event", MouseEvent("button_press_event", view.canvas, x, y, 1))
    assert clicked.args == [2, 0]
    assert len(panel.cell_images.figure.axes) == evaluation.confusion[2, 0] == 1
    assert panel.cell_images.caption.text().startswith("True two, predicted zero")
