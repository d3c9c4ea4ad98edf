"""Workers that run core jobs off the GUI thread (Qt's worker-object + moveToThread pattern).

Signals carry plain Python data (floats, dicts, core dataclasses) and, on failure, the
exception object itself (as superqt's ``errored``): the receiver decides by its type and
shows :func:`~digitapp.core.errors.user_message`. Locking around TensorFlow is core's job.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from digitapp.core.applog import log
from digitapp.core.errors import DigitAppError


class TrainingWorker(QObject):
    """Trains and evaluates through :func:`digitapp.core.workflow.train_and_evaluate`.

    Batch progress arrives already throttled by core (a few reports a second).

    Signals:
        started(): the job begins (in the worker thread, before the model is built).
        placed(dict): ``fit`` begins, on these devices (``devices``: "CPU", or the GPUs' names),
            ``replicas``, with this ``batch_size`` and ``learning_rate`` in all.
        batch_done(dict): batch progress (epoch, batch, loss, accuracy, eta, …).
        epoch_done(int, dict): after each epoch, with train and validation metrics.
        evaluating(int): training is over; the model is being tested on this many images.
        finished(object): a ``TrainedModel`` — also after Stop, with what was learned.
        failed(object): the exception that stopped anything from being trained.
    """

    started = Signal()
    placed = Signal(dict)
    batch_done = Signal(dict)
    epoch_done = Signal(int, dict)
    evaluating = Signal(int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, dataset, architecture: str, config, model=None, previous_history=None):
        super().__init__()
        self._dataset = dataset
        self._architecture = architecture
        self._config = config
        self._model = model
        self._previous_history = previous_history
        self._stop = threading.Event()

    def request_stop(self) -> None:
        """Thread-safe: training ends after the batch that is running."""
        self._stop.set()

    @Slot()
    def run(self) -> None:
        from digitapp.core import workflow

        try:
            self.started.emit()
            trained = workflow.train_and_evaluate(
                self._dataset, self._architecture, self._config, self._model,
                on_batch=self.batch_done.emit, on_epoch=self.epoch_done.emit, should_stop=self._stop.is_set,
                previous_history=self._previous_history, on_evaluate=self.evaluating.emit,
                on_start=self.placed.emit,  # every GPU, or the CPU
            )
        except Exception as exc:  # never let a worker die silently
            _log_unexpected(exc)
            self.failed.emit(exc)
        else:
            self.finished.emit(trained)


class CallWorker(QObject):
    """Runs one function off the GUI thread (loading data or models, saving).

    Signals:
        finished(object): the function's return value.
        failed(object): the exception it raised.
    """

    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, function, *args):
        super().__init__()
        self._function = function
        self._args = args

    @Slot()
    def run(self) -> None:
        try:
            value = self._function(*self._args)
        except Exception as exc:
            _log_unexpected(exc)
            self.failed.emit(exc)
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
        self._shut = False

    def start(self, worker: QObject) -> QThread | None:
        """Run ``worker.run`` in a new thread that quits when the worker finishes or fails;
        nothing (None) once :meth:`shut_down` was called."""
        if self._shut:
            return None
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

    def call(self, function, *args, on_done=None, on_error=None) -> CallWorker | None:
        """Run ``function(*args)`` off the GUI thread; ``on_done(value)`` or
        ``on_error(exception)`` then runs on the GUI thread. After :meth:`shut_down`
        nothing runs (None): nobody is left to show the result.

        The callbacks go through a relay object that lives in the GUI thread: a plain
        function or lambda connected to a worker's signal would run in the worker's thread.
        """
        if self._shut:
            return None
        worker = CallWorker(function, *args)
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

    def shut_down(self, timeout_ms: int = 60_000) -> bool:
        """Accept no more work and wait for what runs: the owner is closing. A result that
        arrives afterwards (say, a dataset that finished loading) can then not start new
        work that would outlive the owner — a running QThread destroyed aborts the process."""
        self._shut = True
        return self.wait_all(timeout_ms)

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

    @Slot(object)
    def fail(self, error: Exception) -> None:
        callback = self._release()[1]
        if callback is not None:
            callback(error)

    def _release(self):
        """Forget the callbacks once used: they often close over a widget, and holding them
        until this relay dies would free that widget in the middle of Qt destroying it."""
        callbacks = self._on_done, self._on_error
        self._on_done = self._on_error = None
        return callbacks


def _log_unexpected(error: Exception) -> None:
    """Errors the user caused need no traceback; anything else goes to the log with one."""
    if not isinstance(error, DigitAppError):
        log.error("worker failed", exc_info=(type(error), error, error.__traceback__))
