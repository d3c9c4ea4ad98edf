"""The Training tab: pick data, model and settings, press Train, watch it learn."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
    QMessageBox, QPlainTextEdit, QProgressBar, QPushButton, QScrollArea, QSpinBox, QSplitter,
    QVBoxLayout, QWidget,
)

from digitapp.core import datasets
from digitapp.core.registry import DEFAULT_MODEL, MODELS
from digitapp.core.formatting import format_duration
from digitapp.gui.plots import TrainingPlots
from digitapp.gui.results import ResultsPanel
from digitapp.gui.workers import Jobs, TrainingWorker

IMPORT_NPZ = "import-npz"
IMPORT_FOLDER = "import-folder"
SAMPLE_STRIP = 10
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
SCHEDULES = ("cosine", "constant")


class TrainingTab(QWidget):
    """Dataset, model and hyperparameters on the left; progress, live curves, results
    and a log on the right.

    Signals:
        model_ready(object): a ``TrainedModel`` finished training (or was stopped).
        training_ended(): after ``model_ready`` or a failure; the worker thread is done.
        status(str): a one-line message for the status bar.
    """

    model_ready = Signal(object)
    training_ended = Signal()
    status = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = Jobs(self)
        self._datasets: dict[str, datasets.Dataset] = {}
        self._backend_ready = False
        self._batches_done = 0
        self._dataset_error: str | None = None
        self._worker: TrainingWorker | None = None
        self._current = None  # TrainedModel shown in the results panel
        self._continuing = False
        self._last_dataset_key = "mnist"
        self._summary = "Available once TensorFlow has loaded."
        self._build()
        self._connect()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.dataset_combo = QComboBox()
        for key, label in (("mnist", "MNIST (bundled)"), ("fashion_mnist", "Fashion-MNIST"),
                           ("cifar10", "CIFAR-10")):
            self.dataset_combo.addItem(label, key)
        self.dataset_combo.insertSeparator(self.dataset_combo.count())
        self.dataset_combo.addItem("Import .npz file…", IMPORT_NPZ)
        self.dataset_combo.addItem("Import folder (IDX files, class folders, CIFAR batches)…", IMPORT_FOLDER)
        self.dataset_info = QLabel("Loading…")
        self.dataset_info.setWordWrap(True)
        self.samples_figure = Figure(figsize=(4, 0.8), layout="constrained")
        self.samples_canvas = FigureCanvasQTAgg(self.samples_figure)
        self.samples_canvas.setMinimumHeight(70)
        data_box = QGroupBox("Dataset")
        data_layout = QVBoxLayout(data_box)
        data_layout.addWidget(self.dataset_combo)
        data_layout.addWidget(self.dataset_info)
        data_layout.addWidget(self.samples_canvas)

        self.model_combo = QComboBox()
        for spec in MODELS.values():
            self.model_combo.addItem(f"{spec.name} — {spec.description}", spec.name)
        self.model_info = QLabel("")
        self.summary_button = QPushButton("Summary…")
        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        model_layout.addWidget(self.model_combo)
        row = QHBoxLayout()
        row.addWidget(self.model_info, 1)
        row.addWidget(self.summary_button)
        model_layout.addLayout(row)

        self.epochs = QSpinBox(minimum=1, maximum=1000)
        self.batch_size = QSpinBox(minimum=1, maximum=8192)
        self.learning_rate = QDoubleSpinBox(minimum=0.00001, maximum=1.0, decimals=5, singleStep=0.0005)
        self.optimizer = QComboBox()
        self.optimizer.addItems(OPTIMIZERS)
        self.schedule = QComboBox()
        self.schedule.addItems(SCHEDULES)
        self.validation = QDoubleSpinBox(minimum=0.0, maximum=0.5, decimals=2, singleStep=0.05, value=0.1)
        self.augment = QCheckBox("Augment (random shifts, rotations, zoom)")
        self.early_stopping = QCheckBox("Stop early when validation loss stops improving")
        self.defaults_button = QPushButton("Model defaults")
        params_box = QGroupBox("Training settings")
        form = QFormLayout(params_box)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Schedule", self.schedule)
        form.addRow("Validation share", self.validation)
        form.addRow(self.augment)
        form.addRow(self.early_stopping)
        form.addRow(self.defaults_button)

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
        side.addWidget(data_box)
        side.addWidget(model_box)
        side.addWidget(params_box)
        side.addLayout(buttons)
        side.addWidget(self.continue_button)
        side.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(330)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFormat("Ready")
        self.progress.setValue(0)
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
        self.right_splitter.setSizes([330, 360, 90])
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.right_splitter)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self._set_running(False)

    def _connect(self) -> None:
        self.dataset_combo.activated.connect(self._on_dataset_activated)
        self.model_combo.currentIndexChanged.connect(self._on_model_changed)
        self.defaults_button.clicked.connect(self._apply_model_defaults)
        self.summary_button.clicked.connect(self._on_summary)
        self.train_button.clicked.connect(self._on_train_clicked)
        self.continue_button.clicked.connect(self._on_continue_clicked)
        self.stop_button.clicked.connect(self.stop_training)

    @Slot()
    def _on_train_clicked(self) -> None:
        self.start_training(continue_current=False)

    @Slot()
    def _on_continue_clicked(self) -> None:
        self.start_training(continue_current=True)

    # ------------------------------------------------------------ settings

    def restore(self, settings: QSettings) -> None:
        """Last dataset, model and hyperparameters (QSettings), then load the dataset."""
        for path in settings.value("training/imports", [], list) or []:
            self._add_import(str(path), select=False)
        self._select_combo(self.model_combo, settings.value("training/model", DEFAULT_MODEL))
        self._apply_model_defaults()
        self.epochs.setValue(int(settings.value("training/epochs", self.epochs.value())))
        self.batch_size.setValue(int(settings.value("training/batch_size", self.batch_size.value())))
        self.learning_rate.setValue(float(settings.value("training/learning_rate", self.learning_rate.value())))
        self.optimizer.setCurrentText(str(settings.value("training/optimizer", "adam")))
        self.schedule.setCurrentText(str(settings.value("training/schedule", self.schedule.currentText())))
        self.validation.setValue(float(settings.value("training/validation", 0.1)))
        self.augment.setChecked(settings.value("training/augment", False, bool))
        self.early_stopping.setChecked(settings.value("training/early_stopping", False, bool))
        self._select_combo(self.dataset_combo, settings.value("training/dataset", "mnist"))
        state = settings.value("training/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        state = settings.value("training/right_splitter")
        if state is not None:
            self.right_splitter.restoreState(state)
        self._load_selected_dataset()

    def save(self, settings: QSettings) -> None:
        settings.setValue("training/dataset", self.dataset_combo.currentData())
        settings.setValue("training/imports", [self.dataset_combo.itemData(i) for i in range(self.dataset_combo.count())
                                               if str(self.dataset_combo.itemData(i)).startswith("path:")])
        settings.setValue("training/model", self.model_combo.currentData())
        settings.setValue("training/epochs", self.epochs.value())
        settings.setValue("training/batch_size", self.batch_size.value())
        settings.setValue("training/learning_rate", self.learning_rate.value())
        settings.setValue("training/optimizer", self.optimizer.currentText())
        settings.setValue("training/schedule", self.schedule.currentText())
        settings.setValue("training/validation", self.validation.value())
        settings.setValue("training/augment", self.augment.isChecked())
        settings.setValue("training/early_stopping", self.early_stopping.isChecked())
        settings.setValue("training/splitter", self.splitter.saveState())
        settings.setValue("training/right_splitter", self.right_splitter.saveState())

    @staticmethod
    def _select_combo(combo: QComboBox, data) -> None:
        index = combo.findData(data)
        if index >= 0:
            combo.setCurrentIndex(index)

    @Slot()
    def _apply_model_defaults(self) -> None:
        spec = MODELS[self.model_combo.currentData()]
        self.epochs.setValue(spec.epochs)
        self.batch_size.setValue(spec.batch_size)
        self.learning_rate.setValue(spec.learning_rate)
        self.schedule.setCurrentText(spec.schedule)
        self.optimizer.setCurrentText("adam")

    def config(self):
        """The settings as a core ``TrainConfig``."""
        from digitapp.core.training import TrainConfig

        return TrainConfig(
            epochs=self.epochs.value(), batch_size=self.batch_size.value(),
            learning_rate=self.learning_rate.value(), optimizer=self.optimizer.currentText(),
            schedule=self.schedule.currentText(), augment=self.augment.isChecked(),
            early_stopping=self.early_stopping.isChecked(), validation_fraction=self.validation.value(),
        )

    # ------------------------------------------------------------ datasets

    def dataset_key(self) -> str:
        return str(self.dataset_combo.currentData())

    def current_dataset(self) -> datasets.Dataset | None:
        return self._datasets.get(self.dataset_key())

    @Slot(int)
    def _on_dataset_activated(self, index: int) -> None:
        key = self.dataset_combo.itemData(index)
        if key == IMPORT_NPZ:
            path, _ = QFileDialog.getOpenFileName(self, "Import dataset", "", "NumPy archive (*.npz)")
            self._finish_import(path)
        elif key == IMPORT_FOLDER:
            path = QFileDialog.getExistingDirectory(self, "Import dataset folder")
            self._finish_import(path)
        else:
            self._load_selected_dataset()

    def _finish_import(self, path: str) -> None:
        if path:
            self.import_dataset(path)
        else:
            self._select_combo(self.dataset_combo, self._last_dataset_key)

    def import_dataset(self, path: str) -> None:
        """Add an imported dataset (npz or folder) to the picker, select and load it."""
        self._add_import(path, select=True)
        self._load_selected_dataset()

    def add_loaded_dataset(self, key: str, dataset: datasets.Dataset) -> None:
        """Offer a dataset that is already in memory (scripts, benchmarks) and select it."""
        self._datasets[key] = dataset
        if self.dataset_combo.findData(key) < 0:
            self.dataset_combo.insertItem(3, dataset.name, key)
        self._select_combo(self.dataset_combo, key)
        self._load_selected_dataset()

    def _add_import(self, path: str, select: bool) -> None:
        key = path if path.startswith("path:") else f"path:{path}"
        if self.dataset_combo.findData(key) < 0:
            self.dataset_combo.insertItem(3, f"Imported: {key[5:]}", key)
        if select:
            self._select_combo(self.dataset_combo, key)

    def _load_selected_dataset(self) -> None:
        key = self.dataset_key()
        self._last_dataset_key = key
        if key in self._datasets:
            self._show_dataset(self._datasets[key])
            return
        self.dataset_info.setText("Loading…")
        self._update_buttons()
        source = key[5:] if key.startswith("path:") else key
        self.jobs.call(datasets.load_dataset, source,
                       on_done=lambda ds, key=key: self._on_dataset_loaded(key, ds),
                       on_error=self._on_dataset_failed, uses_tf=False)

    def _on_dataset_loaded(self, key: str, dataset: datasets.Dataset) -> None:
        self._datasets[key] = dataset
        self._dataset_error = None
        if key == self.dataset_key():
            self._show_dataset(dataset)
        for note in dataset.notes:
            self.log.appendPlainText(f"{dataset.name}: {note}")

    def _on_dataset_failed(self, message: str) -> None:
        self.dataset_info.setText(f"<span style='color:#b00'>{message}</span>")
        self.status.emit(message)
        self._dataset_error = message
        self._draw_samples(None)
        self._update_buttons()

    def _show_dataset(self, dataset: datasets.Dataset) -> None:
        self.dataset_info.setText(dataset.summary())
        self._draw_samples(dataset)
        self._update_model_info()
        self._update_buttons()

    def _draw_samples(self, dataset: datasets.Dataset | None) -> None:
        self.samples_figure.clear()
        if dataset is not None:
            picks = np.random.default_rng(0).choice(len(dataset.x_train), SAMPLE_STRIP, replace=False)
            for i, index in enumerate(picks):
                ax = self.samples_figure.add_subplot(1, SAMPLE_STRIP, i + 1)
                image = dataset.x_train[index]
                ax.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray", vmin=0, vmax=255)
                ax.set_title(dataset.class_names[dataset.y_train[index]][:8], fontsize=7)
                ax.axis("off")
        self.samples_canvas.draw_idle()

    # ------------------------------------------------------------ model info

    def set_backend_ready(self) -> None:
        """TensorFlow is imported: model details and training become available."""
        self._backend_ready = True
        self._update_model_info()
        self._update_buttons()

    @Slot()
    def _on_model_changed(self) -> None:
        self._apply_model_defaults()
        self._update_model_info()

    def _update_model_info(self) -> None:
        dataset = self.current_dataset()
        if not self._backend_ready or dataset is None:
            self.model_info.setText("Parameters: …")
            return
        from digitapp.core.models import describe

        name = self.model_combo.currentData()
        self.jobs.call(describe, name, dataset.input_shape, dataset.num_classes,
                       on_done=lambda result, name=name: self._on_described(name, result))

    def _on_described(self, name: str, result) -> None:
        if name == self.model_combo.currentData():
            params, summary = result
            self.model_info.setText(f"{params:,} parameters")
            self._summary = summary

    @Slot()
    def _on_summary(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(f"Model summary: {self.model_combo.currentData()}")
        box.setText(f"<pre>{self._summary}</pre>")
        box.exec()

    # ------------------------------------------------------------ training

    @property
    def backend_ready(self) -> bool:
        return self._backend_ready

    @property
    def worker(self) -> TrainingWorker | None:
        """The running training worker (connect to its signals), or None."""
        return self._worker

    def is_training(self) -> bool:
        return self._worker is not None

    def dataset_error(self) -> str | None:
        """Why the last dataset could not be loaded, or None."""
        return self._dataset_error

    def batches_done(self) -> int:
        """Batches of the current (or last) run reported so far."""
        return self._batches_done

    def set_current_model(self, trained, show_history: bool = True) -> None:
        """Show a model's results, and its curves from the history unless the live ones
        from training are already on screen."""
        self._current = trained
        if show_history:
            self.plots.set_history(trained.info.history)
        if trained.evaluation is not None and trained.dataset is not None:
            ds = trained.dataset
            self.results.show_results(trained.evaluation, ds.x_test, ds.y_test, ds.class_names)
        else:
            metrics = trained.info.metrics
            acc = metrics.get("test_accuracy")
            self.results.summary.setText(
                f"Opened model trained on {trained.info.dataset or 'unknown data'}"
                + (f" · test accuracy <b>{acc:.2%}</b> (from its sidecar)" if isinstance(acc, float) else "")
            )
        self._update_buttons()

    def start_training(self, continue_current: bool = False) -> None:
        dataset = self.current_dataset()
        if dataset is None or not self._backend_ready or self.is_training():
            return
        config = self.config()
        try:
            config.check()
        except ValueError as exc:
            QMessageBox.warning(self, "Training settings", str(exc))
            return
        model, history, architecture = None, None, self.model_combo.currentData()
        self._continuing = continue_current and self._current is not None
        done_epochs = 0
        if self._continuing:
            model, history = self._current.model, self._current.info.history
            architecture = self._current.info.architecture or architecture
            done_epochs = len(history.get("loss") or [])
        self.plots.begin_run(config.epochs, dataset.num_classes, continue_from=done_epochs)
        self._batches_done = 0
        self._worker = TrainingWorker(lambda: dataset, architecture, config, model, history)
        self._worker.started.connect(self._on_started)
        self._worker.batch_done.connect(self._on_batch_done)
        self._worker.epoch_done.connect(self._on_epoch_done)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._set_running(True)
        self.progress.setValue(0)
        self.progress.setFormat("Starting…")
        self.log.appendPlainText(
            f"{'Continuing' if self._continuing else 'Training'} {architecture} on {dataset.name}: "
            f"{config.epochs} epochs, batch {config.batch_size}, {config.optimizer} lr {config.learning_rate:g}"
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
    def _on_started(self) -> None:
        self.status.emit("Training…")

    @Slot(dict)
    def _on_batch_done(self, p: dict) -> None:
        self.plots.add_batch(p)
        self._batches_done = (p["epoch"] - 1) * p["batches"] + p["batch"]
        # Everything goes into the progress bar's own text: updating a QLabel here re-lays
        # out the window and cost the event loop 20–35 ms per update (measured).
        self.progress.setValue(int(p["progress"] * 1000))
        self.progress.setFormat(
            f"Epoch {p['epoch']}/{p['epochs']} · batch {p['batch']}/{p['batches']} · %p% · "
            f"{p['samples_per_second']:,.0f} img/s · elapsed {format_duration(p['elapsed'])} · ETA {format_duration(p['eta'])}"
        )

    @Slot(int, dict)
    def _on_epoch_done(self, epoch: int, m: dict) -> None:
        from digitapp.core.training import epoch_line

        self.plots.add_epoch(epoch, m)
        self.log.appendPlainText(epoch_line(epoch, m))

    @Slot(object)
    def _on_finished(self, trained) -> None:
        self._worker = None
        self._set_running(False)
        result = trained.result
        stopped = " (stopped)" if result.stopped else ""
        self.progress.setValue(1000 if not result.stopped else self.progress.value())
        self.progress.setFormat(f"Done{stopped} in {format_duration(result.train_seconds)} · "
                                f"test accuracy {trained.evaluation.accuracy:.2%}")
        self.log.appendPlainText(
            f"trained in {result.train_seconds:.1f} s{stopped}; test accuracy {trained.evaluation.accuracy:.2%}, "
            f"test loss {trained.evaluation.loss:.4f}"
        )
        self.plots.end_run()
        self.set_current_model(trained, show_history=False)
        self.model_ready.emit(trained)
        self.status.emit(f"Training finished{stopped}: test accuracy {trained.evaluation.accuracy:.2%}")
        self.training_ended.emit()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._worker = None
        self._set_running(False)
        self.plots.end_run()
        self.progress.setFormat("Failed")
        self.log.appendPlainText(f"error: {message}")
        self.status.emit(message)
        self.training_ended.emit()
        if self.isVisible():
            QMessageBox.warning(self, "Training failed", message)

    def _set_running(self, running: bool) -> None:
        for widget in (self.dataset_combo, self.model_combo, self.epochs, self.batch_size, self.learning_rate,
                       self.optimizer, self.schedule, self.validation, self.augment, self.early_stopping,
                       self.defaults_button):
            widget.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = self._worker is None
        ready = idle and self._backend_ready and self.current_dataset() is not None
        self.train_button.setEnabled(ready)
        self.continue_button.setEnabled(ready and self._current is not None)
        self.summary_button.setEnabled(self._backend_ready)
