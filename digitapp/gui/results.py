"""After training: test accuracy, sample predictions, confusion matrix, per-class
precision/recall and a gallery of the most confident mistakes."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
from matplotlib.figure import Figure
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

SAMPLE_COUNT = 16
GALLERY_PAGE = 24
WRONG = "#d62728"
RIGHT = "#2ca02c"


def _show_image(ax, image: np.ndarray) -> None:
    """Draw one uint8 (H, W, C) image without axes."""
    if image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    else:
        ax.imshow(image, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


class ImageGrid(QWidget):
    """A paged grid of labelled images (matplotlib figure with a toolbar)."""

    def __init__(self, columns: int, page_size: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = columns
        self.page_size = page_size
        self.figure = Figure(figsize=(6, 4), layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.caption = QLabel()
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
        layout.addWidget(NavigationToolbar2QT(self.canvas, self))
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bar)
        self._items: list[tuple[np.ndarray, str, bool]] = []
        self._page = 0
        self._title = ""

    def set_items(self, items: list[tuple[np.ndarray, str, bool]], title: str = "") -> None:
        """``items``: (uint8 image, label text, is_correct)."""
        self._items = items
        self._title = title
        self._page = 0
        self._draw()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self._items) // self.page_size))

    @Slot()
    def _on_previous_clicked(self) -> None:
        self._turn(-1)

    @Slot()
    def _on_next_clicked(self) -> None:
        self._turn(1)

    def _turn(self, step: int) -> None:
        self._page = min(max(self._page + step, 0), self.pages - 1)
        self._draw()

    def _draw(self) -> None:
        self.figure.clear()
        start = self._page * self.page_size
        shown = self._items[start : start + self.page_size]
        rows = max(1, -(-len(shown) // self.columns))
        for i, (image, text, correct) in enumerate(shown):
            ax = self.figure.add_subplot(rows, self.columns, i + 1)
            _show_image(ax, image)
            ax.set_title(text, fontsize=8, color=RIGHT if correct else WRONG)
            if not correct:
                for spine in ax.spines.values():
                    spine.set_edgecolor(WRONG)
                    spine.set_linewidth(2)
        if not shown:
            self.figure.text(0.5, 0.5, "Nothing to show", ha="center", va="center", color="gray")
        self.caption.setText(
            f"{self._title} — page {self._page + 1} of {self.pages} ({len(self._items)} images)"
            if self._items else self._title
        )
        self.prev_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page < self.pages - 1)
        self.canvas.draw_idle()


class ConfusionMatrixView(QWidget):
    """Heat map of the confusion matrix; clicking a cell emits its (true, predicted).

    Signals:
        cell_clicked(int, int): true class, predicted class.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.figure = Figure(figsize=(5, 5), layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(NavigationToolbar2QT(self.canvas, self))
        layout.addWidget(self.canvas, 1)
        hint = QLabel("Click a cell to see those test images.")
        hint.setStyleSheet("color: gray")
        layout.addWidget(hint)
        self.canvas.mpl_connect("button_press_event", self._on_click)
        self._size = 0

    def set_matrix(self, confusion: np.ndarray, class_names: list[str]) -> None:
        self.figure.clear()
        ax = self.figure.add_subplot()
        self._size = len(class_names)
        # Log scale so the few mistakes are visible next to thousands of hits.
        ax.imshow(np.log1p(confusion), cmap="Blues")
        ax.set_xticks(range(self._size), class_names, rotation=45 if self._size > 10 or
                      max(map(len, class_names)) > 2 else 0, ha="right" if max(map(len, class_names)) > 2 else "center")
        ax.set_yticks(range(self._size), class_names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        if self._size <= 20:
            threshold = np.log1p(confusion).max() / 2
            # Four-digit counts (1,135 test "1"s) need a smaller font to fit a cell.
            fontsize = 6 if confusion.max() >= 1000 else 7
            for (i, j), count in np.ndenumerate(confusion):
                if count:
                    ax.text(j, i, str(count), ha="center", va="center", fontsize=fontsize,
                            color="white" if np.log1p(count) > threshold else "black")
        self.canvas.draw_idle()

    def _on_click(self, event) -> None:
        if event.inaxes is None or event.xdata is None:
            return
        col, row = int(round(event.xdata)), int(round(event.ydata))
        if 0 <= row < self._size and 0 <= col < self._size:
            self.cell_clicked.emit(row, col)


class ResultsPanel(QWidget):
    """Everything about a trained model's test performance, in tabs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = QLabel("Train a model or open one to see its results here.")
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.summary.setFont(font)
        self.tabs = QTabWidget()
        self.samples = ImageGrid(columns=8, page_size=SAMPLE_COUNT)
        self.confusion = ConfusionMatrixView()
        self.cell_images = ImageGrid(columns=6, page_size=GALLERY_PAGE)
        self.per_class = QTableWidget(0, 4)
        self.per_class.setHorizontalHeaderLabels(["class", "precision", "recall", "test images"])
        self.per_class.setEditTriggers(QTableWidget.NoEditTriggers)
        self.per_class.setSortingEnabled(True)
        self.mistakes = ImageGrid(columns=8, page_size=GALLERY_PAGE)
        confusion_page = QWidget()
        row = QHBoxLayout(confusion_page)
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

    def show_results(self, evaluation, x_test: np.ndarray, y_test: np.ndarray, class_names: list[str],
                     seed: int = 0) -> None:
        """Fill every tab from a core ``Evaluation`` and the test images it was computed on."""
        self._data = (evaluation, x_test, y_test, class_names)
        self.tabs.setEnabled(True)
        self.summary.setText(
            f"Test accuracy <b>{evaluation.accuracy:.2%}</b> · test loss {evaluation.loss:.4f} · "
            f"{len(y_test):,} test images · {len(evaluation.misclassified):,} mistakes"
        )
        picks = np.random.default_rng(seed).choice(len(y_test), size=min(SAMPLE_COUNT, len(y_test)), replace=False)
        self.samples.set_items([self._item(i) for i in picks], "Random test images: predicted / true")
        self.confusion.set_matrix(evaluation.confusion, class_names)
        self.cell_images.set_items([], "Click a cell of the matrix")
        support = evaluation.confusion.sum(axis=1)
        self.per_class.setSortingEnabled(False)
        # Start from an empty table: replacing items of a sorted table in place crashed
        # PySide6 6.12 natively when results were shown a second time.
        self.per_class.clearContents()
        self.per_class.setRowCount(0)
        self.per_class.setRowCount(len(class_names))
        for r, name in enumerate(class_names):
            self.per_class.setItem(r, 0, QTableWidgetItem(name))
            for c, value in ((1, evaluation.precision[r]), (2, evaluation.recall[r])):
                item = QTableWidgetItem(f"{value:.2%}")
                item.setData(Qt.UserRole, float(value))
                self.per_class.setItem(r, c, item)
            count = QTableWidgetItem()
            count.setData(Qt.DisplayRole, int(support[r]))
            self.per_class.setItem(r, 3, count)
        self.per_class.setSortingEnabled(True)
        self.per_class.resizeColumnsToContents()
        self.mistakes.set_items([self._item(i) for i in evaluation.misclassified],
                                "Most confident mistakes first")

    def _item(self, index: int) -> tuple[np.ndarray, str, bool]:
        evaluation, x_test, y_test, names = self._data
        predicted = int(evaluation.predicted[index])
        true = int(y_test[index])
        text = f"Pred {names[predicted]} ({evaluation.confidence[index]:.0%})\nTrue {names[true]}"
        return x_test[index], text, predicted == true

    @Slot(int, int)
    def _on_cell_clicked(self, true: int, predicted: int) -> None:
        evaluation, _, y_test, names = self._data
        indices = np.flatnonzero((y_test == true) & (evaluation.predicted == predicted))
        indices = indices[np.argsort(-evaluation.confidence[indices], kind="stable")]
        self.cell_images.set_items([self._item(i) for i in indices],
                                   f"True {names[true]}, predicted {names[predicted]}")
