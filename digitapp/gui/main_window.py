"""The main window: tabs, menus (open/save model, export history), status bar, and a
clean shutdown that never destroys a running thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget

from digitapp.core.errors import user_message
from digitapp.core.formatting import shape_text
from digitapp.core.resources import resource_path
from digitapp.gui.about import about_box
from digitapp.gui.idle import WhenIdle
from digitapp.gui.model_files import ModelFiles
from digitapp.gui.serving import Serving
from digitapp.gui.session import Run, Session
from digitapp.gui.workers import Jobs

GEOMETRY_KEY = "window/geometry"  # settings this window keeps (the tabs keep their own)
# While autosaves are still being written, closing waits this long between checks.
CLOSE_RETRY_MS = 100


def _import_backend() -> str:
    """Runs off the GUI thread: TensorFlow takes seconds to import."""
    from digitapp.core import workflow

    return workflow.backend_version()


class MainWindow(QMainWindow):
    """DigitApp's window. TensorFlow loads in the background after the window shows.

    The session (:class:`Session`) owns every model; the tabs show its current run.

    Signals:
        backend_failed(str): TensorFlow could not be imported (the reason, one sentence).
        closed(): the window has closed for good (training stopped, runs kept, threads done).
    """

    backend_failed = Signal(str)
    closed = Signal()

    def __init__(self, settings: QSettings | None = None, deferred: bool = False):
        """Args:
            deferred: build only the frame now and the tabs on ``build_content()``, so the
                window can be on screen before matplotlib is even imported (~1 s).
        """
        super().__init__()
        self.settings = settings or QSettings()
        self.setWindowTitle("DigitApp")
        self.setWindowIcon(QIcon(str(resource_path("icon.png"))))
        self.jobs = Jobs(self)
        self.session = Session(self)
        self.files = ModelFiles(self, self.session, self.settings, self.jobs)
        self.serving = Serving(self.jobs, self.session, self)
        self.serving.failed.connect(self._on_status)
        self.statusBar().addPermanentWidget(self.serving.link)
        self._closing = False
        self._pending_model: str | None = None  # a file to open once TensorFlow is ready
        # Says so until then; permanent: the tabs' passing messages at start-up would cover it.
        self.pending_label = QLabel(visible=False)
        self.statusBar().addPermanentWidget(self.pending_label)
        self.about_box: QMessageBox | None = None
        # Closing waits (without blocking the event loop) for autosaves in flight.
        self._close_retry = QTimer(self, singleShot=True, interval=CLOSE_RETRY_MS)
        self._close_retry.timeout.connect(self.close)
        self.training_tab = None
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self._build_menus()
        # The default size, within the screen's free area (less a title bar) on small laptops.
        available = self.screen().availableGeometry()
        self.resize(min(1280, available.width()), min(820, available.height() - 32))
        geometry = self.settings.value(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.open_action.setEnabled(False)
        self.save_action.setEnabled(False)
        self.export_action.setEnabled(False)
        self.files.status.connect(self._on_status)
        self.session.current_changed.connect(self._on_current_changed)
        self.session.runs_changed.connect(self._update_actions)
        if deferred:
            self.statusBar().showMessage("Starting…")
        else:
            self.build_content()

    @property
    def current(self):
        """The ``TrainedModel`` in use (the session's current run), or None."""
        return self.session.current.trained if self.session.current is not None else None

    def build_content(self) -> None:
        """Create the tabs (imports matplotlib) and restore the last session's settings."""
        from digitapp.gui.predict_tab import PredictTab
        from digitapp.gui.runs_panel import RunsPanel
        from digitapp.gui.training_tab import TrainingTab

        self.training_tab = TrainingTab(self.session)
        self.predict_tab = PredictTab()
        self.runs_panel = RunsPanel(self.session)
        self.tabs.addTab(self.training_tab, "Training")
        self.tabs.addTab(self.predict_tab, "Predict")
        self.tabs.addTab(self.runs_panel, "Runs")
        self.training_tab.status.connect(self._on_status)
        self.predict_tab.status.connect(self._on_status)
        self.predict_tab.start_default()
        self.training_tab.model_ready.connect(self._on_model_ready)
        self.predict_tab.model_learned.connect(self._on_model_ready)  # a fine-tune: a new run too
        self.training_tab.picker.dataset_changed.connect(self._on_dataset_changed)
        self.runs_panel.save_requested.connect(self._on_save_requested)
        self.training_tab.restore(self.settings)
        self._update_actions()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open model…", self, shortcut=QKeySequence.Open, triggered=self.open_model)
        self.save_action = QAction("&Save model…", self, shortcut=QKeySequence.Save, triggered=self.save_model)
        self.export_model_action = QAction("&Export model (ONNX, LiteRT, …)…", self, triggered=self.export_model)
        self.export_action = QAction("Export training &history (CSV)…", self, triggered=self.export_history)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.Quit, triggered=self.close)
        for action in (self.open_action, self.save_action, self.export_model_action, self.serving.action,
                       self.export_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(QAction("&About DigitApp", self, triggered=self._about))

    @Slot(str)
    def _on_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # ------------------------------------------------------------ start-up

    def start_backend(self) -> None:
        """Import TensorFlow in a worker thread once the user pauses; Train is enabled when it is
        ready. The bundled model's quick copy loads first: the import holds the interpreter."""
        if self.predict_tab is not None and self.predict_tab.default_loading():
            self.predict_tab.default_settled.connect(self.start_backend, Qt.SingleShotConnection)
            return
        self.statusBar().showMessage("Loading TensorFlow… (the window works meanwhile)")
        self._idle = WhenIdle(self._start_import, parent=self)  # the import stalls the window: not while drawing

    def _start_import(self) -> None:
        self.jobs.call(_import_backend, on_done=self._on_backend_ready, on_error=self._on_backend_failed)

    def _on_backend_ready(self, version: str) -> None:
        self.training_tab.set_backend_ready()
        self.predict_tab.upgrade_default()
        self._update_actions()
        self.statusBar().showMessage(f"Ready (TensorFlow {version})", 5000)
        self.files.offer_recovery()
        if self._pending_model is not None:
            path, self._pending_model = self._pending_model, None
            self.pending_label.hide()
            self._open_for_predicting(path)  # says "Opening …" itself

    def _on_backend_failed(self, error: Exception) -> None:
        message = user_message(error)
        self._pending_model = None  # it cannot open without TensorFlow; the box says why
        self.pending_label.hide()
        self.statusBar().showMessage("TensorFlow could not be loaded; training and prediction are unavailable.")
        box = QMessageBox(QMessageBox.Critical, "DigitApp", f"TensorFlow could not be loaded: {message}",
                          QMessageBox.Ok, self)
        box.open()  # not exec(): the event loop (and a self-test watching it) goes on
        self.backend_failed.emit(message)

    # ------------------------------------------------------------ the model in use

    @Slot(object)
    def _on_model_ready(self, trained) -> None:
        run = self.session.add(trained)  # a new run: the previous ones stay in the Runs tab
        stopped = " (stopped)" if trained.result.stopped else ""
        self.statusBar().showMessage(f"{run.name} finished{stopped}: test accuracy {trained.evaluation.accuracy:.2%} "
                                     f"(trained on {trained.info.metrics['trained_on']}; kept in the Runs tab)", 8000)

    @Slot(object)
    def _on_current_changed(self, run: Run | None) -> None:
        """Every view redraws from the run now in use, or says why it has nothing to show."""
        self._update_actions()
        if self.training_tab is None:
            return
        if run is not None:
            self.predict_tab.set_model(run.trained)
        self._show_current()

    @Slot(object)
    def _on_dataset_changed(self, _dataset) -> None:
        if self.session.current is not None:
            self._show_current()

    def _show_current(self) -> None:
        """Show the current run against the selected dataset, evaluating it there first
        when it was trained or tested on other data."""
        run = self.session.current
        dataset = self.training_tab.current_dataset()
        if run is None or dataset is None or run.trained.dataset is dataset:
            self.training_tab.show_model(run)
            return
        from digitapp.core import rejection  # numpy and Pillow: not on the way to the first frame

        info = run.trained.info
        if tuple(info.input_shape) != dataset.input_shape or not rejection.fits(info.class_names, dataset):
            self.training_tab.show_model(run, note=(
                f"It takes {shape_text(info.input_shape)} images in {len(info.class_names)} classes; "
                f"{dataset.name} has {shape_text(dataset.input_shape)} in {dataset.num_classes}: "
                "choose a dataset that fits to see its results."))
            return
        from digitapp.core import workflow

        self.training_tab.show_model(run)  # "Evaluating on the selected dataset…" meanwhile
        self.jobs.call(_evaluate, workflow, run, dataset, on_done=self._on_evaluated)

    def _on_evaluated(self, result) -> None:
        run, trained = result
        if run in self.session.runs and trained.dataset is self.training_tab.current_dataset():
            self.session.replace_model(run, trained)

    def _update_actions(self) -> None:
        ready = self.training_tab is not None and self.training_tab.backend_ready
        current = self.current
        self.open_action.setEnabled(ready)
        self.save_action.setEnabled(current is not None)
        self.export_model_action.setEnabled(current is not None)
        self.export_action.setEnabled(current is not None and bool(current.info.history))

    # ------------------------------------------------------------ files

    @Slot()
    def open_model(self) -> None:
        self.files.ask_and_open()

    def open_when_ready(self, path: str) -> None:
        """Open ``path`` (the file the app was started with) once TensorFlow has loaded, in the Predict tab."""
        if self.training_tab is not None and self.training_tab.backend_ready:
            self._open_for_predicting(path)
            return
        self._pending_model = path
        self.pending_label.setText(f"{Path(path).name} opens once TensorFlow has loaded…")
        self.pending_label.show()

    def _open_for_predicting(self, path: str) -> None:
        self.files.open(path, then=self._on_opened_for_predicting)

    @Slot(object)
    def _on_opened_for_predicting(self, _run) -> None:
        self.tabs.setCurrentWidget(self.predict_tab)

    def load_model_file(self, path: str, trust_code: bool = False) -> None:
        self.files.open(path, trust_code)

    @Slot()
    def save_model(self) -> None:
        self.files.ask_and_save(self.session.current)

    @Slot(object)
    def _on_save_requested(self, run: Run) -> None:
        self.files.ask_and_save(run)

    def save_model_to(self, path: str) -> None:
        """Save the run in use to ``path`` (off the GUI thread)."""
        if self.session.current is not None:
            self.files.save(self.session.current, path)

    @Slot()
    def export_model(self) -> None:
        """Export the run in use, proven on its own dataset's test images (or, for a model
        opened from a file, on the dataset chosen in the Training tab)."""
        run = self.session.current
        if run is not None:
            self.files.ask_and_export(run, run.trained.dataset or self.training_tab.current_dataset())

    @Slot()
    def export_history(self) -> None:
        self.files.export_history(self.session.current)

    def _about(self) -> None:
        self.about_box = about_box(self)
        self.about_box.open()

    # ------------------------------------------------------------ shutdown

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.training_tab is None:  # closed before the tabs were built
            self.jobs.shut_down()
            event.accept()
            return
        if (self.training_tab.is_training() or self.session.busy() or self.files.exporting() or self.serving.busy()
                or self.predict_tab.busy()):  # out of sight at once; training stops after its batch (kept, autosaved)
            if self.training_tab.is_training() and not self._closing:
                self.training_tab.training_ended.connect(self._on_training_ended_while_closing)
                self.training_tab.stop_training()
            self._closing = True
            self.hide()
            if not self.training_tab.is_training():
                self._close_retry.start()
            event.ignore()
            return
        if not self._confirm_close():
            self._closing = False
            self.show()
            event.ignore()
            return
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.training_tab.save(self.settings)
        for jobs in (self.jobs, self.session.jobs, self.training_tab.jobs, self.predict_tab.jobs):
            jobs.shut_down()
        self.serving.stop_now()
        event.accept()
        self.closed.emit()

    @Slot()
    def _on_training_ended_while_closing(self) -> None:
        self._close_retry.start()  # the stopped run's autosave starts now; close after it

    def _confirm_close(self) -> bool:
        """Ask about runs that would be lost (their autosave failed); runs that are autosaved
        are only mentioned: they are offered back at the next start."""
        at_risk = self.session.at_risk()
        if at_risk:
            self.show()
            names = ", ".join(run.name for run in at_risk)
            answer = QMessageBox.warning(
                self, "Unsaved runs", f"{names} {'is' if len(at_risk) == 1 else 'are'} not saved and could not be "
                "kept for the next start. Save before closing?",
                QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
            if answer == QMessageBox.Cancel:
                return False
            if answer == QMessageBox.Save:
                if not all(self.files.ask_and_save(run) for run in at_risk):
                    return False
                self._close_retry.start()  # close once the saves are written
                return False
            return True
        unsaved = self.session.unsaved()
        if unsaved:
            self.statusBar().showMessage(f"{len(unsaved)} unsaved run(s) are kept; DigitApp offers them "
                                         "back at the next start.")
        return True


def _evaluate(workflow, run: Run, dataset):
    """Runs in a worker: the run with its model evaluated on ``dataset``."""
    return run, workflow.evaluate_on(run.trained, dataset)
