"""Image files classified in a batch: open them, see one row per file, export a CSV."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitapp.core import config, reports
from digitapp.core.errors import DigitAppError, WriteError, user_message
from digitapp.core.images import expand_image_paths
from digitapp.gui import images
from digitapp.gui.table_items import SortedItem, percent_item
from digitapp.gui.workers import Jobs

IMAGE_FILTER = f"Images ({' '.join('*' + ext for ext in config.IMAGE_EXTENSIONS)});;All files (*)"
THUMBNAIL_PIXELS = 28  # the model's input at its own size
COLUMNS = ("image", "file", "prediction", "confidence", "top 3 / reason")


@dataclass(frozen=True)
class PastedImage:
    """A row's source that is not a file: an image pasted from the clipboard. Named like a
    file (``name``, ``str()``) in the table and the CSV; its pixels are kept so that another
    model can answer for it too."""

    name: str
    pixels: np.ndarray = field(compare=False, repr=False)

    def __str__(self) -> str:
        return self.name


class _Rows(QTableWidget):
    """The table without type-to-find: a typed character goes on to the tab, where a digit key
    says what the image on show is (else a row with focus would swallow it)."""

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        text = event.text()
        if text.strip() and text.isprintable() and not event.modifiers() & ~(Qt.ShiftModifier | Qt.KeypadModifier):
            event.ignore()
            return
        super().keyPressEvent(event)


class FileTable(QWidget):
    """A line saying what goes here, with Open images… and Export CSV… beside it, over a
    table with a row per classified file (or pasted image).

    Signals:
        file_selected(object, object): a file to show — its row was selected, or it was the
            only file classified: its path and its ``Prediction`` or the exception it gave.
        files_classified(): the table was filled from opened/dropped files.
        notice(str): a one-line message for the user (e.g. there was nothing to classify).
    """

    file_selected = Signal(object, object)
    files_classified = Signal()
    notice = Signal(str)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        """Args:
            jobs: where files are classified: the owner's, so that waiting for the owner's
                jobs at shutdown covers these too.
        """
        super().__init__(parent)
        self._jobs = jobs
        self._predictor = None
        self._file_results: list = []
        self.open_button = QPushButton("Open images…")
        self.export_button = QPushButton("Export CSV…")
        self.table = _Rows(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setIconSize(QSize(THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)  # the file column names each row
        self.table.verticalHeader().setDefaultSectionSize(THUMBNAIL_PIXELS + 4)
        self.table.horizontalHeader().setSortIndicator(1, Qt.AscendingOrder)  # by file name
        # One line above the table (not a titled box over a row of buttons): rows of files
        # get the height.
        hint = QLabel("Images — open files or folders, drop them here, or paste one (Ctrl+V)")
        hint.setMinimumWidth(50)
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self._update_buttons()

    def set_predictor(self, predictor) -> None:
        """Classify with this core ``Predictor`` from now on; the rows on screen are answered
        again by it (never left showing another model's answers)."""
        self._predictor = predictor
        self._update_buttons()
        if predictor is not None and self._file_results:
            self._classify_sources([source for source, _ in self._file_results])

    def _classify_sources(self, sources: list) -> None:
        self._jobs.call(_classify, self._predictor, sources, on_done=self._on_classified)

    def classify_paths(self, paths) -> None:
        """Classify files and folders (their image files) off the GUI thread; fills the table."""
        if self._predictor is None:
            return
        files, _ = expand_image_paths(paths)
        if not files:
            self.notice.emit("No image files there.")
            return
        self._classify_sources(files)

    def classify_pasted(self, pixels) -> None:
        """Classify a pasted image (uint8 array) off the GUI thread; it gets a row of its own,
        added to the table and selected."""
        if self._predictor is None:
            return
        source = PastedImage(f"pasted image {time.strftime('%H:%M:%S')}", pixels)
        self._jobs.call(_classify_pasted, self._predictor, source, on_done=self._on_pasted,
                        on_error=self._on_paste_failed)

    def export_csv(self, path: str) -> bool:
        """Write the table's files and answers to a CSV file; False (and a warning) if it failed."""
        try:
            reports.write_predictions_csv([f for f, _ in self._file_results], [r for _, r in self._file_results], path)
        except WriteError as exc:
            QMessageBox.warning(self, "Not exported", user_message(exc))
            return False
        return True

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self._predictor is not None)
        self.export_button.setEnabled(bool(self._file_results))

    @Slot()
    def _on_open_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open images", "", IMAGE_FILTER)
        if paths:
            self.classify_paths(paths)

    @Slot()
    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export predictions", "predictions.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def _on_classified(self, classified: tuple) -> None:
        predictor, files, results = classified
        if predictor is not self._predictor:  # the model changed meanwhile: its turn now
            self._classify_sources(files)
            return
        self._file_results = list(zip(files, results))
        self.table.setSortingEnabled(False)
        self.table.clearContents()  # see ResultsPanel: never replace items in place
        self.table.setRowCount(0)
        self.table.setRowCount(len(files))
        for row, (file, result) in enumerate(self._file_results):
            self._fill_row(row, file, result)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        self.table.sortItems(1)  # by file name
        if len(self._file_results) == 1 and not isinstance(results[0], Exception):
            self.file_selected.emit(files[0], results[0])
        self._update_buttons()
        self.files_classified.emit()

    def _on_pasted(self, pasted: tuple) -> None:
        predictor, source, result = pasted
        if predictor is not self._predictor:
            self._classify_sources([*(s for s, _ in self._file_results), source])
            return
        self._file_results.append((source, result))
        self.table.setSortingEnabled(False)
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._fill_row(row, source, result)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        self._update_buttons()
        # Selecting it shows it: its answer, and the image beside it.
        self.table.selectRow(self.table.row(self._name_item(len(self._file_results) - 1)))
        self.table.scrollToItem(self._name_item(len(self._file_results) - 1))

    def _on_paste_failed(self, error: Exception) -> None:
        self.notice.emit(f"The pasted image could not be used: {user_message(error)}")

    def _name_item(self, index: int) -> QTableWidgetItem:
        """The file-name cell of the ``index``-th result, wherever sorting has put its row."""
        return next(self.table.item(r, 1) for r in range(self.table.rowCount())
                    if self.table.item(r, 1).data(Qt.UserRole) == index)

    def _fill_row(self, row: int, file, result) -> None:
        name = QTableWidgetItem(file.name)
        name.setData(Qt.UserRole, row)  # the row's index in _file_results, whatever the sorting
        name.setToolTip(str(file))
        self.table.setItem(row, 1, name)
        if isinstance(result, Exception):
            self.table.setItem(row, 0, QTableWidgetItem("—"))
            self.table.setItem(row, 2, QTableWidgetItem("error"))
            self.table.setItem(row, 3, SortedItem(""))
            self.table.setItem(row, 4, QTableWidgetItem(user_message(result)))
            return
        thumb = QTableWidgetItem()
        thumb.setIcon(QIcon(images.enlarged_pixmap(result.model_input, THUMBNAIL_PIXELS)))
        self.table.setItem(row, 0, thumb)
        self.table.setItem(row, 2, QTableWidgetItem(result.answer))
        # The probability of what the answer says ("Not a digit" included), to one decimal.
        self.table.setItem(row, 3, percent_item(float(result.probabilities[result.answered]), decimals=1))
        self.table.setItem(row, 4, QTableWidgetItem(", ".join(f"{n} {p:.0%}" for n, p in result.top(3))))

    @Slot()
    def _on_selection_changed(self) -> None:
        row_item = next((i for i in self.table.selectedItems() if i.column() == 1), None)
        if row_item is not None:
            self.file_selected.emit(*self._file_results[row_item.data(Qt.UserRole)])


def _classify(predictor, sources: list) -> tuple:
    """Runs in a worker: the answers for files (and pasted images), in order, with the
    predictor that gave them, so the result names both. A source that cannot be used gives
    its error instead."""
    files = [source for source in sources if not isinstance(source, PastedImage)]
    answers = iter(predictor.predict_files(files) if files else [])
    results = []
    for source in sources:
        if not isinstance(source, PastedImage):
            results.append(next(answers))
            continue
        try:
            results.append(_answer_pasted(predictor, source))
        except DigitAppError as exc:
            results.append(exc)
    return predictor, sources, results


def _classify_pasted(predictor, source: PastedImage) -> tuple:
    """Runs in a worker: one pasted image's answer, with its predictor and source."""
    return predictor, source, _answer_pasted(predictor, source)


def _answer_pasted(predictor, source: PastedImage):
    """The pasted image's answer, carrying the image to show beside it."""
    from PIL import Image

    prediction = predictor.predict(source.pixels)
    return dataclasses.replace(prediction, source_image=Image.fromarray(source.pixels))
