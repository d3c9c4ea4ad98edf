"""Qt fixtures for every test (tests/conftest.py loads them as a plugin, so the GUI tests and
the cross-cutting suites in tests/integration share them): a main window with throw-away
settings, and guards that fail a test leaving a QThread or a QTimer running."""

import weakref

import pytest
from PySide6.QtCore import QEvent, QSettings, QThread, QTimer
from PySide6.QtWidgets import QApplication

# Grace period for a thread that has emitted its last signal but not yet returned.
THREAD_GRACE_MS = 1000


@pytest.fixture(autouse=True)
def no_dangling_qthreads(monkeypatch):
    """Fail a test that leaves a QThread running (as napari's ``_dangling_qthreads``)."""
    started: list[weakref.ref] = []
    original = QThread.start

    def recording_start(self, *args):
        started.append(weakref.ref(self))
        return original(self, *args)

    monkeypatch.setattr(QThread, "start", recording_start)
    yield
    leaked = []
    for ref in started:
        thread = ref()
        try:
            if thread is not None and thread.isRunning() and not thread.wait(THREAD_GRACE_MS):
                leaked.append(thread)
        except RuntimeError:
            pass  # the C++ object is already deleted, so the thread has ended
    assert not leaked, f"{len(leaked)} QThread(s) still running after the test"


@pytest.fixture(autouse=True)
def no_running_qtimers(monkeypatch):
    """Fail a test that leaves a QTimer running once its widgets are closed and deleted: a
    timer that outlives its owner fires into freed objects (seen: a late answer after the
    window closed mid-training). pytest-qt closes and deleteLater()s the test's widgets
    before fixtures are torn down; the deferred deletes are run here."""
    started: list[weakref.ref] = []
    original = QTimer.start

    def recording_start(self, *args):
        started.append(weakref.ref(self))
        return original(self, *args)

    monkeypatch.setattr(QTimer, "start", recording_start)
    yield
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    running = []
    for ref in started:
        timer = ref()
        try:
            if timer is not None and timer.isActive():
                running.append(timer)
        except RuntimeError:
            pass  # deleted with its owner
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

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    win.start_backend()
    tab = win.training_tab
    tab.import_dataset(str(mnist_small_npz))
    qtbot.waitUntil(lambda: tab.train_button.isEnabled(), timeout=60_000)
    yield win
    if win.isVisible():
        if tab.is_training():
            with qtbot.waitSignal(tab.training_ended, timeout=60_000):
                win.close()
        win.close()
    win.jobs.wait_all()
    tab.jobs.wait_all()
