"""Qt fixtures for every test (tests/conftest.py loads them as a plugin, so the GUI tests and
the cross-cutting suites in tests/integration share them): a main window with throw-away
settings, and guards that fail a test leaving a QThread or a QTimer running."""

import weakref

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QSettings, Qt, QThread, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

# Grace period for a thread that has emitted its last signal but not yet returned.
THREAD_GRACE_MS = 1000


def _recording(monkeypatch, cls) -> list[weakref.ref]:
    """Weak references to every ``cls`` object started (``cls.start``) during the test."""
    started: list[weakref.ref] = []
    original = cls.start

    def recording_start(self, *args):
        started.append(weakref.ref(self))
        return original(self, *args)

    monkeypatch.setattr(cls, "start", recording_start)
    return started


def _alive(refs: list[weakref.ref], check) -> list:
    found = []
    for ref in refs:
        obj = ref()
        try:
            if obj is not None and check(obj):
                found.append(obj)
        except RuntimeError:
            pass  # the C++ object is already deleted: it has ended
    return found


@pytest.fixture(autouse=True)
def no_dangling_qthreads_or_timers(monkeypatch):
    """Fail a test that leaves a QThread running (as napari's ``_dangling_qthreads``), or a
    QTimer running once its widgets are closed and deleted: a timer that outlives its owner
    fires into freed objects (seen: a late answer after the window closed mid-training).

    Threads first: pytest-qt has closed and deleteLater()ed the test's widgets, and running
    those deletes while a thread still runs would abort the process (a QThread destroyed
    while running), so the deletes run only once no thread does.
    """
    threads = _recording(monkeypatch, QThread)
    timers = _recording(monkeypatch, QTimer)
    yield
    leaked = _alive(threads, lambda thread: thread.isRunning() and not thread.wait(THREAD_GRACE_MS))
    assert not leaked, f"{len(leaked)} QThread(s) still running after the test"
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    running = _alive(timers, lambda timer: timer.isActive())
    for timer in running:
        timer.stop()  # don't let it fire into the next test
    assert not running, f"{len(running)} QTimer(s) still running after the test: {running}"


@pytest.fixture(scope="session")
def predictor(trained, mnist_small):
    """A core ``Predictor`` for the trained tiny model: real answers and explanations."""
    from digitapp.core.prediction import Predictor

    model, _ = trained
    return Predictor(model, mnist_small.input_shape, mnist_small.class_names, mnist_small.preprocessing)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def window(qtbot, settings, mnist_small_npz):
    """The main window, TensorFlow ready, the small MNIST set imported and selected."""
    from digitapp.gui.main_window import MainWindow

    win = MainWindow(settings)  # closed by close_window, not qtbot (see there)
    win.show()
    win.start_backend()
    tab = win.training_tab
    tab.import_dataset(str(mnist_small_npz))
    qtbot.waitUntil(lambda: tab.train_button.isEnabled(), timeout=60_000)
    yield win
    if tab.is_training():
        with qtbot.waitSignal(tab.training_ended, timeout=60_000):
            tab.stop_training()
    close_window(qtbot, win)


def close_window(qtbot, win) -> None:
    """Close a main window the way a test must: once its autosaves and other jobs have ended
    and their results arrived (a run still at risk would make closing ask — a modal box nobody
    answers — and a result arriving after deletion hits deleted widgets), then delete it.

    Windows are not handed to ``qtbot.addWidget``: pytest-qt closes and deleteLater()s those
    before any fixture ends, and a window deleted while its jobs (an autosave, the explainer's
    warm-up, a dataset loading) still run aborts the process."""
    all_jobs = (win.jobs, win.session.jobs, win.training_tab.jobs, win.predict_tab.jobs)
    qtbot.waitUntil(lambda: not win.session.busy() and not any(jobs.busy() for jobs in all_jobs), timeout=60_000)
    QApplication.processEvents()
    assert not win.session.at_risk(), "a run was neither saved nor autosaved"
    win.close()
    assert not win.isVisible(), "the window refused to close"
    for jobs in all_jobs:
        jobs.wait_all()
    QApplication.processEvents()
    win.deleteLater()


# ---------------------------------------------------------------- drawing like a user


def ink_strokes(digit: np.ndarray) -> list[list[tuple[float, float]]]:
    """Trace a 28×28 digit's ink as short horizontal strokes in the drawing canvas' pixels,
    one per run of inked pixels in a row."""
    from digitapp.gui.drawing import CANVAS_PIXELS

    scale = CANVAS_PIXELS / 28
    strokes = []
    for row in range(28):
        cols = np.flatnonzero(np.asarray(digit).reshape(28, 28)[row] > 128)
        if cols.size:
            for run in np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1):
                y = (row + 0.5) * scale
                strokes.append([((run[0] + 0.5) * scale, y), ((run[-1] + 0.5) * scale, y)])
    return strokes


def drag(canvas, points) -> None:
    """A real mouse stroke on a drawing canvas: press, moves, release at these canvas pixels."""
    def event(kind, x, y, buttons):
        pos = canvas.to_widget(x, y).toPoint()
        return QMouseEvent(kind, pos, canvas.mapToGlobal(pos), Qt.LeftButton, buttons, Qt.NoModifier)

    (x0, y0), rest = points[0], points[1:]
    QApplication.sendEvent(canvas, event(QMouseEvent.MouseButtonPress, x0, y0, Qt.LeftButton))
    for x, y in rest:
        QApplication.sendEvent(canvas, event(QMouseEvent.MouseMove, x, y, Qt.LeftButton))
    QApplication.sendEvent(canvas, event(QMouseEvent.MouseButtonRelease, *rest[-1] if rest else (x0, y0),
                                         Qt.NoButton))
