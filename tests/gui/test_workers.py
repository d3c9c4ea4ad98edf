"""Workers off the GUI thread: start, result or exception back on the GUI thread, stop,
wait, and a relay that lets go of its callbacks once used."""

import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QObject, QThread

from digitapp.core.config import TrainConfig
from digitapp.core.errors import ConfigError, DatasetError
from digitapp.gui.workers import Jobs, TrainingWorker


@pytest.fixture
def jobs(qtbot):
    owner = QObject()
    jobs = Jobs(owner)
    yield jobs
    assert jobs.wait_all(30_000)


def test_call_returns_the_value_on_the_gui_thread(qtbot, jobs):
    seen = []
    worker_threads = []

    def work(a, b):
        worker_threads.append(threading.current_thread())
        return a + b

    jobs.call(work, 2, 3, on_done=lambda value: seen.append((value, QThread.currentThread())))
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen[0][0] == 5
    assert seen[0][1] is QThread.currentThread()  # the callback ran on the GUI thread…
    assert worker_threads[0] is not threading.current_thread()  # …the work did not
    assert jobs.wait_all(10_000) and not jobs.busy()


def test_call_carries_the_exception_itself(qtbot, jobs):
    errors, done = [], []

    def fail():
        raise DatasetError("That folder holds no images.")

    jobs.call(fail, on_done=done.append, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert isinstance(errors[0], DatasetError)  # the type, not only its text
    assert str(errors[0]) == "That folder holds no images."
    assert done == []


def test_relay_releases_its_callbacks_once_used(qtbot, jobs):
    """A relay lives as long as its Jobs; holding a used callback (which often closes over
    a widget) that long would free the widget in the middle of Qt destroying it."""

    class Owner:
        def on_done(self, value):
            self.value = value

    owner = Owner()
    alive = weakref.ref(owner)
    jobs.call(int, "7", on_done=owner.on_done)
    qtbot.waitUntil(lambda: getattr(alive(), "value", None) == 7, timeout=10_000)
    assert jobs.wait_all(10_000)
    del owner
    gc.collect()
    assert alive() is None


def test_training_worker_stops_within_a_batch_and_finishes(qtbot, jobs, mnist_small):
    # Signals from the worker thread are recorded by plain callables (a waitSignal blocker
    # would stop its own timer from the worker's thread).
    worker = TrainingWorker(mnist_small, "fast", TrainConfig(epochs=100, batch_size=16))
    started, placed, batches, finished = [], [], [], []
    worker.started.connect(lambda: started.append(True))
    worker.placed.connect(placed.append)
    worker.batch_done.connect(batches.append)
    worker.finished.connect(finished.append)
    thread = jobs.start(worker)
    qtbot.waitUntil(lambda: len(batches) >= 2, timeout=60_000)
    assert started
    worker.request_stop()
    qtbot.waitUntil(lambda: bool(finished), timeout=60_000)
    trained = finished[0]
    assert trained.result.stopped and trained.result.epochs_completed < 100
    # Where it trains is announced as fit begins, and recorded.
    assert placed == [trained.result.placed] and placed[0]["devices"] == trained.info.metrics["trained_on"]
    assert 0.0 <= trained.evaluation.accuracy <= 1.0
    assert thread.wait(10_000)  # the thread quits by itself when the worker is done
    assert not jobs.busy()


def test_training_worker_reports_bad_settings_as_their_exception(qtbot, jobs, mnist_small):
    worker = TrainingWorker(mnist_small, "fast", TrainConfig(epochs=0))
    failed = []
    worker.failed.connect(failed.append)
    jobs.start(worker)
    qtbot.waitUntil(lambda: bool(failed), timeout=30_000)
    assert isinstance(failed[0], ConfigError)
    assert str(failed[0]) == "Epochs must be at least 1."
