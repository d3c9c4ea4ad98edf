"""Start the GUI: the window first, TensorFlow in the background."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from digitapp import __version__
from digitapp.core import applog
from digitapp.core.resources import resource_path


def run(argv: list[str] | None = None) -> int:
    """Open the main window and run the event loop; returns the exit code."""
    log_file = applog.setup()
    sys.excepthook = _ExceptionReporter(log_file)
    QCoreApplication.setOrganizationName("DigitApp")
    QCoreApplication.setApplicationName("DigitApp")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setWindowIcon(QIcon(str(resource_path("icon.png"))))

    from digitapp.gui.main_window import MainWindow

    window = MainWindow(deferred=True)
    window.show()
    # After the first paint: build the tabs, then import TensorFlow in the background.
    QTimer.singleShot(0, lambda: (window.build_content(), window.start_backend()))
    return app.exec()


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
