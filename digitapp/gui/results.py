"""After training: test accuracy, sample predictions, confusion matrix, per-class
precision/recall and a gallery of the most confident mistakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QTableWidget, QTabWidget, QVBoxLayout, QWidget

from digitapp.core.formatting import rejection_text
from digitapp.gui.confusion import ConfusionMatrixView
from digitapp.gui.image_grid import ImageGrid
from digitapp.gui.stable_label import StableLabel
from digitapp.gui.table_items import SortedItem, number_item, percent_item

SAMPLE_COUNT = 16
GALLERY_PAGE = 24
SUMMARY_SCALE = 1.3  # the summary line's font, relative to the window's
PER_CLASS_COLUMNS = ("class", "precision", "recall", "test images")
CELL_HINT = "Click a cell of the matrix to see its images (hover: its count)"


class ResultsPanel(QWidget):
    """Everything about a trained model's test performance, in tabs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # A label that never re-lays out the window: it changes when a run starts and ends.
        self.summary = StableLabel("Train a model or open one to see its results here.")
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * SUMMARY_SCALE)
        self.summary.setFont(font)
        self.tabs = QTabWidget()
        self.samples = ImageGrid(columns=8, page_size=SAMPLE_COUNT)
        self.confusion = ConfusionMatrixView()
        self.cell_images = ImageGrid(columns=6, page_size=GALLERY_PAGE)
        self.per_class = QTableWidget(0, len(PER_CLASS_COLUMNS))
        self.per_class.setHorizontalHeaderLabels(PER_CLASS_COLUMNS)
        self.per_class.setEditTriggers(QTableWidget.NoEditTriggers)
        self.per_class.verticalHeader().setVisible(False)  # the class column names each row
        self.per_class.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.per_class.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.per_class.setSortingEnabled(True)
        self.mistakes = ImageGrid(columns=8, page_size=GALLERY_PAGE)
        confusion_page = QWidget()
        row = QHBoxLayout(confusion_page)
        row.setContentsMargins(0, 0, 0, 0)
        # Fixed shares whatever either side shows (the matrix keeps its size when a cell is
        # chosen); the matrix gets more: with "not a digit" it has 11 columns to fit.
        row.addWidget(self.confusion, 3)
        row.addWidget(self.cell_images, 2)
        self.tabs.addTab(self.samples, "Samples")
        self.tabs.addTab(confusion_page, "Confusion matrix")
        self.tabs.addTab(self.per_class, "Per class")
        self.tabs.addTab(self.mistakes, "Mistakes")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.confusion.cell_clicked.connect(self._on_cell_clicked)
        self._data = None
        self.tabs.setEnabled(False)

    def clear(self, message: str) -> None:
        """No results to show (a run in progress, a model not evaluated on this data): say
        why instead of leaving another model's numbers on screen."""
        self._data = None
        self.summary.setText(message)
        self.samples.set_items([], "")
        self.mistakes.set_items([], "")
        self.cell_images.set_items([], "")
        self.confusion.clear()  # no cells: clicks find none
        self.per_class.clearContents()
        self.per_class.setRowCount(0)
        self.tabs.setEnabled(False)

    def show_results(self, evaluation, x_test: np.ndarray, y_test: np.ndarray, class_names: list[str],
                     seed: int = 0) -> None:
        """Fill every tab from a core ``Evaluation`` and the test images it was computed on."""
        self._data = (evaluation, x_test, y_test, class_names)
        self.tabs.setEnabled(True)
        rejection = rejection_text(evaluation)
        extra = f" + {evaluation.non_digits:,} non-digits" if evaluation.non_digits else ""
        self.summary.setText(
            f"Test accuracy <b>{evaluation.accuracy:.2%}</b> · test loss {evaluation.loss:.4f} · "
            f"{evaluation.real:,} test images{extra} · {len(evaluation.misclassified):,} mistakes"
            + (f" · {rejection}" if rejection else "")
        )
        picks = np.random.default_rng(seed).choice(len(y_test), size=min(SAMPLE_COUNT, len(y_test)), replace=False)
        self.samples.set_items(_Items(picks, self._item), "Random test images: predicted / true")
        self.confusion.set_matrix(evaluation.confusion, class_names)
        self.cell_images.set_items([], CELL_HINT)
        self._fill_per_class(evaluation, class_names)
        self.mistakes.set_items(_Items(evaluation.misclassified, self._item), "Most confident mistakes first")

    def _fill_per_class(self, evaluation, class_names: list[str]) -> None:
        """One row per class, in class order (sortable by any column)."""
        support = evaluation.confusion.sum(axis=1)
        self.per_class.setSortingEnabled(False)
        # Start from an empty table: replacing items of a sorted table in place crashed
        # PySide6 6.12 natively when results were shown a second time.
        self.per_class.clearContents()
        self.per_class.setRowCount(0)
        self.per_class.setRowCount(len(class_names))
        for r, name in enumerate(class_names):
            self.per_class.setItem(r, 0, SortedItem(name, r))
            self.per_class.setItem(r, 1, percent_item(evaluation.precision[r]))
            self.per_class.setItem(r, 2, percent_item(evaluation.recall[r]))
            self.per_class.setItem(r, 3, number_item(int(support[r])))
        self.per_class.setSortingEnabled(True)
        self.per_class.sortItems(0, Qt.AscendingOrder)

    def _item(self, index: int) -> tuple[np.ndarray, str, bool]:
        evaluation, x_test, y_test, names = self._data
        predicted = int(evaluation.predicted[index])
        true = int(y_test[index])
        text = f"Pred {names[predicted]} ({evaluation.confidence[index]:.0%})\nTrue {names[true]}"
        return x_test[index], text, predicted == true

    @Slot(int, int)
    def _on_cell_clicked(self, true: int, predicted: int) -> None:
        if self._data is None:
            return
        evaluation, _, y_test, names = self._data
        indices = np.flatnonzero((y_test == true) & (evaluation.predicted == predicted))
        indices = indices[np.argsort(-evaluation.confidence[indices], kind="stable")]
        self.cell_images.set_items(_Items(indices, self._item), f"True {names[true]}, predicted {names[predicted]}")


class _Items(Sequence):
    """A grid's items, each made when its page is shown: a poor model makes thousands of
    mistakes, and making them all took the window 20–30 ms when a run ended."""

    def __init__(self, indices, make: Callable[[int], tuple]):
        self._indices = np.asarray(indices)
        self._make = make

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, where):
        if isinstance(where, slice):
            return [self._make(int(i)) for i in self._indices[where]]
        return self._make(int(self._indices[where]))
