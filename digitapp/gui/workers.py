"""Workers that run core jobs off the GUI thread (Qt's worker-object + moveToThread pattern).

Signals carry plain Python data (floats, dicts, core dataclasses), never tensors.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from digitapp.core.errors import DigitAppError

# Batch progress reaches the GUI at most this often; the plots redraw on their own timer.
BATCH_SIGNAL_SECONDS = 0.1
# Building and tracing Keras models from two threads at once is not safe (native crashes
# were seen when a model summary was built while training traced its step): background
# jobs that touch TensorFlow take turns.
TF_LOCK = threading.Lock()


class TrainingWorker(QObject):
    """Trains and evaluates through :func:`digitapp.core.workflow.train_and_evaluate`.

    Signals:
        started(): training begins (dataset loaded, model built).
        batch_done(dict): throttled batch progress (epoch, batch, loss, accuracy, eta, …).
        epoch_done(int, dict): after each epoch, with train and validation metrics.
        finished(object): a ``TrainedModel`` — also after Stop, with what was learned.
        failed(str): one sentence saying why nothing could be trained.
    """

    started = Signal()
    batch_done = Signal(dict)
    epoch_done = Signal(int, dict)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, load_dataset, architecture: str, config, model=None, previous_history=None):
        super().__init__()
        self._load_dataset = load_dataset
        self._architecture = architecture
        self._config = config
        self._model = model
        self._previous_history = previous_history
        self._stop = threading.Event()
        self._last_batch_signal = 0.0

    def request_stop(self) -> None:
        """Thread-safe: training ends after the batch that is running."""
        self._stop.set()

    @Slot()
    def run(self) -> None:
        from digitapp.core import workflow

        try:
            dataset = self._load_dataset()
            self.started.emit()
            with TF_LOCK:
                trained = self._train(workflow, dataset)
        except (DigitAppError, ValueError) as exc:
            self.failed.emit(str(exc))
        except MemoryError:
            self.failed.emit("Not enough memory to train this model on this dataset.")
        except Exception as exc:  # never let a worker die silently
            self.failed.emit(f"Training failed unexpectedly: {type(exc).__name__}: {exc}")
        else:
            self.finished.emit(trained)

    def _train(self, workflow, dataset):
        return workflow.train_and_evaluate(
            dataset, self._architecture, self._config, self._model,
            on_batch=self._on_batch, on_epoch=self._on_epoch, should_stop=self._stop.is_set,
            previous_history=self._previous_history,
        )

    def _on_batch(self, progress: dict) -> None:
        now = time.perf_counter()
        if now - self._last_batch_signal >= BATCH_SIGNAL_SECONDS or progress["batch"] == progress["batches"]:
            self._last_batch_signal = now
            self.batch_done.emit(progress)

    def _on_epoch(self, epoch: int, metrics: dict) -> None:
        self.epoch_done.emit(epoch, metrics)


class CallWorker(QObject):
    """Runs one function off the GUI thread (loading data or models, saving).

    Signals:
        finished(object): the function's return value.
        failed(str): one sentence, for errors the user caused.
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, function, *args, uses_tf: bool = True):
        super().__init__()
        self._function = function
        self._args = args
        self._uses_tf = uses_tf

    @Slot()
    def run(self) -> None:
        try:
            if self._uses_tf:
                with TF_LOCK:
                    value = self._function(*self._args)
            else:
                value = self._function(*self._args)
        except DigitAppError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.finished.emit(value)


class Jobs(QObject):
    """Owns the worker threads of a widget: keeps them alive while they run and lets the
    owner wait for all of them before it is destroyed (a running QThread must never be
    destroyed — Qt aborts the process).

    Finished QThread objects are not deleted one by one (deleting one at the instant it
    finishes races with its last steps); they stay children of this object, a few bytes
    each, and go with it. Workers are released (and deleted by Python) once their thread
    has finished.
    """

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self._running: list[tuple[QThread, QObject]] = []

    def start(self, worker: QObject) -> QThread:
        """Run ``worker.run`` in a new thread that quits when the worker finishes or fails."""
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit from the worker's own thread at once (QThread.quit is thread-safe),
        # so a GUI thread already blocked in wait_all() is not waiting for its own queue.
        worker.finished.connect(thread.quit, Qt.DirectConnection)
        worker.failed.connect(thread.quit, Qt.DirectConnection)
        thread.finished.connect(self._prune, Qt.QueuedConnection)
        self._running.append((thread, worker))
        thread.start()
        return thread

    def call(self, function, *args, on_done=None, on_error=None, uses_tf: bool = True) -> CallWorker:
        """Run ``function(*args)`` off the GUI thread; callbacks run on the GUI thread.

        The callbacks go through a relay object that lives in the GUI thread: a plain
        function or lambda connected to a worker's signal would run in the worker's thread.
        """
        worker = CallWorker(function, *args, uses_tf=uses_tf)
        relay = _Relay(on_done, on_error, self)
        worker.finished.connect(relay.done)
        worker.failed.connect(relay.fail)
        self.start(worker)
        return worker

    def busy(self) -> bool:
        return any(not thread.isFinished() for thread, _ in self._running)

    def wait_all(self, timeout_ms: int = 60_000) -> bool:
        """Block until every thread has ended; True if all did."""
        return all(thread.wait(timeout_ms) for thread, _ in list(self._running))

    @Slot()
    def _prune(self) -> None:
        self._running = [(t, w) for t, w in self._running if not t.isFinished()]


class _Relay(QObject):
    """Receives a worker's result in the GUI thread (its own thread) and calls back.

    Owned by its ``Jobs`` parent and freed with it (tiny), never deleted mid-flight."""

    def __init__(self, on_done, on_error, parent: QObject):
        super().__init__(parent)
        self._on_done = on_done
        self._on_error = on_error

    @Slot(object)
    def done(self, value) -> None:
        callback = self._release()[0]
        if callback is not None:
            callback(value)

    @Slot(str)
    def fail(self, message: str) -> None:
        callback = self._release()[1]
        if callback is not None:
            callback(message)

    def _release(self):
        """Forget the callbacks once used: they often close over a widget, and holding them
        until this relay dies would free that widget in the middle of Qt destroying it."""
        callbacks = self._on_done, self._on_error
        self._on_done = self._on_error = None
        return callbacks
