"""The autosave folder of unsaved runs: fresh names, only complete runs offered back,
discarding removes model and sidecar."""

import os
import time

from digitapp.core import runs
from digitapp.core.config import sidecar_path


def _fake_run(path, age_s: float = 0.0):
    """A run as the app writes it: a model file and its sidecar (contents do not matter here)."""
    path.write_bytes(b"model")
    sidecar_path(path).write_text("{}", encoding="utf-8")
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_new_paths_are_fresh_and_in_the_app_data_folder(app_data):
    first, second = runs.new_autosave_path(), runs.new_autosave_path()
    assert first != second
    assert first.parent == second.parent == app_data / "runs" and first.parent.is_dir()
    assert first.suffix == ".keras" and runs.is_autosave(first)
    assert not runs.is_autosave(app_data / "elsewhere.keras")


def test_only_complete_runs_are_offered_back_oldest_first(app_data):
    assert runs.recoverable() == []  # no folder yet
    newer = _fake_run(runs.new_autosave_path(), age_s=10)
    older = _fake_run(runs.new_autosave_path(), age_s=100)
    half_written = runs.new_autosave_path()
    half_written.write_bytes(b"model without its sidecar: the save was cut off")
    (app_data / "runs" / "notes.txt").write_text("not a run", encoding="utf-8")
    assert runs.recoverable() == [older, newer]


def test_discard_removes_model_and_sidecar(app_data):
    path = _fake_run(runs.new_autosave_path())
    runs.discard(path)
    assert not path.exists() and not sidecar_path(path).exists()
    runs.discard(path)  # already gone: fine
    assert runs.recoverable() == []
