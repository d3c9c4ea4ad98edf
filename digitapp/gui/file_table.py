"""Image files classified in a batch: open them, see one row per file, export a CSV."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitapp.core import config, reports
from digitapp.core.errors import WriteError, user_message
from digitapp.core.images import expand_image_paths
from digitapp.gui import images
from digitapp.gui.workers import Jobs

IMAGE_FILTER = f"Images ({' '.join('*' + ext for ext in config.IMAGE_EXTENSIONS)});;All files (*)"
THUMBNAIL_PIXELS = 42
COLUMNS = ("image", "file", "prediction", "confidence", "top 3 / reason")


class FileTable(QGroupBox):
    """Open images… and Export CSV… buttons over a table with a row per classified file.

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
        super().__init__("Images — open files or folders, drop them here, or paste (Ctrl+V)", parent)
        self._jobs = jobs
        self._predictor = None
        self._file_results: list = []
        self.open_button = QPushButton("Open images…")
        self.export_button = QPushButton("Export CSV…")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setIconSize(QSize(THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self._update_buttons()

    def set_predictor(self, predictor) -> None:
        """Classify with this core ``Predictor`` from now on."""
        self._predictor = predictor
        self._update_buttons()

    def classify_paths(self, paths) -> None:
        """Classify files and folders (their image files) off the GUI thread; fills the table."""
        if self._predictor is None:
            return
        files, _ = expand_image_paths(paths)
        if not files:
            self.notice.emit("No image files there.")
            return
        self._jobs.call(_classify, self._predictor, files, on_done=self._on_classified)

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
        files, results = classified
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

    def _fill_row(self, row: int, file, result) -> None:
        name = QTableWidgetItem(file.name)
        name.setData(Qt.UserRole, row)  # the row's index in _file_results, whatever the sorting
        name.setToolTip(str(file))
        self.table.setItem(row, 1, name)
        if isinstance(result, Exception):
            self.table.setItem(row, 0, QTableWidgetItem("—"))
            self.table.setItem(row, 2, QTableWidgetItem("error"))
            self.table.setItem(row, 3, QTableWidgetItem(""))
            self.table.setItem(row, 4, QTableWidgetItem(user_message(result)))
            return
        thumb = QTableWidgetItem()
        thumb.setIcon(QIcon(images.enlarged_pixmap(result.model_input, THUMBNAIL_PIXELS)))
        self.table.setItem(row, 0, thumb)
        self.table.setItem(row, 2, QTableWidgetItem(result.name + (" (unsure)" if result.unsure else "")))
        confidence = QTableWidgetItem()
        confidence.setData(Qt.DisplayRole, round(result.confidence, 4))
        self.table.setItem(row, 3, confidence)
        self.table.setItem(row, 4, QTableWidgetItem(", ".join(f"{n} {p:.0%}" for n, p in result.top(3))))

    @Slot()
    def _on_selection_changed(self) -> None:
        row_item = next((i for i in self.table.selectedItems() if i.column() == 1), None)
        if row_item is not None:
            self.file_selected.emit(*self._file_results[row_item.data(Qt.UserRole)])


def _classify(predictor, files: list) -> tuple[list, list]:
    """Runs in a worker: the files with their answers, so the result names its files."""
    return files, predictor.predict_files(files)
