"""Start the GUI: the window first, TensorFlow in the background; a Qt that cannot show a
window ends the program with one sentence, not an abort (see :mod:`digitapp.gui.display`)."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QTimer,
    QtMsgType,
    qCritical,
    qDebug,
    qInfo,
    qInstallMessageHandler,
    qWarning,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from digitapp import __version__
from digitapp.core import applog
from digitapp.core.resources import resource_path
from digitapp.gui import display


def run(argv: list[str] | None = None, model_path: str | None = None) -> int:
    """Open the main window and run the event loop; returns the exit code.

    ``model_path``: a model file to open once TensorFlow has loaded (a ``.keras`` file
    double-clicked in the file manager: the installer makes DigitApp open them).
    """
    log_file = applog.setup()
    sys.excepthook = _ExceptionReporter(log_file)
    QCoreApplication.setOrganizationName("DigitApp")
    QCoreApplication.setApplicationName("DigitApp")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance()
    if app is None:
        with PlatformGuard():
            app = QApplication(argv if argv is not None else sys.argv)
    app.setWindowIcon(QIcon(str(resource_path("icon.png"))))

    from digitapp.gui.main_window import MainWindow

    window = MainWindow(deferred=True)
    if model_path is not None:
        window.open_when_ready(model_path)
    window.show()
    # After the first paint: build the tabs, then import TensorFlow in the background.
    QTimer.singleShot(0, lambda: (window.build_content(), window.start_backend()))
    return app.exec()


class PlatformGuard:
    """While the QApplication is created: hold back Qt's messages, and turn a fatal one (no
    platform plugin could start) into one sentence and exit code 1 instead of Qt's abort.

    :func:`digitapp.gui.display.display_problem` has already ruled out the usual causes
    before Qt loaded; this catches the rest (an X server that does not answer, a Wayland
    session without X11 fallback, a broken plugin). Messages that were not fatal are sent
    again once the application exists, to whatever handles Qt's messages then.
    """

    def __init__(self, exit=os._exit):
        self._exit = exit  # os._exit: Qt aborts as soon as the handler returns
        self._held: list[tuple[QtMsgType, str]] = []  # not the context: it lives only during the call
        self._previous = None

    def __enter__(self) -> PlatformGuard:
        self._previous = qInstallMessageHandler(self._handle)
        return self

    def __exit__(self, *exc) -> bool:
        qInstallMessageHandler(self._previous)
        resend = {QtMsgType.QtDebugMsg: qDebug, QtMsgType.QtInfoMsg: qInfo, QtMsgType.QtWarningMsg: qWarning}
        for kind, message in self._held:
            resend.get(kind, qCritical)(message)
        return False

    def _handle(self, kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind != QtMsgType.QtFatalMsg:
            self._held.append((kind, message))
            return
        qt_messages = [m for _, m in self._held] + [message]
        sentence = display.platform_failure_message(qt_messages)
        applog.log.error("Qt could not start: %s", " | ".join(qt_messages))
        print(f"digitapp: error: {sentence}", file=sys.stderr, flush=True)
        for handler in logging.getLogger().handlers:
            handler.flush()  # the log file gets the details: os._exit skips the usual clean-up
        self._exit(1)


class _ExceptionReporter:
    """An error nobody anticipated: log it with its traceback, tell the user in one
    sentence where the details are, and keep the app (and the trained model) alive."""

    def __init__(self, log_file):
        self.log_file = log_file
        self._box = None

    def __call__(self, exc_type, exc, tb) -> None:
        applog.log_exception(exc_type, exc, tb)
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        where = f" Details are in {self.log_file}." if self.log_file else ""
        self._box = QMessageBox(QMessageBox.Warning, "DigitApp",
                                f"Something went wrong: {exc_type.__name__}: {exc}.{where}")
        self._box.open()
