"""The Predict tab: draw a digit and see the answer live, with every class's probability
and the 28×28 image the model actually receives; or classify image files in a batch."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from digitapp.gui import images
from digitapp.gui.answer_panel import AnswerPanel
from digitapp.gui.drawing import CANVAS_PIXELS, DrawingCanvas
from digitapp.gui.file_table import FileTable, PastedImage
from digitapp.gui.personal_panel import PersonalPanel
from digitapp.gui.stable_label import StableLabel
from digitapp.gui.workers import Jobs

TABLE_MIN_HEIGHT = 150  # pixels: the buttons, the header and a couple of rows
DRAWING_HEIGHT = CANVAS_PIXELS + 40  # the canvas at its own resolution, and its buttons
INITIAL_TABLE_HEIGHT = 400  # the table takes the rest of the first height (splitters share out)


class PredictTab(QWidget):
    """Drawing canvas on the left, the answer on the right, image files below.

    Signals:
        predicted(object): a core ``Prediction`` for the image in view (None when blank).
        explained(object): the attributions ``(H, W)`` behind the shown prediction.
        files_classified(): the table was filled from opened/dropped files.
        status(str): a line for the status bar (which model answers).
        default_settled(): the bundled model's quick copy answers now, or could not be loaded.
        model_learned(object): "Learn my handwriting" made a new ``TrainedModel``.
    """

    predicted = Signal(object)
    explained = Signal(object)
    files_classified = Signal()
    status = Signal(str)
    default_settled = Signal()
    model_learned = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = Jobs(self)
        self._predictor = None
        self._default = False  # answering with the bundled default model
        self._default_loading = False
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
        # Which model answers (the bundled one, or the user's), on a line of its own: the GUI, the
        # CLI and the web service may answer with different models, and this says which one.
        self.model_line = StableLabel("")
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addLayout(tools)
        left.addWidget(self.model_line)
        self.answer_panel = AnswerPanel(self.jobs)
        self.personal = PersonalPanel(self.jobs)
        self.file_table = FileTable(self.jobs)
        self.file_table.setMinimumHeight(TABLE_MIN_HEIGHT)

        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(left, 1)  # the canvas takes what the answer leaves
        top_layout.addWidget(self.answer_panel)
        # A splitter: someone classifying a folder wants the table tall, someone drawing
        # wants the canvas big. Neither pane can be collapsed out of sight.
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(top)
        # Below: the opened images, or your samples (the gallery takes no room from the drawing).
        self.lower = QTabWidget()
        self.lower.setTabPosition(QTabWidget.West)  # beside the table, not above it: the table keeps its rows
        self.lower.setDocumentMode(True)
        self.lower.addTab(self.file_table, "Images")
        self.lower.addTab(self.personal, "Your handwriting")
        self.splitter.addWidget(self.lower)
        self.splitter.setChildrenCollapsible(False)
        # The table takes what the window gains or loses; the drawing keeps its size.
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        # At first the drawing gets what it needs and the table everything else.
        self.splitter.setSizes([max(top.sizeHint().height(), DRAWING_HEIGHT), INITIAL_TABLE_HEIGHT])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        # A child timer, not QTimer.singleShot(0, method): that one still fires after the
        # tab is deleted (a window closed mid-training got a late answer → RuntimeError).
        self._predict_timer = QTimer(self, singleShot=True, interval=0)
        self._predict_timer.timeout.connect(self._on_predict_due)
        self.answer_panel.predicted.connect(self.predicted)
        self.answer_panel.explained.connect(self.explained)
        self.file_table.file_selected.connect(self._on_file_selected)
        self.file_table.files_classified.connect(self.files_classified)
        self.file_table.notice.connect(self.answer_panel.show_notice)
        self.answer_panel.bars.class_clicked.connect(self.correct)
        self.personal.learned.connect(self.model_learned)
        self.personal.status.connect(self.status)
        self.personal.count_changed.connect(self._on_samples_counted)
        self.canvas.changed.connect(self._on_drawing_changed)
        self.brush.valueChanged.connect(self._on_brush_changed)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button.clicked.connect(self.canvas.undo)
        QShortcut(QKeySequence.Paste, self, self.paste_image)
        QShortcut(QKeySequence(Qt.Key_Escape), self, self.canvas.clear)
        QShortcut(QKeySequence.Undo, self, self.canvas.undo)

    def set_model(self, trained) -> None:
        """Use a ``TrainedModel``'s predictor and class names (the user's model from now on)."""
        self._default = False
        self._use(trained)

    def start_default(self) -> None:
        """Answer with the bundled default model until the user has a model: its ONNX copy
        first (no TensorFlow needed), see :meth:`upgrade_default`."""
        from digitapp.core import default_model

        self._default_loading = True
        self.jobs.call(default_model.open_quick, on_done=self._on_default_opened, on_error=self._on_default_failed)

    def default_loading(self) -> bool:
        """The bundled model's quick copy is on its way (see :meth:`start_default`)."""
        return self._default_loading

    def upgrade_default(self) -> None:
        """TensorFlow has loaded: the default model's Keras file can also explain its answers."""
        from digitapp.core import default_model, workflow

        if self._default or self._predictor is None:
            self.jobs.call(workflow.open_model, default_model.keras_path(), on_done=self._on_default_opened,
                           on_error=self._on_default_failed)

    def uses_default(self) -> bool:
        return self._default

    def _on_default_opened(self, model) -> None:
        self._settle_default()
        if self._predictor is not None and not self._default:
            return  # the user's own model came first
        if self._default and self._predictor.can_explain and not model.predictor.can_explain:
            return  # the Keras copy (which explains) was quicker than the ONNX one
        first = self._predictor is None
        self._default = True
        self._use(model)
        if first:
            accuracy = model.info.metrics.get("test_accuracy")
            score = f" ({accuracy:.1%} on MNIST's test set)" if accuracy is not None else ""
            self.status.emit(f"Predict: the bundled default model answers{score} until you train or open one.")

    def _on_default_failed(self, error: Exception) -> None:
        from digitapp.core.errors import user_message

        self._settle_default()
        self.status.emit(user_message(error))

    def _settle_default(self) -> None:
        if self._default_loading:
            self._default_loading = False
            self.default_settled.emit()

    def _use(self, trained) -> None:
        self.model_line.setText(_model_line(trained.info, self._default))
        self._predictor = trained.predictor
        self.answer_panel.set_predictor(trained.predictor, trained.info.class_names)
        self.file_table.set_predictor(trained.predictor)
        self.personal.set_model(trained)
        self._on_drawing_changed()

    @Slot(int)
    def correct(self, index: int) -> None:
        """The image on show is of class ``index``: keep it as a personal sample."""
        shown = self.answer_panel.shown()
        if shown is None:
            self.answer_panel.show_notice("Draw a digit or open an image first, then say what it is.")
            return
        drawing = shown.source_image is None
        if self.personal.keep(self.canvas.to_array() if drawing else shown.source_image, index) and drawing:
            self.lower.setCurrentWidget(self.personal)  # the gallery (a file's correction keeps the table in view)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        names = self._predictor.class_names if self._predictor is not None else []
        if event.text() and event.text() in names and not event.modifiers() & ~Qt.KeypadModifier:
            self.correct(names.index(event.text()))  # a digit key names a digit model's class
            return
        super().keyPressEvent(event)

    @Slot(int)
    def _on_samples_counted(self, count: int) -> None:
        self.lower.setTabText(1, f"Your handwriting ({count})" if count else "Your handwriting")

    def busy(self) -> bool:
        """A fine-tune is running (closing asks it to stop, and waits for it)."""
        return self.personal.stop_learning()

    def classify_paths(self, paths) -> None:
        """Classify files and folders (their image files) off the GUI thread; fills the table."""
        self.file_table.classify_paths(paths)

    @Slot()
    def paste_image(self) -> None:
        """Classify an image from the clipboard (a screenshot, a copied picture): it gets a
        row in the table, and is shown beside its answer."""
        image = QApplication.clipboard().image()
        if self._predictor is None:
            return
        if image.isNull():
            self.answer_panel.show_notice("No image to paste.")
            return
        self.file_table.classify_pasted(images.to_array(image))

    @Slot(int)
    def _on_brush_changed(self, value: int) -> None:
        self.canvas.brush = value

    @Slot()
    def _on_drawing_changed(self) -> None:
        # Coalesce: many mouse moves can arrive per event-loop pass; predict once per pass.
        if self._predictor is not None and not self._predict_timer.isActive():
            self._predict_timer.start()

    @Slot()
    def _on_predict_due(self) -> None:
        if self._predictor is None:
            return
        if self.canvas.is_empty():
            self.answer_panel.show_prediction(None)
            return
        model_input = self._predictor.prepare(self.canvas.to_array())
        self.answer_panel.show_prediction(self._predictor.predict_prepared(model_input))

    @Slot(object, object)
    def _on_file_selected(self, source, result) -> None:
        if isinstance(result, Exception):
            self.answer_panel.show_failure(result)
        else:
            self.answer_panel.show_prediction(result, "pasted image" if isinstance(source, PastedImage)
                                              else "opened file")

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() and self._predictor is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.classify_paths(paths)
            event.acceptProposedAction()


def _model_line(info, default: bool) -> str:
    """``Answering: the bundled default model · 99.2% on MNIST's test set``: who answers, and how well."""
    accuracy = getattr(info, "metrics", {}).get("test_accuracy")
    dataset = getattr(info, "dataset", "") or "its dataset"
    who = "the bundled default model" if default else f"your model ({getattr(info, 'architecture', '') or 'opened'})"
    who = "Answering: " + who
    return who + (f" · {accuracy:.1%} on {dataset}'s test set" if accuracy is not None else "")
