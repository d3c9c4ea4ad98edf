"""The one owner of the models of a session: every run, which one is in use, and whether
each is safe (saved by the user, or autosaved so that it can be offered back)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from digitapp.core import runs
from digitapp.core.applog import log
from digitapp.gui.workers import Jobs

TRAINED, OPENED, RECOVERED = "trained", "opened", "recovered"


@dataclass(eq=False)
class Run:
    """One model of the session: a training run, a model file opened, or a run recovered
    from an earlier session. ``trained`` is the core ``TrainedModel``."""

    number: int
    trained: object
    source: str
    when: _dt.datetime = field(default_factory=_dt.datetime.now)
    autosave: Path | None = None  # kept here until the user saves or deletes the run
    saved_to: Path | None = None  # where the user saved it (or opened it from)

    @property
    def name(self) -> str:
        return f"Run {self.number}"

    @property
    def unsaved(self) -> bool:
        """Not in a file the user chose (it may still be autosaved)."""
        return self.saved_to is None

    @property
    def at_risk(self) -> bool:
        """Lost if the app ended now: neither saved by the user nor autosaved."""
        return self.saved_to is None and self.autosave is None


class Session(QObject):
    """The runs of this session and the one in use. Views never keep their own copy of a
    model: they redraw from ``current`` when ``current_changed`` fires.

    Signals:
        current_changed(object): the run in use changed (a :class:`Run`, or None).
        runs_changed(): a run was added, removed, saved or autosaved.
        saved(object): a run was saved where the user asked (the :class:`Run`).
        save_failed(object): the exception that stopped a save (the run is kept).
    """

    current_changed = Signal(object)
    runs_changed = Signal()
    saved = Signal(object)
    save_failed = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.jobs = Jobs(self)
        self.runs: list[Run] = []
        self.current: Run | None = None
        self._numbers = 0
        self._writing: list[Run] = []  # saves and autosaves whose outcome has not arrived yet

    # ------------------------------------------------------------ runs

    def add(self, trained, source: str = TRAINED, path: str | Path | None = None) -> Run:
        """Keep a model as a new run and make it the one in use. A run just trained is
        autosaved at once (off the GUI thread); an opened file is already safe; a recovered
        run stays in its autosave file."""
        self._numbers += 1
        run = Run(self._numbers, trained, source)
        if source == OPENED:
            run.saved_to = Path(path) if path else None
        elif source == RECOVERED:
            run.autosave = Path(path) if path else None
        self.runs.append(run)
        if source == TRAINED:
            self._autosave(run)
        self.runs_changed.emit()
        self.set_current(run)
        return run

    def set_current(self, run: Run | None) -> None:
        if run is not self.current:
            self.current = run
            self.current_changed.emit(run)

    def replace_model(self, run: Run, trained) -> None:
        """The same run with more known about it (e.g. evaluated on the selected dataset)."""
        run.trained = trained
        if run is self.current:
            self.current_changed.emit(run)

    def remove(self, run: Run) -> None:
        """Forget a run and delete its autosave (the user's own files are never touched)."""
        if run.autosave is not None:
            runs.discard(run.autosave)
            run.autosave = None
        self.runs.remove(run)
        self.runs_changed.emit()
        if run is self.current:
            self.set_current(self.runs[-1] if self.runs else None)

    def save(self, run: Run, path: str | Path) -> None:
        """Save a run where the user asked (off the GUI thread); its autosave then goes."""
        from digitapp.core import workflow

        self._writing.append(run)
        self.jobs.call(_write, workflow, run, Path(path), on_done=self._on_saved)

    def at_risk(self) -> list[Run]:
        """Runs that would be lost if the app ended now (not saved, autosave failed)."""
        return [run for run in self.runs if run.at_risk and run not in self._writing]

    def busy(self) -> bool:
        """Saves or autosaves are still being written (or their outcome is on its way)."""
        return bool(self._writing) or self.jobs.busy()

    def unsaved(self) -> list[Run]:
        return [run for run in self.runs if run.unsaved]

    # ------------------------------------------------------------ autosave

    def _autosave(self, run: Run) -> None:
        from digitapp.core import workflow

        try:
            path = runs.new_autosave_path()
        except OSError as exc:  # a read-only home: the run is kept in memory; closing will ask
            log.warning("no autosave folder: %s", exc)
            return
        self._writing.append(run)
        self.jobs.call(_write, workflow, run, path, on_done=self._on_autosaved)

    def _on_autosaved(self, result) -> None:
        run, path, error = result
        self._writing.remove(run)
        if error is not None:  # the run stays in memory, at risk: closing will ask
            log.warning("autosave of %s failed: %s", run.name, error)
        elif run in self.runs and run.saved_to is None:
            run.autosave = path
        else:  # saved or deleted while the autosave was being written
            runs.discard(path)
        self.runs_changed.emit()

    def _on_saved(self, result) -> None:
        run, path, error = result
        self._writing.remove(run)
        if error is not None:
            self.save_failed.emit(error)
            return
        run.saved_to = path
        if run.autosave is not None:
            runs.discard(run.autosave)
            run.autosave = None
        self.runs_changed.emit()
        self.saved.emit(run)



def _write(workflow, run: Run, path: Path) -> tuple[Run, Path, Exception | None]:
    """Runs in a worker: the outcome of a save, failure included, with the run it is about
    (a failed save leaves the run where it was: in memory, and autosaved if that worked)."""
    try:
        return run, workflow.save_model(run.trained, path), None
    except Exception as exc:
        return run, path, exc
