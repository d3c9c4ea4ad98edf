"""Models and files: open a model (trusting its code only when asked), save a run where the
user says, export a run's history, and offer back the runs an earlier session did not save.
Everything lands in, or comes from, the :class:`~digitapp.gui.session.Session`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from digitapp.core import reports, runs
from digitapp.core.config import MODEL_SUFFIXES
from digitapp.core.errors import DigitAppError, UnsafeModelError, user_message
from digitapp.gui.export_dialog import ExportDialog
from digitapp.gui.session import OPENED, RECOVERED, Run, Session
from digitapp.gui.workers import Jobs

LAST_DIR_KEY = "paths/last_dir"
# Open accepts every model suffix; Save offers the native one first, then legacy HDF5.
OPEN_FILTER = f"Keras models ({' '.join('*' + s for s in MODEL_SUFFIXES)})"
SAVE_FILTERS = (f"Keras model (*{MODEL_SUFFIXES[0]})", f"Legacy HDF5 model (*{MODEL_SUFFIXES[1]})")


class ModelFiles(QObject):
    """The File menu's work on models, with its dialogs parented to ``window``.

    Signals:
        status(str): a one-line message for the status bar.
        opened(object): a model file was opened and added to the session (its :class:`Run`).
    """

    status = Signal(str)
    opened = Signal(object)

    def __init__(self, window: QWidget, session: Session, settings: QSettings, jobs: Jobs):
        super().__init__(window)
        self._window = window
        self._session = session
        self._settings = settings
        self._jobs = jobs
        self.export_dialog: ExportDialog | None = None
        session.saved.connect(self._on_saved)
        session.save_failed.connect(self._on_save_failed)

    # ------------------------------------------------------------ open

    def ask_and_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._window, "Open model", self.last_dir(), OPEN_FILTER)
        if path:
            self.open(path)

    def open(self, path: str, trust_code: bool = False, then: Callable[[Run], None] | None = None) -> None:
        """Open a model file off the GUI thread; it becomes a run of the session, the one in use.
        The run in use before stays in the session (nothing is replaced). ``then`` is called with
        the run if this file opens (and never if it does not: it cannot act on a later file)."""
        from digitapp.core import workflow

        self._remember_dir(path)
        self.status.emit(f"Opening {Path(path).name}…")
        self._jobs.call(_open, workflow, path, trust_code, on_done=functools.partial(self._on_opened, then=then),
                        on_error=self._on_open_failed)

    def _on_opened(self, result, then: Callable[[Run], None] | None = None) -> None:
        path, trained = result
        before = self._session.current
        run = self._session.add(trained, OPENED, path)
        kept = f"; {before.name} stays in Runs" if before is not None else ""
        if before is not None and before.unsaved:
            kept += " (autosaved, not saved yet)" if not before.at_risk else " (not saved yet)"
        self.status.emit(f"Opened {Path(path).name} as {run.name}{kept}.")
        self.opened.emit(run)
        if then is not None:
            then(run)

    def _on_open_failed(self, error: Exception) -> None:
        if isinstance(error, UnsafeModelError):
            self._ask_to_trust(error)
            return
        message = user_message(error)
        self.status.emit(message)
        QMessageBox.warning(self._window, "DigitApp", message)

    def _ask_to_trust(self, refusal: UnsafeModelError) -> None:
        self.status.emit(str(refusal))
        answer = QMessageBox.warning(
            self._window, "Model contains code",
            f"{refusal}\n\nOpen it anyway only if you made this file yourself: its code will run "
            "with your permissions.",
            QMessageBox.Open | QMessageBox.Cancel, QMessageBox.Cancel)
        if answer == QMessageBox.Open:
            self.open(refusal.path, trust_code=True)

    # ------------------------------------------------------------ save

    def ask_and_save(self, run: Run | None) -> bool:
        """Ask where to save ``run`` and save it there; False if the user cancelled."""
        if run is None:
            return False
        name = f"{run.trained.info.architecture or 'model'}-run{run.number}{MODEL_SUFFIXES[0]}"
        path, chosen = QFileDialog.getSaveFileName(self._window, f"Save {run.name}", str(Path(self.last_dir()) / name),
                                                   ";;".join(SAVE_FILTERS))
        if not path:
            return False
        if Path(path).suffix.lower() not in MODEL_SUFFIXES:
            path += MODEL_SUFFIXES[SAVE_FILTERS.index(chosen)] if chosen in SAVE_FILTERS else MODEL_SUFFIXES[0]
        self.save(run, path)
        return True

    def save(self, run: Run, path: str) -> None:
        self._remember_dir(path)
        self.status.emit(f"Saving {run.name} as {Path(path).name}…")
        self._session.save(run, path)

    def _on_saved(self, run: Run) -> None:
        self.status.emit(f"Saved {run.name} as {run.saved_to}")

    def _on_save_failed(self, error: Exception) -> None:
        # The model is still in memory (and autosaved if that worked): another place will do.
        message = user_message(error)
        self.status.emit(message)
        QMessageBox.warning(self._window, "Model not saved", f"{message}\nThe model is kept; save it somewhere else.")

    def ask_and_export(self, run: Run, proof_dataset) -> None:
        """The export dialog for ``run`` (see :class:`ExportDialog`), non-modal."""
        if self.export_dialog is not None and self.export_dialog.is_busy():
            self.export_dialog.raise_()
            return
        if self.export_dialog is not None:
            self.export_dialog.deleteLater()  # it holds its run's model: not kept once replaced
        self.export_dialog = ExportDialog(self._window, run, proof_dataset, self._jobs, self.last_dir())
        self.export_dialog.exported.connect(self._on_exported)
        self.export_dialog.show()

    def exporting(self) -> bool:
        """An export is being written and proven."""
        return self.export_dialog is not None and self.export_dialog.is_busy()

    def _on_exported(self, proof) -> None:
        self.status.emit(f"Exported {proof.path}: {proof.summary()}")

    def export_history(self, run: Run | None) -> None:
        if run is None:
            return
        path, _ = QFileDialog.getSaveFileName(self._window, "Export training history",
                                              str(Path(self.last_dir()) / "history.csv"), "CSV (*.csv)")
        if not path:
            return
        try:
            reports.write_history_csv(run.trained.info.history, path)
        except DigitAppError as exc:
            QMessageBox.warning(self._window, "History not exported", str(exc))
        else:
            self.status.emit(f"Exported {path}")

    # ------------------------------------------------------------ recovery

    def offer_recovery(self) -> None:
        """Runs an earlier session trained but nobody saved (a crash, a power cut, or a close
        that kept them): ask once whether to bring them back or let them go."""
        found = runs.recoverable()
        if not found:
            return
        count = f"{len(found)} training run{'s' if len(found) > 1 else ''}"
        answer = QMessageBox.question(
            self._window, "Unsaved runs",
            f"{count} from an earlier session {'were' if len(found) > 1 else 'was'} never saved. "
            f"Restore {'them' if len(found) > 1 else 'it'} to the Runs tab?",
            QMessageBox.Yes | QMessageBox.Discard, QMessageBox.Yes)
        if answer == QMessageBox.Discard:
            for path in found:
                runs.discard(path)
            self.status.emit(f"Discarded {count}.")
            return
        from digitapp.core import workflow

        for path in found:
            self._jobs.call(_open, workflow, str(path), False, on_done=self._on_recovered,
                            on_error=self._on_recovery_failed)

    def _on_recovered(self, result) -> None:
        path, trained = result
        run = self._session.add(trained, RECOVERED, path)
        self.status.emit(f"Restored {run.name} ({Path(path).name}).")

    def _on_recovery_failed(self, error: Exception) -> None:
        self.status.emit(f"A run could not be restored: {user_message(error)}")

    # ------------------------------------------------------------ folders

    def last_dir(self) -> str:
        return str(self._settings.value(LAST_DIR_KEY, str(Path.home())))

    def _remember_dir(self, path: str) -> None:
        self._settings.setValue(LAST_DIR_KEY, str(Path(path).parent))


def _open(workflow, path: str, trust_code: bool):
    """Runs in a worker: the path with the opened model, so the result says what it is."""
    return path, workflow.open_model(path, trust_code)
