"""The Training tab: pick data, model and settings, press Train, watch it learn."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from digitapp.core.errors import ConfigError, user_message
from digitapp.core.formatting import epoch_line, placement_line, rejection_text
from digitapp.gui.dataset_picker import DatasetPicker
from digitapp.gui.plots import TrainingPlots
from digitapp.gui.results import ResultsPanel
from digitapp.gui.run_progress import RunProgress
from digitapp.gui.session import Session
from digitapp.gui.training_form import TrainingForm
from digitapp.gui.workers import Jobs, TrainingWorker

SETTINGS_GROUP = "training"


class TrainingTab(QWidget):
    """Dataset, model and hyperparameters on the left; progress, live curves, results
    and a log on the right.

    Shows the session's current model (``show_model``) and continues training it; a run
    that ends is handed to the window (``model_ready``), which adds it to the session.

    Signals:
        model_ready(object): a ``TrainedModel`` finished training (or was stopped).
        training_ended(): after ``model_ready`` or a failure; the worker thread is done.
        status(str): a one-line message for the status bar.
    """

    model_ready = Signal(object)
    training_ended = Signal()
    status = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = Jobs(self)
        self.session = session
        self._backend_ready = False
        self._batches_done = 0
        self._epoch_offset = 0  # epochs the model had before this run (Continue training)
        self._live_model = None  # the model whose per-batch curves are on screen (last run)
        self._worker: TrainingWorker | None = None
        self._build()
        self.picker.dataset_changed.connect(self._on_dataset_changed)
        self.picker.status.connect(self.status)
        self.picker.note.connect(self.log.appendPlainText)
        self.train_button.clicked.connect(self._on_train_clicked)
        self.continue_button.clicked.connect(self._on_continue_clicked)
        self.stop_button.clicked.connect(self.stop_training)
        self._set_running(False)

    def _build(self) -> None:
        self.picker = DatasetPicker(self.jobs)
        self.form = TrainingForm(self.jobs)
        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.train_button.setMinimumHeight(36)
        self.stop_button = QPushButton("Stop")
        self.continue_button = QPushButton("Continue training")
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 2)
        buttons.addWidget(self.stop_button, 1)
        controls = QWidget()
        side = QVBoxLayout(controls)
        side.setContentsMargins(0, 0, 4, 0)
        side.addWidget(self.picker)
        side.addWidget(self.form)
        side.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        # Train and Stop stay in sight under the settings (which scroll), however small the window.
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(scroll, 1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.continue_button)
        left.setMinimumWidth(controls.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())

        self.progress = RunProgress()
        self.plots = TrainingPlots()
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.progress)
        top_layout.addWidget(self.plots, 1)
        self.results = ResultsPanel()
        self.log = QPlainTextEdit(readOnly=True)
        self.log.setMaximumBlockCount(5000)
        self.log.setPlaceholderText("Epoch log")

        self.right_splitter = QSplitter(Qt.Vertical)
        self.right_splitter.addWidget(top)
        self.right_splitter.addWidget(self.results)
        self.right_splitter.addWidget(self.log)
        self.right_splitter.setStretchFactor(0, 3)
        self.right_splitter.setStretchFactor(1, 3)
        self.right_splitter.setStretchFactor(2, 1)
        self.right_splitter.setSizes([215, 375, 50])  # the results (a readable confusion matrix) first
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.right_splitter)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    # ------------------------------------------------------------ settings

    def restore(self, settings: QSettings) -> None:
        """Last dataset, model, hyperparameters and layout (QSettings), then load the dataset."""
        settings.beginGroup(SETTINGS_GROUP)
        self.form.restore(settings)
        for name, splitter in (("splitter", self.splitter), ("right_splitter", self.right_splitter)):
            state = settings.value(name)
            if state is not None:
                splitter.restoreState(state)
        self.picker.restore(settings)
        settings.endGroup()

    def save(self, settings: QSettings) -> None:
        settings.beginGroup(SETTINGS_GROUP)
        self.picker.save(settings)
        self.form.save(settings)
        settings.setValue("splitter", self.splitter.saveState())
        settings.setValue("right_splitter", self.right_splitter.saveState())
        settings.endGroup()

    # ------------------------------------------------------------ data and model

    def current_dataset(self):
        """The chosen core ``Dataset`` if it is loaded, else None."""
        return self.picker.current_dataset()

    def dataset_error(self) -> str | None:
        """Why the last dataset could not be loaded, or None."""
        return self.picker.dataset_error()

    def import_dataset(self, path: str) -> None:
        """Add an imported dataset (npz or folder) to the picker, select and load it."""
        self.picker.import_dataset(path)

    def add_loaded_dataset(self, key: str, dataset) -> None:
        """Offer a dataset that is already in memory (scripts, benchmarks) and select it."""
        self.picker.add_loaded_dataset(key, dataset)

    @Slot(object)
    def _on_dataset_changed(self, dataset) -> None:
        self.form.set_dataset(dataset)
        self._update_buttons()

    def set_backend_ready(self) -> None:
        """TensorFlow is imported: model details and training become available."""
        self._backend_ready = True
        self.form.set_backend_ready()
        self._update_buttons()

    @property
    def backend_ready(self) -> bool:
        return self._backend_ready

    def show_model(self, run, note: str = "") -> None:
        """Show the session's current run: its curves, and its results on the selected
        dataset — or, when it has none there, ``note`` saying why. During a run the live
        curves and the cleared results stay on screen."""
        if self.is_training():
            return
        if run is None:
            self.plots.clear()
            self.results.clear("Train a model or open one to see its results here.")
            self.progress.show_text("Ready")
            self._update_buttons()
            return
        trained = run.trained
        live = trained.model is self._live_model  # the run that just ended: its curves are finer
        if not live:
            self._live_model = None
            self.plots.set_history(trained.info.history)
        dataset = self.current_dataset()
        evaluated = trained.evaluation is not None and trained.dataset is not None
        stopped = " (stopped)" if trained.info.metrics.get("stopped") else ""
        if evaluated and (dataset is None or trained.dataset is dataset):
            ds, tested = trained.dataset, trained.tested or trained.dataset
            self.results.show_results(trained.evaluation, tested.x_test, tested.y_test, tested.class_names)
            if live:
                self._update_buttons()
                return  # the progress bar still says how the run ended
            self.progress.show_text(f"{run.name}{stopped} · test accuracy {trained.evaluation.accuracy:.2%} "
                                    f"on {ds.name}")
        else:
            acc = trained.info.metrics.get("test_accuracy")
            recorded = f" · test accuracy <b>{acc:.2%}</b> when it was trained" if isinstance(acc, float) else ""
            self.results.clear(f"{run.name}: trained on {trained.info.dataset or 'unknown data'}{recorded}. "
                               + (note or "Evaluating on the selected dataset…"))
            self.progress.show_text(f"{run.name}{stopped} · not evaluated on the selected dataset")
        self._update_buttons()

    # ------------------------------------------------------------ training

    @property
    def worker(self) -> TrainingWorker | None:
        """The running training worker (connect to its signals), or None."""
        return self._worker

    def is_training(self) -> bool:
        return self._worker is not None

    def batches_done(self) -> int:
        """Batches of the current (or last) run reported so far."""
        return self._batches_done

    def start_training(self, continue_current: bool = False) -> None:
        """Train the chosen model on the chosen dataset, or train the current model further."""
        dataset = self.current_dataset()
        if dataset is None or not self._backend_ready or self.is_training():
            return
        train_config = self.form.config()
        try:
            train_config.check()
        except ConfigError as exc:
            QMessageBox.warning(self, "Training settings", user_message(exc))
            return
        model, history, architecture = None, None, self.form.architecture()
        current = self.session.current.trained if self.session.current is not None else None
        continuing = continue_current and current is not None
        done_epochs = 0
        if continuing:
            model, history = current.model, current.info.history
            architecture = current.info.architecture or architecture
            done_epochs = len(history.get("loss") or [])
        self._epoch_offset = done_epochs
        self.plots.begin_run(train_config.epochs, dataset.num_classes, continue_from=done_epochs)
        # The results on screen belong to another model: not to the one being trained.
        self.results.clear("Training… the results appear when the run ends.")
        self._batches_done = 0
        self._worker = TrainingWorker(dataset, architecture, train_config, model, history)
        self._worker.started.connect(self._on_started)
        self._worker.placed.connect(self._on_placed)
        self._worker.batch_done.connect(self._on_batch_done)
        self._worker.epoch_done.connect(self._on_epoch_done)
        self._worker.evaluating.connect(self._on_evaluating)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._set_running(True)
        self.progress.show_text("Starting…")
        self.log.appendPlainText(
            f"{'Continuing' if continuing else 'Training'} {architecture} on {dataset.name}: "
            f"{train_config.epochs} epoch{'s' if train_config.epochs != 1 else ''}, batch {train_config.batch_size}, "
            f"{train_config.optimizer} lr {train_config.learning_rate:g}"
        )
        self.jobs.start(self._worker)

    @Slot()
    def stop_training(self) -> None:
        if self._worker is not None:
            self._worker.request_stop()
            self.stop_button.setEnabled(False)
            self.progress.setFormat("Stopping after this batch…")
            self.status.emit("Stopping after this batch…")

    @Slot()
    def _on_train_clicked(self) -> None:
        self.start_training(continue_current=False)

    @Slot()
    def _on_continue_clicked(self) -> None:
        self.start_training(continue_current=True)

    @Slot()
    def _on_started(self) -> None:
        self.status.emit("Training…")

    @Slot(dict)
    def _on_placed(self, placed: dict) -> None:
        self.log.appendPlainText(placement_line(placed))
        self.status.emit(f"Training on {placed['devices']}…")

    @Slot(dict)
    def _on_batch_done(self, p: dict) -> None:
        self.plots.add_batch(p)
        self._batches_done = (p["epoch"] - 1) * p["batches"] + p["batch"]
        self.progress.batch(p, self._epoch_offset)

    @Slot(int, dict)
    def _on_epoch_done(self, epoch: int, metrics: dict) -> None:
        self.plots.add_epoch(epoch, metrics)
        self.log.appendPlainText(epoch_line(self._epoch_offset + epoch, metrics))

    @Slot(int)
    def _on_evaluating(self, images: int) -> None:
        text = f"Testing the model on {images:,} test images…"
        self.progress.setFormat(text)
        self.status.emit(text)

    @Slot(object)
    def _on_finished(self, trained) -> None:
        self._worker = None
        self._set_running(False)
        result, accuracy = trained.result, trained.evaluation.accuracy
        stopped = " (stopped)" if result.stopped else ""
        self.progress.finished(result, accuracy)
        rejection = rejection_text(trained.evaluation)
        self.log.appendPlainText(
            f"trained in {result.train_seconds:.1f} s{stopped}; test accuracy {accuracy:.2%}, "
            f"test loss {trained.evaluation.loss:.4f}" + (f"; {rejection}" if rejection else "")
        )
        self.plots.end_run()
        self._live_model = trained.model
        self.model_ready.emit(trained)  # the window makes it the session's current run, and says so
        self.training_ended.emit()

    @Slot(object)
    def _on_failed(self, error: Exception) -> None:
        message = user_message(error)
        self._worker = None
        self._set_running(False)
        self.plots.end_run()
        self.results.clear(f"Training failed: {message}")
        self.progress.setFormat("Failed")
        self.log.appendPlainText(f"error: {message}")
        self.status.emit(message)
        self.training_ended.emit()
        if self.isVisible():
            QMessageBox.warning(self, "Training failed", message)

    def _set_running(self, running: bool) -> None:
        self.picker.set_editable(not running)
        self.form.set_editable(not running)
        self.stop_button.setEnabled(running)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self._worker is None and self._backend_ready and self.current_dataset() is not None
        self.train_button.setEnabled(ready)
        self.continue_button.setEnabled(ready and self.session.current is not None)
