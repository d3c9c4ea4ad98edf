"""The Predict tab: draw a digit and see the answer live, with every class's probability
and the 28×28 image the model actually receives."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QIcon, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QSpinBox,
    QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from digitapp.core import preprocessing
from digitapp.core.errors import ImageError
from digitapp.gui.drawing import DrawingCanvas
from digitapp.gui.probabilities import ProbabilityBars
from digitapp.gui.workers import Jobs

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"

MODEL_VIEW_PIXELS = 140  # the 28×28 input shown 5× enlarged
WHY_DELAY_MS = 120  # the explanation appears this long after the drawing stops changing


class PredictTab(QWidget):
    """Drawing canvas on the left; answer, probabilities and model input on the right.

    Signals:
        predicted(object): a core ``Prediction`` for the current drawing (None when blank).
        explained(object): the attributions ``(H, W)`` behind the shown prediction.
        files_classified(): the table was filled from opened/dropped files.
    """

    predicted = Signal(object)
    explained = Signal(object)
    files_classified = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = Jobs(self)
        self._predictor = None
        self._file_results: list = []
        self.setAcceptDrops(True)
        self.canvas = DrawingCanvas()
        self.brush = QSpinBox(minimum=4, maximum=48, value=self.canvas.brush, suffix=" px")
        self.clear_button = QPushButton("Clear (Esc)")
        self.undo_button = QPushButton("Undo (Ctrl+Z)")
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Brush"))
        tools.addWidget(self.brush)
        tools.addStretch(1)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.clear_button)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addLayout(tools)

        self.answer = QLabel("Train or open a model, then draw a digit.")
        font = self.answer.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.answer.setFont(font)
        # Fixed size: a label whose size may change re-lays out the window on every
        # setText (20–35 ms measured), far too slow for answers that follow the pen.
        self.answer.setFixedSize(440, 60)
        self.bars_box = QGroupBox("Probabilities")
        self.bars = ProbabilityBars()
        QVBoxLayout(self.bars_box).addWidget(self.bars)
        self.model_view = QLabel()
        self.model_view.setFixedSize(MODEL_VIEW_PIXELS, MODEL_VIEW_PIXELS)
        self.model_view.setStyleSheet("background: black")
        self.why_view = QLabel()
        self.why_view.setFixedSize(MODEL_VIEW_PIXELS, MODEL_VIEW_PIXELS)
        self.why_view.setStyleSheet("background: black")
        self.why_view.setToolTip(
            "Integrated gradients: how much each pixel of the model's input adds to (red) or\n"
            "takes from (blue) the answer's probability, compared with an empty image.")
        self.why_caption = QLabel("")
        self.why_caption.setFixedSize(MODEL_VIEW_PIXELS + 40, 20)
        seen_box = QGroupBox("What the model sees · Why")
        seen_layout = QGridLayout(seen_box)
        # The opened file itself, beside what the model made of it (hidden for drawings).
        self.original_view = QLabel()
        self.original_view.setFixedSize(MODEL_VIEW_PIXELS, MODEL_VIEW_PIXELS)
        self.original_view.setAlignment(Qt.AlignCenter)
        self.original_caption = QLabel("")
        self.original_caption.setFixedSize(MODEL_VIEW_PIXELS, 20)
        seen_layout.addWidget(self.original_view, 0, 0, Qt.AlignCenter)
        seen_layout.addWidget(self.model_view, 0, 1, Qt.AlignCenter)
        seen_layout.addWidget(self.why_view, 0, 2, Qt.AlignCenter)
        seen_layout.addWidget(self.original_caption, 1, 0, Qt.AlignCenter)
        seen_layout.addWidget(QLabel("28×28 input"), 1, 1, Qt.AlignCenter)
        seen_layout.addWidget(self.why_caption, 1, 2, Qt.AlignCenter)
        self._show_original(None)
        # The explanation costs a few model calls: it follows when the pen rests, so the
        # answer itself never waits for it.
        self._why_timer = QTimer(self, singleShot=True, interval=WHY_DELAY_MS)
        self._why_timer.timeout.connect(self._show_why)
        # A child timer, not QTimer.singleShot(0, method): that one still fires after the
        # tab is deleted (a window closed mid-training got a late answer → RuntimeError).
        self._predict_timer = QTimer(self, singleShot=True, interval=0)
        self._predict_timer.timeout.connect(self._predict_now)
        self._shown = None
        right = QVBoxLayout()
        right.addWidget(self.answer)
        right.addWidget(self.bars_box)
        right.addWidget(seen_box)
        right.addStretch(1)

        self.open_button = QPushButton("Open images…")
        self.export_button = QPushButton("Export CSV…")
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["image", "file", "prediction", "confidence", "top 3 / reason"])
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setIconSize(QSize(42, 42))
        self.table.horizontalHeader().setStretchLastSection(True)
        files_box = QGroupBox("Images — open files or folders, drop them here, or paste (Ctrl+V)")
        files_layout = QVBoxLayout(files_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        files_layout.addLayout(buttons)
        files_layout.addWidget(self.table)

        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(left, 3)
        top_layout.addLayout(right, 2)
        # A splitter: someone classifying a folder wants the table tall, someone drawing
        # wants the canvas big.
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(files_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self.open_button.clicked.connect(self._on_open)
        self.export_button.clicked.connect(self._on_export)
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        QShortcut(QKeySequence.Paste, self, self.paste_image)
        self._update_buttons()

        self.canvas.changed.connect(self._schedule_prediction)
        self.brush.valueChanged.connect(self._on_brush_changed)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button.clicked.connect(self.canvas.undo)
        QShortcut(QKeySequence(Qt.Key_Escape), self, self.canvas.clear)
        QShortcut(QKeySequence.Undo, self, self.canvas.undo)

    @Slot(int)
    def _on_brush_changed(self, value: int) -> None:
        self.canvas.brush = value

    def set_model(self, trained) -> None:
        """Use a ``TrainedModel``'s predictor and class names."""
        self._predictor = trained.predictor
        self.bars.set_classes(trained.info.class_names)
        if not trained.predictor.explainer_ready:
            self.jobs.call(trained.predictor.warm_up, on_done=self._on_explainer_ready)
        self.answer.setText("Draw a digit.")
        self._update_buttons()
        self._schedule_prediction()

    @Slot()
    def _schedule_prediction(self) -> None:
        # Coalesce: many mouse moves can arrive per event-loop pass; predict once per pass.
        if self._predictor is not None and not self._predict_timer.isActive():
            self._predict_timer.start()

    @Slot()
    def _predict_now(self) -> None:
        if self._predictor is None:
            return
        if self.canvas.is_empty():
            self._show(None, None)
            return
        self._show_original(None)
        model_input = self._predictor.prepare(self.canvas.to_array())
        self._show(self._predictor.predict_prepared(model_input), model_input)

    def _show(self, prediction, model_input: np.ndarray | None) -> None:
        if prediction is None:
            self.answer.setText("Draw a digit.")
            self.bars.set_probabilities(None)
            self.model_view.clear()
            self.why_view.clear()
            self.why_caption.setText("")
        else:
            verdict = f"{prediction.name}  ({prediction.confidence:.0%})"
            if prediction.unsure:
                verdict = f"Unsure — maybe {prediction.name} ({prediction.confidence:.0%})"
            self.answer.setText(verdict)
            self.answer.setToolTip("")
            self.bars.set_probabilities(prediction.probabilities)
            self._show_model_input(model_input)
        self._shown = prediction
        self._why_timer.start()
        self.predicted.emit(prediction)

    def _show_original(self, path, readable: bool = True) -> None:
        """The opened file as the user knows it (EXIF-rotated), or nothing for a drawing."""
        visible = path is not None
        self.original_view.setVisible(visible)
        self.original_caption.setVisible(visible)
        if not visible:
            return
        self.original_caption.setText("opened file")
        if not readable:  # already known to be broken: don't make Qt's decoders complain
            self.original_view.setText("(unreadable)")
            return
        # Pillow, as for the model: Qt's own readers cannot show e.g. float TIFFs and log
        # warnings for formats they only half support. Reduced to ≤512 px while decoding.
        try:
            image = preprocessing.open_image(path)
        except ImageError:
            self.original_view.setText("(unreadable)")
            return
        self.original_view.setPixmap(QPixmap.fromImage(_to_qimage(image)).scaled(
            MODEL_VIEW_PIXELS, MODEL_VIEW_PIXELS, Qt.KeepAspectRatio, Qt.SmoothTransformation))

    def _show_model_input(self, model_input: np.ndarray) -> None:
        self.model_view.setPixmap(_to_pixmap(model_input, MODEL_VIEW_PIXELS))

    def _on_explainer_ready(self, _result) -> None:
        self._why_timer.start()

    @Slot()
    def _show_why(self) -> None:
        prediction = self._shown
        if prediction is None or self._predictor is None or not self._predictor.explainer_ready:
            return  # shown once the explanation is traced (see set_model)
        attributions = self._predictor.explain(prediction.model_input, prediction.label)
        self.why_view.setPixmap(_why_pixmap(prediction.model_input, attributions, MODEL_VIEW_PIXELS))
        self.why_caption.setText(f"red: for {prediction.name}, blue: against")
        self.explained.emit(attributions)

    # ------------------------------------------------------------ image files

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self._predictor is not None)
        self.export_button.setEnabled(bool(self._file_results))

    @Slot()
    def _on_open(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open images", "", IMAGE_FILTER)
        if paths:
            self.classify_paths(paths)

    def classify_paths(self, paths) -> None:
        """Classify files and folders (their image files) off the GUI thread; fills the table."""
        if self._predictor is None:
            return
        files, _ = preprocessing.expand_image_paths(paths)
        if not files:
            self.answer.setText("No image files there.")
            return
        predictor = self._predictor
        self.jobs.call(predictor.predict_files, files,
                       on_done=lambda results, files=files: self._on_classified(files, results))

    def _on_classified(self, files, results) -> None:
        self._file_results = list(zip(files, results))
        self.table.setSortingEnabled(False)
        self.table.clearContents()  # see ResultsPanel: never replace items in place
        self.table.setRowCount(0)
        self.table.setRowCount(len(files))
        for row, (file, result) in enumerate(self._file_results):
            name = QTableWidgetItem(file.name)
            name.setData(Qt.UserRole, row)
            name.setToolTip(str(file))
            self.table.setItem(row, 1, name)
            if isinstance(result, Exception):
                self.table.setItem(row, 0, QTableWidgetItem("—"))
                self.table.setItem(row, 2, QTableWidgetItem("error"))
                self.table.setItem(row, 3, QTableWidgetItem(""))
                self.table.setItem(row, 4, QTableWidgetItem(str(result)))
                continue
            thumb = QTableWidgetItem()
            thumb.setIcon(QIcon(_to_pixmap(result.model_input, 42)))
            self.table.setItem(row, 0, thumb)
            self.table.setItem(row, 2, QTableWidgetItem(result.name + (" (unsure)" if result.unsure else "")))
            confidence = QTableWidgetItem()
            confidence.setData(Qt.DisplayRole, round(result.confidence, 4))
            self.table.setItem(row, 3, confidence)
            self.table.setItem(row, 4, QTableWidgetItem(", ".join(f"{n} {p:.0%}" for n, p in result.top(3))))
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        good = [r for _, r in self._file_results if not isinstance(r, Exception)]
        self.table.sortItems(1)  # by file name
        if len(self._file_results) == 1 and good:
            self._show_original(files[0])
            self._show(good[0], good[0].model_input)
        self._update_buttons()
        self.files_classified.emit()

    @Slot()
    def _on_row_selected(self) -> None:
        items = self.table.selectedItems()
        row_item = next((i for i in items if i.column() == 1), None)
        if row_item is None:
            return
        file, result = self._file_results[row_item.data(Qt.UserRole)]
        self._show_original(file, readable=not isinstance(result, Exception))
        if isinstance(result, Exception):
            self._show(None, None)
            # The full reason is in the row's last column; the big answer line stays short.
            self.answer.setText("Cannot use this file.")
            self.answer.setToolTip(str(result))
        else:
            self._show(result, result.model_input)

    @Slot()
    def _on_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export predictions", "predictions.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> bool:
        from digitapp.core.prediction import write_predictions_csv

        try:
            write_predictions_csv([f for f, _ in self._file_results], [r for _, r in self._file_results], path)
        except OSError as exc:
            QMessageBox.warning(self, "Not exported", f"Could not write {path}: {exc.strerror or exc}.")
            return False
        return True

    @Slot()
    def paste_image(self) -> None:
        """Classify an image from the clipboard (a screenshot, a copied picture)."""
        image = QApplication.clipboard().image()
        if self._predictor is None or image.isNull():
            return
        image = image.convertToFormat(QImage.Format_RGB888)
        rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        pixels = rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()
        prediction = self._predictor.predict(pixels)
        self._show_original(None)
        self._show(prediction, prediction.model_input)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() and self._predictor is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.classify_paths(paths)
            event.acceptProposedAction()


def _to_qimage(image) -> QImage:
    """A Pillow ``L`` or ``RGB`` image as a QImage (copied: Qt must not keep numpy's memory)."""
    pixels = np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
    height, width = pixels.shape[:2]
    fmt = QImage.Format_Grayscale8 if pixels.ndim == 2 else QImage.Format_RGB888
    return QImage(pixels.data, width, height, pixels.strides[0], fmt).copy()


def _to_pixmap(model_input: np.ndarray, size: int) -> QPixmap:
    """A model input (H, W, C) on [0, 1] as an enlarged grayscale/RGB pixmap."""
    if model_input.shape[-1] == 1:
        pixels = np.ascontiguousarray((np.clip(model_input[..., 0], 0, 1) * 255).astype(np.uint8))
        fmt = QImage.Format_Grayscale8
    else:
        pixels = np.ascontiguousarray((np.clip(model_input, 0, 1) * 255).astype(np.uint8))
        fmt = QImage.Format_RGB888
    image = QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.strides[0], fmt)
    return QPixmap.fromImage(image.copy()).scaled(size, size, Qt.IgnoreAspectRatio, Qt.FastTransformation)


def _why_pixmap(model_input: np.ndarray, attributions: np.ndarray, size: int) -> QPixmap:
    """The input dimmed, with evidence for the class in red and against it in blue."""
    base = np.clip(model_input.mean(axis=-1), 0, 1) * 0.35
    scale = max(float(np.abs(attributions).max()), 1e-8)
    # A gamma below 1 keeps weak but real evidence visible next to the strongest pixels.
    positive = np.clip(attributions / scale, 0, 1) ** 0.6
    negative = np.clip(-attributions / scale, 0, 1) ** 0.6
    rgb = np.stack([base + (1 - base) * positive,
                    base * (1 - positive) * (1 - negative),
                    base + (1 - base) * negative], axis=-1)
    return _to_pixmap(rgb, size)
