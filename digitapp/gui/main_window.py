"""The main window: tabs, menus (open/save model, export history), status bar, and a
clean shutdown that never destroys a running thread."""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSettings, Signal, Slot, qVersion
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QTabWidget

from digitapp import __version__
from digitapp.core import reports
from digitapp.core.config import MODEL_SUFFIXES
from digitapp.core.errors import DigitAppError, UnsafeModelError, user_message
from digitapp.core.resources import resource_path
from digitapp.gui.workers import Jobs

# Settings this window keeps (the tabs keep their own under their own groups).
GEOMETRY_KEY = "window/geometry"
LAST_DIR_KEY = "paths/last_dir"
# Open accepts every model suffix; Save offers the native one first, then legacy HDF5.
OPEN_FILTER = f"Keras models ({' '.join('*' + s for s in MODEL_SUFFIXES)})"
SAVE_FILTERS = (f"Keras model (*{MODEL_SUFFIXES[0]})", f"Legacy HDF5 model (*{MODEL_SUFFIXES[1]})")


def _import_backend() -> str:
    """Runs off the GUI thread: TensorFlow takes seconds to import."""
    from digitapp.core import workflow

    return workflow.backend_version()


# (distribution, shown as, licence) of what the app is built from.
COMPONENTS = (
    ("tensorflow", "TensorFlow", "Apache-2.0"),
    ("keras", "Keras", "Apache-2.0"),
    ("numpy", "NumPy", "BSD-3-Clause"),
    ("matplotlib", "Matplotlib", "Matplotlib licence (PSF-based)"),
    ("pillow", "Pillow", "MIT-CMU"),
)


def about_html() -> str:
    """Versions and licences of the app and what it is built from."""
    rows = [f"<tr><td>Python</td><td>{platform.python_version()}</td><td>PSF</td></tr>",
            f"<tr><td>Qt</td><td>{qVersion()} (PySide6 {pyside_version})</td><td>LGPL-3.0</td></tr>"]
    for dist, name, licence in COMPONENTS:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "bundled"
        rows.append(f"<tr><td>{name}</td><td>{version}</td><td>{licence}</td></tr>")
    return (f"<h3>DigitApp {__version__}</h3><p>Train an image classifier and use it.</p>"
            "<table cellspacing=4>" + "".join(rows) + "</table>"
            "<p>Bundled data: the MNIST database of handwritten digits © Yann LeCun, Corinna Cortes "
            "and Christopher J.C. Burges, licensed under "
            "<a href='https://creativecommons.org/licenses/by-sa/3.0/'>CC BY-SA 3.0</a>.</p>")


class MainWindow(QMainWindow):
    """DigitApp's window. TensorFlow loads in the background after the window shows.

    Signals:
        backend_failed(str): TensorFlow could not be imported (the reason, one sentence).
    """

    backend_failed = Signal(str)

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
        self.current = None  # the TrainedModel in use
        self._closing = False
        self.training_tab = None
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self._build_menus()
        self.resize(1280, 820)
        geometry = self.settings.value(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.open_action.setEnabled(False)
        self.save_action.setEnabled(False)
        self.export_action.setEnabled(False)
        if deferred:
            self.statusBar().showMessage("Starting…")
        else:
            self.build_content()

    def build_content(self) -> None:
        """Create the tabs (imports matplotlib) and restore the last session's settings."""
        from digitapp.gui.predict_tab import PredictTab
        from digitapp.gui.training_tab import TrainingTab

        self.training_tab = TrainingTab()
        self.predict_tab = PredictTab()
        self.tabs.addTab(self.training_tab, "Training")
        self.tabs.addTab(self.predict_tab, "Predict")
        self.training_tab.status.connect(self.statusBar().showMessage)
        self.training_tab.model_ready.connect(self._on_model_ready)
        self.training_tab.restore(self.settings)
        self._update_actions()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open model…", self, shortcut=QKeySequence.Open, triggered=self.open_model)
        self.save_action = QAction("&Save model…", self, shortcut=QKeySequence.Save, triggered=self.save_model)
        self.export_action = QAction("Export training &history (CSV)…", self, triggered=self.export_history)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.Quit, triggered=self.close)
        for action in (self.open_action, self.save_action, self.export_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(QAction("&About DigitApp", self, triggered=self._about))

    # ------------------------------------------------------------ start-up

    def start_backend(self) -> None:
        """Import TensorFlow in a worker thread; Train is enabled when it is ready."""
        self.statusBar().showMessage("Loading TensorFlow… (the window works meanwhile)")
        self.jobs.call(_import_backend, on_done=self._on_backend_ready, on_error=self._on_backend_failed)

    def _on_backend_ready(self, version: str) -> None:
        self.training_tab.set_backend_ready()
        self._update_actions()
        self.statusBar().showMessage(f"Ready (TensorFlow {version})", 5000)

    def _on_backend_failed(self, error: Exception) -> None:
        message = user_message(error)
        self.statusBar().showMessage("TensorFlow could not be loaded; training and prediction are unavailable.")
        box = QMessageBox(QMessageBox.Critical, "DigitApp", f"TensorFlow could not be loaded: {message}",
                          QMessageBox.Ok, self)
        box.open()  # not exec(): the event loop (and a self-test watching it) goes on
        self.backend_failed.emit(message)

    # ------------------------------------------------------------ models

    @Slot(object)
    def _on_model_ready(self, trained) -> None:
        self.current = trained
        self.predict_tab.set_model(trained)
        self._update_actions()

    def _update_actions(self) -> None:
        ready = self.training_tab.backend_ready
        self.open_action.setEnabled(ready)
        self.save_action.setEnabled(self.current is not None)
        self.export_action.setEnabled(self.current is not None and bool(self.current.info.history))

    @Slot()
    def open_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model", self._last_dir(), OPEN_FILTER)
        if path:
            self.load_model_file(path)

    def load_model_file(self, path: str, trust_code: bool = False) -> None:
        self.settings.setValue(LAST_DIR_KEY, str(Path(path).parent))
        self.statusBar().showMessage(f"Opening {Path(path).name}…")
        from digitapp.core import workflow

        self.jobs.call(workflow.open_model, path, trust_code, on_done=self._on_model_opened,
                       on_error=self._on_model_error)

    def _on_model_opened(self, trained) -> None:
        from digitapp.core import workflow

        self.current = trained
        self.training_tab.set_current_model(trained)
        self.predict_tab.set_model(trained)
        self._update_actions()
        self.statusBar().showMessage(f"Opened a model for {', '.join(trained.info.class_names[:4])}…", 5000)
        dataset = self.training_tab.current_dataset()
        if dataset is not None and dataset.input_shape == trained.info.input_shape \
                and dataset.num_classes == len(trained.info.class_names):
            self.jobs.call(workflow.evaluate_on, trained, dataset, on_done=self._on_model_evaluated)

    def _on_model_evaluated(self, trained) -> None:
        if self.current is not None and self.current.model is trained.model:
            self.current = trained
            self.training_tab.set_current_model(trained)

    def _on_model_error(self, error: Exception) -> None:
        if isinstance(error, UnsafeModelError):
            self._ask_to_trust(error)
            return
        message = user_message(error)
        self.statusBar().showMessage(message)
        QMessageBox.warning(self, "DigitApp", message)

    def _ask_to_trust(self, refusal: UnsafeModelError) -> None:
        self.statusBar().showMessage(str(refusal))
        answer = QMessageBox.warning(
            self, "Model contains code",
            f"{refusal}\n\nOpen it anyway only if you made this file yourself: its code will run "
            "with your permissions.",
            QMessageBox.Open | QMessageBox.Cancel, QMessageBox.Cancel)
        if answer == QMessageBox.Open:
            self.load_model_file(refusal.path, trust_code=True)

    @Slot()
    def save_model(self) -> None:
        if self.current is None:
            return
        suggested = str(Path(self._last_dir()) / f"{self.current.info.architecture or 'model'}.keras")
        path, chosen = QFileDialog.getSaveFileName(self, "Save model", suggested, ";;".join(SAVE_FILTERS))
        if not path:
            return
        if Path(path).suffix.lower() not in MODEL_SUFFIXES:
            path += MODEL_SUFFIXES[SAVE_FILTERS.index(chosen)] if chosen in SAVE_FILTERS else MODEL_SUFFIXES[0]
        self.save_model_to(path)

    def save_model_to(self, path: str) -> None:
        from digitapp.core import workflow

        self.settings.setValue(LAST_DIR_KEY, str(Path(path).parent))
        self.statusBar().showMessage(f"Saving {Path(path).name}…")
        self.jobs.call(workflow.save_model, self.current, path, on_done=self._on_saved, on_error=self._on_save_error)

    def _on_saved(self, saved: Path) -> None:
        self.statusBar().showMessage(f"Saved {saved}", 8000)

    def _on_save_error(self, error: Exception) -> None:
        # The model is still in memory: the user can pick another place.
        message = user_message(error)
        self.statusBar().showMessage(message)
        QMessageBox.warning(self, "Model not saved", f"{message}\nThe model is kept; save it somewhere else.")

    @Slot()
    def export_history(self) -> None:
        if self.current is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export training history", str(
            Path(self._last_dir()) / "history.csv"), "CSV (*.csv)")
        if not path:
            return
        try:
            reports.write_history_csv(self.current.info.history, path)
        except DigitAppError as exc:
            QMessageBox.warning(self, "History not exported", str(exc))
        else:
            self.statusBar().showMessage(f"Exported {path}", 5000)

    def _last_dir(self) -> str:
        return str(self.settings.value(LAST_DIR_KEY, str(Path.home())))

    def _about(self) -> None:
        QMessageBox.about(self, "About DigitApp", about_html())

    # ------------------------------------------------------------ shutdown

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.training_tab is None:  # closed before the tabs were built
            self.jobs.wait_all()
            event.accept()
            return
        if self.training_tab.is_training():
            # Stop cooperatively; the window closes once the worker has finished.
            if not self._closing:
                self.training_tab.training_ended.connect(self.close)
            self.training_tab.stop_training()
            self.statusBar().showMessage("Stopping training before closing…")
            self._closing = True
            event.ignore()
            return
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.training_tab.save(self.settings)
        self.jobs.wait_all()
        self.training_tab.jobs.wait_all()
        self.predict_tab.jobs.wait_all()
        event.accept()
