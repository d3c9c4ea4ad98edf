"""Start the GUI: the window first, TensorFlow in the background."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from digitapp import __version__
from digitapp.core.resources import resource_path


def run(argv: list[str] | None = None) -> int:
    """Open the main window and run the event loop; returns the exit code."""
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
