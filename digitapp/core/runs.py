"""Where unsaved training runs are kept so that a crash or a power cut loses nothing.

Every run is written, as soon as it ends, to ``<app data>/runs/run-<time>-<n>.keras``
(with its usual JSON sidecar, see :mod:`persistence`). A run the user saves somewhere, or
deletes, leaves this folder; whatever is left when the app starts again was not saved and
is offered back. No TensorFlow here: writing and reading the models goes through
:mod:`workflow`.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from pathlib import Path

from digitapp.core.applog import app_data_dir
from digitapp.core.config import MODEL_SUFFIXES, sidecar_path

RUNS_FOLDER = "runs"
_counter = itertools.count(1)


def runs_dir() -> Path:
    """The folder of autosaved runs (created on demand)."""
    return app_data_dir() / RUNS_FOLDER


def new_autosave_path() -> Path:
    """A fresh file name for a run that has just ended; sorts by time of creation.

    Raises:
        OSError: the app-data folder cannot be created (read-only home).
    """
    folder = runs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    while True:
        path = folder / f"run-{stamp}-{next(_counter)}{MODEL_SUFFIXES[0]}"
        if not path.exists():
            return path


def recoverable() -> list[Path]:
    """Autosaved runs left by an earlier session (complete ones: model and sidecar), oldest first."""
    folder = runs_dir()
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"run-*{MODEL_SUFFIXES[0]}") if p.is_file() and sidecar_path(p).is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime)


def is_autosave(path: str | Path) -> bool:
    """True for a file in the autosave folder (not one the user saved)."""
    return Path(path).resolve().parent == runs_dir().resolve()


def discard(path: str | Path) -> None:
    """Delete an autosaved run (model and sidecar); missing files are fine."""
    path = Path(path)
    for file in (path, sidecar_path(path)):
        file.unlink(missing_ok=True)
