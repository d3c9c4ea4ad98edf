"""Stress: open the window, start training, Stop at a random moment, start again, close
the window mid-training — N times in one process.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/stress_cycles.py [--cycles 100] [--seed 0]
A cycle fails if a step does not finish within its timeout (a hang), if the window is still
open, or if a thread it started is still running afterwards (a leak). An abort ends the
process with a non-zero status before the summary line. Writes bench/results/stress_cycles.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import tempfile
import threading
import time
import weakref
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QDeadlineTimer, QEvent, QEventLoop, QSettings, QThread
from PySide6.QtWidgets import QApplication

from digitapp.core import datasets

RESULTS = Path(__file__).resolve().parent / "results" / "stress_cycles.json"
STEP_TIMEOUT_S = 120

started_threads: list[weakref.ref] = []
_original_start = QThread.start


def _recording_start(self, *args):
    started_threads.append(weakref.ref(self))
    return _original_start(self, *args)


QThread.start = _recording_start


class HangError(Exception):
    pass


def wait_until(app: QApplication, condition, what: str) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise HangError(f"timed out waiting for {what}")
        app.processEvents(QEventLoop.AllEvents, 20)
        time.sleep(0.002)


def pause(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents(QEventLoop.AllEvents, 10)
        time.sleep(0.002)


def rss_mb() -> float | None:
    """Resident memory now (Linux), after a garbage collection."""
    gc.collect()
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20)


def running_qthreads() -> int:
    count = 0
    for ref in started_threads:
        thread = ref()
        try:
            if thread is not None and thread.isRunning() and not thread.wait(QDeadlineTimer(2000)):
                count += 1
        except RuntimeError:
            pass  # C++ object deleted: the thread is over
    return count


def cycle(app: QApplication, dataset: datasets.Dataset, rng: random.Random, folder: Path) -> dict:
    from digitapp.gui.main_window import MainWindow

    settings = QSettings(str(folder / "stress.ini"), QSettings.IniFormat)
    window = MainWindow(settings)
    window.show()
    wait_until(app, lambda: window.training_tab is not None, "the tabs")
    tab = window.training_tab
    tab.add_loaded_dataset("stress", dataset)
    tab.set_backend_ready()
    tab.form.epochs.setValue(3)
    tab.form.batch_size.setValue(32)
    wait_until(app, tab.train_button.isEnabled, "Train to be enabled")

    tab.train_button.click()
    stop_after = rng.uniform(0.0, 2.0)  # from before the first batch to mid-epoch
    pause(app, stop_after)
    ended = []
    tab.training_ended.connect(lambda: ended.append(True))
    tab.stop_training()
    wait_until(app, lambda: ended and not tab.is_training(), "training to end after Stop")

    wait_until(app, tab.train_button.isEnabled, "Train to be enabled again")
    tab.train_button.click()
    close_after = rng.uniform(0.0, 2.0)
    pause(app, close_after)
    was_training = tab.is_training()
    window.close()
    wait_until(app, lambda: not window.isVisible(), "the window to close")
    window.deleteLater()
    # processEvents() never runs deferred deletes; the real app's window lives until exit.
    app.sendPostedEvents(None, QEvent.DeferredDelete)
    pause(app, 0.05)
    return {"stop_after": round(stop_after, 3), "close_after": round(close_after, 3),
            "closed_while_training": was_training}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    full = datasets.load_dataset("mnist")
    dataset = datasets.Dataset("MNIST-2k", full.x_train[:2000], full.y_train[:2000],
                               full.x_test[:500], full.y_test[:500], full.class_names, "digit")
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp())
    baseline_threads = threading.active_count()
    rows, failures = [], []
    start = time.perf_counter()
    for i in range(1, args.cycles + 1):
        t = time.perf_counter()
        try:
            row = cycle(app, dataset, rng, folder)
        except HangError as exc:
            failures.append({"cycle": i, "hang": str(exc)})
            print(f"cycle {i}: HANG {exc}", flush=True)
            break
        leaked = running_qthreads()
        row.update(cycle=i, seconds=round(time.perf_counter() - t, 2), leaked_qthreads=leaked,
                   python_threads=threading.active_count(),
                   rss_mb=rss_mb())
        rows.append(row)
        if leaked:
            failures.append({"cycle": i, "leaked_qthreads": leaked})
        print(json.dumps(row), flush=True)
    summary = {
        "cycles_requested": args.cycles,
        "cycles_survived": sum(not r["leaked_qthreads"] for r in rows),  # a hang ends the loop
        "closed_while_training": sum(r["closed_while_training"] for r in rows),
        "failures": failures,
        "python_threads_before": baseline_threads,
        "python_threads_after": threading.active_count(),
        "rss_mb_after_first": rows[0]["rss_mb"] if rows else None,
        "rss_mb_after_last": rows[-1]["rss_mb"] if rows else None,
        "seconds": round(time.perf_counter() - start, 1),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"summary": summary, "cycles": rows}, indent=2))
    print(json.dumps(summary), flush=True)
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
