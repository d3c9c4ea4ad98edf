"""The results panel: sample grid, clickable confusion matrix, per-class table and the
mistakes gallery, filled from a core ``Evaluation``; cleared when there is nothing to show."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from digitapp.core.evaluation import evaluate_probabilities
from digitapp.gui.results import ResultsPanel

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


@pytest.fixture
def panel(qtbot):
    widget = ResultsPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    return widget


def test_results_fill_every_tab(panel, test_set):
    evaluation, images, labels = test_set
    assert not panel.tabs.isEnabled()
    panel.show_results(evaluation, images, labels, CLASSES)
    assert panel.tabs.isEnabled()
    assert "Test accuracy <b>90.00%</b>" in panel.summary.text() and "3 mistakes" in panel.summary.text()
    assert len(panel.samples.captions()) == 16
    captions = panel.mistakes.captions()
    assert captions[0] == "Pred zero (82%)\nTrue one"  # most confident mistake first
    assert len(captions) == 3


def test_the_per_class_table_starts_with_the_first_class_and_sorts_by_numbers(panel, test_set):
    evaluation, images, labels = test_set
    panel.show_results(evaluation, images, labels, CLASSES)
    table = panel.per_class
    assert not table.verticalHeader().isVisible()  # no redundant row numbers
    assert [table.item(r, 0).text() for r in range(3)] == CLASSES  # class order, the first on top
    assert table.item(1, 2).text() == "80.00%"  # recall of "one": two of its ten misread
    table.sortItems(1, Qt.AscendingOrder)  # precision: by the number, not the text
    precisions = [float(table.item(r, 1).text().rstrip("%")) for r in range(3)]
    assert precisions == sorted(precisions)
    table.sortItems(0, Qt.DescendingOrder)
    assert [table.item(r, 0).text() for r in range(3)] == CLASSES[::-1]  # by class, not by name


def test_clicking_a_confusion_cell_shows_those_images(qtbot, panel, test_set):
    evaluation, images, labels = test_set
    panel.show_results(evaluation, images, labels, CLASSES)
    panel.tabs.setCurrentIndex(1)
    view = panel.confusion
    before = view.cell_rect(0, 0)
    center = view.cell_rect(2, 0).center().toPoint()  # row: true "two", column: predicted "zero"
    with qtbot.waitSignal(view.cell_clicked) as clicked:
        qtbot.mouseClick(view, Qt.LeftButton, pos=center)
    assert clicked.args == [2, 0]
    assert view.selected_cell == (2, 0)
    assert panel.cell_images.captions() == ["Pred zero (80%)\nTrue two"]
    assert panel.cell_images.caption.text().startswith("True two, predicted zero")
    assert view.cell_rect(0, 0) == before  # the matrix keeps its size once a cell is chosen


def test_clear_leaves_no_numbers_of_another_model(panel, test_set):
    evaluation, images, labels = test_set
    panel.show_results(evaluation, images, labels, CLASSES)
    panel.clear("Training… the results appear when the run ends.")
    assert panel.summary.text() == "Training… the results appear when the run ends."
    assert not panel.tabs.isEnabled() and panel.per_class.rowCount() == 0
    assert panel.samples.captions() == [] and panel.confusion.size_classes == 0
