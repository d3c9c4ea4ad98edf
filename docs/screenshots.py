"""Take the README's screenshots of the real window (run under Xvfb).

Usage: xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots.py
Trains the default model on bundled MNIST and saves docs/training-during.png (during the
second epoch), docs/training-after.png and docs/training-confusion.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

DOCS = Path(__file__).resolve().parent


def main() -> int:
    app = QApplication(sys.argv)
    from digitapp.gui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "shots.ini"), QSettings.IniFormat)
    window = MainWindow(settings)
    window.resize(1360, 860)
    window.show()
    window.start_backend()
    tab = window.training_tab

    def shoot(name: str) -> None:
        window.grab().save(str(DOCS / name))
        print("saved", DOCS / name, flush=True)

    def start_when_ready() -> None:
        if tab.train_button.isEnabled():
            tab.train_button.click()
        else:
            QTimer.singleShot(200, start_when_ready)

    def on_epoch(epoch: int, _metrics) -> None:
        if epoch == 1:
            QTimer.singleShot(8000, lambda: shoot("training-during.png"))

    def on_ready(_trained) -> None:
        QTimer.singleShot(1000, lambda: shoot("training-after.png"))
        QTimer.singleShot(1500, lambda: tab.results.tabs.setCurrentIndex(1))
        QTimer.singleShot(2000, lambda: tab.results.confusion.cell_clicked.emit(4, 9))
        QTimer.singleShot(3000, lambda: (shoot("training-confusion.png"), window.close()))

    tab.plots.add_epoch = _chain(tab.plots.add_epoch, on_epoch)
    tab.model_ready.connect(on_ready)
    QTimer.singleShot(500, start_when_ready)
    return app.exec()


def _chain(first, second):
    def both(*args):
        first(*args)
        second(*args)

    return both


if __name__ == "__main__":
    sys.exit(main())
