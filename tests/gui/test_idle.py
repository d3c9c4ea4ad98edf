"""Work that waits for the user to pause: presses, drags and keys put it off; hovering does not."""

import time

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from digitapp.gui import idle
from digitapp.gui.idle import WhenIdle


def _mouse(kind, buttons):
    return QMouseEvent(kind, QPointF(5, 5), QPointF(5, 5), Qt.LeftButton, buttons, Qt.NoModifier)


def test_runs_once_after_the_first_wait(qtbot):
    calls = []
    started = time.perf_counter()
    waiter = WhenIdle(lambda: calls.append(time.perf_counter() - started), first_ms=50)  # noqa: F841 (kept alive)
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)
    qtbot.wait(150)
    assert len(calls) == 1 and calls[0] >= 0.045


def test_the_first_wait_is_the_pause_as_set_when_it_starts(qtbot, monkeypatch):
    monkeypatch.setattr(idle, "PAUSE_MS", 1200)  # as a test, or a setting, may change it
    calls = []
    started = time.perf_counter()
    waiter = WhenIdle(lambda: calls.append(time.perf_counter() - started))  # noqa: F841 (kept alive)
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)
    # Qt's default (coarse) timers may fire up to 5% early; the old code fired at 0.5 s.
    assert calls[0] >= 1.0


def test_drawing_and_typing_put_it_off_until_a_pause(qtbot, monkeypatch):
    monkeypatch.setattr(idle, "PAUSE_MS", 200)
    widget = QWidget()
    qtbot.addWidget(widget)
    calls = []
    waiter = WhenIdle(lambda: calls.append(time.perf_counter()), first_ms=50)  # noqa: F841 (kept alive)
    busy_until = time.perf_counter() + 0.6
    while time.perf_counter() < busy_until:  # a user drawing and typing for 0.6 s
        QApplication.sendEvent(widget, _mouse(QEvent.MouseButtonPress, Qt.LeftButton))
        QApplication.sendEvent(widget, _mouse(QEvent.MouseMove, Qt.LeftButton))
        QApplication.sendEvent(widget, QKeyEvent(QEvent.KeyPress, Qt.Key_A, Qt.NoModifier, "a"))
        qtbot.wait(20)
        assert not calls
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)
    assert calls[0] - busy_until >= 0.15  # a whole pause after the last input


def test_hovering_does_not_put_it_off(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    calls = []
    waiter = WhenIdle(lambda: calls.append(1), first_ms=100)  # noqa: F841 (kept alive)
    for _ in range(20):
        QApplication.sendEvent(widget, _mouse(QEvent.MouseMove, Qt.NoButton))
        qtbot.wait(20)
    assert calls == [1]
