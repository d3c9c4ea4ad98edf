"""Run work once the user pauses: TensorFlow's import holds Python's interpreter for
hundreds of milliseconds at a time, so it waits while the user is drawing or typing."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

# How long without a press, drag, key or wheel counts as a pause.
PAUSE_MS = 500
_INPUT = {QEvent.MouseButtonPress, QEvent.KeyPress, QEvent.Wheel, QEvent.TabletMove, QEvent.TouchUpdate}


class WhenIdle(QObject):
    """Calls ``work`` after ``first_ms`` (default: :data:`PAUSE_MS`), or later: a press, a drag (a
    move with a button down: hovering does not count), a key or the wheel restarts a
    :data:`PAUSE_MS` wait."""

    def __init__(self, work: Callable[[], None], first_ms: int | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._run)
        QApplication.instance().installEventFilter(self)
        # Read when called, not when defined: the first wait is the pause as it is now.
        self._timer.start(PAUSE_MS if first_ms is None else first_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        dragging = kind == QEvent.MouseMove and event.buttons() != Qt.NoButton
        if (kind in _INPUT or dragging) and self._timer.isActive():
            self._timer.start(max(PAUSE_MS, self._timer.remainingTime()))
        return False

    def _run(self) -> None:
        QApplication.instance().removeEventFilter(self)
        self.deleteLater()
        self._work()
